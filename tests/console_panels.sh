#!/bin/sh
# One panel, the same keys: every pane (Compute, Detail, Devices, Budgets,
# Alerts), a budget line's ledger and the help overlay, zoomed on a 100x8
# screen so each has more rows than it shows, get the same moving keys in
# the same order:
#   j j ^F ^D G ^U ^B k g
# After each key the screen is appended to a trace, the selected row marked
# with '>' in the first column (the default theme's selection background,
# read from tmux's capture with attributes) and masked (screen_mask); the
# trace of each must equal tests/fixtures/screens/panel_NAME.txt. Where a
# pane has a selection the mark moves, else the first line shown does; the
# bottom border's FIRST-LAST/ROWS says which rows show. Each key must change
# the screen: a key that does nothing fails the check.
# OPSDECK_SCREENS_UPDATE=1 regenerates the traces (read the diff).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 7

MOVES="j j C-f C-d G C-u C-b k g"

# marked: the screen, each line prefixed with '>' when it has the selection's
# background (the default theme's bright-cyan, SGR 106) and ' ' otherwise.
marked() {
	$TM capture-pane -e -p -t c |
	    perl -pe '$_ = (/\e\[(?:\d+;)*106m/ ? ">" : " ") . $_; s/\e\[[0-9;]*m//g'
}

# resize H: the console's window becomes 100 x H.
resize() { $TM resize-window -t c -x 100 -y "$1"; }

# moved: the marked, masked screen differs from $T/before.
moved() { ! marked | screen_mask | cmp -s - "$T/before"; }

# drive NAME: sends MOVES one at a time and appends, after each, "== KEY" and
# the marked, masked screen to a trace, which must equal the expected one;
# fails when a key leaves the screen as it was.
drive() {
	: > "$T/trace"
	_still=""
	for _k in $MOVES; do
		marked | screen_mask > "$T/before"
		keys "$_k"
		wait_for 3 moved || _still="$_still $_k"
		settle ""
		echo "== $_k" >> "$T/trace"
		marked | screen_mask >> "$T/trace"
	done
	[ -z "$_still" ] || { echo "# keys that changed nothing:$_still"; return 1; }
	same_text "panel_$1" < "$T/trace"
}

# Compute, Detail, Alerts and the help: 6 GPU nodes, 13 CPU nodes of which
# 11 are down (an alert each), 2 test-bed controllers; the newest samples a
# minute old, so no host turns stale while the keys are driven
fill --down 10 --age 60 || { not_ok "console_fill"; exit 1; }
console_start 100 20 -- --view compute || { not_ok "console starts"; exit 1; }
settle "21 hosts"
keys z
resize 8
settle "[Compute]"
check "Compute: the selection moves by row, page, half page, to the ends" drive compute

keys : h o s t Space g p u 0 0 1 Enter
settle "gpu001"
keys Enter
settle "[Detail]"
check "Detail: the same keys scroll its lines" drive detail

resize 20
keys Escape
settle ""
for _i in 1 2 3 4; do screen_has "[Alerts]" && break; keys Tab; settle ""; done
keys z
resize 8
settle "[Alerts]"
check "Alerts: the selection moves alike" drive alerts

keys '?'
settle "opsdeck console keys"
check "help overlay: the same keys scroll it" drive help
keys q
wait_gone "opsdeck console keys"

# Devices: the test-bed fixtures in the cache (devices_cache)
devices_cache
console_start 100 20 -- -c "'$T/devices.yaml'" --view devices
settle "▾ energy"
keys z
resize 8
settle "[Devices]"
check "Devices: the selection moves alike (sector and controller lines skipped)" \
    drive devices

# Budgets: the example plan and ledger, after the plan's end
budgets_cache
console_start 100 20 -- -c "'$T/c.yaml'" --view budgets
settle "[Budgets]"
keys z
resize 8
settle "[Budgets]"
check "Budgets: the selection moves alike (headings skipped)" drive budgets
keys Enter
settle "Esc back"
check "a budget line's ledger: the same keys scroll it" drive ledger
keys q
done_testing
