// SPDX-License-Identifier: MIT
/*
 * daemon/datapath_user.c - the userspace datapath: TAP <-> UDP or IP/115
 * sockets through lib/dp.c, with the kernel's offloads.
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
 * Memory is fixed at start and shared by all sessions (one thread):
 *   small pool  POOL_SLOTS x SLOT_SIZE   IP-encap receive, reorder copies
 *   big pool    BIG_SLOTS x BIG_SIZE     UDP receive (64 KiB GRO datagrams)
 *   TX          one TAP read buffer (64 KiB) + TX_ARENA for the segments
 *   RX          one GRO buffer (64 KiB)
 * i.e. 18.4 MiB + 4 MiB + 0.6 MiB + 64 KiB = 23 MiB per daemon, however many
 * sessions; nothing is allocated per packet. (Kernel socket buffers: up to
 * SOCK_BUF_BYTES each way per tunnel socket.)
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
#include <liburing.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
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

struct us_dp;
struct us_tunnel;

struct us_session {
	struct us_dp *u;
	struct l2tpd_session *s;
	struct us_tunnel *ut;
	int tap_fd;
	struct l2tpd_watch *w;
	struct l2tpd_timer reorder;
	struct l2tp_dp_session dp;
	/* io_uring TAP reads outstanding; a deleted session waits for them */
	unsigned int reads;
	bool multishot; /* its reads are multishot ones */
	bool dead;
	struct us_session *next_zombie;
};

struct us_tunnel {
	struct us_dp *u;
	struct l2tpd_tunnel *t;
	int family;
	enum l2tp_encap encap;
	bool gso; /* UDP_SEGMENT usable (checksums on; not refused yet) */
	union l2tpd_addr local, peer;
	int fd; /* UDP only; IP encap shares the family's socket */
	struct l2tpd_watch *w;
	struct l2tp_api_stats own; /* unmatched packets + deleted sessions */
	struct l2tpd_ratelimit rl;
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
	/* IP encap: every message goes to one peer from one source */
	union l2tpd_addr peer;
	union {
		struct cmsghdr align;
		uint8_t b[64];
	} pktinfo;
	size_t pktinfo_len;
};

struct us_dp {
	struct l2tpd_datapath base;
	struct l2tpd_loop *loop;
	struct l2tpd_registry *reg;
	struct l2tpd_pool pool; /* small slots */
	struct l2tpd_pool big; /* 64 KiB receive slots */
	int ip_fd[2]; /* [0] IPv4, [1] IPv6 raw sockets */
	struct l2tpd_watch *ip_w[2];
	unsigned int ip_users[2];
	struct l2tpd_ratelimit rl;
	struct rx_batch rx;
	struct tx_queue tx;
	uint8_t *tap_rd; /* TAP_READ_MAX */
	uint8_t *arena; /* TX_ARENA */
	/* Joining received frames of gro_owner for one TAP write. */
	struct l2tp_gro gro;
	struct us_session *gro_owner;
	uint8_t *gro_buf; /* VNET + GRO_CAP: header, then the joined frame */
	/* What one receive callback delivers, written to the TAPs at its end. */
	struct l2tpd_tapq tapq;
	/* TAP reads through io_uring (NULL: epoll and one read() each). */
	struct io_uring *txr;
	struct io_uring_buf_ring *br;
	uint8_t *txr_bufs; /* TXR_BUFS x TAP_READ_MAX */
	struct l2tpd_watch *txr_w;
	bool txr_multishot; /* one multishot read per session, else TXR_READS */
	struct us_session *zombies; /* deleted, reads still outstanding */
};

static int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* Drop one reference to a buffer of either pool. */
static void recycle(struct us_dp *u, struct l2tp_dp_buf *b)
{
	struct l2tpd_pool *p = l2tpd_pool_owns(&u->big, b) ? &u->big : &u->pool;

	if (l2tpd_pool_put(p, b) < 0)
		log_warnx_rl(&u->rl, l2tpd_clock_now(), "datapath: bad buffer returned to pool");
}

/* ---- receive: socket -> TAP ---------------------------------------------- */

/* A frame the TAP queue could not write (a TAP that is down answers EIO). */
static void tap_write_failed(void *owner, int err)
{
	struct us_session *us = owner;

	us->dp.stats.rx_errors++;
	if (err == EIO)
		return; /* the interface is down: counted, as the kernel does */
	log_warnx_rl(&us->ut->rl, l2tpd_clock_now(), "tunnel %u session %u: write to %s: %s",
		     us->ut->t->cfg.conn_id, us->s->cfg.session_id, us->s->cfg.ifname,
		     strerror(err));
}

/*
 * Queue the frame joined so far for its session's TAP. A single frame is
 * copied into the TAP queue; a joined one (up to 64 KiB) is written from
 * the GRO buffer, with whatever the queue holds, before the buffer is
 * reused.
 */
