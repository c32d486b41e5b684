/*
 * budget_print.c: `budget report`'s output (budget_print.h): amounts in 억원
 * with thousands separators and aligned cells for people; won, hours and
 * dates for scripts in CSV and JSON (through the JSON writer, json.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/buf.h"
#include "opsdeck/json.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/util.h"
#include "budget_print.h"

#define NAME_CELLS_MAX 44	/* widest name column in the table */

/* ---- table -------------------------------------------------------------- */

static int
is_whole_eok(int64_t krw)
{
	return krw % 100000000 == 0;
}

/*
 * Prints s fitted to `cells` cells, then `gap` spaces; a last column (gap < 0)
 * that is left-aligned is printed as it is, without trailing blanks.
 */
static void
put_cell(const char *s, int cells, int right, int gap)
{
	char tmp[512];
	if (gap < 0 && !right) {
		fputs(s, stdout);
		return;
	}
	text_fit(tmp, sizeof tmp, s, cells, right);
	fputs(tmp, stdout);
	for (int i = 0; i < gap; i++)
		putchar(' ');
}

static void
eok_or_dash(char *dst, size_t len, int64_t krw, int decimals, int have)
{
	if (!have)
		snprintf(dst, len, "-");
	else
		budget_format_eok(dst, len, krw, decimals);
}

static void
pct(char *dst, size_t len, double v)
{
	if (v < 0 || !isfinite(v))
		snprintf(dst, len, "-");
	else
		snprintf(dst, len, "%.1f%%", v);
}

static void
hours(char *dst, size_t len, double h)
{
	if (!isfinite(h) || fabs(h) > 9e15) {
		snprintf(dst, len, "-");
		return;
	}
	text_thousands(dst, len, (int64_t)llround(h));
}

#define NCOL_MONEY 9

/*
 * The report as text for a terminal or mail: totals, then one row per
 * programme and item, then one per tenant. Names are fitted by display
 * width (wcwidth, so setlocale must have run); amounts are in 억원.
 */
