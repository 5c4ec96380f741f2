//! The window on a team register (issue 18): started on a PostgreSQL server, it shows the team's queue, says where
//! the register is kept, and what an officer logs there is on the server for the whole team.

use super::*;

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, WebKitWebDriver and the built app: run by scripts/test.sh"]
async fn the_window_works_on_a_team_register() {
    let (app, shots, data) = prepare();
    // The test server's client blocks: set up outside the test's async runtime.
    let team = std::thread::spawn(|| {
        let team = support::Register::on_postgres(TODAY);
        // Another officer has logged requests already, from the command line.
        for name in ["Nadia Kowalski", "Tomás Ortega"] {
            team.request().name(name).kind("access").gdpr("FR").received("2026-11-02").add();
        }
        team
    })
    .join()
    .unwrap();
    let (_driver, s) = open_window(&app, &team.db, data.path(), shots).await;

    s.wait_text("[data-testid=queue]", |t| t.contains("RD-2026-0002")).await;
    // (The queue's name cells are not in WebKit's innerText of the table; the page holds them.)
    let page = s.client.source().await.unwrap();
    assert!(page.contains("Nadia Kowalski") && page.contains("Tomás Ortega"), "the team's requests are listed");
    let badge = s.text("[data-testid=team-register]").await;
    assert!(!badge.is_empty(), "the top bar says the register is the team's");
    s.shot("team-01-queue.png").await;

    // Another officer logs a request at the command line: the open queue shows it without a click.
    let other = team.at_url(team.db.to_str().unwrap());
    std::thread::spawn(move || {
        other.request().name("Ines Duarte").kind("erasure").gdpr("FR").received("2026-11-03").add()
    })
    .join()
    .unwrap();
    s.wait_text("[data-testid=page-info]", |t| t.contains('3')).await;
    s.wait_text("[data-testid=queue]", |t| t.contains("RD-2026-0003")).await;

    // Logged in the window: on the server, and seen by the command line of another officer at once.
    s.click("[data-testid=new-request]").await;
    s.type_into("input[name=name]", "Margaux Hébert").await;
    s.set_value("select[name=regime]", "uk-gdpr").await;
    s.set_value("select[name=kind]", "access").await;
    s.type_into("input[name=received]", "2026-11-20").await;
    s.click("[data-testid=save-request]").await;
    s.wait_text("[data-testid=request-reference]", |t| t == "RD-2026-0004").await;
    s.shot("team-02-request.png").await;
    // Seen and moved on by another officer: the open page follows.
    let other = team.at_url(team.db.to_str().unwrap());
    let shown = std::thread::spawn(move || {
        let shown = other.run(&["request", "show", "RD-2026-0004", "--json"]).json();
        other.run(&["request", "status", "RD-2026-0004", "in-progress"]).ok();
        assert_eq!(other.run(&["audit", "verify", "--json"]).json()["ok"], true);
        shown
    })
    .join()
    .unwrap();
    assert_eq!(shown["requester"]["name"], "Margaux Hébert");
    s.wait_text("[data-testid=request-status]", |t| t == "In progress").await;
    s.shot("team-03-moved-by-another.png").await;

    // Settings → Encryption says who guards a team register, and offers no vault to make.
    s.click("[data-testid=open-settings]").await;
    s.wait_text("[data-testid=vault-state]", |t| t.contains("team register")).await;
    assert!(s.client.find(fantoccini::Locator::Css("[data-testid=vault-encrypt]")).await.is_err());
}
