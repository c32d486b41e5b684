/*
 * probe_nvidia.c: the nvidia probe, one CSV line per GPU from
 *   nvidia-smi --query-gpu=... --format=csv,noheader,nounits
 * Fields are separated by ", ". A value nvidia-smi cannot give is "[N/A]",
 * "N/A", "[Not Supported]" or another bracketed word ("[Unknown Error]",
 * "[Insufficient Permissions]", "[GPU requires reset]"): it is unknown
 * (-1, never 0). A MIG-enabled GPU reports its utilisation that way.
 * A node without nvidia-smi prints nothing: zero GPUs, which is an answer.
 * After the GPUs come the processes on them and their owners, sections of
 * their own (probe_nvidia_procs.c); output without them has no processes.
 *
 * The parser also reads nvidia-smi's own header line ("index, uuid, name,
 * utilization.gpu [%], ...", from --format=csv or csv,nounits): columns are
 * then found by name, in any order and among any others, and values may
 * carry the unit the header names ("39.32 W", "214 MiB"). So a capture of
 * any --query-gpu field list parses the same as the probe's own output.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/util.h"
#include "probe_nvidia_int.h"

#define NVIDIA_FIELDS \
	"index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total," \
	"temperature.gpu,power.draw,power.limit,ecc.errors.uncorrected.volatile.total," \
	"clocks_throttle_reasons.active"
#define NVIDIA_NFIELDS	12
#define NVIDIA_COMMAND \
	"nvidia-smi --query-gpu=" NVIDIA_FIELDS \
	" --format=csv,noheader,nounits 2>/dev/null || true; " NVIDIA_PROCS_COMMAND

#define QUOTE_MAX	64
#define MAX_COLUMNS	512	/* a header's columns looked at */

enum { F_INDEX, F_UUID, F_NAME, F_UTIL, F_MEMUTIL, F_MEMUSED, F_MEMTOTAL, F_TEMP,
	F_POWER, F_PLIMIT, F_ECC, F_THROTTLE };

static const char *const field_names[NVIDIA_NFIELDS] = {
	"index", "uuid", "name", "utilization.gpu", "utilization.memory", "memory.used",
	"memory.total", "temperature.gpu", "power.draw", "power.limit",
	"ecc.errors.uncorrected.volatile.total", "clocks_throttle_reasons.active",
};

/* Where each field is: its column, and the unit the header gave it ("" when none). */
struct layout {
	int	 col[NVIDIA_NFIELDS];	/* -1: not in the output */
	char	 unit[NVIDIA_NFIELDS][8];
	size_t	 ncols;			/* columns of a row */
};

struct nctx {
	struct probe_warnings	*w;
	int			 lineno;
	int			 gpu;	/* index of the row's GPU, -1 before it is known */
};

/* Whether a field is one of nvidia-smi's "no value" spellings. */
static int
is_na(const struct probe_tok *t)
{
	if (t->n >= 2 && t->p[0] == '[' && t->p[t->n - 1] == ']')
		return 1;
	return probe_tok_eq(t->p, t->n, "N/A") || t->n == 0;
}

/* Warns about one bad field; the value becomes unknown, the GPU stays. */
static void
bad_field(struct nctx *c, int field, const struct probe_tok *t)
{
	char q[QUOTE_MAX];
	if (c->gpu >= 0)
		probe_warn(c->w, NULL, c->lineno, "GPU %d: bad %s '%s'", c->gpu,
		    field_names[field], probe_quote(q, sizeof q, t->p, t->n));
	else
		probe_warn(c->w, NULL, c->lineno, "bad %s '%s'", field_names[field],
		    probe_quote(q, sizeof q, t->p, t->n));
}

/* t without a trailing " UNIT" when UNIT is the column's unit. */
static struct probe_tok
strip_unit(const struct layout *lay, int field, struct probe_tok t)
{
	size_t ul = strlen(lay->unit[field]);
	if (ul > 0 && t.n > ul + 1 && t.p[t.n - ul - 1] == ' ' &&
	    memcmp(t.p + t.n - ul, lay->unit[field], ul) == 0)
		t = probe_trim(t.p, t.n - ul - 1);
	return t;
}

/* A double field; -1 for "not available" and for a bad value (warned). */
static void
field_double(struct nctx *c, const struct layout *lay, int field, const struct probe_tok *f,
    double *out)
{
	*out = -1;
	if (lay->col[field] < 0 || is_na(&f[lay->col[field]]))
		return;
	struct probe_tok t = strip_unit(lay, field, f[lay->col[field]]);
	double v;
	if (probe_parse_double(t.p, t.n, &v) != 0 || v < 0)
		bad_field(c, field, &f[lay->col[field]]);
	else
		*out = v;
}

/* MiB -> bytes; -1 for "not available" and for a bad value (warned). */
static void
field_mib(struct nctx *c, const struct layout *lay, int field, const struct probe_tok *f,
    int64_t *out)
{
	*out = -1;
	if (lay->col[field] < 0 || is_na(&f[lay->col[field]]))
		return;
	struct probe_tok t = strip_unit(lay, field, f[lay->col[field]]);
	uint64_t v;
	if (probe_parse_u64(t.p, t.n, &v) != 0 || v > (uint64_t)INT64_MAX / (1024 * 1024))
		bad_field(c, field, &f[lay->col[field]]);
	else
		*out = (int64_t)(v * 1024 * 1024);
}

