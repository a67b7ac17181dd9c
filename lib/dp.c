// SPDX-License-Identifier: MIT
/*
 * dp.c - data plane of one session (see include/l2tp/dp.h).
 *
 * Sequence rules, after the Linux kernel's net/l2tp/l2tp_core.c
 * (l2tp_recv_common, l2tp_recv_data_seq, l2tp_recv_dequeue), which
 * implements RFC 2661 §5.4 (v2 Ns in the header) and RFC 3931 §4.6 (v3 Ns
 * in the default L2-Specific Sublayer):
 *
 *  - A packet with a sequence number on a session that is not sending them
 *    and not in LNS mode turns sending on; a packet without one turns it
 *    off again (RFC 2661 §5.4: the LNS decides, the LAC follows). A packet
 *    without a sequence number is dropped (rx_seq_discards) when recv_seq
 *    is set, or when we are the LNS and send them.
 *  - reorder_timeout 0: a packet whose number is not the expected one is
 *    dropped (rx_seq_discards), but more than 4 such packets that follow
 *    each other (each one the previous + 1) make the receiver resynchronise
 *    on the next one (the kernel's nr_oos_count_max).
 *  - reorder_timeout > 0: packets ahead of the expected number wait in the
 *    bounded queue, sorted; a packet that is queued in front of an already
 *    queued one counts in rx_oos_packets; when the head is the expected
 *    number the in-order run is released.
 *
 * Where we differ from the kernel, on purpose:
 *  - A packet that has waited reorder_timeout is released (with every
 *    packet before it, skipping the missing numbers), where the kernel
 *    discards it and resynchronises on the next. Releasing loses nothing
 *    that arrived; the kernel also only checks expiry when a packet
 *    arrives, we expose a deadline.
 *  - Packets behind the expected number (duplicates, very late ones) are
 *    dropped at once in reorder mode instead of blocking the queue until
 *    they expire; the resynchronisation rule above still applies to them,
 *    so a peer that restarted its numbering is followed after 5 packets.
 *  - The queue is bounded (cfg.reorder_cap): when it is full, the receiver
 *    skips ahead to the head at once instead of growing.
 *  - Comparisons are made in the circular 16/24-bit space (wrap-safe).
 */
#include <l2tp/dp.h>

#define NR_OOS_COUNT_MAX 4 /* the kernel's session->nr_oos_count_max */

static size_t cur_overhead(const struct l2tp_dp_cfg *cfg, bool send_seq)
{
	uint16_t f = 0;

	if (cfg->version == L2TP_VER_3)
		return l2tp_wire_v3_data_hdr_len(cfg->encap, cfg->cookie_len,
						 (enum l2tp_l2spec)cfg->l2spec_type);
	if (cfg->v2_send_length)
		f |= L2TP_HDR_L;
	if (send_seq)
		f |= L2TP_HDR_S;
	if (cfg->v2_send_offset)
		f |= L2TP_HDR_O;
	return l2tp_wire_v2_data_hdr_len(f, cfg->v2_offset);
}

static bool cookie_len_ok(uint8_t n)
{
	return n == 0 || n == 4 || n == 8;
}

int l2tp_dp_session_init(struct l2tp_dp_session *s, const struct l2tp_dp_cfg *cfg)
{
	if (cfg->encap != L2TP_ENCAP_UDP && cfg->encap != L2TP_ENCAP_IP)
		return -EINVAL;
	if (cfg->version == L2TP_VER_2) {
		if (cfg->encap != L2TP_ENCAP_UDP || cfg->tunnel_id > 0xffff ||
		    cfg->peer_tunnel_id > 0xffff || cfg->session_id > 0xffff ||
		    cfg->peer_session_id > 0xffff || cfg->cookie_len || cfg->peer_cookie_len)
			return -EINVAL;
	} else if (cfg->version == L2TP_VER_3) {
		if (cfg->session_id == 0 || cfg->peer_session_id == 0 ||
		    !cookie_len_ok(cfg->cookie_len) || !cookie_len_ok(cfg->peer_cookie_len) ||
		    (cfg->l2spec_type != L2TP_L2SPEC_NONE &&
		     cfg->l2spec_type != L2TP_L2SPEC_DEFAULT))
			return -EINVAL;
	} else {
		return -EINVAL;
	}

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->send_seq = cfg->send_seq;
	s->seq_mask = cfg->version == L2TP_VER_2 ? L2TP_SEQ_V2_MASK : L2TP_SEQ_V3_MASK;
	l2tp_reorder_init(&s->rq, cfg->reorder_cap ? cfg->reorder_cap : L2TP_DP_REORDER_DEFAULT,
			  s->seq_mask);
	return 0;
}

