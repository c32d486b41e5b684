/*
 * yamltree.h: a small positioned YAML node tree for the schema-checked
 * files (the configuration, the budget plan).
 *
 * yamltree_parse() runs libyaml's event parser over bytes and a length and
 * builds a tree of struct ynode with 1-based line and column, refusing what
 * those files do not need and what can hurt: anchors and aliases (cycles,
 * billion laughs), nesting deeper than the caller's limit (libyaml's cost
 * grows with the square of the depth, so depth is counted over events and
 * parsing stops at the limit), scalars longer than the caller's limit or
 * holding a NUL byte, and more than one document. Every problem is added to
 * a struct diag (diag.h) instead of stopping at the first.
 *
 * The rest are the helpers the schema walkers share: map lookup, the
 * did-you-mean suggestion, the unknown/duplicate key check, a printable
 * rendering of a scalar for messages, and sorting a parse's errors into
 * file order. Everything here is pure: no I/O, no globals, no locale.
 */
#ifndef OPSDECK_YAMLTREE_H
#define OPSDECK_YAMLTREE_H

#include <stddef.h>

#include "opsdeck/diag.h"
#include "opsdeck/util.h"

struct yaml_parser_s;	/* libyaml's yaml_parser_t */

#define YAMLTREE_MAX_WORD	64	/* bytes of a word compared by yamltree_suggest */
#define YAMLTREE_SHOW_MAX	64	/* bytes of input yamltree_show renders */
#define YAMLTREE_SHOW_SIZE	(YAMLTREE_SHOW_MAX * 2 + 8)	/* a buffer that always fits */

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP, YN_BAD };

struct ynode {
	enum ynode_type	 type;
	int		 line, col;	/* 1-based */
	int		 plain;		/* scalar: written without quotes */
	int		 block;		/* scalar: a | or > block scalar */
	char		*s;		/* scalar value, NUL-terminated, owned */
	size_t		 len;
	struct ynode	**kids;		/* seq: items; map: key, value, key, value... */
	size_t		 nkids, cap;
};

/* Frees n and everything below it; NULL is fine. */
void yn_free(struct ynode *n);
/* A plain empty, "~", "null", "Null" or "NULL" scalar: YAML's null. */
int yn_is_null(const struct ynode *n);
/* "a map", "a list", "empty" (null) or "a string", for messages. */
const char *yn_type_name(const struct ynode *n);
/* The value of key in map m, or NULL (also when m is NULL or not a map). */
const struct ynode *yn_get(const struct ynode *m, const char *key);
/* Adds an error at n's position (no position when n is NULL). */
void yn_err(struct diag *d, const struct ynode *n, const char *fmt, ...) OD_PRINTF(3, 4);

/* Libyaml's error to d; the YAMLTREE_ERR_* flags choose the older forms. */
#define YAMLTREE_ERR_CONTEXT	0x1	/* "... (CONTEXT at line N)" on syntax errors */
#define YAMLTREE_ERR_READER_AT	0x2	/* reader errors as "at byte N" without a position */

struct yamltree_limits {
	int		 max_depth;	/* sequences and maps open at once, >= 1 */
	size_t		 max_string;	/* bytes in one scalar */
	size_t		 max_nodes;	/* scalars, lists and maps; 0: no limit */
	int		 allow_nul;	/* a scalar may hold NUL bytes (s has len bytes;
					   the caller sanitises), not an error */
	const char	*one_document;	/* ends "more than one YAML document; ..." */
	unsigned	 errors;	/* YAMLTREE_ERR_* */
	/*
	 * Renders an anchor or alias name for a message into a buffer show
	 * owns, valid for a few more calls; NULL: yamltree_show.
	 */
	const char	*(*show)(void *arg, const char *s, size_t len);
	void		*show_arg;
};

