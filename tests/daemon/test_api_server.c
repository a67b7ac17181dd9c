// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_api_server.c - the API server driven with in-memory
 * netlink messages over a fake datapath: required attributes, errnos in
 * the kernel's order, replies, dumps, cascade deletes, malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <l2tp/api.h>

#include "../../daemon/api_server.h"
#include "../../daemon/datapath.h"
#include "../../daemon/log.h"
#include "../../daemon/registry.h"

/* ---- fake datapath --------------------------------------------------------- */

struct fake {
	struct l2tpd_datapath dp;
	int tunnels, sessions;
	int next_if;
	int fail_tunnel; /* errno to return from the next tunnel_create */
	struct l2tpd_registry *reg;
};

static int f_tc(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct fake *f = (struct fake *)dp;

	if (f->fail_tunnel) {
		int e = f->fail_tunnel;

		f->fail_tunnel = 0;
		return -e;
	}
	f->tunnels++;
	return 0;
}

static int f_tm(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	return 0;
}

static void f_td(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	((struct fake *)dp)->tunnels--;
}

static void f_ts(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t, struct l2tp_api_stats *st)
{
	st->rx_invalid = 7;
}

static int f_sc(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct fake *f = (struct fake *)dp;

	if (!s->cfg.ifname[0])
		snprintf(s->cfg.ifname, IFNAMSIZ, "l2tpeth%d", f->next_if++);
	else if (l2tpd_session_find_ifname(f->reg, s->cfg.ifname))
		return -EEXIST;
	f->sessions++;
	return 0;
}

static int f_sm(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	return 0;
}

static void f_sd(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	((struct fake *)dp)->sessions--;
}

static void f_ss(struct l2tpd_datapath *dp, struct l2tpd_session *s, struct l2tp_api_stats *st)
{
	st->rx_packets = 3;
	st->tx_bytes = 1000;
}

static const struct l2tpd_datapath_ops fake_ops = {
    .name = "fake",
    .tunnel_create = f_tc,
    .tunnel_modify = f_tm,
    .tunnel_delete = f_td,
    .tunnel_stats = f_ts,
    .session_create = f_sc,
    .session_modify = f_sm,
    .session_delete = f_sd,
    .session_stats = f_ss,
};

/* ---- harness --------------------------------------------------------------- */

#define MAXOUT 16

struct env {
	struct fake f;
	struct l2tpd_registry reg;
	struct l2tpd_api *api;
	uint8_t out[MAXOUT][L2TP_API_MSG_MAX];
	size_t out_len[MAXOUT];
	int nout;
	uint8_t req[L2TP_API_MSG_MAX];
};

static int capture(void *arg, const void *buf, size_t len)
{
	struct env *e = arg;

	assert_true(e->nout < MAXOUT);
	assert_true(len <= L2TP_API_MSG_MAX);
	memcpy(e->out[e->nout], buf, len);
	e->out_len[e->nout++] = len;
	return 0;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->f.dp.ops = &fake_ops;
	l2tpd_registry_init(&e->reg);
	e->f.reg = &e->reg;
	e->api = l2tpd_api_new(NULL, &e->reg, &e->f.dp);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	l2tpd_registry_clear(&e->reg, &e->f.dp);
	assert_int_equal(e->f.tunnels, 0);
	assert_int_equal(e->f.sessions, 0);
	l2tpd_api_free(e->api);
	free(e);
	return 0;
}

static void run(struct env *e, const void *buf, size_t len, bool priv)
{
	e->nout = 0;
	assert_int_equal(l2tpd_api_handle(e->api, buf, len, priv, capture, e), 0);
}

/* The errno of the only answer (an NLMSG_ERROR); fails if it is not one. */
static int answer_err(struct env *e)
{
	struct nlmsghdr *nlh;
	int err = 1;

	assert_int_equal(e->nout, 1);
	nlh = (struct nlmsghdr *)e->out[0];
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(l2tp_api_parse_error(nlh, &err), 0);
	return err;
}

