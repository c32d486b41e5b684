/*
 * budget.c: the budget plan in YAML (man/opsdeck-budget.5) to struct
 * budget_plan. Amounts and dates are budget_amount.c's, the lookups in a
 * plan budget_lookup.c's.
 *
 * The plan parser works as config.c does, in two steps: yamltree_parse()
 * (yamltree.h) builds a small node tree with 1-based positions, refusing
 * anchors and aliases, nesting deeper than BUDGET_MAX_DEPTH, scalars longer
 * than BUDGET_MAX_STRING and more than one document. Then the bp_* walkers
 * check the tree against the schema and fill the structs, adding every
 * problem to the struct diag as FILE:LINE:COL instead of stopping at the
 * first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"
#include "budget_int.h"

/* ---- names -------------------------------------------------------------- */

static const char *const period_names[] = { "month", "quarter", "year", "total", NULL };
static const char *const kind_names[] = { "company", "research", NULL };
static const char *const funding_names[] = { "national", "city", "private", NULL };

const char *
budget_period_name(enum budget_period p)
{
	return (unsigned)p < 4 ? period_names[p] : "?";
}

const char *
tenant_kind_name(enum tenant_kind k)
{
	return (unsigned)k < 2 ? kind_names[k] : "?";
}

const char *
budget_funding_name(enum budget_funding f)
{
	return (unsigned)f < FUND_COUNT ? funding_names[f] : "?";
}

/* ---- the node tree (yamltree.h) ---------------------------------------- */

/*
 * Plans have always taken only a plain empty, "~" or "null" scalar as null
 * ("Null" and "NULL" are strings here); these two keep that.
 */
static int
bn_is_null(const struct ynode *n)
{
	return yn_is_null(n) && strcmp(n->s, "Null") != 0 && strcmp(n->s, "NULL") != 0;
}

static const char *
bn_type_name(const struct ynode *n)
{
	return n->type == YN_SCALAR && !bn_is_null(n) ? "a string" : yn_type_name(n);
}

struct bp {
	struct diag	*d;
	struct budget_plan *p;
	char		 show[4][200];
	int		 nshow;
};

/* A sanitised, cut copy of a scalar for a message; valid for four more calls. */
static const char *
bp_show(struct bp *x, const char *s, size_t len)
{
	char *out = x->show[x->nshow++ % 4];
	size_t o = sanitize_text(out, 80, s, len);
	if (len > 60 || o >= 79)
		snprintf(out + OD_MIN(o, 60), sizeof x->show[0] - OD_MIN(o, 60), "...");
	return out;
}

/* bp_show() for yamltree_parse(): arg is the struct bp. */
static const char *
bp_show_name(void *arg, const char *s, size_t len)
{
	return bp_show(arg, s, len);
}

/* ---- schema helpers ----------------------------------------------------- */

/* "a, b or c" of words[] into the show buffers. */
static const char *
bp_join(struct bp *x, const char *const *words)
{
	return yamltree_join(x->show[x->nshow++ % 4], sizeof x->show[0], words, " or ");
}

/* The plan's wording of a key problem (yamltree_keys); malloc'd. */
static char *
bp_key_msg(void *arg, const struct yamltree_key_issue *is)
{
	struct bp *x = arg;
	const struct ynode *k = is->key;

	switch (is->problem) {
	case YAMLTREE_KEY_NOT_STRING:
		return xasprintf("a key in %s must be a string, not %s", is->where,
		    bn_type_name(k));
	case YAMLTREE_KEY_UNKNOWN:
		return xasprintf("unknown key '%s' in %s (known: %s)", bp_show(x, k->s, k->len),
		    is->where, bp_join(x, is->words));
	default:
		return xasprintf("'%s' given twice in %s (first at line %d)", k->s, is->where,
		    is->first->line);
	}
}

