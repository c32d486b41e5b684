#!/bin/sh
# The Detail graphs of a host of a prometheus group come from the server's
# /api/v1/query_range (issue 17), on a thread of their own: a real
# prometheus-node-exporter scraped by a real Prometheus (Debian packages) on
# free loopback ports, whose query log shows what opsdeck asked; the console
# in tmux draws them and, once Prometheus is stopped, says why they did not
# come while it keeps answering keys.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
. "$top_srcdir/tests/prom_lib.sh"
command -v prometheus >/dev/null 2>&1 || skip_all "prometheus is not installed"
command -v prometheus-node-exporter >/dev/null 2>&1 || skip_all "node_exporter is not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
plan 7

node_exporter_start || { not_ok "node_exporter started"; diag "$(cat "$T/ne.log")"; done_testing; }
cat >"$T/prometheus.yml" <<Y
global: {scrape_interval: 1s, scrape_timeout: 1s, query_log_file: $T/queries.log}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['$NE_ADDR']}]
Y
prom_start "$T/prometheus.yml"
check "node_exporter and Prometheus started on free ports" [ $? -eq 0 ] ||
    diag "$(tail -5 "$T/prom.log")"
ready() { prom_query 'node_memory_MemTotal_bytes' | grep -q "\"$NE_ADDR\""; }
wait_for 60 ready

cat >"$T/c.yaml" <<Y
defaults: {interval: 1s, timeout: 3s}
groups:
  - name: site
    kind: prometheus
    url: $PROM_URL
    selector: '{job="node"}'
Y
timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" --cycles 2 2>"$T/collect.err"
check "collect put the instance in the cache" \
    [ "$(sqlite3 "$CACHE" "SELECT count(*) FROM hosts WHERE name = '$NE_ADDR'")" = 1 ]

# The instance sorts first: it is selected, and Detail shows it.
console_start 120 36 -- -c "$T/c.yaml"
check "Detail names the server its graphs come from" \
    wait_for 15 screen_has "graphs: query_range of $PROM_URL"
# Memory is never 0 %: the Mem graph has points (its heading gives min, avg, max).
mem_drawn() { screen | grep -Eq 'Mem 1h  min [0-9.]+%  avg'; }
check "the memory graph is drawn from the answer" wait_for 10 mem_drawn
screen | grep -F -A3 "graphs:" | sed 's/^/# /'	# in the log, for a look
asked() {
	python3 - "$T/queries.log" "$NE_ADDR" <<'PY'
import json, sys
want = 'instance="%s"' % sys.argv[2]
found = set()
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    p = e.get("params", {})
    q = p.get("query", "")
    # a range query: it has a step; instant queries have none
    if p.get("step", 0) and want in q:
        found.add("cpu" if "node_cpu_seconds_total" in q else "mem" if "MemAvailable" in q else q)
sys.exit(0 if {"cpu", "mem"} <= found else 1)
PY
}
check "Prometheus's query log shows range queries of CPU and memory for that instance" \
    wait_for 10 asked || diag "$(tail -3 "$T/queries.log")"

# Prometheus stops: at the next ask (10 s later) Detail says why; keys are answered meanwhile.
kill "$PROM_PID"; wait "$PROM_PID" 2>/dev/null
keys '?'
check "the console answers keys while the graphs are asked for" wait_for 3 screen_has "Moving"
keys Escape
check "Detail says why the graphs did not come" \
    wait_for 25 screen_has "graphs: $PROM_URL: " || diag "$(screen | grep -F graphs)"
keys q
done_testing
