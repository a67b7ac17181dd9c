#!/bin/bash
# tshark_data.sh: the stored captures of tests/data/captures still decode as
# L2TP without a malformed packet or a warning/error expert item, with the
# preferences each one needs (tests/data/README.md). The field-by-field
# comparison with what the codec builds is tests/interop/test_tshark.c; this
# guards the stored fuzz seeds. One line per capture; exit 0 pass, 1 fail,
# 77 when tshark is missing.
set -u
cd "$(dirname "$0")/../.."
command -v tshark >/dev/null 2>&1 || { echo "skip  tshark not installed"; exit 77; }

rc=0
shopt -s nullglob
files=(tests/data/captures/*.pcap)
[ ${#files[@]} -gt 0 ] || { echo "FAIL  no captures in tests/data/captures"; exit 1; }
for f in "${files[@]}"; do
	name=$(basename "$f" .pcap)
	prefs=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE)
	case $name in
	v3-data-cookie*)
		c=${name#v3-data-cookie}
		c=${c%%-*}
		prefs+=(-o "l2tp.cookie_size:cookie$c")
		case $name in
		*-nosub) prefs+=(-o l2tp.l2_specific:none) ;;
		*) prefs+=(-o l2tp.l2_specific:default) ;;
		esac
		;;
	v3-digest-*) prefs+=(-o l2tp.shared_secret:tunnelsecret) ;;
	udp-ports) prefs+=(-d udp.port==1702,l2tp) ;;
	esac
	out=$(timeout 60 tshark -n -r "$f" "${prefs[@]}" -T fields -E separator=/t \
		-E occurrence=a -E aggregator=, -e frame.protocols -e _ws.malformed \
		-e _ws.expert.severity -e _ws.expert.message 2>/dev/null)
	if [ $? -ne 0 ] || [ -z "$out" ]; then
		echo "FAIL  tshark $name: tshark failed"
		rc=1
		continue
	fi
	# a frame fails when it is not L2TP, is malformed, or has an expert item
	# of warning (0x600000) or error (0x800000) severity, except Wireshark's
	# "Trailing stray characters" on a binary Remote End ID and "Vendor-Specific
	# AVP data" on an AVP type it does not know (see test_tshark.c)
	bad=$(printf '%s\n' "$out" | awk -F'\t' '
		$1 !~ /l2tp/ || $2 != "" { n++; next }
		{
			k = split($3, s, ","); w = 0
			for (i = 1; i <= k; i++) if (s[i] + 0 >= 6291456) w++
			a = gsub(/Trailing stray characters|Vendor-Specific AVP data/, "", $4)
			if (w > a) n++
		}
		END { print n + 0 }')
	frames=$(printf '%s\n' "$out" | wc -l)
	if [ "$bad" -ne 0 ]; then
		echo "FAIL  tshark $name: $bad of $frames frames malformed or with warnings"
		rc=1
	else
		echo "ok    tshark $name: $frames frames decode cleanly"
	fi
done
exit $rc
