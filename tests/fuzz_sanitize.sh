#!/bin/sh
# The sanitize fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_sanitize_check" -n 3000 "$FIXTURES/sanitize"
