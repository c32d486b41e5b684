#!/bin/sh
# The time parser's fuzz harness over the fixtures plus mutated inputs.
exec "$top_builddir/fuzz/fuzz_time_check" -n 5000 "$FIXTURES/time"
