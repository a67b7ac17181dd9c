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

/*
 * The fast paths. A v3 data header has one of twelve fixed layouts (encap x
 * cookie 0/4/8 x sublayer or not), a v2 one sent without Offset one of two
 * (Length or not, Ns/Nr following send_seq), all known once the session is
 * set up (its "shape", an index into encap_by_shape[]/decap_by_shape[]).
 * So encap and decap need no general codec per packet: one function per
 * layout, specialised by the compiler, checks once that the whole header
 * lies inside the buffer (the headroom for encap, the received bytes for
 * decap), then stores or loads the fields at fixed offsets: the session
 * header from a template made at init, the cookie from cfg, the sequence
 * number; and the sequence rules take their in-order branch, which does
 * not touch the reorder queue. These stores and loads are the only wire
 * accesses in libl2tp outside struct l2tp_cursor; the single bounds check
 * in front of each group is what keeps them inside the caller's buffer.
 *
 * Anything else (v2 Offset, too little headroom, a short or malformed
 * packet, other ids or cookie, errors of any kind) goes to the generic,
 * cursor-based code, which stays the reference: the fast paths only ever
 * finish a packet on inputs where the generic code gives the same verdict,
 * counters, state and view (tests/unit/test_dp.c runs both side by side).
 * The generic code is kept out of line (cold) and reached by tail calls so
 * the fast paths need no stack frame.
 */
#if defined(__GNUC__)
#define SLOW_PATH __attribute__((noinline, cold))
#define OUT_OF_LINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline)) /* specialised per layout */
#else
#define SLOW_PATH
#define OUT_OF_LINE
#define ALWAYS_INLINE inline
#endif

#define V3_UDP_WORD0 ((uint32_t)L2TP_VER_3 << 16) /* T=0, ver 3, reserved 0 */

static inline uint32_t ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t ld_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void st_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void st_be32(uint8_t *p, uint32_t v)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v); /* one store: GCC does not merge the bytes below */
	memcpy(p, &v, 4);
#else
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
#endif
}

/*
 * A v3 layout as a small number: 1 + UDP (1) + default sublayer (2) +
 * cookie 4 (4) or 8 (8), i.e. 1..12; 0 means "use the generic code".
 */
#define SHAPE(udp, l2spec, clen)                                                                   \
	(1 + ((udp) ? 1 : 0) + ((l2spec) ? 2 : 0) + ((clen) == 8 ? 8 : (clen) == 4 ? 4 : 0))

/* v2 (RFC 2661 §3.1): sent without and with the Length field, no Offset. */
#define SHAPE_V2 13
#define SHAPE_V2_L 14
_Static_assert(SHAPE(1, 1, 8) < SHAPE_V2, "v3 shapes overlap the v2 ones");

static uint8_t v3_shape(enum l2tp_encap encap, uint8_t cookie_len, uint8_t l2spec_type)
{
	return (uint8_t)SHAPE(encap == L2TP_ENCAP_UDP, l2spec_type == L2TP_L2SPEC_DEFAULT,
			      cookie_len);
}

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
	if (cfg->version == L2TP_VER_3) {
		/* The layout is fixed from here on: see "The fast paths". */
		size_t sh = cfg->encap == L2TP_ENCAP_UDP ? 4 : 0;

		s->tx_shape = v3_shape(cfg->encap, cfg->cookie_len, cfg->l2spec_type);
		s->rx_shape = v3_shape(cfg->encap, cfg->peer_cookie_len, cfg->l2spec_type);
		if (sh) {
			st_be32(s->tx_hdr, V3_UDP_WORD0);
			st_be32(s->rx_hdr, V3_UDP_WORD0);
		}
		st_be32(s->tx_hdr + sh, cfg->peer_session_id);
		st_be32(s->rx_hdr + sh, cfg->session_id);
	} else {
		/* The Offset pad is rare enough to stay on the generic code. */
		if (!cfg->v2_send_offset)
			s->tx_shape = cfg->v2_send_length ? SHAPE_V2_L : SHAPE_V2;
		s->rx_shape = SHAPE_V2;
	}
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

