// The audit trail in the officer's words: one event of a request's timeline (or of the register) as a title, the
// reason or note given, and how it moved the due date. The one place that reads event kinds and their data: the
// kinds and payloads are the core's `AuditEvent` (bindings), so a new kind without a description fails the check.
import type { AuditEvent, Choice, FormOptions } from "./api";
import { day, labelOf } from "./format";
import { has, t } from "./i18n.svelte";

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
  request_assigned: true,
  checklist_line_assigned: true,
  account_added: true,
  account_changed: true,
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

/** A `vault_changed` event's change, in words (its message key), else its id. */
function vaultChange(change: string): string {
  const key = `event.vault.${change}`;
  return has(key) ? t(key) : change;
}

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

const yes = (v: unknown) => (v ? "yes" : "no");
/** A clock stop's or a checklist line's id in words (`pause.…`, `event.state.…`), else the id made readable. */
const named = (prefix: "pause." | "event.state.", id: unknown) => {
  const key = prefix === "pause." ? `pause.${String(id)}` : `event.state.${String(id)}`;
  return has(key) ? t(key) : String(id).replaceAll("-", " ");
};

function title(e: KnownEvent, l: EventLabels): string {
  switch (e.kind) {
    case "created":
      return t("event.created");
    case "details_corrected":
      return t("event.details_corrected", {
        fields: Object.keys(e.data.changed ?? {})
          .map((f) => (f === "received" ? t("event.dateOfReceipt") : f))
          .join(", "),
      });
    case "status_changed": {
      const moved = { from: label(l.statuses, e.data.from), to: label(l.statuses, e.data.to) };
      return e.data.category
        ? t("event.status_changed_category", {
            ...moved,
            category: label(l.refusal_categories, e.data.category),
          })
        : t("event.status_changed", moved);
    }
    case "attachment_added":
      return t("event.attachment_added", { file: String(e.data.file_name) });
    case "mail_received":
      return t("event.mail_received", {
        how: String(e.data.how),
        from: String(e.data.from),
        subject: String(e.data.subject),
        // The message itself is the first file.
        files: Array.isArray(e.data.files) ? Math.max(0, e.data.files.length - 1) : 0,
      });
    case "clock_paused":
      return t("event.clock_paused", {
        date: day(String(e.data.from)),
        reason: named("pause.", e.data.reason),
      });
    case "clock_resumed":
      return t("event.clock_resumed", { date: day(String(e.data.on)), days: Number(e.data.days) });
    case "extension_taken":
      return t("event.extension_taken", { date: day(String(e.data.told_on)) });
    case "identity_checked":
      return t("event.identity_checked", {
        party: e.data.party === "agent" ? "agent" : "requester",
        method: label(l.verification_methods, e.data.method),
        outcome: label(l.check_outcomes, e.data.outcome).toLowerCase(),
        date: day(String(e.data.on)),
        evidence: count(e.data.evidence),
        moved: count(e.data.from_attachments),
      });
    case "identity_requested":
      return t("event.identity_requested", { date: day(String(e.data.on)) });
    case "agent_set":
      return e.data.after ? t("event.agent_set", { name: e.data.after.name }) : t("event.agent_removed");
    case "response_queued":
      // A written answer (from the conversation) has no template: its stage is "free-text".
      return t("event.response_queued", {
        written: yes(e.data.stage === "free-text"),
        subject: String(e.data.subject),
        to: String(e.data.to),
      });
    case "data_copy_sent":
      // What reached the requester with the fulfilment, and how the password of an encrypted copy travels.
      return e.data.how === "outside"
        ? t("event.data_copy_outside", { to: String(e.data.to) })
        : t("event.data_copy_sent", {
            file: String(e.data.file_name),
            encrypted: yes(e.data.encrypted),
            by: String(e.data.password_by),
            to: String(e.data.to),
          });
    case "response_sent":
      return t("event.response_sent", { subject: String(e.data.subject), file: String(e.data.eml) });
    case "checklist_created":
      return t("event.checklist_created", { systems: list(e.data.systems) });
    case "checklist_extended":
      return t("event.checklist_extended", { systems: list(e.data.systems) });
    case "checklist_ticked": {
      const line = { system: String(e.data.system), state: named("event.state.", e.data.state) };
      return e.data.proof
        ? t("event.checklist_ticked_proof", { ...line, file: fileName(e.data.proof) })
        : t("event.checklist_ticked", line);
    }
    case "merged_as_duplicate":
      return t("event.merged_as_duplicate", { into: String(e.data.into) });
    case "duplicate_merged":
      return t("event.duplicate_merged", { duplicate: String(e.data.duplicate) });
    case "request_linked":
      return t("event.request_linked", { other: String(e.data.other) });
    case "kept_separate":
      return t("event.kept_separate", { other: String(e.data.other) });
    case "evidence_purged":
      return t("event.evidence_purged", { count: count(e.data.files) });
    case "dates_recomputed":
      return t("event.dates_recomputed");
    case "disclosure_added":
      return t("event.disclosure_added", {
        system: String(e.data.system),
        category: String(e.data.category),
        item: e.data.file ? fileName(e.data.file) : String(e.data.label),
        provided: yes(e.data.provided),
      });
    case "disclosure_removed":
      return t("event.disclosure_removed", {
        system: String(e.data.system),
        category: String(e.data.category),
        item: String(e.data.file_name ?? e.data.label),
      });
    case "subject_export_made":
      return t("event.subject_export_made", {
        file: String(e.data.file_name),
        files: Number(e.data.files),
        language: e.data.language ? label(l.export_languages, e.data.language) : "none",
        encrypted: yes(e.data.encrypted),
      });
    case "evidence_pack_made":
      return t("event.evidence_pack_made", { file: String(e.data.file_name) });
    case "purged":
      return t("event.purged", {
        months: String(e.data.months),
        events: Number(e.data.events_removed),
        files: Number(e.data.files_removed),
      });
    case "fee_paid":
      return t("event.fee_paid", { date: day(String(e.data.on)) });
    case "due_overridden":
      return e.data.after
        ? t("event.due_overridden", { date: day(e.data.after) })
        : t("event.due_override_removed");
    // Events of the register itself.
    case "trigger_restored":
      return t("event.trigger_restored", { trigger: String(e.data.trigger), was: String(e.data.was) });
    case "signing_key_created":
      return t("event.signing_key_created", {
        storage: String(e.data.storage),
        fingerprint: String(e.data.fingerprint),
      });
    case "purges_recorded":
      return t("event.purges_recorded", { count: count(e.data.removed) });
    case "row_states_recorded":
      return t("event.row_states_recorded", { count: Number(e.data.rows) });
    case "row_facts_recorded":
      return t("event.row_facts_recorded", { count: Number(e.data.rows) });
    case "register_copied":
      return t("event.register_copied", {
        from: String(e.data.from_id),
        linked: String(e.data.files_linked),
        copied: String(e.data.files_copied),
      });
    case "files_folder_moved":
      return t("event.files_folder_moved", { to: String(e.data.to) });
    case "files_moved_to_register_folder":
      return t("event.files_moved_to_register_folder", { count: Number(e.data.request_folders) });
    case "organisation_changed":
      return t("event.organisation_changed", { fields: fields(e.data.changed) });
    case "imap_settings_changed":
      return t("event.imap_settings_changed", {
        fields: fields(e.data.changed) || "none",
        password: yes(e.data.password_stored),
      });
    case "mail_set_aside":
      return e.data.decision === "spam"
        ? t("event.mail_spam", { sender: e.data.sender, blocked: yes(e.data.blocked) })
        : t("event.mail_not_request", { sender: e.data.sender, subject: e.data.subject });
    case "smtp_settings_changed":
      return t("event.smtp_settings_changed", {
        fields: fields(e.data.changed) || "none",
        password: yes(e.data.password_stored),
      });
    case "template_saved":
      return t("event.template_saved", {
        stage: String(e.data.stage),
        lang: String(e.data.lang),
        kind: e.data.kind === "*" ? "any" : String(e.data.kind),
      });
    case "templates_copied":
      return t("event.templates_copied", {
        from: String(e.data.from),
        to: String(e.data.to),
        count: String(e.data.templates),
      });
    case "system_added":
      return t("event.system_added", { name: String(e.data.name) });
    case "system_updated":
      return t("event.system_updated", { name: String(e.data.name), fields: fields(e.data.changed) });
    case "system_retired":
      return t("event.system_retired", { name: String(e.data.name) });
    case "calendar_day_added":
      return t("event.calendar_day_added", {
        date: day(String(e.data.day)),
        calendar: String(e.data.calendar),
        label: String(e.data.label),
      });
    case "calendar_day_removed":
      return t("event.calendar_day_removed", {
        date: day(String(e.data.day)),
        calendar: String(e.data.calendar),
      });
    case "target_days_set":
      return t("event.target_days_set", {
        regime: String(e.data.regime),
        before: String(e.data.before),
        after: String(e.data.after),
      });
    case "retention_months_set":
      return t("event.retention_months_set", { before: String(e.data.before), after: String(e.data.after) });
    case "backup_schedule_set":
      return e.data.every === "off"
        ? t("event.backup_stopped")
        : t("event.backup_schedule_set", {
            every: String(e.data.every),
            keep: String(e.data.keep),
            folder: String(e.data.folder),
          });
    case "lock_minutes_set":
      return t("event.lock_minutes_set", { before: String(e.data.before), after: String(e.data.after) });
    case "vault_changed":
      return t("event.vault_changed", {
        change: vaultChange(e.data.change),
        methods: e.data.methods.join(", "),
      });
    case "unverified_days_set":
      return t("event.unverified_days_set", {
        before: String(e.data.before),
        after: String(e.data.after),
        regime: String(e.data.regime),
      });
    case "evidence_retention_days_set":
      return t("event.evidence_retention_days_set", {
        before: String(e.data.before),
        after: String(e.data.after),
      });
    case "own_authority_set":
      return e.data.after
        ? t("event.own_authority_set", { regime: String(e.data.regime), name: e.data.after.name })
        : t("event.own_authority_cleared", { regime: String(e.data.regime) });
    case "sender_unblocked":
      return t("event.sender_unblocked", { email: String(e.data.email) });
    case "request_assigned":
      return e.data.to
        ? t("event.request_assigned", { to: e.data.to })
        : t("event.request_unassigned", { from: String(e.data.from ?? "") });
    case "checklist_line_assigned":
      return e.data.to
        ? t("event.checklist_line_assigned", { system: String(e.data.system), to: e.data.to })
        : t("event.checklist_line_unassigned", { system: String(e.data.system) });
    case "account_added":
      return t("event.account_added", {
        login: String(e.data.login),
        name: String(e.data.name),
        role: String(e.data.role),
      });
    case "account_changed":
      return t("event.account_changed", {
        login: String(e.data.login),
        changes: Object.entries(e.data.changed ?? {})
          .map(([field, c]) => `${field} ${c.before} → ${c.after}`)
          .join(", "),
      });
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
  return a && b && a !== b ? t("event.moved", { before: day(a), after: day(b) }) : null;
}
