/* SPDX-License-Identifier: MIT */
/*
 * l2tp/dp.h - the data plane of one session: encapsulation into headroom,
 * decapsulation, cookie check, L2-specific sublayer, sequence numbers, the
 * reorder queue and the kernel's per-session counters.
 *
 * Sans-I/O and hot-path clean: no allocation, no lock, no clock (time is the
 * |now| argument, monotonic ns). A session is one plain struct the caller
 * owns; it is not thread-safe (one session, one thread at a time).
 *
 * Buffers belong to the caller (typically slots of a fixed pool). Encap
 * prepends the L2TP header into the headroom before the frame; decap moves
 * the view forward past the header. The reorder queue stores struct
 * l2tp_dp_buf values, i.e. handles to caller memory, never copies of bytes:
 * a buffer that decap answered L2TP_DP_QUEUED stays the caller's memory but
 * must not be reused until it comes back from l2tp_dp_pop() or
 * l2tp_dp_flush().
 *
 * Receive path, per datagram already matched to this session:
 *
 *     switch (l2tp_dp_decap(s, &b, now, NULL)) {
 *     case L2TP_DP_DELIVER: deliver(&b); break;
 *     case L2TP_DP_QUEUED:  break;              // held by the reorder queue
 *     case L2TP_DP_DROP:    recycle(&b); break;
 *     }
 *     while (l2tp_dp_pop(s, now, &b))           // after EVERY decap, and
 *             deliver(&b);                      // when next_deadline passes
 *
 * Sequencing follows the Linux kernel's l2tp_core.c (which implements RFC
 * 2661 §5.4 and RFC 3931 §4.6); differences are listed in lib/dp.c.
 */
#ifndef L2TP_DP_H
#define L2TP_DP_H

#include <l2tp/types.h>
#include <l2tp/wire.h>

/*
 * One packet in caller memory: bytes [off, off + len) of data[0, cap).
 * The bytes before |off| are headroom for encap.
 */
struct l2tp_dp_buf {
	uint8_t *data;
	size_t cap;
	size_t off;
	size_t len;
	void *user; /* the caller's handle (pool slot, iovec index...); never touched */
};

/* Per-session counters: the kernel's struct l2tp_stats (L2TP_ATTR_STATS). */
struct l2tp_dp_stats {
	uint64_t tx_packets;
	uint64_t tx_bytes; /* L2TP header + payload, not UDP/IP */
	uint64_t tx_errors;
	uint64_t rx_packets; /* delivered (directly or from the reorder queue) */
	uint64_t rx_bytes; /* L2TP header + payload of the delivered packets */
	uint64_t rx_seq_discards; /* dropped by the sequence rules */
	uint64_t rx_oos_packets; /* arrived out of order and were reordered */
	uint64_t rx_errors; /* every drop but rx_invalid */
	uint64_t rx_cookie_discards; /* cookie mismatch (also counted in rx_errors) */
	uint64_t rx_invalid; /* malformed header, wrong ids (not in rx_errors) */
};

/* Reorder queue bound: at most this many packets are held per session. */
#define L2TP_DP_REORDER_MAX 64
#define L2TP_DP_REORDER_DEFAULT 32

/*
 * Headroom that covers every header l2tp_dp_encap() writes except a v2
 * Offset pad larger than 16 bytes (v3: 8 + 8 cookie + 4 sublayer = 20;
 * v2: 14 + pad).
 */
#define L2TP_DP_HEADROOM 32

/* ---- reorder queue (lib/reorder.c) ---------------------------------------- */

struct l2tp_reorder_ent {
	struct l2tp_dp_buf buf; /* payload view, ready to deliver */
	l2tp_time_t expires; /* arrival + reorder timeout */
	uint32_t ns; /* sequence number (if has_seq) */
	uint32_t rx_len; /* bytes counted in rx_bytes when released */
	bool has_seq;
};

/*
 * A bounded queue sorted by sequence number in a circular space of |mask|+1
 * numbers. One slot more than |cap| exists so that a full queue can still
 * take the packet that forces it to skip ahead (see lib/dp.c).
 */
struct l2tp_reorder {
	/* the indices first: decap reads |count| on every packet */
	uint16_t first; /* ring index of the head */
	uint16_t count;
	uint16_t cap; /* configured bound, 1..L2TP_DP_REORDER_MAX */
	uint32_t mask; /* 0xffff (v2) or 0xffffff (v3) */
	struct l2tp_reorder_ent ent[L2TP_DP_REORDER_MAX + 1];
};

/* Empty |q| with bound |cap| (clamped to 1..L2TP_DP_REORDER_MAX). */
void l2tp_reorder_init(struct l2tp_reorder *q, uint16_t cap, uint32_t mask);

