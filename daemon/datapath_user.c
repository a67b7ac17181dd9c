// SPDX-License-Identifier: MIT
/*
 * daemon/datapath_user.c - the userspace datapath: TAP <-> UDP or IP/115
 * sockets through lib/dp.c, with the kernel's offloads, on one or more
 * workers.
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
 */
#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <l2tp/api.h>
#include <l2tp/dp.h>
#include <l2tp/offload.h>
#include <l2tp/wire.h>

#include "clock.h"
#include "datapath.h"
#include "log.h"
#include "loop.h"
#include "mtu.h"
#include "pool.h"
#include "registry.h"
#include "sock.h"
#include "tap.h"
#include "tapq.h"

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

static int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* Drop one reference to a buffer of either pool. */
static void recycle(struct us_worker *w, struct l2tp_dp_buf *b)
{
	struct l2tpd_pool *p = l2tpd_pool_owns(&w->big, b) ? &w->big : &w->pool;

	if (l2tpd_pool_put(p, b) < 0)
		log_warnx_rl(&w->rl, l2tpd_clock_now(), "datapath: bad buffer returned to pool");
}

/* ---- workers --------------------------------------------------------------- */

/*
 * Run |fn| on worker |w| and return when it has run. The control plane
 * (the only caller) waits; a worker never waits for the control plane, and
 * its callbacks never block, so the wait is short.
 */
static void worker_call(struct us_worker *w, us_call_fn *fn, void *arg)
{
	uint64_t one = 1;

	if (!w->threaded) {
		fn(w, arg);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->call = fn;
	w->call_arg = arg;
	w->call_done = false;
	pthread_mutex_unlock(&w->mu);
	while (write(w->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&w->mu);
	while (!w->call_done) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT && !w->call_done)
			log_warnx("datapath: worker %u has not answered for 5 s", w->idx);
	}
	pthread_mutex_unlock(&w->mu);
}

/* The same on every worker, in order. */
static void call_all(struct us_dp *u, us_call_fn *fn, void *arg)
{
	for (unsigned int i = 0; i < u->nw; i++)
		worker_call(u->w[i], fn, arg);
}

