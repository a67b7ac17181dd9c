// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/user/tx.c - transmit: TAP -> socket. Frames read from a TAP cut
 * into segments (TSO), encapsulated and sent in sendmmsg() batches, with
 * UDP_SEGMENT (GSO) where the route allows it.
 */
#include <errno.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "../../clock.h"
#include "../../log.h"
#include "../../registry.h"
#include "internal.h"

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
void tx_flush(struct us_rep *r, int fd)
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
void tx_frame(struct us_rep *r, int fd, const uint8_t *rd, size_t len, uint16_t frame)
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

/* The socket |r| sends on, with the transmit queue set up for it. */
int tx_begin(struct us_rep *r)
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

int tx_one(struct us_rep *r, const uint8_t *payload, size_t len)
{
	struct us_worker *w = r->w;
	struct tx_queue *q = &w->tx;
	size_t ovh = l2tp_dp_overhead(&r->dp);
	struct l2tp_dp_buf b;
	int fd = tx_begin(r);

	if (q->pos + ovh + len > TX_ARENA || q->n == TX_MAX_MSGS)
		tx_flush(r, fd);
	if (ovh + len > TX_ARENA) {
		r->dp.stats.tx_errors++;
		return -EMSGSIZE;
	}
	b = (struct l2tp_dp_buf){.data = w->arena, .cap = TX_ARENA, .off = q->pos + ovh, .len = len};
	memcpy(b.data + b.off, payload, len);
	if (l2tp_dp_encap(&r->dp, &b) < 0)
		return -EINVAL; /* counted as tx_errors */
	tx_add(q, false, b.off, b.len, 0, w->arena);
	q->pos = b.off + b.len;
	tx_flush(r, fd);
	return 0;
}