/*
 * Insert |e| in order. Sequenced entries are sorted by (ns - |base|) & mask,
 * i.e. by distance ahead of the next expected number |base|; an unsequenced
 * entry goes to the tail, and a sequenced one is never placed in front of
 * an unsequenced one already queued (which keeps arrival order across them).
 * |slack| lets the insert use the one spare slot beyond cap.
 *
 * Returns the position (0 = head) where |e| went; -EEXIST if a queued
 * sequenced entry has the same ns; -ENOSPC if the queue is full.
 */
int l2tp_reorder_insert(struct l2tp_reorder *q, const struct l2tp_reorder_ent *e, uint32_t base,
			bool slack);

/* The |i|-th entry from the head (0 = head), or NULL. */
const struct l2tp_reorder_ent *l2tp_reorder_peek(const struct l2tp_reorder *q, unsigned int i);

/* Remove the head into |out| (if not NULL). Returns false if empty. */
bool l2tp_reorder_pop(struct l2tp_reorder *q, struct l2tp_reorder_ent *out);

/* Earliest |expires| of the queued entries, L2TP_TIME_NEVER if empty. */
l2tp_time_t l2tp_reorder_next_deadline(const struct l2tp_reorder *q);

/* Position of the last entry (from the head) with expires <= |now|, or -1. */
int l2tp_reorder_last_expired(const struct l2tp_reorder *q, l2tp_time_t now);

static inline unsigned int l2tp_reorder_count(const struct l2tp_reorder *q)
{
	return q->count;
}

/* ---- session ---------------------------------------------------------------- */

struct l2tp_dp_cfg {
	uint8_t version; /* 2 or 3 */
	enum l2tp_encap encap; /* v2: UDP only */
	uint32_t tunnel_id; /* v2: ours, checked on receive (16 bits); v3: unused */
	uint32_t peer_tunnel_id; /* v2: written in sent headers (16 bits); v3: unused */
	uint32_t session_id; /* ours, checked on receive (v2: 16 bits; v3: != 0) */
	uint32_t peer_session_id; /* written in sent headers (v2: 16 bits; v3: != 0) */
	/* v3 cookies, named as in ip-l2tp(8) and the kernel: */
	uint8_t cookie[L2TP_COOKIE_MAX]; /* sent in our packets */
	uint8_t cookie_len; /* 0, 4 or 8 */
	uint8_t peer_cookie[L2TP_COOKIE_MAX]; /* expected in received packets */
	uint8_t peer_cookie_len; /* 0, 4 or 8 */
	uint8_t l2spec_type; /* v3: enum l2tp_l2spec */
	bool send_seq; /* send sequence numbers */
	bool recv_seq; /* drop received packets without them */
	bool lns_mode; /* v2 LNS: the LAC side follows us (RFC 2661 §5.4) */
	l2tp_time_t reorder_timeout; /* ns; 0: out-of-order packets are dropped */
	uint16_t reorder_cap; /* queue bound; 0: L2TP_DP_REORDER_DEFAULT */
	/* v2 transmit options (received headers may carry any of them): */
	bool v2_send_length; /* set L and fill the Length field */
	bool v2_send_offset; /* set O, Offset Size = v2_offset, zero pad */
	uint16_t v2_offset;
};

struct l2tp_dp_session {
	struct l2tp_dp_cfg cfg;
	bool send_seq; /* current; a LAC follows the LNS (RFC 2661 §5.4) */
	uint32_t seq_mask; /* 0xffff (v2) or 0xffffff (v3) */
	uint32_t ns; /* next sequence number to send */
	uint32_t nr; /* next sequence number expected */
	uint32_t nr_oos; /* last out-of-sequence number seen (no-reorder mode) */
	uint8_t nr_oos_count; /* consecutive out-of-sequence packets that follow each other */
	/*
	 * Derived by l2tp_dp_session_init() for the fast paths of encap and
	 * decap (lib/dp.c), from cfg fields that only init sets: which fixed
	 * header layout encap writes and decap expects (from version, encap,
	 * cookie lengths, l2spec_type, v2_send_length/offset), and the v3
	 * session header in wire order, sent (flags word over UDP +
	 * peer_session_id) and expected (+ session_id). Cookie bytes, v2 ids
	 * and the sequence state are read from cfg and the fields above on
	 * every packet. A shape of 0 (set by a test) sends every packet
	 * through the generic cursor-based code, which gives the same results
	 * (the unit tests compare both). Never written by the library after
	 * init.
	 */
	uint8_t tx_shape;
	uint8_t rx_shape;
	uint8_t tx_hdr[8];
	uint8_t rx_hdr[8];
	struct l2tp_dp_stats stats;
	struct l2tp_reorder rq;
};

enum l2tp_dp_verdict {
	L2TP_DP_DELIVER = 0, /* the buffer now views the payload: hand it on */
	L2TP_DP_QUEUED = 1, /* held in the reorder queue: see l2tp_dp_pop() */
	L2TP_DP_DROP = 2, /* recycle the buffer; a counter says why */
};

