// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/kernel/kernel.c - the kernel datapath: tunnels and
 * sessions made in the kernel's own L2TP stack through its "l2tp" generic
 * netlink family (l2tp_netlink, l2tp_eth, l2tp_ip, l2tp_ip6), so frames
 * never pass through l2tpd.
 *
 * The management API is the kernel's family already, so this backend is
 * mostly a forwarder: each op sends the registry's configuration as the
 * matching L2TP_CMD_* request and hands back the kernel's errno.
 *
 * Sockets. A static tunnel lets the kernel make its own socket from the
 * addresses, as `ip l2tp add tunnel` does; such a tunnel outlives l2tpd, so
 * its id is written to a small journal (|journal|, beside the pid file) and
 * the next start removes what an l2tpd that died left behind. A managed
 * tunnel's socket is made here and handed over with L2TP_ATTR_FD: the
 * kernel then takes the data messages and leaves the control messages on
 * the socket (RFC 3931 §4.1: the T bit over UDP; Session ID 0 over IP),
 * and it removes the tunnel when the socket closes, whatever becomes of
 * l2tpd.
 *   - UDP: bound and connected, sharing the port with the control plane's
 *     socket (SO_REUSEADDR); what arrives on it goes to dp->ctrl_rx.
 *   - IP: an L2TP/IP socket (IPPROTO_L2TP) bound to our connection id and
 *     connected to the peer's. The control plane's raw IP/115 socket sees
 *     a copy of every control message already, so this socket's queue gets
 *     a filter that drops all (nothing waits in it).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "../../datapath.h"
#include "../../log.h"
#include "../../loop.h"
#include "../../registry.h"
#include "../../sock.h"

/* One request at a time; the kernel answers at once, but bound the wait. */
#define KD_TIMEOUT_MS 5000
#define KD_BUF 16384
#define KD_CTRL_MAX 4096 /* a control message read from a managed tunnel's socket */

struct kd_tunnel {
	struct kd_dp *k;
	struct l2tpd_tunnel *t;
	int fd; /* the managed tunnel's socket, or -1 (the kernel's own) */
	struct l2tpd_watch *watch;
};

struct kd_dp {
	struct l2tpd_datapath base;
	struct l2tpd_loop *loop;
	int nl;
	uint32_t portid, seq;
	uint16_t family; /* the kernel's "l2tp" genl family id */
	char journal[4096]; /* ids of the kernel-socket tunnels we made, or "" */
	union {
		uint64_t align;
		uint8_t b[KD_BUF];
	} buf;
	uint8_t ctrl[KD_CTRL_MAX];
};

static void set_err(struct kd_dp *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(struct kd_dp *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->base.err, sizeof(k->base.err), fmt, ap);
	va_end(ap);
}

/* ---- the netlink socket ------------------------------------------------------ */

