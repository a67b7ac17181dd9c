// SPDX-License-Identifier: MIT
/*
 * offload.c - software TSO and TCP GRO for a TAP device with IFF_VNET_HDR.
 *
 * Header parsing goes through struct l2tp_cursor. Once a header has been
 * parsed and its length checked against the frame, the fields are patched
 * in place at fixed offsets inside that checked range (rd16/wr16 etc.).
 *
 * References: RFC 791 (IPv4 header, checksum), RFC 8200 (IPv6 header),
 * RFC 793 (TCP header, pseudo-header checksum), RFC 1071 (one's complement
 * sum), RFC 6864 (IPv4 ID of atomic datagrams), Documentation/networking/
 * segmentation-offloads.rst and include/uapi/linux/virtio_net.h (how
 * csum_start/csum_offset and gso_size are meant).
 */
#include <errno.h>
#include <string.h>

#include <l2tp/offload.h>
#include <l2tp/types.h>

#define ETH_HLEN_ 14
#define ETYPE_IPV4 0x0800
#define ETYPE_IPV6 0x86dd
#define ETYPE_8021Q 0x8100
#define ETYPE_8021AD 0x88a8
#define MAX_VLAN_TAGS 2

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFMASK 0x1fff

#define IP_MAXPACKET_ 65535u

/* ---- small helpers on already bounds-checked memory ------------------------ */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- checksums --------------------------------------------------------------- */

uint32_t l2tp_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = 0;
	uint32_t s;
	uint16_t w16;

	/*
	 * RFC 1071 §2 (B): the one's complement sum does not depend on byte
	 * order, so sum in host order, 32 bits at a time into a 64-bit
	 * accumulator (no carry handling: 2^32 additions would be needed to
	 * overflow), and swap the folded result once. memcpy() keeps the
	 * loads legal at any alignment.
	 */
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		acc += (w & 0xffffffffu) + (w >> 32);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* A trailing odd byte is the high (first) half of a word. */
		uint8_t last[2] = {p[0], 0};

		memcpy(&w16, last, 2);
		acc += w16;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	s = (uint32_t)acc;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = ((s & 0xff) << 8) | (s >> 8);
#endif
	/* Add the caller's sum, keeping the value modulo 0xffff. */
	s += sum;
	if (s < sum)
		s++;
	return s;
}

