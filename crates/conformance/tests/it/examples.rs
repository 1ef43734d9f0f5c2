//! Every example in the spec round-trips through its generated type, validates against its
//! schema, and has a reviewed snapshot of its typed value.

use conformance::bindings::typed_owner;
use conformance::brief;
use conformance::examples::find_examples;
use conformance::instances::place;
use conformance::spec::Spec;
use serde_json::json;

#[test]
fn every_example_round_trips_validates_and_matches_its_snapshot() {
    let spec = Spec::load();
    let examples = find_examples(&spec);
    let mut exercised = 0;
    let mut failures = Vec::new();

    for example in &examples {
        let at = &example.location;
        let schema_errors = spec.schema_errors(&spec.resolve(&example.schema), &example.value);
        if !schema_errors.is_empty() {
            failures.push(format!("{at}: breaks its schema: {schema_errors:?}"));
        }
        let placed = match place(&spec, &example.schema, example.value.clone()) {
            Ok(placed) => placed,
            Err(e) => {
                failures.push(format!("{at}: {e}"));
                continue;
            }
        };
        let typed = match typed_owner(&placed.owner, &placed.value) {
            Ok(typed) => typed,
            Err(e) => {
                failures.push(format!(
                    "{at}: does not deserialize into {:?}: {e}",
                    placed.owner
                ));
                continue;
            }
        };
        if typed.json != placed.value {
            failures.push(format!(
                "{at}: changed by a round trip through {}:\n  spec:  {}\n  typed: {}",
                typed.rust_type,
                brief(&placed.value),
                brief(&typed.json)
            ));
        }
        if let Err(e) = &typed.limits {
            failures.push(format!("{at}: api-client validation rejects it: {e}"));
        }
        crate::snapshot_settings().bind(|| {
            insta::assert_yaml_snapshot!(
                crate::snapshot_name(module_path!(), &example.name),
                json!({
                    "example": at,
                    "rust_type": typed.rust_type,
                    "typed_value": typed.json,
                })
            )
        });
        exercised += 1;
    }

    println!(
        "conformance: {} examples found in the spec, {exercised} exercised",
        examples.len()
    );
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        exercised,
        examples.len(),
        "every example in the spec is exercised"
    );
}

#[test]
fn the_walk_finds_each_kind_of_example() {
    // Guards the walk itself: if it stopped descending somewhere, the test above would pass
    // vacuously for that part of the spec.
    let names: Vec<String> = find_examples(&Spec::load())
        .into_iter()
        .map(|e| e.name)
        .collect();
    for expected in [
        "create_image_generation.request.text_to_image",
        "create_image_generation.200.example",
        "create_image_generation.503.example",
        "get_task_detail.200.completed",
        "get_task_detail.200.failed",
        "get_task_detail.param.task_id",
        "schema.TaskInfo.estimated_time",
        "schema.ErrorCode.oneOf0",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not found in {names:#?}"
        );
    }
}
