//! What earlier runs of a batch left in its ledger, for the summary (the SDK reads the ledger
//! again, under its lock, to resume).

use std::path::Path;

use nanobanana_api::tasks::LedgerEntry;

/// What earlier runs left in the ledger.
#[derive(Default)]
pub struct Earlier {
    /// Lines (by position among the requests) whose images were saved.
    pub saved: std::collections::HashSet<usize>,
    /// The servers the unfinished tasks were created on.
    pub unfinished_on: std::collections::HashSet<String>,
}

impl Earlier {
    /// Whether unfinished tasks were created on another server than `base_url`.
    pub fn elsewhere(&self, base_url: &str) -> bool {
        let this = base_url.trim_end_matches('/');
        self.unfinished_on
            .iter()
            .any(|url| url.trim_end_matches('/') != this)
    }
}

/// Reads what the ledger at `path` records, if there is one (the SDK reads it again, under its
/// lock, to resume; this is for the summary).
pub fn earlier_runs(path: &Path) -> Earlier {
    let mut by_index = std::collections::HashMap::new();
    if let Ok(text) = std::fs::read_to_string(path) {
        for entry in text
            .lines()
            .filter_map(|l| serde_json::from_str::<LedgerEntry>(l).ok())
        {
            by_index.insert(entry.index, entry);
        }
    }
    let mut earlier = Earlier::default();
    for (index, entry) in by_index {
        match (&entry.completed, entry.base_url) {
            (Some(_), _) => {
                earlier.saved.insert(index);
            }
            (None, Some(url)) => {
                earlier.unfinished_on.insert(url);
            }
            (None, None) => {}
        }
    }
    earlier
}
