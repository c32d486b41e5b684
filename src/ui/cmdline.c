/*
 * cmdline.c: the `:` command line (group, host, theme, view, sort, filter,
 * state, sector, kind, q) with Tab completion, and the `?` help overlay
 * listing every key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/action.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

static const char *const commands[] = {
	"at", "drain", "filter", "group", "help", "host", "idle", "kind", "live", "q", "quit",
	"range", "resume", "run", "sector", "snooze", "sort", "state", "theme", "view", NULL,
};

#define UI_SNOOZE_MAX_MS	(90 * 86400 * 1000LL)	/* :snooze at most 90 days */

/*
 * :snooze DURATION | off — silences the alert selected in the Alerts pane
 * (by its key: host, subject, rule) until now + DURATION, or ends its
 * snooze (off or 0), through the one writer (ui_write_request).
 */
static void
cmd_snooze(struct ui *u, const char *arg)
{
	const struct alert *a = ui_selected_alert(u);
	struct ack_request r;
	int64_t ms = 0;

	if (u->alerts_local) {
		ui_message(u, 1, ":snooze: this cache has no alert log to keep a snooze in");
		return;
	}
	if (a == NULL) {
		ui_message(u, 1, ":snooze: select an alert in the Alerts pane first");
		return;
	}
	int off = strcmp(arg, "off") == 0 || strcmp(arg, "0") == 0;
	if (!off && (arg[0] == '\0' || duration_parse(arg, &ms) != 0 || ms <= 0 ||
	    ms > UI_SNOOZE_MAX_MS)) {
		ui_message(u, 1, ":snooze DURATION (30m, 2h, 1d; at most 90d) or :snooze off");
		return;
	}
	/* the snooze is on the key: a cleared row of a snoozed key ends it too */
	if (off && a->snooze_until_ms <= now_wall_ms()) {
		ui_message(u, 1, "%s%s%s %s is not snoozed", a->host, a->device[0] ? "/" : "",
		    a->device, a->rule);
		return;
	}
	memset(&r, 0, sizeof r);
	r.kind = ACK_SNOOZE;
	od_strlcpy(r.controller, a->host, sizeof r.controller);
	od_strlcpy(r.device, a->device, sizeof r.device);
	od_strlcpy(r.rule, a->rule, sizeof r.rule);
	r.snooze_until_ms = off ? 0 : now_wall_ms() + ms;
	snprintf(r.what, sizeof r.what, "%.60s%s%.40s %.40s", a->host, a->device[0] ? "/" : "",
	    a->device, a->rule);
	ui_write_request(u, &r);
}

/* Selects the first row for which match() is true; returns 1 when found. */
static int
select_where(struct ui *u, int group, const char *name, int exact)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < u->nrows; r++) {
			const struct ui_row *row = &u->rows[r];
			const char *s;
			if (group && row->kind == ROW_GROUP)
				s = u->groups[row->idx].name;
			else if (!group && row->kind == ROW_HOST)
				s = u->hosts[row->idx].name;
			else
				continue;
			/* exact match first, then a prefix (or substring when !exact) */
			if (pass == 0 ? strcmp(s, name) == 0 : !exact && strstr(s, name) != NULL) {
				int target = (int)r;
				if (group && r + 1 < u->nrows && u->rows[r + 1].kind == ROW_HOST)
					target = (int)r + 1;
				ui_select_row(u, target);
				/* show the group header above its first host */
				struct pane *p = &u->pane[PANE_COMPUTE];
				if (group)
					p->top = (int)r;
				p->dirty = 1;
				return 1;
			}
		}
	}
	return 0;
}

static void
cmd_host(struct ui *u, const char *arg, int group)
{
	if (arg[0] == '\0') {
		ui_message(u, 1, ":%s needs a name", group ? "group" : "host");
		return;
	}
	if (!select_where(u, group, arg, 0) && u->filter[0] != '\0') {
		ui_set_filter(u, "");	/* it may be hidden by the filter */
		select_where(u, group, arg, 0);
	}
	if (!group && !select_where(u, group, arg, 0)) {
		/* it may be in a folded group: unfold that one */
		for (size_t i = 0; i < u->nhosts; i++) {
			if (strstr(u->hosts[i].name, arg) != NULL &&
			    ui_fold_set(&u->folds, u->hosts[i].group, 0)) {
				ui_rebuild_rows(u);
				break;
			}
		}
	}
	if (!select_where(u, group, arg, 0)) {
		ui_message(u, 1, "no %s matches '%s'", group ? "group" : "host", arg);
		return;
	}
	if (u->pane[PANE_COMPUTE].win == NULL) {
		u->view = VIEW_ALL;
		u->zoom = 0;
		ui_layout(u);
	}
	u->focus = PANE_COMPUTE;
	ui_dirty_all(u);
}

