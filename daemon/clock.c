// SPDX-License-Identifier: MIT
/*
 * daemon/clock.c - CLOCK_MONOTONIC as l2tp_time_t.
 */
#include <errno.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>

#include "clock.h"

l2tp_time_t l2tpd_clock_now(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (l2tp_time_t)ts.tv_sec * L2TP_SEC + (l2tp_time_t)ts.tv_nsec;
}

int l2tpd_clock_timerfd(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int l2tpd_random(void *user, uint8_t *buf, size_t len)
{
	(void)user;
	while (len) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
