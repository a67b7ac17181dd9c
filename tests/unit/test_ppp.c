// SPDX-License-Identifier: MIT
/*
 * test_ppp.c - the PPP endpoint (lib/ppp.c, ppp_fsm.c, ppp_lcp.c, ppp_auth.c,
 * ppp_ncp.c). The async HDLC framing has its own test_ppp_hdlc.c; here it
 * only carries one session.
 *
 * Most tests wire two endpoints back to back through a tiny simulated link
 * (struct link: a fake clock, optional seeded loss, a switch that cuts one
 * direction or both) and run it until nothing is left to do or a virtual
 * deadline passes. Others feed one endpoint hand-made frames.
 *
 * Known answers, computed independently of lib/ when this test was written:
 *   CHAP-MD5: printf '\x2asekrit\x00\x01...\x0f' | openssl dgst -md5
 *             = 0024226720ff48086192cdf3e0839673
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/ctx.h>
#include <l2tp/ppp.h>
#include <l2tp/ppp_hdlc.h>

#include "testlib.h"

#define MAXF 2048

/* ---- one endpoint and what its callbacks saw ------------------------------------- */

struct ep {
	struct l2tp_ppp *p;
	struct tl_rng rng;
	const char *name;
	/* the authenticator's table: one peer */
	const char *user, *pass;
	enum l2tp_ppp_phase phases[64];
	int n_phases;
	int n_down;
	struct l2tp_ppp_down down;
	int ipcp_up, ipcp_down, ipv6cp_up, ipv6cp_down;
	struct l2tp_ppp_ipcp ip;
	struct l2tp_ppp_ipv6cp ip6;
	int auth_ok, auth_fail;
	uint8_t rx_ip[MAXF];
	size_t rx_ip_len;
	uint16_t rx_ip_proto;
	int n_rx_ip;
	bool assign; /* assign_ip gives 198.51.100.77 */
};

static void cb_log(void *user, int level, const char *line)
{
	struct ep *e = user;

	if (getenv("PPP_TEST_LOG"))
		fprintf(stderr, "[%s] %s\n", e->name, line);
}

static void cb_phase(void *user, struct l2tp_ppp *p, enum l2tp_ppp_phase ph)
{
	struct ep *e = user;

	if (e->n_phases < 64)
		e->phases[e->n_phases++] = ph;
}

static void cb_link_down(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_down *why)
{
	struct ep *e = user;

	e->n_down++;
	e->down = *why;
}

static int cb_get_secret(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *name,
			 size_t name_len, uint8_t *secret, size_t cap)
{
	struct ep *e = user;
	size_t n;

	if (!e->user || strlen(e->user) != name_len || memcmp(e->user, name, name_len))
		return -ENOENT;
	n = strlen(e->pass);
	assert_true(n <= cap);
	memcpy(secret, e->pass, n);
	return (int)n;
}

static void cb_auth(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_auth_result *r)
{
	struct ep *e = user;

	if (r->ok)
		e->auth_ok++;
	else
		e->auth_fail++;
}

static int cb_assign(void *user, struct l2tp_ppp *p, const uint8_t asked[4], uint8_t peer[4])
{
	struct ep *e = user;

	if (!e->assign)
		return -ENOENT;
	memcpy(peer, (uint8_t[]){198, 51, 100, 77}, 4);
	return 0;
}

static void cb_ipcp_up(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipcp *ip)
{
	struct ep *e = user;

	e->ipcp_up++;
	e->ip = *ip;
}

static void cb_ipcp_down(void *user, struct l2tp_ppp *p)
{
	((struct ep *)user)->ipcp_down++;
}

static void cb_ipv6cp_up(void *user, struct l2tp_ppp *p, const struct l2tp_ppp_ipv6cp *ip6)
{
	struct ep *e = user;

	e->ipv6cp_up++;
	e->ip6 = *ip6;
}

static void cb_ipv6cp_down(void *user, struct l2tp_ppp *p)
{
	((struct ep *)user)->ipv6cp_down++;
}

static void cb_recv_ip(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *pkt,
		       size_t len)
{
	struct ep *e = user;

	assert_true(len <= sizeof(e->rx_ip));
	memcpy(e->rx_ip, pkt, len);
	e->rx_ip_len = len;
	e->rx_ip_proto = proto;
	e->n_rx_ip++;
}

static int cb_rand(void *user, uint8_t *buf, size_t len)
{
	return tl_rand_fn(&((struct ep *)user)->rng, buf, len);
}

static const struct l2tp_ppp_callbacks cbs = {
    .rand = cb_rand,
    .log = cb_log,
    .phase = cb_phase,
    .link_down = cb_link_down,
    .get_secret = cb_get_secret,
    .auth_result = cb_auth,
    .assign_ip = cb_assign,
    .ipcp_up = cb_ipcp_up,
    .ipcp_down = cb_ipcp_down,
    .ipv6cp_up = cb_ipv6cp_up,
    .ipv6cp_down = cb_ipv6cp_down,
    .recv_ip = cb_recv_ip,
};

static void ep_new(struct ep *e, const char *name, const struct l2tp_ppp_cfg *cfg, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	tl_rng_seed(&e->rng, seed);
	assert_int_equal(l2tp_ppp_new(&e->p, &cbs, cfg, NULL, e), 0);
}

/* ---- the simulated link ------------------------------------------------------------ */

struct link {
	struct ep a, b;
	l2tp_time_t now;
	unsigned loss_pct; /* per frame, each direction */
	struct tl_rng loss;
	bool cut_ab, cut_ba; /* drop everything a->b / b->a */
	uint64_t frames_ab, frames_ba;
	/* the last frames each way, for checks */
	uint8_t last_ab[MAXF], last_ba[MAXF];
	size_t last_ab_len, last_ba_len;
};

static void link_start(struct link *l)
{
	l2tp_ppp_open(l->a.p, l->now);
	l2tp_ppp_open(l->b.p, l->now);
	l2tp_ppp_lower_up(l->a.p, l->now);
	l2tp_ppp_lower_up(l->b.p, l->now);
}

