/*
 * fault.c: fault names and the parsing of an exec command (is it the opsdeck
 * stream script, and what does its marker line ask for). Pure.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleetsim.h"
#include "opsdeck/probe.h"

static const char *const fault_names[FAULT_COUNT] = {
	"none", "hang", "drop", "garbage", "flood", "slow", "refuse", "badkey", "authfail",
};

const char *
fault_name(enum fs_fault f)
{
	if ((int)f < 0 || f >= FAULT_COUNT)
		return NULL;
	return fault_names[f];
}

int
fault_parse(const char *s, enum fs_fault *out)
{
	for (int i = 0; i < FAULT_COUNT; i++)
		if (strcmp(s, fault_names[i]) == 0) {
			*out = (enum fs_fault)i;
			return 0;
		}
	return -1;
}

/* A character frame_script() allows in a probe name: [A-Za-z0-9_.-]. */
static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.' || c == '-';
}

/* Appends the comma-separated probe names in [q, end) to req; 0 or -1. */
static int
parse_probes(const char *q, const char *end, struct stream_req *req, char **cause)
{
	while (q < end) {
		const char *c = memchr(q, ',', (size_t)(end - q));
		if (c == NULL)
			c = end;
		size_t nl = (size_t)(c - q);
		if (nl == 0 || nl >= sizeof req->probes[0]) {
			*cause = xasprintf("stream marker: bad probe name");
			return -1;
		}
		for (size_t i = 0; i < nl; i++)
			if (!name_char(q[i])) {
				*cause = xasprintf("stream marker: bad probe name");
				return -1;
			}
		if (req->nprobes == FLEETSIM_MAX_PROBES) {
			*cause = xasprintf("stream marker: more than %d probes",
			    FLEETSIM_MAX_PROBES);
			return -1;
		}
		memcpy(req->probes[req->nprobes], q, nl);
		req->probes[req->nprobes][nl] = '\0';
		req->nprobes++;
		q = c < end ? c + 1 : c;
	}
	return 0;
}

/* Copies the --query-gpu= field list that follows p (up to a blank or quote). */
static void
find_gpu_fields(const char *cmd, size_t len, struct stream_req *req)
{
	static const char key[] = "--query-gpu=";
	const char *end = cmd + len;

	req->gpu_fields[0] = '\0';
	req->gpu_procs = memmem(cmd, len, "--query-compute-apps=", 21) != NULL;
	for (const char *p = cmd; p + sizeof key - 1 <= end; p++) {
		if (memcmp(p, key, sizeof key - 1) != 0)
			continue;
		p += sizeof key - 1;
		size_t n = 0;
		while (p + n < end && n + 1 < sizeof req->gpu_fields &&
		    strchr(" \t\r\n'\"\\;|&)", p[n]) == NULL)
			n++;
		memcpy(req->gpu_fields, p, n);
		req->gpu_fields[n] = '\0';
		return;
	}
}

/*
 * The nonce of a stream command: the word after its line "opsdeck_stream "
 * (frame_command). Returns 1 with req->nonce set to it and a space, 0 when
 * there is no such line (sh would define the functions and run nothing),
 * -1 when the word is not FRAME_NONCE_LEN lowercase hex digits (the script
 * itself exits 2 then).
 */
