/*
 * frame.c: the incremental reader of the framed report stream, and the sh
 * loop that writes it on a node (frame.h).
 *
 * The reader looks at the input line by line but buffers a line only while
 * it may still be a marker ("@@opsdeck ..." or "@@end ..."), at most
 * FRAME_LINE_MAX bytes; other bytes go straight to the body (up to the cap)
 * or are counted as garbage. So memory stays bounded and any split of the
 * input across feeds gives the same frames.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "opsdeck/buf.h"
#include "opsdeck/frame.h"
#include "opsdeck/util.h"

#define BODY_KEEP	(64 * 1024)	/* body buffer kept between frames */
/* A sh pattern of FRAME_NONCE_LEN characters ('?' each), cut from this. */
#define QMARKS	"????????????????????????????????????????????????????????????????"

/* Whether s is exactly FRAME_NONCE_LEN lowercase hex digits (n bytes given). */
static int
nonce_valid(const char *s, size_t n)
{
	if (n != FRAME_NONCE_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A fresh nonce from the kernel's random source into out (FRAME_NONCE_LEN + 1). */
static void
nonce_draw(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[FRAME_NONCE_LEN / 2];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t k = getrandom(r + got, sizeof r - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			fatal("frame nonce: getrandom: %s", strerror(errno));
		got += (size_t)k;
	}
	for (size_t i = 0; i < sizeof r; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0xf];
	}
	out[FRAME_NONCE_LEN] = '\0';
}

/* See frame.h. */
void
frame_reader_init(struct frame_reader *fr, size_t cap, const char *nonce)
{
	memset(fr, 0, sizeof *fr);
	if (nonce == NULL)
		nonce_draw(fr->nonce);
	else if (nonce_valid(nonce, strlen(nonce)))
		memcpy(fr->nonce, nonce, FRAME_NONCE_LEN + 1);
	else
		fatal("frame_reader_init: bad nonce");
	fr->cap = cap ? cap : FRAME_DEFAULT_CAP;
	buf_init(&fr->line, FRAME_LINE_MAX);
	buf_init(&fr->body, fr->cap);
}

void
frame_reader_free(struct frame_reader *fr)
{
	buf_free(&fr->line);
	buf_free(&fr->body);
	fr->in_frame = 0;
	fr->line_plain = 0;
	fr->pending_cr = 0;
}

/* Bytes that are not part of a marker: body inside a frame, else garbage. */
static void
sink(struct frame_reader *fr, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (!fr->in_frame) {
		fr->garbage += n;
		return;
	}
	if (fr->body.overflow) {
		return;		/* past the cap: discarded */
	}
	if (buf_append(&fr->body, p, n) != 0)
		fr->cur.truncated = 1;
}

/*
 * Plain (non-marker) bytes of a line, no LF among them. A CR is held back
 * until we know whether an LF follows it (CRLF -> LF).
 */
static void
sink_plain(struct frame_reader *fr, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (fr->pending_cr) {
		sink(fr, "\r", 1);
		fr->pending_cr = 0;
	}
	if (p[n - 1] == '\r') {
		fr->pending_cr = 1;
		n--;
	}
	sink(fr, p, n);
}

/* Whether the first n bytes of a line may still begin a marker line. */
static int
may_be_marker(const char *s, size_t n)
{
	static const char hdr[] = FRAME_MAGIC, end[] = FRAME_END;
	size_t lh = sizeof hdr - 1, le = sizeof end - 1;
	return memcmp(s, hdr, n < lh ? n : lh) == 0 || memcmp(s, end, n < le ? n : le) == 0;
}

static int
is_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
probe_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.' || c == '-';
}

/*
 * Skips "NONCE " at *s (*n bytes) when NONCE is nonce; returns 0 when the
 * line does not carry it.
 */
static int
take_nonce(const char **s, size_t *n, const char *nonce)
{
	if (*n <= FRAME_NONCE_LEN || memcmp(*s, nonce, FRAME_NONCE_LEN) != 0 ||
	    (*s)[FRAME_NONCE_LEN] != ' ')
		return 0;
	*s += FRAME_NONCE_LEN + 1;
	*n -= FRAME_NONCE_LEN + 1;
	return 1;
}

