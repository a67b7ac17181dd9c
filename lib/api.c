// SPDX-License-Identifier: MIT
/*
 * api.c - management API messages: the kernel's generic-netlink "l2tp"
 * family (include/uapi/linux/l2tp.h, net/l2tp/l2tp_netlink.c), its attribute
 * policy, and the genl controller's family lookup. Shared by l2tpd and l2tp.
 *
 * All attribute reads copy through memcpy so an odd buffer alignment never
 * matters, and every attribute is bounded by its header and by nlmsg_len.
 */
#include <libmnl/libmnl.h>

#include "l2tp/api.h"

/* ---- policy: the kernel's l2tp_nl_policy, in liberal mode ------------- */

enum pol_kind {
	POL_NONE = 0, /* no validation (UNSPEC, flags, PAD) */
	POL_INT, /* fixed-size integer: minimum length only */
	POL_BIN_MAX, /* binary with a maximum length */
	POL_BIN_EXACT, /* binary of exactly |len| bytes (IPv6 addresses) */
	POL_NUL_STRING, /* NUL within the first len+1 bytes */
	POL_NESTED, /* empty or at least one attribute header */
};

struct pol {
	uint8_t kind;
	uint8_t len;
};

static const struct pol l2tp_policy[L2TP_ATTR_MAX + 1] = {
    [L2TP_ATTR_PW_TYPE] = {POL_INT, 2},
    [L2TP_ATTR_ENCAP_TYPE] = {POL_INT, 2},
    [L2TP_ATTR_OFFSET] = {POL_INT, 2},
    [L2TP_ATTR_DATA_SEQ] = {POL_INT, 1},
    [L2TP_ATTR_L2SPEC_TYPE] = {POL_INT, 1},
    [L2TP_ATTR_L2SPEC_LEN] = {POL_INT, 1},
    [L2TP_ATTR_PROTO_VERSION] = {POL_INT, 1},
    [L2TP_ATTR_IFNAME] = {POL_NUL_STRING, IFNAMSIZ - 1},
    [L2TP_ATTR_CONN_ID] = {POL_INT, 4},
    [L2TP_ATTR_PEER_CONN_ID] = {POL_INT, 4},
    [L2TP_ATTR_SESSION_ID] = {POL_INT, 4},
    [L2TP_ATTR_PEER_SESSION_ID] = {POL_INT, 4},
    [L2TP_ATTR_UDP_CSUM] = {POL_INT, 1},
    [L2TP_ATTR_VLAN_ID] = {POL_INT, 2},
    [L2TP_ATTR_COOKIE] = {POL_BIN_MAX, 8},
    [L2TP_ATTR_PEER_COOKIE] = {POL_BIN_MAX, 8},
    [L2TP_ATTR_DEBUG] = {POL_INT, 4},
    [L2TP_ATTR_RECV_SEQ] = {POL_INT, 1},
    [L2TP_ATTR_SEND_SEQ] = {POL_INT, 1},
    [L2TP_ATTR_LNS_MODE] = {POL_INT, 1},
    [L2TP_ATTR_USING_IPSEC] = {POL_INT, 1},
    [L2TP_ATTR_RECV_TIMEOUT] = {POL_INT, 8}, /* NLA_MSECS: u64 */
    [L2TP_ATTR_FD] = {POL_INT, 4},
    [L2TP_ATTR_IP_SADDR] = {POL_INT, 4},
    [L2TP_ATTR_IP_DADDR] = {POL_INT, 4},
    [L2TP_ATTR_UDP_SPORT] = {POL_INT, 2},
    [L2TP_ATTR_UDP_DPORT] = {POL_INT, 2},
    [L2TP_ATTR_MTU] = {POL_INT, 2},
    [L2TP_ATTR_MRU] = {POL_INT, 2},
    [L2TP_ATTR_STATS] = {POL_NESTED, 0},
    [L2TP_ATTR_IP6_SADDR] = {POL_BIN_EXACT, 16},
    [L2TP_ATTR_IP6_DADDR] = {POL_BIN_EXACT, 16},
};

static size_t off_of(const struct nlmsghdr *nlh, const void *p)
{
	return (size_t)((const uint8_t *)p - (const uint8_t *)nlh);
}

/*
 * Attribute walker bounded by exactly [*off, end) of |base| (libmnl's
 * iterators bound by the aligned nlmsg_len, which may cross the real end of
 * an unaligned message). Returns the attribute at *off and advances *off, or
 * NULL at the end or at bytes that do not form an attribute (the kernel's
 * nla_ok()).
 */
static const struct nlattr *next_attr(const void *base, size_t *off, size_t end)
{
	const struct nlattr *a;

	if (*off > end || end - *off < MNL_ATTR_HDRLEN)
		return NULL;
	a = (const struct nlattr *)((const uint8_t *)base + *off);
	if (a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > end - *off)
		return NULL;
	*off += MNL_ALIGN(a->nla_len);
	return a;
}

#define GENL_ATTR_OFF (MNL_NLMSG_HDRLEN + MNL_ALIGN(GENL_HDRLEN))

