#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # helpers called through wait_for
# l2tpd as an L2TPv2 LAC against l2tpns (Debian's package) as the LNS.
# l2tpns speaks PPP itself and checks users only through RADIUS: our
# fakeradius (tests/interop/v2/fakeradius.c) answers it on 127.0.0.1 of the
# LNS namespace and gives each user a Framed-IP-Address; l2tpns carries the
# sessions' IP on its TUN device (tun0, 198.51.100.1) with a /32 route per
# session (see start_l2tpns_lns in lib.sh).
# Cases:
#  1. CHAP, right tunnel secret (RFC 2661 §4.2 challenge by l2tpd): session
#     up, the LAC's ppp10 has the RADIUS address, pings both ways, show
#     session says PPP network, RADIUS accounting Start answered;
#  3. a wrong PPP password: Access-Reject, that session down on l2tpd with
#     a reason, the first one still carries pings;
#  5a. teardown from l2tpd: del session (CDN: l2tpns drops the session and
#     its route, accounting Stop), then del tunnel (StopCCN);
#  2. PAP (l2tpns restarted asking for PAP): up, pings both ways, HELLO;
#     a wrong password with PAP too (3');
#  4. a wrong tunnel secret: l2tpns's Challenge Response does not verify,
#     the tunnel is not established, l2tpd logs why;
#  5b. teardown from l2tpns (SIGQUIT: it shuts tunnels and sessions down):
#     l2tpd logs the tunnel down by the peer, ppp20 goes;
#  6. tshark decodes the capture of it all: no malformed packet; SCCRQ,
#     SCCRP, SCCCN, ICRQ, ICRP, ICCN, CDN, StopCCN, HELLO, Challenge and
#     Challenge Response AVPs, LCP, CHAP, PAP, IPCP and ICMP both ways
#     inside L2TP.
# Skips when l2tpns is not installed. About 10 s.
#
# What l2tpns (2.4.1) does that a peer must live with, seen here:
#  - it drops L2TP until it has declared itself cluster master, 15 s after
#    start by default, even with no cluster (lib.sh shortens the timeout);
#  - it never challenges the LAC (RFC 2661 §4.2): l2tp_secret only answers
#    the LAC's challenge, so tunnel authentication is one-way;
#  - a user its RADIUS rejects gets a CDN (result 3, no Error Message)
#    and no CHAP Failure or PAP Authenticate-Nak first (RFC 1994 §4.2,
#    RFC 1334 §2.2.2);
#  - when its LCP opens on the peer's Configure-Request, it sends its CHAP
#    Challenge before the Configure-Ack that opens the peer's LCP, so the
#    peer discards the Challenge (RFC 1661 §3.3) until l2tpns repeats it;
#  - on SIGQUIT it signals its whole process group (lib.sh runs it under
#    setsid), and it sends a StopCCN again to tunnels the peer has already
#    stopped, waiting out the retransmissions when the peer is gone;
#  - the pool file is the fixed /etc/l2tpns/ip_pool, which takes CIDR
#    blocks and addresses but silently no ranges ("a-b": 0 addresses).
[ -n "${B:-}" ] && {
	top=$(cd "$(dirname "$0")/../../.." && pwd)
	export L2TPD=${L2TPD:-$top/$B/l2tpd} L2TP=${L2TP:-$top/$B/l2tp}
}
. "$(dirname "$0")/lib.sh"
command -v l2tpns >/dev/null || skip "l2tpns not installed (scripts/deps.sh)"
# KEEP=DIR: a copy of the temp dir (logs, configs, capture) in DIR at exit
if [ -n "${KEEP:-}" ]; then
	eval "orig_$(declare -f cleanup)"
	cleanup() { rm -rf "$KEEP"; cp -a "$T" "$KEEP"; orig_cleanup; }
fi
require_base
[ -x "$FAKERADIUS" ] || skip "fakeradius not built ($FAKERADIUS)"
command -v unshare >/dev/null || skip "unshare not installed"
v2_topology
v2_cap_start 1 u1
start_l2tpns_lns 2 chap "$V2_TUNNEL_SECRET"
start_l2tpd 1

has_addr() { ip -n "$PFX-$1" -4 -o addr show dev "$2" 2>/dev/null | grep -q "inet $3 peer $4"; }
tunnel_json() { l2tpc 1 -j show tunnel tunnel_id "$1" | jq -ce '(if type == "array" then .[0] else . end)'; }
sid_of() { l2tpc 1 -j show session | jq -r --arg i "$1" '.[] | select(.interface == $i) | .session_id'; }
lns_route() { ip -n "$PFX-2" -4 route show "$1/32" dev tun0 | grep -q .; }
l2tpd_has() { grep -qE "$1" "$T/l2tpd1.log"; }
wait_l2tpd() { wait_for "l2tpd: $1" "${2:-200}" l2tpd_has "$1"; }
# PID exited (also when it is our zombie, not reaped yet)
gone() { ! kill -0 "$1" 2>/dev/null || [[ $(ps -o stat= -p "$1") == Z* ]]; }

