#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_capture.sh: what a managed tunnel puts on the wire, as tshark reads
# it. The underlay is captured while a managed tunnel and its session come
# up, carry pings and are torn down with `del tunnel`: once over UDP with a
# shared secret (HMAC-MD5 Message Digest on every control message, checked
# by tshark with the same secret), once over IP (protocol 115) without.
# Each capture decodes with no malformed packet and no expert error, the
# control messages go SCCRQ, SCCRP, SCCCN, ICRQ, ICRP, ICCN, ..., StopCCN
# (RFC 3931 §3.3, §3.4.1; ZLB and ACK acknowledgements aside) each the way
# it should (initiator or acceptor), and the pings are decoded inside the
# session's Ethernet frames.
. "$(dirname "$0")/lib.sh"
require_base
command -v tshark >/dev/null || skip "tshark not installed"
setup_ns 1 2
underlay4
# IPv6 documentation addresses on the underlay for the capture markers
# (cap_mark pings; the capture filter takes IPv6, UDP and IP protocol 115)
ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
ip -n "$PFX-2" addr add 2001:db8:1::2/64 dev u2 nodad
wait_for "underlay IPv6" 100 n1 ping -6 -c 1 -W 1 -q 2001:db8:1::2
M=2001:db8:1::2
SECRET='wire s3cret'

start_l2tpd 1
start_l2tpd 2

msgname() {
	case $1 in
	1) echo SCCRQ ;; 2) echo SCCRP ;; 3) echo SCCCN ;; 4) echo StopCCN ;; 6) echo HELLO ;;
	10) echo ICRQ ;; 11) echo ICRP ;; 12) echo ICCN ;; 14) echo CDN ;; 20) echo ACK ;;
	*) echo "type$1" ;;
	esac
}

# fail_ctrl MSG: fail, showing the control messages (src,type,digest,time,ccid,Ns,Nr)
fail_ctrl() {
	echo "--- control messages of $name: source, type, digest, time, ccid, Ns, Nr"
	cat "$T/$name.ctrl"
	fail "$@"
}

