/*
 * util.c: allocators that never return NULL, fatal(), files and small strings.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/util.h"

void (*fatal_hook)(const char *msg);

/*
 * Formats the message without allocating (it may report that memory ran
 * out), runs fatal_hook with it, prints "opsdeck: fatal: MSG" and aborts.
 * Safe on any thread.
 */
void
fatal(const char *fmt, ...)
{
	char msg[FATAL_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (fatal_hook != NULL)
		fatal_hook(msg);
	fprintf(stderr, "opsdeck: fatal: %s\n", msg);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		fatal("out of memory reallocating %zu bytes", n);
	return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		fatal("allocation overflow: %zu x %zu", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("vsnprintf failed for \"%s\"", fmt);
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

size_t
od_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
format_bytes(double bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	if (bytes < 0) {
		snprintf(buf, len, "-");
		return;
	}
	while (bytes >= 1024 && u < (int)sizeof units - 2) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0fB", bytes);
	else
		snprintf(buf, len, bytes < 10 ? "%.1f%c" : "%.0f%c", bytes, units[u]);
}

int
read_file(const char *path, size_t max, char **out, size_t *outlen, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		*cause = xasprintf("%s: is a directory, not a file", path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	char *p = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				break;
			}
			cap *= 2;
			p = xrealloc(p, cap + 1);
		}
		ssize_t r = read(fd, p + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*cause = xasprintf("%s: %s", path, strerror(errno));
			free(p);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max)
			break;
	}
	close(fd);
	if (len > max) {
		*cause = xasprintf("%s: file is larger than the limit of %zu bytes", path, max);
		free(p);
		return -1;
	}
	p[len] = '\0';
	*out = p;
	*outlen = len;
	return 0;
}

uint64_t
hash_fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* offset basis */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;	/* FNV prime */
	return h;
}

/* See util.h. */
char *
xdg_path(enum xdg_base base, const char *rel)
{
	const char *env = getenv(base == XDG_STATE ? "XDG_STATE_HOME" : "XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (env != NULL && env[0] == '/')
		return xasprintf("%s/opsdeck/%s", env, rel);
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir : "";
	}
	return xasprintf("%s/%s/opsdeck/%s", home, base == XDG_STATE ? ".local/state" :
	    ".config", rel);
}

int
mkdir_p(const char *path, unsigned mode)
{
	char tmp[PATH_MAX];
	if (od_strlcpy(tmp, path, sizeof tmp) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* nftw's callback for remove_tree: each entry after its contents, never followed. */
static int
remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DNR)
		return -1;		/* a directory we cannot read: its entries stay */
	if (remove(path) != 0 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * See util.h. nftw depth first, not following symbolic links (FTW_PHYS: a
 * link is removed, never what it points at) nor crossing into another file
 * system (FTW_MOUNT); remove(3) for files and emptied directories alike.
 */
int
remove_tree(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0 ? 0 : -1;
}
