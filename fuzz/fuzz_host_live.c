/*
 * fuzz_host_live.c: the cache's row of a host's GPUs and sensors
 * (hostlive.h) both ways.
 *   - The input as a row: host_live_decode never reads outside it, returns
 *     at most PROBE_MAX_GPUS and PROBE_MAX_SENSORS records with their strings
 *     NUL-terminated, allocates nothing when it fails, and what it decoded
 *     encodes to a row that decodes to the same records, bit for bit.
 *   - The input as records (bytes of struct gpu_sample, then of struct
 *     sensor_sample, strings cut to their fields): encode, then decode, gives
 *     them back.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_back(const struct gpu_sample *g, int ng, const struct sensor_sample *s, int ns)
{
	struct gpu_sample *g2;
	struct sensor_sample *s2;
	int ng2, ns2;
	size_t len;
	unsigned char *b = host_live_encode(g, ng, s, ns, &len);

	if (host_live_decode(b, len, &g2, &ng2, &s2, &ns2) != 0 || ng2 != ng || ns2 != ns)
		abort();
	for (int i = 0; i < ng; i++)
		if (g[i].index != g2[i].index || strcmp(g[i].uuid, g2[i].uuid) != 0 ||
		    strcmp(g[i].name, g2[i].name) != 0 ||
		    memcmp(&g[i].util_pct, &g2[i].util_pct, sizeof(double)) != 0 ||
		    memcmp(&g[i].power_limit_w, &g2[i].power_limit_w, sizeof(double)) != 0 ||
		    g[i].mem_used_bytes != g2[i].mem_used_bytes ||
		    g[i].ecc_uncorrected != g2[i].ecc_uncorrected ||
		    g[i].throttle_reasons != g2[i].throttle_reasons)
			abort();
	for (int i = 0; i < ns; i++)
		if (strcmp(s[i].name, s2[i].name) != 0 || strcmp(s[i].unit, s2[i].unit) != 0 ||
		    strcmp(s[i].status, s2[i].status) != 0 ||
		    strcmp(s[i].state, s2[i].state) != 0 ||
		    memcmp(&s[i].value, &s2[i].value, sizeof(double)) != 0 ||
		    s[i].level != s2[i].level)
			abort();
	free(b);
	free(g2);
	free(s2);
}

static void
as_row(const uint8_t *data, size_t size)
{
	struct gpu_sample *g;
	struct sensor_sample *s;
	int ng, ns;

	if (host_live_decode(data, size, &g, &ng, &s, &ns) != 0) {
		if (g != NULL || s != NULL || ng != 0 || ns != 0)
			abort();
		return;
	}
	if (ng < 0 || ng > PROBE_MAX_GPUS || ns < 0 || ns > PROBE_MAX_SENSORS ||
	    (ng > 0) != (g != NULL) || (ns > 0) != (s != NULL))
		abort();
	for (int i = 0; i < ng; i++)
		if (memchr(g[i].uuid, 0, sizeof g[i].uuid) == NULL ||
		    memchr(g[i].name, 0, sizeof g[i].name) == NULL)
			abort();
	for (int i = 0; i < ns; i++)
		if (memchr(s[i].state, 0, sizeof s[i].state) == NULL || s[i].level > SENSOR_OTHER)
			abort();
	same_back(g, ng, s, ns);
	free(g);
	free(s);
}

static void
as_records(const uint8_t *data, size_t size)
{
	int ng = size > 0 ? data[0] % 9 : 0;
	size_t off = 1;
	struct gpu_sample g[8];
	struct sensor_sample s[16];
	int ns = 0;

	memset(g, 0, sizeof g);
	memset(s, 0, sizeof s);
	for (int i = 0; i < ng; i++, off += sizeof g[i]) {
		if (off + sizeof g[i] > size) {
			ng = i;
			break;
		}
		memcpy(&g[i], data + off, sizeof g[i]);
		g[i].uuid[sizeof g[i].uuid - 1] = '\0';
		g[i].name[sizeof g[i].name - 1] = '\0';
	}
	for (; ns < 16 && off + sizeof s[ns] <= size; off += sizeof s[ns], ns++) {
		memcpy(&s[ns], data + off, sizeof s[ns]);
		s[ns].name[sizeof s[ns].name - 1] = '\0';
		s[ns].unit[sizeof s[ns].unit - 1] = '\0';
		s[ns].status[sizeof s[ns].status - 1] = '\0';
		s[ns].state[sizeof s[ns].state - 1] = '\0';
		s[ns].level = (enum sensor_status)((unsigned)s[ns].level % (SENSOR_OTHER + 1));
	}
	same_back(g, ng, s, ns);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_row(data, size);
	as_records(data, size);
	return 0;
}
