//! The public API of `nanobanana-api` as a list of item paths, from rustdoc's JSON output, so
//! that any change to what users can name or call (an item added, removed, renamed, moved, a
//! method or a variant, a function's or field's type) shows in review as a diff of
//! `crates/api-client/public-api.txt`. Functions are listed with their signatures and fields
//! with their types ([`crate::signature::Names`]); types are named by their last path segment.
//!
//! rustdoc's JSON is unstable: it is produced with `RUSTC_BOOTSTRAP=1` on the stable toolchain,
//! and read here through the few fields every format version since 2024 has (`root`, `index`,
//! `name`, `visibility`, `inner` with `module`, `use`, `struct`, `enum`, `impl`, `function`,
//! `struct_field`).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::signature::Names;

/// One line per public item: `kind path`, sorted.
pub fn list(doc: &Value) -> Result<Vec<String>, String> {
    let index = doc["index"]
        .as_object()
        .ok_or("rustdoc JSON has no `index`")?;
    let root = doc["root"].to_string();
    let crate_name = index
        .get(&root)
        .and_then(|r| r["name"].as_str())
        .ok_or("rustdoc JSON has no root module")?
        .to_string();
    let mut lines = BTreeSet::new();
    let mut walker = Walker {
        index,
        names: Names::of(doc),
        lines: &mut lines,
        seen: BTreeSet::new(),
    };
    walker.module(&root, &crate_name);
    Ok(lines.into_iter().collect())
}

struct Walker<'a> {
    index: &'a serde_json::Map<String, Value>,
    /// Writes signatures and types.
    names: Names<'a>,
    lines: &'a mut BTreeSet<String>,
    /// Modules walked, with the path they were walked under (a glob can reach one twice).
    seen: BTreeSet<(String, String)>,
}

impl Walker<'_> {
    fn item(&self, id: &str) -> Option<&Value> {
        self.index.get(id)
    }

    fn module(&mut self, id: &str, path: &str) {
        if !self.seen.insert((id.to_string(), path.to_string())) {
            return;
        }
        let Some(items) = self
            .item(id)
            .and_then(|m| m["inner"]["module"]["items"].as_array())
            .cloned()
        else {
            return;
        };
        for child in items {
            let child = child.to_string();
            let Some(item) = self.item(&child).cloned() else {
                continue;
            };
            if item["visibility"] != "public" {
                continue;
            }
            if let Some(import) = item["inner"].get("use") {
                self.import(import, path);
                continue;
            }
            let name = item["name"].as_str().unwrap_or("_");
            self.named(&child, &item, &format!("{path}::{name}"));
        }
    }

    /// A `pub use`: the item it names, under this path (or everything of a glob).
    fn import(&mut self, import: &Value, path: &str) {
        let target = import["id"].to_string();
        let name = import["name"].as_str().unwrap_or("_");
        if import["is_glob"] == true {
            if self.item(&target).is_some() {
                self.module(&target, path);
            } else {
                self.lines
                    .insert(format!("use {path}::* (from {})", text(&import["source"])));
            }
            return;
        }
        match self.item(&target).cloned() {
            Some(item) => self.named(&target, &item, &format!("{path}::{name}")),
            // Another crate's item, re-exported.
            None => {
                self.lines.insert(format!(
                    "use {path}::{name} (from {})",
                    text(&import["source"])
                ));
            }
        }
    }

    fn named(&mut self, id: &str, item: &Value, path: &str) {
        let inner = &item["inner"];
        let Some(kind) = inner.as_object().and_then(|o| o.keys().next()).cloned() else {
            return;
        };
        if kind == "module" {
            self.lines.insert(format!("mod {path}"));
            self.module(id, path);
            return;
        }
        self.lines.insert(match kind.as_str() {
            "function" => self.names.function(path, &inner["function"]),
            _ => format!("{} {path}", short(&kind)),
        });
        match kind.as_str() {
            "struct" | "enum" | "union" => {
                if let Some(variants) = inner[&kind]["variants"].as_array() {
                    for variant in variants {
                        if let Some(v) = self.item(&variant.to_string()) {
                            let name = v["name"].as_str().unwrap_or("_");
                            self.lines.insert(format!("variant {path}::{name}"));
                        }
                    }
                }
                if let Some(fields) = inner[&kind]["kind"]["plain"]["fields"].as_array() {
                    for field in fields {
                        if let Some(f) = self.item(&field.to_string()) {
                            if f["visibility"] == "public" {
                                let name = f["name"].as_str().unwrap_or("_");
                                let ty = self.names.ty(&f["inner"]["struct_field"]);
                                self.lines.insert(format!("field {path}.{name}: {ty}"));
                            }
                        }
                    }
                }
                let impls = inner[&kind]["impls"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for imp in impls {
                    self.inherent_methods(&imp.to_string(), path);
                }
            }
            _ => {}
        }
    }

    /// The public methods and constants of an inherent impl (trait impls are not listed: they
    /// follow from the traits).
    fn inherent_methods(&mut self, impl_id: &str, path: &str) {
        let Some(imp) = self.item(impl_id).map(|i| i["inner"]["impl"].clone()) else {
            return;
        };
        if !imp["trait"].is_null() || imp["is_synthetic"] == true || !imp["blanket_impl"].is_null()
        {
            return;
        }
        for member in imp["items"].as_array().cloned().unwrap_or_default() {
            let Some(m) = self.item(&member.to_string()) else {
                continue;
            };
            if m["visibility"] != "public" {
                continue;
            }
            let name = m["name"].as_str().unwrap_or("_");
            if let Some(function) = m["inner"].get("function") {
                let line = self.names.function(&format!("{path}::{name}"), function);
                self.lines.insert(line);
                continue;
            }
            let kind = m["inner"]
                .as_object()
                .and_then(|o| o.keys().next())
                .map(|k| short(k))
                .unwrap_or("item");
            self.lines.insert(format!("{kind} {path}::{name}"));
        }
    }
}

fn short(kind: &str) -> &str {
    match kind {
        "function" => "fn",
        "constant" | "assoc_const" => "const",
        "type_alias" | "assoc_type" => "type",
        other => other,
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
}
