#!/usr/bin/env bash
# Installs the MCP peers the interop tests run against, exactly as pinned in package-lock.json.
# Skips the install when node_modules already matches the lockfile.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.aegis-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "interop: npm is required (Node.js 20+)" >&2; exit 1; }
echo "interop: installing pinned MCP peers (npm ci)..."
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
