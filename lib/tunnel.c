// SPDX-License-Identifier: MIT
/*
 * tunnel.c - the control connection state machine (RFC 3931 §7.2, which
 * kept RFC 2661 §7.2's), for L2TPv3 and L2TPv2 alike, control message
 * authentication (v3: digests, RFC 3931 §4.3, §5.4.1; v2: Challenge and
 * Challenge Response, RFC 2661 §4.2, §5.1.1), the tie breaker (RFC 3931
 * §5.4.3, RFC 2661 §4.4.3: the lower value wins in both) and the v3-to-v2
 * fallback, over the reliable channel of lib/xport.c.
 *
 * The RFC's table (RFC 3931 §7.2, with RFC 2661 §7.2's idle rows) and what
 * this file does for each row; |fsm[]| below is the same table in code:
 *
 *   State           Event                       Action                     New state
 *   -----           -----                       ------                     ---------
 *   idle            Local open                  Send SCCRQ                 wait-ctl-reply
 *   idle            Recv SCCRQ, acceptable      Send SCCRP                 wait-ctl-conn
 *   idle            Recv SCCRQ, not acceptable  Send StopCCN, clean up     (freed)
 *   wait-ctl-reply  Recv SCCRP, acceptable      Send SCCCN, open sessions  established
 *   wait-ctl-reply  Recv SCCRP, not acceptable  Send StopCCN, clean up     closing
 *   wait-ctl-reply  Recv SCCRQ, lose tie        Clean up, re-queue SCCRQ   (see accept)
 *   wait-ctl-reply  Recv SCCCN                  Send StopCCN, clean up     closing
 *   wait-ctl-conn   Recv SCCCN, acceptable      Open sessions              established
 *   wait-ctl-conn   Recv SCCCN, not acceptable  Send StopCCN, clean up     closing
 *   wait-ctl-conn   Recv SCCRQ, SCCRP           Send StopCCN, clean up     closing
 *   established     Recv SCCRQ, SCCRP, SCCCN    Send StopCCN, clean up     closing
 *   established     Admin close                 Send StopCCN, clean up     closing
 *   any             Recv StopCCN                Ack, clean up              linger
 *   closing         StopCCN acknowledged        (nothing)                  (freed)
 *   linger          full retransmission cycle   (nothing)                  (freed)
 *
 * "closing" and "linger" are the idle state of the RFC while the context
 * still holds the connection: closing until our StopCCN is acknowledged
 * (or runs out of retries), linger for a full retransmission cycle after
 * a StopCCN was received, so that its retransmissions are acknowledged
 * (RFC 3931 §4.2). A message the table has no row for is answered as the
 * RFC's "not acceptable" rows do: StopCCN, result 7 (FSM error).
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

#define MSG_BUF 2048
#define SCRATCH 1024

/* ---- names ------------------------------------------------------------------ */

const char *l2tp_tunnel_state_name(enum l2tp_tunnel_state st)
{
	static const char *const n[] = {"idle",	       "wait-ctl-reply", "wait-ctl-conn",
					"established", "closing",	 "linger"};

	return (unsigned int)st < L2TP_ARRAY_SIZE(n) ? n[st] : "unknown";
}

static void set_state(struct l2tp_tunnel *t, enum l2tp_tunnel_state st)
{
	if (t->state != st)
		l2tp_log(t->ctx, L2TP_LOG_DEBUG, "tunnel=%u peer_tunnel=%u state=%s->%s", t->ccid,
			 t->peer_ccid, l2tp_tunnel_state_name(t->state),
			 l2tp_tunnel_state_name(st));
	t->state = st;
}

/* ---- building and signing messages ---------------------------------------------- */

static size_t hdr_off(const struct l2tp_tunnel *t)
{
	return t->path.encap == L2TP_ENCAP_IP ? L2TP_IP_SESSION0_LEN : 0;
}

/* Message Type of a queued or received datagram (0 for a ZLB). */
static uint16_t pkt_type(const uint8_t *pkt, size_t len, size_t off)
{
	off += L2TP_CTRL_HDR_LEN;
	if (len < off + 8)
		return 0;
	return (uint16_t)(pkt[off + 6] << 8 | pkt[off + 7]);
}

static void nonces_for(const struct l2tp_tunnel *t, uint16_t type, bool tx,
		       struct l2tp_auth_nonces *n)
{
	/* RFC 3931 §5.4.1: the SCCRQ is digested without nonces */
	if (type == L2TP_MSG_SCCRQ || !t->peer_nonce_len) {
		*n = (struct l2tp_auth_nonces){0};
		return;
	}
	if (tx)
		*n = (struct l2tp_auth_nonces){t->nonce, sizeof(t->nonce), t->peer_nonce,
					       t->peer_nonce_len};
	else
		*n = (struct l2tp_auth_nonces){t->peer_nonce, t->peer_nonce_len, t->nonce,
					       sizeof(t->nonce)};
}

static int sign(struct l2tp_tunnel *t, uint8_t *pkt, size_t len)
{
	struct l2tp_auth_nonces n;
	size_t off = hdr_off(t);

	if (!t->auth)
		return 0;
	nonces_for(t, pkt_type(pkt, len, off), true, &n);
	return l2tp_auth_v3_sign(&t->dkey, n.sender ? &n : NULL, pkt + off, len - off,
				 L2TP_V3_DIGEST_VALUE_OFF);
}

static int xp_finish(void *user, uint8_t *pkt, size_t len)
{
	return sign(user, pkt, len);
}

/* Encode header + body of |m| for |t| into |buf|; returns the length. */
static ssize_t encode(struct l2tp_tunnel *t, struct l2tp_msg *m, uint16_t sid, uint8_t *buf,
		      size_t cap)
{
	struct l2tp_ctrl_hdr h = {.version = t->version, .tunnel_id = t->peer_ccid};
	uint8_t zero[1 + L2TP_DIGEST_MAX_LEN] = {t->digest};
	/* v2 hides the AVPs marked in m->hide with the secret (RFC 2661 §4.3) */
	struct l2tp_msg_build_opts bo = {.secret = t->secret,
					 .secret_len = t->secret_len,
					 .rand = t->ctx->cb.rand,
					 .rand_user = t->ctx->user};
	struct l2tp_cursor c;
	ssize_t hl;
	int bl;

	if (t->version == L2TP_VER_2)
		h.session_id = sid; /* RFC 2661 §3.1: the receiver's Session ID */
	if (t->auth) {
		int dl = l2tp_auth_digest_len(t->digest);

		if (dl < 0)
			return dl;
		m->message_digest = (struct l2tp_view){zero, 1 + (size_t)dl};
		l2tp_msg_set(m, L2TP_AVP_MSG_DIGEST);
	}
	l2tp_cur_init(&c, buf, cap);
	hl = l2tp_wire_ctrl_encode(&c, t->path.encap, &h);
	if (hl < 0)
		return hl;
	bl = l2tp_msg_build(m, t->version, t->version == L2TP_VER_2 && t->secret ? &bo : NULL,
			    buf + hl, cap - (size_t)hl);
	if (bl < 0)
		return bl;
	c.pos += (size_t)bl;
	L2TP_TRY(l2tp_wire_ctrl_finish(&c, 0, t->path.encap));
	return (ssize_t)c.pos;
}

int l2tp_tunnel_send(struct l2tp_tunnel *t, struct l2tp_msg *m)
{
	return l2tp_tunnel_send_sid(t, m, 0);
}

int l2tp_tunnel_send_sid(struct l2tp_tunnel *t, struct l2tp_msg *m, uint16_t sid)
{
	uint8_t buf[MSG_BUF];
	ssize_t n = encode(t, m, sid, buf, sizeof(buf));
	int rc;

	if (n < 0) {
		l2tp_log(t->ctx, L2TP_LOG_ERR, "tunnel=%u msg=%s cannot build: %d", t->ccid,
			 l2tp_catalog_msg_short(m->type), (int)n);
		return (int)n;
	}
	rc = l2tp_xport_queue(&t->x, buf, (size_t)n, m->type);
	if (rc < 0)
		return rc;
	if (m->type <= L2TP_MSG_TYPE_MAX)
		t->tx_by_type[m->type]++;
	l2tp_log(t->ctx, L2TP_LOG_DEBUG, "tunnel=%u peer_tunnel=%u tx msg=%s ns=%d", t->ccid,
		 t->peer_ccid, l2tp_catalog_msg_short(m->type), rc);
	return 0;
}

