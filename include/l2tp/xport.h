/* SPDX-License-Identifier: MIT */
/*
 * l2tp/xport.h - the reliable control channel of one control connection
 * (RFC 2661 §5.8 and Appendix A, RFC 3931 §4.2): Ns/Nr sequence numbers
 * with 16-bit wrap-around, the peer's Receive Window Size, slow start and
 * congestion avoidance, retransmission with exponential backoff up to a cap
 * and a retry limit, duplicate detection, in-order delivery (messages that
 * arrive early inside our window are held, not dropped), and delayed
 * acknowledgement by ZLB or by the Explicit Acknowledgement message (20).
 *
 * Sans-I/O: the owner (lib/tunnel.c) passes every received, authenticated
 * control message through l2tp_xport_rx(), queues new messages with
 * l2tp_xport_queue(), and pulls datagrams to send with
 * l2tp_xport_write_pkt() until it returns 0. Time is always the |now|
 * argument; l2tp_xport_next_deadline() says when l2tp_xport_on_timeout()
 * must be called next.
 *
 * A queued message is a whole datagram: the control header (after the 4
 * zero octets of Session ID 0 over IP, which |hdr_off| skips) and its AVPs.
 * The xport writes Ns and Nr into the header each time it sends it (a
 * retransmission carries the current Nr), then calls ops->finish so the
 * owner can recompute the Message Digest, which covers Nr (RFC 3931 §5.4.1).
 */
#ifndef L2TP_XPORT_H
#define L2TP_XPORT_H

#include <l2tp/types.h>

/* RFC 2661 §5.8 / RFC 3931 §4.2 recommended defaults. */
#define L2TP_XPORT_RTO_INIT (1 * L2TP_SEC) /* first retransmission after 1 s */
#define L2TP_XPORT_RTO_MAX (8 * L2TP_SEC) /* backoff capped at 8 s */
#define L2TP_XPORT_MAX_RETRIES 5 /* retransmissions before giving up */
#define L2TP_XPORT_PEER_RWND 4 /* peer window when it sent no RWS AVP */
#define L2TP_XPORT_RWND 16 /* the window we announce by default */
#define L2TP_XPORT_RWND_MAX 256 /* the most out-of-order messages we hold */
#define L2TP_XPORT_ACK_DELAY (100 * L2TP_MSEC) /* ZLB when nothing carries the ack */

/* How acknowledgements without a message to carry them are sent. */
enum l2tp_xport_ack_mode {
	L2TP_ACK_ZLB = 0, /* Zero-Length Body message (RFC 2661 §5.8) */
	L2TP_ACK_MSG = 1, /* Explicit Acknowledgement, message type 20 (RFC 3931 §6.17) */
};

struct l2tp_xport_cfg {
	uint16_t rwnd; /* our Receive Window Size; 0 = L2TP_XPORT_RWND */
	uint16_t max_retries; /* 0 = L2TP_XPORT_MAX_RETRIES */
	l2tp_time_t rto_init; /* 0 = L2TP_XPORT_RTO_INIT */
	l2tp_time_t rto_max; /* 0 = L2TP_XPORT_RTO_MAX */
	l2tp_time_t ack_delay; /* 0 = L2TP_XPORT_ACK_DELAY; use 1 for "at once" */
};

/* Hooks the owner gives; |user| is the owner's pointer. */
struct l2tp_xport_ops {
	/*
	 * Write at |out|/|cap| an acknowledgement-only datagram carrying
	 * |ns| (the next Ns we will use, RFC 2661 §5.8) and |nr|: a ZLB or
	 * an ACK message, as x->ack_mode says, digest included. Returns its
	 * length or a negative errno.
	 */
	ssize_t (*build_ack)(void *user, uint8_t *out, size_t cap, uint16_t ns, uint16_t nr);
	/*
	 * Called on each (re)transmission of a queued message after Ns and Nr
	 * were written into |pkt|/|len| (the whole datagram): recompute the
	 * Message Digest. May be NULL. Returns 0 or a negative errno (the
	 * datagram is then not sent and write_pkt returns that code).
	 */
	int (*finish)(void *user, uint8_t *pkt, size_t len);
};

