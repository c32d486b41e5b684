/*
 * test_ssh_jump.c: ProxyJump chains into hops (ssh_target_resolve): each
 * hop's HostName, User, Port and IdentityFile from ~/.ssh/config, what the
 * chain writes winning, the first hop's own ProxyJump, loops and malformed
 * hops refused with a reason, and the hop labels that messages name.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opsdeck/ssh.h"

static const char cfg[] =
	"Host bastion\n"
	"    HostName bastion.aidc.example\n"
	"    User ops\n"
	"    Port 2222\n"
	"    IdentityFile ~/.ssh/id_bastion\n"
	"Host gpu*\n"
	"    ProxyJump bastion\n"
	"Host tb-*\n"
	"    ProxyJump admin@bastion:2022,jump2\n"
	"Host inner\n"
	"    ProxyJump outer\n"
	"Host outer\n"
	"    HostName 10.0.0.1\n"
	"Host deep\n"
	"    ProxyJump inner,last\n"
	"Host loop1\n"
	"    ProxyJump loop2\n"
	"Host loop2\n"
	"    ProxyJump loop1\n"
	"Host looped\n"
	"    ProxyJump loop1\n"
	"Host v6\n"
	"    ProxyJump ssh://me@[fd00::1]:2200,fd00::2\n"
	"Host off\n"
	"    ProxyJump none\n";

/* Resolves name with cfg; conn has `identity` set when ident is not NULL. */
static void
resolve(struct ssh_target *t, const char *name, const char *ident, const char *text)
{
	struct conn_settings cs;

	memset(&cs, 0, sizeof cs);
	cs.port = 22;
	cs.identity = (char *)ident;
	setenv("HOME", "/home/me", 1);
	ssh_target_resolve(t, name, NULL, &cs, text, strlen(text), 3000);
}

static void
test_one_hop(void **state)
{
	(void)state;
	struct ssh_target t;

	resolve(&t, "gpu001", "/keys/opsdeck", cfg);
	assert_null(t.jump_error);
	assert_int_equal(t.nhops, 1);
	assert_string_equal(t.proxyjump, "bastion");
	assert_string_equal(t.hops[0].hostname, "bastion.aidc.example");
	assert_string_equal(t.hops[0].user, "ops");
	assert_int_equal(t.hops[0].port, 2222);
	assert_string_equal(t.hops[0].label, "bastion:2222");
	/* the hop's own IdentityFile first, then opsdeck's identity */
	assert_int_equal(t.hops[0].nidentity, 2);
	assert_string_equal(t.hops[0].identity[0], "/home/me/.ssh/id_bastion");
	assert_string_equal(t.hops[0].identity[1], "/keys/opsdeck");
	assert_int_equal(t.jump_channels, SSH_JUMP_CHANNELS);
	ssh_target_free(&t);
}

static void
test_two_hops_written_wins(void **state)
{
	(void)state;
	struct ssh_target t;

	resolve(&t, "tb-01", NULL, cfg);
	assert_null(t.jump_error);
	assert_int_equal(t.nhops, 2);
	/* USER@ and :PORT as written win over the hop's User and Port */
	assert_string_equal(t.hops[0].user, "admin");
	assert_int_equal(t.hops[0].port, 2022);
	assert_string_equal(t.hops[0].hostname, "bastion.aidc.example");
	assert_string_equal(t.hops[0].label, "bastion:2022");
	/* a hop with no config: its name, port 22, the default key files */
	assert_string_equal(t.hops[1].hostname, "jump2");
	assert_int_equal(t.hops[1].port, 22);
	assert_string_equal(t.hops[1].label, "jump2");
	assert_int_equal(t.hops[1].nidentity, 3);
	assert_string_equal(t.hops[1].identity[0], "/home/me/.ssh/id_ed25519");
	ssh_target_free(&t);
}

static void
test_first_hop_own_jump(void **state)
{
	(void)state;
	struct ssh_target t;

	/* deep -> inner,last; inner's own ProxyJump outer comes first */
	resolve(&t, "deep", NULL, cfg);
	assert_null(t.jump_error);
	assert_int_equal(t.nhops, 3);
	assert_string_equal(t.hops[0].hostname, "10.0.0.1");
	assert_string_equal(t.hops[0].label, "outer");
	assert_string_equal(t.hops[1].hostname, "inner");
	assert_string_equal(t.hops[2].hostname, "last");
	ssh_target_free(&t);
}

static void
test_loop_refused(void **state)
{
	(void)state;
	struct ssh_target t;

	resolve(&t, "looped", NULL, cfg);
	assert_non_null(t.jump_error);
	assert_non_null(strstr(t.jump_error, "more than 8 hops"));
	assert_int_equal(t.nhops, 0);
	ssh_target_free(&t);
}

static void
test_ipv6_and_uri(void **state)
{
	(void)state;
	struct ssh_target t;

	resolve(&t, "v6", NULL, cfg);
	assert_null(t.jump_error);
	assert_int_equal(t.nhops, 2);
	assert_string_equal(t.hops[0].user, "me");
	assert_string_equal(t.hops[0].hostname, "fd00::1");
	assert_int_equal(t.hops[0].port, 2200);
	assert_string_equal(t.hops[1].hostname, "fd00::2");	/* bare: no port */
	assert_int_equal(t.hops[1].port, 22);
	ssh_target_free(&t);

	resolve(&t, "off", NULL, cfg);
	assert_null(t.proxyjump);
	assert_int_equal(t.nhops, 0);
	assert_null(t.jump_error);
	ssh_target_free(&t);
}

static void
test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"host:0", "host:70000", "host:x", "host:", "@host", "[fd00::1", "[fd00::1]x",
		"a/b", ",", "u@:22",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128];
		struct ssh_target t;
		snprintf(text, sizeof text, "Host x\n    ProxyJump \"%s\"\n", bad[i]);
		resolve(&t, "x", NULL, text);
		if (t.jump_error == NULL)
			print_message("# accepted: %s\n", bad[i]);
		assert_non_null(t.jump_error);
		assert_non_null(strstr(t.jump_error, "ProxyJump"));
		assert_int_equal(t.nhops, 0);
		ssh_target_free(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_hop),
		cmocka_unit_test(test_two_hops_written_wins),
		cmocka_unit_test(test_first_hop_own_jump),
		cmocka_unit_test(test_loop_refused),
		cmocka_unit_test(test_ipv6_and_uri),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
