// SPDX-License-Identifier: MIT
/*
 * xport.c - the reliable control channel (declared in include/l2tp/xport.h):
 * RFC 2661 §5.8 and Appendix A, RFC 3931 §4.2.
 *
 * The send queue is one singly linked list, oldest first. Messages leave it
 * in Ns order only (an Nr acknowledges everything before it), and they are
 * first sent in Ns order, so the sent entries are always a prefix of the
 * list and the unsent ones its tail. The receive side holds early messages
 * in a second list sorted by Ns. Sequence numbers are compared with
 * l2tp_seq_cmp() everywhere so the 16-bit wrap is invisible.
 */
#include <stdlib.h>

#include <l2tp/wire.h>
#include <l2tp/xport.h>

#include "internal.h"

/* Offsets of Ns and Nr inside a control header (RFC 2661 §3.1, RFC 3931 §3.2.1). */
#define HDR_NS 8
#define HDR_NR 10

/*
 * With more than half the sequence space outstanding, "before" and "after"
 * are ambiguous (l2tp_seq_cmp), so neither window may reach 32768.
 */
#define SEQ_HALF 32767

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* min(base << k, cap) without overflowing the shift. */
static l2tp_time_t backoff(l2tp_time_t base, unsigned int k, l2tp_time_t cap)
{
	l2tp_time_t v = base;

	for (unsigned int i = 0; i < k && v < cap; i++)
		v = v > cap / 2 ? cap : v * 2;
	return v < cap ? v : cap;
}

static uint16_t send_window(const struct l2tp_xport *x)
{
	return x->cwnd < x->peer_rwnd ? x->cwnd : x->peer_rwnd;
}

static struct l2tp_xport_msg *first_unsent(const struct l2tp_xport *x)
{
	struct l2tp_xport_msg *m;

	for (m = x->txq; m && m->sent; m = m->next)
		;
	return m;
}

static struct l2tp_xport_msg *first_due(const struct l2tp_xport *x)
{
	struct l2tp_xport_msg *m;

	for (m = x->txq; m && m->sent; m = m->next)
		if (m->due)
			return m;
	return NULL;
}

/* Ask for an ack no later than |when|; an earlier deadline already set stays. */
static void want_ack(struct l2tp_xport *x, l2tp_time_t when)
{
	if (!x->ack_pending || when < x->ack_deadline)
		x->ack_deadline = when;
	x->ack_pending = true;
}

/* Our Nr went out (in a message, a ZLB or an ACK). */
static void acked(struct l2tp_xport *x)
{
	x->ack_pending = false;
	x->rx_unacked = 0;
}

/* ---- life cycle ----------------------------------------------------------- */

void l2tp_xport_init(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
		     const struct l2tp_xport_ops *ops, void *user, const struct l2tp_mem *mem,
		     size_t hdr_off, l2tp_time_t now)
{
	memset(x, 0, sizeof(*x));
	if (cfg)
		x->cfg = *cfg;
	if (!x->cfg.rwnd)
		x->cfg.rwnd = L2TP_XPORT_RWND;
	/* We never hold more than RWND_MAX early messages, so never offer more. */
	if (x->cfg.rwnd > L2TP_XPORT_RWND_MAX)
		x->cfg.rwnd = L2TP_XPORT_RWND_MAX;
	if (!x->cfg.max_retries)
		x->cfg.max_retries = L2TP_XPORT_MAX_RETRIES;
	/* struct l2tp_xport_msg counts retries in a uint8_t. */
	if (x->cfg.max_retries > UINT8_MAX)
		x->cfg.max_retries = UINT8_MAX;
	if (!x->cfg.rto_init)
		x->cfg.rto_init = L2TP_XPORT_RTO_INIT;
	if (!x->cfg.rto_max)
		x->cfg.rto_max = L2TP_XPORT_RTO_MAX;
	if (!x->cfg.ack_delay)
		x->cfg.ack_delay = L2TP_XPORT_ACK_DELAY;
	if (ops)
		x->ops = *ops;
	x->user = user;
	x->mem = mem;
	x->hdr_off = hdr_off;
	x->ack_mode = L2TP_ACK_ZLB;
	/* RFC 2661 Appendix A: cwnd starts at 1, ssthresh at the peer's RWS. */
	x->peer_rwnd = L2TP_XPORT_PEER_RWND;
	x->cwnd = 1;
	x->ssthresh = x->peer_rwnd;
	x->txq_tail = &x->txq;
	x->last_rx = now;
}

