/*
 * answer.c: what a simulated node answers (server_int.h): the output of the
 * probes' commands in a stream's frames (nvidia-smi, a controller's report,
 * a head node's sacct and squeue) and the one-shot commands a node's sh
 * would run. server.c owns the sessions and channels that carry them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetsim.h"
#include "server_int.h"
#include "opsdeck/budget.h"
#include "opsdeck/probe.h"
#include "opsdeck/testbed.h"

/* ---- exec ---------------------------------------------------------------- */

/* A controller's report now (opsdeck-report); nothing from other nodes. */
void
answer_ctl_report(struct fleetsim *fs, struct fs_node *n, struct buf *out)
{
	if (!n->controller)
		return;
	char *doc = testbed_sim_report(n->name, n->sector, fs->seed * 7919 + (uint64_t)n->index,
	    now_wall_ms(), n->tb_faults);
	buf_append(out, doc, strlen(doc));
	free(doc);
}

static int
has(const char *cmd, const char *word)
{
	return strstr(cmd, word) != NULL;
}

/* See fleetsim.h: the real clock's progress since start, times --time-scale. */
int64_t
server_slurm_now(const struct fleetsim *fs, int64_t now_ms)
{
	double d = (double)(now_ms - fs->mono_t0_ms) / 1000.0 * fs->time_scale;

	return fs->sim_t0_s + (int64_t)d;
}

/*
 * The window of a one-shot sacct command: `-S now-N` with sacct's units
 * (seconds by default, minutes, hours, days, weeks), else the whole
 * SLURM_SIM_WINDOW_S; and `head -n N` after it, else every line.
 */
static void
sacct_args(const char *cmd, int64_t *window_s, size_t *max_lines)
{
	static const struct {
		const char	*unit;
		int64_t		 s;
	} units[] = { { "weeks", 604800 }, { "days", 86400 }, { "hours", 3600 },
	    { "minutes", 60 }, { "seconds", 1 } };
	const char *p = strstr(cmd, "-S now-");
	const char *h = strstr(cmd, "| head -n ");

	*window_s = SLURM_SIM_WINDOW_S;
	*max_lines = 0;
	if (p != NULL) {
		char *e;
		long long v = strtoll(p + 7, &e, 10);
		int64_t mul = 1;
		for (size_t i = 0; i < OD_ARRAY_LEN(units); i++)
			if (strncmp(e, units[i].unit, strlen(units[i].unit)) == 0)
				mul = units[i].s;
		if (e != p + 7 && v >= 0 && v < SLURM_SIM_WINDOW_S)
			*window_s = OD_MIN((int64_t)v * mul, (int64_t)SLURM_SIM_WINDOW_S);
	}
	if (h != NULL) {
		long long v = strtoll(h + 10, NULL, 10);
		if (v > 0)
			*max_lines = (size_t)v;
	}
}

/* The GPU nodes' names (gpu001), as config.yaml and a real Slurm name them (made once). */
static char *const *
gpu_names(struct fleetsim *fs)
{
	if (fs->gpu_names == NULL) {
		fs->gpu_names = xcalloc((size_t)fs->ngpu + 1, sizeof *fs->gpu_names);
		for (int i = 0, k = 0; i < fs->nnodes && k < fs->ngpu; i++)
			if (fs->nodes[i].gpu)
				fs->gpu_names[k++] = xstrdup(fs->nodes[i].name);
	}
	return fs->gpu_names;
}

/*
 * Appends the head node's sacct output now to out, for the window_s seconds
 * before now and at most max_lines lines (0: all), (and, with squeue, the
 * nodes of its running jobs after SLURM_SQUEUE_MARKER, as the probe prints
 * them) and rewrites DIR/slurm-truth to match (a failure to write it is
 * reported on stderr).
 */
void
answer_slurm(struct fleetsim *fs, struct buf *out, int squeue, int64_t window_s,
    size_t max_lines)
{
	char *cause = NULL;
	char *path = xasprintf("%s/slurm-truth", fs->dir);

	slurm_sim_sacct_window(fs->slurm, server_slurm_now(fs, now_mono_ms()), window_s,
	    max_lines, out);
	if (squeue)
		slurm_sim_squeue(fs->slurm, fs->slurm->now, gpu_names(fs), fs->ngpu, out);
	if (slurm_sim_write_truth(fs->slurm, path, &cause) != 0) {
		fprintf(stderr, "opsdeck-fleetsim: %s\n", cause);
		free(cause);
	}
	free(path);
}

/* Users of the processes outside the Slurm simulation's jobs. */
static const char *const proc_users[] = { "kim", "lee", "park", "choi", "jung" };

