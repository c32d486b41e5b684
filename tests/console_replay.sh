#!/bin/sh
# The time cursor (issue 15): the console as the cache had it at a past time,
# whole screens against expected files at 120x36 (console_screens.sh's way).
# The cache holds 90 minutes of a fixed fleet a minute apart, up to a minute
# ago (so that live, every host is stale from the start), gpu002 down
# from 40 to 20 minutes ago (console_fill --timeline): --at -30m shows it
# down with its alert, :at -50m up with its figures, `{` an hour earlier,
# End live again; REPLAY stands apart without colours too.
#
# New expected screens after a deliberate change:
#   OPSDECK_SCREENS_UPDATE=1 make check TESTS=tests/console_replay.sh
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 12

fill --timeline --age 60 || { not_ok "console_fill --timeline"; exit 1; }	# live: all stale
console_start 120 36 -- --at -30m || { not_ok "console starts at -30m"; exit 1; }
settle "REPLAY"
check "--at -30m: gpu002 down with its alert, 3 hosts not known yet" same_screen replay_30m
replay_line() {
	screen | tail -n 1 | grep -Eq '^ REPLAY [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \(30m ago\)'
}
check "the status line starts with REPLAY and the cursor's time" replay_line

keys : a t ' ' - 5 0 m Enter
settle "(50m ago)"
check ":at -50m: every GPU node up, gpu002 with its figures" same_screen replay_50m
check "and no alert then" screen_has "no alerts"

keys '{'
settle "(110m ago)"
up_no_figures() { line_with gpu002 | grep -q '● up' && ! line_with gpu002 | grep -q '%'; }
check "{ : an hour earlier, before gpu002's figures were kept" up_no_figures
cursor() { screen | tail -n 1 | grep -o ' [0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' | head -n 1; }
c0=$(cursor)
keys ']'
moved() { c1=$(cursor); [ -n "$c1" ] && [ "$c1" != "$c0" ]; }
check "] : one interval later (the configuration's smallest)" wait_for 5 moved
diag "cursor$c0-> $(cursor)"
keys End
settle "offline, data from"
check "End: live again" same_screen replay_live
check "and no REPLAY" screen_lacks REPLAY
keys q
quit_ok

# Without colours, REPLAY is still set apart: reverse, bold, underlined.
console_start 120 36 NO_COLOR=1 -- --at -30m >/dev/null
settle "REPLAY"
esc=$(printf '\033')
reverse_replay() { $TM capture-pane -e -p -t c | tail -n 1 | grep -q "${esc}\[[0-9;]*7[0-9;]*m REPLAY"; }
check "NO_COLOR: REPLAY in reverse video" reverse_replay
keys : l i v e Enter
check ":live returns" wait_screen "offline, data from"
keys q

# Budgets as of the cursor's day: the example ledger's 2020 lines are
# 45억 + 62억 + 8.5억 + 12억 (examples/ledger.csv), nothing after counts.
budgets_cache
console_start 120 30 -- -c "'$T/c.yaml'" --view budgets --at "'2020-12-31 12:00'" >/dev/null
check "Budgets at the cursor: as of its day" wait_screen "as of 2020-12-31"
check "spending up to that day only" screen_has "spent 127.5억"
keys q
done_testing
