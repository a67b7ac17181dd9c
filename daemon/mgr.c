// SPDX-License-Identifier: MIT
/*
 * daemon/mgr.c - managed tunnels (mgr.h): libl2tp's control protocol wired
 * to sockets, timers, the registry and the datapath.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "clock.h"
#include "datapath.h"
#include "log.h"
#include "mgr.h"
#include "ppp_link.h"
#include "pppd_link.h"
#include "registry.h"
#include "sock.h"

#define BACKOFF_MIN (1 * L2TP_SEC)
#define BACKOFF_MAX (60 * L2TP_SEC)
#define RX_BURST 64 /* datagrams read per wakeup of a control socket */
#define TX_BURST 4096 /* datagrams sent per turn; more: another turn */
#define HOOK_MAX_RUNNING 8
#define HOOK_TIMEOUT (10 * L2TP_SEC)
#define CTRL_BUF 65536
/*
 * Removing interfaces costs the kernel an RCU wait per batch (and closing
 * each TAP some more): sessions that ended are removed this many per loop
 * turn, in one batch, so that a tunnel of 10,000 sessions going down does
 * not stall the loop.
 */
#define REAP_PER_TURN 256
/*
 * A control socket no tunnel uses stays this long: a deleted tunnel's
 * StopCCN is retransmitted until acknowledged (RFC 3931 §3.3), for about
 * the channel's full retransmission cycle (31 s with the defaults).
 */
#define CTL_LINGER (40 * L2TP_SEC)

/* A control socket: one per encapsulation, local address and port. */
struct ctl_sock {
	struct ctl_sock *next;
	struct l2tpd_mgr *m;
	enum l2tp_encap encap;
	union l2tpd_addr local;
	int fd;
	struct l2tpd_watch *w;
	struct l2tpd_timer linger; /* armed while no tunnel uses it */
};

/* A running event hook. */
struct hook_run {
	struct hook_run *next;
	struct l2tpd_mgr *m;
	pid_t pid;
	int pidfd;
	struct l2tpd_watch *w;
	struct l2tpd_timer kill;
};

struct l2tpd_mgr {
	struct l2tpd_loop *loop;
	struct l2tpd_registry *reg;
	struct l2tpd_datapath *dp;
	struct l2tp_ctx *ctx;
	struct l2tpd_timer tick; /* the context's next deadline */
	struct l2tpd_timer kick; /* deferred work, at the next turn */
	struct ctl_sock *socks;
	struct l2tpd_mtunnel *tunnels;
	l2tpd_mgr_event_fn event_fn;
	void *event_arg;
	char *hook;
	struct hook_run *hooks;
	unsigned int n_hooks;
	struct l2tpd_ratelimit rl;
	bool in_lib; /* inside a libl2tp call: defer what would re-enter it */
	struct l2tpd_mtunnel *accepting; /* accepted an SCCRQ during this input */
	/* connections that came up for a tunnel that already had one: closed next turn */
	uint32_t orphans[16];
	unsigned int n_orphans;
	uint8_t buf[CTRL_BUF];
};

static void after(struct l2tpd_mgr *m);
static void kick(struct l2tpd_mgr *m);

/* ---- addresses ---------------------------------------------------------- */

static void to_l2tp_addr(const union l2tpd_addr *a, struct l2tp_addr *o)
{
	memset(o, 0, sizeof(*o));
	if (a->sa.sa_family == AF_INET6) {
		o->family = 6;
		memcpy(o->ip, &a->in6.sin6_addr, 16);
		o->port = ntohs(a->in6.sin6_port);
	} else {
		o->family = 4;
		memcpy(o->ip, &a->in.sin_addr, 4);
		o->port = ntohs(a->in.sin_port);
	}
}

static void from_l2tp_addr(const struct l2tp_addr *a, union l2tpd_addr *o)
{
	memset(o, 0, sizeof(*o));
	if (a->family == 6) {
		o->in6.sin6_family = AF_INET6;
		memcpy(&o->in6.sin6_addr, a->ip, 16);
		o->in6.sin6_port = htons(a->port);
	} else {
		o->in.sin_family = AF_INET;
		memcpy(&o->in.sin_addr, a->ip, 4);
		o->in.sin_port = htons(a->port);
	}
}

/* The path of a managed tunnel from its tunnel attributes. */
static void api_path(const struct l2tp_api_tunnel *t, struct l2tp_path *p)
{
	memset(p, 0, sizeof(*p));
	p->encap = t->encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	if (l2tp_api_has(t->present, L2TP_ATTR_IP6_SADDR)) {
		p->local.family = p->peer.family = 6;
		memcpy(p->local.ip, &t->local_ip6, 16);
		memcpy(p->peer.ip, &t->peer_ip6, 16);
	} else {
		p->local.family = p->peer.family = 4;
		memcpy(p->local.ip, &t->local_ip, 4);
		memcpy(p->peer.ip, &t->peer_ip, 4);
	}
	if (p->encap == L2TP_ENCAP_UDP) {
		p->local.port = t->udp_sport;
		p->peer.port = t->udp_dport;
	}
}

static bool same_host(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4);
}

/* ---- control sockets ------------------------------------------------------ */

static void ctl_rx(struct l2tpd_watch *w, uint32_t events, void *arg);

static struct ctl_sock *ctl_find(struct l2tpd_mgr *m, enum l2tp_encap encap,
				 const struct l2tp_addr *local)
{
	for (struct ctl_sock *c = m->socks; c; c = c->next) {
		struct l2tp_addr a;

		to_l2tp_addr(&c->local, &a);
		if (c->encap == encap && same_host(&a, local) &&
		    (encap == L2TP_ENCAP_IP || a.port == local->port))
			return c;
	}
	return NULL;
}

/* Let a raw IP/115 socket take only control messages: Session ID 0 (RFC 3931 §4.1.1.2). */
static int ip_ctrl_filter(int fd, int family)
{
	struct sock_filter v4[] = {
	    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), /* X = IP header length */
	    BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), /* A = the 32 bits after it */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, 0xffff),
	    BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), /* IPv6 raw sockets start at the payload */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, 0xffff),
	    BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog fp = family == AF_INET6
				   ? (struct sock_fprog){sizeof(v6) / sizeof(v6[0]), v6}
				   : (struct sock_fprog){sizeof(v4) / sizeof(v4[0]), v4};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0 ? -errno : 0;
}

static int ctl_get(struct l2tpd_mgr *m, const struct l2tp_path *path, struct ctl_sock **out)
{
	struct ctl_sock *c = ctl_find(m, path->encap, &path->local);
	int family = path->local.family == 6 ? AF_INET6 : AF_INET, on = 1, rc;

	if (c) {
		l2tpd_timer_cancel(m->loop, &c->linger);
		*out = c;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->m = m;
	c->encap = path->encap;
	from_l2tp_addr(&path->local, &c->local);
	if (path->encap == L2TP_ENCAP_IP)
		c->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, L2TPD_IPPROTO_L2TP);
	else
		c->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (c->fd < 0) {
		rc = -errno;
		free(c);
		return rc;
	}
	if (family == AF_INET6)
		setsockopt(c->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	/* The tunnels' connected data sockets share this address and port. */
	if (setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (path->encap == L2TP_ENCAP_IP && (rc = ip_ctrl_filter(c->fd, family)) < 0) ||
	    bind(c->fd, &c->local.sa, l2tpd_addr_len(&c->local)) < 0) {
		rc = -errno;
		goto fail;
	}
	c->w = l2tpd_loop_add(m->loop, c->fd, EPOLLIN, ctl_rx, c);
	if (!c->w) {
		rc = -errno;
		goto fail;
	}
	c->next = m->socks;
	m->socks = c;
	*out = c;
	return 0;
fail:
	close(c->fd);
	free(c);
	return rc;
}

static void ctl_close(struct l2tpd_mgr *m, struct ctl_sock *c)
{
	for (struct ctl_sock **pp = &m->socks; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	l2tpd_timer_cancel(m->loop, &c->linger);
	l2tpd_loop_del(m->loop, c->w);
	close(c->fd);
	free(c);
}

static void ctl_linger_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct ctl_sock *c = arg;

	(void)t;
	(void)now;
	ctl_close(c->m, c);
}

/* When no managed tunnel uses the control socket of |path|: close it after CTL_LINGER. */
static void ctl_put(struct l2tpd_mgr *m, const struct l2tp_path *path, bool now)
{
	struct ctl_sock *c = ctl_find(m, path->encap, &path->local);

	if (!c)
		return;
	for (struct l2tpd_mtunnel *mt = m->tunnels; mt; mt = mt->next)
		if (ctl_find(m, mt->path.encap, &mt->path.local) == c)
			return;
	if (now) {
		ctl_close(m, c);
		return;
	}
	l2tpd_timer_init(&c->linger, ctl_linger_cb, c);
	l2tpd_timer_set(m->loop, &c->linger, l2tpd_clock_now() + CTL_LINGER);
}

static void ctl_free_all(struct l2tpd_mgr *m)
{
	while (m->socks)
		ctl_close(m, m->socks);
}

static void handle(struct l2tpd_mgr *m, const struct l2tp_path *path, const uint8_t *pkt,
		   size_t len)
{
	uint64_t df = l2tp_ctx_stats(m->ctx)->rx_digest_failures;

	m->accepting = NULL;
	m->in_lib = true;
	(void)l2tp_ctx_handle_ctrl_pkt(m->ctx, path, pkt, len, l2tpd_clock_now());
	m->in_lib = false;
	/* An SCCRQ we accepted whose digest failed: count it on that tunnel. */
	if (m->accepting)
		m->accepting->digest_failures += l2tp_ctx_stats(m->ctx)->rx_digest_failures - df;
	m->accepting = NULL;
	after(m);
}

static void ctl_rx(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct ctl_sock *c = arg;
	struct l2tpd_mgr *m = c->m;
	struct l2tp_path path = {.encap = c->encap};

	(void)w;
	(void)events;
	to_l2tp_addr(&c->local, &path.local);
	for (int i = 0; i < RX_BURST; i++) {
		union l2tpd_addr from;
		socklen_t sl = sizeof(from);
		ssize_t n = recvfrom(c->fd, m->buf, sizeof(m->buf), 0, &from.sa, &sl);
		const uint8_t *p = m->buf;
		size_t len;

		if (n < 0)
			return;
		len = (size_t)n;
		if (c->encap == L2TP_ENCAP_IP && c->local.sa.sa_family == AF_INET) {
			size_t ihl = len ? (size_t)(p[0] & 0x0f) * 4 : 0;

			if (ihl < 20 || ihl > len)
				continue;
			p += ihl;
			len -= ihl;
		}
		/* Over UDP a data message has the T bit clear: not ours. */
		if (c->encap == L2TP_ENCAP_UDP && (len < 1 || !(p[0] & 0x80)))
			continue;
		to_l2tp_addr(&from, &path.peer);
		if (c->encap == L2TP_ENCAP_IP)
			path.peer.port = 0;
		handle(m, &path, p, len);
	}
}

/* The datapath's hook: a control message on a managed tunnel's data socket. */
static void dp_ctrl_rx(void *arg, struct l2tpd_tunnel *t, const uint8_t *pkt, size_t len)
{
	struct l2tpd_mgr *m = arg;
	struct l2tp_path path;

	if (t->mt) {
		handle(m, &t->mt->path, pkt, len);
	} else if (t->dying) {
		/* a deleted tunnel's StopCCN acknowledged, or retransmitted */
		api_path(&t->cfg, &path);
		handle(m, &path, pkt, len);
	}
}

static void send_all(struct l2tpd_mgr *m)
{
	l2tp_time_t now = l2tpd_clock_now();

	for (int i = 0; i < TX_BURST; i++) {
		struct l2tp_path path;
		union l2tpd_addr to;
		struct ctl_sock *c;
		ssize_t n = l2tp_ctx_write_pkt(m->ctx, &path, m->buf, sizeof(m->buf), now);

		if (n <= 0)
			return;
		c = ctl_find(m, path.encap, &path.local);
		if (!c) {
			/* A StopCCN retransmitted after its tunnel was deleted. */
			log_debug("control: no socket for a message to send");
			continue;
		}
		from_l2tp_addr(&path.peer, &to);
		if (sendto(c->fd, m->buf, (size_t)n, 0, &to.sa, l2tpd_addr_len(&to)) < 0 &&
		    errno != EAGAIN)
			log_warnx_rl(&m->rl, now, "control: send: %s", strerror(errno));
	}
	kick(m); /* more to send: carry on at the next turn */
}

/* After any input: send what the context has, arm its next deadline. */
static void after(struct l2tpd_mgr *m)
{
	l2tp_time_t now = l2tpd_clock_now(), d;

	send_all(m);
	d = l2tp_ctx_next_deadline(m->ctx, now);
	if (d == L2TP_TIME_NEVER)
		l2tpd_timer_cancel(m->loop, &m->tick);
	else
		l2tpd_timer_set(m->loop, &m->tick, d);
}

static void tick_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct l2tpd_mgr *m = arg;

	(void)t;
	m->in_lib = true;
	l2tp_ctx_on_timeout(m->ctx, now);
	m->in_lib = false;
	after(m);
}

