// SPDX-License-Identifier: MIT
/*
 * test_xport.c - the reliable control channel (lib/xport.c): two xports
 * back to back through a tiny in-test link with a virtual clock. Covers
 * delivery, piggybacked and delayed acks, duplicates, reordering, the
 * window, the 16-bit wrap, slow start and congestion avoidance, backoff,
 * failure, RTT estimation and the finish hook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include <l2tp/wire.h>
#include <l2tp/xport.h>

#define MAXLOG 256
#define MS L2TP_MSEC
#define SEC L2TP_SEC

/* ---- a counting allocator that can fail on demand ------------------------- */

struct cmem {
	long live; /* allocations not yet freed */
	long fail_after; /* fail when this many more succeeded; < 0 never */
};

static void *cm_alloc(void *user, size_t size)
{
	struct cmem *c = user;

	if (c->fail_after == 0)
		return NULL;
	if (c->fail_after > 0)
		c->fail_after--;
	c->live++;
	return calloc(1, size);
}

static void cm_free(void *user, void *p)
{
	struct cmem *c = user;

	c->live--;
	free(p);
}

/* ---- one endpoint ----------------------------------------------------------- */

struct ep {
	struct l2tp_xport x;
	struct cmem cm;
	struct l2tp_mem mem;
	uint32_t delivered[MAXLOG]; /* message ids in the order processed */
	unsigned int ndeliv;
	unsigned int finish_calls;
	uint16_t fin_ns, fin_nr; /* header fields seen by the last finish */
	int finish_rc;
	unsigned int drop_next; /* the link loses this many datagrams from us */
	unsigned int sent_dgrams;
	uint8_t last[128]; /* the last datagram written (lost or not) */
	size_t last_len;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_hdr(uint8_t *p, uint16_t len, uint16_t ns, uint16_t nr)
{
	put16(p, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VER_2);
	put16(p + 2, len);
	put16(p + 4, 0x1234); /* tunnel id */
	put16(p + 6, 0); /* session id */
	put16(p + 8, ns);
	put16(p + 10, nr);
}

/* The fake ZLB: a bare 12-byte control header. */
static ssize_t fake_ack(void *user, uint8_t *out, size_t cap, uint16_t ns, uint16_t nr)
{
	struct ep *e = user;

	if (cap < e->x.hdr_off + L2TP_CTRL_HDR_LEN)
		return -ENOSPC;
	memset(out, 0, e->x.hdr_off);
	put_hdr(out + e->x.hdr_off, L2TP_CTRL_HDR_LEN, ns, nr);
	return (ssize_t)(e->x.hdr_off + L2TP_CTRL_HDR_LEN);
}

static int fake_finish(void *user, uint8_t *pkt, size_t len)
{
	struct ep *e = user;

	e->finish_calls++;
	e->fin_ns = get16(pkt + e->x.hdr_off + 8);
	e->fin_nr = get16(pkt + e->x.hdr_off + 10);
	return e->finish_rc;
}

static const struct l2tp_xport_ops ops = {.build_ack = fake_ack, .finish = fake_finish};

static void ep_init(struct ep *e, const struct l2tp_xport_cfg *cfg, size_t hdr_off)
{
	memset(e, 0, sizeof(*e));
	e->cm.fail_after = -1;
	e->mem = (struct l2tp_mem){.alloc = cm_alloc, .free = cm_free, .user = &e->cm};
	l2tp_xport_init(&e->x, cfg, &ops, e, &e->mem, hdr_off, 0);
}

static void ep_fini(struct ep *e)
{
	l2tp_xport_fini(&e->x);
	assert_int_equal(e->cm.live, 0);
}

/* Queue a message whose body is the 4-byte id |id|; returns its Ns. */
static int send_msg(struct ep *e, uint32_t id)
{
	uint8_t pkt[4 + L2TP_CTRL_HDR_LEN + 4] = {0};
	size_t off = e->x.hdr_off;
	uint8_t *body = pkt + off + L2TP_CTRL_HDR_LEN;

	/* Ns/Nr deliberately garbage: the xport must overwrite them. */
	put_hdr(pkt + off, L2TP_CTRL_HDR_LEN + 4, 0xdead, 0xbeef);
	body[0] = (uint8_t)(id >> 24);
	body[1] = (uint8_t)(id >> 16);
	body[2] = (uint8_t)(id >> 8);
	body[3] = (uint8_t)id;
	return l2tp_xport_queue(&e->x, pkt, off + L2TP_CTRL_HDR_LEN + 4, 1);
}

static uint32_t body_id(const struct ep *e, const uint8_t *pkt)
{
	const uint8_t *b = pkt + e->x.hdr_off + L2TP_CTRL_HDR_LEN;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void log_id(struct ep *e, uint32_t id)
{
	assert_true(e->ndeliv < MAXLOG);
	e->delivered[e->ndeliv++] = id;
}

/* Feed datagram |pkt| from the peer into |e|, process deliveries. */
static enum l2tp_xport_verdict feed(struct ep *e, const uint8_t *pkt, size_t len, l2tp_time_t now)
{
	const uint8_t *h = pkt + e->x.hdr_off;
	bool ack_only = len == e->x.hdr_off + L2TP_CTRL_HDR_LEN;
	enum l2tp_xport_verdict v;
	struct l2tp_xport_msg *m;

	v = l2tp_xport_rx(&e->x, get16(h + 8), get16(h + 10), ack_only, pkt, len, now);
	if (v == L2TP_XPORT_DELIVER) {
		log_id(e, body_id(e, pkt));
		while ((m = l2tp_xport_pop(&e->x))) {
			log_id(e, body_id(e, m->data));
			l2tp_xport_msg_free(&e->x, m);
		}
	}
	return v;
}

/* One datagram from |a| (lost if a->drop_next), fed to |b|; its length. */
static ssize_t xfer(struct ep *a, struct ep *b, l2tp_time_t now)
{
	uint8_t buf[128];
	ssize_t n = l2tp_xport_write_pkt(&a->x, buf, sizeof(buf), now);

	if (n <= 0)
		return n;
	a->sent_dgrams++;
	memcpy(a->last, buf, (size_t)n);
	a->last_len = (size_t)n;
	if (a->drop_next) {
		a->drop_next--;
		return n;
	}
	feed(b, buf, (size_t)n, now);
	return n;
}

/* Exchange until neither side has anything to send at |now|. */
static void pump(struct ep *a, struct ep *b, l2tp_time_t now)
{
	for (int guard = 0; guard < 10000; guard++) {
		ssize_t na = xfer(a, b, now);
		ssize_t nb = xfer(b, a, now);

		assert_true(na >= 0 && nb >= 0);
		if (!na && !nb)
			return;
	}
	fail_msg("pump did not settle");
}

/* Run the virtual clock until both sides are idle or |limit| passes. */
static l2tp_time_t run(struct ep *a, struct ep *b, l2tp_time_t now, l2tp_time_t limit)
{
	for (;;) {
		pump(a, b, now);
		l2tp_time_t da = l2tp_xport_next_deadline(&a->x, now);
		l2tp_time_t db = l2tp_xport_next_deadline(&b->x, now);
		l2tp_time_t t = da < db ? da : db;

		if (t == L2TP_TIME_NEVER || t > limit)
			return now;
		if (t > now)
			now = t;
		assert_int_equal(l2tp_xport_on_timeout(&a->x, now), 0);
		assert_int_equal(l2tp_xport_on_timeout(&b->x, now), 0);
	}
}

static struct ep A, B;

static int setup(void **state)
{
	ep_init(&A, NULL, 0);
	ep_init(&B, NULL, 0);
	return 0;
}

static int teardown(void **state)
{
	ep_fini(&A);
	ep_fini(&B);
	return 0;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_xport_defaults(void **state)
{
	assert_int_equal(A.x.cfg.rwnd, L2TP_XPORT_RWND);
	assert_int_equal(A.x.cfg.max_retries, 5);
	assert_int_equal(A.x.cfg.rto_init, SEC);
	assert_int_equal(A.x.cfg.rto_max, 8 * SEC);
	assert_int_equal(A.x.cfg.ack_delay, 100 * MS);
	assert_int_equal(A.x.cwnd, 1);
	assert_int_equal(A.x.ssthresh, 4);
	assert_int_equal(A.x.peer_rwnd, 4);
	assert_int_equal(l2tp_xport_rto(&A.x), SEC);
	assert_true(l2tp_xport_idle(&A.x));
	assert_int_equal(l2tp_xport_next_deadline(&A.x, 5), L2TP_TIME_NEVER);
	assert_int_equal(l2tp_xport_full_cycle(&A.x), 31 * SEC);

	/* Non-default: 500 ms doubling to 2 s over 3 retries: .5+1+2+2 = 5.5 s */
	struct ep c;

	ep_init(
	    &c,
	    &(struct l2tp_xport_cfg){.max_retries = 3, .rto_init = 500 * MS, .rto_max = 2 * SEC},
	    0);
	assert_int_equal(l2tp_xport_full_cycle(&c.x), 5500 * MS);
	ep_fini(&c);

	/* Window over what we can hold is clamped; queue length checks. */
	ep_init(&c, &(struct l2tp_xport_cfg){.rwnd = 1000}, 0);
	assert_int_equal(c.x.cfg.rwnd, L2TP_XPORT_RWND_MAX);
	uint8_t small[11] = {0};

	assert_int_equal(l2tp_xport_queue(&c.x, small, sizeof(small), 1), -EMSGSIZE);
	assert_int_equal(l2tp_xport_pending(&c.x), 0);
	c.cm.fail_after = 0;
	assert_int_equal(send_msg(&c, 1), -ENOMEM);
	assert_int_equal(c.x.ns_next, 0);
	ep_fini(&c);
}

static void test_xport_in_order_piggyback(void **state)
{
	uint8_t buf[128];

	assert_int_equal(send_msg(&A, 100), 0);
	assert_int_equal(l2tp_xport_pending(&A.x), 1);
	assert_int_equal(l2tp_xport_next_deadline(&A.x, 0), 0);
	assert_int_equal(xfer(&A, &B, 0), 16);
	assert_int_equal(get16(A.last + 8), 0);
	assert_int_equal(get16(A.last + 10), 0);
	assert_int_equal(B.ndeliv, 1);
	assert_int_equal(B.delivered[0], 100);
	assert_int_equal(B.x.nr, 1);
	assert_true(B.x.ack_pending);
	assert_int_equal(B.x.ack_deadline, 100 * MS);

	/* B answers at 10 ms: its message carries Nr 1, and no ZLB follows. */
	assert_int_equal(send_msg(&B, 200), 0);
	assert_int_equal(xfer(&B, &A, 10 * MS), 16);
	assert_int_equal(get16(B.last + 8), 0);
	assert_int_equal(get16(B.last + 10), 1);
	assert_false(B.x.ack_pending);
	assert_int_equal(A.ndeliv, 1);
	assert_int_equal(A.delivered[0], 200);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);
	assert_int_equal(A.x.inflight, 0);
	assert_int_equal(A.x.cwnd, 2); /* slow start: one ack, one step */

	/* A's next message piggybacks the ack of B's. */
	assert_int_equal(send_msg(&A, 101), 1);
	assert_int_equal(xfer(&A, &B, 20 * MS), 16);
	assert_int_equal(get16(A.last + 8), 1);
	assert_int_equal(get16(A.last + 10), 1);
	assert_int_equal(B.delivered[1], 101);
	assert_int_equal(l2tp_xport_pending(&B.x), 0);

	/* Only B's delayed ack of 101 remains, due at 120 ms. */
	assert_int_equal(l2tp_xport_write_pkt(&A.x, buf, sizeof(buf), 1 * SEC), 0);
	run(&A, &B, 20 * MS, 10 * SEC);
	assert_int_equal(A.x.stats.tx_msgs, 2);
	assert_int_equal(A.x.stats.tx_acks, 0);
	assert_int_equal(B.x.stats.tx_acks, 1);
	assert_int_equal(A.x.stats.rx_acks, 1);
	assert_int_equal(B.x.stats.rx_msgs, 2);
	assert_int_equal(A.x.stats.rx_msgs, 1);
	assert_true(l2tp_xport_idle(&A.x));
	assert_true(l2tp_xport_idle(&B.x));
	assert_int_equal(A.x.stats.tx_retransmits, 0);
}

static void test_xport_delayed_zlb(void **state)
{
	uint8_t buf[128];

	assert_int_equal(send_msg(&A, 1), 0);
	assert_int_equal(xfer(&A, &B, 0), 16);
	/* Nothing before ack_delay ... */
	assert_int_equal(l2tp_xport_next_deadline(&B.x, 0), 100 * MS);
	assert_false(l2tp_xport_want_write(&B.x, 100 * MS - 1));
	assert_int_equal(l2tp_xport_write_pkt(&B.x, buf, sizeof(buf), 100 * MS - 1), 0);
	assert_int_equal(B.x.stats.tx_acks, 0);
	/* ... and a ZLB with Ns = ns_next (not consumed), Nr = 1 at it. */
	assert_true(l2tp_xport_want_write(&B.x, 100 * MS));
	assert_int_equal(l2tp_xport_next_deadline(&B.x, 100 * MS), 100 * MS);
	assert_int_equal(xfer(&B, &A, 100 * MS), 12);
	assert_int_equal(get16(B.last + 8), 0);
	assert_int_equal(get16(B.last + 10), 1);
	assert_int_equal(B.x.ns_next, 0);
	assert_int_equal(B.x.stats.tx_acks, 1);
	assert_int_equal(B.finish_calls, 0); /* build_ack does its own digest */
	assert_int_equal(A.x.stats.rx_acks, 1);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);
	assert_int_equal(A.x.last_rx, 100 * MS);
	/* Only one ZLB. */
	assert_int_equal(l2tp_xport_write_pkt(&B.x, buf, sizeof(buf), 5 * SEC), 0);
	assert_int_equal(l2tp_xport_next_deadline(&B.x, 5 * SEC), L2TP_TIME_NEVER);

	/* A second message inside the delay keeps the earlier deadline. */
	assert_int_equal(send_msg(&A, 2), 1);
	assert_int_equal(send_msg(&A, 3), 2);
	assert_int_equal(xfer(&A, &B, 1 * SEC), 16);
	assert_int_equal(xfer(&A, &B, 1 * SEC + 50 * MS), 16);
	assert_int_equal(B.x.ack_deadline, 1 * SEC + 100 * MS);
	assert_int_equal(xfer(&B, &A, 1 * SEC + 100 * MS), 12);
	assert_int_equal(get16(B.last + 10), 3);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);

