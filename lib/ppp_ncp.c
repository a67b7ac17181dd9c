// SPDX-License-Identifier: MIT
/*
 * ppp_ncp.c - the two Network Control Protocols: IPCP (RFC 1332, with the
 * DNS options of RFC 1877) and IPV6CP (RFC 5072). Both run on the
 * automaton of lib/ppp_fsm.c once the link is in the Network phase.
 */
#include "ppp_internal.h"

enum {
	IPCP_ADDRS = 1, /* IP-Addresses, deprecated (RFC 1332 §3.1): rejected */
	IPCP_COMP = 2, /* IP-Compression-Protocol (Van Jacobson): rejected */
	IPCP_ADDR = 3,
	IPCP_DNS1 = 129, /* RFC 1877 §1.1 */
	IPCP_DNS2 = 131, /* RFC 1877 §1.3 */
};

enum {
	IPV6CP_IFID = 1,
	IPV6CP_COMP = 2, /* IPv6-Compression-Protocol: rejected */
};

static const uint8_t zero[8];

/* ---- IPCP ---------------------------------------------------------------------- */

static void ipcp_reset(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;

	p->neg_addr = true;
	memcpy(p->ip.local, p->cfg.local_ip, 4);
	memcpy(p->ip.peer, p->cfg.peer_ip, 4);
	memset(p->ip.dns, 0, sizeof(p->ip.dns));
	p->neg_dns[0] = p->neg_dns[1] = p->cfg.request_dns;
	p->peer_ip_fixed = memcmp(p->cfg.peer_ip, zero, 4) != 0;
	p->assign_tried = false;
}

static int ipcp_build_req(struct ppp_fsm *f, struct l2tp_cursor *c)
{
	struct l2tp_ppp *p = f->p;

	/* 0.0.0.0 asks the peer for an address (RFC 1332 §3.3) */
	if (p->neg_addr)
		L2TP_TRY(ppp_put_opt(c, IPCP_ADDR, p->ip.local, 4));
	if (p->neg_dns[0])
		L2TP_TRY(ppp_put_opt(c, IPCP_DNS1, p->ip.dns[0], 4));
	if (p->neg_dns[1])
		L2TP_TRY(ppp_put_opt(c, IPCP_DNS2, p->ip.dns[1], 4));
	return 0;
}

/* The address the peer is to have, from the configuration or assign_ip. */
static bool peer_addr(struct l2tp_ppp *p, const uint8_t asked[4])
{
	uint8_t a[4];

	if (!p->peer_ip_fixed && !p->assign_tried && p->cb.assign_ip) {
		p->assign_tried = true;
		if (p->cb.assign_ip(p->user, p, asked, a) == 0 && memcmp(a, zero, 4)) {
			memcpy(p->ip.peer, a, 4);
			p->peer_ip_fixed = true;
		}
	}
	return p->peer_ip_fixed;
}

static int ipcp_recv_req(struct ppp_fsm *f, const uint8_t *opt, size_t len, struct l2tp_cursor *rep,
			 bool no_nak)
{
	struct l2tp_ppp *p = f->p;
	bool seen_addr = false;
	struct l2tp_cursor c;
	struct ppp_cr cr;
	const uint8_t *v;
	uint8_t type, vlen;
	int rc;

	ppp_cr_init(&cr);
	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0) {
		const uint8_t *nak = NULL;
		bool rej = false;

		switch (type) {
		case IPCP_ADDR:
			if (vlen != 4) {
				rej = true;
				break;
			}
			seen_addr = true;
			if (peer_addr(p, v)) {
				/* RFC 1332 §3.3: Nak with the address the peer should use */
				if (memcmp(v, p->ip.peer, 4))
					nak = p->ip.peer;
			} else if (!memcmp(v, zero, 4)) {
				rej = true; /* it wants an address and we have none to give */
			} else {
				memcpy(p->ip.peer, v, 4);
			}
			break;
		case IPCP_DNS1:
		case IPCP_DNS2: {
			const uint8_t *ours = p->cfg.dns[type == IPCP_DNS2];

			if (vlen != 4 || !memcmp(ours, zero, 4))
				rej = true;
			else if (memcmp(v, ours, 4))
				nak = ours;
			break;
		}
		default: /* IP-Addresses, IP-Compression-Protocol, others */
			rej = true;
			break;
		}
		if (nak && no_nak)
			rej = true;
		if (rej)
			L2TP_TRY(ppp_put_opt(&cr.r, type, v, vlen));
		else if (nak)
			L2TP_TRY(ppp_put_opt(&cr.n, type, nak, 4));
	}
	if (rc < 0)
		return rc;
	/* a peer that asks nothing is told which address it has (RFC 1661 §5.3) */
	if (!seen_addr && !no_nak && peer_addr(p, zero))
		L2TP_TRY(ppp_put_opt(&cr.n, IPCP_ADDR, p->ip.peer, 4));
	return ppp_cr_finish(&cr, opt, len, rep);
}

