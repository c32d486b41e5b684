/*
 * hostlist.c: pdsh-style host ranges.
 *
 * A pattern is one or more comma-separated names (commas inside brackets
 * belong to the range). Each name is literal text with bracket groups
 * "[1-4]", "[001-128]", "[1,3,5-7]"; several groups multiply, the left-most
 * varying slowest. A number is printed at least as wide as the written lower
 * bound of its item, so "gpu[001-128]" gives gpu001..gpu128.
 *
 * Pure: no I/O, no globals, no locale.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlist.h"
#include "opsdeck/util.h"

#define HOSTLIST_MAX_DIGITS 9	/* numbers in a range stay below 10^9 */

struct hl_item {
	unsigned long	 lo, hi;
	int		 width;		/* digits of the written lower bound */
};

/* A piece of one name: literal text, then (optionally) one bracket group. */
struct hl_seg {
	const char	*lit;
	size_t		 litlen;
	struct hl_item	*items;		/* NULL: no bracket group */
	size_t		 nitems;
	size_t		 count;		/* numbers this group yields (1 without one) */
	int		 maxwidth;	/* widest number it prints */
};

struct hl_out {
	char		**v;
	size_t		 n, cap;
};

static int
hl_namechar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static int
hl_digits(unsigned long v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* A printable rendering of byte c for messages: "x" or "\xNN". */
static void
hl_charname(unsigned char c, char *buf, size_t len)
{
	if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
		snprintf(buf, len, "%c", c);
	else
		snprintf(buf, len, "\\x%02x", c);
}

/*
 * Error helper: sets *cause to "MSG in 'PATTERN'" (the pattern cut and made
 * printable) and *errcol to col. Returns -1.
 */
static int
hl_fail(const char *pattern, size_t col, char **cause, size_t *errcol, const char *fmt, ...)
    OD_PRINTF(5, 6);

static int
hl_fail(const char *pattern, size_t col, char **cause, size_t *errcol, const char *fmt, ...)
{
	char shown[128];
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)pattern;
	for (; *p != '\0' && o < 96; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			shown[o++] = (char)*p;
		else
			o += (size_t)snprintf(shown + o, sizeof shown - o, "\\x%02x", *p);
	}
	if (*p != '\0') {
		memcpy(shown + o, "...", 3);
		o += 3;
	}
	shown[o] = '\0';

	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	*cause = xasprintf("%s in '%s'", msg, shown);
	free(msg);
	*errcol = col;
	return -1;
}

/*
 * Parses one number of `s` starting at offset i (digits only). On success
 * stores the value and its digit count, advances *i. Returns 0, or -1 with
 * the error set for `pattern`.
 */
static int
hl_number(const char *pattern, size_t *i, unsigned long *val, int *width,
    char **cause, size_t *errcol)
{
	size_t start = *i;
	unsigned long v = 0;
	while (pattern[*i] >= '0' && pattern[*i] <= '9') {
		if (*i - start >= HOSTLIST_MAX_DIGITS)
			return hl_fail(pattern, start, cause, errcol,
			    "number longer than %d digits", HOSTLIST_MAX_DIGITS);
		v = v * 10 + (unsigned long)(pattern[*i] - '0');
		(*i)++;
	}
	if (*i == start) {
		char c = pattern[*i];
		if (c == ',' || c == ']' || c == '-' || c == '\0')
			return hl_fail(pattern, start, cause, errcol,
			    "missing number in range");
		char cn[8];
		hl_charname((unsigned char)c, cn, sizeof cn);
		return hl_fail(pattern, start, cause, errcol,
		    "non-numeric range character '%s'", cn);
	}
	*val = v;
	*width = (int)(*i - start);
	return 0;
}

/*
 * Parses the bracket group of `pattern` that opens at offset *i into seg,
 * leaving *i after the ']'. Returns 0, or -1 with *cause and *errcol.
 */
