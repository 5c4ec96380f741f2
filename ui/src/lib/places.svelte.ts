// Where a message may send the officer. The core and the window write a place as its menu and card ("Letters… →
// Email server"); the window turns each such pointer into a link that opens that page at that card, so no message
// names a screen that does not exist (a test checks every pointer in the core's sources and the window's messages,
// in every language).
import { i18n, type Locale, type MessageKey } from "./i18n.svelte";

/**
 * Each place a message may name, by its English name (the core writes these): the page it is on, the card (its
 * `data-testid`), and the message keys of the menu and the card, which name it in the window's language.
 */
export const PLACES = {
  "Letters… → Organisation": {
    page: "correspondence",
    card: "organisation",
    menu: "place.letters",
    name: "place.card.organisation",
  },
  "Letters… → Supervisory authority": {
    page: "correspondence",
    card: "authority",
    menu: "place.letters",
    name: "place.card.authority",
  },
  "Letters… → Email server": {
    page: "correspondence",
    card: "smtp",
    menu: "place.letters",
    name: "place.card.smtp",
  },
  "Letters… → Privacy mailbox": {
    page: "correspondence",
    card: "mailbox-settings",
    menu: "place.letters",
    name: "place.card.mailbox",
  },
  "Letters… → Templates": {
    page: "correspondence",
    card: "templates",
    menu: "place.letters",
    name: "place.card.templates",
  },
  "Settings → Appearance": {
    page: "settings",
    card: "appearance",
    menu: "place.settings",
    name: "place.card.appearance",
  },
  "Settings → Language": {
    page: "settings",
    card: "language-settings",
    menu: "place.settings",
    name: "place.card.language",
  },
  "Settings → Encryption": {
    page: "settings",
    card: "vault-settings",
    menu: "place.settings",
    name: "place.card.encryption",
  },
  "Settings → Backup": {
    page: "settings",
    card: "backup-settings",
    menu: "place.settings",
    name: "place.card.backup",
  },
  "Settings → Restore from a backup": {
    page: "settings",
    card: "restore",
    menu: "place.settings",
    name: "place.card.restore",
  },
  "Settings → Retention": {
    page: "settings",
    card: "retention-settings",
    menu: "place.settings",
    name: "place.card.retention",
  },
  "Settings → Audit trail": {
    page: "settings",
    card: "audit-card",
    menu: "place.settings",
    name: "place.card.audit",
  },
  "Settings → Data map": {
    page: "settings",
    card: "data-map",
    menu: "place.settings",
    name: "place.card.dataMap",
  },
} as const satisfies Record<string, { page: string; card: string; menu: MessageKey; name: MessageKey }>;

export type PlaceName = keyof typeof PLACES;
export type Page = (typeof PLACES)[PlaceName]["page"];

/** A piece of a message: plain words, or a place to link. */
export type Piece = { text: string; place?: PlaceName };

/** How the window names `place` in `locale`: "Courriers… → Serveur de messagerie". */
export function placeName(place: PlaceName, locale: Locale = i18n.locale): string {
  const p = PLACES[place];
  const words = i18n.words(locale);
  return `${words[p.menu]} → ${words[p.name]}`;
}

/**
 * `text` cut into words and the places it names, by their English names (the core's words) or the window's
 * language's (longest name first: "Settings → Restore from a backup").
 */
export function pieces(text: string, locale: Locale = i18n.locale): Piece[] {
  const names: [string, PlaceName][] = [];
  for (const place of Object.keys(PLACES) as PlaceName[]) {
    names.push([place, place]);
    if (locale !== "en") names.push([placeName(place, locale), place]);
  }
  names.sort((a, b) => b[0].length - a[0].length);
  const out: Piece[] = [];
  let rest = text;
  while (rest) {
    let at = -1;
    let found: [string, PlaceName] | undefined;
    for (const name of names) {
      const i = rest.indexOf(name[0]);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        found = name;
      }
    }
    if (!found) {
      out.push({ text: rest });
      break;
    }
    if (at > 0) out.push({ text: rest.slice(0, at) });
    out.push({ text: found[0], place: found[1] });
    rest = rest.slice(at + found[0].length);
  }
  return out;
}

/** The place the window is asked to show (`n` tells a second visit of the same place from the first). */
class Navigator {
  target = $state<{ page: Page; card: string; n: number } | null>(null);

  go(name: PlaceName) {
    const p = PLACES[name];
    this.target = { page: p.page, card: p.card, n: (this.target?.n ?? 0) + 1 };
  }
}

export const navigator = new Navigator();
