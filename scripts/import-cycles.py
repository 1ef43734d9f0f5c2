#!/usr/bin/env python3
"""File-level import cycles among `crate::` paths of a crate's src/ (issue 23's check), for a
library (lib.rs) or a binary (main.rs).

Each file's module path is taken from its place under src/ (`a/b.rs` and `a/b/mod.rs` are
`a::b`); a `crate::x::y::Z` in a file is an edge to the deepest module file that path names
(an item of `lib.rs`, such as `crate::Error`, is an edge to the file defining it only when
lib.rs re-exports it: then to that file). Prints every cycle and exits 1 when there is one.
"""
import re, sys, pathlib

src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "crates/api-client/src")
modules = {}
for f in src.rglob("*.rs"):
    rel = f.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib") or rel.parts == ("main",):
        parts = parts[:-1]
    modules["::".join(parts)] = f
# The crate root: lib.rs, or main.rs for a binary crate.
lib = src / "lib.rs" if (src / "lib.rs").exists() else src / "main.rs"
# Root re-exports: `pub use x::y::Name;` in lib.rs makes `crate::Name` mean module x::y.
root_items = {}
for m in re.finditer(r"pub use (?:crate::)?([a-z_:]+)::\{?([A-Za-z_, ]+)\}?;", lib.read_text()):
    for name in m.group(2).split(","):
        root_items[name.strip()] = m.group(1)

def target(path):
    parts = path.split("::")
    if parts and parts[0] in root_items:
        parts = root_items[parts[0]].split("::")
    for n in range(len(parts), 0, -1):
        key = "::".join(parts[:n])
        if key in modules:
            return key
    return None

edges = {}
for name, f in modules.items():
    text = re.sub(r"//[^\n]*", "", f.read_text())
    found = set()
    for m in re.finditer(r"\bcrate::([A-Za-z_][A-Za-z0-9_:]*)", text):
        t = target(m.group(1))
        if t is not None and t != name:
            found.add(t)
    # `use crate::x::{a::B, c}` groups
    for m in re.finditer(r"\bcrate::([a-z_:]*)\{([^}]*)\}", text):
        base = m.group(1).rstrip(":")
        for item in m.group(2).split(","):
            item = item.strip().split(" as ")[0]
            if item and item != "self":
                t = target(f"{base}::{item}" if base else item)
                if t is not None and t != name:
                    found.add(t)
    edges[name] = found

cycles, seen = [], set()
def dfs(node, stack, on):
    for nxt in sorted(edges.get(node, ())):
        if nxt in on:
            cyc = stack[stack.index(nxt):] + [nxt]
            key = frozenset(cyc)
            if key not in seen:
                seen.add(key)
                cycles.append(cyc)
        elif len(stack) < 12:
            on.add(nxt); stack.append(nxt)
            dfs(nxt, stack, on)
            stack.pop(); on.discard(nxt)
for start in sorted(edges):
    dfs(start, [start], {start})
for c in cycles:
    print("cycle: " + " -> ".join(c or ["(root)"]))
print(f"{len(modules)} files, {sum(len(e) for e in edges.values())} edges, {len(cycles)} cycle(s)")
sys.exit(1 if cycles else 0)
