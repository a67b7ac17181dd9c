// SPDX-License-Identifier: MIT
/*
 * test_sim_v2.c - deterministic simulation of the L2TPv2 control protocol
 * (RFC 2661) in libl2tp: tunnels and PPP sessions in both roles (incoming
 * calls ICRQ/ICRP/ICCN, outgoing calls OCRQ/OCRP/OCCN), under loss over
 * several seeds, tunnel authentication with the right and a wrong secret,
 * hidden AVPs on the wire, the v3-to-v2 fallback, StopCCN and CDN from
 * either end, WEN and SLI, the tie breaker, and a capture of a whole
 * exchange decoded by tshark. SIM_SEED / SIM_SEEDS / SIM_VERBOSE as in
 * test_sim.c.
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
static int want_sessions;

static const char SECRET[] = "s3cret";

static int setup(void **state)
{
	h_init(&H, base_seed);
	A = h_add(&H, "lac", NULL);
	B = h_add(&H, "lns", NULL);
	B->accept_tunnels = true;
	B->accept_sessions = true;
	want_sessions = 0;
	return 0;
}

static int teardown(void **state)
{
	h_fini(&H);
	return 0;
}

static void lossy(double loss, double dup, double reorder)
{
	struct sim_link l = {
	    .loss = loss, .dup = dup, .reorder = reorder, .delay = 5 * MSEC, .jitter = 2 * MSEC};

	sim_link_set(H.net, A->node, B->node, &l);
	sim_link_set(H.net, B->node, A->node, &l);
}

static const struct l2tp_v2_call lac_call = {
    .bearer_type = L2TP_BEARER_DIGITAL,
    .calling_number = {(const uint8_t *)"5550100", 7},
    .called_number = {(const uint8_t *)"5551234", 7},
    .tx_speed = 54000000,
    .rx_speed = 11000000,
    .framing_type = L2TP_FRAMING_SYNC,
    .proxy = {.last_sent_lcp = {(const uint8_t *)"\x01\x04\x05\xdc", 4},
	      .auth_type = 3, /* PAP */
	      .auth_name = {(const uint8_t *)"alice", 5},
	      .auth_resp = {(const uint8_t *)"wonderland", 10}},
};

static void open_sessions(struct l2tp_tunnel *t, int n, bool outgoing, bool seq)
{
	for (int i = 0; i < n; i++) {
		struct l2tp_session_cfg c = {
		    .pw_type = L2TP_PW_PPP, .v2 = &lac_call, .outgoing = outgoing, .recv_seq = seq};
		struct l2tp_session *s;

		assert_int_equal(l2tp_session_open(t, &c, H.now, &s), 0);
	}
}

static bool all_up(struct harness *h)
{
	return A->sessions_up >= want_sessions && B->sessions_up >= want_sessions &&
	       A->tunnels_up >= 1 && B->tunnels_up >= 1;
}