int l2tp_dp_session_modify(struct l2tp_dp_session *s, const struct l2tp_dp_cfg *cfg)
{
	s->cfg.send_seq = cfg->send_seq;
	s->cfg.recv_seq = cfg->recv_seq;
	s->cfg.lns_mode = cfg->lns_mode;
	s->cfg.reorder_timeout = cfg->reorder_timeout;
	s->send_seq = cfg->send_seq;
	return 0;
}

size_t l2tp_dp_overhead(const struct l2tp_dp_session *s)
{
	return cur_overhead(&s->cfg, s->send_seq);
}

unsigned int l2tp_dp_eth_mtu(const struct l2tp_dp_session *s, unsigned int link_mtu, bool ipv6)
{
	size_t over = (ipv6 ? 40 : 20) + (s->cfg.encap == L2TP_ENCAP_UDP ? 8 : 0) +
		      l2tp_dp_overhead(s) + 14 /* inner Ethernet header */;

	return link_mtu > over ? (unsigned int)(link_mtu - over) : 0;
}

/* ---- transmit -------------------------------------------------------------- */

int l2tp_dp_encap(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)
{
	const struct l2tp_dp_cfg *cfg = &s->cfg;
	size_t hlen = l2tp_dp_overhead(s);
	struct l2tp_cursor c;
	ssize_t n;

	if (b->off < hlen) {
		s->stats.tx_errors++;
		return -ENOSPC;
	}
	if (b->off > b->cap || b->len > b->cap - b->off) {
		s->stats.tx_errors++;
		return -EMSGSIZE;
	}
	l2tp_cur_init(&c, b->data + b->off - hlen, hlen);

	if (cfg->version == L2TP_VER_2) {
		struct l2tp_v2_data_hdr h = {
		    .flags = (uint16_t)((cfg->v2_send_length ? L2TP_HDR_L : 0) |
					(s->send_seq ? L2TP_HDR_S : 0) |
					(cfg->v2_send_offset ? L2TP_HDR_O : 0)),
		    .tunnel_id = (uint16_t)cfg->peer_tunnel_id,
		    .session_id = (uint16_t)cfg->peer_session_id,
		    .ns = (uint16_t)s->ns,
		    .nr = 0, /* RFC 2661 §3.1: Nr is reserved in data messages */
		    .offset_size = cfg->v2_offset,
		};

		if (cfg->v2_send_length) {
			if (hlen + b->len > 0xffff) {
				s->stats.tx_errors++;
				return -EMSGSIZE;
			}
			h.length = (uint16_t)(hlen + b->len);
		}
		n = l2tp_wire_v2_data_encode(&c, &h);
	} else {
		struct l2tp_v3_data_hdr h = {
		    .session_id = cfg->peer_session_id,
		    .cookie_len = cfg->cookie_len,
		    .l2spec = cfg->l2spec_type,
		    /* RFC 3931 §4.6: the number travels in the sublayer only. */
		    .seq_valid = s->send_seq && cfg->l2spec_type == L2TP_L2SPEC_DEFAULT,
		    .seq = s->ns,
		};

		memcpy(h.cookie, cfg->cookie, sizeof(h.cookie));
		n = l2tp_wire_v3_data_encode(&c, cfg->encap, &h);
	}
	if (n < 0) {
		s->stats.tx_errors++;
		return (int)n;
	}
	if (cfg->version == L2TP_VER_2 ? s->send_seq
				       : s->send_seq && cfg->l2spec_type == L2TP_L2SPEC_DEFAULT)
		s->ns = (s->ns + 1) & s->seq_mask;

	b->off -= hlen;
	b->len += hlen;
	s->stats.tx_packets++;
	s->stats.tx_bytes += b->len;
	return 0;
}

void l2tp_dp_tx_failed(struct l2tp_dp_session *s, size_t len)
{
	if (s->stats.tx_packets)
		s->stats.tx_packets--;
	s->stats.tx_bytes = s->stats.tx_bytes >= len ? s->stats.tx_bytes - len : 0;
	s->stats.tx_errors++;
}

/* ---- receive ------------------------------------------------------------------ */

static enum l2tp_dp_verdict drop_invalid(struct l2tp_dp_session *s, struct l2tp_diag *d, size_t off,
					 const char *why)
{
	if (why)
		l2tp_diag_set(d, off, why);
	s->stats.rx_invalid++;
	return L2TP_DP_DROP;
}

