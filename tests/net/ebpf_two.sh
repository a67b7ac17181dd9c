#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_two.sh: two l2tpd with the ebpf datapath in each namespace, each with
# a tunnel over the same underlay device: both receive programs sit on the
# device's tcx ingress, and each must hand what is not its sessions' to the
# next program (tcx "next"), not end the chain: both pseudowires pass
# traffic, whichever program comes first. Skips (77) without BPF.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
require_ebpf 1

# second daemons, in the same namespaces: sockets x1 and x2
start_x() {
	local d=$1 pid i
	ip netns exec "$PFX-$d" "$L2TPD" -f -S "$T/x$d.sock" -P "$T/x$d.pid" --datapath ebpf \
		>>"$T/x$d.log" 2>&1 &
	pid=$!
	BGPIDS+=("$pid")
	for ((i = 0; i < 200; i++)); do
		xc "$d" show tunnel >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || fail "second l2tpd in ns $d exited: $(cat "$T/x$d.log")"
		sleep 0.05
	done
	fail "second l2tpd in ns $d does not answer"
}
xc() {
	local d=$1
	shift
	ASAN_OPTIONS=$CLI_ASAN_OPTIONS timeout 20 "$L2TP" -S "$T/x$d.sock" "$@"
}

L2TPD_DATAPATH_1=ebpf start_l2tpd 1
L2TPD_DATAPATH_2=ebpf start_l2tpd 2
say "first pair: UDP tunnel 3000/4000"
tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 100 4000 200 p0
inner4 p0 p0 198.51.100.1 198.51.100.2
ping_n 1 198.51.100.2 10

say "second pair, same devices: UDP tunnel 3001/4001 and IP tunnel 3002/4002"
start_x 1
start_x 2
xc 1 add tunnel tunnel_id 3001 peer_tunnel_id 4001 encap udp local "$A1" remote "$A2" \
	udp_sport 5001 udp_dport 6001
xc 2 add tunnel tunnel_id 4001 peer_tunnel_id 3001 encap udp local "$A2" remote "$A1" \
	udp_sport 6001 udp_dport 5001
xc 1 add session name q0 tunnel_id 3001 session_id 101 peer_session_id 201
xc 2 add session name q0 tunnel_id 4001 session_id 201 peer_session_id 101
xc 1 add tunnel tunnel_id 3002 peer_tunnel_id 4002 encap ip local "$A1" remote "$A2"
xc 2 add tunnel tunnel_id 4002 peer_tunnel_id 3002 encap ip local "$A2" remote "$A1"
xc 1 add session name q1 tunnel_id 3002 session_id 102 peer_session_id 202
xc 2 add session name q1 tunnel_id 4002 session_id 202 peer_session_id 102
inner4 q0 q0 198.51.100.5 198.51.100.6
inner4 q1 q1 198.51.100.9 198.51.100.10

say "all three pass traffic both ways"
ping_n 1 198.51.100.2 10
ping_n 1 198.51.100.6 10
ping_n 2 198.51.100.5 10
ping_n 1 198.51.100.10 10
ping_n 2 198.51.100.9 10
for x in "1 3001 101" "1 3002 102"; do
	set -- $x
	rx=$(xc "$1" -s -j show session tunnel_id "$2" session_id "$3" |
		jq -r '(if type == "array" then .[0] else . end) | .stats.rx_packets')
	[ "${rx:-0}" -ge 20 ] || fail "second l2tpd, session $3: rx_packets ${rx:-?}"
done

say "the first l2tpd of ns 1 restarts: its program now comes after the other's"
stop_l2tpd 1
[ "$DRC" -eq 0 ] || fail "l2tpd1 exited with $DRC"
wait_no_link 1 p0
L2TPD_DATAPATH_1=ebpf start_l2tpd 1
l2tpc 1 add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local "$A1" remote "$A2" \
	udp_sport 5000 udp_dport 6000
l2tpc 1 add session name p0 tunnel_id 3000 session_id 100 peer_session_id 200
wait_link 1 p0
ip -n "$PFX-1" link set p0 up
ip -n "$PFX-1" addr add 198.51.100.1 peer 198.51.100.2 dev p0
ping_ok 1 198.51.100.2
ping_n 2 198.51.100.1 10
ping_n 1 198.51.100.6 10
ping_n 1 198.51.100.10 10
pass