static void mailbox_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_worker *w = arg;
	uint64_t v;
	us_call_fn *fn;
	void *a;

	(void)wt;
	(void)events;
	if (read(w->efd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&w->mu);
	fn = w->call;
	a = w->call_arg;
	w->call = NULL;
	pthread_mutex_unlock(&w->mu);
	if (!fn)
		return;
	fn(w, a);
	pthread_mutex_lock(&w->mu);
	w->call_done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void *worker_main(void *arg)
{
	struct us_worker *w = arg;
	char name[16];
	int rc;

	/* "l2tpd/w1": what ps -T and /proc/PID/task/TID/comm show */
	snprintf(name, sizeof(name), "l2tpd/w%u", w->idx);
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
	rc = l2tpd_loop_run(w->loop);
	if (rc < 0)
		log_warnx("datapath: worker %u: event loop: %s", w->idx, strerror(-rc));
	return NULL;
}

static void worker_stop(struct us_worker *w, void *arg)
{
	(void)arg;
	l2tpd_loop_stop(w->loop);
}

/* ---- session tables -------------------------------------------------------- */

static struct us_rep **tab_slot(struct us_rep **tab, uint32_t sid)
{
	return &tab[(sid ^ (sid >> 8) ^ (sid >> 16)) % TAB_BUCKETS];
}

static struct us_rep *tab_find(struct us_rep **tab, uint32_t sid)
{
	for (struct us_rep *r = *tab_slot(tab, sid); r; r = r->hnext)
		if (r->session_id == sid)
			return r;
	return NULL;
}

static void tab_add(struct us_rep **tab, struct us_rep *r)
{
	struct us_rep **p = tab_slot(tab, r->session_id);

	r->hnext = *p;
	*p = r;
}

static void tab_del(struct us_rep **tab, struct us_rep *r)
{
	for (struct us_rep **p = tab_slot(tab, r->session_id); *p; p = &(*p)->hnext) {
		if (*p == r) {
			*p = r->hnext;
			return;
		}
	}
}

/* The table that finds |r| on its home worker. */
static struct us_rep **rep_tab(struct us_rep *r)
{
	struct us_tunnel *ut = r->sh->ut;

	if (ut->encap == L2TP_ENCAP_IP)
		return r->w->ip_tab[fam_idx(ut->family)];
	return r->ts->tab;
}

/* ---- receive: socket -> TAP ---------------------------------------------- */

/* A hash of the IP flow (addresses, protocol, ports) of an Ethernet frame. */
static uint32_t flow_hash(const uint8_t *f, size_t len)
{
	size_t off = 12, l4 = 0;
	uint32_t h = 2166136261u;
	unsigned int type, proto = 0;
	const uint8_t *a = NULL;
	size_t alen = 0;

	if (len < 14)
		return 0;
	type = (unsigned int)f[12] << 8 | f[13];
	if (type == 0x8100 && len >= 18) {
		off = 16;
		type = (unsigned int)f[16] << 8 | f[17];
	}
	off += 2;
	if (type == 0x0800 && len >= off + 20) {
		size_t ihl = (size_t)(f[off] & 0x0f) * 4;
		bool frag = (f[off + 6] & 0x3f) || f[off + 7];

		proto = f[off + 9];
		a = f + off + 12;
		alen = 8;
		if (!frag && ihl >= 20)
			l4 = off + ihl;
	} else if (type == 0x86dd && len >= off + 40) {
		proto = f[off + 6];
		a = f + off + 8;
		alen = 32;
		l4 = off + 40;
	} else {
		return 0;
	}
	for (size_t i = 0; i < alen; i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ proto) * 16777619u;
	if (l4 && (proto == 6 || proto == 17) && len >= l4 + 4) {
		for (size_t i = 0; i < 4; i++)
			h = (h ^ f[l4 + i]) * 16777619u;
	}
	/*
	 * FNV-1a leaves the low bits, which pick the queue, to the low bits
	 * of the last bytes, and Linux gives connect() even ports: mix well
	 * (MurmurHash3's finaliser) or every flow of a host may share a queue.
	 */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/*
 * The TAP queue a received frame of |r| (its home copy) is written to: the
 * queue of the worker its flow hashes to, where the kernel will then send
 * the flow's answers; the home queue when the session is carried by one.
 */
static int rx_fd(const struct us_rep *r, const uint8_t *f, size_t len)
{
	const struct us_session *sh = r->sh;

	if (!r->spread)
		return r->tap_fd;
	return sh->fds[flow_hash(f, len) % sh->u->nw];
}

/* A frame the TAP queue could not write (a TAP that is down answers EIO). */
static void tap_write_failed(void *owner, int err)
{
	struct us_rep *r = owner;

	r->dp.stats.rx_errors++;
	if (err == EIO || r->gone)
		return; /* the interface is down: counted, as the kernel does */
	log_warnx_rl(&r->ts->rl, l2tpd_clock_now(), "tunnel %u session %u: write to %s: %s",
		     r->conn_id, r->session_id, r->ifname, strerror(err));
}

/*
 * Queue the frame joined so far for its session's TAP. A single frame is
 * copied into the TAP queue; a joined one (up to 64 KiB) is written from
 * the GRO buffer, with whatever the queue holds, before the buffer is
 * reused.
 */
static void gro_out(struct us_worker *w)
{
	struct us_rep *r = w->gro_owner;
	unsigned int count = w->gro.count;
	struct virtio_net_hdr vh;
	size_t len;
	int fd;

	w->gro_owner = NULL;
	len = l2tp_gro_flush(&w->gro, &vh);
	if (!r || !len)
		return;
	if (r->gone) {
		r->dp.stats.rx_errors += count ? count : 1;
		return;
	}
	fd = rx_fd(r, w->gro_buf + VNET, len);
	if (count <= 1 && l2tpd_tapq_add(&w->tapq, fd, &vh, VNET, w->gro_buf + VNET, len, r) == 0)
		return;
	memcpy(w->gro_buf, &vh, VNET);
	l2tpd_tapq_add_ref(&w->tapq, fd, w->gro_buf, VNET + len, r);
	l2tpd_tapq_flush(&w->tapq);
}

/* Queue one frame for the TAP as it is (a zero virtio-net header). */
static void write_one(struct us_rep *r, const uint8_t *f, size_t len)
{
	struct virtio_net_hdr vh = {0};
	struct iovec iov[2] = {{&vh, VNET}, {(void *)f, len}};
	int fd = rx_fd(r, f, len);

	if (!r->gone && l2tpd_tapq_add(&r->w->tapq, fd, &vh, VNET, f, len, r) == 0)
		return;
	/* Too large for the queue: write it now, after what is queued. */
	l2tpd_tapq_flush(&r->w->tapq);
	if (r->gone || writev(fd, iov, 2) < 0)
		r->dp.stats.rx_errors++;
}

/* Hand one decapsulated frame to the TAP (joined with its neighbours). */
static void deliver(struct us_rep *r, const struct l2tp_dp_buf *b)
{
	struct us_worker *w = r->w;
	const uint8_t *f = b->data + b->off;

	if (w->gro_owner != r)
		gro_out(w); /* frames of different sessions never join */
	w->gro_owner = r;
	if (l2tp_gro_add(&w->gro, f, b->len) == 1)
		return;
	gro_out(w);
	w->gro_owner = r;
	if (l2tp_gro_add(&w->gro, f, b->len) == 1)
		return;
	/* Not even an empty one took it (too large): never truncate. */
	w->gro_owner = NULL;
	write_one(r, f, b->len);
}

static void drain_reorder(struct us_rep *r, l2tp_time_t now)
{
	struct l2tp_dp_buf b;

	while (l2tp_dp_pop(&r->dp, now, &b)) {
		deliver(r, &b);
		recycle(r->w, &b);
	}
	l2tpd_timer_set(r->w->loop, &r->reorder, l2tp_dp_next_deadline(&r->dp));
}

static void reorder_timeout(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct us_rep *r = arg;

	(void)t;
	drain_reorder(r, now);
	gro_out(r->w);
	l2tpd_tapq_flush(&r->w->tapq);
}

/*
 * One packet of |r|, |b| holding one pool reference that this takes over:
 * returned here, or when the reorder queue lets the packet go.
 */
static void rx_session(struct us_rep *r, struct l2tp_dp_buf *b, l2tp_time_t now)
{
	struct us_worker *w = r->w;
	struct l2tp_diag d = {0};
	struct l2tp_dp_buf copy;

	if (r->dp.cfg.reorder_timeout && l2tpd_pool_owns(&w->big, b)) {
		/* Out-of-order packets may wait: keep them out of the big slots. */
		if (b->len > SLOT_SIZE - HEADROOM ||
		    l2tpd_pool_get(&w->pool, &copy, HEADROOM) < 0) {
			r->dp.stats.rx_errors++;
			recycle(w, b);
			return;
		}
		memcpy(copy.data + copy.off, b->data + b->off, b->len);
		copy.len = b->len;
		recycle(w, b);
		b = &copy;
	}
	switch (l2tp_dp_decap(&r->dp, b, now, &d)) {
	case L2TP_DP_DELIVER:
		deliver(r, b);
		recycle(w, b);
		break;
	case L2TP_DP_QUEUED:
		break;
	default:
		log_warnx_rl(&r->ts->rl, now, "tunnel %u session %u: dropped packet: %s",
			     r->conn_id, r->session_id, d.reason ? d.reason : "sequence");
		recycle(w, b);
		break;
	}
	if (l2tp_reorder_count(&r->dp.rq) || r->reorder.linked)
		drain_reorder(r, now);
}

/*
 * Classify one datagram of |ts| and find its session. Returns the session,
 * or NULL when it was dropped (and counted) here.
 */
static struct us_rep *rx_match(struct us_tsock *ts, const struct l2tp_dp_buf *b, l2tp_time_t now)
{
	struct us_tunnel *ut = ts->ut;
	struct l2tp_wire_class cl;
	struct l2tp_diag d = {0};
	struct us_rep *r;
	int rc;

	rc = l2tp_wire_classify(ut->encap, b->data + b->off, b->len, &cl, &d);
	if (rc < 0) {
		ts->own.rx_invalid++;
		log_warnx_rl(&ts->rl, now, "tunnel %u: dropped datagram of %zu bytes: %s",
			     ut->t->cfg.conn_id, b->len, l2tp_wire_strerror(rc));
		return NULL;
	}
	if (cl.ctrl && (ut->t->mt || ut->t->dying) && ut->u->base.ctrl_rx) {
		/* A managed tunnel: its control plane runs on this loop (one worker). */
		ut->u->base.ctrl_rx(ut->u->base.ctrl_arg, ut->t, b->data + b->off, b->len);
		return NULL;
	}
	if (cl.ctrl) {
		/* Static tunnels have no control connection (ip-l2tp(8)). */
		log_warnx_rl(&ts->rl, now, "tunnel %u: control message dropped (static tunnel)",
			     ut->t->cfg.conn_id);
		return NULL;
	}
	if (cl.version != ut->t->cfg.proto_version) {
		ts->own.rx_invalid++;
		log_warnx_rl(&ts->rl, now, "tunnel %u: dropped L2TPv%u data (tunnel is L2TPv%u)",
			     ut->t->cfg.conn_id, cl.version, ut->t->cfg.proto_version);
		return NULL;
	}
	r = tab_find(ts->tab, cl.session_id);
	if (!r) {
		ts->own.rx_invalid++;
		log_warnx_rl(&ts->rl, now, "tunnel %u: dropped data for unknown session %u",
			     ut->t->cfg.conn_id, cl.session_id);
	}
	return r;
}

/*
 * Take up to RX_BATCH slots of |p| and point the vectors at them. Returns
 * how many.
 */
static unsigned int rx_prepare(struct l2tpd_pool *p, struct rx_batch *bt, bool want_addr)
{
	unsigned int n = 0;

	while (n < RX_BATCH && l2tpd_pool_get(p, &bt->buf[n], HEADROOM) == 0) {
		struct l2tp_dp_buf *b = &bt->buf[n];
		struct msghdr *mh = &bt->msg[n].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		bt->iov[n].iov_base = b->data + b->off;
		bt->iov[n].iov_len = b->cap - b->off;
		mh->msg_iov = &bt->iov[n];
		mh->msg_iovlen = 1;
		mh->msg_control = bt->cmsg[n].b;
		mh->msg_controllen = sizeof(bt->cmsg[n].b);
		if (want_addr) {
			mh->msg_name = &bt->addr[n];
			mh->msg_namelen = sizeof(bt->addr[n]);
		}
		n++;
	}
	return n;
}

/* The UDP_GRO segment size of a received message, or 0 if none. */
static size_t gro_size(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int v = 0;

			memcpy(&v, CMSG_DATA(c),
			       c->cmsg_len - CMSG_LEN(0) < sizeof(v) ? c->cmsg_len - CMSG_LEN(0)
								     : sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

/* Is a datagram on an unconnected tunnel socket from the tunnel's peer? */
static bool from_peer(const struct us_tunnel *ut, const union l2tpd_addr *src)
{
	if (!l2tpd_addr_eq_host(src, &ut->peer))
		return false;
	if (ut->family == AF_INET6)
		return src->in6.sin6_port == ut->peer.in6.sin6_port;
	return src->in.sin_port == ut->peer.in.sin_port;
}

static void udp_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_tsock *ts = arg;
	struct us_tunnel *ut = ts->ut;
	struct us_worker *w = ts->w;
	struct rx_batch *bt = &w->rx;
	unsigned int n = rx_prepare(&w->big, bt, !ut->connected);
	l2tp_time_t now;
	int got;

	(void)wt;
	(void)events;
	if (n == 0) {
		/* Pool exhausted (reorder queues full): take one datagram and drop it. */
		uint8_t scratch[64];

		if (recv(ts->fd, scratch, sizeof(scratch), MSG_DONTWAIT) >= 0)
			ts->own.rx_errors++;
		return;
	}
	got = recvmmsg(ts->fd, bt->msg, n, MSG_DONTWAIT, NULL);
	now = l2tpd_clock_now();
	for (int i = 0; i < got; i++) {
		struct l2tp_dp_buf *b = &bt->buf[i];
		struct msghdr *mh = &bt->msg[i].msg_hdr;
		size_t len = bt->msg[i].msg_len, seg = gro_size(mh);
		char a[64];

		if (mh->msg_flags & MSG_TRUNC) {
			ts->own.rx_errors++;
			log_warnx_rl(&ts->rl, now, "tunnel %u: oversized datagram dropped",
				     ut->t->cfg.conn_id);
			recycle(w, b);
			continue;
		}
		if (!ut->connected && !from_peer(ut, &bt->addr[i])) {
			ts->own.rx_invalid++;
			log_warnx_rl(&ts->rl, now, "tunnel %u: dropped datagram from %s",
				     ut->t->cfg.conn_id,
				     l2tpd_addr_str(&bt->addr[i], a, sizeof(a)));
			recycle(w, b);
			continue;
		}
		if (seg == 0 || seg > len)
			seg = len;
		/* UDP GRO: datagrams of |seg| bytes back to back, the last shorter. */
		for (size_t off = 0;;) {
			struct l2tp_dp_buf p = *b;
			struct us_rep *r;

			p.off = b->off + off;
			p.len = len - off < seg ? len - off : seg;
			p.cap = p.off + p.len;
			r = rx_match(ts, &p, now);
			if (r && l2tpd_pool_ref(&w->big, &p) == 0)
				rx_session(r, &p, now);
			off += seg;
			if (seg == 0 || off >= len)
				break;
		}
		recycle(w, b);
	}
	for (unsigned int i = got > 0 ? (unsigned int)got : 0; i < n; i++)
		recycle(w, &bt->buf[i]);
	gro_out(w);
	l2tpd_tapq_flush(&w->tapq);
}

/* The destination address of a datagram on a raw socket (IP_PKTINFO). */
static bool pkt_dst(struct msghdr *mh, int family, union l2tpd_addr *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->sa.sa_family = (sa_family_t)family;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (family == AF_INET && c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->in.sin_addr = pi.ipi_addr;
			return true;
		}
		if (family == AF_INET6 && c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->in6.sin6_addr = pi.ipi6_addr;
			return true;
		}
	}
	return false;
}

/* One datagram on the worker's raw IP/115 socket of |family|. */
static void rx_ip(struct us_worker *w, int family, struct l2tp_dp_buf *b, struct msghdr *mh,
		  l2tp_time_t now)
{
	union l2tpd_addr *src = mh->msg_name, dst;
	struct l2tp_wire_class cl;
	struct us_tunnel *ut;
	struct us_rep *r;
	char a[64];
	int rc;

	if (family == AF_INET) {
		/* A raw IPv4 socket hands us the IP header too. */
		size_t ihl;

		if (b->len < 20)
			goto garbage;
		ihl = (size_t)(b->data[b->off] & 0x0f) * 4;
		if (ihl < 20 || ihl > b->len)
			goto garbage;
		b->off += ihl;
		b->len -= ihl;
	}
	rc = l2tp_wire_classify(L2TP_ENCAP_IP, b->data + b->off, b->len, &cl, NULL);
	if (rc < 0 || cl.ctrl) {
		if (rc < 0)
			log_warnx_rl(&w->rl, now, "ip encap: dropped datagram from %s: %s",
				     l2tpd_addr_str(src, a, sizeof(a)), l2tp_wire_strerror(rc));
		goto drop;
	}
	r = tab_find(w->ip_tab[fam_idx(family)], cl.session_id);
	if (!r) {
		log_warnx_rl(&w->rl, now, "ip encap: dropped data for unknown session %u from %s",
			     cl.session_id, l2tpd_addr_str(src, a, sizeof(a)));
		goto drop;
	}
	ut = r->sh->ut;
	/* One socket serves every IP tunnel: the addresses select the tunnel. */
	if (!l2tpd_addr_eq_host(src, &ut->peer) ||
	    (!l2tpd_addr_is_any(&ut->local) && pkt_dst(mh, family, &dst) &&
	     !l2tpd_addr_eq_host(&dst, &ut->local))) {
		r->ts->own.rx_invalid++;
		log_warnx_rl(&r->ts->rl, now, "tunnel %u: dropped data for session %u from %s",
			     r->conn_id, cl.session_id, l2tpd_addr_str(src, a, sizeof(a)));
		goto drop;
	}
	rx_session(r, b, now);
	return;
garbage:
	log_warnx_rl(&w->rl, now, "ip encap: dropped runt datagram");
drop:
	recycle(w, b);
}

static void ip_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_worker *w = arg;
	int fd = l2tpd_watch_fd(wt);
	int family = fd == w->ip_fd[1] ? AF_INET6 : AF_INET;
	struct rx_batch *bt = &w->rx;
	unsigned int n = rx_prepare(&w->pool, bt, true);
	l2tp_time_t now;
	int got;

	(void)events;
	if (n == 0) {
		uint8_t scratch[64];

		(void)recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		return;
	}
	got = recvmmsg(fd, bt->msg, n, MSG_DONTWAIT, NULL);
	now = l2tpd_clock_now();
	for (int i = 0; i < got; i++) {
		struct l2tp_dp_buf *b = &bt->buf[i];

		if (bt->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			recycle(w, b);
			continue;
		}
		b->len = bt->msg[i].msg_len;
		rx_ip(w, family, b, &bt->msg[i].msg_hdr, now);
	}
	for (unsigned int i = got > 0 ? (unsigned int)got : 0; i < n; i++)
		recycle(w, &bt->buf[i]);
	gro_out(w);
	l2tpd_tapq_flush(&w->tapq);
}

/* ---- transmit: TAP -> socket --------------------------------------------- */

/* The IP_PKTINFO / IPV6_PKTINFO source of datagrams on the shared raw socket. */
static size_t make_pktinfo(uint8_t *cbuf, size_t cap, const struct us_tunnel *ut)
{
	struct msghdr mh = {.msg_control = cbuf, .msg_controllen = cap};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	if (l2tpd_addr_is_any(&ut->local))
		return 0;
	if (ut->family == AF_INET) {
		struct in_pktinfo pi = {.ipi_spec_dst = ut->local.in.sin_addr};

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	struct in6_pktinfo pi = {.ipi6_addr = ut->local.in6.sin6_addr};

	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return CMSG_SPACE(sizeof(pi));
}

/* Length of datagram |k| of message |i|. */
static size_t tx_seg_len(const struct tx_queue *q, unsigned int i, unsigned int k)
{
	if (k + 1 < q->nseg[i])
		return q->seglen[i];
	return q->iov[i].iov_len - (size_t)q->seglen[i] * (q->nseg[i] - 1u);
}

static void tx_count_failed(struct us_rep *r, unsigned int i, int err)
{
	const struct tx_queue *q = &r->w->tx;

	for (unsigned int k = 0; k < q->nseg[i]; k++)
		l2tp_dp_tx_failed(&r->dp, tx_seg_len(q, i, k));
	log_warnx_rl(&r->ts->rl, l2tpd_clock_now(), "tunnel %u session %u: send: %s", r->conn_id,
		     r->session_id, strerror(err));
}

/* Point message header |mh| at its destination (IP encap, unconnected UDP). */
static void tx_name(struct tx_queue *q, struct msghdr *mh)
{
	if (!q->named)
		return;
	mh->msg_name = &q->peer;
	mh->msg_namelen = l2tpd_addr_len(&q->peer);
}

/* Send the datagrams of GSO message |i| one by one. */
static void tx_send_each(struct us_rep *r, int fd, unsigned int i)
{
	struct tx_queue *q = &r->w->tx;
	uint8_t *p = q->iov[i].iov_base;
	unsigned int n = q->nseg[i], sent = 0;

	for (unsigned int k = 0; k < n; k++) {
		struct msghdr *mh = &q->one_msg[k].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		q->one_iov[k].iov_base = p;
		q->one_iov[k].iov_len = tx_seg_len(q, i, k);
		p += q->one_iov[k].iov_len;
		mh->msg_iov = &q->one_iov[k];
		mh->msg_iovlen = 1;
		tx_name(q, mh);
	}
	while (sent < n) {
		int rc = sendmmsg(fd, &q->one_msg[sent], n - sent, MSG_DONTWAIT);

		if (rc > 0) {
			sent += (unsigned int)rc;
			continue;
		}
		l2tp_dp_tx_failed(&r->dp, q->one_iov[sent].iov_len);
		log_warnx_rl(&r->ts->rl, l2tpd_clock_now(), "tunnel %u session %u: send: %s",
			     r->conn_id, r->session_id, strerror(errno));
		sent++;
	}
}

/* Send everything queued for |r| and empty the queue. */
static void tx_flush(struct us_rep *r, int fd)
{
	struct us_tsock *ts = r->ts;
	struct tx_queue *q = &r->w->tx;
	unsigned int sent = 0;

	for (unsigned int i = 0; i < q->n; i++) {
		struct msghdr *mh = &q->msg[i].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &q->iov[i];
		mh->msg_iovlen = 1;
		tx_name(q, mh);
		if (ts->ut->encap == L2TP_ENCAP_IP) {
			if (q->pktinfo_len) {
				mh->msg_control = q->pktinfo.b;
				mh->msg_controllen = q->pktinfo_len;
			}
		} else if (q->nseg[i] > 1) {
			struct cmsghdr *c;
			uint16_t gso = (uint16_t)q->seglen[i];

			mh->msg_control = q->cmsg[i].b;
			mh->msg_controllen = sizeof(q->cmsg[i].b);
			c = CMSG_FIRSTHDR(mh);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(gso));
			memcpy(CMSG_DATA(c), &gso, sizeof(gso));
		}
	}
	/* Every round sends or fails at least one message: bounded by n. */
	while (sent < q->n) {
		int rc = sendmmsg(fd, &q->msg[sent], q->n - sent, MSG_DONTWAIT), err;

		if (rc > 0) {
			sent += (unsigned int)rc;
			continue;
		}
		err = errno;
		if (q->nseg[sent] > 1 && err != EAGAIN && err != ENOBUFS && err != ECONNREFUSED) {
			/*
			 * GSO refused: no checksum offload on the route (EIO), a
			 * segment above the path MTU (EMSGSIZE), an older kernel
			 * (EINVAL/ENOPROTOOPT). Send these one by one; stop
			 * asking unless it was only this message's size.
			 */
			if (err != EMSGSIZE && ts->gso) {
				ts->gso = false;
				log_warnx("tunnel %u: UDP GSO refused (%s), sending datagrams "
					  "one by one",
					  r->conn_id, strerror(err));
			}
			tx_send_each(r, fd, sent);
		} else {
			tx_count_failed(r, sent, err);
		}
		sent++;
	}
	q->n = 0;
	q->pos = 0;
}

/*
 * Queue the encapsulated packet at arena[off, +len), segment of TAP frame
 * |frame|: appended to the previous message when UDP_SEGMENT can carry both
 * (same frame, back to back, equal sizes but for a shorter last one).
 */
static void tx_add(struct tx_queue *q, bool gso, size_t off, size_t len, uint16_t frame,
		   uint8_t *arena)
{
	unsigned int i = q->n - 1;

	if (gso && q->n > 0 && q->frame[i] == frame && !q->closed[i] && q->nseg[i] < GSO_MAX_SEGS &&
	    len <= q->seglen[i] &&
	    (uint8_t *)q->iov[i].iov_base + q->iov[i].iov_len == arena + off &&
	    q->iov[i].iov_len + len <= GSO_MAX_BYTES) {
		q->iov[i].iov_len += len;
		q->nseg[i]++;
		q->closed[i] = len < q->seglen[i];
		return;
	}
	i = q->n++;
	q->iov[i].iov_base = arena + off;
	q->iov[i].iov_len = len;
	q->seglen[i] = (uint32_t)len;
	q->nseg[i] = 1;
	q->frame[i] = frame;
	q->closed[i] = false;
}

/*
 * Cut the frame (virtio-net header + Ethernet frame, |len| bytes) read
 * from the TAP into wire packets and queue them. Flushes when the arena or
 * the message table is full.
 */
static void tx_frame(struct us_rep *r, int fd, const uint8_t *rd, size_t len, uint16_t frame)
{
	struct us_worker *w = r->w;
	struct tx_queue *q = &w->tx;
	bool gso = r->ts->ut->encap == L2TP_ENCAP_UDP && r->ts->gso;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;
	int rc;

	if (len < VNET) {
		r->dp.stats.tx_errors++;
		return;
	}
	memcpy(&vh, rd, VNET);
	rc = l2tp_tso_init(&t, &vh, rd + VNET, len - VNET);
	if (rc < 0) {
		r->dp.stats.tx_errors++;
		log_warnx_rl(&r->ts->rl, l2tpd_clock_now(),
			     "tunnel %u session %u: frame from %s dropped: %s", r->conn_id,
			     r->session_id, r->ifname, strerror(-rc));
		return;
	}
	for (;;) {
		size_t ovh = l2tp_dp_overhead(&r->dp), start;
		struct l2tp_dp_buf b;

		if (q->n == TX_MAX_MSGS || q->pos + ovh + 64 > TX_ARENA)
			tx_flush(r, fd);
		start = q->pos + ovh;
		rc = l2tp_tso_next(&t, w->arena + start, TX_ARENA - start);
		if (rc == -ENOSPC && q->pos > 0) {
			tx_flush(r, fd);
			continue;
		}
		if (rc <= 0) {
			if (rc < 0)
				r->dp.stats.tx_errors++;
			return;
		}
		b = (struct l2tp_dp_buf){
		    .data = w->arena, .cap = TX_ARENA, .off = start, .len = (size_t)rc};
		if (l2tp_dp_encap(&r->dp, &b) < 0)
			continue; /* counted as tx_errors */
		tx_add(q, gso, b.off, b.len, frame, w->arena);
		q->pos = b.off + b.len;
	}
}

static void read_stop(struct us_rep *r);

/*
 * The interface was deleted from under us (`ip link del`): the TAP fd then
 * reports EPOLLERR/EPOLLHUP and reads fail with EBADFD for ever. As the
 * kernel's l2tp_eth does on dev uninit, the session stays without an
 * interface until it is deleted; we stop reading the fd so the loop does
 * not spin, frames for the session are dropped and counted, and the control
 * plane is told to forget the interface's name. The fd is closed when the
 * session is deleted.
 */
static void tap_detach(struct us_rep *r, int err)
{
	struct us_dp *u = r->sh->u;
	uint64_t one = 1;

	if (!r->gone)
		log_warnx("tunnel %u session %u: interface %s is gone (%s); the session "
			  "stays without one until it is deleted",
			  r->conn_id, r->session_id, r->ifname, strerror(err));
	read_stop(r);
	r->gone = true;
	atomic_store(&r->sh->gone, true);
	if (write(u->gone_efd, &one, sizeof(one)) < 0)
		log_debug("datapath: gone notice: %s", strerror(errno));
}

/* The socket |r| sends on, with the transmit queue set up for it. */
static int tx_begin(struct us_rep *r)
{
	struct us_tunnel *ut = r->ts->ut;
	struct tx_queue *q = &r->w->tx;

	q->named = !ut->connected;
	q->peer = ut->peer;
	if (ut->encap == L2TP_ENCAP_UDP)
		return r->ts->fd;
	q->pktinfo_len = make_pktinfo(q->pktinfo.b, sizeof(q->pktinfo.b), ut);
	return r->w->ip_fd[fam_idx(ut->family)];
}

static void tap_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_rep *r = arg;
	struct us_worker *w = r->w;
	int fd = tx_begin(r);
	int err = 0;

	(void)wt;
	for (size_t reads = 0, bytes = 0; reads < TX_MAX_READS && bytes < TX_BUDGET; reads++) {
		ssize_t n = read(r->tap_fd, w->tap_rd, TAP_READ_MAX);

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				err = errno;
			else if (n == 0 || (events & (EPOLLERR | EPOLLHUP)))
				err = EBADFD;
			break;
		}
		if ((size_t)n == TAP_READ_MAX) {
			/* Possibly cut short: never send a truncated frame. */
			r->dp.stats.tx_errors++;
			continue;
		}
		bytes += (size_t)n;
		tx_frame(r, fd, w->tap_rd, (size_t)n, (uint16_t)reads);
	}
	tx_flush(r, fd);
	if (err)
		tap_detach(r, err);
}

