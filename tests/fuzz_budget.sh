#!/bin/sh
# The budget fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_budget_check" -n 3000 "$FIXTURES/budget" "$top_srcdir/examples/budget.yaml"
