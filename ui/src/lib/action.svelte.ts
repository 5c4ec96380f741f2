// One controller for everything a button starts: it is busy while the call runs, and a failure lands in one place,
// under the form field the core named. Cards hold one `Action` (or share their page's) instead of writing
// busy/try/catch/finally by hand.
import { ApiError, fieldError, fieldName, message } from "./api";
import { t } from "./i18n.svelte";
import { originCard } from "./origin";

/** Where a failure shows, from the field the core named (null when it named none). */
export type ErrorKey = (field: string | null) => string;

export class Action {
  /** A call is running: its buttons are disabled. */
  busy = $state(false);
  /** The last failure's message, wherever it shows. */
  error = $state<string | null>(null);
  /** The last failure under its field ("general" when the core named none). */
  fieldErrors = $state<Record<string, string>>({});
  /** What the last successful `say` reported. */
  notice = $state<string | null>(null);
  /** The card the last call was started from (its data-testid), where a shared action's page shows the result. */
  origin = $state<string | null>(null);

  readonly #after: (() => void) | undefined;

  /** `after` is told of every call that succeeded (e.g. to refresh the dashboard). */
  constructor({ after }: { after?: () => void } = {}) {
    this.#after = after;
  }

  /**
   * Runs `fn`, busy meanwhile, after clearing the last failure. Returns its result, or undefined when it failed (the
   * failure is then in `error` and `fieldErrors`; `errorKey` chooses the key it goes under).
   */
  async run<T>(fn: () => Promise<T>, errorKey?: ErrorKey): Promise<T | undefined> {
    this.busy = true;
    this.clear();
    this.origin = typeof document === "undefined" ? null : originCard();
    try {
      const result = await fn();
      this.#after?.();
      return result;
    } catch (e) {
      this.fail(e, errorKey);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /**
   * A read the officer did not ask for (a card loading its data): not busy and nothing cleared; a failure shows
   * under "general" unless `errorKey` says otherwise.
   */
  async read(fn: () => Promise<void>, errorKey: ErrorKey = () => "general"): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.fail(e, errorKey);
    }
  }

  /** `run` for a call that reports what it did: its text becomes the notice (cleared first; null shows none). */
  async say(fn: () => Promise<string | null>, errorKey?: ErrorKey): Promise<boolean> {
    this.notice = null;
    let ok = false;
    await this.run(async () => {
      this.notice = await fn();
      ok = true;
    }, errorKey);
    return ok;
  }

  /** Records a failure: a caught error, or a check the window made before asking the core. */
  fail(e: unknown, errorKey?: ErrorKey) {
    // Shown away from its field (the card's one error line), a bad input says which field it is about.
    this.error =
      e instanceof ApiError && e.field && e.code === "invalid"
        ? t("error.withField", { field: fieldName(e.field), message: message(e) })
        : message(e);
    this.fieldErrors = errorKey
      ? { [errorKey(e instanceof ApiError ? e.field : null)]: message(e) }
      : fieldError(e);
  }

  /** A check the window made itself failed: `text` shows under `field`. */
  reject(field: string, text: string) {
    this.error = text;
    this.fieldErrors = { [field]: text };
  }

  /** The checks the window made itself, each failed one under its field: true when every one passed. */
  checked(problems: Record<string, string>): boolean {
    this.fieldErrors = problems;
    this.error = Object.values(problems)[0] ?? null;
    return this.error === null;
  }

  clear() {
    this.error = null;
    this.fieldErrors = {};
  }
}
