//! [`Tasks`]: finding tasks again behind one accessor, [`NanoBanana::tasks`]: the key's task
//! list ([`Tasks::list`], options [`ListTasks`], answer [`TaskPage`]) and the batch query
//! ([`Tasks::get_many`], 50 ids a call). Both are seen in Evolink's clients, not on a
//! documentation page.

use std::num::NonZeroU64;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::client::NanoBanana;
use crate::error::validation::ValidationError;
use crate::error::{Error, Operation};
use crate::types;

/// The most ids one batch query takes; [`Tasks::get_many`] sends more in several calls.
pub const MAX_BATCH_IDS: usize = 50;

/// The most tasks one page of the list holds.
pub const MAX_TASK_PAGE_SIZE: u64 = 100;

/// The tasks a page holds when [`ListTasks::page_size`] is not set (the gateway's default).
pub const DEFAULT_TASK_PAGE_SIZE: u64 = 20;

/// Finding tasks again, for one client: from [`NanoBanana::tasks`].
///
/// ```no_run
/// # async fn run() -> Result<(), nanobanana_api::Error> {
/// use nanobanana_api::tasks::ListTasks;
/// use nanobanana_api::types::TaskStatus;
/// let client = nanobanana_api::NanoBanana::from_env()?;
/// let page = client.tasks().list(ListTasks::default().status(TaskStatus::Completed)).await?;
/// let ids: Vec<&str> = page.tasks.iter().map(|t| t.id.as_str()).collect();
/// let details = client.tasks().get_many(&ids).await?;
/// println!("{} of {:?} tasks", details.len(), page.total);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Tasks<'a> {
    client: &'a NanoBanana,
}

impl NanoBanana {
    /// Finding tasks again: [`list`](Tasks::list) the key's tasks and query many at once
    /// ([`get_many`](Tasks::get_many)).
    pub fn tasks(&self) -> Tasks<'_> {
        Tasks { client: self }
    }
}

/// Which tasks [`Tasks::list`] reads: filters and a page (the first page of 20, every task,
/// by default).
///
/// ```
/// use nanobanana_api::tasks::ListTasks;
/// use nanobanana_api::types::{ImageModel, TaskStatus};
/// let recent = ListTasks::default()
///     .status(TaskStatus::Processing)
///     .model(ImageModel::Gemini31FlashImagePreview)
///     .since(std::time::SystemTime::now() - std::time::Duration::from_secs(1800))
///     .page_size(50);
/// # let _ = recent;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListTasks {
    status: Option<types::TaskStatus>,
    task_type: Option<types::TaskType>,
    model: Option<types::ImageModel>,
    since: Option<SystemTime>,
    page: Option<u64>,
    page_size: Option<u64>,
}

impl ListTasks {
    /// Only tasks with this status (`processing` includes queued tasks).
    pub fn status(mut self, status: types::TaskStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only tasks of this output type.
    pub fn task_type(mut self, task_type: types::TaskType) -> Self {
        self.task_type = Some(task_type);
        self
    }

    /// Only tasks of this model.
    pub fn model(mut self, model: types::ImageModel) -> Self {
        self.model = Some(model);
        self
    }

    /// Only tasks created at or after `since` (filtered here, on each task's `created_at`:
    /// the gateway has no such filter). The list is newest first, so a page reaching an older
    /// task is the last.
    pub fn since(mut self, since: SystemTime) -> Self {
        self.since = Some(since);
        self
    }

    /// The page to read, from 1.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Tasks per page, 1 to [`MAX_TASK_PAGE_SIZE`] (100); [`DEFAULT_TASK_PAGE_SIZE`] (20)
    /// when not set.
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// The page and its size, refused when out of range (nothing is sent then).
    fn checked(&self) -> Result<(NonZeroU64, NonZeroU64), ValidationError> {
        let page = NonZeroU64::new(self.page.unwrap_or(1)).ok_or_else(|| {
            ValidationError::new("page", "is 0", "a page number from 1 (the first page)")
        })?;
        let size = self.page_size.unwrap_or(DEFAULT_TASK_PAGE_SIZE);
        let page_size = NonZeroU64::new(size)
            .filter(|n| n.get() <= MAX_TASK_PAGE_SIZE)
            .ok_or_else(|| {
                ValidationError::new(
                    "page_size",
                    format!("is {size}"),
                    format!("1 to {MAX_TASK_PAGE_SIZE} tasks per page"),
                )
            })?;
        Ok((page, page_size))
    }

    /// `since` as Unix seconds.
    fn since_unix(&self) -> Option<i64> {
        self.since.map(|t| match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(_) => 0,
        })
    }
}

