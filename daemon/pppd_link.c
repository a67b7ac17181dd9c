// SPDX-License-Identifier: MIT
/*
 * daemon/pppd_link.c - pppd on a PPPoL2TP socket (pppd_link.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <l2tp/api.h>
#include <l2tp/ppp.h>

#include "clock.h"
#include "log.h"
#include "pppd_link.h"

#define PPPD_PATH "/usr/sbin/pppd"
#define PPPD_STOP_TIMEOUT (5 * L2TP_SEC)
#define PPPD_ARGV_MAX 48

extern char **environ;

struct l2tpd_pppd {
	struct l2tpd_loop *loop;
	struct l2tpd_pppd *next; /* all of them, running or stopping */
	pid_t pid;
	int pidfd;
	struct l2tpd_watch *w;
	struct l2tpd_timer kill;
	bool stopping; /* freed by the caller: reaped in the background */
	char label[64];
	char ifname[IF_NAMESIZE];
	void (*down)(void *arg, const char *why);
	void *arg;
};

static struct l2tpd_pppd *all;

/* pppd(8) EXIT STATUS, for the session's reason */
static const char *exit_reason(int st)
{
	if (WIFSIGNALED(st))
		return "pppd was killed by a signal";
	switch (WEXITSTATUS(st)) {
	case 0:
		return "pppd exited (the link was closed)";
	case 1:
		return "pppd: fatal error";
	case 2:
		return "pppd: bad options";
	case 3:
		return "pppd: not run as root";
	case 4:
		return "pppd: the kernel has no PPP (ppp_generic)";
	case 5:
		return "pppd: stopped by a signal";
	case 6:
		return "pppd: serial port lock failed";
	case 7:
		return "pppd: cannot open the channel (pppol2tp plugin)";
	case 10:
		return "pppd: PPP negotiation failed";
	case 11:
		return "pppd: the peer failed to authenticate";
	case 12:
		return "pppd: idle timeout";
	case 13:
		return "pppd: connect time limit";
	case 15:
		return "pppd: the peer stopped answering LCP echoes";
	case 16:
		return "pppd: the link was hung up";
	case 17:
		return "pppd: loopback detected";
	case 19:
		return "pppd: we failed to authenticate to the peer";
	default:
		return "pppd exited with an error";
	}
}

