#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_cookie.sh: RFC 3931 §4.1.1.1 cookies. Sessions with 4- and 8-byte
# cookies pass traffic; a session whose peer_cookie does not match what the
# peer sends passes nothing and counts cookie discards.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

tunnel_pair udp 3000 4000 5000 6000

say "4-byte cookies"
l2tpc 1 add session name c4 tunnel_id 3000 session_id 1004 peer_session_id 2004 \
	cookie 0a0b0c0d peer_cookie 01020304
l2tpc 2 add session name c4 tunnel_id 4000 session_id 2004 peer_session_id 1004 \
	cookie 01020304 peer_cookie 0a0b0c0d
inner4 c4 c4 203.0.113.1 203.0.113.2
ping_ok 1 203.0.113.2
ping_n 1 203.0.113.2 10

say "8-byte cookies"
l2tpc 1 add session name c8 tunnel_id 3000 session_id 1008 peer_session_id 2008 \
	cookie 0123456789abcdef peer_cookie fedcba9876543210
l2tpc 2 add session name c8 tunnel_id 4000 session_id 2008 peer_session_id 1008 \
	cookie FEDCBA9876543210 peer_cookie 0123456789ABCDEF
inner4 c8 c8 203.0.113.5 203.0.113.6
ping_ok 1 203.0.113.6
ping_n 2 203.0.113.5 10

say "show session reports the cookies"
out=$(l2tpc 1 show session tunnel_id 3000 session_id 1008)
echo "$out"
grep -qiF "cookie 0123456789abcdef" <<<"$out" || fail "show session lacks 'cookie 0123456789abcdef'"
grep -qiF "peer cookie fedcba9876543210" <<<"$out" || fail "show session lacks the peer cookie"
j=$(session_json 2 4000 2004)
jq -e '(.cookie | ascii_downcase) == "01020304" and (.peer_cookie | ascii_downcase) == "0a0b0c0d"' \
	<<<"$j" >/dev/null || fail "-j show session: wrong cookies: $j"

say "mismatch: ns 2 expects a cookie ns 1 does not send"
l2tpc 1 add session name cx tunnel_id 3000 session_id 1009 peer_session_id 2009 \
	cookie 11111111 peer_cookie 22222222
l2tpc 2 add session name cx tunnel_id 4000 session_id 2009 peer_session_id 1009 \
	cookie 22222222 peer_cookie 33333333
inner4 cx cx 203.0.113.9 203.0.113.10
d0=$(pstat 2 4000 2009 '^rx_cookie_discards$')
ping_none 1 203.0.113.10
d1=$(pstat 2 4000 2009 '^rx_cookie_discards$')
rx=$(pstat 2 4000 2009 '^rx_packets$')
echo "cookie discards at ns 2: ${d0:-?} -> ${d1:-?}, rx_packets ${rx:-?}"
[ -n "$d1" ] || fail "-s -j show session has no cookie discard counter"
[ "$d1" -ge $((${d0:-0} + 3)) ] || fail "cookie discards grew from ${d0:-0} to $d1 after 3 pings"
[ "${rx:-0}" -eq 0 ] || fail "a session with a bad cookie counted $rx received packets"
out=$(l2tpc 2 -s show session tunnel_id 4000 session_id 2009)
echo "$out"
grep -qiE 'cookie.*[1-9]' <<<"$out" || fail "-s show session does not show the cookie discards"

say "a 4-byte cookie against an 8-byte peer_cookie is a mismatch too"
l2tpc 1 add session name cy tunnel_id 3000 session_id 1010 peer_session_id 2010 cookie 44444444
l2tpc 2 add session name cy tunnel_id 4000 session_id 2010 peer_session_id 1010 \
	peer_cookie 4444444444444444
inner4 cy cy 203.0.113.13 203.0.113.14
ping_none 1 203.0.113.14

say "the good sessions still work"
ping_n 1 203.0.113.2 5
ping_n 1 203.0.113.6 5
pass
