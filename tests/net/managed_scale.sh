#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_scale.sh: 1,000 managed sessions (remote_end_id s1 .. s1000) in one
# managed tunnel between two daemons. Both start on an empty configuration
# file; the generated 1,001-line files are loaded by SIGHUP. Every session
# comes up on both sides (1,000 interfaces per namespace) within a bound,
# the first and the last one pass ping, and `del tunnel` on one side
# removes all 2,000 interfaces (StopCCN: the peer tears its side down too).
# Prints the time to establish and to tear down, and each daemon's RSS
# before, with the sessions up, and after.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

N=${MANAGED_SCALE_N:-1000}
BOUND=100 # seconds to bring up N sessions, and to tear them down

echo "# filled in by SIGHUP below" >"$T/a.conf"
echo "# filled in by SIGHUP below" >"$T/b.conf"
start_l2tpd 1 -c "$T/a.conf"
start_l2tpd 2 -c "$T/b.conf"

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/${DPID[$1]}/status"; }
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
links_are() { [ "$(count_links 1 l2tpeth)" -eq "$1" ] && [ "$(count_links 2 l2tpeth)" -eq "$1" ]; }

r1a=$(rss 1) r2a=$(rss 2)
say "RSS before: l2tpd1 $r1a kB, l2tpd2 $r2a kB"

{
	echo "add tunnel tunnel_id 1 remote $A2 local $A1 encap udp control on hostname many-a"
	for ((i = 1; i <= N; i++)); do
		echo "add session tunnel_id 1 remote_end_id s$i"
	done
} >"$T/a.conf"
{
	echo "add tunnel tunnel_id 2 remote $A1 local $A2 encap udp control on role accept"
	for ((i = 1; i <= N; i++)); do
		echo "add session tunnel_id 2 remote_end_id s$i"
	done
} >"$T/b.conf"
"$L2TPD" -n -c "$T/a.conf" >/dev/null || fail "l2tpd -n refuses the generated a.conf"
"$L2TPD" -n -c "$T/b.conf" >/dev/null || fail "l2tpd -n refuses the generated b.conf"

say "SIGHUP both: $N sessions to bring up (bound $BOUND s)"
kill -HUP "${DPID[2]}"
wait_for "l2tpd2 to load its configuration" 100 \
	eval "l2tpc 2 -j show tunnel | jq -e 'length == 1'"
t0=$(now)
kill -HUP "${DPID[1]}"
# one poll lists 1,000+ links per namespace: ~0.1 s per try
wait_for "$N session interfaces in each namespace" 1500 links_are "$N"
t1=$(now)
up=$(dt "$t0" "$t1")
say "$N sessions established on both sides in $up s"
awk -v t="$up" -v b="$BOUND" 'BEGIN { exit !(t < b) }' || fail "took $up s (bound $BOUND s)"

for ns in 1 2; do
	j=$(l2tpc $ns -j show session)
	n=$(jq '[.[] | select(.managed.state == "established")] | length' <<<"$j")
	[ "$n" -eq "$N" ] || fail "ns $ns: $n of $N sessions established"
	ids=$(jq '[.[].managed.remote_end_id] | unique | length' <<<"$j")
	[ "$ids" -eq "$N" ] || fail "ns $ns: $ids distinct remote end ids, expected $N"
done
jq -e '.[0].control.state == "established"' <<<"$(l2tpc 1 -j show tunnel)" >/dev/null ||
	fail "tunnel not established"

# ifof NS REID: the interface of the session with that remote end id
ifof() {
	l2tpc "$1" -j show session |
		jq -r --arg r "$2" '.[] | select(.managed.remote_end_id == $r) | .interface // empty'
}
say "ping through s1 and s$N"
inner4 "$(ifof 1 s1)" "$(ifof 2 s1)" 203.0.113.1 203.0.113.2
inner4 "$(ifof 1 s$N)" "$(ifof 2 s$N)" 198.51.100.1 198.51.100.2
ping_ok 1 203.0.113.2
ping_ok 1 198.51.100.2
ping_n 2 198.51.100.1 10

r1b=$(rss 1) r2b=$(rss 2)
say "RSS with $N sessions: l2tpd1 $r1b kB (+$(((r1b - r1a) * 1024 / N)) B/session)," \
	"l2tpd2 $r2b kB (+$(((r2b - r2a) * 1024 / N)) B/session)"

say "del tunnel on one side: all interfaces go on both"
t0=$(now)
l2tpc 1 del tunnel tunnel_id 1
gone() { [ "$(count_links "$1" l2tpeth)" -eq 0 ]; }
wait_for "no session interface left in ns 1" 1500 gone 1
say "ns 1 (del tunnel): $N interfaces removed in $(dt "$t0" "$(now)") s"
wait_for "no session interface left in ns 2" 1500 gone 2
t1=$(now)
down=$(dt "$t0" "$t1")
say "ns 2 (StopCCN): all $N gone too; $((2 * N)) interfaces removed in $down s"
awk -v t="$down" -v b="$BOUND" 'BEGIN { exit !(t < b) }' || fail "took $down s (bound $BOUND s)"
wait_for "l2tpd2's tunnel idle" 100 eval \
	"l2tpc 2 -j show tunnel | jq -e '.[0].control.state == \"idle\"'"
[ "$(l2tpc 2 -j show session | jq 'map(select(.managed.state == "established")) | length')" \
	-eq 0 ] || fail "l2tpd2 still reports established sessions"
r1c=$(rss 1) r2c=$(rss 2)
say "RSS after: l2tpd1 $r1c kB, l2tpd2 $r2c kB"
pass
