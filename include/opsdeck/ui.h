/*
 * ui.h: the ncurses console (src/ui/). Only the UI thread calls into it.
 */
#ifndef OPSDECK_UI_H
#define OPSDECK_UI_H

#include "opsdeck/config.h"
#include "opsdeck/store.h"

struct ui_opts {
	const struct config *cfg;
	struct store	*store;		/* read side; the collector writes its own connection */
	int		 wake_fd;	/* readable when the collector committed a tick; -1: none */
	int		 offline;	/* 1: no collector, show ages of cached values */
	const char	*theme;		/* --theme, overrides the config; NULL: config or default */
	const char	*view;		/* --view compute|devices|budgets|all; NULL: all */
};

/* Runs the console until the user quits. Returns an exit status. */
int ui_run(const struct ui_opts *o);

#endif
