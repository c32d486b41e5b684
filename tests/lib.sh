# tests/lib.sh: TAP helpers for shell tests. Source it, call plan N, then ok/not_ok.
# shellcheck shell=sh
_tap_n=0
_tap_failed=0
_tap_cleanups=""

plan() { echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }
diag() { echo "$*" | sed 's/^/# /'; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# check DESCRIPTION CMD...: ok when CMD succeeds; returns 1 when it failed (so that
# `check ... || diag ...` says why).
check() { _d=$1; shift; if "$@"; then ok "$_d"; else not_ok "$_d"; return 1; fi; }

# at_exit CMD: run CMD (a string) when the test exits, last added first.
at_exit() { _tap_cleanups="$1; $_tap_cleanups"; }
_tap_exit() { eval "$_tap_cleanups"; }
trap '_tap_exit' EXIT
trap 'exit 130' INT TERM

# tmpdir: make $T, removed at exit.
tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-test.XXXXXX") || exit 99
	at_exit "rm -rf '$T'"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	_w_end=$(( $(date +%s) + $1 )); shift
	while :; do
		if "$@"; then return 0; fi
		[ "$(date +%s)" -ge "$_w_end" ] && return 1
		sleep 0.1
	done
}

# awk_via_cat DIR: DIR/awk stands in for the linux probe's awk (its program
# reads /proc), printing the six /proc files (each after its "== NAME" line)
# through cat, so that a fake cat in DIR can change what a file says; any
# other awk (the node's loop has some) is the real one.
awk_via_cat() {
	cat >"$1/awk" <<'S'
#!/bin/sh
case "$*" in
*/proc/*) for f in stat meminfo loadavg uptime net/dev diskstats; do
	echo "== $f"; cat "/proc/$f"; done ;;
*) exec /usr/bin/awk "$@" ;;
esac
S
	chmod 755 "$1/awk"
}

# done_testing: exit status from the results.
done_testing() { [ "$_tap_failed" -eq 0 ]; exit $?; }
