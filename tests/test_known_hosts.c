/*
 * test_known_hosts.c: the host-key fast path (src/source/known_hosts.c):
 * which entries it vouches for, which it leaves to libssh, and that it
 * follows the file as it changes.
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
#include <unistd.h>

#include "known_hosts.h"
#include "opsdeck/util.h"

#define ED "ssh-ed25519"
#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIKey1"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIKey2"

static char path[] = "/tmp/opsdeck-test-kh.XXXXXX";

static void
write_file(const char *text)
{
	/* A new inode each time, as an editor or ssh-keygen -R would leave it. */
	char *tmp = xasprintf("%s.new", path);
	FILE *fp = fopen(tmp, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
}

static void
test_entries(void **state)
{
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file("# a comment\n"
	    "gpu001,10.0.0.1 " ED " " K1 " comment\n"
	    "[gpu002]:2222 " ED " " K2 "\n"
	    "Mixed.Case " ED " " K1 "\n"
	    "|1|hashedsalt=|hashedname= " ED " " K1 "\n"
	    "gpu*.lab " ED " " K1 "\n");
	assert_int_equal(known_hosts_has(path, "gpu001", ED, K1), 1);
	assert_int_equal(known_hosts_has(path, "10.0.0.1", ED, K1), 1);
	assert_int_equal(known_hosts_has(path, "[gpu002]:2222", ED, K2), 1);
	assert_int_equal(known_hosts_has(path, "mixed.case", ED, K1), 1);
	assert_int_equal(known_hosts_has(path, "GPU001", ED, K1), 1);
	/* Another key, port, type or name: libssh decides. */
	assert_int_equal(known_hosts_has(path, "gpu001", ED, K2), 0);
	assert_int_equal(known_hosts_has(path, "gpu002", ED, K2), 0);
	assert_int_equal(known_hosts_has(path, "gpu001", "ssh-rsa", K1), 0);
	assert_int_equal(known_hosts_has(path, "gpu003.lab", ED, K1), 0);	/* a pattern */
	assert_int_equal(known_hosts_has(path, "nosuch", ED, K1), 0);
	assert_int_equal(known_hosts_has("/nonexistent/known_hosts", "gpu001", ED, K1), 0);

	/* The types to offer first. */
	write_file("gpu001 " ED " " K1 "\ngpu001 ssh-rsa AAAAB3Nza\n[gpu002]:2222 " ED " " K2
	    "\n");
	char *t = known_hosts_types(path, "GPU001");
	assert_non_null(t);
	assert_string_equal(t, "ssh-ed25519,ssh-rsa");
	free(t);
	t = known_hosts_types(path, "[gpu002]:2222");
	assert_string_equal(t, "ssh-ed25519");
	free(t);
	assert_null(known_hosts_types(path, "gpu002"));
	assert_null(known_hosts_types(path, "gpu00"));
}

static void
test_follows_changes(void **state)
{
	(void)state;
	write_file("gpu001 " ED " " K1 "\n");
	assert_int_equal(known_hosts_has(path, "gpu001", ED, K1), 1);
	/* ssh-keygen -R, then a new key: the old one is no longer vouched for. */
	write_file("gpu001 " ED " " K2 "\n");
	assert_int_equal(known_hosts_has(path, "gpu001", ED, K1), 0);
	assert_int_equal(known_hosts_has(path, "gpu001", ED, K2), 1);
	/* Markers (@revoked, @cert-authority) are libssh's to weigh: no fast path. */
	write_file("@revoked gpu001 " ED " " K2 "\ngpu001 " ED " " K2 "\n");
	assert_int_equal(known_hosts_has(path, "gpu001", ED, K2), 0);
	known_hosts_forget();
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_follows_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
