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

# console_start W H [ENV=V...] -- [OPSDECK ARGS...]: the console on $CACHE,
# offline, in tmux session c of W x H; waits for the first frame.
console_start() {
	_w=$1; _h=$2; shift 2
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
