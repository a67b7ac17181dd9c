#!/bin/bash
# check.sh: run every test suite of `make check` against the ASan+UBSan build
# and end with one line "N passed, N failed, N skipped".
#
# Counts: each cmocka test case counts once (from cmocka's own summary), each
# fuzz smoke target once, each shell scenario (tests/net, tests/interop) once.
# Then the worker-thread tests again against the ThreadSanitizer build (TB,
# default build-tsan) when it is there.
# Environment: B (build dir, default build-asan), FUZZ_RUNS (default 20000),
# SIM_SEEDS (seeds of the lossy simulation, default 40),
# CHECK_ONLY (a regex: run only suites whose name matches).
set -u
cd "$(dirname "$0")/.."
B=${B:-build-asan}
FUZZ_RUNS=${FUZZ_RUNS:-20000}
ONLY=${CHECK_ONLY:-.}
LOGS=$B/check-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export L2TPD=$PWD/$B/l2tpd L2TP=$PWD/$B/l2tp
# tests/sim: the lossy scenario over this many seeds (make sim-long runs more)
export SIM_SEEDS=${SIM_SEEDS:-40}
pass=0 fail=0 skip=0
failed_names=()

note_fail() { # name log
	fail=$((fail + 1))
	failed_names+=("$1")
	echo "FAIL  $1 (log: $2)"
	tail -n 25 "$2" | sed 's/^/    | /'
}

# --- cmocka unit, cli, daemon and interop C tests ------------------------------
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[[ $name =~ $ONLY ]] || continue
	log=$LOGS/$name.log
	timeout 600 "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
	s=$(grep -Eo '^\[  SKIPPED \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
	pass=$((pass + p)) skip=$((skip + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, sanitizer report, or no cmocka summary
	fi
	if [ "$f" -gt 0 ]; then
		fail=$((fail + f - 1))
		note_fail "$name" "$log"
	else
		if [ "$s" -gt 0 ]; then echo "ok    $name ($p passed, $s skipped)"; else echo "ok    $name ($p passed)"; fi
	fi
done

# --- fuzz smoke: each target a bounded number of runs over its seeds ------------
if ls build-fuzz/fuzz_* >/dev/null 2>&1; then
	for f in build-fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		[[ $name =~ $ONLY ]] || continue
		seeds=fuzz/corpus/${name#fuzz_}
		tmp=$(mktemp -d)
		log=$LOGS/$name.log
		args=("$tmp")
		[ -d "$seeds" ] && args+=("$seeds")
		if timeout 300 "$f" -runs="$FUZZ_RUNS" -seed=1 -max_len=4096 \
			-artifact_prefix="$tmp/" "${args[@]}" >"$log" 2>&1; then
			pass=$((pass + 1))
			echo "ok    $name ($FUZZ_RUNS runs)"
		else
			cp "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$LOGS"/ 2>/dev/null
			note_fail "$name" "$log"
		fi
		rm -rf "$tmp"
	done
fi

# --- shell scenarios: interop, then network namespaces ---------------------------
# tests/interop/kernel: Debian's kernel in QEMU as the peer (its representative
# subset here; make check-kernel runs the full matrix)
for s in tests/interop/*.sh tests/interop/kernel/*.sh tests/interop/v2/*.sh tests/net/*.sh tests/pkg/*.sh; do
	[ -f "$s" ] || continue
	case $(basename "$s") in lib*.sh | vm.sh | agent.sh) continue ;; esac
	name=${s#tests/}
	[[ $name =~ $ONLY ]] || continue
	log=$LOGS/$(echo "$name" | tr / _).log
	timeout 900 bash "$s" >"$log" 2>&1
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "ok    $name" ;;
	77) skip=$((skip + 1)); echo "skip  $name: $(tail -n 1 "$log")" ;;
	*) note_fail "$name" "$log" ;;
	esac
done

# --- ThreadSanitizer: the datapath's worker threads (VARIANT=tsan build) --------
TB=${TB:-build-tsan}
if [ -x "$TB/l2tpd" ] && [ -x "$TB/tests/test_datapath_user" ]; then
	for name in tsan/test_datapath_user tsan/net/eth_pw_workers.sh; do
		[[ $name =~ $ONLY ]] || continue
		log=$LOGS/$(echo "$name" | tr / _).log
		if [ "$name" = tsan/test_datapath_user ]; then
			TSAN_OPTIONS=halt_on_error=1:exitcode=66 timeout 600 "$TB/tests/test_datapath_user" >"$log" 2>&1
		else
			TSAN_OPTIONS=halt_on_error=1:exitcode=66 L2TPD=$PWD/$TB/l2tpd L2TP=$PWD/$TB/l2tp \
				timeout 900 bash tests/net/eth_pw_workers.sh >"$log" 2>&1
		fi
		rc=$?
		# TSan cannot run at all under some ASLR settings (vm.mmap_rnd_bits)
		if grep -q 'ThreadSanitizer: unexpected memory mapping' "$log"; then
			skip=$((skip + 1)); echo "skip  $name: ThreadSanitizer cannot map its memory here"
			continue
		fi
		if [ $rc = 0 ] && ! grep -q 'ThreadSanitizer' "$log"; then
			pass=$((pass + 1)); echo "ok    $name"
		elif [ $rc = 77 ]; then
			skip=$((skip + 1)); echo "skip  $name: $(tail -n 1 "$log")"
		else
			note_fail "$name" "$log"
		fi
	done
fi

# --- the eBPF datapath under the userspace datapath's scenarios -----------------
# (issue 13; workers, left out, tests the user datapath's threads), and mtu
# (outer fragments both ways) mixed with a user-datapath peer (ebpf-user/)
for name in ebpf/net/eth_pw_{bridge,churn,cookie,ifdel,ip4,ip6,junk,kill,load,mtu,scale,seq,udp4,udp6}.sh \
	ebpf-user/net/eth_pw_mtu.sh; do
	[[ $name =~ $ONLY ]] || continue
	log=$LOGS/$(echo "$name" | tr / _).log
	case $name in
	ebpf/*) env L2TPD_DATAPATH=ebpf timeout 300 bash "tests/${name#*/}" >"$log" 2>&1 ;;
	ebpf-user/*) env L2TPD_DATAPATH_1=ebpf timeout 300 bash "tests/${name#*/}" >"$log" 2>&1 ;;
	esac
	case $? in
	0) pass=$((pass + 1)); echo "ok    $name" ;;
	77) skip=$((skip + 1)); echo "skip  $name: $(tail -n 1 "$log")" ;;
	*) note_fail "$name" "$log" ;;
	esac