/* Both ends agree on the v2 tunnel and every session's ids. */
static void check_pairs(int n)
{
	struct l2tp_tunnel *ta = h_only_tunnel(A), *tb = h_only_tunnel(B);
	int seen = 0;

	assert_non_null(ta);
	assert_non_null(tb);
	assert_int_equal(l2tp_tunnel_version(ta), 2);
	assert_int_equal(l2tp_tunnel_version(tb), 2);
	assert_true(l2tp_tunnel_id(ta) <= 0xffff && l2tp_tunnel_id(tb) <= 0xffff);
	assert_int_equal(l2tp_tunnel_peer_id(ta), l2tp_tunnel_id(tb));
	assert_int_equal(l2tp_tunnel_peer_id(tb), l2tp_tunnel_id(ta));
	assert_int_equal(l2tp_tunnel_peer_framing_caps(tb), L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
	for (struct l2tp_session *s = l2tp_tunnel_next_session(ta, NULL); s;
	     s = l2tp_tunnel_next_session(ta, s)) {
		const struct l2tp_session_dp *da = l2tp_session_dp(s);
		struct l2tp_session *p = l2tp_session_find(B->ctx, da->peer_session_id);
		const struct l2tp_session_dp *db;

		assert_non_null(p);
		assert_int_equal(l2tp_session_state(s), L2TP_SESSION_ESTABLISHED);
		assert_int_equal(l2tp_session_state(p), L2TP_SESSION_ESTABLISHED);
		db = l2tp_session_dp(p);
		assert_int_equal(da->version, 2);
		assert_int_equal(db->version, 2);
		assert_int_equal(da->pw_type, L2TP_PW_PPP);
		assert_int_equal(db->pw_type, L2TP_PW_PPP);
		assert_true(da->session_id <= 0xffff && db->session_id <= 0xffff);
		assert_int_equal(db->peer_session_id, da->session_id);
		assert_int_equal(da->tunnel_id, db->peer_tunnel_id);
		assert_int_equal(da->peer_tunnel_id, db->tunnel_id);
		assert_int_equal(da->send_seq, db->recv_seq);
		assert_int_equal(da->recv_seq, db->send_seq);
		seen++;
	}
	assert_int_equal(seen, n);
}

static void check_exactly_once(void)
{
	struct l2tp_tunnel_stats sa, sb;

	l2tp_tunnel_get_stats(h_only_tunnel(A), &sa);
	l2tp_tunnel_get_stats(h_only_tunnel(B), &sb);
	assert_int_equal(sa.xport.tx_msgs, sb.xport.rx_msgs);
	assert_int_equal(sb.xport.tx_msgs, sa.xport.rx_msgs);
	for (int i = 1; i <= L2TP_MSG_TYPE_MAX; i++) {
		assert_int_equal(sa.tx_by_type[i], sb.rx_by_type[i]);
		assert_int_equal(sb.tx_by_type[i], sa.rx_by_type[i]);
	}
	/* v2 has no ACK message: every acknowledgement is a ZLB */
	assert_int_equal(sa.tx_by_type[L2TP_MSG_ACK] + sb.tx_by_type[L2TP_MSG_ACK], 0);
}

/* Close from |from|, run out the linger: nothing may be left anywhere. */
static void close_and_drain(struct h_ep *from)
{
	struct l2tp_tunnel *t = h_only_tunnel(from);

	assert_non_null(t);
	assert_int_equal(l2tp_tunnel_close(t, 1, 0, "test done", H.now), 0);
	h_run(&H, H.now + 1000 * SEC);
	assert_true(h_quiet(&H));
	assert_int_equal(l2tp_ctx_tunnel_count(A->ctx), 0);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), 0);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), 0);
	assert_true(l2tp_list_empty(&A->ctx->all));
	assert_true(l2tp_list_empty(&B->ctx->all));
	assert_int_equal(A->order_errors + B->order_errors, 0);
}

/* ---- the wire: hidden AVPs and header Session IDs ------------------------------------- */

static int wire_hidden, wire_v2, wire_v3, wire_bad_sid;

static void count_wire(struct harness *h, int from, int to, const uint8_t *pkt, size_t len)
{
	struct l2tp_ctrl_hdr hd;
	struct l2tp_avp_iter it;
	struct l2tp_avp a;

	if (l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, pkt, len, &hd, NULL) < 0)
		return;
	if (hd.version == 3) {
		wire_v3++;
		return;
	}
	wire_v2++;
	l2tp_avp_iter_init(&it, pkt + hd.hdr_len, hd.msg_len - hd.hdr_len);
	while (l2tp_avp_next(&it, &a, NULL) > 0) {
		wire_hidden += a.hidden;
		/* RFC 2661 §3.1: ICRP, ICCN, CDN... carry the peer's Session ID */
		if (a.type == L2TP_AVP_MSG_TYPE && a.len == 2) {
			uint16_t t = (uint16_t)(a.value[0] << 8 | a.value[1]);

			if ((t == L2TP_MSG_ICRP || t == L2TP_MSG_ICCN || t == L2TP_MSG_OCRP ||
			     t == L2TP_MSG_OCCN) &&
			    hd.session_id == 0)
				wire_bad_sid++;
		}
	}
}

static void tap_wire(void)
{
	wire_hidden = wire_v2 = wire_v3 = wire_bad_sid = 0;
	H.tap = count_wire;
}

/* ---- scenarios ---------------------------------------------------------------------- */

