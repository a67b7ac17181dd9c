#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/interop/kernel/qemu_l2tpv3.sh - l2tpd against QEMU's own L2TPv3
# transport (-netdev l2tpv3, QEMU's net/l2tpv3.c), a static pseudowire
# implementation nobody here wrote.
#
# l2tpd (--datapath user) runs in namespace $NS1; the VM's QEMU runs in
# $NS2 and holds the far end of each pseudowire: a -netdev l2tpv3 socket
# (UDP, or raw IP protocol 115 with udp=off) feeding a virtio-net NIC of
# the VM. A veth joins the two namespaces (u1 192.0.2.1/24 2001:db8:1::1/64
# in $NS1, u2 192.0.2.2/24 2001:db8:1::2/64 in $NS2). One VM boot carries
# every variant, one NIC each (found in the VM by its MAC address):
#
#   1 UDP/IPv4, no cookie, counter=off        l2spec_type none
#   2 UDP/IPv4, 64-bit cookies, counter       l2spec_type default
#   3 UDP/IPv6, 32-bit cookies, counter       l2spec_type default, seq send
#   4 IP/IPv4 (udp=off), no cookie, counter   l2spec_type default
#   5 IP/IPv6 (udp=off), 64-bit cookies       l2spec_type none
#   6 UDP/IPv6, no cookie, pincounter=on      l2spec_type default
#
# QEMU's "counter" is a 4-byte L2-specific sublayer holding a bare packet
# counter (no S bit): l2tpd's default sublayer with seq none (or send:
# QEMU never checks it) reads it as "no sequence number". Cookies differ
# per direction; some session ids are above 65535 (one is 0xffffffff).
#
# For each variant: l2tpd's session interface gets 198.51.100.(16k+1)/28,
# the VM's NIC .(16k+2)/28 with l2tpd's l2tpeth MTU (QEMU's NIC would be
# 1500: frames that size would not fit the 1500-byte underlay); IPv6 off
# on both (no stray frames in the counters). Pings from l2tpd's side to the
# VM (1 + 20 at 10 ms, a 1400-byte one, one of the full MTU with DF) and
# one from the VM back; l2tpd's session counters match the VM NIC's
# (each end's RX is the other's TX; l2tpd's bytes, like the kernel's,
# count the L2TP header too) and count no errors. With tshark, u1 is
# captured and each variant's packets are decoded with its cookie size and
# sublayer: every one is L2TPv3 carrying Ethernet, none malformed, with the
# session id and cookie the receiver expects; QEMU's counter goes up by one
# a packet (pinned at 0 with pincounter), l2tpd's S bit is set only with
# seq send, numbered from 0, and only until the first of QEMU's packets
# (which carry no S bit) arrives: l2tpd then stops numbering, as the
# kernel does when it is not the LNS (l2tp_recv_common), and `show session`
# then reports it off, as the kernel's does; no other UDP /
# IP-protocol-115 packet on the wire.
#
# Environment: VM_CACHE (vm.sh), L2TPD, L2TP. Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/../../net/lib.sh"
. "$(dirname "$0")/vm.sh"

require_base
qemu-system-x86_64 -netdev help 2>/dev/null | grep -qx l2tpv3 ||
	skip "this QEMU has no l2tpv3 netdev"
setup_ns 1 2
vm_prepare

A4H=192.0.2.1 A4Q=192.0.2.2 A6H=2001:db8:1::1 A6Q=2001:db8:1::2
veth 1 u1 2 u2
ip1 addr add "$A4H/24" dev u1
ip2 addr add "$A4Q/24" dev u2
ip1 addr add "$A6H/64" dev u1 nodad
ip2 addr add "$A6Q/64" dev u2 nodad
wait_for "underlay ping (IPv6)" 100 n1 ping -6 -c 1 -W 1 -q "$A6Q"
wait_for "underlay ping (IPv4)" 100 n1 ping -c 1 -W 1 -q "$A4Q"

# variant: encap fam cookie(0/4/8) counter(off/on/pin) seq  (l2tpd's end)
VARIANTS=("udp 4 0 off none" "udp 4 8 on none" "udp 6 4 on send"
	"ip 4 0 on none" "ip 6 8 off none" "udp 6 0 pin none")
