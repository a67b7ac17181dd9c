// SPDX-License-Identifier: MIT
/*
 * daemon/tapq.c - frames bound for TAP devices, written many per system call
 * (io_uring), or one write() each where io_uring is not available.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tapq.h"

/* A TAP write never waits; one that does is given this long before giving up. */
#define WAIT_NS 200000000LL

int l2tpd_tapq_init(struct l2tpd_tapq *q, size_t arena_bytes, bool want_uring,
		    l2tpd_tapq_fail_fn *fail)
{
	memset(q, 0, sizeof(*q));
	q->fail = fail;
	q->cap = arena_bytes;
	q->arena = malloc(arena_bytes);
	if (!q->arena)
		return -ENOMEM;
	if (!want_uring || l2tpd_env_flag("L2TPD_NO_IO_URING"))
		return 0;
	q->ring = malloc(sizeof(*q->ring));
	if (q->ring && io_uring_queue_init(L2TPD_TAPQ_MAX, q->ring, 0) < 0) {
		free(q->ring);
		q->ring = NULL;
	}
	return 0;
}

static void drop_ring(struct l2tpd_tapq *q)
{
	/* Closing the ring cancels whatever is still pending on it. */
	io_uring_queue_exit(q->ring);
	free(q->ring);
	q->ring = NULL;
}

void l2tpd_tapq_fini(struct l2tpd_tapq *q)
{
	l2tpd_tapq_flush(q);
	if (q->ring)
		drop_ring(q);
	free(q->arena);
	q->arena = NULL;
}

static void result(struct l2tpd_tapq *q, unsigned int i, long res)
{
	if (res < 0)
		q->fail(q->ent[i].owner, (int)-res);
	else if ((size_t)res != q->ent[i].len)
		q->fail(q->ent[i].owner, EIO); /* a TAP takes a frame whole or not at all */
}

static void flush_write(struct l2tpd_tapq *q, unsigned int from)
{
	for (unsigned int i = from; i < q->n; i++) {
		ssize_t r = write(q->ent[i].fd, q->ent[i].p, q->ent[i].len);

		q->syscalls++;
		result(q, i, r < 0 ? -errno : r);
	}
}

/*
 * Submit every entry and reap every completion. Returns false if the ring
 * failed (then it is gone, and what did not complete was counted failed).
 */
static bool flush_uring(struct l2tpd_tapq *q)
{
	struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = WAIT_NS};
	unsigned int done = 0;
	bool seen[L2TPD_TAPQ_MAX] = {0};
	int r;

	for (unsigned int i = 0; i < q->n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(q->ring);

		/* The ring has L2TPD_TAPQ_MAX entries and is empty here; else give up on it. */
		if (!sqe) {
			drop_ring(q);
			flush_write(q, 0);
			return false;
		}
		io_uring_prep_write(sqe, q->ent[i].fd, q->ent[i].p, (unsigned int)q->ent[i].len, 0);
		io_uring_sqe_set_data64(sqe, i);
	}
	q->syscalls++;
	r = io_uring_submit_and_wait(q->ring, q->n);
	if (r < 0 && r != -EINTR && r != -ETIME) {
		/* Nothing was submitted: write them ourselves. */
		drop_ring(q);
		flush_write(q, 0);
		return false;
	}
	/* Bounded: every round reaps a completion or gives up. */
	while (done < q->n) {
		struct io_uring_cqe *cqe;
		unsigned int head, got = 0;

		io_uring_for_each_cqe(q->ring, head, cqe)
		{
			unsigned int i = (unsigned int)cqe->user_data;

			if (i < q->n && !seen[i]) {
				seen[i] = true;
				result(q, i, cqe->res);
				done++;
			}
			got++;
		}
		io_uring_cq_advance(q->ring, got);
		if (done == q->n)
			break;
		if (got == 0) {
			q->syscalls++;
			r = io_uring_wait_cqe_timeout(q->ring, &cqe, &ts);
			if (r < 0 && r != -EINTR) {
				/* A write that waits: cancel everything, count the rest lost. */
				drop_ring(q);
				for (unsigned int i = 0; i < q->n; i++)
					if (!seen[i])
						q->fail(q->ent[i].owner, ETIMEDOUT);
				return false;
			}
		}
	}
	return true;
}

void l2tpd_tapq_flush(struct l2tpd_tapq *q)
{
	if (q->n == 0)
		return;
	if (q->ring)
		(void)flush_uring(q);
	else
		flush_write(q, 0);
	q->n = 0;
	q->pos = 0;
}

int l2tpd_tapq_add(struct l2tpd_tapq *q, int fd, const void *hdr, size_t hlen, const void *frame,
		   size_t len, void *owner)
{
	size_t need = hlen + len;
	uint8_t *p;

	if (need > q->cap / 4)
		return -EMSGSIZE;
	if (q->n == L2TPD_TAPQ_MAX || q->cap - q->pos < need)
		l2tpd_tapq_flush(q);
	p = q->arena + q->pos;
	if (hlen)
		memcpy(p, hdr, hlen);
	if (len)
		memcpy(p + hlen, frame, len);
	q->pos += need;
	q->ent[q->n].fd = fd;
	q->ent[q->n].p = p;
	q->ent[q->n].len = need;
	q->ent[q->n].owner = owner;
	q->n++;
	return 0;
}

void l2tpd_tapq_add_ref(struct l2tpd_tapq *q, int fd, const void *p, size_t len, void *owner)
{
	if (q->n == L2TPD_TAPQ_MAX)
		l2tpd_tapq_flush(q);
	q->ent[q->n].fd = fd;
	q->ent[q->n].p = p;
	q->ent[q->n].len = len;
	q->ent[q->n].owner = owner;
	q->n++;
}
