#!/bin/sh
# `opsdeck history --at T`: the fleet as it stood at T, from the cache
# (issue 15). A real collector against two real sshds and a test-bed
# controller: host b's sshd is killed and started again, the controller's
# device faults and recovers; history --at before, during and after prints
# each state, the devices as they stood and the alerts active then, with
# the same keys as snapshot's JSON.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
sshd_setup
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 CLI is not installed"
plan 11

sshd_start a "$NET.1" || { not_ok "sshd starts"; done_testing; }
sshd_start b "$NET.2" || { not_ok "sshd starts"; done_testing; }
known_entry a "$NET.1" >>"$KNOWN"
known_entry b "$NET.2" >>"$KNOWN"
CACHE="$T/cache.db"
ctl() {	# ctl STATE MESSAGE: what the controller reports from now on
	cat >"$T/ctl.yaml.new" <<Y
schema: 1
controller: ctl-1
sector: energy
devices:
  - {id: ess-9, name: ESS nine, kind: ess-monitor, state: $1, message: $2}
Y
	mv "$T/ctl.yaml.new" "$T/ctl.yaml"
}
ctl ok "all cells nominal"
write_config "$T/c.yaml" "$NET.1, $NET.2"
cat >>"$T/c.yaml" <<Y
  - name: beds
    kind: testbed
    transport: local
    hosts: [ctl-1]
    probes: [testbed]
    command: cat $T/ctl.yaml
    interval: 500ms
Y
"$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" >/dev/null 2>"$T/collect.err" &
CPID=$!
at_exit "kill $CPID 2>/dev/null; wait $CPID 2>/dev/null"

q() { sqlite3 "$CACHE" ".timeout 5000" "$1" 2>/dev/null; }	# a busy cache waits
state_of() { q "SELECT state FROM hosts WHERE name = '$1'"; }	# enum: 1 up
dev_state() { q "SELECT state FROM tb_devices WHERE device_id = 'ess-9'"; }
# changes: a figure that moves with every transition and alert written
changes() {
	q "SELECT (SELECT count(*) FROM host_transitions) || '/' ||
	    (SELECT count(*) FROM tb_transitions) || '/' || (SELECT count(*) FROM alert_log)
	    || '/' || (SELECT coalesce(max(cleared_ms), 0) FROM alert_log)"
}
# The three states the test sets up, as the cache shows them now.
all_up() { [ "$(q "SELECT count(*) FROM hosts WHERE state = 1")" = 3 ] && [ "$(dev_state)" = ok ]; }
b_down_fault() { [ "$(state_of "$NET.2")" != 1 ] && [ "$(dev_state)" = fault ]; }
b_back_ok() { [ "$(state_of "$NET.2")" = 1 ] && [ "$(dev_state)" = ok ]; }
# now_at STATE: a second boundary inside a stretch of over two seconds in
# which the cache showed STATE and wrote no transition and no alert, within
# a minute. A host or the controller missing its deadline on a loaded
# machine is not the state the test set up: that stretch does not count,
# the next one does.
now_at() {
	_at= _end=$(( $(date +%s) + 60 ))
	while [ "$(date +%s)" -lt "$_end" ]; do
		_c0=$(changes)
		if "$1"; then
			sleep 1.2
			_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
			sleep 1.2
			[ "$(changes)" = "$_c0" ] && break
			diag "the cache changed around $_at ($_c0 -> $(changes)): another moment" >&2
			_at=
		fi
		sleep 1
	done
	echo "$_at"
}

wait_for 20 all_up
check "every host up and the device ok" all_up
T1=$(now_at all_up)

# b's sshd and its sessions go; the device faults.
for p in $(sshd_pids b); do kill "$p" 2>/dev/null; done
sshd_stop b
ctl fault "cell over 60 C"
wait_for 20 b_down_fault
check "b is no longer up and the device faulted" b_down_fault
T2=$(now_at b_down_fault)

# b returns; the device recovers.
sshd_start b "$NET.2" >/dev/null
ctl ok "all cells nominal"
wait_for 40 b_back_ok
check "b is up again and the device ok" b_back_ok ||
	diag "b: state '$(state_of "$NET.2")' error '$(q "SELECT error FROM hosts WHERE name = '$NET.2'")'"