static void free_list(struct l2tp_xport *x, struct l2tp_xport_msg *m)
{
	while (m) {
		struct l2tp_xport_msg *next = m->next;

		l2tp_mem_free(x->mem, m);
		m = next;
	}
}

void l2tp_xport_fini(struct l2tp_xport *x)
{
	free_list(x, x->txq);
	free_list(x, x->rxq);
	x->txq = NULL;
	x->txq_tail = &x->txq;
	x->rxq = NULL;
	x->rxq_len = 0;
	x->inflight = 0;
	x->queued = 0;
}

void l2tp_xport_set_peer_rwnd(struct l2tp_xport *x, uint16_t rwnd)
{
	if (!rwnd) /* RFC 2661 §4.4.3: 0 is not a valid Receive Window Size */
		return;
	if (rwnd > SEQ_HALF)
		rwnd = SEQ_HALF;
	x->peer_rwnd = rwnd;
	/*
	 * The RWS AVP comes in SCCRQ/SCCRP, before any loss: Appendix A
	 * starts ssthresh at the peer's window.
	 */
	x->ssthresh = rwnd;
	if (x->cwnd > rwnd)
		x->cwnd = rwnd;
}

/* ---- sending --------------------------------------------------------------- */

int l2tp_xport_queue(struct l2tp_xport *x, const uint8_t *pkt, size_t len, uint16_t type)
{
	struct l2tp_xport_msg *m;

	if (x->failed)
		return -EPIPE;
	if (len < x->hdr_off + L2TP_CTRL_HDR_LEN || len > UINT16_MAX)
		return -EMSGSIZE;
	m = l2tp_mem_zalloc(x->mem, sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	memcpy(m->data, pkt, len);
	m->len = (uint16_t)len;
	m->type = type;
	m->ns = x->ns_next++;
	m->next = NULL;
	*x->txq_tail = m;
	x->txq_tail = &m->next;
	x->queued++;
	return m->ns;
}

l2tp_time_t l2tp_xport_rto(const struct l2tp_xport *x)
{
	l2tp_time_t rto = x->cfg.rto_init;

	/* RFC 6298 §2: RTO = SRTT + 4 RTTVAR, never under the initial RTO. */
	if (x->srtt) {
		l2tp_time_t est = x->srtt + 4 * x->rttvar;

		if (est > rto)
			rto = est;
	}
	return rto < x->cfg.rto_max ? rto : x->cfg.rto_max;
}

l2tp_time_t l2tp_xport_full_cycle(const struct l2tp_xport *x)
{
	l2tp_time_t sum = 0;

	for (unsigned int k = 0; k <= x->cfg.max_retries; k++)
		sum += backoff(x->cfg.rto_init, k, x->cfg.rto_max);
	return sum;
}

/*
 * Copy |m| into |out| with its own Ns and our current Nr: a retransmission
 * acknowledges what arrived since the first try (RFC 2661 §5.8), and the
 * digest must be recomputed over the new Nr (RFC 3931 §5.4.1).
 */
static ssize_t emit(struct l2tp_xport *x, const struct l2tp_xport_msg *m, uint8_t *out, size_t cap)
{
	if (cap < m->len)
		return -ENOSPC;
	memcpy(out, m->data, m->len);
	put16(out + x->hdr_off + HDR_NS, m->ns);
	put16(out + x->hdr_off + HDR_NR, x->nr);
	if (x->ops.finish) {
		int rc = x->ops.finish(x->user, out, m->len);

		if (rc < 0)
			return rc;
	}
	return m->len;
}

ssize_t l2tp_xport_write_pkt(struct l2tp_xport *x, uint8_t *out, size_t cap, l2tp_time_t now)
{
	struct l2tp_xport_msg *m;
	ssize_t n;

	if (x->failed)
		return -EPIPE;

	/* (1) Retransmissions first, oldest first: they hold the window. */
	m = first_due(x);
	if (m) {
		n = emit(x, m, out, cap);
		if (n < 0)
			return n;
		m->due = false;
		m->deadline = now + backoff(l2tp_xport_rto(x), m->retries, x->cfg.rto_max);
		x->stats.tx_retransmits++;
		acked(x); /* the Nr rode along */
		return n;
	}

	/* (2) A new message, if min(cwnd, peer RWS) allows (Appendix A). */
	m = first_unsent(x);
	if (m && x->inflight < send_window(x)) {
		n = emit(x, m, out, cap);
		if (n < 0)
			return n;
		m->sent = true;
		m->first_tx = now;
		m->deadline = now + l2tp_xport_rto(x);
		x->inflight++;
		x->stats.tx_msgs++;
		acked(x);
		return n;
	}

	/* (3) Nothing carries the ack: a ZLB or an ACK message (RFC 2661 §5.8). */
	if (x->ack_pending && x->ack_deadline <= now) {
		if (!x->ops.build_ack)
			return -EOPNOTSUPP;
		n = x->ops.build_ack(x->user, out, cap, x->ns_next, x->nr);
		if (n < 0)
			return n;
		x->stats.tx_acks++;
		acked(x);
		return n;
	}
	return 0;
}

bool l2tp_xport_want_write(const struct l2tp_xport *x, l2tp_time_t now)
{
	if (x->failed)
		return false;
	if (first_due(x))
		return true;
	if (first_unsent(x) && x->inflight < send_window(x))
		return true;
	return x->ack_pending && x->ack_deadline <= now;
}

l2tp_time_t l2tp_xport_next_deadline(const struct l2tp_xport *x, l2tp_time_t now)
{
	l2tp_time_t t = L2TP_TIME_NEVER;

	if (x->failed)
		return L2TP_TIME_NEVER;
	if (l2tp_xport_want_write(x, now))
		return now;
	for (const struct l2tp_xport_msg *m = x->txq; m && m->sent; m = m->next)
		if (!m->due && m->deadline < t)
			t = m->deadline;
	if (x->ack_pending && x->ack_deadline < t)
		t = x->ack_deadline;
	return t;
}

int l2tp_xport_on_timeout(struct l2tp_xport *x, l2tp_time_t now)
{
	bool expired = false;

	if (x->failed)
		return -ETIMEDOUT;
	for (struct l2tp_xport_msg *m = x->txq; m && m->sent; m = m->next) {
		if (m->due || m->deadline > now)
			continue;
		if (m->retries >= x->cfg.max_retries) {
			/* RFC 2661 §5.8: the tunnel must be torn down. */
			x->failed = true;
			return -ETIMEDOUT;
		}
		m->retries++;
		m->due = true;
		expired = true;
	}
	if (expired) {
		/* Appendix A: on a retransmission, halve ssthresh, restart at 1. */
		x->ssthresh = x->cwnd / 2 ? x->cwnd / 2 : 1;
		x->cwnd = 1;
		x->cwnd_acc = 0;
	}
	return 0;
}

void l2tp_xport_ack_now(struct l2tp_xport *x, l2tp_time_t now)
{
	want_ack(x, now);
}

bool l2tp_xport_idle(const struct l2tp_xport *x)
{
	return !x->txq && !x->ack_pending;
}

size_t l2tp_xport_pending(const struct l2tp_xport *x)
{
	return x->queued; /* O(1): tunnel.c asks on every datagram */
}

/* ---- receiving ------------------------------------------------------------- */

/* RFC 6298 §2.2-2.3; |r| is never 0 so that srtt 0 keeps meaning "no sample". */
static void rtt_sample(struct l2tp_xport *x, l2tp_time_t r)
{
	if (!r)
		r = 1;
	if (!x->srtt) {
		x->srtt = r;
		x->rttvar = r / 2;
		return;
	}
	l2tp_time_t d = x->srtt > r ? x->srtt - r : r - x->srtt;

	x->rttvar = x->rttvar - x->rttvar / 4 + d / 4;
	x->srtt = x->srtt - x->srtt / 8 + r / 8;
	if (!x->srtt)
		x->srtt = 1;
}

/* RFC 2661 Appendix A: slow start below ssthresh, then one step per window. */
static void cwnd_on_ack(struct l2tp_xport *x)
{
	if (x->cwnd < x->ssthresh) {
		x->cwnd++;
	} else if (++x->cwnd_acc >= x->cwnd) {
		x->cwnd++;
		x->cwnd_acc = 0;
	}
	if (x->cwnd > x->peer_rwnd)
		x->cwnd = x->peer_rwnd;
}

static void process_nr(struct l2tp_xport *x, uint16_t nr, l2tp_time_t now)
{
	const struct l2tp_xport_msg *u = first_unsent(x);
	uint16_t hi = u ? u->ns : x->ns_next; /* Ns of the last sent message + 1 */
	struct l2tp_xport_msg *m;
	bool have_sample = false;
	l2tp_time_t sample = 0;

	if (l2tp_seq_cmp(nr, hi) > 0) {
		/* Acknowledges what we never sent: a confused or forged peer. */
		x->stats.rx_bad_nr++;
		return;
	}
	while ((m = x->txq) && m->sent && l2tp_seq_cmp(m->ns, nr) < 0) {
		/* Karn: a retransmitted message gives no RTT sample (RFC 6298 §3). */
		if (!m->retries) {
			sample = now - m->first_tx;
			have_sample = true;
		}
		x->txq = m->next;
		if (!x->txq)
			x->txq_tail = &x->txq;
		x->inflight--;
		x->queued--;
		cwnd_on_ack(x);
		l2tp_mem_free(x->mem, m);
	}
	if (have_sample)
		rtt_sample(x, sample); /* the newest message acknowledged */
}

/* Hold an early message sorted by Ns; -EEXIST if that Ns is already held. */
static int hold(struct l2tp_xport *x, uint16_t ns, const uint8_t *pkt, size_t len)
{
	struct l2tp_xport_msg **pp = &x->rxq, *m;

	for (; *pp; pp = &(*pp)->next) {
		int c = l2tp_seq_cmp((*pp)->ns, ns);

		if (c == 0)
			return -EEXIST;
		if (c > 0)
			break;
	}
	if (len > UINT16_MAX)
		return -EMSGSIZE;
	m = l2tp_mem_zalloc(x->mem, sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	if (len)
		memcpy(m->data, pkt, len);
	m->len = (uint16_t)len;
	m->ns = ns;
	m->next = *pp;
	*pp = m;
	x->rxq_len++;
	return 0;
}

enum l2tp_xport_verdict l2tp_xport_rx(struct l2tp_xport *x, uint16_t ns, uint16_t nr, bool ack_only,
				      const uint8_t *pkt, size_t len, l2tp_time_t now)
{
	int rc;

	/* Authenticated by the caller: any datagram shows the peer is alive. */
	x->last_rx = now;
	process_nr(x, nr, now);

	if (ack_only) {
		/* A ZLB/ACK's Ns is the peer's next one, not a slot (RFC 2661 §5.8). */
		x->stats.rx_acks++;
		return L2TP_XPORT_ACKONLY;
	}

	if (ns == x->nr) {
		x->nr++;
		x->stats.rx_msgs++;
		/*
		 * Delayed ack, but not past half the window we offered: a peer
		 * sending a burst (thousands of ICRQs and ICCNs) would otherwise
		 * wait for the delay once per window.
		 */
		if (++x->rx_unacked >= (x->cfg.rwnd + 1) / 2)
			want_ack(x, now);
		else
			want_ack(x, now + x->cfg.ack_delay);
		return L2TP_XPORT_DELIVER;
	}
	if (l2tp_seq_cmp(ns, x->nr) < 0) {
		/* Our ack was lost: repeat it at once (RFC 2661 §5.8). */
		x->stats.rx_duplicates++;
		want_ack(x, now);
		return L2TP_XPORT_DUP;
	}
	if ((uint16_t)(ns - x->nr) >= x->cfg.rwnd) {
		/* Beyond the window we offered; tell the peer our Nr. */
		x->stats.rx_out_of_window++;
		want_ack(x, now);
		return L2TP_XPORT_DROP;
	}
	rc = hold(x, ns, pkt, len);
	if (rc == -EEXIST) {
		x->stats.rx_duplicates++;
		want_ack(x, now);
		return L2TP_XPORT_DUP;
	}
	if (rc < 0)
		return L2TP_XPORT_DROP; /* the peer retransmits it */
	x->stats.rx_out_of_order++;
	want_ack(x, now + x->cfg.ack_delay);
	return L2TP_XPORT_HELD;
}

struct l2tp_xport_msg *l2tp_xport_pop(struct l2tp_xport *x)
{
	struct l2tp_xport_msg *m = x->rxq;

	if (!m || m->ns != x->nr)
		return NULL;
	x->rxq = m->next;
	m->next = NULL;
	x->rxq_len--;
	x->nr++;
	x->stats.rx_msgs++;
	return m;
}

void l2tp_xport_msg_free(struct l2tp_xport *x, struct l2tp_xport_msg *m)
{
	l2tp_mem_free(x->mem, m);
}
