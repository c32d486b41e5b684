#!/bin/sh
# The slurm fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_slurm_check" -n 3000 "$FIXTURES/slurm"
