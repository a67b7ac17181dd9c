#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/interop/kernel/static_matrix.sh - static L2TPv3 Ethernet pseudowires
# between l2tpd and the Linux kernel's L2TP (l2tp_eth), case by case over
# one VM boot.
#
# The far end is Debian's kernel in QEMU (vm.sh), configured with ip-l2tp(8)
# inside the VM; the near end is l2tpd in namespace $NS1, configured with
# l2tp(8) (the same grammar), on the datapath $L2TPD_DATAPATH names: user
# (the default) or ebpf (scripts/check.sh runs both; the VM's kernel has no
# tcx, so ebpf runs on the host's side only). Underlay: TAP vmtap in $NS1
# (192.0.2.1/24, 2001:db8:1::1/64) <-> the VM's eth0 (192.0.2.2/24,
# 2001:db8:1::2/64), no DAD. Each case is one tunnel + one session, made on
# both ends, used, then deleted on both ends, checking that nothing is left
# (no tunnel, session or interface on either end) before the next case.
#
# Dimensions: encap udp/ip x IPv4/IPv6 underlay x cookie 0/4/8 bytes (a
# different cookie each way) x l2spec_type none/default x seq none/both.
# KERNEL_MATRIX=full runs all 48 cases; the default is 8 cases that hold
# every pair of values of any two dimensions (so every value of each),
# and one of seq follow: the kernel's session has seq both, l2tpd's none
# and l2tpd follows the kernel's numbering (RFC 2661 §5.4, no lns_mode):
# the VM speaks first, and from then on every packet of l2tpd's must be
# numbered, the segments of its large TCP frames too (the ebpf datapath
# moves such a session where frames are cut before encapsulation).
# Session ids above 65535 and near 2^32 in two cases out of three, tunnel
# ids above 65535 and near 2^32 in every other case.
# KERNEL_CASES="udp 6 0 default none; ip 4 8 none both" runs just those.
#
# A case with traffic, IPv4 inside (198.51.100.1/24 host, .2/24 VM):
#  - pings both ways: 1 + 10 at 10 ms, a 1400-byte one, a 1472-byte one,
#    and one of the largest packet the sender's l2tpeth MTU passes whole
#    (DF, -s MTU-28). MTUs: the l2tpeth MTUs are left as each end computes
#    them from the 1500-byte underlay (1418..1462), so the 1472-byte ping
#    (and the 1400-byte one where the MTU is below 1428: IPv6 underlay,
#    UDP) is fragmented by the sender's inner IP stack: inner
#    fragmentation. IPv6 is off on the pseudowire interfaces (no stray
#    ND/MLD frames in the counters).
#  - both l2tpeth MTUs are the kernel's formula (1500 - IP - UDP - L2TP
#    header - Ethernet header);
#  - the kernel's session counters (read over genetlink with our l2tp CLI
#    in the VM: iproute2 6.1's `ip -s l2tp show session` prints none)
#    moved, and each end's RX packets and bytes are the other's TX.
# seq both with l2spec_type none is no pseudowire with the kernel: the
# sequence number lives in the default L2-specific sublayer, so it sends
# none and, requiring them, drops every packet (rx_seq_discards). Those
# cases check that l2tpd does the same: no ping passes either way (ARP
# cannot resolve: permanent neighbour entries) and each end counts each of
# the other's 3 echo requests as a sequence discard.
#
# A TCP bulk transfer through each pseudowire that carries traffic, both
# ways (KERNEL_BULK bytes each way, default 4 MiB with --datapath ebpf, 0 =
# none with user; tcpx.py, the host's python3 on both ends): the data's
# SHA-256 is the same at both ends, and afterwards neither end has counted
# an rx error, sequence, cookie or invalid discard. From the host the
# sender's socket builds TCP frames of up to 64 KiB: the ebpf datapath
# encapsulates them whole (UDP) and the kernel segments them after
# encapsulation, or the kernel segments them before (IP): each case's line
# shows the frames l2tpd counted against the packets the VM's l2tp_eth
# took ("host->VM ... frames -> ... packets").
#
# With tshark, vmtap is captured for the whole run and each case's packets
# are decoded with its cookie size and sublayer: every one is L2TPv3 data
# carrying Ethernet, none malformed, with the session id and cookie the
# receiver expects and, with seq both, the S bit and consecutive sequence
# numbers from both ends (with a bulk transfer, numbers missing from the
# capture are reported, not failed: dumpcap may drop some under that load,
# and both receivers have counted no discard; a number repeated or going
# back still fails). l2tpd must never fragment the underlay; the
# kernel's outer fragments are counted and reported (see the note printed).
#
# One line per case with its time; the run's total at the end. On a
# failure: both ends' session counters, the VM's l2tp debugfs view,
# interface statistics and the tail of dmesg.
#
# Environment: KERNEL_MATRIX=full, KERNEL_CASES, KERNEL_BULK, L2TPD_DATAPATH,
# VM_CACHE (vm.sh), L2TPD, L2TP. Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/../../net/lib.sh"
. "$(dirname "$0")/vm.sh"

