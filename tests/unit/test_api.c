// SPDX-License-Identifier: MIT
/*
 * test_api.c - management API messages: round trips through real netlink
 * buffers, the kernel's attribute policy, required attributes, the genl
 * controller lookup, acks and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include "l2tp/api.h"

/* 8-byte aligned message buffer */
union msgbuf {
	uint64_t align;
	uint8_t b[L2TP_API_MSG_MAX];
};

#define BIT L2TP_API_BIT

static struct nlmsghdr *start(union msgbuf *m, uint8_t cmd)
{
	struct nlmsghdr *nlh = l2tp_api_msg_start(m->b, sizeof(m->b), L2TP_API_FAMILY_ID, cmd,
						  NLM_F_REQUEST | NLM_F_ACK, 7);

	assert_non_null(nlh);
	return nlh;
}

static void test_api_msg_start_layout(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_DELETE);
	struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
	assert_int_equal(nlh->nlmsg_type, L2TP_API_FAMILY_ID);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 7);
	assert_int_equal(g->cmd, L2TP_CMD_TUNNEL_DELETE);
	assert_int_equal(g->version, L2TP_GENL_VERSION);
	assert_int_equal(l2tp_api_msg_cmd(nlh), L2TP_CMD_TUNNEL_DELETE);
	assert_null(l2tp_api_msg_start(m.b, NLMSG_HDRLEN + GENL_HDRLEN - 1, 1, 1, 0, 0));
}

/* Known answer: CONN_ID 3000 is a 8-byte attribute right after the genl header. */
static void test_api_put_known_bytes(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_DELETE);
	struct l2tp_api_tunnel t = {.present = BIT(L2TP_ATTR_CONN_ID), .conn_id = 3000};
	const uint8_t *a = m.b + NLMSG_HDRLEN + GENL_HDRLEN;
	uint32_t v;

	assert_int_equal(l2tp_api_put_tunnel(nlh, sizeof(m.b), &t), 0);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + 8);
	assert_int_equal(a[0] | a[1] << 8, 8); /* nla_len (host order) */
	assert_int_equal(a[2] | a[3] << 8, L2TP_ATTR_CONN_ID); /* nla_type */
	memcpy(&v, a + 4, 4);
	assert_int_equal(v, 3000);
}

static void fill_stats(struct l2tp_api_stats *st, uint64_t base)
{
	st->present = (uint32_t)(BIT(L2TP_ATTR_TX_PACKETS) | BIT(L2TP_ATTR_TX_BYTES) |
				 BIT(L2TP_ATTR_TX_ERRORS) | BIT(L2TP_ATTR_RX_PACKETS) |
				 BIT(L2TP_ATTR_RX_BYTES) | BIT(L2TP_ATTR_RX_SEQ_DISCARDS) |
				 BIT(L2TP_ATTR_RX_OOS_PACKETS) | BIT(L2TP_ATTR_RX_ERRORS) |
				 BIT(L2TP_ATTR_RX_COOKIE_DISCARDS) | BIT(L2TP_ATTR_RX_INVALID));
	st->tx_packets = base + 1;
	st->tx_bytes = base + 2;
	st->tx_errors = base + 3;
	st->rx_packets = base + 4;
	st->rx_bytes = base + 5;
	st->rx_seq_discards = base + 6;
	st->rx_oos_packets = base + 7;
	st->rx_errors = base + 8;
	st->rx_cookie_discards = base + 9;
	st->rx_invalid = base + 10;
}

