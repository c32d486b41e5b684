/*
 * budget_print.h: `budget report`'s output (budget_print.c): the report as
 * a table for people, CSV or one JSON document for scripts (opsdeck(1)).
 */
#ifndef OPSDECK_BUDGET_PRINT_H
#define OPSDECK_BUDGET_PRINT_H

#include "opsdeck/budget.h"

void budget_print_table(const struct budget_report *r);
void budget_print_csv(const struct budget_report *r);
void budget_print_json(const struct budget_report *r);

#endif
