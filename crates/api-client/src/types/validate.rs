//! Checks for the spec's limits that the generated types do not enforce themselves.
//!
//! typify enforces `enum`, `required`, `maxLength`/`minLength` (validated newtypes) and
//! `minimum: 0` on integers (unsigned types). It does not enforce `maxItems`, `format: uri`,
//! `maximum`, or `minimum` on numbers; those are checked here. The conformance suite proves, for
//! every limit in the spec, that one of the two enforces it at the spec's exact boundary.

use std::fmt;

use crate::error::validation::ValidationError;
use crate::lineup;

/// The generated types and enums, from the files that define them (`crate::types` re-exports
/// this file, so importing from it would go in a circle).
mod types {
    pub(super) use crate::generated::types::*;
    pub(super) use crate::generated_lineup::*;
    pub(super) use crate::types::model_params::ModelParams;
}

/// The range of a task's `progress`.
pub(crate) const PROGRESS_RANGE: std::ops::RangeInclusive<i64> = 0..=100;

/// A value whose spec limits can be checked beyond what its type enforces.
pub trait Validate {
    /// `Ok` when every limit the type itself does not enforce holds.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// Types whose limits are all enforced by the generated type itself.
macro_rules! enforced_by_type {
    ($($ty:ident),* $(,)?) => {
        $(impl Validate for types::$ty {
            fn validate(&self) -> Result<(), ValidationError> {
                Ok(())
            }
        })*
    };
}

enforced_by_type!(
    CreditsData,
    CreditsResponse,
    TokenCredits,
    UserCredits,
    GetTaskDetailTaskId,
    BillingRule,
    UserGroup,
    ErrorCode,
    ImageModel,
    ImageQuality,
    ImageSize,
    TaskError,
    TaskInfo,
    TaskObject,
    TaskStatus,
    TaskType,
    FileServiceError,
    UploadFileStreamForm,
    UploadFileBase64Request,
    UploadFileBase64RequestBase64Data,
    FileDeletedResponse,
    ModelParamName,
    ThinkingLevel,
    UsageCost,
);

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
impl Validate for types::ModelParams {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

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

/// The longest callback URL, in characters.
pub(crate) const MAX_CALLBACK_URL_CHARS: usize = 2048;
/// The file extensions the API accepts for reference images.
pub(crate) const IMAGE_EXTENSIONS: [&str; 4] = ["jpeg", "jpg", "png", "webp"];

/// Checks made before a request is sent, so that no credits go to a request the API rejects:
/// the limits of the request's model ([`crate::lineup`]; for a model the spec does not list,
/// those every model shares), the image URLs and the callback URL.
impl Validate for types::ImageGenerationRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        let limits = lineup::checked_limits(&self.model);
        let model = limits.name();
        limits.check_prompt(&self.prompt)?;
        if let Some(size) = self.size {
            if !limits.sizes.contains(&size) {
                return Err(ValidationError::new(
                    "size",
                    format!("is `{size}`, which {model} does not accept"),
                    format!("one of {}", joined(limits.sizes)),
                ));
            }
        }
        if let Some(quality) = self.quality {
            if limits.qualities.is_empty() {
                return Err(ValidationError::new(
                    "quality",
                    format!("is `{quality}`, but {model} takes no quality"),
                    "no `quality` at all for this model: leave it out",
                ));
            }
            if !limits.qualities.contains(&quality) {
                return Err(ValidationError::new(
                    "quality",
                    format!("is `{quality}`, which {model} does not accept"),
                    format!("one of {}", joined(limits.qualities)),
                ));
            }
        }
        limits.check_image_count("image_urls", self.image_urls.len())?;
        for (i, url) in self.image_urls.iter().enumerate() {
            check_image_url(&format!("image_urls[{i}]"), url)?;
        }
        if let Some(params) = &self.model_params {
            limits.check_model_params(params)?;
        }
        if let Some(callback) = &self.callback_url {
            check_callback_url(callback)?;
        }
        Ok(())
    }
}

