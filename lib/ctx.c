// SPDX-License-Identifier: MIT
/*
 * ctx.c - the control-protocol context: dispatch of received control
 * datagrams to their connection (RFC 3931 §3.3, §4.1.1.2: the Control
 * Connection ID in the header names the receiver's connection; 0 means a
 * new one), the pull-style output, timers, and the small helpers the
 * state machines share (log, random ids, stateless replies).
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

/* ---- helpers ----------------------------------------------------------------- */

void l2tp_log(struct l2tp_ctx *ctx, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!ctx->cb.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->cb.log(ctx->user, level, line);
}

int l2tp_rand(struct l2tp_ctx *ctx, void *buf, size_t len)
{
	int rc = ctx->cb.rand(ctx->user, buf, len);

	if (rc < 0 && !ctx->cb_err)
		ctx->cb_err = rc;
	return rc < 0 ? rc : 0;
}

int l2tp_rand_id(struct l2tp_ctx *ctx, const struct l2tp_htable *h, uint32_t *id)
{
	return l2tp_rand_id_max(ctx, h, UINT32_MAX, id);
}

int l2tp_rand_id_max(struct l2tp_ctx *ctx, const struct l2tp_htable *h, uint32_t max,
		     uint32_t *id)
{
	/* a bounded number of draws: with a sane table nearly always the first */
	for (int i = 0; i < 64; i++) {
		uint8_t b[4];
		uint32_t v;

		L2TP_TRY(l2tp_rand(ctx, b, sizeof(b)));
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		if (max != UINT32_MAX)
			v %= max + 1;
		if (v && !l2tp_ht_find(h, v)) {
			*id = v;
			return 0;
		}
	}
	return -EAGAIN;
}

void l2tp_ctx_stateless(struct l2tp_ctx *ctx, const struct l2tp_path *path, const uint8_t *pkt,
			size_t len)
{
	struct l2tp_stateless *s;

	/* bounded: a flood of bad SCCRQs costs at most this many answers a round */
	if (ctx->n_stateless >= L2TP_STATELESS_MAX || len > sizeof(s->data))
		return;
	s = &ctx->stateless[ctx->n_stateless++];
	s->path = *path;
	s->len = (uint16_t)len;
	memcpy(s->data, pkt, len);
	ctx->stats.tx_stateless++;
}

bool l2tp_addr_equal(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	size_t n = a->family == 4 ? 4 : 16;

	return a->family == b->family && a->port == b->port && !memcmp(a->ip, b->ip, n);
}

const char *l2tp_addr_str(const struct l2tp_addr *a, char *buf, size_t cap)
{
	if (a->family == 4) {
		snprintf(buf, cap, "%u.%u.%u.%u:%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3],
			 a->port);
	} else {
		char h[40];
		size_t o = 0;

		for (int i = 0; i < 16; i += 2)
			o += (size_t)snprintf(h + o, sizeof(h) - o, "%s%x", i ? ":" : "",
					      a->ip[i] << 8 | a->ip[i + 1]);
		snprintf(buf, cap, "[%s]:%u", h, a->port);
	}
	return buf;
}

/* ---- life --------------------------------------------------------------------- */