/*
 * Appends the compute apps and owners sections of the nvidia probe
 * (probe_nvidia_int.h) for GPU node n as sim_nvidia printed it (q: the
 * model as printed). A GPU with a job on it (busy) has one process; on a
 * node that runs a job of the Slurm simulation's idle-prone account
 * (job != 0) every GPU holds one of that job, by the job's user, while the
 * GPUs idle: allocated but idle. Else the job id is the node's own
 * (700000 + index) on two nodes of three, none (a process outside Slurm)
 * on the third; every fourth node also holds its last GPU, idle, with a
 * notebook outside Slurm. Cgroup lines alternate between v2 and v1 paths.
 */
static void
sim_gpu_procs(const struct fs_node *n, const struct sim_node *q, uint64_t job,
    const char *job_user, struct buf *out)
{
	char jobid[32] = "";
	int k = n->index, held_idle = k % 4 == 1;
	const char *user = job != 0 ? job_user : proc_users[k % OD_ARRAY_LEN(proc_users)];

	if (job != 0)
		snprintf(jobid, sizeof jobid, "%llu", (unsigned long long)job);
	else if (k % 3 != 2)
		snprintf(jobid, sizeof jobid, "%d", 700000 + k);
	if (q->ngpus == 0)
		return;
	buf_printf(out, "== compute-apps\n");
	for (int g = 0; g < q->ngpus; g++) {
		const struct sim_gpu *G = &q->gpus[g];
		int pid = 20000 + 64 * (k % 512) + g;
		if (job != 0 || G->busy)
			buf_printf(out, "%s, %d, %.0f, /usr/bin/python3\n", G->uuid, pid,
			    G->mem_used_mib > 600 ? G->mem_used_mib - 512 : 90.0);
		else if (held_idle && g == q->ngpus - 1)
			buf_printf(out, "%s, %d, 410, /opt/conda/bin/jupyter-lab\n", G->uuid, pid);
	}
	buf_printf(out, "== owners\n");
	for (int g = 0; g < q->ngpus; g++) {
		int pid = 20000 + 64 * (k % 512) + g;
		int notebook = held_idle && g == q->ngpus - 1 && !q->gpus[g].busy;
		if (job == 0 && !q->gpus[g].busy && !notebook)
			continue;
		if (notebook && job == 0) {
			buf_printf(out, "%d user %s\n", pid, proc_users[(k + 1) % 5]);
			continue;
		}
		buf_printf(out, "%d user %s\n", pid, user);
		if (jobid[0] == '\0')
			continue;
		if (k % 2 == 0)
			buf_printf(out, "%d cgroup 0::/system.slice/slurmstepd.scope/job_%s/step_0/"
			    "user/task_0\n", pid, jobid);
		else
			buf_printf(out, "%d cgroup 7:devices:/slurm/uid_%d/job_%s/step_batch/task_0\n",
			    pid, 1000 + k % 5, jobid);
		buf_printf(out, "%d env SLURM_JOB_ID=%s\n", pid, jobid);
	}
}

/*
 * Node n's nvidia-smi output, and with procs the processes on its GPUs
 * (sim_gpu_procs). A GPU node that runs a job of the Slurm simulation's
 * idle-prone account (looked up at most once a second) shows its GPUs at
 * 1-4 % and little memory in use; the model goes on unchanged.
 */
void
answer_nvidia(struct fleetsim *fs, struct fs_node *n, const char *fields, int procs,
    struct buf *out, int64_t now_ms)
{
	int gi = -1;

	if (fs->slurm != NULL && n->gpu) {
		if (fs->gpu_idle == NULL || now_ms - fs->gpu_idle_ms >= 1000) {
			if (fs->gpu_idle == NULL) {
				fs->gpu_idle = xcalloc((size_t)fs->ngpu + 1, 1);
				fs->gpu_job = xcalloc((size_t)fs->ngpu + 1, sizeof *fs->gpu_job);
				fs->gpu_user = xcalloc((size_t)fs->ngpu + 1, sizeof *fs->gpu_user);
			}
			slurm_sim_gpu_idle(fs->slurm, server_slurm_now(fs, now_ms), fs->ngpu,
			    fs->gpu_idle, fs->gpu_job, fs->gpu_user);
			fs->gpu_idle_ms = now_ms;
		}
		if (n->index < fs->ngpu)
			gi = n->index;	/* GPU nodes come first */
	}
	if (gi < 0 || !fs->gpu_idle[gi]) {
		sim_nvidia(&n->sim, fields, out);
		if (procs && n->gpu)
			sim_gpu_procs(n, &n->sim, 0, NULL, out);
		return;
	}
	struct sim_node *quiet = xmalloc(sizeof *quiet);
	*quiet = n->sim;
	for (int g = 0; g < quiet->ngpus; g++) {
		struct sim_gpu *G = &quiet->gpus[g];
		G->util = 1 + (g % 4);
		G->mem_util = G->util * 0.4;
		G->mem_used_mib = OD_MIN(G->mem_used_mib, 2048);
	}
	sim_nvidia(quiet, fields, out);
	if (procs)
		sim_gpu_procs(n, quiet, fs->gpu_job[gi], fs->gpu_user[gi], out);
	free(quiet);
}

