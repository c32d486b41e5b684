/*
 * cmd_budget.c: `opsdeck budget report|import`: budget reports for scripts
 * and mail, and the import of spending (ledger CSV) and compute use (sacct
 * output) into the cache. See opsdeck(1) and opsdeck-budget(5).
 *
 * The plan is the config's `budget:` file (relative to the config file's
 * directory), or --plan. A manager needs no SSH access: a config with a
 * budget file and no hosts is enough.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/budget.h"
#include "opsdeck/buf.h"
#include "opsdeck/cmd.h"
#include "opsdeck/json.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "budget_print.h"


static void
usage(void)
{
	printf("Usage: opsdeck budget report [-c FILE] [--plan FILE] [--cache FILE]\n"
	    "                             [--format table|csv|json] [--as-of DATE]\n"
	    "       opsdeck budget import [-c FILE] [--plan FILE] [--cache FILE] LEDGER.csv\n"
	    "       opsdeck budget import --sacct [--day DATE] [-c FILE] [--cache FILE] FILE|-\n"
	    "       opsdeck budget imports [-c FILE] [--cache FILE] [--format table|csv|json]\n"
	    "       opsdeck budget undo [-c FILE] [--cache FILE] ID\n"
	    "Budget plan against spending, per programme and item, and compute allocation\n"
	    "against use, per tenant; burn over 7 and 30 days and when money or compute runs\n"
	    "out. Dates are days in Asia/Seoul.\n"
	    "\n"
	    "report   prints the report as of DATE (default: today in Asia/Seoul)\n"
	    "import   adds a ledger CSV (date,programme,item,amount,vendor,memo) to the cache\n"
	    "         in one transaction; a bad row aborts it with FILE:LINE: message and\n"
	    "         nothing is imported; rows already imported are not counted twice;\n"
	    "         refused when the cache's ledger amounts (without sign) would add up\n"
	    "         to more than 10^18 won\n"
	    "imports  lists the ledger imports: id, file, rows, total, when\n"
	    "undo     removes import ID and every row it added, in one transaction\n"
	    "import --sacct  records the output of\n"
	    "           sacct -a -X -n -P -S START -E END -o %s\n"
	    "         as compute use on DATE (default: today); use only grows, so the same\n"
	    "         output imported twice counts once\n"
	    "\n"
	    "  -c, --config FILE   configuration file; its 'budget:' names the plan\n"
	    "  -p, --plan FILE     the budget plan (instead of the config's)\n"
	    "      --cache FILE    the cache file (default: the config's, else\n"
	    "                      $XDG_STATE_HOME/opsdeck/cache.db)\n"
	    "  -f, --format FMT    report, imports: table (default; amounts in 억원), csv or\n"
	    "                      json (won)\n"
	    "      --as-of DATE    report as of YYYY-MM-DD\n"
	    "      --sacct         import sacct output instead of a ledger\n"
	    "      --day DATE      the day the sacct output was taken (YYYY-MM-DD)\n"
	    "  -h, --help          show this help\n"
	    "See opsdeck-budget(5) for the plan and ledger formats.\n", SLURM_SACCT_FIELDS);
}

/* The plan path: explicit, else the config's, relative to the config's directory. */
static char *
plan_path(const struct config *cfg, const char *explicit_plan)
{
	if (explicit_plan != NULL)
		return xstrdup(explicit_plan);
	return budget_plan_path(cfg->path, cfg->budget);
}

/* Loads the plan; prints errors and returns NULL on failure. */
static struct budget_plan *
load_plan(const struct config *cfg, const char *explicit_plan)
{
	char *path = plan_path(cfg, explicit_plan);
	if (path == NULL) {
		fprintf(stderr, "opsdeck budget: no budget plan: add 'budget: FILE' to the "
		    "configuration%s%s, or use --plan FILE\n", cfg->path ? " " : "",
		    cfg->path ? cfg->path : "");
		return NULL;
	}
	struct diag d;
	diag_init(&d, path);
	struct budget_plan *p = budget_plan_load(path, &d);
	if (p == NULL) {
		diag_print(&d, stderr);
		fprintf(stderr, "%s: %zu error%s\n", path, diag_count(&d),
		    diag_count(&d) == 1 ? "" : "s");
	}
	diag_free(&d);
	free(path);
	return p;
}

