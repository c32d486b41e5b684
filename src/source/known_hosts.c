/*
 * known_hosts.c: a fast path for the host-key check (known_hosts.h). libssh
 * reads and parses the whole known_hosts file at every connection, which
 * makes a start of N hosts cost N^2 lines (10,000 hosts: 10^8). This keeps
 * an index of each file's plain entries, read again when the file changes,
 * and answers one question: does the file have a plain entry for this name
 * with exactly this key. A yes is what libssh would answer too (any entry
 * with the offered key makes it OK); every other case goes to libssh.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "known_hosts.h"
#include "opsdeck/util.h"

#define KH_FILES	8	/* files indexed at once; others take the slow path */

struct kh_file {
	char	*path;
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	struct timespec mtime;
	int	 usable;	/* 0: markers (@revoked, @cert-authority): ask libssh */
	char	**v;		/* "name type base64", names lowercased, sorted */
	size_t	 n;
};

static pthread_mutex_t kh_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kh_file kh_files[KH_FILES];

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
kh_clear(struct kh_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	free(f->path);
	memset(f, 0, sizeof *f);
}

/* Adds "name type b64" for each plain name of a comma list. */
static void
kh_add(struct kh_file *f, size_t *cap, const char *names, const char *type, const char *b64)
{
	char *list = xstrdup(names), *save = NULL;

	for (char *n = strtok_r(list, ",", &save); n != NULL; n = strtok_r(NULL, ",", &save)) {
		/* Hashed names and patterns can only be matched by libssh. */
		if (n[0] == '|' || strpbrk(n, "*?!") != NULL || n[0] == '\0')
			continue;
		for (char *p = n; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (f->n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			f->v = xreallocarray(f->v, *cap, sizeof *f->v);
		}
		f->v[f->n++] = xasprintf("%s %s %s", n, type, b64);
	}
	free(list);
}

/* Reads path into f (cleared first). 0, or -1 when it cannot be read. */
static int
kh_load(struct kh_file *f, const char *path, const struct stat *sb)
{
	FILE *fp = fopen(path, "re");
	char line[16384];
	size_t cap = 0;

	kh_clear(f);
	if (fp == NULL)
		return -1;
	f->path = xstrdup(path);
	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	f->size = sb->st_size;
	f->mtime = sb->st_mtim;
	f->usable = 1;
	while (fgets(line, sizeof line, fp) != NULL) {
		char *save = NULL;
		char *names = strtok_r(line, " \t\r\n", &save);
		if (names == NULL || names[0] == '#')
			continue;
		if (names[0] == '@') {
			f->usable = 0;
			break;
		}
		char *type = strtok_r(NULL, " \t\r\n", &save);
		char *b64 = strtok_r(NULL, " \t\r\n", &save);
		if (type != NULL && b64 != NULL)
			kh_add(f, &cap, names, type, b64);
	}
	fclose(fp);
	if (f->n > 0)
		qsort(f->v, f->n, sizeof *f->v, str_cmp);
	return 0;
}

/* The index of path, read (again) when needed; NULL when none. Under kh_lock. */
static struct kh_file *
kh_get(const char *path, const struct stat *st)
{
	struct stat sb = *st;
	struct kh_file *f = NULL, *slot = &kh_files[0];
	for (size_t i = 0; i < KH_FILES; i++) {
		if (kh_files[i].path != NULL && strcmp(kh_files[i].path, path) == 0) {
			f = &kh_files[i];
			break;
		}
		if (kh_files[i].path == NULL)
			slot = &kh_files[i];
	}
	if (f != NULL && (f->dev != sb.st_dev || f->ino != sb.st_ino ||
	    f->size != sb.st_size || f->mtime.tv_sec != sb.st_mtim.tv_sec ||
	    f->mtime.tv_nsec != sb.st_mtim.tv_nsec)) {
		if (kh_load(f, path, &sb) != 0)
			f = NULL;
	} else if (f == NULL && slot->path == NULL) {
		if (kh_load(slot, path, &sb) == 0)
			f = slot;
	}
	return f != NULL && f->usable && f->n > 0 ? f : NULL;
}

/* name lowercased, malloc'd. */
static char *
lower(const char *name)
{
	char *s = xstrdup(name);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* See known_hosts.h. */
int
known_hosts_has(const char *path, const char *name, const char *type, const char *b64)
{
	struct stat sb;
	int found = 0;

	if (path == NULL || name == NULL || type == NULL || b64 == NULL ||
	    stat(path, &sb) != 0)
		return 0;
	char *ln = lower(name);
	char *key = xasprintf("%s %s %s", ln, type, b64);
	free(ln);
	pthread_mutex_lock(&kh_lock);
	struct kh_file *f = kh_get(path, &sb);
	if (f != NULL)
		found = bsearch(&key, f->v, f->n, sizeof *f->v, str_cmp) != NULL;
	pthread_mutex_unlock(&kh_lock);
	free(key);
	return found;
}

/* See known_hosts.h. */
char *
known_hosts_types(const char *path, const char *name)
{
	struct stat sb;
	char *types = NULL;

	if (path == NULL || name == NULL || stat(path, &sb) != 0)
		return NULL;
	char *ln = lower(name);
	char *prefix = xasprintf("%s ", ln);
	size_t plen = strlen(prefix);
	free(ln);
	pthread_mutex_lock(&kh_lock);
	struct kh_file *f = kh_get(path, &sb);
	/* The entries of name are together in the sorted index: find the first. */
	size_t lo = 0, hi = f != NULL ? f->n : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(f->v[mid], prefix, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; f != NULL && i < f->n && strncmp(f->v[i], prefix, plen) == 0; i++) {
		const char *t = f->v[i] + plen;
		size_t tl = strcspn(t, " ");
		char *one = xasprintf("%.*s", (int)tl, t);
		if (types == NULL) {
			types = one;
		} else {
			char *w = xasprintf("%s,%s", types, one);
			free(types);
			free(one);
			types = w;
		}
	}
	pthread_mutex_unlock(&kh_lock);
	free(prefix);
	return types;
}

/* See known_hosts.h. */
void
known_hosts_forget(void)
{
	pthread_mutex_lock(&kh_lock);
	for (size_t i = 0; i < KH_FILES; i++)
		kh_clear(&kh_files[i]);
	pthread_mutex_unlock(&kh_lock);
}
