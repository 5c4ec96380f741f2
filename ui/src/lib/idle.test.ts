import { describe, expect, it } from "vitest";
import { IdleTimer } from "./idle";

describe("IdleTimer", () => {
  it("expires after the minutes without activity, and activity starts the count again", () => {
    let now = 0;
    const idle = new IdleTimer(15, () => now);
    now = 14 * 60_000;
    expect(idle.expired()).toBe(false);
    idle.touch();
    now = 28 * 60_000;
    expect(idle.expired()).toBe(false);
    now = 29 * 60_000;
    expect(idle.expired()).toBe(true);
    idle.minutes = 30;
    expect(idle.expired()).toBe(false);
  });
});
