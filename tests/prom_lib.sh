# tests/prom_lib.sh: real Prometheus components for a test, on loopback, on
# free ports, with data directories of their own under $T; stopped at exit.
# Source after tests/lib.sh and tmpdir.
# shellcheck shell=sh

# free_port: a TCP port nothing listens on now (the kernel's choice).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# prom_start CONFIG: runs prometheus on a free port with its own TSDB in
# $T/prom-data; sets PROM_PID PROM_URL. Waits until it is ready.
prom_start() {
	command -v prometheus >/dev/null || return 1
	_p=$(free_port)
	prometheus --config.file="$1" --storage.tsdb.path="$T/prom-data" \
	    --web.listen-address="127.0.0.1:$_p" --log.level=warn >"$T/prom.log" 2>&1 &
	PROM_PID=$!
	at_exit "kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null"
	PROM_URL=http://127.0.0.1:$_p
	wait_for 30 curl -sf "$PROM_URL/-/ready" -o /dev/null
}

# node_exporter_start: runs prometheus-node-exporter on a free port; sets
# NE_PID NE_ADDR.
node_exporter_start() {
	command -v prometheus-node-exporter >/dev/null || return 1
	_p=$(free_port)
	NE_ADDR=127.0.0.1:$_p
	prometheus-node-exporter --web.listen-address="$NE_ADDR" >"$T/ne.log" 2>&1 &
	NE_PID=$!
	at_exit "kill $NE_PID 2>/dev/null; wait $NE_PID 2>/dev/null"
	wait_for 20 curl -sf "http://$NE_ADDR/metrics" -o /dev/null
}

# prom_query EXPR: the JSON answer of the instant query EXPR.
prom_query() {
	curl -sf -G "$PROM_URL/api/v1/query" --data-urlencode "query=$1"
}
