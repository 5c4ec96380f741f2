//! The Rightsdesk desktop shell: opens the register, makes one command of each core operation
//! (`commands.rs`), and runs the housekeeping thread (reminders, purges, the day's checkpoint, the outbox).
//! No business logic lives here.

pub mod backup;
pub mod commands;
pub mod desktop;
pub mod files;
pub mod location;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use rightsdesk::desk::Clock;
use rightsdesk::vault::Access;
use rightsdesk::{Desk, ErrorReport};

/// What the commands share: the open register, or why it is not open (locked, not made yet, or an error shown in
/// the window). Unlocking puts a register in; locking takes it out, and with it the keys (wiped when the last
/// operation using it ends).
pub struct AppState {
    desk: RwLock<Result<Arc<Desk>, ErrorReport>>,
    /// Where the register is: set at launch, changed by the "Open register…" dialog (`location.rs`).
    db_path: RwLock<Option<PathBuf>>,
    /// `--db` or `RIGHTSDESK_DB` named the register at launch (they still decide at the next one).
    set_at_launch: bool,
    /// Picked in the OS's file dialog by the shell, never named by the page (see `backup.rs`).
    chosen_backup: std::sync::Mutex<Option<PathBuf>>,
    /// The window's ear for new mail: told how many messages wait in the intake tray after a fetch took some.
    mail_listener: std::sync::Mutex<Option<tauri::ipc::Channel<u32>>>,
    /// The window's ear for other officers' changes to a team register: told each time some were committed.
    change_listener: std::sync::Mutex<Option<tauri::ipc::Channel<u32>>>,
    /// The window's ear for files dropped on it (`files.rs`).
    drop_listener: std::sync::Mutex<Option<tauri::ipc::Channel<files::DroppedFiles>>>,
    /// A file handed to the app (on its command line, or by a second launch) that the window has not taken yet.
    pub(crate) handed: std::sync::Mutex<Option<PathBuf>>,
    /// The window's ear for handed files: told when one waits.
    pub(crate) file_listener: std::sync::Mutex<Option<tauri::ipc::Channel<()>>>,
}

