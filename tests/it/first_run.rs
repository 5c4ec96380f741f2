//! The first-run path: a new register says what it still lacks, each step done by its setting; the demo is
//! furnished with all of it, so an answer really goes out from it.

use crate::support::Register;
use crate::support::smtp::{received, start};

fn steps(reg: &Register) -> Vec<(String, bool)> {
    let s = reg.run(&["settings", "setup", "--json"]).json();
    s["steps"].as_array().unwrap().iter().map(|t| (t["id"].as_str().unwrap().to_string(), t["done"] == true)).collect()
}

#[test]
fn a_new_register_lists_what_it_lacks_and_the_furnished_demo_sends_an_answer() {
    let reg = Register::new("2026-11-22");
    let first = steps(&reg);
    let ids: Vec<&str> = first.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["organisation", "art15", "data-map", "mail-server", "first-request"]);
    assert!(first.iter().all(|(_, done)| !done), "{first:?}");
    let text = reg.run(&["settings", "setup"]).stdout;
    assert!(text.contains("[ ] Your organisation: ") && text.contains("Letters… → Organisation"), "{text}");

    let furnished = reg.run(&["demo", "furnish", "--json"]).json();
    assert_eq!(furnished["furnished"], serde_json::json!(["organisation", "data map", "mail server"]));
    reg.run(&["demo", "seed", "--count", "40"]).ok();
    let s = reg.run(&["settings", "setup", "--json"]).json();
    assert_eq!(s["complete"], true, "{s}");
    assert!(reg.run(&["settings", "setup"]).stdout.contains("Set up: every step is done."));
    // Furnishing again changes nothing an officer set.
    assert_eq!(reg.run(&["demo", "furnish", "--json"]).json()["furnished"], serde_json::json!([]));
    // The settings changes are on the register's trail like an officer's.
    let history = reg.run(&["audit", "history", "--json"]).stdout;
    assert!(history.contains("organisation") && history.contains("smtp"), "{history}");

    // An acknowledgement from the demo reaches the requester (the demo's own server, here on a free port).
    let server = start(reg.dir(), "", None);
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let list = reg.run(&["request", "list", "--json"]).json();
    let reference = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["requester_email"].is_string())
        .map(|r| r["reference"].as_str().unwrap().to_string())
        .expect("an open demo request with an email");
    reg.run(&["mail", "send", &reference, "--template", "acknowledgement"]).ok();
    let flushed = reg.run(&["mail", "flush", "--json"]).json();
    assert_eq!(flushed["sent"], 1, "{flushed}");
    let got = received(&server);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].0.contains("Northwind Retail Ltd") && got[0].0.contains("privacy@northwind.example"),
        "{}",
        got[0].0
    );
}
