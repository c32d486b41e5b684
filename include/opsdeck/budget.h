/*
 * budget.h: the budget plan, the spending ledger, compute use per tenant,
 * and the report the Budgets pane and `opsdeck budget report` draw
 * (man/opsdeck-budget.5).
 *
 * Five parts, each a file:
 * - budget.c: amounts ("2559억", "1,000억원", "2.5조", plain won), dates, and
 *   the plan in YAML (libyaml events; aliases refused, depth and size bounded;
 *   every error FILE:LINE:COL in a struct diag).
 * - ledger.c: the spending CSV (RFC 4180, UTF-8, optional BOM), pure.
 * - probe_slurm.c: `sacct -a -X -n -P ...` output to GPU-hours and
 *   node-hours per job and per account, pure.
 * - budget_calc.c: execution rate, burn over 7 and 30 days, projected
 *   exhaustion date; pure over the plan and day-by-day facts.
 * - budget_store.c: the cache tables (ledger rows with a unique dedup key,
 *   usage per account and day, a copy of the plan lines).
 *
 * A pane draws a report in four calls: budget_plan_load(budget_plan_path(
 * cfg->path, cfg->budget), &diag); budget_store_facts(st, &facts, &cause) on
 * a store handle of its own thread; budget_report_compute(plan, facts.spend,
 * facts.nspend, facts.use, facts.nuse, budget_day_from_wall_ms(now), &r) and
 * budget_report_running(&r, facts.alloc, facts.nalloc). Amounts print with
 * budget_format_eok(); a line drills down with budget_store_ledger_lines().
 *
 * Money is int64_t won (KRW), overflow checked; 1 억 = 10^8, 1 조 = 10^12.
 * No amount and no sum of amounts a plan or the cache holds exceeds
 * BUDGET_MAX_AMOUNT: the items of a programme, the programmes of a plan, the
 * years of an item, and the ledger rows of a file and of the whole cache
 * (taken without sign) are added with budget_add() and refused past it.
 * Dates are civil days in Asia/Seoul (UTC+09:00, no daylight saving since
 * 1988), counted as days since 1970-01-01; the process TZ is never used.
 */
#ifndef OPSDECK_BUDGET_H
#define OPSDECK_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/diag.h"

#define BUDGET_MAX_BYTES	(1024 * 1024)	/* a plan file larger than this is refused */
#define BUDGET_MAX_DEPTH	16		/* YAML nesting depth of a plan */
#define BUDGET_MAX_STRING	1024		/* bytes in one scalar */
#define BUDGET_MAX_ENTRIES	10000		/* programmes, items or tenants */
#define BUDGET_ID_MAX		64		/* bytes in an id */
#define BUDGET_MAX_AMOUNT	((int64_t)1000000000000000000)	/* 10^18 won */

#define LEDGER_MAX_BYTES	(64 * 1024 * 1024)	/* a ledger file */
#define LEDGER_MAX_ROWS		1000000
#define LEDGER_MAX_FIELD	1024		/* bytes in one field */

#define SLURM_MAX_JOBS		2000000
#define SLURM_FIELD_MAX		64		/* bytes kept of an account, user, ... */
#define SLURM_MAX_RUNNING	100000		/* squeue lines (running jobs) */
#define SLURM_MAX_JOB_NODES	4096		/* node names of one running job */
#define SLURM_MAX_NODE_NAMES	400000		/* node names of all running jobs */
#define BUDGET_IDLE_PCT		10.0		/* a job's GPUs below this mean util are idle */
#define BUDGET_IDLE_MAX_AGE_MS	(15 * 60 * 1000)	/* an older idle figure is ignored */

#define BUDGET_NO_DAY		INT32_MIN	/* "no date" (never runs out, unknown) */

/* ---- amounts and dates (budget.c) -------------------------------------- */

enum {
	AMOUNT_NEGATIVE	= 1 << 0,	/* a leading '-' is allowed (ledger corrections) */
};

