#!/bin/sh
# Fleet-wide order and folds (issue 16, item 1): `t` ungroups Compute into one
# list that `s` sorts across the whole fleet (top CPU of all groups); Space,
# `-` and `+` fold and unfold the selected host's group; folds, grouping,
# sort, filter, view and a :theme choice are kept in the state file
# ($XDG_STATE_HOME/opsdeck/state) for the next start; a bad line of that
# file costs that line only, with a message. Screens are compared whole
# (tests/fixtures/screens/fleet_*.txt, console_lib.sh's same_screen).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 16

fill || { not_ok "console_fill"; exit 1; }
# the fill's groups with a long interval: its hosts stay up (not stale) on screen
cat >"$T/fleet.yaml" <<'Y'
defaults: {interval: 1h}
groups:
  - {name: cpu, transport: local, hosts: "cpu[001-003]"}
  - {name: gpu-a100, transport: local, hosts: "gpu[001-006]"}
  - {name: 광주 에너지 실증센터, kind: testbed, transport: local, hosts: tb-x}
Y
C="-c '$T/fleet.yaml'"
console_start 120 24 -- $C --view compute || { not_ok "console starts"; exit 1; }
settle "11 hosts"

# ungrouped, sorted by CPU: the busiest hosts of every group first
keys t s s
settle "11 hosts, ungrouped"
wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q 'CPU▼'"
check "t then s s: one list of the fleet, busiest CPU first" same_screen fleet_top_cpu
top3() {
	[ "$(screen | sed -n '3,5p' | sed 's/^│//' | awk '{print $1}' | tr '\n' ' ')" = \
	    "gpu005 gpu006 gpu004 " ]
}
check "the top three are gpu005 gpu006 gpu004, across groups" top3 || diag "$(screen)"

# grouped again; fold the group of the selected host (cpu001's: cpu)
keys t
settle "▾ cpu (nodes)"
keys g
keys Space
settle "▸ cpu (nodes)"
check "Space folds the selected host's group to its header" same_screen fleet_folded
# the Compute pane: the lines above the Alerts pane (the alerts name cpu001, cpu002)
compute_has() { screen | sed -n '1,18p' | grep -qF -- "$1"; }
check "the folded group's hosts are gone from the list" eval '! compute_has cpu002' 
keys +
wait_screen "▾ cpu (nodes)"
check "+ unfolds it: its hosts are back" wait_screen "cpu002"
keys -
folded_again() { compute_has "▸ cpu (nodes)" && ! compute_has cpu002; }
check "- folds it again" wait_for 5 folded_again
# a second group folded too, then sort by load and reverse it, and a filter
keys j
keys Space
wait_screen "▸ gpu-a100 (nodes)"
keys : "sort load" Enter r
keys / "00" Enter
wait_screen "filter 00"
keys q
check "q quits" quit_ok
cat >"$T/state.want" <<'E'
# opsdeck console state, written when it quits (opsdeck(1), FILES)
version 1
view compute
sort load
reverse 1
grouped 1
filter 00
fold cpu
fold gpu-a100
E
check "the state file keeps view, sort, direction, grouping, filter and folds" \
    diff -u "$T/state.want" "$STATE_FILE"
check "the state file is 0600" [ "$(stat -c %a "$STATE_FILE")" = 600 ]
check "no temporary file is left beside it" \
    [ "$(ls "$(dirname "$STATE_FILE")" | grep -c .)" = 1 ]

# the next start comes back as it was left
KEEP_STATE=1 console_start 120 24 -- $C || { not_ok "console starts again"; exit 1; }
settle "filter 00"
check "the next start: same view, sort, filter and folds" same_screen fleet_restored

# grouping is kept too, and --view wins over the kept view
keys Escape t
settle "ungrouped"
keys q
quit_ok
KEEP_STATE=1 console_start 120 24 -- $C --view all || { not_ok "console starts"; exit 1; }
settle "ungrouped"
check "--view all wins over the kept view; grouping is kept" \
    sh -c "$TM capture-pane -p -t c | grep -q 'Budgets' && grep -qx 'grouped 0' '$STATE_FILE'"
keys q
quit_ok

# a damaged state file: each bad line costs itself only, with a message
printf 'version 1\nsort cpu\nbogus 1\nreverse 7\nfold \001x\ngrouped 1\n' >"$STATE_FILE"
printf 'fold cpu\n\000\000garbage\nview compute\n' >>"$STATE_FILE"
KEEP_STATE=1 console_start 140 24 -- $C || { not_ok "console starts on a bad state file"; exit 1; }
settle "▸ cpu (nodes)"
check "the good lines apply: sort cpu, cpu folded, the compute view" \
    sh -c "$TM capture-pane -p -t c | grep -q 'CPU▼' &&
	$TM capture-pane -p -t c | grep -q '▸ cpu (nodes)' &&
	! $TM capture-pane -p -t c | grep -q 'Budgets'"
check "the first bad line is named on the status line" \
    wait_screen "state file line 3: an unknown setting, ignored (and more)"
keys q
check "the console quits normally" quit_ok
check "and writes a clean state file over the damaged one" \
    sh -c "! grep -q bogus '$STATE_FILE' && grep -qx 'fold cpu' '$STATE_FILE'"
done_testing
