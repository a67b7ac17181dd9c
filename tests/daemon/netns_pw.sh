#!/bin/sh
# SPDX-License-Identifier: MIT
#
# netns_pw.sh - the ip-l2tp(8) site-A/site-B example through two l2tpd
# (userspace datapath) in two network namespaces joined by a veth pair:
# tunnel 3000/4000, sessions 1000/2000, UDP ports 5000/6000, ping across the
# pseudowire, counters, then SIGTERM and check that nothing is left.
#
#   tests/daemon/netns_pw.sh [BUILDDIR]     (root; exit 77 = skipped; BUILDDIR
#                                           defaults to $B, else build; $L2TPD
#                                           and $L2TP override the binaries)
#   ENCAP=ip tests/daemon/netns_pw.sh       IP encapsulation instead of UDP
#   KILL=1 tests/daemon/netns_pw.sh         SIGKILL instead of SIGTERM
#   FAMILY=6 tests/daemon/netns_pw.sh       IPv6 underlay (2001:db8::1, ::2)
#   SEQ=both tests/daemon/netns_pw.sh       sequence numbers on the sessions
#   CSUM=on tests/daemon/netns_pw.sh       udp_csum on at site A (IPv4)
#   COOKIE=1 tests/daemon/netns_pw.sh       4-byte cookies (A 01020304, B 0a0b0c0d)
#   COOKIE=bad tests/daemon/netns_pw.sh     B expects a cookie A does not send:
#                                           no ping, B counts cookie discards
set -eu

BD=${1:-${B:-build}}
ENCAP=${ENCAP:-udp}
FAMILY=${FAMILY:-4}
SEQ=${SEQ:-none}
cka=''
ckb=''
if [ "${COOKIE:-0}" = 1 ]; then
	cka="cookie 01020304 peer_cookie 0a0b0c0d"
	ckb="cookie 0a0b0c0d peer_cookie 01020304"
elif [ "${COOKIE:-0}" = bad ]; then
	cka="cookie 01020304 peer_cookie 0a0b0c0d"
	ckb="cookie 0a0b0c0d peer_cookie 01020305"
fi
if [ "$FAMILY" = 6 ]; then
	UA=2001:db8::1 UB=2001:db8::2 PFX=64
else
	UA=192.0.2.1 UB=192.0.2.2 PFX=24
fi
# scripts/check.sh exports L2TPD and L2TP (absolute paths of its build).
L2TPD=${L2TPD:-$BD/l2tpd}
L2TP=${L2TP:-$BD/l2tp}
P=$$
NA=l2tpd-a-$P
NB=l2tpd-b-$P
RUN=/tmp/l2tpd-netns-$P
pids=

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ ! -x "$L2TPD" ] || [ ! -x "$L2TP" ]; then
	echo "SKIP: build $L2TPD and $L2TP first"
	exit 77
fi

cleanup() {
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	ip netns del "$NA" 2>/dev/null || true
	ip netns del "$NB" 2>/dev/null || true
	rm -rf "$RUN"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; for f in "$RUN"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }

# Poll (bounded) until "$@" succeeds.
wait_for() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.05
	done
}

mkdir -p "$RUN"
ip netns add "$NA"
ip netns add "$NB"
ip link add "va$P" netns "$NA" type veth peer name "vb$P" netns "$NB"
ip -n "$NA" addr add "$UA/$PFX" dev "va$P" nodad
ip -n "$NB" addr add "$UB/$PFX" dev "vb$P" nodad
for n in "$NA" "$NB"; do ip -n "$n" link set lo up; done
ip -n "$NA" link set "va$P" up
ip -n "$NB" link set "vb$P" up

for s in a b; do
	n=$NA; [ $s = b ] && n=$NB
	ip netns exec "$n" "$L2TPD" -f -d --datapath user -S "$RUN/$s.sock" -P "$RUN/$s.pid" 2>"$RUN/$s.log" &
	pids="$pids $!"
done
wait_for test -S "$RUN/a.sock" || fail "daemon a did not start"
wait_for test -S "$RUN/b.sock" || fail "daemon b did not start"
# The TAP write path in use (daemon/tapq.c): io_uring unless turned off.
if [ -n "${L2TPD_NO_IO_URING:-}" ]; then
	grep -q "one write() per frame" "$RUN/a.log" || fail "L2TPD_NO_IO_URING=1 not honoured"
fi

ports="udp_sport 5000 udp_dport 6000"
[ "${CSUM:-off}" = on ] && ports="$ports udp_csum on"
bports="udp_sport 6000 udp_dport 5000"
[ "$ENCAP" = ip ] && { ports=; bports=; }
# shellcheck disable=SC2086
ip netns exec "$NA" "$L2TP" -S "$RUN/a.sock" add tunnel tunnel_id 3000 peer_tunnel_id 4000 \
	encap "$ENCAP" local "$UA" remote "$UB" $ports || fail "add tunnel a"
