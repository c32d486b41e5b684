#!/bin/sh
# Who is on each GPU through a real OpenSSH sshd: the node's PATH (SetEnv)
# has a stand-in nvidia-smi that prints real captured output (the H100 of
# tests/fixtures/nvidia/procs-hopper-h100-590.48.01-load.txt: its GPU table
# byte for byte, and its compute-apps rows in the probe's own field order
# without units) with the pids made live on this node: one of the test user
# with SLURM_JOB_ID=4242 in its environment, one of root (its environment
# unreadable to the test user: no job), and one that does not exist (no
# user, no job). The probe's node-side part resolves them there; `opsdeck
# snapshot --format json` must say so, and the hostile process name the
# stand-in adds is sanitised.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sshd_lib.sh"
sshd_setup
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
command -v setpriv >/dev/null 2>&1 || skip_all "no setpriv (util-linux)"
plan 6

FIX="$FIXTURES/nvidia/procs-hopper-h100-590.48.01-load.txt"
mkdir -p "$T/bin"
chmod 755 "$T/bin"
# the GPU table: the capture's lines before the compute-apps section
sed '/^== compute-apps$/,$d' "$FIX" >"$T/gpu.csv"
# the test user's process, in a Slurm job by its environment
setpriv --reuid="$SSH_USER" --regid="$(id -g "$SSH_USER")" --clear-groups \
    env SLURM_JOB_ID=4242 sleep 300 &
JOBPID=$!
at_exit "kill $JOBPID 2>/dev/null"
ROOTPID=$$
GONE=4194000
while kill -0 "$GONE" 2>/dev/null; do GONE=$((GONE + 1)); done
# the capture's compute-apps rows (gpu_uuid, pid, process_name, used_gpu_memory
# [MiB]) in the probe's order (gpu_uuid, pid, used_memory, process_name), live pids
awk -F', ' -v a="$JOBPID" -v b="$ROOTPID" -v c="$GONE" '
	f && NF == 8 && $1 != "timestamp" {
		n++; sub(/ MiB$/, "", $8)
		print $5 ", " (n == 1 ? a : n == 2 ? b : c) ", " $8 ", " $7
	}
	/^== compute-apps$/ { f = 1 }' "$FIX" >"$T/apps.csv"
printf 'GPU-00000000-0000-0000-0000-000000000000, %s, 10, evil\033]2;PWNED\007name\n' \
    "$JOBPID" >>"$T/apps.csv"
cat >"$T/bin/nvidia-smi" <<S
#!/bin/sh
case "\$*" in
*--query-compute-apps=gpu_uuid,pid,used_memory,process_name*) exec cat "$T/apps.csv" ;;
*--query-gpu=*) exec cat "$T/gpu.csv" ;;
esac
exit 9
S
chmod 755 "$T/bin/nvidia-smi"
chmod 644 "$T/apps.csv" "$T/gpu.csv"
diag "$(cat "$T/apps.csv")"

SSHD_SETENV="PATH=$T/bin:/usr/bin:/bin" sshd_start a "$NET.1" || { not_ok "sshd starts"; done_testing; }
known_entry a "$NET.1" >>"$KNOWN"
write_config "$T/c.yaml" "$NET.1" "probes: [nvidia]"
XDG_STATE_HOME="$T/state" timeout 30 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$T/c.db" \
    --format json --timeout 10 >"$T/o.json" 2>"$T/e"
check "snapshot exits 0" [ $? -eq 0 ]
[ -s "$T/e" ] && diag "$(cat "$T/e")"
python3 - "$T/o.json" "$SSH_USER" "$JOBPID" "$ROOTPID" "$GONE" >"$T/check" 2>&1 <<'PY'
import json, sys
user, job, root, gone = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
h = json.load(open(sys.argv[1]))["hosts"][0]
print("state", h["state"], h["warnings"])
g = h["gpus"][0]
p = g["processes"]
by = {}
for x in p:
    by.setdefault(x["pid"], []).append(x)
print("n", len(p), g["name"])
a = by[job][0]
print("job", a["user"] == user and a["job"] == "4242" and a["name"] == "/root/tools/memhog"
      and a["mem_used_bytes"] == 2566 * 1048576)
b = by[root][0]
print("root", b["user"] == "root" and b["job"] is None and b["mem_used_bytes"] == 1542 * 1048576)
c = by[gone][0]
print("gone", c["user"] is None and c["job"] is None and c["name"] == "./gpu_burn")
e = by[job][1]
print("evil", "\x1b" not in e["name"] and "\x07" not in e["name"] and e["job"] == "4242")
PY
diag "$(cat "$T/check")"
check "the H100 of the capture with its 4 processes" grep -q '^n 4 NVIDIA H100 80GB HBM3$' "$T/check"
check "the test user's process: its user and the job of its environment" \
    grep -q '^job True$' "$T/check"
check "root's process: root, no job (environment unreadable)" grep -q '^root True$' "$T/check"
check "a pid the node does not have: no user, no job" grep -q '^gone True$' "$T/check"
check "a hostile process name is sanitised" grep -q '^evil True$' "$T/check"
done_testing
