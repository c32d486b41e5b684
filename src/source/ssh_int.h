/*
 * ssh_int.h: what ssh.c (a host's stream) and ssh_jump.c (ProxyJump hops)
 * share, written once in ssh_login.c: the TCP connect with a deadline and
 * one login (key exchange, opsdeck's host-key policy, public-key
 * authentication) under a deadline, for a host or for a hop.
 *
 * Messages about a hop begin with its label ("hop bastion:2222: host key
 * changed: offered ssh-ed25519 SHA256:..."), so that the host behind it
 * shows which machine refused.
 */
#ifndef OPSDECK_SSH_INT_H
#define OPSDECK_SSH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libssh/libssh.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"
#include "opsdeck/util.h"

/* Who one login is for and the deadline it keeps. All borrowed. */
struct ssh_peer {
	const char	*label;		/* NULL: the host itself; "hop NAME" for a hop */
	const char	*hostname;	/* to connect to and to look up in known_hosts */
	int		 port;
	const char	*user;
	char *const	*identity;	/* key files, in order */
	size_t		 nidentity;
	const char	*known_hosts;
	int		 known_hosts_explicit;
	enum hostkey_policy policy;
	int64_t		 deadline;	/* now_mono_ms() time by which all is done */
	int64_t		 timeout_ms;	/* the whole allowance, for messages */
};

/*
 * A malloc'd message about peer p: "LABEL: TEXT", or TEXT for the host
 * itself. printf-like.
 */
char *ssh_peer_msg(const struct ssh_peer *p, const char *fmt, ...)
	OD_PRINTF(2, 3);

/*
 * Non-blocking TCP connect to p's hostname and port, bounded by p's deadline;
 * gives up when abort_fd (if >= 0) turns readable. 0 with *fd (non-blocking,
 * close-on-exec, keepalive, no delay), or -1 with *state (HOST_DOWN,
 * HOST_TIMEOUT) and a malloc'd *cause. getaddrinfo() itself is not bounded.
 */
int ssh_tcp_connect(const struct ssh_peer *p, int abort_fd, int *fd, enum host_state *state,
	    char **cause);

/*
 * One login over fd (a connected stream socket): key exchange, opsdeck's
 * host-key policy (never ssh_config's), then the agent and p's key files.
 * Blocking, each step bounded by what is left of p's deadline. *out is the
 * session in any case, and owns fd from here on: the caller frees it
 * (ssh_free closes fd), so that fd stays open while another thread may
 * still shutdown() it; end it with ssh_login_end. 0 (blocking, logged in), or -1 with *state
 * (HOST_DOWN, HOST_TIMEOUT, HOST_AUTH_FAILED, HOST_HOSTKEY_UNKNOWN,
 * HOST_HOSTKEY_CHANGED) and a malloc'd *cause.
 */
int ssh_login(const struct ssh_peer *p, int fd, ssh_session *out, enum host_state *state,
	    char **cause);

/*
 * Ends a session of ssh_login's: says goodbye (SSH_MSG_DISCONNECT) when
 * graceful and still connected, and closes its socket, then frees it.
 * ssh_disconnect() of libssh 0.10 does not close a socket it was given with
 * SSH_OPTIONS_FD and forgets it, so that ssh_free() does not close it
 * either: the peer would never see the end (a :run's command kept running,
 * its sshd kept waiting) and each ended session would cost a descriptor.
 * Whatever libssh does, the socket is closed exactly once. ss may be NULL.
 */
void ssh_login_end(ssh_session ss, int graceful);

/* Sets a blocking session's timeout to what is left of deadline (>= 1 ms). */
void ssh_set_deadline(ssh_session ss, int64_t deadline);

/*
 * After a failed blocking libssh call during `what`: HOST_TIMEOUT when p's
 * deadline has passed, else HOST_DOWN with libssh's error. Always -1.
 */
int ssh_fail(ssh_session ss, const struct ssh_peer *p, const char *what,
	    enum host_state *state, char **cause);

/* "ssh-ed25519 SHA256:..." of the session's server key; malloc'd. */
char *ssh_server_key_desc(ssh_session ss);

#endif
