//! Names in every script print as themselves in the PDFs that leave the app: a letter per requester and the
//! request log's report (whose title carries the organisation's name), read back with poppler's `pdftotext` as a
//! person copying the text would. The pages are also rendered to e2e-artifacts/ to be looked at.

use crate::support::{self, Register};

use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-06-30";

/// Polish, Czech, Greek, Cyrillic, Arabic (right to left), Chinese, Japanese, Korean; and Latin-1 as before.
const NAMES: [&str; 9] = [
    "Łukasz Żółć",
    "Jiří Dvořák",
    "Ωμέγα Παπαδοπούλου",
    "Юлия Иванова",
    "محمد العلي",
    "王小明",
    "佐藤花子",
    "김민준",
    "Zoë Löwe",
];

fn run(db: &Path, args: &[&str]) -> support::Run {
    support::run_now(db, TODAY, args)
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// The first page as a PNG in e2e-artifacts/, to look at (right-to-left order and joined Arabic letters are a
/// matter of shapes, which text extraction cannot fully judge).
fn render(pdf: &Path, name: &str) -> PathBuf {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e-artifacts");
    std::fs::create_dir_all(&shots).unwrap();
    let stem = shots.join(name);
    let ok = Command::new("pdftoppm")
        .args(["-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", pdf.to_str().unwrap(), stem.to_str().unwrap()])
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(ok.success());
    stem.with_extension("png")
}

/// The fonts a PDF embeds, as `pdffonts` lists them: (name, embedded, subset).
fn fonts(pdf: &Path) -> Vec<(String, bool, bool)> {
    let out = Command::new("pdffonts").arg(pdf).output().expect("pdffonts (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            (cols[0].to_string(), cols[n - 5] == "yes", cols[n - 4] == "yes")
        })
        .collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_letter_prints_each_requesters_name_in_its_own_script() {
    let reg = Register::new(TODAY);
    let db = &reg.db;
    run(db, &["settings", "organisation", "--name", "Acme Ltd", "--address", "1 Long Lane\nLondon"]).ok();
    for (i, name) in NAMES.iter().enumerate() {
        let email = format!("person{i}@example.org");
        let reference = reg
            .request()
            .kind("access")
            .gdpr("FR")
            .received("2026-06-01")
            .who(name, &email)
            .opt("--address", &format!("{name}\n12 Main Street"))
            .add();
        let pdf = reg.path(format!("letter-{i}.pdf"));
        run(db, &["template", "letter", &reference, "--template", "acknowledgement", "--out", pdf.to_str().unwrap()])
            .ok();
        let text = pdftotext(&pdf);
        assert!(!text.contains('?'), "a character was replaced in the letter to {name}: {text}");
        assert!(collapse(&text).contains(name), "{name} missing from its letter: {text}");
        assert!(text.contains("Acme Ltd") && text.contains("12 Main Street"), "{text}");
        for (font, embedded, subset) in fonts(&pdf) {
            assert!(embedded && subset, "{font} in the letter to {name} is not an embedded subset");
        }
        render(&pdf, &format!("letter-script-{i}"));
    }
}

#[test]
fn the_log_report_prints_the_organisations_name_in_any_script() {
    let reg = Register::new(TODAY);
    let db = &reg.db;
    reg.request().kind("access").gdpr("FR").received("2026-06-01").who("Pat", "pat@example.org").add();
    for (i, name) in NAMES.iter().enumerate() {
        run(db, &["settings", "organisation", "--name", name]).ok();
        let pdf = reg.path(format!("log-{i}.pdf"));
        run(db, &["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", pdf.to_str().unwrap()]).ok();
        let text = pdftotext(&pdf);
        assert!(!text.contains('?'), "a character was replaced in the report of {name}: {text}");
        let title = collapse(&text);
        if name.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
            // pdftotext reads the right-to-left run back in logical order but takes the neutral " — " after it
            // into the run (and marks it with embedding controls); the page itself is checked by eye
            // (e2e-artifacts/log-script-4.png).
            let plain: String = title.chars().filter(|c| !('\u{202A}'..='\u{202E}').contains(c)).collect();
            assert!(plain.contains("Request log of") && plain.contains(name), "{name}: {text}");
        } else {
            assert!(title.contains(&format!("Request log of {name} — received")), "{name}: {text}");
        }
        assert!(text.contains("RD-2026-0001"), "{text}");
        for (font, embedded, subset) in fonts(&pdf) {
            assert!(embedded && subset, "{font} in the report of {name} is not an embedded subset");
        }
        render(&pdf, &format!("log-script-{i}"));
    }
}
