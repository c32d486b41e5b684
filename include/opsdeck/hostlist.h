/*
 * hostlist.h: pdsh-style host ranges, "gpu[001-128]", "rack[1-4]-n[01-32]",
 * "node[1,3,5-7]". Zero padding follows the width of the lower bound.
 * Pure: no I/O, no globals.
 */
#ifndef OPSDECK_HOSTLIST_H
#define OPSDECK_HOSTLIST_H

#include <stddef.h>

#define HOSTLIST_MAX_EXPANSION 100000	/* names from one pattern */
#define HOSTNAME_MAX 255

/*
 * Expands pattern into a NULL-terminated, malloc'd array of malloc'd names,
 * in order. On error returns -1, sets *cause (malloc'd, caller frees) and
 * *errcol to the 0-based byte offset in pattern of the problem.
 */
int  hostlist_expand(const char *pattern, char ***names, size_t *count,
	    char **cause, size_t *errcol);
void hostlist_free(char **names);

#endif