static int
find_nonce(const char *cmd, size_t len, struct stream_req *req)
{
	static const char call[] = "\nopsdeck_stream ";
	size_t cl = sizeof call - 1;

	req->nonce[0] = '\0';
	for (size_t i = 0; i + cl <= len; i++) {
		if (memcmp(cmd + i, call, cl) != 0)
			continue;
		const char *w = cmd + i + cl;
		size_t wl = 0;
		while (i + cl + wl < len && w[wl] != '\n')
			wl++;
		if (wl != FRAME_NONCE_LEN)
			return -1;
		for (size_t k = 0; k < wl; k++)
			if (!((w[k] >= '0' && w[k] <= '9') || (w[k] >= 'a' && w[k] <= 'f')))
				return -1;
		memcpy(req->nonce, w, wl);
		req->nonce[wl] = ' ';
		req->nonce[wl + 1] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Parses an exec command. The stream script starts (after blanks) with
 * `# opsdeck-stream v1` and then `key=value` words up to the end of the line:
 * interval_ms=N (N >= 1) and probes=a,b,c (names of [A-Za-z0-9_.-], as
 * frame_script() allows). Unknown keys are ignored. The line
 * "opsdeck_stream NONCE" that starts the loop gives the nonce the markers
 * carry (find_nonce). Returns 1 and fills *req for a stream script, 0 for
 * another command, -1 with *cause (malloc'd) for a malformed marker line or
 * nonce.
 */
int
stream_parse(const char *cmd, size_t len, struct stream_req *req, char **cause)
{
	const char *p = cmd, *end = cmd + len;
	size_t ml = strlen(STREAM_MARKER);

	memset(req, 0, sizeof *req);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if ((size_t)(end - p) < ml || memcmp(p, STREAM_MARKER, ml) != 0)
		return 0;
	p += ml;
	if (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		return 0;	/* "v10" is another version, not ours */
	size_t pos = (size_t)(p - cmd);
	const char *eol = pos < len ? memchr(p, '\n', len - pos) : NULL;
	if (eol == NULL)
		eol = end;
	req->interval_ms = -1;
	while (p < eol) {
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		const char *w = p;
		while (p < eol && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		size_t wl = (size_t)(p - w);
		if (wl > 12 && memcmp(w, "interval_ms=", 12) == 0) {
			char num[24];
			char *e;
			if (wl - 12 >= sizeof num)
				goto bad_interval;
			memcpy(num, w + 12, wl - 12);
			num[wl - 12] = '\0';
			errno = 0;
			long long v = strtoll(num, &e, 10);
			if (errno != 0 || *e != '\0' || v < 1 || v > 86400000LL)
				goto bad_interval;
			req->interval_ms = v;
		} else if (wl >= 7 && memcmp(w, "probes=", 7) == 0) {
			if (parse_probes(w + 7, p, req, cause) != 0)
				return -1;
		}
	}
	if (req->interval_ms < 0) {
		*cause = xasprintf("stream marker: no interval_ms");
		return -1;
	}
	if (req->nprobes == 0) {
		*cause = xasprintf("stream marker: no probes");
		return -1;
	}
	switch (find_nonce(cmd, len, req)) {
	case 0:
		*cause = xasprintf("stream: no opsdeck_stream line");
		return -1;
	case -1:
		*cause = xasprintf("stream: bad nonce");
		return -1;
	default:
		break;
	}
	find_gpu_fields(cmd, len, req);
	req->sacct_windowed = memmem(cmd, len, "${opsdeck_seq:-1}", 17) != NULL;
	req->linux_sums = memmem(cmd, len, LINUX_SUMS_MARK, strlen(LINUX_SUMS_MARK)) != NULL;
	return 1;
bad_interval:
	*cause = xasprintf("stream marker: bad interval_ms");
	return -1;
}

/* See fleetsim.h. */
long long
stdin_script_len(const char *cmd, size_t len)
{
	static const char key[] = FRAME_STDIN_MARKER " bytes=";
	size_t kl = sizeof key - 1;

	if (len < kl || memcmp(cmd, key, kl) != 0)
		return 0;
	long long v = 0;
	size_t i = kl;
	for (; i < len && cmd[i] >= '0' && cmd[i] <= '9' && v <= FLEETSIM_MAX_CMD; i++)
		v = v * 10 + (cmd[i] - '0');
	if (i == kl || i >= len || cmd[i] != '\n' || v < 1 || v > FLEETSIM_MAX_CMD)
		return -1;
	return v;
}
