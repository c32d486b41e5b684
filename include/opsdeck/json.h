/*
 * json.h: a minimal JSON writer into a struct buf (RFC 8259 escaping).
 */
#ifndef OPSDECK_JSON_H
#define OPSDECK_JSON_H

#include <stdint.h>

#include "opsdeck/buf.h"

/* A quoted string; control characters escaped, valid UTF-8 passed through. NULL -> null. */
void json_str(struct buf *b, const char *s);
/* A number with up to `prec` decimals; NaN, infinities and values < 0 when
 * `unknown_below_zero` -> null. */
void json_num(struct buf *b, double v, int prec, int unknown_below_zero);
void json_int(struct buf *b, int64_t v);
/* "key": (with a comma before it unless first) */
void json_key(struct buf *b, const char *key, int first);

/* CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF. */
void csv_field(struct buf *b, const char *s);

#endif
