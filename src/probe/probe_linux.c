/*
 * probe_linux.c: the linux probe. One command prints several /proc files,
 * each after a line "== NAME"; the parser turns them into a linux_sample.
 *
 * Formats (proc(5) and the kernel's seq_printf calls):
 *   stat       "cpu  u n s i iow irq sirq steal guest guest_nice" (4 to 10
 *              numbers by kernel age), "cpuN ...", "ctxt N", "processes N",
 *              "procs_running N", "procs_blocked N"; other lines ignored.
 *              The node's awk may send a core as "cpuN BUSY IDLE" instead
 *              (its struct cpu_sums; two numbers, which no kernel prints).
 *   meminfo    "Key:   N kB"
 *   loadavg    "0.52 0.58 0.59 2/1234 5678"
 *   uptime     "350735.47 234388.90"
 *   net/dev    2 header lines, then "  name: 16 numbers" (old kernels glue
 *              the first number to the colon)
 *   diskstats  "major minor name" + 11, 15 or 17 numbers (14, 18, 20 fields);
 *              before 2.6.25 partitions had 4 numbers (7 fields)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/util.h"
#include "probe_linux_int.h"

/*
 * One awk prints all six files, each after its "== NAME" line, leaving out
 * /proc/stat's intr and softirq lines (not read, and intr is long: 4.6 KB of
 * a 12.4 KB /proc/stat on a 128-core EPYC, server-epyc-128core-a.txt) and
 * every /proc/meminfo line but the MEMINFO_KEYS the parser reads (9 of
 * about 55 lines, 1.3 KB of 1.5). A file it cannot read gives its
 * "== NAME" line alone, as the loop does.
 * One process, not seven, writing whole lines in blocks of at most
 * LINUX_WRITE_MAX bytes (its function o flushes before a line would pass
 * that): a real sshd sent that EPYC's files as 3 channel packets (4,096,
 * 4,096, 3,776 bytes with stdio's own 4 KiB blocks) where the loop of
 * echo, sed and cat made 12, each a read, a decryption and a wake-up for
 * the collector; a block under 4 KiB keeps two of libssh's receive buffers
 * a session at 4 KiB instead of 8 (docs/PERFORMANCE.md). length() counts
 * characters, so a line of multibyte text may take a block a few bytes
 * over.
 * Where the node has no awk: the loop (POSIX sed; cat where there is none).
 */
#define LINUX_FILES	"stat meminfo loadavg uptime net/dev diskstats"
/*
 * The meminfo keys read: the key, its linux_sample field, and the MEM_*
 * flag that makes it known (0: optional). The node's awk keeps exactly
 * these lines; the alternation starts with "_", which no key is.
 */
#define MEMINFO_KEYS(X) \
	X(MemTotal, mem_total, MEM_TOTAL) \
	X(MemFree, mem_free, MEM_FREE) \
	X(MemAvailable, mem_available, MEM_AVAILABLE) \
	X(Buffers, buffers, 0) \
	X(Cached, cached, 0) \
	X(SwapTotal, swap_total, MEM_SWAP) \
	X(SwapFree, swap_free, MEM_SWAP) \
	X(Shmem, shmem, 0) \
	X(SReclaimable, sreclaimable, 0)
#define MEMINFO_ALT(key, field, flag)	"|" #key
#define TEXT_(x)	#x
#define TEXT(x)		TEXT_(x)
/*
 * The awk's per-core lines: with s=1 (LINUX_COMMAND, LINUX_SUMS_MARK) each
 * "cpuN" line of /proc/stat goes out as "cpuN BUSY IDLE", the two sums the
 * collector computes a core's use from (struct cpu_sums: busy =
 * user+nice+system+irq+softirq+steal, idle = idle+iowait; %.0f prints them
 * exactly, jiffies being far below 2^53). A 96-core node's 97 cpu lines
 * shrink from 4.6 KB to 2.0 KB, and the collector reads two numbers a core
 * instead of ten. collect --listen exports every mode of every core and
 * runs the command without it (LINUX_COMMAND_COUNTERS).
 */
