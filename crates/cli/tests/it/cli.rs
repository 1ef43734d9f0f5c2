//! The `nanobanana` binary as a user runs it: against the embedded sandbox with no key, and
//! against a sandbox with faults to check each documented error's exit code.

use std::path::Path;
use std::process::{Command, Output};

use nanobanana_sandbox::{Fault, SandboxHandle};
use nanobanana_test_kit::sandbox::start_keyed;
// The only key the keyed sandboxes accept; no output may ever contain it.
use nanobanana_test_kit::{png_size, write_png, KEY as SECRET};

/// Runs the binary with a clean environment (no key, no base URL) plus `env`.
fn nanobanana(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Output {
    let mut command = crate::common::nanobanana_in(dir);
    command
        .args(args)
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the binary runs")
}

/// Runs the binary off the async runtime, so an in-process sandbox keeps serving.
async fn nanobanana_async(
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: std::path::PathBuf,
) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        nanobanana(&args, &env, &dir)
    })
    .await
    .unwrap()
}

/// A fast sandbox that accepts only [`SECRET`].
async fn keyed_sandbox() -> SandboxHandle {
    keyed_sandbox_at(0.002).await
}

/// A sandbox that accepts only [`SECRET`], its tasks taking 45 s × `time_scale`.
async fn keyed_sandbox_at(time_scale: f64) -> SandboxHandle {
    start_keyed(time_scale).await
}

/// The environment that points the binary at `sandbox` (both services) with [`SECRET`].
fn env_for(sandbox: &SandboxHandle) -> Vec<(String, String)> {
    [
        ("EVOLINK_API_KEY", SECRET),
        ("EVOLINK_BASE_URL", sandbox.base_url()),
        ("EVOLINK_FILES_BASE_URL", sandbox.files_base_url()),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .to_vec()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn without_a_key_generate_uses_the_embedded_sandbox_and_leaves_a_real_png() {
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(
        &["generate", "A cat playing in the grass", "-o", "cat.png"],
        &[],
        dir.path(),
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "cat.png");
    assert_eq!(png_size(&dir.path().join("cat.png")), (2048, 2048));
    assert!(
        stderr.contains("local sandbox") && stderr.contains("EVOLINK_API_KEY"),
        "{stderr}"
    );
    // stderr is a pipe here: no progress bar, no escape sequences or carriage returns.
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\r'),
        "{stderr:?}"
    );
}

#[test]
fn size_and_quality_set_the_png_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    for (size, quality, expected) in [
        ("16:9", "1K", (1024, 576)),
        ("9:16", "1K", (576, 1024)),
        ("3:2", "2K", (2048, 1365)),
        ("1:1", "4K", (4096, 4096)),
    ] {
        let name = format!("{}-{quality}.png", size.replace(':', "x"));
        let output = nanobanana(
            &[
                "generate",
                "a fox",
                "--size",
                size,
                "--quality",
                quality,
                "-o",
                &name,
            ],
            &[],
            dir.path(),
        );
        assert!(output.status.success(), "{}", text(&output).1);
        assert_eq!(
            png_size(&dir.path().join(&name)),
            expected,
            "{size} {quality}"
        );
    }
}

#[test]
fn json_output_and_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(
        &[
            "generate",
            "a fox",
            "--quality",
            "1K",
            "--out-dir",
            "images",
            "--json",
        ],
        &[],
        dir.path(),
    );
    assert!(output.status.success(), "{}", text(&output).1);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["sandbox"], true);
    let file = summary["files"][0].as_str().unwrap();
    // --out-dir keeps the service's own type: a JPEG, as the real service returns.
    assert!(
        file.starts_with("images/task-unified-") && file.ends_with("-0.jpg"),
        "{file}"
    );
    let bytes = std::fs::read(dir.path().join(file)).unwrap();
    assert!(bytes.starts_with(b"\xFF\xD8\xFF"));
}

#[test]
fn an_existing_output_is_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cat.png"), b"mine").unwrap();
    let output = nanobanana(&["generate", "a cat", "-o", "cat.png"], &[], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let (_, stderr) = text(&output);
    assert!(stderr.contains("--force"));
    // Said as a person would: which file, and what to do; not the operating system's words.
    assert!(
        stderr.contains("error: cat.png already exists; pass --force to overwrite it"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("entity") && !stderr.contains("refusing"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.path().join("cat.png")).unwrap(), b"mine");
}

#[test]
fn usage_and_validation_errors_exit_2_and_3_without_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let bad_size = nanobanana(&["generate", "a cat", "--size", "7:5"], &[], dir.path());
    assert_eq!(bad_size.status.code(), Some(2), "{}", text(&bad_size).1);
    let long = "x".repeat(2001);
    let too_long = nanobanana(&["generate", &long], &[], dir.path());
    assert_eq!(too_long.status.code(), Some(3), "{}", text(&too_long).1);
    assert!(text(&too_long).1.contains("prompt"));
    // The default model takes 14 images, gemini-3-pro-image-preview 10.
    let images = |n: usize| -> Vec<String> {
        (0..n)
            .flat_map(|i| ["--image".to_string(), format!("https://e.com/{i}.png")])
            .collect()
    };
    let fifteen = images(15);
    let mut args = vec!["generate", "edit"];
    args.extend(fifteen.iter().map(String::as_str));
    let too_many = nanobanana(&args, &[], dir.path());
    assert_eq!(too_many.status.code(), Some(3));
    assert!(
        text(&too_many).1.contains("at most 14"),
        "{}",
        text(&too_many).1
    );
    let eleven = images(11);
    let mut args = vec!["generate", "edit", "--model", "nano-banana-pro-beta"];
    args.extend(eleven.iter().map(String::as_str));
    let too_many_for_pro = nanobanana(&args, &[], dir.path());
    assert_eq!(too_many_for_pro.status.code(), Some(3));
    let (_, stderr) = text(&too_many_for_pro);
    assert!(
        stderr.contains("at most 10") && stderr.contains("nano-banana-pro-beta"),
        "{stderr}"
    );
    let http_callback = nanobanana(
        &[
            "generate",
            "a cat",
            "--callback-url",
            "http://example.com/hook",
        ],
        &[],
        dir.path(),
    );
    assert_eq!(http_callback.status.code(), Some(3));
}

