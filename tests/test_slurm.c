/*
 * test_slurm.c: the sacct parser on `sacct -a -X -n -P` output as Slurm 22/23
 * print it: GPU-hours and node-hours per job and per account, array and
 * heterogeneous job ids, steps skipped, typed GPUs, `-p`'s trailing '|',
 * and malformed lines; the probe's squeue part (the nodes of running jobs).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/budget.h"
#include "opsdeck/buf.h"
#include "opsdeck/probe.h"
#include "opsdeck/util.h"

/* A fixture's bytes, in a buffer of exactly their length (caller frees). */
static char *
read_fixture(const char *name, size_t *len)
{
	const char *f = getenv("FIXTURES");
	char *path = xasprintf("%s/slurm/%s", f != NULL ? f : "tests/fixtures", name);
	char *text, *exact, *cause = NULL;
	if (read_file(path, 1 << 22, &text, len, &cause) != 0)
		fail_msg("%s", cause);
	exact = xmalloc(*len ? *len : 1);
	memcpy(exact, text, *len);
	free(text);
	free(path);
	return exact;
}

static int
parse_fixture(const char *name, struct slurm_usage *u, char **cause)
{
	const char *f = getenv("FIXTURES");
	char *path = xasprintf("%s/slurm/%s", f != NULL ? f : "tests/fixtures", name);
	char *text, *exact;
	size_t len;
	if (read_file(path, 1 << 22, &text, &len, cause) != 0)
		fail_msg("%s", *cause);
	exact = xmalloc(len ? len : 1);
	memcpy(exact, text, len);
	*cause = NULL;
	int rc = slurm_parse_sacct(exact, len, u, cause);
	free(exact);
	free(text);
	free(path);
	return rc;
}

static const struct slurm_account *
account(const struct slurm_usage *u, const char *name)
{
	for (size_t i = 0; i < u->naccounts; i++)
		if (strcmp(u->accounts[i].account, name) == 0)
			return &u->accounts[i];
	fail_msg("no account %s", name);
	return NULL;
}

static void
assert_near(double a, double b)
{
	if (fabs(a - b) > 1e-9)
		fail_msg("%.12f != %.12f", a, b);
}

