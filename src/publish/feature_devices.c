/*
 * feature_devices.c: test-bed devices (testbed.h) as a feature. A
 * controller's queued `testbed` reports are tracked in order from the
 * committed device list; the list of each step is stored (devices,
 * transitions, metric samples) and the device alert rules are evaluated on
 * the last one. While the controller is not up and sent nothing, its devices
 * are `unknown`, never their last `ok`. The new list becomes the committed
 * one only after the tick's commit (feature.h), so a failed commit loses no
 * transition and stores none twice.
 */
#include "config.h"

#include <stdlib.h>

#include "opsdeck/alert.h"
#include "opsdeck/feature.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

static const char *const devices_probes[] = { "testbed", NULL };

/* A controller's committed devices, sorted by id. */
struct dev_state {
	struct device	*v;
	size_t		 n;
};

static void
dev_state_free(void *p)
{
	struct dev_state *s = p;
	if (s == NULL)
		return;
	devices_free(s->v, s->n);
	free(s);
}

static int
devices_init(struct store *st, char **cause)
{
	return devices_store_init(st, cause);
}

/*
 * One step: from the list *cur (read only), rep or "unreachable: why" at
 * now_ms, stored; *cur then points at the new list, owned by *made (the
 * previous one made here is freed). 0 or -1 with *cause.
 */
static int
devices_step(const struct feature_tick *t, const char *ctl, const struct device **cur,
    size_t *ncur, struct dev_state **made, const struct testbed_report *rep, const char *why,
    int64_t now_ms, char **cause)
{
	struct device_update u;

	if (rep != NULL)
		devices_track_report(*cur, *ncur, rep, now_ms, &u);
	else
		devices_track_unknown(*cur, *ncur, now_ms, why, &u);
	int rc = devices_store_put(t->st, ctl, rep, rep != NULL ? "" : why, &u, now_ms, cause);
	if (*made == NULL)
		*made = xcalloc(1, sizeof **made);
	devices_free((*made)->v, (*made)->n);
	(*made)->v = u.devices;
	(*made)->n = u.ndevices;
	u.devices = NULL;
	u.ndevices = 0;
	device_update_free(&u);
	*cur = (*made)->v;
	*ncur = (*made)->n;
	return rc;
}

static int
devices_ingest(const struct feature_tick *t, const struct feature_host *h, const void *state,
    void **next, char **cause)
{
	const struct host_status *st = h->status;
	const struct dev_state *known = state;
	struct dev_state *loaded = NULL, *made = NULL;
	const struct device *cur;
	size_t ncur;
	int rc = 0;

	if (h->group->kind != GROUP_TESTBED)
		return 0;
	int up = st->state == HOST_UP || st->state == HOST_CONNECTING || st->state == HOST_STALE;
	if (h->nparts == 0 && up)
		return 0;
	if (known == NULL) {
		/* first step of this controller since start: the cache's list */
		loaded = xcalloc(1, sizeof *loaded);
		if (devices_store_get(t->st, st->name, &loaded->v, &loaded->n, cause) != 0) {
			dev_state_free(loaded);
			return -1;
		}
		known = loaded;
	}
	cur = known->v;
	ncur = known->n;
	for (size_t i = 0; rc == 0 && i < h->nparts; i++)
		rc = devices_step(t, st->name, &cur, &ncur, &made, h->parts[i].part.data, NULL,
		    h->parts[i].at_ms, cause);
	if (rc == 0 && h->nparts == 0)
		rc = devices_step(t, st->name, &cur, &ncur, &made, NULL,
		    st->error[0] ? st->error : host_state_name(st->state), t->now_ms, cause);
	if (rc == 0) {
		struct alert_set a;
		alert_set_init(&a);
		alert_eval_devices(st->name, cur, ncur, t->cfg->thresholds, t->cfg->nthresholds,
		    &a);
		rc = alert_store_sync_events(t->st, st->name, ALERT_SRC_DEVICE, a.v, a.n,
		    t->now_ms, t->events, cause);
		alert_set_free(&a);
	}
	dev_state_free(loaded);
	if (rc != 0) {
		dev_state_free(made);
		return -1;
	}
	*next = made;
	return 0;
}

size_t
feature_devices_list(const void *state, const struct device **v)
{
	const struct dev_state *s = state;

	*v = s != NULL ? s->v : NULL;
	return s != NULL ? s->n : 0;
}

static int
devices_prune(struct store *st, int64_t before_ms, char **cause)
{
	return devices_store_prune(st, before_ms, cause);
}

const struct feature feature_devices = {
	.name = "devices",
	.probes = devices_probes,
	.init = devices_init,
	.ingest = devices_ingest,
	.state_free = dev_state_free,
	.prune = devices_prune,
};
