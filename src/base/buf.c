/*
 * buf.c: growable byte buffer with a hard cap.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/buf.h"

void
buf_init(struct buf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->overflow = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t need)
{
	if (need + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_reserve(struct buf *b, size_t n)
{
	if (b->limit != 0 && n > b->limit)
		n = b->limit;
	if (n + 1 <= b->cap)
		return;
	b->data = xrealloc(b->data, n + 1);
	if (b->cap == 0)
		b->data[0] = '\0';
	b->cap = n + 1;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = 0;
	if (b->limit != 0 && b->len + n > b->limit) {
		n = b->limit > b->len ? b->limit - b->len : 0;
		b->overflow = 1;
		rc = -1;
	}
	buf_grow(b, b->len + n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return rc;
}

void
buf_append_sh_quoted(struct buf *b, const char *s)
{
	buf_append(b, "'", 1);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\'')
			buf_append(b, "'\\''", 4);
		else
			buf_append(b, p, 1);
	}
	buf_append(b, "'", 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	int rc = buf_append(b, s, strlen(s));
	free(s);
	return rc;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

const char *
buf_cstr(struct buf *b)
{
	buf_grow(b, b->len);
	b->data[b->len] = '\0';
	return b->data;
}
