#!/bin/bash
# fuzz.sh long: run every libFuzzer target for FUZZ_SECONDS (default 60) each,
# growing its corpus in build-fuzz/corpus/<target> (seeded from fuzz/corpus).
set -eu
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
for f in build-fuzz/fuzz_*; do
	name=$(basename "$f")
	work=build-fuzz/corpus/${name#fuzz_}
	mkdir -p "$work" build-fuzz/artifacts
	seeds=fuzz/corpus/${name#fuzz_}
	echo "== $name ($secs s)"
	"$f" -max_total_time="$secs" -max_len=4096 -artifact_prefix=build-fuzz/artifacts/ \
		"$work" $( [ -d "$seeds" ] && echo "$seeds") 2>&1 | grep -E '^(#[0-9]+ +DONE|==|SUMMARY)' || true
done
