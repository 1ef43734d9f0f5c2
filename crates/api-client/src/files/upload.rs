//! Uploading to Evolink's file service. The generation call takes only image URLs, so a local
//! image of a request is uploaded first and its `file_url` sent instead;
//! [`Files::upload`](crate::files::Files::upload) does one upload on its own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::future::try_join_all;

use crate::client::NanoBanana;
use crate::error::classify::classify;
use crate::error::local_image::{HexHead, LocalImageError, LocalImageProblem};
use crate::error::{ApiError, Error, Operation};
use crate::files::image_format::ImageFormat;
use crate::files::local_image::{
    check_generation_image, check_local_image, CheckedImage, FILE_SERVICE, MAX_IMAGE_BYTES,
};
use crate::image_input::ImageInput;
use crate::lineup::ModelLimits;
use crate::observer::{Event, UploadEvent};
use crate::raw::multipart_upload::FilePart;
use crate::request::CheckedRequest;
use crate::transport::with_retries;
use crate::types;
use crate::types::validate::request::check_image_url;
use crate::types::validate::Validate;

/// Called with the running count of bytes sent in an upload attempt.
type SentBytes = Arc<dyn Fn(u64) + Send + Sync>;

/// What [`Files::upload`](crate::files::Files::upload) stores: a local file, bytes in memory or a URL, and optionally
/// the folder and name the file service stores it under (by default, its own choice).
///
/// ```
/// use nanobanana_api::files::Upload;
/// let from_disk = Upload::from(std::path::Path::new("photo.png")).file_name("cat.png");
/// let from_memory = Upload::bytes(vec![0x89, b'P', b'N', b'G']).upload_path("avatars");
/// let from_the_web = Upload::url("https://example.com/photo.png");
/// # let _ = (from_disk, from_memory, from_the_web);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    source: Source,
    upload_path: Option<String>,
    file_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
    Url(String),
}

impl Upload {
    /// A local image file.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Self::of(Source::File(path.as_ref().to_path_buf()))
    }

    /// An image held in memory (sent as base64).
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self::of(Source::Bytes(bytes.into()))
    }

    /// An image the file service downloads from `url` itself.
    pub fn url(url: impl Into<String>) -> Self {
        Self::of(Source::Url(url.into()))
    }

    /// A folder to group the file under.
    pub fn upload_path(mut self, folder: impl Into<String>) -> Self {
        self.upload_path = Some(folder.into());
        self
    }

    /// The name to store the file under.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    fn of(source: Source) -> Self {
        Self {
            source,
            upload_path: None,
            file_name: None,
        }
    }
}

impl From<&Path> for Upload {
    fn from(path: &Path) -> Self {
        Self::file(path)
    }
}

impl From<PathBuf> for Upload {
    fn from(path: PathBuf) -> Self {
        Self::file(path)
    }
}

impl From<&PathBuf> for Upload {
    fn from(path: &PathBuf) -> Self {
        Self::file(path)
    }
}

/// A URL or a local file, as [`ImageInput`] tells them apart.
impl From<ImageInput> for Upload {
    fn from(input: ImageInput) -> Self {
        match input {
            ImageInput::Url(url) => Self::url(url),
            ImageInput::File(path) => Self::file(path),
        }
    }
}

