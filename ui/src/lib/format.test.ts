import { describe, expect, it } from "vitest";
import { addDays, dateInput, day, daysUntil, fileSize, parseDateInput, relative } from "./format";
import { i18n } from "./i18n.svelte";

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

describe("format in the chosen language", () => {
  it("writes dates, sizes and days the language's way", async () => {
    await i18n.choose("fr");
    try {
      expect(day("2026-12-21")).toBe("lun. 21 déc. 2026");
      expect(relative("2026-11-30", "2026-11-22")).toBe("dans 8 jours");
      expect(relative("2026-11-21", "2026-11-22")).toBe("hier");
      expect(fileSize(6246)).toBe("6,1 KB");
      expect(dateInput("2026-12-21")).toBe("21/12/2026");
    } finally {
      await i18n.choose("system");
    }
    expect(dateInput("2026-12-21", "nl")).toBe("21-12-2026");
    expect(dateInput("2026-12-21", "de")).toBe("21.12.2026");
    expect(dateInput("2026-12-21", "en")).toBe("21/12/2026");
  });

  it("reads a date typed the language's way or as ISO", () => {
    expect(parseDateInput("21/12/2026", "fr")).toBe("2026-12-21");
    expect(parseDateInput("1.2.2026", "de")).toBe("2026-02-01");
    expect(parseDateInput("21-12-2026", "nl")).toBe("2026-12-21");
    expect(parseDateInput("2026-11-21", "de")).toBe("2026-11-21");
    expect(parseDateInput("31/11/2026", "en")).toBeNull();
    expect(parseDateInput("12/21/2026", "en")).toBeNull();
    expect(parseDateInput("21/12/26", "fr")).toBeNull();
    expect(parseDateInput("soon", "fr")).toBeNull();
  });
});
