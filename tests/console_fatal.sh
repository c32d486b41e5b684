#!/bin/sh
# fatal() on a thread other than the UI thread (as a collector thread out of
# memory) never calls curses itself: it hands its message to the UI thread,
# which ends curses mode, prints the message and aborts. The console's test
# hook OPSDECK_TEST_FATAL_THREAD=MSG starts such a thread, a second after
# the first frame.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 5

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
done_testing
