// SPDX-License-Identifier: MIT
/*
 * bench_ctrl.c - the control protocol on one core: two contexts joined by
 * a lossless in-memory wire (virtual time, no sockets), measuring tunnel
 * setups per second, session setups per second (ICRQ/ICRP/ICCN and their
 * acknowledgements) and the memory the context holds per established
 * session, counted by a counting allocator. Prints figures; not a test.
 *
 *   bench_ctrl [SESSIONS]     (default 100000: also the scale check)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/ctx.h>

#include "bench.h"

struct counting {
	size_t live_bytes, live_blocks, peak_bytes;
};

/* size is kept in a header so free() can account for it */
static void *c_alloc(void *user, size_t n)
{
	struct counting *c = user;
	size_t *p = calloc(1, n + sizeof(size_t) * 2);

	if (!p)
		return NULL;
	p[0] = n;
	c->live_bytes += n;
	c->live_blocks++;
	if (c->live_bytes > c->peak_bytes)
		c->peak_bytes = c->live_bytes;
	return p + 2;
}

static void c_free(void *user, void *ptr)
{
	struct counting *c = user;
	size_t *p = (size_t *)ptr - 2;

	c->live_bytes -= p[0];
	c->live_blocks--;
	free(p);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static int b_rand(void *user, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		buf[i] = (uint8_t)rng_state;
	}
	return 0;
}

static size_t up_sessions, up_tunnels;

static int b_treq(void *user, const struct l2tp_tunnel_req *req, struct l2tp_tunnel_cfg *cfg)
{
	cfg->hello = L2TP_TIME_NEVER;
	cfg->xport.rwnd = 64;
	return 0;
}

static int b_sreq(void *user, struct l2tp_tunnel *t, const struct l2tp_session_req *req,
		  struct l2tp_session_cfg *cfg)
{
	cfg->l2spec = -1;
	return 0;
}

static void b_tev(void *user, struct l2tp_tunnel *t, const struct l2tp_event *ev)
{
	if (ev->type == L2TP_EV_UP)
		up_tunnels++;
}

static void b_sev(void *user, struct l2tp_session *s, const struct l2tp_event *ev)
{
	if (ev->type == L2TP_EV_UP)
		up_sessions++;
}

static const struct l2tp_callbacks cb = {
    .rand = b_rand, .tunnel_request = b_treq, .tunnel_event = b_tev,
    .session_request = b_sreq, .session_event = b_sev};

static struct l2tp_ctx *ctx[2];
static l2tp_time_t vnow = 1;
static uint8_t buf[4096];

/* Move every datagram each side has to the other until both are quiet. */
static void pump(void)
{
	bool any = true;

	while (any) {
		any = false;
		for (int i = 0; i < 2; i++) {
			struct l2tp_path p, rp;
			ssize_t n;

			while ((n = l2tp_ctx_write_pkt(ctx[i], &p, buf, sizeof(buf), vnow)) > 0) {
				rp = (struct l2tp_path){p.encap, p.peer, p.local};
				l2tp_ctx_handle_ctrl_pkt(ctx[!i], &rp, buf, (size_t)n, vnow);
				any = true;
			}
		}
		if (!any) {
			/* delayed acks: let the virtual clock run to the next deadline */
			l2tp_time_t d0 = l2tp_ctx_next_deadline(ctx[0], vnow);
			l2tp_time_t d1 = l2tp_ctx_next_deadline(ctx[1], vnow);
			l2tp_time_t d = d0 < d1 ? d0 : d1;

			if (d != L2TP_TIME_NEVER && d <= vnow + L2TP_SEC) {
				vnow = d > vnow ? d : vnow;
				l2tp_ctx_on_timeout(ctx[0], vnow);
				l2tp_ctx_on_timeout(ctx[1], vnow);
				any = true;
			}
		}
	}
}

static struct l2tp_path path(int from)
{
	struct l2tp_path p = {.encap = L2TP_ENCAP_UDP};

	p.local.family = p.peer.family = 4;
	memcpy(p.local.ip, (uint8_t[]){192, 0, 2, (uint8_t)(1 + from)}, 4);
	memcpy(p.peer.ip, (uint8_t[]){192, 0, 2, (uint8_t)(2 - from)}, 4);
	p.local.port = p.peer.port = 1701;
	return p;
}

