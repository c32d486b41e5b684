#!/bin/sh
# The hostlist fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_hostlist_check" -n 3000 "$FIXTURES/hostlist"
