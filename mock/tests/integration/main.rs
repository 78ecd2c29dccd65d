//! The mock's tests, in one test binary: its server, each platform's rules and answers, injected faults, many
//! stores and accounts at once.

mod common;

mod faults;
mod server;
mod shopline;
mod tenants;
mod tencent;
