//! Images for image-to-image and editing. The generation call takes only image URLs, so a local
//! image is first uploaded to Evolink's file service and its `file_url` is sent instead.
//! [`ImageInput`] is either; [`NanoBanana::image_urls`] checks every input, then uploads the
//! local ones concurrently, and keeps the order.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use futures_util::future::try_join_all;

use crate::classify::classify;
use crate::error::{ApiError, Error, Operation};
use crate::image_format::ImageFormat;
use crate::local_image::{check_local_image, CheckedImage, LocalImageError, LocalImageProblem};
use crate::multipart_upload::{FilePart, HandWrittenOperations};
use crate::retry::with_retries;
use crate::validation::{check_image_url, Validate, ValidationError, MAX_IMAGE_URLS};
use crate::{types, NanoBanana};

/// An input image: a URL the API downloads itself, or a local file to upload first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageInput {
    /// An `http(s)` URL, passed through unchanged.
    Url(String),
    /// A local file, uploaded to the file service before the request is sent.
    File(PathBuf),
}

impl ImageInput {
    /// `http://…` and `https://…` are URLs; anything else is a local path (`./photo.png`,
    /// `C:\photo.png`, `photo.png`).
    pub fn parse(text: &str) -> Self {
        let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Url(text.to_string())
        } else {
            Self::File(PathBuf::from(text))
        }
    }
}

impl FromStr for ImageInput {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        Ok(Self::parse(text))
    }
}

impl From<&str> for ImageInput {
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl From<String> for ImageInput {
    fn from(text: String) -> Self {
        Self::parse(&text)
    }
}

impl From<&Path> for ImageInput {
    fn from(path: &Path) -> Self {
        Self::File(path.to_path_buf())
    }
}

impl From<PathBuf> for ImageInput {
    fn from(path: PathBuf) -> Self {
        Self::File(path)
    }
}

/// The image types the generation call takes (the file service also stores GIF).
const GENERATION_FORMATS: [ImageFormat; 3] =
    [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP];

impl NanoBanana {
    /// Uploads the local image at `path` to the file service and returns the stored file;
    /// its `file_url` goes into `image_urls`. The file is checked first (exists, at most
    /// 10 MB, a JPEG, PNG, GIF or WebP image by its magic bytes) and then streamed, never read
    /// whole into memory. Retried like a task query (a repeated upload only uses quota).
    pub async fn upload_file(&self, path: impl AsRef<Path>) -> Result<types::UploadedFile, Error> {
        let image = check_local_image(path.as_ref()).await?;
        self.upload_checked(image).await
    }

    /// Has the file service fetch the image at `url` and store it like an upload.
    pub async fn upload_url(&self, url: &str) -> Result<types::UploadedFile, Error> {
        let request = types::UploadFileUrlRequest {
            file_url: url.to_string(),
            file_name: None,
            upload_path: None,
        };
        request.validate()?;
        let files = &self.inner.files;
        let uploaded = self
            .send_retried(Operation::Upload, || {
                files.upload_file_url().body(request.clone()).send()
            })
            .await?;
        accepted(uploaded)
    }

    /// The URLs to send as `image_urls` for `images`, in order: URLs are checked and passed
    /// through, local files are checked, then uploaded concurrently. Nothing is uploaded
    /// unless every input passes its checks.
    pub async fn image_urls<I>(&self, images: I) -> Result<Vec<String>, Error>
    where
        I: IntoIterator,
        I::Item: Into<ImageInput>,
    {
        self.image_urls_with(images, |_, _| {}).await
    }

