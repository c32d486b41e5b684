/*
 * detail_int.h: the Detail pane's drawing helpers and device view
 * (detail_view.c), used by its host view (pane_detail.c). Private to src/ui.
 */
#ifndef OPSDECK_DETAIL_INT_H
#define OPSDECK_DETAIL_INT_H

#include "opsdeck/ui_priv.h"

#define DETAIL_HISTORY_MS	(60 * 60 * 1000)	/* the hour of graphs and sparklines */

/* Drawing context: logical line numbers are mapped through the scroll offset. */
struct dctx {
	struct ui	*u;
	struct pane	*p;
	int		 line;		/* next logical line */
	int		 inner;		/* usable cells per line */
};

/* Screen row of the current logical line, or -1 when scrolled out of view. */
int  drow(struct dctx *d);
/* Draws one formatted line in role r at the current logical line (if in view). */
void dline(struct dctx *d, enum theme_role r, const char *fmt, ...) OD_PRINTF(3, 4);
/*
 * After a draw of `lines` logical lines: the panel scrolls them (no
 * selection) and draws its footer; when the content shrank under the
 * scroll offset, the pane is drawn again showing its end.
 */
void detail_fit(struct ui *u, struct pane *p, int lines);
/* The host's graphs (detail_graphs.c), ending at the time cursor. */
void detail_draw_history(struct dctx *d, const struct host_status *h);
/* Processes drawn under a GPU's line in Detail, at most; then "+N more". */
#define DETAIL_GPU_PROCS	3
/*
 * Under GPU gpu_index's line: its processes in h->procs (pid, user, job,
 * memory, name; "-" for what the node could not say), at most
 * DETAIL_GPU_PROCS, then "+N more" (detail_procs.c). Remote text sanitised.
 */
void detail_draw_gpu_procs(struct dctx *d, const struct host_status *h, int gpu_index);
/*
 * The host's latest actions from the cache (detail_actions.c): "Actions"
 * and a line each: when, who, what, this host's result. Nothing when none.
 */
void detail_draw_actions(struct dctx *d, const struct host_status *h);
void detail_actions_free(void);
/* The device view of the Detail pane. */
void detail_draw_device(struct ui *u, struct pane *p, const struct device_row *r);

#endif
