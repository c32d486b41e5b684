/*
 * store_map.c: the string map of the store's in-memory indexes (store_int.h):
 * host and metric names to their ids, open addressing with linear probing,
 * and a bit set per entry (which series a host has). Used by store.c and
 * store_write.c; depends on neither.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "opsdeck/util.h"

void
smap_clear(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->e[i].key);
		free(m->e[i].bits);
	}
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}

struct smap_ent *
smap_get(const struct smap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = hash_fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == NULL)
			return NULL;
		if (strcmp(m->e[i].key, key) == 0)
			return &m->e[i];
	}
}

static void
smap_grow(struct smap *m)
{
	struct smap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->e = xcalloc(m->cap, sizeof *m->e);
	for (size_t i = 0; i < old.cap; i++) {
		if (old.e[i].key == NULL)
			continue;
		size_t j = hash_fnv1a(old.e[i].key) & (m->cap - 1);
		while (m->e[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->e[j] = old.e[i];
	}
	free(old.e);
}

struct smap_ent *
smap_put(struct smap *m, const char *key)
{
	struct smap_ent *e = smap_get(m, key);
	if (e != NULL)
		return e;
	if ((m->n + 1) * 10 > m->cap * 7)
		smap_grow(m);
	size_t i = hash_fnv1a(key) & (m->cap - 1);
	while (m->e[i].key != NULL)
		i = (i + 1) & (m->cap - 1);
	m->e[i].key = xstrdup(key);
	m->e[i].v[0] = m->e[i].v[1] = m->e[i].v[2] = 0;
	m->e[i].bits = NULL;
	m->e[i].nwords = 0;
	m->n++;
	return &m->e[i];
}

int
smap_bit(const struct smap_ent *e, int64_t i)
{
	size_t w = (size_t)i / 64;
	return i >= 0 && w < e->nwords && (e->bits[w] >> (i % 64) & 1);
}

void
smap_set_bit(struct smap_ent *e, int64_t i)
{
	size_t w = (size_t)i / 64;
	if (i < 0)
		return;
	if (w >= e->nwords) {
		size_t n = OD_MAX(w + 1, e->nwords * 2);
		e->bits = xreallocarray(e->bits, n, sizeof *e->bits);
		memset(e->bits + e->nwords, 0, (n - e->nwords) * sizeof *e->bits);
		e->nwords = n;
	}
	e->bits[w] |= (uint64_t)1 << (i % 64);
}
