#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_follow.sh: an ebpf session with the default sublayer and no `seq`
# follows its peer's numbering (RFC 2661 §5.4, without lns_mode, as
# lib/dp.c and the kernel do for L2TPv3 too), and then numbers every
# segment of its large TCP frames: l2tp_decap tells l2tpd the numbering
# changed (a ring buffer event) and l2tpd moves the session to the path
# that cuts frames before encapsulation (TSO off on the session device,
# l2tp_encap on the veth peer's ingress), and back when the peer stops.
# ns 1: --datapath ebpf, default seq; ns 2: the user datapath, `seq both`,
# which drops unnumbered packets (rx_seq_discards): before the move, every
# GSO frame of a TCP bulk transfer from ns 1 went out unnumbered and was
# lost there. Skips (77) without the ebpf datapath or iperf3.
. "$(dirname "$0")/lib.sh"
require_base
export L2TPD_DATAPATH_1=ebpf L2TPD_DATAPATH_2=user
setup_ns 1 2
underlay4 # mixed pair: tx off on u1 (lib.sh mixed_offloads)
command -v iperf3 >/dev/null || skip "iperf3 not installed (TCP bulk)"
command -v ethtool >/dev/null || skip "ethtool not installed (offload checks)"
require_ebpf 1
start_l2tpd 1
start_l2tpd 2
tunnel_pair udp 3000 4000 5000 6000

# tso NS IF: "on" or "off", IF's TSO for IPv4 and, where the kernel has
# it (6.18), for AccECN (tx-tcp-segmentation, tx-tcp-accecn-segmentation:
# the legacy ioctl ETHTOOL_STSO leaves the second on; ebpf.c
# feature_set()); "mixed" when they differ
tso() {
	ip netns exec "$PFX-$1" ethtool -k "$2" |
		sed -n 's/^[[:space:]]*tx-tcp\(-accecn\)\{0,1\}-segmentation: \([a-z]*\).*/\2/p' |
		sort -u | awk '{ v = v ? "mixed" : $1 } END { print v }'
}
# numbers D TID SID: daemon D's session sends sequence numbers now
numbers() { jq -e 'has("send_seq")' <<<"$(session_json "$1" "$2" "$3")" >/dev/null; }
moves() { grep -c "pwf: the peer $1 sequence numbers: so" "$T/l2tpd1.log" || true; }

l2tpc 1 add session name pwf tunnel_id 3000 session_id 1001 peer_session_id 2001
l2tpc 2 add session name pwf tunnel_id 4000 session_id 2001 peer_session_id 1001 seq both
wait_link 1 pwf
# before ns 2's interface is up (it then sends IPv6 solicitations, numbered)
[ "$(tso 1 pwf)" = on ] || fail "pwf in ns 1 starts with TSO $(tso 1 pwf), not on"
! numbers 1 3000 1001 || fail "ns 1 numbers before its peer did"
inner4 pwf pwf 203.0.113.1 203.0.113.2

say "the peer numbers: ns 1 follows and moves the session"
# ns 2 speaks first: its numbered frames turn ns 1's numbering on (ns 1's
# unnumbered ones before that are dropped at ns 2)
ping_ok 2 203.0.113.1
wait_for "ns 1 to number (show session)" 100 numbers 1 3000 1001
wait_for "the move in l2tpd1's log" 100 eval '[ "$(moves sends)" -ge 1 ]'
wait_for "TSO off on pwf in ns 1" 100 eval '[ "$(tso 1 pwf)" = off ]'
l2tpc 1 show session tunnel_id 3000 session_id 1001 | tee "$T/show"
grep -qE 'sequence numbering:.* send' "$T/show" || fail "show session: no send numbering"
# l2tp_encap on l2tpdpN's ingress and the underlay's l2tp_decap: the
# link on pwf's egress went with the move
[ "$(tcx_links 1)" -eq 2 ] || fail "l2tpd1 holds $(tcx_links 1) tcx links, not 2"
ping_n 1 203.0.113.2 20

say "TCP bulk from the ebpf end: every segment numbered, none discarded"
d0=$(pstat 2 4000 2001 '^rx_seq_discards$') r0=$(pstat 2 4000 2001 '^rx_packets$')
t0=$(pstat 1 3000 1001 '^tx_packets$')
iperf_tcp pwf 203.0.113.2 5201
d1=$(pstat 2 4000 2001 '^rx_seq_discards$') r1=$(pstat 2 4000 2001 '^rx_packets$')
t1=$(pstat 1 3000 1001 '^tx_packets$')
say "ns 1 tx_packets $t0 -> $t1; ns 2 rx_packets $r0 -> $r1, rx_seq_discards $d0 -> $d1"
# a peer that requires numbers took them all (a lost packet would cost a
# few discards: the receiver resynchronises after 5, lib/dp.c). Unmoved,
# every GSO frame went out unnumbered: ~120 discards, TCP all but stalled.
[ $((d1 - d0)) -le 2 ] || fail "ns 2 discarded $((d1 - d0)) packets for their sequence numbers"
[ $((r1 - r0)) -ge 1000 ] || fail "ns 2 received only $((r1 - r0)) packets of TCP bulk"
# and the other way, ns 2 sending: ns 1 takes numbered segments in order
e1=$(pstat 1 3000 1001 '^rx_seq_discards$')
iperf_tcp pwf 203.0.113.2 5202 -R
d2=$(pstat 2 4000 2001 '^rx_seq_discards$') e2=$(pstat 1 3000 1001 '^rx_seq_discards$')
say "reverse: rx_seq_discards ns 2 $d1 -> $d2 (its ACKs), ns 1 $e1 -> $e2"
[ $((d2 - d1)) -le 2 ] || fail "ns 2 discarded $((d2 - d1)) packets during the reverse run"

say "the peer stops numbering: ns 1 stops too and moves back"
l2tpc 2 del session tunnel_id 4000 session_id 2001
wait_no_link 2 pwf
l2tpc 2 add session name pwf tunnel_id 4000 session_id 2001 peer_session_id 1001
wait_link 2 pwf
ip -n "$PFX-2" link set pwf up
ip -n "$PFX-2" addr add 203.0.113.2 peer 203.0.113.1 dev pwf
wait_operstate 2 pwf 'UP|UNKNOWN'
ping_ok 2 203.0.113.1
wait_for "ns 1 to stop numbering" 100 eval '! numbers 1 3000 1001'
wait_for "the move back in l2tpd1's log" 100 eval '[ "$(moves "stopped sending")" -ge 1 ]'
wait_for "TSO back on pwf in ns 1" 100 eval '[ "$(tso 1 pwf)" = on ]'
# and the egress link is back
[ "$(tcx_links 1)" -eq 3 ] || fail "l2tpd1 holds $(tcx_links 1) tcx links after the move back, not 3"
[ "$(moves sends)" -eq 1 ] || fail "ns 1 moved the session $(moves sends) times for one change"
iperf_tcp pwf 203.0.113.2 5203
ping_n 1 203.0.113.2 10
pass