static uint16_t csum_fold_nocompl(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t l2tp_csum_fold(uint32_t sum)
{
	return (uint16_t)~csum_fold_nocompl(sum);
}

/* Pseudo-header sum (RFC 793 §3.1 / RFC 8200 §8.1) for |l4len| bytes of
 * protocol |proto|, with the addresses of the IP header at |ip|. */
static uint32_t pseudo_sum(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len)
{
	uint32_t s;

	if (v6)
		s = l2tp_csum_add(0, ip + 8, 32) + (l4len >> 16) + (l4len & 0xffff);
	else
		s = l2tp_csum_add(0, ip + 12, 8) + l4len;
	return s + proto;
}

/* ---- frame parsing ----------------------------------------------------------- */

struct pkt {
	size_t l3, l4, hdr; /* IP, TCP, payload offsets */
	size_t ip_end; /* end of the IP packet per its length field */
	size_t ihl; /* IPv4 header bytes; 40 for IPv6 */
	uint8_t proto; /* IPv4 protocol / IPv6 next header */
	bool v6;
	bool tcp; /* TCP header parsed and within the frame */
};

/* Skip Ethernet and up to two VLAN tags; returns the IP ethertype or a
 * negative errno, with *l3 set to the IP header offset. */
static int parse_l2(const uint8_t *f, size_t len, size_t *l3)
{
	struct l2tp_cursor c;
	uint16_t type;
	int tags = 0;

	l2tp_cur_init(&c, f, len);
	if (l2tp_cur_skip(&c, 12) || l2tp_cur_get_u16(&c, &type))
		return -EINVAL;
	while (type == ETYPE_8021Q || type == ETYPE_8021AD) {
		if (++tags > MAX_VLAN_TAGS)
			return -EPROTONOSUPPORT;
		if (l2tp_cur_skip(&c, 2) || l2tp_cur_get_u16(&c, &type))
			return -EINVAL;
	}
	*l3 = c.pos;
	return type;
}

/*
 * Parse Ethernet/VLAN/IP and, when the IP payload is TCP, the TCP header.
 * Returns 0, -EINVAL for a cut-short or malformed header, -EPROTONOSUPPORT
 * for a non-IP ethertype. The IP length field is checked to lie within
 * the frame (trailing bytes are Ethernet padding).
 */
static int parse_frame(const uint8_t *f, size_t len, struct pkt *p)
{
	struct l2tp_cursor c;
	uint8_t b;
	uint16_t tot;
	int type = parse_l2(f, len, &p->l3);

	if (type < 0)
		return type;
	p->tcp = false;
	l2tp_cur_init(&c, f, len);
	if (l2tp_cur_skip(&c, p->l3))
		return -EINVAL;
	if (type == ETYPE_IPV4) {
		p->v6 = false;
		if (l2tp_cur_get_u8(&c, &b) || (b >> 4) != 4 || (b & 15) < 5)
			return -EINVAL;
		p->ihl = (size_t)(b & 15) * 4;
		if (l2tp_cur_skip(&c, 1) || l2tp_cur_get_u16(&c, &tot) || l2tp_cur_skip(&c, 5) ||
		    l2tp_cur_get_u8(&c, &p->proto))
			return -EINVAL;
		if (tot < p->ihl || len - p->l3 < p->ihl)
			return -EINVAL;
		p->ip_end = p->l3 + tot;
	} else if (type == ETYPE_IPV6) {
		p->v6 = true;
		p->ihl = 40;
		if (l2tp_cur_get_u8(&c, &b) || (b >> 4) != 6 || l2tp_cur_skip(&c, 3) ||
		    l2tp_cur_get_u16(&c, &tot) || l2tp_cur_get_u8(&c, &p->proto))
			return -EINVAL;
		if (len - p->l3 < 40)
			return -EINVAL;
		p->ip_end = p->l3 + 40 + tot;
	} else {
		return -EPROTONOSUPPORT;
	}
	if (p->ip_end > len)
		return -EINVAL;
	p->l4 = p->l3 + p->ihl;
	p->hdr = p->l4;
	if (p->proto == IPPROTO_TCP_) {
		size_t doff;

		if (p->ip_end - p->l4 < 20)
			return 0; /* IP fine, TCP cut short: not TCP for us */
		doff = (size_t)(f[p->l4 + 12] >> 4) * 4;
		if (doff < 20 || p->ip_end - p->l4 < doff)
			return 0;
		p->hdr = p->l4 + doff;
		p->tcp = true;
	}
	return 0;
}

/* ---- segmentation ------------------------------------------------------------ */

int l2tp_tso_init(struct l2tp_tso *t, const struct virtio_net_hdr *vh, const uint8_t *frame,
		  size_t len)
{
	uint8_t gt = vh->gso_type;
	struct pkt p;
	size_t payload, seg;
	int r;

	memset(t, 0, sizeof(*t));
	t->frame = frame;
	t->len = len;
	/* Not even an Ethernet header: nothing to send (and a 0-byte
	 * segment could not be told from "done"). */
	if (len < ETH_HLEN_)
		return -EINVAL;
	if (gt & VIRTIO_NET_HDR_GSO_ECN)
		return -EPROTONOSUPPORT;
	if (gt != VIRTIO_NET_HDR_GSO_NONE && gt != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    gt != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EPROTONOSUPPORT;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* The field (2 bytes) must lie inside the frame. */
		if ((size_t)vh->csum_start + vh->csum_offset + 2 > len)
			return -EINVAL;
		t->csum = true;
		t->csum_start = vh->csum_start;
		t->csum_offset = vh->csum_offset;
	}
	if (gt == VIRTIO_NET_HDR_GSO_NONE) {
		/* Passed through whole, not even parsed: only the checksum
		 * is completed, where the kernel said. */
		t->count = 1;
		t->mss = len;
		return 1;
	}

	if (vh->gso_size == 0)
		return -EINVAL;
	r = parse_frame(frame, len, &p);
	if (r < 0)
		return -EINVAL;
	if (p.v6 != (gt == VIRTIO_NET_HDR_GSO_TCPV6))
		return -EINVAL;
	if (p.proto != IPPROTO_TCP_)
		/* IPv6 extension headers are not walked. */
		return p.v6 ? -EPROTONOSUPPORT : -EINVAL;
	if (!p.tcp)
		return -EINVAL;
	if (!p.v6 && (rd16(frame + p.l3 + 6) & (IPV4_MF | IPV4_OFFMASK)))
		return -EINVAL;
	/* The frame length, not the IP length field, bounds the payload: the
	 * kernel's GSO frames carry no padding. */
	payload = len - p.hdr;
	seg = payload < vh->gso_size ? payload : vh->gso_size;
	if (p.hdr - p.l3 + seg > IP_MAXPACKET_ + (p.v6 ? 40u : 0u))
		return -EINVAL;

	t->hdr_len = p.hdr;
	t->l3_off = p.l3;
	t->l4_off = p.l4;
	t->mss = vh->gso_size;
	t->off = p.hdr;
	t->seq0 = rd32(frame + p.l4 + 4);
	t->id0 = p.v6 ? 0 : rd16(frame + p.l3 + 4);
	t->v6 = p.v6;
	t->tcp = true;
	t->gso = true;
	t->count = payload ? (unsigned int)((payload + t->mss - 1) / t->mss) : 1;
	return (int)t->count;
}

static int tso_next_plain(struct l2tp_tso *t, uint8_t *out, size_t cap)
{
	if (cap < t->len)
		return -ENOSPC;
	memcpy(out, t->frame, t->len);
	if (t->csum) {
		size_t at = (size_t)t->csum_start + t->csum_offset;
		uint16_t v =
		    l2tp_csum_fold(l2tp_csum_add(0, out + t->csum_start, t->len - t->csum_start));

		/* As skb_checksum_help(): 0 is sent as 0xffff, its one's
		 * complement twin. UDP needs it (RFC 768: 0 = no checksum),
		 * for TCP both verify the same. */
		if (v == 0)
			v = 0xffff;
		wr16(out + at, v);
	}
	t->index = 1;
	return (int)t->len;
}

int l2tp_tso_next(struct l2tp_tso *t, uint8_t *out, size_t cap)
{
	size_t pl, n, th;
	uint8_t *ip, *tcp;
	uint8_t fl;
	bool last;

	if (t->index >= t->count)
		return 0;
	if (!t->gso)
		return tso_next_plain(t, out, cap);

	pl = t->len - t->off;
	if (pl > t->mss)
		pl = t->mss;
	n = t->hdr_len + pl;
	if (cap < n)
		return -ENOSPC;
	memcpy(out, t->frame, t->hdr_len);
	memcpy(out + t->hdr_len, t->frame + t->off, pl);
	ip = out + t->l3_off;
	tcp = out + t->l4_off;
	th = n - t->l4_off;
	last = t->index + 1 == t->count;

	if (t->v6) {
		wr16(ip + 4, (uint16_t)(n - t->l3_off - 40));
	} else {
		size_t ihl = t->l4_off - t->l3_off;

		wr16(ip + 2, (uint16_t)(n - t->l3_off));
		wr16(ip + 4, (uint16_t)(t->id0 + t->index));
		wr16(ip + 10, 0);
		wr16(ip + 10, l2tp_csum_fold(l2tp_csum_add(0, ip, ihl)));
	}
	wr32(tcp + 4, t->seq0 + (uint32_t)(t->off - t->hdr_len));
	fl = tcp[13];
	if (!last)
		fl &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	if (t->index != 0)
		fl &= (uint8_t)~TCP_CWR;
	tcp[13] = fl;
	wr16(tcp + 16, 0);
	wr16(tcp + 16, l2tp_csum_fold(l2tp_csum_add(
			   pseudo_sum(ip, t->v6, IPPROTO_TCP_, (uint32_t)th), tcp, th)));
	t->off += pl;
	t->index++;
	return (int)n;
}

/* ---- coalescing -------------------------------------------------------------- */

void l2tp_gro_init(struct l2tp_gro *g, uint8_t *buf, size_t cap)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->cap = cap;
}

