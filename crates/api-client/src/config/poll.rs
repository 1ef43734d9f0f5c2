//! [`PollSchedule`]: when to query a task while waiting for it.

use std::time::Duration;

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
#[non_exhaustive]
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
