// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_loop.c - the event loop's single timerfd and the safe
 * deletion of watches (daemon/loop.c). Timers are armed in the past, so
 * nothing here waits on the clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/epoll.h>
#include <unistd.h>

#include "../../daemon/clock.h"
#include "../../daemon/loop.h"

static int order[8];
static int norder;

static void fire(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

/* Run the loop until |n| callbacks ran (bounded). */
static void spin(struct l2tpd_loop *loop, int n)
{
	for (int i = 0; i < 100 && norder < n; i++)
		assert_true(l2tpd_loop_once(loop, 1000) >= 0);
}

static void test_loop_timers_fire_and_cancel(void **state)
{
	struct l2tpd_loop *loop = l2tpd_loop_new(NULL, NULL);
	struct l2tpd_timer a, b, c;
	l2tp_time_t now = l2tpd_clock_now();

	assert_non_null(loop);
	norder = 0;
	l2tpd_timer_init(&a, fire, (void *)1);
	l2tpd_timer_init(&b, fire, (void *)2);
	l2tpd_timer_init(&c, fire, (void *)3);
	l2tpd_timer_set(loop, &a, now - 1);
	l2tpd_timer_set(loop, &b, now - 2);
	l2tpd_timer_set(loop, &c, L2TP_TIME_NEVER); /* not armed */
	l2tpd_timer_set(loop, &c, now + 3600 * L2TP_SEC);
	l2tpd_timer_cancel(loop, &c);
	spin(loop, 2);
	assert_int_equal(norder, 2);
	/* both expired ones ran, each once; the cancelled one never */
	assert_true((order[0] == 1 && order[1] == 2) || (order[0] == 2 && order[1] == 1));
	assert_int_equal(a.deadline, L2TP_TIME_NEVER);
	assert_false(a.linked);
	/* re-arming a fired timer works */
	l2tpd_timer_set(loop, &a, 0);
	spin(loop, 3);
	assert_int_equal(norder, 3);
	assert_int_equal(order[2], 1);
	l2tpd_loop_free(loop);
}

struct pair {
	struct l2tpd_loop *loop;
	struct l2tpd_watch *w[2];
	int calls[2];
};

/* The first callback deletes the other watch, whose event is pending too. */
static void on_fd(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct pair *p = arg;
	int me = w == p->w[0] ? 0 : 1;

	p->calls[me]++;
	l2tpd_loop_del(p->loop, p->w[!me]);
	l2tpd_loop_del(p->loop, w);
}

static void test_loop_delete_pending_watch(void **state)
{
	struct pair p = {0};
	int fds[2][2];

	p.loop = l2tpd_loop_new(NULL, NULL);
	assert_non_null(p.loop);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		assert_int_equal(write(fds[i][1], "x", 1), 1);
		p.w[i] = l2tpd_loop_add(p.loop, fds[i][0], EPOLLIN, on_fd, &p);
		assert_non_null(p.w[i]);
	}
	assert_int_equal(l2tpd_loop_once(p.loop, 1000), 2);
	/* exactly one callback ran; the deleted watch was skipped, not used */
	assert_int_equal(p.calls[0] + p.calls[1], 1);
	for (int i = 0; i < 2; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	l2tpd_loop_free(p.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loop_timers_fire_and_cancel),
	    cmocka_unit_test(test_loop_delete_pending_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
