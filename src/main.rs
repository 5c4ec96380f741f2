//! The `rightsdesk` command-line tool: the same core as the desktop app, for automation and tests.
//! Usage and JSON fields are documented in docs/cli.md.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
