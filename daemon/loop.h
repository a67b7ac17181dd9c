/* SPDX-License-Identifier: MIT */
/*
 * daemon/loop.h - the event loop: epoll, one timerfd armed to the earliest
 * timer deadline, and a signalfd for SIGTERM/SIGINT/SIGHUP.
 *
 * File descriptors are watched through struct l2tpd_watch handles that the
 * loop allocates. l2tpd_loop_del() may be called from any callback, also for
 * a watch whose event is still pending in the current epoll batch: the watch
 * is only marked dead and freed after the batch, so no callback ever runs on
 * a deleted watch.
 */
#ifndef L2TPD_LOOP_H
#define L2TPD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <l2tp/types.h>

struct l2tpd_loop;
struct l2tpd_watch;

/* Called with the epoll event mask (EPOLLIN, EPOLLOUT, EPOLLERR, ...). */
typedef void (*l2tpd_watch_fn)(struct l2tpd_watch *w, uint32_t events, void *arg);
/* Called once with the signal number per signal received. */
typedef void (*l2tpd_signal_fn)(struct l2tpd_loop *loop, int signo, void *arg);

/*
 * A timer embedded in its owner. l2tpd_timer_set() (re)arms it, _cancel()
 * disarms it; both are safe from callbacks. Zero-initialise before first use.
 */
struct l2tpd_timer {
	l2tp_time_t deadline; /* L2TP_TIME_NEVER when not armed */
	void (*cb)(struct l2tpd_timer *t, l2tp_time_t now, void *arg);
	void *arg;
	struct l2tpd_timer *next, *prev;
	bool linked;
};

/*
 * Creates the loop; blocks SIGTERM/SIGINT/SIGHUP and delivers them through a
 * signalfd to |on_signal|. Returns NULL with errno set on failure.
 */
struct l2tpd_loop *l2tpd_loop_new(l2tpd_signal_fn on_signal, void *arg);
/*
 * A loop for a worker thread: no signalfd (signals stay with the main
 * thread's loop). Returns NULL with errno set on failure.
 */
struct l2tpd_loop *l2tpd_loop_new_thread(void);
/* Closes the loop's own fds; watches still registered are freed, not closed. */
void l2tpd_loop_free(struct l2tpd_loop *loop);

/* Watch |fd| for |events|. Returns NULL with errno set on failure. */
struct l2tpd_watch *l2tpd_loop_add(struct l2tpd_loop *loop, int fd, uint32_t events,
				   l2tpd_watch_fn cb, void *arg);
/* Change the event mask. Returns 0 or -errno. */
int l2tpd_loop_mod(struct l2tpd_loop *loop, struct l2tpd_watch *w, uint32_t events);
/* Stop watching (does not close the fd). NULL is ignored. */
void l2tpd_loop_del(struct l2tpd_loop *loop, struct l2tpd_watch *w);
int l2tpd_watch_fd(const struct l2tpd_watch *w);

void l2tpd_timer_init(struct l2tpd_timer *t,
		      void (*cb)(struct l2tpd_timer *t, l2tp_time_t now, void *arg), void *arg);
void l2tpd_timer_set(struct l2tpd_loop *loop, struct l2tpd_timer *t, l2tp_time_t deadline);
void l2tpd_timer_cancel(struct l2tpd_loop *loop, struct l2tpd_timer *t);

/* Runs until l2tpd_loop_stop(). Returns 0, or -errno if epoll fails. */
int l2tpd_loop_run(struct l2tpd_loop *loop);
void l2tpd_loop_stop(struct l2tpd_loop *loop);

/* One bounded turn: wait at most |timeout_ms| (-1 forever). For tests. */
int l2tpd_loop_once(struct l2tpd_loop *loop, int timeout_ms);

#endif /* L2TPD_LOOP_H */
