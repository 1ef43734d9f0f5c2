//! Every limit in the spec is enforced at its exact boundary: a value just inside is accepted and
//! a value just outside is rejected, by the generated type or by api-client's `Validate`.
//! A limit enforced nowhere fails here.

use conformance::bindings::typed_owner;
use conformance::brief;
use conformance::instances::{place, Owner};
use conformance::limits::find_limits;
use conformance::spec::Spec;
use spec_support::escape;

fn owner_schema(spec: &Spec, owner: &Owner, limit_schema: &str) -> String {
    match owner {
        Owner::Component(name) => format!("/components/schemas/{}", escape(name)),
        Owner::Parameter { .. } | Owner::Primitive(_) => spec.resolve(limit_schema),
    }
}

#[test]
fn every_limit_is_enforced_at_its_boundary() {
    let spec = Spec::load();
    let limits = find_limits(&spec).unwrap_or_else(|unsupported| {
        panic!("the suite has no rule for these limits, add one to limits.rs: {unsupported:#?}")
    });
    let mut failures = Vec::new();
    let mut report = Vec::new();

    for limit in &limits {
        let name = &limit.name;
        for inside in &limit.inside {
            let placed = place(&spec, &limit.schema, inside.clone()).unwrap();
            let errors = spec.schema_errors(
                &owner_schema(&spec, &placed.owner, &limit.schema),
                &placed.value,
            );
            if !errors.is_empty() {
                failures.push(format!(
                    "{name}: the inside value {} breaks the spec: {errors:?}",
                    brief(&placed.value)
                ));
            }
            match typed_owner(&placed.owner, &placed.value) {
                Ok(typed) if typed.limits.is_ok() => {}
                Ok(typed) => failures.push(format!(
                    "{name}: inside value rejected by Validate: {}",
                    typed.limits.unwrap_err()
                )),
                Err(e) => failures.push(format!(
                    "{name}: inside value {} rejected by the type: {e}",
                    brief(&placed.value)
                )),
            }
        }

        let placed = place(&spec, &limit.schema, limit.outside.clone()).unwrap();
        let outside_valid = spec
            .schema_errors(
                &owner_schema(&spec, &placed.owner, &limit.schema),
                &placed.value,
            )
            .is_empty();
        if limit.open && !outside_valid {
            failures.push(format!(
                "{name}: open enum, but the spec rejects the unlisted value {}: write it \
                 `anyOf: [{{enum: [...]}}, {{type: string}}]` so other generators keep it too",
                brief(&limit.outside)
            ));
            continue;
        }
        if !limit.open && outside_valid {
            failures.push(format!(
                "{name}: the outside value {} is valid per the spec; the test value is wrong",
                brief(&limit.outside)
            ));
            continue;
        }
        if limit.open {
            // Open enums keep values the spec does not list instead of failing the response.
            match typed_owner(&placed.owner, &placed.value) {
                Ok(typed) if typed.json == placed.value => report.push(format!(
                    "{name}: open enum, an unlisted value is kept by {} and sent back unchanged",
                    typed.rust_type
                )),
                Ok(typed) => failures.push(format!(
                    "{name}: open enum changed {} to {}",
                    brief(&placed.value),
                    brief(&typed.json)
                )),
                Err(e) => {
                    failures.push(format!("{name}: open enum rejected an unlisted value: {e}"))
                }
            }
            continue;
        }
        let enforced_by = match typed_owner(&placed.owner, &placed.value) {
            Err(e) => format!("generated type {:?} ({e})", placed.owner),
            Ok(typed) => match typed.limits {
                Err(e) => {
                    if let Some(field) = &limit.field {
                        if !e.field.contains(field.as_str()) {
                            failures.push(format!(
                                "{name}: Validate blames `{}`, not `{field}`",
                                e.field
                            ));
                        }
                    }
                    format!(
                        "nanobanana_api::types::Validate on {} ({e})",
                        typed.rust_type
                    )
                }
                Ok(()) => {
                    failures.push(format!(
                        "{name}: ENFORCED NOWHERE: {} is accepted by {} and by its Validate impl",
                        brief(&limit.outside),
                        typed.rust_type
                    ));
                    continue;
                }
            },
        };
        report.push(format!("{name}: {enforced_by}"));
    }

    println!(
        "conformance: {} limits found in the spec, {} enforced at their boundary",
        limits.len(),
        report.len()
    );
    assert!(
        failures.is_empty(),
        "{} limit failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    crate::snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            crate::snapshot_name(module_path!(), "where_each_limit_is_enforced"),
            report.join("\n")
        )
    });
}
