import { beforeAll, describe, expect, it } from "vitest";
import { PLACES, pieces, placeName, type PlaceName } from "./places.svelte";
import { i18n, LOCALES, type Catalogue, type Locale } from "./i18n.svelte";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import nl from "../messages/nl.json";
import de from "../messages/de.json";

const CATALOGUES: Record<Locale, Catalogue> = { en, fr, nl, de };
beforeAll(() => Promise.all(LOCALES.map((l) => i18n.load(l))));

// The words of the core and of the window, read as text when the test is built.
const core = import.meta.glob("../../../src/**/*.rs", { query: "?raw", import: "default", eager: true });
const ui = import.meta.glob(["../**/*.svelte", "../**/*.ts", "!./bindings.ts", "!./places.svelte.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});
const cards = import.meta.glob("../cards/*.svelte", { query: "?raw", import: "default", eager: true });

describe("places", () => {
  it("cuts a message into words and the places it names", () => {
    expect(pieces("no SMTP server set (Letters… → Email server, or `rightsdesk settings smtp`)")).toEqual([
      { text: "no SMTP server set (" },
      { text: "Letters… → Email server", place: "Letters… → Email server" },
      { text: ", or `rightsdesk settings smtp`)" },
    ]);
    expect(pieces("Settings → Restore from a backup, then Settings → Backup")).toEqual([
      { text: "Settings → Restore from a backup", place: "Settings → Restore from a backup" },
      { text: ", then " },
      { text: "Settings → Backup", place: "Settings → Backup" },
    ]);
    expect(pieces("nothing to link")).toEqual([{ text: "nothing to link" }]);
    // In French, the window's own words name places in French, the core's still in English: both are links.
    expect(pieces("(Courriers… → Serveur de messagerie) or Letters… → Email server", "fr")).toEqual([
      { text: "(" },
      { text: "Courriers… → Serveur de messagerie", place: "Letters… → Email server" },
      { text: ") or " },
      { text: "Letters… → Email server", place: "Letters… → Email server" },
    ]);
  });

  it("names only places that exist: every pointer in the core's and the window's words is one", () => {
    const sources = { ...core, ...ui } as Record<string, string>;
    expect(Object.keys(core).length).toBeGreaterThan(50);
    const pointer = /(Settings|Letters…|Reports…|Mailbox…|Import…) → [A-Z][a-z]*( [a-z]+)*/g;
    const unknown: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const line of text.split("\n")) {
        // Comments may say where something lives in other words; messages and labels may not.
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
        for (const m of line.matchAll(pointer)) {
          const named = Object.keys(PLACES).some((p) => m[0].startsWith(p));
          if (!named) unknown.push(`${file}: ${m[0]}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it("names only places that exist in every language's messages", () => {
    const unknown: string[] = [];
    for (const locale of LOCALES) {
      const words = CATALOGUES[locale];
      const places = (Object.keys(PLACES) as PlaceName[]).map((p) => placeName(p, locale));
      const menus = [
        "place.letters",
        "place.settings",
        "place.reports",
        "place.mailbox",
        "place.import",
      ] as const;
      const escaped = menus.map((m) => words[m].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const pointer = new RegExp(`(${escaped.join("|")}) → `, "g");
      for (const [key, text] of Object.entries(words)) {
        if (key.startsWith("place.")) continue;
        for (const m of text.matchAll(pointer)) {
          const rest = text.slice(m.index);
          if (!places.some((p) => rest.startsWith(p))) unknown.push(`${locale} ${key}: ${rest.slice(0, 50)}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it("leads to a card each page has", () => {
    const texts = Object.values(cards) as string[];
    for (const [name, place] of Object.entries(PLACES)) {
      const found = texts.some((c) => c.includes(`data-testid="${place.card}"`));
      expect(found, `${name}: no card with data-testid="${place.card}"`).toBe(true);
    }
  });
});
