// SPDX-License-Identifier: MIT
/*
 * ppp_fsm.c - the option negotiation automaton of RFC 1661 §4, shared by
 * LCP, IPCP and IPV6CP: the state transition table of §4.1 as data, the
 * actions of §4.4, the restart timer and counters of §4.6, and the parsing
 * of the packets every control protocol has in common (codes 1-7, §5.1-5.7).
 */
#include "ppp_internal.h"

/* Actions, RFC 1661 §4.4, in the order they run within one transition. */
enum {
	A_TLD = 1 << 0, /* This-Layer-Down */
	A_IRC = 1 << 1, /* Initialize-Restart-Count */
	A_ZRC = 1 << 2, /* Zero-Restart-Count */
	A_SCR = 1 << 3, /* Send-Configure-Request */
	A_SCA = 1 << 4, /* Send-Configure-Ack */
	A_SCN = 1 << 5, /* Send-Configure-Nak/Rej */
	A_STR = 1 << 6, /* Send-Terminate-Request */
	A_STA = 1 << 7, /* Send-Terminate-Ack */
	A_SCJ = 1 << 8, /* Send-Code-Reject */
	A_SER = 1 << 9, /* Send-Echo-Reply: LCP answers Echo-Requests itself (ppp_lcp.c) */
	A_TLU = 1 << 10, /* This-Layer-Up */
	A_TLS = 1 << 11, /* This-Layer-Started */
	A_TLF = 1 << 12, /* This-Layer-Finished */
};

struct cell {
	uint16_t act;
	int8_t next; /* -1: the RFC's '-', an event that cannot happen here */
};

#define X                                                                                          \
	{                                                                                          \
		0, -1                                                                              \
	}
#define C(a, n)                                                                                    \
	{                                                                                          \
		(a), (n)                                                                           \
	}

/*
 * RFC 1661 §4.1, row for row. Columns: 0 Initial, 1 Starting, 2 Closed,
 * 3 Stopped, 4 Closing, 5 Stopping, 6 Req-Sent, 7 Ack-Rcvd, 8 Ack-Sent,
 * 9 Opened. The "r" (restart) options of Open in 3, 5 and 9 are not taken;
 * neither is "p" (passive): TO- in 6-8 finishes the layer.
 */
