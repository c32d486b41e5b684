/*
 * store.c: opening the cache (its path and lock file are store_files.c's),
 * detection and moving aside of corrupt or foreign files, PRAGMAs, and the
 * schema with its forward migrations. Also the helpers the other store_*.c
 * files share (store_int.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/buf.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

/*
 * Schema version 1. Every table the later issues need exists from the start;
 * a later version appends a step to `migrations` and never edits this one.
 */
static const char schema_v1[] =
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	/* hosts and their latest state */
	"CREATE TABLE hosts("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  grp TEXT NOT NULL DEFAULT '',"
	"  kind INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '',"
	"  state_since_ms INTEGER NOT NULL DEFAULT 0,"
	"  sample_ms INTEGER NOT NULL DEFAULT 0,"
	"  updated_ms INTEGER NOT NULL DEFAULT 0,"
	"  cores INTEGER NOT NULL DEFAULT 0,"
	"  cpu_pct REAL, core_pct BLOB,"
	"  mem_total INTEGER, mem_used INTEGER, swap_total INTEGER, swap_used INTEGER,"
	"  load1 REAL, load5 REAL, load15 REAL, uptime_s REAL,"
	"  net_rx_bps REAL, net_tx_bps REAL, disk_read_bps REAL, disk_write_bps REAL,"
	/* store_maintain's progress: rollups complete and rows pruned below these */
	"  minute_done_ms INTEGER NOT NULL DEFAULT 0, hour_done_ms INTEGER NOT NULL DEFAULT 0,"
	"  minute_pruned_ms INTEGER NOT NULL DEFAULT 0,"
	"  hour_pruned_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE host_gpus("
	"  host_id INTEGER NOT NULL, slot INTEGER NOT NULL,"
	"  gpu_index INTEGER NOT NULL, uuid TEXT NOT NULL, name TEXT NOT NULL,"
	"  util_pct REAL, mem_util_pct REAL, mem_used_bytes INTEGER, mem_total_bytes INTEGER,"
	"  temp_c REAL, power_w REAL, power_limit_w REAL,"
	"  ecc_uncorrected INTEGER, throttle_reasons INTEGER,"
	"  PRIMARY KEY(host_id, slot)) WITHOUT ROWID;"
	"CREATE TABLE host_sensors("
	"  host_id INTEGER NOT NULL, slot INTEGER NOT NULL,"
	"  name TEXT NOT NULL, value REAL, unit TEXT NOT NULL, status TEXT NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  PRIMARY KEY(host_id, slot)) WITHOUT ROWID;"
	"CREATE TABLE host_transitions("
	"  id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL, ts_ms INTEGER NOT NULL,"
	"  from_state INTEGER, to_state INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX host_transitions_host ON host_transitions(host_id, ts_ms);"
	/* metric samples: narrow rows, names in their own table */
	"CREATE TABLE metrics(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	/* which metrics each host has */
	"CREATE TABLE series("
	"  host_id INTEGER NOT NULL, metric_id INTEGER NOT NULL,"
	"  PRIMARY KEY(host_id, metric_id)) WITHOUT ROWID;"
	/*
	 * Raw samples keyed host, time, metric: a tick appends one run of rows
	 * per host (one page), where metric-first keys would touch a page per
	 * series. The rollups are written in batches and read per metric.
	 */
	"CREATE TABLE samples("
	"  host_id INTEGER NOT NULL, ts INTEGER NOT NULL, metric_id INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  PRIMARY KEY(host_id, ts, metric_id)) WITHOUT ROWID;"
	"CREATE TABLE samples_1m("
	"  host_id INTEGER NOT NULL, metric_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
	"  min REAL NOT NULL, avg REAL NOT NULL, max REAL NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(host_id, metric_id, ts)) WITHOUT ROWID;"
	"CREATE TABLE samples_1h("
	"  host_id INTEGER NOT NULL, metric_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
	"  min REAL NOT NULL, avg REAL NOT NULL, max REAL NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(host_id, metric_id, ts)) WITHOUT ROWID;"
	/*
	 * Test-bed devices, alerts and budgets keep tables of their own
	 * (devices_store.c, alert_store.c, budget_store.c; store_db()).
	 */
	;

