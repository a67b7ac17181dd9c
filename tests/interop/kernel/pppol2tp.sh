#!/bin/bash
# SPDX-License-Identifier: MIT
# pppol2tp.sh: the PPPoL2TP hand-off. l2tpd on Debian's kernel in QEMU
# (vm.sh), --datapath kernel, dials an L2TPv2 tunnel and a PPP session;
# the kernel carries the session (l2tp_ppp) and the real pppd (the host's
# /usr/sbin/pppd, run in the VM with its pppol2tp.so plugin on the PPPoX
# socket l2tpd connected) speaks PPP. The far end is l2tpd's userspace
# datapath and its own PPP on the host, as LNS with CHAP and a secrets
# file: so this also puts libl2tp's PPP against pppd.
#   - the session comes up: pppd authenticates as alice by CHAP, IPCP gives
#     the VM's ppp0 its address; pings both ways, 1400-byte ones too;
#   - the VM's l2tp show session names pppd; the kernel has the session
#     (ip l2tp show session: the PPP pseudowire);
#   - the host's del session: CDN; pppd in the VM exits, ppp0 goes, the
#     VM's l2tpd dials again (a new call, a new pppd) and it comes back;
#   - a wrong password: the LNS refuses it; the session goes down with
#     the LNS's reason (its CDN) or pppd's (exit status 19), whichever
#     comes first, and the first session stays;
#   - SIGTERM of the VM's l2tpd leaves no pppd, no ppp0 and no tunnel.
. "$(dirname "$0")/../../net/lib.sh"
. "$(dirname "$0")/vm.sh"
require_base
[ -x /usr/sbin/pppd ] || skip "pppd missing (package ppp)"
ls /usr/lib/pppd/*/pppol2tp.so >/dev/null 2>&1 || skip "pppd's pppol2tp.so plugin missing (package ppp)"
setup_ns 1
vm_prepare
vm_start "$NS1"

H4=192.0.2.1 V4=192.0.2.2
ip1 addr add $H4/24 dev vmtap
vm_run "ip link set eth0 up && ip addr add $V4/24 dev eth0" || fail "VM underlay"
printf 'alice * alice-secret 198.51.100.2\n' >"$T/secrets"
cat >"$T/lns.conf" <<CONF
add tunnel tunnel_id 20 remote $V4 local $H4 control on role accept version 2 hostname lns hello 5 secret tsecret
add session tunnel_id 20 pw_type ppp name ppp20 auth chap secrets $T/secrets user lns ppp_local 198.51.100.1
CONF
start_l2tpd 1 -c "$T/lns.conf"

VS=/tmp/l2tpd.sock
vl2tp() { vm_run "$L2TP -S $VS $*"; }
vm_run "modprobe l2tp_netlink && modprobe l2tp_ppp && modprobe ppp_generic" || fail "the VM's kernel has no l2tp_ppp"
vm_run "setsid $L2TPD -f --datapath kernel -S $VS -P /tmp/l2tpd.pid >>/tmp/l2tpd.log 2>&1 </dev/null &
	for i in \$(seq 100); do $L2TP -S $VS show tunnel >/dev/null 2>&1 && exit 0; sleep 0.1; done
	cat /tmp/l2tpd.log; exit 1" || fail "l2tpd --datapath kernel did not start in the VM"
vl2tp add tunnel tunnel_id 10 remote $H4 local $V4 control on version 2 hostname lac hello 5 secret tsecret >/dev/null
vl2tp add session tunnel_id 10 pw_type ppp name ppp0 user alice password alice-secret >/dev/null

vm_ppp_up() { # ADDR: the VM's ppp0 has ADDR (bounded)
	vm_run "for i in \$(seq 300); do ip -4 -o addr show dev ppp0 2>/dev/null | grep -q 'inet $1 peer 198.51.100.1' && exit 0; sleep 0.1; done; exit 1"
}
vm_log() { vm_run "cat /tmp/l2tpd.log"; }
say "the session comes up with pppd on the kernel's PPPoL2TP socket"
vm_ppp_up 198.51.100.2 || fail "no ppp0 address in the VM: $(vm_log)"
vm_run "grep -q 'pppd (pid [0-9]*) on the kernel.s session, interface ppp0' /tmp/l2tpd.log" ||
	fail "the VM's l2tpd did not hand the session to pppd: $(vm_log)"
grep -q 'peer "alice": authenticated' "$T/l2tpd1.log" || grep -q 'chap.*alice.*authenticated' "$T/l2tpd1.log" ||
	fail "the LNS did not authenticate alice by CHAP"
ping_ok 1 198.51.100.2
ping_ok 1 198.51.100.2 -s 1400
vm_run "ping -c 3 -W 2 -q 198.51.100.1 >/dev/null && ping -c 2 -W 2 -s 1400 -q 198.51.100.1 >/dev/null" ||
	fail "the VM's pings over ppp0 get no reply"
vl2tp show session | grep -qE 'PPP: pppd [0-9]+$' || fail "the VM's show session does not name pppd: $(vl2tp show session)"
vm_run "ip l2tp show session" | grep -q 'Session .* in tunnel' || fail "the VM's kernel has no session"

say "del session on the host: pppd exits, the LAC dials again"
sid=$(l2tpc 1 -j show session | jq -r '.[0].session_id')
l2tpc 1 del session tunnel_id 20 session_id "$sid"
vm_run "for i in \$(seq 100); do grep -Eq 'pppd \\(pid [0-9]*\\) (exited|stopped)' /tmp/l2tpd.log && exit 0; sleep 0.1; done; exit 1" ||
	fail "pppd did not exit after the CDN: $(vm_log)"
l2tpc 1 add session tunnel_id 20 pw_type ppp name ppp20 auth chap secrets "$T/secrets" user lns ppp_local 198.51.100.1
vm_ppp_up 198.51.100.2 || fail "the second call did not come up: $(vm_log)"
ping_ok 1 198.51.100.2
[ "$(vm_run "grep -c 'on the kernel.s session' /tmp/l2tpd.log")" -ge 2 ] || fail "no second pppd"

say "a wrong password is refused, the first session stays"
vl2tp add session tunnel_id 10 pw_type ppp name ppp1 user alice password wrong >/dev/null
l2tpc 1 add session tunnel_id 20 pw_type ppp name ppp21 auth chap secrets "$T/secrets" user lns ppp_local 198.51.100.1
vm_run "for i in \$(seq 200); do grep -Eq 'session [0-9]* \\(ppp1\\) down.*(pppd: we failed to authenticate|CHAP response was wrong)' /tmp/l2tpd.log && exit 0; sleep 0.1; done; exit 1" ||
	fail "the wrong password did not end with pppd's reason: $(vm_log)"
ping_ok 1 198.51.100.2 # the first stays

say "SIGTERM: no pppd, no ppp0, no tunnel left"
vm_run "p=\$(cat /tmp/l2tpd.pid); kill -TERM \$p; for i in \$(seq 100); do kill -0 \$p 2>/dev/null || exit 0; sleep 0.1; done; exit 1" ||
	fail "the VM's l2tpd did not stop"
vm_run "for i in \$(seq 100); do pgrep -x pppd >/dev/null || exit 0; sleep 0.1; done; exit 1" || fail "pppd is left in the VM"
vm_run "! ip link show ppp0 2>/dev/null" || fail "ppp0 is left in the VM"
[ -z "$(vm_run "ip l2tp show tunnel")" ] || fail "a tunnel is left in the VM's kernel"
vm_run "! grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error' /tmp/l2tpd.log" ||
	fail "the VM's l2tpd log has sanitizer reports"
pass
