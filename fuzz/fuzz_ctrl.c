// SPDX-License-Identifier: MIT
/*
 * fuzz_ctrl.c - the control protocol's input: a sequence of datagrams into
 * contexts, with the state machines and the reliable channel behind them.
 *
 * Every input starts from the same place: two contexts, A (initiator) and
 * B (acceptor), with an established L2TPv3 control connection and two
 * sessions, and an established L2TPv2 one (with a secret: Challenge,
 * hidden AVPs) with an incoming and an outgoing PPP call.
 * The input is a list of records:
 *
 *   u8 flags | u16 length | length bytes
 *
 *   flags & 1    deliver to A (else to B)
 *   flags & 2    "aim": overwrite the header's Control Connection ID, Ns and
 *                Nr with the receiver's live values, so mutations reach the
 *                state machines instead of dying at the id lookup; a
 *                datagram whose version nibble says 2 is aimed at the v2
 *                connection (16-bit Tunnel ID, its Session ID kept)
 *   flags & 4    from Control Connection ID 0's point of view: clear the id
 *                (a new SCCRQ path)
 *   flags >> 3   seconds of virtual time to let pass first (timers fire)
 *
 * After each record both contexts' output is exchanged until quiet. At the
 * end both are freed: ASan catches leaks and use-after-free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/ctx.h>

#include "internal.h"

static uint64_t rs;

static int f_rand(void *user, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		rs ^= rs << 13;
		rs ^= rs >> 7;
		rs ^= rs << 17;
		buf[i] = (uint8_t)rs;
	}
	return 0;
}

static const char v2_secret[] = "fuzz";

static int f_treq(void *user, const struct l2tp_tunnel_req *req, struct l2tp_tunnel_cfg *cfg)
{
	if (req->version == 2) {
		cfg->secret = (const uint8_t *)v2_secret;
		cfg->secret_len = sizeof(v2_secret) - 1;
	}
	return 0;
}

static const struct l2tp_v2_call v2_call = {
    .calling_number = {(const uint8_t *)"5550100", 7},
    .proxy = {.auth_type = 2,
	      .auth_name = {(const uint8_t *)"u", 1},
	      .auth_chal = {(const uint8_t *)"0123456789abcdef", 16},
	      .has_auth_id = true,
	      .auth_resp = {(const uint8_t *)"fedcba9876543210", 16}},
};

static int f_sreq(void *user, struct l2tp_tunnel *t, const struct l2tp_session_req *req,
		  struct l2tp_session_cfg *cfg)
{
	cfg->l2spec = -1;
	cfg->cookie_len = 4;
	if (req->v2)
		cfg->v2 = &v2_call;
	return 0;
}

static const struct l2tp_callbacks cb = {
    .rand = f_rand, .tunnel_request = f_treq, .session_request = f_sreq};

static struct l2tp_ctx *ctx[2];
static l2tp_time_t vnow;
static uint8_t buf[65536];

static struct l2tp_path path_to(int to)
{
	struct l2tp_path p = {.encap = L2TP_ENCAP_UDP};

	p.local.family = p.peer.family = 4;
	memcpy(p.local.ip, (uint8_t[]){192, 0, 2, (uint8_t)(1 + to)}, 4);
	memcpy(p.peer.ip, (uint8_t[]){192, 0, 2, (uint8_t)(2 - to)}, 4);
	p.local.port = p.peer.port = 1701;
	return p;
}

static void pump(void)
{
	for (int round = 0; round < 64; round++) {
		bool any = false;

		for (int i = 0; i < 2; i++) {
			struct l2tp_path p, rp;
			ssize_t n;
			int guard = 0;

			while ((n = l2tp_ctx_write_pkt(ctx[i], &p, buf, sizeof(buf), vnow)) > 0 &&
			       guard++ < 4096) {
				rp = path_to(!i);
				l2tp_ctx_handle_ctrl_pkt(ctx[!i], &rp, buf, (size_t)n, vnow);
				any = true;
			}
		}
		if (!any)
			return;
	}
}

static void tick(l2tp_time_t dt)
{
	vnow += dt;
	for (int i = 0; i < 2; i++)
		if (l2tp_ctx_next_deadline(ctx[i], vnow) <= vnow)
			l2tp_ctx_on_timeout(ctx[i], vnow);
	pump();
}

static struct l2tp_tunnel *first(struct l2tp_ctx *c, int version)
{
	for (struct l2tp_list *l = c->all.next; l != &c->all; l = l->next) {
		struct l2tp_tunnel *t = l2tp_container_of(l, struct l2tp_tunnel, all);

		if (!t->husk && t->version == version)
			return t;
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_tunnel_cfg tc = {0};
	struct l2tp_tunnel_cfg tc2 = {.version = 2,
				      .secret = (const uint8_t *)v2_secret,
				      .secret_len = sizeof(v2_secret) - 1};
	struct l2tp_path p = path_to(1);
	struct l2tp_tunnel *t, *t2;
	size_t off = 0;

	rs = 0x1234567887654321ull;
	vnow = L2TP_SEC;
	for (int i = 0; i < 2; i++)
		if (l2tp_ctx_new(&ctx[i], &cb, NULL, NULL, NULL) < 0)
			abort();
	if (l2tp_tunnel_open(ctx[0], &p, &tc, vnow, &t) < 0)
		abort();
	for (int i = 0; i < 2; i++) {
		struct l2tp_session_cfg sc = {.l2spec = -1, .cookie_len = 8,
					      .remote_end_id = (const uint8_t *)(i ? "b" : "a"),
					      .remote_end_id_len = 1};
		struct l2tp_session *s;

		l2tp_session_open(t, &sc, vnow, &s);
	}
	if (l2tp_tunnel_open(ctx[0], &p, &tc2, vnow, &t2) < 0)
		abort();
	for (int i = 0; i < 2; i++) {
		struct l2tp_session_cfg sc = {.v2 = &v2_call, .outgoing = i, .recv_seq = !i};
		struct l2tp_session *s;

		l2tp_session_open(t2, &sc, vnow, &s);
	}
	pump();
	tick(L2TP_SEC);

	while (size - off >= 3) {
		uint8_t fl = data[off];
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		int to = fl & 1 ? 0 : 1;
		struct l2tp_path rp = path_to(to);
		struct l2tp_tunnel *rt;

		off += 3;
		if (n > size - off)
			n = size - off;
		memcpy(buf, data + off, n);
		off += n;
		if (fl >> 3)
			tick((l2tp_time_t)(fl >> 3) * L2TP_SEC);
		rt = first(ctx[to], n >= 2 && (buf[1] & 0x0f) == 2 ? 2 : 3);
		if ((fl & 2) && rt && n >= 12) {
			uint32_t id = fl & 4 ? 0 : rt->ccid;

			if (rt->version == 2) {
				/* v2: Tunnel ID at 4, Session ID at 6 (kept: it names a call) */
				buf[4] = (uint8_t)(id >> 8);
				buf[5] = (uint8_t)id;
			} else {
				buf[4] = (uint8_t)(id >> 24);
				buf[5] = (uint8_t)(id >> 16);
				buf[6] = (uint8_t)(id >> 8);
				buf[7] = (uint8_t)id;
			}
			buf[8] = (uint8_t)(rt->x.nr >> 8);
			buf[9] = (uint8_t)rt->x.nr;
			buf[10] = (uint8_t)(rt->x.ns_next >> 8);
			buf[11] = (uint8_t)rt->x.ns_next;
		}
		l2tp_ctx_handle_ctrl_pkt(ctx[to], &rp, buf, n, vnow);
		pump();
	}
	tick(100 * L2TP_SEC);
	for (int i = 0; i < 2; i++)
		l2tp_ctx_free(ctx[i]);
	return 0;
}
