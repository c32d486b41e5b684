#!/bin/sh
# opsdeck-fleetsim faults, at start (--fault) and through the control FIFO,
# as the real OpenSSH client sees them.
. "$top_srcdir/tests/lib.sh"
command -v ssh >/dev/null 2>&1 || skip_all "no ssh client"
[ -x "$top_builddir/opsdeck-fleetsim" ] || skip_all "opsdeck-fleetsim not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
tmpdir
plan 22

if fs_start --nodes 8 --gpu-nodes 4 --fault gpu002=badkey --fault gpu003=refuse \
    --fault gpu004=authfail --fault cpu001=drop; then
	ok "starts with four faults"
else
	not_ok "starts with four faults"; cat "$FS_ERR" >&2; exit 1
fi

fs_ssh "$(fs_addr gpu002)" true 2>"$T/badkey.err"
check "badkey: ssh refuses the changed host key" \
    sh -c "[ $? -eq 255 ] && grep -qi 'host key verification failed\|IDENTIFICATION HAS CHANGED' '$T/badkey.err'"
fs_ssh "$(fs_addr gpu003)" true 2>"$T/refuse.err"
check "refuse: connection refused" grep -q 'Connection refused' "$T/refuse.err"
fs_ssh "$(fs_addr gpu004)" true 2>"$T/auth.err"
check "authfail: permission denied" grep -q 'Permission denied' "$T/auth.err"
fs_ssh "$(fs_addr cpu001)" true 2>"$T/drop.err"
rc=$?
check "drop: the connection closes" \
    sh -c "[ $rc -eq 255 ] && grep -qi 'closed\|reset' '$T/drop.err'"

check "control: clear cpu001 is acknowledged" fs_control "clear cpu001"
check "control: cleared node answers" test "$(fs_ssh "$(fs_addr cpu001)" echo up)" = up
fs_control "clear gpu003"
check "control: a refusing node listens again after clear" \
    test "$(fs_ssh "$(fs_addr gpu003)" echo up)" = up
fs_control "clear gpu002"
check "control: the right key is back after clear" \
    test "$(fs_ssh "$(fs_addr gpu002)" echo up)" = up

# garbage at run time on a live stream
G1=$(fs_addr gpu001)
fs_stream "$G1" "$T/g.txt" 100 linux,nvidia,ipmi
wait_for 10 fs_ends_at_least "$T/g.txt" 3
fs_control "fault gpu001 garbage"
if wait_for 10 grep -q 'owned' "$T/g.txt"; then ok "garbage: escapes and junk arrive in the stream"
else not_ok "garbage: escapes and junk arrive in the stream"; fi
check "garbage: broken frame markers" grep -aq '^@@opsdeck -1 linux$\|^@@end banana$\|^@@opsdeck 99999' "$T/g.txt"
if [ -x "$top_builddir/tests/fleetsim_check" ]; then
	"$top_builddir/tests/fleetsim_check" "$T/g.txt" >"$T/g.chk"
	check "garbage: the real parsers reject it, the frame reader skips it" \
	    grep -q 'summary frames=[0-9]* errors=[1-9][0-9]* garbage=[1-9]' "$T/g.chk"
else
	skip "fleetsim_check not built"
fi
n=$(fs_ends "$T/g.txt")
fs_control "clear gpu001"
check "garbage: clean frames again after clear" wait_for 10 fs_ends_at_least "$T/g.txt" $((n + 6))
kill "$SSH_PID"

# hang: the stream stops without EOF, and resumes after clear
C2=$(fs_addr cpu002)
fs_stream "$C2" "$T/h.txt" 100 linux
wait_for 10 fs_ends_at_least "$T/h.txt" 2
fs_control "fault cpu002 hang"
sleep 0.3
n1=$(fs_ends "$T/h.txt")
sleep 1
n2=$(fs_ends "$T/h.txt")
check "hang: no frames for a second (10 intervals)" test "$n1" -eq "$n2"
if gone "$SSH_PID"; then not_ok "hang: the client is still connected"
else ok "hang: the client is still connected"; fi
fs_ssh -o ConnectTimeout=1 "$C2" true 2>"$T/hang.err"
check "hang: a new connection gets no banner" grep -qi 'timed out\|banner' "$T/hang.err"
fs_control "clear cpu002"
check "hang: frames resume after clear" wait_for 10 fs_ends_at_least "$T/h.txt" $((n2 + 2))
kill "$SSH_PID"

# flood: one frame carries far more than the probes' cap
fs_control "fault cpu003 flood"
fs_stream "$(fs_addr cpu003)" "$T/f.txt" 1000 linux
if wait_for 20 sh -c "[ \$(stat -c %s '$T/f.txt') -gt 6000000 ]"; then
	ok "flood: more than 6 MB in one frame"
else
	not_ok "flood: more than 6 MB in one frame"
fi
kill "$SSH_PID"

# slow: interval x 5
fs_control "fault cpu004 slow"
fs_stream "$(fs_addr cpu004)" "$T/s.txt" 100 linux
sleep 1.2
check "slow: at most 4 frames in 1.2 s at 100 ms" test "$(fs_ends "$T/s.txt")" -le 4
kill "$SSH_PID"

echo "fault nosuch hang" >"$T/ctl"; cat "$T/ctl" >"$FS_DIR/control"
echo "fault gpu001 melt" >"$FS_DIR/control"
wait_for 5 grep -q "unknown fault 'melt'" "$FS_ERR"
if grep -q "no node 'nosuch'" "$FS_ERR" && grep -q "unknown fault 'melt'" "$FS_ERR" &&
    ! gone "$FS_PID"; then
	ok "control: bad lines are reported, not fatal"
else
	not_ok "control: bad lines are reported, not fatal"
fi

fs_control "fault all hang"
kill -TERM "$FS_PID"
if wait_for 10 gone "$FS_PID" && wait "$FS_PID"; then
	ok "SIGTERM with every node hung: clean exit"
else
	not_ok "SIGTERM with every node hung: clean exit"
fi
if grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$FS_ERR"; then
	not_ok "no sanitizer reports"; grep -A5 'Sanitizer\|runtime error' "$FS_ERR" >&2
else
	ok "no sanitizer reports"
fi
done_testing