/*
 * Version 2: samples in chunks (chunk.h, store_int.h): a row per host and
 * stretch of time, raw (level 0) or 1-minute rollups (level 1, one an hour),
 * where version 1 had a row per sample; store_migrate_chunks moves the rows
 * of `samples` and `samples_1m` over and drops them. samples_1h stays.
 * A rowid table, so that a chunk of up to a page stays on its own page.
 */
static const char schema_v2[] =
	"CREATE TABLE chunks("
	"  id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL, level INTEGER NOT NULL,"
	"  t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL,"
	"  data BLOB NOT NULL);"
	"CREATE INDEX chunks_key ON chunks(host_id, level, t0, t1);";

/*
 * Forward migrations: step i takes user_version i to migrations[i].version,
 * running its SQL, then its function (0 or an SQLite rc) when it has one.
 */
/*
 * Version 3: partial reports. A host's warnings (what its parsers skipped,
 * a line each) and an IPMI sensor's discrete state, kept apart from its
 * number and unit. GPU memory columns hold -1 for "not available".
 */
static const char schema_v3[] =
	"ALTER TABLE hosts ADD COLUMN warnings TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE host_sensors ADD COLUMN state TEXT NOT NULL DEFAULT '';";

/*
 * Version 4: the operator's actions from the console (action.h): one row
 * per action (who, when, what, through which head node) and one per host it
 * named with that host's result. Written by the one writer, read by Detail.
 */
static const char schema_v4[] =
	"CREATE TABLE actions("
	"  id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL DEFAULT 0,"
	"  user TEXT NOT NULL, kind TEXT NOT NULL, what TEXT NOT NULL,"
	"  via TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE action_hosts("
	"  action_id INTEGER NOT NULL, host TEXT NOT NULL, status INTEGER,"
	"  result TEXT NOT NULL,"
	"  PRIMARY KEY(action_id, host)) WITHOUT ROWID;"
	"CREATE INDEX action_hosts_host ON action_hosts(host, action_id);";

/*
 * Version 5: who is on each GPU (probe_nvidia_procs.c): the current
 * processes of a host's GPUs, a row each (slot: their order), written when
 * they change. Memory -1: not available; user, job "": unknown. Schema 8
 * moves them into host_live.
 */
static const char schema_v5[] =
	"CREATE TABLE host_gpu_procs("
	"  host_id INTEGER NOT NULL, slot INTEGER NOT NULL,"
	"  gpu_index INTEGER NOT NULL, pid INTEGER NOT NULL, user TEXT NOT NULL,"
	"  job TEXT NOT NULL, name TEXT NOT NULL, mem_used_bytes INTEGER NOT NULL,"
	"  PRIMARY KEY(host_id, slot)) WITHOUT ROWID;";

/*
 * Version 6: a host's latest GPUs and sensors in one row (hostlive.h), where
 * a row each cost some twenty B-tree writes a host and tick;
 * store_migrate_live moves the rows of host_gpus and host_sensors over and
 * drops them.
 */
static const char schema_v6[] =
	"CREATE TABLE host_live(host_id INTEGER PRIMARY KEY, data BLOB NOT NULL);";

/*
 * Version 7: the chunks' index leaves out t1. A host's open raw chunk moves
 * its t1 at every tick, and with t1 in the index each such UPDATE rewrote
 * the host's index entry too: a leaf page a host and tick once the cache
 * holds hours of chunks (bench/store ingest with 6 h of history: 35 -> 22 ms
 * of CPU per 1,000-host tick). Readers seek on t0 (a chunk starts at most
 * its level's span before its last point) and test t1 in the row.
 */
static const char schema_v7[] =
	"DROP INDEX chunks_key;"
	"CREATE INDEX chunks_key ON chunks(host_id, level, t0);";