/* ZLB, or the Explicit Acknowledgement message (RFC 3931 §6.17) with a digest. */
static ssize_t xp_build_ack(void *user, uint8_t *out, size_t cap, uint16_t ns, uint16_t nr)
{
	struct l2tp_tunnel *t = user;
	struct l2tp_ctrl_hdr h = {
	    .version = t->version, .tunnel_id = t->peer_ccid, .ns = ns, .nr = nr};
	struct l2tp_cursor c;
	ssize_t n;

	if (t->x.ack_mode == L2TP_ACK_MSG) {
		struct l2tp_msg m;

		l2tp_msg_init(&m, L2TP_MSG_ACK);
		n = encode(t, &m, 0, out, cap);
		if (n < 0)
			return n;
		l2tp_cur_init(&c, out, cap);
		/* encode() wrote Ns = Nr = 0: set the ack's own */
		out[hdr_off(t) + 8] = (uint8_t)(ns >> 8);
		out[hdr_off(t) + 9] = (uint8_t)ns;
		out[hdr_off(t) + 10] = (uint8_t)(nr >> 8);
		out[hdr_off(t) + 11] = (uint8_t)nr;
		L2TP_TRY(sign(t, out, (size_t)n));
		t->tx_by_type[L2TP_MSG_ACK]++;
		return n;
	}
	l2tp_cur_init(&c, out, cap);
	n = l2tp_wire_ctrl_encode(&c, t->path.encap, &h);
	return n;
}

static void update_ack_mode(struct l2tp_tunnel *t)
{
	bool msg = t->ack_pref == L2TP_ACKPREF_MSG ||
		   (t->ack_pref == L2TP_ACKPREF_AUTO && (t->auth || t->peer_sent_ack));

	/* RFC 3931 §6.17: a ZLB cannot carry a digest, so with one we must use ACK */
	if (t->auth)
		msg = true;
	/* L2TPv2 has no ACK message: ZLB only (RFC 2661 §5.8) */
	if (t->version == L2TP_VER_2)
		msg = false;
	t->x.ack_mode = msg ? L2TP_ACK_MSG : L2TP_ACK_ZLB;
}

/* ---- object life -------------------------------------------------------------- */

static void tunnel_register(struct l2tp_tunnel *t)
{
	l2tp_ht_add(&t->ctx->tunnels, t->ctx->mem, &t->by_id, t->ccid);
}

static void set_peer_ccid(struct l2tp_tunnel *t, uint32_t peer)
{
	struct l2tp_ctx *ctx = t->ctx;

	if (t->in_peer_table)
		l2tp_ht_del(&ctx->by_peer, &t->by_peer);
	t->peer_ccid = peer;
	l2tp_ht_add(&ctx->by_peer, ctx->mem, &t->by_peer, peer);
	t->in_peer_table = true;
}

static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	if (len)
		memcpy(dst, src, len);
	dst[len] = 0;
}

static int apply_cfg(struct l2tp_tunnel *t, const struct l2tp_tunnel_cfg *cfg)
{
	struct l2tp_ctx *ctx = t->ctx;
	const char *hn = cfg->hostname ? cfg->hostname : ctx->hostname;

	if (cfg->secret_len > L2TP_SECRET_MAX || (cfg->secret_len && !cfg->secret))
		return -EINVAL;
	if (t->version == L2TP_VER_3 && cfg->secret_len && l2tp_auth_digest_len(cfg->digest) < 0)
		return -EINVAL;
	if (cfg->n_pw_caps > L2TP_MAX_PW_CAPS)
		return -EINVAL;
	if (strlen(hn) > L2TP_HOSTNAME_MAX || !*hn)
		return -EINVAL;
	if (cfg->peer_hostname && strlen(cfg->peer_hostname) > L2TP_HOSTNAME_MAX)
		return -EINVAL;
	if (cfg->secret_len) {
		t->secret = l2tp_mem_zalloc(ctx->mem, cfg->secret_len);
		if (!t->secret)
			return -ENOMEM;
		memcpy(t->secret, cfg->secret, cfg->secret_len);
		t->secret_len = (uint16_t)cfg->secret_len;
		t->digest = cfg->digest;
	}
	if (cfg->secret_len && t->version == L2TP_VER_3) {
		L2TP_TRY(l2tp_auth_v3_key(&t->dkey, t->secret, t->secret_len));
		t->auth = true;
	}
	t->chal = cfg->secret_len && t->version == L2TP_VER_2;
	t->framing_caps =
	    cfg->framing_caps ? cfg->framing_caps : L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	t->bearer_caps = cfg->bearer_caps;
	/* v2 runs over UDP only (RFC 2661): no fallback for v3 over IP */
	t->fallback =
	    cfg->fallback_v2 && t->version == L2TP_VER_3 && t->path.encap == L2TP_ENCAP_UDP;
	t->fallback_timeout =
	    cfg->fallback_timeout ? cfg->fallback_timeout : L2TP_FALLBACK_TIMEOUT_DEFAULT;
	copy_str(t->hostname, sizeof(t->hostname), hn, strlen(hn));
	if (cfg->peer_hostname)
		copy_str(t->want_peer_hostname, sizeof(t->want_peer_hostname), cfg->peer_hostname,
			 strlen(cfg->peer_hostname));
	t->router_id = cfg->router_id ? cfg->router_id : ctx->router_id;
	t->hello_iv = cfg->hello ? cfg->hello : L2TP_HELLO_DEFAULT;
	t->ack_pref = cfg->ack_pref;
	t->user = cfg->user;
	if (cfg->n_pw_caps) {
		memcpy(t->pw_caps, cfg->pw_caps, cfg->n_pw_caps * sizeof(t->pw_caps[0]));
		t->n_pw_caps = cfg->n_pw_caps;
	} else {
		t->pw_caps[0] = L2TP_PW_ETH;
		t->pw_caps[1] = L2TP_PW_ETH_VLAN;
		t->n_pw_caps = 2;
	}
	return 0;
}

/* The settings |t| was made with, for the tunnel that replaces it. */
static void cfg_of(const struct l2tp_tunnel *t, struct l2tp_tunnel_cfg *cfg)
{
	*cfg = (struct l2tp_tunnel_cfg){
	    .version = t->version,
	    .framing_caps = t->framing_caps,
	    .bearer_caps = t->bearer_caps,
	    .secret = t->secret,
	    .secret_len = t->secret_len,
	    .digest = t->digest,
	    .hostname = t->hostname,
	    .peer_hostname = t->want_peer_hostname[0] ? t->want_peer_hostname : NULL,
	    .router_id = t->router_id,
	    .hello = t->hello_iv,
	    .setup_timeout = t->setup_timeout,
	    .xport = t->x.cfg,
	    .ack_pref = t->ack_pref,
	    .n_pw_caps = t->n_pw_caps,
	    .user = t->user,
	};
	memcpy(cfg->pw_caps, t->pw_caps, sizeof(cfg->pw_caps));
}

static const struct l2tp_xport_ops xp_ops = {xp_build_ack, xp_finish};

static int tunnel_alloc(struct l2tp_ctx *ctx, const struct l2tp_path *path,
			const struct l2tp_tunnel_cfg *cfg, bool initiator, bool husk,
			l2tp_time_t now, struct l2tp_tunnel **out)
{
	struct l2tp_tunnel *t;
	uint32_t id = cfg->ccid;
	uint8_t version = cfg->version ? cfg->version : L2TP_VER_3;
	int rc;

	if (path->encap != L2TP_ENCAP_UDP && path->encap != L2TP_ENCAP_IP)
		return -EINVAL;
	if (version != L2TP_VER_2 && version != L2TP_VER_3)
		return -EINVAL;
	/* RFC 2661: UDP only, 16-bit Tunnel IDs */
	if (version == L2TP_VER_2 &&
	    (path->encap != L2TP_ENCAP_UDP || id > 0xffff || cfg->fallback_v2))
		return -EINVAL;
	if (!husk && ctx->max_tunnels && ctx->n_tunnels >= ctx->max_tunnels)
		return -ENOSPC;
	if (id && l2tp_ht_find(&ctx->tunnels, id))
		return -EEXIST;
	if (!id)
		L2TP_TRY(l2tp_rand_id_max(ctx, &ctx->tunnels,
					  version == L2TP_VER_2 ? 0xffff : UINT32_MAX, &id));
	t = l2tp_mem_zalloc(ctx->mem, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ctx = ctx;
	t->path = *path;
	t->ccid = id;
	t->version = version;
	t->initiator = initiator;
	t->husk = husk;
	l2tp_list_init(&t->sessions);
	l2tp_list_init(&t->pending);
	l2tp_list_init(&t->all);
	t->setup_timeout = cfg->setup_timeout;
	l2tp_xport_init(&t->x, &cfg->xport, &xp_ops, t, ctx->mem, hdr_off(t), now);
	rc = apply_cfg(t, cfg);
	/* the v3 nonce, or the v2 Challenge we send (RFC 2661 §4.4.3) */
	if (rc == 0 && (t->auth || t->chal))
		rc = l2tp_rand(ctx, t->nonce, sizeof(t->nonce));
	if (rc < 0) {
		l2tp_mem_free(ctx->mem, t->secret);
		l2tp_mem_free(ctx->mem, t);
		return rc;
	}
	update_ack_mode(t);
	if (!t->setup_timeout)
		t->setup_timeout = 2 * l2tp_xport_full_cycle(&t->x);
	t->setup_deadline = now + t->setup_timeout;
	t->fallback_deadline = now + t->fallback_timeout;
	tunnel_register(t);
	l2tp_list_add_tail(&ctx->all, &t->all);
	if (!husk)
		ctx->n_tunnels++;
	*out = t;
	return 0;
}

void l2tp_tunnel_destroy(struct l2tp_tunnel *t)
{
	struct l2tp_ctx *ctx = t->ctx;

	while (!l2tp_list_empty(&t->sessions))
		l2tp_session_free(
		    l2tp_container_of(t->sessions.next, struct l2tp_session, in_tunnel));
	l2tp_ht_del(&ctx->tunnels, &t->by_id);
	if (t->in_peer_table)
		l2tp_ht_del(&ctx->by_peer, &t->by_peer);
	l2tp_list_del(&t->all);
	if (!t->husk)
		ctx->n_tunnels--;
	l2tp_xport_fini(&t->x);
	l2tp_mem_free(ctx->mem, t->secret);
	l2tp_mem_free(ctx->mem, t);
}

/* ---- messages we send ------------------------------------------------------------ */

/* RFC 2661 §6.1, §6.2: what a v2 SCCRQ and SCCRP both carry. */
static void put_common_v2(struct l2tp_tunnel *t, struct l2tp_msg *m)
{
	struct l2tp_ctx *ctx = t->ctx;

	m->protocol_version = 0x0100; /* RFC 2661 §4.4.3: version 1, revision 0 */
	l2tp_msg_set(m, L2TP_AVP_PROTO_VERSION);
	m->framing_caps = t->framing_caps;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_CAPS);
	m->bearer_caps = t->bearer_caps;
	l2tp_msg_set(m, L2TP_AVP_BEARER_CAPS);
	m->firmware_rev = ctx->firmware_rev;
	l2tp_msg_set(m, L2TP_AVP_FIRMWARE_REV);
	m->host_name = l2tp_view_str(t->hostname);
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->vendor_name = l2tp_view_str(ctx->vendor);
	l2tp_msg_set(m, L2TP_AVP_VENDOR_NAME);
	m->tunnel_id = (uint16_t)t->ccid;
	l2tp_msg_set(m, L2TP_AVP_TUNNEL_ID);
	m->rwnd = t->x.cfg.rwnd;
	l2tp_msg_set(m, L2TP_AVP_RWS);
	if (t->chal) {
		m->challenge = (struct l2tp_view){t->nonce, sizeof(t->nonce)};
		l2tp_msg_set(m, L2TP_AVP_CHALLENGE);
	}
}

