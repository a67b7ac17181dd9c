#!/bin/bash
# SPDX-License-Identifier: MIT
# eth_pw_workers.sh: the userspace datapath on two worker threads (l2tpd -w 2,
# daemon/datapath/user/internal.h "Workers"). Checks that
#   - each daemon runs two datapath threads besides the control plane;
#   - UDP tunnels are spread over the workers (each received by one worker)
#     and every session passes traffic, whichever worker is its home; IP
#     encapsulation over IPv4 and IPv6 with session ids of both parities
#     (the raw sockets' filters steer by session id);
#   - a second tunnel on a local port already in use is refused (the
#     SO_REUSEPORT group must not swallow it);
#   - TCP with 16 streams through one session is sent by both workers of
#     the sending daemon (multi-queue TAP; per-worker counts logged with -d
#     at deletion), and the counters, summed over the workers, add up;
#   - a session with `seq both` is sent by one worker only: 8 paced streams
#     through it count no sequence discard;
#   - nothing is left behind when the daemons stop.
# Needs iperf3 (scripts/deps.sh installs it); skipped without it.
. "$(dirname "$0")/lib.sh"
require_base
command -v iperf3 >/dev/null || skip "iperf3 not installed (scripts/deps.sh)"
setup_ns 1 2
underlay4
ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
ip -n "$PFX-2" addr add 2001:db8:1::2/64 dev u2 nodad
start_l2tpd 1 -w 2 -d
start_l2tpd 2 -w 2 -d

# thread_ticks D NAME: user+system clock ticks of daemon D's thread NAME
thread_ticks() {
	local t
	for t in /proc/"${DPID[$1]}"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
			awk '{print $14 + $15}' "$t/stat"
			return
		fi
	done
	echo -1
}
iperf_listening() { ip netns exec "$PFX-2" ss -Hltn "sport = :$1" | grep -q .; }
# iperf NAME ADDR PORT STREAMS [ARGS...]: TCP for 2 s from ns 1 to ADDR in ns 2
iperf() {
	ip netns exec "$PFX-2" iperf3 -s -1 -B "$2" -p "$3" >"$T/iperf-s-$1.log" 2>&1 &
	BGPIDS+=("$!")
	wait_for "iperf3 server on $2:$3" 100 iperf_listening "$3"
	timeout 25 ip netns exec "$PFX-1" iperf3 -c "$2" -p "$3" -t 2 -P "$4" "${@:5}" -J \
		>"$T/iperf-$1.json" 2>&1 || fail "iperf3 through $1 failed: $(tail -n 3 "$T/iperf-$1.json")"
	echo "$1: $(($(jq -r '.end.sum_received.bits_per_second // 0 | floor' "$T/iperf-$1.json") / 1000000)) Mbit/s, $4 streams"
}
tstat() {
	l2tpc "$1" -s -j show tunnel tunnel_id "$2" |
		jq -r --arg k "$3" '(if type == "array" then .[0] else . end) | [paths(numbers) as $p | select($p[-1] == $k) | getpath($p)] | .[0] // empty'
}

say "two datapath threads per daemon"
for d in 1 2; do
	for w in l2tpd/w0 l2tpd/w1; do
		[ "$(thread_ticks $d $w)" -ge 0 ] || fail "daemon $d has no thread $w"
	done
done

say "UDP tunnels on both workers; every session passes traffic"
tunnel_pair udp 3000 4000 5000 6000
tunnel_pair udp 3001 4001 5001 6001
session_pair 3000 1000 4000 2000 pwa
session_pair 3001 1001 4001 2001 pwb
session_pair 3000 1002 4000 2002 pws seq both
inner4 pwa pwa 203.0.113.1 203.0.113.2
inner4 pwb pwb 203.0.113.5 203.0.113.6
inner4 pws pws 203.0.113.9 203.0.113.10

say "a second tunnel on local port 5000 is refused"
if out=$(l2tpc 1 add tunnel tunnel_id 3009 peer_tunnel_id 4009 encap udp local "$A1" \
	remote 192.0.2.9 udp_sport 5000 udp_dport 7000 2>&1); then
	fail "tunnel on a port in use was created"
fi
echo "$out"
grep -qi "in use" <<<"$out" || fail "no 'in use' in the error: $out"

say "IP encapsulation, IPv4 and IPv6, session ids odd and even"
tunnel_pair ip 3002 4002
session_pair 3002 1003 4002 2003 pwi3
session_pair 3002 1004 4002 2004 pwi4
l2tpc 1 add tunnel tunnel_id 3003 peer_tunnel_id 4003 encap ip local 2001:db8:1::1 remote 2001:db8:1::2
l2tpc 2 add tunnel tunnel_id 4003 peer_tunnel_id 3003 encap ip local 2001:db8:1::2 remote 2001:db8:1::1
session_pair 3003 1005 4003 2005 pwj5
session_pair 3003 1006 4003 2006 pwj6
inner4 pwi3 pwi3 203.0.113.13 203.0.113.14
inner4 pwi4 pwi4 203.0.113.17 203.0.113.18
inner4 pwj5 pwj5 203.0.113.21 203.0.113.22
inner4 pwj6 pwj6 203.0.113.25 203.0.113.26
for a in 2 6 10 14 18 22 26; do ping_ok 1 203.0.113.$a; done
for a in 1 5 9 13 17 21 25; do ping_ok 2 203.0.113.$a; done

