/*
 * collector.c: keeps every configured host streaming framed reports and
 * turns them into host statuses and store ticks (collector.h). The engine's
 * threads and their shared state are described in collector_int.h; this
 * file builds and frees the collector, starts and stops its threads, and
 * runs the publisher loop that hands each tick's changes to publish.c.
 * It includes no feature's header: what a report means is feature.h's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector_int.h"
#include "opsdeck/publish.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/ssh.h"
#include "opsdeck/util.h"

#define TICK_MIN_MS		100	/* publisher period: half the shortest interval, */
#define TICK_MAX_MS		1000	/* within these bounds */
#define WAKE_TOKEN		UINT64_MAX	/* epoll data of a worker's wake pipe */

static void
set_cloexec_nonblock(int fd, int nonblock)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	if (nonblock) {
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
}

static void
make_pipe(int p[2])
{
	if (pipe(p) != 0)
		fatal("pipe: %s", strerror(errno));
	set_cloexec_nonblock(p[0], 1);
	set_cloexec_nonblock(p[1], 1);
}

/* See collector.h. */
size_t
collector_nofile_fit(uint64_t limit, size_t nhosts, uint64_t *need)
{
	uint64_t want = (uint64_t)nhosts * COLLECTOR_FDS_PER_HOST + COLLECTOR_FDS_RESERVE;
	if (need != NULL)
		*need = want;
	if (limit >= want)
		return nhosts;
	return limit > COLLECTOR_FDS_RESERVE ?
	    (size_t)((limit - COLLECTOR_FDS_RESERVE) / COLLECTOR_FDS_PER_HOST) : 0;
}

/*
 * Raises RLIMIT_NOFILE to what nhosts need (1,000 sessions need more than
 * 1,024): the hard limit too where that is allowed, else at most to it.
 * NULL, or a malloc'd warning naming how many hosts fit when the hard limit
 * is too low.
 */
static char *
raise_nofile(size_t nhosts)
{
	struct rlimit rl;
	uint64_t need;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return NULL;
	collector_nofile_fit(UINT64_MAX, nhosts, &need);
	/* Privileged (root, CAP_SYS_RESOURCE): the hard limit goes up too. */
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit up = { (rlim_t)need, (rlim_t)need };
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return NULL;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
		    (rlim_t)need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need)
		return NULL;
	size_t fit = collector_nofile_fit(rl.rlim_max, nhosts, NULL);
	return xasprintf("the open-file limit (hard, %llu) leaves room for about %zu of the"
	    " %zu configured hosts (%d files each and %d to spare); raise it to %llu"
	    " (ulimit -Hn, systemd's LimitNOFILE=)", (unsigned long long)rl.rlim_max, fit,
	    nhosts, COLLECTOR_FDS_PER_HOST, COLLECTOR_FDS_RESERVE, (unsigned long long)need);
}

/* ---- groups ---------------------------------------------------------- */

/*
 * Builds the probe list and sh loop of group g. Probe names that are not in
 * probe_table are skipped (the config checked them). A testbed group's
 * `command` replaces the command of its "testbed" probe. With counters (an
 * exporter's collector) a probe runs its command_counters.
 */
