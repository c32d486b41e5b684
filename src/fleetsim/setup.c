/*
 * setup.c: what opsdeck-fleetsim writes into its directory before it says
 * `ready`: host keys (hostkeys/NAME, or hostkeys/shared), the badkey host
 * key, the client key pair id_ed25519{,.pub} whose public key every node
 * accepts, known_hosts, config.yaml for opsdeck (the nodes by name, each
 * with its `address`), hosts (one address a line,
 * for pdsh -w ^FILE), nodes (name, address, kind: gpu cpu ctl sched) and
 * the control FIFO. With --scheduler, config.yaml has a group `slurm` of
 * kind scheduler, and with --budget a `budget:` line naming the plan.
 * Keys already in the directory are reused, so a restart keeps known_hosts true.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleetsim.h"

/*
 * Loads the ed25519 private key at path, or generates and writes it (0600)
 * with its .pub when absent. Returns the key (caller frees), NULL with *cause.
 */
static ssh_key
key_load_or_make(const char *path, int write_pub, char **cause)
{
	ssh_key key = NULL;

	if (access(path, F_OK) == 0) {
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
			*cause = xasprintf("%s: cannot read the private key", path);
			return NULL;
		}
		return key;
	}
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
		*cause = xasprintf("cannot generate an ed25519 key");
		return NULL;
	}
	if (ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) != SSH_OK) {
		*cause = xasprintf("%s: cannot write the private key", path);
		ssh_key_free(key);
		return NULL;
	}
	chmod(path, 0600);
	if (write_pub) {
		char *pub = xasprintf("%s.pub", path);
		int rc = ssh_pki_export_pubkey_file(key, pub);
		free(pub);
		if (rc != SSH_OK) {
			*cause = xasprintf("%s.pub: cannot write the public key", path);
			ssh_key_free(key);
			return NULL;
		}
	}
	return key;
}

/* "ssh-ed25519 AAAA..." for a key; caller frees. */
static char *
pub_line(ssh_key key)
{
	char *b64 = NULL;

	if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		fatal("cannot export a public key");
	char *s = xasprintf("%s %s", ssh_key_type_to_char(ssh_key_type(key)), b64);
	ssh_string_free_char(b64);
	return s;
}

/* A bind that serves key (a private copy is made through base64). */
static ssh_bind
bind_for(ssh_key key, char **cause)
{
	char *b64 = NULL;
	ssh_key copy = NULL;
	ssh_bind b;
	int no = 0;

	if (ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) != SSH_OK ||
	    ssh_pki_import_privkey_base64(b64, NULL, NULL, NULL, &copy) != SSH_OK) {
		free(b64);
		*cause = xasprintf("cannot copy a host key");
		return NULL;
	}
	free(b64);
	b = ssh_bind_new();
	if (b == NULL)
		fatal("out of memory in ssh_bind_new");
	ssh_bind_options_set(b, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_IMPORT_KEY, copy) != SSH_OK) {
		*cause = xasprintf("cannot use a host key: %s", ssh_get_error(b));
		ssh_key_free(copy);
		ssh_bind_free(b);
		return NULL;
	}
	return b;	/* owns copy */
}

static FILE *
open_out(const char *dir, const char *name, char **path, char **cause)
{
	*path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(*path, "w");
	if (f == NULL)
		*cause = xasprintf("%s: %s", *path, strerror(errno));
	return f;
}

static int
close_out(FILE *f, const char *path, char **cause)
{
	if (ferror(f) | (fclose(f) != 0)) {
		*cause = xasprintf("%s: write error", path);
		return -1;
	}
	return 0;
}

/* Splits name into its prefix's length and trailing number (-1: none). */
static long
name_number(const char *name, size_t *plen, int *width)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	*plen = i;
	*width = (int)(n - i);
	if (i == n || n - i > 9)
		return -1;
	return strtol(name + i, NULL, 10);
}

/* The last octet of a dotted address (the simulator's are all IPv4). */
static unsigned
addr_last(const char *addr, unsigned *net)
{
	unsigned a, b, c, d;

	sscanf(addr, "%u.%u.%u.%u", &a, &b, &c, &d);
	*net = a << 16 | b << 8 | c;
	return d;
}

