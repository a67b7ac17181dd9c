# SPDX-License-Identifier: MIT
# tests/interop/v2/lib.sh - L2TPv2 interop scenarios against third-party peers
# (xl2tpd, l2tpns), sourced after tests/net/lib.sh conventions (it sources it).
#
# The machine has no kernel PPP, so every pppd that xl2tpd runs is our
# stand-in, build*/tests/fakepppd (tests/interop/v2/fakepppd.c): xl2tpd execs
# the hard-coded /usr/sbin/pppd, so start_xl2tpd_* run xl2tpd in a private
# mount namespace (unshare -m) where the stand-in is bind-mounted over
# /usr/sbin/pppd; the host's file is never touched and the mount dies with
# the daemon.
#
# Topology (v2_topology): namespace 1 = the LAC side, 2 = the LNS side,
# joined by veth u1/u2 with 192.0.2.1 (LAC) and 192.0.2.2 (LNS).
# PPP addresses: the LNS is 198.51.100.1, its pool gives 198.51.100.2...
# Users (PPP): alice / alice-secret (PAP and CHAP secrets files of the LNS).
# Tunnel secret (xl2tpd "challenge", RFC 2661 §4.2 / §5.1.1): V2_TUNNEL_SECRET.
#
#   start_xl2tpd_lns NS [pap|chap] [SECRET]   xl2tpd LNS in NS on $LNS_IP
#   start_xl2tpd_lac NS LNS-IP [pap|chap] [SECRET] [USER] [PASS]
#                                            xl2tpd LAC in NS, dials at once
#   start_l2tpns_lns NS [pap|chap]           l2tpns LNS in NS (own PPP, TUN)
#   stop_peer NAME                           SIGTERM (bounded), then SIGKILL
#   ppp_log NAME                             cat of that daemon's fakepppd logs
#   wait_ppp_up NAME                         fakepppd said ipcp=up
#   ppp_ifname NAME                          the TUN the stand-in made
#   xl2tpd_hangup NAME                       "d lac" over the control pipe
# NAME is lns or lac (one of each per test), or any name a start_* was given
# through PEER_NAME=... .
# shellcheck disable=SC2034 # variables read by the scenarios

. "$(dirname "${BASH_SOURCE[0]}")/../../net/lib.sh"

B_DIR=${B:-build-asan}
FAKEPPPD=${FAKEPPPD:-$TOP/$B_DIR/tests/fakepppd}
[ -x "$FAKEPPPD" ] || FAKEPPPD=$TOP/build/tests/fakepppd
LAC_IP=192.0.2.1
LNS_IP=192.0.2.2
PPP_LNS_IP=198.51.100.1
PPP_POOL_FIRST=198.51.100.2
PPP_POOL_LAST=198.51.100.50
PPP_USER=alice
PPP_PASS=alice-secret
V2_TUNNEL_SECRET=tunnel-secret-1
declare -A PEERPID=() # name -> pid of a third-party daemon we started

# require_v2: root, namespaces, TUN, the stand-in (l2tpd is not needed by
# third-party-only scenarios: require_base checks it for the others)
require_v2() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
	ip netns list >/dev/null 2>&1 || skip "'ip netns' unavailable"
	[ -c /dev/net/tun ] || skip "/dev/net/tun missing (no TUN support)"
	command -v ping >/dev/null || skip "ping not installed"
	T=$(mktemp -d "/tmp/l2tpv2.$TEST_NAME.XXXXXX")
	[ -x "$FAKEPPPD" ] || skip "fakepppd not built ($FAKEPPPD)"
	command -v unshare >/dev/null || skip "unshare not installed"
	[ -e /usr/sbin/pppd ] || skip "/usr/sbin/pppd missing (package ppp): nothing to bind-mount over"
}

v2_topology() {
	setup_ns 1 2
	underlay4
}

# The PPP options file the stand-in reads (xl2tpd's "pppoptfile").
# ppp_optfile NAME ROLE(lns|lac) AUTH(pap|chap|none) [USER] [PASS]
ppp_optfile() {
	local name=$1 role=$2 auth=$3 user=${4:-$PPP_USER} pass=${5:-$PPP_PASS} f
	f=$T/$name.options
	{
		echo "# fakepppd options for $name ($role, $auth)"
		echo "logfile $T/$name.ppp.log"
		echo "noipv6"
		echo "lcp-echo-interval 5"
		echo "mru 1400"
		if [ "$role" = lns ]; then
			echo "name $name"
			echo "secrets $T/$name.secrets"
			case $auth in
			pap) echo "require-pap" ;;
			chap) echo "require-chap" ;;
			esac
		else
			echo "user $user"
			echo "password $pass"
		fi
	} >"$f"
	# client server secret ip: the users the LNS knows
	printf '%s * %s *\n' "$PPP_USER" "$PPP_PASS" >"$T/$name.secrets"
	echo "$f"
}