static int validate_attr(const struct nlmsghdr *nlh, const struct nlattr *a, uint16_t type,
			 const struct pol *p, struct l2tp_diag *diag)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);
	size_t n;

	switch (p->kind) {
	case POL_INT:
		if (len < p->len)
			goto range;
		break;
	case POL_BIN_MAX:
		if (len > p->len)
			goto range;
		break;
	case POL_BIN_EXACT:
		if (len != p->len)
			goto range;
		break;
	case POL_NUL_STRING:
		n = len < (size_t)p->len + 1 ? len : (size_t)p->len + 1;
		if (n == 0 || !memchr(s, '\0', n)) {
			l2tp_diag_set_avp(diag, off_of(nlh, a), 0, type,
					  "string attribute not NUL-terminated or too long");
			return -EINVAL;
		}
		break;
	case POL_NESTED:
		if (len != 0 && len < MNL_ATTR_HDRLEN)
			goto range;
		break;
	default:
		break;
	}
	return 0;
range:
	l2tp_diag_set_avp(diag, off_of(nlh, a), 0, type, "attribute has a wrong length");
	return -ERANGE;
}

int l2tp_api_parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb,
			 struct l2tp_diag *diag)
{
	const struct nlattr *a;
	size_t off = GENL_ATTR_OFF;
	int rc;

	for (unsigned int i = 0; i <= L2TP_ATTR_MAX; i++)
		tb[i] = NULL;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		l2tp_diag_set(diag, 0, "message shorter than nlmsghdr + genlmsghdr");
		return -EINVAL;
	}
	/*
	 * Liberal mode, as the kernel's GENL_DONT_VALIDATE_STRICT: stop at the
	 * first bytes that do not form an attribute and ignore them.
	 */
	while ((a = next_attr(nlh, &off, nlh->nlmsg_len))) {
		uint16_t type = mnl_attr_get_type(a);

		if (type > L2TP_ATTR_MAX)
			continue; /* unknown: ignored, as the kernel does */
		rc = validate_attr(nlh, a, type, &l2tp_policy[type], diag);
		if (rc < 0)
			return rc;
		tb[type] = a;
	}
	return 0;
}

static uint8_t get8(const struct nlattr *a)
{
	return *(const uint8_t *)mnl_attr_get_payload(a);
}

static uint16_t get16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

static uint32_t get32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

static uint64_t get64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

/* ---- stats ------------------------------------------------------------- */

int l2tp_api_parse_stats(const struct nlattr *nest, struct l2tp_api_stats *st,
			 struct l2tp_diag *diag)
{
	const struct nlattr *a;
	size_t off = MNL_ATTR_HDRLEN;

	memset(st, 0, sizeof(*st));
	while ((a = next_attr(nest, &off, nest->nla_len))) {
		uint16_t type = mnl_attr_get_type(a);
		uint64_t *dst;

		switch (type) {
		case L2TP_ATTR_TX_PACKETS:
			dst = &st->tx_packets;
			break;
		case L2TP_ATTR_TX_BYTES:
			dst = &st->tx_bytes;
			break;
		case L2TP_ATTR_TX_ERRORS:
			dst = &st->tx_errors;
			break;
		case L2TP_ATTR_RX_PACKETS:
			dst = &st->rx_packets;
			break;
		case L2TP_ATTR_RX_BYTES:
			dst = &st->rx_bytes;
			break;
		case L2TP_ATTR_RX_SEQ_DISCARDS:
			dst = &st->rx_seq_discards;
			break;
		case L2TP_ATTR_RX_OOS_PACKETS:
			dst = &st->rx_oos_packets;
			break;
		case L2TP_ATTR_RX_ERRORS:
			dst = &st->rx_errors;
			break;
		case L2TP_ATTR_RX_COOKIE_DISCARDS:
			dst = &st->rx_cookie_discards;
			break;
		case L2TP_ATTR_RX_INVALID:
			dst = &st->rx_invalid;
			break;
		default:
			continue; /* STATS_PAD and newer counters */
		}
		if (mnl_attr_get_payload_len(a) < sizeof(uint64_t)) {
			if (diag) {
				diag->offset = 0;
				diag->vendor = 0;
				diag->attr = type;
				diag->has_attr = true;
				diag->reason = "statistics counter shorter than 8 bytes";
			}
			return -ERANGE;
		}
		*dst = get64(a);
		st->present |= (uint32_t)1 << type;
	}
	return 0;
}

