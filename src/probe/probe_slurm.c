/*
 * probe_slurm.c: compute use per Slurm account from sacct.
 *
 * A scheduler host runs
 *   sacct -a -X -n -P -S START -E END -o JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State
 * (the probe: START two days back in a session's first cycle, an hour back
 * after it, the output cut at SLURM_SACCT_LINES; budget.h) which prints one
 * allocation per line, fields separated by '|', no header:
 *   4211|energy01|kim|gpu|7200|billing=16,cpu=16,gres/gpu=2,mem=128G,node=1|COMPLETED
 * AllocTRES counts GPUs as gres/gpu=N (Slurm 20.11 and later; with typed
 * GPUs also gres/gpu:a100=N, used only when the untyped count is missing) and
 * nodes as node=N. GPU-hours are gres/gpu x ElapsedRaw / 3600, node-hours
 * node x ElapsedRaw / 3600. ElapsedRaw of a RUNNING job is the time so far;
 * a job cancelled before it started has an empty AllocTRES and costs nothing.
 * Steps (JobID 4211.batch, 4211.extern, 4211.0) are skipped should -X be
 * missing. `sacct -p` adds a trailing '|', which is accepted.
 *
 * The probe then prints a line "@@squeue" and `squeue -h -t R -o '%A|%N'`:
 *   4213|gpu[001-004],gpu010
 * the nodes of each running job, expanded with hostlist_expand; the GPUs of
 * a job whose nodes idle are "allocated but idle" (budget_idle_compute).
 *
 * At most SLURM_SACCT_MAX_JOBS jobs of the probe's answer are read: a line
 * after them marks the part cut (slurm_usage.cut), which feature_usage.c
 * turns into a note; what was read counts.
 *
 * Pure: bytes in, records out; every kept string is sanitised and cut.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/probe.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

_Static_assert(SLURM_SACCT_LINES == SLURM_SACCT_MAX_JOBS + 1,
    "head -n in SLURM_PROBE_COMMAND reads one line past the cap");

#define SLURM_NFIELDS 7
#define SLURM_MAX_ELAPSED_S ((int64_t)100 * 366 * 86400)	/* a century */
#define SLURM_MAX_COUNT 1000000		/* GPUs or nodes of one job */

enum { F_JOBID, F_ACCOUNT, F_USER, F_PARTITION, F_ELAPSED, F_TRES, F_STATE };

/*
 * Reads the GPU and node counts of an AllocTRES string. Unknown keys and
 * values with units (mem=64G) are ignored. 0, or -1 with a static *why.
 */
static int
tres_parse(const char *s, size_t n, int64_t *gpus, int64_t *nodes, const char **why)
{
	int64_t gpu_plain = -1, gpu_typed = 0;
	size_t i = 0;

	*nodes = 0;
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != ',')
			e++;
		const char *eq = memchr(s + i, '=', e - i);
		if (eq == NULL) {
			if (e > i) {
				*why = "AllocTRES entry without '='";
				return -1;
			}
		} else {
			size_t kl = (size_t)(eq - (s + i));
			const char *v = eq + 1;
			size_t vl = (size_t)((s + e) - v);
			int is_gpu = probe_tok_eq(s + i, kl, "gres/gpu");
			int is_typed = kl > 9 && memcmp(s + i, "gres/gpu:", 9) == 0;
			int is_node = probe_tok_eq(s + i, kl, "node");
			if (is_gpu || is_typed || is_node) {
				uint64_t u;
				if (probe_parse_u64(v, vl, &u) != 0 || u > SLURM_MAX_COUNT) {
					*why = is_node ? "bad node count in AllocTRES" :
					    "bad GPU count in AllocTRES";
					return -1;
				}
				if (is_gpu)
					gpu_plain = (int64_t)u;
				else if (is_typed)
					gpu_typed += (int64_t)u;
				else
					*nodes = (int64_t)u;
			}
		}
		i = e + 1;
	}
	*gpus = gpu_plain >= 0 ? gpu_plain : OD_MIN(gpu_typed, (int64_t)SLURM_MAX_COUNT);
	return 0;
}

