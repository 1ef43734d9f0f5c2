//! Files uploaded to the sandbox's file service: written to a temporary directory the sandbox
//! owns (removed when it stops), kept for the upload TTL (72 h, as the real service), counted
//! against the upload quota and a cap on the disk they take. Nothing of a file stays on the heap.
//!
//! Every sandbox's directory is a `run-…` folder under one private parent
//! (`$TMPDIR/nanobanana-sandbox-uploads/`), holding an `owner.lock` file its sandbox keeps
//! locked while it runs (taken before the folder gets its `run-` name). A process that ends
//! without removing its folder (a signal, a kill) releases the lock all the same, so the next
//! sandbox to start removes the folder.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use nanobanana_api::files::ImageFormat;
use tokio::time::Instant;

/// One stored upload.
#[derive(Clone, Debug)]
pub struct StoredUpload {
    /// The id in its URLs (`file_…`).
    pub file_id: String,
    /// The name it is stored and served under (safe characters, the type's extension).
    pub file_name: String,
    /// The name it was uploaded with.
    pub original_name: String,
    /// The folder it was filed under, if one was given.
    pub upload_path: Option<String>,
    /// Its type, from its magic bytes.
    pub format: ImageFormat,
    /// Where its bytes are, in the sandbox's upload directory.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// [`crate::images::seed_bytes`] of its bytes: what an image-to-image result is seeded by.
    pub fingerprint: u64,
    /// Its average colour, when the sandbox can decode it (JPEG, PNG): a result's swatch for
    /// this input shows it.
    pub average: Option<[u8; 3]>,
    /// When it was stored (monotonic, for the TTL).
    pub stored_at: Instant,
    /// When it was stored (wall clock, for `upload_time` and `expires_at`).
    pub stored_wall: SystemTime,
}

/// Why an upload was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum StoreRefusal {
    /// The quota of uploads is spent.
    QuotaSpent {
        /// The quota.
        quota: u64,
    },
    /// The files kept would take more than the disk cap.
    DiskFull {
        /// The cap, in bytes.
        limit: u64,
    },
}

/// What a lookup of an upload found.
#[derive(Clone, Debug)]
pub enum Lookup {
    /// The upload, still kept.
    Fresh(StoredUpload),
    /// It was uploaded but its 72 h are over (it is now forgotten).
    Expired,
}

/// The uploads on disk, and how many were accepted and not deleted (what the quota counts).
#[derive(Debug)]
pub struct Uploads {
    held: Mutex<Held>,
    dir: OwnedDir,
    staged: AtomicU64,
}

#[derive(Debug, Default)]
struct Held {
    files: HashMap<String, StoredUpload>,
    /// The ids in the order they were stored, oldest first (some may be gone already).
    order: VecDeque<String>,
    accepted: u64,
    disk_used: u64,
}

impl Held {
    /// Forgets `file_id` and removes its file.
    fn forget(&mut self, file_id: &str) -> Option<StoredUpload> {
        let upload = self.files.remove(file_id)?;
        self.disk_used -= upload.size;
        let _ = std::fs::remove_file(&upload.path);
        Some(upload)
    }
}

impl Uploads {
    /// An empty store in a new temporary directory (removed with the store), under the parent
    /// of every sandbox's uploads, where the folders of sandboxes that ended without removing
    /// theirs are removed first.
    pub fn new() -> std::io::Result<Self> {
        let parent = std::env::temp_dir().join(UPLOADS_PARENT);
        let dir = match owned_dir(&parent) {
            Ok(dir) => dir,
            // The shared parent is unusable (another user's, read-only): a folder of its own.
            Err(_) => OwnedDir {
                path: tempfile::Builder::new()
                    .prefix("nanobanana-sandbox-uploads-")
                    .tempdir()?
                    .keep(),
                owner: None,
            },
        };
        Ok(Self {
            held: Mutex::default(),
            dir,
            staged: AtomicU64::new(0),
        })
    }

    /// A new file path in the upload directory, for an upload being received.
    pub fn stage_path(&self) -> PathBuf {
        let n = self.staged.fetch_add(1, Ordering::Relaxed);
        self.dir.path.join(format!("upload-{n}"))
    }

