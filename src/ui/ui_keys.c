/*
 * ui_keys.c: what a key or a mouse event does. Line editing for `/` (the
 * live filter), `:` (commands, Tab completes) and the `a` note; the help
 * overlay's keys; the global keys (quit, help, focus, views 1-4, zoom,
 * sort, ^L, resize, Enter, Esc); then the moving keys and the wheel, which
 * are the focused pane's panel's (panel.c), and every other key goes to the
 * focused pane through its pane_ops. A click focuses the pane under it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "opsdeck/ui_priv.h"

/* Line editing for `/` and `:`; returns 1 when the key was used. */
static int
ui_input_key(struct ui *u, int key)
{
	u->cands[0] = '\0';	/* shown until the next key */
	if (key == 27) {
		if (u->mode == MODE_FILTER)
			ui_set_filter(u, "");
		else if (u->mode == MODE_ACK)
			ui_message(u, 0, "acknowledgement cancelled");
		u->mode = MODE_NORMAL;
		u->filter_dev = 0;
		u->status_dirty = 1;
		return 1;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		enum ui_mode m = u->mode;
		u->mode = MODE_NORMAL;
		u->filter_dev = 0;
		if (m == MODE_COMMAND)
			ui_command(u, u->input);
		else if (m == MODE_ACK)
			ui_ack_submit(u, u->input);
		u->status_dirty = 1;
		return 1;
	}
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (u->input_len == 0) {
			if (u->mode == MODE_FILTER)
				ui_set_filter(u, "");
			u->mode = MODE_NORMAL;
			u->filter_dev = 0;
		} else {
			/* drop one whole UTF-8 character */
			do {
				u->input_len--;
			} while (u->input_len > 0 &&
			    ((unsigned char)u->input[u->input_len] & 0xc0) == 0x80);
			u->input[u->input_len] = '\0';
			if (u->mode == MODE_FILTER)
				ui_set_filter(u, u->input);
		}
		u->status_dirty = 1;
		return 1;
	}
	if (key == '\t' && u->mode == MODE_COMMAND) {
		u->input_len = ui_complete(u, u->input, sizeof u->input);
		u->status_dirty = 1;
		return 1;
	}
	if (key == 21) {	/* ^U */
		u->input_len = 0;
		u->input[0] = '\0';
		if (u->mode == MODE_FILTER)
			ui_set_filter(u, "");
		u->status_dirty = 1;
		return 1;
	}
	if ((key >= 0x20 && key < 0x7f) || key >= UI_KEY_WIDE) {
		char enc[8];
		wchar_t wc = (wchar_t)(key >= UI_KEY_WIDE ? key - UI_KEY_WIDE : key);
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(enc, wc, &st);
		if (n == (size_t)-1 || u->input_len + n + 1 > sizeof u->input)
			return 1;
		memcpy(u->input + u->input_len, enc, n);
		u->input_len += n;
		u->input[u->input_len] = '\0';
		if (u->mode == MODE_FILTER)
			ui_set_filter(u, u->input);
		u->status_dirty = 1;
		return 1;
	}
	return 1;
}

/* A mouse event: focus the pane under it; the wheel scrolls its panel, a click selects. */
static void
ui_click(struct ui *u, MEVENT *ev)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &u->pane[i];
		if (p->win == NULL || ev->y < p->y || ev->y >= p->y + p->h ||
		    ev->x < p->x || ev->x >= p->x + p->w)
			continue;
		if (u->focus != i) {
			u->pane[u->focus].dirty = 1;
			u->focus = i;
			p->dirty = 1;
		}
		if (ev->bstate & BUTTON4_PRESSED)
			panel_wheel(u, p, -1);
#ifdef BUTTON5_PRESSED
		else if (ev->bstate & BUTTON5_PRESSED)
			panel_wheel(u, p, 1);
#endif
		else if (p->ops->click != NULL && ev->y > p->y && ev->y < p->y + p->h - 1)
			p->ops->click(u, p, ev->y - p->y - 1);
		return;
	}
}

/* A key while the help overlay shows: its panel's keys; q Esc ? Enter h close it. */
static int
ui_help_key(struct ui *u, int key)
{
	MEVENT ev;

	if (key == 'q' || key == 27 || key == '?' || key == '\n' || key == 'h')
		u->mode = MODE_NORMAL;
	else if (key == KEY_MOUSE && getmouse(&ev) == OK) {
		if (ev.bstate & BUTTON4_PRESSED)
			panel_wheel(u, &u->help, -1);
#ifdef BUTTON5_PRESSED
		else if (ev.bstate & BUTTON5_PRESSED)
			panel_wheel(u, &u->help, 1);
#endif
	} else
		panel_key(u, &u->help, key);
	ui_dirty_all(u);
	return 1;
}

/*
 * One key (a wide character or a KEY_* code) in the current mode. Global
 * keys first, then the focused pane's.
 */