void
budget_print_table(const struct budget_report *r)
{
	const struct budget_plan *p = r->plan;
	char a[96], b[96], c[96], d[96], asof[16];
	int dec[NCOL_MONEY] = { 0 };
	int namew = (int)text_swidth("PROGRAMME / ITEM");

	budget_date_format(r->as_of, asof, sizeof asof);
	printf("%s\n", p->name != NULL ? p->name : p->path);
	printf("as of %s (Asia/Seoul)\n", asof);
	if (p->end_day != BUDGET_NO_DAY && r->as_of > p->end_day) {
		/* a report on a plan that is over is almost always the wrong plan */
		budget_date_format(p->end_day, a, sizeof a);
		printf("plan ended %s, %d days before this date: is it the current plan?\n", a,
		    (int)(r->as_of - p->end_day));
	}
	printf("\n");
	budget_format_eok(a, sizeof a, r->total, is_whole_eok(r->total) ? 0 : 1);
	budget_format_eok(b, sizeof b, p->programmes_sum, is_whole_eok(p->programmes_sum) ? 0 : 1);
	printf("Total           %s", a);
	if (r->unallocated != 0) {
		budget_format_eok(c, sizeof c, r->unallocated,
		    is_whole_eok(r->unallocated) ? 0 : 1);
		printf(" (programmes %s, not allocated to a programme %s)", b, c);
	}
	printf("\n");
	if (p->private_investment != 0) {
		budget_format_eok(a, sizeof a, r->total_with_private,
		    is_whole_eok(r->total_with_private) ? 0 : 1);
		budget_format_eok(b, sizeof b, p->private_investment,
		    is_whole_eok(p->private_investment) ? 0 : 1);
		printf("With private    %s (private investment %s)\n", a, b);
	}
	if (p->funding_bp[0] + p->funding_bp[1] + p->funding_bp[2] > 0) {
		printf("Funding        ");
		for (int f = 0; f < FUND_COUNT; f++) {
			budget_format_eok(a, sizeof a, r->funding[f], 1);
			printf(" %s %s (%d%%)%s", budget_funding_name(f), a,
			    p->funding_bp[f] / 100, f + 1 < FUND_COUNT ? "," : "\n");
		}
	}
	budget_format_eok(a, sizeof a, r->spent, 1);
	pct(b, sizeof b, r->total > 0 ? (double)r->spent * 100.0 / (double)r->total : -1);
	printf("Spent           %s (%s of the total)\n", a, b);
	if (r->unknown_spent != 0) {
		budget_format_eok(a, sizeof a, r->unknown_spent, 1);
		printf("Not in the plan %s (ledger rows of programmes the plan no longer "
		    "has)\n", a);
	}
	printf("\n");

	/* column decimals: 0 when every amount of the column is whole 억 */
	for (size_t i = 0; i < r->nlines; i++) {
		const struct budget_line *l = &r->lines[i];
		int64_t v[] = { l->allocated, l->spent, l->remaining,
		    l->year_allocated < 0 ? 0 : l->year_allocated, l->year_spent };
		for (int k = 0; k < 5; k++)
			if (!is_whole_eok(v[k]))
				dec[k] = 1;
		int w = text_swidth(l->name) + (l->item_id != NULL ? 2 : 0);
		namew = OD_MAX(namew, OD_MIN(w, NAME_CELLS_MAX));
	}
	static const char *const hdr[] = { "ALLOCATED", "SPENT", "REMAINING", "RATE",
	    "YEAR BUDGET", "YEAR SPENT", "BURN30/DAY", "RUNS OUT" };
	static const int colw[] = { 13, 13, 13, 7, 13, 13, 12, 12 };
	put_cell("PROGRAMME / ITEM", namew, 0, 2);
	for (int k = 0; k < 8; k++)
		put_cell(hdr[k], colw[k], k != 7, k < 7 ? 2 : -1);
	printf("\n");
	for (size_t i = 0; i < r->nlines; i++) {
		const struct budget_line *l = &r->lines[i];
		char name[512], cells[8][96];
		snprintf(name, sizeof name, "%s%s", l->item_id != NULL ? "  " : "", l->name);
		budget_format_eok(cells[0], sizeof cells[0], l->allocated, dec[0]);
		budget_format_eok(cells[1], sizeof cells[1], l->spent, dec[1]);
		budget_format_eok(cells[2], sizeof cells[2], l->remaining, dec[2]);
		pct(cells[3], sizeof cells[3], l->rate_pct);
		eok_or_dash(cells[4], sizeof cells[4], l->year_allocated, dec[3],
		    l->year_allocated >= 0);
		budget_format_eok(cells[5], sizeof cells[5], l->year_spent, dec[4]);
		eok_or_dash(cells[6], sizeof cells[6], (int64_t)llround(l->burn30), 2,
		    l->burn30 > 0);
		budget_date_format(l->exhaust_day, cells[7], sizeof cells[7]);
		if (l->over_burn)
			strcat(cells[7], " !");
		put_cell(name, namew, 0, 2);
		for (int k = 0; k < 8; k++)
			put_cell(cells[k], colw[k], k != 7, k < 7 ? 2 : -1);
		printf("\n");
	}
	if (r->ntenants == 0)
		return;

	int tw = (int)text_swidth("TENANT");
	for (size_t i = 0; i < r->ntenants; i++)
		tw = OD_MAX(tw, OD_MIN(text_swidth(r->tenants[i].tenant->name), NAME_CELLS_MAX));
	static const char *const thdr[] = { "KIND", "PERIOD", "ALLOCATED", "USED", "USE",
	    "BURN7/DAY", "BURN30/DAY", "RUNS OUT", "CHARGE", "IDLE GPUS" };
	static const int tcolw[] = { 8, 8, 13, 13, 9, 10, 10, 12, 16, 9 };
	printf("\nCompute allocation (GPU-hours; node-hours where a tenant has no GPUs)\n");
	put_cell("TENANT", tw, 0, 2);
	for (int k = 0; k < 10; k++)
		put_cell(thdr[k], tcolw[k], k >= 2 && k != 7, k < 9 ? 2 : -1);
	printf("\n");
	for (size_t i = 0; i < r->ntenants; i++) {
		const struct budget_tenant_line *t = &r->tenants[i];
		char cells[10][128];
		double alloc = t->by_node ? t->node_alloc : t->gpu_alloc;
		double used = t->by_node ? t->node_used : t->gpu_used;
		snprintf(cells[0], sizeof cells[0], "%s", tenant_kind_name(t->tenant->kind));
		budget_date_format(t->period_start, a, sizeof a);
		snprintf(cells[1], sizeof cells[1], "%s", budget_period_name(t->tenant->period));
		hours(b, sizeof b, alloc);
		snprintf(cells[2], sizeof cells[2], "%s %s", b, t->by_node ? "NH" : "GH");
		hours(c, sizeof c, used);
		snprintf(cells[3], sizeof cells[3], "%s %s", c, t->by_node ? "NH" : "GH");
		pct(cells[4], sizeof cells[4], alloc > 0 ? used * 100.0 / alloc : -1);
		snprintf(d, sizeof d, "%.1f", t->burn7);
		snprintf(cells[5], sizeof cells[5], "%s", d);
		snprintf(cells[6], sizeof cells[6], "%.1f", t->burn30);
		budget_date_format(t->exhaust_day, cells[7], sizeof cells[7]);
		if (t->over_burn)
			strcat(cells[7], " !");
		text_thousands(d, sizeof d, t->charge);
		snprintf(cells[8], sizeof cells[8], "%s원", d);
		snprintf(cells[9], sizeof cells[9], "%lld", (long long)t->gpus_idle);
		put_cell(t->tenant->name, tw, 0, 2);
		for (int k = 0; k < 10; k++)
			put_cell(cells[k], tcolw[k], k >= 2 && k != 7, k < 9 ? 2 : -1);
		printf("\n");
	}
	if (r->unknown_gpu_hours > 0) {
		hours(a, sizeof a, r->unknown_gpu_hours);
		printf("GPU-hours of accounts no tenant claims: %s\n", a);
	}
	printf("\n! runs out before the plan (money) or the period (compute) ends, or is over\n");
}

