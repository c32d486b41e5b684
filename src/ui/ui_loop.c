/*
 * ui_loop.c: the console's main loop: terminal setup and restore, the
 * store re-reads, and drawing a frame (the panes through their pane_ops, the
 * status line). Keys go to ui_keys.c, layout to ui_layout.c, data to
 * ui_data.c and ui_devices.c; panes are reached only through pane_table.
 *
 * Loop (tmux/htop pattern): poll() on stdin, the collector's wake-up fd and
 * a self-pipe fed by the SIGTERM/SIGINT/SIGHUP/SIGWINCH handlers and the pipe on
 * which fatal() on another thread hands over its message, with a timeout to
 * the next 1 s tick (ages on screen). A wake-up re-reads the store; a key
 * changes state; each marks only the panes it affects dirty. A frame redraws
 * the dirty panes, wnoutrefresh()es them and calls doupdate() once. Signal
 * handlers only write a byte; all work happens in the loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

static const struct pane_ops *const pane_table[PANE_COUNT] = {
	[PANE_COMPUTE] = &pane_compute_ops,
	[PANE_DEVICES] = &pane_devices_ops,
	[PANE_BUDGETS] = &pane_budgets_ops,
	[PANE_DETAIL] = &pane_detail_ops,
	[PANE_ALERTS] = &pane_alerts_ops,
};

static int sig_pipe[2] = { -1, -1 };
static int curses_on;

/*
 * fatal() on a thread other than the UI thread (ui_fatal_hook): the message
 * goes to fatal_msg, a byte to fatal_pipe, which the loop polls; the UI
 * thread ends curses, prints and aborts. The pipe is made once and never
 * closed: a thread may still be in the hook when ui_run returns.
 */
#define UI_FATAL_WAIT_MS	2000
static pthread_t ui_thread;
static int fatal_pipe[2] = { -1, -1 };
static atomic_int fatal_taken;		/* 1: fatal_msg holds a message */
static char fatal_msg[FATAL_MSG_MAX];

/*
 * Re-reads the store: hosts and alerts (ui_data.c), the outcomes of
 * acknowledgements and the devices (ui_devices.c), then whatever a pane keeps of its own (its reread op: the Budgets pane's
 * plan and facts). Stops at a failed hosts read; its error is on the
 * status line.
 */
static void
ui_refresh(struct ui *u)
{
	if (u->at_ms > 0) {	/* the past does not change with a tick */
		ui_acks_poll(u);
		return;
	}
	if (u->store == NULL || ui_load_hosts(u) != 0)
		return;
	ui_acks_poll(u);	/* outcomes of acknowledgements the collector wrote */
	ui_refresh_devices(u, 0);
	for (int i = 0; i < PANE_COUNT; i++)
		if (u->pane[i].ops->reread != NULL)
			u->pane[i].ops->reread(u, &u->pane[i]);
}

/* ---- drawing ------------------------------------------------------------- */

