#!/bin/sh
# ProxyJump dialled by opsdeck against real OpenSSH sshds on loopback: one
# hop and two hops, each hop with its own User/Port/IdentityFile from
# ~/.ssh/config; unknown and changed hop keys under strict and accept-new
# (with a hostile ~/.ssh/config); a refused channel; a stopped hop ends in
# `timeout` within the deadline; 200 hosts behind one bastion share its
# logins; a bastion that refuses channels past its limit gets more logins;
# never an ssh child process.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
. "$top_srcdir/tests/fleetsim_lib.sh"
sshd_setup
plan 36

# The 200 hosts of the last part: opsdeck-fleetsim's nodes.
fs_ok=0
fs_start --nodes 200 --gpu-nodes 0 && fs_ok=1

# bastion1 lets in only $OTHER_KEY (its IdentityFile in ~/.ssh/config), and
# forwards only to target1 and target2; the targets and bastion2 take
# $CLIENT_KEY (opsdeck's identity).
cp "$OTHER_KEY.pub" "$T/bastion_keys"
chmod 644 "$T/bastion_keys"
SSHD_LOGLEVEL=VERBOSE
sshd_start b1 "$NET.2" "Match LocalAddress $NET.2" "    AuthorizedKeysFile $T/bastion_keys" \
	"    PermitOpen $NET.3:$SSHD_PORT $NET.7:$SSHD_PORT $NET.8:$SSHD_PORT *:${FS_PORT:-1}" ||
	{ not_ok "bastion1 starts"; done_testing; }
sshd_start b2 "$NET.3" || { not_ok "bastion2 starts"; done_testing; }
SSHD_LOGLEVEL=ERROR
sshd_start t "$NET.7" "ListenAddress $NET.8" "ListenAddress $NET.9" ||
	{ not_ok "targets start"; done_testing; }
FP1=$(fingerprint b1)
FP2=$(fingerprint b2)

# No ssh child, ever: an `ssh` first in PATH that would leave a mark.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "$@" >>%s/ssh-ran\nexit 255\n' "$T" >"$T/bin/ssh"
chmod 755 "$T/bin/ssh"
PATH="$T/bin:$PATH"
export PATH

logins() { grep -c "Accepted publickey" "$T/$1.log"; }
all_known() {
	known_entry b1 "$NET.2"
	known_entry b2 "$NET.3"
	known_entry t "$NET.7"
	known_entry t "$NET.8"
	known_entry t "$NET.9"
}
ssh_config() {
	cat >"$HOME/.ssh/config" <<EOF
Host *
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
Host bastion1
    HostName $NET.2
    User $SSH_USER
    Port $SSHD_PORT
    IdentityFile $OTHER_KEY
Host target1
    HostName $NET.7
    ProxyJump bastion1
Host target2
    HostName $NET.8
    ProxyJump bastion1,$SSH_USER@$NET.3:$SSHD_PORT
Host forbidden
    HostName $NET.9
    ProxyJump bastion1
EOF
}
msg_of() { awk -v h="$2" '$1 == h { $1 = $2 = $3 = $4 = $5 = ""; print }' "$1"; }

# --- one hop, two hops ---------------------------------------------------------------
ssh_config
all_known >"$KNOWN"
write_config "$T/c1.yaml" "target1, target2"
b1=$(logins b1) b2=$(logins b2)
"$COLLECTOR_TOOL" "$T/c1.yaml" run 2 15000 >"$T/o1"
check "one hop (User, Port, IdentityFile of the hop from ~/.ssh/config): up" \
	[ "$(state_of "$T/o1" target1)" = up ]
check "two hops: up" [ "$(state_of "$T/o1" target2)" = up ]
check "bastion1 accepted the hop's own IdentityFile" \
	grep -q "Accepted publickey for $SSH_USER .*$(ssh-keygen -l -E sha256 -f "$OTHER_KEY.pub" |
	awk '{ print $2 }')" "$T/b1.log"
