#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_ip4.sh: a managed L2TPv3 tunnel over IP (protocol 115, RFC 3931
# §4.1.1.2) on an IPv4 underlay: the control connection (Session ID 0) and
# two Ethernet sessions come up from configuration files, the data of each
# session reaches its own interface (demultiplexed by Session ID), ping and
# a short iperf3 TCP run (skipped without iperf3) pass through both, the
# MTU leaves room for the IP overhead, and `del tunnel` on the acceptor
# tears down the initiator's side too (StopCCN).
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 41 remote $A2 local $A1 encap ip control on hostname four-a hello 5
add session tunnel_id 41 remote_end_id vc-a name l2tpipa
add session tunnel_id 41 remote_end_id vc-b name l2tpipb
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 42 remote $A1 local $A2 encap ip control on role accept hostname four-b
add session tunnel_id 42 remote_end_id vc-b name l2tpipb
add session tunnel_id 42 remote_end_id vc-a name l2tpipa
CONF
"$L2TPD" -n -c "$T/a.conf" >/dev/null || fail "l2tpd -n refuses a.conf"
"$L2TPD" -n -c "$T/b.conf" >/dev/null || fail "l2tpd -n refuses b.conf"
start_l2tpd 2 -c "$T/b.conf"
start_l2tpd 1 -c "$T/a.conf"

say "the control connection and both sessions come up"
wait_link 1 l2tpipa
wait_link 1 l2tpipb
wait_link 2 l2tpipa
wait_link 2 l2tpipb
j=$(l2tpc 1 -j show tunnel)
jq -e --arg l "$A1" --arg r "$A2" '.[0] | .encap == "IP" and .local == $l and .peer == $r and
	.control.state == "established" and .control.encap == "ip"' <<<"$j" >/dev/null ||
	fail "-j show tunnel: $j"
j=$(l2tpc 2 -j show session)
jq -e 'length == 2 and all(.[]; .managed.state == "established")' <<<"$j" >/dev/null ||
	fail "-j show session on B: $j"

inner4 l2tpipa l2tpipa 203.0.113.1 203.0.113.2
inner4 l2tpipb l2tpipb 198.51.100.1 198.51.100.2
# IPv4 20, session id 4, cookie 8, sublayer 4, Ethernet 14
want=$((1500 - 20 - 4 - 8 - 4 - 14))
mtu=$(ip -n "$PFX-1" -o link show dev l2tpipa | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
say "l2tpipa mtu $mtu (expected $want)"
[ "$mtu" -le "$want" ] || fail "l2tpipa: mtu $mtu leaves no room for the IP overhead"

# rxp NS IFNAME: rx_packets of the session with that interface
rxp() {
	l2tpc "$1" -s -j show session |
		jq -r --arg i "$2" '.[] | select(.interface == $i) | .stats.rx_packets'
}

say "ping through each session; each one's frames reach its own session"
ping_ok 1 203.0.113.2
ping_ok 1 198.51.100.2
ra0=$(rxp 2 l2tpipa) rb0=$(rxp 2 l2tpipb)
ping_n 1 203.0.113.2 50
ra1=$(rxp 2 l2tpipa) rb1=$(rxp 2 l2tpipb)
say "B rx_packets after 50 pings through vc-a: vc-a $ra0 -> $ra1, vc-b $rb0 -> $rb1"
[ -n "$ra1" ] && [ -n "$rb1" ] || fail "no rx_packets counters on B"
[ $((ra1 - ra0)) -ge 49 ] || fail "vc-a on B counted $((ra1 - ra0)) of 50 echoes"
[ $((rb1 - rb0)) -le 10 ] || fail "vc-b on B counted $((rb1 - rb0)) frames of vc-a's traffic"
ping_n 2 198.51.100.1 20
ping_ok 1 203.0.113.2 -M "do" -s $((mtu - 28))

say "iperf3 through the session"
iperf_tcp l2tpipa 203.0.113.2 5201
ping_ok 1 198.51.100.2

say "del tunnel on the acceptor: StopCCN takes the initiator's interfaces too"
l2tpc 2 del tunnel tunnel_id 42
wait_no_link 2 l2tpipa
wait_no_link 2 l2tpipb
wait_no_link 1 l2tpipa
wait_no_link 1 l2tpipb
pass
