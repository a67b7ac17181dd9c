#!/bin/bash
# SPDX-License-Identifier: MIT
# xl2tpd LAC <-> xl2tpd LNS, both with fakepppd (tests/interop/v2/fakepppd.c)
# as their pppd: tunnel with a shared secret (RFC 2661 §4.2 challenge), one
# session, PPP with CHAP-MD5, IPCP addresses from the LNS's pool, pings both
# ways through the PPP session (TUN devices made by the stand-ins), teardown
# from the LAC ("d lac" on its control pipe): both stand-ins exit 0, their
# TUNs go. tshark decodes the capture: no malformed packet, SCCRQ..ICCN, CDN
# or StopCCN, LCP, CHAP, IPCP and ICMP inside L2TP.
. "$(dirname "$0")/lib.sh"
require_v2
v2_topology
v2_cap_start 1 u1
start_xl2tpd_lns 2 chap "$V2_TUNNEL_SECRET"
start_xl2tpd_lac 1 "$LNS_IP" chap "$V2_TUNNEL_SECRET"
wait_ppp_up lns
wait_ppp_up lac
ppp_has lns 'auth=chap role=authenticator name=alice result=ok' || fail "LNS did not check alice by CHAP: $(ppp_log lns)"
ppp_has lac 'auth=chap role=peer name=alice result=ok' || fail "LAC was not authenticated by CHAP"
[ "$(ppp_local lac)" = "$PPP_POOL_FIRST" ] || fail "LAC got $(ppp_local lac), not $PPP_POOL_FIRST"
if_lac=$(ppp_ifname lac) if_lns=$(ppp_ifname lns)
link_exists 1 "$if_lac" >/dev/null || fail "no $if_lac in ns 1"
ping_ok 1 "$PPP_LNS_IP"
ping_ok 2 "$PPP_POOL_FIRST"
ping_n 1 "$PPP_LNS_IP" 20
ping_n 2 "$PPP_POOL_FIRST" 20
grep -q 'Connection established' "$T/lns.log" || fail "LNS xl2tpd did not log the tunnel"
# teardown from the LAC side
xl2tpd_cmd lac "d lac"
wait_ppp lac 'exit code=0'
wait_ppp lns 'exit code=0'
wait_no_link 1 "$if_lac"
wait_no_link 2 "$if_lns"
ping_none 1 "$PPP_LNS_IP"
v2_cap_stop 1
v2_cap_check "$V2_SCCRQ" "$V2_SCCRP" "$V2_SCCCN" "$V2_ICRQ" "$V2_ICCN" \
	"$V2_CDN || $V2_STOPCCN" "l2tp.avp.type == 11" "l2tp.avp.type == 13" \
	lcp chap ipcp "l2tp && icmp.type == 8" "l2tp && icmp.type == 0"
v2_pass
