#!/usr/bin/env bash
# Property-based API testing: schemathesis generates requests from spec/openapi.yaml and checks
# every answer of a sandbox started from this checkout. Starts the sandbox, runs, stops it.
#   MAX_EXAMPLES=200 scripts/schemathesis.sh     # more examples than CI's bounded run
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
if [ ! -x .venv/bin/st ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
cargo build --locked -q -p nanobanana-cli
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A fixed key, as a real server has: schemathesis checks that other keys are refused.
SANDBOX_API_KEY=sk-schemathesis target/debug/nanobanana sandbox --port "$port" --time-scale 0.001 2>/dev/null &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  sleep 0.1
done
.venv/bin/st run spec/openapi.yaml \
  --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer sk-schemathesis" \
  --checks all \
  --max-examples "$MAX_EXAMPLES" \
  --seed 20261124 \
  --no-color