	/* ack_now overrides the delay; ack_delay = 1 means at once. */
	l2tp_xport_ack_now(&B.x, 2 * SEC);
	assert_int_equal(l2tp_xport_next_deadline(&B.x, 2 * SEC), 2 * SEC);
	assert_int_equal(xfer(&B, &A, 2 * SEC), 12);
	assert_int_equal(B.x.stats.tx_acks, 3);
}

static void test_xport_duplicate(void **state)
{
	uint8_t dup[128];
	size_t dlen;

	assert_int_equal(send_msg(&A, 7), 0);
	assert_int_equal(xfer(&A, &B, 0), 16);
	memcpy(dup, A.last, A.last_len);
	dlen = A.last_len;
	assert_int_equal(B.ndeliv, 1);

	/* The same datagram again: acked at once, never delivered twice. */
	assert_int_equal(feed(&B, dup, dlen, 30 * MS), L2TP_XPORT_DUP);
	assert_int_equal(B.ndeliv, 1);
	assert_int_equal(B.x.stats.rx_duplicates, 1);
	assert_int_equal(B.x.stats.rx_msgs, 1);
	assert_int_equal(l2tp_xport_next_deadline(&B.x, 30 * MS), 30 * MS);
	assert_int_equal(xfer(&B, &A, 30 * MS), 12);
	assert_int_equal(get16(B.last + 10), 1);

	/* Even after the ack went: still a duplicate, acked again. */
	assert_int_equal(feed(&B, dup, dlen, 40 * MS), L2TP_XPORT_DUP);
	assert_int_equal(B.ndeliv, 1);
	assert_int_equal(xfer(&B, &A, 40 * MS), 12);
	assert_int_equal(B.x.stats.tx_acks, 2);
	assert_int_equal(B.x.stats.rx_duplicates, 2);
	assert_int_equal(A.x.stats.rx_bad_nr, 0);
}

