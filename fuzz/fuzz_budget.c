/*
 * fuzz_budget.c: the budget plan parser and the amount parser on arbitrary
 * bytes. They must never read outside the input, leak or crash; a plan that
 * parses must be self-consistent and must give a report.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_plan(const struct budget_plan *p)
{
	int64_t sum = 0;
	for (size_t i = 0; i < p->nprogrammes; i++) {
		const struct budget_programme *pg = &p->programmes[i];
		int64_t items = 0;
		if (pg->allocation < 0 || pg->allocation > BUDGET_MAX_AMOUNT || pg->id == NULL ||
		    pg->name == NULL)
			abort();
		for (size_t j = 0; j < pg->nitems; j++)
			items += pg->items[j].allocation;
		if (items > pg->allocation)
			abort();
		sum += pg->allocation;
	}
	if (sum != p->programmes_sum || p->total < p->programmes_sum)
		abort();
	for (size_t i = 0; i < p->ntenants; i++)
		if (p->tenants[i].naccounts == 0 || p->tenants[i].gpu_hours < 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	int64_t krw;
	const char *why = NULL;

	/* the amount parser on the same bytes */
	if (budget_parse_amount((const char *)data, size, AMOUNT_NEGATIVE, &krw, &why) == 0) {
		if (why != NULL || krw > BUDGET_MAX_AMOUNT || krw < -BUDGET_MAX_AMOUNT)
			abort();
	} else if (why == NULL) {
		abort();
	}

	diag_init(&d, "fuzz.yaml");
	struct budget_plan *p = budget_plan_parse("fuzz.yaml", (const char *)data, size, &d);
	if (p == NULL && diag_count(&d) == 0)
		abort();	/* a refusal always says why */
	if (p != NULL) {
		if (diag_count(&d) != 0)
			abort();
		check_plan(p);
		struct budget_report r;
		int32_t as_of = size > 0 ? time_days_from_civil(2020 + data[0] % 8, 1 +
		    data[size - 1] % 12, 1 + (int)(size % 28)) : 0;
		budget_report_compute(p, NULL, 0, NULL, 0, as_of, &r);
		if (r.nlines < p->nprogrammes || r.ntenants != p->ntenants)
			abort();
		budget_report_free(&r);
		budget_plan_free(p);
	}
	diag_free(&d);
	return 0;
}
