/*
 * actions_int.h: what the console's action files share (ui_action_log.c,
 * ui_run.c, ui_actions.c; layered in that order, ui_priv.h). Private to
 * src/ui.
 */
#ifndef OPSDECK_ACTIONS_INT_H
#define OPSDECK_ACTIONS_INT_H

#include "opsdeck/action.h"
#include "opsdeck/action_run.h"
#include "opsdeck/ui_priv.h"

#define UI_ACTIONS_PENDING	16	/* --offline: records kept while the cache is busy */

struct ui_actions {
	/* what the y/n prompt asks (MODE_CONFIRM) */
	struct action_record	 rec;		/* hosts: the targets, results "running" */
	struct action_run_spec	*specs;		/* where the command runs */
	size_t			 nspecs;
	char			*command;	/* the command line run there; NULL for ssh */
	char			 prompt[UI_MSG_MAX];

	/* the run shown over the panes (MODE_RUN) */
	struct action_run	*run;
	struct action_record	 run_rec;	/* its record, written again at its end */
	int			 recorded;	/* the end was written */
	struct pane		 pane;		/* the overlay: a panel without ops */

	/* --offline: records the cache was too busy for, oldest first */
	struct action_record	 pending[UI_ACTIONS_PENDING];
	size_t			 npending;
	int			 tries;
	unsigned		 gen;		/* records written by this console */
};

/* u's actions, made at the first use. Never NULL. */
struct ui_actions *ui_actions_get(struct ui *u);
/*
 * Writes r (copied) through the one writer, as acknowledgements are
 * (ui_write_request): queued for the console's own collector, or --offline
 * one short write, kept and tried again each second while the cache is
 * busy. Failures go to the status line.
 */
void ui_action_record(struct ui *u, const struct action_record *r);
/* Frees the prompt's targets and command (not the run). */
void ui_action_prompt_clear(struct ui_actions *a);

#endif
