#!/bin/bash
# SPDX-License-Identifier: MIT
# demo.sh: a static L2TPv3 Ethernet pseudowire between two network
# namespaces, as in the EXAMPLES of ip-l2tp(8), then a managed one that the
# control protocol (RFC 3931) brings up, with l2tpd and l2tp from build/
# (`make demo` builds them first). Needs root. Removes everything it made
# when it ends, however it ends.
#
#   site-A (192.0.2.1) ====== veth ====== site-B (192.0.2.2)
#   l2tpeth0 203.0.113.1  <- L2TPv3/UDP ->  l2tpeth0 203.0.113.2   (static)
#   pw100    198.51.100.1 <- L2TPv3/UDP ->  pw100    198.51.100.2  (managed)
set -u
cd "$(dirname "$0")/.." || exit 1
L2TPD=${L2TPD:-$PWD/build/l2tpd}
L2TP=${L2TP:-$PWD/build/l2tp}
A="l2tpdemo-A-$$"
B="l2tpdemo-B-$$"
TMP=""
PIDA="" PIDB=""

bold="" norm=""
if [ -t 1 ]; then
	bold=$(tput bold 2>/dev/null || true)
	norm=$(tput sgr0 2>/dev/null || true)
fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$norm"; }
run() { # SITE CMD...: show the command as one would type it at that site, then run it
	local site=$1 shown
	shift
	shown=" $* "
	shown=${shown/# l2a / l2tp }
	shown=${shown/# l2b / l2tp }
	shown=${shown/ -n $A / }
	shown=${shown/ -n $B / }
	shown=${shown/ip netns exec $A /}
	shown=${shown/ip netns exec $B /}
	printf '  %s#%s\n' "$site" "${shown% }"
	"$@"
}
die() {
	echo "demo: $*" >&2
	exit 1
}

cleanup() {
	set +e
	local p i
	step "Cleaning up"
	for p in $PIDA $PIDB; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PIDA $PIDB; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
	echo "  namespaces $A and $B removed, daemons stopped."
}

[ "$(id -u)" -eq 0 ] || die "needs root (it creates network namespaces); try: sudo make demo"
[ -x "$L2TPD" ] && [ -x "$L2TP" ] || die "build first: make (missing $L2TPD or $L2TP)"
ip netns list >/dev/null 2>&1 || die "'ip netns' is not available"
[ -c /dev/net/tun ] || die "/dev/net/tun is missing (no TAP support)"

trap cleanup EXIT
trap 'exit 1' INT TERM
TMP=$(mktemp -d /tmp/l2tpdemo.XXXXXX)

# wait_until DESC CMD...: poll CMD (at most 100 times, 0.1 s apart)
wait_until() {
	local desc=$1 i
	shift
	for ((i = 0; i < 100; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "timed out waiting for $desc"
}
l2a() { ip netns exec "$A" "$L2TP" -S "$TMP/A.sock" "$@"; }

# ping_across ADDR: from site-A through a pseudowire (the first pings may wait for ARP)
ping_across() {
	local i
	for ((i = 0; i < 5; i++)); do
		ip netns exec "$A" ping -c 1 -W 1 -q "$1" >/dev/null 2>&1 && break
	done
	[ "$i" -lt 5 ] || die "no reply from $1 across the pseudowire (logs: $TMP/A.log $TMP/B.log)"
	run site-A ip netns exec "$A" ping -c 4 -i 0.2 "$1" || die "ping failed"
}
l2b() { ip netns exec "$B" "$L2TP" -S "$TMP/B.sock" "$@"; }

step "Two sites: network namespaces $A and $B, joined by a veth pair"
ip netns add "$A" && ip netns add "$B" || die "cannot create namespaces"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
run site-A ip -n "$A" link add eth0 type veth peer name eth0 netns "$B" || die "cannot create the veth pair"
ip -n "$A" addr add 192.0.2.1/24 dev eth0
ip -n "$B" addr add 192.0.2.2/24 dev eth0
ip -n "$A" link set eth0 up
ip -n "$B" link set eth0 up
echo "  site-A eth0 192.0.2.1/24  <->  site-B eth0 192.0.2.2/24"
wait_until "the underlay" ip netns exec "$A" ping -c 1 -W 1 192.0.2.2

step "An l2tpd in each site (userspace datapath: no kernel L2TP modules needed)"
ip netns exec "$A" "$L2TPD" -f -S "$TMP/A.sock" -P "$TMP/A.pid" >"$TMP/A.log" 2>&1 &
PIDA=$!
ip netns exec "$B" "$L2TPD" -f -S "$TMP/B.sock" -P "$TMP/B.pid" >"$TMP/B.log" 2>&1 &
PIDB=$!
wait_until "l2tpd in site-A" l2a show tunnel
wait_until "l2tpd in site-B" l2b show tunnel
echo "  l2tpd pids: site-A $PIDA, site-B $PIDB"

step "The tunnel and session of ip-l2tp(8): ids, addresses and ports mirrored at each site"
run site-A l2a add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp \
	local 192.0.2.1 remote 192.0.2.2 udp_sport 5000 udp_dport 6000 || die "add tunnel failed"
run site-A l2a add session tunnel_id 3000 session_id 1000 peer_session_id 2000 ||
	die "add session failed"
run site-B l2b add tunnel tunnel_id 4000 peer_tunnel_id 3000 encap udp \
	local 192.0.2.2 remote 192.0.2.1 udp_sport 6000 udp_dport 5000 || die "add tunnel failed"
run site-B l2b add session tunnel_id 4000 session_id 2000 peer_session_id 1000 ||
	die "add session failed"

step "Each session is an Ethernet interface, l2tpeth0: bring it up and address it"
wait_until "l2tpeth0 in site-A" ip -n "$A" link show dev l2tpeth0
wait_until "l2tpeth0 in site-B" ip -n "$B" link show dev l2tpeth0
run site-A ip -n "$A" link set l2tpeth0 up mtu 1446
run site-B ip -n "$B" link set l2tpeth0 up mtu 1446
run site-A ip -n "$A" addr add 203.0.113.1 peer 203.0.113.2 dev l2tpeth0
run site-B ip -n "$B" addr add 203.0.113.2 peer 203.0.113.1 dev l2tpeth0

step "Ping site-B's end of the pseudowire from site-A"
ping_across 203.0.113.2

step "What site-A's l2tpd says"
run site-A l2a show tunnel
run site-A l2a -s show session

step "A managed tunnel: the control protocol learns the peer's ids and picks the cookies"
echo "  Each site names only its peer, a shared secret and the pseudowire (remote_end_id 100,"
echo "  as Cisco's xconnect PEER 100); site-B accepts, site-A initiates (SCCRQ...ICCN)."
run site-B l2b add tunnel tunnel_id 20 remote 192.0.2.1 local 192.0.2.2 encap udp \
	control on role accept secret demo-secret hostname site-B || die "add tunnel failed"
run site-B l2b add session tunnel_id 20 remote_end_id 100 name pw100 || die "add session failed"
run site-A l2a add tunnel tunnel_id 10 remote 192.0.2.2 local 192.0.2.1 encap udp \
	control on secret demo-secret hostname site-A || die "add tunnel failed"
run site-A l2a add session tunnel_id 10 remote_end_id 100 name pw100 || die "add session failed"
wait_until "pw100 in site-A (the session is established)" ip -n "$A" link show dev pw100
wait_until "pw100 in site-B" ip -n "$B" link show dev pw100
run site-A ip -n "$A" link set pw100 up mtu 1430
run site-B ip -n "$B" link set pw100 up mtu 1430
run site-A ip -n "$A" addr add 198.51.100.1 peer 198.51.100.2 dev pw100
run site-B ip -n "$B" addr add 198.51.100.2 peer 198.51.100.1 dev pw100
ping_across 198.51.100.2

step "The managed tunnel as site-A sees it: state, peer, negotiated values, control counters"
run site-A l2a -s show tunnel tunnel_id 10
run site-A l2a show session tunnel_id 10
echo "  The same state as configuration lines (l2tpd -c FILE loads them back):"
run site-A l2a show config

step "Done: Ethernet frames crossed the veth inside L2TPv3/UDP packets, static and managed"
exit 0
