//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `cargo xtask codegen` regenerates `crates/api-client/src/generated.rs` from `spec/openapi.yaml`.
//! - `cargo xtask codegen --check` verifies the committed file matches the spec (CI runs it).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use xtask::{codegen, drift, spec_source, workspace_root};

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
        /// The Rust file to write (or compare with, under --check).
        #[arg(long, default_value = "crates/api-client/src/generated.rs")]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            check,
            spec,
            output,
        } => run_codegen(check, &spec, &output),
    }
}

fn run_codegen(check: bool, spec: &std::path::Path, output: &std::path::Path) -> ExitCode {
    let root = workspace_root();
    let spec_path = root.join(spec);
    let output_path = root.join(output);
    let started = Instant::now();

    let generated = match spec_source::load(&spec_path)
        .map_err(codegen::CodegenError::from)
        .and_then(|loaded| codegen::generate(&loaded))
    {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let elapsed = started.elapsed();

    if check {
        let committed = std::fs::read_to_string(&output_path).unwrap_or_default();
        match drift::compare(&committed, &generated) {
            None => {
                println!(
                    "{} is up to date with {} (generated in {} ms)",
                    output.display(),
                    spec.display(),
                    elapsed.as_millis()
                );
                ExitCode::SUCCESS
            }
            Some(diff) => {
                eprintln!(
                    "error: {} is out of date with {}.\n\
                     Diff from the committed file (-) to what the spec generates (+):\n\n{diff}\n\
                     Fix: run `cargo xtask codegen` and commit both the spec and the generated file.",
                    output.display(),
                    spec.display()
                );
                ExitCode::from(1)
            }
        }
    } else {
        if let Err(err) = std::fs::write(&output_path, &generated) {
            eprintln!("error: cannot write {}: {err}", output_path.display());
            return ExitCode::from(2);
        }
        println!(
            "wrote {} from {} in {} ms",
            output.display(),
            spec.display(),
            elapsed.as_millis()
        );
        ExitCode::SUCCESS
    }
}
