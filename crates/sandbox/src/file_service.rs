//! The sandbox's file service, on its own address as the real one is on its own host: the
//! upload operations of the spec (the key is checked before them, see `routes`), and the stored
//! files served back until they expire (72 h). Errors are the spec's documented file-service
//! bodies (`{success, code, msg}`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nanobanana_api::{files::ImageFormat, files::MAX_IMAGE_BYTES, types};
use serde_json::Value;

use crate::address_policy::AddressPolicy;
use crate::answered_error::json_error;
use crate::contract::{documented_body, SpecOperation};
use crate::journal_body::{file_summary, SentBody};
use crate::state::{AppState, Counters};
use crate::uploads::{stored_name, Lookup, StoreRefusal, StoredUpload};

/// Where stored files are served, under the file service's address.
const FILES_PREFIX: &str = "/files/uploads";

/// Where stored files are served, under the file service's address.
pub(crate) const SERVED_FILES_ROUTE: &str = "/files/uploads/{file_id}/{name}";

/// The most files an account of the default user group stores (page `file-series/quota`).
pub const DEFAULT_MAX_FILES: u64 = 2000;

/// `GET /api/v1/files/quota`, from the sandbox's own counters: every accepted upload counts.
/// With an upload quota configured (`--upload-quota N`) the account has a quota of its own of
/// `N` files; without one it reports the default group's 2000 (and, so that long runs keep
/// uploading, does not refuse beyond it).
pub(crate) async fn quota(State(state): State<Arc<AppState>>) -> Json<types::FilesQuotaResponse> {
    let used = state.uploads.accepted();
    let custom = state.config.upload_quota;
    let max = custom.unwrap_or(DEFAULT_MAX_FILES);
    let count = |n: u64| Some(i64::try_from(n).unwrap_or(i64::MAX));
    Json(types::FilesQuotaResponse {
        success: Some(true),
        code: Some(200),
        msg: Some("success".into()),
        data: types::FilesQuota {
            user_group: Some(types::UserGroup::Default),
            used_files: count(used),
            max_files: count(max),
            remain_files: count(max.saturating_sub(used)),
            is_custom: Some(custom.is_some()),
            quota_reason: Some(match custom {
                Some(_) => "set with the sandbox's upload quota (--upload-quota)".into(),
                None => String::new(),
            }),
        },
    })
}

/// `GET /api/v1/files/list?page=&pageSize=`, from the sandbox's own store: the uploads kept,
/// newest first; `pageSize` 1 to 100 (20 when omitted), `page` from 1, else a 400.
pub(crate) async fn list_files(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Json<types::FileListResponse>, FileFailure> {
    const OP: SpecOperation = SpecOperation::ListFiles;
    let (mut page, mut page_size) = (1, 20);
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let (slot, range, limit) = match name.as_ref() {
            // An int64 in the spec: a page past its range is refused like any other bad value.
            "page" => (&mut page, 1..=i64::MAX as u64, "a page number from 1"),
            "pageSize" => (&mut page_size, 1..=100, "between 1 and 100"),
            _ => continue,
        };
        *slot = value
            .parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                FileFailure::new(OP, 400, format!("{name} must be {limit}, not `{value}`"))
            })?;
    }
    let (total, uploads) = state.uploads.page(state.config.upload_ttl, page, page_size);
    let files = uploads
        .iter()
        .map(|upload| {
            let file = describe(&state, upload);
            types::ListedFile {
                file_id: file.file_id,
                file_name: file.file_name,
                original_name: file.original_name,
                file_size: file.file_size,
                mime_type: file.mime_type,
                upload_path: file.upload_path,
                file_url: Some(file.file_url),
                download_url: file.download_url,
                upload_time: file.upload_time,
                expires_at: file.expires_at,
            }
        })
        .collect();
    let count = |n: u64| Some(i64::try_from(n).unwrap_or(i64::MAX));
    let nonzero = |n: u64| std::num::NonZeroU64::new(n);
    Ok(Json(types::FileListResponse {
        success: Some(true),
        code: Some(200),
        msg: Some("success".into()),
        data: types::FileList {
            total: count(total),
            page: nonzero(page),
            page_size: nonzero(page_size),
            files,
        },
    }))
}

