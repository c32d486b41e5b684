/*
 * action_ssh.c: OpenSSH's client for the console's `S` (action_run.h):
 * the ssh_config opsdeck writes for the session and the argv, both built
 * from the target opsdeck resolved for the host (ssh_target_resolve), so
 * the session has the collector's user, port, keys, ProxyJump chain,
 * host-key policy and known_hosts. `-F` keeps the user's own ssh_config
 * out, for the host and for every hop (OpenSSH passes -F to the ssh it
 * runs for -J), so that no StrictHostKeyChecking there weakens the policy.
 * Pure: strings in, strings out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opsdeck/action_run.h"
#include "opsdeck/buf.h"
#include "opsdeck/util.h"

/*
 * A path or name as an ssh_config value: '%' doubled (OpenSSH expands %
 * tokens in IdentityFile and UserKnownHostsFile), in double quotes. NULL
 * with *cause when it holds what a value cannot carry.
 */
static char *
cfg_value(const char *s, char **cause)
{
	struct buf b;

	if (strpbrk(s, "\"\n\r") != NULL || strstr(s, "${") != NULL) {
		*cause = xasprintf("'%s' cannot be passed to ssh (it holds '\"', '${' or a "
		    "line break)", s);
		return NULL;
	}
	buf_init(&b, 0);
	buf_append(&b, "\"", 1);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '%')
			buf_append(&b, "%%", 2);
		else
			buf_append(&b, p, 1);
	}
	buf_append(&b, "\"", 1);
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

static int
exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* See action_run.h. */
char *
action_ssh_config(const struct ssh_target *t, char **cause)
{
	struct buf b;
	char *v;

	buf_init(&b, 0);
	buf_printf(&b, "# written by opsdeck for one interactive session to %s\n", t->name);
	buf_printf(&b, "Host *\n");
	if ((v = cfg_value(t->known_hosts, cause)) == NULL)
		goto fail;
	buf_printf(&b, "\tUserKnownHostsFile %s\n", v);
	free(v);
	if (t->known_hosts_explicit)
		buf_printf(&b, "\tGlobalKnownHostsFile /dev/null\n");
	buf_printf(&b, "\tStrictHostKeyChecking %s\n",
	    t->policy == HOSTKEY_ACCEPT_NEW ? "accept-new" : "yes");
	for (size_t i = 0; i < t->nhops; i++) {
		const struct ssh_hop *h = &t->hops[i];
		buf_printf(&b, "Host opsdeck-hop-%zu\n", i + 1);
		if ((v = cfg_value(h->hostname, cause)) == NULL)
			goto fail;
		buf_printf(&b, "\tHostName %s\n", v);
		free(v);
		if ((v = cfg_value(h->user, cause)) == NULL)
			goto fail;
		buf_printf(&b, "\tUser %s\n\tPort %d\n", v, h->port);
		free(v);
		for (size_t k = 0; k < h->nidentity; k++) {
			if (!exists(h->identity[k]))
				continue;
			if ((v = cfg_value(h->identity[k], cause)) == NULL)
				goto fail;
			buf_printf(&b, "\tIdentityFile %s\n", v);
			free(v);
		}
	}
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
fail:
	buf_free(&b);
	return NULL;
}

/* Appends a copy of s to the argv being built. */
static void
push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* See action_run.h. */
char **
action_ssh_argv(const struct ssh_target *t, const char *cfg_path, char **cause)
{
	char **v = NULL, *q;
	size_t n = 0;

	push(&v, &n, xstrdup("ssh"));
	push(&v, &n, xstrdup("-F"));
	push(&v, &n, xstrdup(cfg_path));
	push(&v, &n, xstrdup("-l"));
	push(&v, &n, xstrdup(t->user));
	push(&v, &n, xstrdup("-p"));
	push(&v, &n, xasprintf("%d", t->port));
	for (size_t i = 0; i < t->nidentity; i++) {
		if (!exists(t->identity[i]))
			continue;
		if (strchr(t->identity[i], '%') != NULL || strstr(t->identity[i], "${")) {
			*cause = xasprintf("key file '%s' cannot be passed to ssh ('%%' or '${')",
			    t->identity[i]);
			action_argv_free(v);
			return NULL;
		}
		push(&v, &n, xstrdup("-i"));
		push(&v, &n, xstrdup(t->identity[i]));
	}
	if ((q = cfg_value(t->known_hosts, cause)) == NULL) {
		action_argv_free(v);
		return NULL;
	}
	push(&v, &n, xstrdup("-o"));
	push(&v, &n, xasprintf("UserKnownHostsFile=%s", q));
	free(q);
	push(&v, &n, xstrdup("-o"));
	push(&v, &n, xasprintf("StrictHostKeyChecking=%s",
	    t->policy == HOSTKEY_ACCEPT_NEW ? "accept-new" : "yes"));
	if (t->known_hosts_explicit) {
		push(&v, &n, xstrdup("-o"));
		push(&v, &n, xstrdup("GlobalKnownHostsFile=/dev/null"));
	}
	if (t->nhops > 0) {
		struct buf b;
		buf_init(&b, 0);
		for (size_t i = 0; i < t->nhops; i++)
			buf_printf(&b, "%sopsdeck-hop-%zu", i ? "," : "", i + 1);
		push(&v, &n, xstrdup("-J"));
		push(&v, &n, xstrdup(buf_cstr(&b)));
		buf_free(&b);
	}
	push(&v, &n, xstrdup("--"));
	push(&v, &n, xstrdup(t->hostname));
	return v;
}

/* See action_run.h. */
void
action_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}
