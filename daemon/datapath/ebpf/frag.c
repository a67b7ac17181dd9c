// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/ebpf/frag.c - outer IP fragments on the eBPF datapath.
 *
 * The tc programs cannot fragment: a redirect hands the packet to the
 * device as it is (bpf_redirect_neigh too: it skips ip_finish_output's
 * ip_fragment), and IPv6 allows fragmentation only at the source (RFC 8200
 * §4.5), which a packet forwarded through the stack is not. Nor can they
 * reassemble: the fragments pass l2tp_decap (NOT_OURS), the stack joins
 * them after tc, and hands the whole packet to a socket. So both go
 * through l2tpd, with a TAP ("l2tpdfragN", no offloads, no address) as the
 * meeting point:
 *  - send: l2tp_encap redirects a packet larger than the underlay's MTU
 *    (encapsulated, its counters counted) to the TAP's egress; l2tpd reads
 *    it and sends what follows the outer UDP (or IP) header on the
 *    tunnel's socket, which the stack fragments as the kernel's L2TP
 *    sockets are (DF clear over IPv4, fragments by the source over IPv6).
 *    A GSO frame whose segments are too large is cut into packets by the
 *    TAP's lack of offloads, each then sent the same way.
 *  - receive: the tunnel's socket gets the reassembled packet; l2tpd puts
 *    the outer headers back in front of it and writes it to the TAP, whose
 *    ingress runs l2tp_reasm: the same
 *    decapsulation as l2tp_decap (cookie, sequence, counters) into the
 *    session's netdev; what is not a session's is dropped there.
 * The sockets: a static UDP tunnel's own, bound and connected (nothing
 * else holds its port: without it the stack would answer the reassembled
 * packets with ICMP port unreachable); over IP, and for managed UDP
 * tunnels, a raw socket per family and protocol (IP/115, UDP), with the
 * source address given per packet. A managed tunnel's port is the control
 * plane's socket's, which must keep getting every control message: a
 * connected socket of ours would take them, and those queued when the
 * tunnel goes (the acknowledgement of its StopCCN) would be lost with it.
 * A raw UDP socket gets a copy of every UDP datagram that reaches the
 * stack, so its filter keeps data messages only (T bit clear), and they
 * are taken only for a tunnel's addresses and ports; the UDP header is
 * kept as received, so that l2tp_reasm checks its checksum.
 * Only packets that need it take this path: all others stay in tc.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <l2tp/offload.h>

#include "../../log.h"
#include "../../loop.h"
#include "../../mtu.h"
#include "../../registry.h"
#include "../../sock.h"
#include "../../tap.h"
#include "frag.h"

#define TCX_INGRESS_ 46 /* BPF_TCX_INGRESS (Linux 6.6; Debian 12's headers lack it) */
#define BURST 64
/* room for the headers put back in front of a reassembled payload */
#define HEADROOM (ETH_HLEN + 40 + 8)
#define BUFSZ (HEADROOM + 65536)

struct ip_sock { /* a raw socket of one family and protocol */
	int fd;
	struct l2tpd_watch *w;
	unsigned int refs;
	struct eb_frag *f;
	bool v6, udp;
};

struct eb_frag_tunnel {
	struct eb_frag *f;
	struct l2tpd_tunnel *t;
	union l2tpd_addr local, peer;
	bool udp, v6;
	bool raw; /* sends and receives on a raw socket (IP, managed UDP) */
	int fd; /* static UDP: the tunnel's socket */
	struct l2tpd_watch *w;
	struct eb_frag_tunnel *next;
};

struct eb_frag {
	struct l2tpd_loop *loop;
	int fd, ifindex, link_fd;
	struct l2tpd_watch *w;
	struct ip_sock ip[2][2]; /* [udp][v6]: raw IP/115 and UDP, IPv4 and IPv6 */
	struct eb_frag_tunnel *tunnels;
	uint8_t buf[BUFSZ];
};

