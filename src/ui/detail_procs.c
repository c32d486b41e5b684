/*
 * detail_procs.c: who is on a GPU, in the Detail pane's host view: under
 * each GPU's line, its processes (pid, user, Slurm job or "no job", memory,
 * name), at most DETAIL_GPU_PROCS of them and a "+N more" line for the rest.
 */
#include "config.h"

#include <stdio.h>

#include "opsdeck/textwidth.h"
#include "detail_int.h"

/* See detail_int.h. */
void
detail_draw_gpu_procs(struct dctx *d, const struct host_status *h, int gpu_index)
{
	struct ui *u = d->u;
	int n = 0;

	for (int i = 0; i < h->nprocs; i++) {
		const struct gpu_proc *q = &h->procs[i];
		if (q->gpu != gpu_index)
			continue;
		if (n++ >= DETAIL_GPU_PROCS)
			continue;
		int y = drow(d);
		if (y >= 0) {
			char mem[16] = "-", line[256];
			if (q->mem_used_bytes >= 0)	/* [N/A]: -, never 0 */
				text_bytes(mem, sizeof mem, (double)q->mem_used_bytes);
			snprintf(line, sizeof line, "\xe2\x94\x94 %-7d %-8s %-9s %5s  %s", q->pid,
			    q->user[0] ? q->user : "-", q->job[0] ? q->job : "no job", mem,
			    q->name[0] ? q->name : "-");
			ui_put_remote(d->p->win, y, 4, d->inner - 3, line, u->attr[THEME_NORMAL]);
		}
		d->line++;
	}
	if (n > DETAIL_GPU_PROCS)
		dline(d, THEME_DIM, "    +%d more", n - DETAIL_GPU_PROCS);
}
