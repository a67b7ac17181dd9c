// SPDX-License-Identifier: MIT
/*
 * ppp.c - the PPP endpoint: frames in and out (RFC 1661 §2, §6.5-6.6: the
 * Protocol field, compressed or not; Address and Control), dispatch by
 * protocol and phase (§3), the output queue, timers, IP packets, and the
 * glue between LCP, authentication and the NCPs.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h" /* l2tp_mem_zalloc/free */
#include "ppp_internal.h"

/* ---- helpers ------------------------------------------------------------------ */

void ppp_log(struct l2tp_ppp *p, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!p->cb.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->cb.log(p->user, level, line);
}

int ppp_rand(struct l2tp_ppp *p, void *buf, size_t len)
{
	int rc = p->cb.rand(p->user, buf, len);

	return rc < 0 ? rc : 0;
}

/* ---- output queue ------------------------------------------------------------------ */

int ppp_queue(struct l2tp_ppp *p, uint16_t proto, const uint8_t *a, size_t alen, const uint8_t *b,
	      size_t blen)
{
	bool open = p->lcp.state == L2TP_PPP_OPENED;
	uint8_t hdr[L2TP_PPP_HDR_MAX];
	size_t hlen = 0, total;
	uint8_t *w;

	/*
	 * LCP always goes with Address/Control and a 2-octet Protocol field
	 * (RFC 1661 §6.5, §6.6); the rest only as the peer's LCP options allow.
	 */
	if (!(open && p->peer_acfc && proto != L2TP_PPP_LCP)) {
		hdr[hlen++] = 0xff;
		hdr[hlen++] = 0x03;
	}
	if (!(open && p->peer_pfc && proto < 0x100))
		hdr[hlen++] = (uint8_t)(proto >> 8);
	hdr[hlen++] = (uint8_t)proto;
	total = hlen + alen + blen;
	if (total > 0xffff)
		return -EMSGSIZE;
	if (p->q_cap - p->q_wr < total + 2 && p->q_rd) {
		memmove(p->q, p->q + p->q_rd, p->q_wr - p->q_rd);
		p->q_wr -= p->q_rd;
		p->q_rd = 0;
	}
	if (p->q_cap - p->q_wr < total + 2) {
		p->stats.tx_dropped++;
		return -ENOBUFS;
	}
	w = p->q + p->q_wr;
	w[0] = (uint8_t)(total >> 8);
	w[1] = (uint8_t)total;
	memcpy(w + 2, hdr, hlen);
	if (alen)
		memcpy(w + 2 + hlen, a, alen);
	if (blen)
		memcpy(w + 2 + hlen + alen, b, blen);
	p->q_wr += total + 2;
	return 0;
}

ssize_t l2tp_ppp_write_frame(struct l2tp_ppp *p, uint8_t *out, size_t cap, l2tp_time_t now)
{
	size_t len;

	if (!p || !out)
		return -EINVAL;
	if (p->q_rd == p->q_wr)
		return 0;
	len = (size_t)(p->q[p->q_rd] << 8 | p->q[p->q_rd + 1]);
	if (len > cap)
		return -ENOSPC;
	memcpy(out, p->q + p->q_rd + 2, len);
	p->q_rd += len + 2;
	if (p->q_rd == p->q_wr)
		p->q_rd = p->q_wr = 0;
	p->stats.tx_frames++;
	p->stats.tx_bytes += len;
	return (ssize_t)len;
}

/* ---- phases and the glue ------------------------------------------------------ */

void ppp_set_phase(struct l2tp_ppp *p, enum l2tp_ppp_phase ph)
{
	uint8_t old = p->phase;

	if (old == ph)
		return;
	p->phase = (uint8_t)ph;
	ppp_log(p, L2TP_LOG_INFO, "ppp: phase %s -> %s", l2tp_ppp_phase_name(old),
		l2tp_ppp_phase_name(ph));
	if (old == L2TP_PPP_DEAD) {
		p->down = (struct l2tp_ppp_down){0};
		p->down_reported = false;
	}
	if (p->cb.phase)
		p->cb.phase(p->user, p, ph);
	if (ph == L2TP_PPP_DEAD && !p->down_reported) {
		p->down_reported = true;
		if (!p->down.why)
			ppp_set_down(p, L2TP_PPP_DOWN_TIMEOUT, "LCP finished");
		ppp_log(p, L2TP_LOG_INFO, "ppp: link down: %s", p->down.msg);
		if (p->cb.link_down)
			p->cb.link_down(p->user, p, &p->down);
	}
}