/* "@@opsdeck NONCE SEQ PROBE" -> 1 with seq and probe set, else 0. */
static int
parse_header(const char *s, size_t n, const char *nonce, uint64_t *seq, char *probe)
{
	size_t lm = strlen(FRAME_MAGIC);
	if (n <= lm || memcmp(s, FRAME_MAGIC, lm) != 0)
		return 0;
	s += lm;
	n -= lm;
	if (!take_nonce(&s, &n, nonce))
		return 0;
	const char *sp = memchr(s, ' ', n);
	if (sp == NULL)
		return 0;
	size_t dl = (size_t)(sp - s);
	if (!is_digits(s, dl) || dl > 20)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < dl; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	const char *name = sp + 1;
	size_t nl = n - dl - 1;
	if (nl == 0 || nl > FRAME_PROBE_MAX)
		return 0;
	for (size_t i = 0; i < nl; i++)
		if (!probe_name_char(name[i]))
			return 0;
	*seq = v;
	memcpy(probe, name, nl);
	probe[nl] = '\0';
	return 1;
}

/*
 * "@@end NONCE STATUS" -> 1 with status set, else 0. STATUS "timeout" (the
 * command was killed at its deadline) gives FRAME_STATUS_TIMEOUT.
 */
static int
parse_end(const char *s, size_t n, const char *nonce, int *status)
{
	size_t le = strlen(FRAME_END);
	size_t lt = strlen(FRAME_TIMEOUT_WORD);
	int neg = 0;
	if (n <= le || memcmp(s, FRAME_END, le) != 0)
		return 0;
	s += le;
	n -= le;
	if (!take_nonce(&s, &n, nonce))
		return 0;
	if (n == lt && memcmp(s, FRAME_TIMEOUT_WORD, lt) == 0) {
		*status = FRAME_STATUS_TIMEOUT;
		return 1;
	}
	if (s[0] == '-') {
		neg = 1;
		s++;
		n--;
	}
	if (!is_digits(s, n) || n > 9)
		return 0;
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	*status = neg ? -v : v;
	return 1;
}

/*
 * Between frames the body holds no memory of its own (a host between cycles
 * holds none): it goes to the spare, which keeps the larger of the two, or
 * is freed.
 */
static void
body_release(struct frame_reader *fr)
{
	struct buf *s = fr->spare;

	if (fr->body.cap == 0)
		return;
	if (s == NULL || s->cap >= fr->body.cap) {
		buf_free(&fr->body);
		return;
	}
	free(s->data);
	s->data = fr->body.data;
	s->cap = fr->body.cap;
	s->len = 0;
	s->overflow = 0;
	fr->body.data = NULL;
	fr->body.len = fr->body.cap = 0;
	fr->body.overflow = 0;
}

/* A new frame's body: the spare's memory when there is some, and the hint. */
static void
body_take(struct frame_reader *fr)
{
	struct buf *s = fr->spare;

	if (fr->body.cap == 0 && s != NULL && s->cap > 0) {
		fr->body.data = s->data;
		fr->body.cap = s->cap;
		s->data = NULL;
		s->len = s->cap = 0;
	}
	buf_reset(&fr->body);
	if (fr->body_hint > 0)
		buf_reserve(&fr->body, fr->body_hint);
}

static void
start_frame(struct frame_reader *fr, uint64_t seq, const char *probe)
{
	if (fr->in_frame)
		fr->dropped++;
	body_take(fr);
	memset(&fr->cur, 0, sizeof fr->cur);
	fr->cur.seq = seq;
	od_strlcpy(fr->cur.probe, probe, sizeof fr->cur.probe);
	fr->in_frame = 1;
}

static void
finish_frame(struct frame_reader *fr, int status,
    void (*cb)(const struct frame *, void *), void *arg)
{
	fr->cur.status = status;
	fr->cur.timed_out = status == FRAME_STATUS_TIMEOUT;
	if (fr->cur.timed_out)
		fr->timeouts++;
	fr->cur.body = (char *)buf_cstr(&fr->body);
	fr->cur.len = fr->body.len;
	if (fr->cur.truncated)
		fr->truncated++;
	fr->frames++;
	fr->in_frame = 0;
	if (cb != NULL)
		cb(&fr->cur, arg);
	fr->cur.body = NULL;
	/* The hint follows the largest body of a cycle, and shrinks slowly. */
	size_t decayed = fr->body_hint - fr->body_hint / 16;
	fr->body_hint = fr->cur.len > decayed ? fr->cur.len : decayed;
	if (fr->body_hint > BODY_KEEP)
		fr->body_hint = BODY_KEEP;
	fr->cur.len = 0;
	if (fr->body.cap > BODY_KEEP)
		buf_free(&fr->body);
	else
		buf_reset(&fr->body);
}