/* ---- events ----------------------------------------------------------------- */

static void hook_reap(struct hook_run *h)
{
	struct l2tpd_mgr *m = h->m;
	int st = 0;

	if (waitpid(h->pid, &st, WNOHANG) == h->pid) {
		if (WIFSIGNALED(st))
			log_warnx("event hook %s: killed by signal %d", m->hook, WTERMSIG(st));
		else if (WEXITSTATUS(st))
			log_warnx("event hook %s: exit status %d", m->hook, WEXITSTATUS(st));
	}
	for (struct hook_run **pp = &m->hooks; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	m->n_hooks--;
	l2tpd_loop_del(m->loop, h->w);
	l2tpd_timer_cancel(m->loop, &h->kill);
	close(h->pidfd);
	free(h);
}

static void hook_done(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	(void)w;
	(void)events;
	hook_reap(arg);
}

static void hook_kill(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct hook_run *h = arg;

	(void)t;
	(void)now;
	log_warnx("event hook %s: still running after %llu s, killed", h->m->hook,
		  (unsigned long long)(HOOK_TIMEOUT / L2TP_SEC));
	kill(h->pid, SIGKILL); /* pidfd_done reaps it */
}

static void envf(char **env, int *n, const char *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void envf(char **env, int *n, const char *k, const char *fmt, ...)
{
	char v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (asprintf(&env[*n], "%s=%s", k, v) >= 0)
		(*n)++;
}

/* Run the event hook: never waits for it; at most HOOK_MAX_RUNNING at once. */
static void hook_run(struct l2tpd_mgr *m, const struct l2tpd_mevent *ev)
{
	char *env[24], *argv[3] = {m->hook, (char *)ev->what, NULL};
	posix_spawn_file_actions_t fa;
	struct hook_run *h;
	int n = 0, rc;

	if (!m->hook)
		return;
	if (m->n_hooks >= HOOK_MAX_RUNNING) {
		log_warnx_rl(&m->rl, l2tpd_clock_now(),
			     "event hook: %d still running, %s not reported", HOOK_MAX_RUNNING,
			     ev->what);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	envf(env, &n, "PATH", "%s", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	envf(env, &n, "L2TP_EVENT", "%s", ev->what);
	if (ev->mt) {
		envf(env, &n, "L2TP_TUNNEL_ID", "%u", ev->mt->cfg.tunnel.conn_id);
		if (ev->mt->dt)
			envf(env, &n, "L2TP_PEER_TUNNEL_ID", "%u", ev->mt->dt->cfg.peer_conn_id);
	}
	if (ev->peer)
		envf(env, &n, "L2TP_PEER", "%s", ev->peer);
	if (ev->peer_hostname && ev->peer_hostname[0])
		envf(env, &n, "L2TP_PEER_HOSTNAME", "%s", ev->peer_hostname);
	if (ev->ms) {
		envf(env, &n, "L2TP_SESSION_ID", "%u", ev->ms->session_id);
		envf(env, &n, "L2TP_REMOTE_END_ID", "%s", ev->ms->cfg.m.remote_end_id);
		if (ev->ms->ls)
			envf(env, &n, "L2TP_PEER_SESSION_ID", "%u",
			     l2tp_session_peer_id(ev->ms->ls));
		if (ev->ms->ifname[0])
			envf(env, &n, "L2TP_IFNAME", "%s", ev->ms->ifname);
	}
	if (ev->result) {
		envf(env, &n, "L2TP_RESULT", "%u", ev->result);
		envf(env, &n, "L2TP_ERROR", "%u", ev->error);
	}
	if (ev->reason)
		envf(env, &n, "L2TP_REASON", "%s", ev->reason);
	if (ev->by_peer || ev->timeout)
		envf(env, &n, "L2TP_DOWN_BY", "%s", ev->timeout ? "timeout" : "peer");
	env[n] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&h->pid, m->hook, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < n; i++)
		free(env[i]);
	if (rc != 0) {
		log_warnx_rl(&m->rl, l2tpd_clock_now(), "event hook %s: %s", m->hook, strerror(rc));
		free(h);
		return;
	}
	h->m = m;
	h->pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	if (h->pidfd >= 0)
		h->w = l2tpd_loop_add(m->loop, h->pidfd, EPOLLIN, hook_done, h);
	if (!h->w) {
		/* No pidfd: wait for it here (it is bounded by the kill below). */
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		if (h->pidfd >= 0)
			close(h->pidfd);
		free(h);
		return;
	}
	l2tpd_timer_init(&h->kill, hook_kill, h);
	l2tpd_timer_set(m->loop, &h->kill, l2tpd_clock_now() + HOOK_TIMEOUT);
	h->next = m->hooks;
	m->hooks = h;
	m->n_hooks++;
}

static void put_str(struct nlmsghdr *nlh, size_t cap, uint16_t type, const char *s)
{
	if (s && s[0])
		mnl_attr_put_strz_check(nlh, cap, type, s);
}

static void emit(struct l2tpd_mgr *m, const struct l2tpd_mevent *ev)
{
	union {
		uint64_t align;
		uint8_t b[1024];
	} buf;
	struct nlmsghdr *nlh;

	hook_run(m, ev);
	if (!m->event_fn)
		return;
	nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_L2TPD_FAMILY_ID, L2TPD_CMD_EVENT, 0,
				 0);
	if (!nlh)
		return;
	put_str(nlh, sizeof(buf.b), L2TPD_ATTR_EVENT, ev->what);
	if (ev->mt)
		mnl_attr_put_u32_check(nlh, sizeof(buf.b), L2TPD_ATTR_CONN_ID,
				       ev->mt->cfg.tunnel.conn_id);
	if (ev->ms) {
		mnl_attr_put_u32_check(nlh, sizeof(buf.b), L2TPD_ATTR_SESSION_ID,
				       ev->ms->session_id);
		put_str(nlh, sizeof(buf.b), L2TPD_ATTR_REMOTE_END_ID, ev->ms->cfg.m.remote_end_id);
		put_str(nlh, sizeof(buf.b), L2TPD_ATTR_IFNAME, ev->ms->ifname);
	}
	put_str(nlh, sizeof(buf.b), L2TPD_ATTR_PEER, ev->peer);
	put_str(nlh, sizeof(buf.b), L2TPD_ATTR_PEER_HOSTNAME, ev->peer_hostname);
	if (ev->result) {
		mnl_attr_put_u16_check(nlh, sizeof(buf.b), L2TPD_ATTR_RESULT, ev->result);
		mnl_attr_put_u16_check(nlh, sizeof(buf.b), L2TPD_ATTR_ERROR, ev->error);
	}
	if (ev->by_peer)
		mnl_attr_put_u8_check(nlh, sizeof(buf.b), L2TPD_ATTR_BY_PEER, 1);
	if (ev->timeout)
		mnl_attr_put_u8_check(nlh, sizeof(buf.b), L2TPD_ATTR_TIMEOUT, 1);
	put_str(nlh, sizeof(buf.b), L2TPD_ATTR_REASON, ev->reason);
	m->event_fn(m->event_arg, nlh);
}

/* "192.0.2.2:1701" over UDP, "192.0.2.2" over IP (no port there). */
static const char *addr_str(const struct l2tp_path *p, const struct l2tp_addr *a, char *buf,
			    size_t cap)
{
	struct l2tp_addr x = *a;
	size_t n;

	if (p->encap == L2TP_ENCAP_UDP)
		return l2tp_addr_str(a, buf, cap);
	x.port = 0;
	l2tp_addr_str(&x, buf, cap);
	n = strlen(buf);
	if (n > 2 && !strcmp(buf + n - 2, ":0")) {
		buf[n - 2] = '\0';
		if (buf[0] == '[' && buf[n - 3] == ']') {
			memmove(buf, buf + 1, n - 4);
			buf[n - 4] = '\0';
		}
	}
	return buf;
}

static const char *peer_str(const struct l2tpd_mtunnel *mt, char *buf, size_t cap)
{
	return addr_str(&mt->path, &mt->path.peer, buf, cap);
}

/* A session's name in logs: its remote end id, else (v2) its interface. */
static const char *ms_name(const struct l2tpd_msession *ms)
{
	if (ms->cfg.m.remote_end_id[0])
		return ms->cfg.m.remote_end_id;
	return ms->ifname[0] ? ms->ifname : ms->cfg.session.ifname[0] ? ms->cfg.session.ifname : "ppp";
}

/* ---- timers and deferred work ---------------------------------------------------- */

/* Hand a session's datapath to the reaper: it stops carrying the managed session. */
static void retire(struct l2tpd_mgr *m, struct l2tpd_msession *ms)
{
	if (ms->ppp) {
		/* before the datapath session: its Terminate-Request goes out on it */
		l2tpd_ppp_link_free(ms->ppp);
		ms->ppp = NULL;
	}
	if (ms->pppd) {
		l2tpd_pppd_free(ms->pppd);
		ms->pppd = NULL;
	}
	ms->ds->ms = NULL;
	ms->ds->dying = true;
	ms->ds = NULL;
	kick(m);
}

/* Delete up to |budget| dying sessions (one batch), and dying tunnels left empty. */
static bool reap(struct l2tpd_mgr *m, unsigned int budget)
{
	struct l2tpd_session *batch[REAP_PER_TURN];
	struct l2tpd_tunnel *t, *tn;
	size_t n = 0;
	bool more = false;

	if (budget > REAP_PER_TURN)
		budget = REAP_PER_TURN;
	for (t = m->reg->tunnels; t && !more; t = t->next) {
		for (struct l2tpd_session *s = t->sessions; s; s = s->next) {
			if (!s->dying && !t->dying)
				continue;
			if (n == budget) {
				more = true;
				break;
			}
			batch[n++] = s;
		}
	}
	l2tpd_sessions_del(m->reg, m->dp, batch, n);
	for (t = m->reg->tunnels; t; t = tn) {
		tn = t->next;
		if (t->dying && !t->sessions)
			l2tpd_tunnel_del(m->reg, m->dp, t);
	}
	return more;
}

/* A dying session still holding interface |name| goes now (it comes back). */
static void reap_ifname(struct l2tpd_mgr *m, const char *name)
{
	struct l2tpd_session *s = name[0] ? l2tpd_session_find_ifname(m->reg, name) : NULL;

	if (s && (s->dying || s->tunnel->dying))
		l2tpd_session_del(m->reg, m->dp, s);
}

/* 1 s, 2 s, 4 s ... 60 s, each with up to 25 % jitter so that peers do not sync. */
static l2tp_time_t backoff(unsigned int attempts)
{
	l2tp_time_t d = BACKOFF_MIN;
	uint32_t r = 0;

	for (unsigned int i = 1; i < attempts && d < BACKOFF_MAX; i++)
		d *= 2;
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	/* no jitter when the pool is not ready (r stays 0); a (void) cast does not
	 * silence warn_unused_result under _FORTIFY_SOURCE */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = 0;
	return d + (d / 4) * (r % 1000) / 1000;
}

static void kick(struct l2tpd_mgr *m)
{
	if (!m->kick.linked)
		l2tpd_timer_set(m->loop, &m->kick, l2tpd_clock_now());
}

static int tunnel_open(struct l2tpd_mtunnel *mt);
static int session_open(struct l2tpd_msession *ms);
static uint32_t draw_session_id(struct l2tpd_mgr *m, const struct l2tpd_mtunnel *mt);

static void tunnel_retry_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct l2tpd_mtunnel *mt = arg;

	(void)t;
	(void)now;
	if (!mt->lt && tunnel_open(mt) < 0)
		l2tpd_timer_set(mt->mgr->loop, &mt->retry, now + backoff(++mt->attempts));
	after(mt->mgr);
}

static void session_retry_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct l2tpd_msession *ms = arg;
	struct l2tp_tunnel *lt = ms->mt->lt;

	(void)t;
	if (!ms->ls && lt && l2tp_tunnel_state(lt) == L2TP_TUNNEL_ESTABLISHED &&
	    l2tp_tunnel_initiator(lt) && session_open(ms) < 0)
		l2tpd_timer_set(ms->mt->mgr->loop, &ms->retry, now + backoff(++ms->attempts));
	after(ms->mt->mgr);
}

