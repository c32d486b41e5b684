#!/bin/sh
# The Devices pane at 80x24 (issue 16, item 7): in the all view it is one row
# high and half the width; it opens at its first sector's header with the
# sector's counts, not scrolled to its first device past the headers; focused
# (Tab), the selection shows with its device id (the state as a glyph, so
# the id fits in 38 cells). The devices view opens at its column header and
# keeps the ID column. Screens compared whole (tests/fixtures/screens/).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 6

devices_cache
check "the controllers' reports are collected" test -s "$CACHE"
# a long interval: the controllers never turn stale on screen, however slow the machine
sed -i 's/^\(    command: .*\)$/\1\n    interval: 1h/' "$T/devices.yaml"
console_start 80 24 -- -c "'$T/devices.yaml'" || { not_ok "console starts"; exit 1; }
settle "▾ energy"
# A report's age moves the text after it, and at 80 columns cuts "ago" to
# "a…" or not: wait until every age has two digits (10 to 99 s) before
# comparing whole screens.
no_short_age() { ! screen | grep -Eq 'report [0-9]s'; }
wait_for 15 no_short_age
check "all view, 80x24: the Devices pane opens at its sector header" \
    sh -c "$TM capture-pane -p -t c | grep -q '^│▾ energy  1 controller, 6 devices  ● …│'"
check "the all view at 80x24, whole" same_screen devices80_all
keys Tab Tab
wait_screen "[Devices]"
check "focused: the selected device shows, with its glyph and id" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q '^│  ▲ 에너지 검출·분… edet-02        3h │'"
keys q
quit_ok
console_start 80 24 -- -c "'$T/devices.yaml'" --view devices || { not_ok "console starts"; exit 1; }
settle "▾ healthcare"
wait_for 15 no_short_age
check "devices view, 80x24: opens at its headers, the ID column kept (whole screen)" \
    same_screen devices80_view
keys q
check "q quits" quit_ok
done_testing