static void test_xport_out_of_order(void **state)
{
	uint8_t p[4][128];
	size_t n[4];

	l2tp_xport_set_peer_rwnd(&A.x, 8);
	A.x.cwnd = 8;
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(send_msg(&A, 10 + i), (int)i);
	for (int i = 0; i < 4; i++) {
		A.drop_next = 1;
		assert_int_equal(xfer(&A, &B, 0), 16);
		memcpy(p[i], A.last, A.last_len);
		n[i] = A.last_len;
	}
	assert_int_equal(A.x.inflight, 4);
	/* Arrive 3, 1, 2, 1 again, then 0. */
	assert_int_equal(feed(&B, p[3], n[3], 1 * MS), L2TP_XPORT_HELD);
	assert_int_equal(B.x.ack_deadline, 101 * MS);
	assert_int_equal(feed(&B, p[1], n[1], 2 * MS), L2TP_XPORT_HELD);
	assert_int_equal(feed(&B, p[2], n[2], 3 * MS), L2TP_XPORT_HELD);
	assert_int_equal(B.x.rxq_len, 3);
	assert_int_equal(B.x.stats.rx_out_of_order, 3);
	assert_int_equal(B.x.ack_deadline, 101 * MS);
	assert_null(l2tp_xport_pop(&B.x));
	assert_int_equal(feed(&B, p[1], n[1], 4 * MS), L2TP_XPORT_DUP);
	assert_int_equal(B.x.stats.rx_duplicates, 1);
	assert_int_equal(B.x.rxq_len, 3);
	assert_int_equal(B.ndeliv, 0);
	/* The held ones wait for the gap; the DUP asked for an ack at once. */
	assert_int_equal(xfer(&B, &A, 4 * MS), 12);
	assert_int_equal(get16(B.last + 10), 0);
	assert_int_equal(A.x.inflight, 4);

	assert_int_equal(feed(&B, p[0], n[0], 5 * MS), L2TP_XPORT_DELIVER);
	assert_int_equal(B.ndeliv, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(B.delivered[i], 10 + i);
	assert_int_equal(B.x.nr, 4);
	assert_int_equal(B.x.rxq_len, 0);
	assert_int_equal(B.x.stats.rx_msgs, 4);
	run(&A, &B, 5 * MS, 10 * SEC);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);
	assert_int_equal(A.x.stats.tx_retransmits, 0);
}

