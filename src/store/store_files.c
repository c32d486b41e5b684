/*
 * store_files.c: the cache's files beside the database: its path (the
 * default, or one per configuration file), the single-writer lock file and
 * who holds it, and the modes of the files and the default directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/buf.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

char *
store_default_path(void)
{
	return xdg_path(XDG_STATE, "cache.db");
}

/*
 * See store.h. The name's hash is FNV-1a over the configuration file's real
 * path: the same file by any name has one cache, another file another.
 */
char *
store_path_for_config(const char *config_path)
{
	if (config_path == NULL)
		return store_default_path();
	char *real = realpath(config_path, NULL);
	if (real == NULL)
		return store_default_path();	/* it was just read: cannot happen */
	char *xdg = xdg_path(XDG_CONFIG, "config.yaml");
	char *xreal = realpath(xdg, NULL);
	free(xdg);
	if (xreal != NULL && strcmp(xreal, real) == 0) {
		free(xreal);
		free(real);
		return store_default_path();	/* the default config has the default cache */
	}
	free(xreal);
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const char *p = real; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	/* the file's name without its extension, for people: [A-Za-z0-9_-], 32 bytes */
	const char *base = strrchr(real, '/') != NULL ? strrchr(real, '/') + 1 : real;
	char stem[33];
	size_t n = 0;
	for (const char *p = base; *p != '\0' && *p != '.' && n < sizeof stem - 1; p++)
		stem[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' ? *p : '_';
	stem[n] = '\0';
	char rel[80];
	snprintf(rel, sizeof rel, "cache-%s-%016llx.db", n > 0 ? stem : "config",
	    (unsigned long long)h);
	free(real);
	return xdg_path(XDG_STATE, rel);
}

/*
 * "opsdeck collect": the basename of argv[0] and the first argument that is
 * not an option, from /proc/self/cmdline. Writes into buf (always terminated).
 */
static void
self_command(char *buf, size_t len)
{
	char raw[1024];
	ssize_t n = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	od_strlcpy(buf, "opsdeck", len);
	if (fd < 0)
		return;
	n = read(fd, raw, sizeof raw - 1);
	close(fd);
	if (n <= 0)
		return;
	raw[n] = '\0';
	const char *arg0 = raw;
	const char *slash = strrchr(arg0, '/');
	if (slash != NULL)
		arg0 = slash + 1;
	const char *arg1 = raw + strlen(raw) + 1;
	if (arg1 < raw + n && arg1[0] != '\0' && arg1[0] != '-')
		snprintf(buf, len, "%.80s %.80s", arg0, arg1);
	else
		snprintf(buf, len, "%.80s", arg0);
	/* One line of printable ASCII. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

/* "pid N (COMMAND)" from a lock file's content (printable), or NULL. */
static char *
lock_holder(int fd)
{
	char holder[256] = "";
	ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
	long pid = 0;
	char cmd[200] = "";

	holder[n > 0 ? n : 0] = '\0';
	holder[strcspn(holder, "\n")] = '\0';
	if (sscanf(holder, "%ld %199[^\n]", &pid, cmd) < 1 || pid <= 0)
		return NULL;
	for (char *p = cmd; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return xasprintf("pid %ld (%s)", pid, cmd[0] ? cmd : "unknown command");
}

/* See store.h. */
char *
store_writer_holder(const char *path)
{
	char *lpath = xasprintf("%s.lock", path);
	int fd = open(lpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *who = NULL;

	free(lpath);
	if (fd < 0)
		return NULL;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		flock(fd, LOCK_UN);	/* nobody holds it */
	else
		who = lock_holder(fd);
	close(fd);
	return who;
}

/*
 * Takes PATH.lock (flock, non-blocking) and writes "PID COMMAND\n" into it.
 * Returns the open fd, or -1 with *cause naming the holder when another
 * process has it.
 */
int
store_lock_take(const char *path, char **cause)
{
	char *lpath = xasprintf("%s.lock", path);
	int fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		*cause = xasprintf("cache %s: cannot open lock file %s: %s", path, lpath,
		    strerror(errno));
		free(lpath);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		char *who = lock_holder(fd);
		if (who != NULL) {
			*cause = xasprintf("cache %s is in use by %s", path, who);
			free(who);
		} else if (err == EWOULDBLOCK) {
			*cause = xasprintf("cache %s is in use by another writer", path);
		} else {
			*cause = xasprintf("cache %s: cannot lock %s: %s", path, lpath,
			    strerror(err));
		}
		close(fd);
		free(lpath);
		return -1;
	}
	char cmd[200], line[256];
	self_command(cmd, sizeof cmd);
	int len = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), cmd);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)len, 0) != len) {
		*cause = xasprintf("cache %s: cannot write lock file %s: %s", path, lpath,
		    strerror(errno));
		close(fd);
		free(lpath);
		return -1;
	}
	free(lpath);
	return fd;
}

/*
 * Makes path (a regular file, or a directory when is_dir) owned by us no
 * looser than mode want, with a warning saying so appended to w. Not ours,
 * absent or of another type: left alone.
 */
static void
tighten(struct buf *w, const char *path, unsigned want, int is_dir)
{
	struct stat sb;

	if (lstat(path, &sb) != 0 || sb.st_uid != geteuid() ||
	    (is_dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode)))
		return;
	unsigned mode = (unsigned)sb.st_mode & 07777;
	if ((mode & ~want) == 0)
		return;
	if (chmod(path, (mode_t)want) == 0)
		buf_printf(w, "%s%s %s was mode %04o, open to others; made it %04o",
		    w->len ? "; " : "", is_dir ? "cache directory" : "cache file", path, mode,
		    want);
	else
		buf_printf(w, "%s%s %s is mode %04o, open to others, and could not be made "
		    "%04o: %s", w->len ? "; " : "", is_dir ? "cache directory" : "cache file",
		    path, mode, want, strerror(errno));
}

/*
 * See store_int.h: the cache's files (PATH, -wal, -shm, .lock) to 0600, and
 * its directory to 0700 when it is the default one (a --cache in a shared
 * directory leaves that directory alone).
 */
char *
store_tighten(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", ".lock" };
	struct buf w;

	buf_init(&w, 0);
	for (size_t i = 0; i < OD_ARRAY_LEN(sfx); i++) {
		char *p = xasprintf("%s%s", path, sfx[i]);
		tighten(&w, p, 0600, 0);
		free(p);
	}
	char *def = store_default_path(), *dir = xstrdup(path);
	char *s1 = strrchr(def, '/'), *s2 = strrchr(dir, '/');
	if (s1 != NULL && s2 != NULL) {
		*s1 = *s2 = '\0';
		if (strcmp(def, dir) == 0)
			tighten(&w, dir, 0700, 1);
	}
	free(def);
	free(dir);
	char *msg = w.len > 0 ? xstrdup(buf_cstr(&w)) : NULL;
	buf_free(&w);
	return msg;
}