static int
hl_group(const char *pattern, size_t *i, struct hl_seg *seg, char **cause, size_t *errcol)
{
	size_t open = *i;
	size_t cap = 0;

	seg->count = 0;
	if (strchr(pattern + open, ']') == NULL)
		return hl_fail(pattern, open, cause, errcol, "unclosed '['");
	(*i)++;
	if (pattern[*i] == ']')
		return hl_fail(pattern, open, cause, errcol, "empty range '[]'");
	for (;;) {
		size_t itemstart = *i;
		struct hl_item it;
		int hiw;

		if (pattern[*i] == '\0')
			return hl_fail(pattern, open, cause, errcol, "unclosed '['");
		if (hl_number(pattern, i, &it.lo, &it.width, cause, errcol) != 0)
			return -1;
		it.hi = it.lo;
		if (pattern[*i] == '-') {
			(*i)++;
			if (hl_number(pattern, i, &it.hi, &hiw, cause, errcol) != 0)
				return -1;
			if (it.hi < it.lo)
				return hl_fail(pattern, itemstart, cause, errcol,
				    "reversed range %.*s", (int)(*i - itemstart),
				    pattern + itemstart);
		}
		if (seg->nitems == cap) {
			cap = cap ? cap * 2 : 4;
			seg->items = xreallocarray(seg->items, cap, sizeof *seg->items);
		}
		seg->items[seg->nitems++] = it;
		size_t n = it.hi - it.lo + 1;
		seg->count += n;
		if (seg->count > HOSTLIST_MAX_EXPANSION)
			return hl_fail(pattern, open, cause, errcol,
			    "range expands to more than %d names", HOSTLIST_MAX_EXPANSION);
		seg->maxwidth = OD_MAX(seg->maxwidth, OD_MAX(it.width, hl_digits(it.hi)));

		char c = pattern[*i];
		if (c == ']') {
			(*i)++;
			return 0;
		}
		if (c == ',') {
			(*i)++;
			continue;
		}
		if (c == '\0')
			return hl_fail(pattern, open, cause, errcol, "unclosed '['");
		if (c == '-')
			return hl_fail(pattern, *i, cause, errcol, "unexpected '-' in range");
		char cn[8];
		hl_charname((unsigned char)c, cn, sizeof cn);
		return hl_fail(pattern, *i, cause, errcol, "non-numeric range character '%s'", cn);
	}
}

static void
hl_segs_free(struct hl_seg *segs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(segs[i].items);
	free(segs);
}

/* Appends name (now owned by o) and keeps the array NULL-terminated. */
static void
hl_push(struct hl_out *o, char *name)
{
	if (o->n + 1 >= o->cap) {
		o->cap = o->cap ? o->cap * 2 : 16;
		o->v = xreallocarray(o->v, o->cap, sizeof *o->v);
	}
	o->v[o->n++] = name;
	o->v[o->n] = NULL;
}

/*
 * Expands the single name pattern[start..end) (no top-level commas) onto o.
 * `total` is the number of names already produced by earlier parts.
 * Returns 0, or -1 with *cause and *errcol (offsets into the whole pattern).
 */
