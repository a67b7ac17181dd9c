#!/bin/bash
# SPDX-License-Identifier: MIT
# wire_demo.sh: the demo topology (scripts/demo.sh, ip-l2tp(8) ids and
# ports) with cookies, captured on the underlay with tshark inside the
# namespace, and decoded by tshark: no malformed packets, and every L2TPv3
# data packet carries the configured session id and cookie for its
# direction (RFC 3931 §4.1.2.1: T/version word, session id, cookie; then the
# default L2-specific sublayer of §4.6 and the Ethernet frame, which tshark
# must decode).
#
#   session 1000/2000: 8-byte cookies    session 1001/2001: 4-byte cookies
. "$(dirname "$0")/../net/lib.sh"
command -v tshark >/dev/null || skip "tshark not installed"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

CA8=0123456789abcdef CB8=fedcba9876543210
CA4=a1b2c3d4 CB4=4d3c2b1a

say "tunnel 3000/4000 (udp 5000/6000) with two sessions"
tunnel_pair udp 3000 4000 5000 6000
l2tpc 1 add session tunnel_id 3000 session_id 1000 peer_session_id 2000 cookie $CA8 peer_cookie $CB8
l2tpc 2 add session tunnel_id 4000 session_id 2000 peer_session_id 1000 cookie $CB8 peer_cookie $CA8
l2tpc 1 add session name pw4 tunnel_id 3000 session_id 1001 peer_session_id 2001 cookie $CA4 peer_cookie $CB4
l2tpc 2 add session name pw4 tunnel_id 4000 session_id 2001 peer_session_id 1001 cookie $CB4 peer_cookie $CA4
inner4 l2tpeth0 l2tpeth0 203.0.113.1 203.0.113.2 1446
inner4 pw4 pw4 203.0.113.5 203.0.113.6 1446
ping_ok 1 203.0.113.2
ping_ok 1 203.0.113.6

say "capture on u1 in ns 1"
cap_start 1 u1
cap_mark 1 203.0.113.2
ping_n 1 203.0.113.2 10
ping_n 1 203.0.113.6 10
ping_n 2 203.0.113.1 5
ping_ok 1 203.0.113.2 -s 1300
ping_ok 2 203.0.113.5 -s 1000
cap_stop 1 203.0.113.2

# decode SIZE: one line per L2TP packet, decoding UDP 5000/6000 as L2TP and
# cookies as SIZE bytes: ip.src sid cookie sport dport icmp l2spec severity
# malformed eth.type; fields that occur more than once (ip.src and eth.type:
# outer;inner, expert severities) are joined with ';'.
decode() {
	# pref values are enum names (cookie4, cookie8, default); an unknown
	# value would be ignored silently. The pseudowire type is learnt from
	# the control channel, which static tunnels lack: say Ethernet.
	tshark -n -r "$CAP" -d udp.port==5000,l2tp -d udp.port==6000,l2tp \
		-d l2tp.pw_type==0,eth -o "l2tp.cookie_size:cookie$1" -o l2tp.l2_specific:default \
		-Y l2tp -T fields -E separator=, '-E' 'aggregator=;' -E occurrence=a \
		-e ip.src -e l2tp.sid -e l2tp.cookie -e udp.srcport -e udp.dstport -e icmp.type \
		-e l2tp.l2_spec_def -e _ws.expert.severity -e _ws.malformed -e eth.type 2>"$T/tshark.err" ||
		fail "tshark failed: $(cat "$T/tshark.err")"
}
decode 8 >"$T/d8"
decode 4 >"$T/d4"
sidhex() { printf '0x%08x' "$1"; }

total=$(wc -l <"$T/d8")
say "$total L2TP packets captured"
[ "$total" -ge 50 ] || fail "only $total L2TP packets captured"
unk=$(awk -F, -v a="$(sidhex 1000)" -v b="$(sidhex 2000)" -v c="$(sidhex 1001)" -v d="$(sidhex 2001)" \
	'$2 != a && $2 != b && $2 != c && $2 != d' "$T/d8")
[ -z "$unk" ] || fail "L2TP packets with unexpected session ids: $unk"

# check SIZE SRC SID COOKIE SPORT DPORT MIN: every L2TP packet from SRC with
# SID carries COOKIE (SIZE bytes) and the ports, the default L2-specific
# sublayer and an Ethernet frame, with no tshark error (PI_ERROR is
# 0x00800000; malformed packets are errors too); at least MIN of them, with
# as many ICMP echoes inside.
check() {
	local size=$1 src=$2 sid=$3 want=$4 sport=$5 dport=$6 min=$7 rows n bad
	rows=$(awk -F, -v s="$src" -v id="$(sidhex "$sid")" '{ split($1, ip, ";") } ip[1] == s && $2 == id' "$T/d$size")
	n=$(grep -c . <<<"$rows" || true)
	[ "$n" -ge "$min" ] || fail "only $n packets from $src with session id $sid (want >= $min)"
	bad=$(awk -F, -v c="$want" -v sp="$sport" -v dp="$dport" '{
		ck = tolower($3); gsub(":", "", ck)
		if (ck != c) print "cookie " $3
		if ($4 != sp || $5 != dp) print "ports " $4 "->" $5
		if (split($10, et, ";") < 2) print "no Ethernet frame decoded inside"
		if ($6 == 8 || $6 == 0) icmp++
		if ($7 == "") print "no default L2-specific sublayer"
		if ($9 != "") print "malformed"
		n = split($8, sev, ";")
		for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) print "expert error " sev[i]
	} END { if (icmp + 0 < min) print "ICMP decoded inside only " icmp + 0 " packets" }' min="$min" <<<"$rows" | sort | uniq -c)
	[ -z "$bad" ] || fail "from $src session $sid (cookie $want, ports $sport->$dport):$(echo; echo "$bad")"
	printf '  %-10s session %-5s cookie %-16s ports %s->%s  %3d packets ok\n' \
		"$src" "$sid" "$want" "$sport" "$dport" "$n"
}
say "session ids, cookies, ports, sublayer and payload per direction (RFC 3931 §4.1.2.1, §4.6)"
check 8 192.0.2.1 2000 $CA8 5000 6000 10
check 8 192.0.2.2 1000 $CB8 6000 5000 10
check 4 192.0.2.1 2001 $CA4 5000 6000 10
check 4 192.0.2.2 1001 $CB4 6000 5000 10
pass