static void gro_out(struct us_dp *u)
{
	struct us_session *us = u->gro_owner;
	unsigned int count = u->gro.count;
	struct virtio_net_hdr vh;
	size_t len;

	u->gro_owner = NULL;
	len = l2tp_gro_flush(&u->gro, &vh);
	if (!us || !len)
		return;
	if (us->tap_fd < 0) {
		us->dp.stats.rx_errors += count ? count : 1;
		return;
	}
	if (count <= 1 &&
	    l2tpd_tapq_add(&u->tapq, us->tap_fd, &vh, VNET, u->gro_buf + VNET, len, us) == 0)
		return;
	memcpy(u->gro_buf, &vh, VNET);
	l2tpd_tapq_add_ref(&u->tapq, us->tap_fd, u->gro_buf, VNET + len, us);
	l2tpd_tapq_flush(&u->tapq);
}

/* Queue one frame for the TAP as it is (a zero virtio-net header). */
static void write_one(struct us_session *us, const uint8_t *f, size_t len)
{
	struct virtio_net_hdr vh = {0};
	struct iovec iov[2] = {{&vh, VNET}, {(void *)f, len}};

	if (us->tap_fd >= 0 &&
	    l2tpd_tapq_add(&us->u->tapq, us->tap_fd, &vh, VNET, f, len, us) == 0)
		return;
	/* Too large for the queue: write it now, after what is queued. */
	l2tpd_tapq_flush(&us->u->tapq);
	if (us->tap_fd < 0 || writev(us->tap_fd, iov, 2) < 0)
		us->dp.stats.rx_errors++;
}

/* Hand one decapsulated frame to the TAP (joined with its neighbours). */
static void deliver(struct us_session *us, const struct l2tp_dp_buf *b)
{
	struct us_dp *u = us->u;
	const uint8_t *f = b->data + b->off;

	if (u->gro_owner != us)
		gro_out(u); /* frames of different sessions never join */
	u->gro_owner = us;
	if (l2tp_gro_add(&u->gro, f, b->len) == 1)
		return;
	gro_out(u);
	u->gro_owner = us;
	if (l2tp_gro_add(&u->gro, f, b->len) == 1)
		return;
	/* Not even an empty one took it (too large): never truncate. */
	u->gro_owner = NULL;
	write_one(us, f, b->len);
}

static void drain_reorder(struct us_session *us, l2tp_time_t now)
{
	struct l2tp_dp_buf b;

	while (l2tp_dp_pop(&us->dp, now, &b)) {
		deliver(us, &b);
		recycle(us->u, &b);
	}
	l2tpd_timer_set(us->u->loop, &us->reorder, l2tp_dp_next_deadline(&us->dp));
}

static void reorder_timeout(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	struct us_session *us = arg;

	drain_reorder(us, now);
	gro_out(us->u);
	l2tpd_tapq_flush(&us->u->tapq);
}

/*
 * One packet of |us|, |b| holding one pool reference that this takes over:
 * returned here, or when the reorder queue lets the packet go.
 */
static void rx_session(struct us_session *us, struct l2tp_dp_buf *b, l2tp_time_t now)
{
	struct us_dp *u = us->u;
	struct l2tp_diag d = {0};
	struct l2tp_dp_buf copy;

	if (us->dp.cfg.reorder_timeout && l2tpd_pool_owns(&u->big, b)) {
		/* Out-of-order packets may wait: keep them out of the big slots. */
		if (b->len > SLOT_SIZE - HEADROOM ||
		    l2tpd_pool_get(&u->pool, &copy, HEADROOM) < 0) {
			us->dp.stats.rx_errors++;
			recycle(u, b);
			return;
		}
		memcpy(copy.data + copy.off, b->data + b->off, b->len);
		copy.len = b->len;
		recycle(u, b);
		b = &copy;
	}
	switch (l2tp_dp_decap(&us->dp, b, now, &d)) {
	case L2TP_DP_DELIVER:
		deliver(us, b);
		recycle(u, b);
		break;
	case L2TP_DP_QUEUED:
		break;
	default:
		log_warnx_rl(&us->ut->rl, now, "tunnel %u session %u: dropped packet: %s",
			     us->ut->t->cfg.conn_id, us->s->cfg.session_id,
			     d.reason ? d.reason : "sequence");
		recycle(u, b);
		break;
	}
	if (l2tp_reorder_count(&us->dp.rq) || us->reorder.linked)
		drain_reorder(us, now);
}

static struct us_session *find_session(struct l2tpd_tunnel *t, uint32_t sid)
{
	struct l2tpd_session *s = l2tpd_session_find(t, sid);

	return s ? s->dp : NULL;
}

/*
 * Classify one datagram of |ut| and hand it to its session. Returns the
 * session, or NULL when it was dropped (and counted) here.
 */
