#!/bin/sh
# The history time parser's fuzz harness over the fixtures plus mutated inputs.
exec "$top_builddir/fuzz/fuzz_history_time_check" -n 3000 "$FIXTURES/history_time"