/*
 * :state WORD[,WORD...] | all — which device states the Devices pane shows.
 * Returns 0, or -1 with a message for an unknown state.
 */
static int
cmd_state(struct ui *u, const char *arg)
{
	char buf[UI_INPUT_MAX], *save = NULL;
	unsigned mask = 0;

	if (arg[0] == '\0' || strcmp(arg, "all") == 0) {
		u->dev_states = 0;
		return 0;
	}
	od_strlcpy(buf, arg, sizeof buf);
	for (char *w = strtok_r(buf, ", ", &save); w != NULL; w = strtok_r(NULL, ", ", &save)) {
		int s = device_state_parse(w);
		if (s < 0) {
			ui_message(u, 1, "unknown state '%s' (ok, degraded, fault, offline, "
			    "maintenance, stale, unknown, all)", w);
			return -1;
		}
		mask |= 1u << s;
	}
	u->dev_states = mask;
	return 0;
}

/* :sector NAME | all and :kind NAME | all into dst (cap bytes). */
static void
cmd_devword(char *dst, size_t cap, const char *arg)
{
	if (arg[0] == '\0' || strcmp(arg, "all") == 0)
		dst[0] = '\0';
	else
		od_strlcpy(dst, arg, cap);
}

/* After a device filter changed: re-read, show the Devices pane, say what is shown. */
static void
devices_filtered(struct ui *u)
{
	/* from the top: the first sector header, the selected device if still shown */
	u->pane[PANE_DEVICES].top = 0;
	u->pane[PANE_DEVICES].sel = 0;
	ui_refresh_devices(u, 1);
	if (u->pane[PANE_DEVICES].win == NULL) {
		u->view = VIEW_DEVICES;
		u->zoom = 0;
		ui_layout(u);
	}
	u->focus = PANE_DEVICES;
	ui_dirty_all(u);
	ui_message(u, 0, "%zu device%s shown", u->ndev_shown, u->ndev_shown == 1 ? "" : "s");
}

/* :idle: toggles the mode (ui_idle.c), rebuilds the rows, says how many GPUs are idle. */
static void
cmd_idle(struct ui *u)
{
	u->idle_gpus = !u->idle_gpus;
	ui_rebuild_rows(u);
	if (u->idle_gpus)
		ui_message(u, 0, "%d GPU%s held but idle (below %.0f%%); :idle again shows all",
		    u->nidle_gpus, u->nidle_gpus == 1 ? "" : "s", UI_IDLE_GPU_PCT);
	else
		ui_message(u, 0, "every host shown");
	ui_dirty_all(u);
}

/*
 * Runs one command line (without the ':'). Unknown commands and bad
 * arguments become a message on the status line.
 */
