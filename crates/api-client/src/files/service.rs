//! [`Files`]: the file service's operations behind one accessor,
//! [`NanoBanana::files`](crate::NanoBanana::files) (upload, quota, list, delete), and the list's
//! options ([`ListFiles`]) and answer ([`FilePage`]).

use std::collections::HashSet;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::client::NanoBanana;
use crate::error::classify::classify;
use crate::error::validation::ValidationError;
use crate::error::{Error, Operation};
use crate::files::upload::{refused, Upload};
use crate::transport::with_retries;
use crate::types;
use crate::types::validate::Validate;

/// The most files one page of the list holds (the file service's limit).
pub const MAX_PAGE_SIZE: u64 = 100;

/// The files a page holds when [`ListFiles::page_size`] is not set (the file service's default).
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// The file service's operations, for one client: from [`NanoBanana::files`].
///
/// ```no_run
/// # async fn run() -> Result<(), nanobanana_api::Error> {
/// use nanobanana_api::files::{ListFiles, Upload};
/// let client = nanobanana_api::NanoBanana::from_env()?;
/// let stored = client.files().upload(Upload::file("photo.png")).await?;
/// let page = client.files().list(ListFiles::default().page_size(50)).await?;
/// println!("{} of {:?} files", page.files.len(), page.total);
/// client.files().delete(&stored.file_id).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Files<'a> {
    client: &'a NanoBanana,
}

impl NanoBanana {
    /// The file service: [`upload`](Files::upload), [`quota`](Files::quota),
    /// [`list`](Files::list) and [`delete`](Files::delete) stored files.
    pub fn files(&self) -> Files<'_> {
        Files { client: self }
    }
}

/// Which page of the stored files [`Files::list`] reads: the first page of 20 by default.
///
/// ```
/// use nanobanana_api::files::ListFiles;
/// let second = ListFiles::default().page(2).page_size(50);
/// # let _ = second;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListFiles {
    page: Option<u64>,
    page_size: Option<u64>,
}

impl ListFiles {
    /// The page to read, from 1.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Files per page, 1 to [`MAX_PAGE_SIZE`] (100); [`DEFAULT_PAGE_SIZE`] (20) when not set.
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// The page and its size, refused when out of range (nothing is sent then).
    fn checked(self) -> Result<(NonZeroU64, NonZeroU64), ValidationError> {
        let page = NonZeroU64::new(self.page.unwrap_or(1)).ok_or_else(|| {
            ValidationError::new("page", "is 0", "a page number from 1 (the first page)")
        })?;
        let size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let page_size = NonZeroU64::new(size)
            .filter(|n| n.get() <= MAX_PAGE_SIZE)
            .ok_or_else(|| {
                ValidationError::new(
                    "page_size",
                    format!("is {size}"),
                    format!("1 to {MAX_PAGE_SIZE} files per page"),
                )
            })?;
        Ok((page, page_size))
    }
}

/// One page of the stored files, as [`Files::list`] read it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FilePage {
    /// The files of this page (newest first on the sandbox; the real service's order is not
    /// documented).
    pub files: Vec<types::ListedFile>,
    /// How many files the account stores in all, when the service says.
    pub total: Option<u64>,
    /// Which page this is, from 1.
    pub page: u64,
    /// The most files a page holds.
    pub page_size: u64,
}

impl FilePage {
    /// The options that read the page after this one; `None` when this is the last (it is not
    /// full, or the pages so far hold `total` files).
    ///
    /// ```no_run
    /// # async fn run(client: nanobanana_api::NanoBanana) -> Result<(), nanobanana_api::Error> {
    /// use nanobanana_api::files::ListFiles;
    /// let mut next = Some(ListFiles::default().page_size(100));
    /// while let Some(options) = next {
    ///     let page = client.files().list(options).await?;
    ///     for file in &page.files {
    ///         println!("{}", file.file_id);
    ///     }
    ///     next = page.next_page();
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_page(&self) -> Option<ListFiles> {
        let full = self.files.len() as u64 >= self.page_size && !self.files.is_empty();
        let more = self
            .total
            .is_none_or(|total| self.page.saturating_mul(self.page_size) < total);
        (full && more).then(|| {
            ListFiles::default()
                .page(self.page + 1)
                .page_size(self.page_size)
        })
    }
}

impl<'a> Files<'a> {
    /// Uploads one image to the file service and returns the stored file (its `file_url` can
    /// go into a request's images): a local file, bytes in memory, or a URL the file service
    /// fetches itself, optionally into a folder or under a name ([`Upload`]). A file or bytes
    /// are checked first (at most 20 MB, a JPEG, PNG, GIF or WebP image by its magic bytes);
    /// a file is streamed, never read whole into memory, and its progress reported to the
    /// observer. Retried like a task query (a repeated upload only uses quota).
    ///
    /// Requests take local files themselves ([`ImageRequest::image`](crate::ImageRequest::image)):
    /// this is for keeping an uploaded file's URL, or uploading ahead.
    pub async fn upload(&self, upload: impl Into<Upload>) -> Result<types::UploadedFile, Error> {
        self.client.upload(upload).await
    }

    /// How many files the account stores on the file service and may still upload (uploads
    /// count until they expire, 72 h after upload, or are deleted). Retried like a task query.
    pub async fn quota(&self) -> Result<types::FilesQuota, Error> {
        let files = &self.client.inner.files;
        let answer = self
            .client
            .send_retried(Operation::FilesQuota, || files.get_files_quota().send())
            .await?;
        Ok(answer.data)
    }