# run NAME ENCAP TID-A TID-B [SECRET]: capture a tunnel's life, then check it
run() {
	local name=$1 encap=$2 ta=$3 tb=$4 secret=${5:-} ifn=l2tpcap
	local -a sec=() prefs=(-o l2tp.cookie_size:cookie8 -o l2tp.l2_specific:default
		-d 'l2tp.pw_type==5,eth')
	[ -n "$secret" ] && sec=(secret "$secret" digest md5) &&
		prefs+=(-o "l2tp.shared_secret:$secret")
	say "$name: capture a managed tunnel over $encap${secret:+ with digests}"
	cap_start 1 u1 || skip "tshark cannot capture"
	cap_mark 1 "$M"
	l2tpc 2 add tunnel tunnel_id "$tb" remote "$A1" local "$A2" encap "$encap" control on \
		role accept "${sec[@]}"
	l2tpc 2 add session tunnel_id "$tb" remote_end_id "vc-$name" name "$ifn"
	l2tpc 1 add tunnel tunnel_id "$ta" remote "$A2" local "$A1" encap "$encap" control on \
		"${sec[@]}"
	l2tpc 1 add session tunnel_id "$ta" remote_end_id "vc-$name" name "$ifn"
	inner4 "$ifn" "$ifn" 203.0.113.1 203.0.113.2
	ping_ok 1 203.0.113.2
	ping_n 1 203.0.113.2 10
	l2tpc 1 del tunnel tunnel_id "$ta"
	wait_no_link 1 "$ifn"
	wait_no_link 2 "$ifn"
	wait_for "$name: acceptor idle" 100 eval \
		"l2tpc 2 -j show tunnel tunnel_id $tb | jq -e '.[0].control.state == \"idle\"'"
	cap_stop 1 "$M"
	mv "$CAP" "$T/$name.pcapng"
	CAP=$T/$name.pcapng
	l2tpc 2 del tunnel tunnel_id "$tb"

	say "$name: no malformed packet, no expert error"
	bad=$(tshark -n -r "$CAP" "${prefs[@]}" -Y '_ws.malformed || _ws.expert.severity >= error' \
		2>/dev/null)
	[ -z "$bad" ] || fail "$name: tshark finds malformed packets or errors: $bad"

	say "$name: control messages in order"
	tshark -n -r "$CAP" "${prefs[@]}" -Y "l2tp && l2tp.ccid" -T fields -E separator=, \
		-E occurrence=f -e ip.src -e l2tp.avp.message_type -e l2tp.avp.message_digest \
		-e frame.time_relative -e l2tp.ccid -e l2tp.Ns -e l2tp.Nr 2>/dev/null >"$T/$name.ctrl"
	# a retransmission repeats its sender's Ns: count each message once
	seq=$(awk -F, '$2 != "" && $2 != 20 && !seen[$1 "," $5 "," $6]++ { printf "%s ", $2 }' \
		"$T/$name.ctrl")
	rtx=$(awk -F, '$2 != "" && seen[$1 "," $5 "," $6]++' "$T/$name.ctrl" | wc -l)
	[ "$rtx" -eq 0 ] || say "$name: $rtx retransmitted control messages (counted once)"
	names=$(for t in $seq; do msgname "$t"; done | tr '\n' ' ')
	say "$name: $names(+ $(awk -F, '$2 == ""' "$T/$name.ctrl" | wc -l) ZLB," \
		"$(awk -F, '$2 == 20' "$T/$name.ctrl" | wc -l) ACK)"
	[[ "$seq" =~ ^"1 2 3 10 11 12 "((6|14)" ")*"4 "$ ]] ||
		fail_ctrl "$name: control messages $names, expected SCCRQ SCCRP SCCCN ICRQ ICRP ICCN ... StopCCN"
	# who sends what: A initiates the tunnel and the session, and stops it
	bad=$(awk -F, -v a="$A1" -v b="$A2" '$2 == "" || $2 == 20 || $2 == 6 { next }
		($2 ~ /^(1|3|10|12|4)$/ && $1 != a) || ($2 ~ /^(2|11)$/ && $1 != b) { print }' \
		"$T/$name.ctrl")
	[ -z "$bad" ] || fail_ctrl "$name: messages from the wrong end: $bad"
	if [ -n "$secret" ]; then
		say "$name: every control message carries a Message Digest that tshark verifies"
		bad=$(awk -F, '$2 != "" && $3 == ""' "$T/$name.ctrl")
		[ -z "$bad" ] || fail "$name: control messages without a digest: $bad"
		[ "$(awk -F, '$2 == ""' "$T/$name.ctrl" | wc -l)" -eq 0 ] ||
			fail "$name: ZLB acknowledgements with digests on (RFC 3931 §5.4.1: ACK)"
		n=$(tshark -n -r "$CAP" "${prefs[@]}" -Y l2tp.incorrect_digest 2>/dev/null | wc -l)
		[ "$n" -eq 0 ] || fail "$name: tshark finds $n incorrect digests"
		n=$(tshark -n -r "$CAP" -o "l2tp.shared_secret:not the secret" -Y l2tp.incorrect_digest \
			2>/dev/null | wc -l)
		[ "$n" -gt 0 ] || fail "$name: tshark does not check digests (a wrong secret passes)"
	fi

	say "$name: the pings inside the session's Ethernet frames"
	n=$(tshark -n -r "$CAP" "${prefs[@]}" -Y "l2tp && eth && icmp.type == 8" 2>/dev/null | wc -l)
	say "$name: $n echo requests decoded inside L2TP"
	[ "$n" -ge 10 ] || fail "$name: only $n echo requests decoded inside the session"
}

run udp udp 11 21 "$SECRET"
run ip ip 12 22
pass
