//! A batch's tasks waited for in bulk: one batch query (`POST /v1/tasks/batch`) per
//! [`MAX_BATCH_IDS`] (50) unfinished tasks a round instead of one query per task. Each task
//! keeps its own schedule ([`Poller`], from the estimate and creation time its create's answer
//! gave); a round goes when the earliest of them is due, asks for the due tasks, and fills each
//! call up to 50 ids with the tasks due next. The observer hears each task's answer
//! ([`Event::Wait`]) as with [`NanoBanana::wait`].
//!
//! A gateway that answers the batch query 404 or 405 does not have it: the batch then queries
//! each task singly, on its own schedule, for the rest of its run. A task absent from a batch
//! answer is queried singly once (a 404 there ends its wait as [`NanoBanana::wait`] would). A
//! batch query failing otherwise (after the usual retries) has its due tasks queried singly in
//! that round, each with its own retries.

use std::collections::HashMap;

use futures_util::future::join_all;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::client::NanoBanana;
use crate::error::Error;
use crate::observer::Event;
use crate::tasks::listing::MAX_BATCH_IDS;
use crate::tasks::waiting::{finished, Poller, TaskHandle};
use crate::types;

/// What a finished wait hands back: the task as it ended, or why the wait ended.
type Outcome = Result<types::TaskDetail, Error>;

/// A task to wait for, and where its outcome goes.
struct Arrival {
    handle: TaskHandle,
    reply: oneshot::Sender<Outcome>,
}

/// The side of the bulk wait a batch's items use: [`wait`](Self::wait) for one task.
pub(crate) struct BulkWait<'a> {
    client: &'a NanoBanana,
    arrivals: mpsc::UnboundedSender<Arrival>,
}

impl<'a> BulkWait<'a> {
    /// The waiting side for `client`, and the [`Rounds`] that query for it (run them as long
    /// as the batch runs).
    pub(crate) fn new(client: &'a NanoBanana) -> (Self, Rounds<'a>) {
        let (arrivals, arrived) = mpsc::unbounded_channel();
        let rounds = Rounds {
            client,
            arrived,
            open: true,
            waiting: Vec::new(),
            singly: false,
            last_round: None,
        };
        (Self { client, arrivals }, rounds)
    }

    /// Waits until `handle`'s task ends, as [`NanoBanana::wait`] does, its queries shared with
    /// the batch's other tasks. Dropping the future takes the task out of the rounds.
    pub(crate) async fn wait(&self, handle: TaskHandle) -> Result<types::TaskDetail, Error> {
        let (reply, outcome) = oneshot::channel();
        let arrival = Arrival {
            handle: handle.clone(),
            reply,
        };
        if self.arrivals.send(arrival).is_ok() {
            if let Ok(outcome) = outcome.await {
                return outcome.and_then(finished);
            }
        }
        // The rounds have stopped (they stop only with the batch): this task waits alone.
        self.client.wait(handle).await
    }
}

/// A task in the rounds: its schedule, when it is next due, and where its outcome goes.
struct Waiting<'a> {
    poller: Poller<'a>,
    due: Instant,
    reply: Option<oneshot::Sender<Outcome>>,
}

/// The querying side of the bulk wait: runs the rounds while the batch runs.
pub(crate) struct Rounds<'a> {
    client: &'a NanoBanana,
    arrived: mpsc::UnboundedReceiver<Arrival>,
    /// Whether more tasks may arrive.
    open: bool,
    waiting: Vec<Waiting<'a>>,
    /// The gateway has no batch query (it answered 404 or 405): single queries from now on.
    singly: bool,
    last_round: Option<Instant>,
}

impl<'a> Rounds<'a> {
    /// Queries for the waiting tasks, round after round, until dropped (it never returns: drop
    /// it when the batch has ended).
    pub(crate) async fn run(mut self) {
        loop {
            self.waiting
                .retain(|w| w.reply.as_ref().is_some_and(|r| !r.is_closed()));
            let next = self.next_round();
            let sleep = tokio::time::sleep_until(next.unwrap_or_else(Instant::now));
            tokio::select! {
                arrival = self.arrived.recv(), if self.open => match arrival {
                    Some(arrival) => self.arrive(arrival),
                    None => self.open = false,
                },
                () = sleep, if next.is_some() => self.round().await,
                else => std::future::pending::<()>().await,
            }
        }
    }