static bool put_stats(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_stats *st)
{
	static const uint8_t order[] = {
	    L2TP_ATTR_TX_PACKETS,     L2TP_ATTR_TX_BYTES,  L2TP_ATTR_TX_ERRORS,
	    L2TP_ATTR_RX_PACKETS,     L2TP_ATTR_RX_BYTES,  L2TP_ATTR_RX_SEQ_DISCARDS,
	    L2TP_ATTR_RX_OOS_PACKETS, L2TP_ATTR_RX_ERRORS, L2TP_ATTR_RX_COOKIE_DISCARDS,
	    L2TP_ATTR_RX_INVALID,
	};
	const uint64_t vals[] = {
	    st->tx_packets,	    st->tx_bytes,	 st->tx_errors,	     st->rx_packets,
	    st->rx_bytes,	    st->rx_seq_discards, st->rx_oos_packets, st->rx_errors,
	    st->rx_cookie_discards, st->rx_invalid,
	};
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, cap, L2TP_ATTR_STATS);

	if (!nest)
		return false;
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(order); i++) {
		if (!(st->present & ((uint32_t)1 << order[i])))
			continue;
		if (!mnl_attr_put_u64_check(nlh, cap, order[i], vals[i])) {
			mnl_attr_nest_cancel(nlh, nest);
			return false;
		}
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

int l2tp_api_put_stats(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_stats *st)
{
	return put_stats(nlh, cap, st) ? 0 : -ENOSPC;
}

/* ---- messages ---------------------------------------------------------- */

struct nlmsghdr *l2tp_api_msg_start(void *buf, size_t cap, uint16_t family, uint8_t cmd,
				    uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = L2TP_GENL_VERSION;
	return nlh;
}

bool l2tp_api_msg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len <= len;
}

uint8_t l2tp_api_msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	g = mnl_nlmsg_get_payload(nlh);
	return g->cmd;
}

#define HAS(o, attr) l2tp_api_has((o)->present, (attr))
#define PUT(ok)                                                                                    \
	do {                                                                                       \
		if (!(ok))                                                                         \
			return -ENOSPC;                                                            \
	} while (0)

int l2tp_api_put_tunnel(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_tunnel *t)
{
	/* The order of l2tp_nl_tunnel_send(), then request-only attributes. */
	if (HAS(t, L2TP_ATTR_PROTO_VERSION))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_PROTO_VERSION, t->proto_version));
	if (HAS(t, L2TP_ATTR_CONN_ID))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_CONN_ID, t->conn_id));
	if (HAS(t, L2TP_ATTR_PEER_CONN_ID))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_PEER_CONN_ID, t->peer_conn_id));
	if (HAS(t, L2TP_ATTR_DEBUG))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_DEBUG, t->debug));
	if (HAS(t, L2TP_ATTR_ENCAP_TYPE))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_ENCAP_TYPE, t->encap_type));
	if (HAS(t, L2TP_ATTR_STATS))
		PUT(put_stats(nlh, cap, &t->stats));
	if (HAS(t, L2TP_ATTR_UDP_ZERO_CSUM6_TX) && t->udp_zero_csum6_tx)
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_UDP_ZERO_CSUM6_TX, 0, NULL));
	if (HAS(t, L2TP_ATTR_UDP_ZERO_CSUM6_RX) && t->udp_zero_csum6_rx)
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_UDP_ZERO_CSUM6_RX, 0, NULL));
	if (HAS(t, L2TP_ATTR_UDP_CSUM))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_UDP_CSUM, t->udp_csum));
	if (HAS(t, L2TP_ATTR_UDP_SPORT))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_UDP_SPORT, t->udp_sport));
	if (HAS(t, L2TP_ATTR_UDP_DPORT))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_UDP_DPORT, t->udp_dport));
	if (HAS(t, L2TP_ATTR_IP_SADDR))
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_IP_SADDR, 4, &t->local_ip));
	if (HAS(t, L2TP_ATTR_IP_DADDR))
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_IP_DADDR, 4, &t->peer_ip));
	if (HAS(t, L2TP_ATTR_IP6_SADDR))
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_IP6_SADDR, 16, &t->local_ip6));
	if (HAS(t, L2TP_ATTR_IP6_DADDR))
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_IP6_DADDR, 16, &t->peer_ip6));
	if (HAS(t, L2TP_ATTR_FD))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_FD, t->fd));
	if (HAS(t, L2TP_ATTR_USING_IPSEC))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_USING_IPSEC, t->using_ipsec));
	return 0;
}

