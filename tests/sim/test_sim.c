// SPDX-License-Identifier: MIT
/*
 * test_sim.c - deterministic simulation of the L2TPv3 control protocol:
 * two or three contexts over simnet (seeded loss, duplication, reordering,
 * delay, MTU) with a virtual clock. Every scenario asserts what both ends
 * reached and that every control message was delivered once and in order.
 * The seed is printed; SIM_SEED=N replays a run, SIM_SEEDS=N runs the lossy
 * scenario over N seeds (make sim-long), SIM_VERBOSE=1 prints the logs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "../../lib/internal.h"

#define SEC L2TP_SEC
#define MSEC L2TP_MSEC

static uint64_t base_seed;

static struct harness H;
static struct h_ep *A, *B;

static int setup(void **state)
{
	h_init(&H, base_seed);
	A = h_add(&H, "a", NULL);
	B = h_add(&H, "b", NULL);
	B->accept_tunnels = true;
	B->accept_sessions = true;
	return 0;
}

static int teardown(void **state)
{
	h_fini(&H);
	return 0;
}

static void lossy(struct h_ep *x, struct h_ep *y, double loss, double dup, double reorder)
{
	struct sim_link l = {.loss = loss,
			     .dup = dup,
			     .reorder = reorder,
			     .delay = 5 * MSEC,
			     .jitter = 2 * MSEC};

	sim_link_set(H.net, x->node, y->node, &l);
	sim_link_set(H.net, y->node, x->node, &l);
}

static void cut(struct h_ep *x, struct h_ep *y)
{
	lossy(x, y, 1.0, 0, 0);
}

static void open_sessions(struct l2tp_tunnel *t, int n, const struct l2tp_session_cfg *tmpl)
{
	for (int i = 0; i < n; i++) {
		char rei[32];
		struct l2tp_session_cfg c = tmpl ? *tmpl : (struct l2tp_session_cfg){.l2spec = -1};
		struct l2tp_session *s;

		snprintf(rei, sizeof(rei), "pw-%d", i);
		c.remote_end_id = (const uint8_t *)rei;
		c.remote_end_id_len = strlen(rei);
		assert_int_equal(l2tp_session_open(t, &c, H.now, &s), 0);
	}
}

static int want_sessions;

static bool all_up(struct harness *h)
{
	return A->sessions_up >= want_sessions && B->sessions_up >= want_sessions &&
	       A->tunnels_up >= 1 && B->tunnels_up >= 1;
}

/* Both ends agree on every session's ids and cookies. */
static void check_pairs(int n)
{
	struct l2tp_tunnel *ta = h_only_tunnel(A), *tb = h_only_tunnel(B);
	int seen = 0;

	assert_non_null(ta);
	assert_non_null(tb);
	assert_int_equal(l2tp_tunnel_peer_id(ta), l2tp_tunnel_id(tb));
	assert_int_equal(l2tp_tunnel_peer_id(tb), l2tp_tunnel_id(ta));
	for (struct l2tp_session *s = l2tp_tunnel_next_session(ta, NULL); s;
	     s = l2tp_tunnel_next_session(ta, s)) {
		const struct l2tp_session_dp *da = l2tp_session_dp(s);
		struct l2tp_session *p = l2tp_session_find(B->ctx, da->peer_session_id);
		const struct l2tp_session_dp *db;

		assert_non_null(p);
		assert_int_equal(l2tp_session_state(s), L2TP_SESSION_ESTABLISHED);
		assert_int_equal(l2tp_session_state(p), L2TP_SESSION_ESTABLISHED);
		db = l2tp_session_dp(p);
		assert_int_equal(db->peer_session_id, da->session_id);
		assert_int_equal(da->tunnel_id, db->peer_tunnel_id);
		assert_int_equal(da->tx_cookie_len, db->rx_cookie_len);
		assert_memory_equal(da->tx_cookie, db->rx_cookie, da->tx_cookie_len);
		assert_int_equal(db->tx_cookie_len, da->rx_cookie_len);
		assert_memory_equal(db->tx_cookie, da->rx_cookie, db->tx_cookie_len);
		assert_int_equal(da->l2spec, db->l2spec);
		assert_int_equal(da->send_seq, db->recv_seq);
		assert_int_equal(da->recv_seq, db->send_seq);
		assert_true(l2tp_session_remote_end_id(s).len ==
				    l2tp_session_remote_end_id(p).len &&
			    !memcmp(l2tp_session_remote_end_id(s).p, l2tp_session_remote_end_id(p).p,
				    l2tp_session_remote_end_id(s).len));
		seen++;
	}
	assert_int_equal(seen, n);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), (size_t)n);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), (size_t)n);
}

/* Close from A, run out the linger: nothing may be left anywhere. */
static void close_and_drain(void)
{
	struct l2tp_tunnel *ta = h_only_tunnel(A);

	assert_non_null(ta);
	assert_int_equal(l2tp_tunnel_close(ta, 1, 0, "test done", H.now), 0);
	/* the linger lasts a full retransmission cycle: up to 40 retries of 8 s */
	h_run(&H, H.now + 1000 * SEC);
	assert_true(h_quiet(&H));
	assert_int_equal(l2tp_ctx_tunnel_count(A->ctx), 0);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), 0);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), 0);
	assert_true(l2tp_list_empty(&A->ctx->all));
	assert_true(l2tp_list_empty(&B->ctx->all));
	assert_int_equal(A->order_errors, 0);
	assert_int_equal(B->order_errors, 0);
}

