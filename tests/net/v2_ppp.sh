#!/bin/bash
# SPDX-License-Identifier: MIT
# v2_ppp.sh: two l2tpd speak L2TPv2 (RFC 2661) with PPP sessions: a LAC
# that dials (tunnel initiator, ICRQ, authenticates with user/password)
# and an LNS that accepts, checks the user in a pppd-style secrets file
# (PAP here, CHAP on the fallback tunnel) and gives each user the address
# on its line; IPCP and IPV6CP put the addresses on pppN TUN devices and
# pings cross each session both ways.
# Then: a wrong password brings that session down with a reason while the
# others stay; show session reports the PPP state; the LAC's del session
# removes the LNS's interface; a v3-configured LAC with fallback on
# reaches a v2-only LNS as L2TPv2; a PPP pseudowire over L2TPv3 (type 7)
# carries the same; tshark decodes the capture of all this
# (control messages of both versions, PAP, CHAP, IPCP, IPV6CP and ICMP
# inside the sessions, nothing malformed).
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

cat >"$T/secrets" <<SEC
# client  server  secret            addresses
alice     *       "alice's secret"  198.51.100.2
bob       lns     bobpw             198.51.100.6
carol     lns     carolpw           *
SEC
# The LNS: three alike PPP sessions take the calls in any order (PAP);
# each peer's address comes from its line of the secrets file.
cat >"$T/lns.conf" <<CONF
add tunnel tunnel_id 20 remote $A1 local $A2 control on role accept version 2 hostname lns hello 5
add session tunnel_id 20 pw_type ppp auth pap secrets $T/secrets user lns ppp_local 198.51.100.1
add session tunnel_id 20 pw_type ppp auth pap secrets $T/secrets user lns ppp_local 198.51.100.1
add session tunnel_id 20 pw_type ppp auth pap secrets $T/secrets user lns ppp_local 198.51.100.1
# the fallback case: v2 only, on port 1702, CHAP
add tunnel tunnel_id 30 remote $A1 local $A2 udp_sport 1702 udp_dport 1702 control on role accept version 2
add session tunnel_id 30 pw_type ppp name ppp30 auth chap secrets $T/secrets user lns ppp_local 203.0.113.1 ppp_remote 203.0.113.2
# PPP over L2TPv3 (pseudowire type 7), on port 1703
add tunnel tunnel_id 50 remote $A1 local $A2 udp_sport 1703 udp_dport 1703 control on role accept
add session tunnel_id 50 pw_type ppp remote_end_id pppv3 name ppp50 auth chap secrets $T/secrets user lns ppp_local 203.0.113.5 ppp_remote 203.0.113.6
CONF
cat >"$T/lac.conf" <<CONF
add tunnel tunnel_id 10 remote $A2 local $A1 control on version 2 hostname lac hello 5
add session tunnel_id 10 pw_type ppp name ppp10 user alice password "alice's secret"
add session tunnel_id 10 pw_type ppp name ppp11 user bob password bobpw
add session tunnel_id 10 pw_type ppp name ppp12 user carol password wrong
# configured for L2TPv3, falls back to L2TPv2 when the peer refuses v3
add tunnel tunnel_id 40 remote $A2 local $A1 udp_sport 1702 udp_dport 1702 control on fallback on
add session tunnel_id 40 pw_type ppp remote_end_id dialup name ppp40 user bob password bobpw
add tunnel tunnel_id 60 remote $A2 local $A1 udp_sport 1703 udp_dport 1703 control on
add session tunnel_id 60 pw_type ppp remote_end_id pppv3 name ppp60 user bob password bobpw
CONF
"$L2TPD" -n -c "$T/lns.conf" || fail "l2tpd -n refuses the LNS file"
"$L2TPD" -n -c "$T/lac.conf" || fail "l2tpd -n refuses the LAC file"
capture=0
# a UDP datagram to the discard port, seen in the file: the capture runs
udp_mark_seen() {
	ip netns exec "$PFX-1" bash -c "echo mark >/dev/udp/$A2/9" 2>/dev/null || true
	[ "$(tshark -n -r "$CAP" -Y 'udp.dstport == 9' 2>/dev/null | wc -l)" -ge 1 ]
}
if cap_start 1 u1; then
	capture=1
	wait_for "a first datagram in the capture" 100 udp_mark_seen
fi
start_l2tpd 2 -c "$T/lns.conf"
start_l2tpd 1 -c "$T/lac.conf"

say "both PPP sessions come up with their addresses from the secrets file"
has_addr() { ip -n "$PFX-$1" -4 -o addr show dev "$2" 2>/dev/null | grep -q "inet $3 peer $4"; }
# the LNS's interface of a peer address (the calls take any of its sessions)
lns_if() { ip -n "$PFX-2" -4 -o addr show | awk -v p="peer $1/32" 'index($0, p) {print $2; exit}'; }
wait_for "ppp10's address" 200 has_addr 1 ppp10 198.51.100.2 198.51.100.1/32
wait_for "ppp11's address" 200 has_addr 1 ppp11 198.51.100.6 198.51.100.1/32
ping_ok 1 198.51.100.1
ping_ok 2 198.51.100.2
ping_ok 2 198.51.100.6
ping_n 1 198.51.100.1 20
alice_if=$(lns_if 198.51.100.2)
bob_if=$(lns_if 198.51.100.6)
[ -n "$alice_if" ] && [ -n "$bob_if" ] || fail "no LNS interfaces for alice ($alice_if) and bob ($bob_if)"

out=$(l2tpc 2 show session)
echo "$out"
grep -q 'PPP: network, 198.51.100.1 peer 198.51.100.2, fe80::.*, peer name "alice"' <<<"$out" ||
	fail "show session lacks alice's PPP state"