/* ---- TAP reads through io_uring ------------------------------------------ */

/*
 * A TAP read with nothing queued does not answer EAGAIN through io_uring:
 * it waits, as a poll would. So each session keeps a multishot read armed
 * (Linux 6.7: one completion per frame until it stops) or, on older
 * kernels, TXR_READS plain reads outstanding. Reads take a buffer from the
 * shared provided-buffer ring only when a frame arrives; the ring's fd in
 * the event loop says when reads completed. Where epoll needs one read()
 * per frame, this needs no system call per frame at all.
 */

/* A free SQE, submitting what is queued if the ring is full; NULL if none. */
static struct io_uring_sqe *txr_sqe(struct us_worker *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(w->txr);

	if (!sqe) {
		(void)io_uring_submit(w->txr);
		sqe = io_uring_get_sqe(w->txr);
	}
	return sqe;
}

static void txr_submit_read(struct us_worker *w, struct us_rep *r)
{
	struct io_uring_sqe *sqe = txr_sqe(w);

	if (!sqe)
		return; /* cannot happen after a submit; the session reads less */
	r->multishot = w->txr_multishot;
	if (r->multishot)
		io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, r->tap_fd, NULL, 0, 0);
	else
		io_uring_prep_read(sqe, r->tap_fd, NULL, TAP_READ_MAX, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = TXR_BGID;
	io_uring_sqe_set_data(sqe, r);
	r->reads++;
}

