/* SPDX-License-Identifier: MIT */
/*
 * simnet.h - a deterministic simulated network for the simulation tests, in
 * the spirit of picoquic's sim_link: numbered nodes, a link model per
 * direction (loss, duplication, reordering, delay, jitter, MTU), an event
 * queue in virtual time and a seeded random generator, so several protocol
 * endpoints can talk inside one process and a seed replays a run exactly.
 *
 * It moves opaque datagrams between nodes and knows nothing about L2TP.
 * Nothing here reads a clock: time is whatever the caller passes as |now|.
 * Determinism rests on two things: every random draw comes from the one
 * generator seeded in sim_new(), in an order fixed by the calls made, and
 * deliveries due at the same time come out in the order they were queued.
 *
 * Test code only: bad node numbers abort (a test bug, not a condition to
 * handle), allocation failure is reported.
 */
#ifndef L2TP_SIMNET_H
#define L2TP_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <l2tp/types.h>

#define SIM_MAX_NODES 16
#define SIM_MAX_DGRAM 65535
/*
 * At most this many deliveries queued at once: a sender that never stops
 * gets -ENOBUFS instead of eating the machine's memory.
 */
#define SIM_MAX_PENDING ((size_t)1 << 20)
/* Node names longer than this are cut (they only label logs). */
#define SIM_NAME_MAX 31

/* ---- random numbers ---------------------------------------------------- */

/* xorshift64*: small, fast, and the same sequence on every platform. */
struct sim_rng {
	uint64_t s;
};

/* Any seed is fine, 0 included (it is mixed into a nonzero state). */
void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in 0..n-1; 0 when n is 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/* Uniform in [0, 1), 53 bits. */
double sim_rng_unit(struct sim_rng *r);

/*
 * The seed for a run: SIM_SEED from the environment if set (decimal, or
 * hexadecimal with 0x), else |fallback|. Prints "sim: seed=N (replay with
 * SIM_SEED=N)" to stderr on every call, so a failing run's log says how to
 * replay it. A SIM_SEED that does not parse is reported and |fallback| used.
 */
uint64_t sim_seed(uint64_t fallback);

/* ---- links ------------------------------------------------------------- */

/*
 * One direction of a link. Every sim_send() applies, in this order:
 *   mtu     datagrams longer than mtu bytes are dropped (0 = no limit);
 *   loss    probability the datagram is dropped;
 *   delay   base one-way delay, plus jitter: uniform extra 0..jitter;
 *   reorder probability it is held back by a uniform extra 0..3*delay+jitter,
 *           so datagrams sent after it can overtake it;
 *   dup     probability a second copy follows, a uniform 0..delay+jitter
 *           after the first.
 * Probabilities of 0 and 1 are exact (no draw is made for 0).
 */
struct sim_link {
	double loss;
	double dup;
	double reorder;
	l2tp_time_t delay;
	l2tp_time_t jitter;
	size_t mtu;
};

/*
 * Counters of one direction. Always
 *   sent + duplicated == dropped_loss + dropped_mtu + delivered + cleared
 *                        + (copies still queued).
 */
struct sim_link_stats {
	uint64_t sent;		/* datagrams handed to sim_send() */
	uint64_t dropped_loss;	/* dropped by |loss| */
	uint64_t dropped_mtu;	/* dropped for exceeding |mtu| */
	uint64_t duplicated;	/* second copies scheduled */
	uint64_t reordered;	/* held back by |reorder| */
	uint64_t delivered;	/* copies taken by sim_pop() */
	uint64_t cleared;	/* copies thrown away by sim_clear() */
};

/* One delivery taken out of the queue. */
struct sim_dgram {
	int from, to;
	l2tp_time_t at;		/* when it arrives at |to| */
	uint8_t *data;		/* owned by the caller: free() or sim_dgram_free() */
	size_t len;
};

struct simnet;

/* ---- the network ------------------------------------------------------- */

