// SPDX-License-Identifier: MIT
/*
 * test_dp.c - the data plane of one session: encap known answers, MTU
 * arithmetic (ip-l2tp(8)'s 1488/1446), decap with cookies and sublayers,
 * the kernel's sequence rules, the reorder queue, counters. Time is a
 * number passed in; nothing sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <l2tp/dp.h>
#include "testlib.h"

#define NSLOTS 80
#define SLOT_SZ 128
#define HEAD 40

static uint8_t pool[NSLOTS][SLOT_SZ];
static struct l2tp_dp_session tx, rx;

static const uint8_t ck4[4] = {0xa1, 0xa2, 0xa3, 0xa4};
static const uint8_t ck8[8] = {0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8};

/* A v3 config and its mirror (the peer's view). */
static struct l2tp_dp_cfg v3cfg(enum l2tp_encap e, uint8_t cookie_len, enum l2tp_l2spec l2)
{
	struct l2tp_dp_cfg c = {.version = 3,
				.encap = e,
				.tunnel_id = 1,
				.peer_tunnel_id = 2,
				.session_id = 0x1000,
				.peer_session_id = 0x2000,
				.cookie_len = cookie_len,
				.peer_cookie_len = cookie_len,
				.l2spec_type = (uint8_t)l2};

	memcpy(c.cookie, cookie_len == 4 ? ck4 : ck8, cookie_len);
	memcpy(c.peer_cookie, cookie_len == 4 ? ck4 : ck8, cookie_len);
	return c;
}

static struct l2tp_dp_cfg mirror(struct l2tp_dp_cfg c)
{
	uint32_t t = c.tunnel_id;

	c.tunnel_id = c.peer_tunnel_id;
	c.peer_tunnel_id = t;
	t = c.session_id;
	c.session_id = c.peer_session_id;
	c.peer_session_id = t;
	return c;
}

static void pair(const struct l2tp_dp_cfg *rxcfg)
{
	struct l2tp_dp_cfg t = mirror(*rxcfg);

	assert_int_equal(l2tp_dp_session_init(&rx, rxcfg), 0);
	assert_int_equal(l2tp_dp_session_init(&tx, &t), 0);
}

/* A 4-byte frame "tag tag tag tag" in slot |slot|, with headroom. */
static struct l2tp_dp_buf frame(unsigned int slot, uint8_t tag)
{
	struct l2tp_dp_buf b = {.data = pool[slot],
				.cap = SLOT_SZ,
				.off = HEAD,
				.len = 4,
				.user = (void *)(uintptr_t)(slot + 1)};

	memset(pool[slot], 0xee, SLOT_SZ);
	memset(pool[slot] + HEAD, tag, 4);
	return b;
}

/* Encapsulate from |tx| with sequence number |seq| (when tx sends them). */
static struct l2tp_dp_buf pkt(unsigned int slot, uint32_t seq)
{
	struct l2tp_dp_buf b = frame(slot, (uint8_t)seq);

	tx.ns = seq & tx.seq_mask;
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	return b;
}

static uint8_t tag_of(const struct l2tp_dp_buf *b)
{
	assert_int_equal(b->len, 4);
	return b->data[b->off];
}

/* Decap and check the verdict; on DELIVER check the payload tag. */
static void rx_expect(struct l2tp_dp_buf b, l2tp_time_t now, enum l2tp_dp_verdict v)
{
	uint8_t tag = b.data[b.off + b.len - 1];

	assert_int_equal(l2tp_dp_decap(&rx, &b, now, NULL), v);
	if (v == L2TP_DP_DELIVER)
		assert_int_equal(tag_of(&b), tag);
}

/* Pop everything releasable at |now| and compare the tags in order. */
static void pop_expect(l2tp_time_t now, const uint8_t *tags, size_t n)
{
	struct l2tp_dp_buf b;

	for (size_t i = 0; i < n; i++) {
		assert_true(l2tp_dp_pop(&rx, now, &b));
		assert_int_equal(tag_of(&b), tags[i]);
	}
	assert_false(l2tp_dp_pop(&rx, now, &b));
}

/* ---- configuration ----------------------------------------------------------- */

static void test_dp_init_rejects_bad_config(void **state)
{
	struct l2tp_dp_cfg ok = v3cfg(L2TP_ENCAP_UDP, 4, L2TP_L2SPEC_DEFAULT), c;
	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 1,
				 .peer_tunnel_id = 2,
				 .session_id = 3,
				 .peer_session_id = 4};

	assert_int_equal(l2tp_dp_session_init(&rx, &ok), 0);
	assert_int_equal(rx.seq_mask, 0xffffff);
	assert_int_equal(rx.rq.cap, L2TP_DP_REORDER_DEFAULT);
	assert_int_equal(l2tp_dp_session_init(&rx, &v2), 0);
	assert_int_equal(rx.seq_mask, 0xffff);

	c = ok, c.version = 1;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = ok, c.encap = (enum l2tp_encap)2;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = ok, c.session_id = 0;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = ok, c.peer_session_id = 0;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = ok, c.cookie_len = 5;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = ok, c.peer_cookie_len = 2;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = ok, c.l2spec_type = 2;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = v2, c.encap = L2TP_ENCAP_IP;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = v2, c.session_id = 0x10000;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = v2, c.peer_tunnel_id = 0x10000;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
	c = v2, c.cookie_len = 4;
	assert_int_equal(l2tp_dp_session_init(&rx, &c), -EINVAL);
}

/*
 * ip-l2tp(8)'s examples use UDP encap with the default sublayer and no
 * cookie: 12 bytes of L2TPv3 (8 session header + 4 sublayer). "mtu 1488"
 * (IP interfaces) is 1500 - 12, letting the underlay fragment; "mtu 1446"
 * (bridged) is 1500 - 20 IPv4 - 8 UDP - 12 - 14 inner Ethernet, which is
 * also what the kernel's l2tp_eth picks by default.
 */
