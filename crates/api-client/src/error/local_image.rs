//! [`LocalImageError`]: a local image that cannot be uploaded, found before anything is sent.

use std::fmt;
use std::path::PathBuf;

use crate::files::image_format::ImageFormat;

/// The types the file service accepts, as messages name them.
pub(crate) const ACCEPTED: &str = "JPEG, PNG, GIF or WebP";

/// A local image that cannot be uploaded, and why. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[error("image {}: {problem}; nothing was sent", .path.display())]
#[non_exhaustive]
pub struct LocalImageError {
    /// The file, as given.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: LocalImageProblem,
}

/// What is wrong with a local image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalImageProblem {
    /// There is no such file.
    #[error("no such file")]
    NotFound,
    /// The path is a directory, a FIFO, a device, a socket: anything but a regular file. Found
    /// from its metadata, before it is opened (a FIFO would block the open).
    #[error("not a regular file (a directory, FIFO, device or socket is never read): give the path of an image file")]
    NotAFile,
    /// The file could not be opened or read.
    #[error("cannot read it: {0}")]
    Unreadable(#[source] std::io::Error),
    /// The file is larger than the limit.
    #[error("{size} bytes is over the limit of {limit} bytes ({} MB) per image for {applies_to}", .limit / (1024 * 1024))]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit: [`MAX_IMAGE_BYTES`](crate::files::MAX_IMAGE_BYTES), or the model's.
        limit: u64,
        /// What the limit is for: the file service or a model's name.
        applies_to: String,
    },
    /// Its first bytes are not those of an accepted image type.
    #[error(
        "not a {ACCEPTED} image (its first bytes are {head}); only those types can be uploaded"
    )]
    NotAnImage {
        /// The first bytes, in hex, to tell what the file is.
        head: HexHead,
    },
    /// An image type the file service stores but the generation call does not take.
    #[error("a {0:?} image can be uploaded but the generation call takes only JPEG, PNG or WebP images; convert it first")]
    NotForGeneration(ImageFormat),
}

/// The first bytes of a file, shown as hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexHead(pub Vec<u8>);

impl fmt::Display for HexHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none: the file is empty");
        }
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}