/* Incoming calls: the LAC (A) opens tunnel and sessions; proxy LCP/auth reach the LNS. */
static void test_v2_incoming(void **state)
{
	struct l2tp_tunnel_cfg tc = {.version = 2};

	B->scfg.recv_seq = false;
	tap_wire();
	open_sessions(h_open_tunnel(A, B, &tc), 5, false, true);
	want_sessions = 5;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	check_pairs(5);
	check_exactly_once();
	assert_int_equal(A->last_up_version, 2);
	assert_int_equal(B->last_up_version, 2);
	assert_int_equal(B->last_req_version, 2);
	/* what the ICRQ said reached the request, what the ICCN said the UP event */
	assert_true(B->got_req_v2);
	assert_string_equal(B->req_calling, "5550100");
	assert_int_equal(B->last_req_v2.bearer_type, L2TP_BEARER_DIGITAL);
	assert_true(B->got_up_v2);
	assert_int_equal(B->last_up_v2.tx_speed, 54000000);
	assert_int_equal(B->last_up_v2.rx_speed, 11000000);
	assert_int_equal(B->last_up_v2.framing_type, L2TP_FRAMING_SYNC);
	assert_true(B->last_up_v2.seq_required);
	assert_int_equal(B->last_up_v2.proxy.auth_type, 3);
	assert_string_equal(B->up_proxy_name, "alice");
	assert_string_equal(B->up_proxy_resp, "wonderland");
	assert_string_equal(B->up_lcp, "\x01\x04\x05\xdc");
	/* Sequencing Required: sequence numbers both ways on both ends */
	{
		struct l2tp_session *s = l2tp_tunnel_next_session(h_only_tunnel(A), NULL);

		assert_true(l2tp_session_dp(s)->send_seq && l2tp_session_dp(s)->recv_seq);
	}
	assert_int_equal(wire_v3, 0);
	assert_int_equal(wire_hidden, 0); /* no secret, nothing hidden */
	assert_int_equal(wire_bad_sid, 0);
	assert_int_equal(A->log_warn + B->log_warn, 0);
	/* StopCCN from the LNS end this time */
	close_and_drain(B);
	assert_int_equal(A->sessions_down, 5);
	assert_true(A->last_tdown.by_peer);
	assert_int_equal(A->last_tdown.result, 1);
	assert_int_equal(B->sessions_down, 5);
}

/* Outgoing calls: the LNS (A here) places them; CDNs from either end, WEN and SLI. */
static void test_v2_outgoing(void **state)
{
	struct l2tp_tunnel_cfg tc = {.version = 2, .bearer_caps = L2TP_BEARER_ANALOG};
	struct l2tp_v2_call lac = {.tx_speed = 33600, .phys_channel = 7};
	struct l2tp_call_errors ce = {.crc = 1, .framing = 2, .hw_overruns = 3, .alignment = 6};
	struct l2tp_session *s0, *s1, *p1;
	struct l2tp_tunnel *ta;

	B->scfg.v2 = &lac;
	ta = h_open_tunnel(A, B, &tc);
	open_sessions(ta, 3, true, false);
	want_sessions = 3;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	check_pairs(3);
	assert_int_equal(l2tp_tunnel_peer_bearer_caps(h_only_tunnel(B)), L2TP_BEARER_ANALOG);
	assert_true(B->got_req_v2);
	assert_int_equal(B->last_req_v2.max_bps, 100000000);
	assert_int_equal(B->last_req_v2.framing_type, L2TP_FRAMING_SYNC);
	/* the opener of the OCRQ saw the OCCN in its UP event */
	assert_true(A->got_up_v2);
	assert_int_equal(A->last_up_v2.tx_speed, 33600);
	assert_false(A->last_up_v2.seq_required);

	s0 = l2tp_tunnel_next_session(ta, NULL);
	s1 = l2tp_tunnel_next_session(ta, s0);
	p1 = l2tp_session_find(B->ctx, l2tp_session_peer_id(s1));
	assert_non_null(p1);
	/* SLI with the ACCM, LNS to LAC; WEN, LAC to LNS (RFC 2661 §6.13, §6.14) */
	assert_int_equal(l2tp_session_set_accm(s1, 0x000a0000, 0xffffffff, H.now), 0);
	assert_int_equal(l2tp_session_send_wen(p1, &ce, H.now), 0);
	assert_int_equal(l2tp_session_set_circuit(s1, false, H.now), -EPROTO);
	h_run(&H, H.now + 2 * SEC);
	assert_int_equal(B->accm_events, 1);
	assert_int_equal(B->last_accm.send, 0x000a0000);
	assert_int_equal(B->last_accm.recv, 0xffffffff);
	assert_int_equal(A->wen_events, 1);
	assert_memory_equal(&A->last_wen, &ce, sizeof(ce));

	/* CDN from the LNS, with a Q.931 cause */
	assert_int_equal(l2tp_session_close_q931(s0, 1, 0, "hung up", 16, 0x5a, H.now), 0);
	h_run(&H, H.now + 2 * SEC);
	assert_int_equal(B->sessions_down, 1);
	assert_true(B->last_sdown.by_peer);
	assert_int_equal(B->last_sdown.result, 1);
	assert_true(B->last_sdown.has_q931);
	assert_int_equal(B->last_sdown.q931_cause, 16);
	assert_int_equal(B->last_sdown.q931_msg, 0x5a);
	/* CDN from the LAC */
	assert_int_equal(l2tp_session_close(p1, 3, 0, NULL, H.now), 0);
	h_run(&H, H.now + 2 * SEC);
	assert_int_equal(A->sessions_down, 2);
	assert_true(A->last_sdown.by_peer);
	assert_int_equal(A->last_sdown.result, 3);
	assert_int_equal(l2tp_ctx_session_count(A->ctx), 1);
	assert_int_equal(l2tp_ctx_session_count(B->ctx), 1);
	assert_int_equal(A->tunnels_down + B->tunnels_down, 0);
	check_exactly_once();
	close_and_drain(A);
}