/* A network with no nodes; NULL if out of memory. */
struct simnet *sim_new(uint64_t seed);
/* Frees queued datagrams and closes a capture. NULL is fine. */
void sim_free(struct simnet *n);

/* Add a node; returns its index (0, 1, ... in call order), -ENOSPC after SIM_MAX_NODES. */
int sim_add_node(struct simnet *n, const char *name);
/* The name given to sim_add_node() (cut to SIM_NAME_MAX), "?" for a bad index. */
const char *sim_node_name(const struct simnet *n, int node);

/*
 * Set the link from |from| to |to| (one direction). Until set, every pair
 * has the default: no loss, no duplication, no reordering, 1 ms delay, no
 * jitter, no MTU; a NULL |l| puts that default back. Affects datagrams
 * sent afterwards only.
 */
void sim_link_set(struct simnet *n, int from, int to, const struct sim_link *l);
/* The counters of the direction |from| -> |to|; NULL for a bad index. */
const struct sim_link_stats *sim_link_stats(const struct simnet *n, int from, int to);
/*
 * The network's generator, for a test that wants more randomness derived
 * from the same seed. Drawing from it changes later link decisions.
 */
struct sim_rng *sim_rng(struct simnet *n);

/*
 * Hand |len| bytes (copied; at most SIM_MAX_DGRAM) to the link from |from|
 * to |to| at time |now|: writes them to the capture if one is open, applies
 * the link model and queues zero, one or two deliveries. Returns how many
 * were queued (0, 1 or 2), -EINVAL for a bad node or a NULL |pkt| with a
 * nonzero |len|, -EMSGSIZE for len > SIM_MAX_DGRAM, -ENOBUFS when
 * SIM_MAX_PENDING are queued (these four before anything is counted,
 * captured or drawn), -ENOMEM (then at most the first copy was queued).
 */
int sim_send(struct simnet *n, int from, int to, const uint8_t *pkt, size_t len, l2tp_time_t now);

/* When the earliest queued delivery is due; L2TP_TIME_NEVER if none. */
l2tp_time_t sim_next_time(const struct simnet *n);

/*
 * Take the earliest delivery due at or before |until| into |out| (ties in
 * the order they were queued). Returns false, leaving |out| alone, if none
 * is due. The caller owns out->data. A NULL |out| discards the delivery
 * (it still counts as delivered).
 */
bool sim_pop(struct simnet *n, l2tp_time_t until, struct sim_dgram *out);
/* free(d->data) and clear it; safe to call twice. */
void sim_dgram_free(struct sim_dgram *d);

/* Number of queued deliveries. */
size_t sim_pending(const struct simnet *n);
/* Drop every queued delivery (a node crashed, or the test resets the wire). */
void sim_clear(struct simnet *n);

/* ---- capture ----------------------------------------------------------- */

/*
 * Write every datagram given to sim_send() from now on, as sent (before
 * the link model decides its fate), to a classic pcap file at |path|:
 * LINKTYPE_RAW, nanosecond timestamps equal to the virtual time |now|, each
 * datagram wrapped in IPv4 (or IPv6 when |ipv6|) and UDP 1701 -> 1701 (or
 * directly in IP protocol 115, L2TPv3 over IP, when !|udp|), with correct
 * checksums. Only nodes 0 and 1 are captured, as 192.0.2.1 and 198.51.100.1
 * (2001:db8::1 and ::2): the addresses of tests/interop/pcap.h.
 * A datagram too long to wrap (over 65507 bytes for IPv4/UDP) is left out.
 * Replaces a capture already open. Returns 0, or -errno if |path| cannot
 * be written.
 */
int sim_capture_open(struct simnet *n, const char *path, bool ipv6, bool udp);
/*
 * Close the capture. Returns 0, or -EIO if any write or the close failed
 * (so a test sees a short capture). 0 when none is open.
 */
int sim_capture_close(struct simnet *n);
/* Records written to the open (or last) capture. */
uint64_t sim_capture_count(const struct simnet *n);

#endif /* L2TP_SIMNET_H */
