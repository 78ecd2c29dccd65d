//! The generator's tests, in one test binary: golden files, refusals, the command line, the drift check,
//! evolution of a schema against a consumer, the official JSON-Schema-Test-Suite and the compile gate (the
//! last two build scratch crates through `harness/`; their data and the golden files stay in `codegen/tests/`).
//!
//! One file's tests: `cargo test -p codegen --test integration compile_gate::`.

mod harness;

mod cli;
mod compile_gate;
mod drift;
mod evolution;
mod golden;
mod hardening;
mod json_schema_suite;
