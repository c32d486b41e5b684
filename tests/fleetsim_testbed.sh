#!/bin/sh
# Test-bed controllers end to end over SSH: opsdeck-fleetsim plays three
# controllers (energy, automotive, healthcare) answering the controller
# contract; one of them sends garbage. snapshot shows the devices of the good
# ones with their Korean names and states, the bad one is not up, and the
# others are unaffected by it.
. "$top_srcdir/tests/lib.sh"
tmpdir
FLEETSIM="$top_builddir/opsdeck-fleetsim"
[ -x "$FLEETSIM" ] || skip_all "opsdeck-fleetsim is not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
plan 7

fs_start --nodes 1 --controllers 3 --fault ctl-healthcare-01=garbage ||
	{ not_ok "fleetsim started"; cat "$FS_ERR"; done_testing; }
ok "fleetsim started with three controllers"
# A short timeout so the garbage controller is judged within the test.
sed -i 's/^  timeout: .*/  timeout: 2s/' "$FS_DIR/config.yaml"

timeout 60 "$OPSDECK" snapshot -c "$FS_DIR/config.yaml" --cache "$T/c.db" --format json \
    --timeout 20s >"$T/out.json" 2>"$T/err"
rc=$?
check "snapshot exits 1: one controller did not answer properly" [ $rc -eq 1 ]
python3 - "$T/out.json" >"$T/check" 2>&1 <<'PY'
import json, sys
hosts = {h["name"]: h for h in json.load(open(sys.argv[1]))["hosts"]}
by_ctl = {}
for name, h in hosts.items():
    if h["kind"] == "testbed":
        by_ctl[h["group"] + ":" + name] = h
for k, h in sorted(by_ctl.items()):
    devs = h.get("devices", [])
    korean = any(any("\uac00" <= ch <= "\ud7a3" for ch in d["name"]) for d in devs)
    states = sorted({d["state"] for d in devs})
    print(h["state"], len(devs), korean, ",".join(states), h["error"] or "")
PY
diag "$(cat "$T/check")"
check "two controllers are up" [ "$(grep -c '^up ' "$T/check")" -eq 2 ]
check "each with its devices" [ "$(grep '^up ' "$T/check" | awk '$2 > 0' | wc -l)" -eq 2 ]
check "with Korean device names" [ "$(grep -c '^up [0-9]* True ' "$T/check")" -eq 2 ]
check "the garbage controller shows parse-error and why" grep -q '^parse-error 0 False .*no complete report' "$T/check"
# its devices are never shown as ok: none were learnt, or they are unknown
grep -v '^up ' "$T/check" | grep -q ',ok\| ok,\| ok ' 
check "and none of its devices shows ok" [ $? -ne 0 ]
done_testing
