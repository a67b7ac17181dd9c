#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_monitor.sh: the events of managed tunnels, both ways l2tpd gives
# them. `l2tp monitor` (text) and `l2tp -j monitor` (one JSON object a line)
# running in ns 1 see a refused SCCRQ ("refused"), then a tunnel and its
# session come up and go down ("tunnel-up", "session-up", "session-down",
# "tunnel-down", in that order, with the tunnel id, remote end id and
# interface); `l2tpd --event-hook PROG` runs PROG for the same events with
# the event as $1 and its details in L2TP_* variables.
. "$(dirname "$0")/lib.sh"
require_base
setup_ns 1 2
underlay4

cat >"$T/hook.sh" <<'HOOK'
#!/bin/sh
# event hook: one line per event
echo "$1 ${L2TP_TUNNEL_ID:-} ${L2TP_IFNAME:-} event=${L2TP_EVENT:-} reid=${L2TP_REMOTE_END_ID:-} peer=${L2TP_PEER:-}" \
	>>"$(dirname "$0")/hook.out"
HOOK
chmod +x "$T/hook.sh"
start_l2tpd 1 --event-hook "$T/hook.sh"
start_l2tpd 2

# monitor FILE [-j]: l2tp monitor against daemon 1, in the background
monitor() {
	local out=$1
	shift
	ASAN_OPTIONS=$CLI_ASAN_OPTIONS ip netns exec "$PFX-1" "$L2TP" -S "$(sock 1)" "$@" monitor \
		>"$out" 2>"$out.err" &
	BGPIDS+=("$!")
}
monitor "$T/mon.txt"
monitor "$T/mon.json" -j

# Both monitors must be listening before the events that count: B knocks
# (an SCCRQ daemon 1 has no tunnel for) until both have seen the refusal;
# B's initiator retries (1 s, 2 s, ...) until then. Daemon 1 listens on
# 1701 for a managed tunnel of another peer (an acceptor: it stays idle).
say "a refused SCCRQ: both monitors report it"
l2tpc 1 add tunnel tunnel_id 5 remote 192.0.2.9 local "$A1" control on role accept
l2tpc 2 add tunnel tunnel_id 99 remote "$A1" local "$A2" control on hostname knocker
wait_for "the monitors to report the refused SCCRQ" 200 eval \
	"grep -q '^refused' '$T/mon.txt' && grep -q '\"event\":\"refused\"' '$T/mon.json'"
l2tpc 2 del tunnel tunnel_id 99
grep '^refused' "$T/mon.txt" | head -n 1
grep -q 'peer_hostname knocker' "$T/mon.txt" || fail "refused event lacks the peer's host name"

say "a tunnel and its session come up and go down"
l2tpc 2 add tunnel tunnel_id 20 remote "$A1" local "$A2" control on role accept
l2tpc 2 add session tunnel_id 20 remote_end_id vc-mon name l2tpmon
l2tpc 1 add tunnel tunnel_id 10 remote "$A2" local "$A1" control on
l2tpc 1 add session tunnel_id 10 remote_end_id vc-mon name l2tpmon
wait_link 1 l2tpmon
wait_link 2 l2tpmon
l2tpc 1 del tunnel tunnel_id 10
wait_no_link 1 l2tpmon
wait_no_link 2 l2tpmon

want="tunnel-up session-up session-down tunnel-down"
wait_for "tunnel-down in the text monitor" 100 grep -q '^tunnel-down' "$T/mon.txt"
wait_for "tunnel-down in the JSON monitor" 100 grep -q '"event":"tunnel-down"' "$T/mon.json"
cat "$T/mon.txt"

say "text monitor: the four events, in order, with their details"
got=$(awk '$1 != "refused" { printf "%s%s", s, $1; s = " " }' "$T/mon.txt")
[ "$got" = "$want" ] || fail "text monitor: '$got', expected '$want'"
for ev in tunnel-up tunnel-down; do
	grep -E "^$ev .*tunnel_id 10( |$)" "$T/mon.txt" >/dev/null || fail "$ev without tunnel_id 10"
done
for ev in session-up session-down; do
	grep -E "^$ev .*tunnel_id 10 .*remote_end_id vc-mon .*interface l2tpmon" "$T/mon.txt" \
		>/dev/null || fail "$ev without tunnel id, remote end id and interface"
done

say "JSON monitor: one object a line, the same events"
jq -e -s 'length >= 5' "$T/mon.json" >/dev/null || fail "JSON monitor output does not parse"
got=$(jq -r -s '[.[] | select(.event != "refused") | .event] | join(" ")' "$T/mon.json")
[ "$got" = "$want" ] || fail "JSON monitor: '$got', expected '$want'"
jq -e -s '[.[] | select(.event == "session-up")][0] |
	.tunnel_id == 10 and .remote_end_id == "vc-mon" and .interface == "l2tpmon"' \
	"$T/mon.json" >/dev/null || fail "JSON session-up lacks its details"

say "event hook: the same events, with their variables"
hook_has() { grep -qE "$1" "$T/hook.out"; }
for re in "^refused .*event=refused .*peer=$A2" \
	"^tunnel-up 10  event=tunnel-up .*peer=$A2" \
	"^session-up 10 l2tpmon event=session-up reid=vc-mon" \
	"^session-down 10 l2tpmon event=session-down reid=vc-mon" \
	"^tunnel-down 10  event=tunnel-down"; do
	wait_for "hook line matching '$re'" 100 hook_has "$re"
done
cat "$T/hook.out"
[ "$(grep -vc '^refused' "$T/hook.out")" -eq 4 ] || fail "the hook ran for more than the 4 events"
grep -E "event hook .*(exit status|killed|still running)" "$T/l2tpd1.log" &&
	fail "l2tpd1 complains about its event hook"

say "the monitors stop when l2tpd does"
stop_l2tpd 1
check_log 1
[ "$DRC" -eq 0 ] || fail "l2tpd1 exited with status $DRC after SIGTERM"
# ended: no process, or a zombie not reaped yet
ended() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
for p in "${BGPIDS[@]}"; do
	wait_for "monitor $p to end with l2tpd" 100 ended "$p"
done
pass
