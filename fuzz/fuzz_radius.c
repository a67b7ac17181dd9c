// SPDX-License-Identifier: MIT
/*
 * fuzz_radius.c - the RADIUS request handler of the interop tests' server
 * (tests/interop/v2/fakeradius.c, included here without its main()).
 *
 * Input: [0] mode (modulo 3), then bytes. Mode 0: the bytes are a request
 * as received. Mode 1: a PAP Access-Request for alice is built around them
 * (the bytes, NUL-padded to a multiple of 16, at most 128, hidden as
 * User-Password).
 * Mode 2: a CHAP Access-Request for alice: [1] CHAP ID, [2] bit 0 set for the
 * right response, bit 1 for a CHAP-Challenge attribute of the rest (else
 * the Request Authenticator is the challenge).
 * Seeds: built requests, and l2tpns's requests captured in l2tpns_lns.sh
 * (mode 0, secret radius-secret-1, as there).
 * Properties: nothing reads or writes out of bounds; a reply's Length field
 * is its length and its Response Authenticator is right (RFC 2865 §3); a
 * built PAP or CHAP request is accepted exactly when its password is right.
 */
#define FAKERADIUS_NO_MAIN
#include "../tests/interop/v2/fakeradius.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char secret[] = "radius-secret-1", pass[] = "alice-secret";

static void check_reply(const uint8_t *req, const uint8_t *out, ssize_t n)
{
	uint8_t want[L2TP_MD5_LEN];

	if (n == 0)
		return;
	if (n < FR_HDR_LEN || n > FR_MAX_LEN || get16(out + 2) != n || out[1] != req[1])
		abort();
	struct l2tp_iov iov[] = {
	    {out, 4},
	    {req + 4, FR_AUTH_LEN},
	    {out + FR_HDR_LEN, (size_t)n - FR_HDR_LEN},
	    {secret, sizeof(secret) - 1},
	};
	if (l2tp_auth_md5(iov, 4, want) < 0 || memcmp(want, out + 4, L2TP_MD5_LEN))
		abort();
}

/* appends an attribute to |pkt| at |*len| (caller keeps room) */
static void add(uint8_t *pkt, size_t *len, uint8_t type, const void *v, size_t vlen)
{
	pkt[(*len)++] = type;
	pkt[(*len)++] = (uint8_t)(vlen + 2);
	memcpy(pkt + *len, v, vlen);
	*len += vlen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fr_conf conf;
	uint8_t req[FR_MAX_LEN], out[FR_MAX_LEN];
	char log[256];
	size_t len = FR_HDR_LEN;
	int expect = -1; /* -1: any verdict, 0: reject, 1: accept */
	ssize_t n;

	if (!conf.n_users) {
		conf.secret = (const uint8_t *)secret;
		conf.secret_len = sizeof(secret) - 1;
		conf.users[0] = (struct fr_user){
		    .name = "alice", .pass = pass, .ip = {198, 51, 100, 2}, .has_ip = true};
		conf.n_users = 1;
	}
	if (size < 1)
		return 0;
	if (data[0] % 3 == 0) {
		n = fr_handle(&conf, data + 1, size - 1, out, sizeof(out), log, sizeof(log));
		if (n > 0)
			check_reply(data + 1, out, n);
		return 0;
	}
	/* a built Access-Request for alice, id 7, a fixed Request Authenticator */
	memset(req, 0, FR_HDR_LEN);
	req[0] = FR_ACCESS_REQUEST;
	req[1] = 7;
	for (int i = 0; i < FR_AUTH_LEN; i++)
		req[4 + i] = (uint8_t)(i * 37 + 11);
	add(req, &len, FR_A_USER_NAME, "alice", 5);
	if (data[0] % 3 == 1) {
		uint8_t plain[FR_PASS_MAX] = {0}, hidden[FR_PASS_MAX], b[L2TP_MD5_LEN];
		size_t plen = size - 1 > FR_PASS_MAX ? FR_PASS_MAX : size - 1, hlen;
		size_t stripped = plen;

		memcpy(plain, data + 1, plen);
		hlen = plen ? (plen + 15) / 16 * 16 : 16;
		for (size_t i = 0; i < hlen; i += 16) {
			struct l2tp_iov iov[] = {{secret, sizeof(secret) - 1},
						 {i ? hidden + i - 16 : req + 4, 16}};

			if (l2tp_auth_md5(iov, 2, b) < 0)
				return 0;
			for (int j = 0; j < 16; j++)
				hidden[i + j] = plain[i + j] ^ b[j];
		}
		add(req, &len, FR_A_USER_PASSWORD, hidden, hlen);
		while (stripped && plain[stripped - 1] == 0)
			stripped--;
		expect = stripped == strlen(pass) && !memcmp(plain, pass, stripped);
	} else {
		uint8_t chap[1 + L2TP_MD5_LEN];
		const uint8_t *ch = req + 4;
		size_t chlen = FR_AUTH_LEN;

		if (size < 3)
			return 0;
		chap[0] = data[1];
		if ((data[2] & 2) && size > 3) {
			chlen = size - 3 > 253 ? 253 : size - 3;
			ch = data + 3;
			add(req, &len, FR_A_CHAP_CHALLENGE, ch, chlen);
		}
		struct l2tp_iov iov[] = {{chap, 1}, {pass, strlen(pass)}, {ch, chlen}};
		if (l2tp_auth_md5(iov, 3, chap + 1) < 0)
			return 0;
		if (!(data[2] & 1))
			chap[1] ^= 0x5a;
		add(req, &len, FR_A_CHAP_PASSWORD, chap, sizeof(chap));
		expect = data[2] & 1;
	}
	req[2] = (uint8_t)(len >> 8);
	req[3] = (uint8_t)len;
	n = fr_handle(&conf, req, len, out, sizeof(out), log, sizeof(log));
	if (n <= 0)
		abort();
	check_reply(req, out, n);
	if (expect >= 0 && out[0] != (expect ? FR_ACCESS_ACCEPT : FR_ACCESS_REJECT))
		abort();
	return 0;
}
