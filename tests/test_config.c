/*
 * test_config.c: the YAML configuration (src/config/config.c): valid files, the
 * built-in default, config_find(), one test per error class with the exact
 * FILE:LINE:COL: message, and hostile input (size, depth, garbage).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/metrics.h"
#include "opsdeck/util.h"

/* ---- helpers ------------------------------------------------------------ */

static char *
fixture(const char *name)
{
	const char *dir = getenv("FIXTURES");
	if (dir != NULL)
		return xasprintf("%s/config/%s", dir, name);
	const char *top = getenv("top_srcdir");
	return xasprintf("%s/tests/fixtures/config/%s", top != NULL ? top : "..", name);
}

/* "FILE:LINE:COL: msg" (or "FILE: msg") of entry i, as diag_print writes it. */
static char *
entry(const struct diag *d, size_t i)
{
	const struct diag_entry *e = &d->v[i];
	if (e->line > 0)
		return xasprintf("%s:%d:%d: %s", d->file, e->line, e->col, e->msg);
	return xasprintf("%s: %s", d->file, e->msg);
}

/*
 * Checks that d holds exactly the NULL-terminated list of formatted errors,
 * in that order. Prints every entry when they differ.
 */
static void
assert_diag(const struct diag *d, const char *const *want)
{
	size_t n = 0;
	while (want[n] != NULL)
		n++;
	int same = d->n == n && d->dropped == 0;
	for (size_t i = 0; same && i < n; i++) {
		char *s = entry(d, i);
		same = strcmp(s, want[i]) == 0;
		free(s);
	}
	if (!same) {
		for (size_t i = 0; i < d->n; i++) {
			char *s = entry(d, i);
			print_message("# got:  %s\n", s);
			free(s);
		}
		for (size_t i = 0; i < n; i++)
			print_message("# want: %s\n", want[i]);
	}
	assert_true(same);
}

/* Parses text as "t.yaml"; it must fail with exactly the errors want. */
static void
parse_err_v(const char *text, const char *const *want)
{
	struct diag d;
	diag_init(&d, "t.yaml");
	struct config *c = config_parse("t.yaml", text, strlen(text), &d);
	assert_null(c);
	assert_diag(&d, want);
	diag_free(&d);
}

#define parse_err(text, ...) do {					\
	const char *const want_[] = { __VA_ARGS__, NULL };		\
	parse_err_v(text, want_);					\
} while (0)

static struct config *
parse_ok(const char *text)
{
	struct diag d;
	diag_init(&d, "t.yaml");
	struct config *c = config_parse("t.yaml", text, strlen(text), &d);
	if (c == NULL)
		assert_diag(&d, (const char *const[]){ NULL });
	assert_non_null(c);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	return c;
}

static char *
make_tmpdir(void)
{
	char tmpl[] = "/tmp/opsdeck-test-config.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct group *
find_group(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i].name, name) == 0)
			return &c->groups[i];
	fail_msg("no group %s", name);
	return NULL;
}

