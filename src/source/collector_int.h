/*
 * collector_int.h: the collector's engine, shared by its three files:
 *   collector.c  lifecycle, groups, the publisher loop (ticks), the API
 *   stream.c     workers: reading sources, frames into cycles, deadlines,
 *                back-off, the published state of each host
 *   connect.c    connector threads for sources whose open blocks (ssh)
 *   flood.c      the budget of frames and bytes each stream may send
 * Dependencies go one way: collector.c -> stream.c -> connect.c; flood.c
 * is called by both and calls neither.
 *
 * Threads, all bounded whatever the number of hosts:
 * - the publisher: collector_run()'s caller, or the thread of
 *   collector_start(). Every tick it takes the statuses that changed and
 *   the report parts queued since, hands them to publish.c (one transaction)
 *   and writes a byte to wake_fd.
 * - up to COLLECTOR_MAX_WORKERS workers. Each owns a fixed subset of the
 *   hosts: their connections, frame readers, reports, deadlines and back-off.
 *   A worker waits on all its connections at once (epoll) and reads them
 *   without blocking; nothing it does blocks on one host.
 * - up to connect_window connectors: a blocking source's open
 *   (TCP connect, key exchange, host key, authentication, exec) with our own
 *   deadlines. An opened connection goes to the host's worker's inbox.
 * A host is touched by one thread at a time: its worker, or a connector while
 * it is in PH_CONNECTING. The published part (struct chost from `st` on) is
 * shared under c->lock.
 */
#ifndef OPSDECK_COLLECTOR_INT_H
#define OPSDECK_COLLECTOR_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "opsdeck/collector.h"
#include "opsdeck/frame.h"
#include "opsdeck/probe.h"
#include "opsdeck/source.h"

/* The first wait before a retry; it doubles up to the group's backoff_max. */
#define BACKOFF_BASE_MS		1000
/*
 * A frame's slack past its command's deadline (the kill, the end line on its
 * way): a fifth of the timeout, at most this.
 */
#define PROBE_DEADLINE_SLACK_MS	2000
#define COLLECTOR_MAX_QUEUED	128	/* report parts waiting per host for a commit */

enum phase { PH_IDLE, PH_CONNECTING, PH_STREAMING };

struct cgroup {
	const struct group	*g;
	const struct source_ops	*src;
	const struct probe	**probes;
	size_t			 nprobes;
	char			*script;
	int64_t			 interval_ms;
	int64_t			 timeout_ms;
	int64_t			 probe_timeout_ms;	/* each command's deadline on the node */
	int64_t			 report_ms;	/* a frame is late after interval + this */
	int64_t			 backoff_max_ms;
	/*
	 * The flood budget (flood.c): per budget_window_ms
	 * (max(interval, 1 s)) at most budget_frames frames and budget_bytes
	 * bytes on average, in bursts of up to burst_frames, burst_bytes.
	 */
	int64_t			 budget_window_ms;
	double			 budget_frames, budget_bytes;
	double			 burst_frames, burst_bytes;

	/*
	 * Reports mode (src->poll, kind prometheus): the server's row, then
	 * nslots rows that the answers fill, one per instance, in the order
	 * instances first appear; nused of them in use (under c->lock). The
	 * name index over them is the server row's worker's.
	 */
	struct host		 server_host;	/* the server row's host: HOST:PORT of the url */
	size_t			 first_slot, nslots, nused;
	size_t			*slot_index;	/* open addressing, SIZE_MAX: empty */
	size_t			 nslot_index;
};

struct worker;

struct chost {
	struct collector	*c;
	size_t			 idx;
	const struct host	*h;
	struct cgroup		*cg;
	struct worker		*w;
	void			*hd;		/* the source's per-host data */

	/* Owned by the worker (or a connector during PH_CONNECTING). */
	enum phase		 phase;
	struct source_conn	*conn;
	int			 fd;		/* conn's descriptor, -1 */
	struct frame_reader	 fr;
	uint64_t		 garbage_mark;
	int			 flood;
	int			 more;		/* read budget ran out: read again soon */
	int			 listed;	/* in its worker's list of hosts with more */
	size_t			 last_read;	/* bytes taken in the latest read round */
	uint64_t		 read_round;	/* the worker round that last read it */
	int			 watched;	/* fd is in the worker's epoll set */
	struct host_report	 cur, prev;
	int			 have_prev;
	int64_t			 prev_mono;
	uint64_t		 seq;
	int			 in_cycle;
	unsigned char		*seen;
	size_t			 nseen;
	char			*cycle_err;
	int64_t			 stream_mono;
	int64_t			 last_frame_mono;	/* the last complete cycle (deadlines) */
	int64_t			 last_any_mono;	/* the last complete frame of a group probe */
	int			 partial_frames;	/* frames since, none completing a cycle */
	int			 stray_frames;	/* of those, not of the group's probes or repeated */
	char			*cycle_timeout;	/* a command of this cycle was killed: why */
	/* The flood budget: tokens left, and what came in the current window. */
	double			 tok_frames, tok_bytes;
	int64_t			 tok_mono;
	int64_t			 win_mono;
	uint64_t		 win_frames, win_bytes;
	int			 over_budget;	/* set by on_frame: cut off after this feed */
	uint64_t		 cycle_garbage;	/* fr.garbage at that cycle */
	int			 stream_cycles;
	int			 attempts;
	int64_t			 retry_mono;

