/*
 * unicode.c: the UTF-8 decoder, encoder and "unsafe" predicate (unicode.h),
 * on top of libutf8proc.
 */
#include "config.h"

#include <utf8proc.h>

#include "opsdeck/unicode.h"

/*
 * See unicode.h. utf8proc_iterate() rejects overlongs, surrogates, values
 * above U+10FFFF, truncated sequences and stray continuation bytes; we cap
 * the length it may look at to what is there.
 */
size_t
unicode_decode(const char *s, size_t len, uint32_t *cp)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n;

	if (len == 0) {
		*cp = UNICODE_REPLACEMENT;
		return 0;
	}
	if ((unsigned char)s[0] < 0x80) {	/* the common case, without a call */
		*cp = (unsigned char)s[0];
		return 1;
	}
	n = utf8proc_iterate((const utf8proc_uint8_t *)s,
	    (utf8proc_ssize_t)(len > 4 ? 4 : len), &c);
	if (n <= 0 || c < 0) {
		*cp = UNICODE_REPLACEMENT;
		return 0;
	}
	*cp = (uint32_t)c;
	return (size_t)n;
}

/* See unicode.h; cp must be a scalar value (what unicode_decode yields). */
size_t
unicode_encode(uint32_t cp, char *out)
{
	utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp,
	    (utf8proc_uint8_t *)out);

	if (n <= 0)
		return unicode_encode(UNICODE_REPLACEMENT, out);
	return (size_t)n;
}

/*
 * See unicode.h: by general category (Cc, Cf, Zl, Zp, Co, Cn, Cs) and by the
 * Default_Ignorable_Code_Point property. TAB is a control too: callers that
 * keep it as a blank (sanitize_text) test for it first.
 */
int
unicode_unsafe(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7f)
		return 0;	/* printable ASCII, the common case */
	if (cp > 0x10ffff)
		return 1;
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CO:
	case UTF8PROC_CATEGORY_CN:
	case UTF8PROC_CATEGORY_CS:
		return 1;
	default:
		break;
	}
	return utf8proc_get_property((utf8proc_int32_t)cp)->ignorable ? 1 : 0;
}

/* See unicode.h. */
int
unicode_width(uint32_t cp)
{
	int w;

	if (cp > 0x10ffff)
		return 1;
	w = utf8proc_charwidth((utf8proc_int32_t)cp);
	return w < 0 ? 1 : w > 2 ? 2 : w;
}
