//! `cargo xtask upstream-diff` as a maintainer runs it: the binary against the fixture pages (in
//! both forms Evolink publishes), against edited copies (upstream moved), and over HTTP from a
//! loopback server standing in for the documentation site.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/upstream")
        .join(name)
}

const SEED: &str = "nano-banana-pro-image-generate.resolved.md";
const PAGES: [&str; 3] = [SEED, "nano-banana-image-generate.md", "upload-base64.md"];

fn upstream_diff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("upstream-diff")
        .args(args)
        .current_dir(root())
        .output()
        .expect("xtask runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A copy of a fixture with one edit, in a temp dir that lives as long as the returned guard.
fn edited(name: &str, from: &str, to: &str) -> (tempfile::TempDir, String) {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "one {from:?} in {name}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}):\n{}", stdout(output)))
}

#[test]
fn every_fixture_page_is_clean_against_our_spec_with_the_allow_list() {
    for page in PAGES {
        let out = upstream_diff(&["--page", fixture(page).to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{page}:\n{}", stdout(&out));
        assert!(stdout(&out).contains("no differences"), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("our spec matches upstream"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn without_the_allow_list_our_documented_decisions_show_and_fail() {
    let out = upstream_diff(&["--no-allow", "--page", fixture(SEED).to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("we disagree"), "{text}");
    assert!(
        text.contains("response 400 .error .code type: upstream integer, ours integer, string"),
        "{text}"
    );
}

#[test]
fn a_prompt_limit_tightened_upstream_is_breaking_and_names_field_model_and_both_values() {
    let (_dir, page) = edited(SEED, "maxLength: 2000", "maxLength: 1000");
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("model nano-banana-2-lite .prompt"))
        .unwrap_or_else(|| panic!("no line for the lite model's prompt:\n{text}"));
    assert!(line.contains("[breaking]"), "{line}");
    assert!(
        line.contains("maxLength: upstream 1000, we allow 2000"),
        "{line}"
    );
    assert!(
        text.contains("model gemini-3-pro-image-preview .prompt"),
        "{text}"
    );

    let out = upstream_diff(&["--page", &page, "--format", "json"]);
    let report = json(&out);
    let findings = report["pages"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(findings
        .iter()
        .all(|f| f["class"] == "breaking" && f["group"] == "disagree"));
}

#[test]
fn a_limit_upstream_loosened_is_reported_but_not_breaking() {
    let (_dir, page) = edited(
        SEED,
        "Maximum number of input images per request: `10`",
        "Maximum number of input images per request: `12`",
    );
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "[non-breaking] model nano-banana-2-lite .image_urls images: upstream 12, we allow 10"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_model_new_upstream_is_reported_as_one_we_lack() {
    let (_dir, page) = edited(
        SEED,
        "                      - gemini-3-pro-image-preview\n",
        "                      - gemini-3-pro-image-preview\n                      - nano-banana-3\n",
    );
    let out = upstream_diff(&["--page", &page, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(
        report["pages"][0]["findings"],
        serde_json::json!([{
            "group": "upstream-has",
            "class": "non-breaking",
            "place": "model nano-banana-3",
            "change": "model (not in x-nanobanana-models; callers can still name it)"
        }])
    );
}

#[test]
fn a_size_upstream_dropped_that_we_still_allow_is_breaking() {
    let (_dir, page) = edited(SEED, "                      - '21:9'\n", "");
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("[breaking] model nano-banana-2-lite .size values 21:9 (we allow them"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_field_new_upstream_is_reported() {
    let (_dir, page) = edited(
        "upload-base64.md",
        "        file_name:\n          type: string\n          description: >-\n            Custom file name",
        "        expires_in:\n          type: integer\n        file_name:\n          type: string\n          description: >-\n            Custom file name",
    );
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("upstream has, we lack (1):\n    [non-breaking] POST /api/v1/files/upload/base64 request .expires_in field"),
        "{}",
        stdout(&out)
    );
}

/// Serves each `(path, body)` over HTTP/1.1 on loopback, 404 for any other path, until the test
/// ends. Returns the base URL.
fn serve(routes: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok() && header != "\r\n" && !header.is_empty() {
                header.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", "not found".to_string()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: text/markdown\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn pages_and_the_index_are_fetched_over_http_and_a_new_page_of_our_families_is_reported() {
    let page = std::fs::read_to_string(fixture("nano-banana-image-generate.md")).unwrap();
    let index = std::fs::read_to_string(fixture("llms.txt")).unwrap().replace(
        "- [Query Task Status](https://docs.evolink.ai/cn/",
        "- [Nano Banana 3](https://docs.evolink.ai/en/api-manual/image-series/nanobanana/nanobanana-3-image-generate.md): new\n- [Query Task Status](https://docs.evolink.ai/cn/",
    );
    let base = serve(vec![
        (
            "/en/api-manual/image-series/nano-banana/nano-banana-image-generate.md",
            page,
        ),
        ("/llms.txt", index),
    ]);
    // A page address without `.md` gets it: the Markdown rendering carries the contract.
    let page_url =
        format!("{base}/en/api-manual/image-series/nano-banana/nano-banana-image-generate");
    let out = upstream_diff(&["--page", &page_url, "--index", &format!("{base}/llms.txt")]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("nano-banana Interface"), "{text}");
    assert!(text.contains("no differences"), "{text}");
    assert!(
        text.contains("spec/upstream.toml does not list (1):\n  Nano Banana 3: https://docs.evolink.ai/en/api-manual/image-series/nanobanana/nanobanana-3-image-generate.md"),
        "{text}"
    );
    assert!(
        !text.contains("seedream"),
        "another family is not ours: {text}"
    );

    let missing = upstream_diff(&["--page", &format!("{base}/en/gone")]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("/en/gone.md"), "{err}");
    assert!(err.contains("404"), "{err}");
}

#[test]
fn the_index_excerpt_lists_nothing_new_for_the_pages_we_list() {
    let out = upstream_diff(&[
        "--page",
        fixture(SEED).to_str().unwrap(),
        "--index",
        fixture("llms.txt").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_file_that_is_not_a_page_gets_an_error_naming_what_was_expected() {
    let out = upstream_diff(&["--page", fixture("README.md").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no ````yaml block"), "{err}");
}

const LITE_TRUNCATED: &str = "nanobanana-2-lite-image-generate.truncated.md";
const CREDITS_TRUNCATED: &str = "credits.truncated.md";

#[test]
fn a_truncated_page_is_incomplete_names_the_missing_component_and_never_matches() {
    let out = upstream_diff(&["--page", fixture(CREDITS_TRUNCATED).to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("INCOMPLETE"), "{text}");
    assert!(
        text.contains("#/components/schemas/CreditsResponse"),
        "{text}"
    );
    assert!(text.contains("1 page(s) compared (1 incomplete)"), "{text}");
    assert!(!text.contains("matches"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is incomplete") && err.contains("#/components/schemas/CreditsResponse"),
        "{err}"
    );
}

#[test]
fn a_truncated_page_reports_nothing_from_the_part_it_could_not_read() {
    // The request and response schemas are `$ref`s into components the page does not hold:
    // none of our fields and none of our statuses may be reported as lacking upstream.
    let out = upstream_diff(&[
        "--page",
        fixture(LITE_TRUNCATED).to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let page = &report["pages"][0];
    assert_eq!(
        page["missing"],
        serde_json::json!([
            "#/components/schemas/ImageGenerationRequest",
            "#/components/schemas/ImageGenerationResponse"
        ])
    );
    assert_eq!(page["findings"], serde_json::json!([]), "{page:#}");
}

#[test]
fn what_a_truncated_page_did_read_is_still_compared_and_marked_partial() {
    let (_dir, page) = edited(
        CREDITS_TRUNCATED,
        "remaining_credits: 99416.4429",
        "remaining_credits: 1.5",
    );
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("INCOMPLETE"), "{text}");
    assert!(
        text.contains("GET /v1/credits response 200 example 'example'"),
        "{text}"
    );
    assert!(!text.contains("matches"), "{text}");
}

#[test]
fn an_unparseable_page_says_so_on_stdout_and_never_matches() {
    let out = upstream_diff(&["--page", fixture("quota.unparseable.md").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("could not read"), "{text}");
    assert!(text.contains("is not YAML"), "{text}");
    assert!(
        text.contains("0 page(s) compared (0 incomplete), 1 could not be read"),
        "{text}"
    );
    assert!(!text.contains("matches"), "{text}");
}

#[test]
fn a_model_named_only_in_the_title_is_reported_with_its_name() {
    let (_dir, page) = edited(
        LITE_TRUNCATED,
        "# Generacion de imagenes Nanobanana 2 Lite",
        "# Generacion de imagenes gemini-3.5-flash-image",
    );
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(2), "incomplete still wins");
    let text = stdout(&out);
    assert!(
        text.contains("model gemini-3.5-flash-image model (not in x-nanobanana-models"),
        "{text}"
    );
    assert!(!text.contains("matches"), "{text}");
}

#[test]
fn a_model_named_only_in_prose_of_a_whole_page_fails_with_exit_1() {
    let (_dir, page) = edited(
        "nano-banana-image-generate.md",
        "> - Nano Banana (gemini-2.5-flash-image) model supports",
        "> - Nano Banana (gemini-2.5-flash-image) and its successor nano-banana-3-turbo support",
    );
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("model nano-banana-3-turbo"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn page_addresses_are_not_taken_for_model_names() {
    // The fixture names `nano-banana/nano-banana-image-generate.json` in its fence line and
    // links: a page path, not a model.
    let out = upstream_diff(&[
        "--page",
        fixture("nano-banana-image-generate.md").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_model_the_listing_attributes_to_a_page_that_no_longer_names_it_is_reported() {
    // spec/upstream.toml says the lite page documents gemini-3.1-flash-lite-image.
    let text = std::fs::read_to_string(fixture(LITE_TRUNCATED)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LITE_TRUNCATED);
    std::fs::write(
        &path,
        text.replace(
            "gemini-3.1-flash-lite-image",
            "gemini-3.1-flash-image-preview",
        ),
    )
    .unwrap();
    let out = upstream_diff(&["--page", path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("model gemini-3.1-flash-lite-image spec/upstream.toml says this page documents it; the page no longer names it"),
        "{text}"
    );
}

#[test]
fn the_error_codes_table_agrees_with_our_codes_and_their_retry_advice() {
    let out = upstream_diff(&["--page", fixture("error-codes.md").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("13 task error codes"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_error_code_new_upstream_or_retried_differently_is_reported() {
    let (_dir, page) = edited(
        "error-codes.md",
        "| `generation_timeout`           | Task processing timed out               | Retry later                 |",
        "| `generation_timeout`           | Task processing timed out               | Fix params, then retry      |\n    | `model_overloaded` | Too busy | Retry later |",
    );
    let out = upstream_diff(&["--page", &page]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "task error code model_overloaded code (not in x-nanobanana-task-error-codes"
        ),
        "{text}"
    );
    assert!(
        text.contains("task error code generation_timeout retry: upstream \"Fix params, then retry\" (change the request first), ours resubmit: same (resubmit unchanged)"),
        "{text}"
    );
}

// Evolink's model index (`model-params.generated.ts` of its MCP server): a slice of the real
// shape, held against a spec in the lineup format of issue 30 (`model-index.spec.yaml`).

const MODEL_INDEX: &str = "model-params.generated.ts";
const INDEX_SPEC: &str = "model-index.spec.yaml";

/// upstream-diff on `index` (a path or URL) against the index fixture spec (or `spec`).
fn index_diff(index: &str, spec: Option<&str>, extra: &[&str]) -> Output {
    let spec = spec
        .map(String::from)
        .unwrap_or_else(|| fixture(INDEX_SPEC).to_string_lossy().into_owned());
    let mut args = vec!["--spec", spec.as_str(), "--page", index];
    args.extend_from_slice(extra);
    upstream_diff(&args)
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{text}"))
}

#[test]
fn the_model_index_matches_a_spec_that_follows_it_and_other_models_are_ignored() {
    let out = index_diff(fixture(MODEL_INDEX).to_str().unwrap(), None, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Evolink model index (docs commit 5b073dc1, 6 models)"),
        "{text}"
    );
    assert!(
        text.contains("4 Nano Banana models: gemini-3-pro-image-preview, gemini-3.1-flash-lite-image, nano-banana-beta, nano-banana-pro-beta"),
        "{text}"
    );
    assert!(text.contains("no differences"), "{text}");
    assert!(text.contains("our spec matches upstream"), "{text}");
    // A video model and another image family are not ours; a model marked
    // `listed_upstream: false` is not reported for being absent.
    for other in ["MiniMax", "doubao", "nano-banana-2-lite"] {
        assert!(!text.contains(other), "{other}: {text}");
    }
}

#[test]
fn the_index_as_json_alone_reads_the_same() {
    let ts = std::fs::read_to_string(fixture(MODEL_INDEX)).unwrap();
    let quoted = ts.split_once("= ").unwrap().1.trim().trim_end_matches(';');
    let json: String = serde_json::from_str(quoted).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model-params.json");
    std::fs::write(&path, json).unwrap();
    let out = index_diff(path.to_str().unwrap(), None, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("4 Nano Banana models"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_limit_changed_in_the_index_exits_1_naming_the_model_the_field_and_both_values() {
    let (_dir, index) = edited(
        MODEL_INDEX,
        "Maximum of 5 real person images",
        "Maximum of 3 real person images",
    );
    let out = index_diff(&index, None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    let line = line_with(&text, "model gemini-3-pro-image-preview .image_urls");
    assert!(line.contains("[breaking]"), "{line}");
    assert!(
        line.contains("real persons: upstream 3, we allow 5"),
        "{line}"
    );

    // The other wording ("Single request supports …; no more than 10MB") and the default
    // quality, which the index gives in the description only.
    let (_dir, index) = edited(MODEL_INDEX, "no more than 10MB", "no more than 8MB");
    let out = index_diff(&index, None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "[breaking] model nano-banana-pro-beta .image_urls MB per image: upstream 8, we allow 10"
        ),
        "{}",
        stdout(&out)
    );
    let (_dir, index) = edited(
        MODEL_INDEX,
        "Quality of generated image, default is 2K",
        "Quality of generated image, default is 1K",
    );
    let out = index_diff(&index, None, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        json(&out)["pages"][0]["findings"],
        serde_json::json!([{
            "group": "disagree",
            "class": "non-breaking",
            "place": "model nano-banana-pro-beta .quality",
            "change": "default quality: upstream 1K, ours 2K"
        }])
    );
}

#[test]
fn a_model_params_field_new_in_the_index_is_reported() {
    let (_dir, index) = edited(
        MODEL_INDEX,
        r#"\"properties\":{\"web_search\":"#,
        r#"\"properties\":{\"image_search\":{\"type\":\"boolean\"},\"web_search\":"#,
    );
    let out = index_diff(&index, None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("[non-breaking] model gemini-3-pro-image-preview .model_params fields image_search (documented upstream, we refuse them for this model)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_model_the_index_adds_or_drops_is_reported_by_name() {
    let (_dir, index) = edited(
        MODEL_INDEX,
        r#"\"nano-banana-beta\":{\"model\":\"nano-banana-beta\""#,
        r#"\"nano-banana-3-beta\":{\"model\":\"nano-banana-3-beta\""#,
    );
    let out = index_diff(&index, None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "[non-breaking] model nano-banana-3-beta model (not in x-nanobanana-models; callers can still name it)"
        ),
        "{text}"
    );
    assert!(
        line_with(
            &text,
            "model nano-banana-beta model (the index does not list it"
        )
        .contains("listed_upstream: false"),
        "{text}"
    );
}

#[test]
fn a_model_we_list_without_listed_upstream_false_is_reported_when_the_index_lacks_it() {
    let (_dir, spec) = edited(INDEX_SPEC, "          listed_upstream: false\n", "");
    let out = index_diff(fixture(MODEL_INDEX).to_str().unwrap(), Some(&spec), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("[breaking] model nano-banana-2-lite model (the index does not list it"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_limit_whose_wording_cannot_be_read_is_reported_not_guessed() {
    let (_dir, index) = edited(MODEL_INDEX, "no more than 10MB", "kept small");
    let out = index_diff(&index, None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    let line = line_with(&text, "model nano-banana-pro-beta .image_urls MB per image");
    assert!(
        line.contains(
            "not read from the index (no size in MB found in params.image_urls.description"
        ),
        "{line}"
    );
    assert!(line.contains("kept small"), "{line}");
}

#[test]
fn the_model_index_is_fetched_as_named_over_http() {
    let ts = std::fs::read_to_string(fixture(MODEL_INDEX)).unwrap();
    let path = "/EvoLinkAI/evolink-mcp/main/packages/core/src/data/model-params.generated.ts";
    let base = serve(vec![(path, ts)]);
    let out = index_diff(&format!("{base}{path}"), None, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("our spec matches upstream"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_listing_has_the_model_index_so_the_weekly_run_fetches_it() {
    let listing = std::fs::read_to_string(root().join("spec/upstream.toml")).unwrap();
    assert!(
        listing.contains("url = \"https://raw.githubusercontent.com/EvoLinkAI/evolink-mcp/main/packages/core/src/data/model-params.generated.ts\""),
        "{listing}"
    );
}

#[test]
fn a_model_params_value_new_in_the_index_is_reported_against_the_spec_enum() {
    let (_dir, index) = edited(
        MODEL_INDEX,
        r#"[\"auto\",\"min\",\"high\"]"#,
        r#"[\"auto\",\"min\",\"high\",\"max\"]"#,
    );
    let out = index_diff(&index, None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("[non-breaking] model gemini-3.1-flash-lite-image .model_params.thinking_level values max (we refuse them for this model)"),
        "{}",
        stdout(&out)
    );
}
