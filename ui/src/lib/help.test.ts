import { describe, expect, it } from "vitest";
import { HELP } from "./help";

describe("help", () => {
  it("has a page with something to read for every screen", () => {
    for (const [screen, page] of Object.entries(HELP)) {
      expect(page.title, screen).not.toBe("");
      expect(page.sections.length, screen).toBeGreaterThan(0);
      for (const s of page.sections) {
        expect(s.heading, screen).not.toBe("");
        expect(
          s.paragraphs.every((p) => p.trim().length > 20),
          `${screen}: ${s.heading}`,
        ).toBe(true);
      }
    }
  });

  it("tells how to open it again from every screen of an open register", () => {
    for (const [screen, page] of Object.entries(HELP)) {
      if (screen === "vault") continue;
      expect(
        page.sections.some((s) => s.paragraphs.some((p) => p.includes("F1"))),
        screen,
      ).toBe(true);
    }
  });
});
