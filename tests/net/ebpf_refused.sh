#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf_refused.sh: where the kernel refuses l2tpd's BPF programs (here l2tpd
# runs without CAP_BPF and CAP_SYS_ADMIN, as in a container that keeps
# CAP_NET_ADMIN only), `--datapath ebpf` stops at start with the reason and
# a nonzero status, leaving no socket, pid file or interface; `--datapath
# auto` logs the reason and runs on the user datapath, which carries a
# static pseudowire to a peer. Skips where the ebpf datapath cannot load
# even with every capability (nothing to take away then).
. "$(dirname "$0")/lib.sh"
require_base
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
setup_ns 1 2
underlay4
require_ebpf 1

# nobpf D ARGS...: l2tpd in namespace D without CAP_BPF and CAP_SYS_ADMIN
# (dropped from the bounding set, so the exec of l2tpd, as root, gets
# neither); ip netns exec and setpriv exec, so $! is l2tpd's pid.
nobpf() {
	local d=$1
	shift
	ip netns exec "$PFX-$d" setpriv --bounding-set -bpf,-sys_admin --inh-caps -bpf,-sys_admin \
		-- "$L2TPD" -f -S "$(sock "$d")" -P "$T/l2tpd$d.pid" "$@" >>"$T/l2tpd$d.log" 2>&1 &
}

say "--datapath ebpf without CAP_BPF: refused at start, with the reason"
nobpf 1 --datapath ebpf
pid=$!
BGPIDS+=("$pid")
wait_for "l2tpd (ebpf, no CAP_BPF) to exit" 200 eval "! kill -0 $pid 2>/dev/null"
rc=0
wait "$pid" 2>/dev/null || rc=$?
cat "$T/l2tpd1.log"
[ "$rc" -ne 0 ] || fail "l2tpd --datapath ebpf without CAP_BPF exited with status 0"
grep -q 'datapath ebpf: loading the BPF programs: .*(needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)' \
	"$T/l2tpd1.log" || fail "no reason in the log"
[ ! -e "$(sock 1)" ] || fail "the refused l2tpd left its API socket"
[ ! -e "$T/l2tpd1.pid" ] || fail "the refused l2tpd left its pid file"
[ "$(count_links 1 l2tp)" -eq 0 ] || fail "the refused l2tpd left interfaces"

say "--datapath ebpf with CAP_BPF but without CAP_PERFMON: refused too, and said so"
# the verifier adds registers to packet pointers for CAP_PERFMON only
# (Spectre v1 hardening); the programs also read the kernel's sk_buff
: >"$T/l2tpd1.log"
ip netns exec "$PFX-1" setpriv --bounding-set -perfmon,-sys_admin --inh-caps -perfmon,-sys_admin \
	-- "$L2TPD" -f -S "$(sock 1)" -P "$T/l2tpd1.pid" --datapath ebpf >>"$T/l2tpd1.log" 2>&1 &
pid=$!
BGPIDS+=("$pid")
wait_for "l2tpd (ebpf, no CAP_PERFMON) to exit" 200 eval "! kill -0 $pid 2>/dev/null"
rc=0
wait "$pid" 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "l2tpd --datapath ebpf without CAP_PERFMON exited with status 0"
grep -q 'needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN' "$T/l2tpd1.log" ||
	fail "no reason naming CAP_PERFMON: $(cat "$T/l2tpd1.log")"

say "--datapath auto without CAP_BPF: the user datapath, and why"
: >"$T/l2tpd1.log"
nobpf 1 --datapath auto
DPID[1]=$!
wait_for "l2tpd1 API socket" 200 api_ready 1
grep -q 'datapath auto: ebpf: loading the BPF programs: .*; using the user datapath' \
	"$T/l2tpd1.log" || fail "auto did not say why it left ebpf: $(cat "$T/l2tpd1.log")"
grep -q 'started, datapath user' "$T/l2tpd1.log" || fail "auto did not start on the user datapath"
start_l2tpd 2
tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 100 4000 200 pw0
inner4 pw0 pw0 198.51.100.1 198.51.100.2
ping_ok 1 198.51.100.2
ping_n 2 198.51.100.1 5
l2tpc 1 show tunnel | grep -q 'Datapath: user' || fail "show tunnel: $(l2tpc 1 show tunnel)"
[ -z "$(grep -ls '^prog_type:' /proc/"${DPID[1]}"/fdinfo/* 2>/dev/null)" ] ||
	fail "l2tpd1 holds a BPF program"
[ "$(count_links 1 l2tpdp)" -eq 0 ] || fail "a veth peer of the ebpf datapath in ns 1"
pass