/* Counters an operator reads per control connection. */
struct l2tp_xport_stats {
	uint64_t tx_msgs; /* sequenced messages sent (first transmissions) */
	uint64_t tx_retransmits;
	uint64_t tx_acks; /* ZLB or ACK datagrams sent */
	uint64_t rx_msgs; /* sequenced messages delivered, once each */
	uint64_t rx_acks; /* ZLB or ACK datagrams received */
	uint64_t rx_duplicates; /* already delivered: acknowledged again, dropped */
	uint64_t rx_out_of_order; /* early, inside our window: held */
	uint64_t rx_out_of_window; /* too far ahead: dropped */
	uint64_t rx_bad_nr; /* Nr acknowledging what was never sent: ack ignored */
};

/* A message held for later delivery, or queued for sending (internal). */
struct l2tp_xport_msg {
	struct l2tp_xport_msg *next;
	l2tp_time_t first_tx; /* time of the first transmission (RTT sample) */
	l2tp_time_t deadline; /* retransmission time while in flight */
	uint16_t ns;
	uint16_t type; /* Message Type, for logs */
	uint8_t retries; /* retransmissions so far */
	bool sent; /* transmitted at least once */
	bool due; /* retransmission due: send at the next write_pkt */
	uint16_t len;
	uint8_t data[]; /* the datagram */
};

struct l2tp_xport {
	struct l2tp_xport_cfg cfg; /* with defaults filled in */
	struct l2tp_xport_ops ops;
	void *user;
	const struct l2tp_mem *mem;
	size_t hdr_off; /* 0 over UDP, 4 over IP (the Session ID 0) */
	enum l2tp_xport_ack_mode ack_mode;

	uint16_t ns_next; /* Ns of the next new message */
	uint16_t nr; /* Ns expected next from the peer: the Nr we send */
	uint16_t peer_rwnd; /* the peer's Receive Window Size */
	uint16_t cwnd; /* congestion window, RFC 2661 Appendix A */
	uint16_t ssthresh;
	uint16_t cwnd_acc; /* acks counted towards the next cwnd step */
	uint16_t inflight; /* sent, not yet acknowledged */
	uint32_t queued; /* in |txq|: in flight + waiting for the window */

	struct l2tp_xport_msg *txq; /* oldest first: in flight, then not yet sent */
	struct l2tp_xport_msg **txq_tail;
	struct l2tp_xport_msg *rxq; /* held early messages, by ascending Ns */
	uint16_t rxq_len;

	bool ack_pending;
	uint16_t rx_unacked; /* messages delivered since our Nr last went out */
	l2tp_time_t ack_deadline;
	bool failed; /* a message ran out of retries */

	l2tp_time_t srtt, rttvar; /* RFC 6298 estimate; srtt 0 = no sample yet */
	l2tp_time_t last_rx; /* last datagram accepted (any kind) */
	struct l2tp_xport_stats stats;
};

/* Results of l2tp_xport_rx(). */
enum l2tp_xport_verdict {
	L2TP_XPORT_ACKONLY = 0, /* ZLB/ACK: its Nr was processed, nothing to deliver */
	L2TP_XPORT_DELIVER = 1, /* the next message in order: process it now */
	L2TP_XPORT_DUP = 2, /* seen before: an ack is scheduled at once */
	L2TP_XPORT_HELD = 3, /* early, inside our window: copied, l2tp_xport_pop() later */
	L2TP_XPORT_DROP = 4, /* outside our window (or no memory to hold it) */
};

/* -1 if |a| comes before |b| in 16-bit sequence space, 0 if equal, 1 after. */
static inline int l2tp_seq_cmp(uint16_t a, uint16_t b)
{
	int16_t d = (int16_t)(uint16_t)(a - b);

	return d < 0 ? -1 : d > 0;
}

/*
 * Set up |x| (no allocation). |cfg| may be NULL for the defaults. The
 * channel starts with Ns = Nr = 0, the peer window L2TP_XPORT_PEER_RWND,
 * cwnd 1 and ssthresh = peer window (RFC 2661 Appendix A).
 */
void l2tp_xport_init(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
		     const struct l2tp_xport_ops *ops, void *user, const struct l2tp_mem *mem,
		     size_t hdr_off, l2tp_time_t now);

/* Free every queued and held message. |x| may be re-initialised after. */
void l2tp_xport_fini(struct l2tp_xport *x);

/* The peer's Receive Window Size AVP (0 is ignored: RFC 2661 §4.4.3). */
void l2tp_xport_set_peer_rwnd(struct l2tp_xport *x, uint16_t rwnd);

