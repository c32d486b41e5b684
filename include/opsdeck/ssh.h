/*
 * ssh.h: the libssh client side of the collector: one session and one exec
 * channel per host, opened with opsdeck's own policy.
 *
 * - ~/.ssh/config is read by us, never by libssh (SSH_OPTIONS_PROCESS_CONFIG
 *   is off): Host (with * ? and ! patterns), HostName, User, Port,
 *   IdentityFile, ProxyJump, first match wins per key as in OpenSSH. Nothing
 *   in it can weaken the host-key policy.
 * - Host keys: `strict` refuses unknown and changed keys; `accept-new`
 *   records unknown keys in the known_hosts file (one writer at a time, under
 *   a process-wide mutex) and refuses changed ones. A refusal names the
 *   SHA256 fingerprint the host offered; nothing is run on a refused host.
 * - Keys: the ssh-agent (when SSH_AUTH_SOCK is set), the configured identity,
 *   ~/.ssh/config's IdentityFile, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
 *   Never a password or passphrase prompt.
 * - ProxyJump is dialled by us (ssh_jump.h): each hop is a libssh session
 *   opened through a direct-tcpip channel of the hop before it, under the
 *   same host-key policy, known_hosts and deadline as the host, with the
 *   hop's own User, Port and IdentityFile from ~/.ssh/config. Hosts behind
 *   one hop share its sessions. No ssh child process, no terminal.
 *
 * A stream is used by one thread at a time. Opening is blocking and bounded
 * by the target's timeout; reading is non-blocking (poll ssh_stream_fd()).
 */
#ifndef OPSDECK_SSH_H
#define OPSDECK_SSH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"

#define SSH_CONFIG_MAX_BYTES	(1024 * 1024)	/* a larger ~/.ssh/config is ignored */
#define SSH_CONFIG_MAX_IDENTITIES 16

/* What ~/.ssh/config says about one host (first match wins per key). */
struct ssh_host_config {
	char	*hostname;	/* %h expanded; NULL: not set */
	char	*user;
	int	 port;		/* 0: not set */
	char	*identity[SSH_CONFIG_MAX_IDENTITIES];	/* ~ and %d %u %h %r %% expanded */
	size_t	 nidentity;
	char	*proxyjump;	/* NULL or "none": no jump */
};

/*
 * Pure: parses an ssh_config text of len bytes and fills out with the values
 * that apply to `host` (the name as written in opsdeck's config). `home` and
 * `local_user` are used for ~, %d and %u. Unknown keys, Match blocks and
 * Include are ignored. out must be zeroed; free with ssh_host_config_free.
 */
void ssh_config_lookup(const char *text, size_t len, const char *host, const char *home,
	    const char *local_user, struct ssh_host_config *out);
void ssh_host_config_free(struct ssh_host_config *hc);
/* $HOME/.ssh/config (malloc'd, at most SSH_CONFIG_MAX_BYTES, *len bytes), or NULL. */
char *ssh_config_read_home(size_t *len);

/* OpenSSH pattern: '*' any run, '?' one character; case-insensitive. 1 on match. */
int ssh_pattern_match(const char *pattern, const char *s);

#define SSH_MAX_HOPS		8	/* a longer ProxyJump chain (or a loop) is refused */
#define SSH_JUMP_CHANNELS	128	/* hosts per session of a hop, by default */

/* One hop of a ProxyJump chain, resolved with ~/.ssh/config. */
struct ssh_hop {
	char		*label;		/* for messages: the name as written, ":PORT" off 22 */
	char		*hostname;	/* to connect to and to look up in known_hosts */
	char		*user;
	int		 port;
	char		*identity[SSH_CONFIG_MAX_IDENTITIES + 4];	/* in order */
	size_t		 nidentity;
};

/* Where and how to connect: filled by ssh_target_resolve. */
struct ssh_target {
	char		*name;		/* as configured (messages) */
	char		*hostname;	/* to connect to and to look up in known_hosts */
	char		*user;
	int		 port;
	char		*known_hosts;	/* path */
	int		 known_hosts_explicit;	/* set in opsdeck's config: no global file */
	enum hostkey_policy policy;
	char		*identity[SSH_CONFIG_MAX_IDENTITIES + 4];	/* in order */
	size_t		 nidentity;
	char		*proxyjump;	/* NULL: direct; else the chain as written */
	struct ssh_hop	*hops;		/* the chain, first hop first (nhops of them) */
	size_t		 nhops;
	char		*jump_error;	/* the chain cannot be used: why (then nhops is 0) */
	int		 jump_channels;	/* hosts per hop session, SSH_JUMP_CHANNELS */
	int64_t		 timeout_ms;
};