static void test_api_tunnel_roundtrip_v4(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	struct l2tp_api_tunnel t, u;

	memset(&t, 0, sizeof(t));

	t.present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
		    BIT(L2TP_ATTR_PROTO_VERSION) | BIT(L2TP_ATTR_ENCAP_TYPE) |
		    BIT(L2TP_ATTR_IP_SADDR) | BIT(L2TP_ATTR_IP_DADDR) | BIT(L2TP_ATTR_UDP_SPORT) |
		    BIT(L2TP_ATTR_UDP_DPORT) | BIT(L2TP_ATTR_UDP_CSUM) | BIT(L2TP_ATTR_DEBUG) |
		    BIT(L2TP_ATTR_STATS);
	t.conn_id = 3000;
	t.peer_conn_id = 4000;
	t.proto_version = 3;
	t.encap_type = L2TP_ENCAPTYPE_UDP;
	inet_pton(AF_INET, "192.0.2.1", &t.local_ip);
	inet_pton(AF_INET, "198.51.100.2", &t.peer_ip);
	t.udp_sport = 5000;
	t.udp_dport = 6000;
	t.udp_csum = 1;
	t.debug = 0xdeadbeef;
	fill_stats(&t.stats, UINT64_C(1) << 40);

	assert_int_equal(l2tp_api_put_tunnel(nlh, sizeof(m.b), &t), 0);
	assert_true(l2tp_api_msg_ok(nlh, nlh->nlmsg_len));
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &u, NULL), 0);
	assert_memory_equal(&t, &u, sizeof(t));
}

static void test_api_tunnel_roundtrip_v6_flags(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_CREATE);
	struct l2tp_api_tunnel t, u;

	memset(&t, 0, sizeof(t));

	t.present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_IP6_SADDR) | BIT(L2TP_ATTR_IP6_DADDR) |
		    BIT(L2TP_ATTR_UDP_ZERO_CSUM6_TX) | BIT(L2TP_ATTR_UDP_ZERO_CSUM6_RX) |
		    BIT(L2TP_ATTR_FD) | BIT(L2TP_ATTR_USING_IPSEC);
	t.conn_id = 1;
	inet_pton(AF_INET6, "2001:db8::1", &t.local_ip6);
	inet_pton(AF_INET6, "2001:db8::2", &t.peer_ip6);
	t.udp_zero_csum6_tx = true;
	t.udp_zero_csum6_rx = true;
	t.fd = 9;
	t.using_ipsec = 1;
	assert_int_equal(l2tp_api_put_tunnel(nlh, sizeof(m.b), &t), 0);
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &u, NULL), 0);
	assert_memory_equal(&t, &u, sizeof(t));
}

