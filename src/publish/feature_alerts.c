/*
 * feature_alerts.c: host alerts (alert.h) as a feature: the state rule and
 * every threshold of the config evaluated on each changed status, and the
 * cache's active alerts of the host made equal to them; what that raised and
 * cleared goes to the tick's events (notify.h). A healthy fleet
 * costs no queries: the cache is only touched for a host that has alerts
 * now or had some at its last committed sync.
 */
#include "config.h"

#include "opsdeck/alert.h"
#include "opsdeck/feature.h"

/* Per-host states: whether the cache holds no active host alert for it. */
static const char state_clear = 'c', state_alerts = 'a';

static int
alerts_ingest(const struct feature_tick *t, const struct feature_host *h, const void *state,
    void **next, char **cause)
{
	struct alert_set cur;
	int rc = 0;

	alert_set_init(&cur);
	alert_eval_host(h->status, t->cfg->thresholds, t->cfg->nthresholds, &cur);
	if (cur.n > 0 || state != &state_clear) {
		rc = alert_store_sync_events(t->st, h->status->name, ALERT_SRC_HOST, cur.v, cur.n,
		    t->now_ms, t->events, cause);
		if (rc == 0)
			*next = (void *)(cur.n == 0 ? &state_clear : &state_alerts);
	}
	alert_set_free(&cur);
	return rc;
}

const struct feature feature_alerts = {
	.name = "alerts",
	.probes = NULL,
	.init = alert_store_init,
	.ingest = alerts_ingest,
	.state_free = NULL,	/* the states are the two static markers */
	.prune = alert_store_prune,
};