/// `a, b, c` of the wire values.
fn joined<T: fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An absolute http(s) URL whose path, if it has an extension, names a supported image type.
pub(crate) fn check_image_url(field: &str, value: &str) -> Result<(), ValidationError> {
    check_uri(field, value)?;
    let url = reqwest::Url::parse(value).expect("checked by check_uri");
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ValidationError::new(
            field,
            format!("uses the scheme `{}`", url.scheme()),
            "an absolute http(s) URL the API can download",
        ));
    }
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    if let Some((_, ext)) = last.rsplit_once('.') {
        let ext = ext.to_ascii_lowercase();
        if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            return Err(ValidationError::new(
                field,
                format!("ends in `.{ext}`"),
                "an image of type .jpeg, .jpg, .png or .webp",
            ));
        }
    }
    Ok(())
}

/// HTTPS, at most 2048 characters, and not aimed at this machine or a private network.
fn check_callback_url(value: &str) -> Result<(), ValidationError> {
    const FIELD: &str = "callback_url";
    let chars = value.chars().count();
    if chars > MAX_CALLBACK_URL_CHARS {
        return Err(ValidationError::new(
            FIELD,
            format!("has {chars} characters"),
            format!("at most {MAX_CALLBACK_URL_CHARS} characters"),
        ));
    }
    check_uri(FIELD, value)?;
    let url = reqwest::Url::parse(value).expect("checked by check_uri");
    if url.scheme() != "https" {
        return Err(ValidationError::new(
            FIELD,
            format!("uses `{}`", url.scheme()),
            "https only (the API refuses other schemes)",
        ));
    }
    let internal = "a public host: not localhost, loopback, private (10/8, 172.16/12, 192.168/16), link-local, unspecified or unique-local";
    match url.host() {
        Some(url::Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            if domain == "localhost" || domain.ends_with(".localhost") {
                return Err(ValidationError::new(
                    FIELD,
                    format!("points at `{domain}`"),
                    internal,
                ));
            }
        }
        Some(url::Host::Ipv4(ip)) => {
            if is_internal_v4(ip) {
                return Err(ValidationError::new(
                    FIELD,
                    format!("points at {ip}"),
                    internal,
                ));
            }
        }
        Some(url::Host::Ipv6(ip)) => {
            if is_internal_v6(ip) {
                return Err(ValidationError::new(
                    FIELD,
                    format!("points at [{ip}]"),
                    internal,
                ));
            }
        }
        None => return Err(ValidationError::new(FIELD, "has no host", internal)),
    }
    Ok(())
}

fn is_internal_v4(ip: std::net::Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
}