check "both hosts shared one login to bastion1" [ $(( $(logins b1) - b1 )) -eq 1 ]
check "bastion2 was logged in to once, through bastion1" [ $(( $(logins b2) - b2 )) -eq 1 ]
check "no ssh process was started" [ ! -e "$T/ssh-ran" ]
grep -v ' up ' "$T/o1" | while read -r l; do diag "$l"; done
check "nothing left running on the hosts" wait_for 5 no_user_procs

# --- a channel the bastion refuses ------------------------------------------------------
write_config "$T/c2.yaml" "forbidden"
"$COLLECTOR_TOOL" "$T/c2.yaml" run 1 8000 >"$T/o2"
check "a channel refused by the hop: down" [ "$(state_of "$T/o2" forbidden)" = down ]
check "and the message names the hop and the refusal" \
	grep -q "forbidden down .*hop bastion1:$SSHD_PORT: channel to $NET.9 port $SSHD_PORT refused" \
	"$T/o2"
diag "$(grep forbidden "$T/o2")"

# --- hop keys: unknown, changed; strict, accept-new ------------------------------------
ssh-keygen -q -t ed25519 -N '' -C impostor -f "$T/impostor" || exit 99
impostor() { echo "[$1]:$SSHD_PORT $(cut -d' ' -f1-2 "$T/impostor.pub")"; }

all_known | grep -v "^\[$NET.2\]" >"$KNOWN"
cp "$KNOWN" "$T/known.before"
b1=$(logins b1)
write_config "$T/c3.yaml" "target1"
"$COLLECTOR_TOOL" "$T/c3.yaml" run 1 8000 >"$T/o3"
check "strict, unknown hop key: hostkey-unknown" \
	[ "$(state_of "$T/o3" target1)" = hostkey-unknown ]
check "strict, unknown hop key: the message names the hop and its fingerprint" \
	grep -qF "hop bastion1:$SSHD_PORT: unknown host key ssh-ed25519 $FP1" "$T/o3"
check "strict, unknown hop key: known_hosts untouched, the hop never logged in to" \
	sh -c "cmp -s '$KNOWN' '$T/known.before' && [ $(logins b1) -eq $b1 ]"
diag "$(msg_of "$T/o3" target1)"

write_config "$T/c4.yaml" "target1" "host_key_policy: accept-new"
"$COLLECTOR_TOOL" "$T/c4.yaml" run 1 8000 >"$T/o4"
check "accept-new, unknown hop key: up" [ "$(state_of "$T/o4" target1)" = up ]
check "accept-new: the hop's key is recorded under its address and port" \
	grep -qxF "$(known_entry b1 "$NET.2")" "$KNOWN"

all_known | grep -v "^\[$NET.2\]" >"$KNOWN"
impostor "$NET.2" >>"$KNOWN"
cp "$KNOWN" "$T/known.before"
b1=$(logins b1)
"$COLLECTOR_TOOL" "$T/c3.yaml" run 1 8000 >"$T/o5"
check "strict, changed hop key: hostkey-changed" \
	[ "$(state_of "$T/o5" target1)" = hostkey-changed ]
check "strict, changed hop key: the message names the hop and the offered fingerprint" \
	grep -qF "hop bastion1:$SSHD_PORT: host key changed: offered ssh-ed25519 $FP1" "$T/o5"
"$COLLECTOR_TOOL" "$T/c4.yaml" run 1 8000 >"$T/o6"
check "accept-new, changed hop key: hostkey-changed" \
	[ "$(state_of "$T/o6" target1)" = hostkey-changed ]
check "changed hop key: known_hosts untouched, the hop never logged in to" \
	sh -c "cmp -s '$KNOWN' '$T/known.before' && [ $(logins b1) -eq $b1 ]"
diag "$(msg_of "$T/o6" target1)"

