//! What the sandbox remembers: tasks and their result files, each evicted after its TTL, and at
//! most `max_tasks` of them (the oldest finished tasks go first), so memory stays bounded however
//! long the sandbox runs. Result images are not kept per file: they are rendered again when no
//! longer in the small shared render cache (rendering is deterministic: the same bytes).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::simulation::SimulatedTask;

/// A result file: which task it belongs to.
#[derive(Clone, Debug)]
pub struct ResultFile {
    /// The task it belongs to.
    pub task_id: String,
}

/// A rendered PNG's key: the prompt's seed, width and height.
type RenderKey = (u64, u32, u32);

/// At most this many distinct rendered images are shared between tasks.
const RENDER_CACHE_ENTRIES: usize = 16;

/// Tasks and files with their TTLs, and a small cache of rendered images shared by tasks with
/// the same prompt and dimensions.
#[derive(Debug, Default)]
pub struct Store {
    tasks: Mutex<Tasks>,
    files: Mutex<HashMap<String, ResultFile>>,
    renders: Mutex<HashMap<RenderKey, std::sync::Arc<Vec<u8>>>>,
}

/// Tasks by id, and their ids in creation order (which is also the order they end: every task
/// of a sandbox takes the same time), for evicting the oldest first.
#[derive(Debug, Default)]
struct Tasks {
    /// Boxed, so the table's slots stay small.
    by_id: HashMap<String, Box<SimulatedTask>>,
    order: VecDeque<String>,
}

impl Store {
    /// Remembers a new task; beyond `max_tasks`, forgets the oldest finished ones (and their
    /// files). Unfinished tasks are never forgotten: the store may hold more until they end.
    /// Returns how many were evicted.
    pub fn insert_task(&self, task: SimulatedTask, max_tasks: usize) -> usize {
        let mut tasks = self.tasks.lock().expect("store");
        // Room for twice the cap, reserved once the store is half full: under constant churn
        // (one task in, one out) the table then never grows again, and memory stays flat.
        if tasks.by_id.len() >= max_tasks / 2 && tasks.by_id.capacity() < max_tasks * 2 {
            let more = max_tasks * 2 - tasks.by_id.len();
            tasks.by_id.reserve(more);
            tasks.order.reserve(more);
            self.files.lock().expect("store").reserve(more);
        }
        tasks.order.push_back(task.id.clone());
        tasks.by_id.insert(task.id.clone(), Box::new(task));
        let now = Instant::now();
        let mut evicted = Vec::new();
        while tasks.by_id.len() > max_tasks {
            let Some(oldest) = tasks.order.front().cloned() else {
                break;
            };
            match tasks.by_id.get(&oldest) {
                Some(t) if t.ends_at() > now => break,
                _ => {
                    tasks.order.pop_front();
                    if tasks.by_id.remove(&oldest).is_some() {
                        evicted.push(oldest);
                    }
                }
            }
        }
        drop(tasks);
        if !evicted.is_empty() {
            let mut files = self.files.lock().expect("store");
            files.retain(|_, f| !evicted.contains(&f.task_id));
        }
        evicted.len()
    }

    /// The task `id`, unless unknown or past `ttl`.
    pub fn task(&self, id: &str, ttl: Duration) -> Option<SimulatedTask> {
        let tasks = self.tasks.lock().expect("store");
        tasks
            .by_id
            .get(id)
            .filter(|t| t.created_at.elapsed() < ttl)
            .map(|t| SimulatedTask::clone(t))
    }

    /// The newest `limit` tasks held, newest first.
    pub fn recent_tasks(&self, limit: usize) -> Vec<SimulatedTask> {
        let tasks = self.tasks.lock().expect("store");
        tasks
            .order
            .iter()
            .rev()
            .filter_map(|id| tasks.by_id.get(id))
            .take(limit)
            .map(|t| SimulatedTask::clone(t))
            .collect()
    }

    /// The number of tasks held.
    pub fn task_count(&self) -> usize {
        self.tasks.lock().expect("store").by_id.len()
    }

    /// Registers the file `name` for `task_id`.
    pub fn insert_file(&self, name: &str, task_id: &str) {
        self.files
            .lock()
            .expect("store")
            .entry(name.to_string())
            .or_insert_with(|| ResultFile {
                task_id: task_id.to_string(),
            });
    }

    /// The file `name`.
    pub fn file(&self, name: &str) -> Option<ResultFile> {
        self.files.lock().expect("store").get(name).cloned()
    }

    /// A PNG already rendered for `seed` at `width × height`.
    pub fn rendered(&self, seed: u64, width: u32, height: u32) -> Option<std::sync::Arc<Vec<u8>>> {
        self.renders
            .lock()
            .expect("store")
            .get(&(seed, width, height))
            .cloned()
    }

    /// Keeps a rendered PNG for reuse (the cache is emptied when full: memory stays bounded).
    pub fn keep_render(&self, seed: u64, width: u32, height: u32, png: std::sync::Arc<Vec<u8>>) {
        let mut renders = self.renders.lock().expect("store");
        if renders.len() >= RENDER_CACHE_ENTRIES {
            renders.clear();
        }
        renders.insert((seed, width, height), png);
    }

    /// Drops tasks older than `task_ttl` and the files of tasks that ended more than
    /// `link_ttl` ago.
    pub fn evict(&self, task_ttl: Duration, link_ttl: Duration) -> usize {
        let now = Instant::now();
        let mut tasks = self.tasks.lock().expect("store");
        let mut files = self.files.lock().expect("store");
        let before = tasks.by_id.len() + files.len();
        files.retain(|_, file| {
            tasks
                .by_id
                .get(&file.task_id)
                .is_some_and(|t| now.saturating_duration_since(t.ends_at()) < link_ttl)
        });
        tasks
            .by_id
            .retain(|_, t| now.saturating_duration_since(t.created_at) < task_ttl);
        let Tasks { by_id, order } = &mut *tasks;
        order.retain(|id| by_id.contains_key(id));
        before - tasks.by_id.len() - files.len()
    }
}
