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
    // Backups are the server's: no "Back up now" or restore over a team register.
    s.wait_text("[data-testid=backup-team]", |t| t.contains("pg_dump")).await;
    assert!(s.client.find(fantoccini::Locator::Css("[data-testid=restore]")).await.is_err());
}

/// The people of a team register in the window (issue 18): the register's owner adds an officer in Settings → Team,
/// gives a request and a checklist line to them from the request's page, filters the queue to that person, and
/// sees their open request counted on the Team card; the server holds all of it.
#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, WebKitWebDriver and the built app: run by scripts/test.sh"]
async fn the_owner_adds_an_officer_and_gives_them_a_request() {
    let (app, shots, data) = prepare();
    let (owner, as_login) = std::thread::spawn(|| {
        let (owner, as_login) = support::Register::owned_on_postgres(TODAY);
        owner.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "contacts"]).ok();
        for name in ["Nadia Kowalski", "Tomás Ortega"] {
            owner.request().name(name).kind("access").gdpr("FR").received("2026-11-02").add();
        }
        (owner, as_login)
    })
    .join()
    .unwrap();
    let officer = format!("off_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let (_driver, s) = open_window(&app, &owner.db, data.path(), shots).await;
    s.wait_text("[data-testid=queue]", |t| t.contains("RD-2026-0002")).await;
    s.find("[data-testid=filter-owner]").await;

    // Settings → Team: the owner adds an officer with a password of their own.
    s.click("[data-testid=open-settings]").await;
    s.find("[data-testid=team-card]").await;
    s.type_into("[data-testid=account-add] input[name=login]", &officer).await;
    s.type_into("[data-testid=account-add] input[name=account-name]", "Olivia Officer").await;
    s.type_into("[data-testid=account-add] input[name=account-email]", "olivia@example.org").await;
    s.set_value("[data-testid=account-add] select[name=role]", "officer").await;
    // A password too short is the core's refusal, under its field; nothing is added.
    s.type_into("[data-testid=account-add] input[name=account-password]", "short").await;
    s.click("[data-testid=account-add-save]").await;
    s.wait_text("[data-testid=account-add] .field-error", |t| t.contains("12 characters")).await;
    s.type_into("[data-testid=account-add] input[name=account-password]", "a password of some length").await;
    s.click("[data-testid=account-add-save]").await;
    s.wait_text("[data-testid=settings-notice]", |t| t.contains("Olivia Officer")).await;
    s.wait_text("[data-testid=team-accounts]", |t| t.contains(&officer) && t.contains("Officer")).await;
    s.shot_at("[data-testid=team-card]", "team-04-account-added.png").await;

    // The request's page: given to the officer, and its CRM line too.
    s.click("[data-testid=brand]").await;
    s.click("tr[data-reference=RD-2026-0001] button").await;
    s.wait_text("[data-testid=request-reference]", |t| t == "RD-2026-0001").await;
    s.wait_text("[data-testid=request-owner]", |t| t.contains("Nobody")).await;
    s.set_value("[data-testid=assign-owner]", &officer).await;
    s.wait_text("[data-testid=request-owner]", |t| t.contains("Olivia Officer")).await;
    s.set_value("[data-testid=assign-line-CRM]", &officer).await;
    s.wait_text("[data-testid=timeline]", |t| t.contains("CRM line assigned")).await;
    s.shot("team-05-request-assigned.png").await;

    // The queue: the row names its owner; filtered to that person it lists only their request.
    s.click("[data-testid=brand]").await;
    s.wait_text("tr[data-reference=RD-2026-0001] [data-testid=row-owner]", |t| t.contains("Olivia Officer")).await;
    s.set_value("[data-testid=filter-owner]", &format!("login:{officer}")).await;
    s.wait_text("[data-testid=page-info]", |t| t.starts_with("1 ")).await;
    let listed = s.text("[data-testid=queue]").await;
    assert!(listed.contains("RD-2026-0001") && !listed.contains("RD-2026-0002"), "{listed}");
    s.shot("team-06-queue-by-owner.png").await;
    s.set_value("[data-testid=filter-owner]", "nobody").await;
    s.wait_text("[data-testid=queue]", |t| t.contains("RD-2026-0002") && !t.contains("RD-2026-0001")).await;

    // The Team card counts the officer's open request.
    s.click("[data-testid=open-settings]").await;
    s.wait_text("[data-testid=team-workload]", |t| t.contains("Olivia Officer")).await;
    s.shot_at("[data-testid=team-card]", "team-07-workload.png").await;
    // Disabled, then enabled again, by the owner: the account's row says so each time.
    s.click(&format!("[data-testid=toggle-{officer}]")).await;
    s.wait_text(&format!("[data-testid=account-{officer}]"), |t| t.contains("Disabled")).await;
    s.click(&format!("[data-testid=toggle-{officer}]")).await;
    s.wait_text(&format!("[data-testid=account-{officer}]"), |t| t.contains("Active")).await;

    // On the server, under the officer's own login: their request, their line, the chain whole.
    let as_officer = owner.at_url(&as_login(&officer));
    let (mine, shown, verified) = std::thread::spawn(move || {
        (
            as_officer.run(&["request", "list", "--owner", "me", "--json"]).json(),
            as_officer.run(&["request", "show", "RD-2026-0001", "--json"]).json(),
            as_officer.run(&["audit", "verify", "--json"]).json(),
        )
    })
    .join()
    .unwrap();
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(shown["owner"], officer.as_str(), "{shown}");
    assert_eq!(shown["checklist"][0]["assignee"], officer.as_str(), "{shown}");
    assert_eq!(verified["ok"], true, "{verified}");
}
