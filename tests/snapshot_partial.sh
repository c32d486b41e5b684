#!/bin/sh
# Partial reports end to end, through the local transport with the real
# binary: a /proc/meminfo with a bad line, an nvidia-smi whose GPU cannot give
# most values ([N/A]) and an ipmitool that prints real rows with its errors
# between them (tests/fixtures/ipmi/telegraf-errors-between-rows.txt). The
# host stays up with what parsed; "warnings" names each skipped line; a value
# the tool cannot give is null in the JSON, never 0; a sensor's number, unit
# and state come apart; the warnings are in the cache (hosts.warnings).
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 9
export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
mkdir "$T/bin"
cat >"$T/bin/cat" <<'S'
#!/bin/sh
case "$1" in
/proc/meminfo) printf 'MemTotal:  1000 kB\nMemFree:   12x kB\nMemAvailable: 600 kB\n' ;;
*) exec /bin/cat "$@" ;;
esac
S
awk_via_cat "$T/bin"	# the linux probe's awk reads through that cat
cat >"$T/bin/nvidia-smi" <<'S'
#!/bin/sh
case "$*" in *--query-compute-apps*) exit 0 ;; esac	# no process on it
echo "0, GPU-0000, NVIDIA H100 80GB HBM3, [N/A], [N/A], [N/A], 81559, 41, 71.15, 700.00, [N/A], [Not Supported]"
S
cat >"$T/bin/ipmitool" <<S
#!/bin/sh
exec /bin/cat "$FIXTURES/ipmi/telegraf-errors-between-rows.txt"
S
chmod 755 "$T/bin/cat" "$T/bin/nvidia-smi" "$T/bin/ipmitool"
cat >"$T/c.yaml" <<Y
groups:
  - name: here
    transport: local
    hosts: [partial]
    probes: [linux, nvidia, ipmi]
    interval: 200ms
Y
PATH="$T/bin:$PATH" timeout 60 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$T/c.db" \
    --format json >"$T/out.json" 2>"$T/err"
rc=$?
check "snapshot exits 0: the host answered" [ $rc -eq 0 ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"
python3 - "$T/out.json" >"$T/check" 2>&1 <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))["hosts"][0]
print("state", h["state"], h["error"] is None)
w = h["warnings"]
print("w0", w[0] == "linux: /proc/meminfo line 2: bad number '12x'")
print("w12", w[1:] == ["ipmi: line 6: expected 'name | id | status | entity | reading': "
    "'Unable to send command: Invalid argument'",
    "ipmi: line 8: expected 'name | id | status | entity | reading': "
    "'Unable to send command: Invalid argument'"])
print("mem", h["mem"]["total_bytes"] == 1024000 and h["mem"]["used_bytes"] == 409600)
g = h["gpus"][0]
print("gpu", g["util_pct"] is None and g["mem_util_pct"] is None and
    g["mem_used_bytes"] is None and g["mem_total_bytes"] == 81559 * 1048576 and
    g["ecc_uncorrected"] is None and g["throttle_reasons"] is None and
    g["temp_c"] == 41 and g["power_w"] == 71.15)
s = {x["name"]: x for x in h["sensors"]}
p = s["Power Supply 1"]
print("sensor", p["value"] == 110 and p["unit"] == "Watts" and
    p["state"] == "Presence detected" and p["status"] == "ok")
print("nr", s["SEL"]["value"] is None and s["SEL"]["unit"] is None and
    s["SEL"]["state"] == "No Reading" and s["SEL"]["status"] == "ns")
PY
check "the host is up, with no error" grep -q "^state up True$" "$T/check"
check "the bad meminfo line is a warning naming the file and line" grep -q '^w0 True$' "$T/check"
check "ipmitool's error lines are warnings, the sensors around them kept" \
    grep -q '^w12 True$' "$T/check"
check "memory in use from MemAvailable, despite the bad MemFree" grep -q '^mem True$' "$T/check"
check "values nvidia-smi cannot give are null, not 0" grep -q '^gpu True$' "$T/check"
check "110 Watts, Presence detected: number, unit and state apart" \
    grep -q '^sensor True$' "$T/check"
check "No Reading: no number, no unit, the state" grep -q '^nr True$' "$T/check"
grep -v True "$T/check" | while read -r l; do diag "$l"; done
check "the warnings are in the cache" \
    sh -c "sqlite3 '$T/c.db' 'SELECT warnings FROM hosts' | grep -q \"^linux: /proc/meminfo line 2: bad number '12x'\$\""
done_testing
