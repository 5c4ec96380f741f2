// The audit trail in the officer's words: one event of a request's timeline (or of the register) as a title, the
// reason or note given, and how it moved the due date. The one place that reads event kinds and their data: the
// kinds and payloads are the core's `AuditEvent` (bindings), so a new kind without a description fails the check.
import type { AuditEvent, Choice, FormOptions } from "./api";
import { day, labelOf } from "./format";

/** The labels an event's ids are shown with. */
export type EventLabels = Pick<
  FormOptions,
  "statuses" | "refusal_categories" | "verification_methods" | "check_outcomes" | "export_languages"
>;

export type EventLines = {
  /** What happened, in one line. */
  title: string;
  /** The reason or note given with it, quoted under the title. */
  why: string | null;
  /** How the due date moved, when the event moved it. */
  moved: string | null;
};

// Every member of the union but the one for kinds this window does not know (`kind: string`).
type Known<E> = E extends { kind: infer K } ? (string extends K ? never : E) : never;
/** An event of a kind the core types. */
export type KnownEvent = Known<AuditEvent>;
export type EventKind = KnownEvent["kind"];

// Each kind the core types, once: a kind added in Rust and missing here fails `npm run check`.
const KINDS: Record<EventKind, true> = {
  created: true,
  details_corrected: true,
  status_changed: true,
  attachment_added: true,
  mail_received: true,
  fee_paid: true,
  clock_paused: true,
  clock_resumed: true,
  extension_taken: true,
  due_overridden: true,
  identity_checked: true,
  identity_requested: true,
  agent_set: true,
  evidence_purged: true,
  response_queued: true,
  response_sent: true,
  data_copy_sent: true,
  checklist_created: true,
  checklist_extended: true,
  checklist_ticked: true,
  merged_as_duplicate: true,
  duplicate_merged: true,
  request_linked: true,
  kept_separate: true,
  dates_recomputed: true,
  disclosure_added: true,
  disclosure_removed: true,
  subject_export_made: true,
  evidence_pack_made: true,
  purged: true,
  trigger_restored: true,
  signing_key_created: true,
  purges_recorded: true,
  row_states_recorded: true,
  row_facts_recorded: true,
  register_copied: true,
  files_folder_moved: true,
  files_moved_to_register_folder: true,
  organisation_changed: true,
  smtp_settings_changed: true,
  imap_settings_changed: true,
  mail_set_aside: true,
  template_saved: true,
  templates_copied: true,
  system_added: true,
  system_updated: true,
  system_retired: true,
  calendar_day_added: true,
  calendar_day_removed: true,
  target_days_set: true,
  retention_months_set: true,
  vault_changed: true,
  lock_minutes_set: true,
  backup_schedule_set: true,
  unverified_days_set: true,
  evidence_retention_days_set: true,
  own_authority_set: true,
  sender_unblocked: true,
};

export const isKnown = (e: AuditEvent): e is KnownEvent => Object.hasOwn(KINDS, e.kind);

type Data = Record<string, unknown>;

// Kinds whose free text is a note rather than a reason.
const WITH_NOTE = new Set<string>([
  "clock_paused",
  "identity_checked",
  "identity_requested",
  "merged_as_duplicate",
  "duplicate_merged",
  "request_linked",
  "kept_separate",
]);

/** What a `vault_changed` event did, in words. */
const VAULT_CHANGES: Record<string, string> = {
  passphrase_changed: "passphrase changed",
  keyring_added: "kept in the OS keyring",
  keyring_removed: "removed from the OS keyring",
  recovered: "new passphrase set with the recovery key",
};

export function describeEvent(e: AuditEvent, labels: EventLabels): EventLines {
  const d = (e.data ?? {}) as Data;
  const text = WITH_NOTE.has(e.kind) ? d.note : d.reason;
  return {
    // A kind this window does not know yet (newer, or an event of an older shape): its name is still readable.
    title: isKnown(e) ? title(e, labels) : e.kind.replaceAll("_", " "),
    why: typeof text === "string" ? text : null,
    moved: moved(d),
  };
}

const label = (choices: Choice[], id: unknown) => labelOf(choices, String(id));
// The data of an event as written by older versions may lack a member: read lists and files defensively.
const list = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
const fileName = (v: unknown) => String((v as { file_name: string }).file_name);
const fields = (v: unknown) => Object.keys((v as Data | undefined) ?? {}).join(", ");

