//! The `salesync` command's tests, in one test binary: `validate` of bodies and rows, `push` (inputs,
//! checkpoints and resumption after kill -9), `push --tenants` (one file for many stores and accounts), logging,
//! `mock` with many stores and accounts, and a new schema dropped into a copy of the workspace.
//! `push_pace.rs` is a binary of its own: its tests measure time, so they run alone, after these.
//!
//! One file's tests: `cargo test -p salesync-cli --test integration push_resume::`.

mod fleet;
mod logging;
mod mock;
mod new_schema;
mod push;
mod push_inputs;
mod push_resume;
mod validate;
mod validate_rows;
