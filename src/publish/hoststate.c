/*
 * hoststate.c: host states and the figures derived from two reports.
 */
#include "config.h"

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hoststate.h"

static const char *const state_names[HOST_STATE_COUNT] = {
	[HOST_CONNECTING] = "connecting",
	[HOST_UP] = "up",
	[HOST_STALE] = "stale",
	[HOST_DOWN] = "down",
	[HOST_TIMEOUT] = "timeout",
	[HOST_AUTH_FAILED] = "auth-failed",
	[HOST_HOSTKEY_UNKNOWN] = "hostkey-unknown",
	[HOST_HOSTKEY_CHANGED] = "hostkey-changed",
	[HOST_PARSE_ERROR] = "parse-error",
	[HOST_CUT_OFF] = "cut-off",
};

const char *
host_state_name(enum host_state s)
{
	if ((unsigned)s >= HOST_STATE_COUNT)
		return "unknown";
	return state_names[s];
}

int
host_state_parse(const char *word)
{
	for (int i = 0; i < HOST_STATE_COUNT; i++) {
		if (strcmp(word, state_names[i]) == 0)
			return i;
	}
	return -1;
}

static void *dup_array(const void *src, size_t n, size_t size);

/*
 * What the copies of one status share: its arrays, freed with the last
 * reference. The collector keeps a host's status in three places (the
 * worker's figures, the published state, the store's pending row) and
 * hands a fourth to the publisher each tick; with 96 cores the arrays are
 * 8 KB, so sharing them saves memory and memcpy at every tick.
 */
struct host_status_share {
	atomic_int	refs;
};

static void
counters_free(struct host_counters *k)
{
	if (k == NULL)
		return;
	free(k->cpus);
	free(k->nets);
	free(k->disks);
	free(k);
}

/* A deep copy of k, NULL for NULL. */
static struct host_counters *
counters_dup(const struct host_counters *k)
{
	if (k == NULL)
		return NULL;
	struct host_counters *d = xcalloc(1, sizeof *d);
	*d = *k;
	d->cpus = dup_array(k->cpus, (size_t)k->ncpus, sizeof *k->cpus);
	d->nets = dup_array(k->nets, (size_t)k->nnets, sizeof *k->nets);
	d->disks = dup_array(k->disks, (size_t)k->ndisks, sizeof *k->disks);
	if (d->cpus == NULL)
		d->ncpus = 0;
	if (d->nets == NULL)
		d->nnets = 0;
	if (d->disks == NULL)
		d->ndisks = 0;
	return d;
}

void
host_status_init(struct host_status *h)
{
	memset(h, 0, sizeof *h);
	h->state = HOST_CONNECTING;
	h->cpu_pct = -1;
	h->load[0] = h->load[1] = h->load[2] = -1;
	h->uptime_s = -1;
	h->net_rx_bps = h->net_tx_bps = -1;
	h->disk_read_bps = h->disk_write_bps = -1;
}

/* Frees the arrays h points at (h's own, or a share's by the last reference). */
static void
arrays_free(struct host_status *h)
{
	free(h->core_pct);
	free(h->gpus);
	free(h->procs);
	free(h->sensors);
	counters_free(h->counters);
	free(h->warnings);
}

void
host_status_free(struct host_status *h)
{
	struct host_status_share *sh = h->share;

	if (sh == NULL)
		arrays_free(h);
	else if (atomic_fetch_sub_explicit(&sh->refs, 1, memory_order_acq_rel) == 1) {
		arrays_free(h);
		free(sh);
	}
	h->share = NULL;
	h->core_pct = NULL;
	h->gpus = NULL;
	h->procs = NULL;
	h->sensors = NULL;
	h->ngpus = h->nprocs = h->nsensors = 0;
	h->counters = NULL;
	h->warnings = NULL;
}

static void *
dup_array(const void *src, size_t n, size_t size)
{
	if (src == NULL || n == 0)
		return NULL;
	void *p = xreallocarray(NULL, n, size);
	memcpy(p, src, n * size);
	return p;
}

/*
 * Deep copy: dst must not own arrays (freshly initialised or freed);
 * afterwards it owns copies of src's.
 */
