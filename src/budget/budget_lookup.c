/*
 * budget_lookup.c: finding things in a loaded plan (budget.h): the plan's
 * path beside a config, programmes and items by id or name, tenants by
 * Slurm account.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/util.h"

char *
budget_plan_path(const char *config_path, const char *budget)
{
	if (budget == NULL)
		return NULL;
	if (budget[0] == '/' || config_path == NULL)
		return xstrdup(budget);
	const char *slash = strrchr(config_path, '/');
	if (slash == NULL)
		return xstrdup(budget);
	return xasprintf("%.*s/%s", (int)(slash - config_path), config_path, budget);
}

const struct budget_programme *
budget_find_programme(const struct budget_plan *p, const char *id_or_name)
{
	for (size_t i = 0; i < p->nprogrammes; i++)
		if (strcmp(p->programmes[i].id, id_or_name) == 0)
			return &p->programmes[i];
	for (size_t i = 0; i < p->nprogrammes; i++)
		if (strcmp(p->programmes[i].name, id_or_name) == 0)
			return &p->programmes[i];
	return NULL;
}

const struct budget_item *
budget_find_item(const struct budget_programme *pg, const char *id_or_name)
{
	for (size_t i = 0; i < pg->nitems; i++)
		if (strcmp(pg->items[i].id, id_or_name) == 0)
			return &pg->items[i];
	for (size_t i = 0; i < pg->nitems; i++)
		if (strcmp(pg->items[i].name, id_or_name) == 0)
			return &pg->items[i];
	return NULL;
}

const struct budget_tenant *
budget_find_account(const struct budget_plan *p, const char *account)
{
	for (size_t i = 0; i < p->ntenants; i++)
		for (size_t j = 0; j < p->tenants[i].naccounts; j++)
			if (strcmp(p->tenants[i].accounts[j], account) == 0)
				return &p->tenants[i];
	return NULL;
}
