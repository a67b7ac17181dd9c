#!/bin/bash
# bench-net.sh: network benchmark of l2tpkit's userspace pseudowire.
#
# Two network namespaces joined by a veth pair (192.0.2.1/25 - 192.0.2.2/25).
# Over it, all at once, each with its own inner addresses:
#   veth         the direct veth path, the limit            192.0.2.0/25
#   openvpn      OpenVPN 2.6, tap over UDP, no cipher/auth  203.0.113.0/25
#   l2tp-udp     l2tpkit Ethernet pseudowire, UDP encap     198.51.100.0/26
#   l2tp-ip      l2tpkit, IP encap (protocol 115)           198.51.100.64/26
#   l2tp-cookie  l2tpkit, UDP, 8-byte cookies, seq both     198.51.100.128/26
#   l2tp-csum    l2tpkit, UDP with udp_csum on (UDP GSO)    198.51.100.192/26
#   l2tp-plain   l2tp-udp with L2TPD_NO_IO_URING=1: one     203.0.113.128/26
#                read()/write() per frame on the TAP
#   l2tp-w2      l2tp-udp with two workers (l2tpd -w 2)     192.0.2.128/26
#   l2tp-csum-w2 l2tp-csum with two workers                 192.0.2.192/26
#   l2tp-managed l2tp-udp brought up by the control protocol   203.0.113.192/26
#                (control on, cookie none: the datapath of l2tp-udp)
#   ebpf-udp     l2tpd --datapath ebpf, UDP encap            203.0.113.64/27
#   ebpf-ip      l2tpd --datapath ebpf, IP encap             203.0.113.96/27
#   ebpf-csum    ebpf-udp with udp_csum on (segmented and    203.0.113.32/27
#                summed before encapsulation: no GSO)
#                (inside OpenVPN's /25, which uses .1 and .2 only: the
#                longer prefix wins). The ebpf daemons' receive program sits
#                on va0/vb0's ingress, which every configuration crosses
#                (it passes what is not its sessions'); GSO frames cross
#                the veth whole, as between any two kernels on a veth.
# iperf3 runs from the first namespace to the second: TCP 1 and 4 streams,
# UDP 64- and 1400-byte datagrams unpaced; the repetitions interleave the
# configurations so that drift hits them all alike. The CPU time (user+sys)
# of each configuration's tunnel processes is read from /proc/PID/stat before
# and after each run. bench/net/report.py prints median, min and max, and the
# ratios to veth and OpenVPN; the table also goes to build/bench-net.md.
#
# Environment:
#   BENCH_SECONDS  seconds per run (10)      BENCH_REPS  repetitions (3)
#   BENCH_QUICK=1  2 s and 1 repetition, for testing this script
#   BENCH_CONFIGS  configurations to run (default: all nine, names above)
#   BENCH_TESTS    tests to run (default: tcp1 tcp4 udp64 udp1400)
#   BENCH_UDP_BW   iperf3 -b for the UDP tests (default 0: unpaced); a fixed
#                  rate all can carry compares CPU per packet, not saturation
#   BENCH_MTU      MTU of every inner link (1436: fits 1400-byte UDP and
#                  the largest L2TP overhead in a 1500-byte veth)
#   BENCH_MD       markdown output (build/bench-net.md); a .json beside it
#   BENCH_KEEP=1   keep the work directory (raw iperf3 JSON, daemon logs)
#   L2TPD, L2TP    binaries (default $BUILDDIR/l2tpd, $BUILDDIR/l2tp, with
#                  BUILDDIR from make's command line, else build/ or
#                  build-asan/ for VARIANT=asan); L2TPD_ARGS extra arguments
#                  for l2tpd
# Needs root, iproute2, iperf3, python3; openvpn for its row. A missing or
# failing l2tpkit or OpenVPN is reported and its rows skipped.
set -u
cd "$(dirname "$0")/.." || exit 1

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SECS=${BENCH_SECONDS:-2} REPS=${BENCH_REPS:-1}
else
	SECS=${BENCH_SECONDS:-10} REPS=${BENCH_REPS:-3}
