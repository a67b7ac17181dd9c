#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_mtu.sh: a frame of the full l2tpeth MTU crosses the pseudowire
# (ping -M do -s MTU-28) and one byte more does not, at the default MTU
# (which must leave room for the encapsulation in a 1500-byte underlay), at
# the man page's 1488 (the underlay fragments) and at a 9000-byte jumbo MTU.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 1000 4000 2000 -
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2

mtu_of() { ip -n "$PFX-$1" -o link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }

# full_mtu_ok MTU: both ends at MTU; a ping of exactly MTU bytes (IP) passes
# both ways, MTU+1 is refused (DF set, larger than the interface).
full_mtu_ok() {
	local m=$1
	ip -n "$PFX-1" link set l2tpeth0 mtu "$m"
	ip -n "$PFX-2" link set l2tpeth0 mtu "$m"
	[ "$(mtu_of 1 l2tpeth0)" = "$m" ] || fail "could not set mtu $m"
	say "mtu $m: ping -M do -s $((m - 28)) passes"
	ping_ok 1 203.0.113.2 -M do -s $((m - 28))
	ping_n 1 203.0.113.2 5 # small ones still fine
	ping_ok 2 203.0.113.1 -M do -s $((m - 28))
	if ip netns exec "$PFX-1" ping -c 1 -W 1 -q -M do -s $((m - 27)) 203.0.113.2 >/dev/null 2>&1; then
		fail "mtu $m: a ping of $((m + 1)) bytes with DF passed"
	fi
}

m0=$(mtu_of 1 l2tpeth0)
say "default l2tpeth0 MTU: $m0"
# UDP/IPv4 (28) + session id (4) + default L2-specific sublayer (4) + Ethernet (14)
[ "$m0" -le 1450 ] || fail "default MTU $m0 does not leave room for 50 bytes of encapsulation"
[ "$m0" -ge 1280 ] || fail "default MTU $m0 is implausibly small"
full_mtu_ok "$m0"

say "underlay carries no fragments at the default MTU"
# IP reassembly requests in ns 2 (/proc/net/snmp is per namespace)
reasm() {
	ip netns exec "$PFX-2" awk '$1 == "Ip:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "ReasmReqds") c = i; n = 1 } else print $c }' /proc/net/snmp
}
frag0=$(reasm)
ping_ok 1 203.0.113.2 -M do -s $((m0 - 28))
frag1=$(reasm)
[ "${frag0:-0}" = "${frag1:-0}" ] || fail "full-size frames at the default MTU were fragmented ($frag0 -> $frag1)"

say "default MTUs as the kernel's l2tp_eth computes them (1500 minus IP, UDP, L2TP and Ethernet headers)"
ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
ip -n "$PFX-2" addr add 2001:db8:1::2/64 dev u2 nodad
l2tpc 1 add tunnel tunnel_id 3001 peer_tunnel_id 4001 encap ip local $A1 remote $A2
l2tpc 1 add tunnel tunnel_id 3002 peer_tunnel_id 4002 encap udp local 2001:db8:1::1 \
	remote 2001:db8:1::2 udp_sport 5002 udp_dport 6002
