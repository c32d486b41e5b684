/*
 * test_budget.c: amounts in won, civil dates in Asia/Seoul, and the budget
 * plan parser: the DOMAIN.md plan (examples/budget.yaml) sums right,
 * malformed amounts and unknown programmes are reported at FILE:LINE:COL,
 * and what the parser refuses (aliases, depth, size, duplicates).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/buf.h"
#include "opsdeck/util.h"

#define EOK ((int64_t)100000000)

static int64_t
amount(const char *s)
{
	int64_t v = -1;
	const char *why = NULL;
	if (budget_parse_amount(s, strlen(s), AMOUNT_NEGATIVE, &v, &why) != 0)
		fail_msg("'%s' refused: %s", s, why);
	return v;
}

static void
test_amounts(void **state)
{
	(void)state;
	assert_int_equal(amount("2559억"), 2559 * EOK);
	assert_int_equal(amount("2,559억"), 2559 * EOK);
	assert_int_equal(amount("1,000억원"), 1000 * EOK);
	assert_int_equal(amount("2.5조"), 2500000000000LL);
	assert_int_equal(amount("3조 2,000억 원"), 3200000000000LL);
	assert_int_equal(amount("1억 5천만원"), 150000000);
	assert_int_equal(amount("5000만원"), 50000000);
	assert_int_equal(amount("3백만원"), 3000000);
	assert_int_equal(amount("1200000"), 1200000);
	assert_int_equal(amount("1,200,000"), 1200000);
	assert_int_equal(amount("1,200,000원"), 1200000);
	assert_int_equal(amount("  12억  "), 12 * EOK);
	assert_int_equal(amount("0"), 0);
	assert_int_equal(amount("-2000만원"), -20000000);
	assert_int_equal(amount("0.5억"), 50000000);
	assert_int_equal(amount("1.23456789억"), 123456789);
	assert_int_equal(amount("1000000조"), 1000000000000000000LL);	/* the cap itself */
}

