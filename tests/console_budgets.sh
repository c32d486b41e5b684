#!/bin/sh
# The Budgets pane on the console: the real plan (examples/budget.yaml) and
# ledger (examples/ledger.csv) imported with `opsdeck budget import`, compute
# use from a sacct fixture; Korean programme names with amounts in 억원 right
# aligned by display width, the execution rate the report prints, tenants
# with the GPUs their running jobs hold, Enter to the ledger lines of an item
# and of a programme, Esc back, scrolling, key 3, over-burn marked with a
# glyph and a word after the plan file changes (reloaded on its mtime), a bad
# plan as FILE:LINE:COL, and no plan at all; at 80x24 and 200x60.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 39

cp "$top_srcdir/examples/budget.yaml" "$T/budget.yaml"
cp "$top_srcdir/examples/budget.yaml" "$T/good.yaml"
budget_config "$T/c.yaml" "$T/budget.yaml"
rm -f "$CACHE"*
if "$OPSDECK" budget import --cache "$CACHE" -c "$T/c.yaml" "$top_srcdir/examples/ledger.csv" \
    >"$T/import.out" 2>&1 &&
    "$OPSDECK" budget import --sacct --cache "$CACHE" -c "$T/c.yaml" \
    "$FIXTURES/slurm/sacct_day.txt" >>"$T/import.out" 2>&1; then
	ok "the ledger and sacct output are imported"
else
	not_ok "the ledger and sacct output are imported"; sed 's/^/# /' "$T/import.out"; exit 1
fi
# what the pane must agree with: the report's table for the same day
"$OPSDECK" budget report --cache "$CACHE" -c "$T/c.yaml" >"$T/report" 2>/dev/null
rate_of() { grep -F -m1 -- "$1" "$T/report" | grep -o '[0-9.]*%' | head -n 1; }
infra_rate=$(rate_of "AI 인프라 (데이터센터·실증장비)")
n_dc=$(grep -c '^[0-9-]*,infra,datacenter,' "$top_srcdir/examples/ledger.csv")
n_infra=$(grep -c '^[0-9-]*,infra,' "$top_srcdir/examples/ledger.csv")

console_start 80 24 -- -c "'$T/c.yaml'" --view budgets || { not_ok "console starts"; exit 1; }
check "80x24 --view budgets shows the plan" \
    wait_screen "광주 인공지능 산업융합 집적단지 조성사업"
check "the total 3,939억 and the spending summary" sh -c \
    "$TM capture-pane -p -t c | grep -q 'Total 3,939억  spent [0-9,.]*억  left [0-9,.]*억'"
for p in "AI 융합 R&D (14개 과제)" "창업 및 기업 성장 지원" \
    "융합 인재 양성"; do
	check "programme $p is listed" screen_has "$p"
done
l_infra=$(line_with "AI 인프라 (데이터센")
l_rnd=$(line_with "AI 융합 R&D (14개 과제)")
l_dc=$(line_with "AI 데이터센터 구축")
case $l_infra in
*"2,559억 "*) ok "infra's allocation reads 2,559억" ;;
*) not_ok "infra's allocation reads 2,559억"; diag "$l_infra" ;;
esac
# right-aligned by display width: the amounts end in the same column
e1=$(( $(col_of "$l_infra" "2,559억") + 7 ))
e2=$(( $(col_of "$l_rnd" "508억") + 5 ))
e3=$(( $(col_of "$l_dc" "900억") + 5 ))
if [ "$e1" = "$e2" ] && [ "$e2" = "$e3" ]; then
	ok "2,559억, 508억 and 900억 end in the same column after Korean names ($e1)"
else
	not_ok "amounts aligned: $e1 $e2 $e3"; screen | sed 's/^/# /'
fi
case $l_infra in
*" $infra_rate "*) ok "infra's execution rate is the report's ($infra_rate)" ;;
*) not_ok "infra's execution rate $infra_rate"; diag "$l_infra" ;;
esac
check "borders intact at 80x24" borders_ok 80 24

# drill down to the ledger lines of an item, and back
keys j Enter
check "Enter on an item shows its ledger lines" wait_screen "ledger infra/datacenter"
check "with the count of lines ($n_dc)" screen_has "$n_dc lines"
check "a ledger line: date, amount, vendor, memo" sh -c \
    "$TM capture-pane -p -t c |
    grep -q '2021-03-15 *52.0억 누리정보시스템 (주) .*GPU 서버 1차'"
check "a correction is listed with its sign" sh -c "$TM capture-pane -p -t c | grep -q ' -1.2억 '"
keys Escape
check "Esc goes back to the plan" wait_gone "ledger infra"
check "the list is back" screen_has "PROGRAMME / ITEM"
keys k Enter
check "Enter on a programme shows all its lines ($n_infra)" wait_screen "$n_infra lines"
keys G
check "G scrolls the ledger to its oldest line" wait_screen "2020-09-28"
keys Escape
wait_gone "ledger infra" >/dev/null

