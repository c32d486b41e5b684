/*
 * config.h: the YAML configuration as structs (man/opsdeck.yaml.5).
 *
 * config_load() reads a file, collects every error into a struct diag (each
 * FILE:LINE:COL, 1-based) and returns a config only when there were none.
 * config_default() is the built-in default: one group watching the local
 * machine through the `local` transport.
 */
#ifndef OPSDECK_CONFIG_H
#define OPSDECK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/diag.h"

#define CONFIG_MAX_BYTES	(1024 * 1024)	/* a config file larger than this is refused */
#define CONFIG_MAX_DEPTH	32		/* YAML nesting depth */
#define CONFIG_MAX_HOSTS	100000		/* after range expansion, over all groups */
/*
 * Connections set up at once (TCP, key exchange, authentication, exec), as
 * clush's fanout: each sshd sees one, the machine's CPU at most this many
 * (hosts behind a ProxyJump hop share its logins: ssh_jump.h).
 */
#define CONFIG_CONNECT_WINDOW	64
#define CONFIG_MAX_CONNECT_WINDOW 1024
#define CONFIG_MAX_STRING	4096		/* bytes in one scalar (key or value) */
#define CONFIG_NAME_MAX		64		/* bytes in a group name */
#define CONFIG_MAX_GROUPS	1024
#define CONFIG_MAX_THRESHOLDS	256
#define CONFIG_MIN_INTERVAL_MS	100		/* interval and timeout */
#define CONFIG_BACKOFF_MAX_MS	60000		/* backoff_max's default */

enum group_kind { GROUP_NODE, GROUP_TESTBED, GROUP_SCHEDULER, GROUP_PROMETHEUS };
#define CONFIG_PROM_MAX_INSTANCES 4096	/* hosts one prometheus group may show */

/* Where a value was written (1-based); 0, 0 when built in. */
struct config_at {
	int		 line, col;
};
enum hostkey_policy { HOSTKEY_STRICT, HOSTKEY_ACCEPT_NEW };

/* Connection settings; `defaults` and each group's overrides. */
struct conn_settings {
	char		*user;		/* NULL: the local user name */
	int		 port;		/* 22 */
	char		*identity;	/* private key path, NULL: agent and ~/.ssh */
	char		*known_hosts;	/* NULL: ~/.ssh/known_hosts */
	struct config_at identity_at, known_hosts_at;	/* in defaults or the group */
	enum hostkey_policy hostkey_policy;
	int64_t		 interval_ms;	/* sampling interval, 2s */
	int64_t		 timeout_ms;	/* connect / per-frame deadline, 10s */
	int		 jump_channels;	/* hosts per session of a ProxyJump hop, 128 */
	/* each probe command's deadline; 0: timeout less 2s (less a fifth when shorter) */
	int64_t		 probe_timeout_ms;
	int64_t		 backoff_max_ms;	/* longest wait before a retry, 60s */
};

struct host {
	char		*name;		/* as written after range expansion */
	char		*address;	/* `address:` after expansion; NULL: HostName or name */
	struct group	*group;		/* owner */
	int		 line, col;	/* where it came from (1-based), 0 for built-in */
};

struct group {
	char		*name;
	enum group_kind	 kind;
	char		**probes;	/* probe names, NULL-terminated; default by kind */
	size_t		 nprobes;
	char		*command;	/* testbed controller command, NULL: default */
	char		*url;		/* kind prometheus: the server, http(s)://HOST:PORT */
	char		*selector;	/* kind prometheus: "{label matchers}", NULL: default */
	struct config_at url_at, selector_at;
	/*
	 * The scheduler group (kind scheduler) whose head node drains and
	 * resumes this group's hosts in Slurm (`:drain`); NULL: the config's
	 * only scheduler group, if it has exactly one.
	 */
	char		*scheduler;
	struct config_at scheduler_at;
	int		 local;		/* 1: the `local` transport (no SSH) */
	struct conn_settings conn;	/* defaults with this group's overrides applied */
	struct host	*hosts;
	size_t		 nhosts;
};

/* One threshold: metric path, warn and crit levels (alerts). */
struct threshold {
	char		*metric;	/* "cpu.util_pct", "gpus.temp_c", ... */
	double		 warn, crit;
	int		 has_warn, has_crit;
	/*
	 * Lower is worse: fires at value <= warn / <= crit. Set by the config
	 * from the metric's direction (metrics.h) and `reverse: true`; for
	 * device paths, from `reverse` or warn > crit.
	 */
	int		 lower;
	int		 reverse;	/* `reverse: true` was given */
	struct config_at at;		/* the metric path's key */
};

struct retention {
	int64_t		 raw_ms;	/* raw samples, 6h */
	int64_t		 minute_ms;	/* 1-minute rollups, 30d */
	int64_t		 hour_ms;	/* 1-hour rollups, 2y */
};

