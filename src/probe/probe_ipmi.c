/*
 * probe_ipmi.c: the ipmi probe, `ipmitool sdr elist`:
 *   Inlet Temp       | 04h | ok  |  7.1 | 23 degrees C
 *   PS1 Status       | 62h | ok  | 10.1 | Presence detected
 * name | sensor id | status | entity.instance | reading. The reading is a
 * number and a unit, or words (discrete sensors, "Disabled", "No Reading").
 * Status words: ok, ns (no reading), nc (non-critical), cr (critical),
 * nr (non-recoverable), with l/u prefixes for lower/upper thresholds.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/util.h"

#define IPMI_COMMAND	"ipmitool sdr elist 2>/dev/null || true"
#define QUOTE_MAX	64

/* The level of a status word as ipmitool prints it. */
static enum sensor_status
status_level(const char *s, size_t n)
{
	if (probe_tok_eq(s, n, "ok"))
		return SENSOR_OK;
	if (probe_tok_eq(s, n, "ns"))
		return SENSOR_NA;
	if (n >= 2 && n <= 3 && (n == 2 || s[0] == 'l' || s[0] == 'u')) {
		const char *t = s + n - 2;
		if (memcmp(t, "nc", 2) == 0)
			return SENSOR_WARN;
		if (memcmp(t, "cr", 2) == 0 || memcmp(t, "nr", 2) == 0)
			return SENSOR_CRIT;
	}
	return SENSOR_OTHER;
}

/* "23 degrees C", "0.60 Amps", "-5 degrees C", "5880 RPM": number and unit. */
static void
parse_reading(const struct probe_tok *t, struct sensor_sample *ss)
{
	const char *sp = memchr(t->p, ' ', t->n);
	size_t numlen = sp != NULL ? (size_t)(sp - t->p) : t->n;
	double v;

	probe_copy_name(ss->text, sizeof ss->text, t->p, t->n);
	ss->value = NAN;
	ss->unit[0] = '\0';
	if (numlen == 0 || probe_parse_double(t->p, numlen, &v) != 0)
		return;
	ss->value = v;
	if (sp != NULL) {
		struct probe_tok u = probe_trim(sp, t->n - numlen);
		probe_copy_name(ss->unit, sizeof ss->unit, u.p, u.n);
	}
}

/*
 * Parses `ipmitool sdr elist` (len bytes, not NUL-terminated) into
 * r->sensors, replacing them. Blank lines are skipped; sensors past
 * PROBE_MAX_SENSORS are ignored. Returns 0, or -1 with *cause
 * "ipmi line N: ..." for a line that is not 5 '|'-separated fields.
 */
static int
ipmi_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct probe_lines it;
	const char *line;
	size_t n;
	int cap = 0;

	free(r->sensors);
	r->sensors = NULL;
	r->nsensors = 0;
	if (cause != NULL)
		*cause = NULL;
	probe_lines_init(&it, data, len);
	while (probe_lines_next(&it, &line, &n)) {
		struct probe_tok f[5];
		size_t nf = 0, start = 0;

		if (probe_trim(line, n).n == 0)
			continue;
		for (size_t i = 0; i <= n; i++) {
			if (i == n || line[i] == '|') {
				if (nf < OD_ARRAY_LEN(f))
					f[nf] = probe_trim(line + start, i - start);
				nf++;
				start = i + 1;
			}
		}
		if (nf != 5 || f[0].n == 0 || f[2].n == 0) {
			char q[QUOTE_MAX];
			if (cause != NULL)
				*cause = probe_cause("ipmi", it.lineno,
				    "expected 'name | id | status | entity | reading': '%s'",
				    probe_quote(q, sizeof q, line, n));
			return -1;
		}
		if (r->nsensors >= PROBE_MAX_SENSORS)
			continue;
		if (r->nsensors >= cap) {
			cap = cap ? cap * 2 : 32;
			r->sensors = xreallocarray(r->sensors, (size_t)cap, sizeof *r->sensors);
		}
		struct sensor_sample *ss = &r->sensors[r->nsensors++];
		memset(ss, 0, sizeof *ss);
		probe_copy_name(ss->name, sizeof ss->name, f[0].p, f[0].n);
		probe_copy_name(ss->status, sizeof ss->status, f[2].p, f[2].n);
		ss->level = status_level(f[2].p, f[2].n);
		parse_reading(&f[4], ss);
	}
	return 0;
}

const struct probe probe_ipmi = {
	.name = "ipmi",
	.command = IPMI_COMMAND,
	.parse = ipmi_parse,
};
