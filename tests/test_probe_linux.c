/*
 * test_probe_linux.c: the linux probe's parser on real /proc output (this
 * machine twice, a 128-core server, an lxcfs container, a laptop, an old
 * kernel), CPU and memory arithmetic, and malformed input.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/buf.h"
#include "opsdeck/probe.h"
#include "opsdeck/util.h"

#define KB(x) ((uint64_t)(x) * 1024)

/* Parses fixture tests/fixtures/linux/NAME into r; the test fails on error. */
static void
parse_fixture(const char *name, struct host_report *r)
{
	const char *dir = getenv("FIXTURES");
	char *path = xasprintf("%s/linux/%s", dir != NULL ? dir : "tests/fixtures", name);
	char *data, *cause = NULL;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, &cause) != 0)
		fail_msg("%s", cause);
	memset(r, 0, sizeof *r);
	/* the parser gets exactly len bytes: no NUL after them */
	char *exact = xmalloc(len ? len : 1);
	memcpy(exact, data, len);
	int rc = probe_linux.parse(exact, len, r, &cause);
	if (rc != 0)
		fail_msg("%s: %s", name, cause);
	assert_null(cause);
	free(exact);
	free(data);
	free(path);
}

static int
parse_str(const char *s, struct host_report *r, char **cause)
{
	memset(r, 0, sizeof *r);
	*cause = NULL;
	return probe_linux.parse(s, strlen(s), r, cause);
}

static const struct net_stat *
net_find(const struct linux_sample *s, const char *name)
{
	for (int i = 0; i < s->nnets; i++)
		if (strcmp(s->nets[i].name, name) == 0)
			return &s->nets[i];
	return NULL;
}

static const struct disk_stat *
disk_find(const struct linux_sample *s, const char *name)
{
	for (int i = 0; i < s->ndisks; i++)
		if (strcmp(s->disks[i].name, name) == 0)
			return &s->disks[i];
	return NULL;
}

static void
test_vm_this_machine(void **state)
{
	struct host_report r;
	parse_fixture("vm-2core-a.txt", &r);
	const struct linux_sample *s = &r.linux;
	assert_int_equal(s->have, LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO | LINUX_HAVE_LOADAVG |
	    LINUX_HAVE_UPTIME | LINUX_HAVE_NETDEV | LINUX_HAVE_DISKSTATS |
	    LINUX_HAVE_MEMAVAILABLE);
	/* cpu  3290 0 2464 92341 1133 0 29 78 0 0 */
	assert_int_equal(s->total.user, 3290);
	assert_int_equal(s->total.nice, 0);
	assert_int_equal(s->total.system, 2464);
	assert_int_equal(s->total.idle, 92341);
	assert_int_equal(s->total.iowait, 1133);
	assert_int_equal(s->total.irq, 0);
	assert_int_equal(s->total.softirq, 29);
	assert_int_equal(s->total.steal, 78);
	assert_int_equal(s->ncores, 2);
	/* cpu1 1974 0 1538 44996 1085 0 23 46 0 0 */
	assert_int_equal(s->cores[1].user, 1974);
	assert_int_equal(s->cores[1].idle, 44996);
	assert_int_equal(s->cores[1].steal, 46);
	assert_int_equal(s->ctxt, 298855);
	assert_int_equal(s->processes, 11801);
	assert_int_equal(s->procs_running, 5);
	assert_int_equal(s->procs_blocked, 0);
	assert_int_equal(s->mem_total, KB(24684096));
	assert_int_equal(s->mem_free, KB(24275728));
	assert_int_equal(s->mem_available, KB(24332124));
	assert_int_equal(s->buffers, KB(1408));
	assert_int_equal(s->cached, KB(242284));
	assert_int_equal(s->sreclaimable, KB(55176));
	assert_int_equal(s->shmem, KB(8788));
	assert_int_equal(s->swap_total, 0);
	assert_int_equal(s->swap_free, 0);
	assert_int_equal(linux_mem_used(s), KB(24684096 - 24332124));
	assert_true(s->load[0] == 0.01 && s->load[1] == 0.05 && s->load[2] == 0.02);
	assert_int_equal(s->tasks_running, 3);
	assert_int_equal(s->tasks_total, 104);
	assert_true(s->uptime_s == 498.67 && s->idle_s == 923.41);
	assert_int_equal(s->nnets, 4);
	assert_string_equal(s->nets[0].name, "lo");
	const struct net_stat *eth0 = net_find(s, "eth0");
	assert_non_null(eth0);
	assert_int_equal(eth0->rx_bytes, 22770534);
	assert_int_equal(eth0->rx_packets, 562);
	assert_int_equal(eth0->tx_bytes, 32682);
	assert_int_equal(eth0->tx_packets, 382);
	/* loop0-7 and zram0 never did I/O: skipped */
	assert_int_equal(s->ndisks, 1);
	assert_string_equal(s->disks[0].name, "vda");
	/* 254 0 vda 35031 6169 2800578 32856 7718 6155 298304 1416 0 13524 ... */
	assert_int_equal(s->disks[0].reads, 35031);
	assert_int_equal(s->disks[0].sectors_read, 2800578);
	assert_int_equal(s->disks[0].writes, 7718);
	assert_int_equal(s->disks[0].sectors_written, 298304);
	assert_int_equal(s->disks[0].io_ms, 13524);
	report_free(&r);
}

static void
test_vm_cpu_util(void **state)
{
	struct host_report a, b;
	parse_fixture("vm-2core-a.txt", &a);
	parse_fixture("vm-2core-b.txt", &b);
	/* total: busy +349 user +53 system +1 steal = 403, idle +2: 403/405 */
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, -1), 100.0 * 403 / 405, 1e-9);
	/* cpu0: busy 171+30 = 201, idle +1 +1 iowait */
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 0), 100.0 * 201 / 203, 1e-9);
	/* cpu1: busy 178+24 = 202, idle +1 */
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 1), 100.0 * 202 / 203, 1e-9);
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 2), -1, 0);
	assert_float_equal(cpu_util_pct(&a.linux, &a.linux, -1), -1, 0);	/* no time */
	assert_float_equal(cpu_util_pct(&b.linux, &a.linux, -1), -1, 0);	/* went back */
	report_free(&a);
	report_free(&b);
}

static void
test_server_128_cores(void **state)
{
	struct host_report a, b;
	parse_fixture("server-epyc-128core-a.txt", &a);
	parse_fixture("server-epyc-128core-b.txt", &b);
	const struct linux_sample *s = &a.linux;
	assert_int_equal(s->ncores, 128);
	assert_int_equal(s->total.user, 32009030208ull);
	assert_int_equal(s->total.nice, 162112);
	assert_int_equal(s->total.system, 1242225856ull);
	assert_int_equal(s->total.idle, 15362544064ull);
	assert_int_equal(s->total.iowait, 5155136);
	assert_int_equal(s->total.softirq, 7832384);
	assert_int_equal(s->cores[64].user, 250071104);
	assert_int_equal(s->cores[127].nice, 1203 + 127);
	assert_int_equal(s->ctxt, 981234567890ull);
	assert_int_equal(s->processes, 412398712);
	assert_int_equal(s->procs_running, 67);
	assert_int_equal(s->procs_blocked, 1);
	/* 1 TiB server */
	assert_int_equal(s->mem_total, KB(1056508940));
	assert_int_equal(s->mem_available, KB(731255804));
	assert_int_equal(s->cached, KB(498811236));
	assert_int_equal(s->swap_total, KB(8388604));
	assert_int_equal(linux_mem_used(s), KB(1056508940 - 731255804));
	assert_true(s->load[0] == 71.38 && s->load[1] == 70.92 && s->load[2] == 70.15);
	assert_int_equal(s->tasks_running, 67);
	assert_int_equal(s->tasks_total, 2381);
	assert_true(s->uptime_s == 3861245.37 && s->idle_s == 190282171.83);
	/* 5.15 glues big counters to the colon: "ens1f0np0:912345678901234" */
	assert_int_equal(s->nnets, 8);
	const char *nets[] = { "lo", "eno1", "eno2", "ens1f0np0", "ens1f1np1", "ib0", "ib1",
	    "docker0" };
	for (int i = 0; i < 8; i++)
		assert_string_equal(s->nets[i].name, nets[i]);
	const struct net_stat *n = net_find(s, "ens1f0np0");
	assert_int_equal(n->rx_bytes, 912345678901234ull);
	assert_int_equal(n->rx_packets, 640123456789ull);
	assert_int_equal(n->rx_drop, 3);
	assert_int_equal(n->tx_bytes, 887766554433221ull);
	assert_int_equal(n->tx_packets, 620111222333ull);
	const struct net_stat *nb = net_find(&b.linux, "ens1f0np0");
	assert_int_equal(nb->rx_bytes - n->rx_bytes, 11800000000ull);	/* 94.4 Gbit/s */
	assert_int_equal(net_find(s, "eno1")->rx_drop, 12);
	/* loop6, loop7 never used; loop0-5 (snaps), nvme0n1 + 2 partitions, nvme1-4n1, md0 */
	assert_int_equal(s->ndisks, 14);
	assert_null(disk_find(s, "loop6"));
	const struct disk_stat *d = disk_find(s, "nvme0n1");
	assert_int_equal(d->reads, 1812345);
	assert_int_equal(d->sectors_read, 98123456);
	assert_int_equal(d->writes, 9123456);
	assert_int_equal(d->sectors_written, 712345678);
	assert_int_equal(d->io_ms, 5512345);
	assert_non_null(disk_find(s, "nvme0n1p2"));
	assert_int_equal(disk_find(s, "nvme4n1")->sectors_read, 233456809012ull);
	assert_int_equal(disk_find(s, "md0")->io_ms, 0);
	/* 1 s later: cores 0-63 at 98 %, 64-127 at 25 %: (64*98 + 64*25) / 12800 */
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, -1), 61.5, 1e-9);
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 0), 98.0, 1e-9);
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 63), 98.0, 1e-9);
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 64), 25.0, 1e-9);
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 127), 25.0, 1e-9);
	assert_float_equal(cpu_util_pct(&a.linux, &b.linux, 128), -1, 0);
	report_free(&a);
	report_free(&b);
}

