// SPDX-License-Identifier: MIT
/*
 * fuzz_auth.c - the digest helpers on arbitrary messages and offsets.
 *
 * Input: [0] digest value offset, [1] sender nonce length, [2] receiver nonce
 * length, [3] value length claimed for the AVP, then the nonces, then the
 * message. Properties: nothing reads out of bounds; a message that
 * l2tp_auth_v3_sign() accepted verifies with the same key and nonces, and
 * fails with the nonces swapped when they differ; a CHAP response verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/auth.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sender||receiver differs from receiver||sender (else the swap is no change) */
static int concat_differs(const struct l2tp_auth_nonces *n)
{
	uint8_t a[64], b[64];
	size_t t = n->sender_len + n->receiver_len;

	memcpy(a, n->sender, n->sender_len);
	memcpy(a + n->sender_len, n->receiver, n->receiver_len);
	memcpy(b, n->receiver, n->receiver_len);
	memcpy(b + n->receiver_len, n->sender, n->sender_len);
	return memcmp(a, b, t) != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct l2tp_auth_key key;
	static int have_key;
	struct l2tp_auth_nonces n = {0}, swapped;
	uint8_t msg[4096], resp[L2TP_MD5_LEN];
	size_t off, sl, rl, vlen, len;
	int rc;

	if (!have_key) {
		if (l2tp_auth_v3_key(&key, "fuzzsecret", 10) != 0)
			abort();
		have_key = 1;
	}
	if (size < 4)
		return 0;
	off = data[0];
	sl = data[1] % 33;
	rl = data[2] % 33;
	vlen = data[3];
	data += 4;
	size -= 4;
	if (sl + rl > size)
		return 0;
	if (sl && rl) { /* both or neither, as the API asks */
		n = (struct l2tp_auth_nonces){data, sl, data + sl, rl};
	}
	data += sl + rl;
	size -= sl + rl;
	len = size < sizeof(msg) ? size : sizeof(msg);
	memcpy(msg, data, len);

	/* a received message: any offset and claimed length */
	(void)l2tp_auth_v3_verify(&key, &n, msg, len, off, vlen);

	/* CHAP over the message as challenge */
	if (len && l2tp_auth_chap_response(2, "s", 1, msg, len, resp) == 0 &&
	    l2tp_auth_chap_verify(2, "s", 1, msg, len, resp, sizeof(resp)) != 0)
		abort();

	/* sign, then it must verify */
	rc = l2tp_auth_v3_sign(&key, &n, msg, len, off);
	if (rc == 0) {
		size_t dl = (size_t)l2tp_auth_digest_len(msg[off]);

		if (l2tp_auth_v3_verify(&key, &n, msg, len, off, 1 + dl) != 0)
			abort();
		swapped =
		    (struct l2tp_auth_nonces){n.receiver, n.receiver_len, n.sender, n.sender_len};
		if (sl && rl && concat_differs(&n) &&
		    l2tp_auth_v3_verify(&key, &swapped, msg, len, off, 1 + dl) == 0) {
			/* an HMAC collision would be news; treat it as a bug */
			abort();
		}
	}
	return 0;
}
