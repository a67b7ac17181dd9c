#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_pw.sh: the eBPF datapath (l2tpd --datapath ebpf) against the user
# datapath and against itself. Static L2TPv3 pseudowires over UDP/IPv4,
# IP/IPv4 (protocol 115), UDP/IPv6 (zero checksums, RFC 6935) and IP/IPv6;
# no sublayer and the default one (RFC 3931 §4.6); 4- and 8-byte cookies
# (§4.1); pings both ways, pings as large as the session's MTU
# takes with DF (1400 bytes and more); a route change followed within a
# bounded time; tshark decodes what ebpf sends; the counters of
# `l2tp -s show session` on both ends; a cookie mismatch is counted at the
# ebpf end and delivers nothing; the programs are detached and freed (and
# the session devices gone) when tunnels go and when l2tpd stops, also by
# SIGKILL (the next start removes the veths). Skips (77) when this kernel
# or this process may not load the programs.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
ip -n "$PFX-2" addr add 2001:db8:1::2/64 dev u2 nodad
B1=2001:db8:1::1 B2=2001:db8:1::2
wait_for "underlay6 ping" 100 ip netns exec "$PFX-1" ping -6 -c 1 -W 1 -q "$B2"
command -v bpftool >/dev/null || skip "bpftool not installed (program checks)"
command -v ethtool >/dev/null || skip "ethtool not installed (underlay offloads)"
require_ebpf 1

# tunnels T(1) = T(2) - 1000 in each phase; sessions numbered per case
# tun ENCAP TID FAMILY [ARGS...]: tunnel TID (ns 1) and TID+1000 (ns 2)
tun() {
	local encap=$1 t=$2 fam=$3 l=$A1 r=$A2 p1=() p2=()
	shift 3
	[ "$fam" = 6 ] && l=$B1 r=$B2
	if [ "$encap" = udp ]; then
		p1=(udp_sport $((t + 1)) udp_dport $((t + 1001)))
		p2=(udp_sport $((t + 1001)) udp_dport $((t + 1)))
	fi
	l2tpc 1 add tunnel tunnel_id "$t" peer_tunnel_id $((t + 1000)) encap "$encap" \
		local "$l" remote "$r" "${p1[@]}" "$@"
	l2tpc 2 add tunnel tunnel_id $((t + 1000)) peer_tunnel_id "$t" encap "$encap" \
		local "$r" remote "$l" "${p2[@]}" "$@"
}

# pw NAME TID SID N [ARGS...]: session SID (ns 1) / SID+1000 (ns 2) named
# NAME on both ends, inner addresses 198.51.100.(4N+1) and .(4N+2), up.
pw() {
	local name=$1 t=$2 s=$3 n=$4
	shift 4
	l2tpc 1 add session name "$name" tunnel_id "$t" session_id "$s" \
		peer_session_id $((s + 1000)) "$@"
	l2tpc 2 add session name "$name" tunnel_id $((t + 1000)) session_id $((s + 1000)) \
		peer_session_id "$s" "$@"
	inner4 "$name" "$name" "198.51.100.$((4 * n + 1))" "198.51.100.$((4 * n + 2))"
}

