//! Where results are saved ([`SaveTo`]) and what a finished generation left ([`Saved`]).

use std::path::{Path, PathBuf};

use crate::types;

/// A finished generation: the completed task and the image files saved from it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Saved {
    /// The completed task, with its `results` URLs.
    pub task: types::TaskDetail,
    /// The saved images, in the order of `results`.
    pub files: Vec<PathBuf>,
}

/// Where [`NanoBanana::download`](crate::NanoBanana::download) and
/// [`generate`](crate::NanoBanana::generate) save images: a directory (created when missing),
/// each image as `<task_id>-<n>.<ext>`. A path converts into one; an existing file is refused
/// unless [`overwrite`](Self::overwrite) says otherwise.
///
/// ```
/// use nanobanana_api::tasks::SaveTo;
/// let to = SaveTo::from("out").overwrite(true);
/// assert_eq!(to.dir(), std::path::Path::new("out"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveTo {
    dir: PathBuf,
    overwrite: bool,
}

impl SaveTo {
    /// Replace existing files of the same name instead of refusing (default: refuse).
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn overwrites(&self) -> bool {
        self.overwrite
    }
}

impl<P: AsRef<Path>> From<P> for SaveTo {
    fn from(dir: P) -> Self {
        Self {
            dir: dir.as_ref().to_path_buf(),
            overwrite: false,
        }
    }
}