#[test]
fn help_documents_the_exit_codes() {
    let output = nanobanana(&["--help"], &[], Path::new("."));
    let (stdout, _) = text(&output);
    for line in [
        "3  invalid request",
        "4  authentication",
        "5  insufficient quota",
        "6  rate limited",
        "7  server or network error",
        "8  the task failed",
    ] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_error_maps_to_its_exit_code_and_never_shows_the_key() {
    let sandbox = keyed_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_for(&sandbox);
    let args = |extra: &[&str]| {
        let mut args: Vec<String> = ["generate", "a cat", "--retries", "0", "--quality", "1K"]
            .map(String::from)
            .to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    for (status, code) in [
        (400, 3),
        (401, 4),
        (402, 5),
        (403, 4),
        (404, 3),
        (413, 3),
        (429, 6),
        (500, 7),
        (502, 7),
        (503, 7),
    ] {
        sandbox.inject(Fault::Status(status));
        let output = nanobanana_async(
            args(&["--out-dir", "x"]),
            env.clone(),
            dir.path().to_path_buf(),
        )
        .await;
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(code), "HTTP {status}: {stderr}");
        assert!(stderr.contains(&format!("HTTP {status}")), "{stderr}");
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "key printed for {status}"
        );
    }

    // A wrong key is the documented 401 too.
    let wrong = vec![
        ("EVOLINK_API_KEY".to_string(), "sk-wrong".to_string()),
        env[1].clone(),
    ];
    let output = nanobanana_async(args(&[]), wrong, dir.path().to_path_buf()).await;
    assert_eq!(output.status.code(), Some(4), "{}", text(&output).1);

    // A task that fails.
    sandbox.inject(Fault::FailTask);
    let output = nanobanana_async(
        args(&["--out-dir", "x"]),
        env.clone(),
        dir.path().to_path_buf(),
    )
    .await;
    assert_eq!(output.status.code(), Some(8), "{}", text(&output).1);
    assert!(text(&output).1.contains("service_error"));

    // And the happy path through the same sandbox, then `task get` / `task wait` on it.
    let output = nanobanana_async(
        args(&["--json", "--out-dir", "ok"]),
        env.clone(),
        dir.path().to_path_buf(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output).1);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let id = summary["task_id"].as_str().unwrap().to_string();
    let got = nanobanana_async(
        vec!["task".into(), "get".into(), id.clone()],
        env.clone(),
        dir.path().to_path_buf(),
    )
    .await;
    assert!(got.status.success(), "{}", text(&got).1);
    let task: serde_json::Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(
        (task["id"].as_str(), task["status"].as_str()),
        (Some(id.as_str()), Some("completed"))
    );
    let waited = nanobanana_async(
        vec![
            "task".into(),
            "wait".into(),
            id,
            "--out-dir".into(),
            "again".into(),
        ],
        env,
        dir.path().to_path_buf(),
    )
    .await;
    assert!(waited.status.success(), "{}", text(&waited).1);
    assert_eq!(
        std::fs::read_dir(dir.path().join("again")).unwrap().count(),
        1
    );
}

#[test]
fn task_commands_need_a_key() {
    let output = nanobanana(&["task", "get", "task-unified-1"], &[], Path::new("."));
    assert_eq!(output.status.code(), Some(4));
    assert!(text(&output).1.contains("EVOLINK_API_KEY"));
}

