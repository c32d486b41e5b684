/*
 * test_frame.c: the framed-stream reader (every split of the input, CRLF,
 * garbage, missing end lines, the body cap, endless lines, markers forged
 * without this session's nonce) and frame_script run for real by /bin/sh
 * through a pipe, with a probe that prints forged markers.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/frame.h"
#include "opsdeck/probe.h"
#include "opsdeck/ssh.h"
#include "opsdeck/util.h"

#define MAXF 32
/* The nonce of the test streams and of tests/fixtures/frame/ */
#define NONCE "5f0c2e8a91d34b7ba6e1c07d3f9a2b64"
/* Another session's */
#define OTHER "5f0c2e8a91d34b7ba6e1c07d3f9a2b65"

struct got {
	int	 n;
	struct {
		uint64_t seq;
		char	 probe[32];
		int	 status, truncated;
		char	*body;
		size_t	 len;
	} f[MAXF];
};

static void
on_frame(const struct frame *fr, void *arg)
{
	struct got *g = arg;
	assert_true(g->n < MAXF);
	assert_int_equal(fr->body[fr->len], '\0');
	g->f[g->n].seq = fr->seq;
	od_strlcpy(g->f[g->n].probe, fr->probe, sizeof g->f[g->n].probe);
	g->f[g->n].status = fr->status;
	g->f[g->n].truncated = fr->truncated;
	g->f[g->n].body = xstrndup(fr->body, fr->len);
	g->f[g->n].len = fr->len;
	g->n++;
}

static void
got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->f[i].body);
	g->n = 0;
}

static void
got_equal(const struct got *a, const struct got *b)
{
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		assert_int_equal(a->f[i].seq, b->f[i].seq);
		assert_string_equal(a->f[i].probe, b->f[i].probe);
		assert_int_equal(a->f[i].status, b->f[i].status);
		assert_int_equal(a->f[i].truncated, b->f[i].truncated);
		assert_int_equal(a->f[i].len, b->f[i].len);
		assert_memory_equal(a->f[i].body, b->f[i].body, a->f[i].len);
	}
}

/* Feeds s whole with the given cap; fills g; returns the reader's counters. */
static void
feed_all(const char *s, size_t n, size_t cap, struct got *g, struct frame_reader *out)
{
	struct frame_reader fr;
	frame_reader_init(&fr, cap, NONCE);
	int k = frame_reader_feed(&fr, s, n, on_frame, g);
	assert_int_equal(k, g->n);
	if (out != NULL)
		*out = fr;
	else
		frame_reader_free(&fr);
}

/* Fed a byte at a time, s (n bytes) gives the frames in want. */
static void
feed_bytewise_equal(const char *s, size_t n, const struct got *want)
{
	struct got g = { 0 };
	struct frame_reader fr;
	frame_reader_init(&fr, 0, NONCE);
	for (size_t i = 0; i < n; i++)
		frame_reader_feed(&fr, s + i, 1, on_frame, &g);
	got_equal(want, &g);
	frame_reader_free(&fr);
	got_free(&g);
}

static const char stream[] =
	"Last login: Mon Nov 24 09:12:01 2026 from 10.0.0.5\n"
	"@@opsdeck " NONCE " 1 linux\n"
	"== loadavg\n"
	"0.52 0.58 0.59 2/1234 5678\n"
	"@@end " NONCE " 0\n"
	"@@opsdeck " NONCE " 1 nvidia\n"
	"@@end " NONCE " 127\n"
	"noise between frames\n"
	"@@opsdeck " NONCE " 2 linux\n"
	"line with @@end 0 inside\n"
	"@@end " NONCE " 0 trailing\n"
	"@@endx 1\n"
	"@@end " NONCE " -1\n";

static void
test_basic(void **state)
{
	struct got g = { 0 };
	struct frame_reader fr;
	feed_all(stream, sizeof stream - 1, 0, &g, &fr);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.f[0].seq, 1);
	assert_string_equal(g.f[0].probe, "linux");
	assert_int_equal(g.f[0].status, 0);
	assert_string_equal(g.f[0].body, "== loadavg\n0.52 0.58 0.59 2/1234 5678\n");
	assert_int_equal(g.f[1].seq, 1);
	assert_string_equal(g.f[1].probe, "nvidia");
	assert_int_equal(g.f[1].status, 127);
	assert_int_equal(g.f[1].len, 0);
	assert_string_equal(g.f[2].probe, "linux");
	assert_int_equal(g.f[2].seq, 2);
	assert_int_equal(g.f[2].status, -1);
	assert_string_equal(g.f[2].body,
	    "line with @@end 0 inside\n@@end " NONCE " 0 trailing\n@@endx 1\n");
	assert_int_equal(fr.garbage,
	    strlen("Last login: Mon Nov 24 09:12:01 2026 from 10.0.0.5\n") +
	    strlen("noise between frames\n"));
	assert_int_equal(fr.frames, 3);
	assert_int_equal(fr.dropped, 0);
	assert_int_equal(fr.in_frame, 0);
	frame_reader_free(&fr);
	got_free(&g);
}

/* Every split into two feeds, and byte by byte, gives the same frames. */
static void
test_any_split(void **state)
{
	size_t n = sizeof stream - 1;
	struct got whole = { 0 };
	feed_all(stream, n, 0, &whole, NULL);
	for (size_t cut = 0; cut <= n; cut++) {
		struct got g = { 0 };
		struct frame_reader fr;
		frame_reader_init(&fr, 0, NONCE);
		frame_reader_feed(&fr, stream, cut, on_frame, &g);
		frame_reader_feed(&fr, stream + cut, n - cut, on_frame, &g);
		got_equal(&whole, &g);
		frame_reader_free(&fr);
		got_free(&g);
	}
	feed_bytewise_equal(stream, n, &whole);
	got_free(&whole);
}

/*
 * A body of plain lines with '@' inside them, a line that begins with '@'
 * without being a marker and a CR inside a line: fed whole (the plain-run
 * path) it gives what feeding a byte at a time (the line path) gives.
 */
