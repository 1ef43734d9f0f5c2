//! Where `generate` and `task wait` save images: `-o` or `--out-dir` checked before anything
//! is paid for, the images downloaded there and renamed to `-o`.

use std::path::{Path, PathBuf};

use nanobanana_api::error::ValidationError;
use nanobanana_api::tasks::SaveTo;
use nanobanana_api::{types, Error};

use crate::args::GenerateArgs;
use crate::error::CliError;
use crate::output::note;

/// Downloads the images of a completed `task` to `-o` or `--out-dir`.
pub async fn save(
    client: &nanobanana_api::NanoBanana,
    task: &types::TaskDetail,
    args: &GenerateArgs,
) -> Result<Vec<PathBuf>, CliError> {
    let dir = match (&args.output, &args.out_dir) {
        (Some(output), _) => output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        (None, Some(dir)) => dir.clone(),
        (None, None) => PathBuf::from("."),
    };
    let files = client
        .download(task, SaveTo::from(dir).overwrite(args.force))
        .await?;
    match &args.output {
        Some(output) => rename_to_output(files, output, args.force),
        None => Ok(files),
    }
}

/// Refuses an output path the image could not be saved to, before anything is paid for.
pub fn check_output(args: &GenerateArgs) -> Result<(), CliError> {
    if let Some(output) = &args.output {
        if output.is_dir() {
            return Err(CliError::WrongKind {
                flag: "-o",
                path: output.clone(),
                problem: "is a directory; give a file name (e.g. cat.png) or use --out-dir",
            });
        }
        if output.exists() && !args.force {
            return Err(CliError::Exists(output.clone()));
        }
        // The image is saved as the type the name says (converted when the service sends
        // another): a name of no image type would hold image bytes under a wrong extension.
        let extension = output
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if !matches!(extension.as_deref(), Some("png" | "jpg" | "jpeg" | "webp")) {
            return Err(CliError::Api(Error::Validation(ValidationError {
                field: "-o".into(),
                problem: format!("is `{}`, which is not an image file name", output.display()),
                limit: "a name ending in .png, .jpg, .jpeg or .webp (e.g. cat.png)".into(),
            })));
        }
    }
    if let Some(dir) = &args.out_dir {
        if dir.exists() && !dir.is_dir() {
            return Err(CliError::WrongKind {
                flag: "--out-dir",
                path: dir.clone(),
                problem: "names a file, not a directory; give a folder (created if needed)",
            });
        }
    }
    Ok(())
}

/// Renames downloaded files to `output` (then `output-1.ext`, …), keeping each file's type.
pub fn rename_to_output(
    files: Vec<PathBuf>,
    output: &Path,
    force: bool,
) -> Result<Vec<PathBuf>, CliError> {
    let mut renamed = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let target = if i == 0 {
            output.to_path_buf()
        } else {
            let stem = output
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Further images take the extension `output` asks for, or their own.
            let ext = output
                .extension()
                .or_else(|| file.extension())
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            output.with_file_name(format!("{stem}-{i}.{ext}"))
        };
        if target.exists() && !force {
            return Err(CliError::Exists(target));
        }
        match nanobanana_api::convert::save_as(&file, &target) {
            Ok(Some(from)) => note!(
                "the service returned a {from}: converted to the type {} asks for",
                target.display()
            ),
            Ok(None) => {}
            Err(e) => {
                note!("the image is saved as {}", file.display());
                return Err(e.into());
            }
        }
        renamed.push(target);
    }
    Ok(renamed)
}
