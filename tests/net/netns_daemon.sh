#!/bin/bash
# SPDX-License-Identifier: MIT
# netns_daemon.sh: one l2tpd per network namespace, as a host would run them:
# `l2tpd --netns NAME` enters the namespace itself (no `ip netns exec`) and
# listens at its default per-namespace socket /run/l2tpd/NAME.sock, and
# `l2tp -n NAME` (run from the host's namespace) enters it and finds that
# socket. A static pseudowire between the two namespaces carries a ping;
# each daemon sees only its own tunnel. An unknown namespace is a clear
# error for both programs.
. "$(dirname "$0")/lib.sh"
require_base
unset L2TP_SOCKET
RUN=/run/l2tpd
setup_ns 1 2
underlay4
# a daemon killed by the cleanup leaves its socket and PID file behind
trap 'cleanup; rm -f "$RUN/$PFX"-*.sock "$RUN/$PFX"-*.pid "$RUN/$PFX"-*.tunnels' EXIT

# nsc D ARGS...: the CLI in namespace D by -n, the socket by default
nsc() {
	local d=$1
	shift
	ASAN_OPTIONS=$CLI_ASAN_OPTIONS timeout 20 "$L2TP" -n "$PFX-$d" "$@"
}
# the socket first: without it the CLI would try the kernel's family there
nsd_ready() { [ -S "$RUN/$PFX-$1.sock" ] && nsc "$1" show tunnel; }

# start_nsd D: l2tpd --netns, started in the host's namespace
start_nsd() {
	local d=$1 ns=$PFX-$1
	[ ! -e "$RUN/$ns.sock" ] || fail "$RUN/$ns.sock exists before the test"
	# shellcheck disable=SC2086 # L2TPD_ARGS is a list of words
	"$L2TPD" -f --netns "$ns" --datapath "${L2TPD_DATAPATH:-user}" ${L2TPD_ARGS:-} \
		>>"$T/l2tpd$d.log" 2>&1 &
	DPID[$d]=$!
	wait_for "l2tpd$d at $RUN/$ns.sock" 200 nsd_ready "$d"
}

start_nsd 1
start_nsd 2

say "each daemon is in its namespace, with its own socket and PID file"
for d in 1 2; do
	ns=$PFX-$d pid=${DPID[$d]}
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/$ns")" ] ||
		fail "l2tpd$d (pid $pid) is not in namespace $ns"
	[ "$(cat "$RUN/$ns.pid")" = "$pid" ] || fail "$RUN/$ns.pid does not hold $pid"
	grep -q "started, netns $ns, datapath" "$T/l2tpd$d.log" ||
		fail "l2tpd$d's log does not name its namespace"
done

say "configure both ends with l2tp -n"
nsc 1 add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local $A1 remote $A2 \
	udp_sport 5000 udp_dport 6000
nsc 1 add session tunnel_id 3000 session_id 1000 peer_session_id 2000
nsc 2 add tunnel tunnel_id 4000 peer_tunnel_id 3000 encap udp local $A2 remote $A1 \
	udp_sport 6000 udp_dport 5000
nsc 2 add session tunnel_id 4000 session_id 2000 peer_session_id 1000
# the interfaces are made in the daemons' namespaces, not the host's
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2
ping_ok 1 203.0.113.2
ping_n 2 203.0.113.1 10

say "each namespace's l2tp sees its own daemon"
[ "$(nsc 1 -j show tunnel | jq -c '[.[].tunnel_id]')" = "[3000]" ] ||
	fail "l2tp -n $PFX-1 show tunnel: not just tunnel 3000"
[ "$(nsc 2 -j show tunnel | jq -c '[.[].tunnel_id]')" = "[4000]" ] ||
	fail "l2tp -n $PFX-2 show tunnel: not just tunnel 4000"
nsc 2 -s -j show session | jq -e '.[0].session_id == 2000 and .[0].stats.rx_packets > 0' \
	>/dev/null || fail "l2tp -n $PFX-2 -s show session: no packets received"
# -S still names a socket explicitly, also with -n
nsc 1 -S "$RUN/$PFX-2.sock" show tunnel | grep -q "Tunnel 4000" ||
	fail "l2tp -n NS -S PATH did not use PATH"

say "an unknown namespace"
if out=$("$L2TP" -n "$PFX-nosuch" show tunnel 2>&1); then
	fail "l2tp -n with an unknown namespace succeeded"
fi
echo "$out"
[ "$out" = "Cannot open network namespace \"$PFX-nosuch\": No such file or directory" ] ||
	fail "l2tp -n nosuch: unexpected message: $out"
rc=0
out=$(timeout 20 "$L2TPD" -f --netns "$PFX-nosuch" 2>&1) || rc=$?
echo "$out"
[ "$rc" -eq 1 ] || fail "l2tpd --netns nosuch: exit status $rc, not 1"
grep -qF "l2tpd: Cannot open network namespace \"$PFX-nosuch\": No such file or directory" \
	<<<"$out" || fail "l2tpd --netns nosuch: unexpected message: $out"
[ ! -e "$RUN/$PFX-nosuch.sock" ] && [ ! -e "$RUN/$PFX-nosuch.pid" ] ||
	fail "l2tpd --netns nosuch left a socket or PID file"
if out=$("$L2TP" -n "../x" show tunnel 2>&1); then fail "l2tp -n ../x succeeded"; fi
grep -qF 'Invalid network namespace name "../x"' <<<"$out" || fail "l2tp -n ../x: $out"

say "a stopped daemon removes its socket and PID file"
stop_daemons
for d in 1 2; do
	[ ! -e "$RUN/$PFX-$d.sock" ] && [ ! -e "$RUN/$PFX-$d.pid" ] ||
		fail "l2tpd$d left $RUN/$PFX-$d.sock or .pid"
done
pass
