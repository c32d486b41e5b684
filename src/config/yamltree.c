/*
 * yamltree.c: libyaml events to a positioned node tree, and the helpers the
 * schema walkers of config.c and budget.c share (yamltree.h).
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "opsdeck/unicode.h"
#include "opsdeck/yamltree.h"

/* ---- nodes ---------------------------------------------------------------- */

/* 1-based position of a libyaml mark, clamped to INT_MAX. */
static void
yamltree_mark_pos(yaml_mark_t m, int *line, int *col)
{
	*line = (int)OD_MIN(m.line + 1, (size_t)INT_MAX);
	*col = (int)OD_MIN(m.column + 1, (size_t)INT_MAX);
}

/* A new node of type t at mark m; caller frees with yn_free(). */
static struct ynode *
yn_new(enum ynode_type t, yaml_mark_t m)
{
	struct ynode *n = xcalloc(1, sizeof *n);
	n->type = t;
	yamltree_mark_pos(m, &n->line, &n->col);
	return n;
}

void
yn_free(struct ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		yn_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
}

/* Appends kid (now owned by parent) to parent's kids. */
static void
yn_append(struct ynode *parent, struct ynode *kid)
{
	if (parent->nkids == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 4;
		parent->kids = xreallocarray(parent->kids, parent->cap, sizeof *parent->kids);
	}
	parent->kids[parent->nkids++] = kid;
}

int
yn_is_null(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->plain &&
	    (n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
	    strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}

const char *
yn_type_name(const struct ynode *n)
{
	switch (n->type) {
	case YN_MAP:
		return "a map";
	case YN_SEQ:
		return "a list";
	default:
		return yn_is_null(n) ? "empty" : "a string";
	}
}

const struct ynode *
yn_get(const struct ynode *m, const char *key)
{
	if (m == NULL || m->type != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < m->nkids; i += 2)
		if (m->kids[i]->type == YN_SCALAR && strcmp(m->kids[i]->s, key) == 0)
			return m->kids[i + 1];
	return NULL;
}

void
yn_err(struct diag *d, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(d, n != NULL ? n->line : 0, n != NULL ? n->col : 0, "%s", msg);
	free(msg);
}

/* ---- messages ------------------------------------------------------------- */

/*
 * See yamltree.h. Writes at most YAMLTREE_SHOW_MAX + 3 bytes of rendering
 * (one \xNN may run 3 over) plus "..." and the NUL, within YAMLTREE_SHOW_SIZE.
 */
const char *
yamltree_show(char *out, const char *s, size_t len)
{
	size_t o = 0, i = 0;
	const unsigned char *u = (const unsigned char *)s;

	while (i < len && o < YAMLTREE_SHOW_MAX) {
		size_t clen = 1;
		int ok = 0;
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '\\') {
			ok = 1;
		} else if (u[i] >= 0x80) {
			uint32_t cp;
			clen = unicode_decode(s + i, len - i, &cp);
			ok = clen > 0 && !unicode_unsafe(cp);
			if (!ok)
				clen = 1;
		}
		if (ok) {
			memcpy(out + o, s + i, clen);
			o += clen;
		} else {
			o += (size_t)snprintf(out + o, 8, "\\x%02x", u[i]);
		}
		i += clen;
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* See yamltree.h; a list longer than size is cut (always NUL-terminated). */
const char *
yamltree_join(char *out, size_t size, const char *const *words, const char *last_sep)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; words[i] != NULL && o < size; i++) {
		const char *sep = i == 0 ? "" : words[i + 1] == NULL ? last_sep : ", ";
		o += (size_t)snprintf(out + o, size - o, "%s%s", sep, words[i]);
	}
	return out;
}

int
yamltree_word_index(const char *s, const char *const *words)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

