/*
 * test_probe_nvidia_procs.c: who is on each GPU. The nvidia probe's
 * compute-apps and owners sections on real `nvidia-smi --query-compute-apps`
 * captures (Hopper H100 with and without MIG, Ada L40S, a GeForce under
 * Windows whose used memory is [N/A]; tests/fixtures/nvidia/README), with
 * written owners lines that carry real /proc/PID/cgroup lines of Slurm jobs
 * (tests/fixtures/cgroup/README), and a written file of bad lines, each of
 * which costs only itself. The Slurm job of a cgroup file is read from real
 * cgroup v1 and v2 files.
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

/* Reads tests/fixtures/DIR/NAME into a malloc'd buffer of exactly its bytes. */
static char *
fixture(const char *dir, const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s/%s", getenv("FIXTURES"), dir, name);
	char *data, *cause = NULL;
	if (read_file(path, 1 << 22, &data, len, &cause) != 0)
		fail_msg("%s", cause);
	char *exact = xmalloc(*len ? *len : 1);
	memcpy(exact, data, *len);
	free(data);
	free(path);
	return exact;
}

/* Parses tests/fixtures/nvidia/NAME into r; fails the test when the parse fails. */
static void
parse_fixture(const char *name, struct host_report *r)
{
	size_t len;
	char *data = fixture("nvidia", name, &len), *cause = NULL;
	memset(r, 0, sizeof *r);
	assert_int_equal(probe_nvidia.parse(data, len, r, &cause), 0);
	assert_null(cause);
	free(data);
}

/* The job of tests/fixtures/cgroup/NAME, "" when none. */
static void
cgroup_job(const char *name, char *job, size_t joblen)
{
	size_t len;
	char *data = fixture("cgroup", name, &len);
	job[0] = '\0';
	int found = probe_cgroup_slurm_job(data, len, job, joblen);
	assert_int_equal(found, job[0] != '\0');
	free(data);
}

static void
test_real_h100_with_owners(void **state)
{
	struct host_report r;
	(void)state;
	parse_fixture("procs-hopper-h100-590.48.01-load.txt", &r);
	assert_int_equal(r.ngpus, 1);
	assert_int_equal(r.nprocs, 3);
	assert_null(r.warnings);
	const struct gpu_proc *p = r.procs;
	assert_int_equal(p[0].gpu, 0);
	assert_int_equal(p[0].pid, 11327);
	assert_string_equal(p[0].name, "/root/tools/memhog");
	assert_int_equal(p[0].mem_used_bytes, MIB(2566));
	assert_string_equal(p[0].user, "alice");
	assert_string_equal(p[0].job, "1392969");	/* its cgroup (Fox, cgroup v2) */
	assert_int_equal(p[1].pid, 11328);
	assert_int_equal(p[1].mem_used_bytes, MIB(1542));
	assert_string_equal(p[1].job, "1392969");	/* SLURM_JOB_ID of its environment */
	assert_int_equal(p[2].pid, 11345);
	assert_string_equal(p[2].name, "./gpu_burn");
	assert_int_equal(p[2].mem_used_bytes, MIB(15690));
	assert_string_equal(p[2].user, "root");
	assert_string_equal(p[2].job, "");		/* outside Slurm */
	report_free(&r);
}

static void
test_real_l40s_cgroup_v1(void **state)
{
	struct host_report r;
	(void)state;
	parse_fixture("procs-ada-l40s-595.80-load.txt", &r);
	assert_int_equal(r.nprocs, 2);
	assert_null(r.warnings);
	assert_int_equal(r.procs[0].pid, 20037);
	assert_string_equal(r.procs[0].name, "ffmpeg");
	assert_int_equal(r.procs[0].mem_used_bytes, MIB(538));
	/* eX3's whole cgroup v1 file: only the freezer line names the job; the cgroup wins
	 * over SLURM_JOB_ID=999 of the environment */
	assert_string_equal(r.procs[0].job, "748468");
	assert_string_equal(r.procs[0].user, "bob");
	assert_int_equal(r.procs[1].pid, 20038);
	assert_string_equal(r.procs[1].job, "280678");
	report_free(&r);
}

