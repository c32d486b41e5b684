/*
 * probe_nvidia.c: the nvidia probe, one CSV line per GPU from
 *   nvidia-smi --query-gpu=... --format=csv,noheader,nounits
 * Fields are separated by ", ". A value nvidia-smi cannot give is "[N/A]",
 * "N/A", "[Not Supported]" or another bracketed word ("[Unknown Error]",
 * "[Insufficient Permissions]", "[GPU requires reset]"): it becomes -1.
 * A node without nvidia-smi prints nothing: zero GPUs, which is an answer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/util.h"

#define NVIDIA_FIELDS \
	"index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total," \
	"temperature.gpu,power.draw,power.limit,ecc.errors.uncorrected.volatile.total," \
	"clocks_throttle_reasons.active"
#define NVIDIA_NFIELDS	12
#define NVIDIA_COMMAND \
	"nvidia-smi --query-gpu=" NVIDIA_FIELDS \
	" --format=csv,noheader,nounits 2>/dev/null || true"

#define QUOTE_MAX	64

enum { F_INDEX, F_UUID, F_NAME, F_UTIL, F_MEMUTIL, F_MEMUSED, F_MEMTOTAL, F_TEMP,
	F_POWER, F_PLIMIT, F_ECC, F_THROTTLE };

static const char *const field_names[NVIDIA_NFIELDS] = {
	"index", "uuid", "name", "utilization.gpu", "utilization.memory", "memory.used",
	"memory.total", "temperature.gpu", "power.draw", "power.limit",
	"ecc.errors.uncorrected.volatile.total", "clocks_throttle_reasons.active",
};

/* Whether a field is one of nvidia-smi's "no value" spellings. */
static int
is_na(const struct probe_tok *t)
{
	if (t->n >= 2 && t->p[0] == '[' && t->p[t->n - 1] == ']')
		return 1;
	return probe_tok_eq(t->p, t->n, "N/A") || t->n == 0;
}

struct nctx {
	int	 lineno;
	char	 **cause;
};

static int
bad_field(struct nctx *c, int field, const struct probe_tok *t)
{
	char q[QUOTE_MAX];
	if (c->cause != NULL)
		*c->cause = probe_cause("nvidia", c->lineno, "bad %s '%s'", field_names[field],
		    probe_quote(q, sizeof q, t->p, t->n));
	return -1;
}

/* A double field; -1 for "not available". */
static int
field_double(struct nctx *c, int field, const struct probe_tok *t, double *out)
{
	if (is_na(t)) {
		*out = -1;
		return 0;
	}
	if (probe_parse_double(t->p, t->n, out) != 0)
		return bad_field(c, field, t);
	return 0;
}

/* MiB -> bytes; 0 when not available. */
static int
field_mib(struct nctx *c, int field, const struct probe_tok *t, uint64_t *out)
{
	uint64_t v;
	if (is_na(t)) {
		*out = 0;
		return 0;
	}
	if (probe_parse_u64(t->p, t->n, &v) != 0 || v > UINT64_MAX / (1024 * 1024))
		return bad_field(c, field, t);
	*out = v * 1024 * 1024;
	return 0;
}

static int
field_hex(struct nctx *c, int field, const struct probe_tok *t, uint64_t *out)
{
	uint64_t v = 0;
	if (is_na(t)) {
		*out = 0;
		return 0;
	}
	if (t->n < 3 || t->p[0] != '0' || (t->p[1] != 'x' && t->p[1] != 'X') || t->n > 18)
		return bad_field(c, field, t);
	for (size_t i = 2; i < t->n; i++) {
		char ch = t->p[i];
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return bad_field(c, field, t);
		v = (v << 4) | d;
	}
	*out = v;
	return 0;
}

/* Splits a CSV line on ',' and trims blanks; returns the number of fields. */
static size_t
split_csv(const char *s, size_t n, struct probe_tok *f, size_t max)
{
	size_t count = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == ',') {
			if (count < max)
				f[count] = probe_trim(s + start, i - start);
			count++;
			start = i + 1;
		}
	}
	return count;
}

