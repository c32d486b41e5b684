/*
 * stream.c: the collector's workers (collector_int.h). Each worker owns a
 * fixed share of the hosts and waits on all their connections at once
 * (epoll); it reads each source without blocking, files frames into cycles
 * (every probe's frame of one SEQ), turns a cycle into figures, checks
 * deadlines (stale, timeout), and after a failure retries with exponential
 * back-off and jitter. What a host shows (its status and the report parts
 * waiting for the store) is published under c->lock for the publisher.
 * Written once for every source (source.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "collector_int.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

#define READ_CHUNK		(64 * 1024)
#define READ_BUDGET		(256 * 1024)	/* per host per poll round, for fairness */
#define WORKER_MAX_WAIT_MS	1000
#define WORKER_BATCH_MS		20	/* after a busy round, gather input this long */
#define WORKER_BULK_BYTES	(16 * 1024)	/* ...unless a host sent this much in it */
#define WORKER_EVENTS		256		/* epoll events taken per wait */
#define WAKE_TOKEN		UINT64_MAX	/* epoll data of the wake pipe */

static void worker_watch(struct chost *ch);
static void worker_unwatch(struct chost *ch);
static void host_check_deadlines(struct chost *ch, int64_t now, int64_t *next);

/* ---- publishing state (any thread, takes c->lock) ---------------------- */

static int
state_is_failure(enum host_state s)
{
	return s != HOST_CONNECTING && s != HOST_UP && s != HOST_STALE;
}

/* Sets the host's state and message (sanitised, cut to fit). Takes c->lock. */
static void
publish_state(struct chost *ch, enum host_state state, const char *msg)
{
	struct collector *c = ch->c;
	char err[HOST_ERROR_MAX];

	sanitize_text(err, sizeof err, msg != NULL ? msg : "", msg != NULL ? strlen(msg) : 0);
	pthread_mutex_lock(&c->lock);
	if (ch->st.state != state || strcmp(ch->st.error, err) != 0) {
		if (ch->st.state != state)
			ch->st.state_since_ms = now_wall_ms();
		ch->st.state = state;
		memcpy(ch->st.error, err, sizeof err);
		ch->dirty = 1;
	}
	if (state_is_failure(state))
		ch->settled = 1;
	pthread_mutex_unlock(&c->lock);
}

/*
 * See collector_int.h. Called under c->lock. Past COLLECTOR_MAX_QUEUED the
 * oldest part is freed and counted (collector_store_error reports it).
 */
void
queue_part(struct chost *ch, const struct queued_part *qp)
{
	if (ch->nqueue == COLLECTOR_MAX_QUEUED) {
		report_part_free(&ch->queue[0].part);
		memmove(ch->queue, ch->queue + 1, (ch->nqueue - 1) * sizeof *ch->queue);
		ch->nqueue--;
		ch->c->dropped++;
	}
	if (ch->queue == NULL)
		ch->queue = xcalloc(COLLECTOR_MAX_QUEUED, sizeof *ch->queue);
	ch->queue[ch->nqueue++] = *qp;
}

/*
 * Publishes the cycle in ch->cur (ch->prev one interval earlier: rates)
 * with state UP, or TIMEOUT and msg when one of its commands was killed at
 * its deadline; queues its parts. Takes c->lock. The figures go straight
 * into ch->st, whose arrays the publisher's copies share (no second status
 * a host: at 10,000 hosts that was 11 MB).
 */
static void
publish_cycle(struct chost *ch, int64_t now, enum host_state state, const char *msg)
{
	struct collector *c = ch->c;
	char err[HOST_ERROR_MAX] = "";

	if (msg != NULL)
		sanitize_text(err, sizeof err, msg, strlen(msg));
	pthread_mutex_lock(&c->lock);
	enum host_state old = ch->st.state;
	host_status_from_reports(&ch->st, ch->have_prev ? &ch->prev : NULL, &ch->cur,
	    ch->have_prev ? now - ch->prev_mono : 0, c->opts.counters ? HS_COUNTERS : 0);
	ch->st.sample_ms = now_wall_ms();
	ch->st.state = state;
	memcpy(ch->st.error, err, sizeof err);
	if (old != state)
		ch->st.state_since_ms = ch->st.sample_ms;
	if (state_is_failure(state))
		ch->settled = 1;
	/* Parts (devices, compute use) wait for the tick that commits them. */
	for (size_t i = 0; i < ch->cur.nparts; i++) {
		struct queued_part qp = { ch->cur.parts[i], ch->st.sample_ms };
		queue_part(ch, &qp);
	}
	ch->cur.nparts = 0;
	ch->dirty = 1;
	ch->cycles++;
	pthread_mutex_unlock(&c->lock);
}

