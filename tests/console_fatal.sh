#!/bin/sh
# fatal() on a thread other than the UI thread (as a collector thread out of
# memory) never calls curses itself: it hands its message to the UI thread,
# which ends curses mode, prints the message and aborts. The console's test
# hook OPSDECK_TEST_FATAL_THREAD=MSG starts such a thread, a second after
# the first frame.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 9

fill || { not_ok "console_fill"; exit 1; }
if console_start 100 30 OPSDECK_TEST_FATAL_THREAD=worker-out-of-memory; then
	ok "the console drew its first frame"
else
	not_ok "the console drew its first frame"; screen | sed 's/^/# /'
fi
check "in curses mode (the alternate screen) while it runs" test "$(pane '#{alternate_on}')" = 1
wait_for 5 test -s "$T/exit"
check "it aborted (SIGABRT, status 134)" test "$(cat "$T/exit" 2>/dev/null)" = 134
check "the terminal left the alternate screen (curses mode ended)" \
    test "$(pane '#{alternate_on}')" = 0
check "the worker's message is printed once, after the screen was restored" \
    test "$(grep -c '^opsdeck: fatal: worker-out-of-memory$' "$T/stderr.log")" = 1

# The UI thread does not answer (asleep, as if stuck in a read): after the
# bounded wait (2 s) the worker prints and aborts without touching curses.
console_start 100 30 OPSDECK_TEST_FATAL_THREAD=worker-alone OPSDECK_TEST_FATAL_STUCK=1 >/dev/null
t0=$(date +%s)
check "the console started again" screen_has "Compute"
wait_for 10 test -s "$T/exit"
t1=$(date +%s)
check "it aborted while the UI thread was still asleep (status 134, in under 4 s)" \
    sh -c "[ \"\$(cat '$T/exit')\" = 134 ] && [ $((t1 - t0)) -lt 4 ]"
check "the worker printed its message itself" \
    grep -qx 'opsdeck: fatal: worker-alone' "$T/stderr.log"
check "and left curses alone: the terminal is still in the alternate screen" \
    test "$(pane '#{alternate_on}')" = 1
done_testing