/* Move frames both ways until both queues are empty. */
static void pump(struct link *l)
{
	uint8_t buf[MAXF];
	bool moved = true;

	for (int rounds = 0; moved && rounds < 10000; rounds++) {
		moved = false;
		for (int dir = 0; dir < 2; dir++) {
			struct ep *from = dir ? &l->b : &l->a, *to = dir ? &l->a : &l->b;
			ssize_t n = l2tp_ppp_write_frame(from->p, buf, sizeof(buf), l->now);

			assert_true(n >= 0);
			if (!n)
				continue;
			moved = true;
			if (dir) {
				l->frames_ba++;
				memcpy(l->last_ba, buf, (size_t)n);
				l->last_ba_len = (size_t)n;
			} else {
				l->frames_ab++;
				memcpy(l->last_ab, buf, (size_t)n);
				l->last_ab_len = (size_t)n;
			}
			if (dir ? l->cut_ba : l->cut_ab)
				continue;
			if (l->loss_pct && tl_rng_below(&l->loss, 100) < l->loss_pct)
				continue;
			assert_int_equal(l2tp_ppp_handle_frame(to->p, buf, (size_t)n, l->now), 0);
		}
	}
}

/* Run the link (timers included) until |until| or until nothing is scheduled. */
static void run(struct link *l, l2tp_time_t until)
{
	for (int i = 0; i < 100000; i++) {
		l2tp_time_t t;

		pump(l);
		t = l2tp_ppp_next_deadline(l->a.p);
		if (l2tp_ppp_next_deadline(l->b.p) < t)
			t = l2tp_ppp_next_deadline(l->b.p);
		if (t == L2TP_TIME_NEVER || t > until) {
			if (until != L2TP_TIME_NEVER && l->now < until)
				l->now = until;
			return;
		}
		if (t > l->now)
			l->now = t;
		l2tp_ppp_on_timeout(l->a.p, l->now);
		l2tp_ppp_on_timeout(l->b.p, l->now);
	}
	fail_msg("the link never settled");
}

static void link_free(struct link *l)
{
	l2tp_ppp_free(l->a.p);
	l2tp_ppp_free(l->b.p);
}

/* a: the LNS-like side (gives 192.0.2.2 to the peer), b: the client asking 0.0.0.0 */
static struct l2tp_ppp_cfg lns_cfg(void)
{
	return (struct l2tp_ppp_cfg){
	    .name = "lns",
	    .local_ip = {192, 0, 2, 1},
	    .peer_ip = {192, 0, 2, 2},
	};
}

static struct l2tp_ppp_cfg client_cfg(const char *user, const char *pass)
{
	return (struct l2tp_ppp_cfg){
	    .name = user,
	    .secret = (const uint8_t *)pass,
	    .secret_len = pass ? strlen(pass) : 0,
	};
}

static void link_new(struct link *l, const struct l2tp_ppp_cfg *ca, const struct l2tp_ppp_cfg *cb,
		     uint64_t seed)
{
	memset(l, 0, sizeof(*l));
	l->now = 1000 * L2TP_SEC;
	tl_rng_seed(&l->loss, seed * 7 + 1);
	ep_new(&l->a, "a", ca, seed * 2 + 1);
	ep_new(&l->b, "b", cb, seed * 2 + 2);
}

static void assert_network(struct link *l)
{
	assert_int_equal(l2tp_ppp_phase(l->a.p), L2TP_PPP_NETWORK);
	assert_int_equal(l2tp_ppp_phase(l->b.p), L2TP_PPP_NETWORK);
	assert_int_equal(l2tp_ppp_state(l->a.p, L2TP_PPP_LCP), L2TP_PPP_OPENED);
	assert_int_equal(l2tp_ppp_state(l->b.p, L2TP_PPP_LCP), L2TP_PPP_OPENED);
	assert_int_equal(l2tp_ppp_state(l->a.p, L2TP_PPP_IPCP), L2TP_PPP_OPENED);
	assert_int_equal(l2tp_ppp_state(l->b.p, L2TP_PPP_IPCP), L2TP_PPP_OPENED);
	assert_int_equal(l->a.n_down, 0);
	assert_int_equal(l->b.n_down, 0);
}

/* ---- establishment ---------------------------------------------------------------- */

static void test_ppp_no_auth_reaches_network(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("client", NULL);
	struct link l;
	const enum l2tp_ppp_phase want[] = {L2TP_PPP_ESTABLISH, L2TP_PPP_NETWORK};

	link_new(&l, &ca, &cb, 1);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	/* no loss: no retransmission was needed, everything within the first second */
	assert_int_equal(l.a.n_phases, 2);
	assert_memory_equal(l.a.phases, want, sizeof(want));
	assert_int_equal(l.a.ipcp_up, 1);
	assert_int_equal(l.b.ipcp_up, 1);
	assert_memory_equal(l.a.ip.local, ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_memory_equal(l.a.ip.peer, ((uint8_t[]){192, 0, 2, 2}), 4);
	assert_memory_equal(l.b.ip.local, ((uint8_t[]){192, 0, 2, 2}), 4);
	assert_memory_equal(l.b.ip.peer, ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_int_equal(l.a.auth_ok + l.a.auth_fail + l.b.auth_ok + l.b.auth_fail, 0);
	assert_true(l.frames_ab + l.frames_ba < 30);
	link_free(&l);
}

static void auth_ok_case(uint8_t proto, uint64_t seed, unsigned loss)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "correct horse");
	struct link l;

	ca.require_auth = proto;
	link_new(&l, &ca, &cb, seed);
	l.loss_pct = loss;
	l.a.user = "alice";
	l.a.pass = "correct horse";
	link_start(&l);
	run(&l, l.now + 600 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l.a.auth_ok, 1);
	assert_int_equal(l.b.auth_ok, 1);
	assert_int_equal(l.a.auth_fail + l.b.auth_fail, 0);
	assert_string_equal(l2tp_ppp_peer_name(l.a.p), "alice");
	/* the phases went through Authenticate */
	assert_int_equal(l.a.phases[0], L2TP_PPP_ESTABLISH);
	assert_int_equal(l.a.phases[1], L2TP_PPP_AUTHENTICATE);
	assert_int_equal(l.a.phases[l.a.n_phases - 1], L2TP_PPP_NETWORK);
	link_free(&l);
}

static void test_ppp_pap_reaches_network(void **state)
{
	auth_ok_case(L2TP_PPP_AUTH_PAP, 2, 0);
}

static void test_ppp_chap_reaches_network(void **state)
{
	auth_ok_case(L2TP_PPP_AUTH_CHAP, 3, 0);
}