void
ui_command(struct ui *u, const char *line)
{
	char cmd[32], arg[UI_INPUT_MAX];
	const char *p = line;
	size_t n;

	while (*p == ' ')
		p++;
	n = strcspn(p, " ");
	if (n == 0)
		return;
	snprintf(cmd, sizeof cmd, "%.*s", (int)n, p);
	p += n;
	while (*p == ' ')
		p++;
	od_strlcpy(arg, p, sizeof arg);
	n = strlen(arg);
	while (n > 0 && arg[n - 1] == ' ')
		arg[--n] = '\0';

	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
		u->quit = 1;
	} else if (strcmp(cmd, "at") == 0) {
		ui_replay_command(u, arg);
	} else if (strcmp(cmd, "range") == 0) {
		ui_graph_range_set(u, arg);
	} else if (strcmp(cmd, "live") == 0) {
		if (u->at_ms == 0)
			ui_message(u, 0, "live already");
		ui_replay_set(u, 0);
	} else if (strcmp(cmd, "host") == 0) {
		cmd_host(u, arg, 0);
	} else if (strcmp(cmd, "group") == 0) {
		cmd_host(u, arg, 1);
	} else if (strcmp(cmd, "theme") == 0) {
		if (arg[0] == '\0') {
			ui_message(u, 0, "theme %s", u->theme.name);
		} else if (ui_theme_select(u, arg) == 0) {
			od_strlcpy(u->theme_chosen, arg, sizeof u->theme_chosen);
			ui_message(u, 0, "theme %s", u->theme.name);
		} else {
			ui_message(u, 1, "%s", u->theme_err);
		}
		ui_dirty_all(u);
	} else if (strcmp(cmd, "view") == 0) {
		int v = ui_view_parse(arg);
		if (v < 0) {
			ui_message(u, 1, "unknown view '%s' (%s)", arg, ui_view_choices());
			return;
		}
		ui_set_view(u, v);
	} else if (strcmp(cmd, "sort") == 0) {
		for (int s = 0; s < SORT_COUNT; s++) {
			if (strcmp(arg, ui_sort_name(s)) == 0) {
				u->sort = s;
				ui_rebuild_rows(u);
				ui_dirty_all(u);
				return;
			}
		}
		ui_message(u, 1, "unknown sort column '%s' (name, state, cpu, mem, load, gpu)",
		    arg);
	} else if (strcmp(cmd, "filter") == 0) {
		ui_set_filter(u, arg);
	} else if (strcmp(cmd, "idle") == 0) {
		cmd_idle(u);
	} else if (strcmp(cmd, "state") == 0) {
		if (cmd_state(u, arg) == 0)
			devices_filtered(u);
	} else if (strcmp(cmd, "sector") == 0) {
		cmd_devword(u->dev_sector, sizeof u->dev_sector, arg);
		devices_filtered(u);
	} else if (strcmp(cmd, "kind") == 0) {
		cmd_devword(u->dev_kind, sizeof u->dev_kind, arg);
		devices_filtered(u);
	} else if (strcmp(cmd, "snooze") == 0) {
		cmd_snooze(u, arg);
	} else if (strcmp(cmd, "run") == 0) {
		ui_action_command(u, ACTION_RUN, arg);
	} else if (strcmp(cmd, "drain") == 0) {
		ui_action_command(u, ACTION_DRAIN, arg);
	} else if (strcmp(cmd, "resume") == 0) {
		ui_action_command(u, ACTION_RESUME, arg);
	} else if (strcmp(cmd, "help") == 0) {
		u->mode = MODE_HELP;
		u->help.top = 0;
		ui_dirty_all(u);
	} else {
		ui_message(u, 1, "unknown command '%s' (group, host, theme, view, sort, "
		    "filter, idle, state, sector, kind, snooze, run, drain, resume, q)", cmd);
	}
}

/* Candidate collection for completion. */
struct cands {
	const char	*prefix;
	size_t		 plen;
	char		 common[UI_INPUT_MAX];
	int		 n;
	char		 list[UI_MSG_MAX];
};

static void
cand_add(struct cands *c, const char *s)
{
	if (strncmp(s, c->prefix, c->plen) != 0)
		return;
	if (c->n == 0) {
		od_strlcpy(c->common, s, sizeof c->common);
	} else {
		if (strcmp(c->common, s) == 0)
			return;		/* duplicate */
		size_t i = 0;
		while (c->common[i] && c->common[i] == s[i])
			i++;
		/* never cut inside a UTF-8 character */
		while (i > 0 && ((unsigned char)c->common[i] & 0xc0) == 0x80)
			i--;
		c->common[i] = '\0';
	}
	size_t l = strlen(c->list);
	if (l + strlen(s) + 2 < sizeof c->list)
		snprintf(c->list + l, sizeof c->list - l, "%s%s", l ? " " : "", s);
	c->n++;
}

/*
 * Completes the word before the end of line (cap bytes): a command name, or
 * the argument of group/host/theme/view/sort. A unique match is completed
 * (a command gets a trailing space); several extend to their common prefix
 * and are listed after the `:` line (u->cands, until the next key), as is
 * "no completion". Returns the new length of line.
 */