void
host_status_copy(struct host_status *dst, const struct host_status *src)
{
	*dst = *src;
	if (src->share != NULL) {
		atomic_fetch_add_explicit(&src->share->refs, 1, memory_order_relaxed);
		return;
	}
	dst->core_pct = dup_array(src->core_pct, src->core_pct ? (size_t)src->cores : 0,
	    sizeof *src->core_pct);
	dst->gpus = dup_array(src->gpus, (size_t)src->ngpus, sizeof *src->gpus);
	dst->procs = dup_array(src->procs, (size_t)src->nprocs, sizeof *src->procs);
	dst->sensors = dup_array(src->sensors, (size_t)src->nsensors, sizeof *src->sensors);
	dst->counters = counters_dup(src->counters);
	dst->warnings = src->warnings != NULL ? xstrdup(src->warnings) : NULL;
	if (dst->gpus == NULL)
		dst->ngpus = 0;
	if (dst->procs == NULL)
		dst->nprocs = 0;
	if (dst->sensors == NULL)
		dst->nsensors = 0;
}

/* See hoststate.h. */
int
host_status_share_refs(const struct host_status *h)
{
	return h->share != NULL ?
	    atomic_load_explicit(&h->share->refs, memory_order_relaxed) : 1;
}

/* See hoststate.h. */
void
host_status_unshare(struct host_status *h)
{
	if (h->share == NULL)
		return;
	struct host_status own;
	struct host_status_share *sh = h->share;
	h->share = NULL;
	host_status_copy(&own, h);	/* deep: h looks unshared now */
	h->share = sh;
	host_status_free(h);		/* drops the reference */
	*h = own;
}

/* Hands the arrays h owns to a new share of one reference. */
static void
share_arrays(struct host_status *h)
{
	struct host_status_share *sh = xmalloc(sizeof *sh);

	atomic_init(&sh->refs, 1);
	h->share = sh;
}

/* Loopback and virtual interfaces do not count towards a host's traffic. */
static int
net_counts(const char *name)
{
	return strcmp(name, "lo") != 0 && strncmp(name, "veth", 4) != 0 &&
	    strncmp(name, "docker", 6) != 0 && strncmp(name, "virbr", 5) != 0;
}

/* Whole disks only, so partitions are not counted twice. */
static int
disk_counts(const char *name)
{
	size_t n = strlen(name);
	if (strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 ||
	    strncmp(name, "dm-", 3) == 0 || strncmp(name, "zram", 4) == 0)
		return 0;
	if (strncmp(name, "nvme", 4) == 0 || strncmp(name, "mmcblk", 6) == 0)
		return strchr(name, 'p') == NULL;	/* nvme0n1p2, mmcblk0p1 */
	/* sda, vda, xvda, hda: a trailing digit is a partition. */
	return n > 0 && (name[n - 1] < '0' || name[n - 1] > '9');
}

/*
 * node_exporter's diskstats default: not ram, loop, fd, nor a partition of
 * an hd/sd/vd/xvd or nvme disk.
 */
static int
disk_exported(const char *name)
{
	size_t n = strlen(name);
	if (strncmp(name, "ram", 3) == 0 || strncmp(name, "loop", 4) == 0 ||
	    strncmp(name, "fd", 2) == 0)
		return 0;
	if (strncmp(name, "nvme", 4) == 0)
		return strchr(name, 'p') == NULL;
	int letters = strncmp(name, "xvd", 3) == 0 ? 3 :
	    (name[0] == 'h' || name[0] == 's' || name[0] == 'v') && name[1] == 'd' ? 2 : 0;
	return letters == 0 || n == 0 || name[n - 1] < '0' || name[n - 1] > '9';
}

/* The raw counters of one linux sample, NULL when it has none. */
static struct host_counters *
counters_from(const struct linux_sample *c)
{
	if (!(c->have & (LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO | LINUX_HAVE_NETDEV |
	    LINUX_HAVE_DISKSTATS)))
		return NULL;
	struct host_counters *k = xcalloc(1, sizeof *k);
	if (c->have & LINUX_HAVE_STAT) {
		k->cpus = dup_array(c->cores, (size_t)c->ncores, sizeof *c->cores);
		k->ncpus = k->cpus != NULL ? c->ncores : 0;
	}
	if (c->have & LINUX_HAVE_MEMINFO) {
		k->have_meminfo = 1;
		k->mem_free = c->mem_free;
		k->swap_free = c->swap_free;
		k->have_available = (c->have & LINUX_HAVE_MEMAVAILABLE) != 0;
		k->mem_available = c->mem_available;
	}
	if ((c->have & LINUX_HAVE_NETDEV) && c->nnets > 0) {
		k->nets = xcalloc((size_t)c->nnets, sizeof *k->nets);
		for (int i = 0; i < c->nnets; i++) {
			od_strlcpy(k->nets[i].name, c->nets[i].name, sizeof k->nets[i].name);
			k->nets[i].a = c->nets[i].rx_bytes;
			k->nets[i].b = c->nets[i].tx_bytes;
		}
		k->nnets = c->nnets;
	}
	if ((c->have & LINUX_HAVE_DISKSTATS) && c->ndisks > 0) {
		k->disks = xcalloc((size_t)c->ndisks, sizeof *k->disks);
		for (int i = 0; i < c->ndisks; i++) {
			if (!disk_exported(c->disks[i].name))
				continue;
			struct host_counter_dev *d = &k->disks[k->ndisks++];
			od_strlcpy(d->name, c->disks[i].name, sizeof d->name);
			d->a = c->disks[i].sectors_read * 512;
			d->b = c->disks[i].sectors_written * 512;
		}
	}
	return k;
}

