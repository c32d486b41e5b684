/*
 * exporter.h: the HTTP endpoint of `opsdeck collect --listen ADDR:PORT`
 * (libmicrohttpd, one internal thread).
 *
 * GET /metrics answers with expo.h's exposition of the collector's latest
 * state (taken through a callback at each scrape), in OpenMetrics when the
 * Accept header asks for it, else the text format 0.0.4; test-bed devices,
 * budget lines and tenant GPU-hours come from a read-only connection to the
 * cache of its own. GET /-/healthy answers 200. Anything else: 404 (405 for
 * methods other than GET and HEAD). It listens on the one address it is
 * given, nowhere else.
 */
#ifndef OPSDECK_EXPORTER_H
#define OPSDECK_EXPORTER_H

#include <stddef.h>
#include <sys/socket.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"

/* A copy of every host's status; freed with store_free_hosts. */
typedef void (*exporter_hosts_fn)(void *arg, struct host_status **v, size_t *n);

struct exporter_opts {
	const char		*listen;	/* "ADDR:PORT", "[V6ADDR]:PORT" */
	exporter_hosts_fn	 hosts;
	void			*arg;
	const char		*cache;		/* cache file for devices and budget, NULL: none */
	const char		*budget_plan;	/* plan file, NULL: none */
};

struct exporter;

/*
 * Parses "ADDR:PORT" (an IPv4 address, "[IPv6]" or a host name resolved
 * once; port 0-65535, 0: any free port) into *ss. 0, or -1 with *cause.
 */
int  exporter_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
	    char **cause);

/* Starts listening and serving. 0 and *out, or -1 with *cause. */
int  exporter_start(const struct exporter_opts *o, struct exporter **out, char **cause);
/* The port it listens on (the chosen one for port 0). */
int  exporter_port(const struct exporter *e);
/* Stops serving, closes the socket and the cache, frees e. NULL is fine. */
void exporter_stop(struct exporter *e);

#endif
