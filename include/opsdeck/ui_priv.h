/*
 * ui_priv.h: what the files of src/ui/ share. Only src/ui/ includes it (it
 * pulls in ncursesw); only the UI thread runs this code.
 *
 * The console keeps a copy of every host's latest status (store_get_hosts on
 * each collector tick), a ring of recent CPU and GPU figures per host for
 * sparklines, the rows the Compute pane shows after filter and sort, the
 * test-bed devices view (devices_store_view, filtered by :state/:sector/:kind)
 * with the Devices pane's rows, and the cache's alerts (alert_store_list), or,
 * for a cache without the alert log, the hosts' alerts by the collector's
 * rules (alert_eval_host). Each pane is a `const struct pane_ops` (draw,
 * key, click, reread, back, free, select) with a window and a dirty flag,
 * and a panel (panel.c: scrolling, selection, paging, wheel, footer); a frame
 * redraws the dirty panes, wnoutrefresh()es each and calls doupdate() once.
 */
#ifndef OPSDECK_UI_PRIV_H
#define OPSDECK_UI_PRIV_H

#include <curses.h>
#include <regex.h>
#include <stdint.h>

#include "opsdeck/alert.h"
#include "opsdeck/hoststate.h"
#include "opsdeck/testbed.h"
#include "opsdeck/theme.h"
#include "opsdeck/acks.h"
#include "opsdeck/ui.h"

#define UI_RING		120		/* recent values kept per host */
#define UI_INPUT_MAX	256		/* `/` and `:` line length in bytes */
#define UI_MSG_MAX	512
#define UI_KEY_WIDE	0x1000000	/* keys: a non-ASCII character c is UI_KEY_WIDE + c */

enum ui_pane_id {
	PANE_COMPUTE,
	PANE_DEVICES,
	PANE_BUDGETS,
	PANE_DETAIL,
	PANE_ALERTS,
	PANE_COUNT
};

/* In the order of keys 1-4 (views.c). */
enum ui_view { VIEW_COMPUTE, VIEW_DEVICES, VIEW_BUDGETS, VIEW_ALL, VIEW_COUNT };

enum ui_sort { SORT_NAME, SORT_STATE, SORT_CPU, SORT_MEM, SORT_LOAD, SORT_GPU, SORT_COUNT };

/* MODE_CONFIRM: an action's y/n prompt; MODE_RUN: a :run's results over the panes. */
enum ui_mode { MODE_NORMAL, MODE_FILTER, MODE_COMMAND, MODE_HELP, MODE_ACK, MODE_CONFIRM,
	MODE_RUN };

/* Devices pane rows: a sector header, a controller line or a device. */
enum ui_drow_kind { DROW_SECTOR, DROW_CONTROLLER, DROW_DEVICE };

struct ui_drow {
	enum ui_drow_kind kind;
	int		 idx;		/* into dv.sectors, dv.controllers or dv.devices */
	size_t		 shown;		/* headers: devices shown under them */
};

#define UI_ALERTS_MAX		500	/* cache alerts the Alerts pane reads */
#define UI_ALERTS_CLEARED_MS	(60 * 60 * 1000)	/* cleared ones shown this long */
#define UI_DEVICES_SLOW_MS	20	/* a devices read slower than this is spaced out */

struct ui;
struct pane;
struct ui_budgets;
struct ui_actions;

/*
 * A pane as the loop, the layout and the keys see it: the loop (ui_loop.c,
 * ui_keys.c) reaches a pane only through these; a pane never calls the loop.
 */
struct pane_ops {
	const char	*name;		/* the title in the border */
	/* Draws the inside of p->win (border already drawn). */
	void		(*draw)(struct ui *u, struct pane *p);
	/* Handles a key while the pane has focus; returns 1 when used. */
	int		(*key)(struct ui *u, struct pane *p, int key);
	/* A click on inner row `row` (0-based, below the border). May be NULL. */
	void		(*click)(struct ui *u, struct pane *p, int row);
	/* After every store re-read, hidden or not: data of the pane's own. May be NULL. */
	void		(*reread)(struct ui *u, struct pane *p);
	/* Esc while focused, before the global Esc; returns 1 when used. May be NULL. */
	int		(*back)(struct ui *u, struct pane *p);
	/* Frees the pane's own data (ui_free_state). May be NULL. */
	void		(*free)(struct ui *u, struct pane *p);
	/*
	 * Moves the selection to row (in range; panel.c clamps it), or to the
	 * nearest row that can be selected. May be NULL: p->sel = row.
	 */
	void		(*select)(struct ui *u, struct pane *p, int row);
};

