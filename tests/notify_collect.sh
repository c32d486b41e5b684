#!/bin/sh
# The config's notify command (issue 16, item 5) under a headless
# `opsdeck collect`, with a local test-bed controller whose devices fault
# and recover: the command runs on raise and on clear with the alert as
# JSON on stdin and only the config's argv (a device's text with shell
# syntax stays data); a command that hangs is killed at notify_timeout with
# what it started, and collection goes on; past notify_rate a minute the
# alerts are held back and summed up in one "N more alerts suppressed";
# check-config checks the program. A snooze (:snooze writes its row) that
# ends while its alert is still active raises the alert again.
. "$top_srcdir/tests/lib.sh"
tmpdir
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
plan 17

# ctl STATE [N]: the controller reports N devices (default 1) in STATE; the
# first device's message has shell syntax in it, as a hostile host could send
ctl() {
	{
		printf 'schema: 1\ncontroller: ctl-1\nsector: energy\ndevices:\n'
		_i=1
		while [ "$_i" -le "${2:-1}" ]; do
			printf '  - {id: ess-%d, name: ESS %d, kind: ess-monitor, state: %s,' \
			    "$_i" "$_i" "$1"
			printf ' message: "$(touch %s/pwned) `touch %s/pwned`; x"}\n' "$T" "$T"
			_i=$((_i + 1))
		done
	} >"$T/ctl.new"
	mv "$T/ctl.new" "$T/ctl.yaml"
}
# config NOTIFY_YAML...: the config with these notify lines and the controller
config() {
	{
		for _l in "$@"; do echo "$_l"; done
		echo "notify_log: $T/notify.log"
		echo "groups:"
		printf '  - name: beds\n    kind: testbed\n    transport: local\n    hosts: tb-1\n'
		printf '    probes: [testbed]\n    command: cat %s/ctl.yaml\n    interval: 200ms\n' "$T"
	} >"$T/c.yaml"
}
# the notify command: appends its arguments and stdin, one JSON object a line
cat >"$T/notify.sh" <<E
#!/bin/sh
printf '%s\n' "\$*" >>"$T/argv"
cat >>"$T/notified"
E
chmod +x "$T/notify.sh"

# ---- raise and clear ----
ctl fault
config "notify: ['$T/notify.sh', 'one arg', '\$HOME']"
timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$T/c.db" >"$T/collect.log" 2>&1 &
cpid=$!
check "the raise is told" wait_for 15 grep -q '"event":"raise"' "$T/notified"
ctl ok
check "the clear is told" wait_for 15 grep -q '"event":"clear"' "$T/notified"
kill "$cpid"
wait "$cpid"
python3 - "$T/notified" >"$T/check" 2>&1 <<'PY'
import json, re, sys
v = [json.loads(l) for l in open(sys.argv[1])]
rfc = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
keys = {"event", "id", "host", "subject", "metric", "severity", "value", "limit", "message",
        "since", "cleared", "snoozed_until"}
r, c = v[0], v[1]
print("n", len(v))
print("keys", all(set(e) == keys for e in v))
print("raise", r["event"], r["host"], r["subject"], r["metric"], r["severity"],
      r["cleared"] is None, bool(rfc.match(r["since"])), r["value"] is None)
print("clear", c["event"], c["id"] == r["id"], c["since"] == r["since"], bool(rfc.match(c["cleared"])))
print("message", r["message"].startswith("ESS 1 (ess-1) fault: $(touch"))
PY
diag "$(cat "$T/check")"
check "one raise then one clear, nothing else" grep -qx 'n 2' "$T/check"
check "each has the keys of opsdeck alerts, with event, id and limit" grep -qx 'keys True' "$T/check"
check "the raise: host, subject, rule, severity, RFC 3339 since, no clear" \
    grep -qx 'raise raise tb-1 ess-1 device.state crit True True True' "$T/check"
check "the clear: the same alert (id, since) with its clear time" \
    grep -qx 'clear clear True True True' "$T/check"
check "the device's shell syntax arrives as data in the JSON" grep -qx 'message True' "$T/check"
check "and was never run" [ ! -e "$T/pwned" ]
check "argv is the config's, word for word, unexpanded" \
    sh -c "[ \"\$(sort -u '$T/argv')\" = 'one arg \$HOME' ]"