# traffic NAME TID SID N: pings both ways (also 1400 bytes, DF) and checks
# that the packets were counted on both ends.
traffic() {
	local name=$1 t=$2 s=$3 n=$4 a1 a2 tx1 rx1 tx2 rx2 mtu
	a1=198.51.100.$((4 * n + 1)) a2=198.51.100.$((4 * n + 2))
	ping_ok 1 "$a2"
	ping_n 1 "$a2" 10
	ping_n 2 "$a1" 10
	# the largest ping the session's MTU takes whole (DF): 1400 bytes or
	# more over IPv4, a few less under an IPv6 underlay with a cookie
	mtu=$(ip -n "$PFX-1" -o link show dev "$name" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
	[ "${mtu:-0}" -ge 1400 ] || fail "$name: MTU ${mtu:-?} is smaller than 1400"
	ping_ok 1 "$a2" -s $((mtu - 28)) -M do
	ping_ok 2 "$a1" -s $((mtu - 28)) -M do
	ping_none 1 "$a2" -s $((mtu - 27)) -M do
	tx1=$(pstat 1 "$t" "$s" '^tx_packets$') rx1=$(pstat 1 "$t" "$s" '^rx_packets$')
	tx2=$(pstat 2 $((t + 1000)) $((s + 1000)) '^tx_packets$')
	rx2=$(pstat 2 $((t + 1000)) $((s + 1000)) '^rx_packets$')
	say "$name: ns1 tx $tx1 rx $rx1, ns2 tx $tx2 rx $rx2"
	for v in "$tx1" "$rx1" "$tx2" "$rx2"; do
		[ "${v:-0}" -ge 22 ] || fail "$name: counters too small after 22+ pings each way"
	done
	# what one side sent the other received, give or take a few: frames
	# sent before the far interface was up (counted there as errors), and
	# IPv6 ND/MLD between the reads of the two daemons' counters
	[ "$((tx1 - rx2))" -le 5 ] && [ "$((rx2 - tx1))" -le 5 ] &&
		[ "$((tx2 - rx1))" -le 5 ] && [ "$((rx1 - tx2))" -le 5 ] ||
		fail "$name: sent and received counts differ by more than 5"
}

# csum_check FAMILY PORT...: in the capture $CAP, every UDP packet to one
# of the ports has a right checksum (tshark verifies it), and there are some.
csum_check() {
	local fam=$1 f bad good
	shift
	f=$(printf 'udp.dstport == %s || ' "$@")
	f="(${f% || }) && $([ "$fam" = 6 ] && echo ipv6 || echo ip)"
	bad=$(tshark -r "$CAP" -o udp.check_checksum:TRUE -Y "$f && udp.checksum.status != 1" \
		2>/dev/null | wc -l)
	good=$(tshark -r "$CAP" -o udp.check_checksum:TRUE -Y "$f && udp.checksum.status == 1" \
		2>/dev/null | wc -l)
	say "UDP/IPv$fam to port $*: $good packets with a right UDP checksum, $bad not"
	[ "$bad" -eq 0 ] && [ "$good" -ge 6 ] ||
		fail "UDP/IPv$fam to $*: $bad packets with a wrong or no checksum ($good right)"
}

# csum_phase MIXED|BOTH: UDP checksums on: IPv4 with udp_csum on, IPv6 by
# default (RFC 8200 §8.1); tshark finds the checksums the ebpf ends send
# right (both ends in "ebpf <-> ebpf"), and TCP goes through. The ebpf end
# needs no `tx off` on its underlay here: it sends segments whose inner
# checksums the kernel has filled in (see l2tpd(8)).
csum_phase() {
	local from1=(4401 4601) from2=(3401 3601) sz errs e0 e1
	say "== $1: UDP/IPv4 with udp_csum on, UDP/IPv6 with checksums (the default)"
	n1 ethtool -K u1 tx on >/dev/null
	tun udp 3400 4 udp_csum on
	pw c4 3400 140 10
	tun udp 3600 6
	pw c6 3600 160 11 cookie 0102030405060708 peer_cookie 0102030405060708
	traffic c4 3400 140 10
	traffic c6 3600 160 11
	if cap_start 1 u1; then
		cap_mark 1 198.51.100.42
		# odd and even sizes, up to what the MTU takes; both ways
		for sz in 56 57 1001 1371 56 57 1001 1371; do
			ping_ok 1 198.51.100.42 -s "$sz"
			ping_ok 2 198.51.100.41 -s "$sz"
			ping_ok 1 198.51.100.46 -s "$sz"
			ping_ok 2 198.51.100.45 -s "$sz"
		done
		# at least 6 of each direction's packets for csum_check (cap_fill)
		cap_fill 1 198.51.100.42 6 "udp.dstport == ${from1[0]}"
		cap_fill 1 198.51.100.46 6 "udp.dstport == ${from1[1]}"
		cap_fill 1 198.51.100.42 6 "udp.dstport == ${from2[0]}"
		cap_fill 1 198.51.100.46 6 "udp.dstport == ${from2[1]}"
		cap_stop 1 198.51.100.46
		# a peer on the user datapath sends CHECKSUM_PARTIAL packets:
		# over a veth their checksums are never filled in, on the wire
		# of the capture too
		csum_check 4 "${from1[0]}"
		csum_check 6 "${from1[1]}"
		if [ "$1" = "ebpf <-> ebpf" ]; then
			csum_check 4 "${from2[0]}"
			csum_check 6 "${from2[1]}"
		fi
	else
		say "tshark not installed: no check of the checksums on the wire"
	fi
	errs=$(csum_errs)
	# TCP both ways: ns 1 sends, then ns 2 (-R)
	iperf_tcp c4 198.51.100.42 5203
	iperf_tcp c6 198.51.100.46 5204
	if [ "$1" = "ebpf <-> user" ]; then
		# The user datapath sends UDP GSO with checksums on, and a veth
		# hands it on whole: several datagrams in one skb, which ebpf
		# drops and counts (l2tpd(8)). A NIC, or a veth that segments,
		# makes datagrams of them.
		e0=$(pstat 1 3400 140 '^rx_errors$')
		ip netns exec "$PFX-2" timeout 8 iperf3 -s -1 -B 198.51.100.42 -p 5207 \
			>/dev/null 2>&1 &
		BGPIDS+=("$!")
		wait_for "iperf3 server on 5207" 100 iperf_listening 5207
		timeout 6 ip netns exec "$PFX-1" iperf3 -c 198.51.100.42 -p 5207 -t 1 -R \
			>/dev/null 2>&1 || true
		e1=$(pstat 1 3400 140 '^rx_errors$')
		say "UDP GSO from the user datapath: ebpf rx_errors $e0 -> $e1"
		[ "$e1" -gt "$e0" ] || fail "UDP GSO frames were not dropped and counted"
		n2 ethtool -K u2 tx-udp-segmentation off >/dev/null
		errs=$(csum_errs)
	fi
	iperf_tcp c4 198.51.100.42 5205 -R
	iperf_tcp c6 198.51.100.46 5206 -R
	n2 ethtool -K u2 tx-udp-segmentation on >/dev/null
	# neither end dropped a packet for its checksum
	[ "$(csum_errs)" = "$errs" ] || fail "rx errors grew: $errs -> $(csum_errs)"
}

# the rx_errors of c4 and c6 at both ends
csum_errs() {
	local d
	for d in 0 1000; do
		echo $(($(pstat $((d / 1000 + 1)) $((3400 + d)) $((140 + d)) '^rx_errors$'))) \
			$(($(pstat $((d / 1000 + 1)) $((3600 + d)) $((160 + d)) '^rx_errors$')))
	done | tr '\n' ' '
}

# phase MIXED|BOTH: every tunnel and session form between ns 1 (ebpf) and
# ns 2 (user datapath, or ebpf too)
# route_moves: l2tp_encap keeps each CPU's FIB result for a session for
# 100 ms (l2tp_bpf.h). Ns 1's route to the peer moves to a second veth
# (u1b/u2b): within a bounded wait the pings of e0 go that way, and back
# when the route goes. A cache that never expired would keep u1.
route_moves() {
	local r0 r1 i
	veth 1 u1b 2 u2b
	rxb() { ip -n "$PFX-2" -s -j link show dev u2b | jq '.[0].stats64.rx.packets'; }
	r0=$(rxb)
	ip -n "$PFX-1" route add "$A2/32" dev u1b
	sleep 0.3
	ping_n 1 198.51.100.2 5
	r1=$(rxb)
	say "route to $A2 via u1b: u2b received $r0 -> $r1 packets"
	[ "$((r1 - r0))" -ge 5 ] || fail "after the route moved, e0's packets did not take u1b"
	ip -n "$PFX-1" route del "$A2/32" dev u1b
	sleep 0.3
	r0=$(rxb)
	ping_n 1 198.51.100.2 5
	r1=$(rxb)
	[ "$((r1 - r0))" -le 2 ] || fail "after the route went, e0's packets still took u1b ($r0 -> $r1)"
	ip -n "$PFX-1" link del u1b
}

phase() {
	say "== $1: UDP/IPv4, no sublayer, no cookie"
	tun udp 3000 4
	pw e0 3000 100 0 l2spec_type none
	traffic e0 3000 100 0
	[ "$1" = "ebpf <-> user" ] && route_moves

	say "== $1: UDP/IPv4, default sublayer; cookies 4 and 8"
	pw e1 3000 101 1
	traffic e1 3000 101 1
	l2tpc 1 add session name e2 tunnel_id 3000 session_id 102 peer_session_id 1102 \
		cookie 0a0b0c0d peer_cookie 01020304
	l2tpc 2 add session name e2 tunnel_id 4000 session_id 1102 peer_session_id 102 \
		cookie 01020304 peer_cookie 0a0b0c0d
	inner4 e2 e2 198.51.100.9 198.51.100.10
	traffic e2 3000 102 2
	if [ "$1" = "ebpf <-> user" ]; then
		if cap_start 2 u2; then
			# what the programs write, as tshark decodes L2TPv3 (4-byte
			# cookie, default sublayer): requests ebpf -> user, replies back.
			# The capture is live once a marker is in it (cap_mark), and
			# holds at least 6 of ebpf's packets however busy the machine
			# is (cap_fill: more pings, bounded), whatever their checksums.
			cap_mark 1 198.51.100.10
			ping_n 1 198.51.100.10 3
			cap_fill 1 198.51.100.10 6 "udp.dstport == 4001"
			cap_stop 1 198.51.100.10
			tshark -r "$CAP" -d udp.port==4001,l2tp -d udp.port==3001,l2tp \
				-d "l2tp.pw_type==0,eth" -o "l2tp.cookie_size:4 Byte Cookie" \
				-o "l2tp.l2_specific:Default L2-Specific" -Y "icmp && ip.dst == 198.51.100.10 ||
				icmp && ip.src == 198.51.100.10" -T fields -e udp.dstport -e l2tp.sid \
				-e l2tp.cookie -e l2tp.l2_spec_s -e eth.type -e icmp.type \
				-E occurrence=l 2>/dev/null | sort -u >"$T/fields"
			cat "$T/fields"
			for fld in "4001	0x0000044e	0a0b0c0d	0	0x0800	8" \
				"3001	0x00000066	01020304	0	0x0800	0"; do
				grep -qx "$fld" "$T/fields" || fail "tshark did not see: $fld"
			done
			# ebpf's IPv4 header checksums are right, its UDP checksums zero
			bad=$(tshark -r "$CAP" -o ip.check_checksum:TRUE -Y \
				"udp.dstport == 4001 && (ip.checksum.status == 0 || udp.checksum != 0)" \
				2>/dev/null | wc -l)
			good=$(tshark -r "$CAP" -o ip.check_checksum:TRUE -Y \
				"udp.dstport == 4001 && ip.checksum.status == 1 && udp.checksum == 0" \
				2>/dev/null | wc -l)
			say "from ebpf: $good packets with a good IP checksum and UDP checksum 0, $bad not"
			[ "$bad" -eq 0 ] && [ "$good" -ge 6 ] ||
				fail "$bad packets from ebpf with a bad IP or a UDP checksum ($good good)"
		else
			say "tshark not installed: no decode of the packets"
		fi
	fi
	l2tpc 1 add session name e3 tunnel_id 3000 session_id 103 peer_session_id 1103 \
		cookie 0123456789abcdef peer_cookie fedcba9876543210 l2spec_type none
	l2tpc 2 add session name e3 tunnel_id 4000 session_id 1103 peer_session_id 103 \
		cookie fedcba9876543210 peer_cookie 0123456789abcdef l2spec_type none
	inner4 e3 e3 198.51.100.13 198.51.100.14
	traffic e3 3000 103 3

	say "== $1: cookie mismatch: ns 1 expects a cookie ns 2 does not send"
	l2tpc 1 add session name e4 tunnel_id 3000 session_id 104 peer_session_id 1104 \
		cookie 11111111 peer_cookie 22222222
	l2tpc 2 add session name e4 tunnel_id 4000 session_id 1104 peer_session_id 104 \
		cookie 33333333 peer_cookie 11111111
	inner4 e4 e4 198.51.100.17 198.51.100.18
	d0=$(pstat 1 3000 104 '^rx_cookie_discards$')
	ping_none 2 198.51.100.17
	d1=$(pstat 1 3000 104 '^rx_cookie_discards$')
	rx=$(pstat 1 3000 104 '^rx_packets$')
	say "cookie discards at ns 1: ${d0:-?} -> ${d1:-?}, rx_packets ${rx:-?}"
	[ -n "$d1" ] && [ "$d1" -ge $((${d0:-0} + 3)) ] ||
		fail "cookie discards grew from ${d0:-?} to ${d1:-?} after 3 pings"
	[ "${rx:-0}" -eq 0 ] || fail "a session with a bad cookie received $rx packets"
	out=$(l2tpc 1 -s show session tunnel_id 3000 session_id 104)
	grep -qE 'cookie_discards [1-9]' <<<"$out" || fail "-s show session: no cookie discards: $out"
	# the other sessions of the tunnel are not disturbed
	ping_n 1 198.51.100.2 5

	say "== $1: sequence numbers both ways (default sublayer, RFC 3931 §4.6)"
	pw s0 3000 105 9 seq both
	traffic s0 3000 105 9
	# both ends drop unnumbered packets (recv_seq): what traffic counted
	# was numbered; nothing was out of order or discarded on a veth
	for d in 1 2; do
		j=$(session_json $d $((3000 + (d - 1) * 1000)) $((105 + (d - 1) * 1000)))
		jq -e 'has("send_seq") and has("recv_seq") and .stats.rx_seq_discards == 0' \
			<<<"$j" >/dev/null || fail "ns $d: -j show session: $j"
	done

	say "== $1: IP/IPv4 (protocol 115)"
	tun ip 3100 4
	# l2tp_decap finds sessions by id alone: one id, one session
	if l2tpc 1 add session name dup tunnel_id 3100 session_id 100 peer_session_id 9 \
		2>"$T/dup.err"; then
		fail "ns 1 took session id 100 twice"
	fi
	grep -q 'taken by another tunnel' "$T/dup.err" || fail "duplicate id: $(cat "$T/dup.err")"
	pw i4 3100 110 5
	traffic i4 3100 110 5

	say "== $1: TCP over UDP (GSO frames) and over IP (segmented before encap)"
	iperf_tcp e1 198.51.100.6 5201
	iperf_tcp i4 198.51.100.22 5202
	# `seq send`: every segment of a TCP frame has a number of its own, and
	# they reach the wire in order (ebpf.c, per_segment() and rps_pin());
	# numbered before segmentation, all but one would be duplicates
	d1=$(pstat 1 3000 105 '^rx_seq_discards$') d2=$(pstat 2 4000 1105 '^rx_seq_discards$')
	iperf_tcp s0 198.51.100.38 5203
	e1=$(pstat 1 3000 105 '^rx_seq_discards$') e2=$(pstat 2 4000 1105 '^rx_seq_discards$')
	say "s0 sequence discards during TCP: ns 1 $d1 -> $e1, ns 2 $d2 -> $e2"
	[ -n "$e1" ] && [ -n "$e2" ] && [ "$e1" = "$d1" ] && [ "$e2" = "$d2" ] ||
		fail "sequence discards during TCP through s0"

	say "== $1: UDP/IPv6 (zero UDP checksums)"
	tun udp 3200 6 udp6_csum_tx off udp6_csum_rx off
	pw u6 3200 120 6 cookie 0102030405060708 peer_cookie 0102030405060708
	traffic u6 3200 120 6

	say "== $1: IP/IPv6"
	tun ip 3300 6
	pw i6 3300 130 7
	traffic i6 3300 130 7
	ip -n "$PFX-1" addr add 2001:db8:7::1/64 dev i6 nodad
	ip -n "$PFX-2" addr add 2001:db8:7::2/64 dev i6 nodad
	ping_ok 1 2001:db8:7::2 -6
	ping_ok 2 2001:db8:7::1 -6 -s 1300

	csum_phase "$1"
	[ "$1" = "ebpf <-> user" ] && n1 ethtool -K u1 tx off >/dev/null

	say "== $1: -s show session (text)"
	out=$(l2tpc 1 -s show session tunnel_id 3000 session_id 101)
	echo "$out"
	grep -qE 'RX packets [1-9]' <<<"$out" && grep -qE 'TX packets [1-9]' <<<"$out" ||
		fail "-s show session shows no traffic"
}

# tcx_links, prog_ids, prog_exists, ebpf_kill, ebpf_stop_all: lib.sh
# delete everything in both daemons (tunnels take their sessions)
teardown() {
	local t
	for t in 3000 3100 3200 3300 3400 3600; do
		l2tpc 1 del tunnel tunnel_id "$t"
		l2tpc 2 del tunnel tunnel_id $((t + 1000))
	done
	for i in e0 e1 e2 e3 e4 s0 i4 u6 i6 c4 c6; do
		wait_no_link 1 "$i"
		wait_no_link 2 "$i"
	done
}

# On a veth the kernel hands the peer frames as they were queued: GSO
# frames whole, TCP checksums not filled in (CHECKSUM_PARTIAL, which a
# peer's kernel trusts). A userspace peer reads the bytes: for it the
# underlay must finish them (segment, checksum) as a NIC would. See
# l2tpd(8), the ebpf datapath.
n1 ethtool -K u1 tx off >/dev/null || skip "ethtool -K u1 tx off failed"
L2TPD_DATAPATH_1=ebpf start_l2tpd 1
start_l2tpd 2
phase "ebpf <-> user"
# l2tp_encap on the 11 sessions' l2tpdpN ingress, and on the egress of the
# 6 that send whole frames (UDP without checksums or numbers: e0-e4, u6);
# l2tp_decap on the one underlay device
n=$(tcx_links 1)
[ "$n" -eq 18 ] || fail "l2tpd1 holds $n tcx links, not 11 + 6 sessions' + 1 underlay's"
teardown
n=$(tcx_links 1)
[ "$n" -eq 0 ] || fail "l2tpd1 still holds $n tcx links after its tunnels were deleted"
[ "$(count_links 1 l2tpdp)" -eq 0 ] || fail "veth peers left in ns 1 after the sessions went"

say "ns 2 switches to the ebpf datapath too"
stop_l2tpd 2
[ "$DRC" -eq 0 ] || fail "l2tpd2 exited with $DRC"
L2TPD_DATAPATH_2=ebpf start_l2tpd 2
# between two kernels the GSO frames may cross the veth whole
n1 ethtool -K u1 tx on >/dev/null
phase "ebpf <-> ebpf"

say "SIGKILL: the kernel detaches the programs; the next start removes the veths"
ebpf_kill 2
[ "$(count_links 2 l2tpdp)" -eq 11 ] || fail "expected the 11 veth pairs of the killed l2tpd"
L2TPD_DATAPATH_2=ebpf start_l2tpd 2
[ "$(count_links 2 l2tpdp)" -eq 0 ] || fail "the new l2tpd left the killed one's veths"
grep -q 'removed l2tpdp.* left by l2tpd' "$T/l2tpd2.log" || fail "no log of the removal"
tun udp 3500 4
pw k0 3500 150 8
traffic k0 3500 150 8

say "l2tpd stops (SIGTERM): its devices and programs go with it"
ebpf_stop_all e0
pass
