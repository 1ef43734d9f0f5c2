//! The conformance suite: the generated client against spec/openapi.yaml.
//! One test binary for the crate (each file below was a binary of its own: one link instead of
//! five). `live` is ignored unless asked for:
//! `cargo test -p conformance --test it -- --ignored --nocapture live::`.

mod examples;
mod limits;
mod live;
mod operations;
mod schemars_agreement;

/// insta names a snapshot `<module path>__<name>.snap` in a `snapshots/` folder beside the test
/// file: here that would be `tests/it/snapshots/it__examples__….snap`. The snapshots keep the
/// names and folder they had when each module was a binary of its own (its crate name was the
/// module's name): `tests/snapshots/examples__….snap`. Assert through these settings with names
/// from [`snapshot_name`].
fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// `name` prefixed with its module as insta did for the module's own binary:
/// `snapshot_name(module_path!(), "x")` in `it::examples` is `examples__x`.
fn snapshot_name(module_path: &str, name: &str) -> String {
    let module = module_path.strip_prefix("it::").unwrap_or(module_path);
    format!("{}__{name}", module.replace("::", "__"))
}
