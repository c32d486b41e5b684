/*
 * frame.h: the framed report stream of DESIGN.md.
 *
 *   @@opsdeck NONCE SEQ PROBE
 *   ...the probe command's output...
 *   @@end NONCE STATUS
 *
 * NONCE is FRAME_NONCE_LEN lowercase hex digits drawn from the kernel's
 * random source for each stream (each frame_reader_init), so a probe whose
 * output carries marker-like lines (a job name, a device name, a log line)
 * cannot end the frame it is in or start a forged one: it would have to
 * know the nonce of this session. The nonce travels in the command line of
 * the node's sh, so a user who can list the node's processes can read it
 * while the session lasts; it defends the stream against the text a probe
 * reports, not against the node's administrator.
 *
 * frame_reader is a pure incremental parser: feed it bytes as they arrive,
 * take complete frames out. Output between frames is ignored; a frame body
 * over the cap is cut and the frame marked `truncated`.
 *
 * Exactly:
 *   - Lines end in LF; a CR before the LF is dropped (a pty's CRLF), in
 *     marker lines and in bodies alike. Any split of the input across feeds
 *     gives the same frames.
 *   - A header is "@@opsdeck NONCE SEQ PROBE": NONCE the reader's own,
 *     SEQ decimal (uint64), PROBE 1-31 of [A-Za-z0-9_.-], single spaces,
 *     nothing after. An end line is "@@end NONCE STATUS", STATUS an optional
 *     '-' and 1-9 digits, or the word "timeout": the command was killed at
 *     its deadline (status FRAME_STATUS_TIMEOUT, timed_out set). Any other
 *     line, even one starting with "@@" or a marker with another nonce, is
 *     body (inside a frame) or garbage.
 *   - A header inside a frame drops the unfinished frame (counted in
 *     `dropped`) and starts the new one; an end line outside a frame is garbage.
 *   - The body is every byte between the header line and the end line, LF
 *     included. Bytes past the cap are discarded and the frame is marked
 *     truncated; the end line still ends it.
 *   - Memory is bounded by the cap plus FRAME_LINE_MAX, whatever the input:
 *     a line stops being buffered once it cannot be a marker.
 *
 * frame_script() prints "\n@@end NONCE $?" after each command, so a command whose
 * output lacks a final newline cannot hide the end line; such a body ends in
 * an extra "\n" (parsers skip blank lines).
 */
#ifndef OPSDECK_FRAME_H
#define OPSDECK_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/buf.h"

#define FRAME_MAGIC	"@@opsdeck "
#define FRAME_END	"@@end "
#define FRAME_LINE_MAX	128			/* longest marker line buffered */
#define FRAME_DEFAULT_CAP	(4 * 1024 * 1024)	/* cap when init is given 0 */
#define FRAME_PROBE_MAX	31			/* longest probe name */
#define FRAME_NONCE_LEN	32			/* hex digits of a stream's nonce (128 bits) */
#define FRAME_TIMEOUT_WORD	"timeout"	/* the end line's STATUS of a killed command */
#define FRAME_STATUS_TIMEOUT	(-1000000000)	/* struct frame's status for it */
#define FRAME_DEFAULT_DEADLINE_MS 8000		/* a command's deadline when given 0 */
/*
 * The node's loop sends each frame (its header, the command's output and
 * its end line) through `dd ibs=4096 obs=FRAME_WRITE_MAX`: writes of this
 * many bytes and one for the rest at the frame's end, which a real sshd
 * forwards as channel packets of the same size. A packet of up to this
 * much data fits libssh's 4 KiB receive buffers with its header, padding
 * and MAC (LINUX_WRITE_MAX, probe.h). Where dd does not do that, the loop
 * writes as the commands do.
 */
#define FRAME_WRITE_MAX	3968

struct frame {
	uint64_t seq;
	char	 probe[32];
	int	 status;	/* exit status of the probe's command */
	int	 truncated;	/* body hit the cap */
	int	 timed_out;	/* killed at its deadline ("@@end NONCE timeout") */
	char	*body;		/* owned, NUL-terminated */
	size_t	 len;
};

struct frame_reader {
	char	 nonce[FRAME_NONCE_LEN + 1];	/* this stream's, NUL-terminated */
	struct buf line;	/* partial line, while it may still be a marker */
	struct buf body;
	int	 in_frame;
	struct frame cur;
	size_t	 cap;		/* per-frame body cap */
	uint64_t garbage;	/* bytes seen outside frames */
	/* additions */
	int	 line_plain;	/* the current line is known not to be a marker */
	int	 pending_cr;	/* a CR ended the last plain bytes; dropped if LF follows */
	uint64_t frames;	/* frames completed */
	uint64_t dropped;	/* frames cut off by a new header */
	uint64_t truncated;	/* frames whose body hit the cap */
	uint64_t timeouts;	/* frames of commands killed at their deadline */
	/*
	 * The body buffer is freed when a feed ends outside a frame (a host
	 * between cycles holds none); a new frame reserves this many bytes,
	 * the largest recent body, so it does not grow by doubling.
	 */
	size_t	 body_hint;
	/*
	 * NULL, or a buffer of the thread that feeds this reader (a worker
	 * feeds its hosts one at a time): the body's memory goes there when a
	 * feed ends between frames, and the next frame of any of its readers
	 * takes it, so frames do not cost a malloc each. frame_reader_free
	 * leaves it alone; its owner frees it.
	 */
	struct buf *spare;
};

