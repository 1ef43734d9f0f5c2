//! [`NanoBanana`]: the client most code wants, and the methods that are the client's own (the
//! others stand beside what they do: [`files`](NanoBanana::files) in `files/service.rs`,
//! [`wait`](NanoBanana::wait) in `tasks/waiting.rs`, [`generate_many`](NanoBanana::generate_many)
//! in `tasks/batch.rs`).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::config::client_config::ClientConfig;
use crate::config::poll::PollSchedule;
use crate::config::retry::RetryPolicy;
use crate::error::classify::{classify, ErrorBody};
use crate::error::validation::ValidationError;
use crate::error::{Error, Operation};
use crate::generated::{Client, Error as GeneratedError, ResponseValue};
use crate::observer::{Event, Observer, RetryEvent};
use crate::request::ImageRequest;
use crate::tasks::download::ResultDownloader;
use crate::tasks::saved::{SaveTo, Saved};
use crate::tasks::CreatedTask;
use crate::transport::{with_retries, RateLimitGate};
use crate::types;
use crate::types::validate::Validate;

/// The high-level client. Cheap to clone: clones share one connection pool and one rate-limit
/// gate, so a 429 seen by one call slows all of them.
///
/// ```no_run
/// # async fn run() -> Result<(), nanobanana_api::Error> {
/// use nanobanana_api::{ImageRequest, NanoBanana};
/// let client = NanoBanana::from_env()?;
/// let request = ImageRequest::new("gemini-3.1-flash-image-preview", "a cat playing on the grass");
/// let generated = client.generate(request, "out").await?;
/// println!("{:?}", generated.files);
/// # Ok(()) }
/// ```
///
/// For calls this layer does not wrap, the generated client is built from the same
/// configuration: [`ClientConfig::build`](crate::config::ClientConfig::build).
#[derive(Clone)]
pub struct NanoBanana {
    pub(crate) inner: Arc<Inner>,
    /// Who hears about uploads, polls and batch items ([`NanoBanana::observe`]).
    pub(crate) observer: Option<Observer>,
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
    /// The tasks this client created, for waits that start from their id.
    pub(crate) known: crate::tasks::known::KnownTasks,
}

/// The task ids the service answers start with `task-unified-` (the spec's `pattern`; the
/// service refuses others with a 400).
pub(crate) fn check_task_id(task_id: &str) -> Result<(), ValidationError> {
    if task_id
        .strip_prefix("task-unified-")
        .is_some_and(|rest| !rest.is_empty())
    {
        return Ok(());
    }
    Err(ValidationError::new(
        "task_id",
        format!("is `{}`", task_id.chars().take(80).collect::<String>()),
        "a task id as the create call returns it, starting with task-unified-",
    ))
}

