//! Waiting for a task: polls scheduled from the task's own estimate rather than a fixed loop,
//! progress as events, an overall deadline. Dropping the future or stream stops the polling.

use std::time::Duration;

use futures_util::Stream;
use tokio::time::Instant;

use crate::error::Error;
use crate::types;
use crate::NanoBanana;

/// When to query a task while waiting for it.
///
/// With an estimate `E` (the create response's `task_info.estimated_time`), the first query is
/// sent at `E × (1 + first_poll_slack)` after creation, then at intervals starting at
/// `E × follow_up_fraction` and doubling, within `[min_interval, max_interval]`. A task that
/// finishes on its estimate is seen by the first query. Without an estimate (resuming a task
/// by id), the task is queried at once; its answer gives when it was created and, from its
/// `task_info.estimated_time`, an estimate that schedules the rest the same way. Without one,
/// the rate at which `progress` rises between queries projects the end, and each wait is half
/// the projected remaining time; with no progress either, intervals start at
/// `no_estimate_interval` growing by half.
///
/// After the estimate has passed (and without one), no interval is longer than
/// `max_lag_fraction` of the time since the task was created (at least `min_interval`): the
/// time between the task ending and the client knowing stays within that fraction of the
/// task's duration. A task that ends well before its estimate is seen at the estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct PollSchedule {
    /// How far past the estimate the first query goes, as a fraction of it.
    pub first_poll_slack: f64,
    /// The first follow-up interval, as a fraction of the estimate.
    pub follow_up_fraction: f64,
    /// The shortest interval between queries.
    pub min_interval: Duration,
    /// The longest interval between queries.
    pub max_interval: Duration,
    /// The first interval when there is no estimate.
    pub no_estimate_interval: Duration,
    /// Query at this fixed interval instead, ignoring estimates.
    pub fixed_interval: Option<Duration>,
    /// The longest interval once the estimate has passed, as a fraction of the time since the
    /// task was created.
    pub max_lag_fraction: f64,
}

impl Default for PollSchedule {
    fn default() -> Self {
        Self {
            first_poll_slack: 0.02,
            follow_up_fraction: 0.03,
            min_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(30),
            no_estimate_interval: Duration::from_secs(2),
            fixed_interval: None,
            max_lag_fraction: 0.05,
        }
    }
}

impl PollSchedule {
    /// Query every `interval`, like a plain polling loop.
    pub fn fixed(interval: Duration) -> Self {
        Self {
            fixed_interval: Some(interval),
            ..Self::default()
        }
    }

    /// The longest wait `since_created` after the task was created that keeps the detection
    /// lag within `max_lag_fraction` of the task's age (at least `min_interval`).
    pub fn lag_cap(&self, since_created: Duration) -> Duration {
        since_created
            .mul_f64(self.max_lag_fraction)
            .max(self.min_interval)
    }

    /// How long to wait when `remaining` is the projected time left (from the rate of
    /// `progress`): half of it, so a projection off by up to 2× is not overslept, and never
    /// less than the lag cap (near the end, queries come at the lag cap).
    pub fn delay_for_projection(&self, remaining: Duration, since_created: Duration) -> Duration {
        if self.fixed_interval.is_some() {
            return self.delay_before(1, None, since_created);
        }
        (remaining / 2)
            .max(self.lag_cap(since_created))
            .min(self.max_interval)
    }

    /// How long to wait before query number `poll` (0-based), `since_created` after the task
    /// was created, given its estimate in the server's seconds.
    pub fn delay_before(
        &self,
        poll: u32,
        estimate: Option<Duration>,
        since_created: Duration,
    ) -> Duration {
        if let Some(interval) = self.fixed_interval {
            return interval;
        }
        // Never so long that a task ending now is seen later than `max_lag_fraction` of its age.
        let lag_cap = self.lag_cap(since_created);
        let clamp = |d: Duration| {
            d.clamp(self.min_interval, self.max_interval.max(self.min_interval))
                .min(lag_cap)
        };
        match estimate {
            Some(estimate) if poll == 0 => estimate
                .mul_f64(1.0 + self.first_poll_slack)
                .saturating_sub(since_created),
            Some(estimate) => {
                let growth = 2f64.powi(poll.saturating_sub(1).min(30) as i32);
                clamp(estimate.mul_f64(self.follow_up_fraction * growth))
            }
            None if poll == 0 => Duration::ZERO,
            None => {
                let growth = 1.5f64.powi(poll.saturating_sub(1).min(30) as i32);
                clamp(self.no_estimate_interval.mul_f64(growth))
            }
        }
    }
}