static void test_dp_overhead_and_mtu(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_DEFAULT);

	assert_int_equal(l2tp_dp_session_init(&rx, &c), 0);
	assert_int_equal(l2tp_dp_overhead(&rx), 12);
	assert_int_equal(1500 - l2tp_dp_overhead(&rx), 1488);
	assert_int_equal(l2tp_dp_eth_mtu(&rx, 1500, false), 1446);
	assert_int_equal(l2tp_dp_eth_mtu(&rx, 1500, true), 1426);

	/* IP encap, no cookie, default sublayer: 1500 - 20 - 8 - 14. */
	c = v3cfg(L2TP_ENCAP_IP, 0, L2TP_L2SPEC_DEFAULT);
	assert_int_equal(l2tp_dp_session_init(&rx, &c), 0);
	assert_int_equal(l2tp_dp_overhead(&rx), 8);
	assert_int_equal(l2tp_dp_eth_mtu(&rx, 1500, false), 1458);
	/* IP encap, 8-byte cookie, default sublayer: 4 + 8 + 4. */
	c = v3cfg(L2TP_ENCAP_IP, 8, L2TP_L2SPEC_DEFAULT);
	assert_int_equal(l2tp_dp_session_init(&rx, &c), 0);
	assert_int_equal(l2tp_dp_overhead(&rx), 16);
	assert_int_equal(l2tp_dp_eth_mtu(&rx, 1500, false), 1450);
	/* UDP, 4-byte cookie, no sublayer. */
	c = v3cfg(L2TP_ENCAP_UDP, 4, L2TP_L2SPEC_NONE);
	assert_int_equal(l2tp_dp_session_init(&rx, &c), 0);
	assert_int_equal(l2tp_dp_overhead(&rx), 12);
	assert_int_equal(l2tp_dp_eth_mtu(&rx, 54, false), 0);
	assert_int_equal(l2tp_dp_eth_mtu(&rx, 55, false), 1);

	/* v2: 6, +2 Length, +4 Ns/Nr, +2+pad Offset. */
	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 1,
				 .peer_tunnel_id = 2,
				 .session_id = 3,
				 .peer_session_id = 4};

	assert_int_equal(l2tp_dp_session_init(&rx, &v2), 0);
	assert_int_equal(l2tp_dp_overhead(&rx), 6);
	v2.send_seq = true;
	v2.v2_send_length = true;
	v2.v2_send_offset = true;
	v2.v2_offset = 2;
	assert_int_equal(l2tp_dp_session_init(&rx, &v2), 0);
	assert_int_equal(l2tp_dp_overhead(&rx), 16);
}

/* ---- encap ------------------------------------------------------------------- */

static void test_dp_encap_known_answers(void **state)
{
	uint8_t want[64];
	size_t n;
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 8, L2TP_L2SPEC_DEFAULT);
	struct l2tp_dp_buf b;

	c.send_seq = true;
	assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
	b = frame(0, 0x55);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("0003 0000 00002000 b1b2b3b4b5b6b7b8 40000000 55555555", want, sizeof(want));
	assert_int_equal(b.off, HEAD - 20);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data + b.off, want, n);
	assert_int_equal(b.data[b.off - 1], 0xee); /* nothing before the header */
	b = frame(0, 0x55);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("0003 0000 00002000 b1b2b3b4b5b6b7b8 40000001 55555555", want, sizeof(want));
	assert_memory_equal(b.data + b.off, want, n);
	assert_int_equal(tx.stats.tx_packets, 2);
	assert_int_equal(tx.stats.tx_bytes, 48);

	/* IP encap, 4-byte cookie, sublayer without sequencing: zero word. */
	c = v3cfg(L2TP_ENCAP_IP, 4, L2TP_L2SPEC_DEFAULT);
	assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
	b = frame(0, 0x66);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("00002000 a1a2a3a4 00000000 66666666", want, sizeof(want));
	assert_memory_equal(b.data + b.off, want, n);
	assert_int_equal(tx.ns, 0);

	/* No sublayer: sequencing cannot be sent, ns does not move. */
	c = v3cfg(L2TP_ENCAP_IP, 0, L2TP_L2SPEC_NONE);
	c.send_seq = true;
	assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
	b = frame(0, 0x77);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("00002000 77777777", want, sizeof(want));
	assert_memory_equal(b.data + b.off, want, n);
	assert_int_equal(tx.ns, 0);

	/* v2 with L, S, O (offset 2): Nr sent as 0. */
	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 1,
				 .peer_tunnel_id = 0x0102,
				 .session_id = 3,
				 .peer_session_id = 0x0304,
				 .send_seq = true,
				 .v2_send_length = true,
				 .v2_send_offset = true,
				 .v2_offset = 2};

	assert_int_equal(l2tp_dp_session_init(&tx, &v2), 0);
	tx.ns = 0xffff;
	b = frame(0, 0x88);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("4a02 0014 0102 0304 ffff 0000 0002 0000 88888888", want, sizeof(want));
	assert_memory_equal(b.data + b.off, want, n);
	assert_int_equal(tx.ns, 0); /* 16-bit wrap */
	/* Plain v2 (what the kernel sends without sequencing). */
	v2 =
	    (struct l2tp_dp_cfg){.version = 2, .peer_tunnel_id = 0x0102, .peer_session_id = 0x0304};
	assert_int_equal(l2tp_dp_session_init(&tx, &v2), 0);
	b = frame(0, 0x99);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("0002 0102 0304 99999999", want, sizeof(want));
	assert_memory_equal(b.data + b.off, want, n);

	/* v3 24-bit wrap. */
	c = v3cfg(L2TP_ENCAP_IP, 0, L2TP_L2SPEC_DEFAULT);
	c.send_seq = true;
	assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
	tx.ns = 0xffffff;
	b = frame(0, 0x11);
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	n = tl_hex("00002000 40ffffff 11111111", want, sizeof(want));
	assert_memory_equal(b.data + b.off, want, n);
	assert_int_equal(tx.ns, 0);
}

static void test_dp_encap_errors_and_tx_counters(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 8, L2TP_L2SPEC_DEFAULT);
	struct l2tp_dp_buf b;

	assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
	b = frame(0, 1);
	b.off = 19; /* one byte short of headroom */
	assert_int_equal(l2tp_dp_encap(&tx, &b), -ENOSPC);
	assert_int_equal(b.off, 19);
	assert_int_equal(tx.stats.tx_errors, 1);
	b.off = 20;
	b.len = SLOT_SZ; /* frame runs past the buffer */
	assert_int_equal(l2tp_dp_encap(&tx, &b), -EMSGSIZE);
	assert_int_equal(tx.stats.tx_errors, 2);
	b.len = 4;
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	assert_int_equal(b.off, 0);
	assert_int_equal(tx.stats.tx_packets, 1);
	assert_int_equal(tx.stats.tx_bytes, 24);
	l2tp_dp_tx_failed(&tx, b.len);
	assert_int_equal(tx.stats.tx_packets, 0);
	assert_int_equal(tx.stats.tx_bytes, 0);
	assert_int_equal(tx.stats.tx_errors, 3);
	l2tp_dp_tx_failed(&tx, 100); /* never underflows */
	assert_int_equal(tx.stats.tx_packets, 0);
	assert_int_equal(tx.stats.tx_bytes, 0);

	/* v2 Length overflow. */
	static uint8_t big[70000];
	struct l2tp_dp_cfg v2 = {.version = 2, .v2_send_length = true};

	assert_int_equal(l2tp_dp_session_init(&tx, &v2), 0);
	b = (struct l2tp_dp_buf){.data = big, .cap = sizeof(big), .off = 8, .len = 0xffff - 7};
	assert_int_equal(l2tp_dp_encap(&tx, &b), -EMSGSIZE);
	b.len = 0xffff - 8;
	assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
	assert_int_equal(b.len, 0xffff);
	assert_int_equal(big[2], 0xff);
	assert_int_equal(big[3], 0xff);
}

/* ---- decap ------------------------------------------------------------------- */

