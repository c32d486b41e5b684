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
 */
#ifndef OPSDECK_FRAME_H
#define OPSDECK_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/buf.h"

#define FRAME_MAGIC	"@@opsdeck "
#define FRAME_END	"@@end "

struct frame {
	uint64_t seq;
	char	 probe[32];
	int	 status;	/* exit status of the probe's command */
	int	 truncated;	/* body hit the cap */
	char	*body;		/* owned, NUL-terminated */
	size_t	 len;
};

struct frame_reader {
	struct buf line;	/* partial line */
	struct buf body;
	int	 in_frame;
	struct frame cur;
	size_t	 cap;		/* per-frame body cap */
	uint64_t garbage;	/* bytes seen outside frames */
};

void frame_reader_init(struct frame_reader *fr, size_t cap);
void frame_reader_free(struct frame_reader *fr);
/*
 * Feeds n bytes. Calls cb for each completed frame (the frame and its body
 * belong to the callee during the call only). Returns the number of frames.
 */
int  frame_reader_feed(struct frame_reader *fr, const char *p, size_t n,
	    void (*cb)(const struct frame *, void *), void *arg);

/* The POSIX sh loop a node runs: one frame per probe every interval, ends when stdout closes. */
char *frame_script(const char *const *commands, const char *const *names, size_t n,
	    int64_t interval_ms);

#endif
