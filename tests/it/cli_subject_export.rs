//! The requester's copy of their data, checked as a person would: the ZIP opened with the system's `unzip` (and
//! 7-Zip when it is encrypted, which `unzip` cannot open), every manifest checksum recomputed, data.json parsed,
//! the HTML and README read; the password searched for in every file it could have leaked into.

use crate::support::{self, Register};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::Digest;

const TODAY: &str = "2026-06-30";

/// A register with an organisation that has filled in every Art 13/14 field, and two systems on its data map.
fn register() -> Register {
    let reg = Register::new(TODAY);
    reg.organisation(&[
        ("--name", "Acme Ltd"),
        ("--address", "1 Main Street, Dublin"),
        ("--email", "privacy@acme.test"),
        ("--purposes", "Running your account and orders"),
        ("--categories", "Identity, contact details, orders"),
        ("--recipients", "Our parcel carrier"),
        ("--retention", "Six years after the last order"),
        ("--source", "You, when you signed up"),
        ("--automated", "None"),
    ]);
    for (name, holds) in [("CRM", "Contact details and account history"), ("Web shop", "Orders and payments")] {
        reg.run(&["datamap", "add", "--name", name, "--owner", "IT", "--holds", holds]).ok();
    }
    reg
}

fn add(reg: &Register, kind: &str) -> String {
    add_in(reg, kind, "en")
}

fn add_in(reg: &Register, kind: &str, language: &str) -> String {
    let pat = reg.request().kind(kind).gdpr("IE").received("2026-06-01").who("Pat Example", "pat@example.org");
    pat.opt("--language", language).add()
}

/// A file found in a system, written to `found/` beside the register.
fn found_file(reg: &Register, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = reg.path("found");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `request disclose` of one item found in `system`: `item` is `--label L --value V` or `--file F`.
fn disclose(reg: &Register, reference: &str, system: &str, category: &str, item: &[&str], provided: bool) {
    let mut args = vec!["request", "disclose", reference, "--system", system, "--category", category];
    args.extend_from_slice(item);
    if provided {
        args.push("--provided");
    }
    reg.run(&args).ok();
}

fn field(reg: &Register, reference: &str, system: &str, category: &str, label: &str, value: &str, provided: bool) {
    disclose(reg, reference, system, category, &["--label", label, "--value", value], provided);
}

fn attach(reg: &Register, reference: &str, system: &str, category: &str, file: &Path, provided: bool) {
    disclose(reg, reference, system, category, &["--file", file.to_str().unwrap()], provided);
}

/// `export subject --json`, the password (if any) typed on standard input.
fn export(reg: &Register, reference: &str, out: &Path, password: Option<&str>) -> support::Run {
    let args = ["export", "subject", reference, "--out", out.to_str().unwrap(), "--json"];
    match password {
        Some(p) => reg.run_input(&[&args[..], &["--password-stdin"]].concat(), &format!("{p}\n")),
        None => reg.run(&args),
    }
}

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Unpack with a system tool into a new folder; every file there, by relative path.
fn unpack(tool: &[&str], zip: &Path, into: &Path) -> BTreeMap<String, Vec<u8>> {
    let status = Command::new(tool[0]).args(&tool[1..]).arg(zip).current_dir(into).output().unwrap();
    assert!(
        status.status.success(),
        "{tool:?}: {}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    let mut files = BTreeMap::new();
    let mut stack = vec![into.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(into).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    files
}

/// Every file but the manifest is in the manifest with its size and SHA-256, and nothing else is.
fn check_manifest(files: &BTreeMap<String, Vec<u8>>) {
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["algorithm"], "SHA-256");
    let listed: BTreeMap<String, (u64, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                (f["size"].as_u64().unwrap(), f["sha256"].as_str().unwrap().to_string()),
            )
        })
        .collect();
    let present: Vec<&String> = files.keys().filter(|k| *k != "manifest.json").collect();
    assert_eq!(listed.keys().collect::<Vec<_>>(), present, "the manifest lists exactly the archive's files");
    for (path, (size, sha)) in &listed {
        assert_eq!(files[path].len() as u64, *size, "{path}");
        assert_eq!(&sha256(&files[path]), sha, "{path}");
    }
}

