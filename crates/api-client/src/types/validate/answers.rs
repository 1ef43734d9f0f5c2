//! Checks of the API's answers (tasks: progress, results, usage; error bodies) and of the file
//! service's bodies.

use crate::error::validation::ValidationError;
use crate::types::validate::{check_uri, Validate};

/// The generated types and enums, from the files that define them (`crate::types` re-exports
/// them, so importing from it would go in a circle).
mod types {
    pub(super) use crate::generated::types::*;
}

/// The range of a task's `progress`.
pub(crate) const PROGRESS_RANGE: std::ops::RangeInclusive<i64> = 0..=100;

impl Validate for types::ErrorResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        self.error.validate()
    }
}

/// Where a 402 says to act is a link.
impl Validate for types::ErrorDetail {
    fn validate(&self) -> Result<(), ValidationError> {
        match &self.action_url {
            Some(url) => check_uri("error.action_url", url),
            None => Ok(()),
        }
    }
}

impl Validate for types::FileListResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        self.data.validate()
    }
}

/// The total is never negative (`minimum: 0` on an `int64`, which typify keeps signed); each
/// file's links are URLs.
impl Validate for types::FileList {
    fn validate(&self) -> Result<(), ValidationError> {
        if let Some(total) = self.total.filter(|total| *total < 0) {
            return Err(ValidationError::new(
                "data.total",
                format!("is {total}"),
                "a count of at least 0",
            ));
        }
        self.files.iter().try_for_each(Validate::validate)
    }
}

impl Validate for types::ListedFile {
    fn validate(&self) -> Result<(), ValidationError> {
        if let Some(url) = &self.file_url {
            check_uri("data.files[].file_url", url)?;
        }
        if let Some(url) = &self.download_url {
            check_uri("data.files[].download_url", url)?;
        }
        Ok(())
    }
}

/// Which fields a model takes is checked with the request, which knows the model.
impl Validate for types::FilesQuotaResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        self.data.validate()
    }
}

/// The quota's counts are never negative (`minimum: 0` on an `int64`, which typify keeps signed).
impl Validate for types::FilesQuota {
    fn validate(&self) -> Result<(), ValidationError> {
        for (field, value) in [
            ("data.used_files", self.used_files),
            ("data.max_files", self.max_files),
            ("data.remain_files", self.remain_files),
        ] {
            if let Some(count) = value.filter(|count| *count < 0) {
                return Err(ValidationError::new(
                    field,
                    format!("is {count}"),
                    "a count of at least 0",
                ));
            }
        }
        Ok(())
    }
}

impl Validate for types::UploadFileUrlRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        check_uri("file_url", &self.file_url)
    }
}

impl Validate for types::FileUploadResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        self.data.validate()
    }
}

impl Validate for types::UploadedFile {
    fn validate(&self) -> Result<(), ValidationError> {
        check_uri("data.file_url", &self.file_url)?;
        if let Some(url) = &self.download_url {
            check_uri("data.download_url", url)?;
        }
        Ok(())
    }
}
impl Validate for types::ImageGenerationResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        check_progress(self.progress)?;
        match &self.usage {
            Some(usage) => usage.validate(),
            None => Ok(()),
        }
    }
}

impl Validate for types::TaskDetail {
    fn validate(&self) -> Result<(), ValidationError> {
        check_progress(self.progress)?;
        for (i, url) in self.results.iter().enumerate() {
            check_uri(&format!("results[{i}]"), url)?;
        }
        check_not_negative("duration", self.duration)?;
        if let Some(usage) = &self.usage {
            usage.validate()?;
        }
        Ok(())
    }
}

impl Validate for types::Usage {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_negative("usage.credits_reserved", self.credits_reserved)?;
        check_not_negative("usage.credits_used", self.credits_used)
    }
}

/// A number the spec says is at least 0 (`minimum: 0` on a `double`, which typify keeps as is).
fn check_not_negative(field: &str, value: Option<f64>) -> Result<(), ValidationError> {
    match value {
        Some(v) if v.is_nan() || v < 0.0 => Err(ValidationError::new(
            field,
            format!("is {v}"),
            "a number of at least 0",
        )),
        _ => Ok(()),
    }
}

fn check_progress(progress: Option<i64>) -> Result<(), ValidationError> {
    match progress {
        Some(p) if !PROGRESS_RANGE.contains(&p) => Err(ValidationError::new(
            "progress",
            format!("is {p}"),
            format!(
                "a percentage from {} to {}",
                PROGRESS_RANGE.start(),
                PROGRESS_RANGE.end()
            ),
        )),
        _ => Ok(()),
    }
}

