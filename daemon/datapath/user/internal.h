/* SPDX-License-Identifier: MIT */
/*
 * daemon/datapath/user/internal.h - the userspace datapath: TAP <-> UDP or
 * IP/115 sockets through lib/dp.c, with the kernel's offloads, on one or
 * more workers. What its parts share: limits, structures, functions.
 *
 *   TAP readable    -> read() one frame with its virtio-net header (a TCP
 *                      frame of up to 64 KiB when the kernel used TSO)
 *                   -> l2tp_tso_next(): MTU-sized Ethernet frames, each
 *                      written right after room for the L2TP header
 *                   -> l2tp_dp_encap() per segment (seq, cookie each)
 *                   -> sendmmsg(): UDP with checksums: the segments of
 *                      one frame in one message with UDP_SEGMENT (GSO);
 *                      otherwise (IP encap, udp_csum off) one datagram each
 *   socket readable -> recvmmsg() (UDP_GRO: one buffer may hold several
 *                      datagrams of gso_size bytes, the last shorter)
 *                   -> per datagram l2tp_wire_classify() -> session by id
 *                      (per tunnel over UDP; per address family over IP,
 *                      RFC 3931 §4.1.1.1) -> l2tp_dp_decap()
 *                   -> l2tp_gro_add(): in-order TCP segments of one
 *                      session joined -> one write() with a virtio-net
 *                      header per joined frame
 *
 * Workers. With one worker (the default) everything runs on the daemon's
 * event loop. With N > 1, each worker is a thread with its own event loop,
 * buffers, io_uring and sockets, and nothing on the packet path is shared:
 *   - a session's TAP has N queues (IFF_MULTI_QUEUE), one per worker; the
 *     kernel sends each flow out of one queue, so each worker reads and
 *     encapsulates the flows of its queue with its own copy of the session
 *     (its own counters);
 *   - a session is received by one worker, its home: a UDP tunnel has N
 *     sockets in one SO_REUSEPORT group, one per worker, whose classic BPF
 *     program hands every datagram to the socket of the tunnel's home
 *     worker (the kernel's UDP GRO joins datagrams of a tunnel whatever
 *     their session, so the unit of receiving is the tunnel; tunnels are
 *     spread over the workers); over IP, each worker's raw IP/115 socket
 *     filters on session id % N, the session's home. The home worker
 *     writes each received flow to the TAP queue of the worker that flow
 *     hashes to, and the kernel answers the flow on that queue;
 *   - a session that sends sequence numbers must number its packets in
 *     the order they leave: its other queues are detached (TUNSETQUEUE) and
 *     the home worker alone carries it;
 *   - the control plane stays single-threaded: it creates every fd, then
 *     asks each worker, one synchronous call at a time through a mailbox,
 *     to take up, change, count or drop its part; counters are summed over
 *     the workers when read.
 *
 * Memory is fixed at start, per worker, shared by its sessions:
 *   small pool  POOL_SLOTS x SLOT_SIZE   IP-encap receive, reorder copies
 *   big pool    BIG_SLOTS x BIG_SIZE     UDP receive (64 KiB GRO datagrams)
 *   TX          one TAP read buffer (64 KiB) + TX_ARENA for the segments
 *   RX          one GRO buffer (64 KiB), TAPQ_ARENA of TAP writes
 *   io_uring    TXR_BUFS TAP read buffers
 * i.e. about 27 MiB per worker, however many sessions; nothing is
 * allocated per packet. (Kernel socket buffers: up to SOCK_BUF_BYTES each
 * way per socket.)
 *
 * A big receive slot holds many packets: each packet handed to a session
 * holds a pool reference, so one that waits in a reorder queue keeps only
 * its slot. Sessions that reorder (reorder_timeout > 0) get their packets
 * copied into small slots instead, so that a queue cannot pin 64 KiB slots.
 *
 * Counters follow the kernel: a session counts what lib/dp.c counts, i.e.
 * wire packets (segments), never joined or unsegmented frames; a tunnel
 * counts what reached or left its sessions plus what could not be matched
 * to any (rx_invalid), and keeps the counts of deleted sessions.
 * Per-packet problems are counted and logged through a rate limit, never
 * one line per packet.
 *
 * The parts, one file each in this folder:
 *   datapath.c  the ops table: tunnels, sessions, counters, start and stop
 *   workers.c   worker threads and the control plane's mailbox to them
 *   sockets.c   tunnel sockets: UDP groups and steering, raw IP sockets
 *   rx.c        receive: classify, session tables, reorder, GRO, TAP writes
 *   tx.c        transmit: TSO segments, encap, sendmmsg batches with GSO
 *   taps.c      TAP reads (epoll or io_uring), queues, deleted interfaces
 */
