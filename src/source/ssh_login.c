/*
 * ssh_login.c: one SSH login under opsdeck's rules (ssh_int.h), for a host
 * (ssh.c) and for each ProxyJump hop (ssh_jump.c): our own TCP connect,
 * key exchange, host-key policy and public-key authentication, every step
 * bounded by the caller's deadline.
 *
 * libssh never reads an ssh_config here (SSH_OPTIONS_PROCESS_CONFIG off) and
 * never decides on host keys: we ask ssh_session_is_known_server() and apply
 * opsdeck's policy ourselves, so no StrictHostKeyChecking or
 * UserKnownHostsFile in a user's config can weaken it, for a host or a hop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "known_hosts.h"
#include "ssh_int.h"
#include "opsdeck/buf.h"

/* ssh_session_update_known_hosts() appends without locking: one writer at a time. */
static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

char *
ssh_peer_msg(const struct ssh_peer *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->label == NULL)
		return m;
	char *r = xasprintf("%s: %s", p->label, m);
	free(m);
	return r;
}

static int64_t
left_ms(const struct ssh_peer *p)
{
	return p->deadline - now_mono_ms();
}

/* The known_hosts name of p: "host", or "[host]:port" off port 22. malloc'd. */
static char *
known_name(const struct ssh_peer *p)
{
	return p->port == 22 ? xstrdup(p->hostname) : xasprintf("[%s]:%d", p->hostname, p->port);
}