static void test_dp_decap_every_form(void **state)
{
	static const enum l2tp_encap encs[] = {L2TP_ENCAP_UDP, L2TP_ENCAP_IP};
	static const uint8_t cls[] = {0, 4, 8};
	static const enum l2tp_l2spec l2s[] = {L2TP_L2SPEC_NONE, L2TP_L2SPEC_DEFAULT};

	for (size_t e = 0; e < 2; e++) {
		for (size_t k = 0; k < 3; k++) {
			for (size_t l = 0; l < 2; l++) {
				struct l2tp_dp_cfg c = v3cfg(encs[e], cls[k], l2s[l]);
				struct l2tp_dp_buf b;
				size_t hl;

				c.send_seq = c.recv_seq = l2s[l] == L2TP_L2SPEC_DEFAULT;
				pair(&c);
				hl = l2tp_dp_overhead(&rx);
				for (uint32_t i = 0; i < 3; i++) {
					b = pkt(i, i);
					assert_int_equal(b.len, hl + 4);
					rx_expect(b, 0, L2TP_DP_DELIVER);
				}
				assert_int_equal(rx.stats.rx_packets, 3);
				assert_int_equal(rx.stats.rx_bytes, 3 * (hl + 4));
				assert_int_equal(rx.stats.rx_errors, 0);
				assert_int_equal(rx.nr, l2s[l] == L2TP_L2SPEC_DEFAULT ? 3 : 0);
			}
		}
	}

	/* v2 with every transmit option. */
	for (unsigned int opt = 0; opt < 8; opt++) {
		struct l2tp_dp_cfg c = {.version = 2,
					.tunnel_id = 11,
					.peer_tunnel_id = 22,
					.session_id = 33,
					.peer_session_id = 44,
					.send_seq = opt & 1,
					.v2_send_length = opt & 2,
					.v2_send_offset = opt & 4,
					.v2_offset = 3};

		pair(&c);
		rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
		rx_expect(pkt(1, 1), 0, L2TP_DP_DELIVER);
		assert_int_equal(rx.stats.rx_packets, 2);
	}
}

static void test_dp_decap_cookie_mismatch(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_IP, 8, L2TP_L2SPEC_DEFAULT);
	struct l2tp_dp_buf b;
	struct l2tp_diag d = {0};

	pair(&c);
	b = pkt(0, 0);
	b.data[b.off + 4 + 7] ^= 1; /* last cookie byte */
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	assert_string_equal(d.reason, "cookie mismatch");
	assert_int_equal(rx.stats.rx_cookie_discards, 1);
	assert_int_equal(rx.stats.rx_errors, 1);
	assert_int_equal(rx.stats.rx_packets, 0);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);

	/* 4-byte cookie expected, peer sends a different 4-byte cookie. */
	c = v3cfg(L2TP_ENCAP_UDP, 4, L2TP_L2SPEC_NONE);
	pair(&c);
	tx.cfg.cookie[0] = 0;
	rx_expect(pkt(0, 0), 0, L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_cookie_discards, 1);
	/* No cookie expected: any bytes are payload. */
	c = v3cfg(L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_NONE);
	pair(&c);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
}

static void test_dp_decap_invalid(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 8, L2TP_L2SPEC_DEFAULT);
	struct l2tp_dp_buf b, full;
	struct l2tp_diag d = {0};

	pair(&c);
	full = pkt(0, 0);
	/* Every truncation of the header. */
	for (size_t k = 0; k < 20; k++) {
		b = full;
		b.len = k;
		assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	}
	assert_int_equal(rx.stats.rx_invalid, 20);
	assert_int_equal(rx.stats.rx_errors, 0);
	/* Header only: an empty frame is delivered. */
	b = full;
	b.len = 20;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DELIVER);
	assert_int_equal(b.len, 0);
	/* Wrong session id, wrong version, control bit. */
	b = pkt(1, 1);
	b.data[b.off + 7] ^= 1;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	assert_string_equal(d.reason, "session id mismatch");
	b = pkt(1, 1);
	b.data[b.off + 1] = 2;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DROP);
	b = pkt(1, 1);
	b.data[b.off] |= 0x80;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DROP);
	/* A view outside its buffer. */
	b = pkt(1, 1);
	b.off = SLOT_SZ + 1;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_invalid, 24);
	assert_int_equal(rx.stats.rx_errors, 0);

	/* v2: ids checked against ours, malformed refused. */
	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 11,
				 .peer_tunnel_id = 22,
				 .session_id = 33,
				 .peer_session_id = 44};

	pair(&v2);
	b = pkt(0, 0);
	b.data[b.off + 3] = 12; /* tunnel 11 -> 12 */
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DROP);
	b = pkt(0, 0);
	b.data[b.off + 5] = 34;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DROP);
	b = pkt(0, 0);
	b.len = 5;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, NULL), L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_invalid, 3);
}

/* ---- sequence rules ------------------------------------------------------------ */

static void test_dp_seq_in_order_and_wrap(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_IP, 0, L2TP_L2SPEC_DEFAULT);

	c.send_seq = c.recv_seq = true;
	pair(&c);
	rx.nr = 0xfffffd;
	for (uint32_t s = 0xfffffd; s != 0x000003; s = (s + 1) & 0xffffff)
		rx_expect(pkt(0, s), 0, L2TP_DP_DELIVER);
	assert_int_equal(rx.nr, 3);
	assert_int_equal(rx.stats.rx_packets, 6);

	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 1,
				 .peer_tunnel_id = 2,
				 .session_id = 3,
				 .peer_session_id = 4,
				 .send_seq = true,
				 .recv_seq = true,
				 .lns_mode = true};

	pair(&v2);
	rx.nr = 0xfffe;
	for (uint32_t s = 0xfffe; s != 0x0002; s = (s + 1) & 0xffff)
		rx_expect(pkt(0, s), 0, L2TP_DP_DELIVER);
	assert_int_equal(rx.nr, 2);
	assert_int_equal(rx.stats.rx_seq_discards, 0);
}

/*
 * reorder_timeout 0: the kernel drops every packet that is not the expected
 * number, and resynchronises after more than 4 consecutive ones.
 */
static void test_dp_seq_no_reorder_drops_and_resyncs(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_DEFAULT);

	c.send_seq = c.recv_seq = true;
	pair(&c);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(0, 2), 0, L2TP_DP_DROP); /* 1 missing */
	rx_expect(pkt(0, 1), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(0, 1), 0, L2TP_DP_DROP); /* duplicate */
	rx_expect(pkt(0, 2), 0, L2TP_DP_DELIVER);
	assert_int_equal(rx.stats.rx_seq_discards, 2);
	assert_int_equal(rx.stats.rx_errors, 2);
	assert_int_equal(rx.stats.rx_oos_packets, 0);

	/* Peer jumps to 100: 100..104 dropped (count 0,1,2,3,4), 105 taken. */
	for (uint32_t s = 100; s <= 104; s++)
		rx_expect(pkt(0, s), 0, L2TP_DP_DROP);
	rx_expect(pkt(0, 105), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(0, 106), 0, L2TP_DP_DELIVER);
	assert_int_equal(rx.nr, 107);
	assert_int_equal(rx.stats.rx_seq_discards, 7);

	/* Non-consecutive strays never resynchronise. */
	for (uint32_t i = 0; i < 20; i++)
		rx_expect(pkt(0, 1000 + 2 * i), 0, L2TP_DP_DROP);
	rx_expect(pkt(0, 107), 0, L2TP_DP_DELIVER);
	assert_int_equal(l2tp_dp_next_deadline(&rx), L2TP_TIME_NEVER);
}

