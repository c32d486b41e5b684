#!/bin/sh
# The ipmi fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_ipmi_check" -n 3000 "$FIXTURES/ipmi"
