//! The rule for a batch item's file name, in one place: checked for every item before anything
//! is sent, so a name can never overwrite the ledger, another item's image or a file that was
//! already in the folder, and never fails to save after its image was paid for.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The image extensions a name may end in (or none: the image's own type then decides).
pub const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];

/// Names the nanobanana tools keep for themselves beside a batch's images, and what each is:
/// the ledger `nanobanana batch` writes there, and its contact sheet. No item may take them
/// (in any letter case), nor the name of the batch's own ledger.
pub const RESERVED_NAMES: [(&str, &str); 2] = [
    ("nanobanana-batch.jsonl", "the batch's ledger"),
    ("index.html", "the batch's contact sheet"),
];

/// The most bytes a file name may have on the common file systems (ext4, APFS, NTFS).
pub const MAX_NAME_BYTES: usize = 255;

/// Why an item's file name is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameProblem {
    /// The name is empty.
    #[error("is empty")]
    Empty,
    /// The name is a path (`/`, `\`, `.`, `..`), not a file name in the batch's folder.
    #[error("is a path, not a plain file name (no `/`, `\\`, `.` or `..`): images are saved in the batch's folder")]
    NotPlain,
    /// The name holds a control character (NUL, a newline, an escape…).
    #[error("contains a control character (such as NUL or a newline), which file systems refuse or terminals garble")]
    ControlCharacter,
    /// The name holds a character this system's file names cannot (on Windows: `<>:"|?*`).
    #[error("contains `{0}`, which file names on this system cannot")]
    ForbiddenCharacter(char),
    /// The name is longer than file systems take.
    #[error("is {bytes} bytes long; file names are at most {MAX_NAME_BYTES} bytes")]
    TooLong {
        /// Its length in bytes (UTF-8).
        bytes: usize,
    },
    /// The name ends in an extension that is not an image type's.
    #[error("ends in `.{0}`, which is not an image type: end it in .png, .jpg, .jpeg or .webp")]
    NotAnImageName(String),
    /// The name is a device name Windows reserves, with any extension (`CON`, `NUL.png`,
    /// `COM1`, `LPT9`…): a folder holding it cannot be copied to Windows.
    #[error("is `{0}`, a device name Windows reserves with any extension: the folder could not be copied to Windows")]
    ReservedOnWindows(String),
    /// The name is one the batch writes itself.
    #[error("is the name of {0}")]
    Reserved(String),
    /// Other items (by index) are saved under the same name.
    #[error("is also the name of request(s) {}", join(.0))]
    SameAs(Vec<usize>),
    /// A file of that name is in the folder and is not an image this batch saved.
    #[error("names {}, which already exists and is not an image this batch saved; set BatchOptions::overwrite to replace it", .0.display())]
    Exists(PathBuf),
}

fn join(indices: &[usize]) -> String {
    indices
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An item's name that is refused: the item's index, the name, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NameRefusal {
    /// The item's position in the batch.
    pub index: usize,
    /// The name as given.
    pub name: String,
    /// What is wrong with it.
    pub problem: NameProblem,
}

impl std::fmt::Display for NameRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "request {}: the name `{}` {}",
            self.index,
            self.name.escape_debug(),
            self.problem
        )
    }
}

