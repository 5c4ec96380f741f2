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

    // Logged in the window: on the server, and seen by the command line of another officer at once.
    s.click("[data-testid=new-request]").await;
    s.type_into("input[name=name]", "Margaux Hébert").await;
    s.set_value("select[name=regime]", "uk-gdpr").await;
    s.set_value("select[name=kind]", "access").await;
    s.type_into("input[name=received]", "2026-11-20").await;
    s.click("[data-testid=save-request]").await;
    s.wait_text("[data-testid=request-reference]", |t| t == "RD-2026-0003").await;
    s.shot("team-02-request.png").await;
    let listed = team.run(&["request", "show", "RD-2026-0003", "--json"]).json();
    assert_eq!(listed["requester"]["name"], "Margaux Hébert");
    assert_eq!(team.run(&["audit", "verify", "--json"]).json()["ok"], true);
}
