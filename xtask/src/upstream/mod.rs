//! `cargo xtask upstream-diff`: our spec held against Evolink's own published pages.
//!
//! Each page's Markdown rendering embeds the page's OpenAPI contract ([`page`]); both it and our
//! spec are reduced to comparable shapes ([`shape`]) and compared ([`compare`]); the pages our spec
//! is written from, the accepted differences and the documentation index are read by
//! [`listing`]. Evolink's model index (the JSON its own clients are built from) is a page of its
//! own kind, recognised by its content and held against our model lineup ([`model_index`]).

pub mod compare;
pub mod listing;
pub mod model_index;
pub mod page;
pub mod shape;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::spec_diff::Class;
use crate::spec_source::LoadedSpec;
use compare::{Finding, Group, Ours};
use listing::{AllowList, Listing};

/// The report of one page.
#[derive(Debug, Serialize)]
pub struct PageReport {
    /// Where the page was read from.
    pub source: String,
    /// The page's title.
    pub title: String,
    /// The operations it documents (`POST /v1/images/generations`).
    pub operations: Vec<String>,
    /// Differences not on the allow-list.
    pub findings: Vec<Finding>,
    /// How many differences the allow-list accepted.
    pub accepted: usize,
    /// Components the page refers to but does not hold: when any, the page is incomplete and
    /// its findings come from the part that could be read (partial).
    pub missing: Vec<String>,
}

/// The whole run: each page's report, and the index's unlisted pages.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// One report per page, in the order given.
    pub pages: Vec<PageReport>,
    /// Index pages of our families not listed in `spec/upstream.toml`: `(title, url)`.
    pub unlisted_pages: Vec<(String, String)>,
    /// Pages that could not be fetched or read: `(source, why)`. The others are still compared.
    pub unreadable: Vec<(String, String)>,
}

impl Report {
    /// Pages compared in part only (they refer to components they do not hold).
    pub fn incomplete(&self) -> impl Iterator<Item = &PageReport> {
        self.pages.iter().filter(|p| !p.missing.is_empty())
    }

    /// Whether every page was read whole: nothing unreadable, nothing incomplete. Only then may
    /// a report say the spec matches.
    pub fn read_everything(&self) -> bool {
        self.unreadable.is_empty() && self.incomplete().next().is_none()
    }

    /// Whether upstream moved: anything upstream has or we disagree on, anything breaking, or a
    /// page of our families we do not list.
    pub fn drifted(&self) -> bool {
        !self.unlisted_pages.is_empty()
            || self
                .pages
                .iter()
                .flat_map(|p| &p.findings)
                .any(|f| f.group != Group::WeHave || f.class == Class::Breaking)
    }
}

/// Files fetched as they are named: a docs page's rendering, the documentation index, Evolink's
/// model index (TypeScript or JSON).
const FETCHED_AS_NAMED: [&str; 4] = [".md", ".txt", ".ts", ".json"];

