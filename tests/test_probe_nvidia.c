/*
 * test_probe_nvidia.c: the nvidia probe's parser on nvidia-smi CSV from an
 * 8 x H100 node, an A100 node with MIG, GeForce cards with unsupported
 * fields, a node without nvidia-smi, and a node whose driver is not loaded.
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

#include "opsdeck/buf.h"
#include "opsdeck/probe.h"
#include "opsdeck/util.h"

#define MIB(x) ((uint64_t)(x) * 1024 * 1024)

/* Parses tests/fixtures/nvidia/NAME (exactly its bytes) into r; returns parse's result. */
static int
parse_fixture(const char *name, struct host_report *r, char **cause)
{
	char *path = xasprintf("%s/nvidia/%s", getenv("FIXTURES"), name);
	char *data;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, cause) != 0)
		fail_msg("%s", *cause);
	char *exact = xmalloc(len ? len : 1);
	memcpy(exact, data, len);
	memset(r, 0, sizeof *r);
	*cause = NULL;
	int rc = probe_nvidia.parse(exact, len, r, cause);
	free(exact);
	free(data);
	free(path);
	return rc;
}

static int
parse_str(const char *s, struct host_report *r, char **cause)
{
	memset(r, 0, sizeof *r);
	*cause = NULL;
	return probe_nvidia.parse(s, strlen(s), r, cause);
}

static void
test_h100_node(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("h100-8gpu.csv", &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.has_gpu_probe, 1);
	assert_int_equal(r.ngpus, 8);
	const struct gpu_sample *g = &r.gpus[0];
	assert_int_equal(g->index, 0);
	assert_string_equal(g->uuid, "GPU-4c3b2a1f-0e9d-8c7b-6a59-483726150f4e");
	assert_string_equal(g->name, "NVIDIA H100 80GB HBM3");
	assert_true(g->util_pct == 100 && g->mem_util_pct == 43);
	assert_int_equal(g->mem_used_bytes, MIB(62345));
	assert_int_equal(g->mem_total_bytes, MIB(81559));
	assert_true(g->temp_c == 61 && g->power_w == 687.23 && g->power_limit_w == 700.0);
	assert_int_equal(g->ecc_uncorrected, 0);
	assert_int_equal(g->throttle_reasons, 0);
	/* GPU 1: SW power cap (0x4) */
	assert_int_equal(r.gpus[1].throttle_reasons, 0x4);
	/* GPU 4 idle: 0x1 GPU idle, 4 MiB used, 69.84 W */
	assert_int_equal(r.gpus[4].index, 4);
	assert_true(r.gpus[4].util_pct == 0 && r.gpus[4].power_w == 69.84);
	assert_int_equal(r.gpus[4].mem_used_bytes, MIB(4));
	assert_int_equal(r.gpus[4].throttle_reasons, 0x1);
	/* GPU 6 hot: SW thermal slowdown (0x20), 2 uncorrected ECC errors */
	assert_int_equal(r.gpus[6].throttle_reasons, 0x20);
	assert_int_equal(r.gpus[6].ecc_uncorrected, 2);
	assert_true(r.gpus[6].temp_c == 84);
	assert_int_equal(r.gpus[7].index, 7);
	assert_string_equal(r.gpus[7].uuid, "GPU-13579bdf-0246-48ac-9e1d-3f5b7d9a1c2e");
	report_free(&r);
}

static void
test_a100_mig(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("a100-mig.csv", &r, &cause), 0);
	assert_int_equal(r.ngpus, 2);
	/* MIG on: utilisation is [N/A] */
	assert_true(r.gpus[0].util_pct == -1 && r.gpus[0].mem_util_pct == -1);
	assert_int_equal(r.gpus[0].mem_used_bytes, MIB(19873));
	assert_int_equal(r.gpus[0].mem_total_bytes, MIB(81920));
	assert_true(r.gpus[0].power_w == 118.25 && r.gpus[0].power_limit_w == 400);
	assert_string_equal(r.gpus[0].name, "NVIDIA A100-SXM4-80GB");
	/* MIG off on GPU 1 */
	assert_true(r.gpus[1].util_pct == 37 && r.gpus[1].mem_util_pct == 12);
	report_free(&r);
}

static void
test_geforce_not_supported(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("geforce-not-supported.csv", &r, &cause), 0);
	assert_int_equal(r.ngpus, 2);
	assert_string_equal(r.gpus[0].name, "NVIDIA GeForce RTX 3090");
	assert_int_equal(r.gpus[0].ecc_uncorrected, -1);	/* [N/A]: no ECC */
	assert_true(r.gpus[0].util_pct == 12 && r.gpus[0].power_w == 32.51);
	const struct gpu_sample *g = &r.gpus[1];
	assert_string_equal(g->name, "GeForce GT 710");
	assert_true(g->util_pct == -1 && g->mem_util_pct == -1);
	assert_true(g->power_w == -1 && g->power_limit_w == -1);
	assert_true(g->temp_c == 40);
	assert_int_equal(g->mem_used_bytes, MIB(212));
	assert_int_equal(g->mem_total_bytes, MIB(2002));
	assert_int_equal(g->ecc_uncorrected, -1);
	assert_int_equal(g->throttle_reasons, 0);
	report_free(&r);
}

