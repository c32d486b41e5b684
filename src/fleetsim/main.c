/*
 * main.c: opsdeck-fleetsim's options, start-up and shutdown.
 *
 *   opsdeck-fleetsim [--nodes N] [--gpu-nodes G] [--base ADDR] [--port P]
 *       [--dir DIR] [--interval-scale X] [--fault NODE=KIND]... [--seed S]
 *       [--controllers K] [--scheduler] [--budget PLAN] [--accounts A,B,...]
 *       [--time-scale X] [--job-rate X] [--shared-hostkey] [--verbose]
 *
 * Prints `ready DIR N` on stdout once every node listens; SIGTERM, SIGINT or
 * SIGHUP end it cleanly. Exit status FLEETSIM_EXIT_IN_USE (3) when a node's
 * address and port are taken (`opsdeck --demo` then tries another port),
 * 2 for bad usage, 1 for other failures.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fleetsim.h"
#include "opsdeck/budget.h"
#include "opsdeck/testbed.h"

static int sig_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a stop is already pending */
	}
	errno = saved;
}

static void
usage(FILE *f)
{
	fputs("usage: opsdeck-fleetsim [--nodes N] [--gpu-nodes G] [--base ADDR] [--port P]\n"
	    "         [--dir DIR] [--interval-scale X] [--fault NODE=KIND]... [--seed S]\n"
	    "         [--controllers K] [--scheduler] [--budget PLAN] [--accounts A,B,...]\n"
	    "         [--time-scale X] [--job-rate X] [--shared-hostkey] [--verbose]\n"
	    "Plays N SSH nodes (K test-bed controllers, a Slurm head node) on consecutive\n"
	    "loopback addresses for opsdeck.\n"
	    "--scheduler: a head node (" FLEETSIM_SCHED_NAME ") answering sacct for the jobs\n"
	    "  of the accounts of PLAN's tenants (--budget) or of --accounts; --time-scale:\n"
	    "  simulated seconds of those jobs per real second (default 1); --job-rate:\n"
	    "  submissions per account times X (default 1), for floods of jobs.\n"
	    "Faults: hang drop garbage flood slow refuse badkey authfail.\n"
	    "Control at run time: echo 'fault NODE KIND' > DIR/control; 'clear NODE'.\n", f);
}