/// Checks one name on its own: a plain file name (no `/`, `\`, `..`), not empty, no control
/// character, at most [`MAX_NAME_BYTES`] bytes, no extension or an image one
/// ([`IMAGE_EXTENSIONS`]), not a device name Windows reserves, not one of [`RESERVED_NAMES`].
///
/// ```
/// use nanobanana_api::tasks::{check_output_name, NameProblem};
/// assert!(check_output_name("fox.png").is_ok());
/// assert_eq!(check_output_name("../fox.png"), Err(NameProblem::NotPlain));
/// assert!(check_output_name("index.html").is_err());
/// ```
pub fn check_output_name(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(NameProblem::NotPlain);
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::ControlCharacter);
    }
    if cfg!(windows) {
        if let Some(c) = name.chars().find(|c| "<>:\"|?*".contains(*c)) {
            return Err(NameProblem::ForbiddenCharacter(c));
        }
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(NameProblem::TooLong { bytes: name.len() });
    }
    let lower = name.to_lowercase();
    if let Some((_, what)) = RESERVED_NAMES
        .iter()
        .find(|(reserved, _)| *reserved == lower)
    {
        return Err(NameProblem::Reserved((*what).to_string()));
    }
    if let Some(extension) = extension(name) {
        if !IMAGE_EXTENSIONS.contains(&extension.to_lowercase().as_str()) {
            return Err(NameProblem::NotAnImageName(extension.to_string()));
        }
    }
    // Windows reserves these before the first dot, whatever follows, trailing spaces ignored.
    let device = name.split('.').next().unwrap_or(name).trim_end();
    let upper = device.to_uppercase();
    let numbered = |prefix: &str| {
        upper.strip_prefix(prefix).is_some_and(|n| {
            n.len() == 1 && n.chars().all(|c| c.is_ascii_digit() && c != '0')
                || ["¹", "²", "³"].contains(&n)
        })
    };
    if ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(&upper.as_str())
        || numbered("COM")
        || numbered("LPT")
    {
        return Err(NameProblem::ReservedOnWindows(device.to_string()));
    }
    Ok(())
}

/// The name's extension, if it has one (`fox.png` → `png`; `.png` and `fox` have none).
fn extension(name: &str) -> Option<&str> {
    Path::new(name).extension().and_then(|e| e.to_str())
}

/// The name's stem (`fox.png` → `fox`).
fn stem(name: &str) -> &str {
    Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name)
}

/// Whether two names save to the same file. The letter case never tells files apart (macOS
/// and Windows ignore it). With the `convert` feature an image is saved under its name's
/// extension; without it (or with no extension) under its own type's, so the stems decide.
fn same_file(a: &str, b: &str) -> bool {
    if stem(a).to_lowercase() != stem(b).to_lowercase() {
        return false;
    }
    match (extension(a), extension(b)) {
        (Some(x), Some(y)) if cfg!(feature = "convert") => x.to_lowercase() == y.to_lowercase(),
        _ => true,
    }
}

/// The files an item named `name` may be saved as in `dir`: the name itself, and when the
/// image's type decides the extension, the stem with each image extension.
pub(crate) fn candidates(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut paths = vec![dir.join(name)];
    if !cfg!(feature = "convert") || extension(name).is_none() {
        let stem = stem(name);
        paths.extend(
            IMAGE_EXTENSIONS
                .iter()
                .map(|ext| dir.join(format!("{stem}.{ext}"))),
        );
    }
    paths
}

/// Where a batch saves and what it may replace, for [`check_names`].
pub(crate) struct NameContext<'a> {
    /// The images' folder.
    pub dir: &'a Path,
    /// The batch's ledger, if any.
    pub ledger: Option<&'a Path>,
    /// Replace files the batch did not save.
    pub overwrite: bool,
    /// The file names (lowercase) earlier runs of this batch saved or were saving, per its
    /// ledger: replacing them is the batch's own business.
    pub saved_by_batch: HashSet<String>,
}

/// Checks every item's name (see [`check_output_names`](crate::tasks::check_output_names)).
pub(crate) fn check_names(names: &[Option<&str>], context: &NameContext<'_>) -> Vec<NameRefusal> {
    let dir = context.dir;
    // The batch's own ledger, when it is in the folder, and its lock file.
    let own_files: Vec<(String, &str)> = context
        .ledger
        .filter(|ledger| ledger.parent().is_some_and(|parent| same_dir(parent, dir)))
        .and_then(|ledger| ledger.file_name())
        .and_then(|n| n.to_str())
        .map(|n| {
            vec![
                (n.to_lowercase(), "the batch's ledger"),
                (
                    format!("{n}.lock").to_lowercase(),
                    "the batch's ledger lock",
                ),
            ]
        })
        .unwrap_or_default();
    let saved_by_batch = &context.saved_by_batch;
    // Names that may save to the same file share their stem: compared within a stem only, so
    // the check stays linear in the batch.
    let mut by_stem: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, name) in names.iter().enumerate() {
        if let Some(name) = name {
            by_stem
                .entry(stem(name).to_lowercase())
                .or_default()
                .push(index);
        }
    }
    let mut refused = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let Some(name) = name else { continue };
        let refuse = |problem| NameRefusal {
            index,
            name: name.to_string(),
            problem,
        };
        if let Err(problem) = check_output_name(name) {
            refused.push(refuse(problem));
            continue;
        }
        if let Some((_, what)) = own_files
            .iter()
            .find(|(own, _)| *own == name.to_lowercase())
        {
            refused.push(refuse(NameProblem::Reserved((*what).to_string())));
            continue;
        }
        let others: Vec<usize> = by_stem
            .get(&stem(name).to_lowercase())
            .into_iter()
            .flatten()
            .copied()
            .filter(|other| *other != index)
            .filter(|other| names[*other].is_some_and(|n| same_file(name, n)))
            .collect();
        if !others.is_empty() {
            refused.push(refuse(NameProblem::SameAs(others)));
            continue;
        }
        if context.overwrite {
            continue;
        }
        if let Some(existing) = candidates(dir, name).into_iter().find(|path| {
            path.exists()
                && !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| saved_by_batch.contains(&n.to_lowercase()))
        }) {
            refused.push(refuse(NameProblem::Exists(existing)));
        }
    }
    refused
}

