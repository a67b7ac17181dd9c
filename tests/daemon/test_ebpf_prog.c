// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_ebpf_prog.c - the eBPF datapath's tc programs
 * (daemon/datapath/ebpf/l2tp.bpf.c) run by the kernel on crafted packets
 * (BPF_PROG_TEST_RUN), checked against libl2tp's data-plane codec
 * (lib/dp.c, lib/wire.c):
 *  - l2tp_encap: for every header form (UDP or IP, IPv4 or IPv6 outside,
 *    no cookie, 4 or 8 bytes, no sublayer or the default one, numbered or
 *    not), the L2TP header it writes is byte for byte what l2tp_dp_encap
 *    writes for the same session, libl2tp decapsulates it back to the
 *    frame, the outer IP/UDP headers are right (IPv4 header checksum
 *    included; the UDP checksum zero, or with checksums on one that adds
 *    up, summed here independently) and tx_packets/tx_bytes match libl2tp's;
 *  - l2tp_decap: packets libl2tp encapsulates come out as the bare frame
 *    with the counters libl2tp keeps, small frames under IPv6 included;
 *    cookie mismatches, sequence violations and runts are dropped and
 *    counted; so are wrong UDP checksums and, over IPv6 unless allowed,
 *    zero ones; anything not of a session (control messages, other
 *    addresses, ports, unknown session ids, non-IP) is passed on untouched
 *    to the next program (TC_ACT_UNSPEC);
 *    random bytes never make it misbehave; a session following its
 *    peer's numbering tells l2tpd (an event) when that changes, only then;
 *  - the choice of outer fragments: a packet over the route's MTU goes to
 *    l2tpd's fragment device, one that fits to the FIB's device.
 * The programs are loaded with test_mode set: no FIB lookup (test_mtu
 * stands in for the route's MTU) and no redirect (test_redirect tells
 * where the packet would have gone).
 * Needs root and a kernel that loads them: skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <l2tp/dp.h>
#include <l2tp/wire.h>

#include "l2tp_bpf.h"
#include "l2tp.skel.h"
#include "testlib.h"

#define ETH 14
#define TX_IFINDEX 1 /* BPF_PROG_TEST_RUN runs on the namespace's lo */
#define OUR_SID 0x00012345u
#define PEER_SID 0x00abcdefu

static struct l2tp_bpf *skel;
static int ncpu;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* L2TPD_BPF_DEBUG: all of libbpf's messages, the verifier's log with them */
static int loud(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	libbpf_set_print(getenv("L2TPD_BPF_DEBUG") ? loud : quiet);
	skel = l2tp_bpf__open();
	if (!skel)
		return 0;
	skel->rodata->test_mode = 1;
	if (l2tp_bpf__load(skel) < 0) {
		l2tp_bpf__destroy(skel);
		skel = NULL;
		return 0;
	}
	ncpu = libbpf_num_possible_cpus();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	l2tp_bpf__destroy(skel);
	return 0;
}

#define NEED_BPF()                                                                                 \
	do {                                                                                       \
		if (!skel || ncpu <= 0)                                                            \
			skip();                                                                    \
	} while (0)

/* ---- one header form ------------------------------------------------------------------ */

struct shape {
	bool udp, v6, l2spec, seq;
	bool csum; /* UDP checksums sent (udp_csum on; IPv6 by default) */
	uint8_t clen; /* our cookie and the peer's, same length */
};

static const uint8_t cookie_tx[8] = {0x0a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04};
static const uint8_t cookie_rx[8] = {0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t ip6_local[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ip6_peer[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
#define IP4_LOCAL 0xc0000201u /* 192.0.2.1 */
#define IP4_PEER 0xc0000202u
#define SPORT 1701
#define DPORT 1702

static const char *shape_name(const struct shape *sh)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s cookie %u %s%s%s", sh->udp ? "udp" : "ip",
		 sh->v6 ? "6" : "4", sh->clen, sh->l2spec ? "l2spec" : "none", sh->seq ? " seq" : "",
		 sh->csum ? " csum" : "");
	return buf;
}

/* The session as the loader (ebpf.c sess_fill) puts it in the maps. */
static void bpf_sess(const struct shape *sh, struct l2tp_bpf_sess *m)
{
	memset(m, 0, sizeof(*m));
	m->flags = (sh->v6 ? L2TP_BPF_V6 : 0) | (sh->udp ? L2TP_BPF_UDP : 0) |
		   (sh->l2spec ? L2TP_BPF_L2SPEC : 0) | (sh->seq ? L2TP_BPF_SEQ | L2TP_BPF_RECV_SEQ : 0) |
		   (sh->csum ? L2TP_BPF_CSUM : 0) | L2TP_BPF_CSUM0_RX; /* outer_in sends zero */
	m->idx = 7;
	m->ifindex = 99;
	m->session_id = htonl(OUR_SID);
	m->peer_session_id = htonl(PEER_SID);
	m->local4 = htonl(IP4_LOCAL);
	m->peer4 = htonl(IP4_PEER);
	memcpy(m->local6, ip6_local, 16);
	memcpy(m->peer6, ip6_peer, 16);
	m->sport = htons(SPORT);
	m->dport = htons(DPORT);
	m->cookie_len = sh->clen;
	m->peer_cookie_len = sh->clen;
	memcpy(m->cookie, cookie_tx, 8);
	memcpy(m->peer_cookie, cookie_rx, 8);
	m->fib_ifindex = 98;
}

/*
 * A libl2tp session for the same pseudowire: |mirror| false is our own end
 * (what l2tp_encap must write), true the peer's (what l2tp_decap receives).
 */
static void lib_sess(const struct shape *sh, bool mirror, struct l2tp_dp_session *s)
{
	struct l2tp_dp_cfg c = {
	    .version = 3,
	    .encap = sh->udp ? L2TP_ENCAP_UDP : L2TP_ENCAP_IP,
	    .session_id = mirror ? PEER_SID : OUR_SID,
	    .peer_session_id = mirror ? OUR_SID : PEER_SID,
	    .cookie_len = sh->clen,
	    .peer_cookie_len = sh->clen,
	    .l2spec_type = sh->l2spec ? L2TP_L2SPEC_DEFAULT : L2TP_L2SPEC_NONE,
	    .send_seq = sh->seq,
	    .recv_seq = sh->seq,
	};

	memcpy(c.cookie, mirror ? cookie_rx : cookie_tx, 8);
	memcpy(c.peer_cookie, mirror ? cookie_tx : cookie_rx, 8);
	assert_int_equal(l2tp_dp_session_init(s, &c), 0);
}

static void maps_reset(const struct l2tp_bpf_sess *m)
{
	struct l2tp_bpf_stats *z = calloc((size_t)ncpu, sizeof(*z));
	struct l2tp_bpf_fib *fz = calloc((size_t)ncpu, sizeof(*fz));
	struct l2tp_bpf_seq q = {0};
	uint32_t ifi = TX_IFINDEX, sid = m->session_id, idx = m->idx;

	assert_non_null(z);
	assert_non_null(fz);
	/* no cached FIB answer, no route MTU, no fragment device */
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.fibs), &idx, fz, BPF_ANY), 0);
	free(fz);
	skel->bss->test_mtu = 0;
	skel->bss->frag_ifindex = 0;
	skel->bss->test_redirect = 0;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.stats), &idx, z, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.seqs), &idx, &q, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.tx_sessions), &ifi, m, BPF_ANY),
			 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.rx_sessions), &sid, m, BPF_ANY),
			 0);
	free(z);
}