say "16 TCP streams through pwa: both workers of the sender carry them"
w0=$(thread_ticks 1 l2tpd/w0) w1=$(thread_ticks 1 l2tpd/w1)
iperf pwa 203.0.113.2 5201 16
d0=$(($(thread_ticks 1 l2tpd/w0) - w0)) d1=$(($(thread_ticks 1 l2tpd/w1) - w1))
echo "sender daemon: worker 0 used $d0 ticks, worker 1 $d1 ticks (of $(getconf CLK_TCK) a second)"
txp=$(pstat 1 3000 1000 '^tx_packets$') rxp=$(pstat 2 4000 2000 '^rx_packets$')
echo "pwa: ns 1 tx_packets $txp, ns 2 rx_packets $rxp"
[ "$rxp" -gt 1000 ] || fail "pwa: only $rxp packets received"
[ "$rxp" -le "$txp" ] || fail "pwa: received $rxp packets of $txp sent"
# the tunnel counts its sessions' packets (summed over both workers)
ttx=$(tstat 1 3000 tx_packets) stx=$(($(pstat 1 3000 1000 '^tx_packets$') + $(pstat 1 3000 1002 '^tx_packets$')))
echo "tunnel 3000: tx_packets $ttx, its sessions $stx"
[ "$ttx" -eq "$stx" ] || fail "tunnel 3000 tx_packets $ttx != sum of its sessions $stx"

say "seq both: one worker carries the session, 8 streams count no sequence discard"
# Paced (8 x 25 Mbit/s) so that nothing is lost on the way: a lost packet
# also costs a few discards until the receiver resyncs, as with the kernel.
# Numbering by more than one worker would show at any rate: each copy of
# the session counts from its own Ns.
ping_n 1 203.0.113.10 5
sd1=$(pstat 1 3000 1002 '^rx_seq_discards$') sd2=$(pstat 2 4000 2002 '^rx_seq_discards$')
w0=$(thread_ticks 1 l2tpd/w0) w1=$(thread_ticks 1 l2tpd/w1)
iperf pws 203.0.113.10 5202 8 -b 25M
d0=$(($(thread_ticks 1 l2tpd/w0) - w0)) d1=$(($(thread_ticks 1 l2tpd/w1) - w1))
echo "sender daemon: worker 0 used $d0 ticks, worker 1 $d1 ticks"
e1=$(pstat 1 3000 1002 '^rx_seq_discards$') e2=$(pstat 2 4000 2002 '^rx_seq_discards$')
echo "pws: rx_seq_discards ns 1 $sd1 -> $e1, ns 2 $sd2 -> $e2;" \
	"tx_packets ns 1 $(pstat 1 3000 1002 '^tx_packets$'), rx_packets ns 2 $(pstat 2 4000 2002 '^rx_packets$')"
[ "$e1" -eq "$sd1" ] && [ "$e2" -eq "$sd2" ] || fail "sequence discards with 2 workers"
[ "$(pstat 2 4000 2002 '^rx_packets$')" -gt 1000 ] || fail "pws carried too little"

say "all sessions still pass traffic"
for a in 2 6 10 14 18 22 26; do ping_n 1 203.0.113.$a 5; done

say "stop: nothing left behind"
stop_daemons
for d in 1 2; do
	n=$(count_links $d pw)
	[ "$n" -eq 0 ] || fail "$n pseudowire interfaces left in ns $d"
done
DPID=()

say "the sender's workers both carried pwa, one carried pws (their counts at deletion)"
# "session 1000: worker 1 sent N and received N packets" (-d)
wsent() { sed -n "s/.*session $1: worker $2\( (home)\)\{0,1\} sent \([0-9]*\) .*/\2/p" "$T/l2tpd1.log"; }
a0=$(wsent 1000 0) a1=$(wsent 1000 1) s0=$(wsent 1002 0) s1=$(wsent 1002 1)
echo "pwa: worker 0 sent ${a0:-?}, worker 1 ${a1:-?}; pws: worker 0 ${s0:-?}, worker 1 ${s1:-?}"
[ -n "$a0" ] && [ -n "$a1" ] && [ -n "$s0" ] && [ -n "$s1" ] || fail "no per-worker counts in the log"
[ "$a0" -ge 1000 ] && [ "$a1" -ge 1000 ] || fail "16 TCP streams did not use both workers"
[ "$s1" -eq 0 ] || fail "worker 1 sent $s1 packets of the seq session"
# the summed counter read after iperf3; pings came after it
[ $((a0 + a1)) -ge "$txp" ] || fail "per-worker counts $a0 + $a1 below the summed counter $txp"

pass
