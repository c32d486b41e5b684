#!/bin/sh
# The first slice end to end: the built-in default (this machine through the
# local transport) -> linux probe -> cache -> snapshot in three formats.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 12
export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"

timeout 60 "$OPSDECK" snapshot --format json >"$T/out.json" 2>"$T/err"; rc=$?
check "snapshot of the built-in default exits 0" [ $rc -eq 0 ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"
python3 - "$T/out.json" >"$T/check" 2>&1 <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
h = d["hosts"]
assert len(h) == 1, h
h = h[0]
for k in ("name", "group", "kind", "state", "error", "cpu", "mem", "load"):
    assert k in h, k
print("state", h["state"])
print("cores", h["cpu"]["cores"] == os.cpu_count())
u = h["cpu"]["util_pct"]
print("util", u is not None and 0 <= u <= 100)
mt = [int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0]
print("memtotal", h["mem"]["total_bytes"] == mt)
print("memused", 0 < h["mem"]["used_bytes"] < mt)
print("load", len(h["load"]) == 3 and all(x >= 0 for x in h["load"]))
print("name", h["name"] == os.uname().nodename)
PY
check "JSON parses with the Foundation's keys" grep -q '^state up$' "$T/check"
check "cpu.cores is this machine's core count" grep -q '^cores True$' "$T/check"
check "cpu.util_pct is a percentage (two samples)" grep -q '^util True$' "$T/check"
check "mem.total_bytes is MemTotal" grep -q '^memtotal True$' "$T/check"
check "mem.used_bytes is within total" grep -q '^memused True$' "$T/check"
check "load has three values" grep -q '^load True$' "$T/check"
check "the host is named after this machine" grep -q '^name True$' "$T/check"
grep -v True "$T/check" | grep -v '^state up' | while read -r l; do diag "$l"; done

check "the cache was created 0600" [ "$(stat -c %a "$T/state/opsdeck/cache.db")" = 600 ]
check "in a 0700 directory" [ "$(stat -c %a "$T/state/opsdeck")" = 700 ]

timeout 60 "$OPSDECK" snapshot --format csv >"$T/out.csv"
head -1 "$T/out.csv" | grep -q '^name,group,kind,state,error,cores,cpu_util_pct' &&
	[ "$(wc -l <"$T/out.csv")" -eq 2 ]
check "csv has a header and a row" [ $? -eq 0 ]
timeout 60 "$OPSDECK" snapshot --format table | grep -q "^HOST "
check "table has a header" [ $? -eq 0 ]
done_testing