static void stats_get(uint32_t idx, struct l2tp_bpf_stats *sum)
{
	struct l2tp_bpf_stats *v = calloc((size_t)ncpu, sizeof(*v));

	assert_non_null(v);
	memset(sum, 0, sizeof(*sum));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &idx, v), 0);
	for (int i = 0; i < ncpu; i++) {
		sum->tx_packets += v[i].tx_packets;
		sum->tx_bytes += v[i].tx_bytes;
		sum->tx_errors += v[i].tx_errors;
		sum->rx_packets += v[i].rx_packets;
		sum->rx_bytes += v[i].rx_bytes;
		sum->rx_seq_discards += v[i].rx_seq_discards;
		sum->rx_errors += v[i].rx_errors;
		sum->rx_cookie_discards += v[i].rx_cookie_discards;
		sum->rx_invalid += v[i].rx_invalid;
	}
	free(v);
}

/* Runs |prog| on |in|; returns its verdict, the output in |out|/|outlen|. */
static int run(struct bpf_program *prog, const uint8_t *in, size_t inlen, uint8_t *out,
	       size_t *outlen)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)inlen,
		    .data_out = out, .data_size_out = (uint32_t)*outlen, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &o), 0);
	*outlen = o.data_size_out;
	return (int)o.retval;
}

/* An Ethernet frame of |len| bytes with EtherType |type| and a pattern. */
static void frame(uint8_t *f, size_t len, uint16_t type, uint8_t seed)
{
	static const uint8_t mac[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};

	memcpy(f, mac, 12);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	for (size_t i = ETH; i < len; i++)
		f[i] = (uint8_t)(seed + i * 7);
	if (type == 0x0800 && len >= ETH + 20)
		f[ETH] = 0x45; /* looks like IPv4 to the stack (adjust_room wants IP) */
	if (type == 0x86dd && len >= ETH + 40)
		f[ETH] = 0x60;
}

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ip4_csum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += ld16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * The UDP checksum test of RFC 768 / RFC 8200 §8.1, written out here: the
 * 16-bit ones' complement sum of the pseudo header and the datagram at
 * |ip| (IPv4 or IPv6 header first), checksum field included: 0xffff if
 * the checksum is right.
 */
