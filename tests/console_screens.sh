#!/bin/sh
# Key console screens compared whole against expected files, as tmux's own
# regress tests do: the pane is captured (tmux capture-pane -p) into a file,
# the text that depends on the clock is masked, and the result must equal
# tests/fixtures/screens/NAME.txt line for line.
#
# Masking (screen_mask below, the only place), in perl -pe (perl-base is in
# every Debian) because a duration's width changes with its value:
#   - sparkline glyphs (U+2581-U+2588) become blanks: which column a point
#     lands in depends on the clock's phase against the history buckets;
#   - dates YYYY-MM-DD and clock times HH:MM[:SS] become '#' of their width;
#   - the year before BUDGET or SPENT (the budgets' current-year columns)
#     becomes ####;
#   - a duration or age (a number with ms, s, m, h or d: "60s old",
#     "report 3s ago") becomes '#' as wide as it and the blanks around it,
#     so "9s" and "10s" in the same column mask alike;
#   - an age in running text ("report 3s ago", "(12s ago)" on the status
#     line, "data 60s old") is not in a column, so it moves what follows:
#     once masked it becomes "#ago" or "#old", and on its line the blanks
#     before the last border or "? help" become two.
# Nothing else is masked: every other character on the screen counts.
#
# To take new expected screens after a deliberate change of the console:
#   OPSDECK_SCREENS_UPDATE=1 make check TESTS=tests/console_screens.sh
# then read the diff of tests/fixtures/screens/ before committing it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 5

EXPECT="$top_srcdir/tests/fixtures/screens"

screen_mask() {
	perl -CSD -pe '
		s/[\x{2581}-\x{2588}]/ /g;
		s/\d{4}-\d{2}-\d{2}/"#" x 10/ge;
		s/\d{2}:\d{2}(?::\d{2})?/"#" x length($&)/ge;
		s/\b\d{4}(?= (?:BUDGET|SPENT)\b)/####/g;
		s/ *(?<![\w.])\d+(?:\.\d+)?(?:ms|s|m|h|d)(?!\w) */"#" x length($&)/ge;
		s/ {2,}(\x{2502}|\? help  q quit)$/  $1/ if s/#+(ago|old)/#$1/g;
	'
}

# same_screen NAME: the masked screen equals the expected one (a diff on failure).
same_screen() {
	screen | screen_mask > "$T/$1.txt"
	if [ -n "${OPSDECK_SCREENS_UPDATE:-}" ]; then
		cp "$T/$1.txt" "$EXPECT/$1.txt"
		return 0
	fi
	if diff -u "$EXPECT/$1.txt" "$T/$1.txt" > "$T/$1.diff"; then
		return 0
	fi
	sed 's/^/# /' "$T/$1.diff"
	return 1
}

# settle NAME TEXT: wait for TEXT, then for two equal captures in a row.
settle() {
	wait_screen "$1" || return 1
	_prev=""
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		_now=$(screen)
		[ "$_now" = "$_prev" ] && return 0
		_prev=$_now
		sleep 0.2
	done
	return 0
}

# a fixed fleet: 6 GPU nodes, 3 CPU nodes in set states, 2 test-bed controllers
fill || { not_ok "console_fill"; exit 1; }
console_start 120 40 || { not_ok "console starts"; exit 1; }
settle "11 hosts"
check "compute view of the fixed fleet, 120x40" same_screen compute
keys '?'
settle "opsdeck console keys"
check "help overlay" same_screen help
keys q
wait_gone "opsdeck console keys"

# Devices: three controllers' fixtures read once by a headless collector
# every `since` three hours ago, so the SINCE column reads 3h on any day
since=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)
sed "s/since: .*/since: $since/" "$FIXTURES/testbed/energy.yaml" > "$T/e.yaml"
sed "s/since: .*/since: $since/" "$FIXTURES/testbed/healthcare.yaml" > "$T/h.yaml"
{
	echo "groups:"
	testbed_group tb-energy tb-e1 "cat $T/e.yaml"
	testbed_group tb-health tb-h1 "cat $T/h.yaml"
} > "$T/devices.yaml"
rm -f "$CACHE"*
timeout 30 "$OPSDECK" collect -c "$T/devices.yaml" --cache "$CACHE" --cycles 1 \
    >"$T/collect.out" 2>&1
check "the controllers' reports are collected" test -s "$CACHE"
console_start 160 40 -- -c "'$T/devices.yaml'" --view devices
settle "▾ healthcare"
check "devices view, 160x40" same_screen devices

# Budgets: the example plan and ledger, after the plan's end (nothing moves)
cp "$top_srcdir/examples/budget.yaml" "$T/budget.yaml"
budget_config "$T/c.yaml" "$T/budget.yaml"
rm -f "$CACHE"*
"$OPSDECK" budget import --cache "$CACHE" -c "$T/c.yaml" "$top_srcdir/examples/ledger.csv" \
    >"$T/import.out" 2>&1
console_start 120 40 -- -c "'$T/c.yaml'" --view budgets
settle "광주 인공지능 산업융합 집적단지 조성사업"
check "budgets view of the example plan, 120x40" same_screen budgets
keys q
done_testing