static void put_common_sccrx(struct l2tp_tunnel *t, struct l2tp_msg *m)
{
	struct l2tp_ctx *ctx = t->ctx;

	if (t->version == L2TP_VER_2) {
		put_common_v2(t, m);
		return;
	}
	m->host_name = l2tp_view_str(t->hostname);
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->router_id = t->router_id;
	l2tp_msg_set(m, L2TP_AVP_ROUTER_ID);
	m->ccid = t->ccid;
	l2tp_msg_set(m, L2TP_AVP_CCID);
	memcpy(m->pw_caps, t->pw_caps, t->n_pw_caps * sizeof(m->pw_caps[0]));
	m->n_pw_caps = t->n_pw_caps;
	l2tp_msg_set(m, L2TP_AVP_PW_CAPS);
	m->rwnd = t->x.cfg.rwnd;
	l2tp_msg_set(m, L2TP_AVP_RWS);
	m->vendor_name = l2tp_view_str(ctx->vendor);
	l2tp_msg_set(m, L2TP_AVP_VENDOR_NAME);
	m->firmware_rev = ctx->firmware_rev;
	l2tp_msg_set(m, L2TP_AVP_FIRMWARE_REV);
	if (t->auth) {
		m->auth_nonce = (struct l2tp_view){t->nonce, sizeof(t->nonce)};
		l2tp_msg_set(m, L2TP_AVP_AUTH_NONCE);
	}
}

static int send_sccrq(struct l2tp_tunnel *t)
{
	struct l2tp_msg m;

	l2tp_msg_init(&m, L2TP_MSG_SCCRQ);
	put_common_sccrx(t, &m);
	if (t->has_tie) {
		m.tie_breaker = (struct l2tp_view){t->tie, sizeof(t->tie)};
		l2tp_msg_set(&m, L2TP_AVP_TIE_BREAKER);
	}
	return l2tp_tunnel_send(t, &m);
}

static int send_stopccn(struct l2tp_tunnel *t, uint16_t result, uint16_t error, const char *msg)
{
	struct l2tp_msg m;

	l2tp_msg_init(&m, L2TP_MSG_STOPCCN);
	m.result = (struct l2tp_result){.result = result, .error = error, .has_error = true};
	if (msg)
		m.result.message = l2tp_view_str(msg);
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	if (t->version == L2TP_VER_2) {
		/* RFC 2661 §6.4: Assigned Tunnel ID is required */
		m.tunnel_id = (uint16_t)t->ccid;
		l2tp_msg_set(&m, L2TP_AVP_TUNNEL_ID);
	} else {
		m.ccid = t->ccid;
		l2tp_msg_set(&m, L2TP_AVP_CCID);
	}
	return l2tp_tunnel_send(t, &m);
}

/* ---- going down ------------------------------------------------------------------ */

static void report_down(struct l2tp_tunnel *t, const struct l2tp_down_reason *why)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_event ev = {.type = L2TP_EV_DOWN, .down = *why};

	l2tp_session_tunnel_down(t, why);
	if (t->down_reported || t->husk)
		return;
	t->down_reported = true;
	if (!t->caller_knows) {
		/* an acceptor's connection that never came up: no DOWN (the
		 * caller has no handle), the log and tunnel_setup_failed */
		l2tp_log(ctx, why->result == 1 ? L2TP_LOG_INFO : L2TP_LOG_WARN,
			 "tunnel=%u peer_tunnel=%u setup failed result=%u%s%s",
			 t->ccid, t->peer_ccid, why->result, why->msg ? " msg=" : "",
			 why->msg ? why->msg : "");
		t->husk = true;
		ctx->n_tunnels--;
		if (ctx->cb.tunnel_setup_failed)
			ctx->cb.tunnel_setup_failed(ctx->user, t->user, why);
		return;
	}
	l2tp_log(ctx, why->timeout || why->error ? L2TP_LOG_WARN : L2TP_LOG_INFO,
		 "tunnel=%u peer_tunnel=%u down result=%s/%u error=%s/%u by=%s%s%s", t->ccid,
		 t->peer_ccid, l2tp_catalog_result_name(L2TP_MSG_STOPCCN, why->result), why->result,
		 l2tp_catalog_error_name(why->error), why->error,
		 why->timeout	? "timeout"
		 : why->by_peer ? "peer"
				: "local",
		 why->msg ? " msg=" : "", why->msg ? why->msg : "");
	if (ctx->cb.tunnel_event)
		ctx->cb.tunnel_event(ctx->user, t, &ev);
	/* from here on the tunnel is internal: the caller's pointer is dead */
	t->husk = true;
	t->user = NULL;
	ctx->n_tunnels--;
}

/* Send StopCCN and hold the connection until it is acknowledged. */
static void tunnel_stop(struct l2tp_tunnel *t, uint16_t result, uint16_t error, const char *msg,
			l2tp_time_t now)
{
	struct l2tp_down_reason why = {.result = result, .error = error, .msg = msg};

	if (t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_LINGER)
		return;
	report_down(t, &why);
	/* without the peer's id (no SCCRP yet) a StopCCN cannot be addressed */
	if (!t->peer_ccid || send_stopccn(t, result, error, msg) < 0) {
		set_state(t, L2TP_TUNNEL_LINGER);
		t->linger_until = now;
		return;
	}
	set_state(t, L2TP_TUNNEL_CLOSING);
	t->linger_until = now;
}

int l2tp_tunnel_close(struct l2tp_tunnel *t, uint16_t result, uint16_t error, const char *msg,
		      l2tp_time_t now)
{
	if (t->husk || t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_LINGER)
		return -ENOENT;
	tunnel_stop(t, result ? result : 1, error, msg, now);
	return 0;
}

int l2tp_tunnel_probe(struct l2tp_tunnel *t, l2tp_time_t now)
{
	struct l2tp_msg m;

	if (t->state != L2TP_TUNNEL_ESTABLISHED)
		return -ENOTCONN;
	if (t->hello_sent)
		return 0;
	l2tp_msg_init(&m, L2TP_MSG_HELLO);
	L2TP_TRY(l2tp_tunnel_send(t, &m));
	t->hello_sent = now ? now : 1;
	return 0;
}

/* ---- opening --------------------------------------------------------------------- */

int l2tp_tunnel_open(struct l2tp_ctx *ctx, const struct l2tp_path *path,
		     const struct l2tp_tunnel_cfg *cfg, l2tp_time_t now, struct l2tp_tunnel **out)
{
	struct l2tp_tunnel *t;
	int rc;

	if (!ctx || !path || !cfg || !out)
		return -EINVAL;
	L2TP_TRY(tunnel_alloc(ctx, path, cfg, true, false, now, &t));
	if (!cfg->no_tie_breaker) {
		rc = l2tp_rand(ctx, t->tie, sizeof(t->tie));
		if (rc < 0)
			goto fail;
		t->has_tie = true;
	}
	rc = send_sccrq(t);
	if (rc < 0)
		goto fail;
	set_state(t, L2TP_TUNNEL_WAIT_CTL_REPLY);
	t->caller_knows = true;
	l2tp_log(ctx, L2TP_LOG_INFO, "tunnel=%u open peer=%s", t->ccid,
		 l2tp_addr_str(&path->peer, (char[48]){0}, 48));
	*out = t;
	return 0;
fail:
	l2tp_tunnel_destroy(t);
	return rc;
}