static void test_ppp_lossy_link_converges(void **state)
{
	/* 25% loss each way: retransmissions (restart timer, PAP retries, CHAP re-sends) */
	for (uint64_t seed = 10; seed < 30; seed++) {
		if (getenv("PPP_TEST_LOG"))
			fprintf(stderr, "seed %lu\n", (unsigned long)seed);
		auth_ok_case(L2TP_PPP_AUTH_CHAP, seed, 25);
		auth_ok_case(L2TP_PPP_AUTH_PAP, seed, 25);
	}
}

static void test_ppp_mutual_auth(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "s1");
	struct link l;

	/* each end authenticates the other, one with CHAP, the other with PAP */
	ca.require_auth = L2TP_PPP_AUTH_CHAP;
	ca.secret = (const uint8_t *)"s2";
	ca.secret_len = 2;
	cb.require_auth = L2TP_PPP_AUTH_PAP;
	link_new(&l, &ca, &cb, 4);
	l.a.user = "alice";
	l.a.pass = "s1";
	l.b.user = "lns";
	l.b.pass = "s2";
	link_start(&l);
	run(&l, l.now + 120 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l.a.auth_ok, 2);
	assert_int_equal(l.b.auth_ok, 2);
	assert_string_equal(l2tp_ppp_peer_name(l.b.p), "lns");
	link_free(&l);
}

static void auth_wrong_case(uint8_t proto)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "wrong");
	struct link l;

	ca.require_auth = proto;
	link_new(&l, &ca, &cb, 5);
	l.a.user = "alice";
	l.a.pass = "right";
	link_start(&l);
	run(&l, l.now + 120 * L2TP_SEC);
	assert_int_equal(l.a.auth_fail, 1);
	assert_int_equal(l.b.auth_fail, 1);
	assert_int_equal(l.a.n_down, 1);
	assert_int_equal(l.b.n_down, 1);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_AUTH_FAILED);
	/* the peer hears the Failure/Nak first, and closes too */
	assert_int_equal(l.b.down.why, L2TP_PPP_DOWN_AUTH_REFUSED);
	assert_int_equal(l2tp_ppp_phase(l.a.p), L2TP_PPP_DEAD);
	assert_int_equal(l2tp_ppp_phase(l.b.p), L2TP_PPP_DEAD);
	assert_int_equal(l.a.ipcp_up + l.b.ipcp_up, 0);
	link_free(&l);
}

static void test_ppp_pap_wrong_password(void **state)
{
	auth_wrong_case(L2TP_PPP_AUTH_PAP);
}

static void test_ppp_chap_wrong_secret(void **state)
{
	auth_wrong_case(L2TP_PPP_AUTH_CHAP);
}

static void test_ppp_unknown_user_fails(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("mallory", "right");
	struct link l;

	ca.require_auth = L2TP_PPP_AUTH_CHAP;
	link_new(&l, &ca, &cb, 6);
	l.a.user = "alice";
	l.a.pass = "right";
	link_start(&l);
	run(&l, l.now + 120 * L2TP_SEC);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_AUTH_FAILED);
	link_free(&l);
}

static void test_ppp_peer_without_secret_refuses(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", NULL);
	struct link l;

	/* b has no secret: it rejects the Authentication-Protocol option */
	ca.require_auth = L2TP_PPP_AUTH_PAP | L2TP_PPP_AUTH_CHAP;
	link_new(&l, &ca, &cb, 7);
	link_start(&l);
	run(&l, l.now + 120 * L2TP_SEC);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_AUTH_REFUSED);
	assert_int_equal(l.b.down.why, L2TP_PPP_DOWN_PEER);
	link_free(&l);
}

static void test_ppp_auth_nak_falls_back_to_pap(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "pw");
	struct link l;

	/* a prefers CHAP but takes PAP; b refuses CHAP and Naks with PAP */
	ca.require_auth = L2TP_PPP_AUTH_PAP | L2TP_PPP_AUTH_CHAP;
	cb.refuse_auth = L2TP_PPP_AUTH_CHAP;
	link_new(&l, &ca, &cb, 8);
	l.a.user = "alice";
	l.a.pass = "pw";
	link_start(&l);
	run(&l, l.now + 120 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l.a.auth_ok, 1);
	link_free(&l);
}

/* ---- IPCP and IPV6CP ---------------------------------------------------------- */

static void test_ppp_ipcp_naks_wrong_address(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;

	uint8_t f[MAXF];
	ssize_t n;

	/* the client asks for an address and for DNS servers, and gets them */
	cb.request_dns = true;
	memcpy(ca.dns[0], (uint8_t[]){192, 0, 2, 53}, 4);
	memcpy(ca.dns[1], (uint8_t[]){192, 0, 2, 54}, 4);
	link_new(&l, &ca, &cb, 9);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_memory_equal(l.b.ip.local, ((uint8_t[]){192, 0, 2, 2}), 4);
	assert_memory_equal(l.b.ip.dns[0], ((uint8_t[]){192, 0, 2, 53}), 4);
	assert_memory_equal(l.b.ip.dns[1], ((uint8_t[]){192, 0, 2, 54}), 4);

	/* a request for 203.0.113.9 is Nak'd with the address the peer is to have */
	n = (ssize_t)tl_hex("ff 03 80 21 01 55 00 0a 03 06 cb 00 71 09", f, sizeof(f));
	assert_int_equal(l2tp_ppp_handle_frame(l.a.p, f, (size_t)n, l.now), 0);
	n = l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now); /* Opened: tld, scr, scn */
	assert_true(n > 4);
	assert_int_equal(f[4], 1);
	n = l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now);
	assert_int_equal(n, 14);
	assert_memory_equal(f, "\xff\x03\x80\x21\x03\x55\x00\x0a\x03\x06\xc0\x00\x02\x02", 14);
	/* and a DNS request with another server, with ours */
	n = (ssize_t)tl_hex("ff 03 80 21 01 56 00 10 03 06 c0 00 02 02 81 06 08 08 08 08", f,
			    sizeof(f));
	assert_int_equal(l2tp_ppp_handle_frame(l.a.p, f, (size_t)n, l.now), 0);
	n = l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now);
	assert_int_equal(n, 14);
	assert_memory_equal(f, "\xff\x03\x80\x21\x03\x56\x00\x0a\x81\x06\xc0\x00\x02\x35", 14);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	link_free(&l);
}

