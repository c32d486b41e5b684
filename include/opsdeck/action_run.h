/*
 * action_run.h: running an operator's command on hosts, off the console's
 * thread (action_run.c), and the OpenSSH client's arguments for an
 * interactive session (action_ssh.c).
 *
 * A run opens a session of its own on each host, through the same login
 * as the collector's (ssh.h, ssh_login.c: the host's user, port, keys,
 * ProxyJump chain, host-key policy and known_hosts; behind a hop it rides
 * on the hop sessions the collector already holds, ssh_jump.h), and runs
 * the command under the report loop's guard (frame_guarded_command), so
 * that closing the channel kills it and everything it started on the node.
 * Hosts of a `local` group run it with /bin/sh here. Up to `fanout` hosts
 * at a time, one worker thread each; each host's output is kept up to
 * ACTION_RUN_OUTPUT_MAX bytes (past it: cut), raw (the reader sanitises it
 * before it is shown). A host ends done (an exit status), failed (why),
 * timeout (past timeout_ms from its start) or cancelled.
 *
 * Threads: action_run_start, _cancel and _free on the console's thread; the
 * workers write each host's part under the run's lock and poke a pipe
 * (action_run_fd) that the console's loop polls; the console reads the
 * parts between action_run_lock and action_run_unlock.
 */
#ifndef OPSDECK_ACTION_RUN_H
#define OPSDECK_ACTION_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/ssh.h"

#define ACTION_RUN_OUTPUT_MAX	(64 * 1024)	/* output kept per host */
#define ACTION_RUN_FANOUT	16		/* hosts at a time */
#define ACTION_RUN_STATUS_WAIT_MS 3000		/* for the exit status after the output */

enum action_run_state {
	ARUN_WAITING, ARUN_CONNECTING, ARUN_RUNNING,	/* not over yet */
	ARUN_DONE, ARUN_FAILED, ARUN_TIMEOUT, ARUN_CANCELLED,
};

/* What to run where: a host of a group of the console's config (borrowed). */
struct action_run_spec {
	const struct group	*g;
	const struct host	*h;
};

/* One host's part; read between action_run_lock and action_run_unlock. */
struct action_run_host {
	char		*name;		/* the host's configured name */
	enum action_run_state state;
	int		 status;	/* ARUN_DONE: the exit status, else -1 */
	char		*why;		/* ARUN_FAILED: why (malloc'd), else NULL */
	char		*out;		/* raw output, len bytes (not NUL-terminated) */
	size_t		 len;
	int		 cut;		/* more than ACTION_RUN_OUTPUT_MAX came */
	int64_t		 start_ms, end_ms;	/* monotonic; 0: not yet */
};

struct action_run;

/*
 * Starts command (copied) on v[0..n) (n >= 1), at most fanout at a time,
 * each stopped timeout_ms after it started. The config behind v must
 * outlive the run. Never NULL.
 */
struct action_run *action_run_start(const struct action_run_spec *v, size_t n,
	    const char *command, int64_t timeout_ms, size_t fanout);
/* Readable when a host's part changed; the console calls action_run_ack then. */
int  action_run_fd(const struct action_run *r);
void action_run_ack(struct action_run *r);
void action_run_lock(struct action_run *r);
void action_run_unlock(struct action_run *r);
size_t action_run_count(const struct action_run *r);
/* Host i's part; valid while locked. */
const struct action_run_host *action_run_host(const struct action_run *r, size_t i);
/* 1 when every host's part is over (done, failed, timeout or cancelled). */
int  action_run_over(struct action_run *r);
/*
 * Stops every host not over yet: their channels are closed (on the node the
 * guard kills the command), those not started never start. Returns at
 * once; the parts turn cancelled as the workers notice.
 */
void action_run_cancel(struct action_run *r);
/* Cancels what is left, waits for the workers (bounded) and frees r. */
void action_run_free(struct action_run *r);
/* "waiting", "connecting", "running", "done", "failed", "timeout", "cancelled". */
const char *action_run_state_name(enum action_run_state s);

/* ---- the interactive session, `S` (action_ssh.c; pure) ----------------- */

/*
 * The ssh_config opsdeck writes for one interactive session to t: a `Host *`
 * block with t's known_hosts (UserKnownHostsFile, GlobalKnownHostsFile
 * /dev/null when it was set in opsdeck's config) and policy
 * (StrictHostKeyChecking yes or accept-new), so that they hold for every
 * hop too, and a block `Host opsdeck-hop-N` per ProxyJump hop with its
 * HostName, User, Port and IdentityFiles. malloc'd, or NULL with *cause
 * for a value ssh_config cannot carry (a '"', "${" or a line break).
 */
char *action_ssh_config(const struct ssh_target *t, char **cause);
/*
 * The argv of OpenSSH's client for t, that config written at cfg_path:
 * ssh -F CFG -l USER -p PORT [-i KEY]... -o UserKnownHostsFile=...
 * -o StrictHostKeyChecking=... [-o GlobalKnownHostsFile=/dev/null]
 * [-J opsdeck-hop-1,...] -- HOSTNAME. Key files that do not exist are
 * left out. NULL-terminated, malloc'd (action_argv_free), or NULL with
 * *cause as for action_ssh_config.
 */
char **action_ssh_argv(const struct ssh_target *t, const char *cfg_path, char **cause);
void action_argv_free(char **argv);

#endif