static int
today(void)
{
	return budget_day_from_wall_ms(now_wall_ms());
}

/* ---- subcommands -------------------------------------------------------- */

struct budget_opts {
	const char	*config;
	const char	*plan;
	const char	*cache;
	enum cmd_format format;
	int32_t		 as_of;		/* BUDGET_NO_DAY: today */
	int32_t		 day;
	int		 sacct;
};

/*
 * The notes of scheduler hosts (an sacct answer cut at its cap) on stderr,
 * so that csv and json on stdout stay as they are.
 */
static void
print_notes(struct store *st)
{
	struct budget_note *v;
	size_t n;
	char *cause = NULL;

	if (budget_store_notes(st, &v, &n, &cause) != 0) {
		fprintf(stderr, "opsdeck budget: %s\n", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "opsdeck budget: note: %s: %s\n", v[i].host, v[i].text);
	budget_notes_free(v, n);
}

/*
 * `budget report`: config, plan, the cache's facts when the cache exists
 * (read-only), then the report. Returns the exit status.
 */
static int
budget_report(struct budget_opts *o)
{
	struct config *cfg = cmd_load_config(o->config);
	if (cfg == NULL)
		return EXIT_CONFIG;
	struct budget_plan *p = load_plan(cfg, o->plan);
	if (p == NULL) {
		config_free(cfg);
		return EXIT_CONFIG;
	}
	struct budget_facts f;
	memset(&f, 0, sizeof f);
	int rc = 0;

	/* A cache that does not exist yet simply has no spending. */
	char *cpath = o->cache != NULL ? xstrdup(o->cache) : cfg->cache != NULL ?
	    xstrdup(cfg->cache) : store_path_for_config(cfg->path);
	struct stat sb;
	if (stat(cpath, &sb) == 0) {
		struct store *st = cmd_open_store(cfg, o->cache, STORE_READONLY);
		char *cause = NULL;
		if (st == NULL) {
			rc = 1;
		} else if (budget_store_facts(st, &f, &cause) != 0) {
			fprintf(stderr, "opsdeck budget: %s\n", cause);
			free(cause);
			rc = 1;
		} else {
			print_notes(st);
		}
		store_close(st);
	} else if (o->format == CMD_TABLE) {
		fprintf(stderr, "opsdeck budget: no cache at %s yet: no spending or compute use "
		    "imported\n", cpath);
	}
	free(cpath);
	if (rc == 0) {
		struct budget_report r;
		budget_report_compute(p, f.spend, f.nspend, f.use, f.nuse,
		    o->as_of != BUDGET_NO_DAY ? o->as_of : today(), &r);
		budget_report_running(&r, f.alloc, f.nalloc);
		if (o->format == CMD_CSV)
			budget_print_csv(&r);
		else if (o->format == CMD_JSON)
			budget_print_json(&r);
		else
			budget_print_table(&r);
		budget_report_free(&r);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "opsdeck budget: cannot write the report\n");
			rc = 1;
		}
	}
	budget_facts_free(&f);
	budget_plan_free(p);
	config_free(cfg);
	return rc;
}

/* Reads FILE or stdin ("-") up to max bytes. */
static int
read_input(const char *path, size_t max, char **out, size_t *len, char **cause)
{
	if (strcmp(path, "-") != 0)
		return read_file(path, max, out, len, cause);
	struct buf b;
	char chunk[65536];
	size_t r;
	buf_init(&b, max + 1);
	while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (buf_append(&b, chunk, r) != 0)
			break;
	if (b.overflow || b.len > max) {
		buf_free(&b);
		*cause = xasprintf("standard input: larger than %zu bytes", max);
		return -1;
	}
	*len = b.len;
	*out = b.data != NULL ? b.data : xstrdup("");
	return 0;
}

/*
 * `budget import --sacct`: parse the whole output first, then record it
 * in one transaction. Returns the exit status.
 */
