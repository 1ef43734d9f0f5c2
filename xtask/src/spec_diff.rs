//! Comparing two versions of the spec the way oasdiff does, classifying each difference as
//! breaking for existing callers or not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use spec_support::extension::{OPEN_ENUM, TASK_ERROR_CODES};
use spec_support::{escape, METHODS};

mod lineup;

/// Whether a change breaks existing callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Existing callers may fail.
    Breaking,
    /// Existing callers keep working.
    NonBreaking,
}

/// One difference between the specs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Breaking or not.
    pub class: Class,
    /// Where: `POST /v1/images/generations request .size`.
    pub place: String,
    /// What: `enum: added '1:4'`.
    pub change: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.place, self.change)
    }
}

/// Which way data flows through a schema: what callers send, or what they receive.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Request,
    Response,
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    visited: BTreeSet<(String, String)>,
}

/// Every difference from `old` to `new`, breaking ones first.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
        visited: BTreeSet::new(),
    };
    differ.operations();
    differ
        .changes
        .sort_by(|a, b| a.class.cmp(&b.class).then(a.place.cmp(&b.place)));
    differ.changes.dedup();
    differ.changes
}

fn operations_of(doc: &Value) -> BTreeMap<String, String> {
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if item.get(method).is_some() {
                let pointer = format!("/paths/{}/{method}", escape(path));
                ops.insert(format!("{} {path}", method.to_uppercase()), pointer);
            }
        }
    }
    ops
}