/*
 * Parses an amount of won from s (n bytes, no NUL needed): one or more
 * groups NUMBER [UNIT] with units 조 (10^12), 억 (10^8), 만 (10^4) from the
 * largest down, then an optional 원; a NUMBER has digits with optional
 * thousands commas ("1,000") and an optional decimal part ("2.5조"), and may
 * be multiplied by 천 (10^3) or 백 (10^2) before its unit ("1억 5천만원");
 * a bare number is won. Blanks between parts are allowed: "3조 2,000억 원".
 * The result must be a whole number of won within BUDGET_MAX_AMOUNT.
 * Returns 0, or -1 with a static English reason in *why.
 */
int budget_parse_amount(const char *s, size_t n, unsigned flags, int64_t *krw,
	    const char **why);

/*
 * Checked sum of money: *sum += v when the result stays within
 * [-BUDGET_MAX_AMOUNT, BUDGET_MAX_AMOUNT] and returns 0; otherwise leaves
 * *sum as it was and returns -1. Every sum of plan amounts, and of ledger
 * amounts taken without their sign, goes through it, so no total the plan
 * or the cache holds can leave int64_t.
 */
int budget_add(int64_t *sum, int64_t v);
/* a + b, saturating at INT64_MIN and INT64_MAX: for figures that must never fail. */
int64_t budget_add_sat(int64_t a, int64_t b);

/* "2,559억원", "12.3억원" (decimals 0-4, see text_eok), "-" never. */
void budget_format_eok(char *dst, size_t dstlen, int64_t krw, int decimals);

/* Days since 1970-01-01 of a date, and back: time_days_from_civil() and
 * time_civil_from_days() of timeutil.h. */
/* Strict "YYYY-MM-DD" (n bytes), a real date between 1900 and 2999: 0, else -1. */
int budget_date_parse(const char *s, size_t n, int32_t *day);
/* "YYYY-MM-DD" into buf (at least 11 bytes). */
void budget_date_format(int32_t day, char *buf, size_t len);
/* The Asia/Seoul civil day of a wall-clock time in ms since the epoch. */
int32_t budget_day_from_wall_ms(int64_t wall_ms);

/* ---- the plan (budget.c) ----------------------------------------------- */

enum budget_funding { FUND_NATIONAL, FUND_CITY, FUND_PRIVATE, FUND_COUNT };
enum tenant_kind { TENANT_COMPANY, TENANT_RESEARCH };
/* The period a tenant's compute allocation is granted for. */
enum budget_period { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR, PERIOD_TOTAL };

struct budget_year {
	int		 year;
	int64_t		 amount;	/* won */
};

struct budget_item {
	char		*id;		/* unique within its programme */
	char		*name;		/* display name, may be Korean; default: id */
	int64_t		 allocation;	/* won */
	struct budget_year *years;	/* annual budgets, sorted by year, owned */
	size_t		 nyears;
	int		 line, col;
};

struct budget_programme {
	char		*id;		/* unique in the plan */
	char		*name;
	int64_t		 allocation;	/* won: given, else the sum of the items */
	struct budget_item *items;	/* owned */
	size_t		 nitems;
	int		 line, col;
};

struct budget_tenant {
	char		*id;
	char		*name;
	enum tenant_kind kind;
	char		*programme;	/* id of the programme that funds it, or NULL */
	char		**accounts;	/* Slurm accounts charged to it (default: id) */
	size_t		 naccounts;
	enum budget_period period;
	double		 gpu_hours;	/* allocation per period, >= 0 */
	double		 node_hours;
	int64_t		 rate_gpu_hour;	/* won charged per GPU-hour */
	int64_t		 rate_node_hour;	/* won per node-hour */
	int		 line, col;
};

struct budget_plan {
	char		*path;		/* as given to budget_plan_parse */
	char		*name;		/* title, may be NULL */
	int32_t		 start_day, end_day;	/* the plan's period, inclusive */
	int64_t		 total;		/* declared, else the sum of programmes */
	int64_t		 programmes_sum;	/* sum of the programmes' allocations */
	int64_t		 private_investment;	/* on top of the total, won */
	int		 funding_bp[FUND_COUNT];	/* basis points; all 0: none */
	struct budget_programme *programmes;
	size_t		 nprogrammes;
	struct budget_tenant *tenants;
	size_t		 ntenants;
};