int l2tp_api_put_session(struct nlmsghdr *nlh, size_t cap, const struct l2tp_api_session *s)
{
	/* The order of l2tp_nl_session_send(), then request-only attributes. */
	if (HAS(s, L2TP_ATTR_CONN_ID))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_CONN_ID, s->conn_id));
	if (HAS(s, L2TP_ATTR_SESSION_ID))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_SESSION_ID, s->session_id));
	if (HAS(s, L2TP_ATTR_PEER_CONN_ID))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_PEER_CONN_ID, s->peer_conn_id));
	if (HAS(s, L2TP_ATTR_PEER_SESSION_ID))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_PEER_SESSION_ID,
					   s->peer_session_id));
	if (HAS(s, L2TP_ATTR_DEBUG))
		PUT(mnl_attr_put_u32_check(nlh, cap, L2TP_ATTR_DEBUG, s->debug));
	if (HAS(s, L2TP_ATTR_PW_TYPE))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_PW_TYPE, s->pw_type));
	if (HAS(s, L2TP_ATTR_L2SPEC_TYPE))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_L2SPEC_TYPE, s->l2spec_type));
	if (HAS(s, L2TP_ATTR_L2SPEC_LEN))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_L2SPEC_LEN, s->l2spec_len));
	if (HAS(s, L2TP_ATTR_IFNAME)) {
		char name[IFNAMSIZ];

		memcpy(name, s->ifname, sizeof(name));
		name[IFNAMSIZ - 1] = '\0';
		PUT(mnl_attr_put_strz_check(nlh, cap, L2TP_ATTR_IFNAME, name));
	}
	if (HAS(s, L2TP_ATTR_COOKIE))
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_COOKIE,
				       s->cookie_len > 8 ? 8 : s->cookie_len, s->cookie));
	if (HAS(s, L2TP_ATTR_PEER_COOKIE))
		PUT(mnl_attr_put_check(nlh, cap, L2TP_ATTR_PEER_COOKIE,
				       s->peer_cookie_len > 8 ? 8 : s->peer_cookie_len,
				       s->peer_cookie));
	if (HAS(s, L2TP_ATTR_RECV_SEQ))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_RECV_SEQ, s->recv_seq));
	if (HAS(s, L2TP_ATTR_SEND_SEQ))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_SEND_SEQ, s->send_seq));
	if (HAS(s, L2TP_ATTR_LNS_MODE))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_LNS_MODE, s->lns_mode));
	if (HAS(s, L2TP_ATTR_USING_IPSEC))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_USING_IPSEC, s->using_ipsec));
	if (HAS(s, L2TP_ATTR_RECV_TIMEOUT))
		PUT(mnl_attr_put_u64_check(nlh, cap, L2TP_ATTR_RECV_TIMEOUT, s->recv_timeout_ms));
	if (HAS(s, L2TP_ATTR_OFFSET))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_OFFSET, s->offset));
	if (HAS(s, L2TP_ATTR_DATA_SEQ))
		PUT(mnl_attr_put_u8_check(nlh, cap, L2TP_ATTR_DATA_SEQ, s->data_seq));
	if (HAS(s, L2TP_ATTR_MTU))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_MTU, s->mtu));
	if (HAS(s, L2TP_ATTR_MRU))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_MRU, s->mru));
	if (HAS(s, L2TP_ATTR_VLAN_ID))
		PUT(mnl_attr_put_u16_check(nlh, cap, L2TP_ATTR_VLAN_ID, s->vlan_id));
	if (HAS(s, L2TP_ATTR_STATS))
		PUT(put_stats(nlh, cap, &s->stats));
	return 0;
}

static int parse_stats_at(const struct nlmsghdr *nlh, const struct nlattr *a,
			  struct l2tp_api_stats *st, struct l2tp_diag *diag)
{
	int rc = l2tp_api_parse_stats(a, st, diag);

	if (rc < 0 && diag)
		diag->offset = off_of(nlh, a);
	return rc;
}

int l2tp_api_parse_tunnel(const struct nlmsghdr *nlh, struct l2tp_api_tunnel *t,
			  struct l2tp_diag *diag)
{
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];
	int rc;

	memset(t, 0, sizeof(*t));
	L2TP_TRY(l2tp_api_parse_attrs(nlh, tb, diag));
	for (unsigned int i = 1; i <= L2TP_ATTR_MAX; i++)
		if (tb[i])
			t->present |= L2TP_API_BIT(i);
