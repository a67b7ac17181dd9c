#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_netns.sh: a session's interface moved to another network namespace
# (`ip link set pw0 netns NAME`, as for a container) on the eBPF datapath,
# as the user datapath's TAP and the kernel's l2tp_eth allow. l2tp_encap on
# pw0's egress then runs in that namespace, whose ifindexes are not l2tpd's:
# it must hand the frames down the veth to l2tpdpN (l2tp.bpf.c, our_netns).
#   - pw0 (ns 1, ebpf) moves to ns 3, where bridges hold the lower
#     ifindexes so that pw0 gets the ifindex of pw1, a second session that
#     stays in ns 1: an encap that looked pw0's frames up by ifindex there
#     would send them as pw1's (pw1's counters in ns 2 show it);
#   - pings both ways and TCP (GSO frames down the veth) from ns 3 to ns 2
#     (user datapath); pw1 keeps working;
#   - pw0 back in ns 1 works again;
#   - moved once more, `del session` removes both ends of its veth (none
#     left in ns 1 or ns 3);
#   - pw1 moved to ns 4, which is then deleted: its veth goes, the session
#     stays (as with l2tp_eth) and can be deleted; l2tpd's exit leaves
#     nothing.
. "$(dirname "$0")/lib.sh"
require_base
L2TPD_DATAPATH_1=ebpf L2TPD_DATAPATH_2=user
setup_ns 1 2 3 4
underlay4 # with tx off on u1 (mixed_offloads): the peer is a user datapath
require_ebpf 1
start_l2tpd 1
start_l2tpd 2
tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 100 4000 200 pw0
session_pair 3000 101 4000 201 pw1
inner4 pw0 pw0 198.51.100.1 198.51.100.2
inner4 pw1 pw1 198.51.100.5 198.51.100.6
ping_ok 1 198.51.100.2
ping_ok 1 198.51.100.6

n3() { ip netns exec "$PFX-3" "$@"; }
ifindex() { ip -n "$PFX-$1" -o link show dev "$2" | cut -d: -f1; }
# move NS_FROM NS_TO: pw0 and its address
move() {
	ip -n "$PFX-$1" link set pw0 netns "$PFX-$2"
	wait_link "$2" pw0
	ip -n "$PFX-$2" link set pw0 up
	ip -n "$PFX-$2" addr add 198.51.100.1 peer 198.51.100.2 dev pw0
	wait_operstate "$2" pw0 'UP|UNKNOWN'
}

x=$(ifindex 1 pw1)
for ((i = 2; i < x; i++)); do
	ip -n "$PFX-3" link add "hold$i" index "$i" type bridge
done
rx0=$(pstat 2 4000 201 '^rx_packets$')
say "pw0 to ns 3 (pw1 has ifindex $x in ns 1)"
move 1 3
[ "$(ifindex 3 pw0)" = "$x" ] ||
	fail "pw0 got ifindex $(ifindex 3 pw0) in ns 3, not $x: the collision was not arranged"
ping_ok 3 198.51.100.2
ping_n 3 198.51.100.2 20
ping_n 2 198.51.100.1 20
ping_ok 3 198.51.100.2 -s 1372 -M do
rx1=$(pstat 2 4000 201 '^rx_packets$')
say "pw1 in ns 2 received $rx0 -> $rx1 packets while pw0 pinged from ns 3"
[ "$((rx1 - rx0))" -le 3 ] || fail "pw0's frames went out as pw1's ($rx0 -> $rx1)"
ping_ok 1 198.51.100.6
if command -v iperf3 >/dev/null; then
	ip netns exec "$PFX-2" iperf3 -s -1 -B 198.51.100.2 -p 5301 >"$T/iperf-s.log" 2>&1 &
	BGPIDS+=("$!")
	wait_for "iperf3 server" 100 iperf_listening 5301
	timeout 20 ip netns exec "$PFX-3" iperf3 -c 198.51.100.2 -p 5301 -t 2 -J --connect-timeout 3000 >"$T/iperf.json" 2>&1 ||
		fail "iperf3 from ns 3 failed: $(tail -n 3 "$T/iperf.json")"
	bps=$(jq -r '.end.sum_received.bits_per_second // 0 | floor' "$T/iperf.json")
	say "pw0 from ns 3: $((bps / 1000000)) Mbit/s TCP for 2 s"
	[ "$bps" -gt 0 ] || fail "no TCP through pw0 from ns 3"
fi
errs=$(pstat 1 3000 100 '^tx_errors$')
[ "${errs:-0}" -eq 0 ] || fail "pw0 counted $errs tx errors in ns 3"

say "pw0 back to ns 1"
move 3 1
ping_ok 1 198.51.100.2
ping_n 1 198.51.100.2 10

say "pw0 to ns 3 again, then del session"
move 1 3
ping_ok 3 198.51.100.2
l2tpc 1 del session tunnel_id 3000 session_id 100
wait_for "pw0 gone from ns 3" 100 eval "! n3 ip link show pw0 >/dev/null 2>&1"
[ "$(count_links 1 l2tpdp)" -eq 1 ] || fail "ns 1 has $(count_links 1 l2tpdp) l2tpdp, not pw1's one"
ping_ok 1 198.51.100.6

say "pw1 to ns 4, and ns 4 goes away"
ip -n "$PFX-1" link set pw1 netns "$PFX-4"
ip netns del "$PFX-4"
wait_for "pw1's veth peer to go" 100 eval '[ "$(count_links 1 l2tpdp)" -eq 0 ]'
check_daemons_alive
l2tpc 1 show session tunnel_id 3000 session_id 101 | grep -q "Session 101 in tunnel 3000" ||
	fail "session 101 went with its interface"
l2tpc 1 del session tunnel_id 3000 session_id 101
l2tpc 1 show session | grep -q Session && fail "sessions left: $(l2tpc 1 show session)"

say "l2tpd 1 stops"
kill "${DPID[1]}"
wait_for "l2tpd1 to exit" 100 eval "! kill -0 ${DPID[1]} 2>/dev/null"
unset 'DPID[1]'
[ "$(count_links 1 l2tp)" -eq 0 ] || fail "interfaces left in ns 1: $(ip -n "$PFX-1" -o link show)"
[ "$(count_links 1 pw)" -eq 0 ] || fail "pw1 left in ns 1"
pass
