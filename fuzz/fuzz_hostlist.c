/*
 * fuzz_hostlist.c: hostlist_expand on arbitrary patterns (the input up to its
 * first NUL, at most 1024 bytes). Success gives 1..HOSTLIST_MAX_EXPANSION
 * valid host names and a NULL terminator; failure a message and an offset
 * inside the pattern.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
name_ok(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > HOSTNAME_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pattern[1025];
	char **names = NULL, *cause = NULL;
	size_t count = 0, errcol = 0;

	if (size > sizeof pattern - 1)
		size = sizeof pattern - 1;
	memcpy(pattern, data, size);
	pattern[size] = '\0';
	if (hostlist_expand(pattern, &names, &count, &cause, &errcol) == 0) {
		if (cause != NULL || names == NULL || count == 0 ||
		    count > HOSTLIST_MAX_EXPANSION || names[count] != NULL)
			abort();
		for (size_t i = 0; i < count; i++)
			if (names[i] == NULL || !name_ok(names[i]))
				abort();
		hostlist_free(names);
	} else {
		if (cause == NULL || names != NULL || errcol > strlen(pattern))
			abort();
		free(cause);
	}
	return 0;
}