void ppp_set_down(struct l2tp_ppp *p, enum l2tp_ppp_down_why why, const char *msg)
{
	if (p->down.why)
		return;
	p->down.why = why;
	p->down.msg = msg;
}

void ppp_link_close(struct l2tp_ppp *p, enum l2tp_ppp_down_why why, const char *msg)
{
	ppp_set_down(p, why, msg);
	p->admin_open = false;
	ppp_fsm_event(&p->lcp, PPP_EV_CLOSE);
}

void ppp_link_close_later(struct l2tp_ppp *p, enum l2tp_ppp_down_why why, const char *msg)
{
	if (!p->close_why) {
		p->close_why = why;
		p->close_msg = msg;
	}
}

static void run_deferred(struct l2tp_ppp *p)
{
	enum l2tp_ppp_down_why why = p->close_why;

	if (!why)
		return;
	p->close_why = L2TP_PPP_DOWN_NONE;
	ppp_link_close(p, why, p->close_msg);
}

void ppp_auth_done(struct l2tp_ppp *p)
{
	ppp_set_phase(p, L2TP_PPP_NETWORK);
	if (!p->cfg.no_ipcp) {
		ppp_fsm_event(&p->ipcp, PPP_EV_OPEN);
		ppp_fsm_event(&p->ipcp, PPP_EV_UP);
	}
	if (!p->cfg.no_ipv6cp && p->lcp.state == L2TP_PPP_OPENED) {
		ppp_fsm_event(&p->ipv6cp, PPP_EV_OPEN);
		ppp_fsm_event(&p->ipv6cp, PPP_EV_UP);
	}
}

void ppp_ncp_finished(struct l2tp_ppp *p)
{
	bool alive = false;

	if (!p->cfg.no_ipcp && p->ipcp.state > L2TP_PPP_STOPPED)
		alive = true;
	if (!p->cfg.no_ipv6cp && p->ipv6cp.state > L2TP_PPP_STOPPED)
		alive = true;
	if (!alive && p->lcp.state == L2TP_PPP_OPENED)
		ppp_link_close(p, L2TP_PPP_DOWN_NO_NCP, "no network protocol is left");
}

void ppp_protocol_reject(struct l2tp_ppp *p, uint16_t proto, const uint8_t *info, size_t len)
{
	uint8_t buf[PPP_PKT_MAX];
	size_t room = p->peer_mru > 6 ? (size_t)p->peer_mru - 6 : 0;

	/* RFC 1661 §5.7: only in Opened; the information truncated to the MRU */
	if (p->lcp.state != L2TP_PPP_OPENED)
		return;
	if (room > sizeof(buf) - 2)
		room = sizeof(buf) - 2;
	if (len > room)
		len = room;
	buf[0] = (uint8_t)(proto >> 8);
	buf[1] = (uint8_t)proto;
	if (len)
		memcpy(buf + 2, info, len);
	p->stats.rx_proto_rejected++;
	ppp_send_ctrl(p, L2TP_PPP_LCP, PPP_PROTREJ, p->extra_id++, buf, len + 2);
}

/* ---- life ---------------------------------------------------------------------- */