static void
ui_draw_status(struct ui *u)
{
	WINDOW *w = u->status;
	char left[UI_MSG_MAX], when[32], age[16];
	int x;
	int64_t now = now_wall_ms();

	if (w == NULL)
		return;
	werase(w);
	wbkgdset(w, ' ' | u->attr[THEME_STATUS]);
	ui_fill(w, 0, 0, COLS, u->attr[THEME_STATUS]);
	if (u->mode == MODE_FILTER || u->mode == MODE_COMMAND) {
		x = ui_putf(w, 0, 0, COLS, u->attr[THEME_INPUT], "%s%s",
		    u->mode == MODE_FILTER ? (u->filter_dev ? "devices /" : "/") : ":", u->input);
		if (u->cands[0] != '\0' && COLS - x > 4)	/* Tab's candidates; the cursor stays */
			ui_putf(w, 0, x + 3, COLS - x - 3, u->attr[THEME_STATUS], "%s", u->cands);
		wmove(w, 0, x);
		return;
	}
	if (u->mode == MODE_CONFIRM) {
		x = ui_put(w, 0, 0, COLS, ui_action_prompt(u), u->attr[THEME_INPUT]);
		wmove(w, 0, x);
		return;
	}
	if (u->mode == MODE_ACK) {
		x = ui_putf(w, 0, 0, COLS, u->attr[THEME_INPUT], "ack %s, note: ", u->ack_what);
		x += ui_put(w, 0, x, COLS - x, u->input, u->attr[THEME_INPUT]);
		wmove(w, 0, x);
		return;
	}
	if (u->last_sample_ms > 0) {
		time_format(u->last_sample_ms, 0, when, sizeof when);
		ui_age(age, sizeof age, now - u->last_sample_ms);
		/* HH:MM:SS of "YYYY-MM-DD HH:MM:SS" */
		if (u->o->offline)
			snprintf(left, sizeof left, "offline, data from %s (%s ago)",
			    strlen(when) > 11 ? when + 11 : when, age);
		else
			snprintf(left, sizeof left, "last sample %s (%s ago)",
			    strlen(when) > 11 ? when + 11 : when, age);
	} else {
		snprintf(left, sizeof left, "%s", u->o->offline ? "offline, no data cached" :
		    "waiting for the first sample");
	}
	char rep[80];
	x = 0;
	if (ui_replay_label(u, rep, sizeof rep)) {	/* first, in a colour of its own */
		x = ui_put(w, 0, 0, COLS, rep, u->attr[THEME_REPLAY]);
		if (u->at_unknown > 0)
			snprintf(left, sizeof left, "%zu not known yet", u->at_unknown);
		else
			snprintf(left, sizeof left, "End: live");
	}
	x += ui_putf(w, 0, x, COLS - x, u->attr[THEME_STATUS], " %zu host%s | %s | sort %s%s%s%s ",
	    u->nhosts, u->nhosts == 1 ? "" : "s", left, ui_sort_name(u->sort),
	    u->sort_rev ? " rev" : "",
	    u->filter[0] ? " | filter " : "", u->filter);
	const char *m = u->msg[0] ? u->msg : u->data_error[0] ? u->data_error :
	    u->theme_err[0] ? u->theme_err : NULL;
	int err = u->msg[0] ? u->msg_err : 1;
	if (m != NULL)
		x += ui_putf(w, 0, x, COLS - x, u->attr[err ? THEME_STATUS_ERROR : THEME_STATUS],
		    "| %s ", m);	/* set apart from "sort NAME" or the filter */
	const char *hint = "? help  q quit";
	int hw = text_swidth(hint);
	if (COLS - x > hw + 1)
		ui_put(w, 0, COLS - hw - 1, hw, hint, u->attr[THEME_STATUS]);
}

/* Redraws dirty panes and the status line; one doupdate() when anything changed. */
void
ui_draw_frame(struct ui *u)
{
	int any = 0;

	if (u->too_small) {
		if (u->status_dirty) {
			werase(stdscr);
			mvwaddstr(stdscr, 0, 0, "terminal too small");
			wnoutrefresh(stdscr);
			doupdate();
			u->status_dirty = 0;
		}
		return;
	}
	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &u->pane[i];
		if (p->win == NULL || !p->dirty)
			continue;
		werase(p->win);
		wbkgdset(p->win, ' ' | u->attr[THEME_NORMAL]);
		p->ops->draw(u, p);
		wnoutrefresh(p->win);
		p->dirty = 0;
		any = 1;
	}
	if (u->status_dirty || any) {
		ui_draw_status(u);
		wnoutrefresh(u->status);
		u->status_dirty = 0;
		any = 1;
	}
	if (u->mode == MODE_HELP && any)
		ui_draw_help(u);
	if (u->mode == MODE_RUN && any)
		ui_draw_run(u);
	if (any) {
		int typing = u->mode == MODE_FILTER || u->mode == MODE_COMMAND ||
		    u->mode == MODE_ACK || u->mode == MODE_CONFIRM;
		curs_set(typing ? 1 : 0);
		if (typing)
			wnoutrefresh(u->status);
		doupdate();
		u->frames++;
	}
}

/* ---- setup and the loop -------------------------------------------------- */

