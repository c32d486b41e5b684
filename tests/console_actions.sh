#!/bin/sh
# Actions on hosts (issue 16, item 3): `:run` from the console in tmux on
# two real sshds on loopback. On one host: the y/n prompt names it, the
# results show each host's output and exit status (the screen compared
# whole), the action is a row in the cache (who, what, each host's result)
# and in the host's Detail. On a group (-g): both hosts, each with its own
# output. Declined: nothing runs, nothing is recorded. A command that hangs
# is cancelled with Esc, one more with ^C, and one is stopped at
# action_timeout: each leaves no process on the node. --read-only refuses.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 CLI is not installed"
sshd_setup
plan 29

sshd_start a "$NET.1" || { diag "sshd a did not start"; exit 1; }
sshd_start b "$NET.2" || { diag "sshd b did not start"; exit 1; }
{ known_entry a "$NET.1"; known_entry b "$NET.2"; } >>"$KNOWN"
mkdir -p "$T/w"
chmod 777 "$T/w"
write_config "$T/c.yaml" "{host: node1, address: $NET.1}, {host: node2, address: $NET.2}"
echo "action_timeout: 6s" >>"$T/c.yaml"
HOME="$T/home" timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" --cycles 1 \
    >"$T/collect.out" 2>&1
check "a collection put both hosts in the cache" \
    [ "$(sqlite3 "$CACHE" "SELECT count(*) FROM hosts WHERE state = 1")" = 2 ]

console_start 120 36 "HOME=$T/home" -- -c "$T/c.yaml"
q() { sqlite3 "$CACHE" ".timeout 5000" "$1"; }
# console_sockets: how many sockets the console holds (a run's end must close its own)
console_sockets() {
	_c=$(pgrep -f "opsdeck console .*--cache $CACHE" | head -1)
	ls -l "/proc/$_c/fd" 2>/dev/null | grep -c 'socket:'
}
wait_screen "node1" >/dev/null
sockets0=$(console_sockets)
# node_procs PATTERN: the test user's processes of our sshds whose command has PATTERN
node_procs() {
	for _p in $(pgrep -u "$SSH_USER" -f "$1" 2>/dev/null); do
		{ tr '\0' '\n' <"/proc/$_p/environ"; } 2>/dev/null |
			grep -qx "OPSDECK_TEST_NET=$NET" && echo "$_p"
	done | wc -l
}
no_node_procs() { [ "$(node_procs "$1")" -eq 0 ]; }

# ---- one host: prompt, results, record, Detail ----
keys ':host node1' Enter
keys ':run echo out-$((6*7)); echo err >&2; exit 3' Enter
check "the prompt names the command and the host" \
    wait_screen "run 'echo out-\$((6*7)); echo err >&2; exit 3' on node1? [y/N]"
keys y
if wait_screen "1 of 1 over  Esc close"; then
	settle "Esc close" >/dev/null
	# the run's time is 3 to 5 characters ("8ms", "85ms", "405ms"): one
	# "#" and the line's width kept
	results_one() { screen | screen_mask | sed -n '2,6p' |
		perl -CSD -pe 's/\((#+)\)( *)/"(#)" . " " x (length($1) - 1 + length($2))/e' |
		same_text actions_run_one; }
	check "the results: node1, exit 3, its output and stderr, line by line" results_one
else
	not_ok "the results: node1, exit 3, its output and stderr, line by line"
	diag "$(screen)"
fi
check "the status line sums it up" screen_has "run on node1: exit 3"
rows() { [ "$(q "SELECT count(*) FROM actions")" = "$1" ]; }
check "the action is a row of the cache" wait_for 5 rows 1
check "who, what and the end are recorded" [ "$(q "SELECT user, kind, what, end_ms > ts_ms FROM actions")" = \
    "root|run|echo out-\$((6*7)); echo err >&2; exit 3|1" ]
check "and node1's result: exit 3" \
    [ "$(q "SELECT host, status, result FROM action_hosts")" = "node1|3|exit 3" ]
keys Escape
check "Esc closes the results" wait_gone "Esc close"
detail_shows() { wait_screen "root run: exit 3" && screen_has "echo out-\$((6*7)); echo err >&2; exit 3"; }
check "Detail shows the action with its result" detail_shows
screen_has "root run: exit 3" || diag "$(screen)"

# ---- the group: both hosts, each its own output ----
keys ':run -g echo "I am $OPSDECK_TEST_NET"; hostname >/dev/null' Enter
check "the group prompt names both hosts" \
    wait_screen "run 'echo \"I am \$OPSDECK_TEST_NET\"; hostname >/dev/null' on node1, node2? [y/N]"
