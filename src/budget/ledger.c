/*
 * ledger.c: the spending ledger, a CSV file (man/opsdeck-budget.5), to rows.
 *
 * RFC 4180 with the usual leniencies: LF or CRLF line ends, an optional
 * UTF-8 byte-order mark, blank lines skipped. A header names the six
 * columns date, programme, item, amount, vendor, memo (any order, any case).
 * Quoted fields may hold commas, doubled quotes and line breaks; a quote in
 * an unquoted field, text after a closing quote, an unterminated quote,
 * invalid UTF-8, a control character, a wrong number of fields, a bad date
 * or amount, or amounts whose magnitudes add up to more than
 * BUDGET_MAX_AMOUNT all fail the whole file with "LINE: message": an import
 * is all or nothing.
 *
 * The dedup key of a row is its normalised text (ISO date, programme and
 * item ids, amount in whole won, vendor and memo with blanks collapsed)
 * followed by its occurrence number among identical rows of the same file,
 * so importing a file again adds nothing, while two identical purchases in
 * one file still count twice. The key is the text itself rather than a hash
 * of it, so two different rows can never collide.
 *
 * Pure: bytes in, rows out; no I/O, no locale.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opsdeck/budget.h"
#include "opsdeck/buf.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/unicode.h"
#include "opsdeck/util.h"

enum { COL_DATE, COL_PROGRAMME, COL_ITEM, COL_AMOUNT, COL_VENDOR, COL_MEMO, NCOLS };
static const char *const col_names[NCOLS] = {
	"date", "programme", "item", "amount", "vendor", "memo"
};

#define LEDGER_MAX_COLS 16

struct csv {
	const char	*p;
	size_t		 len, pos;
	int		 line;		/* current line, 1-based */
};

struct csv_rec {
	struct buf	 f[LEDGER_MAX_COLS];
	int		 nf;
	int		 line;		/* where the record starts */
};

/*
 * Reads the next record into r. Returns 1, 0 at the end, or -1 with *cause.
 * Blank lines are skipped.
 */
static int
csv_next(struct csv *c, struct csv_rec *r, char **cause)
{
	for (int i = 0; i < LEDGER_MAX_COLS; i++)
		buf_reset(&r->f[i]);
	r->nf = 0;
	/* blank lines */
	while (c->pos < c->len && (c->p[c->pos] == '\n' || (c->p[c->pos] == '\r' &&
	    c->pos + 1 < c->len && c->p[c->pos + 1] == '\n'))) {
		c->pos += c->p[c->pos] == '\r' ? 2 : 1;
		c->line++;
	}
	if (c->pos >= c->len)
		return 0;
	r->line = c->line;
	for (;;) {
		if (r->nf == LEDGER_MAX_COLS) {
			*cause = xasprintf("%d: more than %d fields", r->line, LEDGER_MAX_COLS);
			return -1;
		}
		struct buf *f = &r->f[r->nf++];
		int quoted = c->pos < c->len && c->p[c->pos] == '"';
		if (quoted)
			c->pos++;
		for (;;) {
			if (c->pos >= c->len) {
				if (quoted) {
					*cause = xasprintf("%d: unterminated quoted field",
					    r->line);
					return -1;
				}
				return 1;
			}
			unsigned char ch = (unsigned char)c->p[c->pos];
			if (quoted && ch == '"') {
				if (c->pos + 1 < c->len && c->p[c->pos + 1] == '"') {
					buf_append(f, "\"", 1);
					c->pos += 2;
					continue;
				}
				c->pos++;
				quoted = 0;
				if (c->pos < c->len && c->p[c->pos] != ',' &&
				    c->p[c->pos] != '\n' && c->p[c->pos] != '\r') {
					*cause = xasprintf("%d: text after a closing quote",
					    c->line);
					return -1;
				}
				continue;
			}
			if (!quoted && ch == ',') {
				c->pos++;
				break;
			}
			if (!quoted && (ch == '\n' || ch == '\r')) {
				if (ch == '\r' && (c->pos + 1 >= c->len ||
				    c->p[c->pos + 1] != '\n')) {
					*cause = xasprintf("%d: carriage return without a "
					    "line feed", c->line);
					return -1;
				}
				c->pos += ch == '\r' ? 2 : 1;
				c->line++;
				return 1;
			}
			if (!quoted && ch == '"') {
				*cause = xasprintf("%d: a quote inside an unquoted field "
				    "(quote the whole field and double the quote)", c->line);
				return -1;
			}
			if (ch == '\n') {
				c->line++;
			} else if (ch < 0x20 && ch != '\t' && ch != '\r') {
				*cause = xasprintf("%d: control character 0x%02x in a field",
				    c->line, ch);
				return -1;
			} else if (ch == 0x7f) {
				*cause = xasprintf("%d: control character 0x7f in a field",
				    c->line);
				return -1;
			}
			uint32_t cp;
			size_t l = unicode_decode(c->p + c->pos, c->len - c->pos, &cp);
			if (l == 0) {
				*cause = xasprintf("%d: invalid UTF-8 (byte 0x%02x); save the "
				    "ledger as UTF-8", c->line, ch);
				return -1;
			}
			if (f->len + l > LEDGER_MAX_FIELD) {
				*cause = xasprintf("%d: field longer than %d bytes", r->line,
				    LEDGER_MAX_FIELD);
				return -1;
			}
			buf_append(f, c->p + c->pos, l);
			c->pos += l;
		}
	}
}