struct pane {
	const struct pane_ops *ops;
	WINDOW		*win;		/* NULL when hidden in this layout */
	int		 y, x, h, w;
	int		 dirty;
	int		 top;		/* first row shown (scrolling) */
	int		 sel;		/* selected row, panes that have one */
	/* as of the last draw's panel_fit: */
	int		 nlines;	/* rows of content */
	int		 vis;		/* rows shown */
	int		 cursor;	/* 1: keys move sel, 0: keys scroll top */
};

/* Recent figures of one host, kept across refreshes. */
struct ui_ring {
	char		 name[HOSTNAME_MAX + 1];
	float		 cpu[UI_RING];	/* -1: unknown */
	float		 gpu[UI_RING];	/* mean GPU util, -1: unknown/none */
	int		 head, count;	/* next slot, values stored */
	int64_t		 last_sample_ms;
	int		 seen;		/* mark for pruning */
};

/* ROW_GPU: one held-but-idle GPU under its host, in :idle mode (not selectable). */
enum ui_row_kind { ROW_GROUP, ROW_HOST, ROW_GPU };

struct ui_row {
	enum ui_row_kind kind;
	int		 idx;		/* host index, or group index */
	int		 gpu;		/* ROW_GPU: index in the host's gpus */
};

/* Below this utilisation a GPU that holds a process is idle (:idle). */
#define UI_IDLE_GPU_PCT	5.0

#define UI_GROUP_MAX	128		/* bytes of a group name kept, with its NUL */

/* The names of the folded groups (ui_state.c), remembered across restarts. */
struct ui_folds {
	char		(*v)[UI_GROUP_MAX];
	size_t		 n;
};

struct ui_group {
	char		 name[UI_GROUP_MAX];
	enum group_kind	 kind;
	int		 total, up, shown;
	double		 cpu_sum;
	int		 cpu_n;
	int		 gpus, gpus_busy;
};

struct ui {
	const struct ui_opts *o;
	struct store	*store;

	struct host_status *hosts;	/* from store_get_hosts, owned */
	size_t		 nhosts;
	int		*ring_of;	/* host index -> rings index */
	struct ui_ring	*rings;		/* sorted by name */
	size_t		 nrings;
	int64_t		 last_sample_ms;	/* newest sample over all hosts */
	char		 data_error[UI_MSG_MAX];	/* last store error, "" */

	struct ui_group	*groups;
	size_t		 ngroups;
	struct ui_row	*rows;		/* Compute pane rows after filter and sort */
	size_t		 nrows;
	char		 sel_host[HOSTNAME_MAX + 1];	/* selection kept by name */
	char		 sel_group[UI_GROUP_MAX];	/* or a folded group's header */
	int		 grouped;	/* 1: hosts under group headers; 0: one fleet-wide list */
	int		 idle_gpus;	/* :idle: only hosts with held-but-idle GPUs, a row each */
	int		 nidle_gpus;	/* such GPUs over the rows shown (:idle mode) */
	struct ui_folds	 folds;		/* groups folded to their header */

	struct alert_set alerts;	/* the Alerts pane's: the cache's (alert_store_list) */
	int		 alerts_local;	/* 1: no alert log: evaluated here (alert_eval_host) */

