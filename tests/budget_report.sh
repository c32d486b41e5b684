#!/bin/sh
# `opsdeck budget report` end to end: the DOMAIN.md plan's totals in every
# format, Korean names aligned by display width, the plan found through the
# config (relative to it), plan errors as FILE:LINE:COL, usage errors.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 31

export HOME="$T" XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/state"
PLAN="$top_srcdir/examples/budget.yaml"
C="$T/cache.db"

out=$("$OPSDECK" budget --help); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "budget report" && echo "$out" | grep -q "budget import"
check "budget --help exits 0 and shows report and import" [ $? -eq 0 ]

# No cache yet: the plan alone.
"$OPSDECK" budget report --plan "$PLAN" --cache "$C" --as-of 2021-12-31 >"$T/out" 2>"$T/err"
check "report without a cache exits 0" [ $? -eq 0 ]
grep -q "no cache at $C" "$T/err"; check "and says no spending was imported" [ $? -eq 0 ]
[ ! -e "$C" ]; check "and does not create the cache" [ $? -eq 0 ]
grep -q "^Total  *3,939억원 (programmes 3,938억원, not allocated to a programme 1억원)" "$T/out"
check "the total is 3,939억원, with the 1억원 the programmes leave" [ $? -eq 0 ]
grep -q "^With private  *4,116억원 (private investment 177억원)" "$T/out"
check "4,116억원 with private investment" [ $? -eq 0 ]
grep -q "national 2,757.3억원 (70%), city 787.8억원 (20%), private 393.9억원 (10%)" "$T/out"
check "the funding split" [ $? -eq 0 ]
for a in "AI 인프라 (데이터센터·실증장비) .* 2,559억원" "AI 융합 R&D (14개 과제) .* 508억원" \
    "창업 및 기업 성장 지원 .* 556억원" "융합 인재 양성 .* 315억원"; do
	grep -q "^$a" "$T/out"; check "programme line: $a" [ $? -eq 0 ]
done

# Every row of the programme table has its RATE column end at the same cell.
sed -n '/^PROGRAMME/,/^$/p' "$T/out" | sed '/^$/d; s/%.*/%/; s/RATE.*/RATE/' >"$T/rows"
widths=$(while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done <"$T/rows" | sort -u | wc -l)
n=$(wc -l <"$T/rows")
[ "$n" -eq 13 ] && [ "$widths" -eq 1 ]
check "the 13 rows align by display width with Korean names ($n rows, $widths widths)" [ $? -eq 0 ]
wide=$(sed -n 's/^\(AI 인프라 (데이터센터·실증장비)\).*/\1/p' "$T/rows" | wc -L)
[ "$wide" -gt "$(printf 'AI 인프라 (데이터센터·실증장비)' | wc -m)" ]
check "the name column counts Korean syllables as two cells" [ $? -eq 0 ]
grep -q ' $' "$T/out"; check "no trailing blanks" [ $? -ne 0 ]

# CSV and JSON, in won.
"$OPSDECK" budget report --plan "$PLAN" --cache "$C" --as-of 2021-12-31 --format csv \
    >"$T/csv" 2>/dev/null
head -1 "$T/csv" | grep -q "^section,programme,item,name,unit,allocated,used,remaining"
check "csv has a header" [ $? -eq 0 ]
grep -q "^programme,infra,,AI 인프라 (데이터센터·실증장비),KRW,255900000000,0,255900000000," "$T/csv"
check "csv programme row in won" [ $? -eq 0 ]
grep -q "^total,,,,KRW,393900000000,0,393900000000," "$T/csv" &&
    grep -q "^total_with_private,,,,KRW,411600000000," "$T/csv"
check "csv totals 3,939억 and 4,116억 in won" [ $? -eq 0 ]
[ "$(grep -c '^tenant,' "$T/csv")" -eq 18 ]; check "csv lists the 18 tenants" [ $? -eq 0 ]
"$OPSDECK" budget report --plan "$PLAN" --cache "$C" --as-of 2021-12-31 --format json \
    >"$T/json" 2>/dev/null
grep -q '"total":393900000000,' "$T/json" && grep -q '"total_with_private":411600000000,' "$T/json" &&
    grep -q '"as_of":"2021-12-31"' "$T/json"
check "json totals and as_of" [ $? -eq 0 ]