/* Does the TCP checksum of this parsed segment verify? (GRO only joins
 * verified segments: the joined frame gets a fresh checksum, which would
 * otherwise hide corruption.) */
static bool tcp_csum_ok(const uint8_t *f, const struct pkt *p)
{
	uint32_t l4len = (uint32_t)(p->ip_end - p->l4);

	return l2tp_csum_fold(l2tp_csum_add(pseudo_sum(f + p->l3, p->v6, IPPROTO_TCP_, l4len),
					    f + p->l4, l4len)) == 0;
}

/*
 * Can this parsed frame be the first of a joined frame? Plain IPv4 (no
 * options, not a fragment, header checksum right) or IPv6 without
 * extension headers, TCP with ACK and payload, nothing but ACK/PSH/CWR/ECE.
 */
static bool gro_startable(const uint8_t *f, const struct pkt *p)
{
	uint8_t fl;

	if (!p->tcp || p->ip_end == p->hdr)
		return false;
	if (!p->v6) {
		if (p->ihl != 20 || (rd16(f + p->l3 + 6) & (IPV4_MF | IPV4_OFFMASK)) ||
		    l2tp_csum_fold(l2tp_csum_add(0, f + p->l3, 20)) != 0)
			return false;
	}
	fl = f[p->l4 + 13];
	if (!(fl & TCP_ACK) || (fl & (TCP_FIN | TCP_SYN | TCP_RST | TCP_URG)))
		return false;
	return tcp_csum_ok(f, p);
}

