/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the clock and the failure exit the micro benchmarks share.
 */
#ifndef L2TP_BENCH_H
#define L2TP_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A benchmark whose library call fails measures nothing: stop. */
static inline void bench_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s failed\n", prog, what);
	exit(1);
}

#endif /* L2TP_BENCH_H */
