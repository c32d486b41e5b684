#!/bin/sh
# The first slice end to end: the built-in default (this machine through the
# local transport) -> linux probe -> cache -> snapshot in three formats.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 17
export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"

timeout 60 "$OPSDECK" snapshot --format json >"$T/out.json" 2>"$T/err"; rc=$?
check "snapshot of the built-in default exits 0" [ $rc -eq 0 ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"
python3 - "$T/out.json" >"$T/check" 2>&1 <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
h = d["hosts"]
assert len(h) == 1, h
h = h[0]
for k in ("name", "group", "kind", "state", "error", "cpu", "mem", "load"):
    assert k in h, k
print("state", h["state"])
print("cores", h["cpu"]["cores"] == os.cpu_count())
u = h["cpu"]["util_pct"]
print("util", u is not None and 0 <= u <= 100)
mt = [int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0]
print("memtotal", h["mem"]["total_bytes"] == mt)
print("memused", 0 < h["mem"]["used_bytes"] < mt)
print("load", len(h["load"]) == 3 and all(x >= 0 for x in h["load"]))
print("name", h["name"] == os.uname().nodename)
PY
check "JSON parses with the Foundation's keys" grep -q '^state up$' "$T/check"
check "cpu.cores is this machine's core count" grep -q '^cores True$' "$T/check"
check "cpu.util_pct is a percentage (two samples)" grep -q '^util True$' "$T/check"
check "mem.total_bytes is MemTotal" grep -q '^memtotal True$' "$T/check"
check "mem.used_bytes is within total" grep -q '^memused True$' "$T/check"
check "load has three values" grep -q '^load True$' "$T/check"
check "the host is named after this machine" grep -q '^name True$' "$T/check"
grep -v True "$T/check" | grep -v '^state up' | while read -r l; do diag "$l"; done

check "the cache was created 0600" [ "$(stat -c %a "$T/state/opsdeck/cache.db")" = 600 ]
check "in a 0700 directory" [ "$(stat -c %a "$T/state/opsdeck")" = 700 ]

timeout 60 "$OPSDECK" snapshot --format csv >"$T/out.csv"
head -1 "$T/out.csv" | grep -q '^name,group,kind,state,error,cores,cpu_util_pct' &&
	[ "$(wc -l <"$T/out.csv")" -eq 2 ]
check "csv has a header and a row" [ $? -eq 0 ]
timeout 60 "$OPSDECK" snapshot --format table | grep -q "^HOST "
check "table has a header" [ $? -eq 0 ]
# a host that never answered has no core count: "-" (table), null (JSON),
# empty (CSV), not 0; the host that answered keeps its own
cat >"$T/down.yaml" <<Y
groups:
  - name: here
    transport: local
    hosts: localhost
  - name: gone
    probes: [linux]
    port: 9
    timeout: 1s
    hosts:
      - {host: nowhere, address: 127.0.0.1}
Y
timeout 60 "$OPSDECK" snapshot -c "$T/down.yaml" --cache "$T/d.db" --timeout 5s >"$T/d.txt" 2>&1
check "table: the down host's CORES is -, the local host's its count" \
    sh -c "awk '\$1 == \"nowhere\" { print \$3, \$5 }' '$T/d.txt' | grep -qx 'down -' &&
	awk '\$1 == \"localhost\" { print \$5 }' '$T/d.txt' | grep -qx '$(nproc)'"
timeout 60 "$OPSDECK" snapshot -c "$T/down.yaml" --cache "$T/d.db" --timeout 5s \
    --format json >"$T/d.json" 2>&1
check "JSON: the down host's cores are null" \
    python3 -c "import json, sys; h = {x['name']: x for x in json.load(open(sys.argv[1]))['hosts']}; \
	sys.exit(not (h['nowhere']['cpu']['cores'] is None and h['localhost']['cpu']['cores'] > 0))" \
	"$T/d.json"
timeout 60 "$OPSDECK" snapshot -c "$T/down.yaml" --cache "$T/d.db" --timeout 5s \
    --format csv >"$T/d.csv" 2>&1
check "CSV: the down host's cores field is empty" \
    sh -c "grep '^nowhere,' '$T/d.csv' | cut -d, -f6 | grep -qx ''"
# a host that accepts the connection and never speaks is still connecting at
# --timeout: reported timeout with the reason, not `connecting`
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$T/mute.port" &
mute=$!
at_exit "kill $mute 2>/dev/null"
wait_for 10 test -s "$T/mute.port"
cat >"$T/mute.yaml" <<Y
groups:
  - name: quiet
    probes: [linux]
    port: $(cat "$T/mute.port")
    timeout: 60s
    hosts:
      - {host: mute, address: 127.0.0.1}
Y
t0=$(date +%s)
timeout 60 "$OPSDECK" snapshot -c "$T/mute.yaml" --cache "$T/m.db" --timeout 2s \
    --format json >"$T/m.json" 2>"$T/m.err"
rc=$?
t1=$(date +%s)
check "snapshot --timeout 2s ends within seconds, exit 1" \
    sh -c "[ $rc -eq 1 ] && [ $((t1 - t0)) -le 10 ]"
check "the silent host is timeout, with the reason" \
    python3 -c "import json, sys; h = json.load(open(sys.argv[1]))['hosts'][0]; \
	sys.exit(not (h['state'] == 'timeout' and \
	h['error'] == 'no answer within 2s (snapshot --timeout); still connecting'))" "$T/m.json"
done_testing