/// `DELETE /api/v1/files/{file_id}`: removes a kept upload and its file (the quota's count
/// goes down); an id the sandbox does not keep is a 404.
pub(crate) async fn delete_file(
    State(state): State<Arc<AppState>>,
    Path(file_id): Path<String>,
) -> Result<Json<types::FileDeletedResponse>, FileFailure> {
    let Some(upload) = state.uploads.remove(&file_id, state.config.upload_ttl) else {
        return Err(FileFailure::new(
            SpecOperation::DeleteFile,
            404,
            format!("File not found: no stored file has the id `{file_id}`"),
        ));
    };
    tracing::info!(%file_id, file_name = upload.file_name, "file deleted");
    Ok(Json(types::FileDeletedResponse {
        success: Some(true),
        code: Some(200),
        msg: Some("success".into()),
    }))
}

/// Any other path of the file service's address.
pub(crate) async fn no_such_endpoint() -> FileFailure {
    FileFailure::new(SpecOperation::UploadUrl, 404, "No such endpoint")
}

/// A documented file-service error with a specific `msg`.
pub(crate) struct FileFailure {
    status: u16,
    body: Value,
}

impl FileFailure {
    fn new(op: SpecOperation, status: u16, msg: impl Into<String>) -> Self {
        let mut body = documented_body(op, status).unwrap_or_else(
            || serde_json::json!({"success": false, "code": status, "msg": "Error"}),
        );
        body["msg"] = Value::String(msg.into());
        Self { status, body }
    }
}

impl IntoResponse for FileFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_error(status, self.body)
    }
}

/// An image received by any upload operation, written to the upload directory, before it is
/// checked and stored.
struct Incoming {
    staged: Staged,
    name: String,
    upload_path: Option<String>,
    file_name: Option<String>,
}

/// A file being received: where it is written, its size so far, its first bytes (its type) and
/// its fingerprint.
struct Staged {
    path: std::path::PathBuf,
    file: tokio::fs::File,
    size: u64,
    head: Vec<u8>,
    fingerprint: u64,
}

impl Staged {
    async fn new(state: &AppState) -> Result<Self, FileFailure> {
        let path = state.uploads.stage_path();
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| disk_error(&e))?;
        Ok(Self {
            path,
            file,
            size: 0,
            head: Vec::new(),
            fingerprint: crate::images::seed_bytes(&[]),
        })
    }

    /// Appends `chunk`; past the size limit the file is removed and the answer is 413.
    async fn write(&mut self, op: SpecOperation, chunk: &[u8]) -> Result<(), FileFailure> {
        use tokio::io::AsyncWriteExt as _;
        self.size += chunk.len() as u64;
        if self.size > MAX_IMAGE_BYTES {
            self.discard().await;
            return Err(too_large(op));
        }
        let room = ImageFormat::SNIFF_LEN.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        self.fingerprint = crate::images::continue_seed(self.fingerprint, chunk);
        self.file.write_all(chunk).await.map_err(|e| disk_error(&e))
    }

    async fn discard(&self) {
        let _ = tokio::fs::remove_file(&self.path).await;
    }

    /// A staged file of `bytes` (a body already in memory: base64 or a download).
    async fn of(state: &AppState, op: SpecOperation, bytes: &[u8]) -> Result<Self, FileFailure> {
        let mut staged = Self::new(state).await?;
        staged.write(op, bytes).await?;
        Ok(staged)
    }
}

fn disk_error(e: &std::io::Error) -> FileFailure {
    FileFailure::new(
        SpecOperation::UploadStream,
        500,
        format!("The sandbox could not write the upload to its directory: {e}"),
    )
}

/// `POST /api/v1/files/upload/stream`
pub(crate) async fn upload_stream(
    State(state): State<Arc<AppState>>,
    Extension(sent): Extension<SentBody>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, FileFailure> {
    // The form as the journal keeps it, noted however reading it ends.
    let mut fields = serde_json::Map::new();
    let answer = read_form(&state, form, &mut fields).await;
    sent.note(Value::Object(fields));
    answer
}

/// Reads an upload form, noting each field in `fields` (the file as its name, type and size).
async fn read_form(
    state: &AppState,
    form: Result<Multipart, MultipartRejection>,
    fields: &mut serde_json::Map<String, Value>,
) -> Result<Response, FileFailure> {
    const OP: SpecOperation = SpecOperation::UploadStream;
    let mut form = form.map_err(|e| FileFailure::new(OP, 400, e.body_text()))?;
    let mut file: Option<(Staged, String)> = None;
    let mut upload_path = None;
    let mut file_name = None;
    while let Some(mut field) = form.next_field().await.map_err(|e| form_error(OP, &e))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let original = field.file_name().unwrap_or("image").to_string();
            // Streamed to disk a chunk at a time: an upload never sits whole in memory.
            let mut staged = Staged::new(state).await?;
            let read = loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if let Err(refused) = staged.write(OP, &chunk).await {
                            break Err(refused);
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => {
                        staged.discard().await;
                        break Err(form_error(OP, &e));
                    }
                }
            };
            let summary = file_summary(&original, staged.size, &staged.head);
            fields.insert(name, summary);
            read?;
            if let Some((previous, _)) = file.replace((staged, original)) {
                previous.discard().await;
            }
            continue;
        }
        let bytes = field.bytes().await.map_err(|e| form_error(OP, &e))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        fields.insert(name.clone(), Value::String(text.clone()));
        match name.as_str() {
            "upload_path" | "uploadPath" => upload_path = Some(text),
            "file_name" | "fileName" => file_name = Some(text),
            _ => {}
        }
    }
    let (staged, name) =
        file.ok_or_else(|| FileFailure::new(OP, 400, "The form has no `file` field"))?;
    let incoming = Incoming {
        staged,
        name,
        upload_path,
        file_name,
    };
    store(state, OP, incoming).await
}