/* 30 % loss, duplication and reordering, over seeds: everything once and in order. */
static void run_lossy(int sessions, bool secret)
{
	struct l2tp_tunnel_cfg tc = {
	    .version = 2, .xport.max_retries = 40, .setup_timeout = 3000 * SEC};

	if (secret) {
		tc.secret = (const uint8_t *)SECRET;
		tc.secret_len = strlen(SECRET);
	}
	B->acfg = tc;
	B->acfg.version = 0; /* ignored: the SCCRQ's version is answered */
	lossy(0.30, 0.10, 0.20);
	open_sessions(h_open_tunnel(A, B, &tc), sessions / 2, false, false);
	open_sessions(h_only_tunnel(A), sessions - sessions / 2, true, false);
	want_sessions = sessions;
	assert_true(h_run_until(&H, 3600 * SEC, all_up));
	check_pairs(sessions);
	check_exactly_once();
	assert_true(sim_link_stats(H.net, A->node, B->node)->dropped_loss > 0);
	lossy(0, 0, 0);
	close_and_drain(A);
}

static void test_v2_lossy_seeds(void **state)
{
	int seeds = getenv("SIM_SEEDS") ? atoi(getenv("SIM_SEEDS")) : 4;

	run_lossy(200, false);
	for (int i = 1; i < seeds; i++) {
		teardown(state);
		base_seed++;
		fprintf(stderr, "sim: seed=%llu\n", (unsigned long long)base_seed);
		setup(state);
		run_lossy(60, i % 2);
	}
}

/* The same secret both ends: challenged both ways, hidden AVPs on the wire, decoded. */
static void test_v2_challenge_right(void **state)
{
	struct l2tp_tunnel_cfg tc = {
	    .version = 2, .secret = (const uint8_t *)SECRET, .secret_len = strlen(SECRET)};

	B->acfg = tc;
	tap_wire();
	lossy(0.1, 0.05, 0.1);
	open_sessions(h_open_tunnel(A, B, &tc), 4, false, false);
	want_sessions = 4;
	assert_true(h_run_until(&H, 300 * SEC, all_up));
	check_pairs(4);
	check_exactly_once();
	/* the SCCCN's Challenge Response and proxy authentication went
	 * hidden (the SCCRP's goes in the clear, for xl2tpd) ... */
	assert_true(wire_hidden >= 1 + 4 * 3);
	/* ... and came out right */
	assert_string_equal(B->up_proxy_name, "alice");
	assert_string_equal(B->up_proxy_resp, "wonderland");
	assert_string_equal(B->req_calling, "5550100");
	lossy(0, 0, 0);
	close_and_drain(A);
}

/* Different secrets: A finds B's Challenge Response wrong, StopCCN result 4. */
static void test_v2_challenge_wrong(void **state)
{
	struct l2tp_tunnel_cfg tc = {
	    .version = 2, .secret = (const uint8_t *)"right", .secret_len = 5};

	B->acfg = tc;
	B->acfg.secret = (const uint8_t *)"wrong";
	B->acfg.user = B;
	h_open_tunnel(A, B, &tc);
	h_run(&H, 300 * SEC);
	assert_int_equal(A->tunnels_up + B->tunnels_up, 0);
	assert_int_equal(A->tunnels_down, 1);
	/* B accepted a connection that never came up: told so, with A's StopCCN */
	assert_int_equal(B->tunnels_down, 0);
	assert_int_equal(B->setup_failed, 1);
	assert_ptr_equal(B->last_setup_user, B);
	assert_int_equal(B->last_setup_fail.result, 4);
	assert_true(B->last_setup_fail.by_peer);
	assert_int_equal(A->last_tdown.result, 4);
	assert_false(A->last_tdown.by_peer);
	assert_true(strstr(A->last_tdown_msg, "secret differs") != NULL);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);
	assert_true(h_quiet(&H));
}

