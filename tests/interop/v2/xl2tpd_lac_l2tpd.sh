#!/bin/bash
# SPDX-License-Identifier: MIT
# xl2tpd as the LAC (its pppd is fakepppd, see lib.sh), l2tpd as the LNS.
# One l2tpd in namespace 2 accepts on ports 1701-1704; four xl2tpd in
# namespace 1 dial it, one per port:
#   1701  tunnel secret (RFC 2661 §4.2 challenge both ways), CHAP: the
#         user's address comes from the LNS's secrets file; pings both
#         ways; xl2tpd hangs up ("d lac": a StopCCN) and l2tpd takes the
#         tunnel and its session down, says why, and removes pppN.
#   1702  no secret, PAP, accepted on an L2TPv3 tunnel line with fallback
#         on (an acceptor answers v2 on it); pings both ways; l2tpd's del
#         session (CDN) makes the LAC's pppd exit, del tunnel sends StopCCN.
#   1703  a wrong tunnel secret: xl2tpd refuses our Challenge Response
#         (StopCCN); l2tpd logs it and show tunnel says why; no PPP.
#   1704  a wrong PPP password: the LNS refuses alice (CHAP Failure), the
#         session goes down with that reason, the LAC's pppd exits 1.
# tshark decodes the capture: nothing malformed; SCCRQ..ICCN, CDN, StopCCN,
# the challenge AVPs, LCP, PAP, CHAP, IPCP and ICMP inside L2TPv2.
. "$(dirname "$0")/lib.sh"
require_base
require_v2
v2_topology
v2_cap_start 1 u1
printf '%s * %s %s\n' "$PPP_USER" "$PPP_PASS" "$PPP_POOL_FIRST" >"$T/secrets"
printf '%s * %s *\n' "$PPP_USER" "$PPP_PASS" >"$T/secrets-any"
cat >"$T/lns.conf" <<CONF
add tunnel tunnel_id 20 remote $LAC_IP local $LNS_IP control on role accept version 2 hostname lns hello 5 secret $V2_TUNNEL_SECRET
add session tunnel_id 20 pw_type ppp auth chap secrets $T/secrets user lns ppp_local $PPP_LNS_IP
add tunnel tunnel_id 30 remote $LAC_IP local $LNS_IP udp_sport 1701 udp_dport 1702 control on role accept fallback on hostname lns
add session tunnel_id 30 pw_type ppp auth pap secrets $T/secrets-any user lns ppp_local 203.0.113.1 ppp_remote 203.0.113.2
add tunnel tunnel_id 40 remote $LAC_IP local $LNS_IP udp_sport 1701 udp_dport 1703 control on role accept version 2 hostname lns secret $V2_TUNNEL_SECRET
add session tunnel_id 40 pw_type ppp auth chap secrets $T/secrets-any user lns ppp_local 203.0.113.17 ppp_remote 203.0.113.18
add tunnel tunnel_id 50 remote $LAC_IP local $LNS_IP udp_sport 1701 udp_dport 1704 control on role accept version 2 hostname lns
add session tunnel_id 50 pw_type ppp auth chap secrets $T/secrets-any user lns ppp_local 203.0.113.33 ppp_remote 203.0.113.34
CONF
"$L2TPD" -n -c "$T/lns.conf" || fail "l2tpd -n refuses the LNS file"
start_l2tpd 2 -c "$T/lns.conf"
PEER_NAME=lac start_xl2tpd_lac 1 "$LNS_IP" chap "$V2_TUNNEL_SECRET"
PEER_NAME=lacpap PEER_PORT=1702 start_xl2tpd_lac 1 "$LNS_IP" pap
PEER_NAME=lacbad PEER_PORT=1703 start_xl2tpd_lac 1 "$LNS_IP" chap not-the-secret
PEER_NAME=lacpw PEER_PORT=1704 start_xl2tpd_lac 1 "$LNS_IP" chap "" "$PPP_USER" wrong-password

has_addr() { ip -n "$PFX-$1" -4 -o addr show dev "$2" 2>/dev/null | grep -q "inet $3 peer $4"; }
# the LNS's interface of a peer address
lns_if() { ip -n "$PFX-2" -4 -o addr show | awk -v p="peer $1/32" 'index($0, p) {print $2; exit}'; }
tunnel_json() { l2tpc 2 -j show tunnel tunnel_id "$1" | jq -c 'if type == "array" then .[0] else . end'; }
session_json() { l2tpc 2 -j show session tunnel_id "$1" | jq -c 'if type == "array" then .[0] else . end'; }

say "1701: tunnel secret, CHAP, the address from the secrets file"
wait_ppp_up lac
ppp_has lac 'auth=chap role=peer name=alice result=ok' || fail "the LNS did not authenticate alice by CHAP: $(ppp_log lac)"
[ "$(ppp_local lac)" = "$PPP_POOL_FIRST" ] || fail "the LAC got $(ppp_local lac), not $PPP_POOL_FIRST"
if_lac=$(ppp_ifname lac)
wait_for "the LNS's interface for alice" 100 eval '[ -n "$(lns_if "$PPP_POOL_FIRST")" ]'
if_lns=$(lns_if "$PPP_POOL_FIRST")
ping_ok 1 "$PPP_LNS_IP"
ping_ok 2 "$PPP_POOL_FIRST"
ping_n 1 "$PPP_LNS_IP" 20
ping_n 2 "$PPP_POOL_FIRST" 20
out=$(l2tpc 2 show session tunnel_id 20)
grep -q "PPP: network, $PPP_LNS_IP peer $PPP_POOL_FIRST, peer name \"alice\"" <<<"$out" ||
	fail "show session lacks alice's PPP state: $out"
