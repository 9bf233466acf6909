#!/usr/bin/env bash
# For performance work on the stdio path: runs the shared harness's mcp-latency.mjs against stdio targets only,
# interleaved over ROUNDS rounds (so drift on the machine hits every target alike), and prints each target's
# medians over the rounds with ratios to the direct server. Targets: server-everything directly, aegis as it ships,
# the bare Java proxies (BASELINE=1, the default here), and one aegis per VARIANTS entry (see bench/lib.sh).
#   bench/stdio-ab.sh
#   ROUNDS=5 VARIANTS='-XX:TieredStopAtLevel=4;-XX:CompileThresholdScaling=0.05' bench/stdio-ab.sh
#   VARIANTS='AEGIS_JAR=/tmp/patched.jar' BASELINE=0 bench/stdio-ab.sh      # a patched build against the current one
# Env: ROUNDS (3), N (3000 calls per target and round), WARMUP (1000), BENCH_DIR, SHARED_BENCH.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
ROUNDS="${ROUNDS:-3}" N="${N:-3000}" WARMUP="${WARMUP:-1000}"

bench_setup
add_direct
add_aegis_stdio
add_variants
if [ "${BASELINE:-1}" = 1 ]; then add_baseline; fi

files=()
for r in $(seq "$ROUNDS"); do
  say "round $r of $ROUNDS: $(( ${#targets[@]} / 2 )) targets, N=$N WARMUP=$WARMUP"
  for ((i = 0; i < ${#targets[@]}; i += 2)); do
    (cd "$work" && node mcp-latency.mjs "${targets[$i]}" "${targets[$((i + 1))]}" --n "$N" --warmup "$WARMUP") \
      | tee -a "$tmp/round-$r.jsonl"
  done
  files+=("$tmp/round-$r.jsonl")
done
node "$repo/bench/ratios.mjs" --rounds "$tmp/labels.tsv" "${files[@]}"
say "raw results, and the gateway's exchange log under home/logs, are in $tmp"