/*
 * The LF of the current line arrived. A buffered line is a marker or plain
 * text; a plain line gets its LF (a held CR before it is dropped). Returns 1
 * when a frame was completed.
 */
static int
end_of_line(struct frame_reader *fr, void (*cb)(const struct frame *, void *), void *arg)
{
	int done = 0;

	if (!fr->line_plain) {
		const char *s = fr->line.data != NULL ? fr->line.data : "";
		size_t n = fr->line.len;
		uint64_t seq;
		int status;
		char probe[FRAME_PROBE_MAX + 1];

		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (parse_header(s, n, fr->nonce, &seq, probe)) {
			start_frame(fr, seq, probe);
			buf_reset(&fr->line);
			return 0;
		}
		if (parse_end(s, n, fr->nonce, &status)) {
			if (fr->in_frame) {
				finish_frame(fr, status, cb, arg);
				done = 1;
			} else
				fr->garbage += fr->line.len + 1;
			buf_reset(&fr->line);
			return done;
		}
		sink_plain(fr, fr->line.data, fr->line.len);
		buf_reset(&fr->line);
	}
	if (fr->pending_cr && !fr->in_frame)
		fr->garbage++;	/* the CR of a CRLF is still a byte seen */
	fr->pending_cr = 0;
	sink(fr, "\n", 1);
	fr->line_plain = 0;
	return done;
}

/* The line turned out not to be a marker: flush what was buffered of it. */
static void
go_plain(struct frame_reader *fr)
{
	fr->line_plain = 1;
	sink_plain(fr, fr->line.data, fr->line.len);
	buf_reset(&fr->line);
}

/*
 * How many bytes at p are whole lines that cannot be markers: each ends in
 * an LF without a CR before it and begins with anything but '@' (the first
 * byte of FRAME_MAGIC and FRAME_END). Such a run
 * goes to the body in one piece, where a line at a time would be copied to
 * the line buffer, tested and copied again (most of a frame is such lines).
 */
static size_t
plain_run(const char *p, size_t n)
{
	if (n == 0 || p[0] == '@')
		return 0;
	/* stop at the first CR (rare; the line-at-a-time path sorts it out) */
	const char *cr = memchr(p, '\r', n);
	size_t lim = cr != NULL ? (size_t)(cr - p) : n;
	/* and at the first line that begins with '@' ('@' is rare in the output) */
	for (const char *at = memchr(p, '@', lim); at != NULL;
	    at = memchr(at + 1, '@', lim - (size_t)(at + 1 - p))) {
		if (at[-1] == '\n') {
			lim = (size_t)(at - p);
			break;
		}
	}
	/* the whole lines before that point */
	const char *nl = memrchr(p, '\n', lim);
	return nl != NULL ? (size_t)(nl - p) + 1 : 0;
}

int
frame_reader_feed(struct frame_reader *fr, const char *p, size_t n,
    void (*cb)(const struct frame *, void *), void *arg)
{
	int frames = 0;

	while (n > 0) {
		if (!fr->line_plain && fr->line.len == 0 && !fr->pending_cr) {
			size_t run = plain_run(p, n);
			if (run > 0) {
				sink(fr, p, run);
				p += run;
				n -= run;
				continue;
			}
		}
		const char *nl = memchr(p, '\n', n);
		size_t seg = nl != NULL ? (size_t)(nl - p) : n;
		const char *q = p;
		size_t left = seg;

		if (!fr->line_plain && left > 0) {
			size_t room = FRAME_LINE_MAX - fr->line.len;
			size_t take = left < room ? left : room;
			buf_append(&fr->line, q, take);
			q += take;
			left -= take;
			/*
			 * Longest marker line plus a CR fits in FRAME_LINE_MAX,
			 * so a full buffer with more to come is plain.
			 */
			if (!may_be_marker(fr->line.data, fr->line.len) ||
			    fr->line.len >= FRAME_LINE_MAX)
				go_plain(fr);
		}
		if (fr->line_plain)
			sink_plain(fr, q, left);
		if (nl == NULL)
			break;
		frames += end_of_line(fr, cb, arg);
		p += seg + 1;
		n -= seg + 1;
	}
	/* Between frames a stream holds no body buffer (memory per host). */
	if (!fr->in_frame)
		body_release(fr);
	return frames;
}

