//! Files uploaded to the sandbox's file service: kept in memory for the upload TTL (72 h, as
//! the real service), counted against the upload quota.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use nanobanana_api::download::ImageFormat;
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
    /// The bytes.
    pub bytes: Bytes,
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
}

/// The uploads, and how many were ever accepted (what the quota counts).
#[derive(Debug, Default)]
pub struct Uploads {
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    files: HashMap<String, StoredUpload>,
    accepted: u64,
}

impl Uploads {
    /// Stores `upload` unless `quota` uploads were already accepted.
    pub fn insert(&self, upload: StoredUpload, quota: Option<u64>) -> Result<(), StoreRefusal> {
        let mut held = self.held.lock().expect("uploads");
        if let Some(quota) = quota {
            if held.accepted >= quota {
                return Err(StoreRefusal::QuotaSpent { quota });
            }
        }
        held.accepted += 1;
        held.files.insert(upload.file_id.clone(), upload);
        Ok(())
    }

    /// Uploads accepted so far.
    pub fn accepted(&self) -> u64 {
        self.held.lock().expect("uploads").accepted
    }

    /// The upload `file_id`: `Some(Ok)` while fresh, `Some(Err(()))` once past `ttl` (it is
    /// then forgotten), `None` when unknown.
    pub fn get(&self, file_id: &str, ttl: Duration) -> Option<Result<StoredUpload, ()>> {
        let files = &mut self.held.lock().expect("uploads").files;
        let upload = files.get(file_id)?;
        if upload.stored_at.elapsed() < ttl {
            Some(Ok(upload.clone()))
        } else {
            files.remove(file_id);
            Some(Err(()))
        }
    }

    /// Forgets uploads past `ttl`; returns how many.
    pub fn evict(&self, ttl: Duration) -> usize {
        let files = &mut self.held.lock().expect("uploads").files;
        let before = files.len();
        files.retain(|_, upload| upload.stored_at.elapsed() < ttl);
        before - files.len()
    }
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

    #[test]
    fn the_quota_counts_accepted_uploads() {
        let uploads = Uploads::default();
        let upload = |id: &str| StoredUpload {
            file_id: id.into(),
            file_name: "a.png".into(),
            original_name: "a.png".into(),
            upload_path: None,
            format: ImageFormat::Png,
            bytes: Bytes::from_static(b"\x89PNG\r\n\x1a\n"),
            stored_at: Instant::now(),
            stored_wall: SystemTime::now(),
        };
        assert_eq!(uploads.insert(upload("file_1"), Some(1)), Ok(()));
        assert_eq!(
            uploads.insert(upload("file_2"), Some(1)),
            Err(StoreRefusal::QuotaSpent { quota: 1 })
        );
        assert_eq!(uploads.accepted(), 1);
        assert!(uploads
            .get("file_1", Duration::from_secs(60))
            .unwrap()
            .is_ok());
        assert!(uploads.get("file_1", Duration::ZERO).unwrap().is_err());
        assert!(uploads.get("file_1", Duration::from_secs(60)).is_none());
    }
}