/* clang-format off */
static const struct cell table[PPP_EV_COUNT][10] = {
[PPP_EV_UP] =        {C(0, 2), C(A_IRC | A_SCR, 6), X, X, X, X, X, X, X, X},
[PPP_EV_DOWN] =      {X, X, C(0, 0), C(A_TLS, 1), C(0, 0), C(0, 1), C(0, 1), C(0, 1), C(0, 1),
		      C(A_TLD, 1)},
[PPP_EV_OPEN] =      {C(A_TLS, 1), C(0, 1), C(A_IRC | A_SCR, 6), C(0, 3), C(0, 5), C(0, 5),
		      C(0, 6), C(0, 7), C(0, 8), C(0, 9)},
[PPP_EV_CLOSE] =     {C(0, 0), C(A_TLF, 0), C(0, 2), C(0, 2), C(0, 4), C(0, 4),
		      C(A_IRC | A_STR, 4), C(A_IRC | A_STR, 4), C(A_IRC | A_STR, 4),
		      C(A_TLD | A_IRC | A_STR, 4)},
[PPP_EV_TO_PLUS] =   {X, X, X, X, C(A_STR, 4), C(A_STR, 5), C(A_SCR, 6), C(A_SCR, 6),
		      C(A_SCR, 8), X},
[PPP_EV_TO_MINUS] =  {X, X, X, X, C(A_TLF, 2), C(A_TLF, 3), C(A_TLF, 3), C(A_TLF, 3),
		      C(A_TLF, 3), X},
[PPP_EV_RCR_PLUS] =  {X, X, C(A_STA, 2), C(A_IRC | A_SCR | A_SCA, 8), C(0, 4), C(0, 5),
		      C(A_SCA, 8), C(A_SCA | A_TLU, 9), C(A_SCA, 8), C(A_TLD | A_SCR | A_SCA, 8)},
[PPP_EV_RCR_MINUS] = {X, X, C(A_STA, 2), C(A_IRC | A_SCR | A_SCN, 6), C(0, 4), C(0, 5),
		      C(A_SCN, 6), C(A_SCN, 7), C(A_SCN, 6), C(A_TLD | A_SCR | A_SCN, 6)},
[PPP_EV_RCA] =       {X, X, C(A_STA, 2), C(A_STA, 3), C(0, 4), C(0, 5), C(A_IRC, 7),
		      C(A_SCR, 6), C(A_IRC | A_TLU, 9), C(A_TLD | A_SCR, 6)},
[PPP_EV_RCN] =       {X, X, C(A_STA, 2), C(A_STA, 3), C(0, 4), C(0, 5), C(A_IRC | A_SCR, 6),
		      C(A_SCR, 6), C(A_IRC | A_SCR, 8), C(A_TLD | A_SCR, 6)},
[PPP_EV_RTR] =       {X, X, C(A_STA, 2), C(A_STA, 3), C(A_STA, 4), C(A_STA, 5), C(A_STA, 6),
		      C(A_STA, 6), C(A_STA, 6), C(A_TLD | A_ZRC | A_STA, 5)},
[PPP_EV_RTA] =       {X, X, C(0, 2), C(0, 3), C(A_TLF, 2), C(A_TLF, 3), C(0, 6), C(0, 6),
		      C(0, 8), C(A_TLD | A_SCR, 6)},
[PPP_EV_RUC] =       {X, X, C(A_SCJ, 2), C(A_SCJ, 3), C(A_SCJ, 4), C(A_SCJ, 5), C(A_SCJ, 6),
		      C(A_SCJ, 7), C(A_SCJ, 8), C(A_SCJ, 9)},
[PPP_EV_RXJ_PLUS] =  {X, X, C(0, 2), C(0, 3), C(0, 4), C(0, 5), C(0, 6), C(0, 6), C(0, 8),
		      C(0, 9)},
[PPP_EV_RXJ_MINUS] = {X, X, C(A_TLF, 2), C(A_TLF, 3), C(A_TLF, 2), C(A_TLF, 3), C(A_TLF, 3),
		      C(A_TLF, 3), C(A_TLF, 3), C(A_TLD | A_IRC | A_STR, 5)},
[PPP_EV_RXR] =       {X, X, C(0, 2), C(0, 3), C(0, 4), C(0, 5), C(0, 6), C(0, 7), C(0, 8),
		      C(A_SER, 9)},
};
/* clang-format on */

static const char *const ev_names[PPP_EV_COUNT] = {
    "Up",  "Down", "Open", "Close", "TO+", "TO-",  "RCR+", "RCR-",
    "RCA", "RCN",  "RTR",  "RTA",   "RUC", "RXJ+", "RXJ-", "RXR",
};

void ppp_fsm_init(struct ppp_fsm *f, struct l2tp_ppp *p, const struct ppp_fsm_ops *ops)
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->ops = ops;
	f->state = L2TP_PPP_INITIAL;
	f->deadline = L2TP_TIME_NEVER;
	f->next_id = 1;
}

int ppp_send_ctrl(struct l2tp_ppp *p, uint16_t proto, uint8_t code, uint8_t id, const void *data,
		  size_t len)
{
	uint8_t hdr[4];

	if (len > 0xffff - 4)
		return -EMSGSIZE;
	hdr[0] = code;
	hdr[1] = id;
	hdr[2] = (uint8_t)((len + 4) >> 8);
	hdr[3] = (uint8_t)(len + 4);
	return ppp_queue(p, proto, hdr, 4, data, len);
}

int ppp_opt_next(struct l2tp_cursor *c, uint8_t *type, const uint8_t **val, uint8_t *vlen)
{
	uint8_t len;

	if (!l2tp_cur_left(c))
		return 0;
	/* RFC 1661 §6: Type, Length (counting both), Data; Length < 2 is invalid */
	if (l2tp_cur_get_u8(c, type) < 0 || l2tp_cur_get_u8(c, &len) < 0 || len < 2)
		return -EPROTO;
	if (l2tp_cur_get_view(c, val, (size_t)len - 2) < 0)
		return -EPROTO;
	*vlen = (uint8_t)(len - 2);
	return 1;
}

