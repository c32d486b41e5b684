/*
 * fuzz_sanitize.c: sanitize_text on arbitrary bytes. The output must be valid
 * UTF-8 without controls, bidi or zero-width characters, fit its buffer, and
 * be a fixed point (sanitising it again changes nothing).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Independent check of the output: abort on anything sanitize_text must remove. */
static void
check_clean(const unsigned char *s, size_t n, int ascii)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		uint32_t cp;
		size_t k;
		if (c < 0x80) {
			cp = c;
			k = 1;
		} else if ((c & 0xe0) == 0xc0) {
			cp = c & 0x1f;
			k = 2;
		} else if ((c & 0xf0) == 0xe0) {
			cp = c & 0x0f;
			k = 3;
		} else if ((c & 0xf8) == 0xf0) {
			cp = c & 0x07;
			k = 4;
		} else
			abort();
		if (ascii && k > 1)
			abort();
		if (i + k > n)
			abort();
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				abort();
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000))
			abort();	/* overlong */
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			abort();
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			abort();
		if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0x200b && cp <= 0x200d) ||
		    cp == 0x2060 || cp == 0xfeff)
			abort();
		i += k;
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