static struct us_session *rx_match(struct us_tunnel *ut, const struct l2tp_dp_buf *b,
				   l2tp_time_t now)
{
	struct l2tp_wire_class cl;
	struct l2tp_diag d = {0};
	struct us_session *us;
	int rc;

	rc = l2tp_wire_classify(ut->encap, b->data + b->off, b->len, &cl, &d);
	if (rc < 0) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped datagram of %zu bytes: %s",
			     ut->t->cfg.conn_id, b->len, l2tp_wire_strerror(rc));
		return NULL;
	}
	if (cl.ctrl) {
		/* Static tunnels have no control connection (ip-l2tp(8)). */
		log_warnx_rl(&ut->rl, now, "tunnel %u: control message dropped (static tunnel)",
			     ut->t->cfg.conn_id);
		return NULL;
	}
	if (cl.version != ut->t->cfg.proto_version) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped L2TPv%u data (tunnel is L2TPv%u)",
			     ut->t->cfg.conn_id, cl.version, ut->t->cfg.proto_version);
		return NULL;
	}
	us = find_session(ut->t, cl.session_id);
	if (!us) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped data for unknown session %u",
			     ut->t->cfg.conn_id, cl.session_id);
	}
	return us;
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

static void udp_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_tunnel *ut = arg;
	struct us_dp *u = ut->u;
	struct rx_batch *bt = &u->rx;
	unsigned int n = rx_prepare(&u->big, bt, false);
	l2tp_time_t now;
	int got;

	if (n == 0) {
		/* Pool exhausted (reorder queues full): take one datagram and drop it. */
		uint8_t scratch[64];

		if (recv(ut->fd, scratch, sizeof(scratch), MSG_DONTWAIT) >= 0)
			ut->own.rx_errors++;
		return;
	}
	got = recvmmsg(ut->fd, bt->msg, n, MSG_DONTWAIT, NULL);
	now = l2tpd_clock_now();
	for (int i = 0; i < got; i++) {
		struct l2tp_dp_buf *b = &bt->buf[i];
		struct msghdr *mh = &bt->msg[i].msg_hdr;
		size_t len = bt->msg[i].msg_len, seg = gro_size(mh);

		if (mh->msg_flags & MSG_TRUNC) {
			ut->own.rx_errors++;
			log_warnx_rl(&ut->rl, now, "tunnel %u: oversized datagram dropped",
				     ut->t->cfg.conn_id);
			recycle(u, b);
			continue;
		}
		if (seg == 0 || seg > len)
			seg = len;
		/* UDP GRO: datagrams of |seg| bytes back to back, the last shorter. */
		for (size_t off = 0;;) {
			struct l2tp_dp_buf p = *b;
			struct us_session *us;

			p.off = b->off + off;
			p.len = len - off < seg ? len - off : seg;
			p.cap = p.off + p.len;
			us = rx_match(ut, &p, now);
			if (us && l2tpd_pool_ref(&u->big, &p) == 0)
				rx_session(us, &p, now);
			off += seg;
			if (seg == 0 || off >= len)
				break;
		}
		recycle(u, b);
	}
	for (unsigned int i = got > 0 ? (unsigned int)got : 0; i < n; i++)
		recycle(u, &bt->buf[i]);
	gro_out(u);
	l2tpd_tapq_flush(&u->tapq);
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

/* One datagram on the shared raw IP/115 socket of |family|. */
static void rx_ip(struct us_dp *u, int family, struct l2tp_dp_buf *b, struct msghdr *mh,
		  l2tp_time_t now)
{
	union l2tpd_addr *src = mh->msg_name, dst;
	struct l2tp_wire_class cl;
	struct l2tpd_session *s;
	struct us_session *us;
	struct us_tunnel *ut;
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
			log_warnx_rl(&u->rl, now, "ip encap: dropped datagram from %s: %s",
				     l2tpd_addr_str(src, a, sizeof(a)), l2tp_wire_strerror(rc));
		goto drop;
	}
	s = l2tpd_session_find_ip(u->reg, family, cl.session_id);
	if (!s) {
		log_warnx_rl(&u->rl, now, "ip encap: dropped data for unknown session %u from %s",
			     cl.session_id, l2tpd_addr_str(src, a, sizeof(a)));
		goto drop;
	}
	us = s->dp;
	ut = us->ut;
	/* One socket serves every IP tunnel: the addresses select the tunnel. */
	if (!l2tpd_addr_eq_host(src, &ut->peer) ||
	    (!l2tpd_addr_is_any(&ut->local) && pkt_dst(mh, family, &dst) &&
	     !l2tpd_addr_eq_host(&dst, &ut->local))) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped data for session %u from %s",
			     ut->t->cfg.conn_id, cl.session_id, l2tpd_addr_str(src, a, sizeof(a)));
		goto drop;
	}
	rx_session(us, b, now);
	return;
garbage:
	log_warnx_rl(&u->rl, now, "ip encap: dropped runt datagram");
drop:
	recycle(u, b);
}

static void ip_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_dp *u = arg;
	int fd = l2tpd_watch_fd(w);
	int family = fd == u->ip_fd[1] ? AF_INET6 : AF_INET;
	struct rx_batch *bt = &u->rx;
	unsigned int n = rx_prepare(&u->pool, bt, true);
	l2tp_time_t now;
	int got;

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
			recycle(u, b);
			continue;
		}
		b->len = bt->msg[i].msg_len;
		rx_ip(u, family, b, &bt->msg[i].msg_hdr, now);
	}
	for (unsigned int i = got > 0 ? (unsigned int)got : 0; i < n; i++)
		recycle(u, &bt->buf[i]);
	gro_out(u);
	l2tpd_tapq_flush(&u->tapq);
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