static enum l2tp_dp_verdict drop_seq(struct l2tp_dp_session *s, struct l2tp_diag *d,
				     const char *why)
{
	l2tp_diag_set(d, 0, why);
	s->stats.rx_seq_discards++;
	s->stats.rx_errors++;
	return L2TP_DP_DROP;
}

static void count_rx(struct l2tp_dp_session *s, size_t rx_len)
{
	s->stats.rx_packets++;
	s->stats.rx_bytes += rx_len;
}

/*
 * The kernel's out-of-sequence counter: true once more than
 * NR_OOS_COUNT_MAX packets in a row have each followed the previous one
 * while not being the number we expect, i.e. the peer's numbering moved.
 */
static bool oos_resync(struct l2tp_dp_session *s, uint32_t ns)
{
	if (ns == ((s->nr_oos + 1) & s->seq_mask))
		s->nr_oos_count++;
	else
		s->nr_oos_count = 0;
	s->nr_oos = ns;
	return s->nr_oos_count > NR_OOS_COUNT_MAX;
}

static void accept_seq(struct l2tp_dp_session *s, uint32_t ns)
{
	s->nr = (ns + 1) & s->seq_mask;
	s->nr_oos_count = 0;
}

/*
 * Queue |e| (an unsequenced packet, or one that is the expected number)
 * behind everything that must leave before it; the spare slot may be used.
 */
static enum l2tp_dp_verdict queue_behind(struct l2tp_dp_session *s,
					 const struct l2tp_reorder_ent *e, struct l2tp_diag *d)
{
	if (l2tp_reorder_insert(&s->rq, e, s->nr, true) < 0) {
		l2tp_diag_set(d, 0, "reorder queue full");
		s->stats.rx_errors++;
		return L2TP_DP_DROP;
	}
	return L2TP_DP_QUEUED;
}