fi
CONFIGS=${BENCH_CONFIGS:-veth openvpn l2tp-udp l2tp-ip l2tp-cookie l2tp-csum l2tp-plain l2tp-w2 l2tp-csum-w2 l2tp-managed ebpf-udp ebpf-ip ebpf-csum}
MTU=${BENCH_MTU:-1436}
MD=${BENCH_MD:-build/bench-net.md}
# make passes BUILDDIR=/VARIANT= given on its command line in the environment
if [ -z "${BUILDDIR:-}" ]; then
	if [ "${VARIANT:-}" = asan ]; then BUILDDIR=build-asan; else BUILDDIR=build; fi
fi
L2TPD=${L2TPD:-$BUILDDIR/l2tpd}
L2TP=${L2TP:-$BUILDDIR/l2tp}
L2TPD_ARGS=${L2TPD_ARGS:-}
TESTS=${BENCH_TESTS:-tcp1 tcp4 udp64 udp1400}

log() { echo "bench-net: $*" >&2; }
die() { log "$*"; exit 1; }

case "$SECS$REPS" in *[!0-9]*) die "BENCH_SECONDS and BENCH_REPS must be integers" ;; esac
if [ "$SECS" -lt 1 ] || [ "$REPS" -lt 1 ]; then die "BENCH_SECONDS and BENCH_REPS must be >= 1"; fi
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, TAP devices)"
for c in ip iperf3 python3 ss timeout ping; do
	command -v "$c" >/dev/null || die "missing $c (scripts/deps.sh --bench)"