/* ---- what we accept from the peer -------------------------------------------------- */

static bool offers(const struct l2tp_msg *m, uint16_t pw)
{
	for (size_t i = 0; i < m->n_pw_caps; i++)
		if (m->pw_caps[i] == pw)
			return true;
	return false;
}

/*
 * Check an SCCRQ or SCCRP and take the peer's parameters. Returns 0, or a
 * StopCCN result code (> 0) with *|why| set when it is not acceptable.
 */
static bool peer_name_ok(const struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	return !t->want_peer_hostname[0] ||
	       (m->host_name.len == strlen(t->want_peer_hostname) &&
		!memcmp(m->host_name.p, t->want_peer_hostname, m->host_name.len));
}

/* take_peer() for an L2TPv2 SCCRQ or SCCRP (RFC 2661 §6.1, §6.2). */
static int take_peer_v2(struct l2tp_tunnel *t, const struct l2tp_msg *m, const char **why)
{
	if (!m->tunnel_id) {
		*why = "Assigned Tunnel ID is 0";
		return 2;
	}
	/* RFC 2661 §4.4.3: Protocol Version 1, any revision */
	if (m->protocol_version >> 8 != 1) {
		*why = "Protocol Version is not 1";
		return 5;
	}
	if (!peer_name_ok(t, m)) {
		*why = "host name not the one configured for this peer";
		return 4;
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && !t->secret_len) {
		/* RFC 2661 §5.1.1: we could not answer it */
		*why = "the peer sends a Challenge but no secret is configured here";
		return 4;
	}
	copy_str(t->peer_hostname, sizeof(t->peer_hostname), (const char *)m->host_name.p,
		 m->host_name.len);
	copy_str(t->peer_vendor, sizeof(t->peer_vendor), (const char *)m->vendor_name.p,
		 m->vendor_name.len);
	t->peer_framing_caps = m->framing_caps;
	t->peer_bearer_caps = m->bearer_caps;
	if (l2tp_msg_has(m, L2TP_AVP_RWS))
		l2tp_xport_set_peer_rwnd(&t->x, m->rwnd);
	set_peer_ccid(t, m->tunnel_id);
	return 0;
}

/*
 * RFC 2661 §4.2, §5.1.1: the peer's Challenge Response to the Challenge we
 * sent, in the message of type |chap_id| (2 SCCRP, 3 SCCCN). Returns 0,
 * or 4 with *|why| when it is missing or wrong.
 */
static int check_response(struct l2tp_tunnel *t, const struct l2tp_msg *m, uint8_t chap_id,
			  const char **why)
{
	int rc;

	if (!t->chal)
		return 0;
	if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESP)) {
		*why = "no Challenge Response (peer has no secret?)";
		return 4;
	}
	rc = l2tp_auth_chap_verify(chap_id, t->secret, t->secret_len, t->nonce, sizeof(t->nonce),
				   m->challenge_resp.p, m->challenge_resp.len);
	if (rc < 0) {
		*why = "wrong Challenge Response (shared secret differs?)";
		return 4;
	}
	return 0;
}

/*
 * Answer the peer's Challenge in |r| (of type |chap_id|), hidden if |hide|
 * (RFC 2661 §4.3 allows either). The SCCRP's goes in the clear: xl2tpd as
 * initiator looks its secret up only after the SCCRP's AVPs are parsed, so
 * it cannot unhide one there and closes with "Invalid Hidden AVP".
 */
static int put_response(struct l2tp_tunnel *t, const struct l2tp_msg *peer, struct l2tp_msg *r,
			uint8_t chap_id, bool hide, uint8_t out[L2TP_MD5_LEN])
{
	if (!l2tp_msg_has(peer, L2TP_AVP_CHALLENGE))
		return 0;
	L2TP_TRY(l2tp_auth_chap_response(chap_id, t->secret, t->secret_len, peer->challenge.p,
					 peer->challenge.len, out));
	r->challenge_resp = (struct l2tp_view){out, L2TP_MD5_LEN};
	l2tp_msg_set(r, L2TP_AVP_CHALLENGE_RESP);
	if (hide)
		l2tp_msg_set_hide(r, L2TP_AVP_CHALLENGE_RESP);
	return 0;
}

static int take_peer(struct l2tp_tunnel *t, const struct l2tp_msg *m, const char **why)
{
	bool common = false;

	if (t->version == L2TP_VER_2)
		return take_peer_v2(t, m, why);

	if (!m->ccid) {
		*why = "Assigned Control Connection ID is 0";
		return 2;
	}
	if (!peer_name_ok(t, m)) {
		*why = "host name not the one configured for this peer";
		return 4;
	}
	if (t->auth && (!l2tp_msg_has(m, L2TP_AVP_AUTH_NONCE) || m->auth_nonce.len < 16 ||
			m->auth_nonce.len > L2TP_PEER_NONCE_MAX)) {
		/* RFC 3931 §5.4.1: the nonce is at least 16 octets */
		*why = "no Control Message Authentication Nonce (peer has no secret?)";
		return 4;
	}
	for (size_t i = 0; i < t->n_pw_caps; i++)
		common |= offers(m, t->pw_caps[i]);
	if (!common) {
		*why = "no pseudowire type in common";
		return 2;
	}
	copy_str(t->peer_hostname, sizeof(t->peer_hostname), (const char *)m->host_name.p,
		 m->host_name.len);
	t->peer_router_id = m->router_id;
	copy_str(t->peer_vendor, sizeof(t->peer_vendor), (const char *)m->vendor_name.p,
		 m->vendor_name.len);
	t->n_peer_pw_caps = m->n_pw_caps;
	memcpy(t->peer_pw_caps, m->pw_caps, m->n_pw_caps * sizeof(m->pw_caps[0]));
	if (l2tp_msg_has(m, L2TP_AVP_RWS))
		l2tp_xport_set_peer_rwnd(&t->x, m->rwnd);
	if (t->auth) {
		memcpy(t->peer_nonce, m->auth_nonce.p, m->auth_nonce.len);
		t->peer_nonce_len = (uint8_t)m->auth_nonce.len;
	}
	set_peer_ccid(t, m->ccid);
	return 0;
}

static void established(struct l2tp_tunnel *t, l2tp_time_t now)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_event ev = {.type = L2TP_EV_UP};

	set_state(t, L2TP_TUNNEL_ESTABLISHED);
	t->caller_knows = true;
	l2tp_log(ctx, L2TP_LOG_INFO,
		 "tunnel=%u peer_tunnel=%u up version=%u peer_host=%s role=%s digest=%s window=%u",
		 t->ccid, t->peer_ccid, t->version, t->peer_hostname,
		 t->initiator ? "initiator" : "acceptor",
		 t->chal			      ? "challenge"
		 : !t->auth			      ? "none"
		 : t->digest == L2TP_DIGEST_HMAC_SHA1 ? "sha1"
						      : "md5",
		 t->x.peer_rwnd);
	if (ctx->cb.tunnel_event)
		ctx->cb.tunnel_event(ctx->user, t, &ev);
	if (t->state == L2TP_TUNNEL_ESTABLISHED)
		l2tp_session_tunnel_up(t, now);
}

/* ---- the state machine ---------------------------------------------------------------- */

typedef void (*fsm_fn)(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now);

static void rx_sccrq(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	const char *why = NULL;
	uint8_t resp[L2TP_MD5_LEN];
	struct l2tp_msg r;
	int res = take_peer(t, m, &why);

	if (res) {
		if (m->ccid)
			set_peer_ccid(t, m->ccid); /* so the StopCCN reaches it */
		l2tp_log(t->ctx, L2TP_LOG_WARN, "tunnel=%u SCCRQ not acceptable: %s", t->ccid, why);
		tunnel_stop(t, (uint16_t)res, 0, why, now);
		return;
	}
	l2tp_msg_init(&r, L2TP_MSG_SCCRP);
	put_common_sccrx(t, &r);
	if (t->version == L2TP_VER_2 && put_response(t, m, &r, L2TP_MSG_SCCRP, false, resp) < 0) {
		tunnel_stop(t, 2, L2TP_ERR_RESOURCES, "cannot compute the Challenge Response", now);
		return;
	}
	if (l2tp_tunnel_send(t, &r) < 0) {
		tunnel_stop(t, 2, L2TP_ERR_RESOURCES, "cannot queue SCCRP", now);
		return;
	}
	set_state(t, L2TP_TUNNEL_WAIT_CTL_CONN);
}