/* ---- streams (worker side) ---------------------------------------------- */

/* Forgets the cycle being assembled. */
static void
cycle_reset(struct chost *ch)
{
	report_free(&ch->cur);
	memset(&ch->cur, 0, sizeof ch->cur);
	free(ch->cycle_err);
	ch->cycle_err = NULL;
	free(ch->cycle_timeout);
	ch->cycle_timeout = NULL;
	ch->in_cycle = 0;
	ch->nseen = 0;
	if (ch->seen != NULL)
		memset(ch->seen, 0, ch->cg->nprobes);
}

/* Closes whatever connection the host has; it goes back to PH_IDLE. */
void
stream_close(struct chost *ch, int graceful)
{
	worker_unwatch(ch);
	if (ch->conn != NULL) {
		ch->cg->src->close(ch->conn, graceful);
		ch->conn = NULL;
	}
	ch->fd = -1;
	frame_reader_free(&ch->fr);
	frame_reader_init(&ch->fr, PROBE_MAX_OUTPUT, NULL);
	ch->garbage_mark = 0;
	ch->flood = 0;
	ch->over_budget = 0;
	ch->more = 0;
	cycle_reset(ch);
	/* A new stream restarts its counters; rates across the gap would lie. */
	report_free(&ch->prev);
	memset(&ch->prev, 0, sizeof ch->prev);
	ch->have_prev = 0;
	ch->phase = PH_IDLE;
}

/*
 * Next delay of the exponential back-off: 1 s doubling up to the group's
 * backoff_max, +-20 % jitter, and never past backoff_max: a host that comes
 * back is tried within backoff_max.
 */
