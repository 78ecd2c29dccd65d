//! `salesync`: check request bodies against the endpoint schemas (and, later, send them).
//!
//! One module per subcommand; arguments shared between subcommands (the endpoint, the input files, the output
//! format) live in their own modules so the next subcommands reuse them.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod endpoint;
mod input;
mod output;
mod status;
mod validate;

/// Typed, validated request bodies for Shopline flow statistics and Tencent Ads offline sales info.
#[derive(Parser)]
#[command(name = "salesync", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files of request bodies against an endpoint's schema, reporting every violation.
    Validate(validate::Args),
}

fn main() -> ExitCode {
    // Usage errors (unknown endpoint or subcommand, no files, bad flags) make clap exit with status 2.
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Validate(args) => validate::run(&args),
    };
    status.into()
}
