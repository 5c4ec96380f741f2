// The one door to the backend: every call goes through the generated bindings, and every failure becomes an
// ApiError carrying the core's stable code, its message and the form field it concerns.
import { Channel } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type * as B from "./bindings";

// What Rust sends (…_Serialize) and what it accepts (…_Deserialize), under the names the views use.
export type AppInfo = B.AppInfo_Serialize;
export type FormOptions = B.FormOptions_Serialize;
export type Dashboard = B.Dashboard;
export type Query = B.Query_Serialize;
export type Page<T> = B.Page<T>;
export type QueueRow = B.QueueRow_Serialize;
export type RequestDetail = B.RequestDetail_Serialize;
export type NewRequest = B.NewRequest_Deserialize;
export type Transition = B.Transition;
export type Event = B.Event;
export type Choice = B.Choice;
export type Sort = B.Sort;
export type Status = B.Status;
export type ErrorReport = B.ErrorReport_Serialize;
export type ChainReport = B.ChainReport_Serialize;
export type AuditKeyStatus = B.AuditKeyStatus_Serialize;
export type CalendarDay = B.CalendarDay_Serialize;
export type RecomputeReport = B.RecomputeReport_Serialize;
export type TargetSetting = B.TargetSetting;
export type StatusChange = B.StatusChange_Deserialize;
export type RequestEdit = B.RequestEdit_Deserialize;
export type CheckInput = B.CheckInput_Deserialize;
export type IdentityCheck = B.IdentityCheck_Serialize;
export type IdentitySettings = B.IdentitySettings;
export type PurgeReport = B.PurgeReport;
export type EmailDraft = B.EmailDraft_Serialize;
export type ImportPreview = B.ImportPreview_Serialize;
export type ImportMapping = B.ImportMapping_Serialize;
export type ImportProgress = B.ImportProgress;
export type ImportOutcome = B.ImportOutcome_Serialize;
export type RegimeAuthorities = B.RegimeAuthorities_Serialize;
export type LogFormat = B.LogFormat;
export type LogExport = B.LogExport;
export type SubjectExport = B.SubjectExport;
export type EvidencePack = B.EvidencePack;
export type PackSelection = B.PackSelection;
export type RetentionReport = B.RetentionReport;
export type Disclosure = B.Disclosure_Serialize;
export type DisclosureInput = B.DisclosureInput_Deserialize;
export type Metrics = B.Metrics_Serialize;
export type OwnAuthority = B.OwnAuthority_Deserialize;
export type ImportRecord = B.ImportRecord;
export type RequesterView = B.RequesterView_Serialize;
export type BlockedSender = B.BlockedSender;
export type RequestRow = B.RequestRow_Serialize;
export type System = B.System_Serialize;
export type SystemInput = B.SystemInput_Deserialize;
export type ChecklistItem = B.ChecklistItem_Serialize;
export type Organisation = B.Organisation_Serialize;
export type SmtpSettings = B.SmtpSettings_Serialize;
export type TemplateCatalogue = B.TemplateCatalogue;
export type TemplateRow = B.TemplateRow;
export type Rendered = B.Rendered;
export type OutboxItem = B.OutboxItem_Serialize;
export type FlushReport = B.FlushReport;

export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;

  constructor(report: ErrorReport) {
    super(report.message);
    this.code = report.code;
    this.field = report.field;
  }
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
    });
  }
  if (result.status === "error") throw new ApiError(result.error);
  return result.data;
}

