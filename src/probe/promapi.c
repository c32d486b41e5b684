/*
 * promapi.c: pure readers of the Prometheus HTTP API (promapi.h): answers
 * of /api/v1/query through yajl's tree, the PromQL of each figure, and the
 * samples filed into one host status per instance.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "opsdeck/buf.h"
#include "opsdeck/promapi.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

/* ---- JSON ----------------------------------------------------------------- */

/*
 * The deepest nesting of arrays and objects in data, outside strings; stops
 * counting past limit. yajl has no limit of its own and yajl_tree_free
 * recurses, so a deep document must be refused before it is parsed.
 */
static int
json_depth(const char *data, size_t len, int limit)
{
	int depth = 0, max = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
			if (max > limit)
				return max;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return max;
}

static yajl_val
obj_get(yajl_val o, const char *key)
{
	if (!YAJL_IS_OBJECT(o))
		return NULL;
	for (size_t i = 0; i < o->u.object.len; i++)
		if (strcmp(o->u.object.keys[i], key) == 0)
			return o->u.object.values[i];
	return NULL;
}

/* A label value of metric m, sanitised into dst; "" when absent. */
static void
label(char *dst, size_t dstlen, yajl_val m, const char *name)
{
	const char *s = YAJL_GET_STRING(obj_get(m, name));
	if (s == NULL)
		s = "";
	sanitize_text(dst, dstlen, s, strlen(s));
}

/* A sample value as Prometheus writes it: a string, "NaN", "+Inf", ... */
static int
sample_value(const char *s, double *out)
{
	char *end;
	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*out = -INFINITY;
		return 0;
	}
	*out = strtod(s, &end);
	if (*end != '\0' || isnan(*out) || isinf(*out))
		return -1;
	return 0;
}

/* "what: text" with text sanitised and cut. */
static char *
cause_text(const char *what, const char *text)
{
	char buf[240];
	sanitize_text(buf, sizeof buf, text != NULL ? text : "", text != NULL ? strlen(text) : 0);
	return xasprintf("%s: %s", what, buf);
}

/*
 * The common part of every answer: capped, bounded in depth, JSON, status
 * "success" and data.resultType `type` with a result list of at most
 * PROMAPI_MAX_SAMPLES. 0 with *root (caller frees with yajl_tree_free) and
 * *res inside it, or -1 with *cause (the server's own error when it sent one).
 */
static int
parse_answer(const char *data, size_t len, const char *type, yajl_val *root, yajl_val *res,
    char **cause)
{
	char err[160];

	*root = NULL;
	if (len > PROMAPI_MAX_BYTES) {
		*cause = xasprintf("answer of %zu bytes, over %d MiB", len,
		    PROMAPI_MAX_BYTES >> 20);
		return -1;
	}
	if (memchr(data, '\0', len) != NULL) {
		*cause = xstrdup("not JSON: a NUL byte in the answer");
		return -1;
	}
	if (json_depth(data, len, PROMAPI_MAX_DEPTH) > PROMAPI_MAX_DEPTH) {
		*cause = xasprintf("not a Prometheus answer: JSON nested over %d deep",
		    PROMAPI_MAX_DEPTH);
		return -1;
	}
	char *text = xmalloc(len + 1);
	memcpy(text, data, len);
	text[len] = '\0';
	err[0] = '\0';
	yajl_val r = yajl_tree_parse(text, err, sizeof err);
	free(text);
	if (r == NULL) {
		/* yajl's message spans lines with the input quoted: first line only. */
		err[strcspn(err, "\n")] = '\0';
		*cause = cause_text("not JSON", err[0] ? err : "parse error");
		return -1;
	}
	const char *status = YAJL_GET_STRING(obj_get(r, "status"));
	yajl_val d = obj_get(r, "data");
	const char *rt = YAJL_GET_STRING(obj_get(d, "resultType"));
	*res = obj_get(d, "result");
	if (status == NULL) {
		*cause = xstrdup("not a Prometheus answer: no \"status\"");
	} else if (strcmp(status, "success") != 0) {
		const char *et = YAJL_GET_STRING(obj_get(r, "errorType"));
		char what[64];
		sanitize_text(what, sizeof what, et != NULL ? et : "error",
		    strlen(et != NULL ? et : "error"));
		*cause = cause_text(what, YAJL_GET_STRING(obj_get(r, "error")));
	} else if (rt == NULL || strcmp(rt, type) != 0) {
		*cause = cause_text(strcmp(type, "vector") == 0 ?
		    "not an instant vector: resultType" : "not a range matrix: resultType",
		    rt != NULL ? rt : "missing");
	} else if (!YAJL_IS_ARRAY(*res)) {
		*cause = xstrdup("not a Prometheus answer: no \"result\" list");
	} else if ((*res)->u.array.len > PROMAPI_MAX_SAMPLES) {
		*cause = xasprintf("%zu samples in one answer, over %d", (*res)->u.array.len,
		    PROMAPI_MAX_SAMPLES);
	} else {
		*root = r;
		return 0;
	}
	yajl_tree_free(r);
	return -1;
}

