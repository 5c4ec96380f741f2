// The queue's rows as the list scrolls: pages loaded by cursor at either end, at most `maxPages` of them kept (the
// pages dropped above are remembered as a count, so the rows below keep their place). Nothing here counts or skips
// rows: a register of a million requests costs the same as one of a hundred.
import { number } from "./format";
import { t } from "./i18n.svelte";
import { message } from "./api";
import type { Page, Query, QueueRow, Total } from "./api";

export type Fetch = (query: Query) => Promise<Page<QueueRow>>;

/** A query with no filter: every request, by due date, first page (`patch` changes what it names). */
export function queryOf(patch: Partial<Query> = {}): Query {
  return {
    status: null,
    open_only: false,
    kind: null,
    regime: null,
    due_before: null,
    due_from: null,
    acknowledge_by: null,
    view: null,
    owner: null,
    search: null,
    sort: "due",
    descending: false,
    limit: 100,
    after: null,
    before: null,
    offset: 0,
    ...patch,
  };
}

type Loaded = { items: QueueRow[]; prev: string | null; next: string | null };

export class QueueWindow {
  /** The loaded pages, in order. */
  pages = $state<Loaded[]>([]);
  /** How many rows come before the first loaded page (dropped while scrolling down). */
  above = $state(0);
  /** How many match, from the first page (null until it came). */
  total = $state<Total | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  rows = $derived(this.pages.flatMap((p) => p.items));

  #query: Query | null = null;
  #generation = 0;
  #busy = false;

  constructor(
    private fetch: Fetch,
    readonly pageSize = 100,
    readonly maxPages = 6,
  ) {}

  /** More rows after the last loaded one. */
  get hasAfter() {
    return (this.pages.at(-1)?.next ?? null) !== null;
  }

  /** More rows before the first loaded one. */
  get hasBefore() {
    return (this.pages[0]?.prev ?? null) !== null;
  }

  /** Rows the list should leave room for below the loaded ones (the scrollbar's promise). */
  get below() {
    if (!this.hasAfter) return 0;
    const known = typeof this.total === "number" ? this.total - this.above - this.rows.length : 0;
    return Math.max(known, this.pageSize);
  }

  /** The first page of `query`. A later call wins: an answer to an older one is dropped when it comes. */
  async reset(query: Query) {
    this.#query = { ...query, limit: this.pageSize, offset: 0, after: null, before: null };
    const mine = ++this.#generation;
    this.#busy = true;
    this.loading = true;
    try {
      const page = await this.fetch(this.#query);
      if (mine !== this.#generation) return;
      this.pages = [{ items: page.items, prev: page.prev, next: page.next }];
      this.above = 0;
      this.total = page.total;
      this.error = null;
    } catch (e) {
      if (mine === this.#generation) this.error = message(e);
    } finally {
      if (mine === this.#generation) {
        this.#busy = false;
        this.loading = false;
      }
    }
  }

  /** Load the page after the last loaded one; drops the first page when more than `maxPages` are kept. */
  loadAfter() {
    const cursor = this.pages.at(-1)?.next;
    if (!cursor) return Promise.resolve();
    return this.#load({ after: cursor, before: null }, (p) => {
      const pages = [...this.pages, p];
      if (pages.length > this.maxPages) this.above += pages.shift()?.items.length ?? 0;
      this.pages = pages;
    });
  }

  /** Load the page before the first loaded one; drops the last page when more than `maxPages` are kept. */
  loadBefore() {
    const cursor = this.pages[0]?.prev;
    if (!cursor) return Promise.resolve();
    return this.#load({ after: null, before: cursor }, (p) => {
      const pages = [p, ...this.pages];
      if (pages.length > this.maxPages) pages.pop();
      // Requests added or removed meanwhile can make the count drift: the start is where the cursors say.
      this.above = p.prev === null ? 0 : Math.max(0, this.above - p.items.length);
      this.pages = pages;
    });
  }

  async #load(at: Pick<Query, "after" | "before">, place: (p: Loaded) => void) {
    if (this.#busy || !this.#query) return;
    const mine = this.#generation;
    this.#busy = true;
    this.loading = true;
    try {
      const page = await this.fetch({ ...this.#query, ...at });
      if (mine !== this.#generation) return;
      place({ items: page.items, prev: page.prev, next: page.next });
      this.error = null;
    } catch (e) {
      if (mine === this.#generation) this.error = message(e);
    } finally {
      if (mine === this.#generation) {
        this.#busy = false;
        this.loading = false;
      }
    }
  }
}

/** "1,234 requests", or "10,000+ requests" when counting stopped. */
export function describeTotal(total: Total | null): string {
  if (total === null) return "";
  const n = typeof total === "number" ? total : total.at_least;
  const text = number(n) + (typeof total === "number" ? "" : "+");
  return t("queue.total", { count: typeof total === "number" ? n : Math.max(n, 2), n: text });
}
