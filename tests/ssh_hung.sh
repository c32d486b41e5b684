#!/bin/sh
# Hung probes against a real OpenSSH sshd: the node's `ipmitool` never
# answers (it ignores SIGTERM and its child sleeps forever). The host shows
# timeout "ipmi: no output within 500ms", never parse-error; the hung command
# and its child are killed at every deadline; after 10 connections cut from
# the server side (the session's sshd killed: the channel is gone while a
# probe hangs) only the live session's processes remain, and after the
# collector stops, none. Twice: with coreutils timeout on the node, and
# with a PATH that has no timeout (the loop's own watchdog).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
sshd_setup
plan 16

# The BMC that never answers, and a timeout(1) that notes each use.
mkdir -p "$T/bin1" "$T/bin2" "$T/notimeout"
cat >"$T/bin1/ipmitool" <<'EOF'
#!/bin/sh
trap '' TERM HUP
sleep 100000 &
wait
EOF
cp "$T/bin1/ipmitool" "$T/bin2/ipmitool"
printf '#!/bin/sh\necho used >>%s/timeout.log\nexec /usr/bin/timeout "$@"\n' "$T" \
	>"$T/bin1/timeout"
chmod 755 "$T/bin1/ipmitool" "$T/bin2/ipmitool" "$T/bin1/timeout"
: >"$T/timeout.log"
chmod 666 "$T/timeout.log"
# Every tool of /usr/bin but timeout.
for f in /usr/bin/* /bin/*; do
	b=${f##*/}
	[ "$b" = timeout ] || [ -e "$T/notimeout/$b" ] || ln -s "$f" "$T/notimeout/$b"
done
chmod -R a+rX "$T"

SSHD_SETENV="PATH=$T/bin1:/usr/bin:/bin"
sshd_start t "$NET.1" || { not_ok "sshd starts"; done_testing; }
SSHD_SETENV="PATH=$T/bin2:$T/notimeout"
sshd_start w "$NET.2" || { not_ok "sshd starts"; done_testing; }
SSHD_SETENV=
known_entry t "$NET.1" >>"$KNOWN"
known_entry w "$NET.2" >>"$KNOWN"

# notty NAME: the session processes (sshd: USER@notty) of that sshd.
notty() {
	for _p in $(sshd_pids "$1"); do
		[ "$(stat -c %U "/proc/$_p" 2>/dev/null)" = "$SSH_USER" ] &&
			{ tr '\0' ' ' <"/proc/$_p/cmdline"; } 2>/dev/null |
			grep -q "^sshd: $SSH_USER@notty" && echo "$_p"
	done
}
# sessions: how many sessions the test user's processes belong to.
sessions() {
	for _p in $(pgrep -u "$SSH_USER" 2>/dev/null); do
		{ tr '\0' '\n' <"/proc/$_p/environ"; } 2>/dev/null |
			grep -qx "OPSDECK_TEST_NET=$NET" && ps -o sid= -p "$_p"
	done | sort -u | grep -c .
}
one_session() { [ "$(sessions)" -eq 1 ]; }
# renewed NAME OLD: that sshd has a session process again, not OLD.
renewed() { _r=$(notty "$1"); [ -n "$_r" ] && [ "$_r" != "$2" ]; }
# hung: the hung ipmitool's sleeps of the test user that are alive.
hung() { pgrep -u "$SSH_USER" -f "^sleep 100000" | wc -l; }

# run_case LABEL NAME ADDR
run_case() {
	lab=$1 nm=$2 ad=$3
	# A: deadline 500ms: what the host shows; the hung command killed each cycle.
	write_config "$T/$nm.yaml" "$ad" "probes: [linux, ipmi]" "probe_timeout: 500ms" \
		"backoff_max: 300ms"
	W="$T/$nm.watch"
	"$COLLECTOR_TOOL" "$T/$nm.yaml" watch 300 >"$W" 2>"$T/$nm.err" &
	CPID=$!
	at_exit "kill $CPID 2>/dev/null"
	check "$lab: the host shows timeout 'ipmi: no output within 500ms'" \
		wait_for 15 grep -q "^$ad timeout ipmi: no output within 500ms\$" "$W"
	sleep 3		# six cycles, each with a hung ipmitool killed at its deadline
	_h=$(hung)
	check "$lab: the hung command and its child are killed at each deadline ($_h left)" \
		[ "$_h" -le 1 ]
	_pe=$(grep -c "^$ad parse-error" "$W")
	check "$lab: never parse-error ($_pe)" [ "$_pe" -eq 0 ]
	kill -TERM "$CPID"
	wait "$CPID"

	# B: deadline 20s, so that only the loop's guard can end a hung loop in time.
	write_config "$T/$nm.yaml" "$ad" "probes: [linux, ipmi]" "probe_timeout: 20s" \
		"timeout: 3s" "backoff_max: 300ms"
	"$COLLECTOR_TOOL" "$T/$nm.yaml" watch 300 >"$W" 2>"$T/$nm.err" &
	CPID=$!
	at_exit "kill $CPID 2>/dev/null"
	# this collector's session, with its ipmitool hung (not a sleep left of case A)
	b_ready() { [ -n "$(notty "$nm")" ] && [ "$(hung)" -ge 1 ]; }
	wait_for 15 b_ready
	_k=0
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		_s=$(notty "$nm")
		[ -n "$_s" ] || break
		# shellcheck disable=SC2086
		kill -KILL $_s
		# reconnected: another session process of this sshd
		wait_for 30 renewed "$nm" "$_s" || break
		_k=$_i
	done
	[ "$_k" -eq 10 ] || diag "$(tail -5 "$W"; tail -5 "$T/$nm.err"; ps -eo user,pid,args | grep -v grep | grep -E "sshd|sleep" | head -20)"
	check "$lab: 10 connections cut while the probe hung, each reconnected ($_k)" [ "$_k" -eq 10 ]
	wait_for 5 one_session
	_n1=$(sessions) _p1=$(user_procs)
	diag "$lab: after 10 reconnects: $_p1 processes of the test user, in $_n1 session"
	check "$lab: after 10 reconnects only the live session's processes remain" [ "$_n1" -eq 1 ]
	wait_for 10 sh -c "[ \$(pgrep -u '$SSH_USER' -f '^sleep 100000' | wc -l) -ge 1 ]"
	kill -TERM "$CPID"
	wait "$CPID"
	check "$lab: the collector stops while the probe hangs" [ $? -eq 0 ]
	wait_for 5 no_user_procs
	_p2=$(user_procs)
	diag "$lab: after the collector stopped: $_p2 processes of the test user"
	our_procs | while read -r _x; do diag "left: $_x"; done
	check "$lab: no process of the test user is left after opsdeck exits" [ "$_p2" -eq 0 ]
}

run_case "timeout(1)" t "$NET.1"
check "timeout(1): the node's coreutils timeout ran the commands" [ -s "$T/timeout.log" ]
: >"$T/timeout.log"
run_case "no timeout(1)" w "$NET.2"
check "no timeout(1): the loop's watchdog did it alone" [ ! -s "$T/timeout.log" ]
done_testing
