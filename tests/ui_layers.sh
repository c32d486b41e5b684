#!/bin/sh
# The console's files (src/ui/) call one way, in the layers ui_priv.h lists:
# no import circle among them (tools/depcycles on the objects built from
# this tree's sources), and none is over 800 lines.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
command -v nm >/dev/null 2>&1 || skip_all "no nm"
tmpdir
. "$top_srcdir/tests/objects_lib.sh"
plan 2

link_objects "$T/b"
python3 "$top_srcdir/tools/depcycles" "$T/b" >"$T/cycles" 2>&1
if [ -d "$T/b/src/ui" ] && ! grep -q '^circle: .*src/ui/' "$T/cycles"; then
	ok "src/ui has no import circle"
else
	not_ok "src/ui has no import circle"; sed 's/^/# /' "$T/cycles"
fi
long=$(wc -l "$top_srcdir"/src/ui/*.c "$top_srcdir"/src/ui/*.h | awk '$2 != "total" && $1 > 800')
if [ -z "$long" ]; then
	ok "no file in src/ui is over 800 lines"
else
	not_ok "no file in src/ui is over 800 lines"; diag "$long"
fi
done_testing
