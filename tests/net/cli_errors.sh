#!/bin/bash
# SPDX-License-Identifier: MIT
# cli_errors.sh: every bad input to `l2tp` gets exactly one line on stderr,
# nothing on stdout and a non-zero exit status, and leaves the daemon's state
# unchanged: unknown keywords, missing parameters, ids out of range or zero,
# bad cookies, address family mismatch, missing udp ports, duplicate ids,
# unknown ids, daemon not running.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1
ip -n "$PFX-1" link add u1 type veth peer name u1p
ip -n "$PFX-1" link set u1 up
ip -n "$PFX-1" link set u1p up
ip -n "$PFX-1" addr add 192.0.2.1/24 dev u1
ip -n "$PFX-1" addr add 2001:db8:1::1/64 dev u1 nodad
start_l2tpd 1

L=192.0.2.1 R=192.0.2.2 L6=2001:db8:1::1 R6=2001:db8:1::2
l2tpc 1 add tunnel tunnel_id 10 peer_tunnel_id 20 encap udp local $L remote $R udp_sport 5000 udp_dport 6000
l2tpc 1 add session tunnel_id 10 session_id 1 peer_session_id 2
wait_link 1 l2tpeth0
state0=$(l2tpc 1 -j show session; l2tpc 1 -j show tunnel)

nbad=0
# bad DESC ARGS...: the CLI (against daemon 1 unless ARGS start with -S)
# must fail with one stderr line and no stdout.
bad() {
	local desc=$1 rc=0 out err nl
	local -a s=(-S "$(sock 1)")
	shift
	[ "${1:-}" != -S ] || s=()
	out=$(ASAN_OPTIONS=$CLI_ASAN_OPTIONS timeout 20 ip netns exec "$PFX-1" \
		"$L2TP" "${s[@]}" "$@" 2>"$T/err") || rc=$?
	err=$(cat "$T/err")
	nl=$(grep -c '' "$T/err" || true)
	if [ "$rc" -eq 0 ]; then
		echo "NOT REFUSED ($desc): l2tp $*"
		nbad=$((nbad + 1))
	elif [ "$rc" -ge 124 ]; then
		echo "CRASH/TIMEOUT rc=$rc ($desc): l2tp $*: $err"
		nbad=$((nbad + 1))
	elif [ "$nl" -ne 1 ] || [ -z "$err" ] || [ -n "$out" ]; then
		echo "NOT ONE LINE ($desc): l2tp $*"
		echo "  stdout: $out"
		sed 's/^/  stderr: /' "$T/err"
		nbad=$((nbad + 1))
	else
		printf '  ok %-28s rc=%d  %s\n' "$desc" "$rc" "$err"
	fi
}

# says PATTERN DESC ARGS...: bad, and the one line must match PATTERN.
says() {
	local pat=$1
	shift
	bad "$@"
	grep -qE "$pat" "$T/err" || {
		echo "WRONG REASON ($1): wanted /$pat/, got: $(cat "$T/err")"
		nbad=$((nbad + 1))
	}
}

T4=(local "$L" remote "$R")
U=(udp_sport 5001 udp_dport 6001)

say "unknown keywords"
bad "unknown command" frobnicate tunnel
bad "unknown object" add tunel tunnel_id 11 peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "unknown tunnel keyword" add tunnel tunnel_id 11 peer_tunnel_id 21 "${T4[@]}" "${U[@]}" colour blue
bad "unknown session keyword" add session tunnel_id 10 session_id 3 peer_session_id 4 flavour x
bad "unknown encap" add tunnel tunnel_id 11 peer_tunnel_id 21 encap gre "${T4[@]}"
bad "unknown seq value" add session tunnel_id 10 session_id 3 peer_session_id 4 seq sometimes
bad "unknown l2spec_type" add session tunnel_id 10 session_id 3 peer_session_id 4 l2spec_type fancy
bad "unknown show object" show tunnels_and_more
bad "unknown option" -Z show tunnel

say "missing parameters"
bad "add without object" add
bad "no tunnel_id" add tunnel peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "no peer_tunnel_id" add tunnel tunnel_id 11 "${T4[@]}" "${U[@]}"
bad "no local" add tunnel tunnel_id 11 peer_tunnel_id 21 remote $R "${U[@]}"
bad "no remote" add tunnel tunnel_id 11 peer_tunnel_id 21 local $L "${U[@]}"
bad "port keyword as value" add tunnel tunnel_id 11 peer_tunnel_id 21 "${T4[@]}" "${U[@]::3}" udp_dport
bad "keyword without value" add session tunnel_id 10 session_id 3 peer_session_id
bad "cookie without value" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie
bad "session: no tunnel_id" add session session_id 3 peer_session_id 4
bad "session: no session_id" add session tunnel_id 10 peer_session_id 4
bad "session: no peer_session_id" add session tunnel_id 10 session_id 3
bad "del tunnel: no tunnel_id" del tunnel
bad "del session: no session_id" del session tunnel_id 10

say "ids out of range, zero or not numbers"
bad "tunnel_id 0" add tunnel tunnel_id 0 peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "peer_tunnel_id 0" add tunnel tunnel_id 11 peer_tunnel_id 0 "${T4[@]}" "${U[@]}"
bad "tunnel_id 2^32" add tunnel tunnel_id 4294967296 peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "tunnel_id -1" add tunnel tunnel_id -1 peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "tunnel_id abc" add tunnel tunnel_id abc peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "tunnel_id 12x" add tunnel tunnel_id 12x peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "tunnel_id empty" add tunnel tunnel_id "" peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
bad "session_id 0" add session tunnel_id 10 session_id 0 peer_session_id 4
bad "peer_session_id 0" add session tunnel_id 10 session_id 3 peer_session_id 0
bad "session_id 2^32" add session tunnel_id 10 session_id 4294967296 peer_session_id 4
bad "udp_sport 65536" add tunnel tunnel_id 11 peer_tunnel_id 21 "${T4[@]}" udp_sport 65536 udp_dport 6001
bad "udp_dport x" add tunnel tunnel_id 11 peer_tunnel_id 21 "${T4[@]}" udp_sport 5001 udp_dport x

