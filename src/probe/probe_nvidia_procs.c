/*
 * probe_nvidia_procs.c: who is on each GPU. The nvidia probe's output goes
 * on, after the GPU table, with two sections (probe_nvidia_int.h):
 *
 *   == compute-apps
 *   GPU-2b4c..., 41233, 30512, /usr/bin/python3      <- nvidia-smi
 *   == owners
 *   41233 user alice                                  <- what the node said
 *   41233 cgroup 0::/system.slice/slurmstepd.scope/job_1392969/step_0/user/task_0
 *   41233 env SLURM_JOB_ID=1392969
 *
 * The compute-apps lines are nvidia-smi's own: `--format=csv,noheader,
 * nounits` in the order gpu_uuid, pid, used_memory, process_name (the name
 * last, so a name with commas stays whole), or, after nvidia-smi's header
 * line, any field list with units ("370 MiB"). used_memory is "[N/A]" on
 * some drivers (Windows WDDM, MIG): unknown, -1, never 0. A process is
 * matched to its GPU by uuid; one on an unknown GPU is dropped (warned).
 * The job of a process comes from its cgroup (Slurm's cgroup v1 and v2
 * paths), else from SLURM_JOB_ID in its environment.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/util.h"
#include "probe_nvidia_int.h"

#define QUOTE_MAX	64
#define JOB_DIGITS_MAX	20

enum { A_UUID, A_PID, A_MEM, A_NAME, A_NFIELDS };

/* Where each field of a compute-apps line is. */
struct apps_layout {
	int	 col[A_NFIELDS];	/* -1: not in the output */
	size_t	 ncols;
	char	 mem_unit[8];		/* the header's unit of used memory, "" when none */
};

struct pctx {
	struct host_report	*r;
	struct probe_warnings	*w;
	const char		*sec;	/* "compute-apps", "owners" */
	int			 lineno;	/* within the section */
	int			 cap;	/* of r->procs */
	int			 dropped;	/* past PROBE_MAX_GPU_PROCS */
	unsigned char		*from_cgroup;	/* r->nprocs: its job came from a cgroup */
};

/* Whether a field is one of nvidia-smi's "no value" spellings ("[N/A]", "[Not Found]"). */
static int
is_na(struct probe_tok t)
{
	if (t.n >= 2 && t.p[0] == '[' && t.p[t.n - 1] == ']')
		return 1;
	return t.n == 0 || probe_tok_eq(t.p, t.n, "N/A");
}

/* Whether s (n bytes) is 1 to JOB_DIGITS_MAX decimal digits. */
static int
job_digits(const char *s, size_t n)
{
	if (n == 0 || n > JOB_DIGITS_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Copies n digits into job (joblen bytes); 1, or 0 when they do not fit. */
static int
job_copy(char *job, size_t joblen, const char *s, size_t n)
{
	if (joblen <= n)
		return 0;
	memcpy(job, s, n);
	job[n] = '\0';
	return 1;
}

/* Whether a path component says that the ones below it are Slurm's. */
static int
slurm_parent(const char *c, size_t n)
{
	static const char scope[] = "slurmstepd.scope";
	if (n >= 5 && memcmp(c, "slurm", 5) == 0)
		return 1;	/* slurm, slurm_NODE, slurmstepd.scope */
	if (n > sizeof scope && memcmp(c + n - (sizeof scope - 1), scope, sizeof scope - 1) == 0)
		return 1;	/* NODE_slurmstepd.scope (multiple slurmd) */
	return n > 4 && memcmp(c, "uid_", 4) == 0 && job_digits(c + 4, n - 4);
}

/*
 * The job of one cgroup line "ID:CONTROLLERS:PATH" (n bytes): 1 and job
 * set, or 0. See probe_cgroup_slurm_job.
 */
static int
cgroup_line_job(const char *s, size_t n, char *job, size_t joblen)
{
	const char *c1 = memchr(s, ':', n);
	if (c1 == NULL)
		return 0;
	const char *c2 = memchr(c1 + 1, ':', (size_t)(s + n - c1 - 1));
	if (c2 == NULL)
		return 0;
	const char *p = c2 + 1, *end = s + n;
	int under_slurm = 0;
	while (p < end) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		size_t cl = q != NULL ? (size_t)(q - p) : (size_t)(end - p);
		if (under_slurm && cl > 4 && memcmp(p, "job_", 4) == 0 &&
		    job_digits(p + 4, cl - 4))
			return job_copy(job, joblen, p + 4, cl - 4);
		if (cl > 0 && slurm_parent(p, cl))
			under_slurm = 1;
		if (q == NULL)
			break;
		p = q + 1;
	}
	return 0;
}

int
probe_cgroup_slurm_job(const char *data, size_t len, char *job, size_t joblen)
{
	struct probe_lines it;
	const char *line;
	size_t n;

	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n))
		if (cgroup_line_job(line, n, job, joblen))
			return 1;
	return 0;
}