/*
 * Writes the hosts of nodes [from, to) as maps of `host` and `address`
 * (opsdeck.yaml(5)): a run of nodes whose names count up (gpu001, gpu002)
 * while their addresses do within one /24 becomes one pair of ranges, so
 * the console shows gpu001 and connects to 127.0.1.65.
 */
static void
yaml_hosts(FILE *f, const struct fleetsim *fs, int from, int to)
{
	int i = from;

	while (i < to) {
		const struct fs_node *n0 = &fs->nodes[i];
		size_t plen;
		int w;
		unsigned net, d0 = addr_last(n0->addr, &net);
		long k0 = name_number(n0->name, &plen, &w);
		int j = i + 1;
		while (k0 >= 0 && j < to) {
			const struct fs_node *nj = &fs->nodes[j];
			size_t pl;
			int wj;
			unsigned netj, dj = addr_last(nj->addr, &netj);
			long kj = name_number(nj->name, &pl, &wj);
			if (kj != k0 + (j - i) || pl != plen || wj != w ||
			    strncmp(nj->name, n0->name, plen) != 0 || netj != net ||
			    dj != d0 + (unsigned)(j - i))
				break;
			j++;
		}
		if (j == i + 1) {
			fprintf(f, "      - host: %s\n        address: %s\n", n0->name, n0->addr);
		} else {
			unsigned last = d0 + (unsigned)(j - 1 - i);
			fprintf(f, "      - host: %.*s[%0*ld-%0*ld]\n"
			    "        address: %u.%u.%u.[%u-%u]\n", (int)plen, n0->name, w, k0, w,
			    k0 + (j - 1 - i), net >> 16, (net >> 8) & 0xff, net & 0xff, d0, last);
		}
		i = j;
	}
}

static int
write_config(struct fleetsim *fs, char **cause)
{
	char *path;
	FILE *f = open_out(fs->dir, "config.yaml", &path, cause);
	struct passwd *pw = getpwuid(getuid());
	const char *user = pw != NULL ? pw->pw_name : "root";

	if (f == NULL) {
		free(path);
		return -1;
	}
	int ncpu = fs->nnodes - fs->nsched - fs->nctl;	/* end of the plain nodes */
	fprintf(f, "# opsdeck configuration for the nodes of opsdeck-fleetsim "
	    "(written at start).\n"
	    "# %d GPU nodes (gpu001..), %d CPU nodes (cpu001..), %d test-bed controllers\n"
	    "# (ctl-SECTOR-NN)%s; one loopback address each, mapped by 'address'.\n",
	    fs->ngpu, ncpu - fs->ngpu, fs->nctl,
	    fs->nsched ? ", a Slurm head node (" FLEETSIM_SCHED_NAME ")" : "");
	if (fs->budget != NULL) {
		fputs("budget: \"", f);
		for (const char *p = fs->budget; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			if ((unsigned char)*p >= 0x20)
				fputc(*p, f);
		}
		fputs("\"\n", f);
	}
	fprintf(f, "defaults:\n"
	    "  port: %d\n"
	    "  user: %s\n"
	    "  identity: %s/id_ed25519\n"
	    "  known_hosts: %s/known_hosts\n"
	    "  host_key_policy: strict\n"
	    "  interval: 1s\n"
	    "  timeout: 10s\n", fs->port, user, fs->dir, fs->dir);
	fprintf(f, "groups:\n");
	if (fs->ngpu > 0) {
		fprintf(f, "  - name: gpu\n    kind: node\n    probes: [linux, nvidia, ipmi]\n"
		    "    hosts:\n");
		yaml_hosts(f, fs, 0, fs->ngpu);
	}
	if (ncpu > fs->ngpu) {
		fprintf(f, "  - name: cpu\n    kind: node\n    probes: [linux, ipmi]\n"
		    "    hosts:\n");
		yaml_hosts(f, fs, fs->ngpu, ncpu);
	}
	if (fs->nctl > 0) {
		fprintf(f, "  - name: testbeds\n    kind: testbed\n    probes: [linux, testbed]\n"
		    "    hosts:\n");
		yaml_hosts(f, fs, ncpu, ncpu + fs->nctl);
	}
	if (fs->nsched > 0) {
		fprintf(f, "  - name: slurm\n    kind: scheduler\n    probes: [linux, slurm]\n"
		    "    hosts:\n");
		yaml_hosts(f, fs, ncpu + fs->nctl, fs->nnodes);
	}
	int rc = close_out(f, path, cause);
	free(path);
	return rc;
}

