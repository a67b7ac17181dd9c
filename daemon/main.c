// SPDX-License-Identifier: MIT
/*
 * daemon/main.c - l2tpd: options, startup, the loop, clean shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <l2tp/api.h>

#include "../cli/cli.h"
#include "api_server.h"
#include "config.h"
#include "datapath.h"
#include "datapath/ebpf/ebpf.h"
#include "log.h"
#include "loop.h"
#include "mgr.h"
#include "registry.h"

#ifndef L2TPD_VERSION
#define L2TPD_VERSION "0.1"
#endif
#define DEFAULT_PIDFILE "/run/l2tpd/l2tpd.pid"

struct opts {
	bool foreground;
	bool debug;
	const char *pidfile;
	const char *sock;
	const char *config;
	mode_t sock_mode;
	gid_t sock_gid;
	const char *datapath;
	unsigned int workers;
	bool check; /* -n: check the configuration file and exit */
	const char *hostname;
	const char *event_hook;
	const char *netns; /* --netns NAME: entered before any socket is made */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: l2tpd [-f] [-d] [-P PIDFILE] [-S SOCKET] [-c FILE] [-n]\n"
		"             [--socket-mode MODE] [--socket-group GROUP]\n"
		"             [--datapath auto|kernel|ebpf|user]"
		" [-w N|auto] [--hostname NAME]\n"
		"             [--event-hook PROG] [--netns NAME]\n"
		"  -f, --foreground        stay in the foreground, log to stderr\n"
		"  -d, --debug             log debug messages\n"
		"  -P, --pid-file PATH     PID file (default %s)\n"
		"  -S, --socket PATH       API socket (default %s)\n"
		"  -c, --config FILE       configuration file: l2tp(8) \"add\" commands, one\n"
		"                          per line (l2tpd.conf(5)); SIGHUP re-reads it\n"
		"  -n, --check             check the configuration file and exit:\n"
		"                          one \"FILE:LINE: problem\" line per error\n"
		"      --hostname NAME     Host Name AVP of managed tunnels (default: the\n"
		"                          system's host name)\n"
		"      --event-hook PROG   run PROG on each tunnel and session event, the\n"
		"                          details in L2TP_* environment variables\n"
		"      --socket-mode MODE  octal permissions of the API socket (default 0600)\n"
		"      --socket-group GRP  group of the API socket; its members may configure\n"
		"      --netns NAME        run in network namespace NAME (/run/netns/NAME);\n"
		"                          default socket %s/NAME.sock, PID file\n"
		"                          %s/NAME.pid\n"
		"      --datapath DP       what carries the frames: \"kernel\" (the kernel's\n"
		"                          L2TP modules), \"user\" (TAP devices and sockets\n"
		"                          in l2tpd), \"ebpf\" (tc BPF programs; L2TPv3\n"
		"                          Ethernet pseudowires only) or \"auto\" (the\n"
		"                          default: kernel when its l2tp family is there,\n"
		"                          else ebpf for L2TPv3 Ethernet tunnels and user\n"
		"                          for the others, else user)\n"
		"  -w, --workers N|auto    user datapath threads (default 1; auto: one per\n"
		"                          CPU, at most %d)\n"
		"  -h, --help              this text\n"
		"  -V, --version           print the version\n",
		DEFAULT_PIDFILE, L2TP_API_DEFAULT_SOCKET, CLI_RUN_DIR, CLI_RUN_DIR,
		L2TPD_MAX_WORKERS);
}

/*
 * Unix sockets on the file system are not namespaced: with --netns NAME the
 * socket and PID file default to /run/l2tpd/NAME.sock and NAME.pid, so one
 * daemon per namespace can run beside the default one. Returns -1 (go on)
 * or exit status 2.
 */
