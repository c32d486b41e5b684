#!/bin/sh
# `opsdeck budget import` end to end on a temp cache: a ledger imported twice
# counts once, a bad row aborts with FILE:LINE and imports nothing, sacct
# output becomes compute use per tenant, month boundaries in Asia/Seoul.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 25

export HOME="$T" XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/state"
PLAN="$top_srcdir/examples/budget.yaml"
LEDGER="$top_srcdir/examples/ledger.csv"
C="$T/cache/budget.db"
B() { "$OPSDECK" budget "$@"; }

# the "used" column of the csv total row: all spending up to --as-of
spent() {
	B report --plan "$PLAN" --cache "$C" --as-of "${1:-2024-12-31}" --format csv 2>/dev/null |
	    awk -F, '$1 == "total" { print $7 }'
}
# GPU-hours used by tenant ID in the period holding DATE (csv)
gpu_used() {
	B report --plan "$PLAN" --cache "$C" --as-of "$2" --format csv 2>/dev/null |
	    awk -F, -v t="$1" '$1 == "tenant" && $3 == t { print $7 }'
}

out=$(B import --plan "$PLAN" --cache "$C" "$LEDGER"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$LEDGER: 34 rows imported, 0 already in the cache" ]
check "the example ledger imports: $out" [ $? -eq 0 ]
mode=$(stat -c %a "$C")
check "the cache is created 0600 ($mode)" [ "$mode" = 600 ]
total=$(spent)
check "spending as of the end is 830.5억원 ($total)" [ "$total" = 83050000000 ]
out=$(B import --plan "$PLAN" --cache "$C" "$LEDGER"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$LEDGER: 0 rows imported, 34 already in the cache" ]
check "importing it again adds nothing: $out" [ $? -eq 0 ]
check "and spending is unchanged" [ "$(spent)" = "$total" ]
# the same file through stdin, and the same rows in another order and spelling
cat "$LEDGER" | B import --plan "$PLAN" --cache "$C" - >"$T/out"
grep -q "^-: 0 rows imported, 34 already" "$T/out"; check "stdin: nothing new" [ $? -eq 0 ]
{ echo "memo,vendor,amount,item,programme,date"
  echo "외장 및 설비 공사 기성,빛고을종합건설 (주),\"4,500,000,000\",building,infra,2021-09-15"
  echo "추가 공사,빛고을종합건설 (주),1억,집적단지 건물·부대시설,AI 인프라 (데이터센터·실증장비),2021-12-31"
} >"$T/more.csv"
out=$(B import --plan "$PLAN" --cache "$C" "$T/more.csv")
check "a row written differently is known, a new one is added: $out" \
    [ "$out" = "$T/more.csv: 1 rows imported, 1 already in the cache" ]
total=$((total + 100000000))
check "spending grew by 1억원 only" [ "$(spent)" = "$total" ]

# A bad row aborts the whole import with FILE:LINE.
B import --plan "$PLAN" --cache "$C" "$FIXTURES/ledger/bad_row.csv" >"$T/out" 2>"$T/err"; rc=$?
check "a ledger with a bad row exits 1" [ $rc -eq 1 ]
check "FILE:LINE: message" [ "$(head -1 "$T/err")" = \
    "$FIXTURES/ledger/bad_row.csv:4: bad amount '3.5억억': expected a number" ]
grep -q "nothing was imported" "$T/err"; check "and says nothing was imported" [ $? -eq 0 ]
check "the good rows before it were not imported" [ "$(spent)" = "$total" ]
printf 'date,programme,item,amount,vendor,memo\n2021-01-04,talent,training,1억,a,b\n2021-01-05,marketing,,1억,a,b\n' >"$T/unknown.csv"
B import --plan "$PLAN" --cache "$C" "$T/unknown.csv" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "^$T/unknown.csv:3: unknown programme 'marketing'" "$T/err"
check "an unknown programme aborts with FILE:LINE" [ $? -eq 0 ]
check "and imports nothing" [ "$(spent)" = "$total" ]
B import --plan "$PLAN" --cache "$C" "$T/none.csv" 2>/dev/null
check "a missing file exits 1" [ $? -eq 1 ]

# Year boundary in Seoul: the 2021-12-31 row counts as of that day, not the day before.
check "as of 2021-12-30 the 12-31 row does not count" \
    [ "$(spent 2021-12-30)" = "$((total - 100000000))" ]

# Compute use from sacct, one day's output.
S="$FIXTURES/slurm/sacct_day.txt"
out=$(B import --sacct --day 2021-02-28 --cache "$C" "$S"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$S: 13 jobs of 9 accounts; 12 added use on 2021-02-28" ]
check "sacct output imports: $out" [ $? -eq 0 ]
out=$(B import --sacct --day 2021-02-28 --cache "$C" "$S")
check "the same output again adds nothing: $out" \
    [ "$out" = "$S: 13 jobs of 9 accounts; 0 added use on 2021-02-28" ]
check "auto01 used 384 GPU-hours in February" [ "$(gpu_used auto01 2021-02-28)" = 384.00 ]
check "the month turns in Seoul: none in March" [ "$(gpu_used auto01 2021-03-01)" = 0.00 ]
check "none the day before the import" [ "$(gpu_used auto01 2021-02-27)" = 0.00 ]
check "two accounts of one company add up" [ "$(gpu_used co-mobility 2021-02-28)" = 0.17 ]
B report --plan "$PLAN" --cache "$C" --as-of 2021-02-28 --format json 2>/dev/null |
    grep -q '"id":"auto03",[^}]*"gpus_running":4,"nodes_running":1,"jobs_running":1}'
check "a running job's GPUs show as held by its tenant" [ $? -eq 0 ]
B import --sacct --cache "$C" "$FIXTURES/budget/minimal.yaml" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "sacct line 1: 1 fields, expected 7" "$T/err"
check "output that is not sacct's is refused with its line" [ $? -eq 0 ]
B import --day 2021-01-01 --plan "$PLAN" --cache "$C" "$LEDGER" 2>/dev/null
check "--day without --sacct is a usage error" [ $? -eq 2 ]
done_testing
