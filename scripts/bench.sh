#!/usr/bin/env bash
# Runs every benchmark of the README's Performance section on this machine. Installs Prism
# (npm, into target/prism) for the sandbox-throughput comparison. Takes about a minute after
# the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x target/prism/node_modules/.bin/prism ]; then
  mkdir -p target/prism
  (cd target/prism && npm install --silent --no-audit --no-fund @stoplight/prism-cli@5)
fi
cargo build --release --locked -q -p nanobanana-bench
PRISM_BIN="$PWD/target/prism/node_modules/.bin/prism" ./target/release/nanobanana-bench all