static void rx_sccrp(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	const char *why = NULL;
	uint8_t resp[L2TP_MD5_LEN];
	struct l2tp_msg r;
	int res = take_peer(t, m, &why);

	if (!res && t->version == L2TP_VER_2)
		res = check_response(t, m, L2TP_MSG_SCCRP, &why);
	if (res) {
		if (!t->peer_ccid && m->ccid)
			set_peer_ccid(t, m->ccid); /* so the StopCCN reaches it */
		l2tp_log(t->ctx, L2TP_LOG_WARN, "tunnel=%u SCCRP not acceptable: %s", t->ccid, why);
		tunnel_stop(t, (uint16_t)res, 0, why, now);
		return;
	}
	l2tp_msg_init(&r, L2TP_MSG_SCCCN);
	if (t->version == L2TP_VER_2 && put_response(t, m, &r, L2TP_MSG_SCCCN, true, resp) < 0) {
		tunnel_stop(t, 2, L2TP_ERR_RESOURCES, "cannot compute the Challenge Response", now);
		return;
	}
	if (l2tp_tunnel_send(t, &r) < 0) {
		tunnel_stop(t, 2, L2TP_ERR_RESOURCES, "cannot queue SCCCN", now);
		return;
	}
	established(t, now);
}

static void rx_scccn(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	const char *why = NULL;

	if (t->version == L2TP_VER_2 && check_response(t, m, L2TP_MSG_SCCCN, &why)) {
		l2tp_log(t->ctx, L2TP_LOG_WARN, "tunnel=%u SCCCN not acceptable: %s", t->ccid, why);
		tunnel_stop(t, 4, 0, why, now);
		return;
	}
	established(t, now);
}

/*
 * Fall back to L2TPv2 (issue 12; RFC 2661 §4.4.2 result 5): the same
 * object, a fresh v2 channel under a new 16-bit id, the SCCRQ again.
 */
static int fall_back(struct l2tp_tunnel *t, l2tp_time_t now, const char *why)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_xport_cfg xc = t->x.cfg;
	uint32_t id, old = t->ccid;
	int rc;

	t->fallback = false;
	L2TP_TRY(l2tp_rand_id_max(ctx, &ctx->tunnels, 0xffff, &id));
	l2tp_ht_del(&ctx->tunnels, &t->by_id);
	t->ccid = id;
	tunnel_register(t);
	if (t->in_peer_table)
		l2tp_ht_del(&ctx->by_peer, &t->by_peer);
	t->in_peer_table = false;
	t->peer_ccid = 0;
	l2tp_xport_fini(&t->x);
	l2tp_xport_init(&t->x, &xc, &xp_ops, t, ctx->mem, 0, now);
	t->version = L2TP_VER_2;
	t->auth = false;
	t->peer_nonce_len = 0;
	t->chal = t->secret_len > 0;
	if (t->chal)
		L2TP_TRY(l2tp_rand(ctx, t->nonce, sizeof(t->nonce)));
	update_ack_mode(t);
	t->setup_deadline = now + t->setup_timeout;
	l2tp_log(ctx, L2TP_LOG_INFO, "tunnel=%u falls back to L2TPv2 as tunnel=%u: %s", old, id,
		 why);
	l2tp_session_tunnel_fallback(t);
	set_state(t, L2TP_TUNNEL_IDLE);
	rc = send_sccrq(t);
	if (rc < 0)
		return rc;
	set_state(t, L2TP_TUNNEL_WAIT_CTL_REPLY);
	return 0;
}

static int lose_tie(struct l2tp_tunnel *t, l2tp_time_t now, struct l2tp_tunnel **husk);

static void rx_stopccn(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	struct l2tp_down_reason why = {.result = m->result.result,
				       .error = m->result.has_error ? m->result.error : 0,
				       .by_peer = true};
	char text[128];

	if (m->result.message.len) {
		copy_str(text, sizeof(text), (const char *)m->result.message.p,
			 m->result.message.len);
		why.msg = text;
	}
	/*
	 * RFC 2661 §4.4.2 / RFC 3931: result 5, "protocol version not
	 * supported", its error code the highest version the peer speaks.
	 */
	if (t->fallback && t->state == L2TP_TUNNEL_WAIT_CTL_REPLY && m->result.result == 5 &&
	    (!m->result.has_error || m->result.error < 3) &&
	    fall_back(t, now, "the peer does not support L2TPv3 (StopCCN result 5)") == 0)
		return;
	/*
	 * The peer won a tie breaker we never saw (our copy of its SCCRQ is
	 * late or lost): its SCCRQ will come, so wait for it as the acceptor
	 * instead of going down (RFC 3931 §5.4.3, "re-queue").
	 */
	if (t->state == L2TP_TUNNEL_WAIT_CTL_REPLY && t->has_tie && m->result.result == 3 &&
	    !t->husk) {
		struct l2tp_tunnel *h;

		if (lose_tie(t, now, &h) == 0) {
			t->awaiting = true;
			l2tp_xport_ack_now(&h->x, now);
			return;
		}
	}
	/* RFC 3931 §4.2: acknowledge at once, keep state for a full cycle */
	l2tp_xport_ack_now(&t->x, now);
	report_down(t, &why);
	set_state(t, L2TP_TUNNEL_LINGER);
	t->linger_until = now + l2tp_xport_full_cycle(&t->x);
}

static void rx_hello(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	/* acknowledged by the channel; nothing else to do (RFC 3931 §6.5) */
}

static void rx_fsm_error(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	l2tp_log(t->ctx, L2TP_LOG_WARN, "tunnel=%u msg=%s unexpected in state %s", t->ccid,
		 l2tp_catalog_msg_short(m->type), l2tp_tunnel_state_name(t->state));
	tunnel_stop(t, 7, 0, "message not expected in this state", now);
}

/* A tie breaker loser's old connection answers its peer's SCCRP with StopCCN. */
static void rx_husk_sccrp(struct l2tp_tunnel *t, const struct l2tp_msg *m, l2tp_time_t now)
{
	if (!t->peer_ccid && m->ccid) { /* v2: the Assigned Tunnel ID, see normalize() */
		set_peer_ccid(t, m->ccid);
		if (send_stopccn(t, 3, 0, "control connection already exists") == 0)
			t->linger_until = now + l2tp_xport_full_cycle(&t->x);
	}
}

#define S(x) (1u << L2TP_TUNNEL_##x)
#define CONNECTED (S(WAIT_CTL_REPLY) | S(WAIT_CTL_CONN) | S(ESTABLISHED))

/* One row per (states, message): the table at the top of this file. */
static const struct {
	unsigned int states;
	uint16_t msg;
	fsm_fn fn;
} fsm[] = {
    {S(IDLE), L2TP_MSG_SCCRQ, rx_sccrq},
    {S(WAIT_CTL_CONN) | S(ESTABLISHED), L2TP_MSG_SCCRQ, rx_fsm_error},
    {S(WAIT_CTL_REPLY), L2TP_MSG_SCCRP, rx_sccrp},
    {S(IDLE) | S(WAIT_CTL_CONN) | S(ESTABLISHED), L2TP_MSG_SCCRP, rx_fsm_error},
    {S(LINGER), L2TP_MSG_SCCRP, rx_husk_sccrp},
    {S(WAIT_CTL_CONN), L2TP_MSG_SCCCN, rx_scccn},
    {S(IDLE) | S(WAIT_CTL_REPLY) | S(ESTABLISHED), L2TP_MSG_SCCCN, rx_fsm_error},
    {CONNECTED | S(IDLE) | S(CLOSING), L2TP_MSG_STOPCCN, rx_stopccn},
    {CONNECTED, L2TP_MSG_HELLO, rx_hello},
};

static bool is_session_msg(uint16_t type)
{
	switch (type) {
	case L2TP_MSG_OCRQ:
	case L2TP_MSG_OCRP:
	case L2TP_MSG_OCCN:
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICRP:
	case L2TP_MSG_ICCN:
	case L2TP_MSG_CDN:
	case L2TP_MSG_WEN:
	case L2TP_MSG_SLI:
		return true;
	}
	return false;
}

