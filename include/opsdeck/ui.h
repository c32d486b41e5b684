/*
 * ui.h: the ncurses console (src/ui/). Only the UI thread calls into it.
 */
#ifndef OPSDECK_UI_H
#define OPSDECK_UI_H

#include <signal.h>

#include "opsdeck/config.h"
#include "opsdeck/store.h"

struct publish_write;
struct ack_outbox;

struct ui_opts {
	const struct config *cfg;
	struct store	*store;		/* read side; the collector writes its own connection */
	int		 wake_fd;	/* readable when the collector committed a tick; -1: none */
	int		 offline;	/* 1: no collector, show ages of cached values */
	const char	*theme;		/* --theme, overrides the config; NULL: config or default */
	const char	*view;		/* --view compute|devices|budgets|all; NULL: all */
	int64_t		 at_ms;		/* --at: start at this past time; 0: live */
	/*
	 * The one writer (acks.h): submit queues a write for the console's own
	 * collector (collector_submit), whose outcomes come back in acks. NULL
	 * when --offline: the console then makes short writes of its own.
	 */
	int		(*submit)(void *arg, const struct publish_write *w);
	void		*submit_arg;
	struct ack_outbox *acks;
	/*
	 * A flag a signal handler of the caller's sets (--demo's): set before
	 * ui_run took the signals over, the console ends at once. NULL: none.
	 */
	volatile sig_atomic_t *quit;
	/*
	 * Hide the cache's hosts (and their alerts) that cfg does not know
	 * (config_knows_host): a configuration file's own cache (cmd_hides_unknown).
	 */
	int		 hide_unknown;
	/* --read-only: every action (S, :run, :drain, :resume) is refused */
	int		 read_only;
};

/*
 * The console's views, in the order of keys 1-4: compute, devices, budgets,
 * all (src/ui/views.c, the one list). ui_view_name: NULL past the end;
 * ui_view_parse: the view of a name, or -1; ui_view_choices: "compute,
 * devices, budgets or all" for messages.
 */
const char *ui_view_name(int v);
int ui_view_parse(const char *s);
const char *ui_view_choices(void);

/* Runs the console until the user quits. Returns an exit status. */
int ui_run(const struct ui_opts *o);

#endif
