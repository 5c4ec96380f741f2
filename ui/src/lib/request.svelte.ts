// The request a page shows, shared by its cards: each card that changes it hands back the new detail here, and the
// page's listeners (the dashboard) hear of it.
import { call, message, showing } from "./api";
import type { RequestDetail } from "./api";

export class CurrentRequest {
  detail = $state<RequestDetail | null>(null);
  error = $state<string | null>(null);

  readonly #changed: () => void;

  /** `changed` is told after every change made through `update`. */
  constructor(changed: () => void) {
    this.#changed = changed;
  }

  async load(reference: string) {
    try {
      this.detail = await call("getRequest", { reference });
      showing(this.detail);
      this.error = null;
    } catch (e) {
      this.error = message(e);
    }
  }

  /** A card changed the request: show the new state. */
  update = (d: RequestDetail) => {
    this.detail = d;
    showing(d);
    this.#changed();
  };

  /** The page closes: changes sent from elsewhere carry no version. */
  close() {
    showing(null);
  }
}