/*
 * Join rules, those of the kernel's inet_gro_receive/ipv6_gro_receive and
 * tcp_gro_receive in spirit:
 * - same Ethernet header bytes (addresses, tags, type);
 * - IPv4: IHL 5 (no options), header checksum right, not a fragment, same
 *   TOS, flags (so DF), TTL, protocol and addresses; the id counts up by
 *   one per segment, or with DF may instead stay equal to the first one
 *   (RFC 6864 atomic datagrams; the form is fixed by the second segment);
 * - IPv6: no extension header, same version/class/flow label, hop limit
 *   and addresses;
 * - TCP: checksum right, same ports, ack, data offset, window and option
 *   bytes (byte for byte, timestamps included, as the kernel does);
 *   seq = the end of the previous one; first segment: ACK set, no
 *   SYN/FIN/RST/URG (CWR/ECE allowed); later ones: ACK, ECE as the first,
 *   optional PSH which is carried into the joined header and ends the
 *   frame; payload 1..mss, a shorter one ends the frame;
 * - the IP packet stays <= 65535 bytes and the frame <= cap.
 * Ethernet padding after the IP packet is dropped when joining.
 */
int l2tp_gro_add(struct l2tp_gro *g, const uint8_t *frame, size_t len)
{
	const uint8_t *a, *b;
	struct pkt p;
	size_t pl, base;
	uint8_t fl, fl0;
	uint16_t id0, id;
	bool id_fixed = g->id_fixed;

	if (g->len == 0) {
		if (len > g->cap)
			return -EMSGSIZE;
		memcpy(g->buf, frame, len);
		g->len = len;
		g->count = 1;
		g->closed = true;
		g->id_fixed = false;
		if (parse_frame(frame, len, &p) || !gro_startable(frame, &p))
			return 1;
		g->hdr_len = p.hdr;
		g->l3_off = p.l3;
		g->l4_off = p.l4;
		g->v6 = p.v6;
		g->mss = p.ip_end - p.hdr;
		g->next_seq = rd32(frame + p.l4 + 4) + (uint32_t)g->mss;
		/* PSH ends a burst: the kernel flushes after it too. */
		g->closed = (frame[p.l4 + 13] & TCP_PSH) != 0;
		return 1;
	}
	if (g->closed)
		return 0;
	if (parse_frame(frame, len, &p) || !p.tcp || p.v6 != g->v6 || p.l3 != g->l3_off ||
	    p.l4 != g->l4_off || p.hdr != g->hdr_len)
		return 0;
	a = g->buf;
	b = frame;
	/* Same Ethernet header, tags included. */
	if (memcmp(a, b, p.l3) != 0)
		return 0;
	if (!p.v6) {
		const uint8_t *x = a + p.l3, *y = b + p.l3;
		uint16_t ff = rd16(y + 6);

		/* version/IHL, TOS, flags, TTL, protocol, addresses. */
		if (x[0] != y[0] || x[1] != y[1] || rd16(x + 6) != ff || x[8] != y[8] ||
		    x[9] != y[9] || memcmp(x + 12, y + 12, 8) != 0)
			return 0;
		if (ff & (IPV4_MF | IPV4_OFFMASK))
			return 0;
		if (l2tp_csum_fold(l2tp_csum_add(0, y, 20)) != 0)
			return 0;
		/* IPv4 id: without DF the ids must go on one by one. With DF
		 * (atomic datagram, RFC 6864) the kernel's inet_gro_receive
		 * also accepts an id that stays fixed; we do the same, the
		 * choice being made by the second segment. */
		id0 = rd16(x + 4);
		id = rd16(y + 4);
		if (id != (uint16_t)(id0 + g->count)) {
			if (!(ff & IPV4_DF) || id != id0)
				return 0;
			if (g->count == 1)
				id_fixed = true; /* committed below, if joined */
			else if (!g->id_fixed)
				return 0;
		} else if (g->id_fixed) {
			return 0;
		}
	} else {
		const uint8_t *x = a + p.l3, *y = b + p.l3;

		/* version, traffic class, flow label; next header, hop limit,
		 * addresses. */
		if (memcmp(x, y, 4) != 0 || memcmp(x + 6, y + 6, 34) != 0)
			return 0;
	}
	/* TCP: ports, ack, data offset/flags/window word, options bytes:
	 * all equal except the flags checked below (tcp_gro_receive). */
	a += p.l4;
	b += p.l4;
	if (memcmp(a, b, 4) != 0 || memcmp(a + 8, b + 8, 5) != 0 ||
	    memcmp(a + 14, b + 14, 2) != 0 || memcmp(a + 20, b + 20, p.hdr - p.l4 - 20) != 0)
		return 0;
	if (rd32(b + 4) != g->next_seq)
		return 0;
	fl0 = a[13];
	fl = b[13];
	/* Only ACK (and ECE as the first had it), PSH closes the frame; no
	 * CWR after the first segment. */
	if ((fl & ~TCP_PSH) != (fl0 & (TCP_ACK | TCP_ECE)))
		return 0;
	pl = p.ip_end - p.hdr;
	if (pl == 0 || pl > g->mss)
		return 0;
	if (g->count == 1)
		base = (g->l3_off + (g->v6 ? 40 : 0)) +
		       rd16(g->buf + g->l3_off + (g->v6 ? 4 : 2)); /* drop padding */
	else
		base = g->len;
	/* Like the kernel's GRO (GRO_LEGACY_MAX_SIZE), the whole IP packet,
	 * IPv6 header included, stays below 64 KiB. */
	if (base + pl > g->cap || base + pl - g->l3_off > IP_MAXPACKET_)
		return 0;
	if (!tcp_csum_ok(frame, &p))
		return 0;
	memcpy(g->buf + base, frame + p.hdr, pl);
	g->len = base + pl;
	g->count++;
	g->next_seq += (uint32_t)pl;
	g->id_fixed = id_fixed;
	if (fl & TCP_PSH) {
		/* tcp_gro_receive carries PSH into the joined header. */
		g->buf[g->l4_off + 13] |= TCP_PSH;
		g->closed = true;
	}
	if (pl < g->mss)
		g->closed = true;
	return 1;
}