static int sysctl_put(const char *path, const char *v)
{
	FILE *f = fopen(path, "we");
	int rc = 0;

	if (!f)
		return -errno;
	if (fputs(v, f) < 0)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	return rc;
}

static bool addr_eq(const union l2tpd_addr *a, const union l2tpd_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr &&
		       a->in.sin_port == b->in.sin_port;
	return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) &&
	       a->in6.sin6_port == b->in6.sin6_port;
}

static uint16_t port_of(const union l2tpd_addr *a)
{
	return a->sa.sa_family == AF_INET ? a->in.sin_port : a->in6.sin6_port;
}

/* ---- receive: a reassembled packet back into tc --------------------------- */

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The L2TP packet |p| (|len| bytes, with HEADROOM bytes of f->buf before
 * it) from |peer| to |local| as it was on the wire, unfragmented: Ethernet
 * (l2tp_reasm takes any addresses), IP and, over UDP, the UDP header, whose
 * checksum the stack verified already: over IPv4 left zero, over IPv6
 * (where l2tp_decap wants one unless udp6_csum_rx is off) summed again.
 */
static void frag_in(struct eb_frag *f, bool udp, bool has_l4, const union l2tpd_addr *peer,
		    const union l2tpd_addr *local, uint8_t *p, size_t len)
{
	bool v6 = peer->sa.sa_family == AF_INET6;
	size_t l4 = udp && !has_l4 ? 8 : 0, iph = v6 ? 40 : 20;
	uint8_t *ip = p - l4 - iph, *eth = ip - ETH_HLEN;
	uint8_t proto = udp ? IPPROTO_UDP : L2TPD_IPPROTO_L2TP;

	if (len + l4 + iph > 65535 || (v6 && len + l4 > 65535))
		return;
	memset(eth, 0, ETH_HLEN + iph + l4);
	wr16(eth + 12, v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (v6) {
		ip[0] = 0x60;
		wr16(ip + 4, (uint16_t)(l4 + len));
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, &peer->in6.sin6_addr, 16);
		memcpy(ip + 24, &local->in6.sin6_addr, 16);
	} else {
		ip[0] = 0x45;
		wr16(ip + 2, (uint16_t)(iph + l4 + len));
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, &peer->in.sin_addr, 4);
		memcpy(ip + 16, &local->in.sin_addr, 4);
		wr16(ip + 10, l2tp_csum_fold(l2tp_csum_add(0, ip, 20)));
	}
	if (l4) {
		uint8_t *u = ip + iph;

		memcpy(u, &(uint16_t){port_of(peer)}, 2);
		memcpy(u + 2, &(uint16_t){port_of(local)}, 2);
		wr16(u + 4, (uint16_t)(8 + len));
		if (v6) {
			uint8_t ph[40] = {0};
			uint16_t c;

			memcpy(ph, ip + 8, 32);
			wr16(ph + 34, (uint16_t)(8 + len));
			ph[39] = IPPROTO_UDP;
			c = l2tp_csum_fold(l2tp_csum_add(l2tp_csum_add(0, ph, 40), u, 8 + len));
			wr16(u + 6, c ? c : 0xffff); /* RFC 8200 §8.1: zero is sent as ones */
		}
	}
	if (write(f->fd, eth, ETH_HLEN + iph + l4 + len) < 0)
		log_debug("datapath ebpf: %s: writing a reassembled packet: %s", "l2tpdfrag",
			  strerror(errno));
}

static void udp_rx(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct eb_frag_tunnel *ft = arg;
	struct eb_frag *f = ft->f;
	uint8_t *p = f->buf + HEADROOM;

	(void)w;
	(void)events;
	for (int i = 0; i < BURST; i++) {
		ssize_t n = recv(ft->fd, p, BUFSZ - HEADROOM, 0);

		if (n < 0)
			return;
		if (n > 0 && (p[0] & 0x80))
			continue; /* RFC 3931 §4.1.2.1: T bit, control (a static tunnel has none) */
		frag_in(f, true, false, &ft->peer, &ft->local, p, (size_t)n);
	}
}