static void
ui_sig(int sig)
{
	char c = sig == SIGWINCH ? 'W' : sig == SIGINT ? 'I' : 'T';
	int saved = errno;

	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

/* Leaves curses mode once (ui_run's exit, fatal() on the UI thread). UI thread only. */
static void
ui_end_curses(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

/*
 * fatal_hook while the console runs. On the UI thread: ends curses mode and
 * returns (fatal() prints and aborts). On any other thread it never touches
 * curses: the first such message is handed to the UI thread through
 * fatal_pipe (ui_fatal_answer ends curses, prints it and aborts) and this
 * thread waits; when the UI thread has not ended the process within
 * UI_FATAL_WAIT_MS it returns, and fatal() prints and aborts with the
 * terminal as it is. Allocates nothing.
 */
static void
ui_fatal_hook(const char *msg)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (pthread_equal(pthread_self(), ui_thread)) {
		ui_end_curses();
		return;
	}
	if (atomic_exchange(&fatal_taken, 1) == 0) {
		od_strlcpy(fatal_msg, msg, sizeof fatal_msg);
		atomic_thread_fence(memory_order_seq_cst);
		(void)!write(fatal_pipe[1], "F", 1);
	}
	for (int waited = 0; waited < UI_FATAL_WAIT_MS; waited += 10)
		nanosleep(&ts, NULL);
}

/* The UI thread's side of ui_fatal_hook: fatal_pipe was readable. Does not return. */
static void
ui_fatal_answer(void)
{
	atomic_thread_fence(memory_order_seq_cst);
	fatal("%s", fatal_msg);		/* on this thread: ends curses, prints, aborts */
}

/* Test hook (OPSDECK_TEST_FATAL_THREAD=MSG): a thread other than the UI thread calls fatal. */
static void *
ui_test_fatal_thread(void *arg)
{
	struct timespec ts = { 1, 0 };

	nanosleep(&ts, NULL);
	fatal("%s", (const char *)arg);
}

/*
 * With OPSDECK_TEST_FATAL_THREAD set (tests/console_fatal.sh), starts a
 * thread that calls fatal() with its value a second after the first frame,
 * as a collector thread that ran out of memory would. With
 * OPSDECK_TEST_FATAL_STUCK set too, the UI thread then sleeps through the
 * hand-over (ten times UI_FATAL_WAIT_MS: far past it, so that a test tells
 * "did not wait for the UI" from "waited" without timing it closely), as a
 * UI thread stuck in a read would.
 */
static void
ui_test_fatal(void)
{
	const char *msg = getenv("OPSDECK_TEST_FATAL_THREAD");
	struct timespec stuck = { 10 * UI_FATAL_WAIT_MS / 1000, 0 };
	pthread_t t;

	if (msg == NULL || msg[0] == '\0' || pthread_create(&t, NULL, ui_test_fatal_thread,
	    (void *)(uintptr_t)msg) != 0)
		return;
	pthread_detach(t);
	if (getenv("OPSDECK_TEST_FATAL_STUCK") != NULL)
		while (nanosleep(&stuck, &stuck) != 0 && errno == EINTR)
			;
}

/* Sets u to its start: panes, view from o->view, default theme. No curses calls. */
void
ui_init_state(struct ui *u, const struct ui_opts *o)
{
	memset(u, 0, sizeof *u);
	u->o = o;
	u->store = o->store;
	for (int i = 0; i < PANE_COUNT; i++)
		u->pane[i].ops = pane_table[i];
	u->view = VIEW_ALL;
	if (o->view != NULL) {
		int v = ui_view_parse(o->view);
		if (v >= 0)
			u->view = v;
		else
			ui_message(u, 1, "unknown view '%s' (%s)", o->view, ui_view_choices());
	}
	u->focus = ui_view_focus(u->view);
	u->grouped = 1;
	u->read_only = o->read_only || (o->cfg != NULL && o->cfg->read_only);
	theme_default(&u->theme);
}

/*
 * Takes what the state file kept (ui_state_read) into u: the view unless
 * --view said one, the theme (after o->theme and before the config's: a
 * theme chosen with :theme), sort, grouping, filter and folds. A word the
 * console does not know (a view, a sort column, a theme gone) is reported
 * and left at its default. s->folds moves into u.
 */
static void
ui_state_apply(struct ui *u, struct ui_saved *s)
{
	const struct ui_opts *o = u->o;

	if (s->view[0] != '\0' && o->view == NULL) {
		int v = ui_view_parse(s->view);
		if (v >= 0) {
			u->view = v;
			u->focus = ui_view_focus(v);
		}
	}
	for (int i = 0; s->sort[0] != '\0' && i < SORT_COUNT; i++)
		if (strcmp(s->sort, ui_sort_name(i)) == 0)
			u->sort = i;
	if (s->sort_rev >= 0)
		u->sort_rev = s->sort_rev;
	if (s->grouped >= 0)
		u->grouped = s->grouped;
	ui_folds_free(&u->folds);
	u->folds = s->folds;
	memset(&s->folds, 0, sizeof s->folds);
	if (s->has_filter)
		ui_set_filter(u, s->filter);
	if (s->theme[0] != '\0' && o->theme == NULL) {
		if (ui_theme_select(u, s->theme) == 0)
			od_strlcpy(u->theme_chosen, s->theme, sizeof u->theme_chosen);
		else
			ui_message(u, 1, "state: %s", u->theme_err);
	}
}

/* Writes what ui_state_apply reads back; a failure is printed once curses ended. */
static char *
ui_state_save(const struct ui *u, const char *path)
{
	struct ui_saved s;
	char *cause = NULL;

	memset(&s, 0, sizeof s);
	od_strlcpy(s.view, ui_view_name(u->view), sizeof s.view);
	od_strlcpy(s.theme, u->theme_chosen, sizeof s.theme);
	od_strlcpy(s.sort, ui_sort_name(u->sort), sizeof s.sort);
	s.sort_rev = u->sort_rev;
	s.grouped = u->grouped;
	s.has_filter = 1;
	od_strlcpy(s.filter, u->filter, sizeof s.filter);
	s.folds = u->folds;		/* borrowed */
	if (ui_state_write(path, &s, &cause) != 0)
		return cause;
	return NULL;
}

/* Frees windows, hosts, rings, rows and alerts of u. */
void
ui_free_state(struct ui *u)
{
	for (int i = 0; i < PANE_COUNT; i++)
		if (u->pane[i].win != NULL)
			delwin(u->pane[i].win);
	if (u->status != NULL)
		delwin(u->status);
	if (u->help.win != NULL)
		delwin(u->help.win);
	if (u->hosts != NULL)
		store_free_hosts(u->hosts, u->nhosts);
	if (u->filter_re)
		regfree(&u->re);
	free(u->ring_of);
	free(u->rings);
	free(u->groups);
	free(u->rows);
	alert_set_free(&u->alerts);
	devices_view_free(&u->dv);
	free(u->drows);
	ui_folds_free(&u->folds);
	ui_actions_free(u);
	for (int i = 0; i < PANE_COUNT; i++)
		if (u->pane[i].ops != NULL && u->pane[i].ops->free != NULL)
			u->pane[i].ops->free(u, &u->pane[i]);
	ui_graphs_free(u);
	memset(u, 0, sizeof *u);
}

/* Applies the terminal's new size (TIOCGWINSZ), as tmux does. */
static void
ui_resize(struct ui *u)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui_layout(u);
	ui_dirty_all(u);
}

