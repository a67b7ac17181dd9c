// SPDX-License-Identifier: MIT
/*
 * daemon/sock.c - UDP and IP/115 tunnel sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"

#ifndef UDP_NO_CHECK6_TX
#define UDP_NO_CHECK6_TX 101
#endif
#ifndef UDP_NO_CHECK6_RX
#define UDP_NO_CHECK6_RX 102
#endif
#ifndef SO_NO_CHECK
#define SO_NO_CHECK 11
#endif

socklen_t l2tpd_addr_len(const union l2tpd_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

bool l2tpd_addr_eq_host(const union l2tpd_addr *a, const union l2tpd_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(struct in6_addr));
	return false;
}

bool l2tpd_addr_is_any(const union l2tpd_addr *a)
{
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->sa.sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->in6.sin6_addr);
	return true;
}

const char *l2tpd_addr_str(const union l2tpd_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof(host));
		port = ntohs(a->in.sin_port);
		if (port)
			snprintf(buf, len, "%s:%u", host, port);
		else
			snprintf(buf, len, "%s", host);
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof(host));
		port = ntohs(a->in6.sin6_port);
		if (port)
			snprintf(buf, len, "[%s]:%u", host, port);
		else
			snprintf(buf, len, "%s", host);
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

int l2tpd_sock_udp_set_opts(int fd, int family, const struct l2tpd_udp_opts *o)
{
	int on;

	if (family == AF_INET) {
		on = !o->csum;
		if (setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &on, sizeof(on)) < 0)
			return -errno;
	} else {
		on = o->zero_csum6_tx;
		if (setsockopt(fd, IPPROTO_UDP, UDP_NO_CHECK6_TX, &on, sizeof(on)) < 0)
			return -errno;
		on = o->zero_csum6_rx;
		if (setsockopt(fd, IPPROTO_UDP, UDP_NO_CHECK6_RX, &on, sizeof(on)) < 0)
			return -errno;
	}
	return 0;
}

int l2tpd_sock_udp_open(const union l2tpd_addr *local, const union l2tpd_addr *peer,
			const struct l2tpd_udp_opts *o)
{
	int family = peer->sa.sa_family;
	int fd, err, on = 1;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (local->sa.sa_family != family)
		return -EAFNOSUPPORT;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	err = l2tpd_sock_udp_set_opts(fd, family, o);
	if (err < 0)
		goto fail;
	if (o->reuse_addr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) {
		err = -errno;
		goto fail;
	}
	if (bind(fd, &local->sa, l2tpd_addr_len(local)) < 0 ||
	    connect(fd, &peer->sa, l2tpd_addr_len(peer)) < 0) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

int l2tpd_sock_udp_open_group(const union l2tpd_addr *local, const struct l2tpd_udp_opts *o,
			      unsigned int n, unsigned int home, int *fds)
{
	union l2tpd_addr addr = *local;
	int family = local->sa.sa_family;
	/* The program returns the index of the group's socket that takes the datagram. */
	struct sock_filter prog[] = {BPF_STMT(BPF_RET | BPF_K, home)};
	struct sock_fprog fp = {.len = 1, .filter = prog};
	socklen_t sl = sizeof(addr);
	unsigned int i;
	int err = 0, on = 1;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (n == 0 || home >= n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);

		if (fd < 0) {
			err = -errno;
			break;
		}
		fds[i] = fd;
		if (family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		err = l2tpd_sock_udp_set_opts(fd, family, o);
		if (err == 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
			err = -errno;
		if (err == 0 && bind(fd, &addr.sa, l2tpd_addr_len(&addr)) < 0)
			err = -errno;
		/* Port 0: the others join the port the first one got. */
		if (err == 0 && i == 0 && getsockname(fd, &addr.sa, &sl) < 0)
			err = -errno;
		if (err < 0) {
			i++;
			break;
		}
	}
	/* One program steers for the whole group (the order of binding is the index). */
	if (err == 0 &&
	    setsockopt(fds[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fp, sizeof(fp)) < 0)
		err = -errno;
	if (err < 0) {
		while (i-- > 0)
			close(fds[i]);
		return err;
	}
	return 0;
}

int l2tpd_sock_ip_steer(int fd, int family, unsigned int n, unsigned int idx)
{
	struct sock_filter prog[6];
	struct sock_fprog fp = {.filter = prog};
	unsigned int k = 0;

	if (n == 0 || idx >= n)
		return -EINVAL;
	/* An IPv4 raw socket sees the IP header first, an IPv6 one does not. */
	if (family == AF_INET) {
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0);
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0);
	} else {
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	}
	/* RFC 3931 §4.1.1.1: the session id comes first (0: control, worker 0) */
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n);
	prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, idx, 0, 1);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffffu);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	fp.len = (unsigned short)k;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0)
		return -errno;
	return 0;
}

bool l2tpd_sock_udp_gso_ok(int family, const struct l2tpd_udp_opts *o)
{
	/*
	 * UDP_SEGMENT needs a checksum the kernel can offload: it refuses a
	 * socket with SO_NO_CHECK / UDP_NO_CHECK6_TX (EINVAL), and a zero
	 * checksum is what udp_csum off promises on the wire.
	 */
	return family == AF_INET ? o->csum : !o->zero_csum6_tx;
}

void l2tpd_sock_set_bufs(int fd, int bytes)
{
	/* FORCE passes net.core.[rw]mem_max when we have CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

int l2tpd_sock_udp_gro(int fd)
{
	int on = 1;

	if (setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) < 0)
		return -errno;
	return 0;
}

int l2tpd_sock_ip_open(int family)
{
	int fd, on = 1, err;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, L2TPD_IPPROTO_L2TP);
	if (fd < 0)
		return -errno;
	if (family == AF_INET)
		err = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		err = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	if (err < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int l2tpd_sock_route_mtu(const union l2tpd_addr *local, const union l2tpd_addr *peer)
{
	union l2tpd_addr p = *peer, l;
	int family = peer->sa.sa_family;
	int fd, mtu = 0, rc;
	socklen_t sl = sizeof(mtu);

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	/* Only the route lookup matters; any port does for connect(). */
	if (family == AF_INET)
		p.in.sin_port = htons(9);
	else
		p.in6.sin6_port = htons(9);
	if (local && local->sa.sa_family == family && !l2tpd_addr_is_any(local)) {
		l = *local;
		if (family == AF_INET)
			l.in.sin_port = 0;
		else
			l.in6.sin6_port = 0;
		/* A local address not (yet) configured only loses the source hint. */
		(void)bind(fd, &l.sa, l2tpd_addr_len(&l));
	}
	if (connect(fd, &p.sa, l2tpd_addr_len(&p)) < 0) {
		rc = -errno;
		goto out;
	}
	if (family == AF_INET)
		rc = getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &sl);
	else
		rc = getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &sl);
	rc = rc < 0 ? -errno : mtu;
out:
	close(fd);
	return rc;
}