/* Cancel the session's outstanding reads (before its TAP fd closes). */
static void txr_cancel(struct us_worker *w, struct us_rep *r)
{
	struct io_uring_sqe *sqe;

	if (!w->txr || !r->reads)
		return;
	sqe = txr_sqe(w);
	if (sqe) {
		io_uring_prep_cancel_fd(sqe, r->tap_fd, IORING_ASYNC_CANCEL_ALL);
		io_uring_sqe_set_data64(sqe, TXR_TAG_CANCEL);
	}
	/* Cancelling a waiting read completes it now: the fd is free after this. */
	(void)io_uring_submit(w->txr);
}

static void txr_free_zombie(struct us_worker *w, struct us_rep *r)
{
	for (struct us_rep **pp = &w->zombies; *pp; pp = &(*pp)->next_zombie) {
		if (*pp == r) {
			*pp = r->next_zombie;
			break;
		}
	}
	free(r);
}

static void txr_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_worker *w = arg;
	struct us_rep *cur = NULL;
	int cur_fd = -1, returned = 0;
	uint16_t frames = 0;
	unsigned int mask = (unsigned int)io_uring_buf_ring_mask(TXR_BUFS);

	(void)wt;
	(void)events;
	for (unsigned int n = 0; n < TXR_BUDGET; n++) {
		struct io_uring_cqe *cqe;
		struct us_rep *r;
		unsigned int flags;
		int res;

		if (io_uring_peek_cqe(w->txr, &cqe) != 0)
			break;
		r = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		flags = cqe->flags;
		io_uring_cqe_seen(w->txr, cqe);
		if ((uintptr_t)r == TXR_TAG_CANCEL)
			continue;
		if (!(flags & IORING_CQE_F_MORE))
			r->reads--; /* this read is over (a multishot one may go on) */
		if (res > 0 && (flags & IORING_CQE_F_BUFFER) && !r->dead && r->reading) {
			unsigned int bid = flags >> IORING_CQE_BUFFER_SHIFT;

			if (cur != r) {
				if (cur)
					tx_flush(cur, cur_fd);
				cur = r;
				cur_fd = tx_begin(r);
			}
			if ((size_t)res >= TAP_READ_MAX) /* possibly cut short: never send it */
				r->dp.stats.tx_errors++;
			else
				tx_frame(r, cur_fd, w->txr_bufs + (size_t)bid * TAP_READ_MAX,
					 (size_t)res, frames++);
		}
		if (flags & IORING_CQE_F_BUFFER) {
			unsigned int bid = flags >> IORING_CQE_BUFFER_SHIFT;

			io_uring_buf_ring_add(w->br, w->txr_bufs + (size_t)bid * TAP_READ_MAX,
					      TAP_READ_MAX, (unsigned short)bid, (int)mask,
					      returned++);
		}
		if (r->dead) {
			if (!r->reads)
				txr_free_zombie(w, r);
			continue;
		}
		if (!r->reading || (flags & IORING_CQE_F_MORE))
			continue;
		if (res == -EINVAL && r->multishot) {
			/* A kernel before 6.7: plain reads from now on. */
			if (w->txr_multishot)
				log_info("datapath user: no multishot read; %d TAP reads kept "
					 "outstanding per session",
					 TXR_READS);
			w->txr_multishot = false;
			r->multishot = false;
			for (int i = 0; i < TXR_READS; i++)
				txr_submit_read(w, r);
		} else if (res > 0 || res == -ENOBUFS || res == -EAGAIN || res == -EINTR) {
			txr_submit_read(w, r);
		} else if (res != -ECANCELED) {
			/* EBADFD: the interface was deleted (see tap_detach) */
			if (cur == r) {
				tx_flush(cur, cur_fd);
				cur = NULL;
			}
			tap_detach(r, res < 0 ? -res : EBADFD);
		}
	}
	if (cur)
		tx_flush(cur, cur_fd);
	if (returned)
		io_uring_buf_ring_advance(w->br, returned);
	if (io_uring_sq_ready(w->txr))
		(void)io_uring_submit(w->txr);
}