static int default_paths(struct opts *o)
{
	static char sock[108], pid[4096];

	if (o->netns) {
		if (!o->sock && cli_netns_runpath(sock, sizeof(sock), o->netns, ".sock") < 0) {
			fprintf(stderr, "l2tpd: namespace name too long for a socket path: %s\n",
				o->netns);
			return 2;
		}
		if (!o->pidfile && cli_netns_runpath(pid, sizeof(pid), o->netns, ".pid") < 0) {
			fprintf(stderr, "l2tpd: namespace name too long: %s\n", o->netns);
			return 2;
		}
		if (!o->sock)
			o->sock = sock;
		if (!o->pidfile)
			o->pidfile = pid;
	}
	if (!o->sock)
		o->sock = L2TP_API_DEFAULT_SOCKET;
	if (!o->pidfile)
		o->pidfile = DEFAULT_PIDFILE;
	return -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_MODE = 256, OPT_GROUP, OPT_DATAPATH, OPT_HOSTNAME, OPT_HOOK, OPT_NETNS };
	static const struct option lopts[] = {
	    {"foreground", no_argument, NULL, 'f'},
	    {"debug", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'},
	    {"socket", required_argument, NULL, 'S'},
	    {"config", required_argument, NULL, 'c'},
	    {"socket-mode", required_argument, NULL, OPT_MODE},
	    {"socket-group", required_argument, NULL, OPT_GROUP},
	    {"datapath", required_argument, NULL, OPT_DATAPATH},
	    {"workers", required_argument, NULL, 'w'},
	    {"check", no_argument, NULL, 'n'},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"event-hook", required_argument, NULL, OPT_HOOK},
	    {"netns", required_argument, NULL, OPT_NETNS},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct group *gr;
	char *end;
	long v;
	int c;

	o->pidfile = NULL;
	o->sock = NULL;
	o->sock_mode = 0600;
	o->sock_gid = (gid_t)-1;
	o->datapath = "auto";
	o->workers = 1;
	while ((c = getopt_long(argc, argv, "fdP:S:c:w:nhV", lopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'P':
			o->pidfile = optarg;
			break;
		case 'S':
			o->sock = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'n':
			o->check = true;
			break;
		case OPT_HOSTNAME:
			if (!optarg[0] || strlen(optarg) > L2TP_HOSTNAME_MAX) {
				fprintf(stderr, "l2tpd: a host name is 1 to %d characters\n",
					L2TP_HOSTNAME_MAX);
				return 2;
			}
			o->hostname = optarg;
			break;
		case OPT_HOOK: {
			/* daemonize() changes to "/": keep an absolute path */
			static char hook[4096];

			if (access(optarg, X_OK) < 0 || !realpath(optarg, hook)) {
				fprintf(stderr, "l2tpd: event hook %s: %s\n", optarg,
					strerror(errno));
				return 2;
			}
			o->event_hook = hook;
			break;
		}
		case OPT_NETNS:
			o->netns = optarg;
			break;
		case OPT_MODE:
			errno = 0;
			v = strtol(optarg, &end, 8);
			if (errno || *end || end == optarg || v < 0 || v > 0777) {
				fprintf(stderr, "l2tpd: bad socket mode \"%s\"\n", optarg);
				return 2;
			}
			o->sock_mode = (mode_t)v;
			break;
		case OPT_GROUP:
			gr = getgrnam(optarg);
			if (gr) {
				o->sock_gid = gr->gr_gid;
				break;
			}
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0) {
				fprintf(stderr, "l2tpd: unknown group \"%s\"\n", optarg);
				return 2;
			}
			o->sock_gid = (gid_t)v;
			break;
		case OPT_DATAPATH:
			if (strcmp(optarg, "user") != 0 && strcmp(optarg, "kernel") != 0 &&
			    strcmp(optarg, "ebpf") != 0 && strcmp(optarg, "auto") != 0) {
				fprintf(stderr,
					"l2tpd: unknown datapath \"%s\" (auto, kernel, ebpf or "
					"user)\n",
					optarg);
				return 2;
			}
			o->datapath = optarg;
			break;
		case 'w':
			if (strcmp(optarg, "auto") == 0) {
				v = sysconf(_SC_NPROCESSORS_ONLN);
				o->workers =
				    (unsigned int)(v < 1		   ? 1
						   : v > L2TPD_MAX_WORKERS ? L2TPD_MAX_WORKERS
									   : v);
				break;
			}
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > L2TPD_MAX_WORKERS) {
				fprintf(stderr,
					"l2tpd: bad worker count \"%s\" (1 to %d, or auto)\n",
					optarg, L2TPD_MAX_WORKERS);
				return 2;
			}
			o->workers = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("l2tpd %s\n", L2TPD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "l2tpd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o->check && !o->config) {
		fprintf(stderr, "l2tpd: -n checks a configuration file: give it with -c FILE\n");
		return 2;
	}
	return default_paths(o);
}

/* ---- pid file ---------------------------------------------------------------- */

static int pid_fd = -1;
static const char *pid_path;
static char pid_dir[4096]; /* set when we created the directory */

/*
 * The PID file is held with flock() for the daemon's life: a second l2tpd
 * fails to lock it, and a file left by a killed l2tpd (unlocked) is reused.
 */
static int pidfile_open(const char *path)
{
	char dir[4096], buf[32];
	int fd, n;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	if (mkdir(dirname(dir), 0755) == 0)
		strcpy(pid_dir, dirname(strcpy(dir, path)));
	else if (errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -EALREADY;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n) {
		n = -errno;
		unlink(path);
		close(fd);
		return n;
	}
	pid_fd = fd;
	pid_path = path;
	return 0;
}

static void pidfile_close(void)
{
	if (pid_fd < 0)
		return;
	unlink(pid_path);
	close(pid_fd);
	pid_fd = -1;
	/* A directory we made goes too, if nothing else lives in it. */
	if (pid_dir[0])
		rmdir(pid_dir);
}

/* ---- daemon mode ------------------------------------------------------------- */

static int ready_fd = -1;

/*
 * Fork; the parent waits until the child reports that it is listening (or
 * failed), so "l2tpd && l2tp ..." works and startup errors set the status.
 */
static void daemonize(void)
{
	int p[2], null;
	char st = 1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() < 0)
		fatal("setsid");
	if (chdir("/") < 0)
		fatal("chdir");
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

static void report_ready(char status)
{
	if (ready_fd < 0)
		return;
	if (write(ready_fd, &status, 1) < 0)
		log_warn("ready pipe");
	close(ready_fd);
	ready_fd = -1;
}

/* ---- main ---------------------------------------------------------------------- */

static const char *config_path;
static struct l2tpd_config_env config_env;

static void on_signal(struct l2tpd_loop *loop, int signo, void *arg)
{
	(void)arg;
	switch (signo) {
	case SIGTERM:
	case SIGINT:
		log_info("%s received, shutting down", signo == SIGTERM ? "SIGTERM" : "SIGINT");
		l2tpd_loop_stop(loop);
		break;
	case SIGHUP:
		if (!config_path) {
			log_info("SIGHUP received: no configuration file (-c) to re-read");
			break;
		}
		log_info("SIGHUP received: re-reading %s", config_path);
		l2tpd_config_apply(config_path, &config_env, true);
		break;
	}
}

/* "<dir>/l2tpd.pid" -> "<dir>/l2tpd.tunnels": the kernel datapath's journal. */
static void journal_path(const char *pidfile, char *buf, size_t len)
{
	size_t n = strlen(pidfile);

	if (n > 4 && strcmp(pidfile + n - 4, ".pid") == 0)
		n -= 4;
	snprintf(buf, len, "%.*s.tunnels", (int)n, pidfile);
}

/* The datapath --datapath asks for; "auto" takes the kernel's when it is there. */
static struct l2tpd_datapath *datapath_open(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
					    struct opts *o)
{
	struct l2tpd_datapath *dp;
	char journal[4096];
	int err = 0;

	if (strcmp(o->datapath, "ebpf") == 0) {
		char why[160];

		/* alone: L2TPv3 Ethernet pseudowires only, the others are refused */
		dp = l2tpd_datapath_ebpf_new(loop, reg, why, sizeof(why));
		if (!dp)
			log_warnx("datapath ebpf: %s", why);
		else if (o->workers > 1)
			log_info("-w %u: the ebpf datapath has no workers of ours", o->workers);
		return dp;
	}
	if (strcmp(o->datapath, "user") != 0) {
		bool want = strcmp(o->datapath, "kernel") == 0;

		journal_path(o->pidfile, journal, sizeof(journal));
		dp = l2tpd_datapath_kernel_new(loop, journal, want, &err);
		if (dp) {
			o->datapath = "kernel";
			if (o->workers > 1)
				log_info("-w %u: the kernel datapath has no workers of ours",
					 o->workers);
			return dp;
		}
		if (want) {
			log_warnx("datapath kernel: %s", err == -ENOENT
								 ? "the kernel has no l2tp generic-netlink "
								   "family (modprobe l2tp_netlink l2tp_eth)"
								 : strerror(-err));
			return NULL;
		}
		log_info("datapath auto: %s", err == -ENOENT ? "the kernel has no l2tp family"
							     : strerror(-err));
		o->datapath = "user";
		/*
		 * Then the ebpf datapath for the tunnels it carries, the
		 * user datapath behind it for the others (mux.c).
		 */
		char why[160];
		struct l2tpd_datapath *eb = l2tpd_datapath_ebpf_new(loop, reg, why, sizeof(why));

		if (eb) {
			struct l2tpd_datapath *us = l2tpd_datapath_user_new(loop, reg, o->workers);

			dp = us ? l2tpd_datapath_mux_new(eb, us) : NULL;
			if (dp) {
				o->datapath = "ebpf+user";
				log_info("datapath auto: L2TPv3 Ethernet tunnels in ebpf, the "
					 "others in user");
				return dp;
			}
			if (!us)
				log_warn("datapath user");
			else
				us->ops->free(us);
			eb->ops->free(eb);
			return NULL;
		}
		log_info("datapath auto: ebpf: %s; using the user datapath", why);
	}
	dp = l2tpd_datapath_user_new(loop, reg, o->workers);
	if (!dp)
		log_warn("datapath user");
	return dp;
}

int main(int argc, char **argv)
{
	struct l2tpd_registry reg;
	struct l2tpd_datapath *dp = NULL;
	struct l2tpd_loop *loop = NULL;
	struct l2tpd_api *api = NULL;
	struct l2tpd_mgr *mgr = NULL;
	struct opts o = {0};
	int rc, status = 1;

	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.check) {
		rc = l2tpd_config_check(o.config, stderr);
		if (rc == 0)
			printf("%s: ok\n", o.config);
		return rc == 0 ? 0 : 1;
	}
	/* A file with errors never starts a daemon: say so here, at once. */
	if (o.config && l2tpd_config_check(o.config, stderr) != 0)
		return 1;
	if (o.netns) {
		/* before any socket, thread or io_uring: they all live where they are made */
		char err[256];

		if (cli_netns_enter(o.netns, err, sizeof(err)) < 0) {
			fprintf(stderr, "l2tpd: %s\n", err);
			return 1;
		}
	}
	l2tpd_log_init("l2tpd", !o.foreground, o.debug);
	{
		/* One TAP fd per session: thousands of sessions need the hard limit. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (!o.foreground)
		daemonize();

	rc = pidfile_open(o.pidfile);
	if (rc < 0) {
		log_warnx("pid file %s: %s", o.pidfile,
			  rc == -EALREADY ? "another l2tpd holds it" : strerror(-rc));
		goto out;
	}
	l2tpd_registry_init(&reg);
	loop = l2tpd_loop_new(on_signal, NULL);
	if (!loop) {
		log_warn("event loop");
		goto out;
	}
	dp = datapath_open(loop, &reg, &o);
	if (!dp)
		goto out;
	api = l2tpd_api_new(loop, &reg, dp);
	if (!api) {
		log_warn("api");
		goto out;
	}
	l2tpd_api_set_delegated(api, o.sock_gid != (gid_t)-1);
	{
		struct l2tpd_mgr_settings ms = {.hostname = o.hostname, .event_hook = o.event_hook};

		mgr = l2tpd_mgr_new(loop, &reg, dp, &ms);
		if (!mgr) {
			log_warn("control plane");
			goto out;
		}
	}
	config_env = (struct l2tpd_config_env){.api = api, .mgr = mgr, .reg = &reg, .dp = dp};
	l2tpd_api_set_mgr(api, mgr, &config_env);
	rc = l2tpd_api_listen(api, o.sock, o.sock_mode, o.sock_gid);
	if (rc < 0) {
		log_warnx("socket %s: %s", o.sock,
			  rc == -EADDRINUSE ? "another l2tpd is listening there"
			  : rc == -EEXIST   ? "exists and is not a socket"
					    : strerror(-rc));
		goto out;
	}
	log_info("l2tpd %s started%s%s, datapath %s, socket %s", L2TPD_VERSION,
		 o.netns ? ", netns " : "", o.netns ? o.netns : "", o.datapath, o.sock);
	if (o.config) {
		/* SIGHUP comes after daemonize()'s chdir("/"): keep an absolute path. */
		static char abs_path[4096];

		if (!realpath(o.config, abs_path)) {
			log_warn("%s", o.config);
			goto out;
		}
		/* Objects the system refuses are logged; the daemon still runs. */
		if (l2tpd_config_apply(abs_path, &config_env, false) < 0)
			goto out;
		config_path = abs_path;
	}
	report_ready(0);
	rc = l2tpd_loop_run(loop);
	if (rc < 0)
		log_warnx("event loop: %s", strerror(-rc));
	else
		status = 0;
out:
	report_ready(1);
	/* Every interface and socket we made goes, then the socket and pid files. */
	l2tpd_mgr_free(mgr); /* StopCCN to every peer first */
	if (dp)
		l2tpd_registry_clear(&reg, dp);
	l2tpd_api_free(api);
	if (dp)
		dp->ops->free(dp);
	l2tpd_loop_free(loop);
	pidfile_close();
	if (status == 0)
		log_info("stopped");
	l2tpd_log_close();
	return status;
}