/*
 * Initialise |s| from |cfg| (copied): sequence numbers start at 0, counters
 * at 0, queue empty. The header layout and the v3 ids are fixed here (see
 * tx_shape above): to change anything but the cookie bytes and the fields
 * l2tp_dp_session_modify() takes, initialise again. Returns 0, or -EINVAL
 * for: a version other than 2/3,
 * v2 over IP, v2 ids above 65535, a v3 session id of 0, cookie lengths not
 * 0/4/8 (or non-zero on v2), an unknown l2spec_type.
 */
int l2tp_dp_session_init(struct l2tp_dp_session *s, const struct l2tp_dp_cfg *cfg);

/*
 * Apply the fields the kernel lets SESSION_MODIFY change: send_seq,
 * recv_seq, lns_mode, reorder_timeout (other fields of |cfg| are ignored).
 * Queued packets keep their deadlines. Returns 0.
 */
int l2tp_dp_session_modify(struct l2tp_dp_session *s, const struct l2tp_dp_cfg *cfg);

/*
 * Bytes l2tp_dp_encap() prepends now: v3 session header (8 UDP, 4 IP) +
 * cookie + sublayer; v2 6 + 2 (Length) + 4 (seq) + 2 + pad (Offset).
 * It changes when a v2 LAC's sequencing is toggled by the LNS.
 */
size_t l2tp_dp_overhead(const struct l2tp_dp_session *s);

/*
 * Default MTU of an Ethernet pseudowire on a path of |link_mtu| bytes:
 * link_mtu - IP header (20, or 40 if |ipv6|) - UDP header (8, UDP encap)
 * - l2tp_dp_overhead() - 14 (inner Ethernet header). 0 if that is negative.
 */
unsigned int l2tp_dp_eth_mtu(const struct l2tp_dp_session *s, unsigned int link_mtu, bool ipv6);

/*
 * Prepend the L2TP data header for the frame b->data[b->off, +b->len):
 * b->off decreases and b->len grows by l2tp_dp_overhead(); the payload is
 * not moved. Uses and advances the send sequence number when sequencing.
 * Counts tx_packets and tx_bytes (the L2TP packet length).
 *
 * Returns 0; -ENOSPC if b->off is smaller than the header (tx_errors
 * counted, |b| unchanged); -EMSGSIZE if a v2 Length field would overflow or
 * off + len exceeds cap (tx_errors counted, |b| unchanged).
 */
int l2tp_dp_encap(struct l2tp_dp_session *s, struct l2tp_dp_buf *b);

/*
 * The caller's send of an encapsulated packet of |len| bytes failed: move
 * it from tx_packets/tx_bytes to tx_errors (as the kernel counts).
 */
void l2tp_dp_tx_failed(struct l2tp_dp_session *s, size_t len);

/*
 * Decapsulate the received L2TP packet b->data[b->off, +b->len) (UDP
 * payload, or IP payload for IP encap), already matched to |s| by its
 * session id. Checks the header and ids (mismatch or malformed: DROP,
 * rx_invalid), the cookie (mismatch: DROP, rx_cookie_discards and
 * rx_errors), reads the sequence number and applies the sequence rules at
 * time |now|. On DELIVER, |b| views the payload and rx_packets/rx_bytes are
 * counted. On QUEUED, the queue holds a copy of |b| (the handle, not the
 * bytes), and |b| must not be reused. |diag| (optional) says why on DROP.
 *
 * Returns an enum l2tp_dp_verdict; never fails otherwise.
 */
enum l2tp_dp_verdict l2tp_dp_decap(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
				   l2tp_time_t now, struct l2tp_diag *diag);

/*
 * Release the next packet from the reorder queue at time |now|: the head if
 * it is the next expected number (or unsequenced), or, once a queued packet
 * has waited reorder_timeout, every packet up to it in order, skipping the
 * missing numbers. Counts rx_packets/rx_bytes for each released packet.
 *
 * Returns true and fills |out| (a payload view with its |user| handle), or
 * false when nothing can be released now. Call until false after every
 * l2tp_dp_decap() and when l2tp_dp_next_deadline() has passed.
 */
bool l2tp_dp_pop(struct l2tp_dp_session *s, l2tp_time_t now, struct l2tp_dp_buf *out);

/* When l2tp_dp_pop() may next release a packet by timeout; L2TP_TIME_NEVER if none. */
l2tp_time_t l2tp_dp_next_deadline(const struct l2tp_dp_session *s);

/*
 * Take back any queued buffer regardless of order or time (session
 * teardown). No counter changes. Returns true and fills |out| while the
 * queue is not empty.
 */
bool l2tp_dp_flush(struct l2tp_dp_session *s, struct l2tp_dp_buf *out);

#endif /* L2TP_DP_H */