static void
cgroup_init(struct cgroup *cg, const struct group *g, int64_t timeout_override, int counters)
{
	memset(cg, 0, sizeof *cg);
	cg->g = g;
	cg->src = source_of_group(g);
	cg->probes = xcalloc(g->nprobes + 1, sizeof *cg->probes);
	for (size_t i = 0; i < g->nprobes && g->probes[i] != NULL; i++) {
		const struct probe *p = probe_find(g->probes[i]);
		if (p == NULL)
			continue;
		int dup = 0;
		for (size_t j = 0; j < cg->nprobes; j++)
			if (cg->probes[j] == p)
				dup = 1;
		if (!dup)
			cg->probes[cg->nprobes++] = p;
	}
	const char **cmds = xcalloc(cg->nprobes + 1, sizeof *cmds);
	const char **names = xcalloc(cg->nprobes + 1, sizeof *names);
	for (size_t i = 0; i < cg->nprobes; i++) {
		names[i] = cg->probes[i]->name;
		cmds[i] = counters && cg->probes[i]->command_counters != NULL ?
		    cg->probes[i]->command_counters : cg->probes[i]->command;
		if (g->command != NULL && strcmp(names[i], "testbed") == 0)
			cmds[i] = g->command;
	}
	cg->interval_ms = g->conn.interval_ms > 0 ? g->conn.interval_ms : 2000;
	cg->timeout_ms = timeout_override > 0 ? timeout_override :
	    (g->conn.timeout_ms > 0 ? g->conn.timeout_ms : 10000);
	/* Each command's deadline leaves the frame a fifth of the timeout to arrive. */
	int64_t slack = OD_MIN(cg->timeout_ms / 5, (int64_t)PROBE_DEADLINE_SLACK_MS);
	cg->probe_timeout_ms = g->conn.probe_timeout_ms > 0 ? g->conn.probe_timeout_ms :
	    cg->timeout_ms - slack;
	cg->report_ms = OD_MAX(cg->timeout_ms, cg->probe_timeout_ms + slack);
	cg->backoff_max_ms = g->conn.backoff_max_ms > 0 ? g->conn.backoff_max_ms :
	    CONFIG_BACKOFF_MAX_MS;
	flood_init(cg);
	if (cg->nprobes > 0)
		cg->script = frame_script_deadline(cmds, names, cg->nprobes, cg->interval_ms,
		    cg->probe_timeout_ms);
	free(cmds);
	free(names);
}

static void
cgroup_free(struct cgroup *cg)
{
	free(cg->probes);
	free(cg->script);
	free(cg->server_host.name);
	free(cg->slot_index);
}

/*
 * The name of a reports-mode group's server row: GROUP@HOST:PORT of its url
 * ("site", "http://prom.example:9090/x" -> "site@prom.example:9090"),
 * sanitised; the group keeps it apart from another group on the same server
 * (the cache keys hosts by name).
 */
static char *
server_name(const char *group, const char *url)
{
	char buf[HOSTNAME_MAX + 1];
	const char *p = url != NULL ? strstr(url, "://") : NULL;
	p = p != NULL ? p + 3 : (url != NULL ? url : "");
	size_t n = strcspn(p, "/?#");
	char *raw = xasprintf("%s@%.*s", group, (int)OD_MIN(n, (size_t)HOSTNAME_MAX), p);
	sanitize_text(buf, sizeof buf, raw, strlen(raw));
	free(raw);
	return xstrdup(buf);
}

/* Fills the identity of row ch (named name, of group g) and its source data. */
static void
chost_init(struct collector *c, struct chost *ch, size_t k, const struct host *h,
    struct cgroup *cg, const char *name, const char *sshcfg, size_t cfglen)
{
	const struct group *g = cg->g;

	ch->c = c;
	ch->idx = k;
	ch->h = h;
	ch->cg = cg;
	ch->fd = -1;
	ch->sock = -1;
	ch->phase = PH_IDLE;
	ch->seen = xcalloc(cg->nprobes + 1, 1);
	frame_reader_init(&ch->fr, PROBE_MAX_OUTPUT, NULL);
	host_status_init(&ch->st);
	od_strlcpy(ch->st.name, name, sizeof ch->st.name);
	od_strlcpy(ch->st.group, g->name, sizeof ch->st.group);
	if (h != NULL && (g->local || cg->src == &source_ssh)) {
		/* where it is reached, for people (Detail, snapshot JSON) */
		char *addr = ssh_host_address(g, h, sshcfg, cfglen);
		od_strlcpy(ch->st.address, addr, sizeof ch->st.address);
		free(addr);
	}
	ch->st.kind = g->kind;
	ch->st.state = HOST_CONNECTING;
	ch->st.state_since_ms = now_wall_ms();
	ch->dirty = 1;
	if (h != NULL && cg->src->host_new != NULL)
		ch->hd = cg->src->host_new(g, h, sshcfg, cfglen, cg->timeout_ms);
}

