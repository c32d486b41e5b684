/*
 * budget_calc.c: the budget report from the plan and day-by-day facts.
 *
 * Everything counts whole civil days in Asia/Seoul, as day numbers (days
 * since 1970-01-01), so month and year boundaries are plain calendar
 * arithmetic and never depend on the process TZ. "As of D" includes all of D.
 *
 * Money: spent is every ledger amount up to D; burn7 and burn30 are the
 * spending of the 7 and 30 days ending on D, per day; the remainder runs out
 * on D + ceil(remaining / burn30) (30 days, because spending comes in
 * lumps); a line is over-burning when that falls before the plan's end, or
 * when it is already overspent (then exhaust_day is the day spending reached
 * the allocation).
 *
 * Compute: a tenant's allocation is per period (month, quarter, year, or the
 * plan's whole term); used counts the period up to D; burn7 and burn30 are
 * the use of the last 7 and 30 days, per day, across a period boundary too
 * (they measure pace). At burn7, the more current rate, the allocation runs
 * out on D + ceil(left / burn7); that counts when it is within the period.
 * A zero allocation with any use is over from its first day of use.
 *
 * Idle GPUs: a running job's GPUs are allocated but idle when every node it
 * is on (squeue's NodeList) is known with GPU figures and their mean GPU
 * utilisation is below BUDGET_IDLE_PCT (budget_idle_compute).
 *
 * Pure: no I/O, no globals.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/util.h"

#define CALC_MAX_DAYS 40000	/* a period longer than ~110 years is not walked day by day */

void
budget_period_bounds(enum budget_period per, int32_t day, int32_t plan_start,
    int32_t plan_end, int32_t *first, int32_t *last)
{
	int y, m, d, fm, lm;

	time_civil_from_days(day, &y, &m, &d);
	switch (per) {
	case PERIOD_MONTH:
		fm = lm = m;
		break;
	case PERIOD_QUARTER:
		fm = (m - 1) / 3 * 3 + 1;
		lm = fm + 2;
		break;
	case PERIOD_YEAR:
		fm = 1;
		lm = 12;
		break;
	default:
		*first = plan_start != BUDGET_NO_DAY ? plan_start : INT32_MIN + 1;
		*last = plan_end != BUDGET_NO_DAY ? plan_end : INT32_MAX;
		return;
	}
	*first = time_days_from_civil(y, fm, 1);
	/* the day before the first of the following month */
	*last = lm == 12 ? time_days_from_civil(y + 1, 1, 1) - 1 :
	    time_days_from_civil(y, lm + 1, 1) - 1;
}

/* Whether spend row s belongs to the line (programme, item NULL: all of it). */
static int
spend_match(const struct budget_spend *s, const char *programme, const char *item)
{
	return strcmp(s->programme, programme) == 0 &&
	    (item == NULL || strcmp(s->item, item) == 0);
}

struct dayamt {
	int32_t	 day;
	double	 v;
};