int l2tp_ppp_new(struct l2tp_ppp **out, const struct l2tp_ppp_callbacks *cb,
		 const struct l2tp_ppp_cfg *cfg, const struct l2tp_mem *mem, void *user)
{
	static const struct l2tp_mem none;
	struct l2tp_ppp_cfg c = {0};
	struct l2tp_ppp *p;
	const char *name;

	if (!out || !cb || !cb->rand)
		return -EINVAL;
	if (cfg)
		c = *cfg;
	if (!mem)
		mem = &none;
	name = c.name ? c.name : "l2tpkit";
	if (strlen(name) > PPP_NAME_MAX || c.secret_len > PPP_NAME_MAX || (c.mru && c.mru < 128) ||
	    (!c.secret && c.secret_len))
		return -EINVAL;
	if (!c.mru)
		c.mru = L2TP_PPP_MRU_DEFAULT;
	if (!c.restart)
		c.restart = 3 * L2TP_SEC;
	if (!c.max_terminate)
		c.max_terminate = 2;
	if (!c.max_configure)
		c.max_configure = 10;
	if (!c.max_failure)
		c.max_failure = 5;
	if (!c.echo_failures)
		c.echo_failures = 3;
	if (!c.auth_timeout)
		c.auth_timeout = 30 * L2TP_SEC;
	if (!c.queue_bytes)
		c.queue_bytes = 32 * 1024;
	if (c.queue_bytes < 2 * (L2TP_PPP_MRU_DEFAULT + L2TP_PPP_HDR_MAX + 2))
		c.queue_bytes = 2 * (L2TP_PPP_MRU_DEFAULT + L2TP_PPP_HDR_MAX + 2);
	c.require_auth &= L2TP_PPP_AUTH_PAP | L2TP_PPP_AUTH_CHAP;

	p = l2tp_mem_zalloc(mem, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->q = l2tp_mem_zalloc(mem, c.queue_bytes);
	if (!p->q) {
		l2tp_mem_free(mem, p);
		return -ENOMEM;
	}
	p->q_cap = c.queue_bytes;
	p->mem = *mem;
	p->cb = *cb;
	p->user = user;
	p->name_len = (uint8_t)strlen(name);
	memcpy(p->name, name, p->name_len);
	if (c.secret) {
		p->have_secret = true;
		p->secret_len = (uint8_t)c.secret_len;
		if (c.secret_len)
			memcpy(p->secret, c.secret, c.secret_len);
	}
	c.name = p->name;
	c.secret = NULL;
	p->cfg = c;
	p->peer_mru = L2TP_PPP_MRU_DEFAULT;
	p->echo_deadline = L2TP_TIME_NEVER;
	p->srv.deadline = p->cli.deadline = L2TP_TIME_NEVER;
	ppp_fsm_init(&p->lcp, p, &ppp_lcp_ops);
	ppp_fsm_init(&p->ipcp, p, &ppp_ipcp_ops);
	ppp_fsm_init(&p->ipv6cp, p, &ppp_ipv6cp_ops);
	*out = p;
	return 0;
}

void l2tp_ppp_free(struct l2tp_ppp *p)
{
	struct l2tp_mem m;

	if (!p)
		return;
	m = p->mem;
	memset(p->secret, 0, sizeof(p->secret));
	l2tp_mem_free(&m, p->q);
	l2tp_mem_free(&m, p);
}

void l2tp_ppp_open(struct l2tp_ppp *p, l2tp_time_t now)
{
	p->now = now;
	p->admin_open = true;
	ppp_fsm_event(&p->lcp, PPP_EV_OPEN);
}

void l2tp_ppp_close(struct l2tp_ppp *p, l2tp_time_t now)
{
	p->now = now;
	ppp_link_close(p, L2TP_PPP_DOWN_ADMIN, "closed by request");
}

void l2tp_ppp_lower_up(struct l2tp_ppp *p, l2tp_time_t now)
{
	p->now = now;
	if (p->lower_up)
		return;
	p->lower_up = true;
	ppp_fsm_event(&p->lcp, PPP_EV_UP);
}

void l2tp_ppp_lower_down(struct l2tp_ppp *p, l2tp_time_t now)
{
	p->now = now;
	if (!p->lower_up)
		return;
	p->lower_up = false;
	ppp_set_down(p, L2TP_PPP_DOWN_LOWER, "lower layer down");
	ppp_fsm_event(&p->lcp, PPP_EV_DOWN);
	/* Down in Closed/Stopped/Closing... reaches Initial/Starting: Dead */
	if (p->lcp.state <= L2TP_PPP_STARTING)
		ppp_set_phase(p, L2TP_PPP_DEAD);
}

/* ---- input -------------------------------------------------------------------- */

static int ncp_input(struct l2tp_ppp *p, struct ppp_fsm *f, bool disabled, const uint8_t *frame,
		     const uint8_t *pkt, size_t len)
{
	if (disabled) {
		ppp_protocol_reject(p, f->ops->proto, pkt, len);
		return 0;
	}
	/* NCP packets before the Network phase are discarded (RFC 1661 §3.4-3.5) */
	if (p->phase != L2TP_PPP_NETWORK) {
		p->stats.rx_discarded++;
		return 0;
	}
	return ppp_fsm_input(f, pkt, len);
}

static int ip_input(struct l2tp_ppp *p, uint16_t proto, const uint8_t *pkt, size_t len)
{
	const struct ppp_fsm *f = proto == L2TP_PPP_IP ? &p->ipcp : &p->ipv6cp;
	bool disabled = proto == L2TP_PPP_IP ? p->cfg.no_ipcp : p->cfg.no_ipv6cp;

	if (disabled) {
		ppp_protocol_reject(p, proto, pkt, len);
		return 0;
	}
	if (f->state != L2TP_PPP_OPENED) {
		p->stats.rx_discarded++;
		return 0;
	}
	p->stats.rx_ip++;
	if (p->cb.recv_ip)
		p->cb.recv_ip(p->user, p, proto, pkt, len);
	return 0;
}

static int dispatch(struct l2tp_ppp *p, uint16_t proto, const uint8_t *frame, const uint8_t *pkt,
		    size_t len)
{
	if (proto == L2TP_PPP_LCP)
		return ppp_fsm_input(&p->lcp, pkt, len);
	/* everything else waits for LCP (RFC 1661 §3.3) */
	if (p->lcp.state != L2TP_PPP_OPENED) {
		p->stats.rx_discarded++;
		return 0;
	}
	switch (proto) {
	case L2TP_PPP_PAP:
		return ppp_pap_input(p, pkt, len);
	case L2TP_PPP_CHAP:
		return ppp_chap_input(p, pkt, len);
	default:
		break;
	}
	/* only LCP and authentication while authenticating (RFC 1661 §3.5) */
	if (p->phase != L2TP_PPP_NETWORK) {
		p->stats.rx_discarded++;
		return 0;
	}
	switch (proto) {
	case L2TP_PPP_IPCP:
		return ncp_input(p, &p->ipcp, p->cfg.no_ipcp, frame, pkt, len);
	case L2TP_PPP_IPV6CP:
		return ncp_input(p, &p->ipv6cp, p->cfg.no_ipv6cp, frame, pkt, len);
	case L2TP_PPP_IP:
	case L2TP_PPP_IPV6:
		return ip_input(p, proto, pkt, len);
	default:
		ppp_log(p, L2TP_LOG_DEBUG, "ppp: Protocol-Reject of protocol 0x%04x", proto);
		ppp_protocol_reject(p, proto, pkt, len);
		return 0;
	}
}

int l2tp_ppp_handle_frame(struct l2tp_ppp *p, const uint8_t *frame, size_t len, l2tp_time_t now)
{
	struct l2tp_cursor c;
	uint16_t proto;
	uint8_t b;
	int rc;

	if (!p || (!frame && len))
		return -EINVAL;
	p->now = now;
	p->stats.rx_frames++;
	p->stats.rx_bytes += len;
	l2tp_cur_init(&c, frame, len);
	/* Address and Control, unless compressed away (RFC 1662 §3.2, RFC 1661 §6.6) */
	if (len >= 2 && frame[0] == 0xff) {
		if (frame[1] != 0x03)
			goto bad;
		c.pos = 2;
	}
	/* Protocol: odd last octet; an odd first octet means PFC (RFC 1661 §2, §6.5) */
	if (l2tp_cur_get_u8(&c, &b) < 0)
		goto bad;
	proto = b;
	if (!(b & 1)) {
		if (l2tp_cur_get_u8(&c, &b) < 0 || !(b & 1))
			goto bad;
		proto = (uint16_t)(proto << 8 | b);
	}
	rc = dispatch(p, proto, frame, l2tp_cur_ptr(&c), l2tp_cur_left(&c));
	run_deferred(p);
	if (rc == -EPROTO)
		goto bad;
	return rc < 0 ? rc : 0;
bad:
	p->stats.rx_malformed++;
	return -EPROTO;
}

int l2tp_ppp_send_ip(struct l2tp_ppp *p, const uint8_t *pkt, size_t len)
{
	uint16_t proto;
	const struct ppp_fsm *f;

	if (!p || !pkt || !len)
		return -EINVAL;
	switch (pkt[0] >> 4) {
	case 4:
		proto = L2TP_PPP_IP;
		f = &p->ipcp;
		break;
	case 6:
		proto = L2TP_PPP_IPV6;
		f = &p->ipv6cp;
		break;
	default:
		return -EINVAL;
	}
	if (f->state != L2TP_PPP_OPENED || p->lcp.state != L2TP_PPP_OPENED)
		return -ENOTCONN;
	if (len > p->peer_mru)
		return -EMSGSIZE;
	L2TP_TRY(ppp_queue(p, proto, pkt, len, NULL, 0));
	p->stats.tx_ip++;
	return 0;
}

/* ---- timers -------------------------------------------------------------------- */

static l2tp_time_t tmin(l2tp_time_t a, l2tp_time_t b)
{
	return a < b ? a : b;
}

l2tp_time_t l2tp_ppp_next_deadline(const struct l2tp_ppp *p)
{
	l2tp_time_t t = tmin(p->lcp.deadline, tmin(p->ipcp.deadline, p->ipv6cp.deadline));

	return tmin(t, tmin(p->echo_deadline, ppp_auth_deadline(p)));
}

void l2tp_ppp_on_timeout(struct l2tp_ppp *p, l2tp_time_t now)
{
	p->now = now;
	ppp_fsm_timeout(&p->lcp);
	ppp_fsm_timeout(&p->ipcp);
	ppp_fsm_timeout(&p->ipv6cp);
	ppp_lcp_echo_timeout(p);
	ppp_auth_timeout(p);
	run_deferred(p);
}

/* ---- accessors ----------------------------------------------------------------- */

enum l2tp_ppp_phase l2tp_ppp_phase(const struct l2tp_ppp *p)
{
	return (enum l2tp_ppp_phase)p->phase;
}

enum l2tp_ppp_state l2tp_ppp_state(const struct l2tp_ppp *p, uint16_t proto)
{
	switch (proto) {
	case L2TP_PPP_LCP:
		return (enum l2tp_ppp_state)p->lcp.state;
	case L2TP_PPP_IPCP:
		return (enum l2tp_ppp_state)p->ipcp.state;
	case L2TP_PPP_IPV6CP:
		return (enum l2tp_ppp_state)p->ipv6cp.state;
	default:
		return L2TP_PPP_INITIAL;
	}
}

const struct l2tp_ppp_stats *l2tp_ppp_stats(const struct l2tp_ppp *p)
{
	return &p->stats;
}

const struct l2tp_ppp_down *l2tp_ppp_down_reason(const struct l2tp_ppp *p)
{
	return &p->down;
}

const struct l2tp_ppp_ipcp *l2tp_ppp_ipcp(const struct l2tp_ppp *p)
{
	return &p->ip;
}

const struct l2tp_ppp_ipv6cp *l2tp_ppp_ipv6cp(const struct l2tp_ppp *p)
{
	return &p->ip6;
}

uint16_t l2tp_ppp_peer_mru(const struct l2tp_ppp *p)
{
	return p->peer_mru;
}

const char *l2tp_ppp_peer_name(const struct l2tp_ppp *p)
{
	return p->peer_name;
}

void *l2tp_ppp_user(const struct l2tp_ppp *p)
{
	return p->user;
}

const char *l2tp_ppp_phase_name(enum l2tp_ppp_phase ph)
{
	static const char *const n[] = {"dead", "establish", "authenticate", "network",
					"terminate"};

	return (unsigned)ph < L2TP_ARRAY_SIZE(n) ? n[ph] : "?";
}

const char *l2tp_ppp_state_name(enum l2tp_ppp_state st)
{
	static const char *const n[] = {"initial",  "starting", "closed",   "stopped",	"closing",
					"stopping", "req-sent", "ack-rcvd", "ack-sent", "opened"};

	return (unsigned)st < L2TP_ARRAY_SIZE(n) ? n[st] : "?";
}

const char *l2tp_ppp_proto_name(uint16_t proto)
{
	switch (proto) {
	case L2TP_PPP_IP:
		return "ip";
	case L2TP_PPP_IPV6:
		return "ipv6";
	case L2TP_PPP_IPCP:
		return "ipcp";
	case L2TP_PPP_IPV6CP:
		return "ipv6cp";
	case L2TP_PPP_LCP:
		return "lcp";
	case L2TP_PPP_PAP:
		return "pap";
	case L2TP_PPP_CHAP:
		return "chap";
	default:
		return "?";
	}
}