static int nl_open(struct kd_dp *k)
{
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(snl);
	int one = 1;

	k->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (k->nl < 0)
		return -errno;
	if (bind(k->nl, (struct sockaddr *)&snl, sizeof(snl)) < 0 ||
	    getsockname(k->nl, (struct sockaddr *)&snl, &len) < 0)
		return -errno;
	k->portid = snl.nl_pid;
	/* Acks carry the request's header only; errors may carry a message. */
	setsockopt(k->nl, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(k->nl, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
}

typedef int (*kd_msg_fn)(const struct nlmsghdr *nlh, void *arg);

struct talk {
	struct kd_dp *k;
	kd_msg_fn fn;
	void *arg;
	int rc;
};

/* An NLMSG_ERROR: its errno, and the kernel's extack message if it sent one. */
static int on_error(const struct nlmsghdr *nlh, struct talk *tk)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EBADMSG;
	if (e->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (NLMSG_HDRLEN + off <= nlh->nlmsg_len) {
			mnl_attr_for_each(a, nlh, off)
			{
				if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
				    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
					set_err(tk->k, "the kernel says: %s", mnl_attr_get_str(a));
			}
		}
	}
	return e->error;
}

/*
 * Sends |nlh| (seq and portid set here) and reads the answer: |fn| sees each
 * data message (a dump's many). Returns 0, the kernel's -errno, or
 * -ETIMEDOUT.
 */
static int talk(struct kd_dp *k, struct nlmsghdr *nlh, kd_msg_fn fn, void *arg)
{
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	struct talk tk = {.k = k, .fn = fn, .arg = arg};
	uint32_t seq = ++k->seq;
	struct timespec t0, t1;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = k->portid;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (sendto(k->nl, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = {.fd = k->nl, .events = POLLIN};
		long waited;
		ssize_t got;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		waited = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited >= KD_TIMEOUT_MS || poll(&p, 1, (int)(KD_TIMEOUT_MS - waited)) <= 0)
			return -ETIMEDOUT;
		got = recv(k->nl, k->buf.b, sizeof(k->buf.b), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		n = (int)got; /* at most KD_BUF */
		for (struct nlmsghdr *m = (struct nlmsghdr *)k->buf.b; mnl_nlmsg_ok(m, n);
		     m = mnl_nlmsg_next(m, &n)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != k->portid)
				continue; /* a late answer to a request that timed out */
			if (m->nlmsg_type == NLMSG_ERROR)
				return tk.rc < 0 ? tk.rc : on_error(m, &tk);
			if (m->nlmsg_type == NLMSG_DONE)
				return tk.rc;
			if (m->nlmsg_type >= NLMSG_MIN_TYPE && fn && tk.rc == 0)
				tk.rc = fn(m, arg);
		}
	}
}

static struct nlmsghdr *req_start(struct kd_dp *k, uint8_t cmd, uint16_t flags)
{
	return l2tp_api_msg_start(k->buf.b, sizeof(k->buf.b), k->family, cmd, NLM_F_REQUEST | flags,
				  0);
}

/* ---- which family: resolve "l2tp" ------------------------------------------ */

struct family_find {
	const char *name;
	uint16_t id;
};

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct family_find *f = arg;
	const struct nlattr *a;
	const char *name = NULL;
	uint16_t id = 0;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
	{
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			id = mnl_attr_get_u16(a);
	}
	if (name && id && strcmp(name, f->name) == 0)
		f->id = id;
	return 0;
}

/*
 * The id of the kernel's "l2tp" family, or -ENOENT. With |may_load|, a
 * direct lookup, which lets the kernel load l2tp_netlink on demand;
 * without, a dump of the families registered now (loading modules is the
 * admin's choice).
 */
static int resolve_family(struct kd_dp *k, bool may_load)
{
	struct family_find f = {.name = L2TP_GENL_NAME};
	struct nlmsghdr *nlh;
	int rc;

	if (may_load) {
		rc = l2tp_api_build_getfamily(k->buf.b, sizeof(k->buf.b), L2TP_GENL_NAME, 0);
		if (rc < 0)
			return rc;
		nlh = (struct nlmsghdr *)k->buf.b;
	} else {
		nlh = l2tp_api_msg_start(k->buf.b, sizeof(k->buf.b), GENL_ID_CTRL,
					 CTRL_CMD_GETFAMILY, NLM_F_REQUEST | NLM_F_DUMP, 0);
		if (!nlh)
			return -ENOSPC;
	}
	rc = talk(k, nlh, family_cb, &f);
	if (rc < 0)
		return rc;
	if (!f.id)
		return -ENOENT;
	k->family = f.id;
	return 0;
}

/* ---- the journal of kernel-socket tunnels ----------------------------------- */

static void journal_note(struct kd_dp *k, char op, uint32_t conn_id)
{
	char line[32];
	int fd, n;

	if (!k->journal[0])
		return;
	fd = open(k->journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("kernel datapath: %s", k->journal);
		return;
	}
	n = snprintf(line, sizeof(line), "%c%" PRIu32 "\n", op, conn_id);
	if (write(fd, line, (size_t)n) != n)
		log_warn("kernel datapath: %s", k->journal);
	close(fd);
}

static int tunnel_delete_id(struct kd_dp *k, uint32_t conn_id)
{
	struct nlmsghdr *nlh = req_start(k, L2TP_CMD_TUNNEL_DELETE, 0);

	if (!nlh || !mnl_attr_put_u32_check(nlh, sizeof(k->buf.b), L2TP_ATTR_CONN_ID, conn_id))
		return -ENOSPC;
	return talk(k, nlh, NULL, NULL);
}

