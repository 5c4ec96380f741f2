// The one door to the backend: every call goes through the generated bindings, and every failure becomes an
// ApiError carrying the core's stable code, its message and the form field it concerns.
import { Channel } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type * as B from "./bindings";
import { has, t, type Values } from "./i18n.svelte";

// What Rust sends (…_Serialize) and what it accepts (…_Deserialize), under the names the views use.
export type AppInfo = B.AppInfo_Serialize;
export type FormOptions = B.FormOptions_Serialize;
export type Dashboard = B.Dashboard;
export type SetupStatus = B.SetupStatus;
export type Query = B.Query_Serialize;
export type QueueView = B.QueueView;
export type Page<T> = B.Page_Serialize<T>;
export type Total = B.Total;
export type QueueRow = B.QueueRow_Serialize;
export type RequestDetail = B.RequestDetail_Serialize;
export type NewRequest = B.NewRequest_Deserialize;
export type Transition = B.Transition;
/** A request's event: its kind and data are the typed union of the core's events (`AuditEvent`). */
export type Event = B.TimelineEvent_Serialize;
export type AuditEvent = B.AuditEvent_Serialize;
export type Choice = B.Choice;
export type Sort = B.Sort;
export type Status = B.Status;
export type ErrorReport = B.ErrorReport_Serialize;
export type ChainReport = B.ChainReport_Serialize;
export type AuditKeyStatus = B.AuditKeyStatus_Serialize;
export type CalendarDay = B.CalendarDay_Serialize;
export type TargetSetting = B.TargetSetting;
export type IdentitySettings = B.IdentitySettings;
export type ImportPreview = B.ImportPreview_Serialize;
export type ImportMapping = B.ImportMapping_Serialize;
export type ImportOutcome = B.ImportOutcome_Serialize;
export type RegimeAuthorities = B.RegimeAuthorities_Serialize;
export type LogFormat = B.LogFormat;
export type LogExport = B.LogExport;
export type SubjectExport = B.SubjectExport;
export type EvidencePack = B.EvidencePack;
export type RetentionReport = B.RetentionReport;
export type Disclosure = B.Disclosure_Serialize;
export type Metrics = B.Metrics_Serialize;
export type ImportRecord = B.ImportRecord;
export type RequesterView = B.RequesterView_Serialize;
export type BlockedSender = B.BlockedSender;
export type RequestRow = B.RequestRow_Serialize;
export type System = B.System_Serialize;
export type ChecklistItem = B.ChecklistItem_Serialize;
export type Organisation = B.Organisation_Serialize;
export type SmtpSettings = B.SmtpSettings_Serialize;
export type TemplateCatalogue = B.TemplateCatalogue;
export type TemplateRow = B.TemplateRow;
export type Rendered = B.Rendered;
export type OutboxItem = B.OutboxItem_Serialize;
export type RegisterState = B.RegisterState;
export type Strength = B.Strength_Serialize;
export type VaultStatus = B.VaultStatus_Serialize;
export type BackupSchedule = B.BackupSchedule_Serialize;
export type BackupReport = B.BackupReport;
export type BackupLock = B.BackupLock;
export type BackupSecrets = B.BackupSecrets_Deserialize;
export type RestoreReport = B.RestoreReport_Serialize;
export type ImapSettings = B.ImapSettings_Serialize;
export type MailMessage = B.MailMessage_Serialize;
export type MailView = B.MailView_Serialize;
export type ConversationText = B.ConversationText_Serialize;
export type MessageFile = B.MessageFile_Serialize;
export type EmailDraft = B.EmailDraft_Serialize;
export type ChosenFile = B.ChosenFile;
export type DroppedFiles = B.DroppedFiles;
export type FilePurpose = B.FilePurpose;
export type About = B.About_Serialize;
export type Handed = B.Handed_Serialize;
export type RegisterPlace = B.RegisterPlace_Serialize;
export type RegisterOpened = B.RegisterOpened_Serialize;
export type LocationChoice = B.LocationChoice;
export type LocationView = B.LocationView_Serialize;
export type TlsMode = B.TlsMode;
export type Me = B.Me_Serialize;
export type Team = B.Team_Serialize;
export type Account = B.Account_Serialize;
export type Role = B.Role;
export type OwnerCount = B.OwnerCount_Serialize;
export type OwnerFilter = B.OwnerFilter;

export class ApiError extends Error {
  /** The core's stable code ("bridge" when the backend did not answer at all). */
  readonly code: B.ErrorCode;
  readonly field: string | null;
  /** What the core said, in English (the message is in the window's language when the error is keyed). */
  readonly report: ErrorReport;

  constructor(report: ErrorReport) {
    super(reportText(report));
    this.code = report.code;
    this.field = report.field;
    this.report = report;
  }
}

/** A status, kind… id in the window's language (`choice.<id>`), else the id. */
function idName(id: string): string {
  const key = `choice.${id}`;
  return has(key) ? t(key) : id;
}

/**
 * The core's error in the window's language: its key's message (`error.…`) filled from its params, the ids in them
 * named; the core's English message when it has no key (a free-text reason) or the window has no such message.
 */
