/*
 * hostlive.h: a host's latest GPUs and BMC sensors as one blob, the data of
 * its row in the cache's host_live table (schema 6). A row per GPU and per
 * sensor cost the writer some twenty B-tree writes a host and tick, most of
 * its time (docs/PERFORMANCE.md); the blob is one.
 *
 * Format, version 1: 'L', 1; a varint count of GPUs, each: a varint index,
 * the uuid and the name (a varint length and the bytes), util_pct,
 * mem_util_pct, mem_used_bytes, mem_total_bytes, temp_c, power_w,
 * power_limit_w, ecc_uncorrected, throttle_reasons (eight bytes each, little
 * endian: doubles as their bits, integers as two's complement); a varint
 * count of sensors, each: name, value (eight bytes), unit, status, a byte of
 * level, state. Pure: bytes in, records out.
 */
#ifndef OPSDECK_HOSTLIVE_H
#define OPSDECK_HOSTLIVE_H

#include <stddef.h>

#include "opsdeck/probe.h"

/*
 * The blob of g[0..ng) and s[0..ns) (at most PROBE_MAX_GPUS and
 * PROBE_MAX_SENSORS of each are kept), malloc'd, its size in *len.
 */
unsigned char *host_live_encode(const struct gpu_sample *g, int ng,
	    const struct sensor_sample *s, int ns, size_t *len);

/*
 * The GPUs and sensors of a blob, malloc'd (NULL when none). 0, or -1 when
 * it is not one host_live_encode wrote (cut short, too long, a count or a
 * string past its bound, another version): then nothing is allocated.
 */
int host_live_decode(const void *p, size_t len, struct gpu_sample **g, int *ng,
	    struct sensor_sample **s, int *ns);

#endif
