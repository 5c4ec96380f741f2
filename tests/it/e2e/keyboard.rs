//! The window from the keyboard, in both themes, checked by axe on every screen: the palette and the shortcuts are
//! driven by real key events (WebDriver's key actions), the screens are looked at in light and dark.

use super::*;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

impl Session {
    /// Presses keys as a person does: `mods` held down while `key` is pressed and released.
    async fn press(&self, mods: &[Key], key: char) {
        let mut a = KeyActions::new("keyboard".into());
        for m in mods {
            a = a.then(KeyAction::Down { value: char::from(*m) });
        }
        a = a.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        for m in mods.iter().rev() {
            a = a.then(KeyAction::Up { value: char::from(*m) });
        }
        self.client.perform_actions(a).await.unwrap_or_else(|e| panic!("keys {mods:?}+{key:?}: {e}"));
        // The window answers on its next frame.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    /// Types text into whatever has the focus, key by key.
    async fn keys(&self, text: &str) {
        let mut a = KeyActions::new("keyboard".into());
        for c in text.chars() {
            a = a.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(a).await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    async fn wait_js(&self, script: &str, what: &str) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let v = self.js(script).await;
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "never: {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// axe-core's WCAG 2.x A/AA rules (and its best practices) over the screen now; the serious and critical
    /// findings, described, added to `found` under `screen`.
    async fn axe(&self, screen: &str, found: &mut Vec<String>) {
        if self.js("return typeof window.axe").await != json!("object") {
            let source = std::fs::read_to_string(root().join("ui/node_modules/axe-core/axe.min.js"))
                .expect("axe-core in ui/node_modules (npm ci --prefix ui)");
            self.client.execute(&source, vec![]).await.unwrap();
        }
        let out = self
            .client
            .execute_async(
                // From the top of the page: a control scrolled under the sticky top bar counts as obscured.
                r#"const done = arguments[arguments.length - 1];
                   window.scrollTo(0, 0);
                   axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                     "wcag22aa", "best-practice"] }, resultTypes: ["violations"] })
                     .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + n.failureSummary) }))))
                     .catch((e) => done([{ id: "axe-failed", impact: "critical", help: String(e), nodes: [] }]));"#,
                vec![],
            )
            .await
            .unwrap();
        for v in out.as_array().unwrap() {
            let impact = v["impact"].as_str().unwrap_or("");
            let line = format!("{screen}: [{impact}] {} ({}): {}", v["id"], v["help"], v["nodes"]);
            println!("axe {line}");
            if impact == "serious" || impact == "critical" {
                found.push(line);
            }
        }
    }

    async fn theme(&self) -> String {
        self.js("return document.documentElement.dataset.theme").await.as_str().unwrap_or("").to_string()
    }
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, WebKitWebDriver and the built app: run by scripts/test.sh"]
async fn the_keyboard_reaches_everything_in_both_themes_and_axe_finds_nothing_serious() {
    let (app, shots, data) = prepare();
    let db = data.path().join("register.sqlite3");
    seed(&db);
    let (_driver, s) = open_window(&app, &db, data.path(), shots).await;
    let mut axe = Vec::new();
    s.wait_text("[data-testid=queue] tbody", |t| t.contains("RD-")).await;
    s.axe("queue (light)", &mut axe).await;

    // ? shows every shortcut as this OS writes it; Esc closes it.
    s.press(&[Key::Shift], '?').await;
    let sheet = s.wait_text("[data-testid=shortcut-sheet]", |t| t.contains("Ctrl+K")).await;
    assert!(sheet.contains("Command palette") && sheet.contains("New request"), "{sheet}");
    s.shot("keys-01-shortcut-sheet.png").await;
    // What is shown as unavailable is what is unavailable now (the register is open: searching and a new request are not).
    let greyed = s
        .js("return [...document.querySelectorAll('[data-testid=shortcut-sheet] tr.disabled')].map(t => t.textContent)")
        .await;
    assert!(!greyed.to_string().contains("New request") && !greyed.to_string().contains("Search"), "{greyed}");
    s.axe("shortcut sheet", &mut axe).await;
    s.press(&[], Key::Escape.into()).await;
    assert_eq!(s.js("return !!document.querySelector('dialog[open]')").await, json!(false), "Esc closed it");

    // Ctrl+K, a few letters, Enter: Settings, where the dark theme is chosen.
    s.press(&[Key::Control], 'k').await;
    s.wait_js("return document.activeElement?.dataset.testid === 'palette-input'", "the palette has the focus").await;
    s.keys("sett").await;
    s.shot("keys-02-palette-commands.png").await;
    s.axe("palette", &mut axe).await;
    s.press(&[], Key::Enter.into()).await;
    s.find("[data-testid=appearance]").await;
    assert_eq!(s.theme().await, "light", "the OS under Xvfb asks for no dark theme");
    s.click("[data-testid=theme-dark]").await;
    assert_eq!(s.theme().await, "dark");
    s.shot("keys-03-settings-dark.png").await;
    // What a card's button did is said in that card, with the focus on it (not at the page's top, out of view).
    s.set_value("[data-testid=targets-card] input", "4").await;
    s.click("[data-testid=targets-card] button").await;
    s.find("[data-testid=targets-card] [data-testid=settings-notice]").await;
    assert_eq!(
        s.js("return document.activeElement?.dataset.testid").await,
        json!("settings-notice"),
        "the notice has the focus"
    );
    s.shot_at("[data-testid=targets-card]", "keys-03b-notice-in-card.png").await;
    s.axe("settings (dark)", &mut axe).await;

    // The queue by palette; a request found by its requester's name; J and K step through the queue as listed.
    s.press(&[Key::Control], 'k').await;
    s.keys("queue").await;
    s.press(&[], Key::Enter.into()).await;
    s.wait_text("[data-testid=queue] tbody", |t| t.contains("RD-")).await;
    s.shot("keys-04-queue-dark.png").await;
    s.axe("queue (dark)", &mut axe).await;
    let rows = s
        .js("return [...document.querySelectorAll('tr.row')].slice(0, 3).map(r => [r.dataset.reference, \
             r.querySelector('td:nth-child(2) .clip').textContent])")
        .await;
    let rows: Vec<(String, String)> = serde_json::from_value(rows).unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    // By name (its letters up to the first a keyboard action cannot type as one key), and by reference.
    let (second_ref, _) = rows[1].clone();
    let (name_ref, name) = rows.iter().find(|(_, n)| n.is_ascii()).cloned().unwrap_or(rows[0].clone());
    let typed: String = name.chars().take_while(|c| c.is_ascii()).collect();
    s.press(&[Key::Control], 'k').await;
    s.keys(&typed).await;
    s.find(&format!("[data-command=request-{name_ref}]")).await;
    s.shot("keys-05-palette-request.png").await;
    s.press(&[], Key::Escape.into()).await;
    s.press(&[Key::Control], 'k').await;
    s.keys(&second_ref).await;
    s.find(&format!("[data-command=request-{second_ref}]")).await;
    // Down to the request's option (commands come first), then Enter.
    let index = s
        .js(&format!(
            "return [...document.querySelectorAll('[data-testid=palette-option]')].findIndex(o => o.dataset.command === 'request-{second_ref}')"
        ))
        .await
        .as_i64()
        .unwrap();
    for _ in 0..index {
        s.press(&[], Key::Down.into()).await;
    }
    s.press(&[], Key::Enter.into()).await;
    s.wait_text("[data-testid=request-reference]", |t| t == second_ref).await;
    s.shot("keys-06-request-dark.png").await;
    s.axe("request page (dark)", &mut axe).await;
    s.press(&[], 'j').await;
    s.wait_text("[data-testid=request-reference]", |t| t == rows[2].0).await;
    s.press(&[], 'k').await;
    s.press(&[], 'k').await;
    s.wait_text("[data-testid=request-reference]", |t| t == rows[0].0).await;

    // S brings the Actions card with the focus in it; a move that can be taken back offers Undo.
    s.press(&[], 's').await;
    s.wait_js("return document.activeElement?.dataset.testid === 'actions'", "the Actions card has the focus").await;
    assert_eq!(s.text("[data-testid=request-status]").await, "In progress");
    s.click("[data-testid=to-on-hold]").await;
    s.type_into("[data-testid=reason]", "Waiting for the HR system's export").await;
    s.click("[data-testid=confirm-status]").await;
    s.wait_text("[data-testid=request-status]", |t| t == "On hold").await;
    s.find("[data-testid=status-undo]").await;
    s.shot_at("[data-testid=actions]", "keys-06b-undo.png").await;
    s.click("[data-testid=status-undo-button]").await;
    s.wait_text("[data-testid=request-status]", |t| t == "In progress").await;
    let trail = s.text("[data-testid=timeline]").await;
    assert!(
        trail.contains("On hold → In progress") && trail.contains("In progress → On hold"),
        "the undo is a move of its own on the record, beside the one it took back: {trail}"
    );
    // Esc goes back to the queue, onto the row last opened.
    s.js("document.activeElement?.blur()").await;
    s.press(&[], Key::Escape.into()).await;
    let focused =
        s.wait_js("return document.activeElement?.dataset.reference ?? ''", "a queue row has the focus").await;
    assert_eq!(focused, json!(rows[0].0), "back on the row of the request last opened");
    s.press(&[], Key::Down.into()).await;
    s.press(&[], Key::Down.into()).await;
    assert_eq!(s.js("return document.activeElement?.dataset.reference").await, json!(rows[2].0));
    s.shot("keys-07-queue-cursor.png").await;
    s.press(&[], Key::Enter.into()).await;
    s.wait_text("[data-testid=request-reference]", |t| t == rows[2].0).await;

    // / searches from anywhere; N opens a new request; every other screen in the dark theme, then the light one.
    s.press(&[], '/').await;
    s.wait_js("return document.activeElement?.dataset.testid === 'search'", "the search box has the focus").await;
    s.press(&[], Key::Escape.into()).await;
    s.js("document.activeElement.blur()").await;
    s.press(&[], 'n').await;
    s.find("input[name=name]").await;
    s.shot("keys-08-new-request-dark.png").await;
    s.axe("new request (dark)", &mut axe).await;
    for (command, ready, name) in [
        ("mailbox", "[data-testid=intake-fetch]", "intake"),
        ("import", "[data-testid=open-import]", "import"),
        ("letters", "[data-testid=organisation]", "letters"),
        ("reports", "[data-testid=log-export]", "reports"),
    ] {
        s.press(&[Key::Control], 'k').await;
        s.keys(command).await;
        s.press(&[], Key::Enter.into()).await;
        s.find(ready).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        s.shot(&format!("keys-09-{name}-dark.png")).await;
        s.axe(&format!("{name} (dark)"), &mut axe).await;
    }
    // The template editor opens in view, the focus in its subject.
    s.press(&[Key::Control], 'k').await;
    s.keys("letters").await;
    s.press(&[], Key::Enter.into()).await;
    s.click("[data-testid^=edit-acknowledgement]").await;
    s.wait_js(
        "return document.activeElement?.closest('[data-testid=template-editor]') !== null",
        "the editor has the focus",
    )
    .await;
    let top = s.js("return document.querySelector('[data-testid=template-editor]').getBoundingClientRect().top").await;
    assert!(top.as_f64().unwrap() < 400.0, "the editor is in view: top at {top}");
    s.shot("keys-09b-template-editor.png").await;
    s.press(&[Key::Control], 'k').await;
    s.keys("light theme").await;
    s.press(&[], Key::Enter.into()).await;
    assert_eq!(s.theme().await, "light");
    for (command, ready, name) in [
        ("letters", "[data-testid=organisation]", "letters"),
        ("reports", "[data-testid=log-export]", "reports"),
        ("settings", "[data-testid=appearance]", "settings"),
        ("new request", "input[name=name]", "new request"),
    ] {
        s.press(&[Key::Control], 'k').await;
        s.keys(command).await;
        s.press(&[], Key::Enter.into()).await;
        s.find(ready).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        s.axe(&format!("{name} (light)"), &mut axe).await;
    }
    // Open register… from the palette: the dialog, both of its forms; Esc closes it.
    s.press(&[Key::Control], 'k').await;
    s.keys("open register").await;
    s.press(&[], Key::Enter.into()).await;
    s.wait_text("[data-testid=open-register-now]", |t| t.contains("sqlite3")).await;
    s.axe("open register, this computer (light)", &mut axe).await;
    s.click("[data-testid=register-team-server] input").await;
    s.find("[data-testid=register-host]").await;
    s.shot("keys-09c-open-register.png").await;
    s.axe("open register, team server (light)", &mut axe).await;
    s.press(&[], Key::Escape.into()).await;
    assert_eq!(s.js("return !!document.querySelector('dialog[open]')").await, json!(false), "Esc closed it");
    s.click("[data-testid=brand]").await;
    s.wait_text("[data-testid=queue] tbody", |t| t.contains("RD-")).await;
    s.click("tr.row button.link").await;
    s.find("[data-testid=request-reference]").await;
    s.axe("request page (light)", &mut axe).await;
    s.click("[data-testid=requester-link]").await;
    s.find("[data-testid=requester-history]").await;
    s.axe("requester (light)", &mut axe).await;
    // Esc from the requester goes back to the request it was opened from.
    s.press(&[], Key::Escape.into()).await;
    s.find("[data-testid=request-reference]").await;

    // The first-run path: a register with requests but no organisation says so on one line; shown, each step links
    // to where it is done.
    s.click("[data-testid=brand]").await;
    s.click("[data-testid=setup-line] button").await;
    s.find("[data-testid=setup-organisation]").await;
    s.shot("keys-10-setup.png").await;
    s.axe("first-run path (light)", &mut axe).await;
    s.click("[data-testid=setup-organisation] [data-testid=place-link]").await;
    s.wait_js(
        "return document.activeElement?.dataset.testid === 'organisation'",
        "the Organisation card has the focus",
    )
    .await;

    // At the window's minimum size (tauri.conf.json: 960×600) nothing scrolls sideways.
    s.client.set_window_size(960, 600).await.unwrap();
    for (name, button, ready) in [
        ("queue", "[data-testid=brand]", "[data-testid=queue] tbody tr.row"),
        ("request", "tr.row button.link", "[data-testid=request-reference]"),
        ("settings", "[data-testid=open-settings]", "[data-testid=appearance]"),
        ("letters", "[data-testid=open-correspondence]", "[data-testid=organisation]"),
        ("reports", "[data-testid=open-reports]", "[data-testid=log-export]"),
    ] {
        s.click(button).await;
        s.find(ready).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let widths = s.js("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]").await;
        assert!(widths[0].as_f64() <= widths[1].as_f64(), "{name} scrolls sideways at 960 px: {widths}");
        s.shot(&format!("keys-11-{name}-960.png")).await;
    }

    assert!(axe.is_empty(), "axe found serious or critical problems:\n{}", axe.join("\n"));
}