/*
 * Checks that m is a map whose keys are strings among words[], each once.
 * Returns a malloc'd flag per pair (1: use it; a pair whose value is YN_BAD
 * is not used), or NULL when m is not a map (reported as `what`).
 */
static char *
bp_keys(struct bp *x, const struct ynode *m, const char *what, const char *const *words)
{
	const struct yamltree_keys_style style = { .skip_bad_values = 1,
	    .message = bp_key_msg, .arg = x };

	if (m->type == YN_BAD)
		return NULL;
	if (m->type != YN_MAP) {
		yn_err(x->d, m, "%s must be a map, not %s", what, bn_type_name(m));
		return NULL;
	}
	return yamltree_keys(m, words, what, &style, x->d);
}

/* A non-empty string scalar into *out (replaced). 0 or -1 (reported). */
static int
bp_string(struct bp *x, const char *key, const struct ynode *v, char **out)
{
	if (v->type != YN_SCALAR || bn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be a string, not %s", key, bn_type_name(v));
		return -1;
	}
	char tmp[BUDGET_MAX_STRING + 1];
	sanitize_text(tmp, sizeof tmp, v->s, v->len);
	free(*out);
	*out = xstrdup(tmp);
	return 0;
}

/* An id: [A-Za-z0-9_.-], 1..BUDGET_ID_MAX-1 bytes. */
static int
bp_id(struct bp *x, const char *key, const struct ynode *v, char **out)
{
	if (v->type != YN_SCALAR || bn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be an id, not %s", key, bn_type_name(v));
		return -1;
	}
	int ok = v->len > 0 && v->len < BUDGET_ID_MAX;
	for (size_t i = 0; ok && i < v->len; i++) {
		char c = v->s[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || c == '.';
	}
	if (!ok) {
		yn_err(x->d, v, "'%s' must be an id of letters, digits, '_', '-' or '.' "
		    "(at most %d bytes), not '%s'", key, BUDGET_ID_MAX - 1,
		    bp_show(x, v->s, v->len));
		return -1;
	}
	free(*out);
	*out = xstrdup(v->s);
	return 0;
}

/*
 * An amount scalar into *out; 0, or -1 after reporting it at v.
 */
static int
bp_amount(struct bp *x, const char *key, const struct ynode *v, int64_t *out)
{
	const char *why;

	if (v->type != YN_SCALAR || bn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be an amount such as 2559억, not %s", key,
		    bn_type_name(v));
		return -1;
	}
	if (budget_parse_amount(v->s, v->len, 0, out, &why) != 0) {
		yn_err(x->d, v, "'%s': bad amount '%s': %s", key, bp_show(x, v->s, v->len), why);
		return -1;
	}
	return 0;
}

/*
 * A YYYY-MM-DD scalar into *out; 0, or -1 after reporting it at v.
 */
static int
bp_date(struct bp *x, const char *key, const struct ynode *v, int32_t *out)
{
	if (v->type != YN_SCALAR || budget_date_parse(v->s, v->len, out) != 0) {
		yn_err(x->d, v, "'%s' must be a date YYYY-MM-DD, not '%s'", key,
		    v->type == YN_SCALAR ? bp_show(x, v->s, v->len) : bn_type_name(v));
		return -1;
	}
	return 0;
}

/* A non-negative number of hours: digits, commas, decimals ("12,000", "2.5"). */
static int
bp_hours(struct bp *x, const char *key, const struct ynode *v, double *out)
{
	uint64_t mant;
	int fdig;
	size_t i = 0;
	const char *why = "expected a number of hours";

	if (v->type == YN_SCALAR && budget_amount_number(v->s, v->len, &i, &mant, &fdig, &why) == 0 &&
	    i == v->len && mant < (UINT64_C(1) << 53)) {
		double d = (double)mant;
		for (int k = 0; k < fdig; k++)
			d /= 10;
		*out = d;
		return 0;
	}
	yn_err(x->d, v, "'%s' must be a number of hours (0 or more), not '%s'", key,
	    v->type == YN_SCALAR ? bp_show(x, v->s, v->len) : bn_type_name(v));
	return -1;
}

