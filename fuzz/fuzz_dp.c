// SPDX-License-Identifier: MIT
/*
 * fuzz_dp.c - a session's receive path (and some transmits) driven by
 * arbitrary bytes, with the reorder queue and a fixed buffer pool.
 *
 * Input: byte 0 picks one of the session configs below; then records of
 *   op (1 byte) | len (1 byte) | len bytes
 * op & 3: 0 = decap the bytes as a received packet, 1 = encapsulate them,
 * 2 = advance time by len ms and pop, 3 = decap a valid packet made by a
 * mirror session with sequence number from the bytes (exercises the
 * sequence rules more than random bytes can). op >> 2 advances time.
 *
 * Invariants: no out-of-bounds access (ASan); a buffer is never handed
 * back twice nor lost (every pool slot is free again after the final
 * flush); delivered views lie inside their buffer; rx_packets equals the
 * number of deliveries; the queue never exceeds its bound + 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/dp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define NSLOT (L2TP_DP_REORDER_MAX + 4)
#define SLOT 512
#define HEAD 64

static uint8_t pool[NSLOT][SLOT];
static bool busy[NSLOT];
static struct l2tp_dp_session s, peer;
static uint64_t delivered;

static const uint8_t ck[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void make_cfg(unsigned int pick, struct l2tp_dp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->tunnel_id = 10;
	c->peer_tunnel_id = 10;
	c->session_id = 20;
	c->peer_session_id = 20;
	switch (pick % 6) {
	case 0: /* v3 UDP, no cookie, no sublayer */
		c->version = 3;
		break;
	case 1: /* v3 IP, 8-byte cookie, default sublayer, seq, reorder */
		c->version = 3;
		c->encap = L2TP_ENCAP_IP;
		c->cookie_len = c->peer_cookie_len = 8;
		c->l2spec_type = L2TP_L2SPEC_DEFAULT;
		c->send_seq = c->recv_seq = true;
		c->reorder_timeout = 50 * L2TP_MSEC;
		c->reorder_cap = 8;
		break;
	case 2: /* v3 UDP, 4-byte cookie, default sublayer, seq, no reorder */
		c->version = 3;
		c->cookie_len = c->peer_cookie_len = 4;
		c->l2spec_type = L2TP_L2SPEC_DEFAULT;
		c->send_seq = c->recv_seq = true;
		break;
	case 3: /* v2 LAC, reorder */
		c->version = 2;
		c->reorder_timeout = 10 * L2TP_MSEC;
		c->reorder_cap = L2TP_DP_REORDER_MAX;
		break;
	case 4: /* v2 LNS with every transmit option */
		c->version = 2;
		c->lns_mode = true;
		c->send_seq = true;
		c->v2_send_length = true;
		c->v2_send_offset = true;
		c->v2_offset = 4;
		break;
	default: /* v3 UDP default sublayer, LAC, reorder, tiny queue */
		c->version = 3;
		c->l2spec_type = L2TP_L2SPEC_DEFAULT;
		c->reorder_timeout = 1;
		c->reorder_cap = 1;
		break;
	}
	memcpy(c->cookie, ck, 8);
	memcpy(c->peer_cookie, ck, 8);
}

static int take(void)
{
	for (int i = 0; i < NSLOT; i++)
		if (!busy[i]) {
			busy[i] = true;
			return i;
		}
	return -1;
}

static void give_back(const struct l2tp_dp_buf *b)
{
	uintptr_t i = (uintptr_t)b->user - 1;

	CHECK(i < NSLOT && busy[i] && b->data == pool[i]);
	CHECK(b->off <= b->cap && b->len <= b->cap - b->off);
	busy[i] = false;
}

static void drain(l2tp_time_t now)
{
	struct l2tp_dp_buf b;

	while (l2tp_dp_pop(&s, now, &b)) {
		delivered++;
		give_back(&b);
	}
	CHECK(l2tp_reorder_count(&s.rq) <= (unsigned int)s.rq.cap + 1);
}

static void rx(int slot, size_t len, l2tp_time_t now)
{
	struct l2tp_dp_buf b = {.data = pool[slot],
				.cap = SLOT,
				.off = HEAD,
				.len = len,
				.user = (void *)(uintptr_t)(slot + 1)};

	switch (l2tp_dp_decap(&s, &b, now, NULL)) {
	case L2TP_DP_DELIVER:
		delivered++;
		give_back(&b);
		break;
	case L2TP_DP_QUEUED:
		break;
	case L2TP_DP_DROP:
		give_back(&b);
		break;
	}
	drain(now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_dp_cfg c, m;
	struct l2tp_dp_buf b;
	l2tp_time_t now = 1000;
	size_t i = 1;

	if (size < 1)
		return 0;
	make_cfg(data[0], &c);
	m = c;
	CHECK(l2tp_dp_session_init(&s, &c) == 0);
	CHECK(l2tp_dp_session_init(&peer, &m) == 0);
	memset(busy, 0, sizeof(busy));
	delivered = 0;

	while (i + 2 <= size) {
		unsigned int op = data[i], len = data[i + 1];
		const uint8_t *p = data + i + 2;
		int slot;

		if (len > size - i - 2)
			len = (unsigned int)(size - i - 2);
		i += 2 + len;
		now += (op >> 2) * L2TP_MSEC;
		switch (op & 3) {
		case 0:
			slot = take();
			if (slot < 0)
				break;
			memcpy(pool[slot] + HEAD, p, len);
			rx(slot, len, now);
			break;
		case 1:
			slot = take();
			if (slot < 0)
				break;
			b = (struct l2tp_dp_buf){.data = pool[slot],
						 .cap = SLOT,
						 .off = len % (HEAD + 1),
						 .len = len,
						 .user = (void *)(uintptr_t)(slot + 1)};
			if (l2tp_dp_encap(&s, &b) == 0)
				CHECK(b.len == len + l2tp_dp_overhead(&s));
			give_back(&b);
			break;
		case 2:
			now += len * L2TP_MSEC;
			drain(now);
			if (l2tp_dp_next_deadline(&s) <= now)
				drain(now);
			break;
		default:
			slot = take();
			if (slot < 0)
				break;
			b = (struct l2tp_dp_buf){.data = pool[slot],
						 .cap = SLOT,
						 .off = HEAD,
						 .len = len > 2 ? len - 2 : 0,
						 .user = (void *)(uintptr_t)(slot + 1)};
			memset(pool[slot] + HEAD, 0, b.len);
			peer.send_seq = len & 1;
			peer.ns = len >= 2 ? (uint32_t)(p[0] << 8 | p[1]) & peer.seq_mask : 0;
			CHECK(l2tp_dp_encap(&peer, &b) == 0);
			memmove(pool[slot] + HEAD, b.data + b.off, b.len);
			rx(slot, b.len, now);
			break;
		}
	}
	CHECK(s.stats.rx_packets == delivered);
	while (l2tp_dp_flush(&s, &b))
		give_back(&b);
	for (int k = 0; k < NSLOT; k++)
		CHECK(!busy[k]);
	return 0;
}
