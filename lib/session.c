// SPDX-License-Identifier: MIT
/*
 * session.c - L2TPv3 session state machines (RFC 3931 §7.3 incoming calls,
 * §7.4 outgoing calls), the session tie breaker (§5.4.3) and the
 * negotiation of what the datapath needs (§5.4.4: ids, cookies, sublayer,
 * sequencing; §5.4.5 Circuit Status; RFC 4667 Remote End ID).
 *
 * The RFC's tables, as this file runs them (|fsm[]| below, "both" rows are
 * the same for incoming and outgoing calls):
 *
 *   Role       State         Event                          Action               New state
 *   ----       -----         -----                          ------               ---------
 *   opener     idle          tunnel up / local open          Send ICRQ (OCRQ)     wait-reply
 *   opener     wait-reply    Recv ICRP, acceptable           Send ICCN            established
 *   opener     wait-reply    Recv OCRP, acceptable           -                    wait-connect
 *   opener     wait-connect  Recv OCCN, acceptable           -                    established
 *   opener     wait-reply    Recv ICRQ/OCRQ, lose tie        become the acceptor  wait-connect
 *   opener     wait-reply    Recv ICRQ/OCRQ, win tie         Send CDN 13 to it    wait-reply
 *   acceptor   idle          Recv ICRQ, acceptable           Send ICRP            wait-connect
 *   acceptor   idle          Recv OCRQ, acceptable           Send OCRP, OCCN      established
 *   acceptor   idle          Recv ICRQ/OCRQ, not acceptable  Send CDN             (freed)
 *   acceptor   wait-connect  Recv ICCN, acceptable           -                    established
 *   both       any           Recv CDN                        Clean up             (freed)
 *   both       any           Local close                     Send CDN, clean up   (freed)
 *   both       established   Recv SLI                        Circuit Status event established
 *   both       any           Recv anything else (FSM error)  Send CDN 16          (freed)
 *   both       not up        setup limit passed              Send CDN 10          (freed)
 *
 * "Not acceptable" ends with the CDN result code that says why: 14 for a
 * pseudowire type we do not offer, 15 for sequencing without a sublayer
 * that can carry it, 2 with an error code for bad values, or whatever the
 * session_request callback answers (24, non-existent forwarder, when
 * there is no callback).
 *
 * L2TPv2 (RFC 2661 §7.4.1-§7.5.2) runs the same table with its messages:
 * ICRQ/ICRP/ICCN and OCRQ/OCRP/OCCN carry the Assigned Session ID (the
 * sender's 16-bit id) and the call parameters, every message after the
 * request names the receiver's session in the header (lib/tunnel.c turns
 * both into the v3 fields this file reads), there is no session tie
 * breaker, no cookie and no sublayer, the pseudowire is PPP, SLI carries
 * the ACCM and WEN the Call Errors.
 */
#include <stdio.h>

#include "internal.h"

const char *l2tp_session_state_name(enum l2tp_session_state st)
{
	static const char *const n[] = {"idle", "wait-reply", "wait-connect", "established",
					"closed"};

	return (unsigned int)st < L2TP_ARRAY_SIZE(n) ? n[st] : "unknown";
}

static struct l2tp_ctx *ctx_of(const struct l2tp_session *s)
{
	return s->t->ctx;
}

/* ---- object life ---------------------------------------------------------------- */

/* Sessions waiting for a reply, by Remote End ID, for the tie breaker. */
static uint32_t rei_key(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void rei_hash(struct l2tp_session *s)
{
	struct l2tp_ctx *ctx = ctx_of(s);

	if (s->in_rei)
		return;
	l2tp_ht_add(&ctx->by_rei, ctx->mem, &s->by_rei, rei_key(s->rei, s->rei_len));
	s->in_rei = true;
}

static void rei_unhash(struct l2tp_session *s)
{
	if (!s->in_rei)
		return;
	l2tp_ht_del(&ctx_of(s)->by_rei, &s->by_rei);
	s->in_rei = false;
}

/*
 * |t->pending| is sorted by deadline: every deadline is "now + the tunnel's
 * setup timeout" when set, |now| never goes back, and a session whose
 * deadline is set again moves to the tail. So the head is the earliest
 * and a timeout pass stops at the first session not yet due.
 */
static void set_deadline(struct l2tp_session *s, l2tp_time_t now)
{
	s->deadline = now + s->t->setup_timeout;
	l2tp_list_del(&s->pending);
	l2tp_list_add_tail(&s->t->pending, &s->pending);
}

void l2tp_session_free(struct l2tp_session *s)
{
	struct l2tp_ctx *ctx = ctx_of(s);

	rei_unhash(s);
	l2tp_mem_free(ctx->mem, s->v2);
	l2tp_ht_del(&ctx->sessions, &s->by_id);
	l2tp_list_del(&s->in_tunnel);
	l2tp_list_del(&s->pending);
	s->t->n_sessions--;
	ctx->n_sessions--;
	l2tp_mem_free(ctx->mem, s);
}

static size_t view_room(const struct l2tp_view *v)
{
	return v->len;
}

static void view_copy(struct l2tp_view *v, uint8_t **at)
{
	if (v->len) {
		memcpy(*at, v->p, v->len);
		v->p = *at;
		*at += v->len;
	} else {
		v->p = (const uint8_t *)"";
	}
}

/* The views of a struct l2tp_v2_call, for copying them all. */
#define V2_VIEWS(c)                                                                                \
	{                                                                                          \
		&(c)->called_number, &(c)->calling_number, &(c)->sub_address,                      \
		    &(c)->private_group, &(c)->proxy.init_rcvd_lcp, &(c)->proxy.last_sent_lcp,     \
		    &(c)->proxy.last_rcvd_lcp, &(c)->proxy.auth_name, &(c)->proxy.auth_chal,       \
		    &(c)->proxy.auth_resp                                                          \
	}

/* A copy of |src| with its strings in one allocation (freed with the session). */
static struct l2tp_v2_call *v2_copy(struct l2tp_ctx *ctx, const struct l2tp_v2_call *src)
{
	struct l2tp_v2_call *c;
	struct l2tp_view *sv[] = V2_VIEWS((struct l2tp_v2_call *)src);
	size_t room = 0;
	uint8_t *at;

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(sv); i++) {
		if (sv[i]->len && !sv[i]->p)
			return NULL;
		room += view_room(sv[i]);
	}
	c = l2tp_mem_zalloc(ctx->mem, sizeof(*c) + room);
	if (!c)
		return NULL;
	*c = *src;
	at = (uint8_t *)(c + 1);
	{
		struct l2tp_view *cv[] = V2_VIEWS(c);

		for (size_t i = 0; i < L2TP_ARRAY_SIZE(cv); i++)
			view_copy(cv[i], &at);
	}
	return c;
}