	/* Devices pane: the cache's view, its rows, filters and selection */
	struct devices_view dv;		/* owned */
	struct ui_drow	*drows;
	size_t		 ndrows, ndev_shown;
	unsigned	 dev_states;	/* :state mask, 0: all */
	char		 dev_sector[TESTBED_SECTOR_MAX + 1];	/* :sector, "": all */
	char		 dev_kind[TESTBED_KIND_MAX + 1];	/* :kind, "": all */
	char		 dev_filter[UI_INPUT_MAX];	/* `/` with Devices focused */
	int		 filter_dev;	/* the `/` being typed is dev_filter */
	char		 dsel_ctl[HOSTNAME_MAX + 1];	/* selection kept by key */
	char		 dsel_id[TESTBED_ID_MAX + 1];
	int		 detail_dev;	/* 1: Detail shows the selected device */
	unsigned	 dv_gen;	/* counts device refreshes (Detail re-reads) */
	int64_t		 dv_cost_ms;	/* the last devices read took this long */
	int64_t		 dv_next_ms;	/* monotonic: no read before this (slow reads) */

	/* the `a` prompt: what the note acknowledges */
	char		 ack_ctl[HOSTNAME_MAX + 1];
	char		 ack_dev[TESTBED_ID_MAX + 1];
	int64_t		 ack_alert;	/* an alert id when not a device, else 0 */
	char		 ack_what[160];	/* shown in the prompt */
	struct ack_request ack_pending;	/* --offline: kept while the cache is busy */
	int		 has_ack_pending;
	int		 ack_tries;
	int		 reread_alerts;	/* an offline write succeeded: re-read the cache */

	struct pane	 pane[PANE_COUNT];
	enum ui_view	 view;
	int		 focus;		/* enum ui_pane_id */
	int		 zoom;		/* 1: the focused pane fills the screen */
	int		 too_small;

	enum ui_sort	 sort;
	int		 sort_rev;

	char		 filter[UI_INPUT_MAX];
	int		 filter_re;	/* filter is a compiled regex */
	regex_t		 re;

	enum ui_mode	 mode;
	char		 input[UI_INPUT_MAX];
	size_t		 input_len;
	char		 msg[UI_MSG_MAX];
	int		 msg_err;
	char		 cands[UI_MSG_MAX];	/* Tab's candidates, after the `:` line until the next key */
	int		 status_dirty;
	WINDOW		*status;
	struct pane	 help;		/* the `?` overlay: a panel without ops */

	struct theme	 theme;
	char		 theme_err[UI_MSG_MAX];
	char		 theme_chosen[UI_INPUT_MAX];	/* by :theme or the state file: kept */
	attr_t		 attr[THEME_ROLE_COUNT];
	int		 colors;	/* 0: monochrome */
	int		 quit;
	int		 frames;
	struct ui_budgets *budgets;	/* the Budgets pane's data, owned (budget_view.c) */

	/* the time cursor (ui_replay.c): 0 live, else the wall-clock ms shown */
	int64_t		 at_ms;
	size_t		 at_unknown;	/* hosts the cache did not know yet then */

	/* Detail graphs of prometheus hosts (ui_graphs.c) */
	struct prom_graphs *graphs;	/* the fetcher, started at the first ask */
	struct prom_graph_answer *graph_ans;	/* the newest answer, owned */
	unsigned	 graph_gen;	/* counts answers (Detail re-reads) */
	char		 graph_host[HOSTNAME_MAX + 1];	/* last asked */
	int		 graph_width;
	int64_t		 graph_asked;	/* monotonic */
	int		 graph_range;	/* Detail's graphs: index of ui_graph_range_name */

	/* actions on hosts (ui_actions.c, ui_run.c): S, :run, :drain, :resume */
	struct ui_actions *act;		/* owned; NULL until the first action */
	int		 read_only;	/* --read-only or the config's read_only */
};