/// A task to wait for: its id and, when known, its estimate and when it was created.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskHandle {
    /// The task id.
    pub id: String,
    /// The server's estimate of the total time (`task_info.estimated_time`).
    pub estimate: Option<Duration>,
    /// When the task was created, as seen by this process.
    pub created_at: Instant,
}

impl From<&types::ImageGenerationResponse> for TaskHandle {
    /// A task just created: its estimate counts from now.
    fn from(task: &types::ImageGenerationResponse) -> Self {
        Self {
            id: task.id.clone(),
            estimate: task
                .task_info
                .as_ref()
                .and_then(|i| i.estimated_time)
                .map(Duration::from_secs),
            created_at: Instant::now(),
        }
    }
}

impl TaskHandle {
    /// What a task query tells about a task known only by id: when it was created (the
    /// server's `created`) and its estimate (`task_info.estimated_time`), `true` when it has
    /// one.
    fn learn(&mut self, task: &types::TaskDetail) -> bool {
        if let Some(created) = task.created.and_then(|c| u64::try_from(c).ok()) {
            let now_unix = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            // `created` is in whole seconds: take the youngest age it allows, so waits capped
            // by the age are never too long.
            let age = Duration::from_secs(now_unix.saturating_sub(created).saturating_sub(1));
            // Tasks live 24 h: an older `created` is another clock's, not this task's age.
            if age > Duration::from_secs(24 * 60 * 60) {
                return false;
            }
            self.created_at = Instant::now()
                .checked_sub(age)
                .unwrap_or(self.created_at)
                .min(self.created_at);
        }
        self.estimate = task
            .task_info
            .as_ref()
            .and_then(|i| i.estimated_time)
            .map(Duration::from_secs);
        self.estimate.is_some()
    }
}

impl From<&str> for TaskHandle {
    /// A task known only by id (e.g. resumed from another process).
    fn from(id: &str) -> Self {
        Self {
            id: id.to_string(),
            estimate: None,
            created_at: Instant::now(),
        }
    }
}

impl From<String> for TaskHandle {
    fn from(id: String) -> Self {
        Self::from(id.as_str())
    }
}

/// What one task query found.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitEvent {
    /// The task.
    pub task_id: String,
    /// Which query this was (1-based).
    pub poll: u32,
    /// The status reported.
    pub status: types::TaskStatus,
    /// The progress reported, 0–100.
    pub progress: Option<i64>,
    /// Time since waiting started.
    pub elapsed: Duration,
    /// The whole task as reported.
    pub task: types::TaskDetail,
}

/// The polling loop behind [`NanoBanana::watch`] and [`NanoBanana::wait`].
struct Poller<'a> {
    client: &'a NanoBanana,
    handle: TaskHandle,
    started: Instant,
    polls: u32,
    /// Queries made since the estimate became known (the schedule's poll index).
    scheduled: u32,
    /// The first `progress` seen while processing, and when: with a later one, the rate.
    first_progress: Option<(Instant, i64)>,
    /// When the task is projected to end, from the rate of its progress.
    projected_end: Option<Instant>,
    last_status: String,
    done: bool,
}

impl<'a> Poller<'a> {
    /// A poller for `handle` that has not queried yet.
    fn new(client: &'a NanoBanana, handle: TaskHandle) -> Self {
        Self {
            client,
            handle,
            started: Instant::now(),
            polls: 0,
            scheduled: 0,
            first_progress: None,
            projected_end: None,
            last_status: "unknown".to_string(),
            done: false,
        }
    }

    /// Projects the end of a task from how fast its `progress` rises (the first reading while
    /// processing against this one, on this process's clock: the server's `created` is only
    /// whole seconds and progress need not start at creation).
    fn project(&mut self, task: &types::TaskDetail) {
        let (Some(progress), types::TaskStatus::Processing) = (task.progress, &task.status) else {
            return;
        };
        let now = Instant::now();
        match self.first_progress {
            None => self.first_progress = Some((now, progress)),
            Some((then, first)) if progress > first => {
                let per_point = now.saturating_duration_since(then) / (progress - first) as u32;
                let left = (100 - progress.clamp(0, 100)) as u32;
                self.projected_end = Some(now + per_point * left);
            }
            Some(_) => {}
        }
    }