static int session_alloc(struct l2tp_tunnel *t, const struct l2tp_session_cfg *cfg,
			 const uint8_t *rei, size_t rei_len, l2tp_time_t now,
			 struct l2tp_session **out)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_session *s;
	uint32_t id = cfg->session_id;
	int rc;

	if (cfg->cookie_len != 0 && cfg->cookie_len != 4 && cfg->cookie_len != 8)
		return -EINVAL;
	if (cfg->l2spec < -1 || cfg->l2spec > L2TP_L2SPEC_DEFAULT)
		return -EINVAL;
	if (rei_len > L2TP_REMOTE_END_ID_MAX)
		return -EINVAL;
	/* RFC 2661: 16-bit Session IDs, PPP only */
	if (t->version == L2TP_VER_2 &&
	    (id > 0xffff || (cfg->pw_type && cfg->pw_type != L2TP_PW_PPP)))
		return -EINVAL;
	if (ctx->max_sessions && ctx->n_sessions >= ctx->max_sessions)
		return -ENOSPC;
	if (id && l2tp_ht_find(&ctx->sessions, id))
		return -EEXIST;
	if (!id)
		L2TP_TRY(l2tp_rand_id_max(ctx, &ctx->sessions,
					  t->version == L2TP_VER_2 ? 0xffff : UINT32_MAX, &id));
	s = l2tp_mem_zalloc(ctx->mem, sizeof(*s) + rei_len);
	if (!s)
		return -ENOMEM;
	if (cfg->v2 && !(s->v2 = v2_copy(ctx, cfg->v2))) {
		l2tp_mem_free(ctx->mem, s);
		return -ENOMEM;
	}
	s->t = t;
	s->user = cfg->user;
	s->outgoing = cfg->outgoing;
	s->circuit_down = cfg->circuit_down;
	s->recv_seq = cfg->recv_seq;
	s->l2spec_cfg = cfg->l2spec;
	s->mtu = cfg->mtu;
	s->dp.pw_type = cfg->pw_type		    ? cfg->pw_type
			: t->version == L2TP_VER_2 ? L2TP_PW_PPP
						   : L2TP_PW_ETH;
	s->dp.session_id = id;
	s->dp.version = t->version;
	s->dp.recv_seq = cfg->recv_seq;
	s->dp.rx_cookie_len = t->version == L2TP_VER_2 ? 0 : cfg->cookie_len;
	if (s->dp.rx_cookie_len) {
		rc = l2tp_rand(ctx, s->dp.rx_cookie, cfg->cookie_len);
		if (rc < 0) {
			l2tp_mem_free(ctx->mem, s->v2);
			l2tp_mem_free(ctx->mem, s);
			return rc;
		}
	}
	s->rei_len = (uint8_t)rei_len;
	if (rei_len)
		memcpy(s->rei, rei, rei_len);
	s->deadline = now + t->setup_timeout;
	l2tp_list_init(&s->pending);
	l2tp_ht_add(&ctx->sessions, ctx->mem, &s->by_id, id);
	l2tp_list_add_tail(&t->sessions, &s->in_tunnel);
	l2tp_list_add_tail(&t->pending, &s->pending);
	t->n_sessions++;
	ctx->n_sessions++;
	*out = s;
	return 0;
}

/* ---- messages -------------------------------------------------------------------- */

static int send_request_v2(struct l2tp_session *s);
static int take_params_v2(struct l2tp_session *s, const struct l2tp_msg *m, uint16_t *error,
			  const char **why);

static void put_ids(const struct l2tp_session *s, struct l2tp_msg *m)
{
	m->local_session_id = s->dp.session_id;
	l2tp_msg_set(m, L2TP_AVP_LOCAL_SESSION_ID);
	m->remote_session_id = s->dp.peer_session_id;
	l2tp_msg_set(m, L2TP_AVP_REMOTE_SESSION_ID);
}

static uint8_t our_l2spec(const struct l2tp_session *s)
{
	return s->l2spec_cfg < 0 ? s->dp.l2spec : (uint8_t)s->l2spec_cfg;
}

/* The per-session parameters of ICRQ/ICRP/OCRQ/OCRP (RFC 3931 §5.4.4). */
static void put_params(const struct l2tp_session *s, struct l2tp_msg *m)
{
	if (s->dp.rx_cookie_len) {
		memcpy(m->cookie, s->dp.rx_cookie, s->dp.rx_cookie_len);
		m->cookie_len = s->dp.rx_cookie_len;
		l2tp_msg_set(m, L2TP_AVP_ASSIGNED_COOKIE);
	}
	m->l2_sublayer = our_l2spec(s);
	l2tp_msg_set(m, L2TP_AVP_L2_SUBLAYER);
	m->data_seq = s->recv_seq ? 2 : 0;
	l2tp_msg_set(m, L2TP_AVP_DATA_SEQUENCING);
	if (s->mtu) {
		m->interface_mtu = s->mtu;
		l2tp_msg_set(m, L2TP_AVP_INTERFACE_MTU);
	}
}

static void put_circuit(const struct l2tp_session *s, struct l2tp_msg *m, bool is_new)
{
	/* RFC 3931 §5.4.5: A bit = active, N bit = new */
	m->circuit_status = (uint16_t)((s->circuit_down ? 0 : 1) | (is_new ? 2 : 0));
	l2tp_msg_set(m, L2TP_AVP_CIRCUIT_STATUS);
}

static int send_request(struct l2tp_session *s)
{
	struct l2tp_msg m;

	if (s->t->version == L2TP_VER_2)
		return send_request_v2(s);
	l2tp_msg_init(&m, s->outgoing ? L2TP_MSG_OCRQ : L2TP_MSG_ICRQ);
	put_ids(s, &m);
	m.call_serial = s->dp.session_id;
	l2tp_msg_set(&m, L2TP_AVP_CALL_SERIAL);
	m.pw_type = s->dp.pw_type;
	l2tp_msg_set(&m, L2TP_AVP_PW_TYPE);
	m.remote_end_id = (struct l2tp_view){s->rei, s->rei_len};
	l2tp_msg_set(&m, L2TP_AVP_REMOTE_END_ID);
	m.tie_breaker = (struct l2tp_view){s->tie, sizeof(s->tie)};
	l2tp_msg_set(&m, L2TP_AVP_TIE_BREAKER);
	if (!s->outgoing)
		put_circuit(s, &m, true);
	put_params(s, &m);
	return l2tp_tunnel_send(s->t, &m);
}

/* ---- v2 messages (RFC 2661 §6.6-§6.14) ---------------------------------------------- */

#define V2_DEFAULT_SPEED 100000000u /* bps, when the caller names none */

static const struct l2tp_v2_call no_call;

static const struct l2tp_v2_call *call_of(const struct l2tp_session *s)
{
	return s->v2 ? s->v2 : &no_call;
}

