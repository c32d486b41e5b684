# tests/sshd_lib.sh: a real OpenSSH sshd on loopback for the ssh_*.sh tests.
# Source after tests/lib.sh. Call sshd_setup first: it skips the whole test
# (TAP "1..0 # SKIP") when sshd is missing or we cannot make the test user.
#
# Gives:
#   $T                  temp dir (0755 so the test user can read authorized_keys)
#   $SSH_USER           the test user (shell /bin/sh, password field '*')
#   $NET                "127.A.B": a /24 of loopback addresses of our own
#   $CLIENT_KEY         client private key (in authorized_keys), $OTHER_KEY (not)
#   $KNOWN              known_hosts with the host key of every sshd we start
#   HOME=$T/home        an empty ~/.ssh; no agent (SSH_AUTH_SOCK unset)
#   sshd_start NAME ADDR [CONFIG LINE...]   start one sshd on ADDR:$SSHD_PORT
#                       (log $T/NAME.log at $SSHD_LOGLEVEL, default ERROR;
#                       sessions get $SSHD_SETENV, NAME=VALUE words, too)
#   sshd_stop NAME                          stop it (SIGCONT first)
#   sshd_pids NAME                          the listener and all its descendants
#   write_config FILE [EXTRA GROUP LINES]   opsdeck config for $HOSTS
#   user_procs                              the test user's processes (count)
# shellcheck shell=sh

SSH_USER=opsdeck-t
SSHD_PORT=2222
COLLECTOR_TOOL="$top_builddir/tests/collector_tool"

sshd_setup() {
	SSHD=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
	[ -x "$SSHD" ] || skip_all "sshd is not installed (apt-get install -y openssh-server)"
	command -v ssh-keygen >/dev/null 2>&1 || skip_all "ssh-keygen is not installed"
	[ -x "$COLLECTOR_TOOL" ] || skip_all "tests/collector_tool was not built"
	if ! id "$SSH_USER" >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || skip_all "test user $SSH_USER missing and not root"
		useradd -M -d /nonexistent -s /bin/sh "$SSH_USER" 2>/dev/null ||
			id "$SSH_USER" >/dev/null 2>&1 || skip_all "cannot create $SSH_USER"
	fi
	[ "$(id -u)" = 0 ] || skip_all "sshd tests need root (privilege separation)"
	# A locked '!' account is refused with UsePAM no; '*' is not.
	usermod -p '*' "$SSH_USER" 2>/dev/null
	mkdir -p /run/sshd
	tmpdir
	chmod 755 "$T"
	mkdir -p "$T/home/.ssh"
	chmod 700 "$T/home" "$T/home/.ssh"
	HOME="$T/home"
	export HOME
	unset SSH_AUTH_SOCK
	# An address block of our own so parallel tests never collide.
	NET="127.$(( ($$ >> 8) % 120 + 100 )).$(( $$ % 250 + 1 ))"
	ssh-keygen -q -t ed25519 -N '' -C opsdeck-test -f "$T/client_key" || exit 99
	ssh-keygen -q -t ed25519 -N '' -C opsdeck-other -f "$T/other_key" || exit 99
	CLIENT_KEY="$T/client_key"
	OTHER_KEY="$T/other_key"
	cp "$T/client_key.pub" "$T/authorized_keys"
	chmod 644 "$T/authorized_keys"
	KNOWN="$T/known_hosts"
	: >"$KNOWN"
	at_exit "sshd_stop_all"
}

