// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_datapath_user.c - the userspace datapath end to end in
 * a private network namespace of the test process (unshare(CLONE_NEWNET);
 * it disappears with the process). The test plays the peer with its own
 * UDP socket on 127.0.0.1:6000 and watches the session's TAP interface
 * with a packet socket. Skipped without CAP_NET_ADMIN / CAP_SYS_ADMIN.
 *
 * No sleeps: the loop is turned (bounded) until the expected packet shows up.
 *
 * The offload tests inject a 64 KiB-style TCP frame with a virtio-net GSO
 * header into the TAP's transmit path (a packet socket with PACKET_VNET_HDR,
 * as the kernel's TCP would with TSO) and check the wire packets the peer
 * gets: MTU-sized, each a valid TCP/IPv4 segment with its own L2TP header and
 * sequence number, sent as one UDP_SEGMENT message when checksums are on. In
 * the other direction, in-order TCP segments from the peer must reach the
 * interface joined into one frame (GRO), still counted as wire packets.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <l2tp/api.h>
#include <l2tp/wire.h>

#include "../../daemon/datapath.h"
#include "../../daemon/log.h"
#include "../../daemon/loop.h"
#include "../../daemon/registry.h"
#include "../../daemon/tap.h"

#define ETH_TEST_TYPE 0x88b5 /* IEEE 802 local experimental */
#define MSS 1000
#define NSEG 4
#define TCP_SEQ0 0x10203040u
#define TCP_SEQ1 0x50607080u
#define SEG_FRAME (14 + 20 + 20 + MSS)
#define SEG_WIRE (12 + SEG_FRAME) /* L2TPv3 UDP header + default sublayer */

/* Workers of the datapath under test (1: on the test's loop; 2: threads). */
static unsigned int g_workers = 1;

struct env {
	struct l2tpd_loop *loop;
	struct l2tpd_registry reg;
	struct l2tpd_datapath *dp;
	struct l2tpd_tunnel *t;
	struct l2tpd_session *s;
	int peer; /* the test's UDP socket, the tunnel's peer */
	int pkt; /* packet socket on the session's interface */
	int ifindex;
};

/* IFF_UP of |ifname|, read with SIOCGIFFLAGS. */
static bool if_is_up(const char *ifname)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up;

	assert_true(fd >= 0);
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	up = (ifr.ifr_flags & IFF_UP) != 0;
	close(fd);
	return up;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -1 : 0;
}

/*
 * Tunnel |conn_id| (peer |peer_conn_id|) over UDP on the loopback, from
 * port |sport| to |dport|, with UDP checksums when |csum|.
 */
static struct l2tpd_tunnel *loopback_tunnel(struct env *e, uint32_t conn_id, uint32_t peer_conn_id,
					    uint16_t sport, uint16_t dport, bool csum)
{
	struct l2tp_api_tunnel tc = {0};
	struct l2tpd_tunnel *t;
	int err;

	tc.present = L2TP_API_BIT(L2TP_ATTR_IP_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP_DADDR);
	tc.conn_id = conn_id;
	tc.peer_conn_id = peer_conn_id;
	tc.proto_version = 3;
	tc.encap_type = L2TP_ENCAPTYPE_UDP;
	tc.local_ip.s_addr = tc.peer_ip.s_addr = htonl(INADDR_LOOPBACK);
	tc.udp_sport = sport;
	tc.udp_dport = dport;
	tc.udp_csum = csum;
	t = l2tpd_tunnel_add(&e->reg, e->dp, &tc, &err);
	assert_non_null(t);
	return t;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct l2tp_api_session sc = {0};
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	int err;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		free(e);
		return -1;
	}
	/* No IPv6 autoconfiguration chatter on the new interface. */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	assert_int_equal(l2tpd_tap_set_up("lo"), 0);

	e->loop = l2tpd_loop_new(NULL, NULL);
	assert_non_null(e->loop);
	l2tpd_registry_init(&e->reg);
	e->dp = l2tpd_datapath_user_new(e->loop, &e->reg, g_workers);
	assert_non_null(e->dp);

	e->peer = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(6000);
	assert_int_equal(bind(e->peer, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons(5000);
	assert_int_equal(connect(e->peer, (struct sockaddr *)&a, sizeof(a)), 0);

	e->t = loopback_tunnel(e, 3000, 4000, 5000, 6000, false);

	sc.conn_id = 3000;
	sc.session_id = 1000;
	sc.peer_session_id = 2000;
	sc.pw_type = L2TP_PWTYPE_ETH;
	sc.l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
	sc.send_seq = 1;
	sc.recv_seq = 1;
	sc.recv_timeout_ms = 10000; /* reorder, never reached here */
	e->s = l2tpd_session_add(&e->reg, e->dp, e->t, &sc, &err);
	assert_non_null(e->s);
	assert_string_equal(e->s->cfg.ifname, "l2tpeth0");
	e->ifindex = (int)if_nametoindex("l2tpeth0");
	assert_true(e->ifindex > 0);
	/* Created down, as the kernel's l2tp_eth; the administrator brings it up. */
	assert_false(if_is_up("l2tpeth0"));
	assert_int_equal(l2tpd_tap_set_up("l2tpeth0"), 0);
	/* MTU from the loopback route (65536) minus 54, capped by TAP's maximum. */
	assert_true(l2tpd_tap_get_mtu("l2tpeth0") > 1446);

	e->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_TEST_TYPE));
	assert_true(e->pkt >= 0);
	ll.sll_protocol = htons(ETH_TEST_TYPE);
	ll.sll_ifindex = e->ifindex;
	assert_int_equal(bind(e->pkt, (struct sockaddr *)&ll, sizeof(ll)), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	close(e->pkt);
	close(e->peer);
	l2tpd_registry_clear(&e->reg, e->dp);
	/* the kernel removed the TAP device when its fd closed */
	assert_int_equal(if_nametoindex("l2tpeth0"), 0);
	e->dp->ops->free(e->dp);
	l2tpd_loop_free(e->loop);
	free(e);
	return 0;
}

