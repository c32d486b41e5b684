/*
 * test_probe_ipmi.c: the ipmi probe's parser on `ipmitool sdr elist` dumps
 * of real BMCs (Dell iDRAC7 and iDRAC9, Huawei iBMC; tests/fixtures/ipmi/
 * README says where each came from), on written Dell-like and Supermicro-like
 * dumps, status levels, readings taken apart into number, unit and state,
 * and lines that are not sensors (each costs only itself).
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
    enum sensor_status level, const char *state)
{
	if (isnan(value))
		assert_true(isnan(s->value));
	else
		assert_true(s->value == value);
	assert_string_equal(s->unit, unit);
	assert_string_equal(s->status, status);
	assert_int_equal(s->level, level);
	assert_string_equal(s->state, state);
}

static void
test_dell(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("dell-r750.txt", &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.nsensors, 28);
	check(find(&r, "Fan1A", 0), 5880, "RPM", "ok", SENSOR_OK, "");
	check(find(&r, "Fan4A", 0), 1200, "RPM", "nc", SENSOR_WARN, "");
	check(find(&r, "Inlet Temp", 0), 23, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Temp", 0), 45, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Temp", 1), NAN, "", "ns", SENSOR_NA, "Disabled");
	check(find(&r, "CPU1 Temp", 0), 95, "degrees C", "cr", SENSOR_CRIT, "");
	check(find(&r, "Current 1", 0), 0.60, "Amps", "ok", SENSOR_OK, "");
	check(find(&r, "Voltage 2", 0), 232, "Volts", "ok", SENSOR_OK, "");
	check(find(&r, "Pwr Consumption", 0), 294, "Watts", "ok", SENSOR_OK, "");
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
	check(find(&r, "CPU1 Temp", 0), 48, "degrees C", "ok", SENSOR_OK, "");
	/* extended status words: upper/lower critical, non-critical, non-recoverable */
	check(find(&r, "CPU2 Temp", 0), 97, "degrees C", "ucr", SENSOR_CRIT, "");
	check(find(&r, "VRMCpu2 Temp", 0), 86, "degrees C", "unc", SENSOR_WARN, "");
	check(find(&r, "FAN4", 0), 0, "RPM", "lnr", SENSOR_CRIT, "");
	check(find(&r, "FANA", 0), 300, "RPM", "lcr", SENSOR_CRIT, "");
	check(find(&r, "VBAT", 0), 2.74, "Volts", "lnc", SENSOR_WARN, "");
	check(find(&r, "P1-DIMMB1 Temp", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "12V", 0), 12.19, "Volts", "ok", SENSOR_OK, "");
	check(find(&r, "3.3VSB", 0), 3.29, "Volts", "ok", SENSOR_OK, "");
	check(find(&r, "Chassis Intru", 0), NAN, "", "ok", SENSOR_OK, "");
	check(find(&r, "PS2 Status", 0), NAN, "", "cr", SENSOR_CRIT,
	    "Presence detected, Failure detected");
	check(find(&r, "NVMe_SSD Temp", 0), -2, "degrees C", "ok", SENSOR_OK, "");
	report_free(&r);
}