#define T(attr) tb[L2TP_ATTR_##attr]
	if (T(CONN_ID))
		t->conn_id = get32(T(CONN_ID));
	if (T(PEER_CONN_ID))
		t->peer_conn_id = get32(T(PEER_CONN_ID));
	if (T(PROTO_VERSION))
		t->proto_version = get8(T(PROTO_VERSION));
	if (T(ENCAP_TYPE))
		t->encap_type = get16(T(ENCAP_TYPE));
	if (T(IP_SADDR))
		memcpy(&t->local_ip, mnl_attr_get_payload(T(IP_SADDR)), 4);
	if (T(IP_DADDR))
		memcpy(&t->peer_ip, mnl_attr_get_payload(T(IP_DADDR)), 4);
	if (T(IP6_SADDR))
		memcpy(&t->local_ip6, mnl_attr_get_payload(T(IP6_SADDR)), 16);
	if (T(IP6_DADDR))
		memcpy(&t->peer_ip6, mnl_attr_get_payload(T(IP6_DADDR)), 16);
	if (T(UDP_SPORT))
		t->udp_sport = get16(T(UDP_SPORT));
	if (T(UDP_DPORT))
		t->udp_dport = get16(T(UDP_DPORT));
	if (T(UDP_CSUM))
		t->udp_csum = get8(T(UDP_CSUM));
	t->udp_zero_csum6_tx = T(UDP_ZERO_CSUM6_TX) != NULL;
	t->udp_zero_csum6_rx = T(UDP_ZERO_CSUM6_RX) != NULL;
	if (T(DEBUG))
		t->debug = get32(T(DEBUG));
	if (T(FD))
		t->fd = get32(T(FD));
	if (T(USING_IPSEC))
		t->using_ipsec = get8(T(USING_IPSEC));
	if (T(STATS)) {
		rc = parse_stats_at(nlh, T(STATS), &t->stats, diag);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int l2tp_api_parse_session(const struct nlmsghdr *nlh, struct l2tp_api_session *s,
			   struct l2tp_diag *diag)
{
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];
	int rc;

	memset(s, 0, sizeof(*s));
	L2TP_TRY(l2tp_api_parse_attrs(nlh, tb, diag));
	for (unsigned int i = 1; i <= L2TP_ATTR_MAX; i++)
		if (tb[i])
			s->present |= L2TP_API_BIT(i);
	if (T(CONN_ID))
		s->conn_id = get32(T(CONN_ID));
	if (T(PEER_CONN_ID))
		s->peer_conn_id = get32(T(PEER_CONN_ID));
	if (T(SESSION_ID))
		s->session_id = get32(T(SESSION_ID));
	if (T(PEER_SESSION_ID))
		s->peer_session_id = get32(T(PEER_SESSION_ID));
	if (T(PW_TYPE))
		s->pw_type = get16(T(PW_TYPE));
	if (T(COOKIE)) {
		s->cookie_len = (uint8_t)mnl_attr_get_payload_len(T(COOKIE));
		memcpy(s->cookie, mnl_attr_get_payload(T(COOKIE)), s->cookie_len);
	}
	if (T(PEER_COOKIE)) {
		s->peer_cookie_len = (uint8_t)mnl_attr_get_payload_len(T(PEER_COOKIE));
		memcpy(s->peer_cookie, mnl_attr_get_payload(T(PEER_COOKIE)), s->peer_cookie_len);
	}
	if (T(L2SPEC_TYPE))
		s->l2spec_type = get8(T(L2SPEC_TYPE));
	if (T(L2SPEC_LEN))
		s->l2spec_len = get8(T(L2SPEC_LEN));
	if (T(OFFSET))
		s->offset = get16(T(OFFSET));
	if (T(DATA_SEQ))
		s->data_seq = get8(T(DATA_SEQ));
	if (T(RECV_SEQ))
		s->recv_seq = get8(T(RECV_SEQ));
	if (T(SEND_SEQ))
		s->send_seq = get8(T(SEND_SEQ));
	if (T(LNS_MODE))
		s->lns_mode = get8(T(LNS_MODE));
	if (T(USING_IPSEC))
		s->using_ipsec = get8(T(USING_IPSEC));
	if (T(RECV_TIMEOUT))
		s->recv_timeout_ms = get64(T(RECV_TIMEOUT));
	if (T(IFNAME)) /* validated: NUL within IFNAMSIZ bytes */
		strncpy(s->ifname, mnl_attr_get_str(T(IFNAME)), IFNAMSIZ - 1);
	if (T(MTU))
		s->mtu = get16(T(MTU));
	if (T(MRU))
		s->mru = get16(T(MRU));
	if (T(VLAN_ID))
		s->vlan_id = get16(T(VLAN_ID));
	if (T(DEBUG))
		s->debug = get32(T(DEBUG));
	if (T(STATS)) {
		rc = parse_stats_at(nlh, T(STATS), &s->stats, diag);
		if (rc < 0)
			return rc;
	}
#undef T
	return 0;
}

/* ---- required attributes ----------------------------------------------- */

static int need(uint64_t present, unsigned int attr, struct l2tp_diag *diag)
{
	if (l2tp_api_has(present, attr))
		return 0;
	l2tp_diag_set_avp(diag, 0, 0, (uint16_t)attr, "required attribute missing");
	return -EINVAL;
}