/* ---- lifecycle --------------------------------------------------------- */

/*
 * Builds the collector for cfg (borrowed: it must outlive the collector) and
 * st (borrowed, may be NULL: statuses are then only kept in memory). Starts
 * nothing. Never NULL.
 */
struct collector *
collector_new(const struct config *cfg, struct store *st, const struct collector_opts *opts)
{
	struct collector *c = xcalloc(1, sizeof *c);
	size_t cfglen = 0, nssh = 0;
	char *sshcfg = NULL;

	c->cfg = cfg;
	c->st = st;
	if (opts != NULL)
		c->opts = *opts;
	else
		c->opts.wake_fd = -1;
	if (c->opts.wake_fd >= 0) {
		int fl = fcntl(c->opts.wake_fd, F_GETFL);
		if (fl >= 0)
			fcntl(c->opts.wake_fd, F_SETFL, fl | O_NONBLOCK);
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->qlock, NULL);
	pthread_cond_init(&c->qcond, NULL);
	make_pipe(c->intr);
	make_pipe(c->abort_pipe);

	c->ngroups = cfg->ngroups;
	c->groups = xcalloc(c->ngroups + 1, sizeof *c->groups);
	/*
	 * One transaction per tick: ticking at half the shortest interval keeps
	 * the cache at most half an interval behind while each host's rows are
	 * written about twice per interval, not once per 100 ms.
	 */
	c->tick_ms = TICK_MAX_MS;
	for (size_t i = 0; i < cfg->ngroups; i++) {
		c->tick_ms = OD_MIN(c->tick_ms, OD_MAX(cfg->groups[i].conn.interval_ms / 2,
		    (int64_t)TICK_MIN_MS));
		cgroup_init(&c->groups[i], &cfg->groups[i], c->opts.timeout_ms, c->opts.counters);
		struct cgroup *cg = &c->groups[i];
		if (cg->src->poll != NULL) {
			/* the server's row and the rows its answers fill */
			cg->server_host.name = server_name(cfg->groups[i].name, cfg->groups[i].url);
			cg->server_host.group = &cfg->groups[i];
			cg->nslots = CONFIG_PROM_MAX_INSTANCES;
			cg->nslot_index = 2 * 8192;
			while (cg->nslot_index < 2 * cg->nslots)
				cg->nslot_index *= 2;
			cg->slot_index = xreallocarray(NULL, cg->nslot_index,
			    sizeof *cg->slot_index);
			for (size_t j = 0; j < cg->nslot_index; j++)
				cg->slot_index[j] = SIZE_MAX;
			c->nhosts += 1 + cg->nslots;
			c->nblocking += 1;
			continue;
		}
		c->nhosts += cfg->groups[i].nhosts;
		if (c->groups[i].src->blocking)
			c->nblocking += cfg->groups[i].nhosts;
		if (c->groups[i].src == &source_ssh)
			nssh += cfg->groups[i].nhosts;
	}
	if (nssh > 0)
		sshcfg = ssh_config_read_home(&cfglen);

	c->hosts = xcalloc(c->nhosts + 1, sizeof *c->hosts);
	size_t k = 0;
	for (size_t i = 0; i < cfg->ngroups; i++) {
		const struct group *g = &cfg->groups[i];
		struct cgroup *cg = &c->groups[i];
		if (cg->src->poll != NULL) {
			chost_init(c, &c->hosts[k], k, &cg->server_host, cg,
			    cg->server_host.name, sshcfg, cfglen);
			k++;
			cg->first_slot = k;
			for (size_t j = 0; j < cg->nslots; j++, k++) {
				struct chost *ch = &c->hosts[k];
				chost_init(c, ch, k, NULL, cg, "", sshcfg, cfglen);
				ch->slot = ch->unused = 1;
				ch->dirty = 0;
			}
			continue;
		}
		for (size_t j = 0; j < g->nhosts; j++, k++)
			chost_init(c, &c->hosts[k], k, &g->hosts[j], cg, g->hosts[j].name, sshcfg,
			    cfglen);
	}
	free(sshcfg);
	c->warning = raise_nofile(c->nhosts);

	/* The features' tables, outside any tick. */
	c->pub = publisher_new(cfg, st, c->nhosts);
	char *cause = NULL;
	if (publisher_init(c->pub, &cause) != 0)
		c->store_error = cause;
	return c;
}

