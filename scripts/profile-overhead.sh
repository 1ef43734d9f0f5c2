#!/usr/bin/env bash
# Where the SDK's overhead per call goes, in instructions (repeatable whatever else the machine
# does, unlike wall time): the client side of `nanobanana-bench overhead` under callgrind, each
# side run twice (200 and 1200 create + get pairs against a sandbox in another process, on one
# thread), so the difference of the two runs is 1000 pairs without start-up. The sides add one
# layer each: bare reqwest, the generated client (progenitor, the hooks, its headers), the SDK
# without timeouts (validation, retries, the gate), the SDK as users run it (timeouts). Prints
# the instructions per pair of each side, what each layer adds, and the functions whose own
# instructions differ most between bare reqwest and the SDK.
#
# Needs valgrind (Debian: `apt-get install valgrind`). About three minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "error: valgrind is not installed" >&2; exit 2; }
cargo build --release --locked -q -p nanobanana-bench
bench=target/release/nanobanana-bench
out=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
files_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bench" serve-sandbox --port "$port" --files-port "$files_port" >/dev/null &
sandbox=$!
trap 'kill $sandbox 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
for side in bare generated sdk-no-timeouts sdk; do
  for pairs in 200 1200; do
    valgrind --tool=callgrind --callgrind-out-file="$out/$side-$pairs.out" \
      "$bench" overhead-profile --base-url "http://127.0.0.1:$port" --side "$side" \
      --pairs "$pairs" 2>/dev/null
    callgrind_annotate --threshold=100 "$out/$side-$pairs.out" >"$out/$side-$pairs.txt" 2>/dev/null
  done
done
python3 - "$out" <<'PY'
import collections, re, sys

out = sys.argv[1]

def own_costs(name):
    """Instructions per function (its own, not its callees') in one callgrind_annotate listing."""
    costs = collections.Counter()
    for line in open(f"{out}/{name}.txt"):
        m = re.match(r"\s*([\d,]+)\s+\([ \d.]+%\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            function = re.sub(r"^(\./\S*|\?\?\?):", "", m.group(2))
            costs[function] += int(m.group(1).replace(",", ""))
    return costs

def per_pair(side):
    long, short = own_costs(f"{side}-1200"), own_costs(f"{side}-200")
    return {f: (long[f] - short.get(f, 0)) / 1000 for f in long}

sides = ["bare", "generated", "sdk-no-timeouts", "sdk"]
costs = {side: per_pair(side) for side in sides}
totals = {side: sum(costs[side].values()) for side in sides}
print("client instructions per create + get (each layer's addition):")
previous = None
for side in sides:
    added = "" if previous is None else f"  (+{totals[side] - totals[previous]:,.0f})"
    print(f"  {side:16} {totals[side]:9,.0f}{added}")
    previous = side
sdk, bare = costs["sdk"], costs["bare"]
total_sdk, total_bare = totals["sdk"], totals["bare"]
print(f"SDK vs bare reqwest: ratio {total_sdk / total_bare:.3f} (+{total_sdk - total_bare:,.0f})")
print("where the difference goes (own instructions per pair: extra, SDK, bare):")
rows = sorted(((sdk.get(f, 0) - bare.get(f, 0), sdk.get(f, 0), bare.get(f, 0), f)
               for f in set(sdk) | set(bare)), reverse=True)
for extra, s, b, f in rows[:20]:
    print(f"{extra:8,.0f} {s:8,.0f} {b:8,.0f}  {f[:110]}")
PY
