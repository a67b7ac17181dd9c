// SPDX-License-Identifier: MIT
/*
 * ppp_auth.c - the Authenticate phase (RFC 1661 §3.5): PAP (RFC 1334 §2)
 * and CHAP with MD5 (RFC 1994), each as authenticator (|srv|: we check
 * the peer) and as peer (|cli|: the peer checks us). The digest itself is
 * l2tp_auth_chap_response() (lib/auth.c, over libcrypto).
 */
#include <l2tp/auth.h>

#include "ppp_internal.h"

enum { PAP_REQ = 1, PAP_ACK = 2, PAP_NAK = 3 };
enum { CHAP_CHALLENGE = 1, CHAP_RESPONSE = 2, CHAP_SUCCESS = 3, CHAP_FAILURE = 4 };

#define CHAP_VALUE_LEN 16

static void report(struct l2tp_ppp *p, uint16_t proto, bool srv, bool ok, const uint8_t *name,
		   size_t name_len, const char *msg)
{
	struct l2tp_ppp_auth_result r = {proto, srv, ok, name, name_len, msg};

	ppp_log(p, ok ? L2TP_LOG_INFO : L2TP_LOG_WARN, "ppp %s: %s %.*s: %s",
		l2tp_ppp_proto_name(proto), srv ? "peer" : "we, as", (int)name_len,
		(const char *)name, ok ? "authenticated" : "failed");
	if (p->cb.auth_result)
		p->cb.auth_result(p->user, p, &r);
}

static void check_done(struct l2tp_ppp *p)
{
	if (p->phase != L2TP_PPP_AUTHENTICATE)
		return;
	if ((!p->srv.proto || p->srv.state == PPP_AUTH_DONE) &&
	    (!p->cli.proto || p->cli.state == PPP_AUTH_DONE))
		ppp_auth_done(p);
}

/* The secret of the peer named |name| through the callback; -ENOENT if none. */
static int lookup(struct l2tp_ppp *p, uint16_t proto, const uint8_t *name, size_t nlen,
		  uint8_t *secret)
{
	int n;

	if (!p->cb.get_secret)
		return -ENOENT;
	n = p->cb.get_secret(p->user, p, proto, name, nlen, secret, PPP_NAME_MAX);
	if (n < 0)
		return -ENOENT;
	return n > PPP_NAME_MAX ? PPP_NAME_MAX : n;
}

static void set_peer_name(struct l2tp_ppp *p, const uint8_t *name, size_t n)
{
	if (n > PPP_NAME_MAX)
		n = PPP_NAME_MAX;
	memcpy(p->peer_name, name, n);
	p->peer_name[n] = 0;
}

/* ---- sending ------------------------------------------------------------------- */

static void pap_send_req(struct l2tp_ppp *p)
{
	uint8_t b[2 + 2 * PPP_NAME_MAX];
	size_t n = 0;

	b[n++] = p->name_len;
	memcpy(b + n, p->name, p->name_len);
	n += p->name_len;
	b[n++] = p->secret_len;
	memcpy(b + n, p->secret, p->secret_len);
	n += p->secret_len;
	p->cli.id++;
	ppp_send_ctrl(p, L2TP_PPP_PAP, PAP_REQ, p->cli.id, b, n);
	p->cli.tries++;
	p->cli.deadline = p->now + p->cfg.restart;
}

static void pap_send_reply(struct l2tp_ppp *p, uint8_t code, uint8_t id, const char *msg)
{
	uint8_t b[64];
	size_t n = strlen(msg);

	b[0] = (uint8_t)n;
	memcpy(b + 1, msg, n);
	ppp_send_ctrl(p, L2TP_PPP_PAP, code, id, b, n + 1);
}

static void chap_send_challenge(struct l2tp_ppp *p, bool fresh)
{
	uint8_t b[1 + CHAP_VALUE_LEN + PPP_NAME_MAX];

	if (fresh) {
		/* RFC 1994 §2.3: a new Identifier and an unpredictable value every time */
		p->srv.id++;
		if (ppp_rand(p, p->srv.challenge, CHAP_VALUE_LEN) < 0)
			p->srv.challenge[0] ^= 0x5a; /* the rand callback failed: still differ */
		p->srv.tries = 0;
		p->srv.have_id = false;
	}
	b[0] = CHAP_VALUE_LEN;
	memcpy(b + 1, p->srv.challenge, CHAP_VALUE_LEN);
	memcpy(b + 1 + CHAP_VALUE_LEN, p->name, p->name_len);
	ppp_send_ctrl(p, L2TP_PPP_CHAP, CHAP_CHALLENGE, p->srv.id, b,
		      1 + CHAP_VALUE_LEN + p->name_len);
	p->srv.state = PPP_AUTH_PENDING;
	p->srv.tries++;
	p->srv.deadline = p->now + p->cfg.restart;
}

