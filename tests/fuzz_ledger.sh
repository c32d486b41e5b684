#!/bin/sh
# The ledger fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_ledger_check" -n 3000 "$FIXTURES/ledger" "$top_srcdir/examples/ledger.csv"
