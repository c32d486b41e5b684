/*
 * render.c: console frame time with 1,000 hosts on a 200x60 screen, and an
 * estimate of keypress-to-screen latency while they stream.
 *
 * ncurses runs through newterm() on /dev/null with LINES/COLUMNS fixed, so
 * every frame does the real work (layout, drawing, wnoutrefresh, doupdate
 * and writing the escape sequences), just not to a real terminal. Hosts are
 * written to a temporary cache with store_put_status and read back with
 * store_get_hosts, as the console does on each collector tick.
 *
 * Figures (ms):
 *   first frame     everything dirty, from hosts in memory
 *   tick            store_get_hosts + new figures for every host (rings,
 *                   rows, sort, alerts) + the redraw
 *   key j / key s   a keypress handled and drawn (s re-sorts 1,000 hosts)
 *   latency         a key that arrives just as a tick starts waits for the
 *                   tick and then its own frame: p50 sums (typical) and
 *                   p99 sums (worst case); keys waiting together with a
 *                   wake-up are drawn before the store is read (ui_loop.c)
 *   cursor step     the time cursor moved one step ([ or ]): every host, its
 *                   devices and alerts read as of then (store_hosts_at) and
 *                   the redraw
 * The ticks are written a few minutes in the past, so that the cursor has
 * a past to move in.
 * Targets (DESIGN.md): frame <= 5 ms, keypress to screen <= 50 ms, a cursor
 * step <= 50 ms. Prints
 * figures, never fails on them.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/store.h"
#include "opsdeck/ui_priv.h"

#define NHOSTS	1000
#define ROUNDS	60

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n)
{
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += v[i];
	qsort(v, (size_t)n, sizeof *v, dcmp);
	printf("%-34s mean %7.3f  p50 %7.3f  p99 %7.3f  max %7.3f ms\n", what, sum / n,
	    v[n / 2], v[n * 99 / 100], v[n - 1]);
}

static double
p99(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, dcmp);
	return v[n * 99 / 100];
}

/* Host i at tick t: 10 groups of 100, 80 % GPU nodes with 8 GPUs, 64 cores. */
static void
make_host(struct host_status *h, int i, int t, int64_t now)
{
	host_status_init(h);
	snprintf(h->name, sizeof h->name, "node%04d", i);
	snprintf(h->group, sizeof h->group, i < 800 ? "gpu-rack%02d" : "cpu-rack%02d", i / 100);
	h->kind = GROUP_NODE;
	h->state = (i % 97 == 0) ? HOST_DOWN : HOST_UP;
	if (h->state != HOST_UP)
		snprintf(h->error, sizeof h->error, "connection refused");
	h->state_since_ms = now - 3600000;
	h->sample_ms = now + t * 1000;
	h->cores = 64;
	h->core_pct = xcalloc(64, sizeof *h->core_pct);
	for (int c = 0; c < 64; c++)
		h->core_pct[c] = (double)((i * 7 + c * 13 + t * 29) % 100);
	h->cpu_pct = (double)((i * 31 + t * 17) % 100);
	h->mem_total = (uint64_t)512 << 30;
	h->mem_used = h->mem_total / 100 * (uint64_t)((i + t) % 100);
	h->swap_total = (uint64_t)8 << 30;
	h->load[0] = h->cpu_pct * 0.64;
	h->load[1] = h->load[0] * 0.9;
	h->load[2] = h->load[0] * 0.8;
	h->uptime_s = 86400;
	h->net_rx_bps = h->net_tx_bps = 1e7;
	h->disk_read_bps = h->disk_write_bps = 1e6;
	if (i < 800) {
		h->ngpus = 8;
		h->gpus = xcalloc(8, sizeof *h->gpus);
		for (int g = 0; g < 8; g++) {
			struct gpu_sample *s = &h->gpus[g];
			s->index = g;
			snprintf(s->name, sizeof s->name, "NVIDIA A100-SXM4-80GB");
			s->util_pct = (double)((i + g * 11 + t * 7) % 100);
			s->mem_util_pct = 40;
			s->mem_total_bytes = (uint64_t)80 << 30;
			s->mem_used_bytes = (uint64_t)40 << 30;
			s->temp_c = 50 + (i + g) % 40;
			s->power_w = 300;
			s->power_limit_w = 400;
			s->ecc_uncorrected = 0;
		}
	}
}

/* Writes tick t of every host into the cache, one transaction. */
static void
write_tick(struct store *st, int t, int64_t now)
{
	char *cause = NULL;

	if (store_begin(st, &cause) != 0)
		fatal("%s", cause);
	for (int i = 0; i < NHOSTS; i++) {
		struct host_status h;
		make_host(&h, i, t, now);
		if (store_put_status(st, &h, &cause) != 0)
			fatal("%s", cause);
		host_status_free(&h);
	}
	if (store_commit(st, &cause) != 0)
		fatal("%s", cause);
}