/*
 * Start-up: the tunnels an earlier l2tpd made with kernel sockets and did
 * not delete (it was killed) are removed, so their ids and ports are free
 * again; then the journal starts empty. They are not adopted: the
 * configuration that made them may have changed since.
 */
static void journal_replay(struct kd_dp *k)
{
	uint32_t *ids = NULL;
	size_t n = 0, cap = 0;
	char line[64];
	FILE *f;

	if (!k->journal[0])
		return;
	f = fopen(k->journal, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long v;
			char *end;
			size_t i;

			v = strtoul(line + 1, &end, 10);
			if (end == line + 1 || v > UINT32_MAX)
				continue;
			for (i = 0; i < n && ids[i] != v; i++)
				;
			if (line[0] == '+' && i == n) {
				if (n == cap) {
					uint32_t *p =
					    realloc(ids, (cap ? cap * 2 : 16) * sizeof(*ids));

					if (!p)
						break;
					ids = p;
					cap = cap ? cap * 2 : 16;
				}
				ids[n++] = (uint32_t)v;
			} else if (line[0] == '-' && i < n) {
				ids[i] = ids[--n];
			}
		}
		fclose(f);
	}
	for (size_t i = 0; i < n; i++) {
		int rc = tunnel_delete_id(k, ids[i]);

		if (rc == 0)
			log_info("kernel datapath: removed tunnel %" PRIu32
				 " left in the kernel by an earlier l2tpd",
				 ids[i]);
		else if (rc != -ENODEV)
			log_warnx("kernel datapath: tunnel %" PRIu32
				  " left by an earlier l2tpd: %s",
				  ids[i], strerror(-rc));
	}
	free(ids);
	if (truncate(k->journal, 0) < 0 && errno != ENOENT)
		log_warn("kernel datapath: %s", k->journal);
}

/* ---- tunnels ------------------------------------------------------------------ */

/* A message of RFC 3931 §4.1 form arrived on a managed UDP tunnel's socket. */
static void on_tunnel_readable(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct kd_tunnel *kt = arg;
	struct kd_dp *k = kt->k;

	(void)w;
	(void)events;
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(kt->fd, k->ctrl, sizeof(k->ctrl), MSG_DONTWAIT);

		if (n < 0)
			return; /* EAGAIN, or an ICMP error the retransmits cover */
		/* The kernel keeps data messages (T bit clear); anything else is control. */
		if (n >= 1 && (k->ctrl[0] & 0x80) && k->base.ctrl_rx && (kt->t->mt || kt->t->dying))
			k->base.ctrl_rx(k->base.ctrl_arg, kt->t, k->ctrl, (size_t)n);
	}
}

