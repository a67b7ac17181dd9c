# SPDX-License-Identifier: MIT
# tests/net/lib.sh - helpers for the network-namespace scenarios (sourced).
#
# WireGuard netns.sh style: every namespace name carries this shell's PID, so
# parallel runs never collide; `trap cleanup EXIT` stops the daemons this test
# started (by PID), kills what is left in OUR namespaces (by PID), deletes the
# namespaces (and with them their links) and the temp dir - also on failure.
# Waits poll with a bounded count and a deadline; nothing sleeps blindly.
#
# Exit codes (automake): 0 pass, 1 fail (message on the last line), 77 skip
# (one-line reason on the last line).
#
#   . "$(dirname "$0")/lib.sh"
#   setup_ns 1 2                # namespaces $NS1 $NS2 (lo up), helpers n1/ip1 ...
#   start_l2tpd 1               # l2tpd in $NS1, API socket $T/l2tpd1.sock
#   l2tpc 1 add tunnel ...      # the CLI against daemon 1
#   pass                        # stops the daemons, checks their logs, exit 0

set -eEu
shopt -s inherit_errexit 2>/dev/null || true

NET_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$NET_LIB_DIR/../.." && pwd)
L2TPD=${L2TPD:-$TOP/build/l2tpd}
L2TP=${L2TP:-$TOP/build/l2tp}
TEST_NAME=$(basename "$0" .sh)
PFX="l2t$$"		# namespace names: l2t<pid>-<n>
T=""			# temp dir (sockets, pid files, logs)
declare -a NSLIST=()	# namespaces made by this test
declare -A DPID=()	# daemon index -> pid (started by this test)
declare -a BGPIDS=()	# other background pids started by this test
T0=$SECONDS
# The CLI is short-lived: leak checking every call costs time and the CLI's
# own unit tests cover it; the daemon keeps the caller's ASAN_OPTIONS.
CLI_ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

say() { printf '# %s\n' "$*"; }

skip() {
	trap - EXIT ERR
	cleanup >/dev/null 2>&1 || true
	echo "SKIP $TEST_NAME: $*"
	exit 77
}

fail() {
	trap - ERR
	local d
	for d in "${!DPID[@]}"; do
		if [ -s "$T/l2tpd$d.log" ]; then
			echo "--- tail of l2tpd$d log"
			tail -n 15 "$T/l2tpd$d.log"
		fi
	done
	echo "FAIL $TEST_NAME: $*"
	exit 1
}

on_err() {
	fail "line $1: command failed (rc $2): $3"
}
trap 'on_err "$LINENO" "$?" "$BASH_COMMAND"' ERR

# ---- prerequisites -------------------------------------------------------------
require_base() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null || skip "iproute2 'ip' not installed"
	ip netns list >/dev/null 2>&1 || skip "'ip netns' unavailable"
	[ -c /dev/net/tun ] || skip "/dev/net/tun missing (no TAP support)"
	[ -x "$L2TPD" ] || skip "l2tpd not built ($L2TPD)"
	[ -x "$L2TP" ] || skip "l2tp not built ($L2TP)"
	command -v jq >/dev/null || skip "jq not installed (JSON checks)"
	command -v ping >/dev/null || skip "ping not installed"
	T=$(mktemp -d "/tmp/l2tpnet.$TEST_NAME.XXXXXX")
}

# ---- cleanup ---------------------------------------------------------------------
# Stops daemon $1 with SIGTERM (bounded wait, then SIGKILL); sets DRC to its
# exit status (or 137 if it had to be killed).
stop_l2tpd() {
	local d=$1 pid=${DPID[$1]:-} i
	DRC=0
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "# l2tpd$d (pid $pid) ignored SIGTERM for 5 s, SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null && DRC=0 || DRC=$?
	unset "DPID[$d]"
}

cleanup() {
	set +eE
	trap - ERR
	local d p ns i
	for d in "${!DPID[@]}"; do stop_l2tpd "$d"; done
	for p in "${BGPIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${BGPIDS[@]}"; do wait "$p" 2>/dev/null; done
	# Anything still running inside OUR namespaces was started by this test.
	for ns in "${NSLIST[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for ns in "${NSLIST[@]}"; do
		for ((i = 0; i < 20; i++)); do
			ip netns del "$ns" 2>/dev/null && break
			[ -e "/run/netns/$ns" ] || break
			sleep 0.05
		done
	done
	[ -n "$T" ] && [ -d "$T" ] && rm -rf "$T"
	return 0
}
trap cleanup EXIT

