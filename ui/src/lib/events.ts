// The audit trail in the officer's words: one event of a request's timeline as a title, the reason or note given,
// and how it moved the due date. The one place that reads event kinds and their data.
import type { Choice, Event, FormOptions } from "./api";
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

type Data = Record<string, unknown>;

// Kinds whose free text is a note rather than a reason.
const WITH_NOTE = new Set([
  "clock_paused",
  "identity_checked",
  "identity_requested",
  "merged_as_duplicate",
  "duplicate_merged",
  "request_linked",
  "kept_separate",
]);

export function describeEvent(e: Event, labels: EventLabels): EventLines {
  const d = (e.data ?? {}) as Data;
  const text = WITH_NOTE.has(e.kind) ? d.note : d.reason;
  return { title: title(e.kind, d, labels), why: typeof text === "string" ? text : null, moved: moved(d) };
}

const label = (choices: Choice[], id: unknown) => labelOf(choices, String(id));
const list = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
const fileName = (v: unknown) => String((v as { file_name: string }).file_name);

function title(kind: string, d: Data, l: EventLabels): string {
  switch (kind) {
    case "created":
      return "Request logged";
    case "details_corrected":
      return `Details corrected: ${Object.keys((d.changed as Data) ?? {})
        .map((f) => f.replace("received", "date of receipt"))
        .join(", ")}`;
    case "status_changed":
      return `Status ${label(l.statuses, d.from)} → ${label(l.statuses, d.to)}${d.category ? ` (${label(l.refusal_categories, d.category)})` : ""}`;
    case "attachment_added":
      return `File attached: ${String(d.file_name)}`;
    case "clock_paused":
      return `Clock stopped from ${day(String(d.from))} (${String(d.reason).replaceAll("-", " ")})`;
    case "clock_resumed":
      return `Clock restarted: answer received ${day(String(d.on))} (${String(d.days)} days stopped)`;
    case "extension_taken":
      return `Extension taken: requester told ${day(String(d.told_on))}`;
    case "identity_checked":
      return `Identity check${d.party === "agent" ? " of the agent's authority" : ""} (${label(l.verification_methods, d.method)}): ${label(l.check_outcomes, d.outcome).toLowerCase()} on ${day(String(d.on))}${Array.isArray(d.evidence) && d.evidence.length ? `, ${d.evidence.length} evidence file(s)` : ""}`;
    case "identity_requested":
      return `Identity asked for on ${day(String(d.on))}`;
    case "agent_set":
      return d.after
        ? `Authorised agent: ${String((d.after as { name: string }).name)}`
        : "Authorised agent removed";
    case "response_queued":
      return `Email queued: ${String(d.subject)} (to ${String(d.to)})`;
    case "response_sent":
      return `Email sent: ${String(d.subject)} — ${String(d.eml)}`;
    case "checklist_created":
      return `Checklist made from the data map: ${list(d.systems)}`;
    case "checklist_extended":
      return `Added to the checklist: ${list(d.systems)}`;
    case "checklist_ticked":
      return `${String(d.system)}: ${String(d.state).replaceAll("-", " ")}${d.proof ? ` (proof: ${fileName(d.proof)})` : ""}`;
    case "merged_as_duplicate":
      return `Set aside as a duplicate of ${String(d.into)}`;
    case "duplicate_merged":
      return `${String(d.duplicate)} merged into this request as a duplicate`;
    case "request_linked":
      return `Linked with ${String(d.other)}`;
    case "kept_separate":
      return `Not the same as ${String(d.other)} (kept separate)`;
    case "evidence_purged":
      return `Identity evidence deleted: ${Array.isArray(d.files) ? d.files.length : 0} file(s), names and hashes kept`;
    case "dates_recomputed":
      return "Dates recomputed";
    case "disclosure_added":
      return `Gathered for the answer: ${String(d.system)} · ${String(d.category)} · ${d.file ? fileName(d.file) : String(d.label)}${d.provided ? " (provided by the person)" : ""}`;
    case "disclosure_removed":
      return `Taken off the answer: ${String(d.system)} · ${String(d.category)} · ${String(d.file_name ?? d.label)}`;
    case "subject_export_made":
      return `Copy of the data exported: ${String(d.file_name)} (${String(d.files)} files${d.language ? `, in ${label(l.export_languages, d.language)}` : ""}${d.encrypted ? ", encrypted" : ""})`;
    case "evidence_pack_made":
      return `Included in an evidence pack: ${String(d.file_name)}`;
    case "purged":
      return `Personal data purged after ${String(d.months)} months (${String(d.events_removed)} events, ${String(d.files_removed)} files removed)`;
    case "fee_paid":
      return `Fee paid ${day(String(d.on))}`;
    case "due_overridden":
      return d.after ? `Due date set by hand to ${day(String(d.after))}` : "Due date set by hand removed";
    default:
      // A kind this window does not know yet (or an event of the register itself): its name is still readable.
      return kind.replaceAll("_", " ");
  }
}

function moved(d: Data): string | null {
  const dates = (d as { dates?: { before?: { effective_due?: string }; after?: { effective_due?: string } } })
    .dates;
  const [a, b] = [dates?.before?.effective_due, dates?.after?.effective_due];
  return a && b && a !== b ? `Due date ${day(a)} → ${day(b)}` : null;
}