struct config {
	char		*path;		/* NULL for the built-in default */
	struct conn_settings defaults;
	struct group	*groups;
	size_t		 ngroups;
	size_t		 nhosts;	/* total over groups */
	char		*cache;		/* cache file, NULL: $XDG_STATE_HOME/opsdeck/cache.db */
	char		*theme;		/* theme name or file, NULL: "default" */
	char		*budget;	/* budget plan file, NULL: none */
	struct config_at cache_at, theme_at, budget_at;
	struct threshold *thresholds;
	size_t		 nthresholds;
	struct retention retention;
	char		*listen;	/* `collect` serves /metrics here, NULL: nowhere */
	int		 shard_k, shard_n;	/* watch shard K of N (1-based); 0, 0: all */
	struct config_at listen_at, shard_at;
	int		 connect_window;	/* hosts set up at once, CONFIG_CONNECT_WINDOW */
	/*
	 * notify: the command run on every alert raised and cleared (notify.h),
	 * argv from the config only, NULL-terminated; NULL: none.
	 */
	char		**notify;
	struct config_at notify_at;
	int		 notify_rate;		/* notifications a minute at most */
	int64_t		 notify_timeout_ms;	/* a notify child running longer is killed */
	char		*notify_log;		/* its stdout and stderr; NULL: /dev/null */
	struct config_at notify_log_at;
	int		 read_only;		/* the console refuses every action (S, :run, ...) */
	int64_t		 action_timeout_ms;	/* a :run, :drain or :resume command's deadline */
};

#define CONFIG_ACTION_TIMEOUT_MS 60000		/* action_timeout's default */

/*
 * The scheduler group whose head node drains g's hosts in Slurm: g's
 * `scheduler`, else the only group of kind scheduler; NULL when there is
 * none (or several and g names none).
 */
const struct group *config_scheduler_of(const struct config *c, const struct group *g);

#define CONFIG_NOTIFY_RATE	10		/* notify_rate's default */
#define CONFIG_NOTIFY_TIMEOUT_MS 10000		/* notify_timeout's default */
#define CONFIG_NOTIFY_MAX_ARGS	64		/* words of notify at most */

/*
 * Loads path; NULL with errors in *d (at least one) on failure. The caller
 * has done diag_init(d, path). A leading "~/" in cache, budget, theme,
 * identity and known_hosts is expanded with $HOME.
 */
struct config *config_load(const char *path, struct diag *d);
/*
 * Parses an in-memory document (len bytes, need not be NUL-terminated);
 * `name` is used in messages and kept as c->path. NULL with every error
 * found added to *d, in file order, when there is at least one.
 */
struct config *config_parse(const char *name, const char *text, size_t len, struct diag *d);
/* The built-in default: group "local" (kind node, transport local, probe
 * linux) with this machine's host name, interval 2s. Never NULL. */
struct config *config_default(void);
void config_free(struct config *c);
/*
 * What `check-config` checks beyond the file itself (config_check.c), with
 * I/O: the budget plan exists and parses (budget_plan_load), the theme is a
 * shipped theme or a readable file and parses (theme_find, theme_load),
 * every identity file written in the config is a readable regular file that
 * the group and others cannot read (ssh refuses such keys), and the folder
 * of every known_hosts written exists, the notify program can be run and
 * the folder of notify_log exists. Each problem is added to d at the
 * key that names the file. Returns how many were added.
 */
size_t config_check_files(const struct config *c, struct diag *d);

/*
 * Shards (shard.c): a host belongs to shard shard_of(name, n) of n, 1-based,
 * by a stable hash of its name (FNV-1a, 64 bits), the same on every machine
 * and release. shard_parse reads "K/N" (1 <= K <= N <= 1024): 0, or -1 with
 * *cause. config_apply_shard keeps only the hosts of shard k of n.
 */
#define SHARD_MAX 1024
uint64_t shard_hash(const char *name);
int  shard_of(const char *name, int n);
int  shard_parse(const char *s, int *k, int *n, char **cause);
void config_apply_shard(struct config *c, int k, int n);

/* The default probes of a kind, NULL-terminated (static). */
const char *const *group_default_probes(enum group_kind k);

/*
 * Which file to use: `explicit` when given, else $XDG_CONFIG_HOME/opsdeck/config.yaml
 * (or ~/.config/...) if it exists, else NULL (the built-in default).
 * Returns a malloc'd path or NULL.
 */
char *config_find(const char *explicit_path);
/*
 * Whether a host of a cache belongs to configuration cfg: a configured host
 * named name, or an instance of a prometheus group named group (NULL when
 * not known: then any name while cfg has a prometheus group). Hosts a
 * configuration no longer names are hidden (console, snapshot, alerts) and
 * `opsdeck forget --missing` removes them.
 */
int config_knows_host(const struct config *cfg, const char *name, const char *group);

const char *group_kind_name(enum group_kind k);
const char *hostkey_policy_name(enum hostkey_policy p);

#endif
