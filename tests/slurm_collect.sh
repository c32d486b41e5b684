#!/bin/sh
# A scheduler group end to end: the slurm probe runs sacct (a stand-in that
# prints real `sacct -P` output) and squeue (the nodes of the running job)
# through the collector, the compute use lands in the cache, and `budget
# report` charges it to the plan's tenants; the running job's GPUs are idle
# only on nodes the collector knows with idle GPUs.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 9
mkdir -p "$T/bin"
cp "$FIXTURES/slurm/sacct_day.txt" "$T/sacct.out"
printf '#!/bin/sh\ncat "%s/sacct.out"\n' "$T" >"$T/bin/sacct"
chmod +x "$T/bin/sacct"
# 48219 (auto03, 4 GPUs) is the fixture's RUNNING job; its nodes come from a file
printf '48219|gpu[001-002]\n' >"$T/squeue.out"
printf '#!/bin/sh\ncat "%s/squeue.out"\n' "$T" >"$T/bin/squeue"
chmod +x "$T/bin/squeue"
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

# Nodes this collector does not know are never idle.
python3 - "$T/r2.json" >"$T/check3" 2>&1 <<'PY'
import json, sys
t = {x["id"]: x for x in json.load(open(sys.argv[1]))["tenants"]}
print("auto03", t["auto03"]["gpus_running"], t["auto03"]["gpus_idle"])
print("idle", sum(x["gpus_idle"] for x in t.values()))
PY
check "unknown nodes: auto03 holds 4 GPUs, none idle" \
    sh -c "grep -q '^auto03 4 0\$' '$T/check3' && grep -q '^idle 0\$' '$T/check3'"

# A GPU node the collector knows, its GPUs at 3 % (a stand-in nvidia-smi).
printf '48219|gpu-idle\n' >"$T/squeue.out"
printf '#!/bin/sh\ncase "$*" in *--query-compute-apps*) exit 0 ;; esac\necho "%s"\n' \
    '0, GPU-0, NVIDIA H100, 3, 1, 100, 81559, 40, 70.0, 700.0, 0, 0x0' >"$T/bin/nvidia-smi"
chmod +x "$T/bin/nvidia-smi"
cat >>"$T/c.yaml" <<Y
  - name: gpu
    transport: local
    hosts: [gpu-idle]
    probes: [nvidia]
    interval: 500ms
Y
PATH="$T/bin:$PATH" timeout 30 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$T/c.db" \
    --format csv >"$T/snap3" 2>>"$T/err"
"$OPSDECK" budget report -c "$T/c.yaml" --cache "$T/c.db" --format json >"$T/r3.json" 2>>"$T/err"
python3 - "$T/r3.json" >"$T/check4" 2>&1 <<'PY'
import json, sys
t = {x["id"]: x for x in json.load(open(sys.argv[1]))["tenants"]}
print("auto03", t["auto03"]["gpus_running"], t["auto03"]["gpus_idle"])
PY
check "a known node at 3 % GPU: auto03's 4 GPUs are allocated but idle" \
    grep -q '^auto03 4 4$' "$T/check4"
"$OPSDECK" budget report -c "$T/c.yaml" --cache "$T/c.db" >"$T/table" 2>>"$T/err"
check "the table has an IDLE GPUS column" grep -q 'CHARGE *IDLE GPUS$' "$T/table"
"$OPSDECK" budget report -c "$T/c.yaml" --cache "$T/c.db" --format csv >"$T/csv" 2>>"$T/err"
check "csv: gpus_idle per tenant" \
    sh -c "head -1 '$T/csv' | grep -q ',over_burn,gpus_idle' && \
	grep -q '^tenant,[^,]*,auto03,.*,4' '$T/csv'"
diag "$(cat "$T/check" "$T/check2" "$T/check3" "$T/check4" "$T/err")"
done_testing
