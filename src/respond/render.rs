//! Rendering a response: the variables a template can use (from the request, the organisation and the law), strict
//! rendering (an unknown variable is an error, never an empty gap), and the check that what the law requires in
//! the stage's answer is there.

use serde::{Deserialize, Serialize};

use super::data::{Authority, Words, date_in};
use crate::domain::Article15Info;
use crate::error::{Error, Result};

/// The organisation's details and the Art 15(1) information, as set in Letters… → Organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Organisation {
    pub name: String,
    pub address: String,
    /// Where requesters write; also the sender of emails unless the SMTP settings name another.
    pub email: String,
    pub dpo: String,
    /// The closing of letters (a name and role).
    pub signature: String,
    #[serde(flatten)]
    pub art15: Article15Info,
    /// A PNG or JPEG file for the letterhead.
    pub logo: String,
}

impl Organisation {
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "address",
        "email",
        "dpo",
        "signature",
        "purposes",
        "categories",
        "recipients",
        "retention",
        "source",
        "automated",
        "transfers",
        "logo",
    ];

    pub fn get(&self, field: &str) -> Option<&String> {
        Some(match field {
            "name" => &self.name,
            "address" => &self.address,
            "email" => &self.email,
            "dpo" => &self.dpo,
            "signature" => &self.signature,
            "logo" => &self.logo,
            other => return self.art15.get(other),
        })
    }

    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "name" => &mut self.name,
            "address" => &mut self.address,
            "email" => &mut self.email,
            "dpo" => &mut self.dpo,
            "signature" => &mut self.signature,
            "logo" => &mut self.logo,
            other => match self.art15.get_mut(other) {
                Some(slot) => slot,
                None => return,
            },
        };
        *slot = value;
    }
}

/// Everything a template can refer to. Dates are already in the words of the response's language.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
    pub org: Organisation,
    pub art15: Article15Info,
    pub request: RequestVars,
    pub requester: RequesterVars,
    pub authority: AuthorityVars,
    pub refusal: RefusalVars,
    pub extension: ExtensionVars,
    /// What is asked of the requester (identity or clarification requests).
    pub note: String,
    pub complaint: String,
    pub remedy: String,
    pub today: String,
    pub identity_needed: bool,
    /// The clock waits for the answer (UK GDPR identity and clarification).
    pub clock_waits: bool,
    pub identity_requested_on: String,
    /// How the copy of the data reaches the requester (access and portability fulfilments).
    pub copy: CopyVars,
}

