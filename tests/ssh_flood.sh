#!/bin/sh
# Floods of every shape from real sshds cost only their host: real cycles
# faster than the interval, tiny frames back to back, 100 MB in one frame, a
# gigabyte line with no newline (tests/flood_lib.sh). Each flooding host is
# cut off and marked cut-off with a message that says why, and tried again
# with a back-off that keeps growing (it is not reset by the flood's own
# cycles); a healthy host beside them keeps its rate and memory stays bounded.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
. "$top_srcdir/tests/flood_lib.sh"
sshd_setup
plan 12

flood_scripts
SSHD_LOGLEVEL=VERBOSE	# "Accepted publickey" for every connection
export SSHD_LOGLEVEL
flood_start quiet "$NET.1" || { not_ok "sshd starts"; done_testing; }
flood_start fast "$NET.2" || { not_ok "sshd starts"; done_testing; }
flood_start tiny "$NET.3" || { not_ok "sshd starts"; done_testing; }
flood_start bigframe "$NET.4" || { not_ok "sshd starts"; done_testing; }
flood_start bigline "$NET.5" || { not_ok "sshd starts"; done_testing; }

write_config "$T/c.yaml" "$NET.1, $NET.2, $NET.3, $NET.4, $NET.5" "probes: [linux]"
W="$T/watch"
"$COLLECTOR_TOOL" "$T/c.yaml" watch 120 >"$W" 2>"$T/werr" &
CPID=$!
at_exit "kill $CPID 2>/dev/null"
t_start=$(date +%s)

seen() { grep -q "^$1 $2" "$W"; }
check "the healthy host comes up" wait_for 15 seen "$NET.1" up
check "real cycles faster than the interval: cut-off, over the frame budget" \
	wait_for 15 grep -q "^$NET.2 cut-off flood: [0-9]* frames and [0-9]* bytes in .*, over the budget of 5 frames and 8388608 bytes per 1s; cut off\$" "$W"
check "tiny frames back to back: cut-off, over the frame budget" \
	wait_for 15 grep -q "^$NET.3 cut-off flood: [0-9]* frames and [0-9]* bytes in .*, over the budget" "$W"
check "100 MB in one frame: cut-off at the frame cap" \
	wait_for 15 grep -q "^$NET.4 cut-off flood: output over 4194304 bytes, cut off\$" "$W"
check "a gigabyte line without a newline: cut-off at the frame cap" \
	wait_for 15 grep -q "^$NET.5 cut-off flood: output over 4194304 bytes, cut off\$" "$W"
for a in 2 3; do grep "^$NET.$a cut-off" "$W" | head -1 | while read -r l; do diag "$l"; done; done
fast_up=$(grep -c "^$NET.2 up" "$W")
diag "the fast host was up in $fast_up status lines before it was cut off"

# The back-off keeps growing: 1, 2, 4, 8 s... between the flooders' connections.
l0=$(wc -l <"$W")
sleep 12
n=$(tail -n +"$((l0 + 1))" "$W" | grep -c "^$NET.1 up")
check "the healthy host kept its rate through the floods ($n cycles in 12 s at 500ms)" \
	[ "$n" -ge 12 ]
elapsed=$(( $(date +%s) - t_start ))
for k in fast tiny bigframe bigline; do
	c=$(grep -c "Accepted publickey" "$T/$k.log")
	diag "$k: $c connections in $elapsed s"
	eval "conn_$k=$c"
done
# With a back-off doubling from 1 s, about log2(elapsed) + 1 connections;
# a back-off reset by each flood's own good cycles would let ~elapsed in.
# shellcheck disable=SC2154
check "the fast flooder is tried again with a growing back-off ($conn_fast in $elapsed s)" \
	[ "$conn_fast" -le 7 ]
# shellcheck disable=SC2154
check "so is the tiny-frame flooder ($conn_tiny in $elapsed s)" [ "$conn_tiny" -le 7 ]
# shellcheck disable=SC2154
[ "$conn_bigframe" -le 7 ] && [ "$conn_bigline" -le 7 ]
check "and the big-frame and big-line ones ($conn_bigframe, $conn_bigline)" [ $? -eq 0 ]
rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$CPID/status")
diag "collector peak RSS ${rss} kB"
check "memory stays bounded (${rss} kB < 400 MB, as ssh_faults.sh: ASan keeps freed memory)" [ "${rss:-0}" -lt 409600 ]
kill -TERM "$CPID"
wait "$CPID"
check "the collector stops cleanly" [ $? -eq 0 ]
check "no remote process left" wait_for 5 no_user_procs
our_procs | while read -r l; do diag "left: $l"; done
done_testing