int l2tp_api_check_required(uint8_t cmd, uint64_t present, bool dump, struct l2tp_diag *diag)
{
	switch (cmd) {
	case L2TP_CMD_NOOP:
		return 0;
	case L2TP_CMD_TUNNEL_CREATE:
		L2TP_TRY(need(present, L2TP_ATTR_CONN_ID, diag));
		L2TP_TRY(need(present, L2TP_ATTR_PEER_CONN_ID, diag));
		L2TP_TRY(need(present, L2TP_ATTR_PROTO_VERSION, diag));
		L2TP_TRY(need(present, L2TP_ATTR_ENCAP_TYPE, diag));
		if (l2tp_api_has(present, L2TP_ATTR_FD))
			return 0;
		/* l2tp_nl_cmd_tunnel_create_get_addr(): both ends of one family */
		if (l2tp_api_has(present, L2TP_ATTR_IP6_SADDR) &&
		    l2tp_api_has(present, L2TP_ATTR_IP6_DADDR))
			return 0;
		if (l2tp_api_has(present, L2TP_ATTR_IP_SADDR) &&
		    l2tp_api_has(present, L2TP_ATTR_IP_DADDR))
			return 0;
		if (l2tp_api_has(present, L2TP_ATTR_IP6_SADDR) ||
		    l2tp_api_has(present, L2TP_ATTR_IP6_DADDR)) {
			l2tp_diag_set_avp(diag, 0, 0,
					  l2tp_api_has(present, L2TP_ATTR_IP6_SADDR)
					      ? L2TP_ATTR_IP6_DADDR
					      : L2TP_ATTR_IP6_SADDR,
					  "required attribute missing");
			return -EINVAL;
		}
		L2TP_TRY(need(present, L2TP_ATTR_IP_SADDR, diag));
		return need(present, L2TP_ATTR_IP_DADDR, diag);
	case L2TP_CMD_TUNNEL_DELETE:
	case L2TP_CMD_TUNNEL_MODIFY:
		return need(present, L2TP_ATTR_CONN_ID, diag);
	case L2TP_CMD_TUNNEL_GET:
		return dump ? 0 : need(present, L2TP_ATTR_CONN_ID, diag);
	case L2TP_CMD_SESSION_CREATE:
		L2TP_TRY(need(present, L2TP_ATTR_CONN_ID, diag));
		L2TP_TRY(need(present, L2TP_ATTR_SESSION_ID, diag));
		L2TP_TRY(need(present, L2TP_ATTR_PEER_SESSION_ID, diag));
		return need(present, L2TP_ATTR_PW_TYPE, diag);
	case L2TP_CMD_SESSION_GET:
		if (dump)
			return 0;
		/* fall through */
	case L2TP_CMD_SESSION_DELETE:
	case L2TP_CMD_SESSION_MODIFY:
		/* l2tp_nl_session_get(): by IFNAME, else CONN_ID + SESSION_ID */
		if (l2tp_api_has(present, L2TP_ATTR_IFNAME) ||
		    (l2tp_api_has(present, L2TP_ATTR_CONN_ID) &&
		     l2tp_api_has(present, L2TP_ATTR_SESSION_ID)))
			return 0;
		l2tp_diag_set_avp(diag, 0, 0,
				  l2tp_api_has(present, L2TP_ATTR_CONN_ID) ? L2TP_ATTR_SESSION_ID
									   : L2TP_ATTR_CONN_ID,
				  "no IFNAME and no CONN_ID + SESSION_ID: no such session");
		return -ENODEV;
	default:
		l2tp_diag_set(diag, 0, "unknown command");
		return -EOPNOTSUPP;
	}
}