static void kick_cb(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct l2tpd_mgr *m = arg;

	(void)t;
	if (reap(m, REAP_PER_TURN))
		kick(m);
	while (m->n_orphans) {
		struct l2tp_tunnel *o = l2tp_tunnel_find(m->ctx, m->orphans[--m->n_orphans]);

		if (o) {
			m->in_lib = true;
			l2tp_tunnel_close(o, 3, 0, "control connection already exists", now);
			m->in_lib = false;
		}
	}
	for (struct l2tpd_mtunnel *mt = m->tunnels; mt; mt = mt->next) {
		struct l2tp_tunnel *lt = mt->lt;

		if (mt->close_pending && lt) {
			mt->close_pending = false;
			m->in_lib = true;
			l2tp_tunnel_close(lt, 2, 0, "replaced by a new connection from the peer",
					  now);
			m->in_lib = false;
			continue;
		}
		for (struct l2tpd_msession *ms = mt->sessions; ms; ms = ms->next) {
			if (ms->close_pending && ms->ls) {
				ms->close_pending = false;
				m->in_lib = true;
				l2tp_session_close(ms->ls, 2, 0, ms->last_reason, now);
				m->in_lib = false;
			}
		}
		if (mt->open_sessions && lt && l2tp_tunnel_state(lt) == L2TP_TUNNEL_ESTABLISHED) {
			mt->open_sessions = false;
			for (struct l2tpd_msession *ms = mt->sessions; ms; ms = ms->next)
				if (!ms->ls && !ms->retry.linked && session_open(ms) < 0)
					l2tpd_timer_set(m->loop, &ms->retry,
							now + backoff(++ms->attempts));
		}
	}
	after(m);
}

/* ---- opening ------------------------------------------------------------------ */

static void tunnel_cfg(const struct l2tpd_mtunnel *mt, struct l2tp_tunnel_cfg *c)
{
	const struct cli_managed *k = &mt->cfg.m;

	memset(c, 0, sizeof(*c));
	if (k->secret[0]) {
		c->secret = (const uint8_t *)k->secret;
		c->secret_len = strlen(k->secret);
		c->digest = k->digest;
	}
	c->hostname = k->hostname[0] ? k->hostname : NULL;
	c->peer_hostname = k->peer_hostname[0] ? k->peer_hostname : NULL;
	c->hello = k->hello ? (l2tp_time_t)k->hello * L2TP_SEC : L2TP_TIME_NEVER;
	c->xport.max_retries = k->retries;
	c->xport.rwnd = k->window;
	/* RFC 3931 §5.4.3: what our sessions may be (l2tpd carries all three) */
	c->pw_caps[0] = L2TP_PW_ETH;
	c->pw_caps[1] = L2TP_PW_ETH_VLAN;
	c->pw_caps[2] = L2TP_PW_PPP;
	c->n_pw_caps = 3;
	c->version = k->version;
	c->fallback_v2 = k->fallback;
	c->fallback_timeout = (l2tp_time_t)k->fallback_timeout * L2TP_SEC;
	c->user = (void *)mt;
}

static int tunnel_open(struct l2tpd_mtunnel *mt)
{
	struct l2tpd_mgr *m = mt->mgr;
	struct l2tp_tunnel_cfg c;
	char a[64];
	int rc;

	tunnel_cfg(mt, &c);
	m->in_lib = true;
	rc = l2tp_tunnel_open(m->ctx, &mt->path, &c, l2tpd_clock_now(), &mt->lt);
	m->in_lib = false;
	if (rc < 0) {
		mt->lt = NULL;
		log_warnx("tunnel %u: cannot open a control connection to %s: %s",
			  mt->cfg.tunnel.conn_id, peer_str(mt, a, sizeof(a)), strerror(-rc));
		return rc;
	}
	log_debug("tunnel %u: SCCRQ to %s (attempt %u)", mt->cfg.tunnel.conn_id,
		  peer_str(mt, a, sizeof(a)), mt->attempts + 1);
	return 0;
}

static void session_cfg(const struct l2tpd_msession *ms, struct l2tp_session_cfg *c)
{
	const struct cli_managed *k = &ms->cfg.m;

	memset(c, 0, sizeof(*c));
	c->session_id = ms->session_id;
	c->pw_type = k->pw_type;
	c->remote_end_id = (const uint8_t *)k->remote_end_id;
	c->remote_end_id_len = strlen(k->remote_end_id);
	c->cookie_len = k->cookie_none ? 0 : 8;
	c->l2spec = k->l2spec_set ? (int8_t)ms->cfg.session.l2spec_type : L2TP_L2SPEC_DEFAULT;
	c->recv_seq = k->recv_seq;
	c->mtu = k->pw_type == L2TP_PWTYPE_PPP && k->ppp.mru ? k->ppp.mru : 0;
	c->user = (void *)ms;
}