/* Every sequenced message one side sent first-hand was delivered once on the other. */
static void check_exactly_once(void)
{
	struct l2tp_tunnel_stats sa, sb;

	l2tp_tunnel_get_stats(h_only_tunnel(A), &sa);
	l2tp_tunnel_get_stats(h_only_tunnel(B), &sb);
	assert_int_equal(sa.xport.tx_msgs, sb.xport.rx_msgs);
	assert_int_equal(sb.xport.tx_msgs, sa.xport.rx_msgs);
	for (int i = 1; i <= L2TP_MSG_TYPE_MAX; i++) {
		if (i == L2TP_MSG_ACK)
			continue;
		assert_int_equal(sa.tx_by_type[i], sb.rx_by_type[i]);
		assert_int_equal(sb.tx_by_type[i], sa.rx_by_type[i]);
	}
}

/* ---- scenarios ---------------------------------------------------------------------- */

static void test_sim_basic(void **state)
{
	struct l2tp_tunnel_cfg tc = {0};
	struct l2tp_session_cfg sc = {.cookie_len = 8, .l2spec = L2TP_L2SPEC_DEFAULT,
				      .recv_seq = true};

	open_sessions(h_open_tunnel(A, B, &tc), 10, &sc);
	want_sessions = 10;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	check_pairs(10);
	check_exactly_once();
	assert_int_equal(A->log_warn, 0);
	assert_int_equal(B->log_warn, 0);
	close_and_drain();
	assert_int_equal(A->sessions_down, 10);
	assert_int_equal(B->sessions_down, 10);
	assert_true(B->last_tdown.by_peer);
	assert_int_equal(B->last_tdown.result, 1);
}

/* The scenario: 1,000 sessions, 30 % loss, reordering and duplication. */
static void run_lossy(int sessions, uint16_t rwnd)
{
	/* RFC defaults (5 retries) cannot outlive 30 % loss both ways: a message
	 * and its ack get through together half the time */
	struct l2tp_tunnel_cfg tc = {.xport.rwnd = rwnd, .xport.max_retries = 40,
				     .setup_timeout = 3000 * SEC};

	A->accept_tunnels = false;
	B->acfg.xport = tc.xport;
	/* 1,000 ICRQs through a window of 16 under 30 % loss take longer than
	 * the default session setup limit (two retransmission cycles) */
	B->acfg.setup_timeout = tc.setup_timeout;
	lossy(A, B, 0.30, 0.10, 0.20);
	open_sessions(h_open_tunnel(A, B, &tc), sessions, NULL);
	want_sessions = sessions;
	assert_true(h_run_until(&H, 3600 * SEC, all_up));
	check_pairs(sessions);
	check_exactly_once();
	assert_true(sim_link_stats(H.net, A->node, B->node)->dropped_loss > 0);
	assert_true(sim_link_stats(H.net, A->node, B->node)->duplicated > 0);
	{
		struct l2tp_tunnel_stats st;

		l2tp_tunnel_get_stats(h_only_tunnel(B), &st);
		assert_true(st.xport.rx_duplicates > 0);
		assert_true(st.cwnd <= (rwnd ? rwnd : L2TP_XPORT_RWND));
	}
	lossy(A, B, 0, 0, 0);
	close_and_drain();
}

static void test_sim_lossy_1000(void **state)
{
	int seeds = getenv("SIM_SEEDS") ? atoi(getenv("SIM_SEEDS")) : 1;

	run_lossy(1000, 0);
	for (int i = 1; i < seeds; i++) {
		teardown(state);
		base_seed++;
		fprintf(stderr, "sim: seed=%llu\n", (unsigned long long)base_seed);
		setup(state);
		run_lossy(200, 0);
	}
}

static void test_sim_window_1(void **state)
{
	run_lossy(100, 1);
}

static void test_sim_window_64(void **state)
{
	run_lossy(300, 64);
}

/* The link dies: the retry limit tears the tunnel down on both sides. */
static void test_sim_retry_limit(void **state)
{
	struct l2tp_tunnel_cfg tc = {.hello = 10 * SEC};
	struct l2tp_tunnel *t;
	l2tp_time_t t0;

	B->acfg.hello = 10 * SEC;
	t = h_open_tunnel(A, B, &tc);
	want_sessions = 0;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	cut(A, B);
	t0 = H.now;
	open_sessions(t, 1, NULL); /* an ICRQ that will never be acknowledged */
	h_run(&H, t0 + 200 * SEC);
	assert_int_equal(A->tunnels_down, 1);
	assert_int_equal(B->tunnels_down, 1);
	assert_true(A->last_tdown.timeout);
	assert_true(B->last_tdown.timeout);
	assert_int_equal(A->sessions_down, 1);
	assert_true(h_quiet(&H));
}

static bool a_down(struct harness *h)
{
	return A->tunnels_down > 0;
}

/* A silent peer is detected by Hello within hello + a full retransmission cycle. */
static void test_sim_hello_dead_peer(void **state)
{
	struct l2tp_tunnel_cfg tc = {.hello = 20 * SEC};
	l2tp_time_t t0;

	h_open_tunnel(A, B, &tc);
	want_sessions = 0;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	h_run(&H, H.now + 5 * SEC);
	B->dead = true; /* crashed: no more packets in or out */
	t0 = H.now;
	assert_true(h_run_until(&H, t0 + 300 * SEC, a_down));
	assert_true(A->last_tdown.timeout);
	/* bound: the hello interval plus the full retransmission cycle (31 s) */
	assert_true(H.now - t0 <= 20 * SEC + 31 * SEC + 1 * SEC);
	assert_true(H.now - t0 >= 20 * SEC);
	{
		/* the Hello went out: A's tunnel is gone, but its counters said so */
		assert_true(strstr(A->last_tdown_msg, "dead peer") != NULL);
	}
}