/* v3 header bytes by shape: 4 (IP) or 8 (UDP) + cookie + 4 (sublayer); else 0 */
static const uint8_t v3_hlen[16] = {
    [SHAPE(0, 0, 0)] = 4,  [SHAPE(1, 0, 0)] = 8,  [SHAPE(0, 1, 0)] = 8,	 [SHAPE(1, 1, 0)] = 12,
    [SHAPE(0, 0, 4)] = 8,  [SHAPE(1, 0, 4)] = 12, [SHAPE(0, 1, 4)] = 12, [SHAPE(1, 1, 4)] = 16,
    [SHAPE(0, 0, 8)] = 12, [SHAPE(1, 0, 8)] = 16, [SHAPE(0, 1, 8)] = 16, [SHAPE(1, 1, 8)] = 20,
};

size_t l2tp_dp_overhead(const struct l2tp_dp_session *s)
{
	/* called per segment by a datapath that sizes its buffers by it */
	if (v3_hlen[s->tx_shape & 15])
		return v3_hlen[s->tx_shape & 15];
	return cur_overhead(&s->cfg, s->send_seq);
}

unsigned int l2tp_dp_eth_mtu(const struct l2tp_dp_session *s, unsigned int link_mtu, bool ipv6)
{
	size_t over = (ipv6 ? 40 : 20) + (s->cfg.encap == L2TP_ENCAP_UDP ? 8 : 0) +
		      l2tp_dp_overhead(s) + 14 /* inner Ethernet header */;

	return link_mtu > over ? (unsigned int)(link_mtu - over) : 0;
}

/* ---- transmit -------------------------------------------------------------- */

/* The generic encap: every version and option, every error. */
SLOW_PATH static int encap_generic(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)
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

/* Encap for one v3 layout; the arguments after |b| are constants. */
static ALWAYS_INLINE int encap_v3(struct l2tp_dp_session *s, struct l2tp_dp_buf *b, bool udp,
				  bool l2spec, size_t clen)
{
	const size_t hlen = (udp ? 8 : 4) + clen + (l2spec ? 4 : 0);
	size_t off = b->off;
	size_t len = b->len;
	uint8_t *p;

	/* The one check that [off - hlen, off + len) lies inside the buffer. */
	if (off < hlen || off > b->cap || len > b->cap - off)
		return encap_generic(s, b);
	p = b->data + off - hlen;
	/* the session header from its template, then the cookie */
	if (udp) {
		memcpy(p, s->tx_hdr, 8);
		p += 4;
	} else {
		memcpy(p, s->tx_hdr, 4);
	}
	memcpy(p + 4, s->cfg.cookie, clen);
	if (l2spec) {
		/* RFC 3931 §4.6: the number travels in the sublayer only. */
		if (s->send_seq) {
			uint32_t ns = s->ns;

			s->ns = (ns + 1) & s->seq_mask;
			st_be32(p + 4 + clen, L2TP_L2SPEC_S | (ns & L2TP_SEQ_V3_MASK));
		} else {
			st_be32(p + 4 + clen, 0);
		}
	}
	b->off = off - hlen;
	b->len = len + hlen;
	s->stats.tx_packets++;
	s->stats.tx_bytes += len + hlen;
	return 0;
}

/* v2 encap with or without the Length field; Ns/Nr when a LAC is told to. */
static ALWAYS_INLINE int encap_v2(struct l2tp_dp_session *s, struct l2tp_dp_buf *b, bool lf)
{
	bool seq = s->send_seq;
	size_t hlen = L2TP_V2_DATA_HDR_MIN + (lf ? 2 : 0) + (seq ? 4 : 0);
	size_t off = b->off;
	size_t len = b->len;
	uint8_t *p;

	/* The one check that [off - hlen, off + len) lies inside the buffer. */
	if (off < hlen || off > b->cap || len > b->cap - off || (lf && hlen + len > 0xffff))
		return encap_generic(s, b);
	p = b->data + off - hlen;
	st_be16(p, (uint16_t)((lf ? L2TP_HDR_L : 0) | (seq ? L2TP_HDR_S : 0) | L2TP_VER_2));
	if (lf) {
		st_be16(p + 2, (uint16_t)(hlen + len));
		p += 2;
	}
	st_be16(p + 2, (uint16_t)s->cfg.peer_tunnel_id);
	st_be16(p + 4, (uint16_t)s->cfg.peer_session_id);
	if (seq) {
		uint32_t ns = s->ns;

		s->ns = (ns + 1) & s->seq_mask;
		st_be16(p + 6, (uint16_t)ns);
		st_be16(p + 8, 0); /* RFC 2661 §3.1: Nr is reserved in data messages */
	}
	b->off = off - hlen;
	b->len = len + hlen;
	s->stats.tx_packets++;
	s->stats.tx_bytes += len + hlen;
	return 0;
}