/*
 * Parses a plan document (len bytes, need not be NUL-terminated); `name` is
 * used in messages. Pure: no I/O. Returns the plan, or NULL with every error
 * found added to *d (FILE:LINE:COL, 1-based) when there is at least one.
 * The caller has done diag_init(d, name).
 */
struct budget_plan *budget_plan_parse(const char *name, const char *text, size_t len,
	    struct diag *d);
/* Reads path (at most BUDGET_MAX_BYTES) and parses it. NULL with errors in *d. */
struct budget_plan *budget_plan_load(const char *path, struct diag *d);
void budget_plan_free(struct budget_plan *p);
/*
 * Where the plan is: `budget` (the config's `budget:` value) as it is when
 * absolute or when config_path is NULL, else relative to config_path's
 * directory. NULL when budget is NULL. Caller frees.
 */
char *budget_plan_path(const char *config_path, const char *budget);

const struct budget_programme *budget_find_programme(const struct budget_plan *p,
	    const char *id_or_name);
const struct budget_item *budget_find_item(const struct budget_programme *pg,
	    const char *id_or_name);
/* The tenant charged for Slurm account `account`, or NULL. */
const struct budget_tenant *budget_find_account(const struct budget_plan *p,
	    const char *account);

const char *budget_period_name(enum budget_period p);
const char *tenant_kind_name(enum tenant_kind k);
const char *budget_funding_name(enum budget_funding f);

/* ---- the ledger (ledger.c) --------------------------------------------- */

struct ledger_row {
	int		 line;		/* 1-based line where the record starts */
	int32_t		 day;
	char		*programme;	/* as written, trimmed */
	char		*item;		/* "": the programme as a whole */
	int64_t		 amount;	/* won; negative for a correction or refund */
	char		*vendor;
	char		*memo;
	char		*key;		/* dedup key: normalised row, occurrence */
};

struct ledger {
	struct ledger_row *rows;
	size_t		 nrows;
};

/*
 * Parses a ledger CSV (UTF-8, an optional BOM, a header naming the columns
 * date, programme, item, amount, vendor, memo in any order; CRLF or LF;
 * RFC 4180 quoting). Pure. All or nothing: returns 0 with every row, or -1
 * with *cause "LINE: message" (malloc'd) for the first bad record and no rows.
 */
int  ledger_parse(const char *data, size_t len, struct ledger *out, char **cause);
/*
 * Resolves programme and item of every row against the plan, replacing them
 * with the ids (names are accepted too). -1 with *cause "LINE: message" at
 * the first unknown one.
 */
int  ledger_resolve(struct ledger *l, const struct budget_plan *p, char **cause);
void ledger_free(struct ledger *l);

/* ---- compute use from Slurm (probe_slurm.c) ---------------------------- */

/* The fields asked of `sacct -o`, in this order. */
#define SLURM_SACCT_FIELDS "JobID,Account,User,Partition,ElapsedRaw,AllocTRES,State"
/* The line between sacct's and squeue's output in the `slurm` probe. */
#define SLURM_SQUEUE_MARKER "@@squeue"
/* The fields asked of `squeue -o`: JobID|NodeList (Slurm hostlist syntax). */
#define SLURM_SQUEUE_FORMAT "%A|%N"
/*
 * The windows the `slurm` probe asks sacct for, in seconds: the first run of
 * a session looks back SLURM_WINDOW_FIRST_S (the jobs of an outage are in
 * it), every later one SLURM_WINDOW_NEXT_S, which holds every job that ran
 * or ended since the run before as long as the group's interval is at most
 * SLURM_MAX_INTERVAL_MS (config.c refuses longer). sacct's -S selects the
 * jobs that were not yet over at the window's start: running, pending, and
 * ended within it; nothing else can have changed.
 */
#define SLURM_WINDOW_FIRST_S	172800
#define SLURM_WINDOW_NEXT_S	3600
#define SLURM_MAX_INTERVAL_MS	((int64_t)SLURM_WINDOW_NEXT_S * 1000 / 2)
/*
 * Jobs one sacct answer of the probe may hold: the node cuts sacct's output
 * after one line more (`head -n`), so a frame stays far below
 * PROBE_MAX_OUTPUT, and the parser stops there too and says so
 * (slurm_usage.cut). `budget import --sacct` reads files up to SLURM_MAX_JOBS.
 */
