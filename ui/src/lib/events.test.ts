import { describe, expect, it } from "vitest";
import type { Event } from "./api";
import { describeEvent, type EventLabels } from "./events";
import { i18n } from "./i18n.svelte";

const labels: EventLabels = {
  statuses: [
    { id: "received", label: "Received" },
    { id: "in-progress", label: "In progress" },
    { id: "refused", label: "Refused" },
  ],
  refusal_categories: [{ id: "manifestly-unfounded", label: "Manifestly unfounded" }],
  verification_methods: [{ id: "signed-letter", label: "Signed letter" }],
  check_outcomes: [{ id: "verified", label: "Verified" }],
  export_languages: [{ id: "fr", label: "Français" }],
};

// Partial data on purpose: the timeline must not fail on an event written by an older version.
const event = (kind: string, data: unknown): Event =>
  ({
    seq: 1,
    id: "e1",
    request_id: "r1",
    at: "2026-11-22T10:00:00Z",
    actor: "dana",
    kind,
    data,
    hash: "",
  }) as Event;

const titleOf = (kind: string, data: unknown) => describeEvent(event(kind, data), labels).title;

// Every kind the core appends to a request's trail (src/desk*: `append_event` and the kinds `update` returns), with
// the line the timeline shows for it.
const kinds: [string, unknown, string][] = [
  ["created", { reference: "RD-2026-0001" }, "Request logged"],
  [
    "details_corrected",
    { changed: { email: {}, received: {} } },
    "Details corrected: email, date of receipt",
  ],
  [
    "status_changed",
    { from: "in-progress", to: "refused", reason: "r", category: "manifestly-unfounded" },
    "Status In progress → Refused (Manifestly unfounded)",
  ],
  ["status_changed", { from: "received", to: "in-progress" }, "Status Received → In progress"],
  ["attachment_added", { file_name: "request.eml" }, "File attached: request.eml"],
  [
    "mail_received",
    {
      how: "reply",
      from: "zoe@example.fr",
      subject: "Re: RD-2026-0007",
      message_id: "r@x",
      received_at: "2026-03-19T09:30:00Z",
      files: [
        { file_name: "m.eml", sha256: "", size: 1 },
        { file_name: "passport.pdf", sha256: "", size: 1 },
      ],
    },
    'Reply received from zoe@example.fr: "Re: RD-2026-0007" (1 file attached)',
  ],
  [
    "clock_paused",
    { from: "2026-11-21", reason: "awaiting-clarification" },
    "Clock stopped from Sat 21 Nov 2026 (awaiting clarification)",
  ],
  [
    "clock_resumed",
    { on: "2026-11-22", days: 1 },
    "Clock restarted: answer received Sun 22 Nov 2026 (1 day stopped)",
  ],
  ["extension_taken", { told_on: "2026-11-22" }, "Extension taken: requester told Sun 22 Nov 2026"],
  [
    "identity_checked",
    { party: "requester", method: "signed-letter", outcome: "verified", on: "2026-11-22", evidence: [{}] },
    "Identity check (Signed letter): verified on Sun 22 Nov 2026, 1 evidence file",
  ],
  [
    "identity_checked",
    {
      party: "requester",
      method: "signed-letter",
      outcome: "verified",
      on: "2026-11-22",
      evidence: [{}, {}],
      from_attachments: [{}],
    },
    "Identity check (Signed letter): verified on Sun 22 Nov 2026, 2 evidence files (1 moved from the attachments)",
  ],
  [
    "identity_checked",
    { party: "agent", method: "signed-letter", outcome: "verified", on: "2026-11-22", evidence: [] },
    "Identity check of the agent's authority (Signed letter): verified on Sun 22 Nov 2026",
  ],
  ["identity_requested", { on: "2026-11-22" }, "Identity asked for on Sun 22 Nov 2026"],
  ["agent_set", { before: null, after: { name: "Bo Son" } }, "Authorised agent: Bo Son"],
  ["agent_set", { before: { name: "Bo Son" }, after: null }, "Authorised agent removed"],
  [
    "response_queued",
    { subject: "Your request", to: "m@example.org" },
    "Email queued: Your request (to m@example.org)",
  ],
  [
    "response_queued",
    { stage: "free-text", subject: "Re: Your request", to: "m@example.org" },
    "Written answer queued: Re: Your request (to m@example.org)",
  ],
  ["response_sent", { subject: "Your request", eml: "sent.eml" }, "Email sent: Your request — sent.eml"],
  [
    "data_copy_sent",
    {
      how: "password-separately",
      file_name: "x.zip",
      encrypted: true,
      password_by: "email",
      to: "m@example.org",
    },
    "Copy of the data sent: x.zip attached, encrypted (password by email) (to m@example.org)",
  ],
  [
    "data_copy_sent",
    { how: "outside", file_name: null, encrypted: false, password_by: null, to: "m@example.org" },
    "Copy of the data sent: the copy goes outside the app (post or download) (to m@example.org)",
  ],
  ["checklist_created", { systems: ["CRM", "Backups"] }, "Checklist made from the data map: CRM, Backups"],
  ["checklist_extended", { systems: ["Billing"] }, "Added to the checklist: Billing"],
  ["checklist_ticked", { system: "CRM", state: "beyond-use" }, "CRM: beyond use"],
  ["request_assigned", { from: null, to: "ada" }, "Assigned to ada"],
  ["request_assigned", { from: "ada", to: null }, "No longer assigned (was ada)"],
  ["checklist_line_assigned", { system: "CRM", from: null, to: "it-bob" }, "CRM line assigned to it-bob"],
  ["checklist_line_assigned", { system: "CRM", from: "it-bob", to: null }, "CRM line no longer assigned"],

  [
    "checklist_ticked",
    { system: "CRM", state: "done", proof: { file_name: "log.txt" } },
    "CRM: done (proof: log.txt)",
  ],
  ["merged_as_duplicate", { into: "RD-2026-0001" }, "Set aside as a duplicate of RD-2026-0001"],
  ["duplicate_merged", { duplicate: "RD-2026-0002" }, "RD-2026-0002 merged into this request as a duplicate"],
  ["request_linked", { other: "RD-2026-0003" }, "Linked with RD-2026-0003"],
  ["kept_separate", { other: "RD-2026-0003" }, "Not the same as RD-2026-0003 (kept separate)"],
  ["evidence_purged", { files: [{}, {}] }, "Identity evidence deleted: 2 files, names and hashes kept"],
  ["dates_recomputed", { reason: "calendar" }, "Dates recomputed"],
  [
    "disclosure_added",
    { system: "CRM", category: "Contact details", label: "Email address", provided: true },
    "Gathered for the answer: CRM · Contact details · Email address (provided by the person)",
  ],
  [
    "disclosure_added",
    { system: "CRM", category: "Orders", file: { file_name: "orders.csv" }, provided: false },
    "Gathered for the answer: CRM · Orders · orders.csv",
  ],
  [
    "disclosure_removed",
    { system: "CRM", category: "Orders", file_name: "orders.csv" },
    "Taken off the answer: CRM · Orders · orders.csv",
  ],
  [
    "disclosure_removed",
    { system: "CRM", category: "Contact details", label: "Email address" },
    "Taken off the answer: CRM · Contact details · Email address",
  ],
  [
    "subject_export_made",
    { file_name: "x.zip", files: 3, language: "fr", encrypted: true },
    "Copy of the data exported: x.zip (3 files, in Français, encrypted)",
  ],
  ["subject_export_made", { file_name: "x.zip", files: 1 }, "Copy of the data exported: x.zip (1 file)"],
  ["evidence_pack_made", { file_name: "pack.zip" }, "Included in an evidence pack: pack.zip"],
  [
    "purged",
    { reason: "retention", months: 36, events_removed: 9, files_removed: 2 },
    "Personal data purged after 36 months (9 events, 2 files removed)",
  ],
  ["fee_paid", { on: "2026-11-22" }, "Fee paid Sun 22 Nov 2026"],
  ["due_overridden", { after: "2026-12-24", reason: "r" }, "Due date set by hand to Thu 24 Dec 2026"],
  ["due_overridden", { after: null, reason: "r" }, "Due date set by hand removed"],
];

