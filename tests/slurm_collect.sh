#!/bin/sh
# A scheduler group end to end: the slurm probe runs sacct (a stand-in that
# prints real `sacct -P` output) through the collector, the compute use lands
# in the cache, and `budget report` charges it to the plan's tenants.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 5
mkdir -p "$T/bin"
cp "$FIXTURES/slurm/sacct_day.txt" "$T/sacct.out"
printf '#!/bin/sh\ncat "%s/sacct.out"\n' "$T" >"$T/bin/sacct"
chmod +x "$T/bin/sacct"
cp "$top_srcdir/examples/budget.yaml" "$T/budget.yaml"
cat >"$T/c.yaml" <<Y
budget: budget.yaml
groups:
  - name: slurm
    kind: scheduler
    transport: local
    hosts: [slurm-head]
    probes: [slurm]
    interval: 500ms
Y
PATH="$T/bin:$PATH" timeout 30 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$T/c.db" --format csv >"$T/snap" 2>"$T/err"
check "the scheduler host answered" grep -q '^slurm-head,slurm,scheduler,up,' "$T/snap"
timeout 30 "$OPSDECK" budget report -c "$T/c.yaml" --cache "$T/c.db" --format json >"$T/r.json" 2>>"$T/err"
check "budget report reads the cache" [ -s "$T/r.json" ]
python3 - "$T/r.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["id"]: x for x in r["tenants"]}
# sacct_day.txt: energy01 ran 2 GPUs x 2h + 4 GPUs x 1h = 8 GPU-hours; auto01 16 GPUs x 24h = 384
print("energy01", t["energy01"]["gpu_hours_used"])
print("auto01", t["auto01"]["gpu_hours_used"])
PY
check "energy01 used 8 GPU-hours" grep -q '^energy01 8' "$T/check"
check "auto01 used 384 GPU-hours" grep -q '^auto01 384' "$T/check"
# A second collection of the same jobs adds nothing.
PATH="$T/bin:$PATH" timeout 30 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$T/c.db" >/dev/null 2>&1
"$OPSDECK" budget report -c "$T/c.yaml" --cache "$T/c.db" --format json >"$T/r2.json"
python3 - "$T/r2.json" >"$T/check2" 2>&1 <<'PY'
import json, sys
t = {x["id"]: x for x in json.load(open(sys.argv[1]))["tenants"]}
print("auto01", t["auto01"]["gpu_hours_used"])
PY
check "collecting the same jobs twice does not double-count" grep -q '^auto01 384' "$T/check2"
diag "$(cat "$T/check" "$T/check2" "$T/err")"
done_testing
