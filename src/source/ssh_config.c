/*
 * ssh_config.c: what ~/.ssh/config says about a host, and the resolved
 * target of an SSH host (ssh.h): HostName, User, Port, IdentityFile and
 * ProxyJump with OpenSSH's first-match-wins, its patterns and its %%-tokens;
 * a ProxyJump chain becomes hops, each looked up in ~/.ssh/config in turn.
 * Pure text in, records out (the caller reads the file, capped); a hostile
 * config can make nothing explode (linear-time patterns, bounded lists).
 */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/buf.h"
#include "opsdeck/ssh.h"
#include "opsdeck/util.h"

/* ---- ssh_config -------------------------------------------------------- */

/*
 * Iterative glob with backtracking to the last '*' only: O(len(p) * len(s))
 * whatever the pattern, so a hostile config cannot make it explode.
 */
int
ssh_pattern_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star = p;
			resume = s;
			continue;
		}
		if (*p != '\0' && (*p == '?' ||
		    tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
			p++;
			s++;
			continue;
		}
		if (star == NULL)
			return 0;
		p = star;
		s = ++resume;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* A Host line's patterns (whitespace separated, '!' negates): 1 when host matches. */
static int
host_line_matches(char **words, size_t n, const char *host)
{
	int match = 0;
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		int neg = w[0] == '!';
		if (neg)
			w++;
		if (ssh_pattern_match(w, host)) {
			if (neg)
				return 0;
			match = 1;
		}
	}
	return match;
}

/*
 * Splits one line into words: whitespace separates, a first '=' may separate
 * the key, double quotes group. At most max words; '#' starts a comment.
 */
static size_t
split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p != '\0' && n < max) {
		while (*p == ' ' || *p == '\t' || (n == 1 && *p == '=' ) || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (*p == '"') {
			char *e = strchr(p + 1, '"');
			if (e == NULL)
				break;	/* unbalanced quote: ignore the rest */
			*e = '\0';
			words[n++] = p + 1;
			p = e + 1;
			continue;
		}
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    !(n == 1 && *p == '='))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* Expands ~ at the start and %d %u %h %r %% (OpenSSH's tokens). malloc'd. */
static char *
expand_tokens(const char *s, const char *home, const char *luser, const char *host,
    const char *ruser)
{
	struct buf b;
	buf_init(&b, 4096);
	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0')) {
		buf_append(&b, home, strlen(home));
		s++;
	}
	for (; *s != '\0'; s++) {
		if (*s != '%' || s[1] == '\0') {
			buf_append(&b, s, 1);
			continue;
		}
		const char *v = NULL;
		switch (*++s) {
		case 'd': v = home; break;
		case 'u': v = luser; break;
		case 'h': v = host; break;
		case 'r': v = ruser; break;
		case '%': v = "%"; break;
		default:
			buf_append(&b, s - 1, 2);
			continue;
		}
		buf_append(&b, v, strlen(v));
	}
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

void
ssh_config_lookup(const char *text, size_t len, const char *host, const char *home,
    const char *local_user, struct ssh_host_config *out)
{
	char *copy = xstrndup(text != NULL ? text : "", text != NULL ? len : 0);
	char *raw_ident[SSH_CONFIG_MAX_IDENTITIES];
	size_t nraw = 0;
	int active = 1;
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *w[64];
		size_t n = split_words(line, w, OD_ARRAY_LEN(w));
		if (n == 0)
			continue;
		if (strcasecmp(w[0], "Host") == 0) {
			active = host_line_matches(w + 1, n - 1, host);
			continue;
		}
		if (strcasecmp(w[0], "Match") == 0) {
			active = 0;	/* not supported: its settings never apply */
			continue;
		}
		if (!active || n < 2)
			continue;
		if (strcasecmp(w[0], "HostName") == 0 && out->hostname == NULL)
			out->hostname = expand_tokens(w[1], home, local_user, host, "");
		else if (strcasecmp(w[0], "User") == 0 && out->user == NULL)
			out->user = xstrdup(w[1]);
		else if (strcasecmp(w[0], "Port") == 0 && out->port == 0) {
			char *e;
			long p = strtol(w[1], &e, 10);
			if (*e == '\0' && p > 0 && p < 65536)
				out->port = (int)p;
		} else if (strcasecmp(w[0], "IdentityFile") == 0 &&
		    nraw < SSH_CONFIG_MAX_IDENTITIES)
			raw_ident[nraw++] = xstrdup(w[1]);
		else if (strcasecmp(w[0], "ProxyJump") == 0 && out->proxyjump == NULL)
			out->proxyjump = xstrdup(w[1]);
	}
	const char *rhost = out->hostname != NULL ? out->hostname : host;
	const char *ruser = out->user != NULL ? out->user : local_user;
	for (size_t i = 0; i < nraw; i++) {
		out->identity[out->nidentity++] = expand_tokens(raw_ident[i], home, local_user,
		    rhost, ruser);
		free(raw_ident[i]);
	}
	free(copy);
}

void
ssh_host_config_free(struct ssh_host_config *hc)
{
	free(hc->hostname);
	free(hc->user);
	for (size_t i = 0; i < hc->nidentity; i++)
		free(hc->identity[i]);
	free(hc->proxyjump);
	memset(hc, 0, sizeof *hc);
}

/* ---- targets ----------------------------------------------------------- */

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	if (h != NULL && *h != '\0')
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw != NULL && pw->pw_dir != NULL ? pw->pw_dir : "/";
}