static void
test_day(void **state)
{
	struct slurm_usage u;
	char *cause;
	(void)state;

	if (parse_fixture("sacct_day.txt", &u, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(u.njobs, 13);
	assert_int_equal(u.skipped_steps, 0);
	const struct slurm_job *j = &u.jobs[0];
	assert_string_equal(j->jobid, "48211");
	assert_string_equal(j->account, "energy01");
	assert_string_equal(j->user, "kimjh");
	assert_string_equal(j->partition, "gpu");
	assert_string_equal(j->state, "COMPLETED");
	assert_int_equal(j->elapsed_s, 7200);
	assert_int_equal(j->gpus, 2);
	assert_int_equal(j->nodes, 1);
	assert_near(j->gpu_hours, 4.0);
	assert_near(j->node_hours, 2.0);
	/* "CANCELLED by 20417" */
	assert_string_equal(u.jobs[6].state, "CANCELLED");
	/* cancelled before it started: no TRES, no cost */
	assert_int_equal(u.jobs[7].gpus, 0);
	assert_int_equal(u.jobs[7].nodes, 0);
	assert_string_equal(u.jobs[4].jobid, "48214_2");
	assert_string_equal(u.jobs[10].jobid, "48220+0");

	/* energy01: 2 GPUs x 2 h + 4 GPUs x 1 h = 8 GPU-hours, 3 node-hours */
	const struct slurm_account *a = account(&u, "energy01");
	assert_int_equal(a->jobs, 2);
	assert_near(a->gpu_hours, 8.0);
	assert_near(a->node_hours, 3.0);
	/* auto01: 16 GPUs on 2 nodes for a day (TIMEOUT still used them) */
	a = account(&u, "auto01");
	assert_near(a->gpu_hours, 384.0);
	assert_near(a->node_hours, 48.0);
	/* health04: an array of two half-hour 1-GPU tasks and 8 GPUs x 1.5 h */
	a = account(&u, "health04");
	assert_int_equal(a->jobs, 3);
	assert_near(a->gpu_hours, 1.0 + 12.0);
	/* cfd: CPU only, 4 nodes x 10 h */
	a = account(&u, "cfd");
	assert_near(a->gpu_hours, 0);
	assert_near(a->node_hours, 40.0);
	/* a running job counts the time so far */
	a = account(&u, "auto03");
	assert_near(a->gpu_hours, 4.0 * 12345 / 3600.0);
	/* heterogeneous job: both components */
	a = account(&u, "energy02");
	assert_near(a->gpu_hours, 0.5);
	assert_near(a->node_hours, 0.5);
	/* sorted by account name */
	for (size_t i = 1; i < u.naccounts; i++)
		assert_true(strcmp(u.accounts[i - 1].account, u.accounts[i].account) < 0);
	assert_int_equal(u.naccounts, 9);
	slurm_usage_free(&u);
}

static void
test_steps_typed_p(void **state)
{
	struct slurm_usage u;
	char *cause;
	(void)state;

	assert_int_equal(parse_fixture("sacct_steps.txt", &u, &cause), 0);
	assert_int_equal(u.njobs, 2);
	assert_int_equal(u.skipped_steps, 3);
	assert_near(account(&u, "health01")->gpu_hours, 4.0);
	assert_near(account(&u, "health02")->gpu_hours, 0);
	assert_string_equal(u.jobs[1].state, "PENDING");
	slurm_usage_free(&u);

	/* untyped count wins; typed counts add up when it is missing */
	assert_int_equal(parse_fixture("sacct_typed.txt", &u, &cause), 0);
	assert_int_equal(u.jobs[0].gpus, 8);
	assert_int_equal(u.jobs[1].gpus, 4);
	assert_int_equal(u.jobs[2].gpus, 2);
	assert_near(account(&u, "auto04")->gpu_hours, 24.0 + 4.0);
	slurm_usage_free(&u);

	assert_int_equal(parse_fixture("sacct_parsable_p.txt", &u, &cause), 0);
	assert_int_equal(u.njobs, 2);
	assert_near(account(&u, "energy03")->gpu_hours, 1.0 + 60 / 3600.0);
	slurm_usage_free(&u);

	assert_int_equal(parse_fixture("empty.txt", &u, &cause), 0);
	assert_int_equal(u.njobs, 0);
	assert_int_equal(u.naccounts, 0);
	slurm_usage_free(&u);
}

static void
expect_error(const char *text, const char *want)
{
	struct slurm_usage u;
	char *cause = NULL;
	if (slurm_parse_sacct(text, strlen(text), &u, &cause) == 0)
		fail_msg("parsed: %s", text);
	if (cause == NULL || strstr(cause, want) == NULL)
		fail_msg("'%s', want '%s'", cause ? cause : "(null)", want);
	assert_int_equal(u.njobs, 0);
	assert_null(u.jobs);
	free(cause);
}

static void
test_malformed(void **state)
{
	(void)state;
	expect_error("1|a|u|gpu|60|node=1|COMPLETED\n2|a|u|gpu|60|node=1\n", "line 2: 6 fields");
	expect_error("JobID|Account|User|Partition|ElapsedRaw|AllocTRES|State\n",
	    "line 1: bad ElapsedRaw");
	expect_error("1|a|u|gpu|-5|node=1|COMPLETED\n", "bad ElapsedRaw");
	expect_error("1|a|u|gpu|01:00:00|node=1|COMPLETED\n", "bad ElapsedRaw");
	expect_error("1|a|u|gpu|60|gres/gpu=two,node=1|COMPLETED\n", "bad GPU count");
	expect_error("1|a|u|gpu|60|gres/gpu=99999999999,node=1|COMPLETED\n", "bad GPU count");
	expect_error("1|a|u|gpu|60|node=|COMPLETED\n", "bad node count");
	expect_error("1|a|u|gpu|60|cpu8,node=1|COMPLETED\n", "without '='");
	expect_error("|a|u|gpu|60|node=1|COMPLETED\n", "empty JobID");
	expect_error("1|a|u|gpu|99999999999999|node=1|COMPLETED\n", "bad ElapsedRaw");
	/* the cause is sanitised */
	expect_error("1|a\x1b[2J|u|gpu|60\n", "\xef\xbf\xbd");
}

static void
test_untrusted_text(void **state)
{
	struct slurm_usage u;
	char *cause = NULL;
	(void)state;
	const char *t = "7|evil\x1b]0;x\x07|u\xff|gpu|60|gres/gpu=1,node=1|COMPLETED\r\n";
	assert_int_equal(slurm_parse_sacct(t, strlen(t), &u, &cause), 0);
	assert_null(strchr(u.jobs[0].account, '\x1b'));
	assert_null(strchr(u.jobs[0].account, '\x07'));
	assert_null(strchr(u.jobs[0].user, '\xff'));
	assert_string_equal(u.jobs[0].state, "COMPLETED");	/* CRLF */
	slurm_usage_free(&u);
}

static void
test_command(void **state)
{
	(void)state;
	char *c = slurm_sacct_command(time_days_from_civil(2021, 3, 1),
	    time_days_from_civil(2021, 3, 2));
	assert_string_equal(c, "sacct -a -X -n -P -S 2021-03-01T00:00:00 -E 2021-03-02T00:00:00 "
	    "-o JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State");
	free(c);
}

/*
 * Runs SLURM_PROBE_COMMAND under sh with path first in PATH (then /usr/bin
 * and /bin, for head) and the stream loop's opsdeck_seq = seq (0: unset);
 * its output in out (cut to outlen), its line count in *lines. The status.
 */
static int
run_probe_seq(const char *path, int seq, char *out, size_t outlen, size_t *lines)
{
	char *cmd = seq > 0 ?
	    xasprintf("PATH='%s:/usr/bin:/bin' opsdeck_seq=%d /bin/sh -c '%s'", path, seq,
	    SLURM_PROBE_COMMAND) :
	    xasprintf("PATH='%s:/usr/bin:/bin' /bin/sh -c '%s'", path, SLURM_PROBE_COMMAND);
	FILE *fp = popen(cmd, "r");
	size_t n = 0, nl = 0;
	char chunk[4096];
	assert_non_null(fp);
	for (;;) {
		size_t k = fread(chunk, 1, sizeof chunk, fp);
		if (k == 0)
			break;
		for (size_t i = 0; i < k; i++)
			nl += chunk[i] == '\n';
		size_t take = OD_MIN(k, outlen - 1 - n);
		memcpy(out + n, chunk, take);
		n += take;
	}
	out[n] = '\0';
	if (lines != NULL)
		*lines = nl;
	free(cmd);
	int st = pclose(fp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
run_probe(const char *path, char *out, size_t outlen)
{
	return run_probe_seq(path, 0, out, outlen, NULL);
}

/* Writes an executable sh script at dir/name with body. */
static char *
stand_in(const char *dir, const char *name, const char *body)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s", body);
	fclose(fp);
	assert_int_equal(chmod(p, 0700), 0);
	return p;
}

static void
test_probe_command(void **state)
{
	char dir[] = "/tmp/opsdeck-sacct-XXXXXX", out[512];
	(void)state;

	assert_non_null(mkdtemp(dir));
	/* no sacct on the host: nothing, exit 0 */
	assert_int_equal(run_probe(dir, out, sizeof out), 0);
	assert_string_equal(out, "");
	/* a stand-in sacct shows the zone and the arguments it got: two days alone */
	char *fake = stand_in(dir, "sacct", "echo \"$TZ|$*\"\n");
	assert_int_equal(run_probe(dir, out, sizeof out), 0);
	assert_string_equal(out, "Asia/Seoul|-a -X -n -P -S now-172800 -E now -o "
	    "JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State\n@@squeue\n");
	/* the stream loop's first cycle looks back two days, later ones an hour */
	assert_int_equal(run_probe_seq(dir, 1, out, sizeof out, NULL), 0);
	assert_non_null(strstr(out, " -S now-172800 -E now "));
	assert_int_equal(run_probe_seq(dir, 2, out, sizeof out, NULL), 0);
	assert_string_equal(out, "Asia/Seoul|-a -X -n -P -S now-3600 -E now -o "
	    "JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State\n@@squeue\n");
	/* a stand-in squeue after the marker; the status is sacct's */
	char *fsq = stand_in(dir, "squeue", "echo \"$*\"\nexit 3\n");
	assert_int_equal(run_probe(dir, out, sizeof out), 0);
	assert_non_null(strstr(out, "State\n@@squeue\n-h -t R -o %A|%N\n"));
	free(stand_in(dir, "sacct", "exit 1\n"));
	assert_int_not_equal(run_probe(dir, out, sizeof out), 0);
	/* a flood: cut one line past the cap, squeue still runs, status 0 */
	free(stand_in(dir, "sacct", "i=0\nwhile [ $i -lt 30000 ]; do i=$((i + 1)); "
	    "echo \"$i|a|u|gpu|1|gres/gpu=1,node=1|RUNNING\"; done\n"));
	size_t lines = 0;
	assert_int_equal(run_probe_seq(dir, 2, out, sizeof out, &lines), 0);
	assert_int_equal(lines, SLURM_SACCT_MAX_JOBS + 1 + 2);	/* + marker + squeue */
	unlink(fsq);
	unlink(fake);
	rmdir(dir);
	free(fsq);
	free(fake);
}

/* More jobs than the cap: the first ones count, the part says it was cut. */
static void
test_sacct_cap(void **state)
{
	struct slurm_usage u;
	char *cause = NULL;
	const char *text =
	    "1|a|u|gpu|3600|gres/gpu=1,node=1|RUNNING\n"
	    "1.batch|a|u|gpu|3600|gres/gpu=1,node=1|RUNNING\n"
	    "\n"
	    "2|a|u|gpu|3600|gres/gpu=2,node=1|RUNNING\n"
	    "3|b|u|gpu|3600|gres/gpu=4,node=1|RUNNING\n"
	    "4|b|u|gpu|3600|not even TRES\n";
	(void)state;

	assert_int_equal(slurm_parse_sacct_max(text, strlen(text), 2, &u, &cause), 0);
	assert_int_equal(u.njobs, 2);
	assert_int_equal(u.cut, 1);
	assert_int_equal(u.cut_line, 5);
	assert_int_equal(u.naccounts, 1);
	assert_true(fabs(u.accounts[0].gpu_hours - 3.0) < 1e-9);
	slurm_usage_free(&u);
	/* at the cap: any line after it is the cut, a bad one too; without it, no cut */
	assert_int_equal(slurm_parse_sacct_max(text, strlen(text), 3, &u, &cause), 0);
	assert_int_equal(u.njobs, 3);
	assert_int_equal(u.cut, 1);
	slurm_usage_free(&u);
	size_t before4 = (size_t)(strstr(text, "4|b") - text);
	assert_int_equal(slurm_parse_sacct_max(text, before4, 3, &u, &cause), 0);
	assert_int_equal(u.cut, 0);
	slurm_usage_free(&u);
	assert_int_equal(slurm_parse_sacct_max(text, strlen(text), 4, &u, &cause), -1);
	assert_non_null(strstr(cause, "line 6"));
	free(cause);

	/* the probe caps at SLURM_SACCT_MAX_JOBS */
	struct buf b;
	struct host_report r;
	buf_init(&b, 0);
	for (int i = 0; i < SLURM_SACCT_MAX_JOBS + 5; i++)
		buf_printf(&b, "%d|a|u|gpu|60|gres/gpu=1,node=1|COMPLETED\n", i + 1);
	buf_printf(&b, "@@squeue\n");
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_slurm.parse(b.data, b.len, &r, &cause), 0);
	const struct slurm_usage *p = report_part_get(&r, "slurm");
	assert_non_null(p);
	assert_int_equal(p->njobs, SLURM_SACCT_MAX_JOBS);
	assert_int_equal(p->cut, 1);
	assert_int_equal(p->cut_line, SLURM_SACCT_MAX_JOBS + 1);
	assert_int_equal(p->has_nodes, 1);
	report_free(&r);
	buf_free(&b);
}

static void
assert_nodes(const struct slurm_running *r, const char *jobid, const char *const *names)
{
	size_t n = 0;
	assert_string_equal(r->jobid, jobid);
	while (names[n] != NULL) {
		assert_true(n < r->nnodes);
		assert_string_equal(r->nodes[n], names[n]);
		n++;
	}
	assert_int_equal(r->nnodes, n);
	assert_null(r->nodes[n]);
}

/* The probe's whole output: sacct, the marker, squeue's JobID|NodeList. */
static void
test_probe_running(void **state)
{
	struct host_report r;
	const struct slurm_usage *u;
	char *cause = NULL;
	size_t len;
	char *text = read_fixture("probe_running.txt", &len);
	(void)state;

	memset(&r, 0, sizeof r);
	assert_int_equal(probe_slurm.parse(text, len, &r, &cause), 0);
	assert_null(cause);
	u = report_part_get(&r, "slurm");
	assert_non_null(u);
	assert_int_equal(u->njobs, 6);
	assert_true(u->has_nodes);
	assert_int_equal(u->nrunning, 6);
	assert_nodes(&u->running[0], "51001", (const char *const[]){ "gpu001", NULL });
	assert_nodes(&u->running[1], "51002",
	    (const char *const[]){ "gpu002", "gpu003", "gpu004", "gpu010", NULL });
	assert_nodes(&u->running[3], "51005",
	    (const char *const[]){ "cpu01", "cpu02", NULL });
	assert_nodes(&u->running[4], "51006_3", (const char *const[]){ "gpu012", NULL });
	/* a job with no nodes yet */
	assert_nodes(&u->running[5], "51007", (const char *const[]){ NULL });
	report_free(&r);
	free(text);

	/* sacct alone (budget import --sacct, older probes): no nodes part */
	text = read_fixture("sacct_day.txt", &len);
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_slurm.parse(text, len, &r, &cause), 0);
	u = report_part_get(&r, "slurm");
	assert_int_equal(u->njobs, 13);
	assert_false(u->has_nodes);
	assert_int_equal(u->nrunning, 0);
	report_free(&r);
	free(text);

	/* the marker with nothing after it: squeue absent, no running jobs */
	static const char only[] = "1|a|u|gpu|60|gres/gpu=1,node=1|RUNNING\n@@squeue\n";
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_slurm.parse(only, sizeof only - 1, &r, &cause), 0);
	u = report_part_get(&r, "slurm");
	assert_true(u->has_nodes);
	assert_int_equal(u->nrunning, 0);
	report_free(&r);
}