# run_in_pppd_ns NS CMD...: CMD in namespace NS with fakepppd bind-mounted
# over /usr/sbin/pppd in a private mount namespace; exec chain keeps one PID.
run_in_pppd_ns() {
	local ns=$1
	shift
	ip netns exec "$PFX-$ns" unshare -m --propagation private \
		sh -c 'mount --bind "$0" /usr/sbin/pppd && exec "$@"' "$FAKEPPPD" "$@"
}

# start_xl2tpd_lns NS [pap|chap|none] [TUNNEL-SECRET|""]
start_xl2tpd_lns() {
	local ns=$1 auth=${2:-chap} secret=${3-} name=${PEER_NAME:-lns} conf opt
	opt=$(ppp_optfile "$name" lns "$auth")
	conf=$T/$name.conf
	{
		echo "[global]"
		echo "listen-addr = $LNS_IP"
		echo "port = 1701"
		echo "access control = no"
		[ -n "$secret" ] && echo "auth file = $T/$name.l2tp-secrets"
		echo "[lns default]"
		echo "ip range = $PPP_POOL_FIRST-$PPP_POOL_LAST"
		echo "local ip = $PPP_LNS_IP"
		echo "name = $name"
		echo "length bit = yes"
		echo "pppoptfile = $opt"
		case $auth in
		pap) echo "require pap = yes"; echo "refuse chap = yes"; echo "require authentication = yes" ;;
		chap) echo "require chap = yes"; echo "refuse pap = yes"; echo "require authentication = yes" ;;
		*) echo "require authentication = no" ;;
		esac
		if [ -n "$secret" ]; then echo "challenge = yes"; else echo "challenge = no"; fi
	} >"$conf"
	[ -n "$secret" ] && printf '* * %s\n' "$secret" >"$T/$name.l2tp-secrets"
	start_xl2tpd "$ns" "$name" "$conf"
}

# start_xl2tpd_lac NS LNS-IP [pap|chap|none] [TUNNEL-SECRET|""] [USER] [PASS]
start_xl2tpd_lac() {
	local ns=$1 lns=$2 auth=${3:-chap} secret=${4-} user=${5:-$PPP_USER} pass=${6:-$PPP_PASS}
	local name=${PEER_NAME:-lac} conf opt
	opt=$(ppp_optfile "$name" lac "$auth" "$user" "$pass")
	conf=$T/$name.conf
	{
		echo "[global]"
		echo "listen-addr = $LAC_IP"
		echo "port = 1701"
		[ -n "$secret" ] && echo "auth file = $T/$name.l2tp-secrets"
		echo "[lac $name]"
		echo "lns = $lns"
		echo "name = $name"
		echo "length bit = yes"
		echo "autodial = yes"
		echo "redial = no"
		echo "require authentication = no"
		echo "pppoptfile = $opt"
		if [ -n "$secret" ]; then echo "challenge = yes"; else echo "challenge = no"; fi
	} >"$conf"
	[ -n "$secret" ] && printf '* * %s\n' "$secret" >"$T/$name.l2tp-secrets"
	start_xl2tpd "$ns" "$name" "$conf"
}

# start_xl2tpd NS NAME CONF: xl2tpd in the foreground, logs in $T/NAME.log
start_xl2tpd() {
	local ns=$1 name=$2 conf=$3
	command -v xl2tpd >/dev/null || skip "xl2tpd not installed (scripts/deps.sh)"
	run_in_pppd_ns "$ns" xl2tpd -D -c "$conf" -p "$T/$name.pid" -C "$T/$name.control" \
		>"$T/$name.log" 2>&1 &
	PEERPID[$name]=$!
	wait_for "xl2tpd $name control pipe" 100 test -p "$T/$name.control"
}

check_peers_alive() {
	local n
	for n in "${!PEERPID[@]}"; do
		kill -0 "${PEERPID[$n]}" 2>/dev/null || fail "$n (pid ${PEERPID[$n]}) died: $(tail -n 5 "$T/$n.log")"
	done
}

# stop_peer NAME: SIGTERM, 5 s bounded, then SIGKILL
stop_peer() {
	local name=$1 pid=${PEERPID[$1]:-} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "PEERPID[$name]"
}

