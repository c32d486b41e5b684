/*
 * ssh_jump_int.h: the parts of ProxyJump (ssh_jump.h) shared by
 *   ssh_jump.c       the registry of hops and their sessions, logins,
 *                    channel requests and references
 *   ssh_jump_pump.c  the pump thread of one hop session: opens the channels
 *                    asked of it and moves bytes between them and socket
 *                    pairs
 * Dependencies go one way: ssh_jump.c -> ssh_jump_pump.c, which also keeps
 * the lock and its condition. Everything in struct jsess above "pump only"
 * and all of struct jreq is shared under jump_lock; the session handle and
 * the channels belong to the pump thread once it runs (before that, to the
 * thread that logs in).
 */
#ifndef OPSDECK_SSH_JUMP_INT_H
#define OPSDECK_SSH_JUMP_INT_H

#include <pthread.h>
#include <stdint.h>

#include <libssh/libssh.h>

#include "opsdeck/hoststate.h"
#include "opsdeck/ssh_jump.h"

enum jreq_status { JREQ_PENDING, JREQ_OK, JREQ_FAILED };

/* A channel asked of a session: to host:port by deadline. Under jump_lock. */
struct jreq {
	struct jreq	*next;
	char		*host;
	int		 port;
	int64_t		 deadline;
	enum jreq_status status;
	int		 fd;		/* JREQ_OK: the asker's end of the socket pair */
	enum host_state	 state;		/* JREQ_FAILED: why */
	char		*cause;
	int		 refused;	/* the hop said no while its session lives */
	int		 abandoned;	/* the asker gave up: the pump frees it */
};

struct jhop;
struct jchan;

/* One login to a hop, shared by the hosts behind it. */
struct jsess {
	struct jsess	*next;		/* in its hop's list */
	struct jhop	*hop;
	char		*label;		/* "hop NAME" */
	int64_t		 timeout_ms;	/* for messages */
	ssh_session	 ss;
	struct jump_ref	*via;		/* the channel it runs over; NULL: TCP */
	int		 users;		/* askers and channels handed out */
	int		 nopen;		/* channels open now */
	int		 logging_in, ready, dead, full, stop;
	enum host_state	 fail_state;	/* dead: why, for those who waited */
	char		*fail_cause;
	struct jreq	*reqs;		/* not yet taken by the pump, oldest first */
	int		 wake[2];	/* pokes the pump */
	pthread_t	 thr;
	int		 started;
	/* pump only */
	struct jchan	*chans;
};

/* Both files' lock, and the wait for what it guards to change (ssh_jump_pump.c). */
extern pthread_mutex_t jump_lock;
/* Broadcast under jump_lock whenever a login or a request is answered. */
void jump_signal(void);
/*
 * Waits (jump_lock held) for a jump_signal(), at most one slice of 100 ms.
 * 1 when the deadline has passed or abort_fd (if >= 0) is readable: stop.
 */
int jump_wait(int64_t deadline, int abort_fd);
/* Writes a byte to a wake-up pipe (full: it is awake anyway). */
void jump_poke(int fd);

/* The pump thread of js (started once its login succeeded). */
void *jump_pump_main(void *arg);

#endif
