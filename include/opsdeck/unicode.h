/*
 * unicode.h: the one UTF-8 decoder and the one notion of an "unsafe"
 * character for the whole program.
 *
 * Every piece of code that walks UTF-8 by code point (the sanitiser, display
 * widths, the ledger reader, config messages) decodes through
 * unicode_decode(), and every decision "may this character reach a terminal,
 * the cache or a message" is unicode_unsafe(). Categories, the
 * Default_Ignorable_Code_Point property and widths come from libutf8proc, so
 * they follow the Unicode version of the installed library rather than a
 * table of our own.
 *
 * Unsafe, by category or property (see unicode_unsafe):
 *   Cc controls (C0, DEL, C1), Cf format characters (bidi marks and
 *   overrides, zero-width characters, U+00AD, U+180E, U+2061-U+2064,
 *   U+206A-U+206F, U+FEFF, U+FFF9-U+FFFB, tags U+E0000-U+E007F), Zl and Zp
 *   (U+2028, U+2029), Co private use, Cn unassigned (noncharacters
 *   included), Cs surrogates, and every Default_Ignorable_Code_Point
 *   (U+034F, variation selectors, the Hangul fillers U+115F, U+1160,
 *   U+3164, U+FFA0, ...), which draw as nothing or as a blank.
 * Pure: no locale, no globals, no allocation.
 */
#ifndef OPSDECK_UNICODE_H
#define OPSDECK_UNICODE_H

#include <stddef.h>
#include <stdint.h>

#define UNICODE_REPLACEMENT 0xFFFD	/* U+FFFD REPLACEMENT CHARACTER */
#define UNICODE_REPLACEMENT_UTF8 "\xef\xbf\xbd"

/*
 * Decodes the character at s (len > 0 bytes available) into *cp. Returns its
 * length (1-4) when s starts a valid shortest-form UTF-8 sequence of a
 * scalar value (no overlongs, surrogates, > U+10FFFF, truncation, stray
 * continuation bytes); otherwise returns 0 and sets *cp to
 * UNICODE_REPLACEMENT, and the caller skips one byte.
 */
size_t unicode_decode(const char *s, size_t len, uint32_t *cp);

/* Encodes scalar value cp as UTF-8 into out (room for 4); returns 1-4. */
size_t unicode_encode(uint32_t cp, char *out);

/* 1 when cp must not be stored, drawn or printed as it is (see above), else 0. */
int unicode_unsafe(uint32_t cp);

/*
 * Cells cp takes by Unicode's East Asian Width as libutf8proc knows it: 0
 * (combining marks), 1 or 2. For unsafe characters the answer is meaningless;
 * callers draw those as U+FFFD.
 */
int unicode_width(uint32_t cp);

#endif
