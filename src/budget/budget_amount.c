/*
 * budget_amount.c: amounts in won (억 and 조 words, checked sums within
 * BUDGET_MAX_WON, 억원 formatting) and civil dates in Asia/Seoul (budget.h).
 * Pure: text in, numbers out.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/util.h"
#include "budget_int.h"

/* ---- amounts ------------------------------------------------------------ */

static int
amount_blank(const char *s, size_t n, size_t i)
{
	return i < n && (s[i] == ' ' || s[i] == '\t');
}

static size_t
amount_skip(const char *s, size_t n, size_t i)
{
	while (amount_blank(s, n, i))
		i++;
	return i;
}

static int
amount_word(const char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);
	return i + l <= n && memcmp(s + i, w, l) == 0;
}

/*
 * One NUMBER at s[*i]: digits with optional thousands commas and an optional
 * decimal part. Sets *mant to all its digits as one integer and *fdig to the
 * number of decimals. 0, or -1 with *why.
 */
int
budget_amount_number(const char *s, size_t n, size_t *i, uint64_t *mant, int *fdig, const char **why)
{
	size_t p = *i, group = 0;
	int commas = 0, ndig = 0;
	uint64_t m = 0;

	if (p >= n || s[p] < '0' || s[p] > '9') {
		*why = "expected a number";
		return -1;
	}
	for (; p < n; p++) {
		if (s[p] >= '0' && s[p] <= '9') {
			if (m > (UINT64_MAX - 9) / 10) {
				*why = "amount too large";
				return -1;
			}
			m = m * 10 + (uint64_t)(s[p] - '0');
			group++;
			ndig++;
		} else if (s[p] == ',') {
			if ((commas == 0 && (group == 0 || group > 3)) ||
			    (commas > 0 && group != 3)) {
				*why = "misplaced thousands separator";
				return -1;
			}
			commas++;
			group = 0;
		} else {
			break;
		}
	}
	if (commas > 0 && group != 3) {
		*why = "misplaced thousands separator";
		return -1;
	}
	*fdig = 0;
	if (p < n && s[p] == '.') {
		p++;
		if (p >= n || s[p] < '0' || s[p] > '9') {
			*why = "expected digits after the decimal point";
			return -1;
		}
		for (; p < n && s[p] >= '0' && s[p] <= '9'; p++) {
			if (m > (UINT64_MAX - 9) / 10 || *fdig >= 18) {
				*why = "too many digits";
				return -1;
			}
			m = m * 10 + (uint64_t)(s[p] - '0');
			(*fdig)++;
		}
	}
	(void)ndig;
	*mant = m;
	*i = p;
	return 0;
}

/* See budget.h. */
int
budget_add(int64_t *sum, int64_t v)
{
	int64_t r;

	if (__builtin_add_overflow(*sum, v, &r) || r > BUDGET_MAX_AMOUNT ||
	    r < -BUDGET_MAX_AMOUNT)
		return -1;
	*sum = r;
	return 0;
}

/*
 * Amount parser (budget.h): groups of NUMBER [천|백] [조|억|만], then 원;
 * exact integer arithmetic, every step overflow-checked; *why is static.
 */
