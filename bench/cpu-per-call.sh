#!/usr/bin/env bash
# CPU time per echo round trip spent in the proxy process (aegis, or a bare Java proxy) and in the server behind it,
# with its context switches: a figure much steadier than latency on a small shared machine, and the one the
# gateway's own code decides. Each target runs the shared harness's mcp-latency.mjs long enough that a window of
# steady state can be sampled from /proc after the warm-up (JIT done); calls in the window = window x calls/s.
#   bench/cpu-per-call.sh
#   VARIANTS='-XX:TieredStopAtLevel=4' bench/cpu-per-call.sh     # aegis with other JVM options too (see lib.sh)
# Env: SETTLE (6 s before the window), WINDOW (5 s), BASELINE (1: also the bare proxies), BENCH_DIR, SHARED_BENCH.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
SETTLE="${SETTLE:-6}" WINDOW="${WINDOW:-5}"

bench_setup
add_aegis_stdio
add_variants
if [ "${BASELINE:-1}" = 1 ]; then add_baseline; fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s}'; }
hz="$(getconf CLK_TCK)"

printf '%-20s %16s %17s %19s %10s %8s %8s\n' target "proxy cpu us/call" "server cpu us/call" \
  "proxy switches/call" median_us p99_us calls/s
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  label="$(sed -n "$((i / 2 + 1))p" "$tmp/labels.tsv" | cut -f1)"
  out="$tmp/cpu-$((i / 2)).json"
  # enough calls to outlast warm-up, settling and the window at up to ~8000 calls/s
  (cd "$work" && exec node mcp-latency.mjs "${targets[$i]}" "${targets[$((i + 1))]}" \
    --n $(( (SETTLE + WINDOW + 4) * 8000 )) --warmup 3000 > "$out") &
  harness=$!
  pids+=("$harness")
  sleep "$SETTLE"
  proxy="$(pgrep -P "$harness" | head -n 1)"
  server="$(pgrep -P "$proxy" | head -n 1)"
  p1="$(ticks "$proxy")" s1="$(ticks "$server")" c1="$(switches "$proxy")" t1="$(date +%s.%N)"
  sleep "$WINDOW"
  p2="$(ticks "$proxy")" s2="$(ticks "$server")" c2="$(switches "$proxy")" t2="$(date +%s.%N)"
  wait "$harness"
  node -e '
    const [label, hz, p1, p2, s1, s2, c1, c2, t1, t2, file] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const calls = (t2 - t1) * r.calls_per_s;
    const us = (a, b) => ((b - a) / hz * 1e6 / calls).toFixed(1);
    console.log(label.padEnd(20), us(p1, p2).padStart(17), us(s1, s2).padStart(18),
      ((c2 - c1) / calls).toFixed(2).padStart(19), String(r.median_us).padStart(10), String(r.p99_us).padStart(8),
      String(r.calls_per_s).padStart(8));
  ' "$label" "$hz" "$p1" "$p2" "$s1" "$s2" "$c1" "$c2" "$t1" "$t2" "$out"
done
say "calls in a window are estimated from the run's calls/s; raw results are in $tmp"