l2tpc 1 add tunnel tunnel_id 3003 peer_tunnel_id 4003 encap ip local 2001:db8:1::1 remote 2001:db8:1::2
# want TID NAME MTU [SESSION ARGS...]: a session in TID gets MTU
want() {
	local tid=$1 ifn=$2 m=$3
	shift 3
	l2tpc 1 add session name "$ifn" tunnel_id "$tid" session_id $((tid * 10 + ${#ifn})) peer_session_id 1 "$@"
	wait_link 1 "$ifn"
	[ "$(mtu_of 1 "$ifn")" = "$m" ] || fail "$ifn (tunnel $tid $*): mtu $(mtu_of 1 "$ifn"), want $m"
	printf '  %-8s tunnel %s %-40s mtu %s\n' "$ifn" "$tid" "$*" "$m"
}
# IPv4 20 / IPv6 40, UDP 8, L2TPv3 over UDP 4, session id 4, cookie, sublayer 4, Ethernet 14
want 3000 u4 1446
want 3000 u4c4 1442 cookie 01020304 peer_cookie 01020304
want 3000 u4c8n 1442 cookie 0102030405060708 peer_cookie 0102030405060708 l2spec_type none
want 3001 i4 1458
want 3001 i4n 1462 l2spec_type none
want 3002 u6 1426
want 3003 i6 1438
want 3003 i6c8 1430 cookie 0102030405060708 peer_cookie 0102030405060708

full_mtu_ok 1488
full_mtu_ok 9000
full_mtu_ok 1280

# Jumbo frames over every encapsulation: UDP and IP, IPv4 and IPv6 (the
# ebpf datapath sends them through l2tpd's sockets, which fragment, and
# takes the reassembled packets back through l2tp_reasm), counted per
# session as single frames at both ends.
say "9000-byte frames over udp/ip and IPv4/IPv6 underlays: fragmented, reassembled, counted"
l2tpc 2 add tunnel tunnel_id 4001 peer_tunnel_id 3001 encap ip local $A2 remote $A1
l2tpc 2 add tunnel tunnel_id 4002 peer_tunnel_id 3002 encap udp local 2001:db8:1::2 \
	remote 2001:db8:1::1 udp_sport 6002 udp_dport 5002
l2tpc 2 add tunnel tunnel_id 4003 peer_tunnel_id 3003 encap ip local 2001:db8:1::2 remote 2001:db8:1::1
reasm6() {
	ip netns exec "$PFX-2" awk '$1 == "Ip6ReasmReqds" { print $2 }' /proc/net/snmp6
}
k=0
for tid in 3000 3001 3002 3003; do
	k=$((k + 1))
	ifn=jb$k sid=$((70 + k))
	session_pair $tid $sid $((tid + 1000)) $((80 + k)) $ifn
	inner4 $ifn $ifn 198.51.100.$((2 * k - 1)) 198.51.100.$((2 * k)) 9000
	r4=$(reasm) r6=$(reasm6)
	tx0=$(pstat 1 $tid $sid '^tx_packets$') rx0=$(pstat 2 $((tid + 1000)) $((80 + k)) '^rx_packets$')
	ping_ok 1 198.51.100.$((2 * k)) -M do -s 8972
	ping_n 1 198.51.100.$((2 * k)) 5
	ping_ok 2 198.51.100.$((2 * k - 1)) -M do -s 8972
	tx1=$(pstat 1 $tid $sid '^tx_packets$') rx1=$(pstat 2 $((tid + 1000)) $((80 + k)) '^rx_packets$')
	if [ $tid = 3000 ] || [ $tid = 3001 ]; then
		[ "$(reasm)" -gt "$r4" ] || fail "tunnel $tid: no IPv4 fragments reassembled in ns 2"
	else
		[ "$(reasm6)" -gt "$r6" ] || fail "tunnel $tid: no IPv6 fragments reassembled in ns 2"
	fi
	# at least the jumbo ping and the 5 small ones each way (ARP/ND may add)
	[ $((tx1 - tx0)) -ge 6 ] || fail "tunnel $tid: tx_packets $tx0 -> $tx1"
	[ $((rx1 - rx0)) -ge 6 ] || fail "tunnel $tid: peer rx_packets $rx0 -> $rx1"
	printf '  tunnel %s: tx_packets +%s, peer rx_packets +%s\n' $tid $((tx1 - tx0)) $((rx1 - rx0))
done
# TCP at a 9000-byte MTU: over UDP the ebpf datapath's GSO frames have
# segments too large for the underlay (cut on l2tpd's fragment device)
say "TCP through 9000-byte MTU sessions (udp, ip; IPv4 underlay)"
for k in 1 2; do
	r4=$(reasm)
	iperf_tcp jb$k 198.51.100.$((2 * k)) $((5200 + k))
	# the segments went as fragments, not whole (a veth would carry them)
	[ "$(reasm)" -gt $((r4 + 100)) ] || fail "jb$k: TCP was not fragmented ($r4 -> $(reasm))"
done
pass
