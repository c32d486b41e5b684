/*
 * test_unicode.c: the one decoder (unicode_decode: valid, overlong,
 * surrogate, out of range, truncated, stray continuation bytes) and the one
 * text policy over the fixture corpus tests/fixtures/unicode/: every code
 * point of unsafe.txt is unsafe, becomes U+FFFD through sanitize_text and
 * is drawn as U+FFFD (one cell) by text_truncate; every code point of
 * safe.txt is kept by all three.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/unicode.h"

#define FFFD "\xef\xbf\xbd"

static int
setup(void **state)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	return 0;
}

static void
test_decode(void **state)
{
	uint32_t cp;

	assert_int_equal(unicode_decode("a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(unicode_decode("\xea\xb4\x91", 3, &cp), 3);
	assert_int_equal(cp, 0xad11);	/* 광 */
	assert_int_equal(unicode_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(unicode_decode("\xf4\x8f\xbf\xbd", 4, &cp), 4);
	assert_int_equal(cp, 0x10fffd);
	/* each of these is invalid: 0 and U+FFFD */
	static const char *const bad[] = {
		"\xc0\x80", "\xc1\xbf",			/* overlong 2 bytes */
		"\xe0\x80\x80", "\xe0\x9f\xbf",		/* overlong 3 bytes */
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",	/* overlong 4 bytes */
		"\xed\xa0\x80", "\xed\xbf\xbf",		/* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80",	/* > U+10FFFF */
		"\x80", "\xbf",				/* stray continuation */
		"\xea\xb4", "\xf0\x9f\x98",		/* truncated */
		"\xea\x41\x91", "\xff", "\xfe",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cp = 0;
		assert_int_equal(unicode_decode(bad[i], strlen(bad[i]), &cp), 0);
		assert_int_equal(cp, UNICODE_REPLACEMENT);
	}
	/* a valid sequence is not read past len */
	assert_int_equal(unicode_decode("\xea\xb4\x91", 2, &cp), 0);
}

static void
test_encode_round_trip(void **state)
{
	static const uint32_t cps[] = { 0x41, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff, 0xac00 };
	char out[4];
	uint32_t back;

	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		size_t n = unicode_encode(cps[i], out);
		assert_int_equal(unicode_decode(out, n, &back), n);
		assert_int_equal(back, cps[i]);
	}
}

/*
 * Calls fn(cp, line) for every code point of every range in the corpus file
 * NAME under $FIXTURES/unicode; returns the code points visited.
 */
static size_t
corpus_each(const char *name, void (*fn)(uint32_t, const char *))
{
	const char *dir = getenv("FIXTURES");
	char path[4096], line[256];
	size_t count = 0;

	snprintf(path, sizeof path, "%s/unicode/%s", dir != NULL ? dir : "tests/fixtures", name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		unsigned long first, last;
		char *e;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		first = strtoul(line, &e, 16);
		last = first;
		if (*e == '-')
			last = strtoul(e + 1, &e, 16);
		assert_true(*e == ' ' && first <= last && last <= 0x10ffff);
		line[strcspn(line, "\n")] = '\0';
		for (unsigned long cp = first; cp <= last; cp++, count++)
			fn((uint32_t)cp, line);
	}
	fclose(fp);
	return count;
}

/* "x" CP "y" as UTF-8 into out; returns the length. */
static size_t
wrap(char *out, uint32_t cp)
{
	size_t n = 0;
	out[n++] = 'x';
	n += unicode_encode(cp, out + n);
	out[n++] = 'y';
	out[n] = '\0';
	return n;
}

static void
check_unsafe(uint32_t cp, const char *line)
{
	char in[8], out[32];
	size_t n = wrap(in, cp);

	if (!unicode_unsafe(cp))
		fail_msg("U+%04X not unsafe (%s)", (unsigned)cp, line);
	sanitize_text(out, sizeof out, in, n);
	if (strcmp(out, "x" FFFD "y") != 0)
		fail_msg("sanitize_text kept U+%04X (%s)", (unsigned)cp, line);
	/* the console's own last line of defence draws it as U+FFFD, one cell */
	if (cp != 0 && (text_truncate(out, sizeof out, in, 40) != 3 ||
	    strcmp(out, "x" FFFD "y") != 0))
		fail_msg("text_truncate drew U+%04X (%s)", (unsigned)cp, line);
}

static void
check_safe(uint32_t cp, const char *line)
{
	char in[8], out[32];
	size_t n = wrap(in, cp);

	if (unicode_unsafe(cp))
		fail_msg("U+%04X unsafe (%s)", (unsigned)cp, line);
	sanitize_text(out, sizeof out, in, n);
	if (strcmp(out, in) != 0)
		fail_msg("sanitize_text changed U+%04X (%s)", (unsigned)cp, line);
	if (text_cp_width(cp) < 0 || text_cp_width(cp) > 2)
		fail_msg("width of U+%04X", (unsigned)cp);
}

static void
test_corpus_unsafe(void **state)
{
	assert_true(corpus_each("unsafe.txt", check_unsafe) > 300);
}

static void
test_corpus_safe(void **state)
{
	assert_true(corpus_each("safe.txt", check_safe) > 100);
}

static void
test_tab_and_ascii_mode(void **state)
{
	char out[32];

	/* TAB is a control but keeps its meaning, a blank */
	assert_true(unicode_unsafe('\t'));
	sanitize_text(out, sizeof out, "a\tb", 3);
	assert_string_equal(out, "a b");
	/* the Hangul filler disguising a name, in ASCII mode */
	sanitize_text_flags(out, sizeof out, "gpu\xe3\x85\xa4" "01", 8, SANITIZE_ASCII);
	assert_string_equal(out, "gpu?01");
}

static void
test_widths(void **state)
{
	/* libutf8proc's widths, where the C library's are not asked */
	assert_int_equal(unicode_width('a'), 1);
	assert_int_equal(unicode_width(0xac00), 2);
	assert_int_equal(unicode_width(0x1f600), 2);
	assert_int_equal(unicode_width(0x301), 0);
	/* the console's width: unsafe characters take the one cell of U+FFFD */
	assert_int_equal(text_cp_width(0x3164), 1);
	assert_int_equal(text_cp_width(0x2028), 1);
	assert_int_equal(text_cp_width(0xac00), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_corpus_unsafe),
		cmocka_unit_test(test_corpus_safe),
		cmocka_unit_test(test_tab_and_ascii_mode),
		cmocka_unit_test(test_widths),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