static void test_api_session_roundtrip(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	struct l2tp_api_session s, u;

	memset(&s, 0, sizeof(s));

	s.present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
		    BIT(L2TP_ATTR_SESSION_ID) | BIT(L2TP_ATTR_PEER_SESSION_ID) |
		    BIT(L2TP_ATTR_PW_TYPE) | BIT(L2TP_ATTR_COOKIE) | BIT(L2TP_ATTR_PEER_COOKIE) |
		    BIT(L2TP_ATTR_L2SPEC_TYPE) | BIT(L2TP_ATTR_L2SPEC_LEN) | BIT(L2TP_ATTR_OFFSET) |
		    BIT(L2TP_ATTR_DATA_SEQ) | BIT(L2TP_ATTR_RECV_SEQ) | BIT(L2TP_ATTR_SEND_SEQ) |
		    BIT(L2TP_ATTR_LNS_MODE) | BIT(L2TP_ATTR_USING_IPSEC) |
		    BIT(L2TP_ATTR_RECV_TIMEOUT) | BIT(L2TP_ATTR_IFNAME) | BIT(L2TP_ATTR_MTU) |
		    BIT(L2TP_ATTR_MRU) | BIT(L2TP_ATTR_VLAN_ID) | BIT(L2TP_ATTR_DEBUG) |
		    BIT(L2TP_ATTR_STATS);
	s.conn_id = 3000;
	s.peer_conn_id = 4000;
	s.session_id = 1000;
	s.peer_session_id = 2000;
	s.pw_type = L2TP_PWTYPE_ETH;
	s.cookie_len = 4;
	memcpy(s.cookie, "\x01\x02\x03\x04", 4);
	s.peer_cookie_len = 8;
	memcpy(s.peer_cookie, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	s.l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
	s.l2spec_len = 4;
	s.offset = 0;
	s.data_seq = 2;
	s.recv_seq = 1;
	s.send_seq = 1;
	s.lns_mode = 1;
	s.using_ipsec = 1;
	s.recv_timeout_ms = UINT64_C(0x100000001);
	strcpy(s.ifname, "l2tpeth0");
	s.mtu = 1446;
	s.mru = 1446;
	s.vlan_id = 42;
	s.debug = 15;
	fill_stats(&s.stats, 100);

	assert_int_equal(l2tp_api_put_session(nlh, sizeof(m.b), &s), 0);
	assert_int_equal(l2tp_api_parse_session(nlh, &u, NULL), 0);
	assert_memory_equal(&s, &u, sizeof(s));
}

static void test_api_session_empty_cookie_and_15char_ifname(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	struct l2tp_api_session s, u;

	memset(&s, 0, sizeof(s));

	s.present = BIT(L2TP_ATTR_COOKIE) | BIT(L2TP_ATTR_IFNAME);
	strcpy(s.ifname, "abcdefghijklmno"); /* 15 chars: the longest the kernel takes */
	assert_int_equal(l2tp_api_put_session(nlh, sizeof(m.b), &s), 0);
	assert_int_equal(l2tp_api_parse_session(nlh, &u, NULL), 0);
	assert_true(l2tp_api_has(u.present, L2TP_ATTR_COOKIE));
	assert_int_equal(u.cookie_len, 0);
	assert_string_equal(u.ifname, "abcdefghijklmno");
}

static void test_api_stats_roundtrip_and_pad(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	struct l2tp_api_stats st, u;
	struct nlattr *nest;
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];

	memset(&st, 0, sizeof(st));
	/* a kernel-style nest with a STATS_PAD and an unknown newer counter */
	nest = mnl_attr_nest_start(nlh, L2TP_ATTR_STATS);
	mnl_attr_put(nlh, L2TP_ATTR_STATS_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, L2TP_ATTR_RX_BYTES, 77);
	mnl_attr_put_u64(nlh, 200, 5);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(l2tp_api_parse_attrs(nlh, tb, NULL), 0);
	assert_int_equal(l2tp_api_parse_stats(tb[L2TP_ATTR_STATS], &u, NULL), 0);
	assert_int_equal(u.present, BIT(L2TP_ATTR_RX_BYTES));
	assert_int_equal(u.rx_bytes, 77);

	nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	fill_stats(&st, 1000);
	assert_int_equal(l2tp_api_put_stats(nlh, sizeof(m.b), &st), 0);
	assert_int_equal(l2tp_api_parse_attrs(nlh, tb, NULL), 0);
	assert_int_equal(l2tp_api_parse_stats(tb[L2TP_ATTR_STATS], &u, NULL), 0);
	assert_memory_equal(&st, &u, sizeof(st));
}

static void test_api_put_enospc(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	struct l2tp_api_session s = {0};
	struct l2tp_api_stats st = {0};

	s.present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_SESSION_ID) | BIT(L2TP_ATTR_STATS);
	fill_stats(&s.stats, 0);
	assert_int_equal(l2tp_api_put_session(nlh, nlh->nlmsg_len + 12, &s), -ENOSPC);
	nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	fill_stats(&st, 0);
	assert_int_equal(l2tp_api_put_stats(nlh, nlh->nlmsg_len + 30, &st), -ENOSPC);
}

/* ---- policy ------------------------------------------------------------ */

static void test_api_policy_short_int_erange(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_DELETE);
	struct l2tp_api_tunnel t;
	struct l2tp_diag d = {0};

	mnl_attr_put_u16(nlh, L2TP_ATTR_CONN_ID, 3); /* u32 expected */
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, &d), -ERANGE);
	assert_true(d.has_attr);
	assert_int_equal(d.attr, L2TP_ATTR_CONN_ID);
	assert_int_equal(d.offset, NLMSG_HDRLEN + GENL_HDRLEN);
	assert_non_null(d.reason);
}

static void test_api_policy_long_int_accepted(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_CREATE);
	struct l2tp_api_tunnel t;

	/* liberal mode: a u8 attribute carried in 4 bytes is read from byte 0 */
	mnl_attr_put_u32(nlh, L2TP_ATTR_PROTO_VERSION, 3);
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, NULL), 0);
	assert_int_equal(t.proto_version, 3);
}

