/* SPDX-License-Identifier: MIT */
/*
 * pcap.h - test-only writer of classic libpcap captures (LINKTYPE_RAW, 101:
 * each record is an IPv4 or IPv6 packet) that wraps an L2TP payload in
 * IPv4/IPv6 + UDP, or in IPv4/IPv6 with protocol 115 (L2TPv3 over IP), with
 * correct lengths and checksums (IPv4 header checksum; UDP checksum over the
 * pseudo-header, RFC 768 / RFC 8200 §8.1). Addresses are the documentation
 * ones: 192.0.2.1 <-> 198.51.100.1 and 2001:db8::1 <-> 2001:db8::2.
 *
 * Header-only (static functions) because the Makefile links an interop test
 * from its own file plus libl2tp.a only. Timestamps are fixed (one second
 * apart from a constant epoch) so captures are byte-for-byte reproducible.
 */
#ifndef L2TP_TEST_PCAP_H
#define L2TP_TEST_PCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PCAP_LINKTYPE_RAW 101
#define PCAP_LINKTYPE_PPP 9 /* PPP frames, FF 03 optional (RFC 1662 without flags/FCS) */
#define PCAP_IPPROTO_UDP 17
#define PCAP_IPPROTO_L2TP 115
#define PCAP_L2TP_PORT 1701
#define PCAP_MAX_PKT 65535

struct pcap_w {
	FILE *f;
	uint32_t count;
};

/* How to carry one L2TP payload. */
struct pcap_flow {
	int ipver; /* 4 or 6 */
	bool udp; /* UDP (ports below) or IP protocol 115 */
	uint16_t sport; /* 0 = 1701 */
	uint16_t dport; /* 0 = 1701 */
	bool reverse; /* from the second address to the first */
};

static const uint8_t pcap_v4_a[4] = {192, 0, 2, 1};
static const uint8_t pcap_v4_b[4] = {198, 51, 100, 1};
static const uint8_t pcap_v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t pcap_v6_b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static inline void pcap_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pcap_put32(uint8_t *p, uint32_t v)
{
	pcap_put16(p, (uint16_t)(v >> 16));
	pcap_put16(p + 2, (uint16_t)v);
}

/* One's-complement sum of big-endian 16-bit words (RFC 1071). */
static inline uint32_t pcap_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static inline uint16_t pcap_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Build the IP packet carrying |payload| into |out| (|cap| bytes).
 * Returns its length, or 0 if it does not fit or an argument is bad.
 */
static inline size_t pcap_wrap(uint8_t *out, size_t cap, const struct pcap_flow *fl,
			       const uint8_t *payload, size_t len)
{
	size_t iph = fl->ipver == 6 ? 40 : 20, l4 = fl->udp ? 8 : 0;
	size_t total = iph + l4 + len;
	const uint8_t *src, *dst;
	size_t alen = fl->ipver == 6 ? 16 : 4;
	uint8_t proto = fl->udp ? PCAP_IPPROTO_UDP : PCAP_IPPROTO_L2TP;

	if ((fl->ipver != 4 && fl->ipver != 6) || total > cap || total > PCAP_MAX_PKT)
		return 0;
	if (fl->ipver == 6) {
		src = fl->reverse ? pcap_v6_b : pcap_v6_a;
		dst = fl->reverse ? pcap_v6_a : pcap_v6_b;
	} else {
		src = fl->reverse ? pcap_v4_b : pcap_v4_a;
		dst = fl->reverse ? pcap_v4_a : pcap_v4_b;
	}
	memset(out, 0, iph + l4);
	if (fl->ipver == 6) {
		out[0] = 0x60;
		pcap_put16(out + 4, (uint16_t)(l4 + len)); /* payload length */
		out[6] = proto;
		out[7] = 64;
		memcpy(out + 8, src, 16);
		memcpy(out + 24, dst, 16);
	} else {
		out[0] = 0x45;
		pcap_put16(out + 2, (uint16_t)total);
		pcap_put16(out + 4, 0x1234);
		pcap_put16(out + 6, 0x4000); /* DF */
		out[8] = 64;
		out[9] = proto;
		memcpy(out + 12, src, 4);
		memcpy(out + 16, dst, 4);
		pcap_put16(out + 10, pcap_csum_fold(pcap_csum_add(0, out, 20)));
	}
	memcpy(out + iph + l4, payload, len);
	if (fl->udp) {
		uint8_t *u = out + iph;
		uint8_t pseudo[40];
		uint32_t sum;
		uint16_t ck;

		pcap_put16(u, fl->sport ? fl->sport : PCAP_L2TP_PORT);
		pcap_put16(u + 2, fl->dport ? fl->dport : PCAP_L2TP_PORT);
		pcap_put16(u + 4, (uint16_t)(8 + len));
		/* pseudo-header: src, dst, then protocol and UDP length */
		memcpy(pseudo, src, alen);
		memcpy(pseudo + alen, dst, alen);
		sum = pcap_csum_add(0, pseudo, 2 * alen);
		sum += PCAP_IPPROTO_UDP + (uint32_t)(8 + len);
		sum = pcap_csum_add(sum, u, 8 + len);
		ck = pcap_csum_fold(sum);
		pcap_put16(u + 6, ck ? ck : 0xffff); /* 0 means "none" in UDP */
	}
	return total;
}

/* A capture of link type |linktype| (pcap_open: LINKTYPE_RAW). */
static inline int pcap_open_linktype(struct pcap_w *w, const char *path, uint32_t linktype)
{
	/* magic, then version 2.4 as two u16, thiszone, sigfigs, snaplen,
	 * linktype: all in host order (readers detect it from the magic) */
	uint32_t hdr[6] = {0xa1b2c3d4, 0, 0, 0, PCAP_MAX_PKT, linktype};
	const uint16_t ver[2] = {2, 4};

	memcpy(&hdr[1], ver, sizeof(ver));
	w->count = 0;
	w->f = fopen(path, "wb");
	if (!w->f)
		return -1;
	if (fwrite(hdr, sizeof(hdr), 1, w->f) != 1) {
		fclose(w->f);
		w->f = NULL;
		return -1;
	}
	return 0;
}

/* Write one raw IP packet record. Returns 0 or -1. */
static inline int pcap_open(struct pcap_w *w, const char *path)
{
	return pcap_open_linktype(w, path, PCAP_LINKTYPE_RAW);
}

static inline int pcap_write_ip(struct pcap_w *w, const uint8_t *pkt, size_t len)
{
	uint32_t rec[4] = {1700000000u + w->count, 0, (uint32_t)len, (uint32_t)len};

	if (!w->f || fwrite(rec, sizeof(rec), 1, w->f) != 1 || fwrite(pkt, 1, len, w->f) != len)
		return -1;
	w->count++;
	return 0;
}

/* Wrap |payload| as |fl| says and write it. Returns 0 or -1. */
static inline int pcap_write_l2tp(struct pcap_w *w, const struct pcap_flow *fl,
				  const uint8_t *payload, size_t len)
{
	static uint8_t buf[PCAP_MAX_PKT];
	size_t n = pcap_wrap(buf, sizeof(buf), fl, payload, len);

	return n ? pcap_write_ip(w, buf, n) : -1;
}

static inline int pcap_close(struct pcap_w *w)
{
	int rc = 0;

	if (w->f && fclose(w->f) != 0)
		rc = -1;
	w->f = NULL;
	return rc;
}

#endif /* L2TP_TEST_PCAP_H */