static uint16_t udp_sum_ip(const uint8_t *ip, bool v6)
{
	size_t iplen = v6 ? 40 : 20, alen = v6 ? 16 : 4;
	const uint8_t *u = ip + iplen;
	size_t ulen = ld16(u + 4);
	uint32_t s = 17 + (uint32_t)ulen;

	for (size_t i = 0; i < 2 * alen; i += 2)
		s += ld16(ip + (v6 ? 8 : 12) + i);
	for (size_t i = 0; i + 1 < ulen; i += 2)
		s += ld16(u + i);
	if (ulen & 1)
		s += (uint32_t)u[ulen - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Puts the right UDP checksum into the packet |pkt| (Ethernet first). */
static void udp_csum_fill(bool v6, uint8_t *pkt)
{
	uint8_t *u = pkt + ETH + (v6 ? 40 : 20);
	uint16_t c;

	u[6] = u[7] = 0;
	c = (uint16_t)~udp_sum_ip(pkt + ETH, v6);
	if (!c)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
}

/*
 * Outer headers in front of the L2TP packet |l2tp| of |len| bytes, from
 * the peer to us (for decap): Ethernet, IPv4/IPv6, UDP. Returns the size.
 */
static size_t outer_in(const struct shape *sh, const uint8_t *l2tp, size_t len, uint8_t *pkt)
{
	size_t iplen = sh->v6 ? 40 : 20, l4 = sh->udp ? 8 : 0, o = ETH;
	uint8_t proto = sh->udp ? 17 : 115;

	memset(pkt, 0, ETH + iplen + l4);
	memcpy(pkt, "\x02\0\0\0\0\x01\x02\0\0\0\0\x09", 12);
	pkt[12] = sh->v6 ? 0x86 : 0x08;
	pkt[13] = sh->v6 ? 0xdd : 0x00;
	if (sh->v6) {
		pkt[o] = 0x60;
		pkt[o + 4] = (uint8_t)((len + l4) >> 8);
		pkt[o + 5] = (uint8_t)(len + l4);
		pkt[o + 6] = proto;
		pkt[o + 7] = 64;
		memcpy(pkt + o + 8, ip6_peer, 16);
		memcpy(pkt + o + 24, ip6_local, 16);
	} else {
		uint32_t sa = htonl(IP4_PEER), da = htonl(IP4_LOCAL);
		uint16_t c;

		pkt[o] = 0x45;
		pkt[o + 2] = (uint8_t)((len + l4 + 20) >> 8);
		pkt[o + 3] = (uint8_t)(len + l4 + 20);
		pkt[o + 6] = 0x40;
		pkt[o + 8] = 64;
		pkt[o + 9] = proto;
		memcpy(pkt + o + 12, &sa, 4);
		memcpy(pkt + o + 16, &da, 4);
		c = ip4_csum(pkt + o);
		pkt[o + 10] = (uint8_t)(c >> 8);
		pkt[o + 11] = (uint8_t)c;
	}
	o += iplen;
	if (sh->udp) {
		pkt[o] = DPORT >> 8;
		pkt[o + 1] = DPORT & 0xff;
		pkt[o + 2] = SPORT >> 8;
		pkt[o + 3] = SPORT & 0xff;
		pkt[o + 4] = (uint8_t)((len + 8) >> 8);
		pkt[o + 5] = (uint8_t)(len + 8);
		o += 8;
	}
	memcpy(pkt + o, l2tp, len);
	return o + len;
}

/* libl2tp encapsulates |f| as the peer: the L2TP packet into |out|. */
static size_t lib_encap(struct l2tp_dp_session *peer, const uint8_t *f, size_t flen, uint8_t *out)
{
	uint8_t buf[2048];
	struct l2tp_dp_buf b = {.data = buf, .cap = sizeof(buf), .off = 64, .len = flen};

	memcpy(buf + 64, f, flen);
	assert_int_equal(l2tp_dp_encap(peer, &b), 0);
	memcpy(out, buf + b.off, b.len);
	return b.len;
}

static void each_shape(void (*fn)(const struct shape *))
{
	for (int udp = 0; udp < 2; udp++)
		for (int v6 = 0; v6 < 2; v6++)
			for (int c = 0; c < 3; c++)
				for (int l2 = 0; l2 < 3; l2++) {
					struct shape sh = {.udp = udp, .v6 = v6,
							   .clen = (uint8_t)(c * 4),
							   .l2spec = l2 > 0, .seq = l2 == 2};

					fn(&sh);
				}
}

/* ---- l2tp_encap ------------------------------------------------------------------------ */

static void encap_one(const struct shape *sh)
{
	static const struct {
		uint16_t type;
		size_t len;
	} frames[] = {{0x0800, 98},   {0x0806, 42}, {0x86dd, 1200}, {0x0800, 1514},
		      {0x88b5, 60},   {0x0800, 99}, {0x0800, 1513}, {0x86dd, 1025}};
	struct l2tp_dp_session mine, peer;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	size_t iplen = sh->v6 ? 40 : 20, l4 = sh->udp ? 8 : 0;
	uint64_t lib_bytes = 0;

	print_message("# encap %s\n", shape_name(sh));
	bpf_sess(sh, &m);
	maps_reset(&m);
	lib_sess(sh, false, &mine);
	lib_sess(sh, true, &peer);
	for (size_t k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
		uint8_t f[2048], out[2200], want[2048];
		size_t flen = frames[k].len, outlen = sizeof(out), hl, o = ETH;
		struct l2tp_dp_buf wb = {.data = want, .cap = sizeof(want), .off = 64, .len = flen};
		struct l2tp_dp_buf rb;
		struct l2tp_v3_data_hdr h;
		ssize_t poff;

		frame(f, flen, frames[k].type, (uint8_t)k);
		/* what libl2tp prepends for our end, counting as the kernel does */
		memcpy(want + 64, f, flen);
		assert_int_equal(l2tp_dp_encap(&mine, &wb), 0);
		hl = wb.len - flen;
		lib_bytes = mine.stats.tx_bytes;

		assert_int_equal(run(skel->progs.l2tp_encap, f, flen, out, &outlen), TC_ACT_OK);
		assert_int_equal(outlen, ETH + iplen + l4 + hl + flen);
		/* outer Ethernet: the EtherType of the outer IP */
		assert_int_equal(ld16(out + 12), sh->v6 ? 0x86dd : 0x0800);
		if (sh->v6) {
			assert_int_equal(out[o] >> 4, 6);
			assert_int_equal(ld16(out + o + 4), l4 + hl + flen);
			assert_int_equal(out[o + 6], sh->udp ? 17 : 115);
			assert_int_equal(out[o + 7], 64);
			assert_memory_equal(out + o + 8, ip6_local, 16);
			assert_memory_equal(out + o + 24, ip6_peer, 16);
		} else {
			assert_int_equal(out[o], 0x45);
			assert_int_equal(ld16(out + o + 2), 20 + l4 + hl + flen);
			assert_int_equal(ld16(out + o + 6), 0x4000); /* DF, no fragment */
			assert_int_equal(out[o + 8], 64);
			assert_int_equal(out[o + 9], sh->udp ? 17 : 115);
			assert_int_equal(ld32(out + o + 12), IP4_LOCAL);
			assert_int_equal(ld32(out + o + 16), IP4_PEER);
			assert_int_equal(ip4_csum(out + o), 0); /* the header checksum is valid */
		}
		o += iplen;
		if (sh->udp) {
			assert_int_equal(ld16(out + o), SPORT);
			assert_int_equal(ld16(out + o + 2), DPORT);
			assert_int_equal(ld16(out + o + 4), 8 + hl + flen);
			if (sh->csum) { /* a checksum, right for what follows */
				assert_int_not_equal(ld16(out + o + 6), 0);
				assert_int_equal(udp_sum_ip(out + ETH, sh->v6), 0xffff);
			} else {
				assert_int_equal(ld16(out + o + 6), 0); /* RFC 768/6935 */
			}
			o += 8;
		}
		/* the L2TP header: libl2tp's, byte for byte; then the frame */
		assert_memory_equal(out + o, want + wb.off, hl);
		assert_memory_equal(out + o + hl, f, flen);
		/* and libl2tp, as the peer, takes the packet back to the frame */
		poff = l2tp_wire_v3_data_decode(sh->udp ? L2TP_ENCAP_UDP : L2TP_ENCAP_IP, out + o,
						outlen - o, sh->clen,
						sh->l2spec ? L2TP_L2SPEC_DEFAULT : L2TP_L2SPEC_NONE,
						&h, NULL);
		assert_int_equal(poff, (ssize_t)hl);
		assert_int_equal(h.session_id, PEER_SID);
		assert_int_equal(h.seq_valid, sh->seq);
		if (sh->seq)
			assert_int_equal(h.seq, k);
		rb = (struct l2tp_dp_buf){.data = out, .cap = sizeof(out), .off = o, .len = outlen - o};
		assert_int_equal(l2tp_dp_decap(&peer, &rb, 0, NULL), L2TP_DP_DELIVER);
		assert_int_equal(rb.len, flen);
		assert_memory_equal(out + rb.off, f, flen);
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.tx_packets, mine.stats.tx_packets);
	assert_int_equal(st.tx_bytes, lib_bytes);
	assert_int_equal(st.tx_errors, 0);
	assert_int_equal(peer.stats.rx_packets, mine.stats.tx_packets);
}

static void test_ebpf_encap_every_form(void **state)
{
	(void)state;
	NEED_BPF();
	each_shape(encap_one);
}

static void encap_csum_one(const struct shape *sh)
{
	struct shape c = *sh;

	if (!sh->udp)
		return;
	c.csum = true;
	encap_one(&c);
}

/* UDP checksums on: the same headers, and a UDP checksum that adds up. */
static void test_ebpf_encap_csum(void **state)
{
	(void)state;
	NEED_BPF();
	each_shape(encap_csum_one);
}

/*
 * A device without a session: on an ingress (l2tpdpN's: skb_iif is the
 * device) dropped; on an egress (l2tpethN's, whose ifindex changed in a
 * trip to another namespace) passed on unchanged, down its veth to
 * l2tpdpN's ingress, where the session's other entry is.
 */
static void test_ebpf_encap_no_session(void **state)
{
	struct __sk_buff ctx = {.ifindex = TX_IFINDEX, .ingress_ifindex = TX_IFINDEX};
	uint8_t f[64], out[256];
	size_t outlen = sizeof(out);
	uint32_t ifi = TX_IFINDEX;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = sizeof(f), .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = 1);

	(void)state;
	NEED_BPF();
	bpf_map_delete_elem(bpf_map__fd(skel->maps.tx_sessions), &ifi);
	frame(f, sizeof(f), 0x0800, 1);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.l2tp_encap), &o), 0);
	assert_int_equal(o.retval, TC_ACT_SHOT);
	/* no ctx: ingress_ifindex 0, as for what a host sends */
	assert_int_equal(run(skel->progs.l2tp_encap, f, sizeof(f), out, &outlen), TC_ACT_OK);
	assert_int_equal(outlen, sizeof(f));
	assert_memory_equal(out, f, sizeof(f));
}