int l2tp_api_check_session_create(const struct l2tp_api_session *s, uint8_t proto_version,
				  struct l2tp_diag *diag)
{
	if (s->pw_type >= __L2TP_PWTYPE_MAX) {
		l2tp_diag_set_avp(diag, 0, 0, L2TP_ATTR_PW_TYPE, "pseudowire type out of range");
		return -EINVAL;
	}
	if (proto_version == 2 && s->pw_type != L2TP_PWTYPE_PPP) {
		l2tp_diag_set_avp(diag, 0, 0, L2TP_ATTR_PW_TYPE,
				  "L2TPv2 tunnels carry only PPP pseudowires");
		return -EPROTONOSUPPORT;
	}
	if (proto_version > 2) {
		if (HAS(s, L2TP_ATTR_L2SPEC_TYPE) && s->l2spec_type != L2TP_L2SPECTYPE_NONE &&
		    s->l2spec_type != L2TP_L2SPECTYPE_DEFAULT) {
			l2tp_diag_set_avp(diag, 0, 0, L2TP_ATTR_L2SPEC_TYPE,
					  "unknown L2-specific sublayer type");
			return -EINVAL;
		}
		if ((HAS(s, L2TP_ATTR_COOKIE) && s->cookie_len > 8) ||
		    (HAS(s, L2TP_ATTR_PEER_COOKIE) && s->peer_cookie_len > 8)) {
			l2tp_diag_set_avp(diag, 0, 0,
					  s->cookie_len > 8 ? L2TP_ATTR_COOKIE
							    : L2TP_ATTR_PEER_COOKIE,
					  "cookie longer than 8 bytes");
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- genl controller --------------------------------------------------- */

int l2tp_api_build_getfamily(void *buf, size_t cap, const char *name, uint32_t seq)
{
	struct nlmsghdr *nlh =
	    l2tp_api_msg_start(buf, cap, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST, seq);

	if (!nlh)
		return -ENOSPC;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	if (!mnl_attr_put_strz_check(nlh, cap, CTRL_ATTR_FAMILY_NAME, name))
		return -ENOSPC;
	return (int)nlh->nlmsg_len;
}

static const struct nlattr *find_ctrl_attr(const struct nlmsghdr *nlh, uint16_t want)
{
	const struct nlattr *a, *found = NULL;
	size_t off = GENL_ATTR_OFF;

	while ((a = next_attr(nlh, &off, nlh->nlmsg_len))) {
		if (mnl_attr_get_type(a) == want)
			found = a;
	}
	return found;
}

int l2tp_api_parse_getfamily(const struct nlmsghdr *nlh, const char **name, struct l2tp_diag *diag)
{
	const struct nlattr *a;
	uint16_t len;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		l2tp_diag_set(diag, 0, "message shorter than nlmsghdr + genlmsghdr");
		return -EINVAL;
	}
	if (l2tp_api_msg_cmd(nlh) != CTRL_CMD_GETFAMILY) {
		l2tp_diag_set(diag, NLMSG_HDRLEN, "controller command not supported");
		return -EOPNOTSUPP;
	}
	a = find_ctrl_attr(nlh, CTRL_ATTR_FAMILY_NAME);
	if (!a) {
		l2tp_diag_set_avp(diag, 0, 0, CTRL_ATTR_FAMILY_NAME, "family name missing");
		return -EINVAL;
	}
	len = mnl_attr_get_payload_len(a);
	if (len == 0 || !memchr(mnl_attr_get_payload(a), '\0', len)) {
		l2tp_diag_set_avp(diag, off_of(nlh, a), 0, CTRL_ATTR_FAMILY_NAME,
				  "family name not NUL-terminated");
		return -EINVAL;
	}
	*name = mnl_attr_get_str(a);
	return 0;
}

int l2tp_api_build_family_reply(void *buf, size_t cap, const struct nlmsghdr *req, const char *name,
				uint16_t id, uint32_t version, uint32_t maxattr)
{
	struct nlmsghdr *nlh =
	    l2tp_api_msg_start(buf, cap, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0, req->nlmsg_seq);

	if (!nlh)
		return -ENOSPC;
	nlh->nlmsg_pid = req->nlmsg_pid;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 2;
	if (!mnl_attr_put_u16_check(nlh, cap, CTRL_ATTR_FAMILY_ID, id) ||
	    !mnl_attr_put_strz_check(nlh, cap, CTRL_ATTR_FAMILY_NAME, name) ||
	    !mnl_attr_put_u32_check(nlh, cap, CTRL_ATTR_VERSION, version) ||
	    !mnl_attr_put_u32_check(nlh, cap, CTRL_ATTR_HDRSIZE, 0) ||
	    !mnl_attr_put_u32_check(nlh, cap, CTRL_ATTR_MAXATTR, maxattr))
		return -ENOSPC;
	return (int)nlh->nlmsg_len;
}

int l2tp_api_parse_family_reply(const struct nlmsghdr *nlh, uint16_t *id, uint32_t *version,
				struct l2tp_diag *diag)
{
	const struct nlattr *a;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		l2tp_diag_set(diag, 0, "message shorter than nlmsghdr + genlmsghdr");
		return -EINVAL;
	}
	a = find_ctrl_attr(nlh, CTRL_ATTR_FAMILY_ID);
	if (!a || mnl_attr_get_payload_len(a) < 2) {
		l2tp_diag_set_avp(diag, a ? off_of(nlh, a) : 0, 0, CTRL_ATTR_FAMILY_ID,
				  "family id missing or short");
		return -EINVAL;
	}
	*id = get16(a);
	if (version) {
		a = find_ctrl_attr(nlh, CTRL_ATTR_VERSION);
		*version = a && mnl_attr_get_payload_len(a) >= 4 ? get32(a) : 0;
	}
	return 0;
}

/* ---- acks, errors, done ------------------------------------------------ */

int l2tp_api_build_error_msg(void *buf, size_t cap, const struct nlmsghdr *req, int err,
			     const char *msg)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*e));

	if (err == 0)
		msg = NULL;
	if (msg)
		need += MNL_ATTR_HDRLEN + MNL_ALIGN(strlen(msg) + 1);
	if (cap < need)
		return -ENOSPC;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = req->nlmsg_pid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	memcpy(&e->msg, req, sizeof(e->msg));
	if (msg) {
		/* Extended ack, as the kernel's extack: NLMSGERR_ATTR_MSG. */
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	return (int)nlh->nlmsg_len;
}

int l2tp_api_build_error(void *buf, size_t cap, const struct nlmsghdr *req, int err)
{
	return l2tp_api_build_error_msg(buf, cap, req, err, NULL);
}

int l2tp_api_build_done(void *buf, size_t cap, const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh;
	int *zero;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(int)))
		return -ENOSPC;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = req->nlmsg_pid;
	zero = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*zero = 0;
	return (int)nlh->nlmsg_len;
}

int l2tp_api_parse_error_msg(const struct nlmsghdr *nlh, int *err, const char **msg)
{
	const struct nlmsgerr *e;
	const struct nlattr *a;
	size_t off, len;
	int ev;

	if (msg)
		*msg = NULL;
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return -EINVAL;
	memcpy(&ev, mnl_nlmsg_get_payload(nlh), sizeof(ev));
	if (ev > 0)
		return -EINVAL;
	*err = ev;
	if (!msg || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return 0;
	/* The TLVs follow the echoed request: its header alone when capped. */
	e = mnl_nlmsg_get_payload(nlh);
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - sizeof(e->msg);
	len = nlh->nlmsg_len;
	while (off + MNL_ATTR_HDRLEN <= len) {
		a = (const struct nlattr *)((const uint8_t *)nlh + off);
		if (a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > len - off)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG &&
		    a->nla_len > MNL_ATTR_HDRLEN &&
		    memchr(mnl_attr_get_payload(a), '\0', a->nla_len - MNL_ATTR_HDRLEN)) {
			*msg = mnl_attr_get_payload(a);
			break;
		}
		off += MNL_ALIGN(a->nla_len);
	}
	return 0;
}

