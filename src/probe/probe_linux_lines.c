/*
 * probe_linux_lines.c: the linux probe's shared line readers (see
 * probe_linux.c for the formats): warnings that name the file and line,
 * unsigned decimals eight digits at a time and a line of them in one pass,
 * and the lines of /proc/net/dev and /proc/diskstats, each with a one-pass
 * path for the common line and a tokenising one that warns.
 */
#include "config.h"

#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/util.h"
#include "probe_linux_int.h"

/* See probe_linux_int.h. */
int
linux_bad_number(struct lctx *c, const char *p, size_t n)
{
	char q[QUOTE_MAX];
	probe_warn(c->w, c->what, c->lineno, "bad number '%s'", probe_quote(q, sizeof q, p, n));
	return -1;
}

/* See probe_linux_int.h. */
int
linux_bad_line(struct lctx *c, const char *why)
{
	probe_warn(c->w, c->what, c->lineno, "%s", why);
	return -1;
}

/* See probe_linux_int.h. */
int
linux_tok_u64(struct lctx *c, const struct probe_tok *t, uint64_t *v)
{
	if (probe_parse_u64(t->p, t->n, v) != 0)
		return linux_bad_number(c, t->p, t->n);
	return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * Eight bytes at a time (SWAR, as in Lemire's parse_eight_digits): how many
 * of the 8 bytes at p lead as ASCII digits, and their value. A byte is a
 * digit when its high nibble is 3 and adding 6 leaves it 3; the first byte
 * that fails is the lowest set bit (a carry out of a byte >= 0xFA only
 * reaches bytes after it).
 */
static int
digits8(const char *p, uint64_t *value)
{
	uint64_t x;

	memcpy(&x, p, sizeof x);
	uint64_t bad = ((x & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL) |
	    (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL);
	int k = bad == 0 ? 8 : __builtin_ctzll(bad) / 8;
	*value = 0;
	if (k == 0)
		return 0;
	if (k < 8)	/* the digits to the top, '0's before them */
		x = (x << (8 * (8 - k))) | (0x3030303030303030ULL >> (8 * k));
	x -= 0x3030303030303030ULL;
	x = x * 10 + (x >> 8);
	x = (((x & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
	    (((x >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >> 32;
	*value = x;
	return k;
}
#define HAVE_DIGITS8 1
#endif

/* See probe_linux_int.h. */
size_t
linux_number(const char *p, size_t n, size_t *i, uint64_t *out)
{
	static const uint64_t pow10[9] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
		10000000, 100000000 };
	size_t j = *i;
	uint64_t x = 0;

#ifdef HAVE_DIGITS8
	/* fewer than 8 digits in a load: the byte after them is no digit */
	for (int k = 8; k == 8 && n - j >= 8; j += (size_t)k) {
		uint64_t v;
		k = digits8(p + j, &v);
		x = x * pow10[k] + v;
	}
#endif
	for (; j < n && p[j] >= '0' && p[j] <= '9'; j++)
		x = x * 10 + (uint64_t)(p[j] - '0');
	*out = x;
	size_t nd = j - *i;
	*i = j;
	return nd;
}

/* See probe_linux_int.h. */
int
linux_numbers(const char *p, size_t n, size_t *i, uint64_t *v, int max)
{
	int nv = 0;

	for (size_t j = *i; j < n;) {
		while (j < n && p[j] == ' ')
			j++;
		if (j == n)
			break;
		uint64_t x;
		size_t nd = linux_number(p, n, &j, &x);
		if (nd == 0 || nd > 19 || (j < n && p[j] != ' ') || nv == max)
			return -1;
		v[nv++] = x;
	}
	*i = n;
	return nv;
}

/* Interface name (nlen bytes) with its 16 counters v into the sample. */
static int
net_store(struct lctx *c, const char *name, size_t nlen, const uint64_t *v)
{
	struct linux_sample *s = c->s;

	s->have |= LINUX_HAVE_NETDEV;
	if (s->nnets >= PROBE_MAX_NETS)
		return 0;
	if (s->nnets >= c->nets_cap) {
		c->nets_cap = c->nets_cap ? c->nets_cap * 2 : 8;
		s->nets = xreallocarray(s->nets, (size_t)c->nets_cap, sizeof *s->nets);
	}
	struct net_stat *ns = &s->nets[s->nnets++];
	memset(ns, 0, sizeof *ns);
	probe_copy_name(ns->name, sizeof ns->name, name, nlen);
	ns->rx_bytes = v[0];
	ns->rx_packets = v[1];
	ns->rx_errs = v[2];
	ns->rx_drop = v[3];
	ns->tx_bytes = v[8];
	ns->tx_packets = v[9];
	ns->tx_errs = v[10];
	ns->tx_drop = v[11];
	return 0;
}

/*
 * "  name: 16 numbers" (old kernels glue the first to the colon). The
 * common line in one pass (fast_numbers); anything else tokenised, with
 * warnings.
 */
int
linux_parse_netdev(struct lctx *c, const char *line, size_t n)
{
	struct probe_tok t[17];
	uint64_t v[16];

	if (c->lineno <= 2 || probe_trim(line, n).n == 0)
		return 0;	/* "Inter-|   Receive ..." and " face |bytes ..." */
	const char *colon = memchr(line, ':', n);
	if (colon == NULL)
		return linux_bad_line(c, "no ':' after the interface name");
	struct probe_tok name = probe_trim(line, (size_t)(colon - line));
	size_t i = (size_t)(colon - line) + 1;
	if (name.n > 0 && linux_numbers(line, n, &i, v, 16) == 16)
		return net_store(c, name.p, name.n, v);
	size_t rest = n - (size_t)(colon - line) - 1;
	size_t ntok = probe_split_ws(colon + 1, rest, t, OD_ARRAY_LEN(t));
	if (name.n == 0)
		return linux_bad_line(c, "empty interface name");
	if (ntok < 16)
		return linux_bad_line(c, "expected 16 numbers");
	for (int k = 0; k < 16; k++)
		if (linux_tok_u64(c, &t[k], &v[k]) != 0)
			return -1;
	return net_store(c, name.p, name.n, v);
}

/*
 * A device's line as numbers v (v[2], its name's place, unused) of ntok
 * fields into the sample: 7 fields are an old partition's, which are
 * moved to where the others have them.
 */
static int
disk_store(struct lctx *c, const char *name, size_t nlen, uint64_t *v, size_t ntok)
{
	struct linux_sample *s = c->s;

	s->have |= LINUX_HAVE_DISKSTATS;
	if (ntok == 7) {
		/* a partition before 2.6.25: reads, sectors read, writes, sectors written */
		uint64_t r = v[3], rs = v[4], w = v[5], ws = v[6];
		memset(v, 0, 20 * sizeof *v);
		v[3] = r;
		v[5] = rs;
		v[7] = w;
		v[9] = ws;
	}
	if (v[3] == 0 && v[7] == 0)
		return 0;
	if (s->ndisks >= PROBE_MAX_DISKS)
		return 0;
	if (s->ndisks >= c->disks_cap) {
		c->disks_cap = c->disks_cap ? c->disks_cap * 2 : 8;
		s->disks = xreallocarray(s->disks, (size_t)c->disks_cap, sizeof *s->disks);
	}
	struct disk_stat *d = &s->disks[s->ndisks++];
	memset(d, 0, sizeof *d);
	probe_copy_name(d->name, sizeof d->name, name, nlen);
	d->reads = v[3];
	d->sectors_read = v[5];
	d->writes = v[7];
	d->sectors_written = v[9];
	d->io_ms = v[12];
	return 0;
}

/*
 * The common diskstats line in one pass: spaces, major, minor, the name,
 * then 4 or 11 to 17 numbers (fast_numbers). 1: taken; 0: anything else,
 * which parse_diskstats tokenises and warns about.
 */
static int
diskstats_fast(struct lctx *c, const char *p, size_t n)
{
	uint64_t v[20] = { 0 };
	size_t i = 0;

	for (int k = 0; k < 2; k++) {
		while (i < n && p[i] == ' ')
			i++;
		size_t nd = linux_number(p, n, &i, &v[k]);
		if (nd == 0 || nd > 19 || i >= n || p[i] != ' ')
			return 0;
	}
	while (i < n && p[i] == ' ')
		i++;
	size_t name = i;
	while (i < n && p[i] != ' ' && p[i] != '\t')
		i++;
	size_t nlen = i - name;
	if (nlen == 0 || i >= n || p[i] != ' ')
		return 0;
	int nv = linux_numbers(p, n, &i, v + 3, 17);
	if (nv != 4 && (nv < 11 || nv > 17))
		return 0;
	(void)disk_store(c, p + name, nlen, v, (size_t)nv + 3);
	return 1;
}

/*
 * "major minor name reads rmerged rsect rms writes wmerged wsect wms inflight
 * io_ms weighted_ms [discards dmerged dsect dms [flushes fms]]", or an old
 * partition's "major minor name reads rsect writes wsect". Devices that
 * never did I/O (unused ram and loop devices) are skipped.
 */
int
linux_parse_diskstats(struct lctx *c, const char *line, size_t n)
{
	struct probe_tok t[20];
	uint64_t v[20] = { 0 };

	if (diskstats_fast(c, line, n))
		return 0;
	size_t ntok = probe_split_ws(line, n, t, OD_ARRAY_LEN(t));
	if (ntok == 0)
		return 0;
	if (ntok != 7 && ntok < 14)
		return linux_bad_line(c, "expected 7 or at least 14 fields");
	if (ntok > OD_ARRAY_LEN(t))
		ntok = OD_ARRAY_LEN(t);
	for (size_t i = 0; i < ntok; i++) {
		if (i == 2)
			continue;
		if (linux_tok_u64(c, &t[i], &v[i]) != 0)
			return -1;
	}
	return disk_store(c, t[2].p, t[2].n, v, ntok);
}