static char *
local_user_name(void)
{
	struct passwd pw, *res = NULL;
	char b[1024];
	if (getpwuid_r(getuid(), &pw, b, sizeof b, &res) == 0 && res != NULL)
		return xstrdup(res->pw_name);
	const char *u = getenv("USER");
	return xstrdup(u != NULL ? u : "root");
}

/*
 * Splits one ProxyJump hop "[ssh://][USER@]HOST[:PORT]" ("[v6]:PORT" too)
 * into *user (NULL: none), *host and *port (0: none), malloc'd. -1 when it
 * is not a hop (empty host, a bad port, blanks or control characters).
 */
static int
hop_split(const char *spec, char **user, char **host, int *port)
{
	const char *s = spec, *at, *h, *e;
	size_t hl;

	*user = *host = NULL;
	*port = 0;
	if (strncmp(s, "ssh://", 6) == 0)
		s += 6;
	for (const char *q = s; *q != '\0'; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f || *q == '/')
			return -1;
	at = strrchr(s, '@');
	h = at != NULL ? at + 1 : s;
	if (*h == '[') {
		e = strchr(h, ']');
		if (e == NULL)
			return -1;
		hl = (size_t)(e - h - 1);
		h++;
		e++;
		if (*e != '\0' && *e != ':')
			return -1;
	} else {
		e = strchr(h, ':');
		if (e != NULL && strchr(e + 1, ':') != NULL)
			e = NULL;	/* a bare IPv6 address: no port */
		hl = e != NULL ? (size_t)(e - h) : strlen(h);
	}
	if (hl == 0 || hl > 255 || (at != NULL && at == s))
		return -1;
	if (e != NULL && *e == ':') {
		char *end;
		long p = strtol(e + 1, &end, 10);
		if (e[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
			return -1;
		*port = (int)p;
	}
	*host = xstrndup(h, hl);
	if (at != NULL)
		*user = xstrndup(s, (size_t)(at - s));
	return 0;
}

/* What a hop's resolution needs besides the chain. */
struct hop_ctx {
	const char		*cfg;
	size_t			 cfglen;
	const char		*home, *luser;
	const struct conn_settings *conn;
	struct ssh_target	*t;
};

/*
 * Appends the hops of chain (a ProxyJump value) to x->t, the first hop's own
 * ProxyJump first (depth counts the nesting). -1 with t->jump_error set when
 * a hop is malformed or the chain grows past SSH_MAX_HOPS.
 */
static int
hops_add(struct hop_ctx *x, const char *chain, int depth)
{
	static const char *const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
	char *copy = xstrdup(chain), *save = NULL;
	int first = 1, rc = 0;

	for (char *spec = strtok_r(copy, ",", &save); spec != NULL && rc == 0;
	    spec = strtok_r(NULL, ",", &save), first = 0) {
		struct ssh_host_config hc;
		char *user, *host;
		int port;

		if (hop_split(spec, &user, &host, &port) != 0) {
			x->t->jump_error = xasprintf("ProxyJump %s: '%s' is not [USER@]HOST[:PORT]",
			    x->t->proxyjump, spec);
			rc = -1;
			break;
		}
		memset(&hc, 0, sizeof hc);
		if (x->cfg != NULL)
			ssh_config_lookup(x->cfg, x->cfglen, host, x->home, x->luser, &hc);
		if (first && hc.proxyjump != NULL && strcasecmp(hc.proxyjump, "none") != 0) {
			if (depth >= SSH_MAX_HOPS)
				rc = -1;
			else
				rc = hops_add(x, hc.proxyjump, depth + 1);
		}
		if (rc == 0 && x->t->nhops >= SSH_MAX_HOPS)
			rc = -1;
		if (rc != 0) {
			if (x->t->jump_error == NULL)
				x->t->jump_error = xasprintf("ProxyJump %s: more than %d hops (a loop "
				    "in ~/.ssh/config?)", x->t->proxyjump, SSH_MAX_HOPS);
			free(user);
			free(host);
			ssh_host_config_free(&hc);
			break;
		}
		struct ssh_hop *hp = &x->t->hops[x->t->nhops++];
		memset(hp, 0, sizeof *hp);
		hp->hostname = xstrdup(hc.hostname != NULL ? hc.hostname : host);
		hp->user = xstrdup(user != NULL ? user : hc.user != NULL ? hc.user : x->luser);
		hp->port = port > 0 ? port : hc.port > 0 ? hc.port : 22;
		hp->label = hp->port != 22 ? xasprintf("%s:%d", host, hp->port) : xstrdup(host);
		for (size_t i = 0; i < hc.nidentity; i++)
			hp->identity[hp->nidentity++] = xstrdup(hc.identity[i]);
		if (x->conn->identity != NULL)
			hp->identity[hp->nidentity++] = xstrdup(x->conn->identity);
		if (hp->nidentity == 0)
			for (size_t i = 0; i < OD_ARRAY_LEN(defaults); i++)
				hp->identity[hp->nidentity++] = xasprintf("%s/.ssh/%s", x->home,
				    defaults[i]);
		free(user);
		free(host);
		ssh_host_config_free(&hc);
	}
	free(copy);
	return rc;
}

void
ssh_target_resolve(struct ssh_target *t, const char *name, const char *address,
    const struct conn_settings *conn, const char *ssh_config, size_t ssh_config_len,
    int64_t timeout_ms)
{
	struct ssh_host_config hc;
	const char *home = home_dir();
	char *luser = local_user_name();
	static const char *const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };

	memset(t, 0, sizeof *t);
	memset(&hc, 0, sizeof hc);
	if (ssh_config != NULL)
		ssh_config_lookup(ssh_config, ssh_config_len, name, home, luser, &hc);

	t->name = xstrdup(name);
	t->hostname = xstrdup(address != NULL ? address : hc.hostname != NULL ? hc.hostname :
	    name);
	t->user = xstrdup(conn->user != NULL ? conn->user : hc.user != NULL ? hc.user : luser);
	if (conn->port > 0 && conn->port != 22)
		t->port = conn->port;
	else
		t->port = hc.port > 0 ? hc.port : (conn->port > 0 ? conn->port : 22);
	if (conn->known_hosts != NULL) {
		t->known_hosts = xstrdup(conn->known_hosts);
		t->known_hosts_explicit = 1;
	} else
		t->known_hosts = xasprintf("%s/.ssh/known_hosts", home);
	t->policy = conn->hostkey_policy;
	if (conn->identity != NULL)
		t->identity[t->nidentity++] = xstrdup(conn->identity);
	for (size_t i = 0; i < hc.nidentity; i++)
		t->identity[t->nidentity++] = xstrdup(hc.identity[i]);
	if (conn->identity == NULL && hc.nidentity == 0)
		for (size_t i = 0; i < OD_ARRAY_LEN(defaults); i++)
			t->identity[t->nidentity++] = xasprintf("%s/.ssh/%s", home, defaults[i]);
	t->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	t->jump_channels = conn->jump_channels > 0 ? conn->jump_channels : SSH_JUMP_CHANNELS;
	if (hc.proxyjump != NULL && strcasecmp(hc.proxyjump, "none") != 0) {
		struct hop_ctx x = { ssh_config, ssh_config_len, home, luser, conn, t };
		t->proxyjump = xstrdup(hc.proxyjump);
		t->hops = xcalloc(SSH_MAX_HOPS, sizeof *t->hops);
		if (hops_add(&x, hc.proxyjump, 0) == 0 && t->nhops == 0)
			t->jump_error = xasprintf("ProxyJump %s: no hop in it", t->proxyjump);
		if (t->jump_error != NULL)
			ssh_hops_free(t);
	}
	ssh_host_config_free(&hc);
	free(luser);
}

void
ssh_target_free(struct ssh_target *t)
{
	free(t->name);
	free(t->hostname);
	free(t->user);
	free(t->known_hosts);
	for (size_t i = 0; i < t->nidentity; i++)
		free(t->identity[i]);
	free(t->proxyjump);
	free(t->jump_error);
	ssh_hops_free(t);
	memset(t, 0, sizeof *t);
}

/* See ssh.h. */
void
ssh_hops_free(struct ssh_target *t)
{
	for (size_t i = 0; i < t->nhops; i++) {
		struct ssh_hop *hp = &t->hops[i];
		free(hp->label);
		free(hp->hostname);
		free(hp->user);
		for (size_t j = 0; j < hp->nidentity; j++)
			free(hp->identity[j]);
	}
	free(t->hops);
	t->hops = NULL;
	t->nhops = 0;
}

/* See ssh.h. */
char *
ssh_host_address(const struct group *g, const struct host *h, const char *ssh_config,
    size_t ssh_config_len)
{
	struct ssh_target t;
	char *s;

	if (g->local)
		return xstrdup("local");
	ssh_target_resolve(&t, h->name, h->address, &g->conn, ssh_config, ssh_config_len, 0);
	if (t.port != 22)
		s = xasprintf("%s:%d", t.hostname, t.port);
	else
		s = xstrdup(t.hostname);
	ssh_target_free(&t);
	return s;
}

/* See ssh.h. */
char *
ssh_config_read_home(size_t *len)
{
	const char *home = getenv("HOME");
	char *path, *text = NULL, *cause = NULL;

	*len = 0;
	if (home == NULL || *home == '\0')
		return NULL;
	path = xasprintf("%s/.ssh/config", home);
	if (read_file(path, SSH_CONFIG_MAX_BYTES, &text, len, &cause) != 0) {
		free(cause);
		text = NULL;
		*len = 0;
	}
	free(path);
	return text;
}