/* This namespace's cookie (SO_NETNS_COOKIE), as ebpf.c gets l2tpd's. */
static uint64_t own_netns(void)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &c, &len), 0);
	close(fd);
	return c;
}

/*
 * l2tpethN in another network namespace than l2tpd (our_netns): every
 * frame is passed on unchanged, also one of a session, and not counted.
 */
static void test_ebpf_encap_elsewhere(void **state)
{
	const struct shape sh = {.udp = true};
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	uint8_t f[98], out[512];
	size_t outlen = sizeof(out);

	(void)state;
	NEED_BPF();
	bpf_sess(&sh, &m);
	maps_reset(&m);
	frame(f, sizeof(f), 0x0800, 9);
	skel->bss->our_netns = ~0ull; /* not this namespace's: cookies count up from 1 */
	assert_int_equal(run(skel->progs.l2tp_encap, f, sizeof(f), out, &outlen), TC_ACT_OK);
	skel->bss->our_netns = 0;
	assert_int_equal(outlen, sizeof(f));
	assert_memory_equal(out, f, sizeof(f));
	stats_get(m.idx, &st);
	assert_int_equal(st.tx_packets, 0);
	assert_int_equal(st.tx_errors, 0);
	/* and with the namespace's own cookie it is encapsulated */
	skel->bss->our_netns = own_netns();
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_encap, f, sizeof(f), out, &outlen), TC_ACT_OK);
	skel->bss->our_netns = 0;
	assert_true(outlen > sizeof(f));
	stats_get(m.idx, &st);
	assert_int_equal(st.tx_packets, 1);
}

/*
 * The choice of fragments: with a route MTU (test_mtu standing in for
 * bpf_fib_lookup's check of tot_len), a packet whose outer IP length fits
 * goes to the FIB's device, one a byte longer to the fragment device
 * (frag_ifindex), encapsulated the same and counted the same, also after
 * the FIB cache remembered a smaller packet; without a fragment device it
 * is a tx error. Both families, UDP and IP.
 */
#define FRAG_IFINDEX 4242
#define ROUTE_MTU 1500

static void encap_frag_one(const struct shape *sh)
{
	struct l2tp_dp_session mine;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	size_t iplen = sh->v6 ? 40 : 20, l4 = sh->udp ? 8 : 0, hl, fit;
	uint8_t f[2048], out[2200];
	struct {
		size_t over; /* bytes over the route's MTU */
		uint32_t to; /* where it goes */
	} steps[] = {{0, 98}, {1, FRAG_IFINDEX}, {0, 98}, {500, FRAG_IFINDEX}, {1, FRAG_IFINDEX},
		     {0, 98}};
	uint64_t bytes = 0;

	if (sh->clen || sh->l2spec)
		return; /* the header's form does not matter here */
	print_message("# encap fragments %s\n", shape_name(sh));
	bpf_sess(sh, &m);
	maps_reset(&m);
	skel->bss->test_mtu = ROUTE_MTU;
	skel->bss->frag_ifindex = FRAG_IFINDEX;
	lib_sess(sh, false, &mine);
	hl = l2tp_dp_overhead(&mine);
	fit = ROUTE_MTU - iplen - l4 - hl; /* the longest frame that fits */
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		size_t flen = fit + steps[k].over, outlen = sizeof(out);

		frame(f, flen, 0x0800, (uint8_t)k);
		skel->bss->test_redirect = 0;
		assert_int_equal(run(skel->progs.l2tp_encap, f, flen, out, &outlen), TC_ACT_OK);
		assert_int_equal(skel->bss->test_redirect, steps[k].to);
		/* the same packet either way: l2tpd sends what follows its IP header */
		assert_int_equal(outlen, ETH + iplen + l4 + hl + flen);
		assert_int_equal(ld16(out + 12), sh->v6 ? 0x86dd : 0x0800);
		assert_int_equal(sh->v6 ? ld16(out + ETH + 4) + 40 : ld16(out + ETH + 2),
				 ROUTE_MTU + steps[k].over);
		assert_memory_equal(out + ETH + iplen + l4 + hl, f, flen);
		bytes += hl + flen;
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.tx_packets, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(st.tx_bytes, bytes);
	assert_int_equal(st.tx_errors, 0);

	/* no fragment device (l2tpd could not make one): too large is an error */
	skel->bss->frag_ifindex = 0;
	{
		size_t outlen = sizeof(out);

		frame(f, fit + 1, 0x0800, 9);
		assert_int_equal(run(skel->progs.l2tp_encap, f, fit + 1, out, &outlen), TC_ACT_SHOT);
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.tx_packets, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(st.tx_errors, 1);
	maps_reset(&m);
}

static void test_ebpf_encap_frag(void **state)
{
	(void)state;
	NEED_BPF();
	each_shape(encap_frag_one);
}

/* ---- l2tp_decap ------------------------------------------------------------------------ */

static void decap_one(const struct shape *sh)
{
	static const size_t lens[] = {42, 60, 98, 1514};
	struct l2tp_dp_session peer;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;

	print_message("# decap %s\n", shape_name(sh));
	bpf_sess(sh, &m);
	maps_reset(&m);
	lib_sess(sh, true, &peer);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		uint8_t f[2048], l2tp[2100], pkt[2200], out[2200];
		size_t flen = lens[k], outlen = sizeof(out), n, plen;

		frame(f, flen, k ? 0x0800 : 0x0806, (uint8_t)(k + 3));
		n = lib_encap(&peer, f, flen, l2tp);
		plen = outer_in(sh, l2tp, n, pkt);
		assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
		assert_int_equal(outlen, flen);
		assert_memory_equal(out, f, flen);
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_packets, peer.stats.tx_packets);
	assert_int_equal(st.rx_bytes, peer.stats.tx_bytes); /* L2TP header + frame */
	assert_int_equal(st.rx_errors, 0);
	assert_int_equal(st.rx_invalid, 0);
}

