#!/bin/sh
# opsdeck-fleetsim under an open-file limit below 2 files a node (a listening
# socket and a session each): it says so and lets a node listen only while
# it has no session, so that 300 nodes fit in 400 files, and a node whose
# session ended listens again for the next collector.
. "$top_srcdir/tests/lib.sh"
[ -x "$top_builddir/opsdeck-fleetsim" ] || skip_all "opsdeck-fleetsim not built"
[ -x "$OPSDECK" ] || skip_all "opsdeck is not built"
. "$top_srcdir/tests/fleetsim_lib.sh"
tmpdir
plan 4
# The hard limit of this shell and all it starts (no CAP_SYS_RESOURCE here
# to raise it again, or the simulator would not need to be frugal).
ulimit -Sn 400 && ulimit -Hn 400 || skip_all "cannot lower the open-file limit"
if [ "$(ulimit -Hn)" != 400 ]; then skip_all "the open-file limit stays $(ulimit -Hn)"; fi
probe_limit() { (ulimit -Hn 401) 2>/dev/null; }
probe_limit && skip_all "the hard open-file limit can be raised here (CAP_SYS_RESOURCE)"

fs_start --nodes 300 --gpu-nodes 0 || { cat "$FS_ERR" >&2; echo "Bail out! fleetsim did not start"; exit 1; }
check "it says a node listens only while it has no session" \
    grep -q "open-file limit (hard, 400) is under 2 files a node (856): a node listens only" \
    "$FS_ERR"
for run in 1 2; do
	"$OPSDECK" collect -c "$FS_DIR/config.yaml" --cache "$T/c$run.db" --cycles 1 \
	    >"$T/c$run.out" 2>&1
	diag "run $run: $(grep 'hosts answered' "$T/c$run.out")"
done
check "all 300 nodes answer in 400 files" grep -q "300 of 300 hosts answered" "$T/c1.out"
check "and again for the next collector: each listens again once its session ended" \
    grep -q "300 of 300 hosts answered" "$T/c2.out"
if ! grep -q "300 of 300 hosts answered" "$T/c2.out"; then
	# what the second run's missing hosts saw, and what the simulator said
	sqlite3 "$T/c2.db" "SELECT state, error, count(*) FROM hosts GROUP BY 1, 2" |
	    while read -r l; do diag "$l"; done
	tail -5 "$FS_ERR" | while read -r l; do diag "$l"; done
fi
check "no sanitizer reports" sh -c "! grep -q 'Sanitizer\|runtime error' '$FS_ERR'"
done_testing
