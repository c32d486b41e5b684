#!/bin/sh
# Key console screens compared whole against expected files, as tmux's own
# regress tests do: the pane is captured (tmux capture-pane -p) into a file,
# the text that depends on the clock is masked, and the result must equal
# tests/fixtures/screens/NAME.txt line for line.
#
# The masking of what depends on the clock is screen_mask's (console_lib.sh,
# the only place).
#
# To take new expected screens after a deliberate change of the console:
#   OPSDECK_SCREENS_UPDATE=1 make check TESTS=tests/console_screens.sh
# then read the diff of tests/fixtures/screens/ before committing it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 5

# a fixed fleet: 6 GPU nodes, 3 CPU nodes in set states, 2 test-bed controllers
fill || { not_ok "console_fill"; exit 1; }
console_start 120 40 || { not_ok "console starts"; exit 1; }
settle "11 hosts"
check "compute view of the fixed fleet, 120x40" same_screen compute
keys '?'
settle "opsdeck console keys"
check "help overlay" same_screen help
keys q
wait_gone "opsdeck console keys"

# Devices: the test-bed fixtures in the cache (devices_cache)
devices_cache
check "the controllers' reports are collected" test -s "$CACHE"
console_start 160 40 -- -c "'$T/devices.yaml'" --view devices
settle "▾ healthcare"
check "devices view, 160x40" same_screen devices

# Budgets: the example plan and ledger, after the plan's end (nothing moves)
budgets_cache
console_start 120 40 -- -c "'$T/c.yaml'" --view budgets
settle "광주 인공지능 산업융합 집적단지 조성사업"
check "budgets view of the example plan, 120x40" same_screen budgets
keys q
done_testing
