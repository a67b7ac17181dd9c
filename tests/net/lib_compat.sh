# SPDX-License-Identifier: MIT
# tests/net/lib_compat.sh - iproute2's own `ip l2tp` commands for the
# l2tp-compat tests (sourced after lib.sh): the same list runs against
# l2tpd through libl2tpd-netlink.so (tests/net/compat_ip_l2tp.sh) and
# against the kernel's L2TP in the VM (tests/interop/kernel/compat_vs_kernel.sh);
# their transcripts must be equal, and equal to the kernel's recorded in
# tests/data/compat/ip_l2tp.kernel.txt.
#
# The local end has 192.0.2.1 and 2001:db8:1::1; the remote end need not
# exist (nothing is sent).

COMPAT_GOLDEN=$TOP/tests/data/compat/ip_l2tp.kernel.txt

# compat_transcript RUN: runs each command as "RUN IP-ARGS..." (RUN prints
# ip's stdout and stderr and returns its status) and prints "$ ip ARGS",
# the output and "[exit N]", with the kernel's default interface names
# (l2tpethN, numbered per host) made equal.
compat_transcript() {
	local run=$1 line rc out
	while read -r line; do
		[ -n "$line" ] && [ "${line#\#}" = "$line" ] || continue
		# shellcheck disable=SC2086 # the words of the command line
		out=$($run $line) && rc=0 || rc=$?
		printf '$ ip %s\n' "$line"
		[ -z "$out" ] || printf '%s\n' "$out" | sed -E 's/l2tpeth[0-9]+/l2tpethN/g'
		printf '[exit %s]\n' "$rc"
	done <<'EOF'
# two tunnels over UDP (IPv4, IPv6) and one over IP
l2tp add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local 192.0.2.1 remote 192.0.2.2 udp_sport 5000 udp_dport 6000
l2tp add tunnel tunnel_id 3001 peer_tunnel_id 4001 encap ip local 192.0.2.1 remote 192.0.2.2
l2tp add tunnel tunnel_id 3002 peer_tunnel_id 4002 encap udp local 2001:db8:1::1 remote 2001:db8:1::2 udp_sport 5002 udp_dport 6002 udp6_csum_tx off
# sessions with cookies and sequencing
l2tp add session tunnel_id 3000 session_id 1000 peer_session_id 2000 cookie 0a0b0c0d peer_cookie 01020304 seq both
l2tp add session name cpw1 tunnel_id 3001 session_id 1001 peer_session_id 2001 cookie 0102030405060708 peer_cookie 1112131415161718 l2spec_type none seq recv
l2tp add session name cpw2 tunnel_id 3002 session_id 1002 peer_session_id 2002 seq send
# more sessions in one tunnel: the order of the kernel's dump
l2tp add session name cpw3 tunnel_id 3000 session_id 5 peer_session_id 6
l2tp add session name cpw4 tunnel_id 3000 session_id 77 peer_session_id 78 cookie 11223344
l2tp add session name cpw5 tunnel_id 3000 session_id 70000 peer_session_id 70001
l2tp show tunnel
l2tp show tunnel tunnel_id 3001
l2tp show session
l2tp show session tunnel_id 3000 session_id 1000
-j l2tp show session
-j -p l2tp show tunnel
-s l2tp show session tunnel_id 3001
# refusals: the kernel's errnos, worded by ip
l2tp add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local 192.0.2.1 remote 192.0.2.2 udp_sport 5003 udp_dport 6003
l2tp add session tunnel_id 9 session_id 1 peer_session_id 2
l2tp add session tunnel_id 3000 session_id 1000 peer_session_id 2000
l2tp add session name cpw1 tunnel_id 3000 session_id 1003 peer_session_id 2003
l2tp del session tunnel_id 3000 session_id 7
l2tp del tunnel tunnel_id 9
l2tp show tunnel tunnel_id 9
# teardown
l2tp del session tunnel_id 3000 session_id 1000
l2tp show session
l2tp del tunnel tunnel_id 3000
l2tp del tunnel tunnel_id 3001
l2tp del tunnel tunnel_id 3002
l2tp show tunnel
l2tp show session
EOF
}
