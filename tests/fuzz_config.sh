#!/bin/sh
# The config fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
# Seeds: the fixtures and every documented valid file (the man page's
# EXAMPLE is examples/config.yaml; fixtures/config/budget_only.yaml).
exec "$top_builddir/fuzz/fuzz_config_check" -n 3000 "$FIXTURES/config" \
    "$top_srcdir/examples/config.yaml"
