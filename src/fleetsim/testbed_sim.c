/*
 * testbed_sim.c: reports of simulated test-bed controllers, in the contract
 * of man/opsdeck-testbed.5, for opsdeck-fleetsim, the demo and the tests.
 *
 * Each sector has a catalogue of realistic device kinds of the Gwangju test
 * beds (docs: DOMAIN.md), with Korean names and two or three metrics each.
 * Values drift smoothly with time; everything is a function of (controller,
 * sector, seed, now, fault mode), so a report can be regenerated exactly.
 * The scripted faults repeat every 10 minutes counted from
 * TESTBED_SIM_EPOCH_MS.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/buf.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

#define SIM_CYCLE_MS	600000		/* the fault script's period */
#define SIM_FLAP_MS	30000
#define SIM_FAULT_AT_MS	60000
#define SIM_DEGRADE_MS	120000		/* natural degradation windows */

struct sim_metric {
	const char	*name;
	const char	*unit;
	double		 base, amp;	/* value = base + amp * wave */
	int		 decimals;
};

struct sim_kind {
	const char	*kind;
	const char	*id;		/* id prefix */
	const char	*name;		/* Korean name */
	const char	*fault;		/* message when in fault */
	const char	*degraded;	/* message when degraded */
	struct sim_metric m[2];		/* besides temp_c */
};

static const struct sim_kind energy[] = {
	{ "energy-diagnosis", "ediag", "AI 에너지 진단 장비", "inference server unreachable",
	  "model confidence below 80 %",
	  { { "load_pct", "%", 45, 20, 1 }, { "buildings", "count", 128, 0, 0 } } },
	{ "energy-detection", "edet", "에너지 검출·분석 장비", "ADC board 2 not responding",
	  "channel 3 noise floor above -60 dBm",
	  { { "noise_dbm", "dBm", -66, 4, 1 }, { "samples_per_s", "S/s", 96000, 500, 0 } } },
	{ "energy-trading", "etrade", "에너지 거래 분석기", "market feed disconnected",
	  "order latency above 50 ms",
	  { { "orders_per_min", "1/min", 400, 120, 0 }, { "latency_ms", "ms", 20, 8, 1 } } },
	{ "ess-monitor", "ess", "ESS 모니터", "BMS: cell 12 over-temperature, string 2 isolated",
	  "cell voltage deviation 41 mV",
	  { { "soc_pct", "%", 60, 25, 1 }, { "power_kw", "kW", 0, 150, 1 } } },
	{ "pv-inverter-logger", "pvinv", "태양광 인버터 로거", "inverter 3 ground fault",
	  "string 4 output 18 % below model",
	  { { "power_kw", "kW", 220, 180, 1 }, { "irradiance_wm2", "W/m²", 500, 400, 0 } } },
	{ "smart-meter-gateway", "smeter", "스마트 계량기 게이트웨이", "RS-485 bus short",
	  "7 meters not answering",
	  { { "meters", "count", 340, 0, 0 }, { "read_ok_pct", "%", 99, 0.8, 2 } } },
	{ "power-quality-analyzer", "pqa", "전력품질 분석기", "voltage input lost",
	  "THD 6.1 % above limit",
	  { { "thd_pct", "%", 3.2, 1.5, 2 }, { "freq_hz", "Hz", 60, 0.03, 3 } } },
	{ "ev-charger-tester", "evct", "전기차 충전기 시험기", "CP signal error",
	  "coolant flow low",
	  { { "output_kw", "kW", 100, 90, 1 }, { "efficiency_pct", "%", 94, 1.5, 1 } } },
	{ "fuel-cell-monitor", "fcm", "수소연료전지 모니터", "H2 leak sensor tripped",
	  "stack voltage decay",
	  { { "stack_v", "V", 48, 2, 2 }, { "h2_ppm", "ppm", 3, 2, 1 } } },
	{ "wind-turbine-cms", "wtcms", "풍력 터빈 상태감시 장비", "gearbox vibration trip",
	  "bearing vibration rising",
	  { { "vibration_mms", "mm/s", 2.5, 1.2, 2 }, { "rotor_rpm", "rpm", 14, 4, 1 } } },
};

