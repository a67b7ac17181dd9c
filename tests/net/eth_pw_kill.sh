#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_kill.sh: l2tpd killed with SIGKILL leaves no TAP behind (its TAPs are
# not persistent: the kernel removes each when the fd closes) and no bound
# socket; a restarted l2tpd (same socket path and pid file, now stale) starts
# clean and serves the pseudowire again.
# With L2TPD_DATAPATH=ebpf the interfaces are veth pairs, which the kernel
# cannot tie to a process: they stay after SIGKILL and the next start
# removes them (l2tpd(8)); a static tunnel there holds no socket (the tc
# program takes its packets), and the kernel frees the programs at SIGKILL.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

setup_pw() {
	l2tpc 1 add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local $A1 remote $A2 \
		udp_sport 5000 udp_dport 6000
	for k in 0 1 2; do
		l2tpc 1 add session tunnel_id 3000 session_id $((1000 + k)) peer_session_id $((2000 + k))
	done
	wait_link 1 l2tpeth0
	ip -n "$PFX-1" link set l2tpeth0 up
	ip -n "$PFX-1" addr add 203.0.113.1 peer 203.0.113.2 dev l2tpeth0
}
tunnel_pair_b() {
	l2tpc 2 add tunnel tunnel_id 4000 peer_tunnel_id 3000 encap udp local $A2 remote $A1 \
		udp_sport 6000 udp_dport 5000
	for k in 0 1 2; do
		l2tpc 2 add session tunnel_id 4000 session_id $((2000 + k)) peer_session_id $((1000 + k))
	done
	wait_link 2 l2tpeth0
	ip -n "$PFX-2" link set l2tpeth0 up
	ip -n "$PFX-2" addr add 203.0.113.2 peer 203.0.113.1 dev l2tpeth0
}
udp_bound() { ip netns exec "$PFX-1" ss -Huan "sport = :5000" | grep -q .; }
EBPF=0
[ "${L2TPD_DATAPATH:-user}" = ebpf ] && EBPF=1

setup_pw
tunnel_pair_b
ping_ok 1 203.0.113.2
[ "$(count_links 1 l2tpeth)" -eq 3 ] || fail "expected 3 l2tpeth interfaces in ns 1"
if [ $EBPF = 0 ]; then
	udp_bound || fail "no UDP socket on port 5000 in ns 1"
else
	progs=$(prog_ids 1)
	[ -n "$progs" ] || fail "l2tpd1 holds no BPF program"
fi

say "SIGKILL l2tpd1 (pid ${DPID[1]})"
old=${DPID[1]}
kill -KILL "$old"
wait "$old" 2>/dev/null || true
unset "DPID[1]"
if [ $EBPF = 0 ]; then
	wait_for "TAPs of the killed daemon to go" 100 eval "[ \$(count_links 1 l2tpeth) -eq 0 ]"
	wait_for "UDP port 5000 to be released" 100 eval '! udp_bound'
else
	for id in $progs; do
		wait_for "program $id freed" 100 eval "! prog_exists $id"
	done
	[ "$(count_links 1 l2tpeth)" -eq 3 ] || fail "expected the killed daemon's 3 veth pairs"
fi
ip -n "$PFX-1" -o link show

say "restart l2tpd1 on the stale socket and pid file"
[ -e "$(sock 1)" ] && echo "(stale socket file present: $(sock 1))"
start_l2tpd 1
[ "$(cat "$T/l2tpd1.pid" 2>/dev/null)" = "${DPID[1]}" ] ||
	fail "pid file holds '$(cat "$T/l2tpd1.pid" 2>/dev/null)', not the new pid ${DPID[1]}"
if [ $EBPF = 1 ]; then
	[ "$(count_links 1 l2tpeth)" -eq 0 ] || fail "the restarted l2tpd left the killed one's veths"
	grep -q "removed l2tpdp[0-9]* left by l2tpd $old" "$T/l2tpd1.log" || fail "no log of the removal"
fi
[ -z "$(l2tpc 1 show tunnel)" ] || fail "restarted l2tpd is not clean: $(l2tpc 1 show tunnel)"
[ -z "$(l2tpc 1 show session)" ] || fail "restarted l2tpd shows sessions"

say "the same configuration works again"
setup_pw
ping_ok 1 203.0.113.2
ping_n 1 203.0.113.2 10
[ "$(count_links 1 l2tpeth)" -eq 3 ] || fail "expected 3 l2tpeth interfaces after restart"

say "a second daemon on the same socket is refused, the first one unharmed"
rc=0
ip netns exec "$PFX-1" timeout 5 "$L2TPD" -f -S "$(sock 1)" -P "$T/other.pid" \
	>"$T/second.log" 2>&1 || rc=$?
[ "$rc" -ne 124 ] || fail "a second l2tpd kept running on a socket in use"
[ "$rc" -ne 0 ] || fail "a second l2tpd on a socket in use exited with status 0"
cat "$T/second.log"
l2tpc 1 show tunnel | grep -q "Tunnel 3000" || fail "first daemon lost its state"
ping_n 1 203.0.113.2 5

say "SIGTERM removes the TAPs too"
stop_l2tpd 2
check_log 2
[ "$DRC" -eq 0 ] || fail "l2tpd2 exited with $DRC after SIGTERM"
wait_for "TAPs of ns 2 to go" 100 eval "[ \$(count_links 2 l2tpeth) -eq 0 ]"
pass
