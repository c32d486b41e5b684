/*
 * ssh.c: the libssh client side of the collector (ssh.h): our own TCP
 * connect or ProxyJump transport, host-key policy, public-key
 * authentication, and a non-blocking exec channel. What ~/.ssh/config says
 * of a host is ssh_config.c's.
 *
 * libssh never reads an ssh_config here (SSH_OPTIONS_PROCESS_CONFIG off) and
 * never decides on host keys: we ask ssh_session_is_known_server() and apply
 * opsdeck's policy ourselves, so no StrictHostKeyChecking or
 * UserKnownHostsFile in a user's config can weaken it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "known_hosts.h"
#include "opsdeck/buf.h"
#include "opsdeck/spawn.h"
#include "opsdeck/ssh.h"
#include "opsdeck/util.h"

/* ssh_session_update_known_hosts() appends without locking: one writer at a time. */
static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

static void
target_copy(struct ssh_target *d, const struct ssh_target *s)
{
	*d = *s;
	d->name = xstrdup(s->name);
	d->hostname = xstrdup(s->hostname);
	d->user = xstrdup(s->user);
	d->known_hosts = xstrdup(s->known_hosts);
	for (size_t i = 0; i < s->nidentity; i++)
		d->identity[i] = xstrdup(s->identity[i]);
	d->proxyjump = s->proxyjump != NULL ? xstrdup(s->proxyjump) : NULL;
}

/* ---- streams ----------------------------------------------------------- */

struct ssh_stream {
	struct ssh_target t;
	int		 fd;		/* our transport socket until libssh owns it */
	int		 libssh_owns_fd;
	pid_t		 proxy_pid;	/* ProxyJump ssh, or -1 */
	int		 proxy_err;	/* its stderr (non-blocking read end), or -1 */
	ssh_session	 session;
	ssh_channel	 channel;
	int64_t		 start_mono;
	unsigned	 quiet;		/* reads that found no output, for stderr draining */
};

struct ssh_stream *
ssh_stream_new(const struct ssh_target *t)
{
	struct ssh_stream *s = xcalloc(1, sizeof *s);
	target_copy(&s->t, t);
	s->fd = -1;
	s->proxy_pid = -1;
	s->proxy_err = -1;
	s->start_mono = now_mono_ms();
	return s;
}

int
ssh_stream_socket(const struct ssh_stream *s)
{
	return s->fd;
}

int
ssh_stream_fd(const struct ssh_stream *s)
{
	return s->session != NULL ? ssh_get_fd(s->session) : s->fd;
}

static int64_t
remaining_ms(const struct ssh_stream *s)
{
	return s->start_mono + s->t.timeout_ms - now_mono_ms();
}

static void
tune_socket(int fd, int tcp)
{
	int one = 1;
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	if (tcp) {
		int idle = 30, intvl = 10, cnt = 3;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	}
}