int
main(void)
{
	static double tick[ROUNDS], key_j[ROUNDS], key_s[ROUNDS], get[ROUNDS], step[ROUNDS];
	double first;
	char dir[] = "/tmp/opsdeck-bench-render.XXXXXX", *db, *cause = NULL;
	struct store *wr, *rd;
	struct ui u;
	struct ui_opts o;
	struct theme th;
	int64_t now = now_wall_ms() - 4 * ROUNDS * 1000;	/* the ticks: in the past */

	setlocale(LC_ALL, "");
	if (setlocale(LC_CTYPE, NULL) == NULL || strstr(setlocale(LC_CTYPE, NULL), "UTF") == NULL)
		setlocale(LC_ALL, "C.UTF-8");
	setenv("LINES", "60", 1);
	setenv("COLUMNS", "200", 1);
	unsetenv("NO_COLOR");
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL || mkdtemp(dir) == NULL)
		fatal("cannot open /dev/null or a temporary directory");
	SCREEN *scr = newterm("xterm-256color", out, in);
	if (scr == NULL)
		fatal("newterm(xterm-256color) failed: is ncurses-base installed?");
	set_term(scr);

	db = xasprintf("%s/cache.db", dir);
	if (store_open(db, STORE_WRITER, &wr, &cause) != 0 ||
	    store_open(db, STORE_READONLY, &rd, &cause) != 0)
		fatal("%s", cause);
	write_tick(wr, 0, now);

	memset(&o, 0, sizeof o);
	o.store = rd;
	o.wake_fd = -1;
	ui_init_state(&u, &o);
	theme_default(&th);
	ui_theme_apply(&u, &th);
	ui_layout(&u);

	struct host_status *v;
	size_t n;
	if (store_get_hosts(rd, &v, &n, &cause) != 0)
		fatal("%s", cause);
	double t0 = now_ms();
	ui_set_data(&u, v, n);
	ui_draw_frame(&u);
	first = now_ms() - t0;

	for (int r = 0; r < ROUNDS; r++) {
		write_tick(wr, r + 1, now);	/* the collector's work: not timed */
		t0 = now_ms();
		if (store_get_hosts(rd, &v, &n, &cause) != 0)
			fatal("%s", cause);
		double t1 = now_ms();
		ui_set_data(&u, v, n);
		ui_draw_frame(&u);
		double t2 = now_ms();
		get[r] = t1 - t0;
		tick[r] = t2 - t0;

		t0 = now_ms();
		ui_handle_key(&u, (r / 40) % 2 ? 'k' : 'j');
		ui_draw_frame(&u);
		key_j[r] = now_ms() - t0;

		t0 = now_ms();
		ui_handle_key(&u, 's');
		ui_draw_frame(&u);
		key_s[r] = now_ms() - t0;
	}

	/* the time cursor, one step at a time over the ticks written */
	for (int r = 0; r < ROUNDS; r++) {
		double t0s = now_ms();
		ui_replay_set(&u, now + 1000 + (int64_t)r * 1000);
		ui_draw_frame(&u);
		step[r] = now_ms() - t0s;
	}
	ui_replay_set(&u, 0);

	printf("console render: %d hosts (800 with 8 GPUs, 64 cores each), %dx%d screen, "
	    "%d frames\n", NHOSTS, COLS, LINES, u.frames);
	double frame[ROUNDS];
	for (int r = 0; r < ROUNDS; r++)
		frame[r] = tick[r] - get[r];
	printf("%-34s %7.3f ms\n", "first frame (all panes)", first);
	report("store_get_hosts (1,000 hosts)", get, ROUNDS);
	report("tick: read + update + redraw", tick, ROUNDS);
	report("tick frame without the store read", frame, ROUNDS);
	report("key j/k: move and redraw", key_j, ROUNDS);
	report("key s: re-sort 1,000 and redraw", key_s, ROUNDS);
	double lat = p99(tick, ROUNDS) + p99(key_s, ROUNDS);
	printf("%-34s %7.3f ms (p50 tick + p50 key s)\n", "keypress-to-screen, typical",
	    tick[ROUNDS / 2] + key_s[ROUNDS / 2]);
	printf("%-34s %7.3f ms (p99 tick + p99 key s; target <= 50 ms)\n",
	    "keypress-to-screen, worst case", lat);
	printf("frame target <= 5 ms: tick frame p50 %.3f ms\n", frame[ROUNDS / 2]);
	report("cursor step: read at T + redraw", step, ROUNDS);
	printf("cursor step target <= 50 ms: p99 %.3f ms\n", p99(step, ROUNDS));

	ui_free_state(&u);
	endwin();
	delscreen(scr);
	store_close(rd);
	store_close(wr);
	char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
	unlink(db);
	unlink(wal);
	unlink(shm);
	rmdir(dir);
	free(db);
	free(wal);
	free(shm);
	fclose(out);
	fclose(in);
	return 0;
}
