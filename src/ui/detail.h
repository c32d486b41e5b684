/*
 * detail.h: what the Detail pane's files share (pane_detail.c draws, and
 * detail_hist.c holds the line helpers and the host history): logical
 * lines mapped through the pane's scroll offset.
 */
#ifndef OPSDECK_UI_DETAIL_H
#define OPSDECK_UI_DETAIL_H

#include "opsdeck/ui_priv.h"

#define DETAIL_HISTORY_MS	(60 * 60 * 1000)
#define DETAIL_HISTORY_EVERY_MS	10000

/* Drawing context: logical line numbers are mapped through the scroll offset. */
struct dctx {
	struct ui	*u;
	struct pane	*p;
	int		 line;		/* next logical line */
	int		 inner;		/* usable cells per line */
};

/* Screen row of the current logical line, or -1 when scrolled out of view. */
int  detail_row(struct dctx *d);
/* One formatted line in role r's attribute; the line counts even out of view. */
void detail_line(struct dctx *d, enum theme_role r, const char *fmt, ...) OD_PRINTF(3, 4);
/* The host's history lines (an hour, to the cursor), refetched as needed. */
void detail_draw_history(struct dctx *d, const struct host_status *h);

#endif