size_t l2tp_gro_flush(struct l2tp_gro *g, struct virtio_net_hdr *vh)
{
	size_t n = g->len;

	memset(vh, 0, sizeof(*vh));
	if (n == 0)
		return 0;
	if (g->count > 1) {
		uint8_t *ip = g->buf + g->l3_off;
		uint8_t *tcp = g->buf + g->l4_off;
		uint32_t l4len = (uint32_t)(n - g->l4_off);

		if (g->v6) {
			wr16(ip + 4, (uint16_t)(n - g->l3_off - 40));
		} else {
			wr16(ip + 2, (uint16_t)(n - g->l3_off));
			wr16(ip + 10, 0);
			wr16(ip + 10, l2tp_csum_fold(l2tp_csum_add(0, ip, 20)));
		}
		/* Partial checksum as the kernel leaves it for CHECKSUM_PARTIAL:
		 * pseudo-header sum, folded, not complemented. */
		wr16(tcp + 16, csum_fold_nocompl(pseudo_sum(ip, g->v6, IPPROTO_TCP_, l4len)));
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		/* tcp_gro_complete: CWR on the first segment marks ECN. */
		if (tcp[13] & TCP_CWR)
			vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
		vh->gso_size = (uint16_t)g->mss;
		vh->hdr_len = (uint16_t)g->hdr_len;
		vh->csum_start = (uint16_t)g->l4_off;
		vh->csum_offset = 16;
	}
	g->len = 0;
	g->count = 0;
	g->closed = false;
	g->id_fixed = false;
	return n;
}