static void
test_bad_amounts(void **state)
{
	static const struct {
		const char *s;
		const char *why;
	} bad[] = {
		{ "", "empty amount" },
		{ "억", "expected a number" },
		{ "원", "expected a number before 원" },
		{ "1,00억", "misplaced thousands separator" },
		{ "1000,000", "misplaced thousands separator" },
		{ ",100", "expected a number" },
		{ "1,", "misplaced thousands separator" },
		{ "2.5", "not a whole number of won" },
		{ "0.000000001억", "not a whole number of won" },
		{ "1.", "expected digits after the decimal point" },
		{ "5000만 1억", "units must go from the largest down" },
		{ "1억 2억", "units must go from the largest down" },
		{ "12억 오천만", "expected a number" },
		{ "12 dollars", "unknown unit" },
		{ "12$", "unknown unit" },
		{ "100원 5", "unexpected text after 원" },
		{ "100 5", "unexpected text after the amount" },
		{ "99999999999조", "amount too large" },
		{ "1000001조", "amount too large" },
		{ "99999999999999999999999", "amount too large" },
		{ "1e9", "unknown unit" },
		{ "--1억", "expected a number" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		const char *why = NULL;
		if (budget_parse_amount(bad[i].s, strlen(bad[i].s), AMOUNT_NEGATIVE, &v, &why) == 0)
			fail_msg("'%s' accepted as %lld", bad[i].s, (long long)v);
		if (why == NULL || strstr(why, bad[i].why) == NULL)
			fail_msg("'%s': reason '%s', expected '%s'", bad[i].s, why ? why : "(null)",
			    bad[i].why);
	}
	/* a plan's amounts cannot be negative */
	int64_t v;
	const char *why;
	assert_int_equal(budget_parse_amount("-1억", 5, 0, &v, &why), -1);
	/* the length is honoured: no NUL needed, nothing read past it */
	assert_int_equal(budget_parse_amount("12억원XYZ", strlen("12억원"), 0, &v, &why), 0);
	assert_int_equal(v, 12 * EOK);
}

static void
test_format(void **state)
{
	char buf[64];
	(void)state;
	budget_format_eok(buf, sizeof buf, 2559 * EOK, 0);
	assert_string_equal(buf, "2,559억원");
	budget_format_eok(buf, sizeof buf, 393900000000LL, 0);
	assert_string_equal(buf, "3,939억원");
	budget_format_eok(buf, sizeof buf, 275730000000LL, 1);
	assert_string_equal(buf, "2,757.3억원");
	budget_format_eok(buf, sizeof buf, -20000000, 1);
	assert_string_equal(buf, "-0.2억원");
}

static void
test_dates(void **state)
{
	int y, m, d;
	int32_t day;
	char buf[16];
	(void)state;

	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(time_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
	/* every day from 1900 to 2999 round-trips and follows the one before */
	int32_t prev = time_days_from_civil(1899, 12, 31);
	for (int yy = 1900; yy <= 2999; yy++) {
		for (int mm = 1; mm <= 12; mm++) {
			for (int dd = 1; dd <= 31; dd++) {
				char s[16];
				snprintf(s, sizeof s, "%04d-%02d-%02d", yy, mm, dd);
				if (budget_date_parse(s, 10, &day) != 0)
					continue;
				assert_int_equal(day, prev + 1);
				prev = day;
				time_civil_from_days(day, &y, &m, &d);
				assert_true(y == yy && m == mm && d == dd);
				budget_date_format(day, buf, sizeof buf);
				assert_string_equal(buf, s);
			}
		}
	}
	assert_int_equal(prev, time_days_from_civil(2999, 12, 31));
	assert_int_equal(budget_date_parse("2020-02-29", 10, &day), 0);
	assert_int_equal(budget_date_parse("2021-02-29", 10, &day), -1);
	assert_int_equal(budget_date_parse("2000-02-29", 10, &day), 0);
	assert_int_equal(budget_date_parse("1900-02-29", 10, &day), -1);
	assert_int_equal(budget_date_parse("2021-13-01", 10, &day), -1);
	assert_int_equal(budget_date_parse("2021-1-01", 9, &day), -1);
	assert_int_equal(budget_date_parse("2021/01/01", 10, &day), -1);
	assert_int_equal(budget_date_parse("2021-01-01T", 11, &day), -1);
	assert_int_equal(budget_date_parse("2021-04-31", 10, &day), -1);
}

/* Wall-clock instants near midnight in Seoul (UTC+9, no DST). */
static void
test_seoul_days(void **state)
{
	(void)state;
	/* 2021-12-31T14:59:59.999Z is 23:59:59.999 in Seoul */
	int64_t ms = (int64_t)time_days_from_civil(2021, 12, 31) * 86400000 + 14 * 3600000 +
	    59 * 60000 + 59999;
	assert_int_equal(budget_day_from_wall_ms(ms), time_days_from_civil(2021, 12, 31));
	assert_int_equal(budget_day_from_wall_ms(ms + 1), time_days_from_civil(2022, 1, 1));
	/* 2021-02-28T15:00Z is March 1st in Seoul */
	ms = (int64_t)time_days_from_civil(2021, 2, 28) * 86400000 + 15 * 3600000;
	assert_int_equal(budget_day_from_wall_ms(ms), time_days_from_civil(2021, 3, 1));
	assert_int_equal(budget_day_from_wall_ms(ms - 1), time_days_from_civil(2021, 2, 28));
	/* before the epoch: 1969-12-31T15:00Z is 1970-01-01 in Seoul, 14:59:59.999 is not */
	assert_int_equal(budget_day_from_wall_ms(-9 * 3600000), 0);
	assert_int_equal(budget_day_from_wall_ms(-9 * 3600000 - 1), -1);
	/* the process TZ plays no part */
	setenv("TZ", "America/Los_Angeles", 1);
	assert_int_equal(budget_day_from_wall_ms(ms), time_days_from_civil(2021, 3, 1));
	unsetenv("TZ");
}

static struct budget_plan *
parse(const char *text, struct diag *d)
{
	diag_init(d, "plan.yaml");
	return budget_plan_parse("plan.yaml", text, strlen(text), d);
}

static char *
load_text(const char *dir, const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", dir, name), *text, *cause;
	if (read_file(path, BUDGET_MAX_BYTES, &text, len, &cause) != 0)
		fail_msg("%s", cause);
	free(path);
	return text;
}

static const char *
fixtures(void)
{
	const char *f = getenv("FIXTURES");
	return f != NULL ? f : "tests/fixtures";
}

static void
test_domain_plan(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/examples/budget.yaml", top != NULL ? top : ".");
	struct diag d;
	(void)state;

	diag_init(&d, path);
	struct budget_plan *p = budget_plan_load(path, &d);
	if (p == NULL) {
		diag_print(&d, stderr);
		fail_msg("examples/budget.yaml does not parse");
	}
	assert_int_equal(p->total, 3939 * EOK);
	assert_int_equal(p->total + p->private_investment, 4116 * EOK);
	assert_int_equal(p->programmes_sum, 3938 * EOK);
	assert_int_equal(p->nprogrammes, 4);
	static const int64_t eok[] = { 2559, 508, 556, 315 };
	int64_t y2021 = 0;
	for (size_t i = 0; i < 4; i++) {
		const struct budget_programme *pg = &p->programmes[i];
		assert_int_equal(pg->allocation, eok[i] * EOK);
		int64_t items = 0;
		for (size_t j = 0; j < pg->nitems; j++) {
			items += pg->items[j].allocation;
			for (size_t k = 0; k < pg->items[j].nyears; k++)
				if (pg->items[j].years[k].year == 2021)
					y2021 += pg->items[j].years[k].amount;
		}
		assert_int_equal(items, pg->allocation);	/* items cover each programme */
	}
	/* 2021: building 277, data center 209, test beds 239, start-ups 126, talent 53, R&D 124 */
	assert_int_equal(y2021, (277 + 209 + 239 + 126 + 53 + 124) * EOK);
	assert_int_equal(p->funding_bp[FUND_NATIONAL], 7000);
	assert_int_equal(p->funding_bp[FUND_CITY], 2000);
	assert_int_equal(p->funding_bp[FUND_PRIVATE], 1000);
	/* the test-bed equipment is 645 억원, the computing systems about 900 */
	const struct budget_programme *infra = budget_find_programme(p, "infra");
	assert_non_null(infra);
	assert_int_equal(budget_find_item(infra, "testbed")->allocation, 645 * EOK);
	assert_int_equal(budget_find_item(infra, "datacenter")->allocation, 900 * EOK);
	/* 14 R&D projects: energy 4, automotive 4, healthcare 6 */
	int energy = 0, automotive = 0, health = 0, companies = 0;
	for (size_t i = 0; i < p->ntenants; i++) {
		const struct budget_tenant *t = &p->tenants[i];
		if (t->kind == TENANT_COMPANY) {
			companies++;
			continue;
		}
		assert_string_equal(t->programme, "rnd");
		energy += strncmp(t->id, "energy", 6) == 0;
		automotive += strncmp(t->id, "auto", 4) == 0;
		health += strncmp(t->id, "health", 6) == 0;
	}
	assert_int_equal(energy, 4);
	assert_int_equal(automotive, 4);
	assert_int_equal(health, 6);
	assert_true(companies >= 2);
	/* a company's accounts and free compute; default account = id */
	const struct budget_tenant *t = budget_find_account(p, "bitmob-dev");
	assert_non_null(t);
	assert_string_equal(t->id, "co-mobility");
	assert_int_equal(t->rate_gpu_hour, 0);
	assert_string_equal(budget_find_account(p, "energy01")->id, "energy01");
	assert_int_equal(budget_find_account(p, "energy01")->rate_gpu_hour, 3000);
	assert_null(budget_find_account(p, "nobody"));
	budget_plan_free(p);
	diag_free(&d);
	free(path);
}

/* Every diagnostic of d as "L:C: msg" lines. */
static char *
diag_text(const struct diag *d)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < d->n; i++) {
		char *n = xasprintf("%s%d:%d: %s\n", out, d->v[i].line, d->v[i].col, d->v[i].msg);
		free(out);
		out = n;
	}
	return out;
}

