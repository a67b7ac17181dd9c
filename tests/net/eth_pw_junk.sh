#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_junk.sh: l2tpd receives junk from its peer's own address and port
# (UDP 6000 -> 5000, and IP protocol 115): random bytes, truncated headers,
# control-message headers, the right session id with random cookie, sublayer
# and payload. It must drop all of it (counting, not crashing; ASan checks
# at exit) and keep forwarding for the real session.
. "$(dirname "$0")/lib.sh"
require_base
command -v python3 >/dev/null || skip "python3 not installed (packet generator)"
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

tunnel_pair udp 3000 4000 5000 6000
session_pair 3000 1000 4000 2000 - cookie 0a0b0c0d peer_cookie 0a0b0c0d seq both
tunnel_pair ip 3001 4001
session_pair 3001 1001 4001 2001 pwip
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2
inner4 pwip pwip 203.0.113.5 203.0.113.6
ping_ok 1 203.0.113.2
ping_ok 1 203.0.113.6

say "5000 junk datagrams to UDP 5000 (from 6000) and 5000 to IP protocol 115, from ns 2"
# Raw sockets: the UDP one lets us send from port 6000, which l2tpd2 holds
# (and l2tpd1's socket only accepts its peer's address and port).
ip netns exec "$PFX-2" python3 - "$A2" "$A1" <<'EOF'
import os, random, socket, struct, sys
src, dst = sys.argv[1], sys.argv[2]
rnd = random.Random(3931)
def junk():
	k = rnd.randrange(8)
	n = rnd.randrange(0, 120)
	body = bytes(rnd.randrange(256) for _ in range(n))
	if k == 0:
		return body[: rnd.randrange(0, 12)]            # truncated
	if k == 1:
		return struct.pack("!HH", 0xc803, 12) + body      # control header, T=1
	if k == 2:
		return struct.pack("!HHI", 3, 0, 1000) + body     # our session, junk after
	if k == 3:
		return struct.pack("!HHI", 3, 0, 1000) + bytes.fromhex("0a0b0c0d") + body[:rnd.randrange(0, 6)]
	if k == 4:
		return struct.pack("!HHI", 3, 0, rnd.randrange(1 << 32)) + body
	if k == 5:
		return struct.pack("!HHI", rnd.randrange(1 << 16), 0, 1000) + body   # bad version
	return body
u = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
for _ in range(5000):
	p = junk()
	u.sendto(struct.pack("!HHHH", 6000, 5000, 8 + len(p), 0) + p, (dst, 0))
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 115)
for _ in range(5000):
	k = rnd.randrange(4)
	n = rnd.randrange(0, 100)
	body = bytes(rnd.randrange(256) for _ in range(n))
	if k == 0:
		p = struct.pack("!I", 1001) + body                 # our session, junk after
	elif k == 1:
		p = struct.pack("!I", 0) + body                    # control over IP
	elif k == 2:
		p = body[:rnd.randrange(0, 8)]
	else:
		p = body
	r.sendto(p, (dst, 0))
EOF

check_daemons_alive
say "the real sessions still work"
ping_n 1 203.0.113.2 20
ping_n 1 203.0.113.6 20
out=$(l2tpc 1 -s -j show tunnel)
echo "$out"
inval=$(jq '[.[] | .stats.rx_invalid // 0] | add' <<<"$out")
sess=$(l2tpc 1 -s -j show session | jq '[.[] | .stats | (.rx_errors // 0) + (.rx_cookie_discards // 0) + (.rx_seq_discards // 0) + (.rx_invalid // 0)] | add')
echo "tunnels counted $inval invalid datagrams, sessions $sess errors/discards"
[ $((inval + sess)) -ge 1000 ] || fail "only $((inval + sess)) of 10000 junk datagrams were counted as dropped"
pass
