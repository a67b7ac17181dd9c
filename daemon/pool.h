/* SPDX-License-Identifier: MIT */
/*
 * daemon/pool.h - a fixed pool of packet buffers with headroom.
 *
 * All memory is allocated once at start; the packet path only takes and
 * returns slots (a stack of free indexes), so there is no per-packet malloc.
 * A slot is handed out as a struct l2tp_dp_buf whose |user| field carries
 * the slot index, so buffers that travel through the reorder queue come back
 * to the right slot.
 */
#ifndef L2TPD_POOL_H
#define L2TPD_POOL_H

#include <l2tp/dp.h>

struct l2tpd_pool {
	uint8_t *mem;
	size_t slot_size;
	uint32_t n;
	uint32_t nfree;
	uint32_t *free_idx; /* stack of free slot indexes */
	uint8_t *in_use; /* one byte per slot: catches double puts */
};

/* |n| slots of |slot_size| bytes. Returns 0, -EINVAL (n or size 0), -ENOMEM. */
int l2tpd_pool_init(struct l2tpd_pool *p, uint32_t n, size_t slot_size);
void l2tpd_pool_fini(struct l2tpd_pool *p);

/*
 * Take a slot: |b| views an empty packet at offset |headroom| of a
 * slot_size buffer. Returns 0, -ENOBUFS when every slot is in use, -EINVAL
 * when |headroom| exceeds the slot.
 */
int l2tpd_pool_get(struct l2tpd_pool *p, struct l2tp_dp_buf *b, size_t headroom);

/*
 * Return the slot of |b| (any view into it). Returns 0, or -EINVAL when |b|
 * is not a slot of |p| or is already free (nothing changes then).
 */
int l2tpd_pool_put(struct l2tpd_pool *p, const struct l2tp_dp_buf *b);

static inline uint32_t l2tpd_pool_avail(const struct l2tpd_pool *p)
{
	return p->nfree;
}

#endif /* L2TPD_POOL_H */