static struct eb_frag_tunnel *tunnel_of(struct eb_frag *f, bool udp,
					const union l2tpd_addr *local,
					const union l2tpd_addr *peer);

static void ip_rx(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct ip_sock *s = arg;
	struct eb_frag *f = s->f;

	(void)w;
	(void)events;
	for (int i = 0; i < BURST; i++) {
		union l2tpd_addr from = {0}, to = {0};
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} c;
		uint8_t *p = f->buf + HEADROOM;
		struct iovec iov = {p, BUFSZ - HEADROOM};
		struct msghdr m = {.msg_name = &from,
				   .msg_namelen = sizeof(from),
				   .msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = c.b,
				   .msg_controllen = sizeof(c.b)};
		ssize_t n = recvmsg(s->fd, &m, 0);
		struct eb_frag_tunnel *ft;
		size_t len;

		if (n < 0)
			return;
		len = (size_t)n;
		if (!s->v6) {
			/* IPv4 raw sockets read the IP header too */
			size_t ihl = len ? (size_t)(p[0] & 0x0f) * 4 : 0;

			if (ihl < 20 || ihl > len)
				continue;
			to.in.sin_family = from.in.sin_family = AF_INET;
			memcpy(&from.in.sin_addr, p + 12, 4);
			memcpy(&to.in.sin_addr, p + 16, 4);
			p += ihl;
			len -= ihl;
		} else {
			struct cmsghdr *h;

			to.in6.sin6_family = AF_INET6;
			for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
				if (h->cmsg_level == IPPROTO_IPV6 && h->cmsg_type == IPV6_PKTINFO)
					memcpy(&to.in6.sin6_addr,
					       &((struct in6_pktinfo *)CMSG_DATA(h))->ipi6_addr, 16);
			from.in6.sin6_port = 0; /* raw sockets report the protocol there */
			from.in6.sin6_flowinfo = 0;
			from.in6.sin6_scope_id = 0;
		}
		if (s->udp) {
			/* a managed tunnel's data message (the filter kept no other) */
			if (len < 9 || (p[8] & 0x80))
				continue;
			memcpy(s->v6 ? &from.in6.sin6_port : &from.in.sin_port, p, 2);
			memcpy(s->v6 ? &to.in6.sin6_port : &to.in.sin_port, p + 2, 2);
			ft = tunnel_of(f, true, &to, &from);
			if (!ft || !ft->raw)
				continue; /* a static tunnel's socket has it */
		} else if (len < 4 || !(p[0] | p[1] | p[2] | p[3])) {
			/* RFC 3931 §4.1.1.2: session id 0, control: the control plane's socket */
			continue;
		}
		frag_in(f, s->udp, true, &from, &to, p, len);
	}
}

/* ---- send: an oversized packet out through a socket ----------------------- */

static struct eb_frag_tunnel *tunnel_of(struct eb_frag *f, bool udp,
					const union l2tpd_addr *local,
					const union l2tpd_addr *peer)
{
	for (struct eb_frag_tunnel *ft = f->tunnels; ft; ft = ft->next)
		if (ft->udp == udp && addr_eq(&ft->local, local) && addr_eq(&ft->peer, peer))
			return ft;
	return NULL;
}

