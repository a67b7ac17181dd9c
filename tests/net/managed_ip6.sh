#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_ip6.sh: managed L2TPv3 tunnels (control protocol, RFC 3931) over an
# IPv6 underlay (2001:db8:1::/64), both encapsulations side by side between
# the same two addresses: IP (protocol 115, RFC 3931 §4.1.1) and UDP
# (§4.1.2.1). Each tunnel brings up its Ethernet session from the
# configuration files, reports encap and addresses in `show tunnel`, and
# carries ping and a short iperf3 TCP run (skipped without iperf3) through
# the session interface, whose MTU leaves room for the IPv6 overhead.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay6

cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 61 remote $A2 local $A1 encap ip control on hostname six-a hello 5
add session tunnel_id 61 remote_end_id ip6vc name l2tpip6
add tunnel tunnel_id 62 remote $A2 local $A1 encap udp control on hostname six-a hello 5
add session tunnel_id 62 remote_end_id udp6vc name l2tpudp6
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 71 remote $A1 local $A2 encap ip control on role accept hostname six-b
add session tunnel_id 71 remote_end_id ip6vc name l2tpip6
add tunnel tunnel_id 72 remote $A1 local $A2 encap udp control on role accept hostname six-b
add session tunnel_id 72 remote_end_id udp6vc name l2tpudp6
CONF
"$L2TPD" -n -c "$T/a.conf" >/dev/null || fail "l2tpd -n refuses a.conf"
"$L2TPD" -n -c "$T/b.conf" >/dev/null || fail "l2tpd -n refuses b.conf"
start_l2tpd 2 -c "$T/b.conf"
start_l2tpd 1 -c "$T/a.conf"

# check TID ENCAP IFNAME ADDR1 ADDR2 PORT
check() {
	local tid=$1 encap=$2 ifn=$3 a1=$4 a2=$5 port=$6 j mtu want
	say "encap $encap over IPv6: tunnel $tid, session interface $ifn"
	wait_for "tunnel $tid established" 200 eval \
		"l2tpc 1 -j show tunnel tunnel_id $tid | jq -e '.[0].control.state == \"established\"'"
	j=$(l2tpc 1 -j show tunnel tunnel_id "$tid")
	jq -e --arg l "$A1" --arg r "$A2" --arg e "${encap^^}" \
		'.[0] | .local == $l and .peer == $r and .encap == $e and
		 .control.encap == ($e | ascii_downcase) and .control.initiator == true' \
		<<<"$j" >/dev/null || fail "-j show tunnel $tid: $j"
	inner4 "$ifn" "$ifn" "$a1" "$a2"
	# IPv6 40, UDP 8 + 4 (v3 over UDP), session id 4, cookie 8, sublayer 4, Ethernet 14
	want=$((1500 - 40 - 4 - 8 - 4 - 14))
	[ "$encap" = udp ] && want=$((want - 12))
	mtu=$(ip -n "$PFX-1" -o link show dev "$ifn" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
	say "$ifn mtu $mtu (expected $want)"
	[ "$mtu" -le "$want" ] || fail "$ifn: mtu $mtu leaves no room for the IPv6 $encap overhead"
	ping_ok 1 "$a2"
	ping_n 1 "$a2" 20
	ping_n 2 "$a1" 10
	# a full-size frame crosses without fragmentation trouble
	ping_ok 1 "$a2" -M "do" -s $((mtu - 28))
	iperf_tcp "$ifn" "$a2" "$port"
	ping_ok 1 "$a2"
}

check 61 ip l2tpip6 203.0.113.1 203.0.113.2 5201
check 62 udp l2tpudp6 198.51.100.1 198.51.100.2 5202

say "the acceptor reports both connections"
j=$(l2tpc 2 -j show tunnel)
jq -e 'length == 2 and all(.[]; .control.state == "established" and .control.initiator == false)' \
	<<<"$j" >/dev/null || fail "-j show tunnel on B: $j"
out=$(l2tpc 2 show tunnel)
echo "$out"
grep -qF "Tunnel 71, encap IP" <<<"$out" || fail "show tunnel on B lacks tunnel 71 (IP)"
grep -qF "Tunnel 72, encap UDP" <<<"$out" || fail "show tunnel on B lacks tunnel 72 (UDP)"
grep -qF "From $A2 to $A1" <<<"$out" || fail "show tunnel on B lacks 'From $A2 to $A1'"

say "show config round-trips the IPv6 tunnels"
l2tpc 1 show config >"$T/a.saved"
cat "$T/a.saved"
"$L2TPD" -n -c "$T/a.saved" >/dev/null || fail "saved configuration does not check"
[ "$(grep -c "local $A1 remote $A2" "$T/a.saved")" -eq 2 ] || fail "show config lost an address"

say "del tunnel removes both ends of each"
l2tpc 1 del tunnel tunnel_id 61
l2tpc 1 del tunnel tunnel_id 62
wait_no_link 1 l2tpip6
wait_no_link 1 l2tpudp6
wait_no_link 2 l2tpip6
wait_no_link 2 l2tpudp6
pass
