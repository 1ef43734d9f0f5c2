//! Polling cost: polls per task and detection lag, the SDK's estimate schedule vs a 1 s loop,
//! on tasks of 45 simulated seconds at time scale 0.2 (9 s each).

use std::sync::Arc;
use std::time::{Duration, Instant};

use nanobanana_api::tasks::TaskHandle;
use nanobanana_api::{config::PollSchedule, types, Event, NanoBanana, Observer};
use nanobanana_sandbox::{Sandbox, SandboxConfig};

use crate::measure::report;

const SCALE: f64 = 0.2;

struct Outcome {
    polls: u32,
    lag: Duration,
}

/// How a wait starts: from the create's answer, or from the task's id alone.
#[derive(Clone, Copy, PartialEq)]
enum Start {
    Answer,
    Id,
}

/// Waits for `handle` and returns how many queries it took.
async fn wait_counting(client: &NanoBanana, handle: TaskHandle) -> u32 {
    let polls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = Arc::clone(&polls);
    client
        .observe(Observer::new(move |event| {
            if let Event::Wait(poll) = event {
                seen.store(poll.poll, std::sync::atomic::Ordering::Relaxed);
            }
        }))
        .wait(handle)
        .await
        .unwrap();
    polls.load(std::sync::atomic::Ordering::Relaxed)
}

/// Creates a task with `client` and waits for it with `waiter` (the same client, or one that
/// did not create it and knows only the id), from the start `start`.
async fn follow(
    client: Arc<NanoBanana>,
    waiter: Arc<NanoBanana>,
    task_time: Duration,
    start: Start,
) -> Outcome {
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat");
    let created = client.create(request).await.unwrap();
    let created_at = Instant::now();
    let polls = match start {
        Start::Answer => wait_counting(&waiter, TaskHandle::from(&created)).await,
        Start::Id => wait_counting(&waiter, TaskHandle::from(created.id.as_str())).await,
    };
    Outcome {
        polls,
        lag: created_at.elapsed().saturating_sub(task_time),
    }
}

/// A task created by one process and waited for by another (`waiter`, a client of its own
/// that did not create it), which knows only its id and starts waiting after `delay`.
async fn resume(
    client: Arc<NanoBanana>,
    waiter: Arc<NanoBanana>,
    task_time: Duration,
    delay: Duration,
) -> Outcome {
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat");
    let created = client.create(request).await.unwrap();
    let created_at = Instant::now();
    tokio::time::sleep(delay).await;
    let polls = wait_counting(&waiter, TaskHandle::from(created.id.as_str())).await;
    Outcome {
        polls,
        lag: created_at.elapsed().saturating_sub(task_time),
    }
}