size_t
ui_complete(struct ui *u, char *line, size_t cap)
{
	struct cands c;
	char *sp = strchr(line, ' ');
	char *word = sp != NULL ? sp + 1 : line;

	while (*word == ' ')
		word++;
	memset(&c, 0, sizeof c);
	c.prefix = word;
	c.plen = strlen(word);
	if (sp == NULL) {
		for (int i = 0; commands[i] != NULL; i++)
			cand_add(&c, commands[i]);
	} else if (strncmp(line, "host ", 5) == 0) {
		for (size_t i = 0; i < u->nhosts; i++)
			cand_add(&c, u->hosts[i].name);
	} else if (strncmp(line, "group ", 6) == 0) {
		for (size_t i = 0; i < u->ngroups; i++)
			cand_add(&c, u->groups[i].name);
	} else if (strncmp(line, "view ", 5) == 0) {
		for (int i = 0; ui_view_name(i) != NULL; i++)
			cand_add(&c, ui_view_name(i));
	} else if (strncmp(line, "snooze ", 7) == 0) {
		cand_add(&c, "off");
		cand_add(&c, "1h");
	} else if (strncmp(line, "sort ", 5) == 0) {
		for (int i = 0; i < SORT_COUNT; i++)
			cand_add(&c, ui_sort_name(i));
	} else if (strncmp(line, "state ", 6) == 0) {
		cand_add(&c, "all");
		for (int i = 0; i < DEVICE_STATE_COUNT; i++)
			cand_add(&c, device_state_name(i));
	} else if (strncmp(line, "sector ", 7) == 0) {
		cand_add(&c, "all");
		for (size_t i = 0; i < u->dv.nsectors; i++)
			if (u->dv.sectors[i].sector[0] != '\0')
				cand_add(&c, u->dv.sectors[i].sector);
	} else if (strncmp(line, "kind ", 5) == 0) {
		cand_add(&c, "all");
		for (size_t i = 0; i < u->dv.ndevices && i < 2000; i++) {
			const char *k = u->dv.devices[i].dev.kind;
			int seen = strncmp(k, c.prefix, c.plen) != 0;
			for (size_t j = 0; j < i && !seen; j++)	/* kinds repeat */
				seen = strcmp(u->dv.devices[j].dev.kind, k) == 0;
			if (!seen)
				cand_add(&c, k);
		}
	} else if (strncmp(line, "theme ", 6) == 0) {
		char **names = theme_names();
		cand_add(&c, "default");
		for (size_t i = 0; names[i] != NULL; i++)
			cand_add(&c, names[i]);
		theme_names_free(names);
	}
	if (c.n == 0) {
		od_strlcpy(u->cands, "no completion", sizeof u->cands);
		return strlen(line);
	}
	size_t off = (size_t)(word - line);
	snprintf(word, cap - off, "%s%s", c.common, c.n == 1 && sp == NULL ? " " : "");
	if (c.n > 1)
		od_strlcpy(u->cands, c.list, sizeof u->cands);
	return strlen(line);
}

/* ---- help ---------------------------------------------------------------- */

