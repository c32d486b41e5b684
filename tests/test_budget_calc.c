/*
 * test_budget_calc.c: the report: the DOMAIN.md plan's totals and funding
 * split, execution rate, burn over 7 and 30 days, projected exhaustion of
 * money and compute, tenants with zero allocation, and month, quarter and
 * year boundaries counted in Asia/Seoul days.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/util.h"

#define EOK ((int64_t)100000000)

static int32_t
day(int y, int m, int d)
{
	return time_days_from_civil(y, m, d);
}

static void
assert_near(double a, double b)
{
	if (fabs(a - b) > 1e-6)
		fail_msg("%.9f != %.9f", a, b);
}

static void
assert_day(int32_t got, int y, int m, int d)
{
	char a[16], b[16];
	budget_date_format(got, a, sizeof a);
	budget_date_format(day(y, m, d), b, sizeof b);
	if (strcmp(a, b) != 0)
		fail_msg("day %s, want %s", a, b);
}

static struct budget_plan *
plan(const char *text)
{
	struct diag d;
	diag_init(&d, "t.yaml");
	struct budget_plan *p = budget_plan_parse("t.yaml", text, strlen(text), &d);
	if (p == NULL) {
		diag_print(&d, stderr);
		fail_msg("plan does not parse");
	}
	diag_free(&d);
	return p;
}

static void
test_domain_totals(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/examples/budget.yaml", top != NULL ? top : ".");
	struct diag d;
	struct budget_report r;
	(void)state;

	diag_init(&d, path);
	struct budget_plan *p = budget_plan_load(path, &d);
	assert_non_null(p);
	budget_report_compute(p, NULL, 0, NULL, 0, day(2021, 12, 31), &r);
	assert_int_equal(r.total, 3939 * EOK);
	assert_int_equal(r.total_with_private, 4116 * EOK);
	assert_int_equal(r.unallocated, 1 * EOK);
	assert_int_equal(r.funding[FUND_NATIONAL], 275730000000LL);	/* 2,757.3 억원 */
	assert_int_equal(r.funding[FUND_CITY], 78780000000LL);
	assert_int_equal(r.funding[FUND_PRIVATE], 39390000000LL);
	assert_int_equal(r.funding[0] + r.funding[1] + r.funding[2], r.total);
	assert_int_equal(r.nlines, 4 + 8);
	int64_t progs = 0, year = 0;
	for (size_t i = 0; i < r.nlines; i++) {
		const struct budget_line *l = &r.lines[i];
		assert_int_equal(l->spent, 0);
		assert_int_equal(l->remaining, l->allocated);
		assert_near(l->rate_pct, 0);
		assert_int_equal(l->exhaust_day, BUDGET_NO_DAY);
		if (l->item_id == NULL) {
			progs += l->allocated;
			year += l->year_allocated;
		}
	}
	assert_int_equal(progs, 3938 * EOK);
	assert_int_equal(year, 1028 * EOK);	/* "2021 alone, about 1,000 억원" */
	assert_int_equal(r.lines[0].year_allocated, (209 + 239 + 277) * EOK);
	assert_int_equal(r.ntenants, p->ntenants);
	budget_report_free(&r);
	/* 2023 has no annual budgets in the plan */
	budget_report_compute(p, NULL, 0, NULL, 0, day(2023, 6, 1), &r);
	assert_int_equal(r.lines[0].year_allocated, -1);
	budget_report_free(&r);
	budget_plan_free(p);
	diag_free(&d);
	free(path);
}

static const char money_plan[] =
	"start: 2021-01-01\n"
	"end: 2021-12-31\n"
	"programmes:\n"
	"  - id: a\n"
	"    allocation: 30억\n"
	"    items:\n"
	"      - {id: x, allocation: 20억, years: {2021: 20억}}\n"
	"      - {id: y, allocation: 10억}\n"
	"  - id: b\n"
	"    allocation: 100억\n";