static int ipcp_recv_nak(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_ppp *p = f->p;
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;
	int rc;

	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0) {
		if (vlen != 4)
			continue;
		switch (type) {
		case IPCP_ADDR:
			/* take the address we are given unless one is configured */
			if (memcmp(v, zero, 4) && !memcmp(p->cfg.local_ip, zero, 4)) {
				memcpy(p->ip.local, v, 4);
				p->neg_addr = true;
			}
			break;
		case IPCP_DNS1:
		case IPCP_DNS2:
			if (p->neg_dns[type == IPCP_DNS2])
				memcpy(p->ip.dns[type == IPCP_DNS2], v, 4);
			break;
		default:
			break;
		}
	}
	return rc;
}

static int ipcp_recv_rej(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_ppp *p = f->p;
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;

	L2TP_TRY(ppp_check_rej(f, opt, len));
	l2tp_cur_init(&c, opt, len);
	while (ppp_opt_next(&c, &type, &v, &vlen) > 0) {
		if (type == IPCP_ADDR && !memcmp(p->ip.local, zero, 4)) {
			/* we have no address and the peer will give none: IPCP cannot work */
			ppp_log(p, L2TP_LOG_WARN, "ppp ipcp: the peer gives us no address");
			ppp_fsm_event(f, PPP_EV_CLOSE);
			return 0;
		}
		if (type == IPCP_ADDR)
			p->neg_addr = false;
		else if (type == IPCP_DNS1 || type == IPCP_DNS2)
			p->neg_dns[type == IPCP_DNS2] = false;
	}
	return 0;
}

static void ipcp_tlu(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;
	const uint8_t *l = p->ip.local, *r = p->ip.peer;

	ppp_log(p, L2TP_LOG_INFO, "ppp ipcp: up, local %u.%u.%u.%u peer %u.%u.%u.%u", l[0], l[1],
		l[2], l[3], r[0], r[1], r[2], r[3]);
	if (p->cb.ipcp_up)
		p->cb.ipcp_up(p->user, p, &p->ip);
}

static void ipcp_tld(struct ppp_fsm *f)
{
	if (f->p->cb.ipcp_down)
		f->p->cb.ipcp_down(f->p->user, f->p);
}

static void ncp_tlf(struct ppp_fsm *f)
{
	ppp_log(f->p, L2TP_LOG_INFO, "ppp %s: finished", f->ops->name);
	ppp_ncp_finished(f->p);
}

static bool ncp_code_rej_ok(struct ppp_fsm *f, uint8_t code)
{
	return code > PPP_CODEREJ; /* NCPs use nothing beyond codes 1-7 */
}

const struct ppp_fsm_ops ppp_ipcp_ops = {
    .proto = L2TP_PPP_IPCP,
    .name = "ipcp",
    .reset = ipcp_reset,
    .build_req = ipcp_build_req,
    .recv_req = ipcp_recv_req,
    .recv_nak = ipcp_recv_nak,
    .recv_rej = ipcp_recv_rej,
    .tlu = ipcp_tlu,
    .tld = ipcp_tld,
    .tlf = ncp_tlf,
    .code_rej_ok = ncp_code_rej_ok,
};

/* ---- IPV6CP -------------------------------------------------------------------- */

/* A random non-zero interface identifier other than |avoid| (RFC 5072 §4.1). */
static void new_ifid(struct l2tp_ppp *p, uint8_t out[8], const uint8_t avoid[8])
{
	for (int i = 0; i < 16; i++) {
		if (ppp_rand(p, out, 8) < 0)
			break;
		if (memcmp(out, zero, 8) && memcmp(out, avoid, 8))
			return;
	}
	/* the rand callback failed or kept colliding: derive one */
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(avoid[i] ^ (0x5a + i));
}