/* "0x%016llx"; GPU_THROTTLE_UNKNOWN for "not available" and a bad value (warned). */
static void
field_hex(struct nctx *c, const struct layout *lay, int field, const struct probe_tok *f,
    uint64_t *out)
{
	uint64_t v = 0;
	*out = GPU_THROTTLE_UNKNOWN;
	if (lay->col[field] < 0 || is_na(&f[lay->col[field]]))
		return;
	const struct probe_tok *t = &f[lay->col[field]];
	if (t->n < 3 || t->p[0] != '0' || (t->p[1] != 'x' && t->p[1] != 'X') || t->n > 18) {
		bad_field(c, field, t);
		return;
	}
	for (size_t i = 2; i < t->n; i++) {
		char ch = t->p[i];
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else {
			bad_field(c, field, t);
			return;
		}
		v = (v << 4) | d;
	}
	if (v == GPU_THROTTLE_UNKNOWN) {
		bad_field(c, field, t);
		return;
	}
	*out = v;
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

/* The probe's own field order, without units (--format=csv,noheader,nounits). */
static void
layout_default(struct layout *lay)
{
	memset(lay, 0, sizeof *lay);
	for (int i = 0; i < NVIDIA_NFIELDS; i++)
		lay->col[i] = i;
	lay->ncols = NVIDIA_NFIELDS;
}

/* Field name of a header column: "memory.used [MiB]" -> "memory.used", unit "MiB". */
static struct probe_tok
header_name(struct probe_tok h, struct probe_tok *unit)
{
	unit->p = NULL;
	unit->n = 0;
	const char *br = memchr(h.p, '[', h.n);
	if (br != NULL && h.p[h.n - 1] == ']') {
		unit->p = br + 1;
		unit->n = (size_t)(h.p + h.n - 1 - unit->p);
		h = probe_trim(h.p, (size_t)(br - h.p));
	}
	return h;
}

/*
 * Whether line is nvidia-smi's header (it names an "index" column); if so
 * fills *out from it. Known
 * fields missing from it stay unknown for every GPU (warned once).
 */
static int
layout_header(struct nctx *c, const char *line, size_t n, struct layout *out)
{
	struct layout l, *lay = &l;
	struct probe_tok *cols = xreallocarray(NULL, MAX_COLUMNS, sizeof *cols);
	size_t total = split_csv(line, n, cols, MAX_COLUMNS);
	size_t nf = total < MAX_COLUMNS ? total : MAX_COLUMNS;	/* columns looked at */
	/*
	 * The probe asks for rows without a header, so this is nearly always a
	 * row: one that names no "index" column is not looked at further.
	 */
	size_t k0;
	for (k0 = 0; k0 < nf; k0++) {
		struct probe_tok u, h = header_name(cols[k0], &u);
		if (probe_tok_eq(h.p, h.n, field_names[F_INDEX]))
			break;
	}
	if (k0 == nf) {
		free(cols);
		return 0;
	}
	memset(lay, 0, sizeof *lay);
	for (int i = 0; i < NVIDIA_NFIELDS; i++)
		lay->col[i] = -1;
	for (size_t k = 0; k < nf; k++) {
		struct probe_tok unit;
		struct probe_tok name = header_name(cols[k], &unit);
		for (int i = 0; i < NVIDIA_NFIELDS; i++) {
			int match = probe_tok_eq(name.p, name.n, field_names[i]) ||
			    (i == F_THROTTLE &&
			    probe_tok_eq(name.p, name.n, "clocks_event_reasons.active"));
			if (!match || lay->col[i] >= 0)
				continue;
			lay->col[i] = (int)k;
			if (unit.n > 0 && unit.n < sizeof lay->unit[i]) {
				memcpy(lay->unit[i], unit.p, unit.n);
				lay->unit[i][unit.n] = '\0';
			}
		}
	}
	free(cols);
	if (lay->col[F_INDEX] < 0)
		return 0;	/* no "index" column: not a header; *out keeps the probe's layout */
	lay->ncols = total;
	*out = l;
	for (int i = 0; i < NVIDIA_NFIELDS; i++)
		if (lay->col[i] < 0)
			probe_warn(c->w, NULL, c->lineno, "no column %s: unknown for every GPU",
			    field_names[i]);
	return 1;
}

/*
 * One GPU's row. Returns 0, or -1 when the row cannot be a GPU (wrong
 * number of fields, no index: warned, skipped). A bad value of another
 * field is warned and unknown; the GPU stays.
 */
static int
parse_row(struct nctx *c, const struct layout *lay, const char *line, size_t n,
    struct gpu_sample *g)
{
	struct probe_tok *f = xreallocarray(NULL, MAX_COLUMNS, sizeof *f);
	size_t nf = split_csv(line, n, f, MAX_COLUMNS);
	int64_t idx;
	int rc = -1;

	c->gpu = -1;
	if (nf != lay->ncols) {
		char q[QUOTE_MAX];
		probe_warn(c->w, NULL, c->lineno, "expected %zu fields, got %zu: '%s'",
		    lay->ncols, nf, probe_quote(q, sizeof q, line, n));
		goto out;
	}
	memset(g, 0, sizeof *g);
	const struct probe_tok *ti = &f[lay->col[F_INDEX]];
	if (probe_parse_i64(ti->p, ti->n, &idx) != 0 || idx < 0 || idx > 1000000) {
		bad_field(c, F_INDEX, ti);
		goto out;
	}
	g->index = (int)idx;
	c->gpu = g->index;
	if (lay->col[F_UUID] >= 0)
		probe_copy_name(g->uuid, sizeof g->uuid, f[lay->col[F_UUID]].p,
		    f[lay->col[F_UUID]].n);
	if (lay->col[F_NAME] >= 0)
		probe_copy_name(g->name, sizeof g->name, f[lay->col[F_NAME]].p,
		    f[lay->col[F_NAME]].n);
	field_double(c, lay, F_UTIL, f, &g->util_pct);
	field_double(c, lay, F_MEMUTIL, f, &g->mem_util_pct);
	field_mib(c, lay, F_MEMUSED, f, &g->mem_used_bytes);
	field_mib(c, lay, F_MEMTOTAL, f, &g->mem_total_bytes);
	field_double(c, lay, F_TEMP, f, &g->temp_c);
	field_double(c, lay, F_POWER, f, &g->power_w);
	field_double(c, lay, F_PLIMIT, f, &g->power_limit_w);
	field_hex(c, lay, F_THROTTLE, f, &g->throttle_reasons);
	g->ecc_uncorrected = -1;
	if (lay->col[F_ECC] >= 0 && !is_na(&f[lay->col[F_ECC]])) {
		const struct probe_tok *t = &f[lay->col[F_ECC]];
		if (probe_parse_i64(t->p, t->n, &g->ecc_uncorrected) != 0 ||
		    g->ecc_uncorrected < 0) {
			g->ecc_uncorrected = -1;
			bad_field(c, F_ECC, t);
		}
	}
	rc = 0;
out:
	free(f);
	return rc;
}

/*
 * Parses nvidia-smi's CSV (len bytes, not NUL-terminated) into r->gpus,
 * replacing them and r->procs (the sections from NVIDIA_APPS_MARK on, when
 * there are any: nvidia_procs_parse), and sets r->has_gpu_probe. Blank lines are skipped; GPUs
 * past PROBE_MAX_GPUS are ignored. A row that is not a GPU, or a bad value,
 * costs only itself (a warning "nvidia: line N: ..."). Returns -1 with
 * *cause "..." only when no line was a GPU but some were not blank (e.g.
 * "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA
 * driver"); then r->gpus is empty and has_gpu_probe 0.
 */
static int
nvidia_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct probe_lines it;
	struct probe_warnings w;
	struct layout lay;
	const char *line;
	size_t n;
	int cap = 0, rows = 0, bad_rows = 0, seen_line = 0;
	const char *procs = NULL;	/* where the processes' sections start */
	struct nctx c = { &w, 0, -1 };

	free(r->gpus);
	r->gpus = NULL;
	r->ngpus = 0;
	free(r->procs);
	r->procs = NULL;
	r->nprocs = 0;
	r->has_gpu_probe = 1;
	if (cause != NULL)
		*cause = NULL;
	probe_warnings_init(&w, "nvidia");
	layout_default(&lay);
	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		struct gpu_sample g;
		c.lineno = it.lineno;
		struct probe_tok t = probe_trim(line, n);
		if (t.n == 0)
			continue;
		if (probe_tok_eq(t.p, t.n, NVIDIA_APPS_MARK) ||
		    probe_tok_eq(t.p, t.n, NVIDIA_OWNERS_MARK)) {
			procs = line;
			break;
		}
		if (!seen_line++ && layout_header(&c, line, n, &lay))
			continue;
		if (parse_row(&c, &lay, line, n, &g) != 0) {
			bad_rows++;
			continue;
		}
		rows++;
		if (r->ngpus >= PROBE_MAX_GPUS)
			continue;
		if (r->ngpus >= cap) {
			cap = cap ? cap * 2 : 8;
			r->gpus = xreallocarray(r->gpus, (size_t)cap, sizeof *r->gpus);
		}
		r->gpus[r->ngpus++] = g;
	}
	if (rows == 0 && bad_rows > 0) {
		char *why = probe_warnings_cause(&w, "no GPU in nvidia-smi's output");
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		r->has_gpu_probe = 0;
		return -1;
	}
	if (procs != NULL)
		nvidia_procs_parse(procs, (size_t)(data + len - procs), r, &w);
	probe_warnings_commit(&w, r);
	return 0;
}

const struct probe probe_nvidia = {
	.name = "nvidia",
	.command = NVIDIA_COMMAND,
	.parse = nvidia_parse,
};