/*
 * Answers a command that is not the stream script, as a node's sh would for
 * the few commands this node knows: echo, true, false, exit N, hostname, and
 * commands that read /proc, run nvidia-smi or ipmitool (one sample each).
 * Anything else: "not found" on stderr and status 127.
 */
void
answer_oneshot(struct fleetsim *fs, struct fs_chan *c)
{
	struct fs_node *n = c->sess->node;
	const char *cmd = c->cmd;
	int64_t now = now_mono_ms();

	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	c->finishing = 1;
	c->exit_status = 0;
	if (c->shell) {
		buf_printf(&c->out, "This simulated node (%s) runs commands only.\n", n->name);
		c->exit_status = 1;
	} else if (strncmp(cmd, "echo", 4) == 0 && (cmd[4] == '\0' || cmd[4] == ' ')) {
		const char *a = cmd[4] ? cmd + 5 : "";
		size_t l = strcspn(a, ";|&");
		buf_append(&c->out, a, l);
		buf_append(&c->out, "\n", 1);
	} else if (strcmp(cmd, "true") == 0 || strcmp(cmd, ":") == 0) {
		c->exit_status = 0;
	} else if (strcmp(cmd, "false") == 0) {
		c->exit_status = 1;
	} else if (strncmp(cmd, "exit ", 5) == 0) {
		c->exit_status = atoi(cmd + 5) & 0xff;
	} else if (strcmp(cmd, "hostname") == 0 || strcmp(cmd, "uname -n") == 0) {
		buf_printf(&c->out, "%s\n", n->name);
	} else if (has(cmd, "opsdeck-report") && n->controller) {
		answer_ctl_report(fs, n, &c->out);
	} else if (has(cmd, "sacct") && n->scheduler) {
		if (has(cmd, "-o " SLURM_SACCT_FIELDS) && has(cmd, " -P") && has(cmd, " -n") &&
		    has(cmd, " -X")) {
			int64_t window_s;
			size_t max_lines;
			sacct_args(cmd, &window_s, &max_lines);
			answer_slurm(fs, &c->out, has(cmd, SLURM_SQUEUE_MARKER), window_s,
			    max_lines);
		} else {
			static const char msg[] = "sacct: this simulated head node answers only "
			    "sacct -a -X -n -P -o " SLURM_SACCT_FIELDS "\n";
			ssh_channel_write_stderr(c->ch, msg, (uint32_t)strlen(msg));
			c->exit_status = 1;
		}
	} else if (has(cmd, "command -v sacct") && has(cmd, "|| exit 0")) {
		/* the slurm probe on a host without sacct: nothing, status 0 */
	} else if (has(cmd, "/proc/") || has(cmd, "ipmitool") ||
	    (has(cmd, "nvidia-smi") && n->gpu)) {
		/* the probes' commands, alone or chained: each output in turn */
		sim_node_advance(&n->sim, now);
		if (has(cmd, "/proc/"))
			sim_linux(&n->sim, now, has(cmd, LINUX_SUMS_MARK), &c->out);
		if (has(cmd, "nvidia-smi")) {
			char fields[sizeof c->req.gpu_fields] = "";
			const char *q = strstr(cmd, "--query-gpu=");
			if (q != NULL) {
				q += 12;
				size_t l = strcspn(q, " \t'\"");
				if (l >= sizeof fields)
					l = sizeof fields - 1;
				memcpy(fields, q, l);
				fields[l] = '\0';
			}
			answer_nvidia(fs, n, fields, has(cmd, "--query-compute-apps="), &c->out,
			    now);
		}
		if (has(cmd, "ipmitool"))
			sim_ipmi(&n->sim, &c->out);
	} else {
		size_t l = strcspn(cmd, " \t;|&");
		char *word = xstrndup(cmd, l > 64 ? 64 : l);
		for (char *p = word; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
		char *msg = xasprintf("sh: 1: %s: not found\n", word);
		ssh_channel_write_stderr(c->ch, msg, (uint32_t)strlen(msg));
		free(msg);
		free(word);
		c->exit_status = 127;
	}
}