/* Set a string AVP, hidden when a secret is set (RFC 2661 §4.3), if |always| or not empty. */
static void put_view(struct l2tp_msg *m, uint16_t attr, struct l2tp_view *f,
		     const struct l2tp_view *v, bool hide, bool always)
{
	if (!v->len && !always)
		return;
	*f = v->len ? *v : (struct l2tp_view){(const uint8_t *)"", 0};
	l2tp_msg_set(m, attr);
	if (hide)
		l2tp_msg_set_hide(m, attr);
}

/* Send |m| of session |s| to the peer's session (v2 header Session ID). */
static int send_v2(struct l2tp_session *s, struct l2tp_msg *m)
{
	m->session_id = (uint16_t)s->dp.session_id;
	l2tp_msg_set(m, L2TP_AVP_SESSION_ID);
	return l2tp_tunnel_send_sid(s->t, m, (uint16_t)s->dp.peer_session_id);
}

/* ICRQ (§6.10) or OCRQ (§6.7). */
static int send_request_v2(struct l2tp_session *s)
{
	const struct l2tp_v2_call *c = call_of(s);
	struct l2tp_msg m;

	l2tp_msg_init(&m, s->outgoing ? L2TP_MSG_OCRQ : L2TP_MSG_ICRQ);
	m.call_serial = c->serial ? c->serial : s->dp.session_id;
	l2tp_msg_set(&m, L2TP_AVP_CALL_SERIAL);
	if (s->outgoing) {
		m.min_bps = c->min_bps;
		l2tp_msg_set(&m, L2TP_AVP_MIN_BPS);
		m.max_bps = c->max_bps ? c->max_bps : V2_DEFAULT_SPEED;
		l2tp_msg_set(&m, L2TP_AVP_MAX_BPS);
		m.bearer_type = c->bearer_type;
		l2tp_msg_set(&m, L2TP_AVP_BEARER_TYPE);
		m.framing_type =
		    c->framing_type ? c->framing_type : L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
		l2tp_msg_set(&m, L2TP_AVP_FRAMING_TYPE);
		put_view(&m, L2TP_AVP_CALLED_NUMBER, &m.called_number, &c->called_number, true,
			 true);
	} else {
		if (c->bearer_type) {
			m.bearer_type = c->bearer_type;
			l2tp_msg_set(&m, L2TP_AVP_BEARER_TYPE);
		}
		if (c->phys_channel) {
			m.phys_channel_id = c->phys_channel;
			l2tp_msg_set(&m, L2TP_AVP_PHYS_CHANNEL_ID);
		}
		put_view(&m, L2TP_AVP_CALLED_NUMBER, &m.called_number, &c->called_number, true,
			 false);
		put_view(&m, L2TP_AVP_CALLING_NUMBER, &m.calling_number, &c->calling_number, true,
			 false);
	}
	put_view(&m, L2TP_AVP_SUB_ADDRESS, &m.sub_address, &c->sub_address, true, false);
	m.session_id = (uint16_t)s->dp.session_id;
	l2tp_msg_set(&m, L2TP_AVP_SESSION_ID);
	return l2tp_tunnel_send_sid(s->t, &m, 0); /* no peer session yet: 0 */
}

/* ICCN (§6.12) or OCCN (§6.9): what the LAC says about the connected call. */
static int send_connected_v2(struct l2tp_session *s, uint16_t type)
{
	const struct l2tp_v2_call *c = call_of(s);
	const struct l2tp_ppp_proxy *p = &c->proxy;
	struct l2tp_msg m;

	l2tp_msg_init(&m, type);
	m.tx_connect_speed = c->tx_speed ? c->tx_speed : V2_DEFAULT_SPEED;
	l2tp_msg_set(&m, L2TP_AVP_TX_CONNECT_SPEED);
	m.framing_type = c->framing_type ? c->framing_type : L2TP_FRAMING_SYNC;
	l2tp_msg_set(&m, L2TP_AVP_FRAMING_TYPE);
	if (c->rx_speed) {
		m.rx_connect_speed = c->rx_speed;
		l2tp_msg_set(&m, L2TP_AVP_RX_CONNECT_SPEED);
	}
	/* RFC 2661 §5.4: the LAC asks for sequenced data */
	if (s->recv_seq)
		l2tp_msg_set(&m, L2TP_AVP_SEQ_REQUIRED);
	if (type == L2TP_MSG_ICCN) {
		put_view(&m, L2TP_AVP_PRIVATE_GROUP_ID, &m.private_group_id, &c->private_group,
			 false, false);
		put_view(&m, L2TP_AVP_INIT_RCVD_LCP, &m.init_rcvd_lcp, &p->init_rcvd_lcp, false,
			 false);
		put_view(&m, L2TP_AVP_LAST_SENT_LCP, &m.last_sent_lcp, &p->last_sent_lcp, false,
			 false);
		put_view(&m, L2TP_AVP_LAST_RCVD_LCP, &m.last_rcvd_lcp, &p->last_rcvd_lcp, false,
			 false);
		if (p->auth_type) {
			/* RFC 2661 §4.3 names these as what hiding is for */
			m.proxy_auth_type = p->auth_type;
			l2tp_msg_set(&m, L2TP_AVP_PROXY_AUTH_TYPE);
			l2tp_msg_set_hide(&m, L2TP_AVP_PROXY_AUTH_TYPE);
			put_view(&m, L2TP_AVP_PROXY_AUTH_NAME, &m.proxy_auth_name, &p->auth_name,
				 true, false);
			put_view(&m, L2TP_AVP_PROXY_AUTH_CHAL, &m.proxy_auth_chal, &p->auth_chal,
				 true, false);
			if (p->has_auth_id) {
				m.proxy_auth_id = p->auth_id;
				l2tp_msg_set(&m, L2TP_AVP_PROXY_AUTH_ID);
				l2tp_msg_set_hide(&m, L2TP_AVP_PROXY_AUTH_ID);
			}
			put_view(&m, L2TP_AVP_PROXY_AUTH_RESP, &m.proxy_auth_resp, &p->auth_resp,
				 true, true);
		}
	}
	return l2tp_tunnel_send_sid(s->t, &m, (uint16_t)s->dp.peer_session_id);
}

