#!/bin/sh
# bench/summary.sh: the figures of issue 14 in one table, measured side by
# side in one run: bench/store's host-day and bench/fleet.sh at 1,000 hosts
# (1 s) and 10,000 hosts (10 s) for this build and, when BASE_BUILD names
# another build directory (say, main's), for that one first.
#
#   top_builddir=BUILD [BASE_BUILD=DIR] sh bench/summary.sh
#
# Prints figures; never fails on a threshold. Environment as bench/fleet.sh;
# SUMMARY_SIZES (default "1000 10000"). Every size runs two minutes
# (FLEET_DURATION, default 120 here): the resident memory is the peak over
# the whole run, after SQLite's page cache and the open chunks have filled,
# not an early reading; the CPU is over its second minute.
set -u
export FLEET_DURATION=${FLEET_DURATION:-120}
B=${top_builddir:-.}
S=$(cd "$(dirname "$0")" && pwd)
SIZES=${SUMMARY_SIZES:-1000 10000}
T=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-bench-summary.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# measure NAME BUILD: NAME.store and NAME.fleet in $T
measure() {
	if [ -x "$2/bench/store" ]; then
		"$2/bench/store" "$T" day >"$T/$1.store" 2>&1
	else
		: >"$T/$1.store"
	fi
	top_builddir=$2 PDSH_CYCLES=0 sh "$S/fleet.sh" $SIZES >"$T/$1.fleet" 2>&1
}
# fleet NAME HOSTS COLUMN: a column of fleet.sh's row for HOSTS
fleet() {
	awk -v n="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == n { print $(col[c]); exit }' "$T/$1.fleet"
}
bps() { sed -n 's/^bytes per sample: \([0-9.]*\).*/\1/p' "$T/$1.store"; }
day() { sed -n 's/^history: a day of cpu.util_pct at 1m: .* in \([0-9.]*\) ms$/\1/p' "$T/$1.store"; }
# answered NAME HOSTS: "N of M" from the connect run
answered() {
	awk -v n="$2" '$1 == n { getline; print; exit }' "$T/$1.fleet" |
	    sed -n 's/.*(\([0-9]* of [0-9]*\) hosts answered.*/\1/p'
}

names="now"
if [ -n "${BASE_BUILD:-}" ]; then
	measure base "$BASE_BUILD"
	names="base now"
fi
measure now "$B"

echo "== issue 14 figures ($(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-46s %-12s %-10s' figure must goal
for n in $names; do printf ' %-12s' "$n"; done
printf '\n'
row() {	# row FIGURE MUST GOAL CMD...: one line, CMD NAME for each build
	_f=$1 _m=$2 _g=$3; shift 3
	printf '%-46s %-12s %-10s' "$_f" "$_m" "$_g"
	for n in $names; do printf ' %-12s' "$("$@" "$n")"; done
	printf '\n'
}
f1000() { fleet "$2" 1000 "$1"; }
f10k() { fleet "$2" 10000 "$1"; }
row "collector CPU, 1,000 hosts at 1 s (% core)" "<= 8" "<= 5" f1000 core_pct
row "bytes per stored sample (host-day)" "<= 6" "<= 4" bps
row "collector RSS, 1,000 hosts, 2 min peak (MiB)" "<= 80" "<= 64" f1000 rss_mib
row "all 1,000 hosts streaming after start (s)" "<= 4" "<= 3" f1000 connect_s
row "10,000 hosts at 10 s: all streaming (s)" "<= 40" "<= 30" f10k connect_s
row "10,000 hosts at 10 s: collector CPU (% core)" "<= 25" "" f10k core_pct
row "10,000 hosts at 10 s: RSS, 2 min peak (MiB)" "<= 512" "" f10k rss_mib
row "fleetsim CPU, 1,000 hosts (% core)" "" "" f1000 fleetsim_%
row "fleetsim CPU, 10,000 hosts (% core)" "" "" f10k fleetsim_%
a1000() { answered "$1" 1000; }
a10k() { answered "$1" 10000; }
row "hosts answering the connect run, 1,000" "all" "" a1000
row "hosts answering the connect run, 10,000" "all" "" a10k
row "a day of one metric at 1m (ms)" "< 5" "" day
for n in $names; do
	echo "-- $n: bench/fleet.sh"
	cat "$T/$n.fleet"
done