static void
test_plain_runs(void **state)
{
	static const char s[] = "@@opsdeck " NONCE " 3 linux\nmail root@node1 ok\n"
	    "x@y\n@not a marker\nplain\ra\nlast @\n@@end " NONCE " 0\nafter@\n"
	    "@@opsdeck " NONCE " 4 linux\n@\n\n@@end " NONCE " 0\n";
	size_t n = sizeof s - 1;
	struct got whole = { 0 };

	(void)state;
	feed_all(s, n, 0, &whole, NULL);
	assert_int_equal(whole.n, 2);
	assert_string_equal(whole.f[0].body,
	    "mail root@node1 ok\nx@y\n@not a marker\nplain\ra\nlast @\n");
	assert_string_equal(whole.f[1].body, "@\n\n");
	feed_bytewise_equal(s, n, &whole);
	got_free(&whole);
}

static void
test_crlf(void **state)
{
	static const char s[] = "@@opsdeck " NONCE " 7 ipmi\r\nFan1A | 30h | ok | 29.1 | 5880 RPM\r\n"
	    "a\rb\r\n\r\n@@end " NONCE " 0\r\n";
	size_t n = sizeof s - 1;
	for (size_t cut = 0; cut <= n; cut++) {
		struct got g = { 0 };
		struct frame_reader fr;
		frame_reader_init(&fr, 0, NONCE);
		frame_reader_feed(&fr, s, cut, on_frame, &g);
		frame_reader_feed(&fr, s + cut, n - cut, on_frame, &g);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.f[0].seq, 7);
		assert_string_equal(g.f[0].probe, "ipmi");
		/* CRLF -> LF; a lone CR stays (sanitising is the consumer's job) */
		assert_string_equal(g.f[0].body, "Fan1A | 30h | ok | 29.1 | 5880 RPM\na\rb\n\n");
		frame_reader_free(&fr);
		got_free(&g);
	}
}

static void
test_missing_end(void **state)
{
	static const char s[] = "@@opsdeck " NONCE " 1 linux\npartial output\n"
	    "@@opsdeck " NONCE " 2 linux\nfull\n@@end " NONCE " 0\n";
	struct got g = { 0 };
	struct frame_reader fr;
	feed_all(s, sizeof s - 1, 0, &g, &fr);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].seq, 2);
	assert_string_equal(g.f[0].body, "full\n");
	assert_int_equal(fr.dropped, 1);
	frame_reader_free(&fr);
	got_free(&g);
}

static void
test_malformed_markers(void **state)
{
	static const char s[] =
	    "@@opsdeck " NONCE " 1 linux\n"
	    "@@opsdeck " NONCE " x linux\n"		/* bad seq */
	    "@@opsdeck " NONCE " 1 bad/name\n"		/* bad probe name */
	    "@@opsdeck " NONCE " 1 \n"			/* no name */
	    "@@opsdeck " NONCE " 99999999999999999999 linux\n"	/* overflows uint64 */
	    "@@opsdeck " NONCE " 1 a23456789012345678901234567890123\n"	/* 33 chars */
	    "@@end\n@@end " NONCE " \n@@end " NONCE " 1234567890\n@@end " NONCE " 0x1\n"
	    "@@end " NONCE " 3\n"
	    "@@end " NONCE " 4\n";			/* outside a frame: garbage */
	struct got g = { 0 };
	struct frame_reader fr;
	feed_all(s, sizeof s - 1, 0, &g, &fr);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].status, 3);
	assert_string_equal(g.f[0].body,
	    "@@opsdeck " NONCE " x linux\n@@opsdeck " NONCE " 1 bad/name\n@@opsdeck " NONCE " 1 \n"
	    "@@opsdeck " NONCE " 99999999999999999999 linux\n"
	    "@@opsdeck " NONCE " 1 a23456789012345678901234567890123\n"
	    "@@end\n@@end " NONCE " \n@@end " NONCE " 1234567890\n@@end " NONCE " 0x1\n");
	assert_int_equal(fr.garbage, strlen("@@end " NONCE " 4\n"));
	frame_reader_free(&fr);
	got_free(&g);
}

static void
test_body_cap(void **state)
{
	struct buf in;
	buf_init(&in, 0);
	buf_printf(&in, "@@opsdeck " NONCE " 1 flood\n");
	for (int i = 0; i < 1000; i++)
		buf_printf(&in, "line %04d of a flood of output\n", i);
	buf_printf(&in, "@@end " NONCE " 0\n@@opsdeck " NONCE " 2 linux\nsmall\n@@end " NONCE " 0\n");
	for (size_t step = 1; step <= 4099; step += 1024) {
		struct got g = { 0 };
		struct frame_reader fr;
		frame_reader_init(&fr, 100, NONCE);
		for (size_t off = 0; off < in.len; off += step)
			frame_reader_feed(&fr, in.data + off, OD_MIN(step, in.len - off),
			    on_frame, &g);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.f[0].truncated, 1);
		assert_int_equal(g.f[0].len, 100);
		assert_memory_equal(g.f[0].body, "line 0000 of a flood of output\nline 0001", 40);
		assert_int_equal(g.f[1].truncated, 0);
		assert_string_equal(g.f[1].body, "small\n");
		assert_int_equal(fr.truncated, 1);
		assert_true(fr.body.cap <= 4096);
		frame_reader_free(&fr);
		got_free(&g);
	}
	buf_free(&in);
}