/* What the peer said in an ICRQ/OCRQ/ICCN/OCCN, as views into |m|. */
static void call_from_msg(const struct l2tp_msg *m, struct l2tp_v2_call *c)
{
	memset(c, 0, sizeof(*c));
	c->serial = m->call_serial;
	c->bearer_type = m->bearer_type;
	c->framing_type = m->framing_type;
	c->min_bps = m->min_bps;
	c->max_bps = m->max_bps;
	c->tx_speed = m->tx_connect_speed;
	c->rx_speed = m->rx_connect_speed;
	c->phys_channel = m->phys_channel_id;
	c->called_number = m->called_number;
	c->calling_number = m->calling_number;
	c->sub_address = m->sub_address;
	c->private_group = m->private_group_id;
	c->seq_required = l2tp_msg_has(m, L2TP_AVP_SEQ_REQUIRED);
	c->proxy.init_rcvd_lcp = m->init_rcvd_lcp;
	c->proxy.last_sent_lcp = m->last_sent_lcp;
	c->proxy.last_rcvd_lcp = m->last_rcvd_lcp;
	c->proxy.auth_type = l2tp_msg_has(m, L2TP_AVP_PROXY_AUTH_TYPE) ? m->proxy_auth_type : 0;
	c->proxy.auth_name = m->proxy_auth_name;
	c->proxy.auth_chal = m->proxy_auth_chal;
	c->proxy.has_auth_id = l2tp_msg_has(m, L2TP_AVP_PROXY_AUTH_ID);
	c->proxy.auth_id = m->proxy_auth_id;
	c->proxy.auth_resp = m->proxy_auth_resp;
}

/* CDN for |s| or, with s NULL, for a request we never took (ids given). */
static void send_cdn_q(struct l2tp_tunnel *t, uint32_t local, uint32_t remote, uint16_t result,
		       uint16_t error, const char *msg, const struct l2tp_q931 *q)
{
	struct l2tp_msg m;

	l2tp_msg_init(&m, L2TP_MSG_CDN);
	m.result = (struct l2tp_result){.result = result, .error = error, .has_error = true};
	if (msg)
		m.result.message = l2tp_view_str(msg);
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	if (q) {
		m.q931 = *q;
		l2tp_msg_set(&m, L2TP_AVP_Q931_CAUSE);
	}
	if (t->version == L2TP_VER_2) {
		/* RFC 2661 §6.11: our Assigned Session ID; the header names theirs */
		m.session_id = (uint16_t)local;
		l2tp_msg_set(&m, L2TP_AVP_SESSION_ID);
		l2tp_tunnel_send_sid(t, &m, (uint16_t)remote);
		return;
	}
	m.local_session_id = local;
	l2tp_msg_set(&m, L2TP_AVP_LOCAL_SESSION_ID);
	m.remote_session_id = remote;
	l2tp_msg_set(&m, L2TP_AVP_REMOTE_SESSION_ID);
	l2tp_tunnel_send(t, &m);
}

static void send_cdn(struct l2tp_tunnel *t, uint32_t local, uint32_t remote, uint16_t result,
		     uint16_t error, const char *msg)
{
	send_cdn_q(t, local, remote, result, error, msg, NULL);
}

/* ---- state changes ----------------------------------------------------------------- */

static void session_up(struct l2tp_session *s, const struct l2tp_v2_call *peer)
{
	struct l2tp_ctx *ctx = ctx_of(s);
	struct l2tp_tunnel *t = s->t;
	struct l2tp_event ev = {.type = L2TP_EV_UP, .dp = &s->dp, .v2 = peer};

	s->state = L2TP_SESSION_ESTABLISHED;
	s->dp.version = t->version;
	if (t->version == L2TP_VER_2) {
		/*
		 * RFC 2661 §5.4: sequencing both ways when the LAC required it
		 * (|peer| is the LAC's ICCN/OCCN, seen by the LNS) or the LNS
		 * turns it on; otherwise the LAC follows what the LNS sends.
		 */
		bool seq = s->recv_seq || (peer && peer->seq_required);

		s->dp.send_seq = s->dp.recv_seq = seq;
	}
	s->caller_knows = true;
	l2tp_list_del(&s->pending);
	s->dp.path = t->path;
	s->dp.tunnel_id = t->ccid;
	s->dp.peer_tunnel_id = t->peer_ccid;
	l2tp_log(ctx, L2TP_LOG_INFO,
		 "tunnel=%u session=%u peer_session=%u up version=%u pw=%s cookie=%u/%u l2spec=%u "
		 "seq=%s%s",
		 t->ccid, s->dp.session_id, s->dp.peer_session_id, t->version,
		 l2tp_catalog_pw_type_name(s->dp.pw_type), s->dp.rx_cookie_len,
		 s->dp.tx_cookie_len, s->dp.l2spec, s->dp.send_seq ? "send" : "",
		 s->dp.recv_seq ? "recv" : "");
	if (ctx->cb.session_event)
		ctx->cb.session_event(ctx->user, s, &ev);
}

/* Report DOWN and free |s|. */
static void session_gone(struct l2tp_session *s, const struct l2tp_down_reason *why)
{
	struct l2tp_ctx *ctx = ctx_of(s);
	struct l2tp_event ev = {.type = L2TP_EV_DOWN, .down = *why};

	s->state = L2TP_SESSION_CLOSED;
	l2tp_log(ctx, why->result == 3 || why->result == 1 ? L2TP_LOG_INFO : L2TP_LOG_WARN,
		 "tunnel=%u session=%u peer_session=%u down result=%s/%u error=%s/%u by=%s%s%s",
		 s->t->ccid, s->dp.session_id, s->dp.peer_session_id,
		 l2tp_catalog_result_name(L2TP_MSG_CDN, why->result), why->result,
		 l2tp_catalog_error_name(why->error), why->error, why->by_peer ? "peer" : "local",
		 why->msg ? " msg=" : "", why->msg ? why->msg : "");
	if (ctx->cb.session_event && !s->t->husk && s->caller_knows)
		ctx->cb.session_event(ctx->user, s, &ev);
	l2tp_session_free(s);
}

/* Send CDN and free. */
static void session_stop(struct l2tp_session *s, uint16_t result, uint16_t error, const char *msg)
{
	struct l2tp_down_reason why = {.result = result, .error = error, .msg = msg};

	/* an opener still idle has sent nothing the peer could know */
	if (s->state != L2TP_SESSION_IDLE || !s->initiator)
		send_cdn(s->t, s->dp.session_id, s->dp.peer_session_id, result, error, msg);
	session_gone(s, &why);
}

void l2tp_session_tunnel_fallback(struct l2tp_tunnel *t)
{
	struct l2tp_ctx *ctx = t->ctx;

	for (struct l2tp_list *l = t->sessions.next, *n; l != &t->sessions; l = n) {
		struct l2tp_session *s = l2tp_container_of(l, struct l2tp_session, in_tunnel);
		struct l2tp_down_reason why = {.result = 2, .error = L2TP_ERR_RANGE,
					       .msg = "L2TPv2 carries PPP only"};
		uint32_t id;

		n = l->next;
		if (s->dp.pw_type != L2TP_PW_PPP) {
			session_gone(s, &why);
			continue;
		}
		s->dp.version = L2TP_VER_2;
		s->dp.rx_cookie_len = 0;
		if (s->dp.session_id > 0xffff) {
			if (l2tp_rand_id_max(ctx, &ctx->sessions, 0xffff, &id) < 0) {
				why = (struct l2tp_down_reason){.result = 2,
								.error = L2TP_ERR_RESOURCES,
								.msg = "no free L2TPv2 session id"};
				session_gone(s, &why);
				continue;
			}
			l2tp_ht_del(&ctx->sessions, &s->by_id);
			s->dp.session_id = id;
			l2tp_ht_add(&ctx->sessions, ctx->mem, &s->by_id, id);
		}
	}
}

