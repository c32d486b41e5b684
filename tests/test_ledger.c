/*
 * test_ledger.c: the ledger CSV parser: BOM, CRLF, RFC 4180 quotes and line
 * breaks, reordered columns, dedup keys, and the first bad row failing the
 * whole file with its line number.
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

static char *
fixture(const char *name, size_t *len)
{
	const char *f = getenv("FIXTURES");
	char *path = xasprintf("%s/ledger/%s", f != NULL ? f : "tests/fixtures", name);
	char *text, *cause;
	if (read_file(path, LEDGER_MAX_BYTES, &text, len, &cause) != 0)
		fail_msg("%s", cause);
	free(path);
	/* an exact-size copy, so ASan sees any read past the length */
	char *exact = xmalloc(*len ? *len : 1);
	memcpy(exact, text, *len);
	free(text);
	return exact;
}

static int
parse_fixture(const char *name, struct ledger *l, char **cause)
{
	size_t len;
	char *text = fixture(name, &len);
	*cause = NULL;
	int rc = ledger_parse(text, len, l, cause);
	free(text);
	return rc;
}

static int32_t
day(int y, int m, int d)
{
	return time_days_from_civil(y, m, d);
}

/*
 * Ten rows of 10^18 won each: refused at the second, whose amount takes the
 * file's amounts (without sign) past BUDGET_MAX_AMOUNT; a refund counts by
 * its size too, so no order of adding the rows can overflow.
 */
static void
test_amounts_sum_checked(void **state)
{
	struct buf b;
	struct ledger l;
	char *cause = NULL;

	buf_init(&b, 0);
	buf_printf(&b, "date,programme,item,amount,vendor,memo\n");
	for (int i = 0; i < 10; i++)
		buf_printf(&b, "2021-01-%02d,infra,building,1000000000000000000,v,m\n", i + 1);
	assert_int_equal(ledger_parse(b.data, b.len, &l, &cause), -1);
	assert_string_equal(cause, "3: the amounts add up to more than 1000000000000000000 won "
	    "with this row");
	free(cause);
	buf_free(&b);

	static const char refund[] = "date,programme,item,amount,vendor,memo\n"
	    "2021-01-01,infra,building,600000000000000000,v,m\n"
	    "2021-01-02,infra,building,-600000000000000000,v,refund\n";
	cause = NULL;
	assert_int_equal(ledger_parse(refund, sizeof refund - 1, &l, &cause), -1);
	assert_string_equal(cause, "3: the amounts add up to more than 1000000000000000000 won "
	    "with this row");
	free(cause);

	static const char edge[] = "date,programme,item,amount,vendor,memo\n"
	    "2021-01-01,infra,building,500000000000000000,v,m\n"
	    "2021-01-02,infra,building,-500000000000000000,v,refund\n";
	assert_int_equal(ledger_parse(edge, sizeof edge - 1, &l, &cause), 0);
	assert_int_equal(l.nrows, 2);
	ledger_free(&l);
}

