// The app's own help, one page per screen, bundled with the window (no network): the Help menu and F1 open the
// page of the screen the officer is on. Plain text: a title, then sections of short paragraphs.

/** The screens of the window: the pages of App.svelte, and the register's lock screen. */
export type Screen =
  | "queue"
  | "new"
  | "intake"
  | "settings"
  | "import"
  | "correspondence"
  | "reports"
  | "requester"
  | "request"
  | "vault";

export interface HelpPage {
  title: string;
  sections: { heading: string; paragraphs: string[] }[];
}

const shortcuts = {
  heading: "Everywhere",
  paragraphs: [
    "F1 opens this help for the screen you are on; Esc closes it. Ctrl+L locks an encrypted register; Ctrl+Q quits.",
    "The tiles in the top bar count what needs you: overdue, due within 7 days, to acknowledge. Click one to list those requests.",
  ],
};

export const HELP: Record<Screen, HelpPage> = {
  queue: {
    title: "The queue",
    sections: [
      {
        heading: "What it shows",
        paragraphs: [
          "Every request in the register, soonest due first. A red edge marks an overdue request, an amber one a request due within 7 days; closed requests are greyed.",
          "Search by reference, name, email or words of the description. The filters narrow by status, kind, law and dates; a saved view keeps a set of filters under a name.",
        ],
      },
      {
        heading: "What to do here",
        paragraphs: [
          "Open a request by clicking its row. Log a new one with + New request, or bring many in at once with Import…",
        ],
      },
      shortcuts,
    ],
  },
  new: {
    title: "Logging a new request",
    sections: [
      {
        heading: "From an email",
        paragraphs: [
          "Drop the .eml file on the form, choose it with From an email (.eml)…, or open it with Rightsdesk from your file manager or mail program: the name, address, date of receipt and description are filled in, and the kind and language guessed. Check each before saving.",
          "The email is kept with the request as its original once the request is logged.",
        ],
      },
      {
        heading: "The deadline",
        paragraphs: [
          "The law (regime), the kind of request and the date of receipt set the statutory deadline; the holiday calendar of the controller's country decides which days count. The request page explains each date.",
          "Add an agent when someone asks on the person's behalf: their authority is checked like the person's identity.",
        ],
      },
      shortcuts,
    ],
  },
  intake: {
    title: "The mailbox",
    sections: [
      {
        heading: "The intake tray",
        paragraphs: [
          "Messages the privacy mailbox brought that are not replies to a known request wait here. Log one as a request (the form opens prefilled), link it to an existing request, or set it aside as not a request.",
          "Set the mailbox up in Letters… → Privacy mailbox; it is read every few minutes while Rightsdesk runs, and at once when the server announces new mail.",
        ],
      },
      shortcuts,
    ],
  },
  settings: {
    title: "Settings",
    sections: [
      {
        heading: "Keeping the register safe",
        paragraphs: [
          "Settings → Encryption: encrypt a plain register, change its key, and choose after how many idle minutes it locks. Keep the recovery key on paper, away from the computer.",
          "Settings → Backup: make a backup now or on a schedule into a folder of your choice. Restore: choose a .rdbackup file (or open one with Rightsdesk from your file manager), check it whole, then put it in place of this register; the register as it is now is kept beside it.",
        ],
      },
      {
        heading: "How deadlines are counted",
        paragraphs: [
          "Non-working days add the organisation's own closures to the public holidays. Targets set internal due dates ahead of the statutory ones. Retention says how long closed requests are kept before their personal data is purged.",
        ],
      },
      {
        heading: "Elsewhere",
        paragraphs: [
          "The organisation's details, its authority, the letter templates and the mail servers are set under Letters…",
        ],
      },
      shortcuts,
    ],
  },
  import: {
    title: "Importing a backlog",
    sections: [
      {
        heading: "Steps",
        paragraphs: [
          "Choose a table (.csv, .xlsx, .xls or .ods) with a header row. Rightsdesk guesses which column is which field: correct the mapping and set defaults for what the table lacks.",
          "Check first: every row is validated like the form, and the rows that would fail are listed with the reason. Import then logs the good rows in one go; rows imported before are skipped.",
        ],
      },
      shortcuts,
    ],
  },
  correspondence: {
    title: "Letters",
    sections: [
      {
        heading: "The outbox and the letters sent",
        paragraphs: [
          "Every letter queued from a request, with its state: waiting, sent, or failed with the reason. Send now delivers the outbox at once instead of waiting for the next minute.",
          "A sent letter keeps its exact message (.eml) with the request, for the evidence pack.",
        ],
      },
      {
        heading: "What the letters say and how they go",
        paragraphs: [
          "Letters… → Organisation and Letters… → Supervisory authority fill every letter; Letters… → Templates can be edited and are checked for what the law requires.",
          "Letters… → Email server sends them (SMTP), Letters… → Privacy mailbox brings requests and replies in (IMAP); each has a connection test.",
        ],
      },
      shortcuts,
    ],
  },
  reports: {
    title: "Reports",
    sections: [
      {
        heading: "For the regulator",
        paragraphs: [
          "The request log for a period, as CSV, Excel, JSON or a PDF report, and the yearly metrics (counts, outcomes, median days) with their charts.",
          "The evidence pack gathers chosen requests' log lines, letters, sent mail and audit trails with a check of the chain, for an inquiry.",
        ],
      },
      shortcuts,
    ],
  },
  requester: {
    title: "A requester",
    sections: [
      {
        heading: "One person, all their requests",
        paragraphs: [
          "The requests this person made, and the likely duplicates or repeats Rightsdesk found by email, phone or account. Decide for each: merge as a duplicate, link as related, or keep separate.",
        ],
      },
      shortcuts,
    ],
  },
  request: {
    title: "A request",
    sections: [
      {
        heading: "The next step",
        paragraphs: [
          "The page leads with what to do next: acknowledge, check identity, answer, close. The dates card shows the statutory deadline and the internal target; click a date to see how it was counted.",
        ],
      },
      {
        heading: "Moving it on",
        paragraphs: [
          "The actions move the request through its lifecycle; a refusal needs its ground and a reason. The clock card stops and restarts the statutory clock (for clarification, a fee) and records the one extension the law allows.",
          "Identity: ask for proof, record each check with its evidence; evidence is deleted on schedule after the answer. Responses: preview a letter from a template and queue it, with the copy of the data when the request asks for one.",
        ],
      },
      shortcuts,
    ],
  },
  vault: {
    title: "Opening the register",
    sections: [
      {
        heading: "Locked",
        paragraphs: [
          "An encrypted register opens with its passphrase, or with the computer's keyring when it was saved there. Forgotten passphrase: use the recovery key, then choose a new passphrase.",
        ],
      },
      {
        heading: "First run",
        paragraphs: [
          "Make a new register, encrypted under a passphrase you choose (and the keyring if you like): the recovery key is shown once, write it down. Or restore a Rightsdesk backup made on another computer.",
        ],
      },
    ],
  },
};
