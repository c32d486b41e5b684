/*
 * config_value.c: reading the scalars of the configuration (config_priv.h)
 * and applying a row of the key table (config_keys.h) to its struct.
 *
 * Every reader checks one node and either fills its output or adds one
 * error at the node's position, naming the key; none stops the parse.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/config_priv.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

/* See config_priv.h. */
const char *
cfg_show_bytes(struct cfg *x, const char *s, size_t len)
{
	return yamltree_show(x->show[x->nshow++ % 4], s, len);
}

const char *
cfg_show(struct cfg *x, const struct ynode *n)
{
	return cfg_show_bytes(x, n->s, n->len);
}

/* "a, b, c" of words[] into x's buffers (config_priv.h). */
const char *
cfg_join(struct cfg *x, const char *const *words, const char *last_sep)
{
	return yamltree_join(x->show[x->nshow++ % 4], sizeof x->show[0], words, last_sep);
}

/* Reports a value of key that is none of words[] ("node, testbed or scheduler"). */
static void
cfg_err_choice(struct cfg *x, const char *key, const struct ynode *v, const char *const *words)
{
	const char *sug = yamltree_suggest(v->s, words);
	if (sug != NULL)
		yn_err(x->d, v, "'%s' must be %s, not '%s'; did you mean '%s'?", key,
		    cfg_join(x, words, " or "), cfg_show(x, v), sug);
	else
		yn_err(x->d, v, "'%s' must be %s, not '%s'", key, cfg_join(x, words, " or "),
		    cfg_show(x, v));
}

/* See config_priv.h: yamltree_keys over the table's names for place. */
char *
cfg_keys(struct cfg *x, const struct ynode *m, const char *where, unsigned place)
{
	const struct yamltree_keys_style style = { .file = x->name, .suggest = 1 };
	const char *words[CONFIG_KEYS_MAX + 1];

	config_key_names(place, words, OD_ARRAY_LEN(words));
	return yamltree_keys(m, words, where, &style, x->d);
}

/* See config_priv.h. A missing row is a broken invariant of cfg_keys. */
const struct config_key *
cfg_row(const struct ynode *m, size_t i, unsigned place)
{
	const struct config_key *k = config_key_find(place, m->kids[2 * i]->s);

	if (k == NULL)
		fatal("config: key '%s' passed the check but is not in the table",
		    m->kids[2 * i]->s);
	return k;
}

/* A leading "~/" replaced by $HOME/; malloc'd. */
static char *
cfg_tilde(struct cfg *x, const char *s)
{
	if (s[0] == '~' && s[1] == '/' && x->home != NULL && x->home[0] != '\0')
		return xasprintf("%s%s", x->home, s + 1);
	return xstrdup(s);
}

/*
 * The string value of key (node v) into *out (replacing and freeing what was
 * there). Reports non-scalars, null, empty strings and control characters.
 * Returns 0 or -1.
 */
int
cfg_string(struct cfg *x, const char *key, const struct ynode *v, char **out)
{
	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR) {
		yn_err(x->d, v, "'%s' must be a string, not %s", key, yn_type_name(v));
		return -1;
	}
	if (yn_is_null(v)) {
		yn_err(x->d, v, "'%s' has no value", key);
		return -1;
	}
	if (v->len == 0) {
		yn_err(x->d, v, "'%s' must not be empty", key);
		return -1;
	}
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->s[i];
		if (c < 0x20 || c == 0x7f) {
			if (v->block && c == '\n' && i + 1 == v->len)
				continue;	/* the final newline of "|" */
			yn_err(x->d, v, "'%s' contains a control character (\\x%02x)", key, c);
			return -1;
		}
	}
	free(*out);
	*out = xstrndup(v->s, v->block && v->len > 0 && v->s[v->len - 1] == '\n' ?
	    v->len - 1 : v->len);
	return 0;
}

/* A string that names a file: as cfg_string, with a leading "~/" expanded. */
int
cfg_path(struct cfg *x, const char *key, const struct ynode *v, char **out)
{
	char *s = NULL;
	if (cfg_string(x, key, v, &s) != 0)
		return -1;
	free(*out);
	*out = cfg_tilde(x, s);
	free(s);
	return 0;
}

/* An integer from lo to hi. */
int
cfg_int(struct cfg *x, const char *key, const struct ynode *v, long lo, long hi, int *out)
{
	if (v->type == YN_BAD)
		return -1;
	long n = 0;
	int ok = v->type == YN_SCALAR && v->len > 0 && v->len <= 9;
	for (size_t i = 0; ok && i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '9')
			ok = 0;
		else
			n = n * 10 + (v->s[i] - '0');
	}
	if (!ok || n < lo || n > hi) {
		if (v->type == YN_SCALAR && !yn_is_null(v))
			yn_err(x->d, v, "'%s' must be an integer from %ld to %ld, not '%s'",
			    key, lo, hi, cfg_show(x, v));
		else
			yn_err(x->d, v, "'%s' must be an integer from %ld to %ld, not %s",
			    key, lo, hi, yn_type_name(v));
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* A duration of at least min_ms. */
int
cfg_duration(struct cfg *x, const char *key, const struct ynode *v, int64_t min_ms, int64_t *out)
{
	int64_t ms;

	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be a duration such as 500ms, 2s or 5m, not %s",
		    key, yn_type_name(v));
		return -1;
	}
	if (v->len == 0 || v->s[0] == ' ' || duration_parse(v->s, &ms) != 0) {
		yn_err(x->d, v, "'%s' must be a duration such as 500ms, 2s or 5m, not '%s'",
		    key, cfg_show(x, v));
		return -1;
	}
	if (ms < min_ms) {
		char buf[32];
		duration_format(min_ms, buf, sizeof buf);
		yn_err(x->d, v, "'%s' must be at least %s, not '%s'", key, buf, cfg_show(x, v));
		return -1;
	}
	*out = ms;
	return 0;
}