/* See yamltree.h: the classic table, dm[i][j] for a[0..i) against b[0..j). */
size_t
yamltree_distance(const char *a, const char *b)
{
	size_t la = OD_MIN(strlen(a), YAMLTREE_MAX_WORD);
	size_t lb = OD_MIN(strlen(b), YAMLTREE_MAX_WORD);
	size_t dm[YAMLTREE_MAX_WORD + 1][YAMLTREE_MAX_WORD + 1];

	for (size_t i = 0; i <= la; i++)
		dm[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		dm[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			char ca = a[i - 1], cb = b[j - 1];
			if (ca >= 'A' && ca <= 'Z')
				ca = (char)(ca - 'A' + 'a');
			if (cb >= 'A' && cb <= 'Z')
				cb = (char)(cb - 'A' + 'a');
			size_t cost = ca == cb ? 0 : 1;
			size_t v = OD_MIN(dm[i - 1][j] + 1, dm[i][j - 1] + 1);
			v = OD_MIN(v, dm[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = OD_MIN(v, dm[i - 2][j - 2] + 1);
			dm[i][j] = v;
		}
	}
	return dm[la][lb];
}

/*
 * See yamltree.h. "Close enough": at most 1 edit for words of up to 3
 * bytes, 2 up to 6, 3 beyond, and fewer edits than the word has bytes.
 */
const char *
yamltree_suggest(const char *s, const char *const *words)
{
	const char *best = NULL;
	size_t bestd = SIZE_MAX, len = strlen(s);
	size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;

	if (len > YAMLTREE_MAX_WORD)
		return NULL;
	for (size_t i = 0; words[i] != NULL; i++) {
		size_t dist = yamltree_distance(s, words[i]);
		if (dist < bestd && dist < strlen(words[i])) {
			bestd = dist;
			best = words[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

/* ---- libyaml errors ------------------------------------------------------- */

/* 1-based line and column (in characters) of byte offset off of text. */
static void
yamltree_offset_pos(const char *text, size_t len, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/*
 * See yamltree.h. Reader errors (bad encoding, control characters) carry a
 * byte offset, not a mark: their position is counted from text.
 */
void
yamltree_yaml_error(struct diag *d, const struct yaml_parser_s *p, const char *text,
    size_t len, unsigned flags)
{
	int line, col;
	const char *problem = p->problem != NULL ? p->problem : "unknown error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		diag_add(d, 0, 0, "out of memory while parsing YAML");
		break;
	case YAML_READER_ERROR:
		if (flags & YAMLTREE_ERR_READER_AT) {
			diag_add(d, 0, 0, "invalid YAML input at byte %zu: %s",
			    p->problem_offset, problem);
			break;
		}
		yamltree_offset_pos(text, len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			diag_add(d, line, col, "invalid YAML input: %s (byte 0x%02x)",
			    problem, (unsigned)p->problem_value & 0xffu);
		else
			diag_add(d, line, col, "invalid YAML input: %s", problem);
		break;
	default:
		yamltree_mark_pos(p->problem_mark, &line, &col);
		if ((flags & YAMLTREE_ERR_CONTEXT) && p->context != NULL)
			diag_add(d, line, col, "YAML syntax error: %s (%s at line %zu)",
			    problem, p->context, p->context_mark.line + 1);
		else
			diag_add(d, line, col, "YAML syntax error: %s", problem);
		break;
	}
}

/* ---- the tree ------------------------------------------------------------- */

/* yamltree_show into a buffer of its own, for limits without a show. */
static const char *
yamltree_show_own(void *arg, const char *s, size_t len)
{
	return yamltree_show(arg, s, len);
}

/*
 * See yamltree.h. The stack holds the open sequences and maps, at most
 * lim->max_depth of them; a second root cannot happen (libyaml gives one
 * node per document and a second document ends the parse).
 */
struct ynode *
yamltree_parse(const char *text, size_t len, const struct yamltree_limits *lim,
    struct diag *d, int *failed)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct ynode **stack = xcalloc((size_t)OD_MAX(lim->max_depth, 1), sizeof *stack);
	struct ynode *root = NULL;
	int depth = 0, ndocs = 0, done = 0, line, col;
	size_t nodes = 0;
	char own[YAMLTREE_SHOW_SIZE];
	const char *(*show)(void *, const char *, size_t) = lim->show;
	void *show_arg = lim->show_arg;

	if (show == NULL) {
		show = yamltree_show_own;
		show_arg = own;
	}
	*failed = 0;
	if (!yaml_parser_initialize(&p))
		fatal("yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			yamltree_yaml_error(d, &p, text, len, lim->errors);
			*failed = 1;
			break;
		}
		struct ynode *n = NULL;
		yaml_char_t *anchor = NULL;
		yamltree_mark_pos(ev.start_mark, &line, &col);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				diag_add(d, line, col, "more than one YAML document; %s",
				    lim->one_document);
				*failed = 1;
				done = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			n = yn_new(YN_BAD, ev.start_mark);
			yn_err(d, n, "aliases are not allowed ('*%s')",
			    show(show_arg, (const char *)ev.data.alias.anchor,
			    strlen((const char *)ev.data.alias.anchor)));
			break;
		case YAML_SCALAR_EVENT:
			anchor = ev.data.scalar.anchor;
			n = yn_new(YN_SCALAR, ev.start_mark);
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			n->block = ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			    ev.data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
			n->len = ev.data.scalar.length;
			if (n->len > lim->max_string) {
				yn_err(d, n, "string longer than %zu bytes", lim->max_string);
				n->type = YN_BAD;
				n->len = 0;
			} else if (!lim->allow_nul &&
			    memchr(ev.data.scalar.value, '\0', n->len) != NULL) {
				yn_err(d, n, "string contains a NUL byte");
				n->type = YN_BAD;
				n->len = 0;
			}
			n->s = xmalloc(n->len + 1);
			memcpy(n->s, ev.data.scalar.value, n->len);
			n->s[n->len] = '\0';
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= lim->max_depth) {
				diag_add(d, line, col, "nesting deeper than %d levels",
				    lim->max_depth);
				*failed = 1;
				done = 1;
				break;
			}
			if (ev.type == YAML_SEQUENCE_START_EVENT) {
				anchor = ev.data.sequence_start.anchor;
				n = yn_new(YN_SEQ, ev.start_mark);
			} else {
				anchor = ev.data.mapping_start.anchor;
				n = yn_new(YN_MAP, ev.start_mark);
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (anchor != NULL)
			yn_err(d, n, "anchors are not allowed ('&%s')",
			    show(show_arg, (const char *)anchor, strlen((const char *)anchor)));
		if (n != NULL && lim->max_nodes > 0 && ++nodes > lim->max_nodes) {
			diag_add(d, line, col, "more than %zu YAML nodes", lim->max_nodes);
			yn_free(n);
			n = NULL;
			*failed = 1;
			done = 1;
		}
		if (n != NULL) {
			if (depth > 0)
				yn_append(stack[depth - 1], n);
			else if (root == NULL)
				root = n;
			else
				fatal("yamltree: a second root node in one document");
			if (n->type == YN_SEQ || n->type == YN_MAP)
				stack[depth++] = n;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(stack);
	return root;
}

/* ---- keys ----------------------------------------------------------------- */

/* The standard wording of a key issue (yamltree.h); malloc'd. */
static char *
yamltree_key_msg(const char *file, const struct yamltree_key_issue *is)
{
	char show[YAMLTREE_SHOW_SIZE], list[512];
	const struct ynode *k = is->key;

	switch (is->problem) {
	case YAMLTREE_KEY_NOT_STRING:
		return xasprintf("a key %s must be a string, not %s", is->where,
		    yn_type_name(k));
	case YAMLTREE_KEY_UNKNOWN:
		yamltree_show(show, k->s, k->len);
		if (is->suggestion != NULL)
			return xasprintf("unknown key '%s' %s; did you mean '%s'?", show,
			    is->where, is->suggestion);
		return xasprintf("unknown key '%s' %s; expected one of: %s", show, is->where,
		    yamltree_join(list, sizeof list, is->words, ", "));
	default:
		return xasprintf("duplicate key '%s' (first at %s:%d:%d)", k->s, file,
		    is->first->line, is->first->col);
	}
}

/*
 * See yamltree.h. first[] keeps, per word, the key that was used, so a
 * repeated key costs one look-up however large the map.
 */
char *
yamltree_keys(const struct ynode *m, const char *const *words, const char *where,
    const struct yamltree_keys_style *style, struct diag *d)
{
	static const struct yamltree_keys_style std = { .suggest = 1 };
	size_t npairs = m->nkids / 2, nwords = 0;
	char *use = xcalloc(npairs + 1, 1);

	if (style == NULL)
		style = &std;
	const char *file = style->file != NULL ? style->file : d->file;
	while (words[nwords] != NULL)
		nwords++;
	const struct ynode **first = xcalloc(nwords + 1, sizeof *first);
	for (size_t i = 0; i < npairs; i++) {
		const struct ynode *k = m->kids[2 * i];
		struct yamltree_key_issue is = { .key = k, .where = where, .words = words };
		int wi = -1;
		if (k->type == YN_BAD)
			continue;
		if (k->type != YN_SCALAR) {
			is.problem = YAMLTREE_KEY_NOT_STRING;
		} else if ((wi = yamltree_word_index(k->s, words)) < 0) {
			is.problem = YAMLTREE_KEY_UNKNOWN;
			/* Past DIAG_MAX only the count matters: skip the suggestion. */
			if (style->suggest && d->n < DIAG_MAX)
				is.suggestion = yamltree_suggest(k->s, words);
		} else if (first[wi] != NULL) {
			is.problem = YAMLTREE_KEY_DUPLICATE;
			is.first = first[wi];
		} else {
			if (style->skip_bad_values && m->kids[2 * i + 1]->type == YN_BAD)
				continue;
			first[wi] = k;
			use[i] = 1;
			continue;
		}
		char *msg = style->message != NULL ? style->message(style->arg, &is) :
		    yamltree_key_msg(file, &is);
		yn_err(d, k, "%s", msg);
		free(msg);
	}
	free(first);
	return use;
}

void
yamltree_sort_diag(struct diag *d, size_t from)
{
	for (size_t i = from + 1; i < d->n; i++) {
		struct diag_entry e = d->v[i];
		size_t j = i;
		while (j > from && (d->v[j - 1].line > e.line ||
		    (d->v[j - 1].line == e.line && d->v[j - 1].col > e.col))) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = e;
	}
}