void l2tp_session_tunnel_up(struct l2tp_tunnel *t, l2tp_time_t now)
{
	for (struct l2tp_list *l = t->pending.next, *n; l != &t->pending; l = n) {
		struct l2tp_session *s = l2tp_container_of(l, struct l2tp_session, pending);

		n = l->next;
		if (s->state != L2TP_SESSION_IDLE || !s->initiator)
			continue;
		s->deadline = now + t->setup_timeout; /* the same for all: order kept */
		if (send_request(s) < 0) {
			session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue the request");
			continue;
		}
		s->state = L2TP_SESSION_WAIT_REPLY;
		if (t->version == L2TP_VER_3)
			rei_hash(s);
	}
}

void l2tp_session_tunnel_down(struct l2tp_tunnel *t, const struct l2tp_down_reason *why)
{
	struct l2tp_down_reason sw = {.result = 1, .msg = "control connection down"};

	(void)why;
	while (!l2tp_list_empty(&t->sessions))
		session_gone(l2tp_container_of(t->sessions.next, struct l2tp_session, in_tunnel),
			     &sw);
}

l2tp_time_t l2tp_session_deadline(const struct l2tp_tunnel *t)
{
	if (l2tp_list_empty(&t->pending))
		return L2TP_TIME_NEVER;
	return l2tp_container_of(t->pending.next, struct l2tp_session, pending)->deadline;
}

void l2tp_session_timeout(struct l2tp_tunnel *t, l2tp_time_t now)
{
	for (struct l2tp_list *l = t->pending.next, *n; l != &t->pending; l = n) {
		struct l2tp_session *s = l2tp_container_of(l, struct l2tp_session, pending);

		n = l->next;
		if (now < s->deadline)
			break;
		/*
		 * While the channel still carries unacknowledged messages the
		 * peer is not late, we are (a long queue under loss); while the
		 * peer keeps delivering session messages it is working through
		 * its own queue. The retry limit is what catches a dead peer, so
		 * wait another round.
		 */
		if (l2tp_xport_pending(&t->x) ||
		    t->last_session_rx + t->setup_timeout > s->deadline) {
			set_deadline(s, now);
			continue;
		}
		session_stop(s, 10, 0, "session not established in time");
	}
}

/* ---- negotiation ------------------------------------------------------------------- */

static bool we_offer(const struct l2tp_tunnel *t, uint16_t pw)
{
	for (size_t i = 0; i < t->n_pw_caps; i++)
		if (t->pw_caps[i] == pw)
			return true;
	return false;
}

/*
 * Take the peer's per-session parameters from an ICRQ/ICRP/OCRQ/OCRP.
 * Returns 0, or a CDN result code with *|error| and *|why|.
 */
static int take_params(struct l2tp_session *s, const struct l2tp_msg *m, uint16_t *error,
		       const char **why)
{
	uint8_t peer_l2spec = l2tp_msg_has(m, L2TP_AVP_L2_SUBLAYER) ? (uint8_t)m->l2_sublayer : 0;

	if (s->t->version == L2TP_VER_2)
		return take_params_v2(s, m, error, why);
	*error = 0;
	if (!m->local_session_id) {
		*error = L2TP_ERR_SESSION_ID;
		*why = "Local Session ID 0";
		return 2;
	}
	if (peer_l2spec > L2TP_L2SPEC_DEFAULT) {
		*error = L2TP_ERR_RANGE;
		*why = "L2-Specific Sublayer not supported";
		return 2;
	}
	if (s->l2spec_cfg < 0)
		s->dp.l2spec = peer_l2spec; /* follow the peer */
	else if (peer_l2spec != s->l2spec_cfg) {
		/* one sublayer per session both ways, as the kernel's datapath has */
		*error = L2TP_ERR_RANGE;
		*why = "L2-Specific Sublayer differs from ours";
		return 2;
	} else
		s->dp.l2spec = peer_l2spec;
	s->dp.send_seq = l2tp_msg_has(m, L2TP_AVP_DATA_SEQUENCING) && m->data_seq != 0;
	/* RFC 3931 §5.4.4: sequencing needs a sublayer with a sequence field */
	if ((s->dp.send_seq || s->recv_seq) && s->dp.l2spec != L2TP_L2SPEC_DEFAULT) {
		*why = "sequencing requires the default L2-Specific Sublayer";
		return 15;
	}
	s->dp.peer_session_id = m->local_session_id;
	s->dp.tx_cookie_len = 0;
	if (l2tp_msg_has(m, L2TP_AVP_ASSIGNED_COOKIE)) {
		memcpy(s->dp.tx_cookie, m->cookie, m->cookie_len);
		s->dp.tx_cookie_len = m->cookie_len;
	}
	if (l2tp_msg_has(m, L2TP_AVP_INTERFACE_MTU))
		s->dp.peer_mtu = m->interface_mtu;
	if (l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS))
		s->dp.peer_circuit_up = m->circuit_status & 1;
	else
		s->dp.peer_circuit_up = true;
	return 0;
}

/* Our pending request for the same Remote End ID (session tie breaker). */
static struct l2tp_session *rival(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	uint32_t k = rei_key(m->remote_end_id.p, m->remote_end_id.len);

	for (struct l2tp_hnode *n = l2tp_ht_find(&t->ctx->by_rei, k); n; n = l2tp_ht_next(n, k)) {
		struct l2tp_session *s = l2tp_container_of(n, struct l2tp_session, by_rei);

		if (s->t == t && s->state == L2TP_SESSION_WAIT_REPLY &&
		    s->rei_len == m->remote_end_id.len &&
		    !memcmp(s->rei, m->remote_end_id.p, s->rei_len) && s->dp.pw_type == m->pw_type)
			return s;
	}
	return NULL;
}

/* ICRP (§6.11), or OCRP (§6.8) and at once OCCN: the call is up already. */
static void answer_v2(struct l2tp_session *s, const struct l2tp_msg *m)
{
	const struct l2tp_v2_call *c = call_of(s);
	struct l2tp_msg r;

	l2tp_msg_init(&r, m->type == L2TP_MSG_OCRQ ? L2TP_MSG_OCRP : L2TP_MSG_ICRP);
	if (m->type == L2TP_MSG_OCRQ && c->phys_channel) {
		r.phys_channel_id = c->phys_channel;
		l2tp_msg_set(&r, L2TP_AVP_PHYS_CHANNEL_ID);
	}
	if (send_v2(s, &r) < 0) {
		session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue the reply");
		return;
	}
	if (m->type == L2TP_MSG_OCRQ) {
		if (send_connected_v2(s, L2TP_MSG_OCCN) < 0) {
			session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue OCCN");
			return;
		}
		session_up(s, NULL);
	}
}