say "1. CHAP, right tunnel secret: session up, pings both ways"
l2tpc 1 add tunnel tunnel_id 10 remote "$LNS_IP" local "$LAC_IP" control on version 2 \
	hostname lac hello 5 secret "$V2_TUNNEL_SECRET"
l2tpc 1 add session tunnel_id 10 pw_type ppp name ppp10 user "$PPP_USER" password "$PPP_PASS"
wait_for "ppp10's address from RADIUS" 200 has_addr 1 ppp10 "$PPP_POOL_FIRST" "$PPP_LNS_IP/32"
radius_has "access id=[0-9]+ user=$PPP_USER auth=chap result=accept framed_ip=$PPP_POOL_FIRST" ||
	fail "fakeradius did not accept alice by CHAP: $(cat "$T/radius.log")"
l2tpns_has lns "CHAP User $PPP_USER authentication allowed" || fail "l2tpns did not log alice's CHAP login"
l2tpd_has 'chap authenticated us as "alice"' || fail "l2tpd did not log CHAP success"
jq -e '.control.version == 2' <<<"$(tunnel_json 10)" >/dev/null || fail "tunnel 10 is not L2TPv2"
wait_for "l2tpns's route to $PPP_POOL_FIRST" 100 lns_route "$PPP_POOL_FIRST"
ping_ok 1 "$PPP_LNS_IP"
ping_ok 2 "$PPP_POOL_FIRST"
ping_n 1 "$PPP_LNS_IP" 20
ping_n 2 "$PPP_POOL_FIRST" 20
out=$(l2tpc 1 show session)
echo "$out"
grep -q "PPP: network, $PPP_POOL_FIRST peer $PPP_LNS_IP" <<<"$out" || fail "show session lacks the PPP network phase"
wait_radius "accounting id=[0-9]+ user=$PPP_USER status=start result=response"

say "3. a wrong PPP password: Access-Reject, that session down with a reason"
l2tpc 1 add session tunnel_id 10 pw_type ppp name ppp11 user bob password wrong-secret
wait_radius "access id=[0-9]+ user=bob auth=chap result=reject reason=bad-password"
wait_l2tpd 'session [0-9]+ \(ppp11\) down'
grep -E 'session [0-9]+ \(ppp11\) down' "$T/l2tpd1.log"
sid11=$(sed -n 's/.*session \([0-9]*\) (ppp11) down.*/\1/p' "$T/l2tpd1.log" | head -n 1)
# l2tpns answers Access-Reject with a CDN (result 3), no CHAP Failure
l2tpd_has "session=$sid11 peer_session=[0-9]+ down result=Call disconnected for administrative reasons/3 .*by=peer" ||
	fail "l2tpd did not log the CDN of session $sid11 with its result"
l2tpns_has lns 'Authentication rejected for bob' || fail "l2tpns did not log the reject"
# its CDN has no Error Message: l2tpd names the Result Code
l2tpd_has "session $sid11 \(ppp11\) down \(result 3, by the peer\): by peer: Call disconnected for administrative reasons" ||
	fail "l2tpd gave no reason for session $sid11"
l2tpc 1 show session | grep -q 'Last down: result 3, by peer: Call disconnected for administrative reasons' ||
	fail "show session gives no reason for ppp11: $(l2tpc 1 show session)"
ip -n "$PFX-1" -4 -o addr show dev ppp11 2>/dev/null | grep -q inet &&
	fail "the session with the wrong password got an address"
ping_ok 1 "$PPP_LNS_IP"

say "4. a wrong tunnel secret: not established, l2tpd says why"
l2tpc 1 add tunnel tunnel_id 30 remote "$LNS_IP" local "$LAC_IP" udp_sport 1702 control on \
	version 2 hostname lac hello 5 secret wrong-tunnel-secret
wait_l2tpd 'tunnel 30: down'
grep -E 'tunnel 30: down' "$T/l2tpd1.log" | head -n 1
l2tpd_has 'tunnel 30: down \(result 4, error 0\): wrong Challenge Response' ||
	fail "l2tpd did not say why tunnel 30 failed"
st=$(tunnel_json 30 | jq -r '.control.state // .state // empty')
[ "$st" != established ] || fail "tunnel 30 with the wrong secret is established"
l2tpc 1 del tunnel tunnel_id 30
ping_ok 1 "$PPP_LNS_IP"

say "5a. teardown from l2tpd: del session, then del tunnel"
sid=$(sid_of ppp10)
[ -n "$sid" ] || fail "no session id for ppp10"
l2tpc 1 del session tunnel_id 10 session_id "$sid"
wait_no_link 1 ppp10
wait_for "l2tpns to drop the route to $PPP_POOL_FIRST" 100 eval "! lns_route $PPP_POOL_FIRST"
wait_l2tpns lns 'Received CDN'
wait_radius "accounting id=[0-9]+ user=$PPP_USER status=stop result=response"
l2tpc 1 del tunnel tunnel_id 10
wait_l2tpns lns 'Received StopCCN'
check_peers_alive

