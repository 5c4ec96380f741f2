// Presentation helpers: dates in the officer's words, labels for ids.

const WEEKDAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Mon 21 Dec 2026" from "2026-12-21"; "—" for none. */
export function day(iso: string | null | undefined): string {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-").map(Number);
  if (!y || !m || !d) return iso;
  const date = new Date(Date.UTC(y, m - 1, d));
  return `${WEEKDAY[date.getUTCDay()]} ${d} ${MONTH[m - 1]} ${y}`;
}

/** Days from `today` to `iso` (negative when past). */
export function daysUntil(iso: string | null | undefined, today: string): number | null {
  if (!iso) return null;
  const a = Date.parse(`${today}T00:00:00Z`);
  const b = Date.parse(`${iso}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

/** "41 bytes", "6.1 KB", "1.5 GB"; "" for none. */
export function fileSize(n: number | null | undefined): string {
  if (n === null || n === undefined) return "";
  if (n < 1024) return `${n} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

export function relative(iso: string | null | undefined, today: string): string {
  const n = daysUntil(iso, today);
  if (n === null) return "";
  if (n === 0) return "today";
  if (n === 1) return "tomorrow";
  if (n === -1) return "yesterday";
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}

/** The ISO date `n` days after `iso` (before, when negative). */
export function addDays(iso: string, n: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** "2026-11-22 14:03" from an RFC 3339 timestamp, in local time. */
export function timestamp(rfc3339: string): string {
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return rfc3339;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}`;
}

export function labelOf(choices: { id: string; label: string }[], id: string): string {
  return choices.find((c) => c.id === id)?.label ?? id;
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
  return id === "*" ? "any kind" : labelOf(options.kinds, id);
}

/** A kept email (.eml): the record of what was received, never offered as an identity document. */
export function isKeptEmail(fileName: string): boolean {
  return fileName.toLowerCase().endsWith(".eml");
}
