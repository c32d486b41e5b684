# console_lib.sh: tmux helpers for the console tests (tests/console_*.sh).
# Source after lib.sh. Skips the test when tmux or the binary is missing.
# shellcheck shell=sh

command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
[ -x "$OPSDECK" ] || skip_all "opsdeck is not built"
FILL="$top_builddir/tests/console_fill"
[ -x "$FILL" ] || skip_all "tests/console_fill is not built (make check builds it)"

tmpdir
TM="tmux -f /dev/null -S $T/tmux.sock"
at_exit "$TM kill-server 2>/dev/null"
XDG_CONFIG_HOME="$T/config"; export XDG_CONFIG_HOME
XDG_STATE_HOME="$T/state"; export XDG_STATE_HOME
OPSDECK_THEMES_DIR="$top_srcdir/themes"; export OPSDECK_THEMES_DIR
unset NO_COLOR TMUX
# a session that outlives the console's, so the server stays up between starts
$TM new-session -d -s keep -x 80 -y 24 "sleep 3600" || skip_all "tmux cannot start a server"
# the pane's TERM: tmux's own entry when this system has it (ncurses-term)
for _t in tmux-256color screen-256color screen; do
	if infocmp "$_t" >/dev/null 2>&1; then
		$TM set-option -g default-terminal "$_t"
		break
	fi
done
CACHE="$T/cache.db"

# fill ARGS...: a fresh cache with the test fleet (tests/console_fill.c).
fill() { rm -f "$CACHE" "$CACHE-wal" "$CACHE-shm"; "$FILL" "$CACHE" "$@"; }

# The console's state file (view, sort, folds, ... kept across restarts).
STATE_FILE="$XDG_STATE_HOME/opsdeck/state"

# console_start W H [ENV=V...] -- [OPSDECK ARGS...]: the console on $CACHE,
# offline, in tmux session c of W x H; waits for the first frame. Each start
# begins without the state an earlier console of the test kept, unless
# KEEP_STATE=1 is set.
console_start() {
	_w=$1; _h=$2; shift 2
	[ -n "${KEEP_STATE:-}" ] || rm -f "$STATE_FILE"
	_env=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do _env="$_env $1"; shift; done
	[ "$1" = "--" ] && shift
	$TM kill-session -t c 2>/dev/null
	rm -f "$T/exit"
	$TM new-session -d -s c -x "$_w" -y "$_h" \
	    "env LANG=C.UTF-8 $_env '$OPSDECK' console --offline --cache '$CACHE' $* \
	    2>>'$T/stderr.log'; echo \$? > '$T/exit'" || return 1
	$TM set-option -t c remain-on-exit on >/dev/null
	wait_for 10 screen_has "Compute" || wait_for 1 screen_has "Devices" ||
	    wait_for 1 screen_has "Budgets"
}

screen() { $TM capture-pane -p -t c; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen | grep -qF -- "$1"; }
# wait_screen TEXT: poll until TEXT is on screen (5 s).
wait_screen() { wait_for 5 screen_has "$1"; }
wait_gone() { wait_for 5 screen_lacks "$1"; }
keys() { $TM send-keys -t c "$@"; }
pane() { $TM display-message -p -t c "$1"; }

# line_with TEXT: the first screen line containing TEXT.
line_with() { screen | grep -F -m1 -- "$1"; }

# col_of LINE TEXT: display column (0-based) where TEXT starts in LINE.
col_of() {
	_pre=${1%%"$2"*}
	printf '%s' "$_pre" | wc -L
}