/* Non-blocking connect to one address, bounded by the deadline and abort_fd. */
static int
connect_one(struct ssh_stream *s, const struct addrinfo *ai, int abort_fd, int *err,
    int *timed_out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	for (;;) {
		int64_t left = remaining_ms(s);
		if (left <= 0) {
			*timed_out = 1;
			close(fd);
			return -1;
		}
		struct pollfd p[2] = { { .fd = fd, .events = POLLOUT },
		    { .fd = abort_fd, .events = POLLIN } };
		int r = poll(p, abort_fd >= 0 ? 2 : 1, (int)OD_MIN(left, 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (abort_fd >= 0 && (p[1].revents & POLLIN)) {
			*err = ECANCELED;
			close(fd);
			return -1;
		}
		if (r > 0 && p[0].revents != 0) {
			int e = 0;
			socklen_t el = sizeof e;
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
			if (e == 0)
				return fd;
			*err = e;
			close(fd);
			return -1;
		}
	}
}

/*
 * ProxyJump: `ssh -W HOST:PORT` through the last jump host (earlier ones as
 * -J), with opsdeck's host-key policy and known_hosts, never prompting.
 * Command-line -o options win over the user's ssh_config in OpenSSH.
 */
static int
proxy_start(struct ssh_stream *s, enum host_state *state, char **cause)
{
	int sv[2], ep[2];
	char *jumps = xstrdup(s->t.proxyjump);
	char *last = strrchr(jumps, ',');
	char *dest, *via = NULL;
	const char *argv[40];
	size_t n = 0;
	char *owned[12];
	size_t nowned = 0;

	if (last != NULL) {
		*last = '\0';
		dest = last + 1;
		via = jumps;
	} else
		dest = jumps;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		*state = HOST_DOWN;
		*cause = xasprintf("cannot make a socket pair: %s", strerror(errno));
		free(jumps);
		return -1;
	}
	if (pipe2(ep, O_CLOEXEC) != 0) {
		*state = HOST_DOWN;
		*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free(jumps);
		return -1;
	}
	argv[n++] = "ssh";
	argv[n++] = "-W";
	argv[n++] = owned[nowned++] = strchr(s->t.hostname, ':') != NULL ?
	    xasprintf("[%s]:%d", s->t.hostname, s->t.port) :
	    xasprintf("%s:%d", s->t.hostname, s->t.port);
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	argv[n++] = "-o";
	argv[n++] = s->t.policy == HOSTKEY_ACCEPT_NEW ? "StrictHostKeyChecking=accept-new" :
	    "StrictHostKeyChecking=yes";
	argv[n++] = "-o";
	argv[n++] = owned[nowned++] = xasprintf("UserKnownHostsFile=%s", s->t.known_hosts);
	if (s->t.known_hosts_explicit) {
		argv[n++] = "-o";
		argv[n++] = "GlobalKnownHostsFile=/dev/null";
	}
	argv[n++] = "-o";
	argv[n++] = owned[nowned++] = xasprintf("ConnectTimeout=%d",
	    (int)OD_MAX(1, s->t.timeout_ms / 1000));
	argv[n++] = "-o";
	argv[n++] = "PasswordAuthentication=no";
	argv[n++] = "-o";
	argv[n++] = "KbdInteractiveAuthentication=no";
	for (size_t i = 0; i < s->t.nidentity && i < 4; i++) {
		struct stat sb;
		if (stat(s->t.identity[i], &sb) != 0)
			continue;
		argv[n++] = "-i";
		argv[n++] = s->t.identity[i];
	}
	if (via != NULL) {
		argv[n++] = "-J";
		argv[n++] = via;
	}
	argv[n++] = "--";
	/* user@host:port is given as an ssh:// URI */
	argv[n++] = owned[nowned++] = strchr(dest, ':') != NULL && strchr(dest, '[') == NULL &&
	    strchr(strchr(dest, ':') + 1, ':') == NULL ? xasprintf("ssh://%s", dest) :
	    xstrdup(dest);
	argv[n] = NULL;

	const int stdio[3] = { sv[1], sv[1], ep[1] };
	pid_t pid;
	char *why = NULL;
	int rc = spawn_start("ssh", (char *const *)argv, 1, stdio, &pid, &why);
	close(sv[1]);
	close(ep[1]);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(jumps);
	if (rc != 0) {
		close(sv[0]);
		close(ep[0]);
		*state = HOST_DOWN;
		*cause = xasprintf("%s (for ProxyJump %s)", why, s->t.proxyjump);
		free(why);
		return -1;
	}
	s->proxy_pid = pid;
	s->proxy_err = ep[0];
	fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
	s->fd = sv[0];
	tune_socket(s->fd, 0);
	return 0;
}

int
ssh_stream_connect(struct ssh_stream *s, int abort_fd, enum host_state *state, char **cause)
{
	struct addrinfo hints, *res = NULL;
	char port[16];

	s->start_mono = now_mono_ms();
	if (s->t.proxyjump != NULL)
		return proxy_start(s, state, cause);

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(port, sizeof port, "%d", s->t.port);
	int g = getaddrinfo(s->t.hostname, port, &hints, &res);
	if (g != 0) {
		*state = HOST_DOWN;
		*cause = xasprintf("cannot resolve %s: %s", s->t.hostname,
		    g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
		return -1;
	}
	int err = 0, timed_out = 0;
	for (struct addrinfo *ai = res; ai != NULL && !timed_out; ai = ai->ai_next) {
		int fd = connect_one(s, ai, abort_fd, &err, &timed_out);
		if (fd >= 0) {
			freeaddrinfo(res);
			s->fd = fd;
			tune_socket(fd, 1);
			return 0;
		}
		if (err == ECANCELED)
			break;
	}
	freeaddrinfo(res);
	if (timed_out) {
		char d[32];
		duration_format(s->t.timeout_ms, d, sizeof d);
		*state = HOST_TIMEOUT;
		*cause = xasprintf("connect to %s port %d timed out after %s", s->t.hostname,
		    s->t.port, d);
	} else if (err == ECONNREFUSED) {
		*state = HOST_DOWN;
		*cause = xasprintf("connection refused by %s port %d", s->t.hostname, s->t.port);
	} else if (err == ECANCELED) {
		*state = HOST_DOWN;
		*cause = xstrdup("connect cancelled");
	} else {
		*state = HOST_DOWN;
		*cause = xasprintf("cannot connect to %s port %d: %s", s->t.hostname, s->t.port,
		    strerror(err));
	}
	return -1;
}

/* "ssh-ed25519 SHA256:..." of the server's key; malloc'd. */
static char *
server_key_desc(ssh_session ss)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *r;

	if (ssh_get_server_publickey(ss, &key) != SSH_OK)
		return xstrdup("(no key)");
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
		ssh_key_free(key);
		return xstrdup("(no fingerprint)");
	}
	char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	const char *type = ssh_key_type_to_char(ssh_key_type(key));
	r = xasprintf("%s %s", type != NULL ? type : "key", fp != NULL ? fp : "?");
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return r;
}