/* "70%", "70", "12.5%" as basis points (0..10000). */
static int
bp_share(struct bp *x, const char *key, const struct ynode *v, int *bp)
{
	uint64_t mant;
	int fdig;
	size_t i = 0, n = v->len;
	const char *why;

	if (v->type == YN_SCALAR && n > 0 && v->s[n - 1] == '%')
		n--;
	if (v->type == YN_SCALAR && budget_amount_number(v->s, n, &i, &mant, &fdig, &why) == 0 &&
	    i == n && fdig <= 2) {
		for (int k = fdig; k < 2; k++)
			mant *= 10;
		if (mant <= 10000) {
			*bp = (int)mant;
			return 0;
		}
	}
	yn_err(x->d, v, "'%s' must be a share such as 70%%, not '%s'", key,
	    v->type == YN_SCALAR ? bp_show(x, v->s, v->len) : bn_type_name(v));
	return -1;
}

/* ---- plan sections ------------------------------------------------------ */

static const char *const top_keys[] = {
	"name", "start", "end", "total", "private_investment", "funding", "programmes",
	"tenants", "rates", NULL
};
static const char *const programme_keys[] = { "id", "name", "allocation", "items", NULL };
static const char *const item_keys[] = { "id", "name", "allocation", "years", NULL };
static const char *const tenant_keys[] = {
	"id", "name", "kind", "programme", "accounts", "period", "gpu_hours", "node_hours",
	"rates", NULL
};
static const char *const rate_keys[] = { "gpu_hour", "node_hour", NULL };

static int
year_cmp(const void *a, const void *b)
{
	const struct budget_year *ya = a, *yb = b;
	return (ya->year > yb->year) - (ya->year < yb->year);
}

/* The `years` map of an item: YEAR: AMOUNT. */
static void
bp_years(struct bp *x, const struct ynode *v, struct budget_item *it)
{
	if (v->type != YN_MAP) {
		yn_err(x->d, v, "'years' must be a map of YEAR: AMOUNT, not %s", bn_type_name(v));
		return;
	}
	int64_t sum = 0;
	for (size_t i = 0; i + 1 < v->nkids; i += 2) {
		const struct ynode *k = v->kids[i], *a = v->kids[i + 1];
		int year = 0, ok = k->type == YN_SCALAR && k->len == 4;
		for (size_t j = 0; ok && j < 4; j++) {
			ok = k->s[j] >= '0' && k->s[j] <= '9';
			year = year * 10 + (k->s[j] - '0');
		}
		if (!ok || year < 1900 || year > 2999) {
			yn_err(x->d, k, "a key in 'years' must be a year such as 2021, not '%s'",
			    k->type == YN_SCALAR ? bp_show(x, k->s, k->len) : bn_type_name(k));
			continue;
		}
		int dup = 0;
		for (size_t j = 0; j < it->nyears; j++)
			dup |= it->years[j].year == year;
		if (dup) {
			yn_err(x->d, k, "year %d given twice", year);
			continue;
		}
		int64_t amt;
		if (a->type == YN_BAD || bp_amount(x, "years", a, &amt) != 0)
			continue;
		if (budget_add(&sum, amt) != 0) {
			yn_err(x->d, a, "the years of item '%s' add up to too much", it->id);
			continue;
		}
		it->years = xreallocarray(it->years, it->nyears + 1, sizeof *it->years);
		it->years[it->nyears].year = year;
		it->years[it->nyears].amount = amt;
		it->nyears++;
		if (it->allocation >= 0 && sum > it->allocation)
			yn_err(x->d, a, "the years of item '%s' add up to more than its "
			    "allocation",
			    it->id != NULL ? it->id : "?");
	}
	if (it->nyears > 1)
		qsort(it->years, it->nyears, sizeof *it->years, year_cmp);
}