/* See promapi.h. */
int
promapi_parse_vector(const char *data, size_t len, struct prom_vector *out, char **cause)
{
	yajl_val root, res;

	memset(out, 0, sizeof *out);
	if (parse_answer(data, len, "vector", &root, &res, cause) != 0)
		return -1;
	int rc = 0;
	size_t n = res->u.array.len;
	out->v = xcalloc(n + 1, sizeof *out->v);
	for (size_t i = 0; i < n; i++) {
		yajl_val s = res->u.array.values[i];
		yajl_val m = obj_get(s, "metric"), v = obj_get(s, "value");
		struct prom_sample *p = &out->v[out->n];
		if (!YAJL_IS_OBJECT(m) || !YAJL_IS_ARRAY(v) || v->u.array.len != 2 ||
		    sample_value(YAJL_GET_STRING(v->u.array.values[1]), &p->value) != 0) {
			*cause = xasprintf("sample %zu: not {\"metric\": {...}, "
			    "\"value\": [time, \"number\"]}", i + 1);
			prom_vector_free(out);
			rc = -1;
			break;
		}
		label(p->instance, sizeof p->instance, m, "instance");
		label(p->gpu, sizeof p->gpu, m, "gpu");
		label(p->uuid, sizeof p->uuid, m, "UUID");
		label(p->model, sizeof p->model, m, "modelName");
		out->n++;
	}
	yajl_tree_free(root);
	return rc;
}

/*
 * One [time, "value"] pair of a range answer: 0 with the point, -1 when it
 * is not one (time a number of seconds, value as sample_value reads it).
 */
static int
range_point(yajl_val pair, struct prom_point *pt)
{
	if (!YAJL_IS_ARRAY(pair) || pair->u.array.len != 2 ||
	    !YAJL_IS_NUMBER(pair->u.array.values[0]))
		return -1;
	double t = YAJL_GET_DOUBLE(pair->u.array.values[0]);
	if (YAJL_IS_INTEGER(pair->u.array.values[0]))
		t = (double)YAJL_GET_INTEGER(pair->u.array.values[0]);
	if (!(t >= 0 && t < 1e11))
		return -1;
	pt->ts_ms = (int64_t)(t * 1000.0 + 0.5);
	return sample_value(YAJL_GET_STRING(pair->u.array.values[1]), &pt->value);
}