#[test]
fn a_local_image_is_uploaded_then_edited_on_the_embedded_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    write_png(&dir.path().join("photo.png"));
    let output = nanobanana(
        &[
            "generate",
            "make it a watercolor",
            "--image",
            "./photo.png",
            "--quality",
            "1K",
            "-o",
            "out.png",
        ],
        &[],
        dir.path(),
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "out.png");
    assert!(
        stderr.contains("uploaded ./photo.png -> http://127.0.0.1:"),
        "{stderr}"
    );
    assert_eq!(png_size(&dir.path().join("out.png")), (1024, 1024));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_flags_mix_urls_and_files_and_bad_files_send_nothing() {
    let sandbox = keyed_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    write_png(&dir.path().join("photo.png"));
    std::fs::write(dir.path().join("notes.png"), "just text").unwrap();
    let env = env_for(&sandbox);
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = ["generate", "edit", "--quality", "1K", "--json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        nanobanana_async(args, env.clone(), dir.path().to_path_buf())
    };

    // A file that is not an image, a missing file, fifteen images: refused, nothing sent.
    for extra in [
        vec!["--image", "notes.png"],
        vec!["--image", "https://e.com/a.png", "--image", "missing.png"],
        ["--image", "photo.png"].repeat(15),
    ] {
        let output = run(&extra).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(3), "{extra:?}: {stderr}");
        assert!(!stderr.contains(SECRET));
    }
    let refused = sandbox.stats();
    assert_eq!((refused.uploads, refused.creates), (0, 0), "{refused:?}");

    let output = run(&[
        "--image",
        "https://example.com/ref.webp",
        "--image",
        "photo.png",
    ])
    .await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["status"], "completed");
    assert_eq!(sandbox.stats().uploads, 1);
    assert_eq!(sandbox.stats().creates, 1);
    assert!(!stderr.contains(SECRET) && !stdout.contains(SECRET));
}

#[test]
fn nano_banana_2_draws_a_banner_at_its_extreme_ratio_and_lowest_quality() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "generate",
        "a banner",
        "--model",
        "gemini-3.1-flash-image-preview",
        "--size",
        "1:8",
        "--quality",
        "0.5K",
        "-o",
        "banner.png",
    ];
    let output = nanobanana(&args, &[], dir.path());
    assert!(output.status.success(), "{}", text(&output).1);
    // 1:8 with a 512 px long edge.
    assert_eq!(png_size(&dir.path().join("banner.png")), (64, 512));

    // The same flags with a model that does not take 1:8: refused, naming what it takes.
    let mut pro = args.to_vec();
    pro[3] = "gemini-3-pro-image-preview";
    let refused = nanobanana(&pro, &[], dir.path());
    assert_eq!(refused.status.code(), Some(3));
    let (_, stderr) = text(&refused);
    assert!(
        stderr.contains("`size` is `1:8`")
            && stderr.contains("gemini-3-pro-image-preview")
            && stderr.contains("21:9"),
        "{stderr}"
    );
}

#[test]
fn models_lists_the_generated_table_and_any_model_name_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(&["models", "--json"], &[], dir.path());
    assert!(output.status.success());
    let table: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let models = table.as_array().unwrap();
    assert_eq!(models.len(), nanobanana_api::lineup::MODELS.len());
    assert_eq!(models[0]["model"], "gemini-3.1-flash-image-preview");
    assert_eq!(models[0]["max_images"], 14);
    assert_eq!(models[0]["sizes"].as_array().unwrap().len(), 15);

    let listed = nanobanana(&["models"], &[], dir.path());
    let (stdout, _) = text(&listed);
    assert!(
        stdout.contains("gemini-3.1-flash-image-preview (default)"),
        "{stdout}"
    );

    // A model no current page lists stays, marked as such.
    let unlisted = models
        .iter()
        .find(|m| m["model"] == "nano-banana-2-lite")
        .unwrap();
    assert_eq!(unlisted["listed_upstream"], false);
    assert!(
        stdout.contains("nano-banana-2-lite\n")
            && stdout.contains("not in Evolink's model index: still sent as is"),
        "{stdout}"
    );
    // Each model's parameters and default quality, as flags a person types.
    let pro = models
        .iter()
        .find(|m| m["model"] == "gemini-3-pro-image-preview")
        .unwrap();
    assert_eq!(pro["model_params"], serde_json::json!(["web_search"]));
    assert_eq!(pro["default_quality"], "2K");
    assert!(
        stdout.contains("model_params: --thinking auto|min|high, --web-search, --image-search")
            && stdout.contains("qualities: 1K (default 1K)"),
        "{stdout}"
    );

    // A model this version does not list is sent as is: the embedded sandbox answers like the
    // API does for a name it does not know.
    let unknown = nanobanana(
        &["generate", "a cat", "--model", "nano-banana-3"],
        &[],
        dir.path(),
    );
    let (_, stderr) = text(&unknown);
    assert_eq!(unknown.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("nano-banana-3"), "{stderr}");
    // The SDK points a program at its model table; the command points a person at its own.
    assert!(stderr.contains("`nanobanana models`"), "{stderr}");
    assert!(!stderr.contains("nanobanana_api::"), "{stderr}");
}