static void test_xport_out_of_window(void **state)
{
	uint8_t pkt[16];

	ep_fini(&B);
	ep_init(&B, &(struct l2tp_xport_cfg){.rwnd = 4}, 0);
	put_hdr(pkt, 16, 0, 0);
	memset(pkt + 12, 0, 4);

	put16(pkt + 8, 3); /* nr + rwnd - 1: the last slot inside */
	assert_int_equal(feed(&B, pkt, 16, 0), L2TP_XPORT_HELD);
	put16(pkt + 8, 4); /* nr + rwnd: outside */
	assert_int_equal(feed(&B, pkt, 16, 1 * MS), L2TP_XPORT_DROP);
	assert_int_equal(B.x.stats.rx_out_of_window, 1);
	assert_int_equal(B.x.rxq_len, 1);
	put16(pkt + 8, 40000); /* far away, also "ahead" in 16-bit space */
	assert_int_equal(feed(&B, pkt, 16, 1 * MS), L2TP_XPORT_DUP);
	put16(pkt + 8, 30000);
	assert_int_equal(feed(&B, pkt, 16, 1 * MS), L2TP_XPORT_DROP);
	assert_int_equal(B.x.stats.rx_out_of_window, 2);
	assert_int_equal(B.ndeliv, 0);
	assert_int_equal(B.x.nr, 0);
	/* The drop asks for an ack at once so the peer learns our Nr. */
	assert_int_equal(l2tp_xport_next_deadline(&B.x, 1 * MS), 1 * MS);
	assert_int_equal(xfer(&B, &A, 1 * MS), 12);
	assert_int_equal(get16(B.last + 10), 0);

	/* No memory to hold an early message: DROP, nothing held. */
	B.cm.fail_after = 0;
	put16(pkt + 8, 2);
	assert_int_equal(feed(&B, pkt, 16, 2 * MS), L2TP_XPORT_DROP);
	assert_int_equal(B.x.rxq_len, 1);
	B.cm.fail_after = -1;
}

