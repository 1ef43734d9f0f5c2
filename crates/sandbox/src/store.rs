//! What the sandbox remembers: tasks and rendered result files, each evicted after its TTL so
//! memory stays bounded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::simulation::SimulatedTask;

/// A result file: which task and image it is, and its PNG once rendered.
#[derive(Clone, Debug)]
pub struct ResultFile {
    /// The task it belongs to.
    pub task_id: String,
    /// The PNG, rendered on first download.
    pub png: Option<std::sync::Arc<Vec<u8>>>,
}

/// A rendered PNG's key: the prompt's seed, width and height.
type RenderKey = (u64, u32, u32);

/// At most this many distinct rendered images are shared between tasks.
const RENDER_CACHE_ENTRIES: usize = 16;

/// Tasks and files with their TTLs, and a small cache of rendered images shared by tasks with
/// the same prompt and dimensions.
#[derive(Debug, Default)]
pub struct Store {
    tasks: Mutex<HashMap<String, SimulatedTask>>,
    files: Mutex<HashMap<String, ResultFile>>,
    renders: Mutex<HashMap<RenderKey, std::sync::Arc<Vec<u8>>>>,
}

impl Store {
    /// Remembers a new task.
    pub fn insert_task(&self, task: SimulatedTask) {
        self.tasks
            .lock()
            .expect("store")
            .insert(task.id.clone(), task);
    }

    /// The task `id`, unless unknown or past `ttl`.
    pub fn task(&self, id: &str, ttl: Duration) -> Option<SimulatedTask> {
        let tasks = self.tasks.lock().expect("store");
        tasks
            .get(id)
            .filter(|t| t.created_at.elapsed() < ttl)
            .cloned()
    }

    /// The number of tasks held.
    pub fn task_count(&self) -> usize {
        self.tasks.lock().expect("store").len()
    }

    /// Registers the file `name` for `task_id`.
    pub fn insert_file(&self, name: &str, task_id: &str) {
        self.files
            .lock()
            .expect("store")
            .entry(name.to_string())
            .or_insert_with(|| ResultFile {
                task_id: task_id.to_string(),
                png: None,
            });
    }

    /// The file `name`.
    pub fn file(&self, name: &str) -> Option<ResultFile> {
        self.files.lock().expect("store").get(name).cloned()
    }

    /// Keeps the rendered PNG of `name`.
    pub fn cache_png(&self, name: &str, png: std::sync::Arc<Vec<u8>>) {
        if let Some(file) = self.files.lock().expect("store").get_mut(name) {
            file.png = Some(png);
        }
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
        let before = tasks.len() + files.len();
        files.retain(|_, file| {
            tasks
                .get(&file.task_id)
                .is_some_and(|t| now.saturating_duration_since(t.ends_at()) < link_ttl)
        });
        tasks.retain(|_, t| now.saturating_duration_since(t.created_at) < task_ttl);
        before - tasks.len() - files.len()
    }
}
