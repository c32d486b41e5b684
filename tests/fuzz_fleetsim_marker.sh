#!/bin/sh
# The fleetsim exec-command fuzz harness over the fixtures plus mutated inputs.
exec "$top_builddir/fuzz/fuzz_fleetsim_marker_check" -n 3000 "$FIXTURES/fleetsim_marker"