static void chap_send_result(struct l2tp_ppp *p, uint8_t code)
{
	const char *msg = code == CHAP_SUCCESS ? "Access granted" : "Access denied";

	ppp_send_ctrl(p, L2TP_PPP_CHAP, code, p->srv.id, msg, strlen(msg));
}

static void chap_send_response(struct l2tp_ppp *p)
{
	uint8_t b[1 + L2TP_MD5_LEN + PPP_NAME_MAX];

	b[0] = L2TP_MD5_LEN;
	memcpy(b + 1, p->cli.challenge, L2TP_MD5_LEN); /* the response kept */
	memcpy(b + 1 + L2TP_MD5_LEN, p->name, p->name_len);
	ppp_send_ctrl(p, L2TP_PPP_CHAP, CHAP_RESPONSE, p->cli.id, b,
		      1 + L2TP_MD5_LEN + p->name_len);
	p->cli.tries++;
}

/* ---- start, stop, timers -------------------------------------------------------- */

void ppp_auth_start(struct l2tp_ppp *p)
{
	p->srv = (struct ppp_auth){.deadline = L2TP_TIME_NEVER, .id = p->srv.id};
	p->cli = (struct ppp_auth){.deadline = L2TP_TIME_NEVER, .id = p->cli.id};
	p->srv.proto = p->neg_auth ? p->auth_proto : 0;
	p->cli.proto = p->peer_auth;
	if (!p->srv.proto && !p->cli.proto) {
		ppp_auth_done(p);
		return;
	}
	ppp_set_phase(p, L2TP_PPP_AUTHENTICATE);
	if (p->srv.proto == L2TP_PPP_PAP) {
		p->srv.state = PPP_AUTH_PENDING;
		p->srv.deadline = p->now + p->cfg.auth_timeout;
	} else if (p->srv.proto == L2TP_PPP_CHAP) {
		chap_send_challenge(p, true);
	}
	if (p->cli.proto == L2TP_PPP_PAP) {
		p->cli.state = PPP_AUTH_PENDING;
		pap_send_req(p);
	} else if (p->cli.proto == L2TP_PPP_CHAP) {
		p->cli.state = PPP_AUTH_PENDING;
		p->cli.deadline = p->now + p->cfg.auth_timeout;
	}
}

void ppp_auth_stop(struct l2tp_ppp *p)
{
	p->srv.state = p->cli.state = PPP_AUTH_IDLE;
	p->srv.proto = p->cli.proto = 0;
	p->srv.deadline = p->cli.deadline = L2TP_TIME_NEVER;
}

l2tp_time_t ppp_auth_deadline(const struct l2tp_ppp *p)
{
	return p->srv.deadline < p->cli.deadline ? p->srv.deadline : p->cli.deadline;
}

static void srv_fail(struct l2tp_ppp *p, const char *msg)
{
	p->srv.state = PPP_AUTH_FAILED;
	p->srv.deadline = L2TP_TIME_NEVER;
	ppp_link_close(p, L2TP_PPP_DOWN_AUTH_FAILED, msg);
}

static void cli_fail(struct l2tp_ppp *p, const char *msg)
{
	p->cli.state = PPP_AUTH_FAILED;
	p->cli.deadline = L2TP_TIME_NEVER;
	ppp_link_close(p, L2TP_PPP_DOWN_AUTH_REFUSED, msg);
}

