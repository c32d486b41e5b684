/*
 * test_shard.c: `--shard K/N` and `shard:` (shard.c). For N = 1..8, the
 * shards of a 5,000-host config hold every host exactly once, none is
 * empty or lopsided, and the hash is the one every collector must agree on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/diag.h"
#include "opsdeck/util.h"

static const char fleet_yaml[] =
	"groups:\n"
	"  - name: gpu\n"
	"    hosts: gpu[0001-3000]\n"
	"  - name: cpu\n"
	"    hosts: [\"cpu[001-999]\", \"10.1.[0-3].[1-250]\"]\n";

static struct config *
parse(const char *text, struct diag *d)
{
	diag_init(d, "t.yaml");
	return config_parse("t.yaml", text, strlen(text), d);
}

/* Names of every host of c, in config order. */
static char **
names(const struct config *c, size_t *n)
{
	char **v = xcalloc(c->nhosts + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < c->ngroups; i++)
		for (size_t j = 0; j < c->groups[i].nhosts; j++)
			v[(*n)++] = xstrdup(c->groups[i].hosts[j].name);
	return v;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_every_host_once(void **state)
{
	(void)state;
	struct diag d;
	struct config *all = parse(fleet_yaml, &d);
	assert_non_null(all);
	diag_free(&d);
	size_t ntotal;
	char **total = names(all, &ntotal);
	assert_int_equal(ntotal, 4999);
	qsort(total, ntotal, sizeof *total, cmp_str);

	for (int n = 1; n <= 8; n++) {
		char **got = xcalloc(ntotal + 1, sizeof *got);
		size_t ngot = 0;
		for (int k = 1; k <= n; k++) {
			struct config *c = parse(fleet_yaml, &d);
			assert_non_null(c);
			diag_free(&d);
			config_apply_shard(c, k, n);
			size_t m;
			char **v = names(c, &m);
			assert_int_equal(m, c->nhosts);
			/* not empty, not lopsided: within half and double the mean */
			assert_true(m * 2 * (size_t)n >= ntotal);
			assert_true(m * (size_t)n <= 2 * ntotal);
			for (size_t i = 0; i < m; i++) {
				assert_int_equal(shard_of(v[i], n), k);
				assert_true(ngot < ntotal);
				got[ngot++] = v[i];
			}
			free(v);
			config_free(c);
		}
		/* every host once: the union, sorted, is the fleet */
		assert_int_equal(ngot, ntotal);
		qsort(got, ngot, sizeof *got, cmp_str);
		for (size_t i = 0; i < ntotal; i++)
			assert_string_equal(got[i], total[i]);
		for (size_t i = 0; i < ngot; i++)
			free(got[i]);
		free(got);
	}
	for (size_t i = 0; i < ntotal; i++)
		free(total[i]);
	free(total);
	config_free(all);
}

/*
 * The hash is part of the interface: collectors of different releases or
 * machines must put a host in the same shard. FNV-1a 64 of "gpu0001",
 * computed independently: python3 -c 'h=14695981039346656037
 * for b in b"gpu0001": h=((h^b)*1099511628211)%2**64
 * print(h)'
 */
static void
test_hash_is_stable(void **state)
{
	(void)state;
	assert_true(shard_hash("") == 14695981039346656037ULL);
	assert_true(shard_hash("gpu0001") == 6396107208506347954ULL);
	assert_int_equal(shard_of("gpu0001", 1), 1);
	assert_int_equal(shard_of("gpu0001", 7), (int)(6396107208506347954ULL % 7) + 1);
}

static void
test_parse(void **state)
{
	(void)state;
	int k, n;
	char *cause = NULL;
	assert_int_equal(shard_parse("2/4", &k, &n, &cause), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 4);
	assert_int_equal(shard_parse("1/1", &k, &n, &cause), 0);
	static const char *const bad[] = { "0/4", "5/4", "4", "/4", "2/", "a/4", "2/4x",
		"-1/4", "1/1025", " 1/2", "1/2 " };
	for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++) {
		assert_int_equal(shard_parse(bad[i], &k, &n, &cause), -1);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
	}
}

static void
test_config_key(void **state)
{
	(void)state;
	struct diag d;
	struct config *c = parse("shard: 3/8\nlisten: 127.0.0.1:9464\n"
	    "groups: [{name: g, hosts: a}]\n", &d);
	assert_non_null(c);
	assert_int_equal(c->shard_k, 3);
	assert_int_equal(c->shard_n, 8);
	assert_string_equal(c->listen, "127.0.0.1:9464");
	diag_free(&d);
	config_free(c);
	c = parse("groups: [{name: g, hosts: a}]\nshard: 9/8\n", &d);
	assert_null(c);
	assert_int_equal(diag_count(&d), 1);
	assert_int_equal(d.v[0].line, 2);
	assert_non_null(strstr(d.v[0].msg, "1 <= K <= N"));
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_host_once),
		cmocka_unit_test(test_hash_is_stable),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_config_key),
	};
	return cmocka_run_group_tests_name("shard", tests, NULL, NULL);
}
