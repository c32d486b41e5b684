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
#include "prom_int.h"

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

/* See prom_int.h. */
void
prom_curl_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

/* See source.h. h is the group's server row (not used). */
static void *
prom_host_new(const struct group *g, const struct host *h, const char *ssh_config,
    size_t ssh_config_len, int64_t timeout_ms)
{
	(void)h;
	(void)ssh_config;
	(void)ssh_config_len;
	prom_curl_init();
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

/* Gives up the transfer when abort_fd (the int arg points to) turns readable. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const int *abort_fd = arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	if (*abort_fd < 0)
		return 0;
	struct pollfd p = { .fd = *abort_fd, .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/* See prom_int.h. */
int
prom_get(CURL **curlp, const char *base, const char *path, int64_t deadline, int abort_fd,
    int (*parse)(const char *data, size_t len, void *out, char **cause), void *out,
    enum host_state *state, char **cause)
{
	char err[CURL_ERROR_SIZE];
	struct answer a;

	if (*curlp == NULL && (*curlp = curl_easy_init()) == NULL) {
		*state = HOST_DOWN;
		*cause = xstrdup("cannot start libcurl");
		return -1;
	}
	CURL *c = *curlp;
	char *url = xasprintf("%s%s", base, path);
	int64_t budget = OD_MAX(1, deadline - now_mono_ms());
	buf_init(&a.body, PROMAPI_MAX_BYTES);
	a.over = 0;
	err[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)budget);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)budget);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "opsdeck/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)&abort_fd);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	const char *body = a.body.data != NULL ? a.body.data : "";
	int ret = -1;
	char *pc = NULL;

	if (a.over) {
		*state = HOST_PARSE_ERROR;
		*cause = xasprintf("%s: answer over %d MiB, cut off", base,
		    PROMAPI_MAX_BYTES >> 20);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		*state = HOST_TIMEOUT;
		*cause = xasprintf("%s: no full answer within %lld ms", base, (long long)budget);
	} else if (rc != CURLE_OK) {
		*state = HOST_DOWN;
		*cause = xasprintf("%s: %s", base, err[0] ? err : curl_easy_strerror(rc));
	} else if (code >= 400) {
		/* Prometheus says why in JSON (parse fails with its words); a proxy may not. */
		*state = HOST_DOWN;
		if (a.body.len > 0 && body[0] != '{') {
			char line[128];
			sanitize_text(line, sizeof line, body, strcspn(body, "\r\n"));
			*cause = xasprintf("%s: HTTP %ld: %s", base, code, line);
		} else if (parse(body, a.body.len, out, &pc) == 0) {
			*cause = xasprintf("%s: HTTP %ld", base, code);
			ret = -2;	/* parsed: out must be freed, by the caller's kind */
		} else {
			*cause = xasprintf("%s: HTTP %ld: %s", base, code, pc);
		}
	} else if (parse(body, a.body.len, out, &pc) != 0) {
		*state = HOST_PARSE_ERROR;
		*cause = xasprintf("%s: %s", base, pc);
	} else {
		ret = 0;
	}
	free(pc);
	buf_free(&a.body);
	free(url);
	return ret;
}

static int
parse_vector(const char *data, size_t len, void *out, char **cause)
{
	return promapi_parse_vector(data, len, out, cause);
}

/*
 * One query: 0 with its samples, or -1 with *state and *cause naming the
 * server and what went wrong.
 */
static int
prom_query(struct prom_hd *hd, const struct source_open_ctx *ctx, const char *q,
    struct prom_vector *out, enum host_state *state, char **cause)
{
	if (hd->curl == NULL && (hd->curl = curl_easy_init()) == NULL) {
		*state = HOST_DOWN;
		*cause = xstrdup("cannot start libcurl");
		return -1;
	}
	char *eq = curl_easy_escape(hd->curl, q, 0);
	char *path = xasprintf("/api/v1/query?query=%s", eq != NULL ? eq : "");
	curl_free(eq);
	int rc = prom_get(&hd->curl, hd->base, path, hd->deadline,
	    ctx != NULL ? ctx->abort_fd : -1, parse_vector, out, state, cause);
	free(path);
	if (rc == -2) {
		prom_vector_free(out);
		rc = -1;
	}
	if (rc != 0 && *state == HOST_TIMEOUT) {
		free(*cause);
		*cause = xasprintf("%s: no full answer within the timeout (%lld ms a poll)",
		    hd->base, (long long)hd->timeout_ms);
	}
	return rc;
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