T3=$(now_at b_back_ok)
kill "$CPID"; wait "$CPID" 2>/dev/null
diag "T1 $T1  T2 $T2  T3 $T3"

for t in 1 2 3; do
	eval "at=\$T$t"
	"$OPSDECK" history --cache "$CACHE" --at "$at" --format json >"$T/at$t.json" 2>"$T/at$t.err"
done
# summary FILE: "name state" per host, "dev id state message", "alert host/device rule"
summary() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for h in d["hosts"]:
    print(h["name"], h["state"])
    for v in h.get("devices", []):
        print("dev", v["id"], v["state"], v["message"])
for a in d["alerts"]:
    print("alert", a["host"] + "/" + (a["device"] or ""), a["rule"])
PY
}
for t in 1 2 3; do summary "$T/at$t.json" >"$T/s$t" 2>&1; diag "at T$t: $(tr '\n' ';' <"$T/s$t")"; done

check "T1: both nodes and the controller up" \
    sh -c "grep -qx '$NET.1 up' '$T/s1' && grep -qx '$NET.2 up' '$T/s1' && grep -qx 'ctl-1 up' '$T/s1'"
check "T1: the device ok, no alert on it" \
    sh -c "grep -qx 'dev ess-9 ok all cells nominal' '$T/s1' && ! grep -q '^alert ctl-1/ess-9' '$T/s1'"
check "T2: b is not up, a is" \
    sh -c "grep -qx '$NET.1 up' '$T/s2' && grep -q '^$NET.2 ' '$T/s2' && ! grep -qx '$NET.2 up' '$T/s2'"
check "T2: the device in fault with its message, and its alert active" \
    sh -c "grep -qx 'dev ess-9 fault cell over 60 C' '$T/s2' && grep -qx 'alert ctl-1/ess-9 device.state' '$T/s2'"
check "T3: b up again, the device ok, its alert gone" \
    sh -c "grep -qx '$NET.2 up' '$T/s3' && grep -qx 'dev ess-9 ok all cells nominal' '$T/s3' && ! grep -q '^alert ctl-1/ess-9' '$T/s3'" ||
	diag "transitions: $(q "SELECT h.name, t.ts_ms, t.from_state, t.to_state, t.error
	    FROM host_transitions t JOIN hosts h ON h.id = t.host_id ORDER BY t.ts_ms" | tr '\n' ';')
	    devices: $(q "SELECT ts_ms, from_state, to_state FROM tb_transitions" | tr '\n' ';')
	    alerts: $(q "SELECT host, rule, raised_ms, cleared_ms FROM alert_log" | tr '\n' ';')"
# the same keys as snapshot's JSON, for every host
keys_same() {
	python3 - "$T/at1.json" <<'PY'
import json, sys
want = {"name", "address", "group", "kind", "state", "error", "sample_time", "cpu", "mem",
        "load", "uptime_s", "net", "disk", "gpus", "sensors"}
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["at"] and all(want <= set(h) for h in d["hosts"]) else 1)
PY
}
check "the same host keys as snapshot's JSON, and \"at\"" keys_same
check "T1: a's figures as of then (memory total known)" python3 -c "
import json, sys
d = json.load(open('$T/at1.json'))
h = [h for h in d['hosts'] if h['name'] == '$NET.1'][0]
sys.exit(0 if h['mem']['total_bytes'] > 0 and h['sample_time'] else 1)"
before=$(date -u -d "$T1 - 1 hour" +%Y-%m-%dT%H:%M:%SZ)
"$OPSDECK" history --cache "$CACHE" --at "$before" >"$T/before.out" 2>"$T/before.err"
check "an hour before: no host yet, and it says how many were not known" \
    sh -c "grep -q '3 hosts were not known yet' '$T/before.err' && [ \$(wc -l <'$T/before.out') -le 2 ]" ||
    diag "$(cat "$T/before.out" "$T/before.err")"
done_testing