/*
 * Queue the datagram |pkt|/|len| (header + AVPs, Ns/Nr to be filled) of
 * message |type| for reliable delivery; the xport copies it. Returns the
 * Ns assigned (0..65535); -ENOMEM; -EMSGSIZE if |len| is under a control
 * header or over 65535; -EPIPE once the channel failed.
 */
int l2tp_xport_queue(struct l2tp_xport *x, const uint8_t *pkt, size_t len, uint16_t type);

/*
 * Account one received control datagram whose header was decoded and whose
 * digest (if any) was verified: |ns|, |nr| from its header; |ack_only| for
 * a ZLB or an ACK message (type 20), whose Ns is not a sequence slot.
 * First its Nr acknowledges what we sent (an Nr beyond what we sent is
 * counted in rx_bad_nr and ignored). Then its Ns is judged against ours:
 * the expected one is delivered (DELIVER: process |pkt| now, then drain
 * l2tp_xport_pop()); an earlier one is a duplicate (DUP); a later one inside
 * our window is copied and held (HELD); anything further is dropped (DROP).
 * Every sequenced message schedules an ack (delayed for DELIVER and HELD,
 * at once for DUP, RFC 2661 §5.8).
 */
enum l2tp_xport_verdict l2tp_xport_rx(struct l2tp_xport *x, uint16_t ns, uint16_t nr, bool ack_only,
				      const uint8_t *pkt, size_t len, l2tp_time_t now);

/*
 * The next held message that is now in order, or NULL. The caller
 * processes m->data/m->len, then frees it with l2tp_xport_msg_free().
 */
struct l2tp_xport_msg *l2tp_xport_pop(struct l2tp_xport *x);
void l2tp_xport_msg_free(struct l2tp_xport *x, struct l2tp_xport_msg *m);

/*
 * Handle expired timers: a message whose retransmission time has come is
 * marked due (its timeout doubles, up to rto_max) and the congestion window
 * falls to 1 with ssthresh halved (Appendix A). Returns 0, or -ETIMEDOUT
 * when a message was not acknowledged after max_retries retransmissions:
 * the channel has failed and the owner must clean up the connection.
 */
int l2tp_xport_on_timeout(struct l2tp_xport *x, l2tp_time_t now);

/*
 * Write the next datagram to send into |out|/|cap|: a due retransmission,
 * else a new message if the window allows (min of cwnd and peer window),
 * else an acknowledgement whose time has come. Returns its length, 0 when
 * there is nothing to send now, -ENOSPC if |cap| is too small, -EPIPE once
 * the channel failed, or the negative returns of the ops.
 */
ssize_t l2tp_xport_write_pkt(struct l2tp_xport *x, uint8_t *out, size_t cap, l2tp_time_t now);

/* True when write_pkt would return a datagram at |now|. */
bool l2tp_xport_want_write(const struct l2tp_xport *x, l2tp_time_t now);

/*
 * When l2tp_xport_on_timeout() or write_pkt() next has work: the earliest
 * retransmission time or ack time; |now| if something can be sent now;
 * L2TP_TIME_NEVER if nothing is pending.
 */
l2tp_time_t l2tp_xport_next_deadline(const struct l2tp_xport *x, l2tp_time_t now);

/* Acknowledge what was received at the next write_pkt, without delay. */
void l2tp_xport_ack_now(struct l2tp_xport *x, l2tp_time_t now);

/* Nothing queued, in flight or waiting for an ack. */
bool l2tp_xport_idle(const struct l2tp_xport *x);

/* Messages queued or in flight (not yet acknowledged). */
size_t l2tp_xport_pending(const struct l2tp_xport *x);

/*
 * The time a message takes to exhaust its retries from its first
 * transmission: rto_init doubling up to rto_max, max_retries + 1 waits
 * (1+2+4+8+8+8 = 31 s with the defaults). RFC 3931 §4.2 asks the side that
 * receives a StopCCN to keep the connection's state this long, so that
 * retransmitted StopCCNs are acknowledged.
 */
l2tp_time_t l2tp_xport_full_cycle(const struct l2tp_xport *x);

/* The current retransmission timeout for a first transmission. */
l2tp_time_t l2tp_xport_rto(const struct l2tp_xport *x);

#endif /* L2TP_XPORT_H */