    /// [`image_urls`](Self::image_urls), calling `on_uploaded` as each local file is stored
    /// (for progress displays).
    pub async fn image_urls_with<I, F>(
        &self,
        images: I,
        on_uploaded: F,
    ) -> Result<Vec<String>, Error>
    where
        I: IntoIterator,
        I::Item: Into<ImageInput>,
        F: Fn(&Path, &types::UploadedFile),
    {
        let images: Vec<ImageInput> = images.into_iter().map(Into::into).collect();
        if images.len() > MAX_IMAGE_URLS {
            return Err(ValidationError::new(
                "image_urls",
                format!("has {} items", images.len()),
                format!("at most {MAX_IMAGE_URLS} images per request"),
            )
            .into());
        }
        let checks = images.iter().enumerate().map(|(i, image)| async move {
            match image {
                ImageInput::Url(url) => {
                    check_image_url(&format!("image_urls[{i}]"), url)?;
                    Ok(None)
                }
                ImageInput::File(path) => {
                    let checked = check_local_image(path).await?;
                    if !GENERATION_FORMATS.contains(&checked.format) {
                        return Err(Error::from(LocalImageError {
                            path: path.clone(),
                            problem: LocalImageProblem::NotForGeneration(checked.format),
                        }));
                    }
                    Ok(Some(checked))
                }
            }
        });
        let checked: Vec<Option<CheckedImage>> = try_join_all(checks).await?;
        let on_uploaded = &on_uploaded;
        let resolved = images
            .into_iter()
            .zip(checked)
            .map(|(image, checked)| async move {
                match (image, checked) {
                    (_, Some(checked)) => {
                        let path = checked.path.clone();
                        let uploaded = self.upload_checked(checked).await?;
                        on_uploaded(&path, &uploaded);
                        Ok::<_, Error>(uploaded.file_url)
                    }
                    (ImageInput::Url(url), None) => Ok(url),
                    (ImageInput::File(path), None) => unreachable!("{path:?} was checked"),
                }
            });
        try_join_all(resolved).await
    }

    /// `request` with `image_urls` set from `images` (local files uploaded first): how a
    /// request builder takes [`ImageInput`]s.
    ///
    /// ```no_run
    /// # async fn run(client: nanobanana_api::NanoBanana) -> Result<(), nanobanana_api::Error> {
    /// use nanobanana_api::types;
    /// let request = types::ImageGenerationRequest::builder()
    ///     .model(types::ImageModel::NanoBanana2Lite)
    ///     .prompt("make it a watercolor");
    /// let request = client.with_images(request, ["./photo.png"]).await?;
    /// client.generate(request, "out").await?;
    /// # Ok(()) }
    /// ```
    pub async fn with_images<I>(
        &self,
        request: types::builder::ImageGenerationRequest,
        images: I,
    ) -> Result<types::builder::ImageGenerationRequest, Error>
    where
        I: IntoIterator,
        I::Item: Into<ImageInput>,
    {
        let urls = self.image_urls(images).await?;
        Ok(request.image_urls(urls))
    }

    async fn upload_checked(&self, image: CheckedImage) -> Result<types::UploadedFile, Error> {
        let CheckedImage {
            path,
            file,
            size,
            format,
            file_name,
        } = image;
        // The first attempt streams the file opened by the checks; a retry opens it again.
        let opened = Mutex::new(Some(file));
        let inner = &self.inner;
        let uploaded = with_retries(&inner.retry, &inner.gate, Operation::Upload, || async {
            let reuse = opened.lock().map(|mut slot| slot.take()).unwrap_or(None);
            let file = match reuse {
                Some(file) => file,
                None => tokio::fs::File::open(&path)
                    .await
                    .map_err(|source| Error::Io {
                        action: "cannot open the image again to retry its upload",
                        path: path.clone(),
                        source,
                    })?,
            };
            let part = FilePart::from_file(file, size, file_name.clone(), format.mime_type());
            match inner.files.upload_file_stream().file(part).send().await {
                Ok(response) => Ok(response.into_inner()),
                Err(e) => Err(classify(Operation::Upload, e).await),
            }
        })
        .await?;
        accepted(uploaded)
    }
}

/// The stored file of a 200 answer, unless the body says the upload failed.
fn accepted(response: types::FileUploadResponse) -> Result<types::UploadedFile, Error> {
    if response.success == Some(false) {
        return Err(Error::from_api(ApiError {
            operation: Operation::Upload,
            status: response
                .code
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(200),
            error_type: None,
            code: response.code.map(types::ErrorCode::Integer),
            message: response.msg,
            param: None,
            fallback_suggestion: None,
            retry_after: None,
        }));
    }
    response.validate()?;
    Ok(response.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths_are_told_apart_by_scheme() {
        assert_eq!(
            ImageInput::parse("https://e.com/a.png"),
            ImageInput::Url("https://e.com/a.png".into())
        );
        assert_eq!(
            ImageInput::parse("HTTP://e.com/a.png"),
            ImageInput::Url("HTTP://e.com/a.png".into())
        );
        for path in [
            "./photo.png",
            "photo.png",
            "/tmp/a.jpg",
            "http.png",
            "ftp://x/a.png",
        ] {
            assert_eq!(
                ImageInput::parse(path),
                ImageInput::File(path.into()),
                "{path}"
            );
        }
    }
}
