#!/bin/sh
# The theme fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
# Seeds: the fixtures and the themes opsdeck ships (all valid).
exec "$top_builddir/fuzz/fuzz_theme_check" -n 3000 "$FIXTURES/theme" "$top_srcdir/themes"
