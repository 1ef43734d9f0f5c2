//! Holding one page's operations against the same operations of our spec, and the page's models
//! against our model table. Each difference is classified from our users' side with spec-diff's
//! rules: a limit upstream tightened that we still allow is breaking (their calls will fail).

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::page::{ErrorCodeRow, Operation, Page};
use super::shape::{documented_number, Shape};
use crate::lineup::{ModelEntry, TaskErrorEntry};
use crate::spec_diff::Class;

/// Which side has what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// Upstream documents it; our spec does not.
    UpstreamHas,
    /// Both document it, differently.
    Disagree,
    /// Our spec has it; the page does not.
    WeHave,
}

impl Group {
    /// The heading a report prints for the group.
    pub fn title(self) -> &'static str {
        match self {
            Group::UpstreamHas => "upstream has, we lack",
            Group::Disagree => "we disagree",
            Group::WeHave => "we have, upstream lacks",
        }
    }
}

/// One difference between a page and our spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which side has what.
    pub group: Group,
    /// Breaking for our users or not.
    pub class: Class,
    /// Where: `POST /v1/images/generations request .size`, `model gemini-2.5-flash-image .prompt`.
    pub place: String,
    /// What: `maxLength: upstream 1000, we allow 2000`.
    pub change: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match self.class {
            Class::Breaking => "breaking",
            Class::NonBreaking => "non-breaking",
        };
        write!(f, "[{class}] {} {}", self.place, self.change)
    }
}

/// Which way data flows through a schema.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Request,
    Response,
}

/// The request properties whose values and limits differ by model: compared per model against
/// our table, not against the request schema (which carries the widest of all models).
const PER_MODEL: [&str; 6] = [
    "model",
    "prompt",
    "size",
    "quality",
    "image_urls",
    "model_params",
];

/// Our side: the spec's operations and model table.
pub struct Ours<'a> {
    /// Every operation of `spec/openapi.yaml`.
    pub operations: &'a [Operation],
    /// `x-nanobanana-models`.
    pub models: &'a [ModelEntry],
    /// `x-nanobanana-task-error-codes`.
    pub task_error_codes: &'a [TaskErrorEntry],
}

/// What `model X` findings say when a page names a model our table lacks.
pub(super) const MODEL_NOT_LISTED: &str =
    "model (not in x-nanobanana-models; callers can still name it)";

/// Every difference between `page` and our spec. `attributed`: the models `spec/upstream.toml`
/// says the page documents.
pub fn compare_page(page: &Page, ours: &Ours<'_>, attributed: &[String]) -> Vec<Finding> {
    let mut out = Findings::default();
    // A model the page names anywhere (a title, the prose, an example) that we do not list.
    for model in &page.named_models {
        if !ours.models.iter().any(|m| &m.model == model) {
            out.push(
                Group::UpstreamHas,
                Class::NonBreaking,
                format!("model {model}"),
                MODEL_NOT_LISTED.into(),
            );
        }
    }
    for model in attributed {
        if !page.named_models.contains(model) {
            out.push(
                Group::Disagree,
                Class::NonBreaking,
                format!("model {model}"),
                "spec/upstream.toml says this page documents it; the page no longer names it \
                 (does another page? is it still offered?)"
                    .into(),
            );
        }
    }
    if !page.error_codes.is_empty() {
        out.error_codes(&page.error_codes, ours.task_error_codes);
    }
    for theirs in &page.operations {
        match ours.operations.iter().find(|o| o.key() == theirs.key()) {
            None => out.push(
                Group::UpstreamHas,
                Class::NonBreaking,
                theirs.key(),
                "operation (not in our spec)".into(),
            ),
            Some(mine) => {
                out.operation(theirs, mine, !ours.models.is_empty());
                if let Some(request) = &theirs.request {
                    if mine.request.as_ref().is_some_and(has_model_table(ours)) {
                        out.models(request, ours.models);
                    }
                }
            }
        }
    }
    out.0
        .sort_by(|a, b| (a.group, a.class, &a.place).cmp(&(b.group, b.class, &b.place)));
    out.0.dedup();
    out.0
}