/*
 * One item of a programme's `items`; appended to pg when it has an id and an
 * allocation (errors are reported either way).
 */
static void
bp_item(struct bp *x, const struct ynode *m, struct budget_programme *pg)
{
	struct budget_item it = { .allocation = -1, .line = m->line, .col = m->col };
	char *use = bp_keys(x, m, "an item", item_keys);
	const struct ynode *v;

	if (use == NULL)
		return;
	if ((v = yn_get(m, "id")) == NULL)
		yn_err(x->d, m, "an item needs an 'id'");
	else if (v->type != YN_BAD)
		bp_id(x, "id", v, &it.id);
	if ((v = yn_get(m, "name")) != NULL && v->type != YN_BAD)
		bp_string(x, "name", v, &it.name);
	if ((v = yn_get(m, "allocation")) == NULL)
		yn_err(x->d, m, "item '%s' needs an 'allocation'", it.id != NULL ? it.id : "?");
	else if (v->type != YN_BAD && bp_amount(x, "allocation", v, &it.allocation) != 0)
		it.allocation = -1;
	if ((v = yn_get(m, "years")) != NULL && v->type != YN_BAD)
		bp_years(x, v, &it);
	free(use);
	if (it.id != NULL) {
		for (size_t i = 0; i < pg->nitems; i++) {
			if (strcmp(pg->items[i].id, it.id) == 0) {
				yn_err(x->d, yn_get(m, "id"), "item '%s' given twice in programme "
				    "'%s' (first at line %d)", it.id, pg->id ? pg->id : "?",
				    pg->items[i].line);
				free(it.id);
				it.id = NULL;
				break;
			}
		}
	}
	if (it.id == NULL || it.allocation < 0) {
		free(it.id);
		free(it.name);
		free(it.years);
		return;
	}
	if (it.name == NULL)
		it.name = xstrdup(it.id);
	pg->items = xreallocarray(pg->items, pg->nitems + 1, sizeof *pg->items);
	pg->items[pg->nitems++] = it;
}

static void
item_free(struct budget_item *it)
{
	free(it->id);
	free(it->name);
	free(it->years);
}

static void
programme_free(struct budget_programme *pg)
{
	for (size_t i = 0; i < pg->nitems; i++)
		item_free(&pg->items[i]);
	free(pg->items);
	free(pg->id);
	free(pg->name);
}

/*
 * One programme; appended to x->p unless its id or allocation is unusable.
 * Its allocation defaults to the sum of its items; the items may not exceed it.
 */
