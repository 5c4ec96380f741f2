//! The data map and the per-request checklist through the real binary: an erasure is not complete until every
//! system is done or explained; a backup may be "put beyond use"; proof files are kept with their hash.

use crate::support::Register;

use serde_json::Value;

fn states(v: &Value) -> Vec<(String, String)> {
    v["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["system_name"].as_str().unwrap().to_string(), i["state"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn an_erasure_is_complete_only_when_every_system_is_done_or_explained() {
    let reg = Register::new("2026-03-20");
    let add = |name: &str, holds: &str, backup: bool| {
        let mut args = vec!["datamap", "add", "--name", name, "--owner", "IT", "--holds", holds, "--json"];
        if backup {
            args.push("--backup");
        }
        reg.run(&args).json()
    };
    add("CRM", "contact details, orders", false);
    add("Newsletter tool", "email, opt-in", false);
    add("Nightly backups", "everything, 35-day rotation", true);
    reg.run(&["datamap", "add", "--name", "crm", "--owner", "x", "--holds", "y"])
        .assert_error("already on the data map");
    reg.run(&["datamap", "add", "--name", "Billing", "--owner", "", "--holds", "y"]).assert_error("owner is required");

    let v = reg
        .request()
        .kind("erasure")
        .regime("eu-gdpr")
        .calendar("FR")
        .received("2026-03-02")
        .name("Pat")
        .email("pat@example.org")
        .json();
    // Backups come last.
    assert_eq!(
        states(&v),
        [
            ("CRM".into(), "open".into()),
            ("Newsletter tool".into(), "open".into()),
            ("Nightly backups".into(), "open".into())
        ]
    );
    assert_eq!(v["checklist"][0]["action"], "Erase");
    assert_eq!(v["events"][1]["kind"], "checklist_created");

    reg.run(&["request", "status", "RD-2026-0001", "in-progress"]).ok();
    reg.run(&["request", "status", "RD-2026-0001", "fulfilled"])
        .assert_error("3 system(s) of the checklist are neither done nor explained");

    let proof = reg.dir().join("crm-deletion-log.txt");
    std::fs::write(&proof, "deleted customer 4711 at 10:02").unwrap();
    let v = reg
        .run(&[
            "request",
            "tick",
            "RD-2026-0001",
            "--system",
            "crm",
            "--state",
            "done",
            "--proof",
            proof.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert!(v["checklist"][0]["done_by"].is_string());
    assert_eq!(v["attachments"][0]["file_name"], "crm-deletion-log.txt");
    assert_eq!(v["checklist"][0]["proof_id"], v["attachments"][0]["id"]);
    let last = v["events"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["data"]["proof"]["file_name"].as_str()),
        (Some("checklist_ticked"), Some("crm-deletion-log.txt"))
    );

    reg.run(&["request", "tick", "RD-2026-0001", "--system", "Newsletter tool", "--state", "not-applicable"])
        .assert_error("say why");
    reg.run(&[
        "request",
        "tick",
        "RD-2026-0001",
        "--system",
        "Newsletter tool",
        "--state",
        "beyond-use",
        "--note",
        "x",
    ])
    .assert_error("erasure from a backup");
    reg.run(&[
        "request",
        "tick",
        "RD-2026-0001",
        "--system",
        "Newsletter tool",
        "--state",
        "not-applicable",
        "--note",
        "Never subscribed",
    ])
    .ok();
    reg.run(&["request", "tick", "RD-2026-0001", "--system", "Payroll", "--state", "done"])
        .assert_error("not on RD-2026-0001's checklist");
    reg.run(&["request", "tick", "RD-2026-0001", "--system", "Nightly backups", "--state", "finished"])
        .assert_error("unknown state");
    let open = reg.run(&["request", "status", "RD-2026-0001", "fulfilled"]);
    open.assert_error("Nightly backups (erase)");
    assert_eq!(open.code, 1, "refused in this state, not bad input");
    reg.run(&[
        "request",
        "tick",
        "RD-2026-0001",
        "--system",
        "Nightly backups",
        "--state",
        "beyond-use",
        "--note",
        "Not restored for use; overwritten by 2026-04-24 (35-day rotation)",
    ])
    .ok();
    let v = reg.run(&["request", "status", "RD-2026-0001", "fulfilled", "--json"]).json();
    assert_eq!(v["status"], "fulfilled");
    reg.run(&["request", "tick", "RD-2026-0001", "--system", "CRM", "--state", "open"])
        .assert_error("no longer change");
    assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn systems_added_later_can_join_an_open_checklist_and_retired_ones_leave_new_ones() {
    let reg = Register::new("2026-03-20");
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "Sales", "--holds", "contacts"]).ok();
    reg.request().kind("access").regime("eu-gdpr").calendar("FR").received("2026-03-02").name("Pat").add();
    reg.run(&["request", "refresh-checklist", "RD-2026-0001"]).assert_error("already on the checklist");
    reg.run(&["datamap", "add", "--name", "Support desk", "--owner", "Support", "--holds", "tickets"]).ok();
    let v = reg.run(&["request", "refresh-checklist", "RD-2026-0001", "--json"]).json();
    assert_eq!(states(&v).len(), 2);
    assert_eq!(v["checklist"][1]["action"], "Search and export");
    reg.run(&["datamap", "retire", "CRM"]).ok();
    reg.run(&["datamap", "retire", "CRM"]).assert_error("already retired");
    let nope = reg.run(&["datamap", "retire", "Nope"]);
    nope.assert_error("error: no system 'Nope'");
    assert_eq!(nope.code, 1);
    let v = reg.request().kind("access").regime("eu-gdpr").calendar("FR").received("2026-03-03").name("Sam").json();
    assert_eq!(states(&v), [("Support desk".into(), "open".into())]);
    let systems = reg.run(&["datamap", "list", "--json"]).json();
    assert_eq!(systems[1]["name"], "CRM", "retired systems are listed last");
    assert!(systems[1]["retired_at"].is_string());
}