/// Whether our request schema is the one our model table describes (it has a `model` field).
fn has_model_table<'a>(ours: &'a Ours<'_>) -> impl Fn(&Shape) -> bool + 'a {
    move |request| !ours.models.is_empty() && request.properties.contains_key("model")
}

/// Differences as they are found (shared with [`super::model_index`]).
#[derive(Default)]
pub(super) struct Findings(pub(super) Vec<Finding>);

impl Findings {
    pub(super) fn push(&mut self, group: Group, class: Class, place: String, change: String) {
        self.0.push(Finding {
            group,
            class,
            place,
            change,
        });
    }

    fn operation(&mut self, theirs: &Operation, mine: &Operation, per_model: bool) {
        let key = theirs.key();
        if let (Some(t), Some(m)) = (&theirs.server, &mine.server) {
            if t.trim_end_matches('/') != m.trim_end_matches('/') {
                self.push(
                    Group::Disagree,
                    Class::Breaking,
                    format!("{key} server"),
                    format!("upstream {t}, we call {m}"),
                );
            }
        }
        match (&theirs.request, &mine.request) {
            (Some(t), Some(m)) => {
                let skip = per_model && m.properties.contains_key("model");
                self.schema(&format!("{key} request"), t, m, Flow::Request, skip);
            }
            (Some(_), None) => self.push(
                Group::UpstreamHas,
                Class::NonBreaking,
                format!("{key} request"),
                "a JSON body".into(),
            ),
            (None, Some(_)) | (None, None) => {}
        }
        self.examples(
            &format!("{key} request"),
            &theirs.request_examples,
            &mine.request_examples,
        );
        for (status, response) in &theirs.responses {
            let place = format!("{key} response {status}");
            let Some(my_response) = mine.responses.get(status) else {
                self.push(
                    Group::UpstreamHas,
                    Class::NonBreaking,
                    place,
                    "status (answered as a generic error)".into(),
                );
                continue;
            };
            if let (Some(t), Some(m)) = (&response.schema, &my_response.schema) {
                self.schema(&place, t, m, Flow::Response, false);
            }
            self.examples(&place, &response.examples, &my_response.examples);
        }
        for status in mine.responses.keys() {
            if !theirs.responses.contains_key(status) {
                self.push(
                    Group::WeHave,
                    Class::NonBreaking,
                    format!("{key} response {status}"),
                    "status".into(),
                );
            }
        }
    }

    fn examples(
        &mut self,
        place: &str,
        theirs: &std::collections::BTreeMap<String, serde_json::Value>,
        mine: &std::collections::BTreeMap<String, serde_json::Value>,
    ) {
        for (name, value) in theirs {
            match mine.get(name) {
                None => self.push(
                    Group::UpstreamHas,
                    Class::NonBreaking,
                    place.to_string(),
                    format!("example '{name}'"),
                ),
                Some(ours) if ours != value => self.push(
                    Group::Disagree,
                    Class::NonBreaking,
                    place.to_string(),
                    format!("example '{name}': upstream {value}, ours {ours}"),
                ),
                Some(_) => {}
            }
        }
    }

    /// One schema against ours. `per_model`: this is the generation request, whose per-model
    /// properties are compared against the model table instead. A schema the page refers to
    /// but does not hold (`unresolved`) is not compared: what it seems to lack is unknown.
    fn schema(&mut self, place: &str, theirs: &Shape, mine: &Shape, flow: Flow, per_model: bool) {
        if !theirs.unresolved.is_empty() {
            return;
        }
        self.types(place, theirs, mine, flow);
        self.values(place, theirs, mine, flow);
        self.limits(place, theirs, mine, flow);
        self.required(place, theirs, mine, flow);
        for (name, property) in &theirs.properties {
            let inner = format!("{place} .{name}");
            let skip = per_model && PER_MODEL.contains(&name.as_str());
            match mine.properties.get(name) {
                None if skip => {}
                None => self.push(
                    Group::UpstreamHas,
                    Class::NonBreaking,
                    inner,
                    "field".into(),
                ),
                Some(_) if skip => self.types(&inner, property, &mine.properties[name], flow),
                Some(my_property) => self.schema(&inner, property, my_property, flow, false),
            }
        }
        for name in mine.properties.keys() {
            let compared_per_model = per_model && PER_MODEL.contains(&name.as_str());
            if !compared_per_model && !theirs.properties.contains_key(name) {
                // A field we let callers send that upstream does not document may be refused.
                self.push(
                    Group::WeHave,
                    breaking_in(flow, Flow::Request),
                    format!("{place} .{name}"),
                    "field".into(),
                );
            }
        }
        if let (Some(t), Some(m)) = (&theirs.items, &mine.items) {
            self.schema(&format!("{place}[]"), t, m, flow, false);
        }
    }

