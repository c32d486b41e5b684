#!/bin/sh
# bench/slurm_flood.sh: the collector's cost under a flood of Slurm jobs,
# beside the quiet baseline. Prints figures; never fails on a threshold.
#
#   top_builddir=BUILD sh bench/slurm_flood.sh
#
# opsdeck-fleetsim plays 8 GPU nodes and a Slurm head node of 20 accounts at
# a 1 s interval (every group; a real head node would be asked every few
# minutes, which makes the flood the worst case). Scenarios:
#   quiet   --job-rate 1: about 200 jobs in sacct's two-day window
#   flood   --job-rate 1000: about 200,000 jobs in the two-day window
# Per scenario, `opsdeck collect --duration D`:
#   jobs        the jobs `sacct -S now-2days` lists (the real ssh client asks
#               the simulator once; n/a without ssh)
#   cpu_s       the collector's CPU seconds over the whole run, and per second
#               over its second half (steady state), % of one core
#   rss_mib     the collector's peak RSS
#   lag_s       the oldest a GPU node's latest status got in the cache over the
#               second half, polled every 0.2 s: other hosts must not wait
#               for the head node (1 s interval: about 1-2 s is on time)
#   cut         whether `budget report` shows a note of an sacct answer cut
# OPSDECK_BASE=PATH adds the same runs of another opsdeck binary (e.g. one
# built from main) for a before/after table. SLURM_FLOOD_DURATION (s,
# default 30), SLURM_FLOOD_RATES (default "1 1000"), TMPDIR.
set -u

B=${top_builddir:-.}
FLEETSIM=$B/opsdeck-fleetsim
OPSDECK=$B/opsdeck
HZ=$(getconf CLK_TCK)
DUR=${SLURM_FLOOD_DURATION:-30}
RATES=${SLURM_FLOOD_RATES:-1 1000}

for p in "$FLEETSIM" "$OPSDECK"; do
	[ -x "$p" ] || { echo "slurm_flood: $p is not built: skipped"; exit 0; }
done
command -v python3 >/dev/null 2>&1 || { echo "slurm_flood: no python3: skipped"; exit 0; }

T=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-bench-slurm.XXXXXX") || exit 1
FS_PID=
cleanup() {
	[ -n "$FS_PID" ] && kill "$FS_PID" 2>/dev/null && wait "$FS_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
now_ms() { date +%s%3N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# lag DB SECONDS OUT: the largest age (s) of the newest GPU node status, polled.
lag() {
	python3 - "$1" "$2" >"$3" 2>/dev/null <<'PY' &
import sqlite3, sys, time
db, secs = sys.argv[1], float(sys.argv[2])
end, worst = time.time() + secs, 0.0
while time.time() < end:
	try:
		c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=0.1)
		r = c.execute("SELECT min(updated_ms) FROM hosts WHERE name LIKE 'gpu%'")
		r = r.fetchone()
		c.close()
		if r and r[0]:
			worst = max(worst, time.time() - r[0] / 1000.0)
	except Exception:
		pass
	time.sleep(0.2)
print("%.1f" % worst)
PY
}

# run LABEL OPSDECK RATE: one scenario, one line of the table.
run() {
	label=$1 bin=$2 rate=$3
	D=$T/fs.$label.$rate
	PORT=$(( 2400 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))
	rm -f "$T/fs.out"
	"$FLEETSIM" --nodes 8 --gpu-nodes 8 --scheduler --accounts "$ACCOUNTS" \
	    --job-rate "$rate" --dir "$D" --port "$PORT" --base 127.0.9.1 \
	    >"$T/fs.out" 2>"$T/fs.err" &
	FS_PID=$!
	i=0
	until grep -q '^ready ' "$T/fs.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$FS_PID" 2>/dev/null; then
			echo "slurm_flood: opsdeck-fleetsim did not start:"; cat "$T/fs.err"
			exit 1
		fi
		sleep 0.1
	done
	jobs=n/a
	if command -v ssh >/dev/null 2>&1; then
		head=$(awk '$1 == "slurm-head" { print $2 }' "$D/nodes")
		jobs=$(ssh -n -F /dev/null -i "$D/id_ed25519" -o IdentitiesOnly=yes \
		    -o UserKnownHostsFile="$D/known_hosts" -o StrictHostKeyChecking=yes \
		    -o BatchMode=yes -o LogLevel=ERROR -p "$PORT" "$head" \
		    "sacct -a -X -n -P -S now-2days -E now -o $FIELDS" |
		    wc -l) || jobs=n/a
	fi
	db=$T/c.$label.$rate.db
	"$bin" collect -c "$D/config.yaml" --duration "${DUR}s" --cache "$db" \
	    >"$T/c.out" 2>&1 &
	CP=$!
	sleep $((DUR / 2))
	lag "$db" $((DUR / 2 - 1)) "$T/lag"
	LP=$!
	a=$(ticks "$CP"); ta=$(now_ms)
	sleep $((DUR / 2 - 1))
	b=$(ticks "$CP"); tb=$(now_ms)
	rss=$(peak_rss_kib "$CP")
	total=$(ticks "$CP")
	wait "$CP"
	wait "$LP"
	secs=$(calc "%.3f" "($tb - $ta) / 1000")
	steady=$(calc "%.4f" "($b - $a) / $HZ / $secs")
	pct=$(calc "%.1f" "100 * ($b - $a) / $HZ / $secs")
	all=$(calc "%.2f" "$total / $HZ")
	rmib=$(calc "%.1f" "$rss / 1024")
	cut=no
	"$bin" budget report -c "$D/config.yaml" --cache "$db" >"$T/rep" 2>&1 &&
	    grep -q 'sacct answer cut' "$T/rep" && cut=yes
	head_state=$(python3 - "$db" 2>/dev/null <<'PY' || echo n/a
import sqlite3, sys
names = ["connecting", "up", "stale", "down", "timeout", "auth-failed", "hostkey-unknown",
	"hostkey-changed", "parse-error"]
st, err = sqlite3.connect(sys.argv[1]).execute(
	"SELECT state, error FROM hosts WHERE name = 'slurm-head'").fetchone()
print(names[st] if 0 <= st < len(names) else st, err)
PY
)
	printf '%-6s %-6s %-8s %-9s %-11s %-6s %-8s %-6s %-4s %s\n' "$label" "$rate" "$jobs" \
	    "$all" "$steady" "$pct" "$rmib" "$(cat "$T/lag")" "$cut" "$head_state"
	kill "$FS_PID" 2>/dev/null
	wait "$FS_PID" 2>/dev/null
	FS_PID=
}

FIELDS=JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State
ACCOUNTS=$(awk 'BEGIN { for (i = 1; i <= 20; i++) printf "%sacct%d", (i > 1 ? "," : ""), i }')
echo "collector under an sacct flood (${DUR}s runs)"
printf '%-6s %-6s %-8s %-9s %-11s %-6s %-8s %-6s %-4s %s\n' build rate jobs cpu_s \
    cpu_s/s core_% rss_mib lag_s cut head-node
for r in $RATES; do
	run this "$OPSDECK" "$r"
	[ -n "${OPSDECK_BASE:-}" ] && [ -x "$OPSDECK_BASE" ] && run base "$OPSDECK_BASE" "$r"
done
exit 0
