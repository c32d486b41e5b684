#!/bin/sh
# Groups of kind prometheus: a real node_exporter scraped by a real
# Prometheus shows up in `opsdeck snapshot` (rows, JSON, cache) with this
# machine's real MemTotal. A server that is down, answers 500, sends bad JSON
# or more than 16 MiB: its group's server row says so, the other groups are
# unaffected, and the failing server is retried with back-off. When the
# Prometheus of a running collector stops, its instances go stale.
. "$top_srcdir/tests/lib.sh"
tmpdir
command -v prometheus >/dev/null || skip_all "prometheus missing (tools/bootstrap installs it)"
command -v prometheus-node-exporter >/dev/null || skip_all "prometheus-node-exporter missing"
command -v curl >/dev/null || skip_all "curl missing"
. "$top_srcdir/tests/prom_lib.sh"
plan 14

node_exporter_start || { not_ok "node_exporter started"; diag "$(cat "$T/ne.log")"; done_testing; }
cat >"$T/prometheus.yml" <<Y
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['$NE_ADDR']}]
Y
prom_start "$T/prometheus.yml"
check "node_exporter and Prometheus started on free ports" [ $? -eq 0 ] ||
    diag "$(tail -5 "$T/prom.log")"
PROM_HOSTPORT=${PROM_URL#http://}

# A stub server for the failures: /e500 answers 500, /bad bad JSON, /huge
# 17 MiB; every request is logged to $T/stub.log.
SP=$(free_port)
python3 - "$SP" "$T/stub.log" >"$T/stub.err" 2>&1 <<'PY' &
import http.server, sys
port, log = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path.split("?")[0] + "\n")
        if self.path.startswith("/e500/"):
            body, code = b"upstream broken\n", 500
        elif self.path.startswith("/bad/"):
            body, code = b'{"status":"success","data":{"resultType":"vector","result":[{', 200
        else:
            body, code = b'{"status":"success",' + b" " * (17 << 20) + b"}", 200
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
STUB_PID=$!
at_exit "kill $STUB_PID 2>/dev/null"
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$SP/e500/x"
: >"$T/stub.log"
CLOSED=$(free_port)

# Prometheus has the node, with a CPU rate (two samples) and its memory.
ready() {
	prom_query 'rate(node_cpu_seconds_total{mode="idle"}[1m])' | grep -q '"instance"' &&
	prom_query 'node_memory_MemTotal_bytes' | grep -q "\"$NE_ADDR\""
}
wait_for 60 ready
check "Prometheus scraped the node_exporter" [ $? -eq 0 ]

cat >"$T/c.yaml" <<Y
cache: $T/c.db
defaults: {interval: 1s, timeout: 3s}
groups:
  - name: site
    kind: prometheus
    url: $PROM_URL
    selector: '{job="node"}'
  - name: nodes
    kind: prometheus
    url: $PROM_URL/
  - name: e500
    kind: prometheus
    url: http://127.0.0.1:$SP/e500
  - name: bad
    kind: prometheus
    url: http://127.0.0.1:$SP/bad
  - name: huge
    kind: prometheus
    url: http://127.0.0.1:$SP/huge
  - name: gone
    kind: prometheus
    url: http://127.0.0.1:$CLOSED
Y
"$OPSDECK" check-config -c "$T/c.yaml" >"$T/cc.out" 2>&1
check "check-config accepts the prometheus groups" [ $? -eq 0 ] || diag "$(cat "$T/cc.out")"

MEMTOTAL=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024 ))
timeout 60 "$OPSDECK" snapshot -c "$T/c.yaml" --format json >"$T/snap.json" 2>"$T/snap.err"
diag "snapshot exit $?"
python3 - "$T/snap.json" "$NE_ADDR" "$PROM_HOSTPORT" "$MEMTOTAL" "$SP" "$CLOSED" \
    >"$T/check" 2>&1 <<'PY'
import json, sys
snap, ne, prom, memtotal, sp, closed = sys.argv[1:]
hosts = json.load(open(snap))["hosts"]
by = {(h["group"], h["name"]): h for h in hosts}
for g in ("site", "nodes"):
    h = by.get((g, ne))
    if h is None:
        print(g, "missing", sorted(by))
        continue
    print(g, "state", h["state"], h["kind"])
    print(g, "mem", h["mem"]["total_bytes"] == int(memtotal), h["mem"]["used_bytes"] > 0)
    print(g, "cpu", h["cpu"]["util_pct"] is not None and 0 <= h["cpu"]["util_pct"] <= 100,
          h["cpu"]["cores"] > 0, h["load"][0] is not None, h["uptime_s"] is not None)
    s = by[(g, g + "@" + prom)]
    print(g, "server", s["state"], s["error"])