static const char *const help_lines[] = {
	"opsdeck console keys",
	"",
	"Moving (the same in every pane and in this help)",
	"  j k, Down Up      next / previous row; where there is no selection",
	"                    (Detail, a ledger, this help) scroll a line",
	"  PgDn PgUp, ^F ^B  a page down / up",
	"  ^D ^U             half a page down / up",
	"  g G, Home End     first / last row",
	"  Tab, Shift-Tab    next / previous pane;  h l, Left Right too",
	"  Enter             drill down: the selected host's or device's Detail;",
	"                    on an alert: select its host or device",
	"  Esc               back: unzoom, return to Compute, clear the filter",
	"  mouse             click selects a row, the wheel moves 3 rows",
	"                    (bottom border: /filter, and rows shown of how many)",
	"",
	"Views",
	"  1 2 3 4           compute, devices, budgets, all",
	"  z                 zoom the focused pane (again: unzoom)",
	"",
	"Finding",
	"  /                 live filter on host and group names: plain text,",
	"                    or a POSIX regex in /.../ or with regex characters;",
	"                    with Devices focused: device names and ids",
	"  s                 cycle the sort column: name state cpu mem load gpu",
	"  r                 reverse the sort",
	"  t                 group the hosts, or not: one list of the whole",
	"                    fleet, sorted by s (top CPU, memory, ... of all)",
	"  Space, - +        fold / unfold the selected host's group (Compute)",
	"                    (folds, sort, grouping, filter, view and theme",
	"                    are kept for the next start)",
	"",
	"Commands (:, Tab completes)",
	"  :host NAME        select a host        :group NAME  jump to a group",
	"  :theme NAME       switch theme         :view NAME   the views of 1 2 3 4",
	"  :sort COLUMN      sort by a column     :filter TEXT set the filter",
	"  :idle             GPUs held but idle (a process on it, below 5 %):",
	"                    GPU, job, user, process under each host; again: all",
	"  :state S[,S]      devices in states    :sector NAME devices of a sector",
	"  :kind KIND        devices of a kind    (each: `all` clears it)",
	"  :snooze DURATION  silence the selected alert (30m, 2h, 1d) until then;",
	"                    :snooze off ends it",
	"  :q                quit",
	"",
	"Time travel (every pane as the cache had it then)",
	"  [ ]               one interval back / forward     { }  one hour",
	"  :at TIME          jump: '2026-12-05 03:00', ISO 8601, '-2h'",
	"  :live, End        back to live (a step past now too)",
	"  R, :range R       Detail's graphs over 1h 6h 24h 7d 30d",
	"",
	"Actions on hosts (each asks y/n first and is kept in the cache;",
	"                 --read-only refuses them)",
	"  S                 ssh to the selected host (OpenSSH, opsdeck's user,",
	"                    port, key, jump hosts and host-key policy)",
	"  :run CMD          run CMD on the selected host, or on every host of",
	"                    a folded group's header; :run -g CMD on the",
	"                    selected host's group. Esc or ^C cancels",
	"  :drain REASON     drain the selected host in Slurm (-g: its group)",
	"  :resume           resume it (scontrol, through the head node)",
	"",
	"Devices and alerts",
	"  a                 acknowledge the selected device (Devices, Detail)",
	"                    or alert (Alerts) with a note; Enter stores it",
	"",
	"Budgets",
	"  Enter             the ledger lines of the selected programme or item",
	"  Esc, Backspace    back to the plan;  \xe2\x96\xb2 burn: runs out early,",
	"                    \xe2\x9c\x96 over: over its allocation",
	"",
	"Other",
	"  ?                 this help (q, Esc or ? closes it)",
	"  ^L                redraw the whole screen",
	"  q                 quit",
	"",
	"States: \xe2\x97\x8f up  \xe2\x97\x8c connecting  \xe2\x97\x90 stale  ! parse error  "
	    "\xe2\x9c\x96 down/timeout/auth/host key",
	"Devices: \xe2\x97\x8f ok  \xe2\x96\xb2 degraded  \xe2\x9c\x96 fault  "
	    "\xe2\x97\x8b offline  \xe2\x97\x86 maintenance",
	"         \xe2\x97\x90 stale  ? unknown  \xe2\x9c\x93 acknowledged",
	NULL,
};

/* Draws the help overlay centred over the panes. */
void
ui_draw_help(struct ui *u)
{
	int n = 0, wmax = 0;

	for (; help_lines[n] != NULL; n++) {
		int w = text_swidth(help_lines[n]);
		if (w > wmax)
			wmax = w;
	}
	int h = n + 2 < LINES - 2 ? n + 2 : LINES - 2;
	int w = wmax + 4 < COLS - 2 ? wmax + 4 : COLS - 2;
	if (h < 3 || w < 10)
		return;
	if (u->help.win != NULL && (getmaxy(u->help.win) != h || getmaxx(u->help.win) != w)) {
		delwin(u->help.win);
		u->help.win = NULL;
	}
	if (u->help.win == NULL)
		u->help.win = newwin(h, w, (LINES - 1 - h) / 2, (COLS - w) / 2);
	if (u->help.win == NULL)
		return;
	WINDOW *hw = u->help.win;
	panel_fit(&u->help, n, h - 2, 0);
	werase(hw);
	wbkgdset(hw, ' ' | u->attr[THEME_HELP]);
	ui_fill(hw, 0, 0, w, u->attr[THEME_HELP]);
	for (int y = 1; y < h - 1; y++)
		ui_fill(hw, y, 0, w, u->attr[THEME_HELP]);
	ui_fill(hw, h - 1, 0, w, u->attr[THEME_HELP]);
	wattr_set(hw, u->attr[THEME_BORDER_FOCUS] & ~A_COLOR,
	    (short)PAIR_NUMBER(u->attr[THEME_BORDER_FOCUS]), NULL);
	box(hw, 0, 0);
	wattr_set(hw, A_NORMAL, 0, NULL);
	ui_put(hw, 0, 2, w - 4, " Help ", u->attr[THEME_TITLE_FOCUS] | A_BOLD);
	for (int i = 0; i < h - 2 && u->help.top + i < n; i++) {
		const char *s = help_lines[u->help.top + i];
		int head = s[0] != ' ' && s[0] != '\0';
		ui_put(hw, 1 + i, 2, w - 4, s, head ? u->attr[THEME_HEADER] | A_BOLD :
		    u->attr[THEME_HELP]);
	}
	panel_footer(u, &u->help, NULL);
	touchwin(hw);
	wnoutrefresh(hw);
}
