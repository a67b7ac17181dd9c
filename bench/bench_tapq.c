// SPDX-License-Identifier: MIT
/*
 * bench_tapq.c - what a frame written to a TAP device costs: one write()
 * per frame (the fallback) against daemon/tapq.c's io_uring batches of 32
 * (one io_uring_enter() for the batch). 64-byte frames (the case where the
 * system call is most of the cost) into a TAP device that is up, in a
 * private network namespace of this process; the kernel drops them after
 * its receive path (an experimental EtherType nobody handles).
 *
 * Needs root (unshare(CLONE_NEWNET), /dev/net/tun); without it, it says so
 * and exits 0. Rounds alternate the two ways so that drift hits both; the
 * medians and their ratio are printed.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/tap.h"
#include "../daemon/tapq.h"
#include "bench.h"

#define FRAMES 100000
#define BATCH 32
#define ROUNDS 5

static const char *prog = "bench_tapq";
static uint8_t hdr[L2TPD_TAP_VNET_HDR_LEN];
static uint8_t frame[60];

static void count_fail(void *owner, int err)
{
	(void)owner;
	fprintf(stderr, "%s: a TAP write failed: %s\n", prog, strerror(err));
	exit(1);
}

static double per_write(int fd)
{
	uint8_t buf[sizeof(hdr) + sizeof(frame)];
	uint64_t t0;

	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), frame, sizeof(frame));
	t0 = now_ns();
	for (int i = 0; i < FRAMES; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			bench_die(prog, "write");
	return (double)(now_ns() - t0) / FRAMES;
}

static double per_queued(struct l2tpd_tapq *q, int fd)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < FRAMES; i += BATCH) {
		for (int k = 0; k < BATCH; k++)
			if (l2tpd_tapq_add(q, fd, hdr, sizeof(hdr), frame, sizeof(frame), NULL) < 0)
				bench_die(prog, "l2tpd_tapq_add");
		l2tpd_tapq_flush(q);
	}
	return (double)(now_ns() - t0) / FRAMES;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	double w[ROUNDS], u[ROUNDS];
	struct l2tpd_tapq q;
	char name[IFNAMSIZ];
	int fd;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("%s: skipped (needs root for a network namespace and a TAP device)\n", prog);
		return 0;
	}
	fd = l2tpd_tap_create("benchtap0", NULL, NULL, name);
	if (fd < 0) {
		printf("%s: skipped (no TAP device: %s)\n", prog, strerror(-fd));
		return 0;
	}
	if (l2tpd_tap_set_up(name) < 0)
		bench_die(prog, "setting the TAP device up");
	if (l2tpd_tapq_init(&q, 256 * 1024, true, count_fail) < 0)
		bench_die(prog, "l2tpd_tapq_init");
	if (!l2tpd_tapq_uses_uring(&q)) {
		printf("%s: skipped (no io_uring here)\n", prog);
		return 0;
	}
	memset(frame, 0xff, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = 0x88; /* IEEE 802 local experimental EtherType */
	frame[13] = 0xb5;
	per_write(fd); /* warm up both */
	per_queued(&q, fd);
	for (int r = 0; r < ROUNDS; r++) {
		w[r] = per_write(fd);
		u[r] = per_queued(&q, fd);
	}
	qsort(w, ROUNDS, sizeof(w[0]), cmp);
	qsort(u, ROUNDS, sizeof(u[0]), cmp);
	printf("TAP write of a 64-byte frame, median of %d rounds of %d frames:\n", ROUNDS, FRAMES);
	printf("  write() per frame            %8.1f ns/frame  [%.1f %.1f]\n", w[ROUNDS / 2], w[0],
	       w[ROUNDS - 1]);
	printf("  io_uring, batches of %d      %8.1f ns/frame  [%.1f %.1f]\n", BATCH, u[ROUNDS / 2],
	       u[0], u[ROUNDS - 1]);
	printf("  ratio write() / io_uring     %8.2f\n", w[ROUNDS / 2] / u[ROUNDS / 2]);
	l2tpd_tapq_fini(&q);
	close(fd);
	return 0;
}
