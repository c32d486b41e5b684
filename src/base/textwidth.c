/*
 * textwidth.c: cell widths, truncation and number formatting (textwidth.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "opsdeck/textwidth.h"
#include "opsdeck/unicode.h"

/*
 * See textwidth.h. The terminal's own idea first: wcwidth(3) is what ncurses
 * uses to place the cursor, so a width that disagrees with it would shift
 * everything drawn after. Only where the C library knows nothing (a C
 * locale, a code point newer than its tables) does libutf8proc's width count.
 */
int
text_cp_width(uint32_t cp)
{
	int w;

	if (cp >= 0x20 && cp < 0x7f)
		return 1;
	if (unicode_unsafe(cp))
		return 1;		/* drawn as U+FFFD */
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w > 2 ? 2 : w;
	return unicode_width(cp);
}

int
text_width(const char *s, size_t len)
{
	size_t i = 0;
	int w = 0;
	uint32_t cp;

	while (i < len) {
		size_t k = unicode_decode(s + i, len - i, &cp);
		i += k > 0 ? k : 1;
		w += text_cp_width(cp);
	}
	return w;
}

int
text_swidth(const char *s)
{
	return text_width(s, strlen(s));
}

/*
 * The printable form of cp as drawn: unsafe characters (unicode_unsafe)
 * become U+FFFD, zero-width ones (combining marks the terminal would fold
 * into the previous cell) are dropped (returns 0 bytes).
 */
static size_t
text_drawn(uint32_t cp, char *out, int *width)
{
	*width = text_cp_width(cp);
	if (unicode_unsafe(cp))
		cp = UNICODE_REPLACEMENT;
	else if (*width == 0)
		return 0;
	return unicode_encode(cp, out);
}

/*
 * Contract: dst gets at most dstlen-1 bytes plus a NUL, always valid UTF-8
 * (invalid input bytes and controls become U+FFFD). When the whole of s fits
 * in `cells` (and in dst) it is copied; otherwise the longest prefix that
 * leaves one cell for the ellipsis is kept and "…" appended. cells <= 0
 * gives "". Returns the cells used.
 */
int
text_truncate(char *dst, size_t dstlen, const char *s, int cells)
{
	size_t slen = strlen(s), i = 0, o = 0;
	size_t cut_o = 0;	/* output length where an ellipsis still fits */
	int w = 0, cut_w = 0, cw;
	int elw = 1;
	size_t ell = sizeof TEXT_ELLIPSIS - 1;
	char enc[4];
	uint32_t cp;

	if (dstlen == 0)
		return 0;
	dst[0] = '\0';
	if (cells <= 0)
		return 0;
	while (i < slen) {
		size_t k = unicode_decode(s + i, slen - i, &cp);
		i += k > 0 ? k : 1;
		size_t n = text_drawn(cp, enc, &cw);
		if (n == 0)
			continue;
		if (w + cw > cells || o + n + 1 > dstlen)
			goto cut;
		memcpy(dst + o, enc, n);
		o += n;
		w += cw;
		if (w + elw <= cells && o + ell + 1 <= dstlen) {
			cut_o = o;
			cut_w = w;
		}
	}
	dst[o] = '\0';
	return w;
cut:
	if (cells < elw || cut_o + ell + 1 > dstlen) {
		/* no room for the ellipsis itself: keep the prefix that fits */
		dst[o] = '\0';
		return w;
	}
	memcpy(dst + cut_o, TEXT_ELLIPSIS, ell);
	dst[cut_o + ell] = '\0';
	return cut_w + elw;
}

int
text_fit(char *dst, size_t dstlen, const char *s, int cells, int align_right)
{
	int w = text_truncate(dst, dstlen, s, cells);
	size_t len = strlen(dst);
	int pad = cells - w;

	if (pad <= 0)
		return w;
	if (len + (size_t)pad + 1 > dstlen)
		pad = (int)(dstlen - len - 1);
	if (align_right) {
		memmove(dst + pad, dst, len + 1);
		memset(dst, ' ', (size_t)pad);
	} else {
		memset(dst + len, ' ', (size_t)pad);
		dst[len + (size_t)pad] = '\0';
	}
	return w + pad;
}

/* Writes the digits of v (non-negative) with commas every three; returns length. */
static size_t
text_group(char *out, uint64_t v)
{
	char tmp[32];
	size_t n = 0, o = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0) {
		out[o++] = tmp[--n];
		if (n > 0 && n % 3 == 0)
			out[o++] = ',';
	}
	out[o] = '\0';
	return o;
}

void
text_thousands(char *dst, size_t dstlen, int64_t v)
{
	char out[40];
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	out[0] = '-';
	text_group(out + (v < 0), mag);
	if (dstlen > 0)
		snprintf(dst, dstlen, "%s", out);
}

void
text_eok(char *dst, size_t dstlen, double eok, int decimals)
{
	char out[64];
	uint64_t scale = 1, ip, fp;
	double mag, scaled;
	size_t o;

	if (dstlen == 0)
		return;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 4)
		decimals = 4;
	if (!isfinite(eok) || fabs(eok) >= 1e15) {
		snprintf(dst, dstlen, "-");
		return;
	}
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	mag = fabs(eok);
	scaled = floor(mag * (double)scale + 0.5);
	ip = (uint64_t)(scaled / (double)scale);
	fp = (uint64_t)scaled - ip * scale;
	o = 0;
	if (eok < 0 && scaled > 0)
		out[o++] = '-';
	o += text_group(out + o, ip);
	if (decimals > 0)
		snprintf(out + o, sizeof out - o, ".%0*llu", decimals, (unsigned long long)fp);
	snprintf(dst, dstlen, "%s", out);
}

double
text_krw_to_eok(int64_t krw)
{
	return (double)krw / 100000000.0;
}

void
text_bytes(char *dst, size_t dstlen, double bytes)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	if (dstlen == 0)
		return;
	if (!isfinite(bytes) || bytes < 0) {
		snprintf(dst, dstlen, "-");
		return;
	}
	while (bytes >= 1024.0 && u < 6) {
		bytes /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(dst, dstlen, "%.0fB", bytes);
	else if (bytes < 9.95)
		snprintf(dst, dstlen, "%.1f%c", bytes, units[u]);
	else
		snprintf(dst, dstlen, "%.0f%c", bytes, units[u]);
}