static int
dayamt_cmp(const void *a, const void *b)
{
	const struct dayamt *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/*
 * The first day on which the running sum of v[] (n entries, any order)
 * reaches limit while being positive; BUDGET_NO_DAY when it never does.
 * Sorts v.
 */
static int32_t
crossing_day(struct dayamt *v, size_t n, double limit)
{
	double sum = 0;

	qsort(v, n, sizeof *v, dayamt_cmp);
	for (size_t i = 0; i < n; i++) {
		sum += v[i].v;
		if (sum > 0 && sum >= limit - 1e-9)
			return v[i].day;
	}
	return BUDGET_NO_DAY;
}

/* See budget.h. */
int64_t
budget_add_sat(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* Days from `from` until `left` is used up at `per_day`, as a day number, capped. */
static int32_t
run_out(int32_t from, double left, double per_day)
{
	double days = ceil(left / per_day);
	if (days < 0)
		days = 0;
	if (days > (double)CALC_MAX_DAYS * 10)
		return BUDGET_NO_DAY;
	return from + (int32_t)days;
}

/*
 * Fills the figures of one programme or item line (allocated, programme_id,
 * item_id already set) from the spending up to as_of.
 */
static void
compute_line(struct budget_line *ln, const struct budget_plan *p,
    const struct budget_spend *spend, size_t nspend, int32_t as_of)
{
	int y, m, d;
	int32_t year_start;
	int64_t b7 = 0, b30 = 0;
	size_t nmatch = 0;

	time_civil_from_days(as_of, &y, &m, &d);
	year_start = time_days_from_civil(y, 1, 1);
	ln->spent = ln->year_spent = 0;
	for (size_t i = 0; i < nspend; i++) {
		const struct budget_spend *s = &spend[i];
		if (s->day > as_of || !spend_match(s, ln->programme_id, ln->item_id))
			continue;
		nmatch++;
		ln->spent = budget_add_sat(ln->spent, s->amount);
		if (s->day >= year_start)
			ln->year_spent = budget_add_sat(ln->year_spent, s->amount);
		if (s->day > as_of - 7)
			b7 = budget_add_sat(b7, s->amount);
		if (s->day > as_of - 30)
			b30 = budget_add_sat(b30, s->amount);
	}
	ln->remaining = budget_add_sat(ln->allocated, -ln->spent);
	ln->rate_pct = ln->allocated > 0 ? (double)ln->spent * 100.0 / (double)ln->allocated : -1;
	ln->burn7 = (double)b7 / 7.0;
	ln->burn30 = (double)b30 / 30.0;
	ln->exhaust_day = BUDGET_NO_DAY;
	ln->over_burn = 0;
	if (ln->remaining <= 0 && ln->spent > 0) {
		struct dayamt *v = xreallocarray(NULL, nmatch ? nmatch : 1, sizeof *v);
		size_t k = 0;
		for (size_t i = 0; i < nspend && k < nmatch; i++) {
			const struct budget_spend *s = &spend[i];
			if (s->day > as_of || !spend_match(s, ln->programme_id, ln->item_id))
				continue;
			v[k].day = s->day;
			v[k++].v = (double)s->amount;
		}
		ln->exhaust_day = crossing_day(v, k, (double)ln->allocated);
		if (ln->exhaust_day == BUDGET_NO_DAY)
			ln->exhaust_day = as_of;
		ln->over_burn = ln->remaining < 0;
		free(v);
	} else if (ln->burn30 > 0) {
		ln->exhaust_day = run_out(as_of, (double)ln->remaining, ln->burn30);
		ln->over_burn = ln->exhaust_day != BUDGET_NO_DAY && p->end_day != BUDGET_NO_DAY &&
		    ln->exhaust_day < p->end_day;
	}
}

/* Annual budget of an item for `year`, -1 when the plan has none. */
static int64_t
item_year(const struct budget_item *it, int year)
{
	for (size_t i = 0; i < it->nyears; i++)
		if (it->years[i].year == year)
			return it->years[i].amount;
	return -1;
}

static int
tenant_has(const struct budget_tenant *t, const char *account)
{
	for (size_t i = 0; i < t->naccounts; i++)
		if (strcmp(t->accounts[i], account) == 0)
			return 1;
	return 0;
}

static double
clamp_charge(double v)
{
	if (!(v < 9.2e18))
		return 9.2e18;
	return v < -9.2e18 ? -9.2e18 : v;
}

/*
 * Fills the figures of one tenant line (tenant set) from the use up to as_of.
 */
static void
compute_tenant(struct budget_tenant_line *tl, const struct budget_plan *p,
    const struct budget_use *use, size_t nuse, int32_t as_of)
{
	const struct budget_tenant *t = tl->tenant;
	double b7 = 0, b30 = 0, all_gpu = 0, all_node = 0;
	size_t nmatch = 0;

	budget_period_bounds(t->period, as_of, p->start_day, p->end_day, &tl->period_start,
	    &tl->period_end);
	tl->gpu_alloc = t->gpu_hours;
	tl->node_alloc = t->node_hours;
	tl->by_node = t->gpu_hours <= 0 && t->node_hours > 0;
	for (size_t i = 0; i < nuse; i++) {
		const struct budget_use *u = &use[i];
		if (u->day > as_of || !tenant_has(t, u->account))
			continue;
		all_gpu += u->gpu_hours;
		all_node += u->node_hours;
		/* burn is the pace of use, across a period boundary too */
		double x = tl->by_node ? u->node_hours : u->gpu_hours;
		if (u->day > as_of - 7)
			b7 += x;
		if (u->day > as_of - 30)
			b30 += x;
		if (u->day < tl->period_start)
			continue;
		nmatch++;
		tl->gpu_used += u->gpu_hours;
		tl->node_used += u->node_hours;
	}
	tl->burn7 = b7 / 7.0;
	tl->burn30 = b30 / 30.0;
	tl->gpu_rate_pct = tl->gpu_alloc > 0 ? tl->gpu_used * 100.0 / tl->gpu_alloc : -1;
	tl->charge = (int64_t)llround(clamp_charge(tl->gpu_used * (double)t->rate_gpu_hour +
	    tl->node_used * (double)t->rate_node_hour));
	tl->charge_total = (int64_t)llround(clamp_charge(all_gpu * (double)t->rate_gpu_hour +
	    all_node * (double)t->rate_node_hour));

	double alloc = tl->by_node ? tl->node_alloc : tl->gpu_alloc;
	double used = tl->by_node ? tl->node_used : tl->gpu_used;
	tl->exhaust_day = BUDGET_NO_DAY;
	tl->over_burn = 0;
	if (used > 0 && used >= alloc - 1e-9) {
		struct dayamt *v = xreallocarray(NULL, nmatch ? nmatch : 1, sizeof *v);
		size_t k = 0;
		for (size_t i = 0; i < nuse && k < nmatch; i++) {
			const struct budget_use *u = &use[i];
			if (u->day > as_of || u->day < tl->period_start ||
			    !tenant_has(t, u->account))
				continue;
			v[k].day = u->day;
			v[k++].v = tl->by_node ? u->node_hours : u->gpu_hours;
		}
		tl->exhaust_day = crossing_day(v, k, alloc);
		if (tl->exhaust_day == BUDGET_NO_DAY)
			tl->exhaust_day = as_of;
		tl->over_burn = used > alloc + 1e-9 || alloc <= 0;
		free(v);
	} else if (tl->burn7 > 0) {
		int32_t day = run_out(as_of, alloc - used, tl->burn7);
		if (day != BUDGET_NO_DAY && day <= tl->period_end) {
			tl->exhaust_day = day;
			tl->over_burn = 1;
		}
	}
}

/*
 * See budget.h: one line per programme then its items, one per tenant.
 */
void
budget_report_compute(const struct budget_plan *p, const struct budget_spend *spend,
    size_t nspend, const struct budget_use *use, size_t nuse, int32_t as_of,
    struct budget_report *out)
{
	int y, m, d;
	size_t nlines = 0;

	memset(out, 0, sizeof *out);
	out->plan = p;
	out->as_of = as_of;
	time_civil_from_days(as_of, &y, &m, &d);
	for (size_t i = 0; i < p->nprogrammes; i++)
		nlines += 1 + p->programmes[i].nitems;
	out->lines = xcalloc(nlines ? nlines : 1, sizeof *out->lines);
	for (size_t i = 0; i < p->nprogrammes; i++) {
		const struct budget_programme *pg = &p->programmes[i];
		struct budget_line *pl = &out->lines[out->nlines++];
		pl->programme_id = pg->id;
		pl->name = pg->name;
		pl->allocated = pg->allocation;
		pl->year_allocated = -1;
		compute_line(pl, p, spend, nspend, as_of);
		for (size_t j = 0; j < pg->nitems; j++) {
			const struct budget_item *it = &pg->items[j];
			struct budget_line *il = &out->lines[out->nlines++];
			il->programme_id = pg->id;
			il->item_id = it->id;
			il->name = it->name;
			il->allocated = it->allocation;
			il->year_allocated = item_year(it, y);
			if (il->year_allocated >= 0)
				pl->year_allocated = (pl->year_allocated < 0 ? 0 :
				    pl->year_allocated) + il->year_allocated;
			compute_line(il, p, spend, nspend, as_of);
		}
	}
	out->total = p->total;
	out->unallocated = p->total - p->programmes_sum;
	out->total_with_private = p->total + p->private_investment;
	for (int f = 0; f < FUND_COUNT; f++)
		out->funding[f] = (p->total / 10000) * p->funding_bp[f] +
		    (p->total % 10000) * p->funding_bp[f] / 10000;
	for (size_t i = 0; i < nspend; i++) {
		if (spend[i].day > as_of)
			continue;
		out->spent = budget_add_sat(out->spent, spend[i].amount);
		if (budget_find_programme(p, spend[i].programme) == NULL)
			out->unknown_spent = budget_add_sat(out->unknown_spent, spend[i].amount);
	}
	out->tenants = xcalloc(p->ntenants ? p->ntenants : 1, sizeof *out->tenants);
	for (size_t i = 0; i < p->ntenants; i++) {
		out->tenants[i].tenant = &p->tenants[i];
		compute_tenant(&out->tenants[i], p, use, nuse, as_of);
	}
	out->ntenants = p->ntenants;
	for (size_t i = 0; i < nuse; i++)
		if (use[i].day <= as_of && budget_find_account(p, use[i].account) == NULL)
			out->unknown_gpu_hours += use[i].gpu_hours;
}

void
budget_report_running(struct budget_report *r, const struct budget_alloc *alloc,
    size_t nalloc)
{
	for (size_t i = 0; i < r->ntenants; i++) {
		struct budget_tenant_line *tl = &r->tenants[i];
		tl->gpus_running = tl->nodes_running = 0;
		tl->jobs_running = 0;
		tl->gpus_idle = 0;
		for (size_t k = 0; k < nalloc; k++) {
			if (!tenant_has(tl->tenant, alloc[k].account))
				continue;
			tl->gpus_running += alloc[k].gpus;
			tl->nodes_running += alloc[k].nodes;
			tl->jobs_running += alloc[k].jobs;
			tl->gpus_idle += alloc[k].gpus_idle;
		}
	}
}

static int
job_ptr_cmp(const void *a, const void *b)
{
	const struct slurm_job *const *x = a, *const *y = b;
	return strcmp((*x)->jobid, (*y)->jobid);
}

static int
idle_cmp(const void *a, const void *b)
{
	const struct budget_idle *x = a, *y = b;
	return strcmp(x->account, y->account);
}

/*
 * See budget.h. The RUNNING jobs of u are indexed by JobID; a squeue line
 * whose job sacct did not list as RUNNING (a race between the two) is left
 * out. gpus_known counts the GPUs whose nodes all had figures.
 */
size_t
budget_idle_compute(const struct slurm_usage *u,
    int (*util)(void *arg, const char *node, double *pct), void *arg,
    struct budget_idle **out)
{
	const struct slurm_job **idx;
	struct budget_idle *v;
	size_t nidx = 0, n = 0;

	*out = NULL;
	if (u->nrunning == 0 || u->njobs == 0)
		return 0;
	idx = xreallocarray(NULL, u->njobs, sizeof *idx);
	for (size_t i = 0; i < u->njobs; i++)
		if (strcmp(u->jobs[i].state, "RUNNING") == 0)
			idx[nidx++] = &u->jobs[i];
	qsort(idx, nidx, sizeof *idx, job_ptr_cmp);
	v = xcalloc(u->nrunning, sizeof *v);
	for (size_t i = 0; i < u->nrunning; i++) {
		const struct slurm_running *r = &u->running[i];
		struct slurm_job key;
		const struct slurm_job *kp = &key, **hit;
		memcpy(key.jobid, r->jobid, sizeof key.jobid);
		hit = nidx ? bsearch(&kp, idx, nidx, sizeof *idx, job_ptr_cmp) : NULL;
		if (hit == NULL || r->nnodes == 0)
			continue;
		double sum = 0;
		size_t known = 0;
		for (size_t k = 0; k < r->nnodes; k++) {
			double pct;
			if (util(arg, r->nodes[k], &pct) != 0 || !(pct >= 0))
				break;
			sum += pct;
			known++;
		}
		v[n].account = (*hit)->account;
		if (known == r->nnodes) {
			v[n].gpus_known = (*hit)->gpus;
			if (sum / (double)known < BUDGET_IDLE_PCT)
				v[n].gpus_idle = (*hit)->gpus;
		}
		n++;
	}
	free(idx);
	if (n == 0) {
		free(v);
		return 0;
	}
	qsort(v, n, sizeof *v, idle_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && strcmp(v[m - 1].account, v[i].account) == 0) {
			v[m - 1].gpus_idle += v[i].gpus_idle;
			v[m - 1].gpus_known += v[i].gpus_known;
		} else {
			v[m++] = v[i];
		}
	}
	*out = v;
	return m;
}

void
budget_report_free(struct budget_report *r)
{
	if (r == NULL)
		return;
	free(r->lines);
	free(r->tenants);
	memset(r, 0, sizeof *r);
}
