/*
 * probe.h: pure parsers from a command's output to records.
 *
 * A probe is a `const struct probe`: its name, the POSIX sh command a node
 * runs for it, and a parse function (bytes in, records out; no I/O, no
 * globals). probe_table[] lists them all. The same parse runs on output from
 * the local transport and from SSH, so fixtures cover both.
 */
#ifndef OPSDECK_PROBE_H
#define OPSDECK_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "opsdeck/util.h"

#define PROBE_MAX_OUTPUT	(4 * 1024 * 1024)	/* per probe per frame */
#define PROBE_NAME_MAX		64			/* device, interface, GPU names */
#define PROBE_MAX_CORES		4096
#define PROBE_MAX_NETS		256
#define PROBE_MAX_DISKS		256
#define PROBE_MAX_GPUS		64
#define PROBE_MAX_SENSORS	512

/* Jiffies from one /proc/stat "cpu" line. */
struct cpu_times {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
	int	 unknown;	/* its line was unreadable (a warning says so): no figures */
};

/*
 * A core's jiffies as a kept sample holds them (linux_sample_keep): busy
 * (user+nice+system+irq+softirq+steal) and idle (idle+iowait), each modulo
 * 2^32, 12 bytes where struct cpu_times is 72. Differences between two
 * samples seconds apart are exact across the wrap.
 */
struct cpu_sums {
	uint32_t busy, idle;
	int	 unknown;
};

