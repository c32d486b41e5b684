#!/bin/sh
# opsdeck-fleetsim with the real OpenSSH client: files, exec, the framed
# stream in the probes' real formats (checked by the real parsers), clean exit.
. "$top_srcdir/tests/lib.sh"
command -v ssh >/dev/null 2>&1 || skip_all "no ssh client"
[ -x "$top_builddir/opsdeck-fleetsim" ] || skip_all "opsdeck-fleetsim not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
CHECK="$top_builddir/tests/fleetsim_check"
tmpdir
plan 24

if fs_start --nodes 4 --gpu-nodes 2 --controllers 3 --seed 7; then
	ok "starts and prints ready"
else
	not_ok "starts and prints ready"; cat "$FS_ERR" >&2; exit 1
fi
check "ready line names the directory and the host count" \
    grep -qx "ready $FS_DIR 7" "$FS_OUT"
check "known_hosts lists every host as [addr]:port" \
    test "$(grep -c "^\[127\.[0-9.]*\]:$FS_PORT ssh-ed25519 " "$FS_DIR/known_hosts")" -eq 7
check "client key is private (0600)" \
    test "$(stat -c %a "$FS_DIR/id_ed25519")" = 600
Y=$FS_DIR/config.yaml
check "config.yaml has the three groups with ranges" \
    sh -c "grep -q 'name: gpu' '$Y' && grep -q 'name: cpu' '$Y' && grep -q 'kind: testbed' '$Y' \
	&& grep -q 'identity: $FS_DIR/id_ed25519' '$Y' && grep -q '\[1-2\]' '$Y'"
if [ -x "$OPSDECK" ] && "$OPSDECK" check-config -c "$FS_DIR/config.yaml" >"$T/cc.out" 2>&1; then
	ok "opsdeck check-config accepts config.yaml"
elif [ -x "$OPSDECK" ] && ! grep -qi 'usage\|unknown' "$T/cc.out"; then
	not_ok "opsdeck check-config accepts config.yaml"; cat "$T/cc.out" >&2
else
	skip "opsdeck check-config not available"
fi

GPU=$(fs_addr gpu001)
CPU=$(fs_addr cpu001)
check "echo over ssh with strict host key checking" \
    test "$(fs_ssh "$GPU" echo hello fleet)" = "hello fleet"
fs_ssh "$CPU" no-such-tool >"$T/nf.out" 2>"$T/nf.err"
rc=$?
check "unknown command: status 127 and a message" \
    sh -c "[ $rc -eq 127 ] && grep -q 'no-such-tool: not found' '$T/nf.err'"

fs_stream "$GPU" "$T/gpu.txt" 200 linux,nvidia,ipmi
GPU_SSH=$SSH_PID
fs_stream "$CPU" "$T/cpu.txt" 200 linux,nvidia,ipmi
CPU_SSH=$SSH_PID
if wait_for 15 fs_ends_at_least "$T/gpu.txt" 9 && wait_for 15 fs_ends_at_least "$T/cpu.txt" 9; then
	ok "three cycles of frames arrive at 200 ms"
else
	not_ok "three cycles of frames arrive at 200 ms"; cat "$T/gpu.txt.err" "$FS_ERR" >&2
fi
check "frame headers: seq 1 then 2, probes in order" \
    sh -c "grep '^@@opsdeck $FS_NONCE ' '$T/gpu.txt' | sed 's/ $FS_NONCE / /' | head -6 | tr '\n' ' ' | grep -qx \
	'@@opsdeck 1 linux @@opsdeck 1 nvidia @@opsdeck 1 ipmi @@opsdeck 2 linux @@opsdeck 2 nvidia @@opsdeck 2 ipmi '"
check "linux sections in the probe's order" \
    sh -c "grep '^== ' '$T/gpu.txt' | head -6 | tr '\n' ' ' | grep -qx \
	'== stat == meminfo == loadavg == uptime == net/dev == diskstats '"
