/*
 * fleet_cmd.c: prints the command a node runs for one cycle of the node
 * probes (linux, nvidia, ipmi), from the real probe table, so that
 * bench/fleet.sh gives pdsh exactly the work the collector's stream does.
 */
#include "config.h"

#include <stdio.h>

#include "opsdeck/probe.h"

int
main(void)
{
	const struct probe *const p[] = { &probe_linux, &probe_nvidia, &probe_ipmi };

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		printf("%s(%s)", i ? "; " : "", p[i]->command);
	printf("\n");
	return 0;
}
