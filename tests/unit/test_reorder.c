// SPDX-License-Identifier: MIT
/*
 * test_reorder.c - the bounded sorted reorder queue (lib/reorder.c) alone:
 * ordering across the 16/24-bit wrap, duplicates, the bound and its spare
 * slot, unsequenced entries, deadlines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <l2tp/dp.h>

static struct l2tp_reorder q;

static struct l2tp_reorder_ent ent(uint32_t ns, bool has_seq, l2tp_time_t expires)
{
	return (struct l2tp_reorder_ent){.ns = ns,
					 .has_seq = has_seq,
					 .expires = expires,
					 .buf = {.user = (void *)(uintptr_t)(ns + 1)}};
}

static int ins(uint32_t ns, bool has_seq, l2tp_time_t expires, uint32_t base, bool slack)
{
	struct l2tp_reorder_ent e = ent(ns, has_seq, expires);

	return l2tp_reorder_insert(&q, &e, base, slack);
}

static void expect_order(const uint32_t *ns, size_t n)
{
	assert_int_equal(l2tp_reorder_count(&q), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(l2tp_reorder_peek(&q, (unsigned int)i)->ns, ns[i]);
	assert_null(l2tp_reorder_peek(&q, (unsigned int)n));
}

static void test_reorder_insert_sorted(void **state)
{
	struct l2tp_reorder_ent e;

	l2tp_reorder_init(&q, 8, 0xffffff);
	assert_int_equal(l2tp_reorder_insert(&q, &(struct l2tp_reorder_ent){0}, 0, false), 0);
	assert_true(l2tp_reorder_pop(&q, NULL));
	assert_int_equal(ins(5, true, 0, 1, false), 0);
	assert_int_equal(ins(3, true, 0, 1, false), 0);
	assert_int_equal(ins(9, true, 0, 1, false), 2);
	assert_int_equal(ins(4, true, 0, 1, false), 1);
	expect_order((const uint32_t[]){3, 4, 5, 9}, 4);
	assert_int_equal(ins(4, true, 0, 1, false), -EEXIST);
	assert_int_equal(ins(9, true, 0, 1, false), -EEXIST);
	assert_int_equal(ins(3, true, 0, 1, false), -EEXIST);

	assert_true(l2tp_reorder_pop(&q, &e));
	assert_int_equal(e.ns, 3);
	assert_ptr_equal(e.buf.user, (void *)4);
	expect_order((const uint32_t[]){4, 5, 9}, 3);
	while (l2tp_reorder_pop(&q, NULL))
		;
	assert_false(l2tp_reorder_pop(&q, &e));
	assert_int_equal(l2tp_reorder_count(&q), 0);
}

static void test_reorder_wraps(void **state)
{
	struct l2tp_reorder_ent e;

	/* v3: expecting 0xfffffe; 0x000001 is 3 ahead, 0xffffff 1 ahead. */
	l2tp_reorder_init(&q, 8, 0xffffff);
	assert_int_equal(ins(0x000001, true, 0, 0xfffffe, false), 0);
	assert_int_equal(ins(0x000000, true, 0, 0xfffffe, false), 0);
	assert_int_equal(ins(0xffffff, true, 0, 0xfffffe, false), 0);
	expect_order((const uint32_t[]){0xffffff, 0, 1}, 3);

	/* v2: 16-bit space. */
	l2tp_reorder_init(&q, 8, 0xffff);
	assert_int_equal(ins(2, true, 0, 0xfffe, false), 0);
	assert_int_equal(ins(0xffff, true, 0, 0xfffe, false), 0);
	assert_int_equal(ins(0, true, 0, 0xfffe, false), 1);
	expect_order((const uint32_t[]){0xffff, 0, 2}, 3);

	/* The ring itself wraps: push/pop more than its slots. */
	l2tp_reorder_init(&q, 4, 0xffffff);
	for (uint32_t i = 0; i < 3 * (L2TP_DP_REORDER_MAX + 1); i++) {
		assert_int_equal(ins(i + 1, true, 0, i, false), 0);
		assert_int_equal(ins(i, true, 0, i, false), 0);
		assert_true(l2tp_reorder_pop(&q, &e));
		assert_int_equal(e.ns, i);
		assert_true(l2tp_reorder_pop(&q, &e));
		assert_int_equal(e.ns, i + 1);
	}
}

