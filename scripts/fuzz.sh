#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for SECONDS (default 60).
#   scripts/fuzz.sh           # short run, as CI does
#   scripts/fuzz.sh 3600      # a long run
# Seeds are fuzz/corpus/<target>/; what the fuzzer learns goes to build/fuzz/corpus/ and
# crashes to build/fuzz/crashes/ (each one should become a regression test).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
bash scripts/install-deps.sh
cmake --preset fuzz >/dev/null
TARGETS=(fuzz_http_parsers:http fuzz_json_body:json fuzz_psrun_args:psrun fuzz_request:request)
cmake --build --preset fuzz --target "${TARGETS[@]%%:*}"
mkdir -p build/fuzz/crashes
status=0
for t in "${TARGETS[@]}"; do
  bin="${t%%:*}"; seeds="fuzz/corpus/${t##*:}"
  mkdir -p "build/fuzz/corpus/$bin"
  echo "== $bin (${SECONDS_PER_TARGET}s)"
  if ! "build/fuzz/fuzz/$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build/fuzz/crashes/$bin-" -print_final_stats=1 \
       "build/fuzz/corpus/$bin" "$seeds" 2>&1 | tail -n 12; then
    status=1
  fi
done
exit $status
