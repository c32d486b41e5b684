#!/bin/sh
# The SSH transport against a real OpenSSH sshd on loopback: the happy path
# checked against this machine's /proc, a closed port, a wrong key, a small
# fan-out, ProxyJump from ~/.ssh/config, `snapshot` through the real binary,
# and nothing left running on the node afterwards.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
sshd_setup
plan 23

# One sshd listening on 10 addresses: .1 .. .10
set --
for i in 2 3 4 5 6 7 8 9 10; do set -- "$@" "ListenAddress $NET.$i"; done
sshd_start a "$NET.1" "$@" || { not_ok "sshd starts"; done_testing; }
for i in 1 2 3 4 5 6 7 8 9 10; do known_entry a "$NET.$i" >>"$KNOWN"; done

# --- happy path, figures against /proc ------------------------------------
write_config "$T/c1.yaml" "$NET.1"
"$COLLECTOR_TOOL" "$T/c1.yaml" run 2 10000 >"$T/o1" 2>"$T/e1"
check "collector_tool exits 0" [ $? -eq 0 ]
check "host is up" [ "$(state_of "$T/o1" "$NET.1")" = up ]
cores=$(awk -v h="$NET.1" '$1 == h { print $3 }' "$T/o1")
check "cores = nproc ($cores)" [ "$cores" = "$(nproc)" ]
memtotal=$(awk -v h="$NET.1" '$1 == h { print $4 }' "$T/o1")
want=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
check "mem total = MemTotal ($memtotal)" [ "$memtotal" = "$want" ]
cpu=$(awk -v h="$NET.1" '$1 == h { print $5 }' "$T/o1")
check "cpu % from two frames is a percentage ($cpu)" awk -v c="$cpu" 'BEGIN { exit !(c >= 0 && c <= 100) }'
check "it answered" grep -q '^answered 1 ' "$T/o1"
[ -s "$T/e1" ] && diag "$(cat "$T/e1")"

check "no remote process left after exit" wait_for 5 no_user_procs
our_procs | while read -r l; do diag "left: $l"; done

# --- closed port --------------------------------------------------------------
write_config "$T/c2.yaml" "$NET.99"
"$COLLECTOR_TOOL" "$T/c2.yaml" run 2 10000 >"$T/o2"
check "closed port: down" [ "$(state_of "$T/o2" "$NET.99")" = down ]
check "closed port: says connection refused" grep -q "connection refused by $NET.99 port $SSHD_PORT" "$T/o2"
check "closed port: returns at once, not at the deadline" \
	awk '/^answered/ { exit !($4 < 5000) }' "$T/o2"

# --- wrong client key -----------------------------------------------------------
write_config "$T/c3.yaml" "$NET.1" "identity: $OTHER_KEY"
"$COLLECTOR_TOOL" "$T/c3.yaml" run 2 10000 >"$T/o3"
check "wrong key: auth-failed" [ "$(state_of "$T/o3" "$NET.1")" = auth-failed ]
check "wrong key: the message names what was tried" grep -qF \
	"authentication failed: no usable key (tried $OTHER_KEY); add a key to the agent or set identity" "$T/o3"
[ "$(state_of "$T/o3" "$NET.1")" = auth-failed ] || diag "$(cat "$T/o3")"

# --- a key with a passphrase: refused, never a prompt (even on a terminal) -----------
ssh-keygen -q -t rsa -b 2048 -m PEM -N secret -C pem -f "$T/pem_key" || exit 99
cat "$T/pem_key.pub" >>"$T/authorized_keys"
write_config "$T/c9.yaml" "$NET.1" "identity: $T/pem_key"
if command -v script >/dev/null 2>&1; then
	timeout 20 script -qc "'$COLLECTOR_TOOL' '$T/c9.yaml' run 2 8000" /dev/null \
		</dev/null >"$T/o9" 2>&1
else
	timeout 20 "$COLLECTOR_TOOL" "$T/c9.yaml" run 2 8000 </dev/null >"$T/o9" 2>&1
fi
check "a key with a passphrase: auth-failed at once, no prompt" \
	grep -qF "(tried $T/pem_key (unreadable or has a passphrase))" "$T/o9"

# --- keys from the ssh-agent ---------------------------------------------------------
if command -v ssh-agent >/dev/null 2>&1 && command -v ssh-add >/dev/null 2>&1; then
	eval "$(ssh-agent -s)" >/dev/null
	at_exit "kill $SSH_AGENT_PID 2>/dev/null"
	ssh-add -q "$CLIENT_KEY" 2>/dev/null
	write_config "$T/c7.yaml" "$NET.1"
	sed -i '/identity:/d' "$T/c7.yaml"
	"$COLLECTOR_TOOL" "$T/c7.yaml" run 2 10000 >"$T/o7"
	check "a key from the agent logs in" [ "$(state_of "$T/o7" "$NET.1")" = up ]
	ssh-add -q -D 2>/dev/null
	"$COLLECTOR_TOOL" "$T/c7.yaml" run 2 10000 >"$T/o8"
	check "an empty agent: auth-failed, naming the agent" grep -qF \
		"authentication failed: no usable key (tried agent); add a key to the agent or set identity" \
		"$T/o8"
	kill "$SSH_AGENT_PID"
	unset SSH_AUTH_SOCK SSH_AGENT_PID
