#!/usr/bin/env bash
# Compares Aegis with talking to the server directly and with the peer gateways mcp-proxy and supergateway, using
# the shared harness (../shared/bench: mcp-latency.mjs drives tools/call of server-everything's echo tool with the
# official TypeScript SDK client). Runs it at C=1, then at C=16 (16 sessions in parallel), and prints the harness's
# JSON lines and tables of ratios.
#   bench/peers.sh                          # aegis over stdio, and over HTTP when `gateway --listen` comes up
#   C16=0 bench/peers.sh                    # skip the C=16 run
#   BASELINE=1 bench/peers.sh               # also the bare Java proxies of dev.aegis.bench.BareProxy
#   VARIANTS='-XX:TieredStopAtLevel=4' bench/peers.sh   # also aegis with other JVM options (see bench/lib.sh)
#   bench/peers.sh --stdio "<command>" --http <url>     # more targets, passed on to the harness
# Env: N (2000 calls at C=1), N16 (20000 at C=16), WARMUP (300), HTTP_PORT (39511), BENCH_DIR (/tmp/aegis-bench),
#      SHARED_BENCH (../shared/bench).
# The shared folder is read-only, so the harness is copied to BENCH_DIR and installed there with `npm ci`; the copy
# is reused while its package-lock.json matches. Builds target/aegis.jar when it is missing.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
N="${N:-2000}" N16="${N16:-20000}" WARMUP="${WARMUP:-300}" HTTP_PORT="${HTTP_PORT:-39511}"

bench_setup
add_aegis_stdio
add_variants
if [ "${BASELINE:-0}" = 1 ]; then add_baseline; fi

# over HTTP: a gateway of its own in the background, when its port comes up
AEGIS_HOME="$tmp/home" "$repo/bin/aegis" gateway --config "$cfg" --listen "127.0.0.1:$HTTP_PORT" \
  >"$tmp/http.log" 2>&1 &
http_pid=$!
pids+=("$http_pid")
http_up=false
for _ in $(seq 150); do
  kill -0 "$http_pid" 2>/dev/null || break
  if (echo >/dev/tcp/127.0.0.1/"$HTTP_PORT") 2>/dev/null; then http_up=true; break; fi
  sleep 0.1
done
if $http_up; then
  add_target "aegis http" --http "http://127.0.0.1:$HTTP_PORT/mcp"
else
  why="$(grep -E 'Exception|Error|aegis:' "$tmp/http.log" | tail -n 1 || true)"
  say "skipping aegis over HTTP: 127.0.0.1:$HTTP_PORT did not come up within 15 s (${why:-see $tmp/http.log})"
  kill "$http_pid" 2>/dev/null || true
fi

# The harness starts mcp-proxy and supergateway on fixed ports and stops them when it ends; a second run must wait
# until the first run's are gone, or it would measure a dying server.
ports_free() {
  local port
  for _ in $(seq 100); do
    port=""
    for p in 39401 39301; do (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null && port=$p; done
    [ -z "$port" ] && return 0
    sleep 0.1
  done
  say "warning: port $port is still in use"
}

run() {
  local c="$1" n="$2" out="$3"
  shift 3
  ports_free
  say "C=$c N=$n WARMUP=$WARMUP: direct stdio, mcp-proxy, supergateway, then $(( (${#targets[@]} + $#) / 2 )) more"
  C="$c" N="$n" WARMUP="$WARMUP" "$work/peers.sh" "${targets[@]}" "$@" | tee "$out" \
    || say "the run at C=$c failed part-way; the tables show what it measured"
}
run 1 "$N" "$tmp/c1.jsonl" "$@"
if [ "${C16:-1}" != 0 ]; then
  run 16 "$N16" "$tmp/c16.jsonl" "$@"
fi
node "$repo/bench/ratios.mjs" "$tmp/labels.tsv" "$tmp/c1.jsonl" "$tmp/c16.jsonl"
echo
say "raw results, and the gateways' exchange log under home/logs, are in $tmp"
