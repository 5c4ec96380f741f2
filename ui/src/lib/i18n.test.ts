import { describe, expect, it } from "vitest";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { i18n, LOCALES, systemLocale, type Catalogue, type Locale } from "./i18n.svelte";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import nl from "../messages/nl.json";
import de from "../messages/de.json";

const CATALOGUES: Record<Locale, Catalogue> = { en, fr, nl, de };
import { reportText } from "./api";

// The window's sources, read as text: a key is used when one of them names it ("queue.title"), or when a template
// literal builds it from a prefix (`status.${id}`: every key under "status." counts as used).
const sources = import.meta.glob(["../**/*.svelte", "../**/*.ts", "!../**/*.test.ts", "!./bindings.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;
// The core names the messages of its typed errors (`error.rs`: `"error.not_found"`); the shell, its own.
const core = import.meta.glob(["../../../src/**/*.rs", "../../../src-tauri/src/**/*.rs"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;
const coreKeys = [
  ...new Set(
    Object.values(core).flatMap((text) => [...text.matchAll(/"(error\.[a-z_.]+)"/g)].map((m) => m[1] ?? "")),
  ),
];

/** The placeholders a message takes, with their kind ("count:plural", "name:argument"), sorted. */
function placeholders(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    out.add(`${el.value}:${TYPE[el.type]}`);
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      for (const option of Object.values(el.options)) placeholders(option.value, out);
    }
    if (el.type === TYPE.tag) placeholders(el.children, out);
  }
  return out;
}

const keys = Object.keys(en).sort();

describe("messages", () => {
  it("has every key in every language, and no other", () => {
    for (const locale of LOCALES) {
      const own = Object.keys(CATALOGUES[locale]).sort();
      expect(
        keys.filter((k) => !own.includes(k)),
        `missing in ${locale}`,
      ).toEqual([]);
      expect(
        own.filter((k) => !keys.includes(k)),
        `only in ${locale}`,
      ).toEqual([]);
    }
  });

  it("parses every message, with the same placeholders in every language", () => {
    const problems: string[] = [];
    for (const key of keys) {
      const shapes = LOCALES.map((locale) => {
        const text = CATALOGUES[locale][key as keyof Catalogue];
        try {
          return [...placeholders(parse(text, { requiresOtherClause: true }))].sort().join(", ");
        } catch (e) {
          problems.push(`${locale} ${key}: ${String(e)}`);
          return "";
        }
      });
      for (const [i, shape] of shapes.entries()) {
        if (shape !== shapes[0])
          problems.push(`${LOCALES[i]} ${key}: {${shape}}, English has {${shapes[0]}}`);
      }
      for (const locale of LOCALES) {
        if (!CATALOGUES[locale][key as keyof Catalogue].trim()) problems.push(`${locale} ${key}: empty`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("uses every key", () => {
    const text = [...Object.values(sources), ...Object.values(core)].join("\n");
    const prefixes = [...text.matchAll(/`([a-zA-Z][\w.]*\.)\$\{/g)].map((m) => m[1] ?? "");
    expect(prefixes.length).toBeGreaterThan(0);
    const unused = keys.filter((k) => !text.includes(`"${k}"`) && !prefixes.some((p) => k.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it("names only keys that exist", () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      // Comments may show how a key is written.
      const code = text
        .split("\n")
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .join("\n");
      for (const m of code.matchAll(/\bt\(\s*"([^"]+)"/g)) {
        if (!keys.includes(m[1] ?? "")) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(coreKeys.length).toBeGreaterThan(10);
    expect(coreKeys.filter((k) => !keys.includes(k))).toEqual([]);
  });

  it("follows the system's first language the window speaks", () => {
    expect(systemLocale(["fr-BE", "en-US"])).toBe("fr");
    expect(systemLocale(["es-ES", "nl-BE"])).toBe("nl");
    expect(systemLocale(["de_DE"])).toBe("de");
    expect(systemLocale(["ja"])).toBe("en");
    expect(systemLocale(undefined)).toBe("en");
  });
});

describe("the core's errors", () => {
  const report = (key: string | null, params: Record<string, string>, message = "English") => ({
    code: "not_found" as const,
    message,
    field: null,
    key,
    params,
  });

  it("are said in the window's language, their ids named", async () => {
    expect(reportText(report("error.not_found", { what: "system", key: "CRM" }))).toBe("no system 'CRM'");
    await i18n.choose("fr");
    try {
      expect(reportText(report("error.not_found", { what: "system", key: "CRM" }))).toBe(
        "introuvable (système) : « CRM »",
      );
      const moved = { reference: "RD-2026-0001", from: "closed", to: "received" };
      expect(reportText(report("error.illegal_transition", { ...moved, allowed: "" }))).toBe(
        "impossible de passer RD-2026-0001 de « Clôturée » à « Reçue » : « Clôturée » est un statut final",
      );
      await i18n.choose("de");
      expect(
        reportText(report("error.illegal_transition", { ...moved, allowed: "received, in-progress" })),
      ).toBe(
        "RD-2026-0001 kann nicht von „Abgeschlossen“ zu „Eingegangen“ wechseln: von „Abgeschlossen“ aus nur möglich: Eingegangen, In Bearbeitung",
      );
      // A free-text reason, or a key this window does not know, stays as the core wrote it.
      expect(reportText(report(null, {}, "not now"))).toBe("not now");
      expect(reportText(report("error.someday", {}, "later"))).toBe("later");
    } finally {
      await i18n.choose("system");
    }
  });
});
