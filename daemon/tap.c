// SPDX-License-Identifier: MIT
/*
 * daemon/tap.c - TAP open and interface configuration.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "tap.h"

bool l2tpd_tap_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/' || c == ':' || c == '%' || isspace(c) || !isprint(c))
			return false;
	}
	return true;
}

#define TAP_NAMES_MAX 100000

/* The first free "<prefix>N" with N >= |start| (wrapping once); *|idx| gets N. */
static int free_from(const char *prefix, unsigned int start,
		     bool (*in_use)(const char *name, void *arg), void *arg, char out[IFNAMSIZ],
		     unsigned int *idx)
{
	for (unsigned int k = 0; k < TAP_NAMES_MAX; k++) {
		unsigned int i = (start + k) % TAP_NAMES_MAX;
		int n = snprintf(out, IFNAMSIZ, "%s%u", prefix, i);

		if (n < 0 || n >= IFNAMSIZ)
			return -EINVAL;
		if (!in_use || !in_use(out, arg)) {
			*idx = i;
			return 0;
		}
	}
	return -ENFILE;
}

int l2tpd_tap_first_free(const char *prefix, bool (*in_use)(const char *name, void *arg), void *arg,
			 char out[IFNAMSIZ])
{
	unsigned int idx;

	return free_from(prefix, 0, in_use, arg, out, &idx);
}

/*
 * Below this index every automatic name was taken when we last looked:
 * allocation starts here, so that making N interfaces costs N checks, not
 * N^2 (each check is an ioctl and a registry search). Our own deletions
 * move it back (l2tpd_tap_released), so names are reused lowest first.
 */
static unsigned int auto_hint;

void l2tpd_tap_released(const char *name)
{
	size_t pl = strlen(L2TPD_TAP_PREFIX);
	char *end;
	unsigned long i;

	if (strncmp(name, L2TPD_TAP_PREFIX, pl) || !name[pl])
		return;
	i = strtoul(name + pl, &end, 10);
	if (!*end && i < auto_hint)
		auto_hint = (unsigned int)i;
}

static bool name_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

struct in_use_ctx {
	bool (*in_use)(const char *name, void *arg);
	void *arg;
};

static bool auto_in_use(const char *name, void *arg)
{
	struct in_use_ctx *c = arg;

	return name_exists(name) || (c->in_use && c->in_use(name, c->arg));
}

/*
 * |flags|: IFF_TUN for a TUN device (IP packets, no virtio-net header),
 * IFF_TUN_EXCL to create (fail with EBUSY rather than attach to an
 * existing device), IFF_MULTI_QUEUE for a device with several queues.
 */
static int tap_open(const char *name, short flags, char out[IFNAMSIZ])
{
	struct ifreq ifr;
	int fd, err, hdrsz;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	if (flags & IFF_TUN)
		ifr.ifr_flags = (short)(IFF_NO_PI | flags);
	else
		ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | flags);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno == EBUSY ? -EEXIST : -errno;
		close(fd);
		return err;
	}
	if (flags & IFF_TUN)
		goto done; /* IP packets as they are: no header, no offloads */
	hdrsz = L2TPD_TAP_VNET_HDR_LEN;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	/*
	 * Offloads are an optimisation: a kernel that refuses them still hands
	 * us plain frames (with a zero virtio-net header).
	 */
	(void)ioctl(fd, TUNSETOFFLOAD, (unsigned long)L2TPD_TAP_OFFLOADS);
done:
	memcpy(out, ifr.ifr_name, IFNAMSIZ);
	out[IFNAMSIZ - 1] = '\0';
	return fd;
}

static int tap_create(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
		      short flags, char out[IFNAMSIZ])
{
	struct in_use_ctx a = {in_use, arg};
	char cand[IFNAMSIZ];
	int fd, rc;

	flags |= IFF_TUN_EXCL;
	if (name && *name) {
		if (!l2tpd_tap_name_valid(name))
			return -EINVAL;
		if (name_exists(name) || (in_use && in_use(name, arg)))
			return -EEXIST;
		return tap_open(name, flags, out);
	}
	/* Bounded retries: another process may take the name between check and create. */
	for (int tries = 0; tries < 16; tries++) {
		bool tun = flags & IFF_TUN;
		unsigned int idx;

		rc = free_from(tun ? L2TPD_TUN_PREFIX : L2TPD_TAP_PREFIX, tun ? 0 : auto_hint,
			       auto_in_use, &a, cand, &idx);
		if (rc < 0)
			return rc;
		fd = tap_open(cand, flags, out);
		if (fd != -EEXIST) {
			if (fd >= 0 && !tun)
				auto_hint = idx + 1;
			return fd;
		}
	}
	return -EEXIST;
}

int l2tpd_tap_create(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
		     char out[IFNAMSIZ])
{
	return tap_create(name, in_use, arg, 0, out);
}

int l2tpd_tun_create(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
		     char out[IFNAMSIZ])
{
	return tap_create(name, in_use, arg, IFF_TUN, out);
}