NV=${#VARIANTS[@]}
# per variant k: l2tpd's session id (QEMU's txsession), QEMU's (rxsession)
SID_H=(- 1001 70002 4000000003 104 90005 0xffffffff)
SID_Q=(- 2001 80002 4000000013 204 95005 0xfffffffe)
declare -a V_IF V_IH V_IQ V_MAC V_L2S V_CKH V_CKQ V_PH V_PQ V_HS V_QS
declare -a QARGS=()

start_l2tpd 1 --datapath user
CAPTURE=0
if cap_start 1 u1; then
	CAPTURE=1
	cap_mark 1 "$A6Q"
else
	say "tshark not installed: no wire checks"
fi

for ((k = 1; k <= NV; k++)); do
	read -r encap fam clen counter seq <<<"${VARIANTS[k - 1]}"
	hs=$((SID_H[k])) qs=$((SID_Q[k]))
	V_HS[k]=$hs V_QS[k]=$qs
	V_IF[k]=q$k V_IH[k]=198.51.100.$((16 * k + 1)) V_IQ[k]=198.51.100.$((16 * k + 2))
	V_MAC[k]=52:54:00:00:01:$(printf '%02x' "$k")
	if [ "$fam" = 4 ]; then lh=$A4H lq=$A4Q; else lh=$A6H lq=$A6Q; fi
	q="l2tpv3,id=l2_$k,src=$lq,dst=$lh,txsession=$hs,rxsession=$qs"
	[ "$fam" = 6 ] && q+=",ipv6=on"
	hx=() ck=()
	V_PH[k]=- V_PQ[k]=-
	if [ "$encap" = udp ]; then
		V_PH[k]=$((5000 + k)) V_PQ[k]=$((6000 + k))
		q+=",udp=on,srcport=${V_PQ[k]},dstport=${V_PH[k]}"
		hx=(udp_sport "${V_PH[k]}" udp_dport "${V_PQ[k]}")
	else
		q+=",udp=off"
	fi
	V_CKH[k]=- V_CKQ[k]=-
	case $clen in
	4) V_CKH[k]=c0c1c2$(printf '%02x' "$k") V_CKQ[k]=d0d1d2$(printf '%02x' "$k") ;;
	8) V_CKH[k]=0011223344556$(printf '%03x' "$k") V_CKQ[k]=8899aabbccdde$(printf '%03x' "$k")
	   q+=",cookie64=on" ;;
	esac
	if [ "$clen" != 0 ]; then
		# QEMU sends its txcookie, which l2tpd expects (peer_cookie)
		q+=",txcookie=0x${V_CKQ[k]},rxcookie=0x${V_CKH[k]}"
		ck=(cookie "${V_CKH[k]}" peer_cookie "${V_CKQ[k]}")
	fi
	case $counter in
	off) q+=",counter=off" V_L2S[k]=none ;;
	on) q+=",counter=on" V_L2S[k]=default ;;
	pin) q+=",counter=on,pincounter=on" V_L2S[k]=default ;;
	esac
	QARGS+=(-netdev "$q" -device "virtio-net-pci,netdev=l2_$k,mac=${V_MAC[k]}")
	l2tpc 1 add tunnel tunnel_id $((100 + k)) peer_tunnel_id $((200 + k)) encap "$encap" \
		local "$lh" remote "$lq" "${hx[@]}"
	l2tpc 1 add session name "${V_IF[k]}" tunnel_id $((100 + k)) session_id "$hs" \
		peer_session_id "$qs" "${ck[@]}" l2spec_type "${V_L2S[k]}" seq "$seq"
	wait_link 1 "${V_IF[k]}"
	n1 sysctl -qw "net.ipv6.conf.${V_IF[k]}.disable_ipv6=1"
	ip1 link set "${V_IF[k]}" up
	ip1 addr add "${V_IH[k]}/28" dev "${V_IF[k]}"
	say "variant $k: l2tpd: encap $encap IPv$fam session $hs/$qs cookie ${V_CKH[k]}/${V_CKQ[k]} l2spec_type ${V_L2S[k]} seq $seq, mtu $(n1 cat "/sys/class/net/${V_IF[k]}/mtu")"
	say "           QEMU: -netdev $q"
done

vm_start "$NS2" "${QARGS[@]}"

VM_OUT=$T/vm.out
vmq() {
	VRC=0
	vm_run "$*" >"$VM_OUT" 2>&1 || VRC=$?
	return 0
}
# vm_if MAC: the VM's interface with that address
vm_if_of() { echo "for d in /sys/class/net/*; do [ \"\$(cat \$d/address)\" = $1 ] && basename \$d; done; true"; }