static void test_xport_wrap(void **state)
{
	/* Start both channels just before the wrap. */
	A.x.ns_next = 65532;
	B.x.nr = 65532;
	B.x.ns_next = 65534;
	A.x.nr = 65534;
	l2tp_xport_set_peer_rwnd(&A.x, 16);
	l2tp_xport_set_peer_rwnd(&B.x, 16);

	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(send_msg(&A, i), (int)(uint16_t)(65532 + i));
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(send_msg(&B, 100 + i), (int)(uint16_t)(65534 + i));
	assert_int_equal(A.x.ns_next, 4);
	assert_int_equal(B.x.ns_next, 3);

	/* Open A's window, and lose 65535 so reordering happens at the wrap. */
	A.x.cwnd = 8;
	for (int i = 0; i < 8; i++) {
		A.drop_next = i == 3;
		assert_int_equal(xfer(&A, &B, 0), 16);
	}
	assert_int_equal(get16(A.last + 8), 3);
	assert_int_equal(B.ndeliv, 3);
	assert_int_equal(B.x.nr, 65535);
	assert_int_equal(B.x.rxq_len, 4); /* 0, 1, 2, 3 held */
	assert_int_equal(B.x.stats.rx_out_of_order, 4);
	run(&A, &B, 0, 60 * SEC);
	assert_int_equal(B.ndeliv, 8);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(B.delivered[i], i);
	assert_int_equal(A.ndeliv, 5);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(A.delivered[i], 100 + i);
	assert_int_equal(B.x.nr, 4);
	assert_int_equal(A.x.nr, 3);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);
	assert_int_equal(l2tp_xport_pending(&B.x), 0);
	assert_int_equal(A.x.stats.rx_bad_nr + B.x.stats.rx_bad_nr, 0);
	/*
	 * 65535 and the four held ones expired together; the first retry
	 * fills the gap, so every later one reaches B as a duplicate.
	 */
	assert_true(A.x.stats.tx_retransmits >= 1 && A.x.stats.tx_retransmits <= 5);
	assert_int_equal(B.x.stats.rx_duplicates, A.x.stats.tx_retransmits - 1);
	assert_int_equal(B.x.stats.rx_msgs, 8);
	assert_int_equal(B.x.stats.tx_retransmits, 0);

	/* Out of order across the wrap: 65535 held, 0 held, 65534 delivers all. */
	struct ep c, d;
	uint8_t p[3][128];
	size_t n[3];

	ep_init(&c, NULL, 0);
	ep_init(&d, NULL, 0);
	c.x.ns_next = 65534;
	d.x.nr = 65534;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(send_msg(&c, (uint32_t)i), (int)(uint16_t)(65534 + i));
		c.x.cwnd = 4;
		c.drop_next = 1;
		assert_int_equal(xfer(&c, &d, 0), 16);
		memcpy(p[i], c.last, c.last_len);
		n[i] = c.last_len;
	}
	assert_int_equal(get16(p[2] + 8), 0);
	assert_int_equal(feed(&d, p[2], n[2], 0), L2TP_XPORT_HELD);
	assert_int_equal(feed(&d, p[1], n[1], 0), L2TP_XPORT_HELD);
	assert_int_equal(d.x.rxq->ns, 65535); /* sorted across the wrap */
	assert_int_equal(feed(&d, p[0], n[0], 0), L2TP_XPORT_DELIVER);
	assert_int_equal(d.ndeliv, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(d.delivered[i], i);
	assert_int_equal(d.x.nr, 1);
	/* Nr 1 acknowledges 65534, 65535 and 0. */
	assert_int_equal(xfer(&d, &c, 100 * MS), 12);
	assert_int_equal(l2tp_xport_pending(&c.x), 0);
	assert_int_equal(c.x.inflight, 0);
	ep_fini(&c);
	ep_fini(&d);
}

static void test_xport_window_slow_start(void **state)
{
	uint8_t buf[128];

	l2tp_xport_set_peer_rwnd(&B.x, 16); /* B never limits */
	for (uint32_t i = 0; i < 12; i++)
		assert_int_equal(send_msg(&A, i), (int)i);
	/* cwnd 1: one message, then nothing until it is acked. */
	assert_int_equal(xfer(&A, &B, 0), 16);
	assert_int_equal(l2tp_xport_write_pkt(&A.x, buf, sizeof(buf), 0), 0);
	assert_false(l2tp_xport_want_write(&A.x, 0));
	assert_int_equal(l2tp_xport_next_deadline(&A.x, 0), 1 * SEC); /* its RTO */
	l2tp_xport_ack_now(&B.x, 0);
	assert_int_equal(xfer(&B, &A, 0), 12);
	assert_int_equal(A.x.cwnd, 2);
	/* Slow start: each ack adds one, up to ssthresh = peer_rwnd = 4. */
	assert_int_equal(xfer(&A, &B, 0), 16);
	assert_int_equal(xfer(&A, &B, 0), 16);
	assert_int_equal(l2tp_xport_write_pkt(&A.x, buf, sizeof(buf), 0), 0);
	assert_int_equal(A.x.inflight, 2);
	l2tp_xport_ack_now(&B.x, 0);
	assert_int_equal(xfer(&B, &A, 0), 12);
	assert_int_equal(A.x.cwnd, 4);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++)
			assert_int_equal(xfer(&A, &B, 0), 16);
		/* Never more than the peer's window of 4 in flight. */
		assert_int_equal(A.x.inflight, 4);
		assert_int_equal(l2tp_xport_write_pkt(&A.x, buf, sizeof(buf), 0), 0);
		l2tp_xport_ack_now(&B.x, 0);
		assert_int_equal(xfer(&B, &A, 0), 12);
		assert_int_equal(A.x.cwnd, 4); /* capped by peer_rwnd */
	}
	assert_int_equal(A.x.stats.tx_msgs, 11);
	run(&A, &B, 0, 10 * SEC);
	assert_int_equal(B.ndeliv, 12);
}

static void test_xport_congestion_avoidance(void **state)
{
	l2tp_xport_set_peer_rwnd(&A.x, 16);
	A.x.ssthresh = 2;
	for (uint32_t i = 0; i < 20; i++)
		assert_int_equal(send_msg(&A, i), (int)i);
	/* Ack one at a time: cwnd 1 -> 2 (slow start), then +1 per cwnd acks. */
	static const uint16_t want[] = {2, 2, 3, 3, 3, 4, 4, 4, 4, 5};

	for (unsigned int i = 0; i < L2TP_ARRAY_SIZE(want); i++) {
		while (xfer(&A, &B, 0) > 0)
			;
		/* B acks exactly the oldest outstanding one. */
		uint8_t zlb[12];

		put_hdr(zlb, 12, 0, (uint16_t)(A.x.txq->ns + 1));
		assert_int_equal(feed(&A, zlb, 12, 0), L2TP_XPORT_ACKONLY);
		assert_int_equal(A.x.cwnd, want[i]);
		assert_true(A.x.inflight <= A.x.cwnd);
	}
	assert_int_equal(A.x.ssthresh, 2);

	/* A timeout: ssthresh = cwnd / 2, cwnd = 1. */
	while (xfer(&A, &B, 0) > 0)
		;
	assert_int_equal(A.x.inflight, 5);
	assert_int_equal(l2tp_xport_on_timeout(&A.x, 1 * SEC - 1), 0);
	assert_int_equal(A.x.cwnd, 5);
	assert_int_equal(l2tp_xport_on_timeout(&A.x, 1 * SEC), 0);
	assert_int_equal(A.x.cwnd, 1);
	assert_int_equal(A.x.ssthresh, 2);
	assert_int_equal(A.x.cwnd_acc, 0);
	/* All five were due: retransmitted despite cwnd 1, no new ones. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(xfer(&A, &B, 1 * SEC), 16);
		assert_int_equal(get16(A.last + 8), A.x.txq->ns + (unsigned int)i);
	}
	assert_int_equal(A.x.stats.tx_retransmits, 5);
	assert_int_equal(A.x.stats.tx_msgs, 15);
	assert_int_equal(l2tp_xport_write_pkt(&A.x, (uint8_t[128]){0}, 128, 1 * SEC), 0);
	/* Halving floors at 1. */
	assert_int_equal(l2tp_xport_on_timeout(&A.x, 10 * SEC), 0);
	assert_int_equal(A.x.ssthresh, 1);
	assert_int_equal(A.x.cwnd, 1);
}