enum l2tp_dp_verdict l2tp_dp_decap(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
				   l2tp_time_t now, struct l2tp_diag *diag)
{
	const struct l2tp_dp_cfg *cfg = &s->cfg;
	const uint8_t *pkt;
	size_t len = b->len;
	size_t payload_len;
	bool has_seq;
	uint32_t ns;
	ssize_t off;
	struct l2tp_reorder_ent e;
	int pos;

	if (b->off > b->cap || b->len > b->cap - b->off)
		return drop_invalid(s, diag, 0, "buffer view out of bounds");
	pkt = b->data + b->off;

	if (cfg->version == L2TP_VER_2) {
		struct l2tp_v2_data_hdr h;

		off = l2tp_wire_v2_data_decode(pkt, len, &h, &payload_len, diag);
		if (off < 0)
			return drop_invalid(s, diag, 0, NULL);
		if (h.tunnel_id != cfg->tunnel_id || h.session_id != cfg->session_id)
			return drop_invalid(s, diag, 2, "tunnel or session id mismatch");
		has_seq = (h.flags & L2TP_HDR_S) != 0;
		ns = h.ns;
	} else {
		struct l2tp_v3_data_hdr h;
		uint32_t sid;

		off = l2tp_wire_v3_session_decode(cfg->encap, pkt, len, &sid, diag);
		if (off < 0)
			return drop_invalid(s, diag, 0, NULL);
		if (sid != cfg->session_id)
			return drop_invalid(s, diag, (size_t)off - 4, "session id mismatch");
		off = l2tp_wire_v3_tail_decode(pkt, len, (size_t)off, cfg->peer_cookie_len,
					       (enum l2tp_l2spec)cfg->l2spec_type, &h, diag);
		if (off < 0)
			return drop_invalid(s, diag, 0, NULL);
		/* RFC 3931 §4.1: a packet whose cookie does not match is dropped. */
		if (cfg->peer_cookie_len &&
		    memcmp(h.cookie, cfg->peer_cookie, cfg->peer_cookie_len) != 0) {
			l2tp_diag_set(diag, (size_t)off, "cookie mismatch");
			s->stats.rx_cookie_discards++;
			s->stats.rx_errors++;
			return L2TP_DP_DROP;
		}
		has_seq = h.seq_valid;
		ns = h.seq;
		payload_len = len - (size_t)off;
	}

	if (has_seq) {
		/* RFC 2661 §5.4: the LNS turns the LAC's sequencing on. */
		if (!cfg->lns_mode && !s->send_seq)
			s->send_seq = true;
	} else {
		if (cfg->recv_seq)
			return drop_seq(s, diag, "no sequence number, recv_seq set");
		if (!cfg->lns_mode && s->send_seq)
			s->send_seq = false; /* ... and off again */
		else if (s->send_seq)
			return drop_seq(s, diag, "no sequence number from the LAC");
	}

	b->off += (size_t)off;
	b->len = payload_len;

	/* The hot path: in order (or unsequenced) with nothing queued. */
	if (l2tp_reorder_count(&s->rq) == 0 && (!has_seq || ns == s->nr)) {
		if (has_seq)
			accept_seq(s, ns);
		count_rx(s, len);
		return L2TP_DP_DELIVER;
	}

	e = (struct l2tp_reorder_ent){
	    .buf = *b,
	    .expires = now + (cfg->reorder_timeout ? cfg->reorder_timeout : L2TP_SEC),
	    .ns = ns,
	    .rx_len = (uint32_t)len,
	    .has_seq = has_seq,
	};

	if (!has_seq) /* Kernel: unsequenced packets go behind anything queued. */
		return queue_behind(s, &e, diag);

	if (ns == s->nr) {
		const struct l2tp_reorder_ent *head = l2tp_reorder_peek(&s->rq, 0);

		if (head && head->has_seq) {
			/* It overtakes queued packets: it arrived late. */
			s->stats.rx_oos_packets++;
		} else if (head) {
			/* Sorted in behind the unsequenced head, before the rest. */
			return queue_behind(s, &e, diag);
		}
		accept_seq(s, ns);
		count_rx(s, len);
		return L2TP_DP_DELIVER;
	}

	if (cfg->reorder_timeout == 0 || ((ns - s->nr) & s->seq_mask) > s->seq_mask / 2) {
		/*
		 * No reordering, or the packet is behind the expected number
		 * (duplicate or too late): drop, unless the numbering visibly
		 * moved (see oos_resync).
		 */
		if (!oos_resync(s, ns))
			return drop_seq(s, diag, "out of sequence");
		/*
		 * Resynchronise on |ns|. What is queued is older traffic:
		 * release it at once, in its order, without letting its
		 * numbers move nr again.
		 */
		for (unsigned int i = 0; i < l2tp_reorder_count(&s->rq); i++) {
			struct l2tp_reorder_ent *p =
			    (struct l2tp_reorder_ent *)l2tp_reorder_peek(&s->rq, i);

			p->expires = 0;
			p->has_seq = false;
		}
		accept_seq(s, ns);
		if (l2tp_reorder_count(&s->rq)) {
			e.has_seq = false; /* nr already counts it */
			return queue_behind(s, &e, diag);
		}
		count_rx(s, len);
		return L2TP_DP_DELIVER;
	}

	/* Ahead of the expected number: wait for the gap to fill. */
	pos = l2tp_reorder_insert(&s->rq, &e, s->nr, false);
	if (pos == -ENOSPC) {
		/* Full: skip ahead to the head now rather than grow. */
		((struct l2tp_reorder_ent *)l2tp_reorder_peek(&s->rq, 0))->expires = 0;
		pos = l2tp_reorder_insert(&s->rq, &e, s->nr, true);
	}
	if (pos == -EEXIST)
		return drop_seq(s, diag, "duplicate of a queued packet");
	if (pos < 0) {
		l2tp_diag_set(diag, 0, "reorder queue full");
		s->stats.rx_errors++;
		return L2TP_DP_DROP;
	}
	if ((unsigned int)pos + 1 < l2tp_reorder_count(&s->rq))
		s->stats.rx_oos_packets++;
	return L2TP_DP_QUEUED;
}

bool l2tp_dp_pop(struct l2tp_dp_session *s, l2tp_time_t now, struct l2tp_dp_buf *out)
{
	const struct l2tp_reorder_ent *head = l2tp_reorder_peek(&s->rq, 0);
	struct l2tp_reorder_ent e;

	if (!head)
		return false;
	if (l2tp_reorder_last_expired(&s->rq, now) < 0 && head->has_seq && head->ns != s->nr)
		return false;
	l2tp_reorder_pop(&s->rq, &e);
	if (e.has_seq)
		accept_seq(s, e.ns); /* also skips ahead past a gap */
	count_rx(s, e.rx_len);
	*out = e.buf;
	return true;
}

l2tp_time_t l2tp_dp_next_deadline(const struct l2tp_dp_session *s)
{
	return l2tp_reorder_next_deadline(&s->rq);
}

bool l2tp_dp_flush(struct l2tp_dp_session *s, struct l2tp_dp_buf *out)
{
	struct l2tp_reorder_ent e;

	if (!l2tp_reorder_pop(&s->rq, &e))
		return false;
	*out = e.buf;
	return true;
}
