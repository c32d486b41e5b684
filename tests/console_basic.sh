#!/bin/sh
# The console starts on a cache, shows its five panes, the hosts, their states
# and the offline status line; `q` and SIGTERM restore the terminal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 14

fill || { not_ok "console_fill"; exit 1; }
if console_start 120 40; then ok "console starts at 120x40"; else not_ok "console starts"; screen | sed 's/^/# /'; exit 1; fi
for p in Compute Devices Budgets Detail Alerts; do
	check "pane $p is titled" screen_has "$p"
done
check "hosts are listed with state words" sh -c "$TM capture-pane -p -t c | grep -q 'gpu004 .*● up' && $TM capture-pane -p -t c | grep -q 'cpu001 .*✖ down'"
check "group header with totals" screen_has "gpu-a100 (nodes)  up 6/6"
check "offline status line with the data's time" sh -c "$TM capture-pane -p -t c | tail -n 1 | grep -Eq 'offline, data from [0-9]{2}:[0-9]{2}:[0-9]{2} \\([0-9]+s ago\\)'"
check "alerts list hosts that are not up, with errors" screen_has "cpu001 down: connection refused"
check "Devices and Budgets say what is missing" sh -c "$TM capture-pane -p -t c | grep -q 'no budget configured'"
check "terminal in the alternate screen while running" test "$(pane '#{alternate_on}')" = 1
keys q
if quit_ok; then ok "q quits with status 0 and restores the terminal"; else not_ok "q restores the terminal"; fi

console_start 100 30 >/dev/null
kill -TERM "$(pane '#{pane_pid}')"
if quit_ok; then ok "SIGTERM ends it cleanly, terminal restored"; else not_ok "SIGTERM"; fi
done_testing
