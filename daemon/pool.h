/* SPDX-License-Identifier: MIT */
/*
 * daemon/pool.h - a fixed pool of packet buffers with headroom.
 *
 * All memory is allocated once at start; the packet path only takes and
 * returns slots (a stack of free indexes), so there is no per-packet malloc.
 * A slot is handed out as a struct l2tp_dp_buf whose |user| field carries
 * the slot index, so buffers that travel through the reorder queue come back
 * to the right slot.
 *
 * A slot has a reference count: one large receive buffer holds several
 * packets (UDP GRO), each of which may wait in a reorder queue; every view
 * taken with l2tpd_pool_ref() is returned with l2tpd_pool_put() and the slot
 * is free again when the last one is.
 */
#ifndef L2TPD_POOL_H
#define L2TPD_POOL_H

#include <stdbool.h>

#include <l2tp/dp.h>

struct l2tpd_pool {
	uint8_t *mem;
	size_t slot_size;
	uint32_t n;
	uint32_t nfree;
	uint32_t *free_idx; /* stack of free slot indexes */
	uint16_t *refs; /* references per slot; 0 = free (catches double puts) */
};

/* |n| slots of |slot_size| bytes. Returns 0, -EINVAL (n or size 0), -ENOMEM. */
int l2tpd_pool_init(struct l2tpd_pool *p, uint32_t n, size_t slot_size);
void l2tpd_pool_fini(struct l2tpd_pool *p);

/*
 * Take a slot: |b| views an empty packet at offset |headroom| of a
 * slot_size buffer, with one reference. Returns 0, -ENOBUFS when every slot
 * is in use, -EINVAL when |headroom| exceeds the slot.
 */
int l2tpd_pool_get(struct l2tpd_pool *p, struct l2tp_dp_buf *b, size_t headroom);

/*
 * One more reference to the slot of |b| (any view into it, e.g. a packet
 * left in a reorder queue). Returns 0, or -EINVAL when |b| is not a slot of
 * |p| in use, -EOVERFLOW at 65535 references.
 */
int l2tpd_pool_ref(struct l2tpd_pool *p, const struct l2tp_dp_buf *b);

/*
 * Drop one reference to the slot of |b|; the slot is free at the last one.
 * Returns 0, or -EINVAL when |b| is not a slot of |p| or is already free
 * (nothing changes then).
 */
int l2tpd_pool_put(struct l2tpd_pool *p, const struct l2tp_dp_buf *b);

/* Is |b| (any view) a slot of |p|? Compares addresses only. */
static inline bool l2tpd_pool_owns(const struct l2tpd_pool *p, const struct l2tp_dp_buf *b)
{
	return p->mem && b->data >= p->mem && b->data < p->mem + (size_t)p->n * p->slot_size;
}

static inline uint32_t l2tpd_pool_avail(const struct l2tpd_pool *p)
{
	return p->nfree;
}

/* Bytes of packet memory the pool holds (n * slot_size). */
static inline size_t l2tpd_pool_bytes(const struct l2tpd_pool *p)
{
	return (size_t)p->n * p->slot_size;
}

#endif /* L2TPD_POOL_H */