#define SLURM_SACCT_MAX_JOBS	25000
/* SLURM_SACCT_MAX_JOBS + 1, spelled out for head -n */
#define SLURM_SACCT_LINES	25001
#define SLURM_STR_(x)		#x
#define SLURM_STR(x)		SLURM_STR_(x)
/*
 * The POSIX sh a scheduler host runs as the `slurm` probe: the allocations
 * sacct shows for the window above, in Asia/Seoul (opsdeck_seq is the stream
 * loop's cycle number, frame.h; alone, the first window); exits 0 when sacct
 * is absent. The output is cut at SLURM_SACCT_MAX_JOBS + 1 lines; the
 * status is sacct's (0 when it was cut: SIGPIPE). Overlapping windows are
 * harmless: budget_store_put_usage adds only each job's growth. Then
 * SLURM_SQUEUE_MARKER and the nodes of each running job (nothing after the
 * marker when squeue is absent or fails). No single quotes, so it can be
 * quoted whole. Run it every few minutes, not every second (slurmdbd).
 */
#define SLURM_PROBE_COMMAND \
	"command -v sacct >/dev/null 2>&1 || exit 0; TZ=Asia/Seoul; export TZ; " \
	"case ${opsdeck_seq:-1} in 1) w=" SLURM_STR(SLURM_WINDOW_FIRST_S) " ;; " \
	"*) w=" SLURM_STR(SLURM_WINDOW_NEXT_S) " ;; esac; " \
	"{ s=$( { { sacct -a -X -n -P -S now-$w -E now -o " SLURM_SACCT_FIELDS "; " \
	"echo $? >&3; } | head -n " SLURM_STR(SLURM_SACCT_LINES) " >&4; } 3>&1 ); } 4>&1; " \
	"case $s in 141) s=0 ;; esac; " \
	"echo " SLURM_SQUEUE_MARKER "; squeue -h -t R -o \"" SLURM_SQUEUE_FORMAT "\" " \
	"2>/dev/null; exit $s"
struct slurm_job {
	char		 jobid[SLURM_FIELD_MAX];
	char		 account[SLURM_FIELD_MAX];	/* sanitised; "" when none */
	char		 user[SLURM_FIELD_MAX];
	char		 partition[SLURM_FIELD_MAX];
	char		 state[SLURM_FIELD_MAX];	/* first word only: CANCELLED */
	int64_t		 elapsed_s;
	int64_t		 gpus;		/* gres/gpu of AllocTRES */
	int64_t		 nodes;		/* node= of AllocTRES */
	double		 gpu_hours;	/* gpus * elapsed / 3600 */
	double		 node_hours;
};

struct slurm_account {
	char		 account[SLURM_FIELD_MAX];
	size_t		 jobs;
	double		 gpu_hours, node_hours;
};

/* The nodes one running job is on (a line of squeue). */
struct slurm_running {
	char		 jobid[SLURM_FIELD_MAX];
	char		**nodes;	/* nnodes sanitised names, NULL-terminated, owned */
	size_t		 nnodes;
};

struct slurm_usage {
	struct slurm_job *jobs;		/* allocations in input order, owned */
	size_t		 njobs;
	struct slurm_account *accounts;	/* sums per account, sorted by name, owned */
	size_t		 naccounts;
	size_t		 skipped_steps;	/* lines of job steps (.batch, .extern, .N) */
	int		 cut;		/* more jobs followed the cap; they were not read */
	int		 cut_line;	/* the line the parser stopped at (1-based), when cut */
	int		 has_nodes;	/* the squeue part was there (running may be empty) */
	struct slurm_running *running;	/* in input order, owned */
	size_t		 nrunning;
};

/*
 * Parses `sacct -a -X -n -P -o SLURM_SACCT_FIELDS` output (pipe separated,
 * no header). Pure. Steps (JobID with a '.') are skipped. At most max_jobs
 * jobs are read: a job line after them sets out->cut and out->cut_line and
 * ends the parse (a success: what was read counts). Returns 0, or -1 with
 * *cause "sacct line N: ..." (malloc'd) and *out empty.
 */