static int64_t
backoff_ms(struct chost *ch)
{
	int64_t cap = ch->cg->backoff_max_ms;
	int64_t d = OD_MIN((int64_t)BACKOFF_BASE_MS, cap);
	for (int i = 1; i < ch->attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	int64_t j = d / 5;
	if (j > 0)
		d += (int64_t)(rand_r(&ch->w->seed) % (unsigned)(2 * j + 1)) - j;
	return OD_MIN(d, cap);
}

/* Something of ch is due at t (mono ms): its worker looks at its hosts by then. */
static void
due_at(struct chost *ch, int64_t t)
{
	if (t < ch->w->scan_mono)
		ch->w->scan_mono = t;
}

/* ch may have more to read than it got: its worker reads it next round. */
static void
more_push(struct chost *ch)
{
	struct worker *w = ch->w;

	ch->more = 1;
	if (ch->listed)
		return;
	if (w->nmore == w->capmore) {
		w->capmore = w->capmore > 0 ? 2 * w->capmore : 16;
		w->more = xreallocarray(w->more, w->capmore, sizeof *w->more);
	}
	w->more[w->nmore++] = ch->idx;
	ch->listed = 1;
}

/* The host failed: publish why, drop its transport, retry after back-off. */
static void
host_fail(struct chost *ch, enum host_state state, const char *msg)
{
	stream_close(ch, 0);
	publish_state(ch, state, msg);
	ch->attempts++;
	ch->retry_mono = now_mono_ms() + backoff_ms(ch);
	due_at(ch, ch->retry_mono);
}

/* One cycle (every probe's frame of one SEQ) arrived. */
static void
cycle_done(struct chost *ch)
{
	int64_t now = now_mono_ms();

	/* A complete cycle, good or not, resets the report deadline. */
	ch->last_frame_mono = now;
	ch->partial_frames = 0;
	ch->stray_frames = 0;
	ch->cycle_garbage = ch->fr.garbage;
	if (ch->cycle_err != NULL && (size_t)ch->cur.nfailed >= ch->nseen) {
		publish_state(ch, HOST_PARSE_ERROR, ch->cycle_err);
		cycle_reset(ch);
		return;
	}
	/* A command killed at its deadline: the others' figures, and why. */
	publish_cycle(ch, now, ch->cycle_timeout != NULL ? HOST_TIMEOUT : HOST_UP,
	    ch->cycle_timeout);
	/*
	 * The next cycle's rates need only the linux sample: the GPUs,
	 * sensors and warnings are in ch->st now (a host of IPMI sensors keeps
	 * several KB less).
	 */
	report_free(&ch->prev);
	ch->prev.linux = ch->cur.linux;
	linux_sample_keep(&ch->prev.linux);	/* kept a cycle: fitted, cores as sums */
	memset(&ch->cur.linux, 0, sizeof ch->cur.linux);
	report_free(&ch->cur);
	ch->have_prev = 1;
	ch->prev_mono = now;
	ch->stream_cycles++;
	/*
	 * The back-off starts again only once a stream has lasted a budget
	 * window: a host cut off for a flood of good cycles keeps backing off.
	 */
	if (now - ch->stream_mono >= ch->cg->budget_window_ms)
		ch->attempts = 0;
	cycle_reset(ch);
}

/* frame_reader callback: files a frame into the cycle of its SEQ. */
static void
on_frame(const struct frame *f, void *arg)
{
	struct chost *ch = arg;
	struct cgroup *cg = ch->cg;

	ch->partial_frames++;
	ch->garbage_mark = ch->fr.garbage;
	if (ch->over_budget)
		return;		/* cut off after this feed: parse nothing more */
	if (flood_frame(ch) != 0)
		return;
	if (f->truncated) {
		ch->flood = 1;
		return;
	}
	if (!ch->in_cycle || f->seq != ch->seq) {
		cycle_reset(ch);	/* an unfinished cycle is dropped */
		ch->in_cycle = 1;
		ch->seq = f->seq;
	}
	size_t i;
	for (i = 0; i < cg->nprobes; i++)
		if (strcmp(cg->probes[i]->name, f->probe) == 0)
			break;
	if (i == cg->nprobes || ch->seen[i]) {
		ch->stray_frames++;
		return;
	}
	ch->seen[i] = 1;
	ch->nseen++;
	ch->last_any_mono = now_mono_ms();
	if (f->timed_out) {
		/* killed on the node at its deadline: a timeout, not a parse error */
		if (ch->cycle_timeout == NULL) {
			char d[32];
			duration_format(cg->probe_timeout_ms, d, sizeof d);
			int quiet = strspn(f->body, "\n") == f->len;
			ch->cycle_timeout = xasprintf(quiet ? "%s: no output within %s" :
			    "%s: not finished within %s, killed", f->probe, d);
		}
	} else {
		/*
		 * A probe whose output is garbage costs only its part: the host is
		 * parse-error only when every probe of the cycle failed (cycle_done).
		 */
		char *cause = NULL;
		if (cg->probes[i]->parse(f->body, f->len, &ch->cur, &cause) != 0) {
			if (ch->cycle_err == NULL)
				ch->cycle_err = xasprintf("%s: %s", f->probe,
				    cause != NULL ? cause : "unreadable output");
			report_probe_failed(&ch->cur, f->probe, cause);
		}
		free(cause);
	}
	if (ch->nseen == cg->nprobes)
		cycle_done(ch);
}

/*
 * Feeds bytes from the host; cuts off a host that floods: a frame (or the
 * bytes between frames) over PROBE_MAX_OUTPUT, or more frames or bytes
 * than its budget (flood.c). 0, or -1 when cut off.
 */
static int
host_feed(struct chost *ch, const char *p, size_t n)
{
	int64_t now = now_mono_ms();

	if (flood_bytes(ch, n, now) == 0)
		frame_reader_feed(&ch->fr, p, n, on_frame, ch);
	if (ch->over_budget) {
		char *m = flood_message(ch, now);
		host_fail(ch, HOST_CUT_OFF, m);
		free(m);
		return -1;
	}
	if (ch->flood || (ch->fr.in_frame && ch->fr.body.overflow) ||
	    ch->fr.garbage - ch->garbage_mark > PROBE_MAX_OUTPUT) {
		char *m = xasprintf("flood: output over %d bytes, cut off", PROBE_MAX_OUTPUT);
		host_fail(ch, HOST_CUT_OFF, m);
		free(m);
		return -1;
	}
	return 0;
}

/* A connection is open: the worker watches it from now on. */
static void
stream_begin(struct chost *ch, struct source_conn *conn)
{
	ch->conn = conn;
	ch->fd = ch->cg->src->fd(conn);
	ch->fr.spare = &ch->w->spare;	/* its reader is fed by this worker only */
	worker_watch(ch);
	ch->phase = PH_STREAMING;
	ch->stream_mono = now_mono_ms();
	ch->last_frame_mono = 0;
	ch->last_any_mono = 0;
	flood_reset(ch, ch->stream_mono);
	ch->partial_frames = 0;
	ch->stray_frames = 0;
	ch->cycle_garbage = 0;
	ch->stream_cycles = 0;
	more_push(ch);	/* a source may hold data already (libssh's buffers) */
	host_check_deadlines(ch, ch->stream_mono, &ch->w->scan_mono);
}

/*
 * A host whose back-off expired (or that never ran): a blocking source goes
 * to the connectors, another opens here.
 */
static void
host_begin(struct chost *ch)
{
	if (ch->cg->nprobes == 0 && ch->cg->src->poll == NULL) {
		host_fail(ch, HOST_PARSE_ERROR, "no known probe configured for this group");
		ch->retry_mono = INT64_MAX;
		return;
	}
	if (ch->cg->src->blocking) {
		connect_enqueue(ch);
		return;
	}
	struct source_conn *conn = NULL;
	enum host_state state = HOST_DOWN;
	char *cause = NULL;
	struct source_open_ctx ctx = { -1, NULL, NULL };
	char *cmd = frame_command(ch->cg->script, ch->fr.nonce);	/* this stream's nonce */
	int rc = ch->cg->src->open(ch->hd, cmd, &ctx, &conn, &state, &cause);
	free(cmd);
	if (rc != 0) {
		host_fail(ch, state, cause != NULL ? cause : "cannot open");
		free(cause);
		return;
	}
	stream_begin(ch, conn);
}

/*
 * Deadlines of a streaming host: stale 2 intervals after its last cycle;
 * timeout when no frame of its probes came for interval + report_ms (each
 * command has its deadline on the node, so a slow cycle still sends its
 * frames in time); parse-error when frames come but no cycle completes in
 * interval + report_ms per probe.
 */
static void
host_check_deadlines(struct chost *ch, int64_t now, int64_t *next)
{
	struct cgroup *cg = ch->cg;
	int64_t last = ch->last_frame_mono > 0 ? ch->last_frame_mono : ch->stream_mono;
	int64_t any = OD_MAX(last, ch->last_any_mono);
	int64_t dead = any + cg->interval_ms + cg->report_ms;
	int64_t cycle_dead = last + (cg->interval_ms + cg->report_ms) *
	    (int64_t)OD_MAX(cg->nprobes, (size_t)1);

	if (now >= OD_MIN(dead, cycle_dead)) {
		char a[32], b[32], d[32];
		duration_format((now - last) / 1000 * 1000, a, sizeof a);
		duration_format(cg->interval_ms, b, sizeof b);
		duration_format(cg->report_ms, d, sizeof d);
		uint64_t junk = ch->fr.garbage - ch->cycle_garbage;
		if (now >= cycle_dead || ch->stray_frames > 0 || junk > 0) {
			/* It talks, but never a whole report: its output is the problem. */
			char *m = xasprintf("no complete report for %s: %d frame%s without a "
			    "full cycle, %llu bytes outside frames; connection dropped", a,
			    ch->partial_frames, ch->partial_frames == 1 ? "" : "s",
			    (unsigned long long)junk);
			host_fail(ch, HOST_PARSE_ERROR, m);
			free(m);
			return;
		}
		char *m = xasprintf("no report for %s (interval %s + timeout %s); "
		    "connection dropped", a, b, d);
		host_fail(ch, HOST_TIMEOUT, m);
		free(m);
		return;
	}
	if (OD_MIN(dead, cycle_dead) < *next)
		*next = OD_MIN(dead, cycle_dead);
	if (ch->stream_cycles > 0) {
		int64_t stale = last + 2 * cg->interval_ms;
		if (now >= stale) {
			pthread_mutex_lock(&ch->c->lock);
			enum host_state s = ch->st.state;
			pthread_mutex_unlock(&ch->c->lock);
			if (s == HOST_UP) {
				char a[32];
				duration_format((now - last) / 1000 * 1000, a, sizeof a);
				char *m = xasprintf("no report for %s", a);
				publish_state(ch, HOST_STALE, m);
				free(m);
			}
		} else if (stale < *next)
			*next = stale;
	}
}

/* Registers a streaming host's fd with its worker's epoll set. */
static void
worker_watch(struct chost *ch)
{
	struct epoll_event e;

	memset(&e, 0, sizeof e);
	e.events = EPOLLIN;
	e.data.u64 = ch->idx;
	if (epoll_ctl(ch->w->epfd, EPOLL_CTL_ADD, ch->fd, &e) != 0)
		fatal("epoll_ctl: %s", strerror(errno));
	ch->watched = 1;
}

static void
worker_unwatch(struct chost *ch)
{
	if (ch->watched && ch->fd >= 0)
		epoll_ctl(ch->w->epfd, EPOLL_CTL_DEL, ch->fd, NULL);
	ch->watched = 0;
}

/* Reads what the source has, up to the budget; a failure ends the stream. */
static void
source_read(struct chost *ch)
{
	char buf[READ_CHUNK];
	size_t total = 0;

	ch->more = 0;
	while (total < READ_BUDGET) {
		enum host_state state = HOST_DOWN;
		char *cause = NULL;
		ssize_t r = ch->cg->src->read(ch->conn, buf, sizeof buf, &state, &cause);
		if (r > 0) {
			total += (size_t)r;
			ch->last_read = total;
			if (host_feed(ch, buf, (size_t)r) != 0)
				return;
			continue;
		}
		if (r == 0)
			return;
		host_fail(ch, state, cause != NULL ? cause : "connection lost");
		free(cause);
		return;
	}
	more_push(ch);
}

/*
 * Reads one host once per round; *bulk gets the largest amount read. A
 * cycle it completed moves its deadlines (stale two intervals on): the
 * worker's next look at all hosts comes no later.
 */
static void
worker_read(struct chost *ch, uint64_t round, size_t *bulk)
{
	ch->read_round = round;
	ch->last_read = 0;
	source_read(ch);
	if (ch->last_read > *bulk)
		*bulk = ch->last_read;
	if (ch->phase == PH_STREAMING)
		host_check_deadlines(ch, now_mono_ms(), &ch->w->scan_mono);
}

/* The hosts listed with more to read, each at most once a round. */
static void
worker_read_more(struct worker *w, uint64_t round, size_t *bulk)
{
	size_t n = w->nmore, *v = w->more;

	w->more = NULL;
	w->nmore = w->capmore = 0;
	for (size_t i = 0; i < n; i++) {
		struct chost *ch = &w->c->hosts[v[i]];
		ch->listed = 0;
		if (ch->phase != PH_STREAMING || !ch->more)
			continue;
		if (ch->read_round == round)
			more_push(ch);		/* read this round already: the next one */
		else
			worker_read(ch, round, bulk);
	}
	free(v);
}

/* ---- reports mode (source.h) ---------------------------------------------- */

/*
 * The row of instance `name` in server row ch's group: the one that had it,
 * else the next unused one (SIZE_MAX when every row is taken). Only the
 * server row's worker calls it; c->lock is held (rows become used).
 */
static size_t
slot_for(struct chost *ch, const char *name)
{
	struct cgroup *cg = ch->cg;
	struct collector *c = ch->c;
	size_t j = (size_t)hash_fnv1a(name) & (cg->nslot_index - 1);

	while (cg->slot_index[j] != SIZE_MAX) {
		if (strcmp(c->hosts[cg->slot_index[j]].st.name, name) == 0)
			return cg->slot_index[j];
		j = (j + 1) & (cg->nslot_index - 1);
	}
	if (cg->nused == cg->nslots)
		return SIZE_MAX;
	size_t k = cg->first_slot + cg->nused++;
	struct chost *s = &c->hosts[k];
	s->unused = 0;
	od_strlcpy(s->st.name, name, sizeof s->st.name);
	cg->slot_index[j] = k;
	return k;
}

/*
 * An answer of the server (row ch): each instance's status goes to its row
 * (same name, same row, poll after poll), instances the server no longer
 * names go down, the server row is up, and the next poll is an interval
 * away. Past the rows there are, instances are counted in the server
 * row's message.
 */
static void
poll_done(struct chost *ch, const struct source_poll *p)
{
	struct collector *c = ch->c;
	struct cgroup *cg = ch->cg;
	int64_t now = now_wall_ms();
	size_t over = p->over;

	ch->polls++;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct host_status *h = &p->hosts[i];
		size_t k = slot_for(ch, h->name);
		if (k == SIZE_MAX) {
			over++;
			continue;
		}
		struct chost *s = &c->hosts[k];
		enum host_state old = s->st.state;
		int64_t since = s->st.state_since_ms;
		host_status_free(&s->st);
		host_status_copy(&s->st, h);
		od_strlcpy(s->st.group, cg->g->name, sizeof s->st.group);
		s->st.state_since_ms = old == h->state && s->cycles > 0 ? since : now;
		s->seen_poll = ch->polls;
		s->dirty = 1;
		s->cycles++;
		if (state_is_failure(h->state))
			s->settled = 1;
	}
	char *gone = xasprintf("no longer among the targets of %s", cg->server_host.name);
	for (size_t k = cg->first_slot; k < cg->first_slot + cg->nused; k++) {
		struct chost *s = &c->hosts[k];
		if (s->seen_poll == ch->polls ||
		    (s->st.state == HOST_DOWN && strcmp(s->st.error, gone) == 0))
			continue;
		if (s->st.state != HOST_DOWN)
			s->st.state_since_ms = now;
		s->st.state = HOST_DOWN;
		od_strlcpy(s->st.error, gone, sizeof s->st.error);
		s->dirty = 1;
		s->settled = 1;
	}
	free(gone);
	/* the server row */
	enum host_state old = ch->st.state;
	if (old != HOST_UP)
		ch->st.state_since_ms = now;
	ch->st.state = HOST_UP;
	if (over > 0)
		snprintf(ch->st.error, sizeof ch->st.error, "%zu instance%s over the limit of %zu "
		    "left out", over, over == 1 ? "" : "s", cg->nslots);
	else
		ch->st.error[0] = '\0';
	ch->st.sample_ms = now;
	ch->dirty = 1;
	ch->cycles++;
	pthread_mutex_unlock(&c->lock);
	ch->attempts = 0;
	ch->phase = PH_IDLE;
	ch->retry_mono = now_mono_ms() + cg->interval_ms;
	due_at(ch, ch->retry_mono);
}