    /// When the next round goes: when the earliest waiting task is due, and not sooner after
    /// the last round than that task's lag allowance (the schedule's
    /// [`lag_cap`](crate::config::PollSchedule::lag_cap) for its age: 5 % of it, at least the
    /// shortest interval), so tasks due close together share a round.
    fn next_round(&self) -> Option<Instant> {
        let earliest = self.waiting.iter().min_by_key(|w| w.due)?;
        let spacing = self.client.inner.poll.lag_cap(earliest.poller.age());
        Some(match self.last_round {
            Some(last) => earliest.due.max(last + spacing),
            None => earliest.due,
        })
    }

    /// Takes in a task to wait for (an id the task query refuses ends at once).
    fn arrive(&mut self, arrival: Arrival) {
        if let Err(e) = crate::client::check_task_id(&arrival.handle.id) {
            let _ = arrival.reply.send(Err(e.into()));
            return;
        }
        let poller = Poller::new(self.client, arrival.handle);
        let due = poller.due();
        self.waiting.push(Waiting {
            poller,
            due,
            reply: Some(arrival.reply),
        });
    }

    /// One round: the due tasks (and, in batch queries, those due next up to 50 a call).
    async fn round(&mut self) {
        let sent = Instant::now();
        self.last_round = Some(sent);
        self.waiting.sort_by_key(|w| w.due);
        let due = self.waiting.iter().take_while(|w| w.due <= sent).count();
        if due == 0 {
            return;
        }
        let mut singly: Vec<usize> = Vec::new();
        if self.singly {
            singly.extend(0..due);
        } else {
            let asked = (due.div_ceil(MAX_BATCH_IDS) * MAX_BATCH_IDS).min(self.waiting.len());
            let chunks: Vec<Vec<&str>> = self.waiting[..asked]
                .chunks(MAX_BATCH_IDS)
                .map(|chunk| chunk.iter().map(|w| w.poller.id()).collect())
                .collect();
            let client = self.client;
            let answers = join_all(chunks.iter().map(|ids| client.get_tasks_batch(ids))).await;
            for (number, answer) in answers.into_iter().enumerate() {
                let first = number * MAX_BATCH_IDS;
                let indices = first..(first + MAX_BATCH_IDS).min(asked);
                match answer {
                    Ok(tasks) => {
                        let mut by_id: HashMap<String, types::TaskDetail> =
                            HashMap::with_capacity(tasks.len());
                        for task in tasks {
                            by_id.entry(task.id.clone()).or_insert(task);
                        }
                        for i in indices {
                            match by_id.remove(self.waiting[i].poller.id()) {
                                Some(task) => self.take(i, Ok(task), sent),
                                // Absent from the answer: asked on its own, once.
                                None => singly.push(i),
                            }
                        }
                    }
                    Err(e) => {
                        if matches!(e.status(), Some(404 | 405)) {
                            if !self.singly {
                                tracing::info!(
                                    status = e.status(),
                                    "the gateway has no batch task query: querying each task singly"
                                );
                            }
                            self.singly = true;
                        } else {
                            tracing::warn!(error = %e, "a batch task query failed: querying its due tasks singly");
                        }
                        singly.extend(indices.filter(|&i| i < due));
                    }
                }
            }
        }
        let client = self.client;
        let ids: Vec<String> = singly
            .iter()
            .map(|&i| self.waiting[i].poller.id().to_string())
            .collect();
        let answers = join_all(ids.iter().map(|id| client.get_task(id))).await;
        for (i, answer) in singly.into_iter().zip(answers) {
            self.take(i, answer, sent);
        }
    }

    /// Takes the answer to task `i`'s query sent at `sent`: reports it, and hands the outcome
    /// back when the wait has ended, else schedules the task's next query.
    fn take(&mut self, i: usize, answer: Outcome, sent: Instant) {
        let client = self.client;
        let waiting = &mut self.waiting[i];
        let outcome = match answer {
            Ok(task) => waiting.poller.answer(task, waiting.due, sent),
            Err(e) => Err(waiting.poller.fail(e)),
        };
        let outcome = match outcome {
            Ok(event) => {
                client.notify(&Event::Wait(&event));
                if !waiting.poller.is_done() {
                    waiting.due = waiting.poller.due();
                    return;
                }
                Ok(event.task)
            }
            Err(e) => Err(e),
        };
        if let Some(reply) = waiting.reply.take() {
            let _ = reply.send(outcome);
        }
    }
}