/*
 * Resolves host `name` with its group's conn settings and ~/.ssh/config
 * ($HOME/.ssh/config; read once by the caller and passed as text, may be
 * NULL). opsdeck's settings win where they were given: `address` (the
 * config's, may be NULL) over HostName, HostName over the name. ~/.ssh/config
 * is looked up by the name in either case.
 *
 * ProxyJump ("[ssh://][USER@]HOST[:PORT],...", or "none") becomes hops:
 * each HOST is looked up in ~/.ssh/config for HostName, User, Port and
 * IdentityFile (USER and PORT as written win); the first hop's own
 * ProxyJump is followed (as OpenSSH does), up to SSH_MAX_HOPS in all. A hop
 * logs in with its IdentityFiles, then opsdeck's identity, then (when there
 * are neither) ~/.ssh/id_*. A chain that cannot be used sets jump_error.
 */
void ssh_target_resolve(struct ssh_target *t, const char *name, const char *address,
	    const struct conn_settings *conn, const char *ssh_config, size_t ssh_config_len,
	    int64_t timeout_ms);
/*
 * Where host h of group g is reached, for people (Detail, snapshot JSON):
 * "local" for the local transport, else the resolved target's host name
 * (the config's address, HostName, or the name) with ":PORT" when the port
 * is not 22. ssh_config as for ssh_target_resolve. Caller frees.
 */
char *ssh_host_address(const struct group *g, const struct host *h, const char *ssh_config,
	    size_t ssh_config_len);
void ssh_target_free(struct ssh_target *t);
/* Frees t's hops only (nhops 0 afterwards). */
void ssh_hops_free(struct ssh_target *t);

struct ssh_stream;

/* A stream for t (copied). Never NULL. */
struct ssh_stream *ssh_stream_new(const struct ssh_target *t);
/*
 * Opens the transport: TCP (non-blocking connect with the target's timeout)
 * or a channel through the ProxyJump chain (ssh_jump.h). Returns early when
 * ctx's abort_fd becomes readable; a hop's login socket is announced to
 * ctx's on_socket while it blocks (ctx may be NULL). 0, or -1 with *state
 * (HOST_DOWN, HOST_TIMEOUT; behind a hop also its refusals:
 * HOST_AUTH_FAILED, HOST_HOSTKEY_UNKNOWN, HOST_HOSTKEY_CHANGED) and *cause.
 */
struct source_open_ctx;
int  ssh_stream_connect(struct ssh_stream *s, const struct source_open_ctx *ctx,
	    enum host_state *state, char **cause);
/*
 * The socket libssh talks over, once connected (-1 before); behind a
 * ProxyJump, our end of the socket pair a hop's channel feeds. Another thread
 * may shutdown() it to abort ssh_stream_start(); it stays open until
 * ssh_stream_free().
 */
int  ssh_stream_socket(const struct ssh_stream *s);
/*
 * Key exchange, host-key policy, authentication, then `command` on an exec
 * channel. Blocking, bounded by the timeout. Afterwards the session is
 * non-blocking. 0, or -1 with *state (HOST_DOWN, HOST_TIMEOUT,
 * HOST_AUTH_FAILED, HOST_HOSTKEY_UNKNOWN, HOST_HOSTKEY_CHANGED) and *cause.
 */
int  ssh_stream_start(struct ssh_stream *s, const char *command, enum host_state *state,
	    char **cause);
/*
 * ssh_stream_start for a long script (a report loop): the exec request is
 * frame_stdin_command's few bytes and the script follows on stdin, written
 * SSH_SCRIPT_PIECE bytes at a time, so that the session's send buffers stay
 * small for its whole life (frame.h says why): libssh grows a buffer to the
 * smallest power of two above its largest use and never shrinks it, and a
 * piece of 896 bytes is a packet of at most 929 with its header and
 * padding, 993 with the longest MAC (hmac-sha2-512, 64 bytes): both send
 * buffers stay at 1 KiB where a piece of 1 KiB made them 2 KiB each.
 */
#define SSH_SCRIPT_PIECE	896
int  ssh_stream_start_script(struct ssh_stream *s, const char *script,
	    enum host_state *state, char **cause);
/* The fd to poll for input once started. */
int  ssh_stream_fd(const struct ssh_stream *s);
/*
 * Non-blocking read of the command's stdout (stderr is read and dropped).
 * Returns bytes (> 0), 0 when nothing is available now, or -1 when the
 * stream ended (*cause says why: closed by the host, connection lost).
 */
ssize_t ssh_stream_read(struct ssh_stream *s, char *buf, size_t len, char **cause);
/*
 * After ssh_stream_read ended (-1): the command's exit status, waiting at
 * most wait_ms for the host to send it; -1 when it sent none (killed by a
 * signal, the connection lost).
 */
int  ssh_stream_exit_status(struct ssh_stream *s, int64_t wait_ms);
/* Closes the channel and session (politely when `graceful`) and frees s. */
void ssh_stream_free(struct ssh_stream *s, int graceful);

#endif
