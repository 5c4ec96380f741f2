//! The only way the CLI writes to the terminal. Names, subjects and cells come from requesters (an .eml's From
//! name, a spreadsheet's cells) and must not be able to drive the officer's terminal: an escape sequence can
//! recolour or hide lines, rewrite the window title, or on some terminals write to the clipboard; a bidi override
//! shows text in another order than it is stored. Every line goes through [`terminal_safe`] here, and
//! `clippy::print_stdout`/`print_stderr` plus `disallowed-methods` (clippy.toml) keep other paths out of src/cli.
//! `--json` output stays exact: [`json_text`] escapes those characters as `\uXXXX`, so the same value parses back
//! and the boundary finds nothing to change.

// This module is the boundary the lints point everyone else to.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

/// What replaces a character that could drive the terminal: visible, so the officer sees something was there.
pub const REPLACEMENT: char = '\u{FFFD}';

/// C0 controls except line feed and tab (the layout uses them), DEL, C1 controls, and the bidi embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what is displayed.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character replaced by [`REPLACEMENT`]; borrowed when there is none (the usual case).
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if is_unsafe(c) { REPLACEMENT } else { c }).collect())
}

/// JSON as serde_json writes it (C0 already escaped), with DEL, C1 and bidi controls escaped too. Outside ASCII
/// they can only stand inside strings, so `\uXXXX` there is the same JSON value.
pub fn json_text(json: String) -> String {
    if !json.contains(is_unsafe) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A result on stdout. A closed pipe (`| head`) is not a failure of ours.
pub fn stdout(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{}", terminal_safe(text));
}

/// A line on stderr.
pub fn stderr(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", terminal_safe(text));
}

/// A progress line redrawn in place on stderr (the carriage return is ours, the text is checked).
pub fn progress(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{}", terminal_safe(text));
    let _ = err.flush();
}

/// Whether a person watches stderr (progress is shown only then).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c1_and_bidi_controls_are_replaced_and_layout_is_kept() {
        let hostile = "Eve\u{1b}]0;owned\u{7}\u{1b}[2J\r\u{7f}\u{9b}31m\u{202e}gnp.exe\u{2066}x\u{2069}\ttab\nline";
        let safe = terminal_safe(hostile);
        assert!(!safe.chars().any(is_unsafe), "{safe:?}");
        assert_eq!(
            safe,
            "Eve\u{fffd}]0;owned\u{fffd}\u{fffd}[2J\u{fffd}\u{fffd}\u{fffd}31m\u{fffd}gnp.exe\u{fffd}x\u{fffd}\ttab\nline"
        );
        assert!(matches!(terminal_safe("Zoë 漢字 Ωμέγα Łukasz\tok\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_value_and_carries_no_raw_control() {
        let value = serde_json::json!({"name": "a\u{1b}[31m\u{7f}\u{85}\u{202e}\u{2069}b — Zoë"});
        let text = json_text(serde_json::to_string_pretty(&value).unwrap());
        assert!(!text.chars().any(is_unsafe), "{text}");
        assert_eq!(terminal_safe(&text), text, "the boundary leaves JSON untouched");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }
}
