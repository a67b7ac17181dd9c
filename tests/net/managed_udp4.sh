#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_udp4.sh: two l2tpd bring up a managed L2TPv3 tunnel (control
# protocol, RFC 3931) and an Ethernet session from configuration files
# (initiator and acceptor), pass ping and iperf3 (TCP), show the negotiated state,
# `show config` round-trips, and `del tunnel` on one side removes the
# other side's tunnel and interface (StopCCN).
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

cat >"$T/a.conf" <<CONF
# site A: initiates
add tunnel tunnel_id 10 remote $A2 local $A1 encap udp control on hostname site-a hello 5
add session tunnel_id 10 pw_type eth remote_end_id vc100 name l2tpeth7
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 20 remote $A1 local $A2 encap udp control on role accept hostname site-b \
	peer_hostname site-a
add session tunnel_id 20 remote_end_id vc100
CONF
# shellcheck disable=SC2016
sed -i -e ':a' -e '/\\$/N; s/\\\n//; ta' "$T/b.conf" 2>/dev/null || true

"$L2TPD" -n -c "$T/a.conf" || fail "l2tpd -n refuses a good file"
start_l2tpd 2 -c "$T/b.conf"
start_l2tpd 1 -c "$T/a.conf"

say "the session comes up and its interfaces appear"
wait_link 1 l2tpeth7
wait_for "session interface in ns 2" 100 eval "[ \$(count_links 2 l2tpeth) -ge 1 ]"
ifb=$(ip -n "$PFX-2" -o link show | sed -n 's/^[0-9]*: \(l2tpeth[0-9]*\)[:@].*/\1/p' | head -1)
inner4 l2tpeth7 "$ifb" 203.0.113.1 203.0.113.2 1400
ping_ok 1 203.0.113.2
ping_n 1 203.0.113.2 10
iperf_tcp l2tpeth7 203.0.113.2 5201
say "9000-byte frames: fragmented and reassembled on the underlay"
ip -n "$PFX-1" link set l2tpeth7 mtu 9000
ip -n "$PFX-2" link set "$ifb" mtu 9000
ping_ok 1 203.0.113.2 -M do -s 8972
ping_ok 2 203.0.113.1 -M do -s 8972
ip -n "$PFX-1" link set l2tpeth7 mtu 1400
ip -n "$PFX-2" link set "$ifb" mtu 1400

say "show tunnel / session report the negotiated state"
out=$(l2tpc 1 -s show tunnel)
echo "$out"
for want in "Tunnel 10, encap UDP" "Control: established, role initiate, initiator" \
	'host name "site-b"' 'vendor "l2tpkit"' "Control RX messages"; do
	grep -qF "$want" <<<"$out" || fail "show tunnel lacks '$want'"
done
out=$(l2tpc 2 show session)
echo "$out"
grep -qF 'remote end id "vc100"' <<<"$out" || fail "show session lacks the remote end id"
j=$(l2tpc 1 -j show session)
jq -e '.[0].managed.state == "established" and .[0].managed.remote_end_id == "vc100" and
	(.[0].cookie | length) == 16 and (.[0].peer_cookie | length) == 16' <<<"$j" >/dev/null ||
	fail "-j show session: $j"

say "show config round-trips"
l2tpc 1 show config | tee "$T/a.saved"
grep -v '^#' "$T/a.saved" >"$T/a.lines"
"$L2TPD" -n -c "$T/a.saved" || fail "saved configuration does not check"
grep -c . "$T/a.lines" | grep -qx 2 || fail "show config: expected 2 lines"

say "del tunnel on A: B's tunnel goes down and its interface goes away"
l2tpc 1 del tunnel tunnel_id 10
wait_no_link 1 l2tpeth7
wait_no_link 2 "$ifb"
wait_for "B's tunnel idle" 100 eval "l2tpc 2 show tunnel | grep -q 'Control: idle'"
pass