static void
test_real_mig_no_owners(void **state)
{
	struct host_report r;
	(void)state;
	parse_fixture("procs-hopper-h100-mig-590.48.01-load.txt", &r);
	assert_int_equal(r.ngpus, 1);
	assert_true(r.gpus[0].util_pct < 0);	/* MIG: [N/A] */
	assert_int_equal(r.nprocs, 3);
	assert_null(r.warnings);
	assert_int_equal(r.procs[2].pid, 21198);
	assert_string_equal(r.procs[2].name, "./gpu_burn");
	assert_int_equal(r.procs[2].mem_used_bytes, MIB(7484));
	/* no owners section: unknown user, no job */
	for (int i = 0; i < 3; i++) {
		assert_string_equal(r.procs[i].user, "");
		assert_string_equal(r.procs[i].job, "");
	}
	report_free(&r);
}

static void
test_real_windows_memory_na(void **state)
{
	struct host_report r;
	(void)state;
	parse_fixture("procs-windows-rtx2080super-610.62-load.txt", &r);
	assert_int_equal(r.ngpus, 1);
	assert_int_equal(r.nprocs, 21);
	assert_null(r.warnings);
	for (int i = 0; i < r.nprocs; i++) {
		assert_int_equal(r.procs[i].mem_used_bytes, -1);	/* [N/A], never 0 */
		assert_int_equal(r.procs[i].gpu, 0);
	}
	assert_int_equal(r.procs[0].pid, 2140);
	assert_string_equal(r.procs[0].name, "C:\\Windows\\System32\\dwm.exe");
	/* a name with blanks and parentheses stays whole */
	int found = 0;
	for (int i = 0; i < r.nprocs; i++)
		found += strncmp(r.procs[i].name, "C:\\Program Files (x86)\\", 23) == 0;
	assert_true(found >= 1);
	report_free(&r);
}

static void
test_bad_lines_cost_themselves(void **state)
{
	struct host_report r;
	(void)state;
	parse_fixture("procs-bad-lines.txt", &r);
	assert_int_equal(r.ngpus, 2);
	assert_int_equal(r.nprocs, 5);
	/* by GPU, nvidia-smi's order within one */
	const int pids[] = { 4242, 7777, 4343, 4242, 8888 };
	const int gpus[] = { 0, 0, 1, 1, 1 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(r.procs[i].pid, pids[i]);
		assert_int_equal(r.procs[i].gpu, gpus[i]);
	}
	assert_int_equal(r.procs[0].mem_used_bytes, MIB(2040));
	assert_string_equal(r.procs[0].user, "alice");
	assert_string_equal(r.procs[0].job, "1392969");	/* the cgroup, not env's 5 */
	assert_int_equal(r.procs[1].mem_used_bytes, -1);	/* bad memory: warned, kept */
	assert_string_equal(r.procs[1].user, "");		/* "two words": refused */
	assert_string_equal(r.procs[2].name, "/opt/train/bin/python -m train, lr=0.1, bs=64");
	assert_string_equal(r.procs[2].job, "77");
	assert_string_equal(r.procs[2].user, "bob");
	assert_int_equal(r.procs[3].mem_used_bytes, -1);	/* [N/A] */
	assert_string_equal(r.procs[3].job, "1392969");	/* the same pid on two GPUs */
	assert_string_equal(r.procs[4].name, "");		/* [Not Found] */
	assert_string_equal(r.procs[4].user, "carol");
	assert_string_equal(r.procs[4].job, "");		/* a cgroup of no Slurm job */
	assert_int_equal(r.warnings_total, 10);
	assert_int_equal(r.nwarnings, 8);
	assert_non_null(strstr(r.warnings, "nvidia: compute-apps line 4: pid 5555: no GPU with "
	    "uuid 'GPU-cccc0000-0000-0000-0000-000000000000'\n"));
	assert_non_null(strstr(r.warnings, "nvidia: compute-apps line 5: bad pid '-1'\n"));
	assert_non_null(strstr(r.warnings, "nvidia: compute-apps line 6: bad pid '0'\n"));
	assert_non_null(strstr(r.warnings, "nvidia: compute-apps line 8: pid 7777: bad "
	    "used_memory '12x'\n"));
	assert_non_null(strstr(r.warnings, "nvidia: compute-apps line 9: expected 4 fields"));
	assert_non_null(strstr(r.warnings, "nvidia: owners line 6: pid 9999 is on no GPU\n"));
	assert_non_null(strstr(r.warnings, "nvidia: owners line 7: pid 4343: bad line"));
	report_free(&r);
}

static void
test_no_sections_no_procs(void **state)
{
	struct host_report r;
	(void)state;
	parse_fixture("hopper-h100-590.48.01-load.csv", &r);
	assert_int_equal(r.ngpus, 1);
	assert_int_equal(r.nprocs, 0);
	assert_null(r.procs);
	report_free(&r);
}

