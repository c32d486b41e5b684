/*
 * test_probe_nvidia.c: the nvidia probe's parser on real nvidia-smi captures
 * of three GPU generations (Turing, Ada, Hopper; MIG on and off; with
 * nvidia-smi's header and units; tests/fixtures/nvidia/README says where
 * each came from), on written 8 x H100, A100 MIG and GeForce outputs, a node
 * without nvidia-smi, a node whose driver is not loaded, and bad lines and
 * values (each costs only itself). A value nvidia-smi cannot give is -1,
 * never 0.
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

#define MIB(x) ((int64_t)(x) * 1024 * 1024)

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
	assert_true(g->throttle_reasons == GPU_THROTTLE_UNKNOWN);	/* [Not Supported] */
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
	assert_string_equal(cause, "no GPU in nvidia-smi's output; first problem: line 1: "
	    "expected 12 fields, got 1: "
	    "'NVIDIA-SMI has failed because it couldn't communicate with t...'");
	assert_int_equal(r.ngpus, 0);
	assert_int_equal(r.has_gpu_probe, 0);	/* not "0 GPUs": unknown */
	assert_null(r.warnings);
	free(cause);
	report_free(&r);
}

/* Bad lines and values cost only themselves: the GPU or the value, with a warning. */
static void
test_garbage(void **state)
{
	struct host_report r;
	char *cause;
	const char *ok = "0, GPU-a, NVIDIA H100 80GB HBM3, 1, 2, 3, 81559, 30, 70.00, 700.00, 0, "
	    "0x0000000000000000\n";
	char *s = xasprintf("%s\ngarbage here\n", ok);
	assert_int_equal(parse_str(s, &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.ngpus, 1);
	assert_string_equal(r.warnings, "nvidia: line 3: expected 12 fields, got 1: 'garbage here'");
	free(s);
	report_free(&r);
	/* one bad value: that value unknown, the GPU stays */
	assert_int_equal(parse_str("0, u, n, 1x, 2, 3, 4, 5, 6, 7, 0, 0x0\n", &r, &cause), 0);
	assert_int_equal(r.ngpus, 1);
	assert_true(r.gpus[0].util_pct == -1 && r.gpus[0].mem_util_pct == 2);
	assert_true(r.gpus[0].mem_used_bytes == MIB(3) && r.gpus[0].temp_c == 5);
	assert_string_equal(r.warnings, "nvidia: line 1: GPU 0: bad utilization.gpu '1x'");
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1, 2, 3, 4, 5, 6, 7, 0, 0xZZ\n", &r, &cause), 0);
	assert_true(r.gpus[0].throttle_reasons == GPU_THROTTLE_UNKNOWN);
	assert_string_equal(r.warnings,
	    "nvidia: line 1: GPU 0: bad clocks_throttle_reasons.active '0xZZ'");
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1, 2, 3, 4, 5, 6, 7, -3, 0x0\n", &r, &cause), 0);
	assert_int_equal(r.gpus[0].ecc_uncorrected, -1);
	assert_string_equal(r.warnings,
	    "nvidia: line 1: GPU 0: bad ecc.errors.uncorrected.volatile.total '-3'");
	report_free(&r);
	assert_int_equal(parse_str("0, u, n, 1, 2, 99999999999999999, 4, 5, 6, 7, 0, 0x0\n", &r,
	    &cause), 0);
	assert_true(r.gpus[0].mem_used_bytes == -1 && r.gpus[0].mem_total_bytes == MIB(4));
	report_free(&r);
	/* no index: not a GPU; the only line, so the output is refused */
	assert_int_equal(parse_str("x, u, n, 1, 2, 3, 4, 5, 6, 7, 0, 0x0\n", &r, &cause), -1);
	assert_string_equal(cause, "no GPU in nvidia-smi's output; first problem: line 1: "
	    "bad index 'x'");
	free(cause);
	report_free(&r);
	/* 13 fields: a comma in a name would shift every field, so the row is refused */
	assert_int_equal(parse_str("0, u, n, x, 1, 2, 3, 4, 5, 6, 7, 0, 0x0\n"
	    "1, u, n, 1, 2, 3, 4, 5, 6, 7, 0, 0x0\n", &r, &cause), 0);
	assert_int_equal(r.ngpus, 1);
	assert_int_equal(r.gpus[0].index, 1);
	assert_int_equal(r.nwarnings, 1);
	report_free(&r);
}

/* One real capture: its only GPU. */
static const struct gpu_sample *
one_gpu(const char *name, struct host_report *r)
{
	char *cause;
	assert_int_equal(parse_fixture(name, r, &cause), 0);
	assert_null(cause);
	assert_null(r->warnings);
	assert_int_equal(r->ngpus, 1);
	assert_int_equal(r->gpus[0].index, 0);
	assert_string_equal(r->gpus[0].uuid, "GPU-00000000-0000-0000-0000-000000000000");
	return &r->gpus[0];
}

/* Turing: GeForce RTX 2080 SUPER, drivers 595 and 610, no ECC ([N/A]). */
static void
test_real_turing(void **state)
{
	struct host_report r;
	const struct gpu_sample *g = one_gpu("turing-rtx2080super-595.71.05-idle.csv", &r);
	assert_string_equal(g->name, "NVIDIA GeForce RTX 2080 SUPER");
	assert_true(g->util_pct == 0 && g->mem_util_pct == 9);
	assert_true(g->mem_used_bytes == MIB(214) && g->mem_total_bytes == MIB(8192));
	assert_true(g->temp_c == 40 && g->power_w == 39.32 && g->power_limit_w == 250);
	assert_int_equal(g->ecc_uncorrected, -1);
	assert_true(g->throttle_reasons == 0x4);	/* clocks_event_reasons.active */
	report_free(&r);
	g = one_gpu("turing-rtx2080super-610.57.04-load.csv", &r);
	assert_true(g->util_pct == 8 && g->mem_util_pct == 3);
	assert_true(g->mem_used_bytes == MIB(815) && g->temp_c == 38 && g->power_w == 98.14);
	assert_int_equal(g->ecc_uncorrected, -1);
	assert_true(g->throttle_reasons == 0);
	report_free(&r);
}

/* Ada: GeForce RTX 4080 SUPER and L40S (ECC on). */
static void
test_real_ada(void **state)
{
	struct host_report r;
	const struct gpu_sample *g = one_gpu("ada-rtx4080super-595.71.05-idle.csv", &r);
	assert_string_equal(g->name, "NVIDIA GeForce RTX 4080 SUPER");
	assert_true(g->util_pct == 0 && g->mem_util_pct == 23);
	assert_true(g->mem_used_bytes == MIB(596) && g->mem_total_bytes == MIB(16376));
	assert_true(g->temp_c == 43 && g->power_w == 26.20 && g->power_limit_w == 320);
	assert_true(g->throttle_reasons == 0x1);
	report_free(&r);
	g = one_gpu("ada-l40s-595.80-load.csv", &r);
	assert_string_equal(g->name, "NVIDIA L40S");
	assert_true(g->util_pct == 9 && g->mem_util_pct == 2);
	assert_true(g->mem_used_bytes == MIB(1235) && g->mem_total_bytes == MIB(46068));
	assert_true(g->temp_c == 54 && g->power_w == 110.23 && g->power_limit_w == 350);
	assert_int_equal(g->ecc_uncorrected, 0);
	report_free(&r);
}

/* Hopper: H100 and H200, MIG off and on (MIG: utilisation [N/A] -> unknown, not 0). */
static void
test_real_hopper_mig(void **state)
{
	struct host_report r;
	const struct gpu_sample *g = one_gpu("hopper-h100-590.48.01-load.csv", &r);
	assert_string_equal(g->name, "NVIDIA H100 80GB HBM3");
	assert_true(g->util_pct == 100 && g->mem_util_pct == 11);
	assert_true(g->mem_used_bytes == MIB(19818) && g->mem_total_bytes == MIB(81559));
	assert_true(g->temp_c == 59 && g->power_w == 631.95 && g->power_limit_w == 700);
	assert_int_equal(g->ecc_uncorrected, 0);
	report_free(&r);
	g = one_gpu("hopper-h100-mig-590.48.01-idle.csv", &r);
	assert_true(g->util_pct == -1 && g->mem_util_pct == -1);
	assert_true(g->mem_used_bytes == MIB(59) && g->temp_c == 42 && g->power_w == 71.15);
	assert_true(g->throttle_reasons == 0x1);
	report_free(&r);
	g = one_gpu("hopper-h100-mig-590.48.01-load.csv", &r);
	assert_true(g->util_pct == -1 && g->mem_util_pct == -1);
	assert_true(g->mem_used_bytes == MIB(11125) && g->power_w == 433.78);
	report_free(&r);
	g = one_gpu("hopper-h200-590.48.01-load.csv", &r);
	assert_string_equal(g->name, "NVIDIA H200");
	assert_true(g->util_pct == 100 && g->mem_util_pct == 7);
	assert_true(g->mem_used_bytes == MIB(32362) && g->mem_total_bytes == MIB(143771));
	assert_true(g->temp_c == 52 && g->power_w == 627.40);
	report_free(&r);
	g = one_gpu("hopper-h200-mig-590.48.01-load.csv", &r);
	assert_true(g->util_pct == -1 && g->mem_util_pct == -1);
	assert_true(g->mem_used_bytes == MIB(16959) && g->mem_total_bytes == MIB(143771));
	assert_true(g->temp_c == 36 && g->power_w == 295.01);
	report_free(&r);
}

/* A header lacking some fields: those are unknown for every GPU, with one warning each. */
static void
test_header_columns(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_str("name, index, memory.used [MiB], power.draw [W], uuid\n"
	    "Tesla T4, 3, 15 MiB, 9.87 W, GPU-x\n", &r, &cause), 0);
	assert_int_equal(r.ngpus, 1);
	assert_int_equal(r.gpus[0].index, 3);
	assert_string_equal(r.gpus[0].name, "Tesla T4");
	assert_true(r.gpus[0].mem_used_bytes == MIB(15) && r.gpus[0].power_w == 9.87);
	assert_true(r.gpus[0].mem_total_bytes == -1 && r.gpus[0].temp_c == -1);
	assert_true(r.gpus[0].throttle_reasons == GPU_THROTTLE_UNKNOWN);
	assert_int_equal(r.warnings_total, 7);
	assert_non_null(strstr(r.warnings, "nvidia: line 1: no column memory.total: "
	    "unknown for every GPU"));
	report_free(&r);
	/* no "index" column: not a header (a fuzzer found this crashing); refused */
	assert_int_equal(parse_str("uuid, name\nGPU-x, T4\n", &r, &cause), -1);
	assert_int_equal(r.ngpus, 0);
	free(cause);
	report_free(&r);
	/* a header and no GPU: zero GPUs, an answer */
	assert_int_equal(parse_str("index, uuid, name\n", &r, &cause), 0);
	assert_int_equal(r.ngpus, 0);
	assert_int_equal(r.has_gpu_probe, 1);
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
		cmocka_unit_test(test_real_turing),
		cmocka_unit_test(test_real_ada),
		cmocka_unit_test(test_real_hopper_mig),
		cmocka_unit_test(test_header_columns),
		cmocka_unit_test(test_names_sanitised_and_capped),
		cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
