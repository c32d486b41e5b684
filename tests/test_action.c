/*
 * test_action.c: the helpers that put what an operator typed on a remote
 * command line (action.h): shell quoting, run through a real /bin/sh for
 * hostile strings; Slurm node names; drain reasons; the scontrol line,
 * split by a real sh into exactly the words scontrol would get; the :run
 * guard (frame_guarded_command) run by sh with a pipe as its stdin, whose
 * end kills a hanging command; and OpenSSH's argv and config for `S`.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/action.h"
#include "opsdeck/action_run.h"
#include "opsdeck/buf.h"
#include "opsdeck/frame.h"
#include "opsdeck/spawn.h"
#include "opsdeck/util.h"

/* Runs `sh -c script` with stdin from in_fd (or /dev/null); its stdout, malloc'd. */
static char *
sh_out(const char *script, int in_fd, int *status)
{
	int p[2];
	pid_t pid;
	char *cause = NULL, *argv[] = { "sh", "-c", (char *)script, NULL };
	struct buf b;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	const int stdio[3] = { in_fd, p[1], SPAWN_DEVNULL };
	assert_int_equal(spawn_start("/bin/sh", argv, 0, stdio, &pid, &cause), 0);
	close(p[1]);
	buf_init(&b, 0);
	char c[4096];
	ssize_t n;
	while ((n = read(p[0], c, sizeof c)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_append(&b, c, (size_t)n);
	close(p[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (status != NULL)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

static const char *const hostile[] = {
	"plain", "", "it's", "'", "''", "a'b'c", "$(touch /tmp/opsdeck-pwned)", "`id`",
	"a;b|c&d>e<f", "with space  and\ttab", "\"double\" \\back", "*?[x]", "~root",
	"new\nline", "!bang", "${HOME}", "- -x", "\xea\xb0\x80 \xed\x95\x9c\xea\xb8\x80",
	NULL,
};

/* action_sh_quote: sh gives back exactly the string, whatever it holds. */
static void
test_sh_quote(void **state)
{
	(void)state;
	for (int i = 0; hostile[i] != NULL; i++) {
		char *q = action_sh_quote(hostile[i]);
		char *script = xasprintf("printf %%s %s", q);
		char *out = sh_out(script, SPAWN_DEVNULL, NULL);
		if (strcmp(out, hostile[i]) != 0)
			print_message("# %s -> %s -> %s\n", hostile[i], q, out);
		assert_string_equal(out, hostile[i]);
		free(out);
		free(script);
		free(q);
	}
	char *q = action_sh_quote("it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
}

static void
test_node_names(void **state)
{
	static const char *const good[] = { "gpu001", "hpc-r1-n01", "node_7", "n.local", "A",
		NULL };
	static const char *const bad[] = { "", "-x", ".x", "a b", "a;b", "a,b", "a$(x)",
		"a'b", "n[1-2]", "a\nb", "\xea\xb0\x80", "a/b", "a=b", NULL };
	(void)state;
	for (int i = 0; good[i] != NULL; i++)
		assert_true(action_node_name_ok(good[i]));
	for (int i = 0; bad[i] != NULL; i++) {
		if (action_node_name_ok(bad[i]))
			print_message("# accepted: '%s'\n", bad[i]);
		assert_false(action_node_name_ok(bad[i]));
	}
	char longname[ACTION_NODE_MAX + 2];
	memset(longname, 'a', sizeof longname - 1);
	longname[ACTION_NODE_MAX] = '\0';
	assert_true(action_node_name_ok(longname));
	longname[ACTION_NODE_MAX] = 'a';
	longname[ACTION_NODE_MAX + 1] = '\0';
	assert_false(action_node_name_ok(longname));
}

static void
test_reason(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(action_reason_check("disk 'sdb' failed; see RT#42", &cause), 0);
	assert_int_equal(action_reason_check("\xea\xb0\x80\xeb\x82\x98 \xeb\x94\x94\xec\x8a\xa4"
	    "\xed\x81\xac", &cause), 0);
	static const char *const bad[] = { "", "a\nb", "a\rb", "a\tb", "a\x1b[31mred",
		"a\x7f", "\xc2\x85", "a\xe2\x80\xae" "b", "\xff", NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		cause = NULL;
		assert_int_equal(action_reason_check(bad[i], &cause), -1);
		assert_non_null(cause);
		free(cause);
	}
	char big[ACTION_REASON_MAX + 2];
	memset(big, 'r', sizeof big - 1);
	big[ACTION_REASON_MAX] = '\0';
	assert_int_equal(action_reason_check(big, &cause), 0);
	big[ACTION_REASON_MAX] = 'r';
	big[ACTION_REASON_MAX + 1] = '\0';
	assert_int_equal(action_reason_check(big, &cause), -1);
	assert_non_null(strstr(cause, "at most 200"));
	free(cause);
}

/* The words a real sh makes of the scontrol line, a line each. */
static char *
scontrol_words(const char *line)
{
	assert_int_equal(strncmp(line, "scontrol ", 9), 0);
	char *script = xasprintf("for w in x; do printf '%%s\\n' %s; done", line + 9);
	char *out = sh_out(script, SPAWN_DEVNULL, NULL);
	free(script);
	return out;
}

static void
test_scontrol(void **state)
{
	const char *nodes[] = { "gpu001", "gpu002" };
	char *cause = NULL;
	(void)state;

	char *c = action_scontrol_command(nodes, 2, 1, "it's \"bad\"; $(reboot) `x`", &cause);
	assert_non_null(c);
	assert_string_equal(c, "scontrol update NodeName=gpu001,gpu002 State=DRAIN "
	    "Reason='it'\\''s \"bad\"; $(reboot) `x`'");
	char *w = scontrol_words(c);
	assert_string_equal(w, "update\nNodeName=gpu001,gpu002\nState=DRAIN\n"
	    "Reason=it's \"bad\"; $(reboot) `x`\n");
	free(w);
	free(c);

	c = action_scontrol_command(nodes, 1, 0, NULL, &cause);
	assert_string_equal(c, "scontrol update NodeName=gpu001 State=RESUME");
	free(c);

	const char *evil[] = { "gpu001", "gpu002;reboot" };
	assert_null(action_scontrol_command(evil, 2, 0, NULL, &cause));
	assert_non_null(strstr(cause, "'gpu002;reboot' is not a Slurm node name"));
	free(cause);
	cause = NULL;
	assert_null(action_scontrol_command(nodes, 1, 1, "two\nlines", &cause));
	assert_non_null(strstr(cause, "control character"));
	free(cause);
	cause = NULL;
	assert_null(action_scontrol_command(nodes, 1, 1, "", &cause));
	free(cause);
}

/* The :run guard: output and status of the command; stdin's end kills a hung one. */
static void
test_guarded_command(void **state)
{
	int st = 0;
	(void)state;

	char *g = frame_guarded_command("echo out; echo err >&2; exit 3");
	char *out = sh_out(g, SPAWN_DEVNULL, &st);
	assert_string_equal(out, "out\nerr\n");
	assert_int_equal(st, 3);
	free(out);
	free(g);

	/* a pipe for stdin, as sshd gives; closing it ends `sleep` at once */
	char mark[64];
	snprintf(mark, sizeof mark, "sleep 97%d", (int)(getpid() % 1000));
	char *cmd = xasprintf("echo started; %s", mark);
	g = frame_guarded_command(cmd);
	int in[2], op[2];
	/* close-on-exec: the write end must not live on in the child */
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(op, O_CLOEXEC), 0);
	pid_t pid;
	char *cause = NULL, *argv[] = { "sh", "-c", g, NULL };
	const int stdio[3] = { in[0], op[1], SPAWN_DEVNULL };
	assert_int_equal(spawn_start("/bin/sh", argv, 0, stdio, &pid, &cause), 0);
	close(in[0]);
	close(op[1]);
	char buf[64] = "";
	assert_true(read(op[0], buf, sizeof buf - 1) > 0);
	assert_string_equal(buf, "started\n");
	char *pg = xasprintf("pgrep -fx '%s' >/dev/null", mark);
	int runs = 0;
	for (int i = 0; i < 100 && !runs; i++) {
		runs = system(pg) == 0;
		if (!runs)
			usleep(50000);
	}
	assert_true(runs);
	int64_t t0 = now_mono_ms();
	close(in[1]);				/* the channel closes */
	int ended = 0;
	for (int i = 0; i < 100 && !ended; i++) {	/* bounded: a broken guard fails */
		ended = waitpid(pid, &st, WNOHANG) == pid;
		if (!ended)
			usleep(50000);
	}
	if (!ended) {
		kill(-pid, SIGKILL);	/* its process group: the sleep too */
		waitpid(pid, &st, 0);
	}
	assert_true(ended);
	int gone = 0;
	for (int i = 0; i < 100 && !gone; i++) {
		gone = system(pg) != 0;
		if (!gone)
			usleep(50000);
	}
	print_message("# the hung command was gone %lld ms after stdin closed\n",
	    (long long)(now_mono_ms() - t0));
	assert_true(gone);
	close(op[0]);
	free(pg);
	free(cmd);
	free(g);
}

/* A target as ssh_target_resolve makes it, with one ProxyJump hop. */
static void
test_ssh_argv(void **state)
{
	char dir[] = "/tmp/opsdeck-test-action.XXXXXX";
	(void)state;
	assert_non_null(mkdtemp(dir));
	char *key = xasprintf("%s/id key", dir), *missing = xasprintf("%s/missing", dir);
	int fd = open(key, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	char *text = xasprintf("Host bastion\n  HostName 10.0.0.9\n  User jump\n  Port 2200\n"
	    "  IdentityFile %s\n", key);
	struct conn_settings conn = { .user = "ops", .port = 2222, .identity = key,
	    .known_hosts = "/srv/kh 100%", .hostkey_policy = HOSTKEY_ACCEPT_NEW,
	    .timeout_ms = 5000, .jump_channels = 8 };
	conn.known_hosts_at.line = 3;
	struct ssh_target t;
	memset(&t, 0, sizeof t);
	char *cfg = xasprintf("Host gpu001\n  ProxyJump bastion\n  IdentityFile %s\n%s",
	    missing, text);
	ssh_target_resolve(&t, "gpu001", "10.1.0.1", &conn, cfg, strlen(cfg), 5000);
	assert_null(t.jump_error);
	assert_int_equal(t.nhops, 1);

	char *cause = NULL;
	char **v = action_ssh_argv(&t, "/run/cfg", &cause);
	assert_non_null(v);
	struct buf b;
	buf_init(&b, 0);
	for (char **p = v; *p != NULL; p++)
		buf_printf(&b, "[%s]", *p);
	char *want = xasprintf("[ssh][-F][/run/cfg][-l][ops][-p][2222][-i][%s]"
	    "[-o][UserKnownHostsFile=\"/srv/kh 100%%%%\"][-o][StrictHostKeyChecking=accept-new]"
	    "%s[-J][opsdeck-hop-1][--][10.1.0.1]", key,
	    t.known_hosts_explicit ? "[-o][GlobalKnownHostsFile=/dev/null]" : "");
	assert_string_equal(buf_cstr(&b), want);
	free(want);
	buf_free(&b);
	action_argv_free(v);

	char *sc = action_ssh_config(&t, &cause);
	assert_non_null(sc);
	assert_non_null(strstr(sc, "Host *\n\tUserKnownHostsFile \"/srv/kh 100%%\"\n"));
	assert_non_null(strstr(sc, "\tStrictHostKeyChecking accept-new\n"));
	char *hop = xasprintf("Host opsdeck-hop-1\n\tHostName \"10.0.0.9\"\n\tUser \"jump\"\n"
	    "\tPort 2200\n\tIdentityFile \"%s\"\n", key);
	assert_non_null(strstr(sc, hop));
	free(hop);
	free(sc);

	/* a value ssh_config cannot carry is refused, not mangled */
	free(t.known_hosts);
	t.known_hosts = xstrdup("/srv/\"kh");
	assert_null(action_ssh_argv(&t, "/run/cfg", &cause));
	assert_non_null(strstr(cause, "cannot be passed to ssh"));
	free(cause);
	ssh_target_free(&t);
	unlink(key);
	rmdir(dir);
	free(key);
	free(missing);
	free(text);
	free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sh_quote),
		cmocka_unit_test(test_node_names),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_scontrol),
		cmocka_unit_test(test_guarded_command),
		cmocka_unit_test(test_ssh_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