/* ---- csv and json ------------------------------------------------------- */

static void
csv_num(struct buf *b, double v, int prec)
{
	if (!isfinite(v))
		return;
	buf_printf(b, "%.*f", prec, v);
}

/*
 * The report as one CSV table (RFC 4180, CRLF) in won: programme, item, total
 * and tenant rows with the same columns.
 */
void
budget_print_csv(const struct budget_report *r)
{
	struct buf b;
	char day[16];

	buf_init(&b, 0);
	buf_printf(&b, "section,programme,item,name,unit,allocated,used,remaining,rate_pct,"
	    "year_allocated,year_used,burn7_per_day,burn30_per_day,runs_out,over_burn,"
	    "gpus_idle\r\n");
	for (size_t i = 0; i < r->nlines; i++) {
		const struct budget_line *l = &r->lines[i];
		buf_printf(&b, "%s,", l->item_id != NULL ? "item" : "programme");
		csv_field(&b, l->programme_id);
		buf_append(&b, ",", 1);
		csv_field(&b, l->item_id != NULL ? l->item_id : "");
		buf_append(&b, ",", 1);
		csv_field(&b, l->name);
		buf_printf(&b, ",KRW,%lld,%lld,%lld,", (long long)l->allocated,
		    (long long)l->spent, (long long)l->remaining);
		if (l->rate_pct >= 0)
			csv_num(&b, l->rate_pct, 2);
		buf_append(&b, ",", 1);
		if (l->year_allocated >= 0)
			buf_printf(&b, "%lld", (long long)l->year_allocated);
		buf_printf(&b, ",%lld,", (long long)l->year_spent);
		csv_num(&b, l->burn7, 0);
		buf_append(&b, ",", 1);
		csv_num(&b, l->burn30, 0);
		budget_date_format(l->exhaust_day, day, sizeof day);
		buf_printf(&b, ",%s,%d,\r\n", l->exhaust_day == BUDGET_NO_DAY ? "" : day,
		    l->over_burn);
	}
	buf_printf(&b, "total,,,,KRW,%lld,%lld,%lld,", (long long)r->total, (long long)r->spent,
	    (long long)(r->total - r->spent));
	if (r->total > 0)
		csv_num(&b, (double)r->spent * 100.0 / (double)r->total, 2);
	buf_printf(&b, ",,,,,,,\r\n");
	buf_printf(&b, "total_with_private,,,,KRW,%lld,,,,,,,,,,\r\n",
	    (long long)r->total_with_private);
	for (size_t i = 0; i < r->ntenants; i++) {
		const struct budget_tenant_line *t = &r->tenants[i];
		double alloc = t->by_node ? t->node_alloc : t->gpu_alloc;
		double used = t->by_node ? t->node_used : t->gpu_used;
		buf_printf(&b, "tenant,");
		csv_field(&b, t->tenant->programme != NULL ? t->tenant->programme : "");
		buf_append(&b, ",", 1);
		csv_field(&b, t->tenant->id);
		buf_append(&b, ",", 1);
		csv_field(&b, t->tenant->name);
		buf_printf(&b, ",%s,", t->by_node ? "node-hours" : "GPU-hours");
		csv_num(&b, alloc, 2);
		buf_append(&b, ",", 1);
		csv_num(&b, used, 2);
		buf_append(&b, ",", 1);
		csv_num(&b, alloc - used, 2);
		buf_append(&b, ",", 1);
		if (alloc > 0)
			csv_num(&b, used * 100.0 / alloc, 2);
		buf_printf(&b, ",,,");
		csv_num(&b, t->burn7, 2);
		buf_append(&b, ",", 1);
		csv_num(&b, t->burn30, 2);
		budget_date_format(t->exhaust_day, day, sizeof day);
		buf_printf(&b, ",%s,%d,%lld\r\n", t->exhaust_day == BUDGET_NO_DAY ? "" : day,
		    t->over_burn, (long long)t->gpus_idle);
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/* "key":"YYYY-MM-DD", or null for BUDGET_NO_DAY. */
static void
json_kday(struct json_writer *w, const char *key, int32_t day)
{
	char s[16];

	budget_date_format(day, s, sizeof s);
	json_kstr(w, key, day == BUDGET_NO_DAY ? NULL : s);
}

/* The money figures of one programme or item line, in won. */
static void
json_line(struct json_writer *w, const struct budget_line *l)
{
	json_map_open(w);
	json_kstr(w, "programme", l->programme_id);
	json_kstr(w, "item", l->item_id);
	json_kstr(w, "name", l->name);
	json_kint(w, "allocated", l->allocated);
	json_kint(w, "spent", l->spent);
	json_kint(w, "remaining", l->remaining);
	json_knum(w, "rate_pct", l->rate_pct, 2, 1);
	json_key(w, "year_allocated");
	if (l->year_allocated >= 0)
		json_int(w, l->year_allocated);
	else
		json_null(w);
	json_kint(w, "year_spent", l->year_spent);
	json_knum(w, "burn7_per_day", l->burn7, 0, 0);
	json_knum(w, "burn30_per_day", l->burn30, 0, 0);
	json_kday(w, "runs_out", l->exhaust_day);
	json_kbool(w, "over_burn", l->over_burn);
	json_map_close(w);
}

/* One tenant's compute figures, charges and running jobs. */
static void
json_tenant(struct json_writer *w, const struct budget_tenant_line *t)
{
	json_map_open(w);
	json_kstr(w, "id", t->tenant->id);
	json_kstr(w, "name", t->tenant->name);
	json_kstr(w, "kind", tenant_kind_name(t->tenant->kind));
	json_kstr(w, "programme", t->tenant->programme);
	json_kstr(w, "period", budget_period_name(t->tenant->period));
	json_kday(w, "period_start", t->period_start);
	json_kday(w, "period_end", t->period_end);
	json_knum(w, "gpu_hours_allocated", t->gpu_alloc, 2, 0);
	json_knum(w, "gpu_hours_used", t->gpu_used, 2, 0);
	json_knum(w, "node_hours_allocated", t->node_alloc, 2, 0);
	json_knum(w, "node_hours_used", t->node_used, 2, 0);
	json_kstr(w, "burn_unit", t->by_node ? "node-hours" : "GPU-hours");
	json_knum(w, "burn7_per_day", t->burn7, 2, 0);
	json_knum(w, "burn30_per_day", t->burn30, 2, 0);
	json_kday(w, "runs_out", t->exhaust_day);
	json_kbool(w, "over_burn", t->over_burn);
	json_kint(w, "charge", t->charge);
	json_kint(w, "charge_total", t->charge_total);
	json_kint(w, "gpus_idle", t->gpus_idle);
	json_kint(w, "gpus_running", t->gpus_running);
	json_kint(w, "nodes_running", t->nodes_running);
	json_kint(w, "jobs_running", (int64_t)t->jobs_running);
	json_map_close(w);
}

/*
 * The report as one JSON object, amounts in won, dates as YYYY-MM-DD.
 */
void
budget_print_json(const struct budget_report *r)
{
	const struct budget_plan *p = r->plan;
	struct json_writer *w = json_writer_new(stdout);

	json_map_open(w);
	json_kstr(w, "plan", p->name);
	json_kday(w, "as_of", r->as_of);
	json_kstr(w, "timezone", TIME_ZONE_SEOUL_NAME);
	json_kstr(w, "currency", "KRW");
	json_kday(w, "start", p->start_day);
	json_kday(w, "end", p->end_day);
	json_kbool(w, "ended", p->end_day != BUDGET_NO_DAY && r->as_of > p->end_day);
	json_kint(w, "total", r->total);
	json_kint(w, "programmes_sum", p->programmes_sum);
	json_kint(w, "unallocated", r->unallocated);
	json_kint(w, "private_investment", p->private_investment);
	json_kint(w, "total_with_private", r->total_with_private);
	json_kint(w, "spent", r->spent);
	json_kint(w, "unknown_spent", r->unknown_spent);
	json_key(w, "funding");
	json_map_open(w);
	for (int f = 0; f < FUND_COUNT; f++) {
		json_key(w, budget_funding_name(f));
		json_map_open(w);
		json_knum(w, "share_pct", p->funding_bp[f] / 100.0, 2, 0);
		json_kint(w, "amount", r->funding[f]);
		json_map_close(w);
	}
	json_map_close(w);
	json_key(w, "lines");
	json_array_open(w);
	for (size_t i = 0; i < r->nlines; i++)
		json_line(w, &r->lines[i]);
	json_array_close(w);
	json_key(w, "tenants");
	json_array_open(w);
	for (size_t i = 0; i < r->ntenants; i++)
		json_tenant(w, &r->tenants[i]);
	json_array_close(w);
	json_knum(w, "unclaimed_gpu_hours", r->unknown_gpu_hours, 2, 0);
	json_map_close(w);
	json_writer_end(w);
}