static void
bp_programme(struct bp *x, const struct ynode *m)
{
	struct budget_programme pg = { .allocation = -1, .line = m->line, .col = m->col };
	char *use = bp_keys(x, m, "a programme", programme_keys);
	const struct ynode *v, *alloc_at;
	int bad = 0;

	if (use == NULL)
		return;
	if ((v = yn_get(m, "id")) == NULL) {
		yn_err(x->d, m, "a programme needs an 'id'");
		bad = 1;
	} else if (v->type == YN_BAD || bp_id(x, "id", v, &pg.id) != 0) {
		bad = 1;
	}
	if ((v = yn_get(m, "name")) != NULL && v->type != YN_BAD)
		bp_string(x, "name", v, &pg.name);
	if ((alloc_at = yn_get(m, "allocation")) != NULL && alloc_at->type != YN_BAD &&
	    bp_amount(x, "allocation", alloc_at, &pg.allocation) != 0)
		bad = 1;
	if ((v = yn_get(m, "items")) != NULL && v->type != YN_BAD) {
		if (v->type != YN_SEQ) {
			yn_err(x->d, v, "'items' must be a list of items, not %s",
			    bn_type_name(v));
		} else {
			for (size_t i = 0; i < v->nkids && i < BUDGET_MAX_ENTRIES; i++)
				bp_item(x, v->kids[i], &pg);
			if (v->nkids > BUDGET_MAX_ENTRIES)
				yn_err(x->d, v, "more than %d items", BUDGET_MAX_ENTRIES);
		}
	}
	free(use);
	int64_t sum = 0;
	for (size_t i = 0; i < pg.nitems; i++) {
		if (budget_add(&sum, pg.items[i].allocation) != 0) {
			/* the item that tipped it, where it is written */
			diag_add(x->d, pg.items[i].line, pg.items[i].col, "the items of programme "
			    "'%s' add up to more than %lld won with item '%s'",
			    pg.id != NULL ? pg.id : "?", (long long)BUDGET_MAX_AMOUNT,
			    pg.items[i].id);
			bad = 1;
			break;
		}
	}
	if (pg.allocation < 0 && alloc_at == NULL) {
		if (pg.nitems == 0 && !bad) {
			yn_err(x->d, m, "programme '%s' needs an 'allocation' or 'items'",
			    pg.id != NULL ? pg.id : "?");
			bad = 1;
		}
		pg.allocation = sum;
	} else if (pg.allocation >= 0 && sum > pg.allocation) {
		char a[64], b[64];
		budget_eok_msg(a, sizeof a, sum);
		budget_eok_msg(b, sizeof b, pg.allocation);
		yn_err(x->d, alloc_at, "the items of programme '%s' add up to %s, more than its "
		    "allocation of %s", pg.id != NULL ? pg.id : "?", a, b);
	}
	if (pg.allocation > BUDGET_MAX_AMOUNT) {
		yn_err(x->d, m, "programme '%s': allocation too large", pg.id ? pg.id : "?");
		bad = 1;
	}
	struct budget_plan *p = x->p;
	for (size_t i = 0; !bad && i < p->nprogrammes; i++) {
		if (strcmp(p->programmes[i].id, pg.id) == 0) {
			yn_err(x->d, yn_get(m, "id"), "programme '%s' given twice "
			    "(first at line %d)",
			    pg.id, p->programmes[i].line);
			bad = 1;
		}
	}
	if (bad || pg.allocation < 0) {
		programme_free(&pg);
		return;
	}
	if (pg.name == NULL)
		pg.name = xstrdup(pg.id);
	p->programmes = xreallocarray(p->programmes, p->nprogrammes + 1, sizeof *p->programmes);
	p->programmes[p->nprogrammes++] = pg;
}

/* `rates: {gpu_hour: AMOUNT, node_hour: AMOUNT}` */
static void
bp_rates(struct bp *x, const struct ynode *v, int64_t *gpu, int64_t *node)
{
	char *use = bp_keys(x, v, "'rates'", rate_keys);
	const struct ynode *r;

	if (use == NULL)
		return;
	if ((r = yn_get(v, "gpu_hour")) != NULL && r->type != YN_BAD)
		bp_amount(x, "gpu_hour", r, gpu);
	if ((r = yn_get(v, "node_hour")) != NULL && r->type != YN_BAD)
		bp_amount(x, "node_hour", r, node);
	free(use);
}

static void
tenant_free(struct budget_tenant *t)
{
	free(t->id);
	free(t->name);
	free(t->programme);
	for (size_t i = 0; i < t->naccounts; i++)
		free(t->accounts[i]);
	free(t->accounts);
}