    fn types(&mut self, place: &str, theirs: &Shape, mine: &Shape, flow: Flow) {
        if theirs.types.is_empty() || mine.types.is_empty() {
            return;
        }
        let covers = |wide: &BTreeSet<String>, narrow: &BTreeSet<String>| {
            narrow
                .iter()
                .all(|t| wide.contains(t) || (t == "integer" && wide.contains("number")))
        };
        if theirs.types == mine.types {
            return;
        }
        // Requests: breaking when we let callers send a type upstream refuses. Responses:
        // breaking when upstream may send a type we cannot read.
        let safe = match flow {
            Flow::Request => covers(&theirs.types, &mine.types),
            Flow::Response => covers(&mine.types, &theirs.types),
        };
        self.push(
            Group::Disagree,
            if safe {
                Class::NonBreaking
            } else {
                Class::Breaking
            },
            place.to_string(),
            format!(
                "type: upstream {}, ours {}",
                join(&theirs.types),
                join(&mine.types)
            ),
        );
    }

    fn values(&mut self, place: &str, theirs: &Shape, mine: &Shape, flow: Flow) {
        if theirs.values.is_empty() || mine.values.is_empty() {
            return;
        }
        let missing: Vec<&String> = theirs.values.difference(&mine.values).collect();
        if !missing.is_empty() {
            // A response value we cannot read breaks a closed enum; an open one keeps it.
            let class = if flow == Flow::Response && !mine.open {
                Class::Breaking
            } else {
                Class::NonBreaking
            };
            self.push(
                Group::UpstreamHas,
                class,
                place.to_string(),
                format!("enum values {}", join(missing)),
            );
        }
        if theirs.open {
            return;
        }
        let extra: Vec<&String> = mine.values.difference(&theirs.values).collect();
        if !extra.is_empty() {
            self.push(
                Group::WeHave,
                breaking_in(flow, Flow::Request),
                place.to_string(),
                format!("enum values {}", join(extra)),
            );
        }
    }

    fn limits(&mut self, place: &str, theirs: &Shape, mine: &Shape, flow: Flow) {
        for (limit, upstream) in &theirs.limits {
            let is_max = limit.starts_with("max");
            match mine.limits.get(limit) {
                Some(ours) if ours == upstream => {}
                Some(ours) => {
                    let upstream_tighter = if is_max {
                        upstream < ours
                    } else {
                        upstream > ours
                    };
                    self.push(
                        Group::Disagree,
                        limit_class(upstream_tighter, flow),
                        place.to_string(),
                        format!("{limit}: upstream {upstream}, we allow {ours}"),
                    );
                }
                None => self.push(
                    Group::UpstreamHas,
                    limit_class(true, flow),
                    place.to_string(),
                    format!("{limit}: upstream {upstream}, we have none"),
                ),
            }
        }
        for (limit, ours) in &mine.limits {
            if !theirs.limits.contains_key(limit) {
                self.push(
                    Group::WeHave,
                    limit_class(false, flow),
                    place.to_string(),
                    format!("{limit}: ours {ours}, upstream has none"),
                );
            }
        }
    }