/* The v2 part of take_params(): only the peer's Assigned Session ID. */
static int take_params_v2(struct l2tp_session *s, const struct l2tp_msg *m, uint16_t *error,
			  const char **why)
{
	*error = 0;
	if (!m->local_session_id) {
		*error = L2TP_ERR_SESSION_ID;
		*why = "Assigned Session ID 0";
		return 2;
	}
	s->dp.peer_session_id = m->local_session_id;
	s->dp.peer_circuit_up = true;
	return 0;
}

/* Answer an accepted ICRQ/OCRQ with |s|. */
static void answer(struct l2tp_session *s, const struct l2tp_msg *m)
{
	uint16_t error;
	const char *why;
	struct l2tp_msg r;
	int res = take_params(s, m, &error, &why);

	if (res) {
		session_stop(s, (uint16_t)res, error, why);
		return;
	}
	s->state = L2TP_SESSION_WAIT_CONNECT; /* CDN from here on names the peer's id */
	if (s->t->version == L2TP_VER_2) {
		answer_v2(s, m);
		return;
	}
	l2tp_msg_init(&r, m->type == L2TP_MSG_OCRQ ? L2TP_MSG_OCRP : L2TP_MSG_ICRP);
	put_ids(s, &r);
	put_circuit(s, &r, true);
	put_params(s, &r);
	if (l2tp_tunnel_send(s->t, &r) < 0) {
		session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue the reply");
		return;
	}
	if (m->type == L2TP_MSG_OCRQ) {
		/* an Ethernet attachment circuit is there already: connect at once */
		l2tp_msg_init(&r, L2TP_MSG_OCCN);
		put_ids(s, &r);
		if (l2tp_tunnel_send(s->t, &r) < 0) {
			session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue OCCN");
			return;
		}
		session_up(s, NULL);
	}
}

static void rx_request(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_session_cfg cfg = {.l2spec = -1};
	struct l2tp_session *s = NULL, *r;
	int rc;

	struct l2tp_v2_call call;

	if (!m->local_session_id) {
		send_cdn(t, 0, 0, 2, L2TP_ERR_SESSION_ID, "Local Session ID 0");
		return;
	}
	if (t->version == L2TP_VER_2)
		call_from_msg(m, &call);
	else if (!we_offer(t, m->pw_type)) {
		/* RFC 3931 §5.4.2: result 14, PW type not supported */
		send_cdn(t, 0, m->local_session_id, 14, 0, "pseudowire type not offered");
		return;
	}
	r = t->version == L2TP_VER_3 && l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER) &&
		    m->tie_breaker.len == 8
		? rival(t, m)
		: NULL;
	if (r) {
		int cmp = memcmp(r->tie, m->tie_breaker.p, 8);

		if (cmp < 0) {
			send_cdn(t, 0, m->local_session_id, 13, 0, "lost the session tie breaker");
			return;
		}
		if (cmp == 0) {
			send_cdn(t, 0, m->local_session_id, 13, 0, "equal session tie breakers");
			session_stop(r, 13, 0, "equal session tie breakers");
			return;
		}
		/* we lose: our request is the peer's to refuse; answer its under a new id */
		uint32_t id;

		if (l2tp_rand_id(ctx, &ctx->sessions, &id) < 0) {
			send_cdn(t, 0, m->local_session_id, 4, 0, NULL);
			return;
		}
		l2tp_ht_del(&ctx->sessions, &r->by_id);
		r->dp.session_id = id;
		l2tp_ht_add(&ctx->sessions, ctx->mem, &r->by_id, id);
		r->initiator = false;
		r->outgoing = m->type == L2TP_MSG_OCRQ;
		set_deadline(r, now);
		rei_unhash(r);
		answer(r, m);
		return;
	}
	if (ctx->cb.session_request) {
		struct l2tp_session_req req = {
		    .msg_type = m->type,
		    .pw_type = m->pw_type,
		    .remote_end_id = m->remote_end_id,
		    .peer_session_id = m->local_session_id,
		    .circuit_status =
			l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS) ? m->circuit_status : 0,
		    .v2 = t->version == L2TP_VER_2 ? &call : NULL};

		rc = ctx->cb.session_request(ctx->user, t, &req, &cfg);
	} else {
		rc = 24;
	}
	if (rc != 0) {
		send_cdn(t, 0, m->local_session_id, rc > 0 ? (uint16_t)rc : 2,
			 rc > 0 ? 0 : L2TP_ERR_RESOURCES, "session refused");
		return;
	}
	cfg.pw_type = m->pw_type;
	cfg.outgoing = m->type == L2TP_MSG_OCRQ;
	rc = session_alloc(t, &cfg, m->remote_end_id.p, m->remote_end_id.len, now, &s);
	if (rc < 0) {
		send_cdn(t, 0, m->local_session_id, rc == -ENOSPC ? 4 : 2,
			 L2TP_ERR_RESOURCES, "cannot make the session");
		return;
	}
	s->dp.pw_type = m->pw_type;
	s->dp.peer_session_id = m->local_session_id;
	s->state = L2TP_SESSION_IDLE;
	answer(s, m);
}

typedef void (*sfsm_fn)(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now);

static void rx_icrp(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now)
{
	uint16_t error;
	const char *why;
	struct l2tp_msg r;
	int res = take_params(s, m, &error, &why);

	rei_unhash(s);
	if (res) {
		session_stop(s, (uint16_t)res, error, why);
		return;
	}
	if (s->t->version == L2TP_VER_2) {
		if (send_connected_v2(s, L2TP_MSG_ICCN) < 0) {
			session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue ICCN");
			return;
		}
		session_up(s, NULL);
		return;
	}
	l2tp_msg_init(&r, L2TP_MSG_ICCN);
	put_ids(s, &r);
	r.l2_sublayer = s->dp.l2spec;
	l2tp_msg_set(&r, L2TP_AVP_L2_SUBLAYER);
	r.data_seq = s->recv_seq ? 2 : 0;
	l2tp_msg_set(&r, L2TP_AVP_DATA_SEQUENCING);
	if (l2tp_tunnel_send(s->t, &r) < 0) {
		session_stop(s, 4, L2TP_ERR_RESOURCES, "cannot queue ICCN");
		return;
	}
	session_up(s, NULL);
}