static size_t frame(uint8_t *buf, int n)
{
	memset(buf, 0, 60);
	memset(buf, 0xff, 6); /* broadcast */
	memcpy(buf + 6, "\x02\x00\x00\x00\x00\x01", 6); /* local MAC */
	buf[12] = ETH_TEST_TYPE >> 8;
	buf[13] = ETH_TEST_TYPE & 0xff;
	snprintf((char *)buf + 14, 32, "frame-%d", n);
	return 60;
}

/* Send an L2TPv3 data packet for |sid| with sequence number |seq|. */
static void peer_send(struct env *e, uint32_t sid, uint32_t seq, int n)
{
	uint8_t pkt[128];
	struct l2tp_cursor c;
	struct l2tp_v3_data_hdr h = {
	    .session_id = sid,
	    .l2spec = L2TP_L2SPEC_DEFAULT,
	    .seq_valid = true,
	    .seq = seq,
	};
	ssize_t hl;

	l2tp_cur_init(&c, pkt, sizeof(pkt));
	hl = l2tp_wire_v3_data_encode(&c, L2TP_ENCAP_UDP, &h);
	assert_int_equal(hl, 12);
	frame(pkt + hl, n);
	assert_int_equal(send(e->peer, pkt, (size_t)hl + 60, 0), hl + 60);
}

/* Turn the loop until a frame arrives on the interface; its number or -1. */
static int tap_recv(struct env *e, int turns)
{
	uint8_t buf[256];
	int n;

	for (int i = 0; i < turns; i++) {
		ssize_t r = recv(e->pkt, buf, sizeof(buf), MSG_DONTWAIT);

		if (r >= 14 + 7 && sscanf((char *)buf + 14, "frame-%d", &n) == 1)
			return n;
		l2tpd_loop_once(e->loop, 20);
	}
	return -1;
}

static void stats(struct env *e, struct l2tp_api_stats *ts, struct l2tp_api_stats *ss)
{
	memset(ts, 0, sizeof(*ts));
	memset(ss, 0, sizeof(*ss));
	e->dp->ops->tunnel_stats(e->dp, e->t, ts);
	e->dp->ops->session_stats(e->dp, e->s, ss);
}

static void test_datapath_user_rx_reorder(void **state)
{
	struct env *e = *state;
	struct l2tp_api_stats ts, ss;

	peer_send(e, 1000, 0, 0);
	assert_int_equal(tap_recv(e, 50), 0);
	/* 2 before 1: held, then both delivered in order */
	peer_send(e, 1000, 2, 2);
	peer_send(e, 1000, 1, 1);
	assert_int_equal(tap_recv(e, 50), 1);
	assert_int_equal(tap_recv(e, 50), 2);
	stats(e, &ts, &ss);
	assert_int_equal(ss.rx_packets, 3);
	assert_int_equal(ss.rx_bytes, 3 * 72);
	assert_int_equal(ss.rx_oos_packets, 1);
	assert_int_equal(ts.rx_packets, 3);
	assert_int_equal(ts.rx_invalid, 0);
}

/* A gap that never fills: the reorder timer releases what waits behind it. */
static void test_datapath_user_reorder_timeout(void **state)
{
	struct env *e = *state;
	struct l2tp_api_stats ts, ss;

	e->s->cfg.recv_timeout_ms = 1;
	assert_int_equal(e->dp->ops->session_modify(e->dp, e->s), 0);
	peer_send(e, 1000, 0, 0);
	assert_int_equal(tap_recv(e, 50), 0);
	peer_send(e, 1000, 2, 2); /* 1 is lost */
	assert_int_equal(tap_recv(e, 100), 2);
	peer_send(e, 1000, 3, 3); /* in order again after the skip */
	assert_int_equal(tap_recv(e, 50), 3);
	stats(e, &ts, &ss);
	assert_int_equal(ss.rx_packets, 3);
	assert_int_equal(ss.rx_seq_discards, 0);
}