/* The probe's own compute-apps order (--format=csv,noheader,nounits). */
static void
apps_layout_default(struct apps_layout *lay)
{
	memset(lay, 0, sizeof *lay);
	for (int i = 0; i < A_NFIELDS; i++)
		lay->col[i] = i;
	lay->ncols = A_NFIELDS;
}

/*
 * Whether line is nvidia-smi's compute-apps header ("timestamp, gpu_name,
 * ..., gpu_uuid, pid, process_name, used_gpu_memory [MiB]"): it names a
 * "pid" and a "gpu_uuid" column. If so fills *lay from it.
 */
static int
apps_header(const char *line, size_t n, struct apps_layout *lay)
{
	struct probe_tok cols[64];
	size_t total = 0, start = 0;
	struct apps_layout l;

	memset(&l, 0, sizeof l);
	for (int i = 0; i < A_NFIELDS; i++)
		l.col[i] = -1;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != ',')
			continue;
		if (total < OD_ARRAY_LEN(cols))
			cols[total] = probe_trim(line + start, i - start);
		total++;
		start = i + 1;
	}
	for (size_t k = 0; k < total && k < OD_ARRAY_LEN(cols); k++) {
		struct probe_tok c = cols[k], unit = { NULL, 0 };
		const char *br = memchr(c.p, '[', c.n);
		if (br != NULL && c.p[c.n - 1] == ']') {
			unit.p = br + 1;
			unit.n = (size_t)(c.p + c.n - 1 - unit.p);
			c = probe_trim(c.p, (size_t)(br - c.p));
		}
		int f = probe_tok_eq(c.p, c.n, "gpu_uuid") ? A_UUID :
		    probe_tok_eq(c.p, c.n, "pid") ? A_PID :
		    probe_tok_eq(c.p, c.n, "process_name") ? A_NAME :
		    (probe_tok_eq(c.p, c.n, "used_memory") ||
		    probe_tok_eq(c.p, c.n, "used_gpu_memory")) ? A_MEM : -1;
		if (f < 0 || l.col[f] >= 0)
			continue;
		l.col[f] = (int)k;
		if (f == A_MEM && unit.n > 0 && unit.n < sizeof l.mem_unit) {
			memcpy(l.mem_unit, unit.p, unit.n);
			l.mem_unit[unit.n] = '\0';
		}
	}
	if (l.col[A_PID] < 0 || l.col[A_UUID] < 0 || total > OD_ARRAY_LEN(cols))
		return 0;
	l.ncols = total;
	*lay = l;
	return 1;
}

/*
 * Splits a compute-apps line into lay->ncols fields; the name's column,
 * when it is the last, takes the rest of the line (commas and all).
 * Returns the number of fields found (ncols when the line is whole).
 */
static size_t
apps_split(const struct apps_layout *lay, const char *s, size_t n, struct probe_tok *f)
{
	size_t count = 0, start = 0;
	int name_last = lay->col[A_NAME] == (int)lay->ncols - 1;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		if (name_last && count == lay->ncols - 1) {
			f[count++] = probe_trim(s + start, n - start);
			return count;
		}
		if (count < lay->ncols)
			f[count] = probe_trim(s + start, i - start);
		count++;
		start = i + 1;
	}
	return count;
}

/* The index of the GPU with this uuid in r->gpus, or -1. */
static int
gpu_by_uuid(const struct host_report *r, struct probe_tok u)
{
	if (u.n == 0 || u.n >= PROBE_NAME_MAX)
		return -1;
	for (int i = 0; i < r->ngpus; i++)
		if (strlen(r->gpus[i].uuid) == u.n && memcmp(r->gpus[i].uuid, u.p, u.n) == 0)
			return i;
	return -1;
}

