/*
 * pane_devices.c: the Devices pane: test-bed controllers and the devices
 * behind them. Test-bed groups from the configuration are listed with the
 * state of their controller host; device records arrive with the test-bed
 * probe. With no test-bed group the pane says so instead of inventing data.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

/* Test-bed controllers (hosts of testbed groups), or the reason there are none. */
static void
devices_draw(struct ui *u, struct pane *p)
{
	int y = 1, inner = p->w - 2, n = 0;

	ui_box(u, p, u->focus == PANE_DEVICES, NULL);
	for (size_t i = 0; i < u->nhosts; i++) {
		const struct host_status *h = &u->hosts[i];
		if (h->kind != GROUP_TESTBED)
			continue;
		n++;
		if (y - 1 < p->top || y - p->top >= p->h - 1) {
			y++;
			continue;
		}
		int row = y - p->top, x = 1;
		char buf[64];
		snprintf(buf, sizeof buf, "%s %s", ui_state_glyph(h->state),
		    ui_state_word(h->state));
		int nw = inner / 3 > 24 ? 24 : inner / 3;
		ui_put(p->win, row, x, 10, buf, u->attr[ui_state_role(h->state)]);
		x += 11;
		ui_put_remote(p->win, row, x, nw, h->name, u->attr[THEME_NORMAL]);
		x += nw + 1;
		ui_put_remote(p->win, row, x, nw, h->group, u->attr[THEME_DIM]);
		x += nw + 1;
		ui_putf(p->win, row, x, inner - x + 1, u->attr[THEME_DIM], "%d sensors",
		    h->nsensors);
		y++;
	}
	p->nlines = n;
	if (n == 0)
		ui_put(p->win, 1, 2, inner - 2, "no test-bed controllers configured",
		    u->attr[THEME_DIM]);
}

/* Scrolling keys. */
static int
devices_key(struct ui *u, struct pane *p, int key)
{
	int max = p->nlines - (p->h - 2);

	if (key == 'j' || key == KEY_DOWN)
		p->top++;
	else if (key == 'k' || key == KEY_UP)
		p->top--;
	else if (key == 'g' || key == KEY_HOME)
		p->top = 0;
	else if (key == 'G' || key == KEY_END)
		p->top = max;
	else
		return 0;
	if (p->top > max)
		p->top = max;
	if (p->top < 0)
		p->top = 0;
	p->dirty = 1;
	return 1;
}

const struct pane_ops pane_devices_ops = {
	.name = "Devices",
	.draw = devices_draw,
	.key = devices_key,
	.click = NULL,
};
