// SPDX-License-Identifier: MIT
/*
 * daemon/api_server.c - generic-netlink "l2tp" family server on a Unix socket.
 *
 * Requests are validated and answered as net/l2tp/l2tp_netlink.c would
 * (include/l2tp/api.h lists the rules): same required attributes, same
 * order of checks, same errnos. Every reply is built in a stack buffer of
 * L2TP_API_MSG_MAX bytes; nothing a client sends is trusted for a length.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <l2tp/api.h>
#include <libmnl/libmnl.h>

#include "../cli/cli.h"
#include "api_server.h"
#include "clock.h"
#include "config.h"
#include "datapath.h"
#include "mgr.h"
#include "log.h"
#include "loop.h"
#include "registry.h"

#define API_MAX_CLIENTS 64
#define CAP_NET_ADMIN_BIT 12

struct api_client {
	struct l2tpd_api *api;
	int fd;
	bool privileged;
	bool monitor; /* subscribed to events (L2TPD_CMD_MONITOR) */
	struct l2tpd_watch *w;
	struct api_client *next;
};

struct l2tpd_api {
	struct l2tpd_loop *loop;
	struct l2tpd_registry *reg;
	struct l2tpd_datapath *dp;
	int lfd;
	struct l2tpd_watch *lw;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool made_dir;
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool delegated;
	struct api_client *clients;
	unsigned int n_clients;
	struct l2tpd_ratelimit rl;
	char errmsg[160]; /* reason of the current request's failure, for the extack */
	struct l2tpd_mgr *mgr; /* managed tunnels, or NULL */
	struct l2tpd_config_env cenv;
	struct api_client *cur; /* the client whose request is being handled, or NULL */
};

/* ---- reply helpers ------------------------------------------------------- */

struct reply {
	l2tpd_api_send_fn send;
	void *arg;
	int err; /* first send error */
	size_t len; /* bytes batched in buf (dumps) */
	uint8_t buf[L2TP_API_MSG_MAX];
};

static void reply_flush(struct reply *r)
{
	if (r->len && !r->err)
		r->err = r->send(r->arg, r->buf, r->len);
	r->len = 0;
}

/* Batch one finished message; datagrams never exceed L2TP_API_MSG_MAX. */
static void reply_add(struct reply *r, const void *msg, size_t len)
{
	len = NLMSG_ALIGN(len);
	if (len > sizeof(r->buf))
		return;
	if (r->len + len > sizeof(r->buf))
		reply_flush(r);
	memcpy(r->buf + r->len, msg, len);
	r->len += len;
}

static void reply_error_msg(struct reply *r, const struct nlmsghdr *req, int err, const char *msg)
{
	uint8_t b[256];
	int n = l2tp_api_build_error_msg(b, sizeof(b), req, err, msg);

	if (n > 0)
		reply_add(r, b, (size_t)n);
}

static void reply_error(struct reply *r, const struct nlmsghdr *req, int err)
{
	reply_error_msg(r, req, err, NULL);
}

static void reply_done(struct reply *r, const struct nlmsghdr *req)
{
	uint8_t b[64];
	int n = l2tp_api_build_done(b, sizeof(b), req);

	if (n > 0)
		reply_add(r, b, (size_t)n);
}

/* ---- object -> attributes ------------------------------------------------ */

static void fill_stats(struct l2tp_api_stats *st)
{
	st->present = 1u << L2TP_ATTR_TX_PACKETS | 1u << L2TP_ATTR_TX_BYTES |
		      1u << L2TP_ATTR_TX_ERRORS | 1u << L2TP_ATTR_RX_PACKETS |
		      1u << L2TP_ATTR_RX_BYTES | 1u << L2TP_ATTR_RX_SEQ_DISCARDS |
		      1u << L2TP_ATTR_RX_OOS_PACKETS | 1u << L2TP_ATTR_RX_ERRORS |
		      1u << L2TP_ATTR_RX_COOKIE_DISCARDS | 1u << L2TP_ATTR_RX_INVALID;
}

/* The attributes the kernel's l2tp_nl_tunnel_send() puts, in its order. */
static void tunnel_view(struct l2tpd_api *api, struct l2tpd_tunnel *t, struct l2tp_api_tunnel *v)
{
	const struct l2tp_api_tunnel *c = &t->cfg;
	uint64_t keep = L2TP_API_BIT(L2TP_ATTR_IP_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP_DADDR) |
			L2TP_API_BIT(L2TP_ATTR_IP6_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP6_DADDR);

	*v = *c;
	v->present = (c->present & keep) | L2TP_API_BIT(L2TP_ATTR_PROTO_VERSION) |
		     L2TP_API_BIT(L2TP_ATTR_CONN_ID) | L2TP_API_BIT(L2TP_ATTR_PEER_CONN_ID) |
		     L2TP_API_BIT(L2TP_ATTR_DEBUG) | L2TP_API_BIT(L2TP_ATTR_ENCAP_TYPE) |
		     L2TP_API_BIT(L2TP_ATTR_STATS);
	if (c->encap_type == L2TP_ENCAPTYPE_UDP) {
		v->present |= L2TP_API_BIT(L2TP_ATTR_UDP_SPORT) | L2TP_API_BIT(L2TP_ATTR_UDP_DPORT);
		if (l2tpd_tunnel_family(t) == AF_INET) {
			v->present |= L2TP_API_BIT(L2TP_ATTR_UDP_CSUM);
			v->udp_csum = c->udp_csum ? 1 : 0;
		} else {
			if (c->udp_zero_csum6_tx)
				v->present |= L2TP_API_BIT(L2TP_ATTR_UDP_ZERO_CSUM6_TX);
			if (c->udp_zero_csum6_rx)
				v->present |= L2TP_API_BIT(L2TP_ATTR_UDP_ZERO_CSUM6_RX);
		}
	}
	memset(&v->stats, 0, sizeof(v->stats));
	api->dp->ops->tunnel_stats(api->dp, t, &v->stats);
	fill_stats(&v->stats);
}