static int session_open(struct l2tpd_msession *ms)
{
	struct l2tpd_mgr *m = ms->mt->mgr;
	struct l2tp_session_cfg c;
	int rc;

	/* RFC 3931 §5.4.4: an L2TPv3 ICRQ carries a Remote End ID.  A session
	 * of a fallback tunnel may have none; it waits, not retried. */
	if (l2tp_tunnel_version(ms->mt->lt) != L2TP_VER_2 && !ms->cfg.m.remote_end_id[0]) {
		if (!ms->last_reason[0])
			log_warnx("tunnel %u: session %u (%s) not opened: the tunnel speaks L2TPv3 "
				  "and the session has no remote_end_id",
				  ms->mt->cfg.tunnel.conn_id, ms->session_id, ms_name(ms));
		snprintf(ms->last_reason, sizeof(ms->last_reason),
			 "L2TPv3 needs a remote_end_id (no fallback happened)");
		return 0;
	}
	session_cfg(ms, &c);
	m->in_lib = true;
	rc = l2tp_session_open(ms->mt->lt, &c, l2tpd_clock_now(), &ms->ls);
	m->in_lib = false;
	if (rc < 0) {
		ms->ls = NULL;
		log_warnx("tunnel %u: cannot open session %u (%s): %s", ms->mt->cfg.tunnel.conn_id,
			  ms->session_id, ms_name(ms), strerror(-rc));
	}
	return rc;
}

/* ---- libl2tp callbacks ----------------------------------------------------------- */

static void cb_log(void *user, int level, const char *line)
{
	(void)user;
	if (level <= L2TP_LOG_WARN)
		log_warnx("control: %s", line);
	else if (level == L2TP_LOG_INFO)
		log_info("control: %s", line);
	else
		log_debug("control: %s", line);
}

static int cb_tunnel_request(void *user, const struct l2tp_tunnel_req *req,
			     struct l2tp_tunnel_cfg *cfg)
{
	struct l2tpd_mgr *m = user;
	char a[64], hn[L2TP_HOSTNAME_MAX + 1];
	size_t hl = req->hostname.len < sizeof(hn) - 1 ? req->hostname.len : sizeof(hn) - 1;
	bool name_mismatch = false;
	const struct l2tpd_mtunnel *ver_mt = NULL, *port_mt = NULL;

	memcpy(hn, req->hostname.p ? (const char *)req->hostname.p : "", req->hostname.p ? hl : 0);
	hn[req->hostname.p ? hl : 0] = '\0';
	addr_str(req->path, &req->path->peer, a, sizeof(a));
	/* The first line that fits takes it; lines that nearly fit say why not. */
	for (struct l2tpd_mtunnel *mt = m->tunnels; mt; mt = mt->next) {
		if (mt->path.encap != req->path->encap ||
		    !same_host(&mt->path.peer, &req->path->peer) ||
		    !same_host(&mt->path.local, &req->path->local) ||
		    (mt->path.encap == L2TP_ENCAP_UDP &&
		     mt->path.local.port != req->path->local.port))
			continue;
		if (mt->cfg.m.peer_hostname[0] && strcmp(mt->cfg.m.peer_hostname, hn)) {
			name_mismatch = true;
			continue;
		}
		/* Several LACs behind one address differ by their source port. */
		if (mt->path.encap == L2TP_ENCAP_UDP && mt->path.peer.port != req->path->peer.port) {
			port_mt = port_mt ? port_mt : mt;
			continue;
		}
		/*
		 * The versions a tunnel speaks: "version 2" only 2; "version 3"
		 * only 3, and 2 too with "fallback on".
		 */
		if (req->version == L2TP_VER_2 ? mt->cfg.m.version != 2 && !mt->cfg.m.fallback
					       : mt->cfg.m.version == 2) {
			ver_mt = ver_mt ? ver_mt : mt;
			continue;
		}
		if (mt->lt) {
			/*
			 * A new connection from a peer we have one with: it lost
			 * its state (restarted). Refuse this one, end ours; its
			 * next SCCRQ finds us free.
			 */
			if (l2tp_tunnel_state(mt->lt) == L2TP_TUNNEL_ESTABLISHED) {
				log_info("tunnel %u: new SCCRQ from %s while established: "
					 "the peer restarted, closing ours",
					 mt->cfg.tunnel.conn_id, a);
				mt->close_pending = true;
				kick(m);
			}
			return 2; /* General error */
		}
		tunnel_cfg(mt, cfg);
		m->accepting = mt;
		log_info("tunnel %u: accepting a control connection from %s (host name \"%s\")",
			 mt->cfg.tunnel.conn_id, a, hn);
		return 0;
	}
	if (ver_mt) {
		/* Result 5 tells the peer which version we speak (RFC 2661 §4.4.2). */
		log_warnx("tunnel %u: refused L2TPv%u SCCRQ from %s: configured for L2TPv%u%s",
			  ver_mt->cfg.tunnel.conn_id, req->version, a, ver_mt->cfg.m.version,
			  ver_mt->cfg.m.version == 3 ? " (fallback off)" : "");
		return 5; /* protocol version not supported */
	}
	if (port_mt) {
		/* The data socket is connected to udp_dport: data would not flow. */
		log_warnx("tunnel %u: refused SCCRQ from %s: its source port is not the "
			  "configured udp_dport %u",
			  port_mt->cfg.tunnel.conn_id, a, port_mt->path.peer.port);
		return 2;
	}
	log_warnx("refused SCCRQ from %s (host name \"%s\"): %s", a, hn,
		  name_mismatch ? "host name is not the configured peer_hostname"
				: "no managed tunnel is configured for this peer");
	{
		struct l2tpd_mevent ev = {.what = "refused",
					  .peer = a,
					  .peer_hostname = hn,
					  .result = 4,
					  .reason = name_mismatch ? "host name mismatch"
								  : "no tunnel configured"};
		emit(m, &ev);
	}
	return 4; /* Requester is not authorized to establish a control channel */
}

/* msg_type: L2TP_MSG_STOPCCN or L2TP_MSG_CDN, to name a result code when the
 * peer gave no message (xl2tpd's CDN has none). */
static void set_reason(char *dst, size_t cap, const struct l2tp_down_reason *d,
		       uint16_t msg_type)
{
	char msg[128];

	/* d->msg may be |dst| itself: the reason we closed with */
	snprintf(msg, sizeof(msg), "%s", d->msg ? d->msg : "");
	if (!msg[0] && d->result) {
		const char *name = l2tp_catalog_result_name(msg_type, d->result);

		snprintf(msg, sizeof(msg), "%s", name ? name : "no reason given");
	}
	snprintf(dst, cap, "%s%.75s",
		 d->timeout   ? "peer not answering: "
		 : d->by_peer ? "by peer: "
			      : "",
		 msg);
}

/* An accepted connection that never came up: its line says why (show tunnel). */
static void cb_tunnel_setup_failed(void *user, void *tunnel_user, const struct l2tp_down_reason *why)
{
	struct l2tpd_mgr *m = user;
	struct l2tpd_mtunnel *mt = tunnel_user;

	for (struct l2tpd_mtunnel *o = m->tunnels; o; o = o->next) {
		if (o != mt)
			continue;
		mt->last_result = why->result;
		set_reason(mt->last_reason, sizeof(mt->last_reason), why, L2TP_MSG_STOPCCN);
		log_warnx("tunnel %u: a connection from the peer was not set up (result %u%s): %s",
			  mt->cfg.tunnel.conn_id, why->result, why->by_peer ? ", by the peer" : "",
			  mt->last_reason);
		return;
	}
	/* the line was deleted meanwhile */
}

static void cb_tunnel_event(void *user, struct l2tp_tunnel *t, const struct l2tp_event *ev)
{
	struct l2tpd_mgr *m = user;
	struct l2tpd_mtunnel *mt = l2tp_tunnel_user(t);
	l2tp_time_t now = l2tpd_clock_now();
	char a[64];

	if (!mt)
		return;
	peer_str(mt, a, sizeof(a));
	if (mt->lt && mt->lt != t) {
		/* Two SCCRQs from the peer accepted at once: keep the first. */
		if (ev->type == L2TP_EV_UP && m->n_orphans < L2TP_ARRAY_SIZE(m->orphans)) {
			log_info("tunnel %u: a second connection from %s came up: closing it",
				 mt->cfg.tunnel.conn_id, a);
			l2tp_tunnel_set_user(t, NULL);
			m->orphans[m->n_orphans++] = l2tp_tunnel_id(t);
			kick(m);
		}
		return;
	}
	if (ev->type == L2TP_EV_UP) {
		struct l2tpd_mevent e = {.what = "tunnel-up",
					 .mt = mt,
					 .peer = a,
					 .peer_hostname = l2tp_tunnel_peer_hostname(t)};

		mt->lt = t;
		mt->up_since = now;
		mt->attempts = 0;
		l2tpd_timer_cancel(m->loop, &mt->retry);
		if (mt->dt) {
			mt->dt->cfg.peer_conn_id = l2tp_tunnel_peer_id(t);
			/* v2 data headers carry tunnel ids; after a fallback the version changed */
			mt->dt->cfg.proto_version = (uint8_t)l2tp_tunnel_version(t);
			mt->dt->ccid = l2tp_tunnel_id(t);
		}
		log_info("tunnel %u: established with %s (L2TPv%d, host name \"%s\", peer tunnel "
			 "%u, %s)",
			 mt->cfg.tunnel.conn_id, a, l2tp_tunnel_version(t),
			 l2tp_tunnel_peer_hostname(t), l2tp_tunnel_peer_id(t),
			 l2tp_tunnel_initiator(t) ? "initiator" : "acceptor");
		/* The end that initiated opens the sessions (mgr.h). */
		if (l2tp_tunnel_initiator(t)) {
			mt->open_sessions = true;
			kick(m);
		}
		emit(m, &e);
		return;
	}
	if (ev->type != L2TP_EV_DOWN)
		return;
	{
		struct l2tpd_mevent e = {.what = "tunnel-down",
					 .mt = mt,
					 .peer = a,
					 .peer_hostname = l2tp_tunnel_peer_hostname(t),
					 .result = ev->down.result,
					 .error = ev->down.error,
					 .by_peer = ev->down.by_peer,
					 .timeout = ev->down.timeout,
					 .reason = ev->down.msg};

		struct l2tp_tunnel_stats st;

		l2tp_tunnel_get_stats(t, &st);
		mt->digest_failures += st.rx_digest_failures;
		mt->lt = NULL;
		mt->up_since = 0;
		mt->last_result = ev->down.result;
		set_reason(mt->last_reason, sizeof(mt->last_reason), &ev->down,
			   L2TP_MSG_STOPCCN);
		log_info("tunnel %u: down (result %u, error %u%s%s): %s", mt->cfg.tunnel.conn_id,
			 ev->down.result, ev->down.error, ev->down.by_peer ? ", by the peer" : "",
			 ev->down.timeout ? ", peer lost" : "", ev->down.msg ? ev->down.msg : "");
		emit(m, &e); /* with the peer's tunnel id still known */
		if (mt->dt)
			mt->dt->cfg.peer_conn_id = 0;
	}
	if (!mt->cfg.m.accept && !mt->close_pending) {
		l2tp_time_t d = backoff(++mt->attempts);

		l2tpd_timer_set(m->loop, &mt->retry, now + d);
		log_info("tunnel %u: next attempt in %llu ms", mt->cfg.tunnel.conn_id,
			 (unsigned long long)(d / 1000000));
	}
	mt->close_pending = false;
}

