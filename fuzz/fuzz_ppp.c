// SPDX-License-Identifier: MIT
/*
 * fuzz_ppp.c - the PPP endpoint in every state, and the HDLC decoder.
 *
 * Two endpoints (a: authenticator with addresses to give, b: client) run
 * back to back over a perfect link for |steps| frames, which leaves them
 * anywhere from Dead through Establish, Authenticate and Network; then the
 * input's records are fed to one of them as received frames, with the
 * link pumped and the clock moved between records.
 *
 * Input: [0] mode (bits 0-1 authentication none/PAP/CHAP/both, bit 2
 * PFC/ACFC, bit 3 b without IPV6CP, bit 4 echo keepalives, bit 5 wrong
 * password, bit 6 re-challenge), [1] steps, then records: [flags] [len]
 * [len bytes] (flags bit 0: to b, bit 1: advance to the next deadline
 * first, bit 2: pump the link after). The whole input is also fed to an
 * HDLC decoder in pieces, and every frame it yields must survive an
 * encode/decode round trip unchanged.
 *
 * Properties: nothing crashes or leaks; a frame one endpoint writes is
 * never malformed to the other (handle_frame does not return -EPROTO).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/ppp.h>
#include <l2tp/ppp_hdlc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int frand(void *user, uint8_t *buf, size_t len)
{
	uint64_t *s = user;

	for (size_t i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		buf[i] = (uint8_t)(*s >> 24);
	}
	return 0;
}

static int secret_cb(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *name,
		     size_t name_len, uint8_t *secret, size_t cap)
{
	if (name_len != 5 || memcmp(name, "alice", 5))
		return -1;
	memcpy(secret, "pw", 2);
	return 2;
}

static void recv_ip_cb(void *user, struct l2tp_ppp *p, uint16_t proto, const uint8_t *pkt,
		       size_t len)
{
	/* echo it back: exercises send_ip while frames are being handled */
	(void)l2tp_ppp_send_ip(p, pkt, len);
}

struct pair {
	struct l2tp_ppp *a, *b;
	l2tp_time_t now;
};

/* Move up to |max| frames between the endpoints; returns how many moved. */
static unsigned pump(struct pair *l, unsigned max)
{
	uint8_t buf[4096];
	unsigned moved = 0;
	bool any = true;

	while (any && moved < max) {
		any = false;
		for (int dir = 0; dir < 2 && moved < max; dir++) {
			struct l2tp_ppp *from = dir ? l->b : l->a, *to = dir ? l->a : l->b;
			ssize_t n = l2tp_ppp_write_frame(from, buf, sizeof(buf), l->now);

			if (n <= 0)
				continue;
			any = true;
			moved++;
			if (getenv("FUZZ_PPP_DUMP"))
				for (ssize_t i = 0; i <= n; i++)
					fprintf(stderr, i == n ? "\n" : "%02x ",
						i < n ? buf[i] : 0);
			if (l2tp_ppp_handle_frame(to, buf, (size_t)n, l->now) == -EPROTO)
				abort(); /* we wrote something our own parser calls malformed */
		}
	}
	return moved;
}

static void tick(struct pair *l)
{
	l2tp_time_t t = l2tp_ppp_next_deadline(l->a), u = l2tp_ppp_next_deadline(l->b);

	if (u < t)
		t = u;
	if (t == L2TP_TIME_NEVER)
		return;
	if (t > l->now)
		l->now = t;
	l2tp_ppp_on_timeout(l->a, l->now);
	l2tp_ppp_on_timeout(l->b, l->now);
}