static void test_ppp_ipcp_fixed_client_address_naked(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;

	/*
	 * The client insists on 203.0.113.9 (configured): the server keeps
	 * Nak'ing with 192.0.2.2 until Max-Failure, then rejects the option;
	 * the client drops it and IPCP opens without it, the server still
	 * knowing nothing better than its own assignment.
	 */
	memcpy(cb.local_ip, (uint8_t[]){203, 0, 113, 9}, 4);
	link_new(&l, &ca, &cb, 11);
	link_start(&l);
	run(&l, l.now + 120 * L2TP_SEC);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_IPCP), L2TP_PPP_OPENED);
	assert_memory_equal(l.b.ip.local, ((uint8_t[]){203, 0, 113, 9}), 4);
	link_free(&l);
}

static void test_ppp_ipcp_assign_callback(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;

	memset(ca.peer_ip, 0, 4);
	link_new(&l, &ca, &cb, 12);
	l.a.assign = true;
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_memory_equal(l.b.ip.local, ((uint8_t[]){198, 51, 100, 77}), 4);
	assert_memory_equal(l.a.ip.peer, ((uint8_t[]){198, 51, 100, 77}), 4);
	link_free(&l);
}

static void test_ppp_ipcp_nothing_to_give(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;

	/* no address for the client and no IPV6CP: IPCP fails, the link goes down */
	memset(ca.peer_ip, 0, 4);
	ca.no_ipv6cp = cb.no_ipv6cp = true;
	link_new(&l, &ca, &cb, 13);
	link_start(&l);
	run(&l, l.now + 300 * L2TP_SEC);
	assert_int_equal(l.a.ipcp_up + l.b.ipcp_up, 0);
	assert_int_equal(l.b.n_down, 1);
	assert_int_equal(l.a.n_down, 1);
	link_free(&l);
}

static void test_ppp_ipv6cp_comes_up(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	static const uint8_t zero[8];
	struct link l;

	link_new(&l, &ca, &cb, 14);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l.a.ipv6cp_up, 1);
	assert_int_equal(l.b.ipv6cp_up, 1);
	assert_memory_not_equal(l.a.ip6.local, zero, 8);
	assert_memory_not_equal(l.a.ip6.local, l.a.ip6.peer, 8);
	assert_memory_equal(l.a.ip6.local, l.b.ip6.peer, 8);
	assert_memory_equal(l.a.ip6.peer, l.b.ip6.local, 8);
	link_free(&l);

	/* the same identifier configured at both ends: a collision (RFC 5072 §4.1) */
	ca = lns_cfg();
	cb = client_cfg("c", NULL);
	memcpy(ca.ifid, "\x02\x00\x00\x00\x00\x00\x00\x01", 8);
	memcpy(cb.ifid, "\x02\x00\x00\x00\x00\x00\x00\x01", 8);
	link_new(&l, &ca, &cb, 15);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_IPV6CP), L2TP_PPP_OPENED);
	assert_int_equal(l2tp_ppp_state(l.b.p, L2TP_PPP_IPV6CP), L2TP_PPP_OPENED);
	assert_memory_not_equal(l.a.ip6.local, l.a.ip6.peer, 8);
	assert_memory_equal(l.a.ip6.local, l.b.ip6.peer, 8);
	assert_memory_equal(l.a.ip6.peer, l.b.ip6.local, 8);
	assert_memory_not_equal(l.a.ip6.peer, zero, 8);
	link_free(&l);
}

/* ---- IP packets ------------------------------------------------------------------- */

static void test_ppp_ip_packets_both_ways(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	uint8_t v4[28] = {0x45, 0, 0, 28}, v6[48] = {0x60}, big[1501] = {0x45};
	struct link l;

	link_new(&l, &ca, &cb, 16);
	assert_int_equal(l2tp_ppp_send_ip(l.a.p, v4, sizeof(v4)), -ENOTCONN);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l2tp_ppp_send_ip(l.a.p, v4, sizeof(v4)), 0);
	pump(&l);
	assert_int_equal(l.b.n_rx_ip, 1);
	assert_int_equal(l.b.rx_ip_proto, L2TP_PPP_IP);
	assert_int_equal(l.b.rx_ip_len, sizeof(v4));
	assert_memory_equal(l.b.rx_ip, v4, sizeof(v4));
	/* uncompressed: FF 03 00 21 */
	assert_int_equal(l.last_ab_len, 4 + sizeof(v4));
	assert_memory_equal(l.last_ab, "\xff\x03\x00\x21", 4);
	assert_int_equal(l2tp_ppp_send_ip(l.b.p, v6, sizeof(v6)), 0);
	pump(&l);
	assert_int_equal(l.a.rx_ip_proto, L2TP_PPP_IPV6);
	assert_memory_equal(l.last_ba, "\xff\x03\x00\x57", 4);
	assert_int_equal(l2tp_ppp_send_ip(l.a.p, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(l2tp_ppp_send_ip(l.a.p, (uint8_t[]){0x50}, 1), -EINVAL);
	assert_int_equal(l2tp_ppp_stats(l.a.p)->tx_ip, 1);
	assert_int_equal(l2tp_ppp_stats(l.a.p)->rx_ip, 1);
	link_free(&l);
}

static void test_ppp_pfc_acfc(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	uint8_t v4[20] = {0x45};
	struct link l;

	/* b asks to receive compressed frames; a sends them so, b still sends FF 03 */
	cb.request_pfc = cb.request_acfc = true;
	link_new(&l, &ca, &cb, 17);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l2tp_ppp_send_ip(l.a.p, v4, sizeof(v4)), 0);
	pump(&l);
	assert_int_equal(l.last_ab_len, 1 + sizeof(v4));
	assert_int_equal(l.last_ab[0], 0x21);
	assert_int_equal(l.b.n_rx_ip, 1);
	assert_int_equal(l2tp_ppp_send_ip(l.b.p, v4, sizeof(v4)), 0);
	pump(&l);
	assert_memory_equal(l.last_ba, "\xff\x03\x00\x21", 4);
	assert_int_equal(l.a.n_rx_ip, 1);
	link_free(&l);

	/* refused: rejected, still up, nothing compressed */
	ca = lns_cfg();
	ca.refuse_pfc = ca.refuse_acfc = true;
	link_new(&l, &ca, &cb, 18);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l2tp_ppp_send_ip(l.a.p, v4, sizeof(v4)), 0);
	pump(&l);
	assert_memory_equal(l.last_ab, "\xff\x03\x00\x21", 4);
	link_free(&l);
}

/* ---- keepalive and termination ---------------------------------------------------- */

