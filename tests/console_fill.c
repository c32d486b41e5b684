/*
 * console_fill.c: fills a cache with a known fleet for the console tests
 * (tests/console_*.sh) through the store's own writer, store_put_status().
 *
 * Usage: console_fill DB [--nodes N] [--down D] [--samples K] [--evil] [--swap]
 *   --nodes N    GPU nodes gpu001.. (default 6); plus 3 CPU nodes in states
 *                other than up, and 2 test-bed controllers with Korean names
 *   --down D     D more CPU nodes cpu004.., down (default 0): an alert each
 *   --age S      the newest sample S seconds old (default 0, now): with S of
 *                10 or more every host up shows as stale from the start
 *   --samples K  K samples per host, 2 s apart, ending now (default 5)
 *   --timeline   90 minutes of samples a minute apart instead, the same
 *                figures in each (the console's time cursor lands on any),
 *                gpu002 down ("connection refused") from 40 to 20 minutes
 *                ago and up around that (tests/console_replay.sh)
 *   --procs      processes on the GPUs (procs_fill): gpu001's GPU 0 holds 5
 *                (Detail shows 3 and "+2 more"); held but idle (below 5 %):
 *                gpu002 GPU 3 (Slurm job 48230), gpu003 GPU 1 (no job),
 *                gpu004 GPU 0 (4 processes of job 48231); gpu005 GPU 2 is
 *                idle with no process (free, not held)
 *   --evil       write names with terminal escape sequences straight into
 *                the cache, as a collector without sanitising would: the
 *                console must still draw them harmlessly
 * Figures are deterministic (a fixed LCG), so screens can be compared.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/store.h"
#include "opsdeck/util.h"

static unsigned long lcg = 12345;

static double
rnd(double lo, double hi)
{
	lcg = lcg * 6364136223846793005UL + 1442695040888963407UL;
	return lo + (hi - lo) * (double)((lcg >> 33) % 10000) / 10000.0;
}

static void
put(struct store *st, struct host_status *h)
{
	char *cause = NULL;

	if (store_put_status(st, h, &cause) != 0) {
		fprintf(stderr, "console_fill: %s\n", cause);
		exit(1);
	}
}

/* Appends a process to h: pid, GPU index, user, job ("" none), MiB, name. */
static void
proc_add(struct host_status *h, int pid, int gpu, const char *user, const char *job,
    int mib, const char *name)
{
	h->procs = xreallocarray(h->procs, (size_t)h->nprocs + 1, sizeof *h->procs);
	struct gpu_proc *p = &h->procs[h->nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->gpu = gpu;
	p->mem_used_bytes = mib < 0 ? -1 : (int64_t)mib << 20;
	snprintf(p->user, sizeof p->user, "%s", user);
	snprintf(p->job, sizeof p->job, "%s", job);
	snprintf(p->name, sizeof p->name, "%s", name);
}

/* --procs: the processes of GPU node n (1-based) and the idle GPUs' utilisation. */
static void
procs_fill(struct host_status *h, int n)
{
	switch (n) {
	case 1:
		for (int i = 0; i < 5; i++)
			proc_add(h, 41230 + i, 0, "alice", "48219", 12000 + 1000 * i,
			    "/opt/conda/bin/python train.py");
		proc_add(h, 41300, 1, "bob", "", -1, "/usr/bin/nvidia-cuda-mps-server");
		break;
	case 2:
		h->gpus[3].util_pct = 2;
		proc_add(h, 52001, 3, "carol", "48230", 2048, "/usr/bin/python3 serve.py");
		break;
	case 3:
		h->gpus[1].util_pct = 0;
		proc_add(h, 63001, 1, "root", "", 512, "/usr/local/bin/jupyter-lab");
		break;
	case 4:
		h->gpus[0].util_pct = 1;
		for (int i = 0; i < 4; i++)
			proc_add(h, 74001 + i, 0, "dave", "48231", 900, "./a.out");
		break;
	case 5:
		h->gpus[2].util_pct = 3;	/* idle, but no process: free */
		break;
	}
}

static void
linux_figures(struct host_status *h, int cores, double busy)
{
	h->cores = cores;
	free(h->core_pct);
	h->core_pct = xcalloc((size_t)cores, sizeof *h->core_pct);
	double sum = 0;
	for (int c = 0; c < cores; c++) {
		h->core_pct[c] = rnd(busy * 0.5, busy < 50 ? busy * 1.5 : 100);
		sum += h->core_pct[c];
	}
	h->cpu_pct = sum / cores;
	h->mem_total = (uint64_t)512 << 30;
	h->mem_used = (uint64_t)(rnd(0.2, 0.7) * (double)h->mem_total);
	h->swap_total = (uint64_t)8 << 30;
	h->swap_used = 0;
	h->load[0] = busy / 100.0 * cores;
	h->load[1] = h->load[0] * 0.9;
	h->load[2] = h->load[0] * 0.8;
	h->uptime_s = 86400 * 12 + 3600 * 5;
	h->net_rx_bps = rnd(1e6, 1e8);
	h->net_tx_bps = rnd(1e6, 1e8);
	h->disk_read_bps = rnd(0, 5e7);
	h->disk_write_bps = rnd(0, 5e7);
}

int
main(int argc, char **argv)
{
	struct store *st;
	char *cause = NULL;
	int nodes = 6, down = 0, age = 0, samples = 5, evil = 0, swap = 0, timeline = 0;
	int procs = 0;
	int64_t every = 2000;

	if (argc < 2) {
		fprintf(stderr, "usage: console_fill DB [--nodes N] [--down D] [--age S]"
		    " [--samples K] [--evil] [--swap]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc)
			nodes = atoi(argv[++i]);
		else if (strcmp(argv[i], "--down") == 0 && i + 1 < argc)
			down = atoi(argv[++i]);
		else if (strcmp(argv[i], "--age") == 0 && i + 1 < argc)
			age = atoi(argv[++i]);
		else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
			samples = atoi(argv[++i]);
		else if (strcmp(argv[i], "--evil") == 0)
			evil = 1;
		else if (strcmp(argv[i], "--procs") == 0)
			procs = 1;
		else if (strcmp(argv[i], "--swap") == 0)
			swap = 1;
		else if (strcmp(argv[i], "--timeline") == 0)
			timeline = 1;
		else {
			fprintf(stderr, "console_fill: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (store_open(argv[1], STORE_WRITER, &st, &cause) != 0) {
		fprintf(stderr, "console_fill: %s\n", cause);
		return 1;
	}
	int64_t now = now_wall_ms() - (int64_t)age * 1000;
	if (timeline) {
		samples = 91;
		every = 60000;
	}
	for (int s = 0; s < samples; s++) {
		int64_t t = now - (int64_t)(samples - 1 - s) * every;
		if (timeline)
			lcg = 12345;	/* the same figures at every tick */
		if (store_begin(st, &cause) != 0) {
			fprintf(stderr, "console_fill: %s\n", cause);
			return 1;
		}
		for (int n = 1; n <= nodes; n++) {
			struct host_status h;
			host_status_init(&h);
			snprintf(h.name, sizeof h.name, "gpu%03d", n);
			snprintf(h.group, sizeof h.group, "gpu-a100");
			h.kind = GROUP_NODE;
			h.state = HOST_UP;
			h.state_since_ms = now - 3600 * 1000 * (timeline ? 2 : 1);
			h.sample_ms = t;
			linux_figures(&h, 16, n * 13 % 100);
			if (timeline && n == 2 && t >= now - 40 * 60000 && t < now - 20 * 60000) {
				h.state = HOST_DOWN;	/* no new sample while down */
				h.state_since_ms = now - 40 * 60000;
				h.sample_ms = now - 40 * 60000 - 60000;
				snprintf(h.error, sizeof h.error, "connection refused");
			} else if (timeline && n == 2 && t >= now - 20 * 60000) {
				h.state_since_ms = now - 20 * 60000;
			}
			if (swap && n == 2)
				h.swap_used = h.swap_total / 4;
			h.ngpus = 4;
			h.gpus = xcalloc(4, sizeof *h.gpus);
			for (int g = 0; g < 4; g++) {
				struct gpu_sample *gs = &h.gpus[g];
				gs->index = g;
				snprintf(gs->uuid, sizeof gs->uuid, "GPU-%03d-%d", n, g);
				snprintf(gs->name, sizeof gs->name, "NVIDIA A100-SXM4-80GB");
				gs->util_pct = (n * 17 + g * 23 + (timeline ? 0 : s) * 5) % 100;
				gs->mem_util_pct = 30;
				gs->mem_total_bytes = (uint64_t)80 << 30;
				gs->mem_used_bytes = (uint64_t)(40 + g) << 30;
				gs->temp_c = 55 + n % 30;
				gs->power_w = 250;
				gs->power_limit_w = 400;
				gs->ecc_uncorrected = 0;
			}
			if (procs)
				procs_fill(&h, n);
			if (evil && n == 1)
				snprintf(h.gpus[0].name, sizeof h.gpus[0].name,
				    "\x1b]2;PWNED-TITLE\x07" "A100\x1b[2J\x1b[31mEVIL");
			put(st, &h);
			host_status_free(&h);
		}
		static const struct {
			const char *name;
			enum host_state state;
			const char *error;
		} cpu[] = {
			{ "cpu001", HOST_DOWN, "connection refused" },
			{ "cpu002", HOST_TIMEOUT, "no frame for 10s" },
			{ "cpu003", HOST_STALE, "last sample 40s ago" },
		};
		for (int c = 0; c < 3 + down; c++) {
			struct host_status h;
			host_status_init(&h);
			snprintf(h.group, sizeof h.group, "cpu");
			h.kind = GROUP_NODE;
			if (c < 3) {
				snprintf(h.name, sizeof h.name, "%s", cpu[c].name);
				h.state = cpu[c].state;
				snprintf(h.error, sizeof h.error, "%s", cpu[c].error);
			} else {
				snprintf(h.name, sizeof h.name, "cpu%03d", c + 1);
				h.state = HOST_DOWN;
				snprintf(h.error, sizeof h.error, "connection refused");
			}
			h.state_since_ms = now - 60000 * (int64_t)(c + 1);
			h.sample_ms = t - 60000;
			linux_figures(&h, 8, 20);
			put(st, &h);
			host_status_free(&h);
		}
		static const char *const kr[] = { "에너지진단-01", "에너지거래-02" };
		for (int c = 0; c < 2; c++) {
			struct host_status h;
			host_status_init(&h);
			snprintf(h.name, sizeof h.name, "%s", kr[c]);
			snprintf(h.group, sizeof h.group, "광주 에너지 실증센터");
			h.kind = GROUP_TESTBED;
			h.state = HOST_UP;
			h.state_since_ms = now - 7200 * 1000;
			h.sample_ms = t;
			linux_figures(&h, 4, 35);
			if (evil && c == 0)
				snprintf(h.name, sizeof h.name, "evil\x1b]2;PWNED-NAME\x07\x1b[1;1H");
			put(st, &h);
			host_status_free(&h);
		}
		if (store_commit(st, &cause) != 0) {
			fprintf(stderr, "console_fill: %s\n", cause);
			return 1;
		}
	}
	store_close(st);
	return 0;
}
