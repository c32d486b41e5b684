#!/bin/sh
# Resizing: 200x60 -> 80x24 -> 200x60 -> 300x100 re-lays the screen without
# garbage (every pane line between borders, nothing wider than the screen),
# in each view, zoomed, and with the help overlay open.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 12

fill --nodes 40 || { not_ok "console_fill"; exit 1; }
console_start 200 60 || { not_ok "console starts"; exit 1; }

# resize W H: resize the window and wait until the status line is redrawn at
# the new width, then check the borders.
resize() {
	$TM resize-window -t c -x "$1" -y "$2"
	wait_for 5 sh -c "[ \$($TM capture-pane -p -t c | wc -l) -eq $2 ] &&
	    $TM capture-pane -p -t c | tail -n 1 | grep -q 'q quit'" &&
	wait_for 3 borders_ok "$1" "$2" >/dev/null
	borders_ok "$1" "$2"
}

check "200x60: panes bordered" borders_ok 200 60
check "200x60 -> 80x24" resize 80 24
check "80x24: all five panes still there" sh -c "$TM capture-pane -p -t c | grep -q Compute && $TM capture-pane -p -t c | grep -q Alerts && $TM capture-pane -p -t c | grep -q Budgets"
check "80x24 -> 200x60" resize 200 60
check "200x60 -> 300x100" resize 300 100
check "300x100: all 40 GPU nodes listed" screen_has "gpu040"
keys 1
check "compute view at 300x100" wait_for 3 borders_ok 300 100
check "compute view 300x100 -> 80x24" resize 80 24
keys z
check "zoomed at 80x24" wait_for 3 borders_ok 80 24
keys z 4
check "back to all, 81x25" resize 81 25
keys '?'
wait_screen "opsdeck console keys"
$TM resize-window -t c -x 100 -y 30
check "help overlay survives a resize" wait_screen "opsdeck console keys"
keys q
check "and closes to an intact screen" wait_for 3 borders_ok 100 30
done_testing