function title(e: KnownEvent, l: EventLabels): string {
  switch (e.kind) {
    case "created":
      return "Request logged";
    case "details_corrected":
      return `Details corrected: ${Object.keys(e.data.changed ?? {})
        .map((f) => f.replace("received", "date of receipt"))
        .join(", ")}`;
    case "status_changed":
      return `Status ${label(l.statuses, e.data.from)} → ${label(l.statuses, e.data.to)}${e.data.category ? ` (${label(l.refusal_categories, e.data.category)})` : ""}`;
    case "attachment_added":
      return `File attached: ${String(e.data.file_name)}`;
    case "mail_received": {
      // The message itself is the first file.
      const files = Array.isArray(e.data.files) ? e.data.files.length - 1 : 0;
      const how =
        e.data.how === "reply"
          ? "Reply received"
          : e.data.how === "accepted"
            ? "Logged from the mailbox"
            : "Email added from the mailbox";
      return `${how} from ${e.data.from}: "${e.data.subject}"${files > 0 ? ` (${files} file(s) attached)` : ""}`;
    }
    case "clock_paused":
      return `Clock stopped from ${day(String(e.data.from))} (${String(e.data.reason).replaceAll("-", " ")})`;
    case "clock_resumed":
      return `Clock restarted: answer received ${day(String(e.data.on))} (${String(e.data.days)} days stopped)`;
    case "extension_taken":
      return `Extension taken: requester told ${day(String(e.data.told_on))}`;
    case "identity_checked":
      return `Identity check${e.data.party === "agent" ? " of the agent's authority" : ""} (${label(l.verification_methods, e.data.method)}): ${label(l.check_outcomes, e.data.outcome).toLowerCase()} on ${day(String(e.data.on))}${count(e.data.evidence) ? `, ${count(e.data.evidence)} evidence file(s)` : ""}${count(e.data.from_attachments) ? ` (${count(e.data.from_attachments)} moved from the attachments)` : ""}`;
    case "identity_requested":
      return `Identity asked for on ${day(String(e.data.on))}`;
    case "agent_set":
      return e.data.after ? `Authorised agent: ${e.data.after.name}` : "Authorised agent removed";
    case "response_queued":
      // A written answer (from the conversation) has no template: its stage is "free-text".
      return `${e.data.stage === "free-text" ? "Written answer" : "Email"} queued: ${String(e.data.subject)} (to ${String(e.data.to)})`;
    case "data_copy_sent": {
      // What reached the requester with the fulfilment, and how the password of an encrypted copy travels.
      const how =
        e.data.how === "outside"
          ? "the copy goes outside the app (post or download)"
          : `${String(e.data.file_name)} attached${e.data.encrypted ? `, encrypted (password by ${String(e.data.password_by)})` : ""}`;
      return `Copy of the data sent: ${how} (to ${String(e.data.to)})`;
    }
    case "response_sent":
      return `Email sent: ${String(e.data.subject)} — ${String(e.data.eml)}`;
    case "checklist_created":
      return `Checklist made from the data map: ${list(e.data.systems)}`;
    case "checklist_extended":
      return `Added to the checklist: ${list(e.data.systems)}`;
    case "checklist_ticked":
      return `${String(e.data.system)}: ${String(e.data.state).replaceAll("-", " ")}${e.data.proof ? ` (proof: ${fileName(e.data.proof)})` : ""}`;
    case "merged_as_duplicate":
      return `Set aside as a duplicate of ${String(e.data.into)}`;
    case "duplicate_merged":
      return `${String(e.data.duplicate)} merged into this request as a duplicate`;
    case "request_linked":
      return `Linked with ${String(e.data.other)}`;
    case "kept_separate":
      return `Not the same as ${String(e.data.other)} (kept separate)`;
    case "evidence_purged":
      return `Identity evidence deleted: ${count(e.data.files)} file(s), names and hashes kept`;
    case "dates_recomputed":
      return "Dates recomputed";
    case "disclosure_added":
      return `Gathered for the answer: ${String(e.data.system)} · ${String(e.data.category)} · ${e.data.file ? fileName(e.data.file) : String(e.data.label)}${e.data.provided ? " (provided by the person)" : ""}`;
    case "disclosure_removed":
      return `Taken off the answer: ${String(e.data.system)} · ${String(e.data.category)} · ${String(e.data.file_name ?? e.data.label)}`;
    case "subject_export_made":
      return `Copy of the data exported: ${String(e.data.file_name)} (${String(e.data.files)} files${e.data.language ? `, in ${label(l.export_languages, e.data.language)}` : ""}${e.data.encrypted ? ", encrypted" : ""})`;
    case "evidence_pack_made":
      return `Included in an evidence pack: ${String(e.data.file_name)}`;
    case "purged":
      return `Personal data purged after ${String(e.data.months)} months (${String(e.data.events_removed)} events, ${String(e.data.files_removed)} files removed)`;
    case "fee_paid":
      return `Fee paid ${day(String(e.data.on))}`;
    case "due_overridden":
      return e.data.after ? `Due date set by hand to ${day(e.data.after)}` : "Due date set by hand removed";
    // Events of the register itself.
    case "trigger_restored":
      return `Audit protection put back: ${String(e.data.trigger)} (was ${String(e.data.was)})`;
    case "signing_key_created":
      return `Audit signing key made (${String(e.data.storage)}), fingerprint ${String(e.data.fingerprint)}`;
    case "purges_recorded":
      return `Earlier purges recorded at the upgrade: ${count(e.data.removed)} event(s)`;
    case "row_states_recorded":
      return `Request states recorded at the upgrade: ${String(e.data.rows)} request(s)`;
    case "row_facts_recorded":
      return `Log facts recorded at the upgrade: ${String(e.data.rows)} request(s)`;
    case "register_copied":
      return `Opened as a copy of register ${String(e.data.from_id)}: its own files (${String(e.data.files_linked)} linked, ${String(e.data.files_copied)} copied)`;
    case "files_folder_moved":
      return `Files folder moved to ${String(e.data.to)}`;
    case "files_moved_to_register_folder":
      return `Files moved into the register's folder (${String(e.data.request_folders)} request folder(s))`;
    case "organisation_changed":
      return `Organisation details changed: ${fields(e.data.changed)}`;
    case "imap_settings_changed":
      return `Mailbox settings changed${fields(e.data.changed) ? `: ${fields(e.data.changed)}` : ""}${e.data.password_stored ? " (new password kept in the keyring)" : ""}`;
    case "mail_set_aside":
      return e.data.decision === "spam"
        ? `Mailbox: spam from ${e.data.sender} set aside${e.data.blocked ? " (sender blocked)" : ""}`
        : `Mailbox: message from ${e.data.sender} is not a request ("${e.data.subject}")`;
    case "smtp_settings_changed":
      return `Email server settings changed${fields(e.data.changed) ? `: ${fields(e.data.changed)}` : ""}${e.data.password_stored ? " (new password kept in the keyring)" : ""}`;
    case "template_saved":
      return `Template saved: ${String(e.data.stage)} (${String(e.data.lang)}${e.data.kind === "*" ? "" : `, ${String(e.data.kind)}`})`;
    case "templates_copied":
      return `Templates copied from ${String(e.data.from)} to ${String(e.data.to)} (${String(e.data.templates)})`;
    case "system_added":
      return `Data map: ${String(e.data.name)} added`;
    case "system_updated":
      return `Data map: ${String(e.data.name)} changed (${fields(e.data.changed)})`;
    case "system_retired":
      return `Data map: ${String(e.data.name)} retired`;
    case "calendar_day_added":
      return `Non-working day ${day(String(e.data.day))} on ${String(e.data.calendar)} (${String(e.data.label)})`;
    case "calendar_day_removed":
      return `Working day again: ${day(String(e.data.day))} on ${String(e.data.calendar)}`;
    case "target_days_set":
      return `Internal target for ${String(e.data.regime)}: ${String(e.data.before)} → ${String(e.data.after)} working days`;
    case "retention_months_set":
      return `Retention: ${String(e.data.before)} → ${String(e.data.after)} months`;
    case "backup_schedule_set":
      return e.data.every === "off"
        ? "Scheduled backups stopped"
        : `Backups ${e.data.every}, newest ${String(e.data.keep)} kept, into ${e.data.folder}`;
    case "lock_minutes_set":
      return `The window locks after ${String(e.data.before)} → ${String(e.data.after)} idle minutes`;
    case "vault_changed":
      return `Encryption: ${VAULT_CHANGES[e.data.change] ?? e.data.change}; unlocks with ${e.data.methods.join(", ")}`;
    case "unverified_days_set":
      return `Unverified after ${String(e.data.before)} → ${String(e.data.after)} days (${String(e.data.regime)})`;
    case "evidence_retention_days_set":
      return `Identity evidence kept ${String(e.data.before)} → ${String(e.data.after)} days after the answer`;
    case "own_authority_set":
      return e.data.after
        ? `Authority for ${String(e.data.regime)}: ${e.data.after.name}`
        : `Authority for ${String(e.data.regime)}: the directory's again`;
    case "sender_unblocked":
      return `Sender unblocked: ${String(e.data.email)}`;
    default: {
      // Every kind has its line: a kind added to the core without one does not compile.
      const unhandled: never = e;
      return unhandled;
    }
  }
}

function moved(d: Data): string | null {
  const dates = (d as { dates?: { before?: { effective_due?: string }; after?: { effective_due?: string } } })
    .dates;
  const [a, b] = [dates?.before?.effective_due, dates?.after?.effective_due];
  return a && b && a !== b ? `Due date ${day(a)} → ${day(b)}` : null;
}