/*
 * The server did not answer as it should (row ch has failed and waits for
 * its back-off): its instances keep their figures and go stale, saying why.
 */
static void
poll_failed(struct chost *ch, const char *cause)
{
	struct collector *c = ch->c;
	struct cgroup *cg = ch->cg;
	char msg[HOST_ERROR_MAX];
	int64_t now = now_wall_ms();

	char *raw = xasprintf("no answer from the server: %s", cause != NULL ? cause : "");
	sanitize_text(msg, sizeof msg, raw, strlen(raw));
	free(raw);
	pthread_mutex_lock(&c->lock);
	for (size_t k = cg->first_slot; k < cg->first_slot + cg->nused; k++) {
		struct chost *s = &c->hosts[k];
		if (s->st.state == HOST_DOWN && s->seen_poll != ch->polls)
			continue;	/* gone before: stays gone */
		if (s->st.state != HOST_STALE)
			s->st.state_since_ms = now;
		s->st.state = HOST_STALE;
		od_strlcpy(s->st.error, msg, sizeof s->st.error);
		s->dirty = 1;
	}
	pthread_mutex_unlock(&c->lock);
}

/* Takes the connectors' results for this worker's hosts. */
static void
worker_take_inbox(struct worker *w)
{
	struct collector *c = w->c;

	pthread_mutex_lock(&w->inbox_lock);
	struct inbox_item *items = w->inbox;
	size_t n = w->ninbox;
	w->inbox = NULL;
	w->ninbox = w->capinbox = 0;
	pthread_mutex_unlock(&w->inbox_lock);

	for (size_t i = 0; i < n; i++) {
		struct chost *ch = &c->hosts[items[i].idx];
		if (items[i].poll != NULL) {
			poll_done(ch, items[i].poll);
			source_poll_free(items[i].poll);
			free(items[i].poll);
		} else if (items[i].conn != NULL) {
			stream_begin(ch, items[i].conn);
		} else {
			ch->phase = PH_IDLE;
			if (!atomic_load(&c->stopping)) {
				host_fail(ch, items[i].state, items[i].cause);
				if (ch->cg->src->poll != NULL)
					poll_failed(ch, items[i].cause);
			}
		}
		free(items[i].cause);
	}
	free(items);
}

