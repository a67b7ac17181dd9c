#!/bin/bash
# SPDX-License-Identifier: MIT
# bench-managed.sh: the control plane between two real l2tpd in network
# namespaces (veth 192.0.2.1 - 192.0.2.2): one managed tunnel with N
# Ethernet sessions (remote_end_id s1..sN) from configuration files.
# Prints
#   - sessions established per second: from the initiator's start until all
#     N interfaces exist on both sides (the acceptor was started first);
#   - teardown: "del tunnel" on the initiator until every interface is gone;
#   - l2tpd memory per established session: RSS delta of each daemon over
#     the N sessions, interfaces (TAP + datapath state) included; then the
#     same N sessions made static in a third daemon, whose RSS delta is the
#     datapath's share, and the difference, the control plane's share
#     ("interfaces excluded").
# It fails (exit 1) if not all N sessions come up or go away within the
# bound, so `make check-long` runs it with N = 10000 as a test.
#
#   BENCH_SESSIONS  N (default 10000)    L2TPD, L2TP  binaries (build/)
#   BENCH_WINDOW    "window" of both tunnels (default: l2tpd's, 16 messages)
set -u
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_SESSIONS:-10000}
WIN=${BENCH_WINDOW:+ window $BENCH_WINDOW}
L2TPD=${L2TPD:-$PWD/build/l2tpd}
L2TP=${L2TP:-$PWD/build/l2tp}
P="l2tpbm-$$"
W=$(mktemp -d /tmp/l2tpkit-bench-managed.XXXXXX)
PIDS=()
# Bounds: generous per-session budgets, so a slow machine passes and a
# stuck one fails instead of hanging.
UP_LIMIT=$((60 + N / 20))
DOWN_LIMIT=$((60 + N / 20))

die() {
	echo "bench-managed: $*" >&2
	exit 1
}