static struct l2tpd_msession *find_reid(struct l2tpd_mtunnel *mt, const struct l2tp_view *id)
{
	for (struct l2tpd_msession *ms = mt->sessions; ms; ms = ms->next)
		if (strlen(ms->cfg.m.remote_end_id) == id->len &&
		    !memcmp(ms->cfg.m.remote_end_id, id->p, id->len))
			return ms;
	return NULL;
}

/*
 * An L2TPv2 call (ICRQ/OCRQ) carries no Remote End ID: it takes the first
 * PPP session of the tunnel that has no call now.
 */
static int v2_call(struct l2tpd_mgr *m, struct l2tpd_mtunnel *mt, const struct l2tp_session_req *req,
		   struct l2tp_session_cfg *cfg)
{
	bool any = false;

	(void)m;
	for (struct l2tpd_msession *ms = mt->sessions; ms; ms = ms->next) {
		if (ms->cfg.m.pw_type != L2TP_PWTYPE_PPP)
			continue;
		any = true;
		if (ms->ls || ms->ds)
			continue;
		session_cfg(ms, cfg);
		ms->lns = true;
		log_info("tunnel %u: %s for session %u (peer session %u)", mt->cfg.tunnel.conn_id,
			 req->msg_type == L2TP_MSG_OCRQ ? "outgoing call" : "incoming call",
			 ms->session_id, req->peer_session_id);
		return 0;
	}
	log_warnx("tunnel %u: refused an L2TPv2 call: %s", mt->cfg.tunnel.conn_id,
		  any ? "every PPP session is in use" : "no PPP session is configured");
	/* CDN result codes, RFC 2661 §4.4.2: lack of facilities, temporary or permanent */
	return any ? 4 : 5;
}

static int cb_session_request(void *user, struct l2tp_tunnel *t, const struct l2tp_session_req *req,
			      struct l2tp_session_cfg *cfg)
{
	struct l2tpd_mgr *m = user;
	struct l2tpd_mtunnel *mt = l2tp_tunnel_user(t);
	struct l2tpd_msession *ms = NULL;
	int idl = (int)(req->remote_end_id.len > 64 ? 64 : req->remote_end_id.len);

	if (mt && l2tp_tunnel_version(t) == L2TP_VER_2)
		return v2_call(m, mt, req, cfg);
	if (mt)
		ms = find_reid(mt, &req->remote_end_id);
	if (!ms) {
		log_warnx("tunnel %u: refused session for remote end id \"%.*s\": not configured",
			  mt ? mt->cfg.tunnel.conn_id : 0, idl,
			  req->remote_end_id.p ? (const char *)req->remote_end_id.p : "");
		return 24; /* Attempt to connect to non-existent forwarder (RFC 4667 §7.1) */
	}
	if (req->pw_type != ms->cfg.m.pw_type) {
		log_warnx("tunnel %u: refused session \"%s\": pseudowire type %#x, configured %#x",
			  mt->cfg.tunnel.conn_id, ms->cfg.m.remote_end_id, req->pw_type,
			  ms->cfg.m.pw_type);
		return 14; /* Session not established due to unsupported PW type (RFC 3931 §5.4.2) */
	}
	if (ms->ls) {
		/* The peer lost the session we have: refuse, end ours; it retries. */
		log_info("tunnel %u: session \"%s\" requested again by the peer: closing ours",
			 mt->cfg.tunnel.conn_id, ms->cfg.m.remote_end_id);
		snprintf(ms->last_reason, sizeof(ms->last_reason), "replaced by the peer");
		ms->close_pending = true;
		kick(m);
		return 2;
	}
	session_cfg(ms, cfg);
	if (!ms->cfg.m.l2spec_set)
		cfg->l2spec = -1; /* follow the peer */
	ms->lns = true;
	return 0;
}

/* ---- PPP sessions ------------------------------------------------------------------ */

static int ppp_send(void *arg, const uint8_t *frame, size_t len)
{
	struct l2tpd_msession *ms = arg;
	struct l2tpd_mgr *m = ms->mt->mgr;

	if (!ms->ds || !m->dp->ops->session_send)
		return -ENOTCONN;
	return m->dp->ops->session_send(m->dp, ms->ds, frame, len);
}

static void ppp_down(void *arg, const char *why)
{
	struct l2tpd_msession *ms = arg;

	/* inside the endpoint's callback: the session closes at the next turn */
	snprintf(ms->last_reason, sizeof(ms->last_reason), "PPP: %.80s", why);
	ms->close_pending = true;
	kick(ms->mt->mgr);
}

static void dp_ppp_rx(void *arg, struct l2tpd_session *s, const uint8_t *frame, size_t len)
{
	(void)arg;
	if (s->ms && s->ms->ppp)
		l2tpd_ppp_link_input(s->ms->ppp, frame, len);
}

/* The PPP link of a session that just came up. 0, or -1 and the session closes. */
static int ppp_start(struct l2tpd_mgr *m, struct l2tpd_msession *ms)
{
	char label[64], why[128];
	struct l2tpd_ppp_link_cfg pc = {
	    .ppp = &ms->cfg.m.ppp,
	    .ifname = ms->ds->cfg.ifname,
	    .label = label,
	    .send = ppp_send,
	    .down = ppp_down,
	    .arg = ms,
	};
	int rc;

	snprintf(label, sizeof(label), "tunnel %u session %u", ms->mt->cfg.tunnel.conn_id,
		 ms->session_id);
	if (m->dp->ops->session_pppox) {
		/* the kernel carries the frames: PPP is pppd's (PPPoL2TP hand-off) */
		struct l2tpd_pppd_cfg dc = {
		    .ppp = &ms->cfg.m.ppp,
		    .ifname = ms->ds->cfg.ifname,
		    .label = label,
		    .lns = ms->lns,
		    .down = ppp_down,
		    .arg = ms,
		};

		rc = dc.fd = m->dp->ops->session_pppox(m->dp, ms->ds);
		if (rc < 0)
			snprintf(why, sizeof(why), "%.120s", m->dp->err[0] ? m->dp->err : strerror(-rc));
		else {
			if (ms->cfg.m.ppp.secrets[0])
				log_warnx("%s: pppd checks peers against /etc/ppp/*-secrets, not %s",
					  label, ms->cfg.m.ppp.secrets);
			rc = l2tpd_pppd_new(m->loop, &dc, &ms->pppd, why, sizeof(why));
			close(dc.fd);
		}
		if (rc == 0) {
			snprintf(ms->ds->cfg.ifname, sizeof(ms->ds->cfg.ifname), "%s",
				 l2tpd_pppd_ifname(ms->pppd));
			return 0;
		}
	} else {
		rc = l2tpd_ppp_link_new(m->loop, &pc, &ms->ppp, why, sizeof(why));
	}
	if (rc < 0) {
		log_warnx("%s: established but its PPP link failed: %s", label, why);
		snprintf(ms->last_reason, sizeof(ms->last_reason), "PPP: %.90s", why);
		retire(m, ms);
		ms->close_pending = true;
		kick(m);
		return -1;
	}
	snprintf(ms->ds->cfg.ifname, sizeof(ms->ds->cfg.ifname), "%s",
		 l2tpd_ppp_link_ifname(ms->ppp));
	return 0;
}

