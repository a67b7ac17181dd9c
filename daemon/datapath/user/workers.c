// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/user/workers.c - the workers: each a thread with its own event
 * loop (or, with one worker, the daemon's loop), and the mailbox through
 * which the control plane runs one synchronous call at a time on them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "../../log.h"
#include "../../loop.h"
#include "internal.h"

/*
 * Run |fn| on worker |w| and return when it has run. The control plane
 * (the only caller) waits; a worker never waits for the control plane, and
 * its callbacks never block, so the wait is short.
 */
void worker_call(struct us_worker *w, us_call_fn *fn, void *arg)
{
	uint64_t one = 1;

	if (!w->threaded) {
		fn(w, arg);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->call = fn;
	w->call_arg = arg;
	w->call_done = false;
	pthread_mutex_unlock(&w->mu);
	while (write(w->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&w->mu);
	while (!w->call_done) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT && !w->call_done)
			log_warnx("datapath: worker %u has not answered for 5 s", w->idx);
	}
	pthread_mutex_unlock(&w->mu);
}

/* The same on every worker, in order. */
void call_all(struct us_dp *u, us_call_fn *fn, void *arg)
{
	for (unsigned int i = 0; i < u->nw; i++)
		worker_call(u->w[i], fn, arg);
}

static void mailbox_cb(struct l2tpd_watch *wt, uint32_t events, void *arg)
{
	struct us_worker *w = arg;
	uint64_t v;
	us_call_fn *fn;
	void *a;

	(void)wt;
	(void)events;
	if (read(w->efd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&w->mu);
	fn = w->call;
	a = w->call_arg;
	w->call = NULL;
	pthread_mutex_unlock(&w->mu);
	if (!fn)
		return;
	fn(w, a);
	pthread_mutex_lock(&w->mu);
	w->call_done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void *worker_main(void *arg)
{
	struct us_worker *w = arg;
	char name[16];
	int rc;

	/* "l2tpd/w1": what ps -T and /proc/PID/task/TID/comm show */
	snprintf(name, sizeof(name), "l2tpd/w%u", w->idx);
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
	rc = l2tpd_loop_run(w->loop);
	if (rc < 0)
		log_warnx("datapath: worker %u: event loop: %s", w->idx, strerror(-rc));
	return NULL;
}

void worker_stop(struct us_worker *w, void *arg)
{
	(void)arg;
	l2tpd_loop_stop(w->loop);
}

void worker_free(struct us_worker *w)
{
	if (!w)
		return;
	txr_fini(w);
	l2tpd_tapq_fini(&w->tapq);
	l2tpd_pool_fini(&w->pool);
	l2tpd_pool_fini(&w->big);
	free(w->tap_rd);
	free(w->arena);
	free(w->gro_buf);
	if (w->threaded) {
		l2tpd_loop_del(w->loop, w->mb_w);
		l2tpd_loop_free(w->loop);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
	if (w->efd >= 0)
		close(w->efd);
	free(w);
}

/* Worker |idx|: on |loop|, or with a loop (and later a thread) of its own. */
struct us_worker *worker_new(struct us_dp *u, unsigned int idx, struct l2tpd_loop *loop)
{
	struct us_worker *w = calloc(1, sizeof(*w));
	int rc = -ENOMEM;

	if (!w)
		return NULL;
	w->u = u;
	w->idx = idx;
	w->efd = -1;
	w->ip_fd[0] = w->ip_fd[1] = -1;
	w->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	if (loop) {
		w->loop = loop;
	} else {
		w->threaded = true;
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		w->loop = l2tpd_loop_new_thread();
		w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (!w->loop || w->efd < 0)
			goto fail;
		w->mb_w = l2tpd_loop_add(w->loop, w->efd, EPOLLIN, mailbox_cb, w);
		if (!w->mb_w)
			goto fail;
	}
	rc = l2tpd_pool_init(&w->pool, POOL_SLOTS, SLOT_SIZE);
	if (rc == 0)
		rc = l2tpd_pool_init(&w->big, BIG_SLOTS, BIG_SIZE);
	w->tap_rd = malloc(TAP_READ_MAX);
	w->arena = malloc(TX_ARENA);
	w->gro_buf = malloc(VNET + GRO_CAP);
	if (rc == 0 && (!w->tap_rd || !w->arena || !w->gro_buf))
		rc = -ENOMEM;
	if (rc == 0)
		rc = l2tpd_tapq_init(&w->tapq, TAPQ_ARENA, true, tap_write_failed);
	if (rc < 0)
		goto fail;
	txr_init(w);
	l2tp_gro_init(&w->gro, w->gro_buf + VNET, GRO_CAP);
	return w;
fail:
	worker_free(w);
	errno = rc < 0 ? -rc : ENOMEM;
	return NULL;
}
