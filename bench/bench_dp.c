// SPDX-License-Identifier: MIT
/*
 * bench_dp.c - ns per data packet for l2tp_dp_encap() and l2tp_dp_decap()
 * alone (no sockets, no copies), for a few session configurations, plus
 * the reorder path (swapped pairs: one queued, one delivered, one popped).
 *
 *   bench_dp [ITERATIONS]      default 10^7 per figure
 *
 * Not a test: it prints figures and always exits 0 unless a call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

#include <l2tp/dp.h>

#define FRAME 1400
#define HEAD 64

static uint8_t buf[2][HEAD + FRAME];
static struct l2tp_dp_session tx, rx;
static volatile uint64_t sink;

static void die(const char *what)
{
	bench_die("bench_dp", what);
}

static void setup(const struct l2tp_dp_cfg *c)
{
	struct l2tp_dp_cfg m = *c;

	m.tunnel_id = c->peer_tunnel_id;
	m.peer_tunnel_id = c->tunnel_id;
	m.session_id = c->peer_session_id;
	m.peer_session_id = c->session_id;
	if (l2tp_dp_session_init(&tx, &m) < 0 || l2tp_dp_session_init(&rx, c) < 0)
		die("session_init");
}

static void run(const char *name, const struct l2tp_dp_cfg *c, unsigned long n)
{
	struct l2tp_dp_buf b, pkt;
	uint64_t t0, t1, t2;
	bool seq = c->recv_seq;

	setup(c);
	/* encap: the same frame over and over, as from a buffer pool */
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		b = (struct l2tp_dp_buf){
		    .data = buf[0], .cap = sizeof(buf[0]), .off = HEAD, .len = FRAME};
		if (l2tp_dp_encap(&tx, &b) < 0)
			die("encap");
		sink += b.off;
	}
	t1 = now_ns();

	/* decap: one encapsulated packet, fed again with the expected Ns */
	tx.ns = 0;
	pkt =
	    (struct l2tp_dp_buf){.data = buf[1], .cap = sizeof(buf[1]), .off = HEAD, .len = FRAME};
	if (l2tp_dp_encap(&tx, &pkt) < 0)
		die("encap");
	for (unsigned long i = 0; i < n; i++) {
		b = pkt;
		if (seq)
			rx.nr = 0;
		if (l2tp_dp_decap(&rx, &b, 0, NULL) != L2TP_DP_DELIVER)
			die("decap");
		sink += b.off;
	}
	t2 = now_ns();
	printf("%-44s encap %6.1f ns/pkt   decap %6.1f ns/pkt   (%lu pkts, hdr %zu B)\n", name,
	       (double)(t1 - t0) / (double)n, (double)(t2 - t1) / (double)n, n,
	       l2tp_dp_overhead(&tx));
}

/* Swapped pairs through the reorder queue: per pair, 2 decaps + 1 pop. */
static void run_reorder(unsigned long n)
{
	struct l2tp_dp_cfg c = {.version = 3,
				.encap = L2TP_ENCAP_IP,
				.session_id = 1,
				.peer_session_id = 2,
				.l2spec_type = L2TP_L2SPEC_DEFAULT,
				.send_seq = true,
				.recv_seq = true,
				.reorder_timeout = 100 * L2TP_MSEC};
	struct l2tp_dp_buf p[2], b;
	uint64_t t0, t1;

	setup(&c);
	for (int k = 0; k < 2; k++) {
		tx.ns = (uint32_t)k;
		p[k] = (struct l2tp_dp_buf){
		    .data = buf[k], .cap = sizeof(buf[k]), .off = HEAD, .len = FRAME};
		if (l2tp_dp_encap(&tx, &p[k]) < 0)
			die("encap");
	}
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		rx.nr = 0;
		b = p[1];
		if (l2tp_dp_decap(&rx, &b, i, NULL) != L2TP_DP_QUEUED)
			die("decap queued");
		b = p[0];
		if (l2tp_dp_decap(&rx, &b, i, NULL) != L2TP_DP_DELIVER)
			die("decap deliver");
		if (!l2tp_dp_pop(&rx, i, &b))
			die("pop");
		sink += b.off;
	}
	t1 = now_ns();
	printf("%-44s %6.1f ns/pair  (%6.1f ns/pkt)\n", "v3/IP reorder: swapped pair, queue+pop",
	       (double)(t1 - t0) / (double)n, (double)(t1 - t0) / (double)n / 2);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000000ul;
	struct l2tp_dp_cfg udp = {
	    .version = 3, .encap = L2TP_ENCAP_UDP, .session_id = 1, .peer_session_id = 2};
	struct l2tp_dp_cfg ip = {.version = 3,
				 .encap = L2TP_ENCAP_IP,
				 .session_id = 1,
				 .peer_session_id = 2,
				 .cookie_len = 8,
				 .peer_cookie_len = 8,
				 .cookie = {1, 2, 3, 4, 5, 6, 7, 8},
				 .peer_cookie = {1, 2, 3, 4, 5, 6, 7, 8},
				 .l2spec_type = L2TP_L2SPEC_DEFAULT,
				 .send_seq = true,
				 .recv_seq = true};
	struct l2tp_dp_cfg v2 = {.version = 2,
				 .tunnel_id = 1,
				 .peer_tunnel_id = 2,
				 .session_id = 3,
				 .peer_session_id = 4,
				 .send_seq = true,
				 .recv_seq = true,
				 .lns_mode = true};

	if (n == 0)
		n = 1;
	run("v3/UDP, no cookie, no sublayer", &udp, n);
	run("v3/IP, 8-byte cookie, default sublayer, seq", &ip, n);
	run("v2/UDP, Ns/Nr", &v2, n);
	run_reorder(n);
	return sink == 0xdeadbeef; /* keep |sink| alive */
}
