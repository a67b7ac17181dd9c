// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/user/rx.c - receive: socket -> TAP. Datagrams classified and
 * matched to their session (session tables), decapsulated, reordered,
 * joined (GRO) and queued for the TAPs.
 */
#include <errno.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <l2tp/wire.h>

#include "../../clock.h"
#include "../../log.h"
#include "../../registry.h"
#include "internal.h"

/* Drop one reference to a buffer of either pool. */
void recycle(struct us_worker *w, struct l2tp_dp_buf *b)
{
	struct l2tpd_pool *p = l2tpd_pool_owns(&w->big, b) ? &w->big : &w->pool;

	if (l2tpd_pool_put(p, b) < 0)
		log_warnx_rl(&w->rl, l2tpd_clock_now(), "datapath: bad buffer returned to pool");
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

void tab_add(struct us_rep **tab, struct us_rep *r)
{
	struct us_rep **p = tab_slot(tab, r->session_id);

	r->hnext = *p;
	*p = r;
}

void tab_del(struct us_rep **tab, struct us_rep *r)
{
	for (struct us_rep **p = tab_slot(tab, r->session_id); *p; p = &(*p)->hnext) {
		if (*p == r) {
			*p = r->hnext;
			return;
		}
	}
}

/* The table that finds |r| on its home worker. */
struct us_rep **rep_tab(struct us_rep *r)
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
void tap_write_failed(void *owner, int err)
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
void gro_out(struct us_worker *w)
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

	if (r->ppp) {
		struct us_dp *u = w->u;

		/* the control plane's PPP link (one worker: this loop) */
		if (u->base.ppp_rx)
			u->base.ppp_rx(u->base.ppp_arg, r->sh->s, f, b->len);
		return;
	}
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

void reorder_timeout(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
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

void udp_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
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

void ip_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
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