/// How the requester's copy of their data travels, so that the fulfilment says what is really attached: `how` is
/// `attached`, `password-separately` (an encrypted ZIP attached, its password in a second message or by phone),
/// `outside` (by post or a download, not with the email), or empty (not chosen: previews).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CopyVars {
    pub how: String,
    /// The attached file's name.
    pub file: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestVars {
    pub reference: String,
    pub kind: String,
    pub kind_label: String,
    pub received: String,
    pub due: String,
    pub regime: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RequesterVars {
    pub name: String,
    pub email: String,
    pub address: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuthorityVars {
    pub name: String,
    pub address: String,
    pub website: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RefusalVars {
    pub reasons: String,
    pub ground: String,
    pub basis: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExtensionVars {
    pub reasons: String,
    pub new_due: String,
}

impl Context {
    /// The sentences the law requires, in the response's language, naming the authority.
    pub fn fill_sentences(&mut self, words: &Words, authority: Option<&Authority>) {
        if let Some(a) = authority {
            self.authority =
                AuthorityVars { name: a.name.clone(), address: a.address.clone(), website: a.website.clone() };
            self.complaint = words
                .complaint
                .replace("{authority}", &a.name)
                .replace("{address}", &a.address)
                .replace("{website}", &format!(" ({})", a.website));
        }
        self.remedy = words.remedy.clone();
    }

    pub fn date(words: &Words, d: Option<time::Date>) -> String {
        d.map(|d| date_in(words, d)).unwrap_or_default()
    }
}

/// Variables a template may use (the names checked when a template is saved).
pub fn known_variables() -> Result<Vec<String>> {
    let value = serde_json::to_value(Context::default()).map_err(|e| Error::Corrupt(e.to_string()))?;
    let mut names = Vec::new();
    if let serde_json::Value::Object(top) = value {
        for (k, v) in top {
            match v {
                serde_json::Value::Object(inner) => names.extend(inner.keys().map(|f| format!("{k}.{f}"))),
                _ => names.push(k),
            }
        }
    }
    names.sort();
    Ok(names)
}

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// Line breaks as any mail reader or terminal takes them: CR, LF, NEL and the Unicode line and paragraph separators.
const LINE_BREAKS: [char; 5] = ['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'];

/// A value that goes into a mail header (a name, a subject) as typed: refused if it spans lines, so the officer
/// sees the problem where it is typed instead of a changed value later.
pub fn check_one_line(field: &str, text: &str) -> Result<()> {
    if text.contains(LINE_BREAKS) {
        return Err(Error::invalid(field, format!("the {field} goes into an email header: one line, no line breaks")));
    }
    Ok(())
}

/// A value for a mail header, made safe whatever it holds: every control character (line breaks included) and
/// bidi control becomes a space, runs of spaces one. Used where a value is built rather than typed (a rendered
/// subject, a name stored by an older version).
pub fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() || LINE_BREAKS.contains(&c) || is_bidi_control(c) { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The bidi embeddings, overrides and isolates: they reorder how a header is shown.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Check a template before it is saved or previewed: a one-line subject, its syntax, and that every variable it
/// uses exists.
pub fn check_template(subject: &str, body: &str) -> Result<()> {
    check_one_line("subject", subject)?;
    let env = environment();
    let known = known_variables()?;
    for (field, source) in [("subject", subject), ("body", body)] {
        let template = env.template_from_str(source).map_err(|e| {
            Error::invalid(field, format!("the template does not parse: {}", e.detail().unwrap_or(&e.to_string())))
        })?;
        let mut unknown: Vec<String> = template
            .undeclared_variables(true)
            .into_iter()
            .filter(|v| !known.contains(v) && !known.iter().any(|k| k.split('.').next() == Some(v.as_str())))
            .collect();
        unknown.sort();
        if !unknown.is_empty() {
            return Err(Error::invalid(
                field,
                format!("unknown variable(s): {} (see the list of variables)", unknown.join(", ")),
            ));
        }
    }
    Ok(())
}

/// A rendered response, and what it lacks of what the law requires (empty: it may be sent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rendered {
    pub stage: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
    pub missing: Vec<String>,
    /// What the officer should check before sending (it does not stop the answer).
    pub warnings: Vec<String>,
}

pub fn render(stage: &str, lang: &str, subject: &str, body: &str, ctx: &Context) -> Result<Rendered> {
    let env = environment();
    let value = minijinja::Value::from(minijinja::value::Serde(ctx));
    let run = |field: &str, source: &str| {
        env.render_str(source, value.clone())
            .map_err(|e| Error::invalid(field, format!("the template cannot be rendered: {e}")))
    };
    // A variable may hold a line break (a note, an address); the subject stays one header line.
    let subject = one_line(&run("subject", subject)?);
    let body = run("body", body)?;
    let missing = required(stage, ctx)
        .into_iter()
        .filter_map(|(what, value)| {
            if value.trim().is_empty() {
                Some(format!("{what}: not set"))
            } else if !body.contains(value.trim()) {
                Some(format!("{what}: the template does not include it"))
            } else {
                None
            }
        })
        .collect();
    Ok(Rendered { stage: stage.into(), lang: lang.into(), subject, body, missing, warnings: Vec::new() })
}

/// What the answer of a stage must contain (GDPR Art 12(4) and 15(1), Art 12(3) for extensions; law.md), with the
/// value that must appear.
pub(crate) fn required<'a>(stage: &str, ctx: &'a Context) -> Vec<(&'static str, &'a str)> {
    let mut out = vec![("The organisation's name (Letters… → Organisation)", ctx.org.name.as_str())];
    match stage {
        "refusal" | "partial" | "unverified" => out.extend([
            ("The reasons for the refusal", ctx.refusal.reasons.as_str()),
            ("The supervisory authority's name", ctx.authority.name.as_str()),
            ("The supervisory authority's address", ctx.authority.address.as_str()),
            ("The right to a judicial remedy", ctx.remedy.as_str()),
        ]),
        "extension" => out.extend([
            ("The reasons for the extension", ctx.extension.reasons.as_str()),
            ("The new date", ctx.extension.new_due.as_str()),
        ]),
        "identity-request" | "clarification-request" => out.push(("What is asked of the requester", ctx.note.as_str())),
        _ => {}
    }
    if stage == "fulfilment" && ctx.request.kind == "access" {
        out.extend(ctx.art15.fields().filter(|(f, _)| f.required).map(|(f, v)| (f.settings_label, v.as_str())));
        out.push(("The supervisory authority's name", ctx.authority.name.as_str()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::respond::data::data;

    fn full() -> Context {
        let d = data().unwrap();
        let words = d.words("fr").unwrap();
        let filled = |s: &str| s.to_string();
        let org = Organisation {
            name: filled("Acme SAS"),
            address: filled("1 rue de la Paix, Paris"),
            email: filled("privacy@acme.test"),
            dpo: filled("Claire Dupont"),
            signature: filled("Claire Dupont, DPO"),
            art15: Article15Info {
                purposes: filled("gestion des commandes"),
                categories: filled("identité, commandes"),
                recipients: filled("transporteurs"),
                retention: filled("3 ans"),
                source: filled("vous-même"),
                automated: filled("aucune"),
                transfers: filled("aucun"),
            },
            logo: String::new(),
        };
        let mut ctx = Context {
            art15: org.art15.clone(),
            org,
            note: filled("une copie de votre dernière facture"),
            request: RequestVars {
                reference: filled("RD-2026-0001"),
                kind: filled("access"),
                kind_label: words.kinds["access"].clone(),
                received: filled("2 mars 2026"),
                due: filled("2 avril 2026"),
                regime: filled("EU GDPR"),
            },
            requester: RequesterVars {
                name: filled("Zoë Martin"),
                email: filled("z@example.fr"),
                address: String::new(),
            },
            refusal: RefusalVars {
                reasons: filled("Demande répétée."),
                ground: filled("excessive"),
                basis: String::new(),
            },
            extension: ExtensionVars { reasons: filled("Volume de données."), new_due: filled("2 juin 2026") },
            identity_requested_on: filled("3 mars 2026"),
            ..Context::default()
        };
        ctx.fill_sentences(words, d.authority_for("eu-gdpr", "FR"));
        ctx
    }

    #[test]
    fn every_shipped_template_renders_with_all_it_must_contain() {
        let ctx = full();
        for t in &data().unwrap().templates {
            check_template(&t.subject, &t.body).unwrap_or_else(|e| panic!("{} {} {}: {e}", t.stage, t.kind, t.lang));
            let mut ctx = ctx.clone();
            ctx.request.kind = t.kind.replace('*', "access");
            let r = render(&t.stage, &t.lang, &t.subject, &t.body, &ctx).unwrap();
            assert!(r.missing.is_empty(), "{} {} {}: {:?}", t.stage, t.kind, t.lang, r.missing);
            assert!(!r.subject.contains('\n') && r.subject.contains("RD-2026-0001"), "{}", r.subject);
        }
    }

    #[test]
    fn french_reads_as_french() {
        let d = data().unwrap();
        let t = d.templates.iter().find(|t| t.stage == "refusal" && t.lang == "fr").unwrap();
        let r = render("refusal", "fr", &t.subject, &t.body, &full()).unwrap();
        assert!(r.body.contains("votre demande concernant l'accès à vos données personnelles"), "{}", r.body);
        assert!(r.body.contains("Commission nationale de l'informatique et des libertés"));
        assert!(r.body.contains("recours juridictionnel"));
    }

    #[test]
    fn unknown_variables_and_bad_syntax_are_refused() {
        assert!(check_template("ok", "{{ requester.name }} {{ art15.purposes }}").is_ok());
        let e = check_template("ok", "{{ requester.nmae }}").unwrap_err().to_string();
        assert!(e.contains("requester.nmae"), "{e}");
        assert!(check_template("{{ x", "body").unwrap_err().to_string().contains("does not parse"));
    }

    #[test]
    fn a_header_value_is_one_line_when_typed_and_when_rendered() {
        for bad in ["a\nb", "a\r\nBcc: x@y.z", "a\u{85}b", "a\u{2028}b", "a\u{2029}b"] {
            assert!(check_template(bad, "body").unwrap_err().to_string().contains("one line"), "{bad:?}");
            assert_eq!(check_one_line("name", bad).unwrap_err().field(), Some("name"));
        }
        assert!(check_one_line("name", "Zoë Łukasz 漢字 \u{200f}مريم").is_ok());
        assert_eq!(one_line("  Acme\r\nBcc: x@y.z\t\u{1b}[31m \u{202e}Ltd\u{2066} "), "Acme Bcc: x@y.z [31m Ltd");
        let mut ctx = full();
        ctx.note = "line one\r\nBcc: attacker@evil.test\u{85}x".into();
        let r = render("identity-request", "fr", "Demande {{ note }}", "{{ note }}", &ctx).unwrap();
        assert_eq!(r.subject, "Demande line one Bcc: attacker@evil.test x");
        assert!(r.body.contains("line one\r\n"), "the text keeps its lines");
    }
}
