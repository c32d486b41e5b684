#!/bin/sh
# `S` (issue 16, item 3): an interactive ssh from the console in tmux to a
# real sshd on loopback. After the y/n prompt the console leaves the screen
# to OpenSSH's ssh, run with opsdeck's user, port, key, known_hosts and
# host-key policy (its argv, read from /proc while it runs); in the remote
# shell a command runs, `exit 3` ends it, and the console is back, the
# screen whole as before (compared, masked) with "exit 3" on the status
# line, the session recorded. A host whose key is not in opsdeck's
# known_hosts is refused by ssh under the strict policy, whatever the
# user's own ssh_config says.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 CLI is not installed"
command -v ssh >/dev/null 2>&1 || skip_all "OpenSSH's ssh is not installed"
sshd_setup
plan 11

sshd_start a "$NET.1" || { diag "sshd a did not start"; exit 1; }
sshd_start b "$NET.2" || { diag "sshd b did not start"; exit 1; }
known_entry a "$NET.1" >>"$KNOWN"	# b's key is not known
write_config "$T/c.yaml" "{host: node1, address: $NET.1}, {host: node2, address: $NET.2}"
# the user's own ssh_config would accept any key: -F keeps it out
printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n' \
    >"$T/home/.ssh/config"
HOME="$T/home" timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" --cycles 1 \
    >"$T/collect.out" 2>&1
# The cached samples are over two intervals (1 s) old before the console
# starts: an --offline console shows them stale from its first frame, and a
# later data load (^L makes one) finds nothing new to mark.
aged() { [ $(($(date +%s%3N) - $(sqlite3 "$CACHE" "SELECT max(sample_ms) FROM hosts"))) -gt 1500 ]; }
wait_for 10 aged
console_start 120 30 "HOME=$T/home" -- -c "$T/c.yaml"
keys ':host node1' Enter
settle "Detail  node1" >/dev/null

keys S
check "S asks first, naming the host" wait_screen "ssh to node1 (interactive)? [y/N]"
keys y
# the remote shell (the test user's /bin/sh) answers
keys 'echo "X-$((40+2))"' Enter
check "the remote shell runs a command on our terminal" wait_screen "X-42"
sshpid=$(pgrep -u root -x ssh | while read -r p; do
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "-- $NET.1" && echo "$p"; done | head -n 1)
tr '\0' '\n' <"/proc/$sshpid/cmdline" 2>/dev/null >"$T/argv"
cfgfile=$(sed -n '3p' "$T/argv")
printf '%s\n' ssh -F "$cfgfile" -l "$SSH_USER" -p "$SSHD_PORT" -i "$CLIENT_KEY" \
    -o "UserKnownHostsFile=\"$KNOWN\"" -o StrictHostKeyChecking=yes \
    -o GlobalKnownHostsFile=/dev/null -- "$NET.1" >"$T/want_argv"
check "ssh's argv: opsdeck's user, port, key, known_hosts and policy, the address" \
    cmp -s "$T/want_argv" "$T/argv"
cmp -s "$T/want_argv" "$T/argv" || diag "$(diff "$T/want_argv" "$T/argv")"
check "its -F config holds the policy for every hop, mode 0600" \
    sh -c "grep -q '^	StrictHostKeyChecking yes' '$cfgfile' && [ \$(stat -c %a '$cfgfile') = 600 ]"
keys 'exit 3' Enter
check "back in the console with ssh's exit status" wait_screen "ssh node1 ended: exit 3"
settle "ssh node1 ended" >/dev/null
# whole: the panes as a redraw from scratch (^L) draws them, nothing of the
# session left (the status line: ^L, a key, clears its message)
screen | screen_mask | sed '$d' >"$T/after.txt"
keys C-l
wait_gone "ssh node1 ended" >/dev/null
settle "hosts" >/dev/null
screen | screen_mask | sed '$d' >"$T/redrawn.txt"
check "the screen is restored whole: as ^L redraws it, no trace of the session" \
    sh -c "cmp -s '$T/redrawn.txt' '$T/after.txt' && ! grep -q 'X-42' '$T/after.txt'"
cmp -s "$T/redrawn.txt" "$T/after.txt" || diag "$(diff "$T/redrawn.txt" "$T/after.txt")"
check "and its borders are intact" borders_ok 120 30
check "the session's ssh_config is gone" [ ! -e "$cfgfile" ]
check "the session is recorded with its exit status" wait_for 5 sh -c \
    "[ \"\$(sqlite3 '$CACHE' \"SELECT a.kind, h.host, h.status, h.result FROM actions a JOIN action_hosts h ON h.action_id = a.id\")\" = 'ssh|node1|3|exit 3' ]"

# node2's key is unknown: strict refuses it, the user's StrictHostKeyChecking no notwithstanding
keys ':host node2' Enter
keys S
wait_screen "ssh to node2 (interactive)? [y/N]" >/dev/null
keys y
check "an unknown host key is refused by ssh under opsdeck's strict policy" \
    wait_for 15 screen_has "ssh node2 ended: exit 255"
check "and nothing was added to opsdeck's known_hosts" [ "$(wc -l <"$KNOWN")" = 1 ]
keys q
quit_ok >/dev/null
done_testing