static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (errno != 0 || e == s || *e != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The i-th address from base, skipping .0 and .255 in the last octet. */
static int
node_addr(uint32_t base, int i, char *out, size_t len)
{
	uint32_t a = base;
	for (int k = 0; k < i; k++) {
		a++;
		while ((a & 0xff) == 0 || (a & 0xff) == 255)
			a++;
	}
	if ((a >> 24) != 127)
		return -1;
	struct in_addr in = { .s_addr = htonl(a) };
	inet_ntop(AF_INET, &in, out, (socklen_t)len);
	return 0;
}

/*
 * Splits a comma-separated list into *out (owned strings, caller frees each
 * and the array); empty members are skipped. Returns the count.
 */
static int
split_list(const char *s, char ***out)
{
	int n = 0;

	*out = NULL;
	while (*s != '\0') {
		size_t l = strcspn(s, ",");
		if (l > 0) {
			*out = xreallocarray(*out, (size_t)n + 1, sizeof **out);
			(*out)[n++] = xstrndup(s, l);
		}
		s += l;
		if (*s == ',')
			s++;
	}
	return n;
}

/*
 * Sets up the simulated Slurm cluster of fs from the plan at budget (made
 * absolute into fs->budget) or the accounts list. 0, or -1 after a message.
 */
static int
slurm_setup(struct fleetsim *fs, const char *budget, const char *accounts, double job_rate)
{
	struct budget_plan *plan = NULL;
	char **acc = NULL, *warn = NULL, *cause = NULL;
	int nacc = 0, rc = -1;

	if (budget != NULL) {
		struct diag d;
		diag_init(&d, budget);
		plan = budget_plan_load(budget, &d);
		if (plan == NULL) {
			diag_print(&d, stderr);
			diag_free(&d);
			return -1;
		}
		diag_free(&d);
	}
	if (accounts != NULL)
		nacc = split_list(accounts, &acc);
	if (fs->nsched) {
		fs->slurm = xcalloc(1, sizeof *fs->slurm);
		fs->mono_t0_ms = now_mono_ms();
		fs->sim_t0_s = now_wall_ms() / 1000;
		/* --accounts, when given, wins over the plan's */
		if (slurm_sim_init(fs->slurm, nacc > 0 ? NULL : plan, acc, nacc,
		    fs->seed, fs->sim_t0_s, &warn, &cause) != 0) {
			fprintf(stderr, "opsdeck-fleetsim: %s\n", cause);
			free(cause);
			free(fs->slurm);
			fs->slurm = NULL;
			goto out;
		}
		if (warn != NULL)
			fprintf(stderr, "opsdeck-fleetsim: %s\n", warn);
		slurm_sim_scale_rate(fs->slurm, job_rate);
	}
	rc = 0;
out:
	free(warn);
	for (int i = 0; i < nacc; i++)
		free(acc[i]);
	free(acc);
	if (plan != NULL)
		budget_plan_free(plan);
	return rc;
}

/*
 * Every node holds a listening socket and a session's: 2 files a node and
 * some to spare. Raises the soft limit to the hard one, and the hard one
 * too where that is allowed (CAP_SYS_RESOURCE). Returns 1 when the hard
 * limit stays under that (fs->frugal: a node listens only while it has no
 * session), saying so on stderr, and how many nodes fit even then.
 */
static int
raise_nofile(long nnodes)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)nnodes * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit up = { need, need };
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return 0;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need)
		return 0;
	fprintf(stderr, "opsdeck-fleetsim: the open-file limit (hard, %llu) is under 2 files a"
	    " node (%llu): a node listens only while it has no session%s\n",
	    (unsigned long long)rl.rlim_max, (unsigned long long)need,
	    rl.rlim_max < (rlim_t)nnodes + 256 ? "; and that is not enough either" : "");
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "gpu-nodes", required_argument, NULL, 'g' },
		{ "base", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "interval-scale", required_argument, NULL, 'i' },
		{ "fault", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 's' },
		{ "shared-hostkey", no_argument, NULL, 'S' },
		{ "controllers", required_argument, NULL, 'c' },
		{ "scheduler", no_argument, NULL, 'H' },
		{ "budget", required_argument, NULL, 'B' },
		{ "accounts", required_argument, NULL, 'A' },
		{ "time-scale", required_argument, NULL, 't' },
		{ "job-rate", required_argument, NULL, 'J' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fleetsim fs;
	long nodes = 16, gpu = -1, port = 2222, ctl = 0, v;
	const char *base = "127.0.1.1", *budget = NULL, *accounts = NULL;
	int sched = 0;
	double job_rate = 1.0;
	char **faults = NULL;
	int nfaults = 0, shared = 0, c;
	char *cause = NULL;
	struct in_addr in;

	memset(&fs, 0, sizeof fs);
	fs.interval_scale = 1.0;
	fs.time_scale = 1.0;
	fs.seed = 1;
	fs.control_fd = -1;
	while ((c = getopt_long(argc, argv, "n:g:b:p:d:i:f:s:c:SvhHB:A:t:J:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_long(optarg, 1, FLEETSIM_MAX_NODES, &nodes) != 0)
				goto bad;
			break;
		case 'g':
			if (parse_long(optarg, 0, FLEETSIM_MAX_NODES, &gpu) != 0)
				goto bad;
			break;
		case 'b':
			base = optarg;
			break;
		case 'p':
			if (parse_long(optarg, 1, 65535, &port) != 0)
				goto bad;
			break;
		case 'd':
			fs.dir = xstrdup(optarg);
			break;
		case 'i': {
			char *e;
			fs.interval_scale = strtod(optarg, &e);
			if (*e != '\0' || !(fs.interval_scale > 0.0009 &&
			    fs.interval_scale <= 1000))
				goto bad;
			break;
		}
		case 'f':
			faults = xreallocarray(faults, (size_t)nfaults + 1, sizeof *faults);
			faults[nfaults++] = optarg;
			break;
		case 's':
			if (parse_long(optarg, 0, 0x7fffffffL, &v) != 0)
				goto bad;
			fs.seed = (uint64_t)v;
			break;
		case 'S':
			shared = 1;
			break;
		case 'c':
			if (parse_long(optarg, 0, FLEETSIM_MAX_NODES, &ctl) != 0)
				goto bad;
			break;
		case 'v':
			fs.verbose = 1;
			break;
		case 'H':
			sched = 1;
			break;
		case 'B':
			budget = optarg;
			break;
		case 'A':
			accounts = optarg;
			break;
		case 't': {
			char *e;
			fs.time_scale = strtod(optarg, &e);
			if (e == optarg || *e != '\0' || !(fs.time_scale > 0.0009 &&
			    fs.time_scale <= 1000000))
				goto bad;
			break;
		}
		case 'J': {
			char *e;
			job_rate = strtod(optarg, &e);
			if (e == optarg || *e != '\0' || !(job_rate > 0.0009 && job_rate <= 100000))
				goto bad;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		goto bad;
	if (gpu < 0)
		gpu = nodes / 2;
	if (gpu > nodes) {
		fprintf(stderr, "opsdeck-fleetsim: --gpu-nodes %ld is more than --nodes %ld\n",
		    gpu, nodes);
		return 2;
	}
	if (sched && budget == NULL && accounts == NULL) {
		fprintf(stderr, "opsdeck-fleetsim: --scheduler needs --budget PLAN or "
		    "--accounts A,B,...\n");
		return 2;
	}
	if (nodes + ctl + sched > FLEETSIM_MAX_NODES) {
		fprintf(stderr, "opsdeck-fleetsim: more than %d hosts\n", FLEETSIM_MAX_NODES);
		return 2;
	}
	if (inet_pton(AF_INET, base, &in) != 1 || (ntohl(in.s_addr) >> 24) != 127) {
		fprintf(stderr, "opsdeck-fleetsim: --base must be a 127.x.y.z address\n");
		return 2;
	}

	int frugal = raise_nofile(nodes + ctl + sched);
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		perror("opsdeck-fleetsim: pipe");
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fs.sig_fd = sig_pipe[0];

	if (fs.dir == NULL) {
		char tmpl[] = "/tmp/opsdeck-fleetsim.XXXXXX";
		const char *t = getenv("TMPDIR");
		char *p = t && *t ? xasprintf("%s/opsdeck-fleetsim.XXXXXX", t) : xstrdup(tmpl);
		if (mkdtemp(p) == NULL) {
			fprintf(stderr, "opsdeck-fleetsim: mkdtemp %s: %s\n", p, strerror(errno));
			return 1;
		}
		fs.dir = p;
	} else if (mkdir_p(fs.dir, 0700) != 0) {
		fprintf(stderr, "opsdeck-fleetsim: %s: %s\n", fs.dir, strerror(errno));
		return 1;
	}
	if (fs.dir[0] != '/') {
		char cwd[4096];
		if (getcwd(cwd, sizeof cwd) != NULL) {
			char *abs = xasprintf("%s/%s", cwd, fs.dir);
			free(fs.dir);
			fs.dir = abs;
		}
	}

	if (budget != NULL) {
		char *abs = realpath(budget, NULL);
		if (abs == NULL) {
			fprintf(stderr, "opsdeck-fleetsim: %s: %s\n", budget, strerror(errno));
			return 1;
		}
		fs.budget = abs;
	}
	fs.nsched = sched;
	if (slurm_setup(&fs, fs.budget, accounts, job_rate) != 0)
		return 1;

	ssh_init();
	fs.nnodes = (int)(nodes + ctl + sched);
	fs.ngpu = (int)gpu;
	fs.nctl = (int)ctl;
	fs.port = (int)port;
	fs.nodes = xcalloc((size_t)fs.nnodes, sizeof *fs.nodes);
	int64_t now = now_mono_ms();
	for (int i = 0; i < fs.nnodes; i++) {
		struct fs_node *n = &fs.nodes[i];
		n->index = i;
		n->gpu = i < fs.ngpu;
		n->controller = i >= nodes && i < nodes + ctl;
		n->scheduler = i >= nodes + ctl;
		n->listen_fd = -1;
		if (n->scheduler) {
			snprintf(n->name, sizeof n->name, "%s", FLEETSIM_SCHED_NAME);
		} else if (n->controller) {
			/* sectors in turn; the first of each runs the scripted faults */
			int k = (int)(i - nodes);
			n->sector = k % TESTBED_SECTOR_COUNT;
			snprintf(n->name, sizeof n->name, "ctl-%s-%02d",
			    testbed_sector_name(n->sector), k / TESTBED_SECTOR_COUNT + 1);
			if (k < TESTBED_SECTOR_COUNT)
				n->tb_faults = TESTBED_SIM_FLAP | TESTBED_SIM_FAULT |
				    TESTBED_SIM_VANISH | TESTBED_SIM_HOT;
		} else if (n->gpu) {
			snprintf(n->name, sizeof n->name, "gpu%03d", i + 1);
		} else {
			snprintf(n->name, sizeof n->name, "cpu%03d", i - fs.ngpu + 1);
		}
		if (node_addr(ntohl(in.s_addr), i, n->addr, sizeof n->addr) != 0) {
			fprintf(stderr, "opsdeck-fleetsim: %ld nodes do not fit after %s "
			    "in 127/8\n", nodes, base);
			return 2;
		}
		/* the head node is a small box, as a controller is */
		sim_node_init(&n->sim, n->controller || n->scheduler ? SIM_CONTROLLER :
		    n->gpu ? SIM_GPU : SIM_CPU,
		    fs.seed * 100003 + (uint64_t)i, now);
	}
	for (int i = 0; i < nfaults; i++) {
		char *eq = strchr(faults[i], '=');
		enum fs_fault f;
		int all;
		if (eq == NULL) {
			fprintf(stderr, "opsdeck-fleetsim: --fault wants NODE=KIND\n");
			return 2;
		}
		*eq = '\0';
		if (fault_parse(eq + 1, &f) != 0) {
			fprintf(stderr, "opsdeck-fleetsim: unknown fault '%s'\n", eq + 1);
			return 2;
		}
		struct fs_node *n = server_find_node(&fs, faults[i], &all);
		if (n == NULL && !all) {
			fprintf(stderr, "opsdeck-fleetsim: no node '%s'\n", faults[i]);
			return 2;
		}
		for (int k = 0; k < fs.nnodes; k++)
			if (all || &fs.nodes[k] == n)
				fs.nodes[k].fault = f;
	}
	free(faults);

	if (setup_files(&fs, shared, &cause) != 0) {
		fprintf(stderr, "opsdeck-fleetsim: %s\n", cause);
		return 1;
	}
	fs.frugal = frugal;
	fs.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (fs.epfd < 0)
		fatal("epoll_create1: %s", strerror(errno));
	buf_init(&fs.control_line, 65536);
	for (int i = 0; i < fs.nnodes; i++) {
		if (fs.nodes[i].fault == FAULT_REFUSE)
			continue;
		if (server_listen(&fs, &fs.nodes[i], &cause) != 0) {
			int in_use = errno == EADDRINUSE;
			fprintf(stderr, "opsdeck-fleetsim: %s: %s\n", fs.nodes[i].name, cause);
			if (in_use) {
				/* a status of its own, which a leak report must not change */
				fflush(stderr);
				_exit(FLEETSIM_EXIT_IN_USE);
			}
			return 1;
		}
	}
	printf("ready %s %d\n", fs.dir, fs.nnodes);
	fflush(stdout);

	server_run(&fs);
	server_shutdown(&fs);

	if (fs.verbose)
		fprintf(stderr, "opsdeck-fleetsim: %llu frames, %llu bytes\n",
		    (unsigned long long)fs.frames, (unsigned long long)fs.bytes);
	if (fs.control_fd >= 0) {
		close(fs.control_fd);
		char *p = xasprintf("%s/control", fs.dir);
		unlink(p);
		free(p);
	}
	close(fs.epfd);
	for (int i = 0; i < fs.nnodes; i++) {
		ssh_bind_free(fs.nodes[i].bind);
		free(fs.nodes[i].pubkey);
	}
	ssh_bind_free(fs.badkey_bind);
	ssh_key_free(fs.client_pub);
	buf_free(&fs.control_line);
	free(fs.nodes);
	free(fs.dir);
	free(fs.budget);
	if (fs.slurm != NULL) {
		slurm_sim_free(fs.slurm);
		free(fs.slurm);
	}
	ssh_finalize();
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	return 0;
bad:
	fprintf(stderr, "opsdeck-fleetsim: bad option or argument\n");
	usage(stderr);
	return 2;
}
