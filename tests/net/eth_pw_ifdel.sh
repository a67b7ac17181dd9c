#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_ifdel.sh: an l2tpeth interface deleted from under l2tpd
# (`ip link del l2tpeth0`). The kernel's l2tp_eth only detaches the device
# (l2tp_eth_dev_uninit): the session stays, without an interface, until
# `del session`. l2tpd must not spin on the dead TAP fd (EPOLLERR/EBADFD),
# must keep serving the other sessions, and the session must be deletable
# and creatable again.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 1000 4000 2000 -
session_pair 3000 1001 4000 2001 pwb
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2
inner4 pwb pwb 203.0.113.5 203.0.113.6
ping_ok 1 203.0.113.2
ping_ok 1 203.0.113.6

pid=${DPID[1]}
# user+system CPU time of l2tpd1, in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
has_session() { l2tpc 1 show session tunnel_id 3000 session_id "$1" | grep -q "Session $1 in tunnel 3000"; }

say "ip link del l2tpeth0 in ns 1"
ip -n "$PFX-1" link del l2tpeth0
wait_no_link 1 l2tpeth0

say "l2tpd1 is idle afterwards (no busy loop on the dead TAP)"
c0=$(cpu)
ping_n 1 203.0.113.6 20 # ~0.3 s of real work on the other session
for ((k = 0; k < 10; k++)); do sleep 0.1; done
c1=$(cpu)
hz=$(getconf CLK_TCK)
echo "l2tpd1 used $((c1 - c0)) ticks (of $hz a second) in ~1.3 s"
[ $((c1 - c0)) -le $((hz / 4)) ] || fail "l2tpd1 busy after its interface was deleted: $((c1 - c0)) ticks"

say "the other session is unharmed; session 1000 can be deleted and made again"
has_session 1001 || fail "session 1001 went too"
ping_n 1 203.0.113.6 10
if has_session 1000; then
	echo "session 1000 kept without its interface (as the kernel does)"
	l2tpc 1 del session tunnel_id 3000 session_id 1000
else
	echo "session 1000 removed with its interface"
fi
! has_session 1000 || fail "session 1000 still there after del session"
l2tpc 1 add session tunnel_id 3000 session_id 1000 peer_session_id 2000
wait_link 1 l2tpeth0
ip -n "$PFX-1" link set l2tpeth0 up
ip -n "$PFX-1" addr add 203.0.113.1 peer 203.0.113.2 dev l2tpeth0
ping_ok 1 203.0.113.2
pass
