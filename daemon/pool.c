// SPDX-License-Identifier: MIT
/*
 * daemon/pool.c - fixed packet buffer pool.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

int l2tpd_pool_init(struct l2tpd_pool *p, uint32_t n, size_t slot_size)
{
	memset(p, 0, sizeof(*p));
	if (n == 0 || slot_size == 0 || slot_size > SIZE_MAX / n)
		return -EINVAL;
	p->mem = malloc((size_t)n * slot_size);
	p->free_idx = calloc(n, sizeof(*p->free_idx));
	p->refs = calloc(n, sizeof(*p->refs));
	if (!p->mem || !p->free_idx || !p->refs) {
		l2tpd_pool_fini(p);
		return -ENOMEM;
	}
	p->n = n;
	p->slot_size = slot_size;
	/* Lowest index on top, so a fresh pool hands out slot 0 first. */
	for (uint32_t i = 0; i < n; i++)
		p->free_idx[i] = n - 1 - i;
	p->nfree = n;
	return 0;
}

void l2tpd_pool_fini(struct l2tpd_pool *p)
{
	free(p->mem);
	free(p->free_idx);
	free(p->refs);
	memset(p, 0, sizeof(*p));
}

int l2tpd_pool_get(struct l2tpd_pool *p, struct l2tp_dp_buf *b, size_t headroom)
{
	uint32_t i;

	if (headroom > p->slot_size)
		return -EINVAL;
	if (p->nfree == 0)
		return -ENOBUFS;
	i = p->free_idx[--p->nfree];
	p->refs[i] = 1;
	b->data = p->mem + (size_t)i * p->slot_size;
	b->cap = p->slot_size;
	b->off = headroom;
	b->len = 0;
	b->user = (void *)(uintptr_t)i;
	return 0;
}

/* The slot index of |b|, or -1 when it is not a slot of |p| in use. */
static int64_t slot_of(const struct l2tpd_pool *p, const struct l2tp_dp_buf *b)
{
	uintptr_t i = (uintptr_t)b->user;

	if (i >= p->n || b->data != p->mem + (size_t)i * p->slot_size || !p->refs[i])
		return -1;
	return (int64_t)i;
}

int l2tpd_pool_ref(struct l2tpd_pool *p, const struct l2tp_dp_buf *b)
{
	int64_t i = slot_of(p, b);

	if (i < 0)
		return -EINVAL;
	if (p->refs[i] == UINT16_MAX)
		return -EOVERFLOW;
	p->refs[i]++;
	return 0;
}

int l2tpd_pool_put(struct l2tpd_pool *p, const struct l2tp_dp_buf *b)
{
	int64_t i = slot_of(p, b);

	if (i < 0)
		return -EINVAL;
	if (--p->refs[i] == 0)
		p->free_idx[p->nfree++] = (uint32_t)i;
	return 0;
}