/*
 * Version 8: a host's GPU processes join its host_live row (hostlive.h,
 * format 2), where host_gpu_procs took a DELETE and an INSERT a process
 * each time one's memory moved, every tick on a busy GPU node;
 * store_migrate_procs moves the rows over and drops the table.
 */

static const struct {
	int		 version;
	const char	*sql;
	int		(*fn)(struct store *);
} migrations[] = {
	{ 1, schema_v1, NULL },
	{ 2, schema_v2, store_migrate_chunks },
	{ 3, schema_v3, NULL },
	{ 4, schema_v4, NULL },
	{ 5, schema_v5, NULL },
	{ 6, schema_v6, store_migrate_live },
	{ 7, schema_v7, NULL },
	{ 8, "", store_migrate_procs },
};


/* ---- corrupt or foreign files ------------------------------------------- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Looks at the file at path before SQLite does. Returns 0 when it is absent,
 * empty or plausibly an SQLite database, 1 with a static reason when it is
 * not one or is truncated.
 */
static int
file_check(const char *path, const char **why)
{
	struct stat sb;
	unsigned char h[100];

	if (stat(path, &sb) != 0 || sb.st_size == 0)
		return 0;
	if (!S_ISREG(sb.st_mode)) {
		*why = "not a regular file";
		return 1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* SQLite will say why */
	ssize_t n = pread(fd, h, sizeof h, 0);
	close(fd);
	if (n < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
		*why = "not an SQLite database";
		return 1;
	}
	uint32_t psize = (uint32_t)h[16] << 8 | h[17];
	if (psize == 1)
		psize = 65536;
	if (psize < 512 || (psize & (psize - 1)) != 0) {
		*why = "damaged database header";
		return 1;
	}
	/* With a non-empty WAL the file may legitimately lag; else it must be whole. */
	char *wal = xasprintf("%s-wal", path);
	struct stat wb;
	int have_wal = stat(wal, &wb) == 0 && wb.st_size > 0;
	free(wal);
	if (have_wal)
		return 0;
	if ((uint64_t)sb.st_size % psize != 0) {
		*why = "truncated database";
		return 1;
	}
	uint32_t pages = be32(h + 28);
	if (pages != 0 && be32(h + 24) == be32(h + 92) &&
	    (uint64_t)pages * psize > (uint64_t)sb.st_size) {
		*why = "truncated database";
		return 1;
	}
	return 0;
}

/*
 * Renames path, path-wal and path-shm to path.corrupt-TIMESTAMP[-wal|-shm].
 * Returns the new name (malloc'd) or NULL with *cause.
 */
static char *
move_aside(const char *path, char **cause)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%S", &tm);

	char *dst = xasprintf("%s.corrupt-%s", path, ts);
	for (int i = 2; access(dst, F_OK) == 0 && i < 1000; i++) {
		free(dst);
		dst = xasprintf("%s.corrupt-%s-%d", path, ts, i);
	}
	if (rename(path, dst) != 0) {
		*cause = xasprintf("cache %s: cannot move the damaged file aside: %s", path,
		    strerror(errno));
		free(dst);
		return NULL;
	}
	static const char *const sfx[] = { "-wal", "-shm" };
	for (size_t i = 0; i < OD_ARRAY_LEN(sfx); i++) {
		char *a = xasprintf("%s%s", path, sfx[i]);
		char *b = xasprintf("%s%s", dst, sfx[i]);
		if (rename(a, b) != 0 && errno != ENOENT)
			unlink(a);	/* never let a stale WAL meet the new file */
		free(a);
		free(b);
	}
	return dst;
}

/* ---- open, migrate, close ----------------------------------------------- */