kill "$GPU_SSH" "$CPU_SSH" 2>/dev/null
wait "$GPU_SSH" "$CPU_SSH" 2>/dev/null

if [ -x "$CHECK" ]; then
	"$CHECK" "$T/gpu.txt" >"$T/gpu.chk"
	"$CHECK" "$T/cpu.txt" >"$T/cpu.chk"
	diag "$(head -3 "$T/gpu.chk")"
	check "GPU node: every frame parses with the real parsers" \
	    grep -q 'summary frames=[0-9]* errors=0 garbage=0 dropped=0 nonmonotonic=0' "$T/gpu.chk"
	check "GPU node: 96 cores, 2 TiB, 6 NICs, 6 disks" \
	    grep -q '^frame 1 linux status=0 ok cores=96 .*mem_total=2164111056896 nets=6 disks=6' "$T/gpu.chk"
	check "GPU node: 8 x NVIDIA H100 80GB HBM3" \
	    grep -q '^frame 1 nvidia status=0 ok gpus=8 .*gpu0_name=NVIDIA H100 80GB HBM3' "$T/gpu.chk"
	check "GPU node: BMC sensors" \
	    grep -q '^frame 1 ipmi status=0 ok sensors=2[0-9] first=Inlet Temp' "$T/gpu.chk"
	check "CPU utilisation between cycles is a real figure" \
	    grep -q '^frame 2 linux status=0 ok cores=96 util=[0-9][0-9]*\.[0-9] ' "$T/gpu.chk"
	check "CPU node: 64 cores and an empty nvidia frame" \
	    sh -c "grep -q '^frame 1 linux status=0 ok cores=64 ' '$T/cpu.chk' && \
		grep -q '^frame 1 nvidia status=0 ok gpus=0' '$T/cpu.chk' && \
		grep -q 'errors=0 garbage=0' '$T/cpu.chk'"
	fs_stream "$(fs_addr ctl-energy-01)" "$T/ctl.txt" 200 linux,testbed
	wait_for 10 fs_ends_at_least "$T/ctl.txt" 2
	kill "$SSH_PID"
	"$CHECK" "$T/ctl.txt" >"$T/ctl.chk"
	check "controller: a testbed report the real parser takes, Korean site and all" \
	    sh -c "grep -q '^frame 1 testbed status=0 ok devices=[1-9][0-9]* controller=ctl-energy-01 sector=energy' '$T/ctl.chk' \
		&& grep -q '^frame 1 linux status=0 ok cores=8 ' '$T/ctl.chk' && grep -q 'site: 광주' '$T/ctl.txt'"
else
	for i in 1 2 3 4 5 6 7; do skip "fleetsim_check not built"; done
fi
c1=$(grep -m1 '^cpu  ' "$T/gpu.txt")
c2=$(grep '^cpu  ' "$T/gpu.txt" | sed -n 2p)
check "counters advance from cycle to cycle" test -n "$c2" -a "$c1" != "$c2"

# the stream stops when the client goes away
wait_for 10 grep -q 'gpu001: session closed' "$FS_ERR"
check "session ends when the client closes" grep -q 'gpu001: session closed' "$FS_ERR"

fs_stream "$GPU" "$T/last.txt" 200 linux
wait_for 10 fs_ends_at_least "$T/last.txt" 1
kill -TERM "$FS_PID"
if wait_for 10 gone "$FS_PID" && wait "$FS_PID"; then
	ok "SIGTERM: exits 0 with a stream open"
else
	not_ok "SIGTERM: exits 0 with a stream open"; cat "$FS_ERR" >&2
fi
check "control FIFO removed at exit" test ! -p "$FS_DIR/control"
check "no sanitizer reports" sh -c "! grep -q 'Sanitizer\|runtime error' '$FS_ERR'"
wait_for 10 gone "$SSH_PID"
if gone "$SSH_PID"; then ok "client saw the end"; else not_ok "client saw the end"; fi
done_testing