/*
 * A decimal number: [-+]digits[.digits][e[-+]digits], parsed without the
 * locale (strtod would follow LC_NUMERIC).
 */
int
cfg_number(struct cfg *x, const char *key, const struct ynode *v, double *out)
{
	const char *p;
	double m = 0;
	int neg = 0, digits = 0, frac = 0, exp = 0, eneg = 0, edigits = 0;

	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be a number, not %s", key, yn_type_name(v));
		return -1;
	}
	p = v->s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, frac++)
			m = m * 10 + (*p - '0');
	if (digits > 0 && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '-' || *p == '+')
			eneg = *p++ == '-';
		for (; *p >= '0' && *p <= '9' && edigits < 4; p++, edigits++)
			exp = exp * 10 + (*p - '0');
		if (edigits == 0)
			digits = 0;
	}
	if (digits == 0 || digits > 30 || *p != '\0' || exp > 300) {
		yn_err(x->d, v, "'%s' must be a number, not '%s'", key, cfg_show(x, v));
		return -1;
	}
	exp = (eneg ? -exp : exp) - frac;
	for (; exp > 0; exp--)
		m *= 10;
	for (; exp < 0; exp++)
		m /= 10;
	*out = neg ? -m : m;
	return 0;
}

/* A string that must be one of words[]; returns its index or -1. */
int
cfg_choice(struct cfg *x, const char *key, const struct ynode *v, const char *const *words)
{
	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be %s, not %s", key, cfg_join(x, words, " or "),
		    yn_type_name(v));
		return -1;
	}
	int i = yamltree_word_index(v->s, words);
	if (i < 0)
		cfg_err_choice(x, key, v, words);
	return i;
}

/* Accepts null for an optional map ("defaults:" with nothing under it). */
int
cfg_is_map(struct cfg *x, const char *key, const struct ynode *v, const char *what)
{
	if (v->type == YN_MAP)
		return 1;
	if (v->type != YN_BAD && !yn_is_null(v))
		yn_err(x->d, v, "'%s' must be a map of %s, not %s", key, what, yn_type_name(v));
	return 0;
}


/* See config_priv.h: YAML 1.2's booleans, in the three spellings it allows. */
int
cfg_bool(struct cfg *x, const char *key, const struct ynode *v, int *out)
{
	static const char *const words[] = {
		"true", "True", "TRUE", "false", "False", "FALSE", NULL
	};
	int i;

	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be true or false, not %s", key, yn_type_name(v));
		return -1;
	}
	if ((i = yamltree_word_index(v->s, words)) < 0) {
		yn_err(x->d, v, "'%s' must be true or false, not '%s'", key, cfg_show(x, v));
		return -1;
	}
	*out = i < 3;
	return 0;
}

/* See config_priv.h: one dispatch per type of the key table. */
int
cfg_set(struct cfg *x, const struct config_key *k, const struct ynode *v, void *base)
{
	char *p = (char *)base + k->off;
	int rc, i;

	switch (k->type) {
	case CONFIG_T_STRING:
		rc = cfg_string(x, k->name, v, (char **)(void *)p);
		break;
	case CONFIG_T_PATH:
		rc = cfg_path(x, k->name, v, (char **)(void *)p);
		break;
	case CONFIG_T_INT:
		rc = cfg_int(x, k->name, v, (long)k->lo, (long)k->hi, (int *)(void *)p);
		break;
	case CONFIG_T_DURATION:
		rc = cfg_duration(x, k->name, v, k->lo, (int64_t *)(void *)p);
		break;
	case CONFIG_T_NUMBER:
		rc = cfg_number(x, k->name, v, (double *)(void *)p);
		break;
	case CONFIG_T_BOOL:
		rc = cfg_bool(x, k->name, v, (int *)(void *)p);
		break;
	case CONFIG_T_CHOICE:
		if ((i = cfg_choice(x, k->name, v, k->choices)) >= 0)
			memcpy(p, &i, sizeof i);	/* an int or an enum of int size */
		rc = i >= 0 ? 0 : -1;
		break;
	default:
		fatal("config: cfg_set on key '%s', which its walker reads", k->name);
	}
	if (rc == 0 && k->seen_off != CONFIG_NO_FIELD)
		*(int *)(void *)((char *)base + k->seen_off) = 1;
	if (rc == 0 && k->at_off != CONFIG_NO_FIELD) {
		struct config_at *at = (struct config_at *)(void *)((char *)base + k->at_off);
		at->line = v->line;
		at->col = v->col;
	}
	return rc;
}