# The second hop's key changed: the first hop is fine, the message names the second.
all_known | grep -v "^\[$NET.3\]" >"$KNOWN"
impostor "$NET.3" >>"$KNOWN"
write_config "$T/c7.yaml" "target2" "host_key_policy: accept-new"
"$COLLECTOR_TOOL" "$T/c7.yaml" run 1 8000 >"$T/o7"
check "two hops, the second's key changed: hostkey-changed naming hop 2" \
	grep -qF "target2 hostkey-changed 0 0 -1.0 hop $NET.3:$SSHD_PORT: host key changed: \
offered ssh-ed25519 $FP2" "$T/o7"
all_known | grep -v "^\[$NET.3\]" >"$KNOWN"
write_config "$T/c8.yaml" "target2"
"$COLLECTOR_TOOL" "$T/c8.yaml" run 1 8000 >"$T/o8"
check "two hops, strict, the second's key unknown: hostkey-unknown naming hop 2" \
	grep -qF "target2 hostkey-unknown 0 0 -1.0 hop $NET.3:$SSHD_PORT: unknown host key \
ssh-ed25519 $FP2" "$T/o8"
diag "$(msg_of "$T/o8" target2)"

# --- a stopped hop: timeout within the deadline -------------------------------------------
all_known >"$KNOWN"
write_config "$T/c9.yaml" "target1" "timeout: 2s"
for p in $(sshd_pids b1); do kill -STOP "$p"; done
"$COLLECTOR_TOOL" "$T/c9.yaml" run 1 20000 >"$T/o9"
ms=$(awk '$1 == "answered" { print $4 }' "$T/o9")
check "stopped hop: timeout" [ "$(state_of "$T/o9" target1)" = timeout ]
check "stopped hop: the message names the hop" grep -q "target1 timeout .*hop bastion1" "$T/o9"
check "stopped hop: given up within the deadline (${ms} ms for timeout 2s)" \
	[ "${ms:-99999}" -lt 4000 ]
diag "$(msg_of "$T/o9" target1)"
if [ -x "$OPSDECK" ]; then
	t0=$(date +%s)
	XDG_STATE_HOME="$T/state" timeout 60 "$OPSDECK" snapshot -c "$T/c9.yaml" --format json \
		--timeout 3s >"$T/o10.json" 2>"$T/e10"
	t1=$(date +%s)
	check "stopped hop: snapshot --timeout 3s ends in $((t1 - t0)) s (< 8)" [ $((t1 - t0)) -lt 8 ]
	check "stopped hop: snapshot says timeout" grep -q '"state": *"timeout"' "$T/o10.json"
else
	skip "opsdeck binary not built"
	skip "opsdeck binary not built"
fi
# Stopping the collector cuts a hop login short instead of waiting out its timeout.
write_config "$T/c9b.yaml" "target1" "timeout: 20s"
t0=$(date +%s)
"$COLLECTOR_TOOL" "$T/c9b.yaml" watch 1 >/dev/null
t1=$(date +%s)
check "stopped hop, timeout 20s: the collector stops in $((t1 - t0)) s (< 5)" [ $((t1 - t0)) -lt 5 ]
for p in $(sshd_pids b1); do kill -CONT "$p"; done

# A hop that stops while its hosts stream: they time out, then come back. (A
# direct host keeps the collector from seeing a total outage.)
write_config "$T/c11.yaml" "target1, target2, $NET.9"
"$COLLECTOR_TOOL" "$T/c11.yaml" watch 30 >"$T/o11" &
w=$!
wait_for 15 grep -q "^target1 up" "$T/o11"
for p in $(sshd_pids b1); do kill -STOP "$p"; done
check "hop stopped while streaming: the hosts behind it time out" \
	wait_for 12 grep -q "^target1 timeout" "$T/o11"
for p in $(sshd_pids b1); do kill -CONT "$p"; done
n=$(grep -c "^target1 up" "$T/o11")
check "hop continued: the hosts behind it come back up" \
	wait_for 15 sh -c "[ \$(grep -c '^target1 up' '$T/o11') -gt $n ]"
kill "$w" 2>/dev/null
wait "$w" 2>/dev/null
grep target1 "$T/o11" | while read -r l; do diag "$l"; done
check "nothing left running on the hosts after the stops" wait_for 10 no_user_procs