static int
pragma_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Applies every migration above the file's version, one transaction each. */
static int
store_migrate(struct store *st, char **cause)
{
	int64_t v0 = 0;
	if (pragma_int(st, "PRAGMA user_version", &v0) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read the schema version");
		return -1;
	}
	for (size_t i = 0; i < OD_ARRAY_LEN(migrations); i++) {
		int64_t v;
		if (v0 >= migrations[i].version)
			continue;
		int rc = store_exec(st, "BEGIN IMMEDIATE");
		if (rc != SQLITE_OK) {
			*cause = store_errmsg(st, "cannot start the schema upgrade");
			return -1;
		}
		/* Read inside the write lock: another process may have upgraded it. */
		rc = pragma_int(st, "PRAGMA user_version", &v);
		if (rc == SQLITE_OK && v < migrations[i].version) {
			rc = store_exec(st, migrations[i].sql);
			if (rc == SQLITE_OK && migrations[i].fn != NULL)
				rc = migrations[i].fn(st);
			if (rc == SQLITE_OK) {
				char sql[64];
				snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
				    migrations[i].version);
				rc = store_exec(st, sql);
			}
			if (rc == SQLITE_OK && i == 0) {
				char *sql = sqlite3_mprintf("INSERT INTO meta VALUES "
				    "('created_ms', '%lld')", (long long)now_wall_ms());
				rc = store_exec(st, sql);
				sqlite3_free(sql);
			}
		}
		if (rc != SQLITE_OK) {
			char *what = xasprintf("cannot upgrade the schema to version %d",
			    migrations[i].version);
			*cause = store_errmsg(st, what);
			free(what);
			store_exec(st, "ROLLBACK");
			return -1;
		}
		if (store_exec(st, "COMMIT") != SQLITE_OK) {
			*cause = store_errmsg(st, "cannot commit the schema upgrade");
			store_exec(st, "ROLLBACK");
			return -1;
		}
	}
	return 0;
}

static void
store_free_struct(struct store *st)
{
	for (int i = 0; i < SQ_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	if (st->inuse)
		store_inuse_del(st->dev, st->ino);
	smap_clear(&st->hosts);
	smap_clear(&st->metrics);
	store_open_chunks_clear(st);
	store_pending_free(st);
	if (st->lock_fd >= 0) {
		if (ftruncate(st->lock_fd, 0) != 0) {
			/* the stale pid in it is harmless: the flock is what counts */
		}
		close(st->lock_fd);
	}
	free(st->fail_msg);
	free(st->warning);
	free(st->path);
	free(st);
}

/* Result of one attempt to open the database file. */
enum open_result { OPEN_OK, OPEN_FAILED, OPEN_CORRUPT };

/*
 * A WAL reader needs PATH-shm. When no writer runs (no PATH-wal with frames)
 * and the reader may not create the -shm (a directory it cannot write),
 * the file cannot change under it: open it immutable instead. Returns 1
 * when st->db was reopened that way.
 */
static int
reopen_immutable(struct store *st)
{
	char *wal = xasprintf("%s-wal", st->path);
	struct stat sb;
	int writer = stat(wal, &sb) == 0 && sb.st_size > 0;
	free(wal);
	if (writer)
		return 0;

	struct buf uri;
	buf_init(&uri, 0);
	buf_printf(&uri, "file:");
	for (const unsigned char *p = (const unsigned char *)st->path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p) != NULL)
			buf_append(&uri, p, 1);
		else
			buf_printf(&uri, "%%%02X", *p);
	}
	buf_printf(&uri, "?immutable=1");
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(buf_cstr(&uri), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOMUTEX, NULL);
	buf_free(&uri);
	if (rc != SQLITE_OK) {
		sqlite3_close_v2(db);
		return 0;
	}
	sqlite3_close_v2(st->db);
	st->db = db;
	sqlite3_extended_result_codes(st->db, 1);
	return 1;
}