require_base
setup_ns 1
DP=${L2TPD_DATAPATH:-user}
[ "$DP" != ebpf ] || require_ebpf 1
command -v /usr/bin/python3 >/dev/null || skip "python3 missing (tcpx.py)"
vm_prepare
if [ "$DP" = ebpf ]; then BULK=${KERNEL_BULK:-4194304}; else BULK=${KERNEL_BULK:-0}; fi

# ---- UDP checksums over IPv6 --------------------------------------------------
# Both ends keep the defaults (checksums both ways, RFC 8200 §8.1): the
# kernel verifies what l2tpd sends on every datapath. Options for either
# end go here.
CSUM6_H=() CSUM6_V=()

# ---- two limits of the ebpf datapath toward the kernel (l2tpd(8)) ------------
# 1. Over UDP the inner TCP/UDP checksums of what ebpf sends are left to the
#    underlay's transmit offload (CHECKSUM_PARTIAL, also in the GSO frames
#    it encapsulates whole). vmtap hands them to the VM unfilled, and the
#    VM's l2tp_eth drops that state and then the frames (TcpInCsumErrors).
#    So, as l2tpd(8) says for such links, vmtap's tx offloads are off in
#    UDP cases without seq: the host's kernel segments and checksums after
#    ebpf, as a NIC would. (IP and seq cases keep them: ebpf encapsulates
#    those after segmentation, with the checksums filled.)
#    KERNEL_EBPF_TXOFF=0 keeps them on in all cases (UDP ones then fail).
# 2. Outer fragments: Debian's 6.1 kernel sends the L2TP/IPv6 packet of an
#    inner IPv4 fragment as IPv6 fragments of 1280 bytes, and ebpf takes no
#    outer fragments (the stack reassembles them and nothing decapsulates
#    them). With ebpf and an IPv6 underlay, pings that the sender's inner
#    IP fragments (1400 or 1472 bytes above the MTU) are left out;
#    KERNEL_EBPF_FRAG6=1 sends them (they then fail).
vmtap_tx() { # ENCAP SEQ: vmtap's tx offloads as the case needs them
	[ "$DP" = ebpf ] || return 0
	local v=on
	[ "$1" = udp ] && [ "$2" = none ] && [ "${KERNEL_EBPF_TXOFF:-1}" = 1 ] && v=off
	ip netns exec "$NS1" ethtool -K vmtap tx "$v" >/dev/null 2>&1 || true
	[ "$(ip netns exec "$NS1" ethtool -k vmtap | sed -n 's/^tx-checksumming: \([a-z]*\).*/\1/p')" = "$v" ] ||
		fail "cannot turn vmtap's tx offloads $v"
}
# big_pings FAMILY MTU: the sizes of the large pings over a pseudowire of MTU
big_pings() {
	local z
	for z in 1400 1472; do
		if [ "$DP" = ebpf ] && [ "$1" = 6 ] && [ $((z + 28)) -gt "$2" ] &&
			[ "${KERNEL_EBPF_FRAG6:-0}" != 1 ]; then
			continue
		fi
		echo "$z"
	done
}

L2TP_ABS=$(readlink -f "$L2TP")
A4H=192.0.2.1 A4V=192.0.2.2 A6H=2001:db8:1::1 A6V=2001:db8:1::2
IH=198.51.100.1 IV=198.51.100.2

vm_start "$NS1"
ip1 addr add "$A4H/24" dev vmtap
ip1 addr add "$A6H/64" dev vmtap nodad