/// `POST /api/v1/files/upload/url`
pub(crate) async fn upload_url(
    State(state): State<Arc<AppState>>,
    Extension(sent): Extension<SentBody>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FileFailure> {
    const OP: SpecOperation = SpecOperation::UploadUrl;
    {
        let body = read_body(OP, &sent, body)?;
        let request: types::UploadFileUrlRequest = json_body(OP, &body)?;
        let url = reqwest::Url::parse(&request.file_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| FileFailure::new(OP, 400, "`file_url` must be an http(s) URL"))?;
        let bytes = fetch(&state, &url).await?;
        let staged = Staged::of(&state, OP, &bytes).await?;
        let name = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .unwrap_or("image")
            .to_string();
        let incoming = Incoming {
            staged,
            name,
            upload_path: request.upload_path,
            file_name: request.file_name,
        };
        store(&state, OP, incoming).await
    }
}

/// A JSON upload's body; over the size limit, the documented 413 with the file service's JSON
/// error body (as every other of its errors), not axum's plain text.
fn read_body(
    op: SpecOperation,
    sent: &SentBody,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, FileFailure> {
    match body {
        Ok(body) => {
            sent.note_bytes(&body);
            Ok(body)
        }
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            sent.note("(over the size limit: not read)".into());
            Err(too_large(op))
        }
        Err(rejection) => Err(FileFailure::new(
            op,
            400,
            format!(
                "The request body could not be read: {}",
                rejection.body_text()
            ),
        )),
    }
}

/// A JSON request body as `T`; an explicit `null` is refused like a wrong type (no property
/// of the file service is nullable).
fn json_body<T: serde::de::DeserializeOwned>(
    op: SpecOperation,
    body: &[u8],
) -> Result<T, FileFailure> {
    let invalid = |e: String| FileFailure::new(op, 400, format!("Invalid request body: {e}"));
    let value: Value = serde_json::from_slice(body).map_err(|e| invalid(e.to_string()))?;
    if let Some((field, _)) = value
        .as_object()
        .and_then(|o| o.iter().find(|(_, v)| v.is_null()))
    {
        return Err(invalid(format!("`{field}` must not be null")));
    }
    serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
}

/// `POST /api/v1/files/upload/base64`
pub(crate) async fn upload_base64(
    State(state): State<Arc<AppState>>,
    Extension(sent): Extension<SentBody>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FileFailure> {
    const OP: SpecOperation = SpecOperation::UploadBase64;
    {
        let body = read_body(OP, &sent, body)?;
        let request: types::UploadFileBase64Request = json_body(OP, &body)?;
        // A data URL (`data:image/png;base64,...`) or the bare base64.
        let data = match request.base64_data.split_once(";base64,") {
            Some((prefix, data)) if prefix.starts_with("data:") => data,
            _ => request.base64_data.as_str(),
        };
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| FileFailure::new(OP, 400, format!("`base64_data` is not base64: {e}")))?;
        let staged = Staged::of(&state, OP, &bytes).await?;
        let incoming = Incoming {
            staged,
            name: "image".into(),
            upload_path: request.upload_path,
            file_name: request.file_name,
        };
        store(&state, OP, incoming).await
    }
}

/// The image at `url`: read from the store when it is one of this sandbox's own files (no
/// request to itself), else downloaded, at most `MAX_IMAGE_BYTES`.
async fn fetch(state: &AppState, url: &reqwest::Url) -> Result<Bytes, FileFailure> {
    const OP: SpecOperation = SpecOperation::UploadUrl;
    match own_file(state, url.as_str()) {
        OwnFile::Kept(upload) => {
            return tokio::fs::read(&upload.path)
                .await
                .map(Bytes::from)
                .map_err(|e| disk_error(&e));
        }
        OwnFile::Gone => {
            return Err(FileFailure::new(OP, 400, "`file_url` is an expired upload"));
        }
        OwnFile::Elsewhere => {}
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if !loopback && !state.config.fetch_remote_files {
        return Err(FileFailure::new(
            OP,
            400,
            "The sandbox fetches only its own files and loopback URLs (start it with --fetch-remote-files to fetch others)",
        ));
    }
    let policy = AddressPolicy::file_fetches(
        state.config.fetch_remote_files,
        state.config.allow_insecure_callbacks,
    );
    let refused = |forbidden: &crate::outbound::Forbidden| {
        FileFailure::new(
            OP,
            400,
            format!("Could not download `file_url`: {forbidden}"),
        )
    };
    crate::outbound::check_literal(policy, url).map_err(|f| refused(&f))?;
    let unreachable = |e: reqwest::Error| match crate::outbound::forbidden_in(&e) {
        Some(forbidden) => refused(forbidden),
        None => FileFailure::new(OP, 400, format!("Could not download `file_url`: {e}")),
    };
    let overrides = state.config.dns_overrides.clone().into();
    let mut response = crate::outbound::client(policy, overrides, Some(Duration::from_secs(30)))
        .map_err(|e| FileFailure::new(OP, 500, format!("Could not start a download: {e}")))?
        .get(url.clone())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(unreachable)?;
    if response.status().is_redirection() {
        return Err(FileFailure::new(
            OP,
            400,
            format!(
                "`file_url` answered {} (a redirect): the sandbox does not follow redirects; send the address the image is at",
                response.status()
            ),
        ));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > MAX_IMAGE_BYTES {
            return Err(too_large(OP));
        }
    }
    Ok(Bytes::from(bytes))
}

/// Checks and stores an image; the documented 200 body.
async fn store(
    state: &AppState,
    op: SpecOperation,
    incoming: Incoming,
) -> Result<Response, FileFailure> {
    let Incoming { mut staged, .. } = incoming;
    let Some(format) = ImageFormat::sniff(&staged.head) else {
        staged.discard().await;
        return Err(FileFailure::new(
            op,
            400,
            "Unsupported file type: only image/jpeg, image/png, image/gif and image/webp are accepted",
        ));
    };
    {
        use tokio::io::AsyncWriteExt as _;
        staged.file.flush().await.map_err(|e| disk_error(&e))?;
    }
    let n = Counters::bump(&state.counters.next_id);
    let seed = crate::images::seed(&format!("upload-{n}-{}", staged.size));
    let file_id = format!("file_{n}{seed:08x}");
    let original_name = incoming.name;
    let file_name = stored_name(
        incoming.file_name.as_deref().unwrap_or(&original_name),
        format,
    );
    let average = average_colour(&staged.path).await;
    let upload = StoredUpload {
        file_id: file_id.clone(),
        file_name: file_name.clone(),
        original_name,
        upload_path: incoming.upload_path,
        format,
        path: staged.path,
        size: staged.size,
        fingerprint: staged.fingerprint,
        average,
        stored_at: tokio::time::Instant::now(),
        stored_wall: SystemTime::now(),
    };
    let described = describe(state, &upload);
    state
        .uploads
        .insert(
            upload,
            state.config.upload_quota,
            (state.config.upload_disk_limit, state.config.max_uploads),
        )
        .map_err(|refusal| match refusal {
            StoreRefusal::QuotaSpent { quota } => FileFailure::new(
                op,
                403,
                format!("Upload quota exceeded: this account may upload {quota} files"),
            ),
            StoreRefusal::DiskFull { limit } => FileFailure::new(
                op,
                403,
                format!(
                    "Upload quota exceeded: the sandbox keeps at most {} MB of uploads (--upload-disk-limit); files go 72 h after upload",
                    limit / (1024 * 1024)
                ),
            ),
        })?;
    Counters::bump(&state.counters.uploads);
    tracing::info!(%file_id, file_name, "file uploaded");
    Ok(Json(types::FileUploadResponse {
        success: Some(true),
        code: Some(200),
        msg: Some("success".into()),
        data: described,
    })
    .into_response())
}

pub(crate) fn describe(state: &AppState, upload: &StoredUpload) -> types::UploadedFile {
    let base = state.files_base_url();
    let expires = upload.stored_wall + state.config.upload_ttl;
    types::UploadedFile {
        file_id: upload.file_id.clone(),
        file_name: Some(upload.file_name.clone()),
        original_name: Some(upload.original_name.clone()),
        file_size: Some(upload.size as i64),
        mime_type: Some(upload.format.mime_type().into()),
        upload_path: upload.upload_path.clone(),
        file_url: format!(
            "{base}{FILES_PREFIX}/{}/{}",
            upload.file_id, upload.file_name
        ),
        download_url: Some(format!("{base}/api/v1/files/download/{}", upload.file_id)),
        upload_time: Some(humantime::format_rfc3339_seconds(upload.stored_wall).to_string()),
        expires_at: Some(humantime::format_rfc3339_seconds(expires).to_string()),
    }
}

/// Whether a URL is one of this sandbox's stored files.
pub(crate) enum OwnFile {
    /// Not an address of this file service.
    Elsewhere,
    /// One of its files, still kept.
    Kept(StoredUpload),
    /// One of its addresses, but the file expired or never existed.
    Gone,
}

/// The average colour of the image at `path` (from a 16 × 16 thumbnail), when it decodes.
async fn average_colour(path: &std::path::Path) -> Option<[u8; 3]> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let image = image::ImageReader::open(&path)
            .ok()?
            .with_guessed_format()
            .ok()?
            .decode()
            .ok()?;
        let small = image.thumbnail(16, 16).to_rgb8();
        let count = u64::from(small.width() * small.height()).max(1);
        let mut sum = [0u64; 3];
        for pixel in small.pixels() {
            for (total, v) in sum.iter_mut().zip(pixel.0) {
                *total += u64::from(v);
            }
        }
        Some(sum.map(|total| (total / count) as u8))
    })
    .await
    .ok()
    .flatten()
}

