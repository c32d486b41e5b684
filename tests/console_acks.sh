#!/bin/sh
# One writer: an acknowledgement never makes a keypress wait on the cache.
# --offline beside another writer that holds the cache's write lock (a real
# SQLite lock, held by another process for six seconds), `a` and a note
# answer at once that the cache is busy and the acknowledgement is kept; the
# console keeps answering keys; once the lock is gone the kept note is
# written, exactly once. Before, the keypress waited SQLite's 5 s busy
# timeout and then failed with "database is locked".
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 CLI is not installed"
plan 8

cat >"$T/ctl.yaml" <<Y
schema: 1
controller: ctl-1
sector: energy
devices:
  - {id: ess-9, name: ESS nine, kind: ess-monitor, state: fault, message: cell over 60 C}
Y
cat >"$T/c.yaml" <<Y
groups:
  - name: beds
    kind: testbed
    transport: local
    hosts: [tb-1]
    probes: [testbed]
    command: cat $T/ctl.yaml
    interval: 300ms
Y
timeout 30 "$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" --cycles 2 2>"$T/err"
check "collect stored the controller and its fault alert" \
    [ "$(sqlite3 "$CACHE" "SELECT count(*) FROM alert_log WHERE device = 'ess-9' AND cleared_ms IS NULL")" = 1 ]

console_start 120 30 -- -c "$T/c.yaml" --view devices
wait_screen "ess-9" >/dev/null

# Another process holds the write lock for six seconds.
python3 - "$CACHE" "$T/held" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(6)
c.execute("COMMIT")
PY
holder=$!
at_exit "kill $holder 2>/dev/null"
wait_for 5 test -e "$T/held"
check "another process holds the cache's write lock" [ -e "$T/held" ]

keys a
wait_screen "note:" >/dev/null
t0=$(date +%s%N)
keys "swap planned" Enter
wait_for 5 screen_has "the cache is busy" || diag "$(screen | tail -3)"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
diag "busy answered after ${ms} ms"
check "the status line says at once that the cache is busy" [ "$ms" -lt 2000 ]
check "and that the acknowledgement is kept" screen_has "acknowledgement kept, trying again"
keys '?'
check "the console still answers keys while the lock is held" wait_for 2 screen_has "Moving"
keys Escape
acked() { [ "$(sqlite3 "$CACHE" "SELECT count(*) || '|' || max(note) FROM tb_acks WHERE device_id = 'ess-9'")" = "1|swap planned" ]; }
if wait_for 15 acked; then
	ok "once the lock is gone the note is written, once"
else
	not_ok "once the lock is gone the note is written, once"
	diag "tb_acks: $(sqlite3 "$CACHE" "SELECT id, note, ts_ms FROM tb_acks" 2>&1 | tr '\n' ' ')"
	diag "files: $(ls -la "$T" | tr '\n' ' ')"
	cp "$CACHE" /tmp/acks-fail.db 2>/dev/null; diag "stderr: $(cat "$T/stderr.log" 2>&1)"
	diag "$(screen | tail -1)"
fi
check "the status line confirms" wait_screen "acknowledged ESS nine"
wait "$holder"
check "the other writer committed normally" [ $? -eq 0 ]
keys q
done_testing
