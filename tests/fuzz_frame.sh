#!/bin/sh
# The frame fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_frame_check" -n 3000 "$FIXTURES/frame"
