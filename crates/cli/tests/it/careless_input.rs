//! Careless and hostile input to `nanobanana`: batch output names that would overwrite the
//! ledger, the contact sheet or each other, a name made to look like a link, a local image
//! that is a FIFO, and bytes a terminal or a JSON reader chokes on.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// Runs the binary in `dir` with no key (the embedded sandbox, its tasks taking milliseconds)
/// plus `env`, ending it (and failing) if it runs past two minutes.
fn nanobanana(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Output {
    let mut command = crate::common::nanobanana_in(dir);
    command
        .args(args)
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary runs");
    let started = Instant::now();
    // A guard against a hang, not a timing assertion: the commands below end in well under it.
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("nanobanana {args:?} still running after 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A FIFO at `path` (opening it for reading would wait for a writer forever).
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_given_as_an_image_is_refused_at_once_in_generate_and_in_a_batch_line() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("fifo.png"));
    let output = nanobanana(
        &["generate", "x", "--image", "fifo.png", "--timeout", "2"],
        &[],
        dir.path(),
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("fifo.png"), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");

    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"prompt\": \"ok\"}\n{\"prompt\": \"edit\", \"images\": [\"fifo.png\"]}\n",
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("line 2 of b.jsonl"), "{stderr}");
    assert!(stderr.contains("fifo.png"), "{stderr}");
    assert!(!dir.path().join("b-images").exists(), "nothing ran");
}

#[test]
fn bad_output_names_are_refused_before_anything_is_sent_each_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // A batch that ran: its ledger and its image are in the folder.
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"prompt\": \"first\", \"quality\": \"1K\", \"output\": \"first.png\"}\n",
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    assert!(output.status.success(), "{}", text(&output).1);
    let images = dir.path().join("b-images");
    let ledger = images.join("nanobanana-batch.jsonl");
    let ledger_before = std::fs::read(&ledger).unwrap();
    // Its own image is no obstacle to a rerun.
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(std::fs::read(&ledger).unwrap(), ledger_before);

    // The user's own file in the folder, and lines naming everything that must not be taken.
    std::fs::write(images.join("keep.png"), "the user's own").unwrap();
    let long = format!("{}.png", "x".repeat(300));
    let lines = [
        r#"{"prompt": "first", "quality": "1K", "output": "first.png"}"#.to_string(),
        r#"{"prompt": "p2", "output": "nanobanana-batch.jsonl"}"#.to_string(),
        r#"{"prompt": "p3", "output": "index.html"}"#.to_string(),
        r#"{"prompt": "p4", "output": "twice.png"}"#.to_string(),
        r#"{"prompt": "p5", "output": "TWICE.png"}"#.to_string(),
        r#"{"prompt": "p6", "output": "nul\u0000.png"}"#.to_string(),
        r#"{"prompt": "p7", "output": "keep.png"}"#.to_string(),
        format!(r#"{{"prompt": "p8", "output": "{long}"}}"#),
        r#"{"prompt": "p9", "output": "CON.png"}"#.to_string(),
        r#"{"prompt": "p10", "output": "../up.png"}"#.to_string(),
        r#"{"prompt": "p11", "output": "fine.png"}"#.to_string(),
    ];
    std::fs::write(dir.path().join("b.jsonl"), lines.join("\n")).unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    for (line, says) in [
        (2, "ledger"),
        (3, "contact sheet"),
        (4, "is also the output of line 5"),
        (5, "is also the output of line 4"),
        (6, "control character"),
        (7, "already exists"),
        (8, "304 bytes"),
        (9, "Windows"),
        (10, "not a plain file name"),
    ] {
        let said = stderr
            .lines()
            .find(|l| l.contains(&format!("line {line} of b.jsonl: output")))
            .unwrap_or_else(|| panic!("line {line} not named: {stderr}"));
        assert!(said.contains(says), "line {line}: {said}");
    }
    assert!(stderr.contains("add --force"), "{stderr}");
    assert!(
        stderr.contains("has 9 lines that are not valid requests"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("line 1 of") && !stderr.contains("line 11 of"),
        "{stderr}"
    );
    assert!(!stderr.contains('\0'), "{stderr:?}");
    assert!(
        !stderr.contains("local sandbox"),
        "nothing started: {stderr}"
    );
    assert_eq!(
        std::fs::read(&ledger).unwrap(),
        ledger_before,
        "the ledger is intact"
    );
    assert_eq!(
        std::fs::read(images.join("keep.png")).unwrap(),
        b"the user's own"
    );

    // With --force the existing file is replaced; the rest of the rules still hold.
    std::fs::write(
        dir.path().join("b.jsonl"),
        [lines[0].as_str(), lines[6].as_str(), lines[10].as_str()].join("\n"),
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    assert_eq!(output.status.code(), Some(3), "{}", text(&output).1);
    let output = nanobanana(&["batch", "b.jsonl", "--force"], &[], dir.path());
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("3 of 3 done"), "{stdout}");
    assert_ne!(
        std::fs::read(images.join("keep.png")).unwrap(),
        b"the user's own"
    );
    nanobanana_test_kit::png_size(&images.join("keep.png"));
}

#[test]
fn the_users_own_index_html_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"prompt\": \"p\", \"quality\": \"1K\"}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("b-images")).unwrap();
    let page = dir.path().join("b-images/index.html");
    std::fs::write(&page, "<h1>my page</h1>").unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("index.html") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "<h1>my page</h1>");
    let output = nanobanana(&["batch", "b.jsonl", "--force"], &[], dir.path());
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("nanobanana-cards"));
}

