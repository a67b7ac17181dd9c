#!/bin/bash
# SPDX-License-Identifier: MIT
# kernel_backend.sh: l2tpd's kernel datapath (--datapath kernel) on Debian's
# kernel in QEMU (vm.sh), configured with the l2tp command, against
# l2tpd's userspace datapath on the host (namespace 1, TAP vmtap).
#
#   0. --datapath auto picks the user datapath until l2tp_netlink is
#      loaded, and the kernel's after; --datapath kernel refuses to start
#      without it (the VM's kernel may not load modules on demand here).
#   1. Missing modules give an error that names them, and leave nothing in
#      the kernel (the VM's modprobe is pointed at /bin/false first).
#   2. Static pseudowires: UDP/IPv4 with 4- and 8-byte cookies and sequence
#      numbers, IP/IPv6 with no sublayer: pings and a 1400-byte ping pass,
#      `l2tp -s show session` in the VM shows the kernel's counters moving
#      (they are the kernel's: the l2tp command asking the kernel directly
#      agrees), and
#      `l2tp show tunnel` says "Datapath: kernel".
#   3. Managed tunnels (UDP/IPv4, IP/IPv4, UDP/IPv6), the VM initiating:
#      control connection and session up, pings pass; the kernel holds the
#      tunnel on l2tpd's socket, so control messages still reach l2tpd.
#   4. SIGKILL leaves a static tunnel in the kernel (its socket is the
#      kernel's); the next l2tpd removes it at start. A managed tunnel goes
#      with its socket. SIGTERM removes everything l2tpd made.
. "$(dirname "$0")/../../net/lib.sh"
. "$(dirname "$0")/vm.sh"
require_base
setup_ns 1
vm_prepare
vm_start "$NS1"

H4=192.0.2.1 V4=192.0.2.2 H6=2001:db8:1::1 V6=2001:db8:1::2
ip1 addr add $H4/24 dev vmtap
ip1 addr add $H6/64 dev vmtap nodad
start_l2tpd 1
vm_run "ip link set eth0 up && ip addr add $V4/24 dev eth0 &&
	ip addr add $V6/64 dev eth0 nodad" || fail "VM underlay"

VS=/tmp/l2tpd.sock
# vl2tp ARGS: the l2tp command against the VM's l2tpd
vl2tp() { vm_run "$L2TP -S $VS $*"; }
# vm_l2tpd_start_dp DATAPATH: l2tpd with that --datapath in the VM, up when its socket answers
vm_l2tpd_start_dp() {
	vm_run "setsid $L2TPD -f --datapath $1 -S $VS -P /tmp/l2tpd.pid >>/tmp/l2tpd.log 2>&1 </dev/null &
		for i in \$(seq 100); do $L2TP -S $VS show tunnel >/dev/null 2>&1 && exit 0; sleep 0.1; done
		cat /tmp/l2tpd.log; exit 1" || fail "l2tpd --datapath $1 did not start in the VM"
}
vm_l2tpd_start() { vm_l2tpd_start_dp kernel; }
vm_l2tpd_signal() { # SIG: signal the VM's l2tpd, wait until it is gone
	vm_run "p=\$(cat /tmp/l2tpd.pid); kill -$1 \$p
		for i in \$(seq 100); do kill -0 \$p 2>/dev/null || exit 0; sleep 0.1; done; exit 1" ||
		fail "the VM's l2tpd did not stop on SIG$1"
}
vm_kernel_empty() { # WHAT: the VM's kernel has no L2TP tunnel left
	local out
	out=$(vm_run "ip l2tp show tunnel")
	[ -z "$out" ] || fail "$1: tunnels left in the kernel: $out"
}
vm_ping() { # ADDR: a reply from ADDR within 10 tries
	vm_run "for i in \$(seq 10); do ping -c 1 -W 2 -q $1 >/dev/null && exit 0; done; exit 1" ||
		fail "the VM gets no ping reply from $1"
}

say "0. --datapath auto takes the kernel's only when its l2tp family is there"
vm_run "echo /bin/false >/proc/sys/kernel/modprobe" >/dev/null
vm_l2tpd_start_dp auto
vm_l2tpd_signal TERM
vm_run "grep -q 'started, datapath user' /tmp/l2tpd.log" ||
	fail "auto without l2tp_netlink: $(vm_run "cat /tmp/l2tpd.log")"
vm_run "$L2TPD -f --datapath kernel -S $VS -P /tmp/l2tpd.pid 2>&1" >"$T/vm-kernel-refused.log" &&
	fail "--datapath kernel started without the l2tp family"
grep -q "no l2tp generic-netlink family" "$T/vm-kernel-refused.log" ||
	fail "--datapath kernel without the family: $(cat "$T/vm-kernel-refused.log")"
vm_run "modprobe -q l2tp_netlink && : >/tmp/l2tpd.log" >/dev/null
vm_l2tpd_start_dp auto
vm_run "grep -q 'started, datapath kernel' /tmp/l2tpd.log" ||
	fail "auto with l2tp_netlink: $(vm_run "cat /tmp/l2tpd.log")"