#ifndef L2TPD_DATAPATH_USER_INTERNAL_H
#define L2TPD_DATAPATH_USER_INTERNAL_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <l2tp/api.h>
#include <l2tp/dp.h>
#include <l2tp/offload.h>

#include "../../datapath.h"
#include "../../log.h"
#include "../../loop.h"
#include "../../pool.h"
#include "../../sock.h"
#include "../../tap.h"
#include "../../tapq.h"

#define VNET L2TPD_TAP_VNET_HDR_LEN
#define RX_BATCH 32
#define POOL_SLOTS 2048
/* Room for a jumbo frame plus the L2TP and (raw IPv4) outer IP headers. */
#define HEADROOM 128
#define SLOT_SIZE (HEADROOM + 9216 + 64)
/* A UDP datagram (GRO or not) is at most 65507 bytes. */
#define BIG_SLOTS 64
#define BIG_SIZE (HEADROOM + 65536)
/* One TAP read: header + a 64 KiB TSO frame (+ a VLAN tag, + slack). */
#define TAP_READ_MAX (VNET + 65536 + 256)
/* Segments of the TAP frames of one callback, encapsulated, back to back. */
#define TX_ARENA (512 * 1024)
#define TX_MAX_MSGS 512
/* TAP reads and bytes per callback, so that other fds get their turn. */
#define TX_MAX_READS 16
#define TX_BUDGET (1024 * 1024)
/* UDP_SEGMENT limits: UDP_MAX_SEGMENTS, and one IP datagram per message. */
#define GSO_MAX_SEGS 64
#define GSO_MAX_BYTES 65000
#define SOCK_BUF_BYTES (4 * 1024 * 1024)
#define GRO_CAP 65535
/* Frames written to the TAPs per system call: see tapq.h. */
#define TAPQ_ARENA (256 * 1024)
/*
 * TAP reads through io_uring: TXR_READS reads kept outstanding per
 * session, each taking one of TXR_BUFS shared buffers (a provided-buffer
 * ring, group TXR_BGID) only when a frame is there; at most TXR_BUDGET
 * completions per callback so that other fds get their turn.
 */
#define TXR_BUFS 64
#define TXR_READS 8
#define TXR_BGID 1
#define TXR_BUDGET 256
#define TXR_SQ 256
#define TXR_CQ 4096
/* user_data of a cancel request (sessions are pointers, never 1) */
#define TXR_TAG_CANCEL 1
/* Linux 6.7's multishot read; liburing 2.3 (Debian 12) predates it. */
#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49
#endif
/* Sessions of a tunnel (UDP) or an address family (IP) on one worker. */
#define TAB_BUCKETS 256

struct us_dp;
struct us_worker;
struct us_tunnel;
struct us_session;

/* One worker's part of a session: its TAP queue, its copy of the state. */
struct us_rep {
	struct us_worker *w;
	struct us_session *sh;
	struct us_tsock *ts;
	uint32_t conn_id, session_id; /* for log lines */
	char ifname[IFNAMSIZ];
	int tap_fd; /* this worker's queue (owned by the control plane) */
	bool home; /* receives the session's packets */
	bool spread; /* home: write each flow to the queue it hashes to */
	bool ppp; /* a PPP session: no TAP, frames to and from dp->ppp_rx / session_send */
	bool reading; /* reads the queue (not detached, not gone) */
	bool gone; /* the interface was deleted */
	struct l2tpd_watch *watch;
	struct l2tpd_timer reorder;
	struct l2tp_dp_session dp;
	/* io_uring TAP reads outstanding; a deleted session waits for them */
	unsigned int reads;
	bool multishot; /* its reads are multishot ones */
	bool dead;
	int adopt_err; /* read_start()'s error when the worker took it up */
	struct us_rep *next_zombie;
	struct us_rep *hnext; /* in the home worker's session table */
};

/* A session (control plane). The fds and |rep| change only while no worker runs it. */
struct us_session {
	struct us_dp *u;
	struct l2tpd_session *s;
	struct us_tunnel *ut;
	unsigned int home;
	bool single; /* only the home queue is attached (send_seq) */
	atomic_bool gone; /* set by a worker: the interface was deleted */
	int fds[L2TPD_MAX_WORKERS];
	struct us_rep *rep[L2TPD_MAX_WORKERS];
};