say "cookies must be 8 or 16 hex digits"
bad "cookie 6 digits" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie 010203
bad "cookie 10 digits" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie 0102030405
bad "cookie 17 digits" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie 0123456789abcdef0
bad "cookie 32 digits" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie 0123456789abcdef0123456789abcdef
bad "cookie not hex" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie 0102030g
bad "cookie 0x prefix" add session tunnel_id 10 session_id 3 peer_session_id 4 cookie 0x010203
bad "peer_cookie 7 digits" add session tunnel_id 10 session_id 3 peer_session_id 4 peer_cookie 0102030
bad "peer_cookie not hex" add session tunnel_id 10 session_id 3 peer_session_id 4 peer_cookie zzzzzzzzzzzzzzzz

say "interface names"
bad "name too long" add session name abcdefghijklmnop tunnel_id 10 session_id 3 peer_session_id 4
bad "name with slash" add session name a/b tunnel_id 10 session_id 3 peer_session_id 4
bad "name empty" add session name "" tunnel_id 10 session_id 3 peer_session_id 4

say "addresses"
bad "family mismatch 4/6" add tunnel tunnel_id 11 peer_tunnel_id 21 local $L remote $R6 "${U[@]}"
bad "family mismatch 6/4" add tunnel tunnel_id 11 peer_tunnel_id 21 local $L6 remote $R "${U[@]}"
bad "bad address" add tunnel tunnel_id 11 peer_tunnel_id 21 local 192.0.2.300 remote $R "${U[@]}"

say "udp ports required for encap udp"
bad "no ports" add tunnel tunnel_id 11 peer_tunnel_id 21 encap udp "${T4[@]}"
bad "no udp_sport" add tunnel tunnel_id 11 peer_tunnel_id 21 encap udp "${T4[@]}" udp_dport 6001
bad "no udp_dport" add tunnel tunnel_id 11 peer_tunnel_id 21 encap udp "${T4[@]}" udp_sport 5001
bad "default encap udp, no ports" add tunnel tunnel_id 11 peer_tunnel_id 21 "${T4[@]}"

say "duplicates and unknown ids (the daemon refuses)"
says "^l2tp: tunnel 10 already exists" \
	"duplicate tunnel_id" add tunnel tunnel_id 10 peer_tunnel_id 21 "${T4[@]}" "${U[@]}"
says "session 1 in tunnel 10 already exists" \
	"duplicate session_id" add session tunnel_id 10 session_id 1 peer_session_id 9
says "interface name l2tpeth0 is in use" \
	"duplicate interface name" add session name l2tpeth0 tunnel_id 10 session_id 3 peer_session_id 4
says "tunnel 99 does not exist" \
	"session in unknown tunnel" add session tunnel_id 99 session_id 3 peer_session_id 4
says "tunnel 99 does not exist" "del unknown tunnel" del tunnel tunnel_id 99
says "session 99 in tunnel 10 does not exist" \
	"del unknown session" del session tunnel_id 10 session_id 99
says "in use" \
	"udp port in use" add tunnel tunnel_id 12 peer_tunnel_id 22 "${T4[@]}" udp_sport 5000 udp_dport 6002
bad "local address not ours" add tunnel tunnel_id 13 peer_tunnel_id 23 local 198.51.100.1 remote $R "${U[@]}"
# RFC 3931 §4.1.1.1: over IP, one session id per host and address family
l2tpc 1 add tunnel tunnel_id 14 peer_tunnel_id 24 encap ip "${T4[@]}"
l2tpc 1 add tunnel tunnel_id 15 peer_tunnel_id 25 encap ip local $L remote 192.0.2.3
l2tpc 1 add session name ipx tunnel_id 14 session_id 7 peer_session_id 8
says "session id 7 is in use by tunnel 14" \
	"ip session id in another tunnel" add session name ipy tunnel_id 15 session_id 7 peer_session_id 8
l2tpc 1 del tunnel tunnel_id 14
l2tpc 1 del tunnel tunnel_id 15
wait_no_link 1 ipx

say "daemon not running"
bad "no such socket" -S "$T/nonexistent.sock" show tunnel
: >"$T/not-a-socket"
bad "not a socket" -S "$T/not-a-socket" show tunnel

say "the largest ids are fine (IDs are 1..4294967295)"
l2tpc 1 add tunnel tunnel_id 4294967295 peer_tunnel_id 4294967295 encap ip local $L remote $R
l2tpc 1 add session name big tunnel_id 4294967295 session_id 4294967295 peer_session_id 4294967295
jq -e '.[0].session_id == 4294967295' <<<"$(l2tpc 1 -j show session tunnel_id 4294967295 session_id 4294967295)" >/dev/null ||
	fail "session 4294967295 not shown"
l2tpc 1 del tunnel tunnel_id 4294967295
wait_no_link 1 big

say "the daemon is alive and its state unchanged"
check_daemons_alive
state1=$(l2tpc 1 -j show session; l2tpc 1 -j show tunnel)
[ "$state0" = "$state1" ] || fail "state changed: before $state0 after $state1"
[ "$(count_links 1 l2tpeth)" -eq 1 ] || fail "an interface appeared or vanished"
[ "$nbad" -eq 0 ] || fail "$nbad bad inputs not handled as required"
pass
