#!/bin/bash
# SPDX-License-Identifier: MIT
# l2tpd as the LAC, xl2tpd as the LNS (its pppd is fakepppd, see lib.sh).
# Four xl2tpd LNS in namespace 2, on ports 1701-1704, each with its own PPP
# addresses; one l2tpd in namespace 1 dials all four:
#   1701  CHAP, tunnel secret (RFC 2661 §4.2 challenge both ways): pings
#         both ways; then the LNS's pppd terminates (LCP Terminate-Request,
#         then xl2tpd's CDN): l2tpd takes the session down and dials a
#         new call (new session id); then xl2tpd stops (it sends no
#         StopCCN then): l2tpd's Hello goes unanswered, it takes the
#         tunnel down ("peer not answering") and removes ppp10.
#   1702  PAP, no tunnel secret: pings both ways; l2tpd's del session
#         (CDN) makes the LNS's pppd exit and its TUN go; l2tpd's del tunnel
#         (StopCCN) closes the tunnel on xl2tpd.
#   1703  a wrong tunnel secret: the challenge response is refused, the
#         tunnel never comes up and l2tpd says why (show tunnel, log).
#   1704  CHAP, no secret, l2tpd configured for L2TPv3 with fallback on:
#         xl2tpd ignores the v3 SCCRQ, l2tpd retries as L2TPv2 after
#         fallback_timeout and PPP comes up.
# tshark decodes the capture: nothing malformed; SCCRQ..ICCN, CDN, StopCCN,
# the challenge AVPs, LCP, PAP, CHAP, IPCP and ICMP inside L2TPv2.
. "$(dirname "$0")/lib.sh"
require_base
require_v2
v2_topology
v2_cap_start 1 u1
PEER_NAME=lns start_xl2tpd_lns 2 chap "$V2_TUNNEL_SECRET"
PEER_NAME=lnspap PEER_PORT=1702 PEER_LOCAL_IP=203.0.113.1 PEER_POOL=203.0.113.2-203.0.113.9 \
	start_xl2tpd_lns 2 pap
PEER_NAME=lnsbad PEER_PORT=1703 PEER_LOCAL_IP=203.0.113.17 PEER_POOL=203.0.113.18-203.0.113.25 \
	start_xl2tpd_lns 2 chap not-the-secret
PEER_NAME=lnsv3 PEER_PORT=1704 PEER_LOCAL_IP=203.0.113.33 PEER_POOL=203.0.113.34-203.0.113.41 \
	start_xl2tpd_lns 2 chap
cat >"$T/lac.conf" <<CONF
add tunnel tunnel_id 10 remote $LNS_IP local $LAC_IP control on version 2 hostname lac hello 2 retries 2 secret $V2_TUNNEL_SECRET
add session tunnel_id 10 pw_type ppp name ppp10 user $PPP_USER password $PPP_PASS
add tunnel tunnel_id 20 remote $LNS_IP local $LAC_IP udp_sport 1702 udp_dport 1702 control on version 2 hostname lac
add session tunnel_id 20 pw_type ppp name ppp20 user $PPP_USER password $PPP_PASS
add tunnel tunnel_id 30 remote $LNS_IP local $LAC_IP udp_sport 1703 udp_dport 1703 control on version 2 hostname lac secret $V2_TUNNEL_SECRET
add session tunnel_id 30 pw_type ppp name ppp30 user $PPP_USER password $PPP_PASS
add tunnel tunnel_id 40 remote $LNS_IP local $LAC_IP udp_sport 1704 udp_dport 1704 control on fallback on fallback_timeout 2 hostname lac
add session tunnel_id 40 pw_type ppp name ppp40 user $PPP_USER password $PPP_PASS
CONF
"$L2TPD" -n -c "$T/lac.conf" || fail "l2tpd -n refuses the LAC file"
start_l2tpd 1 -c "$T/lac.conf"

has_addr() { ip -n "$PFX-$1" -4 -o addr show dev "$2" 2>/dev/null | grep -q "inet $3 peer $4"; }
tunnel_json() { l2tpc 1 -j show tunnel tunnel_id "$1" | jq -c 'if type == "array" then .[0] else . end'; }

say "1701: CHAP with a tunnel secret"
wait_for "ppp10's address" 200 has_addr 1 ppp10 "$PPP_POOL_FIRST" "$PPP_LNS_IP/32"
wait_ppp_up lns
ppp_has lns 'auth=chap role=authenticator name=alice result=ok' || fail "xl2tpd's pppd did not check alice by CHAP"
ping_ok 1 "$PPP_LNS_IP"
ping_ok 2 "$PPP_POOL_FIRST"
ping_n 1 "$PPP_LNS_IP" 20
ping_n 2 "$PPP_POOL_FIRST" 20
j=$(tunnel_json 10)
jq -e '.control.version == 2' <<<"$j" >/dev/null || fail "tunnel 10 is not L2TPv2: $j"
grep -q 'vendor "xelerance.com"' <<<"$(l2tpc 1 show tunnel tunnel_id 10)" || fail "show tunnel lacks xl2tpd's vendor name"
out=$(l2tpc 1 show session)
grep -q "PPP: network, $PPP_POOL_FIRST peer $PPP_LNS_IP" <<<"$out" || fail "show session lacks ppp10's PPP state: $out"
rx=$(l2tpc 1 -j show session | jq '[.[] | select(.interface == "ppp10") | .managed.ppp_rx_ip][0]')
[ "${rx:-0}" -ge 40 ] || fail "ppp10 counted ${rx:-0} IP packets received (20 echo replies and 20 requests)"
grep -q 'Connection established to 192.0.2.1, 1701' "$T/lns.log" || fail "xl2tpd did not log the tunnel"