/*
 * A kept sample (linux_sample_keep) gives every core the figure the full one
 * gives (the 128-core EPYC and the VM fixtures, real captures), holds no
 * cpu_times, and its 12-byte sums count right across 2^32, say where a
 * counter went back, and a reboot.
 */
static void
test_sample_keep(void **state)
{
	static const char *pairs[][2] = {
		{ "server-epyc-128core-a.txt", "server-epyc-128core-b.txt" },
		{ "vm-2core-a.txt", "vm-2core-b.txt" },
	};
	for (size_t k = 0; k < 2; k++) {
		struct host_report a, b, kept;
		parse_fixture(pairs[k][0], &a);
		parse_fixture(pairs[k][1], &b);
		parse_fixture(pairs[k][0], &kept);
		linux_sample_keep(&kept.linux);
		assert_null(kept.linux.cores);
		assert_non_null(kept.linux.sums);
		assert_true(malloc_usable_size(kept.linux.sums) <
		    (size_t)a.linux.ncores * sizeof *a.linux.cores / 4);
		assert_int_equal(kept.linux.ncores, a.linux.ncores);
		for (int i = -1; i <= a.linux.ncores; i++)
			assert_float_equal(cpu_util_pct(&kept.linux, &b.linux, i),
			    cpu_util_pct(&a.linux, &b.linux, i), 1e-9);
		report_free(&a);
		report_free(&b);
		report_free(&kept);
	}

	/* one core by hand: [0] kept, [1] the next reading */
	struct cpu_times t[2] = { { 0 } };
	struct linux_sample p = { .have = LINUX_HAVE_STAT, .ncores = 1 };
	struct linux_sample c = { .have = LINUX_HAVE_STAT, .ncores = 1, .cores = &t[1] };
	/* busy over 2^32 in between: 300 busy, 100 idle */
	t[0] = (struct cpu_times){ .user = 0xFFFFFF00u, .system = 50, .idle = 1000 };
	t[1] = (struct cpu_times){ .user = 0x100000000ull + 0x2C, .system = 50, .idle = 1100 };
	p.cores = xmalloc(sizeof *p.cores);
	p.cores[0] = t[0];
	linux_sample_keep(&p);
	assert_float_equal(cpu_util_pct(&p, &c, 0), 75.0, 1e-9);
	/* iowait went back by more than idle grew: idle counts 0, busy 100 % */
	p.sums[0] = (struct cpu_sums){ 1000, 5000, 0 };
	t[1] = (struct cpu_times){ .user = 1100, .idle = 4990 };
	assert_float_equal(cpu_util_pct(&p, &c, 0), 100.0, 1e-9);
	/* everything went back (a reboot): unknown; an unknown line too */
	t[1] = (struct cpu_times){ .user = 10, .idle = 20 };
	assert_float_equal(cpu_util_pct(&p, &c, 0), -1, 0);
	p.sums[0].unknown = 1;
	t[1] = (struct cpu_times){ .user = 2000, .idle = 6000 };
	assert_float_equal(cpu_util_pct(&p, &c, 0), -1, 0);
	free(p.sums);
}

static void
test_container(void **state)
{
	struct host_report r;
	parse_fixture("container-lxc-4cpu.txt", &r);
	const struct linux_sample *s = &r.linux;
	/* diskstats unreadable: the section is there but empty */
	assert_int_equal(s->have, LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO | LINUX_HAVE_LOADAVG |
	    LINUX_HAVE_UPTIME | LINUX_HAVE_NETDEV | LINUX_HAVE_MEMAVAILABLE);
	assert_int_equal(s->ndisks, 0);
	assert_null(s->disks);
	assert_int_equal(s->ncores, 4);
	assert_int_equal(s->cores[3].user, 815345);
	assert_int_equal(s->total.user, 812345 * 4 + 6000);
	assert_int_equal(s->mem_total, KB(8388608));	/* the cgroup limit */
	assert_int_equal(s->mem_available, KB(7305216));
	assert_int_equal(s->buffers, 0);
	assert_int_equal(linux_mem_used(s), KB(8388608 - 7305216));
	assert_int_equal(s->nnets, 2);
	assert_string_equal(s->nets[0].name, "lo");
	assert_string_equal(s->nets[1].name, "eth0");
	assert_int_equal(s->nets[1].rx_bytes, 4512334871ull);
	assert_int_equal(s->nets[1].tx_packets, 1820012);
	assert_true(s->uptime_s == 86412.0 && s->idle_s == 343104.0);
	assert_int_equal(s->tasks_total, 187);
	report_free(&r);
}

static void
test_laptop_idle(void **state)
{
	struct host_report r;
	parse_fixture("laptop-4core-idle.txt", &r);
	const struct linux_sample *s = &r.linux;
	assert_int_equal(s->ncores, 4);
	assert_int_equal(s->total.idle, 4012345 * 4 + 1201 * 6);
	assert_int_equal(s->cores[2].idle, 4012345 + 2 * 1201);
	assert_int_equal(s->mem_total, KB(16079528));
	assert_int_equal(s->swap_free, KB(4194300));
	assert_int_equal(s->shmem, KB(532200));
	assert_int_equal(linux_mem_used(s), KB(16079528 - 12903744));
	assert_true(s->load[0] == 0.08 && s->load[1] == 0.12 && s->load[2] == 0.10);
	assert_int_equal(s->nnets, 3);
	const struct net_stat *w = net_find(s, "wlp0s20f3");
	assert_non_null(w);
	assert_int_equal(w->rx_bytes, 1912344123);
	assert_int_equal(w->tx_bytes, 212344512);
	/* 12 snap loops, nvme0n1 and 3 partitions */
	assert_int_equal(s->ndisks, 16);
	const struct disk_stat *p3 = disk_find(s, "nvme0n1p3");
	assert_non_null(p3);
	assert_int_equal(p3->reads, 210812);
	assert_int_equal(p3->sectors_written, 9812330);
	assert_int_equal(p3->io_ms, 97812);
	/* busy share since boot: (user+nice+system+irq+softirq) / all */
	struct linux_sample zero;
	memset(&zero, 0, sizeof zero);
	zero.have = LINUX_HAVE_STAT;
	double since_boot = cpu_util_pct(&zero, s, -1);
	assert_true(since_boot > 0 && since_boot < 1.0);
	report_free(&r);
}