say "2. PAP: l2tpns restarted asking for PAP"
stop_peer lns
start_l2tpns_lns 2 pap "$V2_TUNNEL_SECRET"
l2tpc 1 add tunnel tunnel_id 20 remote "$LNS_IP" local "$LAC_IP" control on version 2 \
	hostname lac hello 1 secret "$V2_TUNNEL_SECRET"
l2tpc 1 add session tunnel_id 20 pw_type ppp name ppp20 user "$PPP_USER" password "$PPP_PASS"
wait_for "ppp20's address from RADIUS" 200 has_addr 1 ppp20 "$PPP_POOL_FIRST" "$PPP_LNS_IP/32"
radius_has "access id=[0-9]+ user=$PPP_USER auth=pap result=accept framed_ip=$PPP_POOL_FIRST" ||
	fail "fakeradius did not accept alice by PAP: $(cat "$T/radius.log")"
wait_for "l2tpns's route to $PPP_POOL_FIRST" 100 lns_route "$PPP_POOL_FIRST"
ping_ok 1 "$PPP_LNS_IP"
ping_ok 2 "$PPP_POOL_FIRST"
l2tpc 1 show session | grep -q "PPP: network, $PPP_POOL_FIRST peer $PPP_LNS_IP" ||
	fail "show session lacks ppp20's PPP network phase"

say "3'. a wrong PPP password with PAP: Access-Reject, that session down"
l2tpc 1 add session tunnel_id 20 pw_type ppp name ppp21 user bob password wrong-secret
wait_radius "access id=[0-9]+ user=bob auth=pap result=reject reason=bad-password"
wait_l2tpd 'session [0-9]+ \(ppp21\) down \(result 3, by the peer\): by peer: '
ip -n "$PFX-1" -4 -o addr show dev ppp21 2>/dev/null | grep -q inet &&
	fail "the PAP session with the wrong password got an address"
ping_ok 1 "$PPP_LNS_IP"

say "5b. teardown from l2tpns: SIGQUIT shuts its tunnels and sessions down"
wait_l2tpns lns 'Received HELLO'
# l2tpns exits by itself: no longer one of the peers that must stay alive
lnspid=${PEERPID[lns]}
unset "PEERPID[lns]"
kill -QUIT "$lnspid"
wait_l2tpd 'tunnel 20: down \(result 6, error 0, by the peer\)'
# its StopCCN has no Error Message: show tunnel names the Result Code
l2tpc 1 show tunnel tunnel_id 20 | grep -q 'Last down: result 6, by peer: Requester is being shut down' ||
	fail "show tunnel gives no reason for tunnel 20: $(l2tpc 1 show tunnel tunnel_id 20)"
# no new attempt (l2tpd's tunnels retry) to hold l2tpns up
l2tpc 1 del tunnel tunnel_id 20
wait_no_link 1 ppp20
wait_for "l2tpns to exit after SIGQUIT" 200 gone "$lnspid"
wait "$lnspid" 2>/dev/null || true
l2tpns_has lns 'Shutdown complete' || fail "l2tpns did not complete its shutdown"

say "6. tshark decodes the capture"
v2_cap_stop 1
v2_cap_check "$V2_SCCRQ" "$V2_SCCRP" "$V2_SCCCN" "$V2_ICRQ" 'l2tp.avp.message_type == 11' \
	"$V2_ICCN" "$V2_CDN" "$V2_STOPCCN" 'l2tp.avp.message_type == 6' \
	"l2tp.avp.type == 11 && ip.src == $LAC_IP" "l2tp.avp.type == 13 && ip.src == $LNS_IP" \
	"l2tp && lcp" "l2tp && chap" "l2tp && pap" "l2tp && ipcp" \
	"l2tp && icmp.type == 8 && ip.src == $PPP_POOL_FIRST" "l2tp && icmp.type == 0 && ip.src == $PPP_POOL_FIRST" \
	"l2tp && icmp.type == 8 && ip.src == $PPP_LNS_IP" "l2tp && icmp.type == 0 && ip.src == $PPP_LNS_IP"
# RFC 2661 §7.4.1: the LAC sends PPP in a session once it has sent its
# ICCN; in the LAC's packets of each session (tunnel:session ids of the
# LNS, the ICRQ has session 0) the first one is the ICCN, not data.
early=$(tshark -n -r "$CAP" -Y "l2tp && ip.src == $LAC_IP && l2tp.session != 0" \
	-T fields -e l2tp.tunnel -e l2tp.session -e l2tp.type 2>/dev/null |
	awk '!seen[$1":"$2]++ && $3 != 1 {print $1":"$2}')
[ -z "$early" ] || fail "l2tpd sent PPP before the ICCN in sessions $early"
l2tpns_has lns 'Incorrect auth on RADIUS response' &&
	fail "l2tpns refused a Response Authenticator of fakeradius"
l2tpns_has lns 'ignoring ConfigReq in state Starting' &&
	fail "l2tpns dropped an LCP Configure-Request that came before its session"
stop_peer radius
radius_has 'exit signal' || fail "fakeradius did not exit on SIGTERM"
v2_pass