/* One tenant; programme references are checked after every programme is read. */
static void
bp_tenant(struct bp *x, const struct ynode *m, int64_t rate_gpu, int64_t rate_node)
{
	struct budget_tenant t = { .line = m->line, .col = m->col,
	    .rate_gpu_hour = rate_gpu, .rate_node_hour = rate_node };
	char *use = bp_keys(x, m, "a tenant", tenant_keys);
	const struct ynode *v;
	int bad = 0;

	if (use == NULL)
		return;
	if ((v = yn_get(m, "id")) == NULL) {
		yn_err(x->d, m, "a tenant needs an 'id'");
		bad = 1;
	} else if (v->type == YN_BAD || bp_id(x, "id", v, &t.id) != 0) {
		bad = 1;
	}
	if ((v = yn_get(m, "name")) != NULL && v->type != YN_BAD)
		bp_string(x, "name", v, &t.name);
	if ((v = yn_get(m, "kind")) != NULL && v->type != YN_BAD) {
		int k = v->type == YN_SCALAR ? yamltree_word_index(v->s, kind_names) : -1;
		if (k < 0) {
			yn_err(x->d, v, "'kind' must be %s, not '%s'", bp_join(x, kind_names),
			    v->type == YN_SCALAR ? bp_show(x, v->s, v->len) : bn_type_name(v));
			bad = 1;
		} else {
			t.kind = (enum tenant_kind)k;
		}
	}
	if ((v = yn_get(m, "programme")) != NULL && v->type != YN_BAD) {
		if (bp_id(x, "programme", v, &t.programme) != 0) {
			bad = 1;
		} else if (budget_find_programme(x->p, t.programme) == NULL) {
			yn_err(x->d, v, "unknown programme '%s'", t.programme);
			bad = 1;
		}
	}
	t.period = PERIOD_MONTH;
	if ((v = yn_get(m, "period")) != NULL && v->type != YN_BAD) {
		int k = v->type == YN_SCALAR ? yamltree_word_index(v->s, period_names) : -1;
		if (k < 0) {
			yn_err(x->d, v, "'period' must be %s, not '%s'", bp_join(x, period_names),
			    v->type == YN_SCALAR ? bp_show(x, v->s, v->len) : bn_type_name(v));
			bad = 1;
		} else {
			t.period = (enum budget_period)k;
		}
	}
	if ((v = yn_get(m, "gpu_hours")) != NULL && v->type != YN_BAD &&
	    bp_hours(x, "gpu_hours", v, &t.gpu_hours) != 0)
		bad = 1;
	if ((v = yn_get(m, "node_hours")) != NULL && v->type != YN_BAD &&
	    bp_hours(x, "node_hours", v, &t.node_hours) != 0)
		bad = 1;
	if ((v = yn_get(m, "rates")) != NULL && v->type != YN_BAD)
		bp_rates(x, v, &t.rate_gpu_hour, &t.rate_node_hour);
	if ((v = yn_get(m, "accounts")) != NULL && v->type != YN_BAD) {
		if (v->type != YN_SEQ || v->nkids == 0) {
			yn_err(x->d, v, "'accounts' must be a list of Slurm account names");
			bad = 1;
		} else {
			for (size_t i = 0; i < v->nkids && i < 256; i++) {
				char *acc = NULL;
				if (v->kids[i]->type == YN_BAD ||
				    bp_id(x, "accounts", v->kids[i], &acc) != 0) {
					bad = 1;
					continue;
				}
				const struct budget_tenant *o = budget_find_account(x->p, acc);
				if (o != NULL)
					yn_err(x->d, v->kids[i], "account '%s' is already "
					    "charged to tenant '%s' (line %d)", acc, o->id,
					    o->line);
				t.accounts = xreallocarray(t.accounts, t.naccounts + 1,
				    sizeof *t.accounts);
				t.accounts[t.naccounts++] = acc;
			}
		}
	}
	free(use);
	for (size_t i = 0; !bad && i < x->p->ntenants; i++) {
		if (strcmp(x->p->tenants[i].id, t.id) == 0) {
			yn_err(x->d, yn_get(m, "id"), "tenant '%s' given twice (first at line %d)",
			    t.id, x->p->tenants[i].line);
			bad = 1;
		}
	}
	if (bad) {
		tenant_free(&t);
		return;
	}
	if (t.naccounts == 0) {
		if (budget_find_account(x->p, t.id) != NULL)
			yn_err(x->d, yn_get(m, "id"), "account '%s' is already charged to another "
			    "tenant", t.id);
		t.accounts = xcalloc(1, sizeof *t.accounts);
		t.accounts[0] = xstrdup(t.id);
		t.naccounts = 1;
	}
	if (t.name == NULL)
		t.name = xstrdup(t.id);
	x->p->tenants = xreallocarray(x->p->tenants, x->p->ntenants + 1, sizeof *x->p->tenants);
	x->p->tenants[x->p->ntenants++] = t;
}