    fn required(&mut self, place: &str, theirs: &Shape, mine: &Shape, flow: Flow) {
        // Upstream requires a field our callers may leave out: their calls fail. We insist on a
        // field upstream may leave out of a response: reading it fails.
        let sides = [
            (
                &theirs.required,
                &mine.required,
                Flow::Request,
                "required upstream, optional in ours",
            ),
            (
                &mine.required,
                &theirs.required,
                Flow::Response,
                "required in ours, optional upstream",
            ),
        ];
        for (required, optional, breaks_in, change) in sides {
            for name in required.difference(optional) {
                self.push(
                    Group::Disagree,
                    breaking_in(flow, breaks_in),
                    format!("{place} .{name}"),
                    change.into(),
                );
            }
        }
    }

    /// The page's model(s) against our model table.
    fn models(&mut self, request: &Shape, table: &[ModelEntry]) {
        let property = |name: &str| request.properties.get(name);
        let mut models: Vec<String> = property("model")
            .map(|m| m.values.iter().map(|v| unquote(v)).collect())
            .unwrap_or_default();
        if models.is_empty() {
            // A single-model page names its model as the default (or the example) only.
            let named = property("model").and_then(|m| m.default.clone().or(m.example.clone()));
            models.extend(named.and_then(|v| v.as_str().map(String::from)));
        }
        for model in models {
            let place = format!("model {model}");
            let Some(entry) = table.iter().find(|e| e.model == model) else {
                self.push(
                    Group::UpstreamHas,
                    Class::NonBreaking,
                    place,
                    MODEL_NOT_LISTED.into(),
                );
                continue;
            };
            let listed = |name: &str| -> BTreeSet<String> {
                property(name)
                    .map(|p| p.values.iter().map(|v| unquote(v)).collect())
                    .unwrap_or_default()
            };
            self.model_values(&place, "size", &listed("size"), &entry.sizes);
            self.model_values(&place, "quality", &listed("quality"), &entry.qualities);
            let prompt = property("prompt").and_then(|p| p.limits.get("maxLength").copied());
            self.model_limit(
                &place,
                ".prompt",
                "maxLength",
                prompt.map(|n| n as u64),
                Some(entry.prompt_max_chars),
            );
            let images = property("image_urls");
            let description = images.map(|i| i.description.as_str()).unwrap_or("");
            let max_images = images
                .and_then(|i| i.limits.get("maxItems").map(|n| *n as u64))
                .or_else(|| documented_number(description, &["input image"]));
            self.model_limit(
                &place,
                ".image_urls",
                "images",
                max_images,
                Some(entry.max_images),
            );
            let mb = documented_number(description, &["image size"]);
            self.model_limit(
                &place,
                ".image_urls",
                "MB per image",
                mb,
                Some(entry.max_image_mb),
            );
            let persons = documented_number(description, &["real person"]);
            self.model_limit(
                &place,
                ".image_urls",
                "real persons",
                persons,
                entry.max_real_persons,
            );
            let documents_params = property("model_params").is_some();
            if documents_params == entry.model_params.is_empty() {
                let (group, class, change) = if documents_params {
                    (
                        Group::UpstreamHas,
                        Class::NonBreaking,
                        "model_params: documented upstream, refused by us",
                    )
                } else {
                    (
                        Group::WeHave,
                        Class::Breaking,
                        "model_params: we send it, upstream does not document it",
                    )
                };
                self.push(group, class, place.clone(), change.into());
            }
        }
    }

    pub(super) fn model_values(
        &mut self,
        place: &str,
        field: &str,
        upstream: &BTreeSet<String>,
        ours: &[String],
    ) {
        let ours: BTreeSet<String> = ours.iter().cloned().collect();
        let missing: Vec<&String> = upstream.difference(&ours).collect();
        if !missing.is_empty() {
            self.push(
                Group::UpstreamHas,
                Class::NonBreaking,
                format!("{place} .{field}"),
                format!("values {} (we refuse them for this model)", join(missing)),
            );
        }
        let extra: Vec<&String> = ours.difference(upstream).collect();
        if !extra.is_empty() {
            self.push(
                Group::WeHave,
                Class::Breaking,
                format!("{place} .{field}"),
                format!(
                    "values {} (we allow them; upstream does not list them)",
                    join(extra)
                ),
            );
        }
    }