static void tx_count_failed(struct us_session *us, unsigned int i, int err)
{
	const struct tx_queue *q = &us->u->tx;

	for (unsigned int k = 0; k < q->nseg[i]; k++)
		l2tp_dp_tx_failed(&us->dp, tx_seg_len(q, i, k));
	log_warnx_rl(&us->ut->rl, l2tpd_clock_now(), "tunnel %u session %u: send: %s",
		     us->ut->t->cfg.conn_id, us->s->cfg.session_id, strerror(err));
}

/* Send the datagrams of GSO message |i| one by one. */
static void tx_send_each(struct us_session *us, int fd, unsigned int i)
{
	struct tx_queue *q = &us->u->tx;
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
	}
	while (sent < n) {
		int r = sendmmsg(fd, &q->one_msg[sent], n - sent, MSG_DONTWAIT);

		if (r > 0) {
			sent += (unsigned int)r;
			continue;
		}
		l2tp_dp_tx_failed(&us->dp, q->one_iov[sent].iov_len);
		log_warnx_rl(&us->ut->rl, l2tpd_clock_now(), "tunnel %u session %u: send: %s",
			     us->ut->t->cfg.conn_id, us->s->cfg.session_id, strerror(errno));
		sent++;
	}
}

/* Send everything queued for |us| and empty the queue. */
static void tx_flush(struct us_session *us, int fd)
{
	struct us_tunnel *ut = us->ut;
	struct tx_queue *q = &us->u->tx;
	unsigned int sent = 0;

	for (unsigned int i = 0; i < q->n; i++) {
		struct msghdr *mh = &q->msg[i].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &q->iov[i];
		mh->msg_iovlen = 1;
		if (ut->encap == L2TP_ENCAP_IP) {
			mh->msg_name = &q->peer;
			mh->msg_namelen = l2tpd_addr_len(&q->peer);
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
		int r = sendmmsg(fd, &q->msg[sent], q->n - sent, MSG_DONTWAIT), err;

		if (r > 0) {
			sent += (unsigned int)r;
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
			if (err != EMSGSIZE && ut->gso) {
				ut->gso = false;
				log_warnx("tunnel %u: UDP GSO refused (%s), sending datagrams "
					  "one by one",
					  ut->t->cfg.conn_id, strerror(err));
			}
			tx_send_each(us, fd, sent);
		} else {
			tx_count_failed(us, sent, err);
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
static void tx_frame(struct us_session *us, int fd, const uint8_t *rd, size_t len, uint16_t frame)
{
	struct us_dp *u = us->u;
	struct tx_queue *q = &u->tx;
	bool gso = us->ut->encap == L2TP_ENCAP_UDP && us->ut->gso;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;
	int rc;

	if (len < VNET) {
		us->dp.stats.tx_errors++;
		return;
	}
	memcpy(&vh, rd, VNET);
	rc = l2tp_tso_init(&t, &vh, rd + VNET, len - VNET);
	if (rc < 0) {
		us->dp.stats.tx_errors++;
		log_warnx_rl(&us->ut->rl, l2tpd_clock_now(),
			     "tunnel %u session %u: frame from %s dropped: %s",
			     us->ut->t->cfg.conn_id, us->s->cfg.session_id, us->s->cfg.ifname,
			     strerror(-rc));
		return;
	}
	for (;;) {
		size_t ovh = l2tp_dp_overhead(&us->dp), start;
		struct l2tp_dp_buf b;

		if (q->n == TX_MAX_MSGS || q->pos + ovh + 64 > TX_ARENA)
			tx_flush(us, fd);
		start = q->pos + ovh;
		rc = l2tp_tso_next(&t, u->arena + start, TX_ARENA - start);
		if (rc == -ENOSPC && q->pos > 0) {
			tx_flush(us, fd);
			continue;
		}
		if (rc <= 0) {
			if (rc < 0)
				us->dp.stats.tx_errors++;
			return;
		}
		b = (struct l2tp_dp_buf){
		    .data = u->arena, .cap = TX_ARENA, .off = start, .len = (size_t)rc};
		if (l2tp_dp_encap(&us->dp, &b) < 0)
			continue; /* counted as tx_errors */
		tx_add(q, gso, b.off, b.len, frame, u->arena);
		q->pos = b.off + b.len;
	}
}

/*
 * The interface was deleted from under us (`ip link del`): the TAP fd then
 * reports EPOLLERR/EPOLLHUP and reads fail with EBADFD for ever. As the
 * kernel's l2tp_eth does on dev uninit, the session stays without an
 * interface until it is deleted; we stop watching the fd so the loop does
 * not spin, and frames for the session are dropped and counted.
 */
static void txr_cancel(struct us_dp *u, struct us_session *us);

static void tap_detach(struct us_session *us, int err)
{
	log_warnx("tunnel %u session %u: interface %s is gone (%s); the session "
		  "stays without one until it is deleted",
		  us->ut->t->cfg.conn_id, us->s->cfg.session_id, us->s->cfg.ifname, strerror(err));
	if (us->w)
		l2tpd_loop_del(us->u->loop, us->w);
	us->w = NULL;
	txr_cancel(us->u, us);
	close(us->tap_fd);
	us->tap_fd = -1;
	memset(us->s->cfg.ifname, 0, sizeof(us->s->cfg.ifname));
}

/* The socket |us| sends on, with the transmit queue set up for it. */
static int tx_begin(struct us_session *us)
{
	struct us_tunnel *ut = us->ut;
	struct us_dp *u = us->u;
	struct tx_queue *q = &u->tx;

	if (ut->encap == L2TP_ENCAP_UDP)
		return ut->fd;
	q->peer = ut->peer;
	q->pktinfo_len = make_pktinfo(q->pktinfo.b, sizeof(q->pktinfo.b), ut);
	return u->ip_fd[fam_idx(ut->family)];
}

static void tap_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_session *us = arg;
	struct us_dp *u = us->u;
	int fd = tx_begin(us);
	int err = 0;

	for (size_t reads = 0, bytes = 0; reads < TX_MAX_READS && bytes < TX_BUDGET; reads++) {
		ssize_t r = read(us->tap_fd, u->tap_rd, TAP_READ_MAX);

		if (r <= 0) {
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				err = errno;
			else if (r == 0 || (events & (EPOLLERR | EPOLLHUP)))
				err = EBADFD;
			break;
		}
		if ((size_t)r == TAP_READ_MAX) {
			/* Possibly cut short: never send a truncated frame. */
			us->dp.stats.tx_errors++;
			continue;
		}
		bytes += (size_t)r;
		tx_frame(us, fd, u->tap_rd, (size_t)r, (uint16_t)reads);
	}
	tx_flush(us, fd);
	if (err)
		tap_detach(us, err);
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
static struct io_uring_sqe *txr_sqe(struct us_dp *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(u->txr);

	if (!sqe) {
		(void)io_uring_submit(u->txr);
		sqe = io_uring_get_sqe(u->txr);
	}
	return sqe;
}

static void txr_submit_read(struct us_dp *u, struct us_session *us)
{
	struct io_uring_sqe *sqe = txr_sqe(u);

	if (!sqe)
		return; /* cannot happen after a submit; the session reads less */
	us->multishot = u->txr_multishot;
	if (us->multishot)
		io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, us->tap_fd, NULL, 0, 0);
	else
		io_uring_prep_read(sqe, us->tap_fd, NULL, TAP_READ_MAX, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = TXR_BGID;
	io_uring_sqe_set_data(sqe, us);
	us->reads++;
}

/* Cancel the session's outstanding reads (before its TAP fd closes). */
static void txr_cancel(struct us_dp *u, struct us_session *us)
{
	struct io_uring_sqe *sqe;

	if (!u->txr || !us->reads || us->tap_fd < 0)
		return;
	sqe = txr_sqe(u);
	if (sqe) {
		io_uring_prep_cancel_fd(sqe, us->tap_fd, IORING_ASYNC_CANCEL_ALL);
		io_uring_sqe_set_data64(sqe, TXR_TAG_CANCEL);
	}
	/* Cancelling a waiting read completes it now: the fd is free after this. */
	(void)io_uring_submit(u->txr);
}

static void txr_free_zombie(struct us_dp *u, struct us_session *us)
{
	for (struct us_session **pp = &u->zombies; *pp; pp = &(*pp)->next_zombie) {
		if (*pp == us) {
			*pp = us->next_zombie;
			break;
		}
	}
	free(us);
}

static void txr_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_dp *u = arg;
	struct us_session *cur = NULL;
	int cur_fd = -1, returned = 0;
	uint16_t frames = 0;
	unsigned int mask = (unsigned int)io_uring_buf_ring_mask(TXR_BUFS);

	for (unsigned int n = 0; n < TXR_BUDGET; n++) {
		struct io_uring_cqe *cqe;
		struct us_session *us;
		unsigned int flags;
		int res;

		if (io_uring_peek_cqe(u->txr, &cqe) != 0)
			break;
		us = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		flags = cqe->flags;
		io_uring_cqe_seen(u->txr, cqe);
		if ((uintptr_t)us == TXR_TAG_CANCEL)
			continue;
		if (!(flags & IORING_CQE_F_MORE))
			us->reads--; /* this read is over (a multishot one may go on) */
		if (res > 0 && (flags & IORING_CQE_F_BUFFER) && !us->dead && us->tap_fd >= 0) {
			unsigned int bid = flags >> IORING_CQE_BUFFER_SHIFT;

			if (cur != us) {
				if (cur)
					tx_flush(cur, cur_fd);
				cur = us;
				cur_fd = tx_begin(us);
			}
			if ((size_t)res >= TAP_READ_MAX) /* possibly cut short: never send it */
				us->dp.stats.tx_errors++;
			else
				tx_frame(us, cur_fd, u->txr_bufs + (size_t)bid * TAP_READ_MAX,
					 (size_t)res, frames++);
		}
		if (flags & IORING_CQE_F_BUFFER) {
			unsigned int bid = flags >> IORING_CQE_BUFFER_SHIFT;

			io_uring_buf_ring_add(u->br, u->txr_bufs + (size_t)bid * TAP_READ_MAX,
					      TAP_READ_MAX, (unsigned short)bid, (int)mask, returned++);
		}
		if (us->dead) {
			if (!us->reads)
				txr_free_zombie(u, us);
			continue;
		}
		if (us->tap_fd < 0 || (flags & IORING_CQE_F_MORE))
			continue;
		if (res == -EINVAL && us->multishot) {
			/* A kernel before 6.7: plain reads from now on. */
			if (u->txr_multishot)
				log_info("datapath user: no multishot read; %d TAP reads kept "
					 "outstanding per session",
					 TXR_READS);
			u->txr_multishot = false;
			us->multishot = false;
			for (int i = 0; i < TXR_READS; i++)
				txr_submit_read(u, us);
		} else if (res > 0 || res == -ENOBUFS || res == -EAGAIN || res == -EINTR) {
			txr_submit_read(u, us);
		} else if (res != -ECANCELED) {
			/* EBADFD: the interface was deleted (see tap_detach) */
			if (cur == us) {
				tx_flush(cur, cur_fd);
				cur = NULL;
			}
			tap_detach(us, res < 0 ? -res : EBADFD);
		}
	}
	if (cur)
		tx_flush(cur, cur_fd);
	if (returned)
		io_uring_buf_ring_advance(u->br, returned);
	if (io_uring_sq_ready(u->txr))
		(void)io_uring_submit(u->txr);
}

static void txr_fini(struct us_dp *u)
{
	if (u->txr_w)
		l2tpd_loop_del(u->loop, u->txr_w);
	u->txr_w = NULL;
	if (u->txr) {
		if (u->br)
			(void)io_uring_unregister_buf_ring(u->txr, TXR_BGID);
		io_uring_queue_exit(u->txr); /* cancels what is left */
		free(u->txr);
		u->txr = NULL;
	}
	if (u->br)
		munmap(u->br, TXR_BUFS * sizeof(struct io_uring_buf));
	u->br = NULL;
	free(u->txr_bufs);
	u->txr_bufs = NULL;
	while (u->zombies)
		txr_free_zombie(u, u->zombies);
}

/* io_uring for TAP reads if the kernel has provided-buffer rings (5.19). */
static void txr_init(struct us_dp *u)
{
	struct io_uring_params par = {.flags = IORING_SETUP_CQSIZE, .cq_entries = TXR_CQ};
	struct io_uring_buf_reg reg = {0};
	void *br;
	int rc;

	if (l2tpd_env_flag("L2TPD_NO_IO_URING") || l2tpd_env_flag("L2TPD_NO_IO_URING_READS"))
		return;
	u->txr = calloc(1, sizeof(*u->txr));
	u->txr_bufs = malloc((size_t)TXR_BUFS * TAP_READ_MAX);
	br = mmap(NULL, TXR_BUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!u->txr || !u->txr_bufs || br == MAP_FAILED) {
		rc = -ENOMEM;
		if (br != MAP_FAILED)
			munmap(br, TXR_BUFS * sizeof(struct io_uring_buf));
		goto fail;
	}
	u->br = br;
	rc = io_uring_queue_init_params(TXR_SQ, u->txr, &par);
	if (rc < 0) {
		free(u->txr);
		u->txr = NULL;
		goto fail;
	}
	reg.ring_addr = (uintptr_t)br;
	reg.ring_entries = TXR_BUFS;
	reg.bgid = TXR_BGID;
	rc = io_uring_register_buf_ring(u->txr, &reg, 0);
	if (rc < 0) {
		munmap(u->br, TXR_BUFS * sizeof(struct io_uring_buf));
		u->br = NULL;
		goto fail;
	}
	io_uring_buf_ring_init(u->br);
	for (int i = 0; i < TXR_BUFS; i++)
		io_uring_buf_ring_add(u->br, u->txr_bufs + (size_t)i * TAP_READ_MAX, TAP_READ_MAX,
				      (unsigned short)i, io_uring_buf_ring_mask(TXR_BUFS), i);
	io_uring_buf_ring_advance(u->br, TXR_BUFS);
	u->txr_multishot = true; /* until the kernel says EINVAL */
	u->txr_w = l2tpd_loop_add(u->loop, u->txr->ring_fd, EPOLLIN, txr_cb, u);
	if (!u->txr_w) {
		rc = -errno;
		goto fail;
	}
	return;
fail:
	log_info("datapath user: TAP reads without io_uring (%s)", strerror(-rc));
	txr_fini(u);
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

static int ip_sock_get(struct us_dp *u, int family)
{
	int i = fam_idx(family), fd;

	if (u->ip_users[i] == 0) {
		fd = l2tpd_sock_ip_open(family);
		if (fd < 0)
			return fd;
		l2tpd_sock_set_bufs(fd, SOCK_BUF_BYTES);
		u->ip_w[i] = l2tpd_loop_add(u->loop, fd, EPOLLIN, ip_cb, u);
		if (!u->ip_w[i]) {
			int err = -errno;

			close(fd);
			return err;
		}
		u->ip_fd[i] = fd;
	}
	u->ip_users[i]++;
	return 0;
}

static void ip_sock_put(struct us_dp *u, int family)
{
	int i = fam_idx(family);

	if (u->ip_users[i] == 0 || --u->ip_users[i] > 0)
		return;
	l2tpd_loop_del(u->loop, u->ip_w[i]);
	u->ip_w[i] = NULL;
	close(u->ip_fd[i]);
	u->ip_fd[i] = -1;
}

static int us_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = calloc(1, sizeof(*ut));
	struct l2tpd_udp_opts o;
	union l2tpd_addr bound;
	socklen_t sl = sizeof(bound);
	int rc;

	if (!ut)
		return -ENOMEM;
	ut->u = u;
	ut->t = t;
	ut->fd = -1;
	ut->family = l2tpd_tunnel_family(t);
	ut->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	ut->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	tunnel_addrs(t, &ut->local, &ut->peer);
	if (ut->encap == L2TP_ENCAP_IP) {
		rc = ip_sock_get(u, ut->family);
		if (rc < 0)
			goto fail;
	} else {
		o.csum = t->cfg.udp_csum;
		o.zero_csum6_tx = t->cfg.udp_zero_csum6_tx;
		o.zero_csum6_rx = t->cfg.udp_zero_csum6_rx;
		rc = l2tpd_sock_udp_open(&ut->local, &ut->peer, &o);
		if (rc < 0)
			goto fail;
		ut->fd = rc;
		ut->gso = l2tpd_sock_udp_gso_ok(ut->family, &o);
		l2tpd_sock_set_bufs(ut->fd, SOCK_BUF_BYTES);
		/* Without GRO the kernel hands us one datagram per recvmmsg slot. */
		if (l2tpd_sock_udp_gro(ut->fd) < 0)
			log_debug("tunnel %u: no UDP GRO", t->cfg.conn_id);
		/* Report the port actually bound, as the kernel does for port 0. */
		if (getsockname(ut->fd, &bound.sa, &sl) == 0)
			t->cfg.udp_sport =
			    ntohs(ut->family == AF_INET6 ? bound.in6.sin6_port : bound.in.sin_port);
		ut->w = l2tpd_loop_add(u->loop, ut->fd, EPOLLIN, udp_cb, ut);
		if (!ut->w) {
			rc = -errno;
			close(ut->fd);
			goto fail;
		}
	}
	t->dp = ut;
	return 0;
fail:
	free(ut);
	return rc;
}

static int us_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
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
		l2tpd_loop_del(u->loop, ut->w);
		close(ut->fd);
	}
	free(ut);
	t->dp = NULL;
}

static void stats_from_dp(struct l2tp_api_stats *st, const struct l2tp_dp_stats *d)
{
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

static void us_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	struct us_tunnel *ut = t->dp;

	*st = ut->own;
	for (struct l2tpd_session *s = t->sessions; s; s = s->next)
		tunnel_add_session(st, &((struct us_session *)s->dp)->dp.stats);
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

static int us_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = s->tunnel->dp;
	struct us_session *us;
	struct l2tp_dp_cfg c;
	char ifname[IFNAMSIZ];
	unsigned int mtu;
	int rc, underlay;

	if (s->cfg.pw_type != L2TP_PWTYPE_ETH)
		return -EPROTONOSUPPORT;
	us = calloc(1, sizeof(*us));
	if (!us)
		return -ENOMEM;
	us->u = u;
	us->s = s;
	us->ut = ut;
	us->tap_fd = -1;
	l2tpd_timer_init(&us->reorder, reorder_timeout, us);
	dp_cfg(s, &c);
	/* Cookie lengths other than 0/4/8 (RFC 3931 §5.4.4) end here. */
	rc = l2tp_dp_session_init(&us->dp, &c);
	if (rc < 0)
		goto fail;
	rc = l2tpd_tap_create(s->cfg.ifname[0] ? s->cfg.ifname : NULL, l2tpd_registry_ifname_used,
			      u->reg, ifname);
	if (rc < 0)
		goto fail;
	us->tap_fd = rc;
	underlay = l2tpd_sock_route_mtu(&ut->local, &ut->peer);
	mtu =
	    l2tpd_mtu_session(underlay > 0 ? (unsigned int)underlay : 0, ut->family == AF_INET6,
			      ut->encap == L2TP_ENCAP_UDP, (unsigned int)l2tp_dp_overhead(&us->dp));
	/* Left down, as the kernel's l2tp_eth does: `ip link set up` is the user's. */
	rc = l2tpd_tap_set_mtu(ifname, mtu);
	if (rc < 0)
		goto fail;
	if (u->txr) {
		for (int i = 0; i < (u->txr_multishot ? 1 : TXR_READS); i++)
			txr_submit_read(u, us);
		(void)io_uring_submit(u->txr);
	} else {
		us->w = l2tpd_loop_add(u->loop, us->tap_fd, EPOLLIN, tap_cb, us);
		if (!us->w) {
			rc = -errno;
			goto fail;
		}
	}
	memcpy(s->cfg.ifname, ifname, IFNAMSIZ);
	s->dp = us;
	log_debug("session %u: %s mtu %u (underlay %d)", s->cfg.session_id, ifname, mtu, underlay);
	return 0;
fail:
	/* Closing the fd of a non-persistent TAP removes the device. */
	if (us->tap_fd >= 0)
		close(us->tap_fd);
	free(us);
	return rc;
}

static int us_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_session *us = s->dp;
	struct l2tp_dp_cfg c;

	dp_cfg(s, &c);
	return l2tp_dp_session_modify(&us->dp, &c);
}