static int encap_v2_plain(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)
{
	return encap_v2(s, b, false);
}

static int encap_v2_length(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)
{
	return encap_v2(s, b, true);
}

/* One function per layout, with constant offsets: the compiler specialises. */
#define V3_ENCAP(udp, l2spec, clen)                                                                \
	static int encap_v3_##udp##l2spec##clen(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)  \
	{                                                                                          \
		return encap_v3(s, b, udp, l2spec, clen);                                          \
	}
V3_ENCAP(0, 0, 0)
V3_ENCAP(1, 0, 0)
V3_ENCAP(0, 1, 0)
V3_ENCAP(1, 1, 0)
V3_ENCAP(0, 0, 4)
V3_ENCAP(1, 0, 4)
V3_ENCAP(0, 1, 4)
V3_ENCAP(1, 1, 4)
V3_ENCAP(0, 0, 8)
V3_ENCAP(1, 0, 8)
V3_ENCAP(0, 1, 8)
V3_ENCAP(1, 1, 8)

/* By shape; every index has an entry, so dispatch is one indirect jump. */
static int (*const encap_by_shape[16])(struct l2tp_dp_session *, struct l2tp_dp_buf *) = {
    [0] = encap_generic,
    [SHAPE(0, 0, 0)] = encap_v3_000,
    [SHAPE(1, 0, 0)] = encap_v3_100,
    [SHAPE(0, 1, 0)] = encap_v3_010,
    [SHAPE(1, 1, 0)] = encap_v3_110,
    [SHAPE(0, 0, 4)] = encap_v3_004,
    [SHAPE(1, 0, 4)] = encap_v3_104,
    [SHAPE(0, 1, 4)] = encap_v3_014,
    [SHAPE(1, 1, 4)] = encap_v3_114,
    [SHAPE(0, 0, 8)] = encap_v3_008,
    [SHAPE(1, 0, 8)] = encap_v3_108,
    [SHAPE(0, 1, 8)] = encap_v3_018,
    [SHAPE(1, 1, 8)] = encap_v3_118,
    [SHAPE_V2] = encap_v2_plain,
    [SHAPE_V2_L] = encap_v2_length,
    [15] = encap_generic,
};