    /// The directory the files are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir.path
    }

    /// Bytes on disk now.
    pub fn disk_used(&self) -> u64 {
        self.held.lock().expect("uploads").disk_used
    }

    /// Stores `upload` (its file already written) unless `quota` uploads were already accepted
    /// or it would take the files past `disk_limit` bytes; a refused upload's file is removed.
    /// Beyond `max_files` kept, the oldest are forgotten (their files removed), so memory stays
    /// bounded however small the uploads; returns how many.
    pub fn insert(
        &self,
        upload: StoredUpload,
        quota: Option<u64>,
        limits: (u64, usize),
    ) -> Result<usize, StoreRefusal> {
        let (disk_limit, max_files) = limits;
        let mut held = self.held.lock().expect("uploads");
        let refusal = match quota {
            Some(quota) if held.accepted >= quota => Some(StoreRefusal::QuotaSpent { quota }),
            _ if held.disk_used + upload.size > disk_limit => {
                Some(StoreRefusal::DiskFull { limit: disk_limit })
            }
            _ => None,
        };
        if let Some(refusal) = refusal {
            drop(held);
            let _ = std::fs::remove_file(&upload.path);
            return Err(refusal);
        }
        held.accepted += 1;
        held.disk_used += upload.size;
        held.order.push_back(upload.file_id.clone());
        held.files.insert(upload.file_id.clone(), upload);
        let mut forgotten = 0;
        while held.files.len() > max_files.max(1) {
            let Some(oldest) = held.order.pop_front() else {
                break;
            };
            forgotten += usize::from(held.forget(&oldest).is_some());
        }
        Ok(forgotten)
    }

    /// The newest `limit` uploads kept, newest first.
    pub fn recent(&self, limit: usize) -> Vec<StoredUpload> {
        let held = self.held.lock().expect("uploads");
        let mut files: Vec<StoredUpload> = held.files.values().cloned().collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.stored_at));
        files.truncate(limit);
        files
    }

    /// Uploads accepted and not deleted (what the quota counts; an expired upload still
    /// counts, as the sandbox never refuses past the default group's count).
    pub fn accepted(&self) -> u64 {
        self.held.lock().expect("uploads").accepted
    }

    /// Page `page` (from 1) of the uploads kept and not past `ttl`, `page_size` a page, newest
    /// first, and how many there are in all.
    pub fn page(&self, ttl: Duration, page: u64, page_size: u64) -> (u64, Vec<StoredUpload>) {
        let held = self.held.lock().expect("uploads");
        let fresh = held
            .order
            .iter()
            .rev()
            .filter_map(|id| held.files.get(id))
            .filter(|upload| upload.stored_at.elapsed() < ttl);
        let total = fresh.clone().count() as u64;
        let skip = page.saturating_sub(1).saturating_mul(page_size);
        let files = fresh
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(page_size).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        (total, files)
    }

    /// Deletes the upload `file_id` and its file: it no longer counts against the quota.
    /// `None` when no upload of that id is kept (never stored, deleted, or past `ttl`).
    pub fn remove(&self, file_id: &str, ttl: Duration) -> Option<StoredUpload> {
        let mut held = self.held.lock().expect("uploads");
        let fresh = held.files.get(file_id)?.stored_at.elapsed() < ttl;
        let upload = held.forget(file_id)?;
        held.order.retain(|id| id != file_id);
        if !fresh {
            return None;
        }
        held.accepted = held.accepted.saturating_sub(1);
        Some(upload)
    }

    /// The upload `file_id` (an expired one is forgotten as it is found), `None` when unknown.
    pub fn get(&self, file_id: &str, ttl: Duration) -> Option<Lookup> {
        let mut held = self.held.lock().expect("uploads");
        let upload = held.files.get(file_id)?;
        if upload.stored_at.elapsed() < ttl {
            return Some(Lookup::Fresh(upload.clone()));
        }
        held.forget(file_id)?;
        Some(Lookup::Expired)
    }

    /// Forgets uploads past `ttl` and removes their files; returns how many.
    pub fn evict(&self, ttl: Duration) -> usize {
        let mut held = self.held.lock().expect("uploads");
        let expired: Vec<String> = held
            .files
            .iter()
            .filter(|(_, u)| u.stored_at.elapsed() >= ttl)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            held.forget(id);
        }
        let Held { files, order, .. } = &mut *held;
        order.retain(|id| files.contains_key(id));
        expired.len()
    }
}

