/*
 * driver.c: runs a libFuzzer harness without libFuzzer, for `make check`.
 *
 * Usage: HARNESS [-n ITERATIONS] PATH...   (files or directories of seeds)
 * Feeds every seed, then ITERATIONS inputs made by mutating the seeds
 * (bit flips, byte insertions, truncations, splices) with a fixed seed, so a
 * run is repeatable. Under ASan/UBSan any memory error aborts the run. Prints
 * one TAP line.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t	**seeds;
static size_t	 *seedlens;
static size_t	  nseeds;

static void
add_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return;
	uint8_t *p = NULL;
	size_t len = 0, cap = 0, r;
	uint8_t chunk[65536];
	while ((r = fread(chunk, 1, sizeof chunk, fp)) > 0 && len < (1u << 22)) {
		if (len + r > cap) {
			cap = (len + r) * 2;
			p = realloc(p, cap);
			if (p == NULL)
				abort();
		}
		memcpy(p + len, chunk, r);
		len += r;
	}
	fclose(fp);
	seeds = realloc(seeds, (nseeds + 1) * sizeof *seeds);
	seedlens = realloc(seedlens, (nseeds + 1) * sizeof *seedlens);
	if (seeds == NULL || seedlens == NULL)
		abort();
	seeds[nseeds] = p;
	seedlens[nseeds] = len;
	nseeds++;
}

static void
add_path(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		add_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
		add_path(sub);
	}
	closedir(d);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
run(const uint8_t *p, size_t n)
{
	/* A private copy, so the harness sees exactly n readable bytes. */
	uint8_t *copy = malloc(n ? n : 1);
	if (copy == NULL)
		abort();
	if (n)
		memcpy(copy, p, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
}

int
main(int argc, char **argv)
{
	long iterations = 2000;
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
		iterations = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	for (; i < argc; i++)
		add_path(argv[i]);

	run((const uint8_t *)"", 0);
	for (size_t s = 0; s < nseeds; s++)
		run(seeds[s], seedlens[s]);

	uint8_t *buf = NULL;
	for (long it = 0; it < iterations; it++) {
		size_t n = 0;
		if (nseeds == 0 || next() % 8 == 0) {
			n = next() % 512;
			buf = realloc(buf, n + 1);
			for (size_t k = 0; k < n; k++)
				buf[k] = (uint8_t)next();
		} else {
			size_t s = next() % nseeds;
			n = seedlens[s];
			buf = realloc(buf, n + 64);
			if (n)
				memcpy(buf, seeds[s], n);
			int edits = 1 + (int)(next() % 8);
			for (int e = 0; e < edits; e++) {
				switch (next() % 5) {
				case 0:	/* flip a bit */
					if (n)
						buf[next() % n] ^= (uint8_t)(1u << (next() % 8));
					break;
				case 1:	/* set a byte to something interesting */
					if (n) {
						static const uint8_t v[] = { 0, '\n', '[', ']', '-', ':', ',',
						    '@', 0xff, 0x80, 0xc3, '9', ' ', '\t', '"', '&', '*' };
						buf[next() % n] = v[next() % sizeof v];
					}
					break;
				case 2:	/* truncate */
					if (n)
						n = next() % n;
					break;
				case 3:	/* insert a byte */
					if (n < seedlens[s] + 60) {
						size_t at = n ? next() % n : 0;
						memmove(buf + at + 1, buf + at, n - at);
						buf[at] = (uint8_t)next();
						n++;
					}
					break;
				case 4:	/* duplicate a range over another place */
					if (n > 2) {
						size_t a = next() % n, b = next() % n;
						size_t l = next() % (n - (a > b ? a : b));
						memmove(buf + b, buf + a, l);
					}
					break;
				}
			}
		}
		run(buf, n);
	}
	free(buf);
	printf("1..1\nok 1 - %s: %zu seeds, %ld mutated inputs\n", argv[0], nseeds, iterations);
	return 0;
}