static void test_reorder_bound_and_spare_slot(void **state)
{
	struct l2tp_reorder_ent e;

	l2tp_reorder_init(&q, 3, 0xffff);
	for (uint32_t i = 1; i <= 3; i++)
		assert_true(ins(i, true, 0, 0, false) >= 0);
	assert_int_equal(ins(7, true, 0, 0, false), -ENOSPC);
	/* A duplicate is reported as such even when full. */
	assert_int_equal(ins(2, true, 0, 0, false), -EEXIST);
	assert_int_equal(ins(7, true, 0, 0, true), 3);
	assert_int_equal(ins(8, true, 0, 0, true), -ENOSPC);

	/* Clamping of the configured bound. */
	l2tp_reorder_init(&q, 0, 0xffff);
	assert_int_equal(q.cap, 1);
	l2tp_reorder_init(&q, 1000, 0xffff);
	assert_int_equal(q.cap, L2TP_DP_REORDER_MAX);
	for (uint32_t i = 0; i < L2TP_DP_REORDER_MAX; i++)
		assert_int_equal(ins(L2TP_DP_REORDER_MAX - i, true, 0, 0, false), 0);
	assert_int_equal(ins(0, true, 0, 0, true), 0);
	assert_int_equal(l2tp_reorder_count(&q), L2TP_DP_REORDER_MAX + 1);
	for (uint32_t i = 0; i <= L2TP_DP_REORDER_MAX; i++) {
		assert_true(l2tp_reorder_pop(&q, &e));
		assert_int_equal(e.ns, i);
	}
}

static void test_reorder_unsequenced_is_a_barrier(void **state)
{
	l2tp_reorder_init(&q, 8, 0xffff);
	assert_int_equal(ins(5, true, 0, 0, false), 0);
	assert_int_equal(ins(100, false, 0, 0, false), 1);
	/* 3 sorts before 5 but never in front of the unsequenced entry...
	 * it cannot pass it, so it goes behind it. */
	assert_int_equal(ins(3, true, 0, 0, false), 2);
	assert_int_equal(ins(1, true, 0, 0, false), 2);
	expect_order((const uint32_t[]){5, 100, 1, 3}, 4);
	/* Duplicates are found on both sides of the barrier. */
	assert_int_equal(ins(5, true, 0, 0, false), -EEXIST);
	assert_int_equal(ins(3, true, 0, 0, false), -EEXIST);
	/* Unsequenced entries never collide. */
	assert_int_equal(ins(5, false, 0, 0, false), 4);
}

static void test_reorder_deadlines(void **state)
{
	l2tp_reorder_init(&q, 8, 0xffff);
	assert_int_equal(l2tp_reorder_next_deadline(&q), L2TP_TIME_NEVER);
	assert_int_equal(l2tp_reorder_last_expired(&q, 1000), -1);
	ins(3, true, 300, 0, false);
	ins(1, true, 500, 0, false);
	ins(2, true, 200, 0, false);
	expect_order((const uint32_t[]){1, 2, 3}, 3);
	assert_int_equal(l2tp_reorder_next_deadline(&q), 200);
	assert_int_equal(l2tp_reorder_last_expired(&q, 199), -1);
	assert_int_equal(l2tp_reorder_last_expired(&q, 200), 1);
	assert_int_equal(l2tp_reorder_last_expired(&q, 300), 2);
	assert_int_equal(l2tp_reorder_last_expired(&q, 10000), 2);
}

/*
 * A full ring (bound + spare slot) whose head sits at every slot: entries
 * inserted in a scrambled order come out sorted, and the slot arithmetic
 * wraps exactly once wherever the head is.
 */
static void test_reorder_full_ring_at_every_offset(void **state)
{
	const unsigned int n = L2TP_DP_REORDER_MAX + 1;
	struct l2tp_reorder_ent e;

	for (unsigned int start = 0; start < n; start++) {
		l2tp_reorder_init(&q, L2TP_DP_REORDER_MAX, 0xffffff);
		for (unsigned int i = 0; i < start; i++) { /* move the head to |start| */
			assert_int_equal(ins(0, true, 0, 0, false), 0);
			assert_true(l2tp_reorder_pop(&q, NULL));
		}
		assert_int_equal(q.first, start);
		/* 37 is prime to 65: i * 37 % 65 visits every number once. */
		for (unsigned int i = 0; i < n; i++) {
			uint32_t ns = 1000 + (i * 37) % n;

			assert_true(ins(ns, true, ns, 1000, i == n - 1) >= 0);
		}
		assert_int_equal(l2tp_reorder_count(&q), n);
		assert_int_equal(ins(2000, true, 0, 1000, true), -ENOSPC);
		assert_int_equal(l2tp_reorder_next_deadline(&q), 1000);
		assert_int_equal(l2tp_reorder_last_expired(&q, 1000 + n - 1), (int)n - 1);
		for (unsigned int i = 0; i < n; i++) {
			assert_int_equal(l2tp_reorder_peek(&q, i)->ns, 1000 + i);
		}
		for (unsigned int i = 0; i < n; i++) {
			assert_true(l2tp_reorder_pop(&q, &e));
			assert_int_equal(e.ns, 1000 + i);
		}
		assert_false(l2tp_reorder_pop(&q, &e));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reorder_insert_sorted),
	    cmocka_unit_test(test_reorder_wraps),
	    cmocka_unit_test(test_reorder_bound_and_spare_slot),
	    cmocka_unit_test(test_reorder_unsequenced_is_a_barrier),
	    cmocka_unit_test(test_reorder_deadlines),
	    cmocka_unit_test(test_reorder_full_ring_at_every_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
