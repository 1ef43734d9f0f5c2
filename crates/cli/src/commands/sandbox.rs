//! `nanobanana sandbox`: a local stand-in for the API and its file service, one line per
//! request on stderr, until Ctrl-C or SIGTERM.

use std::time::Duration;

use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxTls};

use crate::args::SandboxArgs;
use crate::error::CliError;
use crate::output::{self, note};

/// One request as the sandbox's log line: method, path, status, duration, and what was refused;
/// or a callback it sent: to where, and what came of it.
fn request_line(entry: &nanobanana_sandbox::JournalEntry) -> String {
    if entry.operation.as_deref() == Some(nanobanana_sandbox::journal::CALLBACK_OPERATION) {
        let task = entry.task_id.as_deref().unwrap_or_default();
        let message = entry.message.as_deref().unwrap_or_default();
        return format!(
            "callback of {task} to {} {}: {message} ({} ms)",
            entry.method, entry.path, entry.duration_ms
        );
    }
    let mut line = format!(
        "{} {} {} {} ms",
        entry.method, entry.path, entry.status, entry.duration_ms
    );
    if let Some(task) = &entry.task_id {
        if !entry.path.ends_with(task.as_str()) {
            line.push_str(&format!(" {task}"));
        }
    }
    if let Some(fault) = &entry.fault {
        line.push_str(&format!(" (fault {fault})"));
    }
    if entry.status >= 400 {
        if let Some(param) = &entry.param {
            line.push_str(&format!(" refused `{param}`"));
        }
        if let Some(message) = &entry.message {
            line.push_str(&format!(": {message}"));
        }
    }
    line
}

/// Writes the sandbox's throwaway CA to a file that lives until the sandbox stops.
fn write_ca(pem: &str) -> Result<tempfile::NamedTempFile, CliError> {
    let io = |source| CliError::File {
        action: "cannot write the sandbox's CA certificate in the temporary folder",
        path: std::env::temp_dir(),
        source,
    };
    let mut file = tempfile::Builder::new()
        .prefix("nanobanana-sandbox-ca-")
        .suffix(".pem")
        .tempfile()
        .map_err(io)?;
    std::io::Write::write_all(&mut file, pem.as_bytes()).map_err(io)?;
    Ok(file)
}

/// How long a stopping sandbox waits for the last attempts of pending callbacks (one callback
/// timeout).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// `nanobanana sandbox`: serve until Ctrl-C or SIGTERM, then stop gracefully.
pub async fn sandbox(args: SandboxArgs) -> Result<(), CliError> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(SandboxTls::from_pem_files(cert, key).map_err(
            |reason| CliError::Tls {
                flags: "--tls-cert, --tls-key",
                reason,
            },
        )?),
        _ if args.tls => Some(SandboxTls::self_signed().map_err(|reason| CliError::Tls {
            flags: "--tls",
            reason: reason.to_string(),
        })?),
        _ => None,
    };
    // The throwaway CA goes to a file clients can point EVOLINK_CA_CERT at, removed on stop.
    let ca_file = match tls.as_ref().and_then(SandboxTls::ca_pem) {
        Some(pem) => Some(write_ca(pem)?),
        None => None,
    };
    // The key to export: the one this sandbox accepts, or any when it takes every key.
    let key = args.api_key.clone().unwrap_or_else(|| "sandbox".into());
    let config = SandboxConfig {
        addr: ([127, 0, 0, 1], args.port).into(),
        api_key: args.api_key,
        time_scale: args.time_scale,
        rate_limit_per_sec: args.rate_limit,
        allow_insecure_callbacks: args.allow_insecure_callbacks,
        link_ttl: Duration::from_secs(args.link_ttl),
        files_addr: ([127, 0, 0, 1], args.files_port).into(),
        upload_quota: args.upload_quota,
        fetch_remote_files: args.fetch_remote_files,
        result_format: args.result_format,
        max_tasks: args.max_tasks,
        max_uploads: args.max_uploads,
        upload_disk_limit: args.upload_disk_limit * 1024 * 1024,
        tls,
        ..SandboxConfig::default()
    };
    let (port, files_port) = (args.port, args.files_port);
    let sandbox = Sandbox::start(config).await.map_err(|source| {
        // Name the address that is taken and the flag that moves it.
        let taken =
            |port: u16| port != 0 && std::net::TcpListener::bind(("127.0.0.1", port)).is_err();
        let place = if taken(files_port) && !taken(port) {
            format!("127.0.0.1:{files_port} (the file service; choose another with --files-port)")
        } else if taken(port) && !taken(files_port) {
            format!("127.0.0.1:{port} (the API; choose another with --port)")
        } else {
            format!("127.0.0.1:{port} (--port) or 127.0.0.1:{files_port} (--files-port)")
        };
        CliError::CannotListen {
            address: place,
            source,
        }
    })?;
    let trust = ca_file
        .as_ref()
        .map(|ca| format!(" EVOLINK_CA_CERT={}", ca.path().display()))
        .unwrap_or_default();
    note!(
        "sandbox listening on {0} (file service on {1})\n  export EVOLINK_BASE_URL={0} EVOLINK_FILES_BASE_URL={1} EVOLINK_API_KEY={key}{trust}\nCtrl-C stops it.",
        sandbox.base_url(),
        sandbox.files_base_url()
    );
    if !args.quiet {
        let json = match args.log_format.as_deref() {
            Some(format) => format == "json",
            None => !std::io::IsTerminal::is_terminal(&std::io::stderr()),
        };
        let mut live = sandbox.watch_requests();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match live.recv().await {
                    Ok(entry) if json => {
                        if let Ok(line) = serde_json::to_string(&entry) {
                            eprintln!("{line}");
                        }
                    }
                    Ok(entry) => eprintln!("{}", output::printable(&request_line(&entry))),
                    Err(RecvError::Lagged(missed)) => {
                        eprintln!("({missed} requests not printed: too many at once)")
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }
    let signal = crate::signals::listen().next().await;
    note!("{signal}: stopping: open requests finish, callbacks of ended tasks get one last attempt (up to {} s)", SHUTDOWN_GRACE.as_secs());
    let stats = sandbox.shutdown_within(SHUTDOWN_GRACE).await;
    note!(
        "stopped after {} tasks, {} task queries, {} downloads, {} uploads; callbacks: {} delivered, {} given up, {} dropped (their task had not ended), {} still pending; uploads removed from disk",
        stats.creates,
        stats.task_queries,
        stats.file_downloads,
        stats.uploads,
        stats.callbacks_delivered,
        stats.callbacks_failed,
        stats.callbacks_dropped,
        stats.callbacks_pending,
    );
    Ok(())
}
