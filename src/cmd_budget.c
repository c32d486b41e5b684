/*
 * cmd_budget.c: `opsdeck budget`: not built yet (the Budget issue).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/cmd.h"

int
cmd_budget(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: opsdeck budget report|import ...\n"
		    "Not built yet: budget plans, ledger import and reports are planned.\n");
		return 0;
	}
	fprintf(stderr, "opsdeck budget: not built yet: budget plans, ledger import and "
	    "reports are planned but not in this version\n");
	return 1;
}
