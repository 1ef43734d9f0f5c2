//! What the CLI's test files share: the binary as a new user runs it (nothing of the
//! developer's own key or addresses), and reading its stderr up to a line.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStderr, Command};

/// `nanobanana` in `dir` with no key and no base URL from the environment; the caller adds
/// arguments and variables.
pub fn nanobanana_in(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nanobanana"));
    command
        .current_dir(dir)
        .env_remove("EVOLINK_API_KEY")
        .env_remove("EVOLINK_BASE_URL")
        .env_remove("EVOLINK_FILES_BASE_URL");
    command
}

/// Reads `stderr` up to the first line containing `wanted`; what was read.
pub fn read_until(stderr: &mut BufReader<ChildStderr>, wanted: &str) -> String {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "ended before `{wanted}`: {seen}"
        );
        seen.push_str(&line);
        if line.contains(wanted) {
            return seen;
        }
    }
}

/// Sends `name` (`-INT`, `-TERM`) to `child`.
pub fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Reads the rest of `stderr` after `seen`, waits for `child`: its exit code and all of stderr.
pub fn finish(
    mut child: Child,
    mut stderr: BufReader<ChildStderr>,
    mut seen: String,
) -> (Option<i32>, String) {
    stderr.read_to_string(&mut seen).unwrap();
    (child.wait().unwrap().code(), seen)
}

/// `127.0.0.1:<port>` where nothing listens (a port just released): connections are refused.
pub fn closed_port_address() -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    closed.local_addr().unwrap().to_string()
}
