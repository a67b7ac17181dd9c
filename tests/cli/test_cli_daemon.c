// SPDX-License-Identifier: MIT
/*
 * test_cli_daemon.c - golden end-to-end tests: the l2tp binary against a
 * real l2tpd, in the iproute2 testsuite's style (run a command, compare its
 * output and exit status). Runs in a network namespace of its own
 * (unshare(CLONE_NEWNET)), which disappears with the test process, using
 * documentation addresses on its loopback. Skipped unless root and
 * $L2TPD/$L2TP name the binaries (scripts/check.sh exports both).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct {
	bool ready;
	const char *why; /* skip reason */
	pid_t pid;
	char dir[64];
	char sock[96];
	const char *l2tp;
} env;

static void msleep(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static bool socket_up(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

static int setup(void **state)
{
	const char *l2tpd = getenv("L2TPD");
	char pidfile[128];

	env.l2tp = getenv("L2TP");
	if (geteuid() != 0) {
		env.why = "not root";
		return 0;
	}
	if (!l2tpd || !env.l2tp || access(l2tpd, X_OK) || access(env.l2tp, X_OK)) {
		env.why = "$L2TPD/$L2TP not set to binaries";
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		env.why = "cannot create a network namespace";
		return 0;
	}
	if (system("ip link set lo up && ip addr add 192.0.2.1/32 dev lo && "
		   "ip addr add 192.0.2.2/32 dev lo") != 0) {
		env.why = "cannot configure the namespace's loopback";
		return 0;
	}
	snprintf(env.dir, sizeof(env.dir), "/tmp/l2tpcli.XXXXXX");
	if (!mkdtemp(env.dir)) {
		env.why = "mkdtemp";
		return 0;
	}
	snprintf(env.sock, sizeof(env.sock), "%s/l2tpd.sock", env.dir);
	snprintf(pidfile, sizeof(pidfile), "%s/l2tpd.pid", env.dir);
	env.pid = fork();
	if (env.pid == 0) {
		int fd = open("/dev/null", 0);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(l2tpd, l2tpd, "-f", "--datapath", "user", "-S", env.sock, "-P", pidfile,
		      (char *)NULL);
		_exit(127);
	}
	/* bounded wait for the API socket (5 s) */
	for (int i = 0; i < 250 && env.pid > 0; i++) {
		if (socket_up(env.sock)) {
			env.ready = true;
			return 0;
		}
		msleep(20);
	}
	env.why = "l2tpd did not come up";
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	if (env.pid > 0) {
		kill(env.pid, SIGTERM);
		for (int i = 0; i < 250; i++) {
			if (waitpid(env.pid, NULL, WNOHANG) == env.pid) {
				env.pid = 0;
				break;
			}
			msleep(20);
		}
		if (env.pid > 0) {
			kill(env.pid, SIGKILL);
			waitpid(env.pid, NULL, 0);
		}
	}
	if (env.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", env.dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

#define NEED_DAEMON()                                                                              \
	do {                                                                                       \
		if (!env.ready) {                                                                  \
			fprintf(stderr, "skipped: %s\n", env.why ? env.why : "?");                 \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* Run "l2tp -S SOCK <args>" and return its exit status; output in |out|. */
static int l2tp(char *out, size_t cap, const char *fmt, ...)
{
	char args[512], cmd[800];
	va_list ap;
	FILE *p;
	size_t n = 0;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s -S %s %s 2>&1", env.l2tp, env.sock, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n + 1 < cap) {
		size_t r = fread(out + n, 1, cap - 1 - n, p);

		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect(int rc, const char *expected, const char *args)
{
	char out[4096];
	int got = l2tp(out, sizeof(out), "%s", args);

	if (got != rc || strcmp(out, expected))
		fail_msg("l2tp %s\nexit %d (want %d)\ngot:\n%s\nwant:\n%s", args, got, rc, out,
			 expected);
}

static void test_cli_daemon_empty(void **state)
{
	NEED_DAEMON();
	expect(0, "", "show tunnel");
	expect(0, "", "show session");
	expect(0, "[]\n", "-j show tunnel");
	expect(0, "[ ]\n", "-j -p show session");
}

static void test_cli_daemon_tunnel_lifecycle(void **state)
{
	NEED_DAEMON();
	expect(0, "",
	       "add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local 192.0.2.1 "
	       "remote 192.0.2.2 udp_sport 15000 udp_dport 16000");
	expect(1, "l2tp: tunnel 3000 already exists\n",
	       "add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local 192.0.2.1 "
	       "remote 192.0.2.2 udp_sport 15002 udp_dport 16000");
	expect(0,
	       "Tunnel 3000, encap UDP\n"
	       "  From 192.0.2.1 to 192.0.2.2\n"
	       "  Peer tunnel 4000\n"
	       "  UDP source / dest ports: 15000/16000\n"
	       "  UDP checksum: disabled\n"
	       "  Datapath: user\n",
	       "show tunnel");
	expect(
	    0,
	    "[{\"tunnel_id\":3000,\"encap\":\"UDP\",\"local\":\"192.0.2.1\",\"peer\":\"192.0.2.2\","
	    "\"peer_tunnel\":4000,\"local_port\":15000,\"peer_port\":16000,\"checksum\":false,"
	    "\"datapath\":\"user\"}]\n",
	    "-j show tunnel tunnel_id 3000");
	expect(0, "[]\n", "-j show tunnel tunnel_id 3001");
	expect(0, "", "del tunnel tunnel_id 3000");
	expect(1, "l2tp: tunnel 3000 does not exist\n", "del tunnel tunnel_id 3000");
	expect(0, "", "show tunnel");
}

static void test_cli_daemon_session_lifecycle(void **state)
{
	NEED_DAEMON();
	expect(0, "",
	       "add tunnel tunnel_id 3100 peer_tunnel_id 4100 local 192.0.2.1 remote 192.0.2.2 "
	       "udp_sport 15100 udp_dport 16100");
	expect(1, "l2tp: tunnel 3999 does not exist\n",
	       "add session tunnel_id 3999 session_id 1 peer_session_id 2");
	expect(0, "",
	       "add session name l2tpclitest0 tunnel_id 3100 session_id 1100 peer_session_id 2100 "
	       "cookie 01234567 peer_cookie 89abcdef01020304");
	expect(1, "l2tp: session 1100 in tunnel 3100 already exists\n",
	       "add session tunnel_id 3100 session_id 1100 peer_session_id 2100");
	expect(0,
	       "Session 1100 in tunnel 3100\n"
	       "  Peer session 2100, tunnel 4100\n"
	       "  interface name: l2tpclitest0\n"
	       "  offset 0, peer offset 0\n"
	       "  cookie 01234567  peer cookie 89abcdef01020304\n",
	       "show session tunnel_id 3100");
	expect(0,
	       "[{\"session_id\":1100,\"tunnel_id\":3100,\"peer_session_id\":2100,"
	       "\"peer_tunnel_id\":4100,\"interface\":\"l2tpclitest0\",\"cookie\":\"01234567\","
	       "\"peer_cookie\":\"89abcdef01020304\"}]\n",
	       "-j show session session_id 1100");
	expect(0, "", "del session tunnel_id 3100 session_id 1100");
	expect(1, "l2tp: session 1100 in tunnel 3100 does not exist\n",
	       "del session tunnel_id 3100 session_id 1100");
	expect(0, "", "del tunnel tunnel_id 3100");
}

static void test_cli_daemon_parse_errors_never_connect(void **state)
{
	NEED_DAEMON();
	expect(1, "Error: argument \"tunnel_id\" is required\n", "add tunnel");
	expect(1, "Error: argument \"12\" is wrong: cookie must be either 8 or 16 hex digits\n",
	       "add session tunnel_id 1 session_id 1 peer_session_id 1 cookie 12");
	expect(1, "Command \"frob\" is unknown, try \"l2tp help\".\n", "frob");
	/* the offset warning comes first, then the daemon's refusal */
	expect(1, "Ignoring option \"offset\"\nl2tp: tunnel 77 does not exist\n",
	       "add session tunnel_id 77 session_id 1 peer_session_id 2 offset 4");
}

static void test_cli_daemon_batch(void **state)
{
	char path[128], args[200];
	FILE *f;

	NEED_DAEMON();
	snprintf(path, sizeof(path), "%s/batch", env.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a tunnel and a session, one command per line\n"
	      "add tunnel tunnel_id 3200 peer_tunnel_id 4200 encap udp local 192.0.2.1 \"remote\" "
	      "192.0.2.2 udp_sport 15200 udp_dport 16200\n"
	      "\n"
	      "add tunnel tunnel_id 3200 peer_tunnel_id 4200 encap udp local 192.0.2.1 remote "
	      "192.0.2.2 udp_sport 15201 udp_dport 16200\n"
	      "show tunnel tunnel_id 3200\n"
	      "del tunnel tunnel_id 3200\n",
	      f);
	fclose(f);
	snprintf(args, sizeof(args), "-batch %s", path);
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "l2tp: tunnel 3200 already exists\nCommand failed %s:4\n", path);
		expect(1, want, args);
	}
	/* without -force the batch stopped: the tunnel is still there */
	expect(0, "", "del tunnel tunnel_id 3200");
	snprintf(args, sizeof(args), "-force -batch %s", path);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "l2tp: tunnel 3200 already exists\nCommand failed %s:4\n"
			 "Tunnel 3200, encap UDP\n"
			 "  From 192.0.2.1 to 192.0.2.2\n"
			 "  Peer tunnel 4200\n"
			 "  UDP source / dest ports: 15200/16200\n"
			 "  UDP checksum: disabled\n"
			 "  Datapath: user\n",
			 path);
		expect(1, want, args);
	}
	expect(0, "", "show tunnel");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli_daemon_empty),
	    cmocka_unit_test(test_cli_daemon_tunnel_lifecycle),
	    cmocka_unit_test(test_cli_daemon_session_lifecycle),
	    cmocka_unit_test(test_cli_daemon_parse_errors_never_connect),
	    cmocka_unit_test(test_cli_daemon_batch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
