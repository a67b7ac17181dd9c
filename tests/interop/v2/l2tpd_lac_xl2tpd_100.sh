#!/bin/bash
# SPDX-License-Identifier: MIT
# 100 PPP sessions in one L2TPv2 tunnel: l2tpd as the LAC, xl2tpd as the
# LNS (100 fakepppd, see lib.sh), CHAP, a tunnel secret. Every session
# gets its own address from xl2tpd's pool, and each is pinged both ways on
# its own interface (ping -I pppN from the LAC side, to each LAC address
# from the LNS side). Then one del tunnel: a StopCCN takes all 100 down,
# the 100 stand-ins exit, no pppN is left on either side. tshark decodes
# the capture with no malformed packet and sees 100 ICRQ and ICCN.
. "$(dirname "$0")/lib.sh"
require_base
require_v2
N=100
v2_topology
v2_cap_start 1 u1
PEER_POOL=198.51.100.2-198.51.100.254 start_xl2tpd_lns 2 chap "$V2_TUNNEL_SECRET"
{
	echo "add tunnel tunnel_id 10 remote $LNS_IP local $LAC_IP control on version 2 hostname lac hello 10 secret $V2_TUNNEL_SECRET"
	for ((i = 0; i < N; i++)); do
		echo "add session tunnel_id 10 pw_type ppp name ppp$i user $PPP_USER password $PPP_PASS"
	done
} >"$T/lac.conf"
start=$SECONDS
start_l2tpd 1 -c "$T/lac.conf"

# IPCP done: the TUN has its address, point to point
n_addr() { ip -n "$PFX-1" -4 -o addr show | grep -c ': ppp[0-9]* .* peer 198.51.100.1/32'; }
all_up() { [ "$(n_addr)" -eq "$N" ]; }
say "$N sessions reach IPCP up"
wait_for "$N PPP links with addresses" 1800 all_up
n=$(l2tpc 1 -j show session | jq '[.[] | select(.managed.ppp_phase == "network")] | length')
[ "$n" -eq "$N" ] || fail "show session has $n sessions in the network phase, not $N"
say "all $N up in $((SECONDS - start)) s"
# one call per session, plus one per call l2tpd tore down and placed again
# (a loaded machine: a stand-in that missed LCP's retries, "LCP got no answer")
redials=$(grep -c 'session [0-9]* (ppp[0-9]*) down' "$T/l2tpd1.log" || true)
calls=$(grep -c 'Call established' "$T/lns.log" || true)
[ "$redials" -eq 0 ] || say "$redials calls placed again after they went down"
[ "$calls" -eq $((N + redials)) ] || fail "xl2tpd logged $calls calls, not $N + $redials placed again"

say "each session carries pings both ways"
declare -A seen=()
for ((i = 0; i < N; i++)); do
	a=$(ip -n "$PFX-1" -4 -o addr show dev "ppp$i" | sed -n 's/.* inet \([0-9.]*\) peer.*/\1/p')
	[ -n "$a" ] || fail "ppp$i has no address"
	[ -z "${seen[$a]:-}" ] || fail "ppp$i and ${seen[$a]} both got $a"
	seen[$a]=ppp$i
	ip netns exec "$PFX-1" ping -c 1 -W 2 -q -I "ppp$i" "$PPP_LNS_IP" >/dev/null || fail "no reply to ppp$i"
	ip netns exec "$PFX-2" ping -c 1 -W 2 -q "$a" >/dev/null || fail "no reply from $a (ppp$i)"
done
rx=$(l2tpc 1 -j show session | jq '[.[] | select(.managed.ppp_rx_ip >= 2)] | length')
[ "$rx" -eq "$N" ] || fail "only $rx sessions counted IP packets received"

say "del tunnel: one StopCCN takes all $N down"
l2tpc 1 del tunnel tunnel_id 10
no_ppp() { ! ip -n "$PFX-$1" -o link show | grep -q ': ppp[0-9]*[:@]'; }
wait_for "no pppN left in the LAC namespace" 200 no_ppp 1
wait_for "no pppN left in the LNS namespace" 400 no_ppp 2
wait_for "the $N stand-ins to exit" 400 eval '[ "$(grep -c "exit code=0" "$T/lns.ppp.log")" -ge "$N" ]'
wait_for "xl2tpd to close the tunnel" 100 grep -q 'Connection closed to 192.0.2.1' "$T/lns.log"

v2_cap_stop 1
v2_cap_check "$V2_SCCRQ" "$V2_STOPCCN" lcp chap ipcp "l2tp && icmp.type == 0"
for t in 10 12; do # ICRQ ICCN
	n=$(cap_count "l2tp.avp.message_type == $t")
	[ "$n" -ge "$N" ] || fail "capture has $n messages of type $t, not $N"
done
v2_pass
