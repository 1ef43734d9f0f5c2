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
    let (mut file, metadata) = open_regular_file(path).await.map_err(fail)?;
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

/// Opens `path` for reading if it is a regular file, without ever blocking: a FIFO, a device,
/// a socket or a directory is refused from its metadata before it is opened (opening a FIFO
/// for reading waits for a writer, forever), and the open itself does not wait (`O_NONBLOCK` on
/// Unix), in case the path is swapped for one between the two; the open file is checked again.
pub(crate) async fn open_regular_file(
    path: &Path,
) -> Result<(tokio::fs::File, std::fs::Metadata), LocalImageProblem> {
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => LocalImageProblem::NotFound,
        _ => LocalImageProblem::Unreadable(e),
    };
    let before = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if !before.is_file() {
        return Err(LocalImageProblem::NotAFile);
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NONBLOCK);
    let file = options.open(path).await.map_err(unreadable)?;
    let metadata = file
        .metadata()
        .await
        .map_err(LocalImageProblem::Unreadable)?;
    if !metadata.is_file() {
        return Err(LocalImageProblem::NotAFile);
    }
    Ok((file, metadata))
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

    /// A FIFO (whose open would wait for a writer forever), a device and a socket are refused
    /// from their metadata, at once, naming the path.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_fifo_a_device_and_a_socket_are_refused_before_they_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.png");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let socket = dir.path().join("socket.png");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        for path in [fifo.as_path(), Path::new("/dev/null"), &socket, dir.path()] {
            let refused = tokio::time::timeout(
                std::time::Duration::from_secs(30),
                check_local_image(path, MAX_IMAGE_BYTES, FILE_SERVICE),
            )
            .await
            .unwrap_or_else(|_| panic!("{} blocked", path.display()))
            .unwrap_err();
            assert!(
                matches!(refused.problem, LocalImageProblem::NotAFile),
                "{refused}"
            );
            let message = refused.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains("not a regular file"), "{message}");
        }
    }

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
                applies_to: "nano-banana-2-lite".into(),
            },
        };
        assert_eq!(
            err.to_string(),
            "image big.png: 10485761 bytes is over the limit of 10485760 bytes (10 MB) per image for nano-banana-2-lite; nothing was sent"
        );
    }
}
