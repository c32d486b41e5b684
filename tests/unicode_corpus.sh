#!/bin/sh
# The one text policy end to end over the fixture corpus
# tests/fixtures/unicode/unsafe.txt: a test-bed controller (local transport)
# reports one device per corpus character (the first and last of each
# range) in its name and message; the collector's snapshot JSON, the cache's
# rows and the whole console screen carry each as U+FFFD and nothing of the
# unsafe categories anywhere, and the safe corpus passes unchanged.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
plan 9

# The report: device uNN named "dev<CHAR>name", message "m<CHAR>x"; device
# sNN the same with a safe character. want.txt: id, name, message expected.
python3 - "$FIXTURES/unicode" "$T" <<'PY' || { not_ok "corpus report written"; exit 1; }
import sys
src, out = sys.argv[1], sys.argv[2]
def cps(name):
    for l in open(f"{src}/{name}", encoding="utf-8"):
        if l.startswith("#") or not l.strip():
            continue
        r = l.split()[0].split("-")
        a, b = int(r[0], 16), int(r[-1], 16)
        yield from sorted({a, b})
def esc(cp):	# a YAML double-quoted escape, so the file itself stays ASCII
    return "\\U%08x" % cp
rep = ["schema: 1", "controller: ctl-u", "sector: energy", "devices:"]
want = []
for tag, name, repl in (("u", "unsafe.txt", None), ("s", "safe.txt", 1)):
    for i, cp in enumerate(cps(name)):
        if cp == 0x09 or cp in (0x22, 0x5c):	# TAB is a blank; keep YAML simple
            continue
        did = "%s%03d" % (tag, i)
        rep += ["  - id: " + did, '    name: "dev%sname"' % esc(cp), "    kind: probe",
                "    state: ok", "    since: 2026-11-20T08:00:00+09:00",
                '    message: "m%sx"' % esc(cp)]
        c = "\ufffd" if repl is None else chr(cp)
        want.append("%s\tdev%sname\tm%sx" % (did, c, c))
open(f"{out}/report.yaml", "w").write("\n".join(rep) + "\n")
open(f"{out}/want.txt", "w", encoding="utf-8").write("\n".join(sorted(want)) + "\n")
PY
n=$(wc -l <"$T/want.txt")
cat >"$T/c.yaml" <<Y
groups:
  - name: tb
    kind: testbed
    transport: local
    hosts: ctl-u
    probes: [testbed]
    command: cat $T/report.yaml
    interval: 300ms
Y

# snapshot JSON
timeout 60 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$CACHE" --format json \
    >"$T/snap.json" 2>"$T/err"; rc=$?
check "snapshot of the corpus controller exits 0" [ $rc -eq 0 ]
python3 - "$T/snap.json" >"$T/got.json.txt" 2>"$T/err.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
rows = []
for h in d["hosts"]:
    for dev in h.get("devices", []):
        rows.append("%s\t%s\t%s" % (dev["id"], dev["name"], dev["message"]))
print("\n".join(sorted(rows)))
PY
check "snapshot JSON: every unsafe character is U+FFFD, every safe one kept ($n devices)" \
    cmp -s "$T/got.json.txt" "$T/want.txt"
cmp -s "$T/got.json.txt" "$T/want.txt" || diag "$(diff "$T/want.txt" "$T/got.json.txt" | head -5)"
# the raw bytes too: no control byte but the line ends
python3 -c 'import sys; b = open(sys.argv[1], "rb").read()
sys.exit(any(c < 0x20 and c != 0x0a or c == 0x7f for c in b))' "$T/snap.json"
check "snapshot JSON: no raw control byte" [ $? -eq 0 ]

# the cache
sqlite3 -separator "	" "$CACHE" "SELECT device_id, name, message FROM tb_devices
    ORDER BY device_id" >"$T/got.db.txt" 2>"$T/err.db"
check "the cache holds the same" cmp -s "$T/got.db.txt" "$T/want.txt"

# the console, offline on that cache: the whole screen
n_u=$(grep -c '^u' "$T/want.txt")
console_start 200 $((2 * n + 20)) -- --view devices || { not_ok "console starts"; exit 1; }
wait_for 5 screen_has "u000"
screen >"$T/screen.txt"
check "the console starts on the corpus cache" screen_has "u000"
python3 - "$T/screen.txt" "$FIXTURES/unicode/unsafe.txt" >"$T/scr.txt" 2>&1 <<'PY'
import re, sys, unicodedata
scr = open(sys.argv[1], encoding="utf-8").read()
bad = set()
for l in open(sys.argv[2], encoding="utf-8"):
    if l.startswith("#") or not l.strip():
        continue
    r = l.split()[0].split("-")
    bad.update(range(int(r[0], 16), int(r[-1], 16) + 1))
hits = ["U+%04X" % ord(c) for c in scr if c != "\n" and
        (ord(c) in bad or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs"))]
print("unsafe", len(hits), " ".join(hits[:10]))
print("rows", sum(1 for line in scr.splitlines()
                  if "dev\ufffdname" in line and re.search(r"\bu[0-9]{3}\b", line)))
PY
check "no unsafe character anywhere on the screen" grep -qx "unsafe 0 " "$T/scr.txt"
check "each unsafe-corpus device drawn as dev�name ($n_u rows)" grep -qx "rows $n_u" "$T/scr.txt"
grep -v "^unsafe 0 $" "$T/scr.txt" | while read -r l; do diag "$l"; done
check "the screen is not garbled" borders_ok 200 $((2 * n + 20))
keys q
check "the console quits cleanly" quit_ok
done_testing
