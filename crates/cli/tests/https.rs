//! HTTPS end to end, as every real call goes: the `nanobanana` binary, built with this crate's
//! TLS feature (native-tls by default; CI also runs this file with `--no-default-features
//! --features rustls`), against a sandbox serving both addresses over TLS with a throwaway CA.
//! Also: an untrusted certificate, `HTTPS_PROXY` through a CONNECT proxy on loopback, and the
//! key refused over plain http to another host.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle, SandboxTls};
use nanobanana_test_kit::sandbox::FAST;
use nanobanana_test_kit::{png_size, write_png, KEY};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A fast sandbox serving HTTPS on both addresses with a throwaway CA, and that CA in a file.
async fn https_sandbox(dir: &Path) -> (SandboxHandle, PathBuf) {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: FAST,
        api_key: Some(KEY.into()),
        tls: Some(SandboxTls::self_signed().unwrap()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
    assert!(sandbox.files_base_url().starts_with("https://127.0.0.1:"));
    let ca = dir.join("ca.pem");
    std::fs::write(
        &ca,
        sandbox.ca_pem().expect("a self-signed sandbox has a CA"),
    )
    .unwrap();
    (sandbox, ca)
}

/// Runs the binary off the async runtime (the in-process sandbox keeps serving) with a clean
/// environment: no proxy, no key, no addresses, plus `env`.
async fn nanobanana(args: &[&str], env: Vec<(String, String)>, dir: &Path) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nanobanana"));
        command.args(&args).current_dir(&dir);
        for var in [
            "EVOLINK_API_KEY",
            "EVOLINK_BASE_URL",
            "EVOLINK_FILES_BASE_URL",
            "EVOLINK_CA_CERT",
            "EVOLINK_ALLOW_INSECURE_HTTP",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
        ] {
            command.env_remove(var);
        }
        command.envs(env);
        command.output().expect("the binary runs")
    })
    .await
    .unwrap()
}

fn env(sandbox: &SandboxHandle, ca: Option<&Path>) -> Vec<(String, String)> {
    let mut env = vec![
        ("EVOLINK_API_KEY".to_string(), KEY.to_string()),
        ("EVOLINK_BASE_URL".into(), sandbox.base_url().into()),
        (
            "EVOLINK_FILES_BASE_URL".into(),
            sandbox.files_base_url().into(),
        ),
    ];
    if let Some(ca) = ca {
        env.push(("EVOLINK_CA_CERT".into(), ca.display().to_string()));
    }
    env
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn generate_uploads_waits_and_downloads_over_https_trusting_the_sandbox_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, ca) = https_sandbox(dir.path()).await;
    write_png(&dir.path().join("photo.png"));
    let output = nanobanana(
        &[
            "generate",
            "make it a watercolor",
            "--model",
            "gemini-3-pro-image-preview",
            "--quality",
            "1K",
            "--image",
            "photo.png",
            "-o",
            "out.png",
        ],
        env(&sandbox, Some(&ca)),
        dir.path(),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(png_size(&dir.path().join("out.png")), (1024, 1024));
    let stats = sandbox.stats();
    assert_eq!((stats.uploads, stats.creates), (1, 1), "{stats:?}");
    assert!(stats.file_downloads >= 1, "{stats:?}");
    assert!(!stderr(&output).contains(KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_is_named_with_how_to_trust_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, _) = https_sandbox(dir.path()).await;
    let output = nanobanana(&["credits"], env(&sandbox, None), dir.path()).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("certificate is not trusted"), "{text}");
    assert!(text.contains("EVOLINK_CA_CERT="), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_file_that_is_not_pem_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, _) = https_sandbox(dir.path()).await;
    let bogus = dir.path().join("ca.txt");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let output = nanobanana(&["credits"], env(&sandbox, Some(&bogus)), dir.path()).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("ca.txt") && text.contains("PEM"), "{text}");
    assert_eq!(sandbox.stats().task_queries, 0);
}

/// A CONNECT proxy on loopback: tunnels each connection to where it asks, counting tunnels.
async fn connect_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counted = tunnels.clone();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut line = String::new();
                client.read_line(&mut line).await.unwrap();
                let target = line
                    .strip_prefix("CONNECT ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .expect("a CONNECT request")
                    .to_string();
                loop {
                    let mut header = String::new();
                    client.read_line(&mut header).await.unwrap();
                    if header == "\r\n" || header.is_empty() {
                        break;
                    }
                }
                let mut upstream = TcpStream::connect(&target).await.unwrap();
                counted.fetch_add(1, Ordering::Relaxed);
                let mut client = client.into_inner();
                client
                    .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (address, tunnels)
}

#[tokio::test(flavor = "multi_thread")]
async fn https_proxy_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, ca) = https_sandbox(dir.path()).await;
    let (proxy, tunnels) = connect_proxy().await;
    let mut env = env(&sandbox, Some(&ca));
    env.push(("HTTPS_PROXY".into(), proxy));
    let output = nanobanana(
        &["generate", "a cat", "--quality", "1K", "-o", "cat.png"],
        env,
        dir.path(),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("cat.png").exists());
    assert!(
        tunnels.load(Ordering::Relaxed) >= 2,
        "the API and the result host go through the proxy: {} tunnels",
        tunnels.load(Ordering::Relaxed)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_goes_over_plain_http_only_to_this_machine_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: FAST,
        api_key: Some(KEY.into()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // 0.0.0.0 is not a loopback name, yet connecting to it reaches this machine: the refusal
    // is tested without any packet leaving.
    let port = sandbox.base_url().rsplit(':').next().unwrap().to_string();
    let mut env = env(&sandbox, None);
    env[1].1 = format!("http://0.0.0.0:{port}");
    let refused = nanobanana(&["credits"], env.clone(), dir.path()).await;
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let text = stderr(&refused);
    assert!(
        text.contains("plain http") && text.contains("0.0.0.0"),
        "{text}"
    );
    assert!(text.contains("EVOLINK_ALLOW_INSECURE_HTTP=1"), "{text}");
    assert!(!text.contains(KEY), "{text}");

    env.push(("EVOLINK_ALLOW_INSECURE_HTTP".into(), "1".into()));
    let allowed = nanobanana(&["credits"], env, dir.path()).await;
    assert!(allowed.status.success(), "{}", stderr(&allowed));
}
