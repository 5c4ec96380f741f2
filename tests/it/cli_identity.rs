//! Identity verification through the real binary: checks with evidence, authorised agents, asking for identity and
//! the unverified flag, and the purge of evidence after the retention period — the record of what was purged stays.

use crate::support::Register;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Every identity evidence file kept in the register's folder.
fn evidence_files(reg: &Register) -> Vec<PathBuf> {
    files_under(reg, "evidence")
}

/// The files of one of the register's folders (`evidence`, `attachments`), one level of request folders down.
fn files_under(reg: &Register, folder: &str) -> Vec<PathBuf> {
    let root = reg.files_dir().join(folder);
    let mut out = Vec::new();
    for d in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        out.extend(std::fs::read_dir(d.path()).unwrap().flatten().map(|f| f.path()));
    }
    out
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn kinds(v: &Value) -> Vec<String> {
    v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_uk_check_with_evidence_starts_the_clock_and_shows_the_policy() {
    let reg = Register::new("2026-03-20");
    let v =
        reg.request().name("Pat Doe").kind("access").regime("uk-gdpr").received("2026-03-02").on("2026-03-20").json();
    assert_eq!(v["identity"]["policy"]["level"], "proportionate");
    assert!(v["identity"]["policy"]["citation"].as_str().unwrap().contains("Art 12A"));
    assert_eq!(v["due"], "2026-04-02");

    let asked =
        reg.at("2026-03-20", &["request", "ask-identity", "RD-2026-0001", "--on", "2026-03-03", "--json"]).json();
    assert_eq!(asked["status"], "awaiting-identity");
    assert_eq!(asked["identity_requested_on"], "2026-03-03");

    let letter = reg.write("signed letter.pdf", "%PDF-1.4 signed letter");
    let passport = reg.write("passport.jpg", "jpeg bytes");
    let v = reg
        .at(
            "2026-03-20",
            &[
                "request",
                "verify",
                "RD-2026-0001",
                "--method",
                "signed-letter",
                "--outcome",
                "verified",
                "--on",
                "2026-03-09",
                "--evidence",
                &letter,
                "--evidence",
                &passport,
                "--note",
                "Signature matches",
                "--json",
            ],
        )
        .json();
    // Art 12A: the clock starts when the identity is confirmed (9 March → 9 April).
    assert_eq!(v["verified_on"], "2026-03-09");
    assert_eq!(v["clock_start"], "2026-03-09");
    assert_eq!(v["due"], "2026-04-09");
    assert_eq!(v["status"], "in-progress", "a request waiting for identity moves on once it is established");
    assert_eq!(v["identity"]["verified"], true);
    let check = &v["identity"]["checks"][0];
    assert_eq!(check["method"], "signed-letter");
    assert_eq!(check["evidence"].as_array().unwrap().len(), 2);
    let stored = evidence_files(&reg);
    assert_eq!(stored.len(), 2);
    for e in check["evidence"].as_array().unwrap() {
        let path = reg.files_dir().join("evidence").join(e["stored_name"].as_str().unwrap());
        assert_eq!(sha256(&path), e["sha256"].as_str().unwrap(), "the recorded hash is the file's");
    }
    let last = v["events"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "identity_checked");
    assert_eq!(last["data"]["dates"]["after"]["due"], "2026-04-09", "the event carries the dates before and after");
    assert_eq!(last["data"]["evidence"][0]["file_name"], "signed letter.pdf");
}

#[test]
fn bad_checks_are_refused_and_leave_no_file_behind() {
    let reg = Register::new("2026-03-20");
    reg.request()
        .name("Pat")
        .kind("erasure")
        .regime("eu-gdpr")
        .calendar("FR")
        .received("2026-03-02")
        .on("2026-03-20")
        .add();
    let ok = reg.write("id.png", "png");
    let bad = |args: &[&str], needle: &str| {
        let mut full = vec!["request", "verify", "RD-2026-0001", "--evidence", ok.as_str()];
        full.extend_from_slice(args);
        reg.at("2026-03-20", &full).assert_error(needle);
    };
    bad(&["--method", "telepathy", "--outcome", "verified", "--on", "2026-03-05"], "unknown method 'telepathy'");
    bad(&["--method", "in-person", "--outcome", "maybe", "--on", "2026-03-05"], "unknown outcome 'maybe'");
    bad(&["--method", "in-person", "--outcome", "verified", "--on", "2026-03-25"], "future");
    bad(&["--method", "in-person", "--outcome", "verified", "--on", "2026-03-01"], "before the request was received");
    bad(
        &["--method", "authorised-agent", "--outcome", "verified", "--on", "2026-03-05", "--party", "agent"],
        "no authorised agent",
    );
    bad(
        &["--method", "in-person", "--outcome", "verified", "--on", "2026-03-05", "--evidence", "/nonexistent/x.pdf"],
        "cannot read",
    );
    assert!(evidence_files(&reg).is_empty(), "a refused check keeps no evidence: {:?}", evidence_files(&reg));
    let v = reg.at("2026-03-20", &["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(kinds(&v), ["created"]);
}

#[test]
fn an_agent_needs_their_authority_and_the_subject_verified() {
    let reg = Register::new("2026-03-20");
    reg.at(
        "2026-02-10",
        &[
            "request",
            "add",
            "--name",
            "Ann Old",
            "--kind",
            "access",
            "--regime",
            "uk-gdpr",
            "--received",
            "2026-02-02",
            "--agent-name",
            "Bo Son",
        ],
    )
    .assert_error("written authority");
    let v = reg
        .at(
            "2026-02-10",
            &[
                "request",
                "add",
                "--json",
                "--name",
                "Ann Old",
                "--kind",
                "access",
                "--regime",
                "uk-gdpr",
                "--received",
                "2026-02-02",
                "--agent-name",
                "Bo Son",
                "--agent-email",
                "Bo@Example.org",
                "--agent-authority",
                "Lasting power of attorney",
            ],
        )
        .json();
    assert_eq!(v["agent"]["email"], "bo@example.org");
    let verify = |party: &str, method: &str, on: &str| {
        reg.at(
            "2026-02-10",
            &[
                "request",
                "verify",
                "RD-2026-0001",
                "--party",
                party,
                "--method",
                method,
                "--outcome",
                "verified",
                "--on",
                on,
                "--json",
            ],
        )
        .json()
    };
    let v = verify("requester", "account-match", "2026-02-03");
    assert_eq!(v["verified_on"], Value::Null, "the agent's authority is still unchecked");
    assert_eq!(v["identity"]["verified"], false);
    let v = verify("agent", "authorised-agent", "2026-02-05");
    assert_eq!(v["verified_on"], "2026-02-05");
    assert_eq!(v["clock_start"], "2026-02-05");
    // Removing the agent: the data subject's own check now suffices, from the day it was made.
    let v = reg.at("2026-02-10", &["request", "agent", "RD-2026-0001", "--remove", "--json"]).json();
    assert_eq!(v["agent"], Value::Null);
    assert_eq!(v["verified_on"], "2026-02-03");
    assert_eq!(kinds(&v).last().unwrap(), "agent_set");
}

#[test]
fn unverified_requests_are_flagged_and_can_be_closed_as_such() {
    let reg = Register::new("2026-03-20");
    reg.request().name("Kim").kind("erasure").regime("us-ca-ccpa").received("2026-01-05").on("2026-01-20").add();
    reg.at("2026-01-20", &["request", "ask-identity", "RD-2026-0001", "--on", "2026-01-06"]).ok();
    reg.at("2026-02-04", &["request", "close-unverified", "RD-2026-0001"]).assert_error("have not passed");
    let v = reg.at("2026-02-05", &["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(v["identity"]["unverified_since"], "2026-02-05");
    assert!(v["flags"][0].as_str().unwrap().contains("Identity not confirmed 30 days after"), "{}", v["flags"]);
    reg.at("2026-02-05", &["settings", "unverified-days", "--regime", "us-ca-ccpa", "--days", "45"]).ok();
    reg.at("2026-02-05", &["request", "close-unverified", "RD-2026-0001"]).assert_error("45 days");
    let v = reg.at("2026-02-20", &["request", "close-unverified", "RD-2026-0001", "--json"]).json();
    assert_eq!(v["status"], "refused");
    assert_eq!(v["refusal_category"], "identity-not-verified");
    assert!(v["outcome_reason"].as_str().unwrap().contains("asked on 2026-01-06"));
    assert!(v["flags"].as_array().unwrap().is_empty(), "an answered request is no longer flagged");
}

#[test]
fn evidence_is_purged_after_the_retention_period_and_its_record_stays() {
    let reg = Register::new("2026-03-20");
    reg.request()
        .name("Pat")
        .kind("access")
        .regime("eu-gdpr")
        .calendar("FR")
        .received("2026-03-02")
        .on("2026-03-20")
        .add();
    let id = reg.write("licence.jpg", "driving licence scan");
    let hash = sha256(Path::new(&id));
    reg.at(
        "2026-03-20",
        &[
            "request",
            "verify",
            "RD-2026-0001",
            "--method",
            "id-document",
            "--outcome",
            "verified",
            "--on",
            "2026-03-04",
            "--evidence",
            &id,
        ],
    )
    .ok();
    reg.at("2026-03-20", &["evidence", "purge", "--request", "RD-2026-0001"]).assert_error("still open");
    reg.at("2026-03-20", &["request", "status", "RD-2026-0001", "in-progress"]).ok();
    reg.at("2026-03-25", &["request", "status", "RD-2026-0001", "fulfilled"]).ok();
    // Answered 25 March: with the default 30 days nothing goes before 24 April.
    let v = reg.at("2026-04-23", &["evidence", "purge", "--json"]).json();
    assert_eq!(v["files"], 0);
    assert_eq!(evidence_files(&reg).len(), 1);
    let v = reg.at("2026-04-24", &["evidence", "purge", "--json"]).json();
    assert_eq!((v["files"].as_i64(), v["requests"].as_i64(), v["bytes"].as_i64()), (Some(1), Some(1), Some(20)));
    assert!(evidence_files(&reg).is_empty(), "the file is gone");
    let shown = reg.at("2026-04-24", &["request", "show", "RD-2026-0001", "--json"]).json();
    let e = &shown["identity"]["checks"][0]["evidence"][0];
    assert_eq!(e["purged_on"], "2026-04-24");
    assert_eq!(e["sha256"], hash.as_str(), "the record keeps the hash of what was seen");
    let last = shown["events"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "evidence_purged");
    assert_eq!(last["data"]["files"][0]["sha256"], hash.as_str());
    let v = reg.at("2026-05-24", &["evidence", "purge", "--json"]).json();
    assert_eq!(v["files"], 0, "nothing is purged twice");
    assert_eq!(reg.at("2026-05-24", &["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn evidence_retention_can_be_set_and_zero_means_at_once() {
    let reg = Register::new("2026-03-20");
    reg.request()
        .name("Pat")
        .kind("erasure")
        .regime("eu-gdpr")
        .calendar("FR")
        .received("2026-03-02")
        .on("2026-03-20")
        .add();
    let id = reg.write("bill.pdf", "utility bill");
    reg.at(
        "2026-03-20",
        &[
            "request",
            "verify",
            "RD-2026-0001",
            "--method",
            "id-document",
            "--outcome",
            "verified",
            "--on",
            "2026-03-04",
            "--evidence",
            &id,
        ],
    )
    .ok();
    reg.at("2026-03-20", &["request", "status", "RD-2026-0001", "withdrawn"]).ok();
    reg.at("2026-03-20", &["settings", "evidence-days", "--days", "99999"]).assert_error("ten years");
    reg.at("2026-03-20", &["settings", "evidence-days", "--days", "0"]).ok();
    let v = reg.at("2026-03-20", &["evidence", "purge", "--json"]).json();
    assert_eq!(v["files"], 1);
}

/// The files under the register's `attachments/` folder.
fn attachment_files(reg: &Register) -> Vec<PathBuf> {
    files_under(reg, "attachments")
}

#[test]
fn an_id_document_among_the_attachments_becomes_evidence_and_is_purged_with_it() {
    let reg = Register::new("2026-03-20");
    reg.request()
        .name("Pat")
        .kind("access")
        .regime("eu-gdpr")
        .calendar("FR")
        .received("2026-03-02")
        .on("2026-03-20")
        .add();
    let passport = reg.write("passport.jpg", "passport scan");
    let form = reg.write("form.pdf", "signed form");
    reg.at("2026-03-20", &["request", "attach", "RD-2026-0001", &passport]).ok();
    reg.at("2026-03-20", &["request", "attach", "RD-2026-0001", &form]).ok();
    let shown = reg.at("2026-03-20", &["request", "show", "RD-2026-0001", "--json"]).json();
    let id_of = |name: &str| {
        shown["attachments"].as_array().unwrap().iter().find(|a| a["file_name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (passport_id, form_id) = (id_of("passport.jpg"), id_of("form.pdf"));
    let hash = sha256(Path::new(&passport));
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "request",
            "verify",
            "RD-2026-0001",
            "--method",
            "id-document",
            "--outcome",
            "verified",
            "--on",
            "2026-03-04",
        ];
        args.extend_from_slice(extra);
        reg.at("2026-03-20", &args)
    };

    // Not an attachment of this request, or named twice: refused, nothing moved.
    verify(&["--from-attachment", "0190aaaa-0000-7000-8000-000000000000"]).assert_error("no attachment");
    verify(&["--from-attachment", &passport_id, "--from-attachment", &passport_id]).assert_error("twice");
    assert!(evidence_files(&reg).is_empty(), "a refused check leaves no evidence behind");
    assert_eq!(attachment_files(&reg).len(), 2);

    let v = verify(&["--from-attachment", &passport_id, "--json"]).json();
    let names: Vec<&str> =
        v["attachments"].as_array().unwrap().iter().map(|a| a["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["form.pdf"], "the ID document is no longer an attachment");
    let evidence = &v["identity"]["checks"][0]["evidence"];
    assert_eq!(evidence[0]["file_name"], "passport.jpg");
    assert_eq!(evidence[0]["sha256"], hash.as_str());
    assert_eq!(v["identity"]["verified"], true);
    // Moved, not copied: one file under evidence/ with the same content, none left under attachments/.
    let kept = evidence_files(&reg);
    assert_eq!(kept.len(), 1);
    assert_eq!(sha256(&kept[0]), hash);
    assert_eq!(attachment_files(&reg).len(), 1, "only the form stays an attachment");
    let last = v["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "identity_checked");
    assert_eq!(last["data"]["from_attachments"][0]["file_name"], "passport.jpg");
    assert_eq!(last["data"]["from_attachments"][0]["sha256"], hash.as_str());
    assert_eq!(last["data"]["evidence"][0]["sha256"], hash.as_str());

    // The same attachment cannot be taken twice.
    verify(&["--from-attachment", &passport_id]).assert_error("no attachment");

    // Answered, then purged on schedule with the rest of the evidence.
    reg.at("2026-03-20", &["request", "status", "RD-2026-0001", "in-progress"]).ok();
    reg.at("2026-03-25", &["request", "status", "RD-2026-0001", "fulfilled"]).ok();
    let v = reg.at("2026-04-24", &["evidence", "purge", "--json"]).json();
    assert_eq!(v["files"], 1);
    assert!(evidence_files(&reg).is_empty(), "the ID document is deleted for real");
    assert_eq!(attachment_files(&reg).len(), 1);
    assert_eq!(reg.at("2026-04-24", &["audit", "verify", "--json"]).json()["ok"], true);
    let shown = reg.at("2026-04-24", &["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(shown["attachments"][0]["id"], form_id.as_str());
}

#[test]
fn a_file_the_answer_holds_is_not_taken_as_evidence() {
    let reg = Register::new("2026-06-10");
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "Contact details"]).ok();
    let reference =
        reg.request().kind("access").gdpr("IE").received("2026-06-01").who("Pat Example", "pat@example.org").add();
    let scan = reg.write("statement.pdf", "account statement");
    reg.run(&["request", "disclose", &reference, "--system", "CRM", "--category", "Account", "--file", &scan]).ok();
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    let id = shown["attachments"][0]["id"].as_str().unwrap().to_string();
    reg.run(&[
        "request",
        "verify",
        &reference,
        "--method",
        "id-document",
        "--outcome",
        "verified",
        "--on",
        "2026-06-02",
        "--from-attachment",
        &id,
    ])
    .assert_error("answer to the requester");
    assert!(evidence_files(&reg).is_empty(), "a refused move leaves no second name behind");
    assert_eq!(attachment_files(&reg).len(), 1);
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    assert_eq!(shown["attachments"].as_array().unwrap().len(), 1);
    assert!(shown["identity"]["checks"].as_array().unwrap().is_empty());
}
