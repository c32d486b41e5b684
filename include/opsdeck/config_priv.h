/*
 * config_priv.h: what the files of the config parser share (not for other
 * modules; they use config.h).
 *
 * config.c walks the tree (top level, defaults, groups, hosts, probes,
 * retention), config_thresholds.c the thresholds with their metric checks,
 * config_value.c reads scalars (strings, paths, integers, durations,
 * numbers, booleans, choices) and applies a row of the key table
 * (config_keys.h) to the struct of its place. All of them add every problem
 * to x->d at the node's FILE:LINE:COL and go on.
 */
#ifndef OPSDECK_CONFIG_PRIV_H
#define OPSDECK_CONFIG_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/diag.h"
#include "opsdeck/yamltree.h"

struct seen_host {
	const char	*name;		/* borrowed from the config */
	int		 line, col;
};

/* One parse. */
struct cfg {
	const char	*name;		/* file name for "first at FILE:L:C" */
	struct diag	*d;
	struct config	*c;
	const char	*home;		/* $HOME for "~/", or NULL */
	struct seen_host *seen;		/* open-addressing set of host names */
	size_t		 seencap, nseen;
	size_t		 nexpanded;	/* names from all patterns, duplicates too */
	int		 hosts_over;	/* CONFIG_MAX_HOSTS reported */
	char		 show[4][160];	/* cfg_show() buffers, used round-robin */
	int		 nshow;
};

/* yamltree_show() of s (len bytes) into x's buffers: valid until four more calls. */
const char *cfg_show_bytes(struct cfg *x, const char *s, size_t len);
/* cfg_show_bytes of scalar n. */
const char *cfg_show(struct cfg *x, const struct ynode *n);
/* "a, b or c" of words[] into x's buffers (valid until four more calls). */
const char *cfg_join(struct cfg *x, const char *const *words, const char *last_sep);

/*
 * `hosts` of group g (node v): a pattern or a list of patterns and maps of
 * host and address (config_hosts.c), appended to g->hosts; errors to x->d.
 */
void cfg_hosts(struct cfg *x, struct group *g, const struct ynode *v);

/*
 * Checks the keys of map m against the key table's names for `place` (one
 * CONFIG_AT_* bit), with a did-you-mean. Returns a malloc'd array of
 * m->nkids/2 flags the caller frees: 1 for a pair to use, 0 for one already
 * reported. `where` is "in group", "at top level", ...
 */
char *cfg_keys(struct cfg *x, const struct ynode *m, const char *where, unsigned place);
/*
 * The row of the key of pair i of map m at place: never NULL for a pair
 * cfg_keys() let through.
 */
const struct config_key *cfg_row(const struct ynode *m, size_t i, unsigned place);

/*
 * Reads v as the row's type into the field the row names in `base` (the
 * struct of the place: see struct config_key), recording the position and
 * the seen flag when the row has them. Only for rows whose type sets a field
 * (CONFIG_T_STRING .. CONFIG_T_CHOICE). Returns 0, or -1 after adding an
 * error (or when v is YN_BAD, already reported).
 */
int cfg_set(struct cfg *x, const struct config_key *k, const struct ynode *v, void *base);

/*
 * Scalar readers: each reads v as the value of `key` into *out, or adds an
 * error naming key and returns -1 (v of type YN_BAD: -1, already reported).
 * cfg_string refuses null, empty and control characters and replaces (and
 * frees) *out; cfg_path is cfg_string with a leading "~/" expanded.
 */
int cfg_string(struct cfg *x, const char *key, const struct ynode *v, char **out);
int cfg_path(struct cfg *x, const char *key, const struct ynode *v, char **out);
/* An integer from lo to hi. */
int cfg_int(struct cfg *x, const char *key, const struct ynode *v, long lo, long hi, int *out);
/* A duration (500ms, 2s, 5m) of at least min_ms. */
int cfg_duration(struct cfg *x, const char *key, const struct ynode *v, int64_t min_ms,
    int64_t *out);
/* A decimal number, without the locale. */
int cfg_number(struct cfg *x, const char *key, const struct ynode *v, double *out);
/* true or false (also True, TRUE, False, FALSE): 1 or 0 into *out. */
int cfg_bool(struct cfg *x, const char *key, const struct ynode *v, int *out);
/* One of words[]: returns its index, or -1 after an error with a did-you-mean. */
int cfg_choice(struct cfg *x, const char *key, const struct ynode *v, const char *const *words);
/*
 * Whether v is a map (1). Null is an empty optional map: 0 without an error;
 * anything else is 0 with "'KEY' must be a map of WHAT".
 */
int cfg_is_map(struct cfg *x, const char *key, const struct ynode *v, const char *what);

/* `thresholds` (config_thresholds.c): into x->c->thresholds in file order. */
void cfg_thresholds(struct cfg *x, const struct ynode *v);

#endif