static void
test_hostile_text(void **state)
{
	struct host_report r;
	char *cause = NULL;
	(void)state;
	const char s[] =
	    "0, GPU-1, H100, 1, 1, 1, 1, 1, 1, 1, 0, 0x0\n"
	    "== compute-apps\n"
	    "GPU-1, 12, 1, evil\x1b]0;title\x07\xe2\x80\xae name " /* ESC, BEL, RLO */
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	    "GPU-1, 99999999999, 1, big pid\n"
	    "== owners\n"
	    "12 user \x1b[31mroot\n"
	    "12 user aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	    "12 cgroup 0::/slurm/uid_1/job_123456789012345678901/step_0\n"
	    "12 env SLURM_JOB_ID=1; rm -rf /\n";
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_nvidia.parse(s, sizeof s - 1, &r, &cause), 0);
	assert_int_equal(r.nprocs, 1);
	const struct gpu_proc *p = &r.procs[0];
	assert_true(strlen(p->name) < GPU_PROC_NAME_MAX);
	for (const unsigned char *c = (const unsigned char *)p->name; *c; c++)
		assert_true(*c >= 0x20 && *c != 0x7f);
	assert_null(strstr(p->name, "\xe2\x80\xae"));
	assert_null(strchr(p->user, 0x1b));
	assert_true(strlen(p->user) < GPU_PROC_USER_MAX);
	assert_string_equal(p->job, "");	/* 21 digits: not a job id; "1; rm": refused */
	assert_non_null(strstr(r.warnings, "bad pid '99999999999'"));
	report_free(&r);
}

static void
test_cgroup_files(void **state)
{
	char job[GPU_PROC_JOB_MAX];
	(void)state;
	cgroup_job("fox-v2-slurm.txt", job, sizeof job);
	assert_string_equal(job, "1392969");
	cgroup_job("ex3-v1-slurm21.txt", job, sizeof job);
	assert_string_equal(job, "748468");
	cgroup_job("older-v1-slurm.txt", job, sizeof job);
	assert_string_equal(job, "280678");
	cgroup_job("no-slurm-v1-hybrid.txt", job, sizeof job);
	assert_string_equal(job, "");
	/* written: a node that runs several slurmd (nodename_slurmstepd.scope, slurm_NODE) */
	static const char *const yes[][2] = {
		{ "0::/system.slice/gpu001_slurmstepd.scope/job_42/step_0/user/task_0", "42" },
		{ "4:memory:/slurm_gpu001/uid_1000/job_7/step_batch", "7" },
		{ "0::/system.slice/slurmstepd.scope/job_9/step_extern/user", "9" },
	};
	static const char *const no[] = {
		"0::/user.slice/user-1000.slice/myjob_17/step_0", "0::/job_42/step_0",
		"/slurm/uid_1/job_42", "0::/slurm/uid_1/job_x1", "0::/slurm/uid_1/job_",
		"random garbage", "",
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(yes); i++) {
		job[0] = '\0';
		assert_int_equal(probe_cgroup_slurm_job(yes[i][0], strlen(yes[i][0]), job,
		    sizeof job), 1);
		assert_string_equal(job, yes[i][1]);
	}
	for (size_t i = 0; i < OD_ARRAY_LEN(no); i++)
		assert_int_equal(probe_cgroup_slurm_job(no[i], strlen(no[i]), job, sizeof job), 0);
}

static void
test_command_asks_and_bounds(void **state)
{
	(void)state;
	const char *cmd = probe_nvidia.command;
	assert_non_null(strstr(cmd, "--query-compute-apps=gpu_uuid,pid,used_memory,"
	    "process_name --format=csv,noheader,nounits"));
	assert_non_null(strstr(cmd, "head -n 256"));	/* pids resolved per node */
	assert_non_null(strstr(cmd, "/proc/$p/cgroup"));
	assert_non_null(strstr(cmd, "SLURM_JOB_ID"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_h100_with_owners),
		cmocka_unit_test(test_real_l40s_cgroup_v1),
		cmocka_unit_test(test_real_mig_no_owners),
		cmocka_unit_test(test_real_windows_memory_na),
		cmocka_unit_test(test_bad_lines_cost_themselves),
		cmocka_unit_test(test_no_sections_no_procs),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_cgroup_files),
		cmocka_unit_test(test_command_asks_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