static void
test_money_burn(void **state)
{
	struct budget_plan *p = plan(money_plan);
	struct budget_spend s[40];
	struct budget_report r;
	size_t n = 0;
	(void)state;

	/* 1억 a day on item x through March, and a refund on y */
	for (int d = 1; d <= 31; d++)
		s[n++] = (struct budget_spend){ "a", "x", day(2021, 3, d), 1 * EOK };
	s[n++] = (struct budget_spend){ "a", "y", day(2021, 3, 5), 2 * EOK };
	s[n++] = (struct budget_spend){ "a", "y", day(2021, 3, 6), -1 * EOK };
	s[n++] = (struct budget_spend){ "gone", "", day(2021, 3, 6), 7 * EOK };

	budget_report_compute(p, s, n, NULL, 0, day(2021, 3, 10), &r);
	const struct budget_line *a = &r.lines[0], *x = &r.lines[1], *y = &r.lines[2];
	assert_null(a->item_id);
	assert_string_equal(x->item_id, "x");
	assert_int_equal(x->spent, 10 * EOK);
	assert_int_equal(x->remaining, 10 * EOK);
	assert_near(x->rate_pct, 50.0);
	assert_near(x->burn7, 1.0 * EOK);
	assert_near(x->burn30, 10.0 * EOK / 30);
	/* 10억 left at 1/3억 a day: 30 days */
	assert_day(x->exhaust_day, 2021, 4, 9);
	assert_true(x->over_burn);	/* before the plan's end */
	assert_int_equal(x->year_allocated, 20 * EOK);
	assert_int_equal(y->spent, 1 * EOK);
	assert_int_equal(a->spent, 11 * EOK);
	assert_int_equal(a->year_allocated, 20 * EOK);
	assert_int_equal(r.spent, 18 * EOK);
	assert_int_equal(r.unknown_spent, 7 * EOK);
	/* b spends nothing: never runs out */
	assert_int_equal(r.lines[3].spent, 0);
	assert_int_equal(r.lines[3].exhaust_day, BUDGET_NO_DAY);
	assert_false(r.lines[3].over_burn);
	assert_near(r.lines[3].rate_pct, 0);
	budget_report_free(&r);

	/* as of March 31st x is overspent: it reached 20억 on March 20th */
	budget_report_compute(p, s, n, NULL, 0, day(2021, 3, 31), &r);
	x = &r.lines[1];
	assert_int_equal(x->spent, 31 * EOK);
	assert_int_equal(x->remaining, -11 * EOK);
	assert_near(x->rate_pct, 155.0);
	assert_day(x->exhaust_day, 2021, 3, 20);
	assert_true(x->over_burn);
	budget_report_free(&r);

	/* before any spending: nothing */
	budget_report_compute(p, s, n, NULL, 0, day(2021, 2, 28), &r);
	assert_int_equal(r.lines[0].spent, 0);
	assert_int_equal(r.spent, 0);
	assert_near(r.lines[1].burn30, 0);
	budget_report_free(&r);
	budget_plan_free(p);
}

/* Spending on both sides of New Year in Seoul. */
static void
test_year_boundary(void **state)
{
	struct budget_plan *p = plan(money_plan);
	struct budget_report r;
	struct budget_spend s[] = {
		{ "b", "", day(2021, 12, 31), 3 * EOK },
		{ "b", "", day(2022, 1, 1), 1 * EOK },
	};
	(void)state;

	budget_report_compute(p, s, 2, NULL, 0, day(2021, 12, 31), &r);
	assert_int_equal(r.lines[3].spent, 3 * EOK);
	assert_int_equal(r.lines[3].year_spent, 3 * EOK);
	budget_report_free(&r);
	budget_report_compute(p, s, 2, NULL, 0, day(2022, 1, 1), &r);
	assert_int_equal(r.lines[3].spent, 4 * EOK);
	assert_int_equal(r.lines[3].year_spent, 1 * EOK);
	assert_near(r.lines[3].burn7, 4.0 * EOK / 7);
	budget_report_free(&r);
	budget_plan_free(p);
}

static const char tenant_plan[] =
	"start: 2020-01-01\n"
	"end: 2024-12-31\n"
	"rates: {gpu_hour: 3000, node_hour: 1000}\n"
	"programmes: [{id: a, allocation: 1억}]\n"
	"tenants:\n"
	"  - {id: m, gpu_hours: 100}\n"
	"  - {id: q, period: quarter, gpu_hours: 900, accounts: [q1, q2]}\n"
	"  - {id: y, period: year, gpu_hours: 1000}\n"
	"  - {id: zero, gpu_hours: 0}\n"
	"  - {id: cpu, node_hours: 50}\n"
	"  - {id: all, period: total, gpu_hours: 10}\n";

static const struct budget_tenant_line *
tl(const struct budget_report *r, const char *id)
{
	for (size_t i = 0; i < r->ntenants; i++)
		if (strcmp(r->tenants[i].tenant->id, id) == 0)
			return &r->tenants[i];
	fail_msg("no tenant %s", id);
	return NULL;
}

