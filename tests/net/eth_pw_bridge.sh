#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_bridge.sh: the bridged example of ip-l2tp(8). On each site the
# l2tpeth interface and a veth to a host namespace are ports of a bridge;
# the hosts (3 and 4) are on one Ethernet segment across the pseudowire:
# they resolve each other with ARP and ping.
#
#   host3 --veth-- [br0: h1, l2tpeth0] site1 ==udp== site2 [br0: l2tpeth0, h2] --veth-- host4
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2 3 4
underlay4
start_l2tpd 1
start_l2tpd 2

say "tunnel and session as in the man page"
tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 1000 4000 2000 -
wait_link 1 l2tpeth0
wait_link 2 l2tpeth0

say "bridges: l2tpeth0 + veth to the host on each site"
veth 1 h1 3 eth0
veth 2 h2 4 eth0
for s in 1 2; do
	ip -n "$PFX-$s" link set l2tpeth0 up mtu 1446
	ip -n "$PFX-$s" link add br0 type bridge forward_delay 0 stp_state 0
	ip -n "$PFX-$s" link set l2tpeth0 master br0
	ip -n "$PFX-$s" link set h$s master br0
	ip -n "$PFX-$s" link set br0 up
done
ip -n "$PFX-3" link set eth0 mtu 1446
ip -n "$PFX-4" link set eth0 mtu 1446
ip -n "$PFX-3" addr add 203.0.113.3/24 dev eth0
ip -n "$PFX-4" addr add 203.0.113.4/24 dev eth0
mac4=$(ip -n "$PFX-4" -o link show dev eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
mac3=$(ip -n "$PFX-3" -o link show dev eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
wait_operstate 1 br0 UP
wait_operstate 2 br0 UP
# bridge ports forward at once with STP off, but poll rather than assume
fwd() { ip -n "$PFX-$1" -d link show dev "$2" | grep -q 'state forwarding'; }
for s in 1 2; do
	wait_for "l2tpeth0 forwarding in ns $s" 100 fwd "$s" l2tpeth0
	wait_for "h$s forwarding in ns $s" 100 fwd "$s" "h$s"
done

say "host3 -> host4 across the bridged pseudowire (ARP first)"
[ -z "$(ip -n "$PFX-3" neigh show 203.0.113.4)" ] || fail "host3 already had a neighbour entry"
ping_ok 3 203.0.113.4
ping_n 3 203.0.113.4 20
ping_n 4 203.0.113.3 20

say "ARP resolved on both hosts with the real MACs"
n3=$(ip -n "$PFX-3" neigh show 203.0.113.4 dev eth0)
n4=$(ip -n "$PFX-4" neigh show 203.0.113.3 dev eth0)
echo "host3: $n3"
echo "host4: $n4"
grep -q "lladdr $mac4 " <<<"$n3 " || fail "host3 neighbour 203.0.113.4 is not $mac4: $n3"
grep -q "lladdr $mac3 " <<<"$n4 " || fail "host4 neighbour 203.0.113.3 is not $mac3: $n4"

say "the bridges learnt the remote host's MAC on the l2tpeth port"
bridge -n "$PFX-1" fdb show br br0 | grep -q "^$mac4 dev l2tpeth0" ||
	fail "site1 bridge did not learn $mac4 on l2tpeth0"
bridge -n "$PFX-2" fdb show br br0 | grep -q "^$mac3 dev l2tpeth0" ||
	fail "site2 bridge did not learn $mac3 on l2tpeth0"

say "802.1Q-tagged frames cross too (VLAN 5 between the hosts)"
if ip -n "$PFX-3" link add link eth0 name eth0.5 type vlan id 5 2>/dev/null; then
	ip -n "$PFX-4" link add link eth0 name eth0.5 type vlan id 5
	for h in 3 4; do
		ip -n "$PFX-$h" link set eth0.5 up
		ip -n "$PFX-$h" addr add 198.51.100.$h/24 dev eth0.5
	done
	ping_ok 3 198.51.100.4
	ping_n 4 198.51.100.3 10
else
	echo "(this kernel has no 802.1Q support: VLAN step not run)"
fi

say "a broadcast-only protocol crosses too: arping"
if command -v arping >/dev/null; then
	ip netns exec "$PFX-3" arping -c 2 -w 3 -I eth0 203.0.113.4 >/dev/null ||
		fail "arping across the pseudowire failed"
else
	echo "(arping not installed: step not run)"
fi
pass
