//! The `rightsdesk` command-line tool: the same core as the desktop app, for automation and tests.
//! Usage and JSON fields are documented in docs/cli.md.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Everything this process creates holds personal data or leads to it: private to the user (0600/0700).
    rightsdesk::safe_file::restrict_umask();
    cli::main()
}