static void txr_fini(struct us_worker *w)
{
	if (w->txr_w)
		l2tpd_loop_del(w->loop, w->txr_w);
	w->txr_w = NULL;
	if (w->txr) {
		if (w->br)
			(void)io_uring_unregister_buf_ring(w->txr, TXR_BGID);
		io_uring_queue_exit(w->txr); /* cancels what is left */
		free(w->txr);
		w->txr = NULL;
	}
	if (w->br)
		munmap(w->br, TXR_BUFS * sizeof(struct io_uring_buf));
	w->br = NULL;
	free(w->txr_bufs);
	w->txr_bufs = NULL;
	while (w->zombies)
		txr_free_zombie(w, w->zombies);
}

/* io_uring for TAP reads if the kernel has provided-buffer rings (5.19). */
static void txr_init(struct us_worker *w)
{
	struct io_uring_params par = {.flags = IORING_SETUP_CQSIZE, .cq_entries = TXR_CQ};
	struct io_uring_buf_reg reg = {0};
	void *br;
	int rc;

	if (l2tpd_env_flag("L2TPD_NO_IO_URING") || l2tpd_env_flag("L2TPD_NO_IO_URING_READS"))
		return;
	w->txr = calloc(1, sizeof(*w->txr));
	w->txr_bufs = malloc((size_t)TXR_BUFS * TAP_READ_MAX);
	br = mmap(NULL, TXR_BUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!w->txr || !w->txr_bufs || br == MAP_FAILED) {
		rc = -ENOMEM;
		if (br != MAP_FAILED)
			munmap(br, TXR_BUFS * sizeof(struct io_uring_buf));
		goto fail;
	}
	w->br = br;
	rc = io_uring_queue_init_params(TXR_SQ, w->txr, &par);
	if (rc < 0) {
		free(w->txr);
		w->txr = NULL;
		goto fail;
	}
	reg.ring_addr = (uintptr_t)br;
	reg.ring_entries = TXR_BUFS;
	reg.bgid = TXR_BGID;
	rc = io_uring_register_buf_ring(w->txr, &reg, 0);
	if (rc < 0) {
		munmap(w->br, TXR_BUFS * sizeof(struct io_uring_buf));
		w->br = NULL;
		goto fail;
	}
	io_uring_buf_ring_init(w->br);
	for (int i = 0; i < TXR_BUFS; i++)
		io_uring_buf_ring_add(w->br, w->txr_bufs + (size_t)i * TAP_READ_MAX, TAP_READ_MAX,
				      (unsigned short)i, io_uring_buf_ring_mask(TXR_BUFS), i);
	io_uring_buf_ring_advance(w->br, TXR_BUFS);
	/* until the kernel says EINVAL; L2TPD_NO_MULTISHOT=1 tests the older way */
	w->txr_multishot = !l2tpd_env_flag("L2TPD_NO_MULTISHOT");
	w->txr_w = l2tpd_loop_add(w->loop, w->txr->ring_fd, EPOLLIN, txr_cb, w);
	if (!w->txr_w) {
		rc = -errno;
		goto fail;
	}
	return;
fail:
	if (w->idx == 0)
		log_info("datapath user: TAP reads without io_uring (%s)", strerror(-rc));
	txr_fini(w);
}

/* Start reading the worker's queue of the session. Returns 0 or -errno. */
static int read_start(struct us_rep *r)
{
	struct us_worker *w = r->w;

	if (r->reading || r->gone)
		return 0;
	if (w->txr) {
		for (int i = 0; i < (w->txr_multishot ? 1 : TXR_READS); i++)
			txr_submit_read(w, r);
		(void)io_uring_submit(w->txr);
	} else {
		r->watch = l2tpd_loop_add(w->loop, r->tap_fd, EPOLLIN, tap_cb, r);
		if (!r->watch)
			return -errno;
	}
	r->reading = true;
	return 0;
}

/* Stop reading it (reads through io_uring end when the cancel completes). */
static void read_stop(struct us_rep *r)
{
	if (!r->reading)
		return;
	r->reading = false;
	if (r->watch)
		l2tpd_loop_del(r->w->loop, r->watch);
	r->watch = NULL;
	txr_cancel(r->w, r);
}

/* ---- tunnels --------------------------------------------------------------- */

static void tunnel_addrs(const struct l2tpd_tunnel *t, union l2tpd_addr *local,
			 union l2tpd_addr *peer)
{
	memset(local, 0, sizeof(*local));
	memset(peer, 0, sizeof(*peer));
	if (l2tpd_tunnel_family(t) == AF_INET6) {
		local->in6.sin6_family = peer->in6.sin6_family = AF_INET6;
		local->in6.sin6_addr = t->cfg.local_ip6;
		peer->in6.sin6_addr = t->cfg.peer_ip6;
		if (t->cfg.encap_type == L2TP_ENCAPTYPE_UDP) {
			local->in6.sin6_port = htons(t->cfg.udp_sport);
			peer->in6.sin6_port = htons(t->cfg.udp_dport);
		}
	} else {
		local->in.sin_family = peer->in.sin_family = AF_INET;
		local->in.sin_addr = t->cfg.local_ip;
		peer->in.sin_addr = t->cfg.peer_ip;
		if (t->cfg.encap_type == L2TP_ENCAPTYPE_UDP) {
			local->in.sin_port = htons(t->cfg.udp_sport);
			peer->in.sin_port = htons(t->cfg.udp_dport);
		}
	}
}

struct ip_call {
	int family;
	int fd;
	int rc;
};

static void ip_adopt(struct us_worker *w, void *arg)
{
	struct ip_call *c = arg;
	int i = fam_idx(c->family);

	w->ip_w[i] = l2tpd_loop_add(w->loop, c->fd, EPOLLIN, ip_cb, w);
	if (!w->ip_w[i]) {
		c->rc = -errno;
		return;
	}
	w->ip_fd[i] = c->fd;
}

static void ip_drop(struct us_worker *w, void *arg)
{
	struct ip_call *c = arg;
	int i = fam_idx(c->family);

	l2tpd_loop_del(w->loop, w->ip_w[i]);
	w->ip_w[i] = NULL;
	w->ip_fd[i] = -1;
}

/* The raw IP/115 sockets of |family|, one per worker, while IP tunnels use them. */
static void ip_sock_put(struct us_dp *u, int family)
{
	int i = fam_idx(family);

	if (u->ip_users[i] == 0 || --u->ip_users[i] > 0)
		return;
	for (unsigned int k = 0; k < u->nw; k++) {
		struct ip_call c = {.family = family, .fd = u->w[k]->ip_fd[i]};

		if (c.fd < 0)
			continue;
		worker_call(u->w[k], ip_drop, &c);
		close(c.fd);
	}
}

