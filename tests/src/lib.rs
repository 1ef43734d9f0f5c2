//! End-to-end tests across the nanobanana crates live in `tests/tests/`.
