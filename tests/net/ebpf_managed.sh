#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_managed.sh: managed L2TPv3 tunnels (control protocol, RFC 3931) on the
# eBPF datapath. Two l2tpd --datapath ebpf bring up a tunnel with two
# sessions (Ethernet, and Ethernet VLAN with tagged frames); the frames go through the tc programs and not through
# userspace (the session counters come from the BPF maps, the devices are
# veths, and no data datagram reaches a UDP socket of either namespace)
# while the control connection lives beside them (Hello keepalives,
# hello 1). A CDN removes one session's veth, tcx link and map entries at
# both ends; a StopCCN removes the rest and is sent once (its acknowledgement
# reached the control plane, nothing was retransmitted); a peer that
# vanishes (SIGKILL) is noticed through its silence, its programs are freed
# by the kernel and its veths by its next start, which brings everything
# back; SIGTERM leaves nothing. L2TPv2, fallback on and PPP are refused
# with their reason. Then `--datapath auto`: the ebpf datapath
# takes a managed L2TPv3 Ethernet tunnel, the user datapath an L2TPv2 one,
# one with fallback on, and one whose first session is PPP (it moves).
# Skips (77) where the ebpf datapath cannot load.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
command -v bpftool >/dev/null || skip "bpftool not installed (program checks)"
command -v ethtool >/dev/null || skip "ethtool not installed (underlay offloads)"
require_ebpf 1

cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 10 remote $A2 local $A1 encap udp control on hostname site-a hello 1 retries 2
add session tunnel_id 10 pw_type eth remote_end_id vc1 name m1
add session tunnel_id 10 pw_type eth_vlan remote_end_id vc2 name m2
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 20 remote $A1 local $A2 encap udp control on role accept hostname site-b hello 1 retries 2
add session tunnel_id 20 remote_end_id vc1 name m1
add session tunnel_id 20 pw_type eth_vlan remote_end_id vc2 name m2
CONF

# UDP datagrams the stack of namespace N delivered to sockets (/proc/net/snmp)
udp_in() { ip netns exec "$PFX-$1" awk '/^Udp:/ { if (h) { print $2; exit } h = 1 }' /proc/net/snmp; }
# mstat D REID KEY: counter KEY of daemon D's session with that remote end id
mstat() {
	l2tpc "$1" -s -j show session |
		jq -r --arg r "$2" --arg k "$3" '.[] | select(.managed.remote_end_id == $r) |
			[paths(numbers) as $p | select($p[-1] == $k) | getpath($p)] | .[0] // empty'
}
# ctl_type D TID DIR TYPE: control messages of TYPE sent (tx) or received (rx)
ctl_type() {
	l2tpc "$1" -s -j show tunnel tunnel_id "$2" |
		jq -r --arg d "$3_by_type" --arg t "$4" \
			'(if type == "array" then .[0] else . end) | [.. | objects | .[$d]? // empty |
			 .[$t] // 0] | .[0] // 0'
}
# map_entries D NAME: entries in daemon D's BPF map NAME
map_entries() {
	local id
	for id in $(map_ids "$1"); do
		if [ "$(bpftool -j map show id "$id" | jq -r .name)" = "$2" ]; then
			bpftool -j map dump id "$id" | jq length
			return
		fi
	done
	echo "no map $2"
}
established() {
	l2tpc "$1" -j show tunnel tunnel_id "$2" |
		jq -e '(if type == "array" then .[0] else . end).control.state == "established"'
}
up() {
	wait_for "ns 1 established" 200 established 1 10
	inner4 m1 m1 198.51.100.1 198.51.100.2
	inner4 m2 m2 198.51.100.5 198.51.100.6
	ping_ok 1 198.51.100.2
	ping_ok 1 198.51.100.6
}

L2TPD_DATAPATH_1=ebpf L2TPD_DATAPATH_2=ebpf start_l2tpd 2 -c "$T/b.conf"
L2TPD_DATAPATH_1=ebpf L2TPD_DATAPATH_2=ebpf start_l2tpd 1 -c "$T/a.conf"
up

say "the sessions are BPF's: veth devices, tcx links, map entries"
for d in 1 2; do
	ip -n "$PFX-$d" -d link show dev m1 | grep -qw veth || fail "ns $d: m1 is not a veth"
	# per session l2tp_encap on l2tpdpN's ingress and on mN's egress; l2tp_decap
	[ "$(tcx_links "$d")" -eq 5 ] || fail "l2tpd$d holds $(tcx_links "$d") tcx links, not 2 * 2 + 1"
	[ "$(map_entries "$d" rx_sessions)" = 2 ] ||
		fail "l2tpd$d rx_sessions: $(map_entries "$d" rx_sessions), not 2"
