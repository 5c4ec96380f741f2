// Files dropped on the window from the OS. The shell receives their real paths and tells the page only their
// tokens, names and where they fell; the page on show takes them (the request page attaches them, or a check being
// recorded takes them as its evidence when they fall on it; New request reads an email; Import previews a table)
// through handlers registered while mounted, the newest asked first. A drop nobody takes is said so.
import { listenForDrops, message } from "./api";
import { t } from "./i18n.svelte";
import type { DroppedFiles } from "./api";

/** Takes the drop (true), or leaves it to the handler registered before it (false). */
type Handler = (drop: DroppedFiles) => boolean | void;

class Drops {
  /** What the window says of the last drop no page took, or that could not be taken whole. */
  notice = $state<string | null>(null);
  #handlers: { handler: Handler; onItsOwn: boolean }[] = [];
  #listening = false;

  /** Listen once for the window's drops. */
  start() {
    if (this.#listening) return;
    this.#listening = true;
    listenForDrops((d) => this.deliver(d)).catch((e) => {
      this.#listening = false;
      this.notice = t("drops.cannotReceive", { error: message(e) });
    });
  }

  /**
   * The page shown takes the drops while it is mounted (the newest handler asked first; those that take only drops
   * on their own element, `onItsOwn`, before every other); the cleanup to return.
   */
  take(handler: Handler, onItsOwn = false): () => void {
    const entry = { handler, onItsOwn };
    this.#handlers.push(entry);
    return () => {
      this.#handlers = this.#handlers.filter((h) => h !== entry);
    };
  }

  deliver(d: DroppedFiles) {
    const refused = d.refused.length ? ` ${t("drops.notTaken", { files: d.refused.join("; ") })}` : "";
    if (d.files.length === 0) {
      this.notice = `${t("drops.nothing")}${refused}`;
      return;
    }
    const newestFirst = [...this.#handlers].reverse();
    const order = [...newestFirst.filter((h) => h.onItsOwn), ...newestFirst.filter((h) => !h.onItsOwn)];
    for (const { handler } of order) {
      if (handler(d) !== false) {
        this.notice = refused ? refused.trim() : null;
        return;
      }
    }
    this.notice = t("drops.where");
  }
}

export const drops = new Drops();

/** Whether the drop fell on `el` (the drop's place is in the page's pixels, as the element's box). */
export function fellOn(d: DroppedFiles, el: HTMLElement | undefined | null): boolean {
  const { x, y } = d;
  if (!el || x === null || y === null) return false;
  const r = el.getBoundingClientRect();
  return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
}
