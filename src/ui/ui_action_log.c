/*
 * ui_action_log.c: the console's action records through the one writer
 * (action.h, acks.h): with a collector of its own, a write queued for its
 * next tick; --offline, one short write that waits at most ACK_WAIT_MS for
 * another writer, kept (in order) and tried again each second while the
 * cache stays busy. A keypress never waits longer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/acks.h"
#include "opsdeck/publish.h"
#include "opsdeck/store.h"
#include "actions_int.h"

/* See actions_int.h. */
struct ui_actions *
ui_actions_get(struct ui *u)
{
	if (u->act == NULL)
		u->act = xcalloc(1, sizeof *u->act);
	return u->act;
}

/* See actions_int.h. */
void
ui_action_prompt_clear(struct ui_actions *a)
{
	action_record_free(&a->rec);
	memset(&a->rec, 0, sizeof a->rec);
	free(a->specs);
	a->specs = NULL;
	a->nspecs = 0;
	free(a->command);
	a->command = NULL;
	a->prompt[0] = '\0';
}

/* See actions_int.h. */
void
ui_action_record(struct ui *u, const struct action_record *r)
{
	struct ui_actions *a = ui_actions_get(u);

	if (u->o->submit != NULL && u->o->acks != NULL) {
		struct publish_write w;
		action_write(r, u->o->acks, &w);
		if (u->o->submit(u->o->submit_arg, &w) != 0) {
			action_write_refused(&w);
			ui_message(u, 1, "%s not recorded: too many writes waiting",
			    action_kind_name(r->kind));
		}
		a->gen++;
		return;
	}
	if (u->store == NULL) {
		ui_message(u, 1, "%s not recorded: no cache", action_kind_name(r->kind));
		return;
	}
	if (a->npending == UI_ACTIONS_PENDING) {	/* the oldest goes, and says so */
		ui_message(u, 1, "%s action not recorded: the cache stayed busy",
		    action_kind_name(a->pending[0].kind));
		action_record_free(&a->pending[0]);
		memmove(&a->pending[0], &a->pending[1], (a->npending - 1) * sizeof a->pending[0]);
		a->npending--;
	}
	action_record_copy(&a->pending[a->npending++], r);
	ui_actions_retry(u);
}

/* See ui_priv.h: the kept records in order; the first still busy stops the rest. */
void
ui_actions_retry(struct ui *u)
{
	struct ui_actions *a = u->act;

	while (a != NULL && a->npending > 0) {
		char *cause = NULL;
		struct action_record *r = &a->pending[0];
		int rc = action_write_now(store_path(u->store), r, ACK_WAIT_MS, &cause);
		if (rc == 1 && ++a->tries < UI_ACK_TRIES) {
			free(cause);
			return;		/* again in a second */
		}
		a->tries = 0;
		if (rc != 0) {
			int ro = cause != NULL && strstr(cause, "readonly") != NULL;
			ui_message(u, 1, "%s action not recorded%s: %s", action_kind_name(r->kind),
			    ro ? " (the cache is read-only)" : "", cause != NULL ? cause : "?");
		} else {
			a->gen++;
			u->pane[PANE_DETAIL].dirty = 1;
		}
		free(cause);
		action_record_free(r);
		memmove(&a->pending[0], &a->pending[1], (a->npending - 1) * sizeof a->pending[0]);
		a->npending--;
	}
}

/* See ui_priv.h. */
unsigned
ui_actions_gen(const struct ui *u)
{
	return u->act != NULL ? u->act->gen : 0;
}

/* See ui_priv.h: a run still going is cancelled and waited for (bounded). */
void
ui_actions_free(struct ui *u)
{
	struct ui_actions *a = u->act;

	if (a == NULL)
		return;
	action_run_free(a->run);
	ui_action_prompt_clear(a);
	action_record_free(&a->run_rec);
	for (size_t i = 0; i < a->npending; i++)
		action_record_free(&a->pending[i]);
	if (a->pane.win != NULL)
		delwin(a->pane.win);
	free(a);
	u->act = NULL;
}
