//! Checking a local image before it is uploaded: it exists, is a regular file, is not larger
//! than the limit (the file service's, or the chosen model's), and starts with the magic bytes of a JPEG, PNG, GIF or WebP image (the file's name
//! and extension are not trusted). A file that fails is never sent.

use std::fmt;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::image_format::ImageFormat;

/// The largest file the file service takes: 20 MB (20 × 1024 × 1024 bytes), the largest
/// reference image any model takes. Assumed (see `FileTooLarge` in the spec): the file-service
/// pages give no limit. A model may take less ([`crate::lineup::ModelLimits::max_image_mb`]).
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// Who a size limit is for, as messages name it.
pub const FILE_SERVICE: &str = "the file service";

/// The types the file service accepts, as the message names them.
const ACCEPTED: &str = "JPEG, PNG, GIF or WebP";

/// A local image that cannot be uploaded, and why. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[error("image {}: {problem}; nothing was sent", .path.display())]
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
    /// The path is a directory or something else that is not a file.
    #[error("not a regular file")]
    NotAFile,
    /// The file could not be opened or read.
    #[error("cannot read it: {0}")]
    Unreadable(#[source] std::io::Error),
    /// The file is larger than the limit.
    #[error("{size} bytes is over the limit of {limit} bytes ({} MB) per image for {applies_to}", .limit / (1024 * 1024))]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit: [`MAX_IMAGE_BYTES`], or the model's.
        limit: u64,
        /// What the limit is for: [`FILE_SERVICE`] or a model's name.
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

/// A local image that passed the checks: open, positioned at its first byte.
#[derive(Debug)]
pub struct CheckedImage {
    /// The file, as given.
    pub path: PathBuf,
    /// The open file, at offset 0.
    pub file: tokio::fs::File,
    /// Its size in bytes (at most [`MAX_IMAGE_BYTES`]).
    pub size: u64,
    /// Its type, from its magic bytes.
    pub format: ImageFormat,
    /// Its file name, sent with the upload.
    pub file_name: String,
}

/// Opens `path` and checks it can be uploaded, at most `limit` bytes (for `applies_to`); see
/// the module docs.
pub async fn check_local_image(
    path: &Path,
    limit: u64,
    applies_to: &str,
) -> Result<CheckedImage, LocalImageError> {
    let fail = |problem| LocalImageError {
        path: path.to_path_buf(),
        problem,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(|e| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => LocalImageProblem::NotFound,
            _ => LocalImageProblem::Unreadable(e),
        })
    })?;
    let metadata = file
        .metadata()
        .await
        .map_err(|e| fail(LocalImageProblem::Unreadable(e)))?;
    if !metadata.is_file() {
        return Err(fail(LocalImageProblem::NotAFile));
    }
    let size = metadata.len();
    if size > limit {
        return Err(fail(LocalImageProblem::TooLarge {
            size,
            limit,
            applies_to: applies_to.to_string(),
        }));
    }
    let mut head = [0u8; ImageFormat::SNIFF_LEN];
    let mut read = 0;
    while read < head.len() {
        let n = file
            .read(&mut head[read..])
            .await
            .map_err(|e| fail(LocalImageProblem::Unreadable(e)))?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let Some(format) = ImageFormat::sniff(&head[..read]) else {
        return Err(fail(LocalImageProblem::NotAnImage {
            head: HexHead(head[..read].to_vec()),
        }));
    };
    file.seek(std::io::SeekFrom::Start(0))
        .await
        .map_err(|e| fail(LocalImageProblem::Unreadable(e)))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("image.{}", format.extension()));
    Ok(CheckedImage {
        path: path.to_path_buf(),
        file,
        size,
        format,
        file_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_shown_as_hex() {
        assert_eq!(HexHead(vec![0x3c, 0x68, 0x74]).to_string(), "3c 68 74");
        assert_eq!(HexHead(vec![]).to_string(), "none: the file is empty");
    }

    #[test]
    fn messages_name_the_file_and_the_limit() {
        let err = LocalImageError {
            path: "big.png".into(),
            problem: LocalImageProblem::TooLarge {
                size: 10 * 1024 * 1024 + 1,
                limit: 10 * 1024 * 1024,
                applies_to: "gemini-3-pro-image-preview".into(),
            },
        };
        assert_eq!(
            err.to_string(),
            "image big.png: 10485761 bytes is over the limit of 10485760 bytes (10 MB) per image for gemini-3-pro-image-preview; nothing was sent"
        );
    }
}
