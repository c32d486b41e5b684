/*
 * json.c: JSON output through yajl's streaming generator, and CSV fields.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "opsdeck/json.h"
#include "opsdeck/util.h"

struct json_writer {
	yajl_gen	 g;
	FILE		*fp;
};

static void
json_print(void *ctx, const char *s, size_t len)
{
	struct json_writer *w = ctx;

	fwrite(s, 1, len, w->fp);
}

struct json_writer *
json_writer_new(FILE *fp)
{
	struct json_writer *w = xcalloc(1, sizeof *w);

	w->fp = fp;
	w->g = yajl_gen_alloc(NULL);
	if (w->g == NULL)
		fatal("out of memory allocating a JSON generator");
	yajl_gen_config(w->g, yajl_gen_print_callback, json_print, w);
	return w;
}

/* A generator status other than ok is a misuse of the writer: a bug. */
static void
check(yajl_gen_status s, const char *what)
{
	static const char *const names[] = {
		[yajl_gen_status_ok] = "ok",
		[yajl_gen_keys_must_be_strings] = "a key must be a string",
		[yajl_max_depth_exceeded] = "too deep",
		[yajl_gen_in_error_state] = "called after an error",
		[yajl_gen_generation_complete] = "the document is already complete",
		[yajl_gen_invalid_number] = "not a number",
		[yajl_gen_no_buf] = "no buffer",
		[yajl_gen_invalid_string] = "invalid UTF-8",
	};
	if (s != yajl_gen_status_ok)
		fatal("json: %s: %s", what, (unsigned)s < OD_ARRAY_LEN(names) &&
		    names[s] != NULL ? names[s] : "unknown error");
}

/*
 * Ends the document: the generator must be complete (every map and array
 * closed), which yajl says by refusing one more value.
 */
void
json_writer_end(struct json_writer *w)
{
	if (yajl_gen_null(w->g) != yajl_gen_generation_complete)
		fatal("json: document ended with a map or array still open");
	fputc('\n', w->fp);
	yajl_gen_free(w->g);
	free(w);
}

void json_map_open(struct json_writer *w) { check(yajl_gen_map_open(w->g), "{"); }
void json_map_close(struct json_writer *w) { check(yajl_gen_map_close(w->g), "}"); }
void json_array_open(struct json_writer *w) { check(yajl_gen_array_open(w->g), "["); }
void json_array_close(struct json_writer *w) { check(yajl_gen_array_close(w->g), "]"); }
void json_null(struct json_writer *w) { check(yajl_gen_null(w->g), "null"); }
void json_bool(struct json_writer *w, int v) { check(yajl_gen_bool(w->g, v != 0), "bool"); }

void
json_key(struct json_writer *w, const char *key)
{
	check(yajl_gen_string(w->g, (const unsigned char *)key, strlen(key)), key);
}

void
json_str(struct json_writer *w, const char *s)
{
	if (s == NULL)
		json_null(w);
	else
		check(yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)), "string");
}

void
json_int(struct json_writer *w, int64_t v)
{
	check(yajl_gen_integer(w->g, (long long)v), "integer");
}

void
json_num(struct json_writer *w, double v, int prec, int unknown_below_zero)
{
	char s[64];
	int n;

	if (isnan(v) || isinf(v) || (unknown_below_zero && v < 0)) {
		json_null(w);
		return;
	}
	if (prec == 0 || v == floor(v))
		n = snprintf(s, sizeof s, "%.0f", v);
	else
		n = snprintf(s, sizeof s, "%.*f", prec, v);
	if (n < 0 || (size_t)n >= sizeof s)	/* |v| > 1e63: no exact decimals needed */
		n = snprintf(s, sizeof s, "%.17g", v);
	check(yajl_gen_number(w->g, s, (size_t)n), "number");
}

void
json_kstr(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_str(w, s);
}

void
json_kint(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void
json_knum(struct json_writer *w, const char *key, double v, int prec, int unknown_below_zero)
{
	json_key(w, key);
	json_num(w, v, prec, unknown_below_zero);
}

void
json_kbool(struct json_writer *w, const char *key, int v)
{
	json_key(w, key);
	json_bool(w, v);
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
