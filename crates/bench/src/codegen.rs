//! Codegen time: the generation `cargo xtask codegen` does, repeated.

use std::time::{Duration, Instant};

use crate::measure::median;

pub fn run() {
    let spec = xtask::workspace_root().join("spec/openapi.yaml");
    let mut times: Vec<Duration> = Vec::new();
    let mut outputs = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let loaded = xtask::spec_source::load(&spec).expect("the spec loads");
        let text = xtask::codegen::generate(&loaded).expect("it generates");
        times.push(start.elapsed());
        outputs.push(text);
    }
    let identical = outputs.windows(2).all(|w| w[0] == w[1]);
    println!(
        "codegen: spec → formatted generated.rs median {:.1} ms over 20 runs ({} lines; 20 outputs identical: {identical})",
        median(&mut times).as_secs_f64() * 1e3,
        outputs[0].lines().count()
    );
}
