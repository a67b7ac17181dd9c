// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_tap.c - interface name validation and allocation
 * (daemon/tap.c), without creating devices; and, as root in a private
 * network namespace (skipped otherwise), the virtio-net header framing of
 * a real TAP device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "../../daemon/tap.h"

static bool in_set(const char *name, void *arg)
{
	for (const char *const *p = arg; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

static void test_tap_first_free(void **state)
{
	static const char *none[] = {NULL};
	static const char *some[] = {"l2tpeth0", "l2tpeth1", "l2tpeth3", NULL};
	char out[IFNAMSIZ];

	assert_int_equal(l2tpd_tap_first_free("l2tpeth", in_set, (void *)none, out), 0);
	assert_string_equal(out, "l2tpeth0");
	assert_int_equal(l2tpd_tap_first_free("l2tpeth", in_set, (void *)some, out), 0);
	assert_string_equal(out, "l2tpeth2");
	assert_int_equal(l2tpd_tap_first_free("l2tpeth", NULL, NULL, out), 0);
	assert_string_equal(out, "l2tpeth0");
}

static bool all_used(const char *name, void *arg)
{
	return true;
}

static void test_tap_first_free_errors(void **state)
{
	char out[IFNAMSIZ];

	/* prefix + number must fit IFNAMSIZ - 1 */
	assert_int_equal(l2tpd_tap_first_free("abcdefghijklmno", NULL, NULL, out), -EINVAL);
	assert_int_equal(l2tpd_tap_first_free("abcdefghijklmn", NULL, NULL, out), 0);
	assert_string_equal(out, "abcdefghijklmn0");
	/* ...and the digits run out before 100000 */
	assert_int_equal(l2tpd_tap_first_free("abcdefghijklmn", all_used, NULL, out), -EINVAL);
	assert_int_equal(l2tpd_tap_first_free("x", all_used, NULL, out), -ENFILE);
}

static void test_tap_name_valid(void **state)
{
	assert_true(l2tpd_tap_name_valid("l2tpeth0"));
	assert_true(l2tpd_tap_name_valid("pw-site.b_1"));
	assert_true(l2tpd_tap_name_valid("abcdefghijklmno")); /* 15 bytes */
	assert_false(l2tpd_tap_name_valid("abcdefghijklmnop")); /* 16 */
	assert_false(l2tpd_tap_name_valid(""));
	assert_false(l2tpd_tap_name_valid(NULL));
	assert_false(l2tpd_tap_name_valid("."));
	assert_false(l2tpd_tap_name_valid(".."));
	assert_false(l2tpd_tap_name_valid("a/b"));
	assert_false(l2tpd_tap_name_valid("a:b"));
	assert_false(l2tpd_tap_name_valid("a b"));
	assert_false(l2tpd_tap_name_valid("eth%d"));
	assert_false(l2tpd_tap_name_valid("a\tb"));
	assert_false(l2tpd_tap_name_valid("a\x7f"));
}

static void test_tap_create_rejects_bad_name(void **state)
{
	char out[IFNAMSIZ];

	/* checked before /dev/net/tun is touched, so this needs no privilege */
	assert_int_equal(l2tpd_tap_create("bad/name", NULL, NULL, out), -EINVAL);
	assert_int_equal(l2tpd_tap_create("eth%d", NULL, NULL, out), -EINVAL);
	/* "lo" exists in every namespace: never attached to */
	assert_int_equal(l2tpd_tap_create("lo", NULL, NULL, out), -EEXIST);
}

/*
 * Reads and writes on the fd carry a 10-byte virtio-net header before the
 * frame, and the offloads are on.
 */
static void test_tap_vnet_hdr(void **state)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	uint8_t f[60], buf[256];
	struct virtio_net_hdr vh = {0};
	unsigned int features = 0;
	int fd, ps, sz = 0, idx;
	char name[IFNAMSIZ];
	struct ifreq ifr = {0};
	ssize_t r = -1;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || access("/dev/net/tun", R_OK | W_OK) < 0)
		skip();
	fd = l2tpd_tap_create("vnet0", NULL, NULL, name);
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, TUNGETVNETHDRSZ, &sz), 0);
	assert_int_equal(sz, L2TPD_TAP_VNET_HDR_LEN);
	assert_int_equal(ioctl(fd, TUNGETIFF, &ifr), 0);
	assert_true(ifr.ifr_flags & IFF_VNET_HDR);
	assert_int_equal(ioctl(fd, TUNGETFEATURES, &features), 0);
	assert_int_equal(l2tpd_tap_set_up(name), 0);
	idx = (int)if_nametoindex(name);
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x88b5));
	assert_true(ps >= 0);
	ll.sll_protocol = htons(0x88b5);
	ll.sll_ifindex = idx;
	assert_int_equal(bind(ps, (struct sockaddr *)&ll, sizeof(ll)), 0);
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01\x88\xb5vnet", 12);
	/* host -> reader: header (no GSO, no checksum to finish), then the frame */
	ll.sll_halen = 6;
	memset(ll.sll_addr, 0xff, 6);
	assert_int_equal(sendto(ps, f, sizeof(f), 0, (struct sockaddr *)&ll, sizeof(ll)), 60);
	for (int i = 0; i < 100 && r < 0; i++) {
		r = read(fd, buf, sizeof(buf));
		/* skip what the host sends by itself (IPv6 on link up) */
		if (r >= L2TPD_TAP_VNET_HDR_LEN + 14 && buf[L2TPD_TAP_VNET_HDR_LEN + 12] != 0x88)
			r = -1;
		if (r < 0)
			usleep(1000);
	}
	assert_int_equal(r, L2TPD_TAP_VNET_HDR_LEN + 60);
	memcpy(&vh, buf, sizeof(vh));
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_memory_equal(buf + L2TPD_TAP_VNET_HDR_LEN, f, 60);
	/* writer -> host: the same framing */
	memset(buf, 0, L2TPD_TAP_VNET_HDR_LEN);
	memcpy(buf + L2TPD_TAP_VNET_HDR_LEN, f, 60);
	buf[L2TPD_TAP_VNET_HDR_LEN + 17] = 'W';
	assert_int_equal(write(fd, buf, L2TPD_TAP_VNET_HDR_LEN + 60), L2TPD_TAP_VNET_HDR_LEN + 60);
	r = -1;
	for (int i = 0; i < 100 && r < 0; i++) {
		r = recv(ps, buf, sizeof(buf), MSG_DONTWAIT);
		/* our own transmission shows up too: wait for the one we wrote */
		if (r >= 18 && buf[17] != 'W')
			r = -1;
		if (r < 0)
			usleep(1000);
	}
	assert_int_equal(r, 60);
	close(ps);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tap_first_free),
	    cmocka_unit_test(test_tap_first_free_errors),
	    cmocka_unit_test(test_tap_name_valid),
	    cmocka_unit_test(test_tap_create_rejects_bad_name),
	    cmocka_unit_test(test_tap_vnet_hdr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