done
out=$(l2tpc 1 show tunnel)
echo "$out"
grep -q 'Datapath: ebpf' <<<"$out" || fail "show tunnel does not name the ebpf datapath"

say "500 pings: counted by the programs, no data datagram reaches a socket"
u1=$(udp_in 1) u2=$(udp_in 2)
rx0=$(mstat 2 vc1 rx_packets) tx0=$(mstat 1 vc1 tx_packets)
ping_n 1 198.51.100.2 500
rx1=$(mstat 2 vc1 rx_packets) tx1=$(mstat 1 vc1 tx_packets)
du1=$(($(udp_in 1) - u1)) du2=$(($(udp_in 2) - u2))
say "ns 1 tx $tx0 -> $tx1, ns 2 rx $rx0 -> $rx1; UDP datagrams to sockets: ns 1 $du1, ns 2 $du2"
[ $((tx1 - tx0)) -ge 499 ] && [ $((rx1 - rx0)) -ge 499 ] ||
	fail "the BPF counters did not count the 500 pings"
# what reaches the sockets is the control connection: Hellos and their acks
[ "$du1" -lt 50 ] && [ "$du2" -lt 50 ] || fail "data reached UDP sockets ($du1, $du2 datagrams)"
iperf_tcp m1 198.51.100.2 5201

grep -q 'session [0-9]* (vc2) up' "$T/l2tpd1.log" && grep -q 'pw=Ethernet VLAN' "$T/l2tpd1.log" ||
	fail "vc2 did not come up as an Ethernet VLAN pseudowire"
if ip -n "$PFX-1" link add link m2 name m2.7 type vlan id 7 2>/dev/null; then
	say "the Ethernet VLAN session carries tagged frames (VLAN 7)"
	ip -n "$PFX-2" link add link m2 name m2.7 type vlan id 7
	for d in 1 2; do ip -n "$PFX-$d" link set m2.7 up; done
	ip -n "$PFX-1" addr add 198.51.100.9 peer 198.51.100.10 dev m2.7
	ip -n "$PFX-2" addr add 198.51.100.10 peer 198.51.100.9 dev m2.7
	ping_ok 1 198.51.100.10
	ping_n 2 198.51.100.9 10
else
	say "no 802.1Q in this kernel: untagged frames through the Ethernet VLAN session"
	ping_n 2 198.51.100.5 10
fi
[ "$(mstat 1 vc2 rx_packets)" -ge 10 ] || fail "vc2 counted $(mstat 1 vc2 rx_packets) packets"

say "Hello keepalives cross beside the data (hello 1)"
h0=$(ctl_type 2 20 rx HELLO)
wait_for "Hellos from ns 1" 60 eval "[ \$(ctl_type 2 20 rx HELLO) -ge $((h0 + 2)) ]"
wait_for "Hellos from ns 2" 60 eval "[ \$(ctl_type 1 10 rx HELLO) -ge 2 ]"

say "--datapath ebpf refuses L2TPv2, fallback on and PPP, and says why"
if l2tpc 1 add tunnel tunnel_id 30 remote "$A2" local "$A1" udp_sport 1702 udp_dport 1702 \
	control on version 2 2>"$T/v2.err"; then
	fail "ebpf took an L2TPv2 tunnel"
fi
grep -q 'carries L2TPv3 only' "$T/v2.err" || fail "v2 refused without the reason: $(cat "$T/v2.err")"
if l2tpc 1 add tunnel tunnel_id 40 remote "$A2" local "$A1" udp_sport 1703 udp_dport 1703 \
	control on fallback on 2>"$T/fb.err"; then
	fail "ebpf took a tunnel with fallback on"
fi
grep -q 'fallback on' "$T/fb.err" || fail "fallback refused without the reason: $(cat "$T/fb.err")"
# PPP over L2TPv3 (type 7): the session is negotiated, its datapath refused (CDN)
l2tpc 2 add tunnel tunnel_id 61 remote "$A1" local "$A2" udp_sport 1704 udp_dport 1704 \
	control on role accept
