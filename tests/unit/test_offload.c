// SPDX-License-Identifier: MIT
/*
 * test_offload.c - software TSO and GRO (lib/offload.c): frames built by
 * hand with an independent RFC 1071 checksum, segmented and checked field
 * by field; TSO -> GRO round trips; every GRO refusal; error paths.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <l2tp/offload.h>
#include "testlib.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define F_URG 0x20
#define F_ECE 0x40
#define F_CWR 0x80

/* ---- independent reference helpers ---------------------------------------- */

/* RFC 1071 §4.1, folding at every step. */
static uint16_t ref_sum(const uint8_t *p, size_t n, uint16_t init)
{
	uint32_t s = init;

	while (n > 1) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		s = (s & 0xffff) + (s >> 16);
		p += 2;
		n -= 2;
	}
	if (n) {
		s += (uint32_t)p[0] << 8;
		s = (s & 0xffff) + (s >> 16);
	}
	return (uint16_t)s;
}

static uint16_t add16(uint16_t a, uint16_t b)
{
	uint32_t s = (uint32_t)a + b;

	return (uint16_t)((s & 0xffff) + (s >> 16));
}

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t g32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void p16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void p32(uint8_t *p, uint32_t v)
{
	p16(p, (uint16_t)(v >> 16));
	p16(p + 2, (uint16_t)v);
}

/* Pseudo-header sum, folded, not complemented. */
static uint16_t ref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len)
{
	uint16_t s = v6 ? ref_sum(ip + 8, 32, 0) : ref_sum(ip + 12, 8, 0);

	s = add16(s, (uint16_t)(l4len >> 16));
	s = add16(s, (uint16_t)l4len);
	return add16(s, proto);
}

/* ---- frame builder ---------------------------------------------------------- */

struct fspec {
	bool v6;
	int vlans;
	size_t ipopt; /* IPv4 option bytes (multiple of 4) */
	size_t tcpopt; /* TCP option bytes (multiple of 4) */
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t id, win, sport, dport;
	bool df;
	uint8_t ttl, tos;
	uint8_t proto; /* 0 = TCP */
	const uint8_t *payload;
	size_t plen;
	bool partial; /* TCP/UDP checksum field = pseudo sum (NEEDS_CSUM) */
	uint8_t optfill; /* TCP option bytes value seed */
};

struct layout {
	size_t l3, l4, hdr, len;
};

static struct fspec base_spec(bool v6, const uint8_t *pl, size_t n)
{
	return (struct fspec){.v6 = v6,
			      .flags = F_ACK,
			      .seq = 0x10203040,
			      .ack = 0xa0b0c0d0,
			      .id = 0x1234,
			      .win = 502,
			      .sport = 40000,
			      .dport = 5201,
			      .df = true,
			      .ttl = 64,
			      .payload = pl,
			      .plen = n};
}

static struct layout build(uint8_t *out, const struct fspec *s)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x01}, src[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t a4s[4] = {192, 0, 2, 1}, a4d[4] = {198, 51, 100, 7};
	static const uint8_t a6s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t a6d[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};
	struct layout L;
	uint8_t proto = s->proto ? s->proto : 6;
	size_t p = 12, l4len;
	uint8_t *ip, *th;

	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	for (int i = 0; i < s->vlans; i++) {
		p16(out + p, i == 0 && s->vlans == 2 ? 0x88a8 : 0x8100);
		p16(out + p + 2, (uint16_t)(100 + i));
		p += 4;
	}
	p16(out + p, s->v6 ? 0x86dd : 0x0800);
	L.l3 = p + 2;
	ip = out + L.l3;
	if (s->v6) {
		L.l4 = L.l3 + 40;
	} else {
		L.l4 = L.l3 + 20 + s->ipopt;
	}
	th = out + L.l4;
	if (proto == 6) {
		L.hdr = L.l4 + 20 + s->tcpopt;
		memset(th, 0, 20 + s->tcpopt);
		p16(th, s->sport);
		p16(th + 2, s->dport);
		p32(th + 4, s->seq);
		p32(th + 8, s->ack);
		th[12] = (uint8_t)(((20 + s->tcpopt) / 4) << 4);
		th[13] = s->flags;
		p16(th + 14, s->win);
		for (size_t i = 0; i < s->tcpopt; i++)
			th[20 + i] = (uint8_t)(s->optfill + i * 7 + 1);
	} else {
		L.hdr = L.l4 + 8;
		memset(th, 0, 8);
		p16(th, s->sport);
		p16(th + 2, s->dport);
		p16(th + 4, (uint16_t)(8 + s->plen));
	}
	memcpy(out + L.hdr, s->payload, s->plen);
	L.len = L.hdr + s->plen;
	l4len = L.len - L.l4;
	if (s->v6) {
		ip[0] = 0x60 | (s->tos >> 4);
		ip[1] = (uint8_t)(s->tos << 4) | 0x0a;
		ip[2] = 0xbc;
		ip[3] = 0xde;
		p16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, a6s, 16);
		memcpy(ip + 24, a6d, 16);
	} else {
		size_t ihl = 20 + s->ipopt;

		ip[0] = (uint8_t)(0x40 | ihl / 4);
		ip[1] = s->tos;
		p16(ip + 2, (uint16_t)(L.len - L.l3));
		p16(ip + 4, s->id);
		p16(ip + 6, s->df ? 0x4000 : 0);
		ip[8] = s->ttl;
		ip[9] = proto;
		p16(ip + 10, 0);
		memcpy(ip + 12, a4s, 4);
		memcpy(ip + 16, a4d, 4);
		for (size_t i = 0; i < s->ipopt; i++)
			ip[20 + i] = 1; /* NOP */
		p16(ip + 10, (uint16_t)~ref_sum(ip, ihl, 0));
	}
	{
		size_t co = proto == 6 ? 16 : 6;
		uint16_t ps = ref_pseudo(ip, s->v6, proto, (uint32_t)l4len);

		p16(th + co, 0);
		if (s->partial) {
			p16(th + co, ps);
		} else {
			uint16_t c = (uint16_t)~ref_sum(th, l4len, ps);

			if (proto == 17 && c == 0)
				c = 0xffff;
			p16(th + co, c);
		}
	}
	return L;
}