# --- 200 hosts behind one bastion ----------------------------------------------------------
if [ $fs_ok = 1 ]; then
	base=$(awk 'NR == 1 { split($2, a, "."); print a[1] "." a[2] "." a[3] }' "$FS_DIR/nodes")
	cat "$FS_DIR/known_hosts" >"$T/known_fs"
	known_entry b1 "$NET.2" >>"$T/known_fs"
	ssh_config
	printf 'Host %s.*\n    ProxyJump bastion1\n' "$base" >>"$HOME/.ssh/config"
	hosts=$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $2 }' "$FS_DIR/nodes")
	for chans in 128 50; do
		cat >"$T/c12.yaml" <<EOF
defaults:
  user: root
  port: $FS_PORT
  identity: $FS_DIR/id_ed25519
  known_hosts: $T/known_fs
  interval: 1s
  timeout: 10s
  jump_channels: $chans
groups:
  - name: nodes
    kind: node
    probes: [linux]
    hosts: [$hosts]
EOF
		b1=$(logins b1)
		"$COLLECTOR_TOOL" "$T/c12.yaml" run 2 60000 >"$T/o12"
		up=$(grep -c ' up ' "$T/o12")
		n=$(( $(logins b1) - b1 ))
		diag "200 hosts, jump_channels $chans: $up up, $n bastion logins;" \
			"$(grep '^answered' "$T/o12")"
		check "200 hosts behind one bastion (jump_channels $chans): all up" [ "$up" -eq 200 ]
		want=$(( (200 + chans - 1) / chans ))
		check "200 hosts behind one bastion: $n logins to it ($want expected)" [ "$n" -eq "$want" ]
		grep -v ' up ' "$T/o12" | head -3 | while read -r l; do diag "$l"; done
	done

	# A bastion that runs out of descriptors refuses channels past about a
	# dozen per login: opsdeck opens more logins, and every host comes up.
	SSHD_LOGLEVEL=VERBOSE
	( ulimit -n 24; sshd_start b3 "$NET.4" ) || not_ok "bastion3 starts"
	known_entry b3 "$NET.4" >>"$T/known_fs"
	printf 'Host %s.*\n    ProxyJump %s@%s:%s\nHost %s\n    IdentityFile %s\n' "$base" \
		"$SSH_USER" "$NET.4" "$SSHD_PORT" "$NET.4" "$CLIENT_KEY" >"$HOME/.ssh/config"
	hosts=$(awk 'NR <= 40 { printf "%s%s", (NR > 1 ? ", " : ""), $2 }' "$FS_DIR/nodes")
	sed -e "s/jump_channels: .*/jump_channels: 128/" -e "s/^    hosts: .*/    hosts: [$hosts]/" \
		"$T/c12.yaml" >"$T/c13.yaml"
	"$COLLECTOR_TOOL" "$T/c13.yaml" watch 40 >"$T/o13" 2>"$T/e13" &
	w=$!
	all_up() {
		[ "$(awk '{ s[$1] = $2 } END { for (h in s) n += s[h] == "up"; print n + 0 }' \
			"$T/o13")" -eq 40 ]
	}
	check "a bastion that refuses channels past its limit: all 40 hosts up" wait_for 30 all_up
	n=$(logins b3)
	check "and it took more logins to it ($n), far fewer than hosts" \
		[ "$n" -ge 3 ] && [ "$n" -lt 20 ]
	diag "bastion3 refused $(grep -c 'Too many open files' "$T/b3.log") channels," \
		"$n logins for 40 hosts"
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	grep -v ' up ' "$T/o13" | head -2 | while read -r l; do diag "on the way: $l"; done
	[ -s "$T/e13" ] && diag "$(cat "$T/e13")"
else
	for i in 1 2 3 4 5 6; do skip "fleetsim did not start"; done
fi
check "no ssh process was started, all along" [ ! -e "$T/ssh-ran" ]
rm -f "$HOME/.ssh/config"
done_testing