static void test_dp_seq_missing_numbers(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_DEFAULT);
	struct l2tp_dp_buf b;
	struct l2tp_diag d = {0};

	/* recv_seq: a packet without a number is dropped. */
	c.recv_seq = true;
	pair(&c);
	b = pkt(0, 0); /* tx does not send numbers */
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	assert_string_equal(d.reason, "no sequence number, recv_seq set");
	assert_int_equal(rx.stats.rx_seq_discards, 1);
	assert_int_equal(rx.stats.rx_errors, 1);

	/* LNS sending numbers: a LAC that does not is broken: drop. */
	c.recv_seq = false;
	c.send_seq = true;
	c.lns_mode = true;
	pair(&c);
	tx.send_seq = false;
	rx_expect(pkt(0, 0), 0, L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_seq_discards, 1);
	assert_true(rx.send_seq);

	/* Neither: packets without numbers are fine. */
	c = v3cfg(L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_DEFAULT);
	pair(&c);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
}

/* RFC 2661 §5.4: the LNS switches the LAC's sequencing on and off. */
static void test_dp_seq_lac_follows_lns(void **state)
{
	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 1,
				 .peer_tunnel_id = 2,
				 .session_id = 3,
				 .peer_session_id = 4};
	struct l2tp_dp_buf b;

	pair(&v2); /* rx is the LAC (lns_mode 0) */
	tx.cfg.lns_mode = true;
	assert_int_equal(l2tp_dp_overhead(&rx), 6);
	tx.send_seq = true;
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	assert_true(rx.send_seq);
	assert_int_equal(l2tp_dp_overhead(&rx), 10);
	b = frame(1, 1);
	assert_int_equal(l2tp_dp_encap(&rx, &b), 0);
	assert_int_equal(b.data[b.off], 0x08); /* S bit now sent */
	tx.send_seq = false;
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	assert_false(rx.send_seq);
	assert_int_equal(l2tp_dp_overhead(&rx), 6);

	/* An LNS does not follow. */
	v2.lns_mode = true;
	pair(&v2);
	tx.send_seq = true;
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	assert_false(rx.send_seq);

	/* modify() sets the fields SESSION_MODIFY may change. */
	v2.send_seq = true;
	v2.recv_seq = true;
	v2.reorder_timeout = 5;
	assert_int_equal(l2tp_dp_session_modify(&rx, &v2), 0);
	assert_true(rx.send_seq);
	assert_true(rx.cfg.recv_seq);
	assert_int_equal(rx.cfg.reorder_timeout, 5);
}

/* ---- reorder queue ---------------------------------------------------------------- */

#define TMO (100 * L2TP_MSEC)

static void reorder_pair(uint16_t cap)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_IP, 8, L2TP_L2SPEC_DEFAULT);

	c.send_seq = c.recv_seq = true;
	c.reorder_timeout = TMO;
	c.reorder_cap = cap;
	pair(&c);
}

static void test_dp_reorder_in_order_and_swapped(void **state)
{
	reorder_pair(0);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(1, 1), 0, L2TP_DP_DELIVER);
	pop_expect(0, NULL, 0);

	/* 3 before 2: 3 waits, 2 delivered (it overtook: oos), then 3. */
	rx_expect(pkt(3, 3), 10, L2TP_DP_QUEUED);
	assert_int_equal(l2tp_dp_next_deadline(&rx), 10 + TMO);
	pop_expect(10, NULL, 0);
	rx_expect(pkt(2, 2), 20, L2TP_DP_DELIVER);
	pop_expect(20, (const uint8_t[]){3}, 1);
	assert_int_equal(rx.nr, 4);
	assert_int_equal(rx.stats.rx_oos_packets, 1);
	assert_int_equal(rx.stats.rx_packets, 4);
	assert_int_equal(l2tp_dp_next_deadline(&rx), L2TP_TIME_NEVER);

	/* 7 6 5 4 all reversed: each queued in front of the others. */
	rx_expect(pkt(7, 7), 30, L2TP_DP_QUEUED);
	rx_expect(pkt(6, 6), 30, L2TP_DP_QUEUED);
	rx_expect(pkt(5, 5), 30, L2TP_DP_QUEUED);
	pop_expect(30, NULL, 0);
	rx_expect(pkt(4, 4), 30, L2TP_DP_DELIVER);
	pop_expect(30, (const uint8_t[]){5, 6, 7}, 3);
	assert_int_equal(rx.stats.rx_oos_packets, 4);
	assert_int_equal(rx.stats.rx_packets, 8);
	assert_int_equal(rx.stats.rx_errors, 0);
	/* Queued then released packets count their full L2TP length. */
	assert_int_equal(rx.stats.rx_bytes, 8 * (16 + 4));
}

static void test_dp_reorder_gap_released_after_timeout(void **state)
{
	reorder_pair(0);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	/* 1 is lost; 2 and 3 wait. */
	rx_expect(pkt(2, 2), 1000, L2TP_DP_QUEUED);
	rx_expect(pkt(3, 3), 2000, L2TP_DP_QUEUED);
	assert_int_equal(l2tp_dp_next_deadline(&rx), 1000 + TMO);
	pop_expect(1000 + TMO - 1, NULL, 0);
	/* At 2's deadline both go, 3 because it now follows 2. */
	pop_expect(1000 + TMO, (const uint8_t[]){2, 3}, 2);
	assert_int_equal(rx.nr, 4);
	assert_int_equal(l2tp_dp_next_deadline(&rx), L2TP_TIME_NEVER);
	/* 1 finally arrives: too late, dropped. */
	rx_expect(pkt(1, 1), 3 * TMO, L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_seq_discards, 1);
	rx_expect(pkt(4, 4), 3 * TMO, L2TP_DP_DELIVER);

	/* Two gaps: 5 lost, 6 queued at t, 7 lost, 8 queued at t+50ms.
	 * At t+TMO only 6 goes; 8 waits for its own deadline. */
	l2tp_time_t t = 10 * TMO;

	rx_expect(pkt(6, 6), t, L2TP_DP_QUEUED);
	rx_expect(pkt(8, 8), t + 50 * L2TP_MSEC, L2TP_DP_QUEUED);
	pop_expect(t + TMO, (const uint8_t[]){6}, 1);
	assert_int_equal(l2tp_dp_next_deadline(&rx), t + 50 * L2TP_MSEC + TMO);
	/* 7 arrives in time: delivered, and 8 follows. */
	rx_expect(pkt(7, 7), t + TMO + 1, L2TP_DP_DELIVER);
	pop_expect(t + TMO + 1, (const uint8_t[]){8}, 1);

	/* A later-queued packet that expires first releases everything
	 * before it: 9 lost, 11 queued at t2, 10 at t2+10; at 11's deadline
	 * 10 (not yet expired itself) goes first, then 11. */
	l2tp_time_t t2 = 100 * TMO;

	rx_expect(pkt(11, 11), t2, L2TP_DP_QUEUED);
	rx_expect(pkt(10, 10), t2 + 10, L2TP_DP_QUEUED);
	pop_expect(t2 + TMO - 1, NULL, 0);
	pop_expect(t2 + TMO, (const uint8_t[]){10, 11}, 2);
	assert_int_equal(rx.nr, 12);
}