static void test_datapath_user_rx_drops(void **state)
{
	struct env *e = *state;
	struct l2tp_api_stats ts, ss;

	peer_send(e, 999, 0, 9); /* no such session */
	assert_int_equal(send(e->peer, "\x00", 1, 0), 1); /* runt */
	assert_int_equal(send(e->peer, "\x00\x03\x00\x00\x00\x00\x03\xe8", 8, 0),
			 8); /* no sublayer */
	peer_send(e, 1000, 0, 0); /* a good one behind them */
	assert_int_equal(tap_recv(e, 50), 0);
	stats(e, &ts, &ss);
	assert_int_equal(ts.rx_invalid, 2);
	assert_int_equal(ss.rx_invalid, 1);
	assert_int_equal(ss.rx_packets, 1);
}

static void test_datapath_user_tx(void **state)
{
	struct env *e = *state;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	struct l2tp_v3_data_hdr h;
	struct l2tp_api_stats ts, ss;
	uint8_t f[60], pkt[256];
	ssize_t r = -1, off;

	frame(f, 7);
	ll.sll_ifindex = e->ifindex;
	ll.sll_halen = 6;
	memset(ll.sll_addr, 0xff, 6);
	for (int seq = 0; seq < 2; seq++) {
		assert_int_equal(
		    sendto(e->pkt, f, sizeof(f), 0, (struct sockaddr *)&ll, sizeof(ll)), sizeof(f));
		for (int i = 0; i < 50; i++) {
			r = recv(e->peer, pkt, sizeof(pkt), MSG_DONTWAIT);
			if (r >= 0)
				break;
			l2tpd_loop_once(e->loop, 20);
		}
		assert_int_equal(r, 12 + 60);
		off = l2tp_wire_v3_data_decode(L2TP_ENCAP_UDP, pkt, (size_t)r, 0,
					       L2TP_L2SPEC_DEFAULT, &h, NULL);
		assert_int_equal(off, 12);
		assert_int_equal(h.session_id, 2000); /* the peer's session id */
		assert_true(h.seq_valid);
		assert_int_equal(h.seq, seq);
		assert_memory_equal(pkt + off, f, sizeof(f));
	}
	stats(e, &ts, &ss);
	assert_int_equal(ss.tx_packets, 2);
	assert_int_equal(ss.tx_bytes, 2 * 72);
	assert_int_equal(ts.tx_packets, 2);
}

/* An IPv4/UDP frame of flow |sport| (60 bytes): what the kernel spreads over TAP queues. */
static size_t ip_frame(uint8_t *b, uint16_t sport)
{
	static const uint8_t ip[] = {0x45, 0, 0,   46, 0, 1,  0,   0, 64, 17,
				     0,	   0, 192, 0,  2, 10, 192, 0, 2,  11};

	memset(b, 0, 60);
	memset(b, 0xff, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x01", 6);
	b[12] = 0x08;
	memcpy(b + 14, ip, sizeof(ip));
	b[34] = (uint8_t)(sport >> 8);
	b[35] = (uint8_t)sport;
	b[37] = 9; /* discard */
	b[39] = 26;
	return 60;
}

/*
 * 16 flows into the interface; all must reach the peer. Returns whether
 * they carried sequence numbers; with them, they must be consecutive in
 * the order they arrive (one worker numbers and sends them).
 */
static bool tx_flows(struct env *e, uint16_t sport0)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	bool seen[16] = {false}, with_seq = false;
	uint32_t last = 0;
	int got = 0;

	ll.sll_ifindex = e->ifindex;
	ll.sll_halen = 6;
	memset(ll.sll_addr, 0xff, 6);
	for (uint16_t i = 0; i < 16; i++) {
		uint8_t f[60];
		size_t n = ip_frame(f, (uint16_t)(sport0 + i));

		assert_int_equal(sendto(e->pkt, f, n, 0, (struct sockaddr *)&ll, sizeof(ll)),
				 (ssize_t)n);
	}
	for (int turn = 0; got < 16 && turn < 200; turn++) {
		uint8_t pkt[256];
		struct l2tp_v3_data_hdr h;
		ssize_t r = recv(e->peer, pkt, sizeof(pkt), MSG_DONTWAIT), off;
		unsigned int port;

		if (r < 0) {
			l2tpd_loop_once(e->loop, 20);
			continue;
		}
		off = l2tp_wire_v3_data_decode(L2TP_ENCAP_UDP, pkt, (size_t)r, 0,
					       L2TP_L2SPEC_DEFAULT, &h, NULL);
		assert_int_equal(off, 12);
		assert_int_equal(r - off, 60);
		port = (unsigned int)pkt[off + 34] << 8 | pkt[off + 35];
		assert_true(port >= sport0 && port < sport0 + 16u);
		assert_false(seen[port - sport0]);
		seen[port - sport0] = true;
		if (got == 0)
			with_seq = h.seq_valid;
		assert_int_equal(h.seq_valid, with_seq);
		if (with_seq && got > 0)
			assert_int_equal(h.seq, (last + 1) & 0xffffff);
		last = h.seq;
		got++;
	}
	assert_int_equal(got, 16);
	return with_seq;
}

