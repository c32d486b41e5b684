/*
 * devices_blob.c: a device's metrics as one blob in the cache (devices_int.h):
 * per metric [len][name][len][unit][8-byte IEEE double, little endian]. A
 * damaged blob decodes to what was whole.
 */
#include "config.h"

#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "opsdeck/alert.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"
#include "devices_int.h"

/* ---- metrics blob: per metric [len][name][len][unit][8-byte IEEE double LE] ---- */

static void
blob_put(unsigned char **p, size_t *len, size_t *cap, const void *src, size_t n)
{
	if (*len + n > *cap) {
		*cap = (*len + n) * 2;
		*p = xrealloc(*p, *cap);
	}
	memcpy(*p + *len, src, n);
	*len += n;
}

/* The metrics of d as a blob (see above); malloc'd, NULL when none. */
unsigned char *
metrics_encode(const struct device *d, size_t *len)
{
	unsigned char *p = NULL;
	size_t cap = 0;

	*len = 0;
	for (int i = 0; i < d->nmetrics; i++) {
		const struct device_metric *m = &d->metrics[i];
		unsigned char nl = (unsigned char)strnlen(m->name, TESTBED_METRIC_MAX);
		unsigned char ul = (unsigned char)strnlen(m->unit, TESTBED_UNIT_MAX);
		uint64_t bits;
		unsigned char le[8];
		memcpy(&bits, &m->value, sizeof bits);
		for (int k = 0; k < 8; k++)
			le[k] = (unsigned char)(bits >> (8 * k));
		blob_put(&p, len, &cap, &nl, 1);
		blob_put(&p, len, &cap, m->name, nl);
		blob_put(&p, len, &cap, &ul, 1);
		blob_put(&p, len, &cap, m->unit, ul);
		blob_put(&p, len, &cap, le, 8);
	}
	return p;
}

/* Decodes a metrics blob into d; a damaged blob keeps what was whole. */
void
metrics_decode(struct device *d, const unsigned char *p, size_t len)
{
	size_t i = 0;
	int cap = 0;

	while (i < len && d->nmetrics < TESTBED_MAX_METRICS) {
		size_t nl = p[i++];
		if (nl > TESTBED_METRIC_MAX || i + nl + 1 > len)
			return;
		const unsigned char *name = p + i;
		i += nl;
		size_t ul = p[i++];
		if (ul > TESTBED_UNIT_MAX || i + ul + 8 > len)
			return;
		if (d->nmetrics >= cap) {
			cap = cap ? cap * 2 : 4;
			d->metrics = xreallocarray(d->metrics, (size_t)cap, sizeof *d->metrics);
		}
		struct device_metric *m = &d->metrics[d->nmetrics++];
		memset(m, 0, sizeof *m);
		sanitize_text(m->name, sizeof m->name, (const char *)name, nl);
		sanitize_text(m->unit, sizeof m->unit, (const char *)p + i, ul);
		i += ul;
		uint64_t bits = 0;
		for (int k = 0; k < 8; k++)
			bits |= (uint64_t)p[i + (size_t)k] << (8 * k);
		memcpy(&m->value, &bits, sizeof m->value);
		i += 8;
	}
}