export function reportText(report: ErrorReport): string {
  const key = report.key;
  if (!key || !has(key)) return report.message;
  const params: Values = { ...report.params };
  if (key === "error.not_found") {
    const what = `what.${String(params.what ?? "").replace(/ /g, "_")}`;
    params.whatName = has(what) ? t(what) : String(params.what ?? "");
  }
  if (key === "error.illegal_transition") {
    params.from = idName(String(params.from ?? ""));
    params.to = idName(String(params.to ?? ""));
    const allowed = String(params.allowed ?? "");
    params.allowed = allowed
      ? allowed
          .split(", ")
          .map((id) => idName(id))
          .join(", ")
      : "none";
  }
  return t(key, params);
}

/** A form field the core named, in the window's language (`field.<name>`), else as the core named it. */
export function fieldName(field: string): string {
  const key = `field.${field}`;
  return has(key) ? t(key) : field;
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: ErrorReport };

async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (e) {
    // Only reached when the bridge itself fails (no backend): still a message a person can read.
    throw new ApiError({
      code: "bridge",
      message: `Rightsdesk's backend did not answer: ${String(e)}`,
      field: null,
      key: "error.bridge",
      params: { detail: String(e) },
    });
  }
  if (result.status === "error") throw new ApiError(result.error);
  return result.data;
}

// Every core operation is a generated command taking one input (`null` when it needs none); those that report
// progress take a channel as well. The names, inputs and outputs all come from Rust (bindings.ts).
type Commands = typeof commands;
/** The shell's own commands, which work without an open register (below), are not core operations. */
type ShellCommand =
  | "appInfo"
  | "passphraseStrength"
  | "createRegister"
  | "unlock"
  | "unlockWithRecovery"
  | "lock"
  | "encryptRegister"
  | "rotateKey"
  | "chooseBackup"
  | "checkBackup"
  | "restoreChosenBackup"
  | "chooseBackupFolder"
  | "chooseFiles"
  | "listenDrops"
  | "openHeldFile"
  | "openWritten"
  | "showWritten"
  | "saveWrittenAs"
  | "listenMailbox"
  | "listenChanges"
  | "about"
  | "listenFiles"
  | "takeHandedFile"
  | "checkUpdate"
  | "installUpdate"
  | "quit"
  | "registerLocation"
  | "testRegister"
  | "openRegister";
type Operation = Exclude<keyof Commands, ShellCommand>;
type Input<K extends Operation> = Parameters<Commands[K]>[0];
type Output<K extends keyof Commands> = Awaited<ReturnType<Commands[K]>> extends Result<infer T> ? T : never;
type ProgressOperation = {
  [K in Operation]: Parameters<Commands[K]>[1] extends Channel<never> ? K : never;
}[Operation];
type PlainOperation = Exclude<Operation, ProgressOperation>;
type Progress<K extends ProgressOperation> = Parameters<Commands[K]>[1] extends Channel<infer P> ? P : never;

/** The request the page shows, at the version it shows (null: no request page is open). */
let seen: B.Seen_Deserialize | null = null;

/** The request page says what it shows: every change sent while it does is made only if the request is still at
 * that version, so a change another officer made meanwhile is never overwritten (the core refuses: "stale"). */
export function showing(request: { reference: string; version: number } | null) {
  seen = request && { reference: request.reference, version: request.version };
}

// A checklist line is changed on its own: two officers ticking different lines from the same page both stand.
const OWN_LINE: ReadonlySet<string> = new Set(["tickChecklist", "assignChecklistLine"]);

/** Run a core operation: `call("getRequest", { reference })`, or `call("dashboard")` when it takes no input. */
export function call<K extends PlainOperation>(
  op: K,
  ...input: Input<K> extends null ? [] : [Input<K>]
): Promise<Output<K>> {
  const run = commands[op] as (input: unknown, seen: B.Seen_Deserialize | null) => Promise<Result<Output<K>>>;
  return unwrap(run(input[0] ?? null, OWN_LINE.has(op) ? null : seen));
}

/** Run a core operation that reports progress (imports and exports) to `onProgress`. */
export function callWithProgress<K extends ProgressOperation>(
  op: K,
  input: Input<K>,
  onProgress: (p: Progress<K>) => void,
): Promise<Output<K>> {
  const channel = new Channel<Progress<K>>();
  channel.onmessage = onProgress;
  const run = commands[op] as (input: unknown, channel: Channel<Progress<K>>) => Promise<Result<Output<K>>>;
  return unwrap(run(input, channel));
}

export const appInfo = () => unwrap(commands.appInfo());