static enum open_result
open_db(struct store *st, char **cause)
{
	int ro = (st->flags & STORE_READONLY) != 0;
	int oflags = (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
	    SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(st->path, &st->db, oflags, ro ? NULL : store_writer_vfs());

	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot open");
		return OPEN_FAILED;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);

	/* The first read of the header and schema tells a foreign file. */
	int64_t version = 0, ntables = 0;
	rc = pragma_int(st, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = pragma_int(st, "SELECT count(*) FROM sqlite_master", &ntables);
	if (rc != SQLITE_OK && ro && reopen_immutable(st)) {
		rc = pragma_int(st, "PRAGMA user_version", &version);
		if (rc == SQLITE_OK)
			rc = pragma_int(st, "SELECT count(*) FROM sqlite_master", &ntables);
	}
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
		*cause = xstrdup(sqlite3_errmsg(st->db));
		return OPEN_CORRUPT;
	}
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read");
		return OPEN_FAILED;
	}
	if (version > STORE_SCHEMA_VERSION) {
		*cause = xasprintf("cache %s has schema version %lld, newer than this "
		    "opsdeck (%d); upgrade opsdeck or use --cache", st->path,
		    (long long)version, STORE_SCHEMA_VERSION);
		return OPEN_FAILED;
	}
	if (version == 0 && ntables > 0) {
		*cause = xstrdup("not an opsdeck cache: tables but no schema version");
		return OPEN_CORRUPT;
	}
	if (ro) {
		if (version == 0) {
			*cause = xasprintf("cache %s has no data yet (no collector has "
			    "written it)", st->path);
			return OPEN_FAILED;
		}
		if (version < STORE_SCHEMA_VERSION) {
			*cause = xasprintf("cache %s has schema version %lld, older than "
			    "this opsdeck (%d); run a collector once to upgrade it",
			    st->path, (long long)version, STORE_SCHEMA_VERSION);
			return OPEN_FAILED;
		}
		return OPEN_OK;
	}

	char jm[16] = "";
	sqlite3_stmt *s;
	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			od_strlcpy(jm, (const char *)sqlite3_column_text(s, 0), sizeof jm);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
	}
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
		*cause = xstrdup(sqlite3_errmsg(st->db));
		return OPEN_CORRUPT;
	}
	if (rc != SQLITE_OK || strcmp(jm, "wal") != 0) {
		*cause = rc != SQLITE_OK ? store_errmsg(st, "cannot switch to WAL mode") :
		    xasprintf("cache %s: cannot switch to WAL mode (journal mode %s)",
		    st->path, jm);
		return OPEN_FAILED;
	}
	store_exec(st, "PRAGMA synchronous = NORMAL");
	store_exec(st, "PRAGMA journal_size_limit = 67108864");
	/*
	 * A tick writes about 1.5 pages a host it carries (its open chunk, a
	 * share of the hosts and sensors pages): 750 at 1,000 hosts at 1 s
	 * (two ticks a second), 1,500 at 10,000 at 10 s. Checkpoint every few
	 * ticks, not each. The page cache holds a tick's pages and the
	 * b-trees' inner ones: 8 MiB. 16 MiB only filled (the collector's
	 * resident memory at 1,000 hosts after 2 minutes, 85.5 MiB against
	 * 78.4) and saved 140 of 3,000 page reads and writes a second
	 * (strace -c; docs/PERFORMANCE.md).
	 */
	store_exec(st, "PRAGMA wal_autocheckpoint = 8192");
	store_exec(st, "PRAGMA cache_size = -8192");
	store_exec(st, "PRAGMA temp_store = MEMORY");
	if (store_migrate(st, cause) != 0) {
		int e = sqlite3_extended_errcode(st->db) & 0xff;
		if (e == SQLITE_CORRUPT || e == SQLITE_NOTADB) {
			free(*cause);
			*cause = xstrdup(sqlite3_errmsg(st->db));
			return OPEN_CORRUPT;
		}
		return OPEN_FAILED;
	}
	return OPEN_OK;
}

/* Creates path 0600 when absent (SQLite would use 0644 less the umask). */
static int
precreate(const char *path, char **cause)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	*cause = xasprintf("cache %s: cannot create: %s", path, strerror(errno));
	return -1;
}

static void
add_warning(struct store *st, char *msg)
{
	if (st->warning == NULL) {
		st->warning = msg;
	} else {
		char *w = xasprintf("%s; %s", st->warning, msg);
		free(st->warning);
		free(msg);
		st->warning = w;
	}
}

