/*
 * store_vfs.c: the writer's VFS (store_int.h), the default one with the
 * WAL's writes gathered. SQLite writes each frame of a transaction as two
 * pwrite(2)s, its 24-byte header and then its page, which straddles two
 * pages of the file: at 1,000 hosts that was 3,600 calls a second and 8 %
 * of the collector's CPU (docs/PERFORMANCE.md). Here the frames of a
 * transaction go into one buffer and reach the file in large writes.
 *
 * The one rule that keeps this safe: the buffer only ever holds frames that
 * no reader can use yet. SQLite makes frames visible by writing the
 * wal-index header after the commit frame's write returns; the commit frame
 * is the one whose header gives the database size (bytes 4-7 not zero), so
 * its page's write flushes the buffer and returns the flush's result: a
 * full disk fails the commit, as it would have without the buffer. Every
 * other call on the WAL file (a read of a frame, a sync, a truncation, its
 * size, a lock, a close) flushes first, so SQLite never sees the file
 * differ from what it wrote. A failed flush drops the buffer: those frames
 * belong to a transaction that fails and is rolled back.
 *
 * Other files (the database, its -shm) are opened by the default VFS into
 * our handle and keep its methods untouched.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/util.h"
#include "store_int.h"

#define WAL_FRAME_HDR	24		/* a frame's header: page number, db size, ... */
/*
 * A flush at least this often: below 128 KiB, as the unix VFS writes at
 * most 0x1ffff bytes a call (seekAndWriteFd) and takes a longer write for
 * a full disk.
 */
#define WALBUF_MAX	(120 * 1024)

struct wfile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* just after this struct */
	unsigned char	*buf;
	size_t		 len;
	sqlite3_int64	 off;		/* where buf[0] goes */
	int		 commit_next;	/* the last write was a commit frame's header */
};

static sqlite3_vfs walbuf_vfs;
static sqlite3_io_methods wal_methods;
static pthread_once_t walbuf_once = PTHREAD_ONCE_INIT;

#define WF(f)	((struct wfile *)(void *)(f))
#define REAL(f)	(WF(f)->real)

/* Writes out what the buffer holds; on failure it is dropped (see above). */
static int
wal_flush(struct wfile *w)
{
	int rc = SQLITE_OK;

	if (w->len > 0)
		rc = w->real->pMethods->xWrite(w->real, w->buf, (int)w->len, w->off);
	w->len = 0;
	return rc;
}

static int
wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct wfile *w = WF(f);
	int commit = w->commit_next;
	int rc = SQLITE_OK;

	w->commit_next = n == WAL_FRAME_HDR && memcmp((const unsigned char *)p + 4,
	    "\0\0\0\0", 4) != 0;
	if (n <= 0)
		return w->real->pMethods->xWrite(w->real, p, n, off);
	if (w->len > 0 && off >= w->off && off + n <= w->off + (sqlite3_int64)w->len) {
		/* a frame of this transaction written again (its page changed) */
		memcpy(w->buf + (off - w->off), p, (size_t)n);
	} else if (w->len > 0 && off == w->off + (sqlite3_int64)w->len &&
	    w->len + (size_t)n <= WALBUF_MAX) {
		memcpy(w->buf + w->len, p, (size_t)n);
		w->len += (size_t)n;
	} else {
		if ((rc = wal_flush(w)) != SQLITE_OK)
			return rc;
		if ((size_t)n >= WALBUF_MAX)
			return w->real->pMethods->xWrite(w->real, p, n, off);
		if (w->buf == NULL)
			w->buf = xmalloc(WALBUF_MAX);
		memcpy(w->buf, p, (size_t)n);
		w->len = (size_t)n;
		w->off = off;
	}
	return commit ? wal_flush(w) : SQLITE_OK;
}

static int
wal_close(sqlite3_file *f)
{
	struct wfile *w = WF(f);
	int rc = wal_flush(w);
	int rc2 = w->real->pMethods->xClose(w->real);

	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

/* The other methods: flush, then the default VFS's own. */
#define FLUSHED(f, call) do {						\
	int rc_ = wal_flush(WF(f));					\
	return rc_ != SQLITE_OK ? rc_ : REAL(f)->pMethods->call;	\
} while (0)

static int
wal_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	FLUSHED(f, xRead(REAL(f), p, n, off));
}

static int
wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	FLUSHED(f, xTruncate(REAL(f), size));
}

static int
wal_sync(sqlite3_file *f, int flags)
{
	FLUSHED(f, xSync(REAL(f), flags));
}

static int
wal_size(sqlite3_file *f, sqlite3_int64 *size)
{
	FLUSHED(f, xFileSize(REAL(f), size));
}

static int
wal_lock(sqlite3_file *f, int lock)
{
	FLUSHED(f, xLock(REAL(f), lock));
}