    async fn next_event(&mut self) -> Option<Result<WaitEvent, Error>> {
        if self.done {
            return None;
        }
        let schedule = &self.client.inner.poll;
        let since_created = self.handle.created_at.elapsed();
        let delay = match (self.handle.estimate, self.projected_end) {
            (None, Some(end)) => schedule
                .delay_for_projection(end.saturating_duration_since(Instant::now()), since_created),
            (estimate, _) => schedule.delay_before(self.scheduled, estimate, since_created),
        };
        let mut at = Instant::now() + delay;
        let deadline = self.client.inner.deadline.map(|d| self.started + d);
        let last_chance = deadline.is_some_and(|d| at >= d);
        if let Some(deadline) = deadline {
            at = at.min(deadline);
        }
        tokio::time::sleep_until(at).await;

        let task = match self.client.get_task(&self.handle.id).await {
            Ok(task) => task,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.polls += 1;
        self.scheduled += 1;
        if self.handle.estimate.is_none() {
            if self.handle.learn(&task) {
                // An estimate learned now: the next query goes just past it, as after a create.
                self.scheduled = 0;
            } else {
                self.project(&task);
            }
        }
        self.last_status = task.status.to_string();
        let terminal = task.status.is_terminal();
        if !terminal && last_chance {
            self.done = true;
            return Some(Err(Error::Deadline {
                task_id: self.handle.id.clone(),
                waited: self.started.elapsed(),
                last_status: self.last_status.clone(),
            }));
        }
        self.done = terminal;
        Some(Ok(WaitEvent {
            task_id: self.handle.id.clone(),
            poll: self.polls,
            status: task.status.clone(),
            progress: task.progress,
            elapsed: self.started.elapsed(),
            task,
        }))
    }
}

impl NanoBanana {
    /// Task queries for `task` as a stream of events, ending after the task ends (or with an
    /// error: a failed query after retries, or the deadline). Dropping the stream stops polling.
    pub fn watch(
        &self,
        task: impl Into<TaskHandle>,
    ) -> impl Stream<Item = Result<WaitEvent, Error>> + '_ {
        let poller = Poller::new(self, task.into());
        futures_util::stream::unfold(poller, |mut poller| async move {
            let event = poller.next_event().await?;
            Some((event, poller))
        })
    }

    /// Waits until `task` completes and returns it with its `results`. A task that ends any
    /// other way (`failed`, or a status the spec does not list such as `cancelled`) is
    /// [`Error::TaskFailed`].
    pub async fn wait(&self, task: impl Into<TaskHandle>) -> Result<types::TaskDetail, Error> {
        self.wait_with_progress(task, |_| {}).await
    }

    /// [`wait`](Self::wait), calling `on_event` after every query.
    pub async fn wait_with_progress(
        &self,
        task: impl Into<TaskHandle>,
        mut on_event: impl FnMut(&WaitEvent),
    ) -> Result<types::TaskDetail, Error> {
        use futures_util::StreamExt;
        let events = self.watch(task);
        futures_util::pin_mut!(events);
        let mut last = None;
        while let Some(event) = events.next().await {
            let event = event?;
            on_event(&event);
            last = Some(event.task);
        }
        let task = last.expect("the stream yields at least one event or an error");
        finished(task)
    }
}

