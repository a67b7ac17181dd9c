#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_config.sh: the configuration file (l2tpd.conf(5)). A file with one
# error of each kind (unknown keyword, a managed session without
# remote_end_id, a session of an undefined tunnel, a duplicate tunnel id,
# an unterminated quote): `l2tpd -n -c FILE` exits non-zero with one
# "FILE:LINE: problem" line per error, at the right line, saying what is
# wrong; `l2tpd -c FILE` refuses to start. Then SIGHUP: a reload that drops
# vc2 and adds vc3 removes vc2's interface (on both ends: CDN), brings vc3
# up, and leaves vc1 untouched (same ifindex); a reload of a broken file
# changes nothing; `l2tp show config` checks clean with `l2tpd -n -c`.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

say "a file with five errors"
cat >"$T/bad.conf" <<CONF
# one error of each kind
add tunnel tunnel_id 10 remote $A2 local $A1 control on
add session tunnel_id 10 remote_end_id vc1 frobnicate 3
add session tunnel_id 10 name l2tpx

add session tunnel_id 99 remote_end_id vc9
add tunnel tunnel_id 10 remote 192.0.2.3 local $A1 control on
add session tunnel_id 10 remote_end_id "vc2
add session tunnel_id 10 remote_end_id vc3
CONF
rc=0
"$L2TPD" -n -c "$T/bad.conf" >"$T/check.out" 2>"$T/check.err" || rc=$?
cat "$T/check.out" "$T/check.err"
[ "$rc" -ne 0 ] || fail "l2tpd -n accepts a file with errors"
grep -q ': ok$' "$T/check.out" && fail "l2tpd -n says ok for a file with errors"
# LINE:WORD that the problem must mention (case-insensitive)
for want in "3:frobnicate" "4:remote_end_id" "6:99" "7:already" "8:quote"; do
	ln=${want%%:*} word=${want#*:}
	grep -E "^$T/bad.conf:$ln: " "$T/check.err" | grep -qi -- "$word" ||
		fail "no '$T/bad.conf:$ln: ...$word...' line"
done
n=$(grep -c "^$T/bad.conf:[0-9]*: " "$T/check.err")
[ "$n" -eq 5 ] || fail "$n problem lines for 5 errors"
grep -vE "^$T/bad.conf:[0-9]+: " "$T/check.err" && fail "stray lines in l2tpd -n's output"

say "l2tpd -c with that file refuses to start"
rc=0
timeout 10 ip netns exec "$PFX-1" "$L2TPD" -f -c "$T/bad.conf" -S "$T/bad.sock" \
	-P "$T/bad.pid" >"$T/bad.log" 2>&1 || rc=$?
cat "$T/bad.log"
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "l2tpd -c bad.conf: exit status $rc"
[ ! -e "$T/bad.sock" ] || fail "l2tpd -c bad.conf made its API socket"
grep -q "^$T/bad.conf:4: " "$T/bad.log" || fail "l2tpd -c bad.conf does not say why"

say "SIGHUP: drop vc2, add vc3; vc1 is left alone"
cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 10 remote $A2 local $A1 encap udp control on hostname conf-a
add session tunnel_id 10 remote_end_id vc1 name l2tpvc1
add session tunnel_id 10 remote_end_id vc2 name l2tpvc2
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 20 remote $A1 local $A2 encap udp control on role accept
add session tunnel_id 20 remote_end_id vc1 name l2tpvc1
add session tunnel_id 20 remote_end_id vc2 name l2tpvc2
add session tunnel_id 20 remote_end_id vc3 name l2tpvc3
CONF
start_l2tpd 2 -c "$T/b.conf"
start_l2tpd 1 -c "$T/a.conf"
for ns in 1 2; do
	wait_link $ns l2tpvc1
	wait_link $ns l2tpvc2
done
ifindex() { ip -n "$PFX-$1" -o link show dev "$2" | cut -d: -f1; }
inner4 l2tpvc1 l2tpvc1 203.0.113.1 203.0.113.2
ping_ok 1 203.0.113.2
idx1=$(ifindex 1 l2tpvc1) idx2=$(ifindex 2 l2tpvc1)
sid1=$(l2tpc 1 -j show session | jq -r '.[] | select(.managed.remote_end_id == "vc1") | .session_id')
say "vc1: ifindex $idx1 (ns 1), $idx2 (ns 2), session $sid1"

cat >"$T/a.conf" <<CONF
# vc2 dropped, vc3 added
add tunnel tunnel_id 10 remote $A2 local $A1 encap udp control on hostname conf-a
add session tunnel_id 10 remote_end_id vc1 name l2tpvc1
add session tunnel_id 10 remote_end_id vc3 name l2tpvc3
CONF
kill -HUP "${DPID[1]}"
wait_no_link 1 l2tpvc2
wait_no_link 2 l2tpvc2
wait_link 1 l2tpvc3
wait_link 2 l2tpvc3
[ "$(ifindex 1 l2tpvc1)" = "$idx1" ] || fail "vc1's interface in ns 1 was re-created"
[ "$(ifindex 2 l2tpvc1)" = "$idx2" ] || fail "vc1's interface in ns 2 was re-created"
sid=$(l2tpc 1 -j show session | jq -r '.[] | select(.managed.remote_end_id == "vc1") | .session_id')
[ "$sid" = "$sid1" ] || fail "vc1's session changed ($sid1 -> $sid)"
ping_n 1 203.0.113.2 10
grep -E "reloaded: 1 added, 1 removed, 2 unchanged, 0 failed" "$T/l2tpd1.log" ||
	fail "l2tpd1 does not log the reload's summary"
inner4 l2tpvc3 l2tpvc3 198.51.100.1 198.51.100.2
ping_ok 1 198.51.100.2

say "SIGHUP with a broken file: nothing changes"
cp "$T/a.conf" "$T/a.good"
echo 'add session tunnel_id 10 remote_end_id vc4 bogus' >>"$T/a.conf"
sed -i '/vc3/d' "$T/a.conf"
l1=$(wc -l <"$T/l2tpd1.log")
kill -HUP "${DPID[1]}"
wait_for "l2tpd1 to refuse the broken file" 100 \
	eval "tail -n +$((l1 + 1)) '$T/l2tpd1.log' | grep -q 'configuration unchanged'"
tail -n +$((l1 + 1)) "$T/l2tpd1.log"
link_exists 1 l2tpvc3 >/dev/null || fail "a refused reload removed vc3"
[ "$(ifindex 1 l2tpvc1)" = "$idx1" ] || fail "a refused reload touched vc1"
cp "$T/a.good" "$T/a.conf"

say "show config checks clean"
l2tpc 1 show config >"$T/a.saved"
cat "$T/a.saved"
"$L2TPD" -n -c "$T/a.saved" || fail "show config's output does not check"
grep -q 'remote_end_id vc3' "$T/a.saved" && ! grep -q 'remote_end_id vc2' "$T/a.saved" ||
	fail "show config does not reflect the reload"
l2tpc 2 show config >"$T/b.saved"
"$L2TPD" -n -c "$T/b.saved" || fail "ns 2's show config does not check"

say "SIGHUP with the tunnel's own line changed: it is made again, with its sessions"
sed -i 's/hostname conf-a/hostname conf-a2/' "$T/a.conf"
l1=$(wc -l <"$T/l2tpd1.log")
kill -HUP "${DPID[1]}"
wait_for "l2tpd1 to reload" 100 eval "tail -n +$((l1 + 1)) '$T/l2tpd1.log' | grep -q 'reloaded:'"
tail -n +$((l1 + 1)) "$T/l2tpd1.log" | grep 'reloaded:'
tail -n +$((l1 + 1)) "$T/l2tpd1.log" | grep -q 'reloaded: [1-9][0-9]* added, 1 removed, 0 unchanged, 0 failed' ||
	fail "the changed tunnel was not re-created cleanly"
wait_for "vc1 back" 100 link_exists 1 l2tpvc1
wait_for "the peer sees the new host name" 100 \
	eval "l2tpc 2 show tunnel | grep -q 'host name \"conf-a2\"'"
pass