int  slurm_parse_sacct_max(const char *data, size_t len, size_t max_jobs,
	    struct slurm_usage *out, char **cause);
/* slurm_parse_sacct_max with SLURM_MAX_JOBS (files of `budget import --sacct`). */
int  slurm_parse_sacct(const char *data, size_t len, struct slurm_usage *out, char **cause);
void slurm_usage_free(struct slurm_usage *u);
/*
 * Parses `squeue -h -t R -o SLURM_SQUEUE_FORMAT` output (JobID|NodeList per
 * line, NodeList in hostlist syntax "gpu[001-004],gpu010") into u->running,
 * replacing what was there, and sets u->has_nodes. Pure. Blank lines are
 * skipped; a job with no nodes yet ("(null)", "") has none. Returns 0, or -1
 * with *cause "squeue line N: ..." (malloc'd) and u->running empty.
 */
int  slurm_parse_squeue(const char *data, size_t len, struct slurm_usage *u, char **cause);
/*
 * The sacct command line for [start, end) as Asia/Seoul days, e.g.
 * "sacct -a -X -n -P -S 2021-03-01T00:00:00 -E 2021-03-02T00:00:00 -o ...".
 * Slurm reads those times in the head node's zone: set TZ=Asia/Seoul there.
 * Caller frees.
 */
char *slurm_sacct_command(int32_t start_day, int32_t end_day);

/* ---- the report (budget_calc.c) ---------------------------------------- */

/* Spending of one programme item (item "" for the programme as a whole) on one day. */
struct budget_spend {
	const char	*programme;	/* ids */
	const char	*item;
	int32_t		 day;
	int64_t		 amount;
};

/* Compute use of one Slurm account on one day. */
struct budget_use {
	const char	*account;
	int32_t		 day;
	double		 gpu_hours, node_hours;
};

/* GPUs and nodes held by the running jobs of one account, as last seen. */
struct budget_alloc {
	const char	*account;
	int64_t		 gpus, nodes;
	size_t		 jobs;
	int64_t		 gpus_idle;	/* of those, on nodes whose GPUs idle (see budget_idle) */
};

/* GPUs allocated to the running jobs of one account whose nodes are idle. */
struct budget_idle {
	const char	*account;	/* borrowed from the usage */
	int64_t		 gpus_idle;
	int64_t		 gpus_known;	/* GPUs of the jobs whose every node is known */
};

/* One row: a programme (item_id NULL) or one of its items. */
struct budget_line {
	const char	*programme_id;	/* borrowed from the plan */
	const char	*item_id;	/* NULL for the programme row */
	const char	*name;
	int64_t		 allocated;
	int64_t		 spent;		/* up to and including as_of */
	int64_t		 remaining;	/* allocated - spent (negative: overspent) */
	double		 rate_pct;	/* spent / allocated * 100; -1: allocated 0 */
	int64_t		 year_allocated;	/* budget of as_of's year, -1: none */
	int64_t		 year_spent;	/* spent in as_of's year */
	double		 burn7, burn30;	/* won per day over the last 7 / 30 days */
	/*
	 * The day spending reached the allocation (already over), else when the
	 * remainder runs out at burn30; BUDGET_NO_DAY when nothing is being spent.
	 */
	int32_t		 exhaust_day;
	int		 over_burn;	/* runs out before the plan ends, or overspent */
};

struct budget_tenant_line {
	const struct budget_tenant *tenant;	/* borrowed */
	int32_t		 period_start, period_end;	/* holding as_of, inclusive */
	double		 gpu_alloc, gpu_used;	/* GPU-hours in this period */
	double		 node_alloc, node_used;
	double		 gpu_rate_pct;	/* used / alloc * 100; -1 when alloc is 0 */
	int		 by_node;	/* no GPU allocation: burn counts node-hours */
	double		 burn7, burn30;	/* GPU-hours (by_node: node-hours) per day */
	/*
	 * The day the allocation ran out (already over), else when it runs out at
	 * burn7 if that is within the period; BUDGET_NO_DAY when it lasts.
	 */
	int32_t		 exhaust_day;
	int		 over_burn;	/* runs out before the period ends, or over */
	int64_t		 charge;	/* won: this period's use at the tenant's rates */
	int64_t		 charge_total;	/* won: all use up to as_of */
	/*
	 * Held now by its RUNNING jobs in the latest sacct import (with the
	 * nodes' GPU utilisation, the console shows GPUs allocated but idle).
	 */
	int64_t		 gpus_running, nodes_running;
	size_t		 jobs_running;
	int64_t		 gpus_idle;	/* of gpus_running, on idle GPUs (budget_idle) */
};