/* The most a reply may carry: the peer's MRU less our 4-octet header. */
static size_t reply_room(const struct l2tp_ppp *p)
{
	return p->peer_mru > 4 ? (size_t)p->peer_mru - 4 : 0;
}

static void send_req(struct ppp_fsm *f)
{
	struct l2tp_cursor c;

	l2tp_cur_init(&c, f->req, sizeof(f->req));
	if (f->ops->build_req(f, &c) < 0) {
		ppp_log(f->p, L2TP_LOG_ERR, "ppp %s: Configure-Request does not fit", f->ops->name);
		c.pos = 0;
	}
	f->req_len = (uint8_t)c.pos;
	f->id = f->next_id++;
	f->req_pending = true;
	ppp_send_ctrl(f->p, f->ops->proto, PPP_CONFREQ, f->id, f->req, f->req_len);
}

static void send_term_req(struct ppp_fsm *f)
{
	ppp_send_ctrl(f->p, f->ops->proto, PPP_TERMREQ, f->next_id++, NULL, 0);
}

static void run_actions(struct ppp_fsm *f, uint16_t act)
{
	struct l2tp_ppp *p = f->p;
	const struct ppp_rx *rx = f->rx;

	if (act & A_TLD && f->ops->tld)
		f->ops->tld(f);
	if (act & A_IRC)
		f->restart_count = (act & A_STR) ? p->cfg.max_terminate : p->cfg.max_configure;
	if (act & A_ZRC) {
		/* one more restart period in Stopping, then TO- (RFC 1661 §4.4) */
		f->restart_count = 0;
		f->deadline = p->now + p->cfg.restart;
	}
	if (act & (A_SCR | A_STR)) {
		if (act & A_SCR)
			send_req(f);
		else
			send_term_req(f);
		if (f->restart_count)
			f->restart_count--;
		f->deadline = p->now + p->cfg.restart;
	}
	if (act & A_SCA && rx) {
		f->naks_sent = 0;
		ppp_send_ctrl(p, f->ops->proto, PPP_CONFACK, rx->id, rx->reply, rx->reply_len);
	}
	if (act & A_SCN && rx) {
		if (rx->reply_code == PPP_CONFNAK)
			f->naks_sent++;
		ppp_send_ctrl(p, f->ops->proto, rx->reply_code, rx->id, rx->reply, rx->reply_len);
	}
	if (act & A_STA)
		ppp_send_ctrl(p, f->ops->proto, PPP_TERMACK, rx ? rx->id : f->next_id++, NULL, 0);
	if (act & A_SCJ && rx) {
		size_t n = rx->len < reply_room(p) ? rx->len : reply_room(p);

		ppp_send_ctrl(p, f->ops->proto, PPP_CODEREJ, p->extra_id++, rx->pkt, n);
	}
}

void ppp_fsm_event(struct ppp_fsm *f, enum ppp_event ev)
{
	const struct cell *c = &table[ev][f->state];
	uint8_t from = f->state;

	if (c->next < 0) {
		ppp_log(f->p, L2TP_LOG_DEBUG, "ppp %s: event %s ignored in state %s", f->ops->name,
			ev_names[ev], l2tp_ppp_state_name(from));
		return;
	}
	/*
	 * A fresh negotiation starts from the configuration (Up in Starting,
	 * Open in Closed); RCR in Stopped was reset before the request was
	 * parsed (rx_confreq), RCN in Req-Sent/Ack-Sent keeps what the Nak said.
	 */
	if ((c->act & A_SCR) && (c->act & A_IRC) && f->ops->reset &&
	    (ev == PPP_EV_UP || ev == PPP_EV_OPEN))
		f->ops->reset(f);
	run_actions(f, c->act);
	f->state = (uint8_t)c->next;
	/* the restart timer runs only in Closing..Ack-Sent (RFC 1661 §4.6) */
	if (f->state < L2TP_PPP_CLOSING || f->state > L2TP_PPP_ACK_SENT) {
		f->deadline = L2TP_TIME_NEVER;
		f->req_pending = false;
	}
	if (f->state != from)
		ppp_log(f->p, L2TP_LOG_DEBUG, "ppp %s: %s: %s -> %s", f->ops->name, ev_names[ev],
			l2tp_ppp_state_name(from), l2tp_ppp_state_name(f->state));
	/* the layer callbacks last: they may feed events to other automatons */
	if (c->act & A_TLU && f->ops->tlu)
		f->ops->tlu(f);
	if (c->act & A_TLS && f->ops->tls)
		f->ops->tls(f);
	if (c->act & A_TLF && f->ops->tlf)
		f->ops->tlf(f);
	if (f->ops->moved)
		f->ops->moved(f, from);
}