static double
rate(uint64_t before, uint64_t after, int64_t dt_ms)
{
	if (after < before || dt_ms <= 0)
		return -1;	/* counter reset or wrapped */
	return (double)(after - before) * 1000.0 / (double)dt_ms;
}

/*
 * The index in names (n entries of size bytes, a name at the start of each)
 * of name, or -1. Tries the same position first: interfaces and disks keep
 * their order from one report to the next, so this is one compare per entry.
 */
static int
find_name(const void *names, int n, size_t size, const char *name, int hint)
{
	const char *base = names;
	if (hint >= 0 && hint < n && strcmp(base + (size_t)hint * size, name) == 0)
		return hint;
	for (int i = 0; i < n; i++)
		if (strcmp(base + (size_t)i * size, name) == 0)
			return i;
	return -1;
}

/*
 * Bytes/s received and sent over the interfaces that count and are in both
 * reports (one skipped for a bad line, or new, would make a false jump);
 * -1 when none is, or a counter went back.
 */
static void
net_rates(const struct linux_sample *p, const struct linux_sample *c, int64_t dt_ms,
    double *rx, double *tx)
{
	uint64_t rx0 = 0, tx0 = 0, rx1 = 0, tx1 = 0;
	int matched = 0;

	for (int i = 0; i < c->nnets; i++) {
		if (!net_counts(c->nets[i].name))
			continue;
		int j = find_name(p->nets, p->nnets, sizeof *p->nets, c->nets[i].name, i);
		if (j < 0)
			continue;
		rx0 += p->nets[j].rx_bytes;
		tx0 += p->nets[j].tx_bytes;
		rx1 += c->nets[i].rx_bytes;
		tx1 += c->nets[i].tx_bytes;
		matched++;
	}
	*rx = matched ? rate(rx0, rx1, dt_ms) : -1;
	*tx = matched ? rate(tx0, tx1, dt_ms) : -1;
}

/* The same for whole disks, bytes/s read and written. */
static void
disk_rates(const struct linux_sample *p, const struct linux_sample *c, int64_t dt_ms,
    double *rd, double *wr)
{
	uint64_t r0 = 0, w0 = 0, r1 = 0, w1 = 0;
	int matched = 0;

	for (int i = 0; i < c->ndisks; i++) {
		if (!disk_counts(c->disks[i].name))
			continue;
		int j = find_name(p->disks, p->ndisks, sizeof *p->disks, c->disks[i].name, i);
		if (j < 0)
			continue;
		r0 += p->disks[j].sectors_read * 512;
		w0 += p->disks[j].sectors_written * 512;
		r1 += c->disks[i].sectors_read * 512;
		w1 += c->disks[i].sectors_written * 512;
		matched++;
	}
	*rd = matched ? rate(r0, r1, dt_ms) : -1;
	*wr = matched ? rate(w0, w1, dt_ms) : -1;
}

/*
 * Derives h's figures from cur (and prev for rates). Keeps h's identity
 * (name, group, kind, state) untouched; replaces its arrays.
 */
