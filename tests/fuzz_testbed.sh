#!/bin/sh
# The testbed fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_testbed_check" -n 3000 "$FIXTURES/testbed"