static void ipv6cp_reset(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;

	p->neg_ifid = true;
	memset(p->ip6.peer, 0, 8);
	if (memcmp(p->cfg.ifid, zero, 8))
		memcpy(p->ip6.local, p->cfg.ifid, 8);
	else
		new_ifid(p, p->ip6.local, zero);
}

static int ipv6cp_build_req(struct ppp_fsm *f, struct l2tp_cursor *c)
{
	if (f->p->neg_ifid)
		L2TP_TRY(ppp_put_opt(c, IPV6CP_IFID, f->p->ip6.local, 8));
	return 0;
}

static int ipv6cp_recv_req(struct ppp_fsm *f, const uint8_t *opt, size_t len,
			   struct l2tp_cursor *rep, bool no_nak)
{
	struct l2tp_ppp *p = f->p;
	struct l2tp_cursor c;
	struct ppp_cr cr;
	const uint8_t *v;
	uint8_t type, vlen, sug[8];
	int rc;

	ppp_cr_init(&cr);
	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0) {
		bool rej = false, nak = false;

		if (type != IPV6CP_IFID || vlen != 8) {
			rej = true;
		} else if (!memcmp(v, zero, 8) && !memcmp(p->ip6.local, zero, 8)) {
			rej = true; /* RFC 5072 §4.1: both zero, no unique identifier possible */
		} else if (!memcmp(v, zero, 8) || !memcmp(v, p->ip6.local, 8)) {
			/* zero, or the same as ours: suggest another, different from ours */
			new_ifid(p, sug, p->ip6.local);
			nak = true;
		} else {
			memcpy(p->ip6.peer, v, 8);
		}
		if (nak && no_nak)
			rej = true;
		if (rej)
			L2TP_TRY(ppp_put_opt(&cr.r, type, v, vlen));
		else if (nak)
			L2TP_TRY(ppp_put_opt(&cr.n, type, sug, 8));
	}
	if (rc < 0)
		return rc;
	return ppp_cr_finish(&cr, opt, len, rep);
}

static int ipv6cp_recv_nak(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_ppp *p = f->p;
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;
	int rc;

	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0) {
		if (type != IPV6CP_IFID || vlen != 8)
			continue;
		/* take the suggestion unless it is zero or the peer's own; else a new one */
		if (memcmp(v, zero, 8) && memcmp(v, p->ip6.peer, 8))
			memcpy(p->ip6.local, v, 8);
		else
			new_ifid(p, p->ip6.local, p->ip6.peer);
		p->neg_ifid = true;
	}
	return rc;
}

static int ipv6cp_recv_rej(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;

	L2TP_TRY(ppp_check_rej(f, opt, len));
	l2tp_cur_init(&c, opt, len);
	while (ppp_opt_next(&c, &type, &v, &vlen) > 0)
		if (type == IPV6CP_IFID)
			f->p->neg_ifid = false;
	return 0;
}

static void ipv6cp_tlu(struct ppp_fsm *f)
{
	struct l2tp_ppp *p = f->p;

	ppp_log(p, L2TP_LOG_INFO, "ppp ipv6cp: up");
	if (p->cb.ipv6cp_up)
		p->cb.ipv6cp_up(p->user, p, &p->ip6);
}

static void ipv6cp_tld(struct ppp_fsm *f)
{
	if (f->p->cb.ipv6cp_down)
		f->p->cb.ipv6cp_down(f->p->user, f->p);
}

const struct ppp_fsm_ops ppp_ipv6cp_ops = {
    .proto = L2TP_PPP_IPV6CP,
    .name = "ipv6cp",
    .reset = ipv6cp_reset,
    .build_req = ipv6cp_build_req,
    .recv_req = ipv6cp_recv_req,
    .recv_nak = ipv6cp_recv_nak,
    .recv_rej = ipv6cp_recv_rej,
    .tlu = ipv6cp_tlu,
    .tld = ipv6cp_tld,
    .tlf = ncp_tlf,
    .code_rej_ok = ncp_code_rej_ok,
};