/* One worker's part of a tunnel. */
struct us_tsock {
	struct us_worker *w;
	struct us_tunnel *ut;
	int fd; /* UDP only; IP encap uses the worker's socket of the family */
	struct l2tpd_watch *watch;
	bool gso; /* UDP_SEGMENT usable (checksums on; not refused yet) */
	struct l2tp_api_stats own; /* unmatched packets + deleted sessions */
	struct l2tpd_ratelimit rl;
	struct us_rep *tab[TAB_BUCKETS]; /* home sessions, UDP */
};

struct us_tunnel {
	struct us_dp *u;
	struct l2tpd_tunnel *t;
	int family;
	enum l2tp_encap encap;
	bool connected; /* UDP with one worker: a connected socket */
	unsigned int home; /* UDP: the worker that receives (and its sessions' home) */
	union l2tpd_addr local, peer;
	struct us_tsock *ts[L2TPD_MAX_WORKERS];
};

/* Receive batch: vectors pointing into pool slots. */
struct rx_batch {
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct l2tp_dp_buf buf[RX_BATCH];
	union l2tpd_addr addr[RX_BATCH];
	union {
		struct cmsghdr align;
		uint8_t b[64];
	} cmsg[RX_BATCH];
};

/*
 * Transmit queue: messages over TX_ARENA. A message is one datagram, or
 * with GSO up to GSO_MAX_SEGS datagrams of |seglen| bytes (the last may be
 * shorter) that lie back to back in the arena: one iovec each.
 */
struct tx_queue {
	struct mmsghdr msg[TX_MAX_MSGS];
	struct iovec iov[TX_MAX_MSGS];
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(uint16_t))];
	} cmsg[TX_MAX_MSGS];
	uint32_t seglen[TX_MAX_MSGS];
	uint16_t nseg[TX_MAX_MSGS];
	uint16_t frame[TX_MAX_MSGS]; /* TAP frame the segments came from */
	bool closed[TX_MAX_MSGS]; /* a short segment ended the message */
	unsigned int n;
	size_t pos; /* arena bytes used */
	/* one message per datagram, when a GSO message is refused */
	struct mmsghdr one_msg[GSO_MAX_SEGS];
	struct iovec one_iov[GSO_MAX_SEGS];
	/* IP encap and unconnected UDP: every message goes to one peer */
	bool named;
	union l2tpd_addr peer;
	union {
		struct cmsghdr align;
		uint8_t b[64];
	} pktinfo;
	size_t pktinfo_len;
};

typedef void us_call_fn(struct us_worker *w, void *arg);

struct us_worker {
	struct us_dp *u;
	unsigned int idx;
	struct l2tpd_loop *loop;
	/* a thread of its own, or (one worker) the daemon's loop */
	bool threaded, started;
	pthread_t thread;
	/* the mailbox: one synchronous call at a time from the control plane */
	int efd;
	struct l2tpd_watch *mb_w;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	us_call_fn *call;
	void *call_arg;
	bool call_done;

	struct l2tpd_pool pool; /* small slots */
	struct l2tpd_pool big; /* 64 KiB receive slots */
	int ip_fd[2]; /* [0] IPv4, [1] IPv6 raw sockets (owned by the control plane) */
	struct l2tpd_watch *ip_w[2];
	struct us_rep *ip_tab[2][TAB_BUCKETS]; /* home sessions over IP */
	struct l2tpd_ratelimit rl;
	struct rx_batch rx;
	struct tx_queue tx;
	uint8_t *tap_rd; /* TAP_READ_MAX */
	uint8_t *arena; /* TX_ARENA */
	/* Joining received frames of gro_owner for one TAP write. */
	struct l2tp_gro gro;
	struct us_rep *gro_owner;
	uint8_t *gro_buf; /* VNET + GRO_CAP: header, then the joined frame */
	/* What one receive callback delivers, written to the TAPs at its end. */
	struct l2tpd_tapq tapq;
	/* TAP reads through io_uring (NULL: epoll and one read() each). */
	struct io_uring *txr;
	struct io_uring_buf_ring *br;
	uint8_t *txr_bufs; /* TXR_BUFS x TAP_READ_MAX */
	struct l2tpd_watch *txr_w;
	bool txr_multishot; /* one multishot read per session, else TXR_READS */
	struct us_rep *zombies; /* deleted, reads still outstanding */
};