# the VM's NICs: address, l2tpd's MTU, up
cmds="sysctl -qw net.ipv6.conf.all.disable_ipv6=1"
for ((k = 1; k <= NV; k++)); do
	mtu=$(n1 cat "/sys/class/net/${V_IF[k]}/mtu")
	cmds+=" && i=\$($(vm_if_of "${V_MAC[k]}")) && [ -n \"\$i\" ] && echo $k \$i &&
		ip link set \$i mtu $mtu up && ip addr add ${V_IQ[k]}/28 dev \$i"
done
vmq "$cmds"
[ "$VRC" -eq 0 ] || { cat "$VM_OUT"; fail "VM NIC setup failed"; }
declare -a V_QIF
while read -r k i; do V_QIF[k]=$i; done <"$VM_OUT"

# vm_stat IF: "rx_packets rx_bytes tx_packets tx_bytes" of the VM's NIC IF
vm_stat() {
	vmq "cd /sys/class/net/$1/statistics && echo \$(cat rx_packets rx_bytes tx_packets tx_bytes)"
	[ "$VRC" -eq 0 ] || fail "VM statistics of $1: $(cat "$VM_OUT")"
	tail -n 1 "$VM_OUT"
}

jst() { jq -r ".stats.$2" <<<"$1"; }

for ((k = 1; k <= NV; k++)); do
	t0=$EPOCHREALTIME
	ifn=${V_IF[k]} qif=${V_QIF[k]} a=${V_IQ[k]}
	mtu=$(n1 cat "/sys/class/net/$ifn/mtu")
	ping_ok 1 "$a"
	ping_n 1 "$a" 20
	ping_ok 1 "$a" -s 1400
	ping_ok 1 "$a" -M "do" -s $((mtu - 28))
	vmq "ping -c 1 -W 2 -q ${V_IH[k]} || ping -c 1 -W 2 -q ${V_IH[k]}"
	[ "$VRC" -eq 0 ] || fail "variant $k: no ping reply from ${V_IH[k]} in the VM: $(cat "$VM_OUT")"
	# each end's RX is the other's TX (read again once if a frame was in flight)
	for _ in 1 2; do
		read -r qrp qrb qtp qtb <<<"$(vm_stat "$qif")"
		j=$(session_json 1 $((100 + k)) "${V_HS[k]}")
		hrp=$(jst "$j" rx_packets) hrb=$(jst "$j" rx_bytes)
		htp=$(jst "$j" tx_packets) htb=$(jst "$j" tx_bytes)
		[ "$qtp $htp" = "$hrp $qrp" ] && break
		sleep 0.5
	done
	err=$(jq -r '.stats | [.rx_errors, .rx_seq_discards, .rx_cookie_discards, .rx_invalid, .tx_errors] | add' <<<"$j")
	ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	read -r encap fam clen counter seq <<<"${VARIANTS[k - 1]}"
	printf 'ok %d  %-3s IPv%s cookie %s counter %-3s l2tpd seq %-4s  mtu %s  l2tpd rx %s tx %s, VM %s rx %s tx %s  %d.%02d s\n' \
		"$k" "$encap" "$fam" "$clen" "$counter" "$seq" "$mtu" "$hrp" "$htp" "$qif" "$qrp" "$qtp" \
		$((ms / 1000)) $((ms % 1000 / 10))
	[ "$qtp" = "$hrp" ] && [ "$htp" = "$qrp" ] ||
		fail "variant $k: packets: l2tpd rx $hrp tx $htp, the VM's $qif rx $qrp tx $qtp"
	# l2tpd counts bytes as the kernel does: the L2TP packet (header from the
	# session id on, plus the 4-byte UDP header word) with its frame
	hl=$((4 + clen))
	[ "$encap" = udp ] && hl=$((hl + 4))
	[ "${V_L2S[k]}" = default ] && hl=$((hl + 4))
	[ $((qtb + hl * qtp)) = "$hrb" ] && [ "$htb" = $((qrb + hl * qrp)) ] ||
		fail "variant $k: bytes: l2tpd rx $hrb tx $htb, the VM's $qif rx $qrb tx $qtb (+ $hl a packet)"
	[ "$err" = 0 ] || fail "variant $k: l2tpd counted errors: $(jq -c .stats <<<"$j")"
	if [ "$seq" = send ] && jq -e 'has("send_seq")' <<<"$j" >/dev/null; then
		# The wire check below shows l2tpd stopped numbering, as the
		# kernel's LAC does; l2tpd reports its live state, as the kernel
		# does (L2TP_ATTR_SEND_SEQ is its live session->send_seq)
		fail "variant $k: l2tpd's show session says send_seq after it stopped numbering"
	fi
done

