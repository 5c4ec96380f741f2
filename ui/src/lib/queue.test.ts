import { describe, expect, it } from "vitest";
import type { Page, Query, QueueRow } from "./api";
import { QueueWindow, describeTotal } from "./queue.svelte";

const row = (i: number) => ({ id: `id-${i}`, reference: `RD-2026-${i}` }) as unknown as QueueRow;

/** A register of `n` rows whose cursors are row numbers, as the core's are opaque text. */
function register(n: number, cap = 10_000) {
  const calls: Query[] = [];
  const fetch = async (q: Query): Promise<Page<QueueRow>> => {
    calls.push(q);
    const limit = q.limit;
    let from = 0;
    if (q.after) from = Number(q.after) + 1;
    if (q.before) from = Math.max(0, Number(q.before) - limit);
    const to = q.before ? Number(q.before) : Math.min(n, from + limit);
    const items = Array.from({ length: to - from }, (_, k) => row(from + k));
    const first = !q.after && !q.before;
    return {
      items,
      total: first ? (n > cap ? { at_least: cap } : n) : null,
      offset: 0,
      limit,
      next: to < n ? String(to - 1) : null,
      prev: from > 0 ? String(from) : null,
    };
  };
  return { fetch, calls };
}

const query = { sort: "due", descending: false, open_only: true } as Query;
const numbers = (w: QueueWindow) => w.rows.map((r) => Number(r.reference.split("-")[2]));

describe("QueueWindow", () => {
  it("scrolls down a million rows keeping a bounded window, and back up", async () => {
    const { fetch, calls } = register(1_000_000);
    const w = new QueueWindow(fetch, 100, 4);
    await w.reset(query);
    expect(w.total).toEqual({ at_least: 10_000 });
    expect(numbers(w)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(w.hasBefore).toBe(false);
    for (let i = 0; i < 50; i++) await w.loadAfter();
    expect(w.rows.length).toBe(400);
    expect(w.above).toBe(4_700);
    expect(numbers(w)[0]).toBe(4_700);
    expect(numbers(w).at(-1)).toBe(5_099);
    expect(calls.every((q) => q.offset === 0 && q.limit === 100)).toBe(true);
    for (let i = 0; i < 47; i++) await w.loadBefore();
    expect(w.above).toBe(0);
    expect(numbers(w)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(w.hasBefore).toBe(false);
    await w.loadBefore();
    expect(w.above).toBe(0);
  });

  it("stops at the end and leaves room below only while there is more", async () => {
    const { fetch } = register(250);
    const w = new QueueWindow(fetch, 100, 6);
    await w.reset(query);
    expect(w.total).toBe(250);
    expect(w.below).toBe(150);
    await w.loadAfter();
    await w.loadAfter();
    expect(w.rows.length).toBe(250);
    expect(w.hasAfter).toBe(false);
    expect(w.below).toBe(0);
    await w.loadAfter();
    expect(w.rows.length).toBe(250);
  });

  it("drops the answer to an older query (typing in the search box)", async () => {
    const slow: (() => void)[] = [];
    const page = (ref: number): Page<QueueRow> => ({
      items: [row(ref)],
      total: 1,
      offset: 0,
      limit: 100,
      next: null,
      prev: null,
    });
    const w = new QueueWindow(
      (q) => new Promise((resolve) => slow.push(() => resolve(page(q.search === "kowa" ? 1 : 2)))),
    );
    const older = w.reset({ ...query, search: "kow" });
    const newer = w.reset({ ...query, search: "kowa" });
    slow[1]?.();
    await newer;
    slow[0]?.();
    await older;
    expect(numbers(w)).toEqual([1]);
    expect(w.loading).toBe(false);
  });

  it("keeps the rows it has when a page fails, with the reason", async () => {
    const { fetch } = register(300);
    let fail = false;
    const w = new QueueWindow((q) => (fail ? Promise.reject(new Error("database is busy")) : fetch(q)));
    await w.reset(query);
    fail = true;
    await w.loadAfter();
    expect(w.error).toBe("database is busy");
    expect(w.rows.length).toBe(100);
    fail = false;
    await w.loadAfter();
    expect(w.error).toBeNull();
    expect(w.rows.length).toBe(200);
  });
});

describe("describeTotal", () => {
  it("says when counting stopped", () => {
    expect(describeTotal(1234)).toBe("1,234 requests");
    expect(describeTotal(1)).toBe("1 request");
    expect(describeTotal({ at_least: 10_000 })).toBe("10,000+ requests");
    expect(describeTotal(null)).toBe("");
  });
});
