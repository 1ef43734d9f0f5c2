//! The task clock: what a task reports at any moment, computed from when it was created. No
//! HTTP here.

use std::time::Duration;

use nanobanana_api::types::{self, ImageQuality, ImageSize};
use tokio::time::Instant;

/// What a created task is and how it will end.
#[derive(Clone, Debug)]
pub struct SimulatedTask {
    /// `task-unified-<unix>-<suffix>`.
    pub id: String,
    /// The model requested.
    pub model: String,
    /// The prompt, which seeds the images.
    pub prompt: String,
    /// One fingerprint per input image, which seed the images too: the bytes of the sandbox's
    /// own uploads (the same picture gives the same result), the URL of any other image.
    pub inputs: Vec<u64>,
    /// One colour per input image for the placeholder's swatches: its average colour when
    /// the sandbox has its bytes, else a colour of its fingerprint.
    pub swatches: Vec<[u8; 3]>,
    /// Requested aspect ratio.
    pub size: Option<ImageSize>,
    /// Requested quality.
    pub quality: Option<ImageQuality>,
    /// Where to POST the task when it ends.
    pub callback_url: Option<String>,
    /// When it was created (process clock) and as Unix seconds.
    pub created_at: Instant,
    /// Unix seconds of creation.
    pub created_unix: i64,
    /// How long it runs in real time.
    pub duration: Duration,
    /// Ends `failed` with this code instead of completing.
    pub fails_with: Option<String>,
    /// The credits the create reserved.
    pub credits: f64,
}

/// The phase a task is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Queued: the first tenth of its time.
    Pending,
    /// Generating, with a progress percentage.
    Processing(i64),
    /// Ended.
    Done,
}

impl SimulatedTask {
    /// The seed of its `width × height` result: the prompt's alone for text-to-image (so those
    /// images never change), with the input images' fingerprints for image-to-image.
    pub fn image_seed(&self, width: u32, height: u32) -> u64 {
        if self.inputs.is_empty() {
            crate::images::seed(&format!("{}|{width}x{height}", self.prompt))
        } else {
            crate::images::seed(&format!(
                "{}|{width}x{height}|{:x?}",
                self.prompt, self.inputs
            ))
        }
    }

    /// The phase at `now`.
    pub fn phase(&self, now: Instant) -> Phase {
        let elapsed = now.saturating_duration_since(self.created_at);
        if elapsed >= self.duration {
            return Phase::Done;
        }
        let fraction = elapsed.as_secs_f64() / self.duration.as_secs_f64().max(f64::MIN_POSITIVE);
        if fraction < 0.1 {
            Phase::Pending
        } else {
            // 1..=99 while processing: rising, never 100 before completion.
            Phase::Processing(((fraction - 0.1) / 0.9 * 98.0) as i64 + 1)
        }
    }

    /// When the task ends.
    pub fn ends_at(&self) -> Instant {
        self.created_at + self.duration
    }

    /// The task as the query reports it at `now`; `result_urls` are its images once completed.
    pub fn detail(&self, now: Instant, result_urls: &[String]) -> types::TaskDetail {
        let (status, progress, results, error) = match (self.phase(now), &self.fails_with) {
            (Phase::Pending, _) => (types::TaskStatus::Pending, 0, vec![], None),
            (Phase::Processing(p), _) => (types::TaskStatus::Processing, p, vec![], None),
            (Phase::Done, Some(code)) if code == CANCELLED => {
                (types::TaskStatus::Cancelled, 0, vec![], None)
            }
            (Phase::Done, Some(code)) => (
                types::TaskStatus::Failed,
                0,
                vec![],
                Some(types::TaskError {
                    code: Some(types::ErrorCode::String(code.clone())),
                    message: Some(failure_message(code).to_string()),
                    type_: Some("task_error".to_string()),
                    suggestion: failure_suggestion(code).map(str::to_string),
                }),
            ),
            (Phase::Done, None) => (
                types::TaskStatus::Completed,
                100,
                result_urls.to_vec(),
                None,
            ),
        };
        let done = matches!(self.phase(now), Phase::Done);
        let charged = done && self.fails_with.is_none();
        types::TaskDetail {
            created: Some(self.created_unix),
            error,
            id: self.id.clone(),
            model: Some(self.model.clone()),
            object: Some(types::TaskObject::ImageGenerationTask),
            progress: Some(progress),
            results,
            status,
            task_info: Some(types::TaskInfo {
                can_cancel: Some(!matches!(self.phase(now), Phase::Done)),
                // As the create reported it (its real seconds), while it runs.
                estimated_time: (!matches!(self.phase(now), Phase::Done))
                    .then(|| self.duration.as_secs_f64().round() as u64),
            }),
            type_: Some(types::TaskType::Image),
            duration: done.then_some(self.duration.as_secs_f64()),
            usage: Some(types::Usage {
                billing_rule: Some(types::BillingRule::PerCall),
                credits_reserved: Some(self.credits),
                // Charged once the task has completed; a failed or cancelled one costs nothing.
                credits_used: done.then_some(if charged { self.credits } else { 0.0 }),
                cost: (done && charged).then(|| types::UsageCost {
                    credits: Some(self.credits),
                    usd: Some(self.credits / CREDITS_PER_USD),
                    cny: Some(self.credits / 10.0),
                }),
                user_group: Some(types::UserGroup::Default),
            }),
        }
    }
}

/// `fails_with` of a task the sandbox cancels (prompt marker `[sandbox:cancel]`).
pub const CANCELLED: &str = "cancelled";
/// Evolink displays 1 USD = 68 credits (and 1 CNY = 10 credits).
const CREDITS_PER_USD: f64 = 68.0;

fn failure_suggestion(code: &str) -> Option<&'static str> {
    match code {
        "content_policy_violation" => {
            Some("Rephrase the prompt without real people, brands or unsafe content")
        }
        _ => None,
    }
}

fn failure_message(code: &str) -> &'static str {
    match code {
        "content_policy_violation" => {
            "Content policy violation. Your request was blocked by safety filters..."
        }
        _ => "The sandbox was asked to fail this task.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(duration_ms: u64) -> SimulatedTask {
        SimulatedTask {
            id: "task-unified-1-a".into(),
            model: "nano-banana-2-lite".into(),
            prompt: "a cat".into(),
            inputs: Vec::new(),
            swatches: Vec::new(),
            size: None,
            quality: None,
            callback_url: None,
            created_at: Instant::now(),
            created_unix: 1,
            duration: Duration::from_millis(duration_ms),
            fails_with: None,
            credits: 1.6,
        }
    }

    #[test]
    fn phases_move_forward_with_rising_progress() {
        let t = task(1000);
        let at = |ms| t.phase(t.created_at + Duration::from_millis(ms));
        assert_eq!(at(0), Phase::Pending);
        assert_eq!(at(99), Phase::Pending);
        let (Phase::Processing(a), Phase::Processing(b)) = (at(200), at(900)) else {
            panic!()
        };
        assert!(0 < a && a < b && b < 100, "{a} {b}");
        assert_eq!(at(1000), Phase::Done);
    }

    #[test]
    fn a_failing_task_reports_its_error() {
        let mut t = task(0);
        t.fails_with = Some("content_policy_violation".into());
        let detail = t.detail(t.created_at, &[]);
        assert_eq!(detail.status, types::TaskStatus::Failed);
        assert!(detail.results.is_empty());
    }
}
