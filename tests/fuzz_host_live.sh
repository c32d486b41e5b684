#!/bin/sh
# The host_live row codec's fuzz harness over the fixtures (rows that
# tests/fixtures/store/cache-v5.db.gz upgrades to) plus mutated inputs.
exec "$top_builddir/fuzz/fuzz_host_live_check" -n 3000 "$FIXTURES/host_live"
