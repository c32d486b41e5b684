/*
 * probe.c: host reports and their parts, CPU and memory arithmetic, and the
 * small byte-level helpers every parser uses (probe.h). The table of probes
 * is probe_table.c, so that parsers depend on this file and not the reverse.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

/* Frees every array and part r owns and zeroes it; r itself belongs to the caller. */
void
report_free(struct host_report *r)
{
	if (r == NULL)
		return;
	free(r->linux.cores);
	free(r->linux.sums);
	free(r->linux.nets);
	free(r->linux.disks);
	free(r->gpus);
	free(r->procs);
	free(r->sensors);
	free(r->warnings);
	for (size_t i = 0; i < r->nparts; i++)
		report_part_free(&r->parts[i]);
	memset(r, 0, sizeof *r);
}

void
report_part_free(struct report_part *part)
{
	if (part->data != NULL && part->probe != NULL && part->probe->free_part != NULL)
		part->probe->free_part(part->data);
	part->data = NULL;
	part->probe = NULL;
}

/* See probe.h. A report has at most one part per probe; past REPORT_MAX_PARTS: fatal. */
void
report_part_put(struct host_report *r, const struct probe *p, void *data)
{
	size_t i;

	for (i = 0; i < r->nparts; i++)
		if (r->parts[i].probe == p)
			break;
	if (i == r->nparts) {
		if (r->nparts == REPORT_MAX_PARTS)
			fatal("report_part_put: more than %d parts", REPORT_MAX_PARTS);
		r->nparts++;
	} else
		report_part_free(&r->parts[i]);
	r->parts[i].probe = p;
	r->parts[i].data = data;
}

void *
report_part_get(const struct host_report *r, const char *probe)
{
	for (size_t i = 0; i < r->nparts; i++)
		if (r->parts[i].probe != NULL && strcmp(r->parts[i].probe->name, probe) == 0)
			return r->parts[i].data;
	return NULL;
}

/* Frees dst's arrays, moves src's contents into dst and leaves src empty. */
void
report_move(struct host_report *dst, struct host_report *src)
{
	if (dst == src)
		return;
	report_free(dst);
	*dst = *src;
	memset(src, 0, sizeof *src);
}

/* p (an array of n or more elements of size bytes) cut to n; NULL for none. */
static void *
fit_array(void *p, int n, size_t size)
{
	if (p == NULL || n <= 0) {
		free(p);
		return NULL;
	}
	return xreallocarray(p, (size_t)n, size);
}

/* See probe.h. */
void
linux_sample_fit(struct linux_sample *s)
{
	s->cores = fit_array(s->cores, s->ncores, sizeof *s->cores);
	s->sums = fit_array(s->sums, s->ncores, sizeof *s->sums);
	s->nets = fit_array(s->nets, s->nnets, sizeof *s->nets);
	s->disks = fit_array(s->disks, s->ndisks, sizeof *s->disks);
}

/* The busy and idle sums of one core's reading. */
static struct cpu_sums
sums_of(const struct cpu_times *t)
{
	struct cpu_sums c = {
		.busy = (uint32_t)(t->user + t->nice + t->system + t->irq + t->softirq + t->steal),
		.idle = (uint32_t)(t->idle + t->iowait),
		.unknown = t->unknown,
	};
	return c;
}

/* See probe.h. */
void
linux_sample_keep(struct linux_sample *s)
{
	if (s->cores != NULL && s->ncores > 0) {
		free(s->sums);
		s->sums = xreallocarray(NULL, (size_t)s->ncores, sizeof *s->sums);
		for (int i = 0; i < s->ncores; i++)
			s->sums[i] = sums_of(&s->cores[i]);
	}
	free(s->cores);
	s->cores = NULL;
	linux_sample_fit(s);	/* the rest; cores are not copied only to be freed */
}

/* Core i of s in the kept form, from whichever form s has. */
static struct cpu_sums
core_sums(const struct linux_sample *s, int i)
{
	if (s->sums != NULL)
		return s->sums[i];
	if (s->cores != NULL)
		return sums_of(&s->cores[i]);
	return (struct cpu_sums){ 0, 0, 1 };
}

/*
 * cpu_times_util on the sums: a sum that went back counts 0, both sums
 * together going back (a reboot) or unknown is -1.
 */
static double
sums_util(struct cpu_sums a, struct cpu_sums b)
{
	if (a.unknown || b.unknown)
		return -1;
	int64_t busy = (int32_t)(b.busy - a.busy), idle = (int32_t)(b.idle - a.idle);
	if (busy + idle < 0)
		return -1;
	busy = OD_MAX(busy, 0);
	idle = OD_MAX(idle, 0);
	if (busy + idle == 0)
		return -1;
	return 100.0 * (double)busy / (double)(busy + idle);
}

uint64_t
linux_mem_used(const struct linux_sample *s)
{
	uint64_t avail;

	if (!(s->have & LINUX_HAVE_MEMINFO))
		return 0;
	if (s->have & LINUX_HAVE_MEMAVAILABLE)
		avail = s->mem_available;
	else {
		/* free(1) before MemAvailable: free + buffers + page cache + reclaimable slab */
		avail = s->mem_free + s->buffers + s->cached + s->sreclaimable;
		if (avail < s->mem_free)	/* wrapped: absurd input */
			avail = s->mem_total;
	}
	return avail >= s->mem_total ? 0 : s->mem_total - avail;
}