static void us_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *us = s->dp;
	struct l2tp_dp_buf b;

	if (!us)
		return;
	if (u->gro_owner == us)
		gro_out(u);
	l2tpd_tapq_flush(&u->tapq); /* before its TAP closes */
	l2tpd_timer_cancel(u->loop, &us->reorder);
	while (l2tp_dp_flush(&us->dp, &b))
		recycle(u, &b);
	/* The tunnel keeps counting what its deleted sessions carried. */
	tunnel_add_session(&us->ut->own, &us->dp.stats);
	if (us->w)
		l2tpd_loop_del(u->loop, us->w);
	txr_cancel(u, us);
	if (us->tap_fd >= 0)
		close(us->tap_fd);
	us->tap_fd = -1;
	s->dp = NULL;
	us->s = NULL;
	if (us->reads) {
		/* Its cancelled reads still complete: free it at the last one. */
		us->dead = true;
		us->next_zombie = u->zombies;
		u->zombies = us;
	} else {
		free(us);
	}
}

static void us_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct us_session *us = s->dp;

	stats_from_dp(st, &us->dp.stats);
}

static void us_free(struct l2tpd_datapath *dp)
{
	struct us_dp *u = (struct us_dp *)dp;

	txr_fini(u);
	for (int i = 0; i < 2; i++) {
		if (u->ip_users[i]) {
			l2tpd_loop_del(u->loop, u->ip_w[i]);
			close(u->ip_fd[i]);
		}
	}
	l2tpd_tapq_fini(&u->tapq);
	l2tpd_pool_fini(&u->pool);
	l2tpd_pool_fini(&u->big);
	free(u->tap_rd);
	free(u->arena);
	free(u->gro_buf);
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
    .session_stats = us_session_stats,
    .free = us_free,
};