# borders_ok W H: every pane line starts and ends with a box character,
# no line is wider than W cells, the status line is the last, the top-left
# corner is a corner. Prints what is wrong.
borders_ok() {
	screen > "$T/screen.txt"
	_n=$(wc -l < "$T/screen.txt")
	[ "$_n" -eq "$2" ] || { echo "screen has $_n lines, not $2"; return 1; }
	_wide=$(wc -L < "$T/screen.txt")
	[ "$_wide" -le "$1" ] || { echo "a line is $_wide cells wide"; return 1; }
	head -n 1 "$T/screen.txt" | grep -q '^┌' || { echo "no corner at 0,0"; return 1; }
	_bad=$(head -n $(($2 - 1)) "$T/screen.txt" | grep -v -n '^[┌│└].*[┐│┘┃]$' | head -3)
	[ -z "$_bad" ] || { echo "garbled lines: $_bad"; return 1; }
	return 0
}

# console_pid: the console's process (a child of the pane's shell).
console_pid() { ps -o pid= --ppid "$(pane '#{pane_pid}')" | head -n 1 | tr -d ' '; }

# quit_ok: the console ended with status 0 and left the alternate screen.
quit_ok() {
	wait_for 5 test -s "$T/exit" || return 1
	[ "$(cat "$T/exit")" = 0 ] && [ "$(pane '#{alternate_on}')" = 0 ]
}

# testbed_group NAME HOST COMMAND [INTERVAL]: prints the YAML of a group of one
# test-bed controller on the local transport whose report COMMAND prints.
testbed_group() {
	printf '  - name: %s\n    kind: testbed\n    transport: local\n    hosts: %s\n' "$1" "$2"
	printf '    probes: [testbed]\n    command: %s\n' "$3"
	[ -z "${4:-}" ] || printf '    interval: %s\n' "$4"
}

# budget_config FILE PLAN: a config with the budget PLAN and this machine.
budget_config() {
	printf 'budget: %s\ngroups:\n  - name: local\n    transport: local\n    hosts: localhost\n' \
	    "$2" > "$1"
}

# devices_cache: a fresh $CACHE with the energy and healthcare test-bed
# fixtures read once by a headless collector (config $T/devices.yaml), every
# `since` three hours ago, so a SINCE column reads 3h on any day.
devices_cache() {
	_since=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)
	sed "s/since: .*/since: $_since/" "$FIXTURES/testbed/energy.yaml" > "$T/e.yaml"
	sed "s/since: .*/since: $_since/" "$FIXTURES/testbed/healthcare.yaml" > "$T/h.yaml"
	{
		echo "groups:"
		testbed_group tb-energy tb-e1 "cat $T/e.yaml"
		testbed_group tb-health tb-h1 "cat $T/h.yaml"
	} > "$T/devices.yaml"
	rm -f "$CACHE"*
	timeout 30 "$OPSDECK" collect -c "$T/devices.yaml" --cache "$CACHE" --cycles 1 \
	    >"$T/collect.out" 2>&1
}

# budgets_cache: a fresh $CACHE with the example ledger imported against the
# example plan (config $T/c.yaml).
budgets_cache() {
	cp "$top_srcdir/examples/budget.yaml" "$T/budget.yaml"
	budget_config "$T/c.yaml" "$T/budget.yaml"
	rm -f "$CACHE"*
	"$OPSDECK" budget import --cache "$CACHE" -c "$T/c.yaml" \
	    "$top_srcdir/examples/ledger.csv" >"$T/import.out" 2>&1
}

# ---- whole screens (tests/console_screens.sh, tests/console_panels.sh) ----

EXPECT="$top_srcdir/tests/fixtures/screens"

# screen_mask: a screen from stdin to stdout with what depends on the clock
# masked. The only place that masks, in perl -pe (perl-base is in every
# Debian) because a duration's width changes with its value:
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

# same_text NAME: stdin equals $EXPECT/NAME.txt (a diff on failure); with
# OPSDECK_SCREENS_UPDATE set, stdin becomes the expected file instead.
same_text() {
	cat > "$T/$1.txt"
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

# same_screen NAME: the masked screen equals the expected one (a diff on failure).
same_screen() { screen | screen_mask | same_text "$1"; }

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

