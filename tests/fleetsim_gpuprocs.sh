#!/bin/sh
# Who is on each GPU, end to end through opsdeck-fleetsim: the real opsdeck
# streams the simulated fleet (its nvidia probe asks --query-compute-apps and
# the node-side owners part; fleetsim answers both) and `snapshot --format
# json` gives each GPU its processes: on busy GPUs a process with a user,
# jobs on some nodes (cgroup v1 and v2 lines) and none on others, GPUs held
# but idle, and the idle-prone tenant's Slurm job (the simulation's own job
# ids, not the nodes' made-up 700000+) on every GPU of its nodes.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
[ -x "$top_builddir/opsdeck-fleetsim" ] || skip_all "opsdeck-fleetsim not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
PLAN=$top_srcdir/examples/budget.yaml
tmpdir
plan 7

fs_start --nodes 8 --gpu-nodes 8 --scheduler --budget "$PLAN" --time-scale 3600 --seed 11 ||
	{ not_ok "fleetsim starts"; cat "$FS_ERR" >&2; exit 1; }
ok "fleetsim starts with 8 GPU nodes and a Slurm head"
Y=$FS_DIR/config.yaml
timeout 60 "$OPSDECK" snapshot -c "$Y" --cache "$T/c.db" --format json >"$T/s.json" 2>"$T/s.err"
check "snapshot exits 0" [ $? -eq 0 ]
[ -s "$T/s.err" ] && diag "$(cat "$T/s.err")"
python3 - "$T/s.json" >"$T/check" 2>&1 <<'PY'
import json, sys
hosts = [h for h in json.load(open(sys.argv[1]))["hosts"] if h["gpus"]]
procs = [(h, g, p) for h in hosts for g in h["gpus"] for p in g["processes"]]
print("hosts", len(hosts), "procs", len(procs))
print("shape", all(isinstance(p["pid"], int) and p["pid"] > 0 and p["user"] and p["name"]
    and (p["job"] is None or p["job"].isdigit()) for _, _, p in procs))
busy = [g for h in hosts for g in h["gpus"] if g["util_pct"] is not None and g["util_pct"] >= 50]
print("busy_held", all(g["processes"] for g in busy), len(busy))
print("jobs", len({p["job"] for _, _, p in procs if p["job"]}) > 0,
    any(p["job"] is None for _, _, p in procs))
idle = [(h["name"], g["index"]) for h in hosts for g in h["gpus"]
    if g["processes"] and g["util_pct"] is not None and g["util_pct"] < 5]
print("idle_held", len(idle) > 0, idle)
sim = []
for h in hosts:
    if all(g["util_pct"] is not None and g["util_pct"] < 5 and g["processes"] for g in h["gpus"]):
        jobs = {p["job"] for g in h["gpus"] for p in g["processes"]}
        sim.append((h["name"], jobs))
print("slurm_job", len(sim) > 0 and all(len(j) == 1 and None not in j and
    not (700000 <= int(next(iter(j))) < 800000) for _, j in sim), sim)
PY
diag "$(cat "$T/check")"
check "the GPU nodes answered with processes" grep -Eq '^hosts 8 procs [1-9]' "$T/check"
check "every process: pid, user, name, job digits or null" grep -q '^shape True$' "$T/check"
check "every busy GPU holds a process" grep -Eq '^busy_held True [1-9]' "$T/check"
check "processes in jobs and outside Slurm" grep -q '^jobs True True$' "$T/check"
check "GPUs held but idle, and the idle-prone tenant's job on its nodes" \
    sh -c "grep -q '^idle_held True' '$T/check' && grep -q '^slurm_job True' '$T/check'"
done_testing