static int ip_sock_get(struct us_dp *u, int family)
{
	int i = fam_idx(family);

	if (u->ip_users[i]++ > 0)
		return 0;
	for (unsigned int k = 0; k < u->nw; k++) {
		struct ip_call c = {.family = family};

		c.fd = l2tpd_sock_ip_open(family);
		c.rc = c.fd < 0 ? c.fd : 0;
		/* One worker per session: each socket takes the sessions homed on its worker. */
		if (c.rc == 0 && u->nw > 1)
			c.rc = l2tpd_sock_ip_steer(c.fd, family, u->nw, k);
		if (c.rc == 0) {
			l2tpd_sock_set_bufs(c.fd, SOCK_BUF_BYTES);
			worker_call(u->w[k], ip_adopt, &c);
		}
		if (c.rc < 0) {
			if (c.fd >= 0)
				close(c.fd);
			ip_sock_put(u, family);
			return c.rc;
		}
	}
	return 0;
}

static void tsock_adopt(struct us_worker *w, void *arg)
{
	struct us_tsock *ts = ((struct us_tunnel *)arg)->ts[w->idx];

	if (ts->fd >= 0)
		ts->watch = l2tpd_loop_add(w->loop, ts->fd, EPOLLIN, udp_cb, ts);
}

static void tsock_drop(struct us_worker *w, void *arg)
{
	struct us_tsock *ts = ((struct us_tunnel *)arg)->ts[w->idx];

	l2tpd_loop_del(w->loop, ts->watch);
	ts->watch = NULL;
}

/*
 * Another UDP tunnel of ours on the same local port and overlapping
 * address? The kernel refuses such a bind, but not within a SO_REUSEPORT
 * group of the same user: with several workers we must ask ourselves.
 */
static bool port_taken(struct us_dp *u, const struct l2tpd_tunnel *t, const union l2tpd_addr *a)
{
	for (struct l2tpd_tunnel *o = u->reg->tunnels; o; o = o->next) {
		struct us_tunnel *ot = o->dp;

		if (o == t || !ot || ot->encap != L2TP_ENCAP_UDP || ot->family != a->sa.sa_family ||
		    o->cfg.udp_sport !=
			ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port))
			continue;
		if (l2tpd_addr_is_any(&ot->local) || l2tpd_addr_is_any(a) ||
		    l2tpd_addr_eq_host(&ot->local, a))
			return true;
	}
	return false;
}

/* The tunnel's UDP sockets: one connected one, or a steered group. */
static int udp_open(struct us_dp *u, struct us_tunnel *ut, const struct l2tpd_udp_opts *o)
{
	struct l2tpd_tunnel *t = ut->t;
	int fds[L2TPD_MAX_WORKERS];
	union l2tpd_addr bound;
	socklen_t sl = sizeof(bound);
	int rc = 0;

	if (u->nw == 1) {
		rc = l2tpd_sock_udp_open(&ut->local, &ut->peer, o);
		if (rc < 0)
			return rc;
		fds[0] = rc;
	} else {
		/* A port the kernel picks may be one of ours: bounded retries. */
		for (int tries = 0; tries < 8; tries++) {
			rc = l2tpd_sock_udp_open_group(&ut->local, o, u->nw, ut->home, fds);
			if (rc < 0)
				return rc;
			if (getsockname(fds[0], &bound.sa, &sl) < 0)
				rc = -errno;
			else if (port_taken(u, t, &bound))
				rc = -EADDRINUSE;
			if (rc == 0)
				break;
			for (unsigned int k = 0; k < u->nw; k++)
				close(fds[k]);
			if (rc != -EADDRINUSE || t->cfg.udp_sport != 0)
				return rc;
		}
		if (rc < 0)
			return rc;
	}
	for (unsigned int k = 0; k < u->nw; k++) {
		struct us_tsock *ts = ut->ts[k];

		ts->fd = fds[k];
		ts->gso = l2tpd_sock_udp_gso_ok(ut->family, o);
		l2tpd_sock_set_bufs(ts->fd, SOCK_BUF_BYTES);
		/* Without GRO the kernel hands us one datagram per recvmmsg slot. */
		if (l2tpd_sock_udp_gro(ts->fd) < 0 && k == 0)
			log_debug("tunnel %u: no UDP GRO", t->cfg.conn_id);
	}
	/* Report the port actually bound, as the kernel does for port 0. */
	sl = sizeof(bound);
	if (getsockname(fds[0], &bound.sa, &sl) == 0) {
		uint16_t port = ut->family == AF_INET6 ? bound.in6.sin6_port : bound.in.sin_port;

		t->cfg.udp_sport = ntohs(port);
		if (ut->family == AF_INET6)
			ut->local.in6.sin6_port = port;
		else
			ut->local.in.sin_port = port;
	}
	return 0;
}

static void tunnel_free(struct us_dp *u, struct us_tunnel *ut)
{
	for (unsigned int k = 0; k < u->nw; k++) {
		if (!ut->ts[k])
			continue;
		if (ut->ts[k]->fd >= 0)
			close(ut->ts[k]->fd);
		free(ut->ts[k]);
	}
	free(ut);
}

static int us_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = calloc(1, sizeof(*ut));
	struct l2tpd_udp_opts o;
	int rc;

	if (!ut)
		return -ENOMEM;
	ut->u = u;
	ut->t = t;
	ut->family = l2tpd_tunnel_family(t);
	ut->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	ut->connected = u->nw == 1 && ut->encap == L2TP_ENCAP_UDP;
	if (ut->encap == L2TP_ENCAP_UDP) {
		/* The worker with the fewest UDP tunnels receives this one. */
		for (unsigned int k = 1; k < u->nw; k++)
			if (u->udp_tunnels[k] < u->udp_tunnels[ut->home])
				ut->home = k;
	}
	tunnel_addrs(t, &ut->local, &ut->peer);
	for (unsigned int k = 0; k < u->nw; k++) {
		struct us_tsock *ts = calloc(1, sizeof(*ts));

		if (!ts) {
			tunnel_free(u, ut);
			return -ENOMEM;
		}
		ts->w = u->w[k];
		ts->ut = ut;
		ts->fd = -1;
		ts->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
		ut->ts[k] = ts;
	}
	if (ut->encap == L2TP_ENCAP_IP) {
		rc = ip_sock_get(u, ut->family);
		if (rc < 0) {
			tunnel_free(u, ut);
			return rc;
		}
		t->dp = ut;
		return 0;
	}
	o.csum = t->cfg.udp_csum;
	o.zero_csum6_tx = t->cfg.udp_zero_csum6_tx;
	o.zero_csum6_rx = t->cfg.udp_zero_csum6_rx;
	o.reuse_addr = t->mt != NULL;
	if (t->mt && u->nw > 1) {
		/* Control messages would arrive on a worker thread (not done yet). */
		tunnel_free(u, ut);
		return -EOPNOTSUPP;
	}
	rc = udp_open(u, ut, &o);
	if (rc < 0) {
		tunnel_free(u, ut);
		return rc;
	}
	call_all(u, tsock_adopt, ut);
	for (unsigned int k = 0; k < u->nw; k++) {
		if (!ut->ts[k]->watch) {
			call_all(u, tsock_drop, ut);
			tunnel_free(u, ut);
			return -ENOMEM;
		}
	}
	u->udp_tunnels[ut->home]++;
	t->dp = ut;
	return 0;
}

static int us_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	(void)dp;
	(void)t;
	return 0; /* only the debug mask changes, which the datapath ignores */
}

static void us_tunnel_delete(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = t->dp;

	if (!ut)
		return;
	if (ut->encap == L2TP_ENCAP_IP) {
		ip_sock_put(u, ut->family);
	} else {
		call_all(u, tsock_drop, ut);
		u->udp_tunnels[ut->home]--;
	}
	tunnel_free(u, ut);
	t->dp = NULL;
}

static void stats_from_dp(struct l2tp_api_stats *st, const struct l2tp_dp_stats *d)
{
	memset(st, 0, sizeof(*st));
	st->tx_packets = d->tx_packets;
	st->tx_bytes = d->tx_bytes;
	st->tx_errors = d->tx_errors;
	st->rx_packets = d->rx_packets;
	st->rx_bytes = d->rx_bytes;
	st->rx_seq_discards = d->rx_seq_discards;
	st->rx_oos_packets = d->rx_oos_packets;
	st->rx_errors = d->rx_errors;
	st->rx_cookie_discards = d->rx_cookie_discards;
	st->rx_invalid = d->rx_invalid;
}

/* What the kernel also counts on the tunnel for each session packet. */
static void tunnel_add_session(struct l2tp_api_stats *st, const struct l2tp_dp_stats *d)
{
	st->tx_packets += d->tx_packets;
	st->tx_bytes += d->tx_bytes;
	st->tx_errors += d->tx_errors;
	st->rx_packets += d->rx_packets;
	st->rx_bytes += d->rx_bytes;
	st->rx_seq_discards += d->rx_seq_discards;
	st->rx_oos_packets += d->rx_oos_packets;
}