/*
 * The files of src/ui/ in layers; each calls only into the layers above it
 * in this list (no circles):
 *   widget.c, views.c               drawing helpers (text, box, gauge, glyphs);
 *                                   the list of views
 *   panel.c                         the one scrolling list: moving keys, wheel,
 *                                   footer (every pane and the help)
 *   ui_layout.c                     layout, focus, views, messages, dirty marks
 *   ui_theme.c                      themes to attributes
 *   ui_state.c                      folded groups; the state file kept across
 *                                   restarts (read, written atomically)
 *   ui_devices.c                    devices data, selection, acknowledgements
 *   ui_alerts.c                     the Alerts pane's alerts, its selection kept
 *   ui_data.c                       hosts, rings, rows, filter, sort
 *   ui_graphs.c                     Detail graphs of prometheus hosts (HTTP on
 *                                   a thread of its own)
 *   ui_replay.c                     the time cursor: every pane as of a past time
 *   ui_actions.c                    actions on hosts: targets, the y/n prompt,
 *                                   records through the one writer, `S`
 *   ui_run.c                        a :run's results over the panes (its
 *                                   workers on threads of their own)
 *   cmdline.c                       `:` commands, completion, the help screen
 *   detail_view.c                   Detail's lines and its device view (detail_int.h)
 *   detail_actions.c                Detail's latest actions of a host
 *   pane_*.c, budget_view.c         one pane each (pane_budgets.c and its data)
 *   ui_keys.c, ui_loop.c            keys; the loop, frames, setup (panes only
 *                                   through pane_ops)
 */

/* widget.c: drawing helpers; every string is sanitised and cut on cells. */
int  ui_put(WINDOW *w, int y, int x, int cells, const char *s, attr_t a);
int  ui_put_remote(WINDOW *w, int y, int x, int cells, const char *s, attr_t a);
int  ui_putf(WINDOW *w, int y, int x, int cells, attr_t a, const char *fmt, ...)
	    OD_PRINTF(6, 7);
int  ui_fit_right(WINDOW *w, int y, int x, int cells, const char *s, attr_t a);
void ui_fill(WINDOW *w, int y, int x, int cells, attr_t a);
void ui_gauge(struct ui *u, WINDOW *w, int y, int x, int cells, double pct, enum theme_role r);
void ui_spark(struct ui *u, WINDOW *w, int y, int x, int cells, const float *ring,
	    int head, int count, int ring_len);
void ui_box(struct ui *u, struct pane *p, int focused, const char *extra);
enum theme_role ui_state_role(enum host_state s);
const char *ui_state_glyph(enum host_state s);
const char *ui_state_word(enum host_state s);
enum theme_role ui_pct_role(double pct);
enum theme_role ui_dev_role(int s);
const char *ui_dev_glyph(int s);
void ui_age(char *buf, size_t len, int64_t ms);

/* views.c (and ui.h: ui_view_name, ui_view_parse, ui_view_choices) */
/* The pane a view puts the focus on (enum ui_pane_id). */
int  ui_view_focus(int v);

/* panel.c: the scrolling list every pane and the help overlay are. */
#define PANEL_WHEEL_ROWS	3	/* rows one wheel step moves */
int  panel_fit(struct pane *p, int nlines, int vis, int cursor);
int  panel_key(struct ui *u, struct pane *p, int key);
void panel_wheel(struct ui *u, struct pane *p, int dir);
void panel_footer(struct ui *u, struct pane *p, const char *filter);

/* ui_layout.c */
void ui_layout(struct ui *u);
void ui_dirty_all(struct ui *u);
void ui_message(struct ui *u, int err, const char *fmt, ...) OD_PRINTF(3, 4);
/* Switches the view preset (keys 1-4, :view) and re-lays the screen. */
void ui_set_view(struct ui *u, int v);
void ui_focus(struct ui *u, int dir);
void ui_show_detail(struct ui *u, int device);

/* ui_theme.c */
void ui_theme_apply(struct ui *u, const struct theme *t);
int  ui_theme_select(struct ui *u, const char *name);

/* ui_state.c: folds, and the state file ($XDG_STATE_HOME/opsdeck/state) */
#define UI_STATE_MAX	(64 * 1024)	/* a longer state file is not read */
#define UI_STATE_FOLDS	1024		/* folds remembered at most */
int  ui_folded(const struct ui_folds *f, const char *group);
/* Folds (on 1) or unfolds (0) group; returns 1 when that changed anything. */
int  ui_fold_set(struct ui_folds *f, const char *group, int on);
void ui_folds_free(struct ui_folds *f);

