//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `cargo xtask codegen` regenerates `crates/api-client/src/generated.rs` from `spec/openapi.yaml`.
//!   and `generated_lineup.rs` beside it (the spec's enums, model limits and task error codes).
//! - `cargo xtask codegen --check` verifies the committed files match the spec (CI runs it).
//! - `cargo xtask public-api [--check]` writes (or checks) `crates/api-client/public-api.txt`,
//!   every public item of `nanobanana-api`, from rustdoc's JSON.
//! - `cargo xtask spec-diff` classifies the changes between two versions of the spec as breaking
//!   or not, for the version bump and the changelog.
//! - `cargo xtask upstream-diff [--page <file-or-url>]... [--index <llms.txt>]` holds the spec
//!   against Evolink's own documentation pages (by default the ones `spec/upstream.toml` lists).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use xtask::{codegen, drift, public_api, spec_diff, spec_source, upstream, workspace_root};

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
    /// List the public API of nanobanana-api into crates/api-client/public-api.txt (or, with
    /// --check, fail with a diff when the committed list differs).
    PublicApi {
        /// Do not write: fail when the committed list differs from the crate.
        #[arg(long)]
        check: bool,
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
    /// Compare the spec with Evolink's published documentation pages; exit 1 when upstream has
    /// something we lack, disagrees with us, or a difference is breaking for our users.
    UpstreamDiff {
        /// A page's Markdown rendering, as a local file or an http(s) URL (repeatable). Default:
        /// every page spec/upstream.toml lists.
        #[arg(long = "page", value_name = "FILE_OR_URL")]
        pages: Vec<String>,
        /// The documentation index (llms.txt, file or URL): also report pages of the families
        /// we cover that spec/upstream.toml does not list.
        #[arg(long, value_name = "FILE_OR_URL")]
        index: Option<String>,
        /// Accepted differences, each with its reason.
        #[arg(long, default_value = "spec/upstream-allow.toml")]
        allow: PathBuf,
        /// Report every difference, accepted or not.
        #[arg(long, conflicts_with = "allow")]
        no_allow: bool,
        /// Our spec.
        #[arg(long, default_value = "spec/openapi.yaml")]
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// How spec-diff and upstream-diff print.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One line per change, grouped by class.
    Text,
    /// JSON: spec-diff `{"breaking": [...], "non_breaking": [...]}`, upstream-diff `{"pages": [...]}`.
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
        Command::PublicApi { check } => run_public_api(check),
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
        Command::UpstreamDiff {
            pages,
            index,
            allow,
            no_allow,
            spec,
            format,
        } => run_upstream_diff(pages, index, (!no_allow).then_some(allow), &spec, format),
    }
}

/// The pages our spec is written from, and the families of pages it covers.
const UPSTREAM_LISTING: &str = "spec/upstream.toml";

fn run_upstream_diff(
    pages: Vec<String>,
    index: Option<String>,
    allow: Option<PathBuf>,
    spec: &std::path::Path,
    format: Format,
) -> ExitCode {
    let root = workspace_root();
    let result = (|| -> Result<upstream::Report, String> {
        let listing_text = std::fs::read_to_string(root.join(UPSTREAM_LISTING))
            .map_err(|e| format!("cannot read {UPSTREAM_LISTING}: {e}"))?;
        let listing: upstream::listing::Listing =
            upstream::listing::parse_toml(UPSTREAM_LISTING, &listing_text)?;
        let allow_list = match &allow {
            Some(path) => {
                let path = root.join(path);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                upstream::listing::parse_toml(&path.display().to_string(), &text)?
            }
            None => upstream::listing::AllowList::default(),
        };
        let spec = spec_source::load(&root.join(spec)).map_err(|e| e.to_string())?;
        let pages = if pages.is_empty() {
            listing.pages.iter().map(|p| p.url.clone()).collect()
        } else {
            pages
        };
        let index_text = index.as_deref().map(upstream::fetch).transpose()?;
        upstream::run(&spec, &pages, &allow_list, &listing, index_text.as_deref())
    })();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match format {
        Format::Text => print!("{}", upstream::render_text(&report)),
        Format::Json => println!("{}", upstream::render_json(&report)),
    }
    for (_, why) in &report.unreadable {
        eprintln!("error: {why}");
    }
    for page in report.incomplete() {
        eprintln!(
            "error: {} is incomplete: it refers to {} that it does not hold (a page cut off?); \
             read the page whole and run again",
            page.source,
            page.missing.join(", ")
        );
    }
    if !report.read_everything() {
        ExitCode::from(2)
    } else if report.drifted() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Where the committed list lives.
const PUBLIC_API_FILE: &str = "crates/api-client/public-api.txt";

fn run_public_api(check: bool) -> ExitCode {
    let root = workspace_root();
    // rustdoc's JSON output is unstable; RUSTC_BOOTSTRAP lets the stable toolchain produce it.
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args([
            "rustdoc",
            "--quiet",
            "--locked",
            "-p",
            "nanobanana-api",
            "--lib",
            "--all-features",
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
        ])
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(&root)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("error: rustdoc could not document nanobanana-api (see above)");
        return ExitCode::from(2);
    }
    let json = root.join("target/doc/nanobanana_api.json");
    let doc = match std::fs::read_to_string(&json)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", json.display());
            return ExitCode::from(2);
        }
    };
    let lines = match public_api::list(&doc) {
        Ok(lines) => lines,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let text = format!(
        "# The public API of nanobanana-api (all features), one item per line. Generated by\n\
         # `cargo xtask public-api`; CI fails when it differs from the crate.\n{}\n",
        lines.join("\n")
    );
    let path = root.join(PUBLIC_API_FILE);
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        match drift::compare(&committed, &text) {
            None => {
                println!("{PUBLIC_API_FILE} lists the {} public items", lines.len());
                ExitCode::SUCCESS
            }
            Some(diff) => {
                eprintln!(
                    "error: the public API of nanobanana-api changed.\n\
                     Diff from {PUBLIC_API_FILE} (-) to the crate (+):\n\n{diff}\n\
                     If the change is intended, run `cargo xtask public-api` and commit the list \
                     (a removal or rename is breaking for users: see CHANGELOG.md)."
                );
                ExitCode::from(1)
            }
        }
    } else {
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote {PUBLIC_API_FILE}: {} public items", lines.len());
        ExitCode::SUCCESS
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
    // The spec itself travels in the published crate (the sandbox serves its contract): a copy
    // beside the generated code, under a header, checked like it.
    let spec_copy = output.with_file_name(codegen::SPEC_COPY_FILE);
    let spec_text = match std::fs::read_to_string(&spec_path) {
        Ok(text) => codegen::spec_copy(&text, spec),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", spec_path.display());
            return ExitCode::from(2);
        }
    };
    let files = [
        (output, client),
        (lineup_output.as_path(), lineup),
        (spec_copy.as_path(), spec_text),
    ];

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