static void
assert_diag(const struct diag *d, size_t i, int line, int col, const char *part)
{
	if (i >= d->n) {
		char *all = diag_text(d);
		fail_msg("no diagnostic %zu; have:\n%s", i, all);
	}
	if (d->v[i].line != line || d->v[i].col != col || strstr(d->v[i].msg, part) == NULL) {
		char *all = diag_text(d);
		fail_msg("diagnostic %zu: want %d:%d '%s'; have:\n%s", i, line, col, part, all);
	}
}

static void
test_bad_amounts_plan(void **state)
{
	size_t len;
	char *text = load_text(fixtures(), "budget/bad_amounts.yaml", &len);
	struct diag d;
	(void)state;

	diag_init(&d, "bad_amounts.yaml");
	assert_null(budget_plan_parse("bad_amounts.yaml", text, len, &d));
	assert_int_equal(d.n, 7);
	assert_diag(&d, 0, 2, 8, "'total': bad amount '12억 오천만': expected a number");
	assert_diag(&d, 1, 5, 17, "bad amount '1,00억': misplaced thousands separator");
	assert_diag(&d, 2, 8, 21, "bad amount '2.5': not a whole number of won");
	assert_diag(&d, 3, 10, 21, "cannot be negative");
	assert_diag(&d, 4, 12, 17, "units must go from the largest down");
	assert_diag(&d, 5, 15, 21, "not a whole number of won");
	assert_diag(&d, 6, 17, 17, "amount too large");
	char *first = diag_first(&d);
	assert_string_equal(first, "bad_amounts.yaml:2:8: 'total': bad amount '12억 오천만': "
	    "expected a number");
	free(first);
	diag_free(&d);
	free(text);
}

