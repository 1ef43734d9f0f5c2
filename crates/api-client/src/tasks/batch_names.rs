//! A batch's file names: checked against each other, the folder and the ledger before anything
//! is sent, and the saved images moved to them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::tasks::ledger::LedgerEntry;
use crate::tasks::output_name::{candidates, check_names, NameContext, NameRefusal};

/// [`check_output_names`](crate::tasks::check_output_names) with the ledger's entries read.
pub(crate) fn names_against_ledger(
    names: &[Option<&str>],
    (dir, ledger_path, overwrite): (&Path, Option<&Path>, bool),
    ledger: &HashMap<usize, LedgerEntry>,
) -> Vec<NameRefusal> {
    // What earlier runs of this batch saved, or were saving, by file name.
    let saved_by_batch = ledger
        .values()
        .flat_map(|entry| {
            let files = entry
                .completed
                .iter()
                .flat_map(|done| done.files.iter())
                .filter_map(|f| f.file_name().and_then(|n| n.to_str()))
                .map(str::to_lowercase);
            let named = entry
                .fingerprint
                .as_deref()
                .and_then(name_in_fingerprint)
                .into_iter()
                .flat_map(|name| candidates(Path::new(""), &name))
                .filter_map(|p| p.to_str().map(str::to_lowercase));
            files.chain(named).collect::<Vec<_>>()
        })
        .collect();
    check_names(
        names,
        &NameContext {
            dir,
            ledger: ledger_path,
            overwrite,
            saved_by_batch,
        },
    )
}

/// The item's name recorded in a ledger fingerprint (`[request, images, name]`).
fn name_in_fingerprint(fingerprint: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(fingerprint).ok()?;
    value.get(2)?.as_str().map(str::to_string)
}

/// The batch refused for its names, every refusal listed.
pub(crate) fn names_refused(refused: &[NameRefusal]) -> Error {
    let listed: Vec<String> = refused.iter().map(ToString::to_string).collect();
    Error::Validation(crate::error::ValidationError::new(
        "the requests' file names",
        format!(
            "{} refused; nothing was sent: {}",
            if refused.len() == 1 {
                "1 name is".to_string()
            } else {
                format!("{} names are", refused.len())
            },
            listed.join("; ")
        ),
        "a plain file name ending in .png, .jpg, .jpeg or .webp (or no extension), at most 255 bytes, no control characters, not a Windows device name, each item's own, not a file already in the folder (tasks::check_output_name)",
    ))
}

/// Moves `files` to `dir/name` (then `name-1`, …). With the `convert` feature an image whose
/// type differs from what `name`'s extension says is converted; without it, each keeps its own
/// type's extension.
pub(crate) fn name_files(
    files: Vec<PathBuf>,
    dir: &Path,
    name: &str,
) -> Result<Vec<PathBuf>, Error> {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let asked = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned());
    let mut named = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let own = file
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = if cfg!(feature = "convert") {
            asked.clone().unwrap_or(own)
        } else {
            own
        };
        let target = if i == 0 {
            dir.join(format!("{stem}.{ext}"))
        } else {
            dir.join(format!("{stem}-{i}.{ext}"))
        };
        #[cfg(feature = "convert")]
        crate::convert::save_as(&file, &target)?;
        #[cfg(not(feature = "convert"))]
        std::fs::rename(&file, &target).map_err(|source| Error::Io {
            action: "cannot move the saved image to",
            path: target.clone(),
            source,
        })?;
        named.push(target);
    }
    Ok(named)
}