    /// One page of the files the account stores. A page or size out of range is refused
    /// before sending (page from 1, 1 to 100 files). Retried like a task query (a read).
    /// [`FilePage::next_page`] gives the next page's options; [`list_all`](Self::list_all)
    /// reads them all.
    pub async fn list(&self, options: ListFiles) -> Result<FilePage, Error> {
        let (page, page_size) = options.checked()?;
        let files = &self.client.inner.files;
        let answer = self
            .client
            .send_retried(Operation::ListFiles, || {
                files.list_files().page(page).page_size(page_size).send()
            })
            .await?;
        if answer.success == Some(false) {
            return Err(refused(Operation::ListFiles, answer.code, answer.msg));
        }
        answer.validate()?;
        let data = answer.data;
        Ok(FilePage {
            total: data.total.and_then(|t| u64::try_from(t).ok()),
            page: data.page.unwrap_or(page).get(),
            page_size: data.page_size.unwrap_or(page_size).get(),
            files: data.files,
        })
    }

    /// Every file the account stores, reading pages of 100 until the last. Stops as well at a
    /// page that brings no file not seen already (a service that ignores `page`).
    pub async fn list_all(&self) -> Result<Vec<types::ListedFile>, Error> {
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some(ListFiles::default().page_size(MAX_PAGE_SIZE));
        while let Some(options) = next {
            let page = self.list(options).await?;
            next = page.next_page();
            let before = all.len();
            for file in page.files {
                if seen.insert(file.file_id.clone()) {
                    all.push(file);
                }
            }
            if all.len() == before {
                break;
            }
        }
        Ok(all)
    }

    /// Deletes the stored file `file_id` (as an upload or the list returned it); it no longer
    /// counts against the quota. An id the account does not store (never uploaded, expired,
    /// already deleted) is [`Error::NotFound`]; an empty id, or one with spaces or `/`, is
    /// refused before sending.
    ///
    /// Retried like a read: deleting twice leaves the same state. When an attempt that may
    /// have reached the service (a timeout, a 5xx) is followed by a 404, the first attempt
    /// deleted the file, and the delete succeeds.
    pub async fn delete(&self, file_id: &str) -> Result<(), Error> {
        check_file_id(file_id)?;
        let client = self.client;
        let inner = &client.inner;
        let may_have_deleted = AtomicBool::new(false);
        let answer = with_retries(
            &inner.retry,
            &inner.gate,
            Operation::DeleteFile,
            client.retry_notice(Operation::DeleteFile),
            || async {
                let sent = inner.files.delete_file().file_id(file_id).send().await;
                let error = match sent {
                    Ok(response) => return Ok(Some(response.into_inner())),
                    Err(e) => classify(Operation::DeleteFile, e).await,
                };
                if matches!(error, Error::NotFound(_)) && may_have_deleted.load(Ordering::Relaxed) {
                    return Ok(None);
                }
                // Retried for a read, not for a create: it may have arrived.
                if error.is_retryable(Operation::DeleteFile)
                    && !error.is_retryable(Operation::CreateTask)
                {
                    may_have_deleted.store(true, Ordering::Relaxed);
                }
                Err(error)
            },
        )
        .await?;
        match answer {
            Some(body) if body.success == Some(false) => {
                Err(refused(Operation::DeleteFile, body.code, body.msg))
            }
            _ => Ok(()),
        }
    }
}

/// A file id goes into the path: it is refused when empty or holding characters no id has.
fn check_file_id(file_id: &str) -> Result<(), ValidationError> {
    let bad = file_id.is_empty()
        || file_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '%'));
    if !bad {
        return Ok(());
    }
    Err(ValidationError::new(
        "file_id",
        format!("is `{}`", file_id.chars().take(80).collect::<String>()),
        "a file id as an upload or the file list returns it (like file_abc123456)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(files: usize, total: Option<u64>, page: u64, page_size: u64) -> FilePage {
        FilePage {
            files: (0..files)
                .map(|n| types::ListedFile {
                    file_id: format!("file_{n}"),
                    file_name: None,
                    original_name: None,
                    file_size: None,
                    mime_type: None,
                    upload_path: None,
                    file_url: None,
                    download_url: None,
                    upload_time: None,
                    expires_at: None,
                })
                .collect(),
            total,
            page,
            page_size,
        }
    }

    #[test]
    fn options_out_of_range_are_refused_naming_the_field_and_the_limit() {
        assert_eq!(
            ListFiles::default()
                .checked()
                .map(|(p, s)| (p.get(), s.get())),
            Ok((1, DEFAULT_PAGE_SIZE))
        );
        let err = ListFiles::default().page_size(101).checked().unwrap_err();
        assert_eq!(err.field, "page_size");
        assert!(err.limit.contains("1 to 100"), "{err}");
        assert_eq!(
            ListFiles::default().page(0).checked().unwrap_err().field,
            "page"
        );
        assert!(ListFiles::default().page_size(0).checked().is_err());
        assert!(ListFiles::default()
            .page(7)
            .page_size(100)
            .checked()
            .is_ok());
    }

    #[test]
    fn the_next_page_follows_a_full_page_until_the_total() {
        assert_eq!(
            page(2, Some(5), 1, 2).next_page(),
            Some(ListFiles::default().page(2).page_size(2))
        );
        assert_eq!(page(2, Some(4), 2, 2).next_page(), None, "4 of 4 seen");
        assert_eq!(page(1, Some(5), 3, 2).next_page(), None, "not full");
        assert_eq!(page(0, None, 1, 2).next_page(), None, "empty");
        assert!(page(2, None, 1, 2).next_page().is_some(), "no total: go on");
    }

    #[test]
    fn file_ids_that_cannot_be_one_are_refused() {
        assert!(check_file_id("file_abc123456").is_ok());
        for bad in ["", "a b", "../x", "file?x", "file%2F"] {
            let err = check_file_id(bad).unwrap_err();
            assert_eq!(err.field, "file_id", "{bad}");
        }
    }
}