/* What the state file keeps; text fields "" when the file does not say. */
struct ui_saved {
	char		 view[16], theme[UI_INPUT_MAX], sort[16];
	int		 sort_rev, grouped;	/* -1: not said */
	int		 has_filter;
	char		 filter[UI_INPUT_MAX];
	struct ui_folds	 folds;
};
char *ui_state_path(void);
/*
 * Reads the state file at path into s (zeroed first; the caller frees
 * s->folds). A missing file is no error. A bad line costs that line only:
 * the first problem goes to msg ("line N: why", "" when none) and the
 * count of bad lines is returned; -1 when the file cannot be read at all.
 */
int  ui_state_read(const char *path, struct ui_saved *s, char *msg, size_t len);
/* Writes s to path atomically (a temp file in its folder, fsync, rename), 0600. 0 or -1. */
int  ui_state_write(const char *path, const struct ui_saved *s, char **cause);

/* ui_devices.c */
void ui_refresh_devices(struct ui *u, int force);
void ui_rebuild_drows(struct ui *u);
int  ui_dev_filtered(const struct ui *u);
const struct device_row *ui_selected_device(const struct ui *u);
void ui_select_drow(struct ui *u, int row);
int  ui_select_device(struct ui *u, const char *controller, const char *id);
void ui_set_dev_filter(struct ui *u, const char *text);
void ui_ack_start(struct ui *u);
void ui_ack_submit(struct ui *u, const char *note);
void ui_write_request(struct ui *u, const struct ack_request *r);
#define UI_ACK_TRIES	30	/* --offline: seconds a busy cache is retried */
void ui_acks_retry(struct ui *u);
void ui_acks_poll(struct ui *u);

/* ui_alerts.c: the Alerts pane's set (the cache's, or evaluated here), re-read. */
void ui_refresh_alerts(struct ui *u);

/* ui_data.c */
int  ui_load_hosts(struct ui *u);
void ui_set_data(struct ui *u, struct host_status *hosts, size_t n);
void ui_rebuild_rows(struct ui *u);
/*
 * Held but idle (ui_idle.c): GPU gi of h, of an up or stale host, has at least one
 * process and a known utilisation below UI_IDLE_GPU_PCT. ui_idle_count:
 * how many of h's GPUs are.
 */
int  ui_gpu_idle_held(const struct host_status *h, int gi);
int  ui_idle_count(const struct host_status *h);
/*
 * :idle mode: puts a ROW_GPU row after every host row for each of its held
 * but idle GPUs (u->rows grows; nidle_gpus counts them).
 */
void ui_idle_rows(struct ui *u);
const struct host_status *ui_selected(const struct ui *u);
void ui_select_row(struct ui *u, int row);
void ui_fold(struct ui *u, int how);
void ui_set_grouped(struct ui *u, int on);
const struct alert *ui_selected_alert(const struct ui *u);
const char *ui_sort_name(enum ui_sort s);
void ui_set_filter(struct ui *u, const char *text);
const struct ui_ring *ui_ring_of(const struct ui *u, size_t host);
const char *ui_host_address(const struct ui *u, const struct host_status *h);

/* ui_actions.c: S, :run, :drain, :resume (action.h, action_run.h) */
#define UI_ACTIONS_SHOWN	5	/* Detail's recent actions of a host */
/* `S`: an interactive ssh to the selected host, after a y/n prompt. */
void ui_action_ssh(struct ui *u);
/*
 * `:run [-g] CMD`, `:drain [-g] REASON`, `:resume [-g]` (kind ACTION_RUN, ...; arg
 * is the rest of the line): the targets (the selected host; with -g, or a
 * folded group's header selected, every host of its group), then a y/n
 * prompt naming them.
 */
void ui_action_command(struct ui *u, int kind, const char *arg);
/* A key in MODE_CONFIRM: y runs the action, anything else declines. */
int  ui_action_confirm_key(struct ui *u, int key);
/* The prompt of MODE_CONFIRM, for the status line. */
const char *ui_action_prompt(const struct ui *u);
/* --offline: action records kept while the cache was busy, tried again (each second). */
void ui_actions_retry(struct ui *u);
/* Counts records written by this console (Detail re-reads its actions). */
unsigned ui_actions_gen(const struct ui *u);
void ui_actions_free(struct ui *u);