static int ip_send(struct eb_frag *f, bool udp, const union l2tpd_addr *local,
		   const union l2tpd_addr *to, const uint8_t *p, size_t len)
{
	bool v6 = to->sa.sa_family == AF_INET6;
	union l2tpd_addr pa = *to, *peer = &pa;
	struct ip_sock *s = &f->ip[udp][v6];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} c = {0};
	struct iovec iov = {(void *)p, len};
	struct msghdr m = {.msg_name = (void *)peer,
			   .msg_namelen = l2tpd_addr_len(peer),
			   .msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = c.b};
	struct cmsghdr *h = &c.h;

	if (s->fd < 0)
		return -ENOTCONN;
	/* a raw socket takes no port (over IPv6 one would name the protocol) */
	if (v6)
		pa.in6.sin6_port = 0;
	else
		pa.in.sin_port = 0;
	struct in6_pktinfo pi6 = {.ipi6_addr = local->in6.sin6_addr};
	struct in_pktinfo pi4 = {.ipi_spec_dst = local->in.sin_addr};
	size_t pl = v6 ? sizeof(pi6) : sizeof(pi4);

	/* the source address: the tunnel's (a raw socket of ours is unbound) */
	m.msg_controllen = CMSG_SPACE(pl);
	h->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	h->cmsg_type = v6 ? IPV6_PKTINFO : IP_PKTINFO;
	h->cmsg_len = CMSG_LEN(pl);
	memcpy(CMSG_DATA(h), v6 ? (const void *)&pi6 : (const void *)&pi4, pl);
	return sendmsg(s->fd, &m, 0) < 0 ? -errno : 0;
}

/*
 * A frame l2tp_encap sent to the TAP: Ethernet, outer IP (no options, no
 * extension headers: ours), UDP or not, then the L2TP packet, which goes
 * to the tunnel with those addresses and ports.
 */
static void frag_out(struct eb_frag *f, const uint8_t *p, size_t n)
{
	union l2tpd_addr src = {0}, dst = {0};
	struct eb_frag_tunnel *ft;
	uint8_t proto;
	size_t hl;
	int rc;

	if (n < ETH_HLEN)
		return;
	if (p[12] == 0x08 && p[13] == 0x00 && n >= ETH_HLEN + 20 && (p[ETH_HLEN] >> 4) == 4) {
		p += ETH_HLEN;
		n -= ETH_HLEN;
		hl = (size_t)(p[0] & 0x0f) * 4;
		proto = p[9];
		src.in.sin_family = dst.in.sin_family = AF_INET;
		memcpy(&src.in.sin_addr, p + 12, 4);
		memcpy(&dst.in.sin_addr, p + 16, 4);
	} else if (p[12] == 0x86 && p[13] == 0xdd && n >= ETH_HLEN + 40) {
		p += ETH_HLEN;
		n -= ETH_HLEN;
		hl = 40;
		proto = p[6];
		src.in6.sin6_family = dst.in6.sin6_family = AF_INET6;
		memcpy(&src.in6.sin6_addr, p + 8, 16);
		memcpy(&dst.in6.sin6_addr, p + 24, 16);
	} else {
		return; /* not of ours */
	}
	if (hl < 20 || hl > n)
		return;
	p += hl;
	n -= hl;
	if (proto == IPPROTO_UDP) {
		if (n < 8)
			return;
		memcpy(src.sa.sa_family == AF_INET ? &src.in.sin_port : &src.in6.sin6_port, p, 2);
		memcpy(dst.sa.sa_family == AF_INET ? &dst.in.sin_port : &dst.in6.sin6_port, p + 2, 2);
	} else if (proto != L2TPD_IPPROTO_L2TP) {
		return;
	}
	ft = tunnel_of(f, proto == IPPROTO_UDP, &src, &dst);
	if (!ft)
		return;
	if (ft->raw) {
		/* a raw UDP socket sends l2tp_encap's UDP header as it is */
		rc = ip_send(f, ft->udp, &src, &dst, p, n);
	} else {
		/* the socket writes the UDP header, its checksum as the tunnel says */
		rc = ft->fd < 0 ? -ENOTCONN : (send(ft->fd, p + 8, n - 8, 0) < 0 ? -errno : 0);
	}
	if (rc < 0)
		log_debug("datapath ebpf: sending %zu bytes in fragments: %s", n, strerror(-rc));
}

static void tap_rx(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct eb_frag *f = arg;

	(void)w;
	(void)events;
	for (int i = 0; i < BURST; i++) {
		ssize_t n = read(f->fd, f->buf, sizeof(f->buf));

		if (n < 0)
			return;
		frag_out(f, f->buf, (size_t)n);
	}
}

