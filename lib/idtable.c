// SPDX-License-Identifier: MIT
/*
 * idtable.c - the id hash table of tunnels and sessions, and the allocation
 * wrappers over the context's l2tp_mem.
 */
#include <stdlib.h>

#include "internal.h"

void *l2tp_mem_zalloc(const struct l2tp_mem *mem, size_t size)
{
	if (mem && mem->alloc)
		return mem->alloc(mem->user, size);
	return calloc(1, size);
}

void l2tp_mem_free(const struct l2tp_mem *mem, void *p)
{
	if (!p)
		return;
	if (mem && mem->free)
		mem->free(mem->user, p);
	else
		free(p);
}

/* Ids come from the rand callback, but a caller may pick sequential ones. */
static uint32_t mix(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352dU;
	k ^= k >> 15;
	k *= 0x846ca68bU;
	k ^= k >> 16;
	return k;
}

int l2tp_ht_init(struct l2tp_htable *h, const struct l2tp_mem *mem, uint32_t buckets)
{
	h->n = 0;
	h->mask = buckets - 1;
	h->b = l2tp_mem_zalloc(mem, buckets * sizeof(*h->b));
	return h->b ? 0 : -ENOMEM;
}

void l2tp_ht_fini(struct l2tp_htable *h, const struct l2tp_mem *mem)
{
	l2tp_mem_free(mem, h->b);
	h->b = NULL;
	h->n = 0;
}

static void grow(struct l2tp_htable *h, const struct l2tp_mem *mem)
{
	uint32_t nb = (h->mask + 1) * 2;
	struct l2tp_hnode **b;

	if (nb == 0 || nb > (1u << 24))
		return;
	b = l2tp_mem_zalloc(mem, nb * sizeof(*b));
	if (!b)
		return; /* longer chains, still correct */
	for (uint32_t i = 0; i <= h->mask; i++) {
		struct l2tp_hnode *n = h->b[i], *next;

		for (; n; n = next) {
			uint32_t j = mix(n->key) & (nb - 1);

			next = n->next;
			n->next = b[j];
			b[j] = n;
		}
	}
	l2tp_mem_free(mem, h->b);
	h->b = b;
	h->mask = nb - 1;
}

void l2tp_ht_add(struct l2tp_htable *h, const struct l2tp_mem *mem, struct l2tp_hnode *n,
		 uint32_t key)
{
	struct l2tp_hnode **slot;

	if (h->n >= h->mask + 1)
		grow(h, mem);
	slot = &h->b[mix(key) & h->mask];
	n->key = key;
	n->next = *slot;
	*slot = n;
	h->n++;
}

void l2tp_ht_del(struct l2tp_htable *h, struct l2tp_hnode *n)
{
	struct l2tp_hnode **p = &h->b[mix(n->key) & h->mask];

	for (; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			n->next = NULL;
			h->n--;
			return;
		}
	}
}

struct l2tp_hnode *l2tp_ht_find(const struct l2tp_htable *h, uint32_t key)
{
	struct l2tp_hnode *n = h->b[mix(key) & h->mask];

	while (n && n->key != key)
		n = n->next;
	return n;
}

struct l2tp_hnode *l2tp_ht_next(struct l2tp_hnode *n, uint32_t key)
{
	for (n = n->next; n && n->key != key; n = n->next)
		;
	return n;
}