/// `Ok` for a completed task, [`Error::TaskFailed`] for any other ending.
pub(crate) fn finished(task: types::TaskDetail) -> Result<types::TaskDetail, Error> {
    if task.status == types::TaskStatus::Completed {
        return Ok(task);
    }
    let code = task
        .error
        .as_ref()
        .and_then(|e| e.code.as_ref())
        .map(|c| c.to_string());
    let documented = code.as_deref().and_then(crate::lineup::task_error_code);
    Err(Error::TaskFailed {
        task_id: task.id.clone(),
        status: task.status.to_string(),
        message: task.error.as_ref().and_then(|e| e.message.clone()),
        code,
        retryable: documented.is_some_and(|d| d.resubmit == crate::lineup::Resubmit::Same),
        documented,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_poll_is_just_past_the_estimate() {
        let s = PollSchedule::default();
        let e = Some(Duration::from_secs(45));
        assert_eq!(
            s.delay_before(0, e, Duration::ZERO),
            Duration::from_millis(45_900)
        );
        // Time already spent since creation counts.
        assert_eq!(
            s.delay_before(0, e, Duration::from_secs(40)),
            Duration::from_millis(5_900)
        );
    }

    #[test]
    fn follow_ups_double_within_bounds() {
        let s = PollSchedule::default();
        let e = Some(Duration::from_secs(45));
        // A task that has run for a long time: only the doubling and the 30 s bound apply.
        let old = Duration::from_secs(3600);
        let delays: Vec<u128> = (1..8)
            .map(|p| s.delay_before(p, e, old).as_millis())
            .collect();
        assert_eq!(delays, [1350, 2700, 5400, 10800, 21600, 30000, 30000]);
    }

    #[test]
    fn follow_ups_never_wait_longer_than_five_percent_of_the_tasks_age() {
        let s = PollSchedule::default();
        let e = Some(Duration::from_secs(45));
        // 50 s after creation, the 4th follow-up would be 10.8 s: capped at 2.5 s (5 %).
        assert_eq!(
            s.delay_before(4, e, Duration::from_secs(50)),
            Duration::from_millis(2500)
        );
        // Never below the shortest interval.
        assert_eq!(
            s.delay_before(4, None, Duration::from_secs(1)),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn without_an_estimate_poll_now_then_back_off() {
        let s = PollSchedule::default();
        assert_eq!(s.delay_before(0, None, Duration::ZERO), Duration::ZERO);
        let old = Duration::from_secs(3600);
        assert_eq!(s.delay_before(1, None, old), Duration::from_secs(2));
        assert_eq!(s.delay_before(2, None, old), Duration::from_secs(3));
    }

    #[test]
    fn a_fixed_schedule_ignores_estimates() {
        let s = PollSchedule::fixed(Duration::from_secs(1));
        assert_eq!(
            s.delay_before(0, Some(Duration::from_secs(45)), Duration::ZERO),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn a_projection_waits_half_the_time_left() {
        let s = PollSchedule::default();
        // Old enough that the lag cap (a fraction of the age) is far below 5 s.
        let young = Duration::from_secs(10);
        assert_eq!(
            s.delay_for_projection(Duration::from_secs(10), young),
            Duration::from_secs(5).max(s.lag_cap(young))
        );
        assert!(s.delay_for_projection(Duration::from_secs(10), young) < Duration::from_secs(10));
    }

    fn detail_created(seconds_ago: u64) -> types::TaskDetail {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        serde_json::from_value(serde_json::json!({
            "id": "task-unified-1", "status": "processing",
            "created": now - seconds_ago, "task_info": {"estimated_time": 45}
        }))
        .unwrap()
    }

    #[test]
    fn a_resumed_task_learns_its_age_unless_created_is_older_than_a_task_lives() {
        let mut handle = TaskHandle::from("task-unified-1");
        assert!(handle.learn(&detail_created(2 * 60 * 60)));
        let age = handle.created_at.elapsed();
        assert!(
            age > Duration::from_secs(2 * 60 * 60 - 3)
                && age < Duration::from_secs(2 * 60 * 60 + 1),
            "{age:?}"
        );
        assert_eq!(handle.estimate, Some(Duration::from_secs(45)));

        let mut handle = TaskHandle::from("task-unified-1");
        assert!(!handle.learn(&detail_created(25 * 60 * 60)));
        assert!(
            handle.created_at.elapsed() < Duration::from_secs(1),
            "another clock's `created` is ignored"
        );
    }

    #[tokio::test]
    async fn progress_that_does_not_rise_projects_nothing() {
        let client = NanoBanana::new(&crate::ClientConfig::new("sk-test").unwrap()).unwrap();
        let mut poller = Poller::new(&client, TaskHandle::from("task-unified-1"));
        let at = |progress: i64| -> types::TaskDetail {
            serde_json::from_value(serde_json::json!({
                "id": "task-unified-1", "status": "processing", "progress": progress
            }))
            .unwrap()
        };
        poller.project(&at(40));
        poller.project(&at(40));
        assert_eq!(poller.projected_end, None, "the same progress twice");
        poller.project(&at(30));
        assert_eq!(poller.projected_end, None, "progress going back");
        poller.project(&at(70));
        assert!(
            poller.projected_end.is_some(),
            "a rising progress projects the end"
        );
    }
}