static struct nlmsghdr *start(struct env *e, uint8_t cmd, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = l2tp_api_msg_start(e->req, sizeof(e->req), L2TP_API_FAMILY_ID, cmd,
						  NLM_F_REQUEST | flags, seq);

	assert_non_null(nlh);
	nlh->nlmsg_pid = 4242;
	return nlh;
}

static void tunnel_req(struct l2tp_api_tunnel *t, uint32_t id)
{
	memset(t, 0, sizeof(*t));
	t->present = L2TP_API_BIT(L2TP_ATTR_CONN_ID) | L2TP_API_BIT(L2TP_ATTR_PEER_CONN_ID) |
		     L2TP_API_BIT(L2TP_ATTR_PROTO_VERSION) | L2TP_API_BIT(L2TP_ATTR_ENCAP_TYPE) |
		     L2TP_API_BIT(L2TP_ATTR_IP_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP_DADDR) |
		     L2TP_API_BIT(L2TP_ATTR_UDP_SPORT) | L2TP_API_BIT(L2TP_ATTR_UDP_DPORT);
	t->conn_id = id;
	t->peer_conn_id = 4000;
	t->proto_version = 3;
	t->encap_type = L2TP_ENCAPTYPE_UDP;
	inet_pton(AF_INET, "192.0.2.1", &t->local_ip);
	inet_pton(AF_INET, "192.0.2.2", &t->peer_ip);
	t->udp_sport = 5000;
	t->udp_dport = 6000;
}

static int send_tunnel(struct env *e, uint8_t cmd, const struct l2tp_api_tunnel *t, bool priv)
{
	struct nlmsghdr *nlh = start(e, cmd, NLM_F_ACK, 1);

	assert_int_equal(l2tp_api_put_tunnel(nlh, sizeof(e->req), t), 0);
	run(e, e->req, nlh->nlmsg_len, priv);
	return answer_err(e);
}

static void session_req(struct l2tp_api_session *s, uint32_t tid, uint32_t sid)
{
	memset(s, 0, sizeof(*s));
	s->present = L2TP_API_BIT(L2TP_ATTR_CONN_ID) | L2TP_API_BIT(L2TP_ATTR_SESSION_ID) |
		     L2TP_API_BIT(L2TP_ATTR_PEER_SESSION_ID) | L2TP_API_BIT(L2TP_ATTR_PW_TYPE);
	s->conn_id = tid;
	s->session_id = sid;
	s->peer_session_id = 2000;
	s->pw_type = L2TP_PWTYPE_ETH;
}

static int send_session(struct env *e, uint8_t cmd, const struct l2tp_api_session *s)
{
	struct nlmsghdr *nlh = start(e, cmd, NLM_F_ACK, 2);

	assert_int_equal(l2tp_api_put_session(nlh, sizeof(e->req), s), 0);
	run(e, e->req, nlh->nlmsg_len, true);
	return answer_err(e);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_api_server_family_lookup(void **state)
{
	struct env *e = *state;
	uint16_t id = 0;
	uint32_t ver = 0;
	int n;

	n = l2tp_api_build_getfamily(e->req, sizeof(e->req), "l2tp", 9);
	assert_true(n > 0);
	run(e, e->req, (size_t)n, false);
	assert_int_equal(e->nout, 1);
	assert_int_equal(l2tp_api_parse_family_reply((struct nlmsghdr *)e->out[0], &id, &ver, NULL),
			 0);
	assert_int_equal(id, L2TP_API_FAMILY_ID);
	assert_int_equal(ver, L2TP_GENL_VERSION);
	assert_int_equal(((struct nlmsghdr *)e->out[0])->nlmsg_seq, 9);

	n = l2tp_api_build_getfamily(e->req, sizeof(e->req), "l2tpd", 10);
	run(e, e->req, (size_t)n, false);
	assert_int_equal(l2tp_api_parse_family_reply((struct nlmsghdr *)e->out[0], &id, NULL, NULL),
			 0);
	assert_int_equal(id, L2TP_API_L2TPD_FAMILY_ID);

	n = l2tp_api_build_getfamily(e->req, sizeof(e->req), "nl80211", 11);
	run(e, e->req, (size_t)n, false);
	assert_int_equal(answer_err(e), -ENOENT);
}

static void test_api_server_tunnel_required_attrs(void **state)
{
	struct env *e = *state;
	static const unsigned int req[] = {L2TP_ATTR_CONN_ID,	    L2TP_ATTR_PEER_CONN_ID,
					   L2TP_ATTR_PROTO_VERSION, L2TP_ATTR_ENCAP_TYPE,
					   L2TP_ATTR_IP_SADDR,	    L2TP_ATTR_IP_DADDR};
	struct l2tp_api_tunnel t;

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(req); i++) {
		tunnel_req(&t, 3000);
		t.present &= ~L2TP_API_BIT(req[i]);
		assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), -EINVAL);
	}
	assert_int_equal(e->f.tunnels, 0);
	tunnel_req(&t, 3000);
	t.proto_version = 4;
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), -EPROTONOSUPPORT);
	tunnel_req(&t, 3000);
	t.encap_type = 7;
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), -EINVAL);
	assert_int_equal(e->f.tunnels, 0);
}