/*
 * send_seq off and on again (SESSION_MODIFY): without sequence numbers the
 * flows may leave from every worker's TAP queue; with them, from one worker
 * only (the others' queues detached), numbered without a gap or a repeat.
 */
static void test_datapath_user_tx_seq_toggle(void **state)
{
	struct env *e = *state;

	assert_true(tx_flows(e, 20000));
	e->s->cfg.send_seq = 0;
	assert_int_equal(e->dp->ops->session_modify(e->dp, e->s), 0);
	assert_false(tx_flows(e, 21000));
	e->s->cfg.send_seq = 1;
	assert_int_equal(e->dp->ops->session_modify(e->dp, e->s), 0);
	assert_true(tx_flows(e, 22000));
	assert_true(tx_flows(e, 23000));
}

/*
 * A burst of frames, many more than the reads kept outstanding per session
 * (TXR_READS) and than one callback takes: every frame leaves, in the order
 * it entered, with consecutive sequence numbers. Runs with io_uring reads
 * or, with L2TPD_NO_IO_URING=1, with epoll and read().
 */
static void test_datapath_user_tx_burst(void **state)
{
	struct env *e = *state;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	struct l2tp_v3_data_hdr h;
	uint8_t f[60], pkt[256];
	int sent = 0, got = 0, n, sndbuf = 1 << 20;

	ll.sll_ifindex = e->ifindex;
	ll.sll_halen = 6;
	memset(ll.sll_addr, 0xff, 6);
	(void)setsockopt(e->peer, SOL_SOCKET, SO_RCVBUFFORCE, &sndbuf, sizeof(sndbuf));
	/* the TAP queue holds 500 frames (tx_queue_len): stay below it */
	for (; sent < 300; sent++) {
		frame(f, sent);
		assert_int_equal(
		    sendto(e->pkt, f, sizeof(f), 0, (struct sockaddr *)&ll, sizeof(ll)), sizeof(f));
	}
	for (int turn = 0; turn < 200 && got < sent; turn++) {
		ssize_t r = recv(e->peer, pkt, sizeof(pkt), MSG_DONTWAIT);

		if (r < 0) {
			l2tpd_loop_once(e->loop, 20);
			continue;
		}
		assert_int_equal(r, 12 + 60);
		assert_int_equal(l2tp_wire_v3_data_decode(L2TP_ENCAP_UDP, pkt, (size_t)r, 0,
							  L2TP_L2SPEC_DEFAULT, &h, NULL),
				 12);
		assert_int_equal(h.seq, got);
		assert_int_equal(sscanf((char *)pkt + 12 + 14, "frame-%d", &n), 1);
		assert_int_equal(n, got);
		got++;
		turn = 0;
	}
	assert_int_equal(got, sent);
}

static void test_datapath_user_name_taken(void **state)
{
	struct env *e = *state;
	struct l2tp_api_session sc = {0};
	int err = 0;

	sc.session_id = 1001;
	sc.peer_session_id = 2001;
	sc.pw_type = L2TP_PWTYPE_ETH;
	strcpy(sc.ifname, "lo");
	assert_null(l2tpd_session_add(&e->reg, e->dp, e->t, &sc, &err));
	assert_int_equal(err, -EEXIST);
	assert_true(if_nametoindex("lo") > 0);
	/* the next automatic name skips the one in use */
	sc.ifname[0] = '\0';
	assert_non_null(l2tpd_session_add(&e->reg, e->dp, e->t, &sc, &err));
	assert_non_null(l2tpd_session_find_ifname(&e->reg, "l2tpeth1"));
}

/* ---- offloads ---------------------------------------------------------- */

static uint32_t sum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* TCP pseudo-header sum (RFC 793) for the IPv4 header |ip|, |tcplen| bytes. */
static uint32_t pseudo_sum(const uint8_t *ip, size_t tcplen)
{
	uint32_t sum = sum_add(0, ip + 12, 8);

	return sum + 6 + (uint32_t)tcplen;
}

/*
 * Ethernet + IPv4 + TCP (no options) carrying |plen| bytes of the stream
 * from |seq| (byte k of the stream is (uint8_t)k). |partial|: the TCP
 * checksum field holds only the pseudo-header sum (NEEDS_CSUM), else the
 * full checksum.
 */
