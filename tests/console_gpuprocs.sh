#!/bin/sh
# Who is on each GPU, in the console, compared whole with expected screens
# (tests/fixtures/screens/, as console_screens.sh does; the clock masked by
# screen_mask): the fixed fleet of console_fill --procs, where gpu001's GPU
# 0 holds five processes of Slurm job 48219 and three GPUs are held but idle.
#   gpu-procs-detail  Detail of gpu001, zoomed: three processes under GPU 0
#                     (pid, user, job, memory, name), "+2 more", and GPU 1's
#                     process of no job with [N/A] memory as "-"
#   gpu-idle          :idle: only the hosts with held-but-idle GPUs, a row
#                     under each naming the GPU, its utilisation, job, user
#                     and process ("+3" more of them on gpu004); gpu005's idle
#                     GPU without a process is not listed
# and :idle again lists every host.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 6

# every host stale from the start (--age 30), so no state changes during the test
fill --procs --age 30 || { not_ok "console_fill --procs"; exit 1; }
console_start 120 40 || { not_ok "console starts"; exit 1; }
settle "11 hosts"
keys ':host gpu001' Enter
wait_screen "Detail  gpu001" || diag "no Detail of gpu001"
keys Enter z
settle "+2 more"
check "Detail lists gpu001's GPU processes, 3 and +2 more" same_screen gpu-procs-detail
keys Escape
wait_gone "+2 more"
keys ':idle' Enter
settle "3 idle GPUs held"
check "the idle view lists the held-but-idle GPUs" same_screen gpu-idle
check "the status line counts them" screen_has "3 GPUs held but idle (below 5%)"
check "a GPU idle with no process is not held" screen_lacks "gpu005"
keys ':idle' Enter
settle "every host shown"
check ":idle again shows every host" screen_has "Compute  11 hosts"
check "the console is still running" screen_has "Alerts"
keys q
done_testing
