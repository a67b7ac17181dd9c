#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_udp4.sh: the routed example of ip-l2tp(8) (L2TPv3 over UDP/IPv4:
# tunnels 3000/4000, sessions 1000/2000, ports 5000/6000), ping across the
# l2tpeth interfaces, then `show tunnel`, `-s show session` and `-j` output.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

say "site-A and site-B: the man page's tunnel and session"
l2tpc 1 add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local $A1 remote $A2 \
	udp_sport 5000 udp_dport 6000
l2tpc 1 add session tunnel_id 3000 session_id 1000 peer_session_id 2000
l2tpc 2 add tunnel tunnel_id 4000 peer_tunnel_id 3000 encap udp local $A2 remote $A1 \
	udp_sport 6000 udp_dport 5000
l2tpc 2 add session tunnel_id 4000 session_id 2000 peer_session_id 1000
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2 1488

say "ping across the pseudowire"
ping_ok 1 203.0.113.2
ping_n 1 203.0.113.2 20
ping_n 2 203.0.113.1 20

say "show tunnel (text)"
out=$(l2tpc 1 show tunnel)
echo "$out"
for want in "Tunnel 3000, encap UDP" "From $A1 to $A2" "Peer tunnel 4000" \
	"UDP source / dest ports: 5000/6000"; do
	grep -qF "$want" <<<"$out" || fail "show tunnel lacks '$want'"
done
out=$(l2tpc 1 show tunnel tunnel_id 3000)
grep -qF "Tunnel 3000, encap UDP" <<<"$out" || fail "show tunnel tunnel_id 3000 lacks the tunnel"

say "show session (text, with statistics)"
out=$(l2tpc 1 -s show session)
echo "$out"
for want in "Session 1000 in tunnel 3000" "Peer session 2000, tunnel 4000" \
	"interface name: l2tpeth0"; do
	grep -qF "$want" <<<"$out" || fail "show session lacks '$want'"
done
grep -qiE '(rx|tx).*[1-9]' <<<"$out" || fail "-s show session shows no non-zero counter"

say "JSON"
j=$(l2tpc 1 -j show tunnel)
echo "$j"
jq -e 'type == "array" and length == 1' <<<"$j" >/dev/null || fail "-j show tunnel: not a 1-element array"
jq -e --arg l "$A1" --arg r "$A2" '.[0] | .tunnel_id == 3000 and .peer_tunnel == 4000 and
	.encap == "UDP" and .local == $l and .peer == $r and .local_port == 5000 and
	.peer_port == 6000' <<<"$j" >/dev/null || fail "-j show tunnel: wrong fields"
j=$(l2tpc 2 -j show session)
echo "$j"
jq -e '.[0] | .session_id == 2000 and .tunnel_id == 4000 and .peer_session_id == 1000 and
	.peer_tunnel_id == 3000 and .interface == "l2tpeth0"' <<<"$j" >/dev/null ||
	fail "-j show session: wrong fields"

say "counters grow with traffic"
tx0=$(pstat 1 3000 1000 '^tx_packets$')
rx0=$(pstat 2 4000 2000 '^rx_packets$')
[ -n "$tx0" ] && [ -n "$rx0" ] || fail "-s -j show session has no tx_packets/rx_packets"
[ "$tx0" -ge 20 ] && [ "$rx0" -ge 20 ] || fail "counters too small after 20 pings: tx $tx0 rx $rx0"
ping_n 1 203.0.113.2 10
tx1=$(pstat 1 3000 1000 '^tx_packets$')
rx1=$(pstat 2 4000 2000 '^rx_packets$')
rb1=$(pstat 2 4000 2000 '^rx_bytes$')
[ "$tx1" -ge $((tx0 + 10)) ] || fail "tx_packets grew from $tx0 to $tx1 only"
[ "$rx1" -ge $((rx0 + 10)) ] || fail "rx_packets grew from $rx0 to $rx1 only"
[ "${rb1:-0}" -ge $((rx1 * 60)) ] || fail "rx_bytes $rb1 too small for $rx1 packets"

say "delete session and tunnel; the interface goes"
l2tpc 1 del session tunnel_id 3000 session_id 1000
wait_no_link 1 l2tpeth0
l2tpc 1 del tunnel tunnel_id 3000
[ -z "$(l2tpc 1 show tunnel)" ] || fail "tunnel 3000 still shown after del"
# deleting the tunnel deletes its sessions (kernel semantics)
l2tpc 2 del tunnel tunnel_id 4000
wait_no_link 2 l2tpeth0
[ -z "$(l2tpc 2 show session)" ] || fail "session still shown after its tunnel was deleted"
pass