static void test_ppp_echo_detects_dead_peer(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;
	l2tp_time_t cut;

	ca.echo_interval = 10 * L2TP_SEC;
	ca.echo_failures = 3;
	link_new(&l, &ca, &cb, 19);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	/* answered Echo-Requests keep it up */
	run(&l, l.now + 300 * L2TP_SEC);
	assert_network(&l);
	assert_true(l2tp_ppp_stats(l.a.p)->echo_rx >= 25);
	/* the peer vanishes */
	l.cut_ba = true;
	cut = l.now;
	run(&l, l.now + 300 * L2TP_SEC);
	assert_int_equal(l.a.n_down, 1);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_ECHO);
	assert_int_equal(l2tp_ppp_phase(l.a.p), L2TP_PPP_DEAD);
	/* 3 unanswered, the fourth interval closes: 2 Terminate-Requests 3 s apart */
	assert_true(l.now - cut <= 300 * L2TP_SEC);
	assert_int_equal(l.a.ipcp_down, 1);
	link_free(&l);
}

static void terminate_case(bool from_a)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;
	struct ep *closer, *other;

	link_new(&l, &ca, &cb, from_a ? 20 : 21);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	closer = from_a ? &l.a : &l.b;
	other = from_a ? &l.b : &l.a;
	l2tp_ppp_close(closer->p, l.now);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_int_equal(closer->n_down, 1);
	assert_int_equal(other->n_down, 1);
	assert_int_equal(closer->down.why, L2TP_PPP_DOWN_ADMIN);
	assert_int_equal(other->down.why, L2TP_PPP_DOWN_PEER);
	assert_int_equal(l2tp_ppp_phase(l.a.p), L2TP_PPP_DEAD);
	assert_int_equal(l2tp_ppp_phase(l.b.p), L2TP_PPP_DEAD);
	assert_int_equal(l2tp_ppp_state(closer->p, L2TP_PPP_LCP), L2TP_PPP_CLOSED);
	assert_int_equal(l2tp_ppp_state(other->p, L2TP_PPP_LCP), L2TP_PPP_STOPPED);
	assert_int_equal(closer->ipcp_down, 1);
	assert_int_equal(other->ipcp_down, 1);
	assert_int_equal(closer->phases[closer->n_phases - 2], L2TP_PPP_TERMINATE);
	/* nothing is scheduled any more */
	assert_true(l2tp_ppp_next_deadline(l.a.p) == L2TP_TIME_NEVER);
	assert_true(l2tp_ppp_next_deadline(l.b.p) == L2TP_TIME_NEVER);
	link_free(&l);
}

static void test_ppp_reopen_after_terminate(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "pw");
	struct link l;

	/* b closes; a stays Stopped (still open); b opens again: both back up */
	ca.require_auth = L2TP_PPP_AUTH_CHAP;
	link_new(&l, &ca, &cb, 32);
	l.a.user = "alice";
	l.a.pass = "pw";
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	l2tp_ppp_close(l.b.p, l.now);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_LCP), L2TP_PPP_STOPPED);
	l2tp_ppp_open(l.b.p, l.now);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_int_equal(l2tp_ppp_phase(l.a.p), L2TP_PPP_NETWORK);
	assert_int_equal(l2tp_ppp_phase(l.b.p), L2TP_PPP_NETWORK);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_IPCP), L2TP_PPP_OPENED);
	assert_int_equal(l.a.ipcp_up, 2);
	assert_int_equal(l.a.auth_ok, 2);
	assert_memory_equal(l.b.ip.local, ((uint8_t[]){192, 0, 2, 2}), 4);
	/* the new establishment has no down reason yet */
	assert_int_equal(l2tp_ppp_down_reason(l.a.p)->why, L2TP_PPP_DOWN_NONE);
	link_free(&l);
}

static void test_ppp_terminate_from_a(void **state)
{
	terminate_case(true);
}

static void test_ppp_terminate_from_b(void **state)
{
	terminate_case(false);
}

static void test_ppp_lower_down(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;

	link_new(&l, &ca, &cb, 22);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	l2tp_ppp_lower_down(l.a.p, l.now);
	assert_int_equal(l.a.n_down, 1);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_LOWER);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_LCP), L2TP_PPP_STARTING);
	assert_int_equal(l.a.ipcp_down, 1);
	link_free(&l);
}

static void test_ppp_no_answer_times_out(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;
	l2tp_time_t t0;

	link_new(&l, &ca, &cb, 23);
	l.cut_ab = l.cut_ba = true;
	t0 = l.now;
	link_start(&l);
	run(&l, l.now + 600 * L2TP_SEC);
	/* Max-Configure (10) Configure-Requests, 3 s apart, then TO- */
	assert_int_equal(l.frames_ab, 10);
	assert_int_equal(l.a.n_down, 1);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_TIMEOUT);
	assert_true(l.now - t0 >= 30 * L2TP_SEC);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_LCP), L2TP_PPP_STOPPED);
	link_free(&l);
}

/* ---- rejects ------------------------------------------------------------------------ */

static void test_ppp_protocol_reject(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;

	/* b does not do IPV6CP: a's IPV6CP gets a Protocol-Reject and stops */
	cb.no_ipv6cp = true;
	link_new(&l, &ca, &cb, 24);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_IPV6CP), L2TP_PPP_STOPPED);
	assert_int_equal(l.a.ipv6cp_up, 0);
	assert_true(l2tp_ppp_stats(l.b.p)->rx_proto_rejected >= 1);

	/* an unknown protocol (0x0281, MPLS... no: 0x4021 Stampede) from a to b */
	assert_int_equal(
	    l2tp_ppp_handle_frame(l.b.p, (const uint8_t *)"\xff\x03\x40\x21\x01\x02\x03", 7, l.now),
	    0);
	{
		uint8_t f[MAXF];
		ssize_t n = l2tp_ppp_write_frame(l.b.p, f, sizeof(f), l.now);

		/* FF 03 C0 21 | 08 id 00 09 | 40 21 01 02 03 */
		assert_int_equal(n, 4 + 4 + 2 + 3);
		assert_memory_equal(f, "\xff\x03\xc0\x21\x08", 5);
		assert_memory_equal(f + 6, "\x00\x09\x40\x21\x01\x02\x03", 7);
	}
	/* IPv6 packets to b are rejected too */
	assert_int_equal(
	    l2tp_ppp_handle_frame(l.b.p, (const uint8_t *)"\x00\x57\x60\x00", 4, l.now), 0);
	{
		uint8_t f[MAXF];
		ssize_t n = l2tp_ppp_write_frame(l.b.p, f, sizeof(f), l.now);

		assert_true(n > 10);
		assert_memory_equal(f + 8, "\x00\x57", 2);
	}
	link_free(&l);
}

