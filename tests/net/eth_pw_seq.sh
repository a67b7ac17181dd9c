#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_seq.sh: data sequencing (`seq both`, RFC 3931 §4.6 default L2-specific
# sublayer with the S bit) and sessions without a sublayer (`l2spec_type
# none` on both ends) pass traffic.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

tunnel_pair udp 3000 4000 5000 6000

say "seq both on both ends"
session_pair 3000 1001 4000 2001 pwseq seq both
inner4 pwseq pwseq 203.0.113.1 203.0.113.2
ping_ok 1 203.0.113.2
ping_ok 2 203.0.113.1
# Frames sent before the peer's session existed were lost, so the first ones
# after it may count as out of sequence until the receiver resyncs (as the
# kernel does); from here on, in-order traffic must not add any.
oos0=$(pstat 2 4000 2001 '^rx_seq_discards$')
oos0b=$(pstat 1 3000 1001 '^rx_seq_discards$')
ping_n 1 203.0.113.2 50
ping_n 2 203.0.113.1 20
out=$(l2tpc 1 show session tunnel_id 3000 session_id 1001)
echo "$out"
grep -qE 'sequence numbering:.*send' <<<"$out" || fail "show session does not show send sequencing"
grep -qE 'sequence numbering:.*recv' <<<"$out" || fail "show session does not show recv sequencing"
jq -e 'has("send_seq") and has("recv_seq")' <<<"$(session_json 1 3000 1001)" >/dev/null ||
	fail "-j show session lacks send_seq/recv_seq"
# in-order traffic on a veth: nothing may be counted out of sequence
oos=$(pstat 2 4000 2001 '^rx_seq_discards$')
oosb=$(pstat 1 3000 1001 '^rx_seq_discards$')
[ -n "$oos" ] || fail "-s -j show session has no sequence discard counter"
[ "$oos" -eq "$oos0" ] || fail "in-order traffic counted sequence discards in ns 2: $oos0 -> $oos"
[ "$oosb" -eq "$oos0b" ] || fail "in-order traffic counted sequence discards in ns 1: $oos0b -> $oosb"

say "l2spec_type none on both ends"
session_pair 3000 1002 4000 2002 pwnone l2spec_type none
inner4 pwnone pwnone 203.0.113.5 203.0.113.6
ping_ok 1 203.0.113.6
ping_n 1 203.0.113.6 20

say "seq both with l2spec_type default explicitly"
session_pair 3000 1003 4000 2003 pwdef l2spec_type default seq both
inner4 pwdef pwdef 203.0.113.9 203.0.113.10
ping_ok 2 203.0.113.9
ping_n 2 203.0.113.9 20

say "all three sessions still pass traffic together"
ping_n 1 203.0.113.2 5
ping_n 1 203.0.113.6 5
ping_n 1 203.0.113.10 5

if command -v python3 >/dev/null; then
	say "receive side: in-order frames pass, an old sequence number is discarded"
	# Tunnel 3100 (UDP 5100 <-> 6100) has no l2tpd at the far end: ns 2
	# plays the peer with a raw socket, so we choose every Ns.
	l2tpc 1 add tunnel tunnel_id 3100 peer_tunnel_id 4100 encap udp local $A1 remote $A2 \
		udp_sport 5100 udp_dport 6100
	l2tpc 1 add session name pwinj tunnel_id 3100 session_id 1100 peer_session_id 2100 seq both
	wait_link 1 pwinj
	ip -n "$PFX-1" link set pwinj up
	wait_operstate 1 pwinj 'UP|UNKNOWN'
	# inject NS...: one frame per Ns (S bit set), in the order given, to
	# session $INJ_SID (1100); an Ns of "-" is a frame with no S bit
	inject() {
		ip netns exec "$PFX-2" python3 - "$A2" "$A1" "${INJ_SID:-1100}" "$@" <<'EOF2'
import socket, struct, sys
src, dst, sid, seqs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x02" + b"\x88\xb5" + b"seq test" * 6
u = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
for ns in seqs:
	# v3 over UDP (RFC 3931 §4.1.2.1), default sublayer with S (or none)
	word = 0 if ns == "-" else 0x40000000 | int(ns)
	p = struct.pack("!HHII", 3, 0, sid, word) + frame
	u.sendto(struct.pack("!HHHH", 6100, 5100, 8 + len(p), 0) + p, (dst, 0))
EOF2
	}
	rxp() { pstat 1 3100 1100 '^rx_packets$'; }
	disc() { pstat 1 3100 1100 '^rx_seq_discards$'; }
	# the first frames may be needed to synchronise; then all must pass
	inject 0 1 2 3 4 5 6 7 8 9
	wait_for "the first frames to be counted" 40 eval '[ "$(rxp)" -ge 1 ]'
	r0=$(rxp) d0=$(disc)
	inject 10 11 12 13 14 15 16 17 18 19
	wait_for "10 in-order frames" 40 eval '[ "$(rxp)" -ge $((r0 + 10)) ]'
	[ "$(disc)" -eq "$d0" ] || fail "in-order frames counted as sequence discards"
	r1=$(rxp)
	inject 15
	wait_for "the old frame to be discarded" 40 eval '[ "$(disc)" -ge $((d0 + 1)) ]'
	[ "$(rxp)" -eq "$r1" ] || fail "a frame with an old sequence number was received"
	inject 20 21
	wait_for "in-order frames after the discard" 40 eval '[ "$(rxp)" -ge $((r1 + 2)) ]'
	echo "rx_packets $(rxp), rx_seq_discards $(disc)"
	# what l2tpd writes into the TAP, the host receives on pwinj
	hrx=$(ip -n "$PFX-1" -s -j link show dev pwinj | jq '.[0].stats64.rx.packets')
	[ "$hrx" -eq "$(rxp)" ] || fail "pwinj received $hrx frames, the session counted $(rxp)"

	say "seq send facing a peer that numbers nothing: l2tpd stops, and says so"
	# Without lns_mode a session follows its peer (RFC 2661 §5.4, as the
	# kernel applies it to v3 too): a frame without a sequence number turns
	# its numbering off, and show session reports the live state. (Two
	# l2tpd would turn each other's back on: the injector does not.)
	l2tpc 1 add session name pwls tunnel_id 3100 session_id 1101 peer_session_id 2101 seq send
	wait_link 1 pwls
	ip -n "$PFX-1" link set pwls up
	numbering() { jq -e 'has("send_seq")' <<<"$(session_json 1 3100 1101)"; }
	numbering >/dev/null || fail "seq send: show session does not say send_seq before the peer spoke"
	INJ_SID=1101 inject - -
	not_numbering() { ! numbering; }
	wait_for "ns 1 to stop numbering" 40 not_numbering
	grep -qE 'sequence numbering:.*send' <<<"$(l2tpc 1 show session tunnel_id 3100 session_id 1101)" &&
		fail "show session still says send after l2tpd stopped numbering"
	INJ_SID=1101 inject 0
	wait_for "ns 1 to number again after a numbered frame" 40 numbering
fi
pass