/*
 * The ProxyJump ssh failed: its last stderr line says why (it exits at once
 * on a refused host key or login). 0 with *state and *cause set when it said
 * something, else -1.
 */
static int
proxy_failure(struct ssh_stream *s, enum host_state *state, char **cause)
{
	char b[4096];
	size_t n = 0;
	int64_t until = now_mono_ms() + 500;

	if (s->proxy_err < 0)
		return -1;
	for (;;) {
		ssize_t r = read(s->proxy_err, b + n, sizeof b - 1 - n);
		if (r > 0) {
			n += (size_t)r;
			if (n == sizeof b - 1)
				break;
			continue;
		}
		if (r == 0 || now_mono_ms() >= until)
			break;
		struct pollfd p = { .fd = s->proxy_err, .events = POLLIN };
		poll(&p, 1, 50);
	}
	b[n] = '\0';
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		b[--n] = '\0';
	if (n == 0)
		return -1;
	char *line = strrchr(b, '\n');
	line = line != NULL ? line + 1 : b;
	if (strstr(b, "IDENTIFICATION HAS CHANGED") != NULL)
		*state = HOST_HOSTKEY_CHANGED;
	else if (strstr(b, "host key is known") != NULL ||
	    strstr(b, "Host key verification failed") != NULL)
		*state = HOST_HOSTKEY_UNKNOWN;
	else if (strstr(b, "Permission denied") != NULL)
		*state = HOST_AUTH_FAILED;
	else
		*state = HOST_DOWN;
	const char *why = line;
	if (*state == HOST_HOSTKEY_UNKNOWN) {
		char *k = strstr(b, "No ");
		if (k != NULL && strstr(k, "host key is known") != NULL) {
			char *e = strchr(k, '\n');
			if (e != NULL)
				*e = '\0';
			why = k;
		}
	}
	char *w = xstrdup(why);
	for (char *q = w; *q != '\0'; q++)
		if (*q == '\r')
			*q = ' ';
	size_t wl = strlen(w);
	while (wl > 0 && w[wl - 1] == ' ')
		w[--wl] = '\0';
	*cause = xasprintf("ProxyJump %s: %s", s->t.proxyjump, w);
	free(w);
	return 0;
}

/*
 * Error after a blocking libssh call during `what`: timeout when the deadline
 * passed, else down, unless the ProxyJump ssh said what went wrong.
 */
static int
fail_ssh(struct ssh_stream *s, const char *what, enum host_state *state, char **cause)
{
	if (proxy_failure(s, state, cause) == 0)
		return -1;
	if (remaining_ms(s) <= 0) {
		char d[32];
		duration_format(s->t.timeout_ms, d, sizeof d);
		*state = HOST_TIMEOUT;
		*cause = xasprintf("%s timed out after %s", what, d);
	} else {
		const char *e = ssh_get_error(s->session);
		*state = HOST_DOWN;
		*cause = xasprintf("connection lost during %s: %s", what,
		    e != NULL && *e ? e : "unknown error");
	}
	return -1;
}

