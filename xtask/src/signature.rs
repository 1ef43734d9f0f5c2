//! Rust signatures written back from rustdoc's JSON (`function` items and types), one line
//! each, for the public API list: `async fn path<R>(&self, request: R) -> Result<T, Error>
//! where R: TryInto<T>`. A type of this crate or the standard library is named by its last
//! path segment (rustdoc keeps paths as the source spells them: `crate::config::ApiKey`,
//! `types::TaskDetail`); another crate's type by its crate and name (`reqwest::Client`), so
//! it cannot be mistaken for one of ours.

use serde_json::{Map, Value};

/// Names types with the help of rustdoc's `paths` table (which crate each item comes from).
pub struct Names<'a> {
    paths: Option<&'a Map<String, Value>>,
}

impl<'a> Names<'a> {
    /// Names for the items of `doc`, a whole rustdoc JSON document.
    pub fn of(doc: &'a Value) -> Self {
        Self {
            paths: doc["paths"].as_object(),
        }
    }

    /// The crate an item comes from, when it is neither this crate nor the standard library.
    fn foreign_crate(&self, id: &Value) -> Option<&'a str> {
        let entry = self.paths?.get(&id.to_string())?;
        if entry["crate_id"] == 0 {
            return None;
        }
        let first = entry["path"].get(0)?.as_str()?;
        (!matches!(first, "std" | "core" | "alloc")).then_some(first)
    }

    /// `fn path(..) -> ..` for a rustdoc `function` object.
    pub fn function(&self, path: &str, function: &Value) -> String {
        let header = &function["header"];
        let mut line = String::new();
        for (flag, word) in [
            ("is_const", "const "),
            ("is_async", "async "),
            ("is_unsafe", "unsafe "),
        ] {
            if header[flag] == true {
                line.push_str(word);
            }
        }
        line.push_str("fn ");
        line.push_str(path);
        let generics = &function["generics"];
        let params: Vec<String> = list(&generics["params"])
            .iter()
            .filter_map(|p| self.generic_param(p))
            .collect();
        line.push_str(&enclosed("<", &params, ">"));
        let sig = &function["sig"];
        let inputs: Vec<String> = list(&sig["inputs"]).iter().map(|i| self.input(i)).collect();
        line.push_str(&format!("({})", inputs.join(", ")));
        if !sig["output"].is_null() {
            line.push_str(&format!(" -> {}", self.ty(&sig["output"])));
        }
        let predicates: Vec<String> = list(&generics["where_predicates"])
            .iter()
            .filter_map(|p| self.predicate(p))
            .collect();
        line.push_str(&enclosed(" where ", &predicates, ""));
        line
    }

    /// A type as Rust writes it.
    pub fn ty(&self, value: &Value) -> String {
        let Some((kind, v)) = value.as_object().and_then(|o| o.iter().next()) else {
            return text(value);
        };
        match kind.as_str() {
            "resolved_path" => self.path(v),
            "generic" | "primitive" => text(v),
            "borrowed_ref" => {
                let lifetime = v["lifetime"]
                    .as_str()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let mutable = if v["is_mutable"] == true { "mut " } else { "" };
                format!("&{lifetime}{mutable}{}", self.ty(&v["type"]))
            }
            "raw_pointer" => {
                let kind = if v["is_mutable"] == true {
                    "mut"
                } else {
                    "const"
                };
                format!("*{kind} {}", self.ty(&v["type"]))
            }
            "slice" => format!("[{}]", self.ty(v)),
            "array" => format!("[{}; {}]", self.ty(&v["type"]), text(&v["len"])),
            "tuple" => {
                let items: Vec<String> = list(v).iter().map(|t| self.ty(t)).collect();
                format!("({})", items.join(", "))
            }
            "impl_trait" => format!("impl {}", self.bounds(v)),
            "dyn_trait" => {
                let traits: Vec<String> = list(&v["traits"])
                    .iter()
                    .map(|t| self.path(&t["trait"]))
                    .collect();
                format!("dyn {}", traits.join(" + "))
            }
            "qualified_path" => {
                let name = text(&v["name"]);
                let self_type = self.ty(&v["self_type"]);
                let trait_path = v["trait"]["path"].as_str().unwrap_or("");
                if trait_path.is_empty() {
                    format!("{self_type}::{name}")
                } else {
                    format!("<{self_type} as {}>::{name}", self.path(&v["trait"]))
                }
            }
            "function_pointer" => {
                let inputs: Vec<String> = list(&v["sig"]["inputs"])
                    .iter()
                    .map(|i| self.ty(&i[1]))
                    .collect();
                let output = match &v["sig"]["output"] {
                    Value::Null => String::new(),
                    out => format!(" -> {}", self.ty(out)),
                };
                format!("fn({}){output}", inputs.join(", "))
            }
            "infer" => "_".into(),
            other => format!("<{other}>"),
        }
    }

    /// `Name<args>` for a path object (`path`, `id`, `args`): its last segment, after its
    /// crate's name when that is another crate than this one or the standard library.
    fn path(&self, value: &Value) -> String {
        let full = value["path"].as_str().unwrap_or("_");
        let name = full.rsplit("::").next().unwrap_or(full);
        let args = self.generic_args(&value["args"]);
        match self.foreign_crate(&value["id"]) {
            Some(krate) => format!("{krate}::{name}{args}"),
            None => format!("{name}{args}"),
        }
    }

    fn generic_args(&self, args: &Value) -> String {
        if let Some(angle) = args.get("angle_bracketed") {
            let mut items: Vec<String> = list(&angle["args"])
                .iter()
                .map(|arg| match arg.as_object().and_then(|o| o.iter().next()) {
                    Some((kind, v)) if kind == "type" => self.ty(v),
                    Some((kind, v)) if kind == "const" => text(&v["expr"]),
                    Some((_, v)) => text(v),
                    None => text(arg),
                })
                .collect();
            for constraint in list(&angle["constraints"]) {
                let name = text(&constraint["name"]);
                let binding = &constraint["binding"];
                if let Some(equal) = binding.get("equality") {
                    let value = equal
                        .get("type")
                        .map(|t| self.ty(t))
                        .unwrap_or_else(|| text(equal));
                    items.push(format!("{name} = {value}"));
                } else {
                    items.push(format!("{name}: {}", self.bounds(&binding["constraint"])));
                }
            }
            enclosed("<", &items, ">")
        } else if let Some(paren) = args.get("parenthesized") {
            let inputs: Vec<String> = list(&paren["inputs"]).iter().map(|t| self.ty(t)).collect();
            let output = match &paren["output"] {
                Value::Null => String::new(),
                out => format!(" -> {}", self.ty(out)),
            };
            format!("({}){output}", inputs.join(", "))
        } else {
            String::new()
        }
    }

    /// `A + B + 'static` for a list of bounds.
    fn bounds(&self, value: &Value) -> String {
        let parts: Vec<String> = list(value)
            .iter()
            .map(|bound| {
                if let Some(trait_bound) = bound.get("trait_bound") {
                    let maybe = if trait_bound["modifier"] == "maybe" {
                        "?"
                    } else {
                        ""
                    };
                    format!("{maybe}{}", self.path(&trait_bound["trait"]))
                } else if let Some(outlives) = bound.get("outlives") {
                    text(outlives)
                } else {
                    text(bound)
                }
            })
            .collect();
        parts.join(" + ")
    }

    /// A generic parameter as declared (`'a`, `T: Bound`), or `None` for the synthetic ones of
    /// `impl Trait` arguments (shown at the argument).
    fn generic_param(&self, param: &Value) -> Option<String> {
        let name = text(&param["name"]);
        let kind = &param["kind"];
        if let Some(type_param) = kind.get("type") {
            if type_param["is_synthetic"] == true {
                return None;
            }
            let bounds = self.bounds(&type_param["bounds"]);
            return Some(if bounds.is_empty() {
                name
            } else {
                format!("{name}: {bounds}")
            });
        }
        if let Some(constant) = kind.get("const") {
            return Some(format!("const {name}: {}", self.ty(&constant["type"])));
        }
        Some(name)
    }

    fn predicate(&self, predicate: &Value) -> Option<String> {
        let bound = predicate.get("bound_predicate")?;
        Some(format!(
            "{}: {}",
            self.ty(&bound["type"]),
            self.bounds(&bound["bounds"])
        ))
    }

    /// `self`, `&self`, `&mut self`, or `name: Type`.
    fn input(&self, input: &Value) -> String {
        let name = text(&input[0]);
        let ty = self.ty(&input[1]);
        if name == "self" {
            match ty.as_str() {
                "Self" => "self".into(),
                "&Self" => "&self".into(),
                "&mut Self" => "&mut self".into(),
                other => format!("self: {other}"),
            }
        } else {
            format!("{name}: {ty}")
        }
    }
}

