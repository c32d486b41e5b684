#!/bin/sh
# Alerts follow the alert, not the row (issue 16, item 5): with one alert
# selected in the Alerts pane, a newer alert arrives on top (the pane lists
# the newest first); the selection stays on the alert it was on, and `a`
# acknowledges that one. Before, the selection kept its row number, so the
# new alert took the highlight and `a` acknowledged it instead.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 CLI is not installed"
plan 6

# ctl: DEVICES_STATE_OF_ESS2 -- writes the controller's report atomically
ctl() {
	cat >"$T/ctl.new" <<Y
schema: 1
controller: ctl-1
sector: energy
devices:
  - {id: ess-1, name: ESS one, kind: ess-monitor, state: fault, message: cell over 60 C}
  - {id: ess-2, name: ESS two, kind: ess-monitor, state: $1, message: $2}
Y
	mv "$T/ctl.new" "$T/ctl.yaml"
}
ctl ok "all well"
{
	echo "groups:"
	testbed_group beds tb-1 "cat $T/ctl.yaml" 300ms
} >"$T/c.yaml"
rm -f "$CACHE"*
$TM kill-session -t c 2>/dev/null
$TM new-session -d -s c -x 120 -y 30 \
    "env LANG=C.UTF-8 '$OPSDECK' console -c '$T/c.yaml' --cache '$CACHE' --view devices \
    2>>'$T/stderr.log'"
$TM set-option -t c remain-on-exit on >/dev/null
check "ess-1's fault raises an alert" \
    wait_for 15 sh -c "$TM capture-pane -p -t c | grep -q 'CRIT .*tb-1/ess-1 '"

# select it in the Alerts pane: its only line
keys Tab
wait_screen "[Alerts]" >/dev/null
keys g

# a newer alert arrives on top of it
sleep 1
ctl fault "inverter tripped"
check "a newer alert (ess-2) arrives above the selected one" \
    wait_for 10 sh -c "$TM capture-pane -p -t c | grep -A1 'Alerts.*2 active' |
	grep -q 'tb-1/ess-2 '"

keys a
prompt_ess1() { wait_for 5 screen_has "ack tb-1/ess-1 " && screen_lacks "ack tb-1/ess-2"; }
check "a names the alert that was selected (ess-1), not the row's newcomer" prompt_ess1 ||
	diag "$(screen | tail -2)"
keys "probe replaced" Enter
check "the status line confirms ess-1" wait_screen "acknowledged tb-1/ess-1 device.state"
marked() {
	screen | grep -q '✓ tb-1/ess-1 ' && screen | grep -q 'CRIT .*[0-9]s   tb-1/ess-2 '
}
check "the mark is on ess-1's alert, not on the newcomer above it" wait_for 10 marked
keys q
wait_for 5 sh -c "[ -z \"\$(pgrep -f 'opsdeck console -c $T/c.yaml')\" ]"
# read once the console is gone: see the report of issue 16 on readers polling
# the cache while an acknowledgement is written
check "the cache holds the acknowledgement of ess-1, and only it" \
    [ "$(sqlite3 "$CACHE" "SELECT group_concat(device_id || '|' || note) FROM tb_acks")" = "ess-1|probe replaced" ]
done_testing