done
case "$L2TPD" in /*) ;; *) L2TPD=$PWD/$L2TPD ;; esac
case "$L2TP" in /*) ;; *) L2TP=$PWD/$L2TP ;; esac
HZ=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/l2tpkit-bench.XXXXXX) || die "mktemp failed"
RES=$WORK/res
mkdir -p "$RES"
NSA=l2tpbench-a-$$
NSB=l2tpbench-b-$$
NS_MADE=()
STARTED=() # "pid:starttime" of every process this script started

# --- processes: started by us, stopped by PID, every wait bounded -----------

# Field 22 of /proc/PID/stat (start time) tells our process from a later one
# that got the same PID.
starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split the stat fields on purpose
	set -- $s
	echo "${20}"
}

alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

ours() { # pid: is it still the process we started?
	local e st
	for e in "${STARTED[@]}"; do
		[ "${e%%:*}" = "$1" ] || continue
		st=$(starttime "$1") || return 1
		[ "${e#*:}" = "$st" ] && return 0
	done
	return 1
}

# spawn LOG CMD...: start CMD in the background; its PID in SPAWNED.
spawn() {
	local logf=$1
	shift
	"$@" >"$logf" 2>&1 &
	SPAWNED=$!
	STARTED+=("$SPAWNED:$(starttime "$SPAWNED" || echo gone)")
}

wait_gone() { # pid tenths
	local i
	for ((i = 0; i < $2; i++)); do
		alive "$1" || return 0
		sleep 0.1
	done
	! alive "$1"
}

stop_pid() {
	local pid=$1
	if ours "$pid" && alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		wait_gone "$pid" 30 || { kill -KILL "$pid" 2>/dev/null; wait_gone "$pid" 20; }
	fi
	wait "$pid" 2>/dev/null
	local e keep=()
	for e in "${STARTED[@]}"; do
		[ "${e%%:*}" = "$pid" ] || keep+=("$e")
	done
	STARTED=("${keep[@]}")
}

cleanup() {
	trap - EXIT INT TERM
	local e ns
	for e in "${STARTED[@]}"; do
		stop_pid "${e%%:*}"
	done
	for ns in "${NS_MADE[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		log "raw results kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- network ----------------------------------------------------------------

in_a() { ip netns exec "$NSA" "$@"; }
in_b() { ip netns exec "$NSB" "$@"; }

wait_ping() { # ns addr tries
	local i
	for ((i = 0; i < $3; i++)); do
		ip netns exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

wait_link() { # ns ifname tenths
	local i
	for ((i = 0; i < $3; i++)); do
		ip -n "$1" link show dev "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

setup_net() {
	local ns
	for ns in "$NSA" "$NSB"; do
		ip netns add "$ns" || die "cannot create namespace $ns"
		NS_MADE+=("$ns")
		ip -n "$ns" link set lo up
		# no IPv6 autoconfiguration chatter on the links we measure
		ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	done
	ip link add va0 netns "$NSA" type veth peer name vb0 netns "$NSB" ||
		die "cannot create the veth pair"
	ip -n "$NSA" addr add 192.0.2.1/25 dev va0
	ip -n "$NSB" addr add 192.0.2.2/25 dev vb0
	ip -n "$NSA" link set va0 up
	ip -n "$NSB" link set vb0 up
	wait_ping "$NSA" 192.0.2.2 25 || die "veth path does not answer ping"
}

# --- configurations ---------------------------------------------------------
# setup_<cfg> sets ADDR_B (iperf3 server address in B), PIDS (tunnel
# processes) and LOGS (their logs), or returns 1 with WHY set.

declare -A CFG_ADDR CFG_PIDS CFG_LOGS CFG_LABEL CFG_BROKEN
CFG_LABEL=([veth]="veth (direct)" [openvpn]="OpenVPN tap/UDP"
	[l2tp-udp]="l2tpkit UDP" [l2tp-ip]="l2tpkit IP"
	[l2tp-cookie]="l2tpkit UDP+cookie+seq" [l2tp-csum]="l2tpkit UDP+csum (GSO)"
	[l2tp-plain]="l2tpkit UDP, no io_uring" [l2tp-w2]="l2tpkit UDP, 2 workers"
	[l2tp-csum-w2]="l2tpkit UDP+csum, 2 workers"
	[l2tp-managed]="l2tpkit UDP, managed (control protocol)"
	[ebpf-udp]="l2tpkit ebpf UDP" [ebpf-ip]="l2tpkit ebpf IP"
	[ebpf-csum]="l2tpkit ebpf UDP+csum")

setup_veth() {
	ADDR_B=192.0.2.2 PIDS=
}

setup_openvpn() {
	command -v openvpn >/dev/null || { WHY="openvpn is not installed"; return 1; }
	local side ns l r pa pb
	for side in 1 2; do
		if [ $side = 1 ]; then ns=$NSA l=192.0.2.1 r=192.0.2.2; else ns=$NSB l=192.0.2.2 r=192.0.2.1; fi
		# No TLS and no --secret: OpenVPN 2.6's cleartext point-to-point
		# mode (deprecated, still there), the cheapest OpenVPN can be.
		spawn "$WORK/openvpn-$side.log" ip netns exec "$ns" openvpn \
			--dev bovpn0 --dev-type tap --proto udp \
			--local $l --lport 1194 --remote $r --rport 1194 \
			--cipher none --data-ciphers none --auth none \
			--ifconfig 203.0.113.$side 255.255.255.128 \
			--tun-mtu "$MTU" --mssfix 0 --verb 3
		if [ $side = 1 ]; then pa=$SPAWNED; else pb=$SPAWNED; fi
	done
	PIDS="$pa $pb" LOGS="$WORK/openvpn-1.log $WORK/openvpn-2.log"
	if ! wait_ping "$NSA" 203.0.113.2 40; then
		WHY="OpenVPN tunnel did not come up (log: $WORK/openvpn-1.log)"
		tail -n 5 "$WORK/openvpn-1.log" "$WORK/openvpn-2.log" >&2
		return 1
	fi
	ADDR_B=203.0.113.2
}

# setup_l2tp KIND: one l2tpd per side per configuration, configured with the
# ip-l2tp(8) grammar over each daemon's own API socket.
setup_l2tp() {
	local kind=$1 encap=udp port='' n ifn net pfx=198.51.100 env='' wargs='' dp=user mask=26
	local ca=0102030405060708 cb=1112131415161718
	case $kind in
	udp) n=0 ifn=bl2tpu0 net=0 port=1701 ;;
	ip) n=1 ifn=bl2tpi0 net=64 encap=ip ;;
	cookie) n=2 ifn=bl2tpc0 net=128 port=1702 ;;
	csum) n=3 ifn=bl2tpk0 net=192 port=1703 ;;
	plain) n=4 ifn=bl2tpp0 net=128 port=1704 pfx=203.0.113 env=${BENCH_PLAIN_ENV:-L2TPD_NO_IO_URING=1} ;;
	w2) n=5 ifn=bl2tpw0 net=128 port=1705 pfx=192.0.2 wargs='-w 2' ;;
	csum-w2) n=6 ifn=bl2tpx0 net=192 port=1706 pfx=192.0.2 wargs='-w 2' ;;
	managed) n=7 ifn=bl2tpm0 net=192 port=1707 pfx=203.0.113 ;;
	ebpf-udp) n=8 ifn=bl2tpe0 net=64 port=1708 pfx=203.0.113 dp=ebpf mask=27 wargs= ;;
	ebpf-ip) n=9 ifn=bl2tpf0 net=96 encap=ip pfx=203.0.113 dp=ebpf mask=27 wargs= ;;
	ebpf-csum) n=10 ifn=bl2tpg0 net=32 port=1710 pfx=203.0.113 dp=ebpf mask=27 wargs= ;;
	esac
	if [ ! -x "$L2TPD" ] || [ ! -x "$L2TP" ]; then
		WHY="l2tpkit binaries missing ($L2TPD, $L2TP): build them with make"
		return 1
	fi
	local side ns sock logf pids='' tid ptid sid psid lo re cookie peer_cookie
	for side in a b; do
		if [ $side = a ]; then ns=$NSA; else ns=$NSB; fi
		sock=$WORK/l2tpd-$kind-$side.sock
		# shellcheck disable=SC2086
		spawn "$WORK/l2tpd-$kind-$side.log" ip netns exec "$ns" env $env "$L2TPD" -f \
			-S "$sock" -P "$WORK/l2tpd-$kind-$side.pid" --datapath $dp $wargs $L2TPD_ARGS
		pids="$pids $SPAWNED"
	done
	PIDS=${pids# } LOGS="$WORK/l2tpd-$kind-a.log $WORK/l2tpd-$kind-b.log"
	local i pid
	for side in a b; do
		sock=$WORK/l2tpd-$kind-$side.sock
		if [ $side = a ]; then pid=${PIDS%% *}; else pid=${PIDS##* }; fi
		for ((i = 0; i < 50; i++)); do
			[ -S "$sock" ] && break
			alive "$pid" || break
			sleep 0.1
		done
		if ! alive "$pid"; then
			WHY="l2tpd ($kind, side $side) exited at start"
		elif [ ! -S "$sock" ]; then
			WHY="l2tpd ($kind, side $side) made no API socket in 5 s"
		else
			# the socket exists; wait until the daemon answers on it
			for ((i = 0; i < 50; i++)); do
				timeout 5 "$L2TP" -S "$sock" show tunnel >/dev/null 2>&1 && break
				sleep 0.1
			done
			[ $i -lt 50 ] && continue
			WHY="l2tpd ($kind, side $side) does not answer 'show tunnel'"
		fi
		tail -n 5 "$WORK/l2tpd-$kind-$side.log" >&2
		return 1
	done
	for side in a b; do
		if [ $side = a ]; then
			ns=$NSA tid=$((10 + n)) ptid=$((20 + n)) sid=$((100 + n)) psid=$((200 + n))
			lo=192.0.2.1 re=192.0.2.2 cookie=$ca peer_cookie=$cb
		else
			ns=$NSB tid=$((20 + n)) ptid=$((10 + n)) sid=$((200 + n)) psid=$((100 + n))
			lo=192.0.2.2 re=192.0.2.1 cookie=$cb peer_cookie=$ca
		fi
		sock=$WORK/l2tpd-$kind-$side.sock
		logf=$WORK/l2tp-cli-$kind-$side.log
		local targs=(add tunnel tunnel_id "$tid" peer_tunnel_id "$ptid" encap "$encap" local "$lo" remote "$re")
		[ -n "$port" ] && targs+=(udp_sport "$port" udp_dport "$port")
		local sargs=(add session name "$ifn" tunnel_id "$tid" session_id "$sid" peer_session_id "$psid")
		if [ "$kind" = managed ]; then
			# the control protocol learns the peer's ids and picks the cookies
			targs=(add tunnel tunnel_id "$tid" encap udp local "$lo" remote "$re"
				udp_sport "$port" udp_dport "$port" control on)
			[ $side = b ] && targs+=(role accept)
			sargs=(add session tunnel_id "$tid" remote_end_id bench name "$ifn" cookie none)
		fi
		[ "$kind" = cookie ] && sargs+=(cookie "$cookie" peer_cookie "$peer_cookie" seq both)
		# the kernel refuses UDP_SEGMENT on a socket without checksums
		case $kind in csum | csum-w2 | ebpf-csum) targs+=(udp_csum on) ;; esac
		echo "+ l2tp -S $sock ${targs[*]}" >>"$logf"
		echo "+ l2tp -S $sock ${sargs[*]}" >>"$logf"
		if ! timeout 10 ip netns exec "$ns" "$L2TP" -S "$sock" "${targs[@]}" >>"$logf" 2>&1 ||
			! timeout 10 ip netns exec "$ns" "$L2TP" -S "$sock" "${sargs[@]}" >>"$logf" 2>&1; then
			WHY="l2tp CLI failed ($kind, side $side): $(tail -n 1 "$logf")"
			tail -n 5 "$logf" >&2
			return 1
		fi
	done
	# both sides configured first: a managed session needs both to come up
	for side in a b; do
		if [ $side = a ]; then ns=$NSA; else ns=$NSB; fi
		if ! wait_link "$ns" $ifn 100; then
			WHY="l2tpd made no interface $ifn ($kind, side $side)"
			return 1
		fi
		local host=1
		[ $side = b ] && host=2
		if ! ip -n "$ns" link set dev "$ifn" mtu "$MTU" up ||
			! ip -n "$ns" addr add "$pfx.$((net + host))/$mask" dev "$ifn"; then
			WHY="cannot configure $ifn ($kind, side $side)"
			return 1
		fi
	done
	if ! wait_ping "$NSA" "$pfx.$((net + 2))" 25; then
		WHY="no ping through the $kind pseudowire (logs: $WORK/l2tpd-$kind-*.log)"
		return 1
	fi
	ADDR_B=$pfx.$((net + 2))
}

setup_cfg() {
	case $1 in
	veth) setup_veth ;;
	openvpn) setup_openvpn ;;
	l2tp-udp) setup_l2tp udp ;;
	l2tp-ip) setup_l2tp ip ;;
	l2tp-cookie) setup_l2tp cookie ;;
	l2tp-csum) setup_l2tp csum ;;
	l2tp-plain) setup_l2tp plain ;;
	l2tp-w2) setup_l2tp w2 ;;
	l2tp-csum-w2) setup_l2tp csum-w2 ;;
	l2tp-managed) setup_l2tp managed ;;
	ebpf-udp) setup_l2tp ebpf-udp ;;
	ebpf-ip) setup_l2tp ebpf-ip ;;
	ebpf-csum) setup_l2tp ebpf-csum ;;
	*) WHY="unknown configuration"; return 1 ;;
	esac
}

# --- measurement ------------------------------------------------------------

cpu_ticks() { # pids...: user+sys clock ticks summed, or "NA"
	local pid s sum=0
	for pid in "$@"; do
		s=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo NA; return; }
		s=${s##*) }
		# shellcheck disable=SC2086 # split the stat fields on purpose
		set -- $s
		sum=$((sum + ${12} + ${13}))
	done
	echo $sum
}

all_alive() {
	local p
	for p in "$@"; do
		alive "$p" || return 1
	done
}

wait_listen() { # port
	local i
	for ((i = 0; i < 50; i++)); do
		[ -n "$(in_b ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# measure CFG IDX TEST REP
measure() {
	local cfg=$1 port=$((5201 + $2)) test=$3 rep=$4 addr=${CFG_ADDR[$1]} opts
	# shellcheck disable=SC2206
	local pids=(${CFG_PIDS[$1]})
	local dir=$RES/$cfg/$test out
	mkdir -p "$dir"
	out=$dir/$rep.json
	case $test in
	tcp1) opts= ;;
	tcp4) opts="-P 4" ;;
	udp64) opts="-u -b ${BENCH_UDP_BW:-0} -l 64" ;;
	udp1400) opts="-u -b ${BENCH_UDP_BW:-0} -l 1400" ;;
	esac
	if [ ${#pids[@]} -gt 0 ] && ! all_alive "${pids[@]}"; then
		CFG_BROKEN[$cfg]=1
		echo "$cfg: a tunnel process exited during the benchmark" >>"$RES/skipped"
		log "$cfg: a tunnel process exited; its remaining runs are skipped"
		# shellcheck disable=SC2086
		tail -n 5 ${CFG_LOGS[$cfg]} >&2
		return
	fi
	spawn "$dir/$rep.server.log" ip netns exec "$NSB" iperf3 -s -1 -B "$addr" -p $port
	local srv=$SPAWNED
	if ! wait_listen $port; then
		log "$cfg $test: iperf3 server did not start"
		stop_pid $srv
		return
	fi
	local c0 c1 t0 t1
	t0=$(date +%s%N)
	c0=$(cpu_ticks "${pids[@]}")
	# shellcheck disable=SC2086
	timeout -k 2 $((SECS + 30)) ip netns exec "$NSA" iperf3 -c "$addr" -p $port \
		-t "$SECS" -J --connect-timeout 5000 $opts >"$out" 2>"$dir/$rep.client.err"
	c1=$(cpu_ticks "${pids[@]}")
	t1=$(date +%s%N)
	if [ ${#pids[@]} -gt 0 ] && [ "$c0" != NA ] && [ "$c1" != NA ]; then
		# "CPU-seconds wall-seconds"
		awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v w=$((t1 - t0)) \
			'BEGIN { printf "%.3f %.3f\n", (b - a) / hz, w / 1e9 }' >"$dir/$rep.cpu"
	fi
	wait_gone $srv 50
	stop_pid $srv
	python3 - "$out" "$cfg" "$test" "$rep" <<-'EOF' >&2
		import json, sys
		f, cfg, test, rep = sys.argv[1:]
		try:
		    d = json.load(open(f))
		    if "error" in d:
		        raise ValueError(d["error"])
		    rx = d["end"]["sum_received"]
		    s = "%10.1f Mbit/s" % (rx["bits_per_second"] / 1e6)
		    if "packets" in rx:  # see bench/net/report.py
		        secs = d["end"]["sum_sent"]["seconds"]
		        s = "%10.1f Mbit/s  %9.1f kpps  loss %5.2f %%" % (
		            rx["bytes"] * 8 / secs / 1e6,
		            (rx["packets"] - rx["lost_packets"]) / secs / 1e3,
		            rx["lost_percent"])
		except Exception as e:
		    s = "FAILED (%s)" % e
		print("bench-net: [rep %s] %-8s %-12s %s" % (rep, test, cfg, s))
	EOF
}

# --- main -------------------------------------------------------------------

mkdir -p "$(dirname "$MD")" || die "cannot create $(dirname "$MD")"
setup_net
: >"$RES/configs"
: >"$RES/skipped"
ACTIVE=()
for cfg in $CONFIGS; do
	WHY='' ADDR_B='' PIDS='' LOGS='' SPAWNED=''
	printf '%s\t%s\n' "$cfg" "${CFG_LABEL[$cfg]:-$cfg}" >>"$RES/configs"
	if setup_cfg "$cfg"; then
		CFG_ADDR[$cfg]=$ADDR_B
		CFG_PIDS[$cfg]=$PIDS
		CFG_LOGS[$cfg]=$LOGS
		ACTIVE+=("$cfg")
		log "$cfg: up (server $ADDR_B${PIDS:+, tunnel PIDs $PIDS})"
	else
		[ "${BENCH_KEEP:-0}" = 1 ] || WHY="$WHY (BENCH_KEEP=1 keeps the logs)"
		log "SKIP $cfg: $WHY"
		echo "$cfg: $WHY" >>"$RES/skipped"
		for p in $PIDS; do stop_pid "$p"; done
	fi
done
[ ${#ACTIVE[@]} -gt 0 ] || die "no configuration could be set up"

{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "seconds=$SECS"
	echo "reps=$REPS"
	echo "nproc=$(nproc)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "kernel=$(uname -r)"
	echo "mtu=$MTU"
	echo "iperf=$(iperf3 --version 2>/dev/null | head -n1)"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RES/meta"

log "$((${#ACTIVE[@]} * 4 * REPS)) runs of ${SECS} s: ${ACTIVE[*]}"
for ((rep = 1; rep <= REPS; rep++)); do
	for test in $TESTS; do
		i=0
		for cfg in "${ACTIVE[@]}"; do
			i=$((i + 1))
			[ -n "${CFG_BROKEN[$cfg]:-}" ] && continue
			measure "$cfg" $i "$test" $rep
		done
	done
done

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/meta"
python3 bench/net/report.py "$RES" --md "$MD" --json "${MD%.md}.json" ||
	die "report failed (raw results: BENCH_KEEP=1)"
log "markdown: $MD"
