#!/bin/bash
# SPDX-License-Identifier: MIT
# compat_ip_l2tp.sh: iproute2's own `ip l2tp` (Debian's iproute2) driving
# l2tpd through l2tp-compat (libl2tpd-netlink.so), on a kernel without L2TP:
#
#   1. the commands of tests/net/lib_compat.sh (add/show/del of tunnels and
#      sessions with cookies and sequencing, -j, -s, refusals) print exactly
#      what they printed for Debian's kernel (tests/data/compat/ip_l2tp.kernel.txt,
#      recorded by tests/interop/kernel/compat_vs_kernel.sh), and `ip l2tp
#      show` agrees with the l2tp command;
#   2. a pseudowire made by `ip l2tp` between two l2tpd in two namespaces
#      passes pings; rtnetlink (ip link, ip addr) still reaches the kernel;
#   3. netlink as a program sees it (python3, when installed): port id,
#      source address, MSG_PEEK|MSG_TRUNC sizes, acks capped or not as
#      NETLINK_CAP_ACK says, a reply and its ack in two datagrams;
#   4. no l2tpd: a clear error; -r keeps l2tpd's reason for a refusal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_compat.sh"
require_base
COMPAT=$(dirname "$L2TP")/l2tp-compat
[ -x "$COMPAT" ] || skip "l2tp-compat not built ($COMPAT)"
[ -s "$COMPAT_GOLDEN" ] || fail "no recorded kernel transcript $COMPAT_GOLDEN"
setup_ns 1 2
veth 1 u1 2 u2
ip1 addr add 192.0.2.1/24 dev u1
ip1 addr add 2001:db8:1::1/64 dev u1 nodad
ip2 addr add 192.0.2.2/24 dev u2
start_l2tpd 1
start_l2tpd 2

# cip D IP-ARGS...: iproute2's ip in namespace D, its genl socket on daemon D
cip() {
	local d=$1
	shift
	timeout 20 ip netns exec "$PFX-$d" "$COMPAT" -S "$(sock "$d")" ip "$@" 2>&1
}
cip1() { cip 1 "$@"; }

say "1. ip l2tp through l2tp-compat prints what it prints for the kernel"
compat_transcript cip1 >"$T/l2tpd.txt"
diff -u "$COMPAT_GOLDEN" "$T/l2tpd.txt" ||
	fail "ip l2tp through l2tp-compat differs from the kernel's transcript (- kernel, + l2tpd)"
say "  $(grep -c '^\$ ip' "$T/l2tpd.txt") commands, output and exit status as with the kernel"
[ -z "$(l2tpc 1 show tunnel)" ] || fail "tunnels left after the transcript"

say "2. a pseudowire made with ip l2tp, ping across"
cip 1 l2tp add tunnel tunnel_id 10 peer_tunnel_id 20 encap udp local 192.0.2.1 remote 192.0.2.2 \
	udp_sport 5010 udp_dport 5020
cip 2 l2tp add tunnel tunnel_id 20 peer_tunnel_id 10 encap udp local 192.0.2.2 remote 192.0.2.1 \
	udp_sport 5020 udp_dport 5010
cip 1 l2tp add session name pw0 tunnel_id 10 session_id 100 peer_session_id 200 \
	cookie 0102030405060708 peer_cookie 1112131415161718 seq both
cip 2 l2tp add session name pw0 tunnel_id 20 session_id 200 peer_session_id 100 \
	cookie 1112131415161718 peer_cookie 0102030405060708 seq both
# ip link and ip addr are rtnetlink: the kernel's, also under the preload
cip 1 link set pw0 up
cip 1 addr add 198.51.100.1/24 dev pw0
ip2 link set pw0 up
ip2 addr add 198.51.100.2/24 dev pw0
cip 1 -o link show dev pw0 | grep -q "pw0:" || fail "ip link through l2tp-compat does not see pw0"
ping_ok 1 198.51.100.2
ping_n 1 198.51.100.2 20
# the l2tp command shows what ip shows
for v in "show session" "-j show session" "-j show tunnel"; do
	# shellcheck disable=SC2086 # the words of the command
	a=$(cip 1 ${v/show/l2tp show}) b=$(l2tpc 1 $v)
	if [ "$v" = "-j show tunnel" ]; then
		# l2tp adds what the kernel has no attribute for (datapath, control)
		b=$(jq -c '[.[] | del(.datapath, .control)]' <<<"$b") a=$(jq -c . <<<"$a")
	fi
	[ "$a" = "$b" ] || fail "ip l2tp $v differs from l2tp $v:"$'\n'"$a"$'\n'"$b"
