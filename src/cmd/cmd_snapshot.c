/*
 * cmd_snapshot.c: `opsdeck snapshot`: connect to every host, take two frames
 * (a CPU % needs two samples one interval apart), record them in the cache,
 * print every host, exit 0 when every host answered and 1 otherwise.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/cmd.h"
#include "opsdeck/collector.h"
#include "opsdeck/json.h"
#include "opsdeck/testbed.h"

enum snapshot_format { FMT_TABLE, FMT_JSON, FMT_CSV };

static void
usage(void)
{
	printf("Usage: opsdeck snapshot [-c FILE] [--format table|json|csv] [--timeout DURATION]\n"
	    "                        [--cache FILE]\n"
	    "Connects to every configured host, samples it twice one interval apart, records\n"
	    "the result in the cache and prints every host. Exit status 0 when every host\n"
	    "answered, 1 otherwise (all hosts are printed either way), 2 on a usage error.\n"
	    "\n"
	    "  -c, --config FILE      configuration file (see opsdeck.yaml(5))\n"
	    "  -f, --format FORMAT    table (default), json or csv\n"
	    "  -t, --timeout DURATION give up on hosts that have not answered by then\n"
	    "                         (seconds, or 500ms, 2s, 1m; default: 2 intervals + timeout)\n"
	    "      --cache FILE       the cache file (default: the config's, else\n"
	    "                         $XDG_STATE_HOME/opsdeck/cache.db)\n"
	    "  -h, --help             show this help\n");
}

/* The devices behind a test-bed controller, from the cache: "devices":[...]. */
static void
json_devices(struct buf *b, struct store *st, const struct host_status *h)
{
	struct device *v = NULL;
	size_t n = 0;
	char *cause = NULL, since[40];

	if (devices_store_get(st, h->name, &v, &n, &cause) != 0) {
		fprintf(stderr, "opsdeck snapshot: %s: devices: %s\n", h->name, cause);
		free(cause);
	}
	json_key(b, "devices", 0);
	buf_append(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_append(b, ",", 1);
		buf_append(b, "{", 1);
		json_key(b, "id", 1);
		json_str(b, v[i].id);
		json_key(b, "name", 0);
		json_str(b, v[i].name);
		json_key(b, "kind", 0);
		json_str(b, v[i].kind);
		json_key(b, "state", 0);
		json_str(b, device_state_name(v[i].state));
		json_key(b, "since", 0);
		if (v[i].since_ms > 0) {
			testbed_format_time(v[i].since_ms, since, sizeof since);
			json_str(b, since);
		} else {
			json_str(b, NULL);
		}
		json_key(b, "message", 0);
		json_str(b, v[i].message);
		buf_append(b, "}", 1);
	}
	buf_append(b, "]", 1);
	devices_free(v, n);
}

