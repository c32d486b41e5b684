/*
 * store_test.h: helpers for the store's tests and benchmark: host statuses
 * with every field set, and a fault-injecting SQLite VFS.
 */
#ifndef OPSDECK_STORE_TEST_H
#define OPSDECK_STORE_TEST_H

#include <stdint.h>

#include "opsdeck/hoststate.h"

/*
 * Fills h (host_status_init first) with distinct values in every field:
 * cores entries of core_pct, ngpus GPUs, nsensors sensors. Free with
 * host_status_free.
 */
void test_status_make(struct host_status *h, const char *name, const char *group,
	    int64_t sample_ms, int cores, int ngpus, int nsensors);

/*
 * Registers a VFS that wraps the default one as the new default. Once
 * test_vfs_fail(rc) is called with rc != 0 every xWrite fails with rc
 * (SQLITE_FULL, SQLITE_IOERR_WRITE, ...); test_vfs_fail(0) heals it.
 */
void test_vfs_install(void);
void test_vfs_fail(int rc);

/* The write calls that reached WAL files through that VFS, and their bytes, so far. */
void test_vfs_wal_writes(uint64_t *calls, uint64_t *bytes);

#endif
