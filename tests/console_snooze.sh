#!/bin/sh
# :snooze (issue 16, item 5): the alert selected in the Alerts pane is
# silenced until a time, by its identity (host, subject, rule), through the
# one writer, so `opsdeck alerts` sees it; it shows as snoozed with its end,
# is not counted active; it stays snoozed when it clears and comes back, and
# that raise runs no notify command while the clear and the other alerts do
# (the console's own collector runs the config's notify); `:snooze off` ends it.
# Then --offline beside a headless `opsdeck collect`: the same through the
# console's short write, seen by `opsdeck alerts`.
. "$top_srcdir/tests/lib.sh"
# A snooze's end shows as HH:MM when it falls today and with its date when
# not: put local time near 10:00 whatever the hour of the run, so that
# "2h" from now is always today (a run at 22:03 UTC failed here). Before
# console_lib.sh: its tmux server gives the console its environment.
h=$(date -u +%-H)
off=$((h - 10))
[ "$off" -gt 12 ] && off=$((off - 24))
[ "$off" -lt -12 ] && off=$((off + 24))
if [ "$off" -ge 0 ]; then TZ="OPS+$off"; else TZ="OPS$off"; fi
export TZ
. "$top_srcdir/tests/console_lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
plan 15

# ctl STATE_OF_ESS2: the controller's report, written atomically
ctl() {
	cat >"$T/ctl.new" <<Y
schema: 1
controller: ctl-1
sector: energy
devices:
  - {id: ess-1, name: ESS one, kind: ess-monitor, state: fault, message: cell over 60 C}
  - {id: ess-2, name: ESS two, kind: ess-monitor, state: $1, message: inverter}
Y
	mv "$T/ctl.new" "$T/ctl.yaml"
}
ctl fault
printf '#!/bin/sh\ncat >>"%s"\n' "$T/notified" >"$T/notify.sh"
chmod +x "$T/notify.sh"
{
	echo "notify: ['$T/notify.sh']"
	echo "groups:"
	testbed_group beds tb-1 "cat $T/ctl.yaml" 300ms
} >"$T/c.yaml"
rm -f "$CACHE"*
$TM kill-session -t c 2>/dev/null
$TM new-session -d -s c -x 120 -y 24 \
    "env LANG=C.UTF-8 '$OPSDECK' console -c '$T/c.yaml' --cache '$CACHE' --view devices \
    2>>'$T/stderr.log'; echo \$? >'$T/exit'"
$TM set-option -t c remain-on-exit on >/dev/null
check "both faults raise an alert" wait_for 15 screen_has "2 active, 2 critical, 0 cleared"

# events EVENT SUBJECT: how many notifications of that event and subject came
events() {
	python3 - "$T/notified" "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]) if __import__("os").path.exists(sys.argv[1]) else []:
    e = json.loads(line)
    n += e["event"] == sys.argv[2] and e["subject"] == sys.argv[3]
print(n)
PY
}
both_raised() { [ "$(events raise ess-1)" = 1 ] && [ "$(events raise ess-2)" = 1 ]; }
check "the console's collector notified both raises" wait_for 10 both_raised

# the first alert line is ess-2 (raised with ess-1, the higher id first)
keys Tab
wait_screen "[Alerts]"
keys g : "snooze 2h" Enter
check "the status line names the alert and the end" \
    wait_for 10 sh -c "$TM capture-pane -p -t c | grep -q 'snoozed tb-1/ess-2 device.state until [0-9][0-9]:[0-9][0-9]'"
snoozed_shown() {
	screen_has "1 active, 1 critical, 1 snoozed, 0 cleared" &&
	    line_with "tb-1/ess-2 " | grep -q 'snoozed until [0-9][0-9]:[0-9][0-9]'
}
check "Alerts: not counted active, listed below the active one with its end" \
    wait_for 10 snoozed_shown
settle "1 snoozed"
alerts_pane() { screen | tail -6 | screen_mask | same_text snooze_alerts; }
check "the Alerts pane, whole" alerts_pane
"$OPSDECK" alerts -c "$T/c.yaml" --cache "$CACHE" >"$T/alerts.txt" 2>&1
check "opsdeck alerts: ess-2 is snoozed, ess-1 active" \
    sh -c "grep -q '^crit  snoozed .* ess-2 ' '$T/alerts.txt' &&
	grep -q '^crit  active .* ess-1 ' '$T/alerts.txt' &&
	tail -1 '$T/alerts.txt' | grep -qx '1 active, 1 snoozed, 0 cleared'"

# it clears and comes back: still snoozed (by its key), its raise tells nobody
ctl ok
clear_told() { [ "$(events clear ess-2)" = 1 ]; }
check "ess-2 clears: the clear is notified" wait_for 10 clear_told
ctl fault
back_snoozed() {
	line_with "CRIT" >/dev/null && screen | grep 'tb-1/ess-2 ' | grep -v cleared |
	    grep -q 'snoozed until'
}
check "it comes back as a new alert, still snoozed" wait_for 10 back_snoozed
sleep 1	# a tick more: a notification would be out by now
check "its new raise notified nobody" [ "$(events raise ess-2)" = 1 ]

# :snooze off on the snoozed alert; the selection is still on ess-2 (its identity)
keys : "snooze off" Enter
check ":snooze off ends it" wait_screen "tb-1/ess-2 device.state snoozed no more"
check "and it counts as active again" wait_for 10 screen_has "2 active, 2 critical"
keys q
check "the console quits" wait_for 10 test -s "$T/exit"

# --offline beside a headless collector: the console's short write
"$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" >"$T/collect.log" 2>&1 &
cpid=$!
at_exit "kill $cpid 2>/dev/null"
sleep 1
console_start 120 24 -- -c "'$T/c.yaml'" --view devices || { not_ok "console --offline"; exit 1; }
keys Tab
wait_screen "[Alerts]"
keys g : "snooze 30m" Enter
check "--offline: the snooze is written beside the running collector" \
    wait_for 10 sh -c "$TM capture-pane -p -t c | grep -q 'snoozed tb-1/ess-[12] device.state until'"
snoozed_cli() {
	"$OPSDECK" alerts -c "$T/c.yaml" --cache "$CACHE" --format json >"$T/a.json" 2>/dev/null &&
	python3 - "$T/a.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
s = [a for a in v if a["snoozed_until"]]
sys.exit(0 if len(s) == 1 and s[0]["subject"] in ("ess-1", "ess-2") else 1)
PY
}
check "opsdeck alerts --format json gives it snoozed_until" wait_for 10 snoozed_cli
keys : "snooze soon" Enter
check "a bad :snooze argument is refused with the usage" \
    wait_screen ":snooze DURATION (30m, 2h, 1d; at most 90d) or :snooze off"
keys q
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
done_testing