# ---- namespaces ------------------------------------------------------------------
# setup_ns N...: creates namespace $NSn (l2t<pid>-n) with lo up, and helpers
# n<N> CMD (run in it) and ip<N> ARGS (ip -n).
setup_ns() {
	local i ns
	for i in "$@"; do
		ns="$PFX-$i"
		ip netns add "$ns" 2>/dev/null || skip "'ip netns add' failed"
		NSLIST+=("$ns")
		eval "NS$i=$ns"
		eval "n$i() { ip netns exec $ns \"\$@\"; }"
		eval "ip$i() { ip -n $ns \"\$@\"; }"
		ip -n "$ns" link set lo up
		# no IPv6 router solicitations or DAD noise on test links
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 \
			>/dev/null 2>&1 || true
	done
}

nsname() { echo "$PFX-$1"; }

# veth A IFA B IFB: a veth pair between namespaces A and B (indexes), both up.
veth() {
	ip -n "$PFX-$1" link add "$2" type veth peer name "$4" netns "$PFX-$3"
	ip -n "$PFX-$1" link set "$2" up
	ip -n "$PFX-$3" link set "$4" up
}

# underlay4 / underlay6: namespaces 1 and 2 joined by veth u1/u2 with the
# documentation addresses A1/A2 (192.0.2.1/.2 or 2001:db8:1::1/::2).
underlay4() {
	veth 1 u1 2 u2
	ip -n "$PFX-1" addr add 192.0.2.1/24 dev u1
	ip -n "$PFX-2" addr add 192.0.2.2/24 dev u2
	A1=192.0.2.1 A2=192.0.2.2
	mixed_offloads
}
underlay6() {
	veth 1 u1 2 u2
	ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
	ip -n "$PFX-2" addr add 2001:db8:1::2/64 dev u2 nodad
	A1=2001:db8:1::1 A2=2001:db8:1::2
	mixed_offloads
	wait_for "underlay6 ping" 100 ip netns exec "$PFX-1" ping -6 -c 1 -W 1 -q "$A2"
}

# dp_name D: the --datapath daemon D gets from start_l2tpd
dp_name() {
	local v=L2TPD_DATAPATH_$1
	echo "${!v:-${L2TPD_DATAPATH:-user}}"
}

# A mixed pair (L2TPD_DATAPATH_1=ebpf, daemon 2 on user): on a veth the
# kernel hands the peer what the ebpf end queued, GSO frames whole and
# checksums not filled in, which a userspace reader takes as they are. The
# ebpf end's underlay then finishes them as a NIC would (tx off; see
# ebpf_pw.sh and l2tpd(8), the ebpf datapath).
mixed_offloads() {
	local d o
	for d in 1 2; do
		o=$((3 - d))
		[ "$(dp_name "$d")" = ebpf ] && [ "$(dp_name "$o")" != ebpf ] || continue
		command -v ethtool >/dev/null || skip "ethtool not installed (mixed pair offloads)"
		ip netns exec "$PFX-$d" ethtool -K "u$d" tx off >/dev/null
	done
}

