//! One thin command per user action. Blocking work runs on tokio's blocking pool, never on the async threads.

use std::sync::Arc;

use rightsdesk::desk::{AuditKeyStatus, ChainReport};
use rightsdesk::desk::{
    CheckInput, EvidenceFile, FormOptions, IdentitySettings, NewRequest, PurgeReport, QueueRow, RecomputeCount,
    RecomputeReport, RequestDetail, RequestEdit, StatusChange, TargetSetting,
};
use rightsdesk::desk::{
    DisclosureInput, EvidencePack, FlushReport, ImportPreview, ImportProgress, ImportReport, LogExport, OwnAuthority,
    PackSelection, RegimeAuthorities, RequesterView, RetentionReport, SmtpSettings, SubjectExport, SystemInput,
    TemplateCatalogue,
};
use rightsdesk::intake::{EmailDraft, ImportMapping, Source};
use rightsdesk::respond::{Organisation, Rendered};
use rightsdesk::store::{
    BlockedSender, CalendarDay, Dashboard, ImportRecord, OutboxItem, Page, Query, System, TemplateRow,
};
use rightsdesk::{Desk, ErrorReport};
use serde::Serialize;
use tauri::State;

use crate::AppState;

type Reply<T> = Result<T, ErrorReport>;

/// Run `f` with the register on the blocking pool.
async fn with_desk<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(&Desk) -> rightsdesk::Result<T> + Send + 'static,
) -> Reply<T> {
    let desk: Arc<Desk> = state.desk.clone()?;
    tauri::async_runtime::spawn_blocking(move || f(&desk).map_err(|e| ErrorReport::from(&e))).await.map_err(|e| {
        ErrorReport {
            code: rightsdesk::ErrorCode::Internal,
            message: format!("the operation stopped unexpectedly: {e}"),
            field: None,
        }
    })?
}

