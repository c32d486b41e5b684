#!/bin/sh
# collect_limits.sh: the collector's limits at scale. The open-file limit is
# raised to what the configured hosts need, up to the hard limit (beyond it
# with CAP_SYS_RESOURCE), and a hard limit too low for the fleet is named with how many
# hosts fit; the
# connection window (connect_window) is checked like every key, and
# `collect --cycles` gives the hosts it paces their time from when their
# connection began, not from its start.
. "$top_srcdir/tests/lib.sh"
[ -x "$OPSDECK" ] || skip_all "opsdeck is not built"
plan 9
tmpdir
# 300 hosts that fail at once (no such names), 8 connections set up at a time.
cat >"$T/fleet.yaml" <<Y
connect_window: 8
defaults: {timeout: 200ms, interval: 1s}
groups:
  - name: rack
    hosts: nosuch-[001-300].invalid
Y
# Whether this shell may raise a hard limit (CAP_SYS_RESOURCE; root in a
# container may not): the collector then raises it too, so the runs that
# look for the warning drop the capability.
can_raise=
(ulimit -Hn 200 && ulimit -Hn 300) 2>/dev/null && can_raise=1
nocap=
[ -n "$can_raise" ] && nocap="setpriv --bounding-set=-sys_resource"
run() {	# run HARD SOFT: collect once under those limits; stderr in $T/err
	(ulimit -Sn "$2" && ulimit -Hn "$1" &&
	    exec $nocap "$OPSDECK" collect -c "$T/fleet.yaml" --cache "$T/c.db" --cycles 1) \
	    >"$T/out" 2>"$T/err"
}
run 200 200
check "a hard limit too low: collect still runs" grep -q "of 300 hosts answered" "$T/err"
check "... and says how many hosts fit: (200 - 64) / 3 = 45" \
	grep -q "open-file limit (hard, 200) leaves room for about 45 of the 300 configured hosts" \
	"$T/err"
run 4096 256
check "a low soft limit is raised without a word" sh -c "! grep -q 'open-file limit' '$T/err'"
if [ -n "$can_raise" ]; then
	nocap=
	run 200 200
	check "with CAP_SYS_RESOURCE the hard limit is raised too, without a word" \
		sh -c "! grep -q 'open-file limit' '$T/err' && grep -q 'of 300 hosts answered' '$T/err'"
else
	skip "with CAP_SYS_RESOURCE the hard limit is raised too (this shell may not raise one)"
fi

"$OPSDECK" check-config -c "$T/fleet.yaml" >/dev/null 2>&1
check "connect_window: 8 is a valid key" [ $? -eq 0 ]
sed 's/^connect_window: 8/connect_window: 0/' "$T/fleet.yaml" >"$T/zero.yaml"
"$OPSDECK" check-config -c "$T/zero.yaml" >/dev/null 2>"$T/err"
check "connect_window: 0 is refused" grep -q "connect_window" "$T/err"
"$OPSDECK" check-config --keys | grep -q '^connect_window  *.*64'
check "check-config --keys lists it, default 64" [ $? -eq 0 ]
# --- --cycles behind the window: two hosts that hang hold the only connector
# for a timeout each; the ten after them get their time from their own start.
if [ -x "$top_builddir/opsdeck-fleetsim" ]; then
	. "$top_srcdir/tests/fleetsim_lib.sh"
	fs_start --nodes 12 --gpu-nodes 0 --fault cpu001=hang --fault cpu002=hang ||
	    { cat "$FS_ERR" >&2; echo "Bail out! fleetsim did not start"; exit 1; }
	sed -e 's/^  interval: .*/  interval: 200ms/' -e 's/^  timeout: .*/  timeout: 1s/' \
	    -e 's/^defaults:/connect_window: 1\ndefaults:/' "$FS_DIR/config.yaml" >"$T/paced.yaml"
	"$OPSDECK" collect -c "$T/paced.yaml" --cache "$T/paced.db" --cycles 1 \
	    >"$T/paced.out" 2>&1
	rc=$?
	diag "$(grep 'answered' "$T/paced.out")"
	check "--cycles 1 behind two hung hosts and a window of 1: the ten others answer" \
		grep -q "^opsdeck collect: 10 of 12 hosts answered" "$T/paced.out"
	check "... and the two that hung are named, exit status 1" \
		sh -c "[ $rc -eq 1 ] && grep -q 'cpu001 (timeout' '$T/paced.out' &&
		    grep -q 'cpu002 (timeout' '$T/paced.out'"
else
	skip "opsdeck-fleetsim not built"
	skip "opsdeck-fleetsim not built"
fi
done_testing