static void test_api_policy_cookie_too_long(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	struct l2tp_api_session s;
	struct l2tp_diag d = {0};

	mnl_attr_put(nlh, L2TP_ATTR_PEER_COOKIE, 9, "123456789");
	assert_int_equal(l2tp_api_parse_session(nlh, &s, &d), -ERANGE);
	assert_int_equal(d.attr, L2TP_ATTR_PEER_COOKIE);
}

static void test_api_policy_ip6_wrong_len(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_CREATE);
	struct l2tp_api_tunnel t;
	struct l2tp_diag d = {0};

	mnl_attr_put(nlh, L2TP_ATTR_IP6_DADDR, 15, "0123456789abcde");
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, &d), -ERANGE);
	assert_int_equal(d.attr, L2TP_ATTR_IP6_DADDR);
}

static void test_api_policy_ifname_not_terminated(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	struct l2tp_api_session s;
	struct l2tp_diag d = {0};

	mnl_attr_put(nlh, L2TP_ATTR_IFNAME, 4, "eth0");
	assert_int_equal(l2tp_api_parse_session(nlh, &s, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_IFNAME);

	/* 16 characters + NUL: the NUL is past IFNAMSIZ */
	nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	mnl_attr_put_strz(nlh, L2TP_ATTR_IFNAME, "abcdefghijklmnop");
	assert_int_equal(l2tp_api_parse_session(nlh, &s, &d), -EINVAL);

	nlh = start(&m, L2TP_CMD_SESSION_CREATE);
	mnl_attr_put(nlh, L2TP_ATTR_IFNAME, 0, NULL);
	assert_int_equal(l2tp_api_parse_session(nlh, &s, &d), -EINVAL);
}

static void test_api_policy_short_stats_counter(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	struct l2tp_api_tunnel t;
	struct l2tp_diag d = {0};
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, L2TP_ATTR_STATS);
	mnl_attr_put_u32(nlh, L2TP_ATTR_TX_PACKETS, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, &d), -ERANGE);
	assert_int_equal(d.attr, L2TP_ATTR_TX_PACKETS);
	assert_int_equal(d.offset, NLMSG_HDRLEN + GENL_HDRLEN);

	nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	mnl_attr_put(nlh, L2TP_ATTR_STATS, 2, "xx");
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, &d), -ERANGE);
	assert_int_equal(d.attr, L2TP_ATTR_STATS);
}

static void test_api_policy_short_message(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	struct l2tp_api_tunnel t;
	struct l2tp_diag d = {0};

	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN - 1;
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, &d), -EINVAL);
	assert_non_null(d.reason);
	assert_int_equal(l2tp_api_msg_cmd(nlh), 0);
}

static void test_api_policy_unknown_trailing_last_wins(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	struct l2tp_api_tunnel t;
	struct nlattr *bad;

	mnl_attr_put_u32(nlh, 500, 1); /* unknown type: ignored */
	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, 1);
	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, 2); /* last wins */
	/* trailing bytes claiming a length past the end: ignored */
	bad = mnl_nlmsg_get_payload_tail(nlh);
	bad->nla_len = 64;
	bad->nla_type = L2TP_ATTR_PEER_CONN_ID;
	nlh->nlmsg_len += 6;
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, NULL), 0);
	assert_int_equal(t.present, BIT(L2TP_ATTR_CONN_ID));
	assert_int_equal(t.conn_id, 2);
}

/* An attribute that fits the aligned length but not nlmsg_len is not read. */
static void test_api_policy_unaligned_end(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_TUNNEL_GET);
	struct l2tp_api_tunnel t;

	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, 9);
	nlh->nlmsg_len -= 1; /* attribute now crosses the end by one byte */
	assert_int_equal(l2tp_api_parse_tunnel(nlh, &t, NULL), 0);
	assert_int_equal(t.present, 0);
}

/* ---- required attributes ---------------------------------------------- */

