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

#include "opsdeck/alert.h"
#include "opsdeck/cmd.h"
#include "opsdeck/collector.h"
#include "opsdeck/json.h"
#include "opsdeck/testbed.h"


static void
usage(void)
{
	printf("Usage: opsdeck snapshot [-c FILE] [--format table|json|csv] [--timeout DURATION]\n"
	    "                        [--cache FILE]\n"
	    "Connects to every configured host, samples it twice one interval apart, records\n"
	    "the result in the cache and prints every host. Exit status 0 when every host\n"
	    "answered, 1 otherwise (all hosts are printed either way), 2 on a usage error,\n"
	    "3 when another writer holds the cache, 4 on a configuration error.\n"
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
json_devices(struct json_writer *w, struct store *st, const struct host_status *h,
    int64_t at_ms)
{
	struct device *v = NULL;
	size_t n = 0;
	char *cause = NULL, since[TIME_RFC3339_LEN];

	if ((at_ms > 0 ? devices_store_get_at(st, h->name, at_ms, &v, &n, &cause) :
	    devices_store_get(st, h->name, &v, &n, &cause)) != 0) {
		fprintf(stderr, "opsdeck snapshot: %s: devices: %s\n", h->name, cause);
		free(cause);
	}
	json_key(w, "devices");
	json_array_open(w);
	for (size_t i = 0; i < n; i++) {
		json_map_open(w);
		json_kstr(w, "id", v[i].id);
		json_kstr(w, "name", v[i].name);
		json_kstr(w, "kind", v[i].kind);
		json_kstr(w, "state", device_state_name(v[i].state));
		if (v[i].since_ms > 0)
			time_format_rfc3339(v[i].since_ms, 0, 0, since, sizeof since);
		json_kstr(w, "since", v[i].since_ms > 0 ? since : NULL);
		json_kstr(w, "message", v[i].message);
		json_map_close(w);
	}
	json_array_close(w);
	devices_free(v, n);
}

/* key: v, or null when v < 0 (a value the tool could not give). */
static void
json_kint_known(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	if (v < 0)
		json_null(w);
	else
		json_int(w, v);
}

/* Appends one warning line to the "warnings" array (host_status_each_warning). */
static void
json_warning(const char *warning, void *arg)
{
	json_str(arg, warning);
}

/*
 * The "processes" of GPU gpu_index of h (opsdeck(1), SNAPSHOT OUTPUT): pid,
 * user, name, mem_used_bytes, job; null for what the node could not say
 * (job null outside Slurm). As of a past time (at_ms > 0) the cache knows
 * no processes: null.
 */
static void
json_gpu_processes(struct json_writer *w, const struct host_status *h, int gpu_index,
    int64_t at_ms)
{
	json_key(w, "processes");
	if (at_ms > 0) {
		json_null(w);
		return;
	}
	json_array_open(w);
	for (int i = 0; i < h->nprocs; i++) {
		const struct gpu_proc *p = &h->procs[i];
		if (p->gpu != gpu_index)
			continue;
		json_map_open(w);
		json_kint(w, "pid", p->pid);
		json_kstr(w, "user", p->user[0] != '\0' ? p->user : NULL);
		json_kstr(w, "name", p->name[0] != '\0' ? p->name : NULL);
		json_kint_known(w, "mem_used_bytes", p->mem_used_bytes);
		json_kstr(w, "job", p->job[0] != '\0' ? p->job : NULL);
		json_map_close(w);
	}
	json_array_close(w);
}

/* One host's object of the snapshot (opsdeck(1), SNAPSHOT OUTPUT). */
static void
json_host(struct json_writer *w, struct store *st, const struct host_status *h, int64_t at_ms)
{
	char when[TIME_RFC3339_LEN];

	json_map_open(w);
	json_kstr(w, "name", h->name);
	json_kstr(w, "address", h->address[0] != '\0' ? h->address : NULL);
	json_kstr(w, "group", h->group);
	json_kstr(w, "kind", group_kind_name(h->kind));
	json_kstr(w, "state", host_state_name(h->state));
	json_kstr(w, "error", h->error[0] ? h->error : NULL);
	json_key(w, "warnings");	/* what the parsers skipped; the host stays up */
	json_array_open(w);
	host_status_each_warning(h, json_warning, w);
	json_array_close(w);
	if (h->sample_ms > 0)
		time_format(h->sample_ms, 1, when, sizeof when);
	json_kstr(w, "sample_time", h->sample_ms > 0 ? when : NULL);
	json_key(w, "cpu");
	json_map_open(w);
	if (h->cores > 0)	/* unknown until a host answered: a down host's is not 0 */
		json_kint(w, "cores", h->cores);
	else
		json_kstr(w, "cores", NULL);
	json_knum(w, "util_pct", h->cpu_pct, 1, 1);
	json_map_close(w);
	json_key(w, "mem");
	json_map_open(w);
	json_kint(w, "total_bytes", (int64_t)h->mem_total);
	json_kint(w, "used_bytes", (int64_t)h->mem_used);
	json_map_close(w);
	json_key(w, "load");
	json_array_open(w);
	for (int i = 0; i < 3; i++)
		json_num(w, h->load[i], 2, 1);
	json_array_close(w);
	json_knum(w, "uptime_s", h->uptime_s, 0, 1);
	json_key(w, "net");
	json_map_open(w);
	json_knum(w, "rx_bps", h->net_rx_bps, 0, 1);
	json_knum(w, "tx_bps", h->net_tx_bps, 0, 1);
	json_map_close(w);
	json_key(w, "disk");
	json_map_open(w);
	json_knum(w, "read_bps", h->disk_read_bps, 0, 1);
	json_knum(w, "write_bps", h->disk_write_bps, 0, 1);
	json_map_close(w);

	json_key(w, "gpus");
	json_array_open(w);
	for (int i = 0; i < h->ngpus; i++) {
		const struct gpu_sample *g = &h->gpus[i];
		json_map_open(w);
		json_kint(w, "index", g->index);
		json_kstr(w, "name", g->name);
		json_kstr(w, "uuid", g->uuid[0] != '\0' ? g->uuid : NULL);
		json_knum(w, "util_pct", g->util_pct, 1, 1);
		json_knum(w, "mem_util_pct", g->mem_util_pct, 1, 1);
		json_kint_known(w, "mem_used_bytes", g->mem_used_bytes);
		json_kint_known(w, "mem_total_bytes", g->mem_total_bytes);
		json_knum(w, "temp_c", g->temp_c, 1, 1);
		json_knum(w, "power_w", g->power_w, 2, 1);
		json_knum(w, "power_limit_w", g->power_limit_w, 2, 1);
		json_kint_known(w, "ecc_uncorrected", g->ecc_uncorrected);
		if (g->throttle_reasons == GPU_THROTTLE_UNKNOWN)
			json_kstr(w, "throttle_reasons", NULL);
		else {
			char hex[24];
			snprintf(hex, sizeof hex, "0x%016llx",
			    (unsigned long long)g->throttle_reasons);
			json_kstr(w, "throttle_reasons", hex);
		}
		json_gpu_processes(w, h, g->index, at_ms);
		json_map_close(w);
	}
	json_array_close(w);

	json_key(w, "sensors");
	json_array_open(w);
	for (int i = 0; i < h->nsensors; i++) {
		const struct sensor_sample *s = &h->sensors[i];
		json_map_open(w);
		json_kstr(w, "name", s->name);
		json_knum(w, "value", s->value, 2, 0);
		json_kstr(w, "unit", s->unit[0] != '\0' ? s->unit : NULL);
		json_kstr(w, "status", s->status);
		json_kstr(w, "state", s->state[0] != '\0' ? s->state : NULL);
		json_map_close(w);
	}
	json_array_close(w);
	if (h->kind == GROUP_TESTBED)
		json_devices(w, st, h, at_ms);
	json_map_close(w);
}

/* The alerts active at_ms: "alerts":[...] (history --at). */
static void
json_alerts(struct json_writer *w, const struct alert_set *as)
{
	char t[TIME_RFC3339_LEN];

	json_key(w, "alerts");
	json_array_open(w);
	for (size_t i = 0; i < as->n; i++) {
		const struct alert *a = &as->v[i];
		json_map_open(w);
		json_kint(w, "id", a->id);
		json_kstr(w, "host", a->host);
		json_kstr(w, "device", a->device[0] ? a->device : NULL);
		json_kstr(w, "rule", a->rule);
		json_kstr(w, "severity", alert_sev_name(a->sev));
		json_kstr(w, "message", a->message);
		time_format_rfc3339(a->raised_ms, 0, 0, t, sizeof t);
		json_kstr(w, "raised", t);
		if (a->ack_ms > 0)
			time_format_rfc3339(a->ack_ms, 0, 0, t, sizeof t);
		json_kstr(w, "acknowledged", a->ack_ms > 0 ? t : NULL);
		json_map_close(w);
	}
	json_array_close(w);
}

/*
 * {"hosts":[...]} to fp, streamed host by host; as of at_ms (> 0: devices
 * from their transitions, "at" and the alerts active then).
 */
static void
print_json(struct store *st, const struct host_status *v, size_t n, int64_t at_ms,
    const struct alert_set *alerts, FILE *fp)
{
	struct json_writer *w = json_writer_new(fp);
	char t[TIME_RFC3339_LEN];

	json_map_open(w);
	if (at_ms > 0) {
		time_format_rfc3339(at_ms, 0, 0, t, sizeof t);
		json_kstr(w, "at", t);
	}
	json_key(w, "hosts");
	json_array_open(w);
	for (size_t i = 0; i < n; i++)
		json_host(w, st, &v[i], at_ms);
	json_array_close(w);
	if (alerts != NULL)
		json_alerts(w, alerts);
	json_map_close(w);
	json_writer_end(w);
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
		if (h->cores > 0)
			buf_printf(b, ",%d", h->cores);
		else
			buf_append(b, ",", 1);
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
		char cpu[16], used[16], total[16], mem[40], load[48], cores[16] = "-";
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
		if (h->cores > 0)
			snprintf(cores, sizeof cores, "%d", h->cores);
		buf_printf(b, "%-24s %-12s %-15s %6s %5s %15s %16s %5d  %s\n", h->name, h->group,
		    host_state_name(h->state), cpu, cores, mem, load, h->ngpus, h->error);
	}
}

/* See cmd.h. */
void
snapshot_print(struct store *st, const struct host_status *v, size_t n, enum cmd_format fmt,
    int64_t at_ms, const struct alert_set *alerts)
{
	struct buf out;
	buf_init(&out, 0);
	switch (fmt) {
	case CMD_JSON:
		print_json(st, v, n, at_ms, alerts, stdout);
		break;
	case CMD_CSV:
		print_csv(v, n, &out);
		break;
	case CMD_TABLE:
		print_table(v, n, &out);
		break;
	}
	if (out.len > 0)	/* json went to stdout as it was written */
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
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
	enum cmd_format fmt = CMD_TABLE;
	int64_t timeout_ms = -1;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:f:t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			if ((rc = cmd_format_parse("snapshot", optarg, &fmt)) != 0)
				return rc;
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
	int orc = cmd_open_writer("snapshot", path, cache, &cfg, &st);
	if (orc != 0)
		return orc;

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
	if (collector_warning(c) != NULL)
		fprintf(stderr, "opsdeck snapshot: warning: %s\n", collector_warning(c));
	collector_run(c, 2, now_mono_ms() + timeout_ms);

	struct host_status *v;
	size_t n;
	collector_hosts(c, &v, &n);
	int all_up = 1;
	char waited[32];
	duration_format(timeout_ms, waited, sizeof waited);
	for (size_t i = 0; i < n; i++) {
		/* still connecting at the deadline: say so, not "connecting" with no reason */
		if (v[i].state == HOST_CONNECTING) {
			v[i].state = HOST_TIMEOUT;
			snprintf(v[i].error, sizeof v[i].error, "no answer within %s (snapshot "
			    "--timeout); still connecting", waited);
		}
		if (v[i].state != HOST_UP)
			all_up = 0;
	}

	snapshot_print(st, v, n, fmt, 0, NULL);

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