static void test_api_server_tunnel_lifecycle(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t, got;
	struct nlmsghdr *nlh;

	tunnel_req(&t, 3000);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), 0);
	assert_int_equal(e->f.tunnels, 1);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), -EEXIST);
	/* datapath errors reach the client unchanged */
	e->f.fail_tunnel = EADDRINUSE;
	tunnel_req(&t, 3001);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), -EADDRINUSE);

	/* GET (do): one reply, then no ack without NLM_F_ACK */
	nlh = start(e, L2TP_CMD_TUNNEL_GET, 0, 77);
	t.present = L2TP_API_BIT(L2TP_ATTR_CONN_ID);
	t.conn_id = 3000;
	assert_int_equal(l2tp_api_put_tunnel(nlh, sizeof(e->req), &t), 0);
	run(e, e->req, nlh->nlmsg_len, false);
	assert_int_equal(e->nout, 1);
	nlh = (struct nlmsghdr *)e->out[0];
	assert_int_equal(nlh->nlmsg_type, L2TP_API_FAMILY_ID);
	assert_int_equal(nlh->nlmsg_seq, 77);
	assert_int_equal(nlh->nlmsg_pid, 4242);
	assert_int_equal(l2tp_api_msg_cmd(nlh), L2TP_CMD_TUNNEL_GET);
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &got, NULL), 0);
	assert_int_equal(got.conn_id, 3000);
	assert_int_equal(got.peer_conn_id, 4000);
	assert_int_equal(got.proto_version, 3);
	assert_int_equal(got.udp_sport, 5000);
	assert_int_equal(got.udp_dport, 6000);
	assert_true(l2tp_api_has(got.present, L2TP_ATTR_UDP_CSUM));
	assert_int_equal(got.udp_csum, 0);
	assert_true(l2tp_api_has(got.present, L2TP_ATTR_STATS));
	assert_int_equal(got.stats.rx_invalid, 7);

	/* unknown tunnel: -ENODEV for GET, MODIFY, DELETE */
	t.conn_id = 1;
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_GET, &t, true), -ENODEV);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_MODIFY, &t, true), -ENODEV);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_DELETE, &t, true), -ENODEV);
	t.present = 0;
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_DELETE, &t, true), -EINVAL);
	t.present = L2TP_API_BIT(L2TP_ATTR_CONN_ID);
	t.conn_id = 3000;
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_DELETE, &t, true), 0);
	assert_int_equal(e->f.tunnels, 0);
}

static void test_api_server_udp_csum_presence(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;

	/* The kernel enables checksums when UDP_CSUM is present, whatever its value. */
	tunnel_req(&t, 3000);
	t.present |= L2TP_API_BIT(L2TP_ATTR_UDP_CSUM);
	t.udp_csum = 0;
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), 0);
	assert_int_equal(l2tpd_tunnel_find(&e->reg, 3000)->cfg.udp_csum, 1);
}

