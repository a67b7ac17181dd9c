#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_scale.sh: 100 sessions in one tunnel plus 50 more tunnels of one
# session each, every one of the 150 pseudowires passing traffic (one ping
# per pair, IPv6 2001:db8:100:N::/64 inside, since 150 IPv4 /30s would not
# fit in the documentation ranges).
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2
NS_IN_TUNNEL=100
NTUNNELS=50

say "tunnel 1/2 with $NS_IN_TUNNEL sessions"
tunnel_pair udp 1 2 5000 6000
for ((i = 1; i <= NS_IN_TUNNEL; i++)); do
	session_pair 1 "$i" 2 $((1000 + i)) "s$i"
done

say "$NTUNNELS tunnels of one session"
for ((i = 101; i < 101 + NTUNNELS; i++)); do
	tunnel_pair udp "$i" $((1000 + i)) $((5000 + i)) $((6000 + i))
	session_pair "$i" "$i" $((1000 + i)) $((1000 + i)) "t$i"
done
total=$((NS_IN_TUNNEL + NTUNNELS))
ifnames() {
	local i
	for ((i = 1; i <= NS_IN_TUNNEL; i++)); do echo "s$i $i"; done
	for ((i = 101; i < 101 + NTUNNELS; i++)); do echo "t$i $i"; done
}
for n in 1 2; do
	wait_for "$total interfaces in ns $n" 200 eval "[ \$(count_links $n s) -eq $NS_IN_TUNNEL ] && [ \$(count_links $n t) -eq $NTUNNELS ]"
	ifnames | while read -r ifn i; do
		echo "link set $ifn up"
		echo "addr add 2001:db8:100:$i::$n/64 dev $ifn nodad"
	done | ip -n "$PFX-$n" -batch -
done

say "show lists everything"
[ "$(l2tpc 1 -j show tunnel | jq length)" -eq $((1 + NTUNNELS)) ] || fail "wrong tunnel count in ns 1"
[ "$(l2tpc 2 -j show session | jq length)" -eq "$total" ] || fail "wrong session count in ns 2"
[ "$(l2tpc 1 -j show session tunnel_id 1 | jq length)" -ge 1 ] || fail "show session tunnel_id 1 empty"

say "one ping per pseudowire, 25 at a time"
mkdir -p "$T/ping"
t_ping=$SECONDS
ifnames >"$T/pairs"
for ((chunk = 0; chunk < total; chunk += 25)); do
	pids=()
	while read -r ifn i; do
		(ip netns exec "$PFX-1" ping -6 -c 1 -W 3 -q "2001:db8:100:$i::2" >/dev/null 2>&1 ||
			touch "$T/ping/$ifn") &
		pids+=($!)
	done < <(sed -n "$((chunk + 1)),$((chunk + 25))p" "$T/pairs")
	for p in "${pids[@]}"; do wait "$p" || true; done
	check_daemons_alive
done
# a first ping may be lost to neighbour discovery: retry the failed ones
failed=0
for f in "$T"/ping/*; do
	[ -e "$f" ] || continue
	ifn=$(basename "$f")
	i=${ifn#[st]}
	ip netns exec "$PFX-1" ping -6 -c 3 -i 0.2 -W 2 -q "2001:db8:100:$i::2" >/dev/null 2>&1 ||
		{ echo "no reply over $ifn"; failed=$((failed + 1)); }
done
[ "$failed" -eq 0 ] || fail "$failed of $total pseudowires passed no traffic"
echo "pings took $((SECONDS - t_ping)) s"

say "traffic landed in the right sessions"
for i in 1 50 100; do
	rx=$(pstat 2 2 $((1000 + i)) '^rx_packets$')
	[ "${rx:-0}" -ge 1 ] || fail "session $((1000 + i)) in tunnel 2 received nothing"
done
rx=$(pstat 2 $((1000 + 100 + NTUNNELS)) $((1000 + 100 + NTUNNELS)) '^rx_packets$')
[ "${rx:-0}" -ge 1 ] || fail "the last tunnel's session received nothing"

say "deleting the big tunnel (under a ping flood both ways) removes its $NS_IN_TUNNEL interfaces"
rx0=$(pstat 2 2 1050 '^rx_packets$')
for k in 10 50 90; do
	ip netns exec "$PFX-1" ping -6 -f -w 4 -q "2001:db8:100:$k::2" >/dev/null 2>&1 &
	BGPIDS+=($!)
	ip netns exec "$PFX-2" ping -6 -f -w 4 -q "2001:db8:100:$k::1" >/dev/null 2>&1 &
	BGPIDS+=($!)
done
# the floods end by themselves after 4 s; delete while they run
flooding() { [ "$(pstat 2 2 1050 '^rx_packets$')" -ge $((rx0 + 200)) ]; }
wait_for "the flood to run" 60 flooding
l2tpc 1 del tunnel tunnel_id 1
for p in "${BGPIDS[@]}"; do wait "$p" || true; done
BGPIDS=()
check_daemons_alive
wait_for "s* interfaces gone" 200 eval "[ \$(count_links 1 s) -eq 0 ]"
[ "$(count_links 1 t)" -eq "$NTUNNELS" ] || fail "other tunnels' interfaces disappeared too"
ping_ok 1 2001:db8:100:101::2 -6
pass
