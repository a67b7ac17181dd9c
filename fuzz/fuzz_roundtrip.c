// SPDX-License-Identifier: MIT
/*
 * fuzz_roundtrip.c - parse, build, parse again: the two parses must agree.
 * First input byte: bit 0 picks v2/v3, bit 1 a shared secret (hidden AVPs
 * are then unhidden and hidden again), bits 2-7 the padding length limit.
 */
#include <stdlib.h>

#include <l2tp/msg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* deterministic "random" bytes: the harness must be reproducible */
static int counter_rand(void *user, uint8_t *buf, size_t len)
{
	uint32_t *s = user;

	for (size_t i = 0; i < len; i++) {
		*s = *s * 1103515245u + 12345u;
		buf[i] = (uint8_t)(*s >> 16);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[] = "secret"; /* the corpus vectors use it */
	static uint8_t scratch1[4096], scratch2[4096], out[65536];
	struct l2tp_msg m1, m2;
	uint32_t seed = 1;
	struct l2tp_msg_build_opts o = {.secret = secret,
					.secret_len = sizeof(secret) - 1,
					.rand = counter_rand,
					.rand_user = &seed};
	int v, len, rc;
	bool sec;

	if (size < 1)
		return 0;
	v = data[0] & 1 ? 3 : 2;
	sec = data[0] & 2;
	o.pad_max = data[0] >> 2;
	rc = l2tp_msg_parse(data + 1, size - 1, v, sec ? secret : NULL, sec ? o.secret_len : 0,
			    scratch1, sizeof(scratch1), &m1, NULL);
	if (rc != 0)
		return 0;
	len = l2tp_msg_build(&m1, v, sec ? &o : NULL, out, sizeof(out));
	if (len < 0)
		abort();
	rc = l2tp_msg_parse(out, (size_t)len, v, sec ? secret : NULL, sec ? o.secret_len : 0,
			    scratch2, sizeof(scratch2), &m2, NULL);
	if (rc != 0)
		abort();
	if (!l2tp_msg_has(&m1, L2TP_AVP_RANDOM_VECTOR))
		l2tp_msg_clear(&m2, L2TP_AVP_RANDOM_VECTOR);
	if (!l2tp_msg_equal(&m1, &m2))
		abort();
	return 0;
}