static void
json_host(struct buf *b, struct store *st, const struct host_status *h)
{
	char when[40];

	buf_append(b, "{", 1);
	json_key(b, "name", 1);
	json_str(b, h->name);
	json_key(b, "group", 0);
	json_str(b, h->group);
	json_key(b, "kind", 0);
	json_str(b, group_kind_name(h->kind));
	json_key(b, "state", 0);
	json_str(b, host_state_name(h->state));
	json_key(b, "error", 0);
	json_str(b, h->error[0] ? h->error : NULL);
	json_key(b, "sample_time", 0);
	if (h->sample_ms > 0) {
		time_format(h->sample_ms, 1, when, sizeof when);
		json_str(b, when);
	} else {
		json_str(b, NULL);
	}
	json_key(b, "cpu", 0);
	buf_append(b, "{", 1);
	json_key(b, "cores", 1);
	json_int(b, h->cores);
	json_key(b, "util_pct", 0);
	json_num(b, h->cpu_pct, 1, 1);
	buf_append(b, "}", 1);
	json_key(b, "mem", 0);
	buf_append(b, "{", 1);
	json_key(b, "total_bytes", 1);
	json_int(b, (int64_t)h->mem_total);
	json_key(b, "used_bytes", 0);
	json_int(b, (int64_t)h->mem_used);
	buf_append(b, "}", 1);
	json_key(b, "load", 0);
	buf_append(b, "[", 1);
	for (int i = 0; i < 3; i++) {
		if (i)
			buf_append(b, ",", 1);
		json_num(b, h->load[i], 2, 1);
	}
	buf_append(b, "]", 1);
	json_key(b, "uptime_s", 0);
	json_num(b, h->uptime_s, 0, 1);
	json_key(b, "net", 0);
	buf_append(b, "{", 1);
	json_key(b, "rx_bps", 1);
	json_num(b, h->net_rx_bps, 0, 1);
	json_key(b, "tx_bps", 0);
	json_num(b, h->net_tx_bps, 0, 1);
	buf_append(b, "}", 1);
	json_key(b, "disk", 0);
	buf_append(b, "{", 1);
	json_key(b, "read_bps", 1);
	json_num(b, h->disk_read_bps, 0, 1);
	json_key(b, "write_bps", 0);
	json_num(b, h->disk_write_bps, 0, 1);
	buf_append(b, "}", 1);

	json_key(b, "gpus", 0);
	buf_append(b, "[", 1);
	for (int i = 0; i < h->ngpus; i++) {
		const struct gpu_sample *g = &h->gpus[i];
		if (i)
			buf_append(b, ",", 1);
		buf_append(b, "{", 1);
		json_key(b, "index", 1);
		json_int(b, g->index);
		json_key(b, "name", 0);
		json_str(b, g->name);
		json_key(b, "util_pct", 0);
		json_num(b, g->util_pct, 1, 1);
		json_key(b, "mem_used_bytes", 0);
		json_int(b, (int64_t)g->mem_used_bytes);
		json_key(b, "mem_total_bytes", 0);
		json_int(b, (int64_t)g->mem_total_bytes);
		json_key(b, "temp_c", 0);
		json_num(b, g->temp_c, 1, 1);
		json_key(b, "power_w", 0);
		json_num(b, g->power_w, 1, 1);
		buf_append(b, "}", 1);
	}
	buf_append(b, "]", 1);

	json_key(b, "sensors", 0);
	buf_append(b, "[", 1);
	for (int i = 0; i < h->nsensors; i++) {
		const struct sensor_sample *s = &h->sensors[i];
		if (i)
			buf_append(b, ",", 1);
		buf_append(b, "{", 1);
		json_key(b, "name", 1);
		json_str(b, s->name);
		json_key(b, "value", 0);
		json_num(b, s->value, 2, 0);
		json_key(b, "unit", 0);
		json_str(b, s->unit);
		json_key(b, "status", 0);
		json_str(b, s->status);
		buf_append(b, "}", 1);
	}
	buf_append(b, "]", 1);
	if (h->kind == GROUP_TESTBED)
		json_devices(b, st, h);
	buf_append(b, "}", 1);
}

static void
print_json(struct store *st, const struct host_status *v, size_t n, struct buf *b)
{
	buf_append(b, "{\"hosts\":[", 10);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_append(b, ",\n", 2);
		json_host(b, st, &v[i]);
	}
	buf_append(b, "]}\n", 3);
}

static void
csv_num(struct buf *b, double v, int prec)
{
	buf_append(b, ",", 1);
	if (!isnan(v) && v >= 0)
		buf_printf(b, "%.*f", prec, v);
}

static void
print_csv(const struct host_status *v, size_t n, struct buf *b)
{
	buf_printf(b, "name,group,kind,state,error,cores,cpu_util_pct,mem_total_bytes,"
	    "mem_used_bytes,load1,load5,load15,gpus,gpu_util_pct\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct host_status *h = &v[i];
		csv_field(b, h->name);
		buf_append(b, ",", 1);
		csv_field(b, h->group);
		buf_printf(b, ",%s,%s,", group_kind_name(h->kind), host_state_name(h->state));
		csv_field(b, h->error);
		buf_printf(b, ",%d", h->cores);
		csv_num(b, h->cpu_pct, 1);
		buf_printf(b, ",%llu,%llu", (unsigned long long)h->mem_total,
		    (unsigned long long)h->mem_used);
		for (int k = 0; k < 3; k++)
			csv_num(b, h->load[k], 2);
		double gsum = 0;
		int gn = 0;
		for (int k = 0; k < h->ngpus; k++) {
			if (h->gpus[k].util_pct >= 0) {
				gsum += h->gpus[k].util_pct;
				gn++;
			}
		}
		buf_printf(b, ",%d", h->ngpus);
		csv_num(b, gn ? gsum / gn : -1, 1);
		buf_append(b, "\r\n", 2);
	}
}

