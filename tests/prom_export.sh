#!/bin/sh
# `opsdeck collect --listen`: a simulated fleet of 120 nodes (opsdeck-fleetsim,
# over SSH) exposed at /metrics. promtool finds nothing in the exposition
# but its camelCase remarks on names node_exporter and dcgm-exporter use
# themselves; OpenMetrics when asked; /-/healthy; one listening socket, on
# the address given; and a real Prometheus, run with the shipped
# examples/prometheus.yml, scrapes it and a query returns every host.
# Test-bed devices, budget lines and tenant GPU-hours come from the cache and
# match what `opsdeck budget report` computes.
. "$top_srcdir/tests/lib.sh"
tmpdir
FLEETSIM="$top_builddir/opsdeck-fleetsim"
[ -x "$FLEETSIM" ] || skip_all "opsdeck-fleetsim is not built"
command -v promtool >/dev/null || skip_all "promtool missing (tools/bootstrap installs prometheus)"
command -v curl >/dev/null || skip_all "curl missing"
. "$top_srcdir/tests/fleetsim_lib.sh"
. "$top_srcdir/tests/prom_lib.sh"
plan 18
N=120

fs_start --nodes $N --gpu-nodes 20 --controllers 2 || { not_ok "fleetsim started"; cat "$FS_ERR"; done_testing; }
ok "fleetsim started: $N nodes, 20 with GPUs"
cfg=$FS_DIR/config.yaml
echo "budget: $top_srcdir/examples/budget.yaml" >>"$cfg"
"$OPSDECK" budget import -c "$cfg" --cache "$T/c.db" "$top_srcdir/examples/ledger.csv" \
    >/dev/null 2>"$T/import.err" || diag "$(cat "$T/import.err")"
# The simulator's config names each node as its node list does (gpu001,
# ctl-energy-01), with the address beside it; controllers too.
awk '$3 != "ctl" { print $1 }' "$FS_DIR/nodes" | LC_ALL=C sort >"$T/hosts"
awk '$3 == "ctl" { print $1 }' "$FS_DIR/nodes" | LC_ALL=C sort >"$T/ctls"
ALL=$(( N + 2 ))
PORT=$(free_port)
"$OPSDECK" collect -c "$cfg" --cache "$T/c.db" --listen "127.0.0.1:$PORT" \
    >"$T/collect.out" 2>"$T/collect.err" &
CPID=$!
at_exit "kill $CPID 2>/dev/null; wait $CPID 2>/dev/null"
M=http://127.0.0.1:$PORT/metrics

# every_host_up: all N hosts have opsdeck_host_up 1 in a fresh scrape.
every_host_up() {
	curl -sf "$M" -o "$T/m.txt" &&
	[ "$(grep -c '^opsdeck_host_up{.*} 1$' "$T/m.txt")" -eq $ALL ] &&
	[ "$(grep -c '^node_cpu_seconds_total{' "$T/m.txt")" -gt 0 ] &&
	grep -q '^opsdeck_device_state{' "$T/m.txt"
}
wait_for 60 every_host_up
check "/metrics: opsdeck_host_up 1 for all $N nodes and 2 controllers" [ $? -eq 0 ] ||
    { diag "$(tail -5 "$T/collect.err")"; }

# An exporter's collector runs the linux probe's counters command: every
# mode of every core (the default command sends only each core's sums).
check "node_cpu_seconds_total: 8 modes of each of gpu001's 96 cores" \
    [ "$(grep -c '^node_cpu_seconds_total{instance="gpu001",.*,cpu="[0-9]*",mode="[a-z]*"} ' \
    "$T/m.txt")" -eq 768 ] || diag "$(grep -c '^node_cpu_seconds_total{instance="gpu001"' "$T/m.txt")"

sed -n 's/^opsdeck_host_up{instance="\([^"]*\)",group="[^"]*"} 1$/\1/p' "$T/m.txt" |
    LC_ALL=C sort >"$T/exported"
cat "$T/hosts" "$T/ctls" | LC_ALL=C sort >"$T/everyone"
check "instance is each host's name, every host once" cmp -s "$T/everyone" "$T/exported"
sed -n 's/^opsdeck_device_state{controller="\([^"]*\)",.*,state="[a-z]*"} 1$/\1/p' "$T/m.txt" |
    LC_ALL=C sort -u >"$T/dev_ctls"
grep '^opsdeck_device_state{' "$T/m.txt" | sed 's/,state=.*//' | sort | uniq -d >"$T/dev_twice"
check "opsdeck_device_state: the devices of both controllers, one state each" \
    sh -c "cmp -s '$T/ctls' '$T/dev_ctls' && [ ! -s '$T/dev_twice' ]"

# Budget lines and tenants: the same figures as `opsdeck budget report`.
"$OPSDECK" budget report -c "$cfg" --cache "$T/c.db" --format json >"$T/budget.json" 2>/dev/null
python3 - "$T/budget.json" "$T/m.txt" >"$T/bcheck" 2>&1 <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
got = {}
for line in open(sys.argv[2]):
    m = re.match(r'^(opsdeck_(?:budget_\w+_won|tenant_gpu_\w+_seconds))\{([^}]*)\} (\S+)$', line)
    if m:
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        key = labels.get("programme", labels.get("tenant"))
        got[(m.group(1), key, labels.get("item"))] = float(m.group(3))
