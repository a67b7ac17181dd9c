#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_udp6.sh: L2TPv3 over UDP on an IPv6 underlay (2001:db8:1::/64),
# IPv4 and IPv6 inside the pseudowire.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay6
start_l2tpd 1
start_l2tpd 2

say "udp tunnel 3000/4000 over IPv6, session 1000/2000"
tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 1000 4000 2000 -
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2
ip -n "$PFX-1" addr add 2001:db8:2::1/64 dev l2tpeth0 nodad
ip -n "$PFX-2" addr add 2001:db8:2::2/64 dev l2tpeth0 nodad

say "ping across (IPv4 and IPv6 inside)"
ping_ok 1 203.0.113.2
ping_n 1 203.0.113.2 20
ping_ok 1 2001:db8:2::2 -6
ping_n 2 2001:db8:2::1 10

out=$(l2tpc 1 show tunnel)
echo "$out"
grep -qF "From $A1 to $A2" <<<"$out" || fail "show tunnel lacks 'From $A1 to $A2'"
grep -qF "UDP source / dest ports: 5000/6000" <<<"$out" || fail "show tunnel lacks the ports"
jq -e --arg l "$A1" --arg r "$A2" '.[0] | .local == $l and .peer == $r and .encap == "UDP"' \
	<<<"$(l2tpc 1 -j show tunnel)" >/dev/null || fail "-j show tunnel: wrong addresses"
rx=$(pstat 2 4000 2000 '^rx_packets$')
[ "${rx:-0}" -ge 20 ] || fail "rx_packets $rx after 20+ pings"
pass