/*
 * cap: body bytes kept per frame (0: FRAME_DEFAULT_CAP). nonce: the
 * FRAME_NONCE_LEN lowercase hex digits markers must carry (copied; anything
 * else is fatal: it is ours), or NULL to draw a fresh random one (fatal when
 * the kernel has no randomness to give). Either way it is in fr->nonce, for
 * frame_command().
 */
void frame_reader_init(struct frame_reader *fr, size_t cap, const char *nonce);
/* Frees the buffers; fr may be initialised again. */
void frame_reader_free(struct frame_reader *fr);
/*
 * Feeds n bytes. Calls cb for each completed frame (the frame and its body
 * belong to the callee during the call only). Returns the number of frames.
 */
int  frame_reader_feed(struct frame_reader *fr, const char *p, size_t n,
	    void (*cb)(const struct frame *, void *), void *arg);

/*
 * The POSIX sh loop a node runs, the same for every session of a group:
 * one frame per probe every interval. malloc'd, caller frees. The first
 * line is the marker comment
 * "# opsdeck-stream v1 interval_ms=N deadline_ms=D probes=a,b,c". It only
 * defines functions; frame_command() appends the line that starts the loop
 * with a session's nonce, "opsdeck_stream NONCE" (a nonce that is not
 * FRAME_NONCE_LEN lowercase hex digits ends it at once with status 2).
 * Every cycle prints, per probe, "@@opsdeck NONCE SEQ NAME", the command's
 * output, "\n@@end NONCE STATUS"; SEQ counts cycles from 1, the frames of
 * one cycle share it. Each command runs as `sh -c COMMAND` (without the
 * nonce variable, stdin /dev/null) under a deadline of deadline_ms
 * (0: FRAME_DEFAULT_DEADLINE_MS): still running then, it is killed with its
 * children (its process group under coreutils `timeout -s KILL`, which the
 * loop uses where the node has it, and its process tree) and STATUS is
 * "timeout"; else STATUS is its exit status. Then the loop sleeps
 * interval_ms (fractional seconds where sleep takes them, else whole
 * seconds, at least 1). The loop ends on a failed write or SIGPIPE; and
 * where its stdin is a pipe or socket (an SSH channel's), a guard ends it
 * and everything it started as soon as stdin reaches end of file (the
 * channel closed), even while a command hangs. names must be 1-31 of
 * [A-Za-z0-9_.-] (fatal otherwise: they are ours, not remote).
 */
char *frame_script_deadline(const char *const *commands, const char *const *names, size_t n,
	    int64_t interval_ms, int64_t deadline_ms);
/* frame_script_deadline with the default deadline. */
char *frame_script(const char *const *commands, const char *const *names, size_t n,
	    int64_t interval_ms);
/*
 * The command one session runs: script (from frame_script) and the line
 * "opsdeck_stream NONCE" with the nonce of the reader that will read its
 * output (fr->nonce). malloc'd, caller frees.
 */
char *frame_command(const char *script, const char *nonce);
/*
 * "exec sh -c '<script>'", quoted for any Bourne-like login shell: the command
 * to send in an SSH exec request. malloc'd, caller frees.
 */
char *frame_exec_command(const char *script);
/*
 * The exec request of a script of len bytes that follows on the channel's
 * stdin: the line FRAME_STDIN_MARKER " bytes=LEN", then one that reads
 * exactly those bytes (head -c, else dd a byte at a time) and evals them in
 * the login shell, as if they had been the command. The rest of stdin stays
 * the script's (its guard). A session then holds no buffer the size of the
 * script for good: libssh keeps its send buffers at their largest packet, so
 * a 6 KB exec request costs about 12 KB a host for the stream's life, the
 * script written a piece at a time about 2 KB. malloc'd, caller frees.
 */
#define FRAME_STDIN_MARKER	"# opsdeck-stdin v1"
char *frame_stdin_command(size_t len);
/*
 * The exec command of an operator's `:run`: cmd (the operator's, run by sh
 * on the node, its stderr joined to its stdout) under the report loop's
 * guard, which kills cmd and everything it started when the channel's
 * stdin ends (the client closed the channel). The exit status is cmd's.
 * malloc'd, caller frees.
 */
char *frame_guarded_command(const char *cmd);

#endif