static void test_ebpf_decap_every_form(void **state)
{
	(void)state;
	NEED_BPF();
	each_shape(decap_one);
}

/*
 * |pkt| must come out of l2tp_decap untouched with tcx's "next" verdict
 * (TC_ACT_UNSPEC: the device's next program, then the stack), not
 * TC_ACT_OK, which would hide it from a second l2tpd's program.
 */
static void pass_through(const uint8_t *pkt, size_t plen)
{
	uint8_t out[2200];
	size_t outlen = sizeof(out);

	assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_UNSPEC);
	assert_int_equal(outlen, plen);
	assert_memory_equal(out, pkt, plen);
}

static void test_ebpf_decap_not_ours(void **state)
{
	const struct shape shapes[] = {{.udp = true, .l2spec = true, .clen = 4},
				       {.udp = false, .v6 = true, .clen = 8}};

	(void)state;
	NEED_BPF();
	for (size_t i = 0; i < 2; i++) {
		const struct shape *sh = &shapes[i];
		size_t iplen = sh->v6 ? 40 : 20, l2o = ETH + iplen + (sh->udp ? 8 : 0), n, plen;
		struct l2tp_dp_session peer;
		struct l2tp_bpf_sess m;
		struct l2tp_bpf_stats st;
		uint8_t f[100], l2tp[256], pkt[512], x[512];

		bpf_sess(sh, &m);
		maps_reset(&m);
		lib_sess(sh, true, &peer);
		frame(f, sizeof(f), 0x0800, 9);
		n = lib_encap(&peer, f, sizeof(f), l2tp);
		plen = outer_in(sh, l2tp, n, pkt);

		/* an unknown session id */
		memcpy(x, pkt, plen);
		x[l2o + (sh->udp ? 7 : 3)] ^= 1;
		pass_through(x, plen);
		/* session id 0 (over IP: a control message, §4.1.1.1) */
		memcpy(x, pkt, plen);
		memset(x + l2o + (sh->udp ? 4 : 0), 0, 4);
		pass_through(x, plen);
		if (sh->udp) {
			/* T bit: a control message for l2tpd's socket */
			memcpy(x, pkt, plen);
			x[l2o] |= 0x80;
			pass_through(x, plen);
			/* version 2 */
			memcpy(x, pkt, plen);
			x[l2o + 1] = 2;
			pass_through(x, plen);
			/* another port of ours */
			memcpy(x, pkt, plen);
			x[ETH + iplen + 3] ^= 1;
			pass_through(x, plen);
			/* from another peer port */
			memcpy(x, pkt, plen);
			x[ETH + iplen + 1] ^= 1;
			pass_through(x, plen);
		}
		/* from another address, to another address */
		memcpy(x, pkt, plen);
		x[ETH + (sh->v6 ? 8 + 15 : 12 + 3)] ^= 4;
		pass_through(x, plen);
		memcpy(x, pkt, plen);
		x[ETH + (sh->v6 ? 24 + 15 : 16 + 3)] ^= 4;
		pass_through(x, plen);
		/* not IP at all */
		memcpy(x, pkt, plen);
		x[12] = 0x88;
		x[13] = 0xb5;
		pass_through(x, plen);
		/* IPv4 fragments go to the stack for reassembly */
		if (!sh->v6) {
			memcpy(x, pkt, plen);
			x[ETH + 6] = 0x20; /* MF */
			pass_through(x, plen);
		}
		stats_get(m.idx, &st);
		assert_int_equal(st.rx_packets + st.rx_errors + st.rx_invalid, 0);
		/* and the unmodified packet is still the session's */
		uint8_t out[512];
		size_t outlen = sizeof(out);

		assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
		assert_int_equal(outlen, sizeof(f));
		assert_memory_equal(out, f, sizeof(f));
	}
}

/*
 * l2tp_reasm (the fragment device's ingress, where l2tpd writes what the
 * stack reassembled): a session's packet is decapsulated as by l2tp_decap
 * and counted; what is not a session's is dropped (TC_ACT_SHOT), never
 * handed to the stack, which had it already.
 */
static void reasm_one(const struct shape *sh)
{
	size_t iplen = sh->v6 ? 40 : 20, l2o = ETH + iplen + (sh->udp ? 8 : 0), n, plen, outlen;
	struct l2tp_dp_session peer;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	uint8_t f[1514], l2tp[1600], pkt[1700], out[1700];

	print_message("# reasm %s\n", shape_name(sh));
	bpf_sess(sh, &m);
	maps_reset(&m);
	lib_sess(sh, true, &peer);
	frame(f, sizeof(f), 0x0800, 5);
	n = lib_encap(&peer, f, sizeof(f), l2tp);
	plen = outer_in(sh, l2tp, n, pkt);
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_reasm, pkt, plen, out, &outlen), TC_ACT_OK);
	assert_int_equal(outlen, sizeof(f));
	assert_memory_equal(out, f, sizeof(f));
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_packets, 1);
	assert_int_equal(st.rx_bytes, peer.stats.tx_bytes);
	/* an unknown session id, and a frame that is not IP */
	pkt[l2o + (sh->udp ? 7 : 3)] ^= 1;
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_reasm, pkt, plen, out, &outlen), TC_ACT_SHOT);
	pkt[l2o + (sh->udp ? 7 : 3)] ^= 1;
	pkt[12] = 0x88;
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_reasm, pkt, plen, out, &outlen), TC_ACT_SHOT);
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_packets, 1);
}