/* The attributes of the kernel's l2tp_nl_session_send(). */
static void session_view(struct l2tpd_api *api, struct l2tpd_session *s, struct l2tp_api_session *v)
{
	const struct l2tp_api_session *c = &s->cfg;

	*v = *c;
	v->conn_id = s->tunnel->cfg.conn_id;
	v->peer_conn_id = s->tunnel->cfg.peer_conn_id;
	v->present = L2TP_API_BIT(L2TP_ATTR_CONN_ID) | L2TP_API_BIT(L2TP_ATTR_SESSION_ID) |
		     L2TP_API_BIT(L2TP_ATTR_PEER_CONN_ID) |
		     L2TP_API_BIT(L2TP_ATTR_PEER_SESSION_ID) | L2TP_API_BIT(L2TP_ATTR_DEBUG) |
		     L2TP_API_BIT(L2TP_ATTR_PW_TYPE) | L2TP_API_BIT(L2TP_ATTR_RECV_SEQ) |
		     L2TP_API_BIT(L2TP_ATTR_SEND_SEQ) | L2TP_API_BIT(L2TP_ATTR_LNS_MODE) |
		     L2TP_API_BIT(L2TP_ATTR_STATS);
	if (s->tunnel->cfg.proto_version == 3)
		v->present |= L2TP_API_BIT(L2TP_ATTR_L2SPEC_TYPE);
	if (c->ifname[0])
		v->present |= L2TP_API_BIT(L2TP_ATTR_IFNAME);
	if (c->cookie_len)
		v->present |= L2TP_API_BIT(L2TP_ATTR_COOKIE);
	if (c->peer_cookie_len)
		v->present |= L2TP_API_BIT(L2TP_ATTR_PEER_COOKIE);
	if (c->recv_timeout_ms)
		v->present |= L2TP_API_BIT(L2TP_ATTR_RECV_TIMEOUT);
	if (api->dp->ops->session_send_seq) {
		int on = api->dp->ops->session_send_seq(api->dp, s);

		if (on >= 0)
			v->send_seq = (uint8_t)on;
	}
	memset(&v->stats, 0, sizeof(v->stats));
	api->dp->ops->session_stats(api->dp, s, &v->stats);
	fill_stats(&v->stats);
}

static int put_tunnel_msg(struct l2tpd_api *api, struct l2tpd_tunnel *t, const struct nlmsghdr *req,
			  uint16_t flags, struct reply *r)
{
	uint8_t b[L2TP_API_MSG_MAX];
	struct l2tp_api_tunnel v;
	struct nlmsghdr *nlh;
	int rc;

	nlh = l2tp_api_msg_start(b, sizeof(b), L2TP_API_FAMILY_ID, L2TP_CMD_TUNNEL_GET, flags,
				 req->nlmsg_seq);
	if (!nlh)
		return -ENOSPC;
	nlh->nlmsg_pid = req->nlmsg_pid;
	tunnel_view(api, t, &v);
	rc = l2tp_api_put_tunnel(nlh, sizeof(b), &v);
	if (rc < 0)
		return rc;
	reply_add(r, b, nlh->nlmsg_len);
	return 0;
}

static int put_session_msg(struct l2tpd_api *api, struct l2tpd_session *s,
			   const struct nlmsghdr *req, uint16_t flags, struct reply *r)
{
	uint8_t b[L2TP_API_MSG_MAX];
	struct l2tp_api_session v;
	struct nlmsghdr *nlh;
	int rc;

	nlh = l2tp_api_msg_start(b, sizeof(b), L2TP_API_FAMILY_ID, L2TP_CMD_SESSION_GET, flags,
				 req->nlmsg_seq);
	if (!nlh)
		return -ENOSPC;
	nlh->nlmsg_pid = req->nlmsg_pid;
	session_view(api, s, &v);
	rc = l2tp_api_put_session(nlh, sizeof(b), &v);
	if (rc < 0)
		return rc;
	reply_add(r, b, nlh->nlmsg_len);
	return 0;
}

/* ---- commands ------------------------------------------------------------ */