/* Recompute IPv4 header and TCP checksums of a frame after a test mutated
 * it (l3/l4 known from the layout). */
static void refix(uint8_t *f, const struct layout *L, bool v6)
{
	uint8_t *ip = f + L->l3, *th = f + L->l4;
	size_t l4len = L->len - L->l4;

	if (!v6) {
		p16(ip + 10, 0);
		p16(ip + 10, (uint16_t)~ref_sum(ip, L->l4 - L->l3, 0));
	}
	p16(th + 16, 0);
	p16(th + 16, (uint16_t)~ref_sum(th, l4len, ref_pseudo(ip, v6, 6, (uint32_t)l4len)));
}

static bool ip4_ok(const uint8_t *ip)
{
	return ref_sum(ip, (size_t)(ip[0] & 15) * 4, 0) == 0xffff;
}

static bool l4_ok(const uint8_t *f, size_t l3, size_t l4, size_t len, bool v6, uint8_t proto)
{
	uint16_t ps = ref_pseudo(f + l3, v6, proto, (uint32_t)(len - l4));

	return ref_sum(f + l4, len - l4, ps) == 0xffff;
}

static struct virtio_net_hdr gso_vh(const struct fspec *s, const struct layout *L, size_t mss)
{
	struct virtio_net_hdr vh = {0};

	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = (uint16_t)mss;
	vh.hdr_len = (uint16_t)L->hdr;
	vh.csum_start = (uint16_t)L->l4;
	vh.csum_offset = 16;
	return vh;
}

static uint8_t big[70000], seg[70000], gbuf[70000];

/* TSO the frame of |s| at |mss| and check every segment field by field. */
static void check_tso(const struct fspec *s, size_t mss)
{
	struct fspec sp = *s;
	struct layout L;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;
	size_t off = 0, want_n;
	unsigned int i;
	int n, r;

	sp.partial = true;
	L = build(big, &sp);
	vh = gso_vh(&sp, &L, mss);
	want_n = s->plen ? (s->plen + mss - 1) / mss : 1;
	n = l2tp_tso_init(&t, &vh, big, L.len);
	assert_int_equal(n, (int)want_n);
	for (i = 0; i < want_n; i++) {
		size_t pl = s->plen - off < mss ? s->plen - off : mss;
		bool last = i + 1 == want_n;
		uint8_t want_fl = s->flags;
		const uint8_t *ip, *th;

		r = l2tp_tso_next(&t, seg, sizeof(seg));
		assert_int_equal(r, (int)(L.hdr + pl));
		ip = seg + L.l3;
		th = seg + L.l4;
		/* Ethernet and tags unchanged. */
		assert_memory_equal(seg, big, L.l3);
		if (s->v6) {
			assert_int_equal(g16(ip + 4), r - (int)L.l3 - 40);
			assert_memory_equal(ip, big + L.l3, 4);
			assert_memory_equal(ip + 6, big + L.l3 + 6, 34);
		} else {
			assert_int_equal(g16(ip + 2), r - (int)L.l3);
			assert_int_equal(g16(ip + 4), (uint16_t)(s->id + i));
			assert_true(ip4_ok(ip));
			assert_memory_equal(ip + 6, big + L.l3 + 6, 4);
			assert_memory_equal(ip + 12, big + L.l3 + 12, L.l4 - L.l3 - 12);
		}
		assert_memory_equal(th, big + L.l4, 4);
		assert_int_equal(g32(th + 4), (uint32_t)(s->seq + off));
		assert_memory_equal(th + 8, big + L.l4 + 8, 5);
		if (!last)
			want_fl &= (uint8_t) ~(F_FIN | F_PSH);
		if (i)
			want_fl &= (uint8_t)~F_CWR;
		assert_int_equal(th[13], want_fl);
		assert_memory_equal(th + 14, big + L.l4 + 14, 2);
		assert_memory_equal(th + 18, big + L.l4 + 18, L.hdr - L.l4 - 18);
		assert_true(l4_ok(seg, L.l3, L.l4, (size_t)r, s->v6, 6));
		assert_memory_equal(seg + L.hdr, s->payload + off, pl);
		off += pl;
	}
	assert_int_equal(off, s->plen);
	assert_int_equal(l2tp_tso_next(&t, seg, sizeof(seg)), 0);
	assert_int_equal(l2tp_tso_next(&t, seg, sizeof(seg)), 0);
}

static uint8_t pat[70000];

static void fill_pat(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 131 + (i >> 8) * 7 + 3);
}

/* ---- checksum helpers --------------------------------------------------------- */

static void test_offload_csum_rfc1071_example(void **state)
{
	/* RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 2ddf0, folded ddf2. */
	static const uint8_t d[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static const uint8_t odd[1] = {0x01};
	uint32_t s;

	(void)state;
	s = l2tp_csum_add(0, d, 8);
	assert_int_equal(l2tp_csum_fold(s), (uint16_t)~0xddf2);
	/* Incremental: even chunks add up (RFC 1071 §2 (B)). */
	s = l2tp_csum_add(l2tp_csum_add(0, d, 4), d + 4, 4);
	assert_int_equal(l2tp_csum_fold(s), 0x220d);
	assert_int_equal(l2tp_csum_fold(l2tp_csum_add(0, d, 2)), (uint16_t)~0x0001);
	/* A trailing odd byte is the high half of a word. */
	assert_int_equal(l2tp_csum_fold(l2tp_csum_add(0, odd, 1)), (uint16_t)~0x0100);
	assert_int_equal(l2tp_csum_fold(0), 0xffff);
	assert_int_equal(l2tp_csum_fold(0xffff), 0);
	assert_int_equal(l2tp_csum_fold(0x1fffe), 0);
	/* Big buffers: same as the folding-at-each-step reference. */
	fill_pat();
	assert_int_equal(l2tp_csum_fold(l2tp_csum_add(0xffffffffu, pat, sizeof(pat))),
			 (uint16_t)~add16(add16(ref_sum(pat, sizeof(pat), 0), 0xffff), 0xffff));
	assert_int_equal(l2tp_csum_fold(l2tp_csum_add(0, pat, 1001)),
			 (uint16_t)~ref_sum(pat, 1001, 0));
	/* Every alignment, length and carried-in sum. */
	{
		struct tl_rng rng;

		tl_rng_seed(&rng, 1071);
		for (int i = 0; i < 5000; i++) {
			size_t off = tl_rng_below(&rng, 16), n = tl_rng_below(&rng, 300);
			uint32_t in = (uint32_t)tl_rng_next(&rng);
			uint16_t want;

			if (i & 1)
				in &= 0xffff;
			want = add16(add16(ref_sum(pat + off, n, 0), (uint16_t)in),
				     (uint16_t)(in >> 16));
			assert_int_equal(l2tp_csum_fold(l2tp_csum_add(in, pat + off, n)),
					 (uint16_t)~want);
		}
	}
}

/* ---- TSO known answers ------------------------------------------------------------ */

static void test_offload_tso_ipv4(void **state)
{
	struct fspec s;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 3000);
	check_tso(&s, 1000); /* even split */
	check_tso(&s, 1448); /* 1448, 1448, 104 */
	check_tso(&s, 3000); /* one segment */
	check_tso(&s, 5000); /* mss above payload */
	check_tso(&s, 1); /* worst case */
	s.plen = 1;
	check_tso(&s, 1448);
	s.plen = 0; /* pure ACK with GSO set: one header-only segment */
	check_tso(&s, 1448);
	s = base_spec(false, pat, 60000);
	s.df = false;
	s.id = 0xfffe; /* id wraps */
	s.seq = 0xffffff00; /* seq wraps */
	check_tso(&s, 1460);
	s.ipopt = 8; /* IPv4 options are copied */
	s.tcpopt = 12; /* TCP options too */
	s.tos = 0xb8;
	check_tso(&s, 1388);
}

