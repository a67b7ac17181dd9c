// SPDX-License-Identifier: MIT
/*
 * daemon/mtu.c - pseudowire MTU arithmetic (pure, unit tested).
 */
#include "mtu.h"

unsigned int l2tpd_mtu_session(unsigned int underlay, bool ipv6, bool udp,
			       unsigned int l2tp_hdr_len)
{
	unsigned int overhead =
	    (ipv6 ? 40u : 20u) + (udp ? 8u : 0u) + l2tp_hdr_len + L2TPD_ETH_HLEN;

	if (underlay > overhead) {
		unsigned int mtu = underlay - overhead;

		if (mtu >= L2TPD_ETH_MIN_MTU && mtu <= L2TPD_TAP_MAX_MTU)
			return mtu;
	}
	/* The kernel's fallback when the route MTU is unusable (l2tp_eth.c). */
	if (L2TPD_ETH_DATA_LEN - overhead < L2TPD_ETH_MIN_MTU || overhead >= L2TPD_ETH_DATA_LEN)
		return L2TPD_ETH_MIN_MTU;
	return L2TPD_ETH_DATA_LEN - overhead;
}