/* ---- the device and the sockets ------------------------------------------- */

struct eb_frag *eb_frag_new(struct l2tpd_loop *loop, int reasm_fd, char *why, size_t whylen)
{
	struct eb_frag *f = calloc(1, sizeof(*f));
	struct ifreq ifr = {0};
	char path[96];
	int rc;

	if (!f) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	f->loop = loop;
	f->link_fd = -1;
	f->ip[0][0].fd = f->ip[0][1].fd = f->ip[1][0].fd = f->ip[1][1].fd = -1;
	f->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(why, whylen, "/dev/net/tun: %s", strerror(errno));
		goto fail;
	}
	/* no IFF_VNET_HDR, no TUNSETOFFLOAD: the kernel cuts GSO frames before us */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "l2tpdfrag%%d");
	if (ioctl(f->fd, TUNSETIFF, &ifr) < 0) {
		snprintf(why, whylen, "creating a TAP: %s", strerror(errno));
		goto fail;
	}
	/* no IPv6 address: nothing of the kernel's own (RS, MLD) to read */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifr.ifr_name);
	sysctl_put(path, "1\n");
	rc = l2tpd_tap_set_mtu(ifr.ifr_name, L2TPD_TAP_MAX_MTU);
	if (rc == 0)
		rc = l2tpd_tap_set_up(ifr.ifr_name);
	f->ifindex = (int)if_nametoindex(ifr.ifr_name);
	if (rc < 0 || f->ifindex <= 0) {
		snprintf(why, whylen, "%s: %s", ifr.ifr_name, strerror(rc < 0 ? -rc : ENODEV));
		goto fail;
	}
	f->link_fd = bpf_link_create(reasm_fd, f->ifindex, (enum bpf_attach_type)TCX_INGRESS_, NULL);
	if (f->link_fd < 0) {
		snprintf(why, whylen, "attaching l2tp_reasm (tcx): %s", strerror(errno));
		goto fail;
	}
	f->w = l2tpd_loop_add(loop, f->fd, EPOLLIN, tap_rx, f);
	if (!f->w) {
		snprintf(why, whylen, "%s", strerror(errno));
		goto fail;
	}
	return f;
fail:
	eb_frag_free(f);
	return NULL;
}

int eb_frag_ifindex(const struct eb_frag *f)
{
	return f->ifindex;
}

void eb_frag_free(struct eb_frag *f)
{
	if (!f)
		return;
	while (f->tunnels)
		eb_frag_tunnel_del(f->tunnels);
	l2tpd_loop_del(f->loop, f->w);
	if (f->link_fd >= 0)
		close(f->link_fd);
	if (f->fd >= 0)
		close(f->fd); /* not persistent: the kernel removes the TAP */
	free(f);
}

/*
 * A raw UDP socket's filter: L2TPv3 data messages only (RFC 3931
 * §4.1.2.1: T bit clear, Ver 3; the x bits and Reserved are ignored on
 * receipt), so that of the other UDP traffic of the namespace, which a raw
 * socket gets a copy of, about one datagram in 32 reaches l2tpd. An IPv4
 * raw socket's filter sees the IP header, an IPv6 one's starts at the UDP
 * header.
 */
static int udp_filter(int fd, bool v6)
{
	struct sock_filter v4f[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 8),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x800f),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0003, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6f[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 8),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x800f),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0003, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {v6 ? 5 : 6, v6 ? v6f : v4f};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ? -errno : 0;
}

/* A raw socket of |family| for |proto| (IP/115 or UDP): destination addresses reported. */
static int raw_open(bool v6, bool udp)
{
	int fd, rc;

	if (!udp)
		return l2tpd_sock_ip_open(v6 ? AF_INET6 : AF_INET);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	rc = udp_filter(fd, v6);
	if (rc == 0 && v6 &&
	    (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int)) < 0 ||
	     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &(int){1}, sizeof(int)) < 0))
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