/// One page of the key's tasks, as [`Tasks::list`] read it (newest first).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TaskPage {
    /// The tasks of this page that pass the filters, newest first.
    pub tasks: Vec<types::TaskSummary>,
    /// How many tasks match the gateway's filters in all (before [`ListTasks::since`]), when
    /// it says.
    pub total: Option<u64>,
    /// Which page this is, from 1.
    pub page: u64,
    /// The most tasks a page holds.
    pub page_size: u64,
    /// The options that read the next page, when there is one.
    next: Option<ListTasks>,
}

impl TaskPage {
    /// The options that read the page after this one; `None` when this is the last (it is not
    /// full, the pages so far hold `total` tasks, or it reached a task older than
    /// [`ListTasks::since`]).
    ///
    /// ```no_run
    /// # async fn run(client: nanobanana_api::NanoBanana) -> Result<(), nanobanana_api::Error> {
    /// use nanobanana_api::tasks::ListTasks;
    /// let mut next = Some(ListTasks::default().page_size(100));
    /// while let Some(options) = next {
    ///     let page = client.tasks().list(options).await?;
    ///     for task in &page.tasks {
    ///         println!("{} {}", task.id, task.status);
    ///     }
    ///     next = page.next_page();
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_page(&self) -> Option<ListTasks> {
        self.next.clone()
    }
}

impl<'a> Tasks<'a> {
    /// One page of the tasks created with this API key, newest first, without result links
    /// ([`NanoBanana::get_task`] or [`get_many`](Self::get_many) give them). A page or size
    /// out of range is refused before sending (page from 1, 1 to 100 tasks). Retried like a
    /// task query (a read).
    pub async fn list(&self, options: ListTasks) -> Result<TaskPage, Error> {
        let (page, page_size) = options.checked()?;
        let api = &self.client.inner.api;
        let status = options.status.as_ref().map(ToString::to_string);
        let task_type = options.task_type.as_ref().map(ToString::to_string);
        let model = options.model.as_ref().map(ToString::to_string);
        let answer = self
            .client
            .send_retried(Operation::ListTasks, || {
                let mut call = api.list_tasks().page(page).page_size(page_size);
                if let Some(status) = &status {
                    call = call.status(status.as_str());
                }
                if let Some(task_type) = &task_type {
                    call = call.type_(task_type.as_str());
                }
                if let Some(model) = &model {
                    call = call.model(model.as_str());
                }
                call.send()
            })
            .await?;
        let page_number = answer.page.map_or(page.get(), NonZeroU64::get);
        let size = answer.page_size.map_or(page_size.get(), NonZeroU64::get);
        let total = answer.total.and_then(|t| u64::try_from(t).ok());
        let received = answer.data.len() as u64;
        let since = options.since_unix();
        let mut reached_older = false;
        let tasks: Vec<types::TaskSummary> = answer
            .data
            .into_iter()
            .filter(|task| match (since, task.created_at) {
                (Some(since), Some(created)) if created < since => {
                    reached_older = true;
                    false
                }
                _ => true,
            })
            .collect();
        let full = received >= size && received > 0;
        let more = total.is_none_or(|total| page_number.saturating_mul(size) < total);
        let next = (full && more && !reached_older).then(|| ListTasks {
            page: Some(page_number + 1),
            page_size: Some(size),
            ..options
        });
        Ok(TaskPage {
            tasks,
            total,
            page: page_number,
            page_size: size,
            next,
        })
    }

    /// The tasks `ids` as the task query answers each, [`MAX_BATCH_IDS`] (50) ids a call
    /// (in the order the gateway answers). Unknown ids, ids of other API keys and repeated
    /// ids are simply absent. Each id is checked first (`task-unified-…`); retried like a task
    /// query.
    pub async fn get_many(&self, ids: &[impl AsRef<str>]) -> Result<Vec<types::TaskDetail>, Error> {
        let mut unique: Vec<&str> = Vec::with_capacity(ids.len());
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            let id = id.as_ref();
            crate::client::check_task_id(id)?;
            if seen.insert(id) {
                unique.push(id);
            }
        }
        let mut found = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(MAX_BATCH_IDS) {
            found.extend(self.client.get_tasks_batch(chunk).await?);
        }
        Ok(found)
    }
}

impl NanoBanana {
    /// One batch query of at most [`MAX_BATCH_IDS`] checked ids.
    pub(crate) async fn get_tasks_batch(
        &self,
        ids: &[&str],
    ) -> Result<Vec<types::TaskDetail>, Error> {
        let body = types::TaskBatchRequest {
            task_ids: ids.iter().map(|id| id.to_string()).collect(),
        };
        let api = &self.inner.api;
        let answer = self
            .send_retried(Operation::GetTasks, || {
                api.get_tasks_batch().body(body.clone()).send()
            })
            .await?;
        Ok(answer.data)
    }
}
