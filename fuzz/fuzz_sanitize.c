/*
 * fuzz_sanitize.c: sanitize_text on arbitrary bytes. The output must be valid
 * UTF-8 without a character of the unsafe categories (controls, format,
 * separators, private use, unassigned, default-ignorables), fit its buffer,
 * and be a fixed point (sanitising it again changes nothing).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/unicode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Check of the output: valid UTF-8 (asked of libutf8proc directly) and no
 * character of the one policy's unsafe set (unicode_unsafe, whose every
 * category tests/test_unicode.c checks against the fixture corpus).
 */
static void
check_clean(const unsigned char *s, size_t n, int ascii)
{
	size_t i = 0;
	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0 || cp < 0)
			abort();
		if ((ascii && k > 1) || unicode_unsafe((uint32_t)cp))
			abort();
		i += (size_t)k;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size * 3 + 1;
	char *out = malloc(cap), *again = malloc(cap);
	if (out == NULL || again == NULL)
		abort();
	for (int ascii = 0; ascii <= 1; ascii++) {
		size_t n = sanitize_text_flags(out, cap, (const char *)data, size,
		    ascii ? SANITIZE_ASCII : 0);
		if (n >= cap || out[n] != '\0' || strlen(out) != n)
			abort();
		check_clean((const unsigned char *)out, n, ascii);
		size_t m = sanitize_text_flags(again, cap, out, n, ascii ? SANITIZE_ASCII : 0);
		if (m != n || memcmp(out, again, n) != 0)
			abort();
	}
	/* small buffers: cut on a character boundary, still clean */
	size_t small = size > 0 ? 1 + data[0] % 16 : 1;
	char buf[17];
	size_t n = sanitize_text(buf, small, (const char *)data, size);
	if (n >= small || buf[n] != '\0')
		abort();
	check_clean((const unsigned char *)buf, n, 0);
	char *d = sanitize_dup((const char *)data, size, 40);
	if (strlen(d) > 40)
		abort();
	check_clean((const unsigned char *)d, strlen(d), 0);
	free(d);
	free(out);
	free(again);
	return 0;
}