static void
test_unknown_programme(void **state)
{
	size_t len;
	char *text = load_text(fixtures(), "budget/unknown_programme.yaml", &len);
	struct diag d;
	(void)state;

	diag_init(&d, "u.yaml");
	assert_null(budget_plan_parse("u.yaml", text, len, &d));
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, 9, 16, "unknown programme 'infrastructure'");
	diag_free(&d);
	free(text);
}

static void
test_refused(void **state)
{
	struct diag d;
	struct budget_plan *p;
	(void)state;

	/* anchors and aliases */
	size_t len;
	char *text = load_text(fixtures(), "budget/alias.yaml", &len);
	diag_init(&d, "a.yaml");
	assert_null(budget_plan_parse("a.yaml", text, len, &d));
	assert_diag(&d, 0, 2, 5, "anchors are not allowed");
	assert_diag(&d, 1, 5, 5, "aliases are not allowed");
	diag_free(&d);
	free(text);

	/* nesting: 100,000 '[' stop at the limit at once */
	size_t n = 100000;
	char *deep = xmalloc(n + 1);
	memset(deep, '[', n);
	deep[n] = '\0';
	p = parse(deep, &d);
	assert_null(p);
	assert_non_null(strstr(d.v[0].msg, "nesting deeper than 16"));
	diag_free(&d);
	free(deep);

	/* too large */
	char *big = xmalloc(BUDGET_MAX_BYTES + 2);
	memset(big, '#', BUDGET_MAX_BYTES + 1);
	big[BUDGET_MAX_BYTES + 1] = '\0';
	p = parse(big, &d);
	assert_null(p);
	assert_non_null(strstr(d.v[0].msg, "larger than"));
	diag_free(&d);
	free(big);

	/* two documents */
	p = parse("programmes: [{id: a, allocation: 1억}]\n---\nprogrammes: []\n", &d);
	assert_null(p);
	assert_diag(&d, 0, 2, 1, "more than one YAML document");
	diag_free(&d);

	/* syntax error */
	p = parse("programmes: [\n", &d);
	assert_null(p);
	assert_non_null(strstr(d.v[0].msg, "YAML syntax error"));
	diag_free(&d);

	/* empty */
	p = parse("", &d);
	assert_null(p);
	assert_non_null(strstr(d.v[0].msg, "empty budget plan"));
	diag_free(&d);
}