/* A secret on one side only: a missing response (or one we cannot give) is result 4. */
static void test_v2_challenge_one_side(void **state)
{
	struct l2tp_tunnel_cfg tc = {
	    .version = 2, .secret = (const uint8_t *)SECRET, .secret_len = strlen(SECRET)};

	/* A challenges, B has no secret: B cannot answer and refuses */
	h_open_tunnel(A, B, &tc);
	h_run(&H, 100 * SEC);
	assert_int_equal(A->tunnels_up, 0);
	assert_int_equal(A->tunnels_down, 1);
	assert_int_equal(A->last_tdown.result, 4);
	assert_true(A->last_tdown.by_peer);
	assert_true(h_quiet(&H));

	/* B challenges, A has no secret: A refuses B's SCCRP */
	B->acfg = tc;
	h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){.version = 2});
	h_run(&H, H.now + 100 * SEC);
	assert_int_equal(A->tunnels_down, 2);
	assert_int_equal(A->last_tdown.result, 4);
	assert_false(A->last_tdown.by_peer);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 0);
	assert_true(h_quiet(&H));
}

/* A peer with a secret that leaves the Challenge Response out of its SCCCN. */
static void test_v2_scccn_without_response(void **state)
{
	struct l2tp_tunnel_cfg tc = {
	    .version = 2, .secret = (const uint8_t *)SECRET, .secret_len = strlen(SECRET)};
	uint8_t buf[1024], out[1024];
	struct l2tp_path p = h_path(B, A), q;
	struct l2tp_cursor c;
	struct l2tp_ctrl_hdr h;
	struct l2tp_msg m, r;
	ssize_t n;

	B->acfg = tc;
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 2, &m), 0);
	m.tunnel_id = 77;
	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_true(
	    l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &(struct l2tp_ctrl_hdr){.version = 2}) > 0);
	c.pos += (size_t)l2tp_msg_build(&m, 2, NULL, buf + c.pos, l2tp_cur_left(&c));
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
	assert_int_equal(l2tp_ctx_handle_ctrl_pkt(B->ctx, &p, buf, c.pos, H.now), 0);
	n = l2tp_ctx_write_pkt(B->ctx, &q, out, sizeof(out), H.now);
	assert_true(n > 0);
	assert_true(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, out, (size_t)n, &h, NULL) > 0);
	assert_int_equal(l2tp_msg_parse(out + h.hdr_len, h.msg_len - h.hdr_len, 2,
					(const uint8_t *)SECRET, strlen(SECRET), buf, sizeof(buf),
					&r, NULL),
			 0);
	assert_int_equal(r.type, L2TP_MSG_SCCRP);
	assert_true(l2tp_msg_has(&r, L2TP_AVP_CHALLENGE));
	/* SCCCN without a response */
	l2tp_msg_init(&m, L2TP_MSG_SCCCN);
	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_true(l2tp_wire_ctrl_encode(
			&c, L2TP_ENCAP_UDP,
			&(struct l2tp_ctrl_hdr){
			    .version = 2, .tunnel_id = r.tunnel_id, .ns = 1, .nr = 1}) > 0);
	c.pos += (size_t)l2tp_msg_build(&m, 2, NULL, buf + c.pos, l2tp_cur_left(&c));
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
	assert_int_equal(l2tp_ctx_handle_ctrl_pkt(B->ctx, &p, buf, c.pos, H.now), 0);
	while ((n = l2tp_ctx_write_pkt(B->ctx, &q, out, sizeof(out), H.now)) > 0) {
		assert_true(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, out, (size_t)n, &h, NULL) > 0);
		if (h.msg_len > h.hdr_len)
			break;
	}
	assert_true(n > 0);
	assert_int_equal(
	    l2tp_msg_parse(out + h.hdr_len, h.msg_len - h.hdr_len, 2, NULL, 0, NULL, 0, &r, NULL),
	    0);
	assert_int_equal(r.type, L2TP_MSG_STOPCCN);
	assert_int_equal(r.result.result, 4);
	assert_int_equal(h.tunnel_id, 77);
	assert_int_equal(B->tunnels_up, 0);
}

/*
 * Known answer, end to end: a crafted SCCRQ whose Challenge (0x00..0x0f)
 * comes hidden; the SCCRP's Challenge Response must be
 * MD5(2 || "s3cret" || challenge), computed independently (Python hashlib).
 */
