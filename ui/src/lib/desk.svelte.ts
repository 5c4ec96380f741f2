// What the whole window shares: the register's info, the form options, the dashboard's counts and the queue's
// filters (kept here so that they survive a visit to a request).
import { appInfo, call, listenForChanges, listenForMail, message, reportText, vault } from "./api";
import type { AppInfo, Dashboard, FormOptions, Query, QueueView } from "./api";
import { QueueWindow, queryOf } from "./queue.svelte";
import { people } from "./people.svelte";

export class Desk {
  /** Counts the changes other officers committed to a team register (pages showing the register reload on it). */
  revision = $state(0);
  info = $state<AppInfo | null>(null);
  options = $state<FormOptions | null>(null);
  dashboard = $state<Dashboard | null>(null);
  /** Messages from the privacy mailbox waiting in the intake tray (counted up to 200). */
  tray = $state(0);
  /** A scheduled backup is overdue (shown beside the dashboard's tiles). */
  backupOverdue = $state(false);
  /** Why the register cannot be used at all. */
  fatal = $state<string | null>(null);
  /** The register is not open yet: made on the first run (`setup`), or unlocked (`unlock`). */
  gate = $state<"setup" | "unlock" | null>(null);
  query = $state<Query>(queryOf({ open_only: true }));

  /** The queue's rows as last listed: kept while a request is open, so J/K step to its neighbours. */
  queue = new QueueWindow((q) => call("listRequests", { query: q }));
  /** The request last opened from the list (the list's keyboard cursor comes back to it). */
  selected = $state<string | null>(null);

  /** The request `step` rows from `reference` in the queue as listed, loading the next page when needed. */
  async neighbour(reference: string, step: 1 | -1): Promise<string | null> {
    const at = () => this.queue.rows.findIndex((r) => r.reference === reference);
    let i = at();
    if (i < 0) return null;
    if (step > 0 && i + 1 >= this.queue.rows.length && this.queue.hasAfter) await this.queue.loadAfter();
    if (step < 0 && i === 0 && this.queue.hasBefore) await this.queue.loadBefore();
    i = at();
    return i < 0 ? null : (this.queue.rows[i + step]?.reference ?? null);
  }

  async start() {
    try {
      this.fatal = null;
      this.info = await appInfo();
      this.gate = null;
      if (this.info.register?.state === "missing") {
        this.gate = "setup";
        return;
      }
      if (this.info.open_error?.code === "locked") {
        this.gate = "unlock";
        return;
      }
      if (this.info.open_error) {
        this.fatal = reportText(this.info.open_error);
        return;
      }
      this.options = await call("formOptions");
      // Who is using the register (a team register's login and role), for every page.
      await people.load();
      await this.refresh();
      // Mail the server announces shows at once (the tile, the tray), not at the officer's next step.
      await listenForMail((waiting) => {
        this.tray = waiting;
        void this.refresh();
      });
      // A team register: what other officers commit shows here within a second.
      if (this.info.register?.state === "team_server") {
        await listenForChanges(() => {
          this.revision++;
          void this.refresh();
          void people.reloadTeam().catch(() => {});
        });
      }
    } catch (e) {
      this.fatal = message(e);
    }
  }

  /** A team register whose server could not be reached: connect again, then start as usual. */
  async reconnect() {
    try {
      await vault.unlock(null);
    } catch (e) {
      this.fatal = message(e);
      return;
    }
    await this.start();
  }

  /** Whether the open register is encrypted (the lock button, the idle lock). */
  get encrypted(): boolean {
    return this.info?.register?.state === "encrypted";
  }

  /** The register was encrypted or its key changed: what the window says about it is read again. */
  reloadInfo = async () => {
    this.info = await appInfo();
  };

  /** Lock now: the keys leave memory, the window shows nothing of the register until it is unlocked. */
  lock = async () => {
    await vault.lock();
    this.options = null;
    people.clear();
    this.dashboard = null;
    await this.start();
  };

  /** Something changed requests: the dashboard's counts are read again. */
  refresh = async () => {
    try {
      this.dashboard = await call("dashboard");
      this.backupOverdue = (await call("backupSchedule")).overdue;
      this.tray = (await call("intakeTray", { limit: 200 })).length;
    } catch (e) {
      this.fatal = message(e);
    }
  };

  /** The officer's own open requests (a team register's "My requests"). */
  showMine() {
    this.query = { ...this.query, owner: "mine", view: null, status: null, open_only: true, offset: 0 };
  }

  /** The list a dashboard tile counts: the core sets its filters, so the list holds what the tile's number says. */
  showView(view: QueueView) {
    this.query = {
      ...this.query,
      view,
      status: null,
      open_only: false,
      due_before: null,
      due_from: null,
      acknowledge_by: null,
      offset: 0,
    };
  }
}