static void
print_table(const struct host_status *v, size_t n, struct buf *b)
{
	buf_printf(b, "%-24s %-12s %-15s %6s %5s %15s %16s %5s  %s\n", "HOST", "GROUP", "STATE",
	    "CPU%", "CORES", "MEM USED/TOTAL", "LOAD 1/5/15", "GPUS", "ERROR");
	for (size_t i = 0; i < n; i++) {
		const struct host_status *h = &v[i];
		char cpu[16], used[16], total[16], mem[40], load[48];
		if (h->cpu_pct >= 0)
			snprintf(cpu, sizeof cpu, "%.1f", h->cpu_pct);
		else
			snprintf(cpu, sizeof cpu, "-");
		if (h->mem_total > 0) {
			format_bytes((double)h->mem_used, used, sizeof used);
			format_bytes((double)h->mem_total, total, sizeof total);
			snprintf(mem, sizeof mem, "%s/%s", used, total);
		} else {
			snprintf(mem, sizeof mem, "-");
		}
		if (h->load[0] >= 0)
			snprintf(load, sizeof load, "%.2f %.2f %.2f", h->load[0], h->load[1], h->load[2]);
		else
			snprintf(load, sizeof load, "-");
		buf_printf(b, "%-24s %-12s %-15s %6s %5d %15s %16s %5d  %s\n", h->name, h->group,
		    host_state_name(h->state), cpu, h->cores, mem, load, h->ngpus, h->error);
	}
}

int
cmd_snapshot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "cache", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *cache = NULL;
	enum snapshot_format fmt = FMT_TABLE;
	int64_t timeout_ms = -1;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:f:t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "table") == 0)
				fmt = FMT_TABLE;
			else
				return cmd_usage_error("snapshot", "unknown format '%s' (table, json or csv)", optarg);
			break;
		case 't':
			if (duration_parse(optarg, &timeout_ms) != 0 || timeout_ms <= 0)
				return cmd_usage_error("snapshot", "bad timeout '%s' (e.g. 10, 500ms, 2s, 1m)", optarg);
			break;
		case 'C':
			cache = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("snapshot", ch, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("snapshot", "unexpected argument '%s'", argv[optind]);

	struct config *cfg;
	struct store *st;
	if (cmd_open_writer(path, cache, &cfg, &st) != 0)
		return 1;

	if (timeout_ms < 0) {
		/* Two frames one interval apart, plus the slowest group's own timeout. */
		timeout_ms = 0;
		for (size_t i = 0; i < cfg->ngroups; i++) {
			const struct conn_settings *cs = &cfg->groups[i].conn;
			timeout_ms = OD_MAX(timeout_ms, 2 * cs->interval_ms + cs->timeout_ms);
		}
		if (timeout_ms == 0)
			timeout_ms = 10000;
	}

	struct collector_opts co = { .wake_fd = -1, .timeout_ms = 0 };
	struct collector *c = collector_new(cfg, st, &co);
	collector_run(c, 2, now_mono_ms() + timeout_ms);

	struct host_status *v;
	size_t n;
	collector_hosts(c, &v, &n);
	int all_up = 1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].state != HOST_UP)
			all_up = 0;
	}

	struct buf out;
	buf_init(&out, 0);
	switch (fmt) {
	case FMT_JSON:
		print_json(st, v, n, &out);
		break;
	case FMT_CSV:
		print_csv(v, n, &out);
		break;
	case FMT_TABLE:
		print_table(v, n, &out);
		break;
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);

	store_free_hosts(v, n);
	collector_free(c);
	store_close(st);
	config_free(cfg);
	if (fflush(stdout) != 0) {
		perror("opsdeck snapshot: stdout");
		return 1;
	}
	return all_up ? 0 : 1;
}