static void test_v2_challenge_known_answer(void **state)
{
	static const uint8_t want[16] = {0xd7, 0xcd, 0xc5, 0x8a, 0xe8, 0xfe, 0xc2, 0xb9,
					 0x94, 0xe7, 0xed, 0xd0, 0xb9, 0x4b, 0xd8, 0xa1};
	static const uint8_t rv[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	uint8_t chal[16], buf[1024], out[1024], scratch[512];
	struct l2tp_msg_build_opts bo = {.secret = (const uint8_t *)SECRET,
					 .secret_len = strlen(SECRET)};
	struct l2tp_path p = h_path(B, A), q;
	struct l2tp_cursor c;
	struct l2tp_ctrl_hdr h;
	struct l2tp_msg m, r;
	ssize_t n;

	for (int i = 0; i < 16; i++)
		chal[i] = (uint8_t)i;
	B->acfg.secret = (const uint8_t *)SECRET;
	B->acfg.secret_len = strlen(SECRET);
	assert_int_equal(l2tp_msg_example(L2TP_MSG_SCCRQ, 2, &m), 0);
	m.tunnel_id = 99;
	m.challenge = (struct l2tp_view){chal, sizeof(chal)};
	l2tp_msg_set(&m, L2TP_AVP_CHALLENGE);
	l2tp_msg_set_hide(&m, L2TP_AVP_CHALLENGE);
	m.random_vector = (struct l2tp_view){rv, sizeof(rv)};
	l2tp_msg_set(&m, L2TP_AVP_RANDOM_VECTOR);
	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_true(
	    l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &(struct l2tp_ctrl_hdr){.version = 2}) > 0);
	c.pos += (size_t)l2tp_msg_build(&m, 2, &bo, buf + c.pos, l2tp_cur_left(&c));
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
	assert_int_equal(l2tp_ctx_handle_ctrl_pkt(B->ctx, &p, buf, c.pos, H.now), 0);
	n = l2tp_ctx_write_pkt(B->ctx, &q, out, sizeof(out), H.now);
	assert_true(n > 0);
	assert_true(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, out, (size_t)n, &h, NULL) > 0);
	assert_int_equal(h.tunnel_id, 99);
	assert_int_equal(l2tp_msg_parse(out + h.hdr_len, h.msg_len - h.hdr_len, 2,
					(const uint8_t *)SECRET, strlen(SECRET), scratch,
					sizeof(scratch), &r, NULL),
			 0);
	assert_int_equal(r.type, L2TP_MSG_SCCRP);
	assert_false(l2tp_msg_hidden(&r, L2TP_AVP_CHALLENGE_RESP)); /* see put_response() */
	assert_int_equal(r.challenge_resp.len, 16);
	assert_memory_equal(r.challenge_resp.p, want, 16);
}

static bool a_up(struct harness *h)
{
	return A->tunnels_up >= 1 && B->tunnels_up >= 1 && A->sessions_up >= want_sessions &&
	       B->sessions_up >= want_sessions;
}

/* A v3 initiator that may fall back, B refusing v3 with result 5: v2, no DOWN. */
static void test_v2_fallback_refused(void **state)
{
	struct l2tp_tunnel_cfg tc = {.fallback_v2 = true,
				     .ccid = 0x12345678,
				     .secret = (const uint8_t *)SECRET,
				     .secret_len = strlen(SECRET)};
	struct l2tp_session_cfg ppp = {
	    .pw_type = L2TP_PW_PPP, .session_id = 0x87654321, .v2 = &lac_call};
	struct l2tp_session_cfg eth = {.l2spec = -1};
	struct l2tp_tunnel *t;
	struct l2tp_session *s;

	B->refuse_version = 3; /* a v2-only configuration */
	B->acfg.secret = tc.secret;
	B->acfg.secret_len = tc.secret_len;
	tap_wire();
	t = h_open_tunnel(A, B, &tc);
	assert_int_equal(l2tp_tunnel_version(t), 3);
	assert_int_equal(l2tp_session_open(t, &ppp, H.now, &s), 0);
	assert_int_equal(l2tp_session_open(t, &eth, H.now, &s), 0);
	want_sessions = 1;
	assert_true(h_run_until(&H, 60 * SEC, a_up));
	h_run(&H, H.now + 5 * SEC);
	assert_int_equal(B->last_req_version, 2);
	assert_true(wire_v3 >= 2); /* the v3 SCCRQ and the v3 StopCCN */
	assert_int_equal(A->tunnels_down, 0);
	assert_int_equal(A->last_up_version, 2);
	assert_true(l2tp_tunnel_id(t) <= 0xffff);
	/* the PPP session followed under a 16-bit id, the Ethernet one could not */
	assert_int_equal(A->sessions_down, 1);
	assert_int_equal(A->last_sdown.result, 2);
	check_pairs(1);
	close_and_drain(A);
}