say "1. missing kernel modules are named"
vm_run "grep 'started, datapath kernel' /tmp/l2tpd.log" >/dev/null || fail "l2tpd in the VM did not say 'datapath kernel'"
out=$(vl2tp add tunnel tunnel_id 7 peer_tunnel_id 8 encap ip local $V4 remote $H4 2>&1) &&
	fail "encap ip without l2tp_ip was accepted"
say "  $out"
grep -q "l2tp_ip" <<<"$out" || fail "the error does not name l2tp_ip: $out"
vl2tp add tunnel tunnel_id 7 peer_tunnel_id 8 encap udp udp_sport 7000 udp_dport 7000 \
	local $V4 remote $H4 >/dev/null
out=$(vl2tp add session tunnel_id 7 session_id 1 peer_session_id 1 2>&1) &&
	fail "a session without l2tp_eth was accepted"
say "  $out"
grep -q "l2tp_eth" <<<"$out" || fail "the error does not name l2tp_eth: $out"
[ -z "$(vm_run "ip l2tp show session")" ] || fail "a half-made session is left in the kernel"
vl2tp del tunnel tunnel_id 7 >/dev/null
vm_kernel_empty "after the refusals"
vm_run "echo /mnt/bin/modprobe >/proc/sys/kernel/modprobe && modprobe l2tp_eth &&
	modprobe l2tp_ip && modprobe l2tp_ip6" >/dev/null || fail "modprobe in the VM"

# static_case NAME HOST_LOCAL VM_LOCAL ENCAP SESSION_ARGS_HOST SESSION_ARGS_VM
#             [TUNNEL_ARGS [KERNEL_SAYS]]: KERNEL_SAYS is a line the VM's
#             `ip l2tp show tunnel` must print (what the kernel was told)
static_case() {
	local name=$1 hl=$2 vl=$3 encap=$4 sh=$5 sv=$6 ta=${7:-} says=${8:-} hp="" vp="" rx0 rx1 j k
	[ "$encap" = udp ] && hp="udp_sport 5002 udp_dport 5001" vp="udp_sport 5001 udp_dport 5002"
	say "2. static $name"
	l2tpc 1 add tunnel tunnel_id 100 peer_tunnel_id 200 encap "$encap" local "$hl" remote "$vl" $hp $ta
	l2tpc 1 add session name l2tpk0 tunnel_id 100 session_id 70000 peer_session_id 80000 $sh
	vl2tp add tunnel tunnel_id 200 peer_tunnel_id 100 encap "$encap" local "$vl" remote "$hl" $vp \
		$ta >/dev/null
	[ -z "$says" ] || vm_run "ip l2tp show tunnel" | grep -qF "$says" ||
		fail "$name: the kernel's tunnel: $(vm_run "ip l2tp show tunnel"), not '$says'"
	vl2tp add session name l2tpk0 tunnel_id 200 session_id 80000 peer_session_id 70000 $sv \
		>/dev/null
	vl2tp show tunnel | grep -q "Datapath: kernel" || fail "$name: show tunnel does not say Datapath: kernel"
	vm_run "ip l2tp show session | grep -q 'interface name: l2tpk0'" ||
		fail "$name: the kernel has no session with interface l2tpk0"
	inner_up
	rx0=$(vl2tp -s -j show session | jq '.[0].stats.rx_packets')
	ping_ok 1 198.51.100.2
	ping_ok 1 198.51.100.2 -s 1400
	vm_ping 198.51.100.1
	j=$(vl2tp -s -j show session)
	rx1=$(jq '.[0].stats.rx_packets' <<<"$j")
	say "  VM rx_packets $rx0 -> $rx1; mtu VM $(vm_run "cat /sys/class/net/l2tpk0/mtu")," \
		"host $(cat /sys/class/net/l2tpk0/mtu 2>/dev/null || n1 cat /sys/class/net/l2tpk0/mtu)"
	[ "$rx1" -ge $((rx0 + 3)) ] || fail "$name: the kernel's rx_packets did not move: $j"
	# l2tpd reports what the kernel counts: ask the kernel itself (the l2tp
	# command talks to the kernel's family when no l2tpd socket is named
	# and none is at the default path; iproute2 6.1 prints no counters)
	k=$(vm_run "$L2TP -s -j show session" | jq '.[0].stats.rx_packets')
	[ "$k" -ge "$rx1" ] && [ "$k" -le $((rx1 + 2)) ] ||
		fail "$name: l2tpd says rx_packets $rx1, the kernel $k"
	vl2tp del tunnel tunnel_id 200 >/dev/null
	l2tpc 1 del tunnel tunnel_id 100
	vm_kernel_empty "$name, after del tunnel"
	wait_no_link 1 l2tpk0
}
inner_up() {
	ip1 addr add 198.51.100.1/24 dev l2tpk0
	ip1 link set l2tpk0 up
	vm_run "ip addr add 198.51.100.2/24 dev l2tpk0 && ip link set l2tpk0 up" >/dev/null
}

