/*
 * ui_actions.c: actions on hosts from the console (action.h): `S` (an
 * interactive ssh), `:run CMD`, `:drain REASON` and `:resume`. Each picks
 * its targets from the selection and the configuration (a host, or every
 * host of a group), asks a y/n question naming them on the status line,
 * and is recorded in the cache (ui_action_log.c). `:run` and the Slurm
 * commands then run on threads of their own (ui_run.c); `S` hands the
 * terminal to OpenSSH's client and takes it back when it exits.
 * --read-only (or the config's read_only) refuses them all.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/spawn.h"
#include "opsdeck/store.h"
#include "actions_int.h"

#define PROMPT_NAMES	2	/* hosts named in a prompt before "(+N more)" */

/* The configured group and host of a host of the cache, or NULL. */
static const struct host *
cfg_host(const struct config *c, const char *group, const char *name,
    const struct group **gout)
{
	for (size_t i = 0; c != NULL && i < c->ngroups; i++) {
		const struct group *g = &c->groups[i];
		if (strcmp(g->name, group) != 0)
			continue;
		for (size_t k = 0; k < g->nhosts; k++) {
			if (strcmp(g->hosts[k].name, name) == 0) {
				*gout = g;
				return &g->hosts[k];
			}
		}
	}
	return NULL;
}

/* The configured group of that name, or NULL. */
static const struct group *
cfg_group(const struct config *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->ngroups; i++)
		if (strcmp(c->groups[i].name, name) == 0)
			return &c->groups[i];
	return NULL;
}

/* 1 when actions are allowed; else says why on the status line. */
static int
allowed(struct ui *u, const char *what)
{
	if (u->read_only) {
		ui_message(u, 1, "%s: refused, the console is read-only (%s)", what,
		    u->o->read_only ? "--read-only" : "read_only in the configuration");
		return 0;
	}
	if (u->act != NULL && u->act->run != NULL && !u->act->recorded) {
		ui_message(u, 1, "%s: an action is still running (Esc cancels it)", what);
		return 0;
	}
	return 1;
}

/*
 * The targets of an action: the selected host, or (group set, or a folded
 * group's header selected) every host of its group. Fills a->rec.hosts and
 * *g; 0, or -1 with a message.
 */
static int
pick_targets(struct ui *u, struct ui_actions *a, int group, const char *what,
    const struct group **g)
{
	const struct config *cfg = u->o->cfg;
	const struct host_status *h = ui_selected(u);
	const struct pane *p = &u->pane[PANE_COMPUTE];
	const char *gname = NULL;

	if (h == NULL && p->sel >= 0 && p->sel < (int)u->nrows &&
	    u->rows[p->sel].kind == ROW_GROUP) {
		gname = u->groups[u->rows[p->sel].idx].name;
		group = 1;
	} else if (h == NULL) {
		ui_message(u, 1, "%s: select a host in Compute first", what);
		return -1;
	} else {
		gname = h->group;
	}
	if (group) {
		*g = cfg_group(cfg, gname);
		if (*g == NULL || (*g)->nhosts == 0) {
			ui_message(u, 1, "%s: group %s is not in the configuration", what, gname);
			return -1;
		}
		if ((*g)->nhosts > ACTION_HOSTS_MAX) {
			ui_message(u, 1, "%s: group %s has over %d hosts", what, gname,
			    ACTION_HOSTS_MAX);
			return -1;
		}
		a->rec.nhosts = (*g)->nhosts;
		a->rec.hosts = xcalloc(a->rec.nhosts, sizeof *a->rec.hosts);
		for (size_t i = 0; i < (*g)->nhosts; i++)
			od_strlcpy(a->rec.hosts[i].host, (*g)->hosts[i].name, HOSTNAME_MAX + 1);
	} else {
		if (cfg_host(cfg, h->group, h->name, g) == NULL) {
			ui_message(u, 1, "%s: %s is not in the configuration", what, h->name);
			return -1;
		}
		a->rec.nhosts = 1;
		a->rec.hosts = xcalloc(1, sizeof *a->rec.hosts);
		od_strlcpy(a->rec.hosts[0].host, h->name, HOSTNAME_MAX + 1);
	}
	for (size_t i = 0; i < a->rec.nhosts; i++) {
		a->rec.hosts[i].status = -1;
		od_strlcpy(a->rec.hosts[i].result, "running", ACTION_RESULT_MAX);
	}
	if ((*g)->kind == GROUP_PROMETHEUS) {
		ui_message(u, 1, "%s: %s is watched through Prometheus, not reached by SSH", what,
		    gname);
		return -1;
	}
	return 0;
}

/* "gpu001, gpu002 (+5 more)" of the targets into buf. */
static void
names_text(const struct action_record *r, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nhosts && i < PROMPT_NAMES; i++)
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%.60s", i ? ", " : "",
		    r->hosts[i].host);
	if (r->nhosts > PROMPT_NAMES && o < len)
		snprintf(buf + o, len - o, " (+%zu more)", r->nhosts - PROMPT_NAMES);
}

