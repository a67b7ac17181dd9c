// SPDX-License-Identifier: MIT
/*
 * reorder.c - the bounded, sorted reorder queue of a session's data plane
 * (declared in include/l2tp/dp.h). A ring of L2TP_DP_REORDER_MAX + 1 fixed
 * slots: nothing is allocated, entries hold buffer handles only.
 *
 * Sorting uses the distance ahead of the next expected number in the
 * circular sequence space, so it stays right across the 16-bit (v2) and
 * 24-bit (v3) wrap. (The kernel compares raw numbers, which misorders
 * packets around the wrap.)
 */
#include <l2tp/dp.h>

#define SLOTS (L2TP_DP_REORDER_MAX + 1)

/* Ring index of the |i|-th entry; i <= count <= SLOTS, so one wrap at most. */
static inline unsigned int slot(const struct l2tp_reorder *q, unsigned int i)
{
	unsigned int k = q->first + i; /* < 2 * SLOTS: no division needed */

	return k >= SLOTS ? k - SLOTS : k;
}

void l2tp_reorder_init(struct l2tp_reorder *q, uint16_t cap, uint32_t mask)
{
	q->first = 0;
	q->count = 0;
	if (cap == 0)
		cap = 1;
	if (cap > L2TP_DP_REORDER_MAX)
		cap = L2TP_DP_REORDER_MAX;
	q->cap = cap;
	q->mask = mask;
}

int l2tp_reorder_insert(struct l2tp_reorder *q, const struct l2tp_reorder_ent *e, uint32_t base,
			bool slack)
{
	unsigned int limit = q->cap + (slack ? 1u : 0u);
	unsigned int pos = q->count;
	uint32_t key = (e->ns - base) & q->mask;

	if (e->has_seq) {
		/* Walk back from the tail over sequenced entries further ahead. */
		while (pos > 0) {
			const struct l2tp_reorder_ent *p = &q->ent[slot(q, pos - 1)];
			uint32_t pkey;

			if (!p->has_seq)
				break;
			pkey = (p->ns - base) & q->mask;
			if (pkey == key)
				return -EEXIST;
			if (pkey < key)
				break;
			pos--;
		}
		/* A duplicate may sit further towards the head. */
		for (unsigned int i = 0; i < pos; i++) {
			const struct l2tp_reorder_ent *p = &q->ent[slot(q, i)];

			if (p->has_seq && ((p->ns - base) & q->mask) == key)
				return -EEXIST;
		}
	}
	if (q->count >= limit)
		return -ENOSPC;
	for (unsigned int i = q->count; i > pos; i--)
		q->ent[slot(q, i)] = q->ent[slot(q, i - 1)];
	q->ent[slot(q, pos)] = *e;
	q->count++;
	return (int)pos;
}

const struct l2tp_reorder_ent *l2tp_reorder_peek(const struct l2tp_reorder *q, unsigned int i)
{
	if (i >= q->count)
		return NULL;
	return &q->ent[slot(q, i)];
}

bool l2tp_reorder_pop(struct l2tp_reorder *q, struct l2tp_reorder_ent *out)
{
	if (q->count == 0)
		return false;
	if (out)
		*out = q->ent[q->first];
	q->first = (uint16_t)slot(q, 1);
	q->count--;
	return true;
}

l2tp_time_t l2tp_reorder_next_deadline(const struct l2tp_reorder *q)
{
	l2tp_time_t t = L2TP_TIME_NEVER;

	for (unsigned int i = 0; i < q->count; i++) {
		const struct l2tp_reorder_ent *p = &q->ent[slot(q, i)];

		if (p->expires < t)
			t = p->expires;
	}
	return t;
}

int l2tp_reorder_last_expired(const struct l2tp_reorder *q, l2tp_time_t now)
{
	int last = -1;

	for (unsigned int i = 0; i < q->count; i++)
		if (q->ent[slot(q, i)].expires <= now)
			last = (int)i;
	return last;
}
