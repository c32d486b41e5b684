/*
 * probe_linux_int.h: what the linux probe's two files share (private to
 * src/probe/): probe_linux.c has the command, the sections and /proc/stat
 * and meminfo; probe_linux_lines.c the warnings, the one-pass number
 * readers and the net/dev and diskstats lines.
 */
#ifndef OPSDECK_PROBE_LINUX_INT_H
#define OPSDECK_PROBE_LINUX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/probe.h"

#define QUOTE_MAX	40

/* meminfo keys whose line was unreadable (struct lctx mem_bad). */
enum { MEM_TOTAL = 1 << 0, MEM_FREE = 1 << 1, MEM_AVAILABLE = 1 << 2, MEM_SWAP = 1 << 3 };

struct lctx {
	struct linux_sample	*s;
	struct probe_warnings	*w;
	const char		*what;	/* current section's file, for warnings */
	int			 lineno;	/* line within the section, 1-based */
	int			 cores_cap, sums_cap, nets_cap, disks_cap;
	int			 cpu_total_seen, cpu_total_ok;	/* this stat section's "cpu" line */
	unsigned		 mem_seen, mem_bad;	/* MEM_* */
};

/* Warns that the current line has a bad number; -1 (the line is skipped). */
int linux_bad_number(struct lctx *c, const char *p, size_t n);
/* Warns that the current line is not what its file holds; -1 (the line is skipped). */
int linux_bad_line(struct lctx *c, const char *why);
/* A token as an unsigned decimal into *v; else a warning and -1. */
int linux_tok_u64(struct lctx *c, const struct probe_tok *t, uint64_t *v);
/*
 * The unsigned decimal at p[*i..n) (its digits only; *i moves past them);
 * how many digits it had. Past 19 digits the value is meaningless and the
 * caller gives up on the line.
 */
size_t linux_number(const char *p, size_t n, size_t *i, uint64_t *out);
/*
 * Up to max unsigned decimals separated by spaces from p[*i] to the end of
 * the line (n), into v, in one pass; *i moves to the end. How many, or -1
 * for anything else (a tab, a sign, a letter, a number of 20 digits or
 * more, more than max numbers), which the general paths read and warn
 * about.
 */
int linux_numbers(const char *p, size_t n, size_t *i, uint64_t *v, int max);
/* A line of /proc/net/dev, of /proc/diskstats; 0, or -1 when it cost a warning. */
int linux_parse_netdev(struct lctx *c, const char *line, size_t n);
int linux_parse_diskstats(struct lctx *c, const char *line, size_t n);

#endif