say "1702: PAP, no tunnel secret"
wait_for "ppp20's address" 200 has_addr 1 ppp20 203.0.113.2 203.0.113.1/32
wait_ppp_up lnspap
ppp_has lnspap 'auth=pap role=authenticator name=alice result=ok' || fail "xl2tpd's pppd did not check alice by PAP"
ping_ok 1 203.0.113.1
ping_ok 2 203.0.113.2
ping_n 2 203.0.113.2 20

say "1703: a wrong tunnel secret is refused, with a reason"
wait_for "tunnel 30 refused for its challenge response" 200 \
	grep -q 'tunnel 30: down (result 4.*wrong Challenge Response' "$T/l2tpd1.log"
j=$(tunnel_json 30)
jq -e '.control.state != "established"' <<<"$j" >/dev/null || fail "tunnel 30 is up with a wrong secret: $j"
grep -q 'wrong Challenge Response' <<<"$(l2tpc 1 show tunnel tunnel_id 30)" || fail "show tunnel 30 does not say why"
link_exists 1 ppp30 >/dev/null 2>&1 && fail "ppp30 exists without a tunnel"
grep -q 'Connection established' "$T/lnsbad.log" && fail "xl2tpd established the tunnel with a wrong secret"

say "1704: L2TPv3 with fallback on reaches v2-only xl2tpd as L2TPv2"
wait_for "ppp40's address" 300 has_addr 1 ppp40 203.0.113.34 203.0.113.33/32
ping_ok 1 203.0.113.33
ping_ok 2 203.0.113.34
j=$(tunnel_json 40)
jq -e '.control.version == 2' <<<"$j" >/dev/null || fail "tunnel 40 did not fall back to L2TPv2: $j"
grep -q 'tunnel 40: .*L2TPv2' "$T/l2tpd1.log" || fail "l2tpd did not log the fallback"

say "teardown by l2tpd: del session (CDN), then del tunnel (StopCCN)"
if_pap=$(ppp_ifname lnspap)
sid=$(l2tpc 1 -j show session | jq -r '.[] | select(.interface == "ppp20") | .session_id')
l2tpc 1 del session tunnel_id 20 session_id "$sid"
wait_ppp lnspap 'exit code=0'
wait_no_link 2 "$if_pap"
wait_no_link 1 ppp20
grep -q 'Call established' "$T/lnspap.log" || fail "no call on lnspap"
l2tpc 1 del tunnel tunnel_id 20
wait_for "xl2tpd to close the tunnel of lnspap" 100 grep -q 'Connection closed to 192.0.2.1, port 1702' "$T/lnspap.log"

say "teardown by xl2tpd: its pppd terminates PPP (CDN follows), then xl2tpd vanishes"
if_lns=$(ppp_ifname lns)
sid1=$(l2tpc 1 -j show session | jq -r '.[] | select(.interface == "ppp10") | .session_id')
pppd_pid=$(sed -n 's/^fakepppd\[\([0-9]*\)\]: start .*/\1/p' "$T/lns.ppp.log" | tail -n 1)
[ -n "$pppd_pid" ] && kill -0 "$pppd_pid" || fail "no running fakepppd for lns"
kill -TERM "$pppd_pid"
wait_for "l2tpd to take ppp10 down" 200 grep -q "session $sid1 (ppp10) down (result 1, by the peer): by peer: Call disconnected due to loss of carrier" "$T/l2tpd1.log"
wait_no_link 2 "$if_lns"
say "the LAC dials again, as a new call with a new session id"
wait_for "a second call on the LNS" 200 eval '[ "$(grep -c "Call established" "$T/lns.log")" -ge 2 ]'
wait_for "ppp10's address again" 300 has_addr 1 ppp10 198.51.100.3 "$PPP_LNS_IP/32"
sid2=$(l2tpc 1 -j show session | jq -r '.[] | select(.interface == "ppp10") | .session_id')
[ -n "$sid2" ] && [ "$sid2" != "$sid1" ] || fail "the second call reused session id $sid1"
ping_ok 1 "$PPP_LNS_IP"
stop_peer lns
# xl2tpd exits on SIGTERM without a StopCCN: l2tpd finds it gone when its
# Hello is not acknowledged (hello 2, retries 2: about 10 s)
wait_for "l2tpd to find the peer gone" 400 grep -q 'tunnel 10: down .*peer lost.: peer stopped acknowledging' "$T/l2tpd1.log"
grep 'tunnel 10: down' "$T/l2tpd1.log" | tail -1
wait_no_link 1 ppp10
ping_none 1 "$PPP_LNS_IP"
ping_ok 1 203.0.113.33 # the others stay

v2_cap_stop 1
CAP_TS=(-d udp.port==1702,l2tp -d udp.port==1703,l2tp -d udp.port==1704,l2tp)
v2_cap_check "$V2_SCCRQ" "$V2_SCCRP" "$V2_SCCCN" "$V2_ICRQ" "$V2_ICCN" "$V2_CDN" "$V2_STOPCCN" \
	"l2tp.avp.type == 11" "l2tp.avp.type == 13" "l2tp.version == 3 && l2tp.avp.message_type == 1" \
	lcp pap chap ipcp "l2tp && icmp.type == 8" "l2tp && icmp.type == 0"
v2_pass