int l2tp_dp_encap(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)
{
	return encap_by_shape[s->tx_shape & 15](s, b);
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

/* rx_seq_queue()'s |seqw|: the sequence number, and whether there is one. */
#define SEQW_VALID 0x80000000u

/*
 * What the reorder queue must see: the packet is not the expected number, or
 * packets are queued. |b| already views the payload; |len| is the L2TP
 * packet length (counted in rx_bytes). Six arguments, so that the fast
 * paths reach it by a tail call.
 */
OUT_OF_LINE static enum l2tp_dp_verdict rx_seq_queue(struct l2tp_dp_session *s,
						     struct l2tp_dp_buf *b, l2tp_time_t now,
						     struct l2tp_diag *diag, size_t len,
						     uint32_t seqw)
{
	const struct l2tp_dp_cfg *cfg = &s->cfg;
	bool has_seq = (seqw & SEQW_VALID) != 0;
	uint32_t ns = seqw & ~SEQW_VALID;
	struct l2tp_reorder_ent e;
	int pos;

	if (has_seq && ns == s->nr) {
		const struct l2tp_reorder_ent *head = l2tp_reorder_peek(&s->rq, 0);

		/* Unless it must sort in behind an unsequenced head (below)... */
		if (!head || head->has_seq) {
			/* ... it overtakes queued packets: it arrived late. */
			if (head)
				s->stats.rx_oos_packets++;
			accept_seq(s, ns);
			count_rx(s, len);
			return L2TP_DP_DELIVER;
		}
	}

	e = (struct l2tp_reorder_ent){
	    .buf = *b,
	    .expires = now + (cfg->reorder_timeout ? cfg->reorder_timeout : L2TP_SEC),
	    .ns = ns,
	    .rx_len = (uint32_t)len,
	    .has_seq = has_seq,
	};

	/*
	 * Kernel: unsequenced packets go behind anything queued; the expected
	 * number with an unsequenced head sorts in behind it, before the rest.
	 */
	if (!has_seq || ns == s->nr)
		return queue_behind(s, &e, diag);

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

/*
 * The sequence rules for a packet whose header checked out: the payload is
 * b->data[payload_off, +payload_len), the L2TP packet |len| bytes.
 */
static ALWAYS_INLINE enum l2tp_dp_verdict rx_seq(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
						 l2tp_time_t now, struct l2tp_diag *diag,
						 size_t payload_off, size_t payload_len, size_t len,
						 bool has_seq, uint32_t ns)
{
	const struct l2tp_dp_cfg *cfg = &s->cfg;

	if (has_seq) {
		/* RFC 2661 §5.4: the LNS turns the LAC's sequencing on. */
		if (!s->send_seq && !cfg->lns_mode)
			s->send_seq = true;
	} else if (cfg->recv_seq || s->send_seq) { /* else: nothing to do */
		if (cfg->recv_seq)
			return drop_seq(s, diag, "no sequence number, recv_seq set");
		if (!cfg->lns_mode)
			s->send_seq = false; /* ... and off again */
		else
			return drop_seq(s, diag, "no sequence number from the LAC");
	}

	b->off = payload_off;
	b->len = payload_len;

	/* The hot path: in order (or unsequenced) with nothing queued. */
	if (l2tp_reorder_count(&s->rq) == 0 && (!has_seq || ns == s->nr)) {
		if (has_seq)
			accept_seq(s, ns);
		count_rx(s, len);
		return L2TP_DP_DELIVER;
	}
	return rx_seq_queue(s, b, now, diag, len, has_seq ? ns | SEQW_VALID : ns);
}

/* The generic decap: every version and option, every diagnostic. */
SLOW_PATH static enum l2tp_dp_verdict decap_generic(struct l2tp_dp_session *s,
						    struct l2tp_dp_buf *b, l2tp_time_t now,
						    struct l2tp_diag *diag)
{
	const struct l2tp_dp_cfg *cfg = &s->cfg;
	const uint8_t *pkt;
	size_t len = b->len;
	size_t payload_len;
	bool has_seq;
	uint32_t ns;
	ssize_t off;

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
	return rx_seq(s, b, now, diag, b->off + (size_t)off, payload_len, len, has_seq, ns);
}

/* Decap for one v3 layout; the arguments after |diag| are constants. */
static ALWAYS_INLINE enum l2tp_dp_verdict decap_v3(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
						   l2tp_time_t now, struct l2tp_diag *diag,
						   bool udp, bool l2spec, size_t clen)
{
	const size_t hlen = (udp ? 8 : 4) + clen + (l2spec ? 4 : 0);
	size_t off = b->off;
	size_t len = b->len;
	const uint8_t *p;
	bool has_seq = false;
	uint32_t ns = 0;

	/* The one check that the whole header [off, off + hlen) was received. */
	if (off > b->cap || len > b->cap - off || len < hlen)
		return decap_generic(s, b, now, diag);
	p = b->data + off;
	/*
	 * The session header against its template (cfg.session_id is never 0,
	 * so this also refuses Session ID 0), over UDP only T=0 and version 3
	 * of the first word: the other bits are ignored on receipt.
	 */
	if (udp) {
		static const uint8_t mask[8] = {0x80, 0x0f, 0, 0, 0xff, 0xff, 0xff, 0xff};
		uint64_t h, want, m;

		memcpy(&h, p, 8);
		memcpy(&want, s->rx_hdr, 8);
		memcpy(&m, mask, 8);
		if ((h & m) != want)
			return decap_generic(s, b, now, diag);
		p += 4;
	} else if (memcmp(p, s->rx_hdr, 4) != 0) {
		return decap_generic(s, b, now, diag);
	}
	if (memcmp(p + 4, s->cfg.peer_cookie, clen) != 0)
		return decap_generic(s, b, now, diag);
	/* RFC 3931 §4.6: without S the number is undefined: ignore it. */
	if (l2spec && (p[4 + clen] & (L2TP_L2SPEC_S >> 24))) {
		has_seq = true;
		ns = ld_be32(p + 4 + clen) & L2TP_SEQ_V3_MASK;
	}
	return rx_seq(s, b, now, diag, off + hlen, len - hlen, len, has_seq, ns);
}

/*
 * v2 decap of the headers seen in practice: any of L, S and P, no Offset
 * (RFC 2661 §3.1; the Length, when present, ends the payload).
 */
static enum l2tp_dp_verdict decap_v2(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
				     l2tp_time_t now, struct l2tp_diag *diag)
{
	size_t off = b->off;
	size_t len = b->len;
	size_t end = len;
	size_t pos = 2;
	const uint8_t *p;
	uint16_t flags;
	bool has_seq;

	if (off > b->cap || len > b->cap - off || len < L2TP_V2_DATA_HDR_MIN)
		return decap_generic(s, b, now, diag);
	p = b->data + off;
	flags = ld_be16(p);
	/* T=0, version 2, no Offset; the other bits are ignored. */
	if ((flags & (L2TP_HDR_T | L2TP_HDR_O | L2TP_HDR_VER_MASK)) != L2TP_VER_2)
		return decap_generic(s, b, now, diag);
	if (flags & L2TP_HDR_L) {
		end = ld_be16(p + 2);
		pos = 4;
	}
	has_seq = (flags & L2TP_HDR_S) != 0;
	/* The whole header received, and inside Length (which is inside len). */
	if (pos + 4 + (has_seq ? 4 : 0) > (end < len ? end : len) ||
	    ld_be16(p + pos) != s->cfg.tunnel_id || ld_be16(p + pos + 2) != s->cfg.session_id ||
	    end > len)
		return decap_generic(s, b, now, diag);
	pos += 4;
	if (has_seq) {
		uint32_t ns = ld_be16(p + pos);

		pos += 4;
		return rx_seq(s, b, now, diag, off + pos, end - pos, len, true, ns);
	}
	return rx_seq(s, b, now, diag, off + pos, end - pos, len, false, 0);
}

#define V3_DECAP(udp, l2spec, clen)                                                                \
	static enum l2tp_dp_verdict decap_v3_##udp##l2spec##clen(                                  \
	    struct l2tp_dp_session *s, struct l2tp_dp_buf *b, l2tp_time_t now,                     \
	    struct l2tp_diag *diag)                                                                \
	{                                                                                          \
		return decap_v3(s, b, now, diag, udp, l2spec, clen);                               \
	}
V3_DECAP(0, 0, 0)
V3_DECAP(1, 0, 0)
V3_DECAP(0, 1, 0)
V3_DECAP(1, 1, 0)
V3_DECAP(0, 0, 4)
V3_DECAP(1, 0, 4)
V3_DECAP(0, 1, 4)
V3_DECAP(1, 1, 4)
V3_DECAP(0, 0, 8)
V3_DECAP(1, 0, 8)
V3_DECAP(0, 1, 8)
V3_DECAP(1, 1, 8)

static enum l2tp_dp_verdict (*const decap_by_shape[16])(struct l2tp_dp_session *,
							struct l2tp_dp_buf *, l2tp_time_t,
							struct l2tp_diag *) = {
    [0] = decap_generic,
    [SHAPE(0, 0, 0)] = decap_v3_000,
    [SHAPE(1, 0, 0)] = decap_v3_100,
    [SHAPE(0, 1, 0)] = decap_v3_010,
    [SHAPE(1, 1, 0)] = decap_v3_110,
    [SHAPE(0, 0, 4)] = decap_v3_004,
    [SHAPE(1, 0, 4)] = decap_v3_104,
    [SHAPE(0, 1, 4)] = decap_v3_014,
    [SHAPE(1, 1, 4)] = decap_v3_114,
    [SHAPE(0, 0, 8)] = decap_v3_008,
    [SHAPE(1, 0, 8)] = decap_v3_108,
    [SHAPE(0, 1, 8)] = decap_v3_018,
    [SHAPE(1, 1, 8)] = decap_v3_118,
    [SHAPE_V2] = decap_v2,
    [SHAPE_V2_L] = decap_generic, /* never set: v2 receive has one shape */
    [15] = decap_generic,
};

enum l2tp_dp_verdict l2tp_dp_decap(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
				   l2tp_time_t now, struct l2tp_diag *diag)
{
	return decap_by_shape[s->rx_shape & 15](s, b, now, diag);
}

bool l2tp_dp_pop(struct l2tp_dp_session *s, l2tp_time_t now, struct l2tp_dp_buf *out)
{
	const struct l2tp_reorder_ent *head;
	struct l2tp_reorder_ent e;

	if (l2tp_reorder_count(&s->rq) == 0) /* every packet calls us: keep it short */
		return false;
	head = l2tp_reorder_peek(&s->rq, 0);
	/* The head leaves when it is next in order, or once anything expired. */
	if (head->has_seq && head->ns != s->nr && l2tp_reorder_last_expired(&s->rq, now) < 0)
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
