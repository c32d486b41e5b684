/*
 * textwidth.c: cell widths, truncation and number formatting (textwidth.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "opsdeck/textwidth.h"

size_t
text_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2; c = u[0] & 0x1f; min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3; c = u[0] & 0x0f; min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4; c = u[0] & 0x07; min = 0x10000;
	} else {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	if (len < n) {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = TEXT_REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	*cp = c;
	return n;
}

/* East Asian Wide and Fullwidth blocks, for locales where wcwidth() knows nothing. */
static int
text_wide_fallback(uint32_t cp)
{
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
	};
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

int
text_cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 1;		/* a control: drawn as U+FFFD */
	if (cp < 0x7f)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w > 2 ? 2 : w;
	return text_wide_fallback(cp);
}

int
text_width(const char *s, size_t len)
{
	size_t i = 0;
	int w = 0;
	uint32_t cp;

	while (i < len) {
		i += text_decode(s + i, len - i, &cp);
		w += text_cp_width(cp);
	}
	return w;
}

int
text_swidth(const char *s)
{
	return text_width(s, strlen(s));
}

/* Encodes cp as UTF-8 into out (4 bytes); returns the length. */
static size_t
text_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The printable form of cp as drawn: controls become U+FFFD, zero-width
 * characters are dropped (returns 0 bytes).
 */
static size_t
text_drawn(uint32_t cp, char *out, int *width)
{
	*width = text_cp_width(cp);
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		cp = TEXT_REPLACEMENT;
	else if (*width == 0)
		return 0;
	return text_encode(cp, out);
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
		i += text_decode(s + i, slen - i, &cp);
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