static_case "UDP/IPv4, cookie 4, seq both, udp_csum on" $H4 $V4 udp \
	"cookie 0a0b0c0d peer_cookie 01020304 seq both" "cookie 01020304 peer_cookie 0a0b0c0d seq both" \
	"udp_csum on" "UDP checksum: enabled"
static_case "UDP/IPv4, cookie 8, l2spec default" $H4 $V4 udp \
	"cookie 0102030405060708 peer_cookie 1112131415161718 l2spec_type default" \
	"cookie 1112131415161718 peer_cookie 0102030405060708 l2spec_type default"
static_case "IP/IPv6, no sublayer" $H6 $V6 ip "l2spec_type none" "l2spec_type none"
# One-way sequencing: the host sends, the VM requires them. (The other way
# round fails on the kernel's side by design: a kernel session that is not
# in LNS mode stops sending sequence numbers at the first frame that has
# none, the RFC 2661 §5.4 rule, which it applies to L2TPv3 too.)
static_case "UDP/IPv6, zero checksums, seq send/recv" $H6 $V6 udp "seq send" "seq recv" \
	"udp6_csum_tx off udp6_csum_rx off" "UDP checksum: disabled"

# managed_case NAME HOST_LOCAL VM_LOCAL ENCAP
managed_case() {
	local name=$1 hl=$2 vl=$3 encap=$4 ports=""
	[ "$encap" = udp ] && ports="udp_sport 1701 udp_dport 1701"
	say "3. managed $name"
	l2tpc 1 add tunnel tunnel_id 300 remote "$vl" local "$hl" encap "$encap" $ports control on role accept
	l2tpc 1 add session tunnel_id 300 remote_end_id kvm name l2tpk0
	vl2tp add tunnel tunnel_id 400 remote "$hl" local "$vl" encap "$encap" $ports control on hello 2 \
		>/dev/null
	vl2tp add session tunnel_id 400 remote_end_id kvm name l2tpk0 >/dev/null
	wait_link 1 l2tpk0
	vm_run "for i in \$(seq 100); do [ -e /sys/class/net/l2tpk0 ] && exit 0; sleep 0.1; done; exit 1" ||
		fail "$name: no l2tpk0 in the VM: $(vl2tp show tunnel)"
	vm_run "ip l2tp show tunnel | grep -q 'Tunnel 400, encap $(tr a-z A-Z <<<"$encap")'" ||
		fail "$name: the kernel has no tunnel 400"
	inner_up
	ping_ok 1 198.51.100.2
	vm_ping 198.51.100.1
	# Hellos keep flowing over the kernel-held socket (hello 2 s): the connection stays up.
	sleep 3
	vl2tp -j show tunnel | jq -e '.[0].control.state == "established" and .[0].datapath == "kernel"' \
		>/dev/null || fail "$name: $(vl2tp -j show tunnel)"
	ping_ok 1 198.51.100.2
	vl2tp del tunnel tunnel_id 400 >/dev/null
	wait_no_link 1 l2tpk0
	l2tpc 1 del tunnel tunnel_id 300
	vm_kernel_empty "$name, after del tunnel"
}
managed_case "UDP/IPv4" $H4 $V4 udp
managed_case "IP/IPv4" $H4 $V4 ip
managed_case "UDP/IPv6" $H6 $V6 udp

say "4. what a killed l2tpd leaves in the kernel, and what the next one does with it"
vl2tp add tunnel tunnel_id 500 peer_tunnel_id 600 encap udp udp_sport 5500 udp_dport 5500 \
	local $V4 remote $H4 >/dev/null
vl2tp add session tunnel_id 500 session_id 5 peer_session_id 6 >/dev/null
vl2tp add tunnel tunnel_id 501 remote $H4 local $V4 encap udp control on >/dev/null
vm_l2tpd_signal KILL
left=$(vm_run "ip l2tp show tunnel | grep '^Tunnel'")
say "  left after SIGKILL: ${left//$'\n'/; }"
grep -q "Tunnel 500" <<<"$left" || fail "the static tunnel did not outlive SIGKILL (expected)"
grep -q "Tunnel 501" <<<"$left" && fail "the managed tunnel outlived its socket"
vm_l2tpd_start
vm_run "grep -q 'removed tunnel 500 left in the kernel' /tmp/l2tpd.log" ||
	fail "the next l2tpd did not say it removed tunnel 500"
vm_kernel_empty "after the restart"
vl2tp add tunnel tunnel_id 500 peer_tunnel_id 600 encap udp udp_sport 5500 udp_dport 5500 \
	local $V4 remote $H4 >/dev/null || fail "tunnel 500's id and port are not free again"
vl2tp add session tunnel_id 500 session_id 5 peer_session_id 6 >/dev/null
vm_l2tpd_signal TERM
vm_kernel_empty "after SIGTERM"
vm_run "! ip link show | grep -q l2tpeth" || fail "an l2tpeth interface is left after SIGTERM"
vm_run "! grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error' /tmp/l2tpd.log" ||
	fail "the VM's l2tpd log has a sanitizer report"
vm_stop
pass
