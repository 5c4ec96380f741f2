//! A first guess at what a written request asks for, from its words, in English, French, Dutch and German. It is
//! only ever shown as a guess, with the words it rests on; the officer confirms or changes it.

use serde::{Deserialize, Serialize};

use crate::domain::RequestKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindGuess {
    pub kind: RequestKind,
    /// The words found, e.g. `"delete" in the subject`.
    pub because: String,
}

/// Word stems per kind (lower case, matched at the start of a word, so "erase" finds "erasure"). Several
/// languages per entry: en, fr, nl, de.
const STEMS: &[(RequestKind, &[&str])] = &[
    (
        RequestKind::Erasure,
        &[
            "delete",
            "deletion",
            "erase",
            "erasure",
            "forgotten",
            "remove my",
            "supprim",
            "effac",
            "verwijder",
            "wis ",
            "lösch",
            "loesch",
            "vergessen",
        ],
    ),
    (
        RequestKind::Access,
        &[
            "access",
            "copy of",
            "subject access",
            "article 15",
            "art. 15",
            "art 15",
            "accès",
            "acces",
            "copie",
            "inzage",
            "inzicht",
            "auskunft",
            "kopie",
        ],
    ),
    (RequestKind::Rectification, &["rectif", "correct", "inaccurate", "update my", "berichtig", "verbeter", "wijzig"]),
    (
        RequestKind::Portability,
        &["portab", "transfer my data", "machine-readable", "overdraag", "übertrag", "uebertrag"],
    ),
    (RequestKind::Restriction, &["restrict", "limitation du", "beperk", "einschränk", "einschraenk"]),
    (RequestKind::Objection, &["object", "opposition", "oppose", "bezwaar", "widerspr", "widerspruch"]),
    (RequestKind::OptOutSaleSharing, &["do not sell", "don't sell", "sale of my", "selling my", "share my", "sharing"]),
    (
        RequestKind::OptOutMarketing,
        &[
            "unsubscribe",
            "marketing",
            "newsletter",
            "mailing list",
            "désabonn",
            "desabonn",
            "prospection",
            "afmeld",
            "uitschrijv",
            "abmeld",
            "werbung",
            "abbestell",
        ],
    ),
    (RequestKind::OptOutProfiling, &["profiling", "automated decision", "profilage", "profilering"]),
    (RequestKind::LimitSensitive, &["sensitive personal", "limit the use", "sensitive data"]),
    (RequestKind::Appeal, &["appeal", "reconsider", "recours", "beroep", "einspruch"]),
];

fn words_found<'a>(text: &str, stems: &[&'a str]) -> Vec<&'a str> {
    let lower = text.to_lowercase();
    stems
        .iter()
        .copied()
        .filter(|stem| {
            lower.match_indices(stem).any(|(i, _)| {
                // At the start of a word: the character before is not a letter.
                lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
            })
        })
        .collect()
}

/// The most likely kind: words in the subject count three times as much as words in the body. `None` when no
/// word of any kind appears.
pub fn guess_kind(subject: &str, body: &str) -> Option<KindGuess> {
    let mut best: Option<(u32, KindGuess)> = None;
    for (kind, stems) in STEMS {
        let in_subject = words_found(subject, stems);
        let in_body = words_found(body, stems);
        let score = 3 * in_subject.len() as u32 + in_body.len() as u32;
        if score == 0 || best.as_ref().is_some_and(|(b, _)| *b >= score) {
            continue;
        }
        let mut because = Vec::new();
        if !in_subject.is_empty() {
            because.push(format!("{} in the subject", quoted(&in_subject)));
        }
        if !in_body.is_empty() {
            because.push(format!("{} in the text", quoted(&in_body)));
        }
        best = Some((score, KindGuess { kind: *kind, because: because.join(", ") }));
    }
    best.map(|(_, g)| g)
}

fn quoted(words: &[&str]) -> String {
    words.iter().map(|w| format!("\"{}\"", w.trim())).collect::<Vec<_>>().join(", ")
}

/// The requester's language, guessed from common words; `None` when unsure.
pub fn guess_language(text: &str) -> Option<&'static str> {
    const MARKERS: &[(&str, &[&str])] = &[
        ("en", &["the", "my", "and", "please", "data", "you", "request"]),
        ("fr", &["je", "mes", "les", "des", "données", "vous", "demande", "merci"]),
        ("nl", &["ik", "mijn", "het", "een", "gegevens", "verzoek", "graag", "u"]),
        ("de", &["ich", "meine", "die", "und", "daten", "bitte", "sie", "anfrage"]),
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut scores: Vec<(usize, &'static str)> =
        MARKERS.iter().map(|(lang, m)| (words.iter().filter(|w| m.contains(w)).count(), *lang)).collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scores.as_slice() {
        [(first, lang), (second, _), ..] if *first >= 2 && *first > *second => Some(lang),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_from_subject_and_text_in_four_languages() {
        let g = guess_kind("Please delete my account", "I want you to erase all my data.").unwrap();
        assert_eq!(g.kind, RequestKind::Erasure);
        assert_eq!(g.because, r#""delete" in the subject, "erase" in the text"#);
        assert_eq!(
            guess_kind("Demande d'accès", "Je souhaite une copie de mes données").unwrap().kind,
            RequestKind::Access
        );
        assert_eq!(guess_kind("Verzoek", "Graag verwijder mijn gegevens").unwrap().kind, RequestKind::Erasure);
        assert_eq!(guess_kind("Auskunft nach Art. 15", "").unwrap().kind, RequestKind::Access);
        assert_eq!(guess_kind("Newsletter", "please unsubscribe me").unwrap().kind, RequestKind::OptOutMarketing);
        assert_eq!(guess_kind("Hello", "How are you?"), None);
        // "correct" must start a word: "incorrect" alone is no rectification request.
        assert_eq!(guess_kind("", "this is incorrectly formatted"), None);
    }

    #[test]
    fn guesses_the_language_only_when_clear() {
        assert_eq!(guess_language("Je vous demande une copie de mes données, merci"), Some("fr"));
        assert_eq!(guess_language("Ich bitte um Auskunft über meine Daten und die Empfänger"), Some("de"));
        assert_eq!(guess_language("Please send me my data and the recipients"), Some("en"));
        assert_eq!(guess_language("RD-2026-0001"), None);
    }
}