/*
 * Sums of amounts are checked: nineteen items of 10^18 (the largest amount)
 * are refused at the item that tips the sum, where it is written, instead
 * of wrapping and passing the "more than the allocation" check; so are
 * programmes adding up past 10^18. budget_add itself stays within +-10^18.
 */
static void
test_plan_sums_checked(void **state)
{
	struct diag d;
	struct buf b;
	(void)state;

	buf_init(&b, 0);
	buf_printf(&b, "programmes:\n  - id: big\n    allocation: 1000000000000000000\n"
	    "    items:\n");
	for (int i = 0; i < 19; i++)
		buf_printf(&b, "      - {id: i%02d, allocation: 1000000000000000000}\n", i);
	assert_null(parse(buf_cstr(&b), &d));
	/* line 6 is the second item: 10^18 + 10^18 */
	assert_diag(&d, 0, 6, 9, "the items of programme 'big' add up to more than "
	    "1000000000000000000 won with item 'i01'");
	diag_free(&d);
	buf_free(&b);

	assert_null(parse("programmes:\n  - {id: a, allocation: 600000000000000000}\n"
	    "  - {id: b, allocation: 600000000000000000}\n", &d));
	assert_diag(&d, 0, 3, 5, "the programmes add up to more than 1000000000000000000 won "
	    "with programme 'b'");
	diag_free(&d);

	/* at the limit exactly: fine */
	struct budget_plan *p = parse("programmes:\n  - id: a\n    items:\n"
	    "      - {id: x, allocation: 500000000000000000}\n"
	    "      - {id: y, allocation: 500000000000000000}\n", &d);
	assert_non_null(p);
	assert_int_equal(p->programmes[0].allocation, BUDGET_MAX_AMOUNT);
	budget_plan_free(p);
	diag_free(&d);

	int64_t sum = BUDGET_MAX_AMOUNT - 1;
	assert_int_equal(budget_add(&sum, 1), 0);
	assert_int_equal(sum, BUDGET_MAX_AMOUNT);
	assert_int_equal(budget_add(&sum, 1), -1);
	assert_int_equal(sum, BUDGET_MAX_AMOUNT);
	assert_int_equal(budget_add(&sum, INT64_MAX), -1);
	sum = -BUDGET_MAX_AMOUNT;
	assert_int_equal(budget_add(&sum, -1), -1);
	assert_int_equal(budget_add(&sum, INT64_MIN), -1);
	assert_int_equal(sum, -BUDGET_MAX_AMOUNT);
	assert_int_equal(budget_add_sat(INT64_MAX, 1), INT64_MAX);
	assert_int_equal(budget_add_sat(INT64_MIN, -1), INT64_MIN);
}

static void
test_schema_errors(void **state)
{
	struct diag d;
	(void)state;

	assert_null(parse(
	    "programmes:\n"
	    "  - id: a\n"
	    "    allocation: 10억\n"
	    "    items:\n"
	    "      - {id: x, allocation: 6억}\n"
	    "      - {id: x, allocation: 1억}\n"
	    "      - {id: y, allocation: 5억, years: {2021: 3억, 2022: 3억}}\n"
	    "  - id: a\n"
	    "    allocation: 1억\n"
	    "  - id: 'bad id'\n"
	    "    allocation: 1억\n"
	    "  - id: c\n"
	    "    alocation: 1억\n"
	    "funding: {national: 70%, city: 20%, private: 5%}\n"
	    "total: 5억\n"
	    "tenants:\n"
	    "  - {id: t, kind: person, period: week, gpu_hours: lots}\n", &d));
	assert_diag(&d, 0, 3, 17, "the items of programme 'a' add up to 11억원, more than its "
	    "allocation of 10억원");
	assert_diag(&d, 1, 6, 14, "item 'x' given twice in programme 'a' (first at line 5)");
	assert_diag(&d, 2, 7, 57, "the years of item 'y' add up to more than its allocation");
	assert_diag(&d, 3, 8, 9, "programme 'a' given twice (first at line 2)");
	assert_diag(&d, 4, 10, 9, "'id' must be an id");
	assert_diag(&d, 5, 12, 5, "needs an 'allocation' or 'items'");
	assert_diag(&d, 6, 13, 5, "unknown key 'alocation' in a programme");
	assert_diag(&d, 7, 14, 10, "the funding shares add up to 95.00%, not 100%");
	assert_diag(&d, 8, 15, 8, "more than the total of 5억원");
	assert_diag(&d, 9, 17, 19, "'kind' must be company or research, not 'person'");
	assert_diag(&d, 10, 17, 35, "'period' must be month, quarter, year or total");
	assert_diag(&d, 11, 17, 52, "'gpu_hours' must be a number of hours");
	assert_int_equal(d.n, 12);
	diag_free(&d);

	/* two tenants cannot share a Slurm account */
	assert_null(parse("programmes: [{id: a, allocation: 1억}]\n"
	    "tenants:\n"
	    "  - {id: t1, accounts: [shared]}\n"
	    "  - {id: t2, accounts: [shared]}\n", &d));
	assert_diag(&d, 0, 4, 25, "account 'shared' is already charged to tenant 't1'");
	diag_free(&d);
}

