//! How guessable a passphrase is: zxcvbn (Dropbox's estimator: dictionaries, keyboard walks, dates, repeats), scored
//! 0–4. The register's passphrase must be at least 10 characters and score 3 ("safely unguessable") or more: it is
//! all that stands between a stolen laptop and every requester's data.

use serde::Serialize;

use crate::error::{Error, Result};

pub const MIN_SCORE: u8 = 3;

/// What the window's strength meter shows as the officer types.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Strength {
    /// 0 (guessed at once) to 4 (very unlikely to be guessed).
    pub score: u8,
    /// Whether a new passphrase this strong is accepted.
    pub acceptable: bool,
    /// What makes it weak, and how to make it stronger (zxcvbn's words).
    pub warning: Option<String>,
    pub suggestions: Vec<String>,
}

pub fn strength(passphrase: &str) -> Strength {
    // zxcvbn's cost grows with the length; nothing past 256 characters makes a passphrase weaker.
    let sample: String = passphrase.chars().take(256).collect();
    let estimate = zxcvbn::zxcvbn(&sample, &["rightsdesk", "privacy", "register"]);
    let score = u8::from(estimate.score());
    let feedback = estimate.feedback();
    Strength {
        score,
        acceptable: score >= MIN_SCORE && passphrase.chars().count() >= crate::signing::MIN_PASSPHRASE_CHARS,
        warning: feedback.and_then(|f| f.warning()).map(|w| w.to_string()),
        suggestions: feedback.map(|f| f.suggestions().iter().map(ToString::to_string).collect()).unwrap_or_default(),
    }
}

/// A new passphrase, refused with what is wrong with it when it is too easy to guess.
pub fn require_strong(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < crate::signing::MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!("use at least {} characters", crate::signing::MIN_PASSPHRASE_CHARS),
        ));
    }
    let s = strength(passphrase);
    if !s.acceptable {
        let why = s.warning.or_else(|| s.suggestions.first().cloned()).unwrap_or_else(|| "it is easy to guess".into());
        return Err(Error::invalid(
            "passphrase",
            format!("this passphrase is too easy to guess ({why}): use four or more unrelated words"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_and_unrelated_words_accepted() {
        for weak in ["password123", "qwertyuiop", "rightsdesk2026", "aaaaaaaaaaaa"] {
            assert_eq!(require_strong(weak).unwrap_err().code(), "invalid", "{weak}");
            assert!(strength(weak).score < MIN_SCORE, "{weak}");
        }
        assert_eq!(require_strong("Tr0ub4!").unwrap_err().to_string(), "passphrase: use at least 10 characters");
        require_strong("correct horse battery staple").unwrap();
        assert!(strength("correct horse battery staple").acceptable);
    }
}
