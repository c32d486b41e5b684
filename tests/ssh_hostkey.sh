#!/bin/sh
# Host-key policy against a real sshd: unknown keys under strict and
# accept-new, changed keys under both, a hostile ~/.ssh/config that must not
# weaken anything, and concurrent accept-new writers.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
sshd_setup
plan 23

SSHD_LOGLEVEL=VERBOSE
set --
for i in 2 3 4 5 6 7 8 9 10 11 12; do set -- "$@" "ListenAddress $NET.$i"; done
sshd_start a "$NET.1" "$@" || { not_ok "sshd starts"; done_testing; }
FP=$(fingerprint a)
diag "host key $FP"
ssh-keygen -q -t ed25519 -N '' -C impostor -f "$T/impostor" || exit 99

accepted() { grep -c "Accepted publickey" "$T/a.log"; }

# --- unknown key, strict ------------------------------------------------------------
: >"$KNOWN"
write_config "$T/c1.yaml" "$NET.1"
n0=$(accepted)
"$COLLECTOR_TOOL" "$T/c1.yaml" run 2 10000 >"$T/o1"
check "strict, unknown key: hostkey-unknown" [ "$(state_of "$T/o1" "$NET.1")" = hostkey-unknown ]
check "strict, unknown key: the message has the offered SHA256 fingerprint" grep -qF "$FP" "$T/o1"
check "strict, unknown key: nothing recorded in known_hosts" [ ! -s "$KNOWN" ]
check "strict, unknown key: never authenticated, nothing ran" [ "$(accepted)" -eq "$n0" ]
diag "$(grep "$NET.1" "$T/o1")"

# --- unknown key, accept-new -----------------------------------------------------------
write_config "$T/c2.yaml" "$NET.1" "host_key_policy: accept-new"
"$COLLECTOR_TOOL" "$T/c2.yaml" run 2 10000 >"$T/o2"
check "accept-new, unknown key: up" [ "$(state_of "$T/o2" "$NET.1")" = up ]
check "accept-new: the key was recorded in known_hosts" \
	grep -qF "$(known_entry a "$NET.1")" "$KNOWN"
"$COLLECTOR_TOOL" "$T/c1.yaml" run 2 10000 >"$T/o2b"
check "strict afterwards trusts the recorded key" [ "$(state_of "$T/o2b" "$NET.1")" = up ]

# --- changed key -------------------------------------------------------------------------
echo "[$NET.2]:$SSHD_PORT $(cut -d' ' -f1-2 "$T/impostor.pub")" >"$KNOWN"
cp "$KNOWN" "$T/known.before"
write_config "$T/c3.yaml" "$NET.2"
n0=$(accepted)
"$COLLECTOR_TOOL" "$T/c3.yaml" run 2 10000 >"$T/o3"
check "strict, changed key: hostkey-changed" [ "$(state_of "$T/o3" "$NET.2")" = hostkey-changed ]
check "strict, changed key: the message has the offered fingerprint" grep -qF "$FP" "$T/o3"
write_config "$T/c4.yaml" "$NET.2" "host_key_policy: accept-new"
"$COLLECTOR_TOOL" "$T/c4.yaml" run 2 10000 >"$T/o4"
check "accept-new, changed key: hostkey-changed" [ "$(state_of "$T/o4" "$NET.2")" = hostkey-changed ]
check "accept-new, changed key: known_hosts untouched" cmp -s "$KNOWN" "$T/known.before"
check "changed key: never authenticated" [ "$(accepted)" -eq "$n0" ]
diag "$(grep "$NET.2" "$T/o4")"

# --- a hostile ~/.ssh/config ---------------------------------------------------------------
cat >"$HOME/.ssh/config" <<'EOF'
Host *
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
    CheckHostIP no
    UpdateHostKeys yes
EOF
: >"$KNOWN"
"$COLLECTOR_TOOL" "$T/c1.yaml" run 2 10000 >"$T/o5"
check "hostile config, strict, unknown key: still hostkey-unknown" \
	[ "$(state_of "$T/o5" "$NET.1")" = hostkey-unknown ]
cp "$T/known.before" "$KNOWN"
"$COLLECTOR_TOOL" "$T/c4.yaml" run 2 10000 >"$T/o6"
check "hostile config, accept-new, changed key: still hostkey-changed" \
	[ "$(state_of "$T/o6" "$NET.2")" = hostkey-changed ]
check "hostile config: known_hosts untouched" cmp -s "$KNOWN" "$T/known.before"

# Default known_hosts (no known_hosts in opsdeck's config): ~/.ssh/known_hosts, not /dev/null.
: >"$HOME/.ssh/known_hosts"
CONFIG_KNOWN=none write_config "$T/c7.yaml" "$NET.3"
"$COLLECTOR_TOOL" "$T/c7.yaml" run 2 10000 >"$T/o7"
check "hostile config, default known_hosts: hostkey-unknown" \
	[ "$(state_of "$T/o7" "$NET.3")" = hostkey-unknown ]
CONFIG_KNOWN=none write_config "$T/c8.yaml" "$NET.3" "host_key_policy: accept-new"
"$COLLECTOR_TOOL" "$T/c8.yaml" run 2 10000 >"$T/o8"
check "accept-new writes ~/.ssh/known_hosts, whatever ssh_config says" \
	grep -qF "$(known_entry a "$NET.3")" "$HOME/.ssh/known_hosts"
check "and the host is up" [ "$(state_of "$T/o8" "$NET.3")" = up ]
rm -f "$HOME/.ssh/config"

# --- ProxyJump: the bastion's key is checked under the same policy ---------------------------
printf 'Host jumped\n    HostName %s\n    ProxyJump %s@%s:%s\n' "$NET.5" "$SSH_USER" "$NET.4" \
	"$SSHD_PORT" >"$HOME/.ssh/config"
known_entry a "$NET.5" >"$KNOWN"
write_config "$T/c9.yaml" "jumped"
"$COLLECTOR_TOOL" "$T/c9.yaml" run 2 10000 >"$T/o9"
check "strict, unknown bastion key: refused, not up" [ "$(state_of "$T/o9" jumped)" != up ]
check "strict, unknown bastion key: the bastion's key was not recorded" \
	[ "$(grep -c . "$KNOWN")" -eq 1 ]
diag "$(grep jumped "$T/o9")"
rm -f "$HOME/.ssh/config"

# --- concurrent accept-new: 8 unknown hosts at once --------------------------------------------
: >"$KNOWN"
write_config "$T/c10.yaml" "$NET.5, $NET.6, $NET.7, $NET.8, $NET.9, $NET.10, $NET.11, $NET.12" \
	"host_key_policy: accept-new"
"$COLLECTOR_TOOL" "$T/c10.yaml" run 2 15000 >"$T/o10"
check "concurrent accept-new: all 8 up" [ "$(grep -c ' up ' "$T/o10")" -eq 8 ]
bad=0
for i in 5 6 7 8 9 10 11 12; do
	[ "$(grep -cxF "$(known_entry a "$NET.$i")" "$KNOWN")" -eq 1 ] || bad=1
done
[ "$(wc -l <"$KNOWN")" -eq 8 ] || bad=1
check "concurrent accept-new: one intact line per host" [ $bad -eq 0 ]
check "nothing left running" wait_for 5 no_user_procs
done_testing