# ---- a command that hangs is killed with what it started ----
cat >"$T/hang.sh" <<E
#!/bin/sh
cat >>"$T/hang.in"
sleep 1000 &
echo \$! >"$T/hang.child"
sleep 1000
E
chmod +x "$T/hang.sh"
rm -f "$T/c.db"*
ctl fault
config "notify: ['$T/hang.sh']" "notify_timeout: 500ms"
start=$(date +%s)
timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$T/c.db" --duration 4s \
    >"$T/collect.log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
check "collect ends on time while the command hangs (exit $rc, ${took}s)" \
    sh -c "[ $rc -eq 0 ] && [ $took -le 8 ]"
check "the hanging command was killed at its timeout, and says so in the log" \
    sh -c "grep -q 'opsdeck notify: $T/hang.sh killed after 500 ms' '$T/notify.log' &&
	grep -q '\"event\":\"raise\"' '$T/hang.in'"
gone() { ! kill -0 "$(cat "$T/hang.child")" 2>/dev/null; }
check "what it started in the background went with it (its process group)" wait_for 5 gone

# ---- the rate: 2 a minute, then one summary ----
rm -f "$T/c.db"* "$T/notified"
ctl fault 6
config "notify: ['$T/notify.sh']" "notify_rate: 2"
timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$T/c.db" --duration 3s \
    >"$T/collect.log" 2>&1
python3 - "$T/notified" >"$T/rate" 2>&1 <<'PY'
import json, sys
v = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(e["event"] for e in v))
s = [e for e in v if e["event"] == "suppressed"]
print(s[0]["count"], s[0]["message"] if s else "")
PY
diag "$(cat "$T/rate")"
check "6 raises at notify_rate 2: two told, then one summary of the 4 others" \
    sh -c "[ \"\$(head -1 '$T/rate')\" = 'raise raise suppressed' ] &&
	[ \"\$(tail -1 '$T/rate')\" = '4 4 more alerts suppressed' ]"

# ---- a snooze that ends while the alert is active: raised again ----
cat >"$T/stamp.sh" <<E
#!/bin/sh
printf '%s ' "\$(date +%s%3N)" >>"$T/stamped"
cat >>"$T/stamped"
E
chmod +x "$T/stamp.sh"
rm -f "$T/c.db"*
ctl fault
config "notify: ['$T/stamp.sh']"
timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$T/c.db" >"$T/collect.log" 2>&1 &
cpid=$!
wait_for 15 grep -q '"event":"raise"' "$T/stamped"
until_ms=$(( $(date +%s%3N) + 2000 ))
# what the console's :snooze writes (console_snooze.sh drives that)
sqlite3 "$T/c.db" ".timeout 5000" "INSERT INTO alert_snooze(host, device, rule, until_ms,
    user, set_ms) SELECT host, device, rule, $until_ms, 'tester', 0 FROM alert_log
    WHERE cleared_ms IS NULL"
raises() { [ "$(grep -c '"event":"raise"' "$T/stamped")" -ge "$1" ]; }
check "the alert is raised again once its snooze has ended" wait_for 15 raises 2
kill "$cpid"
wait "$cpid"
python3 - "$T/stamped" "$until_ms" >"$T/woke" 2>&1 <<'PY'
import json, sys
v = [(int(l.split(" ", 1)[0]), json.loads(l.split(" ", 1)[1])) for l in open(sys.argv[1])]
r = [(t, e) for t, e in v if e["event"] == "raise"]
print("n", len(v), "same", r[0][1]["id"] == r[1][1]["id"],
      "after", r[1][0] >= int(sys.argv[2]), "unsnoozed", r[1][1]["snoozed_until"] is None)
PY
diag "$(cat "$T/woke")"
check "once, not before the snooze's end, the same alert, not snoozed" \
    grep -qx 'n 2 same True after True unsnoozed True' "$T/woke"
check "the snooze that ended is gone from the cache" \
    sh -c "[ \"\$(sqlite3 '$T/c.db' 'SELECT count(*) FROM alert_snooze')\" = 0 ]"

config "notify: [opsdeck-no-such-notify, x]"
"$OPSDECK" check-config -c "$T/c.yaml" >"$T/cc.out" 2>&1
check "check-config: a notify program that is not in \$PATH is an error" \
    grep -q "^$T/c.yaml:1:9: notify program 'opsdeck-no-such-notify' is not in \\\$PATH" "$T/cc.out"
done_testing