/* Used memory in MiB ("370", or "370 MiB" with the header's unit) to bytes, -1 when unknown. */
static int64_t
apps_mem(struct pctx *c, const struct apps_layout *lay, struct probe_tok t, int pid)
{
	char q[QUOTE_MAX];
	size_t ul = strlen(lay->mem_unit);
	uint64_t v;

	if (is_na(t))
		return -1;
	if (ul > 0 && t.n > ul + 1 && t.p[t.n - ul - 1] == ' ' &&
	    memcmp(t.p + t.n - ul, lay->mem_unit, ul) == 0)
		t = probe_trim(t.p, t.n - ul - 1);
	if (probe_parse_u64(t.p, t.n, &v) != 0 || v > (uint64_t)INT64_MAX / (1024 * 1024)) {
		probe_warn(c->w, c->sec, c->lineno, "pid %d: bad used_memory '%s'", pid,
		    probe_quote(q, sizeof q, t.p, t.n));
		return -1;
	}
	return (int64_t)(v * 1024 * 1024);
}

/* One compute-apps line into r->procs; a bad one is warned and skipped. */
static void
apps_line(struct pctx *c, const struct apps_layout *lay, const char *line, size_t n)
{
	struct probe_tok f[64];
	char q[QUOTE_MAX];
	uint64_t pid;

	if (lay->ncols > OD_ARRAY_LEN(f) || apps_split(lay, line, n, f) != lay->ncols) {
		probe_warn(c->w, c->sec, c->lineno, "expected %zu fields: '%s'", lay->ncols,
		    probe_quote(q, sizeof q, line, n));
		return;
	}
	struct probe_tok tp = f[lay->col[A_PID]], tu = f[lay->col[A_UUID]];
	if (probe_parse_u64(tp.p, tp.n, &pid) != 0 || pid == 0 || pid > INT_MAX) {
		probe_warn(c->w, c->sec, c->lineno, "bad pid '%s'",
		    probe_quote(q, sizeof q, tp.p, tp.n));
		return;
	}
	int g = gpu_by_uuid(c->r, tu);
	if (g < 0) {
		probe_warn(c->w, c->sec, c->lineno, "pid %d: no GPU with uuid '%s'", (int)pid,
		    probe_quote(q, sizeof q, tu.p, tu.n));
		return;
	}
	if (c->r->nprocs >= PROBE_MAX_GPU_PROCS) {
		c->dropped++;
		return;
	}
	if (c->r->nprocs >= c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->r->procs = xreallocarray(c->r->procs, (size_t)c->cap, sizeof *c->r->procs);
		c->from_cgroup = xrealloc(c->from_cgroup, (size_t)c->cap);
	}
	struct gpu_proc *p = &c->r->procs[c->r->nprocs];
	memset(p, 0, sizeof *p);
	p->gpu = c->r->gpus[g].index;
	p->pid = (int)pid;
	p->mem_used_bytes = lay->col[A_MEM] >= 0 ?
	    apps_mem(c, lay, f[lay->col[A_MEM]], p->pid) : -1;
	if (lay->col[A_NAME] >= 0 && !is_na(f[lay->col[A_NAME]]))
		probe_copy_name(p->name, sizeof p->name, f[lay->col[A_NAME]].p,
		    f[lay->col[A_NAME]].n);
	c->from_cgroup[c->r->nprocs] = 0;
	c->r->nprocs++;
}

/*
 * One owners line "PID user NAME", "PID cgroup LINE" or "PID env
 * SLURM_JOB_ID=N": sets the user or job of every process with that pid (a
 * pid may hold several GPUs). A job from a cgroup wins over one from the
 * environment. A bad line is warned and skipped.
 */
