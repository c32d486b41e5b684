# tests/flood_lib.sh: sshds whose sessions flood the collector, for
# tests/ssh_flood.sh and bench/flood.sh. Source after tests/sshd_lib.sh
# and sshd_setup. Each flood is a ForceCommand that reads what the collector
# asked for from $SSH_ORIGINAL_COMMAND (the stream's nonce, so that its
# frames are taken as real ones):
#   fast      the collector's own loop, its sleep taken out: real cycles,
#             back to back, faster than the interval
#   tiny      two-line frames ("@@opsdeck NONCE 1 linux", "@@end NONCE 0")
#             as fast as the link carries them
#   bigframe  one frame of 100 MB in lines of 100 bytes
#   bigline   one frame whose body is a gigabyte with no newline
#   quiet     no ForceCommand: a healthy host
# flood_start KIND ADDR: the sshd "KIND" on ADDR, its key in $KNOWN.
# shellcheck shell=sh

flood_scripts() {
	mkdir -p "$T/flood"
	# the stream's script: its exec request says how many bytes of stdin it is
	_script='s=$(head -c "$(printf "%s\n" "$SSH_ORIGINAL_COMMAND" |
	sed -n "1s/^# opsdeck-stdin v1 bytes=\([0-9]*\)\$/\1/p")")'
	# the nonce of this stream: the argument of its last line, opsdeck_stream NONCE
	_nonce="$_script"'
n=$(printf "%s\n" "$s" | sed -n "s/^opsdeck_stream \([0-9a-f]*\).*/\1/p" | tail -n 1)'
	cat >"$T/flood/fast" <<EOF
#!/bin/sh
$_script
eval "\$(printf '%s\n' "\$s" |
	sed 's/sleep [0-9.]* 2>\/dev\/null || sleep [0-9]* || break/:/')"
EOF
	cat >"$T/flood/tiny" <<EOF
#!/bin/sh
$_nonce
exec yes "@@opsdeck \$n 1 linux
@@end \$n 0"
EOF
	cat >"$T/flood/bigframe" <<EOF
#!/bin/sh
$_nonce
printf '@@opsdeck %s 1 linux\n' "\$n"
yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678 |
	head -c 100000000
printf '\n@@end %s 0\n' "\$n"
EOF
	cat >"$T/flood/bigline" <<EOF
#!/bin/sh
$_nonce
printf '@@opsdeck %s 1 linux\n' "\$n"
head -c 1000000000 /dev/zero | tr '\0' x
printf '\n@@end %s 0\n' "\$n"
EOF
	chmod 755 "$T/flood/fast" "$T/flood/tiny" "$T/flood/bigframe" "$T/flood/bigline"
	chmod -R a+rX "$T/flood"
}

flood_start() {
	if [ "$1" = quiet ]; then
		sshd_start "$1" "$2" || return 1
	else
		sshd_start "$1" "$2" "ForceCommand $T/flood/$1" || return 1
	fi
	known_entry "$1" "$2" >>"$KNOWN"
}
