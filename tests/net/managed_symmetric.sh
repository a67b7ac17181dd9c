#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_symmetric.sh: symmetric configuration. Both daemons initiate (the
# default role) toward each other, started back to back, so their SCCRQs
# cross: the tie breaker (RFC 3931 §5.4.3) leaves exactly one control
# connection (same connection ids seen from both ends, one end initiator,
# the other acceptor), and the sessions configured on both sides (vc1, vc2)
# come up once each (one per remote_end_id: two interfaces per namespace,
# not four), pass ping, and stay that way. Three rounds, since which SCCRQ
# arrives first varies.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 100 remote $A2 local $A1 encap udp control on hostname sym-a hello 5
add session tunnel_id 100 remote_end_id vc1
add session tunnel_id 100 remote_end_id vc2
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 200 remote $A1 local $A2 encap udp control on hostname sym-b hello 5
add session tunnel_id 200 remote_end_id vc2
add session tunnel_id 200 remote_end_id vc1
CONF

# ifof NS REID: the interface of the session with that remote end id
ifof() {
	l2tpc "$1" -j show session |
		jq -r --arg r "$2" '.[] | select(.managed.remote_end_id == $r) | .interface // empty'
}
both_established() {
	l2tpc 1 -j show tunnel | jq -e '.[0].control.state == "established"' &&
		l2tpc 2 -j show tunnel | jq -e '.[0].control.state == "established"'
}
two_links_each() {
	[ "$(count_links 1 l2tpeth)" -eq 2 ] && [ "$(count_links 2 l2tpeth)" -eq 2 ]
}

# check ROUND: one connection, two sessions; sets IDS to the connection id
check() {
	local r=$1 j1 j2 i1 i2 j
	wait_for "both ends established (round $r)" 200 both_established
	wait_for "two session interfaces in each namespace (round $r)" 200 two_links_each
	j1=$(l2tpc 1 -j show tunnel)
	j2=$(l2tpc 2 -j show tunnel)
	jq -e 'length == 1' <<<"$j1" >/dev/null || fail "ns 1 has more than one tunnel: $j1"
	jq -e 'length == 1' <<<"$j2" >/dev/null || fail "ns 2 has more than one tunnel: $j2"
	i1=$(jq -r '.[0].control.initiator' <<<"$j1")
	i2=$(jq -r '.[0].control.initiator' <<<"$j2")
	say "round $r: initiator ns 1 $i1, ns 2 $i2"
	[[ "$i1$i2" =~ ^(truefalse|falsetrue)$ ]] ||
		fail "round $r: expected one initiator and one acceptor: $j1 $j2"
	# the same connection seen from both ends
	[ "$(jq -r '.[0].control.control_connection_id' <<<"$j1")" = \
		"$(jq -r '.[0].control.peer_tunnel_id' <<<"$j2")" ] &&
		[ "$(jq -r '.[0].control.peer_tunnel_id' <<<"$j1")" = \
			"$(jq -r '.[0].control.control_connection_id' <<<"$j2")" ] ||
		fail "round $r: the ends report different connections: $j1 $j2"
	for ns in 1 2; do
		j=$(l2tpc $ns -j show session)
		jq -e 'length == 2 and all(.[]; .managed.state == "established")' <<<"$j" \
			>/dev/null || fail "round $r: ns $ns sessions: $j"
	done
	IDS="$(jq -r '.[0].control.control_connection_id' <<<"$j1")"
}

# traffic ROUND [setup]: ping through vc1 and vc2 (addressing them first)
traffic() {
	local r=$1 vc n=0 a1 a2
	for vc in vc1 vc2; do
		n=$((n + 1))
		a1=$(ifof 1 $vc) a2=$(ifof 2 $vc)
		[ -n "$a1" ] && [ -n "$a2" ] || fail "round $r: no interface for $vc"
		if [ -n "${2:-}" ]; then
			say "round $r: $vc is $a1 in ns 1, $a2 in ns 2"
			inner4 "$a1" "$a2" "203.0.113.$n" "203.0.113.$((n + 10))"
		fi
		ping_ok 1 "203.0.113.$((n + 10))"
		ping_n 2 "203.0.113.$n" 10
	done
}

for round in 1 2 3; do
	if [ $((round % 2)) = 1 ]; then
		start_l2tpd 1 -c "$T/a.conf"
		start_l2tpd 2 -c "$T/b.conf"
	else
		start_l2tpd 2 -c "$T/b.conf"
		start_l2tpd 1 -c "$T/a.conf"
	fi
	check $round
	traffic $round setup
	ids=$IDS
	say "round $round: stable for 2 s: no second connection, no flap"
	sleep 2
	check "$round (2 s later)"
	traffic "$round (2 s later)"
	[ "$IDS" = "$ids" ] || fail "round $round: the connection was replaced ($ids -> $IDS)"
	[ "$(count_links 1 l2tpeth)" -eq 2 ] && [ "$(count_links 2 l2tpeth)" -eq 2 ] ||
		fail "round $round: interfaces came and went"
	stop_daemons
	ip -n "$PFX-1" -o link show | grep -q l2tpeth && fail "round $round: ns 1 kept an interface"
	ip -n "$PFX-2" -o link show | grep -q l2tpeth && fail "round $round: ns 2 kept an interface"
done
pass
