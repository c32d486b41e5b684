/*
 * config_keys.h: every key of opsdeck.yaml(5) in one table, the way tmux
 * keeps its options (options-table.c).
 *
 * A row gives the key's name, the places it may appear (top level,
 * `defaults`, a group, a threshold, `retention`), its type, its default and a
 * line of help, and, for a key that sets one field, where that field is.
 * The parser (config.c) dispatches on the row, the did-you-mean suggests
 * among the names of one place, `opsdeck check-config --keys` prints the
 * table, and tests/man_config.sh checks that man/opsdeck.yaml.5 documents
 * exactly these keys. Adding a key is one row here, one entry in the man
 * page, and the code for its type if it is new.
 */
#ifndef OPSDECK_CONFIG_KEYS_H
#define OPSDECK_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where a key may appear (a bit set). */
enum config_place {
	CONFIG_AT_TOP		= 1 << 0,
	CONFIG_AT_DEFAULTS	= 1 << 1,
	CONFIG_AT_GROUP		= 1 << 2,
	CONFIG_AT_THRESHOLD	= 1 << 3,
	CONFIG_AT_RETENTION	= 1 << 4,
	CONFIG_AT_HOST		= 1 << 5,	/* an item of `hosts` written as a map */
};
/* The connection settings: in defaults and in groups. */
#define CONFIG_AT_CONN	(CONFIG_AT_DEFAULTS | CONFIG_AT_GROUP)

/* How a value is read. The first ones set a field by themselves. */
enum config_type {
	CONFIG_T_STRING,	/* char *, no control characters */
	CONFIG_T_PATH,		/* char *, a leading "~/" expanded */
	CONFIG_T_INT,		/* int from lo to hi */
	CONFIG_T_DURATION,	/* int64_t ms, at least lo */
	CONFIG_T_NUMBER,	/* double */
	CONFIG_T_BOOL,		/* int, true or false */
	CONFIG_T_CHOICE,	/* int: the index of the word in choices[] */
	/* Read by the walker of the key's place (config.c), by the key's id. */
	CONFIG_T_SECTION,	/* a map of keys of another place */
	CONFIG_T_SPECIAL,	/* lists, names with extra rules */
};

/* One id per key, for the walkers that need to tell keys apart. */
enum config_key_id {
	CK_DEFAULTS, CK_GROUPS, CK_CACHE, CK_THEME, CK_BUDGET, CK_THRESHOLDS, CK_RETENTION,
	CK_LISTEN, CK_SHARD,
	CK_CONNECT_WINDOW, CK_READ_ONLY, CK_ACTION_TIMEOUT, CK_NOTIFY, CK_NOTIFY_RATE, CK_NOTIFY_TIMEOUT, CK_NOTIFY_LOG,
	CK_USER, CK_PORT, CK_IDENTITY, CK_KNOWN_HOSTS, CK_HOST_KEY_POLICY, CK_INTERVAL,
	CK_TIMEOUT, CK_JUMP_CHANNELS, CK_PROBE_TIMEOUT, CK_BACKOFF_MAX,
	CK_NAME, CK_KIND, CK_HOSTS, CK_PROBES, CK_TRANSPORT, CK_COMMAND, CK_URL, CK_SELECTOR, CK_SCHEDULER,
	CK_HOST, CK_ADDRESS,
	CK_WARN, CK_CRIT, CK_REVERSE,
	CK_RAW, CK_MINUTE, CK_HOUR,
	CK_COUNT
};

#define CONFIG_NO_FIELD	SIZE_MAX	/* a row's off, seen_off or at_off when unused */

struct config_key {
	const char	*name;
	enum config_key_id id;
	unsigned	 places;	/* enum config_place bits */
	enum config_type type;
	const char	*type_text;	/* for --keys and messages: "integer 1-65535" */
	const char	*def;		/* the default, as text; "-" none, "required" */
	const char	*help;		/* one line */
	/*
	 * The field a value sets, as an offset in the struct of the place:
	 * struct config (top), struct conn_settings (defaults and the
	 * connection keys of a group), struct group, struct threshold,
	 * struct retention.
	 */
	size_t		 off;
	size_t		 seen_off;	/* an int set to 1 when the value was valid */
	size_t		 at_off;	/* a struct config_at set to the value's position */
	int64_t		 lo, hi;	/* INT: range; DURATION: lo is the least ms */
	const char *const *choices;	/* CHOICE: NULL-terminated */
};

/* The table, NULL-name terminated; names are unique. */
extern const struct config_key config_keys[];

/* The row of key `name` at place `place` (one CONFIG_AT_* bit), or NULL. */
const struct config_key *config_key_find(unsigned place, const char *name);

/*
 * The names of the keys allowed at place into out[0..max), NULL-terminated;
 * returns how many. CONFIG_KEYS_MAX + 1 entries always fit.
 */
#define CONFIG_KEYS_MAX	32
size_t config_key_names(unsigned place, const char **out, size_t max);

/* "top", "defaults, group", ... for a places bit set: into buf, returns buf. */
const char *config_place_text(unsigned places, char *buf, size_t size);

/* The choices of the enumerated keys, shared with the parser. */
extern const char *const config_kind_names[];		/* enum group_kind */
extern const char *const config_policy_names[];		/* enum hostkey_policy */
extern const char *const config_transport_names[];	/* "ssh", "local" */

/*
 * `opsdeck check-config --keys`: the table as aligned columns KEY, WHERE,
 * TYPE, DEFAULT, HELP under a header line.
 */
void config_keys_print(FILE *fp);
/*
 * `opsdeck check-config --metrics`: metrics.h's table as PATH, UNIT ("-"
 * when none), WORSE ("higher" or "lower"), HELP under a header line.
 */
void config_metrics_print(FILE *fp);

#endif