static size_t tcp_frame(uint8_t *f, uint32_t seq, size_t plen, uint8_t flags, bool partial)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint32_t sum;

	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	memset(ip, 0, 40);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(40 + plen));
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\xc6\x33\x64\x01\xc6\x33\x64\x02", 8); /* 198.51.100.1 -> .2 */
	put16(ip + 10, (uint16_t)~sum_fold(sum_add(0, ip, 20)));
	put16(tcp, 40000);
	put16(tcp + 2, 5201);
	for (int i = 0; i < 4; i++)
		tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	tcp[11] = 1; /* ack 1 */
	tcp[12] = 0x50;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	for (size_t i = 0; i < plen; i++)
		tcp[20 + i] = (uint8_t)(seq + i);
	sum = pseudo_sum(ip, 20 + plen);
	if (partial) {
		put16(tcp + 16, sum_fold(sum));
	} else {
		put16(tcp + 16, (uint16_t)~sum_fold(sum_add(sum, tcp, 20 + plen)));
	}
	return 14 + 40 + plen;
}

/* |f| is a valid TCP/IPv4 segment of the stream at |seq| with |plen| bytes. */
static void check_segment(const uint8_t *f, size_t len, uint32_t seq, size_t plen)
{
	const uint8_t *ip = f + 14, *tcp = ip + 20;

	assert_int_equal(len, 14 + 40 + plen);
	assert_int_equal(get16(f + 12), 0x0800);
	assert_int_equal(get16(ip + 2), 40 + plen);
	assert_int_equal(sum_fold(sum_add(0, ip, 20)), 0xffff); /* header checksum */
	assert_int_equal(get32(tcp + 4), seq);
	assert_int_equal(sum_fold(sum_add(pseudo_sum(ip, 20 + plen), tcp, 20 + plen)), 0xffff);
	for (size_t i = 0; i < plen; i++)
		assert_int_equal(tcp[20 + i], (uint8_t)(seq + i));
}

/* Send one GSO TCP frame of NSEG * MSS bytes into the TAP |ifindex|. */
static void inject_tso(int ifindex)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + 14 + 40 + NSEG * MSS];
	struct virtio_net_hdr vh = {
	    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	    .hdr_len = 14 + 40,
	    .gso_size = MSS,
	    .csum_start = 14 + 20,
	    .csum_offset = 16,
	};
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	int one = 1, ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	size_t n;

	assert_true(ps >= 0);
	assert_int_equal(setsockopt(ps, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)), 0);
	memcpy(buf, &vh, sizeof(vh));
	/* PSH on the frame: only the last segment may carry it */
	n = tcp_frame(buf + sizeof(vh), TCP_SEQ0, NSEG * MSS, 0x18, true);
	ll.sll_ifindex = ifindex;
	ll.sll_protocol = htons(0x0800);
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, buf + sizeof(vh), 6);
	assert_int_equal(sendto(ps, buf, sizeof(vh) + n, 0, (struct sockaddr *)&ll, sizeof(ll)),
			 (ssize_t)(sizeof(vh) + n));
	close(ps);
}

/* One L2TP datagram of the TSO test: header, seq |i|, segment |i|. */
static void check_wire(const uint8_t *pkt, size_t len, int i)
{
	struct l2tp_v3_data_hdr h;
	ssize_t off =
	    l2tp_wire_v3_data_decode(L2TP_ENCAP_UDP, pkt, len, 0, L2TP_L2SPEC_DEFAULT, &h, NULL);

	assert_int_equal(off, 12);
	assert_true(h.seq_valid);
	assert_int_equal(h.seq, i);
	check_segment(pkt + off, len - (size_t)off, TCP_SEQ0 + (uint32_t)i * MSS, MSS);
	/* PSH only on the last segment */
	assert_int_equal(pkt[off + 14 + 20 + 13], i == NSEG - 1 ? 0x18 : 0x10);
}

/* A TSO frame from the TAP leaves as MTU-sized datagrams (udp_csum off). */
static void test_datapath_user_tx_tso(void **state)
{
	struct env *e = *state;
	struct l2tp_api_stats ts, ss;
	uint8_t pkt[2048];
	int got = 0;

	inject_tso(e->ifindex);
	for (int turn = 0; turn < 100 && got < NSEG; turn++) {
		ssize_t r = recv(e->peer, pkt, sizeof(pkt), MSG_DONTWAIT);

		if (r < 0) {
			l2tpd_loop_once(e->loop, 20);
			continue;
		}
		assert_int_equal(r, SEG_WIRE);
		check_wire(pkt, (size_t)r, got);
		got++;
	}
	assert_int_equal(got, NSEG);
	stats(e, &ts, &ss);
	assert_int_equal(ss.tx_packets, NSEG); /* wire packets, not the TSO frame */
	assert_int_equal(ss.tx_bytes, NSEG * SEG_WIRE);
	assert_int_equal(ss.tx_errors, 0);
	assert_int_equal(ts.tx_packets, NSEG);
}