static void unlink_all(struct l2tpd_pppd *p)
{
	for (struct l2tpd_pppd **pp = &all; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static void destroy(struct l2tpd_pppd *p)
{
	unlink_all(p);
	l2tpd_loop_del(p->loop, p->w);
	l2tpd_timer_cancel(p->loop, &p->kill);
	if (p->pidfd >= 0)
		close(p->pidfd);
	free(p);
}

static void on_exit_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct l2tpd_pppd *p = arg;
	int st = 0;

	(void)w;
	(void)events;
	/* pid 0 would be waitpid()'s "any child": reaped already */
	if (!p->pid || waitpid(p->pid, &st, WNOHANG) != p->pid)
		return;
	/* the pidfd stays readable: no more calls */
	l2tpd_loop_del(p->loop, p->w);
	p->w = NULL;
	if (p->stopping) {
		log_info("%s: pppd (pid %d) stopped", p->label, (int)p->pid);
		destroy(p);
		return;
	}
	log_info("%s: pppd (pid %d) exited, status %d", p->label, (int)p->pid,
		 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	/* the owner closes the session, then calls l2tpd_pppd_free() */
	p->pid = 0;
	p->down(p->arg, exit_reason(st));
}

static void kill_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct l2tpd_pppd *p = arg;

	(void)t;
	(void)now;
	log_warnx("%s: pppd (pid %d) still running %llu s after SIGTERM: killed", p->label,
		  (int)p->pid, (unsigned long long)(PPPD_STOP_TIMEOUT / L2TP_SEC));
	kill(p->pid, SIGKILL); /* on_exit_cb reaps it */
}

static bool name_taken(const char *name)
{
	if (if_nametoindex(name))
		return true;
	for (const struct l2tpd_pppd *p = all; p; p = p->next)
		if (!strcmp(p->ifname, name))
			return true;
	return false;
}

int l2tpd_pppd_argv(const struct l2tpd_pppd_cfg *cfg, const char *ifname, char **argv, int max,
		    char *buf, size_t cap)
{
	const struct cli_ppp *pp = cfg->ppp;
	size_t used = 0;
	int n = 0;

#define ARG(...)                                                                                   \
	do {                                                                                       \
		int l_ = snprintf(buf + used, cap - used, __VA_ARGS__);                            \
		if (l_ < 0 || (size_t)l_ >= cap - used || n >= max - 1)                            \
			return -ENOSPC;                                                            \
		argv[n++] = buf + used;                                                            \
		used += (size_t)l_ + 1;                                                            \
	} while (0)

	ARG("%s", cfg->path);
	ARG("plugin");
	ARG("pppol2tp.so");
	ARG("pppol2tp");
	ARG("%d", cfg->fd);
	if (cfg->lns)
		ARG("pppol2tp_lns_mode");
	ARG("nodetach");
	ARG("ifname");
	ARG("%s", ifname);
	/* what we ask of the peer (auth), then who we are to it (user/password) */
	if (pp->require_auth == L2TP_PPP_AUTH_PAP) {
		ARG("require-pap");
	} else if (pp->require_auth == L2TP_PPP_AUTH_CHAP) {
		ARG("require-chap");
	} else if (pp->require_auth) {
		ARG("auth");
	} else {
		ARG("noauth");
	}
	if (pp->user[0]) {
		ARG(pp->password[0] ? "user" : "name");
		ARG("%s", pp->user);
	}
	if (pp->password[0]) {
		ARG("password");
		ARG("%s", pp->password);
	}
	/* ppp_local:ppp_remote, either side may be left to negotiation */
	{
		static const uint8_t zero[4];
		bool l = memcmp(pp->local_ip, zero, 4) != 0, r = memcmp(pp->peer_ip, zero, 4) != 0;
		char la[16] = "", ra[16] = "";

		if (l)
			snprintf(la, sizeof(la), "%u.%u.%u.%u", pp->local_ip[0], pp->local_ip[1],
				 pp->local_ip[2], pp->local_ip[3]);
		if (r)
			snprintf(ra, sizeof(ra), "%u.%u.%u.%u", pp->peer_ip[0], pp->peer_ip[1],
				 pp->peer_ip[2], pp->peer_ip[3]);
		if (l || r)
			ARG("%s:%s", la, ra);
		if (!l)
			ARG("noipdefault");
	}
	if (pp->mru) {
		ARG("mru");
		ARG("%u", pp->mru);
		ARG("mtu");
		ARG("%u", pp->mru);
	}
	if (pp->lcp_echo) {
		ARG("lcp-echo-interval");
		ARG("%u", pp->lcp_echo);
		ARG("lcp-echo-failure");
		ARG("4");
	}
	argv[n] = NULL;
	return n;
#undef ARG
}

int l2tpd_pppd_new(struct l2tpd_loop *loop, const struct l2tpd_pppd_cfg *cfg,
		   struct l2tpd_pppd **out, char *why, size_t whylen)
{
	struct l2tpd_pppd_cfg c = *cfg;
	char *argv[PPPD_ARGV_MAX], buf[2048], name[IF_NAMESIZE];
	posix_spawn_file_actions_t fa;
	struct l2tpd_pppd *p;
	int rc;

	if (!c.path)
		c.path = getenv("L2TPD_PPPD") ? getenv("L2TPD_PPPD") : PPPD_PATH;
	if (access(c.path, X_OK) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: %s (the PPPoL2TP hand-off needs pppd, package ppp)",
			 c.path, strerror(-rc));
		return rc;
	}
	if (c.ifname && c.ifname[0]) {
		snprintf(name, sizeof(name), "%s", c.ifname);
	} else {
		int i;

		for (i = 0; i < 1024; i++) {
			snprintf(name, sizeof(name), "ppp%d", i);
			if (!name_taken(name))
				break;
		}
		if (i == 1024) {
			snprintf(why, whylen, "no free pppN name");
			return -ENOSPC;
		}
	}
	rc = l2tpd_pppd_argv(&c, name, argv, PPPD_ARGV_MAX, buf, sizeof(buf));
	if (rc < 0) {
		snprintf(why, whylen, "pppd's arguments do not fit");
		return rc;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	p->loop = loop;
	p->pidfd = -1;
	p->down = c.down;
	p->arg = c.arg;
	snprintf(p->label, sizeof(p->label), "%s", c.label ? c.label : "ppp");
	snprintf(p->ifname, sizeof(p->ifname), "%s", name);
	l2tpd_timer_init(&p->kill, kill_cb, p);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	/* dup2 onto itself clears close-on-exec (glibc >= 2.29): pppd inherits it */
	posix_spawn_file_actions_adddup2(&fa, c.fd, c.fd);
	rc = posix_spawn(&p->pid, c.path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		snprintf(why, whylen, "cannot run %s: %s", c.path, strerror(rc));
		free(p);
		return -rc;
	}
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd >= 0)
		p->w = l2tpd_loop_add(loop, p->pidfd, EPOLLIN, on_exit_cb, p);
	if (!p->w) {
		rc = -errno;
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		if (p->pidfd >= 0)
			close(p->pidfd);
		free(p);
		snprintf(why, whylen, "cannot watch pppd: %s", strerror(-rc));
		return rc ? rc : -EIO;
	}
	p->next = all;
	all = p;
	log_info("%s: pppd (pid %d) on the kernel's session, interface %s", p->label, (int)p->pid,
		 name);
	*out = p;
	return 0;
}

void l2tpd_pppd_free(struct l2tpd_pppd *p)
{
	if (!p)
		return;
	if (!p->pid) { /* it exited already */
		destroy(p);
		return;
	}
	p->stopping = true;
	kill(p->pid, SIGTERM); /* pppd sends LCP Terminate-Request and exits */
	l2tpd_timer_set(p->loop, &p->kill, l2tpd_clock_now() + PPPD_STOP_TIMEOUT);
}

void l2tpd_pppd_reap_all(void)
{
	while (all) {
		struct l2tpd_pppd *p = all;

		if (p->pid) {
			kill(p->pid, p->stopping ? SIGKILL : SIGTERM);
			/* bounded: SIGKILL after 2 s of SIGTERM */
			for (int i = 0; i < 200 && waitpid(p->pid, NULL, WNOHANG) == 0; i++) {
				if (i == 199) {
					kill(p->pid, SIGKILL);
					waitpid(p->pid, NULL, 0);
				}
				usleep(10000);
			}
		}
		destroy(p);
	}
}

const char *l2tpd_pppd_ifname(const struct l2tpd_pppd *p)
{
	return p->ifname;
}

int l2tpd_pppd_put(const struct l2tpd_pppd *p, struct nlmsghdr *nlh, size_t cap)
{
	char ph[32];

	snprintf(ph, sizeof(ph), "pppd %d", (int)p->pid);
	return mnl_attr_put_strz_check(nlh, cap, L2TPD_ATTR_PPP_PHASE, ph) ? 0 : -ENOSPC;
}
