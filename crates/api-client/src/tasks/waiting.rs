//! Waiting for a task: polls scheduled from the task's own estimate rather than a fixed loop,
//! progress as events to the observer, an overall deadline. Dropping the future stops the
//! polling.

use std::time::Duration;

use tokio::time::Instant;

use crate::client::NanoBanana;
use crate::error::Error;
use crate::observer::{Event, WaitEvent};
use crate::types;

/// A task to wait for: its id and, when known, its estimate and when it was created.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
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

impl From<&crate::tasks::CreatedTask> for TaskHandle {
    /// A task just created: its estimate counts from now; a replayed one (created by an
    /// earlier submission) counts from its `created`.
    fn from(created: &crate::tasks::CreatedTask) -> Self {
        let mut handle = Self::from(&created.task);
        if created.replayed {
            if let Some(age) = created.task.created.and_then(age_of) {
                handle.created_at = Instant::now().checked_sub(age).unwrap_or(handle.created_at);
            }
        }
        handle
    }
}

/// How long ago the server's `created` (Unix seconds) was, taking the youngest age whole
/// seconds allow; `None` when older than a task lives (24 h: another clock's, not this task's
/// age).
fn age_of(created: i64) -> Option<Duration> {
    let created = u64::try_from(created).ok()?;
    let now_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let age = Duration::from_secs(now_unix.saturating_sub(created).saturating_sub(1));
    (age <= Duration::from_secs(24 * 60 * 60)).then_some(age)
}