# ---- the wire ----------------------------------------------------------------------
if [ "$CAPTURE" = 1 ]; then
	cap_stop 1 "$A6Q"
	total=0
	for ((k = 1; k <= NV; k++)); do
		read -r encap fam clen counter seq <<<"${VARIANTS[k - 1]}"
		o=(-o "l2tp.l2_specific:${V_L2S[k]}" -d l2tp.pw_type==0,eth)
		if [ "$clen" = 0 ]; then o+=(-o l2tp.cookie_size:none); else o+=(-o "l2tp.cookie_size:cookie$clen"); fi
		[ "$encap" = udp ] && o+=(-d "udp.port==${V_PH[k]},l2tp")
		src=$([ "$fam" = 4 ] && echo ip.src || echo ipv6.src)
		hsx=$(printf '0x%08x' "${V_HS[k]}") qsx=$(printf '0x%08x' "${V_QS[k]}")
		out=$(timeout 60 tshark -n -r "$CAP" "${o[@]}" \
			-Y "l2tp.sid == $hsx || l2tp.sid == $qsx" -T fields -E occurrence=f \
			-e "$src" -e l2tp.sid -e l2tp.cookie -e l2tp.l2_spec_s -e l2tp.l2_spec_sequence \
			-e frame.protocols -e _ws.malformed 2>/dev/null) || fail "tshark failed on variant $k"
		res=$(awk -F'\t' -v h4="$A4H" -v h6="$A6H" -v hs="$hsx" -v qs="$qsx" \
			-v ckh="${V_CKH[k]}" -v ckq="${V_CKQ[k]}" -v l2s="${V_L2S[k]}" \
			-v counter="$counter" -v seq="$seq" '
			function hex(s) { gsub(/:/, "", s); return tolower(s) }
			{
				fromh = ($1 == h4 || $1 == h6)
				why = ""
				# l2tpd sends QEMU'"'"'s rxsession and its own cookie
				if (tolower($2) != (fromh ? qs : hs)) why = why " session id " $2
				want = fromh ? ckh : ckq
				if (want != "-" && hex($3) != want) why = why " cookie " $3
				if (want == "-" && $3 != "") why = why " unexpected cookie " $3
				if ($6 !~ /l2tp:ethertype:(ip|arp)/) why = why " payload " $6
				if ($7 != "") why = why " malformed"
				if (l2s == "default" && fromh) {
					s = ($4 == "1" || $4 == "True")
					if (seq != "send" && s) why = why " S bit"
					# seq send: numbered from 0 until QEMU'"'"'s unnumbered
					# packets make l2tpd stop (the kernel'"'"'s LAC rule)
					if (seq == "send" && s) {
						if (nh != nseq || $5 != nseq) why = why " ns " $5 " as packet " nh
						nseq++
					}
				}
				if (l2s == "default" && !fromh) {
					# QEMU: a bare counter from 1 (no S bit), or 0 pinned
					if ($4 == "1" || $4 == "True") why = why " QEMU S bit"
					if (counter == "pin" && $5 != 0) why = why " pinned counter " $5
					if (counter == "on" && $5 != (nq + 1) % 16777216) why = why " counter " $5 " as packet " nq + 1
				}
				if (why != "") { bad++; if (bad <= 5) print "variant frame from " $1 ":" why > "/dev/stderr" }
				if (fromh) nh++; else nq++
			}
			END { printf "%d %d %d %d\n", bad + 0, nh + 0, nq + 0, nseq + 0 }' <<<"$out")
		read -r bad nh nq nseq <<<"$res"
		if [ "$seq" = send ]; then
			[ "$nseq" -gt 0 ] || fail "variant $k: l2tpd never sent a sequence number (seq send)"
			say "variant $k: l2tpd numbered its first $nseq packets, then stopped (QEMU sends none)"
		fi
		[ "$bad" = 0 ] || fail "variant $k: $bad L2TP packets on the wire are not as set up"
		[ "$nh" -gt 0 ] && [ "$nq" -gt 0 ] || fail "variant $k: capture holds $nh packets from l2tpd, $nq from QEMU"
		say "wire, variant $k: $nh packets from l2tpd, $nq from QEMU, as set up"
		total=$((total + nh + nq))
	done
	all=$(tshark -n -r "$CAP" -Y "udp || ip.proto == 115 || ipv6.nxt == 115" 2>/dev/null | grep -c . || true)
	[ "$all" = "$total" ] || fail "the capture holds $all UDP / IP-115 packets, the variants $total"
	say "wire: all $total L2TP packets decode cleanly; nothing else on the wire"
fi

vm_stop
pass
