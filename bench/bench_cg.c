// SPDX-License-Identifier: MIT
/*
 * bench_cg.c - the data plane's encap + decap over a fixed number of frames,
 * for counting instructions under valgrind --tool=callgrind
 * (bench/callgrind.sh) and, run plainly, a ns/packet micro benchmark.
 *
 *   bench_cg                     every configuration, 10^6 frames each, ns/packet
 *   bench_cg CONFIG N [SIZE]     N frames of SIZE bytes (default 1400) through
 *                                CONFIG: udp | ip (v3, default sublayer, no
 *                                cookie, no sequencing: ip-l2tp(8)'s defaults)
 *                                | cookie (UDP, 8-byte cookies, sequence
 *                                numbers both ways) | seq (UDP, sequence
 *                                numbers both ways, no cookie) | v2 (L2TPv2
 *                                data, Ns/Nr both ways)
 *
 * Each frame is encapsulated by the sending session into the headroom of one
 * buffer and decapsulated by the mirror session on the other end, as a
 * pseudowire's two ends would, without the sockets. bench_encap_one() and
 * bench_decap_one() are kept out of line so that callgrind's
 * --toggle-collect can count each of them alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <l2tp/dp.h>

#define FRAME_MAX 9000

/* out of line and under their own name, so callgrind can toggle on them */
#if defined(__clang__)
#define BENCH_FN __attribute__((noinline))
#else
#define BENCH_FN __attribute__((noinline, noclone))
#endif

struct pw {
	struct l2tp_dp_session tx; /* the sending end */
	struct l2tp_dp_session rx; /* the receiving end */
};

static int pw_init(struct pw *pw, const char *config)
{
	static const uint8_t ca[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t cb[8] = { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };
	struct l2tp_dp_cfg a = {
		.version = 3,
		.encap = L2TP_ENCAP_UDP,
		.session_id = 100,
		.peer_session_id = 200,
		.l2spec_type = L2TP_L2SPEC_DEFAULT,
	};
	struct l2tp_dp_cfg b;
	int rc;

	if (strcmp(config, "ip") == 0) {
		a.encap = L2TP_ENCAP_IP;
	} else if (strcmp(config, "cookie") == 0) {
		memcpy(a.cookie, ca, sizeof(ca));
		a.cookie_len = sizeof(ca);
		memcpy(a.peer_cookie, cb, sizeof(cb));
		a.peer_cookie_len = sizeof(cb);
		a.send_seq = true;
		a.recv_seq = true;
	} else if (strcmp(config, "seq") == 0) {
		a.send_seq = true;
		a.recv_seq = true;
	} else if (strcmp(config, "v2") == 0) {
		a = (struct l2tp_dp_cfg){.version = 2,
					 .encap = L2TP_ENCAP_UDP,
					 .tunnel_id = 10,
					 .peer_tunnel_id = 20,
					 .session_id = 100,
					 .peer_session_id = 200,
					 .send_seq = true,
					 .recv_seq = true};
	} else if (strcmp(config, "udp") != 0) {
		return -EINVAL;
	}
	/* the far end mirrors ids and cookies */
	b = a;
	b.tunnel_id = a.peer_tunnel_id;
	b.peer_tunnel_id = a.tunnel_id;
	b.session_id = a.peer_session_id;
	b.peer_session_id = a.session_id;
	memcpy(b.cookie, a.peer_cookie, sizeof(b.cookie));
	b.cookie_len = a.peer_cookie_len;
	memcpy(b.peer_cookie, a.cookie, sizeof(b.peer_cookie));
	b.peer_cookie_len = a.cookie_len;

	rc = l2tp_dp_session_init(&pw->tx, &a);
	if (rc == 0)
		rc = l2tp_dp_session_init(&pw->rx, &b);
	return rc;
}

BENCH_FN static int bench_encap_one(struct l2tp_dp_session *s, struct l2tp_dp_buf *b)
{
	return l2tp_dp_encap(s, b);
}

/* decap plus the pop loop every receiver must run after it */
BENCH_FN static int bench_decap_one(struct l2tp_dp_session *s, struct l2tp_dp_buf *b,
				    l2tp_time_t now)
{
	struct l2tp_dp_buf out;
	int n = 0;

	if (l2tp_dp_decap(s, b, now, NULL) == L2TP_DP_DELIVER)
		n++;
	while (l2tp_dp_pop(s, now, &out))
		n++;
	return n;
}

/* Returns the number of frames delivered (N when all is well). */
static long run(struct pw *pw, long n, size_t size, uint8_t *mem)
{
	struct l2tp_dp_buf b;
	l2tp_time_t now = L2TP_SEC;
	long delivered = 0;
	long i;

	for (i = 0; i < n; i++) {
		b = (struct l2tp_dp_buf){ .data = mem, .cap = L2TP_DP_HEADROOM + FRAME_MAX,
					  .off = L2TP_DP_HEADROOM, .len = size };
		if (bench_encap_one(&pw->tx, &b) != 0)
			break;
		delivered += bench_decap_one(&pw->rx, &b, now);
		if (b.off != L2TP_DP_HEADROOM || b.len != size)
			break; /* decap must give back exactly the frame */
		now += 1000; /* 1 us a frame: time moves, no timer fires */
	}
	return delivered;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_one(const char *config, long n, size_t size, bool timed)
{
	static uint8_t mem[L2TP_DP_HEADROOM + FRAME_MAX];
	struct pw pw;
	double t0, t1;
	long got;
	size_t i;
	int rc;

	rc = pw_init(&pw, config);
	if (rc < 0) {
		fprintf(stderr, "bench_cg: %s: session init failed (%d)\n", config, rc);
		return 1;
	}
	/* the payload bytes do not matter to the codec; make them non-zero */
	for (i = 0; i < size; i++)
		mem[L2TP_DP_HEADROOM + i] = (uint8_t)(i * 7);
	t0 = now_ns();
	got = run(&pw, n, size, mem);
	t1 = now_ns();
	if (got != n || pw.rx.stats.rx_packets != (uint64_t)n ||
	    pw.tx.stats.tx_packets != (uint64_t)n) {
		fprintf(stderr, "bench_cg: %s: %ld of %ld frames delivered (tx %llu rx %llu)\n",
			config, got, n, (unsigned long long)pw.tx.stats.tx_packets,
			(unsigned long long)pw.rx.stats.rx_packets);
		return 1;
	}
	if (timed)
		printf("%-7s %5zu-byte frames: %7.1f ns/packet encap+decap (%ld frames)\n", config,
		       size, (t1 - t0) / (double)n, n);
	else
		printf("%s: %ld frames of %zu bytes encapsulated and decapsulated\n", config, n,
		       size);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const configs[] = { "udp", "ip", "cookie", "seq", "v2" };
	char *end;
	long n;
	long size = 1400;
	size_t i;
	int rc = 0;

	if (argc == 1) {
		for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
			rc |= bench_one(configs[i], 1000000, 1400, true);
		return rc;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench_cg [udp|ip|cookie|seq|v2 N [SIZE]]\n");
		return 2;
	}
	n = strtol(argv[2], &end, 10);
	if (*end || n <= 0) {
		fprintf(stderr, "bench_cg: bad frame count %s\n", argv[2]);
		return 2;
	}
	if (argc == 4) {
		size = strtol(argv[3], &end, 10);
		if (*end || size < 14 || size > FRAME_MAX) {
			fprintf(stderr, "bench_cg: bad frame size %s (14..%d)\n", argv[3],
				FRAME_MAX);
			return 2;
		}
	}
	return bench_one(argv[1], n, (size_t)size, false);
}
