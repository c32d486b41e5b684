/*
 * frame.h: the framed report stream of DESIGN.md.
 *
 *   @@opsdeck SEQ PROBE
 *   ...the probe command's output...
 *   @@end STATUS
 *
 * frame_reader is a pure incremental parser: feed it bytes as they arrive,
 * take complete frames out. Output between frames is ignored; a frame body
 * over the cap is cut and the frame marked `truncated`.
 *
 * Exactly:
 *   - Lines end in LF; a CR before the LF is dropped (a pty's CRLF), in
 *     marker lines and in bodies alike. Any split of the input across feeds
 *     gives the same frames.
 *   - A header is "@@opsdeck SEQ PROBE": SEQ decimal (uint64), PROBE 1-31 of
 *     [A-Za-z0-9_.-], single spaces, nothing after. An end line is
 *     "@@end STATUS", STATUS an optional '-' and 1-9 digits. Any other line,
 *     even one starting with "@@", is body (inside a frame) or garbage.
 *   - A header inside a frame drops the unfinished frame (counted in
 *     `dropped`) and starts the new one; an end line outside a frame is garbage.
 *   - The body is every byte between the header line and the end line, LF
 *     included. Bytes past the cap are discarded and the frame is marked
 *     truncated; the end line still ends it.
 *   - Memory is bounded by the cap plus FRAME_LINE_MAX, whatever the input:
 *     a line stops being buffered once it cannot be a marker.
 *
 * frame_script() prints "\n@@end $?" after each command, so a command whose
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

struct frame {
	uint64_t seq;
	char	 probe[32];
	int	 status;	/* exit status of the probe's command */
	int	 truncated;	/* body hit the cap */
	char	*body;		/* owned, NUL-terminated */
	size_t	 len;
};

struct frame_reader {
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
};

/* cap: body bytes kept per frame (0: FRAME_DEFAULT_CAP). */
void frame_reader_init(struct frame_reader *fr, size_t cap);
/* Frees the buffers; fr may be initialised again. */
void frame_reader_free(struct frame_reader *fr);
/*
 * Feeds n bytes. Calls cb for each completed frame (the frame and its body
 * belong to the callee during the call only). Returns the number of frames.
 */
int  frame_reader_feed(struct frame_reader *fr, const char *p, size_t n,
	    void (*cb)(const struct frame *, void *), void *arg);

/*
 * The POSIX sh loop a node runs: one frame per probe every interval, ends when
 * stdout closes. malloc'd, caller frees. The first line is the marker comment
 * "# opsdeck-stream v1 interval_ms=N probes=a,b,c". Every cycle prints, per
 * probe, "@@opsdeck SEQ NAME", the command's output (run in a subshell, so
 * `exit` in a command ends only that command), "\n@@end $?"; SEQ counts
 * cycles from 1, the frames of one cycle share it. Then it sleeps
 * interval_ms (fractional seconds where sleep takes them, else whole seconds,
 * at least 1). A failed write ends the loop; so does SIGPIPE. names must be
 * 1-31 of [A-Za-z0-9_.-] (fatal otherwise: they are ours, not remote).
 */
char *frame_script(const char *const *commands, const char *const *names, size_t n,
	    int64_t interval_ms);
/*
 * "exec sh -c '<script>'", quoted for any Bourne-like login shell: the command
 * to send in an SSH exec request. malloc'd, caller frees.
 */
char *frame_exec_command(const char *script);

#endif