struct budget_report {
	const struct budget_plan *plan;	/* borrowed */
	int32_t		 as_of;
	struct budget_line *lines;	/* programme row, then its items, in plan order */
	size_t		 nlines;
	struct budget_tenant_line *tenants;	/* in plan order */
	size_t		 ntenants;
	int64_t		 total;		/* plan total */
	int64_t		 unallocated;	/* total - sum of programmes */
	int64_t		 total_with_private;
	int64_t		 spent;		/* all spending up to as_of */
	int64_t		 funding[FUND_COUNT];	/* total split by the funding shares */
	int64_t		 unknown_spent;	/* ledger rows no longer in the plan */
	double		 unknown_gpu_hours;	/* use of accounts no tenant claims */
};

/*
 * Computes the report as of day `as_of` from the plan and the day-by-day
 * facts (any order; rows after as_of are ignored). Pure. Free with
 * budget_report_free; the report borrows from the plan.
 */
void budget_report_compute(const struct budget_plan *p, const struct budget_spend *spend,
	    size_t nspend, const struct budget_use *use, size_t nuse, int32_t as_of,
	    struct budget_report *out);
/* Adds the running allocations (budget_facts' alloc) to the tenants of r. */
void budget_report_running(struct budget_report *r, const struct budget_alloc *alloc,
	    size_t nalloc);
void budget_report_free(struct budget_report *r);
/*
 * GPUs allocated but idle, per account, from a usage with running-job nodes
 * (u->running) and its sacct jobs (GPUs and account of each RUNNING job).
 * util(arg, node, &pct) gives the mean GPU utilisation of a node known by
 * exactly that name: 0 with *pct, or -1 when the node or its GPUs are unknown.
 * A job's GPUs are idle when every node of it is known and the mean of those
 * nodes' figures is below BUDGET_IDLE_PCT; unknown nodes never count as idle.
 * Pure. Returns the number of accounts with a running job that has nodes, in
 * *out (sorted by account, caller frees; accounts borrowed from u).
 */
size_t budget_idle_compute(const struct slurm_usage *u,
	    int (*util)(void *arg, const char *node, double *pct), void *arg,
	    struct budget_idle **out);

/* First and last day of the period holding `day`; PERIOD_TOTAL uses the plan's. */
void budget_period_bounds(enum budget_period per, int32_t day, int32_t plan_start,
	    int32_t plan_end, int32_t *first, int32_t *last);

/* ---- the cache (budget_store.c) ---------------------------------------- */

struct store;

/* A ledger line for drilling down. */
struct budget_ledger_line {
	int32_t		 day;
	char		*programme, *item, *vendor, *memo, *source;
	int64_t		 amount;
	int		 line;		/* line in the source file */
};

/*
 * Every write below is one transaction of its own (BEGIN IMMEDIATE) or, when
 * the caller already has one open on the store (a collector's tick), a
 * SAVEPOINT inside it that is rolled back alone on failure.
 */

/* Creates the budget tables when missing. 0 or -1. */
int budget_store_init(struct store *st, char **cause);
/*
 * Adds the rows of a resolved ledger in one transaction; a row whose key is
 * already there is not added again. Also records the plan's lines, and the
 * import (budget_store_imports) when it added rows. *added and *dup count
 * them. 0, or -1 with *cause ("LINE: message" for a row) and nothing
 * changed; refused at the row with which the cache's ledger amounts, taken
 * without sign, would add up to more than BUDGET_MAX_AMOUNT.
 */
int budget_store_import(struct store *st, const struct budget_plan *p,
	    const struct ledger *l, const char *source, size_t *added, size_t *dup,
	    char **cause);