/// What `url` is to this sandbox's file service.
pub(crate) fn own_file(state: &AppState, url: &str) -> OwnFile {
    let Some((file_id, name)) = url
        .strip_prefix(state.files_base_url())
        .and_then(|rest| rest.strip_prefix(FILES_PREFIX))
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.split_once('/'))
    else {
        return OwnFile::Elsewhere;
    };
    match state.uploads.get(file_id, state.config.upload_ttl) {
        Some(Lookup::Fresh(upload)) if upload.file_name == name => OwnFile::Kept(upload),
        _ => OwnFile::Gone,
    }
}

/// `GET /files/uploads/{file_id}/{name}`: a stored upload, at its `file_url`.
pub(crate) async fn serve(
    State(state): State<Arc<AppState>>,
    Path((file_id, name)): Path<(String, String)>,
) -> Response {
    match state.uploads.get(&file_id, state.config.upload_ttl) {
        Some(Lookup::Fresh(upload)) if upload.file_name == name => file_response(upload).await,
        Some(Lookup::Expired) => gone(),
        _ => missing(),
    }
}

/// `GET /api/v1/files/download/{file_id}`: a stored upload, at its `download_url`.
pub(crate) async fn download(
    State(state): State<Arc<AppState>>,
    Path(file_id): Path<String>,
) -> Response {
    match state.uploads.get(&file_id, state.config.upload_ttl) {
        Some(Lookup::Fresh(upload)) => file_response(upload).await,
        Some(Lookup::Expired) => gone(),
        None => missing(),
    }
}