fn is_internal_v6(ip: std::net::Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00; // fc00::/7
    let link_local = first & 0xffc0 == 0xfe80; // fe80::/10
    ip.is_loopback() || ip.is_unspecified() || unique_local || link_local
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

/// `format: uri`: an absolute URI (a scheme and what follows it).
fn check_uri(field: &str, value: &str) -> Result<(), ValidationError> {
    match reqwest::Url::parse(value) {
        Ok(_) => Ok(()),
        Err(e) => Err(ValidationError::new(
            field,
            format!("is not an absolute URI ({e})"),
            "an absolute URI such as https://example.com/image.png",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(prompt: &str) -> types::ImageGenerationRequest {
        types::ImageGenerationRequest {
            callback_url: None,
            image_urls: vec![],
            model: types::ImageModel::NanoBanana2Lite,
            model_params: Default::default(),
            prompt: prompt.parse().unwrap(),
            quality: None,
            size: None,
        }
    }

    fn with_images(urls: &[&str]) -> types::ImageGenerationRequest {
        let mut r = request("edit it");
        r.image_urls = urls.iter().map(|u| u.to_string()).collect();
        r
    }

    fn with_callback(url: &str) -> Result<(), ValidationError> {
        let mut r = request("a cat");
        r.callback_url = Some(url.parse().unwrap());
        r.validate()
    }

    #[test]
    fn a_blank_prompt_is_rejected() {
        let err = request("   ").validate().unwrap_err();
        assert_eq!(err.field, "prompt");
        assert!(err.limit.contains("2000"), "{err}");
    }

    #[test]
    fn ten_images_pass_and_eleven_do_not() {
        assert!(with_images(&["https://e.com/a.png"; 10]).validate().is_ok());
        let err = with_images(&["https://e.com/a.png"; 11])
            .validate()
            .unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.problem.as_str()),
            ("image_urls", "has 11 items")
        );
    }

    fn for_model(model: &str) -> types::ImageGenerationRequest {
        let mut r = request("a banner");
        r.model = model.into();
        r
    }

    #[test]
    fn sizes_are_checked_against_the_model() {
        let mut pro = for_model("gemini-3-pro-image-preview");
        pro.size = Some(types::ImageSize::Ratio1x8);
        let err = pro.validate().unwrap_err();
        assert_eq!(err.field, "size");
        assert!(
            err.problem.contains("`1:8`") && err.problem.contains("gemini-3-pro-image-preview"),
            "{err}"
        );
        assert!(
            err.limit.contains("21:9") && !err.limit.contains("1:8"),
            "{err}"
        );
        let mut flash = for_model("gemini-3.1-flash-image-preview");
        flash.size = Some(types::ImageSize::Ratio1x8);
        flash.quality = Some(types::ImageQuality::Res0_5K);
        assert!(flash.validate().is_ok());
    }

    #[test]
    fn image_counts_follow_the_model() {
        let urls = |n| vec!["https://e.com/a.png".to_string(); n];
        let mut flash = for_model("gemini-3.1-flash-image-preview");
        flash.image_urls = urls(14);
        assert!(flash.validate().is_ok());
        flash.image_urls = urls(15);
        assert_eq!(flash.validate().unwrap_err().field, "image_urls");
        let mut pro = for_model("gemini-3-pro-image-preview");
        pro.image_urls = urls(14);
        assert!(pro.validate().is_ok());
        let mut beta = for_model("nano-banana-pro-beta");
        beta.image_urls = urls(11);
        let err = beta.validate().unwrap_err();
        assert!(err.limit.contains("at most 10"), "{err}");
    }

    #[test]
    fn a_model_without_quality_refuses_one_and_has_a_shorter_prompt() {
        let mut old = for_model("gemini-2.5-flash-image");
        old.quality = Some(types::ImageQuality::Res2K);
        let err = old.validate().unwrap_err();
        assert_eq!(err.field, "quality");
        assert!(err.problem.contains("takes no quality"), "{err}");
        let mut long = for_model("gemini-2.5-flash-image");
        long.prompt = "a".repeat(1001).parse().unwrap();
        let err = long.validate().unwrap_err();
        assert_eq!(err.problem, "has 1001 characters");
        assert!(err.limit.contains("1000"), "{err}");
    }

    #[test]
    fn an_unlisted_model_gets_only_the_shared_limits() {
        let mut next = for_model("nano-banana-3-preview");
        next.size = Some(types::ImageSize::Ratio8x1);
        next.quality = Some(types::ImageQuality::Res0_5K);
        next.image_urls = vec!["https://e.com/a.png".to_string(); 14];
        let mut params = types::ModelParams::default();
        params.other.insert("anything".into(), 1.into());
        params.thinking_level = Some(types::ThinkingLevel::Unknown("deeper".into()));
        next.model_params = Some(params);
        assert!(next.validate().is_ok());
        next.image_urls.push("https://e.com/a.png".into());
        assert_eq!(next.validate().unwrap_err().field, "image_urls");
    }

    #[test]
    fn model_params_only_where_each_model_takes_them() {
        let thinking = |level: types::ThinkingLevel| {
            Some(types::ModelParams {
                thinking_level: Some(level),
                ..Default::default()
            })
        };
        let mut pro = for_model("gemini-3-pro-image-preview");
        pro.model_params = thinking(types::ThinkingLevel::High);
        let err = pro.validate().unwrap_err();
        assert_eq!(err.field, "model_params.thinking_level");
        assert_eq!(
            err.to_string(),
            "`model_params.thinking_level` is set, but gemini-3-pro-image-preview does not take \
             it; the limit is only web_search with gemini-3-pro-image-preview"
        );
        pro.model_params = Some(types::ModelParams {
            web_search: Some(true),
            ..Default::default()
        });
        assert!(pro.validate().is_ok());

        let mut flash = for_model("gemini-3.1-flash-image-preview");
        flash.model_params = thinking(types::ThinkingLevel::High);
        assert!(flash.validate().is_ok());
        flash.model_params = thinking("minimal".parse().unwrap());
        let err = flash.validate().unwrap_err();
        assert_eq!(err.field, "model_params.thinking_level");
        assert!(err.to_string().contains("auto | min | high"), "{err}");

        // A model that takes none refuses even a field the spec does not list.
        let mut beta = for_model("nano-banana-pro-beta");
        let mut other = types::ModelParams::default();
        other.other.insert("seed".into(), 3.into());
        beta.model_params = Some(other);
        assert!(beta
            .validate()
            .unwrap_err()
            .to_string()
            .contains("no model_params at all"));
    }

    #[test]
    fn image_urls_must_be_absolute_http_with_an_image_extension() {
        for ok in [
            "https://e.com/a.PNG",
            "http://e.com/a.jpeg",
            "https://e.com/img?id=3",
            "https://e.com/a.webp",
        ] {
            assert!(with_images(&[ok]).validate().is_ok(), "{ok}");
        }
        for (bad, problem) in [
            ("/local/a.png", "not an absolute URI"),
            ("ftp://e.com/a.png", "scheme `ftp`"),
            ("https://e.com/a.gif", "`.gif`"),
            ("https://e.com/a.tiff", "`.tiff`"),
        ] {
            let err = with_images(&["https://e.com/ok.png", bad])
                .validate()
                .unwrap_err();
            assert_eq!(err.field, "image_urls[1]");
            assert!(err.problem.contains(problem), "{bad}: {err}");
        }
    }

    #[test]
    fn callback_urls_must_be_public_https() {
        assert!(with_callback("https://hooks.example.com/nb/123").is_ok());
        assert!(with_callback("https://8.8.8.8/hook").is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "https://localhost/x",
            "https://api.localhost./x",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://172.31.255.255/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[::]/x",
            "https://[fd12:3456::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:10.0.0.1]/x",
        ] {
            let err = with_callback(bad).unwrap_err();
            assert_eq!(err.field, "callback_url", "{bad}");
        }
        assert!(
            with_callback("https://172.32.0.1/x").is_ok(),
            "172.32/16 is public"
        );
    }

    #[test]
    fn callback_url_length_is_limited() {
        let at_limit = format!("https://e.com/{}", "a".repeat(MAX_CALLBACK_URL_CHARS - 14));
        assert!(check_callback_url(&at_limit).is_ok());
        let err = check_callback_url(&format!("{at_limit}a")).unwrap_err();
        assert_eq!(err.problem, "has 2049 characters");
    }

    #[test]
    fn error_names_field_problem_and_limit() {
        let request = types::ImageGenerationRequest {
            callback_url: None,
            image_urls: vec!["https://e.com/a.png".into(); 11],
            model: types::ImageModel::NanoBanana2Lite,
            model_params: Default::default(),
            prompt: "x".parse().unwrap(),
            quality: None,
            size: None,
        };
        let err = request.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`image_urls` has 11 items; the limit is at most 10 images per request for nano-banana-2-lite"
        );
    }

    #[test]
    fn a_relative_url_is_not_a_uri() {
        let err = check_uri("callback_url", "/hook").unwrap_err();
        assert_eq!(err.field, "callback_url");
        assert!(err.problem.contains("not an absolute URI"), "{err}");
    }

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

    #[test]
    fn a_public_ipv6_callback_is_taken_and_internal_ones_are_not() {
        assert_eq!(with_callback("https://[2001:db8::1]/hook"), Ok(()));
        for internal in [
            "https://[::1]/h",
            "https://[fd00::1]/h",
            "https://[fe80::1]/h",
            "https://[::ffff:10.0.0.1]/h",
        ] {
            assert!(with_callback(internal).is_err(), "{internal}");
        }
    }
}