static int
wal_unlock(sqlite3_file *f, int lock)
{
	FLUSHED(f, xUnlock(REAL(f), lock));
}

static int
wal_check_lock(sqlite3_file *f, int *out)
{
	FLUSHED(f, xCheckReservedLock(REAL(f), out));
}

static int
wal_control(sqlite3_file *f, int op, void *arg)
{
	FLUSHED(f, xFileControl(REAL(f), op, arg));
}

static int
wal_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
wal_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
walbuf_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	sqlite3_vfs *base = v->pAppData;

	if (!(flags & SQLITE_OPEN_WAL))		/* the default VFS's file, as it is */
		return base->xOpen(base, name, f, flags, out);
	struct wfile *w = WF(f);
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)(void *)(w + 1);
	int rc = base->xOpen(base, name, w->real, flags, out);
	/* SQLite calls xClose only on a file whose pMethods is set */
	w->base.pMethods = w->real->pMethods != NULL ? &wal_methods : NULL;
	return rc;
}

/* The VFS itself: the calls of the one under it (pAppData). */
#define BASE(v)	((sqlite3_vfs *)(v)->pAppData)

static int
v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	return BASE(v)->xDelete(BASE(v), name, sync);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	return BASE(v)->xAccess(BASE(v), name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	return BASE(v)->xFullPathname(BASE(v), name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *v, const char *name)
{
	return BASE(v)->xDlOpen(BASE(v), name);
}

static void
v_dlerror(sqlite3_vfs *v, int n, char *msg)
{
	BASE(v)->xDlError(BASE(v), n, msg);
}

static void
(*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
	return BASE(v)->xDlSym(BASE(v), h, s);
}

static void
v_dlclose(sqlite3_vfs *v, void *h)
{
	BASE(v)->xDlClose(BASE(v), h);
}

static int
v_random(sqlite3_vfs *v, int n, char *out)
{
	return BASE(v)->xRandomness(BASE(v), n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	return BASE(v)->xSleep(BASE(v), us);
}

static int
v_time(sqlite3_vfs *v, double *out)
{
	return BASE(v)->xCurrentTime(BASE(v), out);
}

static int
v_lasterr(sqlite3_vfs *v, int n, char *out)
{
	return BASE(v)->xGetLastError != NULL ? BASE(v)->xGetLastError(BASE(v), n, out) : 0;
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	return BASE(v)->xCurrentTimeInt64(BASE(v), out);
}

/* See store_int.h. */
void
store_vfs_over(sqlite3_vfs *v, sqlite3_vfs *base, const char *name, int file_size)
{
	if (base == NULL || base->iVersion < 2)
		fatal("store: SQLite has no default VFS of version 2 or later");
	memset(v, 0, sizeof *v);
	v->iVersion = 2;
	v->szOsFile = file_size + base->szOsFile;
	v->mxPathname = base->mxPathname;
	v->zName = name;
	v->pAppData = base;
	v->xDelete = v_delete;
	v->xAccess = v_access;
	v->xFullPathname = v_fullpath;
	v->xDlOpen = v_dlopen;
	v->xDlError = v_dlerror;
	v->xDlSym = v_dlsym;
	v->xDlClose = v_dlclose;
	v->xRandomness = v_random;
	v->xSleep = v_sleep;
	v->xCurrentTime = v_time;
	v->xGetLastError = v_lasterr;
	v->xCurrentTimeInt64 = v_time64;
}

static void
walbuf_register(void)
{
	sqlite3_initialize();
	store_vfs_over(&walbuf_vfs, sqlite3_vfs_find(NULL), STORE_WRITER_VFS,
	    (int)sizeof(struct wfile));
	walbuf_vfs.xOpen = walbuf_open;
	wal_methods.iVersion = 1;	/* no shared memory or mmap on a WAL file */
	wal_methods.xClose = wal_close;
	wal_methods.xRead = wal_read;
	wal_methods.xWrite = wal_write;
	wal_methods.xTruncate = wal_truncate;
	wal_methods.xSync = wal_sync;
	wal_methods.xFileSize = wal_size;
	wal_methods.xLock = wal_lock;
	wal_methods.xUnlock = wal_unlock;
	wal_methods.xCheckReservedLock = wal_check_lock;
	wal_methods.xFileControl = wal_control;
	wal_methods.xSectorSize = wal_sector;
	wal_methods.xDeviceCharacteristics = wal_device;
	if (sqlite3_vfs_register(&walbuf_vfs, 0) != SQLITE_OK)
		fatal("store: cannot register the writer's VFS");
}

/* See store_int.h. */
const char *
store_writer_vfs(void)
{
	pthread_once(&walbuf_once, walbuf_register);
	return STORE_WRITER_VFS;
}