static void test_offload_tso_ipv6(void **state)
{
	struct fspec s;

	(void)state;
	fill_pat();
	s = base_spec(true, pat, 9001);
	check_tso(&s, 1440);
	s.tcpopt = 12;
	s.tos = 0x2e;
	check_tso(&s, 1428);
	s.plen = 65535 - 32; /* the largest IPv6 payload length */
	check_tso(&s, 1000);
}

static void test_offload_tso_vlan(void **state)
{
	struct fspec s;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 5000);
	s.vlans = 1;
	check_tso(&s, 1456);
	s.vlans = 2;
	check_tso(&s, 1452);
	s = base_spec(true, pat, 5000);
	s.vlans = 2;
	check_tso(&s, 1432);
}

static void test_offload_tso_flags(void **state)
{
	struct fspec s;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 4000);
	s.flags = F_ACK | F_PSH | F_FIN | F_CWR | F_ECE;
	check_tso(&s, 1000);
	check_tso(&s, 1500);
	s.v6 = true;
	s.flags = F_ACK | F_PSH | F_CWR;
	check_tso(&s, 999);
	s.flags = F_ACK | F_PSH | F_FIN | F_CWR;
	check_tso(&s, 4000); /* one segment keeps them all */
}

static void test_offload_tso_enospc_retry(void **state)
{
	struct fspec s;
	struct layout L;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 2500);
	s.partial = true;
	L = build(big, &s);
	vh = gso_vh(&s, &L, 1000);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), 3);
	assert_int_equal(l2tp_tso_next(&t, seg, L.hdr + 999), -ENOSPC);
	assert_int_equal(l2tp_tso_next(&t, seg, L.hdr + 1000), (int)L.hdr + 1000);
	assert_int_equal(g32(seg + L.l4 + 4), s.seq);
	assert_int_equal(l2tp_tso_next(&t, seg, 10), -ENOSPC);
	assert_int_equal(l2tp_tso_next(&t, seg, sizeof(seg)), (int)L.hdr + 1000);
	assert_int_equal(g32(seg + L.l4 + 4), s.seq + 1000);
	assert_int_equal(l2tp_tso_next(&t, seg, L.hdr + 500), (int)L.hdr + 500);
	assert_int_equal(l2tp_tso_next(&t, seg, sizeof(seg)), 0);
}

/* hdr_len in the vh is not trusted: a wrong value changes nothing. */
static void test_offload_tso_ignores_vh_hdr_len(void **state)
{
	struct fspec s;
	struct layout L;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 2000);
	s.partial = true;
	s.tcpopt = 12;
	L = build(big, &s);
	vh = gso_vh(&s, &L, 1000);
	vh.hdr_len = 14;
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), 2);
	assert_int_equal(t.hdr_len, L.hdr);
	assert_int_equal(l2tp_tso_next(&t, seg, sizeof(seg)), (int)L.hdr + 1000);
	assert_true(l4_ok(seg, L.l3, L.l4, L.hdr + 1000, false, 6));
}

/* ---- non-GSO frames ------------------------------------------------------------------ */

static void plain(uint8_t *f, size_t len, const struct virtio_net_hdr *vh, uint8_t *out)
{
	struct l2tp_tso t;

	assert_int_equal(l2tp_tso_init(&t, vh, f, len), 1);
	assert_int_equal(l2tp_tso_next(&t, out, len - 1), -ENOSPC);
	assert_int_equal(l2tp_tso_next(&t, out, len), (int)len);
	assert_int_equal(l2tp_tso_next(&t, out, len), 0);
}

