/*
 * sanitize.c: make untrusted (remote) text safe for a terminal and a cache.
 *
 * Policy (see sanitize.h), the same before storage and before drawing:
 *   - valid UTF-8 passes through, except the characters below;
 *   - TAB becomes one space (it would move the cursor, but its meaning,
 *     "some blank", is worth keeping);
 *   - every character unicode_unsafe() names (controls, format characters,
 *     line and paragraph separators, private use, unassigned, surrogates,
 *     default-ignorables such as variation selectors, tags and the Hangul
 *     fillers) becomes U+FFFD: it would move the cursor, reorder, hide or
 *     disguise what is shown;
 *   - each byte that does not start a valid, shortest-form, non-surrogate
 *     UTF-8 sequence up to U+10FFFF becomes U+FFFD (one per bad byte);
 *   - with SANITIZE_ASCII, every replacement is '?' and every non-ASCII
 *     character also becomes '?'.
 * Output is cut before the first character that does not fit whole.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/unicode.h"
#include "opsdeck/util.h"

/* See sanitize.h. */
const char *
sanitize_char(const char *src, size_t srclen, unsigned flags, size_t *taken, size_t *outlen)
{
	const char *repl = (flags & SANITIZE_ASCII) ? "?" : UNICODE_REPLACEMENT_UTF8;
	uint32_t cp;
	size_t k = unicode_decode(src, srclen, &cp);

	*taken = k != 0 ? k : 1;
	if (k != 0 && cp == '\t') {
		*outlen = 1;
		return " ";
	}
	if (k == 0 || unicode_unsafe(cp) || ((flags & SANITIZE_ASCII) && cp >= 0x80)) {
		*outlen = strlen(repl);
		return repl;
	}
	*outlen = k;
	return src;
}

/*
 * See sanitize.h. Writes at most dstlen-1 bytes and a NUL into dst; srclen
 * bytes of src are read (a NUL among them is a control). Returns the bytes
 * written before the NUL.
 */
size_t
sanitize_text_flags(char *dst, size_t dstlen, const char *src, size_t srclen,
    unsigned flags)
{
	size_t o = 0, i = 0;

	if (dstlen == 0)
		return 0;
	while (i < srclen) {
		/*
		 * A run of printable ASCII (nearly all that nodes send) is
		 * itself: copied at once, without a decode per byte.
		 */
		size_t run = 0;
		while (i + run < srclen && (unsigned char)src[i + run] >= 0x20 &&
		    (unsigned char)src[i + run] < 0x7f)
			run++;
		if (run > 0) {
			if (run > dstlen - 1 - o)
				run = dstlen - 1 - o;
			memcpy(dst + o, src + i, run);
			o += run;
			i += run;
			if (o == dstlen - 1)
				break;
			continue;
		}
		size_t k, outlen;
		const char *out = sanitize_char(src + i, srclen - i, flags, &k, &outlen);
		if (o + outlen > dstlen - 1)
			break;
		memcpy(dst + o, out, outlen);
		o += outlen;
		i += k;
	}
	dst[o] = '\0';
	return o;
}

size_t
sanitize_text(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	return sanitize_text_flags(dst, dstlen, src, srclen, 0);
}

/*
 * Returns a malloc'd (caller frees), NUL-terminated sanitised copy of srclen
 * bytes of src holding at most maxbytes bytes before the NUL.
 */
char *
sanitize_dup(const char *src, size_t srclen, size_t maxbytes)
{
	size_t room = srclen > SIZE_MAX / 4 ? SIZE_MAX / 4 : srclen * 3;
	if (room > maxbytes)
		room = maxbytes;
	char *dst = xmalloc(room + 1);
	sanitize_text(dst, room + 1, src, srclen);
	return dst;
}
