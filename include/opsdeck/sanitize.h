/*
 * sanitize.h: make untrusted (remote) text safe for a terminal and a cache.
 *
 * Output is valid UTF-8 with no C0 or C1 controls, no DEL, no bidi overrides
 * or isolates, no zero-width characters; each bad byte or character becomes
 * U+FFFD ('?' with SANITIZE_ASCII). It is cut on a character boundary to fit.
 *
 * Exactly: TAB becomes a space; every other C0 control (CR, LF, BS, ESC, BEL,
 * NUL, ...), DEL, C1 (U+0080-U+009F), U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069, U+200B-U+200D, U+2060, U+FEFF become U+FFFD; each byte that
 * does not start a valid shortest-form UTF-8 sequence (overlongs, surrogates,
 * > U+10FFFF, truncated sequences, stray continuation bytes) becomes U+FFFD.
 * Pure: no locale, no globals.
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
/* malloc'd sanitised copy of at most maxbytes output bytes. */
char  *sanitize_dup(const char *src, size_t srclen, size_t maxbytes);

#endif