#define LINUX_SUMS \
	"if (s && l ~ /^cpu[0-9]/) { split(l, v, \" \"); " \
	"l = sprintf(\"%s %.0f %.0f\", v[1], v[2] + v[3] + v[4] + v[7] + v[8] + v[9], " \
	"v[5] + v[6]) } "
#define LINUX_AWK(head) \
	head "function o(l) { " LINUX_SUMS \
	"if (w + length(l) >= " TEXT(LINUX_WRITE_MAX) ") { fflush(); " \
	"w = 0 } print l; w += length(l) + 1 } " \
	"BEGIN { n = split(\"" LINUX_FILES "\", f, \" \"); " \
	"for (i = 1; i <= n; i++) { o(\"== \" f[i]); p = \"/proc/\" f[i]; " \
	"while ((getline l < p) > 0) if (f[i] != \"meminfo\" ? l !~ /^(intr|softirq) / : " \
	"l ~ /^(_" MEMINFO_KEYS(MEMINFO_ALT) "):/) o(l); " \
	"close(p) } }'"
#define LINUX_COMMAND_OF(head) \
	"if command -v awk >/dev/null 2>&1; then " LINUX_AWK(head) "; " \
	"else for f in " LINUX_FILES "; do " \
	"echo \"== $f\"; case $f in " \
	"stat) sed '/^intr /d; /^softirq /d' /proc/stat 2>/dev/null || " \
	"cat /proc/stat 2>/dev/null ;; " \
	"*) cat \"/proc/$f\" 2>/dev/null ;; esac; done; fi; :"
#define LINUX_COMMAND		LINUX_COMMAND_OF(LINUX_SUMS_MARK)
#define LINUX_COMMAND_COUNTERS	LINUX_COMMAND_OF("awk -v s=0 '")

enum section { SEC_NONE, SEC_UNKNOWN, SEC_STAT, SEC_MEMINFO, SEC_LOADAVG, SEC_UPTIME,
	SEC_NETDEV, SEC_DISKSTATS };

static const struct {
	const char	*name;
	enum section	 sec;
	const char	*what;	/* the file, in warnings */
} sections[] = {
	{ "stat", SEC_STAT, "/proc/stat" },
	{ "meminfo", SEC_MEMINFO, "/proc/meminfo" },
	{ "loadavg", SEC_LOADAVG, "/proc/loadavg" },
	{ "uptime", SEC_UPTIME, "/proc/uptime" },
	{ "net/dev", SEC_NETDEV, "/proc/net/dev" },
	{ "diskstats", SEC_DISKSTATS, "/proc/diskstats" },
};

static int
tok_int(struct lctx *c, const struct probe_tok *t, int *v)
{
	uint64_t u;
	if (probe_parse_u64(t->p, t->n, &u) != 0 || u > INT32_MAX)
		return linux_bad_number(c, t->p, t->n);
	*v = (int)u;
	return 0;
}

static int
tok_double(struct lctx *c, const struct probe_tok *t, double *v)
{
	if (probe_parse_double(t->p, t->n, v) != 0 || *v < 0)
		return linux_bad_number(c, t->p, t->n);
	return 0;
}

/*
 * The per-core array arr (of *cap elements of size bytes, idx below
 * PROBE_MAX_CORES) grown to hold core idx, which s->ncores then counts. The
 * elements from the old *cap on are the caller's to mark unknown.
 */
static void *
core_grow(struct linux_sample *s, void *arr, int *cap, size_t size, uint64_t idx)
{
	if ((int)idx >= *cap) {
		int ncap = *cap ? *cap : 16;
		while (ncap <= (int)idx)
			ncap *= 2;
		*cap = OD_MIN(ncap, PROBE_MAX_CORES);
		arr = xreallocarray(arr, (size_t)*cap, size);
	}
	if ((int)idx >= s->ncores)
		s->ncores = (int)idx + 1;
	return arr;
}

/* The cpu_times of cpuN, growing s->cores (zeroed, unknown) to hold it; NULL past the cap. */
static struct cpu_times *
core_slot(struct lctx *c, uint64_t idx)
{
	struct linux_sample *s = c->s;
	int old = c->cores_cap;

	if (idx >= PROBE_MAX_CORES)
		return NULL;
	s->cores = core_grow(s, s->cores, &c->cores_cap, sizeof *s->cores, idx);
	for (int i = old; i < c->cores_cap; i++)	/* unknown until its line is read */
		s->cores[i] = (struct cpu_times){ .unknown = 1 };
	return &s->cores[idx];
}

