#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_loss.sh: the reliable control channel (RFC 3931 §4.2: Ns/Nr,
# retransmission with backoff) over a lossy underlay. nftables in ns 1 drops
# 10 % of the L2TP datagrams (UDP port 1701) in each direction, control and
# data alike. With the default retries the managed tunnel and its eight
# sessions still come up within a bound, ping passes (some loss allowed),
# the losses are real (nft counters, retransmissions reported), and
# `del tunnel` still reaches the peer when its StopCCN is lost (retransmitted).
. "$(dirname "$0")/lib.sh"
require_base
command -v nft >/dev/null || skip "nft (nftables) not installed"
setup_ns 1 2
underlay4

NSESS=8
# The ebpf datapath's data frames pass no netfilter hook (tc comes first on
# ingress, and its egress redirect skips output): with ns 1 on ebpf and ns 2
# not, the losses are made in ns 2 (its input drops what ns 1 sends, its
# output what ns 1 gets); L is the namespace, C the chain that takes ns 1's
# StopCCN below.
L=1 C=o
if [ "$(dp_name 1)" = ebpf ] && [ "$(dp_name 2)" != ebpf ]; then
	L=2 C=i
fi
nl() { ip netns exec "$PFX-$L" "$@"; }
nl nft add table inet l || skip "nftables unavailable in a namespace"
nl nft add chain inet l o '{ type filter hook output priority 0; }'
nl nft add chain inet l i '{ type filter hook input priority 0; }'
nl nft add rule inet l o udp dport 1701 numgen random mod 10 0 counter drop
nl nft add rule inet l i udp dport 1701 numgen random mod 10 0 counter drop

{
	echo "add tunnel tunnel_id 1 remote $A2 local $A1 encap udp control on hello 2"
	for ((i = 1; i <= NSESS; i++)); do
		echo "add session tunnel_id 1 remote_end_id lossy$i name l2tploss$i"
	done
} >"$T/a.conf"
{
	echo "add tunnel tunnel_id 2 remote $A1 local $A2 encap udp control on role accept hello 2"
	for ((i = 1; i <= NSESS; i++)); do
		echo "add session tunnel_id 2 remote_end_id lossy$i name l2tploss$i"
	done
} >"$T/b.conf"

all_up() {
	local ns
	for ns in 1 2; do
		[ "$(count_links $ns l2tploss)" -eq "$NSESS" ] || return 1
	done
}
drops() {
	nl nft -j list table inet l |
		jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add'
}

now() { date +%s.%N; }
start_l2tpd 2 -c "$T/b.conf"
t0=$(now)
start_l2tpd 1 -c "$T/a.conf"

# Bound: each control message and its acknowledgement cross the lossy link
# (about 19 % per round trip); a message needing 4 transmissions waits
# 1 + 2 + 4 s, so 30 s is far beyond what this should take.
say "tunnel and $NSESS sessions come up despite 10 % loss each way (bound 30 s)"
wait_for "all $NSESS session interfaces on both sides" 500 all_up
t1=$(date +%s.%N)
say "established in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 30) }' || fail "took longer than 30 s"

j1=$(l2tpc 1 -j -s show tunnel)
j2=$(l2tpc 2 -j -s show tunnel)
for j in "$j1" "$j2"; do
	jq -e '.[0].control.state == "established"' <<<"$j" >/dev/null || fail "not established: $j"
done
rt1=$(jq -r '.[0].control_stats.tx_retransmits' <<<"$j1")
rt2=$(jq -r '.[0].control_stats.tx_retransmits' <<<"$j2")
dup2=$(jq -r '.[0].control_stats.rx_duplicates' <<<"$j2")
say "control retransmissions: A $rt1, B $rt2; duplicates seen by B: $dup2"

say "ping through the first and the last session (some loss allowed)"
inner4 l2tploss1 l2tploss1 203.0.113.1 203.0.113.2
inner4 "l2tploss$NSESS" "l2tploss$NSESS" 198.51.100.1 198.51.100.2
ping_ok 1 203.0.113.2
ping_ok 1 198.51.100.2
out=$(n1 ping -c 50 -i 0.02 -W 1 -q 203.0.113.2 2>&1) || true
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
say "50 pings through 10 %/10 % loss: ${rx:-0} answered"
[ "${rx:-0}" -ge 25 ] || fail "only ${rx:-0} of 50 pings answered: $out"

d=$(drops)
say "nftables dropped $d L2TP datagrams"
[ "${d:-0}" -gt 0 ] || fail "nftables dropped nothing: the scenario did not test loss"

say "the tunnel survives its Hellos over the lossy link for 5 s"
sleep 5
for ns in 1 2; do
	l2tpc $ns -j show tunnel | jq -e '.[0].control.state == "established"' >/dev/null ||
		fail "ns $ns: tunnel went down under loss"
	[ "$(count_links $ns l2tploss)" -eq "$NSESS" ] || fail "ns $ns: a session went down under loss"
done

# RFC 3931 §3.3 (RFC 2661 §5.7): StopCCN is delivered reliably, like any
# control message. Its first transmission is certain to be lost here (all
# of ns 1's L2TP output dropped for 0.5 s, in ns 1 or at ns 2's input), so only a retransmission can
# tell B; B's own Hello would notice after 2 s + its 31 s retransmission
# cycle, so 10 s tells the two apart.
say "del tunnel: the StopCCN is lost once, retransmitted, and reaches the peer (bound 10 s)"
nl nft insert rule inet l "$C" udp dport 1701 counter drop
t0=$(now)
l2tpc 1 del tunnel tunnel_id 1
sleep 0.5
nl nft flush chain inet l "$C"
nl nft add rule inet l "$C" udp dport 1701 numgen random mod 10 0 counter drop
wait_for "the peer's session interfaces gone (the StopCCN retransmitted)" 150 \
	eval '[ "$(count_links 2 l2tploss)" -eq 0 ]'
t1=$(now)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
say "the peer tore its side down $took s after del tunnel"
awk -v t="$took" 'BEGIN { exit !(t < 10) }' ||
	fail "the peer learnt of del tunnel after $took s: StopCCN not retransmitted (Hello found it)"
grep -F "by the peer" "$T/l2tpd2.log" | grep -F "tunnel 2: down" ||
	fail "l2tpd2 did not take the tunnel down on the peer's StopCCN"
wait_for "ns 1's interfaces gone" 100 eval '[ "$(count_links 1 l2tploss)" -eq 0 ]'
pass
