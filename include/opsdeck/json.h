/*
 * json.h: JSON output through yajl's generator, streamed to a FILE as it is
 * built, so `history --format json` never holds the whole document; and the
 * CSV field writer.
 *
 * yajl keeps the structure (commas, a key before every value in a map, the
 * nesting); a call that breaks it is a bug and fatal(). Numbers are written
 * with a fixed number of decimals (json_num), which keeps the output the
 * same as the hand-written writer it replaced. Strings are escaped by yajl
 * (RFC 8259); they are not checked for UTF-8, remote text is sanitised before
 * it gets here.
 */
#ifndef OPSDECK_JSON_H
#define OPSDECK_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "opsdeck/buf.h"

struct json_writer;

/* A writer of one compact document to fp (not owned). Never NULL. */
struct json_writer *json_writer_new(FILE *fp);
/* Ends the document with a newline and frees w; fatal() when a map or array is open. */
void json_writer_end(struct json_writer *w);

void json_map_open(struct json_writer *w);
void json_map_close(struct json_writer *w);
void json_array_open(struct json_writer *w);
void json_array_close(struct json_writer *w);

/* A key of the open map; the next call writes its value. */
void json_key(struct json_writer *w, const char *key);
/* A string; NULL -> null. */
void json_str(struct json_writer *w, const char *s);
void json_int(struct json_writer *w, int64_t v);
/* A number with up to `prec` decimals, none when it is whole; NaN, infinities
 * and, when `unknown_below_zero`, values < 0 -> null. */
void json_num(struct json_writer *w, double v, int prec, int unknown_below_zero);
void json_bool(struct json_writer *w, int v);
void json_null(struct json_writer *w);

/* key and value in one call. */
void json_kstr(struct json_writer *w, const char *key, const char *s);
void json_kint(struct json_writer *w, const char *key, int64_t v);
void json_knum(struct json_writer *w, const char *key, double v, int prec,
    int unknown_below_zero);
void json_kbool(struct json_writer *w, const char *key, int v);

/* CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF. */
void csv_field(struct buf *b, const char *s);

#endif
