/*
 * sim.c: the metric model of one simulated node and the exact output formats
 * of the probes' real sources: /proc/{stat,meminfo,loadavg,uptime,net/dev,
 * diskstats} (Linux 6.x), `nvidia-smi --query-gpu=... --format=csv,noheader,
 * nounits` on 8 x H100 SXM, and `ipmitool sdr elist` on a GPU server's BMC.
 *
 * The model: a node's CPU utilisation drifts towards a target that changes
 * now and then (jobs start and end); every core's jiffies advance at USER_HZ
 * by its share; GPU utilisation follows jobs, temperatures and power follow
 * utilisation, fans and exhaust follow power. Counters only grow.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleetsim.h"
#include "opsdeck/frame.h"
#include "opsdeck/probe.h"

#define USER_HZ 100.0

uint64_t
sim_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

double
sim_uniform(uint64_t *s)
{
	return (double)(sim_rand(s) >> 11) / 9007199254740992.0;
}

void
sim_printf(struct buf *out, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	buf_append(out, line, (size_t)n);
}

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Gaussian-ish noise in [-1, 1] (sum of two uniforms). */
static double
noise(uint64_t *s)
{
	return sim_uniform(s) + sim_uniform(s) - 1.0;
}

/* A NIC with counters as after some weeks of uptime; rates in bytes/s at full load. */
static void
net_init(struct sim_net *n, const char *name, double rx, double tx, uint64_t *rng)
{
	memset(n, 0, sizeof *n);
	n->name = name;
	n->rx_rate = rx;
	n->tx_rate = tx;
	/* counters from a node that has been up for a while */
	n->rx_bytes = (uint64_t)(rx * (1e5 + 1e6 * sim_uniform(rng)));
	n->tx_bytes = (uint64_t)(tx * (1e5 + 1e6 * sim_uniform(rng)));
	n->rx_packets = n->rx_bytes / 1400;
	n->tx_packets = n->tx_bytes / 1200;
	n->multicast = (uint64_t)(1000 + 50000 * sim_uniform(rng));
}

/* A disk or partition with plausible counters; partitions see a twentieth. */
static void
disk_init(struct sim_disk *d, const char *name, int major, int minor, int whole, uint64_t *rng)
{
	memset(d, 0, sizeof *d);
	od_strlcpy(d->name, name, sizeof d->name);
	d->major = major;
	d->minor = minor;
	d->whole = whole;
	double scale = whole ? 1.0 : 0.05;
	d->reads = scale * (2e6 + 2e7 * sim_uniform(rng));
	d->sectors_read = d->reads * 220;
	d->ms_read = d->reads * 0.09;
	d->writes = scale * (1e6 + 1e7 * sim_uniform(rng));
	d->sectors_written = d->writes * 180;
	d->ms_write = d->writes * 0.03;
	d->io_ms = (d->reads + d->writes) * 0.02;
	d->weighted_ms = d->ms_read + d->ms_write;
	d->discards = whole ? 1000 + 20000 * sim_uniform(rng) : 0;
	d->sectors_discarded = d->discards * 4096;
	d->flushes = whole ? d->writes / 20 : 0;
	d->ms_flush = d->flushes * 0.4;
}

/*
 * Sets up node n: a GPU node has 2 x 48 cores, 2 TiB of RAM, 8 H100, NICs
 * ens1f0np0 and ib0..ib3, disks nvme0n1..nvme3n1; a CPU node 2 x 32 cores,
 * 512 GiB, two NICs, two disks; a test-bed controller 8 cores, 32 GiB, one
 * NIC, one disk, no BMC. Deterministic for a seed.
 */
