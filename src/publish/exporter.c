/*
 * exporter.c: the /metrics endpoint of `collect --listen` (exporter.h) over
 * libmicrohttpd with one internal polling thread: every request is answered
 * on that thread, so the read-only cache connection is only ever used there.
 * What it serves is expo.c's; this file only gathers the state and speaks
 * HTTP.
 */
#include "config.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opsdeck/budget.h"
#include "opsdeck/diag.h"
#include "opsdeck/expo.h"
#include "opsdeck/exporter.h"
#include "opsdeck/store.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

#define EXPORTER_MAX_CONNECTIONS	64
#define EXPORTER_CONN_TIMEOUT_S		10
#define EXPORTER_BUFS			2	/* renders kept for reuse (expo_render_buf) */

/* A render buffer that stays between scrapes; busy while a response sends it. */
struct ebuf {
	struct expo_buf	 b;
	int		 busy;
};

struct exporter {
	struct ebuf		 bufs[EXPORTER_BUFS];
	struct MHD_Daemon	*d;
	struct exporter_opts	 o;
	char			*cache;
	struct store		*st;		/* read-only, opened at the first scrape */
	struct budget_plan	*plan;		/* NULL: none or unreadable */
	int			 port;
};

/* See exporter.h. */
int
exporter_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char **cause)
{
	const char *colon = strrchr(s, ':');
	char host[256];
	size_t hn;

	if (colon == NULL || colon == s) {
		*cause = xasprintf("listen address '%s' is not ADDR:PORT (e.g. 127.0.0.1:9464)", s);
		return -1;
	}
	const char *h = s;
	hn = (size_t)(colon - s);
	if (h[0] == '[') {
		if (hn < 3 || h[hn - 1] != ']') {
			*cause = xasprintf("listen address '%s': an IPv6 address goes in brackets, "
			    "[::1]:9464", s);
			return -1;
		}
		h++;
		hn -= 2;
	}
	if (hn >= sizeof host) {
		*cause = xasprintf("listen address '%.40s...' is too long", s);
		return -1;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535) {
		*cause = xasprintf("listen address '%s': bad port '%s'", s, colon + 1);
		return -1;
	}
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || res == NULL) {
		*cause = xasprintf("listen address '%s': %s", s, gai_strerror(rc));
		return -1;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	return 0;
}

/* ---- state of one scrape ------------------------------------------------ */

struct scrape {
	struct devices_view	 dv;
	int			 have_dv;
	struct expo_device	*devices;
	size_t			 ndevices;
	struct budget_facts	 facts;
	int			 have_facts;
	struct budget_report	 report;
	int			 have_report;
	struct expo_budget	*budget;
	size_t			 nbudget;
	struct expo_tenant	*tenants;
	size_t			 ntenants;
};

/* Opens the cache read-only once it exists (the collector creates it). */
static struct store *
exporter_store(struct exporter *e)
{
	struct stat sb;
	if (e->st == NULL && e->cache != NULL && stat(e->cache, &sb) == 0) {
		char *cause = NULL;
		if (store_open(e->cache, STORE_READONLY, &e->st, &cause) != 0) {
			free(cause);
			e->st = NULL;
		}
	}
	return e->st;
}

/*
 * Devices, budget lines and tenants from the cache; what cannot be read is
 * left out of this scrape (the hosts are served all the same).
 */
static void
scrape_gather(struct exporter *e, struct scrape *s)
{
	struct store *st = exporter_store(e);
	char *cause = NULL;

	memset(s, 0, sizeof *s);
	if (st == NULL)
		return;
	struct devices_filter f;
	memset(&f, 0, sizeof f);
	if (devices_store_view(st, &f, &s->dv, &cause) == 0) {
		s->have_dv = 1;
		s->devices = xcalloc(s->dv.ndevices + 1, sizeof *s->devices);
		for (size_t i = 0; i < s->dv.ndevices; i++) {
			const struct device_row *r = &s->dv.devices[i];
			struct expo_device *d = &s->devices[s->ndevices++];
			d->controller = r->controller;
			d->device = r->dev.id;
			d->kind = r->dev.kind;
			d->sector = r->sector;
			d->state = device_state_name(r->dev.state);
		}
	}
	free(cause);
	cause = NULL;
	if (e->plan == NULL)
		return;
	if (budget_store_facts(st, &s->facts, &cause) != 0) {
		free(cause);
		return;
	}
	s->have_facts = 1;
	budget_report_compute(e->plan, s->facts.spend, s->facts.nspend, s->facts.use,
	    s->facts.nuse, budget_day_from_wall_ms(now_wall_ms()), &s->report);
	s->have_report = 1;
	s->budget = xcalloc(s->report.nlines + 1, sizeof *s->budget);
	for (size_t i = 0; i < s->report.nlines; i++) {
		const struct budget_line *l = &s->report.lines[i];
		struct expo_budget *b = &s->budget[s->nbudget++];
		b->programme = l->programme_id;
		b->item = l->item_id;
		b->allocated = l->allocated;
		b->spent = l->spent;
	}
	s->tenants = xcalloc(s->report.ntenants + 1, sizeof *s->tenants);
	for (size_t i = 0; i < s->report.ntenants; i++) {
		const struct budget_tenant_line *t = &s->report.tenants[i];
		struct expo_tenant *x = &s->tenants[s->ntenants++];
		x->tenant = t->tenant->id;
		x->gpu_hours_used = t->gpu_used;
		x->gpu_hours_allocated = t->gpu_alloc;
	}
}

