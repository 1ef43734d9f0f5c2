//! [`NanoBanana`]: the client most code wants. Validation before sending, retries that never
//! bill twice, waiting, downloading, and the one-call [`generate`](NanoBanana::generate).

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::classify::{classify, conversion_error, ErrorBody};
use crate::client_config::ClientConfig;
use crate::download::ResultDownloader;
use crate::error::{Error, Operation};
use crate::generated::{Error as GeneratedError, ResponseValue};
use crate::retry::{with_retries, RateLimitGate, RetryPolicy};
use crate::validation::Validate;
use crate::waiting::{PollSchedule, TaskHandle};
use crate::{types, Client};

/// The high-level client. Cheap to clone: clones share one connection pool and one rate-limit
/// gate, so a 429 seen by one call slows all of them.
///
/// ```no_run
/// # async fn run() -> Result<(), nanobanana_api::Error> {
/// use nanobanana_api::{types, NanoBanana};
/// let client = NanoBanana::from_env()?;
/// let request = types::ImageGenerationRequest::builder()
///     .model(types::ImageModel::NanoBanana2Lite)
///     .prompt("a cat playing on the grass");
/// let generated = client.generate(request, "out").await?;
/// println!("{:?}", generated.files);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct NanoBanana {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: Client,
    /// The same generated client type, aimed at the file service.
    pub(crate) files: Client,
    pub(crate) downloader: ResultDownloader,
    pub(crate) retry: RetryPolicy,
    pub(crate) gate: RateLimitGate,
    pub(crate) deadline: Option<Duration>,
    pub(crate) poll: PollSchedule,
}

/// A finished generation: the completed task and the image files saved from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// The completed task, with its `results` URLs.
    pub task: types::TaskDetail,
    /// The saved images, in the order of `results`.
    pub files: Vec<PathBuf>,
}

impl fmt::Debug for NanoBanana {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NanoBanana")
            .field(
                "base_url",
                &crate::raw::ClientInfo::baseurl(&self.inner.api),
            )
            .field(
                "files_base_url",
                &crate::raw::ClientInfo::baseurl(&self.inner.files),
            )
            .field("retry", &self.inner.retry)
            .field("deadline", &self.inner.deadline)
            .finish_non_exhaustive()
    }
}

impl NanoBanana {
    /// A client with `config`.
    pub fn new(config: &ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            inner: Arc::new(Inner {
                api: config.build()?,
                files: config.build_files()?,
                downloader: ResultDownloader::new(config.download_http_client()?),
                retry: config.retry.clone(),
                gate: RateLimitGate::default(),
                deadline: config.deadline,
                poll: config.poll.clone(),
            }),
        })
    }

    /// A client configured from `EVOLINK_API_KEY` and `EVOLINK_BASE_URL`.
    pub fn from_env() -> Result<Self, Error> {
        Self::new(&ClientConfig::from_env()?)
    }

    /// The generated client underneath, for calls this layer does not wrap.
    pub fn api(&self) -> &Client {
        &self.inner.api
    }

    /// The generated client aimed at the file service (`upload_file_url`, and the
    /// hand-written `upload_file_stream` of [`HandWrittenOperations`](crate::multipart_upload::HandWrittenOperations)).
    pub fn files_api(&self) -> &Client {
        &self.inner.files
    }

    /// The downloader [`download`](Self::download) uses, to configure and use directly.
    pub fn downloader(&self) -> &ResultDownloader {
        &self.inner.downloader
    }

    /// Creates a task after checking `request` against every documented limit. Retried only
    /// when the API certainly did not create it (429, 503, connection refused).
    pub async fn create<R>(&self, request: R) -> Result<types::ImageGenerationResponse, Error>
    where
        R: TryInto<types::ImageGenerationRequest>,
        R::Error: fmt::Display,
    {
        let request = request
            .try_into()
            .map_err(|e| conversion_error(e.to_string()))?;
        request.validate()?;
        let api = &self.inner.api;
        self.send_retried(Operation::CreateTask, || {
            api.create_image_generation().body(request.clone()).send()
        })
        .await
    }

    /// Queries a task, retrying every transient failure.
    pub async fn get_task(&self, task_id: &str) -> Result<types::TaskDetail, Error> {
        let api = &self.inner.api;
        self.send_retried(Operation::GetTask, || {
            api.get_task_detail().task_id(task_id).send()
        })
        .await
    }

    /// The account's remaining and used credits (and those of this API key).
    pub async fn credits(&self) -> Result<types::CreditsResponse, Error> {
        let api = &self.inner.api;
        self.send_retried(Operation::GetCredits, || api.get_credits().send())
            .await
    }

    /// How many files the account stores on the file service and may still upload (uploads
    /// count until they expire, 72 h after upload).
    pub async fn files_quota(&self) -> Result<types::FilesQuota, Error> {
        let files = &self.inner.files;
        let answer = self
            .send_retried(Operation::FilesQuota, || files.get_files_quota().send())
            .await?;
        Ok(answer.data)
    }

    /// Saves every result of a completed `task` into `dir` as `<task_id>-<n>.<ext>`.
    pub async fn download(
        &self,
        task: &types::TaskDetail,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<PathBuf>, Error> {
        self.inner.downloader.download(task, dir.as_ref()).await
    }

    /// Validate → create → wait → download into `dir`: an image on disk in one call.
    pub async fn generate<R>(&self, request: R, dir: impl AsRef<Path>) -> Result<Saved, Error>
    where
        R: TryInto<types::ImageGenerationRequest>,
        R::Error: fmt::Display,
    {
        let created = self.create(request).await?;
        self.finish(TaskHandle::from(&created), dir.as_ref()).await
    }

    /// Sends a generated operation with this client's retries and rate-limit gate; failures
    /// are classified as `operation`'s (which decides whether retrying is safe).
    pub(crate) async fn send_retried<T, E, F, Fut>(
        &self,
        operation: Operation,
        mut send: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, GeneratedError<E>>>,
        E: ErrorBody,
    {
        let inner = &self.inner;
        with_retries(&inner.retry, &inner.gate, operation, || {
            let sent = send();
            async move {
                match sent.await {
                    Ok(response) => Ok(response.into_inner()),
                    Err(e) => Err(classify(operation, e).await),
                }
            }
        })
        .await
    }

    /// Wait for a created task and download its results.
    pub(crate) async fn finish(&self, task: TaskHandle, dir: &Path) -> Result<Saved, Error> {
        let task = self.wait(task).await?;
        let files = self.download(&task, dir).await?;
        Ok(Saved { task, files })
    }
}
