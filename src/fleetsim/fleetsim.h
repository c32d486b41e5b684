/*
 * fleetsim.h: opsdeck-fleetsim, a libssh server that plays many nodes on
 * loopback for the demo, the tests and the benchmarks (man/opsdeck-fleetsim.1).
 *
 * A node IS an address: each node listens on its own 127.x.y.z address and
 * port. One thread runs one epoll over every listening socket, every
 * session's socket, the control FIFO and a signal pipe; each session has an
 * ssh_event of its own, polled only when its socket is ready, so libssh's
 * internal polls never scan the whole fleet. When a client executes the
 * opsdeck stream script (its first line is the marker
 * `# opsdeck-stream v1 interval_ms=N probes=a,b,c`, its last
 * `opsdeck_stream NONCE`), the node answers with frames carrying the nonce
 * itself, every interval, in the real output formats of each probe,
 * generated from a per-node model whose values drift over time (sim.c).
 * Faults (fault.c) change how a node behaves, at start or at run time.
 *
 * With --scheduler one more node, a Slurm head node, answers the `slurm`
 * probe (sacct, and squeue's nodes of running jobs) from simulated jobs of
 * the plan's tenants (slurm.c); GPU nodes running the idle-prone tenant's
 * jobs show their GPUs nearly idle.
 *
 * Modules: sim.c (the metric model and the output formats), slurm.c (the
 * simulated Slurm jobs and sacct), fault.c (fault names, stream-marker
 * parsing), server.c (libssh sessions, streaming, faults), setup.c (keys,
 * known_hosts, config.yaml), main.c (options, loop).
 */
#ifndef OPSDECK_FLEETSIM_H
#define OPSDECK_FLEETSIM_H

#include <stddef.h>
#include <stdint.h>

#include <libssh/libssh.h>
#include <libssh/server.h>
#include <libssh/callbacks.h>

#include "opsdeck/buf.h"
#include "opsdeck/frame.h"

#define FLEETSIM_MAX_NODES	(254 * 250)	/* addresses from the base, .0/.255 skipped */
#define FLEETSIM_MAX_PROBES	16
#define FLEETSIM_MAX_CMD	(256 * 1024)	/* an exec command longer than this is refused */
#define FLEETSIM_MIN_INTERVAL_MS 10
#define FLEETSIM_FLOOD_BYTES	(100ULL * 1024 * 1024)	/* body of one flood frame */
#define FLEETSIM_HELD_MAX	64	/* connections a hung node holds without answering */
#define FLEETSIM_KEX_TIMEOUT_MS	30000	/* from accept to authenticated */
#define FLEETSIM_SIM_MAX_CORES	128
#define FLEETSIM_SIM_MAX_GPUS	8
#define FLEETSIM_SIM_MAX_NETS	6
#define FLEETSIM_SIM_MAX_DISKS	8
#define STREAM_MARKER		"# opsdeck-stream v1"
#define FLEETSIM_SCHED_NAME	"slurm-head"	/* the --scheduler node */

enum fs_fault {
	FAULT_NONE,
	FAULT_HANG,	/* accept, then silence: no data, no EOF, no keepalive replies */
	FAULT_DROP,	/* close connections (existing and new) */
	FAULT_GARBAGE,	/* random bytes and broken frames */
	FAULT_FLOOD,	/* FLEETSIM_FLOOD_BYTES per frame */
	FAULT_SLOW,	/* frames every interval x 5 */
	FAULT_REFUSE,	/* listening socket closed: connection refused */
	FAULT_BADKEY,	/* a host key that is not in known_hosts */
	FAULT_AUTHFAIL,	/* every authentication is rejected */
	FAULT_COUNT
};

/* "hang", ... for a fault; NULL for an out-of-range value. */
const char *fault_name(enum fs_fault f);
/* Parses a fault name; 0, or -1 when unknown. */
int fault_parse(const char *s, enum fs_fault *out);