static void test_api_server_session_errnos(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;
	struct l2tp_api_session s;

	/* no CONN_ID: -EINVAL before anything else; unknown tunnel: -ENODEV */
	session_req(&s, 3000, 1000);
	s.present &= ~L2TP_API_BIT(L2TP_ATTR_CONN_ID);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EINVAL);
	session_req(&s, 3000, 1000);
	s.present &= ~L2TP_API_BIT(L2TP_ATTR_SESSION_ID);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -ENODEV);

	tunnel_req(&t, 3000);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), 0);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EINVAL);
	session_req(&s, 3000, 1000);
	s.present &= ~L2TP_API_BIT(L2TP_ATTR_PW_TYPE);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EINVAL);
	session_req(&s, 3000, 1000);
	s.pw_type = __L2TP_PWTYPE_MAX;
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EINVAL);
	s.pw_type = L2TP_PWTYPE_PPP; /* no driver for it */
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EPROTONOSUPPORT);
	session_req(&s, 3000, 1000);
	s.present |= L2TP_API_BIT(L2TP_ATTR_L2SPEC_TYPE);
	s.l2spec_type = 2;
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EINVAL);
	session_req(&s, 3000, 0);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EINVAL);
	assert_int_equal(e->f.sessions, 0);

	session_req(&s, 3000, 1000);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), 0);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), -EEXIST);
	assert_int_equal(e->f.sessions, 1);
	/* absent l2spec means the default sublayer */
	assert_int_equal(
	    l2tpd_session_find(l2tpd_tunnel_find(&e->reg, 3000), 1000)->cfg.l2spec_type,
	    L2TP_L2SPECTYPE_DEFAULT);

	/* lookups: neither IFNAME nor CONN_ID+SESSION_ID -> -ENODEV */
	s.present = L2TP_API_BIT(L2TP_ATTR_CONN_ID);
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_DELETE, &s), -ENODEV);
	s.present = L2TP_API_BIT(L2TP_ATTR_IFNAME);
	strcpy(s.ifname, "nosuch0");
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_MODIFY, &s), -ENODEV);
}

static void test_api_server_session_get_modify_delete(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;
	struct l2tp_api_session s, got;
	struct nlmsghdr *nlh;

	tunnel_req(&t, 3000);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), 0);
	session_req(&s, 3000, 1000);
	s.present |= L2TP_API_BIT(L2TP_ATTR_COOKIE) | L2TP_API_BIT(L2TP_ATTR_IFNAME);
	s.cookie_len = 4;
	memcpy(s.cookie, "\x01\x02\x03\x04", 4);
	strcpy(s.ifname, "pw0");
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), 0);

	/* MODIFY by ifname */
	memset(&s, 0, sizeof(s));
	s.present = L2TP_API_BIT(L2TP_ATTR_IFNAME) | L2TP_API_BIT(L2TP_ATTR_SEND_SEQ) |
		    L2TP_API_BIT(L2TP_ATTR_RECV_TIMEOUT);
	strcpy(s.ifname, "pw0");
	s.send_seq = 1;
	s.recv_timeout_ms = 50;
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_MODIFY, &s), 0);

	/* GET by ids */
	nlh = start(e, L2TP_CMD_SESSION_GET, 0, 5);
	session_req(&s, 3000, 1000);
	s.present = L2TP_API_BIT(L2TP_ATTR_CONN_ID) | L2TP_API_BIT(L2TP_ATTR_SESSION_ID);
	assert_int_equal(l2tp_api_put_session(nlh, sizeof(e->req), &s), 0);
	run(e, e->req, nlh->nlmsg_len, false);
	assert_int_equal(e->nout, 1);
	assert_int_equal(l2tp_api_parse_session((struct nlmsghdr *)e->out[0], &got, NULL), 0);
	assert_int_equal(got.conn_id, 3000);
	assert_int_equal(got.peer_conn_id, 4000);
	assert_int_equal(got.session_id, 1000);
	assert_int_equal(got.peer_session_id, 2000);
	assert_string_equal(got.ifname, "pw0");
	assert_int_equal(got.cookie_len, 4);
	assert_memory_equal(got.cookie, "\x01\x02\x03\x04", 4);
	assert_false(l2tp_api_has(got.present, L2TP_ATTR_PEER_COOKIE));
	assert_int_equal(got.send_seq, 1);
	assert_int_equal(got.recv_seq, 0);
	assert_int_equal(got.recv_timeout_ms, 50);
	assert_int_equal(got.stats.rx_packets, 3);
	assert_int_equal(got.stats.tx_bytes, 1000);

	s.present = L2TP_API_BIT(L2TP_ATTR_IFNAME);
	strcpy(s.ifname, "pw0");
	assert_int_equal(send_session(e, L2TP_CMD_SESSION_DELETE, &s), 0);
	assert_int_equal(e->f.sessions, 0);
}