struct net_stat {
	char	 name[PROBE_NAME_MAX];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

struct disk_stat {
	char	 name[PROBE_NAME_MAX];
	uint64_t reads, sectors_read, writes, sectors_written, io_ms;
};

/* Sections of the linux probe; `have` in struct linux_sample. */
enum {
	LINUX_HAVE_STAT		= 1 << 0,
	LINUX_HAVE_MEMINFO	= 1 << 1,
	LINUX_HAVE_LOADAVG	= 1 << 2,
	LINUX_HAVE_UPTIME	= 1 << 3,
	LINUX_HAVE_NETDEV	= 1 << 4,
	LINUX_HAVE_DISKSTATS	= 1 << 5,
	LINUX_HAVE_MEMAVAILABLE	= 1 << 6,	/* meminfo had MemAvailable (kernel >= 3.14) */
};

struct linux_sample {
	unsigned	 have;		/* LINUX_HAVE_* */
	struct cpu_times total;
	struct cpu_times *cores;	/* ncores, owned; indexed by cpuN */
	/* instead of cores: as the node's awk sent them, or once kept; ncores, owned */
	struct cpu_sums	*sums;
	int		 ncores;
	uint64_t	 ctxt, processes;
	int		 procs_running, procs_blocked;
	/* bytes */
	uint64_t	 mem_total, mem_free, mem_available, buffers, cached,
			 sreclaimable, shmem, swap_total, swap_free;
	double		 load[3];
	int		 tasks_running, tasks_total;
	double		 uptime_s, idle_s;
	struct net_stat	*nets;		/* nnets, owned */
	int		 nnets;
	struct disk_stat *disks;	/* ndisks, owned; whole disks and partitions */
	int		 ndisks;
};

/*
 * The most the linux probe's awk writes at once (its own fflush, before a
 * line would take a block past it): a real sshd forwards each write as a
 * channel packet, and a packet of up to this much data still fits the
 * 4 KiB receive buffers of libssh (which grow to the largest packet and
 * never shrink) with its header, padding and MAC.
 */
#define LINUX_WRITE_MAX		3968
/*
 * How the linux probe's command starts its awk when the awk sends each
 * core as "cpuN BUSY IDLE" (probe_linux.c), which opsdeck-fleetsim looks for.
 */
#define LINUX_SUMS_MARK		"awk -v s=1 '"

/* Memory in use as htop and free(1) count it: total - available (or free+buffers+cache). */
uint64_t linux_mem_used(const struct linux_sample *s);
/* Shrinks s's arrays to their counts (the parser grows them by doubling). */
void linux_sample_fit(struct linux_sample *s);
/*
 * Makes s a sample kept only for the next one's rates: its arrays fitted,
 * its cores' jiffies reduced to cpu_sums (a 128-core node keeps 1.5 KB
 * rather than 9 KB). cpu_util_pct takes either form.
 */
void linux_sample_keep(struct linux_sample *s);
/* CPU busy % between two samples, total (core < 0) or one core; -1 when unknown. */
double cpu_util_pct(const struct linux_sample *prev, const struct linux_sample *cur, int core);
double cpu_times_util(const struct cpu_times *a, const struct cpu_times *b);

/*
 * One GPU. A value the tool cannot give ("[N/A]", "[Not Supported]", a MIG
 * GPU's utilisation) is unknown, never 0: -1 for the numbers, and
 * GPU_THROTTLE_UNKNOWN for the bitmask.
 */
#define GPU_THROTTLE_UNKNOWN	UINT64_MAX
struct gpu_sample {
	int	 index;
	char	 uuid[PROBE_NAME_MAX];
	char	 name[PROBE_NAME_MAX];	/* sanitised */
	double	 util_pct, mem_util_pct;	/* -1: not available */
	int64_t	 mem_used_bytes, mem_total_bytes;	/* -1: not available */
	double	 temp_c, power_w, power_limit_w;	/* -1: not available */
	int64_t	 ecc_uncorrected;		/* -1: not available */
	uint64_t throttle_reasons;		/* bitmask as reported, or GPU_THROTTLE_UNKNOWN */
};

/*
 * One process on a GPU, from `nvidia-smi --query-compute-apps` and what the
 * node said of its pid (owner, Slurm job). Matched to its GPU by uuid.
 */
#define PROBE_MAX_GPU_PROCS	256	/* processes kept per node (the node asks for 256 pids) */
#define GPU_PROC_USER_MAX	33	/* a login name (32 bytes) and the NUL */
#define GPU_PROC_JOB_MAX	24	/* a Slurm job id: 1 to 20 digits */
#define GPU_PROC_NAME_MAX	128	/* process name (often a path) */
struct gpu_proc {
	int	 gpu;				/* its GPU's index (struct gpu_sample) */
	int	 pid;				/* > 0 */
	int64_t	 mem_used_bytes;		/* -1: not available ([N/A], MIG, WDDM) */
	char	 user[GPU_PROC_USER_MAX];	/* sanitised; "": unknown */
	char	 job[GPU_PROC_JOB_MAX];		/* Slurm job id, digits; "": none */
	char	 name[GPU_PROC_NAME_MAX];	/* sanitised; "": unknown */
};

/*
 * The Slurm job id in the text of one /proc/PID/cgroup (len bytes, one or
 * more lines "ID:CONTROLLERS:PATH"): a path component "job_N" below a
 * component that names slurm ("slurm", "slurm_NODE", "slurmstepd.scope",
 * "NODE_slurmstepd.scope") or a "uid_N". Copies N into job (joblen bytes)
 * and returns 1; 0 when there is none. Pure (probe_nvidia_procs.c).
 */
int probe_cgroup_slurm_job(const char *data, size_t len, char *job, size_t joblen);

enum sensor_status { SENSOR_OK, SENSOR_NA, SENSOR_WARN, SENSOR_CRIT, SENSOR_OTHER };

/*
 * One IPMI sensor, its reading taken apart: "110 Watts, Presence detected"
 * is value 110, unit "Watts", state "Presence detected"; "No Reading",
 * "Disabled", "0x01" or "Drive Present" are a state with no value.
 * A host keeps a copy of every sensor, so the record is kept small (128
 * bytes; 168 before, 43 MB at 10,000 hosts): an IPMI sensor's name, its
 * SDR ID string, is 16 bytes at most; ipmitool's statuses are at most 3
 * letters ("ok", "lnc", "ucr"). Longer text is cut, as all remote text is.
 */
#define SENSOR_NAME_MAX		32
#define SENSOR_UNIT_MAX		24
#define SENSOR_STATUS_MAX	8
#define SENSOR_STATE_MAX	48
struct sensor_sample {
	double	 value;			/* NaN when none */
	enum sensor_status level;
	char	 status[SENSOR_STATUS_MAX];	/* as reported: "ok", "ns", "cr", "nc", ... */
	char	 name[SENSOR_NAME_MAX];		/* sanitised */
	char	 unit[SENSOR_UNIT_MAX];		/* "degrees C", "RPM", "Volts", "Watts", "" */
	char	 state[SENSOR_STATE_MAX];	/* discrete state words, sanitised; "" for none */
};

struct probe;

/*
 * A part of a report that a feature with tables of its own stores (a
 * test-bed controller's devices, a scheduler's usage): what one probe parsed,
 * owned, freed by that probe's free_part. Features find their parts by the
 * probe's name (feature.h), so this header names no feature's types.
 */
#define REPORT_MAX_PARTS	4
struct report_part {
	const struct probe	*probe;
	void			*data;
};

/* A report part waiting for the transaction that stores it, with when it came. */
struct queued_part {
	struct report_part	 part;
	int64_t			 at_ms;		/* wall clock of its cycle */
};

/*
 * Warnings: what a parser skipped of output it otherwise used ("linux:
 * /proc/meminfo line 7: bad number 'x'"). A report keeps the first
 * REPORT_MAX_WARNINGS, each at most REPORT_WARNING_MAX bytes, and counts
 * the rest.
 */
#define REPORT_MAX_WARNINGS	8
#define REPORT_WARNING_MAX	200

/*
 * Everything one frame of one host said. Owned arrays; report_free() frees
 * them. A probe fills only its part.
 */
struct host_report {
	struct linux_sample linux;
	struct gpu_sample *gpus;
	int		 ngpus;
	int		 has_gpu_probe;	/* the nvidia probe ran (0 GPUs is an answer) */
	struct gpu_proc	*procs;		/* by GPU index, then as nvidia-smi listed them */
	int		 nprocs;
	struct sensor_sample *sensors;
	int		 nsensors;
	struct report_part parts[REPORT_MAX_PARTS];	/* owned, nparts of them */
	size_t		 nparts;
	char		*warnings;	/* kept warnings joined by '\n', owned; NULL: none */
	int		 nwarnings;	/* kept in warnings */
	int		 warnings_total;	/* kept or not */
	int		 nfailed;	/* probes whose output was garbage as a whole */
};

void report_free(struct host_report *r);
void report_move(struct host_report *dst, struct host_report *src);

/* Makes data probe p's part of r, freeing an earlier one of p. */
void report_part_put(struct host_report *r, const struct probe *p, void *data);
/* The part of the probe called `probe`, or NULL; still owned by r. */
void *report_part_get(const struct host_report *r, const char *probe);
/* Frees what part holds (its probe's free_part) and empties it. */
void report_part_free(struct report_part *part);
/* Adds one warning (already sanitised text) to r, or only counts it when r is full. */
void report_warning_add(struct host_report *r, const char *text);
/*
 * r's warnings as one malloc'd text, a line each, with a last line "... and N
 * more" when some were only counted; NULL when there are none.
 */
char *report_warnings_text(const struct host_report *r);
/*
 * Records that probe p's output was garbage as a whole (cause from its
 * parse): counts it in r->nfailed and adds the warning "P: CAUSE".
 */
void report_probe_failed(struct host_report *r, const char *probe, const char *cause);

struct probe {
	const char	*name;
	/* POSIX sh that prints the probe's output; exit 0 also when the tool is absent. */
	const char	*command;
	/*
	 * The command when the collector exports raw counters (collect
	 * --listen), where it leaves out less; NULL: command.
	 */
	const char	*command_counters;
	/*
	 * Parses len bytes into r. A line or section it cannot read costs only
	 * itself: the parse goes on and adds a warning to r naming the probe,
	 * section and line. Returns 0, or -1 and a malloc'd *cause for output
	 * that is garbage as a whole (then r has no warnings of this parse).
	 */
	int		(*parse)(const char *data, size_t len, struct host_report *r, char **cause);
	/* Frees a part this probe's parse put into a report (NULL: it puts none). */
	void		(*free_part)(void *data);
};

extern const struct probe probe_linux;
extern const struct probe probe_nvidia;
extern const struct probe probe_ipmi;
extern const struct probe probe_testbed;
extern const struct probe probe_slurm;

/* NULL-terminated list of every probe (probe_table.c). */
extern const struct probe *const probe_table[];
/* The probe called name, or NULL (probe_table.c). */
const struct probe *probe_find(const char *name);

/*
 * Helpers for parsers (probe.c). All work on bytes and a length; nothing
 * needs NUL termination, nothing reads past the length.
 */
struct probe_lines {
	const char	*data;
	size_t		 len;
	size_t		 pos;
	int		 lineno;	/* 1-based number of the line last returned */
};
struct probe_tok {
	const char	*p;
	size_t		 n;
};

void probe_lines_init(struct probe_lines *it, const char *data, size_t len);
/* Next line, without its '\n' and one trailing '\r'. Returns 1, or 0 at the end. */
int  probe_lines_next(struct probe_lines *it, const char **line, size_t *n);
/* Splits on blanks (space, tab) into at most max tokens; returns how many there are in all. */
size_t probe_split_ws(const char *s, size_t n, struct probe_tok *toks, size_t max);
/* s without leading and trailing blanks. */
struct probe_tok probe_trim(const char *s, size_t n);
/* Exactly n decimal digits (no sign, no blanks), no overflow: 0, else -1. */
int  probe_parse_u64(const char *s, size_t n, uint64_t *out);
/* Like probe_parse_u64 with an optional '-' and the range of int64_t. */
int  probe_parse_i64(const char *s, size_t n, int64_t *out);
/* [-+]digits[.digits] or [-+].digits, no exponent, no locale, finite: 0, else -1. */
int  probe_parse_double(const char *s, size_t n, double *out);
/* Whether the token equals the NUL-terminated word (inline: a literal's length folds). */
static inline int
probe_tok_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}
/* Sanitised copy of n bytes of s into dst (dstlen bytes with the NUL). */
void probe_copy_name(char *dst, size_t dstlen, const char *s, size_t n);
/*
 * A malloc'd cause "WHAT line N: MESSAGE" where MESSAGE is printf-formatted;
 * probe_quote() gives a sanitised copy of untrusted text for it, cut with "..."
 * to fit buflen.
 */