/* 8 MiB without a newline, outside and inside a frame: bounded memory, still syncs. */
static void
test_endless_line(void **state)
{
	size_t chunk = 64 * 1024;
	char *junk = xmalloc(chunk);
	memset(junk, 'A', chunk);
	memcpy(junk, "@@opsdeck", 9);	/* looks like a marker at first */
	struct got g = { 0 };
	struct frame_reader fr;
	frame_reader_init(&fr, 1024, NONCE);
	for (int i = 0; i < 128; i++) {
		frame_reader_feed(&fr, junk, chunk, on_frame, &g);
		assert_true(fr.line.len <= FRAME_LINE_MAX);
		assert_true(fr.line.cap <= 2 * FRAME_LINE_MAX + 1);
	}
	assert_int_equal(fr.garbage, (uint64_t)128 * chunk);
	static const char f1[] = "\n@@opsdeck " NONCE " 5 linux\nstart\n";
	frame_reader_feed(&fr, f1, sizeof f1 - 1, on_frame, &g);
	for (int i = 0; i < 128; i++) {
		frame_reader_feed(&fr, junk, chunk, on_frame, &g);
		assert_true(fr.line.len <= FRAME_LINE_MAX);
		assert_true(fr.body.cap <= 2048);
	}
	static const char f2[] = "\n@@end " NONCE " 0\n";
	frame_reader_feed(&fr, f2, sizeof f2 - 1, on_frame, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].seq, 5);
	assert_int_equal(g.f[0].truncated, 1);
	assert_int_equal(g.f[0].len, 1024);
	assert_memory_equal(g.f[0].body, "start\n@@opsdeckAAA", 18);
	frame_reader_free(&fr);
	got_free(&g);
	free(junk);
}


/* Feeds fixture tests/fixtures/frame/NAME in 1000-byte pieces. */
static void
feed_fixture(const char *name, struct got *g, struct frame_reader *fr)
{
	char *path = xasprintf("%s/frame/%s", getenv("FIXTURES"), name);
	char *data, *cause = NULL;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, &cause) != 0)
		fail_msg("%s", cause);
	frame_reader_init(fr, 0, NONCE);
	for (size_t off = 0; off < len; off += 1000)
		frame_reader_feed(fr, data + off, OD_MIN(1000, len - off), on_frame, g);
	free(data);
	free(path);
}

/* A real stream: frame_script with the linux, nvidia and ipmi probes run here for 2 cycles. */
static void
test_fixture_streams(void **state)
{
	struct got g = { 0 }, crlf = { 0 }, noisy = { 0 };
	struct frame_reader fr;
	feed_fixture("local-2cycles.txt", &g, &fr);
	assert_int_equal(g.n, 6);
	assert_int_equal(fr.garbage, 0);
	assert_int_equal(fr.in_frame, 0);
	frame_reader_free(&fr);
	const char *probes[] = { "linux", "nvidia", "ipmi" };
	for (int i = 0; i < 6; i++) {
		assert_int_equal(g.f[i].seq, (uint64_t)(i / 3 + 1));
		assert_string_equal(g.f[i].probe, probes[i % 3]);
		assert_int_equal(g.f[i].status, 0);
		const struct probe *p = probe_find(g.f[i].probe);
		assert_non_null(p);
		struct host_report r;
		char *cause = NULL;
		memset(&r, 0, sizeof r);
		assert_int_equal(p->parse(g.f[i].body, g.f[i].len, &r, &cause), 0);
		if (i % 3 == 0) {
			assert_int_equal(r.linux.ncores, 2);
			assert_int_equal(r.linux.mem_total, (uint64_t)24684096 * 1024);
			assert_true(r.linux.have & LINUX_HAVE_DISKSTATS);
		}
		if (i % 3 == 1) {
			/* no nvidia-smi here: an empty body but for the "\n" before @@end */
			assert_string_equal(g.f[i].body, "\n");
			assert_int_equal(r.has_gpu_probe, 1);
			assert_int_equal(r.ngpus, 0);
		}
		report_free(&r);
	}
	/* the same through a pty (CRLF): the same frames */
	feed_fixture("pty-crlf.txt", &crlf, &fr);
	frame_reader_free(&fr);
	got_equal(&g, &crlf);

	/* a login banner, a frame cut off by the next header, noise, a stray end, an open frame */
	feed_fixture("noisy.txt", &noisy, &fr);
	assert_int_equal(noisy.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(noisy.f[i].seq, 2);
		assert_string_equal(noisy.f[i].probe, probes[i]);
		assert_int_equal(noisy.f[i].len, g.f[3 + i].len);
		assert_memory_equal(noisy.f[i].body, g.f[3 + i].body, g.f[3 + i].len);
	}
	assert_int_equal(fr.dropped, 1);
	assert_int_equal(fr.in_frame, 1);
	assert_string_equal(fr.cur.probe, "linux");
	assert_int_equal(fr.cur.seq, 3);
	assert_int_equal(fr.garbage,
	    strlen("Last login: Wed Nov 25 18:02:11 2026 from 10.20.0.4\r\n") +
	    strlen("Welcome to 광주 AI 데이터센터 gpu017\n\n") +
	    strlen("bash: warning: setlocale: LC_ALL: cannot change locale\n@@end " NONCE " 0\n"));
	frame_reader_free(&fr);
	got_free(&g);
	got_free(&crlf);
	got_free(&noisy);
}

/* "@@end NONCE timeout": a command killed at its deadline; other words are body. */
static void
test_end_timeout(void **state)
{
	static const char s[] =
	    "@@opsdeck " NONCE " 1 ipmi\n"
	    "@@end " NONCE " timeoutx\n"
	    "@@end " NONCE " Timeout\n"
	    "@@end " NONCE " timeout 8\n"
	    "partial\n"
	    "@@end " NONCE " timeout\n"
	    "@@opsdeck " NONCE " 1 linux\n"
	    "@@end " NONCE " -999999999\n";
	struct got g = { 0 };
	struct frame_reader fr;
	feed_all(s, sizeof s - 1, 0, &g, &fr);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.f[0].status, FRAME_STATUS_TIMEOUT);
	assert_string_equal(g.f[0].body, "@@end " NONCE " timeoutx\n@@end " NONCE " Timeout\n"
	    "@@end " NONCE " timeout 8\npartial\n");
	assert_int_equal(g.f[1].status, -999999999);
	assert_int_equal(fr.timeouts, 1);
	frame_reader_free(&fr);
	got_free(&g);
}

/* ---- frame_script, run by /bin/sh ---------------------------------------- */

/* This test run's mark: every process of the loops it starts has it in its environment. */
static const char *
test_mark(void)
{
	static char mark[64];
	if (mark[0] == '\0')
		snprintf(mark, sizeof mark, "frame-%ld", (long)getpid());
	return mark;
}