int l2tp_api_parse_error(const struct nlmsghdr *nlh, int *err)
{
	return l2tp_api_parse_error_msg(nlh, err, NULL);
}

/* ---- names ------------------------------------------------------------- */

const char *l2tp_api_attr_name(unsigned int attr)
{
	static const char *const names[L2TP_ATTR_MAX + 1] = {
	    [L2TP_ATTR_NONE] = "NONE",
	    [L2TP_ATTR_PW_TYPE] = "PW_TYPE",
	    [L2TP_ATTR_ENCAP_TYPE] = "ENCAP_TYPE",
	    [L2TP_ATTR_OFFSET] = "OFFSET",
	    [L2TP_ATTR_DATA_SEQ] = "DATA_SEQ",
	    [L2TP_ATTR_L2SPEC_TYPE] = "L2SPEC_TYPE",
	    [L2TP_ATTR_L2SPEC_LEN] = "L2SPEC_LEN",
	    [L2TP_ATTR_PROTO_VERSION] = "PROTO_VERSION",
	    [L2TP_ATTR_IFNAME] = "IFNAME",
	    [L2TP_ATTR_CONN_ID] = "CONN_ID",
	    [L2TP_ATTR_PEER_CONN_ID] = "PEER_CONN_ID",
	    [L2TP_ATTR_SESSION_ID] = "SESSION_ID",
	    [L2TP_ATTR_PEER_SESSION_ID] = "PEER_SESSION_ID",
	    [L2TP_ATTR_UDP_CSUM] = "UDP_CSUM",
	    [L2TP_ATTR_VLAN_ID] = "VLAN_ID",
	    [L2TP_ATTR_COOKIE] = "COOKIE",
	    [L2TP_ATTR_PEER_COOKIE] = "PEER_COOKIE",
	    [L2TP_ATTR_DEBUG] = "DEBUG",
	    [L2TP_ATTR_RECV_SEQ] = "RECV_SEQ",
	    [L2TP_ATTR_SEND_SEQ] = "SEND_SEQ",
	    [L2TP_ATTR_LNS_MODE] = "LNS_MODE",
	    [L2TP_ATTR_USING_IPSEC] = "USING_IPSEC",
	    [L2TP_ATTR_RECV_TIMEOUT] = "RECV_TIMEOUT",
	    [L2TP_ATTR_FD] = "FD",
	    [L2TP_ATTR_IP_SADDR] = "IP_SADDR",
	    [L2TP_ATTR_IP_DADDR] = "IP_DADDR",
	    [L2TP_ATTR_UDP_SPORT] = "UDP_SPORT",
	    [L2TP_ATTR_UDP_DPORT] = "UDP_DPORT",
	    [L2TP_ATTR_MTU] = "MTU",
	    [L2TP_ATTR_MRU] = "MRU",
	    [L2TP_ATTR_STATS] = "STATS",
	    [L2TP_ATTR_IP6_SADDR] = "IP6_SADDR",
	    [L2TP_ATTR_IP6_DADDR] = "IP6_DADDR",
	    [L2TP_ATTR_UDP_ZERO_CSUM6_TX] = "UDP_ZERO_CSUM6_TX",
	    [L2TP_ATTR_UDP_ZERO_CSUM6_RX] = "UDP_ZERO_CSUM6_RX",
	    [L2TP_ATTR_PAD] = "PAD",
	};

	return attr <= L2TP_ATTR_MAX && names[attr] ? names[attr] : "?";
}

const char *l2tp_api_cmd_name(unsigned int cmd)
{
	static const char *const names[L2TP_CMD_MAX + 1] = {
	    [L2TP_CMD_NOOP] = "NOOP",
	    [L2TP_CMD_TUNNEL_CREATE] = "TUNNEL_CREATE",
	    [L2TP_CMD_TUNNEL_DELETE] = "TUNNEL_DELETE",
	    [L2TP_CMD_TUNNEL_MODIFY] = "TUNNEL_MODIFY",
	    [L2TP_CMD_TUNNEL_GET] = "TUNNEL_GET",
	    [L2TP_CMD_SESSION_CREATE] = "SESSION_CREATE",
	    [L2TP_CMD_SESSION_DELETE] = "SESSION_DELETE",
	    [L2TP_CMD_SESSION_MODIFY] = "SESSION_MODIFY",
	    [L2TP_CMD_SESSION_GET] = "SESSION_GET",
	};

	return cmd <= L2TP_CMD_MAX && names[cmd] ? names[cmd] : "?";
}
