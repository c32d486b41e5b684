/*
 * test_textwidth.c: cell widths (ASCII, Hangul, CJK, invalid UTF-8,
 * controls, format characters, combining marks), truncation with an ellipsis that never splits a
 * character, padding, thousands separators, 억원 amounts, byte sizes.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opsdeck/textwidth.h"

static int
setup(void **state)
{
	/* the console runs under setlocale(LC_ALL, ""); C.UTF-8 is installed here */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	return 0;
}

static void
test_width_ascii_and_wide(void **state)
{
	assert_int_equal(text_swidth(""), 0);
	assert_int_equal(text_swidth("gpu001"), 6);
	/* each Hangul syllable takes two cells, the spaces one */
	assert_int_equal(text_swidth("광주 에너지 실증센터"), 2 * 9 + 2);
	assert_int_equal(text_swidth("억원"), 4);
	assert_int_equal(text_swidth("GPU 温度"), 8);
	assert_int_equal(text_swidth(TEXT_ELLIPSIS), 1);
}

static void
test_width_bad_input(void **state)
{
	/* an invalid byte, a control and DEL are drawn as U+FFFD: one cell each */
	assert_int_equal(text_swidth("a\xff" "b"), 3);
	assert_int_equal(text_swidth("a\x1b" "b"), 3);
	assert_int_equal(text_swidth("\x7f"), 1);
	/* a truncated 3-byte sequence: each byte one replacement */
	assert_int_equal(text_width("\xea\xb4", 2), 2);
	/* zero width space is unsafe (Cf): drawn as U+FFFD, one cell */
	assert_int_equal(text_swidth("a\xe2\x80\x8b" "b"), 3);
	/* a combining mark is safe and takes no cell of its own */
	assert_int_equal(text_swidth("e\xcc\x81"), 1);
}

static void
test_truncate(void **state)
{
	char buf[64];

	assert_int_equal(text_truncate(buf, sizeof buf, "gpu001", 10), 6);
	assert_string_equal(buf, "gpu001");
	assert_int_equal(text_truncate(buf, sizeof buf, "gpu001", 6), 6);
	assert_string_equal(buf, "gpu001");
	assert_int_equal(text_truncate(buf, sizeof buf, "gpu001", 5), 5);
	assert_string_equal(buf, "gpu0" TEXT_ELLIPSIS);
	assert_int_equal(text_truncate(buf, sizeof buf, "gpu001", 1), 1);
	assert_string_equal(buf, TEXT_ELLIPSIS);
	assert_int_equal(text_truncate(buf, sizeof buf, "gpu001", 0), 0);
	assert_string_equal(buf, "");
}

static void
test_truncate_wide_never_split(void **state)
{
	char buf[64];

	/* 광주 = 4 cells; in 4 cells it fits whole */
	assert_int_equal(text_truncate(buf, sizeof buf, "광주", 4), 4);
	assert_string_equal(buf, "광주");
	/* in 3 cells: 광 + … (3 cells) */
	assert_int_equal(text_truncate(buf, sizeof buf, "광주", 3), 3);
	assert_string_equal(buf, "광" TEXT_ELLIPSIS);
	/* in 2 cells: a wide char plus the ellipsis needs 3: just … */
	assert_int_equal(text_truncate(buf, sizeof buf, "광주", 2), 1);
	assert_string_equal(buf, TEXT_ELLIPSIS);
	/* 광주 에너지 실증센터 in 10 cells: 광주 에너(9 cells) + … */
	assert_int_equal(text_truncate(buf, sizeof buf, "광주 에너지 실증센터", 10), 10);
	assert_string_equal(buf, "광주 에너" TEXT_ELLIPSIS);
	/* 11 cells: 광주 에너지 would take 11 and leave none for the ellipsis */
	assert_int_equal(text_truncate(buf, sizeof buf, "광주 에너지 실증센터", 11), 10);
	assert_string_equal(buf, "광주 에너" TEXT_ELLIPSIS);
}

static void
test_truncate_small_buffer(void **state)
{
	char buf[8];

	/* the buffer, not the cells, limits: still whole characters and a NUL */
	text_truncate(buf, sizeof buf, "광주광주광주", 100);
	assert_true(strlen(buf) < sizeof buf);
	assert_int_equal(strlen(buf) % 3, 0);
	assert_int_equal(text_truncate(buf, 1, "abc", 10), 0);
	assert_string_equal(buf, "");
}

