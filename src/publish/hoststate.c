/*
 * hoststate.c: host states and the figures derived from two reports.
 */
#include "config.h"

#include <math.h>
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

void
host_status_free(struct host_status *h)
{
	free(h->core_pct);
	free(h->gpus);
	free(h->sensors);
	h->core_pct = NULL;
	h->gpus = NULL;
	h->sensors = NULL;
	h->ngpus = h->nsensors = 0;
	counters_free(h->counters);
	h->counters = NULL;
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
	dst->core_pct = dup_array(src->core_pct, src->core_pct ? (size_t)src->cores : 0,
	    sizeof *src->core_pct);
	dst->gpus = dup_array(src->gpus, (size_t)src->ngpus, sizeof *src->gpus);
	dst->sensors = dup_array(src->sensors, (size_t)src->nsensors, sizeof *src->sensors);
	dst->counters = counters_dup(src->counters);
	if (dst->gpus == NULL)
		dst->ngpus = 0;
	if (dst->sensors == NULL)
		dst->nsensors = 0;
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

static void
net_totals(const struct linux_sample *s, uint64_t *rx, uint64_t *tx)
{
	*rx = *tx = 0;
	for (int i = 0; i < s->nnets; i++) {
		if (net_counts(s->nets[i].name)) {
			*rx += s->nets[i].rx_bytes;
			*tx += s->nets[i].tx_bytes;
		}
	}
}

static void
disk_totals(const struct linux_sample *s, uint64_t *rd, uint64_t *wr)
{
	*rd = *wr = 0;
	for (int i = 0; i < s->ndisks; i++) {
		if (disk_counts(s->disks[i].name)) {
			*rd += s->disks[i].sectors_read * 512;
			*wr += s->disks[i].sectors_written * 512;
		}
	}
}

/*
 * Derives h's figures from cur (and prev for rates). Keeps h's identity
 * (name, group, kind, state) untouched; replaces its arrays.
 */
void
host_status_from_reports(struct host_status *h, const struct host_report *prev,
    const struct host_report *cur, int64_t dt_ms)
{
	const struct linux_sample *c = &cur->linux;
	const struct linux_sample *p = prev != NULL ? &prev->linux : NULL;

	free(h->core_pct);
	h->core_pct = NULL;
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
	if (p != NULL && (c->have & p->have & LINUX_HAVE_NETDEV)) {
		uint64_t rx0, tx0, rx1, tx1;
		net_totals(p, &rx0, &tx0);
		net_totals(c, &rx1, &tx1);
		h->net_rx_bps = rate(rx0, rx1, dt_ms);
		h->net_tx_bps = rate(tx0, tx1, dt_ms);
	}
	h->disk_read_bps = h->disk_write_bps = -1;
	if (p != NULL && (c->have & p->have & LINUX_HAVE_DISKSTATS)) {
		uint64_t r0, w0, r1, w1;
		disk_totals(p, &r0, &w0);
		disk_totals(c, &r1, &w1);
		h->disk_read_bps = rate(r0, r1, dt_ms);
		h->disk_write_bps = rate(w0, w1, dt_ms);
	}

	free(h->gpus);
	h->gpus = dup_array(cur->gpus, (size_t)cur->ngpus, sizeof *cur->gpus);
	h->ngpus = h->gpus != NULL ? cur->ngpus : 0;
	free(h->sensors);
	h->sensors = dup_array(cur->sensors, (size_t)cur->nsensors, sizeof *cur->sensors);
	h->nsensors = h->sensors != NULL ? cur->nsensors : 0;
	counters_free(h->counters);
	h->counters = counters_from(c);
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
		if (g->mem_total_bytes > 0)
			fn(name_num(name, sizeof name, "gpus.", g->index, ".mem_used_bytes"),
			    (double)g->mem_used_bytes, arg);
	}
}