/* Starts workers and connectors (once). */
static void
transports_start(struct collector *c)
{
	if (c->transports_up)
		return;
	atomic_store(&c->stopping, 0);
	drain_fd(c->abort_pipe[0]);

	/* Rows that answers fill have no worker: the server row's worker fills them. */
	size_t nactive = 0;
	for (size_t k = 0; k < c->nhosts; k++)
		nactive += !c->hosts[k].slot;
	c->nworkers = (nactive + 127) / 128;
	if (c->nworkers < 1)
		c->nworkers = 1;
	if (c->nworkers > COLLECTOR_MAX_WORKERS)
		c->nworkers = COLLECTOR_MAX_WORKERS;
	c->workers = xcalloc(c->nworkers, sizeof *c->workers);
	for (size_t i = 0; i < c->nworkers; i++) {
		struct worker *w = &c->workers[i];
		w->c = c;
		w->seed = (unsigned)(now_mono_ms() ^ (int64_t)getpid() ^ (int64_t)(i * 7919));
		make_pipe(w->wake);
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->epfd < 0)
			fatal("epoll_create1: %s", strerror(errno));
		struct epoll_event e;
		memset(&e, 0, sizeof e);
		e.events = EPOLLIN;
		e.data.u64 = WAKE_TOKEN;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake[0], &e) != 0)
			fatal("epoll_ctl: %s", strerror(errno));
		pthread_mutex_init(&w->inbox_lock, NULL);
		w->hosts = xcalloc(nactive / c->nworkers + 2, sizeof *w->hosts);
	}
	for (size_t k = 0, a = 0; k < c->nhosts; k++) {
		if (c->hosts[k].slot)
			continue;
		struct worker *w = &c->workers[a++ % c->nworkers];
		c->hosts[k].w = w;
		c->hosts[k].phase = PH_IDLE;
		c->hosts[k].retry_mono = 0;
		w->hosts[w->nhosts++] = k;
	}
	/* The connection window: each connector sets up one host at a time. */
	c->nconnectors = OD_MIN(c->nblocking, (size_t)(c->cfg->connect_window > 0 ?
	    c->cfg->connect_window : CONFIG_CONNECT_WINDOW));
	c->connectors = xcalloc(c->nconnectors + 1, sizeof *c->connectors);
	for (size_t i = 0; i < c->nconnectors; i++)
		if (pthread_create(&c->connectors[i], NULL, connector_main, c) != 0)
			fatal("cannot start a collector thread");
	for (size_t i = 0; i < c->nworkers; i++) {
		if (pthread_create(&c->workers[i].thr, NULL, worker_main, &c->workers[i]) != 0)
			fatal("cannot start a collector thread");
		c->workers[i].started = 1;
	}
	c->transports_up = 1;
}

/*
 * Stops connectors (aborting connects in progress) and workers, which close
 * every session and kill every local sh. Statuses are kept.
 */
