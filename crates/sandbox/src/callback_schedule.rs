//! Scheduling a created task's callback: wait for the task to end, then deliver it (see
//! `callbacks` for the documented timeout and retries), counting the outcome and journaling it.

/// Sends `task` to `url` when it ends (in the background), counting the outcome; a callback
/// whose task outlives the sandbox is dropped, not sent early.
pub(crate) fn spawn(
    state: std::sync::Arc<crate::state::AppState>,
    task: crate::simulation::SimulatedTask,
    url: String,
) {
    use crate::state::Counters;
    Counters::bump(&state.counters.callbacks_pending);
    tokio::spawn(async move {
        let mut stopping = state.stopping.subscribe();
        let ended = tokio::select! {
            _ = tokio::time::sleep_until(task.ends_at()) => true,
            _ = stopping.wait_for(|stop| *stop) => false,
        };
        if ended {
            let now = tokio::time::Instant::now();
            let detail = task.detail(now, &[crate::results::result_url(&state, &task.id)]);
            let body = serde_json::to_vec(&detail).expect("a task serializes");
            let started = (crate::journal::now_unix_ms(), std::time::Instant::now());
            let delivery = crate::callbacks::deliver(
                state.callbacks.as_ref(),
                &url,
                body,
                state.config.callback_timeout,
                state.config.time_scale,
                stopping,
            )
            .await;
            state
                .journal
                .record_callback(&task.id, &url, started, &delivery);
            let counter = if delivery.delivered {
                &state.counters.callbacks_delivered
            } else {
                &state.counters.callbacks_failed
            };
            Counters::bump(counter);
        } else {
            // The sandbox stopped before the task ended: there is nothing true to send.
            Counters::bump(&state.counters.callbacks_dropped);
        }
        state
            .counters
            .callbacks_pending
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    });
}
