#!/bin/sh
# The config fuzz harness over the fixtures plus mutated inputs (fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_config_check" -n 3000 "$FIXTURES/config"