/* A new record for the prompt, with its kind and what. */
static void
rec_begin(struct ui_actions *a, int kind, const char *what)
{
	ui_action_prompt_clear(a);
	a->rec.id = action_new_id();
	a->rec.kind = kind;
	od_strlcpy(a->rec.what, what, sizeof a->rec.what);
}

/* Where a :run or `S` runs: the targets, hosts of group g (pick_targets). */
static void
specs_of_targets(struct ui_actions *a, const struct group *g)
{
	a->specs = xcalloc(a->rec.nhosts, sizeof *a->specs);
	for (size_t i = 0; i < a->rec.nhosts; i++)
		for (size_t k = 0; k < g->nhosts; k++)
			if (strcmp(g->hosts[k].name, a->rec.hosts[i].host) == 0) {
				a->specs[a->nspecs++] = (struct action_run_spec){ g, &g->hosts[k] };
				break;
			}
}

/*
 * :drain and :resume: the scontrol line for the targets, to run on the
 * scheduler group's head node (its first host that is up, else its first).
 */
static int
slurm_prepare(struct ui *u, struct ui_actions *a, const struct group *g, int drain,
    const char *reason, const char *what)
{
	const struct group *s = config_scheduler_of(u->o->cfg, g);
	char *cause = NULL;

	if (g->kind != GROUP_NODE) {
		ui_message(u, 1, "%s: %s is a %s group, not compute nodes", what, g->name,
		    group_kind_name(g->kind));
		return -1;
	}
	if (s == NULL || s->nhosts == 0) {
		ui_message(u, 1, "%s: no scheduler group for %s (give the group 'scheduler: "
		    "NAME')", what, g->name);
		return -1;
	}
	const struct host *head = &s->hosts[0];
	for (size_t i = 0; i < s->nhosts; i++) {
		int up = 0;
		for (size_t k = 0; k < u->nhosts && !up; k++)
			up = strcmp(u->hosts[k].name, s->hosts[i].name) == 0 &&
			    u->hosts[k].state == HOST_UP;
		if (up) {
			head = &s->hosts[i];
			break;
		}
	}
	const char **nodes = xcalloc(a->rec.nhosts, sizeof *nodes);
	for (size_t i = 0; i < a->rec.nhosts; i++)
		nodes[i] = a->rec.hosts[i].host;
	a->command = action_scontrol_command(nodes, a->rec.nhosts, drain, reason, &cause);
	free(nodes);
	if (a->command == NULL) {
		ui_message(u, 1, "%s: %s", what, cause);
		free(cause);
		return -1;
	}
	od_strlcpy(a->rec.via, head->name, sizeof a->rec.via);
	a->specs = xcalloc(1, sizeof *a->specs);
	a->specs[0] = (struct action_run_spec){ s, head };
	a->nspecs = 1;
	return 0;
}

/* See ui_priv.h. */
void
ui_action_command(struct ui *u, int kind, const char *arg)
{
	const char *what = action_kind_name(kind);
	struct ui_actions *a;
	const struct group *g = NULL;
	char names[UI_MSG_MAX];
	int group = 0;

	if (!allowed(u, what))
		return;
	if (strncmp(arg, "-g", 2) == 0 && (arg[2] == ' ' || !arg[2])) {
		group = 1;
		arg += 2;
		while (*arg == ' ')
			arg++;
	}
	if (kind == ACTION_RUN && arg[0] == '\0') {
		ui_message(u, 1, ":run [-g] COMMAND (-g: on every host of the group)");
		return;
	}
	a = ui_actions_get(u);
	rec_begin(a, kind, kind == ACTION_RESUME ? "" : arg);
	if (pick_targets(u, a, group, what, &g) != 0) {
		ui_action_prompt_clear(a);
		return;
	}
	names_text(&a->rec, names, sizeof names);
	if (kind == ACTION_RUN) {
		a->command = xstrdup(arg);
		specs_of_targets(a, g);
		snprintf(a->prompt, sizeof a->prompt, "run '%.200s' on %s? [y/N]", arg, names);
	} else {
		if (slurm_prepare(u, a, g, kind == ACTION_DRAIN, arg, what) != 0) {
			ui_action_prompt_clear(a);
			return;
		}
		if (kind == ACTION_DRAIN)
			snprintf(a->prompt, sizeof a->prompt, "drain %s in Slurm (reason '%.120s') "
			    "through %s? [y/N]", names, arg, a->rec.via);
		else
			snprintf(a->prompt, sizeof a->prompt, "resume %s in Slurm through %s? [y/N]",
			    names, a->rec.via);
	}
	u->mode = MODE_CONFIRM;
	u->status_dirty = 1;
}

/* See ui_priv.h. */
const char *
ui_action_prompt(const struct ui *u)
{
	return u->act != NULL ? u->act->prompt : "";
}

/* "exit 3", "killed by signal 9" of a wait status. */
static void
wait_text(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "ended");
}

/*
 * Writes the session's ssh_config into a fresh 0700 directory: its path
 * (malloc'd; *dir too, to remove), or NULL with a message.
 */
