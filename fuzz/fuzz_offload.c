// SPDX-License-Identifier: MIT
/*
 * fuzz_offload.c - arbitrary virtio-net header + frame through software
 * TSO, its segments back through GRO, and arbitrary frame sequences
 * through GRO (lib/offload.c).
 *
 * Input: 10 bytes struct virtio_net_hdr (host order), 1 byte selector
 * (low 7 bits: GRO buffer size; 0x80: the GRO-only pass fixes IPv4 and
 * TCP checksums of each record first, so the fuzzer reaches the join
 * rules), then the frame. The frame is also read as a sequence of
 * [u16 length][bytes] records for the GRO-only pass.
 *
 * Invariants: nothing reads or writes out of bounds (ASan); TSO segments
 * are at most hdr_len + mss long, all but the last of equal length, and
 * their payloads add up to the input payload in order; segments that GRO
 * joins completely give back the input payload; GRO never reports more
 * bytes than its buffer and never more than 65535 bytes of IP packet; a
 * joined frame holds exactly the joined payloads, in order, its vh is
 * consistent and its partial checksum completes to a valid one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/offload.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static uint8_t seg[70000], gbuf[70000], rec[70000], shadow[70000];
static size_t shadow_len;

static size_t gro_cap(uint8_t sel)
{
	static const size_t caps[] = {sizeof(gbuf), 65535 + 22, 1514, 9000, 100, 0};

	return caps[sel % (sizeof(caps) / sizeof(caps[0]))];
}

/* ---- a minimal independent parser for the checks ------------------------- */

struct hp {
	size_t l3, l4, hdr, end;
	bool v6;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ethernet, up to two tags, IPv4/IPv6, TCP; false unless a TCP segment
 * lies inside the frame. */
static bool hparse(const uint8_t *f, size_t n, struct hp *h)
{
	size_t o = 12, doff;
	uint16_t type;

	if (n < 14)
		return false;
	type = be16(f + 12);
	for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); i++) {
		o += 4;
		if (n < o + 2)
			return false;
		type = be16(f + o);
	}
	h->l3 = o + 2;
	if (type == 0x0800) {
		if (n < h->l3 + 20 || (f[h->l3] >> 4) != 4 || (f[h->l3] & 15) < 5 ||
		    f[h->l3 + 9] != 6)
			return false;
		h->v6 = false;
		h->l4 = h->l3 + (size_t)(f[h->l3] & 15) * 4;
		h->end = h->l3 + be16(f + h->l3 + 2);
	} else if (type == 0x86dd) {
		if (n < h->l3 + 40 || f[h->l3 + 6] != 6)
			return false;
		h->v6 = true;
		h->l4 = h->l3 + 40;
		h->end = h->l4 + be16(f + h->l3 + 4);
	} else {
		return false;
	}
	if (h->end > n || h->l4 + 20 > h->end)
		return false;
	doff = (size_t)(f[h->l4 + 12] >> 4) * 4;
	if (doff < 20 || h->l4 + doff > h->end)
		return false;
	h->hdr = h->l4 + doff;
	return true;
}