/* A sanitised copy of s cut to about 60 bytes on a character boundary, for messages. */
static const char *
show(char *buf, size_t len, const char *s)
{
	sanitize_text(buf, len < 64 ? len : 64, s, strlen(s));
	return buf;
}

/* Copy of s with blanks (space, tab, CR, LF) trimmed and inner runs made one space. */
static char *
norm_text(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	int blank = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			blank = o > 0;
			continue;
		}
		if (blank)
			out[o++] = ' ';
		blank = 0;
		out[o++] = ch;
	}
	out[o] = '\0';
	return out;
}

static void
row_free(struct ledger_row *r)
{
	free(r->programme);
	free(r->item);
	free(r->vendor);
	free(r->memo);
	free(r->key);
}

void
ledger_free(struct ledger *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nrows; i++)
		row_free(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->nrows = 0;
}

struct keyref {
	const char	*key;
	size_t		 idx;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct keyref *ka = a, *kb = b;
	int c = strcmp(ka->key, kb->key);
	return c != 0 ? c : (ka->idx > kb->idx) - (ka->idx < kb->idx);
}

/*
 * Sets every row's key: its normalised text, then "#N" for the N-th
 * identical row in file order.
 */
static void
ledger_keys(struct ledger *l)
{
	char date[16];

	for (size_t i = 0; i < l->nrows; i++) {
		struct ledger_row *r = &l->rows[i];
		budget_date_format(r->day, date, sizeof date);
		free(r->key);
		r->key = xasprintf("%s\x1f%s\x1f%s\x1f%lld\x1f%s\x1f%s", date, r->programme,
		    r->item, (long long)r->amount, r->vendor, r->memo);
	}
	if (l->nrows == 0)
		return;
	struct keyref *ref = xreallocarray(NULL, l->nrows, sizeof *ref);
	for (size_t i = 0; i < l->nrows; i++) {
		ref[i].key = l->rows[i].key;
		ref[i].idx = i;
	}
	qsort(ref, l->nrows, sizeof *ref, key_cmp);
	size_t occ = 1;
	char **keyed = xreallocarray(NULL, l->nrows, sizeof *keyed);
	for (size_t k = 0; k < l->nrows; k++) {
		if (k > 0 && strcmp(ref[k].key, ref[k - 1].key) == 0)
			occ++;
		else
			occ = 1;
		keyed[ref[k].idx] = xasprintf("%s\x1f#%zu", ref[k].key, occ);
	}
	for (size_t i = 0; i < l->nrows; i++) {
		free(l->rows[i].key);
		l->rows[i].key = keyed[i];
	}
	free(keyed);
	free(ref);
}

/*
 * See budget.h. All or nothing: the first bad record frees every row.
 */