impl AppState {
    pub fn desk(&self) -> Result<Arc<Desk>, ErrorReport> {
        self.desk.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Open the register as `access` allows; on success it replaces whatever was there.
    pub fn open(&self, access: &Access) -> Result<Arc<Desk>, ErrorReport> {
        let path = self.db_path().ok_or_else(|| self.desk().err().unwrap_or_else(no_path))?;
        let desk = Clock::from_env().and_then(|c| Desk::open(&path, c, access)).map_err(|e| ErrorReport::from(&e))?;
        let desk = Arc::new(desk);
        *self.desk.write().unwrap_or_else(|p| p.into_inner()) = Ok(desk.clone());
        Ok(desk)
    }

    /// Close the register: the window shows the unlock screen, housekeeping waits.
    pub fn lock(&self) {
        let locked = ErrorReport::keyed(rightsdesk::ErrorCode::Locked, "error.locked", "the register is locked", &[]);
        *self.desk.write().unwrap_or_else(|p| p.into_inner()) = Err(locked);
        // Files chosen before the lock are no longer at hand: the page must ask the officer again.
        rightsdesk::files::chosen::forget_all();
    }

    /// Take the register out of the window for `f`, which replaces it on disk (re-encryption by `vault encrypt` or
    /// `vault rotate`, a restore from a backup) and hands back the register to carry on with; meanwhile every
    /// operation is told the register is busy. `f` needs the register to itself: operations still running are
    /// waited for (a few seconds), and another process holding it open is refused.
    /// `access` opens the register as it is now (none for a plain one; the passphrase for an encrypted one), if
    /// `f` fails.
    pub fn replace_register<T>(
        &self,
        access: &Access,
        f: impl FnOnce(Desk) -> rightsdesk::Result<(Desk, T)>,
    ) -> Result<T, ErrorReport> {
        let report = |e: rightsdesk::Error| ErrorReport::from(&e);
        let busy =
            ErrorReport::keyed(rightsdesk::ErrorCode::Busy, "error.replacing", "the register is being replaced", &[]);
        let mut held = std::mem::replace(&mut *self.desk.write().unwrap_or_else(|p| p.into_inner()), Err(busy))?;
        let put_back = |desk: Result<Arc<Desk>, ErrorReport>| {
            *self.desk.write().unwrap_or_else(|p| p.into_inner()) = desk;
        };
        let started = std::time::Instant::now();
        let desk = loop {
            match Arc::try_unwrap(held) {
                Ok(desk) => break desk,
                Err(shared) if started.elapsed() < std::time::Duration::from_secs(10) => {
                    held = shared;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(shared) => {
                    put_back(Ok(shared));
                    return Err(report(rightsdesk::Error::refused(
                        "the register is busy with another task: try again in a moment",
                    )));
                }
            }
        };
        // Asked with this process's own connections closed (see `rekey::open_elsewhere`), then opened again.
        let path = desk.store().backend().path().to_path_buf();
        drop(desk);
        let reopen = || Clock::from_env().and_then(|c| Desk::open(&path, c, access)).map(Arc::new);
        if rightsdesk::vault::rekey::open_elsewhere(&path) {
            put_back(reopen().map_err(report));
            return Err(report(rightsdesk::Error::refused(
                "the register is open in another window or command: close it there first",
            )));
        }
        let desk = match reopen() {
            Ok(desk) => desk,
            Err(e) => {
                put_back(Err(report(e)));
                return Err(ErrorReport::from(&rightsdesk::Error::refused("the register could not be opened again")));
            }
        };
        let desk = Arc::try_unwrap(desk).map_err(|_| report(rightsdesk::Error::refused("the register is busy")))?;
        match f(desk) {
            Ok((desk, value)) => {
                put_back(Ok(Arc::new(desk)));
                Ok(value)
            }
            Err(e) => {
                // Nothing was changed (or the next open finished it): the register as it now is.
                put_back(reopen().map_err(report));
                Err(report(e))
            }
        }
    }

    /// A register opened elsewhere (a restore into an empty place) becomes the window's.
    pub fn put(&self, desk: Desk) {
        *self.desk.write().unwrap_or_else(|p| p.into_inner()) = Ok(Arc::new(desk));
    }

    /// The window listens for new mail on `channel` (replacing an earlier one: the page was reloaded).
    pub fn listen_for_mail(&self, channel: tauri::ipc::Channel<u32>) {
        *self.mail_listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    /// Tell the window how many messages wait in the tray (a window gone away is forgotten).
    fn mail_arrived(&self, waiting: u64) {
        let mut listener = self.mail_listener.lock().unwrap_or_else(|p| p.into_inner());
        if listener.as_ref().is_some_and(|c| c.send(u32::try_from(waiting).unwrap_or(u32::MAX)).is_err()) {
            *listener = None;
        }
    }

    /// The window listens for changes to a team register on `channel`.
    pub fn listen_for_changes(&self, channel: tauri::ipc::Channel<u32>) {
        *self.change_listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    /// Tell the window that the register changed (a window gone away is forgotten); `n` counts the announcements.
    fn register_changed(&self, n: u32) {
        let mut listener = self.change_listener.lock().unwrap_or_else(|p| p.into_inner());
        if listener.as_ref().is_some_and(|c| c.send(n).is_err()) {
            *listener = None;
        }
    }

    /// The window listens for dropped files on `channel`.
    pub fn listen_for_drops(&self, channel: tauri::ipc::Channel<files::DroppedFiles>) {
        *self.drop_listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    /// Tell the window of files dropped on it (a window gone away is forgotten).
    fn files_dropped(&self, dropped: files::DroppedFiles) {
        let mut listener = self.drop_listener.lock().unwrap_or_else(|p| p.into_inner());
        if listener.as_ref().is_some_and(|c| c.send(dropped).is_err()) {
            *listener = None;
        }
    }

    /// The backup the officer picked in the OS's dialog, which the next backup commands act on.
    pub fn chosen_backup(&self) -> &std::sync::Mutex<Option<PathBuf>> {
        &self.chosen_backup
    }

    pub fn db_path(&self) -> Option<PathBuf> {
        self.db_path.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_at_launch(&self) -> bool {
        self.set_at_launch
    }
}

fn no_path() -> ErrorReport {
    ErrorReport::keyed(rightsdesk::ErrorCode::NotFound, "error.no_path", "no register path", &[])
}

/// `--db PATH` on the command line, else RIGHTSDESK_DB, else the OS data folder.
fn db_arg() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(p) = a.to_str().and_then(|s| s.strip_prefix("--db=")) {
            return Some(PathBuf::from(p));
        }
    }
    None
}

/// The register's path as the command line, RIGHTSDESK_DB, the choice remembered on this machine or the OS data
/// folder give it; and whether the first two did.
fn db_path() -> rightsdesk::Result<(PathBuf, bool)> {
    let startup = rightsdesk::desk::location::startup_db(db_arg().as_deref())?;
    if let Some(e) = startup.passed_over {
        eprintln!("Rightsdesk passed over the register remembered on this computer: {e}");
    }
    Ok((startup.db, startup.set_at_launch))
}

/// At start: a plain register opens at once, an encrypted one through RIGHTSDESK_PASSPHRASE or the OS keyring if it
/// can; otherwise the window asks (unlock, or make the register on the first run).
fn open_state(path: rightsdesk::Result<(PathBuf, bool)>) -> AppState {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let handed = std::env::current_dir().ok().and_then(|cwd| rightsdesk::desktop::file_argument(&args, &cwd));
    let state = AppState {
        desk: RwLock::new(path.as_ref().map_err(ErrorReport::from).and_then(|_| Err(no_path()))),
        set_at_launch: path.as_ref().is_ok_and(|(_, given)| *given),
        db_path: RwLock::new(path.ok().map(|(p, _)| p)),
        chosen_backup: std::sync::Mutex::new(None),
        mail_listener: std::sync::Mutex::new(None),
        change_listener: std::sync::Mutex::new(None),
        handed: std::sync::Mutex::new(handed),
        file_listener: std::sync::Mutex::new(None),
        drop_listener: std::sync::Mutex::new(None),
    };
    if state.db_path().is_some() {
        let opened = state.open(&Access::from_env());
        if let Err(e) = opened {
            *state.desk.write().unwrap_or_else(|p| p.into_inner()) = Err(e);
        }
    }
    state
}

/// Remind the officer of what falls due (once shortly after start, then whenever the picture changes), and delete
/// identity evidence whose retention period has passed, purge what retention says, sign the day's checkpoint and
/// make the scheduled backup when one is due.
/// While the register is locked each round is skipped: nothing is read or sent without the officer's key.
/// For a team register: listen for every app's writes on a connection of its own and tell the window within a
/// second, so its queue and request page show other officers' changes. A dropped connection (the server restarted,
/// the register was locked) is made again; a desk's register announces nothing and the thread only waits.
fn start_change_listener(app: &tauri::AppHandle) {
    use tauri::Manager;
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("changes".into()).spawn(move || {
        let mut heard = 0u32;
        loop {
            let Ok(desk) = app.state::<AppState>().desk() else {
                std::thread::sleep(std::time::Duration::from_secs(2));
                continue;
            };
            // The register listened to, without holding it (a lock or a re-encryption waits for every holder).
            let listened = Arc::downgrade(&desk);
            let feed = desk.change_feed();
            drop(desk);
            let mut feed = match feed {
                Ok(Some(feed)) => feed,
                // A desk's register announces nothing; the window may open a team register later.
                Ok(None) => {
                    std::thread::sleep(std::time::Duration::from_secs(2));
                    continue;
                }
                Err(e) => {
                    eprintln!("Rightsdesk cannot listen for the team's changes: {e}");
                    std::thread::sleep(std::time::Duration::from_secs(10));
                    continue;
                }
            };
            loop {
                match feed.wait(std::time::Duration::from_secs(2)) {
                    Ok(true) => {
                        heard = heard.wrapping_add(1);
                        app.state::<AppState>().register_changed(heard);
                    }
                    Ok(false) => {
                        // Locked, or another register opened in the window: listen to that one instead.
                        let same = app
                            .state::<AppState>()
                            .desk()
                            .is_ok_and(|now| std::ptr::eq(Arc::as_ptr(&now), listened.as_ptr()));
                        if !same {
                            break;
                        }
                    }
                    Err(e) => {
                        eprintln!("Rightsdesk stopped hearing the team's changes ({e}): listening again");
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        break;
                    }
                }
            }
        }
    });
    if let Err(e) = spawned {
        eprintln!("Rightsdesk cannot start the change listener: {e}");
    }
}

fn start_reminders(app: &tauri::AppHandle) {
    use tauri::Manager;
    use tauri_plugin_notification::NotificationExt;
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("reminders".into()).spawn(move || {
        let mut last: Option<String> = None;
        std::thread::sleep(std::time::Duration::from_secs(3));
        let current = || app.state::<AppState>().desk().ok();
        loop {
            let Some(desk) = current() else {
                std::thread::sleep(std::time::Duration::from_secs(60));
                continue;
            };
            match desk.reminder() {
                Ok(Some(r)) if last.as_deref() != Some(r.body.as_str()) => {
                    // A desktop without a notification service refuses; the window's dashboard still shows it.
                    if let Err(e) = app.notification().builder().title(&r.title).body(&r.body).show() {
                        eprintln!("Rightsdesk could not show a notification: {e}");
                    }
                    last = Some(r.body);
                }
                Ok(None) => last = None,
                Ok(Some(_)) => {}
                Err(e) => eprintln!("Rightsdesk could not check deadlines for reminders: {e}"),
            }
            if let Err(e) = desk.purge_evidence(None) {
                eprintln!("Rightsdesk could not purge expired identity evidence: {e}");
            }
            if let Err(e) = desk.purge_expired(false) {
                eprintln!("Rightsdesk could not purge requests past the retention period: {e}");
            }
            if let Err(e) = desk.daily_checkpoint() {
                eprintln!("Rightsdesk could not sign the day's audit checkpoint: {e}");
            }
            // Its failure is also kept with the schedule, for Settings → Backup and the dashboard.
            if let Err(e) = desk.run_due_backup() {
                eprintln!("Rightsdesk could not make the scheduled backup: {e}");
            }
            deliver(&app, &desk, 0);
            drop(desk);
            // Every minute: the outbox, and the mailbox at its pace; every 30 minutes: reminders, the evidence purge
            // and the retention purge.
            for minute in 1..=30 {
                std::thread::sleep(std::time::Duration::from_secs(60));
                if let Some(desk) = current() {
                    deliver(&app, &desk, minute);
                }
            }
        }
    });
    if let Err(e) = spawned {
        eprintln!("Rightsdesk could not start its reminders: {e}");
    }
}

/// Deliver what the outbox holds, when a server is set (failures stay in the outbox with their reason), and take
/// what the privacy mailbox brought, when one is set and its minute has come (`minute` of the housekeeping round:
/// every `poll_minutes`; replies to their requests, the rest to the intake tray).
fn deliver(app: &tauri::AppHandle, desk: &Desk, minute: u32) {
    use tauri::Manager;
    let configured = desk.smtp_settings().map(|s| !s.host.is_empty()).unwrap_or(false);
    if configured && let Err(e) = desk.flush_outbox() {
        eprintln!("Rightsdesk could not deliver the outbox: {e}");
    }
    let mailbox = desk.imap_settings().ok().filter(|s| s.is_set());
    if mailbox.is_some_and(|s| minute.is_multiple_of(s.poll_minutes.max(1))) {
        match desk.fetch_mail() {
            Ok(r) => {
                r.errors.iter().for_each(|e| eprintln!("Rightsdesk could not take a message: {e}"));
                if r.taken > 0 {
                    app.state::<AppState>().mail_arrived(r.waiting);
                }
            }
            Err(e) => eprintln!("Rightsdesk could not read the privacy mailbox: {e}"),
        }
    }
}

/// New mail the server announces (IMAP IDLE) is taken at once, not at the next minute, and the window told. The
/// wait holds no register (only the mailbox's settings): the register can be locked or re-encrypted meanwhile, and
/// while it is locked nothing is read.
fn start_mail_watch(app: &tauri::AppHandle) {
    use tauri::Manager;
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("mailbox".into()).spawn(move || {
        loop {
            let state = app.state::<AppState>();
            let watch = state.desk().ok().and_then(|d| d.mailbox_watch().ok().flatten());
            let Some(watch) = watch else {
                std::thread::sleep(std::time::Duration::from_secs(20));
                continue;
            };
            // A few minutes at a time: settings changed or the register locked are seen at the next round.
            match watch.wait(std::time::Duration::from_secs(240)) {
                Ok(true) => {
                    if let Ok(desk) = state.desk() {
                        match desk.fetch_mail() {
                            Ok(r) if r.taken > 0 => state.mail_arrived(r.waiting),
                            Ok(_) => {}
                            Err(e) => eprintln!("Rightsdesk could not read the privacy mailbox: {e}"),
                        }
                    }
                }
                Ok(false) => {}
                Err(e) => {
                    eprintln!("Rightsdesk cannot wait for new mail: {e}");
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
            }
        }
    });
    if let Err(e) = spawned {
        eprintln!("Rightsdesk could not start waiting for mail: {e}");
    }
}

pub fn run() {
    // Everything the window creates holds personal data or leads to it: private to the user (0600/0700).
    rightsdesk::safe_file::restrict_umask();
    let builder = commands::specta_builder();
    let path = db_path();
    // First: a second launch on the same register hands its file to the running window and exits here, before
    // it opens the register or makes a window.
    let built = desktop::plugins(tauri::Builder::default(), path.as_ref().ok().map(|(p, _)| p))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(builder.invoke_handler())
        .on_window_event(|window, event| {
            use tauri::Manager;
            // Files dropped from the OS: the shell gets their real paths; the page only their tokens.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, position }) = event {
                let at = position.to_logical::<f64>(window.scale_factor().unwrap_or(1.0));
                files::dropped(&window.state::<AppState>(), paths, at.x, at.y);
            }
        })
        .setup(move |app| {
            use tauri::Manager;
            app.manage(open_state(path));
            desktop::setup(app.handle());
            // Copies left by a run that did not end cleanly.
            files::remove_copies(app.handle());
            start_reminders(app.handle());
            start_change_listener(app.handle());
            start_mail_watch(app.handle());
            Ok(())
        })
        .on_page_load(desktop::page_loaded)
        .build(tauri::generate_context!());
    match built {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                files::remove_copies(app);
            }
        }),
        Err(e) => {
            eprintln!("Rightsdesk could not start its window: {e}");
            std::process::exit(1);
        }
    }
}