static void
test_no_nvidia_smi(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("empty.csv", &r, &cause), 0);
	assert_int_equal(r.has_gpu_probe, 1);	/* zero GPUs is an answer */
	assert_int_equal(r.ngpus, 0);
	report_free(&r);
	/* what frame_script's "\n@@end" leaves: one blank line */
	assert_int_equal(parse_str("\n", &r, &cause), 0);
	assert_int_equal(r.ngpus, 0);
	assert_int_equal(r.has_gpu_probe, 1);
	report_free(&r);
}

static void
test_driver_not_loaded(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("driver-not-loaded.txt", &r, &cause), -1);
	assert_string_equal(cause, "nvidia line 1: expected 12 fields, got 1: "
	    "'NVIDIA-SMI has failed because it couldn't communicate with t...'");
	free(cause);
	report_free(&r);
}

static void
test_garbage(void **state)
{
	struct host_report r;
	char *cause;
	const char *ok = "0, GPU-a, NVIDIA H100 80GB HBM3, 1, 2, 3, 81559, 30, 70.00, 700.00, 0, "
	    "0x0000000000000000\n";
	char *s = xasprintf("%s\ngarbage here\n", ok);
	assert_int_equal(parse_str(s, &r, &cause), -1);
	assert_string_equal(cause, "nvidia line 3: expected 12 fields, got 1: 'garbage here'");
	assert_int_equal(r.ngpus, 1);	/* what came before stays, for report_free */
	free(cause);
	free(s);
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1x, 2, 3, 4, 5, 6, 7, 0, 0x0\n", &r, &cause), -1);
	assert_string_equal(cause, "nvidia line 1: bad utilization.gpu '1x'");
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1, 2, 3, 4, 5, 6, 7, 0, 0xZZ\n", &r, &cause), -1);
	assert_string_equal(cause, "nvidia line 1: bad clocks_throttle_reasons.active '0xZZ'");
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1, 2, 3, 4, 5, 6, 7, -3, 0x0\n", &r, &cause), -1);
	assert_string_equal(cause,
	    "nvidia line 1: bad ecc.errors.uncorrected.volatile.total '-3'");
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str("x, u, n, 1, 2, 3, 4, 5, 6, 7, 0, 0x0\n", &r, &cause), -1);
	assert_string_equal(cause, "nvidia line 1: bad index 'x'");
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1, 2, 99999999999999999, 4, 5, 6, 7, 0, 0x0\n", &r,
	    &cause), -1);
	assert_string_equal(cause, "nvidia line 1: bad memory.used '99999999999999999'");
	free(cause);
	report_free(&r);
	/* 13 fields: a comma in a name would shift every field, so it is refused */
	assert_int_equal(parse_str("0, u, n, x, 1, 2, 3, 4, 5, 6, 7, 0, 0x0\n", &r, &cause), -1);
	free(cause);
	report_free(&r);
}

static void
test_names_sanitised_and_capped(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < PROBE_MAX_GPUS + 5; i++)
		buf_printf(&b, "%d, GPU-%d, \033]0;pwned\007 GPU\xe2\x80\xae, "
		    "1, 2, 3, 4, 5, 6, 7, 0, 0x0\r\n", i, i);
	struct host_report r;
	char *cause = NULL;
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_nvidia.parse(b.data, b.len, &r, &cause), 0);
	assert_int_equal(r.ngpus, PROBE_MAX_GPUS);
	assert_string_equal(r.gpus[0].name, "\xef\xbf\xbd]0;pwned\xef\xbf\xbd GPU\xef\xbf\xbd");
	assert_int_equal(r.gpus[63].index, 63);
	/* a second parse replaces the GPUs */
	assert_int_equal(probe_nvidia.parse("", 0, &r, &cause), 0);
	assert_int_equal(r.ngpus, 0);
	report_free(&r);
	buf_free(&b);
}

static void
test_command(void **state)
{
	assert_non_null(strstr(probe_nvidia.command, "--format=csv,noheader,nounits"));
	assert_non_null(strstr(probe_nvidia.command, "|| true"));
	/* the command exits 0 where nvidia-smi is missing, and prints nothing then */
	char *cmd = xasprintf("PATH=/nonexistent; %s", probe_nvidia.command);
	FILE *fp = popen(cmd, "r");
	char out[64];
	size_t n = fread(out, 1, sizeof out, fp);
	assert_int_equal(pclose(fp), 0);
	assert_int_equal(n, 0);
	free(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h100_node),
		cmocka_unit_test(test_a100_mig),
		cmocka_unit_test(test_geforce_not_supported),
		cmocka_unit_test(test_no_nvidia_smi),
		cmocka_unit_test(test_driver_not_loaded),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_names_sanitised_and_capped),
		cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