done
rx=$(pstat 1 10 100 '^rx_packets$')
[ "${rx:-0}" -ge 20 ] || fail "l2tpd counted ${rx:-0} packets received on session 100"
for c in rx_seq_discards rx_cookie_discards; do
	[ "$(pstat 2 20 200 "^$c$")" = 0 ] || fail "session 200: $c $(pstat 2 20 200 "^$c$")"
done
cip 1 l2tp del session tunnel_id 10 session_id 100
wait_no_link 1 pw0
cip 1 l2tp del tunnel tunnel_id 10
cip 2 l2tp del tunnel tunnel_id 20
[ -z "$(l2tpc 1 show tunnel)$(l2tpc 2 show tunnel)" ] || fail "tunnels left after ip l2tp del"

say "3. netlink as a program sees it"
if command -v python3 >/dev/null; then
	ip netns exec "$NS1" "$COMPAT" -S "$(sock 1)" python3 - <<'PY' || fail "netlink semantics (python3 probe)"
import os, socket, struct
def msg(t, flags, seq, body):
    return struct.pack("=IHHII", 16 + len(body), t, flags, seq, 0) + body
def attr(t, data):
    a = struct.pack("=HH", 4 + len(data), t) + data
    return a + b"\0" * (-len(a) % 4)
def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC
s.bind((0, 0))
check(s.getsockname() == (os.getpid(), 0), "port id %r, pid %d" % (s.getsockname(), os.getpid()))
check(s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_NETLINK, "SO_DOMAIN")
s.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
# CTRL_CMD_GETFAMILY "l2tp" with NLM_F_ACK: the reply, then the ack, apart
s.sendto(msg(0x10, 1 | 4, 7, struct.pack("=BBH", 3, 1, 0) + attr(2, b"l2tp\0")), (0, 0))
n = s.recv_into(bytearray(1), 1, socket.MSG_PEEK | socket.MSG_TRUNC)  # as rtnl_recvmsg
d, a = s.recvfrom(65536)
check(a == (0, 0) and n == len(d), "source %r, peeked %d of %d bytes" % (a, n, len(d)))
h = struct.unpack("=IHHII", d[:16])
check(h[0] == len(d) and h[1] == 0x10 and h[3] == 7 and h[4] == os.getpid(), "reply %r in %d bytes" % (h, len(d)))
fid, off = None, 20
while off + 4 <= len(d):
    l, t = struct.unpack("=HH", d[off:off + 4])
    if t == 1:
        fid = struct.unpack("=H", d[off + 4:off + 6])[0]
    off += (l + 3) & ~3
d = s.recv(65536)
h = struct.unpack("=IHHIIi", d[:20])
check(len(d) == 36 and h[1] == 2 and h[2] == 0x100 and h[5] == 0, "ack %r, %d bytes" % (h, len(d)))
# TUNNEL_DELETE of a tunnel that is not there: -ENODEV, the request echoed whole
req = msg(fid, 1 | 4, 8, struct.pack("=BBH", 2, 1, 0) + attr(9, struct.pack("=I", 12345)))
s.send(req)
peek = s.recv_into(bytearray(1), 1, socket.MSG_PEEK | socket.MSG_TRUNC)
d = s.recv(65536)
h = struct.unpack("=IHHIIi", d[:20])
check(peek == len(d) == 20 + len(req) and d[20:] == req and h[2] == 0 and h[5] == -19,
      "error %r, %d bytes (peeked %d)" % (h, len(d), peek))
s.setsockopt(270, 10, 1)  # NETLINK_CAP_ACK: the header alone
s.send(req)
d = s.recv(65536)
h = struct.unpack("=IHHIIi", d[:20])
check(len(d) == 36 and h[2] == 0x100 and h[5] == -19, "capped error %r, %d bytes" % (h, len(d)))
s.close()
PY
	say "  port id, source address, peeks, acks and errors as netlink's"
else
	say "  python3 not installed: no probe"
fi

say "4. no l2tpd; l2tpd's reasons on request"
out=$(timeout 20 ip netns exec "$NS1" "$COMPAT" -S "$T/none.sock" ip l2tp show tunnel 2>&1) &&
	fail "ip l2tp without l2tpd succeeded: $out"
grep -q "cannot reach l2tpd at $T/none.sock" <<<"$out" || fail "no clear error without l2tpd: $out"
cip 1 l2tp add tunnel tunnel_id 30 peer_tunnel_id 40 encap ip local 192.0.2.1 remote 192.0.2.2
out=$(timeout 20 ip netns exec "$NS1" "$COMPAT" -r -S "$(sock 1)" ip l2tp add tunnel tunnel_id 30 \
	peer_tunnel_id 40 encap ip local 192.0.2.1 remote 192.0.2.2 2>&1) && fail "duplicate accepted"
[ "$out" = "Error: tunnel 30 already exists." ] || fail "l2tp-compat -r: $out"
cip 1 l2tp del tunnel tunnel_id 30
pass
