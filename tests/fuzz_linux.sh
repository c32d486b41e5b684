#!/bin/sh
# The linux fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_linux_check" -n 3000 "$FIXTURES/linux"
