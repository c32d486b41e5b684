# tests/fleetsim_lib.sh: start opsdeck-fleetsim for a test and talk to it with
# the real OpenSSH client. Source after tests/lib.sh and tmpdir.
# shellcheck shell=sh
FLEETSIM="$top_builddir/opsdeck-fleetsim"

# fs_start ARGS...: runs the simulator in $T/fs on a random port and base
# address, waits for `ready`; sets FS_PID FS_DIR FS_PORT FS_OUT FS_ERR.
fs_start() {
	FS_DIR=$T/fs FS_OUT=$T/fs.out FS_ERR=$T/fs.err
	for _try in 1 2 3 4 5; do
		FS_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
		_b=$(( 10 + $(od -An -N1 -tu1 /dev/urandom) % 200 ))
		rm -f "$FS_OUT"
		"$FLEETSIM" --dir "$FS_DIR" --port "$FS_PORT" --base "127.$_b.$_try.1" \
		    --verbose "$@" >"$FS_OUT" 2>"$FS_ERR" &
		FS_PID=$!
		at_exit "kill -9 $FS_PID 2>/dev/null"
		if wait_for 30 grep -q '^ready ' "$FS_OUT"; then
			return 0
		fi
		kill -9 "$FS_PID" 2>/dev/null
		wait "$FS_PID" 2>/dev/null
		grep -q 'in use' "$FS_ERR" || return 1
	done
	return 1
}

# fs_addr NAME: the node's address.
fs_addr() { awk -v n="$1" '$1 == n { print $2 }' "$FS_DIR/nodes"; }

# fs_ssh ADDR CMD...: the real client, strict host key checking, our key only.
fs_ssh() {
	ssh -n -F /dev/null -i "$FS_DIR/id_ed25519" -o IdentitiesOnly=yes \
	    -o UserKnownHostsFile="$FS_DIR/known_hosts" -o StrictHostKeyChecking=yes \
	    -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR -p "$FS_PORT" "$@"
}

# The markers' nonce of the streams fs_stream starts (frame_command), drawn
# per test; tests/fleetsim_check reads it from the environment.
FS_NONCE=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export FS_NONCE

# fs_stream ADDR FILE INTERVAL_MS PROBES: streams into FILE in the background
# (SSH_PID). The command is a stream script as frame_script() and
# frame_command() write it: the marker line, then the line starting the loop
# with the nonce.
fs_stream() {
	_script="# opsdeck-stream v1 interval_ms=$3 probes=$4
opsdeck_report() { :; }
opsdeck_stream() { while opsdeck_report; do sleep 1; done; }
opsdeck_stream $FS_NONCE"
	fs_ssh "$1" "$_script" >"$2" 2>"$2.err" &
	SSH_PID=$!
	at_exit "kill $SSH_PID 2>/dev/null"
}

# fs_ends FILE: number of frame end lines so far.
fs_ends() { grep -c '^@@end ' "$1" 2>/dev/null || true; }
# fs_ends_at_least FILE N
fs_ends_at_least() { [ "$(fs_ends "$1")" -ge "$2" ]; }

# gone PID: the process has exited (a zombie counts as gone).
gone() {
	[ ! -d "/proc/$1" ] && return 0
	awk '{ exit !($3 == "Z") }' "/proc/$1/stat" 2>/dev/null
}

# fs_control LINE: writes a control line and waits for its acknowledgement.
fs_control() {
	_n=$(wc -l <"$FS_OUT")
	echo "$1" >"$FS_DIR/control"
	wait_for 10 sh -c "[ \$(wc -l <'$FS_OUT') -gt $_n ]"
}