static void
test_bom_crlf(void **state)
{
	struct ledger l;
	char *cause;
	(void)state;

	if (parse_fixture("bom_crlf.csv", &l, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(l.nrows, 6);
	assert_int_equal(l.rows[0].line, 2);
	assert_int_equal(l.rows[0].day, day(2021, 3, 15));
	assert_string_equal(l.rows[0].programme, "infra");
	assert_string_equal(l.rows[0].item, "building");
	assert_int_equal(l.rows[0].amount, 12500000000LL);
	assert_string_equal(l.rows[0].vendor, "한빛건설 (주)");
	assert_string_equal(l.rows[0].memo, "1차 기성금, 골조 공사");
	assert_int_equal(l.rows[1].amount, 35 * EOK);
	assert_int_equal(l.rows[2].amount, 120000000);
	/* two identical rows: both kept, with different keys */
	assert_string_not_equal(l.rows[2].key, l.rows[3].key);
	assert_non_null(strstr(l.rows[2].key, "#1"));
	assert_non_null(strstr(l.rows[3].key, "#2"));
	/* an empty item; doubled quotes */
	assert_string_equal(l.rows[4].item, "");
	assert_string_equal(l.rows[4].memo, "창업 공간 임차료 \"4월\"");
	assert_int_equal(l.rows[4].amount, 500000000);
	/* a line break inside quotes becomes a space; a negative correction */
	assert_int_equal(l.rows[5].line, 7);
	assert_int_equal(l.rows[5].amount, -20000000);
	assert_string_equal(l.rows[5].memo, "납품 지연 지체상금 (계약 제12조)");
	ledger_free(&l);
}

static void
test_keys_stable(void **state)
{
	struct ledger a, b;
	char *cause;
	(void)state;

	assert_int_equal(parse_fixture("bom_crlf.csv", &a, &cause), 0);
	assert_int_equal(parse_fixture("bom_crlf.csv", &b, &cause), 0);
	for (size_t i = 0; i < a.nrows; i++)
		assert_string_equal(a.rows[i].key, b.rows[i].key);
	ledger_free(&a);
	ledger_free(&b);

	/* the same row written differently has the same key */
	const char *x = "date,programme,item,amount,vendor,memo\n"
	    "2021-07-01,talent,training,\"1,000,000\",무등교육,  강사료  \n";
	const char *y = "memo,vendor,amount,item,programme,date\r\n"
	    "강사료,무등교육,100만원,training,talent,2021-07-01\r\n";
	assert_int_equal(ledger_parse(x, strlen(x), &a, &cause), 0);
	assert_int_equal(ledger_parse(y, strlen(y), &b, &cause), 0);
	assert_string_equal(a.rows[0].key, b.rows[0].key);
	ledger_free(&a);
	ledger_free(&b);
}

static void
expect_error(const char *name, const char *want)
{
	struct ledger l;
	char *cause = NULL;
	if (parse_fixture(name, &l, &cause) == 0)
		fail_msg("%s parsed", name);
	if (cause == NULL || strstr(cause, want) != cause)
		fail_msg("%s: '%s', want '%s...'", name, cause ? cause : "(null)", want);
	assert_int_equal(l.nrows, 0);
	assert_null(l.rows);
	free(cause);
}

static void
test_bad_files(void **state)
{
	(void)state;
	expect_error("bad_row.csv", "4: bad amount '3.5억억': expected a number");
	expect_error("unterminated.csv", "2: unterminated quoted field");
	expect_error("bad_date.csv", "2: bad date '2021-02-29'");
	expect_error("missing_column.csv", "1: the header has no 'memo' column");
}

static void
expect_text_error(const char *text, const char *want)
{
	struct ledger l;
	char *cause = NULL;
	if (ledger_parse(text, strlen(text), &l, &cause) == 0)
		fail_msg("parsed: %s", text);
	if (cause == NULL || strstr(cause, want) != cause)
		fail_msg("'%s', want '%s...'", cause ? cause : "(null)", want);
	free(cause);
}

static void
test_bad_text(void **state)
{
	(void)state;
	const char *h = "date,programme,item,amount,vendor,memo\n";
	char *t;
	expect_text_error("", "1: empty ledger");
	expect_text_error("\xef\xbb\xbf", "1: empty ledger");
	expect_text_error("date,programme,item,amount,vendor,memo,extra\n", "1: unknown column "
	    "'extra'");
	expect_text_error("date,date,item,amount,vendor,memo\n", "1: repeated column 'date'");
	t = xasprintf("%s2021-01-01,a,b,1억,v\n", h);
	expect_text_error(t, "2: 5 fields, expected 6");
	free(t);
	t = xasprintf("%s\n\n2021-01-01,a,b,1억,v,m,x\n", h);
	expect_text_error(t, "4: 7 fields, expected 6");
	free(t);
	t = xasprintf("%s2021-01-01,a,b,1억,v\"x,m\n", h);
	expect_text_error(t, "2: a quote inside an unquoted field");
	free(t);
	t = xasprintf("%s2021-01-01,a,b,1억,\"v\"x,m\n", h);
	expect_text_error(t, "2: text after a closing quote");
	free(t);
	t = xasprintf("%s2021-01-01,a,b,1억,v\xff,m\n", h);
	expect_text_error(t, "2: invalid UTF-8");
	free(t);
	t = xasprintf("%s2021-01-01,a,b,1억,v\x1b[31m,m\n", h);
	expect_text_error(t, "2: control character 0x1b");
	free(t);
	t = xasprintf("%s2021-01-01,,b,1억,v,m\n", h);
	expect_text_error(t, "2: the programme is empty");
	free(t);
	t = xasprintf("%s2021-01-01,a,b,,v,m\n", h);
	expect_text_error(t, "2: bad amount '': empty amount");
	free(t);
	t = xasprintf("%s2021-01-01,a,b,1억\rx,v,m\n", h);
	expect_text_error(t, "2: carriage return without a line feed");
	free(t);
	/* a field over the cap */
	char *big = xmalloc(LEDGER_MAX_FIELD + 2);
	memset(big, 'x', LEDGER_MAX_FIELD + 1);
	big[LEDGER_MAX_FIELD + 1] = '\0';
	t = xasprintf("%s2021-01-01,a,b,1억,v,%s\n", h, big);
	expect_text_error(t, "2: field longer than 1024 bytes");
	free(t);
	free(big);
}

static void
test_resolve(void **state)
{
	struct diag d;
	struct ledger l;
	char *cause = NULL;
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/examples/budget.yaml", top != NULL ? top : ".");
	(void)state;

	diag_init(&d, path);
	struct budget_plan *p = budget_plan_load(path, &d);
	assert_non_null(p);
	/* names resolve to ids */
	assert_int_equal(parse_fixture("reordered.csv", &l, &cause), 0);
	assert_int_equal(l.nrows, 2);
	assert_string_equal(l.rows[1].programme, "AI 인프라 (데이터센터·실증장비)");
	assert_int_equal(ledger_resolve(&l, p, &cause), 0);
	assert_string_equal(l.rows[1].programme, "infra");
	assert_string_equal(l.rows[1].item, "building");
	assert_non_null(strstr(l.rows[1].key, "\x1finfra\x1f" "building\x1f"));
	ledger_free(&l);

	const char *bad = "date,programme,item,amount,vendor,memo\n"
	    "2021-01-01,infra,building,1억,v,m\n"
	    "2021-01-02,infrastructure,building,1억,v,m\n";
	assert_int_equal(ledger_parse(bad, strlen(bad), &l, &cause), 0);
	assert_int_equal(ledger_resolve(&l, p, &cause), -1);
	assert_non_null(strstr(cause, "3: unknown programme 'infrastructure'"));
	free(cause);
	ledger_free(&l);
	bad = "date,programme,item,amount,vendor,memo\n"
	    "2021-01-01,infra,roof,1억,v,m\n";
	assert_int_equal(ledger_parse(bad, strlen(bad), &l, &cause), 0);
	assert_int_equal(ledger_resolve(&l, p, &cause), -1);
	assert_string_equal(cause, "2: unknown item 'roof' in programme 'infra'");
	free(cause);
	ledger_free(&l);
	budget_plan_free(p);
	diag_free(&d);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_amounts_sum_checked),
		cmocka_unit_test(test_keys_stable),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