static void test_api_required_tunnel_create(void **state)
{
	uint64_t base = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
			BIT(L2TP_ATTR_PROTO_VERSION) | BIT(L2TP_ATTR_ENCAP_TYPE);
	struct l2tp_diag d = {0};
	const unsigned int req[] = {L2TP_ATTR_CONN_ID, L2TP_ATTR_PEER_CONN_ID,
				    L2TP_ATTR_PROTO_VERSION, L2TP_ATTR_ENCAP_TYPE};
	uint64_t v4 = BIT(L2TP_ATTR_IP_SADDR) | BIT(L2TP_ATTR_IP_DADDR);
	uint64_t v6 = BIT(L2TP_ATTR_IP6_SADDR) | BIT(L2TP_ATTR_IP6_DADDR);

	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, base | v4, false, &d), 0);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, base | v6, false, &d), 0);
	assert_int_equal(
	    l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, base | BIT(L2TP_ATTR_FD), false, &d),
	    0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE,
							 (base | v4) & ~BIT(req[i]), false, &d),
				 -EINVAL);
		assert_int_equal(d.attr, req[i]);
	}
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, base, false, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_IP_SADDR);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE,
						 base | BIT(L2TP_ATTR_IP_SADDR), false, &d),
			 -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_IP_DADDR);
	/* mixed families: not a pair of either */
	assert_int_equal(l2tp_api_check_required(
			     L2TP_CMD_TUNNEL_CREATE,
			     base | BIT(L2TP_ATTR_IP6_SADDR) | BIT(L2TP_ATTR_IP_DADDR), false, &d),
			 -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_IP6_DADDR);
}

static void test_api_required_other_commands(void **state)
{
	struct l2tp_diag d = {0};
	uint64_t cid = BIT(L2TP_ATTR_CONN_ID), sid = BIT(L2TP_ATTR_SESSION_ID);
	uint64_t screate = cid | sid | BIT(L2TP_ATTR_PEER_SESSION_ID) | BIT(L2TP_ATTR_PW_TYPE);

	assert_int_equal(l2tp_api_check_required(L2TP_CMD_NOOP, 0, false, &d), 0);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_DELETE, 0, false, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_CONN_ID);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_DELETE, cid, false, &d), 0);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_MODIFY, 0, false, &d), -EINVAL);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_GET, 0, false, &d), -EINVAL);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_GET, 0, true, &d), 0);

	assert_int_equal(l2tp_api_check_required(L2TP_CMD_SESSION_CREATE, screate, false, &d), 0);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_SESSION_CREATE,
						 screate & ~BIT(L2TP_ATTR_PW_TYPE), false, &d),
			 -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_PW_TYPE);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_SESSION_CREATE,
						 screate & ~BIT(L2TP_ATTR_PEER_SESSION_ID), false,
						 &d),
			 -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_PEER_SESSION_ID);
	assert_int_equal(
	    l2tp_api_check_required(L2TP_CMD_SESSION_CREATE, screate & ~cid, false, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_CONN_ID);

	for (uint8_t cmd = L2TP_CMD_SESSION_DELETE; cmd <= L2TP_CMD_SESSION_GET; cmd++) {
		assert_int_equal(l2tp_api_check_required(cmd, cid | sid, false, &d), 0);
		assert_int_equal(l2tp_api_check_required(cmd, BIT(L2TP_ATTR_IFNAME), false, &d), 0);
		assert_int_equal(l2tp_api_check_required(cmd, cid, false, &d), -ENODEV);
		assert_int_equal(d.attr, L2TP_ATTR_SESSION_ID);
		assert_int_equal(l2tp_api_check_required(cmd, 0, false, &d), -ENODEV);
	}
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_SESSION_GET, 0, true, &d), 0);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_MAX + 1, 0, false, &d), -EOPNOTSUPP);
}