#[test]
fn a_name_made_to_look_like_a_link_stays_a_relative_link_on_the_contact_sheet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"prompt\": \"<!-- </script>\", \"quality\": \"1K\", \"output\": \"javascript:alert(3).png\"}\n{\"prompt\": \"q\", \"quality\": \"1K\", \"output\": \"a b#c?d%.png\"}\n",
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("2 of 2 done"), "{stdout}");
    let images = dir.path().join("b-images");
    assert!(images.join("javascript:alert(3).png").is_file());
    let html = std::fs::read_to_string(images.join("index.html")).unwrap();
    let mut links = 0;
    for attribute in ["href=\"", "src=\""] {
        for link in html.split(attribute).skip(1) {
            let link = link.split('"').next().unwrap();
            links += 1;
            // A scheme is letters then `:` before any `/`, `?` or `#`.
            let head = link.split(['/', '?', '#']).next().unwrap();
            assert!(!head.contains(':'), "{link} starts with a scheme");
            assert!(link.starts_with("./"), "{link}");
        }
    }
    assert_eq!(links, 4, "{html}");
    assert!(
        html.contains("href=\"./javascript%3Aalert%283%29.png\""),
        "{html}"
    );
    assert!(html.contains("src=\"./a%20b%23c%3Fd%25.png\""), "{html}");
    let data = html.split("id=\"nanobanana-cards\">").nth(1).unwrap();
    let data = data.split("</script>").next().unwrap();
    assert!(!data.contains('<'), "{data}");
}

#[test]
fn a_bom_is_accepted_and_bad_bytes_and_bad_json_are_placed_by_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = b"\xEF\xBB\xBF{\"prompt\": \"first\", \"quality\": \"1K\"}\n".to_vec();
    file.extend_from_slice(b"{\"prompt\": \"x\", \"quality\": 1K}\n");
    file.extend_from_slice(b"{\"prompt\": \"caf\xE9\"}\n");
    std::fs::write(dir.path().join("b.jsonl"), &file).unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        !stderr.contains("line 1"),
        "the BOM is not part of line 1: {stderr}"
    );
    assert!(stderr.contains("line 2, column 28 of b.jsonl"), "{stderr}");
    assert!(!stderr.contains("at line 1 column"), "{stderr}");
    assert!(stderr.contains("line 3, column 16 of b.jsonl"), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");

    // With the bad lines gone, the BOM line runs.
    std::fs::write(
        dir.path().join("b.jsonl"),
        &file[..file.iter().position(|b| *b == b'\n').unwrap() + 1],
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("1 of 1 done"), "{stdout}");
}

#[test]
fn an_unknown_model_in_a_batch_points_at_nanobanana_models() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"prompt\": \"p\", \"model\": \"no-such-model-9\"}\n",
    )
    .unwrap();
    let output = nanobanana(&["batch", "b.jsonl"], &[], dir.path());
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("line 1:"), "{stdout}");
    assert!(stdout.contains("`nanobanana models`"), "{stdout}");
    assert!(
        !format!("{stdout}{stderr}").contains("nanobanana_api::"),
        "{stdout}{stderr}"
    );
}

/// A server on loopback that answers every create with task `id` and every other request with
/// a 400 whose message and suggestion hold terminal escape sequences. Its base URL.
fn hostile_server(id: &'static str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let (status, answer) = if request_line.starts_with("POST /v1/images/generations") {
                (
                    "200 OK",
                    serde_json::json!({
                        "id": id, "status": "pending", "progress": 0,
                        "object": "image.generation.task",
                        "task_info": {"can_cancel": true, "estimated_time": 0},
                    }),
                )
            } else {
                (
                    "400 Bad Request",
                    serde_json::json!({"error": {
                        "code": 400, "type": "invalid_request_error",
                        "message": "bad \u{1b}[2J\u{1b}[31mred",
                        "fallback_suggestion": "try \u{1b}]0;PWNED\u{7} again",
                    }}),
                )
            };
            let answer = answer.to_string();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("http://{address}")
}

#[test]
fn escape_sequences_from_the_server_are_printed_escaped_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let base_url = hostile_server("task-unified-\u{1b}]0;PWNED\u{7}\u{1b}[2J");
    let output = nanobanana(
        &["generate", "x", "--quality", "1K", "--timeout", "5"],
        &[
            ("EVOLINK_API_KEY", nanobanana_test_kit::KEY),
            ("EVOLINK_BASE_URL", &base_url),
            ("EVOLINK_FILES_BASE_URL", &base_url),
        ],
        dir.path(),
    );
    let (stdout, stderr) = text(&output);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(!all.contains(['\u{1b}', '\u{7}']), "{all:?}");
    // The id is still shown, its escapes spelled out.
    assert!(
        stderr.contains("task-unified-\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J"),
        "{stderr}"
    );
    assert!(stderr.contains("bad \\u{1b}[2J"), "{stderr}");
}
