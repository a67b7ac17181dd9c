#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_auth.sh: control message authentication (RFC 3931 §4.3, §5.4.1,
# Message Digest AVP). A shared secret with `digest md5` (HMAC-MD5) on both
# ends brings the tunnel and its session up and passes ping; so does one
# with `digest sha1` (HMAC-SHA1); neither end counts a digest failure.
# Different secrets bring nothing up (no session interface within 5 s), both
# daemons log why (the digest), the initiator counts the failures in its
# control statistics (rx_digest_failures) and so does the acceptor, on the
# tunnel whose SCCRQs it dropped (no connection exists there).
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4
start_l2tpd 1
start_l2tpd 2

# pair TID-A TID-B SECRET-A SECRET-B DIGEST IFNAME: a managed tunnel from A
# (initiator) to B (acceptor) with those secrets, and one session
pair() {
	l2tpc 2 add tunnel tunnel_id "$2" remote "$A1" local "$A2" control on role accept \
		secret "$4" digest "$5"
	l2tpc 2 add session tunnel_id "$2" remote_end_id "vc-$5" name "$6"
	l2tpc 1 add tunnel tunnel_id "$1" remote "$A2" local "$A1" control on \
		secret "$3" digest "$5"
	l2tpc 1 add session tunnel_id "$1" remote_end_id "vc-$5" name "$6"
}

# ctrl NS TID: the tunnel's control state with its counters (-s: control_stats,
# beside .control in the tunnel object) in one object
ctrl() {
	l2tpc "$1" -j -s show tunnel tunnel_id "$2" |
		jq -c '.[0] | .control + (if .control_stats then {control_stats} else {} end)'
}

# good TID-A TID-B DIGEST IFNAME ADDR1 ADDR2: the same secret on both ends
good() {
	local ta=$1 tb=$2 dg=$3 ifn=$4 c d
	say "secret + digest $dg on both ends: tunnel and session come up"
	pair "$ta" "$tb" 'common s3cret "phrase"' 'common s3cret "phrase"' "$dg" "$ifn"
	inner4 "$ifn" "$ifn" "$5" "$6"
	ping_ok 1 "$6"
	ping_n 1 "$6" 10
	for d in "1 $ta" "2 $tb"; do
		c=$(ctrl $d)
		echo "ns ${d% *}: $c"
		jq -e --arg dg "$dg" '.state == "established" and .digest == $dg and
			.control_stats.rx_digest_failures == 0 and .control_stats.rx_messages > 0' \
			<<<"$c" >/dev/null || fail "digest $dg, ns ${d% *}: $c"
	done
	l2tpc 1 show tunnel tunnel_id "$ta" | grep -qF "digest $dg" ||
		fail "show tunnel does not say digest $dg"
	l2tpc 1 del tunnel tunnel_id "$ta"
	l2tpc 2 del tunnel tunnel_id "$tb"
	wait_no_link 1 "$ifn"
	wait_no_link 2 "$ifn"
}

good 11 21 md5 l2tpmd5 203.0.113.1 203.0.113.2
good 12 22 sha1 l2tpsha1 198.51.100.1 198.51.100.2

say "different secrets: no tunnel, a digest complaint on both ends"
l1=$(wc -l <"$T/l2tpd1.log") l2=$(wc -l <"$T/l2tpd2.log")
t0=$SECONDS
pair 13 23 right-secret wrong-secret md5 l2tpbad
# Give the connection 5 s to (wrongly) come up; it must not.
deadline=$((SECONDS + 5))
while [ "$SECONDS" -lt "$deadline" ]; do
	link_exists 1 l2tpbad >/dev/null 2>&1 && fail "a session came up with different secrets (ns 1)"
	link_exists 2 l2tpbad >/dev/null 2>&1 && fail "a session came up with different secrets (ns 2)"
	check_daemons_alive
	sleep 0.1
done
c1=$(ctrl 1 13)
c2=$(ctrl 2 23)
echo "initiator: $c1"
echo "acceptor:  $c2"
jq -e '.state != "established"' <<<"$c1" >/dev/null || fail "initiator established: $c1"
jq -e '.state != "established"' <<<"$c2" >/dev/null || fail "acceptor established: $c2"
[ "$(count_links 1 l2tpbad)" -eq 0 ] && [ "$(count_links 2 l2tpbad)" -eq 0 ] ||
	fail "session interface with different secrets"

say "the logs say why (digest), on both ends"
digest_re='digest.*(fail|wrong|match|missing)|(fail|wrong|bad).*digest'
tail -n +$((l1 + 1)) "$T/l2tpd1.log" >"$T/bad1.log"
tail -n +$((l2 + 1)) "$T/l2tpd2.log" >"$T/bad2.log"
grep -iE "$digest_re" "$T/bad1.log" || fail "initiator log has no digest failure line"
grep -iE "$digest_re" "$T/bad2.log" || fail "acceptor log has no digest failure line"

say "the initiator counts the digest failures"
n=$(jq -r '.control_stats.rx_digest_failures // empty' <<<"$c1")
say "initiator rx_digest_failures: ${n:-absent} after $((SECONDS - t0)) s"
[ -n "$n" ] && [ "$n" -ge 1 ] || fail "initiator counts no digest failure: $c1"
l2tpc 1 -s show tunnel tunnel_id 13 | grep -E 'digest_failures [1-9]' ||
	fail "show -s tunnel: no digest_failures count"

say "the acceptor counts them on the tunnel it refused them for"
n=$(jq -r '.control_stats.rx_digest_failures // empty' <<<"$c2")
say "acceptor rx_digest_failures: ${n:-absent}, reason: $(jq -r '.reason // "none"' <<<"$c2")"
[ -n "$n" ] && [ "$n" -ge 1 ] || fail "acceptor counts no digest failure: $c2"

l2tpc 1 del tunnel tunnel_id 13
l2tpc 2 del tunnel tunnel_id 23
pass