/* ---- the node's loop ----------------------------------------------------- */

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define WRITE_MAX_STR	STR(FRAME_WRITE_MAX)

static void
check_name(const char *name)
{
	size_t l = strlen(name);
	if (l == 0 || l > FRAME_PROBE_MAX)
		fatal("frame_script: bad probe name '%s'", name);
	for (size_t i = 0; i < l; i++)
		if (!probe_name_char(name[i]))
			fatal("frame_script: bad probe name '%s'", name);
}

/*
 * The parts of the loop that do not depend on the group. Each probe command
 * runs as `sh -c CMD` in the background with stdin from /dev/null, under
 * coreutils timeout (a process group of its own, and a backstop two seconds
 * past the deadline) where the node has a timeout that takes `-s KILL`;
 * opsdeck_watch kills it with its children at the deadline and exits 0 only
 * then, so the end line says "timeout" exactly when the deadline fired. The
 * loop stops a watchdog with SIGUSR1, a signal the loop itself does not
 * trap: a subshell that gets a signal its parent traps, before it has reset
 * the parent's traps, loses it (dash), and the watchdog would live on.
 * opsdeck_guard reads the channel's stdin, which the client never writes:
 * end of file means the channel is gone (sshd sends no SIGHUP without a
 * pty), and it kills the loop and everything the loop started, hung probes
 * included. opsdeck_tree lists a pid and its descendants (ps, else /proc),
 * leaving out $2 and its own; opsdeck_kill stops them (so none forks away),
 * looks again, stops the new ones and kills both lists: a stopped process
 * whose parent exited between the looks is no longer in the second list
 * (it has a new parent), and would stay stopped for good.
 * opsdeck_each writes a probe's frame (opsdeck_one: header, command, end
 * line) through dd in FRAME_WRITE_MAX blocks when opsdeck_j says the
 * node's dd does that (frame.h); the frame is then a pipeline whose first
 * part is a subshell, which the guard's tree walk reaches like the rest,
 * and whose status is dd's: a write that fails there ends the loop.
 */