/* Hellos keep an idle tunnel up for a long time, without warnings. */
static void test_sim_hello_keepalive(void **state)
{
	struct l2tp_tunnel_cfg tc = {.hello = 10 * SEC};
	struct l2tp_tunnel_stats st;

	B->acfg.hello = 10 * SEC;
	h_open_tunnel(A, B, &tc);
	want_sessions = 0;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	h_run(&H, H.now + 600 * SEC);
	assert_int_equal(A->tunnels_down, 0);
	assert_int_equal(B->tunnels_down, 0);
	l2tp_tunnel_get_stats(h_only_tunnel(A), &st);
	assert_true(st.tx_by_type[L2TP_MSG_HELLO] >= 20);
	close_and_drain();
}

/* Both close at the same moment: StopCCNs cross, both go down, nothing left. */
static void test_sim_stopccn_crossing(void **state)
{
	open_sessions(h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0}), 3, NULL);
	want_sessions = 3;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	assert_int_equal(l2tp_tunnel_close(h_only_tunnel(A), 1, 0, NULL, H.now), 0);
	assert_int_equal(l2tp_tunnel_close(h_only_tunnel(B), 6, 0, "shutting down", H.now), 0);
	h_run(&H, H.now + 120 * SEC);
	assert_int_equal(A->tunnels_down, 1);
	assert_int_equal(B->tunnels_down, 1);
	assert_int_equal(A->sessions_down, 3);
	assert_int_equal(B->sessions_down, 3);
	assert_true(h_quiet(&H));
	assert_true(l2tp_list_empty(&A->ctx->all));
	assert_true(l2tp_list_empty(&B->ctx->all));
}

/* CDN one way, CDNs crossing, and the tunnel stays up. */
static void test_sim_cdn(void **state)
{
	struct l2tp_tunnel *ta;
	struct l2tp_session *s0, *s1, *p1;

	ta = h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	open_sessions(ta, 3, NULL);
	want_sessions = 3;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	s0 = l2tp_tunnel_next_session(ta, NULL);
	s1 = l2tp_tunnel_next_session(ta, s0);
	p1 = l2tp_session_find(B->ctx, l2tp_session_peer_id(s1));
	assert_non_null(p1);
	assert_int_equal(l2tp_session_close(s0, 3, 0, "admin", H.now), 0);
	h_run(&H, H.now + 5 * SEC);
	assert_int_equal(B->sessions_down, 1);
	assert_true(B->last_sdown.by_peer);
	assert_int_equal(B->last_sdown.result, 3);
	/* crossing */
	assert_int_equal(l2tp_session_close(s1, 3, 0, NULL, H.now), 0);
	assert_int_equal(l2tp_session_close(p1, 3, 0, NULL, H.now), 0);
	h_run(&H, H.now + 5 * SEC);
	assert_int_equal(A->sessions_down, 2);
	assert_int_equal(B->sessions_down, 2);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), 1);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), 1);
	assert_int_equal(A->tunnels_down, 0);
	check_exactly_once();
	close_and_drain();
}

/* SLI with Circuit Status both ways. */
static void test_sim_sli(void **state)
{
	struct l2tp_tunnel *ta = h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	struct l2tp_session *s, *p;

	open_sessions(ta, 1, NULL);
	want_sessions = 1;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	s = l2tp_tunnel_next_session(ta, NULL);
	p = l2tp_session_find(B->ctx, l2tp_session_peer_id(s));
	assert_true(l2tp_session_dp(p)->peer_circuit_up);
	assert_int_equal(l2tp_session_set_circuit(s, false, H.now), 0);
	h_run(&H, H.now + 2 * SEC);
	assert_int_equal(B->circuit_events, 1);
	assert_false(l2tp_session_dp(p)->peer_circuit_up);
	assert_int_equal(l2tp_session_set_circuit(p, false, H.now), 0);
	assert_int_equal(l2tp_session_set_circuit(s, true, H.now), 0);
	h_run(&H, H.now + 2 * SEC);
	assert_int_equal(A->circuit_events, 1);
	assert_false(l2tp_session_dp(s)->peer_circuit_up);
	assert_true(l2tp_session_dp(p)->peer_circuit_up);
	close_and_drain();
}

static bool one_each(struct harness *h)
{
	return A->sessions_up >= 3 && B->sessions_up >= 3;
}

/* Both initiate at once with the same lines: one tunnel, one session per Remote End ID. */
static void test_sim_both_initiate(void **state)
{
	struct l2tp_tunnel_cfg tc = {0};

	A->accept_tunnels = true;
	A->accept_sessions = false; /* sessions are matched by the tie breaker, not accepted */
	B->accept_sessions = false;
	A->auto_sessions = B->auto_sessions = 3;
	/* a responder that lost keeps its settings: the same as its initiator's */
	h_open_tunnel(A, B, &tc);
	h_open_tunnel(B, A, &tc);
	lossy(A, B, 0.1, 0.05, 0.1);
	assert_true(h_run_until(&H, 600 * SEC, one_each));
	h_run(&H, H.now + 60 * SEC);
	assert_int_equal(l2tp_ctx_tunnel_count(A->ctx), 1);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 1);
	/* the loser's own tunnel turned into the winner's peer: no DOWN either side */
	assert_int_equal(A->tunnels_down, 0);
	assert_int_equal(B->tunnels_down, 0);
	assert_int_equal(A->tunnels_up, 1);
	assert_int_equal(B->tunnels_up, 1);
	assert_int_equal(A->sessions_up, 3);
	assert_int_equal(B->sessions_up, 3);
	assert_int_equal(A->sessions_down, 0);
	assert_int_equal(B->sessions_down, 0);
	lossy(A, B, 0, 0, 0);
	check_pairs(3);
	close_and_drain();
}

