/*
 * sanitize.h: make untrusted (remote) text safe for a terminal and a cache.
 *
 * Output is valid UTF-8 with no C0 or C1 controls, no DEL, no bidi overrides
 * or isolates, no zero-width characters; each bad byte or character becomes
 * U+FFFD ('?' when ascii_only). It is cut on a character boundary to fit.
 */
#ifndef OPSDECK_SANITIZE_H
#define OPSDECK_SANITIZE_H

#include <stddef.h>

/* Writes at most dstlen-1 bytes plus NUL. Returns bytes written. */
size_t sanitize_text(char *dst, size_t dstlen, const char *src, size_t srclen);
/* malloc'd sanitised copy of at most maxbytes output bytes. */
char  *sanitize_dup(const char *src, size_t srclen, size_t maxbytes);

#endif