# Helpers for the VM's shell lines (its agent runs each with sh; /mnt/x is
# $VM_X): bounded pings, the kernel's session counters, the leak check.
cat >"$VM_X/h.sh" <<EOF
L2TP=$L2TP_ABS
EOF
cat >>"$VM_X/h.sh" <<'EOF'
# pingok ADDR [ARGS]: one of at most 10 one-shot pings answered
pingok() {
	a=$1; shift; i=0
	while [ $i -lt 10 ]; do
		ping -c 1 -W 1 -q "$@" "$a" >/dev/null 2>&1 && return 0
		i=$((i + 1))
	done
	echo "VM: no ping reply from $a (ping $*)"; return 1
}
# pingn ADDR N: N pings 10 ms apart, all but one answered within 10 s
# (under TCG on a busy host a reply can take over a second)
pingn() {
	rx=$(ping -c "$2" -i 0.01 -w 10 -q "$1" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${rx:-0}" -ge $(($2 - 1)) ] || { echo "VM: ping $1 x$2: ${rx:-0} replies"; return 1; }
}
# pingnone ADDR: 3 pings, none answered
pingnone() {
	if ping -c 3 -i 0.2 -W 1 -q "$1" >/dev/null 2>&1; then
		echo "VM: unexpected ping reply from $1"; return 1
	fi
}
# kstats TID SID: the kernel's view of a session, JSON (genetlink: no l2tpd here)
kstats() { "$L2TP" -s -j show session tunnel_id "$1" session_id "$2"; }
# gone IFNAME: no tunnel, session or IFNAME left (bounded wait: the kernel
# deletes tunnels from a work queue)
gone() {
	i=0
	while [ $i -lt 100 ]; do
		if [ -z "$(ip l2tp show tunnel)" ] && [ -z "$(ip l2tp show session)" ] &&
			! ip link show "$1" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05; i=$((i + 1))
	done
	echo "VM: left behind:"; ip l2tp show tunnel; ip l2tp show session; ip link show "$1"
	return 1
}
# dump IFNAME: what the kernel knows, for a failure report
dump() {
	echo "--- VM: l2tp -s show session (the kernel's, over genetlink)"; "$L2TP" -s show session
	echo "--- VM: ip l2tp show tunnel / session"; ip l2tp show tunnel; ip l2tp show session
	echo "--- VM: /sys/kernel/debug/l2tp/tunnels"; cat /sys/kernel/debug/l2tp/tunnels 2>/dev/null
	echo "--- VM: ip -s link show $1"; ip -s -d link show "$1"
	echo "--- VM: dmesg tail"; dmesg | tail -n 20
}
EOF

VM_OUT=$T/vm.out
# vmq LINE: vm_run with its output in $VM_OUT and its status in VRC
# (vm_run must not run in a subshell: it numbers its commands here).
vmq() {
	VRC=0
	vm_run ". /mnt/x/h.sh; $*" >"$VM_OUT" 2>&1 || VRC=$?
	return 0
}

vmq "modprobe l2tp_eth && modprobe l2tp_ip && modprobe l2tp_ip6 &&
	{ modprobe l2tp_debugfs; mount -t debugfs none /sys/kernel/debug; true; } &&
	sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.eth0.accept_dad=0 &&
	ip link set eth0 up && ip addr add $A4V/24 dev eth0 &&
	ip addr add $A6V/64 dev eth0 nodad &&
	pingok $A4H && pingok $A6H -6 && ip -V"
[ "$VRC" -eq 0 ] || { cat "$VM_OUT"; fail "VM underlay setup failed"; }
say "VM underlay up; in the VM: $(tail -n 1 "$VM_OUT")"
wait_for "underlay ping to the VM (IPv4)" 100 n1 ping -c 1 -W 1 -q "$A4V"
wait_for "underlay ping to the VM (IPv6)" 100 n1 ping -6 -c 1 -W 1 -q "$A6V"

start_l2tpd 1 # --datapath $DP (lib.sh)
say "l2tpd's datapath: $DP"
CAPTURE=0
if cap_start 1 vmtap; then
	CAPTURE=1
	cap_mark 1 "$A6V"
else
	say "tshark not installed: no wire checks"
fi

# ---- one case --------------------------------------------------------------------
CASE=""	# description of the running case, for failure messages
CIF=""	# its interface name (both ends)
declare -a CWIN=()	# per case: "t0 t1 encap fam clen l2spec seq sh sv ph pv ckh ckv"

case_fail() {
	echo "--- case $CASE failed: $*"
	vmq "dump $CIF"
	cat "$VM_OUT"
	echo "--- host: l2tp -s show session"
	l2tpc 1 -s show session || true
	echo "--- host: l2tp show tunnel"
	l2tpc 1 show tunnel || true
	echo "--- host: ip -s link show $CIF"
	ip1 -s -d link show "$CIF" || true
	fail "case $CASE: $*"
}

# hping_ok ADDR [ARGS]: one of at most 10 one-shot pings from the host answered
hping_ok() {
	local a=$1 i
	shift
	for ((i = 0; i < 10; i++)); do
		n1 ping -c 1 -W 1 -q "$@" "$a" >/dev/null 2>&1 && return 0
		check_daemons_alive
	done
	case_fail "no ping reply from $a (host, ping $*)"
}
hping_n() {
	local out rx
	out=$(n1 ping -c "$2" -i 0.01 -w 10 -q "$1" 2>&1) || true
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	[ "${rx:-0}" -ge $(($2 - 1)) ] || case_fail "host: ping $1 x$2: ${rx:-0} replies"
}
hping_none() {
	if n1 ping -c 3 -i 0.2 -W 1 -q "$1" >/dev/null 2>&1; then
		case_fail "host: unexpected ping reply from $1"
	fi
}

# the kernel's l2tpeth MTU: 1500 - IP - UDP - L2TP header - Ethernet header,
# the L2TP header being (UDP: 4 flags) + 4 session id + cookie + (4 sublayer)
kernel_mtu() {
	local encap=$1 fam=$2 clen=$3 l2s=$4 o
	o=$((fam == 4 ? 20 : 40))
	[ "$encap" = udp ] && o=$((o + 8 + 4))
	o=$((o + 4 + clen + 14))
	[ "$l2s" = default ] && o=$((o + 4))
	echo $((1500 - o))
}

cookie_of() {	# cookie_of LEN DIRECTION(0 host->VM, 1 VM->host) INDEX
	local i
	i=$(printf '%02x' "$3")
	case $1/$2 in
	4/0) echo "a1b2c3$i" ;;
	4/1) echo "5d6e7f$i" ;;
	8/0) echo "0123456789abcd$i" ;;
	8/1) echo "fedcba98765432$i" ;;
	esac
}

