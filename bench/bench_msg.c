// SPDX-License-Identifier: MIT
/*
 * bench_msg.c - ns per control message parse and build (SCCRQ, ICRQ for v2
 * and v3, plus a v2 ICRQ with hidden AVPs). Prints figures; not a test.
 */
#include <stdio.h>
#include <time.h>

#include <l2tp/msg.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int fixed_rand(void *user, uint8_t *buf, size_t len)
{
	(void)user;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	return 0;
}

static volatile size_t sink;

static int bench_one(const char *label, uint16_t type, int version, bool hidden, long iters)
{
	static const uint8_t secret[] = "bench-secret";
	struct l2tp_msg_build_opts o = {
	    .secret = secret, .secret_len = sizeof(secret) - 1, .rand = fixed_rand};
	uint8_t buf[2048], scratch[1024];
	struct l2tp_msg m, p;
	double t0, t1, t2;
	int len = 0;

	if (l2tp_msg_example(type, version, &m) < 0)
		return -1;
	if (hidden)
		for (uint16_t a = 1; a <= L2TP_AVP_TYPE_MAX; a++)
			if (l2tp_msg_has(&m, a))
				l2tp_msg_set_hide(&m, a);
	t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		len = l2tp_msg_build(&m, version, hidden ? &o : NULL, buf, sizeof(buf));
		sink += (size_t)len;
	}
	t1 = now_ns();
	if (len < 0)
		return -1;
	for (long i = 0; i < iters; i++) {
		int rc =
		    l2tp_msg_parse(buf, (size_t)len, version, hidden ? secret : NULL,
				   hidden ? o.secret_len : 0, scratch, sizeof(scratch), &p, NULL);

		if (rc != 0)
			return -1;
		sink += p.n_raw;
	}
	t2 = now_ns();
	printf("%-22s %4d bytes   build %7.1f ns   parse %7.1f ns\n", label, len,
	       (t1 - t0) / (double)iters, (t2 - t1) / (double)iters);
	return 0;
}

int main(void)
{
	const long n = 200000;
	int rc = 0;

	printf("l2tp control message codec, %ld iterations each\n", n);
	rc |= bench_one("v2 SCCRQ", L2TP_MSG_SCCRQ, 2, false, n);
	rc |= bench_one("v2 ICRQ", L2TP_MSG_ICRQ, 2, false, n);
	rc |= bench_one("v2 ICRQ hidden", L2TP_MSG_ICRQ, 2, true, n / 4);
	rc |= bench_one("v3 SCCRQ", L2TP_MSG_SCCRQ, 3, false, n);
	rc |= bench_one("v3 ICRQ", L2TP_MSG_ICRQ, 3, false, n);
	rc |= bench_one("v3 HELLO", L2TP_MSG_HELLO, 3, false, n);
	if (rc)
		fprintf(stderr, "bench_msg: a message failed to build or parse\n");
	return rc ? 1 : 0;
}
