// SPDX-License-Identifier: MIT
/*
 * daemon/loop.c - epoll + timerfd + signalfd.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "loop.h"

#define LOOP_BATCH 64

struct l2tpd_watch {
	int fd;
	bool dead;
	l2tpd_watch_fn cb;
	void *arg;
	struct l2tpd_watch *next_dead;
};

struct l2tpd_loop {
	int epfd;
	int tfd;
	int sfd;
	bool stop;
	l2tp_time_t armed; /* what tfd is armed to, L2TP_TIME_NEVER if not */
	struct l2tpd_timer *timers;
	struct l2tpd_watch *dead;
	struct l2tpd_watch tw, sw; /* the loop's own timerfd/signalfd */
	l2tpd_signal_fn on_signal;
	void *sig_arg;
};

static void reap(struct l2tpd_loop *loop)
{
	while (loop->dead) {
		struct l2tpd_watch *w = loop->dead;

		loop->dead = w->next_dead;
		free(w);
	}
}

static int ep_add(struct l2tpd_loop *loop, int fd, uint32_t events, struct l2tpd_watch *w)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static struct l2tpd_loop *loop_new(l2tpd_signal_fn on_signal, void *arg, bool signals)
{
	struct l2tpd_loop *loop = calloc(1, sizeof(*loop));
	sigset_t set;
	int err;

	if (!loop)
		return NULL;
	loop->epfd = loop->tfd = loop->sfd = -1;
	loop->armed = L2TP_TIME_NEVER;
	loop->on_signal = on_signal;
	loop->sig_arg = arg;

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto fail;
	loop->tfd = l2tpd_clock_timerfd();
	if (loop->tfd < 0) {
		errno = -loop->tfd;
		loop->tfd = -1;
		goto fail;
	}
	loop->tw.fd = loop->tfd;
	if ((err = ep_add(loop, loop->tfd, EPOLLIN, &loop->tw)) < 0) {
		errno = -err;
		goto fail;
	}
	if (!signals)
		return loop;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		goto fail;
	loop->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sfd < 0)
		goto fail;
	loop->sw.fd = loop->sfd;
	if ((err = ep_add(loop, loop->sfd, EPOLLIN, &loop->sw)) < 0) {
		errno = -err;
		goto fail;
	}
	/* A peer that goes away must not kill the daemon with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return loop;
fail:
	err = errno;
	l2tpd_loop_free(loop);
	errno = err;
	return NULL;
}

struct l2tpd_loop *l2tpd_loop_new(l2tpd_signal_fn on_signal, void *arg)
{
	return loop_new(on_signal, arg, true);
}

struct l2tpd_loop *l2tpd_loop_new_thread(void)
{
	return loop_new(NULL, NULL, false);
}

void l2tpd_loop_free(struct l2tpd_loop *loop)
{
	if (!loop)
		return;
	reap(loop);
	if (loop->sfd >= 0)
		close(loop->sfd);
	if (loop->tfd >= 0)
		close(loop->tfd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop);
}

struct l2tpd_watch *l2tpd_loop_add(struct l2tpd_loop *loop, int fd, uint32_t events,
				   l2tpd_watch_fn cb, void *arg)
{
	struct l2tpd_watch *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return NULL;
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	err = ep_add(loop, fd, events, w);
	if (err < 0) {
		free(w);
		errno = -err;
		return NULL;
	}
	return w;
}

int l2tpd_loop_mod(struct l2tpd_loop *loop, struct l2tpd_watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	if (w->dead)
		return -EBADF;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? -errno : 0;
}

void l2tpd_loop_del(struct l2tpd_loop *loop, struct l2tpd_watch *w)
{
	if (!w || w->dead)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	w->next_dead = loop->dead;
	loop->dead = w;
}

int l2tpd_watch_fd(const struct l2tpd_watch *w)
{
	return w->fd;
}

void l2tpd_timer_init(struct l2tpd_timer *t,
		      void (*cb)(struct l2tpd_timer *t, l2tp_time_t now, void *arg), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->deadline = L2TP_TIME_NEVER;
	t->cb = cb;
	t->arg = arg;
}

void l2tpd_timer_cancel(struct l2tpd_loop *loop, struct l2tpd_timer *t)
{
	if (t->linked) {
		if (t->prev)
			t->prev->next = t->next;
		else
			loop->timers = t->next;
		if (t->next)
			t->next->prev = t->prev;
		t->next = t->prev = NULL;
		t->linked = false;
	}
	t->deadline = L2TP_TIME_NEVER;
}

void l2tpd_timer_set(struct l2tpd_loop *loop, struct l2tpd_timer *t, l2tp_time_t deadline)
{
	if (deadline == L2TP_TIME_NEVER) {
		l2tpd_timer_cancel(loop, t);
		return;
	}
	t->deadline = deadline;
	if (!t->linked) {
		t->prev = NULL;
		t->next = loop->timers;
		if (loop->timers)
			loop->timers->prev = t;
		loop->timers = t;
		t->linked = true;
	}
}

/* Re-arm the single timerfd to the earliest deadline (absolute time). */
static void rearm(struct l2tpd_loop *loop)
{
	l2tp_time_t min = L2TP_TIME_NEVER;
	struct itimerspec its;

	for (struct l2tpd_timer *t = loop->timers; t; t = t->next)
		if (t->deadline < min)
			min = t->deadline;
	if (min == loop->armed)
		return;
	memset(&its, 0, sizeof(its));
	if (min != L2TP_TIME_NEVER) {
		/* An all-zero it_value disarms, so a deadline of 0 becomes 1 ns. */
		if (min == 0)
			min = 1;
		its.it_value.tv_sec = (time_t)(min / L2TP_SEC);
		its.it_value.tv_nsec = (long)(min % L2TP_SEC);
	}
	if (timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("timerfd_settime");
	else
		loop->armed = min;
}

static void run_timers(struct l2tpd_loop *loop)
{
	l2tp_time_t now = l2tpd_clock_now();
	uint64_t ticks;
	bool again = true;

	while (read(loop->tfd, &ticks, sizeof(ticks)) > 0)
		;
	loop->armed = L2TP_TIME_NEVER;
	/* Restart the scan after each callback: it may cancel or arm others. */
	while (again) {
		again = false;
		for (struct l2tpd_timer *t = loop->timers; t; t = t->next) {
			if (t->deadline <= now) {
				l2tpd_timer_cancel(loop, t);
				t->cb(t, now, t->arg);
				again = true;
				break;
			}
		}
	}
}

static void run_signals(struct l2tpd_loop *loop)
{
	struct signalfd_siginfo si;

	while (read(loop->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (loop->on_signal)
			loop->on_signal(loop, (int)si.ssi_signo, loop->sig_arg);
}

int l2tpd_loop_once(struct l2tpd_loop *loop, int timeout_ms)
{
	struct epoll_event ev[LOOP_BATCH];
	int n;

	rearm(loop);
	n = epoll_wait(loop->epfd, ev, LOOP_BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct l2tpd_watch *w = ev[i].data.ptr;

		if (w == &loop->tw)
			run_timers(loop);
		else if (w == &loop->sw)
			run_signals(loop);
		else if (!w->dead)
			w->cb(w, ev[i].events, w->arg);
	}
	reap(loop);
	return n;
}

int l2tpd_loop_run(struct l2tpd_loop *loop)
{
	loop->stop = false;
	while (!loop->stop) {
		int rc = l2tpd_loop_once(loop, -1);

		if (rc < 0)
			return rc;
	}
	return 0;
}

void l2tpd_loop_stop(struct l2tpd_loop *loop)
{
	loop->stop = true;
}
