/*
 * source_prom.c: the `prometheus` source (source.h), in reports mode. One
 * poll asks a Prometheus server's /api/v1/query for each figure
 * (promapi_query) over one libcurl handle kept between polls, reads each
 * answer with promapi_parse_vector and files it into one host status per
 * instance (struct prom_fleet). Answers are capped at PROMAPI_MAX_BYTES as
 * they arrive; only http and https, no redirects; a poll gives up when the
 * collector stops (abort_fd) or the group's timeout passes.
 */
#include "config.h"

#include <curl/curl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/buf.h"
#include "opsdeck/promapi.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/source.h"
#include "opsdeck/util.h"

struct prom_hd {
	char		*base;		/* url without a trailing '/' */
	char		*selector;	/* NULL: the default */
	char		*group;
	int64_t		 timeout_ms;	/* for a whole poll, every query together */
	int64_t		 deadline;	/* of the poll under way, now_mono_ms() based */
	CURL		*curl;		/* kept: one connection, reused */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* See source.h. h is the group's server row (not used). */
static void *
prom_host_new(const struct group *g, const struct host *h, const char *ssh_config,
    size_t ssh_config_len, int64_t timeout_ms)
{
	(void)h;
	(void)ssh_config;
	(void)ssh_config_len;
	pthread_once(&curl_once, curl_init_once);
	struct prom_hd *hd = xcalloc(1, sizeof *hd);
	hd->base = xstrdup(g->url != NULL ? g->url : "");
	size_t n = strlen(hd->base);
	while (n > 0 && hd->base[n - 1] == '/')
		hd->base[--n] = '\0';
	hd->selector = g->selector != NULL ? xstrdup(g->selector) : NULL;
	hd->group = xstrdup(g->name);
	hd->timeout_ms = timeout_ms;
	return hd;
}

static void
prom_host_free(void *p)
{
	struct prom_hd *hd = p;
	if (hd == NULL)
		return;
	if (hd->curl != NULL)
		curl_easy_cleanup(hd->curl);
	free(hd->base);
	free(hd->selector);
	free(hd->group);
	free(hd);
}

/* The answer being received: capped. */
struct answer {
	struct buf	 body;
	int		 over;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	if (buf_append(&a->body, p, size * n) != 0) {
		a->over = 1;
		return 0;	/* CURLE_WRITE_ERROR: stop reading */
	}
	return size * n;
}

/* Gives up the transfer when the collector stops. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct source_open_ctx *ctx = arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	if (ctx == NULL || ctx->abort_fd < 0)
		return 0;
	struct pollfd p = { .fd = ctx->abort_fd, .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/*
 * One query: 0 with its samples, or -1 with *state and *cause naming the
 * server and what went wrong.
 */
static int
prom_query(struct prom_hd *hd, const struct source_open_ctx *ctx, const char *q,
    struct prom_vector *out, enum host_state *state, char **cause)
{
	char err[CURL_ERROR_SIZE];
	struct answer a;

	if (hd->curl == NULL && (hd->curl = curl_easy_init()) == NULL) {
		*state = HOST_DOWN;
		*cause = xstrdup("cannot start libcurl");
		return -1;
	}
	CURL *c = hd->curl;
	char *eq = curl_easy_escape(c, q, 0);
	char *url = xasprintf("%s/api/v1/query?query=%s", hd->base, eq != NULL ? eq : "");
	curl_free(eq);
	buf_init(&a.body, PROMAPI_MAX_BYTES);
	a.over = 0;
	err[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	long left = (long)OD_MAX(1, hd->deadline - now_mono_ms());
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "opsdeck/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)ctx);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	int ret = -1;
	char *pc = NULL;

	if (a.over) {
		*state = HOST_PARSE_ERROR;
		*cause = xasprintf("%s: answer over %d MiB, cut off", hd->base,
		    PROMAPI_MAX_BYTES >> 20);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		*state = HOST_TIMEOUT;
		*cause = xasprintf("%s: no full answer within the timeout (%lld ms a poll)",
		    hd->base, (long long)hd->timeout_ms);
	} else if (rc != CURLE_OK) {
		*state = HOST_DOWN;
		*cause = xasprintf("%s: %s", hd->base, err[0] ? err : curl_easy_strerror(rc));
	} else if (code >= 400) {
		/* Prometheus says why in JSON; a proxy in front may not. */
		struct prom_vector v;
		*state = HOST_DOWN;
		if (promapi_parse_vector(a.body.data != NULL ? a.body.data : "", a.body.len, &v,
		    &pc) == 0) {
			prom_vector_free(&v);
			*cause = xasprintf("%s: HTTP %ld", hd->base, code);
		} else if (a.body.len > 0 && a.body.data[0] != '{') {
			/* not Prometheus's JSON (a proxy, a web server): its first line */
			char line[128];
			sanitize_text(line, sizeof line, a.body.data, strcspn(a.body.data, "\r\n"));
			*cause = xasprintf("%s: HTTP %ld: %s", hd->base, code, line);
		} else {
			*cause = xasprintf("%s: HTTP %ld: %s", hd->base, code, pc);
		}
	} else if (promapi_parse_vector(a.body.data != NULL ? a.body.data : "", a.body.len,
	    out, &pc) != 0) {
		*state = HOST_PARSE_ERROR;
		*cause = xasprintf("%s: %s", hd->base, pc);
	} else {
		ret = 0;
	}
	free(pc);
	buf_free(&a.body);
	free(url);
	return ret;
}

struct shard {
	int	 k, n;
};

static int
in_shard(const char *name, void *arg)
{
	const struct shard *s = arg;
	return shard_of(name, s->n) == s->k;
}

/* See source.h: every query of promapi.h, one instance per `up` sample. */
static int
prom_poll(void *p, const struct source_open_ctx *ctx, const struct source_poll_opts *o,
    struct source_poll *out, enum host_state *state, char **cause)
{
	struct prom_hd *hd = p;
	struct prom_fleet fl;
	struct prom_vector v;
	struct shard sh = { o->shard_k, o->shard_n };

	memset(out, 0, sizeof *out);
	hd->deadline = now_mono_ms() + hd->timeout_ms;
	for (int f = 0; f < PF_COUNT; f++) {
		char *q = promapi_query((enum prom_field)f, hd->selector);
		int rc = prom_query(hd, ctx, q, &v, state, cause);
		free(q);
		if (rc != 0) {
			if (f > 0)
				prom_fleet_free(&fl);
			return -1;
		}
		if (f == PF_UP)
			prom_fleet_init(&fl, &v, o->max, hd->group, now_wall_ms(),
			    sh.n > 1 ? in_shard : NULL, &sh);
		else
			prom_fleet_apply(&fl, (enum prom_field)f, &v);
		prom_vector_free(&v);
	}
	prom_fleet_finish(&fl);
	out->hosts = fl.hosts;
	out->nhosts = fl.n;
	out->over = fl.over;
	fl.hosts = NULL;
	fl.n = 0;
	prom_fleet_free(&fl);
	return 0;
}

void
source_poll_free(struct source_poll *p)
{
	for (size_t i = 0; i < p->nhosts; i++)
		host_status_free(&p->hosts[i]);
	free(p->hosts);
	memset(p, 0, sizeof *p);
}

const struct source_ops source_prometheus = {
	.name = "prometheus",
	.blocking = 1,
	.host_new = prom_host_new,
	.host_free = prom_host_free,
	.poll = prom_poll,
};