static uint32_t pseudo(const uint8_t *f, const struct hp *h, uint32_t l4len)
{
	uint8_t tail[8] = {0, 0, (uint8_t)(l4len >> 8), (uint8_t)l4len, 0, 0, 0, 6};

	if (h->v6)
		return l2tp_csum_add(l2tp_csum_add(0, f + h->l3 + 8, 32), tail, 8);
	tail[0] = 0;
	tail[1] = 6;
	return l2tp_csum_add(l2tp_csum_add(0, f + h->l3 + 12, 8), tail, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Make the IPv4 header and TCP checksums right, so GRO looks further. */
static void fix(uint8_t *f, size_t n)
{
	struct hp h;
	uint32_t l4len;

	if (!hparse(f, n, &h))
		return;
	if (!h.v6) {
		put16(f + h.l3 + 10, 0);
		put16(f + h.l3 + 10, l2tp_csum_fold(l2tp_csum_add(0, f + h.l3, h.l4 - h.l3)));
	}
	l4len = (uint32_t)(h.end - h.l4);
	put16(f + h.l4 + 16, 0);
	put16(f + h.l4 + 16,
	      l2tp_csum_fold(pseudo(f, &h, l4len) + l2tp_csum_add(0, f + h.l4, l4len)));
}

/* After a flush of a joined frame: the payload is the joined payloads in
 * order and completing the partial checksum gives a valid one. */
static void check_flushed(size_t glen, const struct virtio_net_hdr *vh)
{
	struct hp h;
	uint32_t l4len;
	uint16_t c;

	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		CHECK(vh->flags == 0 && vh->gso_size == 0);
		return;
	}
	CHECK(vh->flags == VIRTIO_NET_HDR_F_NEEDS_CSUM && vh->csum_offset == 16);
	CHECK(vh->gso_size > 0 && vh->hdr_len < glen && vh->csum_start + 18u <= glen);
	CHECK(hparse(gbuf, glen, &h) && h.end == glen && h.hdr == vh->hdr_len &&
	      h.l4 == vh->csum_start);
	CHECK(glen - h.hdr == shadow_len);
	CHECK(memcmp(gbuf + h.hdr, shadow, shadow_len) == 0);
	CHECK(glen - h.hdr > vh->gso_size);
	l4len = (uint32_t)(glen - h.l4);
	c = l2tp_csum_fold(l2tp_csum_add(0, gbuf + h.l4, l4len));
	put16(gbuf + h.l4 + 16, c ? c : 0xffff);
	CHECK(l2tp_csum_fold(pseudo(gbuf, &h, l4len) + l2tp_csum_add(0, gbuf + h.l4, l4len)) == 0);
}

/* Track what GRO should hold after an accepted add. */
static void shadow_note(const struct l2tp_gro *g, const uint8_t *f, size_t n)
{
	struct hp h;

	if (g->count == 1) {
		shadow_len = 0;
		if (hparse(f, n, &h)) {
			memcpy(shadow, f + h.hdr, h.end - h.hdr);
			shadow_len = h.end - h.hdr;
		}
		return;
	}
	CHECK(hparse(f, n, &h));
	CHECK(h.end > h.hdr);
	memcpy(shadow + shadow_len, f + h.hdr, h.end - h.hdr);
	shadow_len += h.end - h.hdr;
}

/* ---- TSO, then its segments through GRO ---------------------------------- */

static void tso_pass(const struct virtio_net_hdr *vh, const uint8_t *f, size_t n, size_t cap)
{
	struct l2tp_tso t;
	struct l2tp_gro g;
	struct virtio_net_hdr gvh;
	size_t payload = 0, first = 0, glen;
	unsigned int segs = 0;
	bool joined_all = true;
	int cnt = l2tp_tso_init(&t, vh, f, n);

	if (cnt < 0) {
		CHECK(cnt == -EINVAL || cnt == -EPROTONOSUPPORT);
		return;
	}
	CHECK(cnt >= 1);
	l2tp_gro_init(&g, gbuf, cap);
	for (;;) {
		int r = l2tp_tso_next(&t, seg, sizeof(seg));
		int a;

		if (r == 0)
			break;
		CHECK(r > 0);
		CHECK(++segs <= (unsigned int)cnt);
		if (t.gso) {
			size_t pl;

			CHECK((size_t)r >= t.hdr_len && (size_t)r <= t.hdr_len + t.mss);
			pl = (size_t)r - t.hdr_len;
			if (segs == 1)
				first = (size_t)r;
			else if (segs < (unsigned int)cnt)
				CHECK((size_t)r == first);
			CHECK(memcmp(seg + t.hdr_len, f + t.hdr_len + payload, pl) == 0);
			payload += pl;
		} else {
			CHECK((size_t)r == n);
		}
		/* Offer every segment to GRO; a refusal flushes and restarts. */
		a = l2tp_gro_add(&g, seg, (size_t)r);
		if (a == 0) {
			joined_all = false;
			glen = l2tp_gro_flush(&g, &gvh);
			CHECK(glen > 0 && glen <= cap);
			a = l2tp_gro_add(&g, seg, (size_t)r);
			CHECK(a == 1 || a == -EMSGSIZE);
		} else if (a < 0) {
			CHECK(a == -EMSGSIZE && (size_t)r > cap);
			joined_all = false;
		}
	}
	CHECK(segs == (unsigned int)cnt);
	CHECK(l2tp_tso_next(&t, seg, sizeof(seg)) == 0);
	if (t.gso)
		CHECK(payload == n - t.hdr_len);
	glen = l2tp_gro_flush(&g, &gvh);
	CHECK(glen <= cap);
	if (t.gso && joined_all && cnt > 1) {
		/* Everything joined: the original payload, one frame. */
		CHECK(glen == n);
		CHECK(memcmp(gbuf + t.hdr_len, f + t.hdr_len, n - t.hdr_len) == 0);
		CHECK(gvh.gso_size == t.mss && gvh.hdr_len == t.hdr_len);
		CHECK(gvh.csum_start == t.l4_off && gvh.csum_offset == 16);
	}
}

/* ---- arbitrary records through GRO -------------------------------------- */

static void gro_pass(const uint8_t *d, size_t n, size_t cap, bool fixit)
{
	struct l2tp_gro g;
	struct virtio_net_hdr vh;
	size_t glen;

	l2tp_gro_init(&g, gbuf, cap);
	shadow_len = 0;
	while (n >= 2) {
		size_t l = (size_t)(d[0] << 8 | d[1]);
		int a;

		d += 2;
		n -= 2;
		if (l > n)
			l = n;
		memcpy(rec, d, l);
		if (fixit)
			fix(rec, l);
		a = l2tp_gro_add(&g, rec, l);
		if (a == 0) {
			glen = l2tp_gro_flush(&g, &vh);
			CHECK(glen > 0 && glen <= cap);
			check_flushed(glen, &vh);
			a = l2tp_gro_add(&g, rec, l);
			CHECK(a == 1 || a == -EMSGSIZE);
		}
		CHECK(a == 1 || (a == -EMSGSIZE && l > cap));
		if (a == 1)
			shadow_note(&g, rec, l);
		CHECK(g.len <= cap);
		if (g.count > 1)
			CHECK(g.len - g.l3_off <= 65535);
		d += l;
		n -= l;
	}
	glen = l2tp_gro_flush(&g, &vh);
	CHECK(glen <= cap);
	check_flushed(glen, &vh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	size_t cap;
	uint8_t sel;

	if (size < sizeof(vh) + 1)
		return 0;
	memcpy(&vh, data, sizeof(vh));
	sel = data[sizeof(vh)];
	cap = gro_cap(sel & 0x7f);
	data += sizeof(vh) + 1;
	size -= sizeof(vh) + 1;
	tso_pass(&vh, data, size, cap);
	gro_pass(data, size, cap, (sel & 0x80) != 0);
	return 0;
}