void ppp_auth_timeout(struct l2tp_ppp *p)
{
	if (p->srv.deadline <= p->now) {
		p->srv.deadline = L2TP_TIME_NEVER;
		if (p->srv.proto == L2TP_PPP_PAP && p->srv.state == PPP_AUTH_PENDING) {
			report(p, L2TP_PPP_PAP, true, false, (const uint8_t *)"", 0,
			       "no Authenticate-Request");
			srv_fail(p, "the peer sent no PAP Authenticate-Request");
		} else if (p->srv.proto == L2TP_PPP_CHAP && p->srv.state == PPP_AUTH_DONE) {
			chap_send_challenge(p, true); /* periodic re-challenge (RFC 1994 §2.3) */
		} else if (p->srv.proto == L2TP_PPP_CHAP && p->srv.state == PPP_AUTH_PENDING) {
			if (p->srv.tries < p->cfg.max_configure) {
				chap_send_challenge(p, false);
			} else {
				report(p, L2TP_PPP_CHAP, true, false, (const uint8_t *)"", 0,
				       "no Response");
				srv_fail(p, "the peer sent no CHAP Response");
			}
		}
	}
	if (p->cli.deadline <= p->now) {
		p->cli.deadline = L2TP_TIME_NEVER;
		if (p->cli.state != PPP_AUTH_PENDING)
			return;
		if (p->cli.proto == L2TP_PPP_PAP && p->cli.tries < p->cfg.max_configure) {
			pap_send_req(p); /* RFC 1334 §2.1: retransmit until answered */
			return;
		}
		if (p->cli.proto == L2TP_PPP_CHAP && p->cli.have_id &&
		    p->cli.tries < p->cfg.max_configure) {
			chap_send_response(p);
			p->cli.deadline = p->now + p->cfg.restart;
			return;
		}
		report(p, p->cli.proto, false, false, (const uint8_t *)p->name, p->name_len,
		       "no answer");
		cli_fail(p, "the authenticator did not answer");
	}
}

/* ---- PAP ----------------------------------------------------------------------- */

static int pap_request(struct l2tp_ppp *p, uint8_t id, const uint8_t *d, size_t len)
{
	struct l2tp_cursor c;
	const uint8_t *name, *pw;
	uint8_t nlen, pwlen, secret[PPP_NAME_MAX];
	int slen;
	bool ok;

	l2tp_cur_init(&c, d, len);
	if (l2tp_cur_get_u8(&c, &nlen) < 0 || l2tp_cur_get_view(&c, &name, nlen) < 0 ||
	    l2tp_cur_get_u8(&c, &pwlen) < 0 || l2tp_cur_get_view(&c, &pw, pwlen) < 0)
		return -EPROTO;
	if (p->srv.proto != L2TP_PPP_PAP) {
		p->stats.rx_discarded++;
		return 0;
	}
	/* a retransmitted request after our answer gets the same answer (RFC 1334 §2.2.1) */
	if (p->srv.state == PPP_AUTH_DONE || p->srv.state == PPP_AUTH_FAILED) {
		bool done = p->srv.state == PPP_AUTH_DONE;

		pap_send_reply(p, done ? PAP_ACK : PAP_NAK, id, done ? "Welcome" : "Denied");
		return 0;
	}
	if (p->srv.state != PPP_AUTH_PENDING)
		return 0;
	slen = lookup(p, L2TP_PPP_PAP, name, nlen, secret);
	ok = slen >= 0 && (size_t)slen == pwlen && l2tp_auth_equal(secret, pw, pwlen);
	memset(secret, 0, sizeof(secret));
	set_peer_name(p, name, nlen);
	pap_send_reply(p, ok ? PAP_ACK : PAP_NAK, id, ok ? "Welcome" : "Denied");
	report(p, L2TP_PPP_PAP, true, ok, name, nlen, ok ? "" : "wrong name or password");
	if (!ok) {
		srv_fail(p, "the peer's PAP credentials were refused");
		return 0;
	}
	p->srv.state = PPP_AUTH_DONE;
	p->srv.deadline = L2TP_TIME_NEVER;
	check_done(p);
	return 0;
}

int ppp_pap_input(struct l2tp_ppp *p, const uint8_t *pkt, size_t len)
{
	uint16_t plen;

	if (len < 4)
		return -EPROTO;
	plen = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (plen < 4 || plen > len)
		return -EPROTO;
	switch (pkt[0]) {
	case PAP_REQ:
		return pap_request(p, pkt[1], pkt + 4, plen - 4u);
	case PAP_ACK:
	case PAP_NAK:
		/* the Message field is informational; only the code and Identifier count */
		if (p->cli.proto != L2TP_PPP_PAP || p->cli.state != PPP_AUTH_PENDING ||
		    pkt[1] != p->cli.id) {
			p->stats.rx_discarded++;
			return 0;
		}
		report(p, L2TP_PPP_PAP, false, pkt[0] == PAP_ACK, (const uint8_t *)p->name,
		       p->name_len, pkt[0] == PAP_ACK ? "" : "refused by the authenticator");
		if (pkt[0] == PAP_NAK) {
			cli_fail(p, "the authenticator refused our PAP credentials");
			return 0;
		}
		p->cli.state = PPP_AUTH_DONE;
		p->cli.deadline = L2TP_TIME_NEVER;
		check_done(p);
		return 0;
	default:
		p->stats.rx_discarded++;
		return 0;
	}
}

/* ---- CHAP ---------------------------------------------------------------------- */