/// data.json against docs/subject-export.schema.json, with the Python `jsonschema` library (pinned in setup.sh).
fn validate_against_schema(data: &Path) {
    let python = std::env::var("RIGHTSDESK_PYTHON").unwrap_or_else(|_| "python3".into());
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/subject-export.schema.json");
    let probe = Command::new(&python).args(["-c", "import jsonschema"]).status();
    if !matches!(probe, Ok(s) if s.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have jsonschema for {python}: the schema check cannot be skipped"
        );
        eprintln!("skipped the schema check: {python} has no jsonschema");
        return;
    }
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  jsonschema.Draft202012Validator.check_schema(schema)\n\
                  jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[2])))";
    let out = Command::new(&python).args(["-c", script]).arg(&schema).arg(data).output().unwrap();
    assert!(out.status.success(), "data.json does not match its schema: {}", String::from_utf8_lossy(&out.stderr));
}

fn xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Orders").unwrap();
    sheet.write(0, 0, "order").unwrap();
    sheet.write(0, 1, "total").unwrap();
    sheet.write(1, 0, "A-1001").unwrap();
    sheet.write(1, 1, 42.5).unwrap();
    let other = book.add_worksheet().set_name("Returns").unwrap();
    other.write(0, 0, "order").unwrap();
    other.write(1, 0, "A-0999").unwrap();
    book.save(path).unwrap();
}

