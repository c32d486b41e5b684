/*
 * diag.c: collected FILE:LINE:COL diagnostics.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/diag.h"

void
diag_init(struct diag *d, const char *file)
{
	memset(d, 0, sizeof *d);
	d->file = xstrdup(file != NULL ? file : "(built-in)");
}

void
diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	free(d->file);
	memset(d, 0, sizeof *d);
}

void
diag_add(struct diag *d, int line, int col, const char *fmt, ...)
{
	if (d->n >= DIAG_MAX) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	va_list ap;
	va_start(ap, fmt);
	d->v[d->n].msg = xvasprintf(fmt, ap);
	va_end(ap);
	d->v[d->n].line = line;
	d->v[d->n].col = col;
	d->n++;
}

static char *
diag_format(const struct diag *d, size_t i)
{
	const struct diag_entry *e = &d->v[i];
	if (e->line > 0)
		return xasprintf("%s:%d:%d: %s", d->file, e->line, e->col > 0 ? e->col : 1, e->msg);
	return xasprintf("%s: %s", d->file, e->msg);
}

void
diag_print(const struct diag *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(d, i);
		fprintf(fp, "%s\n", s);
		free(s);
	}
	if (d->dropped)
		fprintf(fp, "%s: %zu more errors not shown\n", d->file, d->dropped);
}

char *
diag_first(const struct diag *d)
{
	return d->n ? diag_format(d, 0) : NULL;
}

size_t
diag_count(const struct diag *d)
{
	return d->n + d->dropped;
}
