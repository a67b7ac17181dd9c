// SPDX-License-Identifier: MIT
/*
 * ppp_lcp.c - the Link Control Protocol (RFC 1661 §5, §6): its options
 * (MRU, ACCM, Authentication-Protocol, Magic-Number, PFC, ACFC), the
 * packets only LCP has (Protocol-Reject, Echo, Discard, RFC 1570's
 * Identification and Time-Remaining), Echo keepalives, loop detection and
 * the link phases LCP's automaton drives.
 */
#include "ppp_internal.h"

enum {
	LCP_MRU = 1,
	LCP_ACCM = 2,
	LCP_AUTH = 3,
	LCP_QUALITY = 4,
	LCP_MAGIC = 5,
	LCP_PFC = 7,
	LCP_ACFC = 8,
};

#define CHAP_MD5 5 /* CHAP Algorithm, RFC 1994 §3 */
#define MRU_MIN 128

static uint32_t get32(const uint8_t *v)
{
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* A non-zero Magic-Number other than |avoid| (RFC 1661 §6.4: zero is illegal). */
static uint32_t new_magic(struct l2tp_ppp *p, uint32_t avoid)
{
	for (int i = 0; i < 16; i++) {
		uint8_t b[4];

		if (ppp_rand(p, b, sizeof(b)) < 0)
			break;
		if (get32(b) && get32(b) != avoid)
			return get32(b);
	}
	return avoid != 0x5050aaaa ? 0x5050aaaa : 0x0a0a5555;
}

static uint8_t auth_bit(uint16_t proto)
{
	return proto == L2TP_PPP_CHAP ? L2TP_PPP_AUTH_CHAP : L2TP_PPP_AUTH_PAP;
}

static void lcp_reset(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;

	p->mru = p->cfg.mru;
	p->neg_mru = p->cfg.mru != L2TP_PPP_MRU_DEFAULT;
	p->neg_auth = p->cfg.require_auth != 0;
	p->auth_proto = (p->cfg.require_auth & L2TP_PPP_AUTH_CHAP) ? L2TP_PPP_CHAP : L2TP_PPP_PAP;
	p->auth_tried = auth_bit(p->auth_proto);
	p->neg_magic = true;
	p->magic = new_magic(p, 0);
	p->neg_pfc = p->cfg.request_pfc;
	p->neg_acfc = p->cfg.request_acfc;
	p->loops = 0;
	p->echo_rejected = false;
}

static int put_auth(struct l2tp_cursor *c, uint16_t proto)
{
	L2TP_TRY(l2tp_cur_put_u8(c, LCP_AUTH));
	L2TP_TRY(l2tp_cur_put_u8(c, proto == L2TP_PPP_CHAP ? 5 : 4));
	L2TP_TRY(l2tp_cur_put_u16(c, proto));
	if (proto == L2TP_PPP_CHAP)
		L2TP_TRY(l2tp_cur_put_u8(c, CHAP_MD5));
	return 0;
}

static int lcp_build_req(struct ppp_fsm *f, struct l2tp_cursor *c)
{
	struct l2tp_ppp *p = f->p;

	if (p->neg_mru) {
		L2TP_TRY(l2tp_cur_put_u8(c, LCP_MRU));
		L2TP_TRY(l2tp_cur_put_u8(c, 4));
		L2TP_TRY(l2tp_cur_put_u16(c, p->mru));
	}
	if (p->neg_auth)
		L2TP_TRY(put_auth(c, p->auth_proto));
	if (p->neg_magic) {
		L2TP_TRY(l2tp_cur_put_u8(c, LCP_MAGIC));
		L2TP_TRY(l2tp_cur_put_u8(c, 6));
		L2TP_TRY(l2tp_cur_put_u32(c, p->magic));
	}
	if (p->neg_pfc) {
		L2TP_TRY(l2tp_cur_put_u8(c, LCP_PFC));
		L2TP_TRY(l2tp_cur_put_u8(c, 2));
	}
	if (p->neg_acfc) {
		L2TP_TRY(l2tp_cur_put_u8(c, LCP_ACFC));
		L2TP_TRY(l2tp_cur_put_u8(c, 2));
	}
	return 0;
}

static int lcp_recv_req(struct ppp_fsm *f, const uint8_t *opt, size_t len, struct l2tp_cursor *rep,
			bool no_nak)
{
	struct l2tp_ppp *p = f->p;
	uint8_t can = p->have_secret ? (uint8_t)(~p->cfg.refuse_auth & 3) : 0;
	struct ppp_cr cr;
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen, nv[5];
	int rc;

	ppp_cr_init(&cr);
	/* what the request leaves out takes its default (RFC 1661 §6) */
	p->peer_mru = L2TP_PPP_MRU_DEFAULT;
	p->peer_auth = 0;
	p->peer_pfc = p->peer_acfc = false;
	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0) {
		bool rej = false, nak = false;
		uint8_t nlen = 0;

		switch (type) {
		case LCP_MRU:
			if (vlen != 2) {
				rej = true;
			} else if ((v[0] << 8 | v[1]) < MRU_MIN) {
				nak = true;
				nv[0] = MRU_MIN >> 8;
				nv[1] = MRU_MIN & 0xff;
				nlen = 2;
			} else {
				p->peer_mru = (uint16_t)(v[0] << 8 | v[1]);
			}
			break;
		case LCP_ACCM: /* meaningless on a synchronous link, harmless to accept */
			rej = vlen != 4;
			break;
		case LCP_AUTH: {
			uint16_t ap = vlen >= 2 ? (uint16_t)(v[0] << 8 | v[1]) : 0;

			if (vlen < 2 || !can) {
				rej = true; /* we cannot authenticate ourselves at all */
			} else if (ap == L2TP_PPP_PAP && vlen == 2 && (can & L2TP_PPP_AUTH_PAP)) {
				p->peer_auth = L2TP_PPP_PAP;
			} else if (ap == L2TP_PPP_CHAP && vlen == 3 && v[2] == CHAP_MD5 &&
				   (can & L2TP_PPP_AUTH_CHAP)) {
				p->peer_auth = L2TP_PPP_CHAP;
			} else {
				/* suggest what we can do (RFC 1661 §6.2: Nak with the preferred) */
				uint16_t want =
				    (can & L2TP_PPP_AUTH_CHAP) ? L2TP_PPP_CHAP : L2TP_PPP_PAP;

				nak = true;
				nv[0] = (uint8_t)(want >> 8);
				nv[1] = (uint8_t)want;
				nv[2] = CHAP_MD5;
				nlen = want == L2TP_PPP_CHAP ? 3 : 2;
			}
			break;
		}
		case LCP_MAGIC: {
			uint32_t m = vlen == 4 ? get32(v) : 0;

			if (vlen != 4) {
				rej = true;
			} else if (m == 0 || (p->neg_magic && m == p->magic)) {
				/*
				 * Zero is illegal; our own number may mean a looped-back link
				 * (RFC 1661 §6.4): Nak with another, and pick a new one of
				 * ours. Seen too often in a row, the link is looped.
				 */
				if (m) {
					p->loops++;
					p->magic = new_magic(p, p->magic);
				}
				if (p->loops > p->cfg.max_failure)
					ppp_link_close_later(p, L2TP_PPP_DOWN_LOOPBACK,
							     "looped-back link");
				m = new_magic(p, p->magic);
				nak = true;
				put32(nv, m);
				nlen = 4;
			} else {
				p->peer_magic = m;
				p->loops = 0;
			}
			break;
		}
		case LCP_PFC:
			rej = vlen || p->cfg.refuse_pfc;
			if (!rej)
				p->peer_pfc = true;
			break;
		case LCP_ACFC:
			rej = vlen || p->cfg.refuse_acfc;
			if (!rej)
				p->peer_acfc = true;
			break;
		default: /* Quality-Protocol, Callback, multilink, ...: not ours */
			rej = true;
			break;
		}
		if (nak && no_nak)
			rej = true;
		if (rej)
			L2TP_TRY(ppp_put_opt(&cr.r, type, v, vlen));
		else if (nak)
			L2TP_TRY(ppp_put_opt(&cr.n, type, nv, nlen));
	}
	if (rc < 0)
		return rc;
	return ppp_cr_finish(&cr, opt, len, rep);
}