/// The folder under the temporary directory that holds every sandbox's upload folder.
pub const UPLOADS_PARENT: &str = "nanobanana-sandbox-uploads";

/// The name of each sandbox's folder starts so.
const RUN_PREFIX: &str = "run-";

/// The file in a sandbox's folder it keeps locked while it runs.
const OWNER_LOCK: &str = "owner.lock";

/// A folder being set up is named so until its lock is taken.
const SETUP_PREFIX: &str = ".setup-";

/// A folder still being set up after this long was left by a process that ended meanwhile.
const SETUP_ABANDONED_AFTER: Duration = Duration::from_secs(60);

/// A sandbox's upload folder, removed when dropped, with its locked owner file (`None` for a
/// folder outside the shared parent).
#[derive(Debug)]
struct OwnedDir {
    path: PathBuf,
    owner: Option<std::fs::File>,
}

impl Drop for OwnedDir {
    fn drop(&mut self) {
        // Closed first: a file still open cannot be removed everywhere.
        drop(self.owner.take());
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A new folder under `parent`, its owner file locked, after removing the folders of sandboxes
/// that ended. It is set up under another name and renamed once locked, so that a `run-`
/// folder whose lock is free is always one whose sandbox has ended.
fn owned_dir(parent: &Path) -> std::io::Result<OwnedDir> {
    private_parent(parent)?;
    remove_stale(parent, SETUP_ABANDONED_AFTER);
    let setup = tempfile::Builder::new()
        .prefix(SETUP_PREFIX)
        .tempdir_in(parent)?;
    let owner = std::fs::File::create(setup.path().join(OWNER_LOCK))?;
    owner.try_lock().map_err(std::io::Error::from)?;
    let name = setup
        .path()
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix(SETUP_PREFIX))
        .map(|unique| format!("{RUN_PREFIX}{unique}"))
        .ok_or_else(|| std::io::Error::other("an unexpected folder name"))?;
    let path = parent.join(name);
    std::fs::rename(setup.path(), &path)?;
    // Renamed: the guard of the old name has nothing left to remove.
    let _ = setup.keep();
    Ok(OwnedDir {
        path,
        owner: Some(owner),
    })
}

/// Creates `parent` if needed, and checks that it is a folder only its owner may change (in a
/// shared temporary directory, another user's could have folders swapped under a sandbox).
fn private_parent(parent: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(parent)?;
    let meta = std::fs::symlink_metadata(parent)?;
    #[cfg(unix)]
    let private = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 == 0;
    #[cfg(not(unix))]
    let private = true;
    if meta.is_dir() && private {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{} is not a private folder",
            parent.display()
        )))
    }
}

/// Removes the folders under `parent` whose sandbox has ended: a `run-` folder whose owner
/// file is not locked, or a folder still being set up after `abandoned`. A folder whose lock
/// cannot be tested is kept; a symbolic link is never followed. Returns how many were removed.
fn remove_stale(parent: &Path, abandoned: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let owner = if name.starts_with(RUN_PREFIX) {
            let Ok(owner) = std::fs::File::open(path.join(OWNER_LOCK)) else {
                continue;
            };
            // Locked: its sandbox runs (or the lock cannot be tested here).
            if owner.try_lock().is_err() {
                continue;
            }
            // Held until the folder is gone.
            Some(owner)
        } else if name.starts_with(SETUP_PREFIX) {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| at.elapsed().ok())
                .is_some_and(|age| age >= abandoned);
            if !old {
                continue;
            }
            None
        } else {
            continue;
        };
        if std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
        drop(owner);
    }
    removed
}