/* An L2TP/IP socket (l2tp_ip, l2tp_ip6) bound to our id and connected to the peer's. */
static int ip_sock_open(struct kd_dp *k, const struct l2tpd_tunnel *t)
{
	static const struct sock_filter drop[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_fprog prog = {.len = 1, .filter = (struct sock_filter *)drop};
	int family = l2tpd_tunnel_family(t);
	int fd, rc;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, L2TPD_IPPROTO_L2TP);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EPROTONOSUPPORT || rc == -ESOCKTNOSUPPORT || rc == -EAFNOSUPPORT)
			set_err(k, "IP encapsulation over %s needs the kernel module %s",
				family == AF_INET6 ? "IPv6" : "IPv4",
				family == AF_INET6 ? "l2tp_ip6" : "l2tp_ip");
		return rc;
	}
	if (family == AF_INET6) {
		struct sockaddr_l2tpip6 l = {.l2tp_family = AF_INET6,
					     .l2tp_addr = t->cfg.local_ip6,
					     .l2tp_conn_id = t->cfg.conn_id};
		struct sockaddr_l2tpip6 p = {.l2tp_family = AF_INET6,
					     .l2tp_addr = t->cfg.peer_ip6,
					     .l2tp_conn_id = t->cfg.peer_conn_id};

		rc = bind(fd, (struct sockaddr *)&l, sizeof(l)) < 0 ||
		     connect(fd, (struct sockaddr *)&p, sizeof(p)) < 0;
	} else {
		struct sockaddr_l2tpip l = {.l2tp_family = AF_INET,
					    .l2tp_addr = t->cfg.local_ip,
					    .l2tp_conn_id = t->cfg.conn_id};
		struct sockaddr_l2tpip p = {.l2tp_family = AF_INET,
					    .l2tp_addr = t->cfg.peer_ip,
					    .l2tp_conn_id = t->cfg.peer_conn_id};

		rc = bind(fd, (struct sockaddr *)&l, sizeof(l)) < 0 ||
		     connect(fd, (struct sockaddr *)&p, sizeof(p)) < 0;
	}
	if (rc || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int kd_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	struct kd_tunnel *kt = calloc(1, sizeof(*kt));
	struct l2tp_api_tunnel cfg = t->cfg;
	struct nlmsghdr *nlh;
	int rc;

	if (!kt)
		return -ENOMEM;
	kt->k = k;
	kt->t = t;
	kt->fd = -1;
	cfg.present &= ~(L2TP_API_BIT(L2TP_ATTR_STATS) | L2TP_API_BIT(L2TP_ATTR_FD));
	if (t->mt) {
		if (t->cfg.encap_type == L2TP_ENCAPTYPE_IP) {
			rc = ip_sock_open(k, t);
		} else {
			union l2tpd_addr local, peer;
			struct l2tpd_udp_opts o = {.csum = t->cfg.udp_csum,
						   .zero_csum6_tx = t->cfg.udp_zero_csum6_tx,
						   .zero_csum6_rx = t->cfg.udp_zero_csum6_rx,
						   .reuse_addr = true};

			l2tpd_tunnel_addrs(t, &local, &peer);
			rc = l2tpd_sock_udp_open(&local, &peer, &o);
		}
		if (rc < 0)
			goto fail;
		kt->fd = rc;
		cfg.fd = (uint32_t)kt->fd;
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_FD);
	}
	rc = -ENOSPC;
	nlh = req_start(k, L2TP_CMD_TUNNEL_CREATE, 0);
	if (!nlh || l2tp_api_put_tunnel(nlh, sizeof(k->buf.b), &cfg) < 0)
		goto fail;
	rc = talk(k, nlh, NULL, NULL);
	if (rc < 0) {
		if (rc == -EPROTONOSUPPORT && !k->base.err[0] &&
		    t->cfg.encap_type == L2TP_ENCAPTYPE_IP)
			set_err(k, "IP encapsulation needs the kernel module %s",
				l2tpd_tunnel_family(t) == AF_INET6 ? "l2tp_ip6" : "l2tp_ip");
		goto fail;
	}
	if (kt->fd >= 0 && t->cfg.encap_type == L2TP_ENCAPTYPE_UDP) {
		kt->watch = l2tpd_loop_add(k->loop, kt->fd, EPOLLIN, on_tunnel_readable, kt);
		if (!kt->watch) {
			rc = -ENOMEM;
			tunnel_delete_id(k, t->cfg.conn_id);
			goto fail;
		}
	}
	if (kt->fd < 0)
		journal_note(k, '+', t->cfg.conn_id);
	t->dp = kt;
	return 0;
fail:
	if (kt->fd >= 0)
		close(kt->fd);
	free(kt);
	return rc;
}

static int kd_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	struct nlmsghdr *nlh = req_start(k, L2TP_CMD_TUNNEL_MODIFY, 0);

	/* The kernel changes only the debug mask of a tunnel. */
	if (!nlh ||
	    !mnl_attr_put_u32_check(nlh, sizeof(k->buf.b), L2TP_ATTR_CONN_ID, t->cfg.conn_id))
		return -ENOSPC;
	if (l2tp_api_has(t->cfg.present, L2TP_ATTR_DEBUG) &&
	    !mnl_attr_put_u32_check(nlh, sizeof(k->buf.b), L2TP_ATTR_DEBUG, t->cfg.debug))
		return -ENOSPC;
	return talk(k, nlh, NULL, NULL);
}

static void kd_tunnel_delete(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	struct kd_tunnel *kt = t->dp;
	int rc;

	if (!kt)
		return;
	rc = tunnel_delete_id(k, t->cfg.conn_id);
	if (rc < 0 && rc != -ENODEV)
		log_warnx("kernel datapath: deleting tunnel %u: %s", t->cfg.conn_id, strerror(-rc));
	if (kt->fd < 0)
		journal_note(k, '-', t->cfg.conn_id);
	l2tpd_loop_del(k->loop, kt->watch);
	if (kt->fd >= 0)
		close(kt->fd);
	free(kt);
	t->dp = NULL;
}

