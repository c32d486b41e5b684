#!/bin/sh
# The host_live row codec's fuzz harness over the fixtures (format 1 rows
# that tests/fixtures/store/cache-v5.db.gz upgraded to at version 6, and
# gpu001-v2.bin, the format 2 row, processes and all, that cache-v7.db.gz's
# gpu001 upgrades to) plus mutated inputs.
exec "$top_builddir/fuzz/fuzz_host_live_check" -n 3000 "$FIXTURES/host_live"