static const char script_lib[] =
    "opsdeck_procs() {\n"
    "\tps -e -o pid= -o ppid= 2>/dev/null && return\n"
    "\tfor opsdeck_f in /proc/[0-9]*/stat; do\n"
    "\t\tread -r opsdeck_l <\"$opsdeck_f\" 2>/dev/null || continue\n"
    "\t\topsdeck_l=${opsdeck_l##*\") \"}\n"
    "\t\tset -- $opsdeck_l\n"
    "\t\topsdeck_f=${opsdeck_f#/proc/}\n"
    "\t\techo \"${opsdeck_f%/stat} $2\"\n"
    "\tdone\n"
    "}\n"
    "opsdeck_tree() {\n"
    "\topsdeck_procs | awk -v r=\"$1\" -v x=\"${2:-0}\" '\n"
    "\t\t{ k[NR] = $1; p[NR] = $2 }\n"
    "\t\tEND { s[r] = 1; m = 1\n"
    "\t\t\twhile (m) { m = 0; for (i = 1; i <= NR; i++)\n"
    "\t\t\t\tif (!(k[i] in s) && (p[i] in s) && k[i] != x) { s[k[i]] = 1; m = 1 } }\n"
    "\t\t\tfor (q in s) print q }'\n"
    "}\n"
    "opsdeck_kill() {\n"
    "\topsdeck_a=$(opsdeck_tree \"$1\" \"$2\")\n"
    "\tkill -STOP $opsdeck_a 2>/dev/null\n"
    "\topsdeck_b=$(opsdeck_tree \"$1\" \"$2\")\n"
    "\tkill -STOP $opsdeck_b 2>/dev/null\n"
    "\tkill -KILL $opsdeck_a $opsdeck_b 2>/dev/null\n"
    "}\n"
    "opsdeck_watch() {\n"
    "\topsdeck_s= opsdeck_x=\n"
    "\ttrap 'opsdeck_x=1; [ -z \"$opsdeck_s\" ] || kill $opsdeck_s 2>/dev/null' USR1\n"
    "\tsleep $opsdeck_d & opsdeck_s=$!\n"
    "\t[ -z \"$opsdeck_x\" ] || kill $opsdeck_s 2>/dev/null\n"
    "\twait $opsdeck_s || exit 1\n"
    "\t[ -z \"$opsdeck_x\" ] || exit 1\n"
    "\tkill -KILL -$1 2>/dev/null\n"
    "\topsdeck_kill $1\n"
    "\texit 0\n"
    "}\n"
    "opsdeck_run() {\n"
    "\tif [ -n \"$opsdeck_to\" ]; then\n"
    "\t\ttimeout -s KILL $opsdeck_b sh -c \"$1\" </dev/null &\n"
    "\telse\n"
    "\t\tsh -c \"$1\" </dev/null &\n"
    "\tfi\n"
    "\topsdeck_p=$!\n"
    "\topsdeck_watch $opsdeck_p </dev/null >/dev/null 2>&1 &\n"
    "\topsdeck_w=$!\n"
    "\twait $opsdeck_p\n"
    "\topsdeck_st=$?\n"
    "\tkill -USR1 $opsdeck_w 2>/dev/null\n"
    "\twait $opsdeck_w && opsdeck_st=" FRAME_TIMEOUT_WORD "\n"
    "\topsdeck_p=\n"
    "\tprintf '\\n@@end %s %s\\n' \"$opsdeck_nonce\" \"$opsdeck_st\"\n"
    "}\n"
    "opsdeck_one() {\n"
    "\tprintf '@@opsdeck %s %s %s\\n' \"$opsdeck_nonce\" \"$opsdeck_seq\" \"$1\" || return 1\n"
    "\topsdeck_run \"$2\"\n"
    "}\n"
    "opsdeck_each() {\n"
    "\tif [ -n \"$opsdeck_j\" ]; then\n"
    "\t\topsdeck_one \"$1\" \"$2\" | dd ibs=4096 obs=" WRITE_MAX_STR " 2>/dev/null\n"
    "\telse\n"
    "\t\topsdeck_one \"$1\" \"$2\"\n"
    "\tfi\n"
    "}\n"
    "opsdeck_guard() {\n"
    "\topsdeck_me=$(exec sh -c 'echo $PPID')\n"
    "\twhile read -r opsdeck_l; do :; done\n"
    "\topsdeck_kill $1 \"$opsdeck_me\"\n"
    "}\n"
    "opsdeck_exit() {\n"
    "\t[ -z \"$opsdeck_g\" ] || kill $opsdeck_g 2>/dev/null\n"
    "\t[ -z \"$opsdeck_p\" ] || opsdeck_kill $opsdeck_p\n"
    "}\n";

