/*
 * action.h: what an operator does to hosts from the console (`S`, `:run`,
 * `:drain`, `:resume`), as records in the cache, and the pure helpers that
 * build a remote command line from what the operator typed.
 *
 * A record says who (the local user), when, what (the kind and the command
 * or reason), on which hosts, through which host (a Slurm head node for
 * drain and resume, else "") and each host's result: an exit status, or why
 * there is none ("cancelled", "timeout after 60s", "connection refused ...").
 * The console writes a record when the action starts (results "running")
 * and again when it ends, under the same id, through the one writer
 * (action_log.c, as acks.h: its collector's tick, or --offline a short
 * write that never waits more than ACK_WAIT_MS). Tables `actions` and
 * `action_hosts`, schema version 4 (store.c).
 */
#ifndef OPSDECK_ACTION_H
#define OPSDECK_ACTION_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/hostlist.h"

struct store;
struct ack_outbox;
struct publish_write;

enum action_kind { ACTION_SSH, ACTION_RUN, ACTION_DRAIN, ACTION_RESUME, ACTION_KIND_COUNT };

#define ACTION_WHAT_MAX		1024	/* bytes of the command or reason kept */
#define ACTION_RESULT_MAX	200	/* bytes of one host's result */
#define ACTION_USER_MAX		64
#define ACTION_REASON_MAX	200	/* :drain REASON, bytes */
#define ACTION_NODE_MAX		64	/* a Slurm node name, bytes */
#define ACTION_HOSTS_MAX	4096	/* hosts one action may name */

/* One host's part of an action. */
struct action_host {
	char		 host[HOSTNAME_MAX + 1];
	int		 status;	/* exit status; -1: none (see result) */
	char		 result[ACTION_RESULT_MAX];	/* "exit 0", "running", "cancelled", ... */
};

struct action_record {
	int64_t		 id;		/* chosen by the console (random), the key */
	int64_t		 ts_ms;		/* wall clock, when it was confirmed */
	int64_t		 end_ms;	/* when it ended; 0: running */
	char		 user[ACTION_USER_MAX];
	enum action_kind kind;
	char		 what[ACTION_WHAT_MAX];
	char		 via[HOSTNAME_MAX + 1];	/* the head node of drain/resume, else "" */
	struct action_host *hosts;	/* owned (action_record_free) */
	size_t		 nhosts;
};

/* "ssh", "run", "drain", "resume"; "?" out of range. */
const char *action_kind_name(enum action_kind k);
/* The kind of a name, or -1. */
int action_kind_parse(const char *s);
/* A deep copy of r into out. */
void action_record_copy(struct action_record *out, const struct action_record *r);
void action_record_free(struct action_record *r);
/* A fresh random id (> 0) for a record. */
int64_t action_new_id(void);

/* ---- building remote command lines (action.c; pure) ------------------- */

/*
 * s in single quotes for a POSIX shell, every ' written '\'' : "'it'\''s'".
 * malloc'd, caller frees.
 */
char *action_sh_quote(const char *s);
/*
 * 1 when s may be a Slurm node name on a remote command line: 1 to
 * ACTION_NODE_MAX bytes of [A-Za-z0-9._-], not starting with '-' or '.'.
 */
int action_node_name_ok(const char *s);
/*
 * Checks a drain reason: not empty, at most ACTION_REASON_MAX bytes, valid
 * UTF-8 with no control, format or other unsafe character (unicode.h).
 * 0, or -1 with a malloc'd *cause.
 */
int action_reason_check(const char *s, char **cause);
/*
 * "scontrol update NodeName=a,b State=DRAIN Reason='...'" (drain) or
 * "scontrol update NodeName=a,b State=RESUME" for nodes[0..n), each checked
 * with action_node_name_ok, the reason with action_reason_check and quoted
 * with action_sh_quote. malloc'd, or NULL with a malloc'd *cause naming
 * the first bad node or what is wrong with the reason.
 */
char *action_scontrol_command(const char *const *nodes, size_t n, int drain,
	    const char *reason, char **cause);

/* ---- the cache (src/store/action_store.c) ------------------------------ */

/*
 * Writes r (insert or replace by r->id, its hosts with it) in st's open
 * tick or a unit of its own. Text is cut to the fields' sizes; every value
 * is bound. 0 or -1 with *cause.
 */
int action_store_put(struct store *st, const struct action_record *r, char **cause);
/*
 * The newest max actions that name host, newest first, each with only
 * host's own result in hosts[0] (nhosts 1). *out is the caller's
 * (action_records_free). 0, or -1 with *cause; a cache without the tables
 * gives none.
 */
int action_store_recent(struct store *st, const char *host, size_t max,
	    struct action_record **out, size_t *n, char **cause);
void action_records_free(struct action_record *v, size_t n);

/* ---- through the one writer (src/publish/action_log.c) ----------------- */

/*
 * A publish_write for r (copied) for the console's collector
 * (collector_submit); a failure is reported in box (acks.h), success is
 * silent. When the submit is refused, call action_write_refused(w).
 */
void action_write(const struct action_record *r, struct ack_outbox *box,
	    struct publish_write *w);
void action_write_refused(struct publish_write *w);
/*
 * --offline: one short write of r into the cache at path that waits at most
 * wait_ms for another writer's lock. 0 written, 1 busy (nothing written;
 * *cause names the holder), -1 with *cause.
 */
int action_write_now(const char *path, const struct action_record *r, int wait_ms,
	    char **cause);

#endif