static const struct sim_kind automotive[] = {
	{ "driving-simulator", "dsim", "대형 주행 시뮬레이터", "motion platform e-stop",
	  "actuator 4 temperature high",
	  { { "frame_rate_hz", "Hz", 119.5, 0.4, 1 }, { "actuator_load_pct", "%", 55, 20, 0 } } },
	{ "v2x-unit", "v2x", "V2X 통신 장비 (RSU)", "PC5 radio not transmitting",
	  "PC5 packet loss 4.2 %",
	  { { "packet_loss_pct", "%", 0.8, 0.7, 2 }, { "rssi_dbm", "dBm", -74, 6, 0 } } },
	{ "connected-car-gateway", "ccgw", "커넥티드카 게이트웨이", "LTE modem lost",
	  "uplink degraded to 3G",
	  { { "uplink_mbps", "Mbit/s", 200, 60, 1 }, { "vehicles", "count", 24, 6, 0 } } },
	{ "vehicle-data-logger", "vdl", "차량 데이터 수집 장치", "disk array failed",
	  "disk above 90 %",
	  { { "disk_used_pct", "%", 70, 15, 1 }, { "write_mbps", "MB/s", 600, 120, 0 } } },
	{ "adas-hil-bench", "hil", "ADAS HIL 벤치", "real-time target overrun (cycle 1.2 ms)",
	  "I/O card 3 retries",
	  { { "cycle_ms", "ms", 0.92, 0.05, 3 }, { "overruns", "count", 0, 0, 0 } } },
	{ "lidar-calibration-rig", "lidar", "라이다 캘리브레이션 장비", "turntable encoder fault",
	  "target board misaligned",
	  { { "reprojection_px", "px", 0.35, 0.1, 2 }, { "points_per_s", "pts/s", 1.2e6, 1e5, 0 } } },
	{ "battery-cycler", "bcyc", "배터리 충방전 시험기", "channel 8 over-voltage",
	  "chamber humidity high",
	  { { "channels_busy", "count", 12, 4, 0 }, { "chamber_rh_pct", "%", 40, 10, 1 } } },
	{ "emc-chamber", "emc", "EMC 시험 챔버", "amplifier interlock open",
	  "field uniformity off",
	  { { "field_vm", "V/m", 100, 50, 1 }, { "door_open", "bool", 0, 0, 0 } } },
	{ "chassis-dynamometer", "dyno", "차대 동력계", "roller brake fault",
	  "cooling fan 2 slow",
	  { { "speed_kmh", "km/h", 60, 40, 1 }, { "torque_nm", "N·m", 300, 150, 0 } } },
	{ "shuttle-control", "shuttle", "자율주행 셔틀 관제 장비", "shuttle link lost",
	  "GNSS RTK float",
	  { { "shuttles_online", "count", 4, 1, 0 }, { "gnss_err_cm", "cm", 3, 2, 1 } } },
};

static const struct sim_kind healthcare[] = {
	{ "bio-signal-collector", "bio", "생체신호 데이터 수집기", "amplifier board not detected",
	  "ECG lead 2 impedance high",
	  { { "sample_rate_hz", "Hz", 1000, 0, 0 }, { "dropped_pct", "%", 0.03, 0.02, 3 } } },
	{ "emotion-recognition-rig", "emo", "감정인식 분석 장비", "camera array offline",
	  "camera 2 exposure drift, confidence reduced",
	  { { "confidence_pct", "%", 86, 8, 1 }, { "fps", "fps", 30, 1, 1 } } },
	{ "hospital-data-gateway", "hlink", "병원 연계 데이터 수집 게이트웨이",
	  "HL7 FHIR endpoint rejects certificate", "sync queue growing",
	  { { "queue_len", "msgs", 4, 3, 0 }, { "last_sync_s", "s", 60, 40, 0 } } },
	{ "medical-image-annotator", "mia", "의료영상 어노테이션 장비", "GPU memory errors",
	  "annotation backlog above 500",
	  { { "backlog", "images", 220, 120, 0 }, { "gpu_util_pct", "%", 60, 30, 0 } } },
	{ "wearable-hub", "wear", "웨어러블 기기 허브", "BLE controller crashed",
	  "12 wearables out of range",
	  { { "wearables", "count", 48, 6, 0 }, { "battery_low", "count", 2, 2, 0 } } },
	{ "sleep-lab-monitor", "sleep", "수면 다원검사 장비", "EEG headbox disconnected",
	  "SpO2 probe signal weak",
	  { { "channels", "ch", 32, 0, 0 }, { "spo2_signal_pct", "%", 92, 5, 1 } } },
	{ "gait-analysis-system", "gait", "보행 분석 시스템", "force plate 2 zero drift",
	  "marker occlusion",
	  { { "markers_tracked", "count", 39, 2, 0 }, { "latency_ms", "ms", 8, 3, 1 } } },
	{ "ai-stethoscope", "steth", "AI 청진기 분석 장비", "model service down",
	  "ambient noise high",
	  { { "snr_db", "dB", 24, 5, 1 }, { "recordings", "count", 160, 40, 0 } } },
	{ "rehab-robot", "rehab", "재활 로봇 시험기", "joint 3 over-current",
	  "torque sensor drift",
	  { { "joint_torque_nm", "N·m", 18, 9, 1 }, { "sessions", "count", 6, 2, 0 } } },
	{ "genome-analysis-node", "genome", "유전체 분석 노드", "sequencer flow cell error",
	  "run quality Q30 below 85 %",
	  { { "q30_pct", "%", 91, 3, 1 }, { "run_progress_pct", "%", 50, 49, 0 } } },
};