	/* Shared, under c->lock. */
	struct host_status	 st;
	struct queued_part	*queue;		/* parts waiting for a commit, oldest first */
	size_t			 nqueue;
	int			 dirty;
	int			 cycles;	/* good cycles since collector_new */
	int			 settled;	/* failed at least once */
	int			 sock;		/* socket being set up by a connector, or -1 */
	int			 begun;		/* a connector took it once (connector side) */

	/* Rows of a group in reports mode that its answers fill. */
	int			 slot;		/* never begun; no worker of its own */
	int			 unused;	/* no instance yet: hidden (under c->lock) */
	uint64_t		 seen_poll;	/* the server's poll that last named it */
	uint64_t		 polls;		/* the server row: answers taken */
};

struct inbox_item {
	size_t			 idx;
	struct source_conn	*conn;		/* NULL: failed (or a poll) */
	struct source_poll	*poll;		/* reports mode: the answer, NULL: failed */
	enum host_state		 state;
	char			*cause;
};

struct worker {
	struct collector	*c;
	pthread_t		 thr;
	int			 started;
	int			 wake[2];
	int			 epfd;		/* epoll set: wake[0] and every streaming fd */
	size_t			*hosts;
	size_t			 nhosts;
	pthread_mutex_t		 inbox_lock;
	struct inbox_item	*inbox;
	size_t			 ninbox, capinbox;
	unsigned		 seed;
	/*
	 * Only the worker's thread: no host of it has anything due (a retry,
	 * a deadline) before scan_mono, when the worker next looks at all of
	 * them; until then it reads the hosts epoll names and those listed in
	 * more[] (their read budget ran out, or a stream just began).
	 */
	int64_t			 scan_mono;
	size_t			*more;
	size_t			 nmore, capmore;
	struct buf		 spare;		/* its hosts' frame bodies between frames */
};

struct publisher;

struct collector {
	const struct config	*cfg;
	struct store		*st;
	struct collector_opts	 opts;
	struct publisher	*pub;

	struct cgroup		*groups;
	size_t			 ngroups;
	struct chost		*hosts;
	size_t			 nhosts;
	size_t			 nblocking;	/* hosts whose source opens on a connector */
	/* Of those, how many a connector took once, and when the last was taken. */
	atomic_size_t		 nbegun;
	atomic_llong		 all_begun_mono;	/* 0: not all yet */

	struct worker		*workers;
	size_t			 nworkers;
	pthread_t		*connectors;
	size_t			 nconnectors;

	pthread_mutex_t		 qlock;
	pthread_cond_t		 qcond;
	size_t			*queue;
	size_t			 qhead, qlen, qcap;

	pthread_mutex_t		 lock;
	int			 transports_up;
	atomic_int		 stopping;
	atomic_int		 interrupted;
	int			 intr[2];	/* collector_interrupt() writes here */
	int			 abort_pipe[2];	/* readable while transports stop */

	pthread_t		 thr;
	int			 thread_started;

	char			*store_error;	/* latest store failure, under lock */
	char			*warning;	/* set once by collector_new: limits */
	uint64_t		 dropped;	/* parts dropped past COLLECTOR_MAX_QUEUED, under lock */
	int64_t			 tick_ms;	/* publisher period */
};

/* ---- stream.c ---- */
void *worker_main(void *arg);

/* Ends a host's stream (workers and transports_stop); it goes back to PH_IDLE. */
void stream_close(struct chost *ch, int graceful);
/* Appends a part to ch's queue under c->lock, dropping the oldest past the bound. */
void queue_part(struct chost *ch, const struct queued_part *qp);

/* ---- flood.c: the budget of frames and bytes a stream may send ---- */
/* Sets cg's budget from its interval, report deadline and probes (cgroup_init). */
void flood_init(struct cgroup *cg);
/* A new stream: full buckets, an empty window. */
void flood_reset(struct chost *ch, int64_t now);
/* n bytes came at now: 0, or -1 with ch->over_budget set when over the budget. */
int flood_bytes(struct chost *ch, size_t n, int64_t now);
/* A frame came: 0, or -1 with ch->over_budget set when over the budget. */
int flood_frame(struct chost *ch);
/* "flood: N frames and B bytes in T, over the budget of ...; cut off", malloc'd. */
char *flood_message(const struct chost *ch, int64_t now);

/* ---- connect.c ---- */
void *connector_main(void *arg);
/* Queues a host whose source blocks for a connector. */
void connect_enqueue(struct chost *ch);
/* Hands a connector's result to the host's worker. */
void worker_post(struct worker *w, const struct inbox_item *it);
void poke_fd(int fd);
void drain_fd(int fd);

#endif
