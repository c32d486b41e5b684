#!/bin/sh
# The chunk codec's fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_chunk_check" -n 3000 "$FIXTURES/chunk"
