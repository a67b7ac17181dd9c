// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_pool.c - the fixed packet buffer pool (daemon/pool.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../daemon/pool.h"

static void test_pool_get_put(void **state)
{
	struct l2tpd_pool p;
	struct l2tp_dp_buf b[4], extra;

	assert_int_equal(l2tpd_pool_init(&p, 4, 256), 0);
	assert_int_equal(l2tpd_pool_avail(&p), 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(l2tpd_pool_get(&p, &b[i], 32), 0);
		assert_int_equal(b[i].off, 32);
		assert_int_equal(b[i].len, 0);
		assert_int_equal(b[i].cap, 256);
		memset(b[i].data, i, b[i].cap); /* whole slot writable (ASan) */
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(b[i].data, b[j].data);
	}
	assert_int_equal(l2tpd_pool_avail(&p), 0);
	assert_int_equal(l2tpd_pool_get(&p, &extra, 32), -ENOBUFS);
	/* a view moved by decap still returns its slot */
	b[2].off += 10;
	b[2].len = 5;
	assert_int_equal(l2tpd_pool_put(&p, &b[2]), 0);
	assert_int_equal(l2tpd_pool_avail(&p), 1);
	assert_int_equal(l2tpd_pool_get(&p, &extra, 0), 0);
	assert_ptr_equal(extra.data, b[2].data);
	for (int i = 0; i < 4; i++)
		if (i != 2)
			assert_int_equal(l2tpd_pool_put(&p, &b[i]), 0);
	assert_int_equal(l2tpd_pool_put(&p, &extra), 0);
	assert_int_equal(l2tpd_pool_avail(&p), 4);
	l2tpd_pool_fini(&p);
}

static void test_pool_bad_put(void **state)
{
	struct l2tpd_pool p;
	struct l2tp_dp_buf b, fake;
	uint8_t other[64];

	assert_int_equal(l2tpd_pool_init(&p, 2, 128), 0);
	assert_int_equal(l2tpd_pool_get(&p, &b, 16), 0);
	assert_int_equal(l2tpd_pool_put(&p, &b), 0);
	/* double put */
	assert_int_equal(l2tpd_pool_put(&p, &b), -EINVAL);
	assert_int_equal(l2tpd_pool_avail(&p), 2);
	/* foreign memory, or an index that does not match the pointer */
	fake = b;
	fake.data = other;
	assert_int_equal(l2tpd_pool_put(&p, &fake), -EINVAL);
	fake = b;
	fake.user = (void *)(uintptr_t)7;
	assert_int_equal(l2tpd_pool_put(&p, &fake), -EINVAL);
	assert_int_equal(l2tpd_pool_avail(&p), 2);
	/* headroom larger than a slot */
	assert_int_equal(l2tpd_pool_get(&p, &b, 129), -EINVAL);
	l2tpd_pool_fini(&p);
}

/* A slot shared by several views (GRO datagram split into packets). */
static void test_pool_refs(void **state)
{
	struct l2tpd_pool p;
	struct l2tp_dp_buf b, view, other = {0};

	assert_int_equal(l2tpd_pool_init(&p, 2, 256), 0);
	assert_int_equal(l2tpd_pool_get(&p, &b, 32), 0);
	assert_true(l2tpd_pool_owns(&p, &b));
	assert_false(l2tpd_pool_owns(&p, &other));
	view = b;
	view.off = 100; /* a packet inside the slot */
	view.len = 20;
	assert_int_equal(l2tpd_pool_ref(&p, &view), 0);
	assert_int_equal(l2tpd_pool_ref(&p, &view), 0);
	assert_int_equal(l2tpd_pool_avail(&p), 1);
	assert_int_equal(l2tpd_pool_put(&p, &b), 0);
	assert_int_equal(l2tpd_pool_put(&p, &view), 0);
	assert_int_equal(l2tpd_pool_avail(&p), 1); /* one reference left */
	assert_int_equal(l2tpd_pool_put(&p, &view), 0);
	assert_int_equal(l2tpd_pool_avail(&p), 2);
	/* free now: no more puts or refs */
	assert_int_equal(l2tpd_pool_put(&p, &view), -EINVAL);
	assert_int_equal(l2tpd_pool_ref(&p, &view), -EINVAL);
	assert_int_equal(l2tpd_pool_ref(&p, &other), -EINVAL);
	assert_int_equal(l2tpd_pool_avail(&p), 2);
	assert_int_equal(l2tpd_pool_bytes(&p), 512);
	l2tpd_pool_fini(&p);
}

static void test_pool_init_errors(void **state)
{
	struct l2tpd_pool p;

	assert_int_equal(l2tpd_pool_init(&p, 0, 128), -EINVAL);
	assert_int_equal(l2tpd_pool_init(&p, 4, 0), -EINVAL);
	assert_int_equal(l2tpd_pool_init(&p, UINT32_MAX, SIZE_MAX / 2), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool_get_put),
	    cmocka_unit_test(test_pool_bad_put),
	    cmocka_unit_test(test_pool_refs),
	    cmocka_unit_test(test_pool_init_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
