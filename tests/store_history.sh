#!/bin/sh
# store_history.sh: `opsdeck history` against a cache with known contents:
# three hours of 10 s samples of node000 from 2026-01-01 00:00 UTC, where
# cpu.util_pct = tick % 60 (so every hour spans 0..59, avg 29.5, and minute m
# of an hour holds 6(m % 10) .. 6(m % 10) + 5) and mem.used_bytes = tick MiB.
. "$top_srcdir/tests/lib.sh"
W="$top_builddir/tests/store_writer"
[ -x "$W" ] || skip_all "tests/store_writer is not built"
[ -x "$OPSDECK" ] || skip_all "opsdeck is not built"
plan 16
tmpdir
TZ=UTC; export TZ
DB="$T/cache.db"
START=1767225600000	# 2026-01-01T00:00:00Z
"$W" fill "$DB" 1 $START 1080 10000 || { diag "fill failed"; exit 1; }
H() { "$OPSDECK" history --cache "$DB" "$@"; }

# run NAME WANT-STATUS CMD...: output in $T/out, errors in $T/err
run() {
	_name=$1 _want=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; _st=$?
	if [ "$_st" -eq "$_want" ]; then ok "$_name (exit $_st)"; else
		not_ok "$_name: exit $_st, want $_want"; diag "$(cat "$T/out" "$T/err")"; fi
}
has() { grep -q -- "$2" "$T/$1" || { diag "no '$2' in $1:"; diag "$(cat "$T/$1")"; return 1; }; }

run "--help" 0 H --help
check "--help prints the usage" has out "Usage: opsdeck history HOST"
run "no host is a usage error" 2 H
run "an unknown format is a usage error" 2 H node000 --format xml
run "--since with --from is a usage error" 2 H node000 --since 1h --from now
run "a bad --from is a usage error" 2 H node000 --from 'yesterday-ish'
run "an unknown host fails" 1 H nope
check "... saying so" has err "no host 'nope'"
run "an unknown metric fails" 1 H node000 --metric cpu.nope --from 2026-01-01T00:00Z
check "... listing the host's metrics" has err "cpu.util_pct"

H node000 --metric cpu.util_pct --from '2026-01-01 00:00' --to 2026-01-01T00:00:59Z \
	--step raw --format csv >"$T/out"
check "raw samples as CSV: header and 6 rows" [ "$(wc -l <"$T/out")" -eq 7 ]
check "... the first row" has out '^2026-01-01T00:00:00Z,1767225600000,node000,cpu.util_pct,0,0,0$'

H node000 -m cpu.util_pct --from 2026-01-01T00:00Z --to 2026-01-01T02:59:59Z --step 1h \
	--format csv >"$T/out"
n=$(grep -c ',cpu.util_pct,0,29.5,59$' "$T/out")
check "hourly: 3 hours of min 0, avg 29.5, max 59 (rollups and raw)" [ "$n" -eq 3 ]

H node000 -m cpu.util_pct --from '2026-01-01 01:07' --to '2026-01-01 01:07' --step 1m \
	--format csv >"$T/out"
check "one minute from the 1-minute rollups: 42..47, avg 44.5" \
	has out '^2026-01-01T01:07:00Z,1767229620000,node000,cpu.util_pct,42,44.5,47$'

H node000 --from 2026-01-01T00:00Z --to 2026-01-01T00:10Z --step 1m >"$T/out"
check "table: both default metrics as columns" has out 'TIME  *cpu.util_pct  *mem.used_bytes'

H node000 --from 2026-01-01T00:00Z --to 2026-01-01T00:10Z --step 1m --format json >"$T/out"
check "json: step and metric names" sh -c "grep -q '\"step_ms\":60000' '$T/out' &&
	grep -q '\"name\":\"mem.used_bytes\"' '$T/out'"
done_testing