static void test_api_check_session_create_values(void **state)
{
	struct l2tp_api_session s = {0};
	struct l2tp_diag d = {0};

	s.present = BIT(L2TP_ATTR_PW_TYPE);
	s.pw_type = L2TP_PWTYPE_ETH;
	assert_int_equal(l2tp_api_check_session_create(&s, 3, &d), 0);
	assert_int_equal(l2tp_api_check_session_create(&s, 2, &d), -EPROTONOSUPPORT);
	s.pw_type = L2TP_PWTYPE_PPP;
	assert_int_equal(l2tp_api_check_session_create(&s, 2, &d), 0);
	s.pw_type = __L2TP_PWTYPE_MAX;
	assert_int_equal(l2tp_api_check_session_create(&s, 3, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_PW_TYPE);
	s.pw_type = L2TP_PWTYPE_ETH;
	s.present |= BIT(L2TP_ATTR_L2SPEC_TYPE);
	s.l2spec_type = 2;
	assert_int_equal(l2tp_api_check_session_create(&s, 3, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_L2SPEC_TYPE);
	s.l2spec_type = L2TP_L2SPECTYPE_NONE;
	s.present |= BIT(L2TP_ATTR_COOKIE);
	s.cookie_len = 9;
	assert_int_equal(l2tp_api_check_session_create(&s, 3, &d), -EINVAL);
	assert_int_equal(d.attr, L2TP_ATTR_COOKIE);
}

/* ---- controller, acks, done ------------------------------------------- */

static void test_api_family_lookup_roundtrip(void **state)
{
	union msgbuf q, r;
	const struct nlmsghdr *req = (const void *)q.b, *rep = (const void *)r.b;
	const char *name = NULL;
	uint16_t id = 0;
	uint32_t ver = 0;
	int len;

	len = l2tp_api_build_getfamily(q.b, sizeof(q.b), L2TP_GENL_NAME, 41);
	assert_true(len > 0);
	assert_int_equal(req->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(req->nlmsg_seq, 41);
	assert_int_equal(l2tp_api_parse_getfamily(req, &name, NULL), 0);
	assert_string_equal(name, "l2tp");

	len = l2tp_api_build_family_reply(r.b, sizeof(r.b), req, name, L2TP_API_FAMILY_ID,
					  L2TP_GENL_VERSION, L2TP_ATTR_MAX);
	assert_true(len > 0);
	assert_int_equal(rep->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(rep->nlmsg_seq, 41);
	assert_int_equal(l2tp_api_msg_cmd(rep), CTRL_CMD_NEWFAMILY);
	assert_int_equal(l2tp_api_parse_family_reply(rep, &id, &ver, NULL), 0);
	assert_int_equal(id, L2TP_API_FAMILY_ID);
	assert_int_equal(ver, L2TP_GENL_VERSION);

	/* too small buffers */
	assert_int_equal(l2tp_api_build_getfamily(q.b, 20, "l2tp", 1), -ENOSPC);
	assert_int_equal(l2tp_api_build_family_reply(r.b, 30, req, "l2tp", 1, 1, 1), -ENOSPC);
}

static void test_api_family_lookup_errors(void **state)
{
	union msgbuf q;
	struct nlmsghdr *nlh;
	const char *name;
	uint16_t id;
	struct l2tp_diag d = {0};

	nlh = l2tp_api_msg_start(q.b, sizeof(q.b), GENL_ID_CTRL, CTRL_CMD_GETOPS, 0, 1);
	assert_int_equal(l2tp_api_parse_getfamily(nlh, &name, &d), -EOPNOTSUPP);
	nlh = l2tp_api_msg_start(q.b, sizeof(q.b), GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	assert_int_equal(l2tp_api_parse_getfamily(nlh, &name, &d), -EINVAL);
	mnl_attr_put(nlh, CTRL_ATTR_FAMILY_NAME, 4, "l2tp"); /* no NUL */
	assert_int_equal(l2tp_api_parse_getfamily(nlh, &name, &d), -EINVAL);
	assert_int_equal(l2tp_api_parse_family_reply(nlh, &id, NULL, &d), -EINVAL);
	nlh->nlmsg_len = 10;
	assert_int_equal(l2tp_api_parse_getfamily(nlh, &name, &d), -EINVAL);
	assert_int_equal(l2tp_api_parse_family_reply(nlh, &id, NULL, &d), -EINVAL);
}

static void test_api_error_ack_done(void **state)
{
	union msgbuf q, r;
	struct nlmsghdr *req = start(&q, L2TP_CMD_TUNNEL_CREATE);
	const struct nlmsghdr *nlh = (const void *)r.b;
	const struct nlmsgerr *e;
	int len, err = 1;

	req->nlmsg_pid = 1234;
	len = l2tp_api_build_error(r.b, sizeof(r.b), req, -EEXIST);
	assert_int_equal(len, NLMSG_HDRLEN + (int)sizeof(struct nlmsgerr));
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, 7);
	assert_int_equal(nlh->nlmsg_pid, 1234);
	e = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(e->msg.nlmsg_type, L2TP_API_FAMILY_ID);
	assert_int_equal(l2tp_api_parse_error(nlh, &err), 0);
	assert_int_equal(err, -EEXIST);

	len = l2tp_api_build_error(r.b, sizeof(r.b), req, 0);
	assert_true(len > 0);
	assert_int_equal(l2tp_api_parse_error(nlh, &err), 0);
	assert_int_equal(err, 0);

	len = l2tp_api_build_done(r.b, sizeof(r.b), req);
	assert_int_equal(len, NLMSG_HDRLEN + 4);
	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_true(nlh->nlmsg_flags & NLM_F_MULTI);
	assert_int_equal(l2tp_api_parse_error(nlh, &err), -EINVAL);

	assert_int_equal(l2tp_api_build_error(r.b, 10, req, 0), -ENOSPC);
	assert_int_equal(l2tp_api_build_done(r.b, 10, req), -ENOSPC);

	/* a positive error code is malformed */
	l2tp_api_build_error(r.b, sizeof(r.b), req, 5);
	assert_int_equal(l2tp_api_parse_error(nlh, &err), -EINVAL);
}

static void test_api_error_extack(void **state)
{
	union msgbuf m, r;
	struct nlmsghdr *req = start(&m, L2TP_CMD_SESSION_CREATE);
	struct nlmsghdr *nlh = (struct nlmsghdr *)r.b;
	const char *why = "x";
	int len, err;

	len = l2tp_api_build_error_msg(r.b, sizeof(r.b), req, -EEXIST, "interface name a is in use");
	assert_true(len > 0);
	assert_true(l2tp_api_msg_ok(nlh, (size_t)len));
	assert_true(nlh->nlmsg_flags & NLM_F_ACK_TLVS);
	assert_int_equal(l2tp_api_parse_error_msg(nlh, &err, &why), 0);
	assert_int_equal(err, -EEXIST);
	assert_non_null(why);
	assert_string_equal(why, "interface name a is in use");

	/* an ack carries no reason, and the plain parser ignores the TLVs */
	len = l2tp_api_build_error_msg(r.b, sizeof(r.b), req, 0, "ignored");
	assert_false(nlh->nlmsg_flags & NLM_F_ACK_TLVS);
	assert_int_equal(l2tp_api_parse_error_msg(nlh, &err, &why), 0);
	assert_int_equal(err, 0);
	assert_null(why);

	/* a reason that does not fit is refused, not truncated */
	assert_int_equal(l2tp_api_build_error_msg(r.b, 40, req, -EINVAL, "a long reason here"),
			 -ENOSPC);

	/* a reason attribute without its NUL, or running past the end, is not read */
	len = l2tp_api_build_error_msg(r.b, sizeof(r.b), req, -EINVAL, "abc");
	r.b[len - 1] = 'd'; /* "abcd", no NUL in the 4 payload bytes */
	assert_int_equal(l2tp_api_parse_error_msg(nlh, &err, &why), 0);
	assert_null(why);
	len = l2tp_api_build_error_msg(r.b, sizeof(r.b), req, -EINVAL, "abc");
	nlh->nlmsg_len -= 4; /* the attribute now claims more than the message */
	assert_int_equal(l2tp_api_parse_error_msg(nlh, &err, &why), 0);
	assert_null(why);

	/* not capped: the TLVs follow the whole echoed request */
	len = l2tp_api_build_error_msg(r.b, sizeof(r.b), req, -EINVAL, NULL);
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	memcpy(r.b + len, (uint8_t *)req + NLMSG_HDRLEN, req->nlmsg_len - NLMSG_HDRLEN);
	nlh->nlmsg_len += req->nlmsg_len - NLMSG_HDRLEN;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "uncapped");
	assert_int_equal(l2tp_api_parse_error_msg(nlh, &err, &why), 0);
	assert_non_null(why);
	assert_string_equal(why, "uncapped");
}

static void test_api_msg_ok_bounds(void **state)
{
	union msgbuf m;
	struct nlmsghdr *nlh = start(&m, L2TP_CMD_NOOP);

	assert_true(l2tp_api_msg_ok(nlh, nlh->nlmsg_len));
	assert_true(l2tp_api_msg_ok(nlh, nlh->nlmsg_len + 100));
	assert_false(l2tp_api_msg_ok(nlh, nlh->nlmsg_len - 1));
	assert_false(l2tp_api_msg_ok(nlh, NLMSG_HDRLEN - 1));
	nlh->nlmsg_len = NLMSG_HDRLEN - 1;
	assert_false(l2tp_api_msg_ok(nlh, 100));
	/* libmnl 1.0.4's mnl_nlmsg_ok() takes this one as (int) < 0 */
	nlh->nlmsg_len = 0xffff005c;
	assert_false(l2tp_api_msg_ok(nlh, 131));
}

static void test_api_names(void **state)
{
	assert_string_equal(l2tp_api_attr_name(L2TP_ATTR_CONN_ID), "CONN_ID");
	assert_string_equal(l2tp_api_attr_name(L2TP_ATTR_UDP_ZERO_CSUM6_RX), "UDP_ZERO_CSUM6_RX");
	assert_string_equal(l2tp_api_attr_name(999), "?");
	assert_string_equal(l2tp_api_cmd_name(L2TP_CMD_SESSION_GET), "SESSION_GET");
	assert_string_equal(l2tp_api_cmd_name(99), "?");
	/* the uAPI numbers this API is pinned to */
	assert_int_equal(L2TP_ATTR_CONN_ID, 9);
	assert_int_equal(L2TP_ATTR_STATS, 30);
	assert_int_equal(L2TP_ATTR_UDP_ZERO_CSUM6_RX, 34);
	assert_int_equal(L2TP_ATTR_RX_INVALID, 11);
	assert_int_equal(L2TP_CMD_SESSION_GET, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_api_msg_start_layout),
	    cmocka_unit_test(test_api_put_known_bytes),
	    cmocka_unit_test(test_api_tunnel_roundtrip_v4),
	    cmocka_unit_test(test_api_tunnel_roundtrip_v6_flags),
	    cmocka_unit_test(test_api_session_roundtrip),
	    cmocka_unit_test(test_api_session_empty_cookie_and_15char_ifname),
	    cmocka_unit_test(test_api_stats_roundtrip_and_pad),
	    cmocka_unit_test(test_api_put_enospc),
	    cmocka_unit_test(test_api_policy_short_int_erange),
	    cmocka_unit_test(test_api_policy_long_int_accepted),
	    cmocka_unit_test(test_api_policy_cookie_too_long),
	    cmocka_unit_test(test_api_policy_ip6_wrong_len),
	    cmocka_unit_test(test_api_policy_ifname_not_terminated),
	    cmocka_unit_test(test_api_policy_short_stats_counter),
	    cmocka_unit_test(test_api_policy_short_message),
	    cmocka_unit_test(test_api_policy_unknown_trailing_last_wins),
	    cmocka_unit_test(test_api_policy_unaligned_end),
	    cmocka_unit_test(test_api_required_tunnel_create),
	    cmocka_unit_test(test_api_required_other_commands),
	    cmocka_unit_test(test_api_check_session_create_values),
	    cmocka_unit_test(test_api_family_lookup_roundtrip),
	    cmocka_unit_test(test_api_family_lookup_errors),
	    cmocka_unit_test(test_api_error_ack_done),
	    cmocka_unit_test(test_api_error_extack),
	    cmocka_unit_test(test_api_msg_ok_bounds),
	    cmocka_unit_test(test_api_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
