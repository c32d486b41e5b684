/*
 * fleetsim_check.c: reads a captured opsdeck stream (a file, or stdin) with
 * the real frame reader and the real probe parsers, and prints one line per
 * frame for tests/fleetsim_*.sh to check:
 *
 *   frame SEQ PROBE status=S ok cores=N util=U mem_used=B nets=N disks=N
 *   frame SEQ PROBE status=S ok gpus=N gpu0_util=U gpu0_name=NAME
 *   frame SEQ PROBE status=S ok sensors=N first=NAME
 *   frame SEQ PROBE status=S ok devices=N controller=ID sector=SECTOR
 *   frame SEQ PROBE status=S ok jobs=N accounts=N running=N gpu_hours=H
 *   frame SEQ PROBE status=S error CAUSE
 *
 * util is the CPU busy % against the previous linux frame (-1 for the first);
 * a final line "summary frames=N errors=E garbage=G dropped=D" closes it.
 * The markers' nonce is $FS_NONCE (tests/fleetsim_lib.sh draws it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/frame.h"
#include "opsdeck/probe.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

struct state {
	struct linux_sample prev;
	int	 have_prev;
	int	 frames, errors;
	int	 monotonic_errors;
};

static void
linux_keep(struct state *st, struct host_report *r)
{
	free(st->prev.cores);
	free(st->prev.nets);
	free(st->prev.disks);
	st->prev = r->linux;
	memset(&r->linux, 0, sizeof r->linux);
	st->have_prev = 1;
}

static void
on_frame(const struct frame *f, void *arg)
{
	struct state *st = arg;
	const struct probe *p = probe_find(f->probe);
	struct host_report r;
	char *cause = NULL;

	st->frames++;
	printf("frame %llu %s status=%d ", (unsigned long long)f->seq, f->probe, f->status);
	if (p == NULL) {
		printf("error unknown probe\n");
		st->errors++;
		return;
	}
	memset(&r, 0, sizeof r);
	if (p->parse(f->body, f->len, &r, &cause) != 0) {
		printf("error %s\n", cause ? cause : "?");
		free(cause);
		st->errors++;
		report_free(&r);
		return;
	}
	if (strcmp(f->probe, "linux") == 0) {
		double u = st->have_prev ? cpu_util_pct(&st->prev, &r.linux, -1) : -1;
		if (st->have_prev && (r.linux.total.user < st->prev.total.user ||
		    r.linux.total.idle < st->prev.total.idle))
			st->monotonic_errors++;
		printf("ok cores=%d util=%.1f mem_used=%llu mem_total=%llu nets=%d disks=%d "
		    "load1=%.2f have=%u\n", r.linux.ncores, u,
		    (unsigned long long)linux_mem_used(&r.linux),
		    (unsigned long long)r.linux.mem_total, r.linux.nnets, r.linux.ndisks,
		    r.linux.load[0], r.linux.have);
		linux_keep(st, &r);
	} else if (strcmp(f->probe, "nvidia") == 0) {
		printf("ok gpus=%d", r.ngpus);
		if (r.ngpus > 0)
			printf(" gpu0_util=%.0f gpu0_temp=%.0f gpu0_power=%.2f gpu0_name=%s",
			    r.gpus[0].util_pct, r.gpus[0].temp_c, r.gpus[0].power_w,
			    r.gpus[0].name);
		printf("\n");
	} else if (strcmp(f->probe, "ipmi") == 0) {
		printf("ok sensors=%d", r.nsensors);
		if (r.nsensors > 0)
			printf(" first=%s", r.sensors[0].name);
		printf("\n");
	} else if (strcmp(f->probe, "testbed") == 0 && report_part_get(&r, "testbed") != NULL) {
		const struct testbed_report *tb = report_part_get(&r, "testbed");
		printf("ok devices=%zu controller=%s sector=%s\n", tb->ndevices,
		    tb->controller, tb->sector);
	} else if (strcmp(f->probe, "slurm") == 0 && report_part_get(&r, "slurm") != NULL) {
		const struct slurm_usage *su = report_part_get(&r, "slurm");
		size_t running = 0;
		double gh = 0;
		for (size_t i = 0; i < su->njobs; i++) {
			running += strcmp(su->jobs[i].state, "RUNNING") == 0;
			gh += su->jobs[i].gpu_hours;
		}
		printf("ok jobs=%zu accounts=%zu running=%zu gpu_hours=%.2f\n",
		    su->njobs, su->naccounts, running, gh);
	} else {
		printf("ok\n");
	}
	report_free(&r);
}

int
main(int argc, char **argv)
{
	struct frame_reader fr;
	struct state st;
	char chunk[65536];
	size_t n;
	FILE *in = stdin;

	if (argc > 1 && (in = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	memset(&st, 0, sizeof st);
	if (getenv("FS_NONCE") == NULL) {
		fprintf(stderr, "fleetsim_check: FS_NONCE is not set\n");
		return 2;
	}
	frame_reader_init(&fr, 0, getenv("FS_NONCE"));
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		frame_reader_feed(&fr, chunk, n, on_frame, &st);
	printf("summary frames=%d errors=%d garbage=%llu dropped=%llu nonmonotonic=%d\n",
	    st.frames, st.errors, (unsigned long long)fr.garbage,
	    (unsigned long long)fr.dropped, st.monotonic_errors);
	frame_reader_free(&fr);
	free(st.prev.cores);
	free(st.prev.nets);
	free(st.prev.disks);
	if (in != stdin)
		fclose(in);
	return st.errors ? 1 : 0;
}
