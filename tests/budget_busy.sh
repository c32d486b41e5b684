#!/bin/sh
# `budget import` beside a writer: while another process holds the cache's
# SQLite write lock and its writer lock file (as a running `opsdeck collect`
# does), an import waits a bounded time, then gives up naming that process,
# and imports nothing; once the lock is gone the same import goes through.
. "$top_srcdir/tests/lib.sh"
tmpdir
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
plan 4

export HOME="$T" XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/state"
PLAN="$top_srcdir/examples/budget.yaml"
LEDGER="$top_srcdir/examples/ledger.csv"
S="$FIXTURES/slurm/sacct_day.txt"
C="$T/budget.db"
"$OPSDECK" budget import --sacct --day 2021-02-27 --cache "$C" "$S" >/dev/null
python3 - "$C" "$T/held" <<'PY' &
import fcntl, os, sqlite3, sys, time
lock = open(sys.argv[1] + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
lock.write("%d opsdeck collect -c site.yaml\n" % os.getpid())
lock.flush()
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(8)
c.execute("COMMIT")
PY
holder=$!
at_exit "kill $holder 2>/dev/null"
wait_for 10 test -e "$T/held"
"$OPSDECK" budget import --plan "$PLAN" --cache "$C" "$LEDGER" >"$T/out" 2>"$T/err"; rc=$?
diag "$(cat "$T/err")"
check "the import gives up with status 3 (the cache is held)" [ $rc -eq 3 ]
check "naming the writer that holds the cache" \
    grep -q "stayed busy for 5 s while written by pid $holder (opsdeck collect -c site.yaml)" "$T/err"
check "and nothing was imported" grep -q "nothing was imported" "$T/err"
wait "$holder"
out=$("$OPSDECK" budget import --plan "$PLAN" --cache "$C" "$LEDGER")
check "once the lock is gone it imports: $out" \
    [ "$out" = "$LEDGER: 34 rows imported, 0 already in the cache" ]
done_testing
