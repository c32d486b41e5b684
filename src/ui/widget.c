/*
 * widget.c: drawing helpers of the console: text cut on cell boundaries,
 * gauges, sparklines, pane borders with titles, state glyphs and words.
 *
 * Every string goes through our own UTF-8 decoder before it reaches
 * ncurses: controls become U+FFFD and zero-width characters are dropped, so
 * no escape sequence can reach the terminal; strings from hosts are also run
 * through sanitize_text() first (ui_put_remote), as defence in depth.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"
#include "opsdeck/unicode.h"

/*
 * Draws UTF-8 s at (y, x) of w in at most `cells` cells with attribute a,
 * ending with "…" when it does not fit. Nothing is drawn outside the window.
 * Returns the cells drawn.
 */
int
ui_put(WINDOW *w, int y, int x, int cells, const char *s, attr_t a)
{
	char cut[1024];
	wchar_t wbuf[512];
	size_t i = 0, n = 0, len;
	int maxx = getmaxx(w), maxy = getmaxy(w), drawn;
	uint32_t cp;

	if (y < 0 || y >= maxy || x < 0 || x >= maxx || cells <= 0)
		return 0;
	if (cells > maxx - x)
		cells = maxx - x;
	drawn = text_truncate(cut, sizeof cut, s, cells);
	len = strlen(cut);
	while (i < len && n < OD_ARRAY_LEN(wbuf) - 1) {
		size_t k = unicode_decode(cut + i, len - i, &cp);
		i += k > 0 ? k : 1;
		wbuf[n++] = (wchar_t)cp;
	}
	wbuf[n] = L'\0';
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	mvwaddnwstr(w, y, x, wbuf, (int)n);
	wattr_set(w, A_NORMAL, 0, NULL);
	return drawn;
}

int
ui_put_remote(WINDOW *w, int y, int x, int cells, const char *s, attr_t a)
{
	char clean[1024];

	sanitize_text(clean, sizeof clean, s, strlen(s));
	return ui_put(w, y, x, cells, clean, a);
}

int
ui_putf(WINDOW *w, int y, int x, int cells, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(w, y, x, cells, buf, a);
}

/* Draws s right-aligned in `cells` cells. */
int
ui_fit_right(WINDOW *w, int y, int x, int cells, const char *s, attr_t a)
{
	int sw = text_swidth(s);

	if (sw >= cells)
		return ui_put(w, y, x, cells, s, a);
	return ui_put(w, y, x + cells - sw, sw, s, a);
}

/* Paints `cells` blanks with attribute a (a selection bar, a cleared field). */
void
ui_fill(WINDOW *w, int y, int x, int cells, attr_t a)
{
	int maxx = getmaxx(w);

	if (y < 0 || y >= getmaxy(w) || x < 0 || x >= maxx)
		return;
	if (cells > maxx - x)
		cells = maxx - x;
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	mvwhline(w, y, x, ' ', cells);
	wattr_set(w, A_NORMAL, 0, NULL);
}

/*
 * A bar of `cells` cells for pct (0-100, < 0: unknown) with the number at
 * its right end: "▮▮▮▮····  42%". The fill uses role r, the rest gauge_empty.
 */
void
ui_gauge(struct ui *u, WINDOW *w, int y, int x, int cells, double pct, enum theme_role r)
{
	char num[8];
	int bar, fill;

	if (cells <= 0)
		return;
	if (pct < 0 || isnan(pct)) {
		ui_put(w, y, x, cells, "-", u->attr[THEME_STALE]);
		return;
	}
	if (pct > 100)
		pct = 100;
	snprintf(num, sizeof num, "%3.0f%%", pct);
	bar = cells - 5;
	if (bar < 2) {
		ui_put(w, y, x, cells, num, u->attr[r]);
		return;
	}
	fill = (int)lround(pct * bar / 100.0);
	if (r == THEME_SELECTION) {
		/* on the selection bar everything takes the selection's colours */
		for (int i = 0; i < bar; i++)
			ui_put(w, y, x + i, 1, i < fill ? "|" : " ", u->attr[r]);
		ui_put(w, y, x + bar, 5, num, u->attr[r]);
		return;
	}
	/* `|` and `.` keep the gauge readable without colour, as htop does */
	for (int i = 0; i < bar; i++) {
		if (i < fill)
			ui_put(w, y, x + i, 1, "|", u->attr[r] | (u->colors ? 0 : A_BOLD));
		else
			ui_put(w, y, x + i, 1, u->colors ? " " : ".", u->attr[THEME_GAUGE_EMPTY]);
	}
	ui_put(w, y, x + bar, 5, num, u->attr[THEME_NORMAL]);
}

/*
 * The newest `cells` values of a ring (0-100, < 0 unknown) as block
 * characters, oldest on the left.
 */