/* Dell PowerEdge R740, iDRAC9: 199 rows, no trailing newline (real dump). */
static void
test_real_dell_r740(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("dell-r740-idrac9.txt", &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.nsensors, 199);
	assert_null(r.warnings);
	check(find(&r, "Temp", 0), 34, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Temp", 1), 45, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Inlet Temp", 0), 23, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Exhaust Temp", 0), 31, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Fan5", 0), 3840, "RPM", "ok", SENSOR_OK, "");
	check(find(&r, "Current 1", 0), 1, "Amps", "ok", SENSOR_OK, "");
	check(find(&r, "Current 2", 0), 0.2, "Amps", "ok", SENSOR_OK, "");
	check(find(&r, "Voltage 2", 0), 222, "Volts", "ok", SENSOR_OK, "");
	check(find(&r, "Pwr Consumption", 0), 208, "Watts", "ok", SENSOR_OK, "");
	check(find(&r, "SYS Usage", 0), 2, "percent", "ok", SENSOR_OK, "");
	check(find(&r, "DIMM PG", 0), NAN, "", "ok", SENSOR_OK, "State Deasserted");
	check(find(&r, "PS Redundancy", 0), NAN, "", "ok", SENSOR_OK, "Fully Redundant");
	check(find(&r, "Power Cable", 0), NAN, "", "ns", SENSOR_NA, "Disabled");
	check(find(&r, "Power Cable", 1), NAN, "", "ok", SENSOR_OK, "Connected");
	check(find(&r, "SEL", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "OS Watchdog", 0), NAN, "", "ok", SENSOR_OK, "");
	check(find(&r, "Drive 0", 0), NAN, "", "ok", SENSOR_OK, "Drive Present");
	check(find(&r, "CPU Internal Err", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	assert_string_equal(r.sensors[198].name, "CPU Internal Err");
	report_free(&r);
}

/* Dell PowerEdge R620, iDRAC7 (real dump). */
static void
test_real_dell_r620(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("dell-r620-idrac7.txt", &r, &cause), 0);
	assert_int_equal(r.nsensors, 139);
	assert_null(r.warnings);
	check(find(&r, "SEL", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "Intrusion", 0), NAN, "", "ok", SENSOR_OK, "");
	check(find(&r, "Fan1A RPM", 0), 2160, "RPM", "ok", SENSOR_OK, "");
	check(find(&r, "Inlet Temp", 0), 23, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Temp", 0), 47, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "USB Cable Pres", 0), NAN, "", "ok", SENSOR_OK, "Connected");
	check(find(&r, "Presence", 3), NAN, "", "ok", SENSOR_OK, "Absent");
	report_free(&r);
}

/* Huawei RH2288 V3, iBMC: most sensors "ns | No Reading", 3-digit entity instances. */
static void
test_real_huawei_rh2288v3(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("huawei-rh2288v3-ibmc.txt", &r, &cause), 0);
	assert_int_equal(r.nsensors, 146);
	assert_null(r.warnings);
	check(find(&r, "Inlet Temp", 0), 18, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "Outlet Temp", 0), 26, "degrees C", "ok", SENSOR_OK, "");
	check(find(&r, "PCH Temp", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "FAN1 F Speed", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "Power", 0), 36, "Watts", "ok", SENSOR_OK, "");
	check(find(&r, "Power2", 0), 18, "Watts", "ok", SENSOR_OK, "");
	check(find(&r, "CPU1 Status", 0), NAN, "", "ok", SENSOR_OK, "Presence detected");
	check(find(&r, "ACPI State", 0), NAN, "", "ok", SENSOR_OK, "S4/S5: soft-off");
	check(find(&r, "DIMM011", 0), NAN, "", "ns", SENSOR_NA, "No Reading");
	check(find(&r, "DISK12", 0), NAN, "", "ok", SENSOR_OK, "Drive Present");
	check(find(&r, "LCD Presence", 0), NAN, "", "ok", SENSOR_OK, "Device Absent");
	check(find(&r, "PS2 Fan Status", 0), NAN, "", "ok", SENSOR_OK, "");
	report_free(&r);
}

/*
 * ipmitool's "Unable to send command: Invalid argument" between rows (as
 * telegraf's tests keep it): two warnings, seven sensors; "110 Watts,
 * Presence detected" is a number, a unit and a state.
 */