cleanup() {
	local p i
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for ((i = 0; i < 600; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for i in a b c; do ip netns del "$P-$i" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$L2TPD" ] && [ -x "$L2TP" ] || die "build first: make"

for i in a b c; do
	ip netns add "$P-$i" || die "ip netns add"
	ip -n "$P-$i" link set lo up
done
ip link add "$P-va" netns "$P-a" type veth peer name "$P-vb" netns "$P-b" || die "veth"
ip -n "$P-a" link set "$P-va" name u0 up
ip -n "$P-b" link set "$P-vb" name u0 up
ip -n "$P-a" addr add 192.0.2.1/24 dev u0
ip -n "$P-b" addr add 192.0.2.2/24 dev u0
ip -n "$P-c" addr add 198.51.100.1/24 dev lo

{
	echo "add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 encap udp control on$WIN"
	for ((i = 1; i <= N; i++)); do echo "add session tunnel_id 1 remote_end_id s$i cookie none"; done
} >"$W/a.conf"
{
	echo "add tunnel tunnel_id 2 remote 192.0.2.1 local 192.0.2.2 encap udp control on role accept$WIN"
	for ((i = 1; i <= N; i++)); do echo "add session tunnel_id 2 remote_end_id s$i cookie none"; done
} >"$W/b.conf"
{
	echo "add tunnel tunnel_id 3 peer_tunnel_id 4 remote 198.51.100.2 local 198.51.100.1 udp_sport 1701 udp_dport 1701"
	for ((i = 1; i <= N; i++)); do echo "add session tunnel_id 3 session_id $i peer_session_id $i"; done
} >"$W/c.conf"

now() { date +%s.%N; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
links() { ip -n "$P-$1" -o link show 2>/dev/null | grep -c ': l2tpeth'; }

# start NS [ARGS...]: l2tpd in the foreground in NS; sets PID, waits for its API
start() {
	local ns=$1 i
	shift
	ip netns exec "$P-$ns" "$L2TPD" -f -S "$W/$ns.sock" -P "$W/$ns.pid" --datapath user "$@" \
		>>"$W/$ns.log" 2>&1 &
	PID=$!
	PIDS+=("$PID")
	for ((i = 0; i < 100; i++)); do
		[ -S "$W/$ns.sock" ] && timeout 5 "$L2TP" -S "$W/$ns.sock" show tunnel >/dev/null 2>&1 &&
			return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 5 "$W/$ns.log" >&2
	die "l2tpd in $ns did not start"
}

# wait_links NS COUNT LIMIT: until NS has COUNT l2tpeth interfaces (LIMIT seconds)
wait_links() {
	local end=$((SECONDS + $3)) n
	while :; do
		n=$(links "$1")
		[ "$n" -eq "$2" ] && return 0
		if [ $SECONDS -ge $end ]; then
			echo "bench-managed: $1 has $n interfaces, want $2 (after $3 s)" >&2
			tail -n 5 "$W/$1.log" >&2
			return 1
		fi
		sleep 0.2
	done
}

echo "bench-managed: $N sessions in one managed tunnel (bounds: up ${UP_LIMIT} s, down ${DOWN_LIMIT} s)"
# the acceptor first, then the initiator: from its start to N sessions up
start b -c "$W/b.conf"
PB=$PID
t0=$(now)
start a -c "$W/a.conf"
PA=$PID
wait_links a "$N" "$UP_LIMIT" || die "not all sessions came up on the initiator"
wait_links b "$N" "$UP_LIMIT" || die "not all sessions came up on the acceptor"
t1=$(now)
ra1=$(rss_kb "$PA") rb1=$(rss_kb "$PB")
"$L2TP" -S "$W/a.sock" -j show session >"$W/a.json" || die "show session"
est=$(grep -o '"state":"established"' "$W/a.json" | wc -l)
[ "$est" -eq "$N" ] || die "show session: $est of $N established"

t2=$(now)
"$L2TP" -S "$W/a.sock" del tunnel tunnel_id 1 || die "del tunnel ($(tail -n 3 "$W/a.log"))"
wait_links a 0 "$DOWN_LIMIT" || die "interfaces left on the initiator"
wait_links b 0 "$DOWN_LIMIT" || die "interfaces left on the acceptor"
t3=$(now)

start c -c "$W/c.conf"
PC=$PID
wait_links c "$N" "$UP_LIMIT" || die "static sessions did not all appear"
rc1=$(rss_kb "$PC")
kill -TERM "$PC"
wait "$PC" 2>/dev/null
# the baseline of a daemon with no session: a fresh one, no configuration
start c
rc0=$(rss_kb "$PID")
# and for the managed daemons, a fresh one the same way
ra0=$rc0 rb0=$rc0

python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$ra0" "$ra1" "$rb0" "$rb1" "$rc0" "$rc1" <<'EOF'
import sys
n = int(sys.argv[1])
t0, t1, t2, t3 = map(float, sys.argv[2:6])
ra0, ra1, rb0, rb1, rc0, rc1 = map(int, sys.argv[6:12])
up, down = t1 - t0, t3 - t2
per = lambda a, b: (b - a) * 1024.0 / n
print(f"sessions established:      {n} in {up:.2f} s = {n / up:.0f} sessions/s (both ends, interfaces included)")
print(f"torn down (del tunnel):    {n} in {down:.2f} s = {n / down:.0f} sessions/s")
print(f"RSS per session, initiator: {per(ra0, ra1):.0f} bytes ({ra0} -> {ra1} KiB)")
print(f"RSS per session, acceptor:  {per(rb0, rb1):.0f} bytes ({rb0} -> {rb1} KiB)")
print(f"RSS per static session:     {per(rc0, rc1):.0f} bytes (the datapath and its TAP, no control plane)")
print(f"control plane per session:  {per(ra0, ra1) - per(rc0, rc1):.0f} bytes initiator, "
      f"{per(rb0, rb1) - per(rc0, rc1):.0f} bytes acceptor (interfaces excluded: managed minus static)")
EOF
echo "bench-managed: ok"