static const struct {
	const char		*name;
	const char		*site;
	const struct sim_kind	*kinds;
	size_t			 nkinds;
} sectors[TESTBED_SECTOR_COUNT] = {
	[TESTBED_ENERGY] = { "energy", "광주 에너지 실증센터", energy, OD_ARRAY_LEN(energy) },
	[TESTBED_AUTOMOTIVE] = { "automotive", "광주 자율주행 실증단지", automotive,
	    OD_ARRAY_LEN(automotive) },
	[TESTBED_HEALTHCARE] = { "healthcare", "광주 헬스케어 실증센터", healthcare,
	    OD_ARRAY_LEN(healthcare) },
};

const char *
testbed_sector_name(int sector)
{
	if (sector < 0 || sector >= TESTBED_SECTOR_COUNT)
		return NULL;
	return sectors[sector].name;
}

int
testbed_sector_parse(const char *word)
{
	for (int i = 0; word != NULL && i < TESTBED_SECTOR_COUNT; i++)
		if (strcmp(sectors[i].name, word) == 0)
			return i;
	return -1;
}

/* splitmix64 over the arguments: a stable pseudo-random number. */
static uint64_t
mix(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) ^ (c << 17);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A value that drifts smoothly between -1 and 1 over periods of minutes. */
static double
wave(uint64_t h, int64_t now)
{
	double period = 120.0 + (double)(h % 480);	/* seconds */
	double phase = (double)((h >> 20) % 1000) / 1000.0 * 6.283185307179586;
	double t = (double)now / 1000.0;
	return 0.8 * sin(6.283185307179586 * t / period + phase) +
	    0.2 * sin(6.283185307179586 * t / (period / 7.3) + 2 * phase);
}

static void
put_time(struct buf *b, const char *key, int64_t ms, int date_only)
{
	char t[32];
	time_format_rfc3339(ms, 0, 0, t, sizeof t);
	if (date_only)
		t[10] = '\0';
	buf_printf(b, "    %s: %s\n", key, t);
}

/* One metric line "      NAME: {value: V, unit: "U"}". */
static void
put_metric(struct buf *b, const char *name, const char *unit, double v, int decimals)
{
	buf_printf(b, "      %s: {value: %.*f, unit: \"%s\"}\n", name, decimals, v, unit);
}

char *
testbed_sim_report(const char *controller, int sector, uint64_t seed, int64_t now_ms,
    int fault_mode)
{
	return testbed_sim_report_n(controller, sector, seed, now_ms, fault_mode, 0);
}

/*
 * See testbed.h. Device i is kind i % nkinds; the scripted faults use the
 * first four devices: 0 goes fault (TESTBED_SIM_FAULT), 1 gets hot
 * (TESTBED_SIM_HOT), 2 flaps (TESTBED_SIM_FLAP), 3 vanishes
 * (TESTBED_SIM_VANISH).
 */