static void
test_squeue_bad(void **state)
{
	struct slurm_usage u;
	char *cause = NULL;
	size_t len;
	char *text = read_fixture("squeue_bad.txt", &len);
	(void)state;

	memset(&u, 0, sizeof u);
	assert_int_equal(slurm_parse_squeue(text, len, &u, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "squeue line 2"));
	assert_non_null(strstr(cause, "gpu[002-004"));
	assert_int_equal(u.nrunning, 0);
	assert_null(u.running);
	free(cause);
	free(text);

	static const char *const bad[] = {
		"51001 gpu001\n",		/* no '|' */
		"51001|gpu001|x\n",		/* three fields */
		"|gpu001\n",			/* no JobID */
		"1|gpu[1-5000]\n",		/* more than SLURM_MAX_JOB_NODES */
		"1|gpu\033[31m\n",		/* not a host name */
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++) {
		cause = NULL;
		assert_int_equal(slurm_parse_squeue(bad[i], strlen(bad[i]), &u, &cause), -1);
		assert_non_null(strstr(cause, "squeue line 1"));
		free(cause);
		assert_int_equal(u.nrunning, 0);
	}
	/* through the probe: the whole report fails, naming the line */
	char *whole = xasprintf("1|a|u|gpu|60|gres/gpu=1,node=1|RUNNING\n@@squeue\n%s",
	    bad[0]);
	struct host_report r;
	memset(&r, 0, sizeof r);
	cause = NULL;
	assert_int_equal(probe_slurm.parse(whole, strlen(whole), &r, &cause), -1);
	assert_non_null(strstr(cause, "squeue line 1"));
	assert_null(report_part_get(&r, "slurm"));
	free(cause);
	free(whole);
	slurm_usage_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day),
		cmocka_unit_test(test_steps_typed_p),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_untrusted_text),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_probe_command),
		cmocka_unit_test(test_sacct_cap),
		cmocka_unit_test(test_probe_running),
		cmocka_unit_test(test_squeue_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