export const api = {
  appInfo: () => unwrap(commands.appInfo()),
  formOptions: () => unwrap(commands.formOptions()),
  dashboard: () => unwrap(commands.dashboard()),
  listRequests: (query: Query) => unwrap(commands.listRequests(query)),
  getRequest: (reference: string) => unwrap(commands.getRequest(reference)),
  addRequest: (input: NewRequest) => unwrap(commands.addRequest(input)),
  changeStatus: (reference: string, change: StatusChange) => unwrap(commands.changeStatus(reference, change)),
  editRequest: (reference: string, edit: RequestEdit) => unwrap(commands.editRequest(reference, edit)),
  verifyAudit: () => unwrap(commands.verifyAudit()),
  auditKeyStatus: () => unwrap(commands.auditKeyStatus()),
  setUpAuditKey: (passphrase: string | null) => unwrap(commands.setUpAuditKey(passphrase)),
  unlockAuditKey: (passphrase: string) => unwrap(commands.unlockAuditKey(passphrase)),
  exportAnchor: () => unwrap(commands.exportAnchor()),
  recordIdentityCheck: async (reference: string, check: CheckInput, files: File[]) =>
    unwrap(commands.recordIdentityCheck(reference, check, await Promise.all(files.map(upload)))),
  askIdentity: (reference: string, on: string, note: string | null, send: boolean) =>
    unwrap(commands.askIdentity(reference, on, note, send)),
  setAgent: (reference: string, name: string | null, email: string | null, authority: string | null) =>
    unwrap(commands.setAgent(reference, name, email, authority)),
  closeUnverified: (reference: string, send: boolean) => unwrap(commands.closeUnverified(reference, send)),
  purgeEvidence: (reference: string | null) => unwrap(commands.purgeEvidence(reference)),
  identitySettings: () => unwrap(commands.identitySettings()),
  setUnverifiedDays: (regime: string, days: number) => unwrap(commands.setUnverifiedDays(regime, days)),
  setEvidenceDays: (days: number) => unwrap(commands.setEvidenceDays(days)),
  recordFeePaid: (reference: string, on: string) => unwrap(commands.recordFeePaid(reference, on)),
  pauseClock: (reference: string, from: string, reason: string, note: string | null) =>
    unwrap(commands.pauseClock(reference, from, reason, note)),
  resumeClock: (reference: string, on: string) => unwrap(commands.resumeClock(reference, on)),
  takeExtension: (reference: string, toldOn: string, reason: string, newDue: string | null) =>
    unwrap(commands.takeExtension(reference, toldOn, reason, newDue)),
  overrideDue: (reference: string, date: string | null, reason: string) =>
    unwrap(commands.overrideDue(reference, date, reason)),
  calendarDays: () => unwrap(commands.calendarDays()),
  addNonWorkingDay: (calendar: string, day: string, label: string) =>
    unwrap(commands.addNonWorkingDay(calendar, day, label)),
  removeNonWorkingDay: (calendar: string, day: string, reason: string) =>
    unwrap(commands.removeNonWorkingDay(calendar, day, reason)),
  targetSettings: () => unwrap(commands.targetSettings()),
  setTargetDays: (regime: string, days: number) => unwrap(commands.setTargetDays(regime, days)),
  exportDeadlines: () => unwrap(commands.exportDeadlines()),
  readEmail: async (file: File) => unwrap(commands.readEmail(await upload(file))),
  addRequestWithFile: async (input: NewRequest, file: File) =>
    unwrap(commands.addRequestWithFile(input, await upload(file))),
  previewImport: async (file: File) => unwrap(commands.previewImport(await upload(file))),
  runImport: async (
    file: File,
    mapping: ImportMapping,
    checkOnly: boolean,
    onProgress: (p: ImportProgress) => void,
  ) => {
    const channel = new Channel<ImportProgress>();
    channel.onmessage = onProgress;
    return unwrap(commands.runImport(await upload(file), mapping, checkOnly, channel));
  },
  imports: () => unwrap(commands.imports()),
  mergeDuplicate: (reference: string, into: string, note: string | null) =>
    unwrap(commands.mergeDuplicate(reference, into, note)),
  relateRequests: (reference: string, other: string, relation: "linked" | "separate", note: string | null) =>
    unwrap(commands.relateRequests(reference, other, relation, note)),
  requester: (id: string) => unwrap(commands.requester(id)),
  blockedSenders: () => unwrap(commands.blockedSenders()),
  unblockSender: (email: string) => unwrap(commands.unblockSender(email)),
  systems: () => unwrap(commands.systems()),
  addSystem: (input: SystemInput) => unwrap(commands.addSystem(input)),
  updateSystem: (id: string, input: SystemInput) => unwrap(commands.updateSystem(id, input)),
  retireSystem: (id: string) => unwrap(commands.retireSystem(id)),
  tickChecklist: async (
    reference: string,
    system: string,
    state: string,
    note: string | null,
    proof: File | null,
  ) => unwrap(commands.tickChecklist(reference, system, state, note, proof ? await upload(proof) : null)),
  refreshChecklist: (reference: string) => unwrap(commands.refreshChecklist(reference)),
  addDisclosure: async (reference: string, input: DisclosureInput, file: File | null) =>
    unwrap(commands.addDisclosure(reference, input, file ? await upload(file) : null)),
  removeDisclosure: (reference: string, item: string) => unwrap(commands.removeDisclosure(reference, item)),
  exportSubject: (
    reference: string,
    password: string | null,
    language: string | null,
    onProgress: (percent: number) => void,
  ) => {
    const channel = new Channel<number>();
    channel.onmessage = onProgress;
    return unwrap(commands.exportSubject(reference, password, language, channel));
  },
  organisation: () => unwrap(commands.organisation()),
  setOrganisation: (org: Organisation) => unwrap(commands.setOrganisation(org)),
  setLogo: async (file: File | null) => unwrap(commands.setLogo(file ? await upload(file) : null)),
  logo: () => unwrap(commands.logo()),
  authoritySettings: () => unwrap(commands.authoritySettings()),
  exportLog: (from: string, to: string, format: LogFormat, onProgress: (n: number) => void) => {
    const channel = new Channel<number>();
    channel.onmessage = onProgress;
    return unwrap(commands.exportLog(from, to, format, channel));
  },
  retention: () => unwrap(commands.retention()),
  setRetentionMonths: (months: number) => unwrap(commands.setRetentionMonths(months)),
  purgeExpired: () => unwrap(commands.purgeExpired()),
  exportEvidence: (selection: PackSelection) => unwrap(commands.exportEvidence(selection)),
  metrics: (year: number, regime: string | null) => unwrap(commands.metrics(year, regime)),
  setOwnAuthority: (regime: string, own: OwnAuthority | null) =>
    unwrap(commands.setOwnAuthority(regime, own)),
  smtpSettings: () => unwrap(commands.smtpSettings()),
  setSmtpSettings: (settings: SmtpSettings, password: string | null) =>
    unwrap(commands.setSmtpSettings(settings, password)),
  testSmtp: (to: string | null) => unwrap(commands.testSmtp(to)),
  templateCatalogue: () => unwrap(commands.templateCatalogue()),
  saveTemplate: (stage: string, kind: string, lang: string, subject: string, body: string) =>
    unwrap(commands.saveTemplate(stage, kind, lang, subject, body)),
  copyLanguage: (from: string, to: string) => unwrap(commands.copyLanguage(from, to)),
  previewResponse: (reference: string, stage: string, lang: string | null, note: string | null) =>
    unwrap(commands.previewResponse(reference, stage, lang, note)),
  previewDraft: (reference: string, stage: string, lang: string, subject: string, body: string) =>
    unwrap(commands.previewDraft(reference, stage, lang, subject, body)),
  queueResponse: (
    reference: string,
    stage: string,
    lang: string | null,
    note: string | null,
    letter: boolean,
  ) => unwrap(commands.queueResponse(reference, stage, lang, note, letter)),
  letterPreview: (reference: string, stage: string, lang: string | null, note: string | null) =>
    unwrap(commands.letterPreview(reference, stage, lang, note)),
  writeLetter: (reference: string, stage: string, lang: string | null, note: string | null) =>
    unwrap(commands.writeLetter(reference, stage, lang, note)),
  outbox: (reference: string | null) => unwrap(commands.outbox(reference)),
  flushOutbox: () => unwrap(commands.flushOutbox()),
  retryMessage: (id: string) => unwrap(commands.retryMessage(id)),
  addAttachment: async (reference: string, file: File) =>
    unwrap(commands.addAttachment(reference, file.name, await toBase64(file))),
};

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error as a form shows it: under the field the core named, else under the form ("general"). */
export function fieldError(e: unknown): Record<string, string> {
  return { [e instanceof ApiError && e.field ? e.field : "general"]: message(e) };
}

async function upload(file: File): Promise<B.UploadedFile> {
  return { name: file.name, content_base64: await toBase64(file) };
}

async function toBase64(file: File): Promise<string> {
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
  return url.slice(url.indexOf(",") + 1);
}