static void run_digest(uint8_t digest)
{
	struct l2tp_tunnel_cfg tc = {.secret = (const uint8_t *)"s3cret", .secret_len = 6,
				     .digest = digest};
	struct l2tp_tunnel_stats st;

	B->acfg = tc;
	lossy(A, B, 0.2, 0.05, 0.1);
	open_sessions(h_open_tunnel(A, B, &tc), 20, NULL);
	want_sessions = 20;
	assert_true(h_run_until(&H, 600 * SEC, all_up));
	check_pairs(20);
	check_exactly_once();
	l2tp_tunnel_get_stats(h_only_tunnel(A), &st);
	assert_int_equal(st.rx_digest_failures, 0);
	/* RFC 3931 §6.17: acknowledgements are ACK messages, never ZLBs, with digests */
	assert_true(st.tx_by_type[L2TP_MSG_ACK] > 0);
	assert_int_equal(st.tx_by_type[L2TP_MSG_ACK], st.xport.tx_acks);
	lossy(A, B, 0, 0, 0);
	close_and_drain();
}

static void test_sim_digest_md5(void **state)
{
	run_digest(L2TP_DIGEST_HMAC_MD5);
}

static void test_sim_digest_sha1(void **state)
{
	run_digest(L2TP_DIGEST_HMAC_SHA1);
}

/* Different secrets: never established, and both ends say why. */
static void test_sim_wrong_secret(void **state)
{
	struct l2tp_tunnel_cfg tc = {.secret = (const uint8_t *)"right", .secret_len = 5};

	B->acfg = tc;
	B->acfg.secret = (const uint8_t *)"wrong";
	h_open_tunnel(A, B, &tc);
	h_run(&H, 300 * SEC);
	assert_int_equal(A->tunnels_up, 0);
	assert_int_equal(B->tunnels_up, 0);
	assert_int_equal(A->tunnels_down, 1);
	assert_true(A->last_tdown.timeout);
	assert_true(strstr(A->last_tdown_msg, "digest") != NULL);
	assert_true(A->saw_digest_log);
	assert_true(B->saw_digest_log);
	assert_true(l2tp_ctx_stats(B->ctx)->rx_digest_failures > 0);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);
	assert_true(h_quiet(&H));
}

/* A secret on one side only: the signing side refuses, says why. */
static void test_sim_secret_one_side(void **state)
{
	struct l2tp_tunnel_cfg tc = {.secret = (const uint8_t *)"only-a", .secret_len = 6};

	h_open_tunnel(A, B, &tc);
	h_run(&H, 300 * SEC);
	assert_int_equal(A->tunnels_up, 0);
	assert_true(A->saw_digest_log);
	assert_true(B->saw_digest_log); /* "peer signs its messages but no secret" */
	assert_true(h_quiet(&H));
}

/* An ACK-message peer against a ZLB-only peer. */
static void test_sim_ack_vs_zlb(void **state)
{
	struct l2tp_tunnel_cfg tc = {.ack_pref = L2TP_ACKPREF_MSG};
	struct l2tp_tunnel_stats sa, sb;

	B->acfg.ack_pref = L2TP_ACKPREF_ZLB;
	lossy(A, B, 0.1, 0, 0.1);
	open_sessions(h_open_tunnel(A, B, &tc), 50, NULL);
	want_sessions = 50;
	assert_true(h_run_until(&H, 600 * SEC, all_up));
	h_run(&H, H.now + 5 * SEC);
	l2tp_tunnel_get_stats(h_only_tunnel(A), &sa);
	l2tp_tunnel_get_stats(h_only_tunnel(B), &sb);
	assert_true(sa.tx_by_type[L2TP_MSG_ACK] > 0);
	assert_int_equal(sb.tx_by_type[L2TP_MSG_ACK], 0);
	assert_true(sb.xport.tx_acks > 0); /* ZLBs */
	assert_true(sb.rx_by_type[L2TP_MSG_ACK] > 0); /* and took them as acks */
	assert_true(sb.rx_by_type[L2TP_MSG_ACK] <= sa.tx_by_type[L2TP_MSG_ACK]);
	lossy(A, B, 0, 0, 0);
	check_pairs(50);
	close_and_drain();
}

/* The peer restarts and opens a fresh connection while the old one is still known. */
static bool fresh_up(struct harness *h)
{
	return A->tunnels_up >= 2 && A->tunnels_down >= 1;
}

static void test_sim_peer_restart(void **state)
{
	struct l2tp_tunnel_cfg tc = {0};

	A->accept_tunnels = true;
	A->accept_sessions = true;
	open_sessions(h_open_tunnel(A, B, &tc), 2, NULL);
	want_sessions = 2;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	h_restart(B);
	B->sessions_up = B->tunnels_up = 0;
	open_sessions(h_open_tunnel(B, A, &tc), 2, NULL);
	assert_true(h_run_until(&H, H.now + 120 * SEC, fresh_up));
	/* the old one was probed (Hello) and died within a retransmission cycle */
	assert_true(A->last_tdown.timeout);
	assert_int_equal(l2tp_ctx_tunnel_count(A->ctx), 1);
	h_run(&H, H.now + 10 * SEC);
	assert_int_equal(A->sessions_up, 4);
	assert_int_equal(A->sessions_down, 2);
	assert_int_equal(B->sessions_up, 2);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), 2);
}