static int
acct_cmp(const void *a, const void *b)
{
	const struct slurm_account *x = a, *y = b;
	return strcmp(x->account, y->account);
}

/* Frees u->running and leaves it empty. */
static void
running_free(struct slurm_usage *u)
{
	for (size_t i = 0; i < u->nrunning; i++)
		hostlist_free(u->running[i].nodes);
	free(u->running);
	u->running = NULL;
	u->nrunning = 0;
}

void
slurm_usage_free(struct slurm_usage *u)
{
	if (u == NULL)
		return;
	free(u->jobs);
	free(u->accounts);
	running_free(u);
	memset(u, 0, sizeof *u);
}

/* Sums per account into u->accounts, sorted by name. */
static void
slurm_sum(struct slurm_usage *u)
{
	if (u->njobs == 0)
		return;
	struct slurm_account *v = xreallocarray(NULL, u->njobs, sizeof *v);
	for (size_t i = 0; i < u->njobs; i++) {
		memcpy(v[i].account, u->jobs[i].account, sizeof v[i].account);
		v[i].jobs = 1;
		v[i].gpu_hours = u->jobs[i].gpu_hours;
		v[i].node_hours = u->jobs[i].node_hours;
	}
	qsort(v, u->njobs, sizeof *v, acct_cmp);
	size_t n = 0;
	for (size_t i = 0; i < u->njobs; i++) {
		if (n > 0 && strcmp(v[n - 1].account, v[i].account) == 0) {
			v[n - 1].jobs++;
			v[n - 1].gpu_hours += v[i].gpu_hours;
			v[n - 1].node_hours += v[i].node_hours;
		} else {
			v[n++] = v[i];
		}
	}
	u->accounts = v;
	u->naccounts = n;
}

int
slurm_parse_sacct(const char *data, size_t len, struct slurm_usage *out, char **cause)
{
	return slurm_parse_sacct_max(data, len, SLURM_MAX_JOBS, out, cause);
}

/*
 * See budget.h. Blank lines are skipped; any other line must have the seven
 * fields, up to the first job line past max_jobs (never past SLURM_MAX_JOBS),
 * where the parse stops; *out is empty after an error.
 */