/* "S.mmm" seconds of ms into out (size n). */
static void
secs_format(int64_t ms, char *out, size_t n)
{
	snprintf(out, n, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
}

char *
frame_script(const char *const *commands, const char *const *names, size_t n,
    int64_t interval_ms)
{
	return frame_script_deadline(commands, names, n, interval_ms, 0);
}

/* See frame.h. */
char *
frame_script_deadline(const char *const *commands, const char *const *names, size_t n,
    int64_t interval_ms, int64_t deadline_ms)
{
	struct buf b;
	char secs[32], dsecs[32];
	int64_t whole, dwhole;

	if (interval_ms < 1)
		interval_ms = 1;
	if (deadline_ms <= 0)
		deadline_ms = FRAME_DEFAULT_DEADLINE_MS;
	whole = (interval_ms + 999) / 1000;
	dwhole = (deadline_ms + 999) / 1000;
	secs_format(interval_ms, secs, sizeof secs);
	secs_format(deadline_ms, dsecs, sizeof dsecs);

	buf_init(&b, 0);
	buf_printf(&b, "# opsdeck-stream v1 interval_ms=%lld deadline_ms=%lld probes=",
	    (long long)interval_ms, (long long)deadline_ms);
	for (size_t i = 0; i < n; i++) {
		check_name(names[i]);
		buf_printf(&b, "%s%s", i ? "," : "", names[i]);
	}
	buf_printf(&b, "\nopsdeck_seq=0 opsdeck_g= opsdeck_p=\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "opsdeck_c%zu=", i);
		buf_append_sh_quoted(&b, commands[i]);
		buf_append(&b, "\n", 1);
	}
	buf_append(&b, script_lib, sizeof script_lib - 1);
	buf_printf(&b,
	    "opsdeck_report() {\n"
	    "\topsdeck_seq=$((opsdeck_seq + 1))\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "\topsdeck_each %s \"$opsdeck_c%zu\" || return 1\n", names[i], i);
	buf_printf(&b,
	    "}\n"
	    "opsdeck_stream() {\n"
	    "\tcase $1 in\n"
	    "\t*[!0-9a-f]*) exit 2 ;;\n"
	    "\t%.*s) opsdeck_nonce=$1 ;;\n"
	    "\t*) exit 2 ;;\n"
	    "\tesac\n"
	    "\topsdeck_d=%s\n"
	    "\tsleep 0.001 2>/dev/null || opsdeck_d=%lld\n"
	    "\topsdeck_b=$((%lld + 2)) opsdeck_to=\n"
	    "\ttimeout -s KILL 5 true </dev/null >/dev/null 2>&1 && opsdeck_to=1\n"
	    "\topsdeck_j=\n"
	    "\t[ \"$(printf 'x\\n' | dd ibs=4096 obs=" WRITE_MAX_STR " 2>/dev/null)\" = x ] && opsdeck_j=1\n"
	    "\tif [ -p /dev/stdin ] || [ -S /dev/stdin ]; then\n"
	    "\t\texec 3<&0\n"
	    "\t\topsdeck_guard $$ <&3 >/dev/null 2>&1 &\n"
	    "\t\topsdeck_g=$!\n"
	    "\t\texec 3<&- </dev/null\n"
	    "\tfi\n"
	    "\ttrap opsdeck_exit EXIT\n"
	    "\ttrap 'exit 1' HUP PIPE TERM\n"
	    "\twhile opsdeck_report; do\n"
	    "\t\tsleep %s 2>/dev/null || sleep %lld || break\n"
	    "\tdone\n"
	    "}\n", (int)FRAME_NONCE_LEN, QMARKS, dsecs, (long long)dwhole, (long long)dwhole,
	    secs, (long long)whole);
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* See frame.h. */
char *
frame_command(const char *script, const char *nonce)
{
	if (!nonce_valid(nonce, strlen(nonce)))
		fatal("frame_command: bad nonce");
	return xasprintf("%sopsdeck_stream %s\n", script, nonce);
}

/*
 * See frame.h. The operator's command runs as `sh -c CMD` in the
 * background, stdin from /dev/null and stderr into stdout; the guard of the
 * report loop (script_lib: opsdeck_guard, which kills the whole tree when
 * the channel's stdin ends) watches it, so closing the channel (a cancel, a
 * timeout, a lost console) leaves nothing running on the node.
 */
char *
frame_guarded_command(const char *cmd)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "# opsdeck-run v1\nopsdeck_g= opsdeck_p=\nopsdeck_c=");
	buf_append_sh_quoted(&b, cmd);
	buf_append(&b, "\n", 1);
	buf_append(&b, script_lib, sizeof script_lib - 1);
	buf_printf(&b,
	    "if [ -p /dev/stdin ] || [ -S /dev/stdin ]; then\n"
	    "\texec 3<&0\n"
	    "\topsdeck_guard $$ <&3 >/dev/null 2>&1 &\n"
	    "\topsdeck_g=$!\n"
	    "\texec 3<&- </dev/null\n"
	    "fi\n"
	    "sh -c \"$opsdeck_c\" </dev/null 2>&1 &\n"
	    "opsdeck_p=$!\n"
	    "wait $opsdeck_p\n"
	    "opsdeck_st=$?\n"
	    "[ -z \"$opsdeck_g\" ] || kill $opsdeck_g 2>/dev/null\n"
	    "exit $opsdeck_st\n");
	char *script = xstrdup(buf_cstr(&b));
	buf_free(&b);
	char *s = frame_exec_command(script);
	free(script);
	return s;
}

/*
 * "exec sh -c 'SCRIPT'" with every ' in script written '\'' : what an SSH
 * exec request sends, so the loop runs under sh whatever the login shell is
 * (any Bourne-like shell: sh, bash, dash, ksh, zsh). malloc'd, caller frees.
 */
char *
frame_exec_command(const char *script)
{
	struct buf b;
	buf_init(&b, 0);
	buf_append(&b, "exec sh -c ", 11);
	buf_append_sh_quoted(&b, script);
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* See frame.h. */
char *
frame_stdin_command(size_t len)
{
	return xasprintf(FRAME_STDIN_MARKER " bytes=%zu\n"
	    "eval \"$(head -c %zu 2>/dev/null || dd bs=1 count=%zu 2>/dev/null)\"\n",
	    len, len, len);
}