static void test_offload_nongso_csum(void **state)
{
	struct fspec s;
	struct layout L;
	struct virtio_net_hdr vh = {0};

	(void)state;
	fill_pat();
	for (int v6 = 0; v6 <= 1; v6++) {
		/* TCP, partial checksum completed. */
		s = base_spec(v6, pat, 777);
		s.partial = true;
		s.vlans = 1;
		L = build(big, &s);
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.csum_start = (uint16_t)L.l4;
		vh.csum_offset = 16;
		plain(big, L.len, &vh, seg);
		assert_true(l4_ok(seg, L.l3, L.l4, L.len, v6, 6));
		assert_memory_equal(seg, big, L.l4 + 16);
		assert_memory_equal(seg + L.l4 + 18, big + L.l4 + 18, L.len - L.l4 - 18);
		/* Same result as the reference full checksum. */
		s.partial = false;
		build(gbuf, &s);
		assert_memory_equal(seg, gbuf, L.len);

		/* UDP with an odd length. */
		s = base_spec(v6, pat, 333);
		s.proto = 17;
		s.partial = true;
		L = build(big, &s);
		vh.csum_start = (uint16_t)L.l4;
		vh.csum_offset = 6;
		plain(big, L.len, &vh, seg);
		assert_true(l4_ok(seg, L.l3, L.l4, L.len, v6, 17));
		assert_int_not_equal(g16(seg + L.l4 + 6), 0);

		/* UDP whose checksum comes out 0: sent as 0xffff. Tune two
		 * payload bytes so the data sums to the complement. */
		{
			uint8_t pl[64];
			uint16_t sum;

			memcpy(pl, pat, sizeof(pl));
			pl[10] = pl[11] = 0;
			s.payload = pl;
			s.plen = sizeof(pl);
			L = build(big, &s);
			sum = ref_sum(big + L.l4, L.len - L.l4, 0);
			p16(big + L.hdr + 10, (uint16_t)(0xffff - sum));
			vh.csum_start = (uint16_t)L.l4;
			plain(big, L.len, &vh, seg);
			assert_int_equal(g16(seg + L.l4 + 6), 0xffff);
			assert_true(l4_ok(seg, L.l3, L.l4, L.len, v6, 17));
		}
	}
	/* No NEEDS_CSUM: the frame passes byte for byte. */
	memset(&vh, 0, sizeof(vh));
	s = base_spec(false, pat, 100);
	L = build(big, &s);
	plain(big, L.len, &vh, seg);
	assert_memory_equal(seg, big, L.len);
	/* Anything at all, even not IP. */
	plain(pat, 14, &vh, seg);
	assert_memory_equal(seg, pat, 14);
	{
		struct l2tp_tso t;

		assert_int_equal(l2tp_tso_init(&t, &vh, pat, 13), -EINVAL);
		assert_int_equal(l2tp_tso_init(&t, &vh, pat, 0), -EINVAL);
	}
}

/* IPv6 with an extension header: passes without GSO, refused with GSO. */
static void test_offload_ipv6_ext_header(void **state)
{
	struct fspec s;
	struct layout L;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;
	uint8_t ext[8 + 20 + 100];

	(void)state;
	fill_pat();
	/* Build TCP in the "payload" of an IPv6 packet with next header 0
	 * (hop-by-hop, 8 bytes of padding). */
	memset(ext, 0, sizeof(ext));
	ext[0] = 6;
	ext[2] = 1;
	ext[3] = 4; /* PadN */
	memcpy(ext + 8 + 20, pat, 100);
	ext[8 + 12] = 0x50;
	ext[8 + 13] = F_ACK;
	s = base_spec(true, ext, sizeof(ext));
	s.proto = 17; /* builder writes a UDP header; replaced below */
	L = build(big, &s);
	/* Rewrite: payload starts right after the IPv6 header. */
	memcpy(big + L.l4, ext, sizeof(ext));
	L.len = L.l4 + sizeof(ext);
	p16(big + L.l3 + 4, (uint16_t)sizeof(ext));
	big[L.l3 + 6] = 0;
	p16(big + L.l4 + 8 + 16, ref_pseudo(big + L.l3, true, 6, 120));
	vh = gso_vh(&s, &L, 50);
	vh.csum_start = (uint16_t)(L.l4 + 8);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EPROTONOSUPPORT);
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	plain(big, L.len, &vh, seg);
	assert_memory_equal(seg, big, L.l4 + 8 + 16);
	{
		uint16_t ps = ref_pseudo(big + L.l3, true, 6, 120);

		assert_int_equal(ref_sum(seg + L.l4 + 8, 120, ps), 0xffff);
	}
}

/* ---- TSO errors --------------------------------------------------------------------- */

static void test_offload_tso_errors(void **state)
{
	struct fspec s;
	struct layout L;
	struct virtio_net_hdr vh, v;
	struct l2tp_tso t;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 3000);
	s.partial = true;
	s.tcpopt = 12;
	L = build(big, &s);
	vh = gso_vh(&s, &L, 1000);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), 3);

	v = vh;
	v.csum_start = (uint16_t)L.len;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EINVAL);
	v = vh;
	v.csum_start = (uint16_t)(L.len - 1);
	v.csum_offset = 0;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EINVAL);
	v.csum_start = (uint16_t)(L.len - 2);
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), 3);
	v = vh;
	v.csum_offset = 0xffff;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EINVAL);
	v.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EINVAL);

	v = vh;
	v.gso_size = 0;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EINVAL);

	v = vh;
	v.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EPROTONOSUPPORT);
	v.gso_type = 5; /* VIRTIO_NET_HDR_GSO_UDP_L4 */
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EPROTONOSUPPORT);
	v.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EPROTONOSUPPORT);
	/* Wrong family for the frame. */
	v.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_int_equal(l2tp_tso_init(&t, &v, big, L.len), -EINVAL);

	/* Headers cut short at every length below the TCP header end. */
	v = vh;
	v.flags = 0;
	for (size_t n = 0; n < L.hdr; n++)
		assert_int_equal(l2tp_tso_init(&t, &v, big, n), -EINVAL);

	/* Bad data offset, bad IHL, IPv4 fragment, not TCP. */
	big[L.l4 + 12] = 0x40;
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	/* A frame shorter than its IP length says. */
	L = build(big, &s);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len - 1), -EINVAL);
	L = build(big, &s);
	big[L.l3] = 0x44;
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	L = build(big, &s);
	big[L.l3 + 6] |= 0x20; /* MF */
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	L = build(big, &s);
	big[L.l3 + 9] = 17;
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	/* Three VLAN tags, or a non-IP ethertype. */
	s.vlans = 2;
	L = build(big, &s);
	p16(big + 12 + 8, 0x8100);
	vh = gso_vh(&s, &L, 1000);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	p16(big + 12 + 8, 0x0806);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	/* Segment IP length above 65535. */
	s = base_spec(false, pat, 65600);
	s.partial = true;
	L = build(big, &s);
	vh = gso_vh(&s, &L, 65535);
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
	vh = gso_vh(&s, &L, 65535 - (L.hdr - L.l3));
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), 2);
	vh.gso_size++;
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), -EINVAL);
}

/* ---- GRO ------------------------------------------------------------------------------- */

struct segs {
	uint8_t *f[64];
	size_t len[64];
	unsigned int n;
	struct layout L;
};

