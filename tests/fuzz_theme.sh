#!/bin/sh
# The theme fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_theme_check" -n 3000 "$FIXTURES/theme"