int main(int argc, char **argv)
{
	size_t nsess = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	size_t ntun = 2000;
	struct counting cnt[2] = {{0}};
	struct l2tp_mem mem[2] = {{c_alloc, c_free, &cnt[0]}, {c_alloc, c_free, &cnt[1]}};
	struct l2tp_tunnel_cfg tc = {.hello = L2TP_TIME_NEVER, .xport.rwnd = 64};
	struct l2tp_path p = path(0);
	struct l2tp_tunnel *t;
	size_t base[2];
	uint64_t t0, t1;
	char rei[32];

	for (int i = 0; i < 2; i++)
		if (l2tp_ctx_new(&ctx[i], &cb, NULL, &mem[i], NULL) < 0)
			bench_die(argv[0], "l2tp_ctx_new");

	/* tunnel setups: open, establish, close, linger out */
	t0 = now_ns();
	for (size_t i = 0; i < ntun; i++) {
		if (l2tp_tunnel_open(ctx[0], &p, &tc, vnow, &t) < 0)
			bench_die(argv[0], "l2tp_tunnel_open");
		pump();
		if (l2tp_tunnel_state(t) != L2TP_TUNNEL_ESTABLISHED)
			bench_die(argv[0], "tunnel setup");
		l2tp_tunnel_close(t, 1, 0, NULL, vnow);
		pump();
	}
	t1 = now_ns();
	if (up_tunnels != 2 * ntun)
		bench_die(argv[0], "every tunnel up");
	printf("tunnel setup+teardown: %8.0f per second (%zu, SCCRQ..SCCCN + StopCCN)\n",
	       (double)ntun * 1e9 / (double)(t1 - t0), ntun);
	vnow += 3600 * L2TP_SEC;
	l2tp_ctx_on_timeout(ctx[0], vnow);
	l2tp_ctx_on_timeout(ctx[1], vnow);

	/* one tunnel, |nsess| sessions */
	if (l2tp_tunnel_open(ctx[0], &p, &tc, vnow, &t) < 0)
		bench_die(argv[0], "l2tp_tunnel_open");
	pump();
	base[0] = cnt[0].live_bytes;
	base[1] = cnt[1].live_bytes;
	up_sessions = 0;
	t0 = now_ns();
	for (size_t i = 0; i < nsess; i++) {
		struct l2tp_session_cfg sc = {.cookie_len = 8, .l2spec = L2TP_L2SPEC_DEFAULT};
		struct l2tp_session *s;

		snprintf(rei, sizeof(rei), "pw-%zu", i);
		sc.remote_end_id = (const uint8_t *)rei;
		sc.remote_end_id_len = strlen(rei);
		if (l2tp_session_open(t, &sc, vnow, &s) < 0)
			bench_die(argv[0], "l2tp_session_open");
		if (i % 32 == 31)
			pump();
	}
	pump();
	t1 = now_ns();
	if (up_sessions != 2 * nsess)
		bench_die(argv[0], "every session up");
	printf("session setups:        %8.0f per second (%zu in one tunnel, ICRQ/ICRP/ICCN)\n",
	       (double)nsess * 1e9 / (double)(t1 - t0), nsess);
	printf("memory per established session: %zu bytes (initiator), %zu bytes (acceptor), "
	       "hash buckets included\n",
	       (cnt[0].live_bytes - base[0]) / nsess, (cnt[1].live_bytes - base[1]) / nsess);
	printf("lookups: %zu sessions, l2tp_session_find on each: ", nsess);
	t0 = now_ns();
	for (struct l2tp_session *s = l2tp_tunnel_next_session(t, NULL); s;
	     s = l2tp_tunnel_next_session(t, s))
		if (!l2tp_session_find(ctx[1], l2tp_session_peer_id(s)))
			bench_die(argv[0], "l2tp_session_find");
	t1 = now_ns();
	printf("%.0f ns each\n", (double)(t1 - t0) / (double)nsess);
	l2tp_ctx_free(ctx[0]);
	l2tp_ctx_free(ctx[1]);
	if (cnt[0].live_blocks || cnt[1].live_blocks)
		bench_die(argv[0], "freeing everything");
	return 0;
}
