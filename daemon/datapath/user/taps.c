// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/user/taps.c - the TAP side: reading the sessions' TAP queues
 * (epoll, or io_uring with provided buffers), attaching and detaching
 * queues, and interfaces deleted from under us.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../log.h"
#include "../../loop.h"
#include "../../registry.h"
#include "../../tap.h"
#include "internal.h"

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

/* Attach the TAP queues of the workers other than home, or detach them. */
int queues_enable(struct us_session *sh, bool on)
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

/* A worker found a session's interface deleted: forget its name. */
void gone_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
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

void txr_fini(struct us_worker *w)
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
void txr_init(struct us_worker *w)
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
int read_start(struct us_rep *r)
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
void read_stop(struct us_rep *r)
{
	if (!r->reading)
		return;
	r->reading = false;
	if (r->watch)
		l2tpd_loop_del(r->w->loop, r->watch);
	r->watch = NULL;
	txr_cancel(r->w, r);
}