char *
testbed_sim_report_n(const char *controller, int sector, uint64_t seed, int64_t now_ms,
    int fault_mode, size_t ndevices)
{
	struct buf b;

	if (sector < 0 || sector >= TESTBED_SECTOR_COUNT)
		sector = TESTBED_ENERGY;
	const struct sim_kind *kinds = sectors[sector].kinds;
	size_t nkinds = sectors[sector].nkinds;
	size_t n = ndevices > 0 ? OD_MIN(ndevices, (size_t)TESTBED_MAX_DEVICES) : nkinds;
	int64_t t = now_ms > TESTBED_SIM_EPOCH_MS ?
	    (now_ms - TESTBED_SIM_EPOCH_MS) % SIM_CYCLE_MS : 0;
	int64_t cycle_start = now_ms - t;
	uint64_t hc = hash_fnv1a(controller != NULL ? controller : "") ^ seed;

	buf_init(&b, 0);
	buf_printf(&b, "schema: 1\ncontroller: %s\nsector: %s\nsite: %s\ndevices:\n",
	    controller != NULL ? controller : "ctl", sectors[sector].name, sectors[sector].site);
	for (size_t i = 0; i < n; i++) {
		const struct sim_kind *k = &kinds[i % nkinds];
		uint64_t h = mix(hc, i, 0);
		const char *state = "ok", *message = "";
		int64_t since = TESTBED_SIM_EPOCH_MS - (int64_t)(h % (30 * 86400)) * 1000;
		int64_t window = now_ms / SIM_DEGRADE_MS;

		if ((fault_mode & TESTBED_SIM_VANISH) && i == 3 && t >= SIM_FAULT_AT_MS)
			continue;
		if (mix(hc, i, (uint64_t)window) % 23 == 0) {
			state = "degraded";
			message = k->degraded;
			since = window * SIM_DEGRADE_MS;
		}
		if ((fault_mode & TESTBED_SIM_FAULT) && i == 0 && t >= SIM_FAULT_AT_MS) {
			state = "fault";
			message = k->fault;
			since = cycle_start + SIM_FAULT_AT_MS;
		}
		if ((fault_mode & TESTBED_SIM_FLAP) && i == 2) {
			int64_t w = now_ms / SIM_FLAP_MS;
			state = w % 2 ? "fault" : "ok";
			message = w % 2 ? k->fault : "";
			since = w * SIM_FLAP_MS;
		}
		if (ndevices > 0)
			buf_printf(&b, "  - id: %s-%05zu\n", k->id, i + 1);
		else
			buf_printf(&b, "  - id: %s-%02zu\n", k->id, i / nkinds + 1);
		if ((fault_mode & TESTBED_SIM_MALFORMED) && i == 0)
			buf_printf(&b, "    kind: %s: broken\n", k->kind);	/* line 7 */
		else
			buf_printf(&b, "    kind: %s\n", k->kind);
		buf_printf(&b, "    name: %s %zu호기\n", k->name,
		    ndevices > 0 ? i + 1 : i / nkinds + 1);
		buf_printf(&b, "    state: %s\n", state);
		put_time(&b, "since", since, 0);
		buf_printf(&b, "    message: \"%s\"\n", message);
		buf_printf(&b, "    firmware: %d.%d.%d\n", (int)(h % 7) + 1, (int)(h >> 8) % 10,
		    (int)(h >> 16) % 20);
		put_time(&b, "calibrated", TESTBED_SIM_EPOCH_MS -
		    (int64_t)((h >> 24) % 365) * 86400000LL, 1);
		buf_printf(&b, "    metrics:\n");
		double temp = 38 + 6 * wave(mix(h, 1, 0), now_ms);
		if ((fault_mode & TESTBED_SIM_HOT) && i == 1)
			temp = OD_MIN(95.0, 45 + (double)t / 1000.0 * 0.5);	/* past 80 C at 70 s */
		put_metric(&b, "temp_c", "°C", temp, 1);
		for (size_t m = 0; m < OD_ARRAY_LEN(k->m); m++) {
			const struct sim_metric *sm = &k->m[m];
			double v = sm->base + sm->amp * wave(mix(h, m + 2, 0), now_ms);
			put_metric(&b, sm->name, sm->unit, v, sm->decimals);
		}
	}
	char *out = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return out;
}