/*
 * With udp_csum on, the segments of one TSO frame leave in one UDP_SEGMENT
 * message: a peer socket with UDP_GRO gets them in one read (loopback does
 * not coalesce datagrams that were sent separately).
 */
static void tx_gso(struct env *e, unsigned int lo_mtu)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct l2tp_api_session sc = {0};
	struct l2tp_api_stats ss;
	struct l2tpd_tunnel *t;
	struct l2tpd_session *s;
	static uint8_t pkt[65536];
	union {
		struct cmsghdr align;
		uint8_t b[64];
	} cbuf;
	struct iovec iov = {pkt, sizeof(pkt)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int one = 1, peer, err, gso = 0;
	ssize_t r = -1;

	peer = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(6001);
	assert_int_equal(bind(peer, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons(5001);
	assert_int_equal(connect(peer, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(setsockopt(peer, SOL_UDP, UDP_GRO, &one, sizeof(one)), 0);

	t = loopback_tunnel(e, 3001, 4001, 5001, 6001, true);
	sc.conn_id = 3001;
	sc.session_id = 1001;
	sc.peer_session_id = 2001;
	sc.pw_type = L2TP_PWTYPE_ETH;
	sc.l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
	sc.send_seq = 1;
	s = l2tpd_session_add(&e->reg, e->dp, t, &sc, &err);
	assert_non_null(s);
	assert_int_equal(l2tpd_tap_set_up(s->cfg.ifname), 0);

	if (lo_mtu) {
		/*
		 * Datagrams above the path MTU: UDP_SEGMENT refuses them
		 * (EMSGSIZE), so they go one by one and IP fragments them.
		 */
		assert_int_equal(l2tpd_tap_set_mtu("lo", lo_mtu), 0);
		inject_tso((int)if_nametoindex(s->cfg.ifname));
		for (int i = 0, turn = 0; i < NSEG && turn < 100; turn++) {
			mh.msg_control = cbuf.b;
			mh.msg_controllen = sizeof(cbuf.b);
			r = recvmsg(peer, &mh, MSG_DONTWAIT);
			if (r < 0) {
				l2tpd_loop_once(e->loop, 20);
				continue;
			}
			assert_int_equal(r, SEG_WIRE);
			check_wire(pkt, SEG_WIRE, i++);
		}
		e->dp->ops->session_stats(e->dp, s, &ss);
		assert_int_equal(ss.tx_packets, NSEG);
		assert_int_equal(ss.tx_errors, 0);
		assert_int_equal(l2tpd_tap_set_mtu("lo", 65536), 0);
		close(peer);
		return;
	}
	inject_tso((int)if_nametoindex(s->cfg.ifname));
	for (int turn = 0; turn < 100; turn++) {
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		r = recvmsg(peer, &mh, MSG_DONTWAIT);
		if (r >= 0)
			break;
		l2tpd_loop_once(e->loop, 20);
	}
	assert_int_equal(r, NSEG * SEG_WIRE); /* all segments in one read */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
			memcpy(&gso, CMSG_DATA(c), sizeof(gso));
	assert_int_equal(gso, SEG_WIRE);
	for (int i = 0; i < NSEG; i++)
		check_wire(pkt + i * SEG_WIRE, SEG_WIRE, i);
	e->dp->ops->session_stats(e->dp, s, &ss);
	assert_int_equal(ss.tx_packets, NSEG);
	assert_int_equal(ss.tx_bytes, NSEG * SEG_WIRE);
	close(peer);
}

static void test_datapath_user_tx_gso(void **state)
{
	tx_gso(*state, 0);
}

static void test_datapath_user_tx_gso_too_big(void **state)
{
	tx_gso(*state, 1000);
}

/* The peer sends NSEG in-order TCP segments; |gso|: in one UDP_SEGMENT message. */
static void peer_send_tcp(struct env *e, bool gso, bool two_sessions)
{
	static uint8_t pkt[NSEG * SEG_WIRE];
	uint16_t seg = SEG_WIRE;
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(uint16_t))];
	} cbuf;
	struct iovec iov = {pkt, sizeof(pkt)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	for (int i = 0; i < NSEG; i++) {
		/* two sessions: the first half for 1000, the second for 1001 */
		bool second = two_sessions && i >= NSEG / 2;
		int k = second ? i - NSEG / 2 : i;
		bool last = two_sessions ? k == NSEG / 2 - 1 : i == NSEG - 1;
		struct l2tp_cursor cur;
		struct l2tp_v3_data_hdr h = {
		    .session_id = second ? 1001 : 1000,
		    .l2spec = L2TP_L2SPEC_DEFAULT,
		    .seq_valid = true,
		    .seq = (uint32_t)k,
		};
		uint8_t *p = pkt + i * SEG_WIRE;

		l2tp_cur_init(&cur, p, SEG_WIRE);
		assert_int_equal(l2tp_wire_v3_data_encode(&cur, L2TP_ENCAP_UDP, &h), 12);
		tcp_frame(p + 12, (second ? TCP_SEQ1 : TCP_SEQ0) + (uint32_t)k * MSS, MSS,
			  last ? 0x18 : 0x10, false);
		if (!gso)
			assert_int_equal(send(e->peer, p, SEG_WIRE, 0), SEG_WIRE);
	}
	if (!gso)
		return;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof(cbuf.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	assert_int_equal(sendmsg(e->peer, &mh, 0), (ssize_t)sizeof(pkt));
}

/*
 * In-order TCP segments of one flow reach the interface as one joined frame
 * (the TAP gets it with a GSO header); the session counts NSEG packets.
 * |gso|: they came in one UDP GRO datagram.
 */
static void rx_gro(struct env *e, bool gso)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	struct l2tp_api_stats ts, ss;
	static uint8_t f[65536];
	int ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x0800));
	ssize_t r = -1;

	assert_true(ps >= 0);
	ll.sll_protocol = htons(0x0800);
	ll.sll_ifindex = e->ifindex;
	assert_int_equal(bind(ps, (struct sockaddr *)&ll, sizeof(ll)), 0);
	peer_send_tcp(e, gso, false);
	/*
	 * One frame with the whole stream: headers of the first, payloads
	 * joined. A worker thread may take separate datagrams (!gso) in more
	 * than one batch, and joins what each batch holds: then the frames,
	 * in order, must still carry the stream.
	 */
	for (size_t done = 0, frames = 0; done < NSEG * MSS; frames++) {
		uint32_t seq;

		r = -1;
		for (int turn = 0; turn < 100 && r < 0; turn++) {
			r = recv(ps, f, sizeof(f), MSG_DONTWAIT);
			if (r < 0)
				l2tpd_loop_once(e->loop, 20);
		}
		if (frames == 0 && (gso || g_workers == 1))
			assert_int_equal(r, 14 + 40 + NSEG * MSS);
		assert_true(r > 14 + 40 && (size_t)r - 54 <= NSEG * MSS - done);
		assert_int_equal(get16(f + 14 + 2), r - 14);
		seq = get32(f + 14 + 20 + 4);
		assert_int_equal(seq, TCP_SEQ0 + done);
		for (size_t i = 0; i < (size_t)r - 54; i++)
			assert_int_equal(f[14 + 40 + i], (uint8_t)(seq + i));
		done += (size_t)r - 54;
	}
	assert_int_equal(recv(ps, f, sizeof(f), MSG_DONTWAIT), -1);
	close(ps);
	stats(e, &ts, &ss);
	assert_int_equal(ss.rx_packets, NSEG);
	assert_int_equal(ss.rx_bytes, NSEG * SEG_WIRE);
	assert_int_equal(ss.rx_seq_discards, 0);
	assert_int_equal(ss.rx_errors, 0);
}