static void
test_periods(void **state)
{
	int32_t a, b;
	(void)state;

	budget_period_bounds(PERIOD_MONTH, day(2021, 2, 14), 0, 0, &a, &b);
	assert_day(a, 2021, 2, 1);
	assert_day(b, 2021, 2, 28);
	budget_period_bounds(PERIOD_MONTH, day(2020, 2, 29), 0, 0, &a, &b);
	assert_day(b, 2020, 2, 29);
	budget_period_bounds(PERIOD_MONTH, day(2021, 12, 31), 0, 0, &a, &b);
	assert_day(a, 2021, 12, 1);
	assert_day(b, 2021, 12, 31);
	budget_period_bounds(PERIOD_QUARTER, day(2021, 3, 31), 0, 0, &a, &b);
	assert_day(a, 2021, 1, 1);
	assert_day(b, 2021, 3, 31);
	budget_period_bounds(PERIOD_QUARTER, day(2021, 4, 1), 0, 0, &a, &b);
	assert_day(a, 2021, 4, 1);
	assert_day(b, 2021, 6, 30);
	budget_period_bounds(PERIOD_QUARTER, day(2021, 11, 30), 0, 0, &a, &b);
	assert_day(a, 2021, 10, 1);
	assert_day(b, 2021, 12, 31);
	budget_period_bounds(PERIOD_YEAR, day(2022, 1, 1), 0, 0, &a, &b);
	assert_day(a, 2022, 1, 1);
	assert_day(b, 2022, 12, 31);
	budget_period_bounds(PERIOD_TOTAL, day(2022, 1, 1), day(2020, 1, 1), day(2024, 12, 31),
	    &a, &b);
	assert_day(a, 2020, 1, 1);
	assert_day(b, 2024, 12, 31);
}

/* Use on the last day of February and the first of March. */
static void
test_month_boundary(void **state)
{
	struct budget_plan *p = plan(tenant_plan);
	struct budget_report r;
	struct budget_use u[] = {
		{ "m", day(2021, 2, 28), 10, 0 },
		{ "m", day(2021, 3, 1), 5, 0 },
		{ "q2", day(2021, 3, 31), 30, 0 },
		{ "q1", day(2021, 4, 1), 20, 0 },
		{ "y", day(2021, 12, 31), 100, 0 },
		{ "y", day(2022, 1, 1), 1, 0 },
	};
	size_t n = sizeof u / sizeof u[0];
	(void)state;

	budget_report_compute(p, NULL, 0, u, n, day(2021, 2, 28), &r);
	assert_near(tl(&r, "m")->gpu_used, 10);
	assert_day(tl(&r, "m")->period_end, 2021, 2, 28);
	budget_report_free(&r);

	budget_report_compute(p, NULL, 0, u, n, day(2021, 3, 1), &r);
	const struct budget_tenant_line *m = tl(&r, "m");
	assert_near(m->gpu_used, 5);		/* a new month */
	assert_day(m->period_start, 2021, 3, 1);
	assert_day(m->period_end, 2021, 3, 31);
	assert_near(m->burn7, 15.0 / 7);	/* pace: February 23rd to March 1st */
	assert_near(m->burn30, 15.0 / 30);
	assert_near(m->gpu_rate_pct, 5.0);
	assert_int_equal(m->charge, 5 * 3000);
	assert_int_equal(m->charge_total, 15 * 3000);
	budget_report_free(&r);

	/* quarter: March 31st is Q1, April 1st Q2; both accounts count */
	budget_report_compute(p, NULL, 0, u, n, day(2021, 3, 31), &r);
	assert_near(tl(&r, "q")->gpu_used, 30);
	budget_report_free(&r);
	budget_report_compute(p, NULL, 0, u, n, day(2021, 4, 1), &r);
	assert_near(tl(&r, "q")->gpu_used, 20);
	assert_day(tl(&r, "q")->period_end, 2021, 6, 30);
	budget_report_free(&r);

	/* year */
	budget_report_compute(p, NULL, 0, u, n, day(2021, 12, 31), &r);
	assert_near(tl(&r, "y")->gpu_used, 100);
	budget_report_free(&r);
	budget_report_compute(p, NULL, 0, u, n, day(2022, 1, 1), &r);
	assert_near(tl(&r, "y")->gpu_used, 1);
	assert_near(tl(&r, "y")->burn7, 101.0 / 7);
	/* the plan-long allocation sees every day; no account "all" used any */
	assert_near(tl(&r, "all")->gpu_used, 0);
	budget_report_free(&r);
	budget_plan_free(p);
}