/* What a stream script asks for, from its marker line. */
struct stream_req {
	int64_t	 interval_ms;
	int	 nprobes;
	char	 probes[FLEETSIM_MAX_PROBES][32];
	char	 gpu_fields[1024];	/* --query-gpu= list found in the script, "" if none */
	int	 gpu_procs;		/* the script asks --query-compute-apps too */
	int	 linux_sums;		/* its linux probe sends cores' sums (LINUX_SUMS_MARK) */
	/*
	 * The script's slurm probe asks sacct for SLURM_PROBE_COMMAND's windows
	 * (it reads opsdeck_seq): the first cycle's wide, the later ones narrow,
	 * cut at SLURM_SACCT_LINES. Else (an older opsdeck) the whole window.
	 */
	int	 sacct_windowed;
	/*
	 * The session's nonce, from the script's last line "opsdeck_stream
	 * NONCE" (frame_command), followed by a space: what every marker
	 * carries after "@@opsdeck " and "@@end ". "" for a script without that
	 * line (a hand-written loop of the tests): markers without a nonce.
	 */
	char	 nonce[FRAME_NONCE_LEN + 2];
};

/*
 * Parses a command. Returns 1 when it is an opsdeck stream script (the marker
 * line comes first, after optional blank space) and fills *req; 0 when it is
 * another command; -1 when the marker is there but malformed (*cause set,
 * caller frees). Pure.
 */
int stream_parse(const char *cmd, size_t len, struct stream_req *req, char **cause);
/*
 * The length of the script an exec command says follows on stdin
 * (frame_stdin_command: FRAME_STDIN_MARKER " bytes=N" as its first line),
 * 1..FLEETSIM_MAX_CMD; 0 for another command; -1 for the marker with no
 * length or one out of range. Pure.
 */
long long stdin_script_len(const char *cmd, size_t len);

/* ---- sim.c: the per-node metric model ---------------------------------- */

/* What a simulated host is; sim_node_init's kind. */
enum sim_kind { SIM_CPU, SIM_GPU, SIM_CONTROLLER };

struct sim_gpu {
	double	 util, mem_util, mem_used_mib, temp, mem_temp, power, energy_j;
	int64_t	 ecc_corrected, ecc_uncorrected;
	unsigned busy;			/* a job is running on it */
	char	 uuid[48];
	char	 serial[16];
};

struct sim_net {
	const char *name;
	double	 rx_rate, tx_rate;	/* bytes/s at full load */
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets, rx_drop, multicast;
	double	 frac_rx, frac_tx;
};

struct sim_disk {
	char	 name[16];
	int	 major, minor;
	int	 whole;			/* 1: a whole disk, 0: a partition */
	double	 reads, sectors_read, ms_read, writes, sectors_written, ms_write;
	double	 io_ms, weighted_ms, discards, sectors_discarded, flushes, ms_flush;
};

struct sim_node {
	uint64_t rng;
	int	 gpu;			/* 1: a GPU node */
	int	 controller;		/* 1: a test-bed controller (small box, no BMC) */
	int	 ncores;
	double	 util;			/* node CPU busy fraction, drifts */
	double	 target;		/* where util drifts to */
	double	 core_bias[FLEETSIM_SIM_MAX_CORES];
	/* per core: user nice system idle iowait irq softirq steal */
	double	 jiffies[FLEETSIM_SIM_MAX_CORES][8];
	double	 ctxt;
	uint64_t processes;
	int	 procs_running;
	double	 load[3];
	uint64_t mem_total_kb;
	double	 mem_used_frac, cache_frac;
	uint64_t swap_total_kb;
	int	 nnets, ndisks, ngpus;
	struct sim_net nets[FLEETSIM_SIM_MAX_NETS];
	struct sim_disk disks[FLEETSIM_SIM_MAX_DISKS];
	struct sim_gpu gpus[FLEETSIM_SIM_MAX_GPUS];
	double	 inlet;
	int64_t	 boot_ms;		/* mono clock of the simulated boot */
	int64_t	 last_ms;		/* last advance */
};

/* Sets up a host's model (kind: enum sim_kind); deterministic for a seed. */
void sim_node_init(struct sim_node *n, int kind, uint64_t seed, int64_t now_ms);
/* Moves the model forward to now_ms (monotonic ms): counters advance, levels drift. */
void sim_node_advance(struct sim_node *n, int64_t now_ms);
/*
 * Appends the probe outputs, in the real formats, to out. sums: the linux
 * probe's awk sends each core's sums (its command has LINUX_SUMS_MARK).
 */
