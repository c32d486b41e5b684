/*
 * store_procs.c: who is on each GPU in the cache (schema 4, host_gpu_procs):
 * a host's current GPU processes, a row each, rewritten whole when their
 * fingerprint changes, like the GPU rows are (store_write.c). The rows are
 * read back with the hosts (store_read.c).
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "opsdeck/hoststate.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

/* A fingerprint of h's processes as they would be written (count and every field). */
static uint64_t
procs_fp(const struct host_status *h, int n)
{
	uint64_t f = store_fp(STORE_FP_SEED, &n, sizeof n);
	for (int i = 0; i < n; i++) {
		const struct gpu_proc *p = &h->procs[i];
		int64_t num[] = { p->gpu, p->pid, p->mem_used_bytes };
		f = store_fp(f, num, sizeof num);
		f = store_fp_str(f, p->user, sizeof p->user);
		f = store_fp_str(f, p->job, sizeof p->job);
		f = store_fp_str(f, p->name, sizeof p->name);
	}
	return f;
}

/* See store_int.h. */
int
store_procs_write(struct store *st, int64_t host_id, struct open_chunk *oc,
    const struct host_status *h)
{
	int n = h->procs != NULL ? OD_MIN(h->nprocs, PROBE_MAX_GPU_PROCS) : 0;
	uint64_t fp = procs_fp(h, n);
	sqlite3_stmt *s;
	int rc;

	if (oc->procs_written && oc->procs_fp == fp)
		return SQLITE_OK;
	oc->procs_written = 0;
	s = store_stmt(st, SQ_PROCS_DELETE);
	sqlite3_bind_int64(s, 1, host_id);
	if ((rc = store_step_rc(s)) != SQLITE_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		const struct gpu_proc *p = &h->procs[i];
		s = store_stmt(st, SQ_PROCS_INSERT);
		sqlite3_bind_int64(s, 1, host_id);
		sqlite3_bind_int(s, 2, i);
		sqlite3_bind_int(s, 3, p->gpu);
		sqlite3_bind_int(s, 4, p->pid);
		store_bind_field(s, 5, p->user, sizeof p->user);
		store_bind_field(s, 6, p->job, sizeof p->job);
		store_bind_field(s, 7, p->name, sizeof p->name);
		sqlite3_bind_int64(s, 8, p->mem_used_bytes < 0 ? -1 : p->mem_used_bytes);
		if ((rc = store_step_rc(s)) != SQLITE_OK)
			return rc;
	}
	oc->procs_fp = fp;
	oc->procs_written = 1;
	return SQLITE_OK;
}