static int
hl_expand_one(const char *pattern, size_t start, size_t end, struct hl_out *o,
    char **cause, size_t *errcol)
{
	struct hl_seg *segs = NULL;
	size_t nsegs = 0, cap = 0, i = start;
	size_t count = 1, maxlen = 0;
	int rc = -1;

	if (start == end) {
		hl_fail(pattern, start, cause, errcol, "empty host name");
		goto out;
	}
	if (pattern[start] == '-' || pattern[start] == '.') {
		hl_fail(pattern, start, cause, errcol,
		    "a host name must start with a letter, a digit or a range");
		goto out;
	}
	while (i < end) {
		if (nsegs == cap) {
			cap = cap ? cap * 2 : 4;
			segs = xreallocarray(segs, cap, sizeof *segs);
		}
		struct hl_seg *s = &segs[nsegs++];
		memset(s, 0, sizeof *s);
		s->count = 1;
		s->lit = pattern + i;
		while (i < end && pattern[i] != '[') {
			unsigned char c = (unsigned char)pattern[i];
			if (c == ']') {
				hl_fail(pattern, i, cause, errcol, "unexpected ']'");
				goto out;
			}
			if (!hl_namechar(c)) {
				char cn[8];
				hl_charname(c, cn, sizeof cn);
				hl_fail(pattern, i, cause, errcol,
				    "invalid host name character '%s'", cn);
				goto out;
			}
			i++;
		}
		s->litlen = (size_t)(pattern + i - s->lit);
		maxlen += s->litlen;
		if (i < end) {
			if (hl_group(pattern, &i, s, cause, errcol) != 0)
				goto out;
			maxlen += (size_t)s->maxwidth;
			if (count > HOSTLIST_MAX_EXPANSION / s->count) {
				hl_fail(pattern, start, cause, errcol,
				    "pattern expands to more than %d names",
				    HOSTLIST_MAX_EXPANSION);
				goto out;
			}
			count *= s->count;
		}
	}
	if (maxlen > HOSTNAME_MAX) {
		hl_fail(pattern, start, cause, errcol,
		    "host name longer than %d characters", HOSTNAME_MAX);
		goto out;
	}
	if (o->n + count > HOSTLIST_MAX_EXPANSION) {
		hl_fail(pattern, start, cause, errcol,
		    "pattern expands to more than %d names", HOSTLIST_MAX_EXPANSION);
		goto out;
	}

	/* Odometer over the groups: idx[k] item, val[k] value within it. */
	size_t *idx = xcalloc(nsegs, sizeof *idx);
	unsigned long *val = xcalloc(nsegs, sizeof *val);
	for (size_t k = 0; k < nsegs; k++)
		if (segs[k].items != NULL)
			val[k] = segs[k].items[0].lo;
	char name[HOSTNAME_MAX + 1];
	for (size_t made = 0; made < count; made++) {
		size_t len = 0;
		for (size_t k = 0; k < nsegs; k++) {
			memcpy(name + len, segs[k].lit, segs[k].litlen);
			len += segs[k].litlen;
			if (segs[k].items != NULL) {
				int w = snprintf(name + len, sizeof name - len, "%0*lu",
				    segs[k].items[idx[k]].width, val[k]);
				len += (size_t)w;
			}
		}
		name[len] = '\0';
		hl_push(o, xstrndup(name, len));
		/* Advance: the right-most group varies fastest. */
		for (size_t k = nsegs; k-- > 0;) {
			struct hl_seg *s = &segs[k];
			if (s->items == NULL)
				continue;
			if (val[k] < s->items[idx[k]].hi) {
				val[k]++;
				break;
			}
			if (idx[k] + 1 < s->nitems) {
				idx[k]++;
				val[k] = s->items[idx[k]].lo;
				break;
			}
			idx[k] = 0;
			val[k] = s->items[0].lo;
		}
	}
	free(idx);
	free(val);
	rc = 0;
out:
	hl_segs_free(segs, nsegs);
	return rc;
}

/*
 * Expands pattern into *names (NULL-terminated, malloc'd, caller frees with
 * hostlist_free) and *count. Top-level commas separate names. On error
 * returns -1 with *names NULL, *cause malloc'd and *errcol the 0-based byte
 * offset of the problem in pattern.
 */
int
hostlist_expand(const char *pattern, char ***names, size_t *count,
    char **cause, size_t *errcol)
{
	struct hl_out o = { NULL, 0, 0 };
	size_t start = 0, i = 0;
	int depth = 0;

	*names = NULL;
	*count = 0;
	for (;; i++) {
		char c = pattern[i];
		if (c == '[')
			depth = 1;
		else if (c == ']')
			depth = 0;
		if ((c == ',' && depth == 0) || c == '\0') {
			if (hl_expand_one(pattern, start, i, &o, cause, errcol) != 0) {
				hostlist_free(o.v);
				return -1;
			}
			start = i + 1;
		}
		if (c == '\0')
			break;
	}
	*names = o.v;
	*count = o.n;
	return 0;
}

/* Frees an array from hostlist_expand(); NULL is fine. */
void
hostlist_free(char **names)
{
	if (names == NULL)
		return;
	for (char **p = names; *p != NULL; p++)
		free(*p);
	free(names);
}
