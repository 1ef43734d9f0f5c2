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
# The binary as the tests step built it: `cargo build` (or `-p` alone) resolves other features
# (no dev-dependencies) and rebuilt for 80 s after the tests step.
cargo test --workspace --locked --no-run -q
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
files_port=$(free_port)
# A fixed key, as a real server has: schemathesis checks that other keys are refused.
SANDBOX_API_KEY=sk-schemathesis target/debug/nanobanana sandbox --port "$port" --files-port "$files_port" --time-scale 0.001 2>/dev/null &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  sleep 0.1
done
# Two hosts, as in production: the image API, and the file service (paths /api/v1/files/...,
# whose operations name their own `servers`) on the sandbox's second address.
run() {
  .venv/bin/st run spec/openapi.yaml \
    --header "Authorization: Bearer sk-schemathesis" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed 20261124 \
    --no-color \
    "$@"
}
# The stateful phase needs both ends of the create → query link: only the last run has it.
single=(--phases examples,coverage,fuzzing)
run --url "http://127.0.0.1:$port" \
  --exclude-path-regex '^/api/v1/files/|^/v1/images/generations$|^/v1/tasks$' "${single[@]}"
# positive_data_acceptance is off for the task list: `page_size` over 100 is a 400 (assumed, as
# the file service's `pageSize`; the spec says so in words, not as a schema maximum, which no
# generated type could enforce), so a schema-valid 897 is rightly refused.
run --url "http://127.0.0.1:$port" --include-path-regex '^/v1/tasks$' \
  --exclude-checks positive_data_acceptance "${single[@]}"
# positive_data_acceptance is off for the create call: its schema carries the widest limits of
# any model (and any model name), while each model takes less (`x-nanobanana-models`, which
# schemathesis cannot read): `size: 1:8` with gemini-3-pro-image-preview is schema-valid and
# rightly refused with a 400. tests/tests/model_limits.rs checks every model's limits instead.
run --url "http://127.0.0.1:$port" --include-path-regex '^/v1/images/generations$' \
  --exclude-checks positive_data_acceptance "${single[@]}"
# positive_data_acceptance is off for the file service: a schema-valid upload need not be an
# image (`format: binary` cannot say "PNG magic bytes"), and a schema-valid `file_url` need not
# be fetchable (the sandbox fetches only its own files and loopback URLs), so a 400 is right.
run --url "http://127.0.0.1:$files_port" --include-path-regex '^/api/v1/files/' \
  --exclude-checks positive_data_acceptance "${single[@]}"
# The link itself: create a task, then query it by the id the create returned (the spec's
# `links` on the create answer).
run --url "http://127.0.0.1:$port" --include-path-regex '^/v1/(images/generations|tasks/)' \
  --exclude-checks positive_data_acceptance --phases stateful
