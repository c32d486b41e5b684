/*
 * promapi.h: pure readers of the Prometheus HTTP API for groups of kind
 * prometheus (source_prom.c does the HTTP). Bytes in, records out: an
 * instant-vector answer of /api/v1/query into samples (promapi_parse_vector),
 * the PromQL asked for each figure (promapi_query), and samples into one
 * struct host_status per instance (struct prom_fleet).
 *
 * Everything from the server is untrusted: the body is capped
 * (PROMAPI_MAX_BYTES), its nesting bounded before yajl sees it (yajl_tree
 * frees recursively), label values sanitised and cut, samples capped.
 */
#ifndef OPSDECK_PROMAPI_H
#define OPSDECK_PROMAPI_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/hoststate.h"

#define PROMAPI_MAX_BYTES	(16 * 1024 * 1024)	/* one answer */
#define PROMAPI_MAX_DEPTH	32			/* JSON nesting */
#define PROMAPI_MAX_SAMPLES	200000			/* samples in one answer */

struct prom_sample {
	char	 instance[HOSTNAME_MAX + 1];	/* sanitised; "" when absent */
	char	 gpu[16];			/* dcgm-exporter's labels */
	char	 uuid[PROBE_NAME_MAX];
	char	 model[PROBE_NAME_MAX];
	double	 value;				/* NaN and infinities kept */
};

struct prom_vector {
	struct prom_sample *v;
	size_t	 n;
};

/*
 * Reads an /api/v1/query answer (len bytes, need not be NUL-terminated):
 * 0 with the samples of its instant vector, or -1 with *cause: the
 * server's own error ("bad_data: ..."), or what is wrong with the JSON.
 * *out is empty on failure; free with prom_vector_free.
 */
int  promapi_parse_vector(const char *data, size_t len, struct prom_vector *out,
	    char **cause);
void prom_vector_free(struct prom_vector *v);

/* ---- range answers (/api/v1/query_range), for the Detail graphs ---------- */

#define PROMAPI_MAX_POINTS	100000		/* points in one answer, all series */

struct prom_point {
	int64_t	 ts_ms;
	double	 value;				/* NaN and infinities kept */
};

struct prom_series {
	char	 instance[HOSTNAME_MAX + 1];	/* sanitised; "" when absent */
	char	 gpu[16];
	struct prom_point *pts;			/* in time order */
	size_t	 n;
};

struct prom_matrix {
	struct prom_series *s;
	size_t	 n;
	size_t	 bad;		/* points or series that were not, or past the cap */
};

/*
 * Reads an /api/v1/query_range answer like promapi_parse_vector: 0 with
 * its series (a bad point or series costs only itself, counted in bad;
 * points past PROMAPI_MAX_POINTS are dropped and counted), or -1 with
 * *cause. Free with prom_matrix_free.
 */
int  promapi_parse_matrix(const char *data, size_t len, struct prom_matrix *out,
	    char **cause);
void prom_matrix_free(struct prom_matrix *m);

/* The graphs of one host. */
enum prom_graph { PG_CPU, PG_MEM, PG_GPU_UTIL, PG_COUNT };

/*
 * The PromQL of graph g for one instance (from the server: quoted here,
 * never trusted) of a group with selector sel (as promapi_query), rates
 * over at least two steps of step_s seconds. GPUs: dcgm-exporter's series
 * whose instance is the same address on any port. Malloc'd.
 */
char *promapi_graph_query(enum prom_graph g, const char *sel, const char *instance,
	    int64_t step_s);

/* What one query asks; the order of the poll. */
enum prom_field {
	PF_UP, PF_CPU, PF_CORES, PF_MEM_TOTAL, PF_MEM_AVAIL, PF_SWAP_TOTAL, PF_SWAP_FREE,
	PF_LOAD1, PF_LOAD5, PF_LOAD15, PF_UPTIME, PF_NET_RX, PF_NET_TX, PF_DISK_READ,
	PF_DISK_WRITE, PF_GPU_UTIL, PF_GPU_FB_USED, PF_GPU_FB_FREE, PF_GPU_TEMP,
	PF_GPU_POWER, PF_COUNT
};

/*
 * The PromQL for field f with selector sel ("{label matchers}" or NULL:
 * the instances of every job that has node_exporter's node_uname_info).
 * GPU fields ignore the selector: dcgm-exporter runs as a job of its own,
 * and its series join a host by instance (or by its address without the
 * port). Malloc'd.
 */
char *promapi_query(enum prom_field f, const char *sel);

/* Instances being gathered from one poll's answers. */
struct prom_fleet {
	struct host_status *hosts;	/* one per instance of `up`, in its order */
	size_t		 n;
	size_t		 over;		/* instances past the cap, not kept */
	size_t		*index;		/* open addressing over hosts by name */
	size_t		 nindex;
	struct prom_pending *pending;	/* per host: figures that need another */
};
struct prom_pending {
	uint64_t	 mem_avail, swap_free;
	int		 have_avail, have_swap_free;
	uint64_t	 gpu_free_known;	/* bit i: gpus[i]'s free framebuffer came */
};

/*
 * Starts a fleet from the answer to PF_UP: at most max instances, each a
 * status of group `group`, state up (up == 1) or down; sample_ms is the
 * sample time. keep (may be NULL) says whether an instance belongs to
 * this collector (its shard).
 */
void prom_fleet_init(struct prom_fleet *fl, const struct prom_vector *up, size_t max,
	    const char *group, int64_t sample_ms, int (*keep)(const char *name, void *arg),
	    void *arg);
/* Files the answer to field f into the instances it names; others are ignored. */
void prom_fleet_apply(struct prom_fleet *fl, enum prom_field f, const struct prom_vector *v);
/* Derives what needs two fields (memory used, swap used). */
void prom_fleet_finish(struct prom_fleet *fl);
void prom_fleet_free(struct prom_fleet *fl);

#endif
