// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_datapath_user.c - the userspace datapath end to end in
 * a private network namespace of the test process (unshare(CLONE_NEWNET);
 * it disappears with the process). The test plays the peer with its own
 * UDP socket on 127.0.0.1:6000 and watches the session's TAP interface
 * with a packet socket. Skipped without CAP_NET_ADMIN / CAP_SYS_ADMIN.
 *
 * No sleeps: the loop is turned (bounded) until the expected packet shows up.
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
#include <net/ethernet.h>
#include <net/if.h>
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

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct l2tp_api_tunnel tc = {0};
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
	e->dp = l2tpd_datapath_user_new(e->loop, &e->reg);
	assert_non_null(e->dp);

	e->peer = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(6000);
	assert_int_equal(bind(e->peer, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons(5000);
	assert_int_equal(connect(e->peer, (struct sockaddr *)&a, sizeof(a)), 0);

	tc.present = L2TP_API_BIT(L2TP_ATTR_IP_SADDR) | L2TP_API_BIT(L2TP_ATTR_IP_DADDR);
	tc.conn_id = 3000;
	tc.peer_conn_id = 4000;
	tc.proto_version = 3;
	tc.encap_type = L2TP_ENCAPTYPE_UDP;
	tc.local_ip.s_addr = tc.peer_ip.s_addr = htonl(INADDR_LOOPBACK);
	tc.udp_sport = 5000;
	tc.udp_dport = 6000;
	e->t = l2tpd_tunnel_add(&e->reg, e->dp, &tc, &err);
	assert_non_null(e->t);

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

/* Stands in for the tests above where they cannot run. */
static void test_datapath_user_needs_root(void **state)
{
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_reorder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_reorder_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_rx_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_datapath_user_name_taken, setup, teardown),
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
	return cmocka_run_group_tests(tests, NULL, NULL);
}