pub async fn run(tasks: usize) {
    let config = SandboxConfig {
        time_scale: SCALE,
        ..SandboxConfig::default()
    };
    let task_time = config.task_duration();
    let sandbox = Sandbox::start(config).await.unwrap();
    let base = sandbox.client_config("sk-bench").unwrap();
    let ours = Arc::new(NanoBanana::new(&base).unwrap());
    // Another process's client: it knows only the ids it is given.
    let other_process = Arc::new(NanoBanana::new(&base).unwrap());
    let naive = Arc::new(
        NanoBanana::new(
            &base
                .clone()
                .with_poll_schedule(PollSchedule::fixed(Duration::from_secs(1))),
        )
        .unwrap(),
    );

    // Four ways in one run: the SDK waiting from the create's answer, the SDK waiting from
    // the task's id (`client.wait(&created.id)`), another process's client waiting from the
    // id at once (`nanobanana task wait ID` for a fresh task), and a 1 s loop.
    const WAYS: usize = 4;
    let mut runs = Vec::new();
    for i in 0..tasks * WAYS {
        let (client, waiter, start) = match i % WAYS {
            0 => (ours.clone(), ours.clone(), Start::Answer),
            1 => (ours.clone(), ours.clone(), Start::Id),
            2 => (ours.clone(), other_process.clone(), Start::Id),
            _ => (naive.clone(), naive.clone(), Start::Id),
        };
        runs.push(tokio::spawn(follow(client, waiter, task_time, start)));
    }
    let mut outcomes = Vec::new();
    for run in runs {
        outcomes.push(run.await.unwrap());
    }
    let summarize = |kind: usize| {
        let picked: Vec<&Outcome> = outcomes
            .iter()
            .enumerate()
            .filter(|(i, _)| i % WAYS == kind)
            .map(|(_, o)| o)
            .collect();
        let polls = picked.iter().map(|o| o.polls as f64).sum::<f64>() / picked.len() as f64;
        let max_polls = picked.iter().map(|o| o.polls).max().unwrap_or(0);
        let lag = picked.iter().map(|o| o.lag.as_secs_f64()).sum::<f64>() / picked.len() as f64;
        let max_lag = picked
            .iter()
            .map(|o| o.lag.as_secs_f64())
            .fold(0.0, f64::max);
        (polls, max_polls, lag, max_lag)
    };
    // The resume path: waits that start at 10 %, 30 %, 50 % or 70 % of the task, knowing only
    // the task id (`nanobanana task wait <id>` after an interrupt, another process).
    let mut resumed = Vec::new();
    for i in 0..tasks {
        let delay = task_time.mul_f64([0.1, 0.3, 0.5, 0.7][i % 4]);
        resumed.push(tokio::spawn(resume(
            ours.clone(),
            other_process.clone(),
            task_time,
            delay,
        )));
    }
    let mut resumed_outcomes = Vec::new();
    for run in resumed {
        resumed_outcomes.push(run.await.unwrap());
    }
    let (naive_polls, _, naive_lag, _) = summarize(3);
    let secs = task_time.as_secs_f64();
    for (kind, start) in [
        (0, "from the create's answer"),
        (1, "from the task's id"),
        (2, "from the task's id in another process, at once"),
    ] {
        let (ours_polls, ours_max, ours_lag, ours_max_lag) = summarize(kind);
        report(
            &format!("polling {start} ({tasks} tasks of {secs:.0} s each way)"),
            &format!("SDK {ours_polls:.1} polls/task (max {ours_max})"),
            &format!("1 s loop {naive_polls:.1}"),
            ours_polls / naive_polls,
            "≤ 3 polls per task",
            ours_max <= 3,
        );
        report(
            &format!("polling detection lag, {start}"),
            &format!(
                "SDK {:.0} ms mean, {:.0} ms max = {:.1} % of task time",
                ours_lag * 1e3,
                ours_max_lag * 1e3,
                ours_max_lag / secs * 100.0
            ),
            &format!("1 s loop {:.0} ms mean", naive_lag * 1e3),
            ours_lag / naive_lag.max(1e-9),
            "≤ 5 % of task time",
            ours_max_lag / secs <= 0.05,
        );
    }
    let n = resumed_outcomes.len() as f64;
    let resumed_polls = resumed_outcomes.iter().map(|o| o.polls as f64).sum::<f64>() / n;
    let resumed_max_lag = resumed_outcomes
        .iter()
        .map(|o| o.lag.as_secs_f64())
        .fold(0.0, f64::max);
    let resumed_lag = resumed_outcomes
        .iter()
        .map(|o| o.lag.as_secs_f64())
        .sum::<f64>()
        / n;
    report(
        "polling, resumed by id in another process (waits from 10-70 % of the task)",
        &format!(
            "SDK {resumed_polls:.1} polls/task, lag {:.0} ms mean, {:.0} ms max = {:.1} % of task time",
            resumed_lag * 1e3,
            resumed_max_lag * 1e3,
            resumed_max_lag / secs * 100.0
        ),
        &format!("1 s loop {naive_polls:.1} polls, {:.0} ms mean lag", naive_lag * 1e3),
        resumed_polls / naive_polls,
        "lag ≤ 5 % of task time (≥ 0.5 s)",
        resumed_max_lag <= (secs * 0.05).max(0.5),
    );
}