/*
 * The sums of cpuN, growing s->sums (unknown until read) to hold it; NULL
 * past the cap. A sample's cores come in one form: the other one's line is
 * bad (no node mixes them).
 */
static struct cpu_sums *
sums_slot(struct lctx *c, uint64_t idx)
{
	struct linux_sample *s = c->s;
	int old = c->sums_cap;

	if (idx >= PROBE_MAX_CORES)
		return NULL;
	s->sums = core_grow(s, s->sums, &c->sums_cap, sizeof *s->sums, idx);
	for (int i = old; i < c->sums_cap; i++)
		s->sums[i] = (struct cpu_sums){ .unknown = 1 };
	return &s->sums[idx];
}

/* A "cpuN BUSY IDLE" line's numbers into core idx (a bad line when it has full lines). */
static int
core_sums_set(struct lctx *c, uint64_t idx, uint64_t busy, uint64_t idle)
{
	if (c->s->cores != NULL)
		return linux_bad_line(c, "a core's sums among full cpu lines");
	struct cpu_sums *dst = sums_slot(c, idx);
	if (dst != NULL)	/* past the cap: ignored */
		*dst = (struct cpu_sums){ (uint32_t)busy, (uint32_t)idle, 0 };
	return 0;
}

/* Stores a cpu line's first eight numbers in dst, which becomes known. */
static void
cpu_set(struct lctx *c, struct cpu_times *dst, const uint64_t *v)
{
	dst->user = v[0];
	dst->nice = v[1];
	dst->system = v[2];
	dst->idle = v[3];
	dst->iowait = v[4];
	dst->irq = v[5];
	dst->softirq = v[6];
	dst->steal = v[7];
	dst->unknown = 0;
	if (dst == &c->s->total)
		c->cpu_total_ok = 1;
}

/*
 * A "cpu" or "cpuN" line: toks[0] is the key, 4 to 10 numbers follow (or,
 * for a core, its two sums). A bad cpuN line leaves that core unknown (its
 * number still counts); a bad "cpu" line leaves the whole CPU figure
 * unknown.
 */
static int
stat_cpu(struct lctx *c, const struct probe_tok *toks, size_t ntok)
{
	struct linux_sample *s = c->s;
	uint64_t v[8] = { 0 }, idx = 0;
	struct cpu_times *dst;

	if (toks[0].n > 3 && probe_parse_u64(toks[0].p + 3, toks[0].n - 3, &idx) != 0)
		return linux_bad_number(c, toks[0].p, toks[0].n);
	if (toks[0].n > 3 && ntok == 3) {	/* "cpuN BUSY IDLE" */
		uint64_t busy, idle;
		if (linux_tok_u64(c, &toks[1], &busy) != 0 || linux_tok_u64(c, &toks[2], &idle) != 0)
			return -1;
		return core_sums_set(c, idx, busy, idle);
	}
	if (toks[0].n == 3) {
		dst = &s->total;
		c->cpu_total_seen = 1;
	} else if (s->sums != NULL) {
		return linux_bad_line(c, "a core's full cpu line among sums");
	} else if ((dst = core_slot(c, idx)) == NULL) {
		return 0;	/* past the cap: ignored */
	}
	if (ntok < 5)
		return linux_bad_line(c, "cpu line with fewer than 4 numbers");
	for (size_t i = 1; i < ntok && i <= 10; i++) {
		uint64_t x;
		if (linux_tok_u64(c, &toks[i], &x) != 0)
			return -1;
		if (i <= 8)
			v[i - 1] = x;
	}
	cpu_set(c, dst, v);
	return 0;
}

/*
 * The common cpu line in one pass: "cpu" or "cpuN" at the start, then 4 to
 * 10 numbers (a core's two sums) of at most 19 digits (which cannot overflow) after single or
 * repeated spaces. 1: taken; 0: anything else (a tab, a sign, 11 numbers,
 * a long number), which the general path reads and warns about. A 96-core
 * node sends 97 of these a cycle: tokenising them first was a tenth of the
 * collector's CPU at 1,000 hosts.
 */