static void
test_tenants(void **state)
{
	size_t len;
	char *text = load_text(fixtures(), "budget/tenants.yaml", &len);
	struct diag d;
	(void)state;

	diag_init(&d, "tenants.yaml");
	struct budget_plan *p = budget_plan_parse("tenants.yaml", text, len, &d);
	if (p == NULL) {
		diag_print(&d, stderr);
		fail();
	}
	assert_int_equal(p->ntenants, 4);
	const struct budget_tenant *t = &p->tenants[0];
	assert_string_equal(t->name, "배정 없음");
	assert_true(t->gpu_hours == 0 && t->node_hours == 0);
	assert_int_equal(t->rate_gpu_hour, 3000);
	assert_int_equal(t->rate_node_hour, 1000);
	t = &p->tenants[1];
	assert_true(t->node_hours == 1000);
	assert_int_equal(t->kind, TENANT_COMPANY);
	t = &p->tenants[2];
	assert_int_equal(t->period, PERIOD_QUARTER);
	assert_int_equal(t->naccounts, 2);
	assert_int_equal(t->rate_gpu_hour, 0);
	assert_int_equal(t->rate_node_hour, 1000);
	t = &p->tenants[3];
	assert_int_equal(t->period, PERIOD_TOTAL);
	assert_string_equal(t->name, "whole");	/* the id when no name */
	const struct budget_item *it = &p->programmes[0].items[0];
	assert_int_equal(it->nyears, 2);
	assert_int_equal(it->years[1].year, 2022);
	assert_int_equal(it->years[1].amount, 40 * EOK);
	assert_int_equal(p->start_day, time_days_from_civil(2020, 1, 1));
	assert_int_equal(p->end_day, time_days_from_civil(2024, 12, 31));
	budget_plan_free(p);
	diag_free(&d);
	free(text);
}

static void
test_plan_path(void **state)
{
	char *p;
	(void)state;
	assert_null(budget_plan_path("/etc/opsdeck/config.yaml", NULL));
	p = budget_plan_path("/etc/opsdeck/config.yaml", "budget.yaml");
	assert_string_equal(p, "/etc/opsdeck/budget.yaml");
	free(p);
	p = budget_plan_path("/etc/opsdeck/config.yaml", "/srv/plan.yaml");
	assert_string_equal(p, "/srv/plan.yaml");
	free(p);
	p = budget_plan_path("config.yaml", "plans/b.yaml");
	assert_string_equal(p, "plans/b.yaml");
	free(p);
	p = budget_plan_path(NULL, "b.yaml");
	assert_string_equal(p, "b.yaml");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_bad_amounts),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_seoul_days),
		cmocka_unit_test(test_domain_plan),
		cmocka_unit_test(test_bad_amounts_plan),
		cmocka_unit_test(test_unknown_programme),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_plan_sums_checked),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_tenants),
		cmocka_unit_test(test_plan_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