static void session_up(struct l2tpd_mgr *m, struct l2tpd_msession *ms, struct l2tp_session *s,
		       const struct l2tp_session_dp *dp)
{
	struct l2tpd_mtunnel *mt = ms->mt;
	struct l2tp_api_session c = {0};
	int err = 0;

	ms->ls = s;
	ms->attempts = 0;
	l2tpd_timer_cancel(m->loop, &ms->retry);
	c.present = L2TP_API_BIT(L2TP_ATTR_CONN_ID) | L2TP_API_BIT(L2TP_ATTR_PEER_CONN_ID) |
		    L2TP_API_BIT(L2TP_ATTR_SESSION_ID) | L2TP_API_BIT(L2TP_ATTR_PEER_SESSION_ID) |
		    L2TP_API_BIT(L2TP_ATTR_PW_TYPE) | L2TP_API_BIT(L2TP_ATTR_L2SPEC_TYPE);
	c.conn_id = mt->cfg.tunnel.conn_id;
	c.peer_conn_id = dp->peer_tunnel_id;
	c.session_id = dp->session_id;
	c.peer_session_id = dp->peer_session_id;
	/* The datapath carries Ethernet frames: VLAN-tagged ones are Ethernet too. */
	c.pw_type = L2TP_PWTYPE_ETH;
	/* The kernel's naming: COOKIE is sent, PEER_COOKIE expected (lib/dp.c). */
	c.cookie_len = dp->tx_cookie_len;
	memcpy(c.cookie, dp->tx_cookie, sizeof(c.cookie));
	c.peer_cookie_len = dp->rx_cookie_len;
	memcpy(c.peer_cookie, dp->rx_cookie, sizeof(c.peer_cookie));
	if (c.cookie_len)
		c.present |= L2TP_API_BIT(L2TP_ATTR_COOKIE);
	if (c.peer_cookie_len)
		c.present |= L2TP_API_BIT(L2TP_ATTR_PEER_COOKIE);
	c.l2spec_type = dp->l2spec;
	c.send_seq = dp->send_seq || ms->cfg.m.send_seq;
	c.recv_seq = dp->recv_seq;
	if (ms->cfg.m.pw_type == L2TP_PWTYPE_PPP) {
		c.pw_type = L2TP_PWTYPE_PPP;
		/* RFC 2661 §5.4: the LNS decides on sequencing, the LAC follows */
		c.lns_mode = ms->lns;
		c.present |= L2TP_API_BIT(L2TP_ATTR_LNS_MODE);
	}
	const char *name = ms->ifname[0] ? ms->ifname : ms->cfg.session.ifname;
	reap_ifname(m, name);
	if (name[0]) {
		c.present |= L2TP_API_BIT(L2TP_ATTR_IFNAME);
		snprintf(c.ifname, sizeof(c.ifname), "%s", name);
	}
	m->dp->err[0] = '\0';
	ms->ds = l2tpd_session_add(m->reg, m->dp, mt->dt, &c, &err);
	if (!ms->ds) {
		const char *why = m->dp->err[0] ? m->dp->err : strerror(-err);

		log_warnx("tunnel %u: session %u (%s) established but its datapath failed: %s",
			  c.conn_id, c.session_id, ms_name(ms), why);
		snprintf(ms->last_reason, sizeof(ms->last_reason), "datapath: %.80s", why);
		ms->close_pending = true;
		kick(m);
		return;
	}
	ms->ds->ms = ms;
	ms->ds->from_config = false;
	if (ms->cfg.m.pw_type == L2TP_PWTYPE_PPP && ppp_start(m, ms) < 0)
		return;
	snprintf(ms->ifname, sizeof(ms->ifname), "%s", ms->ds->cfg.ifname);
	ms->up_since = l2tpd_clock_now();
	log_info("tunnel %u: session %u (%s) up: peer session %u, interface %s, cookie %u/%u, "
		 "%s sublayer, seq %s%s",
		 c.conn_id, c.session_id, ms_name(ms), c.peer_session_id, ms->ifname,
		 c.cookie_len, c.peer_cookie_len, c.l2spec_type && dp->version == L2TP_VER_3 ? "default" : "no",
		 c.send_seq ? "send" : "", c.recv_seq ? " recv" : (c.send_seq ? "" : "none"));
	{
		char a[64];
		struct l2tpd_mevent e = {
		    .what = "session-up", .mt = mt, .ms = ms, .peer = peer_str(mt, a, sizeof(a))};

		emit(m, &e);
	}
}

static void cb_session_event(void *user, struct l2tp_session *s, const struct l2tp_event *ev)
{
	struct l2tpd_mgr *m = user;
	struct l2tpd_msession *ms = l2tp_session_user(s);
	struct l2tp_tunnel *lt;
	char a[64];

	if (!ms)
		return;
	if (ev->type == L2TP_EV_UP) {
		session_up(m, ms, s, ev->dp);
		return;
	}
	if (ev->type != L2TP_EV_DOWN)
		return;
	{
		struct l2tpd_mevent e = {.what = "session-down",
					 .mt = ms->mt,
					 .ms = ms,
					 .peer = peer_str(ms->mt, a, sizeof(a)),
					 .result = ev->down.result,
					 .error = ev->down.error,
					 .by_peer = ev->down.by_peer,
					 .timeout = ev->down.timeout,
					 .reason = ev->down.msg};

		if (ms->ds)
			retire(m, ms);
		ms->last_result = ev->down.result;
		/* a close of ours keeps the reason we gave (PPP, datapath) */
		if (ev->down.by_peer || ev->down.timeout || (ev->down.msg && *ev->down.msg) ||
		    !ms->last_reason[0])
			set_reason(ms->last_reason, sizeof(ms->last_reason), &ev->down,
				   L2TP_MSG_CDN);
		if (ms->up_since || ev->down.by_peer)
			log_info("tunnel %u: session %u (%s) down (result %u%s): %s",
				 ms->mt->cfg.tunnel.conn_id, ms->session_id,
				 ms_name(ms), ev->down.result,
				 ev->down.by_peer ? ", by the peer" : "", ms->last_reason);
		emit(m, &e);
		ms->ls = NULL;
		ms->up_since = 0;
	}
	/* An initiator whose tunnel stays up tries the session again later. */
	lt = ms->mt->lt;
	if (lt && lt != l2tp_session_tunnel(s))
		lt = NULL;
	if (lt && l2tp_tunnel_state(lt) == L2TP_TUNNEL_ESTABLISHED && l2tp_tunnel_initiator(lt)) {
		/* An L2TPv2 call dialled again is a new call: with a new id, as
		 * xl2tpd ignores an ICRQ that repeats an id it has seen. */
		if (l2tp_tunnel_version(lt) == L2TP_VER_2 && !ms->cfg.session.session_id) {
			uint32_t sid = draw_session_id(m, ms->mt);

			if (sid)
				ms->session_id = sid;
		}
		l2tpd_timer_set(m->loop, &ms->retry, l2tpd_clock_now() + backoff(++ms->attempts));
	}
}

/* ---- commands -------------------------------------------------------------------- */

static struct l2tpd_msession *session_find_id(struct l2tpd_mgr *m, uint32_t sid)
{
	for (struct l2tpd_mtunnel *mt = m->tunnels; mt; mt = mt->next)
		for (struct l2tpd_msession *ms = mt->sessions; ms; ms = ms->next)
			if (ms->session_id == sid)
				return ms;
	return NULL;
}

/* A local session id nobody uses: in the context, the registry (IP demux) or a config. */
static bool session_id_free(struct l2tpd_mgr *m, const struct l2tpd_mtunnel *mt, uint32_t sid)
{
	int family = mt->path.local.family == 6 ? AF_INET6 : AF_INET;

	if (session_find_id(m, sid) || l2tp_session_find(m->ctx, sid))
		return false;
	if (mt->path.encap == L2TP_ENCAP_IP && l2tpd_session_find_ip(m->reg, family, sid))
		return false;
	return !mt->dt || !l2tpd_session_find(mt->dt, sid);
}

/* A random free local session id (16 bits where L2TPv2 may be spoken), 0 if none. */
static uint32_t draw_session_id(struct l2tpd_mgr *m, const struct l2tpd_mtunnel *mt)
{
	uint32_t id_max = mt->cfg.m.version == 2 || mt->cfg.m.fallback ? 0xffff : UINT32_MAX;

	for (int tries = 0; tries < 64; tries++) {
		uint32_t r = 0;

		if (l2tpd_random(NULL, (uint8_t *)&r, sizeof(r)) == 0 && (r &= id_max) &&
		    session_id_free(m, mt, r))
			return r;
	}
	return 0;
}

#define FAIL(rc_, ...)                                                                             \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return (rc_);                                                                      \
	} while (0)

const char *l2tpd_mgr_session_problem(const struct cli_managed *t, const struct cli_managed *s)
{
	if (t->version == 2 && s->pw_type != L2TP_PWTYPE_PPP)
		return "an L2TPv2 tunnel carries PPP sessions only (pw_type ppp)";
	/* With fallback on, a v2-only peer (xl2tpd) never asks for one: the
	 * session is not opened (session_open) if the tunnel stays L2TPv3. */
	if (t->version != 2 && !t->fallback && !s->remote_end_id[0])
		return "an L2TPv3 session needs a remote_end_id";
	if (t->fallback && s->pw_type != L2TP_PWTYPE_PPP)
		return "a tunnel with fallback on carries PPP sessions only (pw_type ppp): "
		       "after a fallback to L2TPv2 nothing else could go";
	return NULL;
}

static int tunnel_add(struct l2tpd_mgr *m, const struct cli_cmd *cmd, bool from_config, char *err,
		      size_t errlen)
{
	uint32_t id = cmd->tunnel.conn_id;
	struct l2tpd_mtunnel *mt;
	struct ctl_sock *cs;
	char a[64];
	int rc;

	struct l2tpd_tunnel *old = l2tpd_tunnel_find(m->reg, id);

	/* Made again at once (a reload that changed its line): finish the old one now. */
	if (old && old->dying) {
		l2tpd_tunnel_del(m->reg, m->dp, old);
		old = NULL;
	}
	if (old)
		FAIL(-EEXIST, "tunnel %u already exists", id);
	/* the kernel's tunnel keeps the version it was made with */
	if (cmd->m.fallback && !strcmp(m->dp->ops->name, "kernel"))
		FAIL(-EOPNOTSUPP, "tunnel %u: fallback on needs l2tpd --datapath user "
				  "(the kernel's tunnel cannot change version)", id);
	mt = calloc(1, sizeof(*mt));
	if (!mt)
		FAIL(-ENOMEM, "out of memory");
	mt->mgr = m;
	mt->cfg = *cmd;
	mt->cfg.argc = 0;
	mt->cfg.argv = NULL; /* the caller's words: gone after this call */
	mt->from_config = from_config;
	api_path(&cmd->tunnel, &mt->path);
	for (struct l2tpd_mtunnel *o = m->tunnels; o; o = o->next) {
		if (o->path.encap == mt->path.encap && same_host(&o->path.peer, &mt->path.peer) &&
		    same_host(&o->path.local, &mt->path.local) &&
		    o->path.local.port == mt->path.local.port &&
		    o->path.peer.port == mt->path.peer.port) {
			free(mt);
			FAIL(-EEXIST, "tunnel %u already connects these addresses and ports",
			     o->cfg.tunnel.conn_id);
		}
	}
	struct l2tp_path mt_path_copy = mt->path;

	rc = ctl_get(m, &mt->path, &cs);
	if (rc < 0) {
		free(mt);
		if (rc == -EADDRNOTAVAIL)
			FAIL(rc, "tunnel %u: the local address is not on this host", id);
		if (rc == -EADDRINUSE)
			FAIL(rc, "tunnel %u: the local port is used by a static tunnel", id);
		FAIL(rc, "tunnel %u: control socket: %s", id, strerror(-rc));
	}
	m->dp->err[0] = '\0';
	struct l2tp_api_tunnel tc = cmd->tunnel;

	tc.proto_version = cmd->m.version == 2 ? 2 : 3; /* until a fallback changes it */
	mt->dt = l2tpd_tunnel_add_managed(m->reg, m->dp, &tc, mt, cmd->m.fallback, &rc);
	if (!mt->dt) {
		free(mt);
		ctl_put(m, &mt_path_copy, true);
		if (m->dp->err[0])
			FAIL(rc, "tunnel %u: %s", id, m->dp->err);
		if (rc == -EOPNOTSUPP)
			FAIL(rc,
			     "tunnel %u: managed UDP tunnels need one datapath worker "
			     "(l2tpd -w 1) for now",
			     id);
		if (rc == -EADDRINUSE)
			FAIL(rc, "tunnel %u: local address and port are in use", id);
		FAIL(rc, "tunnel %u: %s", id, strerror(-rc));
	}
	mt->dt->from_config = from_config;
	l2tpd_timer_init(&mt->retry, tunnel_retry_cb, mt);
	mt->next = m->tunnels;
	m->tunnels = mt;
	log_info("tunnel %u: managed, %s %s, %s", id,
		 cmd->m.accept ? "accepting from" : "initiating to",
		 peer_str(mt, a, sizeof(a)), cmd->m.secret[0] ? "digests on" : "no secret");
	if (!cmd->m.accept && tunnel_open(mt) < 0)
		l2tpd_timer_set(m->loop, &mt->retry, l2tpd_clock_now() + backoff(++mt->attempts));
	after(m);
	return 0;
}

