/*
 * json.c: JSON and CSV writers for the subcommands' machine-readable output.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "opsdeck/json.h"

void
json_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_append(b, "null", 4);
		return;
	}
	buf_append(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_append(b, "\\\"", 2); break;
		case '\\': buf_append(b, "\\\\", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_append(b, p, 1);
		}
	}
	buf_append(b, "\"", 1);
}

void
json_num(struct buf *b, double v, int prec, int unknown_below_zero)
{
	if (isnan(v) || isinf(v) || (unknown_below_zero && v < 0)) {
		buf_append(b, "null", 4);
		return;
	}
	if (prec == 0 || v == floor(v))
		buf_printf(b, "%.0f", v);
	else
		buf_printf(b, "%.*f", prec, v);
}

void
json_int(struct buf *b, int64_t v)
{
	buf_printf(b, "%lld", (long long)v);
}

void
json_key(struct buf *b, const char *key, int first)
{
	if (!first)
		buf_append(b, ",", 1);
	json_str(b, key);
	buf_append(b, ":", 1);
}

void
csv_field(struct buf *b, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_append(b, s, strlen(s));
		return;
	}
	buf_append(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_append(b, "\"", 1);
		buf_append(b, p, 1);
	}
	buf_append(b, "\"", 1);
}