static int lcp_recv_nak(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_ppp *p = f->p;
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;
	int rc;

	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0) {
		switch (type) {
		case LCP_MRU:
			if (vlen == 2 && (v[0] << 8 | v[1]) >= MRU_MIN) {
				p->mru = (uint16_t)(v[0] << 8 | v[1]);
				p->neg_mru = true;
			}
			break;
		case LCP_AUTH: {
			uint16_t ap = vlen >= 2 ? (uint16_t)(v[0] << 8 | v[1]) : 0;
			uint8_t req = p->cfg.require_auth, untried = req & ~p->auth_tried;

			if (!p->neg_auth)
				break;
			if (ap == L2TP_PPP_CHAP && vlen == 3 && v[2] == CHAP_MD5 &&
			    (req & L2TP_PPP_AUTH_CHAP))
				p->auth_proto = L2TP_PPP_CHAP;
			else if (ap == L2TP_PPP_PAP && (req & L2TP_PPP_AUTH_PAP))
				p->auth_proto = L2TP_PPP_PAP;
			else if (untried)
				p->auth_proto =
				    (untried & L2TP_PPP_AUTH_CHAP) ? L2TP_PPP_CHAP : L2TP_PPP_PAP;
			p->auth_tried |= auth_bit(p->auth_proto);
			break;
		}
		case LCP_MAGIC: /* RFC 1661 §6.4: a new Magic-Number, whatever the Nak says */
			p->magic = new_magic(p, p->magic);
			break;
		default:
			break;
		}
	}
	return rc;
}