static uint64_t
sat_sub(uint64_t b, uint64_t a)
{
	return b > a ? b - a : 0;
}

/*
 * Busy percentage between two readings of the same CPU, a earlier than b.
 * Busy is user+nice+system+irq+softirq+steal; idle+iowait is idle (guest time
 * is already inside user). A counter that went backwards counts 0 (iowait
 * does that on some kernels); -1 when no time passed, the sum went back
 * (a reboot between the samples) or either reading is unknown.
 */
double
cpu_times_util(const struct cpu_times *a, const struct cpu_times *b)
{
	if (a->unknown || b->unknown)
		return -1;
	uint64_t sa = a->user + a->nice + a->system + a->idle + a->iowait + a->irq +
	    a->softirq + a->steal;
	uint64_t sb = b->user + b->nice + b->system + b->idle + b->iowait + b->irq +
	    b->softirq + b->steal;
	if (sb < sa)
		return -1;
	uint64_t busy = sat_sub(b->user, a->user) + sat_sub(b->nice, a->nice) +
	    sat_sub(b->system, a->system) + sat_sub(b->irq, a->irq) +
	    sat_sub(b->softirq, a->softirq) + sat_sub(b->steal, a->steal);
	uint64_t idle = sat_sub(b->idle, a->idle) + sat_sub(b->iowait, a->iowait);
	if (busy + idle == 0)
		return -1;
	return 100.0 * (double)busy / (double)(busy + idle);
}

double
cpu_util_pct(const struct linux_sample *prev, const struct linux_sample *cur, int core)
{
	if (prev == NULL || cur == NULL)
		return -1;
	if (!(prev->have & LINUX_HAVE_STAT) || !(cur->have & LINUX_HAVE_STAT))
		return -1;
	if (core < 0)
		return cpu_times_util(&prev->total, &cur->total);
	if (core >= prev->ncores || core >= cur->ncores)
		return -1;
	if (prev->cores != NULL && cur->cores != NULL)
		return cpu_times_util(&prev->cores[core], &cur->cores[core]);
	return sums_util(core_sums(prev, core), core_sums(cur, core));
}

/* ---- parser helpers ------------------------------------------------------ */

void
probe_lines_init(struct probe_lines *it, const char *data, size_t len)
{
	it->data = data;
	it->len = data != NULL ? len : 0;
	it->pos = 0;
	it->lineno = 0;
}

int
probe_lines_next(struct probe_lines *it, const char **line, size_t *n)
{
	if (it->pos >= it->len)
		return 0;
	const char *p = it->data + it->pos;
	size_t left = it->len - it->pos;
	const char *nl = memchr(p, '\n', left);
	size_t l = nl != NULL ? (size_t)(nl - p) : left;
	it->pos += nl != NULL ? l + 1 : l;
	it->lineno++;
	if (l > 0 && p[l - 1] == '\r')
		l--;
	*line = p;
	*n = l;
	return 1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t
probe_split_ws(const char *s, size_t n, struct probe_tok *toks, size_t max)
{
	size_t count = 0, i = 0;
	while (i < n) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n)
			break;
		size_t start = i;
		while (i < n && !is_blank(s[i]))
			i++;
		if (count < max) {
			toks[count].p = s + start;
			toks[count].n = i - start;
		}
		count++;
	}
	return count;
}

struct probe_tok
probe_trim(const char *s, size_t n)
{
	struct probe_tok t;
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	t.p = s;
	t.n = n;
	return t;
}

int
probe_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v >= UINT64_MAX / 10 && (v > UINT64_MAX / 10 || d > UINT64_MAX % 10))
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
probe_parse_i64(const char *s, size_t n, int64_t *out)
{
	int neg = 0;
	uint64_t v;
	if (n > 0 && s[0] == '-') {
		neg = 1;
		s++;
		n--;
	}
	if (probe_parse_u64(s, n, &v) != 0)
		return -1;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}

/*
 * Decimal without exponent. Up to 19 significant digits are exact and, with at
 * most 22 decimals, correctly rounded (an exact integer divided by an exact
 * power of ten); longer inputs keep their first 19 digits.
 */
int
probe_parse_double(const char *s, size_t n, double *out)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
	    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
	    1e21, 1e22 };
	size_t i = 0;
	int neg = 0, digits = 0, frac = 0, dot = 0, sig = 0, skipped_int = 0;
	uint64_t m = 0;

	if (i < n && (s[i] == '-' || s[i] == '+')) {
		neg = s[i] == '-';
		i++;
	}
	for (; i < n; i++) {
		if (s[i] == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		digits++;
		if (sig < 19) {
			m = m * 10 + (uint64_t)(s[i] - '0');
			if (m != 0)
				sig++;
			if (dot)
				frac++;
		} else if (!dot)
			skipped_int++;	/* integer digits past 19: scale up */
	}
	if (digits == 0)
		return -1;
	double v = (double)m;
	while (skipped_int-- > 0)
		v *= 10;
	if (frac > 0)
		v = frac <= 22 ? v / p10[frac] : v / 1e22 / p10[frac - 22 > 22 ? 22 : frac - 22];
	if (!isfinite(v))
		return -1;	/* hundreds of digits */
	*out = neg ? -v : v;
	return 0;
}

