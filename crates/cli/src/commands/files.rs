//! `nanobanana files quota|list|delete`: the file service, where local input images are
//! uploaded.

use crate::connection::connect;
use crate::error::CliError;
use crate::output;
use crate::settings::Settings;

/// `nanobanana files quota`.
pub async fn quota(settings: &Settings) -> Result<(), CliError> {
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let quota = connection
        .query(
            "the file quota",
            &connection.files_base_url,
            client.files().quota(),
        )
        .await?;
    if settings.json {
        return output::print_json(&quota);
    }
    let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
    let group = quota
        .user_group
        .as_ref()
        .map(|g| g.to_string())
        .unwrap_or_else(|| "?".into());
    let mut out = format!(
        "files: {} stored of at most {}, {} more uploads possible
group: {group}",
        show(quota.used_files),
        show(quota.max_files),
        show(quota.remain_files),
    );
    match (quota.is_custom, quota.quota_reason.as_deref()) {
        (Some(true), Some(reason)) if !reason.is_empty() => {
            out.push_str(&format!(" (a quota of its own: {reason})"));
        }
        (Some(true), _) => out.push_str(" (a quota of its own)"),
        _ => {}
    }
    out.push_str(
        "
Uploaded files count until they expire, 72 h after upload, or are deleted (nanobanana files delete ID).
",
    );
    output::print(&out)
}

/// `nanobanana files list`: one page of the stored files, newest first, as a table.
pub async fn list(page: u64, page_size: u64, settings: &Settings) -> Result<(), CliError> {
    use nanobanana_api::files::ListFiles;
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let files = client.files();
    let listed = connection
        .query(
            "the list of stored files",
            &connection.files_base_url,
            files.list(ListFiles::default().page(page).page_size(page_size)),
        )
        .await?;
    if settings.json {
        return output::print_json(&serde_json::json!({
            "total": listed.total,
            "page": listed.page,
            "page_size": listed.page_size,
            "files": listed.files,
        }));
    }
    output::print(&file_table(&listed))
}

/// The files of `listed` as a table (id, name, size, uploaded, expires), with a line on the
/// page and what to do next.
fn file_table(listed: &nanobanana_api::files::FilePage) -> String {
    let total = listed.total.map(|t| format!(" of {t}")).unwrap_or_default();
    if listed.files.is_empty() {
        return match listed.page {
            1 => "No stored files: `nanobanana generate --image ./photo.png …` uploads a local image.\n"
                .to_string(),
            n => format!(
                "No files on page {n}{}: try a lower --page.\n",
                listed
                    .total
                    .map(|t| format!(" ({t} stored in all)"))
                    .unwrap_or_default()
            ),
        };
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<[String; 5]> = listed
        .files
        .iter()
        .map(|f| {
            [
                f.file_id.clone(),
                text(&f.file_name),
                f.file_size.map(human_size).unwrap_or_else(|| "-".into()),
                text(&f.upload_time),
                text(&f.expires_at),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "SIZE", "UPLOADED", "EXPIRES"];
    let mut out = super::table::table(header, &rows);
    let first = (listed.page - 1) * listed.page_size + 1;
    let last = first + listed.files.len() as u64 - 1;
    out.push_str(&format!(
        "files {first}-{last}{total} (page {}).",
        listed.page
    ));
    if let Some(next) = listed.next_page().map(|_| listed.page + 1) {
        out.push_str(&format!(" Next page: --page {next}."));
    }
    out.push_str(" Delete one with: nanobanana files delete ID\n");
    out
}

/// `bytes` for people: 512 B, 12.5 KB, 3.2 MB.
fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

/// `nanobanana files delete ID`.
pub async fn delete(file_id: &str, settings: &Settings) -> Result<(), CliError> {
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let files = client.files();
    connection
        .query(
            &format!("the deletion of {file_id}"),
            &connection.files_base_url,
            files.delete(file_id),
        )
        .await?;
    output::print(&format!(
        "deleted {file_id} from {}: its link no longer works and it no longer counts against the file quota.\n",
        connection.files_base_url
    ))
}
