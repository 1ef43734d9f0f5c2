//! What a person sees, in a real browser: the sandbox's page at `/__sandbox/` and a batch's
//! contact sheet, loaded by headless Chromium (Debian's package) through playwright-core
//! (`tests/browser/inspect.mjs`). Each check reads the page's text and asks the browser
//! whether every `<img>` loaded; screenshots are left in `target/browser/` to look at.
//!
//! Needs `chromium` and `npm ci --prefix tests/browser`, which `.ci/run` installs and then runs
//! these with `--ignored`: a plain `cargo test` lists them as ignored, with that reason. Run
//! with `--ignored` and no browser, they say so and pass, except under CI (`CI` set), where
//! they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use nanobanana_sandbox::journal::CALLBACK_OPERATION;
use nanobanana_sandbox::{Sandbox, SandboxConfig};
use nanobanana_test_kit::sandbox::raw_create;
use nanobanana_test_kit::KEY;
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether the browser and playwright-core are here; under CI they must be.
fn browser_available() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let here = Path::new(&chromium).exists()
        && repo()
            .join("tests/browser/node_modules/playwright-core")
            .exists();
    if !here {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and `npm ci --prefix tests/browser` (see .ci/run)"
        );
        eprintln!("skipped: no chromium or playwright-core here (install: apt-get install chromium; npm ci --prefix tests/browser)");
    }
    here
}

/// Loads `url` in headless Chromium at `width` px wide; what it saw, and a screenshot at
/// `target/browser/<name>.png`.
fn inspect(url: &str, name: &str, width: u32) -> Value {
    let shots = repo().join("target/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(format!("{name}.png"));
    let output = Command::new("node")
        .arg(repo().join("tests/browser/inspect.mjs"))
        .args([url, shot.to_str().unwrap(), &width.to_string(), "900"])
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(shot.exists());
    serde_json::from_slice(&output.stdout).unwrap()
}

fn assert_every_image_loaded(seen: &Value) -> usize {
    let images = seen["images"].as_array().unwrap();
    for image in images {
        assert!(
            image["naturalWidth"].as_u64().unwrap() > 0,
            "an image did not load: {image}"
        );
    }
    images.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and playwright-core: .ci/run installs them and runs these with --ignored"]
async fn the_sandbox_page_shows_tasks_refusals_callbacks_and_result_images_in_a_browser() {
    if !browser_available() {
        return;
    }
    let sandbox = Sandbox::start(SandboxConfig {
        api_key: Some(KEY.into()),
        time_scale: 0.0005,
        allow_insecure_callbacks: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut journal = sandbox.watch_requests();
    // Its callback goes where nobody listens: given up after its retries (7 s × 0.0005).
    let hook = format!("http://{}/hook", crate::common::closed_port_address());
    let (status, created, _) = raw_create(
        &sandbox,
        json!({"model": "gemini-3.1-flash-image-preview", "prompt": "a lighthouse at dawn", "size": "16:9", "quality": "1K", "callback_url": hook}),
    )
    .await;
    assert_eq!(status, 200);
    let task_id = created["id"].as_str().unwrap().to_string();
    let (status, refused, _) = raw_create(
        &sandbox,
        json!({"model": "gemini-3-pro-image-preview", "prompt": "a banner", "size": "1:8"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["param"], "size");
    // The task completes, so its result shows.
    nanobanana_test_kit::sandbox::fast_client(&sandbox)
        .wait(task_id.as_str())
        .await
        .unwrap();
    while journal.recv().await.unwrap().operation.as_deref() != Some(CALLBACK_OPERATION) {}

    let page = format!("{}/__sandbox/", sandbox.base_url());
    for (name, width) in [("sandbox-page", 1280), ("sandbox-page-phone", 390)] {
        let seen = tokio::task::spawn_blocking({
            let page = page.clone();
            move || inspect(&page, name, width)
        })
        .await
        .unwrap();
        assert_eq!(seen["status"], 200);
        let text = seen["text"].as_str().unwrap();
        assert!(text.contains(&task_id), "{text}");
        assert!(text.contains("a lighthouse at dawn"), "{text}");
        assert!(text.contains("16:9 × 1K"), "{text}");
        // The refusal and the callback given up: their rows are highlighted, the refusal's
        // names the field and the size, the callback's where it went and what came of it.
        let refused_rows = seen["refusedRows"].as_array().unwrap();
        assert_eq!(refused_rows.len(), 2, "{seen}");
        let row = refused_rows[0].as_str().unwrap();
        assert!(row.contains("400") && row.contains("size"), "{row}");
        assert!(row.contains("1:8"), "{row}");
        // with what was sent, open below the request.
        assert!(row.contains(r#""prompt": "a banner""#), "{row}");
        let row = refused_rows[1].as_str().unwrap();
        assert!(row.contains(&hook), "{row}");
        assert!(row.contains("given up after 4 attempts"), "{row}");
        assert_eq!(
            assert_every_image_loaded(&seen),
            1,
            "the result's thumbnail"
        );
    }
}

#[test]
#[ignore = "needs chromium and playwright-core: .ci/run installs them and runs these with --ignored"]
fn a_batch_leaves_a_contact_sheet_with_every_prompt_its_images_and_the_failure() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("posters.jsonl"),
        [
            r#"{"prompt": "a red fox in the snow", "quality": "1K"}"#,
            r#"{"prompt": "a blue whale, very tall", "size": "1:4", "quality": "1K", "output": "whale.png"}"#,
            r#"{"prompt": "a storm [sandbox:fail]", "quality": "1K"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let output = crate::common::nanobanana_in(dir.path())
        .args(["batch", "posters.jsonl", "--out-dir", "out"])
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("2 of 3 done"), "{stdout}");
    let sheet = dir.path().join("out/index.html");
    let seen = inspect(
        &format!("file://{}", sheet.display()),
        "contact-sheet",
        1280,
    );
    let text = seen["text"].as_str().unwrap();
    for prompt in [
        "a red fox in the snow",
        "a blue whale, very tall",
        "a storm [sandbox:fail]",
    ] {
        assert!(text.contains(prompt), "{prompt}: {text}");
    }
    assert!(text.contains("content_policy_violation"), "{text}");
    assert!(text.contains("1:4 × 1K · line 2"), "{text}");
    // Each image's card shows what its task reserved (from the batch's ledger); the failed
    // card names no task, so no credits.
    assert_eq!(text.matches("1.6 credits reserved").count(), 2, "{text}");
    assert_eq!(assert_every_image_loaded(&seen), 2);
    // Relative links: the folder works anywhere.
    let images: Vec<&str> = seen["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["src"].as_str().unwrap())
        .collect();
    assert!(images.contains(&"./whale.png"), "{images:?}");
    // Each source is `./` and a name in this folder: never a scheme, never another folder.
    assert!(
        images
            .iter()
            .all(|src| src.starts_with("./") && !src[2..].contains('/')),
        "{images:?}"
    );

    // `generate --out-dir` into that folder adds its image to the sheet.
    let output = Command::new(env!("CARGO_BIN_EXE_nanobanana"))
        .args([
            "generate",
            "a green owl",
            "--quality",
            "1K",
            "--out-dir",
            "out",
        ])
        .current_dir(dir.path())
        .env_remove("EVOLINK_API_KEY")
        .env_remove("EVOLINK_BASE_URL")
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen = inspect(
        &format!("file://{}", sheet.display()),
        "contact-sheet-after-generate",
        1280,
    );
    assert!(seen["text"].as_str().unwrap().contains("a green owl"));
    assert_eq!(assert_every_image_loaded(&seen), 3);
}