/* How many live processes carry test_mark() in their environment. */
static int
marked_procs(void)
{
	char want[128];
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	snprintf(want, sizeof want, "OPSDECK_TEST_MARK=%s", test_mark());
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300];
		char buf[65536];
		snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof buf - 1);
		close(fd);
		for (ssize_t i = 0; r > 0 && i < r; i += (ssize_t)strlen(buf + i) + 1) {
			buf[r] = '\0';
			if (strcmp(buf + i, want) == 0) {
				n++;
				break;
			}
		}
	}
	closedir(d);
	return n;
}

/* Waits up to ms for no marked process to be left; how many are. */
static int
marked_left(int ms)
{
	int64_t end = now_mono_ms() + ms;
	int n;
	while ((n = marked_procs()) > 0 && now_mono_ms() < end)
		poll(NULL, 0, 20);
	return n;
}

/*
 * In a forked child with its stdin and stdout set: runs script with
 * /bin/sh, every process of it carrying test_mark(), extra_path (or NULL)
 * first in PATH.
 */
static void
exec_loop(const char *script, const char *extra_path)
{
	setenv("OPSDECK_TEST_MARK", test_mark(), 1);
	if (extra_path != NULL) {
		char *path = xasprintf("%s:%s", extra_path, getenv("PATH"));
		setenv("PATH", path, 1);
	}
	execl("/bin/sh", "sh", "-c", script, (char *)NULL);
	_exit(127);
}

/*
 * Runs script with /bin/sh writing into a pipe, reads until want frames came
 * (10 s at most), then closes the pipe and checks that sh exits by itself
 * within 5 s. extra_path: a directory put first in PATH, or NULL. With
 * ignore_sigpipe sh inherits SIGPIPE ignored (as under some daemons), so the
 * loop must notice the failed write itself.
 */
static void
run_script_in(const char *script, const char *input, int want, struct got *g,
    const char *extra_path, int ignore_sigpipe)
{
	int fds[2], in[2] = { -1, -1 };
	assert_int_equal(pipe(fds), 0);
	if (input != NULL)
		assert_int_equal(pipe(in), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		/* as the local source runs it; every process of the loop carries the mark */
		if (input != NULL) {
			close(in[1]);
			dup2(in[0], 0);
		} else {
			dup2(open("/dev/null", O_RDONLY), 0);
		}
		signal(SIGPIPE, ignore_sigpipe ? SIG_IGN : SIG_DFL);
		dup2(fds[1], 1);
		close(fds[1]);
		if (ignore_sigpipe)	/* sh says "printf: I/O error" there: expected */
			freopen("/dev/null", "w", stderr);
		exec_loop(script, extra_path);
	}
	close(fds[1]);
	if (input != NULL) {
		/* a piece at a time, as the SSH source writes it; the end stays open */
		close(in[0]);
		for (size_t off = 0, len = strlen(input); off < len;) {
			size_t n = len - off < SSH_SCRIPT_PIECE ? len - off : SSH_SCRIPT_PIECE;
			ssize_t w = write(in[1], input + off, n);
			assert_true(w > 0);
			off += (size_t)w;
		}
	}

	struct frame_reader fr;
	frame_reader_init(&fr, 0, NONCE);
	int64_t deadline = now_mono_ms() + 10000;
	while (g->n < want && now_mono_ms() < deadline) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		char b[4096];
		ssize_t r = read(fds[0], b, sizeof b);
		if (r <= 0)
			break;
		frame_reader_feed(&fr, b, (size_t)r, on_frame, g);
	}
	frame_reader_free(&fr);
	close(fds[0]);
	if (input != NULL)
		close(in[1]);

	int status = 0, exited = 0;
	deadline = now_mono_ms() + 5000;
	while (now_mono_ms() < deadline) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			exited = 1;
			break;
		}
		poll(NULL, 0, 20);
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	assert_true(g->n >= want);
	assert_true(exited);	/* the loop ended when its pipe closed */
}

/* run_script_in with stdin from /dev/null. */
static void
run_script(const char *script, int want, struct got *g, const char *extra_path,
    int ignore_sigpipe)
{
	run_script_in(script, NULL, want, g, extra_path, ignore_sigpipe);
}

static void
check_two_cycles(const struct got *g)
{
	for (int c = 0; c < 2; c++) {
		const int b = c * 3;
		for (int k = 0; k < 3; k++)
			assert_int_equal(g->f[b + k].seq, (uint64_t)c + 1);
		assert_string_equal(g->f[b].probe, "two-lines");
		assert_int_equal(g->f[b].status, 0);
		assert_string_equal(g->f[b].body, "hello\nworld\n\n");
		assert_string_equal(g->f[b + 1].probe, "no_newline");
		assert_string_equal(g->f[b + 1].body, "no newline\n");
		assert_string_equal(g->f[b + 2].probe, "fails.3");
		assert_int_equal(g->f[b + 2].status, 3);
		assert_string_equal(g->f[b + 2].body, "\n");
	}
}

static const char *const cmds[] = {
	"echo hello; echo world",
	"printf 'no newline'",
	"exit 3",
};
static const char *const names[] = { "two-lines", "no_newline", "fails.3" };

static void
test_script_runs(void **state)
{
	char *script = frame_script(cmds, names, 3, 50);
	const char *marker = "# opsdeck-stream v1 interval_ms=50 deadline_ms=8000 "
	    "probes=two-lines,no_newline,fails.3\n";
	assert_memory_equal(script, marker, strlen(marker));
	char *cmd = frame_command(script, NONCE);
	struct got g = { 0 };
	run_script(cmd, 6, &g, NULL, 0);
	check_two_cycles(&g);
	got_free(&g);
	free(cmd);
	free(script);
}

/* A directory with an executable NAME running body; caller removes it (rm_tool). */
static char *
tool_dir(const char *name, const char *body)
{
	char tmpl[] = "/tmp/opsdeck-test-tool.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *path = xasprintf("%s/%s", tmpl, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
	free(path);
	return xstrdup(tmpl);
}