/* A message in order: |prc| is l2tp_msg_parse()'s result for |m|. */
static void process(struct l2tp_tunnel *t, uint16_t ns, const uint8_t *body, size_t blen,
		    const struct l2tp_msg *m, int prc, const struct l2tp_diag *d, l2tp_time_t now)
{
	uint16_t type = m->type;

	if (type <= L2TP_MSG_TYPE_MAX)
		t->rx_by_type[type]++;
	/* tests/sim checks from this line that delivery is once and in order */
	l2tp_log(t->ctx, L2TP_LOG_DEBUG, "tunnel=%u rx msg=%s ns=%u state=%s%s%s", t->ccid,
		 l2tp_catalog_msg_short(type), ns, l2tp_tunnel_state_name(t->state),
		 prc < 0 ? " parse=" : "", prc < 0 && d->reason ? d->reason : "");
	if (prc == L2TP_EUNKNOWN_MSG) {
		/* RFC 3931 §5.2: an unknown message with the M bit clears the connection */
		if (blen && (body[0] & 0x80) && t->state != L2TP_TUNNEL_LINGER)
			tunnel_stop(t, 2, L2TP_ERR_UNKNOWN_M, "unknown mandatory message type",
				    now);
		return;
	}
	if (is_session_msg(type)) {
		if (t->state == L2TP_TUNNEL_ESTABLISHED)
			l2tp_session_rx(t, m, prc, now);
		return;
	}
	if (prc < 0) {
		char text[96];

		if (t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_LINGER)
			return;
		if (type == L2TP_MSG_SCCRQ && !t->peer_ccid && m->ccid)
			set_peer_ccid(t, m->ccid); /* so the StopCCN reaches it */
		snprintf(text, sizeof(text), "%s: %s", l2tp_catalog_msg_short(type),
			 d->reason ? d->reason : "malformed");
		l2tp_log(t->ctx, L2TP_LOG_WARN, "tunnel=%u %s", t->ccid, text);
		/*
		 * v2: a hidden AVP that does not unhide means the secrets
		 * differ: not authorized (RFC 2661 §4.3, result 4).
		 */
		if (t->version == L2TP_VER_2 && t->secret_len && d->has_attr && d->offset < blen &&
		    (body[d->offset] & 0x40)) {
			tunnel_stop(t, 4, 0, "hidden AVP does not unhide (shared secret differs?)",
				    now);
			return;
		}
		tunnel_stop(t, 2,
			    prc == L2TP_EUNKNOWN_M ? L2TP_ERR_UNKNOWN_M
			    : prc == L2TP_EBADLEN  ? L2TP_ERR_LENGTH
						   : L2TP_ERR_RANGE,
			    text, now);
		return;
	}
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(fsm); i++) {
		if (fsm[i].msg == type && (fsm[i].states & (1u << t->state))) {
			fsm[i].fn(t, m, now);
			return;
		}
	}
	/* no row: ACK (handled by the channel), or nothing the table asks for */
}

/* Locate the Message Digest AVP at its fixed place (RFC 3931 §5.4.1). */
static int digest_avp(const uint8_t *body, size_t blen, size_t *vlen)
{
	uint16_t fl, ven, type;

	if (blen < 8 + 6)
		return -ENOENT;
	fl = (uint16_t)(body[8] << 8 | body[9]);
	ven = (uint16_t)(body[10] << 8 | body[11]);
	type = (uint16_t)(body[12] << 8 | body[13]);
	if (ven != 0 || type != L2TP_AVP_MSG_DIGEST)
		return -ENOENT;
	if ((fl & L2TP_AVP_LEN_MASK) < 6 || (fl & L2TP_AVP_LEN_MASK) > blen - 8)
		return -EBADMSG;
	*vlen = (fl & L2TP_AVP_LEN_MASK) - 6u;
	return 0;
}

static int verify(struct l2tp_tunnel *t, const uint8_t *pkt, size_t len, const uint8_t *body,
		  size_t blen, const struct l2tp_msg *m, int prc)
{
	struct l2tp_auth_nonces n;
	size_t off = hdr_off(t), vlen;
	uint16_t type = pkt_type(pkt, len, off);

	if (!blen)
		return -ENOENT; /* RFC 3931 §6.17: no ZLB when digests are on */
	L2TP_TRY(digest_avp(body, blen, &vlen));
	if (type == L2TP_MSG_SCCRP && !t->peer_nonce_len) {
		/* the nonce the SCCRP is signed with travels inside it */
		if (prc < 0 || !l2tp_msg_has(m, L2TP_AVP_AUTH_NONCE))
			return -ENOENT;
		n = (struct l2tp_auth_nonces){m->auth_nonce.p, m->auth_nonce.len, t->nonce,
					      sizeof(t->nonce)};
	} else if (!t->peer_nonce_len && type != L2TP_MSG_SCCRQ) {
		/* signed with a nonce we have not seen yet (its SCCRP was lost) */
		return -EAGAIN;
	} else {
		nonces_for(t, type, false, &n);
	}
	return l2tp_auth_v3_verify(&t->dkey, n.sender ? &n : NULL, pkt + off, len - off,
				   L2TP_V3_DIGEST_VALUE_OFF, vlen);
}

/*
 * Give an L2TPv2 message the v3 fields the state machines read (RFC 2661
 * §3.1, §4.4.4): the Assigned Tunnel ID as the peer's connection id; for
 * session messages the header's Session ID as ours (Remote Session ID) and
 * the Assigned Session ID as the peer's (Local Session ID); PPP.
 */
static void normalize(const struct l2tp_tunnel *t, const struct l2tp_ctrl_hdr *h,
		      struct l2tp_msg *m)
{
	if (t->version != L2TP_VER_2)
		return;
	if (l2tp_msg_has(m, L2TP_AVP_TUNNEL_ID))
		m->ccid = m->tunnel_id;
	if (!is_session_msg(m->type))
		return;
	m->remote_session_id = h->session_id;
	l2tp_msg_set(m, L2TP_AVP_REMOTE_SESSION_ID);
	if (l2tp_msg_has(m, L2TP_AVP_SESSION_ID)) {
		m->local_session_id = m->session_id;
		l2tp_msg_set(m, L2TP_AVP_LOCAL_SESSION_ID);
	}
	m->pw_type = L2TP_PW_PPP;
}

static void deliver_held(struct l2tp_tunnel *t, l2tp_time_t now)
{
	struct l2tp_xport_msg *q;

	while ((q = l2tp_xport_pop(&t->x))) {
		struct l2tp_ctrl_hdr h;
		struct l2tp_diag d = {0};
		struct l2tp_msg m;
		uint8_t scratch[SCRATCH];
		int prc;

		if (l2tp_wire_ctrl_decode(t->path.encap, q->data, q->len, &h, &d) >= 0) {
			memset(&m, 0, sizeof(m));
			prc = l2tp_msg_parse(q->data + h.hdr_len, h.msg_len - h.hdr_len,
					     t->version, t->secret, t->secret_len, scratch,
					     sizeof(scratch), &m, &d);
			normalize(t, &h, &m);
			process(t, h.ns, q->data + h.hdr_len, h.msg_len - h.hdr_len, &m, prc, &d,
				now);
		}
		l2tp_xport_msg_free(&t->x, q);
	}
}

int l2tp_tunnel_rx(struct l2tp_tunnel *t, const struct l2tp_ctrl_hdr *h, const uint8_t *pkt,
		   size_t len, l2tp_time_t now)
{
	const uint8_t *body = pkt + h->hdr_len;
	size_t blen = h->msg_len - h->hdr_len;
	uint8_t scratch[SCRATCH];
	struct l2tp_diag d = {0};
	struct l2tp_msg m;
	enum l2tp_xport_verdict v;
	int prc = L2TP_MSG_ZLB;

	memset(&m, 0, sizeof(m));
	if (blen)
		prc = l2tp_msg_parse(body, blen, t->version, t->secret, t->secret_len, scratch,
				     sizeof(scratch), &m, &d);
	normalize(t, h, &m);
	if (t->auth) {
		int vr = verify(t, pkt, h->msg_len, body, blen, &m, prc);

		if (vr == -EAGAIN) {
			l2tp_log(t->ctx, L2TP_LOG_DEBUG,
				 "tunnel=%u msg=%s dropped: the peer's nonce is not known yet",
				 t->ccid, l2tp_catalog_msg_short(m.type));
			return 0;
		}
		if (vr < 0) {
			t->rx_digest_failures++;
			l2tp_log(
			    t->ctx, t->rx_digest_failures == 1 ? L2TP_LOG_WARN : L2TP_LOG_DEBUG,
			    "tunnel=%u msg=%s dropped: %s (shared secret differs?) failures=%llu",
			    t->ccid, blen ? l2tp_catalog_msg_short(m.type) : "ZLB",
			    vr == -EACCES ? "message digest does not match"
					  : "no valid Message Digest AVP",
			    (unsigned long long)t->rx_digest_failures);
			return 0;
		}
	} else if (blen && l2tp_msg_has(&m, L2TP_AVP_MSG_DIGEST) && !t->warned_unsigned) {
		t->warned_unsigned = true;
		l2tp_log(t->ctx, L2TP_LOG_WARN,
			 "tunnel=%u peer signs its messages (Message Digest AVP) but no secret is "
			 "configured here",
			 t->ccid);
	}
	if (blen && m.type == L2TP_MSG_ACK && !t->peer_sent_ack) {
		t->peer_sent_ack = true;
		update_ack_mode(t);
	}
	v = l2tp_xport_rx(&t->x, h->ns, h->nr, !blen || m.type == L2TP_MSG_ACK, pkt, h->msg_len,
			  now);
	t->x.last_rx = now;
	if (!l2tp_xport_pending(&t->x))
		t->hello_sent = 0;
	if (v == L2TP_XPORT_ACKONLY) {
		if (blen && m.type <= L2TP_MSG_TYPE_MAX)
			t->rx_by_type[m.type]++;
		return 0;
	}
	if (v != L2TP_XPORT_DELIVER)
		return 0;
	process(t, h->ns, body, blen, &m, prc, &d, now);
	deliver_held(t, now);
	return 0;
}

/* ---- new connections: SCCRQ to Control Connection ID 0 -------------------------- */