static int
budget_import_sacct(struct budget_opts *o, const char *file)
{
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	struct slurm_usage u;

	if (read_input(file, LEDGER_MAX_BYTES, &text, &len, &cause) != 0) {
		fprintf(stderr, "opsdeck budget: %s\n", cause);
		free(cause);
		return 1;
	}
	if (slurm_parse_sacct(text, len, &u, &cause) != 0) {
		fprintf(stderr, "%s: %s\nopsdeck budget: nothing was imported\n", file, cause);
		free(cause);
		free(text);
		return 1;
	}
	free(text);
	struct config *cfg = cmd_load_config(o->config);
	if (cfg == NULL) {
		slurm_usage_free(&u);
		return EXIT_CONFIG;
	}
	struct store *st = cmd_open_store(cfg, o->cache, 0);
	int rc = 1;
	if (st != NULL) {
		size_t changed;
		int32_t day = o->day != BUDGET_NO_DAY ? o->day : today();
		char ds[16];
		budget_date_format(day, ds, sizeof ds);
		if (budget_store_put_usage(st, &u, day, &changed, &cause) != 0) {
			rc = cmd_explain_busy(st, &cause);
			fprintf(stderr, "opsdeck budget: %s\n"
			    "opsdeck budget: nothing was imported\n", cause);
			free(cause);
		} else {
			printf("%s: %zu jobs of %zu accounts; %zu added use on %s\n", file,
			    u.njobs, u.naccounts, changed, ds);
			rc = 0;
		}
		store_close(st);
	}
	slurm_usage_free(&u);
	config_free(cfg);
	return rc;
}

/*
 * `budget import`: parse and resolve the whole ledger against the plan
 * before touching the cache; then one transaction. Returns the exit status.
 */
static int
budget_import(struct budget_opts *o, const char *file)
{
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	struct ledger l;

	if (o->sacct)
		return budget_import_sacct(o, file);
	struct config *cfg = cmd_load_config(o->config);
	if (cfg == NULL)
		return EXIT_CONFIG;
	struct budget_plan *p = load_plan(cfg, o->plan);
	if (p == NULL) {
		config_free(cfg);
		return EXIT_CONFIG;
	}
	int rc = 1;
	if (read_input(file, LEDGER_MAX_BYTES, &text, &len, &cause) != 0) {
		fprintf(stderr, "opsdeck budget: %s\n", cause);
		free(cause);
		goto out;
	}
	if (ledger_parse(text, len, &l, &cause) != 0) {
		fprintf(stderr, "%s:%s\nopsdeck budget: nothing was imported\n", file, cause);
		free(cause);
		goto out;
	}
	if (ledger_resolve(&l, p, &cause) != 0) {
		fprintf(stderr, "%s:%s\nopsdeck budget: nothing was imported\n", file, cause);
		free(cause);
		ledger_free(&l);
		goto out;
	}
	struct store *st = cmd_open_store(cfg, o->cache, 0);
	if (st != NULL) {
		size_t added, dup;
		if (budget_store_import(st, p, &l, file, &added, &dup, &cause) != 0) {
			rc = cmd_explain_busy(st, &cause);
			fprintf(stderr, "%s:%s\nopsdeck budget: nothing was imported\n", file,
			    cause);
			free(cause);
		} else {
			printf("%s: %zu rows imported, %zu already in the cache\n", file, added,
			    dup);
			rc = 0;
		}
		store_close(st);
	}
	ledger_free(&l);
out:
	free(text);
	budget_plan_free(p);
	config_free(cfg);
	return rc;
}

/*
 * When an import was made, in Asia/Seoul: "2026-12-06 21:04:05" for the
 * table, RFC 3339 "2026-12-06T21:04:05+09:00" for CSV and JSON.
 */
static void
kst_time(char *dst, size_t len, int64_t ms, int rfc3339)
{
	time_format_rfc3339(ms, TIME_ZONE_SEOUL_S, 0, dst, len);
	if (!rfc3339 && len > 19) {
		dst[10] = ' ';
		dst[19] = '\0';
	}
}

