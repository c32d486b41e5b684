/*
 * detail_actions.c: the Detail pane's "Actions" part: the selected host's
 * latest actions from the cache (action_store_recent): when, who, what
 * and this host's result, newest first. Read again when another host is
 * shown, when this console recorded an action, or every few seconds (a
 * record the collector's tick wrote, another console's).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/action.h"
#include "opsdeck/store.h"
#include "detail_int.h"

#define ACTIONS_REFETCH_MS	2000

static struct {
	char		 host[HOSTNAME_MAX + 1];
	unsigned	 gen;
	int64_t		 at_mono;
	struct action_record *v;
	size_t		 n;
} da;

/* Re-reads the host's actions when they may have changed. */
static void
actions_fetch(struct ui *u, const char *host)
{
	int64_t now = now_mono_ms();
	char *cause = NULL;

	if (strcmp(da.host, host) == 0 && da.gen == ui_actions_gen(u) &&
	    now - da.at_mono < ACTIONS_REFETCH_MS)
		return;
	action_records_free(da.v, da.n);
	da.v = NULL;
	da.n = 0;
	od_strlcpy(da.host, host, sizeof da.host);
	da.gen = ui_actions_gen(u);
	da.at_mono = now;
	if (u->store == NULL)
		return;
	if (action_store_recent(u->store, host, UI_ACTIONS_SHOWN, &da.v, &da.n, &cause) != 0)
		free(cause);	/* shown as none */
}

/* See detail_int.h. */
void
detail_draw_actions(struct dctx *d, const struct host_status *h)
{
	struct ui *u = d->u;
	char when[32], line[ACTION_WHAT_MAX + 1024];

	actions_fetch(u, h->name);
	size_t shown = 0;
	for (size_t i = 0; i < da.n; i++)
		shown += u->at_ms == 0 || da.v[i].ts_ms <= u->at_ms;
	if (shown == 0)
		return;
	dline(d, THEME_HEADER, "Actions (latest %zu)", shown);
	for (size_t i = 0; i < da.n; i++) {
		const struct action_record *r = &da.v[i];
		const struct action_host *ah = &r->hosts[0];
		if (u->at_ms > 0 && r->ts_ms > u->at_ms)
			continue;	/* after the time cursor */
		time_format(r->ts_ms, 0, when, sizeof when);
		/* "MM-DD HH:MM user kind: result", then what it was, indented */
		snprintf(line, sizeof line, "%.11s %s %s: %s", when + 5, r->user,
		    action_kind_name(r->kind), ah->result);
		enum theme_role role = r->end_ms == 0 ? THEME_DIM : ah->status == 0 ?
		    THEME_NORMAL : THEME_WARN;
		int y = drow(d);
		if (y >= 0)
			ui_put_remote(d->p->win, y, 2, d->inner - 1, line, u->attr[role]);
		d->line++;
		if (r->what[0] == '\0' && r->via[0] == '\0')
			continue;
		snprintf(line, sizeof line, "%s%s%s", r->what, r->via[0] ? " via " : "", r->via);
		if ((y = drow(d)) >= 0)
			ui_put_remote(d->p->win, y, 4, d->inner - 3, line, u->attr[THEME_DIM]);
		d->line++;
	}
}

/* See detail_int.h. */
void
detail_actions_free(void)
{
	action_records_free(da.v, da.n);
	memset(&da, 0, sizeof da);
}