static void test_ppp_code_reject(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;
	uint8_t f[MAXF];
	ssize_t n;

	link_new(&l, &ca, &cb, 25);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	/* LCP code 0x20: unknown, Code-Reject carrying it */
	assert_int_equal(
	    l2tp_ppp_handle_frame(l.a.p, (const uint8_t *)"\xff\x03\xc0\x21\x20\x07\x00\x05\xaa", 9,
				  l.now),
	    0);
	n = l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now);
	assert_int_equal(n, 4 + 4 + 5);
	assert_memory_equal(f, "\xff\x03\xc0\x21\x07", 5);
	assert_memory_equal(f + 8, "\x20\x07\x00\x05\xaa", 5);
	/* a Code-Reject of our Echo-Request is tolerable (RXJ+): still open */
	assert_int_equal(
	    l2tp_ppp_handle_frame(
		l.a.p,
		(const uint8_t *)"\xff\x03\xc0\x21\x07\x01\x00\x0c\x09\x01\x00\x08\x00\x00\x00\x00",
		16, l.now),
	    0);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_LCP), L2TP_PPP_OPENED);
	/* a Code-Reject of Configure-Request is not (RXJ-): the link goes */
	assert_int_equal(l2tp_ppp_handle_frame(
			     l.a.p,
			     (const uint8_t *)"\xff\x03\xc0\x21\x07\x02\x00\x08\x01\x01\x00\x04",
			     12, l.now),
			 0);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_LCP), L2TP_PPP_STOPPING);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_int_equal(l.a.down.why, L2TP_PPP_DOWN_REJECTED);
	link_free(&l);
}

static void test_ppp_echo_reply_and_discard(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("c", NULL);
	struct link l;
	uint8_t f[MAXF];
	ssize_t n;

	link_new(&l, &ca, &cb, 26);
	link_start(&l);
	run(&l, l.now + 60 * L2TP_SEC);
	/* Echo-Request id 0x33 with 3 data octets: Reply with the same id and data */
	assert_int_equal(l2tp_ppp_handle_frame(
			     l.a.p,
			     (const uint8_t *)"\xff\x03\xc0\x21\x09\x33\x00\x0b\x00\x00\x00\x00xyz",
			     15, l.now),
			 0);
	n = l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now);
	assert_int_equal(n, 15);
	assert_memory_equal(f, "\xff\x03\xc0\x21\x0a\x33\x00\x0b", 8);
	assert_memory_equal(f + 12, "xyz", 3);
	/* Discard-Request and Identification: nothing */
	assert_int_equal(
	    l2tp_ppp_handle_frame(
		l.a.p, (const uint8_t *)"\xff\x03\xc0\x21\x0b\x01\x00\x08\0\0\0\0", 12, l.now),
	    0);
	assert_int_equal(l2tp_ppp_handle_frame(l.a.p,
					       (const uint8_t *)"\xff\x03\xc0\x21\x0c\x01\x00\x0a"
								"abcdef",
					       14, l.now),
			 0);
	assert_int_equal(l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now), 0);
	link_free(&l);
}

static void test_ppp_loopback_detected(void **state)
{
	struct l2tp_ppp_cfg c = lns_cfg();
	struct ep e;
	uint8_t f[MAXF];
	l2tp_time_t now = L2TP_SEC;

	/* the endpoint's frames come straight back to it */
	ep_new(&e, "loop", &c, 27);
	l2tp_ppp_open(e.p, now);
	l2tp_ppp_lower_up(e.p, now);
	for (int i = 0; i < 2000 && !e.n_down; i++) {
		ssize_t n = l2tp_ppp_write_frame(e.p, f, sizeof(f), now);

		if (n > 0) {
			l2tp_ppp_handle_frame(e.p, f, (size_t)n, now);
			continue;
		}
		now = l2tp_ppp_next_deadline(e.p);
		if (now == L2TP_TIME_NEVER)
			break;
		l2tp_ppp_on_timeout(e.p, now);
	}
	assert_int_equal(e.n_down, 1);
	assert_int_equal(e.down.why, L2TP_PPP_DOWN_LOOPBACK);
	l2tp_ppp_free(e.p);
}

/* ---- malformed input ------------------------------------------------------------------ */

static void feed_bad(struct l2tp_ppp *p, l2tp_time_t now)
{
	/* clang-format off */
	static const char *const bad[] = {
		"",                          /* empty */
		"ff",                        /* address only */
		"ff 03",                     /* no protocol */
		"ff 05 c0 21",               /* bad control */
		"ff 03 c0",                  /* truncated protocol */
		"ff 03 c0 20 01 01 00 04",   /* even protocol low octet */
		"c0 21 01",                  /* truncated LCP header */
		"c0 21 01 01 00 03",         /* Length < 4 */
		"c0 21 01 01 00 20 01 04",   /* Length beyond the frame */
		"c0 21 01 01 00 06 01 00",   /* option Length 0 */
		"c0 21 01 01 00 06 05 01",   /* option Length 1 */
		"c0 21 01 01 00 07 05 06 00",/* option runs past the packet */
		"c0 21 01 01 00 09 01 04 05 dc 03",  /* second option truncated */
		"c0 21 07 01 00 04",         /* Code-Reject without the rejected code */
		"c0 21 08 01 00 05 c0",      /* Protocol-Reject: 1-octet protocol */
		"c0 21 09 01 00 06 00 00",   /* Echo-Request: short magic */
		"c0 21 03 01 00 06 01 00",   /* Nak, option Length 0 */
		"c0 21 04 01 00 06 01 00",   /* Reject, option Length 0 */
		"c0 23 01 01 00 06 05 61",   /* PAP: Peer-ID runs past */
		"c0 23 01",                  /* PAP: truncated */
		"c2 23 02 01 00 05 10",      /* CHAP Response: value runs past */
		"c2 23 01 01 00 04",         /* CHAP Challenge without a value */
		"80 21 01 01 00 06 03 00",   /* IPCP: option Length 0 */
		"80 21 01 01 00 03",         /* IPCP: Length < 4 */
		"80 57 01 01 00 05 01",      /* IPV6CP: option truncated */
	};
	/* clang-format on */
	uint8_t f[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = tl_hex(bad[i], f, sizeof(f));
		int rc = l2tp_ppp_handle_frame(p, f, n, now);

		/* malformed ones say so; some are only discarded in this state */
		assert_true(rc == 0 || rc == -EPROTO);
	}
}

