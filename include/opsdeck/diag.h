/*
 * diag.h: collected diagnostics, printed as FILE:LINE:COL: message.
 *
 * Parsers add every problem they find instead of stopping at the first, as
 * tmux's cfg_add_cause does; the caller prints them all once.
 */
#ifndef OPSDECK_DIAG_H
#define OPSDECK_DIAG_H

#include <stdio.h>
#include <stddef.h>

#include "opsdeck/util.h"

#define DIAG_MAX 200	/* further errors are counted, not stored */

struct diag_entry {
	int	 line, col;	/* 1-based; 0 when not known */
	char	*msg;
};

struct diag {
	char		*file;		/* name used in messages */
	struct diag_entry *v;
	size_t		 n, cap;
	size_t		 dropped;	/* errors beyond DIAG_MAX */
};

void diag_init(struct diag *d, const char *file);
void diag_free(struct diag *d);
void diag_add(struct diag *d, int line, int col, const char *fmt, ...) OD_PRINTF(4, 5);
/* Prints "FILE:LINE:COL: message" lines (FILE: message when line is 0). */
void diag_print(const struct diag *d, FILE *fp);
/* One line, for a status bar or a single error: the first entry. Caller frees. */
char *diag_first(const struct diag *d);
size_t diag_count(const struct diag *d);

#endif
