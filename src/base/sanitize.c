/*
 * sanitize.c: make untrusted (remote) text safe for a terminal and a cache.
 *
 * Policy (see sanitize.h):
 *   - valid UTF-8 passes through, except the characters below;
 *   - TAB becomes one space (it would move the cursor, but its meaning,
 *     "some blank", is worth keeping);
 *   - every other C0 control (U+0000-U+001F, so also CR, LF, BS, ESC, BEL),
 *     DEL (U+007F) and C1 control (U+0080-U+009F) becomes U+FFFD;
 *   - bidi embeddings, overrides, isolates and marks (U+061C, U+200E, U+200F,
 *     U+202A-U+202E, U+2066-U+2069) and zero-width characters (U+200B-U+200D,
 *     U+2060, U+FEFF) become U+FFFD: they would reorder or hide what is shown;
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
#include "opsdeck/util.h"

/*
 * Decodes one UTF-8 character at s (n > 0 bytes available). Returns its
 * length (1-4) and the code point in *cp, or 0 when s[0] does not start a
 * valid shortest-form sequence (overlong, surrogate, > U+10FFFF, truncated).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	uint32_t v;
	size_t need;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* > U+10FFFF */
	} else
		return 0;
	if (n < need)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3f);
	for (size_t i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return need;
}

/* Whether a decoded code point must not reach a terminal. */
static int
cp_is_unsafe(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return 1;
	if (cp >= 0x80 && cp <= 0x9f)
		return 1;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f)
		return 1;
	if (cp >= 0x202a && cp <= 0x202e)
		return 1;
	if (cp >= 0x2066 && cp <= 0x2069)
		return 1;
	if ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff)
		return 1;
	return 0;
}

size_t
sanitize_text_flags(char *dst, size_t dstlen, const char *src, size_t srclen,
    unsigned flags)
{
	static const char repl_utf8[] = "\xef\xbf\xbd";
	const unsigned char *s = (const unsigned char *)src;
	const char *repl = (flags & SANITIZE_ASCII) ? "?" : repl_utf8;
	size_t repl_len = strlen(repl);
	size_t o = 0, i = 0;

	if (dstlen == 0)
		return 0;
	while (i < srclen) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, srclen - i, &cp);
		const char *out;
		size_t outlen;

		if (k == 0) {
			out = repl;
			outlen = repl_len;
			k = 1;
		} else if (cp == '\t') {
			out = " ";
			outlen = 1;
		} else if (cp_is_unsafe(cp) || ((flags & SANITIZE_ASCII) && cp >= 0x80)) {
			out = repl;
			outlen = repl_len;
		} else {
			out = (const char *)s + i;
			outlen = k;
		}
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