static void
test_real_errors_between_rows(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_fixture("telegraf-errors-between-rows.txt", &r, &cause), 0);
	assert_int_equal(r.nsensors, 7);
	check(find(&r, "Intrusion", 0), NAN, "", "ok", SENSOR_OK, "");
	check(find(&r, "Current 1", 0), 7.2, "Amps", "ok", SENSOR_OK, "");
	check(find(&r, "Power Supply 1", 0), 110, "Watts", "ok", SENSOR_OK,
	    "Presence detected");
	assert_int_equal(r.nwarnings, 2);
	assert_string_equal(r.warnings,
	    "ipmi: line 6: expected 'name | id | status | entity | reading': "
	    "'Unable to send command: Invalid argument'\n"
	    "ipmi: line 8: expected 'name | id | status | entity | reading': "
	    "'Unable to send command: Invalid argument'");
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
	check(&r.sensors[0], 1, "x", "nr", SENSOR_CRIT, "");
	check(&r.sensors[1], 2, "", "unr", SENSOR_CRIT, "");
	check(&r.sensors[2], NAN, "", "lcr", SENSOR_CRIT, "0x01");
	check(&r.sensors[3], NAN, "", "xyz", SENSOR_OTHER, "12abc RPM");
	check(&r.sensors[4], 7.5, "Volts", "ok", SENSOR_OK, "");
	check(&r.sensors[5], 0.5, "Amps", "oknc", SENSOR_OTHER, "");
	report_free(&r);
}

/*
 * A line that is not a sensor costs only itself: the sensors around it
 * stay, with a warning naming the line. Only output with no sensor at all is
 * refused.
 */
static void
test_malformed(void **state)
{
	struct host_report r;
	char *cause;
	assert_int_equal(parse_str("Fan1A | 30h | ok | 7.1 | 5880 RPM\n\n"
	    "Get SDR 0050h command failed: Unspecified error\n"
	    "Fan1B | 31h | ok | 7.1 | 5760 RPM\n", &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.nsensors, 2);
	assert_true(r.sensors[1].value == 5760);
	assert_int_equal(r.nwarnings, 1);
	assert_string_equal(r.warnings,
	    "ipmi: line 3: expected 'name | id | status | entity | reading': "
	    "'Get SDR 0050h command failed: Unspecified error'");
	report_free(&r);
	assert_int_equal(parse_str("a | b | c | d | e | f\n", &r, &cause), -1);
	assert_string_equal(cause, "no sensor in ipmitool's output; first problem: line 1: "
	    "expected 'name | id | status | entity | reading': 'a | b | c | d | e | f'");
	assert_int_equal(r.nsensors, 0);
	assert_null(r.warnings);	/* a refused output leaves no warnings */
	free(cause);
	report_free(&r);
	assert_int_equal(parse_str(" | 01h | ok | 3.1 | 5\n", &r, &cause), -1);
	free(cause);
	report_free(&r);
	/* 20 bad lines between two sensors: 8 warnings kept, all 20 counted */
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "A | 01h | ok | 3.1 | 1 RPM\n");
	for (int i = 0; i < 20; i++)
		buf_printf(&b, "Unable to send command: Invalid argument\n");
	buf_printf(&b, "B | 02h | ok | 3.1 | 2 RPM\n");
	memset(&r, 0, sizeof r);
	assert_int_equal(probe_ipmi.parse(b.data, b.len, &r, &cause), 0);
	assert_int_equal(r.nsensors, 2);
	assert_int_equal(r.nwarnings, REPORT_MAX_WARNINGS);
	assert_int_equal(r.warnings_total, 20);
	char *text = report_warnings_text(&r);
	assert_non_null(strstr(text, "ipmi: line 9: expected"));
	assert_null(strstr(text, "line 10:"));
	assert_non_null(strstr(text, "\n... and 12 more"));
	free(text);
	report_free(&r);
	buf_free(&b);
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
	assert_int_equal(strlen(s->name), SENSOR_NAME_MAX - 1);
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
		cmocka_unit_test(test_real_dell_r740),
		cmocka_unit_test(test_real_dell_r620),
		cmocka_unit_test(test_real_huawei_rh2288v3),
		cmocka_unit_test(test_real_errors_between_rows),
		cmocka_unit_test(test_no_ipmitool),
		cmocka_unit_test(test_levels_and_odd_values),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps_and_sanitising),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