static uint8_t segstore[64][2048];

/* Cut a frame of |s| into up to 64 segments of |mss| with our TSO. */
static void make_segs(const struct fspec *s, size_t mss, struct segs *S)
{
	struct fspec sp = *s;
	struct virtio_net_hdr vh;
	struct l2tp_tso t;
	int r, n;

	sp.partial = true;
	S->L = build(big, &sp);
	vh = gso_vh(&sp, &S->L, mss);
	n = l2tp_tso_init(&t, &vh, big, S->L.len);
	assert_true(n > 0 && n <= 64);
	S->n = (unsigned int)n;
	for (int i = 0; i < n; i++) {
		r = l2tp_tso_next(&t, segstore[i], sizeof(segstore[i]));
		assert_true(r > 0);
		S->f[i] = segstore[i];
		S->len[i] = (size_t)r;
	}
}

/* Complete the partial checksum of a GRO frame as the kernel would. */
static void complete(uint8_t *f, size_t len, const struct virtio_net_hdr *vh)
{
	size_t at = (size_t)vh->csum_start + vh->csum_offset;
	uint16_t c = (uint16_t)~ref_sum(f + vh->csum_start, len - vh->csum_start, 0);

	p16(f + at, c ? c : 0xffff);
}

static void roundtrip(struct tl_rng *rng, bool v6)
{
	static uint8_t payload[60000], out[70000];
	struct fspec s;
	struct layout L;
	struct virtio_net_hdr vh, gvh;
	struct l2tp_tso t, t2;
	struct l2tp_gro g;
	size_t plen = 1 + tl_rng_below(rng, 30000);
	size_t mss = 1 + tl_rng_below(rng, tl_rng_below(rng, 4) ? 1500 : 9000);
	size_t n, first = 0;
	int cnt, r;

	tl_rng_fill(rng, payload, plen);
	s = base_spec(v6, payload, plen);
	s.partial = true;
	s.vlans = (int)tl_rng_below(rng, 3);
	s.tcpopt = 4 * tl_rng_below(rng, 4);
	s.optfill = (uint8_t)tl_rng_next(rng);
	s.seq = (uint32_t)tl_rng_next(rng);
	s.id = (uint16_t)tl_rng_next(rng);
	s.df = tl_rng_below(rng, 2);
	s.flags = F_ACK | (tl_rng_below(rng, 2) ? F_PSH : 0) | (tl_rng_below(rng, 4) ? 0 : F_CWR);
	L = build(big, &s);
	vh = gso_vh(&s, &L, mss);
	cnt = l2tp_tso_init(&t, &vh, big, L.len);
	assert_int_equal(cnt, (int)((plen + mss - 1) / mss));
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	for (int i = 0; i < cnt; i++) {
		r = l2tp_tso_next(&t, seg, sizeof(seg));
		assert_true(r > 0);
		if (i == 0)
			first = (size_t)r;
		assert_int_equal(l2tp_gro_add(&g, seg, (size_t)r), 1);
	}
	/* The flow is over: nothing more joins. */
	if (cnt > 1 || (s.flags & F_PSH))
		assert_int_equal(l2tp_gro_add(&g, seg, first), 0);
	n = l2tp_gro_flush(&g, &gvh);
	assert_int_equal(n, L.len);
	assert_int_equal(g.len, 0);
	/* Payload, and headers but lengths/checksums/flags, as the original. */
	assert_memory_equal(gbuf + L.hdr, payload, plen);
	assert_memory_equal(gbuf, big, L.l3);
	if (cnt == 1) {
		uint8_t z[sizeof(gvh)] = {0};

		assert_memory_equal(&gvh, z, sizeof(gvh));
		assert_true(l4_ok(gbuf, L.l3, L.l4, n, v6, 6));
		return;
	}
	assert_int_equal(gvh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(gvh.gso_type, (v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4) |
					   ((s.flags & F_CWR) ? VIRTIO_NET_HDR_GSO_ECN : 0));
	assert_int_equal(gvh.gso_size, mss);
	assert_int_equal(gvh.hdr_len, L.hdr);
	assert_int_equal(gvh.csum_start, L.l4);
	assert_int_equal(gvh.csum_offset, 16);
	assert_int_equal(gbuf[L.l4 + 13], s.flags);
	assert_int_equal(g32(gbuf + L.l4 + 4), s.seq);
	if (v6) {
		assert_int_equal(g16(gbuf + L.l3 + 4), n - L.l3 - 40);
	} else {
		assert_int_equal(g16(gbuf + L.l3 + 2), n - L.l3);
		assert_int_equal(g16(gbuf + L.l3 + 4), s.id);
		assert_true(ip4_ok(gbuf + L.l3));
	}
	/* The partial checksum is the pseudo-header sum; completing it as
	 * the kernel does gives a valid TCP checksum. */
	assert_int_equal(g16(gbuf + L.l4 + 16),
			 ref_pseudo(gbuf + L.l3, v6, 6, (uint32_t)(n - L.l4)));
	memcpy(out, gbuf, n);
	complete(out, n, &gvh);
	assert_true(l4_ok(out, L.l3, L.l4, n, v6, 6));
	/* And the GRO frame, segmented again, gives the same segments. */
	vh.gso_type = gvh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	assert_int_equal(l2tp_tso_init(&t, &vh, big, L.len), cnt);
	assert_int_equal(l2tp_tso_init(&t2, &vh, gbuf, n), cnt);
	for (int i = 0; i < cnt; i++) {
		int a = l2tp_tso_next(&t, seg, sizeof(seg));

		assert_int_equal(l2tp_tso_next(&t2, out, sizeof(out)), a);
		assert_memory_equal(seg, out, (size_t)a);
	}
}

static void test_offload_roundtrip_tso_gro(void **state)
{
	struct tl_rng rng;

	(void)state;
	tl_rng_seed(&rng, 0x0ff10ad);
	for (int i = 0; i < 150; i++)
		roundtrip(&rng, i & 1);
}

/* Offer segments 0..n-1 of |S| (segment |k| replaced by |alt| when given)
 * and return the index of the first one refused, or S->n. */
static unsigned int offer(struct l2tp_gro *g, struct segs *S)
{
	for (unsigned int i = 0; i < S->n; i++) {
		int r = l2tp_gro_add(g, S->f[i], S->len[i]);

		assert_true(r == 0 || r == 1);
		if (r == 0)
			return i;
	}
	return S->n;
}

static struct segs S;

/* Build 4 segments of 100 bytes, let |mut| change segment |k|, refix
 * checksums unless told not to, and return where GRO stops. */
static unsigned int gro_case(bool v6, unsigned int k, void (*mut)(uint8_t *f, struct layout *L),
			     bool fix)
{
	struct fspec s;
	struct l2tp_gro g;
	struct virtio_net_hdr vh;
	struct layout L;
	unsigned int stop;

	fill_pat();
	s = base_spec(v6, pat, 400);
	s.tcpopt = 12;
	make_segs(&s, 100, &S);
	assert_int_equal(S.n, 4);
	L = S.L;
	L.len = S.len[k];
	if (mut)
		mut(S.f[k], &L);
	S.len[k] = L.len;
	if (fix)
		refix(S.f[k], &L, v6);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	stop = offer(&g, &S);
	if (stop < S.n) {
		/* The refused one starts the next frame. */
		size_t n = l2tp_gro_flush(&g, &vh);

		assert_true(n > 0);
		assert_int_equal(l2tp_gro_add(&g, S.f[stop], S.len[stop]), 1);
	}
	return stop;
}

static void m_seq_gap(uint8_t *f, struct layout *L)
{
	p32(f + L->l4 + 4, g32(f + L->l4 + 4) + 1);
}
static void m_sport(uint8_t *f, struct layout *L)
{
	f[L->l4 + 1] ^= 1;
}
static void m_dport(uint8_t *f, struct layout *L)
{
	f[L->l4 + 3] ^= 1;
}
static void m_ack(uint8_t *f, struct layout *L)
{
	f[L->l4 + 11] ^= 1;
}
static void m_win(uint8_t *f, struct layout *L)
{
	f[L->l4 + 15] ^= 1;
}
static void m_opt(uint8_t *f, struct layout *L)
{
	f[L->l4 + 25] ^= 1;
}
static uint8_t flag_to_set;
static void m_flag(uint8_t *f, struct layout *L)
{
	f[L->l4 + 13] |= flag_to_set;
}
static void m_noack(uint8_t *f, struct layout *L)
{
	f[L->l4 + 13] &= (uint8_t)~F_ACK;
}
static void m_short(uint8_t *f, struct layout *L)
{
	/* 99 bytes of payload instead of 100. */
	L->len -= 1;
	if (f[L->l3] >> 4 == 6)
		p16(f + L->l3 + 4, (uint16_t)(g16(f + L->l3 + 4) - 1));
	else
		p16(f + L->l3 + 2, (uint16_t)(g16(f + L->l3 + 2) - 1));
}
static void m_empty(uint8_t *f, struct layout *L)
{
	size_t cut = L->len - L->hdr;

	L->len = L->hdr;
	if (f[L->l3] >> 4 == 6)
		p16(f + L->l3 + 4, (uint16_t)(g16(f + L->l3 + 4) - cut));
	else
		p16(f + L->l3 + 2, (uint16_t)(g16(f + L->l3 + 2) - cut));
}
static void m_mac(uint8_t *f, struct layout *L)
{
	(void)L;
	f[5] ^= 1;
}
static void m_ttl(uint8_t *f, struct layout *L)
{
	f[L->l3 + 8] -= 1;
}
static void m_tos(uint8_t *f, struct layout *L)
{
	f[L->l3 + 1] ^= 4;
}
static void m_df(uint8_t *f, struct layout *L)
{
	f[L->l3 + 6] ^= 0x40;
}
static void m_src4(uint8_t *f, struct layout *L)
{
	f[L->l3 + 15] ^= 1;
}
static void m_id(uint8_t *f, struct layout *L)
{
	p16(f + L->l3 + 4, (uint16_t)(g16(f + L->l3 + 4) + 5));
}
static void m_id_fixed(uint8_t *f, struct layout *L)
{
	p16(f + L->l3 + 4, 0x1234); /* base_spec's id0 */
}
static void m_flow6(uint8_t *f, struct layout *L)
{
	f[L->l3 + 3] ^= 1;
}
static void m_hop6(uint8_t *f, struct layout *L)
{
	f[L->l3 + 7] -= 1;
}
static void m_dst6(uint8_t *f, struct layout *L)
{
	f[L->l3 + 39] ^= 1;
}
static void m_ipcsum(uint8_t *f, struct layout *L)
{
	f[L->l3 + 10] ^= 1;
}
static void m_corrupt(uint8_t *f, struct layout *L)
{
	f[L->len - 1] ^= 0x5a;
}

static void test_offload_gro_refusals(void **state)
{
	static const uint8_t bad_flags[] = {F_SYN, F_FIN, F_RST, F_URG, F_CWR, F_ECE};

	(void)state;
	for (int v6 = 0; v6 <= 1; v6++) {
		assert_int_equal(gro_case(v6, 0, NULL, false), 4);
		assert_int_equal(gro_case(v6, 2, m_seq_gap, true), 2);
		assert_int_equal(gro_case(v6, 1, m_sport, true), 1);
		assert_int_equal(gro_case(v6, 3, m_dport, true), 3);
		assert_int_equal(gro_case(v6, 1, m_ack, true), 1);
		assert_int_equal(gro_case(v6, 1, m_win, true), 1);
		assert_int_equal(gro_case(v6, 2, m_opt, true), 2);
		assert_int_equal(gro_case(v6, 1, m_noack, true), 1);
		for (size_t i = 0; i < sizeof(bad_flags); i++) {
			flag_to_set = bad_flags[i];
			assert_int_equal(gro_case(v6, 2, m_flag, true), 2);
			/* The first one with SYN/FIN/RST/URG stands alone. */
			if (bad_flags[i] != F_CWR && bad_flags[i] != F_ECE)
				assert_int_equal(gro_case(v6, 0, m_flag, true), 1);
		}
		/* CWR or ECE on the first segment: the frame starts with them. */
		flag_to_set = F_CWR;
		assert_int_equal(gro_case(v6, 0, m_flag, true), 4);
		/* PSH joins and closes. */
		flag_to_set = F_PSH;
		assert_int_equal(gro_case(v6, 1, m_flag, true), 2);
		assert_int_equal(gro_case(v6, 0, m_flag, true), 1);
		/* Short segment joins, then nothing more. */
		assert_int_equal(gro_case(v6, 1, m_short, true), 2);
		assert_int_equal(gro_case(v6, 0, m_short, true), 1);
		assert_int_equal(gro_case(v6, 1, m_empty, true), 1);
		assert_int_equal(gro_case(v6, 0, m_empty, true), 1);
		assert_int_equal(gro_case(v6, 2, m_mac, true), 2);
		assert_int_equal(gro_case(v6, 2, m_tos, true), 2);
		assert_int_equal(gro_case(v6, 1, m_corrupt, false), 1);
		assert_int_equal(gro_case(v6, 0, m_corrupt, false), 1);
	}
	assert_int_equal(gro_case(false, 1, m_ttl, true), 1);
	assert_int_equal(gro_case(false, 1, m_df, true), 1);
	assert_int_equal(gro_case(false, 3, m_src4, true), 3);
	assert_int_equal(gro_case(false, 1, m_id, true), 1);
	assert_int_equal(gro_case(true, 1, m_flow6, true), 1);
	assert_int_equal(gro_case(true, 1, m_hop6, true), 1);
	assert_int_equal(gro_case(true, 1, m_dst6, true), 1);
	/* Bad IPv4 header checksum. */
	assert_int_equal(gro_case(false, 1, m_ipcsum, false), 1);
}

/* IPv4 id rule: with DF an id that stays fixed is accepted (RFC 6864),
 * but not a mix; without DF it must count up. */
static void test_offload_gro_ipv4_id(void **state)
{
	struct fspec s;
	struct l2tp_gro g;
	struct virtio_net_hdr vh;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 400);
	make_segs(&s, 100, &S);
	for (unsigned int i = 1; i < 4; i++) {
		struct layout L = S.L;

		L.len = S.len[i];
		m_id_fixed(S.f[i], &L);
		refix(S.f[i], &L, false);
	}
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(offer(&g, &S), 4);
	assert_int_equal(l2tp_gro_flush(&g, &vh), S.L.len);
	/* A refused segment leaves no trace: segment 1 with a fixed id but a
	 * wrong seq, then segment 1 with the right id, counting on. */
	{
		static uint8_t tmp[2048];
		struct fspec s2 = base_spec(false, pat, 400);
		struct segs S2;
		struct layout L;

		make_segs(&s2, 100, &S2);
		memcpy(tmp, S2.f[1], S2.len[1]);
		L = S2.L;
		L.len = S2.len[1];
		m_id_fixed(tmp, &L);
		m_seq_gap(tmp, &L);
		refix(tmp, &L, false);
		l2tp_gro_init(&g, gbuf, sizeof(gbuf));
		assert_int_equal(l2tp_gro_add(&g, S2.f[0], S2.len[0]), 1);
		assert_int_equal(l2tp_gro_add(&g, tmp, S2.len[1]), 0);
		for (unsigned int i = 1; i < 4; i++)
			assert_int_equal(l2tp_gro_add(&g, S2.f[i], S2.len[i]), 1);
		assert_int_equal(l2tp_gro_flush(&g, &vh), S2.L.len);
		make_segs(&s, 100, &S); /* make_segs shares its storage */
		for (unsigned int i = 1; i < 4; i++) {
			struct layout L2 = S.L;

			L2.len = S.len[i];
			m_id_fixed(S.f[i], &L2);
			refix(S.f[i], &L2, false);
		}
	}
	/* fixed, fixed, then counting: refused at 3 */
	{
		struct layout L = S.L;

		L.len = S.len[3];
		p16(S.f[3] + L.l3 + 4, 0x1234 + 3);
		refix(S.f[3], &L, false);
	}
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(offer(&g, &S), 3);
	l2tp_gro_flush(&g, &vh);
	/* Without DF a fixed id is refused. */
	s.df = false;
	make_segs(&s, 100, &S);
	{
		struct layout L = S.L;

		L.len = S.len[1];
		m_id_fixed(S.f[1], &L);
		refix(S.f[1], &L, false);
	}
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(offer(&g, &S), 1);
	/* id wrapping 0xffff -> 0 counts as consecutive. */
	s.id = 0xfffe;
	make_segs(&s, 100, &S);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(offer(&g, &S), 4);
}

