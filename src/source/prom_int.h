/*
 * prom_int.h: what the Prometheus source (source_prom.c) shares with the
 * Detail graphs' fetcher (prom_graph.c): one capped, bounded HTTP GET.
 */
#ifndef OPSDECK_PROM_INT_H
#define OPSDECK_PROM_INT_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/hoststate.h"

/* curl_global_init, once per process, from any thread. */
void prom_curl_init(void);

/*
 * GET base + path (already escaped) on *curlp (created when NULL, kept for
 * the next call) until deadline (now_mono_ms() based) or until abort_fd
 * (-1: none) turns readable; the body capped at PROMAPI_MAX_BYTES, only
 * http and https, no redirects. The body goes through parse(data, len, out,
 * cause). 0: parsed into out. -1: *state (HOST_DOWN, HOST_TIMEOUT,
 * HOST_PARSE_ERROR) and *cause naming base, out untouched or freed by
 * parse. -2: an HTTP error whose body parsed anyway: out holds it (the
 * caller frees it) and *state, *cause are set as for -1.
 */
int prom_get(CURL **curlp, const char *base, const char *path, int64_t deadline, int abort_fd,
	    int (*parse)(const char *data, size_t len, void *out, char **cause), void *out,
	    enum host_state *state, char **cause);

#endif