void
host_status_from_reports(struct host_status *h, const struct host_report *prev,
    const struct host_report *cur, int64_t dt_ms, unsigned flags)
{
	const struct linux_sample *c = &cur->linux;
	const struct linux_sample *p = prev != NULL ? &prev->linux : NULL;

	host_status_free(h);	/* the arrays only: a share is left to its other copies */
	h->cpu_pct = -1;
	if (c->have & LINUX_HAVE_STAT) {
		h->cores = c->ncores;
		if (p != NULL && (p->have & LINUX_HAVE_STAT)) {
			h->cpu_pct = cpu_util_pct(p, c, -1);
			if (c->ncores > 0 && c->ncores == p->ncores) {
				h->core_pct = xreallocarray(NULL, (size_t)c->ncores, sizeof *h->core_pct);
				for (int i = 0; i < c->ncores; i++)
					h->core_pct[i] = cpu_util_pct(p, c, i);
			}
		}
	}
	if (c->have & LINUX_HAVE_MEMINFO) {
		h->mem_total = c->mem_total;
		h->mem_used = linux_mem_used(c);
		h->swap_total = c->swap_total;
		h->swap_used = c->swap_total >= c->swap_free ? c->swap_total - c->swap_free : 0;
	}
	if (c->have & LINUX_HAVE_LOADAVG)
		memcpy(h->load, c->load, sizeof h->load);
	if (c->have & LINUX_HAVE_UPTIME)
		h->uptime_s = c->uptime_s;

	h->net_rx_bps = h->net_tx_bps = -1;
	if (p != NULL && (c->have & p->have & LINUX_HAVE_NETDEV))
		net_rates(p, c, dt_ms, &h->net_rx_bps, &h->net_tx_bps);
	h->disk_read_bps = h->disk_write_bps = -1;
	if (p != NULL && (c->have & p->have & LINUX_HAVE_DISKSTATS))
		disk_rates(p, c, dt_ms, &h->disk_read_bps, &h->disk_write_bps);

	free(h->gpus);
	h->gpus = dup_array(cur->gpus, (size_t)cur->ngpus, sizeof *cur->gpus);
	h->ngpus = h->gpus != NULL ? cur->ngpus : 0;
	free(h->procs);
	h->procs = dup_array(cur->procs, (size_t)cur->nprocs, sizeof *cur->procs);
	h->nprocs = h->procs != NULL ? cur->nprocs : 0;
	free(h->sensors);
	h->sensors = dup_array(cur->sensors, (size_t)cur->nsensors, sizeof *cur->sensors);
	h->nsensors = h->sensors != NULL ? cur->nsensors : 0;
	counters_free(h->counters);
	h->counters = (flags & HS_COUNTERS) ? counters_from(c) : NULL;
	h->warnings = report_warnings_text(cur);
	share_arrays(h);
}

/* See hoststate.h. */
void
host_status_each_warning(const struct host_status *h,
    void (*fn)(const char *warning, void *arg), void *arg)
{
	const char *p = h->warnings;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *one = xstrndup(p, l);
		fn(one, arg);
		free(one);
		p = nl != NULL ? nl + 1 : NULL;
	}
}

static int
known(double v)
{
	return !isnan(v) && v >= 0;
}

/*
 * prefix, the decimal i and suffix into name (size bytes, cut to fit): the
 * names of numbered metrics, without snprintf (the store asks for every
 * host's names at every sample).
 */
static const char *
name_num(char *name, size_t size, const char *prefix, int i, const char *suffix)
{
	char digits[16];
	size_t nd = 0, n = 0;
	unsigned u = i < 0 ? 0u - (unsigned)i : (unsigned)i;

	do
		digits[nd++] = (char)('0' + u % 10);
	while ((u /= 10) != 0 && nd < sizeof digits - 1);
	if (i < 0)
		digits[nd++] = '-';
	for (const char *p = prefix; *p != '\0' && n + 1 < size; p++)
		name[n++] = *p;
	while (nd > 0 && n + 1 < size)
		name[n++] = digits[--nd];
	for (const char *p = suffix; *p != '\0' && n + 1 < size; p++)
		name[n++] = *p;
	name[n] = '\0';
	return name;
}

/*
 * Enumerates h's metrics under their snapshot JSON paths. The names are
 * stable: the store and `history` key on them.
 */