# shellcheck disable=SC2086
ip netns exec "$NA" "$L2TP" -S "$RUN/a.sock" add session tunnel_id 3000 session_id 1000 \
	peer_session_id 2000 seq "$SEQ" $cka || fail "add session a"
# shellcheck disable=SC2086
ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" add tunnel tunnel_id 4000 peer_tunnel_id 3000 \
	encap "$ENCAP" local "$UB" remote "$UA" $bports || fail "add tunnel b"
# shellcheck disable=SC2086
ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" add session tunnel_id 4000 session_id 2000 \
	peer_session_id 1000 seq "$SEQ" $ckb || fail "add session b"

mtu=$(ip -n "$NA" -o link show l2tpeth0 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
want=1446; [ "$ENCAP" = ip ] && want=1458
[ "$FAMILY" = 6 ] && want=$((want - 20))
[ "${COOKIE:-0}" != 0 ] && want=$((want - 4))
[ "$mtu" = "$want" ] || fail "l2tpeth0 mtu $mtu, expected $want"
ip -n "$NA" link set l2tpeth0 up
ip -n "$NB" link set l2tpeth0 up
ip -n "$NA" addr add 198.51.100.1/24 dev l2tpeth0
ip -n "$NB" addr add 198.51.100.2/24 dev l2tpeth0
if [ "${COOKIE:-0}" = bad ]; then
	if ip netns exec "$NA" ping -c 3 -i 0.2 -W 1 198.51.100.2; then fail "ping with a wrong cookie"; fi
	ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" -s show session
	cd=$(ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" -j -s show session |
		sed -n 's/.*"rx_cookie_discards": *\([0-9]*\).*/\1/p' | head -n1)
	[ "${cd:-0}" -ge 3 ] || fail "cookie_discards ${cd:-none} < 3"
	for p in $pids; do kill -TERM "$p"; done
	for p in $pids; do wait "$p" || fail "l2tpd $p exit status $?"; done
	pids=
	echo "PASS: netns_pw (wrong cookie dropped and counted)"
	exit 0
fi
# With tshark, capture the pseudowire on B's underlay during the ping and
# check what Wireshark decodes: the session ids, cookies, the sublayer's S
# bit, and Ethernet carrying the ICMP echo request and reply inside.
cap=''
if command -v tshark >/dev/null 2>&1 && [ "$ENCAP" = udp ]; then
	ip netns exec "$NB" timeout 20 tshark -q -i "vb$P" -w "$RUN/c.pcap" \
		-f "udp port 5000 or udp port 6000" 2>"$RUN/tshark.log" &
	cap=$!
	wait_for grep -q Capturing "$RUN/tshark.log" || fail "tshark did not start"
fi
ip netns exec "$NA" ping -c 3 -i 0.2 -W 2 198.51.100.2 || fail "ping across the pseudowire"
if [ -n "$cap" ]; then
	sleep 0.5 # let the last datagrams reach the capture
	kill -INT "$cap"
	wait "$cap" || fail "capture"
	csz=None
	[ "${COOKIE:-0}" = 1 ] && csz="4 Byte Cookie"
	tshark -r "$RUN/c.pcap" -d udp.port==5000,l2tp -d udp.port==6000,l2tp \
		-d "l2tp.pw_type==0,eth" \
		-o "l2tp.cookie_size:$csz" -o "l2tp.l2_specific:Default L2-Specific" \
		-Y icmp -T fields -e udp.dstport -e l2tp.sid -e l2tp.cookie -e l2tp.l2_spec_s \
		-e eth.type -e icmp.type -E occurrence=l 2>/dev/null | sort -u >"$RUN/fields"
	cat "$RUN/fields"
	ck6='' ck5=''
	[ "${COOKIE:-0}" = 1 ] && ck6=01020304 ck5=0a0b0c0d
	s=0
	[ "$SEQ" = both ] && s=1
	# echo requests toward B's port 6000 in session 2000, replies in 1000
	for fld in "6000	0x000007d0	$ck6	$s	0x0800	8" "5000	0x000003e8	$ck5	$s	0x0800	0"; do
		grep -qx "$fld" "$RUN/fields" || fail "tshark did not see: $fld"
	done
	# udp_csum: A's datagrams carry a checksum only when asked (SO_NO_CHECK).
	if [ "$FAMILY" = 4 ]; then
		zero=$(tshark -r "$RUN/c.pcap" -Y "udp.dstport == 6000 && udp.checksum == 0" \
			2>/dev/null | wc -l)
		all=$(tshark -r "$RUN/c.pcap" -Y "udp.dstport == 6000" 2>/dev/null | wc -l)
		if [ "${CSUM:-off}" = on ]; then
			[ "$zero" -eq 0 ] || fail "$zero datagrams without checksum (udp_csum on)"
		else
			[ "$zero" -eq "$all" ] || fail "$((all - zero)) datagrams with a checksum (udp_csum off)"
		fi
	fi
fi
# A full-size frame (MTU) crosses without fragmenting the inner packet.
ip netns exec "$NA" ping -c 1 -W 2 -M "do" -s $((want - 28)) 198.51.100.2 || fail "MTU-sized ping"

ip netns exec "$NA" "$L2TP" -S "$RUN/a.sock" -s show session
ip netns exec "$NA" "$L2TP" -S "$RUN/a.sock" -s show tunnel
rx=$(ip netns exec "$NA" "$L2TP" -S "$RUN/a.sock" -j -s show session |
	sed -n 's/.*"rx_packets": *\([0-9]*\).*/\1/p' | head -n1)
[ "${rx:-0}" -ge 4 ] || fail "session rx_packets ${rx:-none} < 4"

# Garbage, runts, an unknown session, a wrong version, a control message,
# 20 of each, sent from the peer's address and port with a raw socket
# (the daemon's own UDP socket holds that port): dropped, counted, and
# logged through the rate limit, never once per packet.
if [ "$ENCAP" = udp ] && [ "$FAMILY" = 4 ]; then
	ip netns exec "$NA" python3 - <<'PY' || fail "send garbage"
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
pkts = [b"\x00", b"\xff" * 40,
        struct.pack("!HHI", 3, 0, 999) + b"\x00" * 24,   # unknown session
        struct.pack("!HHI", 3, 0, 2000),                 # runt: no sublayer
        struct.pack("!HHI", 2, 4000, 2000) + b"x" * 8,   # L2TPv2 data
        struct.pack("!HHII", 0xc803, 12, 4000, 0)]       # control message
for i in range(20):
    for p in pkts:
        s.sendto(struct.pack("!HHHH", 5000, 6000, 8 + len(p), 0) + p, ("192.0.2.2", 0))
PY
	tunnel_invalid() {
		ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" -j -s show tunnel |
			sed -n 's/.*"rx_invalid": *\([0-9]*\).*/\1/p' | head -n1
	}
	inv_ok() { [ "$(tunnel_invalid)" -ge 80 ]; }
	wait_for inv_ok || fail "tunnel rx_invalid $(tunnel_invalid) < 80"
	ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" -s show tunnel
	sinv=$(ip netns exec "$NB" "$L2TP" -S "$RUN/b.sock" -j -s show session |
		sed -n 's/.*"rx_invalid": *\([0-9]*\).*/\1/p' | head -n1)
	[ "${sinv:-0}" -ge 20 ] || fail "session rx_invalid ${sinv:-none} < 20"
	lines=$(grep -c dropped "$RUN/b.log" || true)
	[ "$lines" -le 12 ] || fail "$lines log lines for 120 bad datagrams"
	ip netns exec "$NA" ping -c 1 -W 2 198.51.100.2 >/dev/null || fail "ping after garbage"
fi

if [ "${KILL:-0}" = 1 ]; then
	for p in $pids; do kill -KILL "$p"; done
else
	for p in $pids; do kill -TERM "$p"; done
fi
for p in $pids; do wait "$p" || [ "${KILL:-0}" = 1 ] || fail "l2tpd $p exit status $?"; done
pids=

# After SIGKILL the kernel tears the process's io_uring down in a worker, and
# a TAP read still outstanding there holds the device a few milliseconds
# longer: allow that (bounded), never more.
tap_gone() { ! ip -n "$1" link show l2tpeth0; }
for n in "$NA" "$NB"; do
	if [ "${KILL:-0}" = 1 ]; then wait_for tap_gone "$n" || true; fi
	if ip -n "$n" link show l2tpeth0 >/dev/null 2>&1; then fail "l2tpeth0 left in $n"; fi
	if ip netns exec "$n" ss -uan | grep -q ':[56]000 '; then fail "UDP socket left in $n"; fi
done
if [ "${KILL:-0}" != 1 ]; then
	for f in a.sock b.sock a.pid b.pid; do [ ! -e "$RUN/$f" ] || fail "$f left behind"; done
fi
grep -h "ERROR\|Sanitizer\|runtime error" "$RUN"/*.log && fail "sanitizer report in the daemon logs"
echo "PASS: netns_pw ($ENCAP${KILL:+, SIGKILL})"
