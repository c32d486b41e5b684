#!/bin/sh
# Money never overflows, end to end on a temp cache: ten ledger rows of 10^18
# won are refused at the row that tips the sum, and so is a second file that
# would take the cache past 10^18; `budget imports` lists each import (id,
# file, rows, total, when) in table, csv and json; `budget undo ID` removes
# one whole and nothing else; a cache filled before the check (rows whose
# sum overflows int64) still reports, and its rows can be undone.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 20

export HOME="$T" XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/state"
PLAN="$top_srcdir/examples/budget.yaml"
LEDGER="$top_srcdir/examples/ledger.csv"
C="$T/cache.db"
B() { "$OPSDECK" budget "$@"; }
# the "used" column of the csv total row
spent() {
	B report --plan "$PLAN" --cache "$C" --as-of 2024-12-31 --format csv 2>/dev/null |
	    awk -F, '$1 == "total" { print $7 }'
}
# ledger FILE AMOUNT N: N rows of AMOUNT won on infra/building
ledger() {
	{ echo "date,programme,item,amount,vendor,memo"
	  _i=1; while [ $_i -le "$3" ]; do
		echo "2021-01-$(printf %02d $_i),infra,building,$2,v,row $_i"; _i=$((_i + 1))
	  done; } >"$1"
}

B import --plan "$PLAN" --cache "$C" "$LEDGER" >/dev/null
base=$(spent)
check "the example ledger is in ($base)" [ "$base" = 83050000000 ]

ledger "$T/ten.csv" 1000000000000000000 10
B import --plan "$PLAN" --cache "$C" "$T/ten.csv" >"$T/out" 2>"$T/err"; rc=$?
check "ten rows of 10^18 won: exit 1" [ $rc -eq 1 ]
check "refused at the row that tips it, FILE:LINE" [ "$(head -1 "$T/err")" = \
    "$T/ten.csv:3: the amounts add up to more than 1000000000000000000 won with this row" ]
check "nothing imported" [ "$(spent)" = "$base" ]

# one file fits alone, the second would take the cache past 10^18
ledger "$T/a.csv" 900000000000000000 1
ledger "$T/b.csv" 100000000000000000 3
B import --plan "$PLAN" --cache "$C" "$T/a.csv" >/dev/null; rc=$?
check "9 x 10^17 won alone imports" [ $rc -eq 0 ]
B import --plan "$PLAN" --cache "$C" "$T/b.csv" >"$T/out" 2>"$T/err"; rc=$?
past_cap() {
	[ $rc -eq 1 ] &&
	    [ "$(head -1 "$T/err")" = "$T/b.csv:2: with this row the ledger in the cache would add up to more than 1000000000000000000 won (amounts taken without sign)" ]
}
check "a file taking the cache past 10^18: exit 1 at its row 2 (line 2)" past_cap
want=$((base + 900000000000000000))
check "the report stands at the sum of what was taken ($(spent))" [ "$(spent)" = "$want" ]

B imports --cache "$C" --format csv >"$T/imports.csv"; rc=$?
check "imports csv: exit 0" [ $rc -eq 0 ]
awk -F, 'NR > 1 { print $1, $3, $4 }' "$T/imports.csv" >"$T/got"
printf '1 34 83050000000\n2 1 900000000000000000\n' >"$T/want"
check "imports csv: id, rows, total of each import, none for the refused ones" \
    cmp -s "$T/got" "$T/want"
cut -d, -f2 "$T/imports.csv" | sed -n 3p | grep -qx "$T/a.csv"
check "with the file" [ $? -eq 0 ]
B imports --cache "$C" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)["imports"]
assert [(i["id"], i["rows"], i["total"]) for i in d] == [(1, 34, 83050000000), (2, 1, 900000000000000000)], d
# RFC 3339 in Asia/Seoul, the same instant as imported_ms
from datetime import datetime
assert all(i["imported_at"].endswith("+09:00") and i["imported_ms"] > 0 and
           int(datetime.fromisoformat(i["imported_at"]).timestamp()) == i["imported_ms"] // 1000
           for i in d), d
' 2>"$T/err"
check "imports json: the same" [ $? -eq 0 ]
B imports --cache "$C" >"$T/table"
table_ok() {
	[ "$(wc -l <"$T/table")" -eq 3 ] &&
	    grep -q '^ *2  .*a\.csv  *1  *9,000,000,000\.0억원  20' "$T/table"
}
check "imports table: a header and two rows" table_ok

out=$(B undo --cache "$C" 2); rc=$?
check "undo 2: $out" sh -c "[ $rc -eq 0 ] && [ '$out' = 'import 2 removed: 1 rows' ]"
check "spending back where it was" [ "$(spent)" = "$base" ]
B import --plan "$PLAN" --cache "$C" "$T/b.csv" >/dev/null
check "and b.csv now fits" [ "$(spent)" = "$((base + 300000000000000000))" ]
B undo --cache "$C" 2 >"$T/out" 2>"$T/err"; rc=$?
undo_gone() {
	[ $rc -eq 1 ] && grep -q "no import 2 in the cache" "$T/err" &&
	    [ "$(spent)" = "$((base + 300000000000000000))" ]
}
check "undo of an import that is gone: exit 1, nothing removed" undo_gone

# A cache filled before the check (and before imports were recorded): two
# rows whose sum overflows int64.
sqlite3 "$C" "DROP INDEX budget_spend_import; ALTER TABLE budget_spend DROP COLUMN import_id;
    DROP TABLE budget_imports; INSERT INTO budget_spend (key, day, programme, item, amount, vendor, memo,
    source, line, imported_ms) VALUES
    ('old1', 18700, 'infra', 'building', 9000000000000000000, 'v', 'm', 'old.csv', 2, 1000),
    ('old2', 18700, 'infra', 'building', 9000000000000000000, 'v', 'm', 'old.csv', 3, 1000);"
check "(an old cache made)" [ $? -eq 0 ]
B report --plan "$PLAN" --cache "$C" --format json >"$T/r.json" 2>"$T/err"; rc=$?
check "a report on it does not fail (exit $rc)" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/err' ]"
B imports --cache "$C" --format csv | awk -F, 'NR > 1 { print $2, $3 }' >"$T/got"
printf '%s 34\n%s 3\nold.csv 2\n' "$LEDGER" "$T/b.csv" >"$T/want"
check "its rows are listed as imports, one per file and time" cmp -s "$T/got" "$T/want"
id=$(B imports --cache "$C" --format csv | awk -F, '$2 == "old.csv" { print $1 }')
B undo --cache "$C" "$id" >/dev/null
check "and undone, the report is exact again" [ "$(spent)" = "$((base + 300000000000000000))" ]
done_testing
