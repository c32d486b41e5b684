/*
 * action.c: the operator's actions as records, and the pure helpers that
 * put what an operator typed on a remote command line (action.h): quoting
 * for a POSIX shell, the charset of a Slurm node name, the rules of a
 * drain reason, the scontrol line itself.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "opsdeck/action.h"
#include "opsdeck/buf.h"
#include "opsdeck/unicode.h"
#include "opsdeck/util.h"

static const char *const kind_names[ACTION_KIND_COUNT] = {
	[ACTION_SSH] = "ssh", [ACTION_RUN] = "run", [ACTION_DRAIN] = "drain",
	[ACTION_RESUME] = "resume",
};

/* See action.h. */
const char *
action_kind_name(enum action_kind k)
{
	return (unsigned)k < ACTION_KIND_COUNT ? kind_names[k] : "?";
}

/* See action.h. */
int
action_kind_parse(const char *s)
{
	for (int k = 0; k < ACTION_KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* See action.h. */
void
action_record_copy(struct action_record *out, const struct action_record *r)
{
	*out = *r;
	out->hosts = NULL;
	if (r->nhosts > 0) {
		out->hosts = xcalloc(r->nhosts, sizeof *out->hosts);
		memcpy(out->hosts, r->hosts, r->nhosts * sizeof *out->hosts);
	}
}

/* See action.h. */
void
action_record_free(struct action_record *r)
{
	if (r == NULL)
		return;
	free(r->hosts);
	r->hosts = NULL;
	r->nhosts = 0;
}

/* See action.h. */
void
action_records_free(struct action_record *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		action_record_free(&v[i]);
	free(v);
}

/* See action.h: 62 random bits, never 0. */
int64_t
action_new_id(void)
{
	uint64_t v = 0;
	size_t got = 0;

	while (got < sizeof v) {
		ssize_t k = getrandom((char *)&v + got, sizeof v - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			fatal("action id: getrandom: %s", strerror(errno));
		got += (size_t)k;
	}
	v &= (UINT64_C(1) << 62) - 1;
	return v == 0 ? 1 : (int64_t)v;
}

/* See action.h. */
char *
action_sh_quote(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	buf_append_sh_quoted(&b, s);
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

/* See action.h. */
int
action_node_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ACTION_NODE_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* See action.h. */
int
action_reason_check(const char *s, char **cause)
{
	size_t n = strlen(s);

	if (n == 0) {
		*cause = xstrdup("a reason is needed (:drain REASON)");
		return -1;
	}
	if (n > ACTION_REASON_MAX) {
		*cause = xasprintf("the reason is %zu bytes, at most %d", n, ACTION_REASON_MAX);
		return -1;
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = unicode_decode(s + i, n - i, &cp);
		if (l == 0) {
			*cause = xasprintf("the reason is not valid UTF-8 (byte %zu)", i + 1);
			return -1;
		}
		if (unicode_unsafe(cp) || cp == '\t') {
			*cause = xasprintf("the reason holds a control character (U+%04X at byte "
			    "%zu)", (unsigned)cp, i + 1);
			return -1;
		}
		i += l;
	}
	return 0;
}

/* See action.h. */
char *
action_scontrol_command(const char *const *nodes, size_t n, int drain, const char *reason,
    char **cause)
{
	struct buf b;

	if (n == 0) {
		*cause = xstrdup("no node");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!action_node_name_ok(nodes[i])) {
			*cause = xasprintf("'%.64s' is not a Slurm node name ([A-Za-z0-9._-], at "
			    "most %d bytes)", nodes[i], ACTION_NODE_MAX);
			return NULL;
		}
	}
	if (drain && action_reason_check(reason, cause) != 0)
		return NULL;
	buf_init(&b, 0);
	buf_printf(&b, "scontrol update NodeName=");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", nodes[i]);
	if (drain) {
		char *q = action_sh_quote(reason);
		buf_printf(&b, " State=DRAIN Reason=%s", q);
		free(q);
	} else {
		buf_printf(&b, " State=RESUME");
	}
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}