static void test_offload_gro_room(void **state)
{
	struct fspec s;
	struct l2tp_gro g;
	struct virtio_net_hdr vh;
	size_t n;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 400);
	make_segs(&s, 100, &S);
	/* Room for exactly two segments. */
	l2tp_gro_init(&g, gbuf, S.L.hdr + 200);
	assert_int_equal(offer(&g, &S), 2);
	n = l2tp_gro_flush(&g, &vh);
	assert_int_equal(n, S.L.hdr + 200);
	assert_int_equal(vh.gso_size, 100);
	/* A frame bigger than an empty buffer. */
	l2tp_gro_init(&g, gbuf, 10);
	assert_int_equal(l2tp_gro_add(&g, S.f[0], S.len[0]), -EMSGSIZE);
	assert_int_equal(l2tp_gro_flush(&g, &vh), 0);
	/* 65535 bytes of IP packet at most, whatever cap says. */
	s = base_spec(false, pat, 66000);
	make_segs(&s, 1400, &S);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	n = offer(&g, &S);
	assert_int_equal(n, (65535 - (S.L.hdr - S.L.l3)) / 1400);
	assert_true(l2tp_gro_flush(&g, &vh) - S.L.l3 <= 65535);
	/* For IPv6 too, its 40-byte header included. */
	s = base_spec(true, pat, 66000);
	make_segs(&s, 1400, &S);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	n = offer(&g, &S);
	assert_int_equal(n, (65535 - (S.L.hdr - S.L.l3)) / 1400);
	n = l2tp_gro_flush(&g, &vh);
	assert_true(n - S.L.l3 <= 65535);
	assert_int_equal(g16(gbuf + S.L.l3 + 4), n - S.L.l3 - 40);
}