    /// The error-codes page's table against `x-nanobanana-task-error-codes`: the codes, and
    /// whether each is worth resubmitting unchanged (read from the English "retryable" column;
    /// other languages compare the codes only).
    fn error_codes(&mut self, rows: &[ErrorCodeRow], ours: &[TaskErrorEntry]) {
        for row in rows {
            let place = format!("task error code {}", row.code);
            let Some(entry) = ours.iter().find(|e| e.code == row.code) else {
                self.push(
                    Group::UpstreamHas,
                    Class::NonBreaking,
                    place,
                    format!(
                        "code (not in x-nanobanana-task-error-codes; upstream says: {})",
                        row.retry
                    ),
                );
                continue;
            };
            let Some(upstream_same) = resubmit_unchanged(&row.retry) else {
                continue;
            };
            let ours_same = entry.resubmit == "same";
            if upstream_same != ours_same {
                let say = |same: bool| {
                    if same {
                        "resubmit unchanged"
                    } else {
                        "change the request first"
                    }
                };
                self.push(
                    Group::Disagree,
                    Class::NonBreaking,
                    place,
                    format!(
                        "retry: upstream \"{}\" ({}), ours resubmit: {} ({})",
                        row.retry,
                        say(upstream_same),
                        entry.resubmit,
                        say(ours_same)
                    ),
                );
            }
        }
        for entry in ours {
            if !rows.iter().any(|r| r.code == entry.code) {
                self.push(
                    Group::WeHave,
                    Class::NonBreaking,
                    format!("task error code {}", entry.code),
                    "code (the error-codes page does not list it)".into(),
                );
            }
        }
    }

    pub(super) fn model_limit(
        &mut self,
        place: &str,
        field: &str,
        limit: &str,
        upstream: Option<u64>,
        ours: Option<u64>,
    ) {
        match (upstream, ours) {
            (Some(u), Some(o)) if u != o => {
                let (class, why) = if u < o {
                    (Class::Breaking, "breaking: calls we let through will fail")
                } else {
                    (Class::NonBreaking, "we refuse what upstream takes")
                };
                self.push(
                    Group::Disagree,
                    class,
                    format!("{place} {field}"),
                    format!("{limit}: upstream {u}, we allow {o} ({why})"),
                );
            }
            (Some(u), None) => self.push(
                Group::UpstreamHas,
                Class::NonBreaking,
                format!("{place} {field}"),
                format!("{limit}: upstream {u}, our table has none"),
            ),
            _ => {}
        }
    }
}

/// Breaking when data flows the way `breaks_in` says (a request or a response), else not.
fn breaking_in(flow: Flow, breaks_in: Flow) -> Class {
    if flow == breaks_in {
        Class::Breaking
    } else {
        Class::NonBreaking
    }
}

fn limit_class(upstream_tighter: bool, flow: Flow) -> Class {
    // Requests: a tighter upstream limit fails calls we let through. Responses: a looser upstream
    // limit sends values we may refuse.
    match (flow, upstream_tighter) {
        (Flow::Request, true) | (Flow::Response, false) => Class::Breaking,
        _ => Class::NonBreaking,
    }
}

/// What an English "retryable" cell says: `Some(true)` when the same request may succeed later
/// ("Retry later", "Auto-recovers", "Resubmit"), `Some(false)` when something must change first
/// ("Fix params, then retry", "Use different image", "Check the task ID"), `None` when it says
/// neither ("Contact support", or another language).
fn resubmit_unchanged(cell: &str) -> Option<bool> {
    let text = cell.to_ascii_lowercase();
    let change = ["fix", "change", "different", "resize", "modify", "check"];
    if change.iter().any(|w| text.contains(w)) {
        Some(false)
    } else if ["retry later", "auto-recover", "resubmit", "retry"]
        .iter()
        .any(|w| text.contains(w))
    {
        Some(true)
    } else {
        None
    }
}

fn unquote(value: &str) -> String {
    serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
}

fn join<'a>(values: impl IntoIterator<Item = &'a String>) -> String {
    values
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