static void
scrape_free(struct scrape *s)
{
	free(s->devices);
	if (s->have_dv)
		devices_view_free(&s->dv);
	free(s->budget);
	free(s->tenants);
	if (s->have_report)
		budget_report_free(&s->report);
	if (s->have_facts)
		budget_facts_free(&s->facts);
}

/* ---- HTTP ----------------------------------------------------------------- */

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	return reply(conn, status, "text/plain; charset=utf-8", xstrdup(text), strlen(text));
}

/* MHD's free callback of a kept buffer's response: it may be used again. */
static void
ebuf_release(void *cls)
{
	struct ebuf *eb = cls;
	eb->busy = 0;
}

/* One request: /metrics, /-/healthy, / or 404. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	struct exporter *e = cls;

	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		/* First call: the headers only; answer on the next one. */
		*con_cls = e;
		return MHD_YES;
	}
	if (*upload_len != 0) {
		*upload_len = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/-/healthy") == 0)
		return reply_text(conn, MHD_HTTP_OK, "opsdeck collector is healthy.\n");
	if (strcmp(url, "/") == 0)
		return reply_text(conn, MHD_HTTP_OK,
		    "opsdeck collector: metrics at /metrics, health at /-/healthy\n");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found; metrics are at /metrics\n");

	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT);
	enum expo_format f = expo_negotiate(accept);
	struct host_status *hosts = NULL;
	size_t nhosts = 0;
	e->o.hosts(e->o.arg, &hosts, &nhosts);
	struct scrape s;
	scrape_gather(e, &s);
	struct expo_input in = { hosts, nhosts, s.devices, s.ndevices, s.budget, s.nbudget,
		s.tenants, s.ntenants };
	struct ebuf *eb = NULL;
	for (size_t i = 0; i < EXPORTER_BUFS && eb == NULL; i++)
		if (!e->bufs[i].busy)
			eb = &e->bufs[i];
	if (eb == NULL) {
		/* Every kept buffer is still being sent: a fresh one, freed after. */
		size_t len;
		char *body = expo_render(&in, f, &len);
		scrape_free(&s);
		store_free_hosts(hosts, nhosts);
		return reply(conn, MHD_HTTP_OK, expo_content_type(f), body, len);
	}
	expo_render_buf(&in, f, &eb->b);
	scrape_free(&s);
	store_free_hosts(hosts, nhosts);
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
	    eb->b.len, eb->b.p, ebuf_release, eb);
	if (r == NULL)
		return MHD_NO;
	eb->busy = 1;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, expo_content_type(f));
	enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* See exporter.h. */
int
exporter_start(const struct exporter_opts *o, struct exporter **out, char **cause)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (exporter_parse_listen(o->listen, &ss, &sl, cause) != 0)
		return -1;
	struct exporter *e = xcalloc(1, sizeof *e);
	e->o = *o;
	e->cache = o->cache != NULL ? xstrdup(o->cache) : NULL;
	if (o->budget_plan != NULL) {
		struct diag d;
		diag_init(&d, o->budget_plan);
		e->plan = budget_plan_load(o->budget_plan, &d);
		diag_free(&d);
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	e->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, e,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)EXPORTER_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)EXPORTER_CONN_TIMEOUT_S,
	    MHD_OPTION_END);
	if (e->d == NULL) {
		*cause = xasprintf("cannot listen on %s (address in use, or not this machine's?)",
		    o->listen);
		exporter_stop(e);
		return -1;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(e->d, MHD_DAEMON_INFO_BIND_PORT);
	e->port = di != NULL ? di->port : 0;
	*out = e;
	return 0;
}

int
exporter_port(const struct exporter *e)
{
	return e->port;
}

void
exporter_stop(struct exporter *e)
{
	if (e == NULL)
		return;
	if (e->d != NULL)
		MHD_stop_daemon(e->d);
	store_close(e->st);
	for (size_t i = 0; i < EXPORTER_BUFS; i++)
		free(e->bufs[i].b.p);
	if (e->plan != NULL)
		budget_plan_free(e->plan);
	free(e->cache);
	free(e);
}
