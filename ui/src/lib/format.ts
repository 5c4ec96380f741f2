// Presentation helpers: dates, numbers and sizes in the window's language (Intl, with the chosen locale), labels
// for ids. ISO dates stay only where a regulator reads them (exports, letters the core writes).
import { FORMAT_LOCALE, has, i18n, t, type Locale } from "./i18n.svelte";

function fmt(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(FORMAT_LOCALE[locale], { timeZone: "UTC", ...options });
}

function utc(iso: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Mon 21 Dec 2026" (English), "lun. 21 déc. 2026" (French) from "2026-12-21"; "—" for none. */
export function day(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = utc(iso);
  if (!date) return iso;
  const locale = i18n.locale;
  // The weekday and the date apart, joined by the message: the same words on every ICU version.
  const weekday = fmt(locale, { weekday: "short" }).format(date);
  const rest = fmt(locale, { day: "numeric", month: "short", year: "numeric" }).format(date);
  return t("format.day", { weekday, date: rest });
}

/** Days from `today` to `iso` (negative when past). */
export function daysUntil(iso: string | null | undefined, today: string): number | null {
  if (!iso) return null;
  const a = Date.parse(`${today}T00:00:00Z`);
  const b = Date.parse(`${iso}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

/** A count as the language writes it: 1,234 / 1 234 / 1.234. */
export function number(n: number): string {
  return new Intl.NumberFormat(FORMAT_LOCALE[i18n.locale]).format(n);
}

/** "41 bytes", "6.1 KB", "1.5 GB"; "" for none. */
export function fileSize(n: number | null | undefined): string {
  if (n === null || n === undefined) return "";
  if (n < 1024) return t("format.bytes", { count: n });
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const value = new Intl.NumberFormat(FORMAT_LOCALE[i18n.locale], {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(v);
  return `${value} ${units[u]}`;
}

/** "today", "in 8 days", "2 days ago". */
export function relative(iso: string | null | undefined, today: string): string {
  const n = daysUntil(iso, today);
  if (n === null) return "";
  const when = n === 0 ? "today" : n === 1 ? "tomorrow" : n === -1 ? "yesterday" : n > 0 ? "future" : "past";
  return t("format.relative", { when, count: Math.abs(n) });
}

/** The ISO date `n` days after `iso` (before, when negative). */
export function addDays(iso: string, n: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** "22 Nov 2026, 14:03" from an RFC 3339 timestamp, in local time. */
export function timestamp(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(FORMAT_LOCALE[i18n.locale], {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(d);
}

/** How the language writes a date in a field: its order and separator ("21/12/2026", "21-12-2026", "21.12.2026"). */
function numericParts(locale: Locale): { order: ("day" | "month" | "year")[]; sep: string } {
  const parts = fmt(locale, { day: "2-digit", month: "2-digit", year: "numeric" }).formatToParts(
    new Date(Date.UTC(2026, 11, 21)),
  );
  const order = parts
    .map((p) => p.type)
    .filter((k): k is "day" | "month" | "year" => k === "day" || k === "month" || k === "year");
  const sep = parts.find((p) => p.type === "literal")?.value ?? "/";
  return { order, sep };
}

/** An ISO date as a date field shows it in the window's language: "21/12/2026"; "" for none. */
export function dateInput(iso: string | null | undefined, locale: Locale = i18n.locale): string {
  if (!iso) return "";
  const date = utc(iso);
  if (!date) return iso;
  return fmt(locale, { day: "2-digit", month: "2-digit", year: "numeric" }).format(date);
}

/**
 * What a person typed in a date field, as an ISO date: the language's own order ("21/12/2026", "21.12.2026", with any
 * of / . - as separator, day and month with one or two digits) or ISO ("2026-12-21"). Null when it is no calendar day.
 */
export function parseDateInput(text: string, locale: Locale = i18n.locale): string | null {
  const s = text.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (iso) {
    [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else {
    const local = /^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})$/.exec(s);
    if (!local) return null;
    const { order } = numericParts(locale);
    const got: Record<string, number> = {};
    order.forEach((k, i) => (got[k] = Number(local[i + 1])));
    [y, m, d] = [got.year ?? 0, got.month ?? 0, got.day ?? 0];
    if (String(got.year).length !== 4) return null;
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function labelOf(choices: { id: string; label: string }[], id: string): string {
  const found = choices.find((c) => c.id === id);
  return found ? choiceLabel(found) : id;
}

/**
 * A choice the core offers (a status, a kind, a regime…) in the window's language when the window has words for
 * its id (`choice.<id>`), else the core's English label.
 */
export function choiceLabel(c: { id: string; label: string }): string {
  const key = `choice.${c.id}`;
  return has(key) ? t(key) : c.label;
}

/** A response stage's label. */
export function stageLabel(
  options: { response_stages: { id: string; label: string }[] },
  id: string,
): string {
  return labelOf(options.response_stages, id);
}

/** A template's kind: "*" is the template for any kind. */
export function templateKindLabel(options: { kinds: { id: string; label: string }[] }, id: string): string {
  return id === "*" ? t("format.anyKind") : labelOf(options.kinds, id);
}

/** A kept email (.eml): the record of what was received, never offered as an identity document. */
export function isKeptEmail(fileName: string): boolean {
  return fileName.toLowerCase().endsWith(".eml");
}