static void
transports_stop(struct collector *c)
{
	if (!c->transports_up)
		return;
	atomic_store(&c->stopping, 1);
	poke_fd(c->abort_pipe[1]);
	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < c->nhosts; k++)
		if (c->hosts[k].sock >= 0)
			shutdown(c->hosts[k].sock, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_lock(&c->qlock);
	c->qlen = 0;
	pthread_cond_broadcast(&c->qcond);
	pthread_mutex_unlock(&c->qlock);
	for (size_t i = 0; i < c->nconnectors; i++)
		pthread_join(c->connectors[i], NULL);
	free(c->connectors);
	c->connectors = NULL;
	c->nconnectors = 0;
	for (size_t i = 0; i < c->nworkers; i++) {
		struct worker *w = &c->workers[i];
		poke_fd(w->wake[1]);
		if (w->started)
			pthread_join(w->thr, NULL);
		/* Streams a connector finished after the worker's last look. */
		for (size_t j = 0; j < w->ninbox; j++) {
			struct chost *ch = &c->hosts[w->inbox[j].idx];
			if (w->inbox[j].conn != NULL)
				ch->cg->src->close(w->inbox[j].conn, 1);
			if (w->inbox[j].poll != NULL) {
				source_poll_free(w->inbox[j].poll);
				free(w->inbox[j].poll);
			}
			free(w->inbox[j].cause);
			ch->phase = PH_IDLE;
		}
		w->ninbox = 0;
		close(w->epfd);
		close(w->wake[0]);
		close(w->wake[1]);
		pthread_mutex_destroy(&w->inbox_lock);
		free(w->inbox);
		free(w->hosts);
		free(w->more);
		buf_free(&w->spare);
	}
	free(c->workers);
	c->workers = NULL;
	c->nworkers = 0;
	c->transports_up = 0;
}


/* ---- ticks -------------------------------------------------------------- */

/* publisher_tick's fleet: every host's status (a copy). */
static void
fleet_copy(void *arg, struct host_status **v, size_t *n)
{
	collector_hosts(arg, v, n);
}

/*
 * Takes what changed under c->lock: a copy of each dirty host's status and
 * the parts queued for it (moved into the items). Returns how many.
 */
static size_t
take_changes(struct collector *c, struct publish_item **out)
{
	size_t n = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < c->nhosts; k++)
		n += c->hosts[k].dirty != 0;
	struct publish_item *v = n ? xcalloc(n, sizeof *v) : NULL;
	n = 0;
	for (size_t k = 0; v != NULL && k < c->nhosts; k++) {
		struct chost *ch = &c->hosts[k];
		if (!ch->dirty)
			continue;
		struct publish_item *it = &v[n++];
		it->idx = k;
		it->group = ch->cg->g;
		host_status_copy(&it->status, &ch->st);
		it->parts = ch->queue;
		it->nparts = ch->nqueue;
		ch->queue = NULL;
		ch->nqueue = 0;
		ch->dirty = 0;
	}
	pthread_mutex_unlock(&c->lock);
	*out = v;
	return n;
}

/*
 * After a failed tick: every host is dirty again and its parts go back to
 * the head of its queue, before those that arrived meanwhile; past the
 * bound the oldest go, counted.
 */
static void
give_back(struct collector *c, struct publish_item *v, size_t n, char *cause)
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		struct chost *ch = &c->hosts[v[i].idx];
		struct queued_part *newer = ch->queue;
		size_t nnewer = ch->nqueue;
		ch->queue = NULL;
		ch->nqueue = 0;
		for (size_t j = 0; j < v[i].nparts; j++)
			queue_part(ch, &v[i].parts[j]);
		for (size_t j = 0; j < nnewer; j++)
			queue_part(ch, &newer[j]);
		free(newer);
		v[i].nparts = 0;
		ch->dirty = 1;
	}
	free(c->store_error);
	free(c->warning);
	c->store_error = cause;
	pthread_mutex_unlock(&c->lock);
}

/*
 * One tick: the changes go to the publisher in one transaction; wake_fd is
 * poked. A failed tick leaves everything queued for the next one;
 * collecting goes on.
 */
static void
publish(struct collector *c)
{
	struct publish_item *v;
	size_t n = take_changes(c, &v);

	if (n == 0)
		return;
	if (c->opts.on_change != NULL)
		for (size_t i = 0; i < n; i++)
			c->opts.on_change(&v[i].status, c->opts.on_change_arg);
	char *cause = NULL;
	int rc = publisher_tick(c->pub, v, n, fleet_copy, c, &cause);
	if (rc != 0) {
		give_back(c, v, n, cause);
	} else {
		pthread_mutex_lock(&c->lock);
		free(c->store_error);
		c->store_error = NULL;
		pthread_mutex_unlock(&c->lock);
	}
	for (size_t i = 0; i < n; i++) {
		host_status_free(&v[i].status);
		for (size_t j = 0; j < v[i].nparts; j++)
			report_part_free(&v[i].parts[j].part);
		free(v[i].parts);
	}
	free(v);
	if (c->opts.wake_fd >= 0)
		poke_fd(c->opts.wake_fd);
	if (rc == 0) {
		cause = NULL;
		if (publisher_maintain(c->pub, now_mono_ms(), &cause) < 0) {
			pthread_mutex_lock(&c->lock);
			free(c->store_error);
			c->store_error = cause;
			pthread_mutex_unlock(&c->lock);
		}
	}
}