for g, want in (("e500", "HTTP 500"), ("bad", "not JSON"), ("huge", "over 16 MiB"),
                ("gone", "Couldn't connect")):
    s = by[(g, g + "@127.0.0.1:" + (closed if g == "gone" else sp))]
    print(g, s["state"], want in (s["error"] or ""), s["error"])
print("count", len(hosts))
PY
diag "$(cat "$T/check")"
check "the node appears in group site (selector) and nodes (default), up" \
    sh -c "grep -qx 'site state up prometheus' '$T/check' && grep -qx 'nodes state up prometheus' '$T/check'"
check "its memory total is this machine's MemTotal ($MEMTOTAL bytes)" \
    sh -c "grep -qx 'site mem True True' '$T/check' && grep -qx 'nodes mem True True' '$T/check'"
check "CPU, cores, load and uptime from Prometheus" grep -qx 'site cpu True True True True' "$T/check"
check "the servers' own rows are up" \
    sh -c "grep -qx 'site server up None' '$T/check' && grep -qx 'nodes server up None' '$T/check'"
check "a 500, bad JSON, 17 MiB and a closed port: each its state and message" \
    sh -c "grep -q '^e500 down True' '$T/check' && grep -q '^bad parse-error True' '$T/check' &&
        grep -q '^huge parse-error True' '$T/check' && grep -q '^gone down True' '$T/check'"
check "one row per server and per instance, nothing else" grep -qx 'count 8' "$T/check"
# The cache keys hosts by name: an instance two groups show is one row.
"$OPSDECK" history "$NE_ADDR" -c "$T/c.yaml" --metric mem.total_bytes --format csv \
    >"$T/hist.csv" 2>"$T/hist.err"
diag "$(tail -2 "$T/hist.csv")"
check "the instance is in the cache like an SSH host: history has its MemTotal" \
    sh -c "tail -n +2 '$T/hist.csv' | grep -q ',$MEMTOTAL\(\.0*\)\?\$'"

# Back-off: a failing server is asked again after 1, 2, 4 s (+-20 %), not
# every 1 s interval. 7.5 s of collecting: about 4 polls, each one request.
# (A healthy group keeps collect running: it stops once every host failed.)
cat >"$T/b.yaml" <<Y
cache: $T/b.db
groups:
  - {name: e500, kind: prometheus, url: "http://127.0.0.1:$SP/e500", interval: 1s, timeout: 2s}
  - {name: site, kind: prometheus, url: "$PROM_URL", interval: 1s}
Y
: >"$T/stub.log"
"$OPSDECK" collect -c "$T/b.yaml" --duration 7500ms >/dev/null 2>&1
n=$(grep -c '^/e500/' "$T/stub.log")
diag "requests to the failing server in 7.5 s: $n"
check "a failing server is retried with back-off (2 to 5 polls, not 8)" [ "$n" -ge 2 -a "$n" -le 5 ]

# Prometheus stops under a running collector: the instance goes stale, the
# server row down; seen through collect --listen.
LP=$(free_port)
"$OPSDECK" collect -c "$T/c.yaml" --cache "$T/l.db" --listen "127.0.0.1:$LP" >/dev/null 2>"$T/l.err" &
LPID=$!
at_exit "kill $LPID 2>/dev/null; wait $LPID 2>/dev/null"
state_is() {
	curl -sf "http://127.0.0.1:$LP/metrics" |
	    grep -q "^opsdeck_host_state{instance=\"$1\",group=\"site\",state=\"$2\"} 1\$"
}
wait_for 30 state_is "$NE_ADDR" up
check "collect shows the node up" [ $? -eq 0 ]
kill "$PROM_PID"
wait_for 30 state_is "$NE_ADDR" stale && state_is "site@$PROM_HOSTPORT" down
check "Prometheus stopped: its instance stale, its server row down" sh -c "[ $? -eq 0 ]"
curl -sf "http://127.0.0.1:$LP/metrics" >"$T/stale.txt"
check "a stale instance keeps its last figures" \
    grep -q "^node_memory_MemTotal_bytes{instance=\"$NE_ADDR\",group=\"site\"} $MEMTOTAL\$" "$T/stale.txt"
done_testing