impl TaskHandle {
    /// What a task query tells about a task known only by id: when it was created (the
    /// server's `created`) and its estimate (`task_info.estimated_time`), `true` when it has
    /// one.
    fn learn(&mut self, task: &types::TaskDetail) -> bool {
        if let Some(created) = task.created.filter(|c| *c >= 0) {
            // `created` is in whole seconds: the youngest age it allows, so waits capped by the
            // age are never too long. Tasks live 24 h: an older `created` is another clock's.
            let Some(age) = age_of(created) else {
                return false;
            };
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

impl From<&String> for TaskHandle {
    /// A task known only by id: `client.wait(&id)` with a `String` id.
    fn from(id: &String) -> Self {
        Self::from(id.as_str())
    }
}

impl From<String> for TaskHandle {
    fn from(id: String) -> Self {
        Self::from(id.as_str())
    }
}

/// The schedule of one wait: when its next query is due, and what each answer means. Behind
/// [`NanoBanana::wait`] (one query at a time) and a batch's bulk waiting (many tasks a query).
pub(crate) struct Poller<'a> {
    client: &'a NanoBanana,
    handle: TaskHandle,
    started: Instant,
    deadline: Option<Instant>,
    polls: u32,
    /// Queries made on or after their due time since the estimate became known (the
    /// schedule's poll index): a query sent early with others does not advance it.
    scheduled: u32,
    /// The first `progress` seen while processing, and when: with a later one, the rate.
    first_progress: Option<(Instant, i64)>,
    /// When the task is projected to end, from the rate of its progress.
    projected_end: Option<Instant>,
    last_status: String,
    done: bool,
}

impl<'a> Poller<'a> {
    /// A poller for `handle` that has not queried yet. A bare id of a task this client
    /// created is scheduled from what the create's answer said, as the answer itself would be.
    pub(crate) fn new(client: &'a NanoBanana, mut handle: TaskHandle) -> Self {
        if handle.estimate.is_none() {
            if let Some(known) = client.inner.known.get(&handle.id) {
                handle.estimate = known.estimate;
                handle.created_at = handle.created_at.min(known.created_at);
            }
        }
        let started = Instant::now();
        Self {
            client,
            handle,
            started,
            deadline: client.inner.deadline.map(|d| started + d),
            polls: 0,
            scheduled: 0,
            first_progress: None,
            projected_end: None,
            last_status: "unknown".to_string(),
            done: false,
        }
    }

    /// The task waited for.
    pub(crate) fn id(&self) -> &str {
        &self.handle.id
    }

    /// How long ago the task was created, as far as this wait knows.
    pub(crate) fn age(&self) -> Duration {
        self.handle.created_at.elapsed()
    }

    /// Whether the wait has ended (a final status, the deadline, or an error).
    pub(crate) fn is_done(&self) -> bool {
        self.done
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

    /// When the next query is due, from the task's estimate (or the projection of its
    /// progress) and its age; the deadline at the latest.
    pub(crate) fn due(&self) -> Instant {
        let schedule = &self.client.inner.poll;
        let since_created = self.handle.created_at.elapsed();
        let delay = match (self.handle.estimate, self.projected_end) {
            (None, Some(end)) => schedule
                .delay_for_projection(end.saturating_duration_since(Instant::now()), since_created),
            (estimate, _) => schedule.delay_before(self.scheduled, estimate, since_created),
        };
        let at = Instant::now() + delay;
        match self.deadline {
            Some(deadline) => at.min(deadline),
            None => at,
        }
    }

    /// Takes the answer of a query sent at `sent` for a query that was `due` then (one sent
    /// before its due time, with other tasks', leaves the schedule where it was): the event to
    /// report, or the error that ends the wait (the deadline passed with the task unfinished).
    pub(crate) fn answer(
        &mut self,
        task: types::TaskDetail,
        due: Instant,
        sent: Instant,
    ) -> Result<WaitEvent, Error> {
        self.polls += 1;
        if sent >= due {
            self.scheduled += 1;
        }
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
        let last_chance = self.deadline.is_some_and(|d| sent >= d);
        if !terminal && last_chance {
            self.done = true;
            return Err(Error::Deadline {
                task_id: self.handle.id.clone(),
                waited: self.started.elapsed(),
                last_status: self.last_status.clone(),
            });
        }
        self.done = terminal;
        Ok(WaitEvent {
            task_id: self.handle.id.clone(),
            poll: self.polls,
            status: task.status.clone(),
            progress: task.progress,
            elapsed: self.started.elapsed(),
            task,
        })
    }

    /// Marks the wait ended by `error` (a query that failed).
    pub(crate) fn fail(&mut self, error: Error) -> Error {
        self.done = true;
        error
    }

    async fn next_event(&mut self) -> Option<Result<WaitEvent, Error>> {
        if self.done {
            return None;
        }
        let due = self.due();
        tokio::time::sleep_until(due).await;
        match self.client.get_task(&self.handle.id).await {
            Ok(task) => Some(self.answer(task, due, due)),
            Err(e) => Some(Err(self.fail(e))),
        }
    }
}

impl NanoBanana {
    /// Waits until `task` (a task id, a created task, or a [`TaskHandle`]) completes and
    /// returns it with its `results`. Each query is reported to the observer
    /// ([`Event::Wait`]); queries are scheduled from the task's own estimate
    /// ([`PollSchedule`](crate::config::PollSchedule)), within the configured deadline; a bare
    /// id of a task this client created (the newest 4096) is scheduled from its create's
    /// answer, as `wait(&created)` is, and any other id from what its first answer says. A task
    /// that ends any other way (`failed`, or a status the spec does not list such as
    /// `cancelled`) is [`Error::TaskFailed`]. Dropping the future stops the polling.
    pub async fn wait(&self, task: impl Into<TaskHandle>) -> Result<types::TaskDetail, Error> {
        let mut poller = Poller::new(self, task.into());
        let mut last = None;
        while let Some(event) = poller.next_event().await {
            let event = event?;
            self.notify(&Event::Wait(&event));
            last = Some(event.task);
        }
        let task = last.expect("the poller yields at least one event or an error");
        finished(task)
    }
}

/// `Ok` for a completed task, [`Error::TaskFailed`] for any other ending.
pub(crate) fn finished(task: types::TaskDetail) -> Result<types::TaskDetail, Error> {
    if task.status == types::TaskStatus::Completed {
        return Ok(task);
    }
    if task.status == types::TaskStatus::Cancelled {
        return Err(Error::Cancelled { task_id: task.id });
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
        suggestion: task
            .error
            .as_ref()
            .and_then(|e| e.suggestion.as_deref())
            .map(Box::from),
        code,
        documented,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::poll::PollSchedule;

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

    #[test]
    fn a_replayed_task_is_aged_from_its_created_and_a_new_one_from_now() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let answer: types::ImageGenerationResponse = serde_json::from_value(serde_json::json!({
            "id": "task-unified-1", "status": "pending", "created": now - 20,
            "task_info": {"estimated_time": 45}
        }))
        .unwrap();
        let created = |replayed| crate::tasks::CreatedTask {
            task: answer.clone(),
            idempotency_key: "k".into(),
            replayed,
        };
        let age = TaskHandle::from(&created(true)).created_at.elapsed();
        assert!(
            age >= Duration::from_secs(18) && age <= Duration::from_secs(21),
            "{age:?}"
        );
        assert!(TaskHandle::from(&created(false)).created_at.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn progress_that_does_not_rise_projects_nothing() {
        let client =
            NanoBanana::new(&crate::config::ClientConfig::new("sk-test").unwrap()).unwrap();
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