static void
assert_probes(const struct group *g, const char *const *want)
{
	size_t n = 0;
	while (want[n] != NULL)
		n++;
	assert_int_equal(g->nprobes, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(g->probes[i], want[i]);
	assert_null(g->probes[n]);
}

/* ---- valid configurations --------------------------------------------- */

static void
test_inherit_and_override(void **state)
{
	(void)state;
	char *path = fixture("inherit.yaml");
	struct diag d;
	setenv("HOME", "/home/ops", 1);
	diag_init(&d, path);
	struct config *c = config_load(path, &d), *c2;
	assert_int_equal(diag_count(&d), 0);
	assert_non_null(c);
	assert_string_equal(c->path, path);

	/* defaults, written after the groups, still apply to all of them */
	assert_string_equal(c->defaults.user, "ops");
	assert_int_equal(c->defaults.port, 22022);
	assert_string_equal(c->defaults.identity, "/home/ops/.ssh/opsdeck_ed25519");
	assert_string_equal(c->defaults.known_hosts, "/etc/opsdeck/known_hosts");
	assert_int_equal(c->defaults.hostkey_policy, HOSTKEY_ACCEPT_NEW);
	assert_int_equal(c->defaults.interval_ms, 5000);
	assert_int_equal(c->defaults.timeout_ms, 4000);

	assert_int_equal(c->ngroups, 5);
	assert_int_equal(c->nhosts, 4 + 3 + 4 + 1 + 1);

	const struct group *g = find_group(c, "gpu");
	assert_int_equal(g->kind, GROUP_NODE);
	assert_int_equal(g->local, 0);
	assert_string_equal(g->conn.user, "ops");
	assert_int_equal(g->conn.port, 22022);
	assert_string_equal(g->conn.identity, "/home/ops/.ssh/opsdeck_ed25519");
	assert_int_equal(g->conn.hostkey_policy, HOSTKEY_ACCEPT_NEW);
	assert_int_equal(g->conn.interval_ms, 5000);
	assert_int_equal(g->conn.timeout_ms, 4000);
	assert_probes(g, (const char *const[]){ "linux", "nvidia", "ipmi", NULL });
	assert_int_equal(g->nhosts, 4);
	assert_string_equal(g->hosts[0].name, "gpu001");
	assert_string_equal(g->hosts[3].name, "gpu004");
	assert_ptr_equal(g->hosts[3].group, g);
	assert_int_equal(g->hosts[0].line, 5);
	assert_int_equal(g->hosts[0].col, 12);
	assert_null(g->command);

	g = find_group(c, "hpc");
	assert_string_equal(g->conn.user, "hpcadmin");
	assert_int_equal(g->conn.port, 2200);
	assert_int_equal(g->conn.interval_ms, 10000);
	assert_int_equal(g->conn.timeout_ms, 4000);
	assert_int_equal(g->conn.hostkey_policy, HOSTKEY_STRICT);
	assert_string_equal(g->conn.known_hosts, "/etc/opsdeck/known_hosts");
	assert_int_equal(g->nhosts, 3);
	assert_string_equal(g->hosts[0].name, "cpu01");
	assert_string_equal(g->hosts[1].name, "cpu02");
	assert_string_equal(g->hosts[2].name, "hpc-login");
	assert_int_equal(g->hosts[2].line, 9);
	assert_int_equal(g->hosts[2].col, 9);

	/* the back-off cap and probe deadline, from defaults and a group's own */
	c2 = parse_ok("defaults: {backoff_max: 5s, probe_timeout: 2s}\n"
	    "groups:\n  - {name: a, hosts: a1}\n"
	    "  - {name: b, hosts: b1, backoff_max: 250ms, probe_timeout: 20s}\n");
	assert_int_equal(c2->groups[0].conn.backoff_max_ms, 5000);
	assert_int_equal(c2->groups[0].conn.probe_timeout_ms, 2000);
	assert_int_equal(c2->groups[1].conn.backoff_max_ms, 250);
	assert_int_equal(c2->groups[1].conn.probe_timeout_ms, 20000);
	config_free(c2);

	g = find_group(c, "tb-energy");
	assert_int_equal(g->kind, GROUP_TESTBED);
	assert_string_equal(g->command, "tbctl status --json");
	assert_int_equal(g->conn.timeout_ms, 30000);
	assert_probes(g, (const char *const[]){ "linux", "testbed", NULL });
	assert_int_equal(g->nhosts, 4);
	assert_string_equal(g->hosts[3].name, "tb-energy4");

	g = find_group(c, "slurm");
	assert_int_equal(g->kind, GROUP_SCHEDULER);
	assert_probes(g, (const char *const[]){ "linux", "slurm", NULL });
	assert_string_equal(g->hosts[0].name, "slurm-head");

	g = find_group(c, "this");
	assert_int_equal(g->local, 1);
	assert_probes(g, (const char *const[]){ "linux", NULL });

	assert_string_equal(c->cache, "/home/ops/state/opsdeck.db");
	assert_string_equal(c->theme, "dark");
	assert_string_equal(c->budget, "/srv/opsdeck/budget.yaml");

	assert_int_equal(c->nthresholds, 3);
	assert_string_equal(c->thresholds[0].metric, "cpu.util_pct");
	assert_true(c->thresholds[0].has_warn && c->thresholds[0].has_crit);
	assert_true(c->thresholds[0].warn == 85.0);
	assert_true(c->thresholds[0].crit == 97.5);
	assert_string_equal(c->thresholds[1].metric, "gpus.temp_c");
	assert_true(c->thresholds[1].has_warn && !c->thresholds[1].has_crit);
	assert_true(c->thresholds[1].warn == 83.0);
	assert_true(!c->thresholds[2].has_warn && c->thresholds[2].has_crit);
	assert_true(c->thresholds[2].crit == 95.0);

	assert_int_equal(c->retention.raw_ms, 12 * 3600000LL);
	assert_int_equal(c->retention.minute_ms, 60 * 86400000LL);
	assert_int_equal(c->retention.hour_ms, 2 * 365 * 86400000LL);

	config_free(c);
	diag_free(&d);
	free(path);
}

static void
test_minimal_defaults(void **state)
{
	(void)state;
	struct config *c = parse_ok("groups:\n  - name: gpu\n    hosts: gpu[001-064]\n");
	assert_int_equal(c->ngroups, 1);
	assert_int_equal(c->nhosts, 64);
	const struct group *g = &c->groups[0];
	assert_null(g->conn.user);
	assert_null(g->conn.identity);
	assert_null(g->conn.known_hosts);
	assert_int_equal(g->conn.port, 22);
	assert_int_equal(g->conn.hostkey_policy, HOSTKEY_STRICT);
	assert_int_equal(g->conn.interval_ms, 2000);
	assert_int_equal(g->conn.timeout_ms, 10000);
	assert_int_equal(g->conn.probe_timeout_ms, 0);	/* the collector's: timeout less 2s */
	assert_int_equal(g->conn.backoff_max_ms, 60000);
	assert_string_equal(g->hosts[63].name, "gpu064");
	assert_null(c->cache);
	assert_null(c->theme);
	assert_null(c->budget);
	assert_int_equal(c->nthresholds, 0);
	assert_int_equal(c->retention.raw_ms, 6 * 3600000LL);
	assert_int_equal(c->retention.minute_ms, 30 * 86400000LL);
	assert_int_equal(c->retention.hour_ms, 2 * 365 * 86400000LL);
	config_free(c);
}

static void
test_flow_style_and_kinds(void **state)
{
	(void)state;
	char *path = fixture("flow.yaml");
	struct diag d;
	diag_init(&d, path);
	struct config *c = config_load(path, &d);
	assert_int_equal(diag_count(&d), 0);
	assert_non_null(c);
	assert_int_equal(c->ngroups, 2);
	assert_int_equal(c->groups[0].nhosts, 4);
	assert_string_equal(c->groups[0].hosts[2].name, "n3");
	assert_string_equal(c->groups[0].hosts[3].name, "m");
	assert_probes(&c->groups[0], (const char *const[]){ "linux", NULL });
	assert_int_equal(c->groups[1].kind, GROUP_TESTBED);
	assert_probes(&c->groups[1], (const char *const[]){ "linux", "testbed", NULL });
	assert_int_equal(c->retention.hour_ms, 365 * 86400000LL);
	config_free(c);
	diag_free(&d);
	free(path);

	/* Several patterns in one string, quoted values, durations in ms. */
	c = parse_ok("groups:\n"
	    "- name: tb\n  kind: testbed\n  hosts: 'tb-auto[1-4],tb-health[1-6]'\n"
	    "  interval: 500ms\n  timeout: \"100ms\"\n  transport: ssh\n"
	    "- name: \"\xea\xb4\x91\xec\xa3\xbc\"\n  kind: scheduler\n  hosts: [slurm-head]\n");
	assert_int_equal(c->groups[0].nhosts, 10);
	assert_string_equal(c->groups[0].hosts[4].name, "tb-health1");
	assert_int_equal(c->groups[0].conn.interval_ms, 500);
	assert_int_equal(c->groups[0].conn.timeout_ms, 100);
	assert_int_equal(c->groups[0].local, 0);
	assert_string_equal(c->groups[1].name, "\xea\xb4\x91\xec\xa3\xbc");	/* 광주 */
	assert_string_equal(group_kind_name(c->groups[1].kind), "scheduler");
	assert_string_equal(hostkey_policy_name(HOSTKEY_ACCEPT_NEW), "accept-new");
	config_free(c);

	/* Hosts as maps: names apart from addresses, expanded side by side. */
	c = parse_ok("groups:\n- name: gpu\n  hosts:\n  - cpu1\n"
	    "  - host: gpu[001-003]\n    address: 127.0.1.[65-67]\n"
	    "  - {host: login, address: login.dc.example}\n  - host: bare\n");
	assert_int_equal(c->groups[0].nhosts, 6);
	assert_string_equal(c->groups[0].hosts[0].name, "cpu1");
	assert_null(c->groups[0].hosts[0].address);
	assert_string_equal(c->groups[0].hosts[1].name, "gpu001");
	assert_string_equal(c->groups[0].hosts[1].address, "127.0.1.65");
	assert_string_equal(c->groups[0].hosts[3].name, "gpu003");
	assert_string_equal(c->groups[0].hosts[3].address, "127.0.1.67");
	assert_string_equal(c->groups[0].hosts[4].address, "login.dc.example");
	assert_string_equal(c->groups[0].hosts[5].name, "bare");
	assert_null(c->groups[0].hosts[5].address);
	config_free(c);

	/* Null maps are empty maps. */
	c = parse_ok("defaults:\nthresholds:\nretention: ~\ngroups: [{name: a, hosts: b}]\n");
	assert_int_equal(c->defaults.port, 22);
	config_free(c);
}

static void
test_builtin_default(void **state)
{
	(void)state;
	char host[256];
	assert_int_equal(gethostname(host, sizeof host), 0);
	struct config *c = config_default();
	assert_non_null(c);
	assert_null(c->path);
	assert_int_equal(c->ngroups, 1);
	assert_int_equal(c->nhosts, 1);
	const struct group *g = &c->groups[0];
	assert_string_equal(g->name, "local");
	assert_int_equal(g->kind, GROUP_NODE);
	assert_int_equal(g->local, 1);
	assert_probes(g, (const char *const[]){ "linux", NULL });
	assert_int_equal(g->nhosts, 1);
	assert_string_equal(g->hosts[0].name, host);
	assert_ptr_equal(g->hosts[0].group, g);
	assert_int_equal(g->hosts[0].line, 0);
	assert_int_equal(g->conn.interval_ms, 2000);
	assert_int_equal(g->conn.port, 22);
	assert_int_equal(c->retention.raw_ms, 6 * 3600000LL);
	config_free(c);
}

static void
test_find(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *xdg = xasprintf("%s/xdg", dir), *home = xasprintf("%s/home", dir);
	char *xdgfile = xasprintf("%s/opsdeck/config.yaml", xdg);
	char *homefile = xasprintf("%s/.config/opsdeck/config.yaml", home);
	char *p;

	/* -c wins, whether or not it exists. */
	p = config_find("/nonexistent/x.yaml");
	assert_string_equal(p, "/nonexistent/x.yaml");
	free(p);

	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	assert_null(config_find(NULL));		/* neither file exists */

	assert_int_equal(mkdir_p(xdg, 0700), 0);
	char *sub = xasprintf("%s/opsdeck", xdg);
	assert_int_equal(mkdir_p(sub, 0700), 0);
	free(sub);
	write_file(xdgfile, "groups: []\n", 11);
	p = config_find(NULL);
	assert_non_null(p);
	assert_string_equal(p, xdgfile);
	free(p);

	/* Without XDG_CONFIG_HOME: ~/.config. */
	unsetenv("XDG_CONFIG_HOME");
	assert_null(config_find(NULL));
	sub = xasprintf("%s/.config/opsdeck", home);
	assert_int_equal(mkdir_p(sub, 0700), 0);
	free(sub);
	write_file(homefile, "groups: []\n", 11);
	p = config_find(NULL);
	assert_non_null(p);
	assert_string_equal(p, homefile);
	free(p);

	/* A relative XDG_CONFIG_HOME is ignored (XDG base directory spec). */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	p = config_find(NULL);
	assert_string_equal(p, homefile);
	free(p);

	/* With XDG_CONFIG_HOME set, ~/.config is not consulted. */
	char *other = xasprintf("%s/empty", dir);
	setenv("XDG_CONFIG_HOME", other, 1);
	assert_null(config_find(NULL));
	free(other);

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	assert_null(config_find(NULL));

	rm_rf(dir);
	free(dir);
	free(xdg);
	free(home);
	free(xdgfile);
	free(homefile);
}

static void
test_example_config(void **state)
{
	(void)state;
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/examples/config.yaml", top != NULL ? top : "..");
	struct diag d;
	diag_init(&d, path);
	struct config *c = config_load(path, &d);
	if (c == NULL)
		diag_print(&d, stderr);
	assert_non_null(c);
	assert_int_equal(diag_count(&d), 0);
	const struct group *g = find_group(c, "gpu");
	assert_int_equal(g->nhosts, 64);
	assert_string_equal(g->hosts[0].name, "gpu001");
	g = find_group(c, "tb-health");
	assert_int_equal(g->kind, GROUP_TESTBED);
	assert_int_equal(g->nhosts, 6);
	g = find_group(c, "slurm");
	assert_int_equal(g->kind, GROUP_SCHEDULER);
	config_free(c);
	diag_free(&d);
	free(path);
}

/* ---- one test per error class ------------------------------------------ */

static void
test_err_unknown_key(void **state)
{
	(void)state;
	parse_err("groups:\n  - name: gpu\n    hosts: gpu1\n    intervl: 5s\n",
	    "t.yaml:4:5: unknown key 'intervl' in group; did you mean 'interval'?");
	parse_err("grups:\n  - name: gpu\n",
	    "t.yaml:1:1: unknown key 'grups' at top level; did you mean 'groups'?",
	    "t.yaml:1:1: missing 'groups': list at least one group to watch, or name a 'budget' plan");
	parse_err("defaults:\n  host-key-policy: strict\n  Port: 22\n"
	    "groups: [{name: a, hosts: b}]\n",
	    "t.yaml:2:3: unknown key 'host-key-policy' in defaults; "
	    "did you mean 'host_key_policy'?",
	    "t.yaml:3:3: unknown key 'Port' in defaults; did you mean 'port'?");
	parse_err("retention: {raw: 1h, daily: 1y}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:22: unknown key 'daily' in retention; expected one of: "
	    "raw, minute, hour");
	parse_err("groups: [{name: a, hosts: [{host: b, adress: c}]}]\n",
	    "t.yaml:1:38: unknown key 'adress' in a host; did you mean 'address'?");
	parse_err("groups: [{name: a, hosts: [{address: c}]}]\n",
	    "t.yaml:1:28: a host map has no 'host'");
	parse_err("groups:\n- name: a\n  hosts:\n  - host: n[1-3]\n    address: 10.0.0.[1-2]\n",
	    "t.yaml:5:14: 'address' expands to 2 addresses but 'host' to 3 names");
	parse_err("groups:\n- name: a\n  hosts:\n  - host: n1\n    address: -x\n",
	    "t.yaml:5:14: a host name must start with a letter, a digit or a range in '-x'");
	parse_err("groups: [{name: a, hosts: b, zzz: 1}]\n",
	    "t.yaml:1:30: unknown key 'zzz' in group; expected one of: name, kind, hosts, "
	    "probes, transport, command, url, selector, scheduler, user, port, identity, known_hosts, "
	    "host_key_policy, interval, timeout, jump_channels, probe_timeout, backoff_max");
	/* Duplicate keys and keys that are not strings. */
	parse_err("groups: [{name: a, hosts: b, name: c}]\n",
	    "t.yaml:1:30: duplicate key 'name' (first at t.yaml:1:11)");
	parse_err("groups: [{name: a, hosts: b, [x]: c}]\n",
	    "t.yaml:1:30: a key in group must be a string, not a list");
}

/*
 * `scheduler` names a group of kind scheduler (checked once every group is
 * read); without it a group's scheduler is the only one; read_only and
 * action_timeout (issue 16, actions).
 */
static void
test_scheduler_key(void **state)
{
	(void)state;
	parse_err("groups:\n- {name: n, hosts: a, scheduler: nope}\n",
	    "t.yaml:2:34: no group of kind scheduler is named 'nope'");
	parse_err("groups:\n- {name: s, kind: scheduler, hosts: h, scheduler: s}\n",
	    "t.yaml:2:51: 'scheduler' is for groups of compute nodes, not of kind scheduler");
	struct config *c = parse_ok("read_only: true\naction_timeout: 5s\ngroups:\n"
	    "- {name: s1, kind: scheduler, hosts: h1}\n"
	    "- {name: s2, kind: scheduler, hosts: h2}\n"
	    "- {name: n, hosts: a, scheduler: s2}\n- {name: m, hosts: b}\n");
	assert_int_equal(c->read_only, 1);
	assert_int_equal(c->action_timeout_ms, 5000);
	assert_ptr_equal(config_scheduler_of(c, &c->groups[2]), &c->groups[1]);
	assert_null(config_scheduler_of(c, &c->groups[3]));	/* two, none named */
	config_free(c);
	c = parse_ok("groups:\n- {name: s1, kind: scheduler, hosts: h1}\n- {name: m, hosts: b}\n");
	assert_int_equal(c->read_only, 0);
	assert_int_equal(c->action_timeout_ms, CONFIG_ACTION_TIMEOUT_MS);
	assert_ptr_equal(config_scheduler_of(c, &c->groups[1]), &c->groups[0]);
	config_free(c);
}

static void
test_err_types(void **state)
{
	(void)state;
	parse_err("defaults: {port: abc}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:18: 'port' must be an integer from 1 to 65535, not 'abc'");
	parse_err("defaults: {port: 0}\ngroups: [{name: a, hosts: b, port: 65536}]\n",
	    "t.yaml:1:18: 'port' must be an integer from 1 to 65535, not '0'",
	    "t.yaml:2:36: 'port' must be an integer from 1 to 65535, not '65536'");
	parse_err("defaults: {port: [22]}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:18: 'port' must be an integer from 1 to 65535, not a list");
	parse_err("groups: [{name: a, hosts: {gpu1: x}}]\n",
	    "t.yaml:1:27: 'hosts' must be a list of strings or maps of 'host' and "
	    "'address'");
	parse_err("groups: [{name: a, hosts: [gpu1, [gpu2]]}]\n",
	    "t.yaml:1:34: 'hosts' must be a list of strings or maps of 'host' and "
	    "'address'");
	parse_err("groups: [{name: a, hosts: []}]\n",
	    "t.yaml:1:27: 'hosts' is empty");
	parse_err("groups: [{name: a, hosts: }]\n",
	    "t.yaml:1:27: 'hosts' has no value");
	parse_err("defaults: {user: [root]}\ngroups: [{name: a, hosts: b, user: ''}]\n",
	    "t.yaml:1:18: 'user' must be a string, not a list",
	    "t.yaml:2:36: 'user' must not be empty");
	parse_err("defaults: {identity: \"a\\tb\"}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:22: 'identity' contains a control character (\\x09)");
	parse_err("groups: {name: a}\n",
	    "t.yaml:1:9: 'groups' must be a list of groups, not a map");
	parse_err("groups: []\n", "t.yaml:1:9: 'groups' is empty: list at least one group");
	parse_err("groups: [gpu1]\n",
	    "t.yaml:1:10: a group must be a map with 'name' and 'hosts', not a string");
	parse_err("defaults: [a]\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:11: 'defaults' must be a map of connection settings, not a list");
	parse_err("cache: {a: b}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:8: 'cache' must be a string, not a map");
	parse_err("groups: [{name: a, hosts: b, kind: nod, transport: ssl}]\n",
	    "t.yaml:1:36: 'kind' must be node, testbed, scheduler or prometheus, not 'nod'; "
	    "did you mean 'node'?",
	    "t.yaml:1:52: 'transport' must be ssh or local, not 'ssl'; did you mean 'ssh'?");
	parse_err("defaults: {host_key_policy: yes}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:29: 'host_key_policy' must be strict or accept-new, not 'yes'");
	parse_err("groups: [{name: a, hosts: b, command: x}]\n",
	    "t.yaml:1:39: 'command' is only for groups of kind testbed");
}

static void
test_err_duration(void **state)
{
	(void)state;
	parse_err("defaults: {interval: 5 s}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:22: 'interval' must be a duration such as 500ms, 2s or 5m, not '5 s'");
	parse_err("defaults: {interval: fast, timeout: -1s}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:22: 'interval' must be a duration such as 500ms, 2s or 5m, not 'fast'",
	    "t.yaml:1:37: 'timeout' must be a duration such as 500ms, 2s or 5m, not '-1s'");
	parse_err("groups: [{name: a, hosts: b, interval: 99ms, timeout: 0}]\n",
	    "t.yaml:1:40: 'interval' must be at least 100ms, not '99ms'",
	    "t.yaml:1:55: 'timeout' must be at least 100ms, not '0'");
	parse_err("retention: {raw: 30s, minute: [1d]}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:18: 'raw' must be at least 1m, not '30s'",
	    "t.yaml:1:31: 'minute' must be a duration such as 500ms, 2s or 5m, not a list");
}

static void
test_err_range(void **state)
{
	(void)state;
	/* The column points into the scalar: +1 for the quote when quoted. */
	parse_err("groups:\n  - name: gpu\n    hosts: gpu[10-1]\n",
	    "t.yaml:3:16: reversed range 10-1 in 'gpu[10-1]'");
	parse_err("groups:\n  - name: gpu\n    hosts: [\"gpu[1-4]\", 'cpu[01-x]']\n",
	    "t.yaml:3:33: non-numeric range character 'x' in 'cpu[01-x]'");
	parse_err("groups:\n  - name: gpu\n    hosts:\n      - gpu[001-128\n      - gpu[]\n"
	    "      - gpu/1\n      - n[1-1000]-g[0-999]\n",
	    "t.yaml:4:12: unclosed '[' in 'gpu[001-128'",
	    "t.yaml:5:12: empty range '[]' in 'gpu[]'",
	    "t.yaml:6:12: invalid host name character '/' in 'gpu/1'",
	    "t.yaml:7:9: pattern expands to more than 100000 names in 'n[1-1000]-g[0-999]'");
}

static void
test_err_duplicate_host(void **state)
{
	(void)state;
	parse_err("groups:\n  - name: gpu\n    hosts: gpu[001-004]\n"
	    "  - name: again\n    hosts: [gpu003, gpu005]\n",
	    "t.yaml:5:13: duplicate host 'gpu003' (first at t.yaml:3:12)");
	/* Within one group, once per duplicate. */
	parse_err("groups:\n  - name: gpu\n    hosts: 'a,b,a,a'\n",
	    "t.yaml:3:12: duplicate host 'a' (first at t.yaml:3:12) and 1 more from "
	    "this pattern");
	/* The set of names grows after the duplicate is found (found by fuzzing). */
	parse_err("groups:\n  - name: gpu\n    hosts: [a1, \"a[1-300]\"]\n",
	    "t.yaml:3:17: duplicate host 'a1' (first at t.yaml:3:13)");
	/* A repeated range is one error, not one per name. */
	parse_err("groups:\n  - name: gpu\n    hosts: [\"gpu[001-064]\", \"gpu[001-064]\"]\n",
	    "t.yaml:3:29: duplicate host 'gpu001' (first at t.yaml:3:13) and 63 more "
	    "from this pattern");
}

static void
test_err_group_names(void **state)
{
	(void)state;
	parse_err("groups:\n  - kind: node\n    hosts: a\n  - name: b\n",
	    "t.yaml:2:5: group has no 'name'",
	    "t.yaml:4:5: group 'b' has no 'hosts'");
	parse_err("groups:\n  - name: gpu\n    hosts: a\n  - name: gpu\n    hosts: b\n",
	    "t.yaml:4:11: duplicate group name 'gpu' (first at t.yaml:2:11)");
	char long_name[CONFIG_NAME_MAX + 2];
	memset(long_name, 'g', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	char *text = xasprintf("groups: [{name: %s, hosts: a}]\n", long_name);
	parse_err(text, "t.yaml:1:17: group name longer than 64 bytes");
	free(text);
}

static void
test_err_probes(void **state)
{
	(void)state;
	parse_err("groups: [{name: a, hosts: b, probes: [linux, nvidai]}]\n",
	    "t.yaml:1:46: unknown probe 'nvidai'; did you mean 'nvidia'?");
	parse_err("groups: [{name: a, hosts: b, probes: [zfs, linux, linux]}]\n",
	    "t.yaml:1:39: unknown probe 'zfs'; the probes are linux, nvidia, ipmi, "
	    "testbed and slurm",
	    "t.yaml:1:51: probe 'linux' is listed twice");
	parse_err("groups: [{name: a, hosts: b, probes: []}]\n",
	    "t.yaml:1:38: 'probes' is empty");
	parse_err("groups: [{name: a, hosts: b, probes: {linux: 1}}]\n",
	    "t.yaml:1:38: 'probes' must be a list of probe names");
	/* the slurm probe's later sacct windows must overlap (budget.h) */
	parse_err("groups: [{name: s, hosts: h, probes: [slurm], interval: 31m}]\n",
	    "t.yaml:1:10: the slurm probe looks back 60 minutes after its first run: an "
	    "interval of at most 30 minutes, please");
	config_free(parse_ok("groups: [{name: s, hosts: h, probes: [slurm], interval: 30m}]\n"));
}

static void
test_err_thresholds(void **state)
{
	(void)state;
	parse_err("groups: [{name: a, hosts: b}]\nthresholds:\n"
	    "  cpu: {warn: 1}\n"
	    "  gpus.temp_c: {warn: hot, crti: 90}\n"
	    "  mem.used_pct: {}\n"
	    "  cpu.util_pct: 90\n",
	    "t.yaml:3:3: 'cpu' is not a metric path such as cpu.util_pct or gpus.temp_c",
	    "t.yaml:4:23: 'warn' must be a number, not 'hot'",
	    "t.yaml:4:28: unknown key 'crti' in threshold 'gpus.temp_c'; did you mean 'crit'?",
	    "t.yaml:5:17: threshold 'mem.used_pct' needs 'warn' or 'crit'",
	    "t.yaml:6:17: threshold 'cpu.util_pct' must be a map with 'warn' and/or 'crit', "
	    "not a string");
	struct config *c = parse_ok("groups: [{name: a, hosts: b}]\nthresholds:\n"
	    "  sensors.temp_c: {warn: -5.25, crit: +1e1}\n");
	assert_true(c->thresholds[0].warn == -5.25);
	assert_true(c->thresholds[0].crit == 10.0);
	config_free(c);
}

/* Host metric paths must be rows of metrics.h's table; device paths are free. */
static void
test_threshold_metrics(void **state)
{
	(void)state;
	parse_err("groups: [{name: a, hosts: b}]\nthresholds:\n"
	    "  cpu.util_pc: {warn: 1}\n"
	    "  zzz.qqq: {warn: 1}\n"
	    "  gpus.temp: {warn: 1, crit: x}\n"
	    "  devices.a.b.c: {warn: 1}\n",
	    "t.yaml:3:3: unknown metric 'cpu.util_pc'; did you mean 'cpu.util_pct'?",
	    "t.yaml:4:3: unknown metric 'zzz.qqq'; 'opsdeck check-config --metrics' lists them",
	    "t.yaml:5:3: unknown metric 'gpus.temp'; did you mean 'gpus.temp_c'?",
	    "t.yaml:5:30: 'crit' must be a number, not 'x'",
	    "t.yaml:6:3: 'devices.a.b.c' is not a device metric path: devices.KIND.METRIC or "
	    "devices.METRIC");

	/* Every row of the table is accepted, "load.0" (a digit after the dot) too. */
	for (const struct metric_def *m = metric_table; m->path != NULL; m++) {
		char *text = xasprintf("groups: [{name: a, hosts: b}]\nthresholds:\n"
		    "  %s: {crit: 1}\n", m->path);
		struct config *c = parse_ok(text);
		assert_string_equal(c->thresholds[0].metric, m->path);
		assert_int_equal(c->thresholds[0].lower, m->dir == METRIC_LOWER_WORSE);
		assert_int_equal(c->thresholds[0].at.line, 3);
		assert_int_equal(c->thresholds[0].at.col, 3);
		config_free(c);
		free(text);
	}
	struct config *c = parse_ok("groups: [{name: a, hosts: b}]\nthresholds:\n"
	    "  devices.ess_monitor.soc_pct: {warn: 20, crit: 10}\n"
	    "  devices.temp_c: {warn: 60, crit: 80}\n"
	    "  devices.x: {warn: 5, reverse: true}\n"
	    "  devices.y: {warn: 1, crit: 2, reverse: false}\n");
	assert_int_equal(c->nthresholds, 4);
	assert_int_equal(c->thresholds[0].lower, 1);	/* warn > crit */
	assert_int_equal(c->thresholds[1].lower, 0);
	assert_int_equal(c->thresholds[2].lower, 1);	/* reverse */
	assert_int_equal(c->thresholds[2].reverse, 1);
	assert_int_equal(c->thresholds[3].lower, 0);
	config_free(c);
}

/* warn and crit in the order of the metric's direction, unless reverse. */
static void
test_threshold_order(void **state)
{
	(void)state;
	parse_err("groups: [{name: a, hosts: b}]\nthresholds:\n"
	    "  cpu.util_pct: {warn: 95, crit: 85}\n"
	    "  mem.available_bytes:\n    warn: 10\n    crit: 20\n"
	    "  mem.used_pct: {warn: 5, crit: 10, reverse: true}\n"
	    "  devices.x: {warn: 20, crit: 30, reverse: true}\n"
	    "  load.0: {reverse: true}\n"
	    "  load.1: {warn: 1, reverse: maybe}\n"
	    "  load.2: {warn: 1, revrese: true}\n",
	    "t.yaml:3:3: higher is worse for cpu.util_pct: warn 95 is above crit 85; "
	    "swap them or add 'reverse: true'",
	    "t.yaml:4:3: lower is worse for mem.available_bytes: warn 10 is below crit 20; "
	    "swap them or add 'reverse: true'",
	    "t.yaml:7:3: with 'reverse: true' lower is worse for mem.used_pct: warn 5 is "
	    "below crit 10; swap them",
	    "t.yaml:8:3: with 'reverse: true' lower is worse for devices.x: warn 20 is below "
	    "crit 30; swap them",
	    "t.yaml:9:11: threshold 'load.0' needs 'warn' or 'crit'",
	    "t.yaml:10:30: 'reverse' must be true or false, not 'maybe'",
	    "t.yaml:11:21: unknown key 'revrese' in threshold 'load.2'; did you mean 'reverse'?");

	struct config *c = parse_ok("groups: [{name: a, hosts: b}]\nthresholds:\n"
	    "  cpu.util_pct: {warn: 95, crit: 85, reverse: true}\n"
	    "  mem.available_bytes: {warn: 20, crit: 10}\n"
	    "  sensors.fan_rpm: {warn: 500, crit: 1000, reverse: True}\n"
	    "  gpus.temp_c: {warn: 80, crit: 80, reverse: FALSE}\n"
	    "  swap.used_pct: {warn: 90}\n");
	assert_int_equal(c->nthresholds, 5);
	assert_int_equal(c->thresholds[0].lower, 1);
	assert_int_equal(c->thresholds[1].lower, 1);
	assert_int_equal(c->thresholds[2].lower, 0);	/* lower worse, reversed */
	assert_int_equal(c->thresholds[3].lower, 0);
	assert_int_equal(c->thresholds[3].reverse, 0);
	assert_int_equal(c->thresholds[4].lower, 0);
	config_free(c);
}

/* The key table: unique names, a row for every key each place accepts. */
static void
test_key_table(void **state)
{
	(void)state;
	const unsigned places[] = { CONFIG_AT_TOP, CONFIG_AT_DEFAULTS, CONFIG_AT_GROUP,
		CONFIG_AT_THRESHOLD, CONFIG_AT_RETENTION };
	size_t rows = 0;

	for (const struct config_key *k = config_keys; k->name != NULL; k++, rows++) {
		for (const struct config_key *o = k + 1; o->name != NULL; o++)
			assert_string_not_equal(k->name, o->name);
		assert_true(k->places != 0 && k->help[0] != '\0' && k->def[0] != '\0');
		/* a row that sets a field names it; one its walker reads does not */
		assert_int_equal(k->type < CONFIG_T_SECTION, k->off != CONFIG_NO_FIELD);
		assert_int_equal(k->type == CONFIG_T_CHOICE, k->choices != NULL);
		for (size_t p = 0; p < OD_ARRAY_LEN(places); p++)
			assert_true(config_key_find(places[p], k->name) ==
			    ((k->places & places[p]) ? k : NULL));
	}
	assert_int_equal(rows, CK_COUNT);

	const char *words[CONFIG_KEYS_MAX + 1];
	assert_int_equal(config_key_names(CONFIG_AT_THRESHOLD, words, OD_ARRAY_LEN(words)), 3);
	assert_string_equal(words[0], "warn");
	assert_string_equal(words[2], "reverse");
	assert_null(words[3]);
	assert_int_equal(config_key_names(CONFIG_AT_DEFAULTS, words, OD_ARRAY_LEN(words)), 10);
	assert_int_equal(config_key_names(CONFIG_AT_GROUP, words, 4), 3);	/* capped */
	assert_null(words[3]);

	char buf[64];
	assert_string_equal(config_place_text(CONFIG_AT_CONN, buf, sizeof buf),
	    "defaults,group");

	/* The did-you-mean is over the names of the place, from the table. */
	parse_err("groups: [{name: a, hosts: b}]\nretention: {hours: 1y}\n",
	    "t.yaml:2:13: unknown key 'hours' in retention; did you mean 'hour'?");
	parse_err("defaults: {kind: node}\ngroups: [{name: a, hosts: b}]\n",
	    "t.yaml:1:12: unknown key 'kind' in defaults; expected one of: user, port, "
	    "identity, known_hosts, host_key_policy, interval, timeout, jump_channels, "
	    "probe_timeout, backoff_max");
}


static void
test_err_yaml_syntax(void **state)
{
	(void)state;
	char *path = fixture("syntax_error.yaml");
	struct diag d;
	diag_init(&d, path);
	assert_null(config_load(path, &d));
	char *want = xasprintf("%s:4:9: YAML syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 3)", path);
	assert_diag(&d, (const char *const[]){ want, NULL });
	free(want);
	diag_free(&d);
	free(path);

	parse_err("groups:\n  - name: 'unterminated\n",
	    "t.yaml:3:1: YAML syntax error: found unexpected end of stream "
	    "(while scanning a quoted scalar at line 2)");
	parse_err("a: b\n---\nc: d\n",
	    "t.yaml:2:1: more than one YAML document; a configuration is a single document");
}

static void
test_err_all_reported(void **state)
{
	(void)state;
	char *path = fixture("three_errors.yaml");
	struct diag d;
	diag_init(&d, path);
	assert_null(config_load(path, &d));
	assert_int_equal(diag_count(&d), 3);
	char *w0 = xasprintf("%s:2:9: 'port' must be an integer from 1 to 65535, not 'abc'",
	    path);
	char *w1 = xasprintf("%s:5:16: reversed range 10-1 in 'gpu[10-1]'", path);
	char *w2 = xasprintf("%s:6:5: unknown key 'intervl' in group; did you mean "
	    "'interval'?", path);
	assert_diag(&d, (const char *const[]){ w0, w1, w2, NULL });
	free(w0);
	free(w1);
	free(w2);
	diag_free(&d);

	/* A file with one error of nearly every kind reports all, in file order. */
	char *many = fixture("many_errors.yaml");
	diag_init(&d, many);
	assert_null(config_load(many, &d));
	assert_int_equal(diag_count(&d), 19);
	for (size_t i = 1; i < d.n; i++)
		assert_true(d.v[i - 1].line < d.v[i].line ||
		    (d.v[i - 1].line == d.v[i].line && d.v[i - 1].col <= d.v[i].col));
	diag_free(&d);
	free(many);
	free(path);
}

static void
test_err_anchors_aliases(void **state)
{
	(void)state;
	parse_err("defaults: &d {user: ops}\ngroups:\n  - name: a\n    hosts: *d\n",
	    "t.yaml:1:11: anchors are not allowed ('&d')",
	    "t.yaml:4:12: aliases are not allowed ('*d')");
	/* A cycle. */
	parse_err("groups: &a [1, *a]\n",
	    "t.yaml:1:9: anchors are not allowed ('&a')",
	    "t.yaml:1:13: a group must be a map with 'name' and 'hosts', not a string",
	    "t.yaml:1:16: aliases are not allowed ('*a')");
}

static void
test_err_top_level(void **state)
{
	(void)state;
	parse_err("- a\n- b\n",
	    "t.yaml:1:1: the top level must be a map with 'groups', not a list");
	parse_err("just text\n",
	    "t.yaml:1:1: the top level must be a map with 'groups', not a string");
	parse_err("cache: /x\n", "t.yaml:1:1: missing 'groups': list at least one group to watch, or name a 'budget' plan");
	parse_err("", "t.yaml: empty configuration: expected a map with 'groups'");
	parse_err("# nothing\n---\n...\n",
	    "t.yaml: empty configuration: expected a map with 'groups'");
}

static void
test_err_long_string(void **state)
{
	(void)state;
	char *big = xmalloc(CONFIG_MAX_STRING + 2);
	memset(big, 'x', CONFIG_MAX_STRING + 1);
	big[CONFIG_MAX_STRING + 1] = '\0';
	char *text = xasprintf("groups: [{name: a, hosts: b}]\ntheme: %s\n", big);
	parse_err(text, "t.yaml:2:8: string longer than 4096 bytes");
	free(text);
	/* The same as a key (explicit: YAML limits simple keys to 1024 characters). */
	text = xasprintf("groups: [{name: a, hosts: b}]\n? %s\n: 1\n", big);
	parse_err(text, "t.yaml:2:3: string longer than 4096 bytes");
	free(text);
	/* 4096 bytes is fine. */
	big[CONFIG_MAX_STRING] = '\0';
	text = xasprintf("groups: [{name: a, hosts: b}]\ntheme: %s\n", big);
	struct config *c = parse_ok(text);
	assert_int_equal(strlen(c->theme), CONFIG_MAX_STRING);
	config_free(c);
	free(text);
	free(big);

	parse_err("groups: [{name: a, hosts: b}]\ntheme: \"a\\0b\"\n",
	    "t.yaml:2:8: string contains a NUL byte");
}

static void
test_err_limits(void **state)
{
	(void)state;
	parse_err("groups:\n  - name: a\n    hosts: [\"a[1-60000]\", \"b[1-60000]\", c1]\n",
	    "t.yaml:3:27: more than 100000 hosts in all groups");
	/* Duplicates count: expanding them costs the same. */
	parse_err("groups:\n  - name: a\n    hosts: [\"a[1-60000]\", \"a[1-60000]\", c1]\n",
	    "t.yaml:3:27: duplicate host 'a1' (first at t.yaml:3:13) and 39999 more from "
	    "this pattern",
	    "t.yaml:3:27: more than 100000 hosts in all groups");

	/* Groups and thresholds. */
	size_t cap = 64 * 1024, o = 0;
	char *text = xmalloc(cap);
	o += (size_t)snprintf(text + o, cap - o, "groups:\n");
	for (int i = 0; i <= CONFIG_MAX_GROUPS; i++)
		o += (size_t)snprintf(text + o, cap - o, "- {name: g%d, hosts: h%d}\n", i, i);
	parse_err(text, "t.yaml:1026:3: more than 1024 groups");
	o = (size_t)snprintf(text, cap, "groups: [{name: a, hosts: b}]\nthresholds:\n");
	for (int i = 0; i <= CONFIG_MAX_THRESHOLDS; i++)
		o += (size_t)snprintf(text + o, cap - o, "  devices.x%d: {warn: 1}\n", i);
	parse_err(text, "t.yaml:259:3: more than 256 thresholds");
	free(text);
}

/* ---- hostile input ------------------------------------------------------ */

static void
test_bad_empty_file(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/config.yaml", dir);
	write_file(path, "", 0);
	struct diag d;
	diag_init(&d, path);
	assert_null(config_load(path, &d));
	char *want = xasprintf("%s: empty configuration: expected a map with 'groups'", path);
	assert_diag(&d, (const char *const[]){ want, NULL });
	free(want);
	diag_free(&d);
	rm_rf(dir);
	free(path);
	free(dir);
}

static void
test_bad_garbage(void **state)
{
	(void)state;
	/* Fixed bytes: invalid UTF-8 (a lone continuation byte) on line 2. */
	static const unsigned char junk[] = {
		0x67, 0x72, 0x0a, 0x8f, 0x3a, 0xff, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xc3,
		0x28, 0xa0, 0xa1, 0xe2, 0x82, 0x28, 0xf0, 0x28, 0x8c, 0xbc, 0x7f, 0x01,
	};
	struct diag jd;
	diag_init(&jd, "t.yaml");
	assert_null(config_parse("t.yaml", (const char *)junk, sizeof junk, &jd));
	assert_diag(&jd, (const char *const[]){
		"t.yaml:2:1: invalid YAML input: invalid leading UTF-8 octet (byte 0x8f)",
		NULL });
	diag_free(&jd);

	/* Pseudo-random bytes of every length up to 2 KiB: an error, never a crash. */
	unsigned seed = 12345;
	char buf[2048];
	for (size_t len = 1; len <= sizeof buf; len += 97) {
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		struct diag d;
		diag_init(&d, "junk");
		assert_null(config_parse("junk", buf, len, &d));
		assert_true(diag_count(&d) >= 1);
		diag_free(&d);
	}
}

static void
test_bad_huge_file(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/big.yaml", dir);
	size_t len = 10 * 1024 * 1024;
	char *data = xmalloc(len);
	const char *line = "# comment line of a configuration that is far too large\n";
	for (size_t i = 0; i < len; i++)
		data[i] = line[i % strlen(line)];
	write_file(path, data, len);
	free(data);

	struct diag d;
	diag_init(&d, path);
	int64_t t0 = mono_ms();
	assert_null(config_load(path, &d));
	assert_true(mono_ms() - t0 < 2000);
	char *want = xasprintf("%s: file is larger than the limit of 1048576 bytes", path);
	assert_diag(&d, (const char *const[]){ want, NULL });
	free(want);
	diag_free(&d);

	/* config_parse refuses it as well. */
	diag_init(&d, "mem");
	assert_null(config_parse("mem", "", CONFIG_MAX_BYTES + 1, &d));
	assert_string_equal(d.v[0].msg, "configuration is larger than the limit of 1048576 bytes");
	diag_free(&d);

	rm_rf(dir);
	free(path);
	free(dir);
}

static void
test_bad_nested_brackets(void **state)
{
	(void)state;
	size_t n = 100000;
	char *text = xmalloc(n + 1);
	memset(text, '[', n);
	text[n] = '\0';
	int64_t t0 = mono_ms();
	parse_err_v(text, (const char *const[]){ "t.yaml:1:33: nesting deeper than 32 levels",
		NULL });
	int64_t ms = mono_ms() - t0;
	print_message("# 100000 nested '[': %lld ms\n", (long long)ms);
	assert_true(ms < 1000);

	/* The same with braces. */
	memset(text, '{', n);
	parse_err_v(text, (const char *const[]){ "t.yaml:1:33: nesting deeper than 32 levels",
		NULL });
	free(text);
}

static void
test_bad_deep_block_nesting(void **state)
{
	(void)state;
	/* 33 levels of block maps: a: / a: / ... */
	size_t cap = 8192, o = 0;
	char *text = xmalloc(cap);
	for (int lvl = 0; lvl < CONFIG_MAX_DEPTH + 1; lvl++)
		o += (size_t)snprintf(text + o, cap - o, "%*sa:\n", lvl, "");
	snprintf(text + o, cap - o, "%*sb\n", CONFIG_MAX_DEPTH + 1, "");
	parse_err_v(text, (const char *const[]){ "t.yaml:33:33: nesting deeper than 32 levels",
		NULL });
	free(text);

	/* Within the limit, deep nesting is a schema error, not a crash. */
	parse_err("groups: [{name: a, hosts: [[[[[[[x]]]]]]]}]\n",
	    "t.yaml:1:28: 'hosts' must be a list of strings or maps of 'host' and "
	    "'address'");
}

static void
test_bad_directory(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	struct diag d;
	diag_init(&d, dir);
	assert_null(config_load(dir, &d));
	char *want = xasprintf("%s: is a directory, not a file", dir);
	assert_diag(&d, (const char *const[]){ want, NULL });
	free(want);
	diag_free(&d);

	char *missing = xasprintf("%s/nope.yaml", dir);
	diag_init(&d, missing);
	assert_null(config_load(missing, &d));
	want = xasprintf("%s: No such file or directory", missing);
	assert_diag(&d, (const char *const[]){ want, NULL });
	free(want);
	diag_free(&d);
	free(missing);

	rm_rf(dir);
	free(dir);
}

/* Groups of kind prometheus: a url, an optional selector, no hosts or probes. */
static void
test_prometheus_group(void **state)
{
	(void)state;
	struct config *c = parse_ok("groups:\n"
	    "  - {name: site, kind: prometheus, url: 'http://p:9090', selector: '{job=\"node\"}'}\n"
	    "  - {name: n, hosts: a}\n");
	assert_int_equal(c->ngroups, 2);
	assert_int_equal(c->groups[0].kind, GROUP_PROMETHEUS);
	assert_string_equal(c->groups[0].url, "http://p:9090");
	assert_string_equal(c->groups[0].selector, "{job=\"node\"}");
	assert_int_equal(c->groups[0].nhosts, 0);
	assert_int_equal(c->nhosts, 1);
	config_free(c);
	parse_err("groups: [{name: s, kind: prometheus}]\n",
	    "t.yaml:1:10: a group of kind prometheus needs a 'url' (e.g. http://127.0.0.1:9090)");
	parse_err("groups: [{name: s, kind: prometheus, url: 'ftp://x', hosts: a}]\n",
	    "t.yaml:1:43: 'url' must be an http:// or https:// URL, not 'ftp://x'",
	    "t.yaml:1:61: a group of kind prometheus has no 'hosts': it shows one host per "
	    "instance its server watches");
	parse_err("groups: [{name: s, kind: prometheus, url: 'http://x', selector: 'job=\"a\"'}]\n",
	    "t.yaml:1:65: 'selector' must be label matchers in braces, e.g. '{job=\"node\"}', "
	    "not 'job=\"a\"'");
	parse_err("groups: [{name: s, hosts: a, url: 'http://x'}]\n",
	    "t.yaml:1:10: 'url' and 'selector' are only for groups of kind prometheus");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_group),
		cmocka_unit_test(test_inherit_and_override),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_flow_style_and_kinds),
		cmocka_unit_test(test_builtin_default),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_example_config),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_scheduler_key),
		cmocka_unit_test(test_err_types),
		cmocka_unit_test(test_err_duration),
		cmocka_unit_test(test_err_range),
		cmocka_unit_test(test_err_duplicate_host),
		cmocka_unit_test(test_err_group_names),
		cmocka_unit_test(test_err_probes),
		cmocka_unit_test(test_err_thresholds),
		cmocka_unit_test(test_threshold_metrics),
		cmocka_unit_test(test_threshold_order),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_all_reported),
		cmocka_unit_test(test_err_anchors_aliases),
		cmocka_unit_test(test_err_top_level),
		cmocka_unit_test(test_err_long_string),
		cmocka_unit_test(test_err_limits),
		cmocka_unit_test(test_bad_empty_file),
		cmocka_unit_test(test_bad_garbage),
		cmocka_unit_test(test_bad_huge_file),
		cmocka_unit_test(test_bad_nested_brackets),
		cmocka_unit_test(test_bad_deep_block_nesting),
		cmocka_unit_test(test_bad_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