#[derive(Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub database: Option<String>,
    /// Set when the register could not be opened (e.g. written by a newer version).
    pub open_error: Option<ErrorReport>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        database: state.db_path.as_ref().map(|p| p.display().to_string()),
        open_error: state.desk.as_ref().err().cloned(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn form_options(state: State<'_, AppState>) -> Reply<FormOptions> {
    with_desk(state, |d| Ok(d.form_options())).await
}

#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: State<'_, AppState>) -> Reply<Dashboard> {
    with_desk(state, |d| d.dashboard()).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_requests(state: State<'_, AppState>, query: Query) -> Reply<Page<QueueRow>> {
    with_desk(state, move |d| d.list(&query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_request(state: State<'_, AppState>, reference: String) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.request(&reference)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_request(state: State<'_, AppState>, input: NewRequest) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.add_request(input)).await
}

/// Correct what was logged about a request (requester's details, language, channel, date of receipt, text).
#[tauri::command]
#[specta::specta]
pub async fn edit_request(state: State<'_, AppState>, reference: String, edit: RequestEdit) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.edit_request(&reference, edit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_status(
    state: State<'_, AppState>,
    reference: String,
    change: StatusChange,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.change_status(&reference, change)).await
}

#[tauri::command]
#[specta::specta]
pub async fn verify_audit(state: State<'_, AppState>) -> Reply<ChainReport> {
    with_desk(state, |d| d.verify_audit()).await
}

#[tauri::command]
#[specta::specta]
pub async fn audit_key_status(state: State<'_, AppState>) -> Reply<AuditKeyStatus> {
    with_desk(state, |d| d.audit_key_status()).await
}

/// `passphrase`: seal the key with it (None: keep it in the OS keyring).
#[tauri::command]
#[specta::specta]
pub async fn set_up_audit_key(state: State<'_, AppState>, passphrase: Option<String>) -> Reply<AuditKeyStatus> {
    with_desk(state, move |d| d.set_up_audit_key(passphrase.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn unlock_audit_key(state: State<'_, AppState>, passphrase: String) -> Reply<AuditKeyStatus> {
    with_desk(state, move |d| d.unlock_audit_key(&passphrase)).await
}

/// Sign the head and save it as an anchor file in Downloads; the path written.
#[tauri::command]
#[specta::specta]
pub async fn export_anchor(state: State<'_, AppState>) -> Reply<String> {
    with_desk(state, |d| d.export_anchor_to_downloads()).await
}

/// Largest file the window accepts (it travels through the IPC bridge as base64); the limits live in the core.
const MAX_ATTACHMENT_BYTES: usize = rightsdesk::files::MAX_UPLOAD_BYTES as usize;

#[tauri::command]
#[specta::specta]
pub async fn add_attachment(
    state: State<'_, AppState>,
    reference: String,
    file_name: String,
    content_base64: String,
) -> Reply<RequestDetail> {
    let bytes = decode(&UploadedFile { name: file_name.clone(), content_base64 })?;
    with_desk(state, move |d| d.attach(&reference, &file_name, &mut bytes.as_slice())).await
}

#[tauri::command]
#[specta::specta]
pub async fn record_fee_paid(state: State<'_, AppState>, reference: String, on: String) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.record_fee_paid(&reference, &on)).await
}

#[tauri::command]
#[specta::specta]
pub async fn pause_clock(
    state: State<'_, AppState>,
    reference: String,
    from: String,
    reason: String,
    note: Option<String>,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.pause_clock(&reference, &from, &reason, note.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn resume_clock(state: State<'_, AppState>, reference: String, on: String) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.resume_clock(&reference, &on)).await
}

#[tauri::command]
#[specta::specta]
pub async fn take_extension(
    state: State<'_, AppState>,
    reference: String,
    told_on: String,
    reason: String,
    new_due: Option<String>,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.take_extension(&reference, &told_on, Some(&reason), new_due.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn override_due(
    state: State<'_, AppState>,
    reference: String,
    date: Option<String>,
    reason: String,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.override_due(&reference, date.as_deref(), Some(&reason))).await
}

#[tauri::command]
#[specta::specta]
pub async fn calendar_days(state: State<'_, AppState>) -> Reply<Vec<CalendarDay>> {
    with_desk(state, |d| d.calendar_days()).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_non_working_day(
    state: State<'_, AppState>,
    calendar: String,
    day: String,
    label: String,
) -> Reply<RecomputeReport> {
    with_desk(state, move |d| d.add_non_working_day(&calendar, &day, &label)).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_non_working_day(
    state: State<'_, AppState>,
    calendar: String,
    day: String,
    reason: String,
) -> Reply<RecomputeReport> {
    with_desk(state, move |d| d.remove_non_working_day(&calendar, &day, &reason)).await
}

#[tauri::command]
#[specta::specta]
pub async fn target_settings(state: State<'_, AppState>) -> Reply<Vec<TargetSetting>> {
    with_desk(state, |d| Ok(d.target_settings())).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_target_days(state: State<'_, AppState>, regime: String, days: u32) -> Reply<RecomputeCount> {
    with_desk(state, move |d| d.set_target_working_days(&regime, days)).await
}

/// Writes every open deadline to an .ics file in the Downloads folder and returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_deadlines(state: State<'_, AppState>) -> Reply<String> {
    with_desk(state, |d| {
        let path =
            rightsdesk::desk::export_path(&format!("rightsdesk-deadlines-{}.ics", rightsdesk::dates::fmt(d.today())))?;
        d.export_deadlines(&path, rightsdesk::safe_file::Existing::Refuse)?;
        Ok(path.display().to_string())
    })
    .await
}

/// A file chosen in the window, as it travels over the IPC bridge.
#[derive(serde::Deserialize, specta::Type)]
pub struct UploadedFile {
    pub name: String,
    pub content_base64: String,
}

fn decode(file: &UploadedFile) -> Reply<Vec<u8>> {
    use base64::Engine;
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(file.content_base64.as_bytes()).map_err(|e| ErrorReport {
            code: rightsdesk::ErrorCode::Invalid,
            message: format!("{} could not be read ({e})", file.name),
            field: Some("file".into()),
        })?;
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(ErrorReport {
            code: rightsdesk::ErrorCode::Invalid,
            message: format!(
                "{} is {} MB; files up to 50 MB can be added here",
                file.name,
                bytes.len() / (1024 * 1024)
            ),
            field: Some("file".into()),
        });
    }
    Ok(bytes)
}

#[tauri::command]
#[specta::specta]
pub async fn record_identity_check(
    state: State<'_, AppState>,
    reference: String,
    check: CheckInput,
    evidence: Vec<UploadedFile>,
) -> Reply<RequestDetail> {
    let files = evidence.iter().map(|f| Ok((f.name.clone(), decode(f)?))).collect::<Reply<Vec<_>>>()?;
    with_desk(state, move |d| {
        let evidence = files
            .into_iter()
            .map(|(name, bytes)| EvidenceFile { name, content: Box::new(std::io::Cursor::new(bytes)) })
            .collect();
        d.record_identity_check(&reference, check, evidence)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn ask_identity(
    state: State<'_, AppState>,
    reference: String,
    on: String,
    note: Option<String>,
    send: bool,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.ask_identity(&reference, &on, note.as_deref(), send)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_agent(
    state: State<'_, AppState>,
    reference: String,
    name: Option<String>,
    email: Option<String>,
    authority: Option<String>,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.set_agent(&reference, name, email, authority)).await
}

#[tauri::command]
#[specta::specta]
pub async fn close_unverified(state: State<'_, AppState>, reference: String, send: bool) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.close_unverified(&reference, send)).await
}

/// With `reference`: that answered request's evidence now; without: everything past the retention period.
#[tauri::command]
#[specta::specta]
pub async fn purge_evidence(state: State<'_, AppState>, reference: Option<String>) -> Reply<PurgeReport> {
    with_desk(state, move |d| d.purge_evidence(reference.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn identity_settings(state: State<'_, AppState>) -> Reply<IdentitySettings> {
    with_desk(state, |d| Ok(d.identity_settings())).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_unverified_days(state: State<'_, AppState>, regime: String, days: u32) -> Reply<()> {
    with_desk(state, move |d| d.set_unverified_days(&regime, days)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_evidence_days(state: State<'_, AppState>, days: u32) -> Reply<()> {
    with_desk(state, move |d| d.set_evidence_retention_days(days)).await
}

#[tauri::command]
#[specta::specta]
pub async fn read_email(file: UploadedFile) -> Reply<EmailDraft> {
    let bytes = decode(&file)?;
    rightsdesk::intake::read_email(&bytes).map_err(|e| ErrorReport::from(&e))
}

/// Log a request with the document it came in (the email, the scanned letter), atomically.
#[tauri::command]
#[specta::specta]
pub async fn add_request_with_file(
    state: State<'_, AppState>,
    input: NewRequest,
    file: UploadedFile,
) -> Reply<RequestDetail> {
    let bytes = decode(&file)?;
    with_desk(state, move |d| d.add_request_with_file(input, &file.name, &mut bytes.as_slice())).await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_import(state: State<'_, AppState>, file: UploadedFile) -> Reply<ImportPreview> {
    let bytes = decode(&file)?;
    with_desk(state, move |d| d.preview_import(&Source::Bytes { name: file.name, bytes })).await
}

#[derive(Serialize, specta::Type)]
pub struct ImportOutcome {
    pub report: ImportReport,
    /// Where the rows that could not be imported were written (row, column, value, reason), if any.
    pub error_file: Option<String>,
}

/// Check or import a file; progress goes to `on_progress`. The error file goes to the Downloads folder.
#[tauri::command]
#[specta::specta]
pub async fn run_import(
    state: State<'_, AppState>,
    file: UploadedFile,
    mapping: ImportMapping,
    check_only: bool,
    on_progress: tauri::ipc::Channel<ImportProgress>,
) -> Reply<ImportOutcome> {
    let bytes = decode(&file)?;
    with_desk(state, move |d| {
        let source = Source::Bytes { name: file.name.clone(), bytes };
        let mut errors = Vec::new();
        let report = d.import_requests(&source, Some(mapping), check_only, Some(&mut errors), &mut |p| {
            // The window may have gone away; the import carries on regardless.
            let _ = on_progress.send(p);
        })?;
        let error_file = if report.errors > 0 && !check_only {
            let stem = file.name.rsplit_once('.').map_or(file.name.as_str(), |(s, _)| s);
            let path = rightsdesk::desk::export_path(&format!("{stem}-import-errors.csv"))?;
            rightsdesk::safe_file::write(&path, rightsdesk::safe_file::Existing::Refuse, &errors)?;
            Some(path.display().to_string())
        } else {
            None
        };
        Ok(ImportOutcome { report, error_file })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn imports(state: State<'_, AppState>) -> Reply<Vec<ImportRecord>> {
    with_desk(state, |d| d.imports()).await
}

#[tauri::command]
#[specta::specta]
pub async fn merge_duplicate(
    state: State<'_, AppState>,
    reference: String,
    into: String,
    note: Option<String>,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.merge_duplicate(&reference, &into, note.as_deref())).await
}

/// `relation`: `linked` or `separate`.
#[tauri::command]
#[specta::specta]
pub async fn relate_requests(
    state: State<'_, AppState>,
    reference: String,
    other: String,
    relation: String,
    note: Option<String>,
) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.relate(&reference, &other, &relation, note.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn requester(state: State<'_, AppState>, id: String) -> Reply<RequesterView> {
    with_desk(state, move |d| d.requester(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn blocked_senders(state: State<'_, AppState>) -> Reply<Vec<BlockedSender>> {
    with_desk(state, |d| d.blocked_senders()).await
}

#[tauri::command]
#[specta::specta]
pub async fn unblock_sender(state: State<'_, AppState>, email: String) -> Reply<()> {
    with_desk(state, move |d| d.unblock_sender(&email)).await
}

#[tauri::command]
#[specta::specta]
pub async fn systems(state: State<'_, AppState>) -> Reply<Vec<System>> {
    with_desk(state, |d| d.systems()).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_system(state: State<'_, AppState>, input: SystemInput) -> Reply<System> {
    with_desk(state, move |d| d.add_system(input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_system(state: State<'_, AppState>, id: String, input: SystemInput) -> Reply<System> {
    with_desk(state, move |d| d.update_system(&id, input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn retire_system(state: State<'_, AppState>, id: String) -> Reply<System> {
    with_desk(state, move |d| d.retire_system(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn tick_checklist(
    state: State<'_, AppState>,
    reference: String,
    system: String,
    item_state: String,
    note: Option<String>,
    proof: Option<UploadedFile>,
) -> Reply<RequestDetail> {
    let proof = proof.map(|f| Ok::<_, ErrorReport>((f.name.clone(), decode(&f)?))).transpose()?;
    with_desk(state, move |d| {
        let proof = proof.map(|(name, bytes)| (name, Box::new(std::io::Cursor::new(bytes)) as Box<dyn std::io::Read>));
        d.tick(&reference, &system, &item_state, note.as_deref(), proof)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn refresh_checklist(state: State<'_, AppState>, reference: String) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.refresh_checklist(&reference)).await
}

#[tauri::command]
#[specta::specta]
pub async fn organisation(state: State<'_, AppState>) -> Reply<Organisation> {
    with_desk(state, |d| d.organisation()).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_organisation(state: State<'_, AppState>, org: Organisation) -> Reply<Organisation> {
    with_desk(state, move |d| d.set_organisation(org)).await
}

/// Put a logo on the letterhead (`None` takes it off).
#[tauri::command]
#[specta::specta]
pub async fn set_logo(state: State<'_, AppState>, file: Option<UploadedFile>) -> Reply<Organisation> {
    let bytes = file.as_ref().map(decode).transpose()?;
    let name = file.map(|f| f.name).unwrap_or_default();
    with_desk(state, move |d| d.set_logo(&name, bytes.as_deref())).await
}

/// The letterhead's logo as base64, for the settings page to show it.
#[tauri::command]
#[specta::specta]
pub async fn logo(state: State<'_, AppState>) -> Reply<Option<String>> {
    use base64::Engine;
    let bytes = with_desk(state, |d| d.logo()).await?;
    Ok(bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(b)))
}

/// Each regime's supervisory authority: the organisation's own choice and the shipped directory.
#[tauri::command]
#[specta::specta]
pub async fn authority_settings(state: State<'_, AppState>) -> Reply<Vec<RegimeAuthorities>> {
    with_desk(state, |d| d.authority_settings()).await
}

/// Set the organisation's own authority for a regime (`None`: back to the directory).
#[tauri::command]
#[specta::specta]
pub async fn set_own_authority(
    state: State<'_, AppState>,
    regime: String,
    own: Option<OwnAuthority>,
) -> Reply<RegimeAuthorities> {
    with_desk(state, move |d| d.set_own_authority(&regime, own)).await
}

#[tauri::command]
#[specta::specta]
pub async fn smtp_settings(state: State<'_, AppState>) -> Reply<SmtpSettings> {
    with_desk(state, |d| d.smtp_settings()).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_smtp_settings(
    state: State<'_, AppState>,
    settings: SmtpSettings,
    password: Option<String>,
) -> Reply<SmtpSettings> {
    with_desk(state, move |d| d.set_smtp_settings(settings, password.as_deref())).await
}

/// Checks DNS, TCP, TLS and login in turn; with `to`, also sends a test message.
#[tauri::command]
#[specta::specta]
pub async fn test_smtp(state: State<'_, AppState>, to: Option<String>) -> Reply<String> {
    with_desk(state, move |d| d.test_smtp(to.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn template_catalogue(state: State<'_, AppState>) -> Reply<TemplateCatalogue> {
    with_desk(state, |d| d.template_catalogue()).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_template(
    state: State<'_, AppState>,
    stage: String,
    kind: String,
    lang: String,
    subject: String,
    body: String,
) -> Reply<TemplateRow> {
    with_desk(state, move |d| d.save_template(&stage, &kind, &lang, &subject, &body)).await
}

#[tauri::command]
#[specta::specta]
pub async fn copy_language(state: State<'_, AppState>, from: String, to: String) -> Reply<u32> {
    with_desk(state, move |d| d.copy_language(&from, &to)).await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_response(
    state: State<'_, AppState>,
    reference: String,
    stage: String,
    lang: Option<String>,
    note: Option<String>,
) -> Reply<Rendered> {
    with_desk(state, move |d| d.preview_response(&reference, &stage, lang.as_deref(), note.as_deref())).await
}

/// The template editor's live preview: unsaved text rendered on a real request.
#[tauri::command]
#[specta::specta]
pub async fn preview_draft(
    state: State<'_, AppState>,
    reference: String,
    stage: String,
    lang: String,
    subject: String,
    body: String,
) -> Reply<Rendered> {
    with_desk(state, move |d| d.preview_draft(&reference, &stage, &lang, &subject, &body)).await
}

#[tauri::command]
#[specta::specta]
pub async fn queue_response(
    state: State<'_, AppState>,
    reference: String,
    stage: String,
    lang: Option<String>,
    note: Option<String>,
    letter: bool,
) -> Reply<OutboxItem> {
    with_desk(state, move |d| d.queue_response_with(&reference, &stage, lang.as_deref(), note.as_deref(), letter)).await
}

/// The PDF letter as it would be printed (base64), for the window to show its pages; nothing is kept.
#[tauri::command]
#[specta::specta]
pub async fn letter_preview(
    state: State<'_, AppState>,
    reference: String,
    stage: String,
    lang: Option<String>,
    note: Option<String>,
) -> Reply<String> {
    use base64::Engine;
    let pdf = with_desk(state, move |d| d.letter_preview(&reference, &stage, lang.as_deref(), note.as_deref())).await?;
    Ok(base64::engine::general_purpose::STANDARD.encode(pdf))
}

/// The answer as a PDF letter: kept with the request, and saved to the Downloads folder for printing.
#[tauri::command]
#[specta::specta]
pub async fn write_letter(
    state: State<'_, AppState>,
    reference: String,
    stage: String,
    lang: Option<String>,
    note: Option<String>,
) -> Reply<String> {
    with_desk(state, move |d| {
        let letter = d.write_letter(
            &reference,
            &stage,
            lang.as_deref(),
            note.as_deref(),
            rightsdesk::desk::LetterCopy::Downloads,
        )?;
        Ok(letter.copy.unwrap_or(letter.stored).display().to_string())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn outbox(state: State<'_, AppState>, reference: Option<String>) -> Reply<Vec<OutboxItem>> {
    with_desk(state, move |d| d.outbox(reference.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn flush_outbox(state: State<'_, AppState>) -> Reply<FlushReport> {
    with_desk(state, |d| d.flush_outbox()).await
}

#[tauri::command]
#[specta::specta]
pub async fn retry_message(state: State<'_, AppState>, id: String) -> Reply<OutboxItem> {
    with_desk(state, move |d| d.retry_message(&id)).await
}

/// The request log of a period, saved to the Downloads folder; `on_progress` hears the requests written so far.
#[tauri::command]
#[specta::specta]
pub async fn export_log(
    state: State<'_, AppState>,
    from: String,
    to: String,
    format: rightsdesk::export::LogFormat,
    on_progress: tauri::ipc::Channel<u32>,
) -> Reply<LogExport> {
    with_desk(state, move |d| {
        d.export_log_to_downloads(&from, &to, format, &mut |n| {
            let _ = on_progress.send(u32::try_from(n).unwrap_or(u32::MAX));
        })
    })
    .await
}

/// Add a field, or a file found in a system, to an access or portability answer.
#[tauri::command]
#[specta::specta]
pub async fn add_disclosure(
    state: State<'_, AppState>,
    reference: String,
    input: DisclosureInput,
    file: Option<UploadedFile>,
) -> Reply<RequestDetail> {
    let file = file.map(|f| Ok::<_, ErrorReport>((f.name.clone(), decode(&f)?))).transpose()?;
    with_desk(state, move |d| {
        let file = file.map(|(name, bytes)| (name, Box::new(std::io::Cursor::new(bytes)) as Box<dyn std::io::Read>));
        d.add_disclosure(&reference, input, file)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_disclosure(state: State<'_, AppState>, reference: String, item: String) -> Reply<RequestDetail> {
    with_desk(state, move |d| d.remove_disclosure(&reference, &item)).await
}

/// The requester's copy of their data as a ZIP in Downloads; progress in percent. The password only passes
/// through memory (wiped when dropped).
#[tauri::command]
#[specta::specta]
pub async fn export_subject(
    state: State<'_, AppState>,
    reference: String,
    password: Option<String>,
    language: Option<String>,
    on_progress: tauri::ipc::Channel<u32>,
) -> Reply<SubjectExport> {
    let password = password.filter(|p| !p.is_empty()).map(zeroize::Zeroizing::new);
    with_desk(state, move |d| {
        let mut last = u32::MAX;
        let password = password.as_ref().map(|p| p.as_str());
        d.export_subject_to_downloads(&reference, password, language.as_deref(), &mut |done, total| {
            let percent = (done * 100).checked_div(total).map_or(100, |p| u32::try_from(p).unwrap_or(100));
            if percent != last {
                last = percent;
                let _ = on_progress.send(percent);
            }
        })
    })
    .await
}

/// The evidence pack for a regulator's inquiry, saved to Downloads.
#[tauri::command]
#[specta::specta]
pub async fn export_evidence(state: State<'_, AppState>, selection: PackSelection) -> Reply<EvidencePack> {
    with_desk(state, move |d| d.export_evidence_to_downloads(&selection)).await
}

/// The retention period and what is due under it (a dry run of the purge).
#[tauri::command]
#[specta::specta]
pub async fn retention(state: State<'_, AppState>) -> Reply<RetentionReport> {
    with_desk(state, move |d| d.purge_expired(true)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_retention_months(state: State<'_, AppState>, months: u32) -> Reply<RetentionReport> {
    with_desk(state, move |d| {
        d.set_retention_months(months)?;
        d.purge_expired(true)
    })
    .await
}

/// Purge now what the retention period has made due.
#[tauri::command]
#[specta::specta]
pub async fn purge_expired(state: State<'_, AppState>) -> Reply<RetentionReport> {
    with_desk(state, move |d| d.purge_expired(false)).await
}

/// The year's metrics (CCPA §7102 shape), for one regime or all.
#[tauri::command]
#[specta::specta]
pub async fn metrics(
    state: State<'_, AppState>,
    year: i32,
    regime: Option<String>,
) -> Reply<rightsdesk::export::Metrics> {
    with_desk(state, move |d| d.metrics(year, regime.as_deref())).await
}