static int
stat_cpu_fast(struct lctx *c, const char *p, size_t n)
{
	uint64_t v[10] = { 0 };
	size_t i = 3;
	int64_t idx = -1;

	if (n < 5 || memcmp(p, "cpu", 3) != 0)
		return 0;
	if (p[3] != ' ') {
		idx = 0;
		for (; i < n && i < 8 && p[i] >= '0' && p[i] <= '9'; i++)
			idx = idx * 10 + (p[i] - '0');
		if (i == 3 || i >= n || p[i] != ' ')
			return 0;
	}
	int nv = linux_numbers(p, n, &i, v, 10);
	if (nv == 2 && idx >= 0 && c->s->cores == NULL) {	/* "cpuN BUSY IDLE" */
		(void)core_sums_set(c, (uint64_t)idx, v[0], v[1]);
		return 1;
	}
	if (nv < 4 || (idx >= 0 && c->s->sums != NULL))
		return 0;	/* the general path warns */
	struct cpu_times *dst;
	if (idx < 0) {
		dst = &c->s->total;
		c->cpu_total_seen = 1;
	} else if ((dst = core_slot(c, (uint64_t)idx)) == NULL) {
		return 1;	/* past the cap: ignored, as the general path does */
	}
	cpu_set(c, dst, v);
	return 1;
}

/* Whether a /proc/stat line's key is one we read (intr and softirq lines are long). */
static int
stat_key_wanted(const char *line, size_t n)
{
	struct probe_tok t = probe_trim(line, n);
	size_t k = 0;
	while (k < t.n && t.p[k] != ' ' && t.p[k] != '\t')
		k++;
	if (k >= 3 && memcmp(t.p, "cpu", 3) == 0)
		return 1;
	return probe_tok_eq(t.p, k, "ctxt") || probe_tok_eq(t.p, k, "processes") ||
	    probe_tok_eq(t.p, k, "procs_running") || probe_tok_eq(t.p, k, "procs_blocked");
}

static int
parse_stat(struct lctx *c, const char *line, size_t n)
{
	struct probe_tok t[12];
	struct linux_sample *s = c->s;

	if (stat_cpu_fast(c, line, n))
		return 0;
	if (!stat_key_wanted(line, n))
		return 0;	/* intr, btime, softirq, page, swap, ...: not used */
	size_t ntok = probe_split_ws(line, n, t, OD_ARRAY_LEN(t));
	if (ntok == 0)
		return 0;
	if (t[0].n >= 3 && memcmp(t[0].p, "cpu", 3) == 0)
		return stat_cpu(c, t, ntok < OD_ARRAY_LEN(t) ? ntok : OD_ARRAY_LEN(t));
	if (ntok < 2)
		return 0;
	if (probe_tok_eq(t[0].p, t[0].n, "ctxt"))
		return linux_tok_u64(c, &t[1], &s->ctxt);
	if (probe_tok_eq(t[0].p, t[0].n, "processes"))
		return linux_tok_u64(c, &t[1], &s->processes);
	if (probe_tok_eq(t[0].p, t[0].n, "procs_running"))
		return tok_int(c, &t[1], &s->procs_running);
	if (probe_tok_eq(t[0].p, t[0].n, "procs_blocked"))
		return tok_int(c, &t[1], &s->procs_blocked);
	return 0;
}

/*
 * "Key:   N kB" (or "Key: N" for counts). Only the keys below are read; a
 * bad line of one of them makes that key unknown (struct lctx mem_bad),
 * other lines are not looked at.
 */