static void
rm_tool(char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	unlink(path);
	free(path);
	path = xasprintf("%s/log", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

/*
 * A command that hangs (its own child sleeping) is killed with that child
 * at its deadline; its frame ends "timeout" after the output it gave, the
 * next command runs, cycle after cycle, and nothing is left running. With
 * coreutils timeout (a wrapper logs its use) and, when the node's timeout
 * does not work, with the loop's own watchdog.
 */
static void
check_deadline(int with_timeout)
{
	const char *const c[] = {
		"echo before; sh -c 'sleep 1234.5'; echo never",
		"echo next",
	};
	const char *const nm[] = { "hang", "next" };
	char *dir = tool_dir("timeout", with_timeout ?
	    "echo used >>\"$(dirname \"$0\")/log\"; exec /usr/bin/timeout \"$@\"" :
	    "echo 'timeout: not here' >&2; exit 127");
	char *script = frame_script_deadline(c, nm, 2, 50, 300);
	assert_non_null(strstr(script, " deadline_ms=300 "));
	char *cmd = frame_command(script, NONCE);
	struct got g = { 0 };
	int64_t t0 = now_mono_ms();
	run_script(cmd, 4, &g, dir, 0);
	int64_t took = now_mono_ms() - t0;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(g.f[i].seq, (uint64_t)(i / 2 + 1));
		assert_string_equal(g.f[i].probe, nm[i % 2]);
	}
	assert_int_equal(g.f[0].status, FRAME_STATUS_TIMEOUT);
	assert_string_equal(g.f[0].body, "before\n\n");
	assert_int_equal(g.f[1].status, 0);
	assert_string_equal(g.f[1].body, "next\n\n");
	assert_int_equal(g.f[2].status, FRAME_STATUS_TIMEOUT);
	assert_true(took >= 600 && took < 5000);	/* two deadlines of 300 ms */
	assert_int_equal(marked_left(3000), 0);
	char *log = xasprintf("%s/log", dir);
	struct stat sb;
	/* the probe for timeout(1) runs it once; each command once more */
	assert_int_equal(stat(log, &sb) == 0 && sb.st_size >= 3 * 5, with_timeout);
	free(log);
	got_free(&g);
	free(cmd);
	free(script);
	rm_tool(dir, "timeout");
}

static void
test_script_deadline_timeout(void **state)
{
	check_deadline(1);
}

static void
test_script_deadline_watchdog(void **state)
{
	check_deadline(0);
}

/*
 * A command that finishes in time leaves no watchdog behind: after many
 * short cycles, only the loop runs (the sh, its guard none: stdin is
 * /dev/null), and what a command exits with is its status.
 */
static void
test_script_watchdog_quiet(void **state)
{
	const char *const c[] = { "exit 7" };
	const char *const nm[] = { "seven" };
	char *script = frame_script_deadline(c, nm, 1, 20, 5000);
	char *cmd = frame_command(script, NONCE);
	struct got g = { 0 };
	run_script(cmd, 20, &g, NULL, 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(g.f[i].status, 7);
	assert_int_equal(marked_left(3000), 0);
	got_free(&g);
	free(cmd);
	free(script);
}

/*
 * The guard: the loop's stdin is a pipe (as an SSH channel's is) and a
 * command hangs with a deadline far away. When stdin closes (the channel is
 * gone) while stdout stays open, the loop, the command and its child are
 * all gone within seconds, long before the deadline.
 */
static void
test_script_guard(void **state)
{
	const char *const c[] = { "echo first", "sh -c 'sleep 1234.5'" };
	const char *const nm[] = { "first", "hang" };
	char *script = frame_script_deadline(c, nm, 2, 50, 60000);
	char *cmd = frame_command(script, NONCE);
	int out[2], in[2];
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(in), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(out[0]);
		close(in[1]);
		dup2(in[0], 0);
		dup2(out[1], 1);
		exec_loop(cmd, NULL);
	}
	close(out[1]);
	close(in[0]);
	/*
	 * until the first frame came (dd holds the hanging command's header
	 * with its frame: FRAME_WRITE_MAX)
	 */
	char b[4096];
	size_t have = 0;
	int64_t deadline = now_mono_ms() + 10000;
	while (now_mono_ms() < deadline && have < sizeof b - 1) {
		struct pollfd pfd = { out[0], POLLIN, 0 };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t r = read(out[0], b + have, sizeof b - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		b[have] = '\0';
		if (strstr(b, " 1 first\n") != NULL && strstr(b, "@@end ") != NULL)
			break;
	}
	assert_non_null(strstr(b, "@@end "));
	poll(NULL, 0, 300);		/* the sleep has started */
	assert_true(marked_procs() >= 3);	/* the loop, its guard, the command, its sleep */
	int64_t t0 = now_mono_ms();
	close(in[1]);			/* the channel is gone; stdout stays open */
	int left = marked_left(5000);
	int64_t took = now_mono_ms() - t0;
	int status = 0;
	pid_t w = waitpid(pid, &status, WNOHANG);
	if (w != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(out[0]);
	assert_int_equal(left, 0);
	assert_true(took < 5000);
	assert_int_equal(w, pid);
	free(cmd);
	free(script);
}

/*
 * Runs a cycle of cmds with the loop's stdout a SOCK_SEQPACKET socket, so
 * that each write(2) arrives as one record: the sizes of the records of the
 * first nframes frames into sizes (*nsizes of them), the frames into g.
 */
static void
cycle_writes(const char *const *c, const char *const *nm, size_t n, const char *extra_path,
    size_t *sizes, size_t *nsizes, struct got *g)
{
	char *script = frame_script(c, nm, n, 5000);
	char *cmd = frame_command(script, NONCE);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(open("/dev/null", O_RDONLY), 0);
		dup2(sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		exec_loop(cmd, extra_path);
	}
	close(sv[1]);
	struct frame_reader fr;
	frame_reader_init(&fr, 0, NONCE);
	size_t max = *nsizes;
	*nsizes = 0;
	int64_t deadline = now_mono_ms() + 10000;
	while (g->n < (int)n && *nsizes < max && now_mono_ms() < deadline) {
		struct pollfd pfd = { sv[0], POLLIN, 0 };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		char rec[65536];
		ssize_t r = recv(sv[0], rec, sizeof rec, 0);
		if (r <= 0)
			break;
		sizes[(*nsizes)++] = (size_t)r;
		frame_reader_feed(&fr, rec, (size_t)r, on_frame, g);
	}
	frame_reader_free(&fr);
	close(sv[0]);		/* the loop ends at its next write */
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(marked_left(3000), 0);
	free(cmd);
	free(script);
}

/*
 * Each frame leaves the node through dd (FRAME_WRITE_MAX): its header,
 * output and end line in writes of FRAME_WRITE_MAX bytes and one for the
 * rest, cut anywhere, so that a real sshd sends a frame as one packet or a
 * few of at most that size. Where dd does not work, the loop writes as
 * before: the header, the output, the end line apart.
 */
static void
test_script_writes(void **state)
{
	const char *const c[] = {
		"i=0; while [ $i -lt 100 ]; do "
		    "echo 0123456789012345678901234567890123456789012345678; i=$((i + 1)); done",
		"echo short",
		"exit 3",
	};
	const char *const nm[] = { "big", "short", "none" };
	const char *body[] = { NULL, "short\n\n", "\n" };
	size_t len[3];
	for (int i = 0; i < 3; i++)
		len[i] = strlen("@@opsdeck " NONCE " 1 \n") + strlen(nm[i]) +
		    (i == 0 ? 5001 : strlen(body[i])) + strlen("@@end " NONCE " 0\n");
	size_t sizes[256], nsizes = 256;
	struct got g = { 0 };

	cycle_writes(c, nm, 3, NULL, sizes, &nsizes, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.f[0].len, 5001);
	assert_string_equal(g.f[1].body, body[1]);
	assert_int_equal(g.f[2].status, 3);
	assert_string_equal(g.f[2].body, body[2]);
	size_t want[] = { FRAME_WRITE_MAX, len[0] - FRAME_WRITE_MAX, len[1], len[2] };
	assert_int_equal(nsizes, 4);
	for (size_t i = 0; i < 4; i++)
		if (sizes[i] != want[i])
			fail_msg("write %zu: %zu bytes, want %zu", i + 1, sizes[i], want[i]);
	got_free(&g);

	/* a dd that does not work: the same frames, in more writes */
	char *dir = tool_dir("dd", "exit 1");
	nsizes = 256;
	cycle_writes(c, nm, 3, dir, sizes, &nsizes, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.f[0].len, 5001);
	assert_string_equal(g.f[1].body, body[1]);
	assert_true(nsizes >= 100);	/* an echo a write */
	assert_int_equal(sizes[0], strlen("@@opsdeck " NONCE " 1 big\n"));
	got_free(&g);
	rm_tool(dir, "dd");
}

/* A sleep that takes only whole seconds: the POSIX fallback keeps the loop going. */
static void
test_script_integer_sleep(void **state)
{
	char dir[] = "/tmp/opsdeck-test-sleep.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/sleep", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\ncase \"$1\" in *.*) "
	    "echo \"sleep: invalid time interval '$1'\" >&2;"
	    " exit 1;; esac\nexec /bin/sleep \"$1\"\n");
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);

	char *script = frame_script(cmds, names, 3, 300);
	char *cmd = frame_command(script, NONCE);
	struct got g = { 0 };
	int64_t t0 = now_mono_ms();
	run_script(cmd, 6, &g, dir, 1);
	free(cmd);
	int64_t took = now_mono_ms() - t0;
	check_two_cycles(&g);
	assert_true(took >= 900);	/* slept a whole second between cycles */
	got_free(&g);
	free(script);
	unlink(path);
	free(path);
	rmdir(dir);
}

/* frame_exec_command's quoting survives a login shell: run it with sh -c, as sshd would. */
static void
test_exec_command(void **state)
{
	const char *const c[] = { "echo 'it'\\''s' \"$OPSDECK_TEST_Q\" | tr a-z A-Z" };
	const char *const nm[] = { "quote" };
	setenv("OPSDECK_TEST_Q", "a 'b' c", 1);
	char *script = frame_script(c, nm, 1, 1000);
	char *full = frame_command(script, NONCE);
	char *cmd = frame_exec_command(full);
	free(full);
	assert_memory_equal(cmd, "exec sh -c '# opsdeck-stream v1", 31);
	struct got g = { 0 };
	run_script(cmd, 1, &g, NULL, 0);
	assert_string_equal(g.f[0].probe, "quote");
	char *want = xstrdup("IT'S A 'B' C\n\n");
	for (char *p = want; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	assert_string_equal(g.f[0].body, want);
	free(want);
	got_free(&g);
	free(cmd);
	free(script);
}

/*
 * The SSH source's way: a few bytes of exec request, the script on stdin a
 * piece at a time. sh reads exactly the script (head -c; dd where head
 * fails, as a head without -c would) and runs it: both cycles' frames come
 * whole, and the rest of stdin is the loop's guard's (the loop ends when it
 * closes, run_script_in checks).
 */
static void
test_stdin_command(void **state)
{
	char *script = frame_script(cmds, names, 3, 50);
	char *full = frame_command(script, NONCE);
	char *boot = frame_stdin_command(strlen(full));
	assert_true(strlen(boot) < 200);
	char *want = xasprintf(FRAME_STDIN_MARKER " bytes=%zu\n", strlen(full));
	assert_memory_equal(boot, want, strlen(want));
	free(want);
	for (int no_head = 0; no_head < 2; no_head++) {
		char dir[] = "/tmp/opsdeck-test-head.XXXXXX";
		if (no_head) {
			assert_non_null(mkdtemp(dir));
			char *p = xasprintf("%s/head", dir);
			FILE *f = fopen(p, "w");
			assert_non_null(f);
			fputs("#!/bin/sh\necho 'head: invalid option -- c' >&2\nexit 1\n", f);
			fclose(f);
			assert_int_equal(chmod(p, 0755), 0);
			free(p);
		}
		struct got g = { 0 };
		run_script_in(boot, full, 6, &g, no_head ? dir : NULL, 0);
		check_two_cycles(&g);
		got_free(&g);
		if (no_head) {
			char *p = xasprintf("%s/head", dir);
			unlink(p);
			free(p);
			rmdir(dir);
		}
	}
	free(boot);
	free(full);
	free(script);
}

/*
 * Marker lines without this session's nonce, with another session's, with
 * the nonce in capitals or cut short, inside a frame: all body; the frame
 * ends only at its own end line. Outside a frame: garbage, no frame starts.
 */
static void
test_forged_markers(void **state)
{
	static const char forged[] =
	    "@@end 0\n"
	    "@@opsdeck 9 linux\n"
	    "@@end " OTHER " 0\n"
	    "@@opsdeck " OTHER " 9 linux\n"
	    "@@end 5F0C2E8A91D34B7BA6E1C07D3F9A2B64 0\n"
	    "@@end 5f0c2e8a91d34b7ba6e1c07d3f9a2b6 0\n"
	    "@@end " NONCE "0\n"
	    "@@opsdeck " NONCE "x 9 linux\n";
	static const char s[] =
	    "@@opsdeck " OTHER " 8 linux\nforged frame\n@@end " OTHER " 0\n"
	    "@@opsdeck " NONCE " 3 nvidia\n"
	    "real 1\n"
	    "@@end 0\n"
	    "@@opsdeck 9 linux\n"
	    "@@end " OTHER " 0\n"
	    "@@opsdeck " OTHER " 9 linux\n"
	    "@@end 5F0C2E8A91D34B7BA6E1C07D3F9A2B64 0\n"
	    "@@end 5f0c2e8a91d34b7ba6e1c07d3f9a2b6 0\n"
	    "@@end " NONCE "0\n"
	    "@@opsdeck " NONCE "x 9 linux\n"
	    "real 2\n"
	    "@@end " NONCE " 0\n";
	struct got g = { 0 };
	struct frame_reader fr;
	feed_all(s, sizeof s - 1, 0, &g, &fr);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].seq, 3);
	assert_string_equal(g.f[0].probe, "nvidia");
	char *want = xasprintf("real 1\n%sreal 2\n", forged);
	assert_string_equal(g.f[0].body, want);
	free(want);
	assert_int_equal(fr.dropped, 0);
	assert_int_equal(fr.garbage,
	    strlen("@@opsdeck " OTHER " 8 linux\nforged frame\n@@end " OTHER " 0\n"));
	frame_reader_free(&fr);
	got_free(&g);
}