/// Whether `a` and `b` are the same directory (`""` is the current one).
fn same_dir(a: &Path, b: &Path) -> bool {
    let dot = |p: &Path| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    };
    let (a, b) = (dot(a), dot(b));
    a == b
        || matches!(
            (a.canonicalize(), b.canonicalize()),
            (Ok(x), Ok(y)) if x == y
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{check_output_names, BatchOptions};

    #[test]
    fn plain_image_names_pass_and_each_rule_refuses_its_case() {
        for name in [
            "fox.png",
            "Fox.JPG",
            "a b#c?d%.webp",
            "fox",
            "javascript:x.png",
        ] {
            assert_eq!(check_output_name(name), Ok(()), "{name}");
        }
        assert_eq!(check_output_name(""), Err(NameProblem::Empty));
        for name in ["../x.png", "a/b.png", "a\\b.png", "..", "."] {
            assert_eq!(
                check_output_name(name),
                Err(NameProblem::NotPlain),
                "{name}"
            );
        }
        for name in ["a\0.png", "a\n.png", "a\u{1b}[2J.png"] {
            assert_eq!(
                check_output_name(name),
                Err(NameProblem::ControlCharacter),
                "{name:?}"
            );
        }
        let long = format!("{}.png", "é".repeat(130));
        assert_eq!(
            check_output_name(&long),
            Err(NameProblem::TooLong { bytes: 264 })
        );
        assert_eq!(
            check_output_name("notes.txt"),
            Err(NameProblem::NotAnImageName("txt".into()))
        );
        for name in ["index.html", "INDEX.HTML", "nanobanana-batch.jsonl"] {
            assert!(
                matches!(check_output_name(name), Err(NameProblem::Reserved(_))),
                "{name}"
            );
        }
        for name in [
            "CON",
            "con.png",
            "Nul.tar.png",
            "COM1.png",
            "lpt9.jpg",
            "aux .png",
        ] {
            assert!(
                matches!(
                    check_output_name(name),
                    Err(NameProblem::ReservedOnWindows(_))
                ),
                "{name}"
            );
        }
        for name in ["COM0.png", "console.png", "com10.png", "nul-free.png"] {
            assert_eq!(check_output_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn a_name_two_items_take_is_refused_for_both_and_an_existing_file_unless_overwriting() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.png"), "mine").unwrap();
        let options = BatchOptions::new(2, dir.path()).with_ledger(dir.path().join("l.jsonl"));
        let names = [
            Some("a.png"),
            None,
            Some("A.png"),
            Some("keep.png"),
            Some("l.jsonl"),
            Some("b.png"),
        ];
        let refused = check_output_names(names, &options);
        let found: Vec<(usize, NameProblem)> =
            refused.into_iter().map(|r| (r.index, r.problem)).collect();
        assert_eq!(
            found,
            [
                (0, NameProblem::SameAs(vec![2])),
                (2, NameProblem::SameAs(vec![0])),
                (3, NameProblem::Exists(dir.path().join("keep.png"))),
                (4, NameProblem::NotAnImageName("jsonl".into())),
            ]
        );
        let refused = check_output_names(names, &options.clone().overwrite(true));
        assert!(refused.iter().all(|r| r.index != 3), "{refused:?}");
    }
}
