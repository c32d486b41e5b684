#!/bin/sh
# One alert engine: thresholds on BMC sensors and GPUs raise alerts under a
# headless `opsdeck collect` (before, only the console's own engine knew
# sensors.temp_c), `opsdeck alerts` lists them in every format, and when the
# nodes go away (the simulator is killed) the metric alerts clear and the
# hosts' state alerts take their place.
. "$top_srcdir/tests/lib.sh"
tmpdir
FLEETSIM="$top_builddir/opsdeck-fleetsim"
[ -x "$FLEETSIM" ] || skip_all "opsdeck-fleetsim is not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
plan 14

fs_start --nodes 2 --gpu-nodes 1 || { not_ok "fleetsim started"; cat "$FS_ERR"; done_testing; }
ok "fleetsim started: one GPU node, one CPU node"
cfg=$FS_DIR/config.yaml
cat >>"$cfg" <<Y
thresholds:
  sensors.temp_c: {warn: 30, crit: 45}
  gpus.temp_c: {warn: 1, crit: 2}
  cpu.util_pct: {warn: 101, crit: 102}
Y
timeout 60 "$OPSDECK" collect -c "$cfg" --cache "$T/c.db" --cycles 3 2>"$T/err"
check "collect: every host answered" [ $? -eq 0 ]

"$OPSDECK" alerts -c "$cfg" --cache "$T/c.db" --format json >"$T/a.json" 2>>"$T/err"
check "alerts --format json exits 0" [ $? -eq 0 ]
python3 - "$T/a.json" >"$T/check" 2>&1 <<'PY'
import json, re, sys
v = json.load(open(sys.argv[1]))
rfc = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
for a in v:
    assert set(a) == {"host", "subject", "metric", "severity", "value", "since", "cleared",
                      "acked", "snoozed_until", "message"}, a
    assert a["snoozed_until"] is None, a
    assert rfc.match(a["since"]) and a["cleared"] is None and a["acked"] is False, a
sens = sorted((a["subject"], a["severity"]) for a in v if a["metric"] == "sensors.temp_c")
gpus = {a["subject"] for a in v if a["metric"] == "gpus.temp_c"}
hosts = {a["host"] for a in v if a["metric"] == "sensors.temp_c"}
print("hosts", len(hosts))
print("cpu1", ("CPU1 Temp", "crit") in sens)
print("exhaust", ("Exhaust Temp", "warn") in sens)
print("inlet", any(s == "Inlet Temp" for s, _ in sens))
print("gpus", len(gpus), all(g.startswith("gpu") for g in gpus))
print("cpu", any(a["metric"] == "cpu.util_pct" for a in v))
print("state", any(a["metric"] == "host.state" for a in v))
PY
diag "$(cat "$T/check")"
check "sensors.temp_c raised on both nodes" grep -qx 'hosts 2' "$T/check"
check "CPU1 Temp (50 C) is critical, Exhaust Temp (35 C) a warning" \
    sh -c "grep -qx 'cpu1 True' '$T/check' && grep -qx 'exhaust True' '$T/check'"
check "Inlet Temp (21 C) raises nothing" grep -qx 'inlet False' "$T/check"
check "one gpus.temp_c alert per GPU, subject gpuN" grep -qx 'gpus 8 True' "$T/check"
check "no cpu or host-state alert while all is well" \
    sh -c "grep -qx 'cpu False' '$T/check' && grep -qx 'state False' '$T/check'"

"$OPSDECK" alerts -c "$cfg" --cache "$T/c.db" >"$T/a.txt"
check "the table has its header and a count" \
    sh -c "head -1 '$T/a.txt' | grep -q '^SEV *STATE *SINCE *HOST *SUBJECT *METRIC *MESSAGE' &&
        tail -1 '$T/a.txt' | grep -Eq '^[0-9]+ active, 0 cleared$'"

# The nodes go away: their metric alerts clear, their state alerts rise.
kill -9 "$FS_PID"
wait "$FS_PID" 2>/dev/null
sed -i 's/^  timeout: .*/  timeout: 1s/' "$cfg"
timeout 60 "$OPSDECK" collect -c "$cfg" --cache "$T/c.db" --duration 3s 2>>"$T/err"
"$OPSDECK" alerts -c "$cfg" --cache "$T/c.db" --all --format csv >"$T/all.csv"
python3 - "$T/all.csv" >"$T/check2" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
active = [r for r in rows if r["cleared"] == ""]
print("active", sorted({r["metric"] for r in active}))
print("state", sorted({r["severity"] for r in active if r["metric"] == "host.state"}),
      len({r["host"] for r in active if r["metric"] == "host.state"}))
print("cleared", sorted({r["metric"] for r in rows if r["cleared"] != ""}))
PY
diag "$(cat "$T/check2")"
check "down nodes: only their state alerts are active" grep -qx "active \['host.state'\]" "$T/check2"
check "critical, one per node" grep -qx "state \['crit'\] 2" "$T/check2"
check "the sensor and GPU alerts are cleared, and listed with --all" \
    grep -qx "cleared \['gpus.temp_c', 'sensors.temp_c'\]" "$T/check2"

"$OPSDECK" alerts --format xml 2>"$T/uerr"; rc=$?
[ $rc -eq 2 ] && grep -q "Try 'opsdeck alerts --help'" "$T/uerr"
check "alerts: a bad --format is a usage error (exit 2, with the hint)" [ $? -eq 0 ]
"$OPSDECK" alerts --help | grep -q '^Usage: opsdeck alerts'
check "alerts --help" [ $? -eq 0 ]
done_testing
