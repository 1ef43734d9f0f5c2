//! Replays every saved fuzz input (`fuzz/regressions/<target>/`) through the same entry points
//! the fuzz targets use. A panic fails the test.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        run(&std::fs::read(&path).unwrap());
        count += 1;
    }
    count
}

#[test]
fn saved_network_inputs_do_not_panic() {
    let count = replay(
        "parse_network_bytes",
        nanobanana_api::fuzzing::parse_network_bytes,
    );
    assert!(count > 0, "the regression inputs are present");
}

#[test]
fn saved_request_inputs_do_not_panic() {
    let count = replay(
        "validate_request_bytes",
        nanobanana_api::fuzzing::validate_request_bytes,
    );
    assert!(count > 0, "the regression inputs are present");
}