int
slurm_parse_sacct_max(const char *data, size_t len, size_t max_jobs, struct slurm_usage *out,
    char **cause)
{
	struct probe_lines it;
	const char *line;
	size_t n, cap = 0;
	char q[80];

	memset(out, 0, sizeof *out);
	if (max_jobs > SLURM_MAX_JOBS)
		max_jobs = SLURM_MAX_JOBS;
	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		struct probe_tok f[SLURM_NFIELDS + 1];
		size_t nf = 0, start = 0;

		if (probe_trim(line, n).n == 0)
			continue;
		if (out->njobs >= max_jobs) {	/* whatever follows is not read */
			out->cut = 1;
			out->cut_line = it.lineno;
			break;
		}
		for (size_t i = 0; i <= n; i++) {
			if (i == n || line[i] == '|') {
				if (nf < OD_ARRAY_LEN(f)) {
					f[nf].p = line + start;
					f[nf].n = i - start;
				}
				nf++;
				start = i + 1;
			}
		}
		if (nf == SLURM_NFIELDS + 1 && f[SLURM_NFIELDS].n == 0)
			nf = SLURM_NFIELDS;	/* sacct -p: a trailing '|' */
		if (nf != SLURM_NFIELDS) {
			*cause = probe_cause("sacct", it.lineno,
			    "%zu fields, expected %d (%s): '%s'", nf, SLURM_NFIELDS,
			    SLURM_SACCT_FIELDS, probe_quote(q, sizeof q, line, n));
			goto fail;
		}
		struct probe_tok id = probe_trim(f[F_JOBID].p, f[F_JOBID].n);
		if (id.n == 0) {
			*cause = probe_cause("sacct", it.lineno, "empty JobID");
			goto fail;
		}
		if (memchr(id.p, '.', id.n) != NULL) {
			out->skipped_steps++;
			continue;
		}
		struct slurm_job j;
		memset(&j, 0, sizeof j);
		uint64_t el;
		struct probe_tok et = probe_trim(f[F_ELAPSED].p, f[F_ELAPSED].n);
		if (probe_parse_u64(et.p, et.n, &el) != 0 || el > (uint64_t)SLURM_MAX_ELAPSED_S) {
			*cause = probe_cause("sacct", it.lineno, "bad ElapsedRaw '%s' (seconds)",
			    probe_quote(q, sizeof q, f[F_ELAPSED].p, f[F_ELAPSED].n));
			goto fail;
		}
		j.elapsed_s = (int64_t)el;
		const char *why = NULL;
		struct probe_tok tt = probe_trim(f[F_TRES].p, f[F_TRES].n);
		if (tres_parse(tt.p, tt.n, &j.gpus, &j.nodes, &why) != 0) {
			*cause = probe_cause("sacct", it.lineno, "%s: '%s'", why,
			    probe_quote(q, sizeof q, f[F_TRES].p, f[F_TRES].n));
			goto fail;
		}
		probe_copy_name(j.jobid, sizeof j.jobid, id.p, id.n);
		struct probe_tok t = probe_trim(f[F_ACCOUNT].p, f[F_ACCOUNT].n);
		probe_copy_name(j.account, sizeof j.account, t.p, t.n);
		t = probe_trim(f[F_USER].p, f[F_USER].n);
		probe_copy_name(j.user, sizeof j.user, t.p, t.n);
		t = probe_trim(f[F_PARTITION].p, f[F_PARTITION].n);
		probe_copy_name(j.partition, sizeof j.partition, t.p, t.n);
		t = probe_trim(f[F_STATE].p, f[F_STATE].n);
		size_t w = 0;
		while (w < t.n && t.p[w] != ' ')
			w++;	/* "CANCELLED by 1234" is CANCELLED */
		probe_copy_name(j.state, sizeof j.state, t.p, w);
		j.gpu_hours = (double)j.gpus * (double)j.elapsed_s / 3600.0;
		j.node_hours = (double)j.nodes * (double)j.elapsed_s / 3600.0;
		if (out->njobs == cap) {
			cap = cap ? cap * 2 : 64;
			out->jobs = xreallocarray(out->jobs, cap, sizeof *out->jobs);
		}
		out->jobs[out->njobs++] = j;
	}
	slurm_sum(out);
	return 0;
fail:
	slurm_usage_free(out);
	return -1;
}

/*
 * See budget.h. Every name is sanitised; a NodeList is at most
 * HOSTLIST_MAX_EXPANSION names (hostlist.h), a job SLURM_MAX_JOB_NODES and
 * all jobs SLURM_MAX_NODE_NAMES.
 */
