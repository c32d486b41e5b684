/*
 * prom_graph.c: the Detail graphs' fetcher (prom_graph.h). One thread, one
 * libcurl handle kept between asks; an ask is a mutex-guarded slot the
 * newest ask overwrites, an answer a slot the console empties; a pipe wakes
 * the console, another stops a transfer under way.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/prom_graph.h"
#include "opsdeck/util.h"
#include "prom_int.h"

struct ask {
	char	*url, *sel;
	char	 instance[HOSTNAME_MAX + 1];
	int64_t	 from_ms, to_ms, step_ms;
};

struct prom_graphs {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 stop;
	int		 have_ask;
	struct ask	 ask;		/* the next one, when have_ask */
	struct prom_graph_answer *answer;	/* the newest, not yet taken */
	int		 wake[2];	/* to the console */
	int		 abort[2];	/* to a transfer under way */
	CURL		*curl;		/* the thread's */
};

static void
ask_free(struct ask *a)
{
	free(a->url);
	free(a->sel);
	memset(a, 0, sizeof *a);
}

static int
parse_matrix(const char *data, size_t len, void *out, char **cause)
{
	return promapi_parse_matrix(data, len, out, cause);
}

/* One graph of ask a into *m: 0, or -1 with *cause. */
static int
fetch_one(struct prom_graphs *pg, const struct ask *a, enum prom_graph g, int64_t deadline,
    struct prom_matrix *m, char **cause)
{
	enum host_state st;
	int64_t step_s = OD_MAX(1, a->step_ms / 1000);
	char *q = promapi_graph_query(g, a->sel, a->instance, step_s);
	char *eq = curl_easy_escape(pg->curl, q, 0);
	char *path = xasprintf("/api/v1/query_range?query=%s&start=%.3f&end=%.3f&step=%.3f",
	    eq != NULL ? eq : "", (double)a->from_ms / 1000.0, (double)a->to_ms / 1000.0,
	    (double)a->step_ms / 1000.0);
	curl_free(eq);
	free(q);
	int rc = prom_get(&pg->curl, a->url, path, deadline, pg->abort[0], parse_matrix, m,
	    &st, cause);
	free(path);
	if (rc == -2) {
		prom_matrix_free(m);
		rc = -1;
	}
	return rc;
}

static void *
fetcher(void *arg)
{
	struct prom_graphs *pg = arg;

	pthread_mutex_lock(&pg->lock);
	for (;;) {
		while (!pg->stop && !pg->have_ask)
			pthread_cond_wait(&pg->cond, &pg->lock);
		if (pg->stop)
			break;
		struct ask a = pg->ask;
		memset(&pg->ask, 0, sizeof pg->ask);
		pg->have_ask = 0;
		pthread_mutex_unlock(&pg->lock);

		struct prom_graph_answer *ans = xcalloc(1, sizeof *ans);
		od_strlcpy(ans->instance, a.instance, sizeof ans->instance);
		ans->from_ms = a.from_ms;
		ans->to_ms = a.to_ms;
		ans->step_ms = a.step_ms;
		if (pg->curl == NULL)
			pg->curl = curl_easy_init();
		int64_t deadline = now_mono_ms() + PROM_GRAPH_TIMEOUT_MS;
		for (int g = 0; g < PG_COUNT && pg->curl != NULL; g++) {
			char *cause = NULL;
			if (fetch_one(pg, &a, (enum prom_graph)g, deadline, &ans->m[g], &cause) != 0 &&
			    ans->error == NULL)
				ans->error = cause;
			else
				free(cause);
		}
		if (pg->curl == NULL)
			ans->error = xstrdup("cannot start libcurl");
		ask_free(&a);

		pthread_mutex_lock(&pg->lock);
		prom_graph_answer_free(pg->answer);
		pg->answer = ans;
		if (write(pg->wake[1], "g", 1) < 0 && errno != EAGAIN) {
			/* the console polls again at its next tick */
		}
	}
	pthread_mutex_unlock(&pg->lock);
	return NULL;
}

static void
pipe_nb(int p[2])
{
	if (pipe(p) != 0)
		fatal("prom_graphs: pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
		fcntl(p[i], F_SETFD, FD_CLOEXEC);
	}
}

struct prom_graphs *
prom_graphs_new(void)
{
	struct prom_graphs *pg = xcalloc(1, sizeof *pg);

	prom_curl_init();
	pthread_mutex_init(&pg->lock, NULL);
	pthread_cond_init(&pg->cond, NULL);
	pipe_nb(pg->wake);
	pipe_nb(pg->abort);
	if (pthread_create(&pg->thread, NULL, fetcher, pg) != 0)
		fatal("prom_graphs: cannot start a thread");
	return pg;
}

int
prom_graphs_fd(const struct prom_graphs *pg)
{
	return pg->wake[0];
}

void
prom_graphs_ask(struct prom_graphs *pg, const char *url, const char *sel,
    const char *instance, int64_t from_ms, int64_t to_ms, int64_t step_ms)
{
	pthread_mutex_lock(&pg->lock);
	ask_free(&pg->ask);
	pg->ask.url = xstrdup(url);
	pg->ask.sel = sel != NULL ? xstrdup(sel) : NULL;
	od_strlcpy(pg->ask.instance, instance, sizeof pg->ask.instance);
	pg->ask.from_ms = from_ms;
	pg->ask.to_ms = to_ms;
	pg->ask.step_ms = OD_MAX(1000, step_ms);
	pg->have_ask = 1;
	pthread_cond_signal(&pg->cond);
	pthread_mutex_unlock(&pg->lock);
}

struct prom_graph_answer *
prom_graphs_take(struct prom_graphs *pg)
{
	char c[64];

	while (read(pg->wake[0], c, sizeof c) > 0)
		;
	pthread_mutex_lock(&pg->lock);
	struct prom_graph_answer *a = pg->answer;
	pg->answer = NULL;
	pthread_mutex_unlock(&pg->lock);
	return a;
}

void
prom_graph_answer_free(struct prom_graph_answer *a)
{
	if (a == NULL)
		return;
	for (int g = 0; g < PG_COUNT; g++)
		prom_matrix_free(&a->m[g]);
	free(a->error);
	free(a);
}

void
prom_graphs_free(struct prom_graphs *pg)
{
	if (pg == NULL)
		return;
	pthread_mutex_lock(&pg->lock);
	pg->stop = 1;
	pthread_cond_signal(&pg->cond);
	pthread_mutex_unlock(&pg->lock);
	if (write(pg->abort[1], "x", 1) < 0) {
		/* full: a transfer under way sees it anyway */
	}
	pthread_join(pg->thread, NULL);
	if (pg->curl != NULL)
		curl_easy_cleanup(pg->curl);
	ask_free(&pg->ask);
	prom_graph_answer_free(pg->answer);
	for (int i = 0; i < 2; i++) {
		close(pg->wake[i]);
		close(pg->abort[i]);
	}
	pthread_cond_destroy(&pg->cond);
	pthread_mutex_destroy(&pg->lock);
	free(pg);
}