static void test_ebpf_reasm(void **state)
{
	(void)state;
	NEED_BPF();
	each_shape(reasm_one);
}

/*
 * Received UDP checksums, over IPv4 and IPv6: a right one is taken, a wrong
 * one (the checksum or a payload byte changed) dropped and counted in
 * rx_errors; a zero one is taken over IPv4 (RFC 768) and over IPv6 only
 * with udp6_csum_rx off (RFC 8200 §8.1, RFC 6935 §5).
 */
static void decap_csum_one(bool v6)
{
	const struct shape sh = {.udp = true, .v6 = v6, .l2spec = true, .clen = 4};
	size_t lens[] = {60, 99, 1514}, u = ETH + (v6 ? 40 : 20);
	struct l2tp_dp_session peer;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	uint64_t good = 0, bad = 0;

	print_message("# decap checksums udp%d\n", v6 ? 6 : 4);
	bpf_sess(&sh, &m);
	if (v6)
		m.flags &= ~(uint32_t)L2TP_BPF_CSUM0_RX; /* as ebpf.c: IPv6 by default */
	maps_reset(&m);
	lib_sess(&sh, true, &peer);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		uint8_t f[2048], l2tp[2100], pkt[2200], x[2200], out[2200];
		size_t flen = lens[k], outlen, n, plen;

		frame(f, flen, 0x0800, (uint8_t)(k + 11));
		n = lib_encap(&peer, f, flen, l2tp);
		plen = outer_in(&sh, l2tp, n, pkt);
		udp_csum_fill(v6, pkt);
		assert_int_equal(udp_sum_ip(pkt + ETH, v6), 0xffff);
		outlen = sizeof(out);
		assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
		assert_int_equal(outlen, flen);
		assert_memory_equal(out, f, flen);
		good++;
		/* the checksum one off; the last payload byte changed */
		memcpy(x, pkt, plen);
		x[u + 7] ^= 0x01;
		outlen = sizeof(out);
		assert_int_equal(run(skel->progs.l2tp_decap, x, plen, out, &outlen), TC_ACT_SHOT);
		memcpy(x, pkt, plen);
		x[plen - 1] ^= 0x80;
		outlen = sizeof(out);
		assert_int_equal(run(skel->progs.l2tp_decap, x, plen, out, &outlen), TC_ACT_SHOT);
		bad += 2;
		/* no checksum */
		memcpy(x, pkt, plen);
		x[u + 6] = x[u + 7] = 0;
		outlen = sizeof(out);
		assert_int_equal(run(skel->progs.l2tp_decap, x, plen, out, &outlen),
				 v6 ? TC_ACT_SHOT : TC_ACT_OK);
		if (v6)
			bad++;
		else
			good++;
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_packets, good);
	assert_int_equal(st.rx_errors, bad);
	assert_int_equal(st.rx_invalid, 0);
	if (!v6)
		return;
	/* udp6_csum_rx off: zero checksums are taken, wrong ones still not */
	m.flags |= L2TP_BPF_CSUM0_RX;
	maps_reset(&m);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		uint8_t f[2048], l2tp[2100], pkt[2200], out[2200];
		size_t flen = lens[k], outlen = sizeof(out), n, plen;

		frame(f, flen, 0x0800, (uint8_t)(k + 21));
		n = lib_encap(&peer, f, flen, l2tp);
		plen = outer_in(&sh, l2tp, n, pkt);
		assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
		assert_int_equal(outlen, flen);
		udp_csum_fill(v6, pkt);
		pkt[u + 6] ^= 0x10;
		outlen = sizeof(out);
		assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_SHOT);
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_packets, 3);
	assert_int_equal(st.rx_errors, 3);
}

static void test_ebpf_decap_csum(void **state)
{
	(void)state;
	NEED_BPF();
	decap_csum_one(false);
	decap_csum_one(true);
}

static void test_ebpf_decap_drops(void **state)
{
	const struct shape sh = {.udp = true, .l2spec = true, .seq = true, .clen = 8};
	size_t l2o = ETH + 20 + 8, n, plen, outlen;
	struct l2tp_dp_session peer;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	uint8_t f[100], l2tp[256], pkt[512], x[512], out[512];

	(void)state;
	NEED_BPF();
	bpf_sess(&sh, &m);
	maps_reset(&m);
	lib_sess(&sh, true, &peer);
	frame(f, sizeof(f), 0x0800, 5);

	/* a wrong cookie byte: dropped, counted (RFC 3931 §4.1) */
	n = lib_encap(&peer, f, sizeof(f), l2tp);
	plen = outer_in(&sh, l2tp, n, pkt);
	memcpy(x, pkt, plen);
	x[l2o + 8 + 7] ^= 0xff;
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, x, plen, out, &outlen), TC_ACT_SHOT);
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_cookie_discards, 1);
	assert_int_equal(st.rx_errors, 1);
	assert_int_equal(st.rx_packets, 0);

	/* the right one (Ns 0) is taken */
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
	assert_int_equal(outlen, sizeof(f));

	/* Ns 1, 2 taken; then Ns 1 again is behind: dropped (no reorder queue) */
	uint8_t p1[512], p2[512];
	size_t l1, l2;

	n = lib_encap(&peer, f, sizeof(f), l2tp);
	l1 = outer_in(&sh, l2tp, n, p1);
	n = lib_encap(&peer, f, sizeof(f), l2tp);
	l2 = outer_in(&sh, l2tp, n, p2);
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, p2, l2, out, &outlen), TC_ACT_OK);
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, p1, l1, out, &outlen), TC_ACT_SHOT);
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_seq_discards, 1);
	assert_int_equal(st.rx_packets, 2);

	/* no sequence number where the session requires one (S bit clear) */
	memcpy(x, p2, l2);
	x[l2o + 8 + 8] &= (uint8_t)~0x40;
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, x, l2, out, &outlen), TC_ACT_SHOT);
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_seq_discards, 2);

	/* a runt: the headers, then less than an Ethernet header */
	n = lib_encap(&peer, f, sizeof(f), l2tp);
	plen = outer_in(&sh, l2tp, n, pkt);
	for (size_t cut = l2o + 20 + 13; cut > l2o + 8; cut -= 5) {
		outlen = sizeof(out);
		assert_int_equal(run(skel->progs.l2tp_decap, pkt, cut, out, &outlen), TC_ACT_SHOT);
	}
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_invalid, 5);
	assert_int_equal(st.rx_seq_discards, 2); /* a runt consumes no number */
	assert_int_equal(st.rx_packets, 2);
	/* ... so the whole packet (Ns 3) is still taken */
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
	assert_int_equal(outlen, sizeof(f));
}

