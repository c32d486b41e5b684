/*
 * fuzz_ledger.c: the ledger CSV parser on arbitrary bytes. It must never read
 * outside the input, leak or crash; it is all or nothing, and rows that parse
 * have keys, dates and amounts in range.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char plan_text[] =
	"programmes:\n"
	"  - id: infra\n"
	"    name: AI 인프라\n"
	"    allocation: 2559억\n"
	"    items: [{id: building, allocation: 1014억}, {id: datacenter, allocation: 900억},\n"
	"            {id: testbed, allocation: 645억}]\n"
	"  - {id: rnd, allocation: 508억, items: [{id: energy, allocation: 145억}]}\n"
	"  - {id: startup, allocation: 556억}\n"
	"  - {id: talent, allocation: 315억, items: [{id: training, allocation: 315억}]}\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ledger l;
	char *cause = NULL;
	struct diag d;

	int rc = ledger_parse((const char *)data, size, &l, &cause);
	if (rc != 0) {
		if (cause == NULL || l.nrows != 0 || l.rows != NULL)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	for (size_t i = 0; i < l.nrows; i++) {
		const struct ledger_row *r = &l.rows[i];
		if (r->key == NULL || r->programme[0] == '\0' || r->line < 2 ||
		    r->amount > BUDGET_MAX_AMOUNT || r->amount < -BUDGET_MAX_AMOUNT ||
		    strlen(r->memo) > LEDGER_MAX_FIELD)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(l.rows[j].key, r->key) == 0)
				abort();	/* keys are unique within a file */
	}
	diag_init(&d, "plan");
	struct budget_plan *p = budget_plan_parse("plan", plan_text, sizeof plan_text - 1, &d);
	if (p == NULL)
		abort();
	if (ledger_resolve(&l, p, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
	} else {
		for (size_t i = 0; i < l.nrows; i++)
			if (budget_find_programme(p, l.rows[i].programme) == NULL)
				abort();
	}
	budget_plan_free(p);
	diag_free(&d);
	ledger_free(&l);
	return 0;
}
