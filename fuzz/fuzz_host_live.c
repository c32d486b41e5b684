/*
 * fuzz_host_live.c: the cache's row of a host's GPUs, sensors and GPU
 * processes (hostlive.h) both ways.
 *   - The input as a row: host_live_decode never reads outside it, returns
 *     at most PROBE_MAX_GPUS, PROBE_MAX_SENSORS and PROBE_MAX_GPU_PROCS
 *     records with their strings NUL-terminated, allocates nothing when it
 *     fails, and what it decoded encodes to a row that decodes to the same
 *     records, bit for bit.
 *   - The input as records (bytes of struct gpu_sample, of struct
 *     sensor_sample, then of struct gpu_proc, strings cut to their fields):
 *     encode, then decode, gives them back.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_back(const struct host_live *in)
{
	const struct gpu_sample *g = in->gpus;
	const struct sensor_sample *s = in->sensors;
	const struct gpu_proc *q = in->procs;
	struct host_live l;
	size_t len;
	unsigned char *b = host_live_encode(in, &len);

	if (host_live_decode(b, len, &l) != 0 || l.ngpus != in->ngpus ||
	    l.nsensors != in->nsensors || l.nprocs != in->nprocs)
		abort();
	for (int i = 0; i < l.ngpus; i++)
		if (g[i].index != l.gpus[i].index || strcmp(g[i].uuid, l.gpus[i].uuid) != 0 ||
		    strcmp(g[i].name, l.gpus[i].name) != 0 ||
		    memcmp(&g[i].util_pct, &l.gpus[i].util_pct, sizeof(double)) != 0 ||
		    memcmp(&g[i].power_limit_w, &l.gpus[i].power_limit_w, sizeof(double)) != 0 ||
		    g[i].mem_used_bytes != l.gpus[i].mem_used_bytes ||
		    g[i].ecc_uncorrected != l.gpus[i].ecc_uncorrected ||
		    g[i].throttle_reasons != l.gpus[i].throttle_reasons)
			abort();
	for (int i = 0; i < l.nsensors; i++)
		if (strcmp(s[i].name, l.sensors[i].name) != 0 ||
		    strcmp(s[i].unit, l.sensors[i].unit) != 0 ||
		    strcmp(s[i].status, l.sensors[i].status) != 0 ||
		    strcmp(s[i].state, l.sensors[i].state) != 0 ||
		    memcmp(&s[i].value, &l.sensors[i].value, sizeof(double)) != 0 ||
		    s[i].level != l.sensors[i].level)
			abort();
	for (int i = 0; i < l.nprocs; i++)
		if (q[i].gpu != l.procs[i].gpu || q[i].pid != l.procs[i].pid ||
		    q[i].mem_used_bytes != l.procs[i].mem_used_bytes ||
		    strcmp(q[i].user, l.procs[i].user) != 0 ||
		    strcmp(q[i].job, l.procs[i].job) != 0 ||
		    strcmp(q[i].name, l.procs[i].name) != 0)
			abort();
	free(b);
	host_live_free(&l);
}

static void
as_row(const uint8_t *data, size_t size)
{
	struct host_live l;

	if (host_live_decode(data, size, &l) != 0) {
		if (l.gpus != NULL || l.sensors != NULL || l.procs != NULL || l.ngpus != 0 ||
		    l.nsensors != 0 || l.nprocs != 0)
			abort();
		return;
	}
	if (l.ngpus < 0 || l.ngpus > PROBE_MAX_GPUS || l.nsensors < 0 ||
	    l.nsensors > PROBE_MAX_SENSORS || l.nprocs < 0 || l.nprocs > PROBE_MAX_GPU_PROCS ||
	    (l.ngpus > 0) != (l.gpus != NULL) || (l.nsensors > 0) != (l.sensors != NULL) ||
	    (l.nprocs > 0) != (l.procs != NULL))
		abort();
	for (int i = 0; i < l.ngpus; i++)
		if (memchr(l.gpus[i].uuid, 0, sizeof l.gpus[i].uuid) == NULL ||
		    memchr(l.gpus[i].name, 0, sizeof l.gpus[i].name) == NULL)
			abort();
	for (int i = 0; i < l.nsensors; i++)
		if (memchr(l.sensors[i].state, 0, sizeof l.sensors[i].state) == NULL ||
		    l.sensors[i].level > SENSOR_OTHER)
			abort();
	for (int i = 0; i < l.nprocs; i++)
		if (memchr(l.procs[i].user, 0, sizeof l.procs[i].user) == NULL ||
		    memchr(l.procs[i].job, 0, sizeof l.procs[i].job) == NULL ||
		    memchr(l.procs[i].name, 0, sizeof l.procs[i].name) == NULL)
			abort();
	same_back(&l);
	host_live_free(&l);
}

static void
as_records(const uint8_t *data, size_t size)
{
	int ng = size > 0 ? data[0] % 9 : 0;
	size_t off = 1;
	struct gpu_sample g[8];
	struct sensor_sample s[16];
	struct gpu_proc q[4];
	int ns = 0, nq = 0;

	memset(g, 0, sizeof g);
	memset(s, 0, sizeof s);
	memset(q, 0, sizeof q);
	for (int i = 0; i < ng; i++, off += sizeof g[i]) {
		if (off + sizeof g[i] > size) {
			ng = i;
			break;
		}
		memcpy(&g[i], data + off, sizeof g[i]);
		g[i].uuid[sizeof g[i].uuid - 1] = '\0';
		g[i].name[sizeof g[i].name - 1] = '\0';
	}
	int want = size > 1 ? data[1] % 17 : 0;
	for (; ns < want && off + sizeof s[ns] <= size; off += sizeof s[ns], ns++) {
		memcpy(&s[ns], data + off, sizeof s[ns]);
		s[ns].name[sizeof s[ns].name - 1] = '\0';
		s[ns].unit[sizeof s[ns].unit - 1] = '\0';
		s[ns].status[sizeof s[ns].status - 1] = '\0';
		s[ns].state[sizeof s[ns].state - 1] = '\0';
		s[ns].level = (enum sensor_status)((unsigned)s[ns].level % (SENSOR_OTHER + 1));
	}
	for (; nq < 4 && off + sizeof q[nq] <= size; off += sizeof q[nq], nq++) {
		memcpy(&q[nq], data + off, sizeof q[nq]);
		q[nq].user[sizeof q[nq].user - 1] = '\0';
		q[nq].job[sizeof q[nq].job - 1] = '\0';
		q[nq].name[sizeof q[nq].name - 1] = '\0';
	}
	const struct host_live in = { g, ng, s, ns, q, nq };
	same_back(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_row(data, size);
	as_records(data, size);
	return 0;
}
