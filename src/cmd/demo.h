/*
 * demo.h: `opsdeck --demo`'s simulator (demo.c): opsdeck-fleetsim started in
 * a directory of its own on a free port, stopped and its directory removed
 * on every way out (q, SIGHUP, SIGTERM, SIGINT, an error at start).
 */
#ifndef OPSDECK_DEMO_H
#define OPSDECK_DEMO_H

#include <limits.h>
#include <signal.h>
#include <sys/types.h>

#define DEMO_PORT_FIRST		2222	/* the first port --demo tries */
#define DEMO_PORT_TRIES		32	/* ports tried in turn when one is taken */
#define DEMO_START_MS		120000	/* the simulator's start-up, at most */

/* A running opsdeck-fleetsim for --demo. */
struct demo {
	pid_t	 pid;			/* 0: none running */
	int	 port;			/* the port its nodes listen on */
	char	 dir[PATH_MAX];		/* the demo's directory, "" when none */
	char	 config[PATH_MAX + 16];	/* DIR/config.yaml */
	char	 cache[PATH_MAX + 16];	/* DIR/cache.db */
};

/*
 * Set by demo_signals() when SIGHUP, SIGTERM or SIGINT arrived: the demo is
 * to stop. The console's own loop (ui_run) takes over the signals while it
 * runs and reads this flag when it starts.
 */
extern volatile sig_atomic_t demo_stop_requested;

/*
 * From here on SIGHUP, SIGTERM and SIGINT set demo_stop_requested instead of
 * ending the process, so that the simulator is always stopped and its
 * directory removed.
 */
void demo_signals(void);

/*
 * Starts the simulator with `nodes` nodes in a new directory under $TMPDIR
 * (or /tmp). port > 0: that port or a message saying it is taken; 0: the
 * first free one from DEMO_PORT_FIRST, DEMO_PORT_TRIES in turn. Waits for
 * its `ready` line (DEMO_START_MS at most, or until demo_stop_requested).
 * 0, or -1 after printing why: the simulator's exit status and the end of
 * its stderr (kept in DIR/fleetsim.log), or which port is taken. d must be
 * zeroed first; call demo_stop either way.
 */
int demo_start(struct demo *d, int nodes, int port);

/*
 * Stops the simulator (SIGTERM, then SIGKILL of its process group after
 * 5 s) and removes the demo's directory without a shell (remove_tree).
 * Safe to call twice and on a demo that never started.
 */
void demo_stop(struct demo *d);

#endif