static void
test_exhaustion(void **state)
{
	struct budget_plan *p = plan(tenant_plan);
	struct budget_report r;
	struct budget_use u[16];
	size_t n = 0;
	(void)state;

	/* m: 10 GPU-hours a day from March 1st to 5th: 50 of 100 used */
	for (int d = 1; d <= 5; d++)
		u[n++] = (struct budget_use){ "m", day(2021, 3, d), 10, 0 };
	/* cpu: 1 node-hour a day: lasts the month */
	for (int d = 1; d <= 5; d++)
		u[n++] = (struct budget_use){ "cpu", day(2021, 3, d), 0, 1 };
	u[n++] = (struct budget_use){ "stranger", day(2021, 3, 2), 7, 1 };

	budget_report_compute(p, NULL, 0, u, n, day(2021, 3, 5), &r);
	const struct budget_tenant_line *m = tl(&r, "m");
	assert_near(m->gpu_used, 50);
	assert_near(m->burn7, 50.0 / 7);
	assert_near(m->burn30, 50.0 / 30);
	/* 50 left at 50/7 a day: 7 days */
	assert_day(m->exhaust_day, 2021, 3, 12);
	assert_true(m->over_burn);
	const struct budget_tenant_line *c = tl(&r, "cpu");
	assert_true(c->by_node);
	assert_near(c->node_used, 5);
	assert_near(c->burn7, 5.0 / 7);
	assert_int_equal(c->exhaust_day, BUDGET_NO_DAY);	/* 45 left, 26 days to go */
	assert_false(c->over_burn);
	assert_near(c->gpu_rate_pct, -1);
	assert_int_equal(c->charge, 5 * 1000);
	assert_near(r.unknown_gpu_hours, 7);
	budget_report_free(&r);

	/* two more days of 30: over on March 7th */
	u[n++] = (struct budget_use){ "m", day(2021, 3, 6), 30, 0 };
	u[n++] = (struct budget_use){ "m", day(2021, 3, 7), 30, 0 };
	budget_report_compute(p, NULL, 0, u, n, day(2021, 3, 8), &r);
	m = tl(&r, "m");
	assert_near(m->gpu_used, 110);
	assert_near(m->gpu_rate_pct, 110);
	assert_day(m->exhaust_day, 2021, 3, 7);
	assert_true(m->over_burn);
	budget_report_free(&r);
	budget_plan_free(p);
}

static void
test_zero_allocation(void **state)
{
	struct budget_plan *p = plan(tenant_plan);
	struct budget_report r;
	struct budget_use u[] = { { "zero", day(2021, 5, 20), 2, 0.5 } };
	(void)state;

	/* nothing used: no rate, never runs out, not over */
	budget_report_compute(p, NULL, 0, u, 1, day(2021, 5, 19), &r);
	const struct budget_tenant_line *z = tl(&r, "zero");
	assert_near(z->gpu_alloc, 0);
	assert_near(z->gpu_used, 0);
	assert_near(z->gpu_rate_pct, -1);
	assert_int_equal(z->exhaust_day, BUDGET_NO_DAY);
	assert_false(z->over_burn);
	assert_false(z->by_node);
	budget_report_free(&r);

	/* any use is over, from the day it happened */
	budget_report_compute(p, NULL, 0, u, 1, day(2021, 5, 31), &r);
	z = tl(&r, "zero");
	assert_near(z->gpu_used, 2);
	assert_near(z->gpu_rate_pct, -1);
	assert_day(z->exhaust_day, 2021, 5, 20);
	assert_true(z->over_burn);
	assert_int_equal(z->charge, 2 * 3000 + 500);
	budget_report_free(&r);

	/* a new month starts clean */
	budget_report_compute(p, NULL, 0, u, 1, day(2021, 6, 1), &r);
	assert_false(tl(&r, "zero")->over_burn);
	assert_int_equal(tl(&r, "zero")->charge_total, 6500);
	budget_report_free(&r);
	budget_plan_free(p);
}

static void
test_running(void **state)
{
	struct budget_plan *p = plan(tenant_plan);
	struct budget_report r;
	struct budget_alloc a[] = {
		{ "q1", 8, 1, 1, 8 }, { "q2", 4, 1, 2, 0 }, { "m", 2, 1, 1, 0 },
		{ "stranger", 16, 2, 1, 16 },
	};
	(void)state;

	budget_report_compute(p, NULL, 0, NULL, 0, day(2021, 3, 1), &r);
	budget_report_running(&r, a, 4);
	assert_int_equal(tl(&r, "q")->gpus_running, 12);
	assert_int_equal(tl(&r, "q")->nodes_running, 2);
	assert_int_equal(tl(&r, "q")->jobs_running, 3);
	assert_int_equal(tl(&r, "m")->gpus_running, 2);
	assert_int_equal(tl(&r, "zero")->gpus_running, 0);
	assert_int_equal(tl(&r, "q")->gpus_idle, 8);
	assert_int_equal(tl(&r, "m")->gpus_idle, 0);
	/* a second call replaces, never adds */
	budget_report_running(&r, a, 1);
	assert_int_equal(tl(&r, "q")->gpus_idle, 8);
	assert_int_equal(tl(&r, "q")->gpus_running, 8);
	budget_report_free(&r);
	budget_plan_free(p);
}