# A plan whose period is over is flagged (the example ends 2024-12-31): a
# report two years on is almost surely on the wrong plan
check "within the plan: no flag, json ended false" \
    sh -c "! grep -q '^plan ended' '$T/out' && grep -q '\"ended\":false,' '$T/json'"
"$OPSDECK" budget report --plan "$PLAN" --cache "$C" --as-of 2026-12-01 >"$T/late" 2>/dev/null
check "two years after its end the report flags the plan" \
    sh -c "sed -n 3p '$T/late' | grep -qx 'plan ended 2024-12-31, 700 days before this date: is it the current plan?'"
"$OPSDECK" budget report --plan "$PLAN" --cache "$C" --as-of 2026-12-01 --format json \
    2>/dev/null | grep -q '"end":"2024-12-31","ended":true,'
check "and json says ended" [ $? -eq 0 ]

# The plan through a config, relative to the config's directory.
mkdir -p "$T/etc/plans"
cp "$PLAN" "$T/etc/plans/budget.yaml"
cat >"$T/etc/config.yaml" <<'Y'
groups:
  - name: local
    transport: local
    hosts: localhost
budget: plans/budget.yaml
Y
(cd / && "$OPSDECK" budget report -c "$T/etc/config.yaml" --cache "$C" --as-of 2021-12-31 \
    --format csv) 2>"$T/err" | grep -q "^total,,,,KRW,393900000000,"
check "the config's budget: path is relative to the config file" [ $? -eq 0 ]

# A manager's config: a budget and no hosts at all.
printf 'budget: plans/budget.yaml\n' >"$T/etc/manager.yaml"
"$OPSDECK" budget report -c "$T/etc/manager.yaml" --cache "$C" --format csv >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && grep -q "^total,,,,KRW,393900000000," "$T/out"
check "a config with a budget and no hosts is enough" [ $? -eq 0 ]

# No plan.
printf 'groups:\n  - name: local\n    transport: local\n    hosts: localhost\n' >"$T/etc/nobudget.yaml"
"$OPSDECK" budget report -c "$T/etc/nobudget.yaml" --cache "$C" 2>"$T/err"; rc=$?
[ $rc -eq 4 ] && grep -q "no budget plan: add 'budget: FILE'" "$T/err"
check "no plan: exit 4 (configuration) and says how to add one" [ $? -eq 0 ]

# Plan errors as FILE:LINE:COL.
"$OPSDECK" budget report --plan "$FIXTURES/budget/bad_amounts.yaml" --cache "$C" 2>"$T/err"; rc=$?
[ $rc -eq 4 ] && grep -q "^$FIXTURES/budget/bad_amounts.yaml:5:17: 'allocation': bad amount '1,00억'" "$T/err" &&
    grep -q "bad_amounts.yaml: 7 errors" "$T/err"
check "bad amounts: every one as FILE:LINE:COL, exit 4" [ $? -eq 0 ]
"$OPSDECK" budget report --plan "$FIXTURES/budget/unknown_programme.yaml" --cache "$C" 2>"$T/err"
grep -q "unknown_programme.yaml:9:16: unknown programme 'infrastructure'" "$T/err"
check "an unknown programme as FILE:LINE:COL" [ $? -eq 0 ]

# Usage errors exit 2.
"$OPSDECK" budget report --plan "$PLAN" --format xml 2>/dev/null
check "a bad --format exits 2" [ $? -eq 2 ]
"$OPSDECK" budget report --plan "$PLAN" --as-of 2021-02-29 2>/dev/null
check "an impossible --as-of exits 2" [ $? -eq 2 ]
"$OPSDECK" budget frobnicate 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "Try 'opsdeck budget --help'" "$T/err"
check "an unknown budget command exits 2 with a hint" [ $? -eq 0 ]
# The man page's example is the shipped plan.
sed -n '/BEGIN EXAMPLE/,/END EXAMPLE/p' "$top_srcdir/man/opsdeck-budget.5" | sed '1d;$d' |
    sed 's/\\-/-/g; s/\\e/\\/g; s/^\\&//' >"$T/man-example.yaml"
cmp -s "$T/man-example.yaml" "$PLAN"; check "opsdeck-budget(5)'s example is examples/budget.yaml" [ $? -eq 0 ]
done_testing
