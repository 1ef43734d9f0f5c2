//! Saving an image as the type its file name says (feature `convert`). The real service
//! returns JPEGs: a program that asks for `cat.png` gets a PNG at `cat.png`, converted here
//! with the `image` crate, rather than JPEG bytes under a `.png` name.

use std::path::{Path, PathBuf};

use crate::error::Error;
use image::ImageFormat;

/// The image type a file name asks for, from its extension (`None`: no or another extension).
fn wanted(path: &Path) -> Option<ImageFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some(ImageFormat::Png),
        "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
        "webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// Moves the downloaded `file` to `target`, converting it when `target`'s extension names
/// another image type than the file's (its extension is its real type). Returns whether it
/// converted, and from which type.
pub fn save_as(file: &Path, target: &Path) -> Result<Option<&'static str>, Error> {
    let (Some(want), Some(have)) = (wanted(target), wanted(file)) else {
        rename(file, target)?;
        return Ok(None);
    };
    if want == have {
        rename(file, target)?;
        return Ok(None);
    }
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    let picture = image::ImageReader::open(file)
        .map_err(io("cannot open the downloaded image", file))?
        .with_guessed_format()
        .map_err(io("cannot read the downloaded image", file))?
        .decode()
        .map_err(|e| Error::Io {
            action: "cannot decode the downloaded image to convert it",
            path: file.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
    // Written beside the target, then renamed: a crash never leaves half a file there.
    let partial = partial_name(target);
    picture
        .to_rgb8()
        .save_with_format(&partial, want)
        .map_err(|e| Error::Io {
            action: "cannot write the converted image",
            path: partial.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
    rename(&partial, target)?;
    std::fs::remove_file(file).map_err(io("cannot remove the downloaded image", file))?;
    Ok(Some(name(have)))
}

fn name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::WebP => "WebP",
        _ => "image",
    }
}

fn partial_name(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    target.with_file_name(name)
}

fn rename(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(|source| Error::Io {
        action: "cannot move the saved image to",
        path: to.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jpeg_saved_as_png_is_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let jpeg = dir.path().join("task-0.jpg");
        image::RgbImage::from_pixel(8, 4, image::Rgb([200, 30, 30]))
            .save_with_format(&jpeg, ImageFormat::Jpeg)
            .unwrap();
        let target = dir.path().join("cat.png");
        assert_eq!(save_as(&jpeg, &target).unwrap(), Some("JPEG"));
        let bytes = std::fs::read(&target).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(!jpeg.exists());
        // Same type: just moved.
        let png = dir.path().join("task-1.png");
        std::fs::copy(&target, &png).unwrap();
        assert_eq!(save_as(&png, &dir.path().join("dog.png")).unwrap(), None);
    }
}