static int
parse_meminfo(struct lctx *c, const char *line, size_t n)
{
	static const struct {
		const char	*key;
		size_t		 off;
		unsigned	 flag;	/* MEM_* */
	} keys[] = {
#define MEMINFO_ENTRY(key, field, flag) { #key, offsetof(struct linux_sample, field), flag },
		MEMINFO_KEYS(MEMINFO_ENTRY)
#undef MEMINFO_ENTRY
	};
	struct probe_tok line_t = probe_trim(line, n);
	if (line_t.n == 0)
		return 0;
	const char *colon = memchr(line, ':', n);
	if (colon == NULL)
		return linux_bad_line(c, "no ':'");
	size_t klen = (size_t)(colon - line);
	for (size_t k = 0; k < OD_ARRAY_LEN(keys); k++) {
		if (!probe_tok_eq(line, klen, keys[k].key))
			continue;
		struct probe_tok t[3];
		size_t ntok = probe_split_ws(colon + 1, n - klen - 1, t, OD_ARRAY_LEN(t));
		uint64_t v;
		int rc = 0;
		c->mem_seen |= keys[k].flag;
		if (ntok == 0)
			rc = linux_bad_line(c, "no value");
		else if (ntok > 2 || (ntok == 2 && !probe_tok_eq(t[1].p, t[1].n, "kB")))
			rc = linux_bad_line(c, "expected 'N kB'");
		else if (linux_tok_u64(c, &t[0], &v) != 0)
			rc = -1;
		else if (ntok == 2 && v > UINT64_MAX / 1024)
			rc = linux_bad_number(c, t[0].p, t[0].n);
		if (rc != 0) {
			c->mem_bad |= keys[k].flag;
			return -1;
		}
		if (ntok == 2)
			v *= 1024;
		memcpy((char *)c->s + keys[k].off, &v, sizeof v);
		return 0;
	}
	return 0;
}

static int
parse_loadavg(struct lctx *c, const char *line, size_t n)
{
	struct probe_tok t[6];
	size_t ntok = probe_split_ws(line, n, t, OD_ARRAY_LEN(t));
	struct linux_sample *s = c->s;
	if (ntok == 0)
		return 0;
	if (ntok < 4)
		return linux_bad_line(c, "expected 'L1 L5 L15 R/T'");
	for (int i = 0; i < 3; i++)
		if (tok_double(c, &t[i], &s->load[i]) != 0)
			return -1;
	const char *slash = memchr(t[3].p, '/', t[3].n);
	if (slash == NULL)
		return linux_bad_number(c, t[3].p, t[3].n);
	struct probe_tok a = { t[3].p, (size_t)(slash - t[3].p) };
	struct probe_tok b = { slash + 1, t[3].n - a.n - 1 };
	if (tok_int(c, &a, &s->tasks_running) != 0 || tok_int(c, &b, &s->tasks_total) != 0)
		return -1;
	s->have |= LINUX_HAVE_LOADAVG;
	return 0;
}

static int
parse_uptime(struct lctx *c, const char *line, size_t n)
{
	struct probe_tok t[3];
	size_t ntok = probe_split_ws(line, n, t, OD_ARRAY_LEN(t));
	if (ntok == 0)
		return 0;
	if (ntok != 2)
		return linux_bad_line(c, "expected 'UPTIME IDLE'");
	if (tok_double(c, &t[0], &c->s->uptime_s) != 0 ||
	    tok_double(c, &t[1], &c->s->idle_s) != 0)
		return -1;
	c->s->have |= LINUX_HAVE_UPTIME;
	return 0;
}

/* Which section a "== NAME" line opens (n bytes after "== "). */
static int
section_find(const char *name, size_t n)
{
	struct probe_tok t = probe_trim(name, n);
	for (size_t i = 0; i < OD_ARRAY_LEN(sections); i++)
		if (probe_tok_eq(t.p, t.n, sections[i].name))
			return (int)i;
	return -1;
}

/*
 * Ends a section: what its lines allow. The CPU figures need the "cpu"
 * line; memory needs MemTotal, and MemAvailable or MemFree; a bad swap line
 * hides swap. content: the section had a line that is not blank.
 */
