/*
 * fuzz_fleetsim_marker.c: opsdeck-fleetsim's exec-command parsers on
 * arbitrary bytes (a client chooses the command). The stdin marker's length
 * is -1, 0 or within FLEETSIM_MAX_CMD. The stream marker's returns 1, 0 or -1;
 * a cause exactly when -1; a result within its limits (a well-formed nonce
 * included); no read past len.
 * fault.c is compiled in here: it is part of opsdeck-fleetsim, not of
 * libopsdeck.a.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/fleetsim/fault.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_req req;
	char *cause = NULL;
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	char *cmd = malloc(size ? size : 1);

	if (cmd == NULL)
		return 0;
	if (size)
		memcpy(cmd, data, size);
	long long want = stdin_script_len(cmd, size);
	if (want < -1 || want > FLEETSIM_MAX_CMD)
		abort();
	int rc = stream_parse(cmd, size, &req, &cause);
	if (rc < -1 || rc > 1 || (rc == -1) != (cause != NULL))
		abort();
	if (rc == 1) {
		if (req.interval_ms < 1 || req.nprobes < 1 || req.nprobes > FLEETSIM_MAX_PROBES)
			abort();
		for (int i = 0; i < req.nprobes; i++)
			if (strlen(req.probes[i]) == 0 ||
			    strlen(req.probes[i]) >= sizeof req.probes[i])
				abort();
		if (strlen(req.gpu_fields) >= sizeof req.gpu_fields)
			abort();
		/* the nonce the markers will carry: 32 lowercase hex digits and a space */
		if (strlen(req.nonce) != FRAME_NONCE_LEN + 1 ||
		    strspn(req.nonce, "0123456789abcdef") != FRAME_NONCE_LEN ||
		    req.nonce[FRAME_NONCE_LEN] != ' ')
			abort();
	}
	free(cause);
	free(cmd);
	return 0;
}
