//! The window's files (issue 19): a file reaches an operation only by the token the shell registered when the
//! officer chose or dropped it (never a path or bytes from the page), an unknown or expired token is refused with a
//! way forward, and a file the register holds is copied out readable, private, for the OS's application to open.

use std::path::Path;

use rightsdesk::Desk;
use rightsdesk::desk::{Clock, RequestDetail};
use rightsdesk::files::chosen;
use rightsdesk::ops::Operation;
use rightsdesk::ops::identity::RecordIdentityCheck;
use rightsdesk::ops::requests::{AddAttachment, AddRequest};
use rightsdesk::vault::Access;
use serde_json::json;
use zeroize::Zeroizing;

fn encrypted(dir: &Path) -> Desk {
    let now = time::macros::datetime!(2026-11-22 12:00 UTC);
    let access = Access { passphrase: Some(Zeroizing::new("walnut tundra beacon lyric".into())), ..Access::default() };
    Desk::open(&dir.join("register.sqlite3"), Clock::Fixed(now), &access).unwrap()
}

fn op<T: serde::de::DeserializeOwned>(sent: serde_json::Value) -> T {
    serde_json::from_value(sent).unwrap()
}

fn file(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_chosen_file_is_logged_attached_and_taken_as_evidence_by_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let desk = encrypted(dir.path());
    let letter = chosen::register(&file(dir.path(), "letter.txt", "Please send me my data.")).unwrap();
    assert_eq!((letter.name.as_str(), letter.size), ("letter.txt", 23));
    let new: AddRequest = op(json!({
        "input": {"kind": "access", "regime": "uk-gdpr", "calendar": "GB-ENG", "received": "2026-11-20",
                  "channel": "letter", "name": "Dora Drop"},
        "file": {"chosen": letter.token},
    }));
    let detail: RequestDetail = new.run(&desk).unwrap();
    let reference = detail.request.reference.clone();
    assert_eq!(detail.attachments[0].file_name, "letter.txt");

    let scan = chosen::register(&file(dir.path(), "id scan.txt", "passport")).unwrap();
    let check: RecordIdentityCheck = op(json!({
        "reference": reference, "check": {"method": "id-document", "outcome": "verified", "on": "2026-11-21"},
        "evidence": [{"chosen": scan.token}],
    }));
    let detail = check.run(&desk).unwrap();
    let evidence = &detail.identity.checks[0].evidence[0];
    assert_eq!(evidence.file_name, "id scan.txt");

    // Both open from readable private copies, though the register seals them.
    let copies = dir.path().join("copies");
    for (id, content) in [(&detail.attachments[0].id, "Please send me my data."), (&evidence.id, "passport")] {
        let copy = desk.copy_out_held(&reference, id, &copies).unwrap();
        assert_eq!(std::fs::read_to_string(&copy).unwrap(), content);
        #[cfg(unix)]
        assert_eq!((mode(&copy), mode(copy.parent().unwrap())), (0o600, 0o700));
    }
    let sealed = desk.attachments_dir();
    let stored: Vec<_> = walk(&sealed);
    assert!(stored.iter().all(|p| !std::fs::read(p).unwrap().windows(6).any(|w| w == b"Please")), "sealed on disk");
    let e = desk.copy_out_held(&reference, "not-an-id", &copies).unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    let other: AddRequest = op(json!({
        "input": {"kind": "erasure", "regime": "uk-gdpr", "calendar": "GB-ENG", "received": "2026-11-20",
                  "name": "Someone Else"},
    }));
    let elsewhere = other.run(&desk).unwrap().request.reference;
    let e = desk.copy_out_held(&elsewhere, &detail.attachments[0].id, &copies).unwrap_err();
    assert_eq!(e.code(), "not_found", "a file of another request is not found through this one: {e}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() { found.extend(walk(&path)) } else { found.push(path) }
    }
    found
}

#[test]
fn an_unknown_or_forgotten_token_is_refused_and_a_page_cannot_name_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let desk = encrypted(dir.path());
    let new: AddRequest = op(json!({
        "input": {"kind": "access", "regime": "uk-gdpr", "calendar": "GB-ENG", "received": "2026-11-20",
                  "name": "Ann Token"},
    }));
    let reference = new.run(&desk).unwrap().request.reference;
    let attach = |token: &str| -> AddAttachment { op(json!({"reference": reference, "file": {"chosen": token}})) };

    let e = attach("00000000000000000000000000000000").run(&desk).unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid", Some("file")));
    assert!(e.to_string().contains("choose it again"), "{e}");

    // Locking forgets what was chosen: the page must ask the officer again.
    let chosen_file = chosen::register(&file(dir.path(), "a.txt", "a")).unwrap();
    chosen::forget_all();
    assert!(attach(&chosen_file.token).run(&desk).unwrap_err().to_string().contains("choose it again"));

    for sent in [
        json!({"reference": reference, "file": {"path": "/etc/passwd"}}),
        json!({"reference": reference, "file": "/etc/passwd"}),
        json!({"reference": reference, "file": {"chosen": "x", "path": "/etc/passwd"}}),
        json!({"reference": reference, "file": {"name": "a.txt", "content_base64": "YQ=="}}),
    ] {
        assert!(serde_json::from_value::<AddAttachment>(sent.clone()).is_err(), "{sent}");
    }
    assert!(desk.request(&reference).unwrap().attachments.is_empty());
}

#[test]
fn only_files_written_for_the_officer_can_be_opened_from_the_window() {
    // Every export of the window takes its name here (a free name in Downloads, nothing written yet).
    let written = rightsdesk::desk::export_path("log.csv").unwrap();
    let shown = written.display().to_string();
    assert_eq!(chosen::was_written(&shown).unwrap(), written);
    for not_ours in ["/etc/passwd", "~/.ssh/id_ed25519", ""] {
        assert_eq!(chosen::was_written(not_ours).unwrap_err().code(), "refused");
    }
}
