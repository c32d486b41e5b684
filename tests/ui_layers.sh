#!/bin/sh
# The console's files (src/ui/) call one way, in the layers ui_priv.h lists:
# no two files call each other, directly or round a circle (tools/circles),
# and none is over 800 lines.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
tmpdir
plan 2

if "$top_srcdir/tools/circles" "$top_srcdir/src/ui" >"$T/graph" 2>&1; then
	ok "src/ui has no import circle"
else
	not_ok "src/ui has no import circle"; sed 's/^/# /' "$T/graph"
fi
long=$(wc -l "$top_srcdir"/src/ui/*.c "$top_srcdir"/src/ui/*.h | awk '$2 != "total" && $1 > 800')
if [ -z "$long" ]; then
	ok "no file in src/ui is over 800 lines"
else
	not_ok "no file in src/ui is over 800 lines"; diag "$long"
fi
done_testing
