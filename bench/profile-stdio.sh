#!/usr/bin/env bash
# Profiles the gateway on the stdio echo path in steady state with perf (JIT frames named through the JVM's perf map)
# and prints where its CPU goes: the inclusive share of the main stages and the top self-time symbols.
#   bench/profile-stdio.sh
#   JAVA_OPTS='-XX:TieredStopAtLevel=4' bench/profile-stdio.sh      # profile another JIT or GC setting
# Env: SETTLE (12 s of calls before recording), WINDOW (8 s recorded), JAVA_OPTS, BENCH_DIR, SHARED_BENCH.
# Needs perf (Debian: apt-get install linux-perf); perf.data stays in the run's temp folder for `perf report -i`.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
SETTLE="${SETTLE:-12}" WINDOW="${WINDOW:-8}"
command -v perf >/dev/null || { say "perf is not installed (apt-get install linux-perf)"; exit 2; }

bench_setup
printf '%s\n' -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer ${JAVA_OPTS:-} \
  > "$tmp/jvm-profile.args"
cmd="env AEGIS_HOME=$tmp/home AEGIS_JAVA_OPTS=@$tmp/jvm-profile.args $repo/bin/aegis gateway --config $cfg"
(cd "$work" && exec node mcp-latency.mjs --stdio "$cmd" --n $(( (SETTLE + WINDOW + 4) * 8000 )) --warmup 3000 \
  > "$tmp/result.json") &
harness=$!
pids+=("$harness")
sleep "$SETTLE"
gateway="$(pgrep -P "$harness" | head -n 1)"
say "recording gateway pid $gateway for $WINDOW s"
perf record -F 2999 -g -o "$tmp/perf.data" -p "$gateway" -- sleep "$WINDOW" 2>/dev/null
wait "$harness"   # the gateway writes /tmp/perf-<pid>.map when it exits
cat "$tmp/result.json"

echo
echo "inclusive share of the gateway's CPU:"
perf report -i "$tmp/perf.data" --children --sort sym -g none -q 2>/dev/null \
  | grep -E 'StreamChannel\.(readLoop|send)|LineReader\.next|Codec\.(decodeEach|fromTree)|FileInputStream\.readBytes\(|FileOutputStream\.writeBytes\(|ObjectMapper\.(_readTreeAndClose|writeValueAsBytes)|ExchangeLog\.(onExchange|drain)|GatewaySession\.dispatch\(|Router\.(intercept|resolve)|Pipeline\.send|CompletableFuture\.postComplete|\[k\] do_syscall_64' \
  | sed -E 's/ +\[(\.|k)\] +/  /; s/\(.*$//' | cut -c1-120
echo
echo "CPU by thread:"
perf report -i "$tmp/perf.data" --no-children --sort comm -g none -q 2>/dev/null | head -n 6
echo
echo "top self time:"
perf report -i "$tmp/perf.data" --no-children --sort sym -g none -q 2>/dev/null | head -n 15 | cut -c1-140
say "perf.data is in $tmp (perf report -i $tmp/perf.data)"