static void test_xport_backoff_and_failure(void **state)
{
	static const l2tp_time_t gaps[] = {1 * SEC, 2 * SEC, 4 * SEC, 8 * SEC, 8 * SEC, 8 * SEC};
	l2tp_time_t now = 0, sent_at = 0;
	uint8_t buf[128];

	assert_int_equal(send_msg(&A, 1), 0);
	A.drop_next = 100; /* every transmission is lost */
	assert_int_equal(xfer(&A, &B, now), 16);
	for (unsigned int i = 0; i < L2TP_ARRAY_SIZE(gaps); i++) {
		l2tp_time_t t = l2tp_xport_next_deadline(&A.x, now);

		assert_int_equal(t - sent_at, gaps[i]);
		/* Nothing expires a nanosecond early. */
		assert_int_equal(l2tp_xport_on_timeout(&A.x, t - 1), 0);
		assert_int_equal(l2tp_xport_write_pkt(&A.x, buf, sizeof(buf), t - 1), 0);
		now = t;
		if (i + 1 == L2TP_ARRAY_SIZE(gaps)) {
			assert_int_equal(l2tp_xport_on_timeout(&A.x, now), -ETIMEDOUT);
			break;
		}
		assert_int_equal(l2tp_xport_on_timeout(&A.x, now), 0);
		assert_int_equal(A.x.txq->retries, i + 1);
		assert_int_equal(l2tp_xport_next_deadline(&A.x, now), now);
		assert_int_equal(xfer(&A, &B, now), 16);
		sent_at = now;
	}
	assert_int_equal(now, 31 * SEC);
	assert_int_equal(now, l2tp_xport_full_cycle(&A.x));
	assert_int_equal(A.x.stats.tx_retransmits, 5);
	assert_int_equal(A.sent_dgrams, 6);
	assert_true(A.x.failed);
	assert_int_equal(send_msg(&A, 2), -EPIPE);
	assert_int_equal(l2tp_xport_write_pkt(&A.x, buf, sizeof(buf), now), -EPIPE);
	assert_int_equal(l2tp_xport_next_deadline(&A.x, now), L2TP_TIME_NEVER);
	assert_false(l2tp_xport_want_write(&A.x, now));
	assert_int_equal(l2tp_xport_pending(&A.x), 1); /* freed by fini */
}

static void test_xport_bad_nr(void **state)
{
	uint8_t zlb[12];

	assert_int_equal(send_msg(&A, 1), 0);
	assert_int_equal(send_msg(&A, 2), 1);
	assert_int_equal(xfer(&A, &B, 0), 16); /* only Ns 0 sent (cwnd 1) */
	/* Nr 2 would acknowledge Ns 1, never sent. */
	put_hdr(zlb, 12, 0, 2);
	assert_int_equal(feed(&A, zlb, 12, 1 * MS), L2TP_XPORT_ACKONLY);
	assert_int_equal(A.x.stats.rx_bad_nr, 1);
	assert_int_equal(l2tp_xport_pending(&A.x), 2);
	assert_int_equal(A.x.inflight, 1);
	assert_int_equal(A.x.cwnd, 1);
	/* Far "behind" is just stale: nothing acknowledged, not bad. */
	put_hdr(zlb, 12, 0, 65000);
	feed(&A, zlb, 12, 1 * MS);
	assert_int_equal(A.x.stats.rx_bad_nr, 1);
	assert_int_equal(l2tp_xport_pending(&A.x), 2);
	/* Far "ahead" in 16-bit space is bad again. */
	put_hdr(zlb, 12, 0, 30000);
	feed(&A, zlb, 12, 1 * MS);
	assert_int_equal(A.x.stats.rx_bad_nr, 2);
	put_hdr(zlb, 12, 0, 0);
	feed(&A, zlb, 12, 1 * MS);
	assert_int_equal(A.x.stats.rx_bad_nr, 2);
	assert_int_equal(l2tp_xport_pending(&A.x), 2);
	/* Nr 1 is right. */
	put_hdr(zlb, 12, 0, 1);
	feed(&A, zlb, 12, 1 * MS);
	assert_int_equal(A.x.stats.rx_bad_nr, 2);
	assert_int_equal(l2tp_xport_pending(&A.x), 1);
	assert_int_equal(A.x.inflight, 0);
	/* A bad Nr on a sequenced message is ignored, the message still counts. */
	uint8_t msg[16] = {0};

	assert_int_equal(B.x.nr, 1); /* B got A's Ns 0 */
	put_hdr(msg, 16, 1, 9);
	assert_int_equal(feed(&B, msg, 16, 2 * MS), L2TP_XPORT_DELIVER);
	assert_int_equal(B.x.stats.rx_bad_nr, 1);
	assert_int_equal(B.x.nr, 2);
}

