#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_restart.sh: a peer that dies without a word (SIGKILL: no StopCCN).
# Its interfaces vanish with its file descriptors. The survivor (`hello 2
# retries 3`) finds out through its Hello (RFC 3931 §6.5) going unanswered:
# within the Hello interval plus one retransmission cycle (measured, and
# checked against the bound computed from the settings), it takes the
# tunnel down and removes its interfaces. The killed daemon, restarted with
# the same configuration, re-establishes everything with no manual step,
# ping passes again, and the survivor's interfaces come back with the same
# names: the configured one (`name`) and the automatic one alike.
# (With the ebpf datapath the veths wait for the restart, which removes them.)
# Then a fast restart (kill and start at once): the survivor learns of it
# from the new SCCRQ ("peer restarted") long before its Hello would.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

HELLO=2 RETRIES=3
cat >"$T/a.conf" <<CONF
add tunnel tunnel_id 1 remote $A2 local $A1 encap udp control on hostname phoenix hello 5
add session tunnel_id 1 remote_end_id vc1 name l2tpa1
add session tunnel_id 1 remote_end_id vc2 name l2tpa2
CONF
cat >"$T/b.conf" <<CONF
add tunnel tunnel_id 2 remote $A1 local $A2 encap udp control on role accept hostname rock \
hello $HELLO retries $RETRIES
add session tunnel_id 2 remote_end_id vc1 name l2tpkeep
add session tunnel_id 2 remote_end_id vc2
CONF
sed -i -e ':a' -e '/\\$/N; s/\\\n//; ta' "$T/b.conf"

# ifof NS REID: the interface of the session with that remote end id
ifof() {
	l2tpc "$1" -j show session |
		jq -r --arg r "$2" '.[] | select(.managed.remote_end_id == $r) | .interface // empty'
}
ccid() { l2tpc "$1" -j show tunnel | jq -r '.[0].control.control_connection_id // empty'; }
b_established() { l2tpc 2 -j show tunnel | jq -e '.[0].control.state == "established"'; }
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# up ROUND: everything established, addresses on, ping through both sessions
up() {
	wait_for "ns 2 established ($1)" 200 b_established
	wait_link 1 l2tpa1
	wait_link 1 l2tpa2
	wait_link 2 l2tpkeep
	wait_for "vc2's interface in ns 2 ($1)" 100 eval '[ -n "$(ifof 2 vc2)" ]'
	auto=$(ifof 2 vc2)
	wait_link 2 "$auto"
	inner4 l2tpa1 l2tpkeep 203.0.113.1 203.0.113.2
	inner4 l2tpa2 "$auto" 198.51.100.1 198.51.100.2
	ping_ok 1 203.0.113.2
	ping_ok 1 198.51.100.2
	ping_n 2 203.0.113.1 10
	say "$1: up, vc1 -> l2tpkeep, vc2 -> $auto in ns 2"
}

# kill_a: SIGKILL daemon 1 (no StopCCN), forget it (no cleanup complaint)
kill_a() {
	local pid=${DPID[1]}
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	unset "DPID[1]"
	say "l2tpd1 (pid $pid) killed"
}

# A stand-in holds l2tpeth0 at first, so vc2's automatic name is not the
# lowest free one later: keeping it is then visible.
ip -n "$PFX-2" link add l2tpeth0 type veth peer name holder0
start_l2tpd 2 -c "$T/b.conf"
start_l2tpd 1 -c "$T/a.conf"
up "first start"
auto0=$auto
[ "$auto0" != l2tpeth0 ] || fail "vc2 took l2tpeth0, which a stand-in veth holds"
ip -n "$PFX-2" link del l2tpeth0
ccid0=$(ccid 2)

dp1=${L2TPD_DATAPATH_1:-${L2TPD_DATAPATH:-user}}
if [ "$dp1" = ebpf ]; then
	# its veth pairs outlive it (no fd holds them): the next start removes them
	say "SIGKILL the initiator (ebpf): its programs go, its veths wait for the next start"
	kill_a
	t0=$(now)
	[ "$(count_links 1 l2tpa)" -eq 2 ] || fail "the killed ebpf l2tpd's veths are not there"
else
	say "SIGKILL the initiator: its TAP interfaces go with its file descriptors"
	kill_a
	t0=$(now)
	wait_for "ns 1 interfaces gone with the killed daemon" 200 \
		eval '[ "$(count_links 1 l2tpa)" -eq 0 ]'
fi

# Hello after at most HELLO s of silence, then it and RETRIES retransmissions
# wait 1, 2, 4, ... s each (initial RTO 1 s, doubling, capped at 8 s).
cycle=0 rto=1
for ((k = 0; k <= RETRIES; k++)); do
	cycle=$((cycle + rto))
	rto=$((rto * 2 > 8 ? 8 : rto * 2))
done
bound=$((HELLO + cycle))
say "the survivor must notice within hello $HELLO s + retransmission cycle $cycle s = $bound s"
b_down() { l2tpc 2 -j show tunnel | jq -e '.[0].control.state != "established"'; }
wait_for "ns 2 to notice the dead peer" 500 b_down
t1=$(now)
took=$(dt "$t0" "$t1")
say "the survivor noticed the dead peer after $took s (bound $bound s)"
awk -v t="$took" -v b="$bound" 'BEGIN { exit !(t <= b + 1) }' ||
	fail "dead peer noticed after $took s, more than hello + retransmission cycle ($bound s)"
wait_no_link 2 l2tpkeep
wait_no_link 2 "$auto0"
say "its interfaces were removed $(dt "$t1" "$(now)") s later"
j=$(l2tpc 2 -j show tunnel)
echo "$j"
jq -e '.[0].control.state != "established"' <<<"$j" >/dev/null || fail "still established: $j"
grep -E "tunnel 2: down .*(peer lost|not answering)" "$T/l2tpd2.log" ||
	fail "no 'peer lost' down line in l2tpd2's log"

say "restart the killed daemon with the same configuration: all comes back"
t0=$(now)
start_l2tpd 1 -c "$T/a.conf"
if [ "$dp1" = ebpf ]; then
	[ "$(grep -c 'removed l2tpdp[0-9]* left by l2tpd' "$T/l2tpd1.log")" -eq 2 ] ||
		fail "the restarted ebpf l2tpd did not remove the killed one's 2 veth pairs"
fi
up "after the restart"
say "re-established in $(dt "$t0" "$(now)") s"
[ "$auto" = "$auto0" ] || fail "vc2's automatic interface name changed: $auto0 -> $auto"
ccid1=$(ccid 2)
[ "$ccid1" != "$ccid0" ] || fail "the survivor still reports the old connection $ccid0"

say "fast restart: kill and start again at once"
kill_a
t0=$(now)
start_l2tpd 1 -c "$T/a.conf"
wait_for "a new connection on the survivor" 300 \
	eval '[ -n "$(ccid 2)" ] && [ "$(ccid 2)" != "$ccid1" ] && b_established'
up "after the fast restart"
took=$(dt "$t0" "$(now)")
say "re-established in $took s (the Hello alone would take up to $bound s)"
awk -v t="$took" -v b="$bound" 'BEGIN { exit !(t < b) }' ||
	fail "the survivor waited for its Hello instead of taking the new SCCRQ ($took s)"
grep -F "peer restarted" "$T/l2tpd2.log" || fail "no 'peer restarted' line in l2tpd2's log"
[ "$auto" = "$auto0" ] || fail "vc2's automatic interface name changed: $auto0 -> $auto"
pass