else
	skip "ssh-agent not installed"
	skip "ssh-agent not installed"
fi

# --- ten hosts at once ----------------------------------------------------------
hosts="$NET.1"
for i in 2 3 4 5 6 7 8 9 10; do hosts="$hosts, $NET.$i"; done
write_config "$T/c4.yaml" "$hosts"
# ten logins at once on a loaded machine (a sanitizer build beside another
# suite) may take over the usual 3 s: this check is about fan-out, not deadlines
sed -i 's/^  timeout: 3s$/  timeout: 10s/' "$T/c4.yaml"
"$COLLECTOR_TOOL" "$T/c4.yaml" run 2 25000 >"$T/o4"
n_up=$(grep -c ' up ' "$T/o4")
check "ten hosts: all up ($n_up)" [ "$n_up" -eq 10 ]
[ "$n_up" -eq 10 ] || diag "$(grep -v ' up ' "$T/o4")"
diag "$(grep '^answered' "$T/o4")"
check "ten hosts: nothing left running" wait_for 5 no_user_procs

# --- the cipher: AES-GCM first where the CPU has AES-NI and PCLMULQDQ ---------------
# sshd at DEBUG1 logs what the key exchange chose; OpenSSH takes the client's
# first cipher that it also has.
SSHD_LOGLEVEL=DEBUG1
sshd_start k "$NET.11" || not_ok "the DEBUG1 sshd starts"
SSHD_LOGLEVEL=
known_entry k "$NET.11" >>"$KNOWN"
write_config "$T/ck.yaml" "$NET.11"
"$COLLECTOR_TOOL" "$T/ck.yaml" run 1 10000 >"$T/ok" 2>&1
want=chacha20-poly1305@openssh.com
case $(uname -m) in
x86_64|i?86)
	grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo &&
		want=aes128-gcm@openssh.com ;;
esac
got=$(sed -n 's/.*kex: client->server cipher: \([^ ]*\) .*/\1/p' "$T/k.log" | head -1)
check "the cipher negotiated is $want ($got)" [ "$got" = "$want" ]

# --- ProxyJump and HostName from ~/.ssh/config ------------------------------------
cat >"$HOME/.ssh/config" <<EOF
Host target-*
    HostName $NET.7
Host target-j
    ProxyJump $SSH_USER@$NET.2:$SSHD_PORT
EOF
write_config "$T/c5.yaml" "target-d, target-j"
"$COLLECTOR_TOOL" "$T/c5.yaml" run 2 15000 >"$T/o5"
check "HostName from ~/.ssh/config" [ "$(state_of "$T/o5" target-d)" = up ]
check "ProxyJump through a bastion (ssh -W)" [ "$(state_of "$T/o5" target-j)" = up ]
grep -v ' up ' "$T/o5" | while read -r l; do diag "$l"; done
rm -f "$HOME/.ssh/config"

# --- the real binary: snapshot ------------------------------------------------------
if [ -x "$OPSDECK" ]; then
	write_config "$T/c6.yaml" "$NET.3, $NET.98"
	XDG_STATE_HOME="$T/state" timeout 30 "$OPSDECK" snapshot -c "$T/c6.yaml" --format json \
		--timeout 10 >"$T/o6.json" 2>"$T/e6"
	python3 - "$T/o6.json" "$NET" >"$T/o6" 2>&1 <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
net = sys.argv[2]
h = {x["name"]: x for x in d["hosts"]}
up, dn = h[net + ".3"], h[net + ".98"]
mt = [int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0]
print("up", up["state"] == "up" and up["cpu"]["cores"] == os.cpu_count()
      and up["mem"]["total_bytes"] == mt)
print("down", dn["state"] == "down" and "connection refused" in dn["error"])
PY
	check "snapshot --format json: the ssh host is up with /proc's figures" grep -q '^up True' "$T/o6"
	check "snapshot --format json: the closed port is down" grep -q '^down True' "$T/o6"
	grep -v True "$T/o6" | while read -r l; do diag "$l"; done
	[ -s "$T/e6" ] && diag "$(cat "$T/e6")"
else
	skip "opsdeck binary not built"
	skip "opsdeck binary not built"
fi
check "after snapshot nothing is left running" wait_for 5 no_user_procs
done_testing
