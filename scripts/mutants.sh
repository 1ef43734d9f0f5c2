#!/usr/bin/env bash
# Mutation testing of the SDK modules whose tests must catch every change of behaviour:
# retries, waiting, validation, downloads. Fails when fewer than 90 % of the viable mutants
# are caught (docs/testing.md, "Tests that catch what they claim to"). About an hour on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(
  crates/api-client/src/config/retry.rs
  crates/api-client/src/tasks/waiting.rs
  crates/api-client/src/types/validate.rs
  crates/api-client/src/tasks/download.rs
)
args=()
for f in "${files[@]}"; do args+=(--file "$f"); done
# Only nanobanana-api's own unit and integration tests judge its mutants (doctests only show
# usage); a timeout counts as caught.
cargo mutants --package nanobanana-api "${args[@]}" --no-shuffle --timeout-multiplier 3 "$@" \
  -- --lib --tests || true
caught=$(wc -l < mutants.out/caught.txt)
timeout=$(wc -l < mutants.out/timeout.txt)
missed=$(wc -l < mutants.out/missed.txt)
viable=$((caught + timeout + missed))
echo "mutants: $caught caught, $timeout timed out, $missed missed of $viable viable"
if [ "$viable" -eq 0 ]; then
  echo "error: no viable mutants: did cargo mutants run?" >&2
  exit 2
fi
if [ $(( (caught + timeout) * 100 )) -lt $(( viable * 90 )) ]; then
  echo "error: fewer than 90 % of the mutants were caught; the missed ones:" >&2
  cat mutants.out/missed.txt >&2
  exit 1
fi