/* Sets the blocking timeout to what is left of the deadline (at least 1 ms). */
static void
set_timeout(struct ssh_stream *s)
{
	int64_t left = OD_MAX(remaining_ms(s), 1);
	long sec = (long)(left / 1000), usec = (long)(left % 1000) * 1000;
	ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

/*
 * The fast path (known_hosts.h): 1 when the known_hosts file's index has
 * exactly the offered key for this host's name; else libssh decides, which
 * reads the whole file at every connection.
 */
static int
server_key_indexed(struct ssh_stream *s)
{
	ssh_key key = NULL;
	char *b64 = NULL;
	int ok = 0;

	if (ssh_get_server_publickey(s->session, &key) != SSH_OK)
		return 0;
	const char *type = ssh_key_type_to_char(ssh_key_type(key));
	if (type != NULL && ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK) {
		char *name = s->t.port == 22 ? xstrdup(s->t.hostname) :
		    xasprintf("[%s]:%d", s->t.hostname, s->t.port);
		ok = known_hosts_has(s->t.known_hosts, name, type, b64);
		free(name);
	}
	ssh_string_free_char(b64);
	ssh_key_free(key);
	return ok;
}

/*
 * libssh orders the host-key algorithms by the types known_hosts holds for
 * the host, reading the whole file at every connection (10,000 hosts:
 * 10^8 lines). When the index knows the host: offer its types first, then
 * the rest (so that a changed key type still shows as a changed key), and
 * let the key exchange read an empty file; check_host_key puts the real
 * file back for libssh whenever the index does not vouch for the key.
 */
static void
offer_known_types(struct ssh_stream *s)
{
	static const char rest[] = "ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,"
	    "ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256";
	char *name = s->t.port == 22 ? xstrdup(s->t.hostname) :
	    xasprintf("[%s]:%d", s->t.hostname, s->t.port);
	char *types = known_hosts_types(s->t.known_hosts, name);

	free(name);
	if (types == NULL)
		return;
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, ",");
	char *save = NULL, *all = xasprintf("%s,%s", types, rest);
	for (char *t = strtok_r(all, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		const char *alg = strcmp(t, "ssh-rsa") == 0 ? "rsa-sha2-512,rsa-sha2-256" : t;
		char *item = xasprintf(",%s,", alg);
		if (strstr(buf_cstr(&b), item) == NULL)
			buf_printf(&b, "%s,", alg);
		free(item);
	}
	free(all);
	/* Without the commas around the list. */
	char *list = xasprintf("%.*s", (int)strlen(buf_cstr(&b)) - 2, buf_cstr(&b) + 1);
	/* An algorithm this libssh lacks makes the option fail: then its own order. */
	if (ssh_options_set(s->session, SSH_OPTIONS_HOSTKEYS, list) == SSH_OK)
		ssh_options_set(s->session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	free(list);
	buf_free(&b);
	free(types);
}

/* Applies the host-key policy. 0 when the key is trusted. */
static int
check_host_key(struct ssh_stream *s, enum host_state *state, char **cause)
{
	if (server_key_indexed(s))
		return 0;
	ssh_options_set(s->session, SSH_OPTIONS_KNOWNHOSTS, s->t.known_hosts);
	enum ssh_known_hosts_e k = ssh_session_is_known_server(s->session);
	const char *kh = s->t.known_hosts;

	switch (k) {
	case SSH_KNOWN_HOSTS_OK:
		return 0;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER: {
		char *d = server_key_desc(s->session);
		char *name = s->t.port == 22 ? xstrdup(s->t.hostname) :
		    xasprintf("[%s]:%d", s->t.hostname, s->t.port);
		*state = HOST_HOSTKEY_CHANGED;
		*cause = xasprintf("host key changed: offered %s, not the key in %s; refused "
		    "(if expected: ssh-keygen -R '%s'%s%s)", d, kh, name,
		    s->t.known_hosts_explicit ? " -f " : "", s->t.known_hosts_explicit ? kh : "");
		free(name);
		free(d);
		return -1;
	}
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (s->t.policy == HOSTKEY_ACCEPT_NEW) {
			pthread_mutex_lock(&known_hosts_lock);
			/* Another thread may have recorded a key for this name meanwhile. */
			enum ssh_known_hosts_e again = ssh_session_is_known_server(s->session);
			int rc = 0;
			if (again == SSH_KNOWN_HOSTS_UNKNOWN || again == SSH_KNOWN_HOSTS_NOT_FOUND)
				rc = ssh_session_update_known_hosts(s->session);
			pthread_mutex_unlock(&known_hosts_lock);
			if (again == SSH_KNOWN_HOSTS_OK)
				return 0;
			if (again == SSH_KNOWN_HOSTS_CHANGED || again == SSH_KNOWN_HOSTS_OTHER)
				return check_host_key(s, state, cause);
			if (rc != SSH_OK) {
				*state = HOST_DOWN;
				*cause = xasprintf("cannot record the host key in %s: %s", kh,
				    ssh_get_error(s->session));
				return -1;
			}
			return 0;
		} else {
			char *d = server_key_desc(s->session);
			*state = HOST_HOSTKEY_UNKNOWN;
			*cause = xasprintf("unknown host key %s, not in %s; refused by policy "
			    "strict (verify it, then add it or use host_key_policy: accept-new)",
			    d, kh);
			free(d);
			return -1;
		}
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		*state = HOST_DOWN;
		*cause = xasprintf("cannot check the host key against %s: %s", kh,
		    ssh_get_error(s->session));
		return -1;
	}
}

/*
 * libssh's passphrase callback: always refuse. Without one, an encrypted PEM
 * key would make OpenSSL prompt on the terminal (the console's terminal).
 */
static int
no_passphrase(const char *prompt, char *buf, size_t len, int echo, int verify,
    void *userdata)
{
	(void)prompt;
	(void)echo;
	(void)verify;
	(void)userdata;
	if (len > 0)
		buf[0] = '\0';
	return -1;
}

/* Agent, then each key file. Never prompts. */
static int
authenticate(struct ssh_stream *s, enum host_state *state, char **cause)
{
	struct buf tried;
	int rc;

	buf_init(&tried, 2048);
	const char *sock = getenv("SSH_AUTH_SOCK");
	if (sock != NULL && *sock != '\0') {
		set_timeout(s);
		rc = ssh_userauth_agent(s->session, NULL);
		if (rc == SSH_AUTH_SUCCESS)
			goto ok;
		if (rc == SSH_AUTH_ERROR && !ssh_is_connected(s->session)) {
			buf_free(&tried);
			return fail_ssh(s, "authentication", state, cause);
		}
		buf_printf(&tried, "agent");
	}
	for (size_t i = 0; i < s->t.nidentity; i++) {
		const char *path = s->t.identity[i];
		struct stat sb;
		ssh_key key = NULL;
		if (stat(path, &sb) != 0)
			continue;
		buf_printf(&tried, "%s%s", tried.len ? ", " : "", path);
		if (ssh_pki_import_privkey_file(path, NULL, no_passphrase, NULL, &key) != SSH_OK) {
			buf_printf(&tried, " (unreadable or has a passphrase)");
			continue;
		}
		set_timeout(s);
		rc = ssh_userauth_publickey(s->session, NULL, key);
		ssh_key_free(key);
		if (rc == SSH_AUTH_SUCCESS)
			goto ok;
		if (rc == SSH_AUTH_ERROR) {
			buf_free(&tried);
			return fail_ssh(s, "authentication", state, cause);
		}
	}
	*state = HOST_AUTH_FAILED;
	*cause = xasprintf("authentication failed: no usable key (tried %s); "
	    "add a key to the agent or set identity",
	    tried.len ? buf_cstr(&tried) : "no agent and no key file");
	buf_free(&tried);
	return -1;
ok:
	buf_free(&tried);
	return 0;
}

int
ssh_stream_start(struct ssh_stream *s, const char *command, enum host_state *state,
    char **cause)
{
	int no = 0, yes = 1, verbosity = SSH_LOG_NOLOG;

	s->session = ssh_new();
	if (s->session == NULL)
		fatal("ssh_new: out of memory");
	ssh_options_set(s->session, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(s->session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	ssh_options_set(s->session, SSH_OPTIONS_HOST, s->t.hostname);
	ssh_options_set(s->session, SSH_OPTIONS_PORT, &s->t.port);
	ssh_options_set(s->session, SSH_OPTIONS_USER, s->t.user);
	ssh_options_set(s->session, SSH_OPTIONS_KNOWNHOSTS, s->t.known_hosts);
	if (s->t.known_hosts_explicit)
		ssh_options_set(s->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	ssh_options_set(s->session, SSH_OPTIONS_STRICTHOSTKEYCHECK, &yes);
	offer_known_types(s);
	ssh_options_set(s->session, SSH_OPTIONS_NODELAY, &yes);
	ssh_options_set(s->session, SSH_OPTIONS_PASSWORD_AUTH, &no);
	ssh_options_set(s->session, SSH_OPTIONS_KBDINT_AUTH, &no);
	ssh_options_set(s->session, SSH_OPTIONS_GSSAPI_AUTH, &no);
	ssh_options_set(s->session, SSH_OPTIONS_FD, &s->fd);
	set_timeout(s);

	s->libssh_owns_fd = 1;	/* ssh_connect adopts it; ssh_disconnect closes it */
	if (ssh_connect(s->session) != SSH_OK)
		return fail_ssh(s, "key exchange", state, cause);
	if (check_host_key(s, state, cause) != 0)
		return -1;
	if (authenticate(s, state, cause) != 0)
		return -1;

	set_timeout(s);
	s->channel = ssh_channel_new(s->session);
	if (s->channel == NULL || ssh_channel_open_session(s->channel) != SSH_OK)
		return fail_ssh(s, "opening a channel", state, cause);
	set_timeout(s);
	if (ssh_channel_request_exec(s->channel, command) != SSH_OK)
		return fail_ssh(s, "starting the report loop", state, cause);
	ssh_set_blocking(s->session, 0);
	return 0;
}

ssize_t
ssh_stream_read(struct ssh_stream *s, char *buf, size_t len, char **cause)
{
	char junk[4096];
	int n;

	/*
	 * libssh takes at most 4 KiB from the socket per call and answers 0
	 * while a packet is incomplete, so "0" alone does not mean the socket
	 * is drained: look again while it still has input (bounded). Each of
	 * its reads with an empty buffer costs a poll(2): stdout first, and
	 * stderr (dropped, but read so that the window stays open) only at
	 * the end of every 8th burst; the script writes little there, and a
	 * host that floods it stalls only itself.
	 */
	for (int round = 0; round < 64; round++) {
		n = ssh_channel_read_nonblocking(s->channel, buf,
		    (uint32_t)OD_MIN(len, (size_t)UINT32_MAX), 0);
		if (n > 0)
			return n;
		if (n == SSH_ERROR || !ssh_is_connected(s->session)) {
			const char *e = ssh_get_error(s->session);
			*cause = xasprintf("connection lost: %s",
			    e != NULL && *e ? e : "socket closed");
			return -1;
		}
		if (n == SSH_EOF || ssh_channel_is_eof(s->channel) ||
		    ssh_channel_is_closed(s->channel)) {
			*cause = xstrdup("the report loop ended: channel closed by the host");
			return -1;
		}
		struct pollfd p = { .fd = ssh_get_fd(s->session), .events = POLLIN };
		if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
			break;
	}
	if (++s->quiet % 8 == 1) {
		while ((n = ssh_channel_read_nonblocking(s->channel, junk, sizeof junk, 1)) > 0)
			;
	}
	return 0;
}

void
ssh_stream_free(struct ssh_stream *s, int graceful)
{
	if (s == NULL)
		return;
	if (s->session != NULL) {
		/*
		 * No ssh_channel_close(): it waits for the peer. A disconnect
		 * makes sshd close the loop's pipes; the loop ends on its next
		 * write.
		 */
		if (graceful && ssh_is_connected(s->session))
			ssh_disconnect(s->session);
		else
			ssh_silent_disconnect(s->session);
		ssh_free(s->session);
	}
	if (!s->libssh_owns_fd && s->fd >= 0)
		close(s->fd);
	if (s->proxy_err >= 0)
		close(s->proxy_err);
	if (s->proxy_pid > 0) {
		kill(-s->proxy_pid, SIGTERM);
		while (waitpid(s->proxy_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	ssh_target_free(&s->t);
	free(s);
}
