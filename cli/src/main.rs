//! `salesync`: check request bodies against the endpoint schemas, push large exports to the platforms, and run
//! a local mock of both.
//!
//! One module per subcommand; arguments shared between subcommands (the endpoint, the input files, the output
//! format) live in their own modules so the next subcommands reuse them.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Rows are allocated on push's reader thread and freed on its sending one: mimalloc does that cheaply, where
/// glibc's malloc takes its slow path every time (see `Cargo.toml`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod endpoint;
mod input;
mod logging;
mod mock;
mod output;
mod push;
mod rows;
mod status;
mod validate;

/// Typed, validated request bodies for Shopline flow statistics and Tencent Ads offline sales info.
#[derive(Parser)]
#[command(name = "salesync", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    verbosity: logging::Verbosity,
}

#[derive(Subcommand)]
enum Command {
    /// Check files of request bodies against an endpoint's schema, reporting every violation.
    Validate(validate::Args),
    /// Stream a file of rows (JSON Lines or a JSON array) to the platform: validated, batched, resumable.
    Push(Box<push::Args>),
    /// Run the embedded mock of both platforms on a local port until Ctrl-C.
    Mock(mock::Args),
}

fn main() -> ExitCode {
    // Usage errors (unknown endpoint or subcommand, no files, bad flags) make clap exit with status 2.
    let cli = Cli::parse();
    logging::init(cli.verbosity);
    // The subcommand's name only: its arguments may hold credentials.
    let name = cli.command.name();
    tracing::info!(
        command = name,
        version = env!("CARGO_PKG_VERSION"),
        "starting"
    );
    let code = match cli.command {
        Command::Validate(args) => validate::run(&args) as u8,
        Command::Push(args) => push::run(&args),
        Command::Mock(args) => mock::run(&args),
    };
    tracing::info!(command = name, exit_status = code, "done");
    ExitCode::from(code)
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Command::Validate(_) => "validate",
            Command::Push(_) => "push",
            Command::Mock(_) => "mock",
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
