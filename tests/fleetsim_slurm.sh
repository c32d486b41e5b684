#!/bin/sh
# opsdeck-fleetsim --scheduler: a Slurm head node answering sacct for jobs of
# the plan's tenants, at an hour of simulated time per second; the real
# client, the real parser, and opsdeck's snapshot and budget report, whose
# figures must be what the simulator says its jobs used (DIR/slurm-truth):
# moving, and never counted twice; squeue's nodes of running jobs, and the
# idle-prone tenant's GPUs allocated but idle.
. "$top_srcdir/tests/lib.sh"
command -v ssh >/dev/null 2>&1 || skip_all "no ssh client"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
[ -x "$top_builddir/opsdeck-fleetsim" ] || skip_all "opsdeck-fleetsim not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
CHECK="$top_builddir/tests/fleetsim_check"
PLAN=$top_srcdir/examples/budget.yaml
tmpdir
plan 21

if "$FLEETSIM" --dir "$T/no" --scheduler >/dev/null 2>"$T/no.err"; then
	not_ok "--scheduler without accounts is refused"
else
	check "--scheduler without accounts is refused" grep -q 'needs --budget' "$T/no.err"
fi

if fs_start --nodes 2 --gpu-nodes 2 --scheduler --budget "$PLAN" --time-scale 3600 --seed 11; then
	ok "starts with --scheduler --budget"
else
	not_ok "starts with --scheduler --budget"; cat "$FS_ERR" >&2; exit 1
fi
Y=$FS_DIR/config.yaml
ABS=$(cd "$(dirname "$PLAN")" && pwd)/budget.yaml
check "config.yaml: group slurm of kind scheduler, budget: the plan's absolute path" \
    sh -c "grep -q 'name: slurm' '$Y' && grep -q 'kind: scheduler' '$Y' && \
	grep -q 'probes: \[linux, slurm\]' '$Y' && grep -qx 'budget: \"$ABS\"' '$Y'"
if "$OPSDECK" check-config -c "$Y" >"$T/cc.out" 2>&1; then
	ok "opsdeck check-config accepts config.yaml"
else
	not_ok "opsdeck check-config accepts config.yaml"; cat "$T/cc.out" >&2
fi
check "the head node has its own address" \
    sh -c "grep -q '^slurm-head 127\.[0-9.]* sched$' '$FS_DIR/nodes' && grep -qx 'ready $FS_DIR 3' '$FS_OUT'"

# opsdeck: snapshot (two frames), budget report; twice. The collector is the
# only one to see sacct until then, so it must agree with the truth exactly
# (what others saw of jobs that left the window since is in the truth too).
snap_report() {
	timeout 60 "$OPSDECK" snapshot -c "$Y" --cache "$T/c.db" --format csv >"$T/snap$1" 2>"$T/snap$1.err" &&
	    timeout 30 "$OPSDECK" budget report -c "$Y" --cache "$T/c.db" --format json \
		>"$T/r$1.json" 2>"$T/r$1.err" &&
	    cp "$FS_DIR/slurm-truth" "$T/truth$1"
}
# Compares the report's GPU-hours with the truth of one sacct output the
# collector took: all tenants at once, to the report's two decimals.
compare() {
	python3 - "$T/r$1.json" "$T/truth$1" <<'PY'
import json, sys
used = {t["id"]: (t["gpu_hours_used"], t["node_hours_used"])
	for t in json.load(open(sys.argv[1]))["tenants"]}
truth = {}
for line in open(sys.argv[2]):
	f = line.split()
	if line.startswith("#") or len(f) != 5 or f[1] != "tenant":
		continue
	truth.setdefault(int(f[0]), {})[f[2]] = (float(f[3]), float(f[4]))
match = [seq for seq, v in truth.items()
	if all(abs(used[k][0] - g) < 0.006 and abs(used[k][1] - n) < 0.006
	       for k, (g, n) in v.items())]
print("tenants_with_gpu_hours=%d" % sum(1 for v in used.values() if v[0] > 0))
print("gpu_hours=%.2f" % sum(v[0] for v in used.values()))
print("matches=%s" % ",".join(map(str, sorted(match))))
PY
}
if snap_report 1; then
	ok "snapshot and budget report run"
else
	not_ok "snapshot and budget report run"; cat "$T/snap1.err" "$T/r1.err" >&2
fi
check "the head node is up in the snapshot" grep -q ",slurm,scheduler,up," "$T/snap1"
compare 1 >"$T/cmp1" 2>&1
diag "$(cat "$T/cmp1")"
check "tenants have GPU-hours used" \
    grep -Eq '^tenants_with_gpu_hours=([5-9]|1[0-9])$' "$T/cmp1"
check "every tenant's GPU- and node-hours are what the simulated jobs used" \
    grep -Eq '^matches=[0-9]' "$T/cmp1"
# simulated time moves on: the next snapshot sees the jobs grow
if snap_report 2; then
	compare 2 >"$T/cmp2" 2>&1
	diag "$(cat "$T/cmp2")"
	g1=$(sed -n 's/^gpu_hours=//p' "$T/cmp1")
	g2=$(sed -n 's/^gpu_hours=//p' "$T/cmp2")
	check "a later snapshot: the budgets moved" \
	    python3 -c "import sys; sys.exit(not float('$g2') > float('$g1') + 1)"
	check "... by exactly what the jobs grew: nothing counted twice" \
	    grep -Eq '^matches=[0-9]' "$T/cmp2"