/* Does l2tp_encap number a frame now? (UDP/IPv4, no cookie: the sublayer at ETH+20+8+8) */
static bool encap_numbers(void)
{
	uint8_t f[98], out[512];
	size_t outlen = sizeof(out);

	frame(f, sizeof(f), 0x0800, 9);
	assert_int_equal(run(skel->progs.l2tp_encap, f, sizeof(f), out, &outlen), TC_ACT_OK);
	return (out[ETH + 20 + 8 + 8] & 0x40) != 0;
}

static uint32_t send_live(uint32_t idx)
{
	struct l2tp_bpf_seq q;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.seqs), &idx, &q), 0);
	return q.send_live;
}

/*
 * Numbering follows the peer without lns_mode, as libl2tp's does (lib/dp.c
 * rx_seq, RFC 2661 §5.4): a session that sends numbers stops at the peer's
 * first unnumbered frame and starts again at a numbered one; with
 * lns_mode it keeps numbering and drops the unnumbered frame.
 */
static void test_ebpf_seq_follows_peer(void **state)
{
	const struct shape sh = {.udp = true, .l2spec = true, .seq = true};
	const struct shape plain = {.udp = true, .l2spec = true};
	struct l2tp_dp_session unnumbered, numbered, lib;
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	uint8_t f[100], l2tp[256], pkt[512], out[512];
	size_t n, plen, outlen;

	(void)state;
	NEED_BPF();
	bpf_sess(&sh, &m);
	m.flags &= ~(uint32_t)L2TP_BPF_RECV_SEQ; /* seq send */
	maps_reset(&m);
	lib_sess(&plain, true, &unnumbered);
	lib_sess(&sh, true, &numbered);
	frame(f, sizeof(f), 0x0800, 4);
	assert_true(encap_numbers());

	/* the peer sends no numbers: delivered, and we stop */
	n = lib_encap(&unnumbered, f, sizeof(f), l2tp);
	plen = outer_in(&sh, l2tp, n, pkt);
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
	assert_int_equal(send_live(m.idx), 2);
	assert_false(encap_numbers());
	/* libl2tp, configured alike, does the same with that packet */
	{
		struct l2tp_dp_cfg c = {.version = 3, .encap = L2TP_ENCAP_UDP,
					.session_id = OUR_SID, .peer_session_id = PEER_SID,
					.l2spec_type = L2TP_L2SPEC_DEFAULT, .send_seq = true};
		struct l2tp_dp_buf b = {.data = l2tp, .cap = sizeof(l2tp), .off = 0, .len = n};

		assert_int_equal(l2tp_dp_session_init(&lib, &c), 0);
		assert_int_equal(l2tp_dp_decap(&lib, &b, 0, NULL), L2TP_DP_DELIVER);
		assert_false(lib.send_seq);
	}

	/* numbered again: we number again */
	n = lib_encap(&numbered, f, sizeof(f), l2tp);
	plen = outer_in(&sh, l2tp, n, pkt);
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_OK);
	assert_int_equal(send_live(m.idx), 1);
	assert_true(encap_numbers());

	/* lns_mode: the unnumbered frame is dropped and counted, numbering stays */
	m.flags |= L2TP_BPF_LNS;
	maps_reset(&m);
	n = lib_encap(&unnumbered, f, sizeof(f), l2tp);
	plen = outer_in(&sh, l2tp, n, pkt);
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_decap, pkt, plen, out, &outlen), TC_ACT_SHOT);
	stats_get(m.idx, &st);
	assert_int_equal(st.rx_seq_discards, 1);
	assert_int_equal(send_live(m.idx), 0);
	assert_true(encap_numbers());
}

/* The events l2tp_decap sent (struct l2tp_bpf_event) since the last call. */
struct events_seen {
	int n;
	struct l2tp_bpf_event last;
};

static int event_cb(void *arg, void *data, size_t len)
{
	struct events_seen *e = arg;

	assert_int_equal(len, sizeof(e->last));
	memcpy(&e->last, data, sizeof(e->last));
	e->n++;
	return 0;
}

static int events_take(struct ring_buffer *rb, struct events_seen *e)
{
	e->n = 0;
	assert_true(ring_buffer__consume(rb) >= 0);
	return e->n;
}

/* l2tp_decap on a packet of |peer| (sent in the |sh| form): its verdict. */
static int decap_peer(const struct shape *sh, struct l2tp_dp_session *peer)
{
	uint8_t f[100], l2tp[256], pkt[512], out[512];
	size_t n, plen, outlen = sizeof(out);

	frame(f, sizeof(f), 0x0800, 6);
	n = lib_encap(peer, f, sizeof(f), l2tp);
	plen = outer_in(sh, l2tp, n, pkt);
	return run(skel->progs.l2tp_decap, pkt, plen, out, &outlen);
}

/*
 * A change of whether a session numbers, following its peer, is told to
 * l2tpd (the ring buffer "events"; ebpf.c follow_rx() then moves the
 * session where every segment gets a number): one event per change, with
 * the session's index and what send_live became, none for the packets
 * that change nothing, none where nothing changes what we send (`seq
 * send` configured and the peer numbering too; lns_mode).
 */
