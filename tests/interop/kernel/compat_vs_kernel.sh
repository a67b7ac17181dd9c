#!/bin/bash
# SPDX-License-Identifier: MIT
# compat_vs_kernel.sh: iproute2's `ip l2tp` against Debian's kernel in QEMU
# (vm.sh) and, through l2tp-compat (libl2tpd-netlink.so), against l2tpd on
# the host: the same commands (tests/net/lib_compat.sh) must print the same
# output and exit with the same status, errors included. The kernel's
# transcript must also still be the one recorded in
# tests/data/compat/ip_l2tp.kernel.txt, which tests/net/compat_ip_l2tp.sh
# holds l2tpd to where no VM runs (COMPAT_RECORD=1 rewrites it).
. "$(dirname "$0")/../../net/lib.sh"
. "$(dirname "$0")/../../net/lib_compat.sh"
. "$(dirname "$0")/vm.sh"
require_base
COMPAT=$(dirname "$L2TP")/l2tp-compat
[ -x "$COMPAT" ] || skip "l2tp-compat not built ($COMPAT)"
setup_ns 1 2
vm_prepare
vm_start "$NS2"

underlay_local() {
	veth 1 u1 2 u2
	ip1 addr add 192.0.2.1/24 dev u1
	ip1 addr add 2001:db8:1::1/64 dev u1 nodad
}
underlay_local
start_l2tpd 1
vm_run "ip link set eth0 up && ip addr add 192.0.2.1/24 dev eth0 &&
	ip addr add 2001:db8:1::1/64 dev eth0 nodad &&
	modprobe l2tp_eth && modprobe l2tp_ip && modprobe l2tp_ip6" || fail "VM set-up"

via_kernel() { vm_run "ip $* 2>&1"; }
via_l2tpd() { ip netns exec "$NS1" "$COMPAT" -S "$(sock 1)" ip "$@" 2>&1; }

compat_transcript via_kernel >"$T/kernel.txt"
compat_transcript via_l2tpd >"$T/l2tpd.txt"
if [ "${COMPAT_RECORD:-0}" = 1 ]; then
	cp "$T/kernel.txt" "$COMPAT_GOLDEN"
	say "recorded $COMPAT_GOLDEN"
fi
diff -u "$T/kernel.txt" "$T/l2tpd.txt" || fail "ip l2tp through l2tp-compat differs from the kernel (- kernel, + l2tpd)"
diff -u "$COMPAT_GOLDEN" "$T/kernel.txt" ||
	fail "the kernel's transcript changed: $COMPAT_GOLDEN is out of date (COMPAT_RECORD=1)"
say "$(grep -c '^\$ ip' "$T/kernel.txt") commands, same output from the kernel and l2tpd"
vm_stop
pass