# sshd_start NAME ADDR [CONFIG LINE...]: host key $T/NAME.key (made once).
sshd_start() {
	_n=$1 _a=$2
	shift 2
	[ -f "$T/$_n.key" ] || ssh-keygen -q -t ed25519 -N '' -C "$_n" -f "$T/$_n.key" || return 1
	{
		echo "Port $SSHD_PORT"
		echo "ListenAddress $_a"
		echo "HostKey $T/$_n.key"
		echo "AuthorizedKeysFile $T/authorized_keys"
		echo "PidFile $T/$_n.pid"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "MaxStartups 1000:30:1000"
		echo "LogLevel ${SSHD_LOGLEVEL:-ERROR}"
		echo "AllowUsers $SSH_USER"
		# marks every session's processes as this test's (user_procs);
		# $SSHD_SETENV: more NAME=VALUE words (sshd takes one SetEnv line)
		echo "SetEnv OPSDECK_TEST_NET=$NET${SSHD_SETENV:+ $SSHD_SETENV}"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.conf"
	"$SSHD" -t -f "$T/$_n.conf" || return 1
	"$SSHD" -D -f "$T/$_n.conf" -E "$T/$_n.log" &
	echo $! >"$T/$_n.lpid"
	echo "$_n" >>"$T/sshd.names"
	wait_for 10 port_open "$_a" "$SSHD_PORT"
}

port_open() {
	timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# known_entry NAME ADDR: the known_hosts line for that sshd.
known_entry() {
	echo "[$2]:$SSHD_PORT $(cut -d' ' -f1-2 "$T/$1.key.pub")"
}

_descendants() {
	for _c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$_c"
		_descendants "$_c"
	done
}

sshd_pids() {
	[ -f "$T/$1.lpid" ] || return 0
	_p=$(cat "$T/$1.lpid")
	kill -0 "$_p" 2>/dev/null || return 0
	echo "$_p"
	_descendants "$_p"
}

sshd_stop() {
	[ -f "$T/$1.lpid" ] || return 0
	_p=$(cat "$T/$1.lpid")
	for _q in $(sshd_pids "$1"); do kill -CONT "$_q" 2>/dev/null; done
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	rm -f "$T/$1.lpid"
}

sshd_stop_all() {
	[ -f "$T/sshd.names" ] || return 0
	for _n in $(cat "$T/sshd.names"); do sshd_stop "$_n"; done
}

# write_config FILE HOSTS [EXTRA GROUP LINES...]: one node group over HOSTS
# (a YAML flow list body, e.g. "127.1.2.3, 127.1.2.4"). known_hosts is
# $KNOWN unless CONFIG_KNOWN=none (then opsdeck's default, ~/.ssh/known_hosts).
write_config() {
	_f=$1 _h=$2
	shift 2
	{
		echo "defaults:"
		echo "  user: $SSH_USER"
		echo "  port: $SSHD_PORT"
		echo "  identity: $CLIENT_KEY"
		[ "${CONFIG_KNOWN:-}" = none ] || echo "  known_hosts: $KNOWN"
		echo "  interval: 500ms"
		echo "  timeout: 3s"
		echo "groups:"
		echo "  - name: nodes"
		echo "    kind: node"
		echo "    hosts: [$_h]"
		for _l in "$@"; do echo "    $_l"; done
	} >"$_f"
}

# user_procs: how many of the test user's processes came from this test's
# sshds (other tests may run at the same time under the same user).
user_procs() {
	for _p in $(pgrep -u "$SSH_USER" 2>/dev/null); do
		{ tr '\0' '\n' <"/proc/$_p/environ"; } 2>/dev/null |
			grep -qx "OPSDECK_TEST_NET=$NET" && echo "$_p"
	done | wc -l
}

# our_procs: those processes, for diagnostics.
our_procs() {
	for _p in $(pgrep -u "$SSH_USER" 2>/dev/null); do
		{ tr '\0' '\n' <"/proc/$_p/environ"; } 2>/dev/null |
			grep -qx "OPSDECK_TEST_NET=$NET" && ps -o pid=,args= -p "$_p"
	done
}

no_user_procs() {
	[ "$(user_procs)" -eq 0 ]
}

# fingerprint NAME: SHA256:... of that sshd's host key.
fingerprint() {
	ssh-keygen -l -E sha256 -f "$T/$1.key.pub" | awk '{ print $2 }'
}

# state_of OUT HOST: the state word in collector_tool run output.
state_of() {
	awk -v h="$2" '$1 == h { print $2 }' "$1"
}