/// `name` reduced to safe characters, ending in an extension of `format`.
pub fn stored_name(name: &str, format: ImageFormat) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let safe: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = match safe.trim_matches('.') {
        "" => "image".to_string(),
        trimmed => trimmed.to_string(),
    };
    let ext = safe
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let matches = match format {
        ImageFormat::Jpeg => ext == "jpg" || ext == "jpeg",
        other => ext == other.extension(),
    };
    if matches {
        safe
    } else {
        format!("{safe}.{}", format.extension())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_safe_and_carry_the_real_type() {
        assert_eq!(stored_name("photo.png", ImageFormat::Png), "photo.png");
        assert_eq!(stored_name("photo.JPEG", ImageFormat::Jpeg), "photo.JPEG");
        assert_eq!(stored_name("photo.png", ImageFormat::Jpeg), "photo.png.jpg");
        assert_eq!(
            stored_name("../../etc/x y.gif", ImageFormat::Gif),
            "x_y.gif"
        );
        assert_eq!(stored_name("", ImageFormat::WebP), "image.webp");
    }

    fn upload(uploads: &Uploads, id: &str, size: usize) -> StoredUpload {
        let path = uploads.stage_path();
        std::fs::write(&path, vec![7u8; size]).unwrap();
        StoredUpload {
            file_id: id.into(),
            file_name: "a.png".into(),
            original_name: "a.png".into(),
            upload_path: None,
            format: ImageFormat::Png,
            path,
            size: size as u64,
            fingerprint: 1,
            average: None,
            stored_at: Instant::now(),
            stored_wall: SystemTime::now(),
        }
    }

    #[test]
    fn the_quota_counts_accepted_uploads() {
        let uploads = Uploads::new().unwrap();
        assert_eq!(
            uploads.insert(upload(&uploads, "file_1", 8), Some(1), (100, 10)),
            Ok(0)
        );
        let refused = upload(&uploads, "file_2", 8);
        let refused_path = refused.path.clone();
        assert_eq!(
            uploads.insert(refused, Some(1), (100, 10)),
            Err(StoreRefusal::QuotaSpent { quota: 1 })
        );
        assert!(!refused_path.exists(), "a refused file is removed");
        assert_eq!(uploads.accepted(), 1);
        assert!(matches!(
            uploads.get("file_1", Duration::from_secs(60)),
            Some(Lookup::Fresh(_))
        ));
        assert!(matches!(
            uploads.get("file_1", Duration::ZERO),
            Some(Lookup::Expired)
        ));
        assert!(uploads.get("file_1", Duration::from_secs(60)).is_none());
        assert_eq!(uploads.disk_used(), 0, "the expired file's bytes are freed");
    }

    #[test]
    fn files_live_on_disk_within_the_cap_and_go_with_the_store() {
        let uploads = Uploads::new().unwrap();
        let dir = uploads.dir().to_path_buf();
        let first = upload(&uploads, "file_1", 60);
        let first_path = first.path.clone();
        assert_eq!(uploads.insert(first, None, (100, 10)), Ok(0));
        assert_eq!(std::fs::read(&first_path).unwrap().len(), 60);
        assert_eq!(
            uploads.insert(upload(&uploads, "file_2", 41), None, (100, 10)),
            Err(StoreRefusal::DiskFull { limit: 100 })
        );
        assert_eq!(
            uploads.insert(upload(&uploads, "file_3", 40), None, (100, 10)),
            Ok(0)
        );
        assert_eq!(uploads.disk_used(), 100);
        assert_eq!(uploads.evict(Duration::ZERO), 2);
        assert!(!first_path.exists());
        drop(uploads);
        assert!(!dir.exists(), "the directory goes with the sandbox");
    }

    #[test]
    fn the_folders_of_sandboxes_that_ended_are_removed_and_running_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join(UPLOADS_PARENT);
        let running = owned_dir(&parent).unwrap();
        // Ended without removing its folder (a signal): the lock went with the process.
        let mut ended = owned_dir(&parent).unwrap();
        std::fs::write(ended.path.join("upload-0"), b"bytes").unwrap();
        drop(ended.owner.take());
        let ended_path = std::mem::take(&mut ended.path);
        std::mem::forget(ended);
        // Ended while setting up its folder.
        let setup = parent.join(".setup-abc");
        std::fs::create_dir(&setup).unwrap();
        // Not a sandbox's folder, and a link that must not be followed.
        let other = parent.join("keep-me");
        std::fs::create_dir(&other).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join(OWNER_LOCK), b"").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), parent.join("run-link")).unwrap();

        assert_eq!(
            remove_stale(&parent, SETUP_ABANDONED_AFTER),
            1,
            "the ended one"
        );
        assert!(!ended_path.exists() && setup.exists());
        assert_eq!(
            remove_stale(&parent, Duration::ZERO),
            1,
            "the abandoned setup"
        );
        assert!(!setup.exists());
        assert!(running.path.exists() && other.exists());
        assert!(outside.path().join(OWNER_LOCK).exists());
        let running_path = running.path.clone();
        drop(running);
        assert!(!running_path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_parent_others_may_change_is_not_used() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join(UPLOADS_PARENT);
        assert!(private_parent(&parent).is_ok());
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(owned_dir(&parent).is_err());
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path(), &link).unwrap();
        assert!(private_parent(&link).is_err(), "a link is not followed");
    }

    #[test]
    fn a_store_lives_under_the_shared_parent_and_takes_its_folder_with_it() {
        let uploads = Uploads::new().unwrap();
        let dir = uploads.dir().to_path_buf();
        assert_eq!(
            dir.parent().unwrap(),
            std::env::temp_dir().join(UPLOADS_PARENT)
        );
        assert!(dir.join(OWNER_LOCK).exists());
        drop(uploads);
        assert!(!dir.exists());
    }

    #[test]
    fn beyond_the_most_files_kept_the_oldest_are_forgotten_with_their_files() {
        let uploads = Uploads::new().unwrap();
        let keep = Duration::from_secs(60);
        let mut paths = Vec::new();
        let mut forgotten = 0;
        for n in 1..=5 {
            let next = upload(&uploads, &format!("file_{n}"), 10);
            paths.push(next.path.clone());
            forgotten += uploads.insert(next, None, (1000, 3)).unwrap();
        }
        assert_eq!(forgotten, 2);
        assert!(uploads.get("file_1", keep).is_none() && uploads.get("file_2", keep).is_none());
        assert!(
            !paths[0].exists() && !paths[1].exists(),
            "their files are removed"
        );
        for id in ["file_3", "file_4", "file_5"] {
            assert!(
                matches!(uploads.get(id, keep), Some(Lookup::Fresh(_))),
                "{id}"
            );
        }
        assert_eq!((uploads.disk_used(), uploads.accepted()), (30, 5));
    }

    #[test]
    fn pages_are_newest_first_and_a_delete_frees_its_file_and_its_quota() {
        let uploads = Uploads::new().unwrap();
        let keep = Duration::from_secs(60);
        let mut paths = Vec::new();
        for n in 1..=5 {
            let next = upload(&uploads, &format!("file_{n}"), 10);
            paths.push(next.path.clone());
            uploads.insert(next, Some(5), (1000, 10)).unwrap();
        }
        let ids =
            |files: Vec<StoredUpload>| files.into_iter().map(|f| f.file_id).collect::<Vec<_>>();
        let (total, first) = uploads.page(keep, 1, 2);
        assert_eq!(
            (total, ids(first)),
            (5, vec!["file_5".to_string(), "file_4".into()])
        );
        assert_eq!(ids(uploads.page(keep, 3, 2).1), vec!["file_1".to_string()]);
        assert!(uploads.page(keep, 4, 2).1.is_empty());
        assert_eq!(
            uploads.page(Duration::ZERO, 1, 2).0,
            0,
            "expired files are not listed"
        );

        assert_eq!(uploads.accepted(), 5);
        let deleted = uploads.remove("file_4", keep).unwrap();
        assert_eq!(deleted.file_id, "file_4");
        assert!(!paths[3].exists(), "its file is removed");
        assert_eq!((uploads.accepted(), uploads.disk_used()), (4, 40));
        assert!(uploads.get("file_4", keep).is_none());
        assert!(uploads.remove("file_4", keep).is_none(), "deleted already");
        assert!(uploads.remove("file_9", keep).is_none(), "never stored");
        assert_eq!(
            ids(uploads.page(keep, 1, 2).1),
            vec!["file_5".to_string(), "file_3".into()]
        );
        // The freed slot takes another upload under a quota of 5.
        uploads
            .insert(upload(&uploads, "file_6", 10), Some(5), (1000, 10))
            .unwrap();
        assert!(
            uploads.remove("file_1", Duration::ZERO).is_none(),
            "an expired file is gone"
        );
        assert_eq!(
            uploads.accepted(),
            5,
            "an expired upload keeps counting, as before"
        );
    }
}