/// Reads a page (or index) from a local file or an http(s) URL. A docs page URL without `.md`
/// gets it: the Markdown rendering is what carries the contract.
pub fn fetch(source: &str) -> Result<String, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let url = if FETCHED_AS_NAMED.iter().any(|end| source.ends_with(end)) {
            source.to_string()
        } else {
            format!("{}.md", source.trim_end_matches('/'))
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("nanobanana-xtask/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
        let response = client
            .get(&url)
            .send()
            .map_err(|e| format!("cannot fetch {url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "cannot fetch {url}: the server answered {status} (moved or renamed? check the \
                 documentation index)"
            ));
        }
        response
            .text()
            .map_err(|e| format!("cannot read {url}: {e}"))
    } else {
        std::fs::read_to_string(Path::new(source)).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// Compares each page with our spec (and with the models `listing` attributes to it); with an
/// index, also lists the pages we do not cover.
pub fn run(
    spec: &LoadedSpec,
    pages: &[String],
    allow: &AllowList,
    listing: &Listing,
    index: Option<&str>,
) -> Result<Report, String> {
    let lineup = crate::lineup::read(spec).map_err(|e| e.to_string())?;
    let operations = page::operations_of_document(&spec.document);
    let ours = Ours {
        operations: &operations,
        models: &lineup.models,
        task_error_codes: &lineup.task_error_codes,
    };
    let mut report = Report::default();
    for source in pages {
        let text = match fetch(source) {
            Ok(text) => text,
            Err(why) => {
                report.unreadable.push((source.clone(), why));
                continue;
            }
        };
        if let Some(index) = model_index::recognise(&text) {
            match index {
                Ok(index) => report
                    .pages
                    .push(index_report(source, &index, &lineup, allow)),
                Err(why) => report
                    .unreadable
                    .push((source.clone(), format!("{source}: {why}"))),
            }
            continue;
        }
        let read = page::read_page(source, &text).map_err(|e| e.to_string());
        let page = match read {
            Ok(page) => page,
            Err(why) => {
                report.unreadable.push((source.clone(), why));
                continue;
            }
        };
        let attributed = listing.models_of(&page.source, &page.document);
        let mut found = compare::compare_page(&page, &ours, &attributed);
        if !page.missing_refs.is_empty() {
            // What an incomplete page lacks may be what was cut off: conclude nothing from it.
            found.retain(|f| f.group != Group::WeHave);
        }
        let (accepted, findings): (Vec<Finding>, Vec<Finding>) =
            found.into_iter().partition(|f| allow.accepts(f));
        let mut operations: Vec<String> = page.operations.iter().map(|o| o.key()).collect();
        if !page.error_codes.is_empty() {
            operations.push(format!("{} task error codes", page.error_codes.len()));
        }
        report.pages.push(PageReport {
            source: page.source,
            title: page.title,
            operations,
            findings,
            accepted: accepted.len(),
            missing: page.missing_refs,
        });
    }
    if let Some(index_text) = index {
        report.unlisted_pages = listing::unlisted_pages(index_text, listing);
    }
    Ok(report)
}

/// The report of Evolink's model index: its Nano Banana models against our lineup.
fn index_report(
    source: &str,
    index: &model_index::ModelIndex,
    lineup: &crate::lineup::Lineup,
    allow: &AllowList,
) -> PageReport {
    let (models, found) = model_index::compare_index(index, &lineup.models, &lineup.enums);
    let (accepted, findings): (Vec<Finding>, Vec<Finding>) =
        found.into_iter().partition(|f| allow.accepts(f));
    PageReport {
        source: source.to_string(),
        title: index.title(),
        operations: vec![format!(
            "{} Nano Banana models: {}",
            models.len(),
            models
                .iter()
                .map(|m| m.model.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )],
        findings,
        accepted: accepted.len(),
        missing: Vec::new(),
    }
}

/// The report as text, grouped per page: upstream has, we disagree, we have.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for page in &report.pages {
        out.push_str(&format!(
            "{} ({}; {})\n",
            page.title,
            page.source,
            page.operations.join(", ")
        ));
        if !page.missing.is_empty() {
            out.push_str(&format!(
                "  INCOMPLETE: the page refers to {} it does not hold ({}); the findings below \
                 come from the part that could be read (partial); nothing is concluded from what \
                 it seems to lack\n",
                if page.missing.len() == 1 {
                    "a component"
                } else {
                    "components"
                },
                page.missing.join(", ")
            ));
        }
        for group in [Group::UpstreamHas, Group::Disagree, Group::WeHave] {
            let found: Vec<&Finding> = page.findings.iter().filter(|f| f.group == group).collect();
            if found.is_empty() {
                continue;
            }
            out.push_str(&format!("  {} ({}):\n", group.title(), found.len()));
            for finding in found {
                out.push_str(&format!("    {finding}\n"));
            }
        }
        if page.findings.is_empty() && page.missing.is_empty() {
            out.push_str("  no differences ");
        } else if page.findings.is_empty() {
            out.push_str("  no differences in the part read ");
        } else {
            out.push_str("  ");
        }
        out.push_str(&format!("({} accepted by the allow-list)\n", page.accepted));
    }
    if !report.unlisted_pages.is_empty() {
        out.push_str(&format!(
            "pages of the families we cover that spec/upstream.toml does not list ({}):\n",
            report.unlisted_pages.len()
        ));
        for (title, url) in &report.unlisted_pages {
            out.push_str(&format!("  {title}: {url}\n"));
        }
    }
    let findings: Vec<&Finding> = report.pages.iter().flat_map(|p| &p.findings).collect();
    let breaking = findings
        .iter()
        .filter(|f| f.class == Class::Breaking)
        .count();
    for (source, why) in &report.unreadable {
        out.push_str(&format!("could not read {source}: {why}\n"));
    }
    let incomplete = report.incomplete().count();
    let verdict = if report.drifted() {
        "upstream moved: update spec/openapi.yaml (see docs/maintaining.md, \"When Evolink \
         changes its docs\"), or accept a difference in the allow-list with the reason"
    } else if report.read_everything() {
        "our spec matches upstream"
    } else {
        "not known to match: what could not be read was not compared"
    };
    out.push_str(&format!(
        "{} page(s) compared ({incomplete} incomplete), {} could not be read: {} difference(s), \
         {breaking} breaking for our users; {verdict}\n",
        report.pages.len(),
        report.unreadable.len(),
        findings.len(),
    ));
    out
}

/// The report as JSON.
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("the report serializes")
}