/// `items` joined by commas between `open` and `close`, or nothing when there are none.
fn enclosed(open: &str, items: &[String], close: &str) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{open}{}{close}", items.join(", "))
    }
}

fn list(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Names;

    /// Names for a document whose item 7 is `reqwest::Client` and item 8 `core::result::Result`.
    fn names(paths: &serde_json::Value) -> Names<'_> {
        Names::of(paths)
    }

    fn doc() -> serde_json::Value {
        json!({"paths": {
            "7": {"crate_id": 20, "path": ["reqwest", "async_impl", "client", "Client"]},
            "8": {"crate_id": 2, "path": ["core", "result", "Result"]},
            "9": {"crate_id": 0, "path": ["nanobanana_api", "Client"]}
        }})
    }

    #[test]
    fn a_method_with_a_bound_and_a_result() {
        let f = json!({
            "header": {"is_async": true, "is_const": false, "is_unsafe": false},
            "generics": {
                "params": [{"name": "R", "kind": {"type": {"bounds": [], "is_synthetic": false}}}],
                "where_predicates": [{"bound_predicate": {
                    "type": {"generic": "R"},
                    "bounds": [{"trait_bound": {"modifier": "none", "trait": {
                        "path": "TryInto",
                        "args": {"angle_bracketed": {"args": [{"type": {"resolved_path": {"path": "types::Request", "args": null}}}], "constraints": []}}
                    }}}]
                }}]
            },
            "sig": {
                "inputs": [
                    ["self", {"borrowed_ref": {"lifetime": null, "is_mutable": false, "type": {"generic": "Self"}}}],
                    ["request", {"generic": "R"}]
                ],
                "output": {"resolved_path": {"path": "Result", "args": {"angle_bracketed": {"args": [
                    {"type": {"resolved_path": {"path": "types::Response", "args": null}}},
                    {"type": {"resolved_path": {"path": "crate::Error", "args": null}}}
                ], "constraints": []}}}}
            }
        });
        assert_eq!(
            names(&doc()).function("a::B::create", &f),
            "async fn a::B::create<R>(&self, request: R) -> Result<Response, Error> where R: TryInto<Request>"
        );
    }

    #[test]
    fn another_crates_type_is_named_with_its_crate() {
        let doc = doc();
        let names = names(&doc);
        let t =
            |path: &str, id: u32| json!({"resolved_path": {"path": path, "id": id, "args": null}});
        assert_eq!(names.ty(&t("reqwest::Client", 7)), "reqwest::Client");
        assert_eq!(names.ty(&t("Result", 8)), "Result");
        assert_eq!(names.ty(&t("crate::Client", 9)), "Client");
    }

    #[test]
    fn references_slices_options_and_impl_trait() {
        let doc = doc();
        let names = names(&doc);
        let ty = |t: &serde_json::Value| names.ty(t);
        let t = json!({"borrowed_ref": {"lifetime": "'a", "is_mutable": true, "type": {"slice": {"primitive": "u8"}}}});
        assert_eq!(ty(&t), "&'a mut [u8]");
        let t = json!({"impl_trait": [
            {"trait_bound": {"modifier": "none", "trait": {"path": "Into", "args": {"angle_bracketed": {"args": [{"type": {"resolved_path": {"path": "String", "args": null}}}], "constraints": []}}}}},
            {"outlives": "'static"}
        ]});
        assert_eq!(ty(&t), "impl Into<String> + 'static");
        let t = json!({"qualified_path": {"name": "Error", "self_type": {"generic": "R"}, "trait": {"path": "", "args": null}}});
        assert_eq!(ty(&t), "R::Error");
    }
}