describe("describeEvent", () => {
  it.each(kinds)("describes %s", (kind, data, title) => {
    expect(titleOf(kind, data)).toBe(title);
  });

  it("covers every kind a request's trail holds", () => {
    // `grep -rn 'append_event' src/` and the kinds the `update` closures in src/desk* return.
    const core = [
      "agent_set",
      "attachment_added",
      "checklist_created",
      "checklist_extended",
      "checklist_line_assigned",
      "checklist_ticked",
      "clock_paused",
      "clock_resumed",
      "created",
      "data_copy_sent",
      "dates_recomputed",
      "details_corrected",
      "disclosure_added",
      "disclosure_removed",
      "due_overridden",
      "duplicate_merged",
      "evidence_pack_made",
      "evidence_purged",
      "extension_taken",
      "fee_paid",
      "identity_checked",
      "identity_requested",
      "kept_separate",
      "mail_received",
      "merged_as_duplicate",
      "purged",
      "request_assigned",
      "request_linked",
      "response_queued",
      "response_sent",
      "status_changed",
      "subject_export_made",
    ];
    expect([...new Set(kinds.map(([k]) => k))].sort()).toEqual(core);
    for (const kind of core) expect(titleOf(kind, {})).not.toBe(kind.replaceAll("_", " "));
  });

  it("still names a kind it does not know, and describes the events of the register", () => {
    expect(titleOf("something_new", null)).toBe("something new");
    expect(titleOf("signing_key_created", { storage: "keyring", fingerprint: "ab12" })).toBe(
      "Audit signing key made (keyring), fingerprint ab12",
    );
    expect(titleOf("retention_months_set", { before: 24, after: 36 })).toBe("Retention: 24 → 36 months");
    expect(
      titleOf("account_added", {
        login: "ada",
        name: "Ada Lovelace",
        email: null,
        role: "officer",
        login_created: true,
      }),
    ).toBe("Account added: Ada Lovelace (ada), officer");
    expect(
      titleOf("account_changed", { login: "ada", changed: { role: { before: "officer", after: "admin" } } }),
    ).toBe("Account ada changed: role officer → admin");
    expect(titleOf("backup_schedule_set", { before: "off", every: "daily", keep: 7, folder: "/b" })).toBe(
      "Backups daily, newest 7 kept, into /b",
    );
    expect(titleOf("lock_minutes_set", { before: 15, after: 5 })).toBe(
      "The window locks after 15 → 5 idle minutes",
    );
    expect(titleOf("vault_changed", { change: "recovered", methods: ["passphrase", "recovery"] })).toBe(
      "Encryption: new passphrase set with the recovery key; unlocks with passphrase, recovery",
    );
    expect(
      titleOf("organisation_changed", { changed: { name: { before: "", after: "Acme" }, email: {} } }),
    ).toBe("Organisation details changed: name, email");
    expect(titleOf("smtp_settings_changed", { changed: {}, password_stored: true })).toBe(
      "Email server settings changed (new password kept in the keyring)",
    );
    expect(
      titleOf("imap_settings_changed", {
        changed: { host: { before: "", after: "imap.acme.test" } },
        password_stored: false,
      }),
    ).toBe("Mailbox settings changed: host");
    expect(
      titleOf("mail_set_aside", {
        decision: "spam",
        sender: "king@spam.test",
        subject: "WIN",
        reason: null,
        blocked: true,
      }),
    ).toBe("Mailbox: spam from king@spam.test set aside (sender blocked)");
    expect(
      titleOf("mail_set_aside", {
        decision: "dismissed",
        sender: "a@b.test",
        subject: "Hi",
        reason: "newsletter",
        blocked: false,
      }),
    ).toBe('Mailbox: message from a@b.test is not a request ("Hi")');
    expect(titleOf("system_retired", { id: "s1", name: "CRM" })).toBe("Data map: CRM retired");
    expect(titleOf("own_authority_set", { regime: "eu-gdpr", before: null, after: null })).toBe(
      "Authority for eu-gdpr: the directory's again",
    );
  });

  it("quotes the note of a note kind and the reason of the others", () => {
    const why = (kind: string, data: unknown) => describeEvent(event(kind, data), labels).why;
    for (const kind of [
      "clock_paused",
      "identity_checked",
      "identity_requested",
      "merged_as_duplicate",
      "duplicate_merged",
      "request_linked",
      "kept_separate",
    ])
      expect(why(kind, { note: "the note", reason: "a code" })).toBe("the note");
    expect(why("status_changed", { reason: "Manifestly unfounded", note: "x" })).toBe("Manifestly unfounded");
    expect(why("due_overridden", { reason: "agreed by phone" })).toBe("agreed by phone");
    expect(why("created", {})).toBeNull();
    expect(why("clock_paused", { note: null })).toBeNull();
  });

  it("says how the due date moved, only when it did", () => {
    const moved = (data: unknown) => describeEvent(event("clock_resumed", data), labels).moved;
    const dates = (before: string, after: string) => ({
      dates: { before: { effective_due: before }, after: { effective_due: after } },
    });
    expect(moved(dates("2026-12-21", "2026-12-22"))).toBe("Due date Mon 21 Dec 2026 → Tue 22 Dec 2026");
    expect(moved(dates("2026-12-21", "2026-12-21"))).toBeNull();
    expect(moved({})).toBeNull();
  });
});

describe("the timeline in French", () => {
  it("says each event in the window's language", async () => {
    await i18n.choose("fr");
    try {
      expect(titleOf("status_changed", { from: "received", to: "in-progress" })).toBe(
        "Statut Reçue → En cours",
      );
      expect(titleOf("clock_resumed", { on: "2026-11-22", days: 2 })).toBe(
        "Délai repris : réponse reçue le dim. 22 nov. 2026 (2 jours de suspension)",
      );
      expect(titleOf("checklist_ticked", { system: "CRM", state: "done" })).toBe("CRM : fait");
    } finally {
      await i18n.choose("system");
    }
  });
});