static void test_dp_reorder_duplicates(void **state)
{
	reorder_pair(0);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DROP); /* behind nr */
	rx_expect(pkt(2, 2), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(3, 2), 0, L2TP_DP_DROP); /* same as queued */
	assert_int_equal(rx.stats.rx_seq_discards, 2);
	assert_int_equal(rx.stats.rx_errors, 2);
	rx_expect(pkt(1, 1), 0, L2TP_DP_DELIVER);
	pop_expect(0, (const uint8_t[]){2}, 1);
	assert_int_equal(rx.stats.rx_packets, 3);
}

static void test_dp_reorder_queue_full(void **state)
{
	struct l2tp_dp_buf b;

	reorder_pair(4);
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	/* 1 lost; 2..5 fill the queue. */
	for (uint32_t s = 2; s <= 5; s++)
		rx_expect(pkt(s, s), 0, L2TP_DP_QUEUED);
	pop_expect(0, NULL, 0);
	/* 6 does not fit: skip ahead at once instead of waiting. */
	rx_expect(pkt(6, 6), 0, L2TP_DP_QUEUED);
	pop_expect(0, (const uint8_t[]){2, 3, 4, 5, 6}, 5);
	assert_int_equal(rx.nr, 7);
	assert_int_equal(rx.stats.rx_packets, 6);

	/* Caller that does not drain: the spare slot is used once, then drops. */
	for (uint32_t s = 8; s <= 11; s++)
		rx_expect(pkt(s, s), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(12, 12), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(13, 13), 0, L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_errors, 1);
	assert_int_equal(rx.stats.rx_seq_discards, 0);

	/* Flush gives every buffer back, counts nothing. */
	uint64_t before = rx.stats.rx_packets;
	unsigned int n = 0;

	while (l2tp_dp_flush(&rx, &b)) {
		assert_non_null(b.user);
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(rx.stats.rx_packets, before);
	assert_false(l2tp_dp_pop(&rx, 1ull << 62, &b));
}

static void test_dp_reorder_wrap(void **state)
{
	reorder_pair(0);
	rx.nr = 0xfffffe;
	rx_expect(pkt(1, 0x000001), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(2, 0xffffff), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(3, 0x000000), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(4, 0xfffffe), 0, L2TP_DP_DELIVER);
	pop_expect(0, (const uint8_t[]){0xff, 0x00, 0x01}, 3);
	assert_int_equal(rx.nr, 2);
	/* 0xfffff0 is behind 2 in the circular space: dropped. */
	rx_expect(pkt(5, 0xfffff0), 0, L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_seq_discards, 1);
}

/* A peer that restarted its numbering is followed after 5 packets. */
static void test_dp_reorder_peer_restart(void **state)
{
	reorder_pair(0);
	rx.nr = 5000;
	rx_expect(pkt(9, 5002), 0, L2TP_DP_QUEUED); /* waits for 5000 */
	for (uint32_t s = 0; s <= 4; s++)
		rx_expect(pkt(0, s), 0, L2TP_DP_DROP);
	/* 5: resync; 5002 (older traffic) goes first, then 5. */
	rx_expect(pkt(5, 5), 0, L2TP_DP_QUEUED);
	pop_expect(0, (const uint8_t[]){5002 & 0xff, 5}, 2);
	assert_int_equal(rx.nr, 6);
	rx_expect(pkt(6, 6), 0, L2TP_DP_DELIVER);
	assert_int_equal(rx.stats.rx_seq_discards, 5);
}

/* Unsequenced packets queue behind sequenced ones (kernel order). */
static void test_dp_reorder_unsequenced_behind_queue(void **state)
{
	reorder_pair(0);
	rx.cfg.recv_seq = false;
	rx.cfg.lns_mode = true; /* keep our send_seq as configured */
	rx.send_seq = false;
	rx_expect(pkt(0, 0), 0, L2TP_DP_DELIVER);
	rx_expect(pkt(2, 2), 0, L2TP_DP_QUEUED);
	tx.send_seq = false;
	rx_expect(pkt(9, 9), 0, L2TP_DP_QUEUED); /* no number: behind 2 */
	tx.send_seq = true;
	rx_expect(pkt(1, 1), 0, L2TP_DP_DELIVER);
	pop_expect(0, (const uint8_t[]){2, 9}, 2);
	/* Unsequenced head, then the expected number: sorted behind it. */
	rx_expect(pkt(4, 4), 0, L2TP_DP_QUEUED);
	tx.send_seq = false;
	rx_expect(pkt(8, 8), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(7, 7), 0, L2TP_DP_QUEUED);
	tx.send_seq = true;
	pop_expect(TMO, (const uint8_t[]){4, 8, 7}, 3);
	assert_int_equal(rx.nr, 5);
	rx_expect(pkt(5, 5), TMO, L2TP_DP_DELIVER);

	/* The expected number behind an unsequenced head (caller popped
	 * only one): it waits behind it, not in front. */
	struct l2tp_dp_buf b;
	l2tp_time_t t = 10 * TMO;

	rx_expect(pkt(7, 7), t, L2TP_DP_QUEUED);
	tx.send_seq = false;
	rx_expect(pkt(20, 20), t, L2TP_DP_QUEUED);
	tx.send_seq = true;
	assert_true(l2tp_dp_pop(&rx, t + TMO, &b)); /* 7, skipping 6 */
	assert_int_equal(tag_of(&b), 7);
	rx_expect(pkt(8, 8), t + TMO, L2TP_DP_QUEUED);
	pop_expect(t + TMO, (const uint8_t[]){20, 8}, 2);
	assert_int_equal(rx.nr, 9);

	/* Unsequenced packets when even the spare slot is taken: dropped. */
	reorder_pair(1);
	rx.cfg.recv_seq = false;
	rx.cfg.lns_mode = true;
	rx.send_seq = false;
	rx_expect(pkt(2, 2), 0, L2TP_DP_QUEUED);
	tx.send_seq = false;
	rx_expect(pkt(3, 3), 0, L2TP_DP_QUEUED);
	rx_expect(pkt(4, 4), 0, L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_errors, 1);
	pop_expect(TMO, (const uint8_t[]){2, 3}, 2);
}

/* ---- fast paths vs. the generic code (lib/dp.c "The fast paths") ---------------- */

#define PROP_ROUNDS 4000
#define PBUF 160

/* A random session config: v3 in every layout, or v2 in every option. */
static struct l2tp_dp_cfg rand_cfg(struct tl_rng *r, bool v3_only)
{
	static const uint8_t cls[] = {0, 4, 8};
	struct l2tp_dp_cfg c = {0};

	c.version = v3_only || tl_rng_below(r, 4) ? 3 : 2;
	c.send_seq = tl_rng_below(r, 2);
	c.recv_seq = tl_rng_below(r, 3) == 0;
	c.lns_mode = tl_rng_below(r, 3) == 0;
	c.reorder_timeout = tl_rng_below(r, 2) ? (1 + tl_rng_below(r, 50)) * L2TP_MSEC : 0;
	c.reorder_cap = (uint16_t)tl_rng_below(r, 8);
	if (c.version == 3) {
		c.encap = tl_rng_below(r, 2) ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
		c.session_id = 1 + (uint32_t)(tl_rng_next(r) % 0xffffffffu);
		c.peer_session_id = 1 + (uint32_t)(tl_rng_next(r) % 0xffffffffu);
		if (tl_rng_below(r, 4) == 0) /* the same id both ways, as in the fuzzer */
			c.peer_session_id = c.session_id;
		c.cookie_len = cls[tl_rng_below(r, 3)];
		c.peer_cookie_len = tl_rng_below(r, 2) ? c.cookie_len : cls[tl_rng_below(r, 3)];
		c.l2spec_type = tl_rng_below(r, 3) ? L2TP_L2SPEC_DEFAULT : L2TP_L2SPEC_NONE;
		tl_rng_fill(r, c.cookie, sizeof(c.cookie));
		tl_rng_fill(r, c.peer_cookie, sizeof(c.peer_cookie));
	} else {
		c.encap = L2TP_ENCAP_UDP;
		c.tunnel_id = tl_rng_below(r, 0x10000);
		c.peer_tunnel_id = tl_rng_below(r, 0x10000);
		c.session_id = tl_rng_below(r, 0x10000);
		c.peer_session_id = tl_rng_below(r, 0x10000);
		c.v2_send_length = tl_rng_below(r, 2);
		c.v2_send_offset = tl_rng_below(r, 2);
		c.v2_offset = (uint16_t)tl_rng_below(r, 5);
	}
	return c;
}

/* The peer of |c| with matching ids and cookies. */
static struct l2tp_dp_cfg peer_of(const struct l2tp_dp_cfg *c)
{
	struct l2tp_dp_cfg m = mirror(*c);

	memcpy(m.cookie, c->peer_cookie, sizeof(m.cookie));
	m.cookie_len = c->peer_cookie_len;
	memcpy(m.peer_cookie, c->cookie, sizeof(m.peer_cookie));
	m.peer_cookie_len = c->cookie_len;
	return m;
}

/*
 * Every v3 layout (encap x cookie 0/4/8 x sublayer) gets a fast path of its
 * own, and so does v2 without Offset; the v3 overhead agrees with the wire
 * codec's length.
 */
static void test_dp_fast_shapes(void **state)
{
	static const enum l2tp_encap encs[] = {L2TP_ENCAP_UDP, L2TP_ENCAP_IP};
	static const uint8_t cls[] = {0, 4, 8};
	static const enum l2tp_l2spec l2s[] = {L2TP_L2SPEC_NONE, L2TP_L2SPEC_DEFAULT};
	uint8_t seen[16] = {0};
	struct l2tp_dp_cfg v2 = {.version = 2};

	for (size_t e = 0; e < 2; e++)
		for (size_t k = 0; k < 3; k++)
			for (size_t l = 0; l < 2; l++) {
				struct l2tp_dp_cfg c = v3cfg(encs[e], cls[k], l2s[l]);

				c.peer_cookie_len = cls[(k + 1) % 3];
				assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
				assert_in_range(tx.tx_shape, 1, 15);
				assert_in_range(tx.rx_shape, 1, 15);
				assert_int_equal(seen[tx.tx_shape]++, 0); /* one shape each */
				assert_int_equal(
				    l2tp_dp_overhead(&tx),
				    l2tp_wire_v3_data_hdr_len(encs[e], cls[k], l2s[l]));
			}
	/* v2: with and without Length; the Offset pad stays generic on send. */
	assert_int_equal(l2tp_dp_session_init(&tx, &v2), 0);
	assert_int_equal(seen[tx.tx_shape]++, 0);
	assert_int_not_equal(tx.rx_shape, 0);
	v2.v2_send_length = true;
	assert_int_equal(l2tp_dp_session_init(&tx, &v2), 0);
	assert_int_equal(seen[tx.tx_shape]++, 0);
	v2.v2_send_offset = true;
	assert_int_equal(l2tp_dp_session_init(&tx, &v2), 0);
	assert_int_equal(tx.tx_shape, 0);
	assert_int_not_equal(tx.rx_shape, 0);
	assert_int_equal(seen[0], 0);
}

/*
 * Property: for random v3 (and v2) sessions, l2tp_dp_encap() writes exactly
 * what lib/wire.c's generic encoder writes for the same header, touches no
 * byte outside it, and advances ns and the counters as documented.
 */
static void test_dp_fast_encap_matches_wire_encoder(void **state)
{
	static uint8_t got[PBUF], want[PBUF];
	struct tl_rng r;

	tl_rng_seed(&r, 0x5eed0001);
	for (int round = 0; round < PROP_ROUNDS; round++) {
		struct l2tp_dp_cfg c = rand_cfg(&r, round % 4 != 3);
		size_t plen = tl_rng_below(&r, 40);
		size_t off = 40 + tl_rng_below(&r, 16);
		struct l2tp_dp_buf b = {.data = got, .cap = PBUF, .off = off, .len = plen};
		struct l2tp_cursor cur;
		uint32_t ns;
		size_t hlen;
		ssize_t n;

		assert_int_equal(l2tp_dp_session_init(&tx, &c), 0);
		ns = tl_rng_below(&r, 4) ? (uint32_t)tl_rng_next(&r) & tx.seq_mask : tx.seq_mask;
		tx.ns = ns;
		hlen = l2tp_dp_overhead(&tx);
		tl_rng_fill(&r, got, sizeof(got));
		memcpy(want, got, sizeof(want));

		l2tp_cur_init(&cur, want + off - hlen, hlen);
		if (c.version == 3) {
			struct l2tp_v3_data_hdr h = {
			    .session_id = c.peer_session_id,
			    .cookie_len = c.cookie_len,
			    .l2spec = c.l2spec_type,
			    .seq_valid = c.send_seq && c.l2spec_type == L2TP_L2SPEC_DEFAULT,
			    .seq = ns,
			};

			assert_int_not_equal(tx.tx_shape, 0); /* a fast path runs */
			memcpy(h.cookie, c.cookie, sizeof(h.cookie));
			n = l2tp_wire_v3_data_encode(&cur, c.encap, &h);
		} else {
			struct l2tp_v2_data_hdr h = {
			    .flags = (uint16_t)((c.v2_send_length ? L2TP_HDR_L : 0) |
						(c.send_seq ? L2TP_HDR_S : 0) |
						(c.v2_send_offset ? L2TP_HDR_O : 0)),
			    .length = (uint16_t)(hlen + plen),
			    .tunnel_id = (uint16_t)c.peer_tunnel_id,
			    .session_id = (uint16_t)c.peer_session_id,
			    .ns = (uint16_t)ns,
			    .offset_size = c.v2_offset,
			};

			n = l2tp_wire_v2_data_encode(&cur, &h);
		}
		assert_int_equal(n, hlen);

		assert_int_equal(l2tp_dp_encap(&tx, &b), 0);
		assert_int_equal(b.off, off - hlen);
		assert_int_equal(b.len, plen + hlen);
		assert_memory_equal(got, want, sizeof(got)); /* header, and nothing else */
		if (c.send_seq && (c.version == 2 || c.l2spec_type == L2TP_L2SPEC_DEFAULT))
			assert_int_equal(tx.ns, (ns + 1) & tx.seq_mask);
		else
			assert_int_equal(tx.ns, ns);
		assert_int_equal(tx.stats.tx_packets, 1);
		assert_int_equal(tx.stats.tx_bytes, plen + hlen);
		assert_int_equal(tx.stats.tx_errors, 0);
	}
}

/* Two copies of one session: |a| on the fast paths, |g| on the generic code. */
static struct l2tp_dp_session fa, fg;

static void same_state(void)
{
	assert_memory_equal(&fa.stats, &fg.stats, sizeof(fa.stats));
	assert_int_equal(fa.send_seq, fg.send_seq);
	assert_int_equal(fa.ns, fg.ns);
	assert_int_equal(fa.nr, fg.nr);
	assert_int_equal(fa.nr_oos, fg.nr_oos);
	assert_int_equal(fa.nr_oos_count, fg.nr_oos_count);
	assert_int_equal(l2tp_reorder_count(&fa.rq), l2tp_reorder_count(&fg.rq));
	assert_int_equal(l2tp_dp_next_deadline(&fa), l2tp_dp_next_deadline(&fg));
}

static void same_buf(const struct l2tp_dp_buf *x, const struct l2tp_dp_buf *y)
{
	assert_ptr_equal(x->data, y->data);
	assert_int_equal(x->cap, y->cap);
	assert_int_equal(x->off, y->off);
	assert_int_equal(x->len, y->len);
	assert_ptr_equal(x->user, y->user);
}

static void fork_sessions(const struct l2tp_dp_cfg *c)
{
	assert_int_equal(l2tp_dp_session_init(&fa, c), 0);
	assert_int_equal(l2tp_dp_session_init(&fg, c), 0);
	fg.tx_shape = fg.rx_shape = 0;
}

/*
 * Property: encap on the fast path and on the generic code give the same
 * return, bytes and counters for random sessions and buffer geometries,
 * including too little headroom and views past the buffer's end.
 */
static void test_dp_fast_encap_same_as_generic(void **state)
{
	static uint8_t ba[PBUF], bg[PBUF];
	struct tl_rng r;

	tl_rng_seed(&r, 0x5eed0002);
	for (int round = 0; round < PROP_ROUNDS; round++) {
		struct l2tp_dp_cfg c = rand_cfg(&r, round % 4 != 3);
		struct l2tp_dp_buf a, g;

		fork_sessions(&c);
		fa.ns = fg.ns = (uint32_t)tl_rng_next(&r) & fa.seq_mask;
		for (int k = 0; k < 4; k++) {
			size_t cap = tl_rng_below(&r, 8) ? PBUF : tl_rng_below(&r, PBUF + 1);

			a = (struct l2tp_dp_buf){
			    .data = ba,
			    .cap = cap,
			    .off = tl_rng_below(&r, 4) ? 20 + tl_rng_below(&r, 40)
						       : tl_rng_below(&r, PBUF + 4),
			    .len = tl_rng_below(&r, 8) ? tl_rng_below(&r, 64)
						       : tl_rng_below(&r, PBUF + 4),
			    .user = &a};
			g = a;
			g.data = bg;
			tl_rng_fill(&r, ba, sizeof(ba));
			memcpy(bg, ba, sizeof(bg));
			if (tl_rng_below(&r, 3) == 0) /* a LAC told to stop or start */
				fa.send_seq = fg.send_seq = !fa.send_seq;
			assert_int_equal(l2tp_dp_encap(&fa, &a), l2tp_dp_encap(&fg, &g));
			assert_int_equal(a.off, g.off);
			assert_int_equal(a.len, g.len);
			assert_memory_equal(ba, bg, sizeof(ba));
			same_state();
		}
	}
}

/* Decap |b| in both sessions at |now|, compare everything, drain both. */
static void decap_both(const struct l2tp_dp_buf *b, l2tp_time_t now)
{
	struct l2tp_dp_buf a = *b, g = *b, pa, pg;
	struct l2tp_diag da = {.offset = 999}, dg = {.offset = 999};
	enum l2tp_dp_verdict va, vg;
	bool ra, rg;

	va = l2tp_dp_decap(&fa, &a, now, &da);
	vg = l2tp_dp_decap(&fg, &g, now, &dg);
	assert_int_equal(va, vg);
	same_buf(&a, &g);
	assert_int_equal(da.offset, dg.offset);
	if (da.reason || dg.reason) {
		assert_non_null(da.reason);
		assert_non_null(dg.reason);
		assert_string_equal(da.reason, dg.reason);
	}
	same_state();
	do {
		ra = l2tp_dp_pop(&fa, now, &pa);
		rg = l2tp_dp_pop(&fg, now, &pg);
		assert_int_equal(ra, rg);
		if (ra)
			same_buf(&pa, &pg);
		same_state();
	} while (ra);
}

/*
 * Property: decap on the fast path and on the generic code agree on the
 * verdict, the payload view, the diagnostic, every counter, the sequence
 * state and the reorder queue, for random sessions fed valid packets from
 * their peer (random numbers, sequencing toggled) and damaged ones (a bit
 * flipped in the header, truncated, wrong ids or cookie, garbage, views
 * outside the buffer), with SESSION_MODIFY changes on the way.
 */
static void test_dp_fast_decap_same_as_generic(void **state)
{
	static uint8_t mem[8][PBUF];
	static struct l2tp_dp_session peer;
	struct tl_rng r;

	tl_rng_seed(&r, 0x5eed0003);
	for (int round = 0; round < PROP_ROUNDS / 8; round++) {
		struct l2tp_dp_cfg c = rand_cfg(&r, round % 4 != 3);
		struct l2tp_dp_cfg pc = peer_of(&c);
		l2tp_time_t now = L2TP_SEC;
		struct l2tp_dp_buf out;

		fork_sessions(&c);
		assert_int_equal(l2tp_dp_session_init(&peer, &pc), 0);
		for (int k = 0; k < 64; k++) {
			/* the queue holds handles only: reusing bytes is fine here */
			uint8_t *m = mem[k % 8];
			struct l2tp_dp_buf b = {.data = m,
						.cap = PBUF,
						.off = 40,
						.len = tl_rng_below(&r, 24),
						.user = (void *)(uintptr_t)(k + 1)};
			uint32_t kind = tl_rng_below(&r, 16);
			size_t hl;

			now += tl_rng_below(&r, 3) * tl_rng_below(&r, 30) * L2TP_MSEC;
			tl_rng_fill(&r, m, PBUF);
			if (kind == 0) { /* garbage */
				decap_both(&b, now);
				continue;
			}
			if (tl_rng_below(&r, 6) == 0)
				peer.send_seq = !peer.send_seq;
			switch (tl_rng_below(&r, 4)) { /* next, near, random, or same */
			case 0:
				peer.ns = (fa.nr + tl_rng_below(&r, 4)) & peer.seq_mask;
				break;
			case 1:
				peer.ns = (fa.nr - tl_rng_below(&r, 4)) & peer.seq_mask;
				break;
			case 2:
				peer.ns = (uint32_t)tl_rng_next(&r) & peer.seq_mask;
				break;
			default:
				break;
			}
			assert_int_equal(l2tp_dp_encap(&peer, &b), 0);
			hl = l2tp_dp_overhead(&peer);
			switch (kind) {
			case 1: /* one bit flipped in the header */
			case 2:
				b.data[b.off + tl_rng_below(&r, (uint32_t)hl)] ^=
				    (uint8_t)(1u << tl_rng_below(&r, 8));
				break;
			case 3: /* truncated */
				b.len = tl_rng_below(&r, (uint32_t)b.len + 1);
				break;
			case 4: /* reserved bits and the rest of the first word */
				b.data[b.off + tl_rng_below(&r, 4)] = (uint8_t)tl_rng_next(&r);
				break;
			case 5: /* a view out of bounds */
				b.off = PBUF - tl_rng_below(&r, 4);
				b.len = tl_rng_below(&r, 8);
				break;
			case 6: /* a bigger buffer view, a smaller cap */
				b.cap = b.off + b.len + tl_rng_below(&r, 3) - 1;
				break;
			case 7: /* SESSION_MODIFY */
				c.send_seq = tl_rng_below(&r, 2);
				c.recv_seq = tl_rng_below(&r, 3) == 0;
				c.lns_mode = tl_rng_below(&r, 3) == 0;
				c.reorder_timeout = tl_rng_below(&r, 2) * L2TP_MSEC;
				assert_int_equal(l2tp_dp_session_modify(&fa, &c), 0);
				assert_int_equal(l2tp_dp_session_modify(&fg, &c), 0);
				break;
			default: /* as sent */
				break;
			}
			decap_both(&b, now);
		}
		/* let every deadline pass, then take back what is left */
		decap_both(&(struct l2tp_dp_buf){.data = mem[0], .cap = PBUF}, now + 2 * L2TP_SEC);
		while (l2tp_dp_flush(&fa, &out)) {
			struct l2tp_dp_buf o2;

			assert_true(l2tp_dp_flush(&fg, &o2));
			same_buf(&out, &o2);
		}
		assert_false(l2tp_dp_flush(&fg, &out));
	}
}

/*
 * The fast paths read the cookie bytes from cfg on every packet (the cookie
 * test above changes one after init), and keep every bounds check: a
 * header that would start before the buffer or a view past its end is
 * still refused with the generic code's errors.
 */
static void test_dp_fast_bounds(void **state)
{
	struct l2tp_dp_cfg c = v3cfg(L2TP_ENCAP_UDP, 8, L2TP_L2SPEC_DEFAULT);
	struct l2tp_dp_buf b;
	struct l2tp_diag d = {0};

	pair(&c);
	assert_int_not_equal(tx.tx_shape, 0);
	b = frame(0, 1);
	b.off = 19;
	assert_int_equal(l2tp_dp_encap(&tx, &b), -ENOSPC);
	b.off = 20;
	b.cap = 23; /* 20 + 4 > 23 */
	assert_int_equal(l2tp_dp_encap(&tx, &b), -EMSGSIZE);
	b.off = 24;
	b.len = 0;
	assert_int_equal(l2tp_dp_encap(&tx, &b), -EMSGSIZE);
	assert_int_equal(tx.stats.tx_errors, 3);
	assert_int_equal(pool[0][0], 0xee); /* nothing written */

	b = pkt(1, 0);
	b.cap = b.off + b.len - 1;
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	assert_string_equal(d.reason, "buffer view out of bounds");
	b = pkt(1, 0);
	b.len = 19; /* one byte of the sublayer missing */
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	assert_int_equal(rx.stats.rx_invalid, 2);
	b = pkt(1, 0);
	b.data[b.off + 3] = 0xff; /* reserved bits: ignored on receipt */
	b.data[b.off] = 0x7f;
	rx_expect(b, 0, L2TP_DP_DELIVER);
	b = pkt(1, 0);
	b.data[b.off + 8 + 7] ^= 0x80; /* last cookie byte */
	assert_int_equal(l2tp_dp_decap(&rx, &b, 0, &d), L2TP_DP_DROP);
	assert_string_equal(d.reason, "cookie mismatch");
	assert_int_equal(rx.stats.rx_cookie_discards, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dp_init_rejects_bad_config),
	    cmocka_unit_test(test_dp_overhead_and_mtu),
	    cmocka_unit_test(test_dp_encap_known_answers),
	    cmocka_unit_test(test_dp_encap_errors_and_tx_counters),
	    cmocka_unit_test(test_dp_decap_every_form),
	    cmocka_unit_test(test_dp_decap_cookie_mismatch),
	    cmocka_unit_test(test_dp_decap_invalid),
	    cmocka_unit_test(test_dp_seq_in_order_and_wrap),
	    cmocka_unit_test(test_dp_seq_no_reorder_drops_and_resyncs),
	    cmocka_unit_test(test_dp_seq_missing_numbers),
	    cmocka_unit_test(test_dp_seq_lac_follows_lns),
	    cmocka_unit_test(test_dp_reorder_in_order_and_swapped),
	    cmocka_unit_test(test_dp_reorder_gap_released_after_timeout),
	    cmocka_unit_test(test_dp_reorder_duplicates),
	    cmocka_unit_test(test_dp_reorder_queue_full),
	    cmocka_unit_test(test_dp_reorder_wrap),
	    cmocka_unit_test(test_dp_reorder_peer_restart),
	    cmocka_unit_test(test_dp_reorder_unsequenced_behind_queue),
	    cmocka_unit_test(test_dp_fast_shapes),
	    cmocka_unit_test(test_dp_fast_encap_matches_wire_encoder),
	    cmocka_unit_test(test_dp_fast_encap_same_as_generic),
	    cmocka_unit_test(test_dp_fast_decap_same_as_generic),
	    cmocka_unit_test(test_dp_fast_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