static void test_api_server_tunnel_delete_cascades(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;
	struct l2tp_api_session s;

	tunnel_req(&t, 3000);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), 0);
	for (uint32_t sid = 1; sid <= 3; sid++) {
		session_req(&s, 3000, sid);
		assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), 0);
	}
	assert_int_equal(e->f.sessions, 3);
	t.present = L2TP_API_BIT(L2TP_ATTR_CONN_ID);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_DELETE, &t, true), 0);
	assert_int_equal(e->f.sessions, 0);
	assert_int_equal(e->f.tunnels, 0);
	assert_int_equal(e->reg.n_sessions, 0);
}

/* Count the messages of a dump answer by type; checks NLM_F_MULTI and DONE last. */
static void count_dump(struct env *e, int *objs, int *done)
{
	*objs = *done = 0;
	for (int i = 0; i < e->nout; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)e->out[i];
		int len = (int)e->out_len[i];

		while (mnl_nlmsg_ok(nlh, len)) {
			assert_int_equal(*done, 0);
			assert_true(nlh->nlmsg_flags & NLM_F_MULTI);
			if (nlh->nlmsg_type == NLMSG_DONE)
				(*done)++;
			else
				(*objs)++;
			nlh = mnl_nlmsg_next(nlh, &len);
		}
	}
}

static void test_api_server_dump(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;
	struct l2tp_api_session s;
	struct nlmsghdr *nlh;
	int objs, done;

	/* empty dump: only DONE */
	nlh = start(e, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP, 3);
	run(e, e->req, nlh->nlmsg_len, false);
	count_dump(e, &objs, &done);
	assert_int_equal(objs, 0);
	assert_int_equal(done, 1);

	/* enough sessions to need several datagrams */
	for (uint32_t tid = 1; tid <= 4; tid++) {
		tunnel_req(&t, tid);
		t.udp_sport = (uint16_t)(5000 + tid);
		assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, true), 0);
		for (uint32_t sid = 1; sid <= 20; sid++) {
			session_req(&s, tid, sid);
			assert_int_equal(send_session(e, L2TP_CMD_SESSION_CREATE, &s), 0);
		}
	}
	nlh = start(e, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP, 4);
	run(e, e->req, nlh->nlmsg_len, false);
	count_dump(e, &objs, &done);
	assert_int_equal(objs, 4);
	assert_int_equal(done, 1);

	nlh = start(e, L2TP_CMD_SESSION_GET, NLM_F_DUMP, 5);
	run(e, e->req, nlh->nlmsg_len, false);
	assert_true(e->nout > 1);
	count_dump(e, &objs, &done);
	assert_int_equal(objs, 80);
	assert_int_equal(done, 1);
}

static void test_api_server_permissions(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;
	struct nlmsghdr *nlh;

	tunnel_req(&t, 3000);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, false), -EPERM);
	assert_int_equal(e->f.tunnels, 0);
	/* reading is allowed to whoever can connect */
	nlh = start(e, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP, 3);
	run(e, e->req, nlh->nlmsg_len, false);
	assert_int_equal(((struct nlmsghdr *)e->out[0])->nlmsg_type, NLMSG_DONE);
	/* a socket group delegates configuration */
	l2tpd_api_set_delegated(e->api, true);
	assert_int_equal(send_tunnel(e, L2TP_CMD_TUNNEL_CREATE, &t, false), 0);
}