char *probe_cause(const char *what, int lineno, const char *fmt, ...) OD_PRINTF(3, 4);
const char *probe_quote(char *buf, size_t buflen, const char *s, size_t n);

/*
 * The warnings of one parse, kept apart until the parse knows whether the
 * output is usable at all: probe_warnings_commit() hands them to the report,
 * probe_warnings_cause() turns them into the cause of a whole failure.
 */
struct probe_warnings {
	const char	*probe;		/* "linux", "nvidia", "ipmi" */
	char		*text;		/* kept warnings joined by '\n', owned */
	int		 n, total;	/* kept; kept or counted */
	char		*first;		/* the first warning without "PROBE: ", owned */
};
void probe_warnings_init(struct probe_warnings *w, const char *probe);
/*
 * Adds "PROBE: WHERE line N: MESSAGE" (WHERE and "line N" left out when
 * NULL or 0), MESSAGE printf-formatted, sanitised and cut to
 * REPORT_WARNING_MAX.
 */
void probe_warn(struct probe_warnings *w, const char *where, int lineno,
	    const char *fmt, ...) OD_PRINTF(4, 5);
/* How many warnings w holds (kept or counted). */
int  probe_warnings_count(const struct probe_warnings *w);
/* Moves w's warnings into r and frees w. */
void probe_warnings_commit(struct probe_warnings *w, struct host_report *r);
/* A malloc'd "WHY" or "WHY; first problem: WARNING"; frees w. */
char *probe_warnings_cause(struct probe_warnings *w, const char *why);

#endif