int l2tpd_tap_create_mq(const char *name, bool (*in_use)(const char *name, void *arg), void *arg,
			unsigned int nq, int *fds, char out[IFNAMSIZ])
{
	char got[IFNAMSIZ];
	int fd;

	if (nq == 0)
		return -EINVAL;
	if (nq == 1) {
		fd = tap_create(name, in_use, arg, 0, out);
		fds[0] = fd;
		return fd < 0 ? fd : 0;
	}
	fd = tap_create(name, in_use, arg, IFF_MULTI_QUEUE, out);
	if (fd < 0)
		return fd;
	fds[0] = fd;
	for (unsigned int i = 1; i < nq; i++) {
		/* The same flags attach another queue to the device just made. */
		fd = tap_open(out, IFF_MULTI_QUEUE, got);
		if (fd < 0) {
			while (i-- > 0)
				close(fds[i]);
			return fd;
		}
		fds[i] = fd;
	}
	return 0;
}

int l2tpd_tap_queue_enable(int fd, bool on)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	return ioctl(fd, TUNSETQUEUE, &ifr) < 0 ? -errno : 0;
}

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (s < 0)
		return -errno;
	if (ioctl(s, req, ifr) < 0)
		rc = -errno;
	close(s);
	return rc;
}

int l2tpd_tap_set_mtu(const char *ifname, unsigned int mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

int l2tpd_tap_get_mtu(const char *ifname)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	rc = ifreq_ioctl(SIOCGIFMTU, &ifr);
	return rc < 0 ? rc : ifr.ifr_mtu;
}

int l2tpd_tap_set_up(const char *ifname)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	if (rc < 0)
		return rc;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

/* ---- deleting many interfaces at once ------------------------------------ */

/* Send the messages in |buf| and read one ack per message. Returns the first error. */
static int rtnl_talk_batch(struct mnl_socket *nl, uint8_t *buf, size_t len, unsigned int n)
{
	static uint8_t rx[16384];
	int first = 0;

	if (mnl_socket_sendto(nl, buf, len) < 0)
		return -errno;
	while (n > 0) {
		ssize_t got = mnl_socket_recvfrom(nl, rx, sizeof(rx));
		int r = (int)got;

		if (got < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rx; mnl_nlmsg_ok(h, r);
		     h = mnl_nlmsg_next(h, &r)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (e->error && !first)
				first = e->error;
			if (n > 0)
				n--;
		}
	}
	return first;
}

/* An RTM_NEWLINK/DELLINK at |buf| for |name| (or any: NULL) with IFLA_GROUP |group|. */
static struct nlmsghdr *put_link_msg(uint8_t *buf, uint16_t type, uint32_t seq, const char *name,
				     uint32_t group)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (name)
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_GROUP, group);
	return h;
}

int l2tpd_links_delete(const char (*names)[IFNAMSIZ], unsigned int n)
{
	/* An interface group of our own for the batch, as "ip link del group". */
	uint32_t group = 0x4c320000u | ((uint32_t)getpid() & 0xffffu);
	static uint8_t buf[64 * 1024];
	struct mnl_socket *nl;
	unsigned int done = 0;
	int rc = 0;

	if (n == 0)
		return 0;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	while (done < n && rc == 0) {
		size_t len = 0;
		unsigned int k = 0;

		/* As many "ip link set NAME group G" as fit in one datagram. */
		for (; done < n && len + 256 <= sizeof(buf); done++, k++)
			len += NLMSG_ALIGN(
			    put_link_msg(buf + len, RTM_NEWLINK, done + 1, names[done], group)
				->nlmsg_len);
		rc = rtnl_talk_batch(nl, buf, len, k);
		if (rc == -ENODEV)
			rc = 0; /* already gone */
	}
	if (rc == 0) {
		/* One unregister for the whole group: one RCU grace period, not one each. */
		struct nlmsghdr *h = put_link_msg(buf, RTM_DELLINK, n + 1, NULL, group);

		rc = rtnl_talk_batch(nl, buf, h->nlmsg_len, 1);
	}
out:
	mnl_socket_close(nl);
	return rc;
}

/* ---- addresses ------------------------------------------------------------ */

int l2tpd_if_addr_add(const char *ifname, int family, const void *local, const void *peer,
		      unsigned int prefixlen)
{
	unsigned int idx = if_nametoindex(ifname);
	size_t alen = family == AF_INET6 ? 16 : 4;
	uint8_t buf[256];
	struct nlmsghdr *h;
	struct ifaddrmsg *ifa;
	struct mnl_socket *nl;
	int rc;

	if (!idx)
		return -ENODEV;
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWADDR;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	h->nlmsg_seq = 1;
	ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_scope = family == AF_INET6 && ((const uint8_t *)local)[0] == 0xfe
			     ? RT_SCOPE_LINK
			     : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = idx;
	mnl_attr_put(h, IFA_LOCAL, alen, local);
	/* with IFA_LOCAL set, IFA_ADDRESS is the point-to-point peer */
	mnl_attr_put(h, IFA_ADDRESS, alen, peer ? peer : local);
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		rc = -errno;
	else
		rc = rtnl_talk_batch(nl, buf, h->nlmsg_len, 1);
	mnl_socket_close(nl);
	return rc;
}