/* Frames that are not TCP are taken alone, unchanged, zero header. */
static void test_offload_gro_alone(void **state)
{
	struct fspec s;
	struct layout L;
	struct l2tp_gro g;
	struct virtio_net_hdr vh;
	uint8_t z[sizeof(vh)] = {0};

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 200);
	s.proto = 17;
	L = build(big, &s);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(l2tp_gro_flush(&g, &vh), 0);
	assert_int_equal(l2tp_gro_add(&g, big, L.len), 1);
	assert_int_equal(l2tp_gro_add(&g, big, L.len), 0);
	memset(&vh, 0xaa, sizeof(vh));
	assert_int_equal(l2tp_gro_flush(&g, &vh), L.len);
	assert_memory_equal(&vh, z, sizeof(vh));
	assert_memory_equal(gbuf, big, L.len);
	/* Garbage: 3 bytes. */
	assert_int_equal(l2tp_gro_add(&g, pat, 3), 1);
	assert_int_equal(l2tp_gro_add(&g, pat, 3), 0);
	assert_int_equal(l2tp_gro_flush(&g, &vh), 3);
	/* IPv4 with options: alone. */
	s = base_spec(false, pat, 200);
	s.ipopt = 4;
	make_segs(&s, 100, &S);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(offer(&g, &S), 1);
	/* A single TCP segment passes unchanged with a zero header. */
	assert_int_equal(l2tp_gro_flush(&g, &vh), S.len[0]);
	assert_memory_equal(gbuf, S.f[0], S.len[0]);
	assert_memory_equal(&vh, z, sizeof(vh));
}