/* Sessions the acceptor refuses, and pseudowire types it does not offer. */
static void test_sim_session_refused(void **state)
{
	struct l2tp_tunnel *ta = h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	struct l2tp_session_cfg ppp = {.pw_type = L2TP_PW_PPP, .l2spec = -1};
	struct l2tp_session_cfg seq = {.recv_seq = true, .l2spec = L2TP_L2SPEC_NONE};

	want_sessions = 0;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	open_sessions(ta, 1, &ppp);
	h_run(&H, H.now + 5 * SEC);
	assert_int_equal(A->sessions_down, 1);
	assert_int_equal(A->last_sdown.result, 14);
	assert_true(A->last_sdown.by_peer);
	B->accept_sessions = false;
	open_sessions(ta, 1, NULL);
	h_run(&H, H.now + 5 * SEC);
	assert_int_equal(A->sessions_down, 2);
	assert_int_equal(A->last_sdown.result, 24);
	B->accept_sessions = true;
	open_sessions(ta, 1, &seq);
	h_run(&H, H.now + 5 * SEC);
	assert_int_equal(A->sessions_down, 3);
	assert_int_equal(A->last_sdown.result, 15);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), 0);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), 0);
	close_and_drain();
}

/* ---- crafted peers --------------------------------------------------------------------- */

/* Send |msg| (built by hand) from A's address to B and run a little. */
static void inject(const uint8_t *pkt, size_t len)
{
	struct l2tp_path p = h_path(B, A);

	assert_int_equal(l2tp_ctx_handle_ctrl_pkt(B->ctx, &p, pkt, len, H.now), 0);
}

/* The next datagram B wants to send, decoded. */
static int b_reply(struct l2tp_msg *m, struct l2tp_ctrl_hdr *h, uint8_t *buf, size_t cap)
{
	struct l2tp_path p;
	ssize_t n = l2tp_ctx_write_pkt(B->ctx, &p, buf, cap, H.now);

	if (n <= 0)
		return -1;
	assert_true(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, buf, (size_t)n, h, NULL) > 0);
	memset(m, 0, sizeof(*m));
	return l2tp_msg_parse(buf + h->hdr_len, h->msg_len - h->hdr_len, h->version, NULL, 0,
			      NULL, 0, m, NULL);
}

static size_t build(struct l2tp_msg *m, int version, uint32_t tid, uint16_t ns, uint16_t nr,
		    const uint8_t *extra, size_t extra_len, uint8_t *buf, size_t cap)
{
	struct l2tp_ctrl_hdr h = {.version = (uint8_t)version, .tunnel_id = tid, .ns = ns, .nr = nr};
	struct l2tp_cursor c;
	ssize_t hl;
	int bl;

	l2tp_cur_init(&c, buf, cap);
	hl = l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h);
	assert_true(hl > 0);
	bl = l2tp_msg_build(m, version, NULL, buf + hl, cap - (size_t)hl);
	assert_true(bl > 0);
	c.pos += (size_t)bl;
	if (extra_len)
		memcpy(buf + c.pos, extra, extra_len);
	c.pos += extra_len;
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
	return c.pos;
}

/* An unknown AVP with the M bit: vendor 0, type 120, 2 bytes. */
static const uint8_t unknown_m[] = {0x80, 0x08, 0x00, 0x00, 0x00, 0x78, 0x12, 0x34};

static void test_sim_unknown_mandatory(void **state)
{
	uint8_t buf[1024], out[1024];
	struct l2tp_ctrl_hdr h;
	struct l2tp_msg m, r;
	struct l2tp_tunnel *ta;
	size_t n;

	/* in an SCCRQ: a StopCCN with error code 8, no connection kept */
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 3, &m), 0);
	m.ccid = 0x11223344;
	n = build(&m, 3, 0, 0, 0, unknown_m, sizeof(unknown_m), buf, sizeof(buf));
	inject(buf, n);
	assert_int_equal(b_reply(&r, &h, out, sizeof(out)), 0);
	assert_int_equal(r.type, L2TP_MSG_STOPCCN);
	assert_int_equal(h.tunnel_id, 0x11223344);
	assert_int_equal(r.result.result, 2);
	assert_int_equal(r.result.error, L2TP_ERR_UNKNOWN_M);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);

	/* in a Hello of an established connection: StopCCN 2/8 and both down */
	ta = h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	want_sessions = 0;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	h_run(&H, H.now + 1 * SEC);
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	n = build(&m, 3, l2tp_tunnel_peer_id(ta), ta->x.ns_next, ta->x.nr, unknown_m,
		  sizeof(unknown_m), buf, sizeof(buf));
	ta->x.ns_next++; /* A "sent" it */
	inject(buf, n);
	h_run(&H, H.now + 60 * SEC);
	assert_int_equal(B->tunnels_down, 1);
	assert_int_equal(B->last_tdown.error, L2TP_ERR_UNKNOWN_M);
	assert_int_equal(A->tunnels_down, 1);
	assert_true(A->last_tdown.by_peer);
	assert_int_equal(A->last_tdown.error, L2TP_ERR_UNKNOWN_M);
}

/* An unknown AVP with M=0 is ignored; Cisco's vendor-9 AVPs are tolerated. */
static void test_sim_unknown_optional(void **state)
{
	static const uint8_t extra[] = {
	    0x00, 0x08, 0x00, 0x00, 0x00, 0x78, 0x12, 0x34, /* IETF 120, M=0 */
	    0x80, 0x0a, 0x00, 0x09, 0x00, 0x01, 0, 0, 0, 5, /* Cisco Assigned Connection ID */
	};
	uint8_t buf[1024], out[1024];
	struct l2tp_ctrl_hdr h;
	struct l2tp_msg m, r;
	size_t n;

	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 3, &m), 0);
	m.ccid = 0x55667788;
	l2tp_msg_clear(&m, L2TP_AVP_TIE_BREAKER);
	n = build(&m, 3, 0, 0, 0, extra, sizeof(extra), buf, sizeof(buf));
	inject(buf, n);
	assert_int_equal(b_reply(&r, &h, out, sizeof(out)), 0);
	assert_int_equal(r.type, L2TP_MSG_SCCRP);
	assert_int_equal(h.tunnel_id, 0x55667788);
}