jget() { jq -r "(if type == \"array\" then .[0] else . end) | .stats.$2 // empty" "$1"; }

# bulk IDX TV SV TH SH: $BULK bytes of TCP each way through the case's
# pseudowire (tcpx.py on both ends, each bounded), the same SHA-256 at both
# ends, then no rx error or discard counted by either end. Sets BULK_NOTE.
TCPX=$VM_DIR/tcpx.py	# the same path in the VM (the host's root over 9p)
bulk() {
	local idx=$1 tv=$2 sv=$3 th=$4 sh=$5 port=$((7000 + $1)) out rx pid f v
	local kj=$VM_X/ks.json hj=$T/hs.json ktx0 krx0 htx0 hrx0 mbit1 mbit2
	vmq "kstats $tv $sv >/mnt/x/ks.json"
	session_json 1 "$th" "$sh" >"$hj" || case_fail "l2tp -s -j show session"
	krx0=$(jget "$kj" rx_packets) ktx0=$(jget "$kj" tx_packets)
	hrx0=$(jget "$hj" rx_packets) htx0=$(jget "$hj" tx_packets)
	# host -> VM: the receiver in the VM, in the background
	vmq "TCPX_TIMEOUT=60 timeout 90 python3 $TCPX recv $IV $port >/mnt/x/bulk.$idx 2>&1 &"
	[ "$VRC" -eq 0 ] || case_fail "tcpx.py recv in the VM: $(cat "$VM_OUT")"
	out=$(TCPX_TIMEOUT=60 timeout 90 ip netns exec "$NS1" /usr/bin/python3 "$TCPX" send "$IV" "$port" "$BULK" 2>&1) || {
		vmq "cat /mnt/x/bulk.$idx; nstat -az TcpInCsumErrors TcpInSegs UdpInCsumErrors"
		case_fail "TCP host -> VM: $out; in the VM: $(tr '\n' ' ' <"$VM_OUT")"
	}
	read -r _ _ _ _ f <<<"$out"
	mbit1=$(awk -v b="$BULK" -v s="$f" 'BEGIN { printf "%.0f", b * 8 / (s > 0 ? s : 1) / 1e6 }')
	vmq "i=0; while [ \$i -lt 100 ] && ! grep -q . /mnt/x/bulk.$idx; do sleep 0.1; i=\$((i + 1)); done; cat /mnt/x/bulk.$idx"
	read -r _ v _ <<<"$out"
	[ "$(tail -n 1 "$VM_OUT")" = "$BULK $v" ] ||
		case_fail "TCP host -> VM: the VM read $(tail -n 1 "$VM_OUT"), the host sent $BULK $v"
	# VM -> host: the receiver on the host
	n1 env TCPX_TIMEOUT=60 timeout 90 /usr/bin/python3 "$TCPX" recv "$IH" $((port + 100)) \
		>"$T/bulk.$idx" 2>&1 &
	pid=$!
	BGPIDS+=("$pid")
	vmq "TCPX_TIMEOUT=60 timeout 90 python3 $TCPX send $IH $((port + 100)) $BULK"
	rx=0
	wait "$pid" || rx=$?
	[ "$VRC" -eq 0 ] && [ "$rx" -eq 0 ] ||
		case_fail "TCP VM -> host: VM: $(cat "$VM_OUT"); host: $(cat "$T/bulk.$idx")"
	read -r _ v _ _ f <<<"$(tail -n 1 "$VM_OUT")"
	mbit2=$(awk -v b="$BULK" -v s="$f" 'BEGIN { printf "%.0f", b * 8 / (s > 0 ? s : 1) / 1e6 }')
	[ "$(cat "$T/bulk.$idx")" = "$BULK $v" ] ||
		case_fail "TCP VM -> host: the host read $(cat "$T/bulk.$idx"), the VM sent $BULK $v"
	# no end counted an error or a discard
	vmq "kstats $tv $sv >/mnt/x/ks.json"
	session_json 1 "$th" "$sh" >"$hj" || case_fail "l2tp -s -j show session"
	for f in rx_errors rx_seq_discards rx_cookie_discards rx_invalid; do
		[ "$(jget "$kj" "$f")" = 0 ] || case_fail "after the TCP transfers the kernel's $f is $(jget "$kj" "$f")"
		[ "$(jget "$hj" "$f")" = 0 ] || case_fail "after the TCP transfers l2tpd's $f is $(jget "$hj" "$f")"
	done
	BULK_NOTE="  TCP $((BULK >> 10)) KiB host->VM $mbit1 Mbit/s, $(($(jget "$hj" tx_packets) - htx0)) frames -> $(($(jget "$kj" rx_packets) - krx0)) packets; VM->host $mbit2 Mbit/s, $(($(jget "$kj" tx_packets) - ktx0)) -> $(($(jget "$hj" rx_packets) - hrx0))"
}