static int session_add(struct l2tpd_mgr *m, const struct cli_cmd *cmd, bool from_config, char *err,
		       size_t errlen)
{
	uint32_t tid = cmd->session.conn_id;
	struct l2tpd_mtunnel *mt = l2tpd_mgr_tunnel_find(m, tid);
	struct l2tpd_msession *ms, **pp;
	struct l2tp_tunnel *lt;

	if (!mt) {
		if (l2tpd_tunnel_find(m->reg, tid))
			FAIL(-EINVAL, "tunnel %u is static: its sessions need peer_session_id",
			     tid);
		FAIL(-ENODEV, "tunnel %u does not exist", tid);
	}
	const char *bad = l2tpd_mgr_session_problem(&mt->cfg.m, &cmd->m);

	if (bad)
		FAIL(-EINVAL, "tunnel %u: %s", tid, bad);
	/* v2 ids are 16 bits; a v3 tunnel that may fall back keeps to them too */
	uint32_t id_max = mt->cfg.m.version == 2 || mt->cfg.m.fallback ? 0xffff : UINT32_MAX;

	if (cmd->session.session_id > id_max)
		FAIL(-EINVAL, "tunnel %u: L2TPv2 session ids are 1 to 65535", tid);
	for (ms = mt->sessions; ms; ms = ms->next)
		if (cmd->m.remote_end_id[0] && !strcmp(ms->cfg.m.remote_end_id, cmd->m.remote_end_id))
			FAIL(-EEXIST, "tunnel %u already has a session with remote_end_id \"%s\"",
			     tid, cmd->m.remote_end_id);
	if (cmd->session.session_id && !session_id_free(m, mt, cmd->session.session_id))
		FAIL(-EEXIST, "session %u already exists", cmd->session.session_id);
	if (cmd->session.ifname[0] && (l2tpd_session_find_ifname(m->reg, cmd->session.ifname)))
		FAIL(-EEXIST, "interface %s is in use", cmd->session.ifname);
	for (struct l2tpd_mtunnel *o = m->tunnels; o; o = o->next)
		for (struct l2tpd_msession *x = o->sessions; x; x = x->next)
			if (cmd->session.ifname[0] && !strcmp(x->ifname, cmd->session.ifname))
				FAIL(-EEXIST, "interface %s is in use", cmd->session.ifname);
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		FAIL(-ENOMEM, "out of memory");
	ms->mt = mt;
	ms->cfg = *cmd;
	ms->cfg.argc = 0;
	ms->cfg.argv = NULL;
	ms->from_config = from_config;
	ms->session_id = cmd->session.session_id ? cmd->session.session_id : draw_session_id(m, mt);
	if (!ms->session_id) {
		free(ms);
		FAIL(-EAGAIN, "no free session id");
	}
	snprintf(ms->ifname, sizeof(ms->ifname), "%s", cmd->session.ifname);
	l2tpd_timer_init(&ms->retry, session_retry_cb, ms);
	/* Configuration order: append. */
	for (pp = &mt->sessions; *pp; pp = &(*pp)->next)
		;
	*pp = ms;
	lt = mt->lt;
	if (lt && l2tp_tunnel_state(lt) == L2TP_TUNNEL_ESTABLISHED && l2tp_tunnel_initiator(lt)) {
		if (session_open(ms) < 0)
			l2tpd_timer_set(m->loop, &ms->retry,
					l2tpd_clock_now() + backoff(++ms->attempts));
	}
	after(m);
	return 0;
}

void l2tpd_mgr_session_del(struct l2tpd_mgr *m, struct l2tpd_msession *ms)
{
	struct l2tpd_mtunnel *mt = ms->mt;

	if (ms->ls) {
		m->in_lib = true;
		l2tp_session_close(ms->ls, 3, 0, "administratively deleted", l2tpd_clock_now());
		m->in_lib = false;
	}
	if (ms->ds) /* no DOWN came (tunnel already closing) */
		retire(m, ms);
	l2tpd_timer_cancel(m->loop, &ms->retry);
	for (struct l2tpd_msession **pp = &mt->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == ms) {
			*pp = ms->next;
			break;
		}
	}
	log_info("tunnel %u: session %u (%s) deleted", mt->cfg.tunnel.conn_id, ms->session_id,
		 ms_name(ms));
	free(ms);
	after(m);
}

/*
 * |now|: delete the datapath at once (shutdown); else the reaper removes
 * the sessions' interfaces over the next turns, as the kernel does.
 */
static void tunnel_free(struct l2tpd_mgr *m, struct l2tpd_mtunnel *mt, bool now)
{
	if (mt->lt) {
		mt->close_pending = true; /* no retry after this DOWN */
		m->in_lib = true;
		l2tp_tunnel_close(mt->lt, 1, 0, "administratively deleted", l2tpd_clock_now());
		m->in_lib = false;
	}
	while (mt->sessions) {
		struct l2tpd_msession *ms = mt->sessions;

		mt->sessions = ms->next;
		if (ms->ds)
			retire(m, ms);
		l2tpd_timer_cancel(m->loop, &ms->retry);
		free(ms);
	}
	l2tpd_timer_cancel(m->loop, &mt->retry);
	if (mt->dt) {
		mt->dt->mt = NULL;
		mt->dt->dying = true;
		if (now || !mt->dt->sessions)
			l2tpd_tunnel_del(m->reg, m->dp, mt->dt);
		else
			kick(m);
	}
	for (struct l2tpd_mtunnel **pp = &m->tunnels; *pp; pp = &(*pp)->next) {
		if (*pp == mt) {
			*pp = mt->next;
			break;
		}
	}
	free(mt);
}

void l2tpd_mgr_tunnel_del(struct l2tpd_mgr *m, struct l2tpd_mtunnel *mt)
{
	struct l2tp_path path = mt->path;

	log_info("tunnel %u: deleted (StopCCN sent if connected)", mt->cfg.tunnel.conn_id);
	tunnel_free(m, mt, false);
	after(m); /* the StopCCN goes out now, on the control socket */
	ctl_put(m, &path, false);
}

int l2tpd_mgr_exec(struct l2tpd_mgr *m, const struct cli_cmd *cmd, bool from_config, char *err,
		   size_t errlen)
{
	err[0] = '\0';
	if (cmd->verb == CLI_VERB_ADD && cmd->m.tunnel)
		return tunnel_add(m, cmd, from_config, err, errlen);
	if (cmd->verb == CLI_VERB_ADD && cmd->m.session)
		return session_add(m, cmd, from_config, err, errlen);
	if (cmd->verb == CLI_VERB_DEL && cmd->m.session) {
		struct l2tpd_mtunnel *mt = l2tpd_mgr_tunnel_find(m, cmd->session.conn_id);

		if (!mt)
			FAIL(-ENODEV, "managed tunnel %u does not exist", cmd->session.conn_id);
		for (struct l2tpd_msession *ms = mt->sessions; ms; ms = ms->next) {
			if (!strcmp(ms->cfg.m.remote_end_id, cmd->m.remote_end_id)) {
				l2tpd_mgr_session_del(m, ms);
				return 0;
			}
		}
		FAIL(-ENODEV, "tunnel %u has no session with remote_end_id \"%s\"",
		     cmd->session.conn_id, cmd->m.remote_end_id);
	}
	FAIL(-EOPNOTSUPP, "not a command for a managed tunnel or session");
}

struct l2tpd_mtunnel *l2tpd_mgr_tunnels(struct l2tpd_mgr *m)
{
	return m->tunnels;
}

struct l2tpd_mtunnel *l2tpd_mgr_tunnel_find(struct l2tpd_mgr *m, uint32_t tunnel_id)
{
	for (struct l2tpd_mtunnel *mt = m->tunnels; mt; mt = mt->next)
		if (mt->cfg.tunnel.conn_id == tunnel_id)
			return mt;
	return NULL;
}

/* ---- views -------------------------------------------------------------------------- */

