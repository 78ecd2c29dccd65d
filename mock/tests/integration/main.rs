//! The mock's tests, in one test binary: its server, each platform's rules and answers, injected faults.

mod common;

mod faults;
mod server;
mod shopline;
mod tencent;