static int lcp_recv_rej(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_ppp *p = f->p;
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;

	L2TP_TRY(ppp_check_rej(f, opt, len));
	l2tp_cur_init(&c, opt, len);
	while (ppp_opt_next(&c, &type, &v, &vlen) > 0) {
		switch (type) {
		case LCP_MRU:
			p->neg_mru = false;
			p->mru = L2TP_PPP_MRU_DEFAULT;
			break;
		case LCP_AUTH: /* we insist on authentication: the peer will not */
			p->neg_auth = false;
			ppp_link_close_later(p, L2TP_PPP_DOWN_AUTH_REFUSED,
					     "the peer refuses to authenticate itself");
			break;
		case LCP_MAGIC:
			p->neg_magic = false;
			break;
		case LCP_PFC:
			p->neg_pfc = false;
			break;
		case LCP_ACFC:
			p->neg_acfc = false;
			break;
		default:
			break;
		}
	}
	return 0;
}

static void lcp_tlu(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;

	ppp_log(p, L2TP_LOG_INFO, "ppp lcp: opened, peer mru %u, magic %08x/%08x", p->peer_mru,
		p->magic, p->peer_magic);
	p->echo_unanswered = 0;
	p->echo_deadline = p->cfg.echo_interval ? p->now + p->cfg.echo_interval : L2TP_TIME_NEVER;
	ppp_auth_start(p);
}

static void lcp_tld(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;

	p->echo_deadline = L2TP_TIME_NEVER;
	ppp_auth_stop(p);
	ppp_fsm_event(&p->ipcp, PPP_EV_DOWN);
	ppp_fsm_event(&p->ipv6cp, PPP_EV_DOWN);
}

static void lcp_tlf(struct ppp_fsm *f)
{
	/* reached without another reason: the peer stopped answering (TO-) */
	ppp_set_down(f->p, L2TP_PPP_DOWN_TIMEOUT, "LCP got no answer");
}

static void lcp_moved(struct ppp_fsm *f, uint8_t from)
{
	struct l2tp_ppp *p = f->p;

	switch (f->state) {
	case L2TP_PPP_INITIAL:
	case L2TP_PPP_STARTING:
	case L2TP_PPP_CLOSED:
	case L2TP_PPP_STOPPED:
		ppp_set_phase(p, L2TP_PPP_DEAD);
		break;
	case L2TP_PPP_CLOSING:
	case L2TP_PPP_STOPPING:
		/* Opened -> Stopping without another cause: the peer's Terminate-Request */
		if (from == L2TP_PPP_OPENED)
			ppp_set_down(p, L2TP_PPP_DOWN_PEER, "terminated by the peer");
		ppp_set_phase(p, L2TP_PPP_TERMINATE);
		break;
	case L2TP_PPP_REQ_SENT:
	case L2TP_PPP_ACK_RCVD:
	case L2TP_PPP_ACK_SENT:
		ppp_set_phase(p, L2TP_PPP_ESTABLISH);
		break;
	default: /* Opened: authentication sets the phase */
		break;
	}
}

static void protrej(struct l2tp_ppp *p, uint16_t proto)
{
	ppp_log(p, L2TP_LOG_INFO, "ppp lcp: the peer rejected protocol 0x%04x", proto);
	switch (proto) {
	case L2TP_PPP_LCP:
		ppp_set_down(p, L2TP_PPP_DOWN_REJECTED, "the peer rejected LCP");
		ppp_fsm_event(&p->lcp, PPP_EV_RXJ_MINUS);
		break;
	case L2TP_PPP_IPCP:
	case L2TP_PPP_IP:
		ppp_fsm_event(&p->ipcp, PPP_EV_RXJ_MINUS);
		break;
	case L2TP_PPP_IPV6CP:
	case L2TP_PPP_IPV6:
		ppp_fsm_event(&p->ipv6cp, PPP_EV_RXJ_MINUS);
		break;
	case L2TP_PPP_PAP:
	case L2TP_PPP_CHAP:
		ppp_link_close_later(p, L2TP_PPP_DOWN_AUTH_REFUSED,
				     "the peer rejected the authentication protocol");
		break;
	default: /* something we never send: RXJ+ */
		ppp_fsm_event(&p->lcp, PPP_EV_RXJ_PLUS);
		break;
	}
}

