//! `spec/upstream.toml` (the pages our spec is written from, and the families of pages it
//! covers), the allow-list of accepted differences, and the documentation index (`llms.txt`).

use std::collections::BTreeSet;

use serde::Deserialize;

use super::compare::Finding;

/// `spec/upstream.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// The documentation index and the families of pages the spec covers.
    pub index: IndexListing,
    /// The pages the spec is written from.
    #[serde(rename = "page")]
    pub pages: Vec<ListedPage>,
}

/// `[index]`: where the index lives and which of its pages are ours to cover.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexListing {
    /// The index (`https://docs.evolink.ai/llms.txt`).
    pub url: String,
    /// URL prefixes of the page families the spec covers; an index page under one of them that
    /// is not listed is reported.
    pub families: Vec<String>,
}

/// `[[page]]`: one page the spec is written from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedPage {
    /// The page's Markdown rendering (`….md`).
    pub url: String,
    /// What of our spec it backs (for the reader).
    pub covers: String,
}

impl Listing {
    /// The models `covers` names (after its `;`) for the listed page that `source` is, or whose
    /// contract is `document` (`en/api-manual/…/page.json`, any language): none for a page
    /// this listing does not hold.
    pub fn models_of(&self, source: &str, document: &str) -> Vec<String> {
        let tail = |s: &str| -> String {
            let s = s.trim_end_matches(".md").trim_end_matches(".json");
            match s.find("/api-manual/") {
                Some(at) => s[at..].to_string(),
                None => s.to_string(),
            }
        };
        let by_document = (!document.is_empty()).then(|| tail(document));
        self.pages
            .iter()
            .find(|p| {
                page_key(&p.url) == page_key(source)
                    || by_document.as_deref().is_some_and(|d| tail(&p.url) == d)
            })
            .and_then(|p| p.covers.split_once(';'))
            .map(|(_, models)| {
                models
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The allow-list file: differences we accept, each with the reason.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowList {
    /// Accepted differences.
    #[serde(default, rename = "accept")]
    pub accepted: Vec<Accepted>,
}

/// One accepted difference: a finding whose place and change match (`*` stands for any text, so
/// one entry can cover every error status).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// The finding's place, as printed.
    pub place: String,
    /// The finding's change, as printed.
    pub change: String,
    /// Why we accept it (an "Assumed:" decision of the spec, a documented fact of the service).
    pub why: String,
}

impl AllowList {
    /// Whether `finding` is accepted.
    pub fn accepts(&self, finding: &Finding) -> bool {
        self.accepted
            .iter()
            .any(|a| matches(&a.place, &finding.place) && matches(&a.change, &finding.change))
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Parses a TOML file's text, naming the file in the error.
pub fn parse_toml<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| format!("{name}: {e}"))
}

/// The page URLs an index (`llms.txt`: Markdown links, one page per line) lists.
pub fn index_links(text: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            let Some(close) = after.find("](") else { break };
            let title = &after[..close];
            let target = &after[close + 2..];
            let Some(end) = target.find(')') else { break };
            links.push((title.to_string(), target[..end].to_string()));
            rest = &target[end..];
        }
    }
    links
}

/// Pages of the families we cover that the index lists and `listed` does not: each a
/// `(title, url)`.
pub fn unlisted_pages(index: &str, listing: &Listing) -> Vec<(String, String)> {
    let listed: BTreeSet<String> = listing.pages.iter().map(|p| page_key(&p.url)).collect();
    let mut seen = BTreeSet::new();
    index_links(index)
        .into_iter()
        .filter(|(_, url)| listing.index.families.iter().any(|f| url.starts_with(f)))
        .filter(|(_, url)| !listed.contains(&page_key(url)))
        .filter(|(_, url)| seen.insert(page_key(url)))
        .collect()
}

/// A page's URL without the `.md` of its Markdown rendering, so both spellings compare equal.
fn page_key(url: &str) -> String {
    url.trim_end_matches(".md")
        .trim_end_matches('/')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_pattern_matches_with_stars_and_only_whole_texts() {
        assert!(matches("a", "a"));
        assert!(!matches("a", "ab"));
        assert!(matches(
            "POST /x response * .error",
            "POST /x response 404 .error"
        ));
        assert!(!matches(
            "POST /x response * .error",
            "POST /x response 404 .error .code"
        ));
        assert!(matches(
            "example '*': upstream *",
            "example 'e': upstream {}, ours {}"
        ));
        assert!(matches("*", ""));
        assert!(!matches("ab*ba", "aba"));
    }

    #[test]
    fn index_links_read_markdown_links_and_skip_prose() {
        let text = "# Docs\n\n- [Upload](https://d.example/en/files/upload.md): Upload a file\n\
                    Plain text [not closed\n";
        assert_eq!(
            index_links(text),
            vec![(
                "Upload".into(),
                "https://d.example/en/files/upload.md".into()
            )]
        );
    }
}
