// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_tapq.c - the TAP write queue (daemon/tapq.c), with
 * io_uring and with one write() per frame. A SOCK_SEQPACKET socketpair
 * stands in for a TAP: it keeps frame boundaries, as a TAP does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../daemon/tapq.h"

static int fails, last_err;
static void *last_owner;

static void on_fail(void *owner, int err)
{
	fails++;
	last_err = err;
	last_owner = owner;
}

struct fx {
	int sv[2];
	bool uring;
};

static int setup(void **state, bool uring)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, f->sv) < 0)
		return -1;
	f->uring = uring;
	fails = 0;
	last_err = 0;
	last_owner = NULL;
	*state = f;
	return 0;
}
static int setup_uring(void **state)
{
	return setup(state, true);
}
static int setup_write(void **state)
{
	return setup(state, false);
}
static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->sv[0]);
	close(f->sv[1]);
	free(f);
	return 0;
}

/* Read one frame from the far end; its length, or -1 if there is none. */
static ssize_t rd(struct fx *f, uint8_t *buf, size_t cap)
{
	return recv(f->sv[1], buf, cap, MSG_DONTWAIT);
}

static void init_q(struct fx *f, struct l2tpd_tapq *q, size_t arena)
{
	assert_int_equal(l2tpd_tapq_init(q, arena, f->uring, on_fail), 0);
	if (f->uring && !l2tpd_tapq_uses_uring(q)) {
		/* no io_uring here (kernel, sysctl, seccomp): the write() cases cover the rest */
		l2tpd_tapq_fini(q);
		skip();
	}
	if (!f->uring)
		assert_false(l2tpd_tapq_uses_uring(q));
}

/* Frames come out whole, in order, header first; io_uring takes one call. */
static void test_tapq_order(void **state)
{
	struct fx *f = *state;
	struct l2tpd_tapq q;
	uint8_t hdr[10], frame[1500], buf[2048];
	int owner;

	init_q(f, &q, 64 * 1024);
	for (int i = 0; i < 20; i++) {
		memset(hdr, i, sizeof(hdr));
		memset(frame, 0x80 | i, sizeof(frame));
		assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], hdr, sizeof(hdr), frame,
						(size_t)(60 + i * 70), &owner),
				 0);
	}
	/* nothing is written before the flush */
	assert_int_equal(rd(f, buf, sizeof(buf)), -1);
	l2tpd_tapq_flush(&q);
	assert_int_equal(q.syscalls, f->uring ? 1 : 20);
	for (int i = 0; i < 20; i++) {
		ssize_t n = rd(f, buf, sizeof(buf));

		assert_int_equal(n, 10 + 60 + i * 70);
		assert_int_equal(buf[0], i);
		assert_int_equal(buf[9], i);
		assert_int_equal(buf[10], 0x80 | i);
		assert_int_equal(buf[n - 1], 0x80 | i);
	}
	assert_int_equal(rd(f, buf, sizeof(buf)), -1);
	assert_int_equal(fails, 0);
	/* an empty flush makes no call */
	l2tpd_tapq_flush(&q);
	assert_int_equal(q.syscalls, f->uring ? 1 : 20);
	l2tpd_tapq_fini(&q);
}

