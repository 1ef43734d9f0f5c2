//! Live mode: the same response checks against a real server. Ignored by default; run with
//!
//! ```sh
//! CONFORMANCE_BASE_URL=https://api.evolink.ai EVOLINK_API_KEY=sk-... \
//!     cargo test -p conformance --test it -- --ignored --nocapture live::
//! ```
//!
//! It sends each operation's documented request example (the create call spends credits) and
//! checks that every response status is documented and every body validates against the spec.
//! A failure means the live API has drifted from `spec/openapi.yaml`. CI runs the same check
//! against the sandbox (`tests/tests/sandbox_conformance.rs`).

use conformance::live;
use conformance::spec::Spec;

#[tokio::test]
#[ignore = "talks to a real server: set CONFORMANCE_BASE_URL and EVOLINK_API_KEY, run with --ignored"]
async fn live_responses_validate_against_the_spec() {
    let base = std::env::var("CONFORMANCE_BASE_URL")
        .expect("set CONFORMANCE_BASE_URL, e.g. https://api.evolink.ai");
    let key = std::env::var("EVOLINK_API_KEY").expect("set EVOLINK_API_KEY");
    let report = live::check(&Spec::load(), &base, &key).await;
    for line in &report.checked {
        println!("live: {line}");
    }
    assert!(
        report.failures.is_empty(),
        "the live API drifted from the spec:\n{}",
        report.failures.join("\n")
    );
}
