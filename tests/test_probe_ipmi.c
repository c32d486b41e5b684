/*
 * test_probe_ipmi.c: the ipmi probe's parser on `ipmitool sdr elist` from a
 * Dell-like and a Supermicro-like server, status levels, readings without a
 * number, and malformed lines.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/buf.h"
#include "opsdeck/probe.h"
#include "opsdeck/util.h"

static int
parse_fixture(const char *name, struct host_report *r, char **cause)
{
	char *path = xasprintf("%s/ipmi/%s", getenv("FIXTURES"), name);
	char *data;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, cause) != 0)
		fail_msg("%s", *cause);
	char *exact = xmalloc(len ? len : 1);
	memcpy(exact, data, len);
	memset(r, 0, sizeof *r);
	*cause = NULL;
	int rc = probe_ipmi.parse(exact, len, r, cause);
	free(exact);
	free(data);
	free(path);
	return rc;
}

static int
parse_str(const char *s, struct host_report *r, char **cause)
{
	memset(r, 0, sizeof *r);
	*cause = NULL;
	return probe_ipmi.parse(s, strlen(s), r, cause);
}

static const struct sensor_sample *
find(const struct host_report *r, const char *name, int nth)
{
	for (int i = 0; i < r->nsensors; i++)
		if (strcmp(r->sensors[i].name, name) == 0 && nth-- == 0)
			return &r->sensors[i];
	fail_msg("no sensor %s", name);
	return NULL;
}

static void
check(const struct sensor_sample *s, double value, const char *unit, const char *status,
    enum sensor_status level, const char *text)
{
	if (isnan(value))
		assert_true(isnan(s->value));
	else
		assert_true(s->value == value);
	assert_string_equal(s->unit, unit);
	assert_string_equal(s->status, status);
	assert_int_equal(s->level, level);
	assert_string_equal(s->text, text);
}

static void
test_dell(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("dell-r750.txt", &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.nsensors, 28);
	check(find(&r, "Fan1A", 0), 5880, "RPM", "ok", SENSOR_OK, "5880 RPM");
	check(find(&r, "Fan4A", 0), 1200, "RPM", "nc", SENSOR_WARN, "1200 RPM");
	check(find(&r, "Inlet Temp", 0), 23, "degrees C", "ok", SENSOR_OK, "23 degrees C");
	check(find(&r, "Temp", 0), 45, "degrees C", "ok", SENSOR_OK, "45 degrees C");
	check(find(&r, "Temp", 1), NAN, "", "ns", SENSOR_NA, "Disabled");
	check(find(&r, "CPU1 Temp", 0), 95, "degrees C", "cr", SENSOR_CRIT, "95 degrees C");
	check(find(&r, "Current 1", 0), 0.60, "Amps", "ok", SENSOR_OK, "0.60 Amps");
	check(find(&r, "Voltage 2", 0), 232, "Volts", "ok", SENSOR_OK, "232 Volts");
	check(find(&r, "Pwr Consumption", 0), 294, "Watts", "ok", SENSOR_OK, "294 Watts");
	check(find(&r, "Intrusion", 0), NAN, "", "ok", SENSOR_OK, "");
	check(find(&r, "PS1 Status", 0), NAN, "", "ok", SENSOR_OK, "Presence detected");
	check(find(&r, "PS Redundancy", 0), NAN, "", "ok", SENSOR_OK, "Fully Redundant");
	check(find(&r, "SD", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	assert_string_equal(r.sensors[0].name, "Fan1A");
	assert_string_equal(r.sensors[27].name, "SD");
	report_free(&r);
}

static void
test_supermicro(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("supermicro-x12.txt", &r, &cause), 0);
	assert_int_equal(r.nsensors, 31);
	check(find(&r, "CPU1 Temp", 0), 48, "degrees C", "ok", SENSOR_OK, "48 degrees C");
	/* extended status words: upper/lower critical, non-critical, non-recoverable */
	check(find(&r, "CPU2 Temp", 0), 97, "degrees C", "ucr", SENSOR_CRIT, "97 degrees C");
	check(find(&r, "VRMCpu2 Temp", 0), 86, "degrees C", "unc", SENSOR_WARN, "86 degrees C");
	check(find(&r, "FAN4", 0), 0, "RPM", "lnr", SENSOR_CRIT, "0 RPM");
	check(find(&r, "FANA", 0), 300, "RPM", "lcr", SENSOR_CRIT, "300 RPM");
	check(find(&r, "VBAT", 0), 2.74, "Volts", "lnc", SENSOR_WARN, "2.74 Volts");
	check(find(&r, "P1-DIMMB1 Temp", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "12V", 0), 12.19, "Volts", "ok", SENSOR_OK, "12.19 Volts");
	check(find(&r, "3.3VSB", 0), 3.29, "Volts", "ok", SENSOR_OK, "3.29 Volts");
	check(find(&r, "Chassis Intru", 0), NAN, "", "ok", SENSOR_OK, "");
	check(find(&r, "PS2 Status", 0), NAN, "", "cr", SENSOR_CRIT,
	    "Presence detected, Failure detected");
	check(find(&r, "NVMe_SSD Temp", 0), -2, "degrees C", "ok", SENSOR_OK, "-2 degrees C");
	report_free(&r);
}