/*
 * An L2TPv2 SCCRQ reaches tunnel_request with its version: refused there
 * with 5, a v2 StopCCN, result 5, error 3 (the highest version spoken
 * here); accepted, a v2 SCCRP.
 */
static void test_sim_v2_sccrq(void **state)
{
	uint8_t buf[1024], out[1024];
	struct l2tp_ctrl_hdr h;
	struct l2tp_msg m, r;
	size_t n;

	B->refuse_version = 2;
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 2, &m), 0);
	m.tunnel_id = 4242;
	n = build(&m, 2, 0, 0, 0, NULL, 0, buf, sizeof(buf));
	inject(buf, n);
	assert_int_equal(B->last_req_version, 2);
	assert_int_equal(b_reply(&r, &h, out, sizeof(out)), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.tunnel_id, 4242);
	assert_int_equal(r.type, L2TP_MSG_STOPCCN);
	assert_int_equal(r.result.result, 5);
	assert_int_equal(r.result.error, 3);
	assert_int_equal(l2tp_ctx_stats(B->ctx)->rx_refused, 1);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);

	B->refuse_version = 0;
	m.tunnel_id = 4343;
	n = build(&m, 2, 0, 0, 0, NULL, 0, buf, sizeof(buf));
	inject(buf, n);
	assert_int_equal(b_reply(&r, &h, out, sizeof(out)), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.tunnel_id, 4343);
	assert_int_equal(r.type, L2TP_MSG_SCCRP);
	assert_int_equal(r.protocol_version, 0x0100);
	assert_true(r.tunnel_id != 0);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 1);
}

/* An acceptor refuses peers it has no line for: StopCCN result 4 and a log line. */
static void test_sim_refused_peer(void **state)
{
	B->accept_tunnels = false;
	h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	h_run(&H, 60 * SEC);
	assert_int_equal(A->tunnels_down, 1);
	assert_true(A->last_tdown.by_peer);
	assert_int_equal(A->last_tdown.result, 4);
	assert_int_equal(l2tp_ctx_stats(B->ctx)->rx_refused, 1);
	assert_true(B->log_warn > 0);
	assert_true(h_quiet(&H));
}

/* A peer host name that is not the configured one is refused. */
static void test_sim_wrong_hostname(void **state)
{
	B->acfg.peer_hostname = "someone-else.example";
	h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	h_run(&H, 60 * SEC);
	assert_int_equal(A->tunnels_up, 0);
	assert_int_equal(A->tunnels_down, 1);
	assert_int_equal(A->last_tdown.result, 4);
	assert_true(h_quiet(&H));
}

/* Small MTU on the path: messages still fit (the largest we build is small). */
static void test_sim_ipv4_mtu(void **state)
{
	struct sim_link l = {.delay = 1 * MSEC, .mtu = 576 - 28};

	sim_link_set(H.net, A->node, B->node, &l);
	sim_link_set(H.net, B->node, A->node, &l);
	open_sessions(h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0}), 5, NULL);
	want_sessions = 5;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	assert_int_equal(sim_link_stats(H.net, A->node, B->node)->dropped_mtu, 0);
	close_and_drain();
}


/* Outgoing calls: OCRQ / OCRP / OCCN (RFC 3931 §3.4.2, §7.4). */
static void test_sim_outgoing(void **state)
{
	struct l2tp_session_cfg oc = {.outgoing = true, .l2spec = -1, .cookie_len = 4};
	struct l2tp_tunnel_stats sa;

	open_sessions(h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0}), 4, &oc);
	want_sessions = 4;
	lossy(A, B, 0.1, 0.05, 0.1);
	assert_true(h_run_until(&H, 120 * SEC, all_up));
	lossy(A, B, 0, 0, 0);
	check_pairs(4);
	l2tp_tunnel_get_stats(h_only_tunnel(A), &sa);
	assert_int_equal(sa.tx_by_type[L2TP_MSG_OCRQ], 4);
	assert_int_equal(sa.rx_by_type[L2TP_MSG_OCRP], 4);
	assert_int_equal(sa.rx_by_type[L2TP_MSG_OCCN], 4);
	assert_int_equal(sa.tx_by_type[L2TP_MSG_ICRQ], 0);
	close_and_drain();
}

/* An ICRQ with an unknown mandatory AVP: CDN 2/8, the tunnel stays (RFC 3931 §5.2). */
static void test_sim_unknown_mandatory_session(void **state)
{
	uint8_t buf[1024];
	struct l2tp_tunnel *ta;
	struct l2tp_msg m;
	size_t n;

	ta = h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	want_sessions = 0;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	h_run(&H, H.now + 1 * SEC);
	assert_int_equal(l2tp_msg_example(L2TP_MSG_ICRQ, 3, &m), 0);
	m.local_session_id = 0xabc;
	m.remote_session_id = 0;
	n = build(&m, 3, l2tp_tunnel_peer_id(ta), ta->x.ns_next, ta->x.nr, unknown_m,
		  sizeof(unknown_m), buf, sizeof(buf));
	ta->x.ns_next++; /* A "sent" it */
	inject(buf, n);
	h_run(&H, H.now + 5 * SEC);
	{
		struct l2tp_tunnel_stats sb;

		l2tp_tunnel_get_stats(h_only_tunnel(B), &sb);
		assert_int_equal(sb.tx_by_type[L2TP_MSG_CDN], 1);
	}
	assert_int_equal(A->tunnels_down, 0);
	assert_int_equal(B->tunnels_down, 0);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), 0);
	/* A got a CDN for a session it does not have: counted, not answered */
	{
		struct l2tp_tunnel_stats st;

		l2tp_tunnel_get_stats(ta, &st);
		assert_int_equal(st.rx_by_type[L2TP_MSG_CDN], 1);
		assert_int_equal(st.rx_unknown_session, 1);
	}
}