/* A v2-only peer that drops v3 datagrams: fallback after the configured silence. */
static void test_v2_fallback_silence(void **state)
{
	struct l2tp_tunnel_cfg tc = {.fallback_v2 = true, .fallback_timeout = 5 * SEC};
	struct l2tp_tunnel *t;
	l2tp_time_t t0 = H.now;

	B->drop_version = 3;
	t = h_open_tunnel(A, B, &tc);
	open_sessions(t, 2, false, false);
	want_sessions = 0;
	assert_true(h_run_until(&H, 60 * SEC, a_up));
	assert_int_equal(l2tp_tunnel_version(t), 2);
	assert_true(H.now - t0 >= 5 * SEC && H.now - t0 < 7 * SEC);
	want_sessions = 2;
	assert_true(h_run_until(&H, H.now + 30 * SEC, a_up));
	assert_int_equal(A->tunnels_down, 0);
	check_pairs(2);
	close_and_drain(B);
}

/* Without fallback_v2 the refusal is final: DOWN with result 5. */
static void test_v2_no_fallback(void **state)
{
	B->refuse_version = 3;
	h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){0});
	h_run(&H, 60 * SEC);
	assert_int_equal(A->tunnels_up, 0);
	assert_int_equal(A->tunnels_down, 1);
	assert_int_equal(A->last_tdown.result, 5);
	assert_int_equal(A->last_tdown.error, 2); /* the highest version B speaks */
	assert_true(A->last_tdown.by_peer);
	assert_true(h_quiet(&H));
}

/* A v2-only initiator against an acceptor that speaks both: v2. */
static void test_v2_only_initiator(void **state)
{
	B->acfg.version = 3; /* ignored for a v2 SCCRQ */
	open_sessions(h_open_tunnel(A, B, &(struct l2tp_tunnel_cfg){.version = 2}), 1, false, false);
	want_sessions = 1;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	assert_int_equal(B->last_req_version, 2);
	assert_int_equal(B->last_up_version, 2);
	check_pairs(1);
	/* v2 config errors */
	{
		struct l2tp_path p = h_path(A, B);
		struct l2tp_tunnel *t;

		assert_int_equal(
		    l2tp_tunnel_open(A->ctx, &p,
				     &(struct l2tp_tunnel_cfg){.version = 2, .ccid = 70000}, H.now,
				     &t),
		    -EINVAL);
		assert_int_equal(
		    l2tp_tunnel_open(A->ctx, &p,
				     &(struct l2tp_tunnel_cfg){.version = 2, .fallback_v2 = true},
				     H.now, &t),
		    -EINVAL);
		assert_int_equal(
		    l2tp_session_open(h_only_tunnel(A),
				      &(struct l2tp_session_cfg){.pw_type = L2TP_PW_ETH}, H.now,
				      &(struct l2tp_session *){0}),
		    -EINVAL);
	}
	close_and_drain(A);
}

static bool one_each(struct harness *h)
{
	return A->tunnels_up >= 1 && B->tunnels_up >= 1;
}

/* Both open v2 at once: the tie breaker leaves one tunnel (RFC 2661 §4.4.3). */
static void test_v2_tie_breaker(void **state)
{
	struct l2tp_tunnel_cfg tc = {.version = 2};

	A->accept_tunnels = true;
	A->accept_sessions = true;
	h_open_tunnel(A, B, &tc);
	h_open_tunnel(B, A, &tc);
	lossy(0.1, 0.05, 0.1);
	assert_true(h_run_until(&H, 600 * SEC, one_each));
	h_run(&H, H.now + 60 * SEC);
	assert_int_equal(l2tp_ctx_tunnel_count(A->ctx), 1);
	assert_int_equal(l2tp_ctx_tunnel_count(B->ctx), 1);
	assert_int_equal(A->tunnels_up + B->tunnels_up, 2);
	assert_int_equal(A->tunnels_down + B->tunnels_down, 0);
	assert_int_equal(A->last_up_version, 2);
	lossy(0, 0, 0);
	/* the survivor carries sessions */
	open_sessions(h_only_tunnel(A), 2, false, false);
	want_sessions = 2;
	assert_true(h_run_until(&H, H.now + 60 * SEC, all_up));
	check_pairs(2);
	close_and_drain(B);
}

/* ---- a whole v2 exchange, decoded by tshark ---------------------------------------------- */