static void test_ebpf_follow_events(void **state)
{
	const struct shape sh = {.udp = true, .l2spec = true, .seq = true};
	const struct shape plain = {.udp = true, .l2spec = true};
	struct l2tp_dp_session unnumbered, numbered;
	struct events_seen ev = {0};
	struct ring_buffer *rb;
	struct l2tp_bpf_sess m;

	(void)state;
	NEED_BPF();
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), event_cb, &ev, NULL);
	assert_non_null(rb);
	events_take(rb, &ev); /* what the tests before left */
	bpf_sess(&plain, &m);
	maps_reset(&m);
	lib_sess(&plain, true, &unnumbered);
	lib_sess(&sh, true, &numbered);

	/* no `seq send`: unnumbered frames change nothing */
	assert_int_equal(decap_peer(&plain, &unnumbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 0);
	assert_false(encap_numbers());

	/* the peer numbers: one event, then none while it goes on */
	assert_int_equal(decap_peer(&plain, &numbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 1);
	assert_int_equal(ev.last.idx, m.idx);
	assert_int_equal(ev.last.send_live, 1);
	assert_true(encap_numbers());
	for (int i = 0; i < 5; i++)
		assert_int_equal(decap_peer(&plain, &numbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 0);

	/* it stops: one event; again; then numbered again: one */
	assert_int_equal(decap_peer(&plain, &unnumbered), TC_ACT_OK);
	assert_int_equal(decap_peer(&plain, &unnumbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 1);
	assert_int_equal(ev.last.send_live, 2);
	assert_false(encap_numbers());
	assert_int_equal(decap_peer(&plain, &numbered), TC_ACT_OK);
	assert_int_equal(decap_peer(&plain, &numbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 1);
	assert_int_equal(ev.last.send_live, 1);

	/* `seq send`: a numbering peer changes nothing we send; one that stops does */
	bpf_sess(&sh, &m);
	m.flags &= ~(uint32_t)L2TP_BPF_RECV_SEQ;
	maps_reset(&m);
	lib_sess(&sh, true, &numbered);
	assert_int_equal(decap_peer(&sh, &numbered), TC_ACT_OK);
	assert_int_equal(send_live(m.idx), 1);
	assert_int_equal(events_take(rb, &ev), 0);
	assert_int_equal(decap_peer(&sh, &unnumbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 1);
	assert_int_equal(ev.last.send_live, 2);

	/* lns_mode: we never follow, nothing is told */
	m.flags = (m.flags & ~(uint32_t)L2TP_BPF_SEQ) | L2TP_BPF_LNS;
	maps_reset(&m);
	lib_sess(&sh, true, &numbered);
	assert_int_equal(decap_peer(&sh, &numbered), TC_ACT_OK);
	assert_int_equal(decap_peer(&sh, &unnumbered), TC_ACT_OK);
	assert_int_equal(events_take(rb, &ev), 0);
	assert_int_equal(send_live(m.idx), 0);
	ring_buffer__free(rb);
}

/*
 * A GSO frame (gso_segs 4) reaching l2tp_encap of a numbering session: it
 * would become 4 packets with one copy of its header, so it goes
 * unnumbered (ebpf.c puts `seq send` sessions where frames are cut
 * before, per_segment()), and the counters count the 4 packets.
 */
static void test_ebpf_encap_gso_frame(void **state)
{
	const struct shape sh = {.udp = true, .l2spec = true, .seq = true};
	struct __sk_buff ctx = {.ifindex = TX_IFINDEX, .gso_segs = 4};
	struct l2tp_bpf_sess m;
	struct l2tp_bpf_stats st;
	uint8_t f[98], out[512];
	size_t outlen = sizeof(out);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = sizeof(f), .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = 1);

	(void)state;
	NEED_BPF();
	bpf_sess(&sh, &m);
	maps_reset(&m);
	frame(f, sizeof(f), 0x0800, 5);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.l2tp_encap), &o), 0);
	assert_int_equal(o.retval, TC_ACT_OK);
	assert_int_equal(out[ETH + 20 + 8 + 8] & 0x40, 0); /* no S bit */
	assert_int_equal(ld32(&out[ETH + 20 + 8 + 8]), 0);
	stats_get(m.idx, &st);
	assert_int_equal(st.tx_packets, 4);
	assert_int_equal(st.tx_bytes, sizeof(f) + 4 * 12); /* session id, 0x0003 + 2, sublayer */
	/* the next plain frame is numbered, 0: the GSO frame used no number */
	outlen = sizeof(out);
	assert_int_equal(run(skel->progs.l2tp_encap, f, sizeof(f), out, &outlen), TC_ACT_OK);
	assert_int_equal(ld32(&out[ETH + 20 + 8 + 8]), 0x40000000u);
}

/* Random bytes after valid outer headers and session id: OK, SHOT or next only. */
static void test_ebpf_decap_random(void **state)
{
	const struct shape sh = {.udp = true, .l2spec = true, .clen = 4};
	struct tl_rng r;
	struct l2tp_bpf_sess m;
	uint8_t l2tp[256], pkt[512], out[600];

	(void)state;
	NEED_BPF();
	bpf_sess(&sh, &m);
	maps_reset(&m);
	tl_rng_seed(&r, 13);
	for (int i = 0; i < 2000; i++) {
		size_t n = tl_rng_below(&r, 120), plen, outlen = sizeof(out);
		int rc;

		tl_rng_fill(&r, l2tp, n);
		if (n >= 8 && (i & 1)) { /* half of them reach the session */
			memcpy(l2tp, "\x00\x03\x00\x00", 4);
			memcpy(l2tp + 4, &m.session_id, 4);
		}
		plen = outer_in(&sh, l2tp, n, pkt);
		rc = run(skel->progs.l2tp_decap, pkt, plen, out, &outlen);
		assert_true(rc == TC_ACT_OK || rc == TC_ACT_SHOT || rc == TC_ACT_UNSPEC);
		assert_true(outlen <= plen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ebpf_encap_every_form),
	    cmocka_unit_test(test_ebpf_encap_csum),
	    cmocka_unit_test(test_ebpf_encap_no_session),
	    cmocka_unit_test(test_ebpf_encap_elsewhere),
	    cmocka_unit_test(test_ebpf_encap_frag),
	    cmocka_unit_test(test_ebpf_decap_csum),
	    cmocka_unit_test(test_ebpf_decap_every_form),
	    cmocka_unit_test(test_ebpf_decap_not_ours),
	    cmocka_unit_test(test_ebpf_reasm),
	    cmocka_unit_test(test_ebpf_decap_drops),
	    cmocka_unit_test(test_ebpf_decap_random),
	    cmocka_unit_test(test_ebpf_seq_follows_peer),
	    cmocka_unit_test(test_ebpf_encap_gso_frame),
	    cmocka_unit_test(test_ebpf_follow_events),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