impl NanoBanana {
    /// One upload: what [`Files::upload`](crate::files::Files::upload) does.
    pub(crate) async fn upload(
        &self,
        upload: impl Into<Upload>,
    ) -> Result<types::UploadedFile, Error> {
        let Upload {
            source,
            upload_path,
            file_name,
        } = upload.into();
        match source {
            Source::File(path) => {
                let image = check_local_image(&path, MAX_IMAGE_BYTES, FILE_SERVICE).await?;
                let total = image.size;
                let sent: SentBytes = {
                    let (this, path) = (self.clone(), path.clone());
                    Arc::new(move |sent| {
                        this.notify(&Event::Upload(UploadEvent::Sending {
                            index: 0,
                            path: &path,
                            sent,
                            total,
                        }))
                    })
                };
                let file = self
                    .upload_checked(image, upload_path, file_name, Some(sent))
                    .await?;
                self.notify(&Event::Upload(UploadEvent::Stored {
                    index: 0,
                    path: &path,
                    file: &file,
                }));
                Ok(file)
            }
            Source::Bytes(bytes) => self.upload_bytes(&bytes, upload_path, file_name).await,
            Source::Url(url) => {
                let request = types::UploadFileUrlRequest {
                    file_url: url,
                    file_name,
                    upload_path,
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
        }
    }

    /// `checked`'s request, ready to create: its local files uploaded (each reported to the
    /// observer) and every input in `image_urls`, in order.
    pub(crate) async fn with_uploads(
        &self,
        checked: CheckedRequest,
    ) -> Result<types::ImageGenerationRequest, Error> {
        let CheckedRequest {
            mut request,
            images,
            limits,
            ..
        } = checked;
        if images.iter().any(|i| matches!(i, ImageInput::File(_))) {
            request.image_urls = self.image_urls_for(limits, images).await?;
            request.validate()?;
        }
        Ok(request)
    }

    /// An image held in memory, sent as base64 (a data URL).
    async fn upload_bytes(
        &self,
        bytes: &[u8],
        upload_path: Option<String>,
        file_name: Option<String>,
    ) -> Result<types::UploadedFile, Error> {
        let name = file_name.clone().unwrap_or_else(|| "image".into());
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
                head: HexHead(head),
            }));
        };
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        let request = types::UploadFileBase64Request {
            // Never empty: a data URL always has its `data:` prefix.
            base64_data: format!("data:{};base64,{data}", format.mime_type())
                .parse()
                .expect("a data URL is never empty"),
            file_name,
            upload_path,
        };
        let files = &self.inner.files;
        let uploaded = self
            .send_retried(Operation::Upload, || {
                files.upload_file_base64().body(request.clone()).send()
            })
            .await?;
        accepted(uploaded)
    }

    /// The URLs to send as `image_urls` for `images`, in order, checked against `limits`:
    /// URLs are checked and passed through, local files are checked, then uploaded
    /// concurrently (each reported to the observer). Nothing is uploaded unless every input
    /// passes its checks.
    pub(crate) async fn image_urls_for(
        &self,
        limits: &ModelLimits,
        images: Vec<ImageInput>,
    ) -> Result<Vec<String>, Error> {
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
        let this = self.clone();
        let on_event = Arc::new(move |event: UploadEvent<'_>| this.notify(&Event::Upload(event)));
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
                                    self.upload_checked(checked, None, None, Some(sent)).await?;
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

    async fn upload_checked(
        &self,
        image: CheckedImage,
        upload_path: Option<String>,
        stored_name: Option<String>,
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
        let on_retry = self.retry_notice(Operation::Upload);
        let uploaded = with_retries(
            &inner.retry,
            &inner.gate,
            Operation::Upload,
            on_retry,
            || async {
                let reuse = opened.lock().map(|mut slot| slot.take()).unwrap_or(None);
                let file = match reuse {
                    Some(file) => file,
                    None => crate::files::local_image::open_regular_file(&path)
                        .await
                        .map(|(file, _)| file)
                        .map_err(|problem| {
                            Error::from(LocalImageError {
                                path: path.clone(),
                                problem,
                            })
                        })?,
                };
                let (name, mime) = (file_name.clone(), format.mime_type());
                let part = match &on_sent {
                    None => FilePart::from_file(file, size, name, mime),
                    Some(on_sent) => {
                        let on_sent = Arc::clone(on_sent);
                        FilePart::from_file_with_progress(file, size, name, mime, move |n| {
                            on_sent(n)
                        })
                    }
                };
                let mut form = inner.files.upload_file_stream().file(part);
                if let Some(folder) = &upload_path {
                    form = form.upload_path(folder.clone());
                }
                if let Some(name) = &stored_name {
                    form = form.file_name(name.clone());
                }
                match form.send().await {
                    Ok(response) => Ok(response.into_inner()),
                    Err(e) => Err(classify(Operation::Upload, e).await),
                }
            },
        )
        .await?;
        accepted(uploaded)
    }
}

/// The stored file of a 200 answer, unless the body says the upload failed.
fn accepted(response: types::FileUploadResponse) -> Result<types::UploadedFile, Error> {
    if response.success == Some(false) {
        return Err(refused(Operation::Upload, response.code, response.msg));
    }
    response.validate()?;
    Ok(response.data)
}

/// A 200 answer of the file service whose body says `success: false`: the error its `code`
/// (the status it stands for) and `msg` describe.
pub(crate) fn refused(operation: Operation, code: Option<i64>, msg: Option<String>) -> Error {
    Error::from_api(ApiError {
        operation,
        status: code.and_then(|c| u16::try_from(c).ok()).unwrap_or(200),
        error_type: None,
        code: code.map(types::ErrorCode::Integer),
        message: msg,
        param: None,
        fallback_suggestion: None,
        retry_after: None,
        request_id: None,
        server: None,
        detail: Default::default(),
    })
}