struct l2tpd_datapath *l2tpd_datapath_user_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg)
{
	struct us_dp *u = calloc(1, sizeof(*u));
	int rc;

	if (!u)
		return NULL;
	u->base.ops = &us_ops;
	u->base.priv = u;
	u->loop = loop;
	u->reg = reg;
	u->ip_fd[0] = u->ip_fd[1] = -1;
	u->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	rc = l2tpd_pool_init(&u->pool, POOL_SLOTS, SLOT_SIZE);
	if (rc == 0)
		rc = l2tpd_pool_init(&u->big, BIG_SLOTS, BIG_SIZE);
	u->tap_rd = malloc(TAP_READ_MAX);
	u->arena = malloc(TX_ARENA);
	u->gro_buf = malloc(VNET + GRO_CAP);
	if (rc == 0 && (!u->tap_rd || !u->arena || !u->gro_buf))
		rc = -ENOMEM;
	if (rc == 0)
		rc = l2tpd_tapq_init(&u->tapq, TAPQ_ARENA, true, tap_write_failed);
	if (rc == 0)
		txr_init(u);
	if (rc < 0) {
		us_free(&u->base);
		errno = -rc;
		return NULL;
	}
	l2tp_gro_init(&u->gro, u->gro_buf + VNET, GRO_CAP);
	log_info("datapath user: TAP writes %s; TAP reads %s",
		 l2tpd_tapq_uses_uring(&u->tapq) ? "batched with io_uring"
						 : "one write() per frame (no io_uring)",
		 u->txr ? "through io_uring" : "one read() per frame (no io_uring)");
	log_debug("datapath user: %zu KiB of packet buffers",
		  (l2tpd_pool_bytes(&u->pool) + l2tpd_pool_bytes(&u->big) + TAP_READ_MAX +
		   TX_ARENA + VNET + GRO_CAP + TAPQ_ARENA +
		   (u->txr ? (size_t)TXR_BUFS * TAP_READ_MAX : 0)) /
		      1024);
	return &u->base;
}