impl fmt::Debug for NanoBanana {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::generated::ClientInfo as _;
        f.debug_struct("NanoBanana")
            .field("base_url", &self.inner.api.baseurl())
            .field("files_base_url", &self.inner.files.baseurl())
            .field("retry", &self.inner.retry)
            .field("deadline", &self.inner.deadline)
            .field("observed", &self.observer.is_some())
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
                // A result is requested as often as the retry policy allows a call.
                downloader: ResultDownloader::new(config.download_http_client()?)
                    .with_attempts(config.retry.max_attempts),
                retry: config.retry.clone(),
                gate: RateLimitGate::default(),
                deadline: config.deadline,
                poll: config.poll.clone(),
                known: Default::default(),
            }),
            observer: None,
        })
    }

    /// A client configured from the environment: `EVOLINK_API_KEY`, and optionally
    /// `EVOLINK_BASE_URL` and `EVOLINK_FILES_BASE_URL` (see [`ClientConfig::from_env`](crate::config::ClientConfig::from_env)).
    pub fn from_env() -> Result<Self, Error> {
        Self::new(&ClientConfig::from_env()?)
    }

    /// This client (sharing its connections and rate-limit gate) reporting every upload,
    /// task query and batch item to `observer`, for progress displays.
    pub fn observe(&self, observer: Observer) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            observer: Some(observer),
        }
    }

    /// Checks `request` against its model's limits, uploads its local files, and creates the
    /// task, sent with an `Idempotency-Key` (the request's own, else a new random one) that every
    /// retry of this create keeps. Retried when the API certainly did not create it (429, 503,
    /// connection refused) and, with the same key, when its answer was lost (a timeout after
    /// sending, a connection closed before the answer: the service answers the task the first
    /// submission created, [`CreatedTask::replayed`], reported as [`Event::Replayed`]), as the
    /// [`RetryPolicy`] allows. The task is then followed with [`wait`](Self::wait), or a callback.
    pub async fn create(&self, request: impl Into<ImageRequest>) -> Result<CreatedTask, Error> {
        let checked = request.into().checked().await?;
        let key = checked
            .idempotency_key
            .clone()
            .unwrap_or_else(crate::idempotency::new_idempotency_key);
        let request = self.with_uploads(checked).await?;
        self.send_create(request, key).await
    }

    /// Check → upload local files → create → wait → download into `to` (a directory, or a
    /// [`SaveTo`]): an image on disk in one call.
    pub async fn generate(
        &self,
        request: impl Into<ImageRequest>,
        to: impl Into<SaveTo>,
    ) -> Result<Saved, Error> {
        let created = self.create(request).await?;
        let task = self.wait(&created).await?;
        let files = self.download(&task, to).await?;
        Ok(Saved { task, files })
    }

    /// Queries a task, retrying every transient failure. An id that is not one the create call
    /// returns (`task-unified-…`) is refused before sending.
    pub async fn get_task(&self, task_id: &str) -> Result<types::TaskDetail, Error> {
        check_task_id(task_id)?;
        let api = &self.inner.api;
        self.send_retried(Operation::GetTask, || {
            api.get_task_detail().task_id(task_id).send()
        })
        .await
    }

    /// Saves every result of a completed `task` into `to` (a directory, created if needed, or
    /// a [`SaveTo`]) as `<task_id>-<n>.<ext>`: streamed, checked, resumed after a broken
    /// transfer, never left half-written under its final name.
    pub async fn download(
        &self,
        task: &types::TaskDetail,
        to: impl Into<SaveTo>,
    ) -> Result<Vec<std::path::PathBuf>, Error> {
        let to = to.into();
        let downloader = &self.inner.downloader;
        if to.overwrites() {
            downloader
                .clone()
                .with_overwrite(true)
                .download(task, to.dir())
                .await
        } else {
            downloader.download(task, to.dir()).await
        }
    }

    /// The account's remaining and used credits (and those of this API key).
    pub async fn credits(&self) -> Result<types::CreditsResponse, Error> {
        let api = &self.inner.api;
        self.send_retried(Operation::GetCredits, || api.get_credits().send())
            .await
    }

    /// Creates a checked, complete request with the `Idempotency-Key` `key`, kept across every
    /// retry.
    pub(crate) async fn send_create(
        &self,
        request: types::ImageGenerationRequest,
        key: String,
    ) -> Result<CreatedTask, Error> {
        request.validate()?;
        let api = &self.inner.api;
        let (task, replayed) = self
            .send_retried_answer(
                Operation::CreateTask,
                || {
                    api.create_image_generation()
                        .idempotency_key(key.as_str())
                        .body(request.clone())
                        .send()
                },
                |answer| {
                    let replayed = answer
                        .headers()
                        .get(crate::idempotency::REPLAYED_HEADER)
                        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
                    (answer.into_inner(), replayed)
                },
            )
            .await?;
        let created = CreatedTask {
            task,
            idempotency_key: key,
            replayed,
        };
        if replayed {
            tracing::info!(task_id = %created.id, "create answered by replay: the task an earlier submission with the same Idempotency-Key created");
            self.notify(&Event::Replayed(&created));
        }
        let handle = crate::tasks::TaskHandle::from(&created);
        self.inner.known.remember(
            &created.id,
            crate::tasks::known::Known {
                estimate: handle.estimate,
                created_at: handle.created_at,
            },
        );
        Ok(created)
    }

    /// The API's base URL, as configured.
    pub(crate) fn base_url(&self) -> &str {
        use crate::generated::ClientInfo as _;
        self.inner.api.baseurl()
    }

    /// Tells the observer, if any.
    pub(crate) fn notify(&self, event: &Event<'_>) {
        if let Some(observer) = &self.observer {
            observer.notify(event);
        }
    }

    /// What [`with_retries`] calls before each retry: tells the observer, if any.
    pub(crate) fn retry_notice(
        &self,
        operation: Operation,
    ) -> impl Fn(usize, Duration, &Error) + '_ {
        move |attempt, delay, error| {
            if self.observer.is_none() {
                return;
            }
            let base_url = self.base_url_of(operation);
            self.notify(&Event::Retry(RetryEvent {
                operation,
                base_url,
                attempt,
                max_attempts: self.inner.retry.max_attempts,
                delay,
                error,
            }));
        }
    }

    /// Sends a generated operation with this client's retries and rate-limit gate; failures
    /// are classified as `operation`'s (which decides whether retrying is safe).
    pub(crate) async fn send_retried<T, E, F, Fut>(
        &self,
        operation: Operation,
        send: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, GeneratedError<E>>>,
        E: ErrorBody,
    {
        self.send_retried_answer(operation, send, ResponseValue::into_inner)
            .await
    }

    /// [`send_retried`](Self::send_retried), reading what it needs of the successful answer
    /// (its headers too) with `read`.
    pub(crate) async fn send_retried_answer<T, U, E, F, Fut>(
        &self,
        operation: Operation,
        mut send: F,
        read: impl Fn(ResponseValue<T>) -> U,
    ) -> Result<U, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, GeneratedError<E>>>,
        E: ErrorBody,
    {
        let inner = &self.inner;
        let read = &read;
        with_retries(
            &inner.retry,
            &inner.gate,
            operation,
            self.retry_notice(operation),
            || {
                let sent = send();
                async move {
                    match sent.await {
                        Ok(response) => Ok(read(response)),
                        Err(e) => Err(classify(operation, e).await),
                    }
                }
            },
        )
        .await
        .map_err(|mut error| {
            if let Some(api) = error.api_error_mut() {
                api.server = server_of(self.base_url_of(operation));
            }
            error
        })
    }

    /// The base URL `operation` is sent to: the file service's or the API's.
    pub(crate) fn base_url_of(&self, operation: Operation) -> &str {
        use crate::generated::ClientInfo as _;
        match operation {
            Operation::Upload
            | Operation::FilesQuota
            | Operation::ListFiles
            | Operation::DeleteFile => self.inner.files.baseurl(),
            _ => self.base_url(),
        }
    }
}

/// `host[:port]` of a base URL, for messages.
fn server_of(base_url: &str) -> Option<String> {
    let url = reqwest::Url::parse(base_url).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}
