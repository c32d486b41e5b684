/*
 * ssh_jump.h: ProxyJump chains dialled by opsdeck itself (ssh_jump.c).
 *
 * A host behind hops a,b is reached through a direct-tcpip channel that hop
 * b's session opens; b's session runs over a channel of hop a's session,
 * and a's over TCP. Each hop logs in like a host does (ssh_login.c): its
 * own User, Port and IdentityFile, the host's known_hosts, host-key policy
 * and deadline; a refusal names the hop ("hop b:2222: host key changed:
 * offered ssh-ed25519 SHA256:..."). No child process, no terminal.
 *
 * Hosts behind the same hop share its sessions: a session carries up to
 * the target's jump_channels channels; past that, or when the hop refuses a
 * channel while it carries others and another session of it accepts, a new
 * session (login) is made. A session ends when its last channel is
 * released. Each session has a pump thread that owns it and moves bytes
 * between its channels and socket pairs; the host's own session (ssh.c)
 * talks over the other end of its pair like over a TCP socket.
 *
 * Any thread may call jump_open and jump_release. Every wait is bounded by
 * the caller's deadline.
 */
#ifndef OPSDECK_SSH_JUMP_H
#define OPSDECK_SSH_JUMP_H

#include <stdint.h>

#include "opsdeck/hoststate.h"
#include "opsdeck/ssh.h"

/* A host's hold on the hop session its channel runs on. */
struct jump_ref;

struct source_open_ctx;

/*
 * A stream to t's hostname and port through t's hops (nhops >= 1), logging
 * in to hops as needed, by the monotonic time deadline; gives up when ctx's
 * abort_fd turns readable, and announces a hop's socket to ctx's on_socket
 * while logging in to it (ctx may be NULL). 0 with *fd (a non-blocking,
 * close-on-exec socket, the caller's) and *ref (release it after closing
 * *fd), or -1 with *state (HOST_DOWN, HOST_TIMEOUT, HOST_AUTH_FAILED,
 * HOST_HOSTKEY_UNKNOWN, HOST_HOSTKEY_CHANGED) and a malloc'd *cause naming
 * the hop at fault.
 */
int jump_open(const struct ssh_target *t, int64_t deadline, const struct source_open_ctx *ctx,
	    int *fd, struct jump_ref **ref, enum host_state *state, char **cause);
/*
 * Gives ref back (NULL: nothing); the last one of a session ends it, waiting
 * for its pump thread (which wakes at once).
 */
void jump_release(struct jump_ref *ref);

#endif