/* One ledger import that added rows. */
struct budget_import {
	int64_t		 id;		/* for budget_store_undo */
	char		*source;	/* the file as given to import, sanitised */
	int64_t		 rows;		/* rows it added */
	int64_t		 total;		/* won: the sum of their amounts */
	int64_t		 imported_ms;	/* wall clock */
};
/*
 * The imports, oldest first, in *out (caller frees with
 * budget_imports_free). Writes: a cache from before imports were recorded
 * gets them (one per file and time of import). 0, or -1 with *cause.
 */
int  budget_store_imports(struct store *st, struct budget_import **out, size_t *n,
	    char **cause);
void budget_imports_free(struct budget_import *v, size_t n);
/*
 * Removes import id and every ledger row it added, in one transaction;
 * *rows counts them. -1 with *cause when there is no such import (nothing
 * changed).
 */
int  budget_store_undo(struct store *st, int64_t id, int64_t *rows, char **cause);
/*
 * Records the allocations of a sacct run observed on `day` in one
 * transaction. Jobs are kept by JobID; only the growth of a job's use since
 * it was last recorded is added to (account, day), so importing the same
 * output twice adds nothing. *changed counts jobs that added use.
 */
int budget_store_put_usage(struct store *st, const struct slurm_usage *u, int32_t day,
	    size_t *changed, char **cause);
/*
 * The same for n jobs (pointers borrowed): a job whose recorded row already
 * holds the same fields is not written again; *written (when not NULL)
 * counts the rows written. 0, or -1 with *cause and nothing changed.
 */
int budget_store_put_jobs(struct store *st, const struct slurm_job *const *jobs, size_t n,
	    int32_t day, size_t *changed, size_t *written, char **cause);
/*
 * A note about a scheduler host's compute use (an sacct answer cut at its
 * cap), kept per host until replaced or cleared (text NULL), for `budget
 * report` to print. 0, or -1 with *cause.
 */
#define BUDGET_MAX_NOTES	64
struct budget_note {
	char		*host;		/* sanitised, owned */
	int64_t		 at_ms;		/* wall clock */
	char		*text;		/* sanitised, owned */
};
int budget_store_put_note(struct store *st, const char *host, int64_t at_ms,
	    const char *text, char **cause);
/* Every note, by host, in *out (caller frees with budget_notes_free). 0 or -1. */
int budget_store_notes(struct store *st, struct budget_note **out, size_t *n, char **cause);
void budget_notes_free(struct budget_note *v, size_t n);
/*
 * Reads the facts for budget_report_compute: spending per (programme, item,
 * day), use per (account, day), and what RUNNING jobs hold per account in
 * the latest sacct import. Caller frees with budget_facts_free.
 * A cache without budget tables gives no facts.
 */
struct budget_facts {
	struct budget_spend *spend;
	size_t		 nspend;
	struct budget_use *use;
	size_t		 nuse;
	struct budget_alloc *alloc;	/* RUNNING jobs of the latest import, per account */
	size_t		 nalloc;
	char		**strings;	/* owned copies behind the const char * fields */
	size_t		 nstrings;
};
int  budget_store_facts(struct store *st, struct budget_facts *f, char **cause);
/*
 * Records idle GPUs per account seen at at_ms (wall ms), replacing the
 * earlier figures (an account absent from v has none). Facts ignore figures
 * older than BUDGET_IDLE_MAX_AGE_MS and put them in alloc[].gpus_idle.
 * 0, or -1 with *cause and nothing changed.
 */
int  budget_store_put_idle(struct store *st, const struct budget_idle *v, size_t n,
	    int64_t at_ms, char **cause);
void budget_facts_free(struct budget_facts *f);
/*
 * Ledger lines of a programme (and item, when not NULL) up to as_of, newest
 * first, at most `limit`. Caller frees with budget_ledger_lines_free.
 */
int  budget_store_ledger_lines(struct store *st, const char *programme, const char *item,
	    int32_t as_of, size_t limit, struct budget_ledger_line **out, size_t *n,
	    char **cause);
void budget_ledger_lines_free(struct budget_ledger_line *v, size_t n);

#endif
