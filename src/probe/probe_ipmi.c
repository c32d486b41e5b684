/*
 * probe_ipmi.c: the ipmi probe, `ipmitool sdr elist`:
 *   Inlet Temp       | 04h | ok  |  7.1 | 23 degrees C
 *   PS1 Status       | 62h | ok  | 10.1 | Presence detected
 * name | sensor id | status | entity.instance | reading. The reading is
 * taken apart into a number, its unit and the states after them: "23
 * degrees C", "110 Watts, Presence detected" (number, unit and a state),
 * "Presence detected", "Drive Present", "0x01", "No Reading", "Disabled",
 * "Not Readable" or nothing (states, no number).
 * Status words: ok, ns (no reading), nc (non-critical), cr (critical),
 * nr (non-recoverable), with l/u prefixes for lower/upper thresholds.
 * A line that is not a sensor (ipmitool's "Unable to send command: ..."
 * between rows) costs only itself: a warning.
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

/*
 * "23 degrees C", "0.60 Amps", "-5 degrees C", "110 Watts, Presence
 * detected", "Presence detected", "0x01": number, unit and state apart.
 */
static void
parse_reading(const struct probe_tok *t, struct sensor_sample *ss)
{
	const char *sp = memchr(t->p, ' ', t->n);
	size_t numlen = sp != NULL ? (size_t)(sp - t->p) : t->n;
	double v;

	ss->value = NAN;
	ss->unit[0] = '\0';
	ss->state[0] = '\0';
	if (numlen == 0 || probe_parse_double(t->p, numlen, &v) != 0) {
		probe_copy_name(ss->state, sizeof ss->state, t->p, t->n);
		return;
	}
	ss->value = v;
	if (sp == NULL)
		return;
	struct probe_tok rest = probe_trim(sp, t->n - numlen);
	const char *comma = memchr(rest.p, ',', rest.n);
	size_t ulen = comma != NULL ? (size_t)(comma - rest.p) : rest.n;
	struct probe_tok u = probe_trim(rest.p, ulen);
	probe_copy_name(ss->unit, sizeof ss->unit, u.p, u.n);
	if (comma != NULL) {
		struct probe_tok st = probe_trim(comma + 1, rest.n - ulen - 1);
		probe_copy_name(ss->state, sizeof ss->state, st.p, st.n);
	}
}

/*
 * Parses `ipmitool sdr elist` (len bytes, not NUL-terminated) into
 * r->sensors, replacing them. Blank lines are skipped; sensors past
 * PROBE_MAX_SENSORS are ignored; a line that is not 5 '|'-separated fields
 * with a name and a status is skipped with a warning "ipmi: line N: ...".
 * Returns -1 with *cause only when no line was a sensor but some were not
 * blank (r->sensors is then empty).
 */
static int
ipmi_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct probe_lines it;
	struct probe_warnings w;
	const char *line;
	size_t n;
	int cap = 0, rows = 0, bad = 0;

	free(r->sensors);
	r->sensors = NULL;
	r->nsensors = 0;
	if (cause != NULL)
		*cause = NULL;
	probe_warnings_init(&w, "ipmi");
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
			probe_warn(&w, NULL, it.lineno,
			    "expected 'name | id | status | entity | reading': '%s'",
			    probe_quote(q, sizeof q, line, n));
			bad++;
			continue;
		}
		rows++;
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
	if (rows == 0 && bad > 0) {
		char *why = probe_warnings_cause(&w, "no sensor in ipmitool's output");
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return -1;
	}
	probe_warnings_commit(&w, r);
	return 0;
}

const struct probe probe_ipmi = {
	.name = "ipmi",
	.command = IPMI_COMMAND,
	.parse = ipmi_parse,
};