uint32_t l2tp_scan_u32(const uint8_t *body, size_t blen, uint16_t type)
{
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	uint32_t v = 0;
	uint16_t v16;

	l2tp_avp_iter_init(&it, body, blen);
	while (l2tp_avp_next(&it, &a, NULL) > 0) {
		if (a.vendor != 0 || a.type != type || a.hidden)
			continue;
		if (l2tp_avp_u32(&a, &v) == 0)
			return v;
		if (l2tp_avp_u16(&a, &v16) == 0)
			return v16;
	}
	return 0;
}

void l2tp_reply_stopccn(struct l2tp_ctx *ctx, const struct l2tp_path *path, int version,
			uint32_t peer_id, uint16_t result, uint16_t error, const char *msg)
{
	struct l2tp_ctrl_hdr h = {.version = (uint8_t)version, .tunnel_id = peer_id, .nr = 1};
	uint8_t buf[256];
	struct l2tp_cursor c;
	struct l2tp_msg m;
	ssize_t hl;
	int bl;

	if (!peer_id)
		return;
	l2tp_msg_init(&m, L2TP_MSG_STOPCCN);
	m.result = (struct l2tp_result){.result = result, .error = error, .has_error = true};
	if (msg)
		m.result.message = l2tp_view_str(msg);
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	if (version == 2) {
		/* RFC 2661 §6.4: Assigned Tunnel ID is required; we assigned none */
		m.tunnel_id = 0;
		l2tp_msg_set(&m, L2TP_AVP_TUNNEL_ID);
	}
	l2tp_cur_init(&c, buf, sizeof(buf));
	hl = l2tp_wire_ctrl_encode(&c, path->encap, &h);
	if (hl < 0)
		return;
	bl = l2tp_msg_build(&m, version, NULL, buf + hl, sizeof(buf) - (size_t)hl);
	if (bl < 0)
		return;
	c.pos += (size_t)bl;
	if (l2tp_wire_ctrl_finish(&c, 0, path->encap) < 0)
		return;
	l2tp_ctx_stateless(ctx, path, buf, c.pos);
}

/* Our own SCCRQ to the same peer still waiting for its reply (tie breaker). */
static struct l2tp_tunnel *tie_rival(struct l2tp_ctx *ctx, const struct l2tp_path *path,
				     int version)
{
	for (struct l2tp_list *l = ctx->all.next; l != &ctx->all; l = l->next) {
		struct l2tp_tunnel *t = l2tp_container_of(l, struct l2tp_tunnel, all);

		if (!t->husk && t->version == version &&
		    ((t->initiator && t->has_tie && t->state == L2TP_TUNNEL_WAIT_CTL_REPLY) ||
		     t->awaiting) &&
		    t->path.encap == path->encap && t->path.peer.family == path->peer.family &&
		    !memcmp(t->path.peer.ip, path->peer.ip, 16))
			return t;
	}
	return NULL;
}

/*
 * We lost the tie breaker (RFC 3931 §5.4.3): "clean up, re-queue SCCRQ".
 * Our connection's id and channel move to an internal husk that lingers
 * (the winner will StopCCN it), and |t| itself, with the caller's pointer,
 * settings and waiting sessions, becomes the acceptor of the peer's SCCRQ
 * under a new id.
 */
static int lose_tie(struct l2tp_tunnel *t, l2tp_time_t now, struct l2tp_tunnel **husk)
{
	struct l2tp_ctx *ctx = t->ctx;
	struct l2tp_tunnel_cfg cfg;
	struct l2tp_tunnel *h;
	uint32_t id;

	cfg_of(t, &cfg);
	L2TP_TRY(l2tp_rand_id_max(ctx, &ctx->tunnels,
				  t->version == L2TP_VER_2 ? 0xffff : UINT32_MAX, &id));
	L2TP_TRY(tunnel_alloc(ctx, &t->path, &cfg, true, true, now, &h));
	/* swap ids and channels: the husk answers for the old id */
	l2tp_ht_del(&ctx->tunnels, &h->by_id);
	l2tp_ht_del(&ctx->tunnels, &t->by_id);
	h->ccid = t->ccid;
	t->ccid = id;
	tunnel_register(h);
	tunnel_register(t);
	l2tp_xport_fini(&h->x);
	h->x = t->x;
	h->x.user = h;
	/* the husk does not retransmit the lost SCCRQ; it only acknowledges */
	l2tp_xport_fini(&h->x);
	memcpy(h->nonce, t->nonce, sizeof(h->nonce));
	h->state = L2TP_TUNNEL_LINGER;
	h->linger_until = now + l2tp_xport_full_cycle(&h->x);
	l2tp_xport_init(&t->x, &cfg.xport, &xp_ops, t, ctx->mem, hdr_off(t), now);
	update_ack_mode(t);
	t->initiator = false;
	t->has_tie = false;
	t->state = L2TP_TUNNEL_IDLE;
	t->setup_deadline = now + t->setup_timeout;
	if (t->auth || t->chal)
		L2TP_TRY(l2tp_rand(ctx, t->nonce, sizeof(t->nonce)));
	l2tp_log(ctx, L2TP_LOG_INFO, "tunnel=%u lost the tie breaker: accepting the peer's, now %u",
		 h->ccid, t->ccid);
	if (husk)
		*husk = h;
	return 0;
}

/* Other connections to a peer that opens a new one may be dead: probe them. */
static void probe_stale(struct l2tp_ctx *ctx, const struct l2tp_tunnel *nt)
{
	for (struct l2tp_list *l = ctx->all.next; l != &ctx->all; l = l->next) {
		struct l2tp_tunnel *t = l2tp_container_of(l, struct l2tp_tunnel, all);

		if (t != nt && !t->husk && t->state == L2TP_TUNNEL_ESTABLISHED &&
		    l2tp_addr_equal(&t->path.peer, &nt->path.peer) &&
		    t->peer_router_id == nt->peer_router_id)
			l2tp_tunnel_probe(t, 1);
	}
}

int l2tp_tunnel_accept(struct l2tp_ctx *ctx, const struct l2tp_path *path,
		       const struct l2tp_ctrl_hdr *h, const uint8_t *pkt, size_t len,
		       const struct l2tp_msg *sccrq, l2tp_time_t now)
{
	const uint8_t *body = pkt + h->hdr_len;
	size_t blen = h->msg_len - h->hdr_len;
	int ver = h->version;
	uint32_t peer = sccrq->ccid ? sccrq->ccid
				    : l2tp_scan_u32(body, blen,
						    ver == L2TP_VER_2 ? L2TP_AVP_TUNNEL_ID
								      : L2TP_AVP_CCID);
	struct l2tp_tunnel *t = NULL, *rival;
	struct l2tp_tunnel_cfg cfg = {0};
	char addr[48];
	int rc;

	l2tp_addr_str(&path->peer, addr, sizeof(addr));
	/* RFC 2661 §4.4.3, RFC 3931 §5.4.3: both keep the lower value */
	rival = l2tp_msg_has(sccrq, L2TP_AVP_TIE_BREAKER) && sccrq->tie_breaker.len == 8
		    ? tie_rival(ctx, path, ver)
		    : NULL;
	if (rival && rival->awaiting) {
		rival->awaiting = false; /* the SCCRQ it lost to is here */
		t = rival;
	} else if (rival) {
		int cmp = memcmp(rival->tie, sccrq->tie_breaker.p, 8);

		if (cmp < 0) {
			/* ours is lower: we win, the peer's SCCRQ is refused */
			l2tp_log(ctx, L2TP_LOG_INFO,
				 "peer=%s SCCRQ refused: our tunnel=%u won the tie breaker", addr,
				 rival->ccid);
			l2tp_reply_stopccn(ctx, path, ver, peer, 3, 0,
					   "control connection already exists (tie breaker)");
			return 0;
		}
		if (cmp == 0) {
			struct l2tp_down_reason why = {.result = 3,
						       .msg = "tie breakers are equal"};

			l2tp_reply_stopccn(ctx, path, ver, peer, 3, 0, why.msg);
			report_down(rival, &why);
			rival->state = L2TP_TUNNEL_LINGER;
			rival->linger_until = now + l2tp_xport_full_cycle(&rival->x);
			return 0;
		}
		rc = lose_tie(rival, now, NULL);
		if (rc < 0)
			return 0;
		t = rival;
	} else {
		rc = ctx->cb.tunnel_request ? 0 : 4;
		if (rc == 0) {
			struct l2tp_tunnel_req req = {.path = path,
						      .hostname = sccrq->host_name,
						      .router_id = sccrq->router_id,
						      .peer_ccid = peer,
						      .pw_caps = sccrq->pw_caps,
						      .n_pw_caps = sccrq->n_pw_caps,
						      .version = (uint8_t)ver,
						      .framing_caps = sccrq->framing_caps,
						      .bearer_caps = sccrq->bearer_caps,
						      .vendor_name = sccrq->vendor_name,
						      .firmware_rev = sccrq->firmware_rev};

			rc = ctx->cb.tunnel_request(ctx->user, &req, &cfg);
			if (rc < 0) {
				if (!ctx->cb_err)
					ctx->cb_err = rc;
				return rc;
			}
		}
		if (rc > 0) {
			ctx->stats.rx_refused++;
			l2tp_log(ctx, L2TP_LOG_WARN,
				 "peer=%s host=%.*s L2TPv%d SCCRQ refused result=%d", addr,
				 (int)sccrq->host_name.len, sccrq->host_name.p, ver, rc);
			/* result 5: the error code is the highest version we speak */
			l2tp_reply_stopccn(ctx, path, ver, peer, (uint16_t)rc,
					   rc == 5 ? (ver == L2TP_VER_3 ? 2 : 3) : 0,
					   rc == 5 ? "protocol version not supported"
						   : "not configured to accept this peer");
			return 0;
		}
		cfg.ccid = 0;
		cfg.version = (uint8_t)ver;
		cfg.fallback_v2 = false;
		rc = tunnel_alloc(ctx, path, &cfg, false, false, now, &t);
		if (rc < 0) {
			ctx->stats.rx_refused++;
			l2tp_log(ctx, L2TP_LOG_WARN, "peer=%s SCCRQ refused: %d", addr, rc);
			l2tp_reply_stopccn(ctx, path, ver, peer, 2, L2TP_ERR_RESOURCES, NULL);
			return 0;
		}
	}
	t->peer_ccid = 0;
	l2tp_tunnel_rx(t, h, pkt, len, now);
	if (t->state == L2TP_TUNNEL_IDLE) {
		/* the SCCRQ did not get through: a digest failure */
		ctx->stats.rx_digest_failures++;
		l2tp_log(ctx, L2TP_LOG_WARN,
			 "peer=%s SCCRQ dropped: message digest missing or wrong (shared secret "
			 "differs?)",
			 addr);
		l2tp_reply_stopccn(ctx, path, ver, peer, 4, 0, "message digest failed");
		if (!t->husk && t->user) {
			struct l2tp_down_reason why = {.result = 4, .msg = "message digest failed"};

			report_down(t, &why);
		}
		l2tp_tunnel_destroy(t);
		return 0;
	}
	if (t->state == L2TP_TUNNEL_WAIT_CTL_CONN)
		probe_stale(ctx, t);
	return 0;
}