/*
 * `funding: {national, city, private}`: shares that must add up to 100%.
 */
static void
bp_funding(struct bp *x, const struct ynode *v)
{
	char *use = bp_keys(x, v, "'funding'", funding_names);
	int sum = 0, any = 0;

	if (use == NULL)
		return;
	for (int f = 0; f < FUND_COUNT; f++) {
		const struct ynode *s = yn_get(v, funding_names[f]);
		if (s == NULL || s->type == YN_BAD)
			continue;
		if (bp_share(x, funding_names[f], s, &x->p->funding_bp[f]) == 0) {
			sum += x->p->funding_bp[f];
			any = 1;
		} else {
			any = -1;
		}
	}
	free(use);
	if (any == 1 && sum != 10000)
		yn_err(x->d, v, "the funding shares add up to %d.%02d%%, not 100%%", sum / 100,
		    sum % 100);
}

/*
 * The top-level map: every section, then the totals; tenants last, so their
 * `programme` references can be checked against every programme.
 */
static void
bp_top(struct bp *x, const struct ynode *root)
{
	const struct ynode *v, *total_at = NULL;
	struct budget_plan *p = x->p;
	int64_t rate_gpu = 0, rate_node = 0;

	if (root == NULL || bn_is_null(root)) {
		diag_add(x->d, 0, 0, "empty budget plan: expected a map with 'programmes'");
		return;
	}
	char *use = bp_keys(x, root, "the plan", top_keys);
	if (use == NULL)
		return;
	p->start_day = p->end_day = BUDGET_NO_DAY;
	if ((v = yn_get(root, "name")) != NULL && v->type != YN_BAD)
		bp_string(x, "name", v, &p->name);
	if ((v = yn_get(root, "start")) != NULL && v->type != YN_BAD)
		bp_date(x, "start", v, &p->start_day);
	if ((v = yn_get(root, "end")) != NULL && v->type != YN_BAD &&
	    bp_date(x, "end", v, &p->end_day) == 0 && p->start_day != BUDGET_NO_DAY &&
	    p->end_day < p->start_day)
		yn_err(x->d, v, "'end' is before 'start'");
	if ((v = yn_get(root, "rates")) != NULL && v->type != YN_BAD)
		bp_rates(x, v, &rate_gpu, &rate_node);
	if ((v = yn_get(root, "funding")) != NULL && v->type != YN_BAD)
		bp_funding(x, v);
	if ((v = yn_get(root, "private_investment")) != NULL && v->type != YN_BAD)
		bp_amount(x, "private_investment", v, &p->private_investment);
	if ((v = yn_get(root, "programmes")) == NULL) {
		yn_err(x->d, root, "missing 'programmes': list the programmes of the plan");
	} else if (v->type == YN_SEQ) {
		if (v->nkids == 0)
			yn_err(x->d, v, "'programmes' is empty");
		for (size_t i = 0; i < v->nkids && i < BUDGET_MAX_ENTRIES; i++)
			bp_programme(x, v->kids[i]);
		if (v->nkids > BUDGET_MAX_ENTRIES)
			yn_err(x->d, v, "more than %d programmes", BUDGET_MAX_ENTRIES);
	} else if (v->type != YN_BAD) {
		yn_err(x->d, v, "'programmes' must be a list, not %s", bn_type_name(v));
	}
	p->programmes_sum = 0;
	for (size_t i = 0; i < p->nprogrammes; i++) {
		if (budget_add(&p->programmes_sum, p->programmes[i].allocation) != 0) {
			diag_add(x->d, p->programmes[i].line, p->programmes[i].col,
			    "the programmes add up to more than %lld won with programme '%s'",
			    (long long)BUDGET_MAX_AMOUNT, p->programmes[i].id);
			break;
		}
	}
	p->total = p->programmes_sum;
	if ((total_at = yn_get(root, "total")) != NULL && total_at->type != YN_BAD &&
	    bp_amount(x, "total", total_at, &p->total) == 0 && p->total < p->programmes_sum) {
		char a[64], b[64];
		budget_eok_msg(a, sizeof a, p->programmes_sum);
		budget_eok_msg(b, sizeof b, p->total);
		yn_err(x->d, total_at, "the programmes add up to %s, more than the total of %s",
		    a, b);
	}
	if (p->private_investment > BUDGET_MAX_AMOUNT - p->total)
		yn_err(x->d, root, "total plus private investment is too large");
	if ((v = yn_get(root, "tenants")) != NULL && v->type != YN_BAD) {
		if (v->type != YN_SEQ) {
			yn_err(x->d, v, "'tenants' must be a list, not %s", bn_type_name(v));
		} else {
			for (size_t i = 0; i < v->nkids && i < BUDGET_MAX_ENTRIES; i++)
				bp_tenant(x, v->kids[i], rate_gpu, rate_node);
			if (v->nkids > BUDGET_MAX_ENTRIES)
				yn_err(x->d, v, "more than %d tenants", BUDGET_MAX_ENTRIES);
		}
	}
	free(use);
}

