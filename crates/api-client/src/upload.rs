//! Images for image-to-image and editing. The generation call takes only image URLs, so a local
//! image is first uploaded to Evolink's file service and its `file_url` is sent instead.
//! [`ImageInput`] is either; [`NanoBanana::image_urls`] checks every input, then uploads the
//! local ones concurrently, and keeps the order.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::future::try_join_all;

use crate::classify::classify;
use crate::error::{ApiError, Error, Operation};
use crate::image_format::ImageFormat;
use crate::image_input::ImageInput;
use crate::lineup::{self, ModelLimits};
use crate::local_image::{
    check_local_image, CheckedImage, LocalImageError, LocalImageProblem, FILE_SERVICE,
    MAX_IMAGE_BYTES,
};
use crate::multipart_upload::{FilePart, HandWrittenOperations};
use crate::retry::with_retries;
use crate::validation::{check_image_url, Validate, ValidationError};
use crate::{types, NanoBanana};

/// Where and under what name the file service stores an upload; by default, its own choice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadOptions {
    upload_path: Option<String>,
    file_name: Option<String>,
}

impl UploadOptions {
    /// No folder and no name: the file service picks both.
    pub fn new() -> Self {
        Self::default()
    }

    /// A folder name to group uploads under (`upload_path`).
    pub fn with_upload_path(mut self, folder: impl Into<String>) -> Self {
        self.upload_path = Some(folder.into());
        self
    }

    /// The name to store the file under (`file_name`).
    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }
}

/// What happens to the local files of [`NanoBanana::image_urls_with`], for progress displays.
/// `index` is the file's position among the inputs.
#[derive(Debug)]
#[non_exhaustive]
pub enum UploadEvent<'a> {
    /// An upload of `path` has handed `sent` of its `total` bytes to the connection. Every
    /// attempt starts at 0, so a retried file counts up again.
    Sending {
        /// The file's position among the inputs.
        index: usize,
        /// The local file.
        path: &'a Path,
        /// Bytes handed to the connection so far in this attempt.
        sent: u64,
        /// The file's size.
        total: u64,
    },
    /// The file service stored `path` as `file`.
    Stored {
        /// The file's position among the inputs.
        index: usize,
        /// The local file.
        path: &'a Path,
        /// What the file service answered; `file.file_url` goes into `image_urls`.
        file: &'a types::UploadedFile,
    },
}

/// Called with the running count of bytes sent in an upload attempt.
type SentBytes = Arc<dyn Fn(u64) + Send + Sync>;

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

impl NanoBanana {
    /// Uploads the local image at `path` to the file service and returns the stored file;
    /// its `file_url` goes into `image_urls`. The file is checked first (exists, at most
    /// 20 MB, a JPEG, PNG, GIF or WebP image by its magic bytes) and then streamed, never read
    /// whole into memory. Retried like a task query (a repeated upload only uses quota).
    pub async fn upload_file(&self, path: impl AsRef<Path>) -> Result<types::UploadedFile, Error> {
        self.upload_file_with(path, &UploadOptions::default()).await
    }

