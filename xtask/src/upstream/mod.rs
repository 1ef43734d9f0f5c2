//! `cargo xtask upstream-diff`: our spec held against Evolink's own published pages.
//!
//! Each page's Markdown rendering embeds the page's OpenAPI contract ([`page`]); both it and our
//! spec are reduced to comparable shapes ([`shape`]) and compared ([`compare`]); the pages our spec
//! is written from, the accepted differences and the documentation index are read by
//! [`listing`].

pub mod compare;
pub mod listing;
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

/// Reads a page (or index) from a local file or an http(s) URL. A docs page URL without `.md`
/// gets it: the Markdown rendering is what carries the contract.
pub fn fetch(source: &str) -> Result<String, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let url = if source.ends_with(".md") || source.ends_with(".txt") {
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

/// Compares each page with our spec; with an index, also lists the pages we do not cover.
pub fn run(
    spec: &LoadedSpec,
    pages: &[String],
    allow: &AllowList,
    index: Option<(&str, &Listing)>,
) -> Result<Report, String> {
    let lineup = crate::lineup::read(spec).map_err(|e| e.to_string())?;
    let operations = page::operations_of_document(&spec.document);
    let ours = Ours {
        operations: &operations,
        models: &lineup.models,
    };
    let mut report = Report::default();
    for source in pages {
        let read = fetch(source)
            .and_then(|text| page::read_page(source, &text).map_err(|e| e.to_string()));
        let page = match read {
            Ok(page) => page,
            Err(why) => {
                report.unreadable.push((source.clone(), why));
                continue;
            }
        };
        let (accepted, findings): (Vec<Finding>, Vec<Finding>) =
            compare::compare_page(&page, &ours)
                .into_iter()
                .partition(|f| allow.accepts(f));
        report.pages.push(PageReport {
            source: page.source,
            title: page.title,
            operations: page.operations.iter().map(|o| o.key()).collect(),
            findings,
            accepted: accepted.len(),
        });
    }
    if let Some((index_text, listing)) = index {
        report.unlisted_pages = listing::unlisted_pages(index_text, listing);
    }
    Ok(report)
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
        if page.findings.is_empty() {
            out.push_str("  no differences ");
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
    out.push_str(&format!(
        "{} page(s): {} difference(s), {breaking} breaking for our users; {}\n",
        report.pages.len(),
        findings.len(),
        if report.drifted() {
            "upstream moved: update spec/openapi.yaml (see README, \"When Evolink changes its \
             docs\"), or accept a difference in the allow-list with the reason"
        } else {
            "our spec matches upstream"
        }
    ));
    out
}

/// The report as JSON.
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("the report serializes")
}