/* Scale: 100,000 sessions in one context, lookups by id. */
static void test_sim_scale_100k(void **state)
{
	struct l2tp_tunnel_cfg tc = {.xport.rwnd = 64, .hello = L2TP_TIME_NEVER};
	struct l2tp_session_cfg sc = {.l2spec = -1, .cookie_len = 8};

	B->acfg = tc;
	open_sessions(h_open_tunnel(A, B, &tc), 100000, &sc);
	want_sessions = 100000;
	assert_true(h_run_until(&H, 3600 * SEC, all_up));
	check_pairs(100000);
	close_and_drain();
}

/* Rows the tunnel table does not have: StopCCN result 7 (FSM error), both down. */
static void test_sim_tunnel_fsm_errors(void **state)
{
	static const uint16_t bad[] = {L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN};

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(bad); i++) {
		uint8_t buf[1024];
		struct l2tp_tunnel *ta;
		struct l2tp_msg m;
		size_t n;

		if (i) {
			teardown(state);
			setup(state);
		}
		ta = h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
		want_sessions = 0;
		assert_true(h_run_until(&H, 30 * SEC, all_up));
		h_run(&H, H.now + 1 * SEC);
		assert_int_equal(l2tp_msg_example(bad[i], 3, &m), 0);
		n = build(&m, 3, l2tp_tunnel_peer_id(ta), ta->x.ns_next, ta->x.nr, NULL, 0, buf,
			  sizeof(buf));
		ta->x.ns_next++;
		inject(buf, n);
		h_run(&H, H.now + 60 * SEC);
		assert_int_equal(B->tunnels_down, 1);
		assert_int_equal(B->last_tdown.result, 7);
		assert_int_equal(A->tunnels_down, 1);
		assert_true(A->last_tdown.by_peer);
		assert_int_equal(A->last_tdown.result, 7);
	}
}

/* The lossy scenario over IP encapsulation (the 4-byte Session ID 0 shifts every offset). */
static void test_sim_ip_encap_lossy(void **state)
{
	struct l2tp_tunnel_cfg tc = {.secret = (const uint8_t *)"ip", .secret_len = 2,
				     .xport.max_retries = 20};

	h_set_encap(&H, L2TP_ENCAP_IP);
	B->acfg = tc;
	lossy(A, B, 0.2, 0.05, 0.2);
	open_sessions(h_open_tunnel(A, B, &tc), 100, NULL);
	want_sessions = 100;
	assert_true(h_run_until(&H, 1200 * SEC, all_up));
	check_pairs(100);
	check_exactly_once();
	assert_int_equal(l2tp_session_dp(l2tp_tunnel_next_session(h_only_tunnel(A), NULL))->path.encap,
			 L2TP_ENCAP_IP);
	lossy(A, B, 0, 0, 0);
	close_and_drain();
}

/* ---- failing allocator (STYLE.md §3.7, nghttp2's failmalloc) --------------------------- */

struct failmem {
	long calls; /* allocations so far */
	long fail_at; /* this one fails (1-based); 0 = none */
	long failed;
};

static void *fm_alloc(void *user, size_t n)
{
	struct failmem *f = user;

	if (f->fail_at && ++f->calls == f->fail_at) {
		f->failed++;
		return NULL;
	}
	if (!f->fail_at)
		f->calls++;
	return calloc(1, n);
}

static void fm_free(void *user, void *p)
{
	free(p);
}

static bool fm_done(struct harness *h)
{
	return A->tunnels_down > 0 || (A->sessions_up >= 2 && B->sessions_up >= 2);
}

/* Bring-up of a tunnel and two sessions, then teardown; returns allocations made. */
static void fm_scenario(void)
{
	struct l2tp_tunnel *t = NULL;
	struct l2tp_path p = h_path(A, B);
	struct l2tp_tunnel_cfg tc = {.secret = (const uint8_t *)"k", .secret_len = 1};

	B->acfg = tc;
	if (l2tp_tunnel_open(A->ctx, &p, &tc, H.now, &t) < 0)
		return;
	for (int i = 0; i < 2; i++) {
		struct l2tp_session_cfg c = {.l2spec = -1, .cookie_len = 4,
					     .remote_end_id = (const uint8_t *)(i ? "y" : "x"),
					     .remote_end_id_len = 1};
		struct l2tp_session *s;

		l2tp_session_open(t, &c, H.now, &s);
	}
	h_run_until(&H, H.now + 200 * SEC, fm_done);
	if (A->tunnels_down == 0 && (t = h_only_tunnel(A)))
		l2tp_tunnel_close(t, 1, 0, NULL, H.now);
	h_run(&H, H.now + 300 * SEC);
}

static void test_sim_failmalloc(void **state)
{
	struct failmem fa = {0};
	struct l2tp_mem mem = {fm_alloc, fm_free, &fa};
	long total;

	/* count: both contexts share one allocator */
	teardown(state);
	h_init(&H, base_seed);
	A = h_add(&H, "a", &mem);
	B = h_add(&H, "b", &mem);
	B->accept_tunnels = B->accept_sessions = true;
	fa.calls = 0;
	fm_scenario();
	total = fa.calls;
	assert_true(total > 10);
	assert_int_equal(A->sessions_up, 2);
	for (long n = 1; n <= total; n++) {
		teardown(state);
		fa = (struct failmem){0};
		h_init(&H, base_seed);
		A = h_add(&H, "a", &mem);
		B = h_add(&H, "b", &mem);
		B->accept_tunnels = B->accept_sessions = true;
		fa.calls = 0;
		fa.fail_at = n; /* armed after the contexts exist */
		fm_scenario();
		assert_int_equal(fa.failed, 1);
		/* still usable: the same again with memory to spare */
		fa.fail_at = 0;
		A->tunnels_down = A->sessions_up = B->sessions_up = 0;
		fm_scenario();
		assert_int_equal(A->sessions_up, 2);
		assert_int_equal(B->sessions_up, 2);
		assert_int_equal(A->order_errors + B->order_errors, 0);
	}
	fprintf(stderr, "sim: failmalloc walked %ld allocations\n", total);
}