#[test]
fn a_wrong_quality_lists_the_accepted_values_without_internal_names() {
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(&["generate", "a cat", "--quality", "8K"], &[], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let (_, stderr) = text(&output);
    assert!(
        stderr.contains("`8K` is not a valid quality; use one of: 0.5K, 1K, 2K, 4K"),
        "{stderr}"
    );
    assert!(!stderr.contains("ImageQuality"), "{stderr}");
}

/// Starts `nanobanana` with `args` against `env`, stderr piped, stdout discarded.
fn spawn(args: &[&str], env: &[(String, String)], dir: &Path) -> std::process::Child {
    let mut command = crate::common::nanobanana_in(dir);
    command
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("the binary starts")
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_generate_prints_how_to_resume_and_the_resume_gets_the_image() {
    use std::io::BufReader;
    // Tasks of 45 simulated seconds at 0.1: 4.5 s, long enough to interrupt the wait.
    let sandbox = keyed_sandbox_at(0.1).await;
    let env = env_for(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = spawn(&["generate", "a cat", "-o", "cat.png"], &env, &path);
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        // The task id and the resume command arrive as soon as the create returns.
        let seen = crate::common::read_until(&mut stderr, "resume with:");
        crate::common::signal(&child, "-INT");
        crate::common::finish(child, stderr, seen)
    })
    .await
    .unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("keeps running and is billed"), "{stderr}");
    assert!(!stderr.contains(SECRET));
    assert!(!dir.path().join("cat.png").exists());

    // The printed command, run as printed, picks the task up and saves the image.
    let resume = stderr
        .lines()
        .last()
        .and_then(|l| l.split("Get its image with: nanobanana ").nth(1))
        .unwrap_or_else(|| panic!("no resume command in: {stderr}"))
        .to_string();
    assert!(resume.starts_with("task wait task-unified-"), "{resume}");
    assert!(resume.ends_with("-o cat.png"), "{resume}");
    let output = nanobanana_async(
        resume.split(' ').map(String::from).collect(),
        env_for(&sandbox),
        dir.path().to_path_buf(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(png_size(&dir.path().join("cat.png")), (2048, 2048));
    assert_eq!(sandbox.stats().creates, 1, "nothing was paid for twice");
}

#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nanobanana"))
            .args(["models", "--json"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is read, as `| head -0` does.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_say_what_happened_and_what_to_do() {
    let sandbox = keyed_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: Vec<(String, String)>| {
        nanobanana_async(
            args.iter().map(|s| s.to_string()).collect(),
            env,
            dir.path().to_path_buf(),
        )
    };

    // An unknown task: advice about task ids, none about models.
    let output = run(&["task", "get", "task-unified-0-nope"], env_for(&sandbox)).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("Check the task id"), "{stderr}");
    assert!(!stderr.contains("model"), "{stderr}");

    // A URL with another scheme is refused as a URL, not looked for as a file.
    let output = run(
        &["generate", "edit", "--image", "ftp://host/photo.png"],
        vec![],
    )
    .await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("scheme `ftp`"), "{stderr}");
    assert!(!stderr.contains("no such file"), "{stderr}");

    // A bad file service address names its variable and a right example.
    let mut env = env_for(&sandbox);
    env.retain(|(k, _)| k != "EVOLINK_FILES_BASE_URL");
    env.push(("EVOLINK_FILES_BASE_URL".into(), "files.example".into()));
    let output = run(&["credits"], env).await;
    let (_, stderr) = text(&output);
    assert!(
        stderr.contains("EVOLINK_FILES_BASE_URL")
            && stderr.contains("https://files-api.evolink.ai"),
        "{stderr}"
    );

    // Nothing listening: the cause is shown, and the exit code is README's network code.
    let output = run(
        &["credits", "--retries", "0"],
        vec![
            ("EVOLINK_API_KEY".into(), SECRET.into()),
            (
                "EVOLINK_BASE_URL".into(),
                format!("http://{}", crate::common::closed_port_address()),
            ),
        ],
    )
    .await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
    assert!(stderr.contains("Nothing is listening there"), "{stderr}");

    // `-o` naming a directory is refused before anything is created, even with --force.
    std::fs::create_dir(dir.path().join("shots")).unwrap();
    let before = sandbox.stats().creates;
    let output = run(
        &["generate", "a cat", "-o", "shots", "--force"],
        env_for(&sandbox),
    )
    .await;
    let (_, stderr) = text(&output);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("--out-dir"), "{stderr}");
    assert_eq!(sandbox.stats().creates, before, "nothing was created");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_killed_mid_run_finishes_on_rerun_without_paying_twice() {
    let sandbox = keyed_sandbox_at(0.05).await;
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..8)
        .map(|i| format!("{{\"prompt\": \"banner {i}\", \"quality\": \"1K\", \"output\": \"banner-{i}.png\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("banners.jsonl"), lines).unwrap();
    let ledger = dir.path().join("banners-images/nanobanana-batch.jsonl");

    // Killed (SIGKILL: no chance to clean up) while tasks are running, some images saved and
    // some not. The kill lands mid-wait; a kill with a create on the wire is recovered by the
    // key the ledger holds before sending (sdk_batch's
    // a_create_whose_answer_was_lost_is_resent_on_rerun_with_its_recorded_key).
    let env = env_for(&sandbox);
    let path = dir.path().to_path_buf();
    let watched = ledger.clone();
    tokio::task::spawn_blocking(move || {
        let mut child = spawn(
            &["batch", "banners.jsonl", "--concurrency", "2"],
            &env,
            &path,
        );
        let started = std::time::Instant::now();
        let submitted = || {
            std::fs::read_to_string(&watched)
                // Lines with a task (a create's key is recorded before it is sent, without one).
                .map(|t| {
                    t.lines()
                        .filter(|l| l.contains("\"task_id\"") && !l.contains("\"completed\""))
                        .count()
                })
                .unwrap_or(0)
        };
        // Four submitted (concurrency 2, tasks of 2.25 s): the third and fourth are waiting,
        // the first two done or nearly; the kill lands mid-wait.
        while submitted() < 4 {
            assert!(started.elapsed() < std::time::Duration::from_secs(30));
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    })
    .await
    .unwrap();
    let after_kill = sandbox.stats().creates;
    assert!(
        (2..8).contains(&after_kill),
        "{after_kill} created before the kill"
    );

    // The same command again: every line gets its image, nothing is created twice.
    let run = || {
        nanobanana_async(
            ["batch", "banners.jsonl", "--concurrency", "2"]
                .map(String::from)
                .to_vec(),
            env_for(&sandbox),
            dir.path().to_path_buf(),
        )
    };
    let output = run().await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    // The summary counts the whole batch, and says what this run added.
    assert!(stdout.starts_with("8 of 8 done ("), "{stdout}");
    assert!(stdout.contains("by this run"), "{stdout}");
    assert!(stdout.contains(", 0 failed"), "{stdout}");
    for i in 0..8 {
        let file = dir.path().join(format!("banners-images/banner-{i}.png"));
        assert_eq!(png_size(&file), (1024, 1024), "{}", file.display());
    }
    assert_eq!(sandbox.stats().creates, 8, "0 duplicate creates");
    println!("batch kill -9: {after_kill} of 8 created before the kill, 8 after the rerun");

    // A finished batch reruns for free and reports every item done.
    let output = run().await;
    let (stdout, _) = text(&output);
    assert!(
        stdout.starts_with("8 of 8 done (0 by this run, 8 by earlier runs), 0 failed;"),
        "{stdout}"
    );
    assert!(!stdout.contains("credits used"), "{stdout}");
    assert_eq!(sandbox.stats().creates, 8);

    // Against another server, the unfinished tasks of a ledger cannot be resumed: said before
    // anything is sent. (A finished ledger has none: mark one line unfinished.)
    let text_of_ledger = std::fs::read_to_string(&ledger).unwrap();
    let first_submitted = text_of_ledger
        .lines()
        .find(|l| !l.contains("\"completed\""))
        .unwrap()
        .to_string();
    std::fs::write(&ledger, format!("{first_submitted}\n")).unwrap();
    // Its images go with the lines the ledger no longer lists (else they are files the batch
    // did not save, refused before anything is sent).
    for i in 0..8 {
        std::fs::remove_file(dir.path().join(format!("banners-images/banner-{i}.png"))).unwrap();
    }
    let other = keyed_sandbox().await;
    let output = nanobanana_async(
        ["batch", "banners.jsonl"].map(String::from).to_vec(),
        env_for(&other),
        dir.path().to_path_buf(),
    )
    .await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("created on {}", sandbox.base_url())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("this client sends to {}", other.base_url())),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert_eq!(other.stats().creates + other.stats().task_queries, 0);
    assert!(
        other.requests().is_empty(),
        "not even the credits: {:?}",
        other.requests()
    );
}

#[test]
fn every_bad_batch_line_is_reported_by_number_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"prompt\": \"ok\"}\n{\"prompt\": \"x\", \"model\": \"gemini-3-pro-image-preview\", \"size\": \"1:8\"}\nnot json\n{\"prompt\": \"y\", \"quality\": \"8K\"}\n",
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    // All three, in one pass, each with its number and what is wrong.
    assert!(stderr.contains("line 2 of b.jsonl: size"), "{stderr}");
    assert!(stderr.contains("`1:8`"), "{stderr}");
    assert!(stderr.contains("line 3, column 2 of b.jsonl"), "{stderr}");
    assert!(stderr.contains("line 4, column 32 of b.jsonl"), "{stderr}");
    assert!(stderr.contains("8K"), "{stderr}");
    assert!(
        stderr.contains("has 3 lines that are not valid requests"),
        "{stderr}"
    );
    // Nothing ran: not even the embedded sandbox was started.
    assert!(!stderr.contains("local sandbox"), "{stderr}");
    assert!(!dir.path().join("b-images").exists());
}

#[test]
fn nano_banana_2_lite_makes_an_image_on_the_embedded_sandbox_and_refuses_4k_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let made = nanobanana(
        &[
            "generate",
            "x",
            "--model",
            "gemini-3.1-flash-lite-image",
            "-o",
            "x.png",
        ],
        &[],
        dir.path(),
    );
    let (_, stderr) = text(&made);
    assert!(made.status.success(), "{stderr}");
    let png = std::fs::read(dir.path().join("x.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let refused = nanobanana(
        &[
            "generate",
            "x",
            "--model",
            "gemini-3.1-flash-lite-image",
            "--quality",
            "4K",
            "-o",
            "y.png",
        ],
        &[],
        dir.path(),
    );
    let (_, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("nothing was sent")
            && stderr.contains("gemini-3.1-flash-lite-image")
            && stderr.contains("4K"),
        "{stderr}"
    );
    assert!(!dir.path().join("y.png").exists());
}

#[tokio::test]
async fn files_quota_reports_the_sandbox_quota_and_counts_uploads() {
    let sandbox = nanobanana_sandbox::Sandbox::start(nanobanana_sandbox::SandboxConfig {
        time_scale: 0.002,
        api_key: Some(SECRET.into()),
        upload_quota: Some(5),
        ..nanobanana_sandbox::SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let quota = |dir: std::path::PathBuf| {
        nanobanana_async(
            ["files", "quota", "--json"].map(String::from).to_vec(),
            env_for(&sandbox),
            dir,
        )
    };
    let output = quota(dir.path().to_path_buf()).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(answer["max_files"], 5, "{stdout}");
    assert_eq!(answer["used_files"], 0, "{stdout}");
    assert_eq!(answer["is_custom"], true, "{stdout}");

    std::fs::write(dir.path().join("in.png"), nanobanana_test_kit::SAMPLES[0].1).unwrap();
    let edit = nanobanana_async(
        ["generate", "edit", "--image", "in.png", "-o", "out.png"]
            .map(String::from)
            .to_vec(),
        env_for(&sandbox),
        dir.path().to_path_buf(),
    )
    .await;
    assert!(edit.status.success(), "{}", text(&edit).1);
    let answer: serde_json::Value =
        serde_json::from_slice(&quota(dir.path().to_path_buf()).await.stdout).unwrap();
    assert_eq!(
        (answer["used_files"].clone(), answer["remain_files"].clone()),
        (1.into(), 4.into())
    );

    let human = nanobanana_async(
        ["files", "quota"].map(String::from).to_vec(),
        env_for(&sandbox),
        dir.path().to_path_buf(),
    )
    .await;
    let (stdout, _) = text(&human);
    assert!(
        stdout.contains("1 stored of at most 5, 4 more uploads possible"),
        "{stdout}"
    );
}

#[tokio::test]
async fn files_list_shows_an_image_generate_uploaded_and_files_delete_removes_it() {
    let sandbox = nanobanana_sandbox::Sandbox::start(nanobanana_sandbox::SandboxConfig {
        time_scale: 0.002,
        api_key: Some(SECRET.into()),
        ..nanobanana_sandbox::SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        nanobanana_async(
            args.iter().map(|a| a.to_string()).collect(),
            env_for(&sandbox),
            dir.path().to_path_buf(),
        )
    };
    std::fs::write(dir.path().join("in.png"), nanobanana_test_kit::SAMPLES[0].1).unwrap();
    let edit = run(&["generate", "edit", "--image", "in.png", "-o", "out.png"]).await;
    assert!(edit.status.success(), "{}", text(&edit).1);

    let listed = run(&["files", "list", "--json"]).await;
    let (stdout, stderr) = text(&listed);
    assert!(listed.status.success(), "{stderr}");
    let page: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (page["total"].clone(), page["page"].clone()),
        (1.into(), 1.into()),
        "{stdout}"
    );
    let file = &page["files"][0];
    assert_eq!(file["file_name"], "in.png", "{stdout}");
    assert_eq!(
        file["file_size"],
        nanobanana_test_kit::SAMPLES[0].1.len(),
        "{stdout}"
    );
    let id = file["file_id"].as_str().unwrap().to_string();

    let table = run(&["files", "list"]).await;
    let (stdout, _) = text(&table);
    let header = stdout.lines().next().unwrap();
    for column in ["ID", "NAME", "SIZE", "UPLOADED", "EXPIRES"] {
        assert!(header.contains(column), "{stdout}");
    }
    assert!(
        stdout.contains(&id) && stdout.contains("in.png"),
        "{stdout}"
    );
    assert!(
        stdout.contains("files 1-1 of 1") && stdout.contains("nanobanana files delete"),
        "{stdout}"
    );

    let deleted = run(&["files", "delete", &id]).await;
    let (stdout, stderr) = text(&deleted);
    assert!(deleted.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("deleted {id}")), "{stdout}");
    let page: serde_json::Value =
        serde_json::from_slice(&run(&["files", "list", "--json"]).await.stdout).unwrap();
    assert_eq!(page["total"], 0);
    assert_eq!(page["files"], serde_json::json!([]));

    let again = run(&["files", "delete", &id]).await;
    let (_, stderr) = text(&again);
    assert_eq!(again.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("No stored file has this id")
            && stderr.contains(&id)
            && stderr.contains("`nanobanana files list` shows the stored files"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("ListFiles") && !stderr.contains("Error::"),
        "{stderr}"
    );

    let too_many = run(&["files", "list", "--page-size", "101"]).await;
    let (_, stderr) = text(&too_many);
    assert_eq!(too_many.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--page-size"), "{stderr}");
}

#[test]
fn counts_out_of_range_are_refused_in_words_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let negative = nanobanana(&["credits", "--retries", "-1"], &[], dir.path());
    let (_, stderr) = text(&negative);
    assert_eq!(negative.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--retries") && stderr.contains("not a whole number of 0 or more"),
        "{stderr}"
    );
    assert!(!stderr.contains("unexpected argument"), "{stderr}");

    std::fs::write(dir.path().join("jobs.jsonl"), "{\"prompt\": \"a fox\"}\n").unwrap();
    let none = nanobanana(
        &["batch", "jobs.jsonl", "--concurrency", "0"],
        &[],
        dir.path(),
    );
    let (_, stderr) = text(&none);
    assert_eq!(none.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--concurrency") && stderr.contains("use 1 or more"),
        "{stderr}"
    );
    assert!(!dir.path().join("jobs-images").exists(), "nothing ran");
}

/// `nanobanana sandbox` on free ports with `extra` flags, its stderr lines after its export
/// line, and that line.
fn sandbox_process(
    dir: &Path,
    extra: &[&str],
) -> (
    std::process::Child,
    std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
    String,
) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nanobanana"))
        .args(["sandbox", "--port", "0", "--files-port", "0"])
        .args(extra)
        .current_dir(dir)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let export = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|line| line.contains("export "))
        .expect("an export line");
    (child, lines, export)
}

#[test]
fn the_sandbox_prints_the_key_it_accepts_in_its_export_line() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _, export) = sandbox_process(dir.path(), &["--api-key", "sk-right"]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(export.contains("EVOLINK_API_KEY=sk-right"), "{export}");
    assert!(!export.contains("EVOLINK_API_KEY=sandbox"), "{export}");
}

#[test]
fn a_sandbox_port_in_use_is_named_with_the_flag_that_moves_it() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = nanobanana(
        &["sandbox", "--port", "0", "--files-port", &port],
        &[],
        dir.path(),
    );
    let (_, stderr) = text(&output);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")) && stderr.contains("--files-port"),
        "{stderr}"
    );
    assert!(!stderr.contains("--port)"), "{stderr}");
}