static void test_datapath_user_rx_gro_join(void **state)
{
	rx_gro(*state, false);
}

static void test_datapath_user_rx_gro_split(void **state)
{
	rx_gro(*state, true);
}

/* Wait for one IPv4 frame on packet socket |ps|; its length or -1. */
static ssize_t recv_ip(struct env *e, int ps, uint8_t *f, size_t cap)
{
	for (int turn = 0; turn < 100; turn++) {
		ssize_t r = recv(ps, f, cap, MSG_DONTWAIT);

		if (r >= 0)
			return r;
		l2tpd_loop_once(e->loop, 20);
	}
	return -1;
}

static int ip_sock(int ifindex)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	int ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x0800));

	assert_true(ps >= 0);
	ll.sll_protocol = htons(0x0800);
	ll.sll_ifindex = ifindex;
	assert_int_equal(bind(ps, (struct sockaddr *)&ll, sizeof(ll)), 0);
	return ps;
}

/*
 * One GRO datagram carries segments of two sessions of the tunnel: each
 * session's segments are joined for its own interface, never across.
 */
static void test_datapath_user_rx_gro_sessions(void **state)
{
	struct env *e = *state;
	struct l2tp_api_session sc = {0};
	struct l2tp_api_stats ss;
	struct l2tpd_session *s2;
	static uint8_t f[65536];
	int err, ps1, ps2;

	sc.conn_id = 3000;
	sc.session_id = 1001;
	sc.peer_session_id = 2001;
	sc.pw_type = L2TP_PWTYPE_ETH;
	sc.l2spec_type = L2TP_L2SPECTYPE_DEFAULT;
	sc.send_seq = 1;
	sc.recv_seq = 1;
	s2 = l2tpd_session_add(&e->reg, e->dp, e->t, &sc, &err);
	assert_non_null(s2);
	assert_int_equal(l2tpd_tap_set_up(s2->cfg.ifname), 0);
	ps1 = ip_sock(e->ifindex);
	ps2 = ip_sock((int)if_nametoindex(s2->cfg.ifname));
	peer_send_tcp(e, true, true);
	assert_int_equal(recv_ip(e, ps1, f, sizeof(f)), 14 + 40 + NSEG / 2 * MSS);
	assert_int_equal(get32(f + 14 + 20 + 4), TCP_SEQ0);
	for (size_t i = 0; i < NSEG / 2 * MSS; i++)
		assert_int_equal(f[14 + 40 + i], (uint8_t)(TCP_SEQ0 + i));
	assert_int_equal(recv_ip(e, ps2, f, sizeof(f)), 14 + 40 + NSEG / 2 * MSS);
	assert_int_equal(get32(f + 14 + 20 + 4), TCP_SEQ1);
	for (size_t i = 0; i < NSEG / 2 * MSS; i++)
		assert_int_equal(f[14 + 40 + i], (uint8_t)(TCP_SEQ1 + i));
	/* nothing else on either interface */
	assert_int_equal(recv(ps1, f, sizeof(f), MSG_DONTWAIT), -1);
	assert_int_equal(recv(ps2, f, sizeof(f), MSG_DONTWAIT), -1);
	e->dp->ops->session_stats(e->dp, s2, &ss);
	assert_int_equal(ss.rx_packets, NSEG / 2);
	e->dp->ops->session_stats(e->dp, e->s, &ss);
	assert_int_equal(ss.rx_packets, NSEG / 2);
	close(ps1);
	close(ps2);
}