/* Ethernet padding after short segments is not joined into the payload. */
static void test_offload_gro_padding(void **state)
{
	struct fspec s;
	struct l2tp_gro g;
	struct virtio_net_hdr vh;
	size_t n;

	(void)state;
	fill_pat();
	s = base_spec(false, pat, 6);
	make_segs(&s, 2, &S);
	assert_int_equal(S.n, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(S.len[i] < 60);
		memset(S.f[i] + S.len[i], 0xee, 60 - S.len[i]);
		S.len[i] = 60;
	}
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(offer(&g, &S), 3);
	n = l2tp_gro_flush(&g, &vh);
	assert_int_equal(n, S.L.hdr + 6);
	assert_memory_equal(gbuf + S.L.hdr, pat, 6);
	assert_int_equal(vh.gso_size, 2);
}

/* Segment sizes: the first sets mss; bigger is refused; a shorter one
 * (or PSH) joins and ends the frame even if the next one is in order. */
static size_t mkseg(uint8_t *out, uint32_t seq_off, uint16_t id_off, size_t plen, uint8_t flags)
{
	struct fspec s = base_spec(false, pat + seq_off, plen);
	struct layout L;

	s.seq += seq_off;
	s.id = (uint16_t)(s.id + id_off);
	s.flags = flags;
	L = build(out, &s);
	return L.len;
}

static void test_offload_gro_segment_sizes(void **state)
{
	static uint8_t f[4][2048];
	size_t n[4];
	struct l2tp_gro g;
	struct virtio_net_hdr vh;

	(void)state;
	fill_pat();
	/* 50 then 100 in order: the bigger one does not join. */
	n[0] = mkseg(f[0], 0, 0, 50, F_ACK);
	n[1] = mkseg(f[1], 50, 1, 100, F_ACK);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(l2tp_gro_add(&g, f[0], n[0]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[1], n[1]), 0);
	/* 100, 99, then 100 in order: the third does not join. */
	n[0] = mkseg(f[0], 0, 0, 100, F_ACK);
	n[1] = mkseg(f[1], 100, 1, 99, F_ACK);
	n[2] = mkseg(f[2], 199, 2, 100, F_ACK);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(l2tp_gro_add(&g, f[0], n[0]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[1], n[1]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[2], n[2]), 0);
	assert_int_equal(l2tp_gro_flush(&g, &vh), n[0] + 99);
	assert_int_equal(vh.gso_size, 100);
	assert_memory_equal(gbuf + n[0] - 100, pat, 199);
	/* 100, 100 with PSH, then 100 in order: the third does not join,
	 * the joined header has PSH. */
	n[1] = mkseg(f[1], 100, 1, 100, F_ACK | F_PSH);
	n[2] = mkseg(f[2], 200, 2, 100, F_ACK);
	l2tp_gro_init(&g, gbuf, sizeof(gbuf));
	assert_int_equal(l2tp_gro_add(&g, f[0], n[0]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[1], n[1]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[2], n[2]), 0);
	assert_int_equal(l2tp_gro_flush(&g, &vh), n[0] + 100);
	assert_int_equal(gbuf[14 + 20 + 13], F_ACK | F_PSH);
	/* 100, 100, 100: all join, then flush empties the state. */
	n[1] = mkseg(f[1], 100, 1, 100, F_ACK);
	n[2] = mkseg(f[2], 200, 2, 100, F_ACK);
	assert_int_equal(l2tp_gro_add(&g, f[0], n[0]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[1], n[1]), 1);
	assert_int_equal(l2tp_gro_add(&g, f[2], n[2]), 1);
	assert_int_equal(l2tp_gro_flush(&g, &vh), n[0] + 200);
	assert_int_equal(l2tp_gro_flush(&g, &vh), 0);
	assert_int_equal(g.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offload_csum_rfc1071_example),
	    cmocka_unit_test(test_offload_tso_ipv4),
	    cmocka_unit_test(test_offload_tso_ipv6),
	    cmocka_unit_test(test_offload_tso_vlan),
	    cmocka_unit_test(test_offload_tso_flags),
	    cmocka_unit_test(test_offload_tso_enospc_retry),
	    cmocka_unit_test(test_offload_tso_ignores_vh_hdr_len),
	    cmocka_unit_test(test_offload_nongso_csum),
	    cmocka_unit_test(test_offload_ipv6_ext_header),
	    cmocka_unit_test(test_offload_tso_errors),
	    cmocka_unit_test(test_offload_roundtrip_tso_gro),
	    cmocka_unit_test(test_offload_gro_refusals),
	    cmocka_unit_test(test_offload_gro_ipv4_id),
	    cmocka_unit_test(test_offload_gro_room),
	    cmocka_unit_test(test_offload_gro_alone),
	    cmocka_unit_test(test_offload_gro_padding),
	    cmocka_unit_test(test_offload_gro_segment_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