/*
 * Contract: runs the console on the terminal until `q`, `:q`, SIGTERM,
 * SIGINT or SIGHUP (or at once when *o->quit is set). Reads o->store (not owned); wakes on o->wake_fd (not owned, never
 * closed). Returns 0, or 1 when the terminal could not be set up. The
 * terminal is restored on every way out, fatal() included, on this thread
 * or another (ui_fatal_hook).
 */
int
ui_run(const struct ui_opts *o)
{
	struct ui u;
	struct sigaction sa, old_int, old_term, old_hup, old_winch;
	void (*old_hook)(const char *) = fatal_hook;
	int64_t next_tick, next_poll_store = 0;
	int wake_fd = o->wake_fd;
	char *state_path = NULL;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "opsdeck: the console needs a terminal "
		    "(use `opsdeck snapshot` for scripts)\n");
		return 1;
	}
	if (pipe(sig_pipe) != 0 || (fatal_pipe[0] < 0 && pipe(fatal_pipe) != 0)) {
		fprintf(stderr, "opsdeck: pipe: %s\n", strerror(errno));
		return 1;
	}
	fcntl(fatal_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(fatal_pipe[1], F_SETFD, FD_CLOEXEC);
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	ui_init_state(&u, o);

	if (initscr() == NULL) {
		fprintf(stderr, "opsdeck: cannot initialise the terminal\n");
		return 1;
	}
	curses_on = 1;
	ui_thread = pthread_self();
	fatal_hook = ui_fatal_hook;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(0);
	wnoutrefresh(stdscr);	/* stdscr is never drawn: keep getch from repainting it */

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_sig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);	/* the terminal went away */
	if (o->quit != NULL && *o->quit)
		ui_sig(SIGTERM);		/* it came before we took the signals */
	sigaction(SIGWINCH, &sa, &old_winch);

	{
		const char *tn = o->theme;
		if (tn == NULL && o->cfg != NULL)
			tn = o->cfg->theme;
		ui_theme_select(&u, tn != NULL ? tn : "default");
	}
	/* what the last console remembered: view, theme, sort, grouping, filter, folds */
	state_path = ui_state_path();
	{
		struct ui_saved saved;
		char smsg[UI_MSG_MAX];
		int bad = ui_state_read(state_path, &saved, smsg, sizeof smsg);
		ui_state_apply(&u, &saved);
		ui_folds_free(&saved.folds);
		if (smsg[0] != '\0')
			ui_message(&u, 1, "state file %s%s", smsg, bad > 1 ? " (and more)" : "");
	}
	ui_layout(&u);
	ui_refresh(&u);
	if (o->at_ms > 0)
		ui_replay_set(&u, o->at_ms);	/* --at */
	ui_dirty_all(&u);
	next_tick = now_mono_ms() + 1000;
	ui_draw_frame(&u);
	ui_test_fatal();

	while (!u.quit) {
		struct pollfd pfd[6];
		int nfd = 0, wake_i = -1, graphs_i = -1, run_i = -1;
		int64_t now, timeout;

		ui_draw_frame(&u);
		pfd[nfd].fd = STDIN_FILENO;
		pfd[nfd++].events = POLLIN;
		pfd[nfd].fd = sig_pipe[0];
		pfd[nfd++].events = POLLIN;
		pfd[nfd].fd = fatal_pipe[0];
		pfd[nfd++].events = POLLIN;
		if (wake_fd >= 0) {
			wake_i = nfd;
			pfd[nfd].fd = wake_fd;
			pfd[nfd++].events = POLLIN;
		}
		if (ui_graphs_fd(&u) >= 0) {
			graphs_i = nfd;
			pfd[nfd].fd = ui_graphs_fd(&u);
			pfd[nfd++].events = POLLIN;
		}
		if (ui_run_fd(&u) >= 0) {
			run_i = nfd;
			pfd[nfd].fd = ui_run_fd(&u);
			pfd[nfd++].events = POLLIN;
		}
		now = now_mono_ms();
		timeout = next_tick - now;
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, (nfds_t)nfd, (int)timeout) < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (pfd[2].revents & POLLIN)
			ui_fatal_answer();	/* fatal() on another thread */

		if (pfd[1].revents & POLLIN) {
			char c[16];
			ssize_t n = read(sig_pipe[0], c, sizeof c);
			for (ssize_t i = 0; i < n; i++) {
				if (c[i] == 'T' || (c[i] == 'I' && !ui_run_interrupt(&u)))
					u.quit = 1;
				else if (c[i] == 'W')
					ui_resize(&u);
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			wint_t wch;
			int rc, nkeys = 0;
			while ((rc = get_wch(&wch)) != ERR && nkeys++ < 256) {
				int key = (int)wch;
				if (rc != KEY_CODE_YES && wch >= 0x80)
					key = UI_KEY_WIDE + (int)wch;	/* not a KEY_* */
				ui_handle_key(&u, key);
				if (u.quit)
					break;
			}
			if (pfd[0].revents & (POLLHUP | POLLERR) && nkeys == 0)
				u.quit = 1;	/* the terminal went away */
			/* keys first: their frame goes out before a store read */
			if (nkeys > 0 && !u.quit)
				ui_draw_frame(&u);
		}
		if (run_i >= 0 && (pfd[run_i].revents & POLLIN))
			ui_run_poll(&u);	/* a :run's hosts moved */
		if (graphs_i >= 0 && (pfd[graphs_i].revents & POLLIN))
			ui_graphs_poll(&u);	/* Detail graphs of a prometheus host came */
		if (wake_i >= 0 && (pfd[wake_i].revents & (POLLIN | POLLHUP))) {
			char c[64];
			ssize_t n = read(wake_fd, c, sizeof c);
			if (n > 0)
				ui_refresh(&u);
			else if (n == 0)
				wake_fd = -1;	/* the collector is gone: poll the store */
		}
		if (u.reread_alerts) {	/* an offline write went in: show it */
			u.reread_alerts = 0;
			ui_refresh(&u);
		}
		now = now_mono_ms();
		if (now >= next_tick) {
			next_tick = now + 1000 - (now % 1000);
			u.status_dirty = 1;
			u.pane[PANE_DETAIL].dirty = 1;
			ui_acks_retry(&u);
			ui_actions_retry(&u);
			if (u.mode == MODE_RUN)
				ui_dirty_all(&u);	/* running hosts' times */
			/* without a collector of our own, another process may write */
			if (wake_fd < 0 && now >= next_poll_store) {
				ui_refresh(&u);
				next_poll_store = now + 2000;
			}
		}
	}

	ui_run_quit(&u);
	char *state_err = ui_state_save(&u, state_path);
	ui_free_state(&u);
	ui_end_curses();
	if (state_err != NULL)
		fprintf(stderr, "opsdeck: the console's state was not kept: %s\n", state_err);
	free(state_err);
	free(state_path);
	fatal_hook = old_hook;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGWINCH, &old_winch, NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	return 0;
}