/* A name -> mean GPU utilisation table for budget_idle_compute. */
struct fake_util {
	const char	*name;
	double		 pct;
};

static int
fake_util(void *arg, const char *node, double *pct)
{
	const struct fake_util *v = arg;
	for (; v->name != NULL; v++) {
		if (strcmp(v->name, node) == 0) {
			*pct = v->pct;
			return 0;
		}
	}
	return -1;
}

static void
test_idle(void **state)
{
	static const char text[] =
	    "1|q1|u|gpu|60|gres/gpu=8,node=1|RUNNING\n"
	    "2|q1|u|gpu|60|gres/gpu=16,node=2|RUNNING\n"
	    "3|q2|u|gpu|60|gres/gpu=4,node=2|RUNNING\n"
	    "4|m|u|gpu|60|gres/gpu=2,node=1|RUNNING\n"
	    "5|m|u|gpu|60|gres/gpu=8,node=1|COMPLETED\n"
	    "6|zero|u|gpu|60|gres/gpu=1,node=1|RUNNING\n"
	    "7|zero|u|gpu|60|gres/gpu=3,node=1|RUNNING\n";
	static const char sq[] =
	    "1|n1\n"		/* idle: 2 % */
	    "2|n2,n3\n"		/* mean (4 + 20) / 2 = 12 %: busy */
	    "3|n1,ghost\n"	/* a node nobody knows: not idle */
	    "4|n4\n"		/* 9.99 %: idle */
	    "5|n1\n"		/* not RUNNING in sacct: left out */
	    "9|n1\n"		/* not in sacct at all */
	    "6|n5\n"		/* known, but no GPU figures */
	    "7|n1,n4\n";	/* mean 6 %: idle */
	static const struct fake_util util[] = {
		{ "n1", 2 }, { "n2", 4 }, { "n3", 20 }, { "n4", 9.99 }, { "n5", -1 },
		{ NULL, 0 },
	};
	struct slurm_usage u;
	struct budget_idle *v;
	char *cause = NULL;
	(void)state;

	assert_int_equal(slurm_parse_sacct(text, sizeof text - 1, &u, &cause), 0);
	size_t n = budget_idle_compute(&u, fake_util, (void *)util, &v);
	assert_int_equal(n, 0);		/* no squeue part yet */
	assert_null(v);
	assert_int_equal(slurm_parse_squeue(sq, sizeof sq - 1, &u, &cause), 0);
	n = budget_idle_compute(&u, fake_util, (void *)util, &v);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].account, "m");
	assert_int_equal(v[0].gpus_idle, 2);
	assert_string_equal(v[1].account, "q1");
	assert_int_equal(v[1].gpus_idle, 8);
	assert_int_equal(v[1].gpus_known, 24);
	assert_string_equal(v[2].account, "q2");
	assert_int_equal(v[2].gpus_idle, 0);
	assert_int_equal(v[2].gpus_known, 0);
	assert_string_equal(v[3].account, "zero");
	assert_int_equal(v[3].gpus_idle, 3);
	assert_int_equal(v[3].gpus_known, 3);

	/* into the report: q1 + q2 are tenant q */
	struct budget_plan *p = plan(tenant_plan);
	struct budget_report r;
	struct budget_alloc a[4];
	for (size_t i = 0; i < n; i++)
		a[i] = (struct budget_alloc){ .account = v[i].account, .gpus_idle = v[i].gpus_idle };
	budget_report_compute(p, NULL, 0, NULL, 0, day(2021, 3, 1), &r);
	budget_report_running(&r, a, n);
	assert_int_equal(tl(&r, "q")->gpus_idle, 8);
	assert_int_equal(tl(&r, "m")->gpus_idle, 2);
	assert_int_equal(tl(&r, "zero")->gpus_idle, 3);
	budget_report_free(&r);
	budget_plan_free(p);
	free(v);
	slurm_usage_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_totals),
		cmocka_unit_test(test_money_burn),
		cmocka_unit_test(test_year_boundary),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_month_boundary),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_zero_allocation),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_idle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