/* Record why the current request fails (sent back in the extended ack). */
static int __attribute__((format(printf, 3, 4)))
fail(struct l2tpd_api *api, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(api->errmsg, sizeof(api->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

/* A refusal by the attribute parser or checker: name the attribute. */
static int fail_diag(struct l2tpd_api *api, int rc, const struct l2tp_diag *d)
{
	if (!d->reason)
		return rc;
	if (d->has_attr)
		return fail(api, rc, "attribute %s: %s", l2tp_api_attr_name(d->attr), d->reason);
	return fail(api, rc, "%s", d->reason);
}

static int tunnel_create(struct l2tpd_api *api, const struct nlmsghdr *nlh)
{
	struct l2tp_api_tunnel t;
	struct l2tp_diag d = {0};
	uint64_t p;
	int rc;

	rc = l2tp_api_parse_tunnel(nlh, &t, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	rc = l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, t.present, false, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	p = t.present;
	/*
	 * The kernel accepts FD (a socket made by the caller) instead of
	 * addresses; a file descriptor number means nothing across our socket,
	 * so l2tpd needs the addresses (FD is ignored when they are given).
	 */
	if (!(l2tp_api_has(p, L2TP_ATTR_IP6_SADDR) && l2tp_api_has(p, L2TP_ATTR_IP6_DADDR)) &&
	    !(l2tp_api_has(p, L2TP_ATTR_IP_SADDR) && l2tp_api_has(p, L2TP_ATTR_IP_DADDR)))
		return fail(api, -EINVAL, "tunnel %u: local and remote addresses are needed",
			    t.conn_id);
	if (l2tp_api_has(p, L2TP_ATTR_IP6_SADDR) && l2tp_api_has(p, L2TP_ATTR_IP6_DADDR)) {
		/* The kernel prefers the IPv6 pair when both are given. */
		t.present &= ~(L2TP_API_BIT(L2TP_ATTR_IP_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP_DADDR));
	} else {
		t.present &=
		    ~(L2TP_API_BIT(L2TP_ATTR_IP6_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP6_DADDR));
	}
	if (t.proto_version != 2 && t.proto_version != 3)
		return fail(api, -EPROTONOSUPPORT, "tunnel %u: L2TP version %u is not supported",
			    t.conn_id, t.proto_version);
	if (t.encap_type != L2TP_ENCAPTYPE_UDP && t.encap_type != L2TP_ENCAPTYPE_IP)
		return fail(api, -EINVAL, "tunnel %u: unknown encapsulation %u", t.conn_id,
			    t.encap_type);
	/* L2TPv2 has no IP encapsulation (RFC 2661 runs over UDP only). */
	if (t.proto_version == 2 && t.encap_type == L2TP_ENCAPTYPE_IP)
		return fail(api, -EPROTONOSUPPORT,
			    "tunnel %u: L2TPv2 runs over UDP only (no encap ip)", t.conn_id);
	/* As the kernel: UDP_CSUM enables checksums by its presence. */
	t.udp_csum = l2tp_api_has(p, L2TP_ATTR_UDP_CSUM) ? 1 : 0;
	if (!l2tp_api_has(p, L2TP_ATTR_UDP_SPORT))
		t.udp_sport = 0;
	if (!l2tp_api_has(p, L2TP_ATTR_UDP_DPORT))
		t.udp_dport = 0;
	api->dp->err[0] = '\0';
	if (!l2tpd_tunnel_add(api->reg, api->dp, &t, &rc)) {
		if (api->dp->err[0])
			return fail(api, rc, "tunnel %u: %s", t.conn_id, api->dp->err);
		if (rc == -EEXIST)
			return fail(api, rc, "tunnel %u already exists", t.conn_id);
		if (rc == -EADDRINUSE)
			return fail(api, rc, "tunnel %u: local address and port are in use",
				    t.conn_id);
		if (rc == -EADDRNOTAVAIL)
			return fail(api, rc, "tunnel %u: the local address is not on this host",
				    t.conn_id);
		return fail(api, rc, "tunnel %u: %s", t.conn_id, strerror(-rc));
	}
	log_info("tunnel %u created (peer tunnel %u, encap %s)", t.conn_id, t.peer_conn_id,
		 t.encap_type == L2TP_ENCAPTYPE_UDP ? "udp" : "ip");
	return 0;
}

static int tunnel_lookup(struct l2tpd_api *api, const struct nlmsghdr *nlh, uint8_t cmd,
			 struct l2tpd_tunnel **tp, struct l2tp_api_tunnel *req)
{
	struct l2tp_diag d = {0};
	int rc;

	rc = l2tp_api_parse_tunnel(nlh, req, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	rc = l2tp_api_check_required(cmd, req->present, false, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	*tp = l2tpd_tunnel_find(api->reg, req->conn_id);
	return *tp ? 0 : fail(api, -ENODEV, "tunnel %u does not exist", req->conn_id);
}

/* Say which of the three things that can already exist does. */
static int session_create_failed(struct l2tpd_api *api, const struct l2tpd_tunnel *t,
				 const struct l2tp_api_session *s, int rc)
{
	const struct l2tpd_session *o;
	uint32_t sid = s->session_id, tid = t->cfg.conn_id;

	if (rc != -EEXIST || api->dp->err[0])
		return fail(api, rc, "session %u in tunnel %u: %s", sid, tid,
			    api->dp->err[0] ? api->dp->err : strerror(-rc));
	if (l2tpd_session_find((struct l2tpd_tunnel *)t, sid))
		return fail(api, rc, "session %u in tunnel %u already exists", sid, tid);
	o = t->cfg.encap_type == L2TP_ENCAPTYPE_IP
		? l2tpd_session_find_ip(api->reg, l2tpd_tunnel_family(t), sid)
		: NULL;
	/* RFC 3931 §4.1.1.1: over IP the session id alone finds the session. */
	if (o)
		return fail(api, rc,
			    "session id %u is in use by tunnel %u (over IP, session ids are "
			    "unique per host)",
			    sid, o->tunnel->cfg.conn_id);
	return fail(api, rc, "interface name %s is in use", s->ifname[0] ? s->ifname : "?");
}

static int session_create(struct l2tpd_api *api, const struct nlmsghdr *nlh)
{
	struct l2tp_api_session s;
	struct l2tp_diag d = {0};
	struct l2tpd_tunnel *t;
	struct l2tpd_session *ns;
	int rc;

	rc = l2tp_api_parse_session(nlh, &s, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	/* Kernel order: CONN_ID, the tunnel, then the other attributes. */
	if (!l2tp_api_has(s.present, L2TP_ATTR_CONN_ID))
		return fail(api, -EINVAL, "attribute CONN_ID is missing");
	t = l2tpd_tunnel_find(api->reg, s.conn_id);
	if (!t)
		return fail(api, -ENODEV, "tunnel %u does not exist", s.conn_id);
	if (t->mt)
		return fail(api, -EINVAL,
			    "tunnel %u is managed: its sessions are added with remote_end_id",
			    s.conn_id);
	if (t->dying)
		return fail(api, -ENODEV, "tunnel %u is being deleted", s.conn_id);
	rc = l2tp_api_check_required(L2TP_CMD_SESSION_CREATE, s.present, false, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	rc = l2tp_api_check_session_create(&s, t->cfg.proto_version, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	if (t->cfg.proto_version == 3) {
		if (!l2tp_api_has(s.present, L2TP_ATTR_L2SPEC_TYPE))
			s.l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
		if (!l2tp_api_has(s.present, L2TP_ATTR_COOKIE))
			s.cookie_len = 0;
		if (!l2tp_api_has(s.present, L2TP_ATTR_PEER_COOKIE))
			s.peer_cookie_len = 0;
		if (!l2tp_api_has(s.present, L2TP_ATTR_IFNAME))
			s.ifname[0] = '\0';
	} else {
		s.l2spec_type = L2TP_L2SPECTYPE_NONE;
		s.cookie_len = s.peer_cookie_len = 0;
		s.ifname[0] = '\0';
	}
	if (!l2tp_api_has(s.present, L2TP_ATTR_RECV_SEQ))
		s.recv_seq = 0;
	if (!l2tp_api_has(s.present, L2TP_ATTR_SEND_SEQ))
		s.send_seq = 0;
	if (!l2tp_api_has(s.present, L2TP_ATTR_LNS_MODE))
		s.lns_mode = 0;
	if (!l2tp_api_has(s.present, L2TP_ATTR_RECV_TIMEOUT))
		s.recv_timeout_ms = 0;
	s.recv_seq = !!s.recv_seq;
	s.send_seq = !!s.send_seq;
	s.lns_mode = !!s.lns_mode;
	/* Only the Ethernet pseudowire has a driver here (like l2tp_eth alone). */
	if (s.pw_type != L2TP_PWTYPE_ETH)
		return fail(api, -EPROTONOSUPPORT,
			    "session %u: only Ethernet pseudowires are supported", s.session_id);
	/* RFC 3931 §4.1: session id 0 is reserved (it marks control messages over IP). */
	if (s.session_id == 0)
		return fail(api, -EINVAL, "session id 0 is reserved");
	api->dp->err[0] = '\0';
	ns = l2tpd_session_add(api->reg, api->dp, t, &s, &rc);
	if (!ns)
		return session_create_failed(api, t, &s, rc);
	log_info("session %u in tunnel %u created (peer session %u, interface %s)", s.session_id,
		 t->cfg.conn_id, s.peer_session_id, ns->cfg.ifname);
	return 0;
}

static struct l2tpd_session *session_lookup(struct l2tpd_api *api,
					    const struct l2tp_api_session *req)
{
	struct l2tpd_tunnel *t;

	if (l2tp_api_has(req->present, L2TP_ATTR_IFNAME))
		return l2tpd_session_find_ifname(api->reg, req->ifname);
	if (l2tp_api_has(req->present, L2TP_ATTR_CONN_ID) &&
	    l2tp_api_has(req->present, L2TP_ATTR_SESSION_ID)) {
		t = l2tpd_tunnel_find(api->reg, req->conn_id);
		return t ? l2tpd_session_find(t, req->session_id) : NULL;
	}
	return NULL;
}

static int session_cmd(struct l2tpd_api *api, const struct nlmsghdr *nlh, uint8_t cmd,
		       struct reply *r)
{
	struct l2tp_api_session req;
	struct l2tp_diag d = {0};
	struct l2tpd_session *s;
	struct l2tp_api_session old;
	int rc;

	rc = l2tp_api_parse_session(nlh, &req, &d);
	if (rc < 0)
		return fail_diag(api, rc, &d);
	s = session_lookup(api, &req);
	if (!s) {
		if (l2tp_api_has(req.present, L2TP_ATTR_IFNAME))
			return fail(api, -ENODEV, "no session has interface %s", req.ifname);
		return fail(api, -ENODEV, "session %u in tunnel %u does not exist", req.session_id,
			    req.conn_id);
	}
	switch (cmd) {
	case L2TP_CMD_SESSION_DELETE:
		if (s->ms && api->mgr) {
			l2tpd_mgr_session_del(api->mgr, s->ms);
			return 0;
		}
		log_info("session %u in tunnel %u deleted", s->cfg.session_id,
			 s->tunnel->cfg.conn_id);
		l2tpd_session_del(api->reg, api->dp, s);
		return 0;
	case L2TP_CMD_SESSION_MODIFY:
		old = s->cfg;
		if (l2tp_api_has(req.present, L2TP_ATTR_DEBUG))
			s->cfg.debug = req.debug;
		if (l2tp_api_has(req.present, L2TP_ATTR_RECV_SEQ))
			s->cfg.recv_seq = !!req.recv_seq;
		if (l2tp_api_has(req.present, L2TP_ATTR_SEND_SEQ))
			s->cfg.send_seq = !!req.send_seq;
		if (l2tp_api_has(req.present, L2TP_ATTR_LNS_MODE))
			s->cfg.lns_mode = !!req.lns_mode;
		if (l2tp_api_has(req.present, L2TP_ATTR_RECV_TIMEOUT))
			s->cfg.recv_timeout_ms = req.recv_timeout_ms;
		rc = api->dp->ops->session_modify(api->dp, s);
		if (rc < 0)
			s->cfg = old;
		return rc;
	default: /* SESSION_GET */
		return put_session_msg(api, s, nlh, 0, r);
	}
}

/*
 * Dumps come in the kernel's order (Debian 12's 6.1, what tools written for
 * the kernel saw): tunnels by id (its tunnel IDR), each tunnel's sessions by
 * bucket of its 16-bucket session hash, the newest first within a bucket
 * (l2tp_session_get_nth()). The order shows: iproute2 6.1 prints the
 * cookies of the previous session for a session that has none.
 */
struct dump_item {
	uint32_t key, pos;
	void *obj;
};

static int dump_item_cmp(const void *a, const void *b)
{
	const struct dump_item *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* hash_32(session_id, L2TP_HASH_BITS) of the kernel's l2tp_core.c */
static uint32_t kernel_session_bucket(uint32_t session_id)
{
	return (session_id * 0x61C88647u) >> (32 - 4);
}

/* The tunnels (sessions == false) or the sessions of |t|, in the kernel's order. */
static struct dump_item *dump_order(struct l2tpd_api *api, struct l2tpd_tunnel *t, bool sessions,
				    size_t *n)
{
	struct dump_item *v;
	size_t i = 0;

	*n = 0;
	if (sessions)
		for (struct l2tpd_session *s = t->sessions; s; s = s->next)
			(*n)++;
	else
		for (struct l2tpd_tunnel *x = api->reg->tunnels; x; x = x->next)
			(*n)++;
	v = calloc(*n ? *n : 1, sizeof(*v));
	if (!v)
		return NULL;
	if (sessions)
		for (struct l2tpd_session *s = t->sessions; s; s = s->next, i++)
			v[i] = (struct dump_item){kernel_session_bucket(s->cfg.session_id), i, s};
	else
		for (struct l2tpd_tunnel *x = api->reg->tunnels; x; x = x->next, i++)
			v[i] = (struct dump_item){x->cfg.conn_id, i, x};
	qsort(v, *n, sizeof(*v), dump_item_cmp);
	return v;
}

static void dump(struct l2tpd_api *api, const struct nlmsghdr *nlh, uint8_t cmd, struct reply *r)
{
	struct dump_item *tv, *sv;
	size_t nt, ns;

	/* The kernel ignores any filter in a dump and lists everything. */
	tv = dump_order(api, NULL, false, &nt);
	if (!tv) {
		reply_error(r, nlh, -ENOMEM);
		return;
	}
	for (size_t i = 0; i < nt; i++) {
		struct l2tpd_tunnel *t = tv[i].obj;

		if (cmd == L2TP_CMD_TUNNEL_GET) {
			put_tunnel_msg(api, t, nlh, NLM_F_MULTI, r);
			continue;
		}
		sv = dump_order(api, t, true, &ns);
		for (size_t j = 0; sv && j < ns; j++)
			put_session_msg(api, sv[j].obj, nlh, NLM_F_MULTI, r);
		free(sv);
	}
	free(tv);
	reply_done(r, nlh);
}

static bool cmd_mutates(uint8_t cmd)
{
	return cmd != L2TP_CMD_NOOP && cmd != L2TP_CMD_TUNNEL_GET && cmd != L2TP_CMD_SESSION_GET;
}

/* A request's result: 0 or -errno (answered by handle_genl), or ANSWERED (a dump). */
#define ANSWERED 1

static int handle_l2tp(struct l2tpd_api *api, const struct nlmsghdr *nlh, uint8_t cmd,
		       bool privileged, struct reply *r)
{
	bool is_dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	struct l2tp_api_tunnel treq;
	struct l2tpd_tunnel *t;
	int rc;

	if (cmd > L2TP_CMD_MAX)
		return -EOPNOTSUPP;
	if (cmd_mutates(cmd) && !privileged && !api->delegated)
		return -EPERM;
	log_debug("api: %s%s seq=%u", l2tp_api_cmd_name(cmd), is_dump ? " dump" : "",
		  nlh->nlmsg_seq);
	if (is_dump) {
		if (cmd != L2TP_CMD_TUNNEL_GET && cmd != L2TP_CMD_SESSION_GET)
			return -EOPNOTSUPP;
		dump(api, nlh, cmd, r);
		return ANSWERED;
	}
	switch (cmd) {
	case L2TP_CMD_NOOP:
		rc = 0;
		break;
	case L2TP_CMD_TUNNEL_CREATE:
		rc = tunnel_create(api, nlh);
		break;
	case L2TP_CMD_TUNNEL_DELETE:
		rc = tunnel_lookup(api, nlh, cmd, &t, &treq);
		if (rc == 0 && t->mt && api->mgr) {
			l2tpd_mgr_tunnel_del(api->mgr, t->mt);
		} else if (rc == 0) {
			log_info("tunnel %u deleted", t->cfg.conn_id);
			l2tpd_tunnel_del(api->reg, api->dp, t);
		}
		break;
	case L2TP_CMD_TUNNEL_MODIFY:
		rc = tunnel_lookup(api, nlh, cmd, &t, &treq);
		if (rc == 0 && l2tp_api_has(treq.present, L2TP_ATTR_DEBUG)) {
			/* The kernel changes nothing but the (unused) debug mask. */
			t->cfg.debug = treq.debug;
			rc = api->dp->ops->tunnel_modify(api->dp, t);
		}
		break;
	case L2TP_CMD_TUNNEL_GET:
		rc = tunnel_lookup(api, nlh, cmd, &t, &treq);
		if (rc == 0)
			rc = put_tunnel_msg(api, t, nlh, 0, r);
		break;
	case L2TP_CMD_SESSION_CREATE:
		rc = session_create(api, nlh);
		break;
	default:
		rc = session_cmd(api, nlh, cmd, r);
		break;
	}
	return rc;
}

/* ---- the "l2tpd" family -------------------------------------------------- */

static void client_close(struct l2tpd_api *api, struct api_client *c);

#define EXEC_MAX_ARGS 64

static int exec_cmd(struct l2tpd_api *api, const struct nlmsghdr *nlh)
{
	char *argv[EXEC_MAX_ARGS], err[CLI_ERRLEN] = "";
	const struct nlattr *a;
	struct cli_cmd cmd;
	int argc = 0, rc;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
	{
		if (mnl_attr_get_type(a) != L2TPD_ATTR_ARG)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return fail(api, -EINVAL, "ARG is not a string");
		if (argc == EXEC_MAX_ARGS)
			return fail(api, -E2BIG, "more than %d words", EXEC_MAX_ARGS);
		argv[argc++] = (char *)mnl_attr_get_str(a);
	}
	if (argc == 0)
		return fail(api, -EINVAL, "no command");
	rc = cli_parse(argc, argv, &cmd, err, sizeof(err));
	if (rc != 0)
		return fail(api, -EINVAL, "%s", rc < 0 ? err : "not a command");
	rc = l2tpd_mgr_exec(api->mgr, &cmd, false, err, sizeof(err));
	if (rc < 0)
		return fail(api, rc, "%s", err[0] ? err : strerror(-rc));
	return 0;
}

struct line_ctx {
	const struct nlmsghdr *req;
	struct reply *r;
};

static int config_line(void *arg, const char *line)
{
	struct line_ctx *x = arg;
	union {
		uint64_t align;
		uint8_t b[L2TP_API_MSG_MAX];
	} buf;
	struct nlmsghdr *nlh =
	    l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_L2TPD_FAMILY_ID, L2TPD_CMD_CONFIG_GET,
			       NLM_F_MULTI, x->req->nlmsg_seq);

	nlh->nlmsg_pid = x->req->nlmsg_pid;
	if (mnl_attr_put_strz_check(nlh, sizeof(buf.b), L2TPD_ATTR_LINE, line))
		reply_add(x->r, nlh, nlh->nlmsg_len);
	return 0;
}

static void l2tpd_dump(struct l2tpd_api *api, const struct nlmsghdr *req, uint8_t cmd,
		       bool privileged, struct reply *r)
{
	union {
		uint64_t align;
		uint8_t b[L2TP_API_MSG_MAX];
	} buf;

	if (cmd == L2TPD_CMD_CONFIG_GET) {
		struct line_ctx x = {req, r};

		l2tpd_config_format(&api->cenv, privileged, config_line, &x);
	}
	for (struct l2tpd_mtunnel *mt = l2tpd_mgr_tunnels(api->mgr);
	     mt && cmd != L2TPD_CMD_CONFIG_GET; mt = mt->next) {
		for (struct l2tpd_msession *ms = cmd == L2TPD_CMD_SESSION_GET ? mt->sessions : NULL;
		     ms || cmd == L2TPD_CMD_TUNNEL_GET; ms = ms->next) {
			struct nlmsghdr *nlh =
			    l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_L2TPD_FAMILY_ID, cmd,
					       NLM_F_MULTI, req->nlmsg_seq);
			int rc;

			nlh->nlmsg_pid = req->nlmsg_pid;
			rc = ms ? l2tpd_mgr_put_session(api->mgr, ms, nlh, sizeof(buf.b))
				: l2tpd_mgr_put_tunnel(api->mgr, mt, nlh, sizeof(buf.b));
			if (rc == 0)
				reply_add(r, nlh, nlh->nlmsg_len);
			if (!ms)
				break;
		}
	}
	/* Static tunnels: which datapath carries them (l2tp show prints it). */
	for (struct l2tpd_tunnel *t = api->reg->tunnels; t && cmd == L2TPD_CMD_TUNNEL_GET;
	     t = t->next) {
		struct nlmsghdr *nlh;

		if (t->mt || t->dying)
			continue;
		nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_L2TPD_FAMILY_ID, cmd,
					 NLM_F_MULTI, req->nlmsg_seq);
		nlh->nlmsg_pid = req->nlmsg_pid;
		if (mnl_attr_put_u32_check(nlh, sizeof(buf.b), L2TPD_ATTR_CONN_ID, t->cfg.conn_id) &&
		    mnl_attr_put_strz_check(nlh, sizeof(buf.b), L2TPD_ATTR_DATAPATH,
					    api->dp->ops->tunnel_dp_name
						    ? api->dp->ops->tunnel_dp_name(api->dp, t)
						    : api->dp->ops->name))
			reply_add(r, nlh, nlh->nlmsg_len);
	}
	reply_done(r, req);
}

static int handle_l2tpd(struct l2tpd_api *api, const struct nlmsghdr *nlh, uint8_t cmd,
			bool privileged, struct reply *r)
{
	bool is_dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int rc;

	if (!api->mgr)
		return fail(api, -EOPNOTSUPP, "managed tunnels are not available");
	switch (cmd) {
	case L2TPD_CMD_EXEC:
		if (!privileged && !api->delegated)
			rc = -EPERM;
		else
			rc = exec_cmd(api, nlh);
		break;
	case L2TPD_CMD_CONFIG_GET:
	case L2TPD_CMD_TUNNEL_GET:
	case L2TPD_CMD_SESSION_GET:
		if (!is_dump) {
			rc = fail(api, -EOPNOTSUPP, "only dumps");
			break;
		}
		l2tpd_dump(api, nlh, cmd, privileged || api->delegated, r);
		return ANSWERED;
	case L2TPD_CMD_MONITOR:
		if (!api->cur) {
			rc = -EOPNOTSUPP;
			break;
		}
		api->cur->monitor = true;
		rc = 0;
		break;
	default:
		rc = -EOPNOTSUPP;
		break;
	}
	return rc;
}

/* Either generic-netlink family: the header, the handler, then the ack or error. */
static void handle_genl(struct l2tpd_api *api, const struct nlmsghdr *nlh, bool privileged,
			struct reply *r)
{
	int rc;

	api->errmsg[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		rc = -EINVAL;
	else if (nlh->nlmsg_type == L2TP_API_FAMILY_ID)
		rc = handle_l2tp(api, nlh, l2tp_api_msg_cmd(nlh), privileged, r);
	else
		rc = handle_l2tpd(api, nlh, l2tp_api_msg_cmd(nlh), privileged, r);
	if (rc == ANSWERED)
		return;
	if (rc < 0)
		log_debug("api: request seq=%u failed: %s", nlh->nlmsg_seq, strerror(-rc));
	if (rc == 0 && (nlh->nlmsg_flags & NLM_F_ACK))
		reply_flush(r); /* the kernel acks a GET's reply in a datagram of its own */
	if (rc < 0 || (nlh->nlmsg_flags & NLM_F_ACK))
		reply_error_msg(r, nlh, rc, api->errmsg[0] ? api->errmsg : NULL);
}

void l2tpd_api_event(void *arg, const struct nlmsghdr *msg)
{
	struct l2tpd_api *api = arg;
	struct api_client *c, *next;

	for (c = api->clients; c; c = next) {
		next = c->next;
		if (!c->monitor)
			continue;
		/* A monitor that does not keep up is dropped, never waited for. */
		if (send(c->fd, msg, msg->nlmsg_len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			log_warnx_rl(&api->rl, l2tpd_clock_now(),
				     "api: monitor client not reading events, disconnected");
			if (c == api->cur)
				c->monitor = false; /* its request is still being answered */
			else
				client_close(api, c);
		}
	}
}

void l2tpd_api_set_mgr(struct l2tpd_api *api, struct l2tpd_mgr *mgr,
		       const struct l2tpd_config_env *env)
{
	api->mgr = mgr;
	if (env)
		api->cenv = *env;
	if (mgr)
		l2tpd_mgr_set_event_fn(mgr, l2tpd_api_event, api);
}

static void handle_ctrl(struct l2tpd_api *api, const struct nlmsghdr *nlh, struct reply *r)
{
	uint8_t b[512];
	const char *name = NULL;
	struct l2tp_diag d = {0};
	int rc, n;

	rc = l2tp_api_parse_getfamily(nlh, &name, &d);
	if (rc == 0) {
		if (!strcmp(name, L2TP_GENL_NAME))
			n = l2tp_api_build_family_reply(b, sizeof(b), nlh, name, L2TP_API_FAMILY_ID,
							L2TP_GENL_VERSION, L2TP_ATTR_MAX);
		else if (!strcmp(name, L2TPD_GENL_NAME))
			n = l2tp_api_build_family_reply(b, sizeof(b), nlh, name,
							L2TP_API_L2TPD_FAMILY_ID,
							L2TPD_GENL_VERSION, L2TPD_ATTR_MAX);
		else
			n = -ENOENT;
		if (n > 0) {
			reply_add(r, b, (size_t)n);
			if (nlh->nlmsg_flags & NLM_F_ACK) {
				reply_flush(r); /* as genl_ctrl: reply and ack apart */
				reply_error(r, nlh, 0);
			}
			return;
		}
		rc = n == -ENOENT ? -ENOENT : -EINVAL;
	}
	reply_error(r, nlh, rc);
}

int l2tpd_api_handle(struct l2tpd_api *api, const void *req, size_t len, bool privileged,
		     l2tpd_api_send_fn send, void *arg)
{
	struct reply *r = malloc(sizeof(*r));
	const uint8_t *p = req;
	int err;

	if (!r)
		return 0; /* no answer; the client retries or times out */
	r->send = send;
	r->arg = arg;
	r->err = 0;
	r->len = 0;
	/* Several messages may share a datagram, as on a netlink socket. */
	while (len >= NLMSG_HDRLEN) {
		struct nlmsghdr hdr;
		const struct nlmsghdr *nlh;
		uint8_t *copy = NULL;
		size_t mlen;

		memcpy(&hdr, p, sizeof(hdr));
		/* Like netlink_rcv_skb(): a length that lies ends the datagram. */
		if (hdr.nlmsg_len < NLMSG_HDRLEN || hdr.nlmsg_len > len)
			break;
		mlen = hdr.nlmsg_len;
		/* Parse an aligned private copy: the datagram offset may be odd. */
		copy = malloc(mlen < sizeof(struct nlmsghdr) ? sizeof(struct nlmsghdr) : mlen);
		if (!copy)
			break;
		memcpy(copy, p, mlen);
		nlh = (const struct nlmsghdr *)copy;
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
			/* Not a request, or a control message: nothing to answer. */
		} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
			handle_ctrl(api, nlh, r);
		} else if (nlh->nlmsg_type == L2TP_API_FAMILY_ID ||
			   nlh->nlmsg_type == L2TP_API_L2TPD_FAMILY_ID) {
			handle_genl(api, nlh, privileged, r);
		} else {
			reply_error(r, nlh, -ENOENT);
		}
		free(copy);
		mlen = NLMSG_ALIGN(mlen);
		if (mlen >= len)
			break;
		p += mlen;
		len -= mlen;
	}
	reply_flush(r);
	err = r->err;
	free(r);
	return err;
}

/* ---- sockets ------------------------------------------------------------- */

static void client_close(struct l2tpd_api *api, struct api_client *c)
{
	for (struct api_client **pp = &api->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	l2tpd_loop_del(api->loop, c->w);
	close(c->fd);
	api->n_clients--;
	free(c);
}

static int client_send(void *arg, const void *buf, size_t len)
{
	struct api_client *c = arg;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

static void client_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct api_client *c = arg;
	struct l2tpd_api *api = c->api;
	uint8_t buf[L2TP_API_MSG_MAX];
	ssize_t n;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(api, c);
		return;
	}
	if ((size_t)n > sizeof(buf)) {
		/* Too big to be one of our requests: answer the header we have. */
		struct nlmsghdr hdr;
		struct reply *r = malloc(sizeof(*r));

		memcpy(&hdr, buf, sizeof(hdr));
		if (r) {
			r->send = client_send;
			r->arg = c;
			r->err = 0;
			r->len = 0;
			reply_error(r, &hdr, -EINVAL);
			reply_flush(r);
			free(r);
		}
		return;
	}
	api->cur = c;
	n = l2tpd_api_handle(api, buf, (size_t)n, c->privileged, client_send, c);
	api->cur = NULL;
	if (n < 0) {
		log_warnx_rl(&api->rl, l2tpd_clock_now(),
			     "api: client not reading its answers, disconnected");
		client_close(api, c);
	}
}

/* Root, or CAP_NET_ADMIN in the peer's effective set (what the kernel checks). */
static bool peer_privileged(int fd)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	char path[64], line[256];
	bool ok = false;
	FILE *f;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) < 0)
		return false;
	if (cr.uid == 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)cr.pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long caps;

		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			ok = (caps >> CAP_NET_ADMIN_BIT) & 1;
			break;
		}
	}
	fclose(f);
	return ok;
}

static void listen_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct l2tpd_api *api = arg;
	struct timeval tv = {.tv_sec = 1};
	struct api_client *c;
	int fd;

	fd = accept4(api->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (api->n_clients >= API_MAX_CLIENTS) {
		log_warnx_rl(&api->rl, l2tpd_clock_now(), "api: too many clients, refusing one");
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	/*
	 * Blocking sends with a timeout: a dump larger than the socket buffer
	 * waits for the client a little, a client that never reads is dropped.
	 */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->api = api;
	c->fd = fd;
	c->privileged = peer_privileged(fd);
	c->w = l2tpd_loop_add(api->loop, fd, EPOLLIN, client_cb, c);
	if (!c->w) {
		close(fd);
		free(c);
		return;
	}
	c->next = api->clients;
	api->clients = c;
	api->n_clients++;
}

struct l2tpd_api *l2tpd_api_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
				struct l2tpd_datapath *dp)
{
	struct l2tpd_api *api = calloc(1, sizeof(*api));

	if (!api)
		return NULL;
	api->loop = loop;
	api->reg = reg;
	api->dp = dp;
	api->lfd = -1;
	api->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	return api;
}

void l2tpd_api_set_delegated(struct l2tpd_api *api, bool delegated)
{
	api->delegated = delegated;
}

/* Is somebody accepting on |path|? */
static bool socket_live(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EAGAIN;
	close(fd);
	return live;
}

int l2tpd_api_listen(struct l2tpd_api *api, const char *path, mode_t mode, gid_t gid)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char dirbuf[sizeof(sun.sun_path)];
	struct stat st;
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	strcpy(dirbuf, path);
	strcpy(api->dir, dirname(dirbuf));
	if (stat(api->dir, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		if (mkdir(api->dir, 0755) < 0)
			return -errno;
		api->made_dir = true;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (socket_live(path))
			return -EADDRINUSE;
		/* A socket left by an l2tpd that was killed: replace it. */
		if (unlink(path) < 0)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Never let the socket exist with wider permissions than asked. */
	old = umask(0777 & ~mode);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	strcpy(api->path, path);
	if ((gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) || chmod(path, mode) < 0 ||
	    listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		api->path[0] = '\0';
		return rc;
	}
	api->lfd = fd;
	api->lw = l2tpd_loop_add(api->loop, fd, EPOLLIN, listen_cb, api);
	if (!api->lw) {
		rc = -errno;
		close(fd);
		unlink(path);
		api->lfd = -1;
		api->path[0] = '\0';
		return rc;
	}
	return 0;
}

void l2tpd_api_free(struct l2tpd_api *api)
{
	if (!api)
		return;
	while (api->clients)
		client_close(api, api->clients);
	if (api->lfd >= 0) {
		l2tpd_loop_del(api->loop, api->lw);
		close(api->lfd);
	}
	if (api->path[0])
		unlink(api->path);
	/* Only a directory we made, and only if nothing else lives in it. */
	if (api->made_dir)
		rmdir(api->dir);
	free(api);
}