#[test]
fn an_access_export_holds_everything_gathered_with_checksums_a_person_can_verify() {
    let reg = register();
    let r = add(&reg, "access");
    field(&reg, &r, "CRM", "Contact details", "Email address", "pat@example.org", true);
    field(&reg, &r, "CRM", "Contact details", "Note", "Prefers <b>post</b> & \"letters\"", false);
    field(&reg, &r, "crm", "Account", "Customer since", "2019-03-04", false);
    let csv = found_file(&reg, "orders.csv", b"order,total\nA-1001,42.50\n");
    attach(&reg, &r, "Web shop", "Orders", &csv, true);
    let book = reg.dir().join("found").join("orders.xlsx");
    xlsx(&book);
    attach(&reg, &r, "Web shop", "Orders", &book, false);
    // Two different files under one name, and a name trying to leave the folder.
    let photo = found_file(&reg, "photo.png", &[0x89, b'P', b'N', b'G', 1, 2, 3]);
    attach(&reg, &r, "CRM", "Account", &photo, true);
    let photo2 = reg.dir().join("found").join("other");
    std::fs::create_dir_all(&photo2).unwrap();
    std::fs::write(photo2.join("PHOTO.png"), [0x89, b'P', b'N', b'G', 9, 9]).unwrap();
    attach(&reg, &r, "CRM", "Account", &photo2.join("PHOTO.png"), false);
    let evil = found_file(&reg, "..%2F..%2Fevil.txt", b"still just a file");
    attach(&reg, &r, "CRM", "Account", &evil, false);

    let out = reg.dir().join("export.zip");
    let done = export(&reg, &r, &out, None).json();
    assert_eq!(done["encrypted"], false);
    assert_eq!(done["scope"], "all");
    let zip_bytes = std::fs::read(&out).unwrap();
    assert_eq!(done["sha256"], sha256(&zip_bytes));
    assert_eq!(done["bytes"], zip_bytes.len() as u64);

    let into = reg.dir().join("unzipped");
    std::fs::create_dir_all(&into).unwrap();
    let test = Command::new("unzip").arg("-t").arg(&out).output().unwrap();
    assert!(test.status.success(), "unzip -t: {}", String::from_utf8_lossy(&test.stdout));
    let files = unpack(&["unzip", "-q"], &out, &into);
    assert_eq!(done["files"], files.len() as u64);
    check_manifest(&files);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    for expected in [
        "README.txt",
        "data.json",
        "data/fields.csv",
        "files/CRM/Account/photo.png",
        "files/CRM/Account/PHOTO (2).png",
        "files/CRM/Account/%2F..%2Fevil.txt",
        "files/Web shop/Orders/orders.csv",
        "files/Web shop/Orders/orders.xlsx",
        "index.html",
        "manifest.json",
        "tables/Web shop/orders - Orders.csv",
        "tables/Web shop/orders - Returns.csv",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    assert!(names.iter().all(|n| !n.split('/').any(|c| c == ".." || c.is_empty())), "{names:?}");
    assert_eq!(files["files/Web shop/Orders/orders.csv"], b"order,total\nA-1001,42.50\n");
    assert_eq!(String::from_utf8_lossy(&files["tables/Web shop/orders - Orders.csv"]), "order,total\nA-1001,42.5\n");
    let fields = String::from_utf8_lossy(&files["data/fields.csv"]).into_owned();
    assert!(fields.starts_with("system,category,field,value,provided_by_you\n"), "{fields}");
    assert!(fields.contains("CRM,Contact details,Email address,pat@example.org,yes"), "{fields}");

    let data: serde_json::Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(data["format"], "rightsdesk-subject-export/1");
    assert_eq!(data["request"]["reference"], r.as_str());
    assert_eq!(data["subject"]["name"], "Pat Example");
    assert_eq!(data["information"]["purposes"], "Running your account and orders");
    assert!(
        data["information"]["complaint"].as_str().unwrap().contains("Data Protection Commission"),
        "{}",
        data["information"]
    );
    let systems: Vec<&str> = data["systems"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(systems, ["CRM", "Web shop"]);
    assert_eq!(data["systems"][0]["holds"], "Contact details and account history");
    let orders = &data["systems"][1]["categories"][0];
    assert_eq!(orders["name"], "Orders");
    assert_eq!(
        orders["files"][1]["tables"],
        serde_json::json!(["tables/Web shop/orders - Orders.csv", "tables/Web shop/orders - Returns.csv"])
    );
    assert_eq!(orders["files"][0]["sha256"], sha256(b"order,total\nA-1001,42.50\n"));

    validate_against_schema(&into.join("data.json"));

    let html = String::from_utf8_lossy(&files["index.html"]).into_owned();
    assert!(
        html.contains("Prefers &lt;b&gt;post&lt;&#x2f;b&gt; &amp; &quot;letters&quot;"),
        "the value is escaped: {html}"
    );
    assert!(!html.contains("<script"), "no script");
    assert!(html.contains(r#"href="files/Web%20shop/Orders/orders.csv""#), "links are relative and encoded");
    assert!(html.contains(r#"href="files/CRM/Account/%252F..%252Fevil.txt""#), "a % in a name is encoded");
    let readme = String::from_utf8_lossy(&files["README.txt"]).into_owned();
    for needle in [
        "Six years after the last order",
        "Our parcel carrier",
        "You, when you signed up",
        "Data Protection Commission",
        r.as_str(),
    ] {
        assert!(readme.contains(needle), "README lacks {needle}: {readme}");
    }

    // The trail knows what was handed over, without the data.
    let shown = reg.run(&["request", "show", &r, "--json"]).json();
    let event = shown["events"].as_array().unwrap().iter().find(|e| e["kind"] == "subject_export_made").unwrap();
    assert_eq!(event["data"]["sha256"], sha256(&zip_bytes));
    assert!(!shown["events"].to_string().contains("Prefers"), "values stay out of the audit trail");
    reg.run(&["audit", "verify"]).ok();
}

#[test]
fn a_password_encrypts_every_entry_and_is_written_nowhere() {
    let reg = register();
    let r = add(&reg, "access");
    field(&reg, &r, "CRM", "Contact details", "Phone", "+353 1 555 0100", true);
    let pdf = found_file(&reg, "letter.pdf", b"%PDF-1.4 not really a pdf but bytes all the same");
    attach(&reg, &r, "CRM", "Letters", &pdf, false);
    let password = "correct horse battery staple 7";
    export(&reg, &r, &reg.dir().join("short.zip"), Some("tooshort")).assert_error("too short");
    assert!(!reg.dir().join("short.zip").exists());

    let out = reg.dir().join("locked.zip");
    let done = export(&reg, &r, &out, Some(password)).json();
    assert_eq!(done["encrypted"], true);

    // Without the password nothing opens; 7-Zip with it gets every file, and the manifest holds.
    let into = reg.dir().join("7z");
    std::fs::create_dir_all(&into).unwrap();
    let refused =
        Command::new("7z").args(["x", "-y", "-pwrong password here"]).arg(&out).current_dir(&into).output().unwrap();
    assert!(!refused.status.success(), "a wrong password must not open it");
    let listing = String::from_utf8_lossy(&Command::new("7z").args(["l", "-slt"]).arg(&out).output().unwrap().stdout)
        .into_owned();
    let methods: Vec<&str> = listing.lines().filter(|l| l.starts_with("Method = ")).collect();
    assert!(!methods.is_empty() && methods.iter().all(|m| m.contains("AES-256")), "{methods:?}");
    let _ = std::fs::remove_dir_all(&into);
    std::fs::create_dir_all(&into).unwrap();
    let files = unpack(&["7z", "x", "-y", &format!("-p{password}")], &out, &into);
    check_manifest(&files);
    assert!(files.contains_key("files/CRM/Letters/letter.pdf"));

    // The password is in no file Rightsdesk wrote: the archive, the database (and its WAL), the attachments.
    let mut leaks = vec![];
    let mut stack = vec![reg.dir().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).unwrap().windows(password.len()).any(|w| w == password.as_bytes()) {
                leaks.push(p);
            }
        }
    }
    assert!(leaks.is_empty(), "the password was written to {leaks:?}");
}

#[test]
fn a_portability_export_holds_only_what_the_person_provided() {
    let reg = register();
    let r = add(&reg, "portability");
    field(&reg, &r, "CRM", "Profile", "Name", "Pat Example", true);
    field(&reg, &r, "CRM", "Profile", "Credit score", "B+", false);
    let csv = found_file(&reg, "uploads.csv", b"file,date\nid.png,2026-01-01\n");
    attach(&reg, &r, "Web shop", "Uploads", &csv, true);
    let note = found_file(&reg, "internal.txt", b"internal assessment");
    attach(&reg, &r, "Web shop", "Notes", &note, false);
    let out = reg.dir().join("port.zip");
    let done = export(&reg, &r, &out, None).json();
    assert_eq!(done["scope"], "provided");
    let into = reg.dir().join("u");
    std::fs::create_dir_all(&into).unwrap();
    let files = unpack(&["unzip", "-q"], &out, &into);
    check_manifest(&files);
    assert!(files.contains_key("files/Web shop/Uploads/uploads.csv"));
    assert!(!files.keys().any(|k| k.contains("internal")), "{:?}", files.keys());
    let all: String = files.values().map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    assert!(!all.contains("Credit score") && !all.contains("internal assessment"));
    assert!(all.contains("Pat Example"));
    let data: serde_json::Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(data["scope"], "provided");
}

#[test]
fn the_pages_speak_the_requesters_language_and_the_data_stays_machine_readable() {
    let reg = register();
    let r = add_in(&reg, "access", "fr");
    field(&reg, &r, "CRM", "Contact details", "Email address", "pat@example.org", true);
    let big = found_file(&reg, "photo.jpg", &vec![7u8; 3 * 1024 * 1024 / 2]);
    attach(&reg, &r, "CRM", "Photos", &big, true);

    let out = reg.dir().join("fr.zip");
    let done = export(&reg, &r, &out, None).json();
    assert_eq!(done["language"], "fr");
    let into = reg.dir().join("fr");
    std::fs::create_dir_all(&into).unwrap();
    let files = unpack(&["unzip", "-q"], &out, &into);
    check_manifest(&files);
    let html = String::from_utf8_lossy(&files["index.html"]).into_owned();
    for needle in [
        r#"<html lang="fr">"#,
        "Vos données personnelles détenues par Acme Ltd",
        "demande RD-",
        "(accès) reçue le 1 juin 2026",
        "Finalités du traitement",
        "Fournie par vous",
        "1,5 Mo",
        "Vous avez le droit d&#x27;introduire une réclamation",
    ] {
        assert!(html.contains(needle), "index.html lacks {needle}: {html}");
    }
    assert!(!html.contains("Purposes of the processing"), "no English left on the page");
    let readme = String::from_utf8_lossy(&files["README.txt"]).into_owned();
    assert!(readme.starts_with("VOS DONNÉES PERSONNELLES DÉTENUES PAR ACME LTD"), "{readme}");
    assert!(readme.contains("CONTENU DE CETTE ARCHIVE") && readme.contains("Durée de conservation\u{a0}:"), "{readme}");
    assert!(!readme.contains("tables/"), "no spreadsheet, so no tables folder is announced: {readme}");
    // What programs read is not translated.
    let data: serde_json::Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(data["language"], "fr");
    assert_eq!(data["request"]["kind"], "Access");
    assert!(
        String::from_utf8_lossy(&files["data/fields.csv"]).starts_with("system,category,field,value,provided_by_you")
    );
    validate_against_schema(&into.join("data.json"));

    // The officer may choose another language; one the export does not speak is refused with the choices.
    let de = reg.dir().join("de.zip");
    let mut cmd = support::command();
    cmd.args(["--db", reg.db.to_str().unwrap(), "export", "subject", &r, "--lang", "de", "--out"])
        .arg(&de)
        .env("RIGHTSDESK_NOW", TODAY)
        .stdout(Stdio::null());
    assert!(cmd.status().unwrap().success());
    let into = reg.dir().join("de");
    std::fs::create_dir_all(&into).unwrap();
    let files = unpack(&["unzip", "-q"], &de, &into);
    assert!(String::from_utf8_lossy(&files["index.html"]).contains("Ihre personenbezogenen Daten bei Acme Ltd"));
    reg.run(&["export", "subject", &r, "--lang", "xx", "--out", reg.dir().join("xx.zip").to_str().unwrap()])
        .assert_error("choose one of de, en, fr, nl");
    assert!(!reg.dir().join("xx.zip").exists());
}

#[test]
fn bad_requests_for_an_export_get_a_clear_error_and_leave_no_file() {
    let reg = register();
    let erasure = add(&reg, "erasure");
    reg.run(&["request", "disclose", &erasure, "--system", "CRM", "--category", "x", "--label", "a", "--value", "b"])
        .assert_error("only access and portability");
    let r = add(&reg, "access");
    let out = reg.dir().join("x.zip");
    export(&reg, &r, &out, None).assert_error("nothing is gathered");
    reg.run(&["request", "disclose", &r, "--system", "Billing", "--category", "x", "--label", "a", "--value", "b"])
        .assert_error("not on the data map");
    reg.run(&["request", "disclose", &r, "--system", "CRM", "--category", " ", "--label", "a", "--value", "b"])
        .assert_error("category");
    let p = reg.run(&[
        "request",
        "disclose",
        &r,
        "--system",
        "CRM",
        "--category",
        "Profile",
        "--label",
        "a",
        "--value",
        "b",
    ]);
    p.ok();
    let portability = add(&reg, "portability");
    reg.run(&[
        "request",
        "disclose",
        &portability,
        "--system",
        "CRM",
        "--category",
        "P",
        "--label",
        "a",
        "--value",
        "b",
    ])
    .ok();
    export(&reg, &portability, &out, None).assert_error("provided by the person");

    // A gathered file changed on disk afterwards stops the export: the person would get something else.
    let f = found_file(&reg, "notes.txt", b"original");
    attach(&reg, &r, "CRM", "Notes", &f, false);
    let shown = reg.run(&["request", "show", &r, "--json"]).json();
    let stored =
        shown["attachments"].as_array().unwrap().iter().find(|a| a["file_name"] == "notes.txt").unwrap()["stored_name"]
            .as_str()
            .unwrap()
            .to_string();
    let managed = reg.files_dir().join("attachments").join(&stored);
    std::fs::write(&managed, b"tampered").unwrap();
    export(&reg, &r, &out, None).assert_error("changed on disk");
    std::fs::write(&managed, b"original").unwrap();

    // The law's information missing from the README stops an access export.
    reg.run(&["settings", "organisation", "--retention", ""]).ok();
    export(&reg, &r, &out, None).assert_error("retention");
    export(&reg, &r, &reg.dir().join("no-such-folder").join("x.zip"), None).assert_error("does not exist");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(reg.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Removing an item takes it off the answer, and the trail says so.
    let item = shown["disclosures"][0]["id"].as_str().unwrap().to_string();
    let after = reg.run(&["request", "undisclose", &r, "--item", &item, "--json"]).json();
    assert!(after["disclosures"].as_array().unwrap().iter().all(|d| d["id"] != item.as_str()));
    assert!(after["events"].as_array().unwrap().iter().any(|e| e["kind"] == "disclosure_removed"));
    reg.run(&["request", "undisclose", &r, "--item", &item]).assert_error("no disclosure item");
}

/// In an encrypted register (the default) the gathered spreadsheet is stored sealed: its sheets are still read
/// (through the seal) into CSV tables beside it, as in a plain register.
#[test]
fn an_encrypted_registers_spreadsheets_get_their_tables_too() {
    let reg = Register::new(TODAY);
    let key = [("RIGHTSDESK_PASSPHRASE", "correct horse battery staple 42"), ("RIGHTSDESK_UNENCRYPTED", "")];
    let run = |args: &[&str]| reg.run_env(args, &key);
    let mut org = vec!["settings", "organisation"];
    org.extend(
        [
            ("--name", "Acme Ltd"),
            ("--address", "1 Main Street, Dublin"),
            ("--email", "privacy@acme.test"),
            ("--purposes", "Orders"),
            ("--categories", "Orders"),
            ("--recipients", "None"),
            ("--retention", "Six years"),
            ("--source", "You"),
            ("--automated", "None"),
        ]
        .iter()
        .flat_map(|(k, v)| [*k, *v]),
    );
    run(&org).ok();
    run(&["datamap", "add", "--name", "Web shop", "--owner", "IT", "--holds", "Orders"]).ok();
    let r = reg
        .request()
        .kind("access")
        .gdpr("IE")
        .received("2026-06-01")
        .who("Pat Example", "pat@example.org")
        .env(&key)
        .add();
    let book = reg.dir().join("orders.xlsx");
    xlsx(&book);
    run(&["request", "disclose", &r, "--system", "Web shop", "--category", "Orders", "--file", book.to_str().unwrap()])
        .ok();
    let out = reg.dir().join("export.zip");
    run(&["export", "subject", &r, "--out", out.to_str().unwrap(), "--json"]).ok();
    let into = reg.dir().join("unzipped");
    std::fs::create_dir_all(&into).unwrap();
    let files = unpack(&["unzip", "-q"], &out, &into);
    assert_eq!(
        String::from_utf8_lossy(&files["tables/Web shop/orders - Orders.csv"]),
        "order,total\nA-1001,42.5\n",
        "{:?}",
        files.keys().collect::<Vec<_>>()
    );
}