/* ---- timers ------------------------------------------------------------------------ */

l2tp_time_t l2tp_tunnel_deadline(const struct l2tp_tunnel *t, l2tp_time_t now)
{
	l2tp_time_t d = l2tp_xport_next_deadline(&t->x, now), s;

	switch (t->state) {
	case L2TP_TUNNEL_ESTABLISHED:
		if (!l2tp_xport_pending(&t->x) && t->hello_iv != L2TP_TIME_NEVER) {
			s = t->x.last_rx + t->hello_iv;
			d = s < d ? s : d;
		}
		s = l2tp_session_deadline(t);
		d = s < d ? s : d;
		break;
	case L2TP_TUNNEL_WAIT_CTL_REPLY:
	case L2TP_TUNNEL_WAIT_CTL_CONN:
	case L2TP_TUNNEL_IDLE:
		d = t->setup_deadline < d ? t->setup_deadline : d;
		if (t->fallback && t->state == L2TP_TUNNEL_WAIT_CTL_REPLY)
			d = t->fallback_deadline < d ? t->fallback_deadline : d;
		break;
	case L2TP_TUNNEL_CLOSING:
	case L2TP_TUNNEL_LINGER:
		if (l2tp_xport_idle(&t->x))
			d = t->linger_until < d ? t->linger_until : d;
		break;
	}
	return d;
}

static void report_fallback_failure(struct l2tp_tunnel *t, int rc)
{
	struct l2tp_down_reason why = {.result = 2, .error = L2TP_ERR_RESOURCES,
				       .msg = "cannot fall back to L2TPv2"};

	l2tp_log(t->ctx, L2TP_LOG_ERR, "tunnel=%u fallback failed: %d", t->ccid, rc);
	report_down(t, &why);
	set_state(t, L2TP_TUNNEL_LINGER);
	t->linger_until = 0;
}

void l2tp_tunnel_timeout(struct l2tp_tunnel *t, l2tp_time_t now)
{
	int rc = l2tp_xport_on_timeout(&t->x, now);

	/* a v3 SCCRQ nobody answers: a v2-only peer drops it (issue 12) */
	if (t->fallback && t->state == L2TP_TUNNEL_WAIT_CTL_REPLY &&
	    (rc == -ETIMEDOUT || now >= t->fallback_deadline)) {
		rc = fall_back(t, now, "no answer to the L2TPv3 SCCRQ");
		if (rc < 0)
			report_fallback_failure(t, rc);
		return;
	}
	if (rc == -ETIMEDOUT) {
		struct l2tp_down_reason why = {.result = 2, .timeout = true};
		char text[128];

		if (t->rx_digest_failures) {
			snprintf(
			    text, sizeof(text),
			    "no answer that passed the digest check (%llu failed: shared secret "
			    "differs?)",
			    (unsigned long long)t->rx_digest_failures);
			why.msg = text;
		} else {
			why.msg = t->state == L2TP_TUNNEL_WAIT_CTL_REPLY
				      ? "peer does not answer"
				      : "peer stopped acknowledging (dead peer)";
		}
		if (t->state != L2TP_TUNNEL_CLOSING && t->state != L2TP_TUNNEL_LINGER)
			report_down(t, &why);
		l2tp_tunnel_destroy(t);
		return;
	}
	switch (t->state) {
	case L2TP_TUNNEL_ESTABLISHED:
		if (!l2tp_xport_pending(&t->x) && t->hello_iv != L2TP_TIME_NEVER &&
		    now >= t->x.last_rx + t->hello_iv)
			l2tp_tunnel_probe(t, now);
		l2tp_session_timeout(t, now);
		break;
	case L2TP_TUNNEL_WAIT_CTL_REPLY:
	case L2TP_TUNNEL_WAIT_CTL_CONN:
	case L2TP_TUNNEL_IDLE:
		if (now >= t->setup_deadline)
			tunnel_stop(t, 7, 0, "control connection not established in time", now);
		break;
	case L2TP_TUNNEL_CLOSING:
	case L2TP_TUNNEL_LINGER:
		if (l2tp_xport_idle(&t->x) && now >= t->linger_until)
			l2tp_tunnel_destroy(t);
		break;
	}
}

/* ---- accessors ------------------------------------------------------------------------ */

struct l2tp_tunnel *l2tp_tunnel_find(struct l2tp_ctx *ctx, uint32_t ccid)
{
	for (struct l2tp_hnode *n = l2tp_ht_find(&ctx->tunnels, ccid); n;
	     n = l2tp_ht_next(n, ccid)) {
		struct l2tp_tunnel *t = l2tp_container_of(n, struct l2tp_tunnel, by_id);

		if (!t->husk)
			return t;
	}
	return NULL;
}

enum l2tp_tunnel_state l2tp_tunnel_state(const struct l2tp_tunnel *t)
{
	return t->state;
}

uint32_t l2tp_tunnel_id(const struct l2tp_tunnel *t)
{
	return t->ccid;
}

uint32_t l2tp_tunnel_peer_id(const struct l2tp_tunnel *t)
{
	return t->peer_ccid;
}

const struct l2tp_path *l2tp_tunnel_path(const struct l2tp_tunnel *t)
{
	return &t->path;
}

void *l2tp_tunnel_user(const struct l2tp_tunnel *t)
{
	return t->user;
}

void l2tp_tunnel_set_user(struct l2tp_tunnel *t, void *user)
{
	t->user = user;
}

bool l2tp_tunnel_initiator(const struct l2tp_tunnel *t)
{
	return t->initiator;
}

int l2tp_tunnel_version(const struct l2tp_tunnel *t)
{
	return t->version;
}

uint32_t l2tp_tunnel_peer_framing_caps(const struct l2tp_tunnel *t)
{
	return t->peer_framing_caps;
}

uint32_t l2tp_tunnel_peer_bearer_caps(const struct l2tp_tunnel *t)
{
	return t->peer_bearer_caps;
}

const char *l2tp_tunnel_peer_hostname(const struct l2tp_tunnel *t)
{
	return t->peer_hostname;
}

uint32_t l2tp_tunnel_peer_router_id(const struct l2tp_tunnel *t)
{
	return t->peer_router_id;
}

const char *l2tp_tunnel_peer_vendor(const struct l2tp_tunnel *t)
{
	return t->peer_vendor;
}

const uint16_t *l2tp_tunnel_peer_pw_caps(const struct l2tp_tunnel *t, size_t *n)
{
	*n = t->n_peer_pw_caps;
	return t->peer_pw_caps;
}

void l2tp_tunnel_get_stats(const struct l2tp_tunnel *t, struct l2tp_tunnel_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->xport = t->x.stats;
	memcpy(st->tx_by_type, t->tx_by_type, sizeof(st->tx_by_type));
	memcpy(st->rx_by_type, t->rx_by_type, sizeof(st->rx_by_type));
	st->rx_digest_failures = t->rx_digest_failures;
	st->rx_unknown_session = t->rx_unknown_session;
	st->cwnd = t->x.cwnd;
	st->peer_rwnd = t->x.peer_rwnd;
	st->srtt = t->x.srtt;
	st->rttvar = t->x.rttvar;
}
