#!/bin/sh
# bench/flood.sh: the collector's CPU while one host floods it, beside the
# quiet baseline, against real sshds on loopback (tests/flood_lib.sh: real
# cycles faster than the interval, tiny frames back to back, 100 MB in one
# frame, a gigabyte line with no newline). Prints figures; never fails on a
# threshold.
#
#   top_builddir=BUILD top_srcdir=SRC sh bench/flood.sh
#
# Per scenario: 4 healthy hosts (interval 500ms, probe linux), plus the
# flooder; the collector (tests/collector_tool watch, the console's
# collector thread) runs FLOOD_DURATION seconds (default 20):
#   cpu_s      user + system CPU seconds of the collector over the run
#   core_pct   the same as % of one core
#   healthy/s  cycles per second of one healthy host over the run
#   conns      connections the flooder's sshd accepted (back-off)
#   state      what the flooder showed last
# With BASE_BUILD=DIR (another build, say main's), its collector_tool is
# measured the same way first, for the before and after.
# Needs root, sshd and the test user of tests/sshd_lib.sh; says why it skips.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
DUR=${FLOOD_DURATION:-20}
HZ=$(getconf CLK_TCK)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
. "$top_srcdir/tests/flood_lib.sh"
[ -x "$COLLECTOR_TOOL" ] || { echo "flood: $COLLECTOR_TOOL is not built: skipped"; exit 0; }
sshd_setup >/dev/null
flood_scripts
SSHD_LOGLEVEL=VERBOSE
export SSHD_LOGLEVEL
for i in 1 2 3 4; do
	sshd_start "q$i" "$NET.$i" || { echo "flood: sshd does not start: skipped"; exit 0; }
	known_entry "q$i" "$NET.$i" >>"$KNOWN"
done
a=5
for k in fast tiny bigframe bigline; do
	flood_start "$k" "$NET.$a" || { echo "flood: sshd does not start: skipped"; exit 0; }
	eval "addr_$k=$NET.$a"
	a=$((a + 1))
done

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# run TOOL SCENARIO: one row
run() {
	_tool=$1 _s=$2
	_hosts="$NET.1, $NET.2, $NET.3, $NET.4"
	[ "$_s" = quiet ] || _hosts="$_hosts, $(eval echo "\$addr_$_s")"
	write_config "$T/$_s.yaml" "$_hosts" "probes: [linux]"
	[ "$_s" = quiet ] || _c0=$(grep -c "Accepted publickey" "$T/$_s.log")
	"$_tool" "$T/$_s.yaml" watch "$DUR" >"$T/$_s.watch" 2>/dev/null &
	_pid=$!
	_t=0
	while kill -0 "$_pid" 2>/dev/null; do
		_t1=$(ticks "$_pid")
		[ "$_t1" -gt 0 ] && _t=$_t1
		sleep 0.2
	done
	wait "$_pid"
	_cyc=$(grep -c "^$NET.1 up" "$T/$_s.watch")
	if [ "$_s" = quiet ]; then
		_conns=- _state=-
	else
		_conns=$(( $(grep -c "Accepted publickey" "$T/$_s.log") - _c0 ))
		_a=$(eval echo "\$addr_$_s")
		_state=$(awk -v h="$_a" '$1 == h { s = $2 } END { print s }' "$T/$_s.watch")
	fi
	awk -v s="$_s" -v t="$_t" -v hz="$HZ" -v d="$DUR" -v c="$_cyc" -v n="$_conns" \
	    -v st="$_state" -v b="$3" 'BEGIN {
		printf "%-6s %-9s %-8.2f %-9.1f %-10.2f %-6s %s\n", b, s, t / hz,
		    100 * t / hz / d, c / d, n, st }'
}

printf '%-6s %-9s %-8s %-9s %-10s %-6s %s\n' build scenario cpu_s core_pct healthy/s conns state
for b in base now; do
	if [ "$b" = base ]; then
		[ -n "${BASE_BUILD:-}" ] && [ -x "$BASE_BUILD/tests/collector_tool" ] || continue
		tool=$BASE_BUILD/tests/collector_tool
	else
		tool=$COLLECTOR_TOOL
	fi
	for s in quiet fast tiny bigframe bigline; do
		run "$tool" "$s" "$b"
	done
done
echo "($DUR s each, 4 healthy hosts at 500ms plus the flooder; $(nproc) cores)"
