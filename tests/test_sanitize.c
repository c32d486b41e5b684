/*
 * test_sanitize.c: sanitize_text / sanitize_dup on terminal escapes, control
 * characters, bidi and zero-width characters, bad UTF-8 and Korean text.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"

#define FFFD "\xef\xbf\xbd"

static const char *
san(const char *in, size_t inlen, size_t dstlen)
{
	static char out[512];
	assert_true(dstlen <= sizeof out);
	size_t n = sanitize_text(out, dstlen, in, inlen);
	assert_int_equal(n, strlen(out));
	return out;
}

#define SAN(lit) san(lit, sizeof(lit) - 1, 512)

static void
test_plain_ascii(void **state)
{
	assert_string_equal(SAN("gpu001 up 42%"), "gpu001 up 42%");
	assert_string_equal(SAN(""), "");
}

static void
test_escape_sequences(void **state)
{
	/* OSC title set with BEL, clear screen, colour: ESC and BEL replaced */
	assert_string_equal(SAN("\033]0;pwned\007"), FFFD "]0;pwned" FFFD);
	assert_string_equal(SAN("\033[2J"), FFFD "[2J");
	assert_string_equal(SAN("a\033[31mred\033[0m"), "a" FFFD "[31mred" FFFD "[0m");
	/* 8-bit CSI (C1, U+009B) in UTF-8 and as a raw byte */
	assert_string_equal(SAN("x\xc2\x9b" "2J"), "x" FFFD "2J");
	assert_string_equal(SAN("x\x9b" "2J"), "x" FFFD "2J");
}

static void
test_controls(void **state)
{
	assert_string_equal(SAN("a\tb"), "a b");
	assert_string_equal(SAN("a\rb"), "a" FFFD "b");
	assert_string_equal(SAN("a\bb"), "a" FFFD "b");
	assert_string_equal(SAN("a\nb"), "a" FFFD "b");
	assert_string_equal(SAN("a\x7f" "b"), "a" FFFD "b");
	/* an embedded NUL is a control too, and does not end the input */
	assert_string_equal(san("a\0b", 3, 512), "a" FFFD "b");
}

static void
test_bidi_and_zero_width(void **state)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE: "exe.txt" shown reversed */
	assert_string_equal(SAN("file\xe2\x80\xaetxt.exe"), "file" FFFD "txt.exe");
	assert_string_equal(SAN("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"),
	    FFFD FFFD FFFD FFFD);
	assert_string_equal(SAN("\xe2\x81\xa6" "a" "\xe2\x81\xa9"), FFFD "a" FFFD);
	assert_string_equal(SAN("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"), FFFD FFFD FFFD);
	/* zero-width space, non-joiner, joiner, word joiner, BOM */
	assert_string_equal(
	    SAN("a\xe2\x80\x8b" "b\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf"),
	    "a" FFFD "b" FFFD FFFD FFFD FFFD);
	/* neighbours that are fine: U+2010 hyphen, U+2070 superscript zero */
	assert_string_equal(SAN("\xe2\x80\x90\xe2\x81\xb0"), "\xe2\x80\x90\xe2\x81\xb0");
}