int l2tp_ctx_new(struct l2tp_ctx **out, const struct l2tp_callbacks *cb,
		 const struct l2tp_ctx_settings *set, const struct l2tp_mem *mem, void *user)
{
	struct l2tp_ctx_settings none = {0};
	struct l2tp_ctx *ctx;
	const char *hn, *vn;
	int rc;

	if (!out || !cb || !cb->rand)
		return -EINVAL;
	if (!set)
		set = &none;
	hn = set->hostname ? set->hostname : "l2tpkit";
	vn = set->vendor_name ? set->vendor_name : "l2tpkit";
	if (!*hn || strlen(hn) > L2TP_HOSTNAME_MAX || strlen(vn) > L2TP_HOSTNAME_MAX)
		return -EINVAL;
	ctx = l2tp_mem_zalloc(mem, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	if (mem)
		ctx->memv = *mem;
	ctx->mem = &ctx->memv;
	ctx->cb = *cb;
	ctx->user = user;
	strcpy(ctx->hostname, hn);
	strcpy(ctx->vendor, vn);
	ctx->firmware_rev = set->firmware_rev;
	ctx->max_tunnels = set->max_tunnels;
	ctx->max_sessions = set->max_sessions;
	l2tp_list_init(&ctx->all);
	rc = l2tp_ht_init(&ctx->tunnels, ctx->mem, 64);
	if (rc == 0)
		rc = l2tp_ht_init(&ctx->by_peer, ctx->mem, 64);
	if (rc == 0)
		rc = l2tp_ht_init(&ctx->sessions, ctx->mem, 256);
	if (rc == 0)
		rc = l2tp_ht_init(&ctx->by_rei, ctx->mem, 64);
	ctx->router_id = set->router_id;
	while (rc == 0 && !ctx->router_id)
		rc = l2tp_rand(ctx, &ctx->router_id, sizeof(ctx->router_id));
	if (rc < 0) {
		l2tp_ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

void l2tp_ctx_free(struct l2tp_ctx *ctx)
{
	struct l2tp_mem mem;

	if (!ctx)
		return;
	while (!l2tp_list_empty(&ctx->all))
		l2tp_tunnel_destroy(l2tp_container_of(ctx->all.next, struct l2tp_tunnel, all));
	l2tp_ht_fini(&ctx->tunnels, ctx->mem);
	l2tp_ht_fini(&ctx->by_peer, ctx->mem);
	l2tp_ht_fini(&ctx->sessions, ctx->mem);
	l2tp_ht_fini(&ctx->by_rei, ctx->mem);
	mem = ctx->memv;
	l2tp_mem_free(&mem, ctx);
}

/* ---- input ---------------------------------------------------------------------- */

static struct l2tp_tunnel *find_any(struct l2tp_ctx *ctx, uint32_t ccid)
{
	struct l2tp_hnode *n = l2tp_ht_find(&ctx->tunnels, ccid);

	return n ? l2tp_container_of(n, struct l2tp_tunnel, by_id) : NULL;
}

/* The connection a retransmitted SCCRQ belongs to (same peer, same id). */
static struct l2tp_tunnel *find_by_peer(struct l2tp_ctx *ctx, const struct l2tp_path *path,
					int version, uint32_t peer_ccid)
{
	for (struct l2tp_hnode *n = l2tp_ht_find(&ctx->by_peer, peer_ccid); n;
	     n = l2tp_ht_next(n, peer_ccid)) {
		struct l2tp_tunnel *t = l2tp_container_of(n, struct l2tp_tunnel, by_peer);

		if (!t->initiator && t->version == version &&
		    l2tp_addr_equal(&t->path.peer, &path->peer))
			return t;
	}
	return NULL;
}

int l2tp_ctx_handle_ctrl_pkt(struct l2tp_ctx *ctx, const struct l2tp_path *path,
			     const uint8_t *pkt, size_t len, l2tp_time_t now)
{
	struct l2tp_ctrl_hdr h;
	struct l2tp_diag d = {0};
	struct l2tp_tunnel *t;
	uint8_t scratch[1024];
	struct l2tp_msg m;
	ssize_t hl;
	int rc;

	if (!ctx || !path || (!pkt && len))
		return -EINVAL;
	ctx->cb_err = 0;
	hl = l2tp_wire_ctrl_decode(path->encap, pkt, len, &h, &d);
	if (hl < 0) {
		if (hl == -EPFNOSUPPORT || hl == -EPROTONOSUPPORT)
			ctx->stats.rx_bad_version++;
		else
			ctx->stats.rx_malformed++;
		l2tp_log(ctx, L2TP_LOG_DEBUG, "control datagram dropped: %s at %zu",
			 d.reason ? d.reason : "malformed", d.offset);
		return 0;
	}
	if (h.tunnel_id) {
		t = find_any(ctx, h.tunnel_id);
		/* v2 and v3 ids share one table: the version must match too */
		if (!t || t->version != h.version) {
			ctx->stats.rx_unknown_tunnel++;
			return 0;
		}
		if (!l2tp_addr_equal(&t->path.peer, &path->peer)) {
			/* RFC 2661 §8.1: the reply may come from another port */
			if (t->state == L2TP_TUNNEL_WAIT_CTL_REPLY &&
			    t->path.peer.family == path->peer.family &&
			    !memcmp(t->path.peer.ip, path->peer.ip, 16)) {
				t->path.peer.port = path->peer.port;
			} else {
				ctx->stats.rx_wrong_peer++;
				return 0;
			}
		}
		rc = l2tp_tunnel_rx(t, &h, pkt, h.msg_len, now);
		return rc < 0 ? rc : ctx->cb_err;
	}
	/* Control Connection ID 0: an SCCRQ, or an ack of a stateless reply */
	if (h.msg_len == h.hdr_len)
		return 0;
	memset(&m, 0, sizeof(m));
	rc = l2tp_msg_parse(pkt + h.hdr_len, h.msg_len - h.hdr_len, h.version, NULL, 0, scratch,
			    sizeof(scratch), &m, &d);
	/*
	 * A v2 SCCRQ may hide AVPs (RFC 2661 §4.3) with a secret we learn only
	 * from tunnel_request: the tunnel parses it again with that secret.
	 */
	if (rc == L2TP_EHIDDEN && h.version == L2TP_VER_2 && m.type == L2TP_MSG_SCCRQ) {
		rc = 0;
		if (!l2tp_msg_has(&m, L2TP_AVP_TUNNEL_ID))
			m.tunnel_id = (uint16_t)l2tp_scan_u32(pkt + h.hdr_len, h.msg_len - h.hdr_len,
							      L2TP_AVP_TUNNEL_ID);
	}
	if (m.type != L2TP_MSG_SCCRQ || (rc < 0 && rc != L2TP_EUNKNOWN_M && rc != L2TP_EMISSING &&
					 rc != L2TP_EBADLEN && rc != L2TP_EBADMSG)) {
		ctx->stats.rx_malformed++;
		return 0;
	}
	if (h.version == L2TP_VER_2)
		m.ccid = m.tunnel_id; /* the peer's id, whatever the version calls it */
	if (m.ccid && (t = find_by_peer(ctx, path, h.version, m.ccid)))
		return l2tp_tunnel_rx(t, &h, pkt, h.msg_len, now);
	if (rc < 0) {
		/* RFC 3931 §5.2: unknown mandatory AVP -> StopCCN, error code 8 */
		uint16_t err = rc == L2TP_EUNKNOWN_M ? L2TP_ERR_UNKNOWN_M
			       : rc == L2TP_EBADLEN  ? L2TP_ERR_LENGTH
						     : L2TP_ERR_RANGE;
		uint32_t peer = l2tp_scan_u32(pkt + h.hdr_len, h.msg_len - h.hdr_len,
					      h.version == L2TP_VER_2 ? L2TP_AVP_TUNNEL_ID
								      : L2TP_AVP_CCID);

		ctx->stats.rx_refused++;
		l2tp_log(ctx, L2TP_LOG_WARN, "peer=%s L2TPv%u SCCRQ refused: %s",
			 l2tp_addr_str(&path->peer, (char[48]){0}, 48), h.version,
			 d.reason ? d.reason : "malformed");
		l2tp_reply_stopccn(ctx, path, h.version, peer, 2, err, d.reason);
		return 0;
	}
	rc = l2tp_tunnel_accept(ctx, path, &h, pkt, h.msg_len, &m, now);
	return rc < 0 ? rc : ctx->cb_err;
}

/* ---- output and timers -------------------------------------------------------------- */

ssize_t l2tp_ctx_write_pkt(struct l2tp_ctx *ctx, struct l2tp_path *path, uint8_t *out, size_t cap,
			   l2tp_time_t now)
{
	if (ctx->n_stateless) {
		struct l2tp_stateless *s = &ctx->stateless[0];
		size_t n = s->len;

		if (cap < n)
			return -ENOSPC;
		memcpy(out, s->data, n);
		*path = s->path;
		ctx->n_stateless--;
		memmove(&ctx->stateless[0], &ctx->stateless[1],
			ctx->n_stateless * sizeof(ctx->stateless[0]));
		return (ssize_t)n;
	}
	for (struct l2tp_list *l = ctx->all.next; l != &ctx->all; l = l->next) {
		struct l2tp_tunnel *t = l2tp_container_of(l, struct l2tp_tunnel, all);
		ssize_t n;

		if (!l2tp_xport_want_write(&t->x, now))
			continue;
		n = l2tp_xport_write_pkt(&t->x, out, cap, now);
		if (n == -ENOSPC)
			return n;
		if (n > 0) {
			*path = t->path;
			return n;
		}
	}
	return 0;
}

l2tp_time_t l2tp_ctx_next_deadline(struct l2tp_ctx *ctx, l2tp_time_t now)
{
	l2tp_time_t d = ctx->n_stateless ? now : L2TP_TIME_NEVER;

	for (struct l2tp_list *l = ctx->all.next; l != &ctx->all; l = l->next) {
		l2tp_time_t td = l2tp_tunnel_deadline(l2tp_container_of(l, struct l2tp_tunnel, all),
						      now);

		if (td < d)
			d = td;
	}
	return d;
}

void l2tp_ctx_on_timeout(struct l2tp_ctx *ctx, l2tp_time_t now)
{
	for (struct l2tp_list *l = ctx->all.next, *n; l != &ctx->all; l = n) {
		n = l->next;
		l2tp_tunnel_timeout(l2tp_container_of(l, struct l2tp_tunnel, all), now);
	}
}

const struct l2tp_ctx_stats *l2tp_ctx_stats(const struct l2tp_ctx *ctx)
{
	return &ctx->stats;
}

void *l2tp_ctx_user(const struct l2tp_ctx *ctx)
{
	return ctx->user;
}

size_t l2tp_ctx_tunnel_count(const struct l2tp_ctx *ctx)
{
	return ctx->n_tunnels;
}

size_t l2tp_ctx_session_count(const struct l2tp_ctx *ctx)
{
	return ctx->n_sessions;
}
