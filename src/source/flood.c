/*
 * flood.c: the flood budget of a stream (collector_int.h). A healthy host
 * sends each probe's frame once an interval; a host that sends more frames
 * or bytes than its budget is cut off (stream.c marks it cut-off, with
 * back-off), so that its flood costs only itself. Two token buckets per
 * stream, refilled at the budget's rate and holding a burst: frames and
 * bytes. What came in the current window is kept for the message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "collector_int.h"
#include "opsdeck/util.h"

/*
 * See collector_int.h. Per window of max(interval, 1 s): twice each
 * probe's frame per interval in it, and one cycle more; a full frame
 * (PROBE_MAX_OUTPUT, the most one may hold) per probe and one more. Bursts:
 * twice that, and at least what a cycle's deadline lets pile up behind a
 * stalled link.
 */
void
flood_init(struct cgroup *cg)
{
	int64_t w = OD_MAX(cg->interval_ms, (int64_t)1000);
	double cycles = (double)((w + cg->interval_ms - 1) / cg->interval_ms);
	double np = (double)OD_MAX(cg->nprobes, (size_t)1);

	cg->budget_window_ms = w;
	cg->budget_frames = np * (2 * cycles + 1);
	cg->budget_bytes = (np + 1) * PROBE_MAX_OUTPUT;
	double pile = (double)(cg->interval_ms + cg->report_ms) / (double)cg->interval_ms + 2;
	cg->burst_frames = OD_MAX(2 * cg->budget_frames, np * pile);
	cg->burst_bytes = 2 * cg->budget_bytes;
}

/* See collector_int.h. */
void
flood_reset(struct chost *ch, int64_t now)
{
	ch->tok_frames = ch->cg->burst_frames;
	ch->tok_bytes = ch->cg->burst_bytes;
	ch->tok_mono = now;
	ch->win_mono = now;
	ch->win_frames = ch->win_bytes = 0;
	ch->over_budget = 0;
}

/* Refills the buckets for the time since the last look; a new window when due. */
static void
refill(struct chost *ch, int64_t now)
{
	struct cgroup *cg = ch->cg;
	double dt = (double)(now - ch->tok_mono) / (double)cg->budget_window_ms;

	if (dt > 0) {
		ch->tok_frames = OD_MIN(cg->burst_frames, ch->tok_frames + dt * cg->budget_frames);
		ch->tok_bytes = OD_MIN(cg->burst_bytes, ch->tok_bytes + dt * cg->budget_bytes);
		ch->tok_mono = now;
	}
	if (now - ch->win_mono >= cg->budget_window_ms) {
		ch->win_mono = now;
		ch->win_frames = ch->win_bytes = 0;
	}
}

/* See collector_int.h. */
int
flood_bytes(struct chost *ch, size_t n, int64_t now)
{
	refill(ch, now);
	ch->win_bytes += n;
	ch->tok_bytes -= (double)n;
	if (ch->tok_bytes < 0)
		ch->over_budget = 1;
	return ch->over_budget ? -1 : 0;
}

/* See collector_int.h. */
int
flood_frame(struct chost *ch)
{
	ch->win_frames++;
	ch->tok_frames -= 1;
	if (ch->tok_frames < 0)
		ch->over_budget = 1;
	return ch->over_budget ? -1 : 0;
}

/* See collector_int.h. */
char *
flood_message(const struct chost *ch, int64_t now)
{
	const struct cgroup *cg = ch->cg;
	char t[32], w[32];

	duration_format(OD_MAX(now - ch->win_mono, (int64_t)1), t, sizeof t);
	duration_format(cg->budget_window_ms, w, sizeof w);
	return xasprintf("flood: %llu frames and %llu bytes in %s, over the budget of %.0f "
	    "frames and %.0f bytes per %s; cut off", (unsigned long long)ch->win_frames,
	    (unsigned long long)ch->win_bytes, t, cg->budget_frames, cg->budget_bytes, w);
}
