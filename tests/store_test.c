/*
 * store_test.c: see store_test.h.
 */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/util.h"
#include "../src/store/store_int.h"	/* store_vfs_over */
#include "store_test.h"

void
test_status_make(struct host_status *h, const char *name, const char *group,
    int64_t sample_ms, int cores, int ngpus, int nsensors)
{
	host_status_init(h);
	od_strlcpy(h->name, name, sizeof h->name);
	od_strlcpy(h->group, group, sizeof h->group);
	h->kind = GROUP_NODE;
	h->state = HOST_UP;
	h->state_since_ms = sample_ms > 0 ? sample_ms - 5000 : 1;
	h->sample_ms = sample_ms;
	h->cores = cores;
	h->cpu_pct = 42.25;
	if (cores > 0) {
		h->core_pct = xreallocarray(NULL, (size_t)cores, sizeof *h->core_pct);
		for (int i = 0; i < cores; i++)
			h->core_pct[i] = i * 0.5;
	}
	h->mem_total = 512ULL << 30;
	h->mem_used = 123456789012ULL;
	h->swap_total = 8ULL << 30;
	h->swap_used = 12345;
	h->load[0] = 1.5;
	h->load[1] = 2.25;
	h->load[2] = 3.125;
	h->uptime_s = 86400.5;
	h->net_rx_bps = 1.25e9;
	h->net_tx_bps = 3.5e8;
	h->disk_read_bps = 1e6;
	h->disk_write_bps = -1;
	if (ngpus > 0) {
		h->gpus = xcalloc((size_t)ngpus, sizeof *h->gpus);
		h->ngpus = ngpus;
		for (int i = 0; i < ngpus; i++) {
			struct gpu_sample *g = &h->gpus[i];
			g->index = i;
			snprintf(g->uuid, sizeof g->uuid, "GPU-%08x-1234-5678-9abc-%012d", i, i);
			snprintf(g->name, sizeof g->name, "NVIDIA H100 80GB HBM3");
			g->util_pct = 10.0 * i;
			g->mem_util_pct = 5.5;
			g->mem_used_bytes = (int64_t)i << 30;
			g->mem_total_bytes = 80LL << 30;
			g->temp_c = 40 + i;
			g->power_w = 300.5;
			g->power_limit_w = 700;
			g->ecc_uncorrected = i == 1 ? -1 : i;
			g->throttle_reasons = (uint64_t)1 << i;
		}
	}
	if (nsensors > 0) {
		h->sensors = xcalloc((size_t)nsensors, sizeof *h->sensors);
		h->nsensors = nsensors;
		for (int i = 0; i < nsensors; i++) {
			struct sensor_sample *x = &h->sensors[i];
			snprintf(x->name, sizeof x->name, "Temp %d", i);
			x->value = 20 + i * 0.25;
			od_strlcpy(x->unit, i % 2 ? "RPM" : "degrees C", sizeof x->unit);
			od_strlcpy(x->status, i % 3 ? "ok" : "nc", sizeof x->status);
			x->level = i % 3 ? SENSOR_OK : SENSOR_WARN;
		}
	}
}

/* ---- fault-injecting VFS ------------------------------------------------- */

struct fvfs_file {
	sqlite3_file	 base;
	sqlite3_file	*real;
	int		 wal;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fvfs;
static volatile int fail_rc;
static uint64_t wal_calls, wal_bytes;	/* the writes that reached WAL files */

#define REAL(f) (((struct fvfs_file *)(void *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (fail_rc != 0)
		return fail_rc;
	if (((struct fvfs_file *)(void *)f)->wal) {
		wal_calls++;
		wal_bytes += (uint64_t)n;
	}
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int fl)
{
	return REAL(f)->pMethods->xSync(REAL(f), fl);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
f_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}

static int
f_shmlock(sqlite3_file *f, int off, int n, int fl)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, fl);
}

static void
f_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shmunmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fvfs_methods = {
	3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock,
	f_reserved, f_fcntl, f_sector, f_devchar, f_shmmap, f_shmlock, f_shmbarrier,
	f_shmunmap, f_fetch, f_unfetch,
};

static int
f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outflags)
{
	struct fvfs_file *p = (struct fvfs_file *)(void *)file;
	(void)vfs;
	p->real = (sqlite3_file *)(void *)(p + 1);
	p->wal = (flags & SQLITE_OPEN_WAL) != 0;
	int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, outflags);
	p->base.pMethods = rc == SQLITE_OK && p->real->pMethods != NULL ? &fvfs_methods : NULL;
	return rc;
}

void
test_vfs_install(void)
{
	if (real_vfs != NULL)
		return;
	sqlite3_initialize();
	real_vfs = sqlite3_vfs_find(NULL);
	store_vfs_over(&fvfs, real_vfs, "opsdeck-faulty", (int)sizeof(struct fvfs_file));
	fvfs.xOpen = f_open;
	if (sqlite3_vfs_register(&fvfs, 1) != SQLITE_OK)
		fatal("cannot register the test VFS");
}

void
test_vfs_fail(int rc)
{
	fail_rc = rc;
}

void
test_vfs_wal_writes(uint64_t *calls, uint64_t *bytes)
{
	*calls = wal_calls;
	*bytes = wal_bytes;
}
