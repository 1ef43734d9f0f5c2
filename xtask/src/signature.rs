//! Rust signatures written back from rustdoc's JSON (`function` items and types), one line
//! each, for the public API list: `async fn path<R>(&self, request: R) -> Result<T, Error>
//! where R: TryInto<T>`. Paths are shortened to their last segment, since rustdoc keeps them
//! as the source spells them (`crate::config::ApiKey`, `types::TaskDetail`).

use serde_json::Value;

/// `fn path(..) -> ..` for a rustdoc `function` object.
pub fn function(path: &str, function: &Value) -> String {
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
        .filter_map(generic_param)
        .collect();
    if !params.is_empty() {
        line.push_str(&format!("<{}>", params.join(", ")));
    }
    let sig = &function["sig"];
    let inputs: Vec<String> = list(&sig["inputs"]).iter().map(input).collect();
    line.push_str(&format!("({})", inputs.join(", ")));
    if !sig["output"].is_null() {
        line.push_str(&format!(" -> {}", ty(&sig["output"])));
    }
    let predicates: Vec<String> = list(&generics["where_predicates"])
        .iter()
        .filter_map(predicate)
        .collect();
    if !predicates.is_empty() {
        line.push_str(&format!(" where {}", predicates.join(", ")));
    }
    line
}

/// A type as Rust writes it.
pub fn ty(value: &Value) -> String {
    let Some((kind, v)) = value.as_object().and_then(|o| o.iter().next()) else {
        return text(value);
    };
    match kind.as_str() {
        "resolved_path" => path(v),
        "generic" | "primitive" => text(v),
        "borrowed_ref" => {
            let lifetime = v["lifetime"]
                .as_str()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            let mutable = if v["is_mutable"] == true { "mut " } else { "" };
            format!("&{lifetime}{mutable}{}", ty(&v["type"]))
        }
        "raw_pointer" => {
            let kind = if v["is_mutable"] == true {
                "mut"
            } else {
                "const"
            };
            format!("*{kind} {}", ty(&v["type"]))
        }
        "slice" => format!("[{}]", ty(v)),
        "array" => format!("[{}; {}]", ty(&v["type"]), text(&v["len"])),
        "tuple" => {
            let items: Vec<String> = list(v).iter().map(ty).collect();
            format!("({})", items.join(", "))
        }
        "impl_trait" => format!("impl {}", bounds(v)),
        "dyn_trait" => {
            let traits: Vec<String> = list(&v["traits"])
                .iter()
                .map(|t| path(&t["trait"]))
                .collect();
            format!("dyn {}", traits.join(" + "))
        }
        "qualified_path" => {
            let name = text(&v["name"]);
            let self_type = ty(&v["self_type"]);
            let trait_path = v["trait"]["path"].as_str().unwrap_or("");
            if trait_path.is_empty() {
                format!("{self_type}::{name}")
            } else {
                format!("<{self_type} as {}>::{name}", path(&v["trait"]))
            }
        }
        "function_pointer" => {
            let inputs: Vec<String> = list(&v["sig"]["inputs"])
                .iter()
                .map(|i| ty(&i[1]))
                .collect();
            let output = match &v["sig"]["output"] {
                Value::Null => String::new(),
                out => format!(" -> {}", ty(out)),
            };
            format!("fn({}){output}", inputs.join(", "))
        }
        "infer" => "_".into(),
        other => format!("<{other}>"),
    }
}

/// `Name<args>` for a path object (`path`, `args`), shortened to its last segment.
fn path(value: &Value) -> String {
    let full = value["path"].as_str().unwrap_or("_");
    let name = full.rsplit("::").next().unwrap_or(full);
    format!("{name}{}", generic_args(&value["args"]))
}

fn generic_args(args: &Value) -> String {
    if let Some(angle) = args.get("angle_bracketed") {
        let mut items: Vec<String> = list(&angle["args"])
            .iter()
            .map(|arg| match arg.as_object().and_then(|o| o.iter().next()) {
                Some((kind, v)) if kind == "type" => ty(v),
                Some((kind, v)) if kind == "const" => text(&v["expr"]),
                Some((_, v)) => text(v),
                None => text(arg),
            })
            .collect();
        for constraint in list(&angle["constraints"]) {
            let name = text(&constraint["name"]);
            let binding = &constraint["binding"];
            if let Some(equal) = binding.get("equality") {
                let value = equal.get("type").map(ty).unwrap_or_else(|| text(equal));
                items.push(format!("{name} = {value}"));
            } else {
                items.push(format!("{name}: {}", bounds(&binding["constraint"])));
            }
        }
        if items.is_empty() {
            String::new()
        } else {
            format!("<{}>", items.join(", "))
        }
    } else if let Some(paren) = args.get("parenthesized") {
        let inputs: Vec<String> = list(&paren["inputs"]).iter().map(ty).collect();
        let output = match &paren["output"] {
            Value::Null => String::new(),
            out => format!(" -> {}", ty(out)),
        };
        format!("({}){output}", inputs.join(", "))
    } else {
        String::new()
    }
}

/// `A + B + 'static` for a list of bounds.
fn bounds(value: &Value) -> String {
    let parts: Vec<String> = list(value)
        .iter()
        .map(|bound| {
            if let Some(trait_bound) = bound.get("trait_bound") {
                let maybe = if trait_bound["modifier"] == "maybe" {
                    "?"
                } else {
                    ""
                };
                format!("{maybe}{}", path(&trait_bound["trait"]))
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
fn generic_param(param: &Value) -> Option<String> {
    let name = text(&param["name"]);
    let kind = &param["kind"];
    if let Some(type_param) = kind.get("type") {
        if type_param["is_synthetic"] == true {
            return None;
        }
        let bounds = bounds(&type_param["bounds"]);
        return Some(if bounds.is_empty() {
            name
        } else {
            format!("{name}: {bounds}")
        });
    }
    if let Some(constant) = kind.get("const") {
        return Some(format!("const {name}: {}", ty(&constant["type"])));
    }
    Some(name)
}

fn predicate(predicate: &Value) -> Option<String> {
    let bound = predicate.get("bound_predicate")?;
    Some(format!(
        "{}: {}",
        ty(&bound["type"]),
        bounds(&bound["bounds"])
    ))
}

/// `self`, `&self`, `&mut self`, or `name: Type`.
fn input(input: &Value) -> String {
    let name = text(&input[0]);
    let ty = ty(&input[1]);
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

    use super::{function, ty};

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
            function("a::B::create", &f),
            "async fn a::B::create<R>(&self, request: R) -> Result<Response, Error> where R: TryInto<Request>"
        );
    }

    #[test]
    fn references_slices_options_and_impl_trait() {
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