# scrolling to the tenants: GPUs held by a running job (auto03: 4)
keys G
check "G reaches the last tenant" wait_screen "서남해풍력해석"
check "the tenant headings stay on top" sh -c \
    "$TM capture-pane -p -t c | sed -n 4p | grep -q TENANT"
check "GPUs held by the running job of 차량 데이터 수집" sh -c \
    "$TM capture-pane -p -t c | grep '차량 데이터 수집' | grep -q ' 4 *│$'"
keys g
check "g goes back to the first programme" wait_screen "AI 인프라"
keys NPage
check "PgDn scrolls a page" wait_gone "AI 인프라"
keys PPage
check "PgUp scrolls back" wait_screen "AI 인프라"

# spending imported while the console runs shows up (the cache changed)
printf 'date,programme,item,amount,vendor,memo\n2022-01-10,talent,training,10억,광주AI교육원,보강\n' \
    > "$T/more.csv"
"$OPSDECK" budget import --cache "$CACHE" -c "$T/c.yaml" "$T/more.csv" >/dev/null 2>&1
"$OPSDECK" budget report --cache "$CACHE" -c "$T/c.yaml" >"$T/report2" 2>/dev/null
spent=$(grep -F -m1 "융합 인재 양성" "$T/report2" | grep -o '[0-9,.]*억원' | sed -n 2p)
spent=${spent%원}
check "an import while it runs shows up (융합 인재 양성 spent $spent)" wait_for 6 sh -c \
    "$TM capture-pane -p -t c | grep '융합 인재 양성' | grep -qF ' $spent '"

# the plan changes on disk: reloaded, over-burn marked with glyph and word
sed -e 's/allocation: 315억원/allocation: 20억원/; s/allocation: 315억$/allocation: 20억/' \
    -e 's/years: {2021: 53억}/years: {2021: 20억}/' "$T/good.yaml" > "$T/budget.yaml.new"
mv "$T/budget.yaml.new" "$T/budget.yaml"
check "a changed plan is reloaded" wait_for 6 screen_has "  20억"
l=$(line_with "융합 인재 양성")
case $l in
*"✖ over"*) ok "an overspent programme is marked ✖ over" ;;
*) not_ok "an overspent programme is marked ✖ over"; diag "$l" ;;
esac
check "in a colour or attribute of its own too" sh -c \
    "$TM capture-pane -e -p -t c | grep '융합 인재 양성' | grep -q 'm✖ over'"

# a bad plan: its FILE:LINE:COL in the pane, as `budget report` prints it
printf 'name: x\nprogrammes:\n  - id: a\n    allocation: 12억\n' > "$T/bad.yaml"
printf '  - id: b\n    allocation: lots\n' >> "$T/bad.yaml"
want=$("$OPSDECK" budget report --plan "$T/bad.yaml" --cache "$CACHE" 2>&1 >/dev/null |
    grep -o '^[^ ]*:[0-9]*:[0-9]*:' | head -n 1 | sed "s|$T/bad.yaml|$T/budget.yaml|")
cp "$T/bad.yaml" "$T/budget.yaml.new"; mv "$T/budget.yaml.new" "$T/budget.yaml"
check "a bad plan shows FILE:LINE:COL ($want)" wait_for 6 screen_has "$want"
check "with the plan error title" screen_has "plan error"
cp "$T/good.yaml" "$T/budget.yaml.new"; mv "$T/budget.yaml.new" "$T/budget.yaml"
check "fixing it brings the plan back" wait_for 6 screen_has "2,559억"
keys q
check "q quits cleanly" quit_ok

# 200x60, key 3 from the default view
console_start 200 60 -- -c "'$T/c.yaml'" || { not_ok "console starts at 200x60"; exit 1; }
wait_screen "Compute" >/dev/null
keys 3
check "key 3 shows the budgets view" wait_screen "[Budgets]"
check "alone with the alerts" wait_gone "Compute"
check "200x60: full names, the 30-day and yearly columns" sh -c \
    "$TM capture-pane -p -t c |
    grep -q 'AI 인프라 (데이터센터·실증장비) .*2,559억 .*$infra_rate' &&
    $TM capture-pane -p -t c | grep -q '30 DAYS.*RUNS OUT [0-9]\{4\} BUDGET [0-9]\{4\} SPENT'"
check "and every tenant at once" screen_has "서남해풍력해석"
check "borders intact at 200x60" borders_ok 200 60
keys q
quit_ok >/dev/null

# no budget configured
printf 'groups:\n  - name: local\n    transport: local\n    hosts: localhost\n' > "$T/nob.yaml"
console_start 80 24 -- -c "'$T/nob.yaml'" --view budgets || { not_ok "console starts"; exit 1; }
check "without budget: the pane says so" wait_screen "no budget configured"
keys q
quit_ok >/dev/null
if [ -s "$T/stderr.log" ]; then
	not_ok "nothing on stderr"; sed 's/^/# /' "$T/stderr.log" | head -20
else
	ok "nothing on stderr"
fi
done_testing
