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

# The UI thread does not answer (asleep for 20 s, as if stuck in a read):
# after the bounded wait (2 s) the worker prints and aborts without touching
# curses. Waiting for the UI would take the whole 20 s: 12 s is no timing
# target, only the line between the two (an ASan build's abort is slow).
t0=$(date +%s%3N)
console_start 100 30 OPSDECK_TEST_FATAL_THREAD=worker-alone OPSDECK_TEST_FATAL_STUCK=1 >/dev/null
check "the console started again" screen_has "Compute"
wait_for 25 test -s "$T/exit"
t1=$(date +%s%3N)
diag "aborted $((t1 - t0)) ms after the start"
check "it aborted while the UI thread was still asleep (status 134, long before 20 s)" \
    sh -c "[ \"\$(cat '$T/exit')\" = 134 ] && [ $((t1 - t0)) -lt 12000 ]"
check "the worker printed its message itself" \
    grep -qx 'opsdeck: fatal: worker-alone' "$T/stderr.log"
check "and left curses alone: the terminal is still in the alternate screen" \
    test "$(pane '#{alternate_on}')" = 1
done_testing
