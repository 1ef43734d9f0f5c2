//! `nanobanana-bench`: the performance figures of the README, each measured against a baseline
//! in the same run. `cargo run --release -p nanobanana-bench -- all` runs every benchmark.

mod batch;
mod bulk;
mod codegen;
mod download;
mod measure;
mod overhead;
mod polling;
mod soak;
mod throughput;
mod upload;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "nanobanana-bench",
    about = "Benchmarks with ratios against same-run baselines"
)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Every benchmark below, in order.
    All,
    /// SDK create + get-task vs the same two requests by hand with bare reqwest.
    Overhead {
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
    },
    /// Polls per task and detection lag: the SDK's estimate schedule vs a 1 s loop.
    Polling {
        #[arg(long, default_value_t = 20)]
        tasks: usize,
    },
    /// generate_many of N generations under a rate limit of R creates/s vs the bound N/R.
    Batch {
        #[arg(long, default_value_t = 1000)]
        generations: usize,
        #[arg(long, default_value_t = 100)]
        rate: u32,
    },
    /// Task queries per task for N tasks: single queries vs generate_many's batch queries.
    Bulk {
        #[arg(long, default_value_t = 1000)]
        tasks: usize,
    },
    /// `nanobanana batch` on an N-line file under a rate limit of R creates/s vs N/R.
    BatchCli {
        #[arg(long, default_value_t = 1000)]
        generations: usize,
        #[arg(long, default_value_t = 100)]
        rate: u32,
    },
    /// Streaming a result PNG to disk vs curl, and peak memory for two image sizes.
    Download,
    /// Uploading a local image (streamed multipart) vs curl -F, and peak memory for 100 KB vs 10 MB.
    Upload,
    /// Task queries/s and p99 of the sandbox vs Prism serving the same spec.
    Throughput {
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Prism's executable (`npm install @stoplight/prism-cli`); skipped when absent.
        #[arg(long, env = "PRISM_BIN")]
        prism: Option<String>,
    },
    /// `cargo xtask codegen`'s generation time.
    Codegen,
    /// A sandbox under mixed traffic for a set time: RSS at checkpoints, flat after its cap.
    Soak {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Upload a small image every N rounds of a client (0: no uploads).
        #[arg(long, default_value_t = 32)]
        uploads_every: u64,
    },
    /// One side of `overhead` alone against a sandbox at BASE_URL, for a profiler (callgrind).
    #[command(hide = true)]
    OverheadProfile {
        #[arg(long)]
        base_url: String,
        #[arg(long, value_enum)]
        side: overhead::Side,
        #[arg(long, default_value_t = 1000)]
        pairs: usize,
    },
    /// Serve a sandbox on a port (used by the benchmarks to keep it in another process).
    #[command(hide = true)]
    ServeSandbox {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        files_port: u16,
        #[arg(long, default_value_t = nanobanana_sandbox::DEFAULT_MAX_TASKS)]
        max_tasks: usize,
        #[arg(long, default_value_t = nanobanana_sandbox::DEFAULT_MAX_UPLOADS)]
        max_uploads: usize,
    },
}

fn main() {
    let bench = Cli::parse().bench;
    let runtime = match bench {
        // One thread: the instructions counted are the same from run to run (no work
        // stealing or parking that depends on the machine's load).
        Bench::OverheadProfile { .. } => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    }
    .enable_all()
    .build()
    .expect("a tokio runtime starts");
    runtime.block_on(run(bench));
}

async fn run(bench: Bench) {
    match bench {
        Bench::All => {
            codegen::run();
            overhead::run(2000).await;
            polling::run(20).await;
            batch::run(1000, 100).await;
            batch::run_cli(1000, 100).await;
            bulk::run(1000).await;
            download::run().await;
            upload::run().await;
            throughput::run(32, 5, std::env::var("PRISM_BIN").ok()).await;
        }
        Bench::Overhead { iterations } => overhead::run(iterations).await,
        Bench::Polling { tasks } => polling::run(tasks).await,
        Bench::Batch { generations, rate } => batch::run(generations, rate).await,
        Bench::BatchCli { generations, rate } => batch::run_cli(generations, rate).await,
        Bench::Bulk { tasks } => bulk::run(tasks).await,
        Bench::Download => download::run().await,
        Bench::Upload => upload::run().await,
        Bench::Throughput {
            clients,
            seconds,
            prism,
        } => throughput::run(clients, seconds, prism).await,
        Bench::Codegen => codegen::run(),
        Bench::Soak {
            seconds,
            clients,
            uploads_every,
        } => soak::run(seconds, clients, uploads_every).await,
        Bench::OverheadProfile {
            base_url,
            side,
            pairs,
        } => overhead::profile(&base_url, side, pairs).await,
        Bench::ServeSandbox {
            port,
            files_port,
            max_tasks,
            max_uploads,
        } => serve(port, files_port, (max_tasks, max_uploads)).await,
    }
}

async fn serve(port: u16, files_port: u16, (max_tasks, max_uploads): (usize, usize)) {
    let config = nanobanana_sandbox::SandboxConfig {
        addr: ([127, 0, 0, 1], port).into(),
        files_addr: ([127, 0, 0, 1], files_port).into(),
        time_scale: 0.001,
        max_tasks,
        max_uploads,
        ..Default::default()
    };
    let sandbox = nanobanana_sandbox::Sandbox::start(config)
        .await
        .expect("the port is free");
    println!("{}", sandbox.base_url());
    let _ = tokio::signal::ctrl_c().await;
}

/// Starts `nanobanana-bench serve-sandbox` in a child process and returns it with its base URL.
pub async fn sandbox_process() -> (tokio::process::Child, String) {
    let (child, base, _) = sandbox_process_with_files().await;
    (child, base)
}

/// [`sandbox_process`], also returning the file service's base URL.
pub async fn sandbox_process_with_files() -> (tokio::process::Child, String, String) {
    sandbox_process_with_options(&[]).await
}

/// [`sandbox_process_with_files`] with more `serve-sandbox` options.
pub async fn sandbox_process_with_options(
    options: &[&str],
) -> (tokio::process::Child, String, String) {
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, files_port) = (free_port(), free_port());
    let child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "serve-sandbox",
            "--port",
            &port.to_string(),
            "--files-port",
            &files_port.to_string(),
        ])
        .args(options)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bench binary runs");
    wait_for_port(port).await;
    wait_for_port(files_port).await;
    (
        child,
        format!("http://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{files_port}"),
    )
}

/// Waits until something listens on `port`.
pub async fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {port}");
}
