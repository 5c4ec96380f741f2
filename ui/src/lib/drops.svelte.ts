// Files dropped on the window from the OS. The shell receives their real paths and tells the page only their
// tokens and names; the page on show takes them (the request page attaches them, New request reads an email,
// Import previews a table) by registering a handler while it is mounted. A drop nobody takes is said so.
import { listenForDrops, message } from "./api";
import type { DroppedFiles } from "./api";

type Handler = (drop: DroppedFiles) => void;

class Drops {
  /** What the window says of the last drop no page took, or that could not be taken whole. */
  notice = $state<string | null>(null);
  #handlers: Handler[] = [];
  #listening = false;

  /** Listen once for the window's drops. */
  start() {
    if (this.#listening) return;
    this.#listening = true;
    listenForDrops((d) => this.deliver(d)).catch((e) => {
      this.#listening = false;
      this.notice = `Dropped files cannot be received: ${message(e)}`;
    });
  }

  /** The page shown takes the drops while it is mounted (the newest handler first); the cleanup to return. */
  take(handler: Handler): () => void {
    this.#handlers.push(handler);
    return () => {
      this.#handlers = this.#handlers.filter((h) => h !== handler);
    };
  }

  deliver(d: DroppedFiles) {
    const refused = d.refused.length ? ` Not taken: ${d.refused.join("; ")}` : "";
    const handler = this.#handlers.at(-1);
    if (d.files.length === 0) {
      this.notice = `Nothing dropped could be taken.${refused}`;
    } else if (!handler) {
      this.notice =
        "Drop files on a request's page to attach them, on New request to log an email, or on Import to import a table.";
    } else {
      this.notice = refused ? refused.trim() : null;
      handler(d);
    }
  }
}

export const drops = new Drops();
