#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_auto.sh: `--datapath auto` on a kernel without L2TP modules but with
# BPF: L2TPv3 tunnels of Ethernet sessions, static (UDP over IPv6 with
# checksums too) and managed, go to the ebpf datapath, the others (v2,
# fallback and PPP: ebpf_managed.sh) to the user datapath behind it, in one
# l2tpd; `show tunnel` names each tunnel's datapath and all of them
# pass traffic to a user-datapath peer. Skips (77) where the ebpf datapath
# cannot load, or where the kernel has its L2TP family (auto takes that).
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
ip -n "$PFX-2" addr add 2001:db8:1::2/64 dev u2 nodad
wait_for "underlay6 ping" 100 ip netns exec "$PFX-1" ping -6 -c 1 -W 1 -q 2001:db8:1::2
require_ebpf 1
# a userspace peer: the underlay finishes GSO frames and checksums (ebpf_pw.sh)
command -v ethtool >/dev/null || skip "ethtool not installed (underlay offloads)"
n1 ethtool -K u1 tx off >/dev/null

cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 10 remote $A2 local $A1 encap udp control on hostname site-a hello 5
add session tunnel_id 10 pw_type eth remote_end_id vc100 name m0
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 20 remote $A1 local $A2 encap udp control on role accept hostname site-b peer_hostname site-a
add session tunnel_id 20 remote_end_id vc100 name m0
CONF
start_l2tpd 2 -c "$T/b.conf"
L2TPD_DATAPATH_1=auto start_l2tpd 1 -c "$T/a.conf"
if grep -q 'started, datapath kernel' "$T/l2tpd1.log"; then
	skip "this kernel has its L2TP family: auto takes the kernel datapath"
fi
grep -q 'started, datapath ebpf+user' "$T/l2tpd1.log" ||
	fail "auto did not start the ebpf and user datapaths: $(cat "$T/l2tpd1.log")"

say "a static UDP/IPv4 tunnel: ebpf"
tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 100 4000 200 s4
inner4 s4 s4 198.51.100.1 198.51.100.2
ping_n 1 198.51.100.2 10
ping_n 2 198.51.100.1 10

say "a static UDP/IPv6 tunnel with UDP checksums: ebpf"
l2tpc 1 add tunnel tunnel_id 3100 peer_tunnel_id 4100 encap udp local 2001:db8:1::1 \
	remote 2001:db8:1::2 udp_sport 5100 udp_dport 6100
l2tpc 2 add tunnel tunnel_id 4100 peer_tunnel_id 3100 encap udp local 2001:db8:1::2 \
	remote 2001:db8:1::1 udp_sport 6100 udp_dport 5100
session_pair 3100 110 4100 210 s6
inner4 s6 s6 198.51.100.5 198.51.100.6
ping_n 1 198.51.100.6 10

say "the managed tunnel: ebpf"
wait_link 1 m0
wait_link 2 m0
inner4 m0 m0 198.51.100.9 198.51.100.10
ping_ok 1 198.51.100.10
ping_n 2 198.51.100.9 10

say "show tunnel names each tunnel's datapath"
out=$(l2tpc 1 show tunnel)
echo "$out"
dp_of() { awk -v t="Tunnel $1," 'index($0, t) == 1 {f = 1} f && /Datapath:/ {print $2; exit}' <<<"$out"; }
[ "$(dp_of 3000)" = ebpf ] || fail "tunnel 3000: datapath '$(dp_of 3000)', not ebpf"
[ "$(dp_of 3100)" = ebpf ] || fail "tunnel 3100: datapath '$(dp_of 3100)', not ebpf"
[ "$(dp_of 10)" = ebpf ] || fail "managed tunnel 10: datapath '$(dp_of 10)', not ebpf"
j=$(l2tpc 1 -j show tunnel)
jq -e '[.[] | select(.tunnel_id == 10) | .managed.datapath // .datapath] | .[0] == "ebpf"' \
	<<<"$j" >/dev/null || fail "-j show tunnel: managed tunnel 10 not in ebpf: $j"

say "counters of both kinds"
for x in "3000 100" "3100 110"; do
	set -- $x
	tx=$(pstat 1 "$1" "$2" '^tx_packets$')
	rx=$(pstat 1 "$1" "$2" '^rx_packets$')
	[ "${tx:-0}" -ge 10 ] && [ "${rx:-0}" -ge 10 ] || fail "session $2: tx ${tx:-?} rx ${rx:-?}"
done
pass