    /// [`upload_file`](Self::upload_file) into a chosen folder or under a chosen name.
    pub async fn upload_file_with(
        &self,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<types::UploadedFile, Error> {
        let image = check_local_image(path.as_ref(), MAX_IMAGE_BYTES, FILE_SERVICE).await?;
        self.upload_checked(image, options, None).await
    }

    /// Uploads an image held in memory (`bytes`, a JPEG, PNG, GIF or WebP image by its magic
    /// bytes, at most 20 MB) as base64, and returns the stored file. Checked before sending,
    /// like [`upload_file`](Self::upload_file); retried like it.
    pub async fn upload_bytes(
        &self,
        bytes: &[u8],
        options: &UploadOptions,
    ) -> Result<types::UploadedFile, Error> {
        let name = options.file_name.clone().unwrap_or_else(|| "image".into());
        let fail = |problem| {
            Error::from(LocalImageError {
                path: PathBuf::from(format!("<{name} in memory>")),
                problem,
            })
        };
        let size = bytes.len() as u64;
        if size > MAX_IMAGE_BYTES {
            return Err(fail(LocalImageProblem::TooLarge {
                size,
                limit: MAX_IMAGE_BYTES,
                applies_to: FILE_SERVICE.into(),
            }));
        }
        let Some(format) = ImageFormat::sniff(bytes) else {
            let head = bytes[..bytes.len().min(ImageFormat::SNIFF_LEN)].to_vec();
            return Err(fail(LocalImageProblem::NotAnImage {
                head: crate::local_image::HexHead(head),
            }));
        };
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        let request = types::UploadFileBase64Request {
            // Never empty: a data URL always has its `data:` prefix.
            base64_data: format!("data:{};base64,{data}", format.mime_type())
                .parse()
                .expect("a data URL is never empty"),
            file_name: options.file_name.clone(),
            upload_path: options.upload_path.clone(),
        };
        let files = &self.inner.files;
        let uploaded = self
            .send_retried(Operation::Upload, || {
                files.upload_file_base64().body(request.clone()).send()
            })
            .await?;
        accepted(uploaded)
    }

    /// Has the file service fetch the image at `url` and store it like an upload.
    pub async fn upload_url(&self, url: &str) -> Result<types::UploadedFile, Error> {
        self.upload_url_with(url, &UploadOptions::default()).await
    }

    /// [`upload_url`](Self::upload_url) into a chosen folder or under a chosen name.
    pub async fn upload_url_with(
        &self,
        url: &str,
        options: &UploadOptions,
    ) -> Result<types::UploadedFile, Error> {
        let request = types::UploadFileUrlRequest {
            file_url: url.to_string(),
            file_name: options.file_name.clone(),
            upload_path: options.upload_path.clone(),
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
        self.image_urls_with(images, |_| {}).await
    }

    /// [`image_urls`](Self::image_urls), telling `on_event` how many bytes of each local file
    /// have been sent and when each is stored (for progress displays). Called from the tasks
    /// that send the files, so it should return quickly.
    ///
    /// ```no_run
    /// # async fn run(client: nanobanana_api::NanoBanana) -> Result<(), nanobanana_api::Error> {
    /// use nanobanana_api::upload::UploadEvent;
    /// let urls = client
    ///     .image_urls_with(["./photo.png", "https://example.com/style.png"], |event| {
    ///         match event {
    ///             UploadEvent::Sending { path, sent, total, .. } => {
    ///                 eprintln!("{}: {sent}/{total} bytes", path.display())
    ///             }
    ///             UploadEvent::Stored { path, file, .. } => {
    ///                 eprintln!("{} -> {}", path.display(), file.file_url)
    ///             }
    ///             _ => {}
    ///         }
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn image_urls_with<I, F>(&self, images: I, on_event: F) -> Result<Vec<String>, Error>
    where
        I: IntoIterator,
        I::Item: Into<ImageInput>,
        F: Fn(UploadEvent<'_>) + Send + Sync + 'static,
    {
        self.image_urls_for(&lineup::ANY_MODEL, images, on_event)
            .await
    }

    /// [`image_urls_with`](Self::image_urls_with) checked against one model's limits (how
    /// many images, how large), e.g. `lineup::checked_limits(&model)`.
    pub async fn image_urls_for<I, F>(
        &self,
        limits: &ModelLimits,
        images: I,
        on_event: F,
    ) -> Result<Vec<String>, Error>
    where
        I: IntoIterator,
        I::Item: Into<ImageInput>,
        F: Fn(UploadEvent<'_>) + Send + Sync + 'static,
    {
        let images: Vec<ImageInput> = images.into_iter().map(Into::into).collect();
        limits.check_image_count("image_urls", images.len())?;
        let (max_bytes, model) = (limits.max_image_bytes(), limits.name());
        let checks = images.iter().enumerate().map(|(i, image)| async move {
            match image {
                ImageInput::Url(url) => {
                    check_image_url(&format!("image_urls[{i}]"), url)?;
                    Ok(None)
                }
                ImageInput::File(path) => check_generation_image(path, max_bytes, model)
                    .await
                    .map(Some),
            }
        });
        let checked: Vec<Option<CheckedImage>> = try_join_all(checks).await?;
        let on_event = Arc::new(on_event);
        let options = &UploadOptions::default();
        let resolved =
            images
                .into_iter()
                .zip(checked)
                .enumerate()
                .map(|(index, (image, checked))| {
                    let on_event = Arc::clone(&on_event);
                    async move {
                        match (image, checked) {
                            (_, Some(checked)) => {
                                let path = checked.path.clone();
                                let total = checked.size;
                                let sent: SentBytes = {
                                    let (on_event, path) = (Arc::clone(&on_event), path.clone());
                                    Arc::new(move |sent| {
                                        let path = &path;
                                        on_event(UploadEvent::Sending {
                                            index,
                                            path,
                                            sent,
                                            total,
                                        })
                                    })
                                };
                                let file =
                                    self.upload_checked(checked, options, Some(sent)).await?;
                                on_event(UploadEvent::Stored {
                                    index,
                                    path: &path,
                                    file: &file,
                                });
                                Ok::<_, Error>(file.file_url)
                            }
                            (ImageInput::Url(url), None) => Ok(url),
                            (ImageInput::File(path), None) => unreachable!("{path:?} was checked"),
                        }
                    }
                });
        try_join_all(resolved).await
    }

    /// `request` with `image_urls` set from `images` (local files uploaded first), checked
    /// against the request's model: how a request builder takes [`ImageInput`]s.
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
        let mut request = types::ImageGenerationRequest::try_from(request)
            .map_err(|e| ValidationError::new("request", e.to_string(), "a prompt and a model"))?;
        let limits = lineup::checked_limits(&request.model);
        request.image_urls = self.image_urls_for(limits, images, |_| {}).await?;
        Ok(request.into())
    }

    async fn upload_checked(
        &self,
        image: CheckedImage,
        options: &UploadOptions,
        on_sent: Option<SentBytes>,
    ) -> Result<types::UploadedFile, Error> {
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
            let (name, mime) = (file_name.clone(), format.mime_type());
            let part = match &on_sent {
                None => FilePart::from_file(file, size, name, mime),
                Some(on_sent) => {
                    let on_sent = Arc::clone(on_sent);
                    FilePart::from_file_with_progress(file, size, name, mime, move |n| on_sent(n))
                }
            };
            let mut form = inner.files.upload_file_stream().file(part);
            if let Some(folder) = &options.upload_path {
                form = form.upload_path(folder.clone());
            }
            if let Some(name) = &options.file_name {
                form = form.file_name(name.clone());
            }
            match form.send().await {
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