/* ---- wire check: a capture of a full exchange, decoded by tshark ------------------------ */

static void run_capture(const char *secret, uint8_t digest, bool ip)
{
	char dir[] = "/tmp/l2tp-simcap-XXXXXX", path[96], cmd[512], line[512];
	struct l2tp_tunnel_cfg tc = {0};
	int types[512], n = 0, malformed = 0, baddigest = 0, digests = 0, frames = 0;
	FILE *p;

	if (system("tshark -v >/dev/null 2>&1") != 0) {
		fprintf(stderr, "sim: no tshark: capture check skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctrl.pcap", dir);
	if (secret) {
		tc.secret = (const uint8_t *)secret;
		tc.secret_len = strlen(secret);
		tc.digest = digest;
	}
	B->acfg = tc;
	if (ip)
		h_set_encap(&H, L2TP_ENCAP_IP);
	assert_int_equal(sim_capture_open(H.net, path, false, !ip), 0);
	open_sessions(h_open_tunnel(A, B, &tc), 2, &(struct l2tp_session_cfg){
						      .cookie_len = 4, .l2spec = L2TP_L2SPEC_DEFAULT});
	want_sessions = 2;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	l2tp_session_close(l2tp_tunnel_next_session(h_only_tunnel(A), NULL), 3, 0, NULL, H.now);
	l2tp_session_set_circuit(l2tp_tunnel_next_session(h_only_tunnel(A), NULL), false, H.now);
	h_run(&H, H.now + 2 * SEC);
	close_and_drain();
	assert_int_equal(sim_capture_close(H.net), 0);

	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' -o udp.check_checksum:TRUE %s%s -T fields -E occurrence=f "
		 "-e frame.number -e l2tp.avp.message_type -e _ws.malformed "
		 "-e l2tp.incorrect_digest -e l2tp.avp.message_digest 2>/dev/null",
		 path, secret ? "-o l2tp.shared_secret:" : "", secret ? secret : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) && n < 512) {
		char *f[5] = {0}, *sp = line;

		line[strcspn(line, "\n")] = 0;
		for (int i = 0; i < 5; i++)
			f[i] = sp ? strsep(&sp, "\t") : (char *)"";
		frames++;
		if (f[1] && *f[1])
			types[n++] = atoi(f[1]);
		malformed += f[2] && *f[2];
		baddigest += f[3] && *f[3];
		digests += f[4] && *f[4];
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal((uint64_t)frames, sim_capture_count(H.net));
	assert_int_equal(malformed, 0);
	assert_int_equal(baddigest, 0);
	/* the expected order of the exchange */
	assert_true(n >= 8);
	assert_int_equal(types[0], L2TP_MSG_SCCRQ);
	assert_int_equal(types[1], L2TP_MSG_SCCRP);
	assert_int_equal(types[2], L2TP_MSG_SCCCN);
	{
		int want[] = {L2TP_MSG_ICRQ, L2TP_MSG_ICRP, L2TP_MSG_ICCN, L2TP_MSG_CDN,
			      L2TP_MSG_SLI, L2TP_MSG_STOPCCN},
		    k = 0;

		for (int i = 3; i < n && k < 6; i++)
			if (types[i] == want[k])
				k++;
		assert_int_equal(k, 6);
	}
	if (secret)
		assert_int_equal(digests, n); /* every message, ACKs included, signed */
	else
		assert_int_equal(digests, 0);
	/* no expert error anywhere (PI_ERROR, 0x00800000, in any field of any frame) */
	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' %s%s -T fields -E occurrence=a -E aggregator=' ' "
		 "-e _ws.expert.severity 2>/dev/null | tr ' ' '\\n' | grep -c '^8388608$'",
		 path, secret ? "-o l2tp.shared_secret:" : "", secret ? secret : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	assert_int_equal(atoi(line), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_sim_capture_plain(void **state)
{
	run_capture(NULL, 0, false);
}

/* L2TPv3 over IP: Session ID 0 before every control header (RFC 3931 §4.1.1.2). */
static void test_sim_capture_ip_sha1(void **state)
{
	run_capture("s3cret", L2TP_DIGEST_HMAC_SHA1, true);
}

static void test_sim_capture_md5(void **state)
{
	run_capture("s3cret", L2TP_DIGEST_HMAC_MD5, false);
}

static void test_sim_capture_sha1(void **state)
{
	run_capture("s3cret", L2TP_DIGEST_HMAC_SHA1, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sim_basic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_lossy_1000, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_window_1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_window_64, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_retry_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_hello_dead_peer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_hello_keepalive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_stopccn_crossing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_cdn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_sli, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_both_initiate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_digest_md5, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_digest_sha1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_wrong_secret, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_secret_one_side, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_ack_vs_zlb, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_peer_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_session_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_unknown_mandatory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_unknown_optional, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_v2_sccrq, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_refused_peer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_wrong_hostname, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_ipv4_mtu, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_outgoing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_unknown_mandatory_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_scale_100k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_tunnel_fsm_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_failmalloc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_capture_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_capture_md5, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_capture_sha1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_capture_ip_sha1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sim_ip_encap_lossy, setup, teardown),
	};

	base_seed = sim_seed(1);
	if (getenv("SIM_ONLY")) /* a glob of test names, e.g. SIM_ONLY='*digest*' */
		cmocka_set_test_filter(getenv("SIM_ONLY"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