/* The imports as a JSON object streamed to stdout, amounts in won. */
static void
imports_json(const struct budget_import *v, size_t n)
{
	struct json_writer *w = json_writer_new(stdout);
	char when[TIME_RFC3339_LEN];

	json_map_open(w);
	json_kstr(w, "currency", "KRW");
	json_kstr(w, "timezone", TIME_ZONE_SEOUL_NAME);
	json_key(w, "imports");
	json_array_open(w);
	for (size_t i = 0; i < n; i++) {
		const struct budget_import *im = &v[i];
		kst_time(when, sizeof when, im->imported_ms, 1);
		json_map_open(w);
		json_kint(w, "id", im->id);
		json_kstr(w, "file", im->source);
		json_kint(w, "rows", im->rows);
		json_kint(w, "total", im->total);
		json_kstr(w, "imported_at", when);
		json_kint(w, "imported_ms", im->imported_ms);
		json_map_close(w);
	}
	json_array_close(w);
	json_map_close(w);
	json_writer_end(w);
}

/* The imports as a table (total in 억원), CSV or JSON (won). */
static void
print_imports(const struct budget_import *v, size_t n, enum cmd_format fmt)
{
	struct buf b;
	char when[TIME_RFC3339_LEN], amt[64];

	if (fmt == CMD_JSON) {
		imports_json(v, n);
		return;
	}
	buf_init(&b, 0);
	if (fmt == CMD_TABLE && n == 0)
		buf_printf(&b, "no ledger imports in the cache\n");
	else if (fmt == CMD_TABLE)
		buf_printf(&b, "%6s  %-40s %9s %20s  %s\n", "ID", "FILE", "ROWS", "TOTAL",
		    "IMPORTED (Asia/Seoul)");
	else
		buf_printf(&b, "id,file,rows,total,imported_at\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct budget_import *im = &v[i];
		kst_time(when, sizeof when, im->imported_ms, fmt != CMD_TABLE);
		if (fmt == CMD_TABLE) {
			char file[256];
			budget_format_eok(amt, sizeof amt, im->total, 1);
			text_fit(file, sizeof file, im->source, 40, 0);
			buf_printf(&b, "%6lld  %s %9lld ", (long long)im->id, file,
			    (long long)im->rows);
			text_fit(file, sizeof file, amt, 20, 1);
			buf_printf(&b, "%s  %s\n", file, when);
		} else {
			buf_printf(&b, "%lld,", (long long)im->id);
			csv_field(&b, im->source);
			buf_printf(&b, ",%lld,%lld,%s\r\n", (long long)im->rows,
			    (long long)im->total, when);
		}
	}
	if (b.len > 0)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/*
 * `budget imports` and `budget undo ID` (undo_id >= 0): on the cache, which
 * they may upgrade (imports_init), so read-write. Returns the exit status.
 */
static int
budget_imports_cmd(struct budget_opts *o, int64_t undo_id)
{
	struct config *cfg = cmd_load_config(o->config);
	char *cause = NULL;
	int rc = 1;

	if (cfg == NULL)
		return EXIT_CONFIG;
	struct store *st = cmd_open_store(cfg, o->cache, 0);
	if (st == NULL) {
		config_free(cfg);
		return 1;
	}
	if (undo_id >= 0) {
		int64_t rows;
		if (budget_store_undo(st, undo_id, &rows, &cause) != 0) {
			fprintf(stderr, "opsdeck budget: %s\nopsdeck budget: nothing was "
			    "removed\n", cause);
			free(cause);
		} else {
			printf("import %lld removed: %lld rows\n", (long long)undo_id,
			    (long long)rows);
			rc = 0;
		}
	} else {
		struct budget_import *v;
		size_t n;
		if (budget_store_imports(st, &v, &n, &cause) != 0) {
			fprintf(stderr, "opsdeck budget: %s\n", cause);
			free(cause);
		} else {
			print_imports(v, n, o->format);
			budget_imports_free(v, n);
			rc = 0;
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "opsdeck budget: cannot write the imports\n");
				rc = 1;
			}
		}
	}
	store_close(st);
	config_free(cfg);
	return rc;
}