int
slurm_parse_squeue(const char *data, size_t len, struct slurm_usage *u, char **cause)
{
	struct probe_lines it;
	const char *line;
	size_t n, cap = 0, total = 0;
	char q[80];

	running_free(u);
	u->has_nodes = 1;
	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		struct probe_tok t = probe_trim(line, n);
		if (t.n == 0)
			continue;
		const char *bar = memchr(t.p, '|', t.n);
		if (bar == NULL || memchr(bar + 1, '|', (size_t)(t.p + t.n - bar - 1)) != NULL) {
			*cause = probe_cause("squeue", it.lineno,
			    "expected JobID|NodeList: '%s'", probe_quote(q, sizeof q, line, n));
			goto fail;
		}
		struct probe_tok id = probe_trim(t.p, (size_t)(bar - t.p));
		struct probe_tok nl = probe_trim(bar + 1, (size_t)(t.p + t.n - bar - 1));
		if (id.n == 0 || id.n >= SLURM_FIELD_MAX) {
			*cause = probe_cause("squeue", it.lineno, "bad JobID '%s'",
			    probe_quote(q, sizeof q, id.p, id.n));
			goto fail;
		}
		if (u->nrunning >= SLURM_MAX_RUNNING) {
			*cause = probe_cause("squeue", it.lineno, "more than %d running jobs",
			    SLURM_MAX_RUNNING);
			goto fail;
		}
		struct slurm_running r;
		memset(&r, 0, sizeof r);
		probe_copy_name(r.jobid, sizeof r.jobid, id.p, id.n);
		if (nl.n == 0 || nl.p[0] == '(') {	/* "(null)": none yet */
			r.nodes = xcalloc(1, sizeof *r.nodes);
		} else {
			char *pat = xmalloc(nl.n + 1), *why = NULL;
			size_t col = 0;
			memcpy(pat, nl.p, nl.n);
			pat[nl.n] = '\0';
			int rc = hostlist_expand(pat, &r.nodes, &r.nnodes, &why, &col);
			free(pat);
			if (rc != 0) {
				*cause = probe_cause("squeue", it.lineno, "bad NodeList '%s': %s",
				    probe_quote(q, sizeof q, nl.p, nl.n), why);
				free(why);
				goto fail;
			}
			if (r.nnodes > SLURM_MAX_JOB_NODES ||
			    total + r.nnodes > SLURM_MAX_NODE_NAMES) {
				hostlist_free(r.nodes);
				*cause = probe_cause("squeue", it.lineno, "more than %d nodes",
				    r.nnodes > SLURM_MAX_JOB_NODES ? SLURM_MAX_JOB_NODES :
				    SLURM_MAX_NODE_NAMES);
				goto fail;
			}
			total += r.nnodes;
			for (size_t k = 0; k < r.nnodes; k++) {
				char *c = sanitize_dup(r.nodes[k], strlen(r.nodes[k]),
				    HOSTNAME_MAX);
				free(r.nodes[k]);
				r.nodes[k] = c;
			}
		}
		if (u->nrunning == cap) {
			cap = cap ? cap * 2 : 32;
			u->running = xreallocarray(u->running, cap, sizeof *u->running);
		}
		u->running[u->nrunning++] = r;
	}
	return 0;
fail:
	running_free(u);
	return -1;
}

char *
slurm_sacct_command(int32_t start_day, int32_t end_day)
{
	char s[16], e[16];

	budget_date_format(start_day, s, sizeof s);
	budget_date_format(end_day, e, sizeof e);
	return xasprintf("sacct -a -X -n -P -S %sT00:00:00 -E %sT00:00:00 -o %s", s, e,
	    SLURM_SACCT_FIELDS);
}

/*
 * Where the line SLURM_SQUEUE_MARKER starts in data: its offset and, in
 * *after, where the line after it starts; len when there is none.
 */
static size_t
squeue_marker(const char *data, size_t len, size_t *after)
{
	size_t ml = strlen(SLURM_SQUEUE_MARKER), i = 0;

	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - data) : len;
		struct probe_tok t = probe_trim(data + i, e - i);
		if (t.n == ml && memcmp(t.p, SLURM_SQUEUE_MARKER, ml) == 0) {
			*after = nl != NULL ? e + 1 : len;
			return i;
		}
		i = e + 1;
	}
	*after = len;
	return len;
}

/*
 * The `slurm` probe's parse: sacct output into r's "slurm" part (replacing an
 * earlier one), the squeue part after SLURM_SQUEUE_MARKER (when there is one) into
 * its running-job nodes. 0, or -1 with *cause naming the line.
 */
static int
slurm_probe_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct slurm_usage *u = xcalloc(1, sizeof *u);
	size_t after, at = squeue_marker(data, len, &after);

	if (slurm_parse_sacct_max(data, at, SLURM_SACCT_MAX_JOBS, u, cause) != 0 ||
	    (at < len && slurm_parse_squeue(data + after, len - after, u, cause) != 0)) {
		slurm_usage_free(u);
		free(u);
		return -1;
	}
	report_part_put(r, &probe_slurm, u);
	return 0;
}

/* probe_slurm's free_part: a struct slurm_usage of slurm_probe_parse. */
static void
slurm_part_free(void *data)
{
	slurm_usage_free(data);
	free(data);
}

const struct probe probe_slurm = {
	.name = "slurm",
	.command = SLURM_PROBE_COMMAND,
	.parse = slurm_probe_parse,
	.free_part = slurm_part_free,
};