static void
section_end(struct lctx *c, enum section kind, int content)
{
	struct linux_sample *s = c->s;

	if (kind == SEC_STAT) {
		if (c->cpu_total_ok)
			s->have |= LINUX_HAVE_STAT;
		else if (content && !c->cpu_total_seen)
			probe_warn(c->w, c->what, 0, "no 'cpu' line: CPU use unknown");
	} else if (kind == SEC_MEMINFO) {
		unsigned ok = c->mem_seen & ~c->mem_bad;
		if (!(ok & MEM_TOTAL)) {
			if (content && !(c->mem_bad & MEM_TOTAL))
				probe_warn(c->w, c->what, 0, "no MemTotal: memory unknown");
			return;
		}
		if (!(ok & MEM_AVAILABLE) && !(ok & MEM_FREE)) {
			probe_warn(c->w, c->what, 0,
			    "neither MemAvailable nor MemFree: memory in use unknown");
			return;
		}
		s->have |= LINUX_HAVE_MEMINFO;
		if (ok & MEM_AVAILABLE)
			s->have |= LINUX_HAVE_MEMAVAILABLE;
		if (c->mem_bad & MEM_SWAP)
			s->swap_total = s->swap_free = 0;	/* shown as no swap */
	}
}

/*
 * Parses the linux probe's output (len bytes, not NUL-terminated) into
 * r->linux, replacing what was there. A bad line costs only itself (a
 * warning in r: "linux: /proc/meminfo line 7: bad number 'x'", N counting
 * within the file); the figures it feeds are then unknown. Returns -1 with
 * a malloc'd *cause only when output that is not blank yielded nothing
 * (no section, or every section unreadable); r->linux is then empty or
 * partial and still freed by report_free().
 */
static int
linux_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct linux_sample *s = &r->linux;
	struct probe_lines it;
	struct probe_warnings w;
	const char *line;
	size_t n;
	int sec = -1, content = 0, any_content = 0, any_section = 0;
	enum section kind = SEC_NONE;
	struct lctx c;

	free(s->cores);
	free(s->sums);
	free(s->nets);
	free(s->disks);
	memset(s, 0, sizeof *s);
	memset(&c, 0, sizeof c);
	probe_warnings_init(&w, "linux");
	c.s = s;
	c.w = &w;
	if (cause != NULL)
		*cause = NULL;

	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		if (n >= 3 && memcmp(line, "== ", 3) == 0) {
			section_end(&c, kind, content);
			sec = section_find(line + 3, n - 3);
			kind = sec < 0 ? SEC_UNKNOWN : sections[sec].sec;
			c.lineno = 0;
			content = 0;
			if (sec >= 0) {
				any_section = 1;
				c.what = sections[sec].what;
				/* a repeated section replaces the earlier one */
				if (kind == SEC_NETDEV)
					s->nnets = 0;
				else if (kind == SEC_DISKSTATS)
					s->ndisks = 0;
				else if (kind == SEC_STAT)
					c.cpu_total_seen = c.cpu_total_ok = 0;
				else if (kind == SEC_MEMINFO)
					c.mem_seen = c.mem_bad = 0;
			}
			continue;
		}
		c.lineno++;
		int blank = probe_trim(line, n).n == 0;
		if (!blank && kind != SEC_UNKNOWN)
			any_content = 1;
		if (kind == SEC_NONE || kind == SEC_UNKNOWN)
			continue;
		if (!blank)
			content = 1;
		switch (kind) {
		case SEC_STAT:
			(void)parse_stat(&c, line, n);
			break;
		case SEC_MEMINFO:
			(void)parse_meminfo(&c, line, n);
			break;
		case SEC_LOADAVG:
			(void)parse_loadavg(&c, line, n);
			break;
		case SEC_UPTIME:
			(void)parse_uptime(&c, line, n);
			break;
		case SEC_NETDEV:
			(void)linux_parse_netdev(&c, line, n);
			break;
		case SEC_DISKSTATS:
			(void)linux_parse_diskstats(&c, line, n);
			break;
		default:
			break;
		}
	}
	section_end(&c, kind, content);
	if (any_content && (s->have & ~LINUX_HAVE_MEMAVAILABLE) == 0) {
		char *why = probe_warnings_cause(&w, any_section ?
		    "nothing readable in any /proc file" :
		    "no '== stat' or other /proc section: not the linux probe's output");
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return -1;
	}
	probe_warnings_commit(&w, r);
	return 0;
}

const struct probe probe_linux = {
	.name = "linux",
	.command = LINUX_COMMAND,
	.command_counters = LINUX_COMMAND_COUNTERS,
	.parse = linux_parse,
};