/*
 * `opsdeck budget SUBCOMMAND [OPTIONS]`: argv[0] is "budget". Returns 0, 1
 * (a message was printed) or EXIT_USAGE.
 */
int
cmd_budget(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "plan", required_argument, NULL, 'p' },
		{ "cache", required_argument, NULL, 'C' },
		{ "format", required_argument, NULL, 'f' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "day", required_argument, NULL, 'd' },
		{ "sacct", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct budget_opts o = { .format = CMD_TABLE, .as_of = BUDGET_NO_DAY,
	    .day = BUDGET_NO_DAY };
	const char *sub = NULL;
	int ch, rc;

	if (argc < 2)
		return cmd_usage_error("budget", "say 'report', 'import', 'imports' or 'undo'");
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
		usage();
		return 0;
	}
	if (strcmp(sub, "report") != 0 && strcmp(sub, "import") != 0 &&
	    strcmp(sub, "imports") != 0 && strcmp(sub, "undo") != 0)
		return cmd_usage_error("budget", "'%s' is not a budget command (report, import, "
		    "imports, undo)", sub);
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:p:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'p':
			o.plan = optarg;
			break;
		case 'C':
			o.cache = optarg;
			break;
		case 'f':
			if ((rc = cmd_format_parse("budget", optarg, &o.format)) != 0)
				return rc;
			break;
		case 'a':
		case 'd':
			if (budget_date_parse(optarg, strlen(optarg),
			    ch == 'a' ? &o.as_of : &o.day) != 0)
				return cmd_usage_error("budget", "--%s must be a date YYYY-MM-DD, "
				    "not '%s'", ch == 'a' ? "as-of" : "day", optarg);
			break;
		case 's':
			o.sacct = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("budget", ch, argv);
		}
	}
	if (strcmp(sub, "report") == 0) {
		if (optind < argc)
			return cmd_usage_error("budget", "unexpected argument '%s'", argv[optind]);
		if (o.sacct || o.day != BUDGET_NO_DAY)
			return cmd_usage_error("budget", "--sacct and --day are for 'import'");
		return budget_report(&o);
	}
	if (strcmp(sub, "imports") == 0 || strcmp(sub, "undo") == 0) {
		int undo = strcmp(sub, "undo") == 0;
		long long id = -1;
		char *end;
		if (o.sacct || o.day != BUDGET_NO_DAY || o.as_of != BUDGET_NO_DAY || o.plan)
			return cmd_usage_error("budget", "%s takes -c, --cache%s only", sub,
			    undo ? "" : " and --format");
		if (undo && o.format != CMD_TABLE)
			return cmd_usage_error("budget", "--format is not for 'undo'");
		if (!undo && optind < argc)
			return cmd_usage_error("budget", "unexpected argument '%s'", argv[optind]);
		if (undo && optind + 1 != argc)
			return cmd_usage_error("budget", "undo needs one import id (see 'opsdeck "
			    "budget imports')");
		if (undo) {
			errno = 0;
			id = strtoll(argv[optind], &end, 10);
			if (errno != 0 || end == argv[optind] || *end != '\0' || id < 1)
				return cmd_usage_error("budget", "'%s' is not an import id",
				    argv[optind]);
		}
		return budget_imports_cmd(&o, undo ? (int64_t)id : -1);
	}
	if (optind >= argc)
		return cmd_usage_error("budget", "import needs a file (a ledger CSV, or sacct "
		    "output with --sacct)");
	if (optind + 1 < argc)
		return cmd_usage_error("budget", "import takes one file, not '%s' too",
		    argv[optind + 1]);
	if (o.format != CMD_TABLE || o.as_of != BUDGET_NO_DAY)
		return cmd_usage_error("budget", "--format and --as-of are for 'report'");
	if (o.day != BUDGET_NO_DAY && !o.sacct)
		return cmd_usage_error("budget", "--day goes with --sacct");
	return budget_import(&o, argv[optind]);
}