l2tpc 2 add session tunnel_id 61 pw_type ppp remote_end_id p3 auth none ppp_local 203.0.113.9
l2tpc 1 add tunnel tunnel_id 60 remote "$A2" local "$A1" udp_sport 1704 udp_dport 1704 control on
l2tpc 1 add session tunnel_id 60 pw_type ppp remote_end_id p3 name ppp60
wait_for "the PPP session refused by ebpf" 200 \
	grep -qE 'tunnel 6[01]: session .* datapath failed: the ebpf datapath carries Ethernet' \
	"$T/l2tpd1.log" "$T/l2tpd2.log"
l2tpc 1 del tunnel tunnel_id 60
l2tpc 2 del tunnel tunnel_id 61

say "CDN (del session): one veth, tcx link and map entry less at both ends"
l2tpc 1 del session tunnel_id 10 remote_end_id vc2
wait_no_link 1 m2
wait_no_link 2 m2
for d in 1 2; do
	wait_for "l2tpd$d: 3 tcx links" 100 eval "[ \$(tcx_links $d) -eq 3 ]"
	# tx_sessions: under both ifindexes of the session's veth pair
	[ "$(map_entries "$d" rx_sessions)" = 1 ] && [ "$(map_entries "$d" tx_sessions)" = 2 ] ||
		fail "l2tpd$d: map entries left after the CDN"
	[ "$(count_links "$d" l2tpdp)" -eq 1 ] || fail "ns $d: veth peers left after the CDN"
done
ping_n 1 198.51.100.2 10

say "StopCCN (del tunnel): all goes; it is acknowledged, not retransmitted"
cap_start 1 u1 || skip "tshark not installed (StopCCN count)"
udp_mark_seen() {
	ip netns exec "$PFX-1" bash -c "echo mark >/dev/udp/$A2/9" 2>/dev/null || true
	[ "$(tshark -n -r "$CAP" -Y 'udp.dstport == 9' 2>/dev/null | wc -l)" -ge "$1" ]
}
wait_for "a first mark in the capture" 100 udp_mark_seen 1
l2tpc 1 del tunnel tunnel_id 10
wait_no_link 1 m1
wait_no_link 2 m1
wait_for "ns 2 tunnel down" 100 eval "! established 2 20"
# a StopCCN nobody acknowledged would go again after 1 s (RTO), then 2 s
sleep 2.5
n=$(tshark -n -r "$CAP" -Y 'udp.dstport == 9' 2>/dev/null | wc -l)
wait_for "the last mark in the capture" 100 udp_mark_seen $((n + 1))
kill -INT "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
stops=$(tshark -n -r "$CAP" -Y "ip.src == $A1 && l2tp.avp.message_type == 4" 2>/dev/null | wc -l)
zlb=$(tshark -n -r "$CAP" -Y "ip.src == $A2 && l2tp.type == 1 && !l2tp.avp.type" 2>/dev/null | wc -l)
say "StopCCNs from ns 1: $stops; ZLB acks from ns 2: $zlb"
[ "$stops" -eq 1 ] || fail "$stops StopCCNs sent: its acknowledgement did not reach l2tpd1"
[ "$zlb" -ge 1 ] || fail "no ZLB from ns 2 in the capture"
[ "$(tcx_links 1)" -eq 0 ] || fail "l2tpd1 holds $(tcx_links 1) tcx links after del tunnel"
[ "$(map_entries 1 rx_sessions)" = 0 ] || fail "l2tpd1: rx_sessions entries after del tunnel"
[ "$(count_links 1 l2tpdp)" -eq 0 ] || fail "ns 1: veth peers left after del tunnel"
# ns 2 keeps its (idle, accepting) tunnel: l2tp_decap on its underlay alone
[ "$(tcx_links 2)" -eq 1 ] || fail "l2tpd2 holds $(tcx_links 2) tcx links, not its underlay's"
[ "$(count_links 2 l2tpdp)" -eq 0 ] || fail "ns 2: veth peers left after the StopCCN"

say "the peer vanishes (SIGKILL): noticed by its silence; its restart cleans up"
while read -r line; do l2tpc 1 $line; done < <(grep -v '^#' "$T/a.conf")
up
ebpf_kill 2
[ "$(count_links 2 l2tpdp)" -eq 2 ] || fail "expected the 2 veth pairs of the killed l2tpd"
wait_for "ns 1 to notice the dead peer" 300 eval "! established 1 10"
wait_no_link 1 m1
wait_no_link 1 m2
[ "$(tcx_links 1)" -eq 1 ] || fail "l2tpd1 holds $(tcx_links 1) tcx links, not its underlay's"
grep -qE 'tunnel 10: down .*(peer lost|not answering)' "$T/l2tpd1.log" ||
	fail "no 'peer lost' line in l2tpd1's log"