/* ui_run.c: the results of a :run, :drain or :resume over the panes */
/* Starts the run the prompt confirmed (ui_actions.c) and shows it (MODE_RUN). */
struct action_run_spec;
void ui_run_start(struct ui *u, const struct action_run_spec *v, size_t n, const char *cmd);
/* A key in MODE_RUN: Esc and ^C cancel a run, close it once over; the moving keys scroll. */
int  ui_run_key(struct ui *u, int key);
/* SIGINT: cancels a run that is not over; 0 when there is none (then ^C quits). */
int  ui_run_interrupt(struct ui *u);
/* The run's descriptor for the loop's poll, or -1. */
int  ui_run_fd(const struct ui *u);
/* The run's workers moved: redraw; once every host is over, record the results. */
void ui_run_poll(struct ui *u);
void ui_draw_run(struct ui *u);
/* At the console's end: a run not over is cancelled, waited for (5 s at most), recorded. */
void ui_run_quit(struct ui *u);

/* cmdline.c */
void ui_command(struct ui *u, const char *line);
size_t ui_complete(struct ui *u, char *line, size_t cap);
void ui_draw_help(struct ui *u);

/* pane_*.c */
extern const struct pane_ops pane_compute_ops, pane_devices_ops, pane_budgets_ops,
	    pane_detail_ops, pane_alerts_ops;

/* ui_keys.c */
int  ui_handle_key(struct ui *u, int key);

/* ui_loop.c (and ui_run, ui.h) */
void ui_init_state(struct ui *u, const struct ui_opts *o);
void ui_free_state(struct ui *u);
void ui_draw_frame(struct ui *u);


/* ui_graphs.c: Detail graphs of hosts of prometheus groups (query_range). */
#define UI_GRAPHS_EVERY_MS	10000	/* the same host and width: asked again after */
struct group;
struct prom_graph_answer;
/* The prometheus group h belongs to, or NULL (its graphs come from the cache). */
const struct group *ui_graphs_group(const struct ui *u, const struct host_status *h);
/*
 * Asks for host's graphs over [from_ms, to_ms] in width steps; at most every
 * UI_GRAPHS_EVERY_MS.
 */
void ui_graphs_ask(struct ui *u, const struct group *g, const char *host, int64_t from_ms,
	    int64_t to_ms, int width);
/* The newest answer when it is host's, else NULL; valid until ui_graphs_poll. */
const struct prom_graph_answer *ui_graphs_answer(const struct ui *u, const char *host);
/* The fetcher's descriptor for the loop's poll, or -1. */
int  ui_graphs_fd(const struct ui *u);
/* Takes an answer that arrived; marks the panes dirty. */
void ui_graphs_poll(struct ui *u);
void ui_graphs_free(struct ui *u);
/* Detail's graph ranges: "1h" "6h" "24h" "7d" "30d" by index; NULL past the end. */
const char *ui_graph_range_name(int r);
int64_t ui_graph_range_ms(const struct ui *u);
/* `R` and `:range WORD`: the next range, or the one named (0, or -1 unknown). */
void ui_graph_range_next(struct ui *u);
int  ui_graph_range_set(struct ui *u, const char *word);

/* ui_replay.c: the time cursor. */
#define UI_REPLAY_STEP_MS	10000		/* `[` `]` without a group interval */
#define UI_REPLAY_HOUR_MS	3600000		/* `{` `}` */
#define UI_AT_WINDOW_MS		(5 * 60000)	/* figures no older than this at the cursor */
/* One step of `[` and `]`: the smallest group interval. */
int64_t ui_replay_interval(const struct ui *u);
/* Moves the cursor to at_ms (0, or now and later: live) and re-reads every pane. */
void ui_replay_set(struct ui *u, int64_t at_ms);
/* Moves it by delta_ms (from live: from the newest sample); past now is live. */
void ui_replay_step(struct ui *u, int64_t delta_ms);
/* `:at TIME`: TIME as `opsdeck history` reads it. */
void ui_replay_command(struct ui *u, const char *arg);
/* " REPLAY 2026-12-05 03:00:00 (2h ago) " into buf: 1, or 0 when live. */
int  ui_replay_label(const struct ui *u, char *buf, size_t len);

#endif