/*
 * Whether every host is done: delivered `frames` cycles, or (give_up) failed
 * once. Never with frames INT_MAX: that runs until told or the deadline.
 * *answered gets the hosts with `frames` cycles (at least one with
 * INT_MAX), *silent those that never delivered one.
 */
static int
all_done(struct collector *c, int frames, int give_up, int *answered, int *silent)
{
	int done = frames != INT_MAX;
	*answered = *silent = 0;
	pthread_mutex_lock(&c->lock);
	int need = frames == INT_MAX ? 1 : frames;
	for (size_t k = 0; k < c->nhosts; k++) {
		struct chost *ch = &c->hosts[k];
		if (ch->unused)
			continue;
		if (ch->cycles >= need)
			(*answered)++;
		if (ch->cycles == 0)
			(*silent)++;
		if (ch->cycles < frames && !(give_up && ch->settled))
			done = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return done;
}

/*
 * The publisher loop shared by collector_run, collector_run_until and the
 * thread: ticks until all_done, collector_interrupt or the deadline (for
 * collector_run_until with frames, paced_deadline's). Hosts
 * that fail meanwhile are retried by their workers (back-off); only
 * give_up lets a failure end the loop. *silent (may be NULL) gets the hosts
 * that never delivered a cycle.
 */
/*
 * collect --cycles: each host gets its span (deadline - start) from when a
 * connector first took it (connect_window paces 10,000 hosts over more than
 * a span), at most PACED_MAX spans after the start (all time out).
 */
#define PACED_MAX	4
static int64_t
paced_deadline(struct collector *c, int64_t start, int64_t deadline)
{
	int64_t span = deadline - start;

	if (c->nblocking == 0 || deadline == INT64_MAX || span <= 0)
		return deadline;
	int64_t last = (int64_t)atomic_load(&c->all_begun_mono), cap = start + PACED_MAX * span;
	return last == 0 ? cap : OD_MIN(cap, OD_MAX(deadline, last + span));
}

static int
run_loop(struct collector *c, int frames, int64_t deadline0, int give_up, int *silent)
{
	int answered = 0, quiet = 0;
	int64_t start = now_mono_ms(), deadline_ms = deadline0;
	int paced = !give_up && frames != INT_MAX;

	transports_start(c);
	for (;;) {
		int64_t now = now_mono_ms();
		if (paced)
			deadline_ms = paced_deadline(c, start, deadline0);
		int64_t wait = OD_MIN(c->tick_ms, deadline_ms - now);
		if (wait > 0 && !atomic_load(&c->interrupted)) {
			struct pollfd p = { .fd = c->intr[0], .events = POLLIN };
			poll(&p, 1, (int)wait);
		}
		drain_fd(c->intr[0]);
		publish(c);
		int done = all_done(c, frames, give_up, &answered, &quiet);
		if (done || atomic_load(&c->interrupted) || now_mono_ms() >= deadline_ms)
			break;
	}
	transports_stop(c);
	publish(c);
	all_done(c, frames, give_up, &answered, &quiet);
	if (silent != NULL)
		*silent = quiet;
	return answered;
}

int
collector_run(struct collector *c, int frames, int64_t deadline_ms)
{
	if (frames < 1)
		frames = 1;
	return run_loop(c, frames, deadline_ms, 1, NULL);
}

/* See collector.h. */
int
collector_run_until(struct collector *c, int frames, int64_t deadline_ms, int *silent)
{
	if (frames < 1)
		frames = 1;
	return run_loop(c, frames, deadline_ms, 0, silent);
}

static void *
collector_thread(void *arg)
{
	struct collector *c = arg;
	run_loop(c, INT_MAX, INT64_MAX, 0, NULL);
	return NULL;
}

int
collector_start(struct collector *c, char **cause)
{
	if (c->thread_started) {
		*cause = xstrdup("collector already running");
		return -1;
	}
	atomic_store(&c->interrupted, 0);
	drain_fd(c->intr[0]);
	int rc = pthread_create(&c->thr, NULL, collector_thread, c);
	if (rc != 0) {
		*cause = xasprintf("cannot start the collector thread: %s", strerror(rc));
		return -1;
	}
	c->thread_started = 1;
	return 0;
}

void
collector_stop(struct collector *c)
{
	if (!c->thread_started)
		return;
	collector_interrupt(c);
	pthread_join(c->thr, NULL);
	c->thread_started = 0;
}

void
collector_interrupt(struct collector *c)
{
	int saved = errno;
	atomic_store(&c->interrupted, 1);
	ssize_t r = write(c->intr[1], "x", 1);
	(void)r;
	errno = saved;
}

void
collector_hosts(struct collector *c, struct host_status **out, size_t *n)
{
	pthread_mutex_lock(&c->lock);
	*out = xcalloc(c->nhosts + 1, sizeof **out);
	*n = 0;
	for (size_t k = 0; k < c->nhosts; k++)
		if (!c->hosts[k].unused)
			host_status_copy(&(*out)[(*n)++], &c->hosts[k].st);
	pthread_mutex_unlock(&c->lock);
}

/* See collector.h. */
const char *
collector_warning(const struct collector *c)
{
	return c->warning;
}

char *
collector_store_error(struct collector *c)
{
	char *s = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->store_error != NULL && c->dropped > 0)
		s = xasprintf("%s; %llu report part%s dropped, over %d waiting for a host",
		    c->store_error, (unsigned long long)c->dropped, c->dropped == 1 ? "" : "s",
		    COLLECTOR_MAX_QUEUED);
	else if (c->store_error != NULL)
		s = xstrdup(c->store_error);
	else if (c->dropped > 0)
		s = xasprintf("%llu report part%s dropped while the cache could not be written",
		    (unsigned long long)c->dropped, c->dropped == 1 ? "" : "s");
	pthread_mutex_unlock(&c->lock);
	return s;
}

