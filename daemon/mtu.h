/* SPDX-License-Identifier: MIT */
/*
 * daemon/mtu.h - default MTU of an Ethernet pseudowire interface.
 */
#ifndef L2TPD_MTU_H
#define L2TPD_MTU_H

#include <stdbool.h>

#define L2TPD_ETH_HLEN 14
#define L2TPD_ETH_DATA_LEN 1500
#define L2TPD_ETH_MIN_MTU 68
#define L2TPD_TAP_MAX_MTU 65521 /* what the tun driver accepts */

/*
 * The interface MTU for an Ethernet pseudowire, as the kernel's l2tp_eth
 * computes it: |underlay| (the route MTU toward the peer; 0 if unknown)
 * minus the outer IP header (20 or 40 for |ipv6|), UDP (8 if |udp|), the
 * L2TP header |l2tp_hdr_len| (l2tp_dp_overhead()) and the inner Ethernet header (14). When the
 * underlay is unknown or the result is out of range, 1500 is used as the
 * underlay instead. Examples (ip-l2tp(8)'s bridged setup): UDP over IPv4,
 * no cookie, default sublayer: 1500 - 20 - 8 - 12 - 14 = 1446.
 */
unsigned int l2tpd_mtu_session(unsigned int underlay, bool ipv6, bool udp,
			       unsigned int l2tp_hdr_len);

#endif /* L2TPD_MTU_H */
