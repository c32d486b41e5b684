/*
 * buf.h: a growable byte buffer with a hard cap, for anything fed from outside.
 */
#ifndef OPSDECK_BUF_H
#define OPSDECK_BUF_H

#include <stddef.h>

#include "opsdeck/util.h"

struct buf {
	char	*data;	/* always NUL-terminated when len > 0 or after buf_cstr() */
	size_t	 len;
	size_t	 cap;
	size_t	 limit;	/* 0: unlimited */
	int	 overflow;	/* set when an append was cut at limit */
};

void	buf_init(struct buf *b, size_t limit);
void	buf_free(struct buf *b);
void	buf_reset(struct buf *b);
/* Makes room for n bytes (and a NUL) without appending; not past the limit. */
void	buf_reserve(struct buf *b, size_t n);
/* Appends up to the limit; returns 0, or -1 when bytes were dropped (overflow set). */
int	buf_append(struct buf *b, const void *p, size_t n);
int	buf_printf(struct buf *b, const char *fmt, ...) OD_PRINTF(2, 3);
/* Appends s as one POSIX sh word: in single quotes, each ' written '\''. */
void	buf_append_sh_quoted(struct buf *b, const char *s);
/* Remove the first n bytes. */
void	buf_consume(struct buf *b, size_t n);
const char *buf_cstr(struct buf *b);

#endif