/* frame_reader_init(NULL) draws a nonce: 32 lowercase hex digits, a new one each time. */
static void
test_nonce_drawn(void **state)
{
	struct frame_reader a, b;
	frame_reader_init(&a, 0, NULL);
	frame_reader_init(&b, 0, NULL);
	assert_int_equal(strlen(a.nonce), FRAME_NONCE_LEN);
	assert_int_equal(strspn(a.nonce, "0123456789abcdef"), FRAME_NONCE_LEN);
	assert_string_not_equal(a.nonce, b.nonce);
	/* frame_command starts the loop with it */
	char *cmd = frame_command("# s\n", a.nonce);
	char *want = xasprintf("# s\nopsdeck_stream %s\n", a.nonce);
	assert_string_equal(cmd, want);
	free(want);
	free(cmd);
	frame_reader_free(&a);
	frame_reader_free(&b);
}

/*
 * A probe that prints a forged end and a forged header (the old format, and
 * with a guess at the nonce variable, which its subshell does not have)
 * ends nothing: its frame keeps them as body, and the next probe's real
 * frame is the one read, cycle after cycle.
 */
static void
test_script_forging_probe(void **state)
{
	const char *const c[] = {
		"printf 'before\\n@@end 0\\n@@opsdeck 1 real\\nforged\\n'; "
		    "printf '@@end %s 0\\n@@opsdeck %s 1 real\\n' \"$opsdeck_nonce\" "
		    "\"$opsdeck_nonce\"; echo after",
		"echo real data",
	};
	const char *const nm[] = { "forger", "real" };
	char *script = frame_script(c, nm, 2, 50);
	char *cmd = frame_command(script, NONCE);
	struct got g = { 0 };
	run_script(cmd, 4, &g, NULL, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(g.f[i].seq, (uint64_t)(i / 2 + 1));
		assert_string_equal(g.f[i].probe, nm[i % 2]);
		assert_int_equal(g.f[i].status, 0);
	}
	assert_string_equal(g.f[0].body, "before\n@@end 0\n@@opsdeck 1 real\nforged\n"
	    "@@end  0\n@@opsdeck  1 real\nafter\n\n");
	assert_string_equal(g.f[1].body, "real data\n\n");
	assert_string_equal(g.f[3].body, "real data\n\n");
	got_free(&g);
	free(cmd);
	free(script);
}