/// A page of the task list: a count of at least 0, each task valid.
impl Validate for types::TaskListResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        if let Some(total) = self.total.filter(|total| *total < 0) {
            return Err(ValidationError::new(
                "total",
                format!("is {total}"),
                "a count of at least 0",
            ));
        }
        self.data.iter().try_for_each(Validate::validate)
    }
}

/// A listed task: progress 0–100, duration and credits not negative.
impl Validate for types::TaskSummary {
    fn validate(&self) -> Result<(), ValidationError> {
        check_progress(self.progress)?;
        check_not_negative("duration", self.duration)?;
        check_not_negative("credits_used", self.credits_used)
    }
}

/// A batch query names 1 to 50 tasks.
impl Validate for types::TaskBatchRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        let count = self.task_ids.len();
        if count == 0 || count > crate::tasks::MAX_BATCH_IDS {
            return Err(ValidationError::new(
                "task_ids",
                format!("holds {count} task ids"),
                format!(
                    "1 to {} task ids (query more in several calls)",
                    crate::tasks::MAX_BATCH_IDS
                ),
            ));
        }
        Ok(())
    }
}

/// Each task found is valid.
impl Validate for types::TaskBatchResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        self.data.iter().try_for_each(Validate::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_credits_are_rejected() {
        let usage = types::Usage {
            billing_rule: None,
            credits_reserved: Some(f64::NAN),
            user_group: None,
            ..Default::default()
        };
        assert!(usage.validate().is_err());
        let used = types::Usage {
            credits_used: Some(-1.0),
            ..Default::default()
        };
        assert_eq!(used.validate().unwrap_err().field, "usage.credits_used");
    }

    #[test]
    fn an_upload_answer_with_a_relative_file_or_download_url_is_refused_by_name() {
        let answer = |file_url: &str, download_url: &str| -> types::FileUploadResponse {
            serde_json::from_value(serde_json::json!({
                "success": true, "code": 200, "msg": "ok",
                "data": {"file_id": "file_1", "file_url": file_url, "download_url": download_url}
            }))
            .unwrap()
        };
        let good = "https://files.evolink.ai/a.png";
        assert_eq!(answer(good, good).validate(), Ok(()));
        assert_eq!(
            answer("/a.png", good).validate().unwrap_err().field,
            "data.file_url"
        );
        assert_eq!(
            answer(good, "a.png").validate().unwrap_err().field,
            "data.download_url"
        );
    }

    #[test]
    fn progress_is_a_percentage_at_both_ends_in_every_task_body() {
        let created = |progress: i64| -> types::ImageGenerationResponse {
            serde_json::from_value(serde_json::json!({
                "id": "task-unified-1", "status": "pending", "progress": progress
            }))
            .unwrap()
        };
        let detail = |progress: i64| -> types::TaskDetail {
            serde_json::from_value(serde_json::json!({
                "id": "task-unified-1", "status": "processing", "progress": progress
            }))
            .unwrap()
        };
        for ok in [0, 100] {
            assert_eq!(created(ok).validate(), Ok(()), "{ok}");
            assert_eq!(detail(ok).validate(), Ok(()), "{ok}");
        }
        for bad in [-1, 101] {
            assert_eq!(
                created(bad).validate().unwrap_err().field,
                "progress",
                "{bad}"
            );
            let e = detail(bad).validate().unwrap_err();
            assert_eq!(e.field, "progress", "{bad}");
            assert!(e.limit.contains("0 to 100"), "{e}");
        }
    }

    #[test]
    fn reserved_credits_are_never_negative_or_nan() {
        let created = |credits: f64| -> types::ImageGenerationResponse {
            let mut created: types::ImageGenerationResponse = serde_json::from_value(
                serde_json::json!({"id": "task-unified-1", "status": "pending"}),
            )
            .unwrap();
            created.usage = Some(types::Usage {
                billing_rule: None,
                credits_reserved: Some(credits),
                user_group: None,
                ..Default::default()
            });
            created
        };
        for ok in [0.0, 1.6] {
            assert_eq!(created(ok).validate(), Ok(()), "{ok}");
        }
        for bad in [-0.1, f64::NAN] {
            let e = created(bad).validate().unwrap_err();
            assert_eq!(e.field, "usage.credits_reserved", "{bad}");
        }
    }

    #[test]
    fn a_task_result_must_be_an_absolute_url() {
        let detail: types::TaskDetail = serde_json::from_value(serde_json::json!({
            "id": "task-unified-1", "status": "completed", "progress": 100,
            "results": ["https://files.evolink.ai/a.jpg", "a.jpg"]
        }))
        .unwrap();
        assert_eq!(detail.validate().unwrap_err().field, "results[1]");
    }
}