# ---- bounded waits ---------------------------------------------------------------
# wait_for DESC TRIES CMD...: runs CMD until it succeeds, at most TRIES times
# 0.05 s apart and at most TRIES/10+5 seconds; fails the test otherwise.
wait_for() {
	local desc=$1 tries=$2 i deadline
	shift 2
	deadline=$((SECONDS + tries / 10 + 5))
	for ((i = 0; i < tries; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		[ "$SECONDS" -lt "$deadline" ] || break
		check_daemons_alive
		sleep 0.05
	done
	fail "timed out waiting for $desc"
}

check_daemons_alive() {
	local d
	for d in "${!DPID[@]}"; do
		kill -0 "${DPID[$d]}" 2>/dev/null || fail "l2tpd$d (pid ${DPID[$d]}) died"
	done
}

link_exists() { ip -n "$PFX-$1" link show dev "$2"; }
wait_link() { wait_for "interface $2 in ns $1" 100 link_exists "$1" "$2"; }
wait_no_link() { wait_for "interface $2 gone from ns $1" 100 eval "! link_exists $1 $2"; }

operstate() { ip -n "$PFX-$1" -o link show dev "$2" 2>/dev/null | sed -n 's/.* state \([A-Z_]*\) .*/\1/p'; }
# wait_operstate NS IF STATE-REGEX
wait_operstate() {
	wait_for "operstate of $2 in ns $1 to match $3" 100 \
		eval "[[ \$(operstate $1 $2) =~ ^($3)\$ ]]"
}

# ---- l2tpd and the CLI -----------------------------------------------------------
sock() { echo "$T/l2tpd$1.sock"; }

# start_l2tpd D [ARGS...]: l2tpd -f in namespace D with its own socket, pid
# file and log; waits until its API answers. $L2TPD_ARGS (e.g. "-w 2") is
# added to every daemon's arguments. The datapath is the user one unless
# $L2TPD_DATAPATH says otherwise: these scenarios test it, also on a host
# whose kernel has L2TP (where "auto" would take the kernel's).
# $L2TPD_DATAPATH_<D> (e.g. L2TPD_DATAPATH_1=ebpf) sets daemon D's alone:
# mixed pairs, one datapath on each side.
start_l2tpd() {
	local d=$1 pid dpv
	shift
	dpv=L2TPD_DATAPATH_$d
	# ip netns exec execs the command (no fork), so $! is l2tpd's pid.
	# shellcheck disable=SC2086 # L2TPD_ARGS is a list of words
	ip netns exec "$PFX-$d" "$L2TPD" -f -S "$(sock "$d")" -P "$T/l2tpd$d.pid" \
		--datapath "${!dpv:-${L2TPD_DATAPATH:-user}}" ${L2TPD_ARGS:-} "$@" \
		>>"$T/l2tpd$d.log" 2>&1 &
	pid=$!
	DPID[$d]=$pid
	wait_for "l2tpd$d API socket" 200 api_ready "$d"
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$L2TPD")" ] ||
		fail "pid $pid is not l2tpd"
}

# tcx_links D: how many tcx links (attached programs) daemon D holds;
# prog_ids D: the ids of the BPF programs it holds (from /proc/PID/fdinfo,
# which any bpftool shows, also one that predates tcx); map_ids D: its maps'
# (tcx_links leaves out the one on the ebpf datapath's fragment device
# l2tpdfragN, which lives as long as the daemon)
tcx_links() {
	local fr f n=0
	fr=$(ip -n "$PFX-$1" -o link show | awk -F': ' '$2 ~ /^l2tpdfrag/ { printf "%s%s", s, $1; s = "|" }')
	for f in /proc/"${DPID[$1]}"/fdinfo/*; do
		grep -qs '^link_type:[[:space:]]*tcx' "$f" || continue
		[ -n "$fr" ] && grep -qsE "^ifindex:[[:space:]]*($fr)\$" "$f" && continue
		n=$((n + 1))
	done
	echo "$n"
}
prog_ids() {
	local f
	for f in /proc/"${DPID[$1]}"/fdinfo/*; do
		grep -q '^prog_type:' "$f" 2>/dev/null && sed -n 's/^prog_id:[[:space:]]*//p' "$f"
	done | sort -u
}
map_ids() {
	local f
	for f in /proc/"${DPID[$1]}"/fdinfo/*; do
		grep -q '^map_type:' "$f" 2>/dev/null && sed -n 's/^map_id:[[:space:]]*//p' "$f"
	done | sort -u
}
prog_exists() { bpftool prog show id "$1" >/dev/null 2>&1; }

# ebpf_kill D: SIGKILL ebpf daemon D; the kernel frees its programs (waited for)
ebpf_kill() {
	local ids id
	ids=$(prog_ids "$1")
	[ -n "$ids" ] || fail "l2tpd$1 holds no BPF program"
	for id in $ids; do prog_exists "$id" || fail "bpftool does not see program $id"; done
	kill -KILL "${DPID[$1]}"
	wait "${DPID[$1]}" 2>/dev/null || true
	unset "DPID[$1]"
	for id in $ids; do
		wait_for "program $id freed after SIGKILL" 100 eval "! prog_exists $id"
	done
}

# ebpf_stop_all IFNAME: stop_daemons (ebpf in namespaces 1 and 2); their
# programs are freed, and no veth peer l2tpdpN nor session device IFNAME is left
ebpf_stop_all() {
	local ids id n
	ids="$(prog_ids 1) $(prog_ids 2)"
	stop_daemons
	for id in $ids; do
		wait_for "program $id freed" 100 eval "! prog_exists $id"
	done
	for n in 1 2; do
		[ "$(count_links "$n" l2tpdp)" -eq 0 ] || fail "veth peers left in ns $n"
		[ "$(count_links "$n" "$1")" -eq 0 ] || fail "session device $1 left in ns $n"
	done
}

# require_ebpf D: skips the test (77) unless l2tpd can load its BPF
# programs in namespace D (a kernel without BPF, tcx or the privileges says
# why in l2tpd's log, and l2tpd exits). The probe daemon is stopped again.
require_ebpf() {
	local d=$1 pid i log=$T/ebpf-probe.log
	ip netns exec "$PFX-$d" "$L2TPD" -f -S "$T/ebpf-probe.sock" -P "$T/ebpf-probe.pid" \
		--datapath ebpf >"$log" 2>&1 &
	pid=$!
	BGPIDS+=("$pid")
	for ((i = 0; i < 200; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			skip "the ebpf datapath is unavailable here: $(grep -m1 'datapath ebpf' "$log" ||
				tail -n 1 "$log")"
		fi
		if [ -S "$T/ebpf-probe.sock" ] &&
			ASAN_OPTIONS=$CLI_ASAN_OPTIONS timeout 20 ip netns exec "$PFX-$d" "$L2TP" \
				-S "$T/ebpf-probe.sock" show tunnel >/dev/null 2>&1; then
			kill -TERM "$pid"
			wait "$pid" 2>/dev/null || fail "the ebpf probe l2tpd did not exit cleanly: $(tail -n 3 "$log")"
			return 0
		fi
		sleep 0.05
	done
	fail "the ebpf probe l2tpd neither started nor failed in 10 s"
}

api_ready() { [ -S "$(sock "$1")" ] && l2tpc "$1" show tunnel; }

# l2tpc D ARGS...: the CLI against daemon D (bounded by a timeout).
l2tpc() {
	local d=$1
	shift
	ASAN_OPTIONS=$CLI_ASAN_OPTIONS timeout 20 ip netns exec "$PFX-$d" "$L2TP" -S "$(sock "$d")" "$@"
}

# stop all daemons and check their exit status and logs for sanitizer reports
stop_daemons() {
	local d
	for d in "${!DPID[@]}"; do
		stop_l2tpd "$d"
		check_log "$d"
		[ "$DRC" -eq 0 ] || fail "l2tpd$d exited with status $DRC after SIGTERM"
	done
}

check_log() {
	local log=$T/l2tpd$1.log
	if [ -f "$log" ] && grep -qE 'Sanitizer|runtime error:' "$log"; then
		echo "--- l2tpd$1 log:"
		grep -E -A30 'Sanitizer|runtime error:' "$log" | head -n 60
		fail "l2tpd$1 reported a sanitizer error"
	fi
}

pass() {
	stop_daemons
	echo "PASS $TEST_NAME ($((SECONDS - T0)) s)"
	exit 0
}

# ---- traffic ---------------------------------------------------------------------
# ping_ok NS ADDR [PING-ARGS...]: at most 10 one-shot pings (first ones may
# wait for ARP/ND); fails the test if none is answered.
ping_ok() {
	local ns=$1 addr=$2 i
	shift 2
	for ((i = 0; i < 10; i++)); do
		if ip netns exec "$PFX-$ns" ping -c 1 -W 1 -q "$@" "$addr" >/dev/null 2>&1; then
			return 0
		fi
		check_daemons_alive
	done
	fail "no ping reply from $addr (ns $ns, ping $*)"
}

# ping_none NS ADDR [PING-ARGS...]: 3 pings, none may be answered.
ping_none() {
	local ns=$1 addr=$2
	shift 2
	if ip netns exec "$PFX-$ns" ping -c 3 -i 0.2 -W 1 -q "$@" "$addr" >/dev/null 2>&1; then
		fail "unexpected ping reply from $addr (ns $ns, ping $*)"
	fi
}

# ping_n NS ADDR COUNT: COUNT pings at 10 ms; all but one must be answered.
ping_n() {
	local out rx
	out=$(ip netns exec "$PFX-$1" ping -c "$3" -i 0.01 -W 1 -q "$2" 2>&1) || true
	rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ -n "$rx" ] && [ "$rx" -ge $(($3 - 1)) ] || fail "ping $2 x$3 from ns $1: ${rx:-0} replies"
}

# ---- JSON views of the daemon's state --------------------------------------------
# session_json D TID SID: the -s -j object of one session
session_json() {
	l2tpc "$1" -s -j show session tunnel_id "$2" session_id "$3" | jq -ce '(if type == "array" then .[0] else . end)'
}

# pstat D TID SID REGEX: first numeric value of a key matching REGEX (searched
# anywhere in the session object, e.g. "rx_packets" or a nested stats object).
pstat() {
	session_json "$1" "$2" "$3" |
		jq -r --arg re "$4" '[paths(numbers) as $p | select(($p[-1] | tostring) | test($re)) | getpath($p)] | .[0] // empty'
}

# ---- pseudowire building blocks ----------------------------------------------------
# tunnel_pair ENCAP TID1 TID2 [PORT1 PORT2]: tunnel TID1 in daemon 1 and its
# mirror TID2 in daemon 2 over the underlay $A1 <-> $A2 (ports for encap udp).
tunnel_pair() {
	local encap=$1 t1=$2 t2=$3 p1=${4:-} p2=${5:-}
	local -a x1=() x2=()
	if [ "$encap" = udp ]; then
		x1=(udp_sport "$p1" udp_dport "$p2")
		x2=(udp_sport "$p2" udp_dport "$p1")
	fi
	l2tpc 1 add tunnel tunnel_id "$t1" peer_tunnel_id "$t2" encap "$encap" \
		local "$A1" remote "$A2" "${x1[@]}"
	l2tpc 2 add tunnel tunnel_id "$t2" peer_tunnel_id "$t1" encap "$encap" \
		local "$A2" remote "$A1" "${x2[@]}"
}

# session_pair TID1 SID1 TID2 SID2 IFNAME [ARGS...]: session SID1 in tunnel
# TID1 (daemon 1) and its mirror (daemon 2), both with interface IFNAME (or
# the default l2tpethN if IFNAME is "-"), same extra ARGS on both ends.
session_pair() {
	local t1=$1 s1=$2 t2=$3 s2=$4 ifn=$5
	local -a nm=()
	shift 5
	[ "$ifn" = - ] || nm=(name "$ifn")
	l2tpc 1 add session "${nm[@]}" tunnel_id "$t1" session_id "$s1" peer_session_id "$s2" "$@"
	l2tpc 2 add session "${nm[@]}" tunnel_id "$t2" session_id "$s2" peer_session_id "$s1" "$@"
}

# inner4 IF1 IF2 ADDR1 ADDR2 [MTU]: point-to-point IPv4 over the pseudowire
# (IF1 in ns 1 gets ADDR1, IF2 in ns 2 ADDR2), links up (with MTU).
inner4() {
	wait_link 1 "$1"
	wait_link 2 "$2"
	ip -n "$PFX-1" link set "$1" up ${5:+mtu "$5"}
	ip -n "$PFX-2" link set "$2" up ${5:+mtu "$5"}
	ip -n "$PFX-1" addr add "$3" peer "$4" dev "$1"
	ip -n "$PFX-2" addr add "$4" peer "$3" dev "$2"
	wait_operstate 1 "$1" 'UP|UNKNOWN'
	wait_operstate 2 "$2" 'UP|UNKNOWN'
}

# count of interfaces in ns N whose name starts with PREFIX
count_links() {
	ip -n "$PFX-$1" -o link show | awk -F': ' -v p="$2" 'index($2, p) == 1' | wc -l
}

# ---- underlay captures (tshark) ----------------------------------------------------
# cap_start NS IF: capture IF in namespace NS into $CAP (UDP, IP protocol 115,
# IPv6). Returns 1 (no capture) if tshark is not installed.
cap_start() {
	command -v tshark >/dev/null || return 1
	CAP=$T/cap.pcapng
	ip netns exec "$PFX-$1" tshark -q -n -i "$2" -f "udp or ip proto 115 or ip6" -w "$CAP" \
		>"$T/tshark.log" 2>&1 &
	CAP_PID=$!
	BGPIDS+=("$CAP_PID")
	wait_for "tshark to capture" 200 grep -q "Capturing on" "$T/tshark.log"
}

# cap_mark NS ADDR: pings ADDR from NS with a marker payload until the echo
# and its reply are in the capture file. "Capturing on" is printed a little
# before packets are really captured, and dumpcap writes its file in batches
# and drops what it has not written yet on SIGINT: call this after
# cap_start and before cap_stop.
cap_mark() {
	local pat
	pat=$(printf '%04x%04x' $((RANDOM)) $((RANDOM)))
	wait_for "marker ping in the capture" 100 cap_mark_seen "$1" "$2" "$pat"
}
cap_mark_seen() {
	local hex
	ip netns exec "$PFX-$1" ping -c 1 -W 1 -q -p "$3" "$2" >/dev/null 2>&1 || true
	hex=$(echo "$3$3" | sed 's/../&:/g; s/:$//')
	[ "$(tshark -n -r "$CAP" -Y "frame contains $hex" 2>/dev/null | wc -l)" -ge 2 ]
}

# cap_fill NS ADDR MIN FILTER: pings ADDR from NS, one at a time, until the
# capture holds at least MIN packets that the display FILTER matches, or
# fails after wait_for's bound (100 tries, 15 s). A busy machine may
# capture fewer of a test's packets than it sent; a check that counts
# them then has enough to look at. FILTER selects packets whatever their
# checksums are, so a check of those still sees every bad one.
cap_fill() {
	wait_for "$3 packets ($4) in the capture" 100 cap_fill_seen "$@"
}
cap_fill_seen() {
	[ "$(tshark -n -r "$CAP" -Y "$4" 2>/dev/null | wc -l)" -ge "$3" ] && return 0
	ip netns exec "$PFX-$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1 || true
	return 1
}

# cap_stop NS ADDR: marks the end of the traffic (cap_mark) and stops tshark.
cap_stop() {
	local i
	cap_mark "$1" "$2"
	kill -INT "$CAP_PID"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$CAP_PID" 2>/dev/null && fail "tshark did not stop"
	wait "$CAP_PID" || true
	[ -s "$CAP" ] || fail "empty capture: $(cat "$T/tshark.log")"
}

# ---- throughput (managed_*.sh) ------------------------------------------------------
iperf_listening() { ip netns exec "$PFX-2" ss -Hltn "sport = :$1" | grep -q .; }

# iperf_tcp IFNAME ADDR PORT: 2 s of TCP from ns 1 to ADDR (in ns 2) through IFNAME
# (skipped with a note when iperf3 is missing); fails on no throughput.
iperf_tcp() {
	local ifn=$1 addr=$2 port=$3 json=$T/iperf-$1.json bps
	if ! command -v iperf3 >/dev/null; then
		say "iperf3 not installed: no throughput run through $ifn"
		return 0
	fi
	ip netns exec "$PFX-2" iperf3 -s -1 -B "$addr" -p "$port" >"$T/iperf-s-$ifn.log" 2>&1 &
	BGPIDS+=("$!")
	wait_for "iperf3 server on $addr:$port" 100 iperf_listening "$port"
	timeout 20 ip netns exec "$PFX-1" iperf3 -c "$addr" -p "$port" -t 2 -J "${@:4}" >"$json" 2>&1 ||
		fail "iperf3 through $ifn failed: $(tail -n 3 "$json")"
	bps=$(jq -r '.end.sum_received.bits_per_second // 0 | floor' "$json")
	say "$ifn: $((bps / 1000000)) Mbit/s TCP for 2 s"
	[ "$bps" -gt 0 ] || fail "no throughput through $ifn"
}
