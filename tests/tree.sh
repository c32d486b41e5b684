#!/bin/sh
# The tree shows the flow and keeps it (docs/DESIGN.md): no import circle
# between any two source files (tools/depcycles on the objects built from
# this tree's sources), no source file over 800 lines, and the collector's
# engine (src/source) includes no feature's header: what a report means is
# src/publish's business.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
command -v nm >/dev/null 2>&1 || skip_all "no nm"
tmpdir
. "$top_srcdir/tests/objects_lib.sh"
plan 3

link_objects "$T/b"
if python3 "$top_srcdir/tools/depcycles" "$T/b" >"$T/cycles" 2>&1 && [ -d "$T/b/src/source" ]; then
	ok "no import circle anywhere in src/"
else
	not_ok "no import circle anywhere in src/"; sed 's/^/# /' "$T/cycles"
fi
long=$(find "$top_srcdir/src" -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 800')
if [ -z "$long" ]; then
	ok "no source file is over 800 lines"
else
	not_ok "no source file is over 800 lines"; diag "$long"
fi
feat=$(grep -ln '#include "opsdeck/\(feature\|alert\|testbed\|budget\)\.h"' \
    "$top_srcdir"/src/source/*.[ch] "$top_srcdir"/include/opsdeck/collector.h \
    "$top_srcdir"/include/opsdeck/source.h "$top_srcdir"/include/opsdeck/publish.h)
if [ -z "$feat" ]; then
	ok "the engine includes no feature header"
else
	not_ok "the engine includes no feature header"; diag "$feat"
fi
done_testing
