//! `generate_image`'s arguments as a request the SDK checks, and where its image is saved: the
//! folder and file name checked before anything is paid for, the download renamed to it.

use std::path::{Path, PathBuf};

use nanobanana_api::types::{self, ImageQuality, ImageSize};
use nanobanana_api::{Error, ImageInput, ImageRequest};

use super::answer::refused;
use super::schema::GenerateImageArgs;

/// The request the arguments state; a value no model takes is refused naming its field.
pub fn image_request(args: &GenerateImageArgs) -> Result<ImageRequest, Error> {
    let model = args
        .model
        .clone()
        .unwrap_or_else(|| crate::args::DEFAULT_MODEL.to_string());
    if model.trim().is_empty() {
        return Err(refused(
            "model",
            "is empty",
            "a model name (call list_models), or leave it out for the default",
        ));
    }
    let mut request = ImageRequest::new(model, args.prompt.clone());
    if let Some(size) = &args.size {
        let size = size.parse::<ImageSize>().map_err(|_| {
            refused(
                "size",
                format!("is `{size}`"),
                format!("one of {}", ImageSize::KNOWN.join(", ")),
            )
        })?;
        request = request.size(size);
    }
    if let Some(quality) = &args.quality {
        let quality = quality.parse::<ImageQuality>().map_err(|_| {
            refused(
                "quality",
                format!("is `{quality}`"),
                format!("one of {}", ImageQuality::KNOWN.join(", ")),
            )
        })?;
        request = request.quality(quality);
    }
    // Checked by the SDK per model: one that does not take a field is refused naming the
    // fields it takes; an unknown thinking level naming the known ones.
    if let Some(thinking) = &args.thinking {
        request = request.thinking(types::ThinkingLevel::from(thinking.as_str()));
    }
    if let Some(on) = args.web_search {
        request = request.web_search(on);
    }
    if let Some(on) = args.image_search {
        request = request.image_search(on);
    }
    let images: Vec<ImageInput> = args
        .images
        .iter()
        .map(|image| image.parse().unwrap_or_else(|never| match never {}))
        .collect();
    Ok(request.images(images))
}

/// Refuses a folder or file name the image could not be saved under, before paying for it.
pub fn check_target(dir: &Path, file_name: Option<&str>) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(refused(
            "output_dir",
            format!("`{}` is a file, not a folder", dir.display()),
            "a folder (created if needed)",
        ));
    }
    let Some(name) = file_name else {
        return Ok(());
    };
    let plain = Path::new(name)
        .file_name()
        .is_some_and(|n| n == std::ffi::OsStr::new(name));
    if !plain {
        return Err(refused(
            "file_name",
            format!("is `{name}`, which is not a plain file name"),
            "a name without folders (put the folder in output_dir), e.g. cat.png",
        ));
    }
    let extension = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if !matches!(extension.as_deref(), Some("png" | "jpg" | "jpeg" | "webp")) {
        return Err(refused(
            "file_name",
            format!("is `{name}`, which is not an image file name"),
            "a name ending in .png, .jpg, .jpeg or .webp (e.g. cat.png)",
        ));
    }
    if dir.join(name).exists() {
        return Err(refused(
            "file_name",
            format!("`{}` exists", dir.join(name).display()),
            "a name not taken yet (existing files are never replaced)",
        ));
    }
    Ok(())
}

/// Renames downloaded files to `target` (then `target-1.ext`, …), converting each to the type
/// the name asks for.
pub fn rename(files: Vec<PathBuf>, target: &Path) -> Result<Vec<PathBuf>, Error> {
    let stem = target
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut renamed = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let to = if i == 0 {
            target.to_path_buf()
        } else {
            target.with_file_name(format!("{stem}-{i}.{ext}"))
        };
        if to.exists() {
            return Err(refused(
                "file_name",
                format!(
                    "`{}` exists (the image is saved as {})",
                    to.display(),
                    file.display()
                ),
                "a name not taken yet (existing files are never replaced)",
            ));
        }
        nanobanana_api::convert::save_as(&file, &to)?;
        renamed.push(to);
    }
    Ok(renamed)
}
