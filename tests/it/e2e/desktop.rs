//! The app as a desktop program (issue 19): the About box, help for the screen the officer is on, one window per
//! register that a second launch hands its file to, and the window's size kept between runs.

use super::*;

/// A session bus of the test's own: the app finds its running window on D-Bus (tauri-plugin-single-instance).
struct Bus {
    child: Child,
    address: String,
}

impl Bus {
    fn start() -> Bus {
        use std::io::BufRead;
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:"), "no bus address: {line:?}");
        Bus { child, address }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, WebKitWebDriver and the built app: run by scripts/test.sh"]
async fn the_about_box_names_the_version_and_register_and_help_follows_the_screen() {
    let (app, shots, data) = prepare();
    let db = data.path().join("register.sqlite3");
    seed(&db);
    let (_driver, s) = open_window(&app, &db, data.path(), shots).await;
    s.wait_text("[data-testid=page-info]", |t| t.contains("requests")).await;

    s.click("[data-testid=help-menu]").await;
    s.click("[data-testid=about-open]").await;
    assert_eq!(s.wait_text("[data-testid=about-version]", |t| !t.is_empty()).await, env!("CARGO_PKG_VERSION"));
    assert_eq!(s.text("[data-testid=about-database]").await, db.display().to_string());
    assert!(s.text("[data-testid=about-updates]").await.contains("Off"));
    let rows = s.client.find_all(Locator::Css("[data-testid=about-licences] tbody tr")).await.unwrap();
    assert!(rows.len() > 300, "every shipped crate and npm package is listed: {}", rows.len());
    let licences = s.text("[data-testid=about-licences]").await;
    assert!(licences.contains("rusqlite") && licences.contains("svelte") && licences.contains("MIT"));
    s.shot("desktop-01-about.png").await;
    s.click("[data-testid=about-close]").await;

    // Help is the page of the screen the officer is on: the queue, then Settings, then the form (through F1).
    s.click("[data-testid=help-menu]").await;
    s.click("[data-testid=help-open]").await;
    let panel = s.find("[data-testid=help-panel]").await;
    assert_eq!(panel.attr("data-screen").await.unwrap().as_deref(), Some("queue"));
    assert!(s.text("[data-testid=help-title]").await.contains("The queue"));
    s.click("[data-testid=help-close]").await;

    s.click("[data-testid=open-settings]").await;
    s.click("[data-testid=help-menu]").await;
    s.click("[data-testid=help-open]").await;
    s.wait_text("[data-testid=help-title]", |t| t.contains("Settings")).await;
    assert!(s.text("[data-testid=help-panel]").await.contains("Restore"));
    s.shot("desktop-02-help-settings.png").await;
    s.click("[data-testid=help-close]").await;

    s.click("[data-testid=new-request]").await;
    s.find("[data-testid=new-request-form]").await;
    s.find("body").await.send_keys(&fantoccini::key::Key::F1.to_string()).await.unwrap();
    s.wait_text("[data-testid=help-title]", |t| t.contains("Logging a new request")).await;
    assert!(s.text("[data-testid=help-panel]").await.contains(".eml"));
    s.shot("desktop-03-help-new-request.png").await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, WebKitWebDriver and the built app: run by scripts/test.sh"]
async fn a_second_launch_hands_its_email_to_the_running_window() {
    let (app, shots, data) = prepare();
    let db = data.path().join("register.sqlite3");
    seed(&db);
    let bus = Bus::start();
    let env = [("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())];
    let (_driver, s) = open_window_env(&app, &db, data.path(), shots, &env).await;
    s.wait_text("[data-testid=page-info]", |t| t.contains("requests")).await;
    // A second launch brings this window forward: never while another test drags onto its own window.
    let _screen = super::SCREEN.lock().await;

    let eml = data.path().join("request from Ada.eml");
    std::fs::write(
        &eml,
        "From: Ada Byron <ada.byron@example.org>\r\nTo: privacy@example.com\r\n\
         Subject: Subject access request\r\nDate: Thu, 19 Nov 2026 10:12:00 +0000\r\n\r\n\
         Under Article 15 GDPR please send me a copy of all personal data you hold about me.\r\n",
    )
    .unwrap();
    // As the file manager launches it: the app again, on the same register, with the file; it hands it over and
    // goes, leaving the one window.
    launch_again(&app, &db, &eml, data.path(), &bus).await;

    // The New request form, prefilled through the same intake as a dropped email, the email kept as its original.
    s.find("[data-testid=new-request-form]").await;
    let s = &s;
    let value = |css: &'static str| async move { s.find(css).await.prop("value").await.unwrap().unwrap_or_default() };
    assert_eq!(value("input[name=name]").await, "Ada Byron");
    assert_eq!(value("input[name=email]").await, "ada.byron@example.org");
    // The date field shows the window's language's format and holds the ISO date (components/DateField.svelte).
    let received = s.find("input[name=received]").await.attr("data-iso").await.unwrap();
    assert_eq!(received.as_deref(), Some("2026-11-19"));
    assert!(s.text("[data-testid=original]").await.contains("request from Ada.eml"));
    // The window was brought forward from another process: let it paint the page it now shows.
    tokio::time::sleep(Duration::from_millis(800)).await;
    s.shot_at("[data-testid=new-request-form]", "desktop-04-handed-email.png").await;
    s.set_value("select[name=regime]", "uk-gdpr").await;
    s.click("[data-testid=save-request]").await;
    s.wait_text("[data-testid=request-reference]", |t| t.starts_with("RD-2026-")).await;
    assert!(s.text("body").await.contains("Ada Byron"));
    s.shot("desktop-04b-handed-email-logged.png").await;

    // A backup opened with Rightsdesk: Settings' restore, the backup chosen, asking for what opens it.
    let backup = data.path().join("register backup.rdbackup");
    let made = support::run_env(
        &db,
        TODAY,
        &["backup", "create", "--out", backup.to_str().unwrap()],
        &[("RIGHTSDESK_BACKUP_PASSPHRASE", "a long backup passphrase for the test")],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    launch_again(&app, &db, &backup, data.path(), &bus).await;
    s.wait_text("[data-testid=restore-file]", |t| t.contains("register backup.rdbackup")).await;
    assert!(s.text("[data-testid=restore-file]").await.contains("backup passphrase"));
    s.find("[data-testid=restore-backup-passphrase]").await;
    s.shot("desktop-04c-handed-backup.png").await;
}

/// The app launched again on `db` with `file`, as a file manager does: it must hand the file to the running window
/// and exit 0 at once, not open a window of its own.
async fn launch_again(app: &Path, db: &Path, file: &Path, data: &Path, bus: &Bus) {
    let started = Instant::now();
    let mut second = Command::new(app)
        .arg("--db")
        .arg(db)
        .arg(file)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("RIGHTSDESK_NOW", TODAY)
        .env("XDG_CONFIG_HOME", data.join("xdg-config"))
        .env("XDG_DATA_HOME", data.join("xdg-data"))
        .env("HOME", data.join("home"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = second.kill();
            panic!("the second launch opened a window of its own instead of handing over its file");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, WebKitWebDriver and the built app: run by scripts/test.sh"]
async fn the_window_opens_at_the_size_it_was_left() {
    let (app, shots, data) = prepare();
    let db = data.path().join("register.sqlite3");
    seed(&db);
    let state = data.path().join("xdg-config/org.rightsdesk.desk/.window-state.json");
    {
        let (_driver, s) = open_window(&app, &db, data.path(), shots.clone()).await;
        s.wait_text("[data-testid=page-info]", |t| t.contains("requests")).await;
        s.client.set_window_size(1100, 720).await.unwrap();
        let start = Instant::now();
        while s.client.get_window_size().await.unwrap() != (1100, 720) {
            assert!(start.elapsed() < Duration::from_secs(10), "{:?}", s.client.get_window_size().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Quit from the Help menu, as the officer does: the size is saved on the way out.
        s.click("[data-testid=help-menu]").await;
        // The app is gone before WebDriver can answer the click: its answer is an error, by design.
        let _ = s.find("[data-testid=quit]").await.click().await;
        let start = Instant::now();
        while !state.exists() {
            assert!(start.elapsed() < Duration::from_secs(15), "no window state saved at {}", state.display());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains("1100") && saved.contains("720"), "{saved}");

    let (_driver, s) = open_window(&app, &db, data.path(), shots).await;
    s.wait_text("[data-testid=page-info]", |t| t.contains("requests")).await;
    assert_eq!(s.client.get_window_size().await.unwrap(), (1100, 720));
    s.shot("desktop-05-size-restored.png").await;
}