/** Opening the register (the vault): these work while it is locked or not made yet. */
export const vault = {
  strength: (passphrase: string) => unwrap(commands.passphraseStrength(passphrase)),
  /** The first run: make the register; its recovery key, to show once. */
  create: (passphrase: string | null, useKeyring: boolean) =>
    unwrap(commands.createRegister(passphrase, useKeyring)),
  /** With the passphrase, or with the OS keyring when it is null. */
  unlock: (passphrase: string | null) => unwrap(commands.unlock(passphrase)),
  recover: (recoveryKey: string, newPassphrase: string) =>
    unwrap(commands.unlockWithRecovery(recoveryKey, newPassphrase)),
  lock: () => unwrap(commands.lock()),
  /** Encrypt the open plain register; its recovery key, to show once. */
  encrypt: (passphrase: string) => unwrap(commands.encryptRegister(passphrase)),
  /** A new register key (the current passphrase kept); the new recovery key, to show once. */
  rotate: (passphrase: string | null) => unwrap(commands.rotateKey(passphrase)),
};

/**
 * Restoring a backup and choosing where scheduled backups go: the files are picked in the OS's own dialog, opened by
 * the shell, so the page never names a path; the backup picked is kept there for the next steps.
 */
export const backups = {
  /** The OS's file dialog; null when the officer cancelled it. */
  choose: () => unwrap(commands.chooseBackup()),
  /** The chosen backup checked whole, not restored: what it holds. */
  check: (secrets: BackupSecrets) => unwrap(commands.checkBackup(secrets)),
  /** The chosen backup as this window's register (the one open now, if any, kept aside). */
  restore: (secrets: BackupSecrets) => unwrap(commands.restoreChosenBackup(secrets)),
  /** The OS's folder dialog: where scheduled backups go; null when cancelled. */
  chooseFolder: () => unwrap(commands.chooseBackupFolder()),
};

/**
 * Where the window's register is ("Open register…"): this computer's file or a team server. A place is tried
 * (connected to and closed) or opened; opening replaces the window's register only once the new one opened, and
 * the shell keeps a typed password in the OS keyring. New files (a register, a CA) are named by their tokens.
 */
export const registers = {
  current: () => unwrap(commands.registerLocation()),
  test: (choice: LocationChoice, password: string | null) => unwrap(commands.testRegister(choice, password)),
  open: (choice: LocationChoice, password: string | null) => unwrap(commands.openRegister(choice, password)),
};

/** New mail: `onmail` is told how many messages wait in the intake tray each time the mailbox brought some. */
/** A team register: `onchange` is told whenever any officer's app committed changes. */
export function listenForChanges(onchange: () => void): Promise<null> {
  const channel = new Channel<number>();
  channel.onmessage = () => onchange();
  return unwrap(commands.listenChanges(channel));
}

export function listenForMail(onmail: (waiting: number) => void): Promise<null> {
  const channel = new Channel<number>();
  channel.onmessage = onmail;
  return unwrap(commands.listenMailbox(channel));
}

/**
 * Files without paths or content in the page: the OS's own dialog (opened by the shell) or a drop on the window
 * gives each file a token, which an operation's file field takes (`chosen(file)`). Files the register holds open
 * in the OS's application from a private copy; files Rightsdesk wrote (exports, letters) open, show in their
 * folder or are saved elsewhere, named by the path the operation reported (the shell opens only what it wrote).
 */
export const files = {
  /** The OS's file dialog for `purpose`; empty when the officer cancelled it. */
  choose: (purpose: FilePurpose) => unwrap(commands.chooseFiles(purpose)),
  /** An attachment or identity evidence of the request, opened in the OS's application. */
  openHeld: (reference: string, fileId: string) => unwrap(commands.openHeldFile(reference, fileId)),
  open: (path: string) => unwrap(commands.openWritten(path)),
  show: (path: string) => unwrap(commands.showWritten(path)),
  /** A copy where the officer chooses in the OS's save dialog: where it went, or null when cancelled. */
  saveAs: (path: string) => unwrap(commands.saveWrittenAs(path)),
};

/** A chosen or dropped file as an operation's file field names it. */
export function chosen(file: ChosenFile): B.FileToken {
  return { chosen: file.token };
}

/** Files dropped on the window: `ondrop` is told of each drop (their tokens, names and where they fell). */
export function listenForDrops(ondrop: (d: DroppedFiles) => void): Promise<null> {
  const channel = new Channel<DroppedFiles>();
  channel.onmessage = ondrop;
  return unwrap(commands.listenDrops(channel));
}

/**
 * The app as a desktop program: the About box, files handed to it (opened with Rightsdesk from the file manager, or
 * by a second launch), updates (off unless a release server is set), and quitting.
 */
export const desktop = {
  about: () => unwrap(commands.about()),
  /** `onfile` is told when a handed file waits (at once if the app was launched with one): take it then. */
  listenFiles: (onfile: () => void) => {
    const channel = new Channel<null>();
    channel.onmessage = onfile;
    return unwrap(commands.listenFiles(channel));
  },
  /** The handed file, read: an email's prefilled form, or a backup chosen for the restore; null when none waits. */
  takeHanded: () => unwrap(commands.takeHandedFile()),
  /** The newer version's number, or null when this is the newest; refused while updates are off. */
  checkUpdate: () => unwrap(commands.checkUpdate()),
  quit: () => unwrap(commands.quit()),
};

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error as a form shows it: under the field the core named, else under the form ("general"). */
export function fieldError(e: unknown): Record<string, string> {
  return { [e instanceof ApiError && e.field ? e.field : "general"]: message(e) };
}
