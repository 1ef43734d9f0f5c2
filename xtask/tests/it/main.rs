//! xtask's commands: `codegen` and `upstream-diff` as the binary a maintainer runs, spec-diff's
//! rules in process. One test binary for the crate (each file below was a binary of its own: one
//! link instead of three). The fixtures stay in `tests/fixtures`.

mod codegen_cli;
mod spec_diff_rules;
mod upstream_diff;