void
host_status_metrics(const struct host_status *h,
    void (*fn)(const char *metric, double value, void *arg), void *arg)
{
	char name[96];

	if (known(h->cpu_pct))
		fn("cpu.util_pct", h->cpu_pct, arg);
	if (h->mem_total > 0) {
		fn("mem.total_bytes", (double)h->mem_total, arg);
		fn("mem.used_bytes", (double)h->mem_used, arg);
		fn("mem.used_pct", 100.0 * (double)h->mem_used / (double)h->mem_total, arg);
	}
	if (h->swap_total > 0)
		fn("swap.used_bytes", (double)h->swap_used, arg);
	for (int i = 0; i < 3; i++) {
		if (known(h->load[i]))
			fn(name_num(name, sizeof name, "load.", i, ""), h->load[i], arg);
	}
	if (known(h->net_rx_bps))
		fn("net.rx_bps", h->net_rx_bps, arg);
	if (known(h->net_tx_bps))
		fn("net.tx_bps", h->net_tx_bps, arg);
	if (known(h->disk_read_bps))
		fn("disk.read_bps", h->disk_read_bps, arg);
	if (known(h->disk_write_bps))
		fn("disk.write_bps", h->disk_write_bps, arg);
	for (int i = 0; i < h->ngpus; i++) {
		const struct gpu_sample *g = &h->gpus[i];
		static const struct {
			const char *key;
			size_t off;
		} gf[] = {
			{ ".util_pct", offsetof(struct gpu_sample, util_pct) },
			{ ".temp_c", offsetof(struct gpu_sample, temp_c) },
			{ ".power_w", offsetof(struct gpu_sample, power_w) },
		};
		for (size_t k = 0; k < OD_ARRAY_LEN(gf); k++) {
			double v = *(const double *)(const void *)((const char *)g + gf[k].off);
			if (known(v))
				fn(name_num(name, sizeof name, "gpus.", g->index, gf[k].key), v, arg);
		}
		if (g->mem_total_bytes > 0 && g->mem_used_bytes >= 0)
			fn(name_num(name, sizeof name, "gpus.", g->index, ".mem_used_bytes"),
			    (double)g->mem_used_bytes, arg);
	}
}

/* The GPU of h with index idx, added (figures unknown) when absent; NULL when full. */
static struct gpu_sample *
gpu_slot(struct host_status *h, int idx)
{
	for (int i = 0; i < h->ngpus; i++)
		if (h->gpus[i].index == idx)
			return &h->gpus[i];
	if (h->ngpus >= PROBE_MAX_GPUS)
		return NULL;
	h->gpus = xrealloc(h->gpus, (size_t)(h->ngpus + 1) * sizeof *h->gpus);
	struct gpu_sample *g = &h->gpus[h->ngpus++];
	memset(g, 0, sizeof *g);
	g->index = idx;
	g->util_pct = g->mem_util_pct = g->temp_c = g->power_w = g->power_limit_w = -1;
	g->ecc_uncorrected = -1;
	return g;
}

/*
 * See hoststate.h: the inverse of host_status_metrics, for a status rebuilt
 * from stored samples.
 */
int
host_status_set_metric(struct host_status *h, const char *metric, double v)
{
	static const struct {
		const char *name;
		size_t off;
	} dbl[] = {
		{ "cpu.util_pct", offsetof(struct host_status, cpu_pct) },
		{ "load.0", offsetof(struct host_status, load[0]) },
		{ "load.1", offsetof(struct host_status, load[1]) },
		{ "load.2", offsetof(struct host_status, load[2]) },
		{ "net.rx_bps", offsetof(struct host_status, net_rx_bps) },
		{ "net.tx_bps", offsetof(struct host_status, net_tx_bps) },
		{ "disk.read_bps", offsetof(struct host_status, disk_read_bps) },
		{ "disk.write_bps", offsetof(struct host_status, disk_write_bps) },
	};
	if (!(v >= 0) || isinf(v))
		return -1;
	for (size_t i = 0; i < OD_ARRAY_LEN(dbl); i++) {
		if (strcmp(metric, dbl[i].name) == 0) {
			*(double *)(void *)((char *)h + dbl[i].off) = v;
			return 0;
		}
	}
	if (strcmp(metric, "mem.total_bytes") == 0)
		h->mem_total = (uint64_t)v;
	else if (strcmp(metric, "mem.used_bytes") == 0)
		h->mem_used = (uint64_t)v;
	else if (strcmp(metric, "swap.used_bytes") == 0)
		h->swap_used = (uint64_t)v;
	else if (strcmp(metric, "mem.used_pct") == 0)
		;	/* derived from the two above */
	else if (strncmp(metric, "gpus.", 5) == 0) {
		host_status_unshare(h);
		char *end;
		long idx = strtol(metric + 5, &end, 10);
		struct gpu_sample *g;
		if (end == metric + 5 || *end != '.' || idx < 0 || idx > 4095 ||
		    (g = gpu_slot(h, (int)idx)) == NULL)
			return -1;
		if (strcmp(end, ".util_pct") == 0)
			g->util_pct = v;
		else if (strcmp(end, ".temp_c") == 0)
			g->temp_c = v;
		else if (strcmp(end, ".power_w") == 0)
			g->power_w = v;
		else if (strcmp(end, ".mem_used_bytes") == 0)
			g->mem_used_bytes = (uint64_t)v;
		else
			return -1;
	} else {
		return -1;
	}
	return 0;
}
