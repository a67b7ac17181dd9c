// SPDX-License-Identifier: MIT
/*
 * bench_offload.c - ns per segment for software TSO (a 64 KB IPv4 TCP frame
 * cut at mss 1448) and for GRO (the same segments joined back, flushed
 * once per frame), and the resulting payload rate.
 *
 *   bench_offload [ITERATIONS]      default 20000 frames per figure
 *
 * Not a test: it prints figures and always exits 0 unless a call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include <l2tp/offload.h>

#define MSS 1448
#define NSEG 45
#define HDR (14 + 20 + 32)

static uint8_t frame[HDR + NSEG * MSS], segs[NSEG][HDR + MSS], gbuf[70000];
static size_t seglen[NSEG];
static volatile uint64_t sink;

static void die(const char *what)
{
	bench_die("bench_offload", what);
}

/* An IPv4 TCP frame with a timestamp option and the partial checksum as
 * the kernel leaves it (TSO recomputes it anyway). */
static void build(struct virtio_net_hdr *vh)
{
	size_t len = sizeof(frame), ip = 14, tcp = 34;

	memset(frame, 0, HDR);
	memcpy(frame, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	frame[ip] = 0x45;
	frame[ip + 2] = (uint8_t)((len - ip) >> 8);
	frame[ip + 3] = (uint8_t)(len - ip);
	frame[ip + 6] = 0x40;
	frame[ip + 8] = 64;
	frame[ip + 9] = 6;
	memcpy(frame + ip + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x07", 8);
	frame[tcp + 1] = 80;
	frame[tcp + 3] = 81;
	frame[tcp + 12] = 0x80;
	frame[tcp + 13] = 0x18;
	frame[tcp + 14] = 0x01;
	memcpy(frame + tcp + 20, "\x01\x01\x08\x0a\0\0\0\1\0\0\0\2", 12);
	for (size_t i = HDR; i < len; i++)
		frame[i] = (uint8_t)(i * 7);
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = MSS;
	vh->hdr_len = HDR;
	vh->csum_start = (uint16_t)tcp;
	vh->csum_offset = 16;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	struct virtio_net_hdr vh, gvh;
	struct l2tp_tso t;
	struct l2tp_gro g;
	uint64_t t0, dt;
	int r;

	if (iters <= 0)
		iters = 1;
	build(&vh);
	if (l2tp_tso_init(&t, &vh, frame, sizeof(frame)) != NSEG)
		die("tso_init");
	for (int i = 0; i < NSEG; i++) {
		r = l2tp_tso_next(&t, segs[i], sizeof(segs[i]));
		if (r <= 0)
			die("tso_next");
		seglen[i] = (size_t)r;
	}

	t0 = now_ns();
	for (long k = 0; k < iters; k++) {
		if (l2tp_tso_init(&t, &vh, frame, sizeof(frame)) != NSEG)
			die("tso_init");
		while ((r = l2tp_tso_next(&t, segs[k & 1], sizeof(segs[0]))) > 0)
			sink += (uint64_t)r;
		if (r < 0)
			die("tso_next");
	}
	dt = now_ns() - t0;
	printf("tso  v4 mss %d: %7.1f ns/segment  %6.2f Gbit/s payload\n", MSS,
	       (double)dt / ((double)iters * NSEG), (double)iters * NSEG * MSS * 8 / (double)dt);

	/* Regenerate the real segments (the loop above overwrote two). */
	l2tp_tso_init(&t, &vh, frame, sizeof(frame));
	for (int i = 0; i < NSEG; i++)
		seglen[i] = (size_t)l2tp_tso_next(&t, segs[i], sizeof(segs[i]));
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	t0 = now_ns();
	for (long k = 0; k < iters; k++) {
		for (int i = 0; i < NSEG; i++)
			if (l2tp_gro_add(&g, segs[i], seglen[i]) != 1)
				die("gro_add");
		sink += l2tp_gro_flush(&g, &gvh);
	}
	dt = now_ns() - t0;
	if (gvh.gso_size != MSS)
		die("gro_flush");
	printf("gro  v4 mss %d: %7.1f ns/segment  %6.2f Gbit/s payload\n", MSS,
	       (double)dt / ((double)iters * NSEG), (double)iters * NSEG * MSS * 8 / (double)dt);
	return 0;
}
