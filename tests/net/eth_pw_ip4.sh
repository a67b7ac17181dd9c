#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_ip4.sh: L2TPv3 over IP (protocol 115, `encap ip`) on an IPv4 underlay.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

say "encap ip tunnel 3000/4000, session 1000/2000"
tunnel_pair ip 3000 4000
session_pair 3000 1000 4000 2000 -
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2

say "ping across"
ping_ok 1 203.0.113.2
ping_n 1 203.0.113.2 20

out=$(l2tpc 1 show tunnel)
echo "$out"
grep -qF "Tunnel 3000, encap IP" <<<"$out" || fail "show tunnel does not say encap IP"
if grep -qF "UDP source" <<<"$out"; then fail "show tunnel shows UDP ports for encap ip"; fi
jq -e '.[0].encap == "IP"' <<<"$(l2tpc 1 -j show tunnel)" >/dev/null || fail "-j encap is not IP"
rx=$(pstat 2 4000 2000 '^rx_packets$')
[ "${rx:-0}" -ge 20 ] || fail "rx_packets $rx after 20 pings"

say "two encap ip tunnels between the same hosts demultiplex by session id"
tunnel_pair ip 3001 4001
session_pair 3001 1001 4001 2001 pw1
inner4 pw1 pw1 203.0.113.5 203.0.113.6
ping_ok 1 203.0.113.6
ping_n 1 203.0.113.6 10
ping_n 1 203.0.113.2 10

say "a session with 8-byte cookies and sequence numbers over encap ip"
l2tpc 1 add session name pwc tunnel_id 3000 session_id 1002 peer_session_id 2002 \
	cookie 0102030405060708 peer_cookie 1112131415161718 seq both
l2tpc 2 add session name pwc tunnel_id 4000 session_id 2002 peer_session_id 1002 \
	cookie 1112131415161718 peer_cookie 0102030405060708 seq both
inner4 pwc pwc 203.0.113.9 203.0.113.10
ping_ok 1 203.0.113.10
ping_n 2 203.0.113.9 10

if cap_start 1 u1; then
	say "on the wire (tshark): IP protocol 115, session id, cookie, no UDP (RFC 3931 §4.1.1.1)"
	cap_mark 1 203.0.113.10
	ping_n 1 203.0.113.10 10
	ping_n 1 203.0.113.2 10
	cap_stop 1 203.0.113.10
	f=$(tshark -n -r "$CAP" -d l2tp.pw_type==0,eth -o l2tp.cookie_size:cookie8 \
		-o l2tp.l2_specific:default -Y "ip.src == $A1 && l2tp.sid == 2002" -T fields \
		-E separator=, -E occurrence=f -e ip.proto -e l2tp.cookie -e l2tp.l2_spec_s -e icmp.type \
		-e l2tp.l2_spec_sequence 2>/dev/null)
	n=$(grep -c . <<<"$f" || true)
	echo "$n packets of session 2002 from $A1"
	[ "$n" -ge 10 ] || fail "only $n packets of session 2002 captured"
	echo "first: $(head -n 1 <<<"$f") (ip.proto,cookie,S bit,icmp.type,Ns)"
	# S bit set: `seq both` sends sequence numbers in the sublayer (§4.6)
	bad=$(awk -F, '$1 != 115 || tolower($2) !~ /^(01:?02:?03:?04:?05:?06:?07:?08)$/ || $3 !~ /^(1|True)$/' <<<"$f")
	[ -z "$bad" ] || fail "packets of session 2002 not as configured (proto,cookie,S-bit,icmp): $bad"
	[ "$(awk -F, '$4 == 8' <<<"$f" | wc -l)" -ge 10 ] || fail "ICMP echoes not decoded inside session 2002"
	# sequence numbers count up by one per packet sent (RFC 3931 §4.6)
	gaps=$(awk -F, 'NR > 1 && $5 != (prev + 1) % 16777216 { print prev " -> " $5 } { prev = $5 }' <<<"$f")
	[ -z "$gaps" ] || fail "session 2002 sequence numbers not consecutive: $gaps"
	udp=$(tshark -n -r "$CAP" -Y "udp && ip" 2>/dev/null | wc -l)
	[ "$udp" -eq 0 ] || fail "$udp UDP packets on an encap ip underlay"
fi
pass