void
collector_free(struct collector *c)
{
	if (c == NULL)
		return;
	collector_stop(c);
	transports_stop(c);
	for (size_t k = 0; k < c->nhosts; k++) {
		struct chost *ch = &c->hosts[k];
		frame_reader_free(&ch->fr);
		report_free(&ch->cur);
		report_free(&ch->prev);
		free(ch->cycle_err);
		free(ch->cycle_timeout);
		free(ch->seen);
		host_status_free(&ch->st);
		for (size_t i = 0; i < ch->nqueue; i++)
			report_part_free(&ch->queue[i].part);
		free(ch->queue);
		if (ch->cg->src->host_free != NULL)
			ch->cg->src->host_free(ch->hd);
	}
	free(c->hosts);
	publisher_free(c->pub);
	for (size_t i = 0; i < c->ngroups; i++)
		cgroup_free(&c->groups[i]);
	free(c->groups);
	free(c->queue);
	free(c->store_error);
	close(c->intr[0]);
	close(c->intr[1]);
	close(c->abort_pipe[0]);
	close(c->abort_pipe[1]);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->qlock);
	pthread_cond_destroy(&c->qcond);
	free(c);
}

const struct source_ops *
source_of_group(const struct group *g)
{
	if (g->kind == GROUP_PROMETHEUS)
		return &source_prometheus;
	return g->local ? &source_local : &source_ssh;
}

/*
 * Queues a write (an acknowledgement) for the next tick's transaction. 0, or
 * -1 when too many wait (the caller tells its user).
 */
int
collector_submit(struct collector *c, const struct publish_write *w)
{
	return publisher_submit(c->pub, w);
}
