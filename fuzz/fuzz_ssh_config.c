/*
 * fuzz_ssh_config.c: the ~/.ssh/config lookup (ssh_config_lookup) and the
 * Host pattern matcher on arbitrary bytes, and the resolved target with its
 * ProxyJump chain. The first line of the input is also used as a host name
 * and as a pattern. Results must stay within their bounds (at most
 * SSH_MAX_HOPS hops, each with a host name and a port); nothing may leak or
 * read out of bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/ssh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *text, size_t len, const char *host)
{
	struct ssh_host_config hc;

	memset(&hc, 0, sizeof hc);
	ssh_config_lookup(text, len, host, "/home/fuzz", "fuzz", &hc);
	if (hc.nidentity > SSH_CONFIG_MAX_IDENTITIES || hc.port < 0 || hc.port > 65535)
		abort();
	for (size_t i = 0; i < hc.nidentity; i++)
		if (hc.identity[i] == NULL)
			abort();
	ssh_host_config_free(&hc);

	struct conn_settings cs;
	struct ssh_target t;
	memset(&cs, 0, sizeof cs);
	cs.port = 22;
	ssh_target_resolve(&t, host, NULL, &cs, text, len, 1000);
	if (t.nhops > SSH_MAX_HOPS || (t.nhops > 0 && t.jump_error != NULL))
		abort();
	for (size_t i = 0; i < t.nhops; i++)
		if (t.hops[i].hostname[0] == '\0' || t.hops[i].port < 1 || t.hops[i].port > 65535 ||
		    t.hops[i].label == NULL || t.hops[i].user == NULL ||
		    t.hops[i].nidentity > SSH_CONFIG_MAX_IDENTITIES + 4)
			abort();
	ssh_target_free(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t fl = nl != NULL ? (size_t)(nl - text) : size;
	if (fl > 255)
		fl = 255;
	char first[256];
	memcpy(first, text, fl);
	first[fl] = '\0';

	check(text, size, "gpu001");
	check(text, size, "bastion");
	check(text, size, first);
	/* pattern against names, both ways; must terminate quickly */
	(void)ssh_pattern_match(first, "gpu001.compute.aidc.example");
	(void)ssh_pattern_match("*a*b*?*", first);
	(void)ssh_pattern_match(first, first);
	return 0;
}
