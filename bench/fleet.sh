#!/bin/sh
# bench/fleet.sh: the collector against a simulated fleet, and pdsh doing the
# same work, on loopback. Prints figures; never fails on a threshold.
#
#   top_builddir=BUILD sh bench/fleet.sh [SIZE...]      (default: 100 1000)
#
# Per fleet size N (opsdeck-fleetsim, N/2 GPU nodes, 1 s interval):
#   connect    wall time of `opsdeck collect --cycles 1`: start, connect,
#              authenticate and get one frame from every host
#   collector  `opsdeck collect --duration D`: CPU seconds per 1 s cycle over
#              the second half of the run (steady state), % of one core, peak RSS
#   fleetsim   the simulator's own CPU over the same window (it must not
#              dominate the machine)
#   pdsh       `pdsh -R ssh -w ^hosts` running the same probe commands
#              (bench/fleet_cmd prints them from the probe table), CPU of pdsh
#              and its ssh children per cycle (/usr/bin/time), wall per cycle
#   ratio      pdsh CPU per cycle / collector CPU per cycle
#   interval   the hosts' interval: 1s, and 10s from 10,000 hosts on
#              (FLEET_INTERVAL to choose); collector_cpu is per second
# Environment: FLEET_DURATION (s, default 20; 120 from 10,000 hosts: the
# steady window must start after every host has connected),
# PDSH_CYCLES (default 1; 0 from 10,000 hosts), FLEET_INTERVAL,
# FLEET_PORT (default 2400 + a random offset), TMPDIR.
set -u

B=${top_builddir:-.}
FLEETSIM=$B/opsdeck-fleetsim
OPSDECK=$B/opsdeck
FLEET_CMD=$B/bench/fleet_cmd
PDSH_ENV=${PDSH_CYCLES-}
HZ=$(getconf CLK_TCK)
SIZES=${*:-100 1000}

for p in "$FLEETSIM" "$OPSDECK"; do
	[ -x "$p" ] || { echo "fleet: $p is not built: skipped"; exit 0; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-bench-fleet.XXXXXX") || exit 1
FS_PID=
cleanup() {
	[ -n "$FS_PID" ] && kill "$FS_PID" 2>/dev/null && wait "$FS_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ticks PID: utime + stime of a process, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# peak_rss_kib PID
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
now_ms() { date +%s%3N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

printf '%-6s %-10s %-14s %-9s %-9s %-10s %-14s %-10s %-7s %s\n' hosts connect_s \
    collector_cpu core_pct rss_mib fleetsim_% pdsh_cpu/cycle pdsh_wall ratio interval
for N in $SIZES; do
	D=$T/fleet$N
	if [ "$N" -ge 10000 ]; then IV=${FLEET_INTERVAL:-10s} DUR=${FLEET_DURATION:-120}
		PC=${PDSH_ENV:-0}; else IV=${FLEET_INTERVAL:-1s} DUR=${FLEET_DURATION:-20}
		PC=${PDSH_ENV:-1}; fi
	PORT=${FLEET_PORT:-$(( 2400 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))}
	rm -f "$T/fs.out"
	"$FLEETSIM" --nodes "$N" --gpu-nodes $((N / 2)) --dir "$D" --port "$PORT" \
	    --base 127.0.8.1 >"$T/fs.out" 2>"$T/fs.err" &
	FS_PID=$!
	i=0
	until grep -qx "ready $D $N" "$T/fs.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((300 + N / 20)) ] || ! kill -0 "$FS_PID" 2>/dev/null; then
			echo "fleet: opsdeck-fleetsim did not start:"; cat "$T/fs.err"; exit 1
		fi
		sleep 0.1
	done

	[ "$IV" = 1s ] || sed -i "s/^  interval: 1s\$/  interval: $IV/" "$D/config.yaml"
	# 1. time until every host streamed a frame
	t0=$(now_ms)
	"$OPSDECK" collect -c "$D/config.yaml" --cycles 1 --cache "$T/c1.db" >"$T/c1.out" 2>&1
	t1=$(now_ms)
	connect=$(calc "%.2f" "($t1 - $t0) / 1000")
	answered=$(grep -o '[0-9]* of [0-9]* hosts answered' "$T/c1.out") ||
	    { answered="collect failed"; sed 's/^/       /' "$T/c1.out" | head -5; }

	# 2. steady state over the second half of a DUR-second run
	"$OPSDECK" collect -c "$D/config.yaml" --duration "${DUR}s" --cache "$T/c2.db" \
	    >"$T/c2.out" 2>&1 &
	CP=$!
	sleep $((DUR / 2))
	a=$(ticks "$CP"); fa=$(ticks "$FS_PID"); ta=$(now_ms)
	sleep $((DUR / 2 - 1))
	b=$(ticks "$CP"); fb=$(ticks "$FS_PID"); tb=$(now_ms)
	rss=$(peak_rss_kib "$CP")
	wait "$CP"
	secs=$(calc "%.3f" "($tb - $ta) / 1000")
	ccpu=$(calc "%.4f" "($b - $a) / $HZ / $secs")	# CPU s per second = per 1 s cycle
	cpct=$(calc "%.1f" "100 * ($b - $a) / $HZ / $secs")
	fpct=$(calc "%.1f" "100 * ($fb - $fa) / $HZ / $secs")
	rmib=$(calc "%.1f" "$rss / 1024")

	# 3. pdsh running the same probes, PDSH_CYCLES times
	pcpu=n/a pwall=n/a ratio=n/a
	if [ "$PC" -gt 0 ] && command -v pdsh >/dev/null 2>&1 && [ -x "$FLEET_CMD" ]; then
		cmd=$("$FLEET_CMD")
		export PDSH_RCMD_TYPE=ssh
		export PDSH_SSH_ARGS="-F /dev/null -i $D/id_ed25519 -o IdentitiesOnly=yes \
-o UserKnownHostsFile=$D/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes \
-o LogLevel=ERROR -p $PORT -l %u %h"
		c=0 tu=0
		while [ $c -lt "$PC" ]; do
			/usr/bin/time -f '%e %U %S' -o "$T/time" \
			    pdsh -R ssh -w "^$D/hosts" "$cmd" >"$T/pdsh.out" 2>"$T/pdsh.err"
			tu=$(awk -v t="$tu" '{ printf "%.3f %.3f", t + $2 + $3, $1 }' "$T/time")
			c=$((c + 1))
		done
		pcpu=$(echo "$tu" | awk -v n="$PC" '{ printf "%.3f", $1 / n }')
		pwall=$(echo "$tu" | awk '{ printf "%.1f", $2 }')
		lines=$(grep -c ': == stat$' "$T/pdsh.out" || true)
		[ "$lines" -lt "$N" ] && pwall="$pwall(only $lines/$N)"
		ratio=$(calc "%.0fx" "$pcpu / ($ccpu > 0 ? $ccpu : 0.0001)")
	fi
	printf '%-6s %-10s %-14s %-9s %-9s %-10s %-14s %-10s %-7s %s\n' "$N" "$connect" \
	    "${ccpu}s" "$cpct" "$rmib" "$fpct" "${pcpu}s" "${pwall}s" "$ratio" "$IV"
	echo "       ($answered in the connect run; steady window ${secs}s)"
	kill "$FS_PID" 2>/dev/null
	wait "$FS_PID" 2>/dev/null
	FS_PID=
done