static void
owners_line(struct pctx *c, const char *line, size_t n)
{
	struct probe_tok t[2];
	char q[QUOTE_MAX], job[GPU_PROC_JOB_MAX] = "";
	uint64_t pid;
	int kind, found = 0;

	if (probe_split_ws(line, n, t, 2) < 3 || probe_parse_u64(t[0].p, t[0].n, &pid) != 0 ||
	    pid == 0 || pid > INT_MAX) {
		probe_warn(c->w, c->sec, c->lineno, "expected 'PID user|cgroup|env ...': '%s'",
		    probe_quote(q, sizeof q, line, n));
		return;
	}
	const char *rest_p = t[1].p + t[1].n;
	struct probe_tok rest = probe_trim(rest_p, (size_t)(line + n - rest_p));
	kind = probe_tok_eq(t[1].p, t[1].n, "user") ? 0 :
	    probe_tok_eq(t[1].p, t[1].n, "cgroup") ? 1 :
	    probe_tok_eq(t[1].p, t[1].n, "env") ? 2 : -1;
	if (kind == 0 && (rest.n == 0 || rest.n >= GPU_PROC_USER_MAX ||
	    memchr(rest.p, ' ', rest.n) != NULL))
		kind = -1;
	if (kind == 1 && !cgroup_line_job(rest.p, rest.n, job, sizeof job))
		return;		/* a cgroup line of no Slurm job: nothing to say */
	if (kind == 2) {
		static const char var[] = "SLURM_JOB_ID=";
		size_t vl = sizeof var - 1;
		if (rest.n <= vl || memcmp(rest.p, var, vl) != 0 ||
		    !job_digits(rest.p + vl, rest.n - vl) ||
		    !job_copy(job, sizeof job, rest.p + vl, rest.n - vl))
			kind = -1;
	}
	if (kind < 0) {
		probe_warn(c->w, c->sec, c->lineno, "pid %d: bad line '%s'", (int)pid,
		    probe_quote(q, sizeof q, line, n));
		return;
	}
	for (int i = 0; i < c->r->nprocs; i++) {
		struct gpu_proc *p = &c->r->procs[i];
		if (p->pid != (int)pid)
			continue;
		found = 1;
		if (kind == 0)
			probe_copy_name(p->user, sizeof p->user, rest.p, rest.n);
		else if (kind == 1 || (kind == 2 && !c->from_cgroup[i] && p->job[0] == '\0')) {
			od_strlcpy(p->job, job, sizeof p->job);
			c->from_cgroup[i] = kind == 1;
		}
	}
	if (!found)
		probe_warn(c->w, c->sec, c->lineno, "pid %d is on no GPU", (int)pid);
}

/* Orders processes by GPU index; equal ones keep nvidia-smi's order (slot). */
static int
proc_cmp(const void *a, const void *b)
{
	const struct gpu_proc *x = a, *y = b;
	if (x->gpu != y->gpu)
		return x->gpu < y->gpu ? -1 : 1;
	return 0;
}

void
nvidia_procs_parse(const char *data, size_t len, struct host_report *r,
    struct probe_warnings *w)
{
	struct pctx c = { r, w, "compute-apps", 0, 0, 0, NULL };
	struct apps_layout lay;
	struct probe_lines it;
	const char *line;
	size_t n;
	int sec = -1, seen = 0;	/* 0 compute-apps, 1 owners; seen: a line of compute-apps */

	free(r->procs);
	r->procs = NULL;
	r->nprocs = 0;
	apps_layout_default(&lay);
	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		struct probe_tok t = probe_trim(line, n);
		if (probe_tok_eq(t.p, t.n, NVIDIA_APPS_MARK) ||
		    probe_tok_eq(t.p, t.n, NVIDIA_OWNERS_MARK)) {
			sec = probe_tok_eq(t.p, t.n, NVIDIA_APPS_MARK) ? 0 : 1;
			c.sec = sec == 0 ? "compute-apps" : "owners";
			c.lineno = 0;
			continue;
		}
		c.lineno++;
		if (t.n == 0)
			continue;
		if (sec == 0 && !seen++ && apps_header(line, n, &lay))
			continue;
		if (sec == 0)
			apps_line(&c, &lay, line, n);
		else if (sec == 1)
			owners_line(&c, line, n);
		else {
			char q[QUOTE_MAX];
			probe_warn(w, NULL, it.lineno, "not a section: '%s'",
			    probe_quote(q, sizeof q, line, n));
		}
	}
	if (c.dropped > 0)
		probe_warn(w, "compute-apps", 0, "%d processes past the first %d left out",
		    c.dropped, PROBE_MAX_GPU_PROCS);
	/* by GPU, nvidia-smi's order kept within one: a stable insertion sort */
	for (int i = 1; i < r->nprocs; i++) {
		struct gpu_proc x = r->procs[i];
		int j = i;
		while (j > 0 && proc_cmp(&r->procs[j - 1], &x) > 0) {
			r->procs[j] = r->procs[j - 1];
			j--;
		}
		r->procs[j] = x;
	}
	free(c.from_cgroup);
}
