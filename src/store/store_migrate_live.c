/*
 * store_migrate_live.c: the schema steps that gather a host's per-item rows
 * into its host_live row (hostlive.h): step 6, the rows of host_gpus and
 * host_sensors (schema 1 to 5); step 8, those of host_gpu_procs (5 to 7).
 * Each runs inside store_migrate's transaction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

static void
read_gpu_row(sqlite3_stmt *s, struct gpu_sample *g)
{
	memset(g, 0, sizeof *g);
	g->index = sqlite3_column_int(s, 1);
	store_column_field(s, 2, g->uuid, sizeof g->uuid);
	store_column_field(s, 3, g->name, sizeof g->name);
	g->util_pct = store_column_real(s, 4);
	g->mem_util_pct = store_column_real(s, 5);
	g->mem_used_bytes = sqlite3_column_int64(s, 6);	/* -1: not available */
	g->mem_total_bytes = sqlite3_column_int64(s, 7);
	g->temp_c = store_column_real(s, 8);
	g->power_w = store_column_real(s, 9);
	g->power_limit_w = store_column_real(s, 10);
	g->ecc_uncorrected = sqlite3_column_int64(s, 11);
	g->throttle_reasons = store_bits_u64(sqlite3_column_int64(s, 12));
}

static void
read_proc_row(sqlite3_stmt *s, struct gpu_proc *p)
{
	memset(p, 0, sizeof *p);
	p->gpu = sqlite3_column_int(s, 1);
	p->pid = sqlite3_column_int(s, 2);
	store_column_field(s, 3, p->user, sizeof p->user);
	store_column_field(s, 4, p->job, sizeof p->job);
	store_column_field(s, 5, p->name, sizeof p->name);
	p->mem_used_bytes = sqlite3_column_int64(s, 6);	/* -1: not available */
}

static void
read_sensor_row(sqlite3_stmt *s, struct sensor_sample *x)
{
	memset(x, 0, sizeof *x);
	store_column_field(s, 1, x->name, sizeof x->name);
	x->value = store_column_real(s, 2);
	store_column_field(s, 3, x->unit, sizeof x->unit);
	store_column_field(s, 4, x->status, sizeof x->status);
	int level = sqlite3_column_int(s, 5);
	x->level = level >= 0 && level <= SENSOR_OTHER ? (enum sensor_status)level :
	    SENSOR_OTHER;
	store_column_field(s, 6, x->state, sizeof x->state);
}

/* The per-host child tables read_children reads. */
enum child { CHILD_SENSORS, CHILD_GPUS, CHILD_PROCS };

/*
 * Reads the rows of a per-host child table (GPUs, their processes or
 * sensors, ordered by host_id then slot) into each host's array, a run of
 * rows per host.
 */