static int chap_challenge(struct l2tp_ppp *p, uint8_t id, const uint8_t *d, size_t len)
{
	uint8_t vs = len ? d[0] : 0;

	if (len < 1 || vs == 0 || (size_t)vs + 1 > len)
		return -EPROTO;
	if (p->cli.proto != L2TP_PPP_CHAP || p->cli.state == PPP_AUTH_FAILED ||
	    p->cli.state == PPP_AUTH_IDLE) {
		p->stats.rx_discarded++;
		return 0;
	}
	/* RFC 1994 §2.2: MD5(Identifier || secret || Challenge Value) */
	if (l2tp_auth_chap_response(id, p->secret, p->secret_len, d + 1, vs, p->cli.challenge) < 0)
		return 0;
	p->cli.id = id;
	p->cli.have_id = true;
	p->cli.tries = 0;
	chap_send_response(p);
	/*
	 * A lost Success would leave us waiting while the authenticator is in
	 * the Network phase: resend the Response on the restart timer, which
	 * the authenticator answers with its Success again (RFC 1994 §4.2).
	 */
	if (p->cli.state == PPP_AUTH_PENDING)
		p->cli.deadline = p->now + p->cfg.restart;
	return 0;
}

static int chap_response(struct l2tp_ppp *p, uint8_t id, const uint8_t *d, size_t len)
{
	uint8_t secret[PPP_NAME_MAX], vs = len ? d[0] : 0;
	const uint8_t *name;
	size_t nlen;
	int slen;
	bool ok;

	if (len < 1 || (size_t)vs + 1 > len)
		return -EPROTO;
	name = d + 1 + vs;
	nlen = len - 1 - vs;
	if (p->srv.proto != L2TP_PPP_CHAP || id != p->srv.id) {
		p->stats.rx_discarded++;
		return 0;
	}
	/* a repeated Response to an answered Challenge: the same answer (RFC 1994 §4.2) */
	if (p->srv.have_id) {
		chap_send_result(p, p->srv.last_ok);
		return 0;
	}
	if (p->srv.state != PPP_AUTH_PENDING)
		return 0;
	slen = lookup(p, L2TP_PPP_CHAP, name, nlen, secret);
	ok = slen >= 0 && l2tp_auth_chap_verify(id, secret, (size_t)slen, p->srv.challenge,
						CHAP_VALUE_LEN, d + 1, vs) == 0;
	memset(secret, 0, sizeof(secret));
	p->srv.have_id = true;
	p->srv.last_ok = ok ? CHAP_SUCCESS : CHAP_FAILURE;
	chap_send_result(p, p->srv.last_ok);
	if (p->phase == L2TP_PPP_AUTHENTICATE || !ok)
		report(p, L2TP_PPP_CHAP, true, ok, name, nlen, ok ? "" : "wrong response");
	if (!ok) {
		srv_fail(p, "the peer's CHAP response was wrong");
		return 0;
	}
	set_peer_name(p, name, nlen);
	p->srv.state = PPP_AUTH_DONE;
	p->srv.deadline =
	    p->cfg.chap_rechallenge ? p->now + p->cfg.chap_rechallenge : L2TP_TIME_NEVER;
	check_done(p);
	return 0;
}

int ppp_chap_input(struct l2tp_ppp *p, const uint8_t *pkt, size_t len)
{
	uint16_t plen;
	uint8_t id;

	if (len < 4)
		return -EPROTO;
	plen = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (plen < 4 || plen > len)
		return -EPROTO;
	id = pkt[1];
	switch (pkt[0]) {
	case CHAP_CHALLENGE:
		return chap_challenge(p, id, pkt + 4, plen - 4u);
	case CHAP_RESPONSE:
		return chap_response(p, id, pkt + 4, plen - 4u);
	case CHAP_SUCCESS:
	case CHAP_FAILURE:
		if (p->cli.proto != L2TP_PPP_CHAP || p->cli.state != PPP_AUTH_PENDING ||
		    id != p->cli.id) {
			p->stats.rx_discarded++;
			return 0;
		}
		report(p, L2TP_PPP_CHAP, false, pkt[0] == CHAP_SUCCESS, (const uint8_t *)p->name,
		       p->name_len, pkt[0] == CHAP_SUCCESS ? "" : "refused by the authenticator");
		if (pkt[0] == CHAP_FAILURE) {
			cli_fail(p, "the authenticator refused our CHAP response");
			return 0;
		}
		p->cli.state = PPP_AUTH_DONE;
		p->cli.deadline = L2TP_TIME_NEVER;
		check_done(p);
		return 0;
	default:
		p->stats.rx_discarded++;
		return 0;
	}
}