/* See promapi.h. A bad point or series costs itself (counted in out->bad). */
int
promapi_parse_matrix(const char *data, size_t len, struct prom_matrix *out, char **cause)
{
	yajl_val root, res;
	size_t total = 0;

	memset(out, 0, sizeof *out);
	if (parse_answer(data, len, "matrix", &root, &res, cause) != 0)
		return -1;
	size_t n = res->u.array.len;
	out->s = xcalloc(n + 1, sizeof *out->s);
	for (size_t i = 0; i < n; i++) {
		yajl_val s = res->u.array.values[i];
		yajl_val m = obj_get(s, "metric"), v = obj_get(s, "values");
		if (!YAJL_IS_OBJECT(m) || !YAJL_IS_ARRAY(v)) {
			out->bad++;
			continue;
		}
		struct prom_series *ps = &out->s[out->n++];
		label(ps->instance, sizeof ps->instance, m, "instance");
		label(ps->gpu, sizeof ps->gpu, m, "gpu");
		size_t np = v->u.array.len;
		if (np > PROMAPI_MAX_POINTS - total) {
			out->bad += np - (PROMAPI_MAX_POINTS - total);
			np = PROMAPI_MAX_POINTS - total;
		}
		ps->pts = xcalloc(np + 1, sizeof *ps->pts);
		for (size_t k = 0; k < np; k++) {
			struct prom_point *pt = &ps->pts[ps->n];
			if (range_point(v->u.array.values[k], pt) != 0 ||
			    (ps->n > 0 && pt->ts_ms <= ps->pts[ps->n - 1].ts_ms))
				out->bad++;	/* not a point, or out of time order */
			else
				ps->n++;
		}
		total += np;
	}
	yajl_tree_free(root);
	return 0;
}

void
prom_matrix_free(struct prom_matrix *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->s[i].pts);
	free(m->s);
	memset(m, 0, sizeof *m);
}