struct stats_get {
	struct l2tp_api_stats *st;
	char *ifname; /* IFNAMSIZ, or NULL */
	int send_seq; /* L2TP_ATTR_SEND_SEQ, or left as it was */
};

static int stats_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct stats_get *g = arg;
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];

	if (l2tp_api_parse_attrs(nlh, tb, NULL) < 0)
		return 0;
	if (tb[L2TP_ATTR_STATS] && g->st)
		(void)l2tp_api_parse_stats(tb[L2TP_ATTR_STATS], g->st, NULL);
	if (tb[L2TP_ATTR_IFNAME] && g->ifname)
		snprintf(g->ifname, IFNAMSIZ, "%s", mnl_attr_get_str(tb[L2TP_ATTR_IFNAME]));
	if (tb[L2TP_ATTR_SEND_SEQ])
		g->send_seq = mnl_attr_get_u8(tb[L2TP_ATTR_SEND_SEQ]);
	return 0;
}

static void kd_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	struct nlmsghdr *nlh = req_start(k, L2TP_CMD_TUNNEL_GET, 0);
	struct stats_get g = {.st = st};

	memset(st, 0, sizeof(*st));
	if (nlh && mnl_attr_put_u32_check(nlh, sizeof(k->buf.b), L2TP_ATTR_CONN_ID, t->cfg.conn_id))
		(void)talk(k, nlh, stats_cb, &g);
}

/* ---- sessions ----------------------------------------------------------------- */

static int session_req(struct kd_dp *k, uint8_t cmd, const struct l2tpd_session *s, kd_msg_fn fn,
		       void *arg)
{
	struct nlmsghdr *nlh = req_start(k, cmd, 0);
	size_t cap = sizeof(k->buf.b);

	if (!nlh || !mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_CONN_ID, s->tunnel->cfg.conn_id) ||
	    !mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_SESSION_ID, s->cfg.session_id))
		return -ENOSPC;
	return talk(k, nlh, fn, arg);
}

static int kd_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	struct l2tp_api_session cfg = s->cfg;
	struct stats_get g = {.ifname = s->cfg.ifname};
	struct nlmsghdr *nlh;
	int rc;

	if (s->cfg.pw_type == L2TP_PWTYPE_PPP && s->tunnel->mt) {
		/* l2tpd's PPP link runs on the user datapath's frames */
		snprintf(dp->err, sizeof(dp->err),
			 "PPP sessions need l2tpd --datapath user (the kernel's PPPoL2TP "
			 "hand-off to pppd is not done yet)");
		return -EPROTONOSUPPORT;
	}
	/* What the kernel's SESSION_CREATE takes; the optional ones when not the default. */
	cfg.conn_id = s->tunnel->cfg.conn_id;
	cfg.present = L2TP_API_BIT(L2TP_ATTR_PW_TYPE) | L2TP_API_BIT(L2TP_ATTR_CONN_ID) |
		      L2TP_API_BIT(L2TP_ATTR_SESSION_ID) | L2TP_API_BIT(L2TP_ATTR_PEER_SESSION_ID) |
		      L2TP_API_BIT(L2TP_ATTR_L2SPEC_TYPE);
	if (cfg.cookie_len)
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_COOKIE);
	if (cfg.peer_cookie_len)
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_PEER_COOKIE);
	if (cfg.ifname[0])
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_IFNAME);
	if (cfg.recv_seq)
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_RECV_SEQ);
	if (cfg.send_seq)
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_SEND_SEQ);
	if (cfg.lns_mode)
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_LNS_MODE);
	if (cfg.recv_timeout_ms)
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_RECV_TIMEOUT);
	if (l2tp_api_has(s->cfg.present, L2TP_ATTR_DEBUG))
		cfg.present |= L2TP_API_BIT(L2TP_ATTR_DEBUG);
	nlh = req_start(k, L2TP_CMD_SESSION_CREATE, 0);
	if (!nlh || l2tp_api_put_session(nlh, sizeof(k->buf.b), &cfg) < 0)
		return -ENOSPC;
	rc = talk(k, nlh, NULL, NULL);
	if (rc == -EPROTONOSUPPORT && !k->base.err[0] && s->cfg.pw_type == L2TP_PWTYPE_ETH)
		set_err(k, "Ethernet pseudowires need the kernel module l2tp_eth");
	if (rc < 0)
		return rc;
	/* The interface name the kernel chose (l2tpethN unless one was given). */
	rc = session_req(k, L2TP_CMD_SESSION_GET, s, stats_cb, &g);
	if (rc < 0 || !s->cfg.ifname[0]) {
		log_warnx("kernel datapath: session %u: no interface name from the kernel: %s",
			  s->cfg.session_id, strerror(rc < 0 ? -rc : ENODEV));
		(void)session_req(k, L2TP_CMD_SESSION_DELETE, s, NULL, NULL);
		return rc < 0 ? rc : -ENODEV;
	}
	s->dp = k;
	return 0;
}