static int ip_get(struct eb_frag *f, bool udp, bool v6)
{
	struct ip_sock *s = &f->ip[udp][v6];
	int fd;

	if (s->refs) {
		s->refs++;
		return 0;
	}
	fd = raw_open(v6, udp);
	if (fd < 0)
		return fd;
	/* DF clear, fragments as needed (as the kernel's l2tp_ip sockets) */
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &(int){IPV6_PMTUDISC_DONT},
			   sizeof(int));
	else
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &(int){IP_PMTUDISC_DONT}, sizeof(int));
	s->f = f;
	s->v6 = v6;
	s->udp = udp;
	s->w = l2tpd_loop_add(f->loop, fd, EPOLLIN, ip_rx, s);
	if (!s->w) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	s->fd = fd;
	s->refs = 1;
	return 0;
}

static void ip_put(struct eb_frag *f, bool udp, bool v6)
{
	struct ip_sock *s = &f->ip[udp][v6];

	if (!s->refs || --s->refs)
		return;
	l2tpd_loop_del(f->loop, s->w);
	close(s->fd);
	s->fd = -1;
	s->w = NULL;
}

static void udp_opts(const struct l2tpd_tunnel *t, struct l2tpd_udp_opts *o)
{
	o->csum = t->cfg.udp_csum;
	o->zero_csum6_tx = t->cfg.udp_zero_csum6_tx;
	o->zero_csum6_rx = t->cfg.udp_zero_csum6_rx;
	o->reuse_addr = true; /* another l2tpd's tunnel, or ours, may share it */
}

struct eb_frag_tunnel *eb_frag_tunnel_add(struct eb_frag *f, struct l2tpd_tunnel *t)
{
	struct eb_frag_tunnel *ft = calloc(1, sizeof(*ft));
	struct l2tpd_udp_opts o;
	int rc;

	if (!ft)
		return NULL;
	ft->f = f;
	ft->t = t;
	ft->fd = -1;
	ft->udp = t->cfg.encap_type == L2TP_ENCAPTYPE_UDP;
	ft->v6 = l2tpd_tunnel_family(t) == AF_INET6;
	l2tpd_tunnel_addrs(t, &ft->local, &ft->peer);
	ft->raw = !ft->udp || t->mt;
	if (ft->raw) {
		rc = ip_get(f, ft->udp, ft->v6);
		goto out;
	}
	udp_opts(t, &o);
	rc = l2tpd_sock_udp_open(&ft->local, &ft->peer, &o);
	if (rc < 0)
		goto out;
	ft->fd = rc;
	ft->w = l2tpd_loop_add(f->loop, ft->fd, EPOLLIN, udp_rx, ft);
	rc = ft->w ? 0 : -errno;
out:
	if (rc < 0) {
		if (ft->fd >= 0)
			close(ft->fd);
		free(ft);
		errno = -rc;
		return NULL;
	}
	ft->next = f->tunnels;
	f->tunnels = ft;
	return ft;
}

int eb_frag_tunnel_modify(struct eb_frag_tunnel *ft)
{
	struct l2tpd_udp_opts o;

	if (!ft)
		return 0;
	l2tpd_tunnel_addrs(ft->t, &ft->local, &ft->peer); /* a managed peer's port may move */
	if (ft->raw || ft->fd < 0)
		return 0;
	udp_opts(ft->t, &o);
	return l2tpd_sock_udp_set_opts(ft->fd, ft->v6 ? AF_INET6 : AF_INET, &o);
}

void eb_frag_tunnel_del(struct eb_frag_tunnel *ft)
{
	struct eb_frag_tunnel **pp;

	if (!ft)
		return;
	for (pp = &ft->f->tunnels; *pp && *pp != ft; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = ft->next;
	if (ft->raw) {
		ip_put(ft->f, ft->udp, ft->v6);
	} else {
		l2tpd_loop_del(ft->f->loop, ft->w);
		close(ft->fd);
	}
	free(ft);
}