static int
read_children(struct store *st, const char *sql, size_t elem, struct id_index *ix,
    size_t n, struct host_status *v, enum child gpus)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;

	char *run = NULL;
	size_t nrun = 0, caprun = 0;
	int64_t cur = -1;
	for (;;) {
		rc = sqlite3_step(s);
		int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
		if (id != cur && nrun > 0) {
			struct host_status *h = store_host_by_id(ix, n, v, cur);
			if (h != NULL) {
				void *arr = xreallocarray(NULL, nrun, elem);
				memcpy(arr, run, nrun * elem);
				if (gpus == CHILD_GPUS) {
					h->gpus = arr;
					h->ngpus = (int)nrun;
				} else if (gpus == CHILD_PROCS) {
					h->procs = arr;
					h->nprocs = (int)nrun;
				} else {
					h->sensors = arr;
					h->nsensors = (int)nrun;
				}
			}
			nrun = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		cur = id;
		if (nrun == caprun) {
			caprun = caprun ? caprun * 2 : 16;
			run = xreallocarray(run, caprun, elem);
		}
		if (gpus == CHILD_GPUS)
			read_gpu_row(s, (struct gpu_sample *)(void *)(run + nrun * elem));
		else if (gpus == CHILD_PROCS)
			read_proc_row(s, (struct gpu_proc *)(void *)(run + nrun * elem));
		else
			read_sensor_row(s, (struct sensor_sample *)(void *)(run + nrun * elem));
		nrun++;
	}
	free(run);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Schema 1 to 5's rows of GPUs and sensors, read_children's way. */
static const char gpus_v5_sql[] =
    "SELECT host_id, gpu_index, uuid, name, util_pct, mem_util_pct, mem_used_bytes,"
    " mem_total_bytes, temp_c, power_w, power_limit_w, ecc_uncorrected,"
    " throttle_reasons FROM host_gpus ORDER BY host_id, slot";
static const char sensors_v5_sql[] =
    "SELECT host_id, name, value, unit, status, level, state FROM host_sensors"
    " ORDER BY host_id, slot";

/*
 * Every host of the hosts table as an empty status in *v, by id in *ix
 * (sorted), for the schema steps. 0 or an SQLite rc; the caller frees both.
 */
static int
migrate_hosts(struct store *st, struct host_status **v, struct id_index **ix, size_t *nv)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT id FROM hosts ORDER BY id", -1, &s, NULL);

	*v = NULL;
	*ix = NULL;
	*nv = 0;
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = xreallocarray(*v, *nv + 1, sizeof **v);
		*ix = xreallocarray(*ix, *nv + 1, sizeof **ix);
		host_status_init(&(*v)[*nv]);
		(*ix)[*nv].id = sqlite3_column_int64(s, 0);
		(*ix)[*nv].idx = *nv;
		(*nv)++;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Writes the host_live row of each host of v that has any of live's records. */
static int
migrate_put_live(struct store *st, const struct host_status *v, const struct id_index *ix,
    size_t nv)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO host_live(host_id, data)"
	    " VALUES (?1, ?2)", -1, &s, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < nv; i++) {
		if (v[i].ngpus == 0 && v[i].nsensors == 0 && v[i].nprocs == 0)
			continue;
		size_t len;
		const struct host_live l = { v[i].gpus, v[i].ngpus, v[i].sensors, v[i].nsensors,
		    v[i].procs, v[i].nprocs };
		unsigned char *b = host_live_encode(&l, &len);
		sqlite3_bind_int64(s, 1, ix[i].id);
		sqlite3_bind_blob(s, 2, b, (int)len, free);
		rc = store_step_rc(s);
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * The end of a step that read into v (rc: how that went): each host's
 * host_live row written, v and ix freed, then drop (the old tables' SQL).
 */
static int
migrate_finish(struct store *st, struct host_status *v, struct id_index *ix, size_t nv,
    int rc, const char *drop)
{
	if (rc == SQLITE_OK)
		rc = migrate_put_live(st, v, ix, nv);
	store_free_hosts(v, nv);
	free(ix);
	return rc == SQLITE_OK ? store_exec(st, drop) : rc;
}

/*
 * Schema step 6: every host's rows of host_gpus and host_sensors into its
 * host_live row, then the two tables go. 0 or an SQLite rc.
 */
int
store_migrate_live(struct store *st)
{
	struct host_status *v;
	struct id_index *ix;
	size_t nv;
	int rc = migrate_hosts(st, &v, &ix, &nv);

	if (rc == SQLITE_OK)
		rc = read_children(st, gpus_v5_sql, sizeof(struct gpu_sample), ix, nv, v,
		    CHILD_GPUS);
	if (rc == SQLITE_OK)
		rc = read_children(st, sensors_v5_sql, sizeof(struct sensor_sample), ix, nv, v,
		    CHILD_SENSORS);
	return migrate_finish(st, v, ix, nv, rc, "DROP TABLE host_gpus; DROP TABLE host_sensors;");
}

/*
 * Schema step 8: every host's rows of host_gpu_procs join its host_live row
 * (format 1 read, format 2 written), then the table goes. A row that does
 * not decode is left as it is. 0 or an SQLite rc.
 */
int
store_migrate_procs(struct store *st)
{
	static const char procs_v7_sql[] =
	    "SELECT host_id, gpu_index, pid, user, job, name, mem_used_bytes"
	    " FROM host_gpu_procs ORDER BY host_id, slot";
	struct host_status *v;
	struct id_index *ix;
	size_t nv;
	int rc = migrate_hosts(st, &v, &ix, &nv);

	if (rc == SQLITE_OK)
		rc = store_read_live(st, ix, nv, v);
	if (rc == SQLITE_OK)
		rc = read_children(st, procs_v7_sql, sizeof(struct gpu_proc), ix, nv, v,
		    CHILD_PROCS);
	for (size_t i = 0; i < nv; i++)
		if (v[i].warnings != NULL || v[i].nprocs == 0)
			v[i].ngpus = v[i].nsensors = v[i].nprocs = 0;	/* not rewritten */
	return migrate_finish(st, v, ix, nv, rc, "DROP TABLE host_gpu_procs");
}
