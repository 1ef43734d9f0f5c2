//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `cargo xtask codegen` regenerates `crates/api-client/src/generated.rs` from `spec/openapi.yaml`.
//!   and `generated_lineup.rs` beside it (the spec's enums, model limits and task error codes).
//! - `cargo xtask codegen --check` verifies the committed files match the spec (CI runs it).
//! - `cargo xtask spec-diff` classifies the changes between two versions of the spec as breaking
//!   or not, for the version bump and the changelog.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use xtask::{codegen, drift, spec_diff, spec_source, workspace_root};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "nanobanana project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the API client from the OpenAPI spec.
    Codegen {
        /// Do not write: fail with a diff when the committed file differs from what the spec gives.
        #[arg(long)]
        check: bool,
        /// The OpenAPI document to read.
        #[arg(long, default_value = "spec/openapi.yaml")]
        spec: PathBuf,
        /// The Rust file to write (or compare with, under --check); `generated_lineup.rs` is
        /// written beside it.
        #[arg(long, default_value = "crates/api-client/src/generated.rs")]
        output: PathBuf,
    },
    /// Classify the differences between two versions of the spec; exit 1 if any is breaking.
    SpecDiff {
        /// The old spec (omit with --git).
        #[arg(required_unless_present = "git")]
        old: Option<PathBuf>,
        /// The new spec.
        #[arg(default_value = "spec/openapi.yaml")]
        new: Option<PathBuf>,
        /// Take the old spec from this git revision (e.g. HEAD, main, v1.2.0).
        #[arg(long, conflicts_with = "old")]
        git: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// How spec-diff prints.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One line per change, grouped by class.
    Text,
    /// `{"breaking": [...], "non_breaking": [...]}`.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            check,
            spec,
            output,
        } => run_codegen(check, &spec, &output),
        Command::SpecDiff {
            old,
            new,
            git,
            format,
        } => run_spec_diff(
            old,
            new.unwrap_or_else(|| "spec/openapi.yaml".into()),
            git,
            format,
        ),
    }
}

fn run_spec_diff(
    old: Option<PathBuf>,
    new: PathBuf,
    git: Option<String>,
    format: Format,
) -> ExitCode {
    let root = workspace_root();
    let new_path = root.join(&new);
    let loaded = match (old, git) {
        (_, Some(rev)) => {
            let relative = new.to_string_lossy().replace('\\', "/");
            match std::process::Command::new("git")
                .args(["show", &format!("{rev}:{relative}")])
                .current_dir(&root)
                .output()
            {
                Ok(out) if out.status.success() => spec_source::load_text(
                    std::path::Path::new(&format!("{rev}:{relative}")),
                    &String::from_utf8_lossy(&out.stdout),
                ),
                Ok(out) => {
                    eprintln!(
                        "error: git show {rev}:{relative}: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    );
                    return ExitCode::from(2);
                }
                Err(e) => {
                    eprintln!("error: cannot run git: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        (Some(old), None) => spec_source::load(&root.join(old)),
        (None, None) => unreachable!("clap requires the old spec or --git"),
    };
    let (old, new) = match loaded.and_then(|old| spec_source::load(&new_path).map(|new| (old, new)))
    {
        Ok(pair) => pair,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let changes = spec_diff::diff(&old.document, &new.document);
    match format {
        Format::Text => print!("{}", spec_diff::render_text(&changes)),
        Format::Json => println!("{}", spec_diff::render_json(&changes)),
    }
    if changes
        .iter()
        .any(|c| c.class == spec_diff::Class::Breaking)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_codegen(check: bool, spec: &std::path::Path, output: &std::path::Path) -> ExitCode {
    let root = workspace_root();
    let spec_path = root.join(spec);
    let lineup_output = output.with_file_name(codegen::LINEUP_FILE);
    let started = Instant::now();

    let generated = spec_source::load(&spec_path)
        .map_err(codegen::CodegenError::from)
        .and_then(|loaded| {
            Ok((
                codegen::generate(&loaded)?,
                codegen::generate_lineup(&loaded)?,
            ))
        });
    let (client, lineup) = match generated {
        Ok(texts) => texts,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let elapsed = started.elapsed();
    let files = [(output, client), (lineup_output.as_path(), lineup)];

    if check {
        let mut stale = false;
        for (file, text) in &files {
            let committed = std::fs::read_to_string(root.join(file)).unwrap_or_default();
            match drift::compare(&committed, text) {
                None => println!(
                    "{} is up to date with {} (generated in {} ms)",
                    file.display(),
                    spec.display(),
                    elapsed.as_millis()
                ),
                Some(diff) => {
                    stale = true;
                    eprintln!(
                        "error: {} is out of date with {}.\n\
                         Diff from the committed file (-) to what the spec generates (+):\n\n{diff}\n\
                         Fix: run `cargo xtask codegen` and commit the spec and the generated files.",
                        file.display(),
                        spec.display()
                    );
                }
            }
        }
        if stale {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    } else {
        for (file, text) in &files {
            if let Err(err) = std::fs::write(root.join(file), text) {
                eprintln!("error: cannot write {}: {err}", root.join(file).display());
                return ExitCode::from(2);
            }
            println!(
                "wrote {} from {} in {} ms",
                file.display(),
                spec.display(),
                elapsed.as_millis()
            );
        }
        ExitCode::SUCCESS
    }
}