run_case() {
	local idx=$1 encap=$2 fam=$3 clen=$4 l2s=$5 seq=$6 seqv=$6 seqh=$6
	local th tv sh sv ph=- pv=- lh lv ckh=- ckv=-
	local -a hx=() vx=() ck=() ckvx=()
	local t0 ms mh mv mk traffic=1 k h z vz kj=$VM_X/ks.json hj=$T/hs.json
	t0=$EPOCHREALTIME
	if ((idx % 2)); then th=$((1000 + idx)) tv=$((2000 + idx)); else th=$((100000 + idx)) tv=$((4294967295 - idx)); fi
	case $((idx % 3)) in
	0) sh=$((100 + idx)) sv=$((200 + idx)) ;;
	1) sh=$((70000 + idx)) sv=$((90000 + idx)) ;;
	2) sh=$((4000000000 + idx)) sv=$((4294967295 - idx)) ;;
	esac
	CIF=pw$idx
	CASE="$idx (encap $encap, IPv$fam, cookie $clen, l2spec $l2s, seq $seq)"
	if [ "$fam" = 4 ]; then lh=$A4H lv=$A4V; else lh=$A6H lv=$A6V; fi
	if [ "$encap" = udp ]; then
		ph=$((5000 + idx)) pv=$((6000 + idx))
		hx=(udp_sport "$ph" udp_dport "$pv")
		vx=(udp_sport "$pv" udp_dport "$ph")
		if [ "$fam" = 6 ]; then hx+=("${CSUM6_H[@]}") vx+=("${CSUM6_V[@]}"); fi
	fi
	if [ "$clen" != 0 ]; then
		ckh=$(cookie_of "$clen" 0 "$idx") ckv=$(cookie_of "$clen" 1 "$idx")
		ck=(cookie "$ckh" peer_cookie "$ckv")
		ckvx=(cookie "$ckv" peer_cookie "$ckh")
	fi
	[ "$seq" = both ] && [ "$l2s" = none ] && traffic=0
	if [ "$seq" = follow ]; then
		[ "$l2s" = default ] || fail "case $CASE: follow needs the default sublayer"
		seqv=both seqh=none
	fi
	vmtap_tx "$encap" "$seq"

	# the kernel's end
	vmq "ip l2tp add tunnel tunnel_id $tv peer_tunnel_id $th encap $encap local $lv remote $lh ${vx[*]} &&
		ip l2tp add session name $CIF tunnel_id $tv session_id $sv peer_session_id $sh ${ckvx[*]} \
			l2spec_type $l2s seq $seqv &&
		sysctl -qw net.ipv6.conf.$CIF.disable_ipv6=1 && ip link set $CIF up &&
		ip addr add $IV/24 dev $CIF && cat /sys/class/net/$CIF/mtu"
	[ "$VRC" -eq 0 ] || case_fail "ip l2tp add in the VM: $(cat "$VM_OUT")"
	mv=$(tail -n 1 "$VM_OUT")
	# l2tpd's end
	l2tpc 1 add tunnel tunnel_id "$th" peer_tunnel_id "$tv" encap "$encap" \
		local "$lh" remote "$lv" "${hx[@]}" || case_fail "l2tp add tunnel"
	if [ "$traffic" = 0 ] && [ "$DP" = ebpf ]; then
		# ebpf refuses a sequence number with no sublayer to carry it
		# (l2tpd(8)); the kernel takes the session and drops everything
		if l2tpc 1 add session name "$CIF" tunnel_id "$th" session_id "$sh" \
			peer_session_id "$sv" "${ck[@]}" l2spec_type "$l2s" seq "$seq" >"$T/err" 2>&1; then
			case_fail "the ebpf datapath took seq $seq with l2spec_type none"
		fi
		grep -q "sequence numbers in the default L2-specific sublayer only" "$T/err" ||
			case_fail "l2tp add session: $(cat "$T/err")"
		l2tpc 1 del tunnel tunnel_id "$th" || case_fail "l2tp del tunnel"
		vmq "ip l2tp del session tunnel_id $tv session_id $sv && ip l2tp del tunnel tunnel_id $tv && gone $CIF"
		[ "$VRC" -eq 0 ] || case_fail "ip l2tp del / leak check in the VM: $(cat "$VM_OUT")"
		[ -z "$(l2tpc 1 show tunnel)" ] || case_fail "l2tp show tunnel not empty: $(l2tpc 1 show tunnel)"
		CWIN[idx]="-"
		printf 'ok %2d  %-3s IPv%s cookie %s l2spec %-7s seq %-4s  refused by ebpf (EINVAL: seq without sublayer)\n' \
			"$idx" "$encap" "$fam" "$clen" "$l2s" "$seq"
		return 0
	fi
	l2tpc 1 add session name "$CIF" tunnel_id "$th" session_id "$sh" peer_session_id "$sv" \
		"${ck[@]}" l2spec_type "$l2s" seq "$seqh" || case_fail "l2tp add session"
	wait_link 1 "$CIF"
	n1 sysctl -qw "net.ipv6.conf.$CIF.disable_ipv6=1"
	ip1 link set "$CIF" up
	ip1 addr add "$IH/24" dev "$CIF"
	mh=$(n1 cat "/sys/class/net/$CIF/mtu")

	if [ "$traffic" = 1 ]; then
		if [ "$seq" = follow ]; then
			# the kernel's numbered frames first: l2tpd's numbering follows
			vmq "pingok $IH"
			[ "$VRC" -eq 0 ] || case_fail "$(cat "$VM_OUT")"
		fi
		hping_ok "$IV"
		hping_n "$IV" 10
		for z in $(big_pings "$fam" "$mh"); do hping_ok "$IV" -s "$z"; done
		hping_ok "$IV" -M "do" -s $((mh - 28))
		vz=""
		for z in $(big_pings "$fam" "$mv"); do vz="$vz pingok $IH -s $z &&"; done
		vmq "pingok $IH && pingn $IH 10 && $vz
			pingok $IH -M do -s $((mv - 28)) && kstats $tv $sv >/mnt/x/ks.json"
		[ "$VRC" -eq 0 ] || case_fail "$(cat "$VM_OUT")"
	else
		# no ARP can resolve: permanent neighbours, so that each end
		# sends exactly its 3 echo requests
		vmq "cat /sys/class/net/$CIF/address"
		[ "$VRC" -eq 0 ] || case_fail "$(cat "$VM_OUT")"
		ip1 neigh replace "$IV" lladdr "$(tail -n 1 "$VM_OUT")" dev "$CIF" nud permanent
		hping_none "$IV"
		vmq "ip neigh replace $IH lladdr $(n1 cat "/sys/class/net/$CIF/address") dev $CIF nud permanent &&
			pingnone $IH && kstats $tv $sv >/mnt/x/ks.json"
		[ "$VRC" -eq 0 ] || case_fail "$(cat "$VM_OUT")"
	fi
	session_json 1 "$th" "$sh" >"$hj" || case_fail "l2tp -s -j show session"
	if [ "$seq" = follow ]; then
		jq -e '(if type == "array" then .[0] else . end) | has("send_seq")' "$hj" >/dev/null ||
			case_fail "l2tpd does not say it numbers: $(cat "$hj")"
	fi

	# counters: the kernel's moved, and each end's RX is the other's TX
	local ktp ktb krp krb kd htp htb hrp hrb hd
	read_counters() {
		ktp=$(jget "$kj" tx_packets) ktb=$(jget "$kj" tx_bytes)
		krp=$(jget "$kj" rx_packets) krb=$(jget "$kj" rx_bytes) kd=$(jget "$kj" rx_seq_discards)
		htp=$(jget "$hj" tx_packets) htb=$(jget "$hj" tx_bytes)
		hrp=$(jget "$hj" rx_packets) hrb=$(jget "$hj" rx_bytes) hd=$(jget "$hj" rx_seq_discards)
		[ -n "$ktp" ] && [ -n "$krp" ] || case_fail "no kernel counters: $(cat "$kj")"
		[ -n "$htp" ] && [ -n "$hrp" ] || case_fail "no l2tpd counters: $(cat "$hj")"
		k="kernel rx $krp tx $ktp" h="l2tpd rx $hrp tx $htp"
	}
	read_counters
	if [ "$traffic" = 1 ]; then
		if [ "$ktp/$ktb $htp/$htb" != "$hrp/$hrb $krp/$krb" ]; then
			# a late ARP probe may be on its way: read both again
			sleep 0.5
			vmq "kstats $tv $sv >/mnt/x/ks.json"
			session_json 1 "$th" "$sh" >"$hj" || case_fail "l2tp -s -j show session"
			read_counters
		fi
		# 2 x (1 + 10 + 2 x 1400/1472 bytes + 1 x MTU): >= 17 echo frames each way
		[ "$krp" -ge 17 ] && [ "$ktp" -ge 17 ] || case_fail "kernel counters did not move: $k"
		[ "$ktp" = "$hrp" ] && [ "$htp" = "$krp" ] || case_fail "packet counters disagree: $k, $h"
		[ "$ktb" = "$hrb" ] && [ "$htb" = "$krb" ] ||
			case_fail "byte counters disagree: kernel rx $krb tx $ktb, l2tpd rx $hrb tx $htb"
		mk=$(kernel_mtu "$encap" "$fam" "$clen" "$l2s")
		[ "$mv" = "$mk" ] || case_fail "the kernel's l2tpeth MTU is $mv, not $mk"
		[ "$mh" = "$mk" ] || case_fail "l2tpd's l2tpeth MTU is $mh, the kernel's $mk"
	else
		# nothing got through; each end discarded what the other sent
		[ "$krp" = 0 ] && [ "$hrp" = 0 ] || case_fail "packets got through: $k, $h"
		[ "$ktp" = 3 ] && [ "$htp" = 3 ] || case_fail "not 3 packets sent each way: $k, $h"
		[ "$kd" = "$htp" ] && [ "$hd" = "$ktp" ] ||
			case_fail "seq discards: kernel $kd of l2tpd's $htp, l2tpd $hd of the kernel's $ktp"
		k="$k seq_discards $kd" h="$h seq_discards $hd"
	fi
	BULK_NOTE=""
	[ "$traffic" = 1 ] && [ "$BULK" -gt 0 ] && bulk "$idx" "$tv" "$sv" "$th" "$sh"

	# tear down both ends; nothing may be left
	l2tpc 1 del session tunnel_id "$th" session_id "$sh" || case_fail "l2tp del session"
	l2tpc 1 del tunnel tunnel_id "$th" || case_fail "l2tp del tunnel"
	vmq "ip l2tp del session tunnel_id $tv session_id $sv && ip l2tp del tunnel tunnel_id $tv && gone $CIF"
	[ "$VRC" -eq 0 ] || case_fail "ip l2tp del / leak check in the VM: $(cat "$VM_OUT")"
	wait_no_link 1 "$CIF"
	[ -z "$(l2tpc 1 show tunnel)" ] || case_fail "l2tp show tunnel not empty: $(l2tpc 1 show tunnel)"
	[ -z "$(l2tpc 1 show session)" ] || case_fail "l2tp show session not empty"

	CWIN[idx]="$t0 $EPOCHREALTIME $encap $fam $clen $l2s $seq $sh $sv $ph $pv $ckh $ckv $traffic"
	ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	printf 'ok %2d  %-3s IPv%s cookie %s l2spec %-7s seq %-4s tid %u/%u sid %u/%u  mtu %s/%s  %s, %s  %d.%02d s%s%s\n' \
		"$idx" "$encap" "$fam" "$clen" "$l2s" "$seq" "$th" "$tv" "$sh" "$sv" "$mh" "$mv" "$h" "$k" \
		$((ms / 1000)) $((ms % 1000 / 10)) \
		"$([ "$traffic" = 1 ] || echo "  (no pseudowire: seq without sublayer)")" "$BULK_NOTE"
}