static void test_xport_rtt(void **state)
{
	uint8_t zlb[12];

	ep_fini(&A);
	ep_init(&A, &(struct l2tp_xport_cfg){.rto_init = 100 * MS}, 0);
	l2tp_xport_set_peer_rwnd(&A.x, 8);

	/* Acked 300 ms after sending: srtt = 300, rttvar = 150. */
	assert_int_equal(send_msg(&A, 1), 0);
	assert_int_equal(xfer(&A, &B, 1 * SEC), 16);
	put_hdr(zlb, 12, 0, 1);
	feed(&A, zlb, 12, 1 * SEC + 300 * MS);
	assert_int_equal(A.x.srtt, 300 * MS);
	assert_int_equal(A.x.rttvar, 150 * MS);
	assert_int_equal(l2tp_xport_rto(&A.x), 900 * MS);

	/* 500 ms: rttvar = 3/4 150 + 1/4 200 = 162.5, srtt = 7/8 300 + 1/8 500 = 325. */
	assert_int_equal(send_msg(&A, 2), 1);
	assert_int_equal(xfer(&A, &B, 2 * SEC), 16);
	assert_int_equal(A.x.txq->deadline, 2 * SEC + 900 * MS);
	put_hdr(zlb, 12, 0, 2);
	feed(&A, zlb, 12, 2 * SEC + 500 * MS);
	assert_int_equal(A.x.rttvar, 162500 * 1000);
	assert_int_equal(A.x.srtt, 325 * MS);
	assert_int_equal(l2tp_xport_rto(&A.x), 975 * MS);

	/* Karn: a retransmitted message gives no sample. */
	assert_int_equal(send_msg(&A, 3), 2);
	assert_int_equal(xfer(&A, &B, 3 * SEC), 16);
	assert_int_equal(l2tp_xport_on_timeout(&A.x, 3 * SEC + 975 * MS), 0);
	assert_int_equal(xfer(&A, &B, 4 * SEC), 16);
	/* the retry waits twice the RTO */
	assert_int_equal(A.x.txq->deadline, 4 * SEC + 1950 * MS);
	put_hdr(zlb, 12, 0, 3);
	feed(&A, zlb, 12, 4 * SEC + 10 * MS);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);
	assert_int_equal(A.x.srtt, 325 * MS);
	assert_int_equal(A.x.rttvar, 162500 * 1000);

	/* The RTO never exceeds rto_max. */
	A.x.srtt = 20 * SEC;
	assert_int_equal(l2tp_xport_rto(&A.x), 8 * SEC);
}

static void test_xport_finish_hook(void **state)
{
	struct ep c, d;
	uint8_t buf[128];

	/* Over IP: the header starts after 4 bytes of Session ID 0. */
	ep_init(&c, NULL, 4);
	ep_init(&d, NULL, 4);
	c.x.ns_next = 300;
	c.x.nr = 77;
	assert_int_equal(send_msg(&c, 5), 300);
	assert_int_equal(xfer(&c, &d, 0), 20);
	assert_int_equal(c.finish_calls, 1);
	assert_int_equal(c.fin_ns, 300);
	assert_int_equal(c.fin_nr, 77);
	assert_int_equal(get16(c.last + 4 + 8), 300);
	assert_int_equal(get16(c.last + 4 + 10), 77);
	assert_int_equal(d.x.stats.rx_out_of_window, 1); /* d expects Ns 0 */

	/* A failing finish: nothing sent, state unchanged, error returned. */
	assert_int_equal(send_msg(&c, 6), 301);
	c.x.cwnd = 2;
	c.finish_rc = -EIO;
	assert_int_equal(l2tp_xport_write_pkt(&c.x, buf, sizeof(buf), 0), -EIO);
	assert_int_equal(c.x.stats.tx_msgs, 1);
	assert_int_equal(c.x.inflight, 1);
	c.finish_rc = 0;
	assert_int_equal(l2tp_xport_write_pkt(&c.x, buf, 10, 0), -ENOSPC);
	assert_int_equal(l2tp_xport_write_pkt(&c.x, buf, sizeof(buf), 0), 20);
	assert_int_equal(c.finish_calls, 3);
	assert_int_equal(c.fin_ns, 301);
	assert_int_equal(c.x.inflight, 2);

	/* A retransmission calls it again, with the same Ns. */
	assert_int_equal(l2tp_xport_on_timeout(&c.x, 1 * SEC), 0);
	assert_int_equal(l2tp_xport_write_pkt(&c.x, buf, sizeof(buf), 1 * SEC), 20);
	assert_int_equal(c.finish_calls, 4);
	assert_int_equal(c.fin_ns, 300);
	assert_int_equal(l2tp_xport_write_pkt(&c.x, buf, sizeof(buf), 1 * SEC), 20);
	assert_int_equal(c.finish_calls, 5);
	assert_int_equal(c.fin_ns, 301);
	ep_fini(&c);
	ep_fini(&d);
}