/* A nonce that is not 32 lowercase hex digits stops the loop before any output. */
static void
test_script_bad_nonce(void **state)
{
	const char *const c[] = { "echo x" };
	const char *const nm[] = { "p" };
	char *script = frame_script(c, nm, 1, 50);
	static const char *const bad[] = {
		"", "5F0C2E8A91D34B7BA6E1C07D3F9A2B64", "5f0c2e8a91d34b7ba6e1c07d3f9a2b6",
		"5f0c2e8a91d34b7ba6e1c07d3f9a2b640", "5f0c2e8a91d34b7b;e1c07d3f9a2b64x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cmd = xasprintf("%sopsdeck_stream '%s'\necho reached\n", script, bad[i]);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		char out[64];
		size_t got = fread(out, 1, sizeof out, p);
		int status = pclose(p);
		assert_int_equal(got, 0);	/* no frame, and the line after is not run */
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 2);
		free(cmd);
	}
	free(script);
}

/*
 * opsdeck_kill against a tree that changes between its two looks: the first
 * look finds P and its child C and stops both; before the second, P dies, so
 * C (stopped, re-parented) is no longer in P's tree. C must still be killed,
 * not left stopped for good. The script's own functions run under /bin/sh;
 * only opsdeck_procs (the listing) is replaced, to make the change happen
 * between the looks.
 */