static void test_ppp_malformed_input(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "pw");
	struct link l;
	uint8_t f[64];
	uint64_t before;

	ca.require_auth = L2TP_PPP_AUTH_CHAP;
	link_new(&l, &ca, &cb, 28);
	l.a.user = "alice";
	l.a.pass = "pw";
	/* Dead, Req-Sent, Opened: each gets every bad frame */
	feed_bad(l.a.p, l.now);
	link_start(&l);
	feed_bad(l.a.p, l.now);
	feed_bad(l.b.p, l.now);
	run(&l, l.now + 60 * L2TP_SEC);
	assert_network(&l);
	before = l2tp_ppp_stats(l.a.p)->rx_malformed;
	feed_bad(l.a.p, l.now);
	feed_bad(l.b.p, l.now);
	assert_true(l2tp_ppp_stats(l.a.p)->rx_malformed >= before + 15);
	/* a zero-length option in a Configure-Request: the packet is dropped */
	assert_int_equal(
	    l2tp_ppp_handle_frame(l.a.p, f, tl_hex("c0 21 01 09 00 06 05 00", f, sizeof(f)), l.now),
	    -EPROTO);
	/* a known option with the wrong length is rejected, not taken */
	while (l2tp_ppp_write_frame(l.a.p, f, sizeof(f), l.now) > 0)
		; /* the Protocol-Rejects of the bad frames */
	assert_int_equal(l2tp_ppp_handle_frame(
			     l.a.p, f, tl_hex("c0 21 01 09 00 07 01 03 05", f, sizeof(f)), l.now),
			 0);
	{
		uint8_t out[MAXF];
		ssize_t n = l2tp_ppp_write_frame(l.a.p, out, sizeof(out), l.now);

		/* Opened -> tld, scr, scn: our new request, then the Reject */
		assert_true(n > 0);
		n = l2tp_ppp_write_frame(l.a.p, out, sizeof(out), l.now);
		assert_int_equal(n, 4 + 4 + 3);
		assert_memory_equal(out + 4, "\x04\x09\x00\x07\x01\x03\x05", 7);
	}
	/* the link recovers: renegotiates and comes back */
	run(&l, l.now + 120 * L2TP_SEC);
	assert_int_equal(l2tp_ppp_state(l.a.p, L2TP_PPP_LCP), L2TP_PPP_OPENED);
	assert_int_equal(l2tp_ppp_phase(l.a.p), L2TP_PPP_NETWORK);
	link_free(&l);
}

static void test_ppp_random_frames_never_crash(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "pw");
	static const uint16_t protos[] = {0xc021, 0xc023, 0xc223, 0x8021, 0x8057, 0x0021};
	struct tl_rng r;
	struct link l;

	ca.require_auth = L2TP_PPP_AUTH_PAP;
	tl_rng_seed(&r, 99);
	link_new(&l, &ca, &cb, 29);
	l.a.user = "alice";
	l.a.pass = "pw";
	link_start(&l);
	for (int i = 0; i < 20000; i++) {
		uint8_t f[80];
		size_t n = 2 + tl_rng_below(&r, 60);
		uint16_t pr = protos[tl_rng_below(&r, 6)];

		tl_rng_fill(&r, f, n);
		f[0] = (uint8_t)(pr >> 8);
		f[1] = (uint8_t)pr;
		if (n > 3 && tl_rng_below(&r, 2)) { /* a plausible Length */
			f[4] = 0;
			f[5] = (uint8_t)(n - 2);
			f[2] = (uint8_t)(1 + tl_rng_below(&r, 12));
		}
		l2tp_ppp_handle_frame(tl_rng_below(&r, 2) ? l.a.p : l.b.p, f, n, l.now);
		if (i % 50 == 0)
			run(&l, l.now + 5 * L2TP_SEC);
	}
	link_free(&l);
}

/* ---- known answers ---------------------------------------------------------------- */

static void test_ppp_chap_md5_known_answer(void **state)
{
	static const uint8_t want[16] = {0x00, 0x24, 0x22, 0x67, 0x20, 0xff, 0x48, 0x08,
					 0x61, 0x92, 0xcd, 0xf3, 0xe0, 0x83, 0x96, 0x73};
	struct l2tp_ppp_cfg c = client_cfg("bob", "sekrit");
	struct ep e;
	uint8_t f[MAXF], chal[64];
	size_t n;
	ssize_t m;
	l2tp_time_t now = L2TP_SEC;
	int guard = 0;

	/* bring LCP up by hand, agreeing that we authenticate with CHAP-MD5 */
	ep_new(&e, "bob", &c, 30);
	l2tp_ppp_open(e.p, now);
	l2tp_ppp_lower_up(e.p, now);
	m = l2tp_ppp_write_frame(e.p, f, sizeof(f), now); /* our Configure-Request */
	assert_true(m > 8);
	/* ack it: same options, code 2 */
	f[4] = 2;
	assert_int_equal(l2tp_ppp_handle_frame(e.p, f, (size_t)m, now), 0);
	n = tl_hex("ff 03 c0 21 01 07 00 09 03 05 c2 23 05", chal, sizeof(chal));
	assert_int_equal(l2tp_ppp_handle_frame(e.p, chal, n, now), 0);
	m = l2tp_ppp_write_frame(e.p, f, sizeof(f), now); /* our Configure-Ack */
	assert_int_equal(m, 13);
	assert_int_equal(f[4], 2);
	assert_int_equal(l2tp_ppp_phase(e.p), L2TP_PPP_AUTHENTICATE);
	/* Challenge id 0x2a, value 00..0f, name "lns" */
	n = tl_hex("ff 03 c2 23 01 2a 00 18 10 000102030405060708090a0b0c0d0e0f 6c 6e 73", chal,
		   sizeof(chal));
	assert_int_equal(l2tp_ppp_handle_frame(e.p, chal, n, now), 0);
	do {
		m = l2tp_ppp_write_frame(e.p, f, sizeof(f), now);
	} while (m > 0 && f[2] != 0xc2 && ++guard < 10);
	/* FF 03 C2 23 | 02 2a 00 18 | 10 <16 octets> | "bob" */
	assert_int_equal(m, 4 + 4 + 1 + 16 + 3);
	assert_memory_equal(f, "\xff\x03\xc2\x23\x02\x2a\x00\x18\x10", 9);
	assert_memory_equal(f + 9, want, 16);
	assert_memory_equal(f + 25, "bob", 3);
	/* Success: Network phase */
	n = tl_hex("ff 03 c2 23 03 2a 00 04", chal, sizeof(chal));
	assert_int_equal(l2tp_ppp_handle_frame(e.p, chal, n, now), 0);
	assert_int_equal(l2tp_ppp_phase(e.p), L2TP_PPP_NETWORK);
	assert_int_equal(e.auth_ok, 1);
	l2tp_ppp_free(e.p);
}