static void
test_old_kernel(void **state)
{
	struct host_report r;
	parse_fixture("rhel5-2.6.18-8core.txt", &r);
	const struct linux_sample *s = &r.linux;
	/* no MemAvailable, SReclaimable or Shmem before 3.14 / 2.6.19 / 2.6.32 */
	assert_int_equal(s->have & LINUX_HAVE_MEMAVAILABLE, 0);
	assert_int_equal(s->have & LINUX_HAVE_MEMINFO, LINUX_HAVE_MEMINFO);
	assert_int_equal(s->mem_available, 0);
	assert_int_equal(s->sreclaimable, 0);
	assert_int_equal(linux_mem_used(s), KB(16439508 - 152140 - 391396 - 14263808));
	/* 8 numbers per cpu line */
	assert_int_equal(s->ncores, 8);
	assert_int_equal(s->total.user, 14526752);
	assert_int_equal(s->total.irq, 9900);
	assert_int_equal(s->total.steal, 0);
	assert_int_equal(s->ctxt, 4123456789ull);
	assert_int_equal(s->procs_blocked, 1);
	/* ram0-15 skipped; old 7-field partition lines */
	assert_int_equal(s->ndisks, 4);
	const struct disk_stat *p = disk_find(s, "sda2");
	assert_non_null(p);
	assert_int_equal(p->reads, 9921234);
	assert_int_equal(p->sectors_read, 212310222);
	assert_int_equal(p->writes, 72468901);
	assert_int_equal(p->sectors_written, 579762345);
	assert_int_equal(p->io_ms, 0);
	assert_int_equal(disk_find(s, "sda")->io_ms, 51234567);
	assert_int_equal(net_find(s, "eth0")->rx_bytes, 3123456789ull);
	assert_int_equal(net_find(s, "eth0")->rx_packets, 912345678);
	assert_true(s->uptime_s == 8123456.78);
	report_free(&r);
}

/* Every prefix of every fixture parses or fails cleanly, never past its length. */
static void
test_every_prefix(void **state)
{
	const char *names[] = { "vm-2core-a.txt", "container-lxc-4cpu.txt",
	    "rhel5-2.6.18-8core.txt", "sysstat-root1.txt", "pcp-haswell-vm-4cpu.txt" };
	for (size_t k = 0; k < OD_ARRAY_LEN(names); k++) {
		char *path = xasprintf("%s/linux/%s", getenv("FIXTURES"), names[k]);
		char *data, *cause = NULL;
		size_t len;
		if (read_file(path, 1 << 22, &data, &len, &cause) != 0)
			fail_msg("%s", cause);
		for (size_t n = 0; n <= len; n++) {
			char *exact = xmalloc(n ? n : 1);
			memcpy(exact, data, n);
			struct host_report r;
			memset(&r, 0, sizeof r);
			cause = NULL;
			int rc = probe_linux.parse(exact, n, &r, &cause);
			assert_true(rc == 0 || cause != NULL);
			free(cause);
			report_free(&r);
			free(exact);
		}
		free(data);
		free(path);
	}
}

/*
 * Real /proc captures from other projects' test data, several kernels
 * (tests/fixtures/linux/README: where each came from, which kernel): every
 * one parses without a warning, with these figures.
 */
