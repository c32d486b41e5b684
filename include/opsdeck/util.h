/*
 * util.h: never-NULL allocators, fatal errors, and small string helpers; it
 * includes timeutil.h (clocks, durations, times).
 *
 * Conventions (docs/STYLE.md): allocation failure is fatal and restores the
 * terminal first (fatal_hook); recoverable failures return -1 and, when the
 * caller passes a `char **cause`, set it to a malloc'd message the caller frees.
 */
#ifndef OPSDECK_UTIL_H
#define OPSDECK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/timeutil.h"	/* clocks, durations and times, used everywhere */

#if defined(__GNUC__)
#define OD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define OD_NORETURN __attribute__((noreturn))
#else
#define OD_PRINTF(f, a)
#define OD_NORETURN
#endif

#define OD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define OD_MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * Called by fatal(), on the thread that called it, with the formatted
 * message (valid during the call) before fatal() prints it and aborts. The
 * console's hook ends curses mode on the UI thread and, on any other thread,
 * hands the message to the UI thread (which ends curses, prints and aborts)
 * with a bounded wait. A hook that returns lets fatal() print and abort.
 */
#define FATAL_MSG_MAX	1024
extern void (*fatal_hook)(const char *msg);

void  fatal(const char *fmt, ...) OD_PRINTF(1, 2) OD_NORETURN;
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) OD_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) OD_PRINTF(1, 0);

/* Copy at most size-1 bytes and always NUL-terminate; returns strlen(src). */
size_t od_strlcpy(char *dst, const char *src, size_t size);

/* Human size with a binary unit: "512B", "3.2K", "15.6G", "1.0T". */
void format_bytes(double bytes, char *buf, size_t len);

/* Read a whole file, at most max bytes (+1 to detect overflow). 0 or -1 with *cause. */
int read_file(const char *path, size_t max, char **out, size_t *outlen, char **cause);

/* 64-bit FNV-1a of a NUL-terminated string: hash tables, stable seeds. */
uint64_t hash_fnv1a(const char *s);

/* The XDG base directories opsdeck uses. */
enum xdg_base { XDG_CONFIG, XDG_STATE };

/*
 * "BASE/opsdeck/REL", malloc'd, caller frees; never NULL. BASE is
 * $XDG_CONFIG_HOME or $XDG_STATE_HOME when absolute (a relative one is
 * invalid and ignored, as the spec says), else $HOME/.config or
 * $HOME/.local/state with an absolute $HOME, else the passwd entry's home,
 * else "/". Only reads the environment.
 */
char *xdg_path(enum xdg_base base, const char *rel);

/* mkdir -p with the given mode for the directories it creates. 0 or -1 (errno). */
int mkdir_p(const char *path, unsigned mode);
/*
 * rm -rf without a shell: removes path and, for a directory, everything in
 * it, depth first; symbolic links are removed, never followed, and other
 * file systems mounted inside are left alone. 0 (also when path is already
 * gone), or -1 (errno) with what could not be removed left in place.
 */
int remove_tree(const char *path);

#endif