done

# --- managed tunnels on the eBPF datapath: both ends (ebpf/), and mixed with a
# user-datapath peer (ebpf-user/); v2_ppp with its LAC on auto (auto/: v2,
# fallback and PPP tunnels go to the user datapath, L2TPv3 PPP moves there).
# Left out: loss with ebpf at both ends (the data passes no netfilter hook,
# so only the control messages meet its drops: too few to be sure of one);
# scale mixed (the same BPF side as ebpf/ scale, 1 min more).
for name in ebpf/net/managed_{udp4,ip4,ip6,auth,restart,symmetric,capture,monitor,config,scale}.sh \
	ebpf-user/net/managed_{udp4,ip4,ip6,auth,loss,restart,symmetric,capture,monitor,config}.sh \
	auto/net/v2_ppp.sh; do
	[[ $name =~ $ONLY ]] || continue
	log=$LOGS/$(echo "$name" | tr / _).log
	case $name in
	ebpf/*) env L2TPD_DATAPATH=ebpf timeout 300 bash "tests/${name#*/}" >"$log" 2>&1 ;;
	ebpf-user/*) env L2TPD_DATAPATH_1=ebpf timeout 300 bash "tests/${name#*/}" >"$log" 2>&1 ;;
	auto/*)
		if [ -d /sys/module/l2tp_netlink ]; then
			echo "SKIP: the kernel has its L2TP family, which auto takes" >"$log"
			(exit 77)
		else
			env L2TPD_DATAPATH_1=auto timeout 300 bash "tests/${name#*/}" >"$log" 2>&1
		fi
		;;
	esac
	case $? in
	0) pass=$((pass + 1)); echo "ok    $name" ;;
	77) skip=$((skip + 1)); echo "skip  $name: $(tail -n 1 "$log")" ;;
	*) note_fail "$name" "$log" ;;
	esac
done

# --- the eBPF datapath against the kernel's l2tp_eth (Debian's kernel in QEMU) ---
# static_matrix.sh with l2tpd on --datapath ebpf: its 9 cases (KERNEL_MATRIX=full:
# 48, as make check-kernel runs), each with a TCP bulk transfer both ways
for name in interop/kernel/ebpf/static_matrix.sh; do
	[[ $name =~ $ONLY ]] || continue
	log=$LOGS/$(echo "$name" | tr / _).log
	L2TPD_DATAPATH=ebpf timeout 900 bash tests/interop/kernel/static_matrix.sh >"$log" 2>&1
	case $? in
	0) pass=$((pass + 1)); echo "ok    $name" ;;
	77) skip=$((skip + 1)); echo "skip  $name: $(tail -n 1 "$log")" ;;
	*) note_fail "$name" "$log" ;;
	esac
done

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