bad = 0
for l in r["lines"]:
    for k in ("allocated", "spent"):
        if got.get(("opsdeck_budget_%s_won" % k, l["programme"], l["item"])) != l[k]:
            bad += 1
            print("differs", k, l["programme"], l["item"], l[k])
for t in r["tenants"]:
    if got.get(("opsdeck_tenant_gpu_used_seconds", t["id"], None)) != 3600 * t["gpu_hours_used"] or \
       got.get(("opsdeck_tenant_gpu_allocated_seconds", t["id"], None)) != 3600 * t["gpu_hours_allocated"]:
        bad += 1
        print("differs tenant", t["id"])
print("lines", len(r["lines"]), "tenants", len(r["tenants"]), "spent",
      sum(1 for l in r["lines"] if l["spent"] > 0), "bad", bad)
PY
diag "$(tail -3 "$T/bcheck")"
check "opsdeck_budget_{allocated,spent}_won per programme and item, as budget report" \
    grep -q '^lines 12 tenants [0-9]* spent [1-9][0-9]* bad 0$' "$T/bcheck"
check "opsdeck_tenant_gpu_{used,allocated}_seconds per tenant, budget report's hours x 3600" \
    grep -q '^lines 12 tenants 18 spent [0-9]* bad 0$' "$T/bcheck"

promtool check metrics <"$T/m.txt" >"$T/lint" 2>&1; rc=$?
grep -v "should be written in 'snake_case' not 'camelCase'" "$T/lint" >"$T/lint.other"
diag "promtool exit $rc, $(wc -l <"$T/lint") remarks"
check "promtool check metrics: exit 0 or 3 (lint)" [ $rc -eq 0 -o $rc -eq 3 ]
[ -s "$T/lint.other" ] && diag "$(head -5 "$T/lint.other")"
check "promtool: no remark but camelCase" [ ! -s "$T/lint.other" ]
# the camelCase ones are names the exporters use, kept on purpose:
# node_memory_MemTotal_bytes and the like, dcgm-exporter's modelName label
check "camelCase remarks only on node_memory_* names and DCGM labels" \
    sh -c "! grep -v -e '^node_memory_[A-Za-z]*_bytes metric names ' \
        -e '^DCGM_FI_DEV_[A-Z_]* label names ' '$T/lint' | grep -q ."
check "DCGM series with gpu, UUID and modelName for the 20 GPU nodes" \
    sh -c "[ \$(grep '^DCGM_FI_DEV_GPU_UTIL{' '$T/m.txt' | sed 's/,gpu=.*//' | sort -u | wc -l) -eq 20 ] &&
        grep -q '^DCGM_FI_DEV_FB_USED{instance=\"[^\"]*\",group=\"[^\"]*\",gpu=\"0\",UUID=\"[^\"]*\",modelName=\"[^\"]*\"} [0-9]' '$T/m.txt'"

curl -sf -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
    -D "$T/om.h" "$M" -o "$T/om.txt"
check "OpenMetrics when asked: its content type, # TYPE without _total, # EOF last" \
    sh -c "grep -qi '^content-type: application/openmetrics-text' '$T/om.h' &&
        grep -qx '# TYPE node_cpu_seconds counter' '$T/om.txt' &&
        [ \"\$(tail -1 '$T/om.txt')\" = '# EOF' ]"

check "/-/healthy answers 200" curl -sf "http://127.0.0.1:$PORT/-/healthy" -o /dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nothing")
check "another path: 404" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M")
check "POST: 405" [ "$code" = 405 ]
# Only where told: one listening TCP socket for the collector, this one.
ss -ltnpH 2>/dev/null | grep "pid=$CPID," >"$T/listen"
check "listens on 127.0.0.1:$PORT and nowhere else" \
    sh -c "[ \$(wc -l <'$T/listen') -eq 1 ] && grep -q ' 127.0.0.1:$PORT ' '$T/listen'"

# A real Prometheus with the shipped scrape config, pointed at this collector.
sed -e "s/127.0.0.1:9464/127.0.0.1:$PORT/" -e 's/scrape_interval: 15s/scrape_interval: 1s/' \
    -e 's/scrape_timeout: 10s/scrape_timeout: 1s/' \
    "$top_srcdir/examples/prometheus.yml" >"$T/prometheus.yml"
grep -q 'honor_labels: true' "$T/prometheus.yml" && promtool check config "$T/prometheus.yml" >/dev/null 2>&1
check "examples/prometheus.yml passes promtool check config, honor_labels: true" [ $? -eq 0 ]
prom_start "$T/prometheus.yml" || { diag "$(tail -5 "$T/prom.log")"; }
every_host_in_prometheus() {
	prom_query 'opsdeck_host_up == 1' >"$T/q.json" &&
	python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["status"] == "success"
for r in v["data"]["result"]:
    assert r["metric"]["job"] == "opsdeck"
    print(r["metric"]["instance"])' "$T/q.json" | LC_ALL=C sort >"$T/in_prom" &&
	cmp -s "$T/everyone" "$T/in_prom"
}
wait_for 60 every_host_in_prometheus
check "Prometheus scraped it: opsdeck_host_up == 1 returns every host by name" [ $? -eq 0 ] ||
    diag "$(wc -l <"$T/in_prom") of $N; $(tail -3 "$T/prom.log")"
done_testing
