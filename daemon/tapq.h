/* SPDX-License-Identifier: MIT */
/*
 * daemon/tapq.h - frames bound for TAP devices, written many per system call.
 *
 * A TAP device takes one frame per write(); on a machine where a system call
 * costs more than the work it does (a virtual machine, small frames) that is
 * the datapath's limit. The queue collects the frames one receive batch
 * delivers and writes them with one io_uring_enter(): the writes run inline,
 * in order, as the kernel takes them. Without io_uring (an old kernel,
 * kernel.io_uring_disabled, seccomp, or L2TPD_NO_IO_URING=1 in the
 * environment) it falls back to one write() per frame, still in order.
 *
 * Frames are copied into the queue's arena (l2tpd_tapq_add), or referenced
 * in place when the caller flushes before the memory changes
 * (l2tpd_tapq_add_ref + l2tpd_tapq_flush).
 */
#ifndef L2TPD_TAPQ_H
#define L2TPD_TAPQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define L2TPD_TAPQ_MAX 64

struct io_uring;

/* Called once for each frame that was not written, with a positive errno. */
typedef void l2tpd_tapq_fail_fn(void *owner, int err);

struct l2tpd_tapq {
	struct io_uring *ring; /* NULL: write() per frame */
	uint8_t *arena;
	size_t cap, pos;
	unsigned int n;
	struct {
		int fd;
		const uint8_t *p;
		size_t len;
		void *owner;
	} ent[L2TPD_TAPQ_MAX];
	l2tpd_tapq_fail_fn *fail;
	uint64_t syscalls; /* io_uring_enter()s or write()s made, for tests */
};

/*
 * An empty queue with an arena of |arena_bytes|; io_uring when |want_uring|
 * and the kernel allows it. Returns 0 or -ENOMEM.
 */
int l2tpd_tapq_init(struct l2tpd_tapq *q, size_t arena_bytes, bool want_uring,
		    l2tpd_tapq_fail_fn *fail);
/* Flushes, then frees everything. */
void l2tpd_tapq_fini(struct l2tpd_tapq *q);

/*
 * Queue the frame |hdr| (|hlen| bytes, e.g. a virtio-net header) + |frame|
 * (|len| bytes) for |fd|, copied. Flushes first when the queue is full.
 * Returns 0, or -EMSGSIZE when it would take more than a quarter of the
 * arena (write such a frame yourself, after l2tpd_tapq_flush()).
 */
int l2tpd_tapq_add(struct l2tpd_tapq *q, int fd, const void *hdr, size_t hlen, const void *frame,
		   size_t len, void *owner);

/*
 * Queue |len| bytes at |p| for |fd| without copying: |p| must stay as it is
 * until the next l2tpd_tapq_flush(). Flushes first when the queue is full.
 */
void l2tpd_tapq_add_ref(struct l2tpd_tapq *q, int fd, const void *p, size_t len, void *owner);

/* Write every queued frame, in order, and empty the queue. */
void l2tpd_tapq_flush(struct l2tpd_tapq *q);

/* Is environment variable |name| set to something other than "" or "0"? */
static inline bool l2tpd_env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static inline bool l2tpd_tapq_uses_uring(const struct l2tpd_tapq *q)
{
	return q->ring != NULL;
}

#endif /* L2TPD_TAPQ_H */