static void
test_no_ipmitool(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("empty.txt", &r, &cause), 0);
	assert_int_equal(r.nsensors, 0);
	report_free(&r);
	assert_int_equal(parse_str("\n", &r, &cause), 0);
	assert_int_equal(r.nsensors, 0);
	report_free(&r);
	char *cmd = xasprintf("PATH=/nonexistent; %s", probe_ipmi.command);
	FILE *fp = popen(cmd, "r");
	char out[64];
	assert_int_equal(fread(out, 1, sizeof out, fp), 0);
	assert_int_equal(pclose(fp), 0);
	free(cmd);
}

static void
test_levels_and_odd_values(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_str(
	    "A | 01h | nr  | 3.1 | 1 x\r\n"
	    "B | 02h | unr | 3.1 | 2\n"
	    "C | 03h | lcr | 3.1 | 0x01\n"
	    "D | 04h | xyz | 3.1 | 12abc RPM\n"
	    "E | 05h | ok | 3.1 |   7.50   Volts  \n"
	    "F | 06h | oknc | 3.1 | .5 Amps\n", &r, &cause), 0);
	assert_int_equal(r.nsensors, 6);
	check(&r.sensors[0], 1, "x", "nr", SENSOR_CRIT, "1 x");
	check(&r.sensors[1], 2, "", "unr", SENSOR_CRIT, "2");
	check(&r.sensors[2], NAN, "", "lcr", SENSOR_CRIT, "0x01");
	check(&r.sensors[3], NAN, "", "xyz", SENSOR_OTHER, "12abc RPM");
	check(&r.sensors[4], 7.5, "Volts", "ok", SENSOR_OK, "7.50   Volts");
	check(&r.sensors[5], 0.5, "Amps", "oknc", SENSOR_OTHER, ".5 Amps");
	report_free(&r);
}

static void
test_malformed(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_str("Fan1A | 30h | ok | 7.1 | 5880 RPM\n\n"
	    "Get SDR 0050h command failed: Unspecified error\n", &r, &cause), -1);
	assert_string_equal(cause,
	    "ipmi line 3: expected 'name | id | status | entity | reading': "
	    "'Get SDR 0050h command failed: Unspecified error'");
	assert_int_equal(r.nsensors, 1);
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str("a | b | c | d | e | f\n", &r, &cause), -1);
	assert_non_null(strstr(cause, "ipmi line 1:"));
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str(" | 01h | ok | 3.1 | 5\n", &r, &cause), -1);
	free(cause);
	report_free(&r);
}

static void
test_caps_and_sanitising(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "\033[2J\xe2\x80\x8b");
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "N");
	buf_printf(&b, " | 01h | ok\033 | 3.1 | 5 \033]0;x\007\n");
	for (int i = 0; i < PROBE_MAX_SENSORS + 3; i++)
		buf_printf(&b, "S%d | 01h | ok | 3.1 | %d RPM\n", i, i);
	struct host_report r;
	char *cause = NULL;
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_ipmi.parse(b.data, b.len, &r, &cause), 0);
	assert_int_equal(r.nsensors, PROBE_MAX_SENSORS);
	const struct sensor_sample *s = &r.sensors[0];
	assert_memory_equal(s->name, "\xef\xbf\xbd[2J\xef\xbf\xbdNNN", 12);
	assert_int_equal(strlen(s->name), PROBE_NAME_MAX - 1);
	assert_string_equal(s->status, "ok\xef\xbf\xbd");
	assert_int_equal(s->level, SENSOR_OTHER);
	assert_true(s->value == 5);
	assert_string_equal(s->unit, "\xef\xbf\xbd]0;x\xef\xbf\xbd");
	assert_string_equal(r.sensors[PROBE_MAX_SENSORS - 1].name, "S510");
	report_free(&r);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dell),
		cmocka_unit_test(test_supermicro),
		cmocka_unit_test(test_no_ipmitool),
		cmocka_unit_test(test_levels_and_odd_values),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps_and_sanitising),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