fn quoted(values: &BTreeSet<String>) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Differ<'_> {
    fn push(&mut self, class: Class, place: &str, change: impl Into<String>) {
        self.changes.push(Change {
            class,
            place: place.to_string(),
            change: change.into(),
        });
    }

    /// Follows `$ref`s within `doc` from the node at `pointer`.
    fn resolve<'d>(doc: &'d Value, pointer: &str) -> (String, &'d Value) {
        let mut pointer = pointer.to_string();
        for _ in 0..32 {
            let node = doc.pointer(&pointer).unwrap_or(&Value::Null);
            match node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(target) => pointer = target.to_string(),
                None => return (pointer, node),
            }
        }
        (pointer, &Value::Null)
    }

    fn operations(&mut self) {
        let (old_ops, new_ops) = (operations_of(self.old), operations_of(self.new));
        for name in old_ops.keys().filter(|k| !new_ops.contains_key(*k)) {
            self.push(
                Class::Breaking,
                name,
                "operation removed (or its path or method changed)",
            );
        }
        for name in new_ops.keys().filter(|k| !old_ops.contains_key(*k)) {
            self.push(Class::NonBreaking, name, "operation added");
        }
        for (name, old_ptr) in &old_ops {
            if let Some(new_ptr) = new_ops.get(name) {
                self.operation(name, old_ptr, new_ptr);
            }
        }
    }

    fn operation(&mut self, name: &str, old_ptr: &str, new_ptr: &str) {
        let (old, new) = (
            self.old.pointer(old_ptr).unwrap(),
            self.new.pointer(new_ptr).unwrap(),
        );
        for key in ["summary", "description", "operationId"] {
            if old.get(key) != new.get(key) {
                let class = if key == "operationId" {
                    Class::Breaking
                } else {
                    Class::NonBreaking
                };
                self.push(class, name, format!("{key} changed"));
            }
        }
        self.parameters(name, old_ptr, new_ptr);

        let old_body = format!("{old_ptr}/requestBody/content/application~1json/schema");
        let new_body = format!("{new_ptr}/requestBody/content/application~1json/schema");
        match (
            self.old.pointer(&old_body).is_some(),
            self.new.pointer(&new_body).is_some(),
        ) {
            (true, true) => self.schema(
                &format!("{name} request"),
                &old_body,
                &new_body,
                Flow::Request,
            ),
            (false, true) => self.push(Class::Breaking, name, "request body added"),
            (true, false) => self.push(Class::NonBreaking, name, "request body removed"),
            (false, false) => {}
        }
        self.examples(
            &format!("{name} request"),
            &format!("{old_ptr}/requestBody"),
            &format!("{new_ptr}/requestBody"),
        );

        let statuses = |doc: &Value, ptr: &str| -> BTreeSet<String> {
            doc.pointer(&format!("{ptr}/responses"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (old_statuses, new_statuses) =
            (statuses(self.old, old_ptr), statuses(self.new, new_ptr));
        for status in old_statuses.difference(&new_statuses) {
            self.push(Class::Breaking, name, format!("response {status} removed"));
        }
        for status in new_statuses.difference(&old_statuses) {
            let kind = if status.starts_with('2') {
                "success response"
            } else {
                "error status"
            };
            self.push(Class::NonBreaking, name, format!("{kind} {status} added"));
        }
        for status in old_statuses.intersection(&new_statuses) {
            let esc = escape(status);
            let (old_resp, _) = Self::resolve(self.old, &format!("{old_ptr}/responses/{esc}"));
            let (new_resp, _) = Self::resolve(self.new, &format!("{new_ptr}/responses/{esc}"));
            let place = format!("{name} response {status}");
            let old_schema = format!("{old_resp}/content/application~1json/schema");
            let new_schema = format!("{new_resp}/content/application~1json/schema");
            if self.old.pointer(&old_schema).is_some() && self.new.pointer(&new_schema).is_some() {
                self.schema(&place, &old_schema, &new_schema, Flow::Response);
            }
            self.examples(&place, &old_resp, &new_resp);
        }
    }

    fn parameters(&mut self, name: &str, old_ptr: &str, new_ptr: &str) {
        let params = |doc: &Value, ptr: &str| -> BTreeMap<String, String> {
            let mut found = BTreeMap::new();
            let count = doc
                .pointer(&format!("{ptr}/parameters"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..count {
                let (p, node) = Self::resolve(doc, &format!("{ptr}/parameters/{i}"));
                found.insert(format!("{} {}", text(&node["in"]), text(&node["name"])), p);
            }
            found
        };
        let (old, new) = (params(self.old, old_ptr), params(self.new, new_ptr));
        for key in old.keys().filter(|k| !new.contains_key(*k)) {
            self.push(Class::Breaking, name, format!("parameter {key} removed"));
        }
        for (key, ptr) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
            let required = self.new.pointer(ptr).is_some_and(|p| p["required"] == true);
            let class = if required {
                Class::Breaking
            } else {
                Class::NonBreaking
            };
            self.push(
                class,
                name,
                format!(
                    "{} parameter {key} added",
                    if required { "required" } else { "optional" }
                ),
            );
        }
        for (key, old_p) in &old {
            if let Some(new_p) = new.get(key) {
                let place = format!("{name} parameter {key}");
                self.schema(
                    &place,
                    &format!("{old_p}/schema"),
                    &format!("{new_p}/schema"),
                    Flow::Request,
                );
                let (o, n) = (
                    self.old.pointer(old_p).unwrap(),
                    self.new.pointer(new_p).unwrap(),
                );
                if o.get("example") != n.get("example")
                    || o.get("description") != n.get("description")
                {
                    self.push(Class::NonBreaking, &place, "description or example changed");
                }
            }
        }
    }

    fn examples(&mut self, place: &str, old_holder: &str, new_holder: &str) {
        let old = self.old.pointer(&format!("{old_holder}/content"));
        let new = self.new.pointer(&format!("{new_holder}/content"));
        let pick = |content: Option<&Value>| {
            content.map(|c| {
                c.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            (v.get("example").cloned(), v.get("examples").cloned()),
                        )
                    })
                    .collect::<BTreeMap<_, _>>()
            })
        };
        if pick(old) != pick(new) {
            self.push(Class::NonBreaking, place, "examples changed");
        }
    }

    /// One schema, old against new: each rule below, then the same for its properties, items
    /// and alternatives.
    fn schema(&mut self, place: &str, old_ptr: &str, new_ptr: &str, flow: Flow) {
        let (old_ptr, old) = Self::resolve(self.old, old_ptr);
        let (new_ptr, new) = Self::resolve(self.new, new_ptr);
        if !self
            .visited
            .insert((format!("{place}|{old_ptr}"), new_ptr.clone()))
        {
            return;
        }
        let (old, new) = (old.clone(), new.clone());
        self.type_rule(place, &old, &new);
        self.annotation_rule(place, &old, &new);
        self.enum_openness_rule(place, &old, &new, flow);
        self.enum_values_rule(place, &old, &new, flow);
        self.limit_rule(place, &old, &new, flow);
        self.pattern_rule(place, &old, &new, flow);
        self.property_rule(place, (&old_ptr, &old), (&new_ptr, &new), flow);
        if old.get("items").is_some() && new.get("items").is_some() {
            self.schema(
                &format!("{place}[]"),
                &format!("{old_ptr}/items"),
                &format!("{new_ptr}/items"),
                flow,
            );
        }
        self.models(place, &old, &new);
        if old[TASK_ERROR_CODES] != new[TASK_ERROR_CODES] {
            self.push(
                Class::NonBreaking,
                place,
                "documented task error codes changed",
            );
        }
        self.alternatives_rule(place, (&old_ptr, &old), (&new_ptr, &new), flow);
    }

    /// A changed type breaks callers either way.
    fn type_rule(&mut self, place: &str, old: &Value, new: &Value) {
        let (old_type, new_type) = (effective_type(old), effective_type(new));
        if old_type != new_type {
            self.push(
                Class::Breaking,
                place,
                format!(
                    "type changed from {} to {}",
                    text(&old_type),
                    text(&new_type)
                ),
            );
        }
    }

    /// Descriptions and examples: never breaking, listed for the changelog.
    fn annotation_rule(&mut self, place: &str, old: &Value, new: &Value) {
        for key in ["description", "example"] {
            if old.get(key) != new.get(key) {
                self.push(Class::NonBreaking, place, format!("{key} changed"));
            }
        }
    }

    /// An enum opened keeps callers working; closing a request enum refuses what they send.
    fn enum_openness_rule(&mut self, place: &str, old: &Value, new: &Value, flow: Flow) {
        let (old_open, new_open) = (old[OPEN_ENUM] == true, new[OPEN_ENUM] == true);
        let (old_enum, new_enum) = (enum_values(old), enum_values(new));
        match (old_open, new_open) {
            (false, true) if !old_enum.is_empty() => self.push(
                Class::NonBreaking,
                place,
                "enum is now open: any other value is accepted and kept",
            ),
            (true, false) if !new_enum.is_empty() => {
                let class = if flow == Flow::Request {
                    Class::Breaking
                } else {
                    Class::NonBreaking
                };
                self.push(class, place, "enum is now closed: only listed values");
            }
            _ => {}
        }
    }

    /// A request value removed from a closed enum, or a response value added to one, breaks.
    fn enum_values_rule(&mut self, place: &str, old: &Value, new: &Value, flow: Flow) {
        let new_open = new[OPEN_ENUM] == true;
        let (old_enum, new_enum) = (enum_values(old), enum_values(new));
        let removed: BTreeSet<_> = old_enum.difference(&new_enum).cloned().collect();
        let added: BTreeSet<_> = new_enum.difference(&old_enum).cloned().collect();
        if !removed.is_empty() && !new_enum.is_empty() {
            // A caller may still send a value an open enum no longer lists.
            let class = if flow == Flow::Request && !new_open {
                Class::Breaking
            } else {
                Class::NonBreaking
            };
            self.push(class, place, format!("enum: removed {}", quoted(&removed)));
        }
        if !added.is_empty() && !old_enum.is_empty() {
            let class = if flow == Flow::Response && !new_open {
                Class::Breaking
            } else {
                Class::NonBreaking
            };
            let note = match (flow, new_open) {
                (Flow::Response, false) => " (strict enums fail on unknown values)",
                (Flow::Response, true) => " (open enum: unknown values are kept)",
                _ => "",
            };
            self.push(
                class,
                place,
                format!("enum: added {}{note}", quoted(&added)),
            );
        }
    }

    /// A request limit tightened, or a response limit loosened, breaks.
    fn limit_rule(&mut self, place: &str, old: &Value, new: &Value, flow: Flow) {
        // Limits: (keyword, true when a larger value is looser).
        for (keyword, larger_is_looser) in [
            ("maxLength", true),
            ("maxItems", true),
            ("maximum", true),
            ("minLength", false),
            ("minItems", false),
            ("minimum", false),
        ] {
            let (o, n) = (
                old.get(keyword).and_then(Value::as_f64),
                new.get(keyword).and_then(Value::as_f64),
            );
            let tightened = match (o, n) {
                (None, None) => continue,
                (Some(o), Some(n)) if o == n => continue,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(o), Some(n)) => (n < o) == larger_is_looser,
            };
            // A tighter request limit refuses what callers send; a looser response limit
            // lets the server send what callers' checks refuse.
            let breaking = tightened == (flow == Flow::Request);
            let class = if breaking {
                Class::Breaking
            } else {
                Class::NonBreaking
            };
            let word = if tightened { "tightened" } else { "loosened" };
            let show = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
            self.push(
                class,
                place,
                format!("{keyword} {word}: {} → {}", show(o), show(n)),
            );
        }
    }

    /// A pattern added to a request (or dropped from a response) breaks.
    fn pattern_rule(&mut self, place: &str, old: &Value, new: &Value, flow: Flow) {
        if old.get("pattern") != new.get("pattern") {
            let tightened = new.get("pattern").is_some();
            let class = if tightened == (flow == Flow::Request) {
                Class::Breaking
            } else {
                Class::NonBreaking
            };
            self.push(
                class,
                place,
                format!(
                    "pattern changed: {} → {}",
                    old.get("pattern")
                        .map(text)
                        .unwrap_or_else(|| "none".into()),
                    new.get("pattern")
                        .map(text)
                        .unwrap_or_else(|| "none".into())
                ),
            );
        }
    }

    /// Properties removed, added, made required or optional; then each kept property's schema.
    fn property_rule(
        &mut self,
        place: &str,
        (old_ptr, old): (&str, &Value),
        (new_ptr, new): (&str, &Value),
        flow: Flow,
    ) {
        let props = |v: &Value| -> BTreeSet<String> {
            v["properties"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let required = |v: &Value| -> BTreeSet<String> {
            v["required"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect()
        };
        let (old_props, new_props) = (props(old), props(new));
        let (old_req, new_req) = (required(old), required(new));
        for prop in old_props.difference(&new_props) {
            self.push(Class::Breaking, place, format!("property .{prop} removed"));
        }
        for prop in new_props.difference(&old_props) {
            let (class, what) = match (flow, new_req.contains(prop)) {
                (Flow::Request, true) => (Class::Breaking, "added as required"),
                (Flow::Request, false) => (Class::NonBreaking, "added as optional"),
                (Flow::Response, _) => (Class::NonBreaking, "added"),
            };
            self.push(class, place, format!("property .{prop} {what}"));
        }
        for prop in old_props.intersection(&new_props) {
            match (flow, old_req.contains(prop), new_req.contains(prop)) {
                (Flow::Request, false, true) => self.push(
                    Class::Breaking,
                    place,
                    format!("property .{prop} became required"),
                ),
                (Flow::Request, true, false) => self.push(
                    Class::NonBreaking,
                    place,
                    format!("property .{prop} became optional"),
                ),
                (Flow::Response, true, false) => self.push(
                    Class::Breaking,
                    place,
                    format!("property .{prop} may now be absent"),
                ),
                (Flow::Response, false, true) => self.push(
                    Class::NonBreaking,
                    place,
                    format!("property .{prop} is now always present"),
                ),
                _ => {}
            }
            let esc = escape(prop);
            self.schema(
                &format!("{place} .{prop}"),
                &format!("{old_ptr}/properties/{esc}"),
                &format!("{new_ptr}/properties/{esc}"),
                flow,
            );
        }
    }

    /// `oneOf` / `anyOf` / `allOf`: a different number of alternatives breaks; each is compared.
    fn alternatives_rule(
        &mut self,
        place: &str,
        (old_ptr, old): (&str, &Value),
        (new_ptr, new): (&str, &Value),
        flow: Flow,
    ) {
        let open = old[OPEN_ENUM] == true || new[OPEN_ENUM] == true;
        for keyword in ["oneOf", "anyOf", "allOf"] {
            // An open enum's `anyOf` is its value list, compared above.
            if keyword == "anyOf" && open {
                continue;
            }
            let (o, n) = (
                old[keyword].as_array().map_or(0, Vec::len),
                new[keyword].as_array().map_or(0, Vec::len),
            );
            if o != n {
                self.push(
                    Class::Breaking,
                    place,
                    format!("{keyword} alternatives changed ({o} → {n})"),
                );
            }
            for i in 0..o.min(n) {
                self.schema(
                    &format!("{place} {keyword}[{i}]"),
                    &format!("{old_ptr}/{keyword}/{i}"),
                    &format!("{new_ptr}/{keyword}/{i}"),
                    flow,
                );
            }
        }
    }
}

/// A schema's type, or for alternatives that all share one type (an open enum's `anyOf`), that
/// type.
fn effective_type(schema: &Value) -> Value {
    if let Some(t) = schema.get("type") {
        return t.clone();
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(branches) = schema[keyword].as_array() {
            let types: BTreeSet<String> = branches.iter().map(|b| text(&b["type"])).collect();
            if types.len() == 1 && !branches.is_empty() {
                return branches[0]["type"].clone();
            }
        }
    }
    Value::Null
}

/// An enum's listed values: `enum`, or for an open enum the `enum` of its `anyOf` branch.
fn enum_values(schema: &Value) -> BTreeSet<String> {
    let mut values: BTreeSet<String> = schema["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    if schema[OPEN_ENUM] == true {
        for branch in schema["anyOf"].as_array().into_iter().flatten() {
            values.extend(branch["enum"].as_array().into_iter().flatten().map(text));
        }
    }
    values
}

/// Changes rendered one per line, grouped by class.
pub fn render_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for (class, title) in [
        (Class::Breaking, "breaking"),
        (Class::NonBreaking, "non-breaking"),
    ] {
        let group: Vec<&Change> = changes.iter().filter(|c| c.class == class).collect();
        out.push_str(&format!("{title} ({}):\n", group.len()));
        for change in group {
            out.push_str(&format!("  {change}\n"));
        }
    }
    out
}

/// Changes as JSON: `{"breaking": [...], "non_breaking": [...]}`.
pub fn render_json(changes: &[Change]) -> String {
    let pick = |class| {
        changes
            .iter()
            .filter(|c| c.class == class)
            .collect::<Vec<_>>()
    };
    serde_json::to_string_pretty(&serde_json::json!({
        "breaking": pick(Class::Breaking),
        "non_breaking": pick(Class::NonBreaking),
    }))
    .expect("changes serialize")
}