void
prom_vector_free(struct prom_vector *v)
{
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* ---- queries ------------------------------------------------------------ */

static const struct {
	const char	*fmt;	/* %s: the matchers, with a leading comma when after others */
	int		 after;	/* matchers follow others in the braces */
} queries[PF_COUNT] = {
	[PF_UP] = { "up{%s}", 0 },
	[PF_CPU] = { "100 * (1 - avg by (instance) "
	    "(rate(node_cpu_seconds_total{mode=\"idle\"%s}[1m])))", 1 },
	[PF_CORES] = { "count by (instance) (node_cpu_seconds_total{mode=\"idle\"%s})", 1 },
	[PF_MEM_TOTAL] = { "node_memory_MemTotal_bytes{%s}", 0 },
	[PF_MEM_AVAIL] = { "node_memory_MemAvailable_bytes{%s}", 0 },
	[PF_SWAP_TOTAL] = { "node_memory_SwapTotal_bytes{%s}", 0 },
	[PF_SWAP_FREE] = { "node_memory_SwapFree_bytes{%s}", 0 },
	[PF_LOAD1] = { "node_load1{%s}", 0 },
	[PF_LOAD5] = { "node_load5{%s}", 0 },
	[PF_LOAD15] = { "node_load15{%s}", 0 },
	[PF_UPTIME] = { "time() - node_boot_time_seconds{%s}", 0 },
	[PF_NET_RX] = { "sum by (instance) (rate(node_network_receive_bytes_total"
	    "{device!~\"lo|veth.*|docker.*|virbr.*\"%s}[1m]))", 1 },
	[PF_NET_TX] = { "sum by (instance) (rate(node_network_transmit_bytes_total"
	    "{device!~\"lo|veth.*|docker.*|virbr.*\"%s}[1m]))", 1 },
	[PF_DISK_READ] = { "sum by (instance) (rate(node_disk_read_bytes_total{%s}[1m]))", 0 },
	[PF_DISK_WRITE] = { "sum by (instance) (rate(node_disk_written_bytes_total{%s}[1m]))",
	    0 },
	[PF_GPU_UTIL] = { "DCGM_FI_DEV_GPU_UTIL", 0 },
	[PF_GPU_FB_USED] = { "DCGM_FI_DEV_FB_USED", 0 },
	[PF_GPU_FB_FREE] = { "DCGM_FI_DEV_FB_FREE", 0 },
	[PF_GPU_TEMP] = { "DCGM_FI_DEV_GPU_TEMP", 0 },
	[PF_GPU_POWER] = { "DCGM_FI_DEV_POWER_USAGE", 0 },
};

/* fmt with its one "%s" replaced by m (no printf: the formats are data). */
static char *
fill(const char *fmt, const char *m)
{
	const char *at = strstr(fmt, "%s");
	if (at == NULL)
		return xstrdup(fmt);
	return xasprintf("%.*s%s%s", (int)(at - fmt), fmt, m, at + 2);
}

/* See promapi.h. */
char *
promapi_query(enum prom_field f, const char *sel)
{
	if (f >= PF_GPU_UTIL)
		return xstrdup(queries[f].fmt);
	if (sel == NULL || strlen(sel) < 2) {
		if (f == PF_UP)
			return xstrdup("up and on (job) group by (job) (node_uname_info)");
		/* the default: what up found is what counts (prom_fleet_apply) */
		return fill(queries[f].fmt, "");
	}
	/* "{a="b"}" -> a="b" */
	char *inner = xstrdup(sel + 1);
	inner[strlen(inner) - 1] = '\0';
	char *m = queries[f].after && inner[0] != '\0' ? xasprintf(",%s", inner) : xstrdup(inner);
	char *q = fill(queries[f].fmt, m);
	free(m);
	free(inner);
	return q;
}

/* ---- the fleet of one poll -------------------------------------------------- */

/* The index of host `name`, or SIZE_MAX. */
static size_t
fleet_find(const struct prom_fleet *fl, const char *name)
{
	if (fl->nindex == 0)
		return SIZE_MAX;
	size_t j = (size_t)hash_fnv1a(name) & (fl->nindex - 1);
	while (fl->index[j] != SIZE_MAX) {
		if (strcmp(fl->hosts[fl->index[j]].name, name) == 0)
			return fl->index[j];
		j = (j + 1) & (fl->nindex - 1);
	}
	return SIZE_MAX;
}

/* "10.0.0.5:9400" -> "10.0.0.5", "[::1]:9400" -> "[::1]", into buf. */
static const char *
without_port(const char *s, char *buf, size_t len)
{
	const char *c = strrchr(s, ':');
	if (c == NULL || strchr(c, ']') != NULL || (s[0] != '[' && strchr(s, ':') != c))
		return s;
	size_t n = OD_MIN((size_t)(c - s), len - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/*
 * s into b inside a PromQL double-quoted string: " and \ escaped; with
 * regex, RE2's metacharacters escaped first so that s matches itself.
 */
static void
promql_quote(struct buf *b, const char *s, int regex)
{
	for (; *s != '\0'; s++) {
		if (regex && strchr("\\.+*?()|[]{}^$", *s) != NULL)
			buf_append(b, "\\\\", 2);	/* \ in the regex, written \\ */
		if (*s == '"' || *s == '\\')
			buf_append(b, "\\", 1);
		buf_append(b, s, 1);
	}
}

/* See promapi.h. */
char *
promapi_graph_query(enum prom_graph g, const char *sel, const char *instance, int64_t step_s)
{
	struct buf m;
	char host[HOSTNAME_MAX + 1];
	char *q;
	long win = (long)OD_MAX(60, 2 * step_s);	/* two samples at least in each rate */

	buf_init(&m, 0);
	if (g == PG_GPU_UTIL) {
		/* dcgm-exporter's instance: the same address, another port */
		buf_append(&m, "instance=~\"", 11);
		promql_quote(&m, without_port(instance, host, sizeof host), 1);
		buf_printf(&m, "(:[0-9]+)?\"");
		q = xasprintf("DCGM_FI_DEV_GPU_UTIL{%s}", buf_cstr(&m));
		buf_free(&m);
		return q;
	}
	if (sel != NULL && strlen(sel) >= 2 && sel[0] == '{')
		buf_printf(&m, "%.*s,", (int)strlen(sel) - 2, sel + 1);
	buf_append(&m, "instance=\"", 10);
	promql_quote(&m, instance, 0);
	buf_append(&m, "\"", 1);
	if (g == PG_CPU)
		q = xasprintf("100 * (1 - avg by (instance) (rate(node_cpu_seconds_total"
		    "{mode=\"idle\",%s}[%lds])))", buf_cstr(&m), win);
	else
		q = xasprintf("100 * (1 - node_memory_MemAvailable_bytes{%s} / "
		    "node_memory_MemTotal_bytes{%s})", buf_cstr(&m), buf_cstr(&m));
	buf_free(&m);
	return q;
}

/*
 * The host a sample belongs to: its instance, else (dcgm-exporter on
 * another port of the same machine) the one whose address matches
 * without the port. SIZE_MAX when none.
 */
static size_t
fleet_host_of(const struct prom_fleet *fl, const char *instance)
{
	size_t i = fleet_find(fl, instance);
	if (i != SIZE_MAX)
		return i;
	char a[HOSTNAME_MAX + 1], b[HOSTNAME_MAX + 1];
	const char *want = without_port(instance, a, sizeof a);
	for (size_t k = 0; k < fl->n; k++)
		if (strcmp(without_port(fl->hosts[k].name, b, sizeof b), want) == 0)
			return k;
	return SIZE_MAX;
}

/* See promapi.h. */
void
prom_fleet_init(struct prom_fleet *fl, const struct prom_vector *up, size_t max,
    const char *group, int64_t sample_ms, int (*keep)(const char *name, void *arg), void *arg)
{
	memset(fl, 0, sizeof *fl);
	size_t cap = OD_MIN(up->n, max);
	fl->hosts = xcalloc(cap + 1, sizeof *fl->hosts);
	fl->pending = xcalloc(cap + 1, sizeof *fl->pending);
	fl->nindex = 16;
	while (fl->nindex < 2 * (cap + 1))
		fl->nindex *= 2;
	fl->index = xreallocarray(NULL, fl->nindex, sizeof *fl->index);
	for (size_t j = 0; j < fl->nindex; j++)
		fl->index[j] = SIZE_MAX;
	for (size_t i = 0; i < up->n; i++) {
		const struct prom_sample *s = &up->v[i];
		if (s->instance[0] == '\0' || fleet_find(fl, s->instance) != SIZE_MAX)
			continue;
		if (keep != NULL && !keep(s->instance, arg))
			continue;
		if (fl->n == cap) {
			fl->over++;
			continue;
		}
		struct host_status *h = &fl->hosts[fl->n];
		host_status_init(h);
		od_strlcpy(h->name, s->instance, sizeof h->name);
		od_strlcpy(h->group, group, sizeof h->group);
		h->kind = GROUP_PROMETHEUS;
		h->sample_ms = sample_ms;
		if (s->value == 1) {
			h->state = HOST_UP;
		} else {
			h->state = HOST_DOWN;
			od_strlcpy(h->error, "Prometheus cannot scrape it (up is 0)",
			    sizeof h->error);
		}
		size_t j = (size_t)hash_fnv1a(h->name) & (fl->nindex - 1);
		while (fl->index[j] != SIZE_MAX)
			j = (j + 1) & (fl->nindex - 1);
		fl->index[j] = fl->n++;
	}
}

/* The GPU of h with dcgm-exporter's index `gpu`, added when new; NULL past the cap. */
static struct gpu_sample *
gpu_of(struct host_status *h, const struct prom_sample *s)
{
	char *end;
	long idx = strtol(s->gpu, &end, 10);
	if (s->gpu[0] == '\0' || *end != '\0' || idx < 0 || idx > 65535)
		return NULL;
	for (int i = 0; i < h->ngpus; i++)
		if (h->gpus[i].index == (int)idx)
			return &h->gpus[i];
	if (h->ngpus >= PROBE_MAX_GPUS)
		return NULL;
	h->gpus = xreallocarray(h->gpus, (size_t)h->ngpus + 1, sizeof *h->gpus);
	struct gpu_sample *g = &h->gpus[h->ngpus++];
	memset(g, 0, sizeof *g);
	g->index = (int)idx;
	od_strlcpy(g->uuid, s->uuid, sizeof g->uuid);
	od_strlcpy(g->name, s->model, sizeof g->name);
	g->util_pct = g->mem_util_pct = g->temp_c = g->power_w = g->power_limit_w = -1;
	g->ecc_uncorrected = -1;
	g->mem_used_bytes = g->mem_total_bytes = -1;	/* until DCGM says */
	g->throttle_reasons = GPU_THROTTLE_UNKNOWN;
	return g;
}

/* A byte count from a gauge: 0 for what is not a finite non-negative number. */
static uint64_t
bytes(double v)
{
	return isfinite(v) && v >= 0 && v < 1.8e19 ? (uint64_t)v : 0;
}

static double
figure(double v)
{
	return isfinite(v) && v >= 0 ? v : -1;
}

/* See promapi.h. */
void
prom_fleet_apply(struct prom_fleet *fl, enum prom_field f, const struct prom_vector *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct prom_sample *s = &v->v[i];
		size_t k = f >= PF_GPU_UTIL ? fleet_host_of(fl, s->instance) :
		    fleet_find(fl, s->instance);
		if (k == SIZE_MAX)
			continue;
		struct host_status *h = &fl->hosts[k];
		double x = s->value;
		struct gpu_sample *g;
		switch (f) {
		case PF_UP:
			break;
		case PF_CPU:
			h->cpu_pct = isfinite(x) ? OD_MAX(0.0, OD_MIN(100.0, x)) : -1;
			break;
		case PF_CORES:
			h->cores = isfinite(x) && x >= 0 && x <= PROBE_MAX_CORES ? (int)x : 0;
			break;
		case PF_MEM_TOTAL:
			h->mem_total = bytes(x);
			break;
		case PF_MEM_AVAIL:
			fl->pending[k].mem_avail = bytes(x);
			fl->pending[k].have_avail = 1;
			break;
		case PF_SWAP_TOTAL:
			h->swap_total = bytes(x);
			break;
		case PF_SWAP_FREE:
			fl->pending[k].swap_free = bytes(x);
			fl->pending[k].have_swap_free = 1;
			break;
		case PF_LOAD1:
		case PF_LOAD5:
		case PF_LOAD15:
			h->load[f - PF_LOAD1] = figure(x);
			break;
		case PF_UPTIME:
			h->uptime_s = figure(x);
			break;
		case PF_NET_RX:
			h->net_rx_bps = figure(x);
			break;
		case PF_NET_TX:
			h->net_tx_bps = figure(x);
			break;
		case PF_DISK_READ:
			h->disk_read_bps = figure(x);
			break;
		case PF_DISK_WRITE:
			h->disk_write_bps = figure(x);
			break;
		default:
			if ((g = gpu_of(h, s)) == NULL)
				break;
			if (f == PF_GPU_UTIL)
				g->util_pct = figure(x);
			else if (f == PF_GPU_FB_USED)
				g->mem_used_bytes = (int64_t)(bytes(x) << 20);	/* MiB */
			else if (f == PF_GPU_FB_FREE) {
				g->mem_total_bytes = (int64_t)(bytes(x) << 20);	/* free, until finish */
				fl->pending[k].gpu_free_known |= 1ULL << (g - h->gpus);
			}
			else if (f == PF_GPU_TEMP)
				g->temp_c = figure(x);
			else
				g->power_w = figure(x);
			break;
		}
	}
}

/* See promapi.h. */
void
prom_fleet_finish(struct prom_fleet *fl)
{
	for (size_t k = 0; k < fl->n; k++) {
		struct host_status *h = &fl->hosts[k];
		const struct prom_pending *p = &fl->pending[k];
		if (p->have_avail && h->mem_total > 0)
			h->mem_used = h->mem_total >= p->mem_avail ? h->mem_total - p->mem_avail : 0;
		else
			h->mem_total = 0;	/* unknown without both */
		if (p->have_swap_free)
			h->swap_used = h->swap_total >= p->swap_free ?
			    h->swap_total - p->swap_free : 0;
		for (int i = 0; i < h->ngpus; i++) {
			struct gpu_sample *g = &h->gpus[i];
			if ((p->gpu_free_known & (1ULL << i)) && g->mem_used_bytes >= 0)
				g->mem_total_bytes += g->mem_used_bytes;	/* free + used */
			else
				g->mem_total_bytes = -1;	/* unknown without FB_FREE */
		}
	}
}

void
prom_fleet_free(struct prom_fleet *fl)
{
	for (size_t k = 0; k < fl->n; k++)
		host_status_free(&fl->hosts[k]);
	free(fl->hosts);
	free(fl->index);
	free(fl->pending);
	memset(fl, 0, sizeof *fl);
}
