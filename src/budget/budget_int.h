/*
 * budget_int.h: what the plan parser (budget.c) takes from the amounts
 * module (budget_amount.c).
 */
#ifndef OPSDECK_BUDGET_INT_H
#define OPSDECK_BUDGET_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Digits with ',' thousands separators and an optional fraction at s[*i..n):
 * the mantissa in *mant with *fdig decimals; *i moves past them. 0, or -1
 * with a static *why.
 */
int budget_amount_number(const char *s, size_t n, size_t *i, uint64_t *mant, int *fdig,
	    const char **why);
/* For messages: whole 억 without decimals, else two ("3,939억원"). */
void budget_eok_msg(char *dst, size_t dstlen, int64_t krw);

#endif