#[test]
fn with_json_a_failure_is_one_json_object_on_stdout_and_the_sentence_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(
        &[
            "generate",
            "a banner",
            "--model",
            "gemini-3-pro-image-preview",
            "--size",
            "1:8",
            "--json",
        ],
        &[],
        dir.path(),
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let error = &answer["error"];
    assert_eq!(error["type"], "invalid_request", "{stdout}");
    assert_eq!(error["param"], "size", "{stdout}");
    assert_eq!(error["exit_code"], 3, "{stdout}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("gemini-3-pro-image-preview"),
        "{stdout}"
    );
    assert!(stderr.contains("error:"), "{stderr}");

    // `task get` answers in JSON always, so its failures do too.
    let missing = nanobanana(&["task", "get", "task-unified-0-nope"], &[], dir.path());
    let (stdout, stderr) = text(&missing);
    assert_ne!(missing.status.code(), Some(0), "{stderr}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(answer["error"]["type"].is_string(), "{stdout}");
}

#[tokio::test]
async fn two_batches_started_together_on_one_ledger_create_each_task_once() {
    let sandbox = keyed_sandbox_at(0.02).await;
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..12)
        .map(|i| format!("{{\"prompt\": \"banner {i}\", \"quality\": \"1K\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("banners.jsonl"), lines).unwrap();
    let run = || {
        nanobanana_async(
            ["batch", "banners.jsonl", "--concurrency", "4"]
                .map(String::from)
                .to_vec(),
            env_for(&sandbox),
            dir.path().to_path_buf(),
        )
    };
    let (first, second) = tokio::join!(run(), run());
    let outcomes = [text(&first), text(&second)];
    let refused: Vec<&(String, String)> = outcomes
        .iter()
        .filter(|(_, stderr)| stderr.contains("in use by another batch"))
        .collect();
    // One ran; the other either refused at once (naming the ledger and the process) or, had
    // the first already finished, found everything done.
    assert!(first.status.success() || second.status.success());
    for (_, stderr) in &refused {
        assert!(
            stderr.contains("nanobanana-batch.jsonl") && stderr.contains("(process "),
            "{stderr}"
        );
    }
    assert_eq!(
        sandbox.stats().creates,
        12,
        "each line created once: {outcomes:?}"
    );
    let images = std::fs::read_dir(dir.path().join("banners-images"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.ends_with(".png") || name.ends_with(".jpg")
        })
        .count();
    assert_eq!(images, 12);
}

#[tokio::test]
async fn messages_speak_the_users_words_not_the_generators() {
    let sandbox = keyed_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        nanobanana_async(
            args.iter().map(|s| s.to_string()).collect(),
            env_for(&sandbox),
            dir.path().to_path_buf(),
        )
    };
    // A task id that is not one: refused before sending, in words.
    let output = run(&["task", "get", "../../etc"]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("task_id") && stderr.contains("task-unified-"),
        "{stderr}"
    );
    assert!(!stderr.contains("GetTaskDetailTaskId"), "{stderr}");
    assert!(!stderr.contains("spec/openapi.yaml"), "{stderr}");

    // `-o` with a name of no image type: refused before anything is created.
    let output = run(&["generate", "a cat", "-o", "out.txt"]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("out.txt") && stderr.contains(".png"),
        "{stderr}"
    );
    assert_eq!(sandbox.stats().creates, 0);

    // A model that takes no quality says so plainly.
    let output = run(&[
        "generate",
        "a cat",
        "--model",
        "gemini-2.5-flash-image",
        "--quality",
        "2K",
    ])
    .await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("takes no quality"), "{stderr}");
    assert!(!stderr.contains("the limit is leave"), "{stderr}");
}

