/* SPDX-License-Identifier: MIT */
/*
 * l2tp/offload.h - software segmentation and coalescing of Ethernet frames
 * for a TAP device opened with IFF_VNET_HDR (sans-I/O).
 *
 * With TUNSETOFFLOAD (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) the kernel hands
 * the TAP reader TCP frames of up to 64 KiB with a virtio-net header saying
 * how to cut them (gso_type, gso_size) and where the checksum still has to
 * be completed (VIRTIO_NET_HDR_F_NEEDS_CSUM, csum_start, csum_offset). The
 * wire must only ever see MTU-sized Ethernet frames, each a valid packet:
 * l2tp_tso_*() cuts such a frame into segments, fixing IP total length,
 * IPv4 id and header checksum, TCP sequence number, flags and checksum.
 *
 * On the way back, l2tp_gro_*() joins consecutive in-order segments of one
 * TCP flow into one large frame with a virtio-net header (GSO, partial
 * checksum), so one TAP write carries many segments. It only joins what
 * the kernel's TCP GRO would join, so the result is the same stream.
 *
 * The virtio-net header is struct virtio_net_hdr of <linux/virtio_net.h>
 * in host byte order (the TAP default without TUNSETVNETLE/BE on a
 * little-endian host).
 */
#ifndef L2TP_OFFLOAD_H
#define L2TP_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* ---- segmentation: one frame from the TAP -> N wire frames ---------------- */

struct l2tp_tso {
	const uint8_t *frame; /* the frame as read, after the virtio-net header */
	size_t len;
	size_t hdr_len;  /* Ethernet + IP + TCP header bytes copied into each segment */
	size_t l3_off;   /* IP header offset (after Ethernet and any 802.1Q tags) */
	size_t l4_off;   /* TCP/UDP header offset */
	size_t mss;      /* payload bytes per segment (gso_size) */
	size_t off;      /* next payload byte to send */
	uint32_t seq0;   /* TCP sequence number of the first segment */
	uint16_t id0;    /* IPv4 id of the first segment */
	unsigned int index, count;
	bool v6, tcp, gso;
	bool csum;       /* complete the L4 checksum (NEEDS_CSUM) */
	uint16_t csum_start, csum_offset;
};

/*
 * Prepare to cut |frame| (|len| bytes, Ethernet header first) described by
 * |vh|. A frame without GSO (gso_type VIRTIO_NET_HDR_GSO_NONE) is one
 * segment, its checksum completed when NEEDS_CSUM is set. Returns the number
 * of segments (>= 1); -EINVAL for a header that does not fit the frame
 * (csum_start/offset out of range, gso_size 0, headers cut short);
 * -EPROTONOSUPPORT for a GSO type other than TCPV4/TCPV6 (or with ECN).
 * Keeps pointers into |frame| until the last l2tp_tso_next().
 */
int l2tp_tso_init(struct l2tp_tso *t, const struct virtio_net_hdr *vh, const uint8_t *frame,
		  size_t len);

/*
 * Write the next segment, a complete Ethernet frame with correct IP and TCP
 * headers and checksums, to |out|. Returns its length, 0 when all segments
 * were written, -ENOSPC if |cap| is too small (nothing written, the same
 * segment is tried again next call). All segments but the last have the
 * same length, as UDP_SEGMENT needs.
 */
int l2tp_tso_next(struct l2tp_tso *t, uint8_t *out, size_t cap);

/* ---- coalescing: wire frames of one session -> one frame for the TAP ------ */

struct l2tp_gro {
	uint8_t *buf;    /* the joined frame is built here */
	size_t cap;
	size_t len;      /* bytes in buf; 0 when empty */
	size_t hdr_len;  /* Ethernet + IP + TCP header of the first segment */
	size_t l3_off, l4_off;
	size_t mss;      /* payload size of the first segment */
	uint32_t next_seq; /* TCP sequence number the next segment must have */
	unsigned int count; /* segments joined */
	bool v6, closed; /* closed: the last segment was short or had PSH/FIN... */
	bool id_fixed;   /* IPv4 with DF: the ids stay equal instead of counting up */
};

/* Start empty, building into |buf| (|cap| bytes). A joined frame holds at
 * most 65535 bytes of IP packet after its Ethernet header (<= 22 bytes
 * with two tags), so 65557 bytes always suffice. */
void l2tp_gro_init(struct l2tp_gro *g, uint8_t *buf, size_t cap);

/*
 * Offer |frame| (|len| bytes, Ethernet header first, as decapsulated).
 * Returns 1 if it was copied into the joined frame (or started it: any
 * frame starts an empty one, also one that is not TCP); 0 if it cannot be
 * joined (other flow, gap in sequence numbers, flags, options, IP fields
 * that differ, no room): the caller flushes and offers it again. Never
 * fails otherwise; a frame that cannot be parsed is taken alone. Only
 * -EMSGSIZE: |g| is empty and |len| > cap (the frame can never fit; drop it).
 * Joined are only verified (IPv4 header and TCP checksum) in-order TCP
 * segments of one flow with identical headers but for lengths, checksums,
 * sequence number, IPv4 id (counting up; with DF also fixed) and PSH on
 * the last one; lib/offload.c lists the rules.
 */
int l2tp_gro_add(struct l2tp_gro *g, const uint8_t *frame, size_t len);

/*
 * Finish the joined frame: fixes IP total length (and IPv4 header
 * checksum), fills |vh| (GSO_TCPV4/TCPV6 with gso_size = the first
 * segment's payload and NEEDS_CSUM with the pseudo-header sum in the TCP
 * checksum field when more than one segment was joined, plus GSO_ECN when
 * the first segment had CWR, as tcp_gro_complete(); a single frame is
 * passed on unchanged with a zero header). Returns the frame's length in
 * g->buf (0 when empty) and empties |g|.
 */
size_t l2tp_gro_flush(struct l2tp_gro *g, struct virtio_net_hdr *vh);

/* ---- checksums ------------------------------------------------------------ */

/*
 * RFC 1071 one's-complement sum of |len| bytes added to |sum| (not folded,
 * but reduced to 32 bits). To sum a buffer in pieces, every piece but the
 * last must have an even length (an odd byte is padded as the high half of
 * a word).
 */
uint32_t l2tp_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* Fold to 16 bits and complement: the value to put in a checksum field. */
uint16_t l2tp_csum_fold(uint32_t sum);

#endif /* L2TP_OFFLOAD_H */