static void test_ppp_hdlc_carries_a_session(void **state)
{
	struct l2tp_ppp_cfg ca = lns_cfg(), cb = client_cfg("alice", "pw");
	struct link l;
	uint8_t f[MAXF], enc[2 * MAXF + 8], dbuf[MAXF];
	struct l2tp_hdlc_dec d[2];

	/* the same two endpoints, their frames through HDLC encode/decode (a pty) */
	ca.require_auth = L2TP_PPP_AUTH_CHAP;
	link_new(&l, &ca, &cb, 31);
	l.a.user = "alice";
	l.a.pass = "pw";
	l2tp_hdlc_dec_init(&d[0], dbuf, sizeof(dbuf), 0);
	l2tp_hdlc_dec_init(&d[1], dbuf, sizeof(dbuf), 0);
	link_start(&l);
	for (int round = 0; round < 200; round++) {
		bool moved = false;

		for (int dir = 0; dir < 2; dir++) {
			struct ep *from = dir ? &l.b : &l.a, *to = dir ? &l.a : &l.b;
			ssize_t n = l2tp_ppp_write_frame(from->p, f, sizeof(f), l.now), e;
			const uint8_t *out;
			size_t out_len, used;

			if (n <= 0)
				continue;
			moved = true;
			e = l2tp_hdlc_encode(f, (size_t)n, L2TP_HDLC_ACCM_DEFAULT, enc,
					     sizeof(enc));
			assert_true(e > 0);
			assert_int_equal(
			    l2tp_hdlc_decode(&d[dir], enc, (size_t)e, &used, &out, &out_len), 1);
			assert_int_equal(used, (size_t)e);
			assert_int_equal(l2tp_ppp_handle_frame(to->p, out, out_len, l.now), 0);
		}
		if (!moved)
			break;
	}
	assert_network(&l);
	link_free(&l);
}

/* ---- construction ----------------------------------------------------------------- */

static int fail_after;

static void *failing_alloc(void *user, size_t n)
{
	if (fail_after-- <= 0)
		return NULL;
	return calloc(1, n);
}

static void plain_free(void *user, void *p)
{
	free(p);
}

static void test_ppp_new_arguments(void **state)
{
	struct l2tp_ppp_callbacks none = {0};
	struct l2tp_ppp_cfg c = {0};
	struct l2tp_mem m = {failing_alloc, plain_free, NULL};
	struct l2tp_ppp *p;
	char longname[300];

	assert_int_equal(l2tp_ppp_new(&p, &none, NULL, NULL, NULL), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	c.name = longname;
	assert_int_equal(l2tp_ppp_new(&p, &cbs, &c, NULL, NULL), -EINVAL);
	c.name = NULL;
	c.mru = 100;
	assert_int_equal(l2tp_ppp_new(&p, &cbs, &c, NULL, NULL), -EINVAL);
	for (fail_after = 0; fail_after < 2;) {
		int n = fail_after;

		assert_int_equal(l2tp_ppp_new(&p, &cbs, NULL, &m, NULL), -ENOMEM);
		fail_after = n + 1;
	}
	fail_after = 2;
	assert_int_equal(l2tp_ppp_new(&p, &cbs, NULL, &m, NULL), 0);
	l2tp_ppp_free(p);
	assert_string_equal(l2tp_ppp_state_name(L2TP_PPP_ACK_SENT), "ack-sent");
	assert_string_equal(l2tp_ppp_phase_name(L2TP_PPP_NETWORK), "network");
	assert_string_equal(l2tp_ppp_proto_name(L2TP_PPP_CHAP), "chap");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ppp_no_auth_reaches_network),
	    cmocka_unit_test(test_ppp_pap_reaches_network),
	    cmocka_unit_test(test_ppp_chap_reaches_network),
	    cmocka_unit_test(test_ppp_lossy_link_converges),
	    cmocka_unit_test(test_ppp_mutual_auth),
	    cmocka_unit_test(test_ppp_pap_wrong_password),
	    cmocka_unit_test(test_ppp_chap_wrong_secret),
	    cmocka_unit_test(test_ppp_unknown_user_fails),
	    cmocka_unit_test(test_ppp_peer_without_secret_refuses),
	    cmocka_unit_test(test_ppp_auth_nak_falls_back_to_pap),
	    cmocka_unit_test(test_ppp_ipcp_naks_wrong_address),
	    cmocka_unit_test(test_ppp_ipcp_fixed_client_address_naked),
	    cmocka_unit_test(test_ppp_ipcp_assign_callback),
	    cmocka_unit_test(test_ppp_ipcp_nothing_to_give),
	    cmocka_unit_test(test_ppp_ipv6cp_comes_up),
	    cmocka_unit_test(test_ppp_ip_packets_both_ways),
	    cmocka_unit_test(test_ppp_pfc_acfc),
	    cmocka_unit_test(test_ppp_echo_detects_dead_peer),
	    cmocka_unit_test(test_ppp_terminate_from_a),
	    cmocka_unit_test(test_ppp_terminate_from_b),
	    cmocka_unit_test(test_ppp_reopen_after_terminate),
	    cmocka_unit_test(test_ppp_lower_down),
	    cmocka_unit_test(test_ppp_no_answer_times_out),
	    cmocka_unit_test(test_ppp_protocol_reject),
	    cmocka_unit_test(test_ppp_code_reject),
	    cmocka_unit_test(test_ppp_echo_reply_and_discard),
	    cmocka_unit_test(test_ppp_loopback_detected),
	    cmocka_unit_test(test_ppp_malformed_input),
	    cmocka_unit_test(test_ppp_random_frames_never_crash),
	    cmocka_unit_test(test_ppp_chap_md5_known_answer),
	    cmocka_unit_test(test_ppp_hdlc_carries_a_session),
	    cmocka_unit_test(test_ppp_new_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
