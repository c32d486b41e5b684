#!/bin/sh
# A total outage against real sshds: every server is killed at once, stays
# away for several back-off caps, and comes back. The collector must keep
# trying (its threads stay), and each host must be up again within the
# back-off cap plus one interval of its return. Once with the collector
# thread a console runs (collector_tool watch: collector_start), once with
# `opsdeck collect --duration` writing a cache. The seconds from return to
# up are printed as diagnostics.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
sshd_setup
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
plan 12

HOSTS="1 2 3 4"
CAP_MS=2000
IV_MS=2000
for i in $HOSTS; do
	sshd_start "h$i" "$NET.$i" || { not_ok "sshd starts"; done_testing; }
	known_entry "h$i" "$NET.$i" >>"$KNOWN"
done
write_config "$T/c.yaml" "$NET.1, $NET.2, $NET.3, $NET.4" "interval: 2s" \
	"backoff_max: 2s"

now_ms() { date +%s%3N; }
# kill_all: every sshd and its sessions, at once.
kill_all() {
	_all=
	for i in $HOSTS; do _all="$_all $(sshd_pids "h$i")"; done
	# shellcheck disable=SC2086
	kill -KILL $_all 2>/dev/null
	for i in $HOSTS; do rm -f "$T/h$i.lpid"; done
}
# restart_all: each sshd again; $T/ret.N gets the ms at which N accepts again.
restart_all() {
	for i in $HOSTS; do
		sshd_start "h$i" "$NET.$i" || return 1
		now_ms >"$T/ret.$i"
	done
}
# recovery LABEL CMD: polls CMD HOST (true once HOST is up again) for each
# host; prints "HOST SECONDS" from its return to up, or "HOST never".
recovery() {
	_end=$(( $(now_ms) + 20000 ))
	_left=$HOSTS
	: >"$T/rec"
	while [ -n "$_left" ] && [ "$(now_ms)" -lt "$_end" ]; do
		_next=
		for i in $_left; do
			if "$1" "$NET.$i"; then
				_t=$(now_ms)
				echo "$NET.$i $(( _t - $(cat "$T/ret.$i") ))" >>"$T/rec"
			else
				_next="$_next $i"
			fi
		done
		_left=$_next
		sleep 0.05
	done
	for i in $_left; do echo "$NET.$i never" >>"$T/rec"; done
}
# within: every host of $T/rec came back within the cap plus one interval.
within() {
	awk -v lim=$((CAP_MS + IV_MS)) '$2 == "never" || $2 > lim { bad = 1 } END { exit bad }' \
		"$T/rec"
}
secs() { awk '{ printf "%s %.2f s; ", $1, $2 / 1000 }' "$T/rec"; }

# --- the console's collector thread -------------------------------------------
W="$T/watch"
"$COLLECTOR_TOOL" "$T/c.yaml" watch 120 >"$W" 2>"$T/werr" &
CPID=$!
at_exit "kill $CPID 2>/dev/null"
ups() { for i in $HOSTS; do grep -q "^$NET.$i up" "$W" || return 1; done; }
check "all four hosts come up" wait_for 15 ups
threads0=$(ls "/proc/$CPID/task" | wc -l)

l0=$(wc -l <"$W")
kill_all
downs() {
	for i in $HOSTS; do tail -n +"$((l0 + 1))" "$W" | grep -q "^$NET.$i down" || return 1; done
}
check "every host is down once every sshd is killed" wait_for 10 downs
check "their report loops ended on the nodes (the channels closed)" wait_for 5 no_user_procs
sleep 6		# three back-off caps with every host down
threads=$(ls "/proc/$CPID/task" 2>/dev/null | wc -l)
diag "collector threads: $threads0 while streaming, $threads after 6 s of total outage"
check "the collector keeps its threads through a total outage ($threads)" \
	[ "$threads" -ge 3 ]
l1=$(wc -l <"$W")
restart_all || { not_ok "sshds restart"; done_testing; }
up_after() { tail -n +"$((l1 + 1))" "$W" | grep -q "^$1 up"; }
recovery up_after
diag "return to up (collector thread, backoff_max 2s, interval 2s): $(secs)"
check "each host is up within backoff_max + interval of its return" within
kill -TERM "$CPID"
wait "$CPID"
check "the collector thread stops cleanly" [ $? -eq 0 ]
check "no remote process left after it stopped" wait_for 5 no_user_procs

# --- opsdeck collect ------------------------------------------------------------
C="$T/cache.db"
"$OPSDECK" collect -c "$T/c.yaml" --cache "$C" --duration 120s 2>"$T/cerr" &
OPID=$!
at_exit "kill $OPID 2>/dev/null"
state_is_up() {
	[ "$(sqlite3 "$C" "SELECT state FROM hosts WHERE name = '$1'" 2>/dev/null)" = 1 ]
}
all_up() { for i in $HOSTS; do state_is_up "$NET.$i" || return 1; done; }
state_down() {
	[ "$(sqlite3 "$C" "SELECT count(*) FROM hosts WHERE state = 3" 2>/dev/null)" = 4 ]
}
check "collect: all four hosts up in the cache" wait_for 15 all_up
kill_all
check "collect: every host down in the cache" wait_for 10 state_down
sleep 6
check "collect runs on through a total outage" kill -0 "$OPID"
restart_all || { not_ok "sshds restart"; done_testing; }
recovery state_is_up
diag "return to up (opsdeck collect, in the cache): $(secs)"
check "collect: each host is up within backoff_max + interval of its return" within
kill -TERM "$OPID"
wait "$OPID"
rc=$?
check "collect stopped by SIGTERM exits 0 (every host answered)" [ $rc -eq 0 ]
[ -s "$T/cerr" ] && diag "$(cat "$T/cerr")"
done_testing
