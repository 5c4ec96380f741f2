import { describe, expect, it } from "vitest";
import { addDays, day, daysUntil, fileSize, relative } from "./format";

describe("format", () => {
  it("names the weekday of an ISO date", () => {
    expect(day("2026-12-21")).toBe("Mon 21 Dec 2026");
    expect(day(null)).toBe("—");
  });
  it("writes sizes as a person reads them", () => {
    expect(fileSize(41)).toBe("41 bytes");
    expect(fileSize(6246)).toBe("6.1 KB");
    expect(fileSize(1.5 * 1024 ** 3)).toBe("1.5 GB");
    expect(fileSize(null)).toBe("");
  });
  it("counts days across month ends and DST", () => {
    expect(daysUntil("2026-12-01", "2026-11-22")).toBe(9);
    expect(daysUntil("2026-03-30", "2026-03-28")).toBe(2);
    expect(relative("2026-11-21", "2026-11-22")).toBe("yesterday");
    expect(relative("2026-11-30", "2026-11-22")).toBe("in 8 days");
    expect(addDays("2026-12-28", 7)).toBe("2027-01-04");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
