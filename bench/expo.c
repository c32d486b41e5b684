/*
 * bench/expo.c: what `collect --listen` costs (make bench). Prints
 * - the time to render 1,000 hosts into a buffer kept between scrapes, as the
 *   exporter does (32 CPUs, 4 interfaces, 4 disks, 8 GPUs
 *   and 24 sensors each) in the text format and in OpenMetrics (target: under
 *   20 ms), the median of 30 renders;
 * - the CPU one scrape costs through the real endpoint (libmicrohttpd on
 *   loopback, the same copy of every status the collector hands it, a
 *   libcurl client asking for OpenMetrics as Prometheus does), as the share
 *   of one core that a scrape every 15 s takes (target: under 1 %). The
 *   process's CPU time includes the client's, so the figure is an upper
 *   bound.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "opsdeck/expo.h"
#include "opsdeck/exporter.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"

#define NHOSTS		1000
#define RENDERS		30
#define SCRAPES		100

static struct host_status fleet[NHOSTS];

static void
fleet_build(void)
{
	for (int i = 0; i < NHOSTS; i++) {
		struct host_status *h = &fleet[i];
		host_status_init(h);
		snprintf(h->name, sizeof h->name, "gpu%04d", i + 1);
		snprintf(h->group, sizeof h->group, "%s", i < 800 ? "gpu" : "cpu");
		h->state = i % 97 == 0 ? HOST_TIMEOUT : HOST_UP;
		h->sample_ms = 1765000000000 + i;
		h->cores = 32;
		h->cpu_pct = 12.5 + i % 80;
		h->mem_total = 1ULL << 40;
		h->mem_used = (1ULL << 38) + (uint64_t)i * 4096;
		h->load[0] = 3.25;
		h->load[1] = 2.5;
		h->load[2] = 1.75;
		h->uptime_s = 86400.0 * 12 + i;
		struct host_counters *k = xcalloc(1, sizeof *k);
		k->ncpus = 32;
		k->cpus = xcalloc(32, sizeof *k->cpus);
		for (int c = 0; c < 32; c++) {
			struct cpu_times *t = &k->cpus[c];
			t->user = 123456789ULL + (uint64_t)c * 7 + (uint64_t)i;
			t->system = 2345678ULL + (uint64_t)c;
			t->idle = 987654321ULL + (uint64_t)i;
			t->iowait = 4567;
			t->softirq = 890;
		}
		k->nnets = 4;
		k->nets = xcalloc(4, sizeof *k->nets);
		k->ndisks = 4;
		k->disks = xcalloc(4, sizeof *k->disks);
		for (int d = 0; d < 4; d++) {
			snprintf(k->nets[d].name, sizeof k->nets[d].name, "ib%d", d);
			k->nets[d].a = 98765432101ULL + (uint64_t)i;
			k->nets[d].b = 12345678901ULL + (uint64_t)d;
			snprintf(k->disks[d].name, sizeof k->disks[d].name, "nvme%dn1", d);
			k->disks[d].a = 5555555555ULL;
			k->disks[d].b = 7777777777ULL + (uint64_t)i;
		}
		k->have_meminfo = k->have_available = 1;
		k->mem_available = h->mem_total - h->mem_used;
		k->mem_free = k->mem_available / 2;
		h->counters = k;
		if (i < 800) {
			h->ngpus = 8;
			h->gpus = xcalloc(8, sizeof *h->gpus);
			for (int g = 0; g < 8; g++) {
				struct gpu_sample *s = &h->gpus[g];
				s->index = g;
				snprintf(s->uuid, sizeof s->uuid,
				    "GPU-%08x-0e9d-8c7b-6a59-%012d", (unsigned)i, g);
				snprintf(s->name, sizeof s->name, "NVIDIA H100 80GB HBM3");
				s->util_pct = 97;
				s->mem_used_bytes = 62345ULL << 20;
				s->mem_total_bytes = 81559ULL << 20;
				s->temp_c = 61;
				s->power_w = 687.23;
			}
		}
		h->nsensors = 24;
		h->sensors = xcalloc(24, sizeof *h->sensors);
		for (int s = 0; s < 24; s++) {
			struct sensor_sample *x = &h->sensors[s];
			snprintf(x->name, sizeof x->name, "Sensor%d", s);
			x->value = 40 + s;
			snprintf(x->unit, sizeof x->unit, "%s",
			    s < 8 ? "degrees C" : s < 16 ? "RPM" : s < 20 ? "Volts" : "Watts");
		}
	}
}

/* exporter_hosts_fn: a copy of the fleet, as collector_hosts makes one. */
static void
fleet_copy(void *arg, struct host_status **v, size_t *n)
{
	(void)arg;
	*v = xcalloc(NHOSTS, sizeof **v);
	for (int i = 0; i < NHOSTS; i++)
		host_status_copy(&(*v)[i], &fleet[i]);
	*n = NHOSTS;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
render_bench(enum expo_format f, const char *what)
{
	struct expo_input in;
	double t[RENDERS], ct[RENDERS];
	size_t len = 0;

	memset(&in, 0, sizeof in);
	in.hosts = fleet;
	in.nhosts = NHOSTS;
	struct expo_buf b = { NULL, 0, 0 };
	for (int r = 0; r < RENDERS; r++) {
		double t0 = mono_s(), c0 = thread_cpu_s();
		expo_render_buf(&in, f, &b);
		t[r] = (mono_s() - t0) * 1000.0;
		ct[r] = (thread_cpu_s() - c0) * 1000.0;
		len = b.len;
	}
	free(b.p);
	qsort(t, RENDERS, sizeof *t, cmp_double);
	qsort(ct, RENDERS, sizeof *ct, cmp_double);
	printf("render 1,000 hosts, %-12s %6.2f ms median wall (%.2f min), %6.2f ms CPU, "
	    "%.1f MB [target < 20 ms]\n", what, t[RENDERS / 2], t[0], ct[RENDERS / 2],
	    (double)len / 1e6);
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	*(size_t *)arg += size * n;
	(void)p;
	return size * n;
}

int
main(void)
{
	fleet_build();
	render_bench(EXPO_TEXT, "text 0.0.4:");
	render_bench(EXPO_OPENMETRICS, "OpenMetrics:");

	struct exporter_opts o = { "127.0.0.1:0", fleet_copy, NULL, NULL, NULL };
	struct exporter *e;
	char *cause = NULL;
	if (exporter_start(&o, &e, &cause) != 0) {
		fprintf(stderr, "bench/expo: %s\n", cause);
		return 1;
	}
	char *url = xasprintf("http://127.0.0.1:%d/metrics", exporter_port(e));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *cu = curl_easy_init();
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/openmetrics-text;"
	    "version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
	size_t got = 0;
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &got);
	double c0 = cpu_s(), w0 = mono_s();
	for (int i = 0; i < SCRAPES; i++) {
		if (curl_easy_perform(cu) != CURLE_OK) {
			fprintf(stderr, "bench/expo: scrape failed\n");
			return 1;
		}
	}
	double cpu = (cpu_s() - c0) / SCRAPES, wall = (mono_s() - w0) / SCRAPES;
	printf("scrape of 1,000 hosts over HTTP: %.2f ms CPU, %.2f ms wall, %zu bytes; "
	    "every 15 s: %.3f %% of a core [target < 1 %%]\n", cpu * 1000.0, wall * 1000.0,
	    got / SCRAPES, cpu / 15.0 * 100.0);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(cu);
	curl_global_cleanup();
	free(url);
	exporter_stop(e);
	for (int i = 0; i < NHOSTS; i++)
		host_status_free(&fleet[i]);
	return 0;
}