keys y
wait_screen "2 of 2 over" >/dev/null
both_ok() { [ "$(screen | grep -c 'node[12]  exit 0')" = 2 ] && [ "$(screen | grep -c "I am $NET")" = 2 ]; }
check "each host of the group shows exit 0 and its output" both_ok
check "both hosts' results are recorded" wait_for 5 sh -c \
    "[ \"\$(sqlite3 '$CACHE' \"SELECT group_concat(host || '=' || status, ' ') FROM action_hosts h JOIN actions a ON a.id = h.action_id WHERE a.what LIKE '%I am%'\")\" = 'node1=0 node2=0' ]"
keys Escape
wait_gone "Esc close" >/dev/null

# ---- declined: nothing runs ----
keys ":run touch $T/w/declined" Enter
wait_screen "[y/N]" >/dev/null
keys n
check "declining says nothing ran" wait_screen "run declined: nothing run"
check "and nothing was recorded" rows 2
keys ':run true' Enter
wait_screen "[y/N]" >/dev/null
keys Escape
check "Esc at the prompt declines too, and nothing ran" \
    sh -c "[ ! -e '$T/w/declined' ] && [ \$(sqlite3 '$CACHE' 'SELECT count(*) FROM actions') = 2 ]"

# ---- a command that hangs: Esc cancels, nothing is left on the node ----
keys ':run sleep 1000' Enter
wait_screen "[y/N]" >/dev/null
keys y
check "the hanging command runs on node1" wait_for 10 sh -c "[ \$(pgrep -u $SSH_USER -fx 'sleep 1000' | wc -l) -ge 1 ]"
keys Escape
check "Esc cancels it" wait_screen "node1  cancelled"
check "and no process is left on the node" wait_for 10 no_node_procs "sleep 1000" ||
	diag "$(ps -e -o pid=,ppid=,stat=,args= | cut -c1-150)"
check "the cancel is recorded" wait_for 5 sh -c \
    "[ \"\$(sqlite3 '$CACHE' \"SELECT result FROM action_hosts h JOIN actions a ON a.id = h.action_id WHERE a.what = 'sleep 1000'\")\" = cancelled ]"
keys Escape

# ---- ^C cancels the group's, the timeout stops another ----
keys ':run -g sleep 1001' Enter
wait_screen "[y/N]" >/dev/null
keys y
wait_for 10 sh -c "[ \$(pgrep -u $SSH_USER -fx 'sleep 1001' | wc -l) -ge 2 ]"
keys C-c
check "^C cancels both hosts, and the console goes on" \
    wait_for 10 sh -c "[ \$($TM capture-pane -p -t c | grep -c 'node[12]  cancelled') = 2 ]"
check "and neither node keeps the command" wait_for 10 no_node_procs "sleep 1001" ||
	diag "$(ps -e -o pid=,ppid=,stat=,args= | cut -c1-150)"
keys Escape
keys ':run sleep 1002' Enter
wait_screen "[y/N]" >/dev/null
keys y
check "past action_timeout (6s) the command is stopped" wait_for 20 screen_has "node1  timeout"
check "and leaves nothing on the node" wait_for 10 no_node_procs "sleep 1002" ||
	diag "$(ps -e -o pid=,ppid=,stat=,args= | cut -c1-150)"
no_run_sockets() { [ "$(console_sockets)" -le "$sockets0" ]; }
check "the console keeps no connection of the four runs ($sockets0 sockets before)" \
    wait_for 5 no_run_sockets || diag "sockets now: $(console_sockets)"
keys Escape
keys q
check "the console ended normally" quit_ok

# ---- --read-only refuses every action ----
n0=$(q "SELECT count(*) FROM actions")
console_start 120 36 "HOME=$T/home" -- -c "$T/c.yaml" --read-only
keys ':host node1' Enter
keys ":run touch $T/w/ro" Enter
check ":run is refused, saying why" wait_screen "run: refused, the console is read-only (--read-only)"
keys S
check "S is refused" wait_screen "S (ssh): refused, the console is read-only"
keys ':drain test' Enter
check ":drain is refused" wait_screen "drain: refused, the console is read-only"
check "nothing ran and nothing was recorded" \
    sh -c "[ ! -e '$T/w/ro' ] && [ \$(sqlite3 '$CACHE' 'SELECT count(*) FROM actions') = $n0 ]"
keys q
quit_ok >/dev/null
done_testing