/*
 * See budget.h. Errors added by this call are sorted into file order.
 */
struct budget_plan *
budget_plan_parse(const char *name, const char *text, size_t len, struct diag *d)
{
	struct bp x;
	size_t before = diag_count(d) + d->dropped;
	size_t first = d->n;
	int failed;

	memset(&x, 0, sizeof x);
	x.d = d;
	x.p = xcalloc(1, sizeof *x.p);
	x.p->path = xstrdup(name != NULL ? name : "(plan)");
	if (len > BUDGET_MAX_BYTES) {
		diag_add(d, 0, 0, "plan larger than %d bytes", BUDGET_MAX_BYTES);
		budget_plan_free(x.p);
		return NULL;
	}
	const struct yamltree_limits lim = {
		.max_depth = BUDGET_MAX_DEPTH,
		.max_string = BUDGET_MAX_STRING,
		.one_document = "a plan is one document",
		.errors = YAMLTREE_ERR_READER_AT,
		.show = bp_show_name,
		.show_arg = &x,
	};
	struct ynode *root = yamltree_parse(text, len, &lim, d, &failed);
	if (!failed)
		bp_top(&x, root);
	yn_free(root);
	yamltree_sort_diag(d, first);
	if (diag_count(d) + d->dropped != before) {
		budget_plan_free(x.p);
		return NULL;
	}
	return x.p;
}

/*
 * See budget.h: read_file (capped) then budget_plan_parse. A file that
 * cannot be read is one diagnostic without a position.
 */
struct budget_plan *
budget_plan_load(const char *path, struct diag *d)
{
	char *text = NULL, *cause = NULL;
	size_t len = 0;

	if (read_file(path, BUDGET_MAX_BYTES, &text, &len, &cause) != 0) {
		diag_add(d, 0, 0, "%s", cause);
		free(cause);
		return NULL;
	}
	struct budget_plan *p = budget_plan_parse(path, text, len, d);
	free(text);
	return p;
}

void
budget_plan_free(struct budget_plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nprogrammes; i++)
		programme_free(&p->programmes[i]);
	free(p->programmes);
	for (size_t i = 0; i < p->ntenants; i++)
		tenant_free(&p->tenants[i]);
	free(p->tenants);
	free(p->name);
	free(p->path);
	free(p);
}