/* A full arena or table flushes before taking more; big frames are refused. */
static void test_tapq_full(void **state)
{
	struct fx *f = *state;
	struct l2tpd_tapq q;
	uint8_t frame[1024], buf[2048];
	int n = 0;

	init_q(f, &q, 4096);
	memset(frame, 7, sizeof(frame));
	/* a quarter of the arena at most */
	assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, frame, 1025, NULL), -EMSGSIZE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, frame, 1000, NULL), 0);
	assert_int_equal(rd(f, buf, sizeof(buf)), -1);
	/* the fifth does not fit: the first four go out first */
	assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, frame, 1000, NULL), 0);
	while (rd(f, buf, sizeof(buf)) == 1000)
		n++;
	assert_int_equal(n, 4);
	l2tpd_tapq_flush(&q);
	assert_int_equal(rd(f, buf, sizeof(buf)), 1000);
	/* the entry table: L2TPD_TAPQ_MAX small frames, then one more */
	for (int i = 0; i <= L2TPD_TAPQ_MAX; i++)
		assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, frame, 8, NULL), 0);
	n = 0;
	while (rd(f, buf, sizeof(buf)) == 8)
		n++;
	assert_int_equal(n, L2TPD_TAPQ_MAX);
	l2tpd_tapq_fini(&q); /* flushes the last one */
	assert_int_equal(rd(f, buf, sizeof(buf)), 8);
	assert_int_equal(fails, 0);
}

/* A referenced frame is written from where it is, after the copies. */
static void test_tapq_ref(void **state)
{
	struct fx *f = *state;
	struct l2tpd_tapq q;
	uint8_t big[9000], small[64], buf[10000];

	init_q(f, &q, 4096);
	memset(small, 1, sizeof(small));
	memset(big, 2, sizeof(big));
	assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, small, sizeof(small), NULL), 0);
	l2tpd_tapq_add_ref(&q, f->sv[0], big, sizeof(big), NULL);
	l2tpd_tapq_flush(&q);
	assert_int_equal(rd(f, buf, sizeof(buf)), 64);
	assert_int_equal(buf[0], 1);
	assert_int_equal(rd(f, buf, sizeof(buf)), 9000);
	assert_int_equal(buf[8999], 2);
	l2tpd_tapq_fini(&q);
}

/* Each frame that cannot be written is reported once, with its owner. */
static void test_tapq_errors(void **state)
{
	struct fx *f = *state;
	struct l2tpd_tapq q;
	uint8_t frame[100] = {0}, buf[200];
	int a, b;

	init_q(f, &q, 8192);
	assert_int_equal(l2tpd_tapq_add(&q, -1, NULL, 0, frame, 10, &a), 0);
	assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, frame, 20, &b), 0);
	assert_int_equal(l2tpd_tapq_add(&q, -1, NULL, 0, frame, 30, &b), 0);
	l2tpd_tapq_flush(&q);
	assert_int_equal(fails, 2);
	assert_int_equal(last_err, EBADF);
	assert_ptr_equal(last_owner, &b);
	/* the good one in between went out */
	assert_int_equal(rd(f, buf, sizeof(buf)), 20);
	/* a peer that is gone: EPIPE (a TAP that is down says EIO) */
	close(f->sv[1]);
	f->sv[1] = -1;
	assert_int_equal(l2tpd_tapq_add(&q, f->sv[0], NULL, 0, frame, 10, &a), 0);
	l2tpd_tapq_flush(&q);
	assert_int_equal(fails, 3);
	assert_int_equal(last_err, EPIPE);
	assert_ptr_equal(last_owner, &a);
	l2tpd_tapq_fini(&q);
}

static void test_tapq_env_off(void **state)
{
	struct l2tpd_tapq q;

	setenv("L2TPD_NO_IO_URING", "1", 1);
	assert_int_equal(l2tpd_tapq_init(&q, 1024, true, on_fail), 0);
	assert_false(l2tpd_tapq_uses_uring(&q));
	l2tpd_tapq_fini(&q);
	unsetenv("L2TPD_NO_IO_URING");
}

#define BOTH(t)                                                                                    \
	cmocka_unit_test_setup_teardown(t, setup_uring, teardown),                                \
	    cmocka_unit_test_setup_teardown(t, setup_write, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_tapq_order), BOTH(test_tapq_full),      BOTH(test_tapq_ref),
	    BOTH(test_tapq_errors), cmocka_unit_test(test_tapq_env_off),
	};

	signal(SIGPIPE, SIG_IGN); /* the closed-peer case; l2tpd ignores it too */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