static void hdlc(const uint8_t *data, size_t size)
{
	static uint8_t buf[1600], enc[2 * 1600 + 8], buf2[1600];
	struct l2tp_hdlc_dec d, d2;
	size_t pos = 0, used, used2;
	const uint8_t *f, *g;
	size_t flen, glen;

	l2tp_hdlc_dec_init(&d, buf, sizeof(buf), size ? data[0] : 0);
	while (pos < size) {
		/* pieces of a size set by the data itself */
		size_t chunk = 1 + data[pos] % 64;

		if (chunk > size - pos)
			chunk = size - pos;
		while (chunk) {
			if (l2tp_hdlc_decode(&d, data + pos, chunk, &used, &f, &flen)) {
				ssize_t e = l2tp_hdlc_encode(f, flen, L2TP_HDLC_ACCM_DEFAULT, enc,
							     sizeof(enc));

				if (e <= 0)
					abort();
				l2tp_hdlc_dec_init(&d2, buf2, sizeof(buf2), L2TP_HDLC_ACCM_DEFAULT);
				if (l2tp_hdlc_decode(&d2, enc, (size_t)e, &used2, &g, &glen) != 1 ||
				    used2 != (size_t)e || glen != flen || memcmp(f, g, flen))
					abort();
			}
			pos += used;
			chunk -= used;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_ppp_callbacks cb = {
	    .rand = frand, .get_secret = secret_cb, .recv_ip = recv_ip_cb};
	struct l2tp_ppp_cfg ca = {.name = "lns",
				  .local_ip = {192, 0, 2, 1},
				  .peer_ip = {192, 0, 2, 2},
				  .dns = {{192, 0, 2, 53}}};
	struct l2tp_ppp_cfg cc = {.name = "alice", .request_dns = true};
	static const uint8_t auth[4] = {0, L2TP_PPP_AUTH_PAP, L2TP_PPP_AUTH_CHAP,
					L2TP_PPP_AUTH_PAP | L2TP_PPP_AUTH_CHAP};
	uint64_t sa = 0x1234567, sb = 0x7654321;
	struct pair l = {.now = L2TP_SEC};
	uint8_t mode, steps;
	size_t pos = 2;

	hdlc(data, size);
	if (size < 2)
		return 0;
	mode = data[0];
	steps = data[1];
	ca.require_auth = auth[mode & 3];
	cc.secret = (const uint8_t *)((mode & 0x20) ? "wrong" : "pw");
	cc.secret_len = (mode & 0x20) ? 5 : 2;
	cc.request_pfc = cc.request_acfc = mode & 4;
	cc.no_ipv6cp = mode & 8;
	if (mode & 0x10)
		ca.echo_interval = cc.echo_interval = 5 * L2TP_SEC;
	if (mode & 0x40)
		ca.chap_rechallenge = 7 * L2TP_SEC;
	if (l2tp_ppp_new(&l.a, &cb, &ca, NULL, &sa) || l2tp_ppp_new(&l.b, &cb, &cc, NULL, &sb))
		abort();
	l2tp_ppp_open(l.a, l.now);
	l2tp_ppp_open(l.b, l.now);
	l2tp_ppp_lower_up(l.a, l.now);
	l2tp_ppp_lower_up(l.b, l.now);
	/* drive the pair |steps| frames into their negotiation */
	for (unsigned done = 0, guard = 0; done < steps && guard < 64; guard++) {
		unsigned n = pump(&l, steps - done);

		done += n;
		if (!n)
			tick(&l);
	}
	while (pos + 2 <= size) {
		uint8_t flags = data[pos], len = data[pos + 1];

		pos += 2;
		if (len > size - pos)
			len = (uint8_t)(size - pos);
		if (flags & 2)
			tick(&l);
		(void)l2tp_ppp_handle_frame((flags & 1) ? l.b : l.a, data + pos, len, l.now);
		pos += len;
		if (flags & 4)
			pump(&l, 64);
		if (flags & 8)
			l2tp_ppp_close((flags & 1) ? l.b : l.a, l.now);
		if (flags & 16)
			l2tp_ppp_lower_down((flags & 1) ? l.b : l.a, l.now);
	}
	pump(&l, 256);
	tick(&l);
	pump(&l, 256);
	l2tp_ppp_free(l.a);
	l2tp_ppp_free(l.b);
	return 0;
}
