/*
 * store_inuse.c: which cache files this process has open through SQLite.
 *
 * POSIX advisory locks belong to the process, not to the descriptor: closing
 * any descriptor of a file drops every lock the process holds on it,
 * SQLite's included (https://sqlite.org/howtocorrupt.html, 2.2). store_open's
 * header check opens and closes the file itself; done while another
 * connection of this process had the cache open (the console's reader beside
 * its collector or an --offline acknowledgement, the exporter beside
 * `collect`), it silently dropped that connection's SHARED lock. Another
 * process closing its last connection then took the EXCLUSIVE lock,
 * checkpointed and deleted the -wal and -shm under us, and our next commits
 * went to the deleted WAL: acknowledged, then lost. So the check, and moving
 * a damaged file aside, happen only for a file no connection of ours holds.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "store_int.h"
#include "opsdeck/util.h"

struct inuse {
	dev_t	dev;
	ino_t	ino;
	size_t	refs;
};

static pthread_mutex_t inuse_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inuse *inuse;
static size_t ninuse, inuse_cap;

/* Index of (dev, ino) in inuse, or ninuse. Caller holds inuse_lock. */
static size_t
find(dev_t dev, ino_t ino)
{
	size_t i;
	for (i = 0; i < ninuse; i++)
		if (inuse[i].dev == dev && inuse[i].ino == ino)
			break;
	return i;
}

/* See store_int.h. */
int
store_inuse_has(dev_t dev, ino_t ino)
{
	pthread_mutex_lock(&inuse_lock);
	int has = find(dev, ino) < ninuse;
	pthread_mutex_unlock(&inuse_lock);
	return has;
}

/* See store_int.h. */
void
store_inuse_add(dev_t dev, ino_t ino)
{
	pthread_mutex_lock(&inuse_lock);
	size_t i = find(dev, ino);
	if (i == ninuse) {
		if (ninuse == inuse_cap) {
			inuse_cap = inuse_cap ? inuse_cap * 2 : 4;
			inuse = xrealloc(inuse, inuse_cap * sizeof *inuse);
		}
		inuse[ninuse++] = (struct inuse){ dev, ino, 0 };
	}
	inuse[i].refs++;
	pthread_mutex_unlock(&inuse_lock);
}

/* See store_int.h. */
void
store_inuse_del(dev_t dev, ino_t ino)
{
	pthread_mutex_lock(&inuse_lock);
	size_t i = find(dev, ino);
	if (i < ninuse && --inuse[i].refs == 0) {
		inuse[i] = inuse[--ninuse];
		if (ninuse == 0) {
			free(inuse);
			inuse = NULL;
			inuse_cap = 0;
		}
	}
	pthread_mutex_unlock(&inuse_lock);
}