static void
tune_socket(int fd)
{
	int one = 1, idle = 30, intvl = 10, cnt = 3;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

/* Non-blocking connect to one address, bounded by the deadline and abort_fd. */
static int
connect_one(const struct ssh_peer *pe, const struct addrinfo *ai, int abort_fd, int *err,
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
		int64_t left = left_ms(pe);
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

int
ssh_tcp_connect(const struct ssh_peer *p, int abort_fd, int *fd, enum host_state *state,
    char **cause)
{
	struct addrinfo hints, *res = NULL;
	char port[16];

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(port, sizeof port, "%d", p->port);
	int g = getaddrinfo(p->hostname, port, &hints, &res);
	if (g != 0) {
		*state = HOST_DOWN;
		*cause = ssh_peer_msg(p, "cannot resolve %s: %s", p->hostname,
		    g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
		return -1;
	}
	int err = 0, timed_out = 0;
	for (struct addrinfo *ai = res; ai != NULL && !timed_out; ai = ai->ai_next) {
		int s = connect_one(p, ai, abort_fd, &err, &timed_out);
		if (s >= 0) {
			freeaddrinfo(res);
			tune_socket(s);
			*fd = s;
			return 0;
		}
		if (err == ECANCELED)
			break;
	}
	freeaddrinfo(res);
	*state = HOST_DOWN;
	if (timed_out) {
		char d[32];
		duration_format(p->timeout_ms, d, sizeof d);
		*state = HOST_TIMEOUT;
		*cause = ssh_peer_msg(p, "connect to %s port %d timed out after %s", p->hostname,
		    p->port, d);
	} else if (err == ECONNREFUSED)
		*cause = ssh_peer_msg(p, "connection refused by %s port %d", p->hostname, p->port);
	else if (err == ECANCELED)
		*cause = ssh_peer_msg(p, "connect cancelled");
	else
		*cause = ssh_peer_msg(p, "cannot connect to %s port %d: %s", p->hostname, p->port,
		    strerror(err));
	return -1;
}

char *
ssh_server_key_desc(ssh_session ss)
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

int
ssh_fail(ssh_session ss, const struct ssh_peer *p, const char *what, enum host_state *state,
    char **cause)
{
	if (left_ms(p) <= 0) {
		char d[32];
		duration_format(p->timeout_ms, d, sizeof d);
		*state = HOST_TIMEOUT;
		*cause = ssh_peer_msg(p, "%s timed out after %s", what, d);
	} else {
		const char *e = ssh_get_error(ss);
		*state = HOST_DOWN;
		*cause = ssh_peer_msg(p, "connection lost during %s: %s", what,
		    e != NULL && *e ? e : "unknown error");
	}
	return -1;
}

void
ssh_set_deadline(ssh_session ss, int64_t deadline)
{
	int64_t left = OD_MAX(deadline - now_mono_ms(), 1);
	long sec = (long)(left / 1000), usec = (long)(left % 1000) * 1000;
	ssh_options_set(ss, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(ss, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

/*
 * The fast path (known_hosts.h): 1 when the known_hosts file's index has
 * exactly the offered key for this peer's name; else libssh decides, which
 * reads the whole file at every connection.
 */
static int
server_key_indexed(ssh_session ss, const struct ssh_peer *p)
{
	ssh_key key = NULL;
	char *b64 = NULL;
	int ok = 0;

	if (ssh_get_server_publickey(ss, &key) != SSH_OK)
		return 0;
	const char *type = ssh_key_type_to_char(ssh_key_type(key));
	if (type != NULL && ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK) {
		char *name = known_name(p);
		ok = known_hosts_has(p->known_hosts, name, type, b64);
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
offer_known_types(ssh_session ss, const struct ssh_peer *p)
{
	static const char rest[] = "ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,"
	    "ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256";
	char *name = known_name(p);
	char *types = known_hosts_types(p->known_hosts, name);

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
	if (ssh_options_set(ss, SSH_OPTIONS_HOSTKEYS, list) == SSH_OK)
		ssh_options_set(ss, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	free(list);
	buf_free(&b);
	free(types);
}

/* Applies the host-key policy. 0 when the key is trusted. */
static int
check_host_key(ssh_session ss, const struct ssh_peer *p, enum host_state *state, char **cause)
{
	if (server_key_indexed(ss, p))
		return 0;
	ssh_options_set(ss, SSH_OPTIONS_KNOWNHOSTS, p->known_hosts);
	enum ssh_known_hosts_e k = ssh_session_is_known_server(ss);
	const char *kh = p->known_hosts;

	switch (k) {
	case SSH_KNOWN_HOSTS_OK:
		return 0;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER: {
		char *d = ssh_server_key_desc(ss);
		char *name = known_name(p);
		*state = HOST_HOSTKEY_CHANGED;
		*cause = ssh_peer_msg(p, "host key changed: offered %s, not the key in %s; "
		    "refused (if expected: ssh-keygen -R '%s'%s%s)", d, kh, name,
		    p->known_hosts_explicit ? " -f " : "", p->known_hosts_explicit ? kh : "");
		free(name);
		free(d);
		return -1;
	}
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (p->policy == HOSTKEY_ACCEPT_NEW) {
			pthread_mutex_lock(&known_hosts_lock);
			/* Another thread may have recorded a key for this name meanwhile. */
			enum ssh_known_hosts_e again = ssh_session_is_known_server(ss);
			int rc = 0;
			if (again == SSH_KNOWN_HOSTS_UNKNOWN || again == SSH_KNOWN_HOSTS_NOT_FOUND)
				rc = ssh_session_update_known_hosts(ss);
			pthread_mutex_unlock(&known_hosts_lock);
			if (again == SSH_KNOWN_HOSTS_OK)
				return 0;
			if (again == SSH_KNOWN_HOSTS_CHANGED || again == SSH_KNOWN_HOSTS_OTHER)
				return check_host_key(ss, p, state, cause);
			if (rc != SSH_OK) {
				*state = HOST_DOWN;
				*cause = ssh_peer_msg(p, "cannot record the host key in %s: %s", kh,
				    ssh_get_error(ss));
				return -1;
			}
			return 0;
		} else {
			char *d = ssh_server_key_desc(ss);
			*state = HOST_HOSTKEY_UNKNOWN;
			*cause = ssh_peer_msg(p, "unknown host key %s, not in %s; refused by "
			    "policy strict (verify it, then add it or use host_key_policy: "
			    "accept-new)", d, kh);
			free(d);
			return -1;
		}
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		*state = HOST_DOWN;
		*cause = ssh_peer_msg(p, "cannot check the host key against %s: %s", kh,
		    ssh_get_error(ss));
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
authenticate(ssh_session ss, const struct ssh_peer *p, enum host_state *state, char **cause)
{
	struct buf tried;
	int rc;

	buf_init(&tried, 2048);
	const char *sock = getenv("SSH_AUTH_SOCK");
	if (sock != NULL && *sock != '\0') {
		ssh_set_deadline(ss, p->deadline);
		rc = ssh_userauth_agent(ss, NULL);
		if (rc == SSH_AUTH_SUCCESS)
			goto ok;
		if (rc == SSH_AUTH_ERROR && !ssh_is_connected(ss)) {
			buf_free(&tried);
			return ssh_fail(ss, p, "authentication", state, cause);
		}
		buf_printf(&tried, "agent");
	}
	for (size_t i = 0; i < p->nidentity; i++) {
		const char *path = p->identity[i];
		struct stat sb;
		ssh_key key = NULL;
		if (stat(path, &sb) != 0)
			continue;
		buf_printf(&tried, "%s%s", tried.len ? ", " : "", path);
		if (ssh_pki_import_privkey_file(path, NULL, no_passphrase, NULL, &key) != SSH_OK) {
			buf_printf(&tried, " (unreadable or has a passphrase)");
			continue;
		}
		ssh_set_deadline(ss, p->deadline);
		rc = ssh_userauth_publickey(ss, NULL, key);
		ssh_key_free(key);
		if (rc == SSH_AUTH_SUCCESS)
			goto ok;
		if (rc == SSH_AUTH_ERROR) {
			buf_free(&tried);
			return ssh_fail(ss, p, "authentication", state, cause);
		}
	}
	*state = HOST_AUTH_FAILED;
	*cause = ssh_peer_msg(p, "authentication failed: no usable key (tried %s); "
	    "add a key to the agent or set identity",
	    tried.len ? buf_cstr(&tried) : "no agent and no key file");
	buf_free(&tried);
	return -1;
ok:
	buf_free(&tried);
	return 0;
}

/*
 * The ciphers offered, best first; NULL: libssh's own order (chacha20-poly1305
 * first). Where the CPU has AES and carry-less multiply instructions, OpenSSL
 * runs AES-GCM in hardware: at 1,000 hosts the collector's libcrypto time fell
 * from 11 % of its CPU to 6 % (docs/PERFORMANCE.md); both are AEAD ciphers
 * OpenSSH offers by default. Without those instructions chacha20-poly1305 is
 * the faster one, and the constant-time one.
 */
static const char *
cipher_order(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
	if (__builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul"))
		return "aes128-gcm@openssh.com,aes256-gcm@openssh.com,"
		    "chacha20-poly1305@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr";
#endif
	return NULL;
}

int
ssh_login(const struct ssh_peer *p, int fd, ssh_session *out, enum host_state *state,
    char **cause)
{
	const char *ciphers = cipher_order();
	int no = 0, yes = 1, verbosity = SSH_LOG_NOLOG;
	ssh_session ss = ssh_new();

	if (ss == NULL)
		fatal("ssh_new: out of memory");
	*out = ss;
	ssh_options_set(ss, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(ss, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	ssh_options_set(ss, SSH_OPTIONS_HOST, p->hostname);
	ssh_options_set(ss, SSH_OPTIONS_PORT, &p->port);
	ssh_options_set(ss, SSH_OPTIONS_USER, p->user);
	ssh_options_set(ss, SSH_OPTIONS_KNOWNHOSTS, p->known_hosts);
	if (p->known_hosts_explicit)
		ssh_options_set(ss, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	ssh_options_set(ss, SSH_OPTIONS_STRICTHOSTKEYCHECK, &yes);
	offer_known_types(ss, p);
	ssh_options_set(ss, SSH_OPTIONS_NODELAY, &yes);
	ssh_options_set(ss, SSH_OPTIONS_PASSWORD_AUTH, &no);
	ssh_options_set(ss, SSH_OPTIONS_KBDINT_AUTH, &no);
	ssh_options_set(ss, SSH_OPTIONS_GSSAPI_AUTH, &no);
	/* A list this libssh cannot take leaves its own order. */
	if (ciphers != NULL) {
		ssh_options_set(ss, SSH_OPTIONS_CIPHERS_C_S, ciphers);
		ssh_options_set(ss, SSH_OPTIONS_CIPHERS_S_C, ciphers);
	}
	ssh_options_set(ss, SSH_OPTIONS_FD, &fd);
	ssh_set_deadline(ss, p->deadline);

	/* ssh_connect adopts fd; ssh_login_end closes it. */
	int rc = ssh_connect(ss) != SSH_OK ? ssh_fail(ss, p, "key exchange", state, cause) : 0;
	if (rc == 0)
		rc = check_host_key(ss, p, state, cause);
	if (rc == 0)
		rc = authenticate(ss, p, state, cause);
	return rc;
}

/* See ssh_int.h. */
void
ssh_login_end(ssh_session ss, int graceful)
{
	if (ss == NULL)
		return;
	int fd = ssh_get_fd(ss);
	struct stat was, now;
	int known = fd >= 0 && fstat(fd, &was) == 0;

	if (graceful && ssh_is_connected(ss))
		ssh_disconnect(ss);
	else
		ssh_silent_disconnect(ss);
	/* still that socket (not a number another thread has since reused) */
	if (known && fstat(fd, &now) == 0 && now.st_dev == was.st_dev && now.st_ino == was.st_ino)
		close(fd);
	ssh_free(ss);
}