grep -q 'PPP: network, 198.51.100.1 peer 198.51.100.6, fe80::.*, peer name "bob"' <<<"$out" ||
	fail "show session lacks bob's PPP state"
j=$(l2tpc 1 -j show tunnel tunnel_id 10)
jq -e '(if type == "array" then .[0] else . end).control.version == 2' <<<"$j" >/dev/null ||
	fail "show tunnel: not L2TPv2: $j"
rx=$(l2tpc 1 -j show session | jq '[.[] | select(.interface == "ppp10") | .managed.ppp_rx_ip][0]')
[ "${rx:-0}" -ge 20 ] || fail "ppp10 counted $rx IP packets received (20 pings answered)"

say "IPV6CP: link-local addresses reach each other"
ll=$(ip -n "$PFX-2" -6 -o addr show dev "$alice_if" | sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\).*/\1/p' | head -1)
[ -n "$ll" ] || fail "$alice_if has no link-local address"
ip netns exec "$PFX-1" ping -6 -c 2 -W 2 "$ll%ppp10" >/dev/null || fail "ping6 $ll%ppp10 failed"

say "a wrong password: that session is refused by the LNS, the others stay"
wait_for "the LNS to refuse carol's wrong password" 200 \
	grep -q 'failed to authenticate the peer "carol"' "$T/l2tpd2.log"
wait_for "the LAC to log the session down" 200 \
	grep -q 'session [0-9]* (ppp12) down.*PPP: the authenticator refused' "$T/l2tpd1.log"
ip -n "$PFX-1" -4 -o addr show dev ppp12 2>/dev/null | grep -q inet &&
	fail "the session with the wrong password got an address"
ping_ok 1 198.51.100.1

say "fallback: a v3 LAC reaches a v2-only LNS as L2TPv2"
wait_for "ppp40's address" 300 has_addr 1 ppp40 203.0.113.2 203.0.113.1/32
ping_ok 1 203.0.113.1
grep -q 'refused L2TPv3 SCCRQ' "$T/l2tpd2.log" || fail "the LNS did not refuse the v3 SCCRQ"
j=$(l2tpc 1 -j show tunnel tunnel_id 40)
jq -e '(if type == "array" then .[0] else . end).control.version == 2' <<<"$j" >/dev/null ||
	fail "tunnel 40 does not say it speaks L2TPv2: $j"

say "PPP over L2TPv3 (pseudowire type 7)"
wait_for "ppp60's address" 300 has_addr 1 ppp60 203.0.113.6 203.0.113.5/32
ping_ok 1 203.0.113.5
j=$(l2tpc 1 -j show tunnel tunnel_id 60)
jq -e '(if type == "array" then .[0] else . end).control.version == 3' <<<"$j" >/dev/null ||
	fail "tunnel 60 does not say it speaks L2TPv3: $j"

if [ "$capture" = 1 ]; then
	say "tshark decodes the capture: L2TPv2 control, PPP inside, nothing malformed"
	cap_stop 1 198.51.100.1
	ts() {
		tshark -n -r "$CAP" -d udp.port==1702,l2tp -d udp.port==1703,l2tp "$@" 2>/dev/null
	}
	bad=$(ts -Y '_ws.malformed || _ws.expert.severity >= error')
	[ -z "$bad" ] || fail "tshark finds malformed packets or errors: $bad"
	# message types of L2TPv2 control messages (RFC 2661 §3.2)
	types=$(ts -Y 'l2tp.version == 2 && l2tp.type == 1' -T fields -e l2tp.avp.message_type |
		tr ',' '\n' | sort -un | tr '\n' ' ')
	echo "v2 control message types: $types"
	for want in 1 2 3 10 11 12 14; do # SCCRQ SCCRP SCCCN ICRQ ICRP ICCN CDN
		grep -qw "$want" <<<"$types" || fail "no L2TPv2 control message of type $want"
	done
	n=$(ts -Y 'l2tp.version == 3 && l2tp.avp.message_type == 1 && udp.port == 1702' | wc -l)
	[ "$n" -ge 1 ] || fail "no L2TPv3 SCCRQ before the fallback"
	for p in pap chap ipcp ipv6cp icmp; do
		n=$(ts -Y "l2tp.version == 2 && ppp && $p" | wc -l)
		echo "PPP in L2TPv2 data: $p $n"
		[ "$n" -ge 1 ] || fail "tshark sees no $p inside the L2TPv2 sessions"
	done
	n=$(ts -Y 'l2tp.version == 3 && udp.port == 1703 && l2tp.type == 0' | wc -l)
	echo "L2TPv3 data packets of the PPP pseudowire: $n"
	[ "$n" -ge 1 ] || fail "tshark sees no data of the L2TPv3 PPP pseudowire"
fi

say "del session on the LAC: CDN, the LNS's interface goes"
sid=$(l2tpc 1 -j show session | jq -r '.[] | select(.interface == "ppp11") | .session_id')
[ -n "$sid" ] || fail "no session id for ppp11"
l2tpc 1 del session tunnel_id 10 session_id "$sid"
wait_no_link 1 ppp11
wait_no_link 2 "$bob_if"
ping_ok 1 198.51.100.1

say "del tunnel on the LNS: StopCCN, every PPP interface of the LAC goes"
l2tpc 2 del tunnel tunnel_id 20
wait_no_link 2 "$alice_if"
wait_no_link 1 ppp10
link_exists 1 ppp40 >/dev/null || fail "the other tunnel's session went too"
check_log 1
check_log 2
pass