static int
parse_line(struct nctx *c, const char *line, size_t n, struct gpu_sample *g)
{
	struct probe_tok f[NVIDIA_NFIELDS];
	size_t nf = split_csv(line, n, f, NVIDIA_NFIELDS);
	int64_t idx;

	if (nf != NVIDIA_NFIELDS) {
		char q[QUOTE_MAX];
		if (c->cause != NULL)
			*c->cause = probe_cause("nvidia", c->lineno,
			    "expected %d fields, got %zu: '%s'", NVIDIA_NFIELDS, nf,
			    probe_quote(q, sizeof q, line, n));
		return -1;
	}
	memset(g, 0, sizeof *g);
	if (probe_parse_i64(f[F_INDEX].p, f[F_INDEX].n, &idx) != 0 || idx < 0 || idx > 1000000)
		return bad_field(c, F_INDEX, &f[F_INDEX]);
	g->index = (int)idx;
	probe_copy_name(g->uuid, sizeof g->uuid, f[F_UUID].p, f[F_UUID].n);
	probe_copy_name(g->name, sizeof g->name, f[F_NAME].p, f[F_NAME].n);
	if (field_double(c, F_UTIL, &f[F_UTIL], &g->util_pct) != 0 ||
	    field_double(c, F_MEMUTIL, &f[F_MEMUTIL], &g->mem_util_pct) != 0 ||
	    field_mib(c, F_MEMUSED, &f[F_MEMUSED], &g->mem_used_bytes) != 0 ||
	    field_mib(c, F_MEMTOTAL, &f[F_MEMTOTAL], &g->mem_total_bytes) != 0 ||
	    field_double(c, F_TEMP, &f[F_TEMP], &g->temp_c) != 0 ||
	    field_double(c, F_POWER, &f[F_POWER], &g->power_w) != 0 ||
	    field_double(c, F_PLIMIT, &f[F_PLIMIT], &g->power_limit_w) != 0 ||
	    field_hex(c, F_THROTTLE, &f[F_THROTTLE], &g->throttle_reasons) != 0)
		return -1;
	if (is_na(&f[F_ECC]))
		g->ecc_uncorrected = -1;
	else if (probe_parse_i64(f[F_ECC].p, f[F_ECC].n, &g->ecc_uncorrected) != 0 ||
	    g->ecc_uncorrected < 0)
		return bad_field(c, F_ECC, &f[F_ECC]);
	return 0;
}

/*
 * Parses nvidia-smi's CSV (len bytes, not NUL-terminated) into r->gpus,
 * replacing them, and sets r->has_gpu_probe. Blank lines are skipped; GPUs
 * past PROBE_MAX_GPUS are ignored. Returns 0, or -1 with *cause
 * "nvidia line N: ..." (r->gpus then holds the GPUs before line N).
 */
static int
nvidia_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct probe_lines it;
	const char *line;
	size_t n;
	int cap = 0;
	struct nctx c = { 0, cause };

	free(r->gpus);
	r->gpus = NULL;
	r->ngpus = 0;
	r->has_gpu_probe = 1;
	if (cause != NULL)
		*cause = NULL;
	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		struct gpu_sample g;
		c.lineno = it.lineno;
		if (probe_trim(line, n).n == 0)
			continue;
		if (parse_line(&c, line, n, &g) != 0)
			return -1;
		if (r->ngpus >= PROBE_MAX_GPUS)
			continue;
		if (r->ngpus >= cap) {
			cap = cap ? cap * 2 : 8;
			r->gpus = xreallocarray(r->gpus, (size_t)cap, sizeof *r->gpus);
		}
		r->gpus[r->ngpus++] = g;
	}
	return 0;
}

const struct probe probe_nvidia = {
	.name = "nvidia",
	.command = NVIDIA_COMMAND,
	.parse = nvidia_parse,
};