static int lcp_ext_code(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *d, size_t len)
{
	struct l2tp_ppp *p = f->p;
	bool open = f->state == L2TP_PPP_OPENED;
	uint8_t magic[4];
	size_t room;

	switch (code) {
	case PPP_PROTREJ:
		if (len < 2)
			return -EPROTO;
		/* RFC 1661 §5.7: only meaningful in Opened; discarded elsewhere */
		if (open)
			protrej(p, (uint16_t)(d[0] << 8 | d[1]));
		return 0;
	case PPP_ECHOREQ:
		if (len < 4)
			return -EPROTO;
		if (!open)
			return 0; /* RFC 1661 §5.8: silently discarded outside Opened */
		/* RXR: ser/9; with our Magic-Number, or 0 if it was not negotiated */
		put32(magic, p->neg_magic ? p->magic : 0);
		room = p->peer_mru > 8 ? (size_t)p->peer_mru - 8 : 0;
		{
			uint8_t buf[PPP_PKT_MAX];
			size_t n = len - 4 < room ? len - 4 : room;

			if (n > sizeof(buf) - 4)
				n = sizeof(buf) - 4;
			memcpy(buf, magic, 4);
			memcpy(buf + 4, d + 4, n);
			ppp_send_ctrl(p, L2TP_PPP_LCP, PPP_ECHOREP, id, buf, n + 4);
		}
		return 0;
	case PPP_ECHOREP:
		if (len < 4)
			return -EPROTO;
		if (open) {
			p->echo_unanswered = 0;
			p->stats.echo_rx++;
		}
		return 0;
	case PPP_DISCREQ: /* RFC 1661 §5.9 */
	case PPP_IDENT: /* RFC 1570 §2.1: informational */
	case PPP_TIMEREM: /* RFC 1570 §2.2 */
		return 0;
	default:
		return -ENOENT;
	}
}

static bool lcp_code_rej_ok(struct ppp_fsm *f, uint8_t code)
{
	/* Echo, Discard, Identification, Time-Remaining are optional extras */
	if (code == PPP_ECHOREQ) {
		f->p->echo_rejected = true;
		f->p->echo_deadline = L2TP_TIME_NEVER;
	}
	if (code < PPP_ECHOREQ)
		ppp_set_down(f->p, L2TP_PPP_DOWN_REJECTED, "the peer rejected an LCP code");
	return code >= PPP_ECHOREQ;
}

void ppp_lcp_echo_timeout(struct l2tp_ppp *p)
{
	uint8_t m[4];

	if (p->echo_deadline > p->now)
		return;
	if (p->lcp.state != L2TP_PPP_OPENED || p->echo_rejected) {
		p->echo_deadline = L2TP_TIME_NEVER;
		return;
	}
	if (p->echo_unanswered >= p->cfg.echo_failures) {
		p->echo_deadline = L2TP_TIME_NEVER;
		ppp_log(p, L2TP_LOG_WARN, "ppp lcp: %u Echo-Requests unanswered",
			p->echo_unanswered);
		ppp_link_close(p, L2TP_PPP_DOWN_ECHO, "the peer stopped answering Echo-Requests");
		return;
	}
	put32(m, p->neg_magic ? p->magic : 0);
	ppp_send_ctrl(p, L2TP_PPP_LCP, PPP_ECHOREQ, p->echo_id++, m, sizeof(m));
	p->echo_unanswered++;
	p->stats.echo_tx++;
	p->echo_deadline = p->now + p->cfg.echo_interval;
}

const struct ppp_fsm_ops ppp_lcp_ops = {
    .proto = L2TP_PPP_LCP,
    .name = "lcp",
    .reset = lcp_reset,
    .build_req = lcp_build_req,
    .recv_req = lcp_recv_req,
    .recv_nak = lcp_recv_nak,
    .recv_rej = lcp_recv_rej,
    .tlu = lcp_tlu,
    .tld = lcp_tld,
    .tlf = lcp_tlf,
    .ext_code = lcp_ext_code,
    .code_rej_ok = lcp_code_rej_ok,
    .moved = lcp_moved,
};
