#!/bin/sh
# :drain and :resume (issue 16, item 3) from the console in tmux: scontrol
# runs on the scheduler group's head node, a real sshd on loopback whose
# PATH holds a stand-in scontrol that logs its argv, one word a line. The
# words are exactly update, NodeName=..., State=DRAIN and the reason, a
# reason with quotes, spaces, ; and $(...) included (nothing of it runs);
# -g drains or resumes the whole group in one scontrol. A reason over 200
# bytes, a head node instead of a compute node, and a node name with shell
# metacharacters (the configuration refuses it) never reach the head node.
# Each is recorded with the head node it went through and shown in Detail.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 CLI is not installed"
sshd_setup
plan 12

mkdir -p "$T/bin" "$T/w"
chmod 777 "$T/w"
chmod 755 "$T/bin"
LOG="$T/w/scontrol.log"
cat >"$T/bin/scontrol" <<EOF
#!/bin/sh
{ echo "argc=\$#"; for a in "\$@"; do printf '[%s]\n' "\$a"; done; } >>"$LOG"
EOF
chmod 755 "$T/bin/scontrol"
SSHD_SETENV="PATH=$T/bin:/usr/bin:/bin"
sshd_start head "$NET.1" || { diag "sshd did not start"; exit 1; }
known_entry head "$NET.1" >>"$KNOWN"
write_config "$T/c.yaml" "{host: gpu001, address: $NET.1}, {host: gpu002, address: $NET.1}" \
    "probes: [linux]"
cat >>"$T/c.yaml" <<EOF
  - name: slurm
    kind: scheduler
    hosts: [{host: head, address: $NET.1}]
    probes: [linux]
EOF
HOME="$T/home" timeout 60 "$OPSDECK" collect -c "$T/c.yaml" --cache "$CACHE" --cycles 1 \
    >"$T/collect.out" 2>&1
check "a collection put the nodes and the head node in the cache" \
    [ "$(sqlite3 "$CACHE" "SELECT count(*) FROM hosts WHERE state = 1")" = 3 ]

console_start 200 36 "HOME=$T/home" -- -c "$T/c.yaml"
REASON="disk 'sdb' says \"bad\"; \$(touch $T/w/pwned) \`id\`  two spaces"
keys ':host gpu001' Enter
keys ":drain $REASON" Enter
check "the prompt names the node, the reason and the head node" \
    wait_screen "drain gpu001 in Slurm (reason '$REASON') through head? [y/N]"
keys y
wait_screen "1 of 1 over" >/dev/null
printf 'argc=4\n[update]\n[NodeName=gpu001]\n[State=DRAIN]\n[Reason=%s]\n' "$REASON" >"$T/want1"
check "scontrol got exactly update, the node, State=DRAIN and the reason" \
    cmp -s "$T/want1" "$LOG"
[ -f "$LOG" ] && ! cmp -s "$T/want1" "$LOG" && diag "$(diff "$T/want1" "$LOG")"
check "nothing of the reason ran" [ ! -e "$T/w/pwned" ]
check "the results say exit 0 through the head node" screen_has "head  exit 0"
keys Escape
check "the drain is recorded with the head node it went through" wait_for 5 sh -c \
    "[ \"\$(sqlite3 '$CACHE' \"SELECT a.kind, a.via, h.host, h.status FROM actions a JOIN action_hosts h ON h.action_id = a.id\")\" = 'drain|head|gpu001|0' ]"
check "Detail shows it" wait_screen "root drain: exit 0"

keys ':resume -g' Enter
wait_screen "resume gpu001, gpu002 in Slurm through head? [y/N]" >/dev/null
keys y
wait_screen "1 of 1 over" >/dev/null
keys Escape
printf 'argc=3\n[update]\n[NodeName=gpu001,gpu002]\n[State=RESUME]\n' >"$T/want2"
tail -n 4 "$LOG" >"$T/got2"
check ":resume -g resumes the group in one scontrol" cmp -s "$T/want2" "$T/got2"

long=$(printf 'r%.0s' $(seq 1 201))
keys ":drain $long" Enter
check "a reason over 200 bytes is refused" wait_screen "drain: the reason is 201 bytes, at most 200"
keys ':host head' Enter
keys ':drain test' Enter
check "a head node is not drained" wait_screen "drain: slurm is a scheduler group, not compute nodes"
check "neither reached the head node" [ "$(grep -c '^argc' "$LOG")" = 2 ]
keys q
quit_ok >/dev/null
printf 'groups:\n  - name: n\n    hosts: ["gpu001;reboot"]\n' >"$T/bad.yaml"
"$OPSDECK" check-config -c "$T/bad.yaml" >"$T/bad.out" 2>&1
check "a node name with shell metacharacters cannot be configured, so never drained" \
    grep -q "invalid host name character ';'" "$T/bad.out"
done_testing
