#!/bin/sh
# The Prometheus API answer fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_promapi_check" -n 3000 "$FIXTURES/promapi"