void
sim_node_init(struct sim_node *n, int kind, uint64_t seed, int64_t now_ms)
{
	static const char *gpu_nets[] = { "lo", "ens1f0np0", "ib0", "ib1", "ib2", "ib3" };
	static const char *cpu_nets[] = { "lo", "ens1f0np0", "ens1f1np1" };
	static const char *ctl_nets[] = { "lo", "eno1" };
	char name[16];
	int gpu = kind == SIM_GPU;

	memset(n, 0, sizeof *n);
	n->rng = seed * 0x9e3779b97f4a7c15ULL + 0x1234567ULL;
	sim_rand(&n->rng);
	n->gpu = gpu;
	n->controller = kind == SIM_CONTROLLER;
	n->ncores = gpu ? 96 : n->controller ? 8 : 64;
	n->util = 0.1 + 0.6 * sim_uniform(&n->rng);
	n->target = n->util;
	n->boot_ms = now_ms - (int64_t)((3 + 57 * sim_uniform(&n->rng)) * 86400000.0);
	double up_s = (double)(now_ms - n->boot_ms) / 1000.0;
	for (int c = 0; c < n->ncores; c++) {
		n->core_bias[c] = 0.15 * noise(&n->rng);
		double busy = clamp(n->util * 0.8 + n->core_bias[c],
		    0.01 + 0.03 * sim_uniform(&n->rng), 0.99);
		double j = up_s * USER_HZ;
		n->jiffies[c][0] = j * busy * 0.84;
		n->jiffies[c][1] = j * busy * 0.01;
		n->jiffies[c][2] = j * busy * 0.12;
		n->jiffies[c][3] = j * (1 - busy) * 0.995;
		n->jiffies[c][4] = j * (1 - busy) * 0.005;
		n->jiffies[c][5] = 0;
		n->jiffies[c][6] = j * busy * 0.03;
		n->jiffies[c][7] = 0;
	}
	n->ctxt = up_s * 40000.0 * n->ncores / 64.0;
	n->processes = (uint64_t)(up_s * 3.5) + 5000;
	for (int i = 0; i < 3; i++)
		n->load[i] = n->util * n->ncores;
	n->mem_total_kb = gpu ? 2113389704ULL : n->controller ? 32594240ULL : 527921212ULL;
	n->mem_used_frac = 0.1 + 0.4 * sim_uniform(&n->rng);
	n->cache_frac = 0.05 + 0.2 * sim_uniform(&n->rng);
	n->swap_total_kb = gpu ? 0 : n->controller ? 2097148ULL : 8388604ULL;

	const char **nets = gpu ? gpu_nets : n->controller ? ctl_nets : cpu_nets;
	n->nnets = gpu ? 6 : n->controller ? 2 : 3;
	for (int i = 0; i < n->nnets; i++) {
		double rate = i == 0 ? 2e6 : i == 1 ? (n->controller ? 2e6 : 8e7) : 1.2e9;
		net_init(&n->nets[i], nets[i], rate, i == 0 ? rate : rate * 0.9, &n->rng);
	}
	n->ndisks = 0;
	int ndisk = gpu ? 4 : n->controller ? 1 : 2;
	int minor = 0;
	for (int d = 0; d < ndisk; d++) {
		snprintf(name, sizeof name, "nvme%dn1", d);
		disk_init(&n->disks[n->ndisks++], name, 259, minor++, 1, &n->rng);
		if (d == 0) {
			for (int p = 1; p <= 2; p++) {
				snprintf(name, sizeof name, "nvme0n1p%d", p);
				disk_init(&n->disks[n->ndisks++], name, 259, minor++, 0, &n->rng);
			}
		}
	}

	n->ngpus = gpu ? 8 : 0;
	for (int g = 0; g < n->ngpus; g++) {
		struct sim_gpu *G = &n->gpus[g];
		uint64_t a = sim_rand(&n->rng), b = sim_rand(&n->rng);
		snprintf(G->uuid, sizeof G->uuid, "GPU-%08x-%04x-%04x-%04x-%012llx",
		    (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff,
		    (unsigned)(b >> 48), (unsigned long long)(b & 0xffffffffffffULL));
		snprintf(G->serial, sizeof G->serial, "16549230%05u",
		    (unsigned)(sim_rand(&n->rng) % 100000));
		G->busy = sim_uniform(&n->rng) < 0.75;
		G->util = G->busy ? 90 : 0;
		G->mem_used_mib = G->busy ? 60000 + 18000 * sim_uniform(&n->rng) : 0;
		G->temp = G->busy ? 62 : 31;
		G->mem_temp = G->temp + 4;
		G->power = G->busy ? 600 : 72;
		G->energy_j = up_s * 350.0;
		G->ecc_corrected = 0;
	}
	n->inlet = 21.0 + 4.0 * sim_uniform(&n->rng);
	n->last_ms = now_ms;
}

/*
 * Advances every counter by the time since the last call (capped at 60 s)
 * and lets the levels drift. A call with an earlier time does nothing.
 */
void
sim_node_advance(struct sim_node *n, int64_t now_ms)
{
	if (now_ms <= n->last_ms)
		return;
	double dt = (double)(now_ms - n->last_ms) / 1000.0;
	n->last_ms = now_ms;
	if (dt > 60)
		dt = 60;

	/* jobs come and go: a new target now and then, util follows with lag */
	if (sim_uniform(&n->rng) < dt / 30.0)
		n->target = sim_uniform(&n->rng) < 0.2 ? 0.02 + 0.08 * sim_uniform(&n->rng)
		    : 0.3 + 0.65 * sim_uniform(&n->rng);
	n->util += (n->target - n->util) * (1 - exp(-dt / 8.0)) + 0.02 * noise(&n->rng) * sqrt(dt);
	n->util = clamp(n->util, 0.01, 0.99);

	double running = 0;
	for (int c = 0; c < n->ncores; c++) {
		double busy = clamp(n->util + n->core_bias[c] + 0.05 * noise(&n->rng), 0.0, 1.0);
		double j = dt * USER_HZ;
		double io = (1 - busy) * 0.01;
		n->jiffies[c][0] += j * busy * 0.84;
		n->jiffies[c][1] += j * busy * 0.01;
		n->jiffies[c][2] += j * busy * 0.12;
		n->jiffies[c][3] += j * (1 - busy - io);
		n->jiffies[c][4] += j * io;
		n->jiffies[c][5] += j * busy * 0.005;
		n->jiffies[c][6] += j * busy * 0.025;
		running += busy;
	}
	n->procs_running = (int)(running + 0.5) + 1;
	n->ctxt += dt * (5000 + 60000 * n->util) * n->ncores / 16.0;
	n->processes += (uint64_t)(dt * (2 + 10 * sim_uniform(&n->rng)));
	static const double tau[3] = { 60, 300, 900 };
	for (int i = 0; i < 3; i++)
		n->load[i] += (running - n->load[i]) * (1 - exp(-dt / tau[i]));

	n->mem_used_frac = clamp(n->mem_used_frac + 0.003 * noise(&n->rng) * sqrt(dt)
	    + (n->util - 0.5) * 0.0005 * dt, 0.05, 0.92);
	n->cache_frac = clamp(n->cache_frac + 0.001 * noise(&n->rng) * sqrt(dt), 0.02,
	    0.97 - n->mem_used_frac);

	for (int i = 0; i < n->nnets; i++) {
		struct sim_net *N = &n->nets[i];
		double load = i == 0 ? 0.2 : n->util;
		double rx = N->rx_rate * load * (0.7 + 0.6 * sim_uniform(&n->rng)) * dt;
		double tx = N->tx_rate * load * (0.7 + 0.6 * sim_uniform(&n->rng)) * dt;
		N->rx_bytes += (uint64_t)rx;
		N->tx_bytes += (uint64_t)tx;
		N->rx_packets += (uint64_t)(rx / (i == 0 ? 600 : 2044)) + 1;
		N->tx_packets += (uint64_t)(tx / (i == 0 ? 600 : 2044)) + 1;
		if (i > 0 && sim_uniform(&n->rng) < dt / 600.0)
			N->rx_drop++;
		if (i > 0)
			N->multicast += (uint64_t)(dt * 2);
	}
	for (int i = 0; i < n->ndisks; i++) {
		struct sim_disk *D = &n->disks[i];
		double s = D->whole ? 1.0 : 0.1;
		double r = dt * s * (50 + 3000 * n->util * sim_uniform(&n->rng));
		double w = dt * s * (20 + 800 * n->util * sim_uniform(&n->rng));
		D->reads += r;
		D->sectors_read += r * 256;
		D->ms_read += r * 0.08;
		D->writes += w;
		D->sectors_written += w * 128;
		D->ms_write += w * 0.02;
		D->io_ms += fmin(dt * 1000, (r + w) * 0.02);
		D->weighted_ms += r * 0.08 + w * 0.02;
		if (D->whole) {
			D->flushes += w / 25;
			D->ms_flush += w / 25 * 0.3;
		}
	}
	for (int g = 0; g < n->ngpus; g++) {
		struct sim_gpu *G = &n->gpus[g];
		if (sim_uniform(&n->rng) < dt / 120.0)
			G->busy = !G->busy;
		double want = G->busy ? 88 + 12 * sim_uniform(&n->rng) : 0;
		G->util = clamp(G->util + (want - G->util) * (1 - exp(-dt / 3.0)), 0, 100);
		G->mem_util = G->util * (0.35 + 0.1 * sim_uniform(&n->rng));
		double mem_want = G->busy ? 60000 + 18000 * sim_uniform(&n->rng) : 0;
		G->mem_used_mib = clamp(G->mem_used_mib + (mem_want - G->mem_used_mib)
		    * (1 - exp(-dt / 10.0)), 0, 81000);
		double temp_want = n->inlet + 8 + 0.42 * G->util + 2 * noise(&n->rng);
		G->temp += (temp_want - G->temp) * (1 - exp(-dt / 20.0));
		G->mem_temp = G->temp + 3 + 2 * sim_uniform(&n->rng);
		double p_want = 70 + 6.1 * G->util + 15 * noise(&n->rng);
		G->power = clamp(G->power + (p_want - G->power) * (1 - exp(-dt / 2.0)), 60, 700);
		G->energy_j += G->power * dt;
		if (G->busy && sim_uniform(&n->rng) < dt / 3600.0)
			G->ecc_corrected++;
	}
	n->inlet = clamp(n->inlet + 0.05 * noise(&n->rng) * sqrt(dt), 18, 30);
}

static void
cpu_line(struct buf *out, const char *label, const uint64_t v[8])
{
	sim_printf(out, "%s %llu %llu %llu %llu %llu %llu %llu %llu 0 0\n", label,
	    (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)v[2],
	    (unsigned long long)v[3], (unsigned long long)v[4], (unsigned long long)v[5],
	    (unsigned long long)v[6], (unsigned long long)v[7]);
}

/* /proc/meminfo line: a 16-column label and a value at least 8 wide. */
static void
mem_line(struct buf *out, const char *label, uint64_t kb)
{
	sim_printf(out, "%-16s%8llu kB\n", label, (unsigned long long)kb);
}

/*
 * Appends the linux probe's output: sections `== stat`, `== meminfo`,
 * `== loadavg`, `== uptime`, `== net/dev`, `== diskstats`, each followed by
 * the file exactly as Linux prints it, less what the probe's awk leaves out.
 * With sums, each core as that awk sends it then: "cpuN BUSY IDLE".
 */
void
sim_linux(const struct sim_node *n, int64_t now_ms, int sums, struct buf *out)
{
	uint64_t tot[8] = { 0 }, core[FLEETSIM_SIM_MAX_CORES][8];
	char label[16];

	for (int c = 0; c < n->ncores; c++)
		for (int k = 0; k < 8; k++) {
			core[c][k] = (uint64_t)n->jiffies[c][k];
			tot[k] += core[c][k];
		}
	/* What the linux probe's awk prints: no intr or softirq, meminfo's 9 keys. */
	buf_append(out, "== stat\n", 8);
	cpu_line(out, "cpu ", tot);
	for (int c = 0; c < n->ncores; c++) {
		const uint64_t *j = core[c];
		snprintf(label, sizeof label, "cpu%d", c);
		if (sums)	/* user+nice+system+irq+softirq+steal, idle+iowait */
			sim_printf(out, "%s %llu %llu\n", label,
			    (unsigned long long)(j[0] + j[1] + j[2] + j[5] + j[6] + j[7]),
			    (unsigned long long)(j[3] + j[4]));
		else
			cpu_line(out, label, j);
	}
	sim_printf(out, "ctxt %llu\n", (unsigned long long)n->ctxt);
	int64_t wall = now_wall_ms();
	int64_t up_ms = now_ms - n->boot_ms;
	sim_printf(out, "btime %lld\n", (long long)((wall - up_ms) / 1000));
	sim_printf(out, "processes %llu\n", (unsigned long long)n->processes);
	sim_printf(out, "procs_running %d\n", n->procs_running);
	sim_printf(out, "procs_blocked %d\n", n->util > 0.8 ? 1 : 0);

	uint64_t total = n->mem_total_kb;
	uint64_t used = (uint64_t)(total * n->mem_used_frac);
	uint64_t cached = (uint64_t)(total * n->cache_frac);
	uint64_t buffers = total / 2000;
	uint64_t sreclaim = total / 400;
	uint64_t mfree = total - used - cached - buffers - sreclaim;
	uint64_t shmem = total / 300;
	buf_append(out, "== meminfo\n", 11);
	mem_line(out, "MemTotal:", total);
	mem_line(out, "MemFree:", mfree);
	mem_line(out, "MemAvailable:", mfree + cached + buffers + sreclaim - shmem);
	mem_line(out, "Buffers:", buffers);
	mem_line(out, "Cached:", cached);
	mem_line(out, "SwapTotal:", n->swap_total_kb);
	mem_line(out, "SwapFree:", n->swap_total_kb);
	mem_line(out, "Shmem:", shmem);
	mem_line(out, "SReclaimable:", sreclaim);

	int total_tasks = 1800 + (int)(n->util * 900);
	buf_append(out, "== loadavg\n", 11);
	sim_printf(out, "%.2f %.2f %.2f %d/%d %llu\n", n->load[0], n->load[1], n->load[2],
	    n->procs_running, total_tasks, (unsigned long long)(n->processes % 4194304));

	double idle = 0;
	for (int c = 0; c < n->ncores; c++)
		idle += n->jiffies[c][3];
	buf_append(out, "== uptime\n", 10);
	sim_printf(out, "%.2f %.2f\n", (double)up_ms / 1000.0, idle / USER_HZ);

	buf_append(out, "== net/dev\n", 11);
	buf_printf(out, "Inter-|   Receive                                                "
	    "|  Transmit\n"
	    " face |bytes    packets errs drop fifo frame compressed multicast"
	    "|bytes    packets errs drop fifo colls carrier compressed\n");
	for (int i = 0; i < n->nnets; i++) {
		const struct sim_net *N = &n->nets[i];
		sim_printf(out, "%6s:%8llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu "
		    "%8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n", N->name,
		    (unsigned long long)N->rx_bytes, (unsigned long long)N->rx_packets, 0ULL,
		    (unsigned long long)N->rx_drop, 0ULL, 0ULL, 0ULL,
		    (unsigned long long)(i == 0 ? 0 : N->multicast),
		    (unsigned long long)N->tx_bytes, (unsigned long long)N->tx_packets,
		    0ULL, 0ULL, 0ULL, 0ULL, 0ULL, 0ULL);
	}

	buf_append(out, "== diskstats\n", 13);
	for (int i = 0; i < n->ndisks; i++) {
		const struct sim_disk *D = &n->disks[i];
		sim_printf(out, "%4d %7d %s %llu %llu %llu %llu %llu %llu %llu %llu %u %llu %llu "
		    "%llu %llu %llu %llu %llu %llu\n", D->major, D->minor, D->name,
		    (unsigned long long)D->reads, (unsigned long long)(D->reads / 50),
		    (unsigned long long)D->sectors_read, (unsigned long long)D->ms_read,
		    (unsigned long long)D->writes, (unsigned long long)(D->writes / 9),
		    (unsigned long long)D->sectors_written, (unsigned long long)D->ms_write,
		    D->whole ? (unsigned)(n->util * 3) : 0u, (unsigned long long)D->io_ms,
		    (unsigned long long)D->weighted_ms, (unsigned long long)D->discards, 0ULL,
		    (unsigned long long)D->sectors_discarded,
		    (unsigned long long)(D->discards * 0.1), (unsigned long long)D->flushes,
		    (unsigned long long)D->ms_flush);
	}
}

/* One --query-gpu field of GPU g, appended as nvidia-smi prints it with nounits. */
static void
gpu_field(const struct sim_node *n, int g, const char *f, size_t flen, struct buf *out)
{
	static const int bus[8] = { 0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb };
	const struct sim_gpu *G = &n->gpus[g];
	char name[64];
	const double total = 81559;

	if (flen >= sizeof name)
		flen = sizeof name - 1;
	memcpy(name, f, flen);
	name[flen] = '\0';
#define IS(s) (strcmp(name, s) == 0)
	if (IS("index"))
		sim_printf(out, "%d", g);
	else if (IS("uuid") || IS("gpu_uuid"))
		sim_printf(out, "%s", G->uuid);
	else if (IS("name") || IS("gpu_name"))
		sim_printf(out, "NVIDIA H100 80GB HBM3");
	else if (IS("serial"))
		sim_printf(out, "%s", G->serial);
	else if (IS("pci.bus_id") || IS("gpu_bus_id"))
		sim_printf(out, "00000000:%02X:00.0", bus[g]);
	else if (IS("driver_version"))
		sim_printf(out, "535.161.08");
	else if (IS("vbios_version"))
		sim_printf(out, "96.00.74.00.01");
	else if (IS("pstate"))
		sim_printf(out, "P0");
	else if (IS("count"))
		sim_printf(out, "%d", n->ngpus);
	else if (IS("utilization.gpu"))
		sim_printf(out, "%d", (int)(G->util + 0.5));
	else if (IS("utilization.memory"))
		sim_printf(out, "%d", (int)(G->mem_util + 0.5));
	else if (IS("memory.total"))
		sim_printf(out, "%.0f", total);
	else if (IS("memory.used"))
		sim_printf(out, "%.0f", G->mem_used_mib + 5);
	else if (IS("memory.free"))
		sim_printf(out, "%.0f", total - G->mem_used_mib - 5 - 529);
	else if (IS("memory.reserved"))
		sim_printf(out, "529");
	else if (IS("temperature.gpu"))
		sim_printf(out, "%d", (int)(G->temp + 0.5));
	else if (IS("temperature.memory"))
		sim_printf(out, "%d", (int)(G->mem_temp + 0.5));
	else if (IS("power.draw") || IS("power.draw.instant") || IS("power.draw.average"))
		sim_printf(out, "%.2f", G->power);
	else if (IS("power.limit") || IS("enforced.power.limit") || IS("power.default_limit")
	    || IS("power.max_limit"))
		sim_printf(out, "700.00");
	else if (IS("power.min_limit"))
		sim_printf(out, "200.00");
	else if (IS("ecc.errors.uncorrected.volatile.total")
	    || IS("ecc.errors.uncorrected.aggregate.total"))
		sim_printf(out, "%lld", (long long)G->ecc_uncorrected);
	else if (IS("ecc.errors.corrected.volatile.total")
	    || IS("ecc.errors.corrected.aggregate.total"))
		sim_printf(out, "%lld", (long long)G->ecc_corrected);
	else if (IS("ecc.mode.current"))
		sim_printf(out, "Enabled");
	else if (IS("clocks_throttle_reasons.active") || IS("clocks_event_reasons.active")
	    || IS("clocks_throttle_reasons.hw_slowdown")) {
		unsigned long long r = G->util < 1 ? 0x1 : G->power > 680 ? 0x4 : 0;
		if (IS("clocks_throttle_reasons.hw_slowdown"))
			sim_printf(out, "Not Active");
		else
			sim_printf(out, "0x%016llx", r);
	} else if (IS("clocks.sm") || IS("clocks.current.sm") || IS("clocks.gr")
	    || IS("clocks.current.graphics"))
		sim_printf(out, "%d", G->util < 1 ? 345 : 1980);
	else if (IS("clocks.mem") || IS("clocks.current.memory"))
		sim_printf(out, "2619");
	else if (IS("clocks.max.sm") || IS("clocks.max.graphics"))
		sim_printf(out, "1980");
	else if (IS("total_energy_consumption"))
		sim_printf(out, "%.0f", G->energy_j * 1000);
	else if (IS("pcie.link.gen.current"))
		sim_printf(out, "5");
	else if (IS("pcie.link.width.current"))
		sim_printf(out, "16");
	else if (IS("compute_mode"))
		sim_printf(out, "Default");
	else if (IS("persistence_mode"))
		sim_printf(out, "Enabled");
	else if (IS("timestamp")) {
		char ts[32];
		time_format(now_wall_ms(), 0, ts, sizeof ts);
		for (char *p = ts; *p; p++)
			if (*p == '-')
				*p = '/';
		sim_printf(out, "%s.123", ts);
	} else
		/* fan.speed on SXM boards, and anything this model lacks */
		sim_printf(out, "[N/A]");
#undef IS
}

#define NVIDIA_DEFAULT_FIELDS "index,uuid,name,utilization.gpu,utilization.memory," \
	"memory.used,memory.total,temperature.gpu,power.draw,power.limit," \
	"ecc.errors.uncorrected.volatile.total,clocks_throttle_reasons.active"

/*
 * Appends `nvidia-smi --query-gpu=FIELDS --format=csv,noheader,nounits`
 * output: one line per GPU, fields separated by ", ". A CPU node prints
 * nothing (the probe's command exits 0 when the tool is absent).
 */
void
sim_nvidia(const struct sim_node *n, const char *fields, struct buf *out)
{
	if (fields == NULL || *fields == '\0')
		fields = NVIDIA_DEFAULT_FIELDS;
	for (int g = 0; g < n->ngpus; g++) {
		const char *p = fields;
		int first = 1;
		while (*p) {
			size_t l = strcspn(p, ",");
			while (l > 0 && p[0] == ' ') {
				p++;
				l--;
			}
			if (!first)
				buf_append(out, ", ", 2);
			first = 0;
			gpu_field(n, g, p, l, out);
			p += l;
			if (*p == ',')
				p++;
		}
		buf_append(out, "\n", 1);
	}
}

/* One `ipmitool sdr elist` line: name, sensor id, status, entity, reading. */
static void
sdr_line(struct buf *out, const char *name, unsigned id, const char *st, int ent, int inst,
    const char *reading)
{
	sim_printf(out, "%-16s | %02Xh | %-3s | %2d.%d | %s\n", name, id, st, ent, inst, reading);
}

/*
 * Appends `ipmitool sdr elist` output of the node's BMC: inlet and exhaust
 * temperature, CPU temperatures, fans, PSUs, power, current and voltage.
 * Integral readings print without decimals, as ipmitool does.
 */
void
sim_ipmi(const struct sim_node *n, struct buf *out)
{
	char r[64];
	double gpu_w = 0, gpu_util = 0;

	if (n->controller)
		return;		/* no BMC: `ipmitool ... || true` prints nothing */

	for (int g = 0; g < n->ngpus; g++) {
		gpu_w += n->gpus[g].power;
		gpu_util += n->gpus[g].util / 100.0 / n->ngpus;
	}
	double cpu_w = 2 * (110 + 240 * n->util);
	double watts = gpu_w + cpu_w + (n->gpu ? 900 : 180);
	double heat = n->gpu ? gpu_util : n->util;
	double exhaust = n->inlet + 8 + 22 * heat;
	int nfans = n->gpu ? 10 : 6;
	double rpm = (n->gpu ? 7000 : 4800) + (n->gpu ? 7800 : 5000) * heat;

	snprintf(r, sizeof r, "%d degrees C", (int)(n->inlet + 0.5));
	sdr_line(out, "Inlet Temp", 0x04, "ok", 7, 1, r);
	snprintf(r, sizeof r, "%d degrees C", (int)(exhaust + 0.5));
	sdr_line(out, "Exhaust Temp", 0x01, "ok", 7, 1, r);
	for (int c = 0; c < 2; c++) {
		snprintf(r, sizeof r, "%d degrees C",
		    (int)(n->inlet + 18 + 40 * n->util + c * 2.0));
		sdr_line(out, c == 0 ? "CPU1 Temp" : "CPU2 Temp", 0x0e + c, "ok", 3, c + 1, r);
	}
	for (int f = 0; f < nfans; f++) {
		char name[16];
		snprintf(name, sizeof name, "Fan%d RPM", f + 1);
		if (!n->gpu && f == nfans - 1) {
			/* an empty fan slot on the CPU chassis */
			sdr_line(out, name, 0x30 + f, "ns", 7, 1, "No Reading");
			continue;
		}
		int v = (int)(rpm * (0.97 + 0.06 * ((f * 37) % 10) / 10.0)) / 120 * 120;
		snprintf(r, sizeof r, "%d RPM", v);
		sdr_line(out, name, 0x30 + f, "ok", 7, 1, r);
	}
	int npsu = n->gpu ? 6 : 2;
	for (int p = 0; p < npsu; p++) {
		char name[16];
		snprintf(name, sizeof name, "PS%d Status", p + 1);
		sdr_line(out, name, 0x63 + p, "ok", 10, p + 1, "Presence detected");
	}
	snprintf(r, sizeof r, "%d Watts", (int)(watts / 14) * 14);
	sdr_line(out, "Pwr Consumption", 0x77, "ok", 7, 1, r);
	for (int p = 0; p < 2; p++) {
		char name[16];
		snprintf(name, sizeof name, "Current %d", p + 1);
		snprintf(r, sizeof r, "%.2f Amps", watts / npsu / 230.0 * (npsu / 2));
		sdr_line(out, name, 0x6a + p, "ok", 10, p + 1, r);
	}
	for (int p = 0; p < 2; p++) {
		char name[16];
		snprintf(name, sizeof name, "Voltage %d", p + 1);
		sdr_line(out, name, 0x6c + p, "ok", 10, p + 1, p ? "232 Volts" : "230 Volts");
	}
}

/*
 * Appends about 8 KiB of what a broken node might print: random bytes
 * between frames, one complete linux frame whose body is junk (a parse
 * error, not a framing error), then random bytes, terminal escapes, bidi
 * and zero-width characters, invalid UTF-8 and frame markers broken every
 * way, ending in a frame that never ends.
 */
void
sim_garbage(uint64_t *rng, uint64_t seq, const char *nonce, struct buf *out)
{
	static const char *bits[] = {
		"\x1b[2J\x1b[H", "\x1b]0;owned\x07", "\x1b[31;1mALERT\x1b[0m", "\xe2\x80\xae",
		"\xe2\x80\x8b", "\xc0\xaf", "\xff\xfe", "\r\b\t", "\x7f\x9b",
		"@@opsdeck\n", "@@opsdeck -1 linux\n",
		"@@opsdeck 99999999999999999999999 nvidia\n",
		"@@end\n", "@@end banana\n", "@@opsdeck 1 \x1b[31m\n", "== stat\ncpu  x y z\n",
		"@@end 0\n@@end 0\n",
	};
	char raw[512];

	/* junk between frames */
	for (int j = 0; j < 200; j++)
		raw[j] = (char)(sim_rand(rng) & 0xff);
	buf_append(out, raw, 200);
	/* a complete frame whose body no parser can use */
	sim_printf(out, "\n@@opsdeck %s%llu linux\n== stat\ncpu  12 x -3\n\x1b[2J",
	    nonce, (unsigned long long)seq);
	for (int j = 0; j < 300; j++)
		raw[j] = (char)(sim_rand(rng) & 0xff);
	buf_append(out, raw, 300);
	sim_printf(out, "\n@@end %s0\n", nonce);
	/* then markers broken every way (and forged, without the nonce), mixed with noise */
	sim_printf(out, "@@opsdeck %s%llu nvidia\n", nonce, (unsigned long long)seq);
	for (int i = 0; i < 12; i++) {
		int k = (int)(sim_rand(rng) % OD_ARRAY_LEN(bits));
		buf_append(out, "\n", 1);
		buf_append(out, bits[k], strlen(bits[k]));
		size_t len = 64 + sim_rand(rng) % (sizeof raw - 64);
		for (size_t j = 0; j < len; j++)
			raw[j] = (char)(sim_rand(rng) & 0xff);
		buf_append(out, raw, len);
	}
	/* a frame whose body never ends before the next header */
	sim_printf(out, "\n@@opsdeck %s%llu ipmi\nInlet Temp | 04h | ok | 7.1 |",
	    nonce, (unsigned long long)seq);
	for (int j = 0; j < 3000; j++)
		buf_append(out, "A", 1);
	buf_append(out, "\n", 1);
}

/* Appends numbered flood lines, at most max bytes (at least one line). */
void
sim_flood(uint64_t *line, size_t max, struct buf *out)
{
	size_t start = out->len;
	do {
		sim_printf(out, "flood %012llu the quick brown fox jumps over the lazy dog "
		    "0123456789abcdef0123456789abcdef\n", (unsigned long long)(*line)++);
	} while (out->len - start + 120 < max);
}

/*
 * See fleetsim.h. As sshd sends them: one channel packet per write of the
 * node's loop, which sends each frame through dd (FRAME_WRITE_MAX, frame.h):
 * blocks of FRAME_WRITE_MAX bytes from the frame's start and the rest at
 * its end, after its end line; output outside frames goes the same way.
 */
size_t
sim_piece_len(const char *p, size_t n)
{
	size_t lim = n < FRAME_WRITE_MAX ? n : FRAME_WRITE_MAX;
	const char *e = memmem(p, lim, "\n" FRAME_END, sizeof FRAME_END);
	const char *nl = e != NULL ? memchr(e + 1, '\n', lim - (size_t)(e + 1 - p)) : NULL;

	return nl != NULL ? (size_t)(nl + 1 - p) : lim;
}