void sim_linux(const struct sim_node *n, int64_t now_ms, int sums, struct buf *out);
/* fields: nvidia-smi --query-gpu list ("" for the default); CPU nodes print nothing. */
void sim_nvidia(const struct sim_node *n, const char *fields, struct buf *out);
void sim_ipmi(const struct sim_node *n, struct buf *out);
/*
 * How many of the n queued bytes at p go out in the next channel write, as
 * a real sshd sends a node's output: the node's loop writes each frame
 * through dd, in blocks of FRAME_WRITE_MAX bytes and the rest of the frame
 * at its end line (frame.h). p is at a frame's start or at such a block's.
 */
size_t sim_piece_len(const char *p, size_t n);
/*
 * Random bytes, control sequences and broken frames, about 8 KiB; nonce is
 * the session's marker nonce and its space (stream_req.nonce).
 */
void sim_garbage(uint64_t *rng, uint64_t seq, const char *nonce, struct buf *out);
/* Up to max bytes of flood lines, numbered from *line. */
void sim_flood(uint64_t *line, size_t max, struct buf *out);
/* xorshift64*: next value and a uniform double in [0,1). */
uint64_t sim_rand(uint64_t *state);
double sim_uniform(uint64_t *state);
/* snprintf-style append without a heap allocation per call (lines < 1 KiB). */
void sim_printf(struct buf *out, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* The exit status when a node's address and port are taken (EADDRINUSE). */
#define FLEETSIM_EXIT_IN_USE	3

/* ---- slurm.c: the simulated Slurm cluster ---------------------------- */

#define SLURM_SIM_WINDOW_S	(2 * 86400)	/* sacct -S now-2days */
#define SLURM_SIM_HISTORY_S	(3 * 86400)	/* jobs are submitted from start - this */
#define SLURM_SIM_MAX_POOL	1000000		/* jobs kept; further submissions are dropped */
#define SLURM_SIM_MAX_ACCOUNTS	4096
#define SLURM_SIM_TRUTH_RING	16		/* sacct outputs remembered in slurm-truth */
#define SLURM_SIM_DEFAULT_GPUS	4.0		/* GPUs busy on average, per --accounts account */

/* One Slurm account and the Poisson process of its submissions. */
struct slurm_sim_account {
	char		 name[64];
	int		 tenant;	/* index into slurm_sim.tenants, -1: none */
	int		 cpu_only;	/* node-hours tenant: CPU jobs on partition hpc */
	double		 rate;		/* submissions per simulated second */
	double		 next_submit;	/* simulated unix time of the next one */
	uint64_t	 rng;
	char		 users[3][16];
	int		 uids[3];
	int64_t		 retired_gpu_s, retired_node_s;	/* shown use of retired jobs */
};

/* One allocation (an array task is one too). Times are simulated unix seconds. */
struct slurm_sim_job {
	uint64_t	 id;
	int		 task;		/* array task, -1: not an array */
	int		 account, user;
	int		 partition;	/* 0 gpu, 1 cpu, 2 hpc */
	int		 gpus, nodes, cpus, mem_g;
	int		 outcome;	/* final state: SLURM_SIM_COMPLETED, ... */
	int64_t		 submit, start, end;	/* start == end: cancelled while pending */
	int		 shown;		/* printed by some sacct output */
	int64_t		 shown_elapsed;	/* ElapsedRaw in the latest output that printed it */
};

enum { SLURM_SIM_COMPLETED, SLURM_SIM_FAILED, SLURM_SIM_TIMEOUT, SLURM_SIM_CANCELLED,
	SLURM_SIM_OOM };

struct slurm_sim {
	struct slurm_sim_account *accts;	/* owned */
	int		 naccts;
	char		**tenants;	/* tenant ids, owned; accounts without one: none */
	int		 ntenants;
	struct slurm_sim_job *jobs;	/* in JobID order, owned */
	size_t		 njobs, cap;
	uint64_t	 next_id;
	int64_t		 now;		/* simulated time of the latest advance */
	uint64_t	 outputs;	/* sacct outputs made */
	/* ring of per-account totals (GPU-s, node-s) after each output */
	int64_t		*ring;		/* SLURM_SIM_TRUTH_RING x naccts x 2 */
	uint64_t	 ring_seq[SLURM_SIM_TRUTH_RING];
	int		 nring;
	int		 idle_account;	/* the idle-prone account (its GPUs idle), -1: none */
};

struct budget_plan;

/*
 * Sets up the simulated cluster: the accounts of plan p (each tenant's
 * `accounts`, its pace taken from its allocation per period) or, when p is
 * NULL, the naccounts names given (SLURM_SIM_DEFAULT_GPUS each). Accounts
 * whose names Slurm would not take (not [A-Za-z0-9._-], 1-63 bytes) are
 * left out with a message in *warn (malloc'd, NULL when none; caller frees).
 * Submissions start SLURM_SIM_HISTORY_S before start_s (simulated unix time),
 * deterministic for a seed. Returns 0, or -1 with *cause when no account is left.
 */
int slurm_sim_init(struct slurm_sim *s, const struct budget_plan *p, char **accounts,
	    int naccounts, uint64_t seed, int64_t start_s, char **warn, char **cause);
void slurm_sim_free(struct slurm_sim *s);
/*
 * Multiplies every account's submission rate by factor (> 0), before the
 * first output: --job-rate, for floods of jobs (200,000 in the window).
 */
void slurm_sim_scale_rate(struct slurm_sim *s, double factor);
/*
 * Appends what `sacct -a -X -n -P -S now-WINDOW -E now -o SLURM_SACCT_FIELDS
 * | head -n max_lines` prints at simulated time now_s (never earlier than a
 * previous call's; an earlier one is taken as the previous): every job
 * submitted by then that had not ended before now_s - window_s (at most
 * SLURM_SIM_WINDOW_S), in JobID order, the first max_lines of them (0: all).
 * ElapsedRaw of a job never shrinks from one output to the next. Records the
 * use shown so far (of the jobs printed).
 */
void slurm_sim_sacct_window(struct slurm_sim *s, int64_t now_s, int64_t window_s,
	    size_t max_lines, struct buf *out);
/* slurm_sim_sacct_window over SLURM_SIM_WINDOW_S, every line. */
void slurm_sim_sacct(struct slurm_sim *s, int64_t now_s, struct buf *out);
/*
 * Appends the `slurm` probe's squeue part at now_s, after a slurm_sim_sacct
 * at the same time: SLURM_SQUEUE_MARKER, then `JobID|NodeList` for each
 * running job, its nodes named by gpu_names (ngpu GPU nodes, in fleet
 * order; config.yaml's names). With no GPU node, the marker alone.
 */
void slurm_sim_squeue(const struct slurm_sim *s, int64_t now_s, char *const *gpu_names,
	    int ngpu, struct buf *out);
/*
 * Sets idle[i] (ngpu entries) for each GPU node that runs a job of the
 * idle-prone account at now_s (it submits what is due by then, as sacct would),
 * and, when jobs and users are not NULL, jobs[i] to that job's id and
 * users[i] to its user's name (valid while s lives).
 */
void slurm_sim_gpu_idle(struct slurm_sim *s, int64_t now_s, int ngpu, unsigned char *idle,
	    uint64_t *jobs, const char **users);
/*
 * What the jobs printed so far add up to, the way a collector that took
 * every output and kept each job's growth counts it: for account a, GPU-
 * and node-seconds at the k-th latest output (k = 0: the latest). -1 when
 * there is no such output.
 */
int slurm_sim_truth(const struct slurm_sim *s, int k, int a, int64_t *gpu_s, int64_t *node_s);
/*
 * Writes the truth of the remembered outputs to path (through path.tmp and a
 * rename): lines `OUTPUT tenant ID GPU_HOURS NODE_HOURS` and `OUTPUT account
 * NAME GPU_HOURS NODE_HOURS`, oldest output first. 0, or -1 with *cause.
 */
int slurm_sim_write_truth(const struct slurm_sim *s, const char *path, char **cause);

/* ---- server.c ------------------------------------------------------------ */

struct fs_session;

/* What an epoll event is about: the data.ptr of every registration. */
enum { WATCH_LISTEN, WATCH_SESSION, WATCH_CONTROL, WATCH_SIGNAL };
struct fs_watch {
	int	 kind;
	void	*obj;		/* fs_node, fs_session or fleetsim */
};

struct fs_node {
	int		 index;		/* 0-based */
	char		 name[24];	/* gpu001, cpu001, ctl-energy-01 */
	char		 addr[16];	/* dotted quad */
	int		 gpu;
	int		 controller;	/* a test-bed controller: answers the testbed probe */
	int		 scheduler;	/* the Slurm head node: answers the slurm probe */
	int		 sector;	/* its TESTBED_* sector */
	int		 tb_faults;	/* TESTBED_SIM_* scripted faults of its report */
	int		 listen_fd;	/* -1 while refusing */
	struct fs_watch	 watch;
	ssh_bind	 bind;		/* this node's host key */
	char		*pubkey;	/* "ssh-ed25519 AAAA...", owned */
	enum fs_fault	 fault;
	struct sim_node	 sim;
	struct fs_session *sessions;	/* list */
	int		 held[FLEETSIM_HELD_MAX];	/* fds accepted while hung */
	int		 nheld;
	uint64_t	 accepted;
};

struct fleetsim {
	struct fs_node	*nodes;
	int		 nnodes, ngpu;
	int		 nctl;		/* controllers: nodes[nnodes - nsched - nctl ..] */
	int		 nsched;	/* 1: the last of nodes[] is the Slurm head node */
	struct slurm_sim *slurm;	/* its jobs, NULL without --scheduler */
	char		**gpu_names;	/* ngpu GPU node names (config.yaml's) */
	unsigned char	*gpu_idle;	/* ngpu: runs an idle-prone job (slurm_sim_gpu_idle) */
	uint64_t	*gpu_job;	/* ngpu: that job's id, when gpu_idle */
	const char	**gpu_user;	/* ngpu: its user (the simulation's), when gpu_idle */
	int64_t		 gpu_idle_ms;	/* mono ms of gpu_idle, -1: never */
	double		 time_scale;	/* simulated seconds per real second (Slurm) */
	int64_t		 sim_t0_s;	/* simulated unix time at mono_t0_ms */
	int64_t		 mono_t0_ms;
	char		*budget;	/* --budget, absolute, or NULL; owned */
	int		 port;
	char		*dir;
	double		 interval_scale;
	uint64_t	 seed;
	int		 verbose;
	int		 epfd;		/* epoll over listeners, sessions, control, signals */
	struct fs_watch	 control_watch, signal_watch;
	ssh_bind	 badkey_bind;	/* the key a FAULT_BADKEY node shows */
	ssh_key		 client_pub;	/* the only key accepted */
	int		 control_fd;
	struct buf	 control_line;
	int		 sig_fd;
	volatile int	 stop;
	/*
	 * Files are short (the hard open-file limit is under 2 a node): a node
	 * listens only while it has no session, so that it holds one file,
	 * not two. A second session to a busy node is refused meanwhile.
	 */
	int		 frugal;
	int		 shutting;	/* server_shutdown: sessions end, nothing listens again */
	int		 nsessions;
	uint64_t	 frames, bytes;
};

/* Opens node n's listening socket; 0, or -1 with *cause. */
int server_listen(struct fleetsim *fs, struct fs_node *n, char **cause);
/* Runs the loop until fs->stop; returns 0. */
int server_run(struct fleetsim *fs);
/* Applies a fault (FAULT_NONE clears it) to a node now. */
void server_set_fault(struct fleetsim *fs, struct fs_node *n, enum fs_fault f);
/* Closes every session and socket. */
void server_shutdown(struct fleetsim *fs);
/* Handles one control line ("fault NODE KIND", "clear NODE"); 0, or -1 with *cause. */
int server_control(struct fleetsim *fs, const char *line, char **cause);
/* The simulated Slurm time (unix seconds) at monotonic time now_ms. */
int64_t server_slurm_now(const struct fleetsim *fs, int64_t now_ms);
/* Finds a node by name, address or "all" (returns NULL, sets *all). */
struct fs_node *server_find_node(struct fleetsim *fs, const char *ref, int *all);

/* ---- setup.c ------------------------------------------------------------- */

/*
 * Keys, known_hosts, config.yaml, the hosts and nodes files and the control
 * FIFO in fs->dir. 0, or -1 with *cause (malloc'd).
 */
int setup_files(struct fleetsim *fs, int shared_key, char **cause);

#endif