static void test_v2_capture_tshark(void **state)
{
	char dir[] = "/tmp/l2tp-simcap2-XXXXXX", path[96], cmd[640], line[512];
	struct l2tp_tunnel_cfg tc = {
	    .version = 2, .secret = (const uint8_t *)SECRET, .secret_len = strlen(SECRET)};
	struct l2tp_call_errors ce = {.crc = 1};
	int types[256], n = 0, malformed = 0, frames = 0, experts = 0;
	struct l2tp_session *s, *p;
	FILE *f;

	if (system("tshark -v >/dev/null 2>&1") != 0) {
		fprintf(stderr, "sim: no tshark: capture check skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v2.pcap", dir);
	B->acfg = tc;
	assert_int_equal(sim_capture_open(H.net, path, false, true), 0);
	open_sessions(h_open_tunnel(A, B, &tc), 1, false, true);
	open_sessions(h_only_tunnel(A), 1, true, false);
	want_sessions = 2;
	assert_true(h_run_until(&H, 30 * SEC, all_up));
	s = l2tp_tunnel_next_session(h_only_tunnel(A), NULL);
	p = l2tp_session_find(B->ctx, l2tp_session_peer_id(s));
	assert_int_equal(l2tp_session_send_wen(s, &ce, H.now), 0);
	assert_int_equal(l2tp_session_set_accm(p, 0, 0xffffffff, H.now), 0);
	assert_int_equal(l2tp_tunnel_probe(h_only_tunnel(A), H.now), 0);
	h_run(&H, H.now + 2 * SEC);
	assert_int_equal(l2tp_session_close_q931(s, 2, 6, "test", 16, 0x5a, H.now), 0);
	h_run(&H, H.now + 2 * SEC);
	close_and_drain(A);
	assert_int_equal(sim_capture_close(H.net), 0);

	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' -o udp.check_checksum:TRUE -T fields -E occurrence=f "
		 "-e frame.number -e l2tp.avp.message_type -e _ws.malformed -e l2tp.version "
		 "2>/dev/null",
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < 256) {
		char *fl[4] = {0}, *sp = line;

		line[strcspn(line, "\n")] = 0;
		for (int i = 0; i < 4; i++)
			fl[i] = sp ? strsep(&sp, "\t") : (char *)"";
		frames++;
		if (fl[1] && *fl[1])
			types[n++] = atoi(fl[1]);
		malformed += fl[2] && *fl[2];
		assert_string_equal(fl[3], "2");
	}
	assert_int_equal(pclose(f), 0);
	assert_int_equal((uint64_t)frames, sim_capture_count(H.net));
	assert_int_equal(malformed, 0);
	{
		/* every v2 message type we build was there and decoded */
		int want[] = {L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP,  L2TP_MSG_SCCCN, L2TP_MSG_ICRQ,
			      L2TP_MSG_ICRP,  L2TP_MSG_ICCN,   L2TP_MSG_OCRQ,  L2TP_MSG_OCRP,
			      L2TP_MSG_OCCN,  L2TP_MSG_WEN,    L2TP_MSG_SLI,   L2TP_MSG_HELLO,
			      L2TP_MSG_CDN,   L2TP_MSG_STOPCCN};

		assert_true(n >= 14);
		assert_int_equal(types[0], L2TP_MSG_SCCRQ);
		assert_int_equal(types[1], L2TP_MSG_SCCRP);
		assert_int_equal(types[2], L2TP_MSG_SCCCN);
		assert_int_equal(types[n - 1], L2TP_MSG_STOPCCN);
		for (size_t k = 0; k < L2TP_ARRAY_SIZE(want); k++) {
			bool found = false;

			for (int i = 0; i < n; i++)
				found |= types[i] == want[k];
			if (!found)
				fprintf(stderr, "sim: %s not in the capture\n",
					l2tp_catalog_msg_short((uint16_t)want[k]));
			assert_true(found);
		}
	}
	/* no expert error (PI_ERROR) anywhere */
	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' -T fields -E occurrence=a -E aggregator=' ' "
		 "-e _ws.expert.severity 2>/dev/null | tr ' ' '\\n' | grep -c '^8388608$'",
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	pclose(f);
	experts = atoi(line);
	assert_int_equal(experts, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_v2_incoming, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_outgoing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_lossy_seeds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_challenge_right, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_challenge_wrong, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_challenge_one_side, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_scccn_without_response, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_challenge_known_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_fallback_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_fallback_silence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_no_fallback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_only_initiator, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_tie_breaker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_capture_tshark, setup, teardown),
	};

	base_seed = sim_seed(0x5eed2661);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
