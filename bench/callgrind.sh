#!/bin/bash
# callgrind.sh: instructions per packet of the data plane's encap and decap,
# counted by valgrind --tool=callgrind over bench/bench_cg.c.
#
# For each configuration (udp, ip, cookie = UDP + 8-byte cookies + seq both)
# bench_cg runs N1 and N2 frames; the instruction counts of the two runs are
# subtracted and divided by N2 - N1, which removes every fixed cost (loader,
# setup, valgrind's own start). Four counts per configuration:
#   encap   only inside bench_encap_one()  (--toggle-collect)
#   decap   only inside bench_decap_one()  (decap + the reorder-queue pop loop
#           every receiver runs after it, and that wrapper's own frame)
#   lib     only inside l2tp_dp_encap(), l2tp_dp_decap() and l2tp_dp_pop():
#           the library's whole per-packet cost, without the driver's calls
#   loop    the whole program: encap + decap + the driver's loop
# Instruction counts are exact and repeatable, unlike times: a change in
# them is a change in the code path.
#
# Environment: BUILDDIR (build; bench_cg is built there if missing),
# BENCH_CG (the binary, default $BUILDDIR/bench/bench_cg), CG_N1 (100000),
# CG_N2 (200000), CG_SIZE (frame bytes, 1400), CG_CONFIGS ("udp ip cookie";
# bench_cg also knows seq and v2),
# CG_MD (also write the table as markdown to this file).
set -u
cd "$(dirname "$0")/.." || exit 1

B=${BUILDDIR:-build}
BIN=${BENCH_CG:-$B/bench/bench_cg}
N1=${CG_N1:-100000}
N2=${CG_N2:-200000}
SIZE=${CG_SIZE:-1400}
CONFIGS=${CG_CONFIGS:-udp ip cookie}

die() { echo "callgrind.sh: $*" >&2; exit 1; }

command -v valgrind >/dev/null || die "valgrind not installed (scripts/deps.sh --bench)"
case "$N1$N2" in *[!0-9]*) die "CG_N1 and CG_N2 must be integers" ;; esac
[ "$N2" -gt "$N1" ] || die "CG_N2 must be larger than CG_N1"
if [ ! -x "$BIN" ] && [ -z "${BENCH_CG:-}" ]; then
	make --no-print-directory BUILDDIR="$B" "$B/bench/bench_cg" >&2 ||
		die "cannot build $B/bench/bench_cg (needs lib/dp.c)"
fi
[ -x "$BIN" ] || die "no $BIN"

TMP=$(mktemp -d /tmp/l2tpkit-cg.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT

# count CONFIG N WHAT: instructions (Ir) callgrind counted
count() {
	local cfg=$1 n=$2 what=$3 out=$TMP/cg.$1.$2.$3 tog=()
	case $what in
	encap) tog=(--collect-atstart=no "--toggle-collect=bench_encap_one*") ;;
	decap) tog=(--collect-atstart=no "--toggle-collect=bench_decap_one*") ;;
	lib) tog=(--collect-atstart=no --toggle-collect=l2tp_dp_encap
		--toggle-collect=l2tp_dp_decap --toggle-collect=l2tp_dp_pop) ;;
	esac
	# bounded: the largest default run takes a few seconds under callgrind
	if ! timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" "${tog[@]}" \
		"$BIN" "$cfg" "$n" "$SIZE" >"$out.log" 2>&1; then
		tail -n 5 "$out.log" >&2
		die "callgrind run failed: bench_cg $cfg $n $SIZE ($what)"
	fi
	local ir
	ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out" | head -n1)
	[ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out" | head -n1)
	[ -n "$ir" ] || die "no instruction total in $out"
	echo "$ir"
}

per_packet() { # cfg what
	local a b
	a=$(count "$1" "$N1" "$2") || exit 1
	b=$(count "$1" "$N2" "$2") || exit 1
	awk -v a="$a" -v b="$b" -v d=$((N2 - N1)) 'BEGIN { printf "%.1f", (b - a) / d }'
}

hdr="instructions per packet: callgrind Ir of $N2 minus $N1 frames of $SIZE bytes, / $((N2 - N1)) ($(valgrind --version))"
echo "$hdr"
printf '%-8s %10s %10s %10s %12s\n' config encap decap lib "loop total"
md="| config | encap | decap | lib | loop total |
|---|---:|---:|---:|---:|"
for cfg in $CONFIGS; do
	e=$(per_packet "$cfg" encap) || exit 1
	d=$(per_packet "$cfg" decap) || exit 1
	i=$(per_packet "$cfg" lib) || exit 1
	l=$(per_packet "$cfg" loop) || exit 1
	printf '%-8s %10s %10s %10s %12s\n' "$cfg" "$e" "$d" "$i" "$l"
	md="$md
| $cfg | $e | $d | $i | $l |"
done
if [ -n "${CG_MD:-}" ]; then
	printf '%s\n\n%s\n' "$hdr" "$md" >"$CG_MD"
fi