void
probe_copy_name(char *dst, size_t dstlen, const char *s, size_t n)
{
	sanitize_text(dst, dstlen, s, n);
}

/* Sanitised copy of s in buf; when it does not fit, cut and ended with "...". */
const char *
probe_quote(char *buf, size_t buflen, const char *s, size_t n)
{
	if (buflen == 0)
		return "";
	char *full = sanitize_dup(s, n, SIZE_MAX / 4);
	if (strlen(full) < buflen || buflen < 8)
		sanitize_text(buf, buflen, s, n);
	else {
		size_t w = sanitize_text(buf, buflen - 3, s, n);
		memcpy(buf + w, "...", 4);
	}
	free(full);
	return buf;
}

char *
probe_cause(const char *what, int lineno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *cause = xasprintf("%s line %d: %s", what, lineno, msg);
	free(msg);
	return cause;
}

/* ---- warnings ------------------------------------------------------------ */

/* Appends line to *text (joined by '\n') unless n is at the cap; counts it in *total. */
static void
warn_append(char **text, int *n, int *total, const char *line)
{
	(*total)++;
	if (*n >= REPORT_MAX_WARNINGS)
		return;
	char *t = *text == NULL ? xstrdup(line) : xasprintf("%s\n%s", *text, line);
	free(*text);
	*text = t;
	(*n)++;
}

/* See probe.h. text must be sanitised and without '\n'. */
void
report_warning_add(struct host_report *r, const char *text)
{
	warn_append(&r->warnings, &r->nwarnings, &r->warnings_total, text);
}

/* See probe.h. */
char *
report_warnings_text(const struct host_report *r)
{
	if (r->warnings == NULL)
		return NULL;
	if (r->warnings_total <= r->nwarnings)
		return xstrdup(r->warnings);
	return xasprintf("%s\n... and %d more", r->warnings, r->warnings_total - r->nwarnings);
}

/* See probe.h. The warning is sanitised and cut like a parser's own. */
void
report_probe_failed(struct host_report *r, const char *probe, const char *cause)
{
	char line[REPORT_WARNING_MAX];
	char *full = xasprintf("%s: %s", probe, cause != NULL ? cause : "unreadable output");

	sanitize_text(line, sizeof line, full, strlen(full));
	free(full);
	report_warning_add(r, line);
	r->nfailed++;
}

void
probe_warnings_init(struct probe_warnings *w, const char *probe)
{
	memset(w, 0, sizeof *w);
	w->probe = probe;
}

/*
 * See probe.h. The message is sanitised whole (quotes of host text already
 * are) and cut on a character boundary, so a warning is one safe line.
 */
void
probe_warn(struct probe_warnings *w, const char *where, int lineno, const char *fmt, ...)
{
	char where_s[96] = "", buf[REPORT_WARNING_MAX], line[REPORT_WARNING_MAX];
	va_list ap;

	if (w->n >= REPORT_MAX_WARNINGS) {
		w->total++;	/* only counted: no formatting for a flood of bad lines */
		return;
	}
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (where != NULL && lineno > 0)
		snprintf(where_s, sizeof where_s, "%s line %d: ", where, lineno);
	else if (where != NULL)
		snprintf(where_s, sizeof where_s, "%s: ", where);
	else if (lineno > 0)
		snprintf(where_s, sizeof where_s, "line %d: ", lineno);
	char *full = xasprintf("%s%s", where_s, msg);
	free(msg);
	sanitize_text(buf, sizeof buf, full, strlen(full));
	free(full);
	if (w->first == NULL)
		w->first = xstrdup(buf);
	full = xasprintf("%s: %s", w->probe, buf);
	sanitize_text(line, sizeof line, full, strlen(full));	/* cut on a character */
	free(full);
	warn_append(&w->text, &w->n, &w->total, line);
}

int
probe_warnings_count(const struct probe_warnings *w)
{
	return w->total;
}

/* See probe.h: r keeps at most REPORT_MAX_WARNINGS in all, and counts the rest. */
void
probe_warnings_commit(struct probe_warnings *w, struct host_report *r)
{
	const char *p = w->text;
	int kept = 0;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *one = xstrndup(p, l);
		report_warning_add(r, one);
		free(one);
		kept++;
		p = nl != NULL ? nl + 1 : NULL;
	}
	r->warnings_total += w->total - kept;
	free(w->text);
	free(w->first);
	memset(w, 0, sizeof *w);
}

char *
probe_warnings_cause(struct probe_warnings *w, const char *why)
{
	char *cause = w->first != NULL ? xasprintf("%s; first problem: %s", why, w->first) :
	    xstrdup(why);
	free(w->text);
	free(w->first);
	memset(w, 0, sizeof *w);
	return cause;
}