static void api_stats_add(struct l2tp_api_stats *st, const struct l2tp_api_stats *a)
{
	st->tx_packets += a->tx_packets;
	st->tx_bytes += a->tx_bytes;
	st->tx_errors += a->tx_errors;
	st->rx_packets += a->rx_packets;
	st->rx_bytes += a->rx_bytes;
	st->rx_seq_discards += a->rx_seq_discards;
	st->rx_oos_packets += a->rx_oos_packets;
	st->rx_errors += a->rx_errors;
	st->rx_cookie_discards += a->rx_cookie_discards;
	st->rx_invalid += a->rx_invalid;
}

struct stats_call {
	struct l2tpd_tunnel *t;
	struct l2tpd_session *s;
	struct l2tp_api_stats *st;
};

/* On each worker: its counters, summed into the caller's. */
static void tsock_stats(struct us_worker *w, void *arg)
{
	struct stats_call *c = arg;
	struct us_tunnel *ut = c->t->dp;

	api_stats_add(c->st, &ut->ts[w->idx]->own);
	for (struct l2tpd_session *s = c->t->sessions; s; s = s->next) {
		struct us_session *sh = s->dp;

		if (sh)
			tunnel_add_session(c->st, &sh->rep[w->idx]->dp.stats);
	}
}

static void rep_stats(struct us_worker *w, void *arg)
{
	struct stats_call *c = arg;
	struct us_session *sh = c->s->dp;
	struct l2tp_api_stats one;

	stats_from_dp(&one, &sh->rep[w->idx]->dp.stats);
	api_stats_add(c->st, &one);
}

static void us_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	struct stats_call c = {.t = t, .st = st};

	memset(st, 0, sizeof(*st));
	call_all((struct us_dp *)dp, tsock_stats, &c);
}

/* ---- sessions -------------------------------------------------------------- */

static void dp_cfg(const struct l2tpd_session *s, struct l2tp_dp_cfg *c)
{
	const struct l2tpd_tunnel *t = s->tunnel;

	memset(c, 0, sizeof(*c));
	c->version = t->cfg.proto_version;
	c->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	c->tunnel_id = t->cfg.conn_id;
	c->peer_tunnel_id = t->cfg.peer_conn_id;
	c->session_id = s->cfg.session_id;
	c->peer_session_id = s->cfg.peer_session_id;
	c->cookie_len = s->cfg.cookie_len;
	memcpy(c->cookie, s->cfg.cookie, sizeof(c->cookie));
	c->peer_cookie_len = s->cfg.peer_cookie_len;
	memcpy(c->peer_cookie, s->cfg.peer_cookie, sizeof(c->peer_cookie));
	c->l2spec_type = s->cfg.l2spec_type;
	c->send_seq = s->cfg.send_seq;
	c->recv_seq = s->cfg.recv_seq;
	c->lns_mode = s->cfg.lns_mode;
	c->reorder_timeout = s->cfg.recv_timeout_ms * L2TP_MSEC;
}

/* Does a worker other than the home one carry the session's queue? */
static bool rep_reads(const struct us_rep *r)
{
	return r->home || !r->sh->single;
}

/* On each worker: take up its part of a new session. */
static void rep_adopt(struct us_worker *w, void *arg)
{
	struct us_session *sh = arg;
	struct us_rep *r = sh->rep[w->idx];

	if (r->home)
		tab_add(rep_tab(r), r);
	if (rep_reads(r))
		r->adopt_err = read_start(r);
}

/* On each worker: drop its part of a session; the fds are closed after. */
static void rep_drop(struct us_worker *w, void *arg)
{
	struct us_session *sh = arg;
	struct us_rep *r = sh->rep[w->idx];
	struct l2tp_dp_buf b;

	if (!r)
		return;
	if (w->gro_owner == r)
		gro_out(w);
	l2tpd_tapq_flush(&w->tapq); /* before the TAP closes */
	if (r->home) {
		l2tpd_timer_cancel(w->loop, &r->reorder);
		while (l2tp_dp_flush(&r->dp, &b))
			recycle(w, &b);
		tab_del(rep_tab(r), r);
	}
	/* The tunnel keeps counting what its deleted sessions carried. */
	tunnel_add_session(&r->ts->own, &r->dp.stats);
	if (w->u->nw > 1)
		log_debug("session %u: worker %u%s sent %" PRIu64 " and received %" PRIu64
			  " packets",
			  r->session_id, w->idx, r->home ? " (home)" : "", r->dp.stats.tx_packets,
			  r->dp.stats.rx_packets);
	read_stop(r);
	if (r->reads) {
		/* Its cancelled reads still complete: free it at the last one. */
		r->dead = true;
		r->next_zombie = w->zombies;
		w->zombies = r;
	} else {
		free(r);
	}
}

struct modify_call {
	struct us_session *sh;
	const struct l2tp_dp_cfg *c;
	int rc;
};

/* On each worker: the new configuration; a change of send_seq as well. */
static void rep_modify(struct us_worker *w, void *arg)
{
	struct modify_call *m = arg;
	struct us_rep *r = m->sh->rep[w->idx];

	m->rc = l2tp_dp_session_modify(&r->dp, m->c); /* the same on every worker */
	if (r->home)
		r->spread = w->u->nw > 1 && !m->sh->single;
	else if (m->sh->single)
		read_stop(r);
	else
		(void)read_start(r);
}

static void session_free(struct us_dp *u, struct us_session *sh)
{
	for (unsigned int k = 0; k < u->nw; k++) {
		if (sh->fds[k] >= 0)
			close(sh->fds[k]); /* closing the last fd removes the device */
		free(sh->rep[k]); /* only the ones no worker took up */
	}
	free(sh);
}

/* Attach the TAP queues of the workers other than home, or detach them. */
static int queues_enable(struct us_session *sh, bool on)
{
	for (unsigned int k = 0; k < sh->u->nw; k++) {
		int rc;

		if (k == sh->home)
			continue;
		rc = l2tpd_tap_queue_enable(sh->fds[k], on);
		if (rc < 0 && !atomic_load(&sh->gone))
			return rc;
	}
	return 0;
}

static int us_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = s->tunnel->dp;
	struct us_session *sh;
	struct l2tp_dp_cfg c;
	char ifname[IFNAMSIZ];
	unsigned int mtu, k;
	int err = 0;
	int rc, underlay;

	if (s->cfg.pw_type != L2TP_PWTYPE_ETH)
		return -EPROTONOSUPPORT;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	sh->u = u;
	sh->s = s;
	sh->ut = ut;
	/* Where the sockets' steering sends its packets (see the top of this file). */
	sh->home = ut->encap == L2TP_ENCAP_UDP ? ut->home : s->cfg.session_id % u->nw;
	sh->single = u->nw > 1 && s->cfg.send_seq;
	for (k = 0; k < u->nw; k++)
		sh->fds[k] = -1;
	dp_cfg(s, &c);
	for (k = 0; k < u->nw; k++) {
		struct us_rep *r = calloc(1, sizeof(*r));

		rc = -ENOMEM;
		if (!r)
			goto fail;
		sh->rep[k] = r;
		r->w = u->w[k];
		r->sh = sh;
		r->ts = ut->ts[k];
		r->conn_id = s->tunnel->cfg.conn_id;
		r->session_id = s->cfg.session_id;
		r->tap_fd = -1;
		r->home = k == sh->home;
		l2tpd_timer_init(&r->reorder, reorder_timeout, r);
		/* Cookie lengths other than 0/4/8 (RFC 3931 §5.4.4) end here. */
		rc = l2tp_dp_session_init(&r->dp, &c);
		if (rc < 0)
			goto fail;
	}
	rc = l2tpd_tap_create_mq(s->cfg.ifname[0] ? s->cfg.ifname : NULL,
				 l2tpd_registry_ifname_used, u->reg, u->nw, sh->fds, ifname);
	if (rc < 0)
		goto fail;
	underlay = l2tpd_sock_route_mtu(&ut->local, &ut->peer);
	mtu = l2tpd_mtu_session(underlay > 0 ? (unsigned int)underlay : 0, ut->family == AF_INET6,
				ut->encap == L2TP_ENCAP_UDP,
				(unsigned int)l2tp_dp_overhead(&sh->rep[0]->dp));
	/* Left down, as the kernel's l2tp_eth does: `ip link set up` is the user's. */
	rc = l2tpd_tap_set_mtu(ifname, mtu);
	if (rc == 0 && sh->single)
		rc = queues_enable(sh, false);
	if (rc < 0)
		goto fail;
	for (k = 0; k < u->nw; k++) {
		struct us_rep *r = sh->rep[k];

		r->tap_fd = sh->fds[k];
		memcpy(r->ifname, ifname, IFNAMSIZ);
		r->spread = r->home && u->nw > 1 && !sh->single;
	}
	call_all(u, rep_adopt, sh);
	for (k = 0; k < u->nw && !err; k++)
		err = sh->rep[k]->adopt_err;
	if (err) {
		call_all(u, rep_drop, sh);
		for (k = 0; k < u->nw; k++)
			sh->rep[k] = NULL; /* the workers freed them */
		rc = err;
		goto fail;
	}
	memcpy(s->cfg.ifname, ifname, IFNAMSIZ);
	s->dp = sh;
	log_debug("session %u: %s mtu %u (underlay %d), worker %u of %u", s->cfg.session_id, ifname,
		  mtu, underlay, sh->home, u->nw);
	return 0;