static void rx_ocrp(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now)
{
	uint16_t error;
	const char *why;
	int res = take_params(s, m, &error, &why);

	rei_unhash(s);
	if (res) {
		session_stop(s, (uint16_t)res, error, why);
		return;
	}
	s->state = L2TP_SESSION_WAIT_CONNECT;
}

static void rx_connected(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now)
{
	struct l2tp_v2_call call;

	if (s->t->version == L2TP_VER_3) {
		session_up(s, NULL);
		return;
	}
	/* the LAC's ICCN/OCCN: speeds, framing, proxy LCP and authentication */
	call_from_msg(m, &call);
	session_up(s, &call);
}

static void rx_cdn(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now)
{
	struct l2tp_down_reason why = {.result = m->result.result,
				       .error = m->result.has_error ? m->result.error : 0,
				       .by_peer = true,
				       .has_q931 = l2tp_msg_has(m, L2TP_AVP_Q931_CAUSE),
				       .q931_cause = m->q931.cause,
				       .q931_msg = m->q931.msg};
	char text[128];

	if (m->result.message.len) {
		size_t n = m->result.message.len < sizeof(text) - 1 ? m->result.message.len
								    : sizeof(text) - 1;

		memcpy(text, m->result.message.p, n);
		text[n] = 0;
		why.msg = text;
	}
	session_gone(s, &why);
}

static void rx_sli(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now)
{
	struct l2tp_ctx *ctx = ctx_of(s);
	struct l2tp_event ev = {.type = L2TP_EV_CIRCUIT, .dp = &s->dp};
	bool up;

	if (l2tp_msg_has(m, L2TP_AVP_ACCM)) {
		/* RFC 2661 §6.14: the ACCM the LNS's PPP negotiated */
		ev.type = L2TP_EV_ACCM;
		ev.accm = &m->accm;
		l2tp_log(ctx, L2TP_LOG_DEBUG, "tunnel=%u session=%u ACCM send=%08x recv=%08x",
			 s->t->ccid, s->dp.session_id, m->accm.send, m->accm.recv);
		if (ctx->cb.session_event)
			ctx->cb.session_event(ctx->user, s, &ev);
		return;
	}
	if (!l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS))
		return;
	up = m->circuit_status & 1;
	if (up == s->dp.peer_circuit_up)
		return;
	s->dp.peer_circuit_up = up;
	l2tp_log(ctx, L2TP_LOG_INFO, "tunnel=%u session=%u peer circuit %s", s->t->ccid,
		 s->dp.session_id, up ? "up" : "down");
	if (ctx->cb.session_event)
		ctx->cb.session_event(ctx->user, s, &ev);
}

static void rx_wen(struct l2tp_session *s, const struct l2tp_msg *m, l2tp_time_t now)
{
	struct l2tp_ctx *ctx = ctx_of(s);
	struct l2tp_event ev = {.type = L2TP_EV_WEN, .dp = &s->dp, .call_errors = &m->call_errors};

	/* WAN-Error-Notify (RFC 2661 §6.13, RFC 3931 §6.14): reported, nothing else */
	l2tp_log(ctx, L2TP_LOG_DEBUG, "tunnel=%u session=%u WEN crc=%u framing=%u hw=%u buf=%u "
		 "timeout=%u align=%u", s->t->ccid, s->dp.session_id, m->call_errors.crc,
		 m->call_errors.framing, m->call_errors.hw_overruns, m->call_errors.buf_overruns,
		 m->call_errors.timeouts, m->call_errors.alignment);
	if (ctx->cb.session_event)
		ctx->cb.session_event(ctx->user, s, &ev);
}

static void rx_session_fsm_error(struct l2tp_session *s, const struct l2tp_msg *m,
				 l2tp_time_t now)
{
	l2tp_log(ctx_of(s), L2TP_LOG_WARN, "tunnel=%u session=%u msg=%s unexpected in state %s",
		 s->t->ccid, s->dp.session_id, l2tp_catalog_msg_short(m->type),
		 l2tp_session_state_name(s->state));
	session_stop(s, 16, 0, "message not expected in this state");
}

#define SS(x) (1u << L2TP_SESSION_##x)
#define ANY (SS(IDLE) | SS(WAIT_REPLY) | SS(WAIT_CONNECT) | SS(ESTABLISHED))

/* Rows match the table at the top; |opener| 1 = we opened, 0 = peer, 2 = either. */
static const struct {
	unsigned int states;
	uint16_t msg;
	uint8_t opener;
	sfsm_fn fn;
} sfsm[] = {
    {SS(WAIT_REPLY), L2TP_MSG_ICRP, 1, rx_icrp},
    {SS(WAIT_REPLY), L2TP_MSG_OCRP, 1, rx_ocrp},
    {SS(WAIT_CONNECT), L2TP_MSG_OCCN, 1, rx_connected},
    {SS(WAIT_CONNECT), L2TP_MSG_ICCN, 0, rx_connected},
    {ANY, L2TP_MSG_CDN, 2, rx_cdn},
    {ANY, L2TP_MSG_SLI, 2, rx_sli},
    {ANY, L2TP_MSG_WEN, 2, rx_wen},
};

void l2tp_session_rx(struct l2tp_tunnel *t, const struct l2tp_msg *m, int prc, l2tp_time_t now)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_session *s = NULL;
	struct l2tp_hnode *n;

	t->last_session_rx = now;

	if (prc < 0) {
		/* RFC 3931 §5.2: an unknown M=1 AVP in a session message ends the session */
		uint16_t err = prc == L2TP_EUNKNOWN_M ? L2TP_ERR_UNKNOWN_M
			       : prc == L2TP_EBADLEN  ? L2TP_ERR_LENGTH
						      : L2TP_ERR_RANGE;
		uint32_t rsid = l2tp_msg_has(m, L2TP_AVP_REMOTE_SESSION_ID) ? m->remote_session_id : 0;
		uint32_t lsid = l2tp_msg_has(m, L2TP_AVP_LOCAL_SESSION_ID) ? m->local_session_id : 0;

		if (m->type == L2TP_MSG_CDN)
			return;
		n = rsid ? l2tp_ht_find(&ctx->sessions, rsid) : NULL;
		s = n ? l2tp_container_of(n, struct l2tp_session, by_id) : NULL;
		if (s && s->t == t)
			session_stop(s, 2, err, "malformed session message");
		else if (lsid)
			send_cdn(t, 0, lsid, 2, err, "malformed session message");
		return;
	}
	if (m->type == L2TP_MSG_ICRQ || m->type == L2TP_MSG_OCRQ) {
		rx_request(t, m, now);
		return;
	}
	n = m->remote_session_id ? l2tp_ht_find(&ctx->sessions, m->remote_session_id) : NULL;
	s = n ? l2tp_container_of(n, struct l2tp_session, by_id) : NULL;
	if (!s || s->t != t) {
		t->rx_unknown_session++;
		/* a CDN for a session we do not have needs no answer */
		if (m->type != L2TP_MSG_CDN && l2tp_msg_has(m, L2TP_AVP_LOCAL_SESSION_ID))
			send_cdn(t, 0, m->local_session_id, 2, L2TP_ERR_SESSION_ID,
				 "no such session");
		return;
	}
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(sfsm); i++) {
		if (sfsm[i].msg == m->type && (sfsm[i].states & (1u << s->state)) &&
		    (sfsm[i].opener == 2 || sfsm[i].opener == s->initiator)) {
			sfsm[i].fn(s, m, now);
			return;
		}
	}
	rx_session_fsm_error(s, m, now);
}