/* Several frames in one UDP GRO datagram are split and each decapsulated. */
static void test_datapath_user_rx_gro_frames(void **state)
{
	struct env *e = *state;
	static uint8_t pkt[8 * 72];
	uint16_t seg = 72;
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(uint16_t))];
	} cbuf;
	struct iovec iov = {pkt, sizeof(pkt)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct l2tp_api_stats ts, ss;
	struct cmsghdr *c;

	for (int i = 0; i < 8; i++) {
		struct l2tp_cursor cur;
		struct l2tp_v3_data_hdr h = {
		    .session_id = 1000,
		    .l2spec = L2TP_L2SPEC_DEFAULT,
		    .seq_valid = true,
		    .seq = (uint32_t)i,
		};

		l2tp_cur_init(&cur, pkt + i * 72, 72);
		assert_int_equal(l2tp_wire_v3_data_encode(&cur, L2TP_ENCAP_UDP, &h), 12);
		frame(pkt + i * 72 + 12, i);
	}
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof(cbuf.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	assert_int_equal(sendmsg(e->peer, &mh, 0), (ssize_t)sizeof(pkt));
	for (int i = 0; i < 8; i++)
		assert_int_equal(tap_recv(e, 50), i);
	stats(e, &ts, &ss);
	assert_int_equal(ss.rx_packets, 8);
	assert_int_equal(ss.rx_bytes, 8 * 72);
	assert_int_equal(ss.rx_oos_packets, 0);
	assert_int_equal(ts.rx_invalid, 0);
}

/* Stands in for the tests above where they cannot run. */
static void test_datapath_user_needs_root(void **state)
{
	skip();
}

int main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_reorder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_reorder_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx_burst, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx_seq_toggle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_name_taken, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx_tso, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx_gso, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx_gso_too_big, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_gro_join, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_gro_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_gro_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_gro_sessions, setup, teardown),
	};

	l2tpd_log_set_quiet(true);
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 ||
	    access("/dev/net/tun", R_OK | W_OK) < 0) {
		const struct CMUnitTest skipped[] = {
		    cmocka_unit_test(test_datapath_user_needs_root),
		};

		printf("needs root: unshare(CLONE_NEWNET) and /dev/net/tun\n");
		return cmocka_run_group_tests(skipped, NULL, NULL);
	}
	/* Every case twice: TAP I/O through io_uring, then without it. */
	rc = cmocka_run_group_tests_name("io_uring", tests, NULL, NULL);
	setenv("L2TPD_NO_IO_URING", "1", 1);
	rc += cmocka_run_group_tests_name("read/write", tests, NULL, NULL);
	unsetenv("L2TPD_NO_IO_URING");
	/* Plain io_uring reads kept outstanding, as before Linux 6.7. */
	setenv("L2TPD_NO_MULTISHOT", "1", 1);
	rc += cmocka_run_group_tests_name("io_uring, no multishot read", tests, NULL, NULL);
	unsetenv("L2TPD_NO_MULTISHOT");
	/* And on two worker threads (steered sockets, a multi-queue TAP). */
	g_workers = 2;
	rc += cmocka_run_group_tests_name("2 workers", tests, NULL, NULL);
	return rc;
}