static int kd_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	struct nlmsghdr *nlh = req_start(k, L2TP_CMD_SESSION_MODIFY, 0);
	size_t cap = sizeof(k->buf.b);

	if (!nlh || !mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_CONN_ID, s->tunnel->cfg.conn_id) ||
	    !mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_SESSION_ID, s->cfg.session_id) ||
	    !mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_RECV_SEQ, s->cfg.recv_seq) ||
	    !mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_SEND_SEQ, s->cfg.send_seq) ||
	    !mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_LNS_MODE, s->cfg.lns_mode) ||
	    !mnl_attr_put_u64_check(nlh, cap, L2TP_ATTR_RECV_TIMEOUT, s->cfg.recv_timeout_ms))
		return -ENOSPC;
	if (l2tp_api_has(s->cfg.present, L2TP_ATTR_DEBUG) &&
	    !mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_DEBUG, s->cfg.debug))
		return -ENOSPC;
	return talk(k, nlh, NULL, NULL);
}

static void kd_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct kd_dp *k = (struct kd_dp *)dp;
	int rc;

	if (!s->dp)
		return;
	rc = session_req(k, L2TP_CMD_SESSION_DELETE, s, NULL, NULL);
	if (rc < 0 && rc != -ENODEV)
		log_warnx("kernel datapath: deleting session %u: %s", s->cfg.session_id,
			  strerror(-rc));
	s->dp = NULL;
}

static void kd_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct stats_get g = {.st = st};

	memset(st, 0, sizeof(*st));
	(void)session_req((struct kd_dp *)dp, L2TP_CMD_SESSION_GET, s, stats_cb, &g);
}

/* The kernel's own view: it stops numbering as lib/dp.c does. */
static int kd_session_send_seq(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct stats_get g = {.send_seq = -1};

	if (session_req((struct kd_dp *)dp, L2TP_CMD_SESSION_GET, s, stats_cb, &g) < 0)
		return -1;
	return g.send_seq;
}

static void kd_free(struct l2tpd_datapath *dp)
{
	struct kd_dp *k = (struct kd_dp *)dp;

	if (k->nl >= 0)
		close(k->nl);
	free(k);
}

static const struct l2tpd_datapath_ops kd_ops = {
    .name = "kernel",
    .tunnel_create = kd_tunnel_create,
    .tunnel_modify = kd_tunnel_modify,
    .tunnel_delete = kd_tunnel_delete,
    .tunnel_stats = kd_tunnel_stats,
    .session_create = kd_session_create,
    .session_modify = kd_session_modify,
    .session_delete = kd_session_delete,
    .session_stats = kd_session_stats,
    .session_send_seq = kd_session_send_seq,
    .free = kd_free,
};

struct l2tpd_datapath *l2tpd_datapath_kernel_new(struct l2tpd_loop *loop, const char *journal,
						 bool may_load, int *err)
{
	struct kd_dp *k = calloc(1, sizeof(*k));
	int rc;

	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	k->base.ops = &kd_ops;
	k->base.priv = k;
	k->loop = loop;
	k->nl = -1;
	if (journal)
		snprintf(k->journal, sizeof(k->journal), "%s", journal);
	rc = nl_open(k);
	if (rc == 0)
		rc = resolve_family(k, may_load);
	if (rc < 0) {
		*err = rc;
		kd_free(&k->base);
		return NULL;
	}
	journal_replay(k);
	return &k->base;
}
