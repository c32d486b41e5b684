/*
 * fuzz_theme.c: theme_parse on arbitrary bytes. It either succeeds with no
 * diagnostics and a theme whose colours are in range, or fails with at least
 * one diagnostic (each with a message and a sane position) and the default
 * theme. The colour helpers run on every scalar-looking prefix too.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	struct theme t, def;
	char word[16];
	int c;

	diag_init(&d, "fuzz.yaml");
	int rc = theme_parse((const char *)data, size, &t, &d);
	if (rc == 0) {
		if (diag_count(&d) != 0)
			abort();
		for (int r = 0; r < THEME_ROLE_COUNT; r++) {
			if (t.role[r].fg < -1 || t.role[r].fg > 255 ||
			    t.role[r].bg < -1 || t.role[r].bg > 255)
				abort();
			for (int n = 8; n <= 256; n *= 2) {
				int x = theme_color_reduce(t.role[r].fg, n);
				if (x < -1 || x >= n)
					abort();
			}
		}
		if (memchr(t.name, '\0', sizeof t.name) == NULL)
			abort();
	} else {
		theme_default(&def);
		if (diag_count(&d) == 0 || memcmp(&t, &def, sizeof t) != 0)
			abort();
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].msg == NULL || d.v[i].line < 0 || d.v[i].col < 0)
				abort();
	}
	diag_free(&d);

	size_t n = size < sizeof word - 1 ? size : sizeof word - 1;
	memcpy(word, data, n);
	word[n] = '\0';
	if (theme_color_parse(word, &c) == 0 && (c < -1 || c > 255))
		abort();
	return 0;
}