static char *
ssh_config_file(struct ui *u, const struct ssh_target *t, char **dir)
{
	const char *tmp = getenv("TMPDIR");
	char *cause = NULL, *text = action_ssh_config(t, &cause);

	if (text == NULL) {
		ui_message(u, 1, "ssh: %s", cause);
		free(cause);
		return NULL;
	}
	*dir = xasprintf("%s/opsdeck-ssh.XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(*dir) == NULL) {
		ui_message(u, 1, "ssh: cannot make a directory in %s: %s", tmp ? tmp : "/tmp",
		    strerror(errno));
		free(text);
		free(*dir);
		*dir = NULL;
		return NULL;
	}
	char *path = xasprintf("%s/ssh_config", *dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		ui_message(u, 1, "ssh: cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(path);
		rmdir(*dir);
		free(path);
		free(*dir);
		*dir = NULL;
		free(text);
		return NULL;
	}
	close(fd);
	free(text);
	return path;
}

/*
 * The confirmed `S`: OpenSSH's client on our terminal, curses suspended
 * (def_prog_mode, endwin) until it exits; SIGINT and SIGQUIT ignored
 * meanwhile (the child gets them). Its exit status goes to the status
 * line and the record.
 */
static void
ssh_now(struct ui *u, struct ui_actions *a)
{
	const struct action_run_spec *sp = &a->specs[0];
	struct ssh_target t;
	size_t clen = 0;
	char *ctext = ssh_config_read_home(&clen), *dir = NULL, *cause = NULL;
	char res[ACTION_RESULT_MAX];

	memset(&t, 0, sizeof t);
	ssh_target_resolve(&t, sp->h->name, sp->h->address, &sp->g->conn, ctext, clen,
	    sp->g->conn.timeout_ms);
	free(ctext);
	if (t.jump_error != NULL) {
		ui_message(u, 1, "ssh %s: %s", sp->h->name, t.jump_error);
		ssh_target_free(&t);
		return;
	}
	char *cfg = ssh_config_file(u, &t, &dir);
	char **argv = cfg != NULL ? action_ssh_argv(&t, cfg, &cause) : NULL;
	ssh_target_free(&t);
	if (argv == NULL) {
		if (cause != NULL)
			ui_message(u, 1, "ssh %s: %s", sp->h->name, cause);
		free(cause);
		goto out;
	}
	ui_action_record(u, &a->rec);
	struct sigaction ign, old_int, old_quit;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	def_prog_mode();
	endwin();
	pid_t pid;
	int st = 0, rc = spawn_foreground("ssh", argv, &pid, &cause);
	if (rc == 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		wait_text(st, res, sizeof res);
	}
	reset_prog_mode();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	clearok(curscr, TRUE);		/* the whole screen again at the next frame */
	ui_dirty_all(u);
	if (rc != 0) {
		od_strlcpy(res, cause, sizeof res);
		free(cause);
	}
	a->rec.hosts[0].status = rc == 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	od_strlcpy(a->rec.hosts[0].result, res, sizeof a->rec.hosts[0].result);
	a->rec.end_ms = now_wall_ms();
	ui_action_record(u, &a->rec);
	ui_message(u, rc != 0 || st != 0, "ssh %s ended: %s", sp->h->name, res);
out:
	action_argv_free(argv);
	if (cfg != NULL)
		unlink(cfg);
	if (dir != NULL)
		rmdir(dir);
	free(cfg);
	free(dir);
}

/* See ui_priv.h. */
void
ui_action_ssh(struct ui *u)
{
	struct ui_actions *a;
	const struct group *g = NULL;

	if (!allowed(u, "S (ssh)"))
		return;
	a = ui_actions_get(u);
	rec_begin(a, ACTION_SSH, "interactive session");
	if (pick_targets(u, a, 0, "S (ssh)", &g) != 0) {
		ui_action_prompt_clear(a);
		return;
	}
	if (g->local) {
		ui_message(u, 1, "S (ssh): %s is this machine (transport local)",
		    a->rec.hosts[0].host);
		ui_action_prompt_clear(a);
		return;
	}
	specs_of_targets(a, g);
	snprintf(a->prompt, sizeof a->prompt, "ssh to %.100s (interactive)? [y/N]",
	    a->rec.hosts[0].host);
	u->mode = MODE_CONFIRM;
	u->status_dirty = 1;
}

/* See ui_priv.h. */
int
ui_action_confirm_key(struct ui *u, int key)
{
	struct ui_actions *a = ui_actions_get(u);

	u->mode = MODE_NORMAL;
	u->status_dirty = 1;
	if (key != 'y' && key != 'Y') {
		ui_message(u, 0, "%s declined: nothing run", action_kind_name(a->rec.kind));
		ui_action_prompt_clear(a);
		return 1;
	}
	a->rec.ts_ms = now_wall_ms();
	if (a->rec.kind == ACTION_SSH) {
		ssh_now(u, a);
		ui_action_prompt_clear(a);
		return 1;
	}
	struct action_run_spec *specs = a->specs;
	size_t n = a->nspecs;
	char *cmd = a->command;
	a->specs = NULL;
	a->command = NULL;
	ui_run_start(u, specs, n, cmd);
	free(specs);
	free(cmd);
	ui_action_prompt_clear(a);
	return 1;
}
