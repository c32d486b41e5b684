/*
 * fuzz_testbed.c: the test-bed contract parser and the device tracker on
 * arbitrary bytes. Neither may read outside the input, leak or crash; a
 * parsed report must respect every limit and hold only sanitised text, and
 * tracking it twice (then once more as unreachable) must stay consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/testbed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* No C0 control, DEL or ESC in kept text. */
static void
check_text(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			abort();
	}
}

static void
check_report(const struct testbed_report *r)
{
	if (r->ndevices > TESTBED_MAX_DEVICES || r->schema != TESTBED_SCHEMA)
		abort();
	check_text(r->controller, TESTBED_ID_MAX);
	check_text(r->sector, TESTBED_SECTOR_MAX);
	check_text(r->site, TESTBED_SITE_MAX);
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct device *d = &r->devices[i];
		if (d->id[0] == '\0' || d->kind[0] == '\0')
			abort();
		check_text(d->id, TESTBED_ID_MAX);
		check_text(d->name, TESTBED_NAME_MAX);
		check_text(d->kind, TESTBED_KIND_MAX);
		check_text(d->message, TESTBED_MESSAGE_MAX);
		check_text(d->firmware, TESTBED_FIRMWARE_MAX);
		if (d->state > DEVICE_MAINTENANCE || d->nmetrics > TESTBED_MAX_METRICS)
			abort();
		for (int k = 0; k < d->nmetrics; k++) {
			check_text(d->metrics[k].name, TESTBED_METRIC_MAX);
			check_text(d->metrics[k].unit, TESTBED_UNIT_MAX);
		}
	}
}

static void
check_update(const struct device_update *u)
{
	for (size_t i = 0; i < u->ndevices; i++) {
		if (u->devices[i].state >= DEVICE_STATE_COUNT)
			abort();
		if (i > 0 && strcmp(u->devices[i - 1].id, u->devices[i].id) >= 0)
			abort();	/* sorted, unique */
	}
	for (size_t i = 0; i < u->ntr; i++)
		if (u->tr[i].from == u->tr[i].to)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct testbed_report r;
	char *cause = NULL;

	int rc = testbed_parse((const char *)data, size, &r, &cause);
	if (rc != 0 && cause == NULL)
		abort();	/* an error always says why ... */
	if (rc != 0 && strncmp(cause, "line ", 5) != 0)
		abort();	/* ... and where */
	if (rc == 0 && cause != NULL)
		abort();
	free(cause);
	if (rc == 0) {
		struct device_update a, b, c;
		check_report(&r);
		devices_track_report(NULL, 0, &r, 1000, &a);
		check_update(&a);
		if (a.ntr != a.ndevices)
			abort();	/* every device is new */
		devices_track_report(a.devices, a.ndevices, &r, 2000, &b);
		check_update(&b);
		if (b.ntr != 0)
			abort();	/* the same report twice changes no state */
		devices_track_unknown(b.devices, b.ndevices, 3000, "fuzz", &c);
		check_update(&c);
		for (size_t i = 0; i < c.ndevices; i++)
			if (c.devices[i].state != DEVICE_UNKNOWN)
				abort();
		device_update_free(&a);
		device_update_free(&b);
		device_update_free(&c);
	}
	testbed_report_free(&r);
	return 0;
}