static void
test_truncate_sanitises(void **state)
{
	char buf[64];

	/* ESC and BEL become U+FFFD, nothing of them survives */
	text_truncate(buf, sizeof buf, "a\x1b]2;x\x07" "b", 40);
	assert_null(strchr(buf, 0x1b));
	assert_null(strchr(buf, 0x07));
	assert_string_equal(buf, "a\xef\xbf\xbd]2;x\xef\xbf\xbd" "b");
	/* invalid UTF-8 becomes valid */
	text_truncate(buf, sizeof buf, "\xff", 40);
	assert_string_equal(buf, "\xef\xbf\xbd");
	/* a bidi override (Cf) is shown as U+FFFD, a combining mark is dropped */
	text_truncate(buf, sizeof buf, "a\xe2\x80\xae" "b", 40);
	assert_string_equal(buf, "a\xef\xbf\xbd" "b");
	text_truncate(buf, sizeof buf, "e\xcc\x81", 40);
	assert_string_equal(buf, "e");
}

static void
test_fit(void **state)
{
	char buf[64];

	assert_int_equal(text_fit(buf, sizeof buf, "ab", 5, 0), 5);
	assert_string_equal(buf, "ab   ");
	assert_int_equal(text_fit(buf, sizeof buf, "ab", 5, 1), 5);
	assert_string_equal(buf, "   ab");
	/* 에너지 = 6 cells padded to 8: two spaces, 9 bytes + 2 */
	assert_int_equal(text_fit(buf, sizeof buf, "에너지", 8, 0), 8);
	assert_string_equal(buf, "에너지  ");
	assert_int_equal(text_swidth(buf), 8);
	/* a cut wide character leaves a cell to pad */
	assert_int_equal(text_fit(buf, sizeof buf, "에너지", 4, 0), 4);
	assert_string_equal(buf, "에" TEXT_ELLIPSIS " ");
}

static void
test_thousands(void **state)
{
	char buf[32];

	text_thousands(buf, sizeof buf, 0);
	assert_string_equal(buf, "0");
	text_thousands(buf, sizeof buf, 999);
	assert_string_equal(buf, "999");
	text_thousands(buf, sizeof buf, 1000);
	assert_string_equal(buf, "1,000");
	text_thousands(buf, sizeof buf, 3939);
	assert_string_equal(buf, "3,939");
	text_thousands(buf, sizeof buf, -1234567);
	assert_string_equal(buf, "-1,234,567");
	text_thousands(buf, sizeof buf, INT64_MIN);
	assert_string_equal(buf, "-9,223,372,036,854,775,808");
	text_thousands(buf, 4, 123456);	/* cut, still NUL-terminated */
	assert_string_equal(buf, "123");
}

static void
test_eok(void **state)
{
	char buf[32];

	text_eok(buf, sizeof buf, 3939, 0);
	assert_string_equal(buf, "3,939");
	text_eok(buf, sizeof buf, 2559.25, 1);
	assert_string_equal(buf, "2,559.3");
	text_eok(buf, sizeof buf, 4116, 2);
	assert_string_equal(buf, "4,116.00");
	text_eok(buf, sizeof buf, 0.5, 0);
	assert_string_equal(buf, "1");
	text_eok(buf, sizeof buf, -126.04, 1);
	assert_string_equal(buf, "-126.0");
	text_eok(buf, sizeof buf, -0.01, 1);
	assert_string_equal(buf, "0.0");
	text_eok(buf, sizeof buf, NAN, 1);
	assert_string_equal(buf, "-");
	text_eok(buf, sizeof buf, INFINITY, 0);
	assert_string_equal(buf, "-");
	/* 900 억원 of computing systems from KRW */
	text_eok(buf, sizeof buf, text_krw_to_eok(90000000000LL), 0);
	assert_string_equal(buf, "900");
	text_eok(buf, sizeof buf, text_krw_to_eok(64500000000LL), 1);
	assert_string_equal(buf, "645.0");
}

static void
test_bytes(void **state)
{
	char buf[16];

	text_bytes(buf, sizeof buf, 0);
	assert_string_equal(buf, "0B");
	text_bytes(buf, sizeof buf, 800);
	assert_string_equal(buf, "800B");
	text_bytes(buf, sizeof buf, 1536);
	assert_string_equal(buf, "1.5K");
	text_bytes(buf, sizeof buf, 512.0 * 1024 * 1024 * 1024);
	assert_string_equal(buf, "512G");
	text_bytes(buf, sizeof buf, 80.0 * 1024 * 1024 * 1024);
	assert_string_equal(buf, "80G");
	text_bytes(buf, sizeof buf, -1);
	assert_string_equal(buf, "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_ascii_and_wide),
		cmocka_unit_test(test_width_bad_input),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_truncate_wide_never_split),
		cmocka_unit_test(test_truncate_small_buffer),
		cmocka_unit_test(test_truncate_sanitises),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_thousands),
		cmocka_unit_test(test_eok),
		cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
