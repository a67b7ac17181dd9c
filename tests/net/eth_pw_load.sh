#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_load.sh: the userspace datapath under load. iperf3 TCP for 3 s
# through Ethernet pseudowires with `seq both` and 8-byte cookies (RFC 3931
# §4.1.1.1, §4.6): UDP encap with checksums off (one datagram per segment),
# UDP encap with checksums on (UDP GSO/GRO) and IP encap. Each run must carry
# data, count no sequence and no cookie discards on either end, count wire
# packets (not the 64 KiB frames TSO/GRO move through the TAP), and leave
# the pseudowire answering pings.
# Needs iperf3 (scripts/deps.sh installs it); skipped without it.
. "$(dirname "$0")/lib.sh"
require_base
command -v iperf3 >/dev/null || skip "iperf3 not installed (scripts/deps.sh)"
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

CA=0102030405060708 CB=1112131415161718
SECS=3

iperf_listening() { ip netns exec "$PFX-2" ss -Hltn "sport = :$1" | grep -q .; }

# load NAME TID1 TID2 SID1 SID2 ADDR1 ADDR2 PORT: a seq+cookie session on the
# existing tunnel pair, iperf3 through it, then the counter checks.
load() {
	local ifn=$1 t1=$2 t2=$3 s1=$4 s2=$5 a1=$6 a2=$7 port=$8 d ss0 sd0 sd1 cd1 bps json
	local rxp rxb txp
	l2tpc 1 add session name "$ifn" tunnel_id "$t1" session_id "$s1" peer_session_id "$s2" \
		cookie $CA peer_cookie $CB seq both
	l2tpc 2 add session name "$ifn" tunnel_id "$t2" session_id "$s2" peer_session_id "$s1" \
		cookie $CB peer_cookie $CA seq both
	inner4 "$ifn" "$ifn" "$a1" "$a2"
	ping_ok 1 "$a2"
	# Frames sent before the peer's session existed may count as out of
	# sequence until it resyncs (as the kernel does): take a baseline.
	sd0=$(pstat 1 "$t1" "$s1" '^rx_seq_discards$')
	ss0=$(pstat 2 "$t2" "$s2" '^rx_seq_discards$')
	ip netns exec "$PFX-2" iperf3 -s -1 -B "$a2" -p "$port" >"$T/iperf-s-$ifn.log" 2>&1 &
	BGPIDS+=("$!")
	wait_for "iperf3 server on $a2:$port" 100 iperf_listening "$port"
	json=$T/iperf-$ifn.json
	timeout $((SECS + 15)) ip netns exec "$PFX-1" iperf3 -c "$a2" -p "$port" -t "$SECS" -J \
		>"$json" 2>&1 || fail "iperf3 through $ifn failed: $(tail -n 3 "$json")"
	bps=$(jq -r '.end.sum_received.bits_per_second // 0 | floor' "$json")
	echo "$ifn: $((bps / 1000000)) Mbit/s TCP for $SECS s"
	[ "$bps" -gt 0 ] || fail "no throughput through $ifn"
	for d in 1 2; do
		if [ $d = 1 ]; then set -- "$t1" "$s1" "$sd0"; else set -- "$t2" "$s2" "$ss0"; fi
		sd1=$(pstat $d "$1" "$2" '^rx_seq_discards$')
		cd1=$(pstat $d "$1" "$2" '^rx_cookie_discards$')
		echo "$ifn ns $d: rx_seq_discards $3 -> $sd1, rx_cookie_discards $cd1"
		[ -n "$sd1" ] && [ -n "$cd1" ] || fail "no discard counters for $ifn"
		[ "$sd1" -eq "$3" ] || fail "$ifn ns $d: sequence discards under load ($3 -> $sd1)"
		[ "$cd1" -eq 0 ] || fail "$ifn ns $d: $cd1 cookie discards under load"
	done
	# Counters count wire packets: no L2TP packet is larger than the
	# underlay MTU allows, however large the frames through the TAP were.
	rxp=$(pstat 2 "$t2" "$s2" '^rx_packets$')
	rxb=$(pstat 2 "$t2" "$s2" '^rx_bytes$')
	txp=$(pstat 1 "$t1" "$s1" '^tx_packets$')
	echo "$ifn: ns 1 tx_packets $txp, ns 2 rx_packets $rxp rx_bytes $rxb"
	[ "$rxp" -gt 1000 ] || fail "$ifn: only $rxp packets received"
	[ $((rxb / rxp)) -le 1500 ] || fail "$ifn: $((rxb / rxp)) bytes per received packet"
	[ "$rxp" -le "$txp" ] || fail "$ifn: received $rxp packets of $txp sent"
	ping_n 1 "$a2" 10
	ping_n 2 "$a1" 10
}

say "UDP encap, udp_csum off: one datagram per segment"
tunnel_pair udp 3000 4000 5000 6000
load pwu 3000 4000 1000 2000 203.0.113.1 203.0.113.2 5201

say "UDP encap, udp_csum on: UDP GSO and GRO"
l2tpc 1 add tunnel tunnel_id 3001 peer_tunnel_id 4001 encap udp local "$A1" remote "$A2" \
	udp_sport 5001 udp_dport 6001 udp_csum on
l2tpc 2 add tunnel tunnel_id 4001 peer_tunnel_id 3001 encap udp local "$A2" remote "$A1" \
	udp_sport 6001 udp_dport 5001 udp_csum on
load pwg 3001 4001 1001 2001 203.0.113.5 203.0.113.6 5202

say "IP encap"
tunnel_pair ip 3002 4002
load pwi 3002 4002 1002 2002 203.0.113.9 203.0.113.10 5203

say "all three still pass traffic"
ping_n 1 203.0.113.2 5
ping_n 1 203.0.113.6 5
ping_n 1 203.0.113.10 5
pass