static void test_api_server_malformed(void **state)
{
	struct env *e = *state;
	struct nlmsghdr *nlh;
	uint8_t junk[64];

	/* shorter than a netlink header, or a length that lies: ignored */
	run(e, "abc", 3, true);
	assert_int_equal(e->nout, 0);
	nlh = start(e, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP, 3);
	nlh->nlmsg_len = 4000;
	run(e, e->req, 64, true);
	assert_int_equal(e->nout, 0);

	/* a header without genlmsghdr: -EINVAL */
	nlh = (struct nlmsghdr *)e->req;
	memset(nlh, 0, sizeof(*nlh));
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = L2TP_API_FAMILY_ID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	run(e, e->req, NLMSG_HDRLEN, true);
	assert_int_equal(answer_err(e), -EINVAL);

	/* unknown command and unknown family */
	nlh = start(e, 200, 0, 1);
	run(e, e->req, nlh->nlmsg_len, true);
	assert_int_equal(answer_err(e), -EOPNOTSUPP);
	nlh = start(e, L2TP_CMD_TUNNEL_GET, 0, 1);
	nlh->nlmsg_type = 0x7000;
	run(e, e->req, nlh->nlmsg_len, true);
	assert_int_equal(answer_err(e), -ENOENT);

	/* an attribute too short for its type: -ERANGE (kernel policy) */
	nlh = start(e, L2TP_CMD_TUNNEL_CREATE, 0, 1);
	mnl_attr_put_u16(nlh, L2TP_ATTR_CONN_ID, 1);
	run(e, e->req, nlh->nlmsg_len, true);
	assert_int_equal(answer_err(e), -ERANGE);

	/* attribute garbage after the header: never a crash */
	for (unsigned int seed = 1; seed < 2000; seed++) {
		nlh = start(e, (uint8_t)(seed % 10), seed & 1 ? NLM_F_DUMP : 0, seed);
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)((seed * 2654435761u) >> (i % 24));
		memcpy((uint8_t *)nlh + nlh->nlmsg_len, junk, seed % sizeof(junk));
		nlh->nlmsg_len += (uint32_t)(seed % sizeof(junk));
		run(e, e->req, nlh->nlmsg_len, true);
	}
	l2tpd_registry_clear(&e->reg, &e->f.dp);
}

static void test_api_server_two_messages_one_datagram(void **state)
{
	struct env *e = *state;
	struct l2tp_api_tunnel t;
	struct nlmsghdr *a;
	size_t len;

	tunnel_req(&t, 3000);
	a = start(e, L2TP_CMD_TUNNEL_CREATE, NLM_F_ACK, 1);
	assert_int_equal(l2tp_api_put_tunnel(a, sizeof(e->req), &t), 0);
	len = NLMSG_ALIGN(a->nlmsg_len);
	/* the same request again right after it: -EEXIST for the second */
	memcpy(e->req + len, e->req, a->nlmsg_len);
	((struct nlmsghdr *)(e->req + len))->nlmsg_seq = 2;
	run(e, e->req, len + a->nlmsg_len, true);
	assert_int_equal(e->nout, 1);
	{
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)e->out[0];
		int left = (int)e->out_len[0], err;

		assert_true(mnl_nlmsg_ok(nlh, left));
		assert_int_equal(l2tp_api_parse_error(nlh, &err), 0);
		assert_int_equal(err, 0);
		nlh = mnl_nlmsg_next(nlh, &left);
		assert_true(mnl_nlmsg_ok(nlh, left));
		assert_int_equal(nlh->nlmsg_seq, 2);
		assert_int_equal(l2tp_api_parse_error(nlh, &err), 0);
		assert_int_equal(err, -EEXIST);
	}
}

int main(void)
{
	l2tpd_log_set_quiet(true);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_api_server_family_lookup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_tunnel_required_attrs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_tunnel_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_udp_csum_presence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_session_errnos, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_session_get_modify_delete, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_tunnel_delete_cascades, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_dump, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_permissions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_server_two_messages_one_datagram, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