ppp_log() { cat "$T/$1.ppp.log" 2>/dev/null || true; }
ppp_has() { grep -qE "$2" "$T/$1.ppp.log" 2>/dev/null; }
wait_ppp() { wait_for "$1's pppd: $2" "${3:-200}" ppp_has "$1" "$2"; }
wait_ppp_up() { wait_ppp "$1" 'ipcp=up .*ifname=ppp'; }
# the TUN of the last ipcp=up of NAME's stand-in
ppp_ifname() { sed -n 's/.*ipcp=up .*ifname=\([^ ]*\).*/\1/p' "$T/$1.ppp.log" | tail -n 1; }
ppp_local() { sed -n 's/.*ipcp=up local=\([^ ]*\).*/\1/p' "$T/$1.ppp.log" | tail -n 1; }

# xl2tpd_cmd NAME LINE: one command over xl2tpd's control pipe (bounded)
xl2tpd_cmd() { timeout 5 sh -c 'echo "$1" >"$0"' "$T/$1.control" "$2"; }

# v2_cleanup: stops the third-party daemons (their stand-ins go with their
# ptys) before tests/net/lib.sh's cleanup removes the namespaces.
v2_cleanup() {
	local n
	for n in "${!PEERPID[@]}"; do stop_peer "$n"; done
	cleanup
}
trap v2_cleanup EXIT

# tests/net/lib.sh's waits call this: also notice a dead xl2tpd/l2tpns
check_daemons_alive() {
	local d
	for d in "${!DPID[@]}"; do
		kill -0 "${DPID[$d]}" 2>/dev/null || fail "l2tpd$d (pid ${DPID[$d]}) died"
	done
	check_peers_alive
}

v2_pass() {
	local n
	for n in "${!PEERPID[@]}"; do stop_peer "$n"; done
	if grep -l -E 'Sanitizer|runtime error:' "$T"/*.ppp.log >/dev/null 2>&1; then
		fail "fakepppd reported a sanitizer error: $(grep -h -E -A5 'Sanitizer|runtime error:' "$T"/*.ppp.log | head -20)"
	fi
	pass
}

# ---- captures of the L2TP underlay (tshark) ----------------------------------------
# v2_cap_start NS IF: capture UDP on IF in NS into $CAP
v2_cap_start() {
	command -v tshark >/dev/null || skip "tshark not installed"
	CAP=$T/l2tp.pcapng
	ip netns exec "$PFX-$1" tshark -q -n -i "$2" -f udp -w "$CAP" >"$T/tshark.log" 2>&1 &
	CAP_PID=$!
	BGPIDS+=("$CAP_PID")
	wait_for "tshark to capture" 200 grep -q "Capturing on" "$T/tshark.log"
	# "Capturing on" comes a little before packets are really captured
	v2_cap_mark "$1"
}

# v2_cap_mark NS: UDP datagrams with a fresh marker from NS to the LNS's
# discard port until one is in the capture file (dumpcap writes in batches).
v2_cap_mark() {
	MARK=mark$RANDOM$RANDOM
	wait_for "marker $MARK in the capture" 100 v2_cap_mark_seen "$1" "$MARK"
}
v2_cap_mark_seen() {
	ip netns exec "$PFX-$1" bash -c "echo $2 >/dev/udp/$LNS_IP/9" 2>/dev/null || true
	[ "$(tshark -n -r "$CAP" -Y "frame contains \"$2\"" 2>/dev/null | wc -l)" -ge 1 ]
}

# v2_cap_stop NS: marks the end of the traffic and stops tshark: the net
# lib's cap_stop, with its ICMP marker (which needs an inner path, gone after
# a teardown) replaced by the UDP one.
v2_cap_stop() {
	cap_mark() { v2_cap_mark "$1"; }
	cap_stop "$1" "$LNS_IP"
}

# cap_count FILTER: packets of $CAP matching a tshark display filter
cap_count() { tshark -n -r "$CAP" -Y "$1" 2>/dev/null | wc -l; }

# v2_cap_check FILTER...: no malformed packet, and each FILTER matched at least once
v2_cap_check() {
	local f n
	n=$(cap_count '_ws.malformed || _ws.expert.severity == error')
	[ "$n" -eq 0 ] || fail "tshark: $n malformed packets: $(tshark -n -r "$CAP" -Y _ws.malformed 2>/dev/null | head -5)"
	for f in "$@"; do
		n=$(cap_count "$f")
		[ "$n" -gt 0 ] || fail "capture has no packet matching '$f'"
	done
	say "capture: $(cap_count l2tp) L2TP packets, none malformed; matched: $*"
}

# L2TPv2 message types (AVP 0) as tshark filters
V2_SCCRQ='l2tp.version == 2 && l2tp.avp.message_type == 1'
V2_SCCRP='l2tp.avp.message_type == 2'
V2_SCCCN='l2tp.avp.message_type == 3'
V2_STOPCCN='l2tp.avp.message_type == 4'
V2_ICRQ='l2tp.avp.message_type == 10'
V2_ICCN='l2tp.avp.message_type == 12'
V2_CDN='l2tp.avp.message_type == 14'