void ppp_fsm_timeout(struct ppp_fsm *f)
{
	if (f->deadline == L2TP_TIME_NEVER || f->deadline > f->p->now)
		return;
	f->deadline = L2TP_TIME_NEVER;
	ppp_fsm_event(f, f->restart_count > 0 ? PPP_EV_TO_PLUS : PPP_EV_TO_MINUS);
}

static void event_rx(struct ppp_fsm *f, enum ppp_event ev, const struct ppp_rx *rx)
{
	f->rx = rx;
	ppp_fsm_event(f, ev);
	f->rx = NULL;
}

static int rx_confreq(struct ppp_fsm *f, struct ppp_rx *rx, const uint8_t *opt, size_t len)
{
	uint8_t rep[PPP_PKT_MAX];
	struct l2tp_cursor c;
	int code;

	switch (f->state) {
	case L2TP_PPP_CLOSED: /* sta/2: not parsed */
		event_rx(f, PPP_EV_RCR_PLUS, rx);
		return 0;
	case L2TP_PPP_STOPPED: /* irc,scr,sca/scn: a new negotiation, parsed against it */
		if (f->ops->reset)
			f->ops->reset(f);
		break;
	case L2TP_PPP_REQ_SENT:
	case L2TP_PPP_ACK_RCVD:
	case L2TP_PPP_ACK_SENT:
	case L2TP_PPP_OPENED:
		break;
	default: /* Initial, Starting: cannot be; Closing, Stopping: no action */
		return 0;
	}
	l2tp_cur_init(&c, rep, reply_room(f->p) < sizeof(rep) ? reply_room(f->p) : sizeof(rep));
	code = f->ops->recv_req(f, opt, len, &c, f->naks_sent >= f->p->cfg.max_failure);
	if (code < 0)
		return code;
	rx->reply_code = (uint8_t)code;
	rx->reply = rep;
	rx->reply_len = c.pos;
	event_rx(f, code == PPP_CONFACK ? PPP_EV_RCR_PLUS : PPP_EV_RCR_MINUS, rx);
	return 0;
}

/* A Configure-Ack/Nak/Reject answers our outstanding request (RFC 1661 §5.2-5.4). */
static bool answers_req(const struct ppp_fsm *f, uint8_t id)
{
	return f->req_pending && id == f->id;
}

int ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len)
{
	struct ppp_rx rx = {0};
	uint8_t code, id;
	uint16_t plen;
	const uint8_t *data;
	size_t dlen;
	bool waiting;
	int rc;

	if (len < 4)
		return -EPROTO;
	code = pkt[0];
	id = pkt[1];
	plen = (uint16_t)(pkt[2] << 8 | pkt[3]);
	/* Length counts the header; octets beyond it are padding (RFC 1661 §5) */
	if (plen < 4 || plen > len)
		return -EPROTO;
	len = plen;
	data = pkt + 4;
	dlen = len - 4;
	rx.id = id;
	rx.pkt = pkt;
	rx.len = len;
	/* answers count only in the states that wait for them */
	waiting = f->state >= L2TP_PPP_REQ_SENT;

	switch (code) {
	case PPP_CONFREQ:
		return rx_confreq(f, &rx, data, dlen);
	case PPP_CONFACK:
		if (waiting) {
			if (!answers_req(f, id) || dlen != f->req_len ||
			    memcmp(data, f->req, dlen) != 0) {
				f->p->stats.rx_discarded++;
				return 0;
			}
			f->req_pending = false;
		}
		event_rx(f, PPP_EV_RCA, &rx);
		return 0;
	case PPP_CONFNAK:
	case PPP_CONFREJ:
		if (waiting) {
			if (!answers_req(f, id)) {
				f->p->stats.rx_discarded++;
				return 0;
			}
			rc = code == PPP_CONFNAK ? f->ops->recv_nak(f, data, dlen)
						 : f->ops->recv_rej(f, data, dlen);
			if (rc == -ENOENT) { /* well formed, but not an answer to our request */
				f->p->stats.rx_discarded++;
				return 0;
			}
			if (rc < 0)
				return rc;
			f->req_pending = false;
		}
		event_rx(f, PPP_EV_RCN, &rx);
		return 0;
	case PPP_TERMREQ:
		event_rx(f, PPP_EV_RTR, &rx);
		return 0;
	case PPP_TERMACK:
		event_rx(f, PPP_EV_RTA, &rx);
		return 0;
	case PPP_CODEREJ:
		if (dlen < 1)
			return -EPROTO;
		ppp_log(f->p, L2TP_LOG_INFO, "ppp %s: peer rejected code %u", f->ops->name,
			data[0]);
		event_rx(f, f->ops->code_rej_ok(f, data[0]) ? PPP_EV_RXJ_PLUS : PPP_EV_RXJ_MINUS,
			 &rx);
		return 0;
	default:
		rc = f->ops->ext_code ? f->ops->ext_code(f, code, id, data, dlen) : -ENOENT;
		if (rc == -ENOENT) {
			event_rx(f, PPP_EV_RUC, &rx);
			return 0;
		}
		return rc;
	}
}

/* ---- helpers for the options of every control protocol ----------------------- */

int ppp_put_opt(struct l2tp_cursor *c, uint8_t type, const uint8_t *val, uint8_t vlen)
{
	L2TP_TRY(l2tp_cur_put_u8(c, type));
	L2TP_TRY(l2tp_cur_put_u8(c, (uint8_t)(vlen + 2)));
	return l2tp_cur_put_bytes(c, val, vlen);
}

void ppp_cr_init(struct ppp_cr *cr)
{
	l2tp_cur_init(&cr->r, cr->rej, sizeof(cr->rej));
	l2tp_cur_init(&cr->n, cr->nak, sizeof(cr->nak));
}

int ppp_cr_finish(struct ppp_cr *cr, const uint8_t *opt, size_t len, struct l2tp_cursor *rep)
{
	if (cr->r.pos) {
		L2TP_TRY(l2tp_cur_put_bytes(rep, cr->rej, cr->r.pos));
		return PPP_CONFREJ;
	}
	if (cr->n.pos) {
		L2TP_TRY(l2tp_cur_put_bytes(rep, cr->nak, cr->n.pos));
		return PPP_CONFNAK;
	}
	L2TP_TRY(l2tp_cur_put_bytes(rep, opt, len));
	return PPP_CONFACK;
}

/* |type|..|vlen| is one of the options of our last request, octet for octet. */
static bool in_req(const struct ppp_fsm *f, uint8_t type, const uint8_t *v, uint8_t vlen)
{
	struct l2tp_cursor c;
	const uint8_t *rv;
	uint8_t rt, rl;

	l2tp_cur_init(&c, f->req, f->req_len);
	while (ppp_opt_next(&c, &rt, &rv, &rl) > 0)
		if (rt == type && rl == vlen && (!vlen || !memcmp(rv, v, vlen)))
			return true;
	return false;
}

int ppp_check_rej(const struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct l2tp_cursor c;
	const uint8_t *v;
	uint8_t type, vlen;
	int rc;

	/* RFC 1661 §5.4: a Reject carries options of the request, unchanged */
	l2tp_cur_init(&c, opt, len);
	while ((rc = ppp_opt_next(&c, &type, &v, &vlen)) > 0)
		if (!in_req(f, type, v, vlen))
			return -ENOENT;
	return rc;
}