/*
 * Parses len bytes of text (no NUL needed) into a node tree. Returns the
 * root, which the caller frees with yn_free(), or NULL for an empty stream;
 * sets *failed when the document could not be read to its end (a syntax
 * error, too deep, more nodes than lim->max_nodes, more than one document). Anchors, aliases, long strings
 * and NUL bytes are errors that do not stop the parse: the node involved
 * becomes YN_BAD or stays as it is. Every error goes to d.
 */
struct ynode *yamltree_parse(const char *text, size_t len, const struct yamltree_limits *lim,
    struct diag *d, int *failed);

/*
 * Adds the error of a failed yaml_parser_parse() to d at its 1-based
 * position; text and len are the input, for reader errors, which carry a
 * byte offset instead of a mark. flags: YAMLTREE_ERR_*.
 */
void yamltree_yaml_error(struct diag *d, const struct yaml_parser_s *parser, const char *text,
    size_t len, unsigned flags);

/* Index of s in the NULL-terminated words[], or -1. */
int yamltree_word_index(const char *s, const char *const *words);
/*
 * Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), case-insensitive, on at most YAMLTREE_MAX_WORD bytes of each.
 */
size_t yamltree_distance(const char *a, const char *b);
/* The closest of words[] to s when close enough to be a likely typo, else NULL. */
const char *yamltree_suggest(const char *s, const char *const *words);
/* "a, b, c" (last_sep before the last word) into out; returns out. */
const char *yamltree_join(char *out, size_t size, const char *const *words, const char *last_sep);
/*
 * A printable rendering of s (len bytes) for a message into out (at least
 * YAMLTREE_SHOW_SIZE bytes), cut to about YAMLTREE_SHOW_MAX bytes: a
 * backslash, invalid UTF-8 and every byte of a character unicode_unsafe()
 * names (controls, DEL, bidi, zero-width, ...) become \xNN.
 */
const char *yamltree_show(char *out, const char *s, size_t len);

/* What yamltree_keys found wrong with one key. */
enum yamltree_key_problem {
	YAMLTREE_KEY_NOT_STRING,	/* a map or list as a key */
	YAMLTREE_KEY_UNKNOWN,		/* not among the words */
	YAMLTREE_KEY_DUPLICATE,		/* a key given again */
};

struct yamltree_key_issue {
	enum yamltree_key_problem problem;
	const struct ynode *key;
	const struct ynode *first;	/* DUPLICATE: where the key was first given */
	const char	*suggestion;	/* UNKNOWN: the closest word, or NULL */
	const char	*where;		/* the caller's phrase */
	const char *const *words;
};

struct yamltree_keys_style {
	const char	*file;		/* "first at FILE:L:C"; NULL: d->file */
	int		 suggest;	/* look for a suggestion for unknown keys */
	int		 skip_bad_values; /* a pair whose value is YN_BAD is not used */
	/* The caller's wording: a malloc'd message; NULL: the standard one. */
	char		*(*message)(void *arg, const struct yamltree_key_issue *issue);
	void		*arg;
};

/*
 * Checks the keys of map m: each must be a string, among words[]
 * (NULL-terminated) and not repeated. `where` is the phrase that places the
 * map ("in group", "at top level"). Each problem goes to d at the key, in
 * the standard wording unless style->message says otherwise:
 *   a key WHERE must be a string, not a list
 *   unknown key 'K' WHERE; did you mean 'S'?
 *   unknown key 'K' WHERE; expected one of: a, b, c
 *   duplicate key 'K' (first at FILE:L:C)
 * style may be NULL (suggestions on, d->file). Past DIAG_MAX errors no
 * suggestion is looked for. Returns a malloc'd array of m->nkids/2 + 1 flags
 * the caller frees: 1 for a pair to use, 0 for one already reported.
 */
char *yamltree_keys(const struct ynode *m, const char *const *words, const char *where,
    const struct yamltree_keys_style *style, struct diag *d);

/* Sorts d's entries from index `from` by line and column, keeping equal ones in order. */
void yamltree_sort_diag(struct diag *d, size_t from);

#endif