int
ui_handle_key(struct ui *u, int key)
{
	if (u->mode == MODE_FILTER || u->mode == MODE_COMMAND || u->mode == MODE_ACK)
		return ui_input_key(u, key);
	if (u->mode == MODE_HELP)
		return ui_help_key(u, key);
	if (u->mode == MODE_CONFIRM)
		return ui_action_confirm_key(u, key);
	if (u->mode == MODE_RUN)
		return ui_run_key(u, key);
	if (u->msg[0] != '\0') {
		u->msg[0] = '\0';
		u->status_dirty = 1;
	}
	switch (key) {
	case 'q':
		u->quit = 1;
		return 1;
	case '[': case ']':	/* the time cursor: one interval */
		ui_replay_step(u, (key == '[' ? -1 : 1) * ui_replay_interval(u));
		return 1;
	case 'S':	/* an interactive ssh to the selected host */
		ui_action_ssh(u);
		return 1;
	case 'R':	/* Detail's graphs: the next range */
		ui_graph_range_next(u);
		return 1;
	case '{': case '}':	/* one hour */
		ui_replay_step(u, (key == '{' ? -1 : 1) * UI_REPLAY_HOUR_MS);
		return 1;
	case KEY_END:
		if (u->at_ms > 0) {	/* in replay, End returns to live */
			ui_replay_set(u, 0);
			return 1;
		}
		break;
	case '?':
		u->mode = MODE_HELP;
		u->help.top = 0;
		ui_dirty_all(u);
		return 1;
	case '/':
		u->mode = MODE_FILTER;
		/* with Devices focused, `/` filters device names and ids */
		u->filter_dev = u->focus == PANE_DEVICES;
		od_strlcpy(u->input, u->filter_dev ? u->dev_filter : u->filter, sizeof u->input);
		u->input_len = strlen(u->input);
		u->status_dirty = 1;
		return 1;
	case ':':
		u->mode = MODE_COMMAND;
		u->input[0] = '\0';
		u->input_len = 0;
		u->status_dirty = 1;
		return 1;
	case '\t':
		ui_focus(u, 1);
		return 1;
	case KEY_BTAB: case 'h': case KEY_LEFT:
		ui_focus(u, -1);
		return 1;
	case 'l': case KEY_RIGHT:
		ui_focus(u, 1);
		return 1;
	case '1': case '2': case '3': case '4':
		ui_set_view(u, key - '1');	/* the views are in key order */
		return 1;
	case 'z':
		u->zoom = !u->zoom;
		ui_layout(u);
		ui_dirty_all(u);
		return 1;
	case 's':
		u->sort = (u->sort + 1) % SORT_COUNT;
		ui_rebuild_rows(u);
		ui_dirty_all(u);
		ui_message(u, 0, "sort by %s", ui_sort_name(u->sort));
		return 1;
	case 't':	/* as htop's tree: hosts under their groups, or the whole fleet */
		ui_set_grouped(u, !u->grouped);
		ui_message(u, 0, "%s", u->grouped ? "grouped by group" :
		    "ungrouped: the whole fleet in one list");
		return 1;
	case 'r':
		u->sort_rev = !u->sort_rev;
		ui_rebuild_rows(u);
		ui_dirty_all(u);
		return 1;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		ui_dirty_all(u);
		return 1;
	case KEY_RESIZE:
		ui_layout(u);
		ui_dirty_all(u);
		return 1;
	case KEY_MOUSE: {
		MEVENT ev;
		if (getmouse(&ev) == OK) {
			ui_click(u, &ev);
		}
		return 1;
	}
	case '\n': case '\r': case KEY_ENTER:
		if (u->focus == PANE_COMPUTE && ui_selected(u) != NULL) {
			ui_show_detail(u, 0);
			return 1;
		}
		break;
	case 27:	/* Esc: back */
		if (u->pane[u->focus].ops->back != NULL &&
		    u->pane[u->focus].ops->back(u, &u->pane[u->focus]))
			return 1;	/* e.g. from a budget line's ledger */
		if (u->zoom) {
			u->zoom = 0;
			ui_layout(u);
			ui_dirty_all(u);
			return 1;
		}
		if (u->focus != PANE_COMPUTE && u->pane[PANE_COMPUTE].win != NULL) {
			u->pane[u->focus].dirty = 1;
			u->focus = PANE_COMPUTE;
			u->pane[PANE_COMPUTE].dirty = 1;
			return 1;
		}
		if (u->focus == PANE_DEVICES && u->dev_filter[0] != '\0') {
			ui_set_dev_filter(u, "");
			return 1;
		}
		if (u->filter[0] != '\0') {
			ui_set_filter(u, "");
			return 1;
		}
		return 1;
	default:
		break;
	}
	/* the moving keys are the panel's, the same in every pane */
	struct pane *p = &u->pane[u->focus];
	if (p->win != NULL && panel_key(u, p, key))
		return 1;
	if (p->win != NULL && p->ops->key != NULL)
		return p->ops->key(u, p, key);
	return 0;
}
