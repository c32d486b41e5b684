/*
 * textwidth.h: display width of UTF-8 text in terminal cells, truncation with
 * an ellipsis on character boundaries, and number formatting for panes
 * (thousands separators, amounts in 억원).
 *
 * Widths come from wcwidth(3), the terminal's own idea, and so follow
 * LC_CTYPE (main sets it with setlocale(LC_ALL, "")); where wcwidth knows a
 * character not (C locale, newer than libc's tables) libutf8proc's width
 * counts (unicode_width). Decoding is the shared unicode_decode(): invalid
 * UTF-8 bytes and unsafe characters (unicode_unsafe) count as one cell each,
 * because the console draws them as U+FFFD. Zero-width characters count 0.
 * No allocation, no globals: every function writes into the caller's buffer.
 */
#ifndef OPSDECK_TEXTWIDTH_H
#define OPSDECK_TEXTWIDTH_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_ELLIPSIS "\xe2\x80\xa6"	/* U+2026, one cell */

/* Cells one code point takes: 0, 1 or 2 (unsafe ones: 1, drawn as U+FFFD). */
int text_cp_width(uint32_t cp);

/* Cells the first len bytes of s take. */
int text_width(const char *s, size_t len);
/* Same for a NUL-terminated string. */
int text_swidth(const char *s);

/*
 * Copies the longest prefix of s that fits in `cells` cells into dst (dstlen
 * bytes including the NUL). When s does not fit, the copy ends with "…" and
 * the prefix is shortened so the whole still fits; a wide character is never
 * split. Returns the cells the result takes. dstlen must be >= 1.
 */
int text_truncate(char *dst, size_t dstlen, const char *s, int cells);

/*
 * Like text_truncate but pads with spaces to exactly `cells` cells, on the
 * right (align_right == 0) or the left. Returns cells written (== cells
 * unless dst was too small).
 */
int text_fit(char *dst, size_t dstlen, const char *s, int cells, int align_right);

/* "1,234,567", "-12,000". */
void text_thousands(char *dst, size_t dstlen, int64_t v);

/*
 * An amount in 억원 with thousands separators and `decimals` (0-4) digits
 * after the point, rounded half away from zero: 3939 -> "3,939",
 * 2559.25 (1 decimal) -> "2,559.3". NaN or infinite: "-".
 */
void text_eok(char *dst, size_t dstlen, double eok, int decimals);

/* A won amount as 억원 (1 억원 = 100,000,000 KRW). */
double text_krw_to_eok(int64_t krw);

/*
 * Bytes as "1.5G", "512M", "12K", "800B" (binary units, at most 5 cells).
 */
void text_bytes(char *dst, size_t dstlen, double bytes);

#endif
