/*
 * hoststate.h: what the console and the subcommands know of one host: its
 * connection state and the figures derived from its latest frames.
 *
 * The collector fills a struct host_status from two consecutive reports; the
 * store persists it; panes and `snapshot` read it back. Names and messages
 * that came from a host are sanitised before they get here.
 */
#ifndef OPSDECK_HOSTSTATE_H
#define OPSDECK_HOSTSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/probe.h"

#define HOST_ERROR_MAX 256

enum host_state {
	HOST_CONNECTING,
	HOST_UP,
	HOST_STALE,
	HOST_DOWN,
	HOST_TIMEOUT,
	HOST_AUTH_FAILED,
	HOST_HOSTKEY_UNKNOWN,
	HOST_HOSTKEY_CHANGED,
	HOST_PARSE_ERROR,
	HOST_CUT_OFF,		/* sent more than its budget: cut off, retried after back-off */
	HOST_STATE_COUNT
};

const char *host_state_name(enum host_state s);
/* -1 when the word is not a state. */
int host_state_parse(const char *word);

/*
 * The latest report's raw counters, as node_exporter shows them (the
 * exporter's node_cpu_seconds_total and friends; rates are derived above).
 */
struct host_counter_dev {
	char	 name[PROBE_NAME_MAX];	/* sanitised */
	uint64_t a, b;			/* bytes: received / read, sent / written */
};
struct host_counters {
	struct cpu_times *cpus;		/* ncpus, jiffies (USER_HZ, 100 a second) */
	int		 ncpus;
	struct host_counter_dev *nets;	/* every interface, lo included */
	int		 nnets;
	struct host_counter_dev *disks;	/* whole disks: node_exporter's default set */
	int		 ndisks;
	uint64_t	 mem_free, mem_available, swap_free;
	int		 have_meminfo, have_available;
};

struct host_status {
	char		 name[HOSTNAME_MAX + 1];
	char		 address[HOSTNAME_MAX + 8];	/* ssh_host_address; "" when unknown */
	char		 group[128];
	enum group_kind	 kind;
	enum host_state	 state;
	char		 error[HOST_ERROR_MAX];	/* human message, "" when none */
	int64_t		 state_since_ms;	/* wall clock */
	int64_t		 sample_ms;		/* wall clock of the latest sample, 0: none */

	/* From the linux probe; cpu_pct < 0 until two samples were seen. */
	int		 cores;
	double		 cpu_pct;
	double		*core_pct;		/* cores entries, owned, may be NULL */
	uint64_t	 mem_total, mem_used;
	uint64_t	 swap_total, swap_used;
	double		 load[3];
	double		 uptime_s;
	double		 net_rx_bps, net_tx_bps;	/* all interfaces but lo, -1: unknown */
	double		 disk_read_bps, disk_write_bps;	/* whole disks, -1: unknown */

	struct gpu_sample *gpus;		/* owned */
	int		 ngpus;
	struct gpu_proc	*procs;			/* owned; by GPU index (gpu_proc.gpu) */
	int		 nprocs;
	struct sensor_sample *sensors;		/* owned */
	int		 nsensors;
	struct host_counters *counters;		/* owned, NULL: none (not a linux probe) */
	/*
	 * What the latest report's parsers skipped, a line each ("linux:
	 * /proc/meminfo line 7: bad number 'x'"), sanitised, owned; NULL: none.
	 * The host stays up with what parsed.
	 */
	char		*warnings;
	/*
	 * Non-NULL: the arrays above (core_pct, gpus, sensors, counters,
	 * warnings) belong to this share, are read-only, and are shared with
	 * every copy host_status_copy made (a reference count; any thread).
	 * host_status_from_reports makes them so; NULL: the status owns them.
	 */
	struct host_status_share *share;
};

/* The warnings of h one by one: calls fn with each line (NUL-terminated copy). */
void host_status_each_warning(const struct host_status *h,
	    void (*fn)(const char *warning, void *arg), void *arg);

void host_status_init(struct host_status *h);
/* Frees h's arrays, or drops its reference to their share. */
void host_status_free(struct host_status *h);
/*
 * dst (owning no arrays) becomes a copy of src: a reference to src's share
 * when it has one (no array is copied), a deep copy otherwise.
 */
void host_status_copy(struct host_status *dst, const struct host_status *src);
/* Makes h own its arrays again (copies them out of a share) before writing to them. */
void host_status_unshare(struct host_status *h);
/* How many statuses hold h's arrays (h's share's references); 1 without a share. */
int host_status_share_refs(const struct host_status *h);

/*
 * Fills the derived figures of h from a report and, when prev is not NULL,
 * the report one interval earlier (rates and CPU %). dt_ms is the time
 * between them. h->counters (the raw counters, only an exporter's) are kept
 * only with HS_COUNTERS in flags: at 96 cores they are 7 KB a host.
 */
#define HS_COUNTERS	0x1
void host_status_from_reports(struct host_status *h, const struct host_report *prev,
	    const struct host_report *cur, int64_t dt_ms, unsigned flags);

/*
 * Calls fn for each numeric metric of h under its snapshot JSON path:
 * "cpu.util_pct", "mem.used_bytes", "load.0", "gpus.0.util_pct", ...
 * Metrics that are not known (negative or NaN) are skipped.
 */
void host_status_metrics(const struct host_status *h,
	    void (*fn)(const char *metric, double value, void *arg), void *arg);
/*
 * Sets the figure of h that host_status_metrics names metric ("cpu.util_pct",
 * "gpus.3.temp_c", ...; a GPU is added by its index when absent) to v. 0, or
 * -1 for a name it does not give or a value that is not a figure.
 */
int  host_status_set_metric(struct host_status *h, const char *metric, double v);

#endif
