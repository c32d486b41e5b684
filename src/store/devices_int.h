/*
 * devices_int.h: what the test-bed table files share (devices_store.c,
 * devices_view.c, devices_blob.c): the metrics blob codec.
 */
#ifndef OPSDECK_DEVICES_INT_H
#define OPSDECK_DEVICES_INT_H

#include <stddef.h>

#include "opsdeck/testbed.h"

/* The metrics of d as a blob; malloc'd, NULL when none (*len 0). */
unsigned char *metrics_encode(const struct device *d, size_t *len);
/* Decodes a blob into d's metrics; a damaged blob keeps what was whole. */
void metrics_decode(struct device *d, const unsigned char *p, size_t len);

#endif