/* ---- the caller's API --------------------------------------------------------------- */

int l2tp_session_open(struct l2tp_tunnel *t, const struct l2tp_session_cfg *cfg, l2tp_time_t now,
		      struct l2tp_session **out)
{
	struct l2tp_session *s;
	int rc;

	if (!t || !cfg || !out)
		return -EINVAL;
	if (t->husk || t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_LINGER)
		return -ENOTCONN;
	if (cfg->remote_end_id_len && !cfg->remote_end_id)
		return -EINVAL;
	L2TP_TRY(session_alloc(t, cfg, cfg->remote_end_id, cfg->remote_end_id_len, now, &s));
	s->initiator = true;
	s->caller_knows = true;
	if (cfg->l2spec >= 0)
		s->dp.l2spec = (uint8_t)cfg->l2spec;
	rc = l2tp_rand(t->ctx, s->tie, sizeof(s->tie));
	if (rc < 0)
		goto fail;
	if (t->state == L2TP_TUNNEL_ESTABLISHED) {
		rc = send_request(s);
		if (rc < 0)
			goto fail;
		s->state = L2TP_SESSION_WAIT_REPLY;
		if (t->version == L2TP_VER_3)
			rei_hash(s);
	}
	*out = s;
	return 0;
fail:
	l2tp_session_free(s);
	return rc;
}

int l2tp_session_close(struct l2tp_session *s, uint16_t result, uint16_t error, const char *msg,
		       l2tp_time_t now)
{
	if (!s || s->state == L2TP_SESSION_CLOSED)
		return -ENOENT;
	session_stop(s, result ? result : 3, error, msg);
	return 0;
}

int l2tp_session_close_q931(struct l2tp_session *s, uint16_t result, uint16_t error,
			    const char *msg, uint16_t cause, uint8_t msg_type, l2tp_time_t now)
{
	struct l2tp_q931 q = {.cause = cause, .msg = msg_type};
	struct l2tp_down_reason why = {.result = result ? result : 3,
				       .error = error,
				       .msg = msg,
				       .has_q931 = true,
				       .q931_cause = cause,
				       .q931_msg = msg_type};

	if (!s || s->state == L2TP_SESSION_CLOSED)
		return -ENOENT;
	if (s->state != L2TP_SESSION_IDLE || !s->initiator)
		send_cdn_q(s->t, s->dp.session_id, s->dp.peer_session_id, why.result, error, msg,
			   &q);
	session_gone(s, &why);
	return 0;
}

int l2tp_session_set_accm(struct l2tp_session *s, uint32_t send_accm, uint32_t recv_accm,
			  l2tp_time_t now)
{
	struct l2tp_msg m;

	if (s->t->version != L2TP_VER_2)
		return -EPROTO;
	if (s->state != L2TP_SESSION_ESTABLISHED)
		return -ENOTCONN;
	l2tp_msg_init(&m, L2TP_MSG_SLI);
	m.accm = (struct l2tp_accm){.send = send_accm, .recv = recv_accm};
	l2tp_msg_set(&m, L2TP_AVP_ACCM);
	return l2tp_tunnel_send_sid(s->t, &m, (uint16_t)s->dp.peer_session_id);
}

int l2tp_session_send_wen(struct l2tp_session *s, const struct l2tp_call_errors *errors,
			  l2tp_time_t now)
{
	struct l2tp_msg m;

	if (!errors)
		return -EINVAL;
	if (s->state != L2TP_SESSION_ESTABLISHED)
		return -ENOTCONN;
	l2tp_msg_init(&m, L2TP_MSG_WEN);
	m.call_errors = *errors;
	l2tp_msg_set(&m, L2TP_AVP_CALL_ERRORS);
	if (s->t->version == L2TP_VER_2)
		return l2tp_tunnel_send_sid(s->t, &m, (uint16_t)s->dp.peer_session_id);
	put_ids(s, &m);
	return l2tp_tunnel_send(s->t, &m);
}

int l2tp_session_set_circuit(struct l2tp_session *s, bool up, l2tp_time_t now)
{
	struct l2tp_msg m;

	if (s->t->version == L2TP_VER_2)
		return -EPROTO;
	if (s->circuit_down == !up)
		return 0;
	s->circuit_down = !up;
	if (s->state != L2TP_SESSION_ESTABLISHED)
		return 0; /* the next ICRQ/ICRP carries it */
	l2tp_msg_init(&m, L2TP_MSG_SLI);
	put_ids(s, &m);
	put_circuit(s, &m, false);
	return l2tp_tunnel_send(s->t, &m);
}

struct l2tp_session *l2tp_session_find(struct l2tp_ctx *ctx, uint32_t sid)
{
	struct l2tp_hnode *n = l2tp_ht_find(&ctx->sessions, sid);

	return n ? l2tp_container_of(n, struct l2tp_session, by_id) : NULL;
}

enum l2tp_session_state l2tp_session_state(const struct l2tp_session *s)
{
	return s->state;
}

uint32_t l2tp_session_id(const struct l2tp_session *s)
{
	return s->dp.session_id;
}

uint32_t l2tp_session_peer_id(const struct l2tp_session *s)
{
	return s->dp.peer_session_id;
}

struct l2tp_tunnel *l2tp_session_tunnel(const struct l2tp_session *s)
{
	return s->t;
}

void *l2tp_session_user(const struct l2tp_session *s)
{
	return s->user;
}

void l2tp_session_set_user(struct l2tp_session *s, void *user)
{
	s->user = user;
}

const struct l2tp_session_dp *l2tp_session_dp(const struct l2tp_session *s)
{
	return &s->dp;
}

struct l2tp_view l2tp_session_remote_end_id(const struct l2tp_session *s)
{
	return (struct l2tp_view){s->rei, s->rei_len};
}

size_t l2tp_session_mem_size(const struct l2tp_session *s)
{
	return sizeof(*s) + s->rei_len;
}

struct l2tp_session *l2tp_tunnel_next_session(struct l2tp_tunnel *t, struct l2tp_session *it)
{
	struct l2tp_list *l = it ? it->in_tunnel.next : t->sessions.next;

	return l == &t->sessions ? NULL : l2tp_container_of(l, struct l2tp_session, in_tunnel);
}
