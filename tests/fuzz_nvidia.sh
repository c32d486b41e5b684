#!/bin/sh
# The nvidia fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_nvidia_check" -n 3000 "$FIXTURES/nvidia"