void
ui_spark(struct ui *u, WINDOW *w, int y, int x, int cells, const float *ring,
    int head, int count, int ring_len)
{
	static const char *const blocks[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	int n = count < cells ? count : cells;
	int pad = cells - n;

	for (int i = 0; i < pad; i++)
		ui_put(w, y, x + i, 1, " ", u->attr[THEME_NORMAL]);
	for (int i = 0; i < n; i++) {
		int slot = (head - n + i + ring_len * 2) % ring_len;
		float v = ring[slot];
		if (v < 0) {
			ui_put(w, y, x + pad + i, 1, " ", u->attr[THEME_STALE]);
			continue;
		}
		int b = (int)(v / 100.0f * 7.0f + 0.5f);
		if (b < 0)
			b = 0;
		if (b > 7)
			b = 7;
		ui_put(w, y, x + pad + i, 1, blocks[b], u->attr[THEME_SPARK]);
	}
}

/*
 * Border of pane p with its title (" Compute " plus extra, e.g. counts) in
 * the top edge. The focused pane gets the focus roles and a marker, so focus
 * shows without colour too.
 */
void
ui_box(struct ui *u, struct pane *p, int focused, const char *extra)
{
	attr_t b = u->attr[focused ? THEME_BORDER_FOCUS : THEME_BORDER];
	attr_t t = u->attr[focused ? THEME_TITLE_FOCUS : THEME_TITLE];
	char title[256];
	int x;

	wattr_set(p->win, b & ~A_COLOR, (short)PAIR_NUMBER(b), NULL);
	box(p->win, 0, 0);
	wattr_set(p->win, A_NORMAL, 0, NULL);
	snprintf(title, sizeof title, "%s%s%s", focused ? "[" : " ", p->ops->name,
	    focused ? "]" : " ");
	x = ui_put(p->win, 0, 2, p->w - 4, title, t | (focused ? A_BOLD : 0));
	if (extra != NULL && extra[0] != '\0' && p->w - 4 - x > 4)
		ui_putf(p->win, 0, 2 + x, p->w - 4 - x, b, " %s ", extra);
}

enum theme_role
ui_state_role(enum host_state s)
{
	switch (s) {
	case HOST_UP:
		return THEME_OK;
	case HOST_CONNECTING:
		return THEME_DIM;
	case HOST_STALE:
		return THEME_STALE;
	case HOST_PARSE_ERROR:
		return THEME_WARN;
	default:
		return THEME_CRIT;
	}
}

/* A glyph per state so a state never shows by colour alone. */
const char *
ui_state_glyph(enum host_state s)
{
	switch (s) {
	case HOST_UP:
		return "\xe2\x97\x8f";		/* ● */
	case HOST_CONNECTING:
		return "\xe2\x97\x8c";		/* ◌ */
	case HOST_STALE:
		return "\xe2\x97\x90";		/* ◐ */
	case HOST_PARSE_ERROR:
		return "!";
	default:
		return "\xe2\x9c\x96";		/* ✖ */
	}
}

/* Short state words, at most 8 cells. */
const char *
ui_state_word(enum host_state s)
{
	static const char *const w[HOST_STATE_COUNT] = {
		[HOST_CONNECTING] = "connect",
		[HOST_UP] = "up",
		[HOST_STALE] = "stale",
		[HOST_DOWN] = "down",
		[HOST_TIMEOUT] = "timeout",
		[HOST_AUTH_FAILED] = "authfail",
		[HOST_HOSTKEY_UNKNOWN] = "newkey",
		[HOST_HOSTKEY_CHANGED] = "keychg!",
		[HOST_PARSE_ERROR] = "parseerr",
		[HOST_CUT_OFF] = "cut-off",
	};
	if ((unsigned)s >= HOST_STATE_COUNT)
		return "?";
	return w[s];
}

enum theme_role
ui_pct_role(double pct)
{
	if (pct >= 90)
		return THEME_CRIT;
	if (pct >= 70)
		return THEME_WARN;
	return THEME_GAUGE_FILL;
}

/* An age as "4s", "12m", "3h", "5d". */
void
ui_age(char *buf, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
}

/* Glyph of a device state: shape tells it apart without colour. */
const char *
ui_dev_glyph(int s)
{
	switch (s) {
	case DEVICE_OK: return "\xe2\x97\x8f";		/* ● */
	case DEVICE_DEGRADED: return "\xe2\x96\xb2";	/* ▲ */
	case DEVICE_FAULT: return "\xe2\x9c\x96";	/* ✖ */
	case DEVICE_OFFLINE: return "\xe2\x97\x8b";	/* ○ */
	case DEVICE_MAINTENANCE: return "\xe2\x97\x86";	/* ◆ */
	case DEVICE_STALE: return "\xe2\x97\x90";	/* ◐ */
	default: return "?";
	}
}

enum theme_role
ui_dev_role(int s)
{
	switch (s) {
	case DEVICE_OK: return THEME_OK;
	case DEVICE_DEGRADED: return THEME_WARN;
	case DEVICE_FAULT: return THEME_CRIT;
	case DEVICE_OFFLINE: return THEME_WARN;
	case DEVICE_MAINTENANCE: return THEME_DIM;
	default: return THEME_STALE;
	}
}
