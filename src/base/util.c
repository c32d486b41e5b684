/*
 * util.c: allocators that never return NULL, fatal(), time and durations.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/util.h"

void (*fatal_hook)(void);

void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("opsdeck: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_mono_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
int64_t now_wall_ms(void) { return clock_ms(CLOCK_REALTIME); }

static const struct {
	const char *suffix;
	int64_t ms;
} duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	{ "d", 86400000 }, { "w", 604800000 }, { "y", 31536000000 },
};

int
duration_parse(const char *s, int64_t *out_ms)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, fracdiv = 1;
	int digits = 0;

	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > (INT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (fracdiv < 1000000) {
				frac = frac * 10 + (*p - '0');
				fracdiv *= 10;
			}
		}
	}
	if (digits == 0)
		return -1;
	const char *unit = p;
	size_t ulen = strlen(unit);
	while (ulen > 0 && unit[ulen - 1] == ' ')
		ulen--;
	int64_t mult = 0;
	if (ulen == 0)
		mult = 1000;
	for (size_t i = 0; i < OD_ARRAY_LEN(duration_units) && mult == 0; i++) {
		if (strlen(duration_units[i].suffix) == ulen &&
		    strncmp(unit, duration_units[i].suffix, ulen) == 0)
			mult = duration_units[i].ms;
	}
	if (mult == 0)
		return -1;
	if (whole > INT64_MAX / mult)
		return -1;
	*out_ms = whole * mult + frac * mult / fracdiv;
	return 0;
}

void
duration_format(int64_t ms, char *buf, size_t len)
{
	for (size_t i = OD_ARRAY_LEN(duration_units); i-- > 0;) {
		int64_t u = duration_units[i].ms;
		if (ms != 0 && ms % u == 0) {
			snprintf(buf, len, "%lld%s", (long long)(ms / u), duration_units[i].suffix);
			return;
		}
	}
	snprintf(buf, len, "%lldms", (long long)ms);
}

void
time_format(int64_t wall_ms, int iso, char *buf, size_t len)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%d %H:%M:%S", &tm);
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