static void
test_script_kill_orphan(void **state)
{
	(void)state;
	const char *const c[] = { "echo x" };
	const char *const nm[] = { "p" };
	char dir[] = "/tmp/opsdeck-test-kill.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *script = frame_script(c, nm, 1, 50);
	char *cmd = xasprintf("%s"
	    "cd '%s' || exit 1\n"
	    "sh -c 'sleep 60 & echo $! >c.tmp; mv c.tmp c; wait' & P=$!\n"
	    "while [ ! -s c ]; do sleep 0.01; done; C=$(cat c)\n"
	    "state() { read -r l <\"/proc/$1/stat\" 2>/dev/null || { echo gone; return; }\n"
	    "\tl=${l##*\") \"}; echo \"${l%%%% *}\"; }\n"
	    "opsdeck_procs() {\n"
	    "\tif [ ! -e first ]; then : >first; echo \"$P $$\"; echo \"$C $P\"; return; fi\n"
	    "\tkill -KILL $P\n"
	    "\twhile [ \"$(state $P)\" != Z ] && [ \"$(state $P)\" != gone ]; do sleep 0.01; done\n"
	    "\tps -e -o pid= -o ppid=\n"
	    "}\n"
	    "opsdeck_kill $P\n"
	    "i=0; while [ \"$(state $C)\" = T ] && [ $i -lt 20 ]; do sleep 0.05; i=$((i + 1)); done\n"
	    "echo \"$(state $C)\"\n"
	    "kill -KILL $C 2>/dev/null; wait\n", script, dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char out[64] = "";
	if (fgets(out, sizeof out, p) == NULL)
		out[0] = '\0';
	int status = pclose(p);
	assert_true(WIFEXITED(status));
	out[strcspn(out, "\n")] = '\0';
	/* killed: a zombie of whoever adopted it, or reaped */
	if (strcmp(out, "Z") != 0 && strcmp(out, "gone") != 0)
		fail_msg("the orphaned child is in state '%s', not killed", out);
	char *rm = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(rm), 0);
	free(rm);
	free(cmd);
	free(script);
}

/* "@@opsdeck NONCE SEQ PROBE\n" + body + "\n@@end NONCE 0\n" */
static char *
one_frame(int seq, const char *probe, const char *body)
{
	return xasprintf("@@opsdeck %s %d %s\n%s\n@@end %s 0\n", NONCE, seq, probe, body, NONCE);
}

/*
 * Readers fed by one thread share a spare body buffer: a reader that ends a
 * feed between frames holds no body (the spare keeps the larger memory), the
 * next frame of any reader takes it, a frame that spans feeds keeps its own,
 * and every body arrives whole.
 */
static void
test_spare_body(void **state)
{
	(void)state;
	struct buf spare;
	struct frame_reader a, b;
	struct got g = { 0 };
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';

	buf_init(&spare, 0);
	frame_reader_init(&a, 0, NONCE);
	frame_reader_init(&b, 0, NONCE);
	a.spare = b.spare = &spare;

	char *f1 = one_frame(1, "linux", big);
	assert_int_equal(frame_reader_feed(&a, f1, strlen(f1), on_frame, &g), 1);
	assert_int_equal(a.body.cap, 0);		/* between frames: none of its own */
	assert_true(spare.cap > sizeof big);		/* lent to the spare */
	char *mem = spare.data;

	char *f2 = one_frame(1, "ipmi", "Fan1 | 30h | ok");
	size_t half = strlen(f2) / 2;
	assert_int_equal(frame_reader_feed(&b, f2, half, on_frame, &g), 0);
	assert_ptr_equal(b.body.data, mem);		/* b's frame took it */
	assert_int_equal(spare.cap, 0);
	char *f3 = one_frame(2, "linux", "cpu  1 2 3 4");
	assert_int_equal(frame_reader_feed(&a, f3, strlen(f3), on_frame, &g), 1);
	assert_true(spare.cap > 0);			/* a's own, small one */
	assert_int_equal(frame_reader_feed(&b, f2 + half, strlen(f2) - half, on_frame, &g), 1);
	assert_ptr_equal(spare.data, mem);		/* the larger is kept */
	assert_int_equal(b.body.cap, 0);

	assert_int_equal(g.n, 3);
	assert_int_equal(g.f[0].len, strlen(big) + 1);	/* a body keeps its lines' LF */
	assert_memory_equal(g.f[0].body, big, strlen(big));
	assert_string_equal(g.f[1].body, "cpu  1 2 3 4\n");
	assert_string_equal(g.f[2].body, "Fan1 | 30h | ok\n");
	assert_string_equal(g.f[2].probe, "ipmi");

	frame_reader_free(&a);
	frame_reader_free(&b);
	assert_ptr_equal(spare.data, mem);		/* the owner frees it */
	buf_free(&spare);
	got_free(&g);
	free(f1);
	free(f2);
	free(f3);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_any_split),
		cmocka_unit_test(test_plain_runs),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_missing_end),
		cmocka_unit_test(test_malformed_markers),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_endless_line),
		cmocka_unit_test(test_fixture_streams),
		cmocka_unit_test(test_script_runs),
		cmocka_unit_test(test_script_integer_sleep),
		cmocka_unit_test(test_exec_command),
		cmocka_unit_test(test_stdin_command),
		cmocka_unit_test(test_forged_markers),
		cmocka_unit_test(test_nonce_drawn),
		cmocka_unit_test(test_script_forging_probe),
		cmocka_unit_test(test_script_bad_nonce),
		cmocka_unit_test(test_end_timeout),
		cmocka_unit_test(test_script_deadline_timeout),
		cmocka_unit_test(test_script_deadline_watchdog),
		cmocka_unit_test(test_script_watchdog_quiet),
		cmocka_unit_test(test_script_guard),
		cmocka_unit_test(test_script_writes),
		cmocka_unit_test(test_script_kill_orphan),
		cmocka_unit_test(test_spare_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
