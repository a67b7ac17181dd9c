/* SPDX-License-Identifier: MIT */
/*
 * daemon/sock.h - tunnel sockets: UDP (one per tunnel, bound and connected)
 * and raw IP protocol 115 (one per address family, shared, demultiplexed by
 * session id), IPv4 and IPv6.
 */
#ifndef L2TPD_SOCK_H
#define L2TPD_SOCK_H

#include <linux/filter.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#define L2TPD_IPPROTO_L2TP 115 /* RFC 3931 §4.1.1.1 */

union l2tpd_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

socklen_t l2tpd_addr_len(const union l2tpd_addr *a);
/* Same family and address (ports are ignored). */
bool l2tpd_addr_eq_host(const union l2tpd_addr *a, const union l2tpd_addr *b);
/* Is the address the wildcard (0.0.0.0 or ::)? */
bool l2tpd_addr_is_any(const union l2tpd_addr *a);
/* "192.0.2.1:5000" or "[2001:db8::1]:5000" (port omitted when 0) into |buf|. */
const char *l2tpd_addr_str(const union l2tpd_addr *a, char *buf, size_t len);

struct l2tpd_udp_opts {
	bool csum; /* IPv4: compute UDP checksums on transmit (else SO_NO_CHECK) */
	bool zero_csum6_tx; /* IPv6: send zero checksums (UDP_NO_CHECK6_TX) */
	bool zero_csum6_rx; /* IPv6: accept zero checksums (UDP_NO_CHECK6_RX) */
	bool reuse_addr; /* SO_REUSEADDR: the port is shared with the control plane's socket */
};

/*
 * A nonblocking UDP socket bound to |local| and connected to |peer| (both the
 * same family, ports included). Returns the fd or -errno (-EADDRINUSE when
 * the local address and port are taken, -EAFNOSUPPORT on mixed families).
 */
int l2tpd_sock_udp_open(const union l2tpd_addr *local, const union l2tpd_addr *peer,
			const struct l2tpd_udp_opts *o);
/*
 * For a datapath with |n| workers: |n| nonblocking UDP sockets bound to
 * |local| with SO_REUSEPORT (the first picks the port when it is 0), not
 * connected (a connected socket bypasses the group's steering), written to
 * |fds| in group order. Each worker sends on its own; a classic BPF program
 * hands every datagram to socket |home|. (Not per session: the kernel's
 * UDP GRO joins datagrams of one tunnel whatever their session, and steers
 * the joined packet once.) The caller checks the source address. Returns
 * 0 or -errno (nothing left open).
 */
int l2tpd_sock_udp_open_group(const union l2tpd_addr *local, const struct l2tpd_udp_opts *o,
			      unsigned int n, unsigned int home, int *fds);
/*
 * Let the raw IP/115 socket |fd| of |family| take only the datagrams whose
 * session id % |n| is |idx| (SO_ATTACH_FILTER): with one raw socket per
 * worker, each packet then reaches one worker. Returns 0 or -errno.
 */
int l2tpd_sock_ip_steer(int fd, int family, unsigned int n, unsigned int idx);

/* Applies the checksum options again (TUNNEL_MODIFY). Returns 0 or -errno. */
int l2tpd_sock_udp_set_opts(int fd, int family, const struct l2tpd_udp_opts *o);

/*
 * Can a UDP socket with options |o| send with UDP_SEGMENT (GSO)? Only with
 * transmit checksums on (IPv4 udp_csum on; IPv6 without zero checksums).
 */
bool l2tpd_sock_udp_gso_ok(int family, const struct l2tpd_udp_opts *o);

/*
 * Ask for |bytes| of send and receive buffer (best effort): a datapath that
 * sends 64 KiB GSO batches and reads in bursts needs more than the default.
 */
void l2tpd_sock_set_bufs(int fd, int bytes);

/*
 * Turn on UDP_GRO: the kernel may then hand one recvmsg several datagrams
 * of the same size back to back (the last one shorter), with a SOL_UDP /
 * UDP_GRO control message giving that size. Returns 0 or -errno.
 */
int l2tpd_sock_udp_gro(int fd);

/*
 * A nonblocking raw socket for IP protocol 115 of |family|, unbound, with
 * packet info (destination address) reported on receive. Returns fd or -errno.
 */
int l2tpd_sock_ip_open(int family);

/*
 * The MTU of the route toward |peer| (from |local| if it is not the
 * wildcard), as the kernel reports it for a connected UDP socket (IP_MTU /
 * IPV6_MTU). Returns the MTU or -errno (e.g. -ENETUNREACH without a route).
 */
int l2tpd_sock_route_mtu(const union l2tpd_addr *local, const union l2tpd_addr *peer);

#endif /* L2TPD_SOCK_H */