#define PUT(kind, type, v)                                                                         \
	do {                                                                                       \
		if (!mnl_attr_put_##kind##_check(nlh, cap, (type), (v)))                           \
			return -ENOSPC;                                                            \
	} while (0)
#define PUTS(type, v)                                                                              \
	do {                                                                                       \
		if ((v) && (v)[0] && !mnl_attr_put_strz_check(nlh, cap, (type), (v)))              \
			return -ENOSPC;                                                            \
	} while (0)

static uint64_t uptime_s(l2tp_time_t since)
{
	return since ? (l2tpd_clock_now() - since) / L2TP_SEC : 0;
}

/* Counters of the connection, if there is one; digest failures always (mgr.h). */
static int put_ctrl_stats(struct nlmsghdr *nlh, size_t cap, const struct l2tpd_mtunnel *mt)
{
	struct l2tp_tunnel_stats st;
	struct nlattr *nest;

	memset(&st, 0, sizeof(st));
	if (mt->lt)
		l2tp_tunnel_get_stats(mt->lt, &st);
	nest = mnl_attr_nest_start_check(nlh, cap, L2TPD_ATTR_CTRL_STATS);
	if (!nest)
		return -ENOSPC;
	PUT(u64, L2TPD_CSTAT_RX_DIGEST_FAILURES, mt->digest_failures + st.rx_digest_failures);
	if (mt->lt) {
		PUT(u64, L2TPD_CSTAT_TX_MSGS, st.xport.tx_msgs);
		PUT(u64, L2TPD_CSTAT_TX_RETRANSMITS, st.xport.tx_retransmits);
		PUT(u64, L2TPD_CSTAT_TX_ACKS, st.xport.tx_acks);
		PUT(u64, L2TPD_CSTAT_RX_MSGS, st.xport.rx_msgs);
		PUT(u64, L2TPD_CSTAT_RX_ACKS, st.xport.rx_acks);
		PUT(u64, L2TPD_CSTAT_RX_DUPLICATES, st.xport.rx_duplicates);
		PUT(u64, L2TPD_CSTAT_RX_OUT_OF_ORDER, st.xport.rx_out_of_order);
		PUT(u64, L2TPD_CSTAT_RX_UNKNOWN_SESSION, st.rx_unknown_session);
		PUT(u64, L2TPD_CSTAT_CWND, st.cwnd);
		PUT(u64, L2TPD_CSTAT_PEER_RWND, st.peer_rwnd);
		PUT(u64, L2TPD_CSTAT_SRTT_US, st.srtt / 1000);
		PUT(u64, L2TPD_CSTAT_RTTVAR_US, st.rttvar / 1000);
		if (!mnl_attr_put_check(nlh, cap, L2TPD_CSTAT_TX_BY_TYPE, sizeof(st.tx_by_type),
					st.tx_by_type) ||
		    !mnl_attr_put_check(nlh, cap, L2TPD_CSTAT_RX_BY_TYPE, sizeof(st.rx_by_type),
					st.rx_by_type))
			return -ENOSPC;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int l2tpd_mgr_put_tunnel(struct l2tpd_mgr *m, const struct l2tpd_mtunnel *mt, struct nlmsghdr *nlh,
			 size_t cap)
{
	const struct l2tp_tunnel *t = mt->lt;
	const struct cli_managed *k = &mt->cfg.m;
	char a[64];

	PUT(u32, L2TPD_ATTR_CONN_ID, mt->cfg.tunnel.conn_id);
	PUTS(L2TPD_ATTR_DATAPATH, m->dp->ops->tunnel_dp_name
				      ? m->dp->ops->tunnel_dp_name(m->dp, mt->dt)
				      : m->dp->ops->name);
	PUTS(L2TPD_ATTR_STATE, t ? l2tp_tunnel_state_name(l2tp_tunnel_state(t)) : "idle");
	PUTS(L2TPD_ATTR_ROLE, k->accept ? "accept" : "initiate");
	PUTS(L2TPD_ATTR_ENCAP, mt->path.encap == L2TP_ENCAP_IP ? "ip" : "udp");
	PUTS(L2TPD_ATTR_PEER, peer_str(mt, a, sizeof(a)));
	PUTS(L2TPD_ATTR_DIGEST, !k->secret[0] ? "none" : k->digest ? "sha1" : "md5");
	PUT(u32, L2TPD_ATTR_HELLO, k->hello);
	PUT(u32, L2TPD_ATTR_ATTEMPTS, mt->attempts);
	if (mt->retry.linked) {
		l2tp_time_t now = l2tpd_clock_now();

		PUT(u32, L2TPD_ATTR_RETRY_IN,
		    (uint32_t)(mt->retry.deadline > now ? (mt->retry.deadline - now) / L2TP_SEC
							: 0));
	}
	if (mt->last_result || mt->last_reason[0]) {
		PUT(u16, L2TPD_ATTR_RESULT, mt->last_result);
		PUTS(L2TPD_ATTR_REASON, mt->last_reason);
	}
	if (!t)
		return put_ctrl_stats(nlh, cap, mt);
	PUT(u32, L2TPD_ATTR_CCID, l2tp_tunnel_id(t));
	PUT(u8, L2TPD_ATTR_VERSION, (uint8_t)l2tp_tunnel_version(t));
	PUT(u32, L2TPD_ATTR_PEER_CONN_ID, l2tp_tunnel_peer_id(t));
	PUT(u8, L2TPD_ATTR_INITIATOR, l2tp_tunnel_initiator(t));
	PUTS(L2TPD_ATTR_PEER_HOSTNAME, l2tp_tunnel_peer_hostname(t));
	PUT(u32, L2TPD_ATTR_PEER_ROUTER_ID, l2tp_tunnel_peer_router_id(t));
	PUTS(L2TPD_ATTR_PEER_VENDOR, l2tp_tunnel_peer_vendor(t));
	PUT(u64, L2TPD_ATTR_UPTIME, uptime_s(mt->up_since));
	return put_ctrl_stats(nlh, cap, mt);
}

int l2tpd_mgr_put_session(struct l2tpd_mgr *m, const struct l2tpd_msession *ms,
			  struct nlmsghdr *nlh, size_t cap)
{
	const struct l2tp_session *s = ms->ls;

	(void)m;
	PUT(u32, L2TPD_ATTR_CONN_ID, ms->mt->cfg.tunnel.conn_id);
	PUT(u32, L2TPD_ATTR_SESSION_ID, ms->session_id);
	PUTS(L2TPD_ATTR_STATE, s ? l2tp_session_state_name(l2tp_session_state(s)) : "idle");
	PUTS(L2TPD_ATTR_REMOTE_END_ID, ms->cfg.m.remote_end_id);
	PUT(u16, L2TPD_ATTR_PW_TYPE, ms->cfg.m.pw_type);
	PUTS(L2TPD_ATTR_IFNAME, ms->ifname);
	if (ms->last_result || ms->last_reason[0]) {
		PUT(u16, L2TPD_ATTR_RESULT, ms->last_result);
		PUTS(L2TPD_ATTR_REASON, ms->last_reason);
	}
	if (!s || l2tp_session_state(s) != L2TP_SESSION_ESTABLISHED)
		return 0;
	{
		const struct l2tp_session_dp *dp = l2tp_session_dp(s);

		PUT(u32, L2TPD_ATTR_PEER_SESSION_ID, dp->peer_session_id);
		/* The kernel's naming, as the datapath session: COOKIE is sent. */
		if (!mnl_attr_put_check(nlh, cap, L2TPD_ATTR_COOKIE, dp->tx_cookie_len,
					dp->tx_cookie) ||
		    !mnl_attr_put_check(nlh, cap, L2TPD_ATTR_PEER_COOKIE, dp->rx_cookie_len,
					dp->rx_cookie))
			return -ENOSPC;
		if (dp->version == L2TP_VER_3) /* v2 has no sublayer */
			PUT(u8, L2TPD_ATTR_L2SPEC_TYPE, dp->l2spec);
		PUT(u8, L2TPD_ATTR_SEND_SEQ, dp->send_seq || ms->cfg.m.send_seq);
		PUT(u8, L2TPD_ATTR_RECV_SEQ, dp->recv_seq);
		PUT(u64, L2TPD_ATTR_UPTIME, uptime_s(ms->up_since));
	}
	if (ms->pppd)
		return l2tpd_pppd_put(ms->pppd, nlh, cap);
	return ms->ppp ? l2tpd_ppp_link_put(ms->ppp, nlh, cap) : 0;
}

/* ---- life ---------------------------------------------------------------------------- */

struct l2tpd_mgr *l2tpd_mgr_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
				struct l2tpd_datapath *dp, const struct l2tpd_mgr_settings *set)
{
	struct l2tpd_mgr *m = calloc(1, sizeof(*m));
	struct l2tp_callbacks cb = {
	    .rand = l2tpd_random,
	    .log = cb_log,
	    .tunnel_request = cb_tunnel_request,
	    .tunnel_event = cb_tunnel_event,
	    .tunnel_setup_failed = cb_tunnel_setup_failed,
	    .session_request = cb_session_request,
	    .session_event = cb_session_event,
	};
	struct l2tp_ctx_settings cs = {.vendor_name = "l2tpkit"};
	char host[L2TP_HOSTNAME_MAX + 1] = "";
	int rc;

	if (!m)
		return NULL;
	m->loop = loop;
	m->reg = reg;
	m->dp = dp;
	m->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	if (set && set->hostname)
		snprintf(host, sizeof(host), "%s", set->hostname);
	else if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "l2tpkit");
	cs.hostname = host;
	if (set && set->event_hook) {
		m->hook = strdup(set->event_hook);
		if (!m->hook) {
			free(m);
			return NULL;
		}
	}
	rc = l2tp_ctx_new(&m->ctx, &cb, &cs, NULL, m);
	if (rc < 0) {
		free(m->hook);
		free(m);
		errno = -rc;
		return NULL;
	}
	l2tpd_timer_init(&m->tick, tick_cb, m);
	l2tpd_timer_init(&m->kick, kick_cb, m);
	dp->ctrl_rx = dp_ctrl_rx;
	dp->ctrl_arg = m;
	dp->ppp_rx = dp_ppp_rx;
	dp->ppp_arg = m;
	return m;
}

void l2tpd_mgr_set_event_fn(struct l2tpd_mgr *m, l2tpd_mgr_event_fn fn, void *arg)
{
	m->event_fn = fn;
	m->event_arg = arg;
}

void l2tpd_mgr_free(struct l2tpd_mgr *m)
{
	if (!m)
		return;
	m->event_fn = NULL;
	while (m->tunnels)
		tunnel_free(m, m->tunnels, true);
	while (reap(m, REAP_PER_TURN))
		;
	send_all(m); /* the StopCCNs, once: nobody waits for their acknowledgement */
	m->dp->ctrl_rx = NULL;
	l2tpd_timer_cancel(m->loop, &m->tick);
	l2tpd_timer_cancel(m->loop, &m->kick);
	while (m->hooks) {
		kill(m->hooks->pid, SIGKILL);
		waitpid(m->hooks->pid, NULL, 0);
		hook_reap(m->hooks);
	}
	l2tpd_pppd_reap_all(); /* the sessions' pppd, told to stop when they closed */
	ctl_free_all(m);
	l2tp_ctx_free(m->ctx);
	free(m->hook);
	free(m);
}