int
budget_parse_amount(const char *s, size_t n, unsigned flags, int64_t *krw, const char **why)
{
	static const struct {
		const char	*word;
		int		 exp;
	} units[] = { { "조", 12 }, { "억", 8 }, { "만", 4 } };
	size_t i = amount_skip(s, n, 0);
	int neg = 0, last_exp = 99, ngroups = 0;
	uint64_t total = 0;

	*why = NULL;
	if (i < n && s[i] == '-') {
		if (!(flags & AMOUNT_NEGATIVE)) {
			*why = "an amount cannot be negative here";
			return -1;
		}
		neg = 1;
		i = amount_skip(s, n, i + 1);
	}
	for (;;) {
		i = amount_skip(s, n, i);
		if (i >= n)
			break;
		if (amount_word(s, n, i, "원")) {
			if (ngroups == 0) {
				*why = "expected a number before 원";
				return -1;
			}
			i = amount_skip(s, n, i + strlen("원"));
			if (i < n) {
				*why = "unexpected text after 원";
				return -1;
			}
			break;
		}
		if (last_exp == 0) {
			*why = "unexpected text after the amount";
			return -1;
		}
		uint64_t mant;
		int fdig, exp = 0;
		if (budget_amount_number(s, n, &i, &mant, &fdig, why) != 0)
			return -1;
		i = amount_skip(s, n, i);
		int sub = 0;	/* 천 and 백 multiply the number: 5천만 = 5,000 x 10^4 */
		if (amount_word(s, n, i, "천"))
			sub = 3;
		else if (amount_word(s, n, i, "백"))
			sub = 2;
		if (sub > 0)
			i = amount_skip(s, n, i + strlen("천"));
		for (size_t u = 0; u < OD_ARRAY_LEN(units); u++) {
			if (amount_word(s, n, i, units[u].word)) {
				exp = units[u].exp;
				i += strlen(units[u].word);
				break;
			}
		}
		if (exp == 0 && i < n && s[i] >= '0' && s[i] <= '9') {
			*why = "unexpected text after the amount";
			return -1;
		}
		if (exp == 0 && i < n && !amount_blank(s, n, i) && !amount_word(s, n, i, "원")) {
			*why = "unknown unit (use 조, 억, 만 or 원)";
			return -1;
		}
		if (exp >= last_exp) {
			*why = "units must go from the largest down (조, 억, 만)";
			return -1;
		}
		/* value = mant * 10^(sub + exp - fdig), exactly */
		uint64_t v = mant;
		int scale = sub + exp;
		if (scale >= fdig) {
			for (int k = 0; k < scale - fdig; k++) {
				if (v > UINT64_MAX / 10) {
					*why = "amount too large";
					return -1;
				}
				v *= 10;
			}
		} else {
			uint64_t div = 1;
			for (int k = 0; k < fdig - scale; k++)
				div *= 10;
			if (v % div != 0) {
				*why = "not a whole number of won";
				return -1;
			}
			v /= div;
		}
		if (v > (uint64_t)BUDGET_MAX_AMOUNT || total > (uint64_t)BUDGET_MAX_AMOUNT - v) {
			*why = "amount too large";
			return -1;
		}
		total += v;
		last_exp = exp;
		ngroups++;
	}
	if (ngroups == 0) {
		*why = "empty amount";
		return -1;
	}
	*krw = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* For messages: whole 억 without decimals, else two. */
void
budget_eok_msg(char *dst, size_t dstlen, int64_t krw)
{
	budget_format_eok(dst, dstlen, krw, krw % 100000000 == 0 ? 0 : 2);
}

void
budget_format_eok(char *dst, size_t dstlen, int64_t krw, int decimals)
{
	char num[48];

	text_eok(num, sizeof num, text_krw_to_eok(krw), decimals);
	snprintf(dst, dstlen, "%s억원", num);
}

/* ---- dates -------------------------------------------------------------- */

/*
 * Strict YYYY-MM-DD of exactly n bytes; a real calendar date in 1900-2999.
 */
int
budget_date_parse(const char *s, size_t n, int32_t *day)
{
	int v[3] = { 0, 0, 0 };
	static const int w[3] = { 4, 2, 2 };
	size_t p = 0;

	if (n != 10)
		return -1;
	for (int f = 0; f < 3; f++) {
		for (int k = 0; k < w[f]; k++, p++) {
			if (s[p] < '0' || s[p] > '9')
				return -1;
			v[f] = v[f] * 10 + (s[p] - '0');
		}
		if (f < 2 && s[p++] != '-')
			return -1;
	}
	if (v[0] < 1900 || v[0] > 2999 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > time_days_in_month(v[0], v[1]))
		return -1;
	*day = (int32_t)time_days_from_civil(v[0], v[1], v[2]);
	return 0;
}

void
budget_date_format(int32_t day, char *buf, size_t len)
{
	int y, m, d;

	if (day == BUDGET_NO_DAY) {
		snprintf(buf, len, "-");
		return;
	}
	time_civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

/* Asia/Seoul is a fixed +09:00 since 1988, whatever TZ says. */
int32_t
budget_day_from_wall_ms(int64_t wall_ms)
{
	return (int32_t)time_day_of(wall_ms, TIME_ZONE_SEOUL_S);
}

