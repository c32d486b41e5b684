/*
 * probe_nvidia_int.h: what the nvidia probe's two files share (private to
 * src/probe/): the GPU table is probe_nvidia.c's, the processes on the GPUs
 * (the sections after it) are probe_nvidia_procs.c's.
 */
#ifndef OPSDECK_PROBE_NVIDIA_INT_H
#define OPSDECK_PROBE_NVIDIA_INT_H

#include <stddef.h>

#include "opsdeck/probe.h"

/* The line that opens the section of `nvidia-smi --query-compute-apps`. */
#define NVIDIA_APPS_MARK	"== compute-apps"
/* The line that opens the section of what the node said of each pid. */
#define NVIDIA_OWNERS_MARK	"== owners"

/*
 * The node-side part of the probe's command (POSIX sh): the compute apps,
 * then for at most 256 of their pids the owner ("PID user NAME"), the
 * cgroup lines that name a job ("PID cgroup LINE") and SLURM_JOB_ID from
 * the environment when readable ("PID env SLURM_JOB_ID=N").
 */
#define NVIDIA_PROCS_COMMAND \
	"apps=$(nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory,process_name" \
	" --format=csv,noheader,nounits 2>/dev/null | head -n 1024) || apps=; " \
	"if [ -n \"$apps\" ]; then echo '" NVIDIA_APPS_MARK "'; " \
	"printf '%s\\n' \"$apps\"; echo '" NVIDIA_OWNERS_MARK "'; " \
	"for p in $(printf '%s\\n' \"$apps\" | cut -d, -f2 | tr -cd '0-9\\n' | " \
	"sort -un | head -n 256); do " \
	"u=$(stat -c %U \"/proc/$p\" 2>/dev/null || ps -o user= -p \"$p\" 2>/dev/null); " \
	"[ -n \"$u\" ] || continue; echo \"$p user $u\"; " \
	"grep -F job_ \"/proc/$p/cgroup\" 2>/dev/null | head -n 4 | sed \"s/^/$p cgroup /\"; " \
	"tr '\\000' '\\n' 2>/dev/null <\"/proc/$p/environ\" | " \
	"sed -n \"/^SLURM_JOB_ID=/{s/^/$p env /p;q;}\"; done; fi; :"

/*
 * Parses the sections from NVIDIA_APPS_MARK on (len bytes at data, the
 * line of the mark first) into r->procs, matching each process to a GPU of
 * r->gpus by uuid. A bad line costs that line (a warning in w naming the
 * section and its line); past PROBE_MAX_GPU_PROCS processes are counted in
 * one warning. Never fails as a whole. Pure.
 */
void nvidia_procs_parse(const char *data, size_t len, struct host_report *r,
	    struct probe_warnings *w);

#endif