else
	not_ok "a later snapshot: the budgets moved"; cat "$T/snap2.err" "$T/r2.err" >&2
	not_ok "... by exactly what the jobs grew: nothing counted twice"
fi
# the idle-prone tenant's jobs run on a GPU node of their own, its GPUs at a few %
python3 - "$T/r2.json" "$T/truth2" >"$T/idle" 2>&1 <<'PY'
import json, sys
t = {x["id"]: x for x in json.load(open(sys.argv[1]))["tenants"]}
prone = [l.split()[2] for l in open(sys.argv[2]) if l.startswith("# idle-prone ")]
print("prone=%s" % ",".join(prone))
for k in prone:
	print("idle %s %d of %d" % (k, t[k]["gpus_idle"], t[k]["gpus_running"]))
print("others_idle=%d" % sum(v["gpus_idle"] for k, v in t.items() if k not in prone))
PY
diag "$(cat "$T/idle")"
check "the idle-prone tenant has GPUs allocated but idle" \
    grep -Eq '^idle [a-z0-9]+ [1-9][0-9]* of [1-9]' "$T/idle"
check "budget report: an IDLE GPUS column" \
    sh -c "'$OPSDECK' budget report -c '$Y' --cache '$T/c.db' | grep -q 'IDLE GPUS'"


HEAD=$(fs_addr slurm-head)
SACCT='command -v sacct >/dev/null 2>&1 || exit 0; TZ=Asia/Seoul; export TZ; sacct -a -X -n -P -S now-2days -E now -o JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State'
fs_ssh "$HEAD" "$SACCT" >"$T/s1.txt" 2>"$T/s1.err"
check "one-shot sacct: status 0, jobs of the plan's accounts in -P -n -X form" \
    sh -c "[ \$(wc -l <'$T/s1.txt') -gt 10 ] && \
	grep -Eq '^[0-9]+(_[0-9]+)?\|energy0[1-4]\|[a-z]+\|gpu\|[0-9]+\|billing=[0-9]+,cpu=[0-9]+,gres/gpu=[0-9]+,mem=[0-9]+G,node=[12]\|(RUNNING|COMPLETED)$' '$T/s1.txt' && \
	grep -q '|cfd|[a-z]*|hpc|' '$T/s1.txt' && ! grep -q '|unlisted|' '$T/s1.txt'"
check "states sacct prints: RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED by UID" \
    sh -c "for s in RUNNING COMPLETED FAILED TIMEOUT 'CANCELLED by [0-9]*'; do \
	grep -q \"|\$s\$\" '$T/s1.txt' || exit 1; done"
fs_ssh "$(fs_addr gpu001)" "$SACCT" >"$T/nosacct.txt" 2>&1
rc=$?
check "a compute node has no sacct: the probe prints nothing, status 0" \
    sh -c "[ $rc -eq 0 ] && [ ! -s '$T/nosacct.txt' ]"

# a stream with the slurm probe, through the real frame reader and parser
fs_stream "$HEAD" "$T/st.txt" 200 linux,slurm
wait_for 15 fs_ends_at_least "$T/st.txt" 6
kill "$SSH_PID" 2>/dev/null
wait "$SSH_PID" 2>/dev/null
if [ -x "$CHECK" ]; then
	"$CHECK" "$T/st.txt" >"$T/st.chk"
	diag "$(grep slurm "$T/st.chk" | head -2)"
	check "stream: every slurm frame parses, with running jobs" \
	    sh -c "grep -q '^frame 1 slurm status=0 ok jobs=[1-9][0-9]* accounts=[1-9][0-9]* running=[1-9]' '$T/st.chk' && \
		grep -q 'summary frames=[0-9]* errors=0 garbage=0' '$T/st.chk'"
	check "stream: the slurm probe's squeue part names GPU nodes as config.yaml does" \
	    sh -c "grep -q '^@@squeue\$' '$T/st.txt' && \
		grep -Eq '^[0-9]+(_[0-9]+)?\|gpu[0-9]{3}(,gpu[0-9]{3})*\$' '$T/st.txt' && \
		! grep -q '127\.' '$T/st.txt'"
else
	skip "fleetsim_check not built"
fi
fs_ssh "$HEAD" "$SACCT" >"$T/s2.txt" 2>/dev/null
# ElapsedRaw per JobID never shrinks, and running jobs grew (an hour a second)
awk -F'|' 'NR == FNR { e[$1] = $5; s[$1] = $7; next }
	($1 in e) && $5 + 0 < e[$1] + 0 { bad++ }
	($1 in e) && s[$1] == "RUNNING" && $5 + 0 > e[$1] + 0 { grew++ }
	END { print "shrank=" bad + 0, "grew=" grew + 0 }' "$T/s1.txt" "$T/s2.txt" >"$T/mono"
diag "$(cat "$T/mono")"
check "ElapsedRaw per JobID never shrinks; running jobs grow" \
    grep -Eq '^shrank=0 grew=[1-9]' "$T/mono"

kill -TERM "$FS_PID"
if wait_for 10 gone "$FS_PID" && wait "$FS_PID"; then
	ok "SIGTERM: exits 0"
else
	not_ok "SIGTERM: exits 0"; cat "$FS_ERR" >&2
fi
check "no sanitizer reports" sh -c "! grep -q 'Sanitizer\|runtime error' '$FS_ERR'"
done_testing
