//! MCP progress notifications for a call whose request carried a progress token, fed by the
//! SDK's observer: each change of a task's status or progress, retries, uploads, and the
//! steps in between (created, downloading). Sent in order by one task per call.

use std::sync::{Arc, Mutex};

use nanobanana_api::UploadEvent;
use nanobanana_api::{Event, Observer};
use rmcp::model::ProgressNotificationParam;
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use tokio::sync::mpsc;

/// Reports one call's progress (nothing when the client asked for none).
#[derive(Clone)]
pub struct Reporter {
    sender: Option<mpsc::UnboundedSender<ProgressNotificationParam>>,
    state: Arc<Mutex<State>>,
}

/// The last value sent (progress must increase with every notification) and what the last
/// poll said (a poll that changes nothing is not sent).
#[derive(Default)]
struct State {
    value: f64,
    last_poll: Option<(String, Option<i64>)>,
    token: Option<rmcp::model::ProgressToken>,
}

impl Reporter {
    /// A reporter for the call of `context`.
    pub fn start(context: &RequestContext<RoleServer>) -> Self {
        let token = context.meta.get_progress_token();
        let sender = token.as_ref().map(|_| {
            let (sender, mut receiver) = mpsc::unbounded_channel::<ProgressNotificationParam>();
            let peer = context.peer.clone();
            tokio::spawn(async move {
                while let Some(notification) = receiver.recv().await {
                    if peer.notify_progress(notification).await.is_err() {
                        break;
                    }
                }
            });
            sender
        });
        Self {
            sender,
            state: Arc::new(Mutex::new(State {
                token,
                ..State::default()
            })),
        }
    }

    /// Sends `message` at `percent` (0–100, when known) of the way.
    pub fn say(&self, percent: Option<f64>, message: impl Into<String>) {
        let Some(sender) = &self.sender else {
            return;
        };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let Some(token) = state.token.clone() else {
            return;
        };
        // Strictly increasing, as the protocol asks, even when the percentage stays.
        let value = match percent {
            Some(p) if p > state.value => p,
            _ => state.value + 0.001,
        };
        state.value = value;
        let _ = sender.send(
            ProgressNotificationParam::new(token, value)
                .with_total(100.0)
                .with_message(message),
        );
    }

    /// An observer that reports the SDK's events of this call.
    pub fn observer(&self) -> Observer {
        let this = self.clone();
        Observer::new(move |event| match event {
            Event::Wait(poll) => {
                let now = (poll.status.to_string(), poll.progress);
                {
                    let mut state = this.state.lock().unwrap_or_else(|p| p.into_inner());
                    if state.last_poll.as_ref() == Some(&now) {
                        return;
                    }
                    state.last_poll = Some(now);
                }
                let progress = poll.progress.map(|p| format!(" {p}%")).unwrap_or_default();
                this.say(
                    // Saving comes after the task's 100%: the call's own end is later.
                    poll.progress.map(|p| p.clamp(0, 98) as f64),
                    format!(
                        "task {}: {}{progress} after {:.0} s",
                        poll.task_id,
                        poll.status,
                        poll.elapsed.as_secs_f64()
                    ),
                );
            }
            Event::Retry(retry) => this.say(None, crate::notices::retry_line(retry)),
            Event::Upload(UploadEvent::Stored { path, .. }) => {
                this.say(None, format!("uploaded {}", path.display()))
            }
            _ => {}
        })
    }

    /// Says that a wait stopped because its call was cancelled: the task keeps running, and
    /// how to get it back (no answer follows a cancel, so this notification is the last word;
    /// the first one of the call named the task too).
    pub fn stopped_waiting(&self, task_id: &str) {
        let message = format!(
            "stopped waiting for task {task_id} (the call was cancelled); the task was not \
             cancelled and keeps running: call wait_task with task_id \"{task_id}\" to save its \
             images"
        );
        self.say(None, message);
    }
}