out=$(l2tpc 2 show tunnel tunnel_id 20)
grep -q 'vendor "xelerance.com"' <<<"$out" || fail "show tunnel lacks xl2tpd's vendor name: $out"
jq -e '.control.version == 2' <<<"$(tunnel_json 20)" >/dev/null || fail "tunnel 20 is not L2TPv2"

say "1702: PAP, no secret, on a v3 tunnel line with fallback on"
wait_ppp_up lacpap
ppp_has lacpap 'auth=pap role=peer name=alice result=ok' || fail "the LNS did not authenticate alice by PAP: $(ppp_log lacpap)"
[ "$(ppp_local lacpap)" = 203.0.113.2 ] || fail "lacpap got $(ppp_local lacpap), not 203.0.113.2"
ping_ok 1 203.0.113.1
ping_ok 2 203.0.113.2
jq -e '.control.version == 2' <<<"$(tunnel_json 30)" >/dev/null || fail "tunnel 30 is not L2TPv2"

say "1703: a wrong tunnel secret is refused"
# xl2tpd finds our Challenge Response wrong and sends StopCCN; the connection
# never came up, and tunnel 40's line says why
wait_for "the connection on 1703 to be refused" 200 \
	grep -q 'tunnel 40: a connection from the peer was not set up (result 2, by the peer): by peer: Invalid challenge authentication' "$T/l2tpd2.log"
grep -q 'by peer: Invalid challenge authentication' <<<"$(l2tpc 2 show tunnel tunnel_id 40)" ||
	fail "show tunnel 40 does not say why: $(l2tpc 2 show tunnel tunnel_id 40)"
grep -q 'tunnel 40: accepting a control connection from 192.0.2.1:1703' "$T/l2tpd2.log" ||
	fail "tunnel 40 did not take the SCCRQ from 1703"
grep -q 'Connection established' "$T/lacbad.log" && fail "xl2tpd LAC established a tunnel with a wrong secret"
jq -e '.control.state != "established"' <<<"$(tunnel_json 40)" >/dev/null || fail "tunnel 40 is up"
ppp_has lacbad 'ipcp=up' && fail "a PPP link came up over a tunnel with a wrong secret"

say "1704: a wrong PPP password is refused by the LNS"
wait_for "the LNS to refuse the wrong password" 200 grep -q 'failed to authenticate the peer "alice"' "$T/l2tpd2.log"
wait_ppp lacpw 'exit code=1'
wait_for "the LNS to take that session down" 200 grep -q 'tunnel 50: session [0-9]* (ppp[0-9]*) down.*PPP' "$T/l2tpd2.log"
grep 'tunnel 50: session' "$T/l2tpd2.log" | tail -1
ping_ok 1 "$PPP_LNS_IP" # the others stay

say "teardown by l2tpd: del session (CDN), then del tunnel (StopCCN)"
if_pap=$(ppp_ifname lacpap)
sid=$(session_json 30 | jq -r .session_id)
l2tpc 2 del session tunnel_id 30 session_id "$sid"
wait_ppp lacpap 'exit code=0'
wait_no_link 1 "$if_pap"
wait_for "xl2tpd to close the call, with our reason" 100 \
	grep -q 'Connection closed to 192.0.2.2, serial [0-9]* (administratively deleted)' "$T/lacpap.log"
l2tpc 2 del tunnel tunnel_id 30
wait_for "xl2tpd to close the tunnel" 100 grep -qE 'Connection( [0-9]+)? closed to 192.0.2.2, port 1701' "$T/lacpap.log"

say "teardown by xl2tpd: d lac (StopCCN)"
xl2tpd_cmd lac "d lac"
wait_ppp lac 'exit code=0'
# xl2tpd sends its StopCCN ("Goodbye!") without a CDN first (RFC 2661
# §5.7 lets it): the session goes with the control connection
wait_for "l2tpd to take the tunnel down, by the peer" 200 \
	grep -q 'tunnel 20: down (result 1, error 0, by the peer): Goodbye!' "$T/l2tpd2.log"
grep -qE 'tunnel 20: session [0-9]* \(ppp[0-9]*\) down \(result 1\): control connection down' "$T/l2tpd2.log" ||
	fail "the session of tunnel 20 did not go down with the tunnel"
grep -q 'by peer: Goodbye!' <<<"$(l2tpc 2 show tunnel tunnel_id 20)" || fail "show tunnel 20 does not say why it went down"
grep -E 'tunnel 20: (session .* )?down' "$T/l2tpd2.log"
wait_no_link 1 "$if_lac"
wait_no_link 2 "$if_lns"
ping_none 1 "$PPP_LNS_IP"

v2_cap_stop 1
CAP_TS=(-d udp.port==1702,l2tp -d udp.port==1703,l2tp -d udp.port==1704,l2tp)
v2_cap_check "$V2_SCCRQ" "$V2_SCCRP" "$V2_SCCCN" "$V2_ICRQ" "$V2_ICCN" "$V2_CDN" "$V2_STOPCCN" \
	"l2tp.avp.type == 11" "l2tp.avp.type == 13" \
	lcp pap chap ipcp "l2tp && icmp.type == 8" "l2tp && icmp.type == 0"
v2_pass