int
ledger_parse(const char *data, size_t len, struct ledger *out, char **cause)
{
	struct csv c = { .p = data, .len = len, .pos = 0, .line = 1 };
	struct csv_rec rec;
	int map[NCOLS];
	int rc;
	char *why = NULL, q[64];

	memset(out, 0, sizeof *out);
	if (len > LEDGER_MAX_BYTES) {
		*cause = xasprintf("1: ledger larger than %d bytes", LEDGER_MAX_BYTES);
		return -1;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c.pos = 3;
	memset(&rec, 0, sizeof rec);
	for (int i = 0; i < LEDGER_MAX_COLS; i++)
		buf_init(&rec.f[i], LEDGER_MAX_FIELD + 8);

	rc = csv_next(&c, &rec, &why);
	if (rc == 0) {
		why = xstrdup("1: empty ledger: expected a header "
		    "date,programme,item,amount,vendor,memo");
		goto fail;
	}
	if (rc < 0)
		goto fail;
	for (int k = 0; k < NCOLS; k++)
		map[k] = -1;
	for (int i = 0; i < rec.nf; i++) {
		char *name = norm_text(rec.f[i].data ? rec.f[i].data : "", rec.f[i].len);
		int k;
		for (k = 0; k < NCOLS; k++)
			if (strcasecmp(name, col_names[k]) == 0)
				break;
		if (k == NCOLS || map[k] >= 0) {
			why = xasprintf("%d: %s column '%s' in the header (expected date, "
			    "programme, item, amount, vendor, memo)", rec.line,
			    k == NCOLS ? "unknown" : "repeated", show(q, sizeof q, name));
			free(name);
			goto fail;
		}
		map[k] = i;
		free(name);
	}
	for (int k = 0; k < NCOLS; k++) {
		if (map[k] < 0) {
			why = xasprintf("%d: the header has no '%s' column (expected date, "
			    "programme, item, amount, vendor, memo)", rec.line, col_names[k]);
			goto fail;
		}
	}
	size_t cap = 0;
	int64_t magnitude = 0;	/* the rows' amounts without sign, checked */
	while ((rc = csv_next(&c, &rec, &why)) == 1) {
		if (rec.nf != NCOLS) {
			why = xasprintf("%d: %d fields, expected %d (date, programme, item, "
			    "amount, vendor, memo)", rec.line, rec.nf, NCOLS);
			goto fail;
		}
		if (out->nrows >= LEDGER_MAX_ROWS) {
			why = xasprintf("%d: more than %d rows", rec.line, LEDGER_MAX_ROWS);
			goto fail;
		}
		const char *fv[NCOLS];
		size_t fl[NCOLS];
		for (int k = 0; k < NCOLS; k++) {
			struct buf *b = &rec.f[map[k]];
			fv[k] = b->data != NULL ? b->data : "";
			fl[k] = b->len;
		}
		struct ledger_row r = { .line = rec.line };
		char *t = norm_text(fv[COL_DATE], fl[COL_DATE]);
		if (budget_date_parse(t, strlen(t), &r.day) != 0) {
			why = xasprintf("%d: bad date '%s' (expected YYYY-MM-DD)", rec.line,
			    show(q, sizeof q, t));
			free(t);
			goto fail;
		}
		free(t);
		const char *awhy;
		if (budget_parse_amount(fv[COL_AMOUNT], fl[COL_AMOUNT], AMOUNT_NEGATIVE, &r.amount,
		    &awhy) != 0) {
			t = norm_text(fv[COL_AMOUNT], fl[COL_AMOUNT]);
			why = xasprintf("%d: bad amount '%s': %s", rec.line, show(q, sizeof q, t),
			    awhy);
			free(t);
			goto fail;
		}
		if (budget_add(&magnitude, r.amount < 0 ? -r.amount : r.amount) != 0) {
			why = xasprintf("%d: the amounts add up to more than %lld won with this "
			    "row", rec.line, (long long)BUDGET_MAX_AMOUNT);
			goto fail;
		}
		r.programme = norm_text(fv[COL_PROGRAMME], fl[COL_PROGRAMME]);
		if (r.programme[0] == '\0') {
			why = xasprintf("%d: the programme is empty", rec.line);
			free(r.programme);
			goto fail;
		}
		r.item = norm_text(fv[COL_ITEM], fl[COL_ITEM]);
		r.vendor = norm_text(fv[COL_VENDOR], fl[COL_VENDOR]);
		r.memo = norm_text(fv[COL_MEMO], fl[COL_MEMO]);
		if (out->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			out->rows = xreallocarray(out->rows, cap, sizeof *out->rows);
		}
		out->rows[out->nrows++] = r;
	}
	if (rc < 0)
		goto fail;
	for (int i = 0; i < LEDGER_MAX_COLS; i++)
		buf_free(&rec.f[i]);
	ledger_keys(out);
	return 0;
fail:
	for (int i = 0; i < LEDGER_MAX_COLS; i++)
		buf_free(&rec.f[i]);
	ledger_free(out);
	*cause = why;
	return -1;
}

/*
 * See budget.h. Keys are recomputed with the ids, so a row written with
 * names and the same row written with ids are one row.
 */
int
ledger_resolve(struct ledger *l, const struct budget_plan *p, char **cause)
{
	char q[64];

	for (size_t i = 0; i < l->nrows; i++) {
		struct ledger_row *r = &l->rows[i];
		const struct budget_programme *pg = budget_find_programme(p, r->programme);
		if (pg == NULL) {
			*cause = xasprintf("%d: unknown programme '%s' (not in the plan %s)",
			    r->line, show(q, sizeof q, r->programme), p->path);
			return -1;
		}
		const struct budget_item *it = NULL;
		if (r->item[0] != '\0' && (it = budget_find_item(pg, r->item)) == NULL) {
			*cause = xasprintf("%d: unknown item '%s' in programme '%s'", r->line,
			    show(q, sizeof q, r->item), pg->id);
			return -1;
		}
		free(r->programme);
		r->programme = xstrdup(pg->id);
		if (it != NULL) {
			free(r->item);
			r->item = xstrdup(it->id);
		}
	}
	ledger_keys(l);
	return 0;
}
