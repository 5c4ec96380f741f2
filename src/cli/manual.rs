//! `rightsdesk completions SHELL` and `rightsdesk man [--out DIR]`: what a shell and `man` know of the commands,
//! made from the same clap definitions as `--help`, so they cannot drift from it. Neither opens a register: they
//! are asked for while installing, before there is one.

use std::path::PathBuf;

use clap::CommandFactory;
use rightsdesk::safe_file::{self, Existing};

use super::{Cli, Ctx, Failure};

#[derive(clap::Args)]
pub struct Completions {
    /// The shell to complete in: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(clap::Args)]
pub struct Man {
    /// The folder to write one page per command into (rightsdesk.1, rightsdesk-request.1, …; made if missing).
    /// Without it, the page of `rightsdesk` itself is printed.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace pages already in the --out folder (without this, an existing page is refused and nothing is written).
    #[arg(long, requires = "out")]
    force: bool,
}

/// The completion script, printed for the shell to load.
pub fn completions(args: Completions) -> Result<String, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "rightsdesk", &mut script);
    text(script)
}

/// The man pages: printed (the top-level one), or written into `--out`.
pub fn man(ctx: &Ctx, args: Man) -> Result<String, Failure> {
    // `rightsdesk help` is clap's own and `man` is the help: it gets no page (as clap_mangen::generate_to does).
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Built, each subcommand knows its full name (`rightsdesk-request-add`), which names its page.
    cmd.build();
    let Some(dir) = args.out else {
        let (_, page) = render(cmd)?;
        return text(page);
    };
    let mut pages = Vec::new();
    collect(cmd, &mut pages)?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make the folder {}: {e}", dir.display()))?;
    let existing = Existing::replace_if(args.force);
    // Every name is checked before the first page is written, so a refused run leaves the folder as it was.
    if existing == Existing::Refuse {
        for (name, _) in &pages {
            safe_file::refuse_taken(&dir.join(name))?;
        }
    }
    let mut written = Vec::with_capacity(pages.len());
    for (name, page) in &pages {
        let path = dir.join(name);
        safe_file::write(&path, existing, page)?;
        written.push(path);
    }
    ctx.show(&serde_json::json!({ "folder": dir, "pages": written }), |_| {
        format!("wrote {} man pages in {} (rightsdesk.1 and one per command)", written.len(), dir.display())
    })
}

/// `cmd`'s page and those of its subcommands, in the order `man -k` would list them.
fn collect(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<(), Failure> {
    let subcommands: Vec<clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned().collect();
    pages.push(render(cmd)?);
    for sub in subcommands {
        collect(sub, pages)?;
    }
    Ok(())
}

/// One page: its file name (`rightsdesk-request.1`) and its roff text.
fn render(cmd: clap::Command) -> Result<(String, Vec<u8>), Failure> {
    let man = clap_mangen::Man::new(cmd);
    let mut page = Vec::new();
    man.render(&mut page).map_err(|e| format!("cannot render the man page {}: {e}", man.get_filename()))?;
    Ok((man.get_filename(), page))
}

/// Generated text, printed through `out` (which adds the final line feed).
fn text(bytes: Vec<u8>) -> Result<String, Failure> {
    let text = String::from_utf8(bytes).map_err(|e| format!("the generated text is not UTF-8: {e}"))?;
    Ok(text.trim_end_matches('\n').to_string())
}
