#!/bin/sh
# store_kill.sh: kill -9 of the cache's writer in the middle of its ticks
# leaves a cache that opens, passes integrity_check and holds whole ticks;
# a second writer is refused while one runs, naming it.
. "$top_srcdir/tests/lib.sh"
W="$top_builddir/tests/store_writer"
[ -x "$W" ] || skip_all "tests/store_writer is not built"
plan 6
tmpdir
DB="$T/cache.db"
ROUNDS=12
pid=
at_exit '[ -n "$pid" ] && kill -9 $pid 2>/dev/null'

# A second writer while the first runs.
"$W" loop "$DB" >"$T/out.0" 2>&1 &
pid=$!
if wait_for 20 grep -qs '^ready' "$T/out.0"; then
	msg=$("$W" try "$DB")
	case $msg in
	"cache $DB is in use by pid $pid (store_writer loop)") ok "second writer refused: $msg" ;;
	*) not_ok "second writer: '$msg'" ;;
	esac
else
	not_ok "writer did not start: $(cat "$T/out.0")"
fi
kill -9 $pid; wait $pid 2>/dev/null; pid=

started=0
for i in $(seq 1 $ROUNDS); do
	"$W" loop "$DB" >"$T/out.$i" 2>&1 &
	pid=$!
	# Wait until it has committed some ticks, then kill it at a random moment.
	if wait_for 20 grep -qs '^ready' "$T/out.$i"; then
		started=$((started + 1))
	fi
	sleep "$(awk -v s="$i" 'BEGIN { srand(s + systime()); printf "%.3f", rand() * 0.25 }')"
	kill -9 $pid
	wait $pid 2>/dev/null
	pid=
done
check "writer restarted after each of $ROUNDS kills" [ "$started" -eq "$ROUNDS" ]
[ "$started" -eq "$ROUNDS" ] || diag "$(cat "$T"/out.*)"

if out=$("$W" check "$DB" 50 2>&1); then
	ok "integrity_check ok and no torn tick: $out"
else
	not_ok "check: $out"
fi
if command -v sqlite3 >/dev/null 2>&1; then
	r=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
	check "sqlite3 CLI: integrity_check says '$r'" [ "$r" = ok ]
else
	skip "no sqlite3 CLI"
fi
# The lock file names nobody now, and a new writer takes over.
check "a new writer gets the lock after the kills" "$W" try "$DB"
check "the cache file is 0600" [ "$(stat -c %a "$DB")" = 600 ]
done_testing