struct us_dp {
	struct l2tpd_datapath base;
	struct l2tpd_loop *loop;
	struct l2tpd_registry *reg;
	unsigned int nw;
	struct us_worker *w[L2TPD_MAX_WORKERS];
	/* raw IP/115 sockets: one per worker and family, while IP tunnels exist */
	unsigned int ip_users[2];
	unsigned int udp_tunnels[L2TPD_MAX_WORKERS]; /* received by each worker */
	/* a worker found an interface deleted: clear the session's name */
	int gone_efd;
	struct l2tpd_watch *gone_w;
};

static inline int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* rx.c */
/* Drop one reference to a buffer of either pool. */
void recycle(struct us_worker *w, struct l2tp_dp_buf *b);
/* Add |r| to / remove it from a session table of its home worker. */
void tab_add(struct us_rep **tab, struct us_rep *r);
void tab_del(struct us_rep **tab, struct us_rep *r);
/* The table that finds |r| on its home worker. */
struct us_rep **rep_tab(struct us_rep *r);
/* The TAP queue's callback for a frame it could not write. */
void tap_write_failed(void *owner, int err);
/* Queue the frame joined so far for its session's TAP. */
void gro_out(struct us_worker *w);
/* A session's reorder timer: let the waiting packets go. */
void reorder_timeout(struct l2tpd_timer *t, l2tp_time_t now, void *arg);
/* A tunnel's UDP socket is readable. */
void udp_cb(struct l2tpd_watch *wt, uint32_t events, void *arg);
/* A worker's raw IP/115 socket is readable. */
void ip_cb(struct l2tpd_watch *wt, uint32_t events, void *arg);

/* tx.c */
/* The socket |r| sends on, with the transmit queue set up for it. */
int tx_begin(struct us_rep *r);
/* Cut a frame read from the TAP into wire packets and queue them. */
void tx_frame(struct us_rep *r, int fd, const uint8_t *rd, size_t len, uint16_t frame);
/* Send everything queued for |r| and empty the queue. */
void tx_flush(struct us_rep *r, int fd);
/* Encapsulate and send one payload (a PPP frame) of |r| now. 0 or -errno. */
int tx_one(struct us_rep *r, const uint8_t *payload, size_t len);

/* taps.c */
/* Set up / tear down a worker's io_uring for TAP reads. */
void txr_init(struct us_worker *w);
void txr_fini(struct us_worker *w);
/* Start reading the worker's queue of the session. Returns 0 or -errno. */
int read_start(struct us_rep *r);
/* Stop reading it. */
void read_stop(struct us_rep *r);
/* Attach the TAP queues of the workers other than home, or detach them. */
int queues_enable(struct us_session *sh, bool on);
/* A worker found a session's interface deleted: forget its name. */
void gone_cb(struct l2tpd_watch *wt, uint32_t events, void *arg);

/* sockets.c */
/* Take / release the raw IP/115 sockets of |family|, one per worker. */
int ip_sock_get(struct us_dp *u, int family);
void ip_sock_put(struct us_dp *u, int family);
/* On each worker: watch / stop watching its UDP socket of a tunnel. */
void tsock_adopt(struct us_worker *w, void *arg);
void tsock_drop(struct us_worker *w, void *arg);
/* The tunnel's UDP sockets: one connected one, or a steered group. */
int udp_open(struct us_dp *u, struct us_tunnel *ut, const struct l2tpd_udp_opts *o);

/* workers.c */
/* Run |fn| on worker |w| and return when it has run. */
void worker_call(struct us_worker *w, us_call_fn *fn, void *arg);
/* The same on every worker, in order. */
void call_all(struct us_dp *u, us_call_fn *fn, void *arg);
/* A worker thread's body: its event loop. */
void *worker_main(void *arg);
/* On a worker: leave its event loop. */
void worker_stop(struct us_worker *w, void *arg);
/* Worker |idx|: on |loop|, or with a loop (and later a thread) of its own. */
struct us_worker *worker_new(struct us_dp *u, unsigned int idx, struct l2tpd_loop *loop);
/* Free a worker (its thread stopped). */
void worker_free(struct us_worker *w);

#endif /* L2TPD_DATAPATH_USER_INTERNAL_H */
