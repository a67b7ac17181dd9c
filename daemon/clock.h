/* SPDX-License-Identifier: MIT */
/*
 * daemon/clock.h - the daemon's only source of time and of randomness (DESIGN.md: time is
 * passed in; this file is the one CLOCK_MONOTONIC caller, so it is greppable).
 */
#ifndef L2TPD_CLOCK_H
#define L2TPD_CLOCK_H

#include <l2tp/types.h>

/* Monotonic nanoseconds since an arbitrary start; never L2TP_TIME_NEVER. */
l2tp_time_t l2tpd_clock_now(void);

/*
 * A nonblocking timerfd on the same clock, so that absolute deadlines from
 * l2tpd_clock_now() can be armed with TFD_TIMER_ABSTIME. Returns the fd or
 * -errno.
 */
int l2tpd_clock_timerfd(void);

/*
 * The daemon's source of randomness, in libl2tp's l2tp_rand_fn shape
 * (|user| unused): getrandom(2), blocking until the pool is ready.
 * Returns 0 or -errno.
 */
int l2tpd_random(void *user, uint8_t *buf, size_t len);

#endif /* L2TPD_CLOCK_H */
