/*
 * collector_tool.c: drives the real collector for the shell tests.
 *
 *   collector_tool CONFIG run FRAMES TIMEOUT_MS
 *	collector_run(); then one line per host:
 *	NAME STATE CORES MEM_TOTAL CPU_PCT UP_CYCLES|ERROR
 *   collector_tool CONFIG watch SECONDS
 *	collector_start(); prints "NAME STATE ERROR" for every status change
 *	(flushed) until SECONDS pass or SIGTERM/SIGINT; then stops.
 *   collector_tool CONFIG quiet SECONDS
 *	the same without printing (for CPU figures).
 *
 * No store: statuses stay in memory (collector_new accepts NULL).
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/collector.h"
#include "opsdeck/config.h"
#include "opsdeck/diag.h"
#include "opsdeck/util.h"

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static void
on_change(const struct host_status *h, void *arg)
{
	(void)arg;
	printf("%s %s %s\n", h->name, host_state_name(h->state), h->error);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct diag d;

	if (argc < 4) {
		fprintf(stderr, "usage: collector_tool CONFIG run FRAMES TIMEOUT_MS | "
		    "CONFIG watch SECONDS\n");
		return 2;
	}
	diag_init(&d, argv[1]);
	struct config *cfg = config_load(argv[1], &d);
	if (cfg == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return 1;
	}
	diag_free(&d);

	struct collector_opts co = { .wake_fd = -1, .timeout_ms = 0 };
	if (strcmp(argv[2], "run") == 0 && argc >= 5) {
		struct collector *c = collector_new(cfg, NULL, &co);
		int64_t t0 = now_mono_ms();
		int n = collector_run(c, atoi(argv[3]), t0 + atoll(argv[4]));
		struct host_status *v;
		size_t nv;
		collector_hosts(c, &v, &nv);
		for (size_t i = 0; i < nv; i++)
			printf("%s %s %d %llu %.1f %s\n", v[i].name, host_state_name(v[i].state),
			    v[i].cores, (unsigned long long)v[i].mem_total, v[i].cpu_pct,
			    v[i].error[0] ? v[i].error : "-");
		printf("answered %d elapsed_ms %lld\n", n, (long long)(now_mono_ms() - t0));
		store_free_hosts(v, nv);
		collector_free(c);
	} else if (strcmp(argv[2], "watch") == 0 || strcmp(argv[2], "quiet") == 0) {
		if (strcmp(argv[2], "watch") == 0)
			co.on_change = on_change;
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		struct collector *c = collector_new(cfg, NULL, &co);
		char *cause = NULL;
		if (collector_start(c, &cause) != 0) {
			fprintf(stderr, "collector_tool: %s\n", cause);
			free(cause);
			return 1;
		}
		int64_t end = now_mono_ms() + 1000 * (int64_t)atoi(argv[3]);
		while (!got_signal && now_mono_ms() < end)
			poll(NULL, 0, 50);
		collector_stop(c);
		collector_free(c);
		printf("stopped\n");
	} else {
		fprintf(stderr, "collector_tool: unknown mode %s\n", argv[2]);
		return 2;
	}
	config_free(cfg);
	return 0;
}