static void
test_real_pcp_meminfo_kernels(void **state)
{
	struct host_report r;
	/* 32 x Xeon E5-2690, MemAvailable, no CmaTotal (3.14 to 4.x, likely RHEL 7) */
	parse_fixture("pcp-xeon-e5-2690-32cpu.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO |
	    LINUX_HAVE_MEMAVAILABLE);
	assert_int_equal(r.linux.ncores, 32);
	assert_true(r.linux.total.user == 2310228 && r.linux.total.idle == 7249304504ULL);
	assert_true(r.linux.ctxt == 9485934380ULL && r.linux.processes == 3934792);
	assert_true(r.linux.mem_total == KB(131831052) && r.linux.mem_available == KB(118425544));
	assert_true(r.linux.swap_total == KB(4194300) && r.linux.swap_free == KB(4194300));
	assert_int_equal(linux_mem_used(&r.linux), 13727240192ULL);
	report_free(&r);
	/* a 4-CPU Haswell guest, ShmemHugePages (4.8 to 4.15): steal time counted */
	parse_fixture("pcp-haswell-vm-4cpu.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.ncores, 4);
	assert_true(r.linux.total.steal == 474 && r.linux.total.idle == 608596);
	assert_int_equal(linux_mem_used(&r.linux), 645091328ULL);
	report_free(&r);
	/* a 2-CPU Nehalem guest, Hugetlb but no KReclaimable (4.16 to 4.19) */
	parse_fixture("pcp-nehalem-vm-2cpu.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.ncores, 2);
	assert_true(r.linux.total.steal == 259245 && r.linux.ctxt == 732017681);
	assert_true(r.linux.shmem == 207560704ULL);
	assert_int_equal(linux_mem_used(&r.linux), 1016340480ULL);
	report_free(&r);
	/* an 8-thread i7-4810MQ, KReclaimable, FileHugePages (5.4 or later) */
	parse_fixture("pcp-i7-4810mq-8cpu.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.ncores, 8);
	assert_true(r.linux.mem_total == 8337129472ULL && r.linux.buffers == 1708032);
	assert_int_equal(linux_mem_used(&r.linux), 961413120ULL);
	report_free(&r);
}

static void
test_real_pcp_big_and_new(void **state)
{
	struct host_report r;
	/* HP BL920s Gen8: 480 CPUs, 9 numbers a cpu line, 48 NICs, 14-field diskstats */
	parse_fixture("pcp-hp-bl920-gen8-480cpu.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT | LINUX_HAVE_NETDEV |
	    LINUX_HAVE_DISKSTATS);
	assert_int_equal(r.linux.ncores, 480);
	for (int i = 0; i < 480; i++)
		assert_false(r.linux.cores[i].unknown);
	assert_true(r.linux.total.user == 17330 && r.linux.total.idle == 869208946);
	assert_int_equal(r.linux.nnets, 49);
	assert_true(net_find(&r.linux, "eth0")->rx_bytes == 14948502);
	assert_non_null(net_find(&r.linux, "eth47"));
	assert_int_equal(r.linux.ndisks, 83);
	const struct disk_stat *d = disk_find(&r.linux, "sdb");
	assert_true(d->reads == 25964 && d->sectors_read == 807513 && d->writes == 9777 &&
	    d->sectors_written == 753466 && d->io_ms == 20388);
	report_free(&r);
	/* 40 CPUs, 20-field diskstats (5.5 or later), no meminfo or net/dev in the capture */
	parse_fixture("pcp-40cpu-5.x.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT | LINUX_HAVE_DISKSTATS);
	assert_int_equal(r.linux.ncores, 40);
	assert_true(r.linux.ctxt == 12321263180ULL && r.linux.processes == 281340697);
	assert_int_equal(r.linux.ndisks, 12);
	d = disk_find(&r.linux, "sda");
	assert_true(d->reads == 468523 && d->sectors_written == 1755575097ULL &&
	    d->io_ms == 5473654);
	report_free(&r);
	/* kernel 4.15.14, a laptop's net/dev: tun, wlan, bridges, docker */
	parse_fixture("pcp-procnet-4.15.14.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have, LINUX_HAVE_NETDEV);
	assert_int_equal(r.linux.nnets, 9);
	const struct net_stat *n = net_find(&r.linux, "enp0s25");
	assert_true(n->rx_bytes == 18690974820ULL && n->tx_bytes == 3777745438ULL);
	assert_true(net_find(&r.linux, "tun0")->tx_bytes == 120529230);
	report_free(&r);
}

static void
test_real_exporter_and_sysstat(void **state)
{
	struct host_report r;
	/* prometheus/procfs: 10-number cpu lines, no MemAvailable, Zswap lines, mixed diskstats */
	parse_fixture("procfs-testdata.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO | LINUX_HAVE_LOADAVG |
	    LINUX_HAVE_NETDEV | LINUX_HAVE_DISKSTATS);
	assert_int_equal(r.linux.ncores, 8);
	assert_true(r.linux.total.user == 301854 && r.linux.procs_blocked == 1);
	assert_true(r.linux.mem_total == KB(15666184));
	/* free(1) before MemAvailable: free + buffers + cache + reclaimable slab */
	assert_int_equal(linux_mem_used(&r.linux), 471007232ULL);
	assert_true(r.linux.load[0] == 0.02 && r.linux.tasks_total == 497);
	assert_true(net_find(&r.linux, "vethf345468")->rx_bytes == 648);
	assert_true(net_find(&r.linux, "eth0")->tx_bytes == 563352563);
	assert_int_equal(r.linux.ndisks, 27);
	assert_true(disk_find(&r.linux, "dm-0")->sectors_read == 1003337218ULL);
	assert_null(disk_find(&r.linux, "ram0"));	/* never did I/O */
	report_free(&r);
	/* prometheus/node_exporter: a pre-3.14 meminfo */
	parse_fixture("node-exporter-testdata.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have & LINUX_HAVE_MEMAVAILABLE, 0);
	assert_true(r.linux.mem_total == KB(3742148) && r.linux.swap_free == KB(3155360));
	assert_int_equal(linux_mem_used(&r.linux), 2579431424ULL);
	assert_true(r.linux.load[2] == 0.39 && r.linux.tasks_total == 719);
	assert_int_equal(r.linux.ndisks, 26);
	report_free(&r);
	/* sysstat's tests/root1: all six files; 17- and 21-field diskstats lines */
	parse_fixture("sysstat-root1.txt", &r);
	assert_null(r.warnings);
	assert_int_equal(r.linux.have, 0x7f);
	assert_int_equal(r.linux.ncores, 9);
	assert_true(r.linux.uptime_s == 7192.55 && r.linux.idle_s == 29212.05);
	assert_true(r.linux.load[0] == 3.16 && r.linux.tasks_running == 4);
	assert_int_equal(linux_mem_used(&r.linux), 3845574656ULL);
	assert_int_equal(r.linux.nnets, 6);
	assert_true(net_find(&r.linux, "enp6s0")->rx_bytes == 205916976);
	assert_true(disk_find(&r.linux, "sdr")->io_ms == 97087);
	report_free(&r);
}

/* The warnings of r, or "" for none. */
static const char *
warns(const struct host_report *r)
{
	return r->warnings != NULL ? r->warnings : "";
}

/*
 * A bad line costs only itself: the rest of the report stays, the figures
 * the line fed are unknown, and a warning names the probe, the /proc file
 * and the line within it.
 */
static void
test_bad_lines_cost_only_themselves(void **state)
{
	struct host_report r;
	char *cause;
	/* a bad cpuN line: that core unknown, the others and the total read */
	assert_int_equal(parse_str("== stat\ncpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 x 3 4\n"
	    "cpu2 5 6 7 8\n", &r, &cause), 0);
	assert_null(cause);
	assert_string_equal(warns(&r), "linux: /proc/stat line 3: bad number 'x'");
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT);
	assert_int_equal(r.linux.ncores, 3);
	assert_true(!r.linux.cores[0].unknown && r.linux.cores[1].unknown &&
	    !r.linux.cores[2].unknown);
	assert_true(r.linux.cores[2].user == 5);
	assert_float_equal(cpu_util_pct(&r.linux, &r.linux, 1), -1, 0);
	report_free(&r);
	/* a bad "cpu" line: CPU use unknown, the rest of /proc/stat and the other files read */
	assert_int_equal(parse_str("== stat\ncpu  1 2 3\nctxt 77\n== loadavg\n1 2 3 4/5 6\n",
	    &r, &cause), 0);
	assert_string_equal(warns(&r),
	    "linux: /proc/stat line 1: cpu line with fewer than 4 numbers");
	assert_int_equal(r.linux.have, LINUX_HAVE_LOADAVG);
	assert_true(r.linux.ctxt == 77);
	report_free(&r);
	assert_int_equal(parse_str("== stat\ncpu 1 2 3 4\nctxt -5\nprocesses 99999999999999999999\n",
	    &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/stat line 2: bad number '-5'\n"
	    "linux: /proc/stat line 3: bad number '99999999999999999999'");
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT);
	report_free(&r);
	/* meminfo: a bad MemFree with MemAvailable there costs only MemFree */
	assert_int_equal(parse_str("== meminfo\nMemTotal: 100 kB\nMemFree:  12a kB\n"
	    "MemAvailable: 60 kB\n", &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/meminfo line 2: bad number '12a'");
	assert_int_equal(r.linux.have, LINUX_HAVE_MEMINFO | LINUX_HAVE_MEMAVAILABLE);
	assert_int_equal(linux_mem_used(&r.linux), KB(40));
	report_free(&r);
	/* ... without MemAvailable, memory in use is unknown */
	assert_int_equal(parse_str("== meminfo\nMemTotal: 100 kB\nMemFree:  12a kB\n"
	    "== uptime\n1 2\n", &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/meminfo line 2: bad number '12a'\n"
	    "linux: /proc/meminfo: neither MemAvailable nor MemFree: memory in use unknown");
	assert_int_equal(r.linux.have, LINUX_HAVE_UPTIME);
	report_free(&r);
	/* a bad swap line hides swap rather than showing it full */
	assert_int_equal(parse_str("== meminfo\nMemTotal: 100 kB\nMemAvailable: 50 kB\n"
	    "SwapTotal: 64 kB\nSwapFree: 6 4 kB\n", &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/meminfo line 4: expected 'N kB'");
	assert_true(r.linux.swap_total == 0 && r.linux.swap_free == 0);
	report_free(&r);
	assert_int_equal(parse_str("== meminfo\nMemTotal: 1 MB\n== loadavg\n1 2 3 4/5 6\n",
	    &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/meminfo line 1: expected 'N kB'");
	assert_int_equal(r.linux.have, LINUX_HAVE_LOADAVG);
	report_free(&r);
	assert_int_equal(parse_str("== meminfo\nMemFree: 1 kB\n== uptime\n1 2\n", &r, &cause),
	    0);
	assert_string_equal(warns(&r), "linux: /proc/meminfo: no MemTotal: memory unknown");
	report_free(&r);
	/* loadavg, uptime: one line each, lost alone */
	assert_int_equal(parse_str("== loadavg\n0.1 0.2 zz 1/2 3\n== uptime\n12.5\n"
	    "== net/dev\nh1\nh2\n eth0: 1 2 3\n  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
	    &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/loadavg line 1: bad number 'zz'\n"
	    "linux: /proc/uptime line 1: expected 'UPTIME IDLE'\n"
	    "linux: /proc/net/dev line 3: expected 16 numbers");
	assert_int_equal(r.linux.have, LINUX_HAVE_NETDEV);
	assert_int_equal(r.linux.nnets, 1);
	assert_string_equal(r.linux.nets[0].name, "lo");
	report_free(&r);
	assert_int_equal(parse_str("== diskstats\n 8 0 sda 1 2 3 4 5 6 7 8 9 10 1e3\n"
	    " 8 16 sdb 1 2 3 4 5 6 7 8 9 10 11\n", &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/diskstats line 1: bad number '1e3'");
	assert_int_equal(r.linux.ndisks, 1);
	assert_string_equal(r.linux.disks[0].name, "sdb");
	report_free(&r);
	/* an escape sequence in the number is quoted sanitised */
	assert_int_equal(parse_str("== stat\ncpu 1 2 3 4\nprocesses \033[2J\n", &r, &cause), 0);
	assert_string_equal(warns(&r), "linux: /proc/stat line 2: bad number '\xef\xbf\xbd[2J'");
	report_free(&r);
	/* kB overflow */
	assert_int_equal(parse_str("== meminfo\nMemTotal: 18014398509481984 kB\n== uptime\n1 2\n",
	    &r, &cause), 0);
	assert_non_null(strstr(warns(&r), "line 1: bad number '18014398509481984'"));
	report_free(&r);
}

/* Output that is garbage as a whole is refused (parse-error), and leaves no warnings. */
static void
test_garbage_as_a_whole(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_str("bash: cat: command not found\n", &r, &cause), -1);
	assert_string_equal(cause,
	    "no '== stat' or other /proc section: not the linux probe's output");
	assert_null(r.warnings);
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str("== stat\ncpu x\n== meminfo\nMemTotal: y kB\n", &r, &cause),
	    -1);
	assert_string_equal(cause, "nothing readable in any /proc file; first problem: "
	    "/proc/stat line 1: cpu line with fewer than 4 numbers");
	assert_null(r.warnings);
	free(cause);
	report_free(&r);
	/* every file unreadable (only the headers): nothing, and no error */
	assert_int_equal(parse_str("== stat\n== meminfo\n== loadavg\n", &r, &cause), 0);
	assert_int_equal(r.linux.have, 0);
	report_free(&r);
}

/*
 * A real capture with one line broken: only that line is lost. The 32-CPU
 * Xeon of pcp's QA with /proc/meminfo line 7 (Active) turned into 'x' and
 * line 2 (MemFree) cut: MemAvailable carries memory in use.
 */
static void
test_real_capture_one_bad_line(void **state)
{
	char *path = xasprintf("%s/linux/pcp-xeon-e5-2690-32cpu.txt", getenv("FIXTURES"));
	char *data, *cause = NULL;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, &cause) != 0)
		fail_msg("%s", cause);
	struct buf b;
	buf_init(&b, 0);
	const char *mem = strstr(data, "== meminfo\n");
	assert_non_null(mem);
	const char *line2 = strchr(mem + 11, '\n') + 1;
	const char *line3 = strchr(line2, '\n') + 1;
	const char *line7 = line3;
	for (int i = 3; i < 7; i++)
		line7 = strchr(line7, '\n') + 1;
	const char *line8 = strchr(line7, '\n') + 1;
	buf_append(&b, data, (size_t)(line2 - data));
	buf_printf(&b, "MemFree:\n");
	buf_append(&b, line3, (size_t)(line7 - line3));
	buf_printf(&b, "Active:         x kB\n");
	buf_append(&b, line8, len - (size_t)(line8 - data));
	struct host_report r;
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_linux.parse(b.data, b.len, &r, &cause), 0);
	assert_null(cause);
	assert_string_equal(warns(&r), "linux: /proc/meminfo line 2: no value");
	/* Active is not a key the probe reads: its bad line is not even looked at */
	assert_int_equal(r.linux.have, LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO |
	    LINUX_HAVE_MEMAVAILABLE);
	assert_int_equal(r.linux.ncores, 32);
	assert_true(r.linux.mem_total == KB(131831052));
	assert_int_equal(linux_mem_used(&r.linux), KB(131831052) - KB(118425544));
	report_free(&r);
	buf_free(&b);
	free(data);
	free(path);
}

static void
test_sections(void **state)
{
	struct host_report r;
	char *cause;
	/* preamble (a login banner), unknown sections, missing sections, CRLF, no final newline */
	assert_int_equal(parse_str("Welcome to gpu001\n== hostname\ngpu001\n"
	    "== loadavg\r\n1.00 2.00 3.00 4/500 99\r\n== future/thing\ncpu 1 2 3\n"
	    "== uptime\n100.25 300.75", &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.linux.have, LINUX_HAVE_LOADAVG | LINUX_HAVE_UPTIME);
	assert_true(r.linux.load[2] == 3.0);
	assert_int_equal(r.linux.tasks_total, 500);
	assert_true(r.linux.uptime_s == 100.25 && r.linux.idle_s == 300.75);
	assert_int_equal(r.linux.ncores, 0);
	assert_float_equal(cpu_util_pct(&r.linux, &r.linux, -1), -1, 0);
	assert_int_equal(linux_mem_used(&r.linux), 0);
	report_free(&r);
	/* empty input: nothing, no error */
	assert_int_equal(probe_linux.parse(NULL, 0, &r, &cause), 0);
	assert_int_equal(r.linux.have, 0);
	report_free(&r);
	/* a second parse replaces the first (no leak, no stale arrays) */
	parse_fixture("laptop-4core-idle.txt", &r);
	assert_int_equal(probe_linux.parse("== loadavg\n1 2 3 1/2 3\n", 23, &r, &cause), 0);
	assert_int_equal(r.linux.ncores, 0);
	assert_int_equal(r.linux.nnets, 0);
	assert_null(r.linux.cores);
	report_free(&r);
}

static void
test_caps_and_names(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "== stat\ncpu  1 1 1 1\n");
	for (int i = 0; i < PROBE_MAX_CORES + 10; i++)
		buf_printf(&b, "cpu%d 1 1 1 %d\n", i, i);
	buf_printf(&b, "cpu999999999999 1 1 1 1\n");
	buf_printf(&b, "== net/dev\nh1\nh2\n");
	for (int i = 0; i < PROBE_MAX_NETS + 10; i++)
		buf_printf(&b, "veth%d: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", i);
	buf_printf(&b, "== diskstats\n");
	buf_printf(&b, "8 0 \033]0;pwned\007 1 2 3 4 5 6 7 8 9 10 11\n");
	buf_printf(&b, "8 1 ");
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "d");
	buf_printf(&b, " 1 2 3 4 5 6 7 8 9 10 11\n");
	for (int i = 0; i < PROBE_MAX_DISKS + 10; i++)
		buf_printf(&b, "8 %d sd%d 1 2 3 4 5 6 7 8 9 10 11\n", i + 2, i);
	struct host_report r;
	char *cause = NULL;
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_linux.parse(b.data, b.len, &r, &cause), 0);
	assert_int_equal(r.linux.ncores, PROBE_MAX_CORES);
	assert_int_equal(r.linux.cores[PROBE_MAX_CORES - 1].idle, PROBE_MAX_CORES - 1);
	assert_int_equal(r.linux.nnets, PROBE_MAX_NETS);
	assert_string_equal(r.linux.nets[PROBE_MAX_NETS - 1].name, "veth255");
	assert_int_equal(r.linux.ndisks, PROBE_MAX_DISKS);
	assert_string_equal(r.linux.disks[0].name, "\xef\xbf\xbd]0;pwned\xef\xbf\xbd");
	assert_int_equal(strlen(r.linux.disks[1].name), PROBE_NAME_MAX - 1);
	report_free(&r);
	buf_free(&b);
}

static void
test_command(void **state)
{
	/* the command is POSIX sh that prints every section header */
	assert_non_null(strstr(probe_linux.command, "== $f"));
	assert_non_null(strstr(probe_linux.command, "net/dev"));
	assert_ptr_equal(probe_find("linux"), &probe_linux);
	assert_ptr_equal(probe_find("nvidia"), &probe_nvidia);
	assert_ptr_equal(probe_find("ipmi"), &probe_ipmi);
	assert_null(probe_find("nope"));
	FILE *fp = popen(probe_linux.command, "r");
	assert_non_null(fp);
	char *out = xmalloc(1 << 20);
	size_t n = fread(out, 1, (1 << 20) - 1, fp);
	assert_int_equal(pclose(fp), 0);
	struct host_report r;
	char *cause = NULL;
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_linux.parse(out, n, &r, &cause), 0);
	/* this test runs on Linux: everything but maybe diskstats is there */
	assert_int_equal(r.linux.have & (LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO | LINUX_HAVE_UPTIME),
	    LINUX_HAVE_STAT | LINUX_HAVE_MEMINFO | LINUX_HAVE_UPTIME);
	assert_true(r.linux.ncores >= 1);
	assert_true(r.linux.mem_total > 0);
	report_free(&r);
	free(out);
}

static void
test_report_move(void **state)
{
	struct host_report a, b;
	parse_fixture("vm-2core-a.txt", &a);
	parse_fixture("laptop-4core-idle.txt", &b);
	report_move(&a, &b);	/* a's arrays freed, b's moved */
	assert_int_equal(a.linux.ncores, 4);
	assert_null(b.linux.cores);
	assert_int_equal(b.linux.ncores, 0);
	report_free(&a);
	report_free(&b);
}

/* The byte-level helpers every parser uses. */
/*
 * The one-pass reader of cpu lines and the general (tokenising) path agree:
 * each line is parsed as it is and with a tab after its key, which only the
 * general path takes; the figures, the cores and the warnings must match.
 */
/*
 * linux_sample_fit: a 9-CPU sample's cores (grown to 16 by doubling),
 * interfaces and disks cut to their counts, every value kept.
 */
static void
test_sample_fit(void **state)
{
	(void)state;
	struct host_report r;
	parse_fixture("sysstat-root1.txt", &r);
	struct linux_sample *s = &r.linux;
	assert_int_equal(s->ncores, 9);
	assert_true(malloc_usable_size(s->cores) >= 16 * sizeof *s->cores);
	assert_true(s->nnets > 0);
	struct cpu_times *cores = xmalloc((size_t)s->ncores * sizeof *cores);
	struct net_stat *nets = xmalloc((size_t)s->nnets * sizeof *nets);
	struct disk_stat *disks = xmalloc((size_t)(s->ndisks + 1) * sizeof *disks);
	memcpy(cores, s->cores, (size_t)s->ncores * sizeof *cores);
	memcpy(nets, s->nets, (size_t)s->nnets * sizeof *nets);
	memcpy(disks, s->disks, (size_t)s->ndisks * sizeof *disks);
	int nnets = s->nnets, ndisks = s->ndisks;

	linux_sample_fit(s);
	assert_int_equal(s->ncores, 9);
	assert_int_equal(s->nnets, nnets);
	assert_int_equal(s->ndisks, ndisks);
	assert_true(malloc_usable_size(s->cores) < 12 * sizeof *s->cores);
	assert_memory_equal(s->cores, cores, 9 * sizeof *cores);
	assert_memory_equal(s->nets, nets, (size_t)nnets * sizeof *nets);
	if (ndisks > 0)
		assert_memory_equal(s->disks, disks, (size_t)ndisks * sizeof *disks);
	else
		assert_null(s->disks);
	free(cores);
	free(nets);
	free(disks);
	report_free(&r);

	struct linux_sample empty = { 0 };
	linux_sample_fit(&empty);		/* nothing parsed: stays empty */
	assert_null(empty.cores);
}

/*
 * The probe's command (in file script) run by /bin/sh with PATH set to path
 * (NULL: as is), parsed into r. Returns the output.
 */
static char *
run_command(const char *script, const char *path, struct host_report *r)
{
	char *cmd = path != NULL ? xasprintf("PATH='%s' /bin/sh '%s'", path, script) :
	    xasprintf("/bin/sh '%s'", script);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	struct buf out;
	buf_init(&out, 0);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&out, chunk, n);
	pclose(f);
	char *text = xstrdup(buf_cstr(&out));
	buf_free(&out);
	free(cmd);
	char *cause = NULL;
	memset(r, 0, sizeof *r);
	assert_int_equal(probe_linux.parse(text, strlen(text), r, &cause), 0);
	assert_null(cause);
	return text;
}

/* The "== NAME" lines of a probe's output, in order, joined by '|'. */
static char *
section_lines(const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = text; (p = strstr(p, "== ")) != NULL; p++)
		if (p == text || p[-1] == '\n') {
			size_t l = strcspn(p, "\n");
			buf_append(&b, p, l);
			buf_append(&b, "|", 1);
		}
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/*
 * Runs the awk of command over the files of a real capture (its "== NAME"
 * sections) in place of /proc, its stdout a SOCK_SEQPACKET socket so that
 * each write(2) arrives as one record: appends the records to out, checks
 * that each is whole lines of at most LINUX_WRITE_MAX bytes, returns how
 * many there were and the biggest.
 */
static int
awk_over_capture(const char *command, const char *fixture, struct buf *out, size_t *biggest)
{
	static const char *files[] = { "stat", "meminfo", "loadavg", "uptime", "net/dev",
		"diskstats" };
	const char *fx = getenv("FIXTURES");
	char *path = xasprintf("%s/linux/%s", fx != NULL ? fx : "tests/fixtures", fixture);
	char *data, *cause = NULL;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, &cause) != 0)
		fail_msg("%s", cause);
	char dir[] = "/tmp/opsdeck-test-blocks.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *netdir = xasprintf("%s/net", dir);
	assert_int_equal(mkdir(netdir, 0700), 0);
	/* the fixture's "== NAME" sections become the files */
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		char *head = xasprintf("== %s\n", files[k]);
		char *b = strstr(data, head);
		assert_non_null(b);
		b += strlen(head);
		char *e = strstr(b, "\n== ");
		size_t n = e != NULL ? (size_t)(e - b) + 1 : strlen(b);
		char *fp = xasprintf("%s/%s", dir, files[k]);
		FILE *f = fopen(fp, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(b, 1, n, f), n);
		fclose(f);
		free(fp);
		free(head);
	}
	/* the command's awk, reading dir instead of /proc */
	const char *a = strstr(command, "awk -v s=");
	assert_non_null(a);
	const char *z = strchr(strchr(a, '\'') + 1, '\'');
	assert_non_null(z);
	struct buf prog;
	buf_init(&prog, 0);
	const char *root = strstr(a, "\"/proc/\"");
	assert_true(root != NULL && root < z);
	buf_append(&prog, a, (size_t)(root - a));
	buf_printf(&prog, "\"%s/\"", dir);
	buf_append(&prog, root + 8, (size_t)(z + 1 - (root + 8)));

	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		execl("/bin/sh", "sh", "-c", buf_cstr(&prog), (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	char rec[65536];
	ssize_t r;
	int nrec = 0;
	*biggest = 0;
	while ((r = recv(sv[0], rec, sizeof rec, 0)) > 0) {
		if ((size_t)r > LINUX_WRITE_MAX)
			fail_msg("write %d: %zd bytes, more than %d", nrec + 1, r, LINUX_WRITE_MAX);
		if (rec[r - 1] != '\n')
			fail_msg("write %d ends inside a line", nrec + 1);
		*biggest = (size_t)r > *biggest ? (size_t)r : *biggest;
		buf_append(out, rec, (size_t)r);
		nrec++;
	}
	close(sv[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		char *fp = xasprintf("%s/%s", dir, files[k]);
		unlink(fp);
		free(fp);
	}
	rmdir(netdir);
	rmdir(dir);
	free(netdir);
	buf_free(&prog);
	free(data);
	free(path);
	return nrec;
}

/* Parses text (len bytes) as the linux probe's output, without a warning. */
static void
parse_clean(const struct buf *text, struct host_report *rep)
{
	char *cause = NULL;
	memset(rep, 0, sizeof *rep);
	assert_int_equal(probe_linux.parse(text->data, text->len, rep, &cause), 0);
	assert_null(cause);
	assert_int_equal(rep->warnings_total, 0);
}

/*
 * The node's awk writes whole lines, at most LINUX_WRITE_MAX bytes at a
 * time, whatever stdio's block: run over the 128-core EPYC's files (16 KB,
 * written in kernel 5.15's formats). The counters command (collect --listen) sends every cpu
 * line whole, as three records; the default one each core's two sums, as
 * two. Both parse to all 128 cores.
 */
static void
test_command_blocks(void **state)
{
	(void)state;
	struct buf out;
	size_t biggest;
	struct host_report rep;

	buf_init(&out, 0);
	int nrec = awk_over_capture(probe_linux.command_counters, "server-epyc-128core-a.txt",
	    &out, &biggest);
	/* 16.6 KB less intr and softirq, 11.7 KB: three blocks, well filled */
	assert_true(out.len > 2 * LINUX_WRITE_MAX);
	assert_int_equal(nrec, 3);
	assert_true(biggest > LINUX_WRITE_MAX - 200);
	const char *text = buf_cstr(&out);
	assert_int_equal(strncmp(text, "== stat\ncpu  ", 13), 0);
	assert_null(strstr(text, "\nintr "));
	parse_clean(&out, &rep);
	assert_int_equal(rep.linux.ncores, 128);
	assert_non_null(rep.linux.cores);
	assert_true(rep.linux.have & LINUX_HAVE_DISKSTATS);
	report_free(&rep);

	buf_reset(&out);
	nrec = awk_over_capture(probe_linux.command, "server-epyc-128core-a.txt", &out,
	    &biggest);
	/* cpu0 .. cpu127 as "cpuN BUSY IDLE": 7.2 KB in two blocks */
	assert_int_equal(nrec, 2);
	assert_true(out.len < 2 * LINUX_WRITE_MAX);
	text = buf_cstr(&out);
	assert_int_equal(strncmp(text, "== stat\ncpu  ", 13), 0);
	assert_non_null(strstr(text, "\ncpu0 259762203 120040211\ncpu1 "));
	parse_clean(&out, &rep);
	assert_int_equal(rep.linux.ncores, 128);
	assert_null(rep.linux.cores);
	assert_non_null(rep.linux.sums);
	report_free(&rep);
	buf_free(&out);
}

/*
 * What the default command sends gives every core, and the whole CPU, the
 * figure the full lines give: the node's awk over two readings of the same
 * node a second or two apart (the 128-core EPYC fixture, and the 2-core VM,
 * real files), the earlier one also as a kept sample.
 */
static void
test_command_sums_same_figures(void **state)
{
	(void)state;
	static const char *pairs[][2] = {
		{ "server-epyc-128core-a.txt", "server-epyc-128core-b.txt" },
		{ "vm-2core-a.txt", "vm-2core-b.txt" },
	};
	for (size_t k = 0; k < OD_ARRAY_LEN(pairs); k++) {
		struct host_report full[2], sums[2];
		for (int j = 0; j < 2; j++) {
			struct buf out;
			size_t biggest;
			buf_init(&out, 0);
			awk_over_capture(probe_linux.command_counters, pairs[k][j], &out, &biggest);
			parse_clean(&out, &full[j]);
			buf_reset(&out);
			awk_over_capture(probe_linux.command, pairs[k][j], &out, &biggest);
			parse_clean(&out, &sums[j]);
			buf_free(&out);
			assert_non_null(full[j].linux.cores);
			assert_non_null(sums[j].linux.sums);
			assert_int_equal(sums[j].linux.ncores, full[j].linux.ncores);
		}
		int known = 0;
		for (int i = -1; i < full[0].linux.ncores; i++) {
			double want = cpu_util_pct(&full[0].linux, &full[1].linux, i);
			assert_true(cpu_util_pct(&sums[0].linux, &sums[1].linux, i) == want);
			assert_true(cpu_util_pct(&full[0].linux, &sums[1].linux, i) == want);
			known += want >= 0;
		}
		assert_true(known > full[0].linux.ncores / 2);
		linux_sample_keep(&sums[0].linux);
		assert_null(sums[0].linux.cores);
		for (int i = -1; i < full[0].linux.ncores; i++)
			assert_true(cpu_util_pct(&sums[0].linux, &sums[1].linux, i) ==
			    cpu_util_pct(&full[0].linux, &full[1].linux, i));
		for (int j = 0; j < 2; j++) {
			report_free(&full[j]);
			report_free(&sums[j]);
		}
	}
}

/*
 * cpu lines whose numbers have every length from 1 to 19 digits (the fast
 * path reads 8 digits at a time: lengths across 8 and 16, and numbers that
 * end at the line's last byte), each parsed exactly; 20 digits is no
 * number (past 2^64: the general path warns), and the line costs only its
 * core.
 */
static void
test_cpu_number_lengths(void **state)
{
	(void)state;
	struct buf b;
	struct host_report r;
	char *cause = NULL;
	uint64_t want[19][8];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	buf_init(&b, 0);
	buf_printf(&b, "== stat\ncpu  1 2 3 4 5 6 7 8 0 0\n");
	for (int c = 0; c < 19; c++) {
		buf_printf(&b, "cpu%d", c);
		for (int k = 0; k < 8; k++) {
			int digits = 1 + (c + k) % 19;
			uint64_t v = 0;
			for (int d = 0; d < digits; d++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				int digit = (int)((seed >> 33) % 10);
				if (d == 0 && digits > 1 && digit == 0)
					digit = 7;
				v = v * 10 + (uint64_t)digit;
			}
			want[c][k] = v;
			buf_printf(&b, " %llu", (unsigned long long)v);
		}
		buf_printf(&b, "\n");	/* the last number ends the line */
	}
	buf_printf(&b, "cpu19 99999999999999999999 1 2 3\ncpu20 1 2 3 4\n");
	char *exact = xmalloc(b.len);	/* no NUL after the bytes */
	memcpy(exact, b.data, b.len);
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_linux.parse(exact, b.len, &r, &cause), 0);
	assert_int_equal(r.linux.ncores, 21);
	for (int c = 0; c < 19; c++) {
		const struct cpu_times *t = &r.linux.cores[c];
		uint64_t got[8] = { t->user, t->nice, t->system, t->idle, t->iowait, t->irq,
			t->softirq, t->steal };
		for (int k = 0; k < 8; k++)
			if (got[k] != want[c][k])
				fail_msg("cpu%d field %d: %llu, want %llu", c, k,
				    (unsigned long long)got[k], (unsigned long long)want[c][k]);
		assert_false(t->unknown);
	}
	assert_true(r.linux.cores[19].unknown);
	assert_false(r.linux.cores[20].unknown);
	assert_int_equal(r.linux.cores[20].idle, 4);
	assert_int_equal(r.warnings_total, 1);
	report_free(&r);
	free(exact);
	buf_free(&b);
}

/*
 * The command on this machine, by each of its paths: awk (the node's own
 * PATH), the loop with sed where there is no awk, the loop with cat alone.
 * awk and sed leave out /proc/stat's intr and softirq lines; cat gives all of
 * it. All three print the six files in order and parse to the same CPUs.
 */
static void
test_command_here(void **state)
{
	(void)state;
	static const char sections[] =
	    "== stat|== meminfo|== loadavg|== uptime|== net/dev|== diskstats|";
	struct host_report r;
	char dir[] = "/tmp/opsdeck-test-noawk.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *script = xasprintf("%s/probe.sh", dir);
	char *cat = xasprintf("%s/cat", dir);
	char *sed = xasprintf("%s/sed", dir);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", probe_linux.command);
	fclose(f);
	assert_non_null(strstr(probe_linux.command, LINUX_SUMS_MARK));
	assert_int_equal(symlink("/bin/cat", cat), 0);

	char *text = run_command(script, NULL, &r);	/* awk */
	char *seen = section_lines(text);
	assert_string_equal(seen, sections);
	free(seen);
	assert_non_null(strstr(text, "== stat\ncpu "));
	assert_null(strstr(text, "\nintr "));
	assert_null(strstr(text, "\nsoftirq "));
	assert_true(r.linux.have & LINUX_HAVE_STAT);
	assert_true(r.linux.have & LINUX_HAVE_MEMINFO);
	assert_true(r.linux.ncores >= 1);
	assert_null(r.linux.cores);	/* each core's sums */
	assert_non_null(strstr(text, "\ncpu0 "));
	int ncores = r.linux.ncores;
	/* meminfo: only the lines the parser reads (9 keys), parsed without a warning */
	const char *mi = strstr(text, "== meminfo\n");
	assert_non_null(mi);
	mi += strlen("== meminfo\n");
	const char *mend = strstr(mi, "== loadavg\n");
	assert_non_null(mend);
	int mlines = 0;
	for (const char *q = mi; q < mend; q++)
		mlines += *q == '\n';
	assert_in_range(mlines, 3, 9);
	char *msec = xasprintf("\n%.*s", (int)(mend - mi), mi);
	assert_non_null(strstr(msec, "\nMemTotal:"));
	assert_non_null(strstr(msec, "\nMemAvailable:"));
	assert_null(strstr(msec, "\nActive:"));
	assert_null(strstr(msec, "\nHugepagesize:"));
	free(msec);
	assert_true(r.linux.mem_total > 0 && r.linux.mem_available > 0);
	assert_int_equal(r.warnings_total, 0);
	uint64_t mem_total = r.linux.mem_total, swap_total = r.linux.swap_total;
	report_free(&r);
	free(text);

	text = run_command(script, dir, &r);		/* only cat on PATH */
	seen = section_lines(text);
	assert_string_equal(seen, sections);
	free(seen);
	assert_non_null(strstr(text, "\nintr "));
	assert_true(r.linux.have & LINUX_HAVE_STAT);
	assert_int_equal(r.linux.ncores, ncores);
	assert_non_null(strstr(text, "\nHugepagesize:"));	/* the whole meminfo */
	assert_int_equal(r.linux.mem_total, mem_total);
	assert_int_equal(r.linux.swap_total, swap_total);
	report_free(&r);
	free(text);

	assert_int_equal(symlink("/bin/sed", sed), 0);	/* sed and cat, no awk */
	text = run_command(script, dir, &r);
	seen = section_lines(text);
	assert_string_equal(seen, sections);
	free(seen);
	assert_null(strstr(text, "\nintr "));
	assert_null(strstr(text, "\nsoftirq "));
	assert_true(r.linux.have & LINUX_HAVE_STAT);
	assert_int_equal(r.linux.ncores, ncores);
	report_free(&r);
	free(text);
	unlink(sed);
	unlink(cat);
	unlink(script);
	rmdir(dir);
	free(sed);
	free(cat);
	free(script);
}

/* Whether two arrays of n elements of size bytes are both absent or alike. */
static int
same_array(const void *a, const void *b, int n, size_t size)
{
	if ((a == NULL) != (b == NULL))
		return 0;
	return a == NULL || n <= 0 || memcmp(a, b, (size_t)n * size) == 0;
}

/*
 * Parses text as it is (the one-pass paths take its line) and with a tab at
 * byte tab_at (the tokenising paths take it): the results must be the
 * same, warnings, CPUs, interfaces and disks.
 */
static void
both_paths_agree(const char *text, size_t tab_at, const char *label)
{
	struct host_report a, b;
	char *ca, *cb;
	char *tb = xstrdup(text);

	tb[tab_at] = '\t';
	int ra = parse_str(text, &a, &ca), rb = parse_str(tb, &b, &cb);
	const struct linux_sample *x = &a.linux, *y = &b.linux;
	if (ra != rb || a.nwarnings != b.nwarnings || x->have != y->have ||
	    x->ncores != y->ncores || x->nnets != y->nnets || x->ndisks != y->ndisks ||
	    memcmp(&x->total, &y->total, sizeof x->total) != 0 ||
	    !same_array(x->cores, y->cores, x->ncores, sizeof *x->cores) ||
	    !same_array(x->sums, y->sums, x->ncores, sizeof *x->sums) ||
	    !same_array(x->nets, y->nets, x->nnets, sizeof *x->nets) ||
	    !same_array(x->disks, y->disks, x->ndisks, sizeof *x->disks))
		fail_msg("'%s': the two paths disagree (%d cores, %d+%d devices, %d warnings; "
		    "%d, %d+%d, %d)", label, x->ncores, x->nnets, x->ndisks, a.nwarnings,
		    y->ncores, y->nnets, y->ndisks, b.nwarnings);
	report_free(&a);
	report_free(&b);
	free(ca);
	free(cb);
	free(tb);
}

static void
test_cpu_lines_both_paths(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"cpu  3290 0 2464 92341 1133 0 29 78 0 0",
		"cpu0 1 2 3 4",
		"cpu7 1974 0 1538 44996 1085 0 23 46 0 0",
		"cpu3 1 2 3 4 5 6 7 8 9 10 11",		/* 11 numbers */
		"cpu1 1 2 3",					/* too few */
		"cpu2 9999999999999999999 1 2 3",		/* 19 digits */
		"cpu2 18446744073709551615 1 2 3",		/* 20 digits, the largest */
		"cpu2 18446744073709551616 1 2 3",		/* over */
		"cpu4 1 -2 3 4",
		"cpu4 1 2x 3 4",
		"cpu4 1 2 3 4 ",
		"cpu99999 1 2 3 4",				/* past the cap */
		"cpu12x 1 2 3 4",
		"cpux 1 2 3 4",
		"cpu5 1234 5678",				/* a core's sums */
		"cpu5 4294967297 18446744073709551615",		/* kept modulo 2^32 */
		"cpu5 12 x",
		"cpu5 12",
		"cpu 1 2",					/* the whole CPU: no sums */
		"cpu99999 1 2",
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(lines); i++) {
		char *text = xasprintf("== stat\ncpu  1 1 1 1\n%s\n", lines[i]);
		/* the space after the key becomes a tab */
		both_paths_agree(text, (size_t)(strchr(text + strlen("== stat\ncpu  1 1 1 1\ncpu"),
		    ' ') - text), lines[i]);
		free(text);
	}
}

/*
 * "cpuN BUSY IDLE" lines: each core's sums (modulo 2^32, as kept), a core
 * without its line unknown, and a sample's cores in one form: a line of the
 * other form costs itself and says why.
 */
static void
test_core_sums(void **state)
{
	(void)state;
	struct host_report r;
	char *cause;

	assert_int_equal(parse_str("== stat\ncpu  10 0 5 85\ncpu0 7 3\ncpu2 4294967301 9\n",
	    &r, &cause), 0);
	assert_int_equal(r.nwarnings, 0);
	assert_true(r.linux.have & LINUX_HAVE_STAT);
	assert_null(r.linux.cores);
	assert_int_equal(r.linux.ncores, 3);
	assert_true(r.linux.sums[0].busy == 7 && r.linux.sums[0].idle == 3 &&
	    !r.linux.sums[0].unknown);
	assert_true(r.linux.sums[1].unknown);
	assert_true(r.linux.sums[2].busy == 5 && r.linux.sums[2].idle == 9);
	struct host_report n;
	assert_int_equal(parse_str("== stat\ncpu  20 0 5 95\ncpu0 17 13\ncpu1 5 5\n"
	    "cpu2 8 19\n", &n, &cause), 0);
	assert_float_equal(cpu_util_pct(&r.linux, &n.linux, 0), 50, 1e-9);
	assert_true(cpu_util_pct(&r.linux, &n.linux, 1) < 0);	/* unknown before */
	assert_float_equal(cpu_util_pct(&r.linux, &n.linux, 2), 3.0 / 13 * 100, 1e-9);
	assert_float_equal(cpu_util_pct(&r.linux, &n.linux, -1), 50, 1e-9);
	report_free(&r);
	report_free(&n);

	static const char *const mixed[][2] = {
		{ "cpu0 7 3\ncpu1 1 2 3 4", "line 3: a core's full cpu line among sums" },
		{ "cpu0 1 2 3 4\ncpu1 7 3", "line 3: a core's sums among full cpu lines" },
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(mixed); i++) {
		char *text = xasprintf("== stat\ncpu  1 1 1 1\n%s\n", mixed[i][0]);
		assert_int_equal(parse_str(text, &r, &cause), 0);
		assert_int_equal(r.nwarnings, 1);
		assert_non_null(strstr(r.warnings, mixed[i][1]));
		assert_int_equal(r.linux.ncores, 1);	/* the first form's core */
		assert_true((r.linux.cores == NULL) != (r.linux.sums == NULL));
		report_free(&r);
		free(text);
	}
}

/*
 * net/dev and diskstats lines read in one pass give what the tokenising
 * path gives (a tab sends a line there): numbers of every kind, old and new
 * layouts, and lines that cost themselves a warning.
 */
static void
test_dev_lines_both_paths(void **state)
{
	(void)state;
	static const char *const lines[][2] = {
		{ "net/dev", "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16" },
		{ "net/dev", "ens1f0np0:912345678901234 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15" },
		{ "net/dev", "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17" },
		{ "net/dev", "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15" },
		{ "net/dev", "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x" },
		{ "net/dev", "  eth0: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16" },
		{ "net/dev", "    : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16" },
		{ "diskstats", " 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17" },
		{ "diskstats", "   8       0 sda 9 2 33 4 5 6 77 8 9 10 11" },
		{ "diskstats", "   8       1 sda1 9 33 5 77" },
		{ "diskstats", "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0" },
		{ "diskstats", "   8       0 sda 9 2 33 4 5 6 77 8 9 10" },
		{ "diskstats", "   8       0 sda 9 2 33 4 5 6 77 8 9 10 11 12 13 14 15 16 17 18" },
		{ "diskstats", "   8       0 sda 9 2 3x 4 5 6 77 8 9 10 11" },
		{ "diskstats", "   8       0 sda 99999999999999999999 2 3 4 5 6 77 8 9 10 11" },
		{ "diskstats", "   8 sda 9 2 33 4 5 6 77 8 9 10 11 12" },
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(lines); i++) {
		int net = strcmp(lines[i][0], "net/dev") == 0;
		char *text = xasprintf("== %s\n%s%s\n", lines[i][0], net ? "h1\nh2\n" : "",
		    lines[i][1]);
		/* a tab before the last number */
		both_paths_agree(text, (size_t)(strrchr(text, ' ') - text), lines[i][1]);
		free(text);
	}
}

static void
test_helpers(void **state)
{
	uint64_t u;
	int64_t i;
	double d;
	assert_int_equal(probe_parse_u64("18446744073709551615", 20, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(probe_parse_u64("18446744073709551616", 20, &u), -1);
	assert_int_equal(probe_parse_u64("", 0, &u), -1);
	assert_int_equal(probe_parse_u64("12 ", 3, &u), -1);
	assert_int_equal(probe_parse_u64("123456", 3, &u), 0);	/* only n bytes */
	assert_int_equal(u, 123);
	assert_int_equal(probe_parse_i64("-9223372036854775808", 20, &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(probe_parse_i64("9223372036854775808", 19, &i), -1);
	assert_int_equal(probe_parse_i64("-", 1, &i), -1);
	assert_int_equal(probe_parse_double("69.84", 5, &d), 0);
	assert_true(d == 69.84);
	assert_int_equal(probe_parse_double("-0.5", 4, &d), 0);
	assert_true(d == -0.5);
	assert_int_equal(probe_parse_double(".25", 3, &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(probe_parse_double("190282171.83", 12, &d), 0);
	assert_true(d == 190282171.83);
	assert_int_equal(probe_parse_double("1e3", 3, &d), -1);
	assert_int_equal(probe_parse_double("1.2.3", 5, &d), -1);
	assert_int_equal(probe_parse_double(".", 1, &d), -1);
	assert_int_equal(probe_parse_double("nan", 3, &d), -1);
	struct probe_tok t[3];
	assert_int_equal(probe_split_ws("  a \tbb  c d ", 13, t, 3), 4);
	assert_int_equal(t[1].n, 2);
	assert_memory_equal(t[1].p, "bb", 2);
	struct probe_lines it;
	const char *line;
	size_t n;
	probe_lines_init(&it, "a\r\n\nb\r", 6);
	assert_int_equal(probe_lines_next(&it, &line, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(probe_lines_next(&it, &line, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(probe_lines_next(&it, &line, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(it.lineno, 3);
	assert_int_equal(probe_lines_next(&it, &line, &n), 0);
	char q[12];
	assert_string_equal(probe_quote(q, sizeof q, "short", 5), "short");
	assert_string_equal(probe_quote(q, sizeof q, "a much longer text", 18), "a much l...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_this_machine),
		cmocka_unit_test(test_vm_cpu_util),
		cmocka_unit_test(test_server_128_cores),
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_laptop_idle),
		cmocka_unit_test(test_old_kernel),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_real_pcp_meminfo_kernels),
		cmocka_unit_test(test_real_pcp_big_and_new),
		cmocka_unit_test(test_real_exporter_and_sysstat),
		cmocka_unit_test(test_bad_lines_cost_only_themselves),
		cmocka_unit_test(test_garbage_as_a_whole),
		cmocka_unit_test(test_real_capture_one_bad_line),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_caps_and_names),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_report_move),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_cpu_lines_both_paths),
		cmocka_unit_test(test_sample_fit),
		cmocka_unit_test(test_sample_keep),
		cmocka_unit_test(test_command_here),
		cmocka_unit_test(test_command_blocks),
		cmocka_unit_test(test_command_sums_same_figures),
		cmocka_unit_test(test_core_sums),
		cmocka_unit_test(test_dev_lines_both_paths),
		cmocka_unit_test(test_cpu_number_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
