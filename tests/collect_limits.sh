#!/bin/sh
# collect_limits.sh: the collector's limits at scale. The open-file limit is
# raised to what the configured hosts need, up to the hard limit, and a hard
# limit too low for the fleet is named with how many hosts fit; the
# connection window (connect_window) is checked like every key.
. "$top_srcdir/tests/lib.sh"
[ -x "$OPSDECK" ] || skip_all "opsdeck is not built"
plan 6
tmpdir
# 300 hosts that fail at once (no such names), 8 connections set up at a time.
cat >"$T/fleet.yaml" <<Y
connect_window: 8
defaults: {timeout: 200ms, interval: 1s}
groups:
  - name: rack
    hosts: nosuch-[001-300].invalid
Y
run() {	# run HARD SOFT: collect once under those limits; stderr in $T/err
	(ulimit -Sn "$2" && ulimit -Hn "$1" &&
	    exec "$OPSDECK" collect -c "$T/fleet.yaml" --cache "$T/c.db" --cycles 1) \
	    >"$T/out" 2>"$T/err"
}
run 200 200
check "a hard limit too low: collect still runs" grep -q "of 300 hosts answered" "$T/err"
check "... and says how many hosts fit: (200 - 64) / 3 = 45" \
	grep -q "open-file limit (hard, 200) leaves room for about 45 of the 300 configured hosts" \
	"$T/err"
run 4096 256
check "a low soft limit is raised without a word" sh -c "! grep -q 'open-file limit' '$T/err'"

"$OPSDECK" check-config -c "$T/fleet.yaml" >/dev/null 2>&1
check "connect_window: 8 is a valid key" [ $? -eq 0 ]
sed 's/^connect_window: 8/connect_window: 0/' "$T/fleet.yaml" >"$T/zero.yaml"
"$OPSDECK" check-config -c "$T/zero.yaml" >/dev/null 2>"$T/err"
check "connect_window: 0 is refused" grep -q "connect_window" "$T/err"
"$OPSDECK" check-config --keys | grep -q '^connect_window  *.*64'
check "check-config --keys lists it, default 64" [ $? -eq 0 ]
done_testing