L2TPD_DATAPATH_2=ebpf start_l2tpd 2 -c "$T/b.conf"
[ "$(grep -c 'removed l2tpdp[0-9]* left by l2tpd' "$T/l2tpd2.log")" -eq 2 ] ||
	fail "the restarted l2tpd2 did not remove the killed one's 2 veth pairs"
up
ping_n 2 198.51.100.1 10

say "SIGTERM: StopCCN, then no device, link, program or map is left"
ebpf_stop_all m1

say "--datapath auto: ebpf for managed L2TPv3 Ethernet, user for v2, fallback, PPP"
# ns 1 on auto (a user-datapath peer: the underlay finishes GSO frames)
n1 ethtool -K u1 tx off >/dev/null
cat >>"$T/a.conf" <<CONF
add tunnel tunnel_id 30 remote $A2 local $A1 udp_sport 1702 udp_dport 1702 control on version 2 hostname site-a
add session tunnel_id 30 pw_type ppp name ppp30
add tunnel tunnel_id 40 remote $A2 local $A1 udp_sport 1703 udp_dport 1703 control on fallback on hostname site-a
add session tunnel_id 40 pw_type ppp remote_end_id fb name ppp40
add tunnel tunnel_id 60 remote $A2 local $A1 udp_sport 1704 udp_dport 1704 control on hostname site-a
add session tunnel_id 60 pw_type ppp remote_end_id p3 name ppp60
CONF
cat >>"$T/b.conf" <<CONF
add tunnel tunnel_id 31 remote $A1 local $A2 udp_sport 1702 udp_dport 1702 control on role accept version 2
add session tunnel_id 31 pw_type ppp auth none ppp_local 203.0.113.1 ppp_remote 203.0.113.2
add tunnel tunnel_id 41 remote $A1 local $A2 udp_sport 1703 udp_dport 1703 control on role accept version 2
add session tunnel_id 41 pw_type ppp auth none ppp_local 203.0.113.5 ppp_remote 203.0.113.6
add tunnel tunnel_id 61 remote $A1 local $A2 udp_sport 1704 udp_dport 1704 control on role accept
add session tunnel_id 61 pw_type ppp remote_end_id p3 auth none ppp_local 203.0.113.9 ppp_remote 203.0.113.10
CONF
start_l2tpd 2 -c "$T/b.conf"
L2TPD_DATAPATH_1=auto start_l2tpd 1 -c "$T/a.conf"
grep -q 'started, datapath ebpf+user' "$T/l2tpd1.log" ||
	fail "auto did not start the ebpf and user datapaths: $(cat "$T/l2tpd1.log")"
up
has_addr() { ip -n "$PFX-1" -4 -o addr show dev "$1" 2>/dev/null | grep -q "inet $2 peer"; }
wait_for "ppp30's address" 200 has_addr ppp30 203.0.113.2
wait_for "ppp40's address" 300 has_addr ppp40 203.0.113.6
wait_for "ppp60's address" 200 has_addr ppp60 203.0.113.10
ping_ok 1 203.0.113.1
ping_ok 1 203.0.113.5
ping_ok 1 203.0.113.9
j=$(l2tpc 1 -j show tunnel)
dp_of() { jq -r --argjson t "$1" '.[] | select(.tunnel_id == $t) | .managed.datapath // .datapath' <<<"$j"; }
for x in 10:ebpf 30:user 40:user 60:user; do
	[ "$(dp_of "${x%%:*}")" = "${x#*:}" ] ||
		fail "tunnel ${x%%:*}: datapath '$(dp_of "${x%%:*}")', not ${x#*:}: $j"
done
grep -q 'tunnel 30: datapath user (ebpf: .*L2TPv3 only' "$T/l2tpd1.log" ||
	fail "the log does not say why tunnel 30 is not in ebpf"
grep -q 'tunnel 40: datapath user (ebpf: .*fallback on' "$T/l2tpd1.log" ||
	fail "the log does not say why tunnel 40 is not in ebpf"
grep -q 'tunnel 60: datapath user (a PPP session' "$T/l2tpd1.log" ||
	fail "the log does not say why tunnel 60 moved to user"
[ "$(tcx_links 1)" -eq 5 ] || fail "l2tpd1 holds $(tcx_links 1) tcx links, not 2 sessions * 2 + 1"
ping_n 1 198.51.100.2 20
pass