static void test_xport_retransmit_carries_new_nr(void **state)
{
	assert_int_equal(send_msg(&A, 1), 0);
	A.drop_next = 1;
	assert_int_equal(xfer(&A, &B, 0), 16);
	assert_int_equal(get16(A.last + 10), 0);
	/* B sends its own message meanwhile; A gets it, now Nr = 1. */
	assert_int_equal(send_msg(&B, 2), 0);
	assert_int_equal(xfer(&B, &A, 10 * MS), 16);
	assert_int_equal(A.x.nr, 1);
	assert_true(A.x.ack_pending);
	/* A's retransmission at 1 s... but its ack was due earlier: ZLB first. */
	assert_int_equal(xfer(&A, &B, 110 * MS), 12);
	assert_int_equal(get16(A.last + 8), 1); /* ns_next */
	assert_int_equal(get16(A.last + 10), 1);
	assert_int_equal(l2tp_xport_pending(&B.x), 0);
	/* B answers something else, so A's Nr moves to 2 before the retry. */
	assert_int_equal(send_msg(&B, 3), 1);
	assert_int_equal(xfer(&B, &A, 500 * MS), 16);
	assert_int_equal(A.x.nr, 2);
	assert_int_equal(l2tp_xport_next_deadline(&A.x, 500 * MS), 600 * MS);
	assert_int_equal(l2tp_xport_on_timeout(&A.x, 1 * SEC), 0);
	assert_int_equal(xfer(&A, &B, 1 * SEC), 16);
	assert_int_equal(get16(A.last + 8), 0);
	assert_int_equal(get16(A.last + 10), 2);
	assert_int_equal(A.fin_nr, 2);
	assert_false(A.x.ack_pending); /* the retransmission carried it */
	assert_int_equal(A.x.stats.tx_retransmits, 1);
	assert_int_equal(B.ndeliv, 1);
	assert_int_equal(B.delivered[0], 1);
	/* B's delayed ack clears A's queue; nothing else is due anywhere. */
	run(&A, &B, 1 * SEC, 20 * SEC);
	assert_int_equal(l2tp_xport_pending(&A.x), 0);
	assert_int_equal(l2tp_xport_pending(&B.x), 0);
	assert_true(l2tp_xport_idle(&A.x));
	assert_true(l2tp_xport_idle(&B.x));
}

static void test_xport_lossy_exchange(void **state)
{
	l2tp_time_t now = 0;

	l2tp_xport_set_peer_rwnd(&A.x, 8);
	l2tp_xport_set_peer_rwnd(&B.x, 8);
	for (uint32_t i = 0; i < 30; i++) {
		send_msg(&A, i);
		if (i % 3 == 0)
			send_msg(&B, 1000 + i);
	}
	/* Lose every 4th datagram from A and every 5th from B, for a while. */
	for (int step = 0; step < 200 && !(l2tp_xport_idle(&A.x) && l2tp_xport_idle(&B.x));
	     step++) {
		if (A.sent_dgrams % 4 == 3 && A.sent_dgrams < 40)
			A.drop_next = 1;
		if (B.sent_dgrams % 5 == 4 && B.sent_dgrams < 40)
			B.drop_next = 1;
		ssize_t na = xfer(&A, &B, now), nb = xfer(&B, &A, now);

		assert_true(na >= 0 && nb >= 0);
		if (na || nb)
			continue;
		l2tp_time_t t = l2tp_xport_next_deadline(&A.x, now),
			    u = l2tp_xport_next_deadline(&B.x, now);

		now = t < u ? t : u;
		assert_true(now != L2TP_TIME_NEVER);
		assert_int_equal(l2tp_xport_on_timeout(&A.x, now), 0);
		assert_int_equal(l2tp_xport_on_timeout(&B.x, now), 0);
	}
	assert_true(l2tp_xport_idle(&A.x) && l2tp_xport_idle(&B.x));
	assert_int_equal(B.ndeliv, 30);
	for (uint32_t i = 0; i < 30; i++)
		assert_int_equal(B.delivered[i], i);
	assert_int_equal(A.ndeliv, 10);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(A.delivered[i], 1000 + 3 * i);
	assert_int_equal(B.x.stats.rx_msgs, 30);
	assert_true(A.x.stats.tx_retransmits > 0);
	assert_int_equal(A.x.stats.rx_bad_nr + B.x.stats.rx_bad_nr, 0);
}

static void test_xport_fini_frees_all(void **state)
{
	struct ep c;
	uint8_t pkt[16];

	ep_init(&c, NULL, 0);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(send_msg(&c, i), (int)i);
	assert_int_equal(xfer(&c, &B, 0), 16);
	put_hdr(pkt, 16, 0, 0);
	memset(pkt + 12, 0, 4);
	for (uint16_t ns = 2; ns < 6; ns++) {
		put16(pkt + 8, ns);
		assert_int_equal(feed(&c, pkt, 16, 0), L2TP_XPORT_HELD);
	}
	assert_int_equal(c.cm.live, 10);
	l2tp_xport_fini(&c.x);
	assert_int_equal(c.cm.live, 0);
	assert_null(c.x.txq);
	assert_null(c.x.rxq);
	assert_int_equal(l2tp_xport_pending(&c.x), 0);
	/* Re-initialised and used again. */
	l2tp_xport_init(&c.x, NULL, &ops, &c, &c.mem, 0, 0);
	assert_int_equal(send_msg(&c, 9), 0);
	ep_fini(&c);

	/* NULL mem: calloc/free (ASan sees any leak). */
	struct l2tp_xport x;

	l2tp_xport_init(&x, NULL, &ops, NULL, NULL, 0, 0);
	put_hdr(pkt, 16, 0, 0);
	assert_int_equal(l2tp_xport_queue(&x, pkt, 16, 1), 0);
	put16(pkt + 8, 3);
	assert_int_equal(l2tp_xport_rx(&x, 3, 0, false, pkt, 16, 0), L2TP_XPORT_HELD);
	l2tp_xport_fini(&x);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_xport_defaults),
	    T(test_xport_in_order_piggyback),
	    T(test_xport_delayed_zlb),
	    T(test_xport_duplicate),
	    T(test_xport_out_of_order),
	    T(test_xport_out_of_window),
	    T(test_xport_wrap),
	    T(test_xport_window_slow_start),
	    T(test_xport_congestion_avoidance),
	    T(test_xport_backoff_and_failure),
	    T(test_xport_bad_nr),
	    T(test_xport_rtt),
	    T(test_xport_finish_hook),
	    T(test_xport_retransmit_carries_new_nr),
	    T(test_xport_lossy_exchange),
	    T(test_xport_fini_frees_all),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
