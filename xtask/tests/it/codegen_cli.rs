//! `cargo xtask codegen` as a user runs it: the binary, on the real spec and on edited copies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("xtask runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn real_spec() -> String {
    std::fs::read_to_string(root().join("spec/openapi.yaml")).unwrap()
}

/// Writes `spec` into a temp dir with a copy of the committed generated file beside it, and
/// runs `codegen --check` on the pair.
fn check_edited_spec(spec: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("spec.yaml");
    let generated = dir.path().join("generated.rs");
    std::fs::write(&spec_path, spec).unwrap();
    std::fs::copy(
        root().join("crates/api-client/src/generated.rs"),
        &generated,
    )
    .unwrap();
    for beside in ["generated_lineup.rs", "openapi.yaml"] {
        std::fs::copy(
            root().join("crates/api-client/src").join(beside),
            dir.path().join(beside),
        )
        .unwrap();
    }
    xtask(&[
        "codegen",
        "--check",
        "--spec",
        spec_path.to_str().unwrap(),
        "--output",
        generated.to_str().unwrap(),
    ])
}

/// Replaces exactly one occurrence of `from`, so a test fails loudly when the spec moves on.
fn edit(spec: &str, from: &str, to: &str) -> String {
    assert_eq!(
        spec.matches(from).count(),
        1,
        "expected one {from:?} in the spec"
    );
    spec.replacen(from, to, 1)
}

#[test]
fn check_passes_on_the_committed_tree() {
    let out = xtask(&["codegen", "--check"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("up to date"), "{}", text(&out));
}

#[test]
fn generation_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for name in ["a.rs", "b.rs"] {
        let path = dir.path().join(name);
        let out = xtask(&["codegen", "--output", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        outputs.push(std::fs::read(path).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    let committed = std::fs::read(root().join("crates/api-client/src/generated.rs")).unwrap();
    assert_eq!(outputs[0], committed, "committed generated.rs is stale");
    let head = String::from_utf8_lossy(&outputs[0][..200]).to_string();
    assert!(head.starts_with("// @generated"), "{head}");
    assert!(
        head.contains("DO NOT EDIT") && head.contains("spec/openapi.yaml"),
        "{head}"
    );
}

#[test]
fn an_added_enum_value_is_reported_as_drift_naming_it() {
    let spec = edit(
        &real_spec(),
        "        - '21:9'\n",
        "        - '21:9'\n        - '2:1'\n",
    );
    let out = check_edited_spec(&spec);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("+") && report.contains("Ratio2x1 => \"2:1\""),
        "{report}"
    );
    assert!(
        report.contains("cargo xtask codegen"),
        "the fix is named: {report}"
    );
}

#[test]
fn an_added_property_is_reported_as_drift_naming_it() {
    let spec = edit(
        &real_spec(),
        "        callback_url:\n          type: string\n",
        "        seed:\n          type: integer\n          description: Random seed\n        callback_url:\n          type: string\n",
    );
    let out = check_edited_spec(&spec);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("+        pub seed:"), "{report}");
}

#[test]
fn an_edited_generated_file_is_reported_as_drift() {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("generated.rs");
    let committed =
        std::fs::read_to_string(root().join("crates/api-client/src/generated.rs")).unwrap();
    // Deleting any one line is caught; try one from the middle of the file.
    let mut lines: Vec<&str> = committed.lines().collect();
    let removed = lines.remove(lines.len() / 2);
    std::fs::write(&generated, lines.join("\n") + "\n").unwrap();
    let out = xtask(&[
        "codegen",
        "--check",
        "--output",
        generated.to_str().unwrap(),
    ]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains(&format!("+{removed}")), "{report}");
}

/// Runs codegen on a broken spec and returns its one message.
fn spec_error(spec: &str) -> String {
    let out = check_edited_spec(spec);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(!report.contains("panicked at"), "a panic leaked: {report}");
    assert!(
        !report.contains("RUST_BACKTRACE"),
        "a backtrace hint leaked: {report}"
    );
    assert!(report.contains("spec.yaml"), "the file is named: {report}");
    assert_eq!(
        report
            .trim()
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "{report}"
    );
    report
}

#[test]
fn bad_yaml_is_reported_with_its_line() {
    let spec = edit(&real_spec(), "  title: Evolink", "  title: [Evolink");
    let report = spec_error(&spec);
    assert!(
        report.contains("invalid YAML") && report.contains("line "),
        "{report}"
    );
}

#[test]
fn a_missing_operation_id_names_the_operation() {
    let spec = edit(
        &real_spec(),
        "    get:\n      operationId: get_task_detail\n",
        "    get:\n",
    );
    let report = spec_error(&spec);
    assert!(report.contains("paths./v1/tasks/{task_id}.get"), "{report}");
    assert!(report.contains("operationId"), "{report}");
}

#[test]
fn a_dangling_ref_names_where_it_is_and_what_it_points_to() {
    let spec = edit(
        &real_spec(),
        "              $ref: '#/components/schemas/TaskDetail'",
        "              $ref: '#/components/schemas/TaskDetails'",
    );
    let report = spec_error(&spec);
    assert!(
        report.contains("#/components/schemas/TaskDetails"),
        "{report}"
    );
    assert!(
        report.contains("paths./v1/tasks/{task_id}.get.responses.200"),
        "{report}"
    );
}

#[test]
fn openapi_3_1_is_refused_with_what_to_write() {
    let spec = edit(&real_spec(), "openapi: 3.0.3", "openapi: 3.1.0");
    let report = spec_error(&spec);
    assert!(
        report.contains("3.1.0") && report.contains("3.0.x"),
        "{report}"
    );
}

#[test]
fn a_second_error_schema_is_reported_instead_of_a_progenitor_panic() {
    // An inline copy of the error body next to the shared one makes progenitor panic.
    let spec = edit(
        &real_spec(),
        "        '503':\n          description: Service temporarily unavailable\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/ErrorResponse'\n",
        "        '503':\n          description: Service temporarily unavailable\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  message:\n                    type: string\n",
    );
    let report = spec_error(&spec);
    assert!(report.contains("progenitor"), "{report}");
    assert!(
        report.contains("ErrorResponse"),
        "the usual cause is named: {report}"
    );
}

#[test]
fn a_multipart_operation_needs_the_hand_written_marker() {
    // Marked, it is left out of generation (the committed tree passes `--check`); unmarked,
    // progenitor refuses the body and the message says what to do.
    let marker = "      x-nanobanana-hand-written: true\n";
    assert!(real_spec().contains(marker));
    let report = spec_error(&edit(&real_spec(), marker, ""));
    assert!(report.contains("multipart/form-data"), "{report}");
    assert!(
        report.contains("x-nanobanana-hand-written: true"),
        "{report}"
    );
}

#[test]
fn a_missing_spec_file_is_one_clear_error() {
    let out = xtask(&["codegen", "--check", "--spec", "spec/nope.yaml"]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(
        report.contains("spec/nope.yaml") && report.contains("cannot read"),
        "{report}"
    );
}