#[tokio::test]
async fn the_sandbox_prints_a_line_per_request_naming_what_it_refused_and_each_callback() {
    let dir = tempfile::tempdir().unwrap();
    let extra = [
        "--log-format",
        "text",
        "--allow-insecure-callbacks",
        "--time-scale",
        "0.01",
    ];
    let (mut child, mut lines, export) = sandbox_process(dir.path(), &extra);
    // A receiver that is not there: the callback is given up after its retries (7 s × 0.01).
    let hook = format!(
        "http://{}/hook?token=s3cret",
        crate::common::closed_port_address()
    );
    let base = export
        .split_whitespace()
        .find_map(|word| word.strip_prefix("EVOLINK_BASE_URL="))
        .unwrap()
        .to_string();
    let http = reqwest::Client::new();
    let send = |body: serde_json::Value| {
        http.post(format!("{base}/v1/images/generations"))
            .bearer_auth("sk-any")
            .json(&body)
            .send()
    };
    let ok = send(
        serde_json::json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": hook}),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let refused =
        send(serde_json::json!({"model": "nano-banana-2-lite", "prompt": "a cat", "size": "1:8"}))
            .await
            .unwrap();
    assert_eq!(refused.status(), 400);
    let printed: Vec<String> = tokio::task::spawn_blocking(move || {
        lines
            .by_ref()
            .map(Result::unwrap)
            .filter(|line| line.starts_with("POST ") || line.starts_with("callback "))
            .take(3)
            .collect()
    })
    .await
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        printed[0].starts_with("POST /v1/images/generations 200 ")
            && printed[0].contains("task-unified-"),
        "{printed:?}"
    );
    assert!(
        printed[1].starts_with("POST /v1/images/generations 400 ")
            && printed[1].contains("refused `size`"),
        "{printed:?}"
    );
    let task = printed[0]
        .split_whitespace()
        .find(|w| w.starts_with("task-unified-"));
    assert!(
        printed[2].starts_with(&format!("callback of {} to POST http://", task.unwrap()))
            && printed[2].contains(
                "/hook?…: given up after 4 attempts; the last got no answer: could not connect"
            ),
        "{printed:?}"
    );
    assert!(!printed[2].contains("s3cret"), "{printed:?}");
}

