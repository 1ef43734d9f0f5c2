//! Checking a local image before it is uploaded: it exists, is a regular file, is not larger
//! than the limit (the file service's, or the chosen model's), and starts with the magic bytes of a JPEG, PNG, GIF or WebP image (the file's name
//! and extension are not trusted). A file that fails is never sent.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::error::local_image::{HexHead, LocalImageError, LocalImageProblem};
use crate::error::Error;
use crate::files::image_format::ImageFormat;

/// The largest file the file service takes: 20 MB (20 × 1024 × 1024 bytes), the largest
/// reference image any model takes. Assumed (see `FileTooLarge` in the spec): the file-service
/// pages give no limit. A model may take less ([`crate::lineup::ModelLimits::max_image_mb`]).
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// Who a size limit is for, as messages name it.
pub(crate) const FILE_SERVICE: &str = "the file service";

/// A local image that passed the checks: open, positioned at its first byte.
#[derive(Debug)]
pub(crate) struct CheckedImage {
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
pub(crate) async fn check_local_image(
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

/// The image types the generation call takes (the file service also stores GIF).
const GENERATION_FORMATS: [ImageFormat; 3] =
    [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP];

/// A local image checked for a generation request: it exists, is within `max_bytes` (the
/// model's limit, `model` names it in the error), and is a type the generation call takes.
pub(crate) async fn check_generation_image(
    path: &Path,
    max_bytes: u64,
    model: &str,
) -> Result<CheckedImage, Error> {
    let checked = check_local_image(path, max_bytes, model).await?;
    if !GENERATION_FORMATS.contains(&checked.format) {
        return Err(Error::from(LocalImageError {
            path: path.to_path_buf(),
            problem: LocalImageProblem::NotForGeneration(checked.format),
        }));
    }
    Ok(checked)
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
