/*
 * sanitize.h: make untrusted (remote) text safe for a terminal and a cache.
 *
 * This is the program's one text policy: the collector applies it before
 * storage and the console again before drawing.
 * Output is valid UTF-8 with no character that unicode_unsafe() names
 * (unicode.h: controls, format characters, line and paragraph separators,
 * private use, unassigned, default-ignorables, tags, fillers); each bad byte
 * or unsafe character becomes U+FFFD ('?' with SANITIZE_ASCII). It is cut on
 * a character boundary to fit.
 *
 * Exactly: TAB becomes a space; every unsafe character becomes U+FFFD; each
 * byte that does not start a valid shortest-form UTF-8 sequence (overlongs,
 * surrogates, > U+10FFFF, truncated sequences, stray continuation bytes)
 * becomes U+FFFD. Pure: no locale, no globals.
 */
#ifndef OPSDECK_SANITIZE_H
#define OPSDECK_SANITIZE_H

#include <stddef.h>

enum {
	SANITIZE_ASCII = 1 << 0,	/* replacements are '?', non-ASCII becomes '?' */
};

/*
 * Writes at most dstlen-1 bytes plus NUL (nothing when dstlen is 0). src need
 * not be NUL-terminated; a NUL in it is a control. Returns bytes written.
 */
size_t sanitize_text(char *dst, size_t dstlen, const char *src, size_t srclen);
size_t sanitize_text_flags(char *dst, size_t dstlen, const char *src, size_t srclen,
	    unsigned flags);
/*
 * The first character of src (srclen > 0 bytes) under this policy: returns
 * what stands for it (*outlen bytes: itself, a space for TAB, or the
 * replacement) and sets *taken to the bytes of src it covers (1 for a byte
 * that does not decode). sanitize_text_flags is this a character at a time.
 */
const char *sanitize_char(const char *src, size_t srclen, unsigned flags, size_t *taken,
	    size_t *outlen);
/* malloc'd sanitised copy of at most maxbytes output bytes. */
char  *sanitize_dup(const char *src, size_t srclen, size_t maxbytes);

#endif