/*
 * Opens (creating when allowed) the cache at path. flags: STORE_READONLY,
 * STORE_WRITER (takes PATH.lock). A file that is not an SQLite database, or
 * is damaged, is moved aside as PATH.corrupt-TIMESTAMP (with its -wal and
 * -shm) unless read-only, and a new cache started; store_warning() then says
 * so. Returns 0 and *out (caller closes), or -1 with *cause.
 */
int
store_open(const char *path, int flags, struct store **out, char **cause)
{
	struct store *st = xcalloc(1, sizeof *st);
	int ro = (flags & STORE_READONLY) != 0;

	st->path = xstrdup(path);
	st->flags = flags;
	st->lock_fd = -1;
	if (ro && (flags & STORE_WRITER))
		fatal("store_open: STORE_READONLY and STORE_WRITER together");

	if (ro) {
		struct stat sb;
		if (stat(path, &sb) != 0) {
			*cause = errno == ENOENT ?
			    xasprintf("cache %s does not exist (no collector has written it yet)",
			    path) : xasprintf("cache %s: %s", path, strerror(errno));
			goto fail;
		}
	} else {
		char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			if (mkdir_p(dir, 0700) != 0) {
				*cause = xasprintf("cache %s: cannot create directory %s: %s",
				    path, dir, strerror(errno));
				free(dir);
				goto fail;
			}
		}
		free(dir);
	}
	char *loose = store_tighten(path);
	if (loose != NULL)
		add_warning(st, loose);
	if (flags & STORE_WRITER) {
		st->lock_fd = store_lock_take(path, cause);
		if (st->lock_fd < 0)
			goto fail;
	}

	for (int attempt = 0;; attempt++) {
		const char *why = NULL;
		struct stat sb;
		/* Open here already: no check, no move (see store_inuse.c). */
		int held = stat(path, &sb) == 0 && store_inuse_has(sb.st_dev, sb.st_ino);
		if (!held && file_check(path, &why)) {
			if (ro) {
				*cause = xasprintf("cache %s is damaged (%s)", path, why);
				goto fail;
			}
			char *moved = move_aside(path, cause);
			if (moved == NULL)
				goto fail;
			add_warning(st, xasprintf("cache %s was damaged (%s); moved it to %s "
			    "and started a new cache", path, why, moved));
			free(moved);
		}
		if (!ro && precreate(path, cause) != 0)
			goto fail;
		char *err = NULL;
		enum open_result r = open_db(st, &err);
		if (r == OPEN_OK)
			break;
		for (int i = 0; i < SQ_COUNT; i++) {
			sqlite3_finalize(st->stmt[i]);
			st->stmt[i] = NULL;
		}
		sqlite3_close_v2(st->db);
		st->db = NULL;
		if (r == OPEN_FAILED) {
			*cause = err;
			goto fail;
		}
		if (ro || held || attempt > 0) {
			*cause = xasprintf("cache %s is damaged (%s)", path, err);
			free(err);
			goto fail;
		}
		char *moved = move_aside(path, cause);
		if (moved == NULL) {
			free(err);
			goto fail;
		}
		add_warning(st, xasprintf("cache %s was damaged (%s); moved it to %s and started "
		    "a new cache", path, err, moved));
		free(err);
		free(moved);
	}
	struct stat sb;
	if (stat(path, &sb) == 0) {
		st->inuse = 1;
		st->dev = sb.st_dev;
		st->ino = sb.st_ino;
		store_inuse_add(st->dev, st->ino);
	}
	*out = st;
	return 0;
fail:
	store_free_struct(st);
	return -1;
}

/*
 * Closes the cache. An open transaction is committed (a final tick) when it
 * is alive, else rolled back. Safe with NULL.
 */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_tx) {
		char *cause = NULL;
		if (store_commit(st, &cause) != 0)
			free(cause);
	}
	store_free_struct(st);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

const char *
store_warning(const struct store *st)
{
	return st->warning;
}

void
store_set_busy_ms(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

int
store_last_busy(struct store *st)
{
	return st->db != NULL && (sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_BUSY;
}
