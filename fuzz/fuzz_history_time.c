/*
 * fuzz_history_time.c: history_parse_time on arbitrary text (the input up to
 * its first NUL, at most 256 bytes). Success gives a time; failure a
 * message. Either way nothing is read past the string.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[257];
	char *cause = NULL;
	int64_t t = 0;
	const int64_t now = 1795687200000LL;

	if (size > sizeof text - 1)
		size = sizeof text - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (history_parse_time(text, now, &t, &cause) == 0) {
		if (cause != NULL)
			abort();
		/* Relative times never reach before the epoch. */
		if (text[0] == '-' && (t < 0 || t > now))
			abort();
	} else {
		if (cause == NULL || cause[0] == '\0')
			abort();
		free(cause);
	}
	return 0;
}