void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct collector *c = w->c;
	struct epoll_event ev[WORKER_EVENTS];
	uint64_t round = 0;

	while (!atomic_load(&c->stopping)) {
		worker_take_inbox(w);
		int64_t now = now_mono_ms();
		int full = now >= w->scan_mono;

		round++;
		if (full) {
			/* due again by a second at the latest; the hosts lower it */
			w->scan_mono = now + WORKER_MAX_WAIT_MS;
			for (size_t i = 0; i < w->nhosts; i++) {
				struct chost *ch = &c->hosts[w->hosts[i]];
				if (ch->phase != PH_IDLE)
					continue;
				if (now >= ch->retry_mono) {
					host_begin(ch);
					now = now_mono_ms();
				}
				if (ch->phase == PH_IDLE)
					due_at(ch, ch->retry_mono);
			}
		}
		int timeout = w->nmore > 0 ? 0 :
		    (int)OD_MAX(0, OD_MIN(w->scan_mono - now, WORKER_MAX_WAIT_MS));
		int64_t start = now_mono_ms();
		int r = epoll_wait(w->epfd, ev, WORKER_EVENTS, timeout);
		if (r < 0 && errno != EINTR)
			fatal("epoll_wait: %s", strerror(errno));
		size_t bulk = 0;
		int busy = 0;
		for (int i = 0; i < r; i++) {
			if (ev[i].data.u64 == WAKE_TOKEN) {
				drain_fd(w->wake[0]);
				continue;
			}
			struct chost *ch = &c->hosts[ev[i].data.u64];
			if (ch->phase != PH_STREAMING || ch->read_round == round)
				continue;
			busy = 1;
			worker_read(ch, round, &bulk);
		}
		worker_read_more(w, round, &bulk);
		now = now_mono_ms();
		if (full)
			for (size_t i = 0; i < w->nhosts; i++) {
				struct chost *ch = &c->hosts[w->hosts[i]];
				if (ch->phase == PH_STREAMING)
					host_check_deadlines(ch, now, &w->scan_mono);
			}
		/*
		 * Frames of many hosts arrive spread over the interval: rather
		 * than a wake-up per arrival, let input gather for a moment
		 * after a busy round. Costs at most WORKER_BATCH_MS of latency.
		 * Not while a host sends in bulk (a big frame, a flood): that
		 * would throttle it to one window per pause.
		 */
		if (busy && bulk < WORKER_BULK_BYTES && now - start < WORKER_BATCH_MS &&
		    !atomic_load(&c->stopping))
			poll(NULL, 0, (int)(WORKER_BATCH_MS - (now - start)));
	}
	worker_take_inbox(w);
	for (size_t i = 0; i < w->nhosts; i++) {
		struct chost *ch = &c->hosts[w->hosts[i]];
		if (ch->phase == PH_STREAMING)
			stream_close(ch, 1);
	}
	return NULL;
}