int
setup_files(struct fleetsim *fs, int shared_key, char **cause)
{
	char *path = NULL, *kh = NULL;
	ssh_key client = NULL, shared = NULL, bad = NULL;
	FILE *f;
	int rc = -1;

	kh = xasprintf("%s/hostkeys", fs->dir);
	if (mkdir_p(kh, 0700) != 0) {
		*cause = xasprintf("%s: %s", kh, strerror(errno));
		goto out;
	}
	path = xasprintf("%s/id_ed25519", fs->dir);
	if ((client = key_load_or_make(path, 1, cause)) == NULL)
		goto out;
	if (ssh_pki_export_privkey_to_pubkey(client, &fs->client_pub) != SSH_OK) {
		*cause = xasprintf("cannot derive the client public key");
		goto out;
	}
	free(path);
	path = xasprintf("%s/badkey", kh);
	if ((bad = key_load_or_make(path, 0, cause)) == NULL ||
	    (fs->badkey_bind = bind_for(bad, cause)) == NULL)
		goto out;
	if (shared_key) {
		free(path);
		path = xasprintf("%s/shared", kh);
		if ((shared = key_load_or_make(path, 0, cause)) == NULL)
			goto out;
	}
	for (int i = 0; i < fs->nnodes; i++) {
		struct fs_node *n = &fs->nodes[i];
		ssh_key k = shared;
		if (k == NULL) {
			free(path);
			path = xasprintf("%s/%s", kh, n->name);
			if ((k = key_load_or_make(path, 0, cause)) == NULL)
				goto out;
		}
		n->pubkey = pub_line(k);
		n->bind = bind_for(k, cause);
		if (k != shared)
			ssh_key_free(k);
		if (n->bind == NULL)
			goto out;
	}

	free(path);
	if ((f = open_out(fs->dir, "known_hosts", &path, cause)) == NULL)
		goto out;
	for (int i = 0; i < fs->nnodes; i++) {
		if (fs->port == 22)
			fprintf(f, "%s %s\n", fs->nodes[i].addr, fs->nodes[i].pubkey);
		else
			fprintf(f, "[%s]:%d %s\n", fs->nodes[i].addr, fs->port,
			    fs->nodes[i].pubkey);
	}
	if (close_out(f, path, cause) != 0)
		goto out;
	free(path);
	if ((f = open_out(fs->dir, "hosts", &path, cause)) == NULL)
		goto out;
	for (int i = 0; i < fs->nnodes; i++)
		fprintf(f, "%s\n", fs->nodes[i].addr);
	if (close_out(f, path, cause) != 0)
		goto out;
	free(path);
	if ((f = open_out(fs->dir, "nodes", &path, cause)) == NULL)
		goto out;
	for (int i = 0; i < fs->nnodes; i++)
		fprintf(f, "%s %s %s\n", fs->nodes[i].name, fs->nodes[i].addr,
		    fs->nodes[i].scheduler ? "sched" : fs->nodes[i].controller ? "ctl" :
		    fs->nodes[i].gpu ? "gpu" : "cpu");
	if (close_out(f, path, cause) != 0)
		goto out;
	if (write_config(fs, cause) != 0)
		goto out;

	free(path);
	path = xasprintf("%s/control", fs->dir);
	unlink(path);
	if (mkfifo(path, 0600) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	/* O_RDWR: the FIFO never reports EOF when a writer goes away */
	fs->control_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fs->control_fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(kh);
	ssh_key_free(client);
	ssh_key_free(shared);
	ssh_key_free(bad);
	return rc;
}
