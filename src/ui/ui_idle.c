/*
 * ui_idle.c: `:idle`, the Compute pane's view of GPUs that are held but
 * idle: a GPU of an up host (or a stale one: its last known figures) with
 * at least one process on it (nvidia-smi's
 * compute apps) and a known utilisation below UI_IDLE_GPU_PCT. In that
 * mode Compute lists only hosts with such GPUs, each followed by a row per
 * GPU (pane_compute.c draws them: index, utilisation, job, user, process).
 * A GPU whose utilisation is unknown (MIG) is never called idle.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/ui_priv.h"
#include "opsdeck/util.h"

/* See ui_priv.h. */
int
ui_gpu_idle_held(const struct host_status *h, int gi)
{
	if ((h->state != HOST_UP && h->state != HOST_STALE) || gi < 0 || gi >= h->ngpus)
		return 0;
	const struct gpu_sample *g = &h->gpus[gi];
	if (g->util_pct < 0 || g->util_pct >= UI_IDLE_GPU_PCT)
		return 0;
	for (int i = 0; i < h->nprocs; i++)
		if (h->procs[i].gpu == g->index)
			return 1;
	return 0;
}

/* See ui_priv.h. */
int
ui_idle_count(const struct host_status *h)
{
	int n = 0;
	for (int gi = 0; gi < h->ngpus; gi++)
		n += ui_gpu_idle_held(h, gi);
	return n;
}

/* See ui_priv.h. */
void
ui_idle_rows(struct ui *u)
{
	size_t extra = 0, k = 0;

	u->nidle_gpus = 0;
	if (!u->idle_gpus)
		return;
	for (size_t r = 0; r < u->nrows; r++)
		if (u->rows[r].kind == ROW_HOST)
			extra += (size_t)ui_idle_count(&u->hosts[u->rows[r].idx]);
	struct ui_row *v = xcalloc(u->nrows + extra + 1, sizeof *v);
	for (size_t r = 0; r < u->nrows; r++) {
		v[k++] = u->rows[r];
		if (u->rows[r].kind != ROW_HOST)
			continue;
		const struct host_status *h = &u->hosts[u->rows[r].idx];
		for (int gi = 0; gi < h->ngpus; gi++) {
			if (!ui_gpu_idle_held(h, gi))
				continue;
			v[k].kind = ROW_GPU;
			v[k].idx = u->rows[r].idx;
			v[k].gpu = gi;
			k++;
			u->nidle_gpus++;
		}
	}
	free(u->rows);
	u->rows = v;
	u->nrows = k;
}