fail:
	session_free(u, sh);
	return rc;
}

static int us_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *sh = s->dp;
	bool single = u->nw > 1 && s->cfg.send_seq;
	struct modify_call m = {.sh = sh};
	struct l2tp_dp_cfg c;
	int rc = 0;

	dp_cfg(s, &c);
	m.c = &c;
	if (single && !sh->single) {
		/* Numbered from now on: the home worker alone, then detach the rest. */
		sh->single = true;
		call_all(u, rep_modify, &m);
		rc = queues_enable(sh, false);
	} else if (!single && sh->single) {
		rc = queues_enable(sh, true);
		sh->single = false;
		call_all(u, rep_modify, &m);
	} else {
		call_all(u, rep_modify, &m);
	}
	if (rc < 0)
		log_warnx("session %u: TAP queues: %s", s->cfg.session_id, strerror(-rc));
	return m.rc;
}

static void us_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *sh = s->dp;

	if (!sh)
		return;
	call_all(u, rep_drop, sh);
	for (unsigned int k = 0; k < u->nw; k++)
		sh->rep[k] = NULL; /* freed by their workers */
	session_free(u, sh);
	s->dp = NULL;
	l2tpd_tap_released(s->cfg.ifname);
}

static void us_sessions_predelete(struct l2tpd_datapath *dp, struct l2tpd_session *const *v,
				  size_t n)
{
	char(*names)[IFNAMSIZ] = calloc(n ? n : 1, IFNAMSIZ);
	unsigned int k = 0;
	int rc;

	(void)dp;
	if (!names)
		return; /* session_delete removes them one by one */
	for (size_t i = 0; i < n; i++) {
		struct us_session *sh = v[i]->dp;

		if (sh && !atomic_load(&sh->gone) && v[i]->cfg.ifname[0])
			memcpy(names[k++], v[i]->cfg.ifname, IFNAMSIZ);
	}
	rc = l2tpd_links_delete((const char(*)[IFNAMSIZ])names, k);
	if (rc < 0)
		log_debug("datapath: batch delete of %u interfaces: %s", k, strerror(-rc));
	free(names);
}

static void us_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct stats_call c = {.s = s, .st = st};

	memset(st, 0, sizeof(*st));
	call_all((struct us_dp *)dp, rep_stats, &c);
}

/* A worker found a session's interface deleted: forget its name. */
static void gone_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_dp *u = arg;
	uint64_t v;

	(void)wt;
	(void)events;
	if (read(u->gone_efd, &v, sizeof(v)) < 0)
		return;
	for (struct l2tpd_tunnel *t = u->reg->tunnels; t; t = t->next) {
		for (struct l2tpd_session *s = t->sessions; s; s = s->next) {
			struct us_session *sh = s->dp;

			if (sh && atomic_load(&sh->gone) && s->cfg.ifname[0]) {
				/* the name is free again: automatic names reuse it */
				l2tpd_tap_released(s->cfg.ifname);
				memset(s->cfg.ifname, 0, sizeof(s->cfg.ifname));
			}
		}
	}
}

/* ---- the datapath ---------------------------------------------------------- */

static void worker_free(struct us_worker *w)
{
	if (!w)
		return;
	txr_fini(w);
	l2tpd_tapq_fini(&w->tapq);
	l2tpd_pool_fini(&w->pool);
	l2tpd_pool_fini(&w->big);
	free(w->tap_rd);
	free(w->arena);
	free(w->gro_buf);
	if (w->threaded) {
		l2tpd_loop_del(w->loop, w->mb_w);
		l2tpd_loop_free(w->loop);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
	if (w->efd >= 0)
		close(w->efd);
	free(w);
}

/* Worker |idx|: on |loop|, or with a loop (and later a thread) of its own. */
static struct us_worker *worker_new(struct us_dp *u, unsigned int idx, struct l2tpd_loop *loop)
{
	struct us_worker *w = calloc(1, sizeof(*w));
	int rc = -ENOMEM;

	if (!w)
		return NULL;
	w->u = u;
	w->idx = idx;
	w->efd = -1;
	w->ip_fd[0] = w->ip_fd[1] = -1;
	w->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	if (loop) {
		w->loop = loop;
	} else {
		w->threaded = true;
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		w->loop = l2tpd_loop_new_thread();
		w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (!w->loop || w->efd < 0)
			goto fail;
		w->mb_w = l2tpd_loop_add(w->loop, w->efd, EPOLLIN, mailbox_cb, w);
		if (!w->mb_w)
			goto fail;
	}
	rc = l2tpd_pool_init(&w->pool, POOL_SLOTS, SLOT_SIZE);
	if (rc == 0)
		rc = l2tpd_pool_init(&w->big, BIG_SLOTS, BIG_SIZE);
	w->tap_rd = malloc(TAP_READ_MAX);
	w->arena = malloc(TX_ARENA);
	w->gro_buf = malloc(VNET + GRO_CAP);
	if (rc == 0 && (!w->tap_rd || !w->arena || !w->gro_buf))
		rc = -ENOMEM;
	if (rc == 0)
		rc = l2tpd_tapq_init(&w->tapq, TAPQ_ARENA, true, tap_write_failed);
	if (rc < 0)
		goto fail;
	txr_init(w);
	l2tp_gro_init(&w->gro, w->gro_buf + VNET, GRO_CAP);
	return w;
fail:
	worker_free(w);
	errno = rc < 0 ? -rc : ENOMEM;
	return NULL;
}

static void us_free(struct l2tpd_datapath *dp)
{
	struct us_dp *u = (struct us_dp *)dp;

	for (unsigned int k = 0; k < u->nw; k++) {
		struct us_worker *w = u->w[k];

		if (!w)
			continue;
		if (w->started) {
			worker_call(w, worker_stop, NULL);
			pthread_join(w->thread, NULL);
		}
		/* every tunnel was deleted before: nothing of theirs is left */
		for (int i = 0; i < 2; i++)
			l2tpd_loop_del(w->loop, w->ip_w[i]);
		worker_free(w);
	}
	l2tpd_loop_del(u->loop, u->gone_w);
	if (u->gone_efd >= 0)
		close(u->gone_efd);
	free(u);
}

static const struct l2tpd_datapath_ops us_ops = {
    .name = "user",
    .tunnel_create = us_tunnel_create,
    .tunnel_modify = us_tunnel_modify,
    .tunnel_delete = us_tunnel_delete,
    .tunnel_stats = us_tunnel_stats,
    .session_create = us_session_create,
    .session_modify = us_session_modify,
    .session_delete = us_session_delete,
    .sessions_predelete = us_sessions_predelete,
    .session_stats = us_session_stats,
    .free = us_free,
};

struct l2tpd_datapath *l2tpd_datapath_user_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
					       unsigned int workers)
{
	struct us_dp *u;
	int err = 0;

	if (workers < 1 || workers > L2TPD_MAX_WORKERS) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->base.ops = &us_ops;
	u->base.priv = u;
	u->loop = loop;
	u->reg = reg;
	u->nw = workers;
	u->gone_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (u->gone_efd < 0)
		goto fail;
	u->gone_w = l2tpd_loop_add(loop, u->gone_efd, EPOLLIN, gone_cb, u);
	if (!u->gone_w)
		goto fail;
	for (unsigned int k = 0; k < workers; k++) {
		u->w[k] = worker_new(u, k, workers == 1 ? loop : NULL);
		if (!u->w[k])
			goto fail;
	}
	for (unsigned int k = 0; k < workers; k++) {
		struct us_worker *w = u->w[k];

		if (!w->threaded)
			continue;
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			errno = err;
			goto fail;
		}
		w->started = true;
	}
	log_info("datapath user: %u worker%s; TAP writes %s; TAP reads %s", workers,
		 workers == 1 ? "" : "s",
		 l2tpd_tapq_uses_uring(&u->w[0]->tapq) ? "batched with io_uring"
						       : "one write() per frame (no io_uring)",
		 u->w[0]->txr ? "through io_uring" : "one read() per frame (no io_uring)");
	log_debug("datapath user: %zu KiB of packet buffers per worker",
		  (l2tpd_pool_bytes(&u->w[0]->pool) + l2tpd_pool_bytes(&u->w[0]->big) +
		   TAP_READ_MAX + TX_ARENA + VNET + GRO_CAP + TAPQ_ARENA +
		   (u->w[0]->txr ? (size_t)TXR_BUFS * TAP_READ_MAX : 0)) /
		      1024);
	return &u->base;
fail:
	err = errno;
	us_free(&u->base);
	errno = err;
	return NULL;
}