# ---- the wire, after the run (tshark) -------------------------------------------
# wire_case IDX: the case's packets in the capture, decoded as it was set up.
wire_case() {
	local t0 t1 encap fam clen l2s seq sh sv ph pv ckh ckv traffic src out bad nh nv skipped
	[ "${CWIN[$1]}" != - ] || return 0 # refused: nothing sent
	read -r t0 t1 encap fam clen l2s seq sh sv ph pv ckh ckv traffic <<<"${CWIN[$1]}"
	CASE="$1 (encap $encap, IPv$fam, cookie $clen, l2spec $l2s, seq $seq)"
	[ "$seq" = follow ] && seq=both # both ends number every packet
	local -a o=(-o "l2tp.l2_specific:$l2s" -d l2tp.pw_type==0,eth)
	if [ "$clen" = 0 ]; then o+=(-o l2tp.cookie_size:none); else o+=(-o "l2tp.cookie_size:cookie$clen"); fi
	[ "$encap" = udp ] && o+=(-d "udp.port==$ph,l2tp")
	src=$([ "$fam" = 4 ] && echo ip.src || echo ipv6.src)
	out=$(timeout 60 tshark -n -r "$CAP" "${o[@]}" \
		-Y "frame.time_epoch >= $t0 && frame.time_epoch <= $t1 && l2tp" -T fields \
		-E occurrence=f -e "$src" -e l2tp.sid -e l2tp.cookie -e l2tp.l2_spec_s \
		-e l2tp.l2_spec_sequence -e frame.protocols -e _ws.malformed 2>/dev/null) ||
		fail "tshark failed on case $CASE"
	# host -> VM carries the VM's session id and the host's cookie, and back
	bad=$(awk -F'\t' -v h4="$A4H" -v h6="$A6H" \
		-v sh="$(printf '0x%08x' "$sh")" -v sv="$(printf '0x%08x' "$sv")" \
		-v ckh="$ckh" -v ckv="$ckv" -v seq="$seq" -v l2s="$l2s" -v traffic="$traffic" -v bulk="$BULK" '
		function hex(s) { gsub(/[:]/, "", s); return tolower(s) }
		{
			n++
			fromh = ($1 == h4 || $1 == h6)
			want_sid = fromh ? sv : sh
			want_ck = fromh ? ckh : ckv
			why = ""
			if (tolower($2) != want_sid) why = why " session id " $2
			if (want_ck != "-" && hex($3) != want_ck) why = why " cookie " $3
			if (want_ck == "-" && $3 != "") why = why " unexpected cookie " $3
			if ($6 !~ /l2tp:ethertype:(ip|arp)/) why = why " payload " $6
			if ($7 != "") why = why " malformed"
			if (l2s == "default") {
				s = ($4 == "1" || $4 == "True")
				if (s != (seq == "both")) why = why " S bit " $4
				if (seq == "both") {
					d = fromh ? "h" : "v"
					# a number once again or going back is a fault of the
					# sender; one skipped, under a bulk transfer, may be
					# a gap in the capture (dumpcap drops what it cannot keep up
					# with; the receivers counted no discards)
					step = (d in last) ? ($5 - last[d] + 16777216) % 16777216 : 1
					if (step != 1 && !(bulk > 0 && step > 1 && step < 8388608))
						why = why " ns " $5 " after " last[d]
					else if (step > 1)
						skipped += step - 1
					last[d] = $5
				}
			}
			if (why != "") { bad++; if (bad <= 5) print "frame from " $1 ":" why > "/dev/stderr" }
			if (fromh) nh++; else nv++
		}
		END { printf "%d %d %d %d\n", bad + 0, nh + 0, nv + 0, skipped + 0 }' <<<"$out")
	read -r bad nh nv skipped <<<"$bad"
	[ "$skipped" = 0 ] || say "case $CASE: $skipped sequence numbers not in the capture (dumpcap dropped them?)"
	[ "$bad" = 0 ] || fail "case $CASE: $bad L2TP packets on the wire are not as set up"
	[ "$nh" -gt 0 ] && [ "$nv" -gt 0 ] || fail "case $CASE: capture holds $nh packets from l2tpd, $nv from the kernel"
	WIRE_N=$((WIRE_N + nh + nv))
}

# ---- the cases -------------------------------------------------------------------
declare -a CASES=()
if [ -n "${KERNEL_CASES:-}" ]; then
	IFS=';' read -ra CASES <<<"$KERNEL_CASES"
elif [ "${KERNEL_MATRIX:-}" = full ]; then
	for e in udp ip; do for f in 4 6; do for c in 0 4 8; do for l in none default; do
		for s in none both; do CASES+=("$e $f $c $l $s"); done
	done; done; done; done
else
	# every pair of values of any two dimensions appears in some case
	CASES=("udp 4 0 none none" "udp 4 4 default both" "udp 6 8 none both"
		"udp 6 0 default none" "ip 4 8 default none" "ip 4 0 none both"
		"ip 6 4 none none" "ip 6 8 default both" "udp 4 8 default follow")
fi
NCASES=${#CASES[@]}
[ "$NCASES" -gt 0 ] || fail "no cases"

tm0=$EPOCHREALTIME
for ((ci = 0; ci < NCASES; ci++)); do
	# shellcheck disable=SC2086 # a case is a list of words
	run_case "$((ci + 1))" ${CASES[ci]}
done
ms=$(((${EPOCHREALTIME/./} - ${tm0/./}) / 1000))
say "$NCASES cases in $((ms / 1000)).$((ms % 1000 / 100)) s ($((ms / NCASES)) ms per case, VM boot not counted)"

if [ "$CAPTURE" = 1 ]; then
	cap_stop 1 "$A6V"
	tw0=$EPOCHREALTIME
	WIRE_N=0
	for ((ci = 1; ci <= NCASES; ci++)); do wire_case "$ci"; done
	# fragments on the underlay, by sender (reassembly off: every fragment)
	frags=$(tshark -n -r "$CAP" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
		-Y "ipv6.fraghdr || ip.flags.mf == 1 || ip.frag_offset > 0" -T fields \
		-e frame.time_epoch -e ip.src -e ipv6.src 2>/dev/null)
	hfr=$(awk -F'\t' -v a="$A4H" -v b="$A6H" '$2 == a || $3 == b' <<<"$frags" | grep -c . || true)
	[ "$hfr" = 0 ] || fail "l2tpd sent $hfr fragmented underlay packets"
	kfr=$(awk -F'\t' -v a="$A4V" -v b="$A6V" '$2 == a || $3 == b' <<<"$frags" | grep -c . || true)
	ms=$(((${EPOCHREALTIME/./} - ${tw0/./}) / 1000))
	say "wire: $WIRE_N L2TP packets of $NCASES cases as set up, none malformed; l2tpd fragmented none ($((ms / 1000)).$((ms % 1000 / 100)) s of tshark)"
	if [ "$kfr" != 0 ]; then
		# which cases: by time window
		kc=$(awk -F'\t' -v a="$A4V" -v b="$A6V" '$2 == a || $3 == b {print $1}' <<<"$frags" |
			while read -r t; do
				for ((ci = 1; ci <= NCASES; ci++)); do
					read -r t0 t1 _ <<<"${CWIN[ci]}"
					if awk -v t="$t" -v a="$t0" -v b="$t1" 'BEGIN { exit !(t >= a && t <= b) }'; then
						echo "$ci"
					fi
				done
			done | sort -n | uniq -c | awk '{printf " %s(%s)", $2, $1}')
		say "note: the kernel sent $kfr underlay fragments, in case(fragments):$kc"
	fi
fi

vm_stop
pass