#[test]
fn configuration_messages_name_the_variables_a_person_sets_not_the_sdks_types() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // The key over plain http to a host that is not this machine.
        (
            ("EVOLINK_BASE_URL", "http://192.0.2.1"),
            "set EVOLINK_ALLOW_INSECURE_HTTP=1",
        ),
        (
            ("EVOLINK_CA_CERT", "/nonexistent/ca.pem"),
            "set with EVOLINK_CA_CERT",
        ),
    ];
    for (setting, words) in cases {
        let output = nanobanana(
            &["credits"],
            &[("EVOLINK_API_KEY", SECRET), setting],
            dir.path(),
        );
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(words), "{stderr}");
        assert!(
            !stderr.contains("::"),
            "an SDK item named to a person: {stderr}"
        );
        assert!(!stderr.contains(SECRET), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_create_answer_still_ends_with_the_image_and_one_task() {
    let sandbox = keyed_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    // The create's task is made, then the connection closes without its answer.
    sandbox.inject(Fault::Drop);
    let args: Vec<String> = ["generate", "a cat", "--quality", "1K", "--out-dir", "x"]
        .map(String::from)
        .to_vec();
    let output = nanobanana_async(args, env_for(&sandbox), dir.path().to_path_buf()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let file = dir.path().join(stdout.trim());
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    assert!(size > 0, "the image on disk: {stdout} {stderr}");
    assert_eq!(sandbox.stats().creates, 1, "one task");
    let creates: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("create_image_generation"))
        .collect();
    assert_eq!(creates.len(), 2, "sent, then resent: {creates:#?}");
    let key = creates[0]
        .idempotency_key
        .clone()
        .expect("a key on the create");
    assert_eq!(
        creates[1].idempotency_key.as_ref(),
        Some(&key),
        "the same key"
    );
    assert!(creates[1].replayed);
    assert!(stderr.contains("not billed twice"), "{stderr}");

    // A script that runs the same command twice with its own key pays once.
    let keyed = |prompt: &str| -> Vec<String> {
        [
            "generate",
            prompt,
            "--quality",
            "1K",
            "--out-dir",
            "y",
            "--force",
            "--idempotency-key",
            "run-7",
        ]
        .map(String::from)
        .to_vec()
    };
    for _ in 0..2 {
        let output =
            nanobanana_async(keyed("a dog"), env_for(&sandbox), dir.path().to_path_buf()).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output).1);
    }
    assert_eq!(
        sandbox.stats().creates,
        2,
        "the second run got the first's task"
    );
    // The same key for another image is refused, saying what to do.
    let output =
        nanobanana_async(keyed("a bird"), env_for(&sandbox), dir.path().to_path_buf()).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("use a new key for a new image"), "{stderr}");
}