static void
test_bad_utf8(void **state)
{
	/* overlong '/' (C0 AF), overlong NUL (E0 80 80), surrogate U+D800 (ED A0 80) */
	assert_string_equal(SAN("\xc0\xaf"), FFFD FFFD);
	assert_string_equal(SAN("\xe0\x80\x80"), FFFD FFFD FFFD);
	assert_string_equal(SAN("\xed\xa0\x80"), FFFD FFFD FFFD);
	/* > U+10FFFF, stray continuation, truncated sequence at the end */
	assert_string_equal(SAN("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD);
	assert_string_equal(SAN("a\x80" "b"), "a" FFFD "b");
	assert_string_equal(SAN("ok\xea\xb4"), "ok" FFFD FFFD);
	assert_string_equal(SAN("\xff\xfe"), FFFD FFFD);
	/* valid 4-byte: U+1F600 */
	assert_string_equal(SAN("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

static void
test_korean_kept(void **state)
{
	const char *k = "광주 에너지 실증센터";
	assert_string_equal(san(k, strlen(k), 512), k);
	assert_string_equal(SAN("예산 3,939 억원"), "예산 3,939 억원");
}

static void
test_cut_on_boundary(void **state)
{
	const char *k = "광주 에너지";	/* 3-byte syllables */
	/* room for 4 bytes: one syllable (3) fits, the next does not */
	assert_string_equal(san(k, strlen(k), 5), "광");
	assert_string_equal(san(k, strlen(k), 4), "광");
	assert_string_equal(san(k, strlen(k), 3), "");
	assert_string_equal(san(k, strlen(k), 8), "광주 ");
	assert_string_equal(san(k, strlen(k), 7), "광주");
	/* a replacement is cut whole too */
	assert_string_equal(san("ab\033", 3, 5), "ab");
	char one = 'x';
	assert_int_equal(sanitize_text(&one, 1, "abc", 3), 0);
	assert_int_equal(one, '\0');
	char untouched = 'x';
	assert_int_equal(sanitize_text(&untouched, 0, "abc", 3), 0);
	assert_int_equal(untouched, 'x');
}

static void
test_ascii_only(void **state)
{
	char out[64];
	const char *in = "\033[2J광주\tok\x80";
	sanitize_text_flags(out, sizeof out, in, strlen(in), SANITIZE_ASCII);
	assert_string_equal(out, "?[2J?? ok?");
}

static void
test_dup(void **state)
{
	char *d = sanitize_dup("\033]0;pwned\007", 10, 100);
	assert_string_equal(d, FFFD "]0;pwned" FFFD);
	free(d);
	const char *k = "광주 에너지 실증센터";
	d = sanitize_dup(k, strlen(k), 6);
	assert_string_equal(d, "광주");
	free(d);
	d = sanitize_dup("", 0, 10);
	assert_string_equal(d, "");
	free(d);
}

/* The sanitiser without its ASCII runs: sanitize_char at every character. */
static size_t
reference(char *dst, size_t dstlen, const char *src, size_t srclen, unsigned flags)
{
	size_t o = 0, i = 0;

	if (dstlen == 0)
		return 0;
	while (i < srclen) {
		size_t k, l;
		const char *out = sanitize_char(src + i, srclen - i, flags, &k, &l);
		if (o + l > dstlen - 1)
			break;
		memcpy(dst + o, out, l);
		o += l;
		i += k;
	}
	dst[o] = '\0';
	return o;
}

/*
 * Runs of printable ASCII are copied at once: the same output as a decode
 * per character, for mixed text (ASCII, tabs, controls, UTF-8, bad bytes,
 * DEL) at every destination size, both flags.
 */
static void
test_ascii_runs_same(void **state)
{
	static const char *const pieces[] = { "GPU Temp", " ", "\t", "\033[2J", "광주", "\x80",
		"\x7f", "\xe2\x80\xae", "ok", "\x00", "Fan1A", "\xc3", "é", "|", "\n" };
	const size_t npieces = sizeof pieces / sizeof pieces[0];
	unsigned seed = 7;
	char src[96], got[100], want[100];

	for (int round = 0; round < 400; round++) {
		size_t len = 0;
		while (len < 60) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % npieces];
			size_t l = *p ? strlen(p) : 1;	/* "\x00": one NUL byte */
			memcpy(src + len, p, l);
			len += l;
		}
		for (size_t dl = 0; dl <= sizeof got; dl++)
			for (unsigned flags = 0; flags <= SANITIZE_ASCII; flags += SANITIZE_ASCII) {
				memset(got, 'x', sizeof got);
				memset(want, 'x', sizeof want);
				size_t g = sanitize_text_flags(got, dl, src, len, flags);
				size_t w = reference(want, dl, src, len, flags);
				assert_int_equal(g, w);
				assert_memory_equal(got, want, sizeof got);
			}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_bidi_and_zero_width),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_korean_kept),
		cmocka_unit_test(test_cut_on_boundary),
		cmocka_unit_test(test_ascii_only),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_ascii_runs_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
