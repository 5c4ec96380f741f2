// Every text and control colour the window draws, against each background it is drawn on, in both themes: WCAG 2.2
// AA (4.5:1 for text, 3:1 for a control's edge and the queue's due bars). The e2e run checks the rendered screens
// with axe as well; this test names the pair that broke, before anything is built.
import { describe, expect, it } from "vitest";
import css from "../app.css?raw";

type Theme = Record<string, string>;

function block(selector: string): Theme {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`app.css has no ${selector} block`);
  const body = css.slice(start, css.indexOf("}", start));
  const vars: Record<string, string> = {};
  for (const m of body.matchAll(/--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g))
    if (m[1] && m[2]) vars[m[1]] = m[2];
  return vars;
}

const light = block(":root");
const dark: Theme = { ...light, ...block(':root[data-theme="dark"]') };

/** A colour the theme must define. */
function color(theme: Theme, name: string): string {
  const v = theme[name];
  if (!v) throw new Error(`--${name} is not defined`);
  return v;
}

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  let h = hex.slice(1);
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => channel(parseInt(h.slice(i, i + 2), 16)));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

function ratio(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** Text colours and the backgrounds each is drawn on (app.css and the cards' styles). */
const TEXT: [string, string[]][] = [
  ["ink", ["bg", "card", "head-bg", "hover", "field-bg", "accent-soft", "red-soft", "amber-soft"]],
  ["muted", ["bg", "card", "head-bg", "hover", "field-bg", "accent-soft"]],
  ["accent", ["bg", "card", "accent-soft", "hover", "head-bg"]],
  ["on-accent", ["accent"]],
  ["red", ["bg", "card", "red-soft", "hover"]],
  ["amber", ["bg", "card", "amber-soft"]],
  ["green", ["card", "green-soft"]],
  ["violet", ["violet-soft"]],
  ["neutral", ["neutral-soft"]],
];

/** Edges and marks that tell what a control is or where a row stands (WCAG 1.4.11). */
const MARKS: [string, string[]][] = [
  ["field-line", ["card", "bg", "field-bg"]],
  ["focus", ["card", "bg", "head-bg"]],
  ["red", ["card", "hover"]],
  ["amber-line", ["card", "hover"]],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("the %s theme", (_name, theme) => {
  it.each(TEXT.flatMap(([fg, bgs]) => bgs.map((bg) => [fg, bg])))(
    "text %s on %s is 4.5:1 or more",
    (fg, bg) => {
      expect(ratio(color(theme, fg), color(theme, bg))).toBeGreaterThanOrEqual(4.5);
    },
  );

  it.each(MARKS.flatMap(([fg, bgs]) => bgs.map((bg) => [fg, bg])))(
    "mark %s on %s is 3:1 or more",
    (fg, bg) => {
      expect(ratio(color(theme, fg), color(theme, bg))).toBeGreaterThanOrEqual(3);
    },
  );
});

describe("the themes", () => {
  it("give every colour a value in both", () => {
    expect(Object.keys(block(':root[data-theme="dark"]')).sort()).toEqual(Object.keys(light).sort());
  });

  it("the ratio is WCAG's", () => {
    expect(ratio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(ratio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });
});
