/*
 * ui_replay.c: the time cursor (issue 15). While u->at_ms is not 0 every
 * pane shows the cache as it stood then: hosts and their figures
 * (store_hosts_at), devices (devices_filter.at_ms), the alerts active then
 * (alert_store_at) and Detail's graphs ending there. A collector's wake-up
 * does not move it; `:live`, End or a step past now returns to live.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/history.h"
#include "opsdeck/timeutil.h"
#include "opsdeck/ui_priv.h"
#include "opsdeck/util.h"

/* See ui_priv.h: the smallest interval of the configuration's groups. */
int64_t
ui_replay_interval(const struct ui *u)
{
	const struct config *cfg = u->o->cfg;
	int64_t iv = 0;

	for (size_t i = 0; cfg != NULL && i < cfg->ngroups; i++) {
		int64_t g = cfg->groups[i].conn.interval_ms;
		if (g > 0 && (iv == 0 || g < iv))
			iv = g;
	}
	return iv > 0 ? iv : UI_REPLAY_STEP_MS;
}

/* Re-reads everything for the cursor (or live) and says where it is. */
static void
reload(struct ui *u)
{
	ui_load_hosts(u);
	ui_refresh_devices(u, 1);
	for (int i = 0; i < PANE_COUNT; i++)
		if (u->pane[i].ops != NULL && u->pane[i].ops->reread != NULL)
			u->pane[i].ops->reread(u, &u->pane[i]);
	ui_dirty_all(u);
}

/* See ui_priv.h. */
void
ui_replay_set(struct ui *u, int64_t at_ms)
{
	int64_t now = now_wall_ms();

	if (at_ms >= now)
		at_ms = 0;	/* the future is live */
	if (at_ms == 0 && u->at_ms == 0)
		return;
	u->at_ms = at_ms;
	reload(u);
	if (at_ms == 0)
		ui_message(u, 0, "live");
}

/* See ui_priv.h. */
void
ui_replay_step(struct ui *u, int64_t delta_ms)
{
	int64_t from = u->at_ms;

	if (from == 0) {
		if (delta_ms >= 0)
			return;	/* already live */
		from = u->last_sample_ms > 0 ? u->last_sample_ms : now_wall_ms();
	}
	int64_t at = from + delta_ms;
	ui_replay_set(u, at > 0 ? at : 1);
}

/* See ui_priv.h. */
void
ui_replay_command(struct ui *u, const char *arg)
{
	int64_t at;
	char *cause = NULL;

	if (arg[0] == '\0') {
		ui_message(u, 1, "at: which time? ('2026-12-05 03:00', ISO 8601, '-2h')");
		return;
	}
	if (history_parse_time(arg, now_wall_ms(), &at, &cause) != 0) {
		ui_message(u, 1, "at: %s", cause);
		free(cause);
		return;
	}
	if (at >= now_wall_ms()) {
		ui_message(u, 1, "at: %s is not in the past", arg);
		return;
	}
	ui_replay_set(u, at);
}

/* See ui_priv.h. */
int
ui_replay_label(const struct ui *u, char *buf, size_t len)
{
	char when[32], age[16];

	if (u->at_ms == 0)
		return 0;
	time_format(u->at_ms, 0, when, sizeof when);
	ui_age(age, sizeof age, now_wall_ms() - u->at_ms);
	snprintf(buf, len, " REPLAY %s (%s ago) ", when, age);
	return 1;
}