/// The stored file, streamed from disk.
async fn file_response(upload: StoredUpload) -> Response {
    let Ok(file) = tokio::fs::File::open(&upload.path).await else {
        return missing();
    };
    Response::builder()
        .header(header::CONTENT_TYPE, upload.format.mime_type())
        .header(header::CONTENT_LENGTH, upload.size)
        .body(Body::from_stream(tokio_util::io::ReaderStream::new(file)))
        .expect("a valid response")
}

fn gone() -> Response {
    let body = serde_json::json!({"success": false, "code": 410, "msg": "This file has expired (uploads are kept 72 h)"});
    json_error(StatusCode::GONE, body)
}

fn missing() -> Response {
    let body = serde_json::json!({"success": false, "code": 404, "msg": "No such file"});
    json_error(StatusCode::NOT_FOUND, body)
}

fn too_large(op: SpecOperation) -> FileFailure {
    FileFailure::new(
        op,
        413,
        format!(
            "File too large, the limit is {MAX_IMAGE_BYTES} bytes ({} MB)",
            MAX_IMAGE_BYTES / (1024 * 1024)
        ),
    )
}

fn form_error(op: SpecOperation, error: &axum::extract::multipart::MultipartError) -> FileFailure {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(op)
    } else {
        FileFailure::new(op, 400, format!("Malformed form: {}", error.body_text()))
    }
}
